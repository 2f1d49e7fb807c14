// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Benchmark of kmod/lpm.c against the classic per-length lookup.
 *
 * The baseline keeps, for each prefix length present, a sorted array of
 * that length's prefixes; a lookup masks the address to each length,
 * longest first, and binary searches that array until one matches. Both
 * run in the same process on the same prefixes and addresses; the figures
 * are printed side by side with their ratio. Nothing here passes or fails.
 *
 *   lpm_bench            wall-clock lookups per second and build times
 *   lpm_bench callgrind  a short fixed workload for valgrind --tool=callgrind:
 *                        each measured loop is bracketed by client requests
 *                        so every loop gets its own dump (see Makefile)
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define HAVE_CALLGRIND 1
#endif
#endif

#include "lpm.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NADDR (1u << 20)	/* addresses per lookup pass */

static const size_t sizes[] = { 100, 1000, 10000, 100000 };

/* ---- xorshift64* ---- */

static uint64_t rng_state = 0x5eed5eed5eed5eedull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t rnd_below(uint64_t n)
{
	return rnd() % n;
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

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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
 * Lookup addresses: half inside a random prefix, half uniform. Stored as
 * network-order bytes, as the kernel sees them.
 */
static void gen_addrs(uint8_t (*addr)[16], const struct psmon_lpm_prefix *p,
		      size_t n, int v6)
{
	const struct psmon_lpm_prefix *q;
	struct k128 a, m, b;
	uint32_t a4;
	size_t i;

	for (i = 0; i < NADDR; i++) {
		q = rnd_below(2) ? &p[rnd_below(n)] : NULL;
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

/* ---- the per-length baseline ---- */

struct base4 {
	unsigned int nlens;
	uint32_t mask[33];
	size_t off[34];
	uint32_t *key;
	uint32_t *slot;
};

struct base6 {
	unsigned int nlens;
	struct k128 mask[129];
	size_t off[130];
	struct k128 *key;
	uint32_t *slot;
};

struct kv4 {
	uint32_t key;
	uint32_t slot;
	uint8_t plen;
};

struct kv6 {
	struct k128 key;
	uint32_t slot;
	uint8_t plen;
};

/* Longest length first, then by key. */
static int kv4_cmp(const void *a, const void *b)
{
	const struct kv4 *x = a, *y = b;

	if (x->plen != y->plen)
		return x->plen > y->plen ? -1 : 1;
	return (x->key > y->key) - (x->key < y->key);
}

static int kv6_cmp(const void *a, const void *b)
{
	const struct kv6 *x = a, *y = b;

	if (x->plen != y->plen)
		return x->plen > y->plen ? -1 : 1;
	return k128_cmp(x->key, y->key);
}

static void base4_build(struct base4 *t, const struct psmon_lpm_prefix *p,
			size_t n)
{
	struct kv4 *kv = xcalloc(n, sizeof(*kv));
	size_t i;

	for (i = 0; i < n; i++) {
		kv[i].key = load_be32(p[i].addr);
		kv[i].slot = p[i].slot;
		kv[i].plen = p[i].plen;
	}
	qsort(kv, n, sizeof(*kv), kv4_cmp);
	t->key = xcalloc(n, sizeof(*t->key));
	t->slot = xcalloc(n, sizeof(*t->slot));
	t->nlens = 0;
	t->off[0] = 0;
	for (i = 0; i < n; i++) {
		if (!i || kv[i].plen != kv[i - 1].plen) {
			if (i)
				t->off[t->nlens] = i;
			t->mask[t->nlens++] = mask4(kv[i].plen);
		}
		t->key[i] = kv[i].key;
		t->slot[i] = kv[i].slot;
	}
	t->off[t->nlens] = n;
	free(kv);
}

static void base6_build(struct base6 *t, const struct psmon_lpm_prefix *p,
			size_t n)
{
	struct kv6 *kv = xcalloc(n, sizeof(*kv));
	size_t i;

	for (i = 0; i < n; i++) {
		kv[i].key = k128_load(p[i].addr);
		kv[i].slot = p[i].slot;
		kv[i].plen = p[i].plen;
	}
	qsort(kv, n, sizeof(*kv), kv6_cmp);
	t->key = xcalloc(n, sizeof(*t->key));
	t->slot = xcalloc(n, sizeof(*t->slot));
	t->nlens = 0;
	t->off[0] = 0;
	for (i = 0; i < n; i++) {
		if (!i || kv[i].plen != kv[i - 1].plen) {
			if (i)
				t->off[t->nlens] = i;
			t->mask[t->nlens++] = k128_mask(kv[i].plen);
		}
		t->key[i] = kv[i].key;
		t->slot[i] = kv[i].slot;
	}
	t->off[t->nlens] = n;
	free(kv);
}

static void base4_free(struct base4 *t)
{
	free(t->key);
	free(t->slot);
}

static void base6_free(struct base6 *t)
{
	free(t->key);
	free(t->slot);
}

__attribute__((noinline))
static uint32_t base4_lookup(const struct base4 *t, uint32_t addr)
{
	size_t lo, hi, mid;
	unsigned int i;
	uint32_t key;

	for (i = 0; i < t->nlens; i++) {
		key = addr & t->mask[i];
		lo = t->off[i];
		hi = t->off[i + 1];
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			if (t->key[mid] < key)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < t->off[i + 1] && t->key[lo] == key)
			return t->slot[lo];
	}
	return PSMON_LPM_NONE;
}

__attribute__((noinline))
static uint32_t base6_lookup(const struct base6 *t, const uint8_t *addr)
{
	struct k128 a = k128_load(addr), key;
	size_t lo, hi, mid;
	unsigned int i;

	for (i = 0; i < t->nlens; i++) {
		key = k128_and(a, t->mask[i]);
		lo = t->off[i];
		hi = t->off[i + 1];
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			if (k128_cmp(t->key[mid], key) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < t->off[i + 1] && !k128_cmp(t->key[lo], key))
			return t->slot[lo];
	}
	return PSMON_LPM_NONE;
}

/* ---- measured loops ---- */

struct bench {
	int v6;
	size_t n;			/* prefixes */
	struct psmon_lpm_prefix *p;	/* sorted */
	uint8_t (*addr)[16];
	uint32_t *addr4;		/* host order, as the kernel passes */
	size_t nr;
	struct psmon_lpm4_range *r4;
	struct psmon_lpm6_range *r6;
	struct base4 b4;
	struct base6 b6;
};

static uint32_t run_lpm(const struct bench *b, size_t count)
{
	uint32_t sum = 0;
	size_t i;

	if (!b->v6)
		for (i = 0; i < count; i++)
			sum += psmon_lpm4_search(b->r4, b->nr,
						 b->addr4[i & (NADDR - 1)]);
	else
		for (i = 0; i < count; i++)
			sum += psmon_lpm6_search(b->r6, b->nr,
						 b->addr[i & (NADDR - 1)]);
	return sum;
}

static uint32_t run_base(const struct bench *b, size_t count)
{
	uint32_t sum = 0;
	size_t i;

	if (!b->v6)
		for (i = 0; i < count; i++)
			sum += base4_lookup(&b->b4, b->addr4[i & (NADDR - 1)]);
	else
		for (i = 0; i < count; i++)
			sum += base6_lookup(&b->b6, b->addr[i & (NADDR - 1)]);
	return sum;
}

static void bench_setup(struct bench *b, int v6, size_t want)
{
	size_t i;

	memset(b, 0, sizeof(*b));
	b->v6 = v6;
	b->p = xcalloc(want, sizeof(*b->p));
	b->n = gen_prefixes(b->p, want, v6);
	b->addr = xcalloc(NADDR, sizeof(*b->addr));
	b->addr4 = xcalloc(NADDR, sizeof(*b->addr4));
	gen_addrs(b->addr, b->p, b->n, v6);
	for (i = 0; i < NADDR; i++)
		b->addr4[i] = load_be32(b->addr[i]);
	if (!v6) {
		b->r4 = xcalloc(psmon_lpm_ranges_max(b->n), sizeof(*b->r4));
		b->nr = psmon_lpm4_build(b->p, b->n, b->r4);
		base4_build(&b->b4, b->p, b->n);
	} else {
		b->r6 = xcalloc(psmon_lpm_ranges_max(b->n), sizeof(*b->r6));
		b->nr = psmon_lpm6_build(b->p, b->n, b->r6);
		base6_build(&b->b6, b->p, b->n);
	}
}

static void bench_free(struct bench *b)
{
	free(b->p);
	free(b->addr);
	free(b->addr4);
	free(b->r4);
	free(b->r6);
	base4_free(&b->b4);
	base6_free(&b->b6);
}

/* Baseline lengths present, for the report. */
static unsigned int bench_nlens(const struct bench *b)
{
	return b->v6 ? b->b6.nlens : b->b4.nlens;
}

/* Shuffle, then sort + build with lpm.c; returns seconds. */
static double time_lpm_build(const struct bench *b, struct psmon_lpm_prefix *tmp,
			     double *sort_s)
{
	size_t i, j, nr;
	struct psmon_lpm_prefix t;
	double t0, t1, t2;

	memcpy(tmp, b->p, b->n * sizeof(*tmp));
	for (i = b->n; i > 1; i--) {
		j = rnd_below(i);
		t = tmp[i - 1];
		tmp[i - 1] = tmp[j];
		tmp[j] = t;
	}
	t0 = now();
	psmon_lpm_sort(tmp, b->n, b->v6);
	t1 = now();
	if (!b->v6)
		nr = psmon_lpm4_build(tmp, b->n, b->r4);
	else
		nr = psmon_lpm6_build(tmp, b->n, b->r6);
	t2 = now();
	if (nr != b->nr)
		fprintf(stderr, "warning: rebuild gave %zu ranges, not %zu\n",
			nr, b->nr);
	*sort_s = t1 - t0;
	return t2 - t0;
}

static double time_base_build(const struct bench *b,
			      struct psmon_lpm_prefix *tmp)
{
	struct base4 b4;
	struct base6 b6;
	double t0, t1;

	memcpy(tmp, b->p, b->n * sizeof(*tmp));
	if (!b->v6) {
		t0 = now();
		base4_build(&b4, tmp, b->n);
		t1 = now();
		base4_free(&b4);
	} else {
		t0 = now();
		base6_build(&b6, tmp, b->n);
		t1 = now();
		base6_free(&b6);
	}
	return t1 - t0;
}

static volatile uint32_t sink;

/* Lookups per second: best of several rounds, the two interleaved. */
static void time_lookups(const struct bench *b, double *lpm_lps,
			 double *base_lps)
{
	double t0, t, best_lpm = 1e30, best_base = 1e30;
	size_t count = NADDR;
	int round;

	/* Size a round to about 50 ms of baseline work. */
	for (;;) {
		t0 = now();
		sink = run_base(b, count);
		t = now() - t0;
		if (t > 0.05 || count >= (size_t)1 << 28)
			break;
		count *= 2;
	}
	for (round = 0; round < 5; round++) {
		t0 = now();
		sink = run_lpm(b, count);
		t = now() - t0;
		if (t < best_lpm)
			best_lpm = t;
		t0 = now();
		sink = run_base(b, count);
		t = now() - t0;
		if (t < best_base)
			best_base = t;
	}
	*lpm_lps = (double)count / best_lpm;
	*base_lps = (double)count / best_base;
}

/* Both implementations must agree on every address; just a warning here. */
static void cross_check(const struct bench *b)
{
	size_t i, bad = 0;

	for (i = 0; i < NADDR; i++) {
		if (!b->v6)
			bad += psmon_lpm4_search(b->r4, b->nr, b->addr4[i]) !=
			       base4_lookup(&b->b4, b->addr4[i]);
		else
			bad += psmon_lpm6_search(b->r6, b->nr, b->addr[i]) !=
			       base6_lookup(&b->b6, b->addr[i]);
	}
	if (bad)
		fprintf(stderr, "warning: IPv%d, %zu prefixes: %zu answers differ\n",
			b->v6 ? 6 : 4, b->n, bad);
}

static int bench_wall(void)
{
	struct psmon_lpm_prefix *tmp;
	double lpm_lps, base_lps, build, sort, bbuild, best_build, best_sort;
	double best_bbuild;
	struct bench b;
	size_t s;
	int v6, r, reps;

	printf("psmon lpm benchmark: lpm.c (range binary search) vs per-length binary search\n");
	printf("%u addresses per pass, half inside a prefix; best of 5 rounds\n\n",
	       NADDR);
	printf("%-5s %8s %8s %6s | %12s %12s %6s | %10s %10s %10s %6s\n",
	       "", "prefixes", "ranges", "lens", "lpm Mlk/s", "base Mlk/s",
	       "ratio", "lpm sort", "lpm total", "base build", "ratio");
	for (v6 = 0; v6 <= 1; v6++) {
		for (s = 0; s < ARRAY_SIZE(sizes); s++) {
			bench_setup(&b, v6, sizes[s]);
			cross_check(&b);
			tmp = xcalloc(b.n, sizeof(*tmp));
			reps = sizes[s] >= 100000 ? 3 : sizes[s] >= 10000 ? 10 : 100;
			best_build = best_sort = best_bbuild = 1e30;
			for (r = 0; r < reps; r++) {
				build = time_lpm_build(&b, tmp, &sort);
				bbuild = time_base_build(&b, tmp);
				if (build < best_build)
					best_build = build;
				if (sort < best_sort)
					best_sort = sort;
				if (bbuild < best_bbuild)
					best_bbuild = bbuild;
			}
			free(tmp);
			time_lookups(&b, &lpm_lps, &base_lps);
			printf("%-5s %8zu %8zu %6u | %12.1f %12.1f %5.2fx | %8.3fms %8.3fms %8.3fms %5.2fx\n",
			       v6 ? "IPv6" : "IPv4", b.n, b.nr, bench_nlens(&b),
			       lpm_lps / 1e6, base_lps / 1e6,
			       lpm_lps / base_lps, best_sort * 1e3,
			       best_build * 1e3, best_bbuild * 1e3,
			       best_bbuild / best_build);
			fflush(stdout);
			bench_free(&b);
		}
	}
	printf("\nMlk/s: million lookups per second; lookup ratio = lpm / base (higher is better).\n");
	printf("lpm total = heapsort + range build; build ratio = base / lpm (higher is better).\n");
	return 0;
}

/*
 * Under callgrind: CALLGRIND_ZERO_STATS before and CALLGRIND_DUMP_STATS_AT
 * after each measured loop, so each loop lands in its own dump file whose
 * description names it; cg_report.sh divides each dump's instruction
 * count by CG_LOOKUPS.
 */
#define CG_LOOKUPS 20000

static int bench_callgrind(void)
{
#ifdef HAVE_CALLGRIND
	char desc[64];
	struct bench b;
	size_t s;
	int v6;

	if (!RUNNING_ON_VALGRIND)
		fprintf(stderr, "note: not running under valgrind\n");
	printf("lookups per measurement: %d\n", CG_LOOKUPS);
	for (v6 = 0; v6 <= 1; v6++) {
		for (s = 0; s < ARRAY_SIZE(sizes); s++) {
			bench_setup(&b, v6, sizes[s]);
			snprintf(desc, sizeof(desc), "IPv%d %zu lpm", v6 ? 6 : 4,
				 b.n);
			CALLGRIND_ZERO_STATS;
			sink = run_lpm(&b, CG_LOOKUPS);
			CALLGRIND_DUMP_STATS_AT(desc);
			snprintf(desc, sizeof(desc), "IPv%d %zu base", v6 ? 6 : 4,
				 b.n);
			CALLGRIND_ZERO_STATS;
			sink = run_base(&b, CG_LOOKUPS);
			CALLGRIND_DUMP_STATS_AT(desc);
			bench_free(&b);
		}
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
