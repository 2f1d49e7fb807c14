/* SPDX-License-Identifier: GPL-2.0 */
/*
 * psmon: per-prefix traffic accounting on LAG members.
 *
 * Per network namespace state and the objects shared by the control path
 * (netlink, netdevice notifier) and the packet path (netfilter hooks).
 */
#ifndef _PSMON_H
#define _PSMON_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/percpu.h>
#include <linux/rbtree.h>
#include <linux/idr.h>
#include <linux/types.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include "uapi/linux/psmon.h"

#include "lpm.h"

enum psmon_dir {
	PSMON_RX,
	PSMON_TX,
	PSMON_DIRS,
};

/* Packets and bytes, both directions: one prefix on one LAG, or a total. */
struct psmon_ctr {
	struct {
		u64_stats_t packets;
		u64_stats_t bytes;
	} dir[PSMON_DIRS];
};

/* The same, read out and summed over CPUs. */
struct psmon_totals {
	u64 packets[PSMON_DIRS];
	u64 bytes[PSMON_DIRS];
};

/* Per-CPU counters of one member (all frames) or one LAG (unmatched IP). */
struct psmon_pcpu {
	struct u64_stats_sync syncp;
	struct psmon_ctr ctr;
};

/*
 * Per-CPU counters of PSMON_BLOCK_SLOTS prefix slots on one LAG. A LAG holds
 * an array of pointers to such blocks, indexed by slot >> PSMON_BLOCK_SHIFT,
 * so that counter memory grows with the prefixes actually registered.
 */
#define PSMON_BLOCK_SHIFT	9
#define PSMON_BLOCK_SLOTS	BIT(PSMON_BLOCK_SHIFT)
#define PSMON_BLOCK_MASK	(PSMON_BLOCK_SLOTS - 1)

struct psmon_block {
	struct u64_stats_sync syncp;
	struct psmon_ctr ctr[PSMON_BLOCK_SLOTS];
};

/*
 * A byte-counter sample: monotonic time (ns), read together with the
 * interface counters (what the link carried) and the hooks' totals (what
 * psmon counted), per direction.
 */
struct psmon_sample {
	u64 time;
	u64 bytes[PSMON_DIRS];
	u64 hook[PSMON_DIRS];
};

/*
 * Once-a-second samples of a LAG's or a member's byte counters over the
 * last window seconds (a ring of window + 1), and the mean rates they give
 * over the time the samples really span.
 */
struct psmon_rate {
	struct psmon_sample *ring;
	u32 size;
	u32 head;			/* newest sample */
	u32 count;
	u64 bps[PSMON_DIRS];		/* interface counters */
	u64 hook_bps[PSMON_DIRS];	/* hook totals */
};

/*
 * The lookup table the packet path reads; immutable once published. One
 * allocation: this header, the ranges and the direct indexes (lpm.h). A
 * namespace without prefixes points to psmon_empty_table, which is never
 * freed, so readers need no NULL test.
 */
struct psmon_table {
	struct psmon_lpm4 v4;
	struct psmon_lpm6 v6;
	size_t size;			/* bytes charged to the budget */
	struct rcu_head rcu;
};

extern struct psmon_table psmon_empty_table;

struct psmon_net {
	struct net *net;
	/* Serialises every change; taken after RTNL where both are needed. */
	struct mutex lock;
	struct psmon_table __rcu *table;

	struct rb_root prefixes;	/* struct psmon_prefix, by key */
	u32 nprefixes;
	u32 n4;
	u32 n6;
	struct ida slots;
	/*
	 * Slots (of live prefixes and of removed ones still in their grace
	 * period) in each block; a block exists in every LAG while its count
	 * is not 0. NULL until the first prefix.
	 */
	u16 *block_used;
	/*
	 * Removed prefixes whose slots wait for the end of their grace
	 * period (psmon_prefix.cookie), oldest first; reaper frees them.
	 */
	struct list_head dead;
	struct rcu_work reaper;
	/*
	 * Changes made with PSMON_A_MORE wait for the table that shows
	 * them: stale says the published one does not; the prefixes they
	 * removed wait in retiring (their slots are in the table still);
	 * publisher rebuilds within a second if no request does.
	 */
	bool stale;
	size_t reserved;		/* budget held for the stale changes */
	struct list_head retiring;
	struct delayed_work publisher;
	/* Changes with every prefix and LAG added or removed (dumps). */
	u32 gen;

	struct list_head lags;		/* struct psmon_lag */
	u32 nlags;

	/* Samples rates and raises alerts once a second while LAGs exist. */
	struct delayed_work sampler;
};

struct psmon_member;

/* Longest mode name kept: team's option strings (TEAM_STRING_MAX_LEN). */
#define PSMON_MODE_SIZE		32

struct psmon_lag {
	struct list_head node;
	struct psmon_net *pn;
	struct net_device *dev;
	/*
	 * dev->name, kept up to date by the notifier, for those that hold
	 * psmon_net.lock without RTNL (notifications from the sampler).
	 */
	char name[IFNAMSIZ];
	enum psmon_lag_kind kind;

	struct list_head members;	/* struct psmon_member */
	/*
	 * The master's mode, for people: a copy, as a team's mode name lives
	 * in a module that may go once the team changes mode.
	 */
	char mode[PSMON_MODE_SIZE];
	bool shared;			/* members share the load (not a backup) */
	u64 capacity;			/* bit/s; 0: provisioned (members) */
	u8 threshold;
	u8 clear;
	u32 window;

	struct psmon_pcpu __percpu *unmatched;
	/* Totals of members that have left, so LAG totals stay monotonic. */
	struct psmon_totals departed;
	/* The members' interface counters, summed as they grow. */
	struct psmon_totals ifc;

	struct psmon_rate rate;
	u32 peak;			/* ppm */
	bool alert;
	time64_t alert_since;		/* first crossing; 0: none */
	bool degraded;			/* active capacity below capacity */
	bool overload;			/* degraded, at the active threshold */

	/*
	 * psmon_nblocks_max() entries, indexed by slot >> PSMON_BLOCK_SHIFT;
	 * read by the packet path.
	 */
	struct psmon_block __percpu **blocks;
};

struct psmon_member {
	/*
	 * What the packet path reads, copied from the LAG (which outlives
	 * its members) so that a packet touches one line of the member.
	 */
	struct psmon_pcpu __percpu *stats;
	struct psmon_net *pn;
	struct psmon_block __percpu **blocks;
	struct psmon_pcpu __percpu *unmatched;

	struct list_head node;
	struct psmon_lag *lag;
	struct net_device *dev;
	struct nf_hook_ops ops[PSMON_DIRS];
	u32 speed;			/* Mbit/s, last known; 0: never known */
	bool up;			/* running, carrier */
	bool active;			/* the master may send on it now */
	u8 inactive;			/* enum psmon_inactive */
	/* dev->name, kept under psmon_net.lock for readers without RTNL. */
	char name[IFNAMSIZ];
	bool imbalanced;		/* above the threshold, its LAG not */
	struct psmon_rate rate;
	/* Interface counters since the member joined, and the last reading. */
	struct psmon_totals ifc;
	struct psmon_totals if_last;
	bool if_read;			/* if_last holds a reading */
	struct psmon_totals hook_read;	/* hook totals at the last sample */
};

extern unsigned int psmon_net_id;
extern unsigned int psmon_max_prefixes;
extern unsigned int psmon_max_lags;
extern unsigned int psmon_max_memory_mb;

static inline struct psmon_net *psmon_pernet(const struct net *net)
{
	return net_generic(net, psmon_net_id);
}

static inline u32 psmon_nblocks_max(void)
{
	return DIV_ROUND_UP(psmon_max_prefixes, PSMON_BLOCK_SLOTS);
}

void psmon_ctr_read(const struct u64_stats_sync *syncp,
		    const struct psmon_ctr *c, struct psmon_totals *sum);
void psmon_pcpu_read(struct psmon_pcpu __percpu *pcpu,
		     struct psmon_totals *sum);
void psmon_totals_add(struct psmon_totals *to, const struct psmon_totals *t);

#endif /* _PSMON_H */
