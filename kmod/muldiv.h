/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * a * b / c that cannot fault.
 *
 * mul_u64_u64_div_u64() is "mulq; divq" on x86-64, and divq raises #DE
 * when the quotient does not fit in 64 bits: clamping its result comes too
 * late. Every rate and utilisation in psmon is computed here instead.
 * Compiled natively by selftests/unit, against a divide that traps the
 * same way.
 */
#ifndef _PSMON_MULDIV_H
#define _PSMON_MULDIV_H

#ifdef __KERNEL__
#include <linux/math64.h>
#include <linux/types.h>
#endif

/* a * b / c saturated at U64_MAX, for any inputs; 0 when c is 0. */
static inline u64 psmon_mul_div_sat(u64 a, u64 b, u64 c)
{
	if (!c)
		return 0;
	/*
	 * The quotient fits in 64 bits exactly when the high half of the
	 * 128-bit product is below c.
	 */
	if (mul_u64_u64_shr(a, b, 64) >= c)
		return U64_MAX;
	return mul_u64_u64_div_u64(a, b, c);
}

#endif /* _PSMON_MULDIV_H */
