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

/*
 * One IPv6 range: the first 64 bits of its start (host order), its slot,
 * and where the last 64 are: 0 when they are 0 (a range that starts on a
 * /64, as every range of prefixes up to /64 does), else their index in
 * the table's array of low halves, whose entry 0 is 0. Sixteen bytes, so
 * that a window of four fits in one or two cache lines; the low halves
 * are read only by searches.
 */
struct psmon_lpm6_range {
	u64 hi;
	u32 slot;
	u32 lo;
};

/*
 * What a built table has after its ranges, for the direct index's windows
 * (below): PSMON_LPM_WINDOW - 1 ranges that start at the last address
 * (IPv6: its last /64) and repeat the last range's slot, so that a window
 * running past the last range still answers right; then a window of
 * PSMON_LPM_NONE for the addresses outside the index's block. Only
 * windows read the padding (IPv6's is not in order after a last range
 * starting inside the last /64): searches take the ranges alone.
 */
#define PSMON_LPM_WINDOW	4	/* ranges in a window */
#define PSMON_LPM_PAD		(2 * PSMON_LPM_WINDOW - 1)

/*
 * Room for the ranges of n prefixes: at most 2n + 1, then the padding;
 * also room enough for IPv6's low halves (at most one a range, and
 * entry 0).
 */
static inline size_t psmon_lpm_ranges_max(size_t n)
{
	return 2 * n + 1 + PSMON_LPM_PAD;
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
 * addresses must be zero. Returns the number of ranges (at least 1: an
 * empty set is one range covering everything with PSMON_LPM_NONE, at most
 * 2n + 1), which are followed in out by PSMON_LPM_PAD more. IPv6 also
 * writes the ranges' low halves into lows (the same room; entry 0 is 0)
 * and their number, entry 0 included, into *nlows.
 */
size_t psmon_lpm4_build(const struct psmon_lpm_prefix *p, size_t n,
			struct psmon_lpm4_range *out);
size_t psmon_lpm6_build(const struct psmon_lpm_prefix *p, size_t n,
			struct psmon_lpm6_range *out, u64 *lows,
			size_t *nlows);

/*
 * Slot of the most specific prefix holding addr among n ranges, or
 * PSMON_LPM_NONE: a binary search for the last range starting at or below
 * addr.
 */
u32 psmon_lpm4_search(const struct psmon_lpm4_range *r, size_t n,
		      u32 addr /* host byte order */);
u32 psmon_lpm6_search(const struct psmon_lpm6_range *r, size_t n,
		      const u64 *lows,
		      const u8 addr[16] /* network byte order */);

/*
 * The direct index in front of the ranges.
 *
 * All the addresses some prefix covers lie in one aligned block, the
 * smallest holding them (2^(32 - s) addresses from base: its first s bits
 * are those of every covered address). The next k bits of an address, its
 * offset in the block shifted right, select one of 2^k entries, each
 * standing for an equal slice of the block. An entry names a window: the
 * PSMON_LPM_WINDOW ranges from the one holding the slice's first address.
 * When no more ranges than that meet the slice, the answer is in the
 * window: the number of its other ranges starting at or below the address
 * says which (psmon_lpm[46]_window(), three comparisons and no branch). A
 * slice more ranges meet names a node (PSMON_LPM_CHUNK): a sub-index, or,
 * at the last level or for a slice that cannot be cut, the ranges to
 * search. A sub-index is cut to the slice's cluster: the smallest aligned
 * block holding where its ranges start, 2^bits entries for equal slices of
 * it (about two per range), one before them for the part of the slice
 * below the block and one after for the part above (psmon_lpm_sub_entry():
 * a signed shift and two clamps, no branch); its entries may name nodes in
 * turn, PSMON_LPM_LEVELS levels in all. Addresses outside the block, whose
 * offset shifted is 2^k or more, take the entry after the top level, a
 * window of PSMON_LPM_NONE: the bounds test is a minimum, not a branch. k
 * grows with the table (PSMON_LPM_DIR_PER4 or _PER6 entries per prefix,
 * from 2^PSMON_LPM_DIR_MIN to 2^PSMON_LPM_DIR_MAX). IPv6 indexes with the
 * first 64 address bits (s + k <= 64); its windows hold only ranges that
 * start on a /64 and compare those 64 bits (a slice with a range starting
 * inside a /64 gets a node however few ranges meet it: a sub-index, down
 * to one of a single entry for the /64 where such ranges start, which is
 * searched).
 *
 * So an IPv4 lookup is a subtraction, a minimum, one load of a 4-byte entry
 * and a window of a few adjacent ranges, with no data-dependent branch,
 * whatever the table's size; or, behind one branch, a node, another entry
 * and maybe a search of a few ranges. IPv6 prefixes sit in clusters (an
 * allocation each) that no affordable top level separates, so an IPv6
 * lookup reads the top-level entry and a sub-index entry whatever the
 * first is (node 0 stands in for a top-level window, and what it reads is
 * discarded) and branches only below the first sub-index level: two
 * loads more than a top-level window, and no branch to mispredict between
 * them. Nesting costs nothing.
 */
#define PSMON_LPM_DIR_MIN	8
#define PSMON_LPM_DIR_MAX	20
#define PSMON_LPM_SUB_MAX	12	/* a sub-index's largest size, bits */
#define PSMON_LPM_LEVELS	3	/* the top level and two below */

/*
 * Bounds of an index of nr ranges, for callers that reserve room before
 * building: entries beyond the top level's 2^k + 1, and nodes, per range.
 * A node is made for a slice that c >= 2 ranges meet, c - 1 >= 1 of them
 * starting in it; a sub-index has 2^bits + 2 entries, 2^bits at most the
 * least power of two >= 2c (at least 4) or 1: at most 6 for c = 2,
 * 6(c - 1) beyond. Each range starts in one slice of a level, and only
 * the top level and the one below have sub-indexes: at most 12 nr
 * entries. Nodes: an IPv4 node's slice has four ranges starting in it, at
 * most nr / 4 a level, 3 nr / 4 for the three; IPv6 at most nr a level
 * (a slice with a range starting inside a /64 has a node) and node 0:
 * 3 nr + 1 <= 4 nr.
 */
#define PSMON_LPM_SUB_PER_RANGE		12
#define PSMON_LPM_NODES_PER_RANGE4	1
#define PSMON_LPM_NODES_PER_RANGE6	4

/*
 * An index entry (u32): with bit 31 clear, the first range of a window;
 * with it set, the node in bits 0-30.
 */
#define PSMON_LPM_CHUNK		0x80000000u

/*
 * A node: ranges a..a + b - 1 to search; or, with PSMON_LPM_SUB in b, a
 * sub-index at dir[a]: its block starts base keys into the slice, and its
 * PSMON_LPM_BITS(b) bits of entries after dir[a] stand for
 * 2^(b & PSMON_LPM_SHIFT) keys each.
 */
struct psmon_lpm_node {
	u64 base;
	u32 a;
	u32 b;
};

#define PSMON_LPM_SUB		0x80000000u
#define PSMON_LPM_SHIFT		0xffu
#define PSMON_LPM_BITS(b)	(((b) >> 8) & 0xffu)

/*
 * The entry of a sub-index for the offset off in its slice: 0 below its
 * block, 1 + 2^bits above it, the key's slice of the block in between.
 * The offset from the block's start is negative below it, so its signed
 * shift is too; both bounds are minima and maxima, not branches.
 */
static inline unsigned long psmon_lpm_sub_entry(const struct psmon_lpm_node *n,
						u64 off, unsigned int shift)
{
	s64 i = (s64)(off - n->base) >> shift;
	s64 out = (s64)1 << PSMON_LPM_BITS(n->b);

	if (i < -1)
		i = -1;
	if (i > out)
		i = out;
	return (unsigned long)(i + 1);
}

struct psmon_lpm4 {
	u32 base;	/* the block's first address */
	u32 shift;	/* 32 - s - k: an offset in the block >> shift = entry */
	u32 out;	/* 2^k: the entry for addresses outside the block */
	u32 slice;	/* 2^shift - 1: the offset in a slice */
	const u32 *dir;
	const struct psmon_lpm4_range *r;
	const struct psmon_lpm_node *node;
};

struct psmon_lpm6 {
	u64 base;	/* first 64 bits of the block's first address */
	u64 slice;	/* 2^shift - 1 */
	u32 shift;	/* 64 - s - k */
	u32 out;	/* 2^k */
	const u32 *dir;
	const struct psmon_lpm6_range *r;
	const struct psmon_lpm_node *node;
	const u64 *lows;	/* the ranges' low halves, for searches */
};

/* Top-level index bits (k) for a family of n prefixes. */
#define PSMON_LPM_DIR_PER4	128	/* entries per IPv4 prefix */
#define PSMON_LPM_DIR_PER6	4	/* per IPv6 prefix */
unsigned int psmon_lpm_dir_bits(size_t n, int ipv6);

/* Room an index needs: entries (all levels) and nodes. */
struct psmon_lpm_size {
	size_t dir;
	size_t node;
};

/*
 * The room the index of the nr ranges r (as psmon_lpm[46]_build() gives
 * them, with their padding after them) takes with k top-level bits; then
 * the index itself in dir and node, which have that room, and t, which
 * refers to dir, node and r (and IPv6's lows): they must stay unchanged
 * while t is used.
 * O(nr + entries).
 */
void psmon_lpm4_index_size(const struct psmon_lpm4_range *r, size_t nr,
			   unsigned int k, struct psmon_lpm_size *size);
void psmon_lpm6_index_size(const struct psmon_lpm6_range *r, size_t nr,
			   unsigned int k, struct psmon_lpm_size *size);
void psmon_lpm4_index(struct psmon_lpm4 *t, const struct psmon_lpm4_range *r,
		      size_t nr, unsigned int k, u32 *dir,
		      struct psmon_lpm_node *node);
void psmon_lpm6_index(struct psmon_lpm6 *t, const struct psmon_lpm6_range *r,
		      const u64 *lows, size_t nr, unsigned int k, u32 *dir,
		      struct psmon_lpm_node *node);

/* What an index entry with PSMON_LPM_CHUNK set asks for. */
u32 psmon_lpm4_chunk(const struct psmon_lpm4 *t, u32 e, u32 addr);
u32 psmon_lpm6_chunk(const struct psmon_lpm6 *t, u32 e, const u8 addr[16]);

static inline u64 psmon_lpm_be64(const u8 *b)
{
	return (u64)b[0] << 56 | (u64)b[1] << 48 | (u64)b[2] << 40 |
	       (u64)b[3] << 32 | (u64)b[4] << 24 | (u64)b[5] << 16 |
	       (u64)b[6] << 8 | (u64)b[7];
}

/*
 * The index entry for an address: a window (bit 31 clear) for
 * psmon_lpm[46]_window(), or, with PSMON_LPM_CHUNK set, the node to hand to
 * psmon_lpm[46]_chunk(). For callers that take the node out of line.
 */
static inline u32 psmon_lpm4_entry(const struct psmon_lpm4 *t, u32 addr)
{
	unsigned long i = (addr - t->base) >> t->shift;
	unsigned long out = t->out;

	if (i > out)
		i = out;
	return t->dir[i];
}

static inline u32 psmon_lpm6_entry(const struct psmon_lpm6 *t,
				   u64 hi /* the address's first 64 bits */)
{
	u64 i = (hi - t->base) >> t->shift;
	u64 out = t->out;

	if (i > out)
		i = out;
	return t->dir[i];
}

/*
 * The slot a window gives: its first range, or the last of the next ones
 * that starts at or below addr (they are in order, so their count says
 * which). Comparisons summed, not branched on.
 */
static inline u32 psmon_lpm4_window(const struct psmon_lpm4 *t, u32 e,
				    u32 addr)
{
	const struct psmon_lpm4_range *r = t->r + e;

	unsigned long i = r[1].start <= addr;

	i += r[2].start <= addr;
	i += r[3].start <= addr;

	return r[i].slot;
}

/*
 * IPv6 windows compare the first 64 bits only: the index gives a window
 * only for a slice where the ranges starting in it all start on a /64
 * (the others, and every range past the slice, start on a later /64 than
 * any address of the slice). Any other slice names a node.
 */
static inline u32 psmon_lpm6_window(const struct psmon_lpm6 *t, u32 e, u64 hi)
{
	const struct psmon_lpm6_range *r = t->r + e;
	unsigned long i = r[1].hi <= hi;

	i += r[2].hi <= hi;
	i += r[3].hi <= hi;

	return r[i].slot;
}

/*
 * Slot of the most specific prefix holding addr, or PSMON_LPM_NONE.
 *
 * IPv4: the top-level entry, then its window or, behind a branch, the node
 * (psmon_lpm4_chunk(), out of line). IPv4 tables get enough top-level
 * entries for most lookups to end there, so the branch is mostly
 * predicted.
 *
 * IPv6: the top-level entry names a window or a sub-index (every top-level
 * node is one); the sub-index's entry is read either way, from node 0 for
 * a window, and the right one of the two selected by a mask. A branch
 * only for an entry naming a node below that, out of line. Always
 * inline: the selection is what the function is for.
 */
static inline u32 psmon_lpm4_lookup(const struct psmon_lpm4 *t, u32 addr)
{
	u32 e = psmon_lpm4_entry(t, addr);

	if (e & PSMON_LPM_CHUNK)
		return psmon_lpm4_chunk(t, e, addr);
	return psmon_lpm4_window(t, e, addr);
}

static __always_inline u32 psmon_lpm6_lookup(const struct psmon_lpm6 *t,
					     const u8 addr[16])
{
	u64 hi = psmon_lpm_be64(addr);
	u32 e = psmon_lpm6_entry(t, hi);
	u32 c = 0u - (e >> 31);	/* all ones if e names a node */
	const struct psmon_lpm_node *n = &t->node[e & c & ~PSMON_LPM_CHUNK];
	u32 f;

	f = t->dir[n->a + psmon_lpm_sub_entry(n, (hi - t->base) & t->slice,
					      n->b & PSMON_LPM_SHIFT)];
	f = e ^ ((e ^ f) & c);
	if (f & PSMON_LPM_CHUNK)
		return psmon_lpm6_chunk(t, e, addr);
	return psmon_lpm6_window(t, f, hi);
}

#endif /* _PSMON_LPM_H */
