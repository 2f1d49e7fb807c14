// SPDX-License-Identifier: GPL-2.0
/*
 * psctl deadline [DEV]: per LAG, the recorded crossing of the threshold
 * and the window in which its augmentation must begin (45 to 60 days
 * later); without a crossing, the peak and the forecast: when the trend
 * of the daily peaks (state.h) reaches the threshold, and the window that
 * crossing would start. Reading the kernel also updates the state file.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format.h"
#include "psctl.h"
#include "statefile.h"

struct row {
	const char *dev;
	bool attached, alert;
	int64_t since;
	uint32_t peak;		/* ppm */
	uint8_t threshold;	/* percent, 0 when unknown */
	const struct state_lag *sl;
};

static void fill(struct row *r, const struct lag_info *l,
		 const struct state_lag *sl)
{
	memset(r, 0, sizeof(*r));
	r->sl = sl;
	if (l) {
		r->dev = l->dev;
		r->attached = true;
		r->alert = l->alert;
		r->since = (int64_t)l->alert_since;
		r->peak = l->peak;
		if (l->has_rates && l->samples && lag_util(l) > r->peak)
			r->peak = lag_util(l);
		r->threshold = l->threshold;
	}
	if (sl) {
		r->dev = sl->dev;
		r->since = crossing_min(r->since, sl->crossing);
		if (sl->peak > r->peak)
			r->peak = sl->peak;
		if (!r->threshold)
			r->threshold = sl->threshold;
	}
}

static void row_trend(const struct row *r, int64_t now, struct trend *t)
{
	memset(t, 0, sizeof(*t));
	if (r->sl && r->threshold)
		trend_forecast(r->sl->days, r->sl->ndays,
			       r->threshold * 10000U, now, t);
}

static void print_json(struct psctl *ctx, const struct row *r, int64_t now)
{
	struct json *j = &ctx->jw;
	struct deadline d, p = { 0 };
	struct trend t;

	deadline_compute(r->since, now, &d);
	row_trend(r, now, &t);
	if (!d.has && t.has_projection)
		deadline_compute(t.projected, now, &p);
	json_begin_object(j, NULL);
	json_string(j, "dev", r->dev);
	json_bool(j, "alert", r->alert);
	if (d.has) {
		json_u64(j, "alert_since", (uint64_t)d.since);
		json_u64(j, "deadline_earliest", (uint64_t)d.earliest);
		json_u64(j, "deadline_latest", (uint64_t)d.latest);
		json_u64(j, "days_left", (uint64_t)d.days_left);
	} else {
		json_null(j, "alert_since");
		json_null(j, "deadline_earliest");
		json_null(j, "deadline_latest");
		json_null(j, "days_left");
	}
	json_double(j, "peak_utilization_pct", r->peak / 10000.0);
	if (p.has) {
		json_u64(j, "projected_crossing", (uint64_t)p.since);
		json_u64(j, "projected_deadline_earliest", (uint64_t)p.earliest);
		json_u64(j, "projected_deadline_latest", (uint64_t)p.latest);
	} else {
		json_null(j, "projected_crossing");
		json_null(j, "projected_deadline_earliest");
		json_null(j, "projected_deadline_latest");
	}
	json_string(j, "trend", trend_name(t.kind));
	json_u64(j, "trend_days", t.days);
	if (t.kind == TREND_NONE)
		json_null(j, "trend_pct_per_day");
	else
		json_double(j, "trend_pct_per_day", t.slope / 10000.0);
	if (r->threshold)
		json_u64(j, "threshold_pct", r->threshold);
	else
		json_null(j, "threshold_pct");
	json_bool(j, "attached", r->attached);
	json_end_object(j);
}

static void print_text(const struct row *r, int64_t now)
{
	char when[FMT_BUFLEN], a[FMT_BUFLEN], b[FMT_BUFLEN], pk[FMT_BUFLEN];
	struct deadline d;
	struct trend t;

	deadline_compute(r->since, now, &d);
	fmt_pct(pk, sizeof(pk), r->peak);
	if (d.has) {
		fmt_time(when, sizeof(when), d.since);
		fmt_date(a, sizeof(a), d.earliest);
		fmt_date(b, sizeof(b), d.latest);
		printf("%s: crossed the threshold on %s%s; augmentation must begin between %s and %s: ",
		       r->dev, when,
		       r->alert ? " (alert raised)" :
		       r->attached ? "" : " (not attached)",
		       a, b);
		if (d.latest < now)
			printf("overdue\n");
		else
			printf("%lld days left\n", (long long)d.days_left);
		return;
	}
	row_trend(r, now, &t);
	printf("%s: no crossing recorded; peak %s; ", r->dev, pk);
	/* Flat, falling, too few days, too far away: no forecast. */
	if (!t.has_projection) {
		if (t.kind == TREND_NONE)
			printf("no trend (%zu days of daily peaks)\n", t.days);
		else if (t.kind == TREND_RISING)
			printf("no trend (daily peaks rising %.3f%%/day over %zu days: %u%% more than 5 years away)\n",
			       t.slope / 10000.0, t.days, r->threshold);
		else
			printf("no trend (daily peaks %s over %zu days)\n",
			       trend_name(t.kind), t.days);
		return;
	}
	deadline_compute(t.projected, now, &d);
	fmt_date(when, sizeof(when), t.projected);
	fmt_date(a, sizeof(a), d.earliest);
	fmt_date(b, sizeof(b), d.latest);
	printf("daily peaks rising %.2f%%/day over %zu days: projected to reach %u%% on %s, augmentation to begin between %s and %s\n",
	       t.slope / 10000.0, t.days, r->threshold, when, a, b);
}

static void print_row(struct psctl *ctx, const struct row *r, int64_t now)
{
	if (ctx->json)
		print_json(ctx, r, now);
	else
		print_text(r, now);
}

static bool listed(const struct lag_list *lags, const char *dev)
{
	size_t i;

	/* lags->v holds lags->n entries: not NULL inside the loop. */
	for (i = 0; i < lags->n; i++)
		/* NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker) */
		if (!strcmp(lags->v[i].dev, dev))
			return true;
	return false;
}

static int deadline_run(struct psctl *ctx, int argc, char **argv)
{
	const char *dev = argc ? argv[0] : NULL;
	int64_t now = (int64_t)time(NULL);
	struct lag_list lags = { 0 };
	struct state_lag *sl;
	struct state_file sf;
	struct state st;
	bool loaded;
	struct nl *nl;
	struct row r;
	size_t i;
	int ret;

	ret = psctl_one_dev(ctx, argc, argv, true);
	if (!ret)
		ret = psctl_nl_if_loaded(ctx, &nl, &loaded);
	if (ret)
		return ret;
	state_load(ctx, &st, &sf, true);
	if (loaded) {
		ret = lags_fetch(nl, dev, &lags);
		/* A LAG no longer attached may still have a crossing. */
		if (ret && dev && (ret == -ENOENT || ret == -ENODEV)) {
			lags_free(&lags);
		} else if (ret) {
			lags_free(&lags);
			state_done(&sf);
			state_free(&st);
			return psctl_report_about(ctx, ret, nl_ext_msg(nl),
						  dev ? dev : "lag show", dev);
		}
	} else {
		psctl_warn(ctx, "psmon kernel module is not loaded; showing the recorded crossings only");
	}
	state_update(ctx, &st, &sf, &lags, now);

	if (dev && !listed(&lags, dev) && !state_find(&st, dev)) {
		state_free(&st);
		if (loaded)
			return psctl_report_about(ctx, ret, nl_ext_msg(nl), dev,
						  dev);
		psctl_err(ctx, "no crossing of %s is recorded", dev);
		return EXIT_KERNEL;
	}
	if (ctx->json)
		json_begin_array(&ctx->jw, NULL);
	for (i = 0; i < lags.n; i++) {
		fill(&r, &lags.v[i], state_find(&st, lags.v[i].dev));
		print_row(ctx, &r, now);
	}
	/* Recorded crossings of LAGs the kernel does not count on now. */
	for (i = 0; i < st.nlags; i++) {
		sl = &st.lags[i];
		if (listed(&lags, sl->dev) || (dev && strcmp(dev, sl->dev)))
			continue;
		if (!sl->crossing && !dev)
			continue;
		fill(&r, NULL, sl);
		print_row(ctx, &r, now);
	}
	if (ctx->json)
		json_end_array(&ctx->jw);
	state_free(&st);
	lags_free(&lags);
	return 0;
}

const struct psctl_object deadline_object = {
	.name = "deadline",
	.run = deadline_run,
	.synopsis = "  psctl deadline [DEV]\n",
	.arguments = "",
};
