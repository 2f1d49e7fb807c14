// SPDX-License-Identifier: GPL-2.0
/* Unit tests of prom.c: label escaping, samples and exact values. */
#include <stdlib.h>
#include <string.h>

#include "prom.h"
#include "tap.h"

static char *out;
static size_t outlen;

static FILE *start(void)
{
	return open_memstream(&out, &outlen);
}

static void check(FILE *f, const char *want, const char *name)
{
	fclose(f);
	is_str(out, want, "%s", name);
	free(out);
	out = NULL;
}

static void test_labels(void)
{
	FILE *f;

	f = start();
	prom_label_value(f, "bond0");
	check(f, "\"bond0\"", "plain value");
	f = start();
	prom_label_value(f, "");
	check(f, "\"\"", "empty value");
	f = start();
	prom_label_value(f, "a\\b");
	check(f, "\"a\\\\b\"", "backslash escaped");
	f = start();
	prom_label_value(f, "say \"hi\"");
	check(f, "\"say \\\"hi\\\"\"", "double quotes escaped");
	f = start();
	prom_label_value(f, "two\nlines");
	check(f, "\"two\\nlines\"", "newline escaped");
	f = start();
	prom_label_value(f, "tab\there");
	check(f, "\"tab\there\"", "tab as is (the format allows it)");
	f = start();
	prom_label_value(f, "caf\xc3\xa9 \xe2\x82\xac");
	check(f, "\"caf\xc3\xa9 \xe2\x82\xac\"", "valid UTF-8 as is");
	f = start();
	prom_label_value(f, "bad\xff\xc3(");
	check(f, "\"bad\xef\xbf\xbd\xef\xbf\xbd(\"", "invalid UTF-8 becomes U+FFFD");
	f = start();
	prom_label_value(f, "\\\"\n\\");
	check(f, "\"\\\\\\\"\\n\\\\\"", "all three together");
}

static void test_samples(void)
{
	const struct prom_label one[] = { { "lag", "bond0" } };
	const struct prom_label three[] = {
		{ "prefix", "198.51.100.0/24" }, { "name", "" }, { "lag", "b\"0" },
	};
	FILE *f;

	f = start();
	prom_sample(f, "psmon_export_timestamp_seconds", NULL, 0, "1764000000");
	check(f, "psmon_export_timestamp_seconds 1764000000\n", "no labels");
	f = start();
	prom_sample(f, "psmon_lag_alert", one, 1, "1");
	check(f, "psmon_lag_alert{lag=\"bond0\"} 1\n", "one label");
	f = start();
	prom_sample(f, "psmon_prefix_receive_bytes_total", three, 3, "1420");
	check(f, "psmon_prefix_receive_bytes_total{prefix=\"198.51.100.0/24\",name=\"\",lag=\"b\\\"0\"} 1420\n",
	      "three labels, one empty, one escaped");
	prom_common_label("netns", "blue\"");
	f = start();
	prom_sample(f, "psmon_state_healthy", NULL, 0, "1");
	check(f, "psmon_state_healthy{netns=\"blue\\\"\"} 1\n", "common label alone, escaped");
	f = start();
	prom_sample(f, "psmon_prefix_receive_bytes_total", three, 3, "1420");
	check(f, "psmon_prefix_receive_bytes_total{prefix=\"198.51.100.0/24\",name=\"\",lag=\"b\\\"0\",netns=\"blue\\\"\"} 1420\n",
	      "common label after the sample's own");
	prom_common_label(NULL, NULL);
	f = start();
	prom_sample(f, "psmon_lag_alert", one, 1, "1");
	check(f, "psmon_lag_alert{lag=\"bond0\"} 1\n", "common label gone");
	f = start();
	prom_family(f, "psmon_lag_alert", "gauge", "1 while raised.");
	check(f, "# HELP psmon_lag_alert 1 while raised.\n# TYPE psmon_lag_alert gauge\n",
	      "HELP and TYPE");
}

static void test_values(void)
{
	static const struct {
		uint64_t ppm;
		const char *want;
	} ppm[] = {
		{ 0, "0" }, { 1, "0.000001" }, { 400000, "0.4" }, { 412000, "0.412" },
		{ 999999, "0.999999" }, { 1000000, "1" }, { 1234567, "1.234567" },
		{ 4294967295ULL, "4294.967295" },
	};
	static const struct {
		uint64_t bits;
		const char *want;
	} bits[] = {
		{ 0, "0" }, { 8, "1" }, { 7, "0.875" }, { 1, "0.125" },
		{ 20000000000ULL, "2500000000" }, { 2500000001ULL, "312500000.125" },
		{ 18446744073709551615ULL, "2305843009213693951.875" },
	};
	char buf[PROM_VALUE_LEN];
	size_t i;

	for (i = 0; i < sizeof(ppm) / sizeof(ppm[0]); i++) {
		prom_ppm(buf, sizeof(buf), ppm[i].ppm);
		is_str(buf, ppm[i].want, "ppm %llu", (unsigned long long)ppm[i].ppm);
	}
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		prom_bits_as_bytes(buf, sizeof(buf), bits[i].bits);
		is_str(buf, bits[i].want, "%llu bit/s in bytes",
		       (unsigned long long)bits[i].bits);
	}
	prom_u64(buf, sizeof(buf), 18446744073709551615ULL);
	is_str(buf, "18446744073709551615", "u64 maximum");
	prom_i64(buf, sizeof(buf), -5);
	is_str(buf, "-5", "negative");
}

int main(void)
{
	test_labels();
	test_samples();
	test_values();
	return tap_done();
}
