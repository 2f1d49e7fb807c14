// SPDX-License-Identifier: GPL-2.0
/*
 * psmon: per-prefix traffic accounting on the members of LAGs, for peering
 * routers that must watch their LAGs' utilisation (see
 * Documentation/design.rst).
 *
 * This file only orchestrates: module parameters, per-namespace state,
 * and the order in which the parts start and stop.
 */
#include <linux/module.h>
#include <linux/rtnetlink.h>
#include <net/genetlink.h>

#include "lag.h"
#include "netlink.h"
#include "prefix.h"
#include "rate.h"

unsigned int psmon_net_id __read_mostly;

unsigned int psmon_max_prefixes __read_mostly = 131072;
module_param_named(max_prefixes, psmon_max_prefixes, uint, 0444);
MODULE_PARM_DESC(max_prefixes,
		 "Most prefixes per network namespace (1-16777216, default 131072)");

unsigned int psmon_max_lags __read_mostly = 64;
module_param_named(max_lags, psmon_max_lags, uint, 0444);
MODULE_PARM_DESC(max_lags,
		 "Most LAGs per network namespace (1-" __stringify(PSMON_MAX_LAGS) ", default 64)");

unsigned int psmon_max_memory_mb __read_mostly = 1024;
module_param_named(max_memory_mb, psmon_max_memory_mb, uint, 0644);
MODULE_PARM_DESC(max_memory_mb,
		 "Most memory (MiB) that requests may make psmon allocate for LAGs, members, prefixes and their counters, all namespaces together (default 1024)");

void psmon_totals_add(struct psmon_totals *to, const struct psmon_totals *t)
{
	int d;

	for (d = 0; d < PSMON_DIRS; d++) {
		to->packets[d] += t->packets[d];
		to->bytes[d] += t->bytes[d];
	}
}

/* Add one CPU's consistent snapshot of c to sum. */
void psmon_ctr_read(const struct u64_stats_sync *syncp,
		    const struct psmon_ctr *c, struct psmon_totals *sum)
{
	struct psmon_totals v;
	unsigned int start;
	int d;

	do {
		start = u64_stats_fetch_begin(syncp);
		for (d = 0; d < PSMON_DIRS; d++) {
			v.packets[d] = u64_stats_read(&c->dir[d].packets);
			v.bytes[d] = u64_stats_read(&c->dir[d].bytes);
		}
	} while (u64_stats_fetch_retry(syncp, start));
	psmon_totals_add(sum, &v);
}

void psmon_pcpu_read(struct psmon_pcpu __percpu *pcpu, struct psmon_totals *sum)
{
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct psmon_pcpu *pc = per_cpu_ptr(pcpu, cpu);

		psmon_ctr_read(&pc->syncp, &pc->ctr, sum);
	}
}

static int __net_init psmon_net_init(struct net *net)
{
	struct psmon_net *pn = psmon_pernet(net);

	pn->net = net;
	mutex_init(&pn->lock);
	RCU_INIT_POINTER(pn->table, &psmon_empty_table);
	psmon_prefix_init(pn);
	INIT_LIST_HEAD(&pn->lags);
	psmon_sampler_init(pn);
	return 0;
}

static void __net_exit psmon_net_exit(struct net *net)
{
	struct psmon_net *pn = psmon_pernet(net);
	bool lags;

	psmon_sampler_stop(pn);
	psmon_prefix_stop(pn);
	/*
	 * The namespace's devices, and so its LAGs, are normally gone: its
	 * devices are unregistered before the pernet subsystems exit, and at
	 * module unload the notifier's removal detached every LAG. No request
	 * can add one any more. Detaching a LAG needs RTNL (the notifier reads
	 * the LAG list under RTNL alone); prefixes need only the mutex, so
	 * RTNL is taken only if LAGs are left.
	 */
	mutex_lock(&pn->lock);
	lags = !list_empty(&pn->lags);
	mutex_unlock(&pn->lock);
	if (lags)
		rtnl_lock();
	mutex_lock(&pn->lock);
	psmon_lag_flush(pn);
	psmon_prefix_flush(pn);
	mutex_unlock(&pn->lock);
	if (lags)
		rtnl_unlock();
	/* Finds nothing left to release, and does not come back. */
	flush_rcu_work(&pn->reaper);
	mutex_destroy(&pn->lock);
}

static struct pernet_operations psmon_net_ops = {
	.init = psmon_net_init,
	.exit = psmon_net_exit,
	.id = &psmon_net_id,
	.size = sizeof(struct psmon_net),
};

static int __init psmon_init(void)
{
	int err;

	if (!psmon_max_prefixes || psmon_max_prefixes > (1U << 24) ||
	    !psmon_max_lags || psmon_max_lags > PSMON_MAX_LAGS) {
		pr_err("psmon: max_prefixes must be 1-16777216 and max_lags 1-%u\n",
		       PSMON_MAX_LAGS);
		return -EINVAL;
	}

	err = register_pernet_subsys(&psmon_net_ops);
	if (err)
		goto err_pernet;
	err = psmon_notifier_init();
	if (err)
		goto err_notifier;
	err = psmon_genl_init();
	if (err)
		goto err_genl;
	return 0;

err_genl:
	psmon_notifier_exit();
err_notifier:
	unregister_pernet_subsys(&psmon_net_ops);
err_pernet:
	return err;
}

static void __exit psmon_exit(void)
{
	psmon_genl_exit();
	/* Replays NETDEV_UNREGISTER for every device: all LAGs detach. */
	psmon_notifier_exit();
	unregister_pernet_subsys(&psmon_net_ops);
	rcu_barrier();
}

module_init(psmon_init);
module_exit(psmon_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Per-prefix traffic accounting on LAG members");
MODULE_AUTHOR("The psmon developers");
MODULE_VERSION(PSMON_VERSION);
MODULE_ALIAS_GENL_FAMILY(PSMON_FAMILY_NAME);
