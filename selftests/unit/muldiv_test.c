// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * psmon_mul_div_sat() (kmod/muldiv.h) against 128-bit arithmetic, with a
 * 64-bit divide that traps like x86-64's divq when the quotient does not
 * fit: no input may reach it then. TAP output.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ktypes.h"

#define U64_MAX UINT64_MAX

typedef unsigned __int128 u128;

static unsigned long divides, traps;

static u64 mul_u64_u64_shr(u64 a, u64 b, unsigned int shift)
{
	return (u64)(((u128)a * b) >> shift);
}

/* divq: #DE when the quotient does not fit in 64 bits (or c is 0). */
static u64 mul_u64_u64_div_u64(u64 a, u64 b, u64 c)
{
	u128 q;

	divides++;
	if (!c || ((u128)a * b) / c > U64_MAX) {
		traps++;
		fprintf(stderr, "# divide error: %llu * %llu / %llu\n",
			(unsigned long long)a, (unsigned long long)b,
			(unsigned long long)c);
		return 0;
	}
	q = (u128)a * b / c;
	return (u64)q;
}

#include "muldiv.h"
#include "xorshift.h"

static int n, failed;

static void ok(int cond, const char *what)
{
	n++;
	if (!cond)
		failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", n, what);
}

static u64 expect(u64 a, u64 b, u64 c)
{
	u128 q;

	if (!c)
		return 0;
	q = (u128)a * b / c;
	return q > U64_MAX ? U64_MAX : (u64)q;
}

int main(void)
{
	static const u64 edge[] = {
		0, 1, 2, 3, 7, 8, 1000000, 8000000000ULL, 0xffffffffULL,
		0x100000000ULL, 0x7fffffffffffffffULL, 0x8000000000000000ULL,
		U64_MAX - 1, U64_MAX,
	};
	const size_t ne = sizeof(edge) / sizeof(edge[0]);
	unsigned long bad = 0, cases = 0;
	size_t i, j, k;

	printf("TAP version 13\n1..5\n");

	for (i = 0; i < ne; i++)
		for (j = 0; j < ne; j++)
			for (k = 0; k < ne; k++, cases++)
				if (psmon_mul_div_sat(edge[i], edge[j], edge[k]) !=
				    expect(edge[i], edge[j], edge[k]))
					bad++;
	printf("# %lu edge cases, %lu wrong\n", cases, bad);
	ok(!bad, "edge values: the saturated quotient, exactly");

	bad = 0;
	for (i = 0; i < 1000000; i++) {
		u64 a = rnd() >> (rnd() & 63), b = rnd() >> (rnd() & 63);
		u64 c = rnd() >> (rnd() & 63);

		if (psmon_mul_div_sat(a, b, c) != expect(a, b, c))
			bad++;
	}
	printf("# 1000000 random cases, %lu wrong\n", bad);
	ok(!bad, "random values of every magnitude: the saturated quotient");

	/* The cases that faulted: a rate over a capacity of 1 bit/s. */
	ok(psmon_mul_div_sat(20000000000000ULL, 1000000, 1) == U64_MAX &&
	   psmon_mul_div_sat(U64_MAX, 8000000000ULL, 1) == U64_MAX,
	   "a huge rate over a capacity of 1 bit/s saturates");
	ok(psmon_mul_div_sat(5, 7, 0) == 0, "no capacity: 0");

	printf("# %lu divides, %lu would have trapped\n", divides, traps);
	ok(!traps, "no divide that would trap was reached");
	return failed ? 1 : 0;
}
