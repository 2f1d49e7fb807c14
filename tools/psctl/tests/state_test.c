// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of state.c and jsonp.c: the state file reader (valid,
 * corrupt, truncated and mutated input, version 1 and newer versions),
 * its writer, the daily peaks (a clock in the future included), the
 * deadline arithmetic and the forecast on synthetic histories.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonp.h"
#include "state.h"
#include "tap.h"

static char err[256];

static const char good[] =
	"{\n"
	" \"version\": 2,\n"
	" \"lags\": [\n"
	"  {\"dev\": \"bond0\", \"crossing\": 1764000000, \"peak_ppm\": 412000, \"threshold_pct\": 40,\n"
	"   \"days\": [[1763769600,390000],[1763856000,395000],[1763942400,412000]]},\n"
	"  {\"dev\": \"bond1\", \"crossing\": null, \"peak_ppm\": 0,\n"
	"   \"days\": []}\n"
	" ]\n"
	"}\n";

/* Write st to a string (caller frees). */
static char *written(const struct state *st)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	state_write(f, st);
	fclose(f);
	return buf;
}

static void test_parse_good(void)
{
	struct state st;
	char *out;

	ok(!state_parse(good, strlen(good), &st, err, sizeof(err)),
	   "good file parses (%s)", err);
	ok(st.nlags == 2, "two LAGs");
	ok(!strcmp(st.lags[0].dev, "bond0") && st.lags[0].crossing == 1764000000 &&
	   st.lags[0].peak == 412000 && st.lags[0].threshold == 40,
	   "bond0: crossing, peak, threshold");
	ok(st.lags[0].ndays == 3 && st.lags[0].days[1].day == 1763856000 &&
	   st.lags[0].days[1].ppm == 395000, "bond0: daily peaks");
	ok(!strcmp(st.lags[1].dev, "bond1") && !st.lags[1].crossing &&
	   !st.lags[1].ndays && !st.lags[1].threshold,
	   "bond1: null crossing, no days, no threshold");
	out = written(&st);
	is_str(out, good, "written back byte for byte");
	free(out);
	state_free(&st);

	out = "{\"version\":2,\"lags\":[],\"later\":{\"x\":[1]}}";
	ok(!state_parse(out, strlen(out), &st, err, sizeof(err)) && !st.nlags,
	   "unknown keys are ignored (%s)", err);
	out = written(&st);
	is_str(out, "{\n \"version\": 2,\n \"lags\": []\n}\n", "empty state written");
	ok(!state_parse(out, strlen(out), &st, err, sizeof(err)), "and read back");
	free(out);
	state_free(&st);
}

static void test_parse_bad(void)
{
	static const struct {
		const char *in, *msg;
	} bad[] = {
		{ "", "end of input" },
		{ "   ", "end of input" },
		{ "null", "not a JSON object" },
		{ "[]", "not a JSON object" },
		{ "{}", "\"version\"" },
		{ "{\"version\":\"1\",\"lags\":[]}", "\"version\"" },
		{ "{\"version\":1}", "\"lags\"" },
		{ "{\"version\":1,\"lags\":{}}", "\"lags\"" },
		{ "{\"version\":1,\"lags\":[1]}", "not an object" },
		{ "{\"version\":1,\"lags\":[{}]}", "\"dev\"" },
		{ "{\"version\":1,\"lags\":[{\"dev\":\"\"}]}", "\"dev\"" },
		{ "{\"version\":1,\"lags\":[{\"dev\":\"0123456789abcdef\"}]}", "\"dev\"" },
		{ "{\"version\":1,\"lags\":[{\"dev\":\"a/b\"}]}", "\"dev\"" },
		{ "{\"version\":1,\"lags\":[{\"dev\":7}]}", "\"dev\"" },
		{ "{\"version\":1,\"lags\":[{\"dev\":\"a\"},{\"dev\":\"a\"}]}", "twice" },
		{ "{\"version\":1,\"lags\":[{\"dev\":\"a\",\"crossing\":0}]}", "crossing" },
		{ "{\"version\":1,\"lags\":[{\"dev\":\"a\",\"crossing\":-5}]}", "crossing" },
		{ "{\"version\":1,\"lags\":[{\"dev\":\"a\",\"crossing\":\"x\"}]}", "crossing" },
		{ "{\"version\":1,\"lags\":[{\"dev\":\"a\",\"crossing\":99999999999999}]}", "crossing" },
		{ "{\"version\":1,\"lags\":[{\"dev\":\"a\",\"peak_ppm\":4294967296}]}", "peak_ppm" },
		{ "{\"version\":1,\"lags\":[{\"dev\":\"a\",\"threshold_pct\":0}]}", "threshold_pct" },
		{ "{\"version\":1,\"lags\":[{\"dev\":\"a\",\"threshold_pct\":101}]}", "threshold_pct" },
		{ "{\"version\":1,\"lags\":[{\"dev\":\"a\",\"history\":{}}]}", "not an array" },
		{ "{\"version\":1,\"lags\":[{\"dev\":\"a\",\"history\":[[1,2]]}]}", "sample 0" },
		{ "{\"version\":1,\"lags\":[{\"dev\":\"a\",\"history\":[[0,2,3]]}]}", "sample 0" },
		{ "{\"version\":1,\"lags\":[{\"dev\":\"a\",\"history\":[[1,2,0]]}]}", "sample 0" },
		{ "{\"version\":1,\"lags\":[{\"dev\":\"a\",\"history\":[[9,2,1],[8,2,1]]}]}", "older" },
		{ "{\"version\":2,\"lags\":[{\"dev\":\"a\",\"days\":{}}]}", "not an array" },
		{ "{\"version\":2,\"lags\":[{\"dev\":\"a\",\"days\":[[86400]]}]}", "day 0" },
		{ "{\"version\":2,\"lags\":[{\"dev\":\"a\",\"days\":[[86400,1,1]]}]}", "day 0" },
		{ "{\"version\":2,\"lags\":[{\"dev\":\"a\",\"days\":[[86401,1]]}]}", "day 0" },
		{ "{\"version\":2,\"lags\":[{\"dev\":\"a\",\"days\":[[-86400,1]]}]}", "day 0" },
		{ "{\"version\":2,\"lags\":[{\"dev\":\"a\",\"days\":[[86400,-1]]}]}", "day 0" },
		{ "{\"version\":2,\"lags\":[{\"dev\":\"a\",\"days\":[[86400,4294967296]]}]}", "day 0" },
		{ "{\"version\":2,\"lags\":[{\"dev\":\"a\",\"days\":[5]}]}", "day 0" },
		{ "{\"version\":2,\"lags\":[{\"dev\":\"a\",\"days\":[[172800,2],[86400,2]]}]}", "not after" },
		{ "{\"version\":2,\"lags\":[{\"dev\":\"a\",\"days\":[[86400,2],[86400,3]]}]}", "not after" },
		{ "{\"version\":3,\"lags\":[]}", "version 3, this psctl reads versions 1 to 2" },
		{ "{\"version\":0,\"lags\":[]}", "version 0" },
		{ "{\"version\":01,\"lags\":[]}", "leading zero" },
		{ "{\"version\":1.0,\"lags\":[]}", "only integers" },
		{ "{\"version\":1e0,\"lags\":[]}", "only integers" },
		{ "{\"version\":-,\"lags\":[]}", "expected a digit" },
		{ "{\"version\":99999999999999999999,\"lags\":[]}", "out of range" },
		{ "{\"version\":1,\"lags\":[]} x", "after the value" },
		{ "{\"version\":1,\"lags\":[]}{}", "after the value" },
		{ "{\"version\":1,\"version\":1,\"lags\":[]}", "duplicate key" },
		{ "{\"version\":1,\"lags\":[],}", "expected a key" },
		{ "{\"version\":1,\"lags\":[1,]}", "expected a value" },
		{ "{\"version\":1 \"lags\":[]}", "expected ','" },
		{ "{\"version\" 1}", "expected ':'" },
		{ "{'version':1}", "expected a key" },
		{ "{\"version\":tru}", "expected a value" },
		{ "{\"vers", "unterminated" },
		{ "{\"a\\x\":1}", "bad escape" },
		{ "{\"a\\u12\":1}", "\\u escape" },
		{ "{\"a\\u0000\":1}", "out of range" },
		{ "{\"a\\u0100\":1}", "out of range" },
		{ "{\"a\tb\":1}", "control character" },
		{ "[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]", "nested too deeply" },
	};
	struct state st;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = state_parse(bad[i].in, strlen(bad[i].in), &st, err,
				      sizeof(err));

		ok(ret && strstr(err, bad[i].msg) && !st.nlags && !st.lags,
		   "refused: %s -> %s", bad[i].in, err);
	}
	/* A NUL byte inside the input is not white space. */
	ok(state_parse("{\"version\":1,\"lags\":[]}\0", 24, &st, err, sizeof(err)),
	   "a NUL after the value is refused");
	ok(strstr(err, "line 1, column 24") != NULL, "the message has line and column (%s)", err);
	ok(state_parse("{\n\"version\":1,\n\"lags\":[}", 24, &st, err, sizeof(err)) &&
	   strstr(err, "line 3, column 9"), "line counting (%s)", err);
}

/* Every strict prefix of a valid file is refused, and nothing leaks. */
static void test_truncated(void)
{
	size_t len = strlen(good), i, refused = 0;
	struct state st;
	char *buf = malloc(len);

	if (!buf)
		abort();
	for (i = 0; i < len - 1; i++) {
		memcpy(buf, good, i);
		if (state_parse(buf, i, &st, err, sizeof(err)))
			refused++;
		state_free(&st);
	}
	free(buf);
	ok(refused == len - 1, "all %zu truncations refused (%zu)", len - 1, refused);
}

/*
 * Random damage: flipped, inserted and deleted bytes. Whatever the parser
 * accepts must be a state that writes and reads back to itself. ASan and
 * UBSan watch the rest.
 */
static void test_fuzz(void)
{
	size_t len = strlen(good), n, i, accepted = 0, stable = 0;
	unsigned int seed = 12345, k, rounds = 20000;
	static const char alphabet[] = "{}[],:\"\\u0123456789-.e tnfral";
	char buf[1024];
	struct state st, again;

	for (k = 0; k < rounds; k++) {
		/* Not a C string: state_parse() takes buf and n. */
		memcpy(buf, good, len); /* NOLINT(bugprone-not-null-terminated-result) */
		n = len;
		for (i = 0; i < 1 + (unsigned int)rand_r(&seed) % 4; i++) {
			size_t at = (size_t)rand_r(&seed) % n;
			int op = rand_r(&seed) % 4;
			char c = rand_r(&seed) % 2 ? alphabet[rand_r(&seed) % (sizeof(alphabet) - 1)] :
						      (char)(rand_r(&seed) % 256);

			if (op == 0) {
				buf[at] = c;
			} else if (op == 1 && n + 1 < sizeof(buf)) {
				memmove(buf + at + 1, buf + at, n - at);
				buf[at] = c;
				n++;
			} else if (op == 2 && n > 1) {
				memmove(buf + at, buf + at + 1, n - at - 1);
				n--;
			} else {
				n = at + 1;
			}
		}
		if (state_parse(buf, n, &st, err, sizeof(err)))
			continue;
		accepted++;
		{
			char *out = written(&st), *out2;

			if (!state_parse(out, strlen(out), &again, err, sizeof(err))) {
				out2 = written(&again);
				if (!strcmp(out, out2))
					stable++;
				free(out2);
				state_free(&again);
			}
			free(out);
		}
		state_free(&st);
	}
	ok(accepted == stable, "fuzz: %u mutations, %zu accepted, all write back stably",
	   rounds, accepted);
}

static void test_bytes(void)
{
	char in[256], *out = NULL;
	size_t len = 0, i;
	struct jv *v;
	FILE *f;

	for (i = 0; i < 255; i++)
		in[i] = (char)(i + 1);
	in[255] = '\0';
	f = open_memstream(&out, &len);
	json_write_bytes(f, in);
	fclose(f);
	v = jsonp_parse(out, len, err, sizeof(err));
	ok(v && v->type == JV_STR && !strcmp(v->s, in),
	   "every byte 1..255 round-trips through json_write_bytes");
	ok(!strchr(out, '\n') && !strchr(out, 0x7f) && !memchr(out, 0xff, len),
	   "and is written as printable ASCII");
	jv_free(v);
	free(out);
	{
		static const char esc[] = "\"caf\xc3\xa9 \\u00e9\\/\\b\\f\\n\\r\\t\"";

		v = jsonp_parse(esc, sizeof(esc) - 1, err, sizeof(err));
	}
	ok(v && !strcmp(v->s, "caf\xc3\xa9 \xe9/\b\f\n\r\t"), "escapes and raw UTF-8");
	jv_free(v);
	v = jsonp_parse("[-9223372036854775808, 9223372036854775807, true, false, null, {}]",
			66, err, sizeof(err));
	ok(v && v->n == 6 && v->arr[0]->i == INT64_MIN && v->arr[1]->i == INT64_MAX &&
	   v->arr[2]->b && !v->arr[3]->b && v->arr[4]->type == JV_NULL &&
	   v->arr[5]->type == JV_OBJ, "int64 limits and literals (%s)", err);
	jv_free(v);
}

/* A version 1 file: its single readings become daily peaks. */
static void test_version1(void)
{
	static const char v1[] =
		"{\"version\": 1, \"lags\": [{\"dev\": \"bond0\", \"crossing\": null,"
		" \"peak_ppm\": 300000, \"history\": [[1763942400,100000,1],"
		"[1763950000,200000,40],[1763960000,150000,1],[1764028800,90000,1]]}]}";
	struct state st;
	char *out;

	ok(!state_parse(v1, strlen(v1), &st, err, sizeof(err)), "version 1 parses (%s)", err);
	ok(st.nlags == 1 && st.lags[0].ndays == 2 &&
	   st.lags[0].days[0].day == 1763942400 && st.lags[0].days[0].ppm == 150000 &&
	   st.lags[0].days[1].day == 1764028800 && st.lags[0].days[1].ppm == 90000,
	   "its single readings are daily peaks; averaged ones are left out");
	out = written(&st);
	ok(strstr(out, "\"version\": 2") && strstr(out, "\"days\": [[1763942400,150000],[1764028800,90000]]") &&
	   !strstr(out, "history"), "written back as version 2");
	free(out);
	state_free(&st);
}

static void test_days(void)
{
	struct state_lag l = { .dev = "bond0" };
	const int64_t d0 = 1763942400;	/* 00:00 UTC */
	bool sorted = true;
	size_t i;

	ok(state_add_peak(&l, d0 + 3600, 100) && l.ndays == 1 && l.days[0].day == d0,
	   "first reading: a day, dated 00:00 UTC");
	ok(state_add_peak(&l, d0 + 7200, 300) && state_add_peak(&l, d0 + 86399, 200) &&
	   l.ndays == 1 && l.days[0].ppm == 300, "same day: the highest reading");
	ok(state_add_peak(&l, d0 + DAY, 50) && l.ndays == 2 && l.days[1].ppm == 50,
	   "the next day");
	/* A clock in the future at boot, then set right. */
	ok(state_add_peak(&l, d0 + 700 * (int64_t)DAY, 999999) && l.ndays == 3,
	   "a reading dated 700 days ahead gets its day");
	ok(state_add_peak(&l, d0 + 2 * DAY + 60, 70) && l.ndays == 4 &&
	   l.days[2].day == d0 + 2 * DAY && l.days[2].ppm == 70 &&
	   l.days[3].day == d0 + 700 * (int64_t)DAY,
	   "later readings with the right time are still kept, in date order");
	ok(state_add_peak(&l, d0 + 3 * DAY, 80) && l.ndays == 5 && l.days[3].ppm == 80,
	   "and the day after");
	ok(state_add_peak(&l, d0 - DAY, 10) && l.ndays == 6 && l.days[0].day == d0 - DAY,
	   "a reading dated before every day goes first");
	for (i = 4; i < 1000; i++)
		state_add_peak(&l, d0 + (int64_t)i * DAY, (uint32_t)i);
	ok(l.ndays == STATE_DAYS_MAX, "at most %d days kept (%zu)", STATE_DAYS_MAX, l.ndays);
	for (i = 1; i < l.ndays; i++)
		if (l.days[i].day <= l.days[i - 1].day)
			sorted = false;
	ok(sorted && l.days[l.ndays - 1].day == d0 + 999 * (int64_t)DAY &&
	   l.days[0].day == d0 + (999 - STATE_DAYS_MAX + 1) * (int64_t)DAY,
	   "the newest %d days, in order", STATE_DAYS_MAX);
	ok(l.days[700 - (999 - STATE_DAYS_MAX + 1)].ppm == 999999,
	   "the day read with the wrong clock is just one high day among them");
	ok(state_add_peak(&l, d0, 5) && l.ndays == STATE_DAYS_MAX &&
	   l.days[0].day == d0 + (999 - STATE_DAYS_MAX + 1) * (int64_t)DAY,
	   "a reading older than every kept day is dropped when full");
	free(l.days);
}

static void test_merge(void)
{
	struct state_reading r = { .dev = "bond0", .threshold = 40 };
	struct state st = { 0 };
	struct state_lag *l;

	r.alert_since = 1764000000;
	r.peak = 410000;
	r.has_util = true;
	r.util = 405000;
	ok(state_merge(&st, &r, 1764000100), "merge into an empty state");
	l = state_find(&st, "bond0");
	ok(l && l->crossing == 1764000000 && l->peak == 410000 && l->ndays == 1 &&
	   l->threshold == 40, "crossing, peak, a daily peak, the threshold");
	if (!l) {
		state_free(&st);
		return;
	}
	r.alert_since = 1765000000;	/* after a reload: a new, later crossing */
	r.peak = 100000;
	r.util = 420000;
	state_merge(&st, &r, 1764000200);
	ok(l->crossing == 1764000000, "the earlier crossing stays");
	ok(l->peak == 420000, "a higher reading raises the peak");
	r.alert_since = 0;
	state_merge(&st, &r, 1764000300);
	ok(l->crossing == 1764000000, "a kernel without a crossing does not clear it");
	r.dev = "bond-a";
	r.has_util = false;
	state_merge(&st, &r, 1764000300);
	ok(st.nlags == 2 && !strcmp(st.lags[0].dev, "bond-a") &&
	   !state_find(&st, "bond-a")->ndays, "no rate yet: no sample; entries sorted");
	ok(state_remove(&st, "bond0") && !state_find(&st, "bond0") && st.nlags == 1,
	   "remove");
	ok(!state_remove(&st, "bond0"), "remove twice");
	ok(crossing_min(0, 5) == 5 && crossing_min(5, 0) == 5 && crossing_min(3, 5) == 3 &&
	   crossing_min(0, 0) == 0, "crossing_min");
	state_free(&st);
}

static void test_deadline(void)
{
	struct deadline d;
	const int64_t since = 1764000000;

	ok(DEADLINE_EARLIEST == 3888000 && DEADLINE_LATEST == 5184000,
	   "45 days = 3888000 s, 60 days = 5184000 s");
	deadline_compute(since, since, &d);
	ok(d.has && d.since == since && d.earliest == 1767888000 &&
	   d.latest == 1769184000 && d.days_left == 60,
	   "the contract's example: %lld %lld %lld", (long long)d.earliest,
	   (long long)d.latest, (long long)d.days_left);
	deadline_compute(since, since + 1, &d);
	ok(d.days_left == 59, "one second later: 59 whole days left");
	deadline_compute(since, since + 10 * DAY, &d);
	ok(d.days_left == 50, "10 days later: 50");
	deadline_compute(since, d.latest - 1, &d);
	ok(d.days_left == 0, "a second before the deadline: 0");
	deadline_compute(since, since + 61 * DAY, &d);
	ok(d.days_left == 0, "after the deadline: 0, not negative");
	deadline_compute(0, since, &d);
	ok(!d.has && !d.earliest && !d.latest, "no crossing, no deadline");
}

/*
 * days of diurnal load read once a minute, as psctl run from cron sees it:
 * mean + rise per day, +- amp around it (a sine with its top at 06:00).
 * Utilisation in ppm; the mean may vary from day to day by +- wobble.
 */
struct load {
	double mean, rise, amp, wobble;
	int spike_day;		/* -1: none; else that day peaks at 95% */
};

static double load_at(const struct load *ld, double day)
{
	unsigned int seed = (unsigned int)floor(day) * 2654435761u;
	double w = ld->wobble * ((double)(rand_r(&seed) % 2001) / 1000 - 1);

	return ld->mean + ld->rise * day + w + ld->amp * sin(2 * M_PI * day);
}

static void feed(struct state_lag *l, const struct load *ld, int64_t d0, int days)
{
	int64_t t;
	double v;

	for (t = 0; t < (int64_t)days * DAY; t += 60) {
		v = load_at(ld, (double)t / DAY);
		if (ld->spike_day >= 0 && t / DAY == ld->spike_day &&
		    t % DAY == 6 * 3600)
			v = 950000;
		state_add_peak(l, d0 + t, v < 0 ? 0 : (uint32_t)llround(v));
	}
}

/* When the minute readings first reach ppm, after day from. */
static int64_t first_reaching(const struct load *ld, int64_t d0, int from,
			      double ppm)
{
	int64_t t;

	for (t = (int64_t)from * DAY; t < 3000 * (int64_t)DAY; t += 60)
		if (load_at(ld, (double)t / DAY) >= ppm)
			return d0 + t;
	return 0;
}

static void test_forecast(void)
{
	const int64_t d0 = 1763942400, now = d0 + 60 * (int64_t)DAY;
	struct load ld = { 150000, 1000, 120000, 0, -1 };
	struct state_lag l = { .dev = "bond0" };
	int64_t truth, base;
	struct trend t;

	/* The case: mean 15%, +0.1%/day, +-12%, 60 days. */
	feed(&l, &ld, d0, 60);
	truth = first_reaching(&ld, d0, 60, 400000);
	trend_forecast(l.days, l.ndays, 400000, now, &t);
	ok(t.kind == TREND_RISING && t.has_projection && t.days == FORECAST_DAYS,
	   "diurnal, slow rise: rising, %zu days fitted, slope %.0f ppm/day", t.days,
	   t.slope);
	ok(t.has_projection && llabs(t.projected - truth) <= 10 * DAY,
	   "projected %.1f days out, the peaks reach 40%% %.1f days out",
	   (double)(t.projected - now) / DAY, (double)(truth - now) / DAY);
	ok((truth - now) / DAY >= 65 && (truth - now) / DAY <= 75,
	   "(the true crossing is about 70 days out)");
	base = t.projected;
	trend_forecast(l.days, l.ndays, 400000, now + 12 * 3600, &t);
	ok(t.projected == base, "the same all day: today's partial peak is not used");
	trend_forecast(l.days, l.ndays, 250000, now, &t);
	ok(t.has_projection && t.projected == now,
	   "peaks already above the threshold: projected now");
	trend_forecast(l.days, l.ndays, 1000000, now, &t);
	ok(t.kind == TREND_RISING && t.has_projection &&
	   llabs(t.projected - now - 670 * (int64_t)DAY) <= 2 * DAY,
	   "100%% in about 670 days: within the horizon (%.1f)",
	   (double)(t.projected - now) / DAY);
	trend_forecast(l.days + l.ndays - 13, 13, 400000, now, &t);
	ok(t.kind == TREND_NONE && !t.has_projection && t.days == 13,
	   "13 days: no trend");
	trend_forecast(l.days + l.ndays - 14, 14, 400000, now, &t);
	ok(t.kind == TREND_RISING && t.has_projection, "14 days: a trend");
	trend_forecast(l.days, l.ndays, 400000, now + 200 * (int64_t)DAY, &t);
	ok(t.kind == TREND_NONE, "200 days without readings: no trend");
	free(l.days);

	/* One spike: a day at 95%. */
	memset(&l, 0, sizeof(l));
	ld.spike_day = 50;
	feed(&l, &ld, d0, 60);
	ok(l.days[50].ppm == 950000, "a spike of 95%% on day 50");
	trend_forecast(l.days, l.ndays, 400000, now, &t);
	ok(t.has_projection && llabs(t.projected - base) <= DAY,
	   "one spike moves the projection by %.2f days",
	   (double)(t.projected - base) / DAY);
	free(l.days);

	/* Flat: mean 15% +- 12%, the daily mean wandering by +- 2%. */
	memset(&l, 0, sizeof(l));
	ld = (struct load){ 150000, 0, 120000, 20000, -1 };
	feed(&l, &ld, d0, 60);
	trend_forecast(l.days, l.ndays, 400000, now, &t);
	ok(t.kind == TREND_FLAT && !t.has_projection,
	   "flat with noise: %s, slope %.0f ppm/day, no projection",
	   trend_name(t.kind), t.slope);
	free(l.days);

	/* Falling 0.1%/day from 30%. */
	memset(&l, 0, sizeof(l));
	ld = (struct load){ 300000, -1000, 120000, 5000, -1 };
	feed(&l, &ld, d0, 60);
	trend_forecast(l.days, l.ndays, 400000, now, &t);
	ok(t.kind == TREND_FALLING && !t.has_projection,
	   "falling: %s, slope %.0f ppm/day, no projection", trend_name(t.kind),
	   t.slope);
	free(l.days);

	/* Rising too slowly: 40% some 10 years away. */
	memset(&l, 0, sizeof(l));
	ld = (struct load){ 150000, 35, 0, 0, -1 };
	feed(&l, &ld, d0, 60);
	trend_forecast(l.days, l.ndays, 400000, now, &t);
	ok(t.kind == TREND_RISING && !t.has_projection,
	   "rising %.0f ppm/day: beyond the 5-year horizon", t.slope);
	free(l.days);
	is_str(trend_name(TREND_NONE), "no trend", "named no trend");
	is_str(trend_name(TREND_RISING), "rising", "named rising");
}

int main(void)
{
	test_parse_good();
	test_parse_bad();
	test_truncated();
	test_fuzz();
	test_bytes();
	test_version1();
	test_days();
	test_merge();
	test_deadline();
	test_forecast();
	return tap_done();
}
