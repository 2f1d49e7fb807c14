// SPDX-License-Identifier: GPL-2.0
/*
 * psctl apply FILE [dry-run]: make the running configuration equal to
 * FILE, a batch file of "lag add" and "prefix add" lines as "psctl save"
 * writes it, like "wg syncconf": LAGs and prefixes FILE does not have are
 * removed, the ones it adds are added, and LAGs whose settings differ are
 * changed in place (their counters and rate history stay). A prefix whose
 * name differs is deleted and added again: the kernel has no rename.
 *
 * Two dumps tell what the kernel has; then prefix removals and additions
 * (PREFIX_GROUP_MAX a message each way), LAG removals, changes and
 * additions go out in that order: prefix removals first, LAGs, prefix
 * additions last. Each change is printed once it is done (with dry-run:
 * instead of being done), as the psctl command that makes it; nothing is
 * printed when the configuration already matches. A refused request is
 * reported and the others still run; the exit status is then 2.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conf.h"
#include "psctl.h"

#define LAG_MSG_SIZE	1024

enum { ACT_ADD, ACT_SET, ACT_DEL };
static const char *const act_names[] = { "add", "set", "del" };

/* Settings of a "lag set": which ones differ. */
#define SET_CAPACITY	0x1
#define SET_LEVELS	0x2	/* threshold and clear go together */
#define SET_WINDOW	0x4

struct apply {
	struct psctl *ctx;
	struct nl *nl;
	bool dry_run;
	int status;		/* exit status of the last refusal */
	const char *file;
};

/* ---- output ------------------------------------------------------------ */

static void print_lag(struct apply *ap, int act, const struct conf_lag *l,
		      unsigned int what)
{
	struct json *j = &ap->ctx->jw;
	char rate[32];

	if (ap->ctx->json) {
		json_begin_object(j, NULL);
		json_string(j, "object", "lag");
		json_string(j, "action", act_names[act]);
		json_string(j, "dev", l->dev);
		if (what & SET_CAPACITY) {
			json_bool(j, "capacity_auto", l->capacity_auto);
			if (l->capacity_auto)
				json_null(j, "capacity_bps");
			else
				json_u64(j, "capacity_bps", l->capacity);
		}
		if (what & SET_LEVELS) {
			json_u64(j, "threshold_pct", l->threshold);
			json_u64(j, "clear_pct", l->clear);
		}
		if (what & SET_WINDOW)
			json_u64(j, "window_s", l->window);
		json_end_object(j);
		return;
	}
	printf("lag %s %s", act_names[act], l->dev);
	if (what & SET_CAPACITY) {
		if (l->capacity_auto && act == ACT_SET) {
			printf(" capacity auto");
		} else if (!l->capacity_auto) {
			conf_rate_text(rate, sizeof(rate), l->capacity);
			printf(" capacity %s", rate);
		}
	}
	if (what & SET_LEVELS)
		printf(" threshold %u clear %u", l->threshold, l->clear);
	if (what & SET_WINDOW)
		printf(" window %u", l->window);
	putchar('\n');
}

static void print_prefix(struct apply *ap, int act, const struct conf_prefix *e)
{
	struct json *j = &ap->ctx->jw;
	char text[PREFIX_STRLEN];

	prefix_format(&e->p, text, sizeof(text));
	if (ap->ctx->json) {
		json_begin_object(j, NULL);
		json_string(j, "object", "prefix");
		json_string(j, "action", act_names[act]);
		json_string(j, "prefix", text);
		if (act == ACT_ADD)
			json_string(j, "name", e->has_name ? e->name : NULL);
		json_end_object(j);
		return;
	}
	printf("prefix %s %s", act_names[act], text);
	if (act == ACT_ADD && e->has_name)
		printf(" name %s", e->name);
	if (act == ACT_ADD && e->allow_reserved)
		printf(" allow-reserved");
	putchar('\n');
}

/* ---- requests ---------------------------------------------------------- */

/* A refusal: reported with the file's line when the change comes from it. */
static void refused(struct apply *ap, int err, const char *what,
		    const char *name, unsigned long line)
{
	ap->ctx->batch_name = line ? ap->file : NULL;
	ap->ctx->line = line;
	ap->status = psctl_report_about(ap->ctx, err, nl_ext_msg(ap->nl), what,
					name);
	ap->ctx->batch_name = NULL;
}

static void lag_request(struct apply *ap, int act, const struct conf_lag *l,
			unsigned int what)
{
	static const uint8_t cmds[] = {
		[ACT_ADD] = PSMON_CMD_LAG_NEW,
		[ACT_SET] = PSMON_CMD_LAG_SET,
		[ACT_DEL] = PSMON_CMD_LAG_DEL,
	};
	char buf[LAG_MSG_SIZE], name[64];
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	int err;

	if (ap->dry_run) {
		print_lag(ap, act, l, what);
		return;
	}
	nlh = nl_msg_start(ap->nl, buf, cmds[act], 0);
	nest = mnl_attr_nest_start(nlh, PSMON_A_LAG);
	mnl_attr_put_strz(nlh, PSMON_A_LAG_IFNAME, l->dev);
	if ((what & SET_CAPACITY) && l->capacity_auto)
		mnl_attr_put_u8(nlh, PSMON_A_LAG_CAPACITY_AUTO, 1);
	else if (what & SET_CAPACITY)
		mnl_attr_put_u64(nlh, PSMON_A_LAG_CAPACITY, l->capacity);
	if (what & SET_LEVELS) {
		mnl_attr_put_u8(nlh, PSMON_A_LAG_THRESHOLD, l->threshold);
		mnl_attr_put_u8(nlh, PSMON_A_LAG_CLEAR, l->clear);
	}
	if (what & SET_WINDOW)
		mnl_attr_put_u32(nlh, PSMON_A_LAG_WINDOW, l->window);
	mnl_attr_nest_end(nlh, nest);
	err = nl_request(ap->nl, nlh, NULL, NULL);
	if (err) {
		snprintf(name, sizeof(name), "lag %s", l->dev);
		refused(ap, err, name, l->dev, act == ACT_DEL ? 0 : l->line);
		return;
	}
	print_lag(ap, act, l, what);
}

/*
 * Add (ACT_ADD) or remove (ACT_DEL) v[0..n) in PREFIX_GROUP_MAX messages,
 * all but the last with PSMON_A_MORE: one rebuild of the kernel's table
 * for the lot; a refused one is reported and skipped. Additions are reported with their FILE:LINE.
 */
static int send_prefixes(struct apply *ap, int act,
			 const struct conf_prefix **v, size_t n)
{
	struct prefix_entry *e;
	unsigned int k, done;
	size_t i, at;
	int ret;

	if (ap->dry_run) {
		for (i = 0; i < n; i++)
			print_prefix(ap, act, v[i]);
		return 0;
	}
	e = calloc(PREFIX_GROUP_MAX, sizeof(*e));
	if (!e)
		return -ENOMEM;
	for (at = 0; at < n; at += done) {
		k = n - at < PREFIX_GROUP_MAX ? n - at : PREFIX_GROUP_MAX;
		for (i = 0; i < k; i++) {
			e[i].prefix = v[at + i]->p;
			e[i].has_name = v[at + i]->has_name;
			memcpy(e[i].name, v[at + i]->name, sizeof(e[i].name));
			e[i].line = v[at + i]->line;
		}
		if (act == ACT_ADD) {
			ap->ctx->batch_name = ap->file;
			ret = psctl_prefix_add(ap->ctx, ap->nl, e, k,
					       at + k < n, &done);
			ap->ctx->batch_name = NULL;
		} else {
			ret = psctl_prefix_del(ap->ctx, ap->nl, e, k,
					       at + k < n, &done);
		}
		for (i = 0; i < done; i++)
			print_prefix(ap, act, v[at + i]);
		if (ret) {
			ap->status = ret;
			done++;		/* past the refused one */
		}
	}
	free(e);
	return 0;
}

/* ---- the difference ---------------------------------------------------- */

static unsigned int lag_diff(const struct conf_lag *want,
			     const struct conf_lag *have)
{
	unsigned int what = 0;

	if (want->capacity_auto != have->capacity_auto ||
	    (!want->capacity_auto && want->capacity != have->capacity))
		what |= SET_CAPACITY;
	if (want->threshold != have->threshold || want->clear != have->clear)
		what |= SET_LEVELS;
	if (want->window != have->window)
		what |= SET_WINDOW;
	return what;
}

static const struct conf_lag *find_lag(const struct conf *c, const char *dev)
{
	size_t i;

	for (i = 0; i < c->nlags; i++)
		if (!strcmp(c->lags[i].dev, dev))
			return &c->lags[i];
	return NULL;
}

static bool same_name(const struct conf_prefix *a, const struct conf_prefix *b)
{
	return a->has_name == b->has_name &&
	       (!a->has_name || !strcmp(a->name, b->name));
}

static void apply_lags(struct apply *ap, const struct conf *want,
		       const struct conf *have)
{
	const struct conf_lag *w, *h;
	unsigned int what;
	size_t i;

	for (i = 0; i < have->nlags; i++)
		if (!find_lag(want, have->lags[i].dev))
			lag_request(ap, ACT_DEL, &have->lags[i], 0);
	for (i = 0; i < want->nlags; i++) {
		w = &want->lags[i];
		h = find_lag(have, w->dev);
		what = h ? lag_diff(w, h) : 0;
		if (h && what)
			lag_request(ap, ACT_SET, w, what);
	}
	for (i = 0; i < want->nlags; i++) {
		w = &want->lags[i];
		if (!find_lag(have, w->dev))
			lag_request(ap, ACT_ADD, w, SET_LEVELS | SET_WINDOW |
				    (w->capacity_auto ? 0 : SET_CAPACITY));
	}
}

/*
 * Both lists are sorted: one merge finds the prefixes to remove (gone, or
 * renamed) and to add (new, or renamed).
 */
static int diff_prefixes(const struct conf *want, const struct conf *have,
			 const struct conf_prefix ***del,
			 const struct conf_prefix ***add, size_t *ndel,
			 size_t *nadd)
{
	size_t i = 0, k = 0;
	int c;

	*del = calloc(have->nprefixes + 1, sizeof(**del));
	*add = calloc(want->nprefixes + 1, sizeof(**add));
	if (!*del || !*add)
		return -ENOMEM;
	*ndel = *nadd = 0;
	while (i < want->nprefixes || k < have->nprefixes) {
		if (i == want->nprefixes)
			c = 1;
		else if (k == have->nprefixes)
			c = -1;
		else
			c = conf_prefix_cmp(&want->prefixes[i], &have->prefixes[k]);
		if (c < 0) {
			(*add)[(*nadd)++] = &want->prefixes[i++];
		} else if (c > 0) {
			(*del)[(*ndel)++] = &have->prefixes[k++];
		} else {
			if (!same_name(&want->prefixes[i], &have->prefixes[k])) {
				(*del)[(*ndel)++] = &have->prefixes[k];
				(*add)[(*nadd)++] = &want->prefixes[i];
			}
			i++;
			k++;
		}
	}
	return 0;
}

static int apply_run(struct psctl *ctx, int argc, char **argv)
{
	const struct conf_prefix **del = NULL, **add = NULL;
	struct conf want = { 0 }, have = { 0 };
	struct apply ap = { .ctx = ctx };
	size_t ndel = 0, nadd = 0;
	int ret;

	if (argc < 1) {
		psctl_err(ctx, "missing FILE");
		return EXIT_USAGE;
	}
	if (argc > 1 && strcmp(argv[1], "dry-run")) {
		psctl_err(ctx, "unexpected argument \"%s\" (expected dry-run)",
			  argv[1]);
		return EXIT_USAGE;
	}
	if (argc > 2) {
		psctl_err(ctx, "unexpected argument \"%s\"", argv[2]);
		return EXIT_USAGE;
	}
	if (ctx->batch_name) {
		psctl_err(ctx, "apply cannot run in a batch");
		return EXIT_USAGE;
	}
	ap.file = argv[0];
	ap.dry_run = argc > 1;

	/* The whole file is checked before the kernel is asked anything. */
	ret = conf_read(ctx, ap.file, &want);
	if (!ret)
		ret = psctl_nl(ctx, &ap.nl);
	if (ret)
		goto out;
	ret = conf_fetch(ap.nl, &have);
	if (ret) {
		ret = psctl_kernel_err(ctx, ret, "apply");
		goto out;
	}
	conf_sort(&have);
	ret = diff_prefixes(&want, &have, &del, &add, &ndel, &nadd);
	if (ret)
		goto nomem;

	if (ctx->json)
		json_begin_array(&ctx->jw, NULL);
	/* Removals first: they make room under max_prefixes and max_lags. */
	ret = send_prefixes(&ap, ACT_DEL, del, ndel);
	if (ret)
		goto nomem;
	apply_lags(&ap, &want, &have);
	ret = send_prefixes(&ap, ACT_ADD, add, nadd);
	if (ctx->json)
		json_end_array(&ctx->jw);
	if (ret)
		goto nomem;
	ret = ap.status;
	goto out;
nomem:
	psctl_err(ctx, "out of memory");
	ret = EXIT_USAGE;
out:
	free(del);
	free(add);
	conf_free(&want);
	conf_free(&have);
	return ret;
}

const struct psctl_object apply_object = {
	.name = "apply",
	.run = apply_run,
	.synopsis = "  psctl apply FILE [dry-run]\n",
	.arguments =
	"  FILE    \"lag add\" and \"prefix add\" lines, as psctl save writes them;\n"
	"          the running configuration is made equal to it\n",
};
