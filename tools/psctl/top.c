// SPDX-License-Identifier: GPL-2.0
/*
 * psctl top [DEV] [count N] [interval SECS]: the prefixes carrying the
 * most traffic on each LAG now. The rates are psctl's: two dumps of the
 * per-LAG prefix counters INTERVAL apart, subtracted. In a terminal the
 * table is redrawn every INTERVAL until interrupted, like top(1); with -j,
 * or when standard output is not a terminal, it is printed once.
 *
 * psctl prefix get ADDRESS: the registered prefix ADDRESS counts to, the
 * longest one that contains it (as the module matches), found in a dump
 * of the prefixes.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "format.h"
#include "psctl.h"
#include "ptable.h"

#define TOP_COUNT	10
#define TOP_INTERVAL	2

struct top_row {
	const struct ptable_entry *e;
	const char *dev;
	uint64_t rx_bps, tx_bps;
};

struct top {
	struct psctl *ctx;
	const char *dev;
	unsigned long count;
	unsigned int interval;
	double elapsed;			/* seconds between the two dumps */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int cmp_key(const struct psctl_prefix *a, const struct psctl_prefix *b)
{
	int r;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	r = memcmp(a->addr, b->addr, sizeof(a->addr));
	if (r)
		return r;
	return (int)a->plen - (int)b->plen;
}

static int by_key(const void *a, const void *b)
{
	const struct ptable_entry *x = a, *y = b;

	return cmp_key(&x->p, &y->p);
}

static const struct ptable_entry *find(const struct ptable *t,
				       const struct psctl_prefix *p)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = cmp_key(&t->v[mid].p, p);

		if (!r)
			return &t->v[mid];
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Bytes per elapsed second, as bit/s; a counter that went back gives 0. */
static uint64_t rate(uint64_t now, uint64_t then, double secs)
{
	if (now <= then || secs <= 0)
		return 0;
	return (uint64_t)llround((double)(now - then) * 8 / secs);
}

static int by_rate(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;
	uint64_t mx = x->rx_bps > x->tx_bps ? x->rx_bps : x->tx_bps;
	uint64_t my = y->rx_bps > y->tx_bps ? y->rx_bps : y->tx_bps;

	if (mx != my)
		return mx < my ? 1 : -1;
	return cmp_key(&x->e->p, &y->e->p);
}

/* The rows of LAG dev with traffic between old and cur, busiest first. */
static struct top_row *rows_for(const struct top *tp, const struct ptable *old,
				const struct ptable *cur, const char *dev,
				size_t *n)
{
	struct top_row *r = malloc((cur->n ? cur->n : 1) * sizeof(*r));
	const struct ptable_lag *a, *b;
	const struct ptable_entry *o;
	struct lag_counters zero = { 0 };
	size_t i;

	*n = 0;
	if (!r)
		return NULL;
	for (i = 0; i < cur->n; i++) {
		a = ptable_lag(cur, &cur->v[i], dev);
		if (!a)
			continue;
		o = find(old, &cur->v[i].p);
		b = o ? ptable_lag(old, o, dev) : NULL;
		r[*n].e = &cur->v[i];
		r[*n].dev = dev;
		r[*n].rx_bps = rate(a->c.rx_bytes, (b ? &b->c : &zero)->rx_bytes,
				    tp->elapsed);
		r[*n].tx_bps = rate(a->c.tx_bytes, (b ? &b->c : &zero)->tx_bytes,
				    tp->elapsed);
		/* A prefix added between the dumps has no rate yet. */
		if (!b)
			r[*n].rx_bps = r[*n].tx_bps = 0;
		if (r[*n].rx_bps || r[*n].tx_bps)
			(*n)++;
	}
	qsort(r, *n, sizeof(*r), by_rate);
	if (*n > tp->count)
		*n = tp->count;
	return r;
}

static void print_json(struct top *tp, const struct lag_info *l,
		       const struct top_row *r, size_t n)
{
	struct json *j = &tp->ctx->jw;
	char text[PREFIX_STRLEN];
	size_t i;

	json_begin_object(j, NULL);
	json_string(j, "dev", l->dev);
	json_u64(j, "capacity_bps", l->capacity);
	json_double(j, "interval_s", tp->elapsed);
	json_begin_array(j, "prefixes");
	for (i = 0; i < n; i++) {
		prefix_format(&r[i].e->p, text, sizeof(text));
		json_begin_object(j, NULL);
		json_string(j, "prefix", text);
		if (*r[i].e->name)
			json_string(j, "name", r[i].e->name);
		else
			json_null(j, "name");
		json_u64(j, "rx_bps", r[i].rx_bps);
		json_u64(j, "tx_bps", r[i].tx_bps);
		json_double(j, "rx_capacity_pct", l->capacity ?
			    round((double)r[i].rx_bps * 10000 / (double)l->capacity) / 100 : 0);
		json_double(j, "tx_capacity_pct", l->capacity ?
			    round((double)r[i].tx_bps * 10000 / (double)l->capacity) / 100 : 0);
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);
}

static void print_table(struct top *tp, const struct lag_info *l,
			const struct top_row *r, size_t n)
{
	char text[PREFIX_STRLEN], cap[FMT_BUFLEN], rx[FMT_BUFLEN], tx[FMT_BUFLEN];
	char rxp[FMT_BUFLEN], txp[FMT_BUFLEN];
	size_t i;

	fmt_rate(cap, sizeof(cap), l->capacity);
	printf("%s: capacity %s, rates over %.1fs\n", l->dev, cap, tp->elapsed);
	if (!n) {
		printf("  no prefix carried traffic\n");
		return;
	}
	printf("  %-24s %-16s %14s %14s %7s %7s\n", "PREFIX", "NAME", "RX",
	       "TX", "RX%CAP", "TX%CAP");
	for (i = 0; i < n; i++) {
		prefix_format(&r[i].e->p, text, sizeof(text));
		fmt_rate(rx, sizeof(rx), r[i].rx_bps);
		fmt_rate(tx, sizeof(tx), r[i].tx_bps);
		fmt_pct(rxp, sizeof(rxp), util_ppm(r[i].rx_bps, l->capacity));
		fmt_pct(txp, sizeof(txp), util_ppm(r[i].tx_bps, l->capacity));
		printf("  %-24s %-16s %14s %14s %7s %7s\n", text,
		       *r[i].e->name ? r[i].e->name : "-", rx, tx, rxp, txp);
	}
}

static void print_all(struct top *tp, const struct lag_list *lags,
		      const struct ptable *old, const struct ptable *cur)
{
	struct top_row *r;
	size_t i, n;

	if (tp->ctx->json)
		json_begin_array(&tp->ctx->jw, NULL);
	for (i = 0; i < lags->n; i++) {
		r = rows_for(tp, old, cur, lags->v[i].dev, &n);
		if (tp->ctx->json)
			print_json(tp, &lags->v[i], r, n);
		else
			print_table(tp, &lags->v[i], r, n);
		free(r);
	}
	if (tp->ctx->json)
		json_end_array(&tp->ctx->jw);
}

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sleep secs unless a signal arrives first; false when one did. */
static bool nap(unsigned int secs)
{
	double until = mono() + secs;

	while (!stop) {
		double left = until - mono();

		if (left <= 0)
			return true;
		poll(NULL, 0, (int)(left * 1000) + 1);
	}
	return false;
}

static int fetch(struct top *tp, struct nl *nl, struct ptable *t, double *when)
{
	int ret = ptable_fetch(nl, t);

	*when = mono();
	if (ret)
		return psctl_kernel_err(tp->ctx, ret, "prefix show");
	/* An empty table has no array: qsort() must not see NULL. */
	if (t->n)
		qsort(t->v, t->n, sizeof(*t->v), by_key);
	return 0;
}

static int parse_ulong(struct psctl *ctx, const char *what, const char *s,
		       unsigned long min, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = s ? strtoul(s, &end, 10) : 0;
	if (!s || errno || end == s || *end || *s == '-' || *v < min || *v > max) {
		psctl_err(ctx, "%s: expected a number from %lu to %lu", what, min,
			  max);
		return EXIT_USAGE;
	}
	return 0;
}

static int top_args(struct psctl *ctx, int argc, char **argv, struct top *tp)
{
	char err[128];
	unsigned long v;
	int i, ret;

	tp->count = TOP_COUNT;
	tp->interval = TOP_INTERVAL;
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "count")) {
			ret = parse_ulong(ctx, "count", i + 1 < argc ? argv[i + 1] : NULL, 1, 100000, &v);
			if (ret)
				return ret;
			tp->count = v;
			i++;
		} else if (!strcmp(argv[i], "interval")) {
			ret = parse_ulong(ctx, "interval", i + 1 < argc ? argv[i + 1] : NULL, 1, SECS_MAX, &v);
			if (ret)
				return ret;
			tp->interval = (unsigned int)v;
			i++;
		} else if (!tp->dev) {
			if (parse_dev(argv[i], err, sizeof(err))) {
				psctl_err(ctx, "%s", err);
				return EXIT_USAGE;
			}
			tp->dev = argv[i];
		} else {
			psctl_err(ctx, "unexpected argument \"%s\" (expected count or interval)",
				  argv[i]);
			return EXIT_USAGE;
		}
	}
	return 0;
}

static int top_main(struct psctl *ctx, int argc, char **argv)
{
	struct ptable a = { 0 }, b = { 0 }, *old = &a, *cur = &b, *swap;
	struct top tp = { .ctx = ctx };
	struct lag_list lags = { 0 };
	bool live = !ctx->json && isatty(STDOUT_FILENO);
	double t0, t1;
	struct sigaction sa;
	struct nl *nl;
	int ret;

	ret = top_args(ctx, argc, argv, &tp);
	if (!ret)
		ret = psctl_nl(ctx, &nl);
	if (ret)
		return ret;
	ret = lags_fetch(nl, tp.dev, &lags);
	if (ret) {
		lags_free(&lags);
		return psctl_kernel_err(ctx, ret, "lag show");
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	ret = fetch(&tp, nl, old, &t0);
	while (!ret && nap(tp.interval)) {
		ret = fetch(&tp, nl, cur, &t1);
		if (ret)
			break;
		tp.elapsed = t1 - t0;
		if (live)
			fputs("\033[H\033[2J", stdout);
		print_all(&tp, &lags, old, cur);
		fflush(stdout);
		if (!live)
			break;
		swap = old;
		old = cur;
		cur = swap;
		t0 = t1;
		/* Capacities move with the members' state. */
		lags_free(&lags);
		ret = lags_fetch(nl, tp.dev, &lags);
		if (ret)
			ret = psctl_kernel_err(ctx, ret, "lag show");
	}
	ptable_free(&a);
	ptable_free(&b);
	lags_free(&lags);
	return ret;
}

const struct psctl_object top_object = {
	.name = "top",
	.run = top_main,
	.synopsis = "  psctl top [DEV] [count N] [interval SECS]\n",
	.arguments =
	"  count     prefixes shown per LAG (default 10)\n"
	"  interval  seconds between the two counter dumps a rate comes from (default 2)\n",
};

/* ---- prefix get ADDRESS ------------------------------------------------ */

int prefix_get_main(struct psctl *ctx, int argc, char **argv)
{
	char err[160], text[PREFIX_STRLEN], *s;
	const struct ptable_entry *e;
	struct psctl_prefix addr;
	struct ptable t = { 0 };
	struct nl *nl;
	size_t len;
	int ret;

	if (argc != 1) {
		psctl_err(ctx, argc ? "unexpected argument \"%s\"" : "prefix get: ADDRESS expected%s",
			  argc ? argv[1] : "");
		return EXIT_USAGE;
	}
	/* An address is a prefix of full length. */
	len = strlen(argv[0]) + 5;
	s = malloc(len);
	if (!s)
		return EXIT_USAGE;
	snprintf(s, len, "%s/%s", argv[0], strchr(argv[0], ':') ? "128" : "32");
	ret = strchr(argv[0], '/') ? -1 : parse_prefix(s, &addr, err, sizeof(err));
	free(s);
	if (ret) {
		psctl_err(ctx, "invalid address \"%s\" (expected an IPv4 or IPv6 address, no prefix length)",
			  argv[0]);
		return EXIT_USAGE;
	}
	ret = psctl_nl(ctx, &nl);
	if (ret)
		return ret;
	ret = ptable_fetch(nl, &t);
	if (ret) {
		ptable_free(&t);
		return psctl_kernel_err(ctx, ret, "prefix show");
	}
	e = ptable_match(&t, &addr);
	if (!e) {
		psctl_err(ctx, "%s matches no registered prefix (its traffic counts as unmatched)",
			  argv[0]);
		ptable_free(&t);
		return EXIT_KERNEL;
	}
	prefix_format(&e->p, text, sizeof(text));
	if (ctx->json) {
		struct json *j = &ctx->jw;

		json_begin_array(j, NULL);
		json_begin_object(j, NULL);
		json_string(j, "address", argv[0]);
		json_string(j, "prefix", text);
		if (*e->name)
			json_string(j, "name", e->name);
		else
			json_null(j, "name");
		json_end_object(j);
		json_end_array(j);
	} else {
		printf("%s via %s%s%s\n", argv[0], text, *e->name ? " name " : "",
		       e->name);
	}
	ptable_free(&t);
	return 0;
}
