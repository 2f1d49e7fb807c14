// SPDX-License-Identifier: GPL-2.0
/*
 * LAGs and their members.
 *
 * A LAG is a bond or team master, or a plain Ethernet interface counted as a
 * one-member LAG. Every member carries an ingress and an egress netfilter
 * hook. A netdevice notifier follows membership (enslave, release), link
 * state and speed, and removes hooks before their device goes away.
 *
 * Lists of LAGs and members change under RTNL and psmon_net.lock; the packet
 * path never walks them (a hook's priv is its member). LAGs are kept in
 * ifindex order, so that a dump resumes after the last LAG it sent.
 *
 * A device is counted in one LAG only: a plain interface attached as a
 * one-member LAG gives way to the attached bond or team it joins, or that
 * is attached with it as a member (psmon_lag_absorb()).
 */
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/if_arp.h>
#include <linux/if_team.h>
#include <linux/if_vlan.h>
#include <linux/math64.h>
#include <linux/netfilter_netdev.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/bonding.h>

#include "hook.h"
#include "lag.h"
#include "muldiv.h"
#include "netlink.h"
#include "prefix.h"
#include "rate.h"
#include "window.h"

struct psmon_lag *psmon_lag_find(struct psmon_net *pn,
				 const struct net_device *dev)
{
	struct psmon_lag *lag;

	list_for_each_entry(lag, &pn->lags, node)
		if (lag->dev == dev)
			return lag;
	return NULL;
}

static struct psmon_member *psmon_member_find(const struct psmon_lag *lag,
					      const struct net_device *dev)
{
	struct psmon_member *m;

	list_for_each_entry(m, &lag->members, node)
		if (m->dev == dev)
			return m;
	return NULL;
}

u32 psmon_lag_nmembers(const struct psmon_lag *lag)
{
	const struct psmon_member *m;
	u32 n = 0;

	list_for_each_entry(m, &lag->members, node)
		n++;
	return n;
}

static struct psmon_member *psmon_member_lookup(struct psmon_net *pn,
						const struct net_device *dev)
{
	struct psmon_lag *lag;
	struct psmon_member *m;

	list_for_each_entry(lag, &pn->lags, node) {
		m = psmon_member_find(lag, dev);
		if (m)
			return m;
	}
	return NULL;
}

/*
 * The master's mode, and whether its members share the load (every mode but
 * active-backup and broadcast, where one link's worth is all it carries).
 * A bond or team changes mode only while it has no members. Under RTNL.
 */
static void psmon_lag_mode(struct psmon_lag *lag)
{
	static const char *const bond_modes[] = {
		[BOND_MODE_ROUNDROBIN] = "balance-rr",
		[BOND_MODE_ACTIVEBACKUP] = "active-backup",
		[BOND_MODE_XOR] = "balance-xor",
		[BOND_MODE_BROADCAST] = "broadcast",
		[BOND_MODE_8023AD] = "802.3ad",
		[BOND_MODE_TLB] = "balance-tlb",
		[BOND_MODE_ALB] = "balance-alb",
	};
	const struct team *team;
	const struct bonding *bond;
	const char *kind;

	ASSERT_RTNL();
	kind = "single";
	lag->shared = true;
	switch (lag->kind) {
	case PSMON_LAG_KIND_BOND:
		bond = netdev_priv(lag->dev);
		if (BOND_MODE(bond) >= 0 &&
		    BOND_MODE(bond) < ARRAY_SIZE(bond_modes) &&
		    bond_modes[BOND_MODE(bond)])
			kind = bond_modes[BOND_MODE(bond)];
		else
			kind = "unknown";
		lag->shared = BOND_MODE(bond) != BOND_MODE_ACTIVEBACKUP &&
			      BOND_MODE(bond) != BOND_MODE_BROADCAST;
		break;
	case PSMON_LAG_KIND_TEAM:
		team = netdev_priv(lag->dev);
		/*
		 * The name lives in the mode's module, which the team holds
		 * while in that mode (mode changes take RTNL, which we hold):
		 * copy it, the module may go after the next change.
		 */
		kind = team->mode ? READ_ONCE(team->mode->kind) : NULL;
		lag->shared = !kind || (strcmp(kind, "activebackup") &&
					strcmp(kind, "broadcast"));
		kind = kind ?: "unknown";
		break;
	default:
		break;
	}
	strscpy(lag->mode, kind, sizeof(lag->mode));
}

/*
 * What the master says of a member: whether its link is up and whether
 * the master may transmit on it (the netdev_lag_lower_state_info that
 * bonding and team send with NETDEV_CHANGELOWERSTATE). Under RTNL.
 */
static void psmon_member_lower(const struct psmon_member *m, bool *link_up,
			       bool *tx_enabled)
{
	struct net_device *dev = m->dev;

	*link_up = true;
	*tx_enabled = true;
	if (m->lag->kind == PSMON_LAG_KIND_BOND) {
		struct slave *slave = netif_is_bond_slave(dev) ?
				      bond_slave_get_rtnl(dev) : NULL;

		if (slave) {
			*link_up = slave->link == BOND_LINK_UP ||
				   slave->link == BOND_LINK_FAIL;
			*tx_enabled = bond_is_active_slave(slave);
		} else {
			*tx_enabled = false;
		}
	} else if (m->lag->kind == PSMON_LAG_KIND_TEAM) {
		struct team_port *port = netif_is_team_port(dev) ?
			rtnl_dereference(dev->rx_handler_data) : NULL;

		if (port) {
			*link_up = port->linkup;
			*tx_enabled = team_port_enabled(port);
		} else {
			*tx_enabled = false;
		}
	}
}

/*
 * Link state, speed and whether the member is active; called under RTNL,
 * never from the packet path. A member keeps its last known speed while
 * its link is down (many drivers report no speed then): capacity is what
 * the LAG is provisioned for, not what is up.
 */
static void psmon_member_refresh(struct psmon_member *m)
{
	struct ethtool_link_ksettings ks;
	bool link_up, tx_enabled;

	m->up = netif_running(m->dev) && netif_carrier_ok(m->dev);
	if (!__ethtool_get_link_ksettings(m->dev, &ks) &&
	    ks.base.speed && ks.base.speed != SPEED_UNKNOWN)
		m->speed = ks.base.speed;

	psmon_member_lower(m, &link_up, &tx_enabled);
	m->active = m->up && link_up && tx_enabled;
	if (m->active)
		m->inactive = PSMON_INACTIVE_NONE;
	else if (!m->up || !link_up)
		m->inactive = PSMON_INACTIVE_DOWN;
	else if (!strcmp(m->lag->mode, "802.3ad"))
		m->inactive = PSMON_INACTIVE_NOT_AGGREGATED;
	else if (!m->lag->shared)
		m->inactive = PSMON_INACTIVE_BACKUP;
	else
		m->inactive = PSMON_INACTIVE_DISABLED;
}

static void psmon_lag_refresh(struct psmon_lag *lag)
{
	struct psmon_member *m;

	psmon_lag_mode(lag);
	list_for_each_entry(m, &lag->members, node)
		psmon_member_refresh(m);
}

/*
 * What a LAG or a member costs besides the counter blocks: its structure,
 * its per-CPU totals and its rate ring of size samples. Charged to the
 * max_memory_mb budget like the prefixes: a LAG counts up to
 * PSMON_MAX_MEMBERS members, and a ring of the longest window is 144 KB.
 */
static size_t psmon_obj_size(size_t obj, u32 size)
{
	return obj + sizeof(struct psmon_pcpu) * num_possible_cpus() +
	       (size_t)size * sizeof(struct psmon_sample);
}

/* Charged for a member while its rings have size samples. */
static size_t psmon_member_size(u32 size)
{
	return psmon_obj_size(sizeof(struct psmon_member), size);
}

/* Charged for a LAG while its window is window (not its block table). */
static size_t psmon_lag_size(u32 window)
{
	return psmon_obj_size(sizeof(struct psmon_lag), window + 1);
}

/*
 * A member for dev, charged to the budget and ready to count but not
 * hooked (psmon_member_hook()): nothing else changes until then, so a
 * failure here leaves everything as it was. psmon_member_drop() gives
 * the charge back. extack may be NULL (a member joining an attached
 * master).
 */
static struct psmon_member *psmon_member_alloc(struct psmon_lag *lag,
					       struct net_device *dev,
					       struct netlink_ext_ack *extack)
{
	size_t charge = psmon_member_size(lag->window + 1);
	struct psmon_member *m;
	int cpu, err;

	err = psmon_mem_charge(charge, extack);
	if (err)
		return ERR_PTR(err);
	m = kzalloc(sizeof(*m), GFP_KERNEL_ACCOUNT);
	if (!m)
		goto uncharge;
	m->stats = alloc_percpu_gfp(struct psmon_pcpu, GFP_KERNEL_ACCOUNT);
	if (!m->stats)
		goto free;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(m->stats, cpu)->syncp);
	if (psmon_rate_init(&m->rate, lag->window))
		goto free;
	m->pn = lag->pn;
	m->blocks = lag->blocks;
	m->unmatched = lag->unmatched;
	m->lag = lag;
	m->dev = dev;
	strscpy(m->name, dev->name, sizeof(m->name));
	INIT_LIST_HEAD(&m->node);
	psmon_member_refresh(m);

	/*
	 * Count at ingress before anything else may drop the frame, and at
	 * egress after everything else had its chance to: the same frames
	 * the interface counters see.
	 */
	m->ops[PSMON_RX] = (struct nf_hook_ops) {
		.hook = psmon_hook_ingress,
		.pf = NFPROTO_NETDEV,
		.hooknum = NF_NETDEV_INGRESS,
		.priority = INT_MIN,
		.dev = dev,
		.priv = m,
	};
	m->ops[PSMON_TX] = (struct nf_hook_ops) {
		.hook = psmon_hook_egress,
		.pf = NFPROTO_NETDEV,
		.hooknum = NF_NETDEV_EGRESS,
		.priority = INT_MAX,
		.dev = dev,
		.priv = m,
	};
	return m;
free:
	free_percpu(m->stats);
	kfree(m);
uncharge:
	psmon_mem_uncharge(charge);
	return ERR_PTR(-ENOMEM);
}

/*
 * Free a member no packet can reach (never hooked, or a grace period
 * after), and give back its charge for the ring it has now.
 */
static void psmon_member_drop(struct psmon_member *m)
{
	psmon_mem_uncharge(psmon_member_size(m->rate.size));
	psmon_rate_free(&m->rate);
	free_percpu(m->stats);
	kfree(m);
}

/*
 * Register a member's hooks and put it on its LAG's list. On failure no
 * hook is left and the caller still owns m.
 */
static int psmon_member_hook(struct psmon_member *m)
{
	struct net *net = dev_net(m->dev);
	int err;

	err = nf_register_net_hook(net, &m->ops[PSMON_RX]);
	if (err)
		return err;
	err = nf_register_net_hook(net, &m->ops[PSMON_TX]);
	if (err) {
		nf_unregister_net_hook(net, &m->ops[PSMON_RX]);
		synchronize_net();
		return err;
	}
	list_add_tail(&m->node, &m->lag->members);
	return 0;
}

static void psmon_member_unhook(struct psmon_member *m)
{
	struct net *net = dev_net(m->dev);

	nf_unregister_net_hook(net, &m->ops[PSMON_RX]);
	nf_unregister_net_hook(net, &m->ops[PSMON_TX]);
}

/* After unhook and a grace period: no packet can reach m any more. */
static void psmon_member_free(struct psmon_member *m)
{
	struct psmon_totals t;

	psmon_pcpu_read(m->stats, &t);
	psmon_totals_add(&m->lag->departed, &t);
	list_del(&m->node);
	psmon_member_drop(m);
}

static void psmon_member_del(struct psmon_member *m)
{
	psmon_member_unhook(m);
	synchronize_net();
	psmon_member_free(m);
}

static int psmon_lag_kind(struct net_device *dev, enum psmon_lag_kind *kind,
			  struct netlink_ext_ack *extack)
{
	if (netif_is_bond_master(dev)) {
		*kind = PSMON_LAG_KIND_BOND;
		return 0;
	}
	if (netif_is_team_master(dev)) {
		*kind = PSMON_LAG_KIND_TEAM;
		return 0;
	}
	if (netif_is_lag_port(dev)) {
		NL_SET_ERR_MSG(extack,
			       "device is a member of a LAG: attach the LAG device instead");
		return -EBUSY;
	}
	if (dev->type != ARPHRD_ETHER || (dev->flags & IFF_LOOPBACK)) {
		NL_SET_ERR_MSG(extack, "device is not an Ethernet interface");
		return -EOPNOTSUPP;
	}
	if (is_vlan_dev(dev)) {
		NL_SET_ERR_MSG(extack,
			       "device is a VLAN: attach the device it runs on (its tagged frames are counted there)");
		return -EOPNOTSUPP;
	}
	if (netif_is_bridge_master(dev)) {
		NL_SET_ERR_MSG(extack, "device is a bridge, not a LAG");
		return -EOPNOTSUPP;
	}
	*kind = PSMON_LAG_KIND_SINGLE;
	return 0;
}

/* Insert in ifindex order. */
static void psmon_lag_link(struct psmon_net *pn, struct psmon_lag *lag)
{
	struct psmon_lag *pos;

	list_for_each_entry(pos, &pn->lags, node)
		if (pos->dev->ifindex > lag->dev->ifindex)
			break;
	list_add_tail(&lag->node, &pos->node);
	pn->nlags++;
	pn->gen++;
}

static size_t psmon_lag_table_size(void)
{
	return psmon_nblocks_max() * sizeof(struct psmon_block __percpu *);
}

static void psmon_lag_free(struct psmon_lag *lag)
{
	psmon_mem_uncharge(psmon_lag_size(lag->window));
	psmon_rate_free(&lag->rate);
	free_percpu(lag->unmatched);
	if (lag->blocks) {
		psmon_blocks_free(lag);
		kvfree(lag->blocks);
		psmon_mem_uncharge(psmon_lag_table_size());
	}
	kfree(lag);
}

/*
 * dev, a one-member LAG of its own, is (about to be) a member of master:
 * it is counted there from now on.
 */
static void psmon_lag_absorb(struct psmon_net *pn, struct net_device *dev,
			     const struct net_device *master)
{
	struct psmon_lag *single = psmon_lag_find(pn, dev);

	if (!single || single->kind != PSMON_LAG_KIND_SINGLE)
		return;
	netdev_info(dev,
		    "psmon: joined %s, which is attached: counted as its member from now on, no longer as a LAG of its own\n",
		    master->name);
	psmon_nl_notify(single, PSMON_EVENT_ABSORBED, PSMON_RX, 0,
			ktime_get_real_seconds(), NULL);
	psmon_lag_destroy(single);
}

struct psmon_lag *psmon_lag_create(struct psmon_net *pn,
				   struct net_device *dev,
				   struct netlink_ext_ack *extack)
{
	struct psmon_member *m, *tmp;
	enum psmon_lag_kind kind;
	struct net_device *lower;
	struct list_head *iter;
	struct psmon_lag *lag;
	LIST_HEAD(fresh);
	int cpu, err;
	u32 n;

	ASSERT_RTNL();
	lockdep_assert_held(&pn->lock);

	if (psmon_lag_find(pn, dev)) {
		NL_SET_ERR_MSG(extack, "device is already attached");
		return ERR_PTR(-EEXIST);
	}
	err = psmon_lag_kind(dev, &kind, extack);
	if (err)
		return ERR_PTR(err);
	if (pn->nlags >= psmon_max_lags) {
		NL_SET_ERR_MSG(extack,
			       "LAG limit reached (module parameter max_lags)");
		return ERR_PTR(-ENOSPC);
	}
	n = 0;
	if (kind != PSMON_LAG_KIND_SINGLE)
		netdev_for_each_lower_dev(dev, lower, iter)
			n++;
	if (n > PSMON_MAX_MEMBERS) {
		NL_SET_ERR_MSG(extack,
			       "LAG has over " __stringify(PSMON_MAX_MEMBERS) " members");
		return ERR_PTR(-E2BIG);
	}

	err = psmon_mem_charge(psmon_lag_size(PSMON_DEFAULT_WINDOW), extack);
	if (err)
		return ERR_PTR(err);
	lag = kzalloc(sizeof(*lag), GFP_KERNEL_ACCOUNT);
	if (!lag) {
		psmon_mem_uncharge(psmon_lag_size(PSMON_DEFAULT_WINDOW));
		return ERR_PTR(-ENOMEM);
	}
	lag->pn = pn;
	lag->dev = dev;
	strscpy(lag->name, dev->name, sizeof(lag->name));
	lag->kind = kind;
	lag->threshold = PSMON_DEFAULT_THRESHOLD;
	lag->clear = PSMON_DEFAULT_CLEAR;
	lag->window = PSMON_DEFAULT_WINDOW;
	INIT_LIST_HEAD(&lag->node);
	INIT_LIST_HEAD(&lag->members);
	err = psmon_mem_charge(psmon_lag_table_size(), extack);
	if (err)
		goto free;
	err = -ENOMEM;
	lag->blocks = kvcalloc(psmon_nblocks_max(), sizeof(*lag->blocks),
			       GFP_KERNEL_ACCOUNT);
	if (!lag->blocks) {
		psmon_mem_uncharge(psmon_lag_table_size());
		goto free;
	}
	lag->unmatched = alloc_percpu_gfp(struct psmon_pcpu,
					  GFP_KERNEL_ACCOUNT);
	if (!lag->unmatched)
		goto free;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(lag->unmatched, cpu)->syncp);
	err = psmon_rate_init(&lag->rate, lag->window);
	if (err)
		goto free;
	psmon_lag_mode(lag);
	/* Every slot a published table can hand out needs its block. */
	err = psmon_blocks_alloc(lag, extack);
	if (err)
		goto free;

	/*
	 * Every member first: a failure so far leaves everything as it was,
	 * the one-member LAGs of the members included.
	 */
	if (kind == PSMON_LAG_KIND_SINGLE) {
		m = psmon_member_alloc(lag, dev, extack);
		if (IS_ERR(m))
			goto drop;
		list_add_tail(&m->node, &fresh);
	} else {
		netdev_for_each_lower_dev(dev, lower, iter) {
			m = psmon_member_alloc(lag, lower, extack);
			if (IS_ERR(m))
				goto drop;
			list_add_tail(&m->node, &fresh);
		}
		/* Then the members' one-member LAGs give way. */
		list_for_each_entry(m, &fresh, node)
			psmon_lag_absorb(pn, m->dev, dev);
	}
	/* Then the hooks. */
	list_for_each_entry_safe(m, tmp, &fresh, node) {
		list_del_init(&m->node);
		err = psmon_member_hook(m);
		if (err) {
			psmon_member_drop(m);
			NL_SET_ERR_MSG(extack, "cannot hook the LAG's members");
			goto unhook;
		}
	}
	psmon_lag_link(pn, lag);
	psmon_sampler_start(pn);
	return lag;

unhook:
	list_for_each_entry_safe(m, tmp, &fresh, node)
		psmon_member_drop(m);
	psmon_lag_destroy(lag);
	return ERR_PTR(err);
drop:
	err = PTR_ERR(m);
	list_for_each_entry_safe(m, tmp, &fresh, node)
		psmon_member_drop(m);
	/* The budget said so already. */
	if (err != -ENOSPC)
		NL_SET_ERR_MSG(extack, "out of memory for the LAG's members");
free:
	psmon_lag_free(lag);
	return ERR_PTR(err);
}

/*
 * A new window: every ring of the LAG resized, the difference charged to
 * the budget first. Fails without a change.
 */
int psmon_lag_window(struct psmon_lag *lag, u32 window,
		     struct netlink_ext_ack *extack)
{
	size_t old = psmon_lag_size(lag->window), new = psmon_lag_size(window);
	const struct psmon_member *m;
	int err;

	list_for_each_entry(m, &lag->members, node) {
		old += psmon_member_size(lag->window + 1);
		new += psmon_member_size(window + 1);
	}
	if (new > old) {
		err = psmon_mem_charge(new - old, extack);
		if (err)
			return err;
	}
	if (psmon_window_set(lag, window)) {
		if (new > old)
			psmon_mem_uncharge(new - old);
		NL_SET_ERR_MSG(extack, "out of memory for the rate history");
		return -ENOMEM;
	}
	if (new < old)
		psmon_mem_uncharge(old - new);
	lag->window = window;
	return 0;
}

/* Detach: unhook every member, then keep what was counted, then free. */
void psmon_lag_destroy(struct psmon_lag *lag)
{
	struct psmon_member *m, *tmp;

	if (!list_empty(&lag->node)) {
		list_del_init(&lag->node);
		lag->pn->nlags--;
		lag->pn->gen++;
	}
	list_for_each_entry(m, &lag->members, node)
		psmon_member_unhook(m);
	synchronize_net();
	list_for_each_entry_safe(m, tmp, &lag->members, node)
		psmon_member_free(m);
	psmon_prefix_fold_lag(lag->pn, lag);
	psmon_lag_free(lag);
}

void psmon_lag_flush(struct psmon_net *pn)
{
	struct psmon_lag *lag, *tmp;

	list_for_each_entry_safe(lag, tmp, &pn->lags, node)
		psmon_lag_destroy(lag);
}

/*
 * The members' speeds in bit/s: what the LAG carries with every member
 * working (nominal) and with the active ones (active). Load-sharing modes
 * add their members up; active-backup and broadcast carry one link's worth.
 */
static void psmon_lag_speeds(const struct psmon_lag *lag, u64 *nominal,
			     u64 *active)
{
	const struct psmon_member *m;
	u64 all = 0, act = 0, top = 0, top_act = 0;

	list_for_each_entry(m, &lag->members, node) {
		u64 bps = (u64)m->speed * 1000000;

		all += bps;
		top = max(top, bps);
		if (m->active) {
			act += bps;
			top_act = max(top_act, bps);
		}
	}
	if (lag->shared) {
		*nominal = all;
		*active = act;
	} else {
		*nominal = top_act ?: top;
		*active = top_act;
	}
}

/* The contract basis: the capacity set, else the provisioned one. */
u64 psmon_lag_capacity(const struct psmon_lag *lag)
{
	u64 nominal, active;

	if (lag->capacity)
		return lag->capacity;
	psmon_lag_speeds(lag, &nominal, &active);
	return nominal;
}

/*
 * What the active members carry now. A capacity set by hand is scaled by
 * the share of the nominal speed that is active.
 */
u64 psmon_lag_active_capacity(const struct psmon_lag *lag)
{
	u64 nominal, active;

	psmon_lag_speeds(lag, &nominal, &active);
	if (!lag->capacity)
		return active;
	if (!nominal)
		return psmon_lag_active_members(lag) ? lag->capacity : 0;
	/* active <= nominal: the quotient fits, the division cannot fault. */
	return psmon_mul_div_sat(lag->capacity, active, nominal);
}

u32 psmon_lag_active_members(const struct psmon_lag *lag)
{
	const struct psmon_member *m;
	u32 n = 0;

	list_for_each_entry(m, &lag->members, node)
		n += m->active;
	return n;
}

void psmon_lag_read(const struct psmon_lag *lag, struct psmon_totals *all,
		    struct psmon_totals *unmatched)
{
	const struct psmon_member *m;
	struct psmon_totals t;

	*all = lag->departed;
	list_for_each_entry(m, &lag->members, node) {
		psmon_pcpu_read(m->stats, &t);
		psmon_totals_add(all, &t);
	}
	psmon_pcpu_read(lag->unmatched, unmatched);
}

static void psmon_changeupper(struct psmon_net *pn, struct net_device *dev,
			      struct netdev_notifier_changeupper_info *info)
{
	struct psmon_lag *lag = psmon_lag_find(pn, info->upper_dev);
	struct psmon_member *m;
	int err;

	if (!lag || lag->kind == PSMON_LAG_KIND_SINGLE)
		return;
	m = psmon_member_find(lag, dev);
	if (info->linking && !m) {
		if (psmon_lag_nmembers(lag) >= PSMON_MAX_MEMBERS) {
			net_warn_ratelimited("psmon: %s joined %s but cannot be counted: %s has %u members, the most psmon counts\n",
					     dev->name, lag->dev->name,
					     lag->dev->name, PSMON_MAX_MEMBERS);
			goto refresh;
		}
		/* Nothing changes unless the member can be made. */
		m = psmon_member_alloc(lag, dev, NULL);
		err = PTR_ERR_OR_ZERO(m);
		if (!err) {
			psmon_lag_absorb(pn, dev, lag->dev);
			err = psmon_member_hook(m);
			if (err)
				psmon_member_drop(m);
		}
		if (err)
			net_warn_ratelimited("psmon: %s joined %s but cannot be counted (%d)\n",
					     dev->name, lag->dev->name, err);
	} else if (!info->linking && m) {
		psmon_member_del(m);
	}
refresh:
	/* The mode may have changed while the master had no members. */
	psmon_lag_refresh(lag);
}

static bool psmon_netdev_event_wanted(unsigned long event)
{
	switch (event) {
	case NETDEV_CHANGEUPPER:
	case NETDEV_UNREGISTER:
	case NETDEV_CHANGENAME:
	case NETDEV_UP:
	case NETDEV_DOWN:
	case NETDEV_CHANGE:
	case NETDEV_CHANGELOWERSTATE:
		return true;
	}
	return false;
}

/*
 * Under RTNL. Events psmon has no use for, and events in namespaces
 * without LAGs, return before any lock is taken: every netdevice event
 * of the system comes through here.
 */
static int psmon_netdev_event(struct notifier_block *nb, unsigned long event,
			      void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct psmon_net *pn;
	struct psmon_member *m;
	struct psmon_lag *lag;

	if (!psmon_netdev_event_wanted(event))
		return NOTIFY_DONE;
	pn = psmon_pernet(dev_net(dev));
	/* LAGs are added and removed under RTNL, which we hold. */
	if (list_empty(&pn->lags))
		return NOTIFY_DONE;

	mutex_lock(&pn->lock);
	switch (event) {
	case NETDEV_CHANGEUPPER:
		psmon_changeupper(pn, dev, ptr);
		break;
	case NETDEV_UNREGISTER:
		/*
		 * Also sent before a device moves to another namespace. An
		 * attached bond may itself be a member of another attached
		 * LAG (a bond enslaved in a bond): it leaves both.
		 */
		lag = psmon_lag_find(pn, dev);
		if (lag)
			psmon_lag_destroy(lag);
		m = psmon_member_lookup(pn, dev);
		if (m)
			psmon_member_del(m);
		break;
	case NETDEV_CHANGENAME:
		lag = psmon_lag_find(pn, dev);
		if (lag)
			strscpy(lag->name, dev->name, sizeof(lag->name));
		m = psmon_member_lookup(pn, dev);
		if (m)
			strscpy(m->name, dev->name, sizeof(m->name));
		break;
	case NETDEV_UP:
	case NETDEV_DOWN:
	case NETDEV_CHANGE:
	case NETDEV_CHANGELOWERSTATE:
		m = psmon_member_lookup(pn, dev);
		if (m)
			psmon_member_refresh(m);
		break;
	}
	mutex_unlock(&pn->lock);
	return NOTIFY_DONE;
}

static struct notifier_block psmon_netdev_notifier = {
	.notifier_call = psmon_netdev_event,
};

int psmon_notifier_init(void)
{
	return register_netdevice_notifier(&psmon_netdev_notifier);
}

void psmon_notifier_exit(void)
{
	unregister_netdevice_notifier(&psmon_netdev_notifier);
}
