/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PSMON_NETLINK_H
#define _PSMON_NETLINK_H

#include "psmon.h"

int psmon_genl_init(void);
void psmon_genl_exit(void);
void psmon_nl_notify(struct psmon_lag *lag, enum psmon_event event, int dir,
		     u32 util, time64_t time, const char *member);

#endif /* _PSMON_NETLINK_H */
