// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration save writes and apply reads: from the kernel, from a
 * batch file, as a batch file.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conf.h"
#include "psctl.h"

#define CONF_MAX_ARGS	16

void conf_rate_text(char *buf, size_t len, uint64_t bps)
{
	static const char *const units[] = { "tbit", "gbit", "mbit", "kbit" };
	uint64_t div = 1000000000000ULL;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(units); i++, div /= 1000) {
		if (bps % div == 0) {
			snprintf(buf, len, "%llu%s",
				 (unsigned long long)(bps / div), units[i]);
			return;
		}
	}
	snprintf(buf, len, "%llubit", (unsigned long long)bps);
}

static struct conf_prefix *new_prefix(struct conf *c)
{
	struct conf_prefix *v;
	size_t cap;

	if (c->nprefixes == c->cap) {
		cap = c->cap ? 2 * c->cap : 256;
		v = realloc(c->prefixes, cap * sizeof(*v));
		if (!v)
			return NULL;
		c->prefixes = v;
		c->cap = cap;
	}
	v = &c->prefixes[c->nprefixes++];
	memset(v, 0, sizeof(*v));
	return v;
}

static struct conf_lag *new_lag(struct conf *c)
{
	struct conf_lag *v;

	v = realloc(c->lags, (c->nlags + 1) * sizeof(*v));
	if (!v)
		return NULL;
	c->lags = v;
	v = &c->lags[c->nlags++];
	memset(v, 0, sizeof(*v));
	return v;
}

static int prefix_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[PSMON_A_PREFIX_MAX + 1] = { NULL };
	const struct nlattr *nest;
	struct conf_prefix *e;
	struct psctl_prefix p;
	char err[256];

	if (psctl_prefix_reply(nlh, tb, &nest, &p))
		return -EBADMSG;
	e = new_prefix(data);
	if (!e)
		return -ENOMEM;
	e->p = p;
	if (tb[PSMON_A_PREFIX_NAME]) {
		e->has_name = true;
		snprintf(e->name, sizeof(e->name), "%s",
			 mnl_attr_get_str(tb[PSMON_A_PREFIX_NAME]));
	}
	e->allow_reserved = prefix_check_public(&p, err, sizeof(err)) != 0;
	return 0;
}

int conf_fetch(struct nl *nl, struct conf *c)
{
	struct lag_list lags = { 0 };
	struct nlmsghdr *nlh;
	struct conf_lag *l;
	char buf[256];
	size_t i;
	int ret;

	ret = lags_fetch(nl, NULL, &lags);
	for (i = 0; !ret && i < lags.n; i++) {
		const struct lag_info *k = &lags.v[i];

		l = new_lag(c);
		if (!l) {
			ret = -ENOMEM;
			break;
		}
		snprintf(l->dev, sizeof(l->dev), "%s", k->dev);
		l->capacity_auto = k->capacity_auto || !k->capacity;
		l->capacity = l->capacity_auto ? 0 : k->capacity;
		l->threshold = k->threshold;
		l->clear = k->clear;
		l->window = k->window;
	}
	lags_free(&lags);
	if (ret)
		return ret;
	nlh = nl_msg_start(nl, buf, PSMON_CMD_PREFIX_GET, NLM_F_DUMP);
	return nl_request(nl, nlh, prefix_cb, c);
}

static int read_lag(struct psctl *ctx, struct conf *c, int argc, char **argv)
{
	struct conf_lag *l;
	struct lag_args a;
	char err[256];
	size_t i;

	if (parse_lag_args(argc, argv, &a, err, sizeof(err))) {
		psctl_err(ctx, "%s", err);
		return EXIT_USAGE;
	}
	for (i = 0; i < c->nlags; i++) {
		if (!strcmp(c->lags[i].dev, a.dev)) {
			psctl_err(ctx, "LAG \"%s\" is already added on line %lu",
				  a.dev, c->lags[i].line);
			return EXIT_USAGE;
		}
	}
	l = new_lag(c);
	if (!l) {
		psctl_err(ctx, "out of memory");
		return EXIT_USAGE;
	}
	snprintf(l->dev, sizeof(l->dev), "%s", a.dev);
	l->line = ctx->line;
	l->capacity_auto = !a.has_capacity || a.capacity_auto;
	l->capacity = l->capacity_auto ? 0 : a.capacity;
	l->threshold = a.has_threshold ? a.threshold : CONF_THRESHOLD;
	if (a.has_clear)
		l->clear = a.clear;
	else
		l->clear = l->threshold > CONF_CLEAR_GAP ?
			   l->threshold - CONF_CLEAR_GAP : 0;
	l->window = a.has_window ? a.window : CONF_WINDOW;
	if (l->clear >= l->threshold) {
		psctl_err(ctx, "clear (%u) must be below threshold (%u)",
			  l->clear, l->threshold);
		return EXIT_USAGE;
	}
	return 0;
}

static int read_prefix(struct psctl *ctx, struct conf *c, int argc,
		       char **argv)
{
	struct conf_prefix *e;
	struct prefix_args a;
	char err[256];

	if (parse_prefix_add_args(argc, argv, &a, err, sizeof(err))) {
		psctl_err(ctx, "%s", err);
		return EXIT_USAGE;
	}
	e = new_prefix(c);
	if (!e) {
		psctl_err(ctx, "out of memory");
		return EXIT_USAGE;
	}
	e->p = a.prefix;
	e->has_name = a.has_name;
	memcpy(e->name, a.name, sizeof(e->name));
	e->allow_reserved = a.allow_reserved;
	e->line = ctx->line;
	return 0;
}

static int read_line(struct psctl *ctx, struct conf *c, int argc, char **argv)
{
	static const char *const objects[] = { "lag", "prefix" };
	static const char *const cmds[] = { "add" };
	int obj;

	obj = match_abbrev(argv[0], objects, ARRAY_SIZE(objects));
	if (obj < 0 || argc < 2 || match_abbrev(argv[1], cmds, 1) != 0) {
		psctl_err(ctx, "\"%s%s%s\": a configuration file has only \"lag add\" and \"prefix add\" lines",
			  argv[0], argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
		return EXIT_USAGE;
	}
	return obj ? read_prefix(ctx, c, argc - 2, argv + 2) :
		     read_lag(ctx, c, argc - 2, argv + 2);
}

static int cmp_prefix(const void *a, const void *b)
{
	return conf_prefix_cmp(a, b);
}

static int cmp_lag(const void *a, const void *b)
{
	const struct conf_lag *x = a, *y = b;

	return strcmp(x->dev, y->dev);
}

int conf_prefix_cmp(const struct conf_prefix *a, const struct conf_prefix *b)
{
	if (a->p.family != b->p.family)
		return a->p.family < b->p.family ? -1 : 1;
	if (a->p.plen != b->p.plen)
		return a->p.plen < b->p.plen ? -1 : 1;
	return memcmp(a->p.addr, b->p.addr, sizeof(a->p.addr));
}

void conf_sort(struct conf *c)
{
	if (c->nprefixes)
		qsort(c->prefixes, c->nprefixes, sizeof(*c->prefixes), cmp_prefix);
	if (c->nlags)
		qsort(c->lags, c->nlags, sizeof(*c->lags), cmp_lag);
}

/* A prefix twice in the file (the file is sorted) */
static int check_duplicates(struct psctl *ctx, const struct conf *c)
{
	char text[PREFIX_STRLEN];
	size_t i;

	for (i = 1; i < c->nprefixes; i++) {
		const struct conf_prefix *a = &c->prefixes[i - 1];
		const struct conf_prefix *b = &c->prefixes[i];

		if (conf_prefix_cmp(a, b))
			continue;
		ctx->line = a->line > b->line ? a->line : b->line;
		prefix_format(&a->p, text, sizeof(text));
		psctl_err(ctx, "prefix %s is already added on line %lu", text,
			  a->line < b->line ? a->line : b->line);
		return EXIT_USAGE;
	}
	return 0;
}

int conf_read(struct psctl *ctx, const char *file, struct conf *c)
{
	char *argv[CONF_MAX_ARGS + 1], *line = NULL;
	bool is_stdin = !strcmp(file, "-");
	int argc, ret = 0;
	size_t cap = 0;
	FILE *f;

	f = is_stdin ? stdin : fopen(file, "r");
	if (!f) {
		psctl_err(ctx, "cannot open \"%s\": %s", file, strerror(errno));
		return EXIT_USAGE;
	}
	ctx->batch_name = file;
	ctx->line = 0;
	while (!ret && getline(&line, &cap, f) >= 0) {
		ctx->line++;
		argc = split_line(line, argv, CONF_MAX_ARGS);
		if (argc < 0) {
			psctl_err(ctx, "more than %d words on one line",
				  CONF_MAX_ARGS);
			ret = EXIT_USAGE;
		} else if (argc) {
			argv[argc] = NULL;
			ret = read_line(ctx, c, argc, argv);
		}
	}
	if (!ret && ferror(f)) {
		psctl_err(ctx, "cannot read \"%s\": %s", file, strerror(errno));
		ret = EXIT_USAGE;
	}
	free(line);
	if (!is_stdin)
		fclose(f);
	if (!ret) {
		conf_sort(c);
		ret = check_duplicates(ctx, c);
	}
	ctx->batch_name = NULL;
	return ret;
}

void conf_write(FILE *f, const struct conf *c)
{
	char text[PREFIX_STRLEN], rate[32];
	size_t i;

	fprintf(f, "# psmon configuration, written by \"psctl save\"; restore with \"psctl apply FILE\"\n");
	for (i = 0; i < c->nprefixes; i++) {
		const struct conf_prefix *e = &c->prefixes[i];

		prefix_format(&e->p, text, sizeof(text));
		fprintf(f, "prefix add %s", text);
		if (e->has_name)
			fprintf(f, " name %s", e->name);
		if (e->allow_reserved)
			fprintf(f, " allow-reserved");
		fputc('\n', f);
	}
	for (i = 0; i < c->nlags; i++) {
		const struct conf_lag *l = &c->lags[i];

		fprintf(f, "lag add %s", l->dev);
		if (!l->capacity_auto) {
			conf_rate_text(rate, sizeof(rate), l->capacity);
			fprintf(f, " capacity %s", rate);
		}
		fprintf(f, " threshold %u clear %u window %u\n", l->threshold,
			l->clear, l->window);
	}
}

void conf_free(struct conf *c)
{
	free(c->lags);
	free(c->prefixes);
	memset(c, 0, sizeof(*c));
}
