// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of parse.c and format.c: every input rule of psctl.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "format.h"
#include "parse.h"
#include "tap.h"

#define ERR_LEN 256

static char err[ERR_LEN];

static bool contains(const char *s, const char *part)
{
	return strstr(s, part) != NULL;
}

/* ---- abbreviations ----------------------------------------------------- */

static void test_match_abbrev(void)
{
	static const char *const cmds[] = { "add", "set", "del", "show", "help" };
	static const char *const objs[] = { "lag", "prefix", "help" };
	static const char *const pre[] = { "sh", "show" };

	ok(match_abbrev("add", cmds, 5) == 0, "abbrev: exact add");
	ok(match_abbrev("a", cmds, 5) == 0, "abbrev: a = add");
	ok(match_abbrev("sh", cmds, 5) == 3, "abbrev: sh = show");
	ok(match_abbrev("se", cmds, 5) == 1, "abbrev: se = set");
	ok(match_abbrev("s", cmds, 5) == MATCH_AMBIGUOUS, "abbrev: s is ambiguous");
	ok(match_abbrev("d", cmds, 5) == 2, "abbrev: d = del");
	ok(match_abbrev("h", cmds, 5) == 4, "abbrev: h = help");
	ok(match_abbrev("x", cmds, 5) == MATCH_NONE, "abbrev: x matches nothing");
	ok(match_abbrev("", cmds, 5) == MATCH_NONE, "abbrev: empty matches nothing");
	ok(match_abbrev("addx", cmds, 5) == MATCH_NONE, "abbrev: longer than the name");
	ok(match_abbrev("p", objs, 3) == 1, "abbrev: p = prefix");
	ok(match_abbrev("l", objs, 3) == 0, "abbrev: l = lag");
	ok(match_abbrev("sh", pre, 2) == 0, "abbrev: an exact match wins");
}

/* ---- prefixes ---------------------------------------------------------- */

static void prefix_ok(const char *in, const char *canonical)
{
	struct psctl_prefix p;
	char text[PREFIX_STRLEN];
	int ret = parse_prefix(in, &p, err, sizeof(err));

	ok(!ret, "prefix %s parses%s%s", in, ret ? ": " : "", ret ? err : "");
	prefix_format(&p, text, sizeof(text));
	is_str(text, canonical, "prefix %s is written %s", in, canonical);
}

/* The prefix is refused with a message containing each of the parts. */
static void prefix_bad(const char *in, const char *part1, const char *part2)
{
	struct psctl_prefix p;
	int ret = parse_prefix(in, &p, err, sizeof(err));

	ok(ret && contains(err, part1) && (!part2 || contains(err, part2)),
	   "prefix \"%s\" refused: %s", in, ret ? err : "(accepted)");
}

static void test_prefix_syntax(void)
{
	prefix_ok("192.0.2.0/24", "192.0.2.0/24");
	prefix_ok("8.0.0.0/8", "8.0.0.0/8");
	prefix_ok("1.2.3.4/32", "1.2.3.4/32");
	prefix_ok("2001:DB8:0:0::/64", "2001:db8::/64");
	prefix_ok("2001:0db8:0000:0000:0001:0000:0000:0000/128", "2001:db8:0:0:1::/128");
	prefix_ok("2001:db8:0:0:0:1:0:0/128", "2001:db8::1:0:0/128");
	prefix_ok("2001:0:0:1:0:0:0:0/64", "2001:0:0:1::/64");
	prefix_ok("2a00:1450::/32", "2a00:1450::/32");
	prefix_ok("::ffff:192.0.2.0/120", "::ffff:192.0.2.0/120");

	prefix_bad("10/8", "\"10/8\"", "dotted-quad");
	prefix_bad("10.0/16", "\"10.0/16\"", "dotted-quad");
	prefix_bad("10.0.0/24", "\"10.0.0/24\"", "dotted-quad");
	prefix_bad("1.2.3.4.5/32", "\"1.2.3.4.5/32\"", "dotted-quad");
	prefix_bad("256.0.0.0/8", "\"256.0.0.0/8\"", "dotted-quad");
	prefix_bad("010.0.0.0/8", "\"010.0.0.0/8\"", "dotted-quad");
	prefix_bad("0x0a.0.0.0/8", "\"0x0a.0.0.0/8\"", NULL);
	prefix_bad(" 1.2.3.0/24", "\" 1.2.3.0/24\"", NULL);
	prefix_bad("", "\"\"", NULL);
	prefix_bad("/8", "\"/8\"", NULL);
	prefix_bad("x", "\"x\"", NULL);
	prefix_bad("2001:db8::g/64", "\"2001:db8::g/64\"", "IPv6");
	prefix_bad("2001:db8:::/64", "\"2001:db8:::/64\"", "IPv6");
	prefix_bad("fe80::1%eth0/64", "\"fe80::1%eth0/64\"", "IPv6");
	prefix_bad("2001:db8:0:0:0:0:0:0:0/64", "IPv6", NULL);
	prefix_bad("1.2.3.0/24/5", "\"1.2.3.0/24/5\"", NULL);

	/* An explicit length is required. */
	prefix_bad("1.2.3.4", "length is missing", "1.2.3.4/32");
	prefix_bad("2001:db8::1", "length is missing", "2001:db8::1/128");
	prefix_bad("1.2.3.0/", "bad prefix length \"\"", NULL);
	prefix_bad("1.2.3.0/abc", "bad prefix length \"abc\"", NULL);
	prefix_bad("1.2.3.0/+24", "bad prefix length", NULL);
	prefix_bad("1.2.3.0/-24", "bad prefix length", NULL);
	prefix_bad("1.2.3.0/024", "bad prefix length", NULL);
	prefix_bad("1.2.3.0/24 ", "bad prefix length", NULL);
	prefix_bad("1.2.3.0/1000", "bad prefix length", NULL);
}

static void test_prefix_lengths(void)
{
	prefix_bad("8.0.0.0/7", "8 to 32", "IPv4");
	prefix_bad("0.0.0.0/0", "8 to 32", NULL);
	prefix_ok("11.0.0.0/8", "11.0.0.0/8");
	prefix_ok("8.8.8.8/32", "8.8.8.8/32");
	prefix_bad("8.8.8.8/33", "8 to 32", NULL);
	prefix_bad("2001::/15", "16 to 128", "IPv6");
	prefix_bad("::/0", "16 to 128", NULL);
	prefix_ok("2400::/16", "2400::/16");
	prefix_ok("2400::1/128", "2400::1/128");
	prefix_bad("2400::/129", "16 to 128", NULL);
}

static void test_host_bits(void)
{
	prefix_bad("198.51.100.1/24", "host bits", "did you mean 198.51.100.0/24?");
	prefix_bad("198.51.100.128/24", "host bits", "did you mean 198.51.100.0/24?");
	prefix_bad("10.1.2.3/8", "host bits", "did you mean 10.0.0.0/8?");
	prefix_bad("172.31.0.0/11", "host bits", "did you mean 172.0.0.0/11?");
	prefix_bad("203.0.113.7/31", "host bits", "did you mean 203.0.113.6/31?");
	prefix_bad("2001:db8::1/64", "host bits", "did you mean 2001:db8::/64?");
	prefix_bad("2001:db8:4000::/33", "host bits", "did you mean 2001:db8::/33?");
	prefix_bad("2001:db8::1/127", "host bits", "did you mean 2001:db8::/127?");
	prefix_ok("203.0.113.6/31", "203.0.113.6/31");
	prefix_ok("2001:db8:8000::/33", "2001:db8:8000::/33");
}

/* Expect the prefix refused, naming range (and kind when given). */
static void reserved(const char *in, const char *range, const char *kind)
{
	struct psctl_prefix p;
	int ret;

	if (parse_prefix(in, &p, err, sizeof(err))) {
		ok(0, "reserved %s: does not parse: %s", in, err);
		return;
	}
	ret = prefix_check_public(&p, err, sizeof(err));
	ok(ret && contains(err, range) && (!kind || contains(err, kind)) &&
	   contains(err, "allow-reserved"),
	   "%s is refused naming %s: %s", in, range, ret ? err : "(accepted)");
}

static void public(const char *in)
{
	struct psctl_prefix p;
	int ret;

	if (parse_prefix(in, &p, err, sizeof(err))) {
		ok(0, "public %s: does not parse: %s", in, err);
		return;
	}
	ret = prefix_check_public(&p, err, sizeof(err));
	ok(!ret, "%s is public%s%s", in, ret ? ": " : "", ret ? err : "");
}

static void test_reserved_v4(void)
{
	/* For each range: inside, overlapping or containing, public neighbours. */
	reserved("0.0.0.0/16", "0.0.0.0/8", "this network");
	reserved("0.0.0.0/8", "0.0.0.0/8", "this network");
	public("1.0.0.0/8");

	reserved("10.1.2.0/24", "10.0.0.0/8", "private");
	reserved("10.0.0.0/8", "10.0.0.0/8", "private");
	public("9.255.255.0/24");
	public("11.0.0.0/8");

	reserved("100.64.1.0/24", "100.64.0.0/10", "shared address space (CGNAT)");
	reserved("100.0.0.0/8", "100.64.0.0/10", "CGNAT");
	public("100.63.255.0/24");
	public("100.128.0.0/10");

	reserved("127.0.0.1/32", "127.0.0.0/8", "loopback");
	reserved("127.0.0.0/8", "127.0.0.0/8", "loopback");
	public("126.255.255.0/24");
	public("128.0.0.0/8");

	reserved("169.254.1.0/24", "169.254.0.0/16", "link-local");
	reserved("169.0.0.0/8", "169.254.0.0/16", "link-local");
	public("169.253.0.0/16");
	public("169.255.0.0/16");

	reserved("172.31.255.0/24", "172.16.0.0/12", "private");
	reserved("172.0.0.0/8", "172.16.0.0/12", "private");
	public("172.15.255.0/24");
	public("172.32.0.0/16");

	reserved("192.0.0.8/29", "192.0.0.0/24", "IETF protocol assignments");
	reserved("192.0.0.0/16", "192.0.0.0/24", "IETF protocol assignments");
	public("192.0.1.0/24");

	reserved("192.0.2.128/25", "192.0.2.0/24", "documentation (TEST-NET-1)");
	reserved("192.0.2.0/23", "192.0.2.0/24", "TEST-NET-1");
	public("192.0.3.0/24");

	reserved("192.88.99.1/32", "192.88.99.0/24", "6to4 relay anycast");
	reserved("192.88.96.0/22", "192.88.99.0/24", "6to4 relay anycast");
	public("192.88.98.0/24");
	public("192.88.100.0/24");

	reserved("192.168.1.0/24", "192.168.0.0/16", "private");
	reserved("192.160.0.0/12", "192.168.0.0/16", "private");
	public("192.167.255.0/24");
	public("192.169.0.0/16");

	reserved("198.19.0.0/16", "198.18.0.0/15", "benchmarking");
	reserved("198.16.0.0/13", "198.18.0.0/15", "benchmarking");
	public("198.17.255.0/24");
	public("198.20.0.0/16");

	reserved("198.51.100.0/25", "198.51.100.0/24", "documentation (TEST-NET-2)");
	reserved("198.51.0.0/16", "198.51.100.0/24", "TEST-NET-2");
	public("198.51.99.0/24");
	public("198.51.101.0/24");

	reserved("203.0.113.64/26", "203.0.113.0/24", "documentation (TEST-NET-3)");
	reserved("203.0.112.0/23", "203.0.113.0/24", "TEST-NET-3");
	public("203.0.112.0/24");
	public("203.0.114.0/24");

	reserved("239.255.255.250/32", "224.0.0.0/4", "multicast");
	reserved("224.0.0.0/8", "224.0.0.0/4", "multicast");
	public("223.255.255.0/24");

	reserved("255.255.255.255/32", "240.0.0.0/4", "reserved");
	reserved("240.0.0.0/8", "240.0.0.0/4", "reserved");
	reserved("239.255.255.0/24", "224.0.0.0/4", "multicast");

	/* A /8 over several ranges names one of them. */
	reserved("192.0.0.0/8", "192.0.0.0/24", NULL);
	reserved("198.0.0.0/8", "198.18.0.0/15", NULL);

	public("8.8.8.0/24");
	public("193.0.0.0/8");
	public("223.0.0.0/8");
}

static void test_reserved_v6(void)
{
	/* Outside 2000::/3, named blocks first. */
	reserved("::/128", "::/128", "unspecified");
	reserved("::1/128", "::1/128", "loopback");
	reserved("::/16", "::/128", "unspecified");
	reserved("::2/128", "outside global unicast 2000::/3", NULL);

	reserved("::ffff:192.0.2.0/120", "::ffff:0:0/96", "IPv4-mapped");
	reserved("::ffff:0:0/96", "::ffff:0:0/96", "IPv4-mapped");
	reserved("::fffe:0:0/96", "outside global unicast 2000::/3", NULL);

	reserved("64:ff9b::c000:200/120", "64:ff9b::/96", "translation");
	reserved("64:ff9b::/32", "64:ff9b::/96", "translation");
	reserved("64:ff9a::/32", "outside global unicast 2000::/3", NULL);

	reserved("64:ff9b:1:1::/64", "64:ff9b:1::/48", "translation");
	reserved("64:ff9b:1::/48", "64:ff9b:1::/48", "translation");
	reserved("64:ff9b:2::/48", "outside global unicast 2000::/3", NULL);

	reserved("fd00::/16", "fc00::/7", "unique local");
	reserved("fc00::/16", "fc00::/7", "unique local");
	reserved("fe00::/16", "outside global unicast 2000::/3", NULL);

	reserved("fe80::/64", "fe80::/10", "link-local");
	reserved("febf::/16", "fe80::/10", "link-local");
	reserved("fec0::/16", "outside global unicast 2000::/3", NULL);

	reserved("ff02::/16", "ff00::/8", "multicast");
	reserved("ff00::/16", "ff00::/8", "multicast");
	reserved("ffff:ffff::/32", "ff00::/8", "multicast");

	/* The edges of 2000::/3. */
	reserved("1fff:ffff::/32", "outside global unicast 2000::/3", NULL);
	reserved("4000::/16", "outside global unicast 2000::/3", NULL);
	reserved("8000::/16", "outside global unicast 2000::/3", NULL);
	public("2000::/16");
	public("3ffe::/16");

	/* Inside 2000::/3. */
	reserved("2001::/32", "2001::/23", "IETF protocol assignments");
	reserved("2001:1ff::/32", "2001::/23", "IETF protocol assignments");
	reserved("2001::/16", "2001::/23", "IETF protocol assignments");
	public("2000:ffff::/32");
	public("2001:200::/23");

	reserved("2001:db8:1::/48", "2001:db8::/32", "documentation");
	reserved("2001:d00::/24", "2001:db8::/32", "documentation");
	public("2001:db7::/32");
	public("2001:db9::/32");

	reserved("2002:c000:204::/48", "2002::/16", "6to4");
	reserved("2002::/16", "2002::/16", "6to4");
	public("2003::/16");

	reserved("3fff:fff::/32", "3fff::/20", "documentation");
	reserved("3fff::/16", "3fff::/20", "documentation");
	public("3fff:1000::/20");
	public("3ffe:ffff::/32");

	public("2a00:1450::/32");
	public("2001:4860::/32");
	public("2600::/16");
}

/* ---- names and devices ------------------------------------------------- */

static void name_ok(const char *s)
{
	int ret = parse_name(s, err, sizeof(err));

	ok(!ret, "name \"%s\" accepted%s%s", s, ret ? ": " : "", ret ? err : "");
}

static void name_bad(const char *label, const char *s, const char *part)
{
	int ret = parse_name(s, err, sizeof(err));

	ok(ret && contains(err, part), "name %s refused: %s", label,
	   ret ? err : "(accepted)");
}

static void test_names(void)
{
	char longest[64], toolong[65];

	memset(longest, 'n', 63);
	longest[63] = '\0';
	memset(toolong, 'n', 64);
	toolong[64] = '\0';

	name_ok("A");
	name_ok("customer-1");
	name_ok("AS64500_peering.v4");
	name_ok("a#b");
	name_ok("~!@$%^&*()[]{}<>|=+,;:?`");
	name_ok(longest);
	name_bad("of 64 characters", toolong, "longer than 63");
	name_bad("empty", "", "empty");
	name_bad("with a space", "a b", "spaces");
	name_bad("with a double quote", "a\"b", "quotes");
	name_bad("with a single quote", "a'b", "quotes");
	name_bad("with a backslash", "a\\b", "backslash");
	name_bad("with a tab", "a\tb", "printable");
	name_bad("with a newline", "a\n", "printable");
	name_bad("with DEL", "a\x7f", "printable");
	name_bad("with UTF-8", "caf\xc3\xa9", "printable");
	name_bad("starting with #", "#x", "comment");
}

static void dev_ok(const char *s)
{
	int ret = parse_dev(s, err, sizeof(err));

	ok(!ret, "device \"%s\" accepted%s%s", s, ret ? ": " : "", ret ? err : "");
}

static void dev_bad(const char *label, const char *s, const char *part)
{
	int ret = parse_dev(s, err, sizeof(err));

	ok(ret && contains(err, part), "device %s refused: %s", label,
	   ret ? err : "(accepted)");
}

static void test_devs(void)
{
	dev_ok("bond0");
	dev_ok("eth0.100");
	dev_ok("a");
	dev_ok("...");
	dev_ok(".a");
	dev_ok("123456789012345");
	dev_bad("of 16 characters", "1234567890123456", "longer than 15");
	dev_bad("empty", "", "empty");
	dev_bad(".", ".", "\".\"");
	dev_bad("..", "..", "\"..\"");
	dev_bad("with /", "a/b", "'/'");
	dev_bad("with :", "a:b", "':'");
	dev_bad("with a space", "a b", "blanks");
	dev_bad("with a tab", "a\tb", "blanks");
	dev_bad("with a newline", "a\n", "blanks");
}

/* ---- numbers ----------------------------------------------------------- */

static void rate_ok(const char *s, uint64_t want)
{
	uint64_t v = 0;
	int ret = parse_rate(s, &v, err, sizeof(err));

	ok(!ret && v == want, "rate \"%s\" = %llu bit/s (got %llu%s%s)", s,
	   (unsigned long long)want, (unsigned long long)v, ret ? ", " : "",
	   ret ? err : "");
}

static void rate_bad(const char *s, const char *part)
{
	uint64_t v = 0;
	int ret = parse_rate(s, &v, err, sizeof(err));
	char quoted[128];

	snprintf(quoted, sizeof(quoted), "\"%s\"", s);
	ok(ret && contains(err, part) && contains(err, quoted),
	   "rate \"%s\" refused: %s", s, ret ? err : "(accepted)");
}

static void test_rates(void)
{
	rate_ok("1", 1);
	rate_ok("100000", 100000);
	rate_ok("1bit", 1);
	rate_ok("1kbit", 1000);
	rate_ok("1mbit", 1000000);
	rate_ok("1gbit", 1000000000ULL);
	rate_ok("1tbit", 1000000000000ULL);
	rate_ok("10Gbit", 10000000000ULL);
	rate_ok("10GBIT", 10000000000ULL);
	rate_ok("100MBit", 100000000ULL);
	rate_ok("2.5gbit", 2500000000ULL);
	rate_ok("0.5kbit", 500);
	rate_ok("1.000kbit", 1000);
	rate_ok("1.50000kbit", 1500);
	rate_ok("0.000000000001tbit", 1);
	rate_ok("007kbit", 7000);
	rate_ok("18446744073709551615", UINT64_MAX);
	rate_ok("18446744073709551615bit", UINT64_MAX);
	rate_ok("18446744tbit", 18446744000000000000ULL);
	rate_ok("18446744.073709551615tbit", UINT64_MAX);

	rate_bad("0", "greater than 0");
	rate_bad("0gbit", "greater than 0");
	rate_bad("0.0kbit", "greater than 0");
	rate_bad("-1", "positive");
	rate_bad("-10gbit", "positive");
	rate_bad("+5", "expected a number");
	rate_bad("", "expected a number");
	rate_bad("abc", "expected a number");
	rate_bad("gbit", "expected a number");
	rate_bad(".5gbit", "expected a number");
	rate_bad("1.", "digits after the decimal point");
	rate_bad("1.gbit", "digits after the decimal point");
	rate_bad("10xbit", "unknown unit \"xbit\"");
	rate_bad("10 gbit", "unknown unit \" gbit\"");
	rate_bad("10gbit ", "unknown unit");
	rate_bad("10bps", "unknown unit \"bps\"");
	rate_bad("10kibit", "unknown unit");
	rate_bad("10gbits", "unknown unit");
	rate_bad("1e9", "unknown unit \"e9\"");
	rate_bad("1.2.3", "unknown unit");
	rate_bad("1.5bit", "whole number");
	rate_bad("1.5", "whole number");
	rate_bad("1.0001kbit", "whole number");
	rate_bad("0.0000000000001tbit", "whole number");
	rate_bad("18446744073709551616", "too large");
	rate_bad("99999999999999999999999", "too large");
	rate_bad("18446745tbit", "too large");
	rate_bad("18446744.073709551616tbit", "too large");
	rate_bad("18446744073709552gbit", "too large");
}

static void test_pct_secs(void)
{
	uint8_t pct;
	uint32_t secs;

	ok(!parse_pct("threshold", "1", &pct, err, sizeof(err)) && pct == 1, "pct 1");
	ok(!parse_pct("threshold", "40", &pct, err, sizeof(err)) && pct == 40, "pct 40");
	ok(!parse_pct("threshold", "100", &pct, err, sizeof(err)) && pct == 100, "pct 100");
	ok(parse_pct("threshold", "0", &pct, err, sizeof(err)) &&
	   contains(err, "invalid threshold \"0\"") && contains(err, "1 to 100"),
	   "pct 0 refused: %s", err);
	ok(parse_pct("clear", "101", &pct, err, sizeof(err)) &&
	   contains(err, "invalid clear \"101\""), "pct 101 refused: %s", err);
	ok(parse_pct("threshold", "-1", &pct, err, sizeof(err)), "pct -1 refused");
	ok(parse_pct("threshold", "+5", &pct, err, sizeof(err)), "pct +5 refused");
	ok(parse_pct("threshold", "4.5", &pct, err, sizeof(err)), "pct 4.5 refused");
	ok(parse_pct("threshold", "40%", &pct, err, sizeof(err)), "pct 40%% refused");
	ok(parse_pct("threshold", "", &pct, err, sizeof(err)), "empty pct refused");
	ok(parse_pct("threshold", "abc", &pct, err, sizeof(err)), "pct abc refused");
	ok(parse_pct("threshold", "4294967336", &pct, err, sizeof(err)),
	   "pct 2^32+40 refused");
	ok(parse_pct("threshold", "99999999999999999999", &pct, err, sizeof(err)),
	   "huge pct refused");

	ok(!parse_secs("window", "1", &secs, err, sizeof(err)) && secs == 1, "secs 1");
	ok(!parse_secs("window", "300", &secs, err, sizeof(err)) && secs == 300, "secs 300");
	ok(!parse_secs("window", "3600", &secs, err, sizeof(err)) && secs == 3600,
	   "secs 3600");
	ok(parse_secs("window", "0", &secs, err, sizeof(err)) &&
	   contains(err, "invalid window \"0\"") && contains(err, "1 to 3600"),
	   "secs 0 refused: %s", err);
	ok(parse_secs("window", "3601", &secs, err, sizeof(err)), "secs 3601 refused");
	ok(parse_secs("window", "5m", &secs, err, sizeof(err)), "secs 5m refused");
	ok(parse_secs("window", "-300", &secs, err, sizeof(err)), "secs -300 refused");
}

/* ---- whole commands ---------------------------------------------------- */

static int lag(struct lag_args *a, const char *line)
{
	static char buf[512];
	char *argv[32];
	int argc;

	snprintf(buf, sizeof(buf), "%s", line);
	argc = split_line(buf, argv, 32);
	return parse_lag_args(argc, argv, a, err, sizeof(err));
}

static void test_lag_args(void)
{
	struct lag_args a;

	ok(!lag(&a, "bond0") && !strcmp(a.dev, "bond0") && !a.has_capacity &&
	   !a.has_threshold && !a.has_clear && !a.has_window, "lag: DEV alone");
	ok(!lag(&a, "bond0 capacity 20gbit threshold 50 clear 45 window 60") &&
	   a.has_capacity && !a.capacity_auto && a.capacity == 20000000000ULL &&
	   a.threshold == 50 && a.clear == 45 && a.window == 60,
	   "lag: every keyword");
	ok(!lag(&a, "bond0 window 10 capacity auto") && a.has_capacity &&
	   a.capacity_auto && a.has_window && a.window == 10,
	   "lag: capacity auto, any order");
	ok(!lag(&a, "bond0 clear 90") && a.has_clear && !a.has_threshold,
	   "lag: clear alone is left to the kernel");
	ok(lag(&a, "bond0 threshold 40 clear 40") &&
	   contains(err, "clear (40) must be below threshold (40)"),
	   "lag: clear = threshold refused: %s", err);
	ok(lag(&a, "bond0 clear 50 threshold 40") && contains(err, "below"),
	   "lag: clear > threshold refused: %s", err);
	ok(lag(&a, "bond0 threshold 40 threshold 50") &&
	   contains(err, "duplicate keyword \"threshold\""),
	   "lag: duplicate keyword refused: %s", err);
	ok(lag(&a, "bond0 capacity auto capacity 1gbit") &&
	   contains(err, "duplicate keyword \"capacity\""),
	   "lag: duplicate capacity refused: %s", err);
	ok(lag(&a, "bond0 threshold") && contains(err, "missing value after \"threshold\""),
	   "lag: missing value refused: %s", err);
	ok(lag(&a, "bond0 speed 10") && contains(err, "unknown argument \"speed\""),
	   "lag: unknown keyword refused: %s", err);
	ok(lag(&a, "bond0 thresh 40") && contains(err, "\"thresh\""),
	   "lag: keywords are not abbreviated: %s", err);
	ok(lag(&a, "bond0 capacity 0") && contains(err, "invalid rate \"0\""),
	   "lag: bad rate refused: %s", err);
	ok(lag(&a, "bond0 capacity AUTO") && contains(err, "\"AUTO\""),
	   "lag: auto is lower case: %s", err);
	ok(lag(&a, "bond0 window 0") && contains(err, "invalid window \"0\""),
	   "lag: bad window refused: %s", err);
	ok(lag(&a, "") && contains(err, "missing DEV"), "lag: missing DEV: %s", err);
	ok(lag(&a, "a/b") && contains(err, "invalid device name \"a/b\""),
	   "lag: bad DEV refused: %s", err);
}

static int padd(struct prefix_args *a, const char *line)
{
	static char buf[512];
	char *argv[32];
	int argc;

	snprintf(buf, sizeof(buf), "%s", line);
	argc = split_line(buf, argv, 32);
	return parse_prefix_add_args(argc, argv, a, err, sizeof(err));
}

static void test_prefix_args(void)
{
	struct prefix_args a;

	ok(!padd(&a, "8.8.8.0/24") && !a.has_name && !a.allow_reserved &&
	   a.prefix.family == AF_INET && a.prefix.plen == 24, "prefix add: bare");
	ok(!padd(&a, "2a00:1450::/32 name google") && a.has_name &&
	   !strcmp(a.name, "google") && a.prefix.family == AF_INET6,
	   "prefix add: with a name");
	ok(!padd(&a, "198.51.100.0/24 allow-reserved name A") && a.allow_reserved &&
	   !strcmp(a.name, "A"), "prefix add: allow-reserved before name");
	ok(!padd(&a, "10.0.0.0/8 name B allow-reserved") && a.allow_reserved,
	   "prefix add: allow-reserved after name");
	ok(padd(&a, "10.0.0.0/8 name B") && contains(err, "10.0.0.0/8") &&
	   contains(err, "private"), "prefix add: reserved refused: %s", err);
	ok(padd(&a, "8.8.8.0/24 name a name b") &&
	   contains(err, "duplicate keyword \"name\""),
	   "prefix add: duplicate name refused: %s", err);
	ok(padd(&a, "8.8.8.0/24 allow-reserved allow-reserved") &&
	   contains(err, "duplicate keyword \"allow-reserved\""),
	   "prefix add: duplicate allow-reserved refused: %s", err);
	ok(padd(&a, "8.8.8.0/24 name") && contains(err, "missing value after \"name\""),
	   "prefix add: missing name refused: %s", err);
	ok(padd(&a, "8.8.8.0/24 name a\"b") && contains(err, "invalid name"),
	   "prefix add: bad name refused: %s", err);
	ok(padd(&a, "8.8.8.0/24 label x") && contains(err, "unknown argument \"label\""),
	   "prefix add: unknown keyword refused: %s", err);
	ok(padd(&a, "") && contains(err, "missing PREFIX"),
	   "prefix add: missing PREFIX: %s", err);
	ok(padd(&a, "8.8.8.1/24 allow-reserved") && contains(err, "host bits"),
	   "prefix add: allow-reserved does not allow host bits: %s", err);
}

static void test_split_line(void)
{
	char buf[256], *argv[4];
	int argc;

	strcpy(buf, "  prefix  add\t8.8.8.0/24   # a comment\n");
	argc = split_line(buf, argv, 4);
	ok(argc == 3 && !strcmp(argv[0], "prefix") && !strcmp(argv[1], "add") &&
	   !strcmp(argv[2], "8.8.8.0/24"), "split: words and a trailing comment");
	strcpy(buf, "# only a comment\n");
	ok(split_line(buf, argv, 4) == 0, "split: comment line");
	strcpy(buf, "   #indented comment");
	ok(split_line(buf, argv, 4) == 0, "split: indented comment");
	strcpy(buf, "");
	ok(split_line(buf, argv, 4) == 0, "split: empty line");
	strcpy(buf, " \t\r\n");
	ok(split_line(buf, argv, 4) == 0, "split: blank line");
	strcpy(buf, "prefix add 8.8.8.0/24 name a#b\r\n");
	ok(split_line(buf, argv, 4) == -1, "split: too many words");
	strcpy(buf, "add 8.8.8.0/24 name a#b\r\n");
	argc = split_line(buf, argv, 4);
	ok(argc == 4 && !strcmp(argv[3], "a#b"), "split: # inside a word, CRLF");
}

/* ---- formatting -------------------------------------------------------- */

static void test_format(void)
{
	char buf[FMT_BUFLEN];
	struct psctl_prefix p;
	static const uint8_t v4[4] = { 198, 51, 100, 0 };
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8 };

	fmt_rate(buf, sizeof(buf), 0);
	is_str(buf, "0 bit/s", "rate 0");
	fmt_rate(buf, sizeof(buf), 999);
	is_str(buf, "999 bit/s", "rate 999");
	fmt_rate(buf, sizeof(buf), 1000);
	is_str(buf, "1 kbit/s", "rate 1000");
	fmt_rate(buf, sizeof(buf), 100000000);
	is_str(buf, "100 Mbit/s", "rate 100M");
	fmt_rate(buf, sizeof(buf), 20000000000ULL);
	is_str(buf, "20 Gbit/s", "rate 20G");
	fmt_rate(buf, sizeof(buf), 2500000000ULL);
	is_str(buf, "2.5 Gbit/s", "rate 2.5G");
	fmt_rate(buf, sizeof(buf), 1234567);
	is_str(buf, "1.235 Mbit/s", "rate 1234567");
	fmt_rate(buf, sizeof(buf), 400000000000ULL);
	is_str(buf, "400 Gbit/s", "rate 400G");
	fmt_rate(buf, sizeof(buf), 1000000000000ULL);
	is_str(buf, "1 Tbit/s", "rate 1T");
	fmt_rate(buf, sizeof(buf), UINT64_MAX);
	is_str(buf, "18.447 Ebit/s", "rate max");
	fmt_rate(buf, sizeof(buf), 1999999999);
	is_str(buf, "2 Gbit/s", "rate rounds up to the next whole");
	fmt_rate(buf, sizeof(buf), 1050000);
	is_str(buf, "1.05 Mbit/s", "rate 1.05M");
	fmt_time(buf, sizeof(buf), 1764000000);
	is_str(buf, "2025-11-24T16:00:00Z", "time in UTC, ISO 8601");
	fmt_date(buf, sizeof(buf), 1769184000);
	is_str(buf, "2026-01-23", "date in UTC");
	fmt_time(buf, sizeof(buf), 0);
	is_str(buf, "1970-01-01T00:00:00Z", "time 0");
	fmt_pct(buf, sizeof(buf), 412000);
	is_str(buf, "41.2%", "pct 41.2");
	fmt_pct(buf, sizeof(buf), 399950);
	is_str(buf, "40.0%", "pct rounds 39.995 to 40.0");
	fmt_pct(buf, sizeof(buf), 0);
	is_str(buf, "0.0%", "pct 0");
	fmt_pct(buf, sizeof(buf), UINT32_MAX);
	is_str(buf, "429496.7%", "pct max");
	fmt_rate(buf, sizeof(buf), 9999999);
	is_str(buf, "10 Mbit/s", "rate 9999999 rounds to 10 Mbit/s");

	fmt_bytes(buf, sizeof(buf), 0);
	is_str(buf, "0 B", "bytes 0");
	fmt_bytes(buf, sizeof(buf), 1023);
	is_str(buf, "1023 B", "bytes 1023");
	fmt_bytes(buf, sizeof(buf), 1024);
	is_str(buf, "1.0 KiB", "bytes 1024");
	fmt_bytes(buf, sizeof(buf), 1420);
	is_str(buf, "1.4 KiB", "bytes 1420");
	fmt_bytes(buf, sizeof(buf), 12897485);
	is_str(buf, "12.3 MiB", "bytes 12.3 MiB");
	fmt_bytes(buf, sizeof(buf), 1048575);
	is_str(buf, "1.0 MiB", "bytes 1 MiB - 1");
	fmt_bytes(buf, sizeof(buf), 5ULL << 40);
	is_str(buf, "5.0 TiB", "bytes 5 TiB");
	fmt_bytes(buf, sizeof(buf), UINT64_MAX);
	is_str(buf, "16.0 EiB", "bytes max");

	ok(!prefix_from_raw(&p, AF_INET, v4, 4, 24), "raw IPv4 prefix");
	prefix_format(&p, buf, sizeof(buf));
	is_str(buf, "198.51.100.0/24", "raw IPv4 prefix text");
	ok(!prefix_from_raw(&p, AF_INET6, v6, 16, 32), "raw IPv6 prefix");
	{
		char text[PREFIX_STRLEN];

		prefix_format(&p, text, sizeof(text));
		is_str(text, "2001:db8::/32", "raw IPv6 prefix text");
	}
	ok(prefix_from_raw(&p, AF_INET, v6, 16, 24), "raw: IPv4 with 16 bytes refused");
	ok(prefix_from_raw(&p, AF_INET6, v4, 4, 24), "raw: IPv6 with 4 bytes refused");
	ok(prefix_from_raw(&p, AF_INET, v4, 4, 33), "raw: IPv4 /33 refused");
	ok(prefix_from_raw(&p, 99, v4, 4, 8), "raw: unknown family refused");
}

int main(void)
{
	test_match_abbrev();
	test_prefix_syntax();
	test_prefix_lengths();
	test_host_bits();
	test_reserved_v4();
	test_reserved_v6();
	test_names();
	test_devs();
	test_rates();
	test_pct_secs();
	test_lag_args();
	test_prefix_args();
	test_split_line();
	test_format();
	return tap_done();
}
