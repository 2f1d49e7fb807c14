// SPDX-License-Identifier: GPL-2.0
/*
 * The state file, version 2:
 *
 *   {
 *    "version": 2,
 *    "lags": [
 *     {"dev": "bond0", "crossing": 1764000000, "peak_ppm": 412000,
 *      "threshold_pct": 40, "days": [[1763942400,412000], ...]}
 *    ]
 *   }
 *
 * crossing is null when none is recorded; days holds [00:00 UTC of the
 * day, peak ppm] in date order. Unknown keys are ignored, so that a later
 * version can add some; anything else out of place makes the file
 * corrupt. Version 1 had "history" ([time, ppm, n]: n readings averaged)
 * instead of "days"; its single readings become daily peaks.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "jsonp.h"
#include "state.h"

/* Times psctl accepts: after 1970, before the year 36812. */
#define TIME_MAX	((int64_t)1 << 40)

static int fail(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

void state_free(struct state *st)
{
	size_t i;

	for (i = 0; i < st->nlags; i++)
		free(st->lags[i].days);
	free(st->lags);
	st->lags = NULL;
	st->nlags = 0;
}

struct state_lag *state_find(struct state *st, const char *dev)
{
	size_t i;

	for (i = 0; i < st->nlags; i++)
		if (!strcmp(st->lags[i].dev, dev))
			return &st->lags[i];
	return NULL;
}

/* Entries stay sorted by name, so that the file does not churn. */
struct state_lag *state_get(struct state *st, const char *dev)
{
	struct state_lag *l = state_find(st, dev), *v;
	size_t i;

	if (l)
		return l;
	if (strlen(dev) >= STATE_DEVLEN || st->nlags >= STATE_MAX_LAGS)
		return NULL;
	v = realloc(st->lags, (st->nlags + 1) * sizeof(*v));
	if (!v)
		return NULL;
	st->lags = v;
	for (i = 0; i < st->nlags && strcmp(v[i].dev, dev) < 0; i++)
		;
	memmove(&v[i + 1], &v[i], (st->nlags - i) * sizeof(*v));
	st->nlags++;
	memset(&v[i], 0, sizeof(*v));
	memcpy(v[i].dev, dev, strlen(dev) + 1);
	return &v[i];
}

bool state_remove(struct state *st, const char *dev)
{
	struct state_lag *l = state_find(st, dev);
	size_t i;

	if (!l)
		return false;
	i = (size_t)(l - st->lags);
	free(l->days);
	memmove(&st->lags[i], &st->lags[i + 1],
		(st->nlags - i - 1) * sizeof(*l));
	st->nlags--;
	return true;
}

int64_t crossing_min(int64_t a, int64_t b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	return a < b ? a : b;
}

static int64_t day_of(int64_t t)
{
	return t >= 0 ? t - t % DAY : t - ((t % DAY) + DAY) % DAY;
}

bool state_add_peak(struct state_lag *l, int64_t now, uint32_t ppm)
{
	int64_t day = day_of(now);
	struct state_day *d;
	size_t i = l->ndays;

	/* Usually the last day or the one after it. */
	while (i && l->days[i - 1].day > day)
		i--;
	if (i && l->days[i - 1].day == day) {
		if (ppm > l->days[i - 1].ppm)
			l->days[i - 1].ppm = ppm;
		return true;
	}
	if (l->ndays >= STATE_DAYS_MAX) {
		/* Older than every day kept: not worth keeping. */
		if (!i)
			return true;
		memmove(&l->days[0], &l->days[1],
			(l->ndays - 1) * sizeof(*l->days));
		l->ndays--;
		i--;
	} else {
		d = realloc(l->days, (l->ndays + 1) * sizeof(*d));
		if (!d)
			return false;
		l->days = d;
	}
	memmove(&l->days[i + 1], &l->days[i],
		(l->ndays - i) * sizeof(*l->days));
	l->days[i].day = day;
	l->days[i].ppm = ppm;
	l->ndays++;
	return true;
}

/* ---- reading ----------------------------------------------------------- */

static bool int_in(const struct jv *v, int64_t min, int64_t max, int64_t *out)
{
	if (!v || v->type != JV_INT || v->i < min || v->i > max)
		return false;
	*out = v->i;
	return true;
}

/* Version 1: [time, ppm, n]; single readings (n 1) give daily peaks. */
static int parse_history(const struct jv *h, struct state_lag *l, char *err,
			 size_t len)
{
	int64_t t, ppm, n, last = 0;
	size_t i;

	if (h->type != JV_ARR)
		return fail(err, len, "%s: history is not an array", l->dev);
	if (h->n > 65536)
		return fail(err, len, "%s: more than %d history samples", l->dev,
			    65536);
	for (i = 0; i < h->n; i++) {
		const struct jv *s = h->arr[i];

		if (s->type != JV_ARR || s->n != 3 ||
		    !int_in(s->arr[0], 1, TIME_MAX, &t) ||
		    !int_in(s->arr[1], 0, UINT32_MAX, &ppm) ||
		    !int_in(s->arr[2], 1, UINT32_MAX, &n))
			return fail(err, len,
				    "%s: history sample %zu is not [time, ppm, n]",
				    l->dev, i);
		if (t < last)
			return fail(err, len,
				    "%s: history sample %zu is older than the one before",
				    l->dev, i);
		last = t;
		if (n == 1 && !state_add_peak(l, t, (uint32_t)ppm))
			return fail(err, len, "out of memory");
	}
	return 0;
}

static int parse_days(const struct jv *h, struct state_lag *l, char *err,
		      size_t len)
{
	int64_t day, ppm;
	size_t i;

	if (h->type != JV_ARR)
		return fail(err, len, "%s: days is not an array", l->dev);
	if (h->n > STATE_DAYS_LIMIT)
		return fail(err, len, "%s: more than %d days", l->dev,
			    STATE_DAYS_LIMIT);
	if (!h->n)
		return 0;
	l->days = calloc(h->n, sizeof(*l->days));
	if (!l->days)
		return fail(err, len, "out of memory");
	for (i = 0; i < h->n; i++) {
		const struct jv *s = h->arr[i];

		if (s->type != JV_ARR || s->n != 2 ||
		    !int_in(s->arr[0], 0, TIME_MAX, &day) || day % DAY ||
		    !int_in(s->arr[1], 0, UINT32_MAX, &ppm))
			return fail(err, len,
				    "%s: day %zu is not [00:00 UTC, ppm]",
				    l->dev, i);
		if (i && day <= l->days[i - 1].day)
			return fail(err, len,
				    "%s: day %zu is not after the one before",
				    l->dev, i);
		l->days[i].day = day;
		l->days[i].ppm = (uint32_t)ppm;
		l->ndays = i + 1;
	}
	/* Keep the newest, as state_add_peak() does. */
	if (l->ndays > STATE_DAYS_MAX) {
		memmove(l->days, l->days + (l->ndays - STATE_DAYS_MAX),
			STATE_DAYS_MAX * sizeof(*l->days));
		l->ndays = STATE_DAYS_MAX;
	}
	return 0;
}

static bool valid_dev(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < STATE_DEVLEN && !strchr(s, '/');
}

static int parse_lag(const struct jv *o, struct state *st, int version,
		     char *err, size_t len)
{
	const struct jv *dev = jv_get(o, "dev"), *v;
	struct state_lag *l;
	int64_t x;

	if (o->type != JV_OBJ)
		return fail(err, len, "lag %zu is not an object", st->nlags);
	if (!dev || dev->type != JV_STR || !valid_dev(dev->s))
		return fail(err, len, "lag %zu: missing or bad \"dev\"", st->nlags);
	if (state_find(st, dev->s))
		return fail(err, len, "%s: listed twice", dev->s);
	l = state_get(st, dev->s);
	if (!l)
		return fail(err, len, "out of memory");

	v = jv_get(o, "crossing");
	if (v && v->type != JV_NULL) {
		if (!int_in(v, 1, TIME_MAX, &x))
			return fail(err, len, "%s: bad \"crossing\"", l->dev);
		l->crossing = x;
	}
	v = jv_get(o, "peak_ppm");
	if (v) {
		if (!int_in(v, 0, UINT32_MAX, &x))
			return fail(err, len, "%s: bad \"peak_ppm\"", l->dev);
		l->peak = (uint32_t)x;
	}
	v = jv_get(o, "threshold_pct");
	if (v) {
		if (!int_in(v, 1, 100, &x))
			return fail(err, len, "%s: bad \"threshold_pct\"", l->dev);
		l->threshold = (uint8_t)x;
	}
	if (version == 1) {
		v = jv_get(o, "history");
		return v ? parse_history(v, l, err, len) : 0;
	}
	v = jv_get(o, "days");
	return v ? parse_days(v, l, err, len) : 0;
}

int state_parse(const char *buf, size_t len, struct state *st, char *err,
		size_t errlen)
{
	const struct jv *ver, *lags;
	struct jv *root;
	int64_t x;
	size_t i;
	int ret = 0;

	memset(st, 0, sizeof(*st));
	root = jsonp_parse(buf, len, err, errlen);
	if (!root)
		return -1;
	if (root->type != JV_OBJ) {
		ret = fail(err, errlen, "not a JSON object");
		goto out;
	}
	ver = jv_get(root, "version");
	if (!int_in(ver, 0, INT64_MAX, &x)) {
		ret = fail(err, errlen, "missing or bad \"version\"");
		goto out;
	}
	if (x < 1 || x > STATE_VERSION) {
		ret = fail(err, errlen,
			   "version %lld, this psctl reads versions 1 to %d",
			   (long long)x, STATE_VERSION);
		goto out;
	}
	lags = jv_get(root, "lags");
	if (!lags || lags->type != JV_ARR) {
		ret = fail(err, errlen, "missing or bad \"lags\"");
		goto out;
	}
	if (lags->n > STATE_MAX_LAGS) {
		ret = fail(err, errlen, "more than %d LAGs", STATE_MAX_LAGS);
		goto out;
	}
	for (i = 0; i < lags->n && !ret; i++)
		ret = parse_lag(lags->arr[i], st, (int)x, err, errlen);
out:
	jv_free(root);
	if (ret)
		state_free(st);
	return ret;
}

/* ---- writing ----------------------------------------------------------- */

void state_write(FILE *f, const struct state *st)
{
	size_t i, k;

	fprintf(f, "{\n \"version\": %d,\n \"lags\": [", STATE_VERSION);
	for (i = 0; i < st->nlags; i++) {
		const struct state_lag *l = &st->lags[i];

		fputs(i ? ",\n  {\"dev\": " : "\n  {\"dev\": ", f);
		json_write_bytes(f, l->dev);
		if (l->crossing)
			fprintf(f, ", \"crossing\": %lld", (long long)l->crossing);
		else
			fputs(", \"crossing\": null", f);
		fprintf(f, ", \"peak_ppm\": %u", l->peak);
		if (l->threshold)
			fprintf(f, ", \"threshold_pct\": %u", l->threshold);
		fputs(",\n   \"days\": [", f);
		for (k = 0; k < l->ndays; k++)
			fprintf(f, "%s[%lld,%u]", k ? "," : "",
				(long long)l->days[k].day, l->days[k].ppm);
		fputs("]}", f);
	}
	fputs(st->nlags ? "\n ]\n}\n" : "]\n}\n", f);
}

/* ---- deadlines and trends ---------------------------------------------- */

void deadline_compute(int64_t since, int64_t now, struct deadline *d)
{
	memset(d, 0, sizeof(*d));
	if (!since)
		return;
	d->has = true;
	d->since = since;
	d->earliest = since + DEADLINE_EARLIEST;
	d->latest = since + DEADLINE_LATEST;
	d->days_left = d->latest > now ? (d->latest - now) / DAY : 0;
}

const char *trend_name(enum trend_kind kind)
{
	switch (kind) {
	case TREND_RISING:
		return "rising";
	case TREND_FALLING:
		return "falling";
	case TREND_FLAT:
		return "flat";
	case TREND_NONE:
		break;
	}
	return "no trend";
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of v[0..n), n > 0 (sorts v). */
static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void trend_forecast(const struct state_day *d, size_t n,
		    uint32_t threshold_ppm, int64_t now, struct trend *t)
{
	int64_t today = day_of(now), from = today - FORECAST_DAYS * DAY;
	double x[FORECAST_DAYS], *slopes, b, lo, hi, c, at;
	size_t i, j, k = 0, m = 0, npairs;
	const struct state_day *w;
	double var;

	memset(t, 0, sizeof(*t));
	/* The whole days of the window: not today, not a day in the future. */
	while (n && d[n - 1].day >= today)
		n--;
	for (i = 0; i < n && d[i].day < from; i++)
		;
	w = d + i;
	m = n - i;
	/* Distinct whole days: never more than the window holds. */
	if (m > FORECAST_DAYS) {
		w += m - FORECAST_DAYS;
		m = FORECAST_DAYS;
	}
	t->days = m;
	if (m < FORECAST_MIN_DAYS)
		return;
	/* Days since 00:00 today, each day at its noon. */
	for (i = 0; i < m; i++)
		x[i] = (double)(w[i].day - today) / DAY + 0.5;
	npairs = m * (m - 1) / 2;
	slopes = malloc(npairs * sizeof(*slopes));
	if (!slopes)
		return;
	for (i = 0; i < m; i++)
		for (j = i + 1; j < m; j++)
			slopes[k++] = ((double)w[j].ppm - (double)w[i].ppm) /
				      (x[j] - x[i]);
	t->slope = median(slopes, npairs);
	/*
	 * 95% confidence interval of the slope: ranks (N -+ C) / 2 of the
	 * sorted slopes, C = 1.96 sqrt(var S), var S = m(m-1)(2m+5)/18.
	 */
	var = (double)m * (double)(m - 1) * (double)(2 * m + 5) / 18;
	c = 1.96 * sqrt(var);
	lo = slopes[(size_t)fmax(0, floor(((double)npairs - c) / 2) - 1)];
	hi = slopes[(size_t)fmin((double)npairs - 1,
				 ceil(((double)npairs + c) / 2))];
	if (fabs(t->slope) * 30 < TREND_FLAT_PPM || (lo <= 0 && hi >= 0))
		t->kind = TREND_FLAT;
	else
		t->kind = t->slope > 0 ? TREND_RISING : TREND_FALLING;
	/* The intercept: the median of the residuals. */
	for (i = 0; i < m; i++)
		slopes[i] = (double)w[i].ppm - t->slope * x[i];
	b = median(slopes, m);
	free(slopes);
	if (t->kind != TREND_RISING)
		return;
	/* Days after 00:00 today at which the line reaches the threshold. */
	at = ((double)threshold_ppm - b) / t->slope;
	if (at * DAY <= (double)(now - today)) {
		t->has_projection = true;
		t->projected = now;
	/* TREND_HORIZON is a whole number of seconds by design. */
	/* NOLINTNEXTLINE(bugprone-integer-division) */
	} else if (at * DAY - (double)(now - today) <= (double)TREND_HORIZON) {
		t->has_projection = true;
		t->projected = today + (int64_t)ceil(at * DAY);
	}
}

bool state_merge(struct state *st, const struct state_reading *r, int64_t now)
{
	struct state_lag *l = state_get(st, r->dev);

	if (!l)
		return false;
	l->crossing = crossing_min(l->crossing, r->alert_since);
	if (r->peak > l->peak)
		l->peak = r->peak;
	if (r->has_util && r->util > l->peak)
		l->peak = r->util;
	if (r->threshold)
		l->threshold = r->threshold;
	if (r->has_util)
		return state_add_peak(l, now, r->util);
	return true;
}
