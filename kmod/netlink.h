/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PSMON_NETLINK_H
#define _PSMON_NETLINK_H

#include "psmon.h"

/*
 * A reply holds one object in one top-level attribute, whose length is 16
 * bits: a prefix with a nest per LAG, a LAG with a nest per member. These
 * bound how many nests one can hold (netlink.c checks them at build time
 * against the room it reserves per nest), and so the size of a reply.
 */
#define PSMON_MAX_LAGS		500	/* the largest max_lags */
#define PSMON_MAX_MEMBERS	120	/* members counted per LAG */

int psmon_genl_init(void);
void psmon_genl_exit(void);
void psmon_nl_notify(struct psmon_lag *lag, enum psmon_event event, int dir,
		     u32 util, time64_t time, const char *member);

#endif /* _PSMON_NETLINK_H */
