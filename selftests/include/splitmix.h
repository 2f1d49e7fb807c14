/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * splitmix64: the fuzzers' random numbers, small, fast and the same
 * everywhere, so that a seed replays a run. Each program sets rng_state
 * (its seed) before the first rnd().
 */
#ifndef _PSMON_SPLITMIX_H
#define _PSMON_SPLITMIX_H

#include <stdint.h>

static uint64_t rng_state;

static inline uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A number in [0, n); 0 when n is 0. */
static inline uint32_t below(uint32_t n)
{
	return n ? (uint32_t)(rnd() % n) : 0;
}

#endif /* _PSMON_SPLITMIX_H */
