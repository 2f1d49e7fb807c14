// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "psctl.h"
#include "ptable.h"

static void clear(struct ptable *t)
{
	t->n = 0;
	t->nlags = 0;
}

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 256;
	p = realloc(*v, ncap * size);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = ncap;
	return 0;
}

static uint64_t get_u64(const struct nlattr *a)
{
	return a ? mnl_attr_get_u64(a) : 0;
}

static int entry_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[PSMON_A_PREFIX_MAX + 1] = { NULL };
	const struct nlattr *lt[PSMON_A_PREFIX_LAG_MAX + 1];
	const struct nlattr *a, *nest;
	struct ptable *t = data;
	struct ptable_entry *e;
	struct ptable_lag *l;

	if (grow((void **)&t->v, &t->cap, t->n, sizeof(*t->v)))
		return -ENOMEM;
	e = &t->v[t->n];
	memset(e, 0, sizeof(*e));
	if (psctl_prefix_reply(nlh, tb, &nest, &e->p))
		return -EBADMSG;
	if (tb[PSMON_A_PREFIX_NAME])
		snprintf(e->name, sizeof(e->name), "%s",
			 mnl_attr_get_str(tb[PSMON_A_PREFIX_NAME]));
	e->first = t->nlags;
	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) != PSMON_A_PREFIX_LAG)
			continue;
		if (psctl_prefix_lag(a, lt))
			return -EBADMSG;
		if (grow((void **)&t->lags, &t->lags_cap, t->nlags,
			 sizeof(*t->lags)))
			return -ENOMEM;
		l = &t->lags[t->nlags++];
		snprintf(l->dev, sizeof(l->dev), "%s",
			 mnl_attr_get_str(lt[PSMON_A_PREFIX_LAG_IFNAME]));
		l->c.rx_packets = get_u64(lt[PSMON_A_PREFIX_LAG_RX_PACKETS]);
		l->c.rx_bytes = get_u64(lt[PSMON_A_PREFIX_LAG_RX_BYTES]);
		l->c.tx_packets = get_u64(lt[PSMON_A_PREFIX_LAG_TX_PACKETS]);
		l->c.tx_bytes = get_u64(lt[PSMON_A_PREFIX_LAG_TX_BYTES]);
		e->nlags++;
	}
	t->n++;
	return 0;
}

int ptable_fetch(struct nl *nl, struct ptable *t)
{
	char buf[256];
	struct nlmsghdr *nlh;
	int ret;

	clear(t);
	nlh = nl_msg_start(nl, buf, PSMON_CMD_PREFIX_GET, NLM_F_DUMP);
	ret = nl_request(nl, nlh, entry_cb, t);
	if (ret)
		clear(t);
	return ret;
}

void ptable_free(struct ptable *t)
{
	free(t->v);
	free(t->lags);
	memset(t, 0, sizeof(*t));
}

const struct ptable_lag *ptable_lag(const struct ptable *t,
				    const struct ptable_entry *e,
				    const char *dev)
{
	size_t i;

	for (i = e->first; i < e->first + e->nlags; i++)
		if (!strcmp(t->lags[i].dev, dev))
			return &t->lags[i];
	return NULL;
}

bool ptable_busy(const struct lag_counters *c)
{
	return c->rx_packets || c->rx_bytes || c->tx_packets || c->tx_bytes;
}

static bool contains(const struct psctl_prefix *p,
		     const struct psctl_prefix *addr)
{
	unsigned int full = p->plen / 8, rest = p->plen % 8;

	if (p->family != addr->family || p->plen > addr->plen)
		return false;
	if (memcmp(p->addr, addr->addr, full))
		return false;
	if (!rest)
		return true;
	return !((p->addr[full] ^ addr->addr[full]) & (0xff00 >> rest));
}

const struct ptable_entry *ptable_match(const struct ptable *t,
					const struct psctl_prefix *addr)
{
	const struct ptable_entry *best = NULL;
	size_t i;

	for (i = 0; i < t->n; i++)
		if (contains(&t->v[i].p, addr) &&
		    (!best || t->v[i].p.plen > best->p.plen))
			best = &t->v[i];
	return best;
}
