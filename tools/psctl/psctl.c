// SPDX-License-Identifier: GPL-2.0
/*
 * psctl: configure psmon, the per-prefix traffic counter for LAG members.
 *
 * psctl [OPTIONS] OBJECT COMMAND [ARGS]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format.h"
#include "parse.h"
#include "psctl.h"
#include "statefile.h"

#ifndef VERSION
#define VERSION "0.1.0"
#endif

static const struct psctl_object *const objects[] = {
	&lag_object,
	&prefix_object,
	&monitor_object,
	&deadline_object,
	&export_object,
	&save_object,
	&apply_object,
	&top_object,
	&check_object,
};

static const char options_help[] =
	"Options:\n"
	"  -j, --json          JSON output\n"
	"  -p, --pretty        indented JSON output (implies -j)\n"
	"  -s, --stats         show packet and byte counters\n"
	"  -n, --netns NETNS   run in the network namespace /run/netns/NETNS\n"
	"  -b, --batch FILE    run the commands in FILE, one a line (\"-\": stdin)\n"
	"  -f, --force         in batch mode, go on after a failing line\n"
	"  -S, --state-dir DIR keep crossings and daily peaks in DIR (default: $PSMON_STATE_DIR,\n"
	"                      else " STATE_DIR_DEFAULT ")\n"
	"  -V, --version       print the version and exit\n"
	"  -h, --help          print this help and exit\n";

static void usage(FILE *f)
{
	size_t i;

	fputs("Usage: psctl [OPTIONS] OBJECT COMMAND [ARGS]\n"
	      "       psctl [OPTIONS] -b FILE\n"
	      "       psctl help\n"
	      "       psctl OBJECT help\n"
	      "\nCommands:\n", f);
	for (i = 0; i < ARRAY_SIZE(objects); i++)
		fputs(objects[i]->synopsis, f);
	fputs("\nArguments:\n", f);
	for (i = 0; i < ARRAY_SIZE(objects); i++)
		fputs(objects[i]->arguments, f);
	fputs("\n", f);
	fputs(options_help, f);
	fputs("\nObjects and commands may be abbreviated: psctl p a = psctl prefix add.\n",
	      f);
}

static void object_usage(const struct psctl_object *obj, FILE *f)
{
	fprintf(f, "Usage:\n%s", obj->synopsis);
	if (*obj->arguments)
		fprintf(f, "\nArguments:\n%s", obj->arguments);
}

static void vreport(struct psctl *ctx, const char *fmt, va_list ap)
{
	fflush(stdout);
	if (ctx && ctx->batch_name)
		fprintf(stderr, "%s:%lu: ", ctx->batch_name, ctx->line);
	fputs("Error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void psctl_err(struct psctl *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(ctx, fmt, ap);
	va_end(ap);
}

void psctl_warn(struct psctl *ctx, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	if (ctx && ctx->batch_name)
		fprintf(stderr, "%s:%lu: ", ctx->batch_name, ctx->line);
	fputs("Warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int psctl_kernel_err(struct psctl *ctx, int err, const char *what)
{
	return psctl_report(ctx, err, ctx->nl ? nl_ext_msg(ctx->nl) : "", what);
}

int psctl_report(struct psctl *ctx, int err, const char *msg,
		 const char *what)
{
	return psctl_report_about(ctx, err, msg, what, NULL);
}

int psctl_report_about(struct psctl *ctx, int err, const char *msg,
		       const char *what, const char *name)
{
	char named[NL_EXT_MSG_LEN + 64];

	if (name && *msg && !strstr(msg, name)) {
		snprintf(named, sizeof(named), "%s \"%s\"", msg, name);
		msg = named;
	}
	if (!what)
		what = "request";
	if (err == -EPERM && *msg)
		psctl_err(ctx, "%s (psctl needs CAP_NET_ADMIN)", msg);
	else if (err == -EPERM)
		psctl_err(ctx, "%s: %s (psctl needs CAP_NET_ADMIN)", what,
			  strerror(-err));
	else if (*msg)
		psctl_err(ctx, "%s", msg);
	else
		psctl_err(ctx, "%s: %s", what, strerror(-err));
	return EXIT_KERNEL;
}

void psctl_kernel_warn(struct psctl *ctx)
{
	const char *msg = nl_ext_msg(ctx->nl);

	if (!*msg)
		return;
	fflush(stdout);
	if (ctx->batch_name)
		fprintf(stderr, "%s:%lu: ", ctx->batch_name, ctx->line);
	fprintf(stderr, "Warning: %s\n", msg);
}

static int enter_netns(struct psctl *ctx, const char *name)
{
	char path[PATH_MAX];
	int fd;

	if (!*name || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, "..")) {
		psctl_err(ctx, "invalid network namespace name \"%s\"", name);
		return EXIT_USAGE;
	}
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		psctl_err(ctx, "cannot open network namespace \"%s\" (%s): %s",
			  name, path, strerror(errno));
		return EXIT_USAGE;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		psctl_err(ctx, "cannot enter network namespace \"%s\": %s",
			  name, strerror(errno));
		close(fd);
		return EXIT_KERNEL;
	}
	close(fd);
	return 0;
}

int psctl_nl_if_loaded(struct psctl *ctx, struct nl **nl, bool *loaded)
{
	int ret;

	*nl = NULL;
	*loaded = true;
	if (!ctx->nl) {
		if (ctx->netns) {
			ret = enter_netns(ctx, ctx->netns);
			if (ret)
				return ret;
			ctx->netns = NULL;
		}
		ret = nl_open(&ctx->nl, PSMON_FAMILY_NAME, PSMON_FAMILY_VERSION);
		if (ret == -ENOENT) {
			*loaded = false;
			return 0;
		}
		if (ret) {
			psctl_err(ctx, "cannot open a generic netlink socket: %s",
				  strerror(-ret));
			return EXIT_KERNEL;
		}
	}
	*nl = ctx->nl;
	return 0;
}

int psctl_nl(struct psctl *ctx, struct nl **nl)
{
	bool loaded;
	int ret;

	ret = psctl_nl_if_loaded(ctx, nl, &loaded);
	if (!ret && !loaded) {
		psctl_err(ctx, "psmon kernel module is not loaded (modprobe psmon)");
		return EXIT_KERNEL;
	}
	return ret;
}

int psctl_one_dev(struct psctl *ctx, int argc, char **argv, bool optional)
{
	char err[256];

	if (argc == 0 && optional)
		return 0;
	if (argc == 0) {
		psctl_err(ctx, "missing DEV");
		return EXIT_USAGE;
	}
	if (parse_dev(argv[0], err, sizeof(err))) {
		psctl_err(ctx, "%s", err);
		return EXIT_USAGE;
	}
	if (argc > 1) {
		psctl_err(ctx, "unexpected argument \"%s\"", argv[1]);
		return EXIT_USAGE;
	}
	return 0;
}

int psctl_flush(struct psctl *ctx)
{
	int (*flush)(struct psctl *ctx) = ctx->flush;

	if (!flush)
		return 0;
	ctx->flush = NULL;
	ctx->pending_cmd = NULL;
	return flush(ctx);
}

void psctl_counters_header(FILE *f)
{
	fprintf(f, "    %-16s %12s %15s %-11s %12s %15s\n", "", "rx packets",
		"rx bytes", "", "tx packets", "tx bytes");
}

static void bytes_col(char *buf, size_t len, uint64_t bytes)
{
	char h[FMT_BUFLEN];

	if (bytes < 1024) {
		buf[0] = '\0';
		return;
	}
	fmt_bytes(h, sizeof(h), bytes);
	snprintf(buf, len, "(%s)", h);
}

void psctl_counters_row(FILE *f, const char *label, uint64_t rx_packets,
			uint64_t rx_bytes, uint64_t tx_packets,
			uint64_t tx_bytes)
{
	char rx[FMT_BUFLEN + 2], tx[FMT_BUFLEN + 2], row[256];
	size_t n;

	bytes_col(rx, sizeof(rx), rx_bytes);
	bytes_col(tx, sizeof(tx), tx_bytes);
	snprintf(row, sizeof(row), "    %-16s %12llu %15llu %-11s %12llu %15llu %s",
		 label, (unsigned long long)rx_packets,
		 (unsigned long long)rx_bytes, rx,
		 (unsigned long long)tx_packets, (unsigned long long)tx_bytes,
		 tx);
	n = strlen(row);
	while (n && row[n - 1] == ' ')
		row[--n] = '\0';
	fprintf(f, "%s\n", row);
}

/* Names of the entries of a table, for match_abbrev(). */
#define MAX_NAMES	32

/* Index of the command arg selects, MATCH_NONE or MATCH_AMBIGUOUS. */
static int match_cmd(const struct psctl_object *obj, const char *arg,
		     bool *help)
{
	const char *names[MAX_NAMES];
	size_t n;
	int i;

	for (n = 0; n < MAX_NAMES - 1 && obj->cmds[n].name; n++)
		names[n] = obj->cmds[n].name;
	names[n] = "help";
	i = match_abbrev(arg, names, n + 1);
	*help = i >= 0 && (size_t)i == n;
	return i;
}

int psctl_run(struct psctl *ctx, int argc, char **argv)
{
	const char *names[ARRAY_SIZE(objects) + 1];
	const struct psctl_object *obj;
	const struct psctl_cmd *cmd = NULL;
	bool help = false;
	const char *arg;
	size_t i;
	int k, ret;

	for (i = 0; i < ARRAY_SIZE(objects); i++)
		names[i] = objects[i]->name;
	names[i] = "help";

	k = match_abbrev(argv[0], names, ARRAY_SIZE(names));
	if (k < 0 || (size_t)k == ARRAY_SIZE(objects)) {
		ret = psctl_flush(ctx);
		if (ret)
			return ret;
		if (k >= 0) {
			usage(stdout);
			return 0;
		}
		psctl_err(ctx, "%s object \"%s\"; see \"psctl help\"",
			  k == MATCH_AMBIGUOUS ? "ambiguous" : "unknown",
			  argv[0]);
		return EXIT_USAGE;
	}
	obj = objects[k];

	if (obj->run) {
		ret = psctl_flush(ctx);
		if (ret)
			return ret;
		if (argc > 1 && !strcmp(argv[1], "help")) {
			object_usage(obj, stdout);
			return 0;
		}
		return obj->run(ctx, argc - 1, argv + 1);
	}

	arg = argc > 1 ? argv[1] : obj->default_cmd;
	k = match_cmd(obj, arg, &help);
	if (k >= 0 && !help)
		cmd = &obj->cmds[k];

	/* Earlier batch lines go first, unless this line joins them. */
	if (!cmd || cmd->run != ctx->pending_cmd) {
		ret = psctl_flush(ctx);
		if (ret)
			return ret;
	}
	if (help) {
		object_usage(obj, stdout);
		return 0;
	}
	if (!cmd) {
		psctl_err(ctx, "%s command \"%s\" for %s; see \"psctl %s help\"",
			  k == MATCH_AMBIGUOUS ? "ambiguous" : "unknown", arg,
			  obj->name, obj->name);
		return EXIT_USAGE;
	}
	return cmd->run(ctx, argc > 1 ? argc - 2 : 0, argv + 2);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "stats", no_argument, NULL, 's' },
		{ "netns", required_argument, NULL, 'n' },
		{ "batch", required_argument, NULL, 'b' },
		{ "force", no_argument, NULL, 'f' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct psctl ctx = { 0 };
	const char *batch = NULL;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:jpsn:b:fS:Vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ctx.json = true;
			break;
		case 'p':
			ctx.json = true;
			ctx.pretty = true;
			break;
		case 's':
			ctx.stats = true;
			break;
		case 'n':
			ctx.netns = optarg;
			ctx.netns_name = optarg;
			break;
		case 'f':
			ctx.force = true;
			break;
		case 'S':
			if (!*optarg) {
				psctl_err(NULL, "empty state directory");
				return EXIT_USAGE;
			}
			ctx.state_dir = optarg;
			break;
		case 'b':
			batch = optarg;
			break;
		case 'V':
			printf("psctl %s\n", VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			psctl_err(NULL, "option \"%s\" needs an argument",
				  argv[optind - 1]);
			return EXIT_USAGE;
		default:
			if (optopt)
				psctl_err(NULL, "unknown option \"-%c\"; see \"psctl help\"",
					  optopt);
			else
				psctl_err(NULL, "unknown option \"%s\"; see \"psctl help\"",
					  argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	json_init(&ctx.jw, stdout, ctx.pretty);

	if (batch) {
		if (optind < argc) {
			psctl_err(NULL, "unexpected \"%s\": with -b the commands come from the file",
				  argv[optind]);
			return EXIT_USAGE;
		}
		ret = psctl_batch(&ctx, batch);
	} else if (optind == argc) {
		usage(stderr);
		ret = EXIT_USAGE;
	} else {
		ret = psctl_run(&ctx, argc - optind, argv + optind);
		if (!ret)
			ret = psctl_flush(&ctx);
	}
	nl_close(ctx.nl);
	/* Reported as it happened; the status tells cron and scripts. */
	if (!ret && ctx.state_unhealthy)
		ret = EXIT_STATE;

	if (fflush(stdout) || ferror(stdout)) {
		if (errno != EPIPE)
			fprintf(stderr, "Error: cannot write the output: %s\n",
				strerror(errno));
		if (!ret)
			ret = EXIT_USAGE;
	}
	return ret;
}
