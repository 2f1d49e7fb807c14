/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * xorshift64*: the reproducible random numbers of the native tests and
 * benchmarks. One sequence per program; each sets rng_state (never 0)
 * before its first rnd().
 */
#ifndef _PSMON_XORSHIFT_H
#define _PSMON_XORSHIFT_H

#include <stdint.h>

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static inline uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* Uniform enough in [0, n) for tests and benchmarks; n > 0. */
static inline uint64_t rnd_below(uint64_t n)
{
	return rnd() % n;
}

#endif /* _PSMON_XORSHIFT_H */
