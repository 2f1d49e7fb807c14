// SPDX-License-Identifier: GPL-2.0
/*
 * A generic netlink fuzzer for the "psmon" family, on raw AF_NETLINK
 * sockets (no libmnl, no psctl).
 *
 *   psmon_nlfuzz [-s SEED] [-n REQUESTS] [-d DEV[,DEV...]] [-u] [-v]
 *
 * Each request is one of: a valid request (LAG add/set/get/del/ack on the
 * devices given with -d, prefix add/del/get, dumps), a valid request
 * mutated (truncated, flipped bytes, junk appended, an attribute
 * duplicated, reserved type bits set, attributes moved into the wrong
 * nest), random attributes (random types, lengths, nesting), an oversized
 * attribute, or a request for a command number beyond the family's.
 * Header flags vary: do and dump, echo, the NEW/GET modifier bits.
 *
 * Every request carries NLM_F_ACK, so the kernel must answer each with an
 * NLMSG_ERROR (an acknowledgement or an error) or, for a dump, NLMSG_DONE;
 * a request without an answer within 10 s is a failure.  No particular
 * errno is expected for a malformed request.  With -u (the caller is not
 * allowed to change anything), a write command that is acknowledged is a
 * failure too.
 *
 * The last lines give the seed, requests sent and answers by kind; the
 * same seed and arguments repeat the same requests.  Exit status: 0, or 1
 * when a request was not answered (or, with -u, a write was accepted), 2
 * on a usage or setup error.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <inttypes.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "splitmix.h"

#include <linux/psmon.h>

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

#define BUF_SIZE	(64 * 1024)
#define RX_SIZE		(1024 * 1024)
#define MAX_DEVS	8
#define MAX_NEST	8
#define ANSWER_MS	10000

/* ------------------------------------------------------------ random */

static bool chance(uint32_t percent)
{
	return below(100) < percent;
}

/* ------------------------------------------------------------ messages */

struct msg {
	unsigned char buf[BUF_SIZE];
	size_t len;
	size_t nest[MAX_NEST];
	int depth;
};

static void msg_init(struct msg *m, uint16_t type, uint16_t flags,
		     uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->buf;
	struct genlmsghdr *g;

	memset(m->buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	g = (struct genlmsghdr *)(m->buf + NLMSG_HDRLEN);
	g->cmd = cmd;
	g->version = version;
	m->len = NLMSG_HDRLEN + GENL_HDRLEN;
	m->depth = 0;
}

/* Room for an attribute of len bytes of payload? */
static bool msg_room(const struct msg *m, size_t len)
{
	return m->len + NLA_HDRLEN + NLA_ALIGN(len) <= sizeof(m->buf);
}

static void put(struct msg *m, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a;

	if (!msg_room(m, len))
		return;
	a = (struct nlattr *)(m->buf + m->len);
	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	if (len)
		memcpy(m->buf + m->len + NLA_HDRLEN, data, len);
	memset(m->buf + m->len + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	m->len += NLA_HDRLEN + NLA_ALIGN(len);
}

static void put_u8(struct msg *m, uint16_t type, uint8_t v)
{
	put(m, type, &v, sizeof(v));
}

static void put_u32(struct msg *m, uint16_t type, uint32_t v)
{
	put(m, type, &v, sizeof(v));
}

static void put_u64(struct msg *m, uint16_t type, uint64_t v)
{
	put(m, type, &v, sizeof(v));
}

static void put_str(struct msg *m, uint16_t type, const char *s)
{
	put(m, type, s, strlen(s) + 1);
}

static void nest_start(struct msg *m, uint16_t type)
{
	if (m->depth >= MAX_NEST || !msg_room(m, 0))
		return;
	m->nest[m->depth++] = m->len;
	put(m, type, NULL, 0);
}

static void nest_end(struct msg *m)
{
	struct nlattr *a;
	size_t len;

	if (!m->depth)
		return;
	a = (struct nlattr *)(m->buf + m->nest[--m->depth]);
	len = m->len - m->nest[m->depth];
	/* An attribute cannot be longer than 64 KiB: leave it wrong. */
	a->nla_len = (uint16_t)len;
}

/* ------------------------------------------------------------ requests */

static const char *devs[MAX_DEVS];
static unsigned int ndevs;
static uint16_t family_id;

/* Prefixes the valid requests use: a small pool, so the table stays small. */
static void rand_prefix(struct msg *m, bool with_name)
{
	unsigned char addr[16] = { 0 };
	char name[PSMON_NAME_SIZE];
	uint32_t k = below(64);

	if (chance(50)) {
		/* 198.51.100.0/24 .. /28 and 203.0.113.0/24 */
		addr[0] = k & 1 ? 198 : 203;
		addr[1] = k & 1 ? 51 : 0;
		addr[2] = k & 1 ? 100 : 113;
		addr[3] = (uint8_t)((k >> 1) << 4);
		put_u8(m, PSMON_A_PREFIX_FAMILY, 2 /* AF_INET */);
		put(m, PSMON_A_PREFIX_ADDR, addr, 4);
		put_u8(m, PSMON_A_PREFIX_PLEN, k < 4 ? 24 : 28);
	} else {
		addr[0] = 0x20;
		addr[1] = 0x01;
		addr[2] = 0x0d;
		addr[3] = 0xb8;
		addr[5] = 1;
		addr[6] = (uint8_t)k;
		put_u8(m, PSMON_A_PREFIX_FAMILY, 10 /* AF_INET6 */);
		put(m, PSMON_A_PREFIX_ADDR, addr, 16);
		put_u8(m, PSMON_A_PREFIX_PLEN, k < 8 ? 48 : 56);
	}
	if (with_name) {
		snprintf(name, sizeof(name), "fz%u", k);
		put_str(m, PSMON_A_PREFIX_NAME, name);
	}
}

static void lag_id(struct msg *m)
{
	const char *dev = ndevs ? devs[below(ndevs)] : "lo";

	if (chance(50))
		put_str(m, PSMON_A_LAG_IFNAME, dev);
	else
		put_u32(m, PSMON_A_LAG_IFINDEX, if_nametoindex(dev));
}

static void lag_settings(struct msg *m)
{
	uint8_t threshold = (uint8_t)(1 + below(100));

	if (chance(30))
		put_u64(m, PSMON_A_LAG_CAPACITY, 1 + below(1u << 30));
	else if (chance(20))
		put_u8(m, PSMON_A_LAG_CAPACITY_AUTO, 1);
	if (chance(40))
		put_u8(m, PSMON_A_LAG_THRESHOLD, threshold);
	if (chance(30))
		put_u8(m, PSMON_A_LAG_CLEAR, (uint8_t)below(threshold));
	if (chance(30))
		put_u32(m, PSMON_A_LAG_WINDOW, 1 + below(3600));
}

static uint16_t req_flags(bool dump)
{
	return NLM_F_REQUEST | NLM_F_ACK | (dump ? NLM_F_DUMP : 0);
}

/* A valid request; its command in *cmd. */
static void valid_request(struct msg *m, uint8_t *cmd)
{
	uint32_t n, i;

	switch (below(12)) {
	case 0:
		*cmd = PSMON_CMD_LAG_NEW;
		break;
	case 1:
		*cmd = PSMON_CMD_LAG_DEL;
		break;
	case 2: case 3:
		*cmd = PSMON_CMD_LAG_SET;
		break;
	case 4:
		*cmd = PSMON_CMD_LAG_ACK;
		break;
	case 5:
		*cmd = PSMON_CMD_LAG_GET;
		break;
	case 6: case 7:
		*cmd = PSMON_CMD_PREFIX_NEW;
		break;
	case 8: case 9:
		*cmd = PSMON_CMD_PREFIX_DEL;
		break;
	default:
		*cmd = PSMON_CMD_PREFIX_GET;
		break;
	}
	/* LAG add and delete wait for RCU: keep them rare. */
	if ((*cmd == PSMON_CMD_LAG_NEW || *cmd == PSMON_CMD_LAG_DEL) &&
	    chance(80))
		*cmd = PSMON_CMD_LAG_GET;

	switch (*cmd) {
	case PSMON_CMD_LAG_GET:
		if (chance(50)) {
			msg_init(m, family_id, req_flags(true), *cmd, 1);
			return;
		}
		/* fall through */
	case PSMON_CMD_LAG_NEW:
	case PSMON_CMD_LAG_SET:
	case PSMON_CMD_LAG_DEL:
	case PSMON_CMD_LAG_ACK:
		msg_init(m, family_id, req_flags(false), *cmd, 1);
		nest_start(m, PSMON_A_LAG | NLA_F_NESTED);
		lag_id(m);
		if (*cmd == PSMON_CMD_LAG_NEW || *cmd == PSMON_CMD_LAG_SET)
			lag_settings(m);
		nest_end(m);
		return;
	case PSMON_CMD_PREFIX_GET:
		if (chance(50)) {
			msg_init(m, family_id, req_flags(true), *cmd, 1);
			return;
		}
		/* fall through */
	case PSMON_CMD_PREFIX_DEL:
		msg_init(m, family_id, req_flags(false), *cmd, 1);
		nest_start(m, PSMON_A_PREFIX | NLA_F_NESTED);
		rand_prefix(m, false);
		nest_end(m);
		return;
	default:	/* PREFIX_NEW: one to four prefixes */
		msg_init(m, family_id, req_flags(false), *cmd, 1);
		n = 1 + below(4);
		for (i = 0; i < n; i++) {
			nest_start(m, PSMON_A_PREFIX | NLA_F_NESTED);
			rand_prefix(m, chance(70));
			nest_end(m);
		}
		return;
	}
}

/* Random payload of len bytes, often shaped like an integer or a string. */
static void rand_payload(unsigned char *p, size_t len)
{
	size_t i;

	switch (below(4)) {
	case 0:
		memset(p, 0, len);
		break;
	case 1:
		memset(p, 0xff, len);
		break;
	case 2:	/* printable, sometimes NUL terminated */
		for (i = 0; i < len; i++)
			p[i] = (unsigned char)('a' + below(26));
		if (len && chance(50))
			p[len - 1] = 0;
		break;
	default:
		for (i = 0; i < len; i++)
			p[i] = (unsigned char)rnd();
		break;
	}
}

static size_t rand_len(void)
{
	static const size_t lens[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17,
				       31, 63, 64, 65, 255, 256 };

	return lens[below(sizeof(lens) / sizeof(lens[0]))];
}

/* Random attributes, nested at random, up to budget of them. */
static void rand_attrs(struct msg *m, int budget, int depth)
{
	unsigned char data[256];
	uint16_t type;
	size_t len;

	while (budget-- > 0) {
		type = (uint16_t)(chance(80) ? below(PSMON_A_LAG_MAX + 3) :
				  below(0x4000));
		if (chance(10))
			type |= NLA_F_NET_BYTEORDER;
		if (depth < 4 && chance(25)) {
			nest_start(m, (uint16_t)(type | (chance(70) ? NLA_F_NESTED : 0)));
			rand_attrs(m, (int)below(6), depth + 1);
			nest_end(m);
			continue;
		}
		if (chance(10))
			type |= NLA_F_NESTED;
		len = rand_len();
		rand_payload(data, len);
		put(m, type, data, len);
	}
}

/* Attributes of the wrong set inside the other nest, or no nest at all. */
static void wrong_nest(struct msg *m)
{
	switch (below(4)) {
	case 0:	/* prefix attributes in a LAG nest */
		nest_start(m, PSMON_A_LAG | NLA_F_NESTED);
		rand_prefix(m, true);
		nest_end(m);
		break;
	case 1:	/* LAG attributes in a prefix nest */
		nest_start(m, PSMON_A_PREFIX | NLA_F_NESTED);
		lag_id(m);
		lag_settings(m);
		nest_end(m);
		break;
	case 2:	/* flat: no nest */
		lag_id(m);
		rand_prefix(m, true);
		break;
	default:	/* a nest in a nest in a nest */
		nest_start(m, PSMON_A_LAG | NLA_F_NESTED);
		nest_start(m, PSMON_A_LAG | NLA_F_NESTED);
		nest_start(m, PSMON_A_PREFIX | NLA_F_NESTED);
		lag_id(m);
		nest_end(m);
		nest_end(m);
		nest_end(m);
		break;
	}
}

/* The first attribute at or after off in the top level, or 0. */
static size_t attr_at(const struct msg *m, size_t off)
{
	size_t pos = NLMSG_HDRLEN + GENL_HDRLEN;
	const struct nlattr *a;

	while (pos + NLA_HDRLEN <= m->len) {
		a = (const struct nlattr *)(m->buf + pos);
		if (a->nla_len < NLA_HDRLEN)
			return 0;
		if (pos >= off)
			return pos;
		pos += NLA_ALIGN(a->nla_len);
	}
	return 0;
}

static void mutate(struct msg *m)
{
	size_t pos, len, i, n;
	struct nlattr *a;

	/* A message cut inside its genetlink header: nothing more to do. */
	if (m->len < NLMSG_HDRLEN + GENL_HDRLEN)
		return;

	switch (below(8)) {
	case 0:	/* truncate: nlmsg_len follows, the last attribute is cut */
		if (m->len > NLMSG_HDRLEN)
			m->len = NLMSG_HDRLEN + below((uint32_t)(m->len - NLMSG_HDRLEN));
		break;
	case 1:	/* flip bytes after the netlink header */
		n = 1 + below(8);
		for (i = 0; i < n && m->len > NLMSG_HDRLEN; i++) {
			pos = NLMSG_HDRLEN + below((uint32_t)(m->len - NLMSG_HDRLEN));
			m->buf[pos] ^= (unsigned char)(1u << below(8));
		}
		break;
	case 2:	/* junk appended */
		len = 1 + below(300);
		if (m->len + len <= sizeof(m->buf)) {
			rand_payload(m->buf + m->len, len);
			m->len += len;
		}
		break;
	case 3:	/* duplicate the whole attribute area */
		len = m->len - (NLMSG_HDRLEN + GENL_HDRLEN);
		if (m->len + len <= sizeof(m->buf)) {
			memcpy(m->buf + m->len, m->buf + NLMSG_HDRLEN + GENL_HDRLEN, len);
			m->len += len;
		}
		break;
	case 4:	/* reserved type bits on a top-level attribute */
		pos = attr_at(m, NLMSG_HDRLEN + GENL_HDRLEN);
		if (pos) {
			a = (struct nlattr *)(m->buf + pos);
			a->nla_type ^= chance(50) ? NLA_F_NESTED : NLA_F_NET_BYTEORDER;
		}
		break;
	case 5:	/* a wrong attribute length */
		pos = attr_at(m, NLMSG_HDRLEN + GENL_HDRLEN +
			      below((uint32_t)(m->len - NLMSG_HDRLEN - GENL_HDRLEN + 1)));
		if (pos) {
			a = (struct nlattr *)(m->buf + pos);
			a->nla_len = (uint16_t)(chance(50) ? below(8) : a->nla_len + 1 + below(64));
		}
		break;
	case 6:	/* the genl header: version and reserved field */
		m->buf[NLMSG_HDRLEN + 1] = (uint8_t)rnd();
		m->buf[NLMSG_HDRLEN + 2] = (uint8_t)rnd();
		m->buf[NLMSG_HDRLEN + 3] = (uint8_t)rnd();
		break;
	default:	/* random attributes added */
		rand_attrs(m, 1 + (int)below(4), 0);
		break;
	}
}

/* Build a request; returns the command it was built for. */
static uint8_t build(struct msg *m)
{
	static const uint16_t extra[] = { 0, NLM_F_ECHO, NLM_F_ROOT,
					  NLM_F_MATCH, NLM_F_ATOMIC,
					  NLM_F_EXCL, NLM_F_CREATE,
					  NLM_F_APPEND, NLM_F_REPLACE,
					  NLM_F_MULTI, 0x8000 };
	struct nlmsghdr *nlh;
	uint8_t cmd;
	uint32_t kind = below(100);
	unsigned char big[4096];
	size_t len;

	if (kind < 35) {		/* valid */
		valid_request(m, &cmd);
	} else if (kind < 65) {		/* valid, then mutated */
		valid_request(m, &cmd);
		mutate(m);
		if (chance(30))
			mutate(m);
	} else if (kind < 80) {		/* random attributes */
		cmd = (uint8_t)below(PSMON_CMD_MAX + 3);
		msg_init(m, family_id, req_flags(chance(30)), cmd, 1);
		rand_attrs(m, 1 + (int)below(12), 0);
	} else if (kind < 88) {		/* wrongly nested */
		cmd = (uint8_t)(1 + below(PSMON_CMD_MAX));
		msg_init(m, family_id, req_flags(chance(20)), cmd, 1);
		wrong_nest(m);
	} else if (kind < 93) {		/* oversized */
		cmd = (uint8_t)below(PSMON_CMD_MAX + 2);
		msg_init(m, family_id, req_flags(chance(20)), cmd, 1);
		len = chance(50) ? sizeof(big) : 256 + below(sizeof(big) - 256);
		rand_payload(big, len);
		if (chance(50)) {
			nest_start(m, (uint16_t)((chance(50) ? PSMON_A_LAG : PSMON_A_PREFIX) |
						 NLA_F_NESTED));
			put(m, (uint16_t)below(PSMON_A_PREFIX_MAX + 2), big, len);
			nest_end(m);
		} else {
			while (chance(90) && msg_room(m, len))
				put(m, (uint16_t)below(PSMON_A_MAX + 2), big, len);
		}
	} else {			/* any command number */
		cmd = (uint8_t)rnd();
		msg_init(m, family_id, req_flags(chance(30)), cmd, (uint8_t)rnd());
		rand_attrs(m, (int)below(4), 0);
	}
	nlh = (struct nlmsghdr *)m->buf;
	if (chance(15))
		nlh->nlmsg_flags |= extra[below(sizeof(extra) / sizeof(extra[0]))];
	nlh->nlmsg_len = (uint32_t)m->len;
	return cmd;
}

/* ------------------------------------------------------------ answers */

struct stats {
	uint64_t sent;
	uint64_t acks;
	uint64_t errors[4096];
	uint64_t other_errors;
	uint64_t data;		/* replies to a do */
	uint64_t parts;		/* dump parts (NLM_F_MULTI) */
	uint64_t dones;		/* dumps completed */
	uint64_t no_answer;
	uint64_t late;		/* answers to an earlier, timed-out request */
	uint64_t write_acks;	/* a write command acknowledged */
	uint64_t send_errors;
};

static struct stats st;
static unsigned char rxbuf[RX_SIZE];

static bool is_write(uint8_t cmd)
{
	return cmd == PSMON_CMD_LAG_NEW || cmd == PSMON_CMD_LAG_SET ||
	       cmd == PSMON_CMD_LAG_DEL || cmd == PSMON_CMD_PREFIX_NEW ||
	       cmd == PSMON_CMD_PREFIX_DEL || cmd == PSMON_CMD_LAG_ACK;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Read answers until the one that ends request seq: 1 when it came, 0 on
 * a timeout.  *acked tells whether that was an acknowledgement.
 */
static int wait_answer(int fd, uint32_t seq, bool *acked)
{
	int64_t deadline = now_ms() + ANSWER_MS;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	const struct nlmsgerr *e;
	struct nlmsghdr *nlh;
	int left, err;
	ssize_t n;

	*acked = false;
	for (;;) {
		left = (int)(deadline - now_ms());
		if (left <= 0)
			return 0;
		if (poll(&pfd, 1, left) <= 0)
			continue;
		n = recv(fd, rxbuf, sizeof(rxbuf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			/* ENOBUFS: answers were lost; a timeout will show it. */
			fprintf(stderr, "recv: %s\n", strerror(errno));
			continue;
		}
		for (nlh = (struct nlmsghdr *)rxbuf; NLMSG_OK(nlh, (size_t)n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_seq != seq) {
				st.late++;
				continue;
			}
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				e = NLMSG_DATA(nlh);
				err = -e->error;
				if (!err) {
					st.acks++;
					*acked = true;
				} else if (err > 0 && err < 4096) {
					st.errors[err]++;
				} else {
					st.other_errors++;
				}
				return 1;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				st.dones++;
				return 1;
			}
			if (nlh->nlmsg_flags & NLM_F_MULTI)
				st.parts++;
			else
				st.data++;
		}
	}
}

/* ------------------------------------------------------------ setup */

static int nl_open(bool strict)
{
	int one = 1, fd, size = 4 << 20;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return -1;
	/* Larger buffers need privileges; best effort. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (strict)
		setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int send_msg(int fd, const struct msg *m)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	return sendto(fd, m->buf, m->len, 0, (struct sockaddr *)&sa,
		      sizeof(sa)) == (ssize_t)m->len ? 0 : -1;
}

/* The family's id from the controller (CTRL_CMD_GETFAMILY), or 0. */
static uint16_t resolve_family(int fd)
{
	static struct msg m;
	struct nlmsghdr *nlh;
	struct nlattr *a;
	size_t off, len;
	ssize_t n;

	msg_init(&m, GENL_ID_CTRL, NLM_F_REQUEST, CTRL_CMD_GETFAMILY, 1);
	put_str(&m, CTRL_ATTR_FAMILY_NAME, PSMON_FAMILY_NAME);
	((struct nlmsghdr *)m.buf)->nlmsg_len = (uint32_t)m.len;
	((struct nlmsghdr *)m.buf)->nlmsg_seq = 1;
	if (send_msg(fd, &m) < 0)
		return 0;
	n = recv(fd, rxbuf, sizeof(rxbuf), 0);
	if (n < 0)
		return 0;
	nlh = (struct nlmsghdr *)rxbuf;
	if (!NLMSG_OK(nlh, (size_t)n) || nlh->nlmsg_type != GENL_ID_CTRL)
		return 0;
	len = nlh->nlmsg_len;
	for (off = NLMSG_HDRLEN + GENL_HDRLEN; off + NLA_HDRLEN <= len;
	     off += NLA_ALIGN(a->nla_len)) {
		a = (struct nlattr *)(rxbuf + off);
		if (a->nla_len < NLA_HDRLEN)
			break;
		if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID &&
		    a->nla_len >= NLA_HDRLEN + 2) {
			uint16_t id;

			memcpy(&id, rxbuf + off + NLA_HDRLEN, sizeof(id));
			return id;
		}
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: psmon_nlfuzz [-s SEED] [-n REQUESTS] [-d DEV[,DEV...]] [-u] [-v]\n");
	exit(2);
}

static void report(uint64_t seed, double secs)
{
	char errs[2048];
	size_t off = 0;
	int e;

	errs[0] = 0;
	for (e = 1; e < 4096; e++) {
		if (!st.errors[e])
			continue;
		off += (size_t)snprintf(errs + off, sizeof(errs) - off, " %s=%" PRIu64,
					strerrorname_np(e) ? strerrorname_np(e) : "?",
					st.errors[e]);
		if (off >= sizeof(errs))
			break;
	}
	printf("seed %" PRIu64 ": %" PRIu64 " requests in %.1f s\n", seed, st.sent, secs);
	printf("answers: ack %" PRIu64 ", reply %" PRIu64 ", dump done %" PRIu64
	       " (parts %" PRIu64 "), no answer %" PRIu64 ", late %" PRIu64
	       ", send errors %" PRIu64 "\n",
	       st.acks, st.data, st.dones, st.parts, st.no_answer, st.late,
	       st.send_errors);
	printf("errors:%s%s\n", errs, st.other_errors ? " (and out of range)" : "");
	if (st.write_acks)
		printf("writes accepted: %" PRIu64 "\n", st.write_acks);
}

int main(int argc, char **argv)
{
	uint64_t seed = (uint64_t)time(NULL), count = 100000, i;
	bool unpriv = false, verbose = false, acked;
	static struct msg m;
	char *list = NULL, *tok, *save = NULL;
	int fds[2], opt, fd;
	int64_t t0;
	uint8_t cmd;

	while ((opt = getopt(argc, argv, "s:n:d:uv")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			count = strtoull(optarg, NULL, 0);
			break;
		case 'd':
			list = optarg;
			break;
		case 'u':
			unpriv = true;
			break;
		case 'v':
			verbose = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	for (tok = list ? strtok_r(list, ",", &save) : NULL; tok && ndevs < MAX_DEVS;
	     tok = strtok_r(NULL, ",", &save))
		devs[ndevs++] = tok;

	rng_state = seed;
	fds[0] = nl_open(false);
	fds[1] = nl_open(true);
	if (fds[0] < 0 || fds[1] < 0) {
		perror("netlink socket");
		return 2;
	}
	family_id = resolve_family(fds[0]);
	if (!family_id) {
		fprintf(stderr, "cannot resolve the generic netlink family %s\n",
			PSMON_FAMILY_NAME);
		return 2;
	}
	printf("seed %" PRIu64 ", family %s id %u, %" PRIu64 " requests%s\n",
	       seed, PSMON_FAMILY_NAME, family_id, count,
	       unpriv ? ", unprivileged" : "");
	fflush(stdout);

	t0 = now_ms();
	for (i = 0; i < count; i++) {
		cmd = build(&m);
		((struct nlmsghdr *)m.buf)->nlmsg_seq = (uint32_t)(i + 2);
		fd = fds[below(2)];
		if (verbose)
			fprintf(stderr, "%" PRIu64 ": cmd %u len %zu flags %#x\n",
				i, cmd, m.len, ((struct nlmsghdr *)m.buf)->nlmsg_flags);
		if (send_msg(fd, &m) < 0) {
			/* Nothing reached the kernel: not a request. */
			st.send_errors++;
			continue;
		}
		st.sent++;
		/* What the kernel sees, after any mutation. */
		cmd = m.len > NLMSG_HDRLEN ? m.buf[NLMSG_HDRLEN] : 0;
		if (!wait_answer(fd, (uint32_t)(i + 2), &acked)) {
			st.no_answer++;
			fprintf(stderr, "request %" PRIu64 " (cmd %u, %zu bytes) not answered\n",
				i, cmd, m.len);
		} else if (acked && unpriv && is_write(cmd) &&
			   !(((struct nlmsghdr *)m.buf)->nlmsg_flags & NLM_F_DUMP)) {
			st.write_acks++;
			fprintf(stderr, "request %" PRIu64 ": write command %u accepted\n",
				i, cmd);
		}
	}
	report(seed, (double)(now_ms() - t0) / 1000.0);
	return st.no_answer || st.write_acks || st.sent < count ? 1 : 0;
}
