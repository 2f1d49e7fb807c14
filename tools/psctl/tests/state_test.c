// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of state.c and jsonp.c: the state file reader (valid,
 * corrupt, truncated and mutated input), its writer, the history, the
 * deadline arithmetic and the trend.
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
	" \"version\": 1,\n"
	" \"lags\": [\n"
	"  {\"dev\": \"bond0\", \"crossing\": 1764000000, \"peak_ppm\": 412000, \"threshold_pct\": 40,\n"
	"   \"history\": [[1763990000,390000,1],[1763990060,395000,2],[1764000000,412000,1]]},\n"
	"  {\"dev\": \"bond1\", \"crossing\": null, \"peak_ppm\": 0,\n"
	"   \"history\": []}\n"
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
	ok(st.lags[0].nhist == 3 && st.lags[0].hist[1].time == 1763990060 &&
	   st.lags[0].hist[1].ppm == 395000 && st.lags[0].hist[1].n == 2,
	   "bond0: history");
	ok(!strcmp(st.lags[1].dev, "bond1") && !st.lags[1].crossing &&
	   !st.lags[1].nhist && !st.lags[1].threshold,
	   "bond1: null crossing, empty history, no threshold");
	out = written(&st);
	is_str(out, good, "written back byte for byte");
	free(out);
	state_free(&st);

	out = "{\"version\":1,\"lags\":[],\"later\":{\"x\":[1]}}";
	ok(!state_parse(out, strlen(out), &st, err, sizeof(err)) && !st.nlags,
	   "unknown keys are ignored (%s)", err);
	out = written(&st);
	is_str(out, "{\n \"version\": 1,\n \"lags\": []\n}\n", "empty state written");
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
		{ "{\"version\":2,\"lags\":[]}", "version 2" },
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
		{ "{\"version\":1,\"lags\":[{\"dev\":\"a\",\"history\":[[1,2,3,4]]}]}", "sample 0" },
		{ "{\"version\":1,\"lags\":[{\"dev\":\"a\",\"history\":[[0,2,3]]}]}", "sample 0" },
		{ "{\"version\":1,\"lags\":[{\"dev\":\"a\",\"history\":[[1,2,0]]}]}", "sample 0" },
		{ "{\"version\":1,\"lags\":[{\"dev\":\"a\",\"history\":[[1,-2,1]]}]}", "sample 0" },
		{ "{\"version\":1,\"lags\":[{\"dev\":\"a\",\"history\":[5]}]}", "sample 0" },
		{ "{\"version\":1,\"lags\":[{\"dev\":\"a\",\"history\":[[9,2,1],[8,2,1]]}]}", "older" },
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
		memcpy(buf, good, len);
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
	ok(!strchr(out, '\n') && !strchr(out, 0x7f) && !strchr(out, (char)0xff),
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

static void test_history(void)
{
	struct state_lag l = { .dev = "bond0" };
	uint64_t total = 0;
	bool sorted = true;
	size_t i;
	int64_t t0 = 1764000000;

	ok(state_add_sample(&l, t0, 100) && l.nhist == 1, "first sample");
	ok(state_add_sample(&l, t0 + 59, 200) && l.nhist == 1,
	   "a sample less than 60 s later is skipped");
	ok(state_add_sample(&l, t0 - 600, 200) && l.nhist == 1,
	   "a sample before the last one (clock step) is skipped");
	ok(state_add_sample(&l, t0 + 60, 300) && l.nhist == 2,
	   "a sample 60 s later is kept");
	for (i = 2; i < STATE_HIST_MAX; i++)
		state_add_sample(&l, t0 + 60 * (int64_t)i, (uint32_t)i);
	ok(l.nhist == STATE_HIST_MAX, "%d samples before merging", STATE_HIST_MAX);
	state_add_sample(&l, t0 + 60 * STATE_HIST_MAX, 7);
	ok(l.nhist == STATE_HIST_MAX / 4 + STATE_HIST_MAX / 2 + 1,
	   "one more merges the oldest half pairwise: %zu samples", l.nhist);
	for (i = 0; i < l.nhist; i++) {
		total += l.hist[i].n;
		if (i && l.hist[i].time < l.hist[i - 1].time)
			sorted = false;
	}
	ok(total == STATE_HIST_MAX + 1, "the weights still count every reading");
	ok(sorted, "and the samples stay in time order");
	ok(l.hist[0].n == 2 && l.hist[0].time == t0 + 30 && l.hist[0].ppm == 200,
	   "a merged sample is the weighted mean (t %lld, ppm %u)",
	   (long long)l.hist[0].time, l.hist[0].ppm);
	ok(l.hist[l.nhist - 1].n == 1 && l.hist[l.nhist - 1].ppm == 7,
	   "the newest sample is untouched");
	for (i = 0; i < 100000; i++)
		state_add_sample(&l, t0 + 60 * (int64_t)(STATE_HIST_MAX + 1 + i), 5);
	ok(l.nhist <= STATE_HIST_MAX, "100000 more readings stay within %d samples (%zu)",
	   STATE_HIST_MAX, l.nhist);
	free(l.hist);
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
	ok(l && l->crossing == 1764000000 && l->peak == 410000 && l->nhist == 1 &&
	   l->threshold == 40, "crossing, peak, a sample, the threshold");
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
	   !state_find(&st, "bond-a")->nhist, "no rate yet: no sample; entries sorted");
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

/* Samples every minute from t0 over minutes, ppm = a + b * minute. */
static struct state_sample *line(int64_t t0, size_t minutes, double a, double b)
{
	struct state_sample *h = calloc(minutes, sizeof(*h));
	size_t i;

	for (i = 0; i < minutes; i++) {
		h[i].time = t0 + 60 * (int64_t)i;
		h[i].ppm = (uint32_t)llround(a + b * (double)i);
		h[i].n = 1;
	}
	return h;
}

static void test_trend(void)
{
	const int64_t t0 = 1764000000;
	struct state_sample *h;
	struct trend t;
	int64_t want;

	/* 30% rising 1000 ppm an hour: 40% after 100 hours. */
	h = line(t0, 121, 300000, 1000.0 / 60);
	trend_fit(h, 121, 400000, t0 + 7200, &t);
	want = t0 + 100 * 3600;
	ok(t.kind == TREND_RISING && t.has_projection &&
	   llabs(t.projected - want) <= 60,
	   "rising: projected %lld, want %lld", (long long)t.projected,
	   (long long)want);
	is_str(trend_name(t.kind), "rising", "named rising");
	trend_fit(h, 9, 400000, t0 + 7200, &t);
	ok(t.kind == TREND_NONE && !t.has_projection, "9 samples: no trend");
	trend_fit(h, 60, 400000, t0 + 7200, &t);
	ok(t.kind == TREND_NONE, "59 minutes: no trend");
	trend_fit(h, 61, 400000, t0 + 7200, &t);
	ok(t.kind == TREND_RISING, "one hour, 61 samples: a trend");
	is_str(trend_name(TREND_NONE), "no trend", "named no trend");
	trend_fit(h, 121, 350000, t0 + 200 * 3600, &t);
	ok(t.has_projection && t.projected == t0 + 200 * 3600,
	   "a line already past the threshold: projected now");
	free(h);

	h = line(t0, 121, 300000, -1000.0 / 60);
	trend_fit(h, 121, 400000, t0 + 7200, &t);
	ok(t.kind == TREND_FALLING && !t.has_projection, "falling: no projection");
	free(h);

	h = line(t0, 121, 300000, 0);
	trend_fit(h, 121, 400000, t0 + 7200, &t);
	ok(t.kind == TREND_FLAT && !t.has_projection, "constant: flat, no projection");
	free(h);

	/* 100 ppm more a day from 10%: 40% in 3000 days, beyond 5 years. */
	h = line(t0, 1441, 100000, 100.0 / 1440);
	trend_fit(h, 1441, 400000, t0 + 86400, &t);
	ok(t.kind == TREND_RISING && !t.has_projection,
	   "rising too slowly: no projection within 5 years");
	/* 1000 ppm a day: 300 days. */
	free(h);
	h = line(t0, 1441, 100000, 1000.0 / 1440);
	trend_fit(h, 1441, 400000, t0 + 86400, &t);
	want = t0 + 300 * (int64_t)DAY;
	ok(t.has_projection && llabs(t.projected - want) <= 600,
	   "300 days away: projected (%lld vs %lld)", (long long)t.projected,
	   (long long)want);
	free(h);

	/* All at one time: no slope to fit. */
	h = line(t0, 20, 300000, 1000);
	for (int i = 0; i < 20; i++)
		h[i].time = t0;
	trend_fit(h, 20, 400000, t0, &t);
	ok(t.kind == TREND_NONE, "no time span: no trend");
	free(h);

	/* Heavy merged samples do not overflow. */
	h = line(t0, 61, 300000, 1000);
	for (int i = 0; i < 61; i++)
		h[i].n = UINT32_MAX;
	trend_fit(h, 61, 400000, t0, &t);
	ok(t.kind == TREND_RISING && t.has_projection && isfinite(t.slope),
	   "weights of 2^32-1 each");
	free(h);
}

int main(void)
{
	test_parse_good();
	test_parse_bad();
	test_truncated();
	test_fuzz();
	test_bytes();
	test_history();
	test_merge();
	test_deadline();
	test_trend();
	return tap_done();
}
