// SPDX-License-Identifier: GPL-2.0
/*
 * Checks of psctl's input. Nothing here does I/O: the callers print the
 * messages, and tests/parse_test.c runs every rule.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "parse.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int fail(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (err && len) {
		va_start(ap, fmt);
		vsnprintf(err, len, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char to_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
	       c == '\r';
}

int match_abbrev(const char *arg, const char *const *names, size_t n)
{
	size_t arglen = strlen(arg), i;
	int found = MATCH_NONE;

	if (!arglen)
		return MATCH_NONE;
	for (i = 0; i < n; i++) {
		if (!strcmp(arg, names[i]))
			return (int)i;
		if (!strncmp(arg, names[i], arglen))
			found = found == MATCH_NONE ? (int)i : MATCH_AMBIGUOUS;
	}
	return found;
}

/*
 * Unsigned decimal without sign, blanks or trailing garbage; at most
 * maxdigits digits so that the value cannot overflow.
 */
static int parse_uint(const char *s, unsigned int maxdigits, uint64_t *v)
{
	uint64_t x = 0;
	unsigned int n = 0;

	for (; *s; s++, n++) {
		if (!is_digit(*s) || n == maxdigits)
			return -1;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	if (!n)
		return -1;
	*v = x;
	return 0;
}

/* ---- prefixes ---------------------------------------------------------- */

static unsigned int addr_bytes(uint8_t family)
{
	return family == AF_INET ? 4 : 16;
}

/* Do the first bits bits of a and b agree? */
static bool bits_equal(const uint8_t *a, const uint8_t *b, unsigned int bits)
{
	unsigned int bytes = bits / 8, rest = bits % 8;
	uint8_t mask;

	if (memcmp(a, b, bytes))
		return false;
	if (!rest)
		return true;
	mask = (uint8_t)(0xff << (8 - rest));
	return !((a[bytes] ^ b[bytes]) & mask);
}

static void mask_host_bits(struct psctl_prefix *p)
{
	unsigned int i, n = addr_bytes(p->family);

	for (i = 0; i < n; i++) {
		unsigned int first = i * 8;

		if (first >= p->plen)
			p->addr[i] = 0;
		else if (first + 8 > p->plen)
			p->addr[i] &= (uint8_t)(0xff << (first + 8 - p->plen));
	}
}

void prefix_format(const struct psctl_prefix *p, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];

	if (!inet_ntop(p->family, p->addr, addr, sizeof(addr)))
		snprintf(addr, sizeof(addr), "?");
	snprintf(buf, len, "%s/%u", addr, p->plen);
}

int prefix_from_raw(struct psctl_prefix *p, uint8_t family, const void *addr,
		    size_t addrlen, uint8_t plen)
{
	memset(p, 0, sizeof(*p));
	if ((family != AF_INET && family != AF_INET6) ||
	    addrlen != addr_bytes(family) || plen > addrlen * 8)
		return -1;
	p->family = family;
	p->plen = plen;
	memcpy(p->addr, addr, addrlen);
	return 0;
}

int parse_prefix(const char *s, struct psctl_prefix *p, char *err, size_t len)
{
	char addr[INET6_ADDRSTRLEN + 1], text[PREFIX_STRLEN];
	const char *slash = strrchr(s, '/');
	unsigned int min, max;
	struct psctl_prefix masked;
	size_t alen;
	uint64_t plen;

	memset(p, 0, sizeof(*p));
	alen = slash ? (size_t)(slash - s) : strlen(s);
	if (alen >= sizeof(addr))
		return fail(err, len, "invalid prefix \"%s\": not an IPv4 or IPv6 address",
			    s);
	memcpy(addr, s, alen);
	addr[alen] = '\0';

	if (strchr(addr, ':')) {
		p->family = AF_INET6;
		min = 16;
		max = 128;
		if (inet_pton(AF_INET6, addr, p->addr) != 1)
			return fail(err, len, "invalid prefix \"%s\": \"%s\" is not an IPv6 address",
				    s, addr);
	} else {
		p->family = AF_INET;
		min = 8;
		max = 32;
		if (inet_pton(AF_INET, addr, p->addr) != 1)
			return fail(err, len,
				    "invalid prefix \"%s\": \"%s\" is not an IPv4 address in dotted-quad form (a.b.c.d)",
				    s, addr);
	}

	if (!slash)
		return fail(err, len,
			    "invalid prefix \"%s\": the prefix length is missing (for a single address write %s/%u)",
			    s, addr, max);
	if (parse_uint(slash + 1, 3, &plen) || (slash[1] == '0' && slash[2]))
		return fail(err, len, "invalid prefix \"%s\": bad prefix length \"%s\"",
			    s, slash + 1);
	if (plen < min || plen > max)
		return fail(err, len,
			    "invalid prefix \"%s\": an %s prefix length must be %u to %u",
			    s, p->family == AF_INET ? "IPv4" : "IPv6", min, max);
	p->plen = (uint8_t)plen;

	masked = *p;
	mask_host_bits(&masked);
	if (memcmp(masked.addr, p->addr, sizeof(p->addr))) {
		prefix_format(&masked, text, sizeof(text));
		return fail(err, len,
			    "invalid prefix \"%s\": host bits are set; did you mean %s?",
			    s, text);
	}
	return 0;
}

#define V4(a, b, c, d, len) \
	{ .family = AF_INET, .plen = (len), .addr = { a, b, c, d } }
#define V6(len, ...) \
	{ .family = AF_INET6, .plen = (len), .addr = { __VA_ARGS__ } }

/* IANA special-purpose registries (RFC 6890 and successors). */
static const struct reserved_range reserved_v4[] = {
	{ V4(0, 0, 0, 0, 8), "0.0.0.0/8", "\"this network\"" },
	{ V4(10, 0, 0, 0, 8), "10.0.0.0/8", "private" },
	{ V4(100, 64, 0, 0, 10), "100.64.0.0/10", "shared address space (CGNAT)" },
	{ V4(127, 0, 0, 0, 8), "127.0.0.0/8", "loopback" },
	{ V4(169, 254, 0, 0, 16), "169.254.0.0/16", "link-local" },
	{ V4(172, 16, 0, 0, 12), "172.16.0.0/12", "private" },
	{ V4(192, 0, 0, 0, 24), "192.0.0.0/24", "IETF protocol assignments" },
	{ V4(192, 0, 2, 0, 24), "192.0.2.0/24", "documentation (TEST-NET-1)" },
	{ V4(192, 88, 99, 0, 24), "192.88.99.0/24", "6to4 relay anycast" },
	{ V4(192, 168, 0, 0, 16), "192.168.0.0/16", "private" },
	{ V4(198, 18, 0, 0, 15), "198.18.0.0/15", "benchmarking" },
	{ V4(198, 51, 100, 0, 24), "198.51.100.0/24", "documentation (TEST-NET-2)" },
	{ V4(203, 0, 113, 0, 24), "203.0.113.0/24", "documentation (TEST-NET-3)" },
	{ V4(224, 0, 0, 0, 4), "224.0.0.0/4", "multicast" },
	{ V4(240, 0, 0, 0, 4), "240.0.0.0/4",
	  "reserved (incl. broadcast 255.255.255.255)" },
};

/* Special blocks outside 2000::/3, named before the generic refusal. */
static const struct reserved_range reserved_v6_outside[] = {
	{ V6(128, 0), "::/128", "unspecified" },
	{ V6(128, [15] = 1), "::1/128", "loopback" },
	{ V6(96, [10] = 0xff, [11] = 0xff), "::ffff:0:0/96", "IPv4-mapped" },
	{ V6(96, 0x00, 0x64, 0xff, 0x9b), "64:ff9b::/96",
	  "IPv4/IPv6 translation" },
	{ V6(48, 0x00, 0x64, 0xff, 0x9b, 0x00, 0x01), "64:ff9b:1::/48",
	  "local-use IPv4/IPv6 translation" },
	{ V6(7, 0xfc), "fc00::/7", "unique local" },
	{ V6(10, 0xfe, 0x80), "fe80::/10", "link-local" },
	{ V6(8, 0xff), "ff00::/8", "multicast" },
};

static const struct reserved_range global_unicast = {
	V6(3, 0x20), "2000::/3", "global unicast"
};

/* Special blocks inside 2000::/3. */
static const struct reserved_range reserved_v6_inside[] = {
	{ V6(23, 0x20, 0x01, 0x00), "2001::/23", "IETF protocol assignments" },
	{ V6(32, 0x20, 0x01, 0x0d, 0xb8), "2001:db8::/32", "documentation" },
	{ V6(16, 0x20, 0x02), "2002::/16", "6to4" },
	{ V6(20, 0x3f, 0xff, 0x00), "3fff::/20", "documentation" },
};

static bool overlaps(const struct psctl_prefix *a, const struct psctl_prefix *b)
{
	return a->family == b->family &&
	       bits_equal(a->addr, b->addr, a->plen < b->plen ? a->plen : b->plen);
}

static const struct reserved_range *
find_range(const struct psctl_prefix *p, const struct reserved_range *r,
	   size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (overlaps(p, &r[i].prefix))
			return &r[i];
	return NULL;
}

const struct reserved_range *prefix_reserved(const struct psctl_prefix *p,
					     bool *outside_global)
{
	const struct reserved_range *r;

	*outside_global = false;
	if (p->family == AF_INET)
		return find_range(p, reserved_v4, ARRAY_SIZE(reserved_v4));

	r = find_range(p, reserved_v6_outside, ARRAY_SIZE(reserved_v6_outside));
	if (r)
		return r;
	/* IPv6 prefixes are /16 or longer: overlapping 2000::/3 is being in it. */
	if (!overlaps(p, &global_unicast.prefix) ||
	    p->plen < global_unicast.prefix.plen) {
		*outside_global = true;
		return &global_unicast;
	}
	return find_range(p, reserved_v6_inside, ARRAY_SIZE(reserved_v6_inside));
}

int prefix_check_public(const struct psctl_prefix *p, char *err, size_t len)
{
	const struct reserved_range *r;
	char text[PREFIX_STRLEN];
	bool outside;

	r = prefix_reserved(p, &outside);
	if (!r)
		return 0;
	prefix_format(p, text, sizeof(text));
	if (outside)
		return fail(err, len,
			    "prefix %s lies outside global unicast %s; use allow-reserved to register it anyway",
			    text, r->text);
	return fail(err, len,
		    "prefix %s %s reserved range %s: %s; use allow-reserved to register it anyway",
		    text, p->plen >= r->prefix.plen ? "lies in" : "overlaps",
		    r->text, r->kind);
}

/* ---- names, devices, numbers ------------------------------------------- */

int parse_name(const char *s, char *err, size_t len)
{
	size_t n = strlen(s), i;

	if (!n)
		return fail(err, len, "invalid name \"\": must not be empty");
	if (n >= PSMON_NAME_SIZE)
		return fail(err, len, "invalid name \"%s\": longer than %d characters",
			    s, PSMON_NAME_SIZE - 1);
	if (s[0] == '#')
		return fail(err, len,
			    "invalid name \"%s\": must not start with '#' (it starts a comment in batch files)",
			    s);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == ' ')
			return fail(err, len, "invalid name \"%s\": must not contain spaces", s);
		if (c == '"' || c == '\'' || c == '\\')
			return fail(err, len,
				    "invalid name \"%s\": must not contain quotes or backslashes",
				    s);
		if (c < 0x21 || c > 0x7e)
			return fail(err, len,
				    "invalid name: character %zu (0x%02x) is not printable ASCII",
				    i + 1, c);
	}
	return 0;
}

int parse_dev(const char *s, char *err, size_t len)
{
	size_t n = strlen(s), i;

	if (!n)
		return fail(err, len, "invalid device name \"\": must not be empty");
	if (n > IFNAME_MAXLEN)
		return fail(err, len,
			    "invalid device name \"%s\": longer than %d characters",
			    s, IFNAME_MAXLEN);
	if (!strcmp(s, ".") || !strcmp(s, ".."))
		return fail(err, len, "invalid device name \"%s\"", s);
	for (i = 0; i < n; i++) {
		if (s[i] == '/' || s[i] == ':' || is_blank(s[i]))
			return fail(err, len,
				    "invalid device name \"%s\": must not contain '/', ':' or blanks",
				    s);
	}
	return 0;
}

static const struct {
	const char *name;
	unsigned int exp10;
} rate_units[] = {
	{ "", 0 }, { "bit", 0 }, { "kbit", 3 }, { "mbit", 6 }, { "gbit", 9 },
	{ "tbit", 12 },
};

static bool unit_is(const char *s, const char *unit)
{
	for (; *s && *unit; s++, unit++)
		if (to_lower(*s) != *unit)
			return false;
	return !*s && !*unit;
}

int parse_rate(const char *s, uint64_t *bps, char *err, size_t len)
{
	const char *p = s, *frac, *unit;
	uint64_t whole = 0, fval = 0, pow10 = 1, v;
	unsigned int nfrac = 0, exp10 = 0, i;
	bool found = false;

	if (*p == '-')
		return fail(err, len, "invalid rate \"%s\": must be a positive number", s);
	if (!is_digit(*p))
		return fail(err, len,
			    "invalid rate \"%s\": expected a number with an optional unit bit, kbit, mbit, gbit or tbit",
			    s);
	for (; is_digit(*p); p++) {
		uint64_t d = (uint64_t)(*p - '0');

		if (whole > UINT64_MAX / 10 ||
		    (whole == UINT64_MAX / 10 && d > UINT64_MAX % 10))
			return fail(err, len, "invalid rate \"%s\": too large", s);
		whole = whole * 10 + d;
	}
	frac = NULL;
	if (*p == '.') {
		frac = ++p;
		while (is_digit(*p))
			p++;
		if (p == frac)
			return fail(err, len,
				    "invalid rate \"%s\": expected digits after the decimal point",
				    s);
	}
	unit = p;
	for (i = 0; i < sizeof(rate_units) / sizeof(rate_units[0]); i++) {
		if (unit_is(unit, rate_units[i].name)) {
			exp10 = rate_units[i].exp10;
			found = true;
			break;
		}
	}
	if (!found)
		return fail(err, len,
			    "invalid rate \"%s\": unknown unit \"%s\" (use bit, kbit, mbit, gbit or tbit)",
			    s, unit);

	if (frac) {
		/* Digits after the point, trailing zeros ignored. */
		const char *end = unit;

		while (end > frac && end[-1] == '0')
			end--;
		nfrac = (unsigned int)(end - frac);
		if (nfrac > exp10)
			return fail(err, len,
				    "invalid rate \"%s\": not a whole number of bit/s", s);
		for (; frac < end; frac++)
			fval = fval * 10 + (uint64_t)(*frac - '0');
		for (i = nfrac; i < exp10; i++)
			fval *= 10;
	}
	for (i = 0; i < exp10; i++)
		pow10 *= 10;
	if (whole > UINT64_MAX / pow10)
		return fail(err, len, "invalid rate \"%s\": too large", s);
	v = whole * pow10;
	if (v > UINT64_MAX - fval)
		return fail(err, len, "invalid rate \"%s\": too large", s);
	v += fval;
	if (!v)
		return fail(err, len, "invalid rate \"%s\": must be greater than 0", s);
	*bps = v;
	return 0;
}

static int parse_range(const char *what, const char *s, uint64_t min,
		       uint64_t max, uint64_t *v, char *err, size_t len)
{
	if (parse_uint(s, 10, v) || *v < min || *v > max)
		return fail(err, len,
			    "invalid %s \"%s\": must be an integer from %llu to %llu",
			    what, s, (unsigned long long)min,
			    (unsigned long long)max);
	return 0;
}

int parse_pct(const char *what, const char *s, uint8_t *v, char *err,
	      size_t len)
{
	uint64_t x = 0;

	if (parse_range(what, s, PCT_MIN, PCT_MAX, &x, err, len))
		return -1;
	*v = (uint8_t)x;
	return 0;
}

int parse_secs(const char *what, const char *s, uint32_t *v, char *err,
	       size_t len)
{
	uint64_t x = 0;

	if (parse_range(what, s, SECS_MIN, SECS_MAX, &x, err, len))
		return -1;
	*v = (uint32_t)x;
	return 0;
}

/* ---- whole commands ---------------------------------------------------- */

enum { LAG_CAPACITY, LAG_THRESHOLD, LAG_CLEAR, LAG_WINDOW };

static const char *const lag_keywords[] = {
	[LAG_CAPACITY] = "capacity",
	[LAG_THRESHOLD] = "threshold",
	[LAG_CLEAR] = "clear",
	[LAG_WINDOW] = "window",
};

static int keyword_index(const char *arg, const char *const *kw, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(arg, kw[i]))
			return (int)i;
	return -1;
}

int parse_lag_args(int argc, char **argv, struct lag_args *a, char *err,
		   size_t len)
{
	bool seen[ARRAY_SIZE(lag_keywords)] = { false };
	int i, k;

	memset(a, 0, sizeof(*a));
	if (argc < 1)
		return fail(err, len, "missing DEV");
	if (parse_dev(argv[0], err, len))
		return -1;
	a->dev = argv[0];

	for (i = 1; i < argc; i += 2) {
		const char *val = argv[i + 1 < argc ? i + 1 : i];

		k = keyword_index(argv[i], lag_keywords, ARRAY_SIZE(lag_keywords));
		if (k < 0)
			return fail(err, len,
				    "unknown argument \"%s\" (expected capacity, threshold, clear or window)",
				    argv[i]);
		if (seen[k])
			return fail(err, len, "duplicate keyword \"%s\"", argv[i]);
		seen[k] = true;
		if (i + 1 >= argc)
			return fail(err, len, "missing value after \"%s\"", argv[i]);

		switch (k) {
		case LAG_CAPACITY:
			a->has_capacity = true;
			if (!strcmp(val, "auto"))
				a->capacity_auto = true;
			else if (parse_rate(val, &a->capacity, err, len))
				return -1;
			break;
		case LAG_THRESHOLD:
			a->has_threshold = true;
			if (parse_pct("threshold", val, &a->threshold, err, len))
				return -1;
			break;
		case LAG_CLEAR:
			a->has_clear = true;
			if (parse_pct("clear", val, &a->clear, err, len))
				return -1;
			break;
		case LAG_WINDOW:
			a->has_window = true;
			if (parse_secs("window", val, &a->window, err, len))
				return -1;
			break;
		}
	}
	if (a->has_threshold && a->has_clear && a->clear >= a->threshold)
		return fail(err, len, "clear (%u) must be below threshold (%u)",
			    a->clear, a->threshold);
	return 0;
}

int parse_prefix_add_args(int argc, char **argv, struct prefix_args *a,
			  char *err, size_t len)
{
	int i;

	memset(a, 0, sizeof(*a));
	if (argc < 1)
		return fail(err, len, "missing PREFIX");
	if (parse_prefix(argv[0], &a->prefix, err, len))
		return -1;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "name")) {
			if (a->has_name)
				return fail(err, len, "duplicate keyword \"name\"");
			if (i + 1 >= argc)
				return fail(err, len, "missing value after \"name\"");
			if (parse_name(argv[++i], err, len))
				return -1;
			a->has_name = true;
			memcpy(a->name, argv[i], strlen(argv[i]) + 1);
		} else if (!strcmp(argv[i], "allow-reserved")) {
			if (a->allow_reserved)
				return fail(err, len,
					    "duplicate keyword \"allow-reserved\"");
			a->allow_reserved = true;
		} else {
			return fail(err, len,
				    "unknown argument \"%s\" (expected name or allow-reserved)",
				    argv[i]);
		}
	}
	if (!a->allow_reserved && prefix_check_public(&a->prefix, err, len))
		return -1;
	return 0;
}

int split_line(char *line, char **argv, int max)
{
	int argc = 0;
	char *p = line;

	for (;;) {
		while (is_blank(*p))
			p++;
		if (!*p || *p == '#')
			break;
		if (argc == max)
			return -1;
		argv[argc++] = p;
		while (*p && !is_blank(*p))
			p++;
		if (!*p)
			break;
		*p++ = '\0';
	}
	return argc;
}
