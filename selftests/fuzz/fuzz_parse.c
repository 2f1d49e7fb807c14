// SPDX-License-Identifier: GPL-2.0
/*
 * psctl's argument parsers: prefixes, rates, percentages, durations,
 * names and device names.  The first byte picks the parser, the rest is
 * the argument.  A prefix that parses prints back to a text that parses
 * to the same prefix.
 */
#include <stdint.h>

#include "fuzz_common.h"
#include "parse.h"

static void prefix_roundtrip(const char *s)
{
	struct psctl_prefix p, q;
	char err[256], text[PREFIX_STRLEN];
	bool outside;

	if (parse_prefix(s, &p, err, sizeof(err)))
		return;
	fuzz_assert(p.family == 2 || p.family == 10);
	fuzz_assert(p.plen <= (p.family == 2 ? 32 : 128));
	prefix_format(&p, text, sizeof(text));
	fuzz_assert(!parse_prefix(text, &q, err, sizeof(err)));
	fuzz_assert(!memcmp(&p, &q, sizeof(p)));
	(void)prefix_reserved(&p, &outside);
	(void)prefix_check_public(&p, err, sizeof(err));
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char err[256], *s;
	uint64_t bps;
	uint32_t secs;
	uint8_t pct;

	if (!size)
		return 0;
	s = fuzz_str(data + 1, size - 1);
	switch (data[0] % 6) {
	case 0:
		prefix_roundtrip(s);
		break;
	case 1:
		if (!parse_rate(s, &bps, err, sizeof(err)))
			fuzz_assert(bps > 0);
		break;
	case 2:
		if (!parse_pct("threshold", s, &pct, err, sizeof(err)))
			fuzz_assert(pct >= PCT_MIN && pct <= PCT_MAX);
		break;
	case 3:
		if (!parse_secs("window", s, &secs, err, sizeof(err)))
			fuzz_assert(secs >= SECS_MIN && secs <= SECS_MAX);
		break;
	case 4:
		if (!parse_name(s, err, sizeof(err)))
			fuzz_assert(strlen(s) < PSMON_NAME_SIZE);
		break;
	default:
		if (!parse_dev(s, err, sizeof(err)))
			fuzz_assert(strlen(s) <= IFNAME_MAXLEN);
		break;
	}
	free(s);
	return 0;
}
