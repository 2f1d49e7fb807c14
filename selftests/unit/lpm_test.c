// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Unit tests for kmod/lpm.c, built natively with sanitizers.
 *
 * Hand-written cases pin down the edges (empty table, /0, host routes,
 * nesting, siblings, both ends of the address space); randomised cases
 * compare every answer with a deliberately naive reference (a linear scan
 * in which the longest matching prefix wins) on clustered prefixes, so that
 * nesting and adjacency really occur. The 100,000-prefix tables are checked
 * against an independent per-length reference, itself checked against the
 * naive one on a sample.
 *
 * Output is TAP. The random seed is printed; set PSMON_TEST_SEED to repeat
 * a run, PSMON_TEST_ONLY=N to run test N alone (with that seed, the same
 * lookups as in the whole run).
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lpm.h"
#include "lpm_hook.h"
#include "xorshift.h"

typedef unsigned __int128 u128;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NONE PSMON_LPM_NONE

/* ---- test bookkeeping ---- */

static unsigned long failures;	/* in the current test */

static void fail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void fail(const char *fmt, ...)
{
	va_list ap;

	if (failures++ >= 10) {
		if (failures == 11)
			printf("# (further failures of this test not shown)\n");
		return;
	}
	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	return p;
}

/* ---- xorshift64* PRNG ---- */

static void rng_seed(uint64_t seed)
{
	rng_state = seed ? seed : 0x9e3779b97f4a7c15ull;
}

static u128 rnd128(void)
{
	return (u128)rnd() << 64 | rnd();
}

/* ---- addresses as integers of width 32 or 128 ---- */

static u128 all_ones(unsigned int w)
{
	return w == 128 ? ~(u128)0 : ((u128)1 << w) - 1;
}

static u128 netmask(unsigned int w, unsigned int plen)
{
	return plen ? (all_ones(w) << (w - plen)) & all_ones(w) : 0;
}

static u128 hostmask(unsigned int w, unsigned int plen)
{
	return all_ones(w) & ~netmask(w, plen);
}

static void to_bytes(u128 a, unsigned int w, uint8_t *b)
{
	unsigned int i;

	for (i = 0; i < w / 8; i++)
		b[i] = (uint8_t)(a >> (w - 8 - 8 * i));
}

static u128 from_bytes(const uint8_t *b, unsigned int w)
{
	u128 a = 0;
	unsigned int i;

	for (i = 0; i < w / 8; i++)
		a = a << 8 | b[i];
	return a;
}

static const char *fmt_addr(u128 a, unsigned int w, char *buf)
{
	uint8_t b[16];

	to_bytes(a, w, b);
	inet_ntop(w == 32 ? AF_INET : AF_INET6, b, buf, INET6_ADDRSTRLEN);
	return buf;
}

/* ---- prefixes on the test side ---- */

struct tpfx {
	u128 first;
	unsigned int plen;
	uint32_t slot;
};

static u128 tpfx_last(const struct tpfx *p, unsigned int w)
{
	return p->first | hostmask(w, p->plen);
}

static int tpfx_cmp(const void *a, const void *b)
{
	const struct tpfx *x = a, *y = b;

	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return (x->plen > y->plen) - (x->plen < y->plen);
}

/* Sort and drop duplicate (address, length) pairs; returns the new count. */
static size_t tpfx_unique(struct tpfx *p, size_t n)
{
	size_t i, k = 0;

	qsort(p, n, sizeof(*p), tpfx_cmp);
	for (i = 0; i < n; i++) {
		if (k && p[k - 1].first == p[i].first &&
		    p[k - 1].plen == p[i].plen)
			continue;
		p[k++] = p[i];
	}
	return k;
}

/* The naive reference: a linear scan, the longest match wins. */
static uint32_t naive_lookup(const struct tpfx *p, size_t n, unsigned int w,
			     u128 a)
{
	uint32_t slot = NONE;
	int best = -1;
	size_t i;

	for (i = 0; i < n; i++) {
		if ((int)p[i].plen > best &&
		    (a & netmask(w, p[i].plen)) == p[i].first) {
			best = p[i].plen;
			slot = p[i].slot;
		}
	}
	return slot;
}

/* ---- the table under test ---- */

struct table {
	unsigned int w;		/* 32 or 128 */
	size_t n;
	struct psmon_lpm_prefix *p;
	size_t cnt;
	struct psmon_lpm4_range *r4;
	struct psmon_lpm6_range *r6;
	uint64_t *lows;		/* IPv6's low halves */
	size_t nlows;
	/*
	 * Two direct indexes over the ranges: the size the module uses
	 * (psmon_lpm_dir_bits) and one of random size, down to 1 bit.
	 */
	unsigned int k[2];
	struct psmon_lpm_size z[2];
	uint32_t *dir[2];
	struct psmon_lpm_node *node[2];
	struct psmon_lpm4 x4[2];
	struct psmon_lpm6 x6[2];
};

static int lib_prefix_cmp(const struct psmon_lpm_prefix *a,
			  const struct psmon_lpm_prefix *b, unsigned int w)
{
	int c = memcmp(a->addr, b->addr, w / 8);

	if (c)
		return c;
	return (a->plen > b->plen) - (a->plen < b->plen);
}

static u128 range_start(const struct table *t, size_t i)
{
	if (t->w == 32)
		return t->r4[i].start;
	return (u128)t->r6[i].hi << 64 | t->lows[t->r6[i].lo];
}

static uint32_t range_slot(const struct table *t, size_t i)
{
	return t->w == 32 ? t->r4[i].slot : t->r6[i].slot;
}

/*
 * What check_entries() saw at each level of the module-size index (the
 * first) of the last table indexed.
 */
static struct {
	size_t windows[PSMON_LPM_LEVELS];
	size_t searches[PSMON_LPM_LEVELS];
} seen;

/* Some range from..to (IPv6) starts inside a /64. */
static int off_key(const struct table *t, size_t from, size_t to)
{
	for (; t->w == 128 && from <= to; from++)
		if (t->r6[from].lo)
			return 1;
	return 0;
}

/*
 * Entries at..at + count of index j, standing for 2^shift keys each, at
 * level lvl: a window starts at a range (or is the one for addresses
 * outside the block); a node exists and names a sub-index inside the
 * entries (above the last level) or ranges to search: more than a window
 * holds, or (IPv6) with one starting inside a /64.
 */
static void check_entries(const struct table *t, unsigned int j, size_t at,
			  size_t count, unsigned int shift, unsigned int lvl)
{
	const struct psmon_lpm_node *n;
	unsigned int sub_shift, bits;
	size_t i, sub;
	uint32_t e;

	for (i = at; i < at + count; i++) {
		e = t->dir[j][i];
		if (!(e & PSMON_LPM_CHUNK)) {
			if (e >= t->cnt && e != t->cnt + PSMON_LPM_WINDOW - 1)
				fail("index entry %zu: window %u of %zu ranges",
				     i, e, t->cnt);
			seen.windows[lvl] += !j;
			continue;
		}
		e &= ~PSMON_LPM_CHUNK;
		if (e >= t->z[j].node) {
			fail("index entry %zu names node %u of %zu", i, e,
			     t->z[j].node);
			continue;
		}
		n = &t->node[j][e];
		if (!(n->b & PSMON_LPM_SUB)) {
			/*
			 * More ranges than a window holds, or (IPv6) one
			 * starting inside a /64, which no window compares.
			 */
			if (n->b < 2 || n->a >= t->cnt ||
			    n->b > t->cnt - n->a ||
			    (n->b <= PSMON_LPM_WINDOW &&
			     !off_key(t, n->a + 1, n->a + n->b - 1)))
				fail("node %u: ranges %u+%u of %zu", e, n->a,
				     n->b, t->cnt);
			seen.searches[lvl] += !j;
			continue;
		}
		/*
		 * A sub-index: 2^bits entries for an aligned block inside
		 * the slice, one before them for the slice below the block
		 * and one after for above it, both windows. One of a single
		 * entry only for a slice of more keys than that one, or at
		 * the top level (its nodes are all sub-indexes:
		 * psmon_lpm6_lookup()).
		 */
		sub_shift = n->b & PSMON_LPM_SHIFT;
		bits = PSMON_LPM_BITS(n->b);
		if (lvl + 1 >= PSMON_LPM_LEVELS || (lvl && !bits && !shift) ||
		    sub_shift + bits > shift ||
		    (n->b & ~(PSMON_LPM_SUB | 0xffffu)) ||
		    n->base >> shift ||
		    n->base & ((1ull << (sub_shift + bits)) - 1)) {
			fail("node %u: a sub-index at level %u, %u bits, shift %u of %u, block at %#llx",
			     e, lvl + 1, bits, sub_shift, shift,
			     (unsigned long long)n->base);
			continue;
		}
		sub = ((size_t)1 << bits) + 2;
		if (n->a >= t->z[j].dir || sub > t->z[j].dir - n->a) {
			fail("node %u: sub-index %u+%zu of %zu", e, n->a, sub,
			     t->z[j].dir);
			continue;
		}
		if ((t->dir[j][n->a] | t->dir[j][n->a + sub - 1]) &
		    PSMON_LPM_CHUNK)
			fail("node %u: below or above its block, not a window",
			     e);
		check_entries(t, j, n->a, sub, sub_shift, lvl + 1);
	}
}

/*
 * Index the ranges twice, at exactly the room psmon_lpm[46]_index_size()
 * asks for (ASan catches an overrun), within the bounds the module
 * reserves by, and check each index's entries.
 */
static void table_index(struct table *t)
{
	unsigned int j, shift;

	t->k[0] = psmon_lpm_dir_bits(t->n, t->w == 128);
	if (t->k[0] < 1 || t->k[0] > PSMON_LPM_DIR_MAX)
		fail("psmon_lpm_dir_bits(%zu) = %u", t->n, t->k[0]);
	t->k[1] = 1 + (unsigned int)rnd_below(PSMON_LPM_DIR_MAX);
	for (j = 0; j < 2; j++) {
		if (t->w == 32)
			psmon_lpm4_index_size(t->r4, t->cnt, t->k[j], &t->z[j]);
		else
			psmon_lpm6_index_size(t->r6, t->cnt, t->k[j], &t->z[j]);
		/* The bounds the module reserves budget by (prefix.c). */
		if (t->z[j].dir > ((size_t)1 << t->k[j]) + 1 +
				  PSMON_LPM_SUB_PER_RANGE * t->cnt ||
		    t->z[j].node > (t->w == 32 ? PSMON_LPM_NODES_PER_RANGE4 :
					     PSMON_LPM_NODES_PER_RANGE6) *
				   t->cnt)
			fail("index of %u bits: %zu entries, %zu nodes for %zu ranges",
			     t->k[j], t->z[j].dir, t->z[j].node, t->cnt);
		t->dir[j] = xcalloc(t->z[j].dir, sizeof(*t->dir[j]));
		t->node[j] = xcalloc(t->z[j].node, sizeof(*t->node[j]));
		if (t->w == 32) {
			psmon_lpm4_index(&t->x4[j], t->r4, t->cnt, t->k[j],
					 t->dir[j], t->node[j]);
			shift = t->x4[j].shift;
		} else {
			psmon_lpm6_index(&t->x6[j], t->r6, t->lows, t->cnt,
					 t->k[j],
					 t->dir[j], t->node[j]);
			shift = t->x6[j].shift;
		}
		/* The top level and the entry after it. */
		if (!j)
			memset(&seen, 0, sizeof(seen));
		check_entries(t, j, 0,
			      (t->w == 32 ? t->x4[j].out : t->x6[j].out) + 1,
			      shift, 0);
	}
}

/*
 * IPv6's low halves: entry 0 is 0, and a range names a later entry only
 * for a start inside a /64, each its own, in the order of the ranges; the
 * padding names entry 0.
 */
static void check_lows(const struct table *t)
{
	size_t i, next = 1, max = psmon_lpm_ranges_max(t->n);

	if (t->nlows < 1 || t->nlows > max || t->lows[0])
		fail("%zu low halves (room %zu), the first %#llx", t->nlows,
		     max, (unsigned long long)t->lows[0]);
	for (i = 0; i < t->cnt + PSMON_LPM_PAD && i < max; i++) {
		uint32_t lo = t->r6[i].lo;

		if (!lo)
			continue;
		if (lo != next || lo >= t->nlows || !t->lows[lo] ||
		    i >= t->cnt)
			fail("range %zu of %zu: low half %u (next %zu of %zu)",
			     i, t->cnt, lo, next, t->nlows);
		next = lo + 1;
	}
	if (next != t->nlows)
		fail("%zu low halves, %zu named", t->nlows, next);
}

/*
 * Hand the prefixes to the library in shuffled order, sort them with
 * psmon_lpm_sort, build, and check what holds for every table: sorted
 * input, 1 <= ranges <= 2n + 1, first range at address 0, strictly
 * increasing starts, no two neighbours with the same slot.
 */
static void table_build(struct table *t, unsigned int w,
			const struct tpfx *src, size_t n)
{
	size_t i, j, max = psmon_lpm_ranges_max(n);
	struct psmon_lpm_prefix tmp;

	memset(t, 0, sizeof(*t));
	t->w = w;
	t->n = n;
	t->p = xcalloc(n, sizeof(*t->p));
	for (i = 0; i < n; i++) {
		memset(&t->p[i], 0, sizeof(t->p[i]));
		to_bytes(src[i].first, w, t->p[i].addr);
		t->p[i].plen = (uint8_t)src[i].plen;
		t->p[i].slot = src[i].slot;
	}
	for (i = n; i > 1; i--) {
		j = rnd_below(i);
		tmp = t->p[i - 1];
		t->p[i - 1] = t->p[j];
		t->p[j] = tmp;
	}
	psmon_lpm_sort(t->p, n, w == 128);
	for (i = 1; i < n; i++) {
		if (lib_prefix_cmp(&t->p[i - 1], &t->p[i], w) >= 0) {
			fail("psmon_lpm_sort: entries %zu and %zu out of order",
			     i - 1, i);
			break;
		}
	}

	/* Exactly the documented room, so ASan catches any overrun. */
	if (w == 32) {
		t->r4 = xcalloc(max, sizeof(*t->r4));
		t->cnt = psmon_lpm4_build(t->p, n, t->r4);
	} else {
		t->r6 = xcalloc(max, sizeof(*t->r6));
		t->lows = xcalloc(max, sizeof(*t->lows));
		t->cnt = psmon_lpm6_build(t->p, n, t->r6, t->lows, &t->nlows);
		check_lows(t);
	}
	if (t->cnt < 1 || t->cnt > max - PSMON_LPM_PAD) {
		fail("%zu prefixes gave %zu ranges, bound is %zu", n, t->cnt,
		     max - PSMON_LPM_PAD);
		t->cnt = t->cnt > max - PSMON_LPM_PAD ? max - PSMON_LPM_PAD :
							t->cnt;
		if (t->cnt) {
			/* Lookups of the test go on: give them an index. */
			table_index(t);
			return;
		}
		printf("Bail out! no ranges to look up\n");
		exit(1);
	}
	table_index(t);
	if (range_start(t, 0) != 0)
		fail("first range does not start at address 0");
	for (i = 1; i < t->cnt; i++) {
		if (range_start(t, i - 1) >= range_start(t, i))
			fail("ranges %zu and %zu not strictly increasing",
			     i - 1, i);
		if (range_slot(t, i - 1) == range_slot(t, i))
			fail("ranges %zu and %zu both have slot %" PRIu32
			     " (not merged)", i - 1, i, range_slot(t, i));
	}
	/*
	 * The padding: the last slot from the last address (IPv6: its last
	 * /64), then none.
	 */
	for (i = t->cnt; i < t->cnt + PSMON_LPM_PAD; i++) {
		if (range_start(t, i) != (t->w == 32 ? (u128)UINT32_MAX :
						       (u128)UINT64_MAX << 64) ||
		    range_slot(t, i) != (i < t->cnt + PSMON_LPM_WINDOW - 1 ?
					 range_slot(t, t->cnt - 1) : NONE))
			fail("padding range %zu of %zu ranges", i - t->cnt,
			     t->cnt);
	}
}

static void table_free(struct table *t)
{
	free(t->dir[0]);
	free(t->dir[1]);
	free(t->node[0]);
	free(t->node[1]);
	free(t->p);
	free(t->r4);
	free(t->r6);
	free(t->lows);
}

/*
 * lpm.c compiled a second time with PSMON_LPM_NO_INT128 (see Makefile):
 * the IPv6 lookup written for targets without 128-bit integers.
 */
uint32_t psmon_lpm6_search_portable(const struct psmon_lpm6_range *r,
				    size_t n, const uint64_t *lows,
				    const uint8_t addr[16]);
/* And lpm.h's inline lookup so compiled (lpm6_portable.c). */
uint32_t psmon_lpm6_lookup_portable(const struct psmon_lpm6 *t,
				    const uint8_t *addr);

/*
 * The answer of the range search, after checking that both indexes (and,
 * for IPv6, the search and the lookup without 128-bit integers) give the
 * same one.
 */
static uint32_t table_lookup(const struct table *t, u128 a)
{
	char buf[INET6_ADDRSTRLEN];
	uint32_t slot, other;
	unsigned int j;
	uint8_t b[16];

	if (t->w == 32) {
		slot = psmon_lpm4_search(t->r4, t->cnt, (uint32_t)a);
		for (j = 0; j < 2; j++) {
			other = psmon_lpm4_lookup(&t->x4[j], (uint32_t)a);
			if (other != slot)
				fail("lookup %s: index of %u bits says %" PRId32
				     ", not %" PRId32, fmt_addr(a, 32, buf),
				     t->k[j], (int32_t)other, (int32_t)slot);
		}
		return slot;
	}
	to_bytes(a, 128, b);
	slot = psmon_lpm6_search(t->r6, t->cnt, t->lows, b);
	other = psmon_lpm6_search_portable(t->r6, t->cnt, t->lows, b);
	if (other != slot)
		fail("lookup %s: portable variant says %" PRId32
		     ", not %" PRId32, fmt_addr(a, 128, buf), (int32_t)other,
		     (int32_t)slot);
	for (j = 0; j < 2; j++) {
		other = psmon_lpm6_lookup(&t->x6[j], b);
		if (other != slot)
			fail("lookup %s: index of %u bits says %" PRId32
			     ", not %" PRId32, fmt_addr(a, 128, buf), t->k[j],
			     (int32_t)other, (int32_t)slot);
		other = psmon_lpm6_lookup_portable(&t->x6[j], b);
		if (other != slot)
			fail("lookup %s: index of %u bits, portable, says %"
			     PRId32 ", not %" PRId32, fmt_addr(a, 128, buf),
			     t->k[j], (int32_t)other, (int32_t)slot);
		other = lpm6_hook_lookup(&t->x6[j], b);
		if (other != slot)
			fail("lookup %s: index of %u bits, the hook's way, says %"
			     PRId32 ", not %" PRId32, fmt_addr(a, 128, buf),
			     t->k[j], (int32_t)other, (int32_t)slot);
	}
	return slot;
}

static void expect(const struct table *t, u128 a, uint32_t want)
{
	uint32_t got = table_lookup(t, a);
	char buf[INET6_ADDRSTRLEN];

	if (got != want)
		fail("lookup %s: got %" PRId32 ", want %" PRId32,
		     fmt_addr(a, t->w, buf), (int32_t)got, (int32_t)want);
}

/*
 * Check every prefix's first and last address, the addresses just outside
 * it, and every range boundary, against the naive reference.
 */
static void check_edges_naive(const struct table *t, const struct tpfx *p,
			      size_t n)
{
	u128 max = all_ones(t->w), a;
	size_t i;

	for (i = 0; i < n; i++) {
		a = p[i].first;
		expect(t, a, naive_lookup(p, n, t->w, a));
		if (a)
			expect(t, a - 1, naive_lookup(p, n, t->w, a - 1));
		a = tpfx_last(&p[i], t->w);
		expect(t, a, naive_lookup(p, n, t->w, a));
		if (a != max)
			expect(t, a + 1, naive_lookup(p, n, t->w, a + 1));
	}
	for (i = 0; i < t->cnt; i++) {
		a = range_start(t, i);
		expect(t, a, naive_lookup(p, n, t->w, a));
		if (a)
			expect(t, a - 1, naive_lookup(p, n, t->w, a - 1));
	}
	expect(t, 0, naive_lookup(p, n, t->w, 0));
	expect(t, max, naive_lookup(p, n, t->w, max));
}

/* ---- hand-written cases ---- */

struct hpfx {
	const char *addr;
	unsigned int plen;
	uint32_t slot;
};

struct probe {
	const char *addr;
	uint32_t want;
};

static u128 parse(const char *s, unsigned int w)
{
	uint8_t b[16];

	if (inet_pton(w == 32 ? AF_INET : AF_INET6, s, b) != 1) {
		printf("Bail out! bad address %s in a test\n", s);
		exit(1);
	}
	return from_bytes(b, w);
}

/*
 * Build the listed prefixes, check the number of ranges (unless want_cnt
 * is 0), the probes, then every edge against the naive reference.
 */
static void run_case(unsigned int w, const struct hpfx *h, size_t n,
		     const struct probe *pr, size_t npr, size_t want_cnt)
{
	struct tpfx *p = xcalloc(n, sizeof(*p));
	struct table t;
	size_t i;

	for (i = 0; i < n; i++) {
		p[i].first = parse(h[i].addr, w);
		p[i].plen = h[i].plen;
		p[i].slot = h[i].slot;
		if (p[i].first & hostmask(w, p[i].plen)) {
			printf("Bail out! %s/%u has host bits\n", h[i].addr,
			       h[i].plen);
			exit(1);
		}
	}
	table_build(&t, w, p, n);
	if (want_cnt && t.cnt != want_cnt)
		fail("%zu ranges, want %zu", t.cnt, want_cnt);
	for (i = 0; i < npr; i++)
		expect(&t, parse(pr[i].addr, w), pr[i].want);
	check_edges_naive(&t, p, n);
	table_free(&t);
	free(p);
}

#define RUN_CASE(w, h, pr, want_cnt) \
	run_case(w, h, ARRAY_SIZE(h), pr, ARRAY_SIZE(pr), want_cnt)

static void test_empty4(void)
{
	static const struct probe pr[] = {
		{ "0.0.0.0", NONE }, { "0.0.0.1", NONE },
		{ "127.255.255.255", NONE }, { "128.0.0.0", NONE },
		{ "255.255.255.255", NONE },
	};

	run_case(32, NULL, 0, pr, ARRAY_SIZE(pr), 1);
}

static void test_empty6(void)
{
	static const struct probe pr[] = {
		{ "::", NONE }, { "::1", NONE }, { "2001:db8::1", NONE },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NONE },
	};

	run_case(128, NULL, 0, pr, ARRAY_SIZE(pr), 1);
}

static void test_default4(void)
{
	static const struct hpfx h[] = { { "0.0.0.0", 0, 7 } };
	static const struct probe pr[] = {
		{ "0.0.0.0", 7 }, { "10.1.2.3", 7 }, { "255.255.255.255", 7 },
	};

	RUN_CASE(32, h, pr, 1);
}

static void test_default6(void)
{
	static const struct hpfx h[] = { { "::", 0, 7 } };
	static const struct probe pr[] = {
		{ "::", 7 }, { "2001:db8::1", 7 },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 7 },
	};

	RUN_CASE(128, h, pr, 1);
}

static void test_default_split4(void)
{
	/* /0 fully covered by its two halves: NONE never appears. */
	static const struct hpfx h[] = {
		{ "0.0.0.0", 0, 1 }, { "0.0.0.0", 1, 2 },
		{ "128.0.0.0", 1, 3 }, { "128.0.0.0", 2, 3 },
	};
	static const struct probe pr[] = {
		{ "0.0.0.0", 2 }, { "127.255.255.255", 2 },
		{ "128.0.0.0", 3 }, { "255.255.255.255", 3 },
	};

	RUN_CASE(32, h, pr, 2);
}

static void test_hosts4(void)
{
	static const struct hpfx h[] = {
		{ "0.0.0.0", 32, 1 }, { "10.0.0.1", 32, 2 },
		{ "10.0.0.2", 32, 3 }, { "255.255.255.255", 32, 4 },
	};
	static const struct probe pr[] = {
		{ "0.0.0.0", 1 }, { "0.0.0.1", NONE },
		{ "10.0.0.0", NONE }, { "10.0.0.1", 2 }, { "10.0.0.2", 3 },
		{ "10.0.0.3", NONE }, { "255.255.255.254", NONE },
		{ "255.255.255.255", 4 },
	};

	RUN_CASE(32, h, pr, 6);
}

static void test_hosts6(void)
{
	static const struct hpfx h[] = {
		{ "::", 128, 1 }, { "2001:db8::1", 128, 2 },
		{ "2001:db8::2", 128, 3 },
		{ "2001:db8:0:0:ffff:ffff:ffff:ffff", 128, 5 },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 128, 4 },
	};
	static const struct probe pr[] = {
		{ "::", 1 }, { "::1", NONE }, { "2001:db8::", NONE },
		{ "2001:db8::1", 2 }, { "2001:db8::2", 3 },
		{ "2001:db8::3", NONE },
		{ "2001:db8:0:0:ffff:ffff:ffff:fffe", NONE },
		{ "2001:db8:0:0:ffff:ffff:ffff:ffff", 5 },
		{ "2001:db8:0:1::", NONE },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", NONE },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 4 },
	};

	RUN_CASE(128, h, pr, 8);
}

static void test_nested4(void)
{
	static const struct hpfx h[] = {
		{ "10.0.0.0", 8, 1 }, { "10.1.0.0", 16, 2 },
		{ "10.1.2.0", 24, 3 }, { "10.1.2.3", 32, 4 },
	};
	static const struct probe pr[] = {
		{ "9.255.255.255", NONE }, { "10.0.0.0", 1 },
		{ "10.0.255.255", 1 }, { "10.1.0.0", 2 }, { "10.1.1.255", 2 },
		{ "10.1.2.0", 3 }, { "10.1.2.2", 3 }, { "10.1.2.3", 4 },
		{ "10.1.2.4", 3 }, { "10.1.2.255", 3 }, { "10.1.3.0", 2 },
		{ "10.1.255.255", 2 }, { "10.2.0.0", 1 },
		{ "10.255.255.255", 1 }, { "11.0.0.0", NONE },
	};

	/* The 2n + 1 bound is reached exactly. */
	RUN_CASE(32, h, pr, 9);
}

static void test_nested6(void)
{
	static const struct hpfx h[] = {
		{ "2001:db8::", 32, 1 }, { "2001:db8:1::", 48, 2 },
		{ "2001:db8:1:2::", 64, 3 }, { "2001:db8:1:2::3", 128, 4 },
	};
	static const struct probe pr[] = {
		{ "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", NONE },
		{ "2001:db8::", 1 }, { "2001:db8:1::", 2 },
		{ "2001:db8:1:1:ffff:ffff:ffff:ffff", 2 },
		{ "2001:db8:1:2::", 3 }, { "2001:db8:1:2::2", 3 },
		{ "2001:db8:1:2::3", 4 }, { "2001:db8:1:2::4", 3 },
		{ "2001:db8:1:2:ffff:ffff:ffff:ffff", 3 },
		{ "2001:db8:1:3::", 2 }, { "2001:db8:2::", 1 },
		{ "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", 1 },
		{ "2001:db9::", NONE },
	};

	RUN_CASE(128, h, pr, 9);
}

static void test_nested_shared_end4(void)
{
	/* Nested prefixes ending on the same address, and the same slot. */
	static const struct hpfx h[] = {
		{ "10.0.0.0", 8, 1 }, { "10.255.0.0", 16, 2 },
		{ "10.255.255.0", 24, 3 }, { "10.255.255.255", 32, 4 },
		{ "20.0.0.0", 8, 5 }, { "20.0.0.0", 9, 5 },
		{ "20.0.0.0", 10, 6 },
	};
	static const struct probe pr[] = {
		{ "10.254.255.255", 1 }, { "10.255.0.0", 2 },
		{ "10.255.255.254", 3 }, { "10.255.255.255", 4 },
		{ "11.0.0.0", NONE }, { "20.0.0.0", 6 }, { "20.64.0.0", 5 },
		{ "20.255.255.255", 5 }, { "21.0.0.0", NONE },
	};

	RUN_CASE(32, h, pr, 9);
}

static void test_siblings4(void)
{
	static const struct hpfx h[] = {
		{ "10.0.0.0", 25, 1 }, { "10.0.0.128", 25, 2 },
		{ "10.0.1.0", 24, 3 },
		/* Same slot side by side: one range. */
		{ "10.0.2.0", 25, 4 }, { "10.0.2.128", 25, 4 },
		{ "10.0.3.0", 24, 4 },
	};
	static const struct probe pr[] = {
		{ "9.255.255.255", NONE }, { "10.0.0.0", 1 },
		{ "10.0.0.127", 1 }, { "10.0.0.128", 2 }, { "10.0.0.255", 2 },
		{ "10.0.1.0", 3 }, { "10.0.1.255", 3 }, { "10.0.2.0", 4 },
		{ "10.0.3.255", 4 }, { "10.0.4.0", NONE },
	};

	RUN_CASE(32, h, pr, 6);
}

static void test_siblings6(void)
{
	static const struct hpfx h[] = {
		{ "2001:db8::", 64, 1 }, { "2001:db8:0:1::", 64, 2 },
		{ "2001:db8:0:2::", 63, 3 },
		{ "2001:db8::", 48, 9 },
	};
	static const struct probe pr[] = {
		{ "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", NONE },
		{ "2001:db8::", 1 }, { "2001:db8::ffff:ffff:ffff:ffff", 1 },
		{ "2001:db8:0:1::", 2 }, { "2001:db8:0:2::", 3 },
		{ "2001:db8:0:3:ffff:ffff:ffff:ffff", 3 },
		{ "2001:db8:0:4::", 9 }, { "2001:db8:1::", NONE },
	};

	RUN_CASE(128, h, pr, 6);
}

static void test_top4(void)
{
	static const struct hpfx h[] = {
		{ "128.0.0.0", 1, 1 }, { "255.0.0.0", 8, 2 },
		{ "255.255.255.0", 24, 3 }, { "255.255.255.254", 31, 4 },
		{ "255.255.255.255", 32, 5 },
	};
	static const struct probe pr[] = {
		{ "127.255.255.255", NONE }, { "128.0.0.0", 1 },
		{ "254.255.255.255", 1 }, { "255.0.0.0", 2 },
		{ "255.255.254.255", 2 }, { "255.255.255.0", 3 },
		{ "255.255.255.253", 3 }, { "255.255.255.254", 4 },
		{ "255.255.255.255", 5 },
	};

	RUN_CASE(32, h, pr, 6);
}

static void test_top6(void)
{
	static const struct hpfx h[] = {
		{ "8000::", 1, 1 }, { "ffff::", 16, 2 },
		{ "ffff:ffff:ffff:ffff::", 64, 3 },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00", 120, 4 },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 128, 5 },
	};
	static const struct probe pr[] = {
		{ "7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NONE },
		{ "8000::", 1 },
		{ "fffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1 },
		{ "ffff::", 2 },
		{ "ffff:ffff:ffff:fffe:ffff:ffff:ffff:ffff", 2 },
		{ "ffff:ffff:ffff:ffff::", 3 },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:feff", 3 },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00", 4 },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", 4 },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 5 },
	};

	RUN_CASE(128, h, pr, 6);
}

static void test_bottom4(void)
{
	static const struct hpfx h[] = {
		{ "0.0.0.0", 1, 3 }, { "0.0.0.0", 8, 1 },
		{ "0.0.0.0", 32, 2 }, { "0.0.0.2", 31, 4 },
	};
	static const struct probe pr[] = {
		{ "0.0.0.0", 2 }, { "0.0.0.1", 1 }, { "0.0.0.2", 4 },
		{ "0.0.0.3", 4 }, { "0.0.0.4", 1 }, { "0.255.255.255", 1 },
		{ "1.0.0.0", 3 }, { "127.255.255.255", 3 },
		{ "128.0.0.0", NONE },
	};

	RUN_CASE(32, h, pr, 6);
}

static void test_bottom6(void)
{
	static const struct hpfx h[] = {
		{ "::", 1, 3 }, { "::", 64, 1 }, { "::", 128, 2 },
		{ "::2", 127, 4 },
	};
	static const struct probe pr[] = {
		{ "::", 2 }, { "::1", 1 }, { "::2", 4 }, { "::3", 4 },
		{ "::4", 1 }, { "::ffff:ffff:ffff:ffff", 1 },
		{ "0:0:0:1::", 3 },
		{ "7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 3 },
		{ "8000::", NONE },
	};

	RUN_CASE(128, h, pr, 6);
}

/*
 * Clusters that take every level of the index. A sub-index is cut to the
 * block its ranges start in, so a level is only reached through a slice
 * that also holds a prefix far from the cluster: cluster A, 256 prefixes in
 * a row, shares its top-level slice with prefix `far`, so the sub-index
 * spans both and A falls in one of its slices: windows at the last level.
 * Cluster B, in the same top slice, puts more ranges than a window holds
 * on one key (IPv6: host routes inside one /64) next to a prefix on the
 * next key: a search at the last level. The block is as large as the
 * address space. Every address of the clusters against the naive
 * reference, and the levels the module-size index used.
 */
static void run_levels(unsigned int w, u128 unit, u128 far, u128 base_a,
		       unsigned int plen, u128 base_b, u128 lo, u128 hi)
{
	struct tpfx p[3 + 256 + 5];
	struct table t;
	size_t n = 0, i;
	u128 a;

	p[n++] = (struct tpfx){ lo, 16, 1 };
	p[n++] = (struct tpfx){ hi, 16, 2 };
	p[n++] = (struct tpfx){ far, plen, 3 };
	for (i = 0; i < 256; i++)
		p[n++] = (struct tpfx){ base_a + i * unit, plen,
					(uint32_t)(100 + i) };
	if (w == 128) {
		for (i = 0; i < 4; i++)
			p[n++] = (struct tpfx){ base_b + 2 * i + 1, 128,
						(uint32_t)(10 + i) };
		p[n++] = (struct tpfx){ base_b + unit, plen, 14 };
	}
	table_build(&t, w, p, n);
	if (!seen.windows[PSMON_LPM_LEVELS - 1] ||
	    (w == 128 && !seen.searches[PSMON_LPM_LEVELS - 1]))
		fail("the index has %zu windows and %zu searches at its last level",
		     seen.windows[PSMON_LPM_LEVELS - 1],
		     seen.searches[PSMON_LPM_LEVELS - 1]);
	for (i = 0; i < 258; i++) {
		a = base_a + i * unit;
		expect(&t, a, naive_lookup(p, n, w, a));
		expect(&t, a + unit - 1, naive_lookup(p, n, w, a + unit - 1));
	}
	for (i = 0; w == 128 && i < 10; i++) {
		expect(&t, base_b + i, naive_lookup(p, n, w, base_b + i));
		a = base_b + unit + i;
		expect(&t, a, naive_lookup(p, n, w, a));
	}
	expect(&t, far, naive_lookup(p, n, w, far));
	check_edges_naive(&t, p, n);
	table_free(&t);
}

/*
 * IPv4 has no last-level search: a key is an address, and a sub-index has
 * an entry per address for any cluster small enough to need one.
 */
static void test_levels4(void)
{
	run_levels(32, 1, parse("10.17.0.0", 32), parse("10.17.48.0", 32), 32,
		   0, parse("1.0.0.0", 32), parse("250.0.0.0", 32));
}

static void test_levels6(void)
{
	run_levels(128, (u128)1 << 64, parse("2000::", 128),
		   parse("2001:db8:1234:5600::", 128), 64,
		   parse("2001:db8:4321:4000::", 128), parse("1::", 128),
		   parse("f000::", 128));
}

static void test_v4_ignores_tail(void)
{
	/* IPv4 uses addr[0..3]; whatever follows must not matter. */
	struct psmon_lpm_prefix p[2];
	struct psmon_lpm4_range r[5 + PSMON_LPM_PAD];
	size_t cnt;

	memset(p, 0xa5, sizeof(p));
	p[0].addr[0] = 10, p[0].addr[1] = 0, p[0].addr[2] = 0;
	p[0].addr[3] = 0, p[0].plen = 8, p[0].slot = 1;
	p[1].addr[0] = 10, p[1].addr[1] = 1, p[1].addr[2] = 0;
	p[1].addr[3] = 0, p[1].plen = 16, p[1].slot = 2;
	psmon_lpm_sort(p, 2, 0);
	cnt = psmon_lpm4_build(p, 2, r);
	if (cnt != 5)
		fail("%zu ranges, want 5", cnt);
	if (psmon_lpm4_search(r, cnt, 0x0a010203) != 2 ||
	    psmon_lpm4_search(r, cnt, 0x0a020000) != 1 ||
	    psmon_lpm4_search(r, cnt, 0x0b000000) != NONE)
		fail("wrong answers");
}

static void test_sort(void)
{
	struct psmon_lpm_prefix *p;
	unsigned int round, w;
	size_t i, n;
	uint64_t seen;

	for (round = 0; round < 400; round++) {
		w = round & 1 ? 128 : 32;
		n = rnd_below(64);
		p = xcalloc(n, sizeof(*p));
		for (i = 0; i < n; i++) {
			/* Few distinct bytes, so equal addresses are common. */
			unsigned int b;

			for (b = 0; b < w / 8; b++)
				p[i].addr[b] = rnd_below(3) ? 0 : 0x80;
			p[i].plen = (uint8_t)rnd_below(w + 1);
			p[i].slot = (uint32_t)i;
		}
		psmon_lpm_sort(p, n, w == 128);
		seen = 0;
		for (i = 0; i < n; i++) {
			seen |= 1ull << p[i].slot;
			if (i && lib_prefix_cmp(&p[i - 1], &p[i], w) > 0)
				fail("round %u: %zu and %zu out of order",
				     round, i - 1, i);
		}
		if (n && seen != (n == 64 ? ~0ull : (1ull << n) - 1))
			fail("round %u: not a permutation", round);
		free(p);
	}
}

/*
 * Input that breaks the rules (unsorted, duplicates, host bits set,
 * lengths out of range) gives a meaningless table, but the builder must
 * still stay within psmon_lpm_ranges_max(n) entries and the lookups within
 * the table: ASan watches both.
 */
static void test_invalid_input(void)
{
	struct psmon_lpm4_range *r4;
	struct psmon_lpm6_range *r6;
	struct psmon_lpm_prefix *p;
	unsigned int round, b;
	size_t i, n, cnt, max, nlows;
	uint64_t *lows;
	uint8_t addr[16];

	for (round = 0; round < 2000; round++) {
		n = rnd_below(200);
		max = psmon_lpm_ranges_max(n);
		p = xcalloc(n, sizeof(*p));
		for (i = 0; i < n; i++) {
			for (b = 0; b < 16; b++)
				p[i].addr[b] = rnd_below(4) ? 0 : rnd() >> 56;
			p[i].plen = (uint8_t)rnd();
			p[i].slot = (uint32_t)rnd_below(4);
			/* Equal prefixes would overflow the nesting stack. */
			if (i && (round % 4 == 0 || rnd_below(2)))
				p[i] = p[i - 1];
		}
		r4 = xcalloc(max, sizeof(*r4));
		r6 = xcalloc(max, sizeof(*r6));
		lows = xcalloc(max, sizeof(*lows));
		cnt = psmon_lpm4_build(p, n, r4);
		if (cnt < 1 || cnt > max)
			fail("IPv4: %zu ranges from %zu prefixes", cnt, n);
		else
			for (i = 0; i < 100; i++)
				psmon_lpm4_search(r4, cnt, (uint32_t)rnd());
		cnt = psmon_lpm6_build(p, n, r6, lows, &nlows);
		if (cnt < 1 || cnt > max || nlows < 1 || nlows > max)
			fail("IPv6: %zu ranges, %zu low halves from %zu prefixes",
			     cnt, nlows, n);
		else
			for (i = 0; i < 100; i++) {
				to_bytes(rnd128(), 128, addr);
				psmon_lpm6_search(r6, cnt, lows, addr);
				psmon_lpm6_search_portable(r6, cnt, lows,
							   addr);
			}
		free(r4);
		free(r6);
		free(lows);
		free(p);
	}
}

/* ---- random prefixes ---- */

/*
 * Clustered prefixes: most are derived from earlier ones (a child, a
 * parent, a sibling, the next block) or drawn near a few cluster centres,
 * so nesting, shared ends and adjacency are common; a few touch address 0
 * or the last address. Only with shorts are there very short prefixes
 * (/0../3) that may cover everything; without, uncovered gaps remain
 * between the top-level prefixes. few_slots
 * makes neighbours share slots, which exercises merging.
 */
static size_t gen_prefixes(struct tpfx *p, size_t want, unsigned int w,
			   int shorts, int few_slots)
{
	unsigned int plen, kind, minlen = w == 32 ? 4 : 16;
	size_t n = 0, tries, i, ncentres;
	u128 centre[64], base;
	const struct tpfx *q;

	if (shorts)
		minlen = 0;
	/* Few centres for small tables: more nesting. */
	ncentres = want < 1000 ? 4 : ARRAY_SIZE(centre);
	for (i = 0; i < ncentres; i++)
		centre[i] = rnd128() & all_ones(w);
	for (tries = 0; n < want && tries < 32; tries++) {
		while (n < want) {
			kind = rnd_below(100);
			q = n ? &p[rnd_below(n)] : NULL;
			if (q && kind < 30 && q->plen < w) {
				/* A child. */
				plen = q->plen + 1 + rnd_below(w - q->plen);
				base = q->first |
				       (rnd128() & hostmask(w, q->plen));
			} else if (q && kind < 40 && q->plen > minlen) {
				/* A parent, up to 8 bits shorter. */
				plen = q->plen - 1 -
				       rnd_below(q->plen - minlen < 8 ?
						 q->plen - minlen : 8);
				base = q->first;
			} else if (q && kind < 50 && q->plen) {
				/* The sibling: last network bit flipped. */
				plen = q->plen;
				base = q->first ^ ((u128)1 << (w - plen));
			} else if (q && kind < 58) {
				/* The block right after, any length. */
				base = tpfx_last(q, w) + 1;
				plen = minlen + rnd_below(w - minlen + 1);
			} else if (kind < 61) {
				/* Touching either end of the address space. */
				plen = minlen + rnd_below(w - minlen + 1);
				base = rnd_below(2) ? all_ones(w) : 0;
			} else if (kind < 62 && !minlen) {
				plen = rnd_below(4);
				base = rnd128();
			} else {
				/* Near a cluster centre. */
				base = centre[rnd_below(ncentres)] ^
				       (rnd128() & hostmask(w, w / 2));
				plen = w / 4 + rnd_below(w - w / 4 + 1);
			}
			p[n].first = base & netmask(w, plen);
			p[n].plen = plen;
			p[n].slot = few_slots ? (uint32_t)rnd_below(3) :
					      (uint32_t)n;
			n++;
		}
		n = tpfx_unique(p, n);
	}
	/* Unique slots stay unique after dedup: renumber in sorted order. */
	if (!few_slots)
		for (i = 0; i < n; i++)
			p[i].slot = (uint32_t)i;
	return n;
}

/*
 * How much nesting a sorted prefix set has: the number of prefixes inside
 * another one, and the deepest chain.
 */
struct nest_stats {
	size_t prefixes;
	size_t nested;
	unsigned int depth;
};

static void nest_count(struct nest_stats *st, const struct tpfx *p, size_t n,
		       unsigned int w)
{
	u128 stack[129];
	unsigned int sp = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		while (sp && stack[sp - 1] < p[i].first)
			sp--;
		st->nested += sp != 0;
		stack[sp++] = tpfx_last(&p[i], w);
		if (sp > st->depth)
			st->depth = sp;
	}
	st->prefixes += n;
}

static void nest_print(const struct nest_stats *st)
{
	printf("# %zu prefixes, %zu of them nested, chains up to %u deep\n",
	       st->prefixes, st->nested, st->depth);
}

/* Random addresses: a third uniform, the rest inside random prefixes. */
static u128 rnd_addr(const struct tpfx *p, size_t n, unsigned int w)
{
	const struct tpfx *q;

	if (!n || !rnd_below(3))
		return rnd128() & all_ones(w);
	q = &p[rnd_below(n)];
	return q->first | (rnd128() & hostmask(w, q->plen));
}

static void random_naive(unsigned int w, unsigned int rounds, size_t maxn,
			 size_t probes)
{
	struct tpfx *p = xcalloc(maxn, sizeof(*p));
	struct nest_stats st = { 0 };
	unsigned int round;
	struct table t;
	size_t i, n;
	u128 a;

	for (round = 0; round < rounds && !failures; round++) {
		n = gen_prefixes(p, 1 + rnd_below(maxn), w, !rnd_below(4),
				 round & 1);
		nest_count(&st, p, n, w);
		table_build(&t, w, p, n);
		check_edges_naive(&t, p, n);
		for (i = 0; i < probes; i++) {
			a = rnd_addr(p, n, w);
			expect(&t, a, naive_lookup(p, n, w, a));
		}
		table_free(&t);
		if (failures)
			printf("# failed in round %u (%zu prefixes)\n", round,
			       n);
	}
	nest_print(&st);
	free(p);
}

static void test_random4(void)
{
	random_naive(32, 300, 300, 1000);
	random_naive(32, 4, 3000, 5000);
}

static void test_random6(void)
{
	random_naive(128, 300, 300, 1000);
	random_naive(128, 4, 3000, 5000);
}

/* Every address of a /16-sized space, against the naive reference. */
static void exhaustive(unsigned int w)
{
	const unsigned int bits = 16;
	struct tpfx p[400];
	unsigned int round;
	struct table t;
	u128 base, a;
	size_t i, n;

	for (round = 0; round < 4 && !failures; round++) {
		base = rnd128() & netmask(w, w - bits);
		for (i = 0; i < ARRAY_SIZE(p); i++) {
			p[i].plen = w - bits + rnd_below(bits + 1);
			if (i < 3)
				p[i].plen = w - bits - 1 - rnd_below(4);
			a = base | (rnd128() & hostmask(w, w - bits));
			p[i].first = a & netmask(w, p[i].plen);
			p[i].slot = round & 1 ? (uint32_t)rnd_below(3) :
					      (uint32_t)i;
		}
		n = tpfx_unique(p, ARRAY_SIZE(p));
		table_build(&t, w, p, n);
		for (i = 0; i < (size_t)1 << bits; i++) {
			a = base + i;
			expect(&t, a, naive_lookup(p, n, w, a));
		}
		table_free(&t);
	}
}

static void test_exhaustive4(void)
{
	exhaustive(32);
}

static void test_exhaustive6(void)
{
	exhaustive(128);
}

/* ---- large tables ---- */

/*
 * An independent reference fast enough for 100k prefixes: for each length
 * present, longest first, binary search the sorted starts of that length.
 */
struct perlen {
	unsigned int w;
	unsigned int nlens;
	unsigned int lens[129];
	size_t off[130];
	u128 *first;
	uint32_t *slot;
};

static void perlen_init(struct perlen *r, unsigned int w, const struct tpfx *p,
			size_t n)
{
	size_t count[129] = { 0 }, pos[129], i;
	unsigned int l;

	memset(r, 0, sizeof(*r));
	r->w = w;
	for (i = 0; i < n; i++)
		count[p[i].plen]++;
	for (l = w + 1; l-- > 0;) {
		if (!count[l])
			continue;
		r->lens[r->nlens] = l;
		r->off[r->nlens + 1] = r->off[r->nlens] + count[l];
		pos[l] = r->off[r->nlens];
		r->nlens++;
	}
	r->first = xcalloc(n, sizeof(*r->first));
	r->slot = xcalloc(n, sizeof(*r->slot));
	/* p is sorted by address, so each length's slice comes out sorted. */
	for (i = 0; i < n; i++) {
		r->first[pos[p[i].plen]] = p[i].first;
		r->slot[pos[p[i].plen]++] = p[i].slot;
	}
}

static uint32_t perlen_lookup(const struct perlen *r, u128 a)
{
	size_t lo, hi, mid;
	unsigned int i;
	u128 key;

	for (i = 0; i < r->nlens; i++) {
		key = a & netmask(r->w, r->lens[i]);
		lo = r->off[i];
		hi = r->off[i + 1];
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			if (r->first[mid] < key)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < r->off[i + 1] && r->first[lo] == key)
			return r->slot[lo];
	}
	return NONE;
}

static void perlen_free(struct perlen *r)
{
	free(r->first);
	free(r->slot);
}

static void expect_ref(const struct table *t, const struct perlen *ref, u128 a)
{
	expect(t, a, perlen_lookup(ref, a));
}

static void large(unsigned int w, size_t want)
{
	struct tpfx *p = xcalloc(want, sizeof(*p));
	u128 max = all_ones(w), a;
	struct nest_stats st = { 0 };
	struct perlen ref;
	struct table t;
	size_t i, n;
	uint32_t r;

	/*
	 * The generator draws until it has want distinct prefixes, in 32
	 * rounds at most; a table of a million may end a few short.
	 */
	n = gen_prefixes(p, want, w, 0, 0);
	if (n < want - want / 1000)
		fail("generator gave only %zu prefixes", n);
	nest_count(&st, p, n, w);
	nest_print(&st);
	table_build(&t, w, p, n);
	printf("# %zu ranges; index of %u bits: %zu entries, %zu nodes\n",
	       t.cnt, t.k[0], t.z[0].dir, t.z[0].node);
	perlen_init(&ref, w, p, n);

	/* First, the reference itself against the naive scan. */
	for (i = 0; i < 300; i++) {
		a = rnd_addr(p, n, w);
		r = naive_lookup(p, n, w, a);
		if (perlen_lookup(&ref, a) != r)
			fail("per-length reference disagrees with naive");
		expect(&t, a, r);
	}

	/* Every prefix edge, inside and out, and every range start. */
	for (i = 0; i < n; i++) {
		a = p[i].first;
		expect_ref(&t, &ref, a);
		if (a)
			expect_ref(&t, &ref, a - 1);
		a = tpfx_last(&p[i], w);
		expect_ref(&t, &ref, a);
		if (a != max)
			expect_ref(&t, &ref, a + 1);
	}
	for (i = 0; i < t.cnt; i++)
		expect_ref(&t, &ref, range_start(&t, i));
	for (i = 0; i < 200000; i++)
		expect_ref(&t, &ref, rnd_addr(p, n, w));

	perlen_free(&ref);
	table_free(&t);
	free(p);
}

static void test_large4(void)
{
	large(32, 100000);
}

static void test_large6(void)
{
	large(128, 100000);
}

static void test_huge4(void)
{
	large(32, 1000000);
}

static void test_huge6(void)
{
	large(128, 1000000);
}

/* ---- main ---- */

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{ "empty IPv4 table", test_empty4 },
	{ "empty IPv6 table", test_empty6 },
	{ "IPv4 /0", test_default4 },
	{ "IPv6 /0", test_default6 },
	{ "IPv4 /0 covered by its halves", test_default_split4 },
	{ "IPv4 /32 hosts", test_hosts4 },
	{ "IPv6 /128 hosts", test_hosts6 },
	{ "IPv4 nested 8/16/24/32 and back out", test_nested4 },
	{ "IPv6 nested 32/48/64/128 and back out", test_nested6 },
	{ "IPv4 nested prefixes sharing their last address",
	  test_nested_shared_end4 },
	{ "IPv4 adjacent siblings", test_siblings4 },
	{ "IPv6 adjacent siblings", test_siblings6 },
	{ "IPv4 end of address space", test_top4 },
	{ "IPv6 end of address space", test_top6 },
	{ "IPv4 first address 0", test_bottom4 },
	{ "IPv6 first address ::", test_bottom6 },
	{ "IPv4 clusters down to the index's last level", test_levels4 },
	{ "IPv6 clusters down to the index's last level", test_levels6 },
	{ "IPv4 ignores addr[4..15]", test_v4_ignores_tail },
	{ "psmon_lpm_sort orders by address then length", test_sort },
	{ "invalid input stays within bounds", test_invalid_input },
	{ "IPv4 random tables vs naive reference", test_random4 },
	{ "IPv6 random tables vs naive reference", test_random6 },
	{ "IPv4 every address of a /16 vs naive reference",
	  test_exhaustive4 },
	{ "IPv6 every address of a /112 vs naive reference",
	  test_exhaustive6 },
	{ "IPv4 100k prefixes", test_large4 },
	{ "IPv6 100k prefixes", test_large6 },
	{ "IPv4 1M prefixes", test_huge4 },
	{ "IPv6 1M prefixes", test_huge6 },
};

int main(void)
{
	const char *env = getenv("PSMON_TEST_SEED");
	const char *only = getenv("PSMON_TEST_ONLY");
	unsigned long nfail = 0;
	struct timespec ts;
	uint64_t seed;
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (env && *env) {
		seed = strtoull(env, NULL, 0);
	} else {
		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (uint64_t)ts.tv_sec * 1000000007ull ^
		       (uint64_t)ts.tv_nsec;
	}
	printf("TAP version 13\n");
	printf("# seed %" PRIu64 " (PSMON_TEST_SEED=%" PRIu64
	       " repeats this run)\n", seed, seed);
	printf("1..%zu\n", ARRAY_SIZE(tests));
	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		/*
		 * Each test has its own stream: one can be rerun alone
		 * (PSMON_TEST_ONLY=N, the others reported skipped).
		 */
		if (only && strtoul(only, NULL, 0) != i + 1) {
			printf("ok %zu - %s # SKIP PSMON_TEST_ONLY=%s\n", i + 1,
			       tests[i].name, only);
			continue;
		}
		rng_seed(seed ^ (0x9e3779b97f4a7c15ull * (i + 1)));
		failures = 0;
		tests[i].fn();
		printf("%sok %zu - %s\n", failures ? "not " : "", i + 1,
		       tests[i].name);
		nfail += failures != 0;
	}
	if (nfail)
		printf("# %lu of %zu tests failed\n", nfail,
		       ARRAY_SIZE(tests));
	return nfail ? 1 : 0;
}
