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
 * offset in the block shifted right, select one of 2^k entries, each
 * standing for an equal slice of the block. A slice that lies within one
 * range is a leaf, which gives the answer at once. Any other slice names a
 * node: the ranges that meet it, for a binary search, or, when more than
 * PSMON_LPM_SUB_MIN do, a sub-index of its own that cuts the slice the same
 * way (one level; its non-leaf entries name ranges). Addresses outside the
 * block match nothing. k grows with the table (about four entries per
 * prefix, from 2^PSMON_LPM_DIR_MIN to 2^PSMON_LPM_DIR_MAX). IPv6 indexes
 * with the first 64 address bits (s + k <= 64), the search covers the rest.
 *
 * So most lookups are a subtraction and a bounds test and one load of a
 * 4-byte entry, whatever the table's size; the others, a node and another
 * entry, and a search of a few ranges. Nesting costs nothing.
 */
#define PSMON_LPM_DIR_MIN	8
#define PSMON_LPM_DIR_MAX	20
#define PSMON_LPM_SUB_MIN	4	/* ranges that make a sub-index */
#define PSMON_LPM_SUB_MAX	12	/* its largest size, bits */

/*
 * Bounds of an index of nr ranges, for callers that reserve room before
 * building: entries beyond the top level, and nodes, per range.
 */
#define PSMON_LPM_SUB_PER_RANGE		12
#define PSMON_LPM_NODES_PER_RANGE	2

/*
 * An index entry (u32): with bit 31 clear, the answer (a slot or
 * PSMON_LPM_NONE); with it set, the node in bits 0-30.
 */
#define PSMON_LPM_CHUNK		0x80000000u

/*
 * A node: ranges a..a + b - 1 to search; or, with PSMON_LPM_SUB in b, a
 * sub-index at dir[a] whose entries stand for 2^(b & PSMON_LPM_SHIFT)
 * keys each.
 */
struct psmon_lpm_node {
	u32 a;
	u32 b;
};

#define PSMON_LPM_SUB		0x80000000u
#define PSMON_LPM_SHIFT		0xffu

struct psmon_lpm4 {
	u32 base;	/* the block's first address */
	u32 last;	/* its size - 1 */
	u32 shift;	/* 32 - s - k: an offset in the block >> shift = entry */
	u32 slice;	/* 2^shift - 1: the offset in a slice */
	u32 nr;		/* ranges */
	const u32 *dir;
	const struct psmon_lpm_node *node;
	const struct psmon_lpm4_range *r;
};

struct psmon_lpm6 {
	u64 base;	/* first 64 bits of the block's first address */
	u64 last;	/* the block's size in /64s - 1 */
	u64 slice;
	u32 shift;	/* 64 - s - k */
	u32 nr;
	const u32 *dir;
	const struct psmon_lpm_node *node;
	const struct psmon_lpm6_range *r;
};

/* Top-level index bits (k) for a family of n prefixes. */
unsigned int psmon_lpm_dir_bits(size_t n);

/* Room an index needs: entries (all levels) and nodes. */
struct psmon_lpm_size {
	size_t dir;
	size_t node;
};

/*
 * The room the index of the nr ranges r (as psmon_lpm[46]_build() gives
 * them) takes with k top-level bits; then the index itself in dir and
 * node, which have that room, and t, which refers to dir, node and r: they
 * must stay unchanged while t is used. O(nr + entries).
 */
void psmon_lpm4_index_size(const struct psmon_lpm4_range *r, size_t nr,
			   unsigned int k, struct psmon_lpm_size *size);
void psmon_lpm6_index_size(const struct psmon_lpm6_range *r, size_t nr,
			   unsigned int k, struct psmon_lpm_size *size);
void psmon_lpm4_index(struct psmon_lpm4 *t, const struct psmon_lpm4_range *r,
		      size_t nr, unsigned int k, u32 *dir,
		      struct psmon_lpm_node *node);
void psmon_lpm6_index(struct psmon_lpm6 *t, const struct psmon_lpm6_range *r,
		      size_t nr, unsigned int k, u32 *dir,
		      struct psmon_lpm_node *node);

/* What an index entry with PSMON_LPM_CHUNK set asks for. */
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
