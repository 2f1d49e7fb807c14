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
 *   FAKE_PSMON_EPERM=1      refuse every psmon request with EPERM
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/psmon.h>

#define FAMILY_ID	0x42
#define PORTID		4242
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
};

static struct fprefix *prefixes;
static size_t nprefixes, prefix_cap;
static int32_t *hash;		/* index + 1, 0 = empty */
static struct flag lags[16];
static size_t nlags;
static bool state_loaded;

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
	unsigned int plen, cap_auto, thr, clr, win;
	unsigned long long capacity;
	FILE *f;

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
		} else if (sscanf(line, "lag %15s %llu %u %u %u %u", l.dev, &capacity,
				  &cap_auto, &thr, &clr, &win) == 6 && nlags < 16) {
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
	char addr[INET6_ADDRSTRLEN];
	FILE *f;
	size_t i;

	if (!file || !(f = fopen(file, "w")))
		return;
	for (i = 0; i < nlags; i++)
		fprintf(f, "lag %s %llu %u %u %u %u\n", lags[i].dev,
			(unsigned long long)lags[i].capacity, lags[i].cap_auto,
			lags[i].threshold, lags[i].clear, lags[i].window);
	for (i = 0; i < nprefixes; i++) {
		inet_ntop(prefixes[i].family, prefixes[i].addr, addr, sizeof(addr));
		fprintf(f, "prefix %s %u %s\n", addr, prefixes[i].plen,
			prefixes[i].has_name ? prefixes[i].name : "-");
	}
	fclose(f);
}

static void log_request(const struct nlmsghdr *nlh, unsigned int cmd,
			unsigned int nprefix)
{
	const char *file = getenv("FAKE_PSMON_LOG");
	FILE *f;

	if (!file || !(f = fopen(file, "a")))
		return;
	fprintf(f, "cmd=%u flags=%#x prefixes=%u\n", cmd, nlh->nlmsg_flags,
		nprefix);
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
}

static struct nlmsghdr *msg_start(struct dumper *d, char *buf, uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = FAMILY_ID;
	nlh->nlmsg_flags = d->multi ? NLM_F_MULTI : 0;
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

static int get_family(const struct nlmsghdr *req)
{
	char buf[MSG_MAX];
	struct nlmsghdr *nlh;
	const struct nlattr *a;
	struct genlmsghdr *genl;
	const char *name = NULL;

	mnl_attr_for_each(a, req, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_NAME)
			name = mnl_attr_get_str(a);
	if (!name || strcmp(name, PSMON_FAMILY_NAME) || !getenv("FAKE_PSMON"))
		return -ENOENT;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_seq = req->nlmsg_seq;
	nlh->nlmsg_pid = PORTID;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = CTRL_CMD_NEWFAMILY;
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, FAMILY_ID);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, PSMON_FAMILY_NAME);
	mnl_attr_put_u32(nlh, CTRL_ATTR_VERSION, PSMON_FAMILY_VERSION);
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

static void put_lag(struct dumper *d, const struct flag *l)
{
	char buf[MSG_MAX];
	struct nlmsghdr *nlh = msg_start(d, buf, PSMON_CMD_LAG_GET);
	struct nlattr *nest, *m;
	static const struct {
		const char *dev;
		uint32_t speed;
		bool up;
	} members[] = { { "m1", 10000, true }, { "m2", 0, false } };
	unsigned int i;

	nest = mnl_attr_nest_start(nlh, PSMON_A_LAG);
	mnl_attr_put_u32(nlh, PSMON_A_LAG_IFINDEX, 7);
	mnl_attr_put_strz(nlh, PSMON_A_LAG_IFNAME, l->dev);
	mnl_attr_put_u32(nlh, PSMON_A_LAG_KIND, PSMON_LAG_KIND_BOND);
	put_u64(nlh, PSMON_A_LAG_CAPACITY, PSMON_A_LAG_PAD,
		l->cap_auto ? 10000000000ULL : l->capacity);
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
	for (i = 0; i < 2; i++) {
		m = mnl_attr_nest_start(nlh, PSMON_A_LAG_MEMBER);
		mnl_attr_put_u32(nlh, PSMON_A_MEMBER_IFINDEX, 8 + i);
		mnl_attr_put_strz(nlh, PSMON_A_MEMBER_IFNAME, members[i].dev);
		mnl_attr_put_u32(nlh, PSMON_A_MEMBER_SPEED, members[i].speed);
		mnl_attr_put_u8(nlh, PSMON_A_MEMBER_UP, members[i].up);
		put_u64(nlh, PSMON_A_MEMBER_RX_PACKETS, PSMON_A_MEMBER_PAD, 500);
		put_u64(nlh, PSMON_A_MEMBER_RX_BYTES, PSMON_A_MEMBER_PAD, 710000);
		put_u64(nlh, PSMON_A_MEMBER_TX_PACKETS, PSMON_A_MEMBER_PAD, 1000);
		put_u64(nlh, PSMON_A_MEMBER_TX_BYTES, PSMON_A_MEMBER_PAD, 6448742);
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

	if (cmd == PSMON_CMD_LAG_NEW) {
		memset(&n, 0, sizeof(n));
		snprintf(n.dev, sizeof(n.dev), "%s", dev);
		n.cap_auto = true;
		n.threshold = 40;
		n.clear = 35;
		n.window = 300;
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

static int prefix_del(const struct nlmsghdr *req)
{
	const struct nlattr *nest = top_attr(req, PSMON_A_PREFIX);
	struct fprefix p;
	long idx;

	log_request(req, PSMON_CMD_PREFIX_DEL, 1);
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
	prefixes[idx] = prefixes[--nprefixes];
	rehash();
	reply_ack(req);
	return 0;
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

static void put_prefix(struct dumper *d, const struct fprefix *p)
{
	char buf[MSG_MAX];
	struct nlmsghdr *nlh = msg_start(d, buf, PSMON_CMD_PREFIX_GET);
	struct nlattr *nest, *l;
	size_t i;

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
		put_u64(nlh, PSMON_A_PREFIX_LAG_RX_PACKETS, PSMON_A_PREFIX_LAG_PAD, 10);
		put_u64(nlh, PSMON_A_PREFIX_LAG_RX_BYTES, PSMON_A_PREFIX_LAG_PAD, 1420);
		put_u64(nlh, PSMON_A_PREFIX_LAG_TX_PACKETS, PSMON_A_PREFIX_LAG_PAD, 5);
		put_u64(nlh, PSMON_A_PREFIX_LAG_TX_BYTES, PSMON_A_PREFIX_LAG_PAD, 3000000);
		mnl_attr_nest_end(nlh, l);
	}
	mnl_attr_nest_end(nlh, nest);
	dump_add(d, nlh);
}

static int prefix_get(const struct nlmsghdr *req)
{
	const struct nlattr *nest = top_attr(req, PSMON_A_PREFIX);
	struct dumper *d;
	struct fprefix p;
	long idx;
	size_t i;

	if (req->nlmsg_flags & NLM_F_DUMP) {
		qsort(prefixes, nprefixes, sizeof(*prefixes), cmp_prefix);
		rehash();
		d = malloc(sizeof(*d));
		dump_init(d, req);
		for (i = 0; i < nprefixes; i++)
			put_prefix(d, &prefixes[i]);
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
	if (req->nlmsg_type != FAMILY_ID) {
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
	case PSMON_CMD_LAG_GET:
		log_request(req, genl->cmd, 0);
		lag_cmd(req, genl->cmd);
		break;
	case PSMON_CMD_PREFIX_NEW:
		prefix_new(req);
		break;
	case PSMON_CMD_PREFIX_DEL:
		prefix_del(req);
		break;
	case PSMON_CMD_PREFIX_GET:
		log_request(req, genl->cmd, 0);
		prefix_get(req);
		break;
	default:
		reply_err(req, -EOPNOTSUPP, "unknown command", NULL);
	}
}

/* ---- the socket calls psctl and libmnl make ---------------------------- */

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

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
