// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Native benchmark of psmon's longest-prefix-match table (kmod/lpm.c)
 * against a binary trie with the structure of the kernel's BPF LPM trie
 * (bintrie.c), on the same tables and the same addresses.
 *
 * Structures, side by side:
 *   psmon         the direct index and the ranges, as the packet path looks
 *                 up (psmon_lpm[46]_lookup: inline, the search out of line)
 *   psmon-ranges  the ranges alone (psmon_lpm[46]_search: the binary search
 *                 of the previous design), for the record
 *   trie          one node per prefix plus intermediate nodes, inserted one
 *                 by one; a lookup is a call, as bpf_map_lookup_elem() is
 *
 * Tables: IPv4 of 1k, 10k, 100k and 1M prefixes, IPv6 of 1k, 10k and 100k,
 * drawn with a routing-table-like length mix and nesting (gen_prefixes).
 * Every answer of the three structures is compared on every address
 * measured; any disagreement aborts the benchmark.
 *
 *   lpm_bench            ns per lookup, table memory, build and rebuild
 *                        times: one table on stdout, TSV in $PSMON_BENCH_OUT
 *                        (default build/bench/native.tsv); instructions per
 *                        lookup come from a previous `lpm_bench callgrind`
 *                        ($PSMON_BENCH_CG, default callgrind.tsv next to the
 *                        TSV) when it is newer than this binary and was made
 *                        on the same tables
 *   lpm_bench callgrind  a short workload for valgrind --tool=callgrind
 *                        --instr-atstart=no: each measured loop is
 *                        instrumented and dumped on its own (cg_report.sh)
 *
 * Nothing here passes or fails, except a disagreement between structures.
 */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define HAVE_CALLGRIND 1
#endif
#endif

#include "lpm.h"
#include "bintrie.h"
#include "hugemem.h"
#include "xorshift.h"

#ifndef BENCH_CFLAGS
#define BENCH_CFLAGS "?"
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define NADDR		(1u << 20)	/* addresses per table */
#define AMASK		(NADDR - 1)
#define INSIDE_PCT	50		/* addresses drawn inside a prefix */
#define RUNS		7		/* timed runs per figure: the median */
#define RUN_SECONDS	0.05		/* at least, per run */
#define FP_ADDRS	(1u << 16)	/* answers in a table's fingerprint */
#define CG_LOOKUPS	20000		/* lookups per callgrind measurement */

struct size_spec {
	int v6;
	size_t n;
};

static const struct size_spec sizes[] = {
	{ 0, 1000 }, { 0, 10000 }, { 0, 100000 }, { 0, 1000000 },
	{ 1, 1000 }, { 1, 10000 }, { 1, 100000 },
};

enum { S_PSMON, S_RANGES, S_TRIE, NSTRUCT };
static const char *const sname[NSTRUCT] = { "psmon", "psmon-ranges", "trie" };

/* ---- xorshift64* ---- */

/* Each table its own sequence, the same in both modes of the benchmark. */
static void rng_seed(int v6, size_t n)
{
	rng_state = 0x5eed5eed5eed5eedull ^ (uint64_t)v6 << 40 ^
		    (uint64_t)n * 0x9e3779b97f4a7c15ull;
	if (!rng_state)
		rng_state = 1;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	return p;
}

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Timings are CPU time of this thread: on a shared, loaded machine, the
 * time it spends descheduled is not the lookups' (wall time is kept to
 * report the share of a CPU it got).
 */
static double now(void)
{
	return clock_s(CLOCK_THREAD_CPUTIME_ID);
}

static double wall(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

/* ---- 128-bit helpers on (hi, lo) ---- */

struct k128 {
	uint64_t hi;
	uint64_t lo;
};

static struct k128 k128_load(const uint8_t *b)
{
	struct k128 k = { 0, 0 };
	int i;

	for (i = 0; i < 8; i++) {
		k.hi = k.hi << 8 | b[i];
		k.lo = k.lo << 8 | b[8 + i];
	}
	return k;
}

static void k128_store(struct k128 k, uint8_t *b)
{
	int i;

	for (i = 0; i < 8; i++) {
		b[i] = (uint8_t)(k.hi >> (56 - 8 * i));
		b[8 + i] = (uint8_t)(k.lo >> (56 - 8 * i));
	}
}

static struct k128 k128_mask(unsigned int plen)
{
	struct k128 m;

	m.hi = plen >= 64 ? ~0ull : plen ? ~0ull << (64 - plen) : 0;
	m.lo = plen >= 128 ? ~0ull : plen > 64 ? ~0ull << (128 - plen) : 0;
	return m;
}

static struct k128 k128_and(struct k128 a, struct k128 m)
{
	a.hi &= m.hi;
	a.lo &= m.lo;
	return a;
}

static int k128_cmp(struct k128 a, struct k128 b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	return (a.lo > b.lo) - (a.lo < b.lo);
}

static uint32_t mask4(unsigned int plen)
{
	return plen ? ~0u << (32 - plen) : 0;
}

/* ---- prefixes ---- */

/*
 * Loosely shaped like a routing table: prefixes drawn inside a few hundred
 * allocations, lengths weighted towards /24 (IPv4) and /32, /48, /64
 * (IPv6), a share of host routes, and nesting within allocations.
 */
static unsigned int pick_plen4(void)
{
	unsigned int r = rnd_below(100);

	if (r < 55)
		return 24;
	if (r < 75)
		return 19 + rnd_below(5);
	if (r < 90)
		return 12 + rnd_below(7);
	if (r < 95)
		return 25 + rnd_below(7);
	return 32;
}

static unsigned int pick_plen6(void)
{
	static const unsigned int other[] = { 52, 60, 62, 96, 112, 126, 127 };
	unsigned int r = rnd_below(100);

	if (r < 30)
		return 48;
	if (r < 45)
		return 32;
	if (r < 65)
		return 64;
	if (r < 75)
		return 56;
	if (r < 90)
		return 29 + rnd_below(20);
	if (r < 96)
		return other[rnd_below(ARRAY_SIZE(other))];
	return 128;
}

static int prefix_cmp(const void *a, const void *b)
{
	const struct psmon_lpm_prefix *x = a, *y = b;
	int c = memcmp(x->addr, y->addr, sizeof(x->addr));

	return c ? c : (x->plen > y->plen) - (x->plen < y->plen);
}

static void store_be32(uint32_t a, uint8_t *b)
{
	b[0] = (uint8_t)(a >> 24);
	b[1] = (uint8_t)(a >> 16);
	b[2] = (uint8_t)(a >> 8);
	b[3] = (uint8_t)a;
}

static uint32_t load_be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

/*
 * One allocation (an IPv4 /10 or an IPv6 /24 inside 2000::/3) per hundred
 * prefixes, at least 16: prefixes of one allocation often nest.
 */
static size_t gen_prefixes(struct psmon_lpm_prefix *p, size_t n, int v6)
{
	const unsigned int alen = v6 ? 24 : 10;
	size_t i, k = 0, tries, nalloc = n / 100 < 16 ? 16 : n / 100;
	struct k128 *alloc = xcalloc(nalloc, sizeof(*alloc));
	struct k128 a, m = k128_mask(alen);
	unsigned int plen;
	uint32_t a4;

	for (i = 0; i < nalloc; i++) {
		alloc[i].hi = rnd() & m.hi;
		if (v6)
			alloc[i].hi = (alloc[i].hi & ~(7ull << 61)) | 1ull << 61;
	}
	for (tries = 0; k < n && tries < 16; tries++) {
		for (; k < n; k++) {
			memset(&p[k], 0, sizeof(p[k]));
			i = rnd_below(nalloc);
			if (!v6) {
				plen = pick_plen4();
				plen = plen < alen ? alen : plen;
				a4 = (uint32_t)(alloc[i].hi >> 32) |
				     ((uint32_t)rnd() & ~mask4(alen));
				store_be32(a4 & mask4(plen), p[k].addr);
			} else {
				plen = pick_plen6();
				plen = plen < alen ? alen : plen;
				a.hi = alloc[i].hi | (rnd() & ~m.hi);
				a.lo = rnd();
				k128_store(k128_and(a, k128_mask(plen)),
					   p[k].addr);
			}
			p[k].plen = (uint8_t)plen;
		}
		qsort(p, k, sizeof(*p), prefix_cmp);
		for (i = 0, n = k, k = 0; i < n; i++)
			if (!k || prefix_cmp(&p[k - 1], &p[i]))
				p[k++] = p[i];
	}
	for (i = 0; i < k; i++)
		p[i].slot = (uint32_t)i;
	free(alloc);
	return k;
}

/*
 * Lookup addresses: INSIDE_PCT percent inside a random registered prefix
 * (any address of it), the others uniform over the whole address space
 * (which may still fall in a prefix). Stored as network-order bytes, as
 * the kernel sees them.
 */
static void gen_addrs(uint8_t (*addr)[16], const struct psmon_lpm_prefix *p,
		      size_t n, int v6)
{
	const struct psmon_lpm_prefix *q;
	struct k128 a, m, b;
	uint32_t a4;
	size_t i;

	for (i = 0; i < NADDR; i++) {
		q = rnd_below(100) < INSIDE_PCT ? &p[rnd_below(n)] : NULL;
		if (!v6) {
			a4 = (uint32_t)rnd();
			if (q)
				a4 = load_be32(q->addr) |
				     (a4 & ~mask4(q->plen));
			store_be32(a4, addr[i]);
			continue;
		}
		a.hi = rnd();
		a.lo = rnd();
		if (q) {
			b = k128_load(q->addr);
			m = k128_mask(q->plen);
			a.hi = b.hi | (a.hi & ~m.hi);
			a.lo = b.lo | (a.lo & ~m.lo);
		}
		k128_store(a, addr[i]);
	}
}

/* ---- the tables ---- */

struct bench {
	int v6;
	size_t n;			/* prefixes */
	struct psmon_lpm_prefix *p;	/* sorted; slot = index */
	struct psmon_lpm_prefix *shuf;	/* the same, in insertion order */
	uint8_t (*addr)[16];		/* IPv6 addresses */
	uint32_t *a4;			/* IPv4 addresses, network order */
	/* psmon, as prefix.c builds it */
	size_t nr;			/* ranges */
	unsigned int k;			/* index bits */
	struct psmon_lpm4_range *r4;
	struct psmon_lpm6_range *r6;
	uint64_t *lows;			/* IPv6's low halves */
	size_t nlows;
	uint32_t *dir;
	struct psmon_lpm_node *node;
	struct psmon_lpm_size z;	/* index entries and nodes */
	struct psmon_lpm4 t4;
	struct psmon_lpm6 t6;
	/* the reference */
	struct bt trie;
	/* from the cross-check */
	size_t leaf;			/* answered by a top-level window */
	size_t sub;			/* by a window of a sub-index */
	size_t hit;			/* matching some prefix */
	size_t searched;		/* ranges in the searches, summed */
	uint32_t fp;			/* answers to the first FP_ADDRS */
};

/*
 * With the index, the ranges' padding is counted too, as prefix.c does;
 * IPv6's low halves either way (its searches read them).
 */
static size_t psmon_bytes(const struct bench *b, int with_index)
{
	size_t r = b->nr * (b->v6 ? sizeof(*b->r6) : sizeof(*b->r4));

	if (b->v6)
		r += b->nlows * sizeof(*b->lows);
	if (with_index)
		r += PSMON_LPM_PAD * (b->v6 ? sizeof(*b->r6) : sizeof(*b->r4)) +
		     b->z.dir * sizeof(*b->dir) + b->z.node * sizeof(*b->node);
	return r;
}

static void shuffle(struct psmon_lpm_prefix *p, size_t n)
{
	struct psmon_lpm_prefix t;
	size_t i, j;

	for (i = n; i > 1; i--) {
		j = rnd_below(i);
		t = p[i - 1];
		p[i - 1] = p[j];
		p[j] = t;
	}
}

static void trie_key(struct bt_key *key, const struct psmon_lpm_prefix *p)
{
	key->prefixlen = p->plen;
	memcpy(key->data, p->addr, sizeof(key->data));
}

/* Insert the prefixes one by one, in b->shuf's order. */
static void trie_fill(struct bt *t, const struct bench *b)
{
	struct bt_key key;
	size_t i;

	bt_init(t, b->v6);
	for (i = 0; i < b->n; i++) {
		trie_key(&key, &b->shuf[i]);
		if (bt_update(t, &key, b->shuf[i].slot)) {
			fprintf(stderr, "trie: out of memory\n");
			exit(1);
		}
	}
}

/*
 * psmon's build and index of the sorted prefixes, as prefix.c does: the
 * ranges, the index's size, then the index in memory of that size. The
 * memory is allocated once (a rebuild of the same table reuses it), so
 * that build times do not count page faults.
 */
static void psmon_fill(struct bench *b)
{
	struct psmon_lpm_size had = b->z;

	if (!b->v6) {
		b->nr = psmon_lpm4_build(b->p, b->n, b->r4);
		psmon_lpm4_index_size(b->r4, b->nr, b->k, &b->z);
	} else {
		b->nr = psmon_lpm6_build(b->p, b->n, b->r6, b->lows,
					 &b->nlows);
		psmon_lpm6_index_size(b->r6, b->nr, b->k, &b->z);
	}
	if (!b->dir || had.dir != b->z.dir || had.node != b->z.node) {
		free(b->dir);
		free(b->node);
		b->dir = huge_calloc(b->z.dir, sizeof(*b->dir));
		b->node = huge_calloc(b->z.node, sizeof(*b->node));
	}
	if (!b->v6)
		psmon_lpm4_index(&b->t4, b->r4, b->nr, b->k, b->dir, b->node);
	else
		psmon_lpm6_index(&b->t6, b->r6, b->lows, b->nr, b->k, b->dir,
				 b->node);
}

static void bench_setup(struct bench *b, int v6, size_t want)
{
	size_t i;

	memset(b, 0, sizeof(*b));
	b->v6 = v6;
	rng_seed(v6, want);
	b->p = xcalloc(want, sizeof(*b->p));
	b->n = gen_prefixes(b->p, want, v6);
	b->addr = xcalloc(NADDR, sizeof(*b->addr));
	gen_addrs(b->addr, b->p, b->n, v6);
	if (!v6) {
		b->a4 = xcalloc(NADDR, sizeof(*b->a4));
		for (i = 0; i < NADDR; i++)
			memcpy(&b->a4[i], b->addr[i], sizeof(b->a4[i]));
		free(b->addr);
		b->addr = NULL;
		b->r4 = huge_calloc(psmon_lpm_ranges_max(b->n), sizeof(*b->r4));
	} else {
		b->r6 = huge_calloc(psmon_lpm_ranges_max(b->n), sizeof(*b->r6));
		b->lows = huge_calloc(psmon_lpm_ranges_max(b->n),
				      sizeof(*b->lows));
	}
	b->k = psmon_lpm_dir_bits(b->n, b->v6);
	psmon_fill(b);
	b->shuf = xcalloc(b->n, sizeof(*b->shuf));
	memcpy(b->shuf, b->p, b->n * sizeof(*b->p));
	shuffle(b->shuf, b->n);
	trie_fill(&b->trie, b);
}

static void bench_free(struct bench *b)
{
	free(b->p);
	free(b->shuf);
	free(b->addr);
	free(b->a4);
	free(b->r4);
	free(b->r6);
	free(b->lows);
	free(b->dir);
	free(b->node);
	bt_free(&b->trie);
}

/* ---- lookups ---- */

#define INLINE static inline __attribute__((always_inline))

INLINE uint32_t at_psmon4(const struct bench *b, size_t j)
{
	return psmon_lpm4_lookup(&b->t4, ntohl(b->a4[j]));
}

INLINE uint32_t at_ranges4(const struct bench *b, size_t j)
{
	return psmon_lpm4_search(b->r4, b->nr, ntohl(b->a4[j]));
}

/* As a BPF program would: the key on the stack, then the lookup. */
INLINE uint32_t at_trie4(const struct bench *b, size_t j)
{
	struct bt_key key;

	key.prefixlen = 32;
	memcpy(key.data, &b->a4[j], 4);
	return bt_lookup(&b->trie, &key, PSMON_LPM_NONE);
}

INLINE uint32_t at_psmon6(const struct bench *b, size_t j)
{
	return psmon_lpm6_lookup(&b->t6, b->addr[j]);
}

INLINE uint32_t at_ranges6(const struct bench *b, size_t j)
{
	return psmon_lpm6_search(b->r6, b->nr, b->lows, b->addr[j]);
}

INLINE uint32_t at_trie6(const struct bench *b, size_t j)
{
	struct bt_key key;

	key.prefixlen = 128;
	memcpy(key.data, b->addr[j], 16);
	return bt_lookup(&b->trie, &key, PSMON_LPM_NONE);
}

/* No lookup: the cost of the loop itself, for callgrind. */
INLINE uint32_t at_none4(const struct bench *b, size_t j)
{
	return b->a4[j];
}

INLINE uint32_t at_none6(const struct bench *b, size_t j)
{
	return b->addr[j][15];
}

/*
 * tput_*: independent lookups over the pre-generated addresses (nothing
 * in one lookup waits for the previous one). lat_*: the address of each
 * lookup depends on the previous answer, so lookups cannot overlap.
 */
#define TPUT_LOOP(name)							\
static __attribute__((noinline, unused))				\
uint32_t tput_##name(const struct bench *b, size_t count)		\
{									\
	uint32_t sum = 0;						\
	size_t i;							\
									\
	for (i = 0; i < count; i++)					\
		sum += at_##name(b, i & AMASK);				\
	return sum;							\
}

#define LAT_LOOP(name)							\
static __attribute__((noinline, unused))				\
uint32_t lat_##name(const struct bench *b, size_t count)		\
{									\
	uint32_t s = 0;							\
	size_t i;							\
									\
	for (i = 0; i < count; i++)					\
		s = at_##name(b, (i ^ (s & 1)) & AMASK);		\
	return s;							\
}

#define LOOPS(name) TPUT_LOOP(name) LAT_LOOP(name)

LOOPS(psmon4)
LOOPS(ranges4)
LOOPS(trie4)
TPUT_LOOP(none4)
LOOPS(psmon6)
LOOPS(ranges6)
LOOPS(trie6)
TPUT_LOOP(none6)

typedef uint32_t (*loop_fn)(const struct bench *b, size_t count);

/* [v6][structure][latency] */
static const loop_fn loops[2][NSTRUCT][2] = {
	{ { tput_psmon4, lat_psmon4 }, { tput_ranges4, lat_ranges4 },
	  { tput_trie4, lat_trie4 } },
	{ { tput_psmon6, lat_psmon6 }, { tput_ranges6, lat_ranges6 },
	  { tput_trie6, lat_trie6 } },
};

static volatile uint32_t sink;

/* ---- the cross-check ---- */

static void format_addr(const uint8_t *a, int v6, char *buf, size_t len)
{
	if (!inet_ntop(v6 ? AF_INET6 : AF_INET, a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

/* Slot of the longest prefix holding a, by scanning them all. */
static uint32_t naive_lookup(const struct bench *b, const uint8_t *a)
{
	struct k128 x = k128_load(a), m;
	uint32_t best = PSMON_LPM_NONE, a4 = load_be32(a);
	int plen = -1;
	size_t i;

	for (i = 0; i < b->n; i++) {
		const struct psmon_lpm_prefix *q = &b->p[i];

		if (q->plen <= plen)
			continue;
		if (!b->v6) {
			if ((a4 & mask4(q->plen)) != load_be32(q->addr))
				continue;
		} else {
			m = k128_mask(q->plen);
			if (k128_cmp(k128_and(x, m), k128_load(q->addr)))
				continue;
		}
		best = q->slot;
		plen = q->plen;
	}
	return best;
}

static void print_slot(const struct bench *b, const char *who, uint32_t s)
{
	char buf[INET6_ADDRSTRLEN];

	if (s == PSMON_LPM_NONE) {
		fprintf(stderr, "  %-13s no match\n", who);
	} else if (s >= b->n) {
		fprintf(stderr, "  %-13s slot %" PRIu32 " (no such prefix)\n",
			who, s);
	} else {
		format_addr(b->p[s].addr, b->v6, buf, sizeof(buf));
		fprintf(stderr, "  %-13s slot %" PRIu32 ": %s/%u\n", who, s, buf,
			b->p[s].plen);
	}
}

/*
 * For statistics: the entry a lookup ends on after a node, through the
 * sub-indexes (a window, or a node of ranges to search), as the lookup's
 * psmon_lpm[46]_chunk() computes it.
 */
static uint32_t sub_entry(const struct bench *b, uint32_t e, size_t j)
{
	const struct psmon_lpm_node *n;
	uint64_t off, mask;
	unsigned int shift;

	if (!b->v6) {
		off = ntohl(b->a4[j]) - b->t4.base;
		mask = b->t4.slice;
	} else {
		off = k128_load(b->addr[j]).hi - b->t6.base;
		mask = b->t6.slice;
	}
	while (e & PSMON_LPM_CHUNK) {
		n = &b->node[e & ~PSMON_LPM_CHUNK];
		if (!(n->b & PSMON_LPM_SUB))
			return e;
		shift = n->b & PSMON_LPM_SHIFT;
		e = b->dir[n->a + psmon_lpm_sub_entry(n, off & mask, shift)];
		mask = (1ull << shift) - 1;
	}
	return e;
}

/*
 * The three structures must give the same answer for every address: a
 * disagreement is a bug, not a figure. Also counts what the index alone
 * answers and the addresses matching a prefix, and fingerprints the table.
 */
static void cross_check(struct bench *b, size_t count)
{
	uint8_t a[16] = { 0 };
	uint32_t x, y, z, e;
	char buf[INET6_ADDRSTRLEN];
	size_t j;

	b->leaf = b->sub = b->hit = b->searched = 0;
	b->fp = 2166136261u;
	for (j = 0; j < count; j++) {
		if (!b->v6) {
			x = at_psmon4(b, j);
			y = at_ranges4(b, j);
			z = at_trie4(b, j);
			e = psmon_lpm4_entry(&b->t4, ntohl(b->a4[j]));
		} else {
			x = at_psmon6(b, j);
			y = at_ranges6(b, j);
			z = at_trie6(b, j);
			e = psmon_lpm6_entry(&b->t6, k128_load(b->addr[j]).hi);
		}
		if (x != y || x != z) {
			if (!b->v6)
				memcpy(a, &b->a4[j], 4);
			else
				memcpy(a, b->addr[j], 16);
			format_addr(a, b->v6, buf, sizeof(buf));
			fprintf(stderr,
				"\nFATAL: the structures disagree: IPv%d table of %zu prefixes (seed: rng_seed(%d, %zu)), address #%zu %s\n",
				b->v6 ? 6 : 4, b->n, b->v6, b->n, j, buf);
			print_slot(b, "psmon", x);
			print_slot(b, "psmon-ranges", y);
			print_slot(b, "trie", z);
			print_slot(b, "naive scan", naive_lookup(b, a));
			fprintf(stderr, "  index entry 0x%08" PRIx32 ", %zu ranges, k %u\n",
				e, b->nr, b->k);
			fprintf(stderr, "This is a bug, not a benchmark figure.\n");
			exit(1);
		}
		if (!(e & PSMON_LPM_CHUNK)) {
			b->leaf++;
		} else {
			e = sub_entry(b, e, j);
			if (!(e & PSMON_LPM_CHUNK))
				b->sub++;
			else
				b->searched += b->node[e & ~PSMON_LPM_CHUNK].b;
		}
		b->hit += x != PSMON_LPM_NONE;
		if (j < FP_ADDRS)
			b->fp = (b->fp ^ x) * 16777619u;
	}
}

/* ---- timing ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Lookups for a run of at least RUN_SECONDS (this also warms up). */
static size_t calibrate(loop_fn fn, const struct bench *b)
{
	size_t count = 1u << 15;
	double t0, d;

	for (;;) {
		t0 = now();
		sink = fn(b, count);
		d = now() - t0;
		if (d >= RUN_SECONDS)
			return count;
		if (d > RUN_SECONDS / 16)
			count = (size_t)((double)count * RUN_SECONDS * 1.2 / d);
		else
			count *= 16;
	}
}

/*
 * ns per lookup: the median of RUNS runs, the structures and variants
 * interleaved so that a change of load hits them alike.
 */
static double timed_cpu, timed_wall;	/* totals of the timed runs */

static void time_lookups(const struct bench *b, double ns[NSTRUCT][2])
{
	static double t[NSTRUCT][2][RUNS];
	size_t count[NSTRUCT][2];
	double t0, w0, c0;
	int s, v, r;

	for (s = 0; s < NSTRUCT; s++)
		for (v = 0; v < 2; v++)
			count[s][v] = calibrate(loops[b->v6][s][v], b);
	w0 = wall();
	c0 = now();
	for (r = 0; r < RUNS; r++)
		for (s = 0; s < NSTRUCT; s++)
			for (v = 0; v < 2; v++) {
				t0 = now();
				sink = loops[b->v6][s][v](b, count[s][v]);
				t[s][v][r] = (now() - t0) / (double)count[s][v];
			}
	timed_cpu += now() - c0;
	timed_wall += wall() - w0;
	for (s = 0; s < NSTRUCT; s++)
		for (v = 0; v < 2; v++)
			ns[s][v] = median(t[s][v], RUNS) * 1e9;
}

/* Build times (ms, medians): [structure], and the sort alone. */
static void time_builds(struct bench *b, double ms[NSTRUCT], double *sort_ms)
{
	int reps = b->n >= 1000000 ? 3 : b->n >= 100000 ? 5 :
		   b->n >= 10000 ? 11 : 21;
	double t[4][21], t0;
	struct psmon_lpm_prefix *tmp = xcalloc(b->n, sizeof(*tmp));
	struct bt trie;
	size_t nr;
	int r;

	for (r = 0; r < reps; r++) {
		/* psmon: sorted input (the module's tree gives it) */
		t0 = now();
		psmon_fill(b);
		t[0][r] = now() - t0;
		/* the ranges alone */
		t0 = now();
		nr = !b->v6 ? psmon_lpm4_build(b->p, b->n, b->r4) :
			      psmon_lpm6_build(b->p, b->n, b->r6, b->lows,
					       &b->nlows);
		t[1][r] = now() - t0;
		if (nr != b->nr) {
			fprintf(stderr, "FATAL: rebuild gave %zu ranges, not %zu\n",
				nr, b->nr);
			exit(1);
		}
		/* the trie: one insert per prefix */
		t0 = now();
		trie_fill(&trie, b);
		t[2][r] = now() - t0;
		bt_free(&trie);
		/* psmon_lpm_sort() of the prefixes in random order */
		memcpy(tmp, b->shuf, b->n * sizeof(*tmp));
		t0 = now();
		psmon_lpm_sort(tmp, b->n, b->v6);
		t[3][r] = now() - t0;
		if (memcmp(tmp, b->p, b->n * sizeof(*tmp))) {
			fprintf(stderr, "FATAL: psmon_lpm_sort() gave another order\n");
			exit(1);
		}
	}
	for (r = 0; r < NSTRUCT; r++)
		ms[r] = median(t[r], (size_t)reps) * 1e3;
	*sort_ms = median(t[3], (size_t)reps) * 1e3;
	free(tmp);
}

/* ---- the control path: one prefix more or less in a 100k table ---- */

struct rebuild {
	double sorted_ms;	/* copy + build + index */
	double sort_ms;		/* copy + sort + build + index */
};

/*
 * The table of a namespace with one IPv4 /24, as prefix.c sizes it (the
 * padding and IPv6's one low half included; its header not).
 */
static size_t one_prefix_bytes(void)
{
	struct psmon_lpm_prefix p = { .addr = { 198, 51, 100 }, .plen = 24 };
	struct psmon_lpm4_range r4[3 + PSMON_LPM_PAD];
	struct psmon_lpm6_range r6[1 + PSMON_LPM_PAD];
	uint64_t lows[1 + PSMON_LPM_PAD];
	struct psmon_lpm_size z4, z6;
	size_t n4, n6, nlows;

	n4 = psmon_lpm4_build(&p, 1, r4);
	n6 = psmon_lpm6_build(NULL, 0, r6, lows, &nlows);
	psmon_lpm4_index_size(r4, n4, psmon_lpm_dir_bits(1, 0), &z4);
	psmon_lpm6_index_size(r6, n6, psmon_lpm_dir_bits(0, 1), &z6);
	return (n4 + PSMON_LPM_PAD) * sizeof(*r4) +
	       (n6 + PSMON_LPM_PAD) * sizeof(*r6) + nlows * sizeof(*lows) +
	       (z4.dir + z6.dir) * sizeof(uint32_t) +
	       (z4.node + z6.node) * sizeof(struct psmon_lpm_node);
}

/* The index of nr ranges, in memory of the size it asks for (as prefix.c). */
static void index4(struct psmon_lpm4 *t, const struct psmon_lpm4_range *r,
		   size_t nr, unsigned int k, uint32_t **dir,
		   struct psmon_lpm_node **node, struct psmon_lpm_size *z)
{
	free(*dir);
	free(*node);
	psmon_lpm4_index_size(r, nr, k, z);
	*dir = xcalloc(z->dir, sizeof(**dir));
	*node = xcalloc(z->node, sizeof(**node));
	psmon_lpm4_index(t, r, nr, k, *dir, *node);
}

static struct rebuild time_rebuild(const struct psmon_lpm_prefix *sorted,
				   size_t n, const uint8_t *probe,
				   uint32_t want)
{
	enum { REPS = 11 };
	struct psmon_lpm_prefix *tmp = xcalloc(n, sizeof(*tmp));
	struct psmon_lpm_prefix *shuf = xcalloc(n, sizeof(*shuf));
	unsigned int k = psmon_lpm_dir_bits(n, 0);
	struct psmon_lpm4_range *r = xcalloc(psmon_lpm_ranges_max(n), sizeof(*r));
	struct psmon_lpm_node *node = NULL;
	struct psmon_lpm_size z;
	double t[2][REPS], t0;
	uint32_t *dir = NULL;
	struct psmon_lpm4 t4;
	struct rebuild out;
	size_t nr;
	int i;

	memcpy(shuf, sorted, n * sizeof(*shuf));
	shuffle(shuf, n);
	for (i = 0; i < REPS; i++) {
		t0 = now();
		memcpy(tmp, sorted, n * sizeof(*tmp));
		nr = psmon_lpm4_build(tmp, n, r);
		index4(&t4, r, nr, k, &dir, &node, &z);
		t[0][i] = now() - t0;

		t0 = now();
		memcpy(tmp, shuf, n * sizeof(*tmp));
		psmon_lpm_sort(tmp, n, 0);
		nr = psmon_lpm4_build(tmp, n, r);
		index4(&t4, r, nr, k, &dir, &node, &z);
		t[1][i] = now() - t0;
	}
	if (psmon_lpm4_lookup(&t4, load_be32(probe)) != want) {
		fprintf(stderr, "FATAL: the rebuilt table misses the change\n");
		exit(1);
	}
	out.sorted_ms = median(t[0], REPS) * 1e3;
	out.sort_ms = median(t[1], REPS) * 1e3;
	free(tmp);
	free(shuf);
	free(r);
	free(dir);
	free(node);
	return out;
}

struct control {
	size_t n;
	struct rebuild add, del;
	char added[INET6_ADDRSTRLEN + 4];
	char removed[INET6_ADDRSTRLEN + 4];
};

static void control_path(const struct bench *b, struct control *c)
{
	struct psmon_lpm_prefix np, *add, *del;
	struct rebuild ra, rd;
	size_t i, pos, gone = b->n / 2;
	uint8_t probe[16] = { 0 };
	char buf[INET6_ADDRSTRLEN];
	uint32_t want;
	int plen;

	/* A /24 not yet in the table, in the block of an existing prefix. */
	memset(&np, 0, sizeof(np));
	np.plen = 24;
	np.slot = (uint32_t)b->n;
	do {
		i = rnd_below(b->n);
		store_be32((load_be32(b->p[i].addr) ^ (uint32_t)rnd_below(256) << 8) &
			   mask4(24), np.addr);
	} while (bsearch(&np, b->p, b->n, sizeof(*b->p), prefix_cmp));
	for (pos = 0; pos < b->n && prefix_cmp(&b->p[pos], &np) < 0; pos++)
		;
	add = xcalloc(b->n + 1, sizeof(*add));
	memcpy(add, b->p, pos * sizeof(*add));
	add[pos] = np;
	memcpy(add + pos + 1, b->p + pos, (b->n - pos) * sizeof(*add));
	memcpy(probe, np.addr, 4);
	ra = time_rebuild(add, b->n + 1, probe, np.slot);

	del = xcalloc(b->n - 1, sizeof(*del));
	memcpy(del, b->p, gone * sizeof(*del));
	memcpy(del + gone, b->p + gone + 1, (b->n - gone - 1) * sizeof(*del));
	/* Its first address now falls to what enclosed it, if anything. */
	memcpy(probe, b->p[gone].addr, 4);
	want = PSMON_LPM_NONE;
	for (i = 0, plen = -1; i < b->n - 1; i++)
		if ((int)del[i].plen > plen &&
		    (load_be32(probe) & mask4(del[i].plen)) ==
		    load_be32(del[i].addr)) {
			want = del[i].slot;
			plen = del[i].plen;
		}
	rd = time_rebuild(del, b->n - 1, probe, want);

	c->n = b->n;
	c->add = ra;
	c->del = rd;
	format_addr(np.addr, 0, buf, sizeof(buf));
	snprintf(c->added, sizeof(c->added), "%s/24", buf);
	format_addr(b->p[gone].addr, 0, buf, sizeof(buf));
	snprintf(c->removed, sizeof(c->removed), "%s/%u", buf, b->p[gone].plen);
	free(add);
	free(del);
}

static void control_print(const struct control *c)
{
	printf("\nControl path: the IPv4 table of %zu prefixes rebuilt after one change (ms, median of 11)\n",
	       c->n);
	printf("  %-8s %-20s %10s %14s\n", "", "prefix", "sorted", "shuffled+sort");
	printf("  %-8s %-20s %10.2f %14.2f\n", "add", c->added, c->add.sorted_ms,
	       c->add.sort_ms);
	printf("  %-8s %-20s %10.2f %14.2f\n", "remove", c->removed,
	       c->del.sorted_ms, c->del.sort_ms);
	printf("  sorted: copy of the sorted prefixes (the module walks its rbtree instead) +\n"
	       "  psmon_lpm4_build + psmon_lpm4_index, as psmon_table_rebuild() does; shuffled+sort:\n"
	       "  the same from the prefixes in random order, psmon_lpm_sort first. Buffers\n"
	       "  preallocated (the module kvmallocs the table; not timed).\n");
}

/* ---- output ---- */

static void fmt_bytes(size_t v, char *buf, size_t len)
{
	if (v < 1024)
		snprintf(buf, len, "%zu B", v);
	else if (v < 1024 * 1024)
		snprintf(buf, len, "%.1f KiB", (double)v / 1024);
	else
		snprintf(buf, len, "%.2f MiB", (double)v / (1024 * 1024));
}

/* The first line of path starting with key, after its ": ", or "?". */
static void read_field(const char *path, const char *key, char *buf,
		       size_t len)
{
	char line[512], *v;
	FILE *f = fopen(path, "r");
	size_t n;

	snprintf(buf, len, "?");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (key && strncmp(line, key, strlen(key)))
			continue;
		v = key ? strchr(line, ':') : line;
		if (!v)
			continue;
		if (key)
			for (v++; *v == ' ' || *v == '\t'; v++)
				;
		v[strcspn(v, "\n")] = '\0';
		n = strlen(v) < len ? strlen(v) : len - 1;
		memcpy(buf, v, n);
		buf[n] = '\0';
		break;
	}
	fclose(f);
}

static void load_average(char *buf, size_t len)
{
	char *sp;
	int i;

	read_field("/proc/loadavg", NULL, buf, len);
	for (i = 0, sp = buf; i < 3 && sp; i++)
		sp = strchr(sp + 1, ' ');
	if (sp)
		*sp = '\0';
}

/* mkdir -p of the directory part of path. */
static void make_parent(const char *path)
{
	char dir[4096], *s;

	snprintf(dir, sizeof(dir), "%s", path);
	for (s = dir + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(dir, 0777) && errno != EEXIST) {
			fprintf(stderr, "mkdir %s: %s\n", dir, strerror(errno));
			exit(1);
		}
		*s = '/';
	}
}

/* Instructions per lookup from `lpm_bench callgrind` (cg_report.sh). */
struct cg_row {
	char family[8];
	size_t n;
	char structure[16];
	double ir;
	size_t nr;
	uint32_t fp;
};

static struct cg_row cg_rows[64];
static size_t cg_nrows;

static const char *cg_load(const char *path)
{
	struct stat sc, se;
	struct cg_row r;
	char line[256];
	FILE *f;

	if (stat(path, &sc))
		return "not measured (make callgrind)";
	if (!stat("/proc/self/exe", &se) && sc.st_mtime < se.st_mtime)
		return "not shown: older than this binary (make callgrind)";
	f = fopen(path, "r");
	if (!f)
		return "not measured (make callgrind)";
	while (fgets(line, sizeof(line), f) && cg_nrows < ARRAY_SIZE(cg_rows))
		if (sscanf(line, "%7s %zu %15s %lf %zu %" SCNx32, r.family, &r.n,
			   r.structure, &r.ir, &r.nr, &r.fp) == 6)
			cg_rows[cg_nrows++] = r;
	fclose(f);
	return cg_nrows ? NULL : "not measured (make callgrind)";
}

/* NaN unless measured on this very table. */
static double cg_find(const struct bench *b, const char *structure)
{
	size_t i;

	for (i = 0; i < cg_nrows; i++)
		if (!strcmp(cg_rows[i].family, b->v6 ? "IPv6" : "IPv4") &&
		    cg_rows[i].n == b->n && cg_rows[i].nr == b->nr &&
		    cg_rows[i].fp == b->fp &&
		    !strcmp(cg_rows[i].structure, structure))
			return cg_rows[i].ir;
	return NAN;
}

static int bench_wall(void)
{
	const char *out = getenv("PSMON_BENCH_OUT");
	const char *cg = getenv("PSMON_BENCH_CG");
	char cpu[256], load[64], path[4096], mem[32], ir[16], when[32], *slash;
	double ns[NSTRUCT][2], build[NSTRUCT], sort_ms, x;
	const char *cg_note;
	struct control ctl = { 0 };
	struct bench b;
	size_t i, bytes, nsearch;
	time_t now_t = time(NULL);
	FILE *tsv;
	int s;

	if (!out || !*out)
		out = "build/bench/native.tsv";
	if (!cg || !*cg) {
		snprintf(path, sizeof(path), "%s", out);
		slash = strrchr(path, '/');
		snprintf(slash ? slash + 1 : path,
			 sizeof(path) - (size_t)(slash ? slash + 1 - path : 0),
			 "callgrind.tsv");
		cg = path;
	}
	cg_note = cg_load(cg);
	make_parent(out);
	tsv = fopen(out, "w");
	if (!tsv) {
		fprintf(stderr, "%s: %s\n", out, strerror(errno));
		return 1;
	}
	fprintf(tsv, "family\tprefixes\tstructure\tns_per_lookup\tinstr_per_lookup\ttable_bytes\tbuild_ms\tns_dependent\n");

	read_field("/proc/cpuinfo", "model name", cpu, sizeof(cpu));
	load_average(load, sizeof(load));
	printf("psmon LPM benchmark (native): psmon (index + ranges) vs its ranges alone vs a binary trie\n");
	printf("CPU: %s, %ld online; compiler: %s %s, %s\n", cpu,
	       sysconf(_SC_NPROCESSORS_ONLN),
#ifdef __clang__
	       "clang",
#else
	       "gcc",
#endif
	       __VERSION__, BENCH_CFLAGS);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime(&now_t));
	printf("start %s, load average %s\n", when, load);
	printf("Addresses: %u per table, pre-generated; %d%% drawn inside a random registered prefix,\n"
	       "%d%% uniform over the address space (the share that matches a prefix is shown per table).\n",
	       NADDR, INSIDE_PCT, 100 - INSIDE_PCT);
	printf("Times are CPU time of the benchmark thread (time descheduled excluded).\n");
	printf("ns/lookup: median of %d timed runs of >= %.0f ms each, structures interleaved.\n"
	       "  indep.: a loop over the address array, no lookup depends on another;\n"
	       "  dep.:   each lookup's address depends on the previous answer (addr[i ^ (slot & 1)]).\n",
	       RUNS, RUN_SECONDS * 1e3);
	printf("instr/lookup: callgrind, indep. loop, loop included: %s\n",
	       cg_note ? cg_note : "from make callgrind");
	printf("Every answer of the three structures is compared on all %u addresses.\n\n",
	       NADDR);
	printf("%-4s %8s %-12s %8s %8s %8s %10s %9s %8s %8s\n", "", "", "",
	       "ns/look", "ns/look", "instr/", "", "build", "trie/x", "trie/x");
	printf("%-4s %8s %-12s %8s %8s %8s %10s %9s %8s %8s\n", "fam",
	       "prefixes", "structure", "indep.", "dep.", "lookup", "table",
	       "ms", "indep.", "dep.");

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		bench_setup(&b, sizes[i].v6, sizes[i].n);
		cross_check(&b, NADDR);
		time_builds(&b, build, &sort_ms);
		time_lookups(&b, ns);
		for (s = 0; s < NSTRUCT; s++) {
			bytes = s == S_TRIE ? bt_bytes(&b.trie) :
					      psmon_bytes(&b, s == S_PSMON);
			fmt_bytes(bytes, mem, sizeof(mem));
			x = cg_find(&b, sname[s]);
			if (!isnan(x))
				snprintf(ir, sizeof(ir), "%.1f", x);
			else
				snprintf(ir, sizeof(ir), "-");
			printf("%-4s %8zu %-12s %8.2f %8.2f %8s %10s %9.3f",
			       b.v6 ? "IPv6" : "IPv4", b.n, sname[s],
			       ns[s][0], ns[s][1], ir, mem, build[s]);
			if (s != S_TRIE)
				printf(" %7.1fx %7.1fx", ns[S_TRIE][0] / ns[s][0],
				       ns[S_TRIE][1] / ns[s][1]);
			printf("\n");
			if (isnan(x))
				snprintf(ir, sizeof(ir), "NaN");
			fprintf(tsv, "%s\t%zu\t%s\t%.3f\t%s\t%zu\t%.3f\t%.3f\n",
				b.v6 ? "IPv6" : "IPv4", b.n, sname[s], ns[s][0],
				ir, bytes, build[s], ns[s][1]);
		}
		nsearch = NADDR - b.leaf - b.sub;
		printf("     %zu ranges, index k=%u: lookups answered by a top-level window %.1f%%, by a\n"
		       "     sub-index's window %.1f%%, by a search %.1f%% (%.1f ranges a search);\n"
		       "     %.1f%% of addresses match a prefix; trie %zu nodes (%zu intermediate); sort %.3f ms\n",
		       b.nr, b.k, 100.0 * (double)b.leaf / NADDR,
		       100.0 * (double)b.sub / NADDR,
		       100.0 * (double)nsearch / NADDR,
		       nsearch ? (double)b.searched / (double)nsearch : 0.0,
		       100.0 * (double)b.hit / NADDR, b.trie.nodes,
		       b.trie.nodes - b.trie.entries, sort_ms);
		fflush(stdout);
		if (!b.v6 && b.n == 100000)
			control_path(&b, &ctl);
		bench_free(&b);
	}
	fclose(tsv);

	printf("\ntrie/x: the trie's ns over this structure's (higher: this one is faster).\n");
	printf("build ms (median): psmon = psmon_lpm[46]_build + _index from sorted prefixes (as the module\n"
	       "  gets them from its tree), into memory already faulted in; psmon-ranges = _build alone;\n"
	       "  trie = one insert per prefix, in random order, each node allocated from a pool.\n"
	       "  sort = psmon_lpm_sort of the prefixes in random order (not in build).\n");
	{
		struct bt t4, t6;

		bt_init(&t4, 0);
		bt_init(&t6, 1);
		printf("table: psmon = ranges * %zu B (IPv4) or %zu B (IPv6, + 8 B per range starting\n"
		       "  inside a /64) + index entries * 4 B + nodes * %zu B, as psmon_table_rebuild()\n"
		       "  allocates (its header not counted); psmon-ranges = the ranges alone; trie = nodes * %zu B, the kmalloc size class\n"
		       "  of a node (IPv4 %zu B, intermediate %zu B; IPv6 %zu B, %zu B: the kernel's layout).\n"
		       "Memory: psmon's table and the trie's nodes in 2 MiB pages where the kernel gives\n"
		       "  them (madvise), as the kernel maps kvmalloc()ed and kmalloc()ed memory.\n",
		       sizeof(struct psmon_lpm4_range),
		       sizeof(struct psmon_lpm6_range),
		       sizeof(struct psmon_lpm_node), t4.obj_bytes,
		       t4.node_bytes, t4.im_bytes, t6.node_bytes, t6.im_bytes);
	}
	printf("A namespace with no prefix uses the shared static empty table (nothing allocated);\n"
	       "with the one IPv4 prefix 198.51.100.0/24 its table is %zu B (both families' ranges and\n"
	       "their padding, indexes and nodes).\n", one_prefix_bytes());
	if (ctl.n)
		control_print(&ctl);
	load_average(load, sizeof(load));
	now_t = time(NULL);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime(&now_t));
	printf("\nend %s, load average %s\n", when, load);
	printf("The benchmark thread got %.0f%% of a CPU during the timed lookup runs (CPU / wall time).\n",
	       timed_wall > 0 ? 100 * timed_cpu / timed_wall : 0);
	printf("TSV: %s\n", out);
	return 0;
}

/*
 * Under valgrind --tool=callgrind --instr-atstart=no: instrumentation on
 * around each measured loop only (setup runs at full speed), statistics
 * zeroed before and dumped after it, the dump described by
 * "IPv4 <prefixes> <structure> <ranges> <fingerprint>"; cg_report.sh
 * divides each dump's instruction count by CG_LOOKUPS. "loop" is the
 * loop with no lookup in it.
 */
static int bench_callgrind(void)
{
#ifdef HAVE_CALLGRIND
	static const loop_fn none[2] = { tput_none4, tput_none6 };
	char desc[96];
	struct bench b;
	loop_fn fn;
	size_t i;
	int s;

	if (!RUNNING_ON_VALGRIND)
		fprintf(stderr, "note: not running under valgrind\n");
	printf("lookups per measurement: %d\n", CG_LOOKUPS);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		bench_setup(&b, sizes[i].v6, sizes[i].n);
		cross_check(&b, FP_ADDRS);
		for (s = 0; s <= NSTRUCT; s++) {
			fn = s < NSTRUCT ? loops[b.v6][s][0] : none[b.v6];
			snprintf(desc, sizeof(desc), "IPv%d %zu %s %zu %08" PRIx32,
				 b.v6 ? 6 : 4, b.n,
				 s < NSTRUCT ? sname[s] : "loop", b.nr, b.fp);
			CALLGRIND_START_INSTRUMENTATION;
			CALLGRIND_ZERO_STATS;
			sink = fn(&b, CG_LOOKUPS);
			CALLGRIND_DUMP_STATS_AT(desc);
			CALLGRIND_STOP_INSTRUMENTATION;
		}
		bench_free(&b);
		fprintf(stderr, "callgrind: IPv%d %zu done\n", sizes[i].v6 ? 6 : 4,
			sizes[i].n);
	}
	return 0;
#else
	fprintf(stderr, "built without <valgrind/callgrind.h>\n");
	return 1;
#endif
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "callgrind"))
		return bench_callgrind();
	if (argc > 1) {
		fprintf(stderr, "usage: %s [callgrind]\n", argv[0]);
		return 2;
	}
	return bench_wall();
}
