// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in for psmon.ko's generic netlink family, for testing psctl
 * without the module: preloaded (LD_PRELOAD=tests/fakenl.so), it takes over
 * psctl's NETLINK_GENERIC socket and answers like the kernel does, with
 * extended acks (message and offset), capped acks, all-or-nothing
 * PREFIX_NEW and dumps spread over several datagrams.
 *
 * Environment:
 *   FAKE_PSMON=1            the family exists (else: module not loaded)
 *   FAKE_PSMON_STATE=FILE   keep the LAGs and prefixes in FILE between runs
 *   FAKE_PSMON_LOG=FILE     append one line per request: cmd, flags, prefixes
 *   FAKE_PSMON_MAX=N        refuse more than N prefixes (ENOSPC)
 *   FAKE_PSMON_NOOFFS=1     no NLMSGERR_ATTR_OFFS in PREFIX_NEW refusals
 *   FAKE_PSMON_NOCAP=1      ignore NETLINK_CAP_ACK (the request is echoed)
 *   FAKE_PSMON_DGRAM=N      largest dump datagram (default 8192)
 *   FAKE_PSMON_INTR=N       the first N dumps say NLM_F_DUMP_INTR
 *   FAKE_PSMON_EPERM=1      refuse every psmon request with EPERM
 *   FAKE_PSMON_BUSY=N       only the first N prefixes carry traffic, at
 *                           rates that grow with the index (busy_counters)
 *   FAKE_PSMON_INTR=N       the first N prefix dumps are interrupted
 *   FAKE_PSMON_DEGRADED=DEV[,DEV...]
 *                           those LAGs are degraded: member m3 is up but
 *                           not in the active aggregator
 *   FAKE_PSMON_EVENTS=FILE  what happens while psctl waits in ppoll(), one
 *                           line each (for psctl monitor):
 *       alert|clear DEV rx|tx PPM TIME [SINCE]
 *       imbalance|imbalance-clear DEV rx|tx PPM TIME MEMBER
 *       unload              the family goes away (CTRL_CMD_DELFAMILY)
 *       load                it comes back with new ids (CTRL_CMD_NEWFAMILY)
 *       wait SECONDS        nothing happens for a while
 *     After the last line nothing happens until a signal arrives.
 *
 * The state file holds one line per LAG, "lag DEV CAPACITY AUTO THRESHOLD
 * CLEAR WINDOW [RX_BPS TX_BPS ALERT_SINCE PEAK_PPM]", and one per prefix;
 * tests edit it to set the traffic. Utilisation is computed from the
 * rates as the module does; a LAG at or above its threshold gets a
 * crossing time (now) when it has none.
 *
 * Members: m1 (10G, up), m2 (speed unknown, down), m3 (10G, up); an 802.3ad
 * bond whose active members are those up, but for m3 in a degraded LAG.
 * The active capacity is the active members' share of the capacity.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/psmon.h>

#define PORTID		4242
#define NOTIFY_GROUP	GENL_ID_CTRL	/* the controller's "notify" group */
#define MSG_MAX		4096
#define HASH_SIZE	(1u << 20)

/* ---- datagram queue ---------------------------------------------------- */

struct dgram {
	struct dgram *next;
	size_t len;
	char data[];
};

static struct dgram *q_head, **q_tail = &q_head;
static int fake_fd = -1;
static bool ext_ack, cap_ack;

/* The family's ids change when it is loaded again, as in the kernel. */
static uint16_t family_id = 0x42;
static uint32_t events_group = 5;
static int loaded = -1;		/* -1: as FAKE_PSMON says */
static bool joined_events, joined_notify;

static bool family_loaded(void)
{
	if (loaded < 0)
		loaded = getenv("FAKE_PSMON") != NULL;
	return loaded;
}

static void enqueue(const void *data, size_t len)
{
	struct dgram *d = malloc(sizeof(*d) + len);

	if (!d)
		abort();
	d->next = NULL;
	d->len = len;
	memcpy(d->data, data, len);
	*q_tail = d;
	q_tail = &d->next;
}

static void dequeue(void)
{
	struct dgram *d = q_head;

	q_head = d->next;
	if (!q_head)
		q_tail = &q_head;
	free(d);
}

/* ---- state ------------------------------------------------------------- */

struct fprefix {
	uint8_t family, plen;
	uint8_t addr[16];
	bool has_name;
	char name[PSMON_NAME_SIZE];
};

struct flag {
	char dev[16];
	uint64_t capacity;
	bool cap_auto;
	uint8_t threshold, clear;
	uint32_t window;
	uint64_t rx_bps, tx_bps;
	uint64_t alert_since;
	uint32_t peak;
};

static struct fprefix *prefixes;
static size_t nprefixes, prefix_cap;
static int32_t *hash;		/* index + 1, 0 = empty */
static struct flag lags[16];
static size_t nlags;
static bool state_loaded, dirty;

static unsigned int addrlen(uint8_t family)
{
	return family == AF_INET ? 4 : 16;
}

static uint32_t prefix_hash(const struct fprefix *p)
{
	uint32_t h = 2166136261u;
	unsigned int i;

	h = (h ^ p->family) * 16777619u;
	h = (h ^ p->plen) * 16777619u;
	for (i = 0; i < 16; i++)
		h = (h ^ p->addr[i]) * 16777619u;
	return h & (HASH_SIZE - 1);
}

static bool same(const struct fprefix *a, const struct fprefix *b)
{
	return a->family == b->family && a->plen == b->plen &&
	       !memcmp(a->addr, b->addr, 16);
}

static long find_prefix(const struct fprefix *p)
{
	uint32_t h = prefix_hash(p);

	for (; hash[h]; h = (h + 1) & (HASH_SIZE - 1))
		if (same(&prefixes[hash[h] - 1], p))
			return hash[h] - 1;
	return -1;
}

static void hash_insert(size_t idx)
{
	uint32_t h = prefix_hash(&prefixes[idx]);

	while (hash[h])
		h = (h + 1) & (HASH_SIZE - 1);
	hash[h] = (int32_t)idx + 1;
}

static void add_prefix(const struct fprefix *p)
{
	if (nprefixes == prefix_cap) {
		prefix_cap = prefix_cap ? 2 * prefix_cap : 1024;
		prefixes = realloc(prefixes, prefix_cap * sizeof(*prefixes));
		if (!prefixes)
			abort();
	}
	prefixes[nprefixes] = *p;
	hash_insert(nprefixes++);
}

static void rehash(void)
{
	size_t i;

	memset(hash, 0, HASH_SIZE * sizeof(*hash));
	for (i = 0; i < nprefixes; i++)
		hash_insert(i);
}

static void load_state(void)
{
	const char *file = getenv("FAKE_PSMON_STATE");
	char line[256], name[PSMON_NAME_SIZE], addr[64];
	struct fprefix p;
	struct flag l;
	unsigned int plen, cap_auto, thr, clr, win, peak;
	unsigned long long capacity, rx, tx, since;
	FILE *f;
	int n;

	if (state_loaded)
		return;
	state_loaded = true;
	hash = calloc(HASH_SIZE, sizeof(*hash));
	if (!hash)
		abort();
	if (!file || !(f = fopen(file, "r")))
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "prefix %63s %u %63s", addr, &plen, name) == 3) {
			memset(&p, 0, sizeof(p));
			p.family = strchr(addr, ':') ? AF_INET6 : AF_INET;
			inet_pton(p.family, addr, p.addr);
			p.plen = (uint8_t)plen;
			p.has_name = strcmp(name, "-") != 0;
			if (p.has_name)
				snprintf(p.name, sizeof(p.name), "%s", name);
			add_prefix(&p);
		} else if ((n = sscanf(line, "lag %15s %llu %u %u %u %u %llu %llu %llu %u",
				       l.dev, &capacity, &cap_auto, &thr, &clr, &win,
				       &rx, &tx, &since, &peak)) >= 6 && nlags < 16) {
			if (n < 10) {
				rx = tx = since = 0;
				peak = 0;
			}
			l.rx_bps = rx;
			l.tx_bps = tx;
			l.alert_since = since;
			l.peak = peak;
			l.capacity = capacity;
			l.cap_auto = cap_auto;
			l.threshold = (uint8_t)thr;
			l.clear = (uint8_t)clr;
			l.window = win;
			lags[nlags++] = l;
		}
	}
	fclose(f);
}

static void save_state(void)
{
	const char *file = getenv("FAKE_PSMON_STATE");
	char addr[INET6_ADDRSTRLEN], tmp[4096];
	FILE *f;
	size_t i;

	/* Written aside and renamed: tests run psctl in parallel. */
	if (!file || !dirty)
		return;
	snprintf(tmp, sizeof(tmp), "%s.%d", file, (int)getpid());
	if (!(f = fopen(tmp, "w")))
		return;
	for (i = 0; i < nlags; i++)
		fprintf(f, "lag %s %llu %u %u %u %u %llu %llu %llu %u\n", lags[i].dev,
			(unsigned long long)lags[i].capacity, lags[i].cap_auto,
			lags[i].threshold, lags[i].clear, lags[i].window,
			(unsigned long long)lags[i].rx_bps,
			(unsigned long long)lags[i].tx_bps,
			(unsigned long long)lags[i].alert_since, lags[i].peak);
	for (i = 0; i < nprefixes; i++) {
		inet_ntop(prefixes[i].family, prefixes[i].addr, addr, sizeof(addr));
		fprintf(f, "prefix %s %u %s\n", addr, prefixes[i].plen,
			prefixes[i].has_name ? prefixes[i].name : "-");
	}
	fclose(f);
	rename(tmp, file);
}

static const struct nlattr *top_attr(const struct nlmsghdr *req,
				     uint16_t type);

static void log_request(const struct nlmsghdr *nlh, unsigned int cmd,
			unsigned int nprefix)
{
	const char *file = getenv("FAKE_PSMON_LOG");
	FILE *f;

	if (!file || !(f = fopen(file, "a")))
		return;
	fprintf(f, "cmd=%u flags=%#x more=%d prefixes=%u\n", cmd,
		nlh->nlmsg_flags, top_attr(nlh, PSMON_A_MORE) != NULL, nprefix);
	fclose(f);
}

/* ---- replies ----------------------------------------------------------- */

/* NLMSG_ERROR as netlink_ack() builds it; err 0 is the ack. */
static void reply_err(const struct nlmsghdr *req, int err, const char *msg,
		      const void *bad_attr)
{
	static char buf[65536 + 1024];
	bool capped = !err || (cap_ack && !getenv("FAKE_PSMON_NOCAP"));
	size_t payload = sizeof(struct nlmsgerr);
	struct nlmsghdr *nlh;
	struct nlmsgerr *e;

	if (!capped)
		payload += req->nlmsg_len - NLMSG_HDRLEN;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_seq = req->nlmsg_seq;
	nlh->nlmsg_pid = PORTID;
	e = mnl_nlmsg_put_extra_header(nlh, payload);
	e->error = err;
	memcpy(&e->msg, req, capped ? sizeof(*req) : req->nlmsg_len);
	if (capped)
		nlh->nlmsg_flags |= NLM_F_CAPPED;
	if (ext_ack && (msg || (err && bad_attr))) {
		if (msg)
			mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
		if (err && bad_attr)
			mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS,
					 (uint32_t)((const char *)bad_attr -
						    (const char *)req));
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
	}
	enqueue(buf, nlh->nlmsg_len);
}

static void reply_ack(const struct nlmsghdr *req)
{
	if (req->nlmsg_flags & NLM_F_ACK)
		reply_err(req, 0, NULL, NULL);
}

struct dumper {
	const struct nlmsghdr *req;
	char buf[65536];
	size_t len, max;
	bool multi;
	bool intr;		/* flag the dump NLM_F_DUMP_INTR */
};

static void dump_init(struct dumper *d, const struct nlmsghdr *req)
{
	const char *s = getenv("FAKE_PSMON_DGRAM");

	d->req = req;
	d->len = 0;
	d->max = s ? strtoul(s, NULL, 0) : 8192;
	if (d->max > sizeof(d->buf))
		d->max = sizeof(d->buf);
	d->multi = req->nlmsg_flags & NLM_F_DUMP;
	d->intr = false;
	if (d->multi) {
		static int intr_left = -1;

		if (intr_left < 0) {
			s = getenv("FAKE_PSMON_INTR");
			intr_left = s ? atoi(s) : 0;
		}
		if (intr_left > 0) {
			d->intr = true;
			intr_left--;
		}
	}
}

static struct nlmsghdr *msg_start(struct dumper *d, char *buf, uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = family_id;
	nlh->nlmsg_flags = d->multi ? NLM_F_MULTI : 0;
	if (d->intr)
		nlh->nlmsg_flags |= NLM_F_DUMP_INTR;
	nlh->nlmsg_seq = d->req->nlmsg_seq;
	nlh->nlmsg_pid = PORTID;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = PSMON_FAMILY_VERSION;
	return nlh;
}

static void dump_add(struct dumper *d, const struct nlmsghdr *nlh)
{
	if (d->len + nlh->nlmsg_len > d->max) {
		enqueue(d->buf, d->len);
		d->len = 0;
	}
	memcpy(d->buf + d->len, nlh, nlh->nlmsg_len);
	d->len += nlh->nlmsg_len;
}

static void dump_end(struct dumper *d)
{
	char buf[64];
	struct nlmsghdr *nlh;
	int zero = 0;

	if (d->multi) {
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = NLMSG_DONE;
		nlh->nlmsg_flags = NLM_F_MULTI;
		nlh->nlmsg_seq = d->req->nlmsg_seq;
		nlh->nlmsg_pid = PORTID;
		memcpy(mnl_nlmsg_put_extra_header(nlh, sizeof(zero)), &zero,
		       sizeof(zero));
		dump_add(d, nlh);
	}
	if (d->len)
		enqueue(d->buf, d->len);
	if (!d->multi)
		reply_ack(d->req);
}

/* As nla_put_u64_64bit(): a PAD attribute first when misaligned. */
static void put_u64(struct nlmsghdr *nlh, uint16_t type, uint16_t pad,
		    uint64_t v)
{
	static const char nothing[1];

	if ((nlh->nlmsg_len + MNL_ATTR_HDRLEN) % 8)
		mnl_attr_put(nlh, pad, 0, nothing);
	mnl_attr_put_u64(nlh, type, v);
}

/* ---- requests ---------------------------------------------------------- */

/* A controller message about a family: the answer to GETFAMILY, or news. */
static void family_msg(struct nlmsghdr *nlh, uint8_t cmd, bool psmon)
{
	struct genlmsghdr *genl;
	struct nlattr *groups, *g;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_pid = PORTID;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = 2;
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, psmon ? family_id : GENL_ID_CTRL);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME,
			  psmon ? PSMON_FAMILY_NAME : "nlctrl");
	mnl_attr_put_u32(nlh, CTRL_ATTR_VERSION, psmon ? PSMON_FAMILY_VERSION : 2);
	if (cmd == CTRL_CMD_DELFAMILY)
		return;
	groups = mnl_attr_nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
	g = mnl_attr_nest_start(nlh, 1);
	mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID,
			 psmon ? events_group : NOTIFY_GROUP);
	mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME,
			  psmon ? PSMON_MCGRP_EVENTS : "notify");
	mnl_attr_nest_end(nlh, g);
	mnl_attr_nest_end(nlh, groups);
}

static int get_family(const struct nlmsghdr *req)
{
	char buf[MSG_MAX];
	struct nlmsghdr *nlh;
	const struct nlattr *a;
	const char *name = NULL;
	bool psmon;

	mnl_attr_for_each(a, req, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_NAME)
			name = mnl_attr_get_str(a);
	if (!name)
		return -EINVAL;
	psmon = !strcmp(name, PSMON_FAMILY_NAME);
	if ((psmon && !family_loaded()) || (!psmon && strcmp(name, "nlctrl")))
		return -ENOENT;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_seq = req->nlmsg_seq;
	family_msg(nlh, CTRL_CMD_NEWFAMILY, psmon);
	enqueue(buf, nlh->nlmsg_len);
	reply_ack(req);
	return 0;
}

/* Attributes of a nest by type; the last copy wins. */
static void nest_attrs(const struct nlattr *nest, const struct nlattr **tb,
		       unsigned int max)
{
	const struct nlattr *a;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) <= max)
			tb[mnl_attr_get_type(a)] = a;
}

static const struct nlattr *top_attr(const struct nlmsghdr *req, uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, req, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == type)
			return a;
	return NULL;
}

static struct flag *find_lag(const char *dev)
{
	size_t i;

	for (i = 0; i < nlags; i++)
		if (!strcmp(lags[i].dev, dev))
			return &lags[i];
	return NULL;
}

static const struct {
	const char *dev;
	uint32_t speed;
	bool up;
} fake_members[] = {
	{ "m1", 10000, true }, { "m2", 0, false }, { "m3", 10000, true },
};

#define NMEMBERS (sizeof(fake_members) / sizeof(fake_members[0]))

static uint64_t lag_capacity(const struct flag *l)
{
	uint64_t sum = 0;
	unsigned int i;

	if (!l->cap_auto)
		return l->capacity;
	for (i = 0; i < NMEMBERS; i++)
		if (fake_members[i].up)
			sum += fake_members[i].speed * 1000000ULL;
	return sum;
}

static bool degraded(const struct flag *l)
{
	const char *list = getenv("FAKE_PSMON_DEGRADED"), *p;
	size_t n = strlen(l->dev);

	for (p = list; p && *p; p += strcspn(p, ","), p += *p == ',') {
		if (!strncmp(p, l->dev, n) && (p[n] == ',' || !p[n]))
			return true;
	}
	return false;
}

static bool member_active(const struct flag *l, unsigned int i)
{
	return fake_members[i].up && !(i == 2 && degraded(l));
}

static uint32_t member_inactive(const struct flag *l, unsigned int i)
{
	if (!fake_members[i].up)
		return PSMON_INACTIVE_DOWN;
	return member_active(l, i) ? PSMON_INACTIVE_NONE :
				     PSMON_INACTIVE_NOT_AGGREGATED;
}

static uint32_t ppm(uint64_t bps, uint64_t capacity)
{
	unsigned __int128 v;

	if (!capacity)
		return 0;
	v = (unsigned __int128)bps * 1000000 / capacity;
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static void put_lag(struct dumper *d, struct flag *l)
{
	char buf[MSG_MAX];
	struct nlmsghdr *nlh = msg_start(d, buf, PSMON_CMD_LAG_GET);
	uint64_t capacity = lag_capacity(l), n1 = 0, sum = 0, largest = 0;
	uint64_t active_sum = 0, active_cap;
	uint32_t rx_util, tx_util, top, arx, atx;
	unsigned int i, up = 0, active = 0;
	struct nlattr *nest, *m;

	rx_util = ppm(l->rx_bps, capacity);
	tx_util = ppm(l->tx_bps, capacity);
	top = rx_util > tx_util ? rx_util : tx_util;
	if (top > l->peak) {
		l->peak = top;
		dirty = true;
	}
	if (top >= l->threshold * 10000U && !l->alert_since) {
		l->alert_since = (uint64_t)time(NULL);
		dirty = true;
	}
	for (i = 0; i < NMEMBERS; i++) {
		if (!fake_members[i].up)
			continue;
		up++;
		sum += fake_members[i].speed * 1000000ULL;
		if (fake_members[i].speed * 1000000ULL > largest)
			largest = fake_members[i].speed * 1000000ULL;
	}
	if (up >= 2)
		n1 = l->cap_auto ? sum - largest :
		     (uint64_t)((unsigned __int128)capacity * (sum - largest) / sum);
	for (i = 0; i < NMEMBERS; i++) {
		if (!member_active(l, i))
			continue;
		active++;
		active_sum += fake_members[i].speed * 1000000ULL;
	}
	active_cap = !sum ? 0 : l->cap_auto ? active_sum :
		     (uint64_t)((unsigned __int128)capacity * active_sum / sum);
	arx = ppm(l->rx_bps, active_cap);
	atx = ppm(l->tx_bps, active_cap);

	nest = mnl_attr_nest_start(nlh, PSMON_A_LAG);
	mnl_attr_put_u32(nlh, PSMON_A_LAG_IFINDEX, 7);
	mnl_attr_put_strz(nlh, PSMON_A_LAG_IFNAME, l->dev);
	mnl_attr_put_u32(nlh, PSMON_A_LAG_KIND, PSMON_LAG_KIND_BOND);
	put_u64(nlh, PSMON_A_LAG_CAPACITY, PSMON_A_LAG_PAD, capacity);
	mnl_attr_put_u8(nlh, PSMON_A_LAG_CAPACITY_AUTO, l->cap_auto);
	mnl_attr_put_u8(nlh, PSMON_A_LAG_THRESHOLD, l->threshold);
	mnl_attr_put_u8(nlh, PSMON_A_LAG_CLEAR, l->clear);
	mnl_attr_put_u32(nlh, PSMON_A_LAG_WINDOW, l->window);
	put_u64(nlh, PSMON_A_LAG_RX_PACKETS, PSMON_A_LAG_PAD, 1000);
	put_u64(nlh, PSMON_A_LAG_RX_BYTES, PSMON_A_LAG_PAD, 1420000);
	put_u64(nlh, PSMON_A_LAG_TX_PACKETS, PSMON_A_LAG_PAD, 2000);
	put_u64(nlh, PSMON_A_LAG_TX_BYTES, PSMON_A_LAG_PAD, 12897485);
	put_u64(nlh, PSMON_A_LAG_UNMATCHED_RX_PACKETS, PSMON_A_LAG_PAD, 3);
	put_u64(nlh, PSMON_A_LAG_UNMATCHED_RX_BYTES, PSMON_A_LAG_PAD, 426);
	put_u64(nlh, PSMON_A_LAG_UNMATCHED_TX_PACKETS, PSMON_A_LAG_PAD, 0);
	put_u64(nlh, PSMON_A_LAG_UNMATCHED_TX_BYTES, PSMON_A_LAG_PAD, 0);
	put_u64(nlh, PSMON_A_LAG_RX_BPS, PSMON_A_LAG_PAD, l->rx_bps);
	put_u64(nlh, PSMON_A_LAG_TX_BPS, PSMON_A_LAG_PAD, l->tx_bps);
	mnl_attr_put_u32(nlh, PSMON_A_LAG_RX_UTIL, rx_util);
	mnl_attr_put_u32(nlh, PSMON_A_LAG_TX_UTIL, tx_util);
	if (n1)
		put_u64(nlh, PSMON_A_LAG_N1_CAPACITY, PSMON_A_LAG_PAD, n1);
	mnl_attr_put_u8(nlh, PSMON_A_LAG_ALERT, top >= l->threshold * 10000U);
	if (l->alert_since)
		put_u64(nlh, PSMON_A_LAG_ALERT_SINCE, PSMON_A_LAG_PAD,
			l->alert_since);
	mnl_attr_put_u32(nlh, PSMON_A_LAG_PEAK_UTIL, l->peak);
	mnl_attr_put_u32(nlh, PSMON_A_LAG_SAMPLES, l->window);
	mnl_attr_put_strz(nlh, PSMON_A_LAG_MODE, "802.3ad");
	put_u64(nlh, PSMON_A_LAG_ACTIVE_CAPACITY, PSMON_A_LAG_PAD, active_cap);
	mnl_attr_put_u32(nlh, PSMON_A_LAG_ACTIVE_RX_UTIL, arx);
	mnl_attr_put_u32(nlh, PSMON_A_LAG_ACTIVE_TX_UTIL, atx);
	mnl_attr_put_u8(nlh, PSMON_A_LAG_DEGRADED, active_cap < capacity);
	mnl_attr_put_u8(nlh, PSMON_A_LAG_OVERLOAD, active_cap < capacity &&
			(arx > atx ? arx : atx) >= l->threshold * 10000U);
	put_u64(nlh, PSMON_A_LAG_HOOK_RX_BPS, PSMON_A_LAG_PAD, l->rx_bps);
	put_u64(nlh, PSMON_A_LAG_HOOK_TX_BPS, PSMON_A_LAG_PAD, l->tx_bps);
	put_u64(nlh, PSMON_A_LAG_IF_RX_PACKETS, PSMON_A_LAG_PAD, 1000);
	put_u64(nlh, PSMON_A_LAG_IF_RX_BYTES, PSMON_A_LAG_PAD, 1420000);
	put_u64(nlh, PSMON_A_LAG_IF_TX_PACKETS, PSMON_A_LAG_PAD, 2000);
	put_u64(nlh, PSMON_A_LAG_IF_TX_BYTES, PSMON_A_LAG_PAD, 12897485);
	for (i = 0; i < NMEMBERS; i++) {
		m = mnl_attr_nest_start(nlh, PSMON_A_LAG_MEMBER);
		mnl_attr_put_u32(nlh, PSMON_A_MEMBER_IFINDEX, 8 + i);
		mnl_attr_put_strz(nlh, PSMON_A_MEMBER_IFNAME, fake_members[i].dev);
		mnl_attr_put_u32(nlh, PSMON_A_MEMBER_SPEED, fake_members[i].speed);
		mnl_attr_put_u8(nlh, PSMON_A_MEMBER_UP, fake_members[i].up);
		put_u64(nlh, PSMON_A_MEMBER_RX_PACKETS, PSMON_A_MEMBER_PAD, 500);
		put_u64(nlh, PSMON_A_MEMBER_RX_BYTES, PSMON_A_MEMBER_PAD, 710000);
		put_u64(nlh, PSMON_A_MEMBER_TX_PACKETS, PSMON_A_MEMBER_PAD, 1000);
		put_u64(nlh, PSMON_A_MEMBER_TX_BYTES, PSMON_A_MEMBER_PAD, 6448742);
		/* The traffic spreads evenly over the active members. */
		put_u64(nlh, PSMON_A_MEMBER_RX_BPS, PSMON_A_MEMBER_PAD,
			member_active(l, i) ? l->rx_bps / active : 0);
		put_u64(nlh, PSMON_A_MEMBER_TX_BPS, PSMON_A_MEMBER_PAD,
			member_active(l, i) ? l->tx_bps / active : 0);
		mnl_attr_put_u8(nlh, PSMON_A_MEMBER_ACTIVE, member_active(l, i));
		mnl_attr_put_u32(nlh, PSMON_A_MEMBER_INACTIVE, member_inactive(l, i));
		put_u64(nlh, PSMON_A_MEMBER_IF_RX_PACKETS, PSMON_A_MEMBER_PAD, 500);
		put_u64(nlh, PSMON_A_MEMBER_IF_RX_BYTES, PSMON_A_MEMBER_PAD, 710000);
		put_u64(nlh, PSMON_A_MEMBER_IF_TX_PACKETS, PSMON_A_MEMBER_PAD, 1000);
		put_u64(nlh, PSMON_A_MEMBER_IF_TX_BYTES, PSMON_A_MEMBER_PAD, 6448742);
		put_u64(nlh, PSMON_A_MEMBER_HOOK_RX_BPS, PSMON_A_MEMBER_PAD,
			member_active(l, i) ? l->rx_bps / active : 0);
		put_u64(nlh, PSMON_A_MEMBER_HOOK_TX_BPS, PSMON_A_MEMBER_PAD,
			member_active(l, i) ? l->tx_bps / active : 0);
		mnl_attr_nest_end(nlh, m);
	}
	/* An attribute from a newer kernel, to be ignored. */
	mnl_attr_put_u32(nlh, PSMON_A_LAG_MAX + 5, 1);
	mnl_attr_nest_end(nlh, nest);
	dump_add(d, nlh);
}

static int lag_cmd(const struct nlmsghdr *req, uint8_t cmd)
{
	const struct nlattr *tb[PSMON_A_LAG_MAX + 1];
	const struct nlattr *nest = top_attr(req, PSMON_A_LAG);
	struct dumper *d;
	struct flag n, *l = NULL;
	const char *dev;
	size_t i;

	if (cmd == PSMON_CMD_LAG_GET && (req->nlmsg_flags & NLM_F_DUMP)) {
		d = malloc(sizeof(*d));
		if (!d)
			abort();
		dump_init(d, req);
		for (i = 0; i < nlags; i++)
			put_lag(d, &lags[i]);
		dump_end(d);
		free(d);
		return 0;
	}
	if (!nest) {
		reply_err(req, -EINVAL, "missing LAG attributes", NULL);
		return 1;
	}
	nest_attrs(nest, tb, PSMON_A_LAG_MAX);
	if (!tb[PSMON_A_LAG_IFNAME]) {
		reply_err(req, -EINVAL, "missing IFNAME", nest);
		return 1;
	}
	dev = mnl_attr_get_str(tb[PSMON_A_LAG_IFNAME]);
	if (!strncmp(dev, "nosuch", 6)) {
		reply_err(req, -ENODEV, "no such device", tb[PSMON_A_LAG_IFNAME]);
		return 1;
	}
	l = find_lag(dev);
	if (cmd == PSMON_CMD_LAG_NEW && l) {
		reply_err(req, -EEXIST, "psmon already counts on this LAG",
			  tb[PSMON_A_LAG_IFNAME]);
		return 1;
	}
	if (cmd != PSMON_CMD_LAG_NEW && !l) {
		reply_err(req, -ENOENT, "psmon does not count on this device",
			  tb[PSMON_A_LAG_IFNAME]);
		return 1;
	}
	if (cmd == PSMON_CMD_LAG_GET) {
		d = malloc(sizeof(*d));
		if (!d)
			abort();
		dump_init(d, req);
		put_lag(d, l);
		dump_end(d);
		free(d);
		return 0;
	}
	if (cmd == PSMON_CMD_LAG_DEL) {
		*l = lags[--nlags];
		reply_ack(req);
		return 0;
	}
	if (cmd == PSMON_CMD_LAG_ACK) {
		l->alert_since = 0;
		l->peak = 0;
		reply_ack(req);
		return 0;
	}

	if (cmd == PSMON_CMD_LAG_NEW) {
		memset(&n, 0, sizeof(n));
		snprintf(n.dev, sizeof(n.dev), "%s", dev);
		n.cap_auto = true;
		n.threshold = 40;
		n.clear = 35;
		n.window = 300;
		n.rx_bps = n.tx_bps = n.alert_since = 0;
		n.peak = 0;
	} else {
		n = *l;
	}
	if (tb[PSMON_A_LAG_CAPACITY]) {
		n.capacity = mnl_attr_get_u64(tb[PSMON_A_LAG_CAPACITY]);
		n.cap_auto = false;
	}
	if (tb[PSMON_A_LAG_CAPACITY_AUTO])
		n.cap_auto = true;
	if (tb[PSMON_A_LAG_THRESHOLD])
		n.threshold = mnl_attr_get_u8(tb[PSMON_A_LAG_THRESHOLD]);
	if (tb[PSMON_A_LAG_CLEAR])
		n.clear = mnl_attr_get_u8(tb[PSMON_A_LAG_CLEAR]);
	if (tb[PSMON_A_LAG_WINDOW])
		n.window = mnl_attr_get_u32(tb[PSMON_A_LAG_WINDOW]);
	if (n.clear >= n.threshold) {
		reply_err(req, -EINVAL, "clear must be below threshold",
			  tb[PSMON_A_LAG_CLEAR] ? tb[PSMON_A_LAG_CLEAR] :
						   tb[PSMON_A_LAG_THRESHOLD]);
		return 1;
	}
	if (l)
		*l = n;
	else if (nlags < 16)
		lags[nlags++] = n;
	reply_ack(req);
	return 0;
}

/* Check one PSMON_A_PREFIX nest as the kernel does. */
static int parse_fprefix(const struct nlmsghdr *req, const struct nlattr *nest,
			 struct fprefix *p, bool need_key_only)
{
	const struct nlattr *tb[PSMON_A_PREFIX_MAX + 1];
	unsigned int i, n;

	memset(p, 0, sizeof(*p));
	nest_attrs(nest, tb, PSMON_A_PREFIX_MAX);
	if (!tb[PSMON_A_PREFIX_FAMILY] || !tb[PSMON_A_PREFIX_ADDR] ||
	    !tb[PSMON_A_PREFIX_PLEN]) {
		reply_err(req, -EINVAL, "missing prefix attributes", nest);
		return -1;
	}
	p->family = mnl_attr_get_u8(tb[PSMON_A_PREFIX_FAMILY]);
	if (p->family != AF_INET && p->family != AF_INET6) {
		reply_err(req, -EAFNOSUPPORT, "unknown address family",
			  tb[PSMON_A_PREFIX_FAMILY]);
		return -1;
	}
	n = addrlen(p->family);
	if (mnl_attr_get_payload_len(tb[PSMON_A_PREFIX_ADDR]) != n) {
		reply_err(req, -EINVAL, "bad address length", tb[PSMON_A_PREFIX_ADDR]);
		return -1;
	}
	memcpy(p->addr, mnl_attr_get_payload(tb[PSMON_A_PREFIX_ADDR]), n);
	p->plen = mnl_attr_get_u8(tb[PSMON_A_PREFIX_PLEN]);
	if (p->plen > n * 8) {
		reply_err(req, -EINVAL, "bad prefix length", tb[PSMON_A_PREFIX_PLEN]);
		return -1;
	}
	for (i = p->plen; i < n * 8; i++) {
		if (p->addr[i / 8] & (0x80 >> (i % 8))) {
			reply_err(req, -EINVAL, "host bits set", tb[PSMON_A_PREFIX_PLEN]);
			return -1;
		}
	}
	if (need_key_only)
		return 0;
	if (tb[PSMON_A_PREFIX_NAME]) {
		if (mnl_attr_get_payload_len(tb[PSMON_A_PREFIX_NAME]) > PSMON_NAME_SIZE) {
			reply_err(req, -EINVAL, "name too long", tb[PSMON_A_PREFIX_NAME]);
			return -1;
		}
		p->has_name = true;
		snprintf(p->name, sizeof(p->name), "%s",
			 mnl_attr_get_str(tb[PSMON_A_PREFIX_NAME]));
	}
	return 0;
}

static int prefix_new(const struct nlmsghdr *req)
{
	const char *max_env = getenv("FAKE_PSMON_MAX");
	size_t max = max_env ? strtoul(max_env, NULL, 0) : (size_t)-1;
	size_t before = nprefixes;
	const struct nlattr *a;
	struct fprefix p;
	unsigned int n = 0;
	bool offs = !getenv("FAKE_PSMON_NOOFFS");

	mnl_attr_for_each(a, req, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == PSMON_A_PREFIX)
			n++;
	log_request(req, PSMON_CMD_PREFIX_NEW, n);
	if (!n) {
		reply_err(req, -EINVAL, "no prefix given", NULL);
		return 1;
	}
	/* Added as we go, so duplicates inside the request are seen. */
	mnl_attr_for_each(a, req, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) != PSMON_A_PREFIX)
			continue;
		if (parse_fprefix(req, a, &p, false))
			goto undo;
		if (find_prefix(&p) >= 0) {
			reply_err(req, -EEXIST, "prefix already registered",
				  offs ? a : NULL);
			goto undo;
		}
		if (nprefixes >= max) {
			reply_err(req, -ENOSPC, "too many prefixes", offs ? a : NULL);
			goto undo;
		}
		add_prefix(&p);
	}
	reply_ack(req);
	return 0;

undo:
	if (nprefixes != before) {
		nprefixes = before;
		rehash();
	}
	return 1;
}

/* Every PSMON_A_PREFIX nest, all or none, like the kernel. */
static int prefix_del(const struct nlmsghdr *req)
{
	size_t before = nprefixes;
	struct fprefix *saved = NULL;
	const struct nlattr *a;
	struct fprefix p;
	unsigned int n = 0;
	long idx;

	mnl_attr_for_each(a, req, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == PSMON_A_PREFIX)
			n++;
	log_request(req, PSMON_CMD_PREFIX_DEL, n);
	if (!n) {
		reply_err(req, -EINVAL, "missing prefix", NULL);
		return 1;
	}
	saved = malloc((before ? before : 1) * sizeof(*saved));
	if (!saved) {
		reply_err(req, -ENOMEM, NULL, NULL);
		return 1;
	}
	memcpy(saved, prefixes, before * sizeof(*saved));
	mnl_attr_for_each(a, req, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) != PSMON_A_PREFIX)
			continue;
		if (parse_fprefix(req, a, &p, true))
			goto undo;
		idx = find_prefix(&p);
		if (idx < 0) {
			reply_err(req, -ENOENT, "prefix not registered", a);
			goto undo;
		}
		prefixes[idx] = prefixes[--nprefixes];
		rehash();
	}
	free(saved);
	reply_ack(req);
	return 0;
undo:
	memcpy(prefixes, saved, before * sizeof(*saved));
	nprefixes = before;
	rehash();
	free(saved);
	return 1;
}

static void prefix_flush(const struct nlmsghdr *req)
{
	log_request(req, PSMON_CMD_PREFIX_FLUSH, (unsigned int)nprefixes);
	nprefixes = 0;
	rehash();
	reply_ack(req);
}

static int cmp_prefix(const void *a, const void *b)
{
	const struct fprefix *x = a, *y = b;
	int r;

	if (x->family != y->family)
		return x->family == AF_INET ? -1 : 1;
	r = memcmp(x->addr, y->addr, 16);
	if (r)
		return r;
	return (int)x->plen - (int)y->plen;
}

/*
 * FAKE_PSMON_BUSY=N: only the first N prefixes (in dump order) have
 * traffic, on every LAG; prefix i carries (i + 1) kB/s received and half
 * that sent since the clock's epoch, so rates can be checked. Other
 * prefixes have zero counters.
 */
static bool busy_counters(size_t idx, uint64_t *c)
{
	const char *s = getenv("FAKE_PSMON_BUSY");
	struct timespec ts;
	uint64_t ms;

	if (!s)
		return false;
	if (idx >= strtoul(s, NULL, 0)) {
		memset(c, 0, 4 * sizeof(*c));
		return true;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	c[1] = (idx + 1) * ms;		/* (idx + 1) kB/s */
	c[0] = c[1] / 1000;
	c[3] = c[1] / 2;
	c[2] = c[0] / 2;
	return true;
}

/*
 * FAKE_PSMON_INTR=N: the first N prefix dumps of this process see the
 * table change (NLM_F_DUMP_INTR on their messages).
 */
static bool dump_intr(void)
{
	static long left = -1;
	const char *s = getenv("FAKE_PSMON_INTR");

	if (left < 0)
		left = s ? strtol(s, NULL, 0) : 0;
	if (!left)
		return false;
	left--;
	return true;
}

static void put_prefix_at(struct dumper *d, const struct fprefix *p, size_t idx,
			  bool intr)
{
	char buf[MSG_MAX];
	struct nlmsghdr *nlh = msg_start(d, buf, PSMON_CMD_PREFIX_GET);
	struct nlattr *nest, *l;
	uint64_t c[4] = { 10, 1420, 5, 3000000 };
	size_t i;

	busy_counters(idx, c);
	if (intr)
		nlh->nlmsg_flags |= NLM_F_DUMP_INTR;

	nest = mnl_attr_nest_start(nlh, PSMON_A_PREFIX);
	mnl_attr_put_u8(nlh, PSMON_A_PREFIX_FAMILY, p->family);
	mnl_attr_put(nlh, PSMON_A_PREFIX_ADDR, addrlen(p->family), p->addr);
	mnl_attr_put_u8(nlh, PSMON_A_PREFIX_PLEN, p->plen);
	if (p->has_name)
		mnl_attr_put_strz(nlh, PSMON_A_PREFIX_NAME, p->name);
	put_u64(nlh, PSMON_A_PREFIX_RX_PACKETS, PSMON_A_PREFIX_PAD, 10 * nlags);
	put_u64(nlh, PSMON_A_PREFIX_RX_BYTES, PSMON_A_PREFIX_PAD, 1420 * nlags);
	put_u64(nlh, PSMON_A_PREFIX_TX_PACKETS, PSMON_A_PREFIX_PAD, 5 * nlags);
	put_u64(nlh, PSMON_A_PREFIX_TX_BYTES, PSMON_A_PREFIX_PAD, 3000000 * nlags);
	for (i = 0; i < nlags; i++) {
		l = mnl_attr_nest_start(nlh, PSMON_A_PREFIX_LAG);
		mnl_attr_put_u32(nlh, PSMON_A_PREFIX_LAG_IFINDEX, 7);
		mnl_attr_put_strz(nlh, PSMON_A_PREFIX_LAG_IFNAME, lags[i].dev);
		put_u64(nlh, PSMON_A_PREFIX_LAG_RX_PACKETS, PSMON_A_PREFIX_LAG_PAD, c[0]);
		put_u64(nlh, PSMON_A_PREFIX_LAG_RX_BYTES, PSMON_A_PREFIX_LAG_PAD, c[1]);
		put_u64(nlh, PSMON_A_PREFIX_LAG_TX_PACKETS, PSMON_A_PREFIX_LAG_PAD, c[2]);
		put_u64(nlh, PSMON_A_PREFIX_LAG_TX_BYTES, PSMON_A_PREFIX_LAG_PAD, c[3]);
		mnl_attr_nest_end(nlh, l);
	}
	mnl_attr_nest_end(nlh, nest);
	dump_add(d, nlh);
}

static void put_prefix(struct dumper *d, const struct fprefix *p)
{
	put_prefix_at(d, p, (size_t)(p - prefixes), false);
}

static int prefix_get(const struct nlmsghdr *req)
{
	const struct nlattr *nest = top_attr(req, PSMON_A_PREFIX);
	struct dumper *d;
	struct fprefix p;
	bool intr;
	long idx;
	size_t i;

	if (req->nlmsg_flags & NLM_F_DUMP) {
		qsort(prefixes, nprefixes, sizeof(*prefixes), cmp_prefix);
		rehash();
		d = malloc(sizeof(*d));
		if (!d)
			abort();
		dump_init(d, req);
		intr = dump_intr();
		for (i = 0; i < nprefixes; i++)
			put_prefix_at(d, &prefixes[i], i, intr && i == nprefixes / 2);
		dump_end(d);
		free(d);
		return 0;
	}
	if (!nest) {
		reply_err(req, -EINVAL, "missing prefix", NULL);
		return 1;
	}
	if (parse_fprefix(req, nest, &p, true))
		return 1;
	idx = find_prefix(&p);
	if (idx < 0) {
		reply_err(req, -ENOENT, "prefix not registered", nest);
		return 1;
	}
	d = malloc(sizeof(*d));
	dump_init(d, req);
	put_prefix(d, &prefixes[idx]);
	dump_end(d);
	free(d);
	return 0;
}

static void handle(const struct nlmsghdr *req)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(req);
	int ret;

	if (req->nlmsg_type == GENL_ID_CTRL && genl->cmd == CTRL_CMD_GETFAMILY) {
		ret = get_family(req);
		if (ret)
			reply_err(req, ret, NULL, NULL);
		return;
	}
	if (req->nlmsg_type != family_id || !family_loaded()) {
		reply_err(req, -EOPNOTSUPP, NULL, NULL);
		return;
	}
	load_state();
	if (getenv("FAKE_PSMON_EPERM")) {
		reply_err(req, -EPERM, NULL, NULL);
		return;
	}
	switch (genl->cmd) {
	case PSMON_CMD_LAG_NEW:
	case PSMON_CMD_LAG_SET:
	case PSMON_CMD_LAG_DEL:
	case PSMON_CMD_LAG_ACK:
		dirty = true;
		/* fall through */
	case PSMON_CMD_LAG_GET:
		log_request(req, genl->cmd, 0);
		lag_cmd(req, genl->cmd);
		break;
	case PSMON_CMD_PREFIX_NEW:
		dirty = true;
		prefix_new(req);
		break;
	case PSMON_CMD_PREFIX_DEL:
		dirty = true;
		prefix_del(req);
		break;
	case PSMON_CMD_PREFIX_FLUSH:
		dirty = true;
		prefix_flush(req);
		break;
	case PSMON_CMD_PREFIX_GET:
		log_request(req, genl->cmd, 0);
		prefix_get(req);
		break;
	default:
		reply_err(req, -EOPNOTSUPP, "unknown command", NULL);
	}
}

/* ---- notifications, for psctl monitor ------------------------------- */

static void notify_event(uint32_t event, const char *dev, uint32_t dir,
			 uint32_t util, uint64_t when, uint64_t since,
			 const char *member)
{
	char buf[MSG_MAX];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;
	struct nlattr *nest;

	nlh->nlmsg_type = family_id;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = PSMON_CMD_LAG_NTF;
	genl->version = PSMON_FAMILY_VERSION;
	nest = mnl_attr_nest_start(nlh, PSMON_A_LAG);
	mnl_attr_put_u32(nlh, PSMON_A_LAG_IFINDEX, 7);
	mnl_attr_put_strz(nlh, PSMON_A_LAG_IFNAME, dev);
	mnl_attr_put_u32(nlh, PSMON_A_LAG_EVENT, event);
	mnl_attr_put_u32(nlh, PSMON_A_LAG_EVENT_DIR, dir);
	mnl_attr_put_u32(nlh, PSMON_A_LAG_EVENT_UTIL, util);
	put_u64(nlh, PSMON_A_LAG_EVENT_TIME, PSMON_A_LAG_PAD, when);
	mnl_attr_put_u8(nlh, PSMON_A_LAG_THRESHOLD, 40);
	mnl_attr_put_u8(nlh, PSMON_A_LAG_CLEAR, 35);
	if (since)
		put_u64(nlh, PSMON_A_LAG_ALERT_SINCE, PSMON_A_LAG_PAD, since);
	if (member)
		mnl_attr_put_strz(nlh, PSMON_A_LAG_EVENT_MEMBER, member);
	mnl_attr_nest_end(nlh, nest);
	enqueue(buf, nlh->nlmsg_len);
}

static void notify_family(uint8_t cmd)
{
	char buf[MSG_MAX];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	family_msg(nlh, cmd, true);
	nlh->nlmsg_pid = 0;
	if (joined_notify)
		enqueue(buf, nlh->nlmsg_len);
}

static const char *const event_names[] = {
	[PSMON_EVENT_ALERT] = "alert",
	[PSMON_EVENT_CLEAR] = "clear",
	[PSMON_EVENT_IMBALANCE] = "imbalance",
	[PSMON_EVENT_IMBALANCE_CLEAR] = "imbalance-clear",
};

/* One line of FAKE_PSMON_EVENTS; seconds to wait in *wait, else -1. */
static void script_line(const char *line, long *wait)
{
	char word[32], dev[32], dir[8], member[32];
	unsigned long long when, since;
	unsigned int util, e;
	int n;

	*wait = -1;
	if (sscanf(line, "wait %ld", wait) == 1)
		return;
	if (sscanf(line, "%31s", word) != 1)
		return;
	if (!strcmp(word, "unload")) {
		loaded = 0;
		joined_events = false;
		notify_family(CTRL_CMD_DELFAMILY);
		return;
	}
	if (!strcmp(word, "load")) {
		loaded = 1;
		family_id++;
		events_group++;
		notify_family(CTRL_CMD_NEWFAMILY);
		return;
	}
	n = sscanf(line, "%31s %31s %7s %u %llu %31s", word, dev, dir, &util,
		   &when, member);
	for (e = 1; e < sizeof(event_names) / sizeof(event_names[0]); e++)
		if (!strcmp(word, event_names[e]))
			break;
	if (n < 5 || e == sizeof(event_names) / sizeof(event_names[0])) {
		fprintf(stderr, "fakenl: bad event line: %s", line);
		return;
	}
	if (!family_loaded() || !joined_events) {
		fprintf(stderr, "fakenl: event not delivered (nobody listens): %s", line);
		return;
	}
	since = 0;
	if (e == PSMON_EVENT_ALERT && n == 6)
		since = strtoull(member, NULL, 10);
	notify_event(e, dev, strcmp(dir, "tx") ? PSMON_DIR_RX : PSMON_DIR_TX,
		     util, when, since,
		     e >= PSMON_EVENT_IMBALANCE && n == 6 ? member : NULL);
}

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

/*
 * psctl monitor waits here; the script plays while it does. (glibc
 * declares fds write-only, which it is not.)
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
int ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *tmo,
	  const sigset_t *mask)
{
	static FILE *script;
	static bool opened;
	char line[256];
	struct timespec ts;
	long wait;
	int ret;

	if (nfds != 1 || fake_fd < 0)
		return REAL(ppoll)(fds, nfds, tmo, mask);
	if (fds->fd != fake_fd)
		return REAL(ppoll)(fds, nfds, tmo, mask);
	if (!opened) {
		const char *file = getenv("FAKE_PSMON_EVENTS");

		opened = true;
		script = file ? fopen(file, "r") : NULL;
	}
	for (;;) {
		if (q_head) {
			fds[0].revents = POLLIN;
			return 1;
		}
		if (!script || !fgets(line, sizeof(line), script))
			return REAL(ppoll)(NULL, 0, tmo, mask);
		script_line(line, &wait);
		if (wait < 0)
			continue;
		ts.tv_sec = wait;
		ts.tv_nsec = 0;
		ret = REAL(ppoll)(NULL, 0, &ts, mask);
		if (ret < 0)
			return ret;
	}
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

/* ---- the socket calls psctl and libmnl make ---------------------------- */

int socket(int domain, int type, int protocol)
{
	if (domain == AF_NETLINK && protocol == NETLINK_GENERIC) {
		fake_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		return fake_fd;
	}
	return REAL(socket)(domain, type, protocol);
}

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	if (fd == fake_fd && fd >= 0)
		return 0;
	return REAL(bind)(fd, addr, len);
}

int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	struct sockaddr_nl nl = {
		.nl_family = AF_NETLINK,
		.nl_pid = PORTID,
	};

	if (fd != fake_fd || fd < 0)
		return REAL(getsockname)(fd, addr, len);
	memcpy(addr, &nl, *len < sizeof(nl) ? *len : sizeof(nl));
	*len = sizeof(nl);
	return 0;
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	if (fd != fake_fd || fd < 0)
		return REAL(setsockopt)(fd, level, name, val, len);
	if (level == SOL_NETLINK && name == NETLINK_EXT_ACK)
		ext_ack = *(const int *)val;
	if (level == SOL_NETLINK && name == NETLINK_CAP_ACK)
		cap_ack = *(const int *)val;
	if (level == SOL_NETLINK && (name == NETLINK_ADD_MEMBERSHIP ||
				     name == NETLINK_DROP_MEMBERSHIP)) {
		uint32_t group = *(const uint32_t *)val;
		bool join = name == NETLINK_ADD_MEMBERSHIP;

		if (group == NOTIFY_GROUP) {
			joined_notify = join;
		} else if (group == events_group && family_loaded()) {
			joined_events = join;
		} else {
			errno = EINVAL;
			return -1;
		}
	}
	return 0;
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags,
	       const struct sockaddr *addr, socklen_t alen)
{
	const struct nlmsghdr *nlh = buf;
	int n = (int)len;

	if (fd != fake_fd || fd < 0)
		return REAL(sendto)(fd, buf, len, flags, addr, alen);
	while (mnl_nlmsg_ok(nlh, n)) {
		if (!(nlh->nlmsg_flags & NLM_F_REQUEST)) {
			errno = EINVAL;
			return -1;
		}
		handle(nlh);
		nlh = mnl_nlmsg_next(nlh, &n);
	}
	return (ssize_t)len;
}

static ssize_t take(void *buf, size_t len, int flags, int *msg_flags)
{
	size_t n;

	if (!q_head) {
		fprintf(stderr, "fakenl: psctl waits for an answer that will never come\n");
		abort();
	}
	n = q_head->len < len ? q_head->len : len;
	if (buf && n)
		memcpy(buf, q_head->data, n);
	if (q_head->len > len && msg_flags)
		*msg_flags |= MSG_TRUNC;
	n = (flags & MSG_TRUNC) ? q_head->len : n;
	if (!(flags & MSG_PEEK))
		dequeue();
	return (ssize_t)n;
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	if (fd != fake_fd || fd < 0)
		return REAL(recv)(fd, buf, len, flags);
	return take(buf, len, flags, NULL);
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };

	if (fd != fake_fd || fd < 0)
		return REAL(recvmsg)(fd, msg, flags);
	if (msg->msg_name && msg->msg_namelen >= sizeof(nl)) {
		memcpy(msg->msg_name, &nl, sizeof(nl));
		msg->msg_namelen = sizeof(nl);
	}
	msg->msg_flags = 0;
	if (msg->msg_iovlen != 1) {
		errno = EINVAL;
		return -1;
	}
	return take(msg->msg_iov[0].iov_base, msg->msg_iov[0].iov_len, flags,
		    &msg->msg_flags);
}

int close(int fd)
{
	if (fd == fake_fd && fd >= 0) {
		if (state_loaded)
			save_state();
		fake_fd = -1;
		while (q_head)
			dequeue();
	}
	return REAL(close)(fd);
}
