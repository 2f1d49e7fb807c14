// SPDX-License-Identifier: GPL-2.0
/*
 * psctl prefix add|del|flush|show: the prefixes psmon counts.
 *
 * In batch mode consecutive "prefix add" lines go to the kernel as one
 * PSMON_CMD_PREFIX_NEW message of up to PREFIX_GROUP_MAX prefixes, and
 * consecutive "prefix del" lines as one PSMON_CMD_PREFIX_DEL message. The
 * kernel takes all of them or none, and points at the refused one in its
 * extended ack; psctl then sends the ones before it again and reports the
 * refused one's line, which is what running the lines one by one gives.
 * A full message followed by more lines of the same kind carries
 * PSMON_A_MORE, so that a run of any length costs the kernel one rebuild
 * of its lookup table, with the run's last message.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "format.h"
#include "parse.h"
#include "psctl.h"

#define ERR_LEN			256

/* The largest PSMON_A_PREFIX nest psctl sends. */
#define PREFIX_NEST_MAX							\
	(MNL_ATTR_HDRLEN +						\
	 MNL_ALIGN(MNL_ATTR_HDRLEN + 1) * 2 +	/* FAMILY, PLEN */	\
	 MNL_ALIGN(MNL_ATTR_HDRLEN + 16) +	/* ADDR */		\
	 MNL_ALIGN(MNL_ATTR_HDRLEN + PSMON_NAME_SIZE))	/* NAME */
#define PREFIX_MSG_SIZE							\
	(MNL_NLMSG_HDRLEN + MNL_ALIGN(4) + PREFIX_GROUP_MAX * PREFIX_NEST_MAX)

_Static_assert(PREFIX_MSG_SIZE <= 32768,
	       "a PREFIX_NEW message must stay well below 64 KiB");

/* "prefix add" or "prefix del" lines not sent yet. */
static struct {
	struct prefix_entry e[PREFIX_GROUP_MAX];
	unsigned int n;
	uint8_t cmd;		/* PSMON_CMD_PREFIX_NEW or _DEL */
} group;

static const enum mnl_attr_data_type prefix_types[PSMON_A_PREFIX_MAX + 1] = {
	[PSMON_A_PREFIX_FAMILY] = MNL_TYPE_U8,
	[PSMON_A_PREFIX_ADDR] = MNL_TYPE_BINARY,
	[PSMON_A_PREFIX_PLEN] = MNL_TYPE_U8,
	[PSMON_A_PREFIX_NAME] = MNL_TYPE_NUL_STRING,
	[PSMON_A_PREFIX_RX_PACKETS] = MNL_TYPE_U64,
	[PSMON_A_PREFIX_RX_BYTES] = MNL_TYPE_U64,
	[PSMON_A_PREFIX_TX_PACKETS] = MNL_TYPE_U64,
	[PSMON_A_PREFIX_TX_BYTES] = MNL_TYPE_U64,
	[PSMON_A_PREFIX_LAG] = MNL_TYPE_NESTED,
};

static const enum mnl_attr_data_type plag_types[PSMON_A_PREFIX_LAG_MAX + 1] = {
	[PSMON_A_PREFIX_LAG_IFINDEX] = MNL_TYPE_U32,
	[PSMON_A_PREFIX_LAG_IFNAME] = MNL_TYPE_NUL_STRING,
	[PSMON_A_PREFIX_LAG_RX_PACKETS] = MNL_TYPE_U64,
	[PSMON_A_PREFIX_LAG_RX_BYTES] = MNL_TYPE_U64,
	[PSMON_A_PREFIX_LAG_TX_PACKETS] = MNL_TYPE_U64,
	[PSMON_A_PREFIX_LAG_TX_BYTES] = MNL_TYPE_U64,
};

static const enum mnl_attr_data_type top_types[PSMON_A_MAX + 1] = {
	[PSMON_A_LAG] = MNL_TYPE_NESTED,
	[PSMON_A_PREFIX] = MNL_TYPE_NESTED,
};

int psctl_prefix_reply(const struct nlmsghdr *nlh, const struct nlattr **tb,
		       const struct nlattr **nest, struct psctl_prefix *p)
{
	const struct nlattr *top[PSMON_A_MAX + 1] = { NULL };
	const struct nlattr *addr;

	if (nl_parse(nlh, NULL, top_types, PSMON_A_MAX, top) ||
	    !top[PSMON_A_PREFIX] ||
	    nl_parse(NULL, top[PSMON_A_PREFIX], prefix_types, PSMON_A_PREFIX_MAX, tb) ||
	    !tb[PSMON_A_PREFIX_FAMILY] || !tb[PSMON_A_PREFIX_ADDR] ||
	    !tb[PSMON_A_PREFIX_PLEN])
		return -EBADMSG;
	addr = tb[PSMON_A_PREFIX_ADDR];
	if (prefix_from_raw(p, mnl_attr_get_u8(tb[PSMON_A_PREFIX_FAMILY]),
			    mnl_attr_get_payload(addr),
			    mnl_attr_get_payload_len(addr),
			    mnl_attr_get_u8(tb[PSMON_A_PREFIX_PLEN])))
		return -EBADMSG;
	*nest = top[PSMON_A_PREFIX];
	return 0;
}

int psctl_prefix_lag(const struct nlattr *a, const struct nlattr **lt)
{
	memset(lt, 0, (PSMON_A_PREFIX_LAG_MAX + 1) * sizeof(*lt));
	if (nl_parse(NULL, a, plag_types, PSMON_A_PREFIX_LAG_MAX, lt) ||
	    !lt[PSMON_A_PREFIX_LAG_IFNAME])
		return -EBADMSG;
	return 0;
}

static uint64_t get_u64(const struct nlattr *a)
{
	return a ? mnl_attr_get_u64(a) : 0;
}

static int usage_err(struct psctl *ctx, const char *msg)
{
	psctl_err(ctx, "%s", msg);
	return EXIT_USAGE;
}

/* FAMILY, ADDR and PLEN: what identifies a prefix. */
static void put_key(struct nlmsghdr *nlh, const struct psctl_prefix *p)
{
	mnl_attr_put_u8(nlh, PSMON_A_PREFIX_FAMILY, p->family);
	mnl_attr_put(nlh, PSMON_A_PREFIX_ADDR, p->family == AF_INET ? 4 : 16,
		     p->addr);
	mnl_attr_put_u8(nlh, PSMON_A_PREFIX_PLEN, p->plen);
}

/*
 * Send e[0..n) in one message and note where each nest starts, so that
 * the extended ack's offset tells which entry was refused.
 */
static int send_msg(struct nl *nl, uint8_t cmd, const struct prefix_entry *e,
		    unsigned int n, bool more, uint32_t *start)
{
	static char buf[PREFIX_MSG_SIZE];
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	unsigned int i;

	nlh = nl_msg_start(nl, buf, cmd, 0);
	for (i = 0; i < n; i++) {
		start[i] = nlh->nlmsg_len;
		nest = mnl_attr_nest_start(nlh, PSMON_A_PREFIX);
		put_key(nlh, &e[i].prefix);
		if (cmd == PSMON_CMD_PREFIX_NEW && e[i].has_name)
			mnl_attr_put_strz(nlh, PSMON_A_PREFIX_NAME, e[i].name);
		mnl_attr_nest_end(nlh, nest);
	}
	start[n] = nlh->nlmsg_len;
	if (more)
		mnl_attr_put(nlh, PSMON_A_MORE, 0, NULL);
	return nl_request(nl, nlh, NULL, NULL);
}

static int report(struct psctl *ctx, const struct prefix_entry *e, int err,
		  const char *msg)
{
	char text[PREFIX_STRLEN], what[PREFIX_STRLEN + 8];

	ctx->line = e->line;
	prefix_format(&e->prefix, text, sizeof(text));
	snprintf(what, sizeof(what), "prefix %s", text);
	return psctl_report_about(ctx, err, msg, what, text);
}

/*
 * cmd (PREFIX_NEW or PREFIX_DEL) for e[0..n), n <= PREFIX_GROUP_MAX, in as
 * few messages as refusals allow; *done counts the entries that took
 * effect. A refused entry is reported with its line and ends the run: the
 * entries sent again after a refusal go without more (the kernel has
 * published its table on the refusal), so that nothing waits.
 */
static int prefix_send(struct psctl *ctx, struct nl *nl, uint8_t cmd,
		       const struct prefix_entry *e, unsigned int n, bool more,
		       unsigned int *done)
{
	uint32_t start[PREFIX_GROUP_MAX + 1], offs;
	char msg[NL_EXT_MSG_LEN];
	unsigned int i, k, part;
	int err, ret;

	*done = 0;
	err = send_msg(nl, cmd, e, n, more, start);
	if (!err) {
		psctl_kernel_warn(ctx);
		*done = n;
		return 0;
	}
	snprintf(msg, sizeof(msg), "%s", nl_ext_msg(nl));
	if (n == 1)
		return report(ctx, e, err, msg);

	k = n;
	if (nl_ext_offset(nl, &offs))
		for (i = 0; i < n; i++)
			if (offs >= start[i] && offs < start[i + 1])
				k = i;
	if (k == n) {
		/* No entry named: find it by sending them one at a time. */
		for (i = 0; i < n; i++) {
			ret = prefix_send(ctx, nl, cmd, e + i, 1, false,
					  &part);
			*done += part;
			if (ret)
				return ret;
		}
		return 0;
	}
	/* Nothing was done: the entries before the refused one go again. */
	if (k) {
		ret = prefix_send(ctx, nl, cmd, e, k, false, done);
		if (ret)
			return ret;
	}
	return report(ctx, &e[k], err, msg);
}

int psctl_prefix_add(struct psctl *ctx, struct nl *nl,
		     const struct prefix_entry *e, unsigned int n, bool more,
		     unsigned int *done)
{
	return prefix_send(ctx, nl, PSMON_CMD_PREFIX_NEW, e, n, more, done);
}

int psctl_prefix_del(struct psctl *ctx, struct nl *nl,
		     const struct prefix_entry *e, unsigned int n, bool more,
		     unsigned int *done)
{
	return prefix_send(ctx, nl, PSMON_CMD_PREFIX_DEL, e, n, more, done);
}

/* Send the queued lines; with more, lines of the same kind follow. */
static int send_group(struct psctl *ctx, bool more)
{
	unsigned long line = ctx->line;
	unsigned int n = group.n, done;
	struct nl *nl;
	int ret;

	group.n = 0;
	if (!n)
		return 0;
	/* Errors opening the socket belong to the first queued line. */
	ctx->line = group.e[0].line;
	ret = psctl_nl(ctx, &nl);
	if (!ret)
		ret = prefix_send(ctx, nl, group.cmd, group.e, n, more, &done);
	/* On failure ctx->line names the line that failed. */
	if (!ret)
		ctx->line = line;
	return ret;
}

static int flush_group(struct psctl *ctx)
{
	return send_group(ctx, false);
}

/* Queue e for the group of cmd; in batch mode it waits for more. */
static int queue(struct psctl *ctx, uint8_t cmd, const struct prefix_entry *e,
		 int (*run)(struct psctl *ctx, int argc, char **argv))
{
	int ret;

	if (group.n == PREFIX_GROUP_MAX && group.cmd == cmd) {
		ret = send_group(ctx, true);
		if (ret)
			return ret;
	} else if (group.n && group.cmd != cmd) {
		ret = psctl_flush(ctx);
		if (ret)
			return ret;
	}
	group.cmd = cmd;
	group.e[group.n] = *e;
	group.e[group.n++].line = ctx->line;
	ctx->flush = flush_group;
	ctx->pending_cmd = run;

	/* With -f each line goes alone, so that a refusal skips only it. */
	return ctx->batch_name && !ctx->force ? 0 : psctl_flush(ctx);
}

static int prefix_add(struct psctl *ctx, int argc, char **argv)
{
	struct prefix_entry e = { 0 };
	struct prefix_args a;
	char err[ERR_LEN];
	int ret;

	if (parse_prefix_add_args(argc, argv, &a, err, sizeof(err))) {
		/* The lines before this one are run first. */
		ret = psctl_flush(ctx);
		return ret ? ret : usage_err(ctx, err);
	}
	e.prefix = a.prefix;
	e.has_name = a.has_name;
	memcpy(e.name, a.name, sizeof(e.name));
	return queue(ctx, PSMON_CMD_PREFIX_NEW, &e, prefix_add);
}

/* "prefix COMMAND PREFIX" with nothing after PREFIX. */
static int one_prefix(struct psctl *ctx, int argc, char **argv,
		      struct psctl_prefix *p)
{
	char err[ERR_LEN];

	if (argc == 0)
		return usage_err(ctx, "missing PREFIX");
	if (parse_prefix(argv[0], p, err, sizeof(err)))
		return usage_err(ctx, err);
	if (argc > 1) {
		psctl_err(ctx, "unexpected argument \"%s\"", argv[1]);
		return EXIT_USAGE;
	}
	return 0;
}

static int prefix_del(struct psctl *ctx, int argc, char **argv)
{
	struct prefix_entry e = { 0 };
	int ret;

	ret = one_prefix(ctx, argc, argv, &e.prefix);
	if (ret) {
		/* The lines before this one are run first. */
		int r = psctl_flush(ctx);

		return r ? r : ret;
	}
	return queue(ctx, PSMON_CMD_PREFIX_DEL, &e, prefix_del);
}

static int prefix_flush(struct psctl *ctx, int argc, char **argv)
{
	char buf[256];
	struct nlmsghdr *nlh;
	struct nl *nl;
	int ret;

	if (argc) {
		psctl_err(ctx, "unexpected argument \"%s\"", argv[0]);
		return EXIT_USAGE;
	}
	ret = psctl_nl(ctx, &nl);
	if (ret)
		return ret;
	nlh = nl_msg_start(nl, buf, PSMON_CMD_PREFIX_FLUSH, 0);
	ret = nl_request(nl, nlh, NULL, NULL);
	if (ret)
		return psctl_kernel_err(ctx, ret, "prefix flush");
	psctl_kernel_warn(ctx);
	return 0;
}

struct show {
	struct psctl *ctx;
	bool header_done;
};

struct counters {
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
};

static void json_counters(struct json *j, const struct counters *c)
{
	json_u64(j, "rx_packets", c->rx_packets);
	json_u64(j, "rx_bytes", c->rx_bytes);
	json_u64(j, "tx_packets", c->tx_packets);
	json_u64(j, "tx_bytes", c->tx_bytes);
}

static int print_lags_json(struct json *j, const struct nlattr *nest)
{
	const struct nlattr *tb[PSMON_A_PREFIX_LAG_MAX + 1];
	const struct nlattr *a;
	struct counters c;

	json_begin_array(j, "lags");
	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) != PSMON_A_PREFIX_LAG)
			continue;
		if (psctl_prefix_lag(a, tb)) {
			json_end_array(j);
			return -EBADMSG;
		}
		c.rx_packets = get_u64(tb[PSMON_A_PREFIX_LAG_RX_PACKETS]);
		c.rx_bytes = get_u64(tb[PSMON_A_PREFIX_LAG_RX_BYTES]);
		c.tx_packets = get_u64(tb[PSMON_A_PREFIX_LAG_TX_PACKETS]);
		c.tx_bytes = get_u64(tb[PSMON_A_PREFIX_LAG_TX_BYTES]);
		json_begin_object(j, NULL);
		json_string(j, "dev", mnl_attr_get_str(tb[PSMON_A_PREFIX_LAG_IFNAME]));
		json_counters(j, &c);
		json_end_object(j);
	}
	json_end_array(j);
	return 0;
}

static int print_lags(const struct nlattr *nest)
{
	const struct nlattr *tb[PSMON_A_PREFIX_LAG_MAX + 1];
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) != PSMON_A_PREFIX_LAG)
			continue;
		if (psctl_prefix_lag(a, tb))
			return -EBADMSG;
		psctl_counters_row(stdout,
				   mnl_attr_get_str(tb[PSMON_A_PREFIX_LAG_IFNAME]),
				   get_u64(tb[PSMON_A_PREFIX_LAG_RX_PACKETS]),
				   get_u64(tb[PSMON_A_PREFIX_LAG_RX_BYTES]),
				   get_u64(tb[PSMON_A_PREFIX_LAG_TX_PACKETS]),
				   get_u64(tb[PSMON_A_PREFIX_LAG_TX_BYTES]));
	}
	return 0;
}

static int show_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[PSMON_A_PREFIX_MAX + 1] = { NULL };
	const struct nlattr *nest;
	struct show *s = data;
	struct psctl *ctx = s->ctx;
	char text[PREFIX_STRLEN];
	const char *name = NULL;
	struct psctl_prefix p;
	struct counters c;
	int ret = 0;

	if (psctl_prefix_reply(nlh, tb, &nest, &p))
		return -EBADMSG;
	prefix_format(&p, text, sizeof(text));
	if (tb[PSMON_A_PREFIX_NAME])
		name = mnl_attr_get_str(tb[PSMON_A_PREFIX_NAME]);
	c.rx_packets = get_u64(tb[PSMON_A_PREFIX_RX_PACKETS]);
	c.rx_bytes = get_u64(tb[PSMON_A_PREFIX_RX_BYTES]);
	c.tx_packets = get_u64(tb[PSMON_A_PREFIX_TX_PACKETS]);
	c.tx_bytes = get_u64(tb[PSMON_A_PREFIX_TX_BYTES]);

	if (ctx->json) {
		json_begin_object(&ctx->jw, NULL);
		json_string(&ctx->jw, "prefix", text);
		json_string(&ctx->jw, "name", name);
		if (ctx->stats) {
			json_counters(&ctx->jw, &c);
			ret = print_lags_json(&ctx->jw, nest);
		}
		json_end_object(&ctx->jw);
		return ret;
	}

	if (ctx->stats && !s->header_done) {
		psctl_counters_header(stdout);
		s->header_done = true;
	}
	if (name)
		printf("%-18s name %s\n", text, name);
	else
		printf("%s\n", text);
	if (!ctx->stats)
		return 0;
	psctl_counters_row(stdout, "total", c.rx_packets, c.rx_bytes,
			   c.tx_packets, c.tx_bytes);
	return print_lags(nest);
}

static int prefix_show(struct psctl *ctx, int argc, char **argv)
{
	char buf[256], text[PREFIX_STRLEN], what[PREFIX_STRLEN + 8];
	struct show s = { .ctx = ctx };
	struct psctl_prefix p;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct nl *nl;
	int ret = 0;

	if (argc)
		ret = one_prefix(ctx, argc, argv, &p);
	if (!ret)
		ret = psctl_nl(ctx, &nl);
	if (ret)
		return ret;

	if (argc) {
		nlh = nl_msg_start(nl, buf, PSMON_CMD_PREFIX_GET, 0);
		nest = mnl_attr_nest_start(nlh, PSMON_A_PREFIX);
		put_key(nlh, &p);
		mnl_attr_nest_end(nlh, nest);
	} else {
		nlh = nl_msg_start(nl, buf, PSMON_CMD_PREFIX_GET, NLM_F_DUMP);
	}

	if (ctx->json)
		json_begin_array(&ctx->jw, NULL);
	ret = nl_request(nl, nlh, show_cb, &s);
	if (ctx->json)
		json_end_array(&ctx->jw);
	if (ret) {
		if (!argc)
			return psctl_kernel_err(ctx, ret, "prefix show");
		prefix_format(&p, text, sizeof(text));
		snprintf(what, sizeof(what), "prefix %s", text);
		return psctl_report_about(ctx, ret, nl_ext_msg(nl), what, text);
	}
	return 0;
}

static const struct psctl_cmd prefix_cmds[] = {
	{ "add", prefix_add },
	{ "del", prefix_del },
	{ "flush", prefix_flush },
	{ "show", prefix_show },
	{ "get", prefix_get_main },
	{ NULL, NULL },
};

const struct psctl_object prefix_object = {
	.name = "prefix",
	.cmds = prefix_cmds,
	.default_cmd = "show",
	.synopsis =
	"  psctl prefix add PREFIX [name NAME] [allow-reserved]\n"
	"  psctl prefix del PREFIX\n"
	"  psctl prefix flush\n"
	"  psctl prefix show [PREFIX]\n"
	"  psctl prefix get ADDRESS\n",
	.arguments =
	"  PREFIX  IPv4 a.b.c.d/8..32 or IPv6 x:x::/16..128, host bits zero;\n"
	"          reserved ranges (private, documentation, ...) need allow-reserved\n"
	"  ADDRESS an IPv4 or IPv6 address: get prints the registered prefix it counts to\n"
	"  NAME    1 to 63 printable ASCII characters, no spaces, quotes or backslashes\n",
};
