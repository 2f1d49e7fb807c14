// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The IPv6 lookup of kmod/lpm.h with the node half of lpm.c compiled as
 * for a target without 128-bit integers (lpm_portable.o: its searches
 * compare the two halves apart), for lpm_test to compare with the other.
 */
#define PSMON_LPM_NO_INT128
#define psmon_lpm6_chunk psmon_lpm6_chunk_portable

#include "lpm.h"

u32 psmon_lpm6_lookup_portable(const struct psmon_lpm6 *t, const u8 *addr);

u32 psmon_lpm6_lookup_portable(const struct psmon_lpm6 *t, const u8 *addr)
{
	return psmon_lpm6_lookup(t, addr);
}
