/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * An IPv6 lookup the way kmod/hook.c's fast path does it, for the tests
 * that check it against a reference: the top-level entry, its window
 * compared on the first 64 bits, or the node out of line. (The hook takes
 * the node with a tail call instead, to keep the frame's length at hand;
 * the answer is the same. IPv4's psmon_lpm4_lookup() already is the
 * hook's way.)
 */
#ifndef _PSMON_LPM_HOOK_H
#define _PSMON_LPM_HOOK_H

#include "lpm.h"

static inline u32 lpm6_hook_lookup(const struct psmon_lpm6 *t,
				   const u8 addr[16])
{
	u64 hi = psmon_lpm_be64(addr);
	u32 e = psmon_lpm6_entry(t, hi);

	if (e & PSMON_LPM_CHUNK)
		return psmon_lpm6_chunk(t, e, addr);
	return psmon_lpm6_window(t, e, hi);
}

#endif /* _PSMON_LPM_HOOK_H */
