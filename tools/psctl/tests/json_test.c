// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the JSON writer. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "tap.h"

static char *out;
static size_t outlen;

static struct json *start(struct json *j, bool pretty)
{
	FILE *f = open_memstream(&out, &outlen);

	json_init(j, f, pretty);
	return j;
}

/* Close the stream and compare what was written. */
static void check(struct json *j, const char *want, const char *name)
{
	fclose(j->f);
	is_str(out, want, "%s", name);
	free(out);
	out = NULL;
}

static void test_compact(void)
{
	struct json j;

	start(&j, false);
	json_begin_array(&j, NULL);
	json_end_array(&j);
	check(&j, "[]\n", "empty array");

	start(&j, false);
	json_begin_array(&j, NULL);
	json_begin_object(&j, NULL);
	json_string(&j, "dev", "bond0");
	json_begin_array(&j, "members");
	json_begin_object(&j, NULL);
	json_string(&j, "dev", "m1");
	json_u64(&j, "speed_mbps", 10000);
	json_bool(&j, "up", true);
	json_end_object(&j);
	json_begin_object(&j, NULL);
	json_string(&j, "dev", "m2");
	json_null(&j, "speed_mbps");
	json_bool(&j, "up", false);
	json_end_object(&j);
	json_end_array(&j);
	json_u64(&j, "capacity_bps", 20000000000ULL);
	json_double(&j, "rx_bps", 0.0);
	json_null(&j, "alert_since");
	json_end_object(&j);
	json_begin_object(&j, NULL);
	json_string(&j, "name", NULL);
	json_begin_array(&j, "lags");
	json_end_array(&j);
	json_end_object(&j);
	json_end_array(&j);
	check(&j,
	      "[{\"dev\":\"bond0\",\"members\":[{\"dev\":\"m1\",\"speed_mbps\":10000,\"up\":true},"
	      "{\"dev\":\"m2\",\"speed_mbps\":null,\"up\":false}],"
	      "\"capacity_bps\":20000000000,\"rx_bps\":0.0,\"alert_since\":null},"
	      "{\"name\":null,\"lags\":[]}]\n",
	      "compact nesting");

	start(&j, false);
	json_begin_array(&j, NULL);
	json_u64(&j, NULL, UINT64_MAX);
	json_u64(&j, NULL, 0);
	json_end_array(&j);
	check(&j, "[18446744073709551615,0]\n", "u64 limits");
}

static void test_pretty(void)
{
	struct json j;

	start(&j, true);
	json_begin_array(&j, NULL);
	json_begin_object(&j, NULL);
	json_string(&j, "prefix", "198.51.100.0/24");
	json_begin_array(&j, "lags");
	json_begin_object(&j, NULL);
	json_string(&j, "dev", "bond0");
	json_end_object(&j);
	json_end_array(&j);
	json_begin_array(&j, "empty");
	json_end_array(&j);
	json_end_object(&j);
	json_end_array(&j);
	check(&j,
	      "[\n"
	      "  {\n"
	      "    \"prefix\": \"198.51.100.0/24\",\n"
	      "    \"lags\": [\n"
	      "      {\n"
	      "        \"dev\": \"bond0\"\n"
	      "      }\n"
	      "    ],\n"
	      "    \"empty\": []\n"
	      "  }\n"
	      "]\n",
	      "pretty output");

	start(&j, true);
	json_begin_array(&j, NULL);
	json_end_array(&j);
	check(&j, "[]\n", "pretty empty array");
}

static void str(const char *in, const char *want, const char *name)
{
	struct json j;

	start(&j, false);
	json_string(&j, NULL, in);
	check(&j, want, name);
}

static void test_strings(void)
{
	str("plain", "\"plain\"", "plain string");
	str("", "\"\"", "empty string");
	str("a\"b", "\"a\\\"b\"", "double quote");
	str("a\\b", "\"a\\\\b\"", "backslash");
	str("/", "\"/\"", "slash unescaped");
	str("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"", "short escapes");
	str("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"", "control characters");
	str("caf\xc3\xa9", "\"caf\xc3\xa9\"", "valid 2-byte UTF-8 kept");
	str("\xe2\x82\xac", "\"\xe2\x82\xac\"", "valid 3-byte UTF-8 kept");
	str("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"", "valid 4-byte UTF-8 kept");
	str("a\xff" "b", "\"a\\ufffdb\"", "invalid byte replaced");
	str("\xc0\x80", "\"\\ufffd\\ufffd\"", "overlong NUL replaced");
	str("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"", "surrogate replaced");
	str("\xc3", "\"\\ufffd\"", "truncated sequence replaced");
	str("\xe2\x82", "\"\\ufffd\\ufffd\"", "truncated 3-byte sequence replaced");
}

static void dbl(double v, const char *want)
{
	struct json j;

	start(&j, false);
	json_double(&j, NULL, v);
	check(&j, want, want);
}

static void test_doubles(void)
{
	dbl(0.0, "0.0");
	dbl(-0.0, "0.0");
	dbl(-0.04, "0.0");
	dbl(41.2, "41.2");
	dbl(41.24, "41.2");
	dbl(41.26, "41.3");
	dbl(100.0, "100.0");
	dbl(12345678901.0, "12345678901.0");
	dbl(-1.5, "-1.5");
	dbl(NAN, "null");
	dbl(INFINITY, "null");
}

int main(void)
{
	test_compact();
	test_pretty();
	test_strings();
	test_doubles();
	return tap_done();
}
