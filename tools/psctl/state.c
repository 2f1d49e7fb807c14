// SPDX-License-Identifier: GPL-2.0
/*
 * The state file, version 1:
 *
 *   {
 *    "version": 1,
 *    "lags": [
 *     {"dev": "bond0", "crossing": 1764000000, "peak_ppm": 412000,
 *      "threshold_pct": 40, "history": [[1764000000,412000,1], ...]}
 *    ]
 *   }
 *
 * crossing is null when none is recorded; history holds [time, ppm, n]
 * in time order. Unknown keys are ignored, so that a later version can
 * add some; anything else out of place makes the file corrupt.
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
		free(st->lags[i].hist);
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
	free(l->hist);
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

/* a and b as one sample: n-weighted means. */
static struct state_sample merge(const struct state_sample *a,
				 const struct state_sample *b)
{
	uint64_t n = (uint64_t)a->n + b->n;
	double w = (double)b->n / (double)n;
	struct state_sample m;

	m.time = a->time + (int64_t)llround((double)(b->time - a->time) * w);
	m.ppm = (uint32_t)llround((double)a->ppm +
				  ((double)b->ppm - (double)a->ppm) * w);
	m.n = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
	return m;
}

/* Merge the oldest half of the history pairwise. */
static void compact(struct state_lag *l)
{
	size_t half = l->nhist / 2, out = 0, i;

	for (i = 0; i + 1 < half; i += 2)
		l->hist[out++] = merge(&l->hist[i], &l->hist[i + 1]);
	for (; i < l->nhist; i++)
		l->hist[out++] = l->hist[i];
	l->nhist = out;
}

bool state_add_sample(struct state_lag *l, int64_t now, uint32_t ppm)
{
	struct state_sample *h;

	if (l->nhist) {
		int64_t last = l->hist[l->nhist - 1].time;

		if (now < last || now - last < STATE_SAMPLE_EVERY)
			return true;
	}
	if (l->nhist >= STATE_HIST_MAX)
		compact(l);
	h = realloc(l->hist, (l->nhist + 1) * sizeof(*h));
	if (!h)
		return false;
	l->hist = h;
	h[l->nhist].time = now;
	h[l->nhist].ppm = ppm;
	h[l->nhist].n = 1;
	l->nhist++;
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

static int parse_history(const struct jv *h, struct state_lag *l, char *err,
			 size_t len)
{
	int64_t t, ppm, n;
	size_t i;

	if (h->type != JV_ARR)
		return fail(err, len, "%s: history is not an array", l->dev);
	if (h->n > STATE_HIST_LIMIT)
		return fail(err, len, "%s: more than %d history samples", l->dev,
			    STATE_HIST_LIMIT);
	if (!h->n)
		return 0;
	l->hist = calloc(h->n, sizeof(*l->hist));
	if (!l->hist)
		return fail(err, len, "out of memory");
	for (i = 0; i < h->n; i++) {
		const struct jv *s = h->arr[i];

		if (s->type != JV_ARR || s->n != 3 ||
		    !int_in(s->arr[0], 1, TIME_MAX, &t) ||
		    !int_in(s->arr[1], 0, UINT32_MAX, &ppm) ||
		    !int_in(s->arr[2], 1, UINT32_MAX, &n))
			return fail(err, len,
				    "%s: history sample %zu is not [time, ppm, n]",
				    l->dev, i);
		if (i && t < l->hist[i - 1].time)
			return fail(err, len,
				    "%s: history sample %zu is older than the one before",
				    l->dev, i);
		l->hist[i].time = t;
		l->hist[i].ppm = (uint32_t)ppm;
		l->hist[i].n = (uint32_t)n;
		l->nhist = i + 1;
	}
	while (l->nhist > STATE_HIST_MAX)
		compact(l);
	return 0;
}

static bool valid_dev(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < STATE_DEVLEN && !strchr(s, '/');
}

static int parse_lag(const struct jv *o, struct state *st, char *err,
		     size_t len)
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
	v = jv_get(o, "history");
	if (v)
		return parse_history(v, l, err, len);
	return 0;
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
	if (x != STATE_VERSION) {
		ret = fail(err, errlen, "version %lld, this psctl reads version %d",
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
		ret = parse_lag(lags->arr[i], st, err, errlen);
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
		fputs(",\n   \"history\": [", f);
		for (k = 0; k < l->nhist; k++)
			fprintf(f, "%s[%lld,%u,%u]", k ? "," : "",
				(long long)l->hist[k].time, l->hist[k].ppm,
				l->hist[k].n);
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

void trend_fit(const struct state_sample *h, size_t n, uint32_t threshold_ppm,
	       int64_t now, struct trend *t)
{
	double w = 0, sx = 0, sy = 0, xm, ym, sxx = 0, sxy = 0, x, at;
	int64_t t0;
	size_t i;

	memset(t, 0, sizeof(*t));
	if (n < TREND_MIN_SAMPLES || h[n - 1].time - h[0].time < TREND_MIN_SPAN)
		return;
	/* Times relative to the first sample keep the sums precise. */
	t0 = h[0].time;
	for (i = 0; i < n; i++) {
		w += h[i].n;
		sx += (double)h[i].n * (double)(h[i].time - t0);
		sy += (double)h[i].n * h[i].ppm;
	}
	xm = sx / w;
	ym = sy / w;
	for (i = 0; i < n; i++) {
		x = (double)(h[i].time - t0) - xm;
		sxx += h[i].n * x * x;
		sxy += h[i].n * x * ((double)h[i].ppm - ym);
	}
	if (!(sxx > 0))
		return;
	t->slope = sxy / sxx;
	if (fabs(t->slope * 30 * DAY) < TREND_FLAT_PPM)
		t->kind = TREND_FLAT;
	else
		t->kind = t->slope > 0 ? TREND_RISING : TREND_FALLING;
	if (!(t->slope > 0))
		return;
	/* Seconds after t0 at which the line reaches the threshold. */
	at = xm + ((double)threshold_ppm - ym) / t->slope;
	if (at <= (double)(now - t0)) {
		t->has_projection = true;
		t->projected = now;
	} else if (at - (double)(now - t0) <= (double)TREND_HORIZON) {
		t->has_projection = true;
		t->projected = t0 + (int64_t)ceil(at);
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
		return state_add_sample(l, now, r->util);
	return true;
}
