// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Differential fuzzer of the lookup builder (kmod/lpm.c): the input is a
 * family byte, then prefixes (address bytes and a length), then addresses
 * to look up.  The table psmon_lpm_sort() and psmon_lpm{4,6}_build() make
 * must answer like a linear scan where the longest prefix wins, at each
 * address given and at the first and last address of every prefix and
 * just outside them.
 */
#include <stdint.h>

#include "fuzz_common.h"
#include "lpm.h"
#include "lpm_hook.h"

#define MAX_PREFIXES	64
#define MAX_LOOKUPS	64

struct ref {
	uint8_t addr[16];
	uint8_t plen;
	uint32_t slot;
};

static int ref_match(const struct ref *r, const uint8_t *a)
{
	unsigned int full = r->plen / 8, rest = r->plen % 8;

	if (memcmp(r->addr, a, full))
		return 0;
	return !rest || !((r->addr[full] ^ a[full]) & (0xff << (8 - rest)));
}

/* The naive reference: every prefix, the longest match wins. */
static uint32_t ref_lookup(const struct ref *r, size_t n, const uint8_t *a)
{
	uint32_t slot = PSMON_LPM_NONE;
	int best = -1;
	size_t i;

	for (i = 0; i < n; i++)
		if (ref_match(&r[i], a) && r[i].plen > best) {
			best = r[i].plen;
			slot = r[i].slot;
		}
	return slot;
}

static void mask(uint8_t *a, unsigned int w, unsigned int plen, int ones)
{
	unsigned int i;

	for (i = 0; i < w; i++) {
		unsigned int bits = plen > i * 8 ? plen - i * 8 : 0;
		uint8_t m = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));

		a[i] = ones ? (uint8_t)(a[i] | ~m) : (uint8_t)(a[i] & m);
	}
}

/* Add or subtract one, wrapping. */
static void step(uint8_t *a, unsigned int w, int up)
{
	int i;

	for (i = (int)w - 1; i >= 0; i--) {
		a[i] = (uint8_t)(a[i] + (up ? 1 : -1));
		if (a[i] != (up ? 0 : 0xff))
			break;
	}
}

static uint32_t be32(const uint8_t *a)
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
	       (uint32_t)a[2] << 8 | a[3];
}

struct table {
	unsigned int w;
	size_t n;
	struct psmon_lpm4_range r4[2 * MAX_PREFIXES + 1 + PSMON_LPM_PAD];
	struct psmon_lpm6_range r6[2 * MAX_PREFIXES + 1 + PSMON_LPM_PAD];
	u64 lows[2 * MAX_PREFIXES + 1 + PSMON_LPM_PAD];
	size_t nlows;
	/* The direct index, of a size the input chooses. */
	unsigned int k;
	u32 *dir;
	struct psmon_lpm_node *node;
	struct psmon_lpm4 x4;
	struct psmon_lpm6 x6;
};

static void check(const struct table *t, const struct ref *r, size_t n,
		  const uint8_t *a)
{
	uint32_t want = ref_lookup(r, n, a), got;

	got = t->w == 4 ? psmon_lpm4_search(t->r4, t->n, be32(a)) :
			  psmon_lpm6_search(t->r6, t->n, t->lows, a);
	if (got != want) {
		fprintf(stderr, "search: got slot %u, want %u\n", got, want);
		abort();
	}
	got = t->w == 4 ? psmon_lpm4_lookup(&t->x4, be32(a)) :
			  psmon_lpm6_lookup(&t->x6, a);
	if (got != want) {
		fprintf(stderr, "index of %u bits: got slot %u, want %u\n",
			t->k, got, want);
		abort();
	}
	if (t->w == 16) {
		got = lpm6_hook_lookup(&t->x6, a);
		if (got != want) {
			fprintf(stderr, "hook's path, index of %u bits: got slot %u, want %u\n",
				t->k, got, want);
			abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct psmon_lpm_prefix p[MAX_PREFIXES];
	static struct ref r[MAX_PREFIXES];
	static struct table t;
	struct psmon_lpm_size z;
	uint8_t a[16];
	size_t n = 0, i, j, pos = 1, nlook = 0;
	unsigned int w, plen;

	if (size < 2)
		return 0;
	w = data[0] & 1 ? 16 : 4;
	/* Prefixes: a count, then w address bytes and a length each. */
	for (i = 0; i < (size_t)data[1] % (MAX_PREFIXES + 1); i++) {
		pos = 2 + i * (w + 1);
		if (pos + w + 1 > size)
			break;
		memcpy(a, data + pos, w);
		plen = data[pos + w] % (w * 8 + 1);
		mask(a, w, plen, 0);
		/* Distinct prefixes only, as the kernel keeps them. */
		for (j = 0; j < n; j++)
			if (r[j].plen == plen && !memcmp(r[j].addr, a, w))
				break;
		if (j < n)
			continue;
		memset(&p[n], 0, sizeof(p[n]));
		memcpy(p[n].addr, a, w);
		p[n].plen = (u8)plen;
		p[n].slot = (u32)n;
		memset(&r[n], 0, sizeof(r[n]));
		memcpy(r[n].addr, a, w);
		r[n].plen = (uint8_t)plen;
		r[n].slot = (uint32_t)n;
		n++;
	}
	pos = 2 + i * (w + 1);

	psmon_lpm_sort(p, n, w == 16);
	for (i = 1; i < n; i++)
		fuzz_assert(memcmp(p[i - 1].addr, p[i].addr, w) < 0 ||
			    (!memcmp(p[i - 1].addr, p[i].addr, w) &&
			     p[i - 1].plen < p[i].plen));
	t.w = w;
	t.n = w == 4 ? psmon_lpm4_build(p, n, t.r4) :
		       psmon_lpm6_build(p, n, t.r6, t.lows, &t.nlows);
	fuzz_assert(t.n >= 1 && t.n <= psmon_lpm_ranges_max(n));
	fuzz_assert(w == 4 ||
		    (t.nlows >= 1 && t.nlows <= psmon_lpm_ranges_max(n)));
	/*
	 * Bits 1-7 of the first byte: the module's index size or a smaller
	 * one (large indexes make a run slow, not more thorough).
	 */
	t.k = (data[0] >> 1) % 13;
	if (!t.k)
		t.k = psmon_lpm_dir_bits(n, w == 16);
	/* Exactly the room asked for, so ASan catches an overrun. */
	if (w == 4)
		psmon_lpm4_index_size(t.r4, t.n, t.k, &z);
	else
		psmon_lpm6_index_size(t.r6, t.n, t.k, &z);
	t.dir = calloc(z.dir, sizeof(*t.dir));
	t.node = calloc(z.node ? z.node : 1, sizeof(*t.node));
	fuzz_assert(t.dir && t.node);
	if (w == 4)
		psmon_lpm4_index(&t.x4, t.r4, t.n, t.k, t.dir, t.node);
	else
		psmon_lpm6_index(&t.x6, t.r6, t.lows, t.n, t.k, t.dir,
				 t.node);

	/* The edges of every prefix, and one address either side. */
	for (i = 0; i < n; i++) {
		memcpy(a, r[i].addr, 16);
		check(&t, r, n, a);
		step(a, w, 0);
		check(&t, r, n, a);
		memcpy(a, r[i].addr, 16);
		mask(a, w, r[i].plen, 1);
		check(&t, r, n, a);
		step(a, w, 1);
		check(&t, r, n, a);
	}
	/* The addresses the rest of the input gives. */
	for (; pos + w <= size && nlook < MAX_LOOKUPS; pos += w, nlook++) {
		memset(a, 0, sizeof(a));
		memcpy(a, data + pos, w);
		check(&t, r, n, a);
	}
	free(t.dir);
	free(t.node);
	return 0;
}
