/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Longest-prefix-match tables for psmon.
 *
 * Plain C with no kernel dependency: the same lpm.c is compiled into
 * psmon.ko and into the native unit tests and benchmarks.
 *
 * A table is immutable. The registered prefixes of one family, sorted by
 * (address, length) and without duplicates, are flattened into the sorted,
 * non-overlapping address ranges they cover; each range carries the slot of
 * the most specific prefix covering it, or PSMON_LPM_NONE. A lookup is a
 * binary search over the range starts. Nested prefixes therefore cost
 * nothing at lookup time, and n prefixes give at most 2n + 1 ranges.
 */
#ifndef _PSMON_LPM_H
#define _PSMON_LPM_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include "ktypes.h"	/* selftests/include: u8, u32, u64, size_t */
#endif

#define PSMON_LPM_NONE	0xffffffffu

/* Builder input: one prefix. */
struct psmon_lpm_prefix {
	u8 addr[16];	/* network byte order; IPv4 uses addr[0..3] */
	u8 plen;		/* 0..32 or 0..128 */
	u32 slot;		/* caller's value, returned by lookups */
};

/* One IPv4 range: [start, next range's start), host byte order. */
struct psmon_lpm4_range {
	u32 start;
	u32 slot;
};

/* One IPv6 range, the address as two host-order 64-bit halves. */
struct psmon_lpm6_range {
	u64 hi;
	u64 lo;
	u32 slot;
};

/* Most ranges n prefixes can produce. */
static inline size_t psmon_lpm_ranges_max(size_t n)
{
	return 2 * n + 1;
}

/*
 * Sort prefixes of one family in place by (address, length), so that a
 * prefix comes before the prefixes nested in it. In-place heapsort: no
 * recursion, no allocation.
 */
void psmon_lpm_sort(struct psmon_lpm_prefix *p, size_t n, int ipv6);

/*
 * Build the ranges of n sorted, distinct prefixes of one family into out,
 * which has room for psmon_lpm_ranges_max(n) entries. Host bits of the
 * addresses must be zero. Returns the number of ranges written (at least 1:
 * an empty set is one range covering everything with PSMON_LPM_NONE).
 */
size_t psmon_lpm4_build(const struct psmon_lpm_prefix *p, size_t n,
			struct psmon_lpm4_range *out);
size_t psmon_lpm6_build(const struct psmon_lpm_prefix *p, size_t n,
			struct psmon_lpm6_range *out);

/* Slot of the most specific prefix holding addr, or PSMON_LPM_NONE. */
u32 psmon_lpm4_lookup(const struct psmon_lpm4_range *r, size_t n,
		      u32 addr /* host byte order */);
u32 psmon_lpm6_lookup(const struct psmon_lpm6_range *r, size_t n,
		      const u8 addr[16] /* network byte order */);

#endif /* _PSMON_LPM_H */
