// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "nl.h"

struct nl {
	struct mnl_socket *sk;
	unsigned int portid;
	struct nl_family fam;
	uint16_t family;
	uint8_t version;	/* of the family's messages */
	uint32_t seq;
	char *buf;		/* receive buffer, grown to the largest datagram */
	size_t buflen;
	char ext_msg[NL_EXT_MSG_LEN];
	bool has_offs;
	uint32_t offs;
};

/* State of one request while its answer is read. */
struct nl_req {
	struct nl *nl;
	nl_cb cb;
	void *data;
	int err;		/* from the kernel */
	int cb_err;		/* first error of cb */
};

static int ext_attr_cb(const struct nlattr *attr, void *data)
{
	struct nl *nl = data;

	switch (mnl_attr_get_type(attr)) {
	case NLMSGERR_ATTR_MSG:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			break;
		snprintf(nl->ext_msg, sizeof(nl->ext_msg), "%s",
			 mnl_attr_get_str(attr));
		break;
	case NLMSGERR_ATTR_OFFS:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			break;
		nl->offs = mnl_attr_get_u32(attr);
		nl->has_offs = true;
		break;
	}
	return MNL_CB_OK;
}

/* The extended ack TLVs start at offset off of the payload. */
static void parse_ext_ack(struct nl *nl, const struct nlmsghdr *nlh, size_t off)
{
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (mnl_nlmsg_get_payload_len(nlh) < off)
		return;
	mnl_attr_parse(nlh, (unsigned int)off, ext_attr_cb, nl);
}

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	struct nl_req *req = data;
	size_t off = sizeof(*e);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e)) {
		req->err = -EBADMSG;
		return MNL_CB_STOP;
	}
	/* Without NETLINK_CAP_ACK the request follows the header. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += mnl_nlmsg_get_payload_len(&e->msg);
	parse_ext_ack(req->nl, nlh, off);
	req->err = e->error < 0 ? e->error : -e->error;
	return MNL_CB_STOP;
}

static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_req *req = data;
	int err;

	/* The end of a dump carries the dump's error, if any. */
	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int)) {
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
		parse_ext_ack(req->nl, nlh, sizeof(int));
		req->err = err < 0 ? err : -err;
	}
	return MNL_CB_STOP;
}

static int noop_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_OK;
}

static int overrun_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_req *req = data;

	(void)nlh;
	req->err = -ENOBUFS;
	return MNL_CB_STOP;
}

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_req *req = data;
	int ret;

	/* After a failure keep reading, so that the socket stays in step. */
	if (req->cb && !req->cb_err) {
		ret = req->cb(nlh, req->data);
		if (ret < 0)
			req->cb_err = ret;
	}
	return MNL_CB_OK;
}

static mnl_cb_t ctl_cbs[NLMSG_MIN_TYPE] = {
	[NLMSG_NOOP] = noop_cb,
	[NLMSG_ERROR] = error_cb,
	[NLMSG_DONE] = done_cb,
	[NLMSG_OVERRUN] = overrun_cb,
};

/* Receive one datagram whatever its size. */
static ssize_t nl_recv(struct nl *nl)
{
	ssize_t n;
	char *p;

	n = recv(mnl_socket_get_fd(nl->sk), NULL, 0, MSG_PEEK | MSG_TRUNC);
	if (n < 0)
		return -errno;
	if ((size_t)n > nl->buflen) {
		p = realloc(nl->buf, (size_t)n);
		if (!p)
			return -ENOMEM;
		nl->buf = p;
		nl->buflen = (size_t)n;
	}
	n = mnl_socket_recvfrom(nl->sk, nl->buf, nl->buflen);
	return n < 0 ? -errno : n;
}

/* Datagrams of one dump, kept until the dump is known to be whole. */
struct dump_buf {
	char *data;
	size_t len, cap;
};

static int dump_keep(struct dump_buf *d, const char *buf, size_t n)
{
	size_t need = d->len + sizeof(size_t) + n;
	char *p;

	/* !d->data: an empty buffer, whatever cap says (gcc -fanalyzer). */
	if (!d->data || need > d->cap) {
		size_t cap = d->cap ? d->cap : 65536;

		while (cap < need)
			cap *= 2;
		p = realloc(d->data, cap);
		if (!p)
			return -ENOMEM;
		d->data = p;
		d->cap = cap;
	}
	memcpy(d->data + d->len, &n, sizeof(n));
	memcpy(d->data + d->len + sizeof(n), buf, n);
	d->len = need;
	return 0;
}

/*
 * Scan one datagram of the dump answering seq: clear and note
 * NLM_F_DUMP_INTR (libmnl stops at it), note the end of the dump.
 */
static void dump_scan(char *buf, size_t n, uint32_t seq, bool *intr,
		      bool *end)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	int len = (int)n;

	while (mnl_nlmsg_ok(nlh, len)) {
		if (nlh->nlmsg_seq == seq) {
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) {
				nlh->nlmsg_flags &= ~NLM_F_DUMP_INTR;
				*intr = true;
			}
			if (nlh->nlmsg_type == NLMSG_DONE ||
			    nlh->nlmsg_type == NLMSG_ERROR ||
			    nlh->nlmsg_type == NLMSG_OVERRUN)
				*end = true;
		}
		nlh = mnl_nlmsg_next(nlh, &len);
	}
}

/*
 * Read a whole dump into d; *intr when the kernel flagged it as changed
 * under it. The socket stays in step whatever happens.
 */
static int dump_read(struct nl *nl, struct nlmsghdr *nlh, struct dump_buf *d,
		     bool *intr)
{
	bool end = false;
	ssize_t n;
	int err;

	d->len = 0;
	*intr = false;
	if (mnl_socket_sendto(nl->sk, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	while (!end) {
		n = nl_recv(nl);
		if (n < 0)
			return (int)n;
		dump_scan(nl->buf, (size_t)n, nlh->nlmsg_seq, intr, &end);
		err = dump_keep(d, nl->buf, (size_t)n);
		if (err)
			return err;
	}
	return 0;
}

/*
 * A dump the kernel flags as interrupted (the set changed between two of
 * its messages) is read again, up to NL_DUMP_RETRIES times; the last one
 * is kept whatever it says: every object that existed throughout is in it
 * exactly once, and the kernel resumes by key, not by position.
 */
#define NL_DUMP_RETRIES	3

static int nl_dump(struct nl *nl, struct nlmsghdr *nlh, struct nl_req *req)
{
	struct dump_buf d = { 0 };
	unsigned int tries = 0;
	size_t off, n;
	bool intr;
	int ret;

	for (;;) {
		ret = dump_read(nl, nlh, &d, &intr);
		if (ret || !intr || tries == NL_DUMP_RETRIES)
			break;
		tries++;
		nlh->nlmsg_seq = ++nl->seq;
	}
	if (!ret && intr)
		fprintf(stderr,
			"psctl: warning: the listing changed while it was read, %u times; objects that existed throughout are listed once\n",
			tries + 1);
	for (off = 0; !ret && off < d.len; off += sizeof(n) + n) {
		memcpy(&n, d.data + off, sizeof(n));
		errno = 0;
		ret = mnl_cb_run2(d.data + off + sizeof(n), n, nlh->nlmsg_seq,
				  nl->portid, data_cb, req, ctl_cbs,
				  NLMSG_MIN_TYPE);
		ret = ret < 0 ? (errno ? -errno : -EBADMSG) : 0;
	}
	free(d.data);
	if (ret)
		return ret;
	return req->err ? req->err : req->cb_err;
}

int nl_request(struct nl *nl, struct nlmsghdr *nlh, nl_cb cb, void *data)
{
	struct nl_req req = { .nl = nl, .cb = cb, .data = data };
	ssize_t n;
	int ret;

	if (!(nlh->nlmsg_flags & NLM_F_DUMP))
		nlh->nlmsg_flags |= NLM_F_ACK;
	nl->ext_msg[0] = '\0';
	nl->has_offs = false;

	if (nlh->nlmsg_flags & NLM_F_DUMP)
		return nl_dump(nl, nlh, &req);

	if (mnl_socket_sendto(nl->sk, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = nl_recv(nl);
		if (n < 0)
			return (int)n;
		errno = 0;
		ret = mnl_cb_run2(nl->buf, (size_t)n, nlh->nlmsg_seq, nl->portid,
				  data_cb, &req, ctl_cbs, NLMSG_MIN_TYPE);
		if (ret < 0)
			return errno ? -errno : -EBADMSG;
	} while (ret > MNL_CB_STOP);

	if (req.err)
		return req.err;
	return req.cb_err;
}

struct nlmsghdr *nl_msg_start(struct nl *nl, void *buf, uint8_t cmd,
			      uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = nl->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = nl->version;
	return nlh;
}

static int group_cb(const struct nlattr *attr, void *data)
{
	struct nl_family *f = data;
	const struct nlattr *a, *name = NULL, *id = NULL;

	mnl_attr_for_each_nested(a, attr) {
		switch (mnl_attr_get_type(a)) {
		case CTRL_ATTR_MCAST_GRP_NAME:
			if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
				return MNL_CB_ERROR;
			name = a;
			break;
		case CTRL_ATTR_MCAST_GRP_ID:
			if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
				return MNL_CB_ERROR;
			id = a;
			break;
		}
	}
	if (!name || !id)
		return MNL_CB_ERROR;
	if (f->ngroups == NL_MAX_GROUPS)
		return MNL_CB_OK;
	snprintf(f->groups[f->ngroups].name, sizeof(f->groups[0].name), "%s",
		 mnl_attr_get_str(name));
	f->groups[f->ngroups++].id = mnl_attr_get_u32(id);
	return MNL_CB_OK;
}

int nl_parse_family(const struct nlmsghdr *nlh, uint8_t *cmd,
		    struct nl_family *f)
{
	static const enum mnl_attr_data_type types[CTRL_ATTR_MAX + 1] = {
		[CTRL_ATTR_FAMILY_ID] = MNL_TYPE_U16,
		[CTRL_ATTR_FAMILY_NAME] = MNL_TYPE_NUL_STRING,
		[CTRL_ATTR_MCAST_GROUPS] = MNL_TYPE_NESTED,
	};
	const struct nlattr *tb[CTRL_ATTR_MAX + 1] = { NULL };
	const struct genlmsghdr *genl;
	const struct nlattr *a;
	int ret;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl))
		return -EBADMSG;
	genl = mnl_nlmsg_get_payload(nlh);
	*cmd = genl->cmd;
	memset(f, 0, sizeof(*f));
	ret = nl_parse(nlh, NULL, types, CTRL_ATTR_MAX, tb);
	if (ret)
		return ret;
	if (!tb[CTRL_ATTR_FAMILY_ID] || !tb[CTRL_ATTR_FAMILY_NAME])
		return -EBADMSG;
	f->id = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	snprintf(f->name, sizeof(f->name), "%s",
		 mnl_attr_get_str(tb[CTRL_ATTR_FAMILY_NAME]));
	if (!tb[CTRL_ATTR_MCAST_GROUPS])
		return 0;
	mnl_attr_for_each_nested(a, tb[CTRL_ATTR_MCAST_GROUPS])
		if (group_cb(a, f) == MNL_CB_ERROR)
			return -EBADMSG;
	return 0;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	uint8_t cmd;

	return nl_parse_family(nlh, &cmd, data);
}

int nl_get_family(struct nl *nl, const char *name, struct nl_family *f)
{
	uint16_t family = nl->family;
	uint8_t version = nl->version;
	char buf[256];
	struct nlmsghdr *nlh;
	int ret;

	memset(f, 0, sizeof(*f));
	nl->family = GENL_ID_CTRL;
	nl->version = 1;
	nlh = nl_msg_start(nl, buf, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);
	nl->family = family;
	nl->version = version;
	ret = nl_request(nl, nlh, family_cb, f);
	if (ret)
		return ret;
	return f->id ? 0 : -EBADMSG;
}

static int resolve_family(struct nl *nl, const char *name, uint8_t version)
{
	int ret;

	ret = nl_get_family(nl, name, &nl->fam);
	if (ret)
		return ret;
	nl->family = nl->fam.id;
	nl->version = version;
	return 0;
}

const struct nl_family *nl_family(const struct nl *nl)
{
	return &nl->fam;
}

void nl_set_family(struct nl *nl, const struct nl_family *f)
{
	nl->fam = *f;
	nl->family = f->id;
}

uint32_t nl_family_group(const struct nl_family *f, const char *name)
{
	unsigned int i;

	for (i = 0; i < f->ngroups; i++)
		if (!strcmp(f->groups[i].name, name))
			return f->groups[i].id;
	return 0;
}

int nl_join(struct nl *nl, uint32_t group)
{
	int g = (int)group;

	if (mnl_socket_setsockopt(nl->sk, NETLINK_ADD_MEMBERSHIP, &g,
				  sizeof(g)) < 0)
		return -errno;
	return 0;
}

int nl_fd(const struct nl *nl)
{
	return mnl_socket_get_fd(nl->sk);
}

/* State of nl_recv_events(). */
struct nl_ev {
	nl_cb cb;
	void *data;
	int err;
};

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_ev *ev = data;
	int ret;

	ret = ev->cb(nlh, ev->data);
	if (ret < 0 && !ev->err)
		ev->err = ret;
	return MNL_CB_OK;
}

static int ignore_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_OK;
}

static mnl_cb_t ev_ctl_cbs[NLMSG_MIN_TYPE] = {
	[NLMSG_NOOP] = ignore_cb,
	[NLMSG_ERROR] = ignore_cb,
	[NLMSG_DONE] = ignore_cb,
	[NLMSG_OVERRUN] = ignore_cb,
};

int nl_recv_events(struct nl *nl, nl_cb cb, void *data)
{
	struct nl_ev ev = { .cb = cb, .data = data };
	ssize_t n;
	int ret;

	n = nl_recv(nl);
	if (n < 0)
		return (int)n;
	/* Sequence and port 0: notifications are not answers to anything. */
	ret = mnl_cb_run2(nl->buf, (size_t)n, 0, 0, event_cb, &ev, ev_ctl_cbs,
			  NLMSG_MIN_TYPE);
	if (ret < 0)
		return -EBADMSG;
	return ev.err;
}

int nl_open(struct nl **out, const char *family, uint8_t version)
{
	struct nl *nl;
	int one = 1, ret;

	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	nl->buflen = 32768;
	nl->buf = malloc(nl->buflen);
	if (!nl->buf) {
		ret = -ENOMEM;
		goto err_free;
	}
	nl->sk = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sk) {
		ret = -errno;
		goto err_free;
	}
	if (mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto err_close;
	}
	/* Both are optional: without them errors just carry less detail. */
	mnl_socket_setsockopt(nl->sk, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sk, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->sk);
	nl->seq = (uint32_t)time(NULL);

	ret = resolve_family(nl, family, version);
	if (ret)
		goto err_close;
	*out = nl;
	return 0;

err_close:
	mnl_socket_close(nl->sk);
err_free:
	free(nl->buf);
	free(nl);
	return ret;
}

void nl_close(struct nl *nl)
{
	if (!nl)
		return;
	mnl_socket_close(nl->sk);
	free(nl->buf);
	free(nl);
}

const char *nl_ext_msg(const struct nl *nl)
{
	return nl->ext_msg;
}

bool nl_ext_offset(const struct nl *nl, uint32_t *offs)
{
	if (nl->has_offs)
		*offs = nl->offs;
	return nl->has_offs;
}

struct parse_ctx {
	const enum mnl_attr_data_type *types;
	unsigned int max;
	const struct nlattr **tb;
};

static int parse_cb(const struct nlattr *attr, void *data)
{
	const struct parse_ctx *ctx = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type > ctx->max)
		return MNL_CB_OK;
	if (ctx->types[type] != MNL_TYPE_UNSPEC &&
	    mnl_attr_validate(attr, ctx->types[type]) < 0)
		return MNL_CB_ERROR;
	ctx->tb[type] = attr;
	return MNL_CB_OK;
}

int nl_parse(const struct nlmsghdr *nlh, const struct nlattr *nest,
	     const enum mnl_attr_data_type *types, unsigned int max,
	     const struct nlattr **tb)
{
	struct parse_ctx ctx = { .types = types, .max = max, .tb = tb };
	int ret;

	if (nest)
		ret = mnl_attr_parse_nested(nest, parse_cb, &ctx);
	else
		ret = mnl_attr_parse(nlh, sizeof(struct genlmsghdr), parse_cb,
				     &ctx);
	return ret == MNL_CB_ERROR ? -EBADMSG : 0;
}
