// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Longest-prefix-match tables for psmon: sort, build, lookup.
 *
 * This file is built into psmon.ko and natively into the unit tests and
 * benchmarks, so it uses nothing but lpm.h: no libc, no kernel API, no
 * recursion but the index builder's (PSMON_LPM_LEVELS deep), no division
 * but halving, no floating point. Locals use the
 * plain C types (unsigned char, unsigned int, unsigned long long), which
 * have the widths of the header's u8, u32 and u64 on every
 * Linux ABI; what is stored through a pointer of the header's types is
 * read and written as those types.
 *
 * Building is a single sweep over the sorted prefixes with an explicit stack
 * of the prefixes that enclose the current position (at most one per prefix
 * length, so 33 or 129 entries). A range is emitted where the innermost
 * enclosing prefix changes; a range with the same slot as the one before it
 * is merged into it.
 */
#include "lpm.h"

#define LPM4_DEPTH	33	/* prefix lengths 0..32 */
#define LPM6_DEPTH	129	/* prefix lengths 0..128 */

#define LPM4_MAX	0xffffffffu
#define LPM64_MAX	0xffffffffffffffffull

/* A 128-bit IPv6 address or mask as two host-order halves. */
struct lpm6_key {
	unsigned long long hi;
	unsigned long long lo;
};

static inline unsigned int load_be32(const unsigned char *b)
{
	return (unsigned int)b[0] << 24 | (unsigned int)b[1] << 16 |
	       (unsigned int)b[2] << 8 | (unsigned int)b[3];
}

/*
 * Sorting: by address, then by length, so an enclosing prefix comes right
 * before the prefixes nested in it.
 */
static int prefix_cmp(const struct psmon_lpm_prefix *a,
		      const struct psmon_lpm_prefix *b, unsigned int alen)
{
	unsigned int i, x, y;

	for (i = 0; i < alen; i += 4) {
		x = load_be32(a->addr + i);
		y = load_be32(b->addr + i);
		if (x != y)
			return x < y ? -1 : 1;
	}
	if (a->plen != b->plen)
		return a->plen < b->plen ? -1 : 1;
	return 0;
}

static void prefix_swap(struct psmon_lpm_prefix *a, struct psmon_lpm_prefix *b)
{
	struct psmon_lpm_prefix t = *a;

	*a = *b;
	*b = t;
}

/* Restore the max-heap property of p[0..n) below root. */
static void sift_down(struct psmon_lpm_prefix *p, size_t root, size_t n,
		      unsigned int alen)
{
	size_t child;

	while (root < n / 2) {
		child = 2 * root + 1;
		if (child + 1 < n &&
		    prefix_cmp(&p[child], &p[child + 1], alen) < 0)
			child++;
		if (prefix_cmp(&p[root], &p[child], alen) >= 0)
			return;
		prefix_swap(&p[root], &p[child]);
		root = child;
	}
}

void psmon_lpm_sort(struct psmon_lpm_prefix *p, size_t n, int ipv6)
{
	unsigned int alen = ipv6 ? 16 : 4;
	size_t i;

	if (n < 2)
		return;
	for (i = n / 2; i > 0; i--)
		sift_down(p, i - 1, n, alen);
	for (i = n - 1; i > 0; i--) {
		prefix_swap(&p[0], &p[i]);
		sift_down(p, 0, i, alen);
	}
}

/*
 * IPv4 build.
 *
 * cur is the first address not yet emitted. The stack holds the prefixes
 * enclosing cur, outermost first; each contains all the ones above it, and
 * all of them contain the last prefix pushed, whose first address is top.
 * An entry therefore needs only its length and slot: its last address is
 * top with the host bits set.
 *
 * Each prefix emits at most two ranges, one where it begins (the gap
 * before it) and one when it is closed, plus one final range: 2n + 1.
 * That holds for any input, so even unsorted or duplicate prefixes (which
 * give a meaningless table) never write past the end of out.
 */
static unsigned int host4(unsigned int plen)
{
	if (plen > 32)
		plen = 32;
	return (unsigned int)(0xffffffffull >> plen);
}

static size_t emit4(struct psmon_lpm4_range *out, size_t cnt,
		    unsigned int start, unsigned int slot)
{
	if (cnt && out[cnt - 1].slot == slot)
		return cnt;
	out[cnt].start = start;
	out[cnt].slot = slot;
	return cnt + 1;
}

static size_t ranges4(const struct psmon_lpm_prefix *p, size_t n,
		      struct psmon_lpm4_range *out)
{
	unsigned int slots[LPM4_DEPTH];
	unsigned char plens[LPM4_DEPTH];
	unsigned int cur = 0, top = 0;
	unsigned int first, last;
	unsigned int sp = 0;
	size_t cnt = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		first = load_be32(p[i].addr) & ~host4(p[i].plen);

		/* Close the open prefixes that end before this one. */
		while (sp) {
			last = top | host4(plens[sp - 1]);
			if (last >= first)
				break;
			if (cur <= last) {
				cnt = emit4(out, cnt, cur, slots[sp - 1]);
				cur = last + 1;
			}
			sp--;
		}
		/* The gap before it belongs to the innermost enclosing one. */
		if (cur < first) {
			cnt = emit4(out, cnt, cur,
				    sp ? slots[sp - 1] : PSMON_LPM_NONE);
			cur = first;
		}
		/* Only unsorted or duplicate input can overflow the stack. */
		if (sp == LPM4_DEPTH)
			continue;
		plens[sp] = p[i].plen;
		slots[sp] = p[i].slot;
		sp++;
		top = first;
	}
	while (sp) {
		last = top | host4(plens[sp - 1]);
		if (cur <= last) {
			cnt = emit4(out, cnt, cur, slots[sp - 1]);
			if (last == LPM4_MAX)
				return cnt;
			cur = last + 1;
		}
		sp--;
	}
	return emit4(out, cnt, cur, PSMON_LPM_NONE);
}

/* IPv6 build: the same sweep on 128-bit keys. */
static struct lpm6_key host6(unsigned int plen)
{
	struct lpm6_key m;

	if (plen > 128)
		plen = 128;
	if (plen < 64) {
		m.hi = LPM64_MAX >> plen;
		m.lo = LPM64_MAX;
	} else {
		m.hi = 0;
		m.lo = plen < 128 ? LPM64_MAX >> (plen - 64) : 0;
	}
	return m;
}

static struct lpm6_key key_or(struct lpm6_key a, struct lpm6_key b)
{
	a.hi |= b.hi;
	a.lo |= b.lo;
	return a;
}

static struct lpm6_key key_andnot(struct lpm6_key a, struct lpm6_key b)
{
	a.hi &= ~b.hi;
	a.lo &= ~b.lo;
	return a;
}

static int key_lt(struct lpm6_key a, struct lpm6_key b)
{
	return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo);
}

static int key_is_max(struct lpm6_key a)
{
	return a.hi == LPM64_MAX && a.lo == LPM64_MAX;
}

/* a + 1; the caller makes sure a is not the last address. */
static struct lpm6_key key_inc(struct lpm6_key a)
{
	a.lo++;
	if (!a.lo)
		a.hi++;
	return a;
}

/* Where ranges6() writes: the ranges and the low halves. */
struct out6 {
	struct psmon_lpm6_range *r;
	u64 *lows;
	size_t nlows;
};

static size_t emit6(struct out6 *out, size_t cnt, struct lpm6_key start,
		    unsigned int slot)
{
	if (cnt && out->r[cnt - 1].slot == slot)
		return cnt;
	out->r[cnt].hi = start.hi;
	out->r[cnt].slot = slot;
	out->r[cnt].lo = 0;
	if (start.lo) {
		out->r[cnt].lo = (unsigned int)out->nlows;
		out->lows[out->nlows++] = start.lo;
	}
	return cnt + 1;
}

static size_t ranges6(const struct psmon_lpm_prefix *p, size_t n,
		      struct out6 *out)
{
	unsigned int slots[LPM6_DEPTH];
	unsigned char plens[LPM6_DEPTH];
	struct lpm6_key cur = { 0, 0 };
	struct lpm6_key top = { 0, 0 };
	struct lpm6_key first, last;
	unsigned int sp = 0;
	size_t cnt = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		first.hi = psmon_lpm_be64(p[i].addr);
		first.lo = psmon_lpm_be64(p[i].addr + 8);
		first = key_andnot(first, host6(p[i].plen));

		while (sp) {
			last = key_or(top, host6(plens[sp - 1]));
			if (!key_lt(last, first))
				break;
			if (!key_lt(last, cur)) {
				cnt = emit6(out, cnt, cur, slots[sp - 1]);
				cur = key_inc(last);
			}
			sp--;
		}
		if (key_lt(cur, first)) {
			cnt = emit6(out, cnt, cur,
				    sp ? slots[sp - 1] : PSMON_LPM_NONE);
			cur = first;
		}
		if (sp == LPM6_DEPTH)
			continue;
		plens[sp] = p[i].plen;
		slots[sp] = p[i].slot;
		sp++;
		top = first;
	}
	while (sp) {
		last = key_or(top, host6(plens[sp - 1]));
		if (!key_lt(last, cur)) {
			cnt = emit6(out, cnt, cur, slots[sp - 1]);
			if (key_is_max(last))
				return cnt;
			cur = key_inc(last);
		}
		sp--;
	}
	return emit6(out, cnt, cur, PSMON_LPM_NONE);
}

/*
 * The padding after the cnt ranges (lpm.h): windows that run past the
 * last range, then the window for addresses outside the block.
 */
size_t psmon_lpm4_build(const struct psmon_lpm_prefix *p, size_t n,
			struct psmon_lpm4_range *out)
{
	size_t cnt = ranges4(p, n, out), i;

	for (i = 0; i < PSMON_LPM_PAD; i++) {
		out[cnt + i].start = LPM4_MAX;
		out[cnt + i].slot = i < PSMON_LPM_WINDOW - 1 ?
				    out[cnt - 1].slot : PSMON_LPM_NONE;
	}
	return cnt;
}

/*
 * IPv6's padding starts on the last /64: a window only ever compares its
 * first 64 bits, and one that counts it holds nothing but ranges on a /64
 * before it, so the last range holds the address.
 */
size_t psmon_lpm6_build(const struct psmon_lpm_prefix *p, size_t n,
			struct psmon_lpm6_range *out, u64 *lows,
			size_t *nlows)
{
	struct out6 o = { .r = out, .lows = lows };
	size_t cnt, i;

	lows[0] = 0;
	o.nlows = 1;
	cnt = ranges6(p, n, &o);
	for (i = 0; i < PSMON_LPM_PAD; i++) {
		out[cnt + i].hi = LPM64_MAX;
		out[cnt + i].lo = 0;
		out[cnt + i].slot = i < PSMON_LPM_WINDOW - 1 ?
				    out[cnt - 1].slot : PSMON_LPM_NONE;
	}
	*nlows = o.nlows;
	return cnt;
}

/*
 * Lookups: find the last range whose start is <= addr. The loop runs
 * log2(n) times whatever the address, and its only data-dependent choice
 * is a select the compiler turns into a conditional move, so a lookup
 * costs no branch mispredictions. A built table always starts at address
 * 0; the final test only makes any other array safe to search.
 */
u32 psmon_lpm4_search(const struct psmon_lpm4_range *r, size_t n,
		      u32 addr)
{
	size_t half;

	if (!n)
		return PSMON_LPM_NONE;
	while (n > 1) {
		half = n / 2;
		r = r[half].start <= addr ? r + half : r;
		n -= half;
	}
	return r->start <= addr ? r->slot : PSMON_LPM_NONE;
}

/*
 * IPv6 compares all 128 bits, the low half from lows. Where the compiler
 * has 128-bit integers (64-bit targets), one 128-bit comparison compiles
 * to cmp/sbb and feeds the conditional move directly; elsewhere the
 * comparison is spelled out on the two halves without a branch. Defining
 * PSMON_LPM_NO_INT128 selects the second form, so the unit tests can
 * cover both.
 */
#if defined(__SIZEOF_INT128__) && !defined(PSMON_LPM_NO_INT128)
static inline unsigned int le6(const struct psmon_lpm6_range *r,
			       const u64 *lows, unsigned long long hi,
			       unsigned long long lo)
{
	return ((__uint128_t)r->hi << 64 | lows[r->lo]) <=
	       ((__uint128_t)hi << 64 | lo);
}
#else
static inline unsigned int le6(const struct psmon_lpm6_range *r,
			       const u64 *lows, unsigned long long hi,
			       unsigned long long lo)
{
	unsigned long long rlo = lows[r->lo];

	/* r > addr iff addr - r borrows out of the high half. */
	return !((hi < r->hi) | (hi - r->hi < (unsigned long long)(lo < rlo)));
}
#endif

u32 psmon_lpm6_search(const struct psmon_lpm6_range *r, size_t n,
		      const u64 *lows, const unsigned char addr[16])
{
	unsigned long long hi, lo;
	size_t half;

	if (!n)
		return PSMON_LPM_NONE;
	hi = psmon_lpm_be64(addr);
	lo = psmon_lpm_be64(addr + 8);
	while (n > 1) {
		half = n / 2;
		r = le6(r + half, lows, hi, lo) ? r + half : r;
		n -= half;
	}
	return le6(r, lows, hi, lo) ? r->slot : PSMON_LPM_NONE;
}

/* psmon_lpm6_lookup() reads every top-level node as a sub-index. */
#if PSMON_LPM_LEVELS < 2
#error "the top level's nodes must be sub-indexes"
#endif

/*
 * The direct index (see lpm.h).
 *
 * k: 128 entries per IPv4 prefix, so that even clustered prefixes mostly
 * get slices of their own (a window, no node: 2^17 entries for 1,000
 * prefixes, the most, 2^20, from 8,192 on); 4 per IPv6 prefix, whose
 * clusters no affordable top level separates (their sub-indexes do). At
 * least 2^PSMON_LPM_DIR_MIN for a family with prefixes, 4 entries for a
 * family without. The index is also capped by the block, so a table in
 * one small block stays small. Building it costs O(2^k).
 */
unsigned int psmon_lpm_dir_bits(size_t n, int ipv6)
{
	size_t per = ipv6 ? PSMON_LPM_DIR_PER6 : PSMON_LPM_DIR_PER4;
	unsigned int k = PSMON_LPM_DIR_MIN;

	if (!n)
		return 2;
	while (k < PSMON_LPM_DIR_MAX && ((size_t)1 << k) < per * n + 2)
		k++;
	return k;
}

/* Leading bits a and b have in common, 0..64. */
static unsigned int common64(unsigned long long a, unsigned long long b)
{
	unsigned long long x = a ^ b;
	unsigned int n = 0;

	while (n < 64 && !(x & (1ull << 63))) {
		x <<= 1;
		n++;
	}
	return n;
}

/*
 * The builder works for both families on the index key: the address for
 * IPv4 (w = 32), its first 64 bits for IPv6 (w = 64). A slice starts at a
 * key with the rest of the address 0, so an IPv6 range starts by the
 * slice's start when its key is below, or equal with the rest 0.
 */
struct ix {
	const struct psmon_lpm4_range *r4;
	const struct psmon_lpm6_range *r6;
	size_t nr;
	unsigned int w;
	unsigned int *dir;		/* NULL: count only */
	struct psmon_lpm_node *node;
	size_t ndir;			/* entries used */
	size_t nnode;			/* nodes used */
};

static unsigned long long ix_key(const struct ix *x, size_t j)
{
	return x->r4 ? x->r4[j].start : x->r6[j].hi;
}

/* Range j starts at or before the key cs with the rest of the address 0. */
static int ix_starts_by(const struct ix *x, size_t j, unsigned long long cs)
{
	unsigned long long key = ix_key(x, j);

	return key < cs || (key == cs && (x->r4 || !x->r6[j].lo));
}

static unsigned int ix_slot(const struct ix *x, size_t j)
{
	return x->r4 ? x->r4[j].slot : x->r6[j].slot;
}

/*
 * Ranges from..to all start on a key (IPv4: always; IPv6: on a /64, a
 * low-half index of 0), so that comparing keys compares them
 * (psmon_lpm6_window()).
 */
static int ix_on_key(const struct ix *x, size_t from, size_t to)
{
	for (; x->r6 && from <= to; from++)
		if (x->r6[from].lo)
			return 0;
	return 1;
}

/*
 * Bits of a sub-index for a slice that count ranges meet, at most max:
 * about two entries per range.
 */
static unsigned int ix_sub_bits(size_t count, unsigned int max)
{
	unsigned int k = 2;

	while (k < PSMON_LPM_SUB_MAX && ((size_t)1 << k) < 2 * count)
		k++;
	return k < max ? k : max;
}

static unsigned int ix_node(struct ix *x, unsigned int a, unsigned int b,
			    unsigned long long base)
{
	if (x->dir) {
		x->node[x->nnode].base = base;
		x->node[x->nnode].a = a;
		x->node[x->nnode].b = b;
	}
	return PSMON_LPM_CHUNK | (unsigned int)x->nnode++;
}

/*
 * The sub-block of a slice from key cs: the smallest aligned block that
 * holds the keys ranges from..to start on, its offset from cs in *base.
 * Returns its size in bits, 0 if they all start on one key (IPv6 ranges
 * inside one /64: no index separates them).
 */
static unsigned int ix_sub_block(const struct ix *x, unsigned long long cs,
				 size_t from, size_t to,
				 unsigned long long *base)
{
	unsigned long long a = ix_key(x, from) - cs, b = ix_key(x, to) - cs;
	unsigned int bits = 64 - common64(a, b);

	*base = bits ? a & ~(LPM64_MAX >> (64 - bits)) : a;
	return bits;
}

static void ix_level(struct ix *x, unsigned long long base, unsigned int k,
		     unsigned int shift, size_t j, size_t at, unsigned int lvl);

/*
 * The node for a slice of 2^shift keys from cs at level lvl that ranges
 * j..m meet, j holding cs: a sub-index cut to where ranges j + 1..m
 * start, with the windows below and above that block (whose ranges start
 * outside the part of the slice each stands for, so they compare on
 * keys), or the ranges to search (at the last level, or below the top
 * for a slice of one key: an IPv6 /64 that no index divides).
 */
static unsigned int ix_chunk(struct ix *x, unsigned long long cs,
			     unsigned int shift, size_t j, size_t m,
			     unsigned int lvl)
{
	unsigned long long sbase;
	unsigned int sb, k2, e;
	size_t sub;

	sb = ix_sub_block(x, cs, j + 1, m, &sbase);
	if (lvl + 1 >= PSMON_LPM_LEVELS || (!shift && lvl))
		return ix_node(x, (unsigned int)j, (unsigned int)(m - j + 1),
			       0);
	k2 = ix_sub_bits(m - j + 1, sb);
	sub = x->ndir;
	x->ndir += ((size_t)1 << k2) + 2;
	e = ix_node(x, (unsigned int)sub, PSMON_LPM_SUB | k2 << 8 | (sb - k2),
		    sbase);
	if (x->dir) {
		x->dir[sub] = (unsigned int)j;
		x->dir[sub + ((size_t)1 << k2) + 1] = (unsigned int)m;
	}
	ix_level(x, cs + sbase, k2, sb - k2, j, sub + 1, lvl + 1);
	return e;
}

/*
 * Entries at..at + 2^k for the slices of 2^shift keys from base, at index
 * level lvl (0: the top); j is the range holding base. A slice that more
 * ranges meet than a window holds, or an IPv6 slice with a range starting
 * inside a /64, gets a node (ix_chunk()): the recursion is
 * PSMON_LPM_LEVELS deep at most.
 */
static void ix_level(struct ix *x, unsigned long long base, unsigned int k,
		     unsigned int shift, size_t j, size_t at, unsigned int lvl)
{
	unsigned long long cs, ce, i, lim = 1ull << k;
	unsigned int e;
	size_t m;

	for (i = 0; i < lim; i++) {
		cs = base + (i << shift);
		ce = cs + ((1ull << shift) - 1);
		while (j + 1 < x->nr && ix_starts_by(x, j + 1, cs))
			j++;
		m = j;
		while (m + 1 < x->nr && ix_key(x, m + 1) <= ce)
			m++;
		if (m - j < PSMON_LPM_WINDOW && ix_on_key(x, j + 1, m))
			e = (unsigned int)j;
		else
			e = ix_chunk(x, cs, shift, j, m, lvl);
		if (x->dir)
			x->dir[at + i] = e;
	}
}

/*
 * The block (first covered key, s) and the top level's size; then the
 * index, or with x->dir NULL only its size. Returns k.
 */
static unsigned int ix_build(struct ix *x, unsigned int k,
			     unsigned long long *base, unsigned int *s)
{
	unsigned long long lo = 0, hi = 0, key, mask;
	size_t i, j = 0;
	int found = 0;

	for (i = 0; i < x->nr; i++) {
		if (ix_slot(x, i) == PSMON_LPM_NONE)
			continue;
		if (!found) {
			lo = ix_key(x, i);
			found = 1;
		}
		/* The last key before the next range, or the last of all. */
		if (i + 1 < x->nr) {
			key = ix_key(x, i + 1);
			hi = ix_starts_by(x, i + 1, key) ? key - 1 : key;
		} else {
			hi = x->w == 32 ? LPM4_MAX : LPM64_MAX;
		}
	}
	/* The block, then at most one entry per address of it. */
	*s = 0;
	if (found)
		*s = common64(lo << (64 - x->w), hi << (64 - x->w));
	if (*s > x->w - 1)
		*s = x->w - 1;
	if (k > x->w - *s)
		k = x->w - *s;
	if (!k)		/* a shift by the whole width is undefined */
		k = 1;
	mask = *s ? LPM64_MAX << (64 - *s) >> (64 - x->w) : 0;
	*base = lo & mask;
	while (j + 1 < x->nr && ix_starts_by(x, j + 1, *base))
		j++;
	/* The top level, then the window outside the block. */
	x->ndir = ((size_t)1 << k) + 1;
	x->nnode = 0;
	/* Node 0: what an IPv6 lookup reads for a top-level window. */
	if (x->r6)
		ix_node(x, 0, PSMON_LPM_SUB, 0);
	ix_level(x, *base, k, x->w - *s - k, j, 0, 0);
	if (x->dir)
		x->dir[(size_t)1 << k] = (unsigned int)x->nr + PSMON_LPM_WINDOW - 1;
	return k;
}

void psmon_lpm4_index_size(const struct psmon_lpm4_range *r, size_t nr,
			   unsigned int k, struct psmon_lpm_size *size)
{
	struct ix x = { .r4 = r, .nr = nr, .w = 32 };
	unsigned long long base;
	unsigned int s;

	ix_build(&x, k, &base, &s);
	size->dir = x.ndir;
	size->node = x.nnode;
}

void psmon_lpm6_index_size(const struct psmon_lpm6_range *r, size_t nr,
			   unsigned int k, struct psmon_lpm_size *size)
{
	struct ix x = { .r6 = r, .nr = nr, .w = 64 };
	unsigned long long base;
	unsigned int s;

	ix_build(&x, k, &base, &s);
	size->dir = x.ndir;
	size->node = x.nnode;
}

void psmon_lpm4_index(struct psmon_lpm4 *t, const struct psmon_lpm4_range *r,
		      size_t nr, unsigned int k, u32 *dir,
		      struct psmon_lpm_node *node)
{
	struct ix x = { .r4 = r, .nr = nr, .w = 32, .dir = dir, .node = node };
	unsigned long long base;
	unsigned int s;

	k = ix_build(&x, k, &base, &s);
	t->base = (unsigned int)base;
	t->shift = 32 - s - k;
	t->out = 1u << k;
	t->slice = (unsigned int)((1ull << t->shift) - 1);
	t->dir = dir;
	t->node = node;
	t->r = r;
}

void psmon_lpm6_index(struct psmon_lpm6 *t, const struct psmon_lpm6_range *r,
		      const u64 *lows, size_t nr, unsigned int k, u32 *dir,
		      struct psmon_lpm_node *node)
{
	struct ix x = { .r6 = r, .nr = nr, .w = 64, .dir = dir, .node = node };
	unsigned long long base;
	unsigned int s;

	k = ix_build(&x, k, &base, &s);
	t->base = base;
	t->shift = 64 - s - k;
	t->out = 1u << k;
	t->slice = (1ull << t->shift) - 1;
	t->dir = dir;
	t->node = node;
	t->r = r;
	t->lows = lows;
}

/*
 * What a node asks for: the sub-indexes down to a window, or a search. The
 * offset in the block, masked to the slice an entry stands for, shifted by
 * what a sub-index's entries stand for, gives the entry in it.
 */
u32 psmon_lpm4_chunk(const struct psmon_lpm4 *t, u32 e, u32 addr)
{
	unsigned int off = addr - t->base, mask = t->slice, shift, lvl;
	const struct psmon_lpm_node *n;

	/* A node per level at most: the builder puts none below the last. */
	for (lvl = 0; lvl < PSMON_LPM_LEVELS; lvl++) {
		n = &t->node[e & ~PSMON_LPM_CHUNK];
		if (!(n->b & PSMON_LPM_SUB))
			return psmon_lpm4_search(t->r + n->a, n->b, addr);
		shift = n->b & PSMON_LPM_SHIFT;
		e = t->dir[n->a + psmon_lpm_sub_entry(n, off & mask, shift)];
		if (!(e & PSMON_LPM_CHUNK))
			return psmon_lpm4_window(t, e, addr);
		mask = (1u << shift) - 1;
	}
	return PSMON_LPM_NONE;
}

u32 psmon_lpm6_chunk(const struct psmon_lpm6 *t, u32 e,
		     const unsigned char addr[16])
{
	unsigned long long hi = psmon_lpm_be64(addr), off = hi - t->base;
	unsigned long long mask = t->slice;
	const struct psmon_lpm_node *n;
	unsigned int shift, lvl;

	for (lvl = 0; lvl < PSMON_LPM_LEVELS; lvl++) {
		n = &t->node[e & ~PSMON_LPM_CHUNK];
		if (!(n->b & PSMON_LPM_SUB))
			return psmon_lpm6_search(t->r + n->a, n->b, t->lows,
						 addr);
		shift = n->b & PSMON_LPM_SHIFT;
		e = t->dir[n->a + psmon_lpm_sub_entry(n, off & mask, shift)];
		if (!(e & PSMON_LPM_CHUNK))
			return psmon_lpm6_window(t, e, hi);
		mask = (1ull << shift) - 1;
	}
	return PSMON_LPM_NONE;
}
