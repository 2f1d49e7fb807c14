/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PSMON_LAG_H
#define _PSMON_LAG_H

#include <linux/netlink.h>
#include "psmon.h"

#define PSMON_DEFAULT_THRESHOLD	40
#define PSMON_DEFAULT_CLEAR	35
#define PSMON_DEFAULT_WINDOW	300
/* How far below a threshold an implicit clear level follows it. */
#define PSMON_CLEAR_GAP		5

struct psmon_lag *psmon_lag_find(struct psmon_net *pn,
				 const struct net_device *dev);
struct psmon_lag *psmon_lag_create(struct psmon_net *pn,
				   struct net_device *dev,
				   struct netlink_ext_ack *extack);
void psmon_lag_destroy(struct psmon_lag *lag);
int psmon_lag_window(struct psmon_lag *lag, u32 window,
		     struct netlink_ext_ack *extack);
void psmon_lag_flush(struct psmon_net *pn);
u64 psmon_lag_capacity(const struct psmon_lag *lag);
u64 psmon_lag_active_capacity(const struct psmon_lag *lag);
u32 psmon_lag_active_members(const struct psmon_lag *lag);
u32 psmon_lag_nmembers(const struct psmon_lag *lag);
void psmon_lag_read(const struct psmon_lag *lag, struct psmon_totals *all,
		    struct psmon_totals *unmatched);

int psmon_notifier_init(void);
void psmon_notifier_exit(void);

#endif /* _PSMON_LAG_H */
