// SPDX-License-Identifier: GPL-2.0
/*
 * The "psmon" generic netlink family, specified in
 * Documentation/netlink/psmon.yaml.
 *
 * Changes need CAP_NET_ADMIN over the namespace; reading is open to all,
 * like "ip -s link". Every refusal carries an extack message.
 *
 * Validation is strict for every command (reserved header fields, flags,
 * unknown attributes), and each command has its own policy: an attribute
 * another command takes is refused, not ignored.
 *
 * The family runs without genl_mutex (parallel_ops): a change takes RTNL
 * when it looks at devices, then psmon_net.lock of its namespace, and never
 * waits for a grace period under either. Reads take psmon_net.lock alone:
 * the names they report are psmon's copies, kept under that lock by the
 * netdevice notifier, and an attached device's ifindex does not change.
 * Dumps resume from the key of the last object sent (a LAG's ifindex, a
 * prefix's family, address and length), so every object that exists
 * throughout a dump is sent exactly once; a chunk that sees the set
 * changed since the previous one marks the dump NLM_F_DUMP_INTR.
 */
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "lag.h"
#include "netlink.h"
#include "prefix.h"
#include "rate.h"

static struct genl_family psmon_family;

/* Notifications stop before the family goes: see psmon_genl_exit(). */
static DEFINE_MUTEX(psmon_ntf_lock);
static bool psmon_ntf_live;

/* What names a LAG: LAG_DEL, LAG_GET, LAG_ACK. */
static const struct nla_policy psmon_lag_key_policy[PSMON_A_LAG_MAX + 1] = {
	[PSMON_A_LAG_IFINDEX] = { .type = NLA_U32 },
	[PSMON_A_LAG_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
};

/* LAG_NEW, LAG_SET: the LAG and its settings. */
static const struct nla_policy psmon_lag_policy[PSMON_A_LAG_MAX + 1] = {
	[PSMON_A_LAG_IFINDEX] = { .type = NLA_U32 },
	[PSMON_A_LAG_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[PSMON_A_LAG_CAPACITY] = NLA_POLICY_MIN(NLA_U64, 1),
	[PSMON_A_LAG_CAPACITY_AUTO] = NLA_POLICY_RANGE(NLA_U8, 1, 1),
	[PSMON_A_LAG_THRESHOLD] = NLA_POLICY_RANGE(NLA_U8, 1, 100),
	[PSMON_A_LAG_CLEAR] = NLA_POLICY_RANGE(NLA_U8, 0, 99),
	[PSMON_A_LAG_WINDOW] = NLA_POLICY_RANGE(NLA_U32, 1, 3600),
};

/* What names a prefix: PREFIX_DEL, PREFIX_GET. */
static const struct nla_policy psmon_prefix_key_policy[PSMON_A_PREFIX_MAX + 1] = {
	[PSMON_A_PREFIX_FAMILY] = { .type = NLA_U8 },
	[PSMON_A_PREFIX_ADDR] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[PSMON_A_PREFIX_PLEN] = NLA_POLICY_MAX(NLA_U8, 128),
};

/* PREFIX_NEW: the prefix and its name. */
static const struct nla_policy psmon_prefix_policy[PSMON_A_PREFIX_MAX + 1] = {
	[PSMON_A_PREFIX_FAMILY] = { .type = NLA_U8 },
	[PSMON_A_PREFIX_ADDR] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[PSMON_A_PREFIX_PLEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[PSMON_A_PREFIX_NAME] = { .type = NLA_NUL_STRING,
				  .len = PSMON_NAME_SIZE - 1 },
};

/* Top level of each command. */
static const struct nla_policy psmon_lag_set_policy[PSMON_A_MAX + 1] = {
	[PSMON_A_LAG] = NLA_POLICY_NESTED(psmon_lag_policy),
};

static const struct nla_policy psmon_lag_get_policy[PSMON_A_MAX + 1] = {
	[PSMON_A_LAG] = NLA_POLICY_NESTED(psmon_lag_key_policy),
};

static const struct nla_policy psmon_prefix_new_policy[PSMON_A_MAX + 1] = {
	[PSMON_A_PREFIX] = NLA_POLICY_NESTED(psmon_prefix_policy),
	[PSMON_A_MORE] = { .type = NLA_FLAG },
};

static const struct nla_policy psmon_prefix_get_policy[PSMON_A_MAX + 1] = {
	[PSMON_A_PREFIX] = NLA_POLICY_NESTED(psmon_prefix_key_policy),
};

static const struct nla_policy psmon_prefix_del_policy[PSMON_A_MAX + 1] = {
	[PSMON_A_PREFIX] = NLA_POLICY_NESTED(psmon_prefix_key_policy),
	[PSMON_A_MORE] = { .type = NLA_FLAG },
};

/*
 * Room for a reply: generous per object, so that attributes can be added
 * to the fill functions without touching these.
 */
#define PSMON_LAG_ROOM		1024	/* a LAG's own attributes */
#define PSMON_MEMBER_ROOM	512	/* one member nest */
#define PSMON_PREFIX_ROOM	256	/* a prefix's own attributes */
#define PSMON_PREFIX_LAG_ROOM	128	/* one per-LAG nest of a prefix */

/*
 * Close a nest, or -EMSGSIZE (the caller cancels the message) when it grew
 * beyond what the 16-bit attribute length can say: nla_nest_end() would
 * store a truncated length, and the reply would be corrupt.
 */
static int psmon_nest_end(struct sk_buff *skb, struct nlattr *nest)
{
	if (skb_tail_pointer(skb) - (unsigned char *)nest > U16_MAX)
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static size_t psmon_msg_size(size_t payload)
{
	return nlmsg_total_size(GENL_HDRLEN + nla_total_size(payload));
}

static size_t psmon_lag_msg_size(const struct psmon_lag *lag)
{
	return psmon_msg_size(PSMON_LAG_ROOM + (size_t)psmon_lag_nmembers(lag) *
			      PSMON_MEMBER_ROOM);
}

static size_t psmon_prefix_msg_size(const struct psmon_net *pn)
{
	return psmon_msg_size(PSMON_PREFIX_ROOM +
			      (size_t)pn->nlags * PSMON_PREFIX_LAG_ROOM);
}

/*
 * Mark the message just added at offset off of a dump's skb when the set
 * changed since the previous chunk.
 */
static void psmon_dump_check(struct netlink_callback *cb, struct sk_buff *skb,
			     int off)
{
	nl_dump_check_consistent(cb, (struct nlmsghdr *)(skb->data + off));
}

/* Resume point of a prefix dump, kept in netlink_callback.ctx. */
struct psmon_dump_ctx {
	u8 started;
	u8 family;
	u8 plen;
	u8 addr[16];
};

static int psmon_put_u64(struct sk_buff *skb, int type, u64 v, int pad)
{
	return nla_put_u64_64bit(skb, type, v, pad);
}

/* Four consecutive attributes: rx packets, rx bytes, tx packets, tx bytes. */
static int psmon_put_totals(struct sk_buff *skb, int first, int pad,
			    const struct psmon_totals *t)
{
	if (psmon_put_u64(skb, first, t->packets[PSMON_RX], pad) ||
	    psmon_put_u64(skb, first + 1, t->bytes[PSMON_RX], pad) ||
	    psmon_put_u64(skb, first + 2, t->packets[PSMON_TX], pad) ||
	    psmon_put_u64(skb, first + 3, t->bytes[PSMON_TX], pad))
		return -EMSGSIZE;
	return 0;
}

/* The attributes were validated against the command's own policy. */
static int psmon_parse_lag(struct genl_info *info, struct nlattr **tb)
{
	if (!info->attrs[PSMON_A_LAG]) {
		NL_SET_ERR_MSG(info->extack, "missing LAG attributes");
		return -EINVAL;
	}
	return nla_parse_nested(tb, PSMON_A_LAG_MAX, info->attrs[PSMON_A_LAG],
				psmon_lag_policy, info->extack);
}

/* Under RTNL. */
static struct net_device *psmon_lag_dev(struct net *net, struct nlattr **tb,
					struct genl_info *info)
{
	struct net_device *dev;

	if (tb[PSMON_A_LAG_IFINDEX])
		dev = __dev_get_by_index(net,
					 nla_get_u32(tb[PSMON_A_LAG_IFINDEX]));
	else if (tb[PSMON_A_LAG_IFNAME])
		dev = __dev_get_by_name(net, nla_data(tb[PSMON_A_LAG_IFNAME]));
	else
		dev = ERR_PTR(-EINVAL);
	if (IS_ERR(dev)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[PSMON_A_LAG],
				    "missing device name or index");
		return dev;
	}
	if (!dev) {
		NL_SET_ERR_MSG(info->extack, "no such device");
		return ERR_PTR(-ENODEV);
	}
	return dev;
}

/* The attached LAG a request names; under RTNL and psmon_net.lock. */
static struct psmon_lag *psmon_nl_lag(struct psmon_net *pn, struct nlattr **tb,
				      struct genl_info *info)
{
	struct net_device *dev = psmon_lag_dev(pn->net, tb, info);
	struct psmon_lag *lag;

	if (IS_ERR(dev))
		return ERR_CAST(dev);
	lag = psmon_lag_find(pn, dev);
	if (!lag) {
		NL_SET_ERR_MSG(info->extack, "device is not attached");
		return ERR_PTR(-ENOENT);
	}
	return lag;
}

/*
 * Check settings against the current ones (or the defaults for a new LAG).
 * A threshold given without a clear level keeps a valid one: a clear level
 * that would not be below the new threshold follows it (threshold - 5, at
 * least 0), returned in *clear.
 */
static int psmon_lag_check(const struct psmon_lag *lag, struct nlattr **tb,
			   u8 *clear, struct netlink_ext_ack *extack)
{
	u8 threshold = lag ? lag->threshold : PSMON_DEFAULT_THRESHOLD;

	*clear = lag ? lag->clear : PSMON_DEFAULT_CLEAR;
	if (tb[PSMON_A_LAG_CAPACITY] && tb[PSMON_A_LAG_CAPACITY_AUTO]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[PSMON_A_LAG_CAPACITY_AUTO],
				    "capacity is either fixed or auto, not both");
		return -EINVAL;
	}
	if (tb[PSMON_A_LAG_THRESHOLD])
		threshold = nla_get_u8(tb[PSMON_A_LAG_THRESHOLD]);
	if (tb[PSMON_A_LAG_CLEAR])
		*clear = nla_get_u8(tb[PSMON_A_LAG_CLEAR]);
	else if (*clear >= threshold)
		*clear = threshold > PSMON_CLEAR_GAP ?
			 threshold - PSMON_CLEAR_GAP : 0;
	if (*clear >= threshold) {
		NL_SET_ERR_MSG_ATTR(extack,
				    tb[PSMON_A_LAG_CLEAR] ?: tb[PSMON_A_LAG_THRESHOLD],
				    "clear level must be below the threshold");
		return -EINVAL;
	}
	return 0;
}

static int psmon_lag_apply(struct psmon_lag *lag, struct nlattr **tb,
			   u8 clear, struct netlink_ext_ack *extack)
{
	int err;

	if (tb[PSMON_A_LAG_WINDOW]) {
		err = psmon_lag_window(lag, nla_get_u32(tb[PSMON_A_LAG_WINDOW]),
				       extack);
		if (err)
			return err;
	}
	if (tb[PSMON_A_LAG_CAPACITY])
		lag->capacity = nla_get_u64(tb[PSMON_A_LAG_CAPACITY]);
	if (tb[PSMON_A_LAG_CAPACITY_AUTO])
		lag->capacity = 0;
	if (tb[PSMON_A_LAG_THRESHOLD])
		lag->threshold = nla_get_u8(tb[PSMON_A_LAG_THRESHOLD]);
	lag->clear = clear;
	return 0;
}

static int psmon_nl_lag_new(struct sk_buff *skb, struct genl_info *info)
{
	struct psmon_net *pn = psmon_pernet(genl_info_net(info));
	struct nlattr *tb[PSMON_A_LAG_MAX + 1];
	struct net_device *dev;
	struct psmon_lag *lag;
	u8 clear;
	int err;

	err = psmon_parse_lag(info, tb);
	if (err)
		return err;
	err = psmon_lag_check(NULL, tb, &clear, info->extack);
	if (err)
		return err;

	rtnl_lock();
	mutex_lock(&pn->lock);
	dev = psmon_lag_dev(pn->net, tb, info);
	if (IS_ERR(dev)) {
		err = PTR_ERR(dev);
		goto out;
	}
	lag = psmon_lag_create(pn, dev, info->extack);
	if (IS_ERR(lag)) {
		err = PTR_ERR(lag);
		goto out;
	}
	err = psmon_lag_apply(lag, tb, clear, info->extack);
	if (err)
		psmon_lag_destroy(lag);
out:
	mutex_unlock(&pn->lock);
	rtnl_unlock();
	return err;
}

/*
 * Parse a request, then run act on the attached LAG it names, under RTNL
 * and psmon_net.lock.
 */
static int psmon_nl_lag_do(struct genl_info *info,
			   int (*act)(struct psmon_lag *lag, struct nlattr **tb,
				      struct netlink_ext_ack *extack))
{
	struct psmon_net *pn = psmon_pernet(genl_info_net(info));
	struct nlattr *tb[PSMON_A_LAG_MAX + 1];
	struct psmon_lag *lag;
	int err;

	err = psmon_parse_lag(info, tb);
	if (err)
		return err;

	rtnl_lock();
	mutex_lock(&pn->lock);
	lag = psmon_nl_lag(pn, tb, info);
	err = IS_ERR(lag) ? PTR_ERR(lag) : act(lag, tb, info->extack);
	mutex_unlock(&pn->lock);
	rtnl_unlock();
	return err;
}

static int psmon_lag_set(struct psmon_lag *lag, struct nlattr **tb,
			 struct netlink_ext_ack *extack)
{
	u8 clear;

	return psmon_lag_check(lag, tb, &clear, extack) ?:
	       psmon_lag_apply(lag, tb, clear, extack);
}

static int psmon_lag_del(struct psmon_lag *lag, struct nlattr **tb,
			 struct netlink_ext_ack *extack)
{
	psmon_lag_destroy(lag);
	return 0;
}

static int psmon_lag_ack_one(struct psmon_lag *lag, struct nlattr **tb,
			     struct netlink_ext_ack *extack)
{
	psmon_lag_ack(lag);
	return 0;
}

static int psmon_nl_lag_set(struct sk_buff *skb, struct genl_info *info)
{
	return psmon_nl_lag_do(info, psmon_lag_set);
}

static int psmon_nl_lag_del(struct sk_buff *skb, struct genl_info *info)
{
	return psmon_nl_lag_do(info, psmon_lag_del);
}

static int psmon_fill_member(struct sk_buff *skb, const struct psmon_member *m)
{
	struct psmon_totals t;
	struct nlattr *nest;

	nest = nla_nest_start(skb, PSMON_A_LAG_MEMBER);
	if (!nest)
		return -EMSGSIZE;
	psmon_pcpu_read(m->stats, &t);
	if (nla_put_u32(skb, PSMON_A_MEMBER_IFINDEX, m->dev->ifindex) ||
	    nla_put_string(skb, PSMON_A_MEMBER_IFNAME, m->name) ||
	    nla_put_u32(skb, PSMON_A_MEMBER_SPEED, m->speed) ||
	    nla_put_u8(skb, PSMON_A_MEMBER_UP, m->up) ||
	    psmon_put_totals(skb, PSMON_A_MEMBER_RX_PACKETS,
			     PSMON_A_MEMBER_PAD, &t) ||
	    psmon_put_u64(skb, PSMON_A_MEMBER_RX_BPS, m->rate.bps[PSMON_RX],
			  PSMON_A_MEMBER_PAD) ||
	    psmon_put_u64(skb, PSMON_A_MEMBER_TX_BPS, m->rate.bps[PSMON_TX],
			  PSMON_A_MEMBER_PAD) ||
	    nla_put_u8(skb, PSMON_A_MEMBER_ACTIVE, m->active) ||
	    nla_put_u32(skb, PSMON_A_MEMBER_INACTIVE, m->inactive) ||
	    psmon_put_totals(skb, PSMON_A_MEMBER_IF_RX_PACKETS,
			     PSMON_A_MEMBER_PAD, &m->ifc) ||
	    psmon_put_u64(skb, PSMON_A_MEMBER_HOOK_RX_BPS,
			  m->rate.hook_bps[PSMON_RX], PSMON_A_MEMBER_PAD) ||
	    psmon_put_u64(skb, PSMON_A_MEMBER_HOOK_TX_BPS,
			  m->rate.hook_bps[PSMON_TX], PSMON_A_MEMBER_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	return psmon_nest_end(skb, nest);
}

/* Utilisation of the active capacity; any traffic on none is saturated. */
static u32 psmon_active_ppm(u64 bps, u64 active)
{
	if (!active)
		return bps ? U32_MAX : 0;
	return psmon_ppm(bps, active);
}

static int psmon_fill_lag_util(struct sk_buff *skb,
			       const struct psmon_lag *lag)
{
	u64 capacity = psmon_lag_capacity(lag), n1 = psmon_lag_n1_capacity(lag);
	u64 active = psmon_lag_active_capacity(lag);
	const u64 *bps = lag->rate.bps;

	if (psmon_put_u64(skb, PSMON_A_LAG_RX_BPS, bps[PSMON_RX],
			  PSMON_A_LAG_PAD) ||
	    psmon_put_u64(skb, PSMON_A_LAG_TX_BPS, bps[PSMON_TX],
			  PSMON_A_LAG_PAD) ||
	    nla_put_u32(skb, PSMON_A_LAG_RX_UTIL,
			psmon_ppm(bps[PSMON_RX], capacity)) ||
	    nla_put_u32(skb, PSMON_A_LAG_TX_UTIL,
			psmon_ppm(bps[PSMON_TX], capacity)) ||
	    (n1 && psmon_put_u64(skb, PSMON_A_LAG_N1_CAPACITY, n1,
				 PSMON_A_LAG_PAD)) ||
	    nla_put_u8(skb, PSMON_A_LAG_ALERT, lag->alert) ||
	    (lag->alert_since &&
	     psmon_put_u64(skb, PSMON_A_LAG_ALERT_SINCE, lag->alert_since,
			   PSMON_A_LAG_PAD)) ||
	    nla_put_u32(skb, PSMON_A_LAG_PEAK_UTIL, lag->peak) ||
	    nla_put_u32(skb, PSMON_A_LAG_SAMPLES,
			psmon_rate_seconds(&lag->rate)) ||
	    nla_put_string(skb, PSMON_A_LAG_MODE, lag->mode) ||
	    psmon_put_u64(skb, PSMON_A_LAG_ACTIVE_CAPACITY, active,
			  PSMON_A_LAG_PAD) ||
	    nla_put_u32(skb, PSMON_A_LAG_ACTIVE_RX_UTIL,
			psmon_active_ppm(bps[PSMON_RX], active)) ||
	    nla_put_u32(skb, PSMON_A_LAG_ACTIVE_TX_UTIL,
			psmon_active_ppm(bps[PSMON_TX], active)) ||
	    nla_put_u8(skb, PSMON_A_LAG_DEGRADED, active < capacity) ||
	    nla_put_u8(skb, PSMON_A_LAG_OVERLOAD, lag->overload) ||
	    psmon_put_u64(skb, PSMON_A_LAG_HOOK_RX_BPS,
			  lag->rate.hook_bps[PSMON_RX], PSMON_A_LAG_PAD) ||
	    psmon_put_u64(skb, PSMON_A_LAG_HOOK_TX_BPS,
			  lag->rate.hook_bps[PSMON_TX], PSMON_A_LAG_PAD) ||
	    psmon_put_totals(skb, PSMON_A_LAG_IF_RX_PACKETS, PSMON_A_LAG_PAD,
			     &lag->ifc))
		return -EMSGSIZE;
	return 0;
}

static int psmon_fill_lag(struct sk_buff *skb, const struct psmon_lag *lag,
			  u32 portid, u32 seq, int flags)
{
	struct psmon_totals all, unmatched;
	const struct psmon_member *m;
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &psmon_family, flags,
			  PSMON_CMD_LAG_GET);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, PSMON_A_LAG);
	if (!nest)
		goto cancel;

	psmon_lag_read(lag, &all, &unmatched);
	if (nla_put_u32(skb, PSMON_A_LAG_IFINDEX, lag->dev->ifindex) ||
	    nla_put_string(skb, PSMON_A_LAG_IFNAME, lag->name) ||
	    nla_put_u32(skb, PSMON_A_LAG_KIND, lag->kind) ||
	    psmon_put_u64(skb, PSMON_A_LAG_CAPACITY, psmon_lag_capacity(lag),
			  PSMON_A_LAG_PAD) ||
	    nla_put_u8(skb, PSMON_A_LAG_CAPACITY_AUTO, !lag->capacity) ||
	    nla_put_u8(skb, PSMON_A_LAG_THRESHOLD, lag->threshold) ||
	    nla_put_u8(skb, PSMON_A_LAG_CLEAR, lag->clear) ||
	    nla_put_u32(skb, PSMON_A_LAG_WINDOW, lag->window) ||
	    psmon_put_totals(skb, PSMON_A_LAG_RX_PACKETS, PSMON_A_LAG_PAD,
			     &all) ||
	    psmon_put_totals(skb, PSMON_A_LAG_UNMATCHED_RX_PACKETS,
			     PSMON_A_LAG_PAD, &unmatched) ||
	    psmon_fill_lag_util(skb, lag))
		goto cancel;
	list_for_each_entry(m, &lag->members, node)
		if (psmon_fill_member(skb, m))
			goto cancel;
	if (psmon_nest_end(skb, nest))
		goto cancel;
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/*
 * The attached LAG a read names, without RTNL: by ifindex, or by psmon's
 * copy of its name; under psmon_net.lock.
 */
static struct psmon_lag *psmon_nl_lag_read(struct psmon_net *pn,
					   struct nlattr **tb,
					   struct genl_info *info)
{
	struct nlattr *ifindex = tb[PSMON_A_LAG_IFINDEX];
	struct nlattr *ifname = tb[PSMON_A_LAG_IFNAME];
	struct psmon_lag *lag;
	bool exists;

	if (!ifindex && !ifname) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[PSMON_A_LAG],
				    "missing device name or index");
		return ERR_PTR(-EINVAL);
	}
	list_for_each_entry(lag, &pn->lags, node) {
		if (ifindex ? lag->dev->ifindex == nla_get_u32(ifindex) :
			      !strcmp(lag->name, nla_data(ifname)))
			return lag;
	}
	rcu_read_lock();
	exists = ifindex ? !!dev_get_by_index_rcu(pn->net,
						   nla_get_u32(ifindex)) :
			   !!dev_get_by_name_rcu(pn->net, nla_data(ifname));
	rcu_read_unlock();
	if (!exists) {
		NL_SET_ERR_MSG(info->extack, "no such device");
		return ERR_PTR(-ENODEV);
	}
	NL_SET_ERR_MSG(info->extack, "device is not attached");
	return ERR_PTR(-ENOENT);
}

static int psmon_nl_lag_get(struct sk_buff *skb, struct genl_info *info)
{
	struct psmon_net *pn = psmon_pernet(genl_info_net(info));
	struct nlattr *tb[PSMON_A_LAG_MAX + 1];
	struct sk_buff *msg = NULL;
	struct psmon_lag *lag;
	int err;

	err = psmon_parse_lag(info, tb);
	if (err)
		return err;

	mutex_lock(&pn->lock);
	lag = psmon_nl_lag_read(pn, tb, info);
	if (IS_ERR(lag)) {
		err = PTR_ERR(lag);
		goto out;
	}
	msg = genlmsg_new(psmon_lag_msg_size(lag), GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto out;
	}
	err = psmon_fill_lag(msg, lag, info->snd_portid, info->snd_seq, 0);
	if (err)
		NL_SET_ERR_MSG(info->extack, "LAG does not fit a message");
out:
	mutex_unlock(&pn->lock);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/*
 * One object must fit a dump's message: make the skbs large enough for the
 * largest LAG. netlink_dump() reads this before each chunk, and LAGs gain
 * members during a dump: set at the start, again at the end of each chunk
 * (a chunk is at least NLMSG_GOODSIZE, and the room per member is about
 * twice what a member takes, which covers members that join between the
 * end of one chunk and the next). Under psmon_net.lock.
 */
static void psmon_lag_dump_alloc(struct netlink_callback *cb,
				 const struct psmon_net *pn)
{
	const struct psmon_lag *lag;
	size_t size = 0;

	list_for_each_entry(lag, &pn->lags, node)
		size = max(size, psmon_lag_msg_size(lag));
	cb->min_dump_alloc = size;
}

static int psmon_nl_lag_dump_start(struct netlink_callback *cb)
{
	struct psmon_net *pn = psmon_pernet(sock_net(cb->skb->sk));

	mutex_lock(&pn->lock);
	psmon_lag_dump_alloc(cb, pn);
	mutex_unlock(&pn->lock);
	return 0;
}

/*
 * LAGs are in ifindex order: resume after the last ifindex sent, so a
 * LAG removed between two chunks makes none skipped or sent twice.
 */
static int psmon_nl_lag_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct psmon_net *pn = psmon_pernet(sock_net(skb->sk));
	int last = cb->args[0], err = 0, off;
	struct psmon_lag *lag;

	mutex_lock(&pn->lock);
	cb->seq = pn->gen;
	list_for_each_entry(lag, &pn->lags, node) {
		if (lag->dev->ifindex <= last)
			continue;
		off = skb->len;
		err = psmon_fill_lag(skb, lag, NETLINK_CB(cb->skb).portid,
				     cb->nlh->nlmsg_seq, NLM_F_MULTI);
		if (err)
			break;
		psmon_dump_check(cb, skb, off);
		cb->args[0] = lag->dev->ifindex;
	}
	psmon_lag_dump_alloc(cb, pn);
	mutex_unlock(&pn->lock);
	/* Not even one LAG fits an empty message: say so. */
	if (err && !skb->len)
		return err;
	return skb->len;
}

static int psmon_nl_lag_ack(struct sk_buff *skb, struct genl_info *info)
{
	return psmon_nl_lag_do(info, psmon_lag_ack_one);
}

/*
 * An event to the listeners of the namespace; under psmon_net.lock, maybe
 * without RTNL: the LAG's name is its copy, kept under that lock.
 */
void psmon_nl_notify(struct psmon_lag *lag, enum psmon_event event, int dir,
		     u32 util, time64_t time, const char *member)
{
	struct net *net = lag->pn->net;
	struct nlattr *nest;
	struct sk_buff *skb;
	void *hdr;

	mutex_lock(&psmon_ntf_lock);
	if (!psmon_ntf_live || !genl_has_listeners(&psmon_family, net, 0))
		goto unlock;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		goto unlock;
	hdr = genlmsg_put(skb, 0, 0, &psmon_family, 0, PSMON_CMD_LAG_NTF);
	if (!hdr)
		goto free;
	nest = nla_nest_start(skb, PSMON_A_LAG);
	if (!nest ||
	    nla_put_u32(skb, PSMON_A_LAG_IFINDEX, lag->dev->ifindex) ||
	    nla_put_string(skb, PSMON_A_LAG_IFNAME, lag->name) ||
	    nla_put_u32(skb, PSMON_A_LAG_EVENT, event) ||
	    nla_put_u32(skb, PSMON_A_LAG_EVENT_DIR,
			dir == PSMON_RX ? PSMON_DIR_RX : PSMON_DIR_TX) ||
	    nla_put_u32(skb, PSMON_A_LAG_EVENT_UTIL, util) ||
	    psmon_put_u64(skb, PSMON_A_LAG_EVENT_TIME, time,
			  PSMON_A_LAG_PAD) ||
	    nla_put_u8(skb, PSMON_A_LAG_THRESHOLD, lag->threshold) ||
	    nla_put_u8(skb, PSMON_A_LAG_CLEAR, lag->clear) ||
	    psmon_put_u64(skb, PSMON_A_LAG_CAPACITY, psmon_lag_capacity(lag),
			  PSMON_A_LAG_PAD) ||
	    psmon_put_u64(skb, PSMON_A_LAG_ACTIVE_CAPACITY,
			  psmon_lag_active_capacity(lag), PSMON_A_LAG_PAD) ||
	    (lag->alert_since &&
	     psmon_put_u64(skb, PSMON_A_LAG_ALERT_SINCE, lag->alert_since,
			   PSMON_A_LAG_PAD)) ||
	    (member && nla_put_string(skb, PSMON_A_LAG_EVENT_MEMBER, member)))
		goto free;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&psmon_family, net, skb, 0, 0, GFP_KERNEL);
	goto unlock;
free:
	nlmsg_free(skb);
unlock:
	mutex_unlock(&psmon_ntf_lock);
}

static int psmon_parse_prefix(const struct nlattr *nest, struct psmon_prefix *p,
			      struct netlink_ext_ack *extack)
{
	struct nlattr *tb[PSMON_A_PREFIX_MAX + 1];
	unsigned int alen;
	int err;

	err = nla_parse_nested(tb, PSMON_A_PREFIX_MAX, nest,
			       psmon_prefix_policy, extack);
	if (err)
		return err;
	if (!tb[PSMON_A_PREFIX_FAMILY] || !tb[PSMON_A_PREFIX_ADDR] ||
	    !tb[PSMON_A_PREFIX_PLEN]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "prefix needs family, address and length");
		return -EINVAL;
	}
	p->family = nla_get_u8(tb[PSMON_A_PREFIX_FAMILY]);
	if (p->family != AF_INET && p->family != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(extack, tb[PSMON_A_PREFIX_FAMILY],
				    "address family is neither IPv4 nor IPv6");
		return -EAFNOSUPPORT;
	}
	alen = p->family == AF_INET ? 4 : 16;
	if (nla_len(tb[PSMON_A_PREFIX_ADDR]) != alen) {
		NL_SET_ERR_MSG_ATTR(extack, tb[PSMON_A_PREFIX_ADDR],
				    "address length does not match the family");
		return -EINVAL;
	}
	memset(p->addr, 0, sizeof(p->addr));
	nla_memcpy(p->addr, tb[PSMON_A_PREFIX_ADDR], alen);
	p->plen = nla_get_u8(tb[PSMON_A_PREFIX_PLEN]);
	if (!psmon_prefix_valid(p, extack)) {
		NL_SET_BAD_ATTR(extack, nest);
		return -EINVAL;
	}
	p->name[0] = '\0';
	if (tb[PSMON_A_PREFIX_NAME])
		nla_strscpy(p->name, tb[PSMON_A_PREFIX_NAME], sizeof(p->name));
	return 0;
}

static int psmon_nl_prefix_new(struct sk_buff *skb, struct genl_info *info)
{
	struct psmon_net *pn = psmon_pernet(genl_info_net(info));
	bool more = nla_get_flag(info->attrs[PSMON_A_MORE]);
	const struct nlattr *attr, **nests = NULL;
	struct psmon_prefix **p = NULL;
	u32 i, n = 0, bad;
	int rem, err;

	nla_for_each_attr(attr, genlmsg_data(info->genlhdr),
			  genlmsg_len(info->genlhdr), rem)
		if (nla_type(attr) == PSMON_A_PREFIX)
			n++;
	if (!n) {
		NL_SET_ERR_MSG(info->extack, "missing prefix");
		return -EINVAL;
	}
	if (n > psmon_max_prefixes) {
		NL_SET_ERR_MSG(info->extack,
			       "prefix limit reached (module parameter max_prefixes)");
		return -ENOSPC;
	}

	p = kvcalloc(n, sizeof(*p), GFP_KERNEL_ACCOUNT);
	nests = kvcalloc(n, sizeof(*nests), GFP_KERNEL_ACCOUNT);
	err = -ENOMEM;
	if (!p || !nests)
		goto out;

	i = 0;
	nla_for_each_attr(attr, genlmsg_data(info->genlhdr),
			  genlmsg_len(info->genlhdr), rem) {
		if (nla_type(attr) != PSMON_A_PREFIX)
			continue;
		nests[i] = attr;
		p[i] = kzalloc(sizeof(*p[i]), GFP_KERNEL_ACCOUNT);
		if (!p[i])
			goto out;
		err = psmon_parse_prefix(attr, p[i], info->extack);
		if (err)
			goto out;
		i++;
	}

	mutex_lock(&pn->lock);
	err = psmon_prefix_add(pn, p, n, &bad, true, more, info->extack);
	if (err == -EAGAIN) {
		/*
		 * Slots or memory wait for removed prefixes' grace period:
		 * wait for it without the lock, then release them.
		 */
		mutex_unlock(&pn->lock);
		synchronize_rcu();
		mutex_lock(&pn->lock);
		psmon_prefix_reap(pn);
		/* The first attempt's refusal is not the answer: forget it. */
		info->extack->_msg = NULL;
		info->extack->bad_attr = NULL;
		err = psmon_prefix_add(pn, p, n, &bad, false, more,
				       info->extack);
	}
	mutex_unlock(&pn->lock);
	if (!err) {
		kvfree(p);	/* the prefixes now belong to the table */
		kvfree(nests);
		return 0;
	}
	if (bad < n)
		NL_SET_BAD_ATTR(info->extack, nests[bad]);
out:
	if (p)
		for (i = 0; i < n; i++)
			kfree(p[i]);
	kvfree(p);
	kvfree(nests);
	return err;
}

static int psmon_nl_prefix_key(struct genl_info *info, struct psmon_prefix *key)
{
	if (!info->attrs[PSMON_A_PREFIX]) {
		NL_SET_ERR_MSG(info->extack, "missing prefix");
		return -EINVAL;
	}
	return psmon_parse_prefix(info->attrs[PSMON_A_PREFIX], key,
				  info->extack);
}

/* The PSMON_A_PREFIX nests of a request, counted; 0 with an extack. */
static u32 psmon_nl_prefix_count(struct genl_info *info)
{
	const struct nlattr *attr;
	u32 n = 0;
	int rem;

	nla_for_each_attr(attr, genlmsg_data(info->genlhdr),
			  genlmsg_len(info->genlhdr), rem)
		if (nla_type(attr) == PSMON_A_PREFIX)
			n++;
	if (!n)
		NL_SET_ERR_MSG(info->extack, "missing prefix");
	return n;
}

/* Every PSMON_A_PREFIX nest of the request, one new table for them all. */
static int psmon_nl_prefix_del(struct sk_buff *skb, struct genl_info *info)
{
	struct psmon_net *pn = psmon_pernet(genl_info_net(info));
	const struct nlattr *attr, **nests = NULL;
	struct psmon_prefix *keys = NULL;
	u32 i = 0, n, bad;
	int rem, err;

	n = psmon_nl_prefix_count(info);
	if (!n)
		return -EINVAL;
	if (n > psmon_max_prefixes) {
		NL_SET_ERR_MSG(info->extack, "more prefixes than can exist");
		return -E2BIG;
	}
	keys = kvmalloc_array(n, sizeof(*keys), GFP_KERNEL_ACCOUNT);
	nests = kvmalloc_array(n, sizeof(*nests), GFP_KERNEL_ACCOUNT);
	err = -ENOMEM;
	if (!keys || !nests)
		goto out;
	nla_for_each_attr(attr, genlmsg_data(info->genlhdr),
			  genlmsg_len(info->genlhdr), rem) {
		if (nla_type(attr) != PSMON_A_PREFIX)
			continue;
		nests[i] = attr;
		err = psmon_parse_prefix(attr, &keys[i], info->extack);
		if (err)
			goto out;
		i++;
	}

	mutex_lock(&pn->lock);
	err = psmon_prefix_del(pn, keys, n, &bad,
			       nla_get_flag(info->attrs[PSMON_A_MORE]),
			       info->extack);
	mutex_unlock(&pn->lock);
	if (err && bad < n)
		NL_SET_BAD_ATTR(info->extack, nests[bad]);
out:
	kvfree(keys);
	kvfree(nests);
	return err;
}

static int psmon_nl_prefix_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct psmon_net *pn = psmon_pernet(genl_info_net(info));
	u32 n;
	int err;

	mutex_lock(&pn->lock);
	err = psmon_prefix_del_all(pn, &n);
	mutex_unlock(&pn->lock);
	if (err)
		NL_SET_ERR_MSG(info->extack, "out of memory for the lookup table");
	return err;
}

static int psmon_fill_prefix(struct sk_buff *skb, struct psmon_net *pn,
			     const struct psmon_prefix *p, u32 portid, u32 seq,
			     int flags)
{
	struct psmon_totals all = p->departed, t;
	const struct psmon_lag *lag;
	struct nlattr *nest, *ln;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &psmon_family, flags,
			  PSMON_CMD_PREFIX_GET);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, PSMON_A_PREFIX);
	if (!nest)
		goto cancel;
	if (nla_put_u8(skb, PSMON_A_PREFIX_FAMILY, p->family) ||
	    nla_put(skb, PSMON_A_PREFIX_ADDR, p->family == AF_INET ? 4 : 16,
		    p->addr) ||
	    nla_put_u8(skb, PSMON_A_PREFIX_PLEN, p->plen) ||
	    (p->name[0] && nla_put_string(skb, PSMON_A_PREFIX_NAME, p->name)))
		goto cancel;

	list_for_each_entry(lag, &pn->lags, node) {
		psmon_prefix_read(p, lag, &t);
		psmon_totals_add(&all, &t);
		ln = nla_nest_start(skb, PSMON_A_PREFIX_LAG);
		if (!ln ||
		    nla_put_u32(skb, PSMON_A_PREFIX_LAG_IFINDEX,
				lag->dev->ifindex) ||
		    nla_put_string(skb, PSMON_A_PREFIX_LAG_IFNAME,
				   lag->name) ||
		    psmon_put_totals(skb, PSMON_A_PREFIX_LAG_RX_PACKETS,
				     PSMON_A_PREFIX_LAG_PAD, &t) ||
		    psmon_nest_end(skb, ln))
			goto cancel;
	}
	if (psmon_put_totals(skb, PSMON_A_PREFIX_RX_PACKETS,
			     PSMON_A_PREFIX_PAD, &all) ||
	    psmon_nest_end(skb, nest))
		goto cancel;
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int psmon_nl_prefix_get(struct sk_buff *skb, struct genl_info *info)
{
	struct psmon_net *pn = psmon_pernet(genl_info_net(info));
	struct sk_buff *msg = NULL;
	struct psmon_prefix key, *p;
	int err;

	err = psmon_nl_prefix_key(info, &key);
	if (err)
		return err;
	mutex_lock(&pn->lock);
	p = psmon_prefix_find(pn, &key);
	if (!p) {
		NL_SET_ERR_MSG(info->extack, "prefix is not registered");
		err = -ENOENT;
		goto out;
	}
	msg = genlmsg_new(psmon_prefix_msg_size(pn), GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto out;
	}
	err = psmon_fill_prefix(msg, pn, p, info->snd_portid, info->snd_seq,
				0);
	if (err)
		NL_SET_ERR_MSG(info->extack, "prefix does not fit a message");
out:
	mutex_unlock(&pn->lock);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/*
 * A prefix's message grows with the LAGs, which may be attached between
 * two chunks, after the size of the next one was chosen: size the chunks
 * for max_lags LAGs (about 8 KiB by default), so that any prefix fits.
 */
static int psmon_nl_prefix_dump_start(struct netlink_callback *cb)
{
	cb->min_dump_alloc = psmon_msg_size(PSMON_PREFIX_ROOM +
					    (size_t)psmon_max_lags *
					    PSMON_PREFIX_LAG_ROOM);
	return 0;
}

static int psmon_nl_prefix_dump(struct sk_buff *skb,
				struct netlink_callback *cb)
{
	struct psmon_net *pn = psmon_pernet(sock_net(skb->sk));
	struct psmon_dump_ctx *ctx = (void *)cb->ctx;
	struct psmon_prefix key, *p;
	struct rb_node *node;
	int err = 0, off;

	BUILD_BUG_ON(sizeof(*ctx) > sizeof(cb->ctx));

	mutex_lock(&pn->lock);
	cb->seq = pn->gen;
	if (ctx->started) {
		key.family = ctx->family;
		key.plen = ctx->plen;
		memcpy(key.addr, ctx->addr, sizeof(key.addr));
		p = psmon_prefix_after(pn, &key);
	} else {
		p = psmon_prefix_after(pn, NULL);
	}
	while (p) {
		off = skb->len;
		err = psmon_fill_prefix(skb, pn, p, NETLINK_CB(cb->skb).portid,
					cb->nlh->nlmsg_seq, NLM_F_MULTI);
		if (err)
			break;
		psmon_dump_check(cb, skb, off);
		ctx->started = 1;
		ctx->family = p->family;
		ctx->plen = p->plen;
		memcpy(ctx->addr, p->addr, sizeof(ctx->addr));
		node = rb_next(&p->node);
		p = node ? rb_entry(node, struct psmon_prefix, node) : NULL;
	}
	mutex_unlock(&pn->lock);
	/* Not even one prefix fits an empty message: say so. */
	if (err && !skb->len)
		return err;
	return skb->len;
}

static const struct genl_ops psmon_ops[] = {
	{
		.cmd = PSMON_CMD_LAG_NEW,
		.doit = psmon_nl_lag_new,
		.policy = psmon_lag_set_policy,
		.maxattr = PSMON_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = PSMON_CMD_LAG_SET,
		.doit = psmon_nl_lag_set,
		.policy = psmon_lag_set_policy,
		.maxattr = PSMON_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = PSMON_CMD_LAG_DEL,
		.doit = psmon_nl_lag_del,
		.policy = psmon_lag_get_policy,
		.maxattr = PSMON_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = PSMON_CMD_LAG_GET,
		.doit = psmon_nl_lag_get,
		.start = psmon_nl_lag_dump_start,
		.dumpit = psmon_nl_lag_dump,
		.policy = psmon_lag_get_policy,
		.maxattr = PSMON_A_MAX,
	},
	{
		.cmd = PSMON_CMD_PREFIX_NEW,
		.doit = psmon_nl_prefix_new,
		.policy = psmon_prefix_new_policy,
		.maxattr = PSMON_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = PSMON_CMD_PREFIX_DEL,
		.doit = psmon_nl_prefix_del,
		.policy = psmon_prefix_del_policy,
		.maxattr = PSMON_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = PSMON_CMD_PREFIX_GET,
		.doit = psmon_nl_prefix_get,
		.start = psmon_nl_prefix_dump_start,
		.dumpit = psmon_nl_prefix_dump,
		.policy = psmon_prefix_get_policy,
		.maxattr = PSMON_A_MAX,
	},
	{
		.cmd = PSMON_CMD_LAG_ACK,
		.doit = psmon_nl_lag_ack,
		.policy = psmon_lag_get_policy,
		.maxattr = PSMON_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		/* No attributes: the core refuses any. */
		.cmd = PSMON_CMD_PREFIX_FLUSH,
		.doit = psmon_nl_prefix_flush,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group psmon_mcgrps[] = {
	{ .name = PSMON_MCGRP_EVENTS },
};

static struct genl_family psmon_family __ro_after_init = {
	.name = PSMON_FAMILY_NAME,
	.version = PSMON_FAMILY_VERSION,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = psmon_ops,
	.n_ops = ARRAY_SIZE(psmon_ops),
	/* Strict validation of every command (header, flags, attributes). */
	.resv_start_op = 0,
	.mcgrps = psmon_mcgrps,
	.n_mcgrps = ARRAY_SIZE(psmon_mcgrps),
};

int psmon_genl_init(void)
{
	int err;

	/* The largest objects fit their 16-bit top-level attribute. */
	BUILD_BUG_ON(PSMON_PREFIX_ROOM +
		     PSMON_MAX_LAGS * PSMON_PREFIX_LAG_ROOM > U16_MAX);
	BUILD_BUG_ON(PSMON_LAG_ROOM +
		     PSMON_MAX_MEMBERS * PSMON_MEMBER_ROOM > U16_MAX);

	err = genl_register_family(&psmon_family);

	if (!err) {
		mutex_lock(&psmon_ntf_lock);
		psmon_ntf_live = true;
		mutex_unlock(&psmon_ntf_lock);
	}
	return err;
}

void psmon_genl_exit(void)
{
	/* Samplers still run until the namespaces' exit: keep them quiet. */
	mutex_lock(&psmon_ntf_lock);
	psmon_ntf_live = false;
	mutex_unlock(&psmon_ntf_lock);
	genl_unregister_family(&psmon_family);
}
