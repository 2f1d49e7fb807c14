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
 * the most specific prefix covering it, or PSMON_LPM_NONE. Nested prefixes
 * therefore cost nothing at lookup time, and n prefixes give at most 2n + 1
 * ranges. A direct index in front of the ranges (below) answers most
 * lookups with one load; the others end in a short binary search.
 */
#ifndef _PSMON_LPM_H
#define _PSMON_LPM_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include "ktypes.h"	/* selftests/include: u8, u32, u64, size_t */
#endif

#define PSMON_LPM_NONE	0x7fffffffu	/* above every slot */

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

/*
 * Slot of the most specific prefix holding addr among n ranges, or
 * PSMON_LPM_NONE: a binary search for the last range starting at or below
 * addr.
 */
u32 psmon_lpm4_search(const struct psmon_lpm4_range *r, size_t n,
		      u32 addr /* host byte order */);
u32 psmon_lpm6_search(const struct psmon_lpm6_range *r, size_t n,
		      const u8 addr[16] /* network byte order */);

/*
 * The direct index in front of the ranges.
 *
 * All the addresses some prefix covers lie in one aligned block, the
 * smallest holding them (2^(32 - s) addresses from base: its first s bits
 * are those of every covered address). The next k bits of an address, its
 * offset in the block shifted right, select one of 2^k index entries, each
 * standing for an equal slice of the block. A slice that lies within one range is a leaf,
 * which gives the answer at once; any other slice names the ranges that
 * meet it, at most a handful in practice, for a binary search. Addresses
 * outside the block match nothing. k grows with the table (about two
 * entries per range, at most PSMON_LPM_DIR_MAX bits); IPv6 indexes with
 * the first 64 address bits only (s + k <= 64), the search covers the rest.
 *
 * So a lookup is a subtraction and a bounds test, one load of a 4-byte
 * entry and, for the
 * slices where ranges begin, a short search; the cost barely moves with
 * the table's size, and nesting costs nothing.
 */
#define PSMON_LPM_DIR_MAX	18

/*
 * An index entry (u32): with bit 31 clear, the answer (a slot or
 * PSMON_LPM_NONE); with it set, the ranges to search: the first in bits
 * 6-30, how many in bits 0-5, PSMON_LPM_REST meaning all from the first to
 * the end (for a slice with many ranges, or a first range beyond 2^25).
 */
#define PSMON_LPM_CHUNK		0x80000000u
#define PSMON_LPM_COUNT_BITS	6
#define PSMON_LPM_REST		((1u << PSMON_LPM_COUNT_BITS) - 1)

struct psmon_lpm4 {
	u32 base;	/* the block's first address */
	u32 last;	/* its size - 1 */
	u32 shift;	/* 32 - s - k: an offset in the block >> shift = entry */
	u32 nr;		/* ranges */
	const u32 *dir;
	const struct psmon_lpm4_range *r;
};

struct psmon_lpm6 {
	u64 base;	/* first 64 bits of the block's first address */
	u64 last;	/* the block's size in /64s - 1 */
	u32 shift;	/* 64 - s - k */
	u32 nr;
	const u32 *dir;
	const struct psmon_lpm6_range *r;
};

/* Index bits (k) for a table of n prefixes: 1 <= k <= PSMON_LPM_DIR_MAX. */
unsigned int psmon_lpm_dir_bits(size_t n);

/* Entries of an index of k bits. */
static inline size_t psmon_lpm_dir_size(unsigned int k)
{
	return (size_t)1 << k;
}

/*
 * Fill t and dir (psmon_lpm_dir_size(k) entries) for the nr ranges r, as
 * built by psmon_lpm[46]_build(); t then refers to dir and r, which must
 * stay unchanged while t is used. O(nr + 2^k).
 */
void psmon_lpm4_index(struct psmon_lpm4 *t, const struct psmon_lpm4_range *r,
		      size_t nr, u32 *dir, unsigned int k);
void psmon_lpm6_index(struct psmon_lpm6 *t, const struct psmon_lpm6_range *r,
		      size_t nr, u32 *dir, unsigned int k);

/* The search an index entry with PSMON_LPM_CHUNK set asks for. */
u32 psmon_lpm4_chunk(const struct psmon_lpm4 *t, u32 e, u32 addr);
u32 psmon_lpm6_chunk(const struct psmon_lpm6 *t, u32 e, const u8 addr[16]);

/*
 * The index entry for addr: the slot of the most specific prefix holding
 * it (or PSMON_LPM_NONE), or, with PSMON_LPM_CHUNK set, the search to make
 * with psmon_lpm[46]_chunk(). For callers that take the search out of line.
 */
static inline u32 psmon_lpm4_entry(const struct psmon_lpm4 *t, u32 addr)
{
	u32 off = addr - t->base;

	if (off > t->last)
		return PSMON_LPM_NONE;
	return t->dir[off >> t->shift];
}

static inline u32 psmon_lpm6_entry(const struct psmon_lpm6 *t,
				   const u8 addr[16] /* network order */)
{
	u64 off;

	off = (u64)addr[0] << 56 | (u64)addr[1] << 48 | (u64)addr[2] << 40 |
	      (u64)addr[3] << 32 | (u64)addr[4] << 24 | (u64)addr[5] << 16 |
	      (u64)addr[6] << 8 | (u64)addr[7];
	off -= t->base;
	if (off > t->last)
		return PSMON_LPM_NONE;
	return t->dir[off >> t->shift];
}

/* Slot of the most specific prefix holding addr, or PSMON_LPM_NONE. */
static inline u32 psmon_lpm4_lookup(const struct psmon_lpm4 *t, u32 addr)
{
	u32 e = psmon_lpm4_entry(t, addr);

	if (!(e & PSMON_LPM_CHUNK))
		return e;
	return psmon_lpm4_chunk(t, e, addr);
}

static inline u32 psmon_lpm6_lookup(const struct psmon_lpm6 *t,
				    const u8 addr[16] /* network order */)
{
	u32 e = psmon_lpm6_entry(t, addr);

	if (!(e & PSMON_LPM_CHUNK))
		return e;
	return psmon_lpm6_chunk(t, e, addr);
}

#endif /* _PSMON_LPM_H */
