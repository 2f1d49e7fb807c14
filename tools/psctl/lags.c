// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/psmon.h>

#include "lags.h"

#define LAG_MSG_SIZE	256

static const enum mnl_attr_data_type lag_types[PSMON_A_LAG_MAX + 1] = {
	[PSMON_A_LAG_IFINDEX] = MNL_TYPE_U32,
	[PSMON_A_LAG_IFNAME] = MNL_TYPE_NUL_STRING,
	[PSMON_A_LAG_KIND] = MNL_TYPE_U32,
	[PSMON_A_LAG_CAPACITY] = MNL_TYPE_U64,
	[PSMON_A_LAG_CAPACITY_AUTO] = MNL_TYPE_U8,
	[PSMON_A_LAG_THRESHOLD] = MNL_TYPE_U8,
	[PSMON_A_LAG_CLEAR] = MNL_TYPE_U8,
	[PSMON_A_LAG_WINDOW] = MNL_TYPE_U32,
	[PSMON_A_LAG_MEMBER] = MNL_TYPE_NESTED,
	[PSMON_A_LAG_RX_PACKETS] = MNL_TYPE_U64,
	[PSMON_A_LAG_RX_BYTES] = MNL_TYPE_U64,
	[PSMON_A_LAG_TX_PACKETS] = MNL_TYPE_U64,
	[PSMON_A_LAG_TX_BYTES] = MNL_TYPE_U64,
	[PSMON_A_LAG_UNMATCHED_RX_PACKETS] = MNL_TYPE_U64,
	[PSMON_A_LAG_UNMATCHED_RX_BYTES] = MNL_TYPE_U64,
	[PSMON_A_LAG_UNMATCHED_TX_PACKETS] = MNL_TYPE_U64,
	[PSMON_A_LAG_UNMATCHED_TX_BYTES] = MNL_TYPE_U64,
	[PSMON_A_LAG_RX_BPS] = MNL_TYPE_U64,
	[PSMON_A_LAG_TX_BPS] = MNL_TYPE_U64,
	[PSMON_A_LAG_RX_UTIL] = MNL_TYPE_U32,
	[PSMON_A_LAG_TX_UTIL] = MNL_TYPE_U32,
	[PSMON_A_LAG_N1_CAPACITY] = MNL_TYPE_U64,
	[PSMON_A_LAG_ALERT] = MNL_TYPE_U8,
	[PSMON_A_LAG_ALERT_SINCE] = MNL_TYPE_U64,
	[PSMON_A_LAG_PEAK_UTIL] = MNL_TYPE_U32,
	[PSMON_A_LAG_SAMPLES] = MNL_TYPE_U32,
	[PSMON_A_LAG_MODE] = MNL_TYPE_NUL_STRING,
	[PSMON_A_LAG_ACTIVE_CAPACITY] = MNL_TYPE_U64,
	[PSMON_A_LAG_ACTIVE_RX_UTIL] = MNL_TYPE_U32,
	[PSMON_A_LAG_ACTIVE_TX_UTIL] = MNL_TYPE_U32,
	[PSMON_A_LAG_DEGRADED] = MNL_TYPE_U8,
	[PSMON_A_LAG_HOOK_RX_BPS] = MNL_TYPE_U64,
	[PSMON_A_LAG_HOOK_TX_BPS] = MNL_TYPE_U64,
	[PSMON_A_LAG_IF_RX_PACKETS] = MNL_TYPE_U64,
	[PSMON_A_LAG_IF_RX_BYTES] = MNL_TYPE_U64,
	[PSMON_A_LAG_IF_TX_PACKETS] = MNL_TYPE_U64,
	[PSMON_A_LAG_IF_TX_BYTES] = MNL_TYPE_U64,
	[PSMON_A_LAG_OVERLOAD] = MNL_TYPE_U8,
};

static const enum mnl_attr_data_type member_types[PSMON_A_MEMBER_MAX + 1] = {
	[PSMON_A_MEMBER_IFINDEX] = MNL_TYPE_U32,
	[PSMON_A_MEMBER_IFNAME] = MNL_TYPE_NUL_STRING,
	[PSMON_A_MEMBER_SPEED] = MNL_TYPE_U32,
	[PSMON_A_MEMBER_UP] = MNL_TYPE_U8,
	[PSMON_A_MEMBER_RX_PACKETS] = MNL_TYPE_U64,
	[PSMON_A_MEMBER_RX_BYTES] = MNL_TYPE_U64,
	[PSMON_A_MEMBER_TX_PACKETS] = MNL_TYPE_U64,
	[PSMON_A_MEMBER_TX_BYTES] = MNL_TYPE_U64,
	[PSMON_A_MEMBER_RX_BPS] = MNL_TYPE_U64,
	[PSMON_A_MEMBER_TX_BPS] = MNL_TYPE_U64,
	[PSMON_A_MEMBER_ACTIVE] = MNL_TYPE_U8,
	[PSMON_A_MEMBER_INACTIVE] = MNL_TYPE_U32,
	[PSMON_A_MEMBER_IF_RX_PACKETS] = MNL_TYPE_U64,
	[PSMON_A_MEMBER_IF_RX_BYTES] = MNL_TYPE_U64,
	[PSMON_A_MEMBER_IF_TX_PACKETS] = MNL_TYPE_U64,
	[PSMON_A_MEMBER_IF_TX_BYTES] = MNL_TYPE_U64,
	[PSMON_A_MEMBER_HOOK_RX_BPS] = MNL_TYPE_U64,
	[PSMON_A_MEMBER_HOOK_TX_BPS] = MNL_TYPE_U64,
};

static const enum mnl_attr_data_type top_types[PSMON_A_MAX + 1] = {
	[PSMON_A_LAG] = MNL_TYPE_NESTED,
	[PSMON_A_PREFIX] = MNL_TYPE_NESTED,
};

static uint64_t get_u64(const struct nlattr *a)
{
	return a ? mnl_attr_get_u64(a) : 0;
}

static uint32_t get_u32(const struct nlattr *a)
{
	return a ? mnl_attr_get_u32(a) : 0;
}

static uint8_t get_u8(const struct nlattr *a)
{
	return a ? mnl_attr_get_u8(a) : 0;
}

const char *lag_kind_name(uint32_t kind)
{
	switch (kind) {
	case PSMON_LAG_KIND_SINGLE:
		return "single";
	case PSMON_LAG_KIND_BOND:
		return "bond";
	case PSMON_LAG_KIND_TEAM:
		return "team";
	}
	return "unknown";
}

const char *member_inactive_name(uint32_t why)
{
	switch (why) {
	case PSMON_INACTIVE_NONE:
		return "active";
	case PSMON_INACTIVE_DOWN:
		return "down";
	case PSMON_INACTIVE_BACKUP:
		return "backup";
	case PSMON_INACTIVE_NOT_AGGREGATED:
		return "not aggregated";
	case PSMON_INACTIVE_DISABLED:
		return "disabled";
	}
	return "inactive";
}

uint32_t util_ppm(uint64_t bps, uint64_t capacity)
{
#ifdef __SIZEOF_INT128__
	unsigned __int128 v;

	if (!capacity)
		return 0;
	v = (unsigned __int128)bps * 1000000 / capacity;
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
#else
	long double v;

	if (!capacity)
		return 0;
	v = (long double)bps * 1000000 / capacity;
	return v >= UINT32_MAX ? UINT32_MAX : (uint32_t)v;
#endif
}

uint32_t lag_util(const struct lag_info *l)
{
	return l->rx_util > l->tx_util ? l->rx_util : l->tx_util;
}

uint32_t lag_active_util(const struct lag_info *l)
{
	return l->active_rx_util > l->active_tx_util ? l->active_rx_util :
						       l->active_tx_util;
}

bool member_util(const struct lag_member *m, uint64_t bps, uint32_t *ppm)
{
	if (!m->speed || !m->has_rates)
		return false;
	*ppm = util_ppm(bps, (uint64_t)m->speed * 1000000);
	return true;
}

/* A kernel string into a fixed buffer; -EBADMSG when it does not fit. */
static int copy_name(char *dst, const struct nlattr *a)
{
	const char *s = mnl_attr_get_str(a);
	size_t len = strlen(s);

	if (!len || len >= LAG_DEVLEN)
		return -EBADMSG;
	memcpy(dst, s, len + 1);
	return 0;
}

static int parse_member(const struct nlattr *nest, struct lag_member *m)
{
	const struct nlattr *tb[PSMON_A_MEMBER_MAX + 1] = { NULL };

	memset(m, 0, sizeof(*m));
	if (nl_parse(NULL, nest, member_types, PSMON_A_MEMBER_MAX, tb) ||
	    !tb[PSMON_A_MEMBER_IFNAME])
		return -EBADMSG;
	if (copy_name(m->dev, tb[PSMON_A_MEMBER_IFNAME]))
		return -EBADMSG;
	m->speed = get_u32(tb[PSMON_A_MEMBER_SPEED]);
	m->up = get_u8(tb[PSMON_A_MEMBER_UP]);
	m->c.rx_packets = get_u64(tb[PSMON_A_MEMBER_RX_PACKETS]);
	m->c.rx_bytes = get_u64(tb[PSMON_A_MEMBER_RX_BYTES]);
	m->c.tx_packets = get_u64(tb[PSMON_A_MEMBER_TX_PACKETS]);
	m->c.tx_bytes = get_u64(tb[PSMON_A_MEMBER_TX_BYTES]);
	m->has_rates = tb[PSMON_A_MEMBER_RX_BPS] || tb[PSMON_A_MEMBER_TX_BPS];
	m->rx_bps = get_u64(tb[PSMON_A_MEMBER_RX_BPS]);
	m->tx_bps = get_u64(tb[PSMON_A_MEMBER_TX_BPS]);
	m->has_state = tb[PSMON_A_MEMBER_ACTIVE] != NULL;
	m->active = m->has_state ? get_u8(tb[PSMON_A_MEMBER_ACTIVE]) : m->up;
	m->inactive = get_u32(tb[PSMON_A_MEMBER_INACTIVE]);
	m->ifc.rx_packets = get_u64(tb[PSMON_A_MEMBER_IF_RX_PACKETS]);
	m->ifc.rx_bytes = get_u64(tb[PSMON_A_MEMBER_IF_RX_BYTES]);
	m->ifc.tx_packets = get_u64(tb[PSMON_A_MEMBER_IF_TX_PACKETS]);
	m->ifc.tx_bytes = get_u64(tb[PSMON_A_MEMBER_IF_TX_BYTES]);
	m->hook_rx_bps = get_u64(tb[PSMON_A_MEMBER_HOOK_RX_BPS]);
	m->hook_tx_bps = get_u64(tb[PSMON_A_MEMBER_HOOK_TX_BPS]);
	return 0;
}

static int parse_members(const struct nlattr *nest, struct lag_info *l)
{
	const struct nlattr *a;
	size_t n = 0;
	int ret;

	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) == PSMON_A_LAG_MEMBER)
			n++;
	if (!n)
		return 0;
	l->members = calloc(n, sizeof(*l->members));
	if (!l->members)
		return -ENOMEM;
	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) != PSMON_A_LAG_MEMBER)
			continue;
		ret = parse_member(a, &l->members[l->nmembers]);
		if (ret)
			return ret;
		l->nmembers++;
	}
	return 0;
}

static int parse_lag(const struct nlattr *nest, struct lag_info *l)
{
	const struct nlattr *tb[PSMON_A_LAG_MAX + 1] = { NULL };

	if (nl_parse(NULL, nest, lag_types, PSMON_A_LAG_MAX, tb) ||
	    !tb[PSMON_A_LAG_IFNAME])
		return -EBADMSG;
	if (copy_name(l->dev, tb[PSMON_A_LAG_IFNAME]))
		return -EBADMSG;
	l->kind = get_u32(tb[PSMON_A_LAG_KIND]);
	l->capacity = get_u64(tb[PSMON_A_LAG_CAPACITY]);
	l->capacity_auto = get_u8(tb[PSMON_A_LAG_CAPACITY_AUTO]);
	l->threshold = get_u8(tb[PSMON_A_LAG_THRESHOLD]);
	l->clear = get_u8(tb[PSMON_A_LAG_CLEAR]);
	l->window = get_u32(tb[PSMON_A_LAG_WINDOW]);
	l->c.rx_packets = get_u64(tb[PSMON_A_LAG_RX_PACKETS]);
	l->c.rx_bytes = get_u64(tb[PSMON_A_LAG_RX_BYTES]);
	l->c.tx_packets = get_u64(tb[PSMON_A_LAG_TX_PACKETS]);
	l->c.tx_bytes = get_u64(tb[PSMON_A_LAG_TX_BYTES]);
	l->unmatched.rx_packets = get_u64(tb[PSMON_A_LAG_UNMATCHED_RX_PACKETS]);
	l->unmatched.rx_bytes = get_u64(tb[PSMON_A_LAG_UNMATCHED_RX_BYTES]);
	l->unmatched.tx_packets = get_u64(tb[PSMON_A_LAG_UNMATCHED_TX_PACKETS]);
	l->unmatched.tx_bytes = get_u64(tb[PSMON_A_LAG_UNMATCHED_TX_BYTES]);

	l->has_rates = tb[PSMON_A_LAG_RX_UTIL] && tb[PSMON_A_LAG_TX_UTIL];
	l->rx_bps = get_u64(tb[PSMON_A_LAG_RX_BPS]);
	l->tx_bps = get_u64(tb[PSMON_A_LAG_TX_BPS]);
	l->rx_util = get_u32(tb[PSMON_A_LAG_RX_UTIL]);
	l->tx_util = get_u32(tb[PSMON_A_LAG_TX_UTIL]);
	l->n1_capacity = get_u64(tb[PSMON_A_LAG_N1_CAPACITY]);
	l->alert = get_u8(tb[PSMON_A_LAG_ALERT]);
	l->alert_since = get_u64(tb[PSMON_A_LAG_ALERT_SINCE]);
	l->peak = get_u32(tb[PSMON_A_LAG_PEAK_UTIL]);
	l->samples = get_u32(tb[PSMON_A_LAG_SAMPLES]);

	l->has_state = tb[PSMON_A_LAG_ACTIVE_CAPACITY] != NULL;
	if (tb[PSMON_A_LAG_MODE])
		snprintf(l->mode, sizeof(l->mode), "%s",
			 mnl_attr_get_str(tb[PSMON_A_LAG_MODE]));
	l->active_capacity = l->has_state ?
		get_u64(tb[PSMON_A_LAG_ACTIVE_CAPACITY]) : l->capacity;
	l->active_rx_util = l->has_state ?
		get_u32(tb[PSMON_A_LAG_ACTIVE_RX_UTIL]) : l->rx_util;
	l->active_tx_util = l->has_state ?
		get_u32(tb[PSMON_A_LAG_ACTIVE_TX_UTIL]) : l->tx_util;
	l->degraded = get_u8(tb[PSMON_A_LAG_DEGRADED]);
	l->overload = get_u8(tb[PSMON_A_LAG_OVERLOAD]);
	l->hook_rx_bps = get_u64(tb[PSMON_A_LAG_HOOK_RX_BPS]);
	l->hook_tx_bps = get_u64(tb[PSMON_A_LAG_HOOK_TX_BPS]);
	l->ifc.rx_packets = get_u64(tb[PSMON_A_LAG_IF_RX_PACKETS]);
	l->ifc.rx_bytes = get_u64(tb[PSMON_A_LAG_IF_RX_BYTES]);
	l->ifc.tx_packets = get_u64(tb[PSMON_A_LAG_IF_TX_PACKETS]);
	l->ifc.tx_bytes = get_u64(tb[PSMON_A_LAG_IF_TX_BYTES]);

	return parse_members(nest, l);
}

static int fetch_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[PSMON_A_MAX + 1] = { NULL };
	struct lag_list *list = data;
	struct lag_info *v;
	int ret;

	if (nl_parse(nlh, NULL, top_types, PSMON_A_MAX, tb) || !tb[PSMON_A_LAG])
		return -EBADMSG;
	v = realloc(list->v, (list->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	list->v = v;
	memset(&v[list->n], 0, sizeof(*v));
	/* Counted even when it fails, so that lags_free() frees its members. */
	ret = parse_lag(tb[PSMON_A_LAG], &v[list->n++]);
	return ret;
}

int lags_fetch(struct nl *nl, const char *dev, struct lag_list *list)
{
	char buf[LAG_MSG_SIZE];
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	if (dev) {
		nlh = nl_msg_start(nl, buf, PSMON_CMD_LAG_GET, 0);
		nest = mnl_attr_nest_start(nlh, PSMON_A_LAG);
		mnl_attr_put_strz(nlh, PSMON_A_LAG_IFNAME, dev);
		mnl_attr_nest_end(nlh, nest);
	} else {
		nlh = nl_msg_start(nl, buf, PSMON_CMD_LAG_GET, NLM_F_DUMP);
	}
	return nl_request(nl, nlh, fetch_cb, list);
}

void lags_free(struct lag_list *list)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		free(list->v[i].members);
	free(list->v);
	list->v = NULL;
	list->n = 0;
}
