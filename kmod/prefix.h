/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PSMON_PREFIX_H
#define _PSMON_PREFIX_H

#include <linux/netlink.h>
#include "psmon.h"

struct psmon_prefix {
	struct rb_node node;		/* in psmon_net.prefixes */
	u8 family;			/* AF_INET or AF_INET6 */
	u8 plen;
	u8 addr[16];			/* network order, zero padded */
	u32 slot;
	char name[PSMON_NAME_SIZE];
	/* Counts on LAGs since detached, so totals stay monotonic. */
	struct psmon_totals departed;
	/* Once removed: in psmon_net.dead until its grace period ends. */
	struct list_head dead;
	unsigned long cookie;
};

bool psmon_prefix_valid(const struct psmon_prefix *p,
			struct netlink_ext_ack *extack);
int psmon_prefix_add(struct psmon_net *pn, struct psmon_prefix **p, u32 n,
		     u32 *bad, bool may_wait, bool more,
		     struct netlink_ext_ack *extack);
int psmon_prefix_del(struct psmon_net *pn, const struct psmon_prefix *keys,
		     u32 n, u32 *bad, bool more, struct netlink_ext_ack *extack);
int psmon_prefix_del_all(struct psmon_net *pn, u32 *n);
bool psmon_prefix_reap(struct psmon_net *pn);
void psmon_prefix_init(struct psmon_net *pn);
void psmon_prefix_stop(struct psmon_net *pn);
struct psmon_prefix *psmon_prefix_find(struct psmon_net *pn,
				       const struct psmon_prefix *key);
struct psmon_prefix *psmon_prefix_after(struct psmon_net *pn,
					const struct psmon_prefix *key);
void psmon_prefix_read(const struct psmon_prefix *p,
		       const struct psmon_lag *lag, struct psmon_totals *t);
void psmon_prefix_fold_lag(struct psmon_net *pn, const struct psmon_lag *lag);
void psmon_prefix_flush(struct psmon_net *pn);

int psmon_blocks_alloc(struct psmon_lag *lag, struct netlink_ext_ack *extack);
void psmon_blocks_free(struct psmon_lag *lag);

int psmon_mem_charge(size_t size, struct netlink_ext_ack *extack);
void psmon_mem_uncharge(size_t size);

#endif /* _PSMON_PREFIX_H */
