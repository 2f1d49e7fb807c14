// SPDX-License-Identifier: GPL-2.0
/*
 * psctl lag add|set|del|show: the LAGs psmon counts on.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "parse.h"
#include "psctl.h"

#define LAG_MSG_SIZE	1024
#define ERR_LEN		256

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
};

static const enum mnl_attr_data_type top_types[PSMON_A_MAX + 1] = {
	[PSMON_A_LAG] = MNL_TYPE_NESTED,
	[PSMON_A_PREFIX] = MNL_TYPE_NESTED,
};

struct counters {
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
};

struct member {
	const char *dev;
	uint32_t speed;		/* Mbit/s, 0 when unknown */
	bool up;
	struct counters c;
};

struct lag {
	const char *dev;
	uint32_t kind;
	uint64_t capacity;
	bool capacity_auto;
	uint8_t threshold, clear;
	uint32_t window;
	struct counters c, unmatched;
	struct member *members;
	size_t nmembers;
};

struct show {
	struct psctl *ctx;
	struct member *members;	/* reused from one LAG to the next */
	size_t cap;
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

static const char *kind_name(uint32_t kind)
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

static int parse_member(const struct nlattr *nest, struct member *m)
{
	const struct nlattr *tb[PSMON_A_MEMBER_MAX + 1] = { NULL };

	if (nl_parse(NULL, nest, member_types, PSMON_A_MEMBER_MAX, tb) ||
	    !tb[PSMON_A_MEMBER_IFNAME])
		return -EBADMSG;
	m->dev = mnl_attr_get_str(tb[PSMON_A_MEMBER_IFNAME]);
	m->speed = get_u32(tb[PSMON_A_MEMBER_SPEED]);
	m->up = get_u8(tb[PSMON_A_MEMBER_UP]);
	m->c.rx_packets = get_u64(tb[PSMON_A_MEMBER_RX_PACKETS]);
	m->c.rx_bytes = get_u64(tb[PSMON_A_MEMBER_RX_BYTES]);
	m->c.tx_packets = get_u64(tb[PSMON_A_MEMBER_TX_PACKETS]);
	m->c.tx_bytes = get_u64(tb[PSMON_A_MEMBER_TX_BYTES]);
	return 0;
}

static int parse_lag(struct show *s, const struct nlattr *nest, struct lag *l)
{
	const struct nlattr *tb[PSMON_A_LAG_MAX + 1] = { NULL };
	const struct nlattr *a;
	struct member *m;
	int ret;

	if (nl_parse(NULL, nest, lag_types, PSMON_A_LAG_MAX, tb) ||
	    !tb[PSMON_A_LAG_IFNAME])
		return -EBADMSG;
	memset(l, 0, sizeof(*l));
	l->dev = mnl_attr_get_str(tb[PSMON_A_LAG_IFNAME]);
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

	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) != PSMON_A_LAG_MEMBER)
			continue;
		if (l->nmembers == s->cap) {
			size_t cap = s->cap ? 2 * s->cap : 8;

			m = realloc(s->members, cap * sizeof(*m));
			if (!m)
				return -ENOMEM;
			s->members = m;
			s->cap = cap;
		}
		ret = parse_member(a, &s->members[l->nmembers]);
		if (ret)
			return ret;
		l->nmembers++;
	}
	l->members = s->members;
	return 0;
}

static void json_counters(struct json *j, const char *prefix,
			  const struct counters *c)
{
	char key[64];

	snprintf(key, sizeof(key), "%srx_packets", prefix);
	json_u64(j, key, c->rx_packets);
	snprintf(key, sizeof(key), "%srx_bytes", prefix);
	json_u64(j, key, c->rx_bytes);
	snprintf(key, sizeof(key), "%stx_packets", prefix);
	json_u64(j, key, c->tx_packets);
	snprintf(key, sizeof(key), "%stx_bytes", prefix);
	json_u64(j, key, c->tx_bytes);
}

/*
 * The keys of the contract, in its order. Rates, utilisation and alert
 * state follow the settings once the kernel reports them.
 */
static void print_lag_json(struct psctl *ctx, const struct lag *l)
{
	struct json *j = &ctx->jw;
	size_t i;

	json_begin_object(j, NULL);
	json_string(j, "dev", l->dev);
	json_string(j, "kind", kind_name(l->kind));
	json_begin_array(j, "members");
	for (i = 0; i < l->nmembers; i++) {
		const struct member *m = &l->members[i];

		json_begin_object(j, NULL);
		json_string(j, "dev", m->dev);
		if (m->speed)
			json_u64(j, "speed_mbps", m->speed);
		else
			json_null(j, "speed_mbps");
		json_bool(j, "up", m->up);
		if (ctx->stats)
			json_counters(j, "", &m->c);
		json_end_object(j);
	}
	json_end_array(j);
	json_u64(j, "capacity_bps", l->capacity);
	json_bool(j, "capacity_auto", l->capacity_auto);
	json_u64(j, "threshold_pct", l->threshold);
	json_u64(j, "clear_pct", l->clear);
	json_u64(j, "window_s", l->window);
	json_counters(j, "unmatched_", &l->unmatched);
	if (ctx->stats)
		json_counters(j, "", &l->c);
	json_end_object(j);
}

static void print_unmatched(const struct counters *c)
{
	char rx[FMT_BUFLEN], tx[FMT_BUFLEN];

	fmt_bytes(rx, sizeof(rx), c->rx_bytes);
	fmt_bytes(tx, sizeof(tx), c->tx_bytes);
	printf("    unmatched: rx %llu packets, %s; tx %llu packets, %s\n",
	       (unsigned long long)c->rx_packets, rx,
	       (unsigned long long)c->tx_packets, tx);
}

static void print_lag(struct psctl *ctx, const struct lag *l)
{
	char rate[FMT_BUFLEN];
	size_t i;

	fmt_rate(rate, sizeof(rate), l->capacity);
	printf("%s: %s, capacity %s%s, threshold %u%%, clear %u%%, window %u s\n",
	       l->dev, kind_name(l->kind), rate,
	       l->capacity_auto ? " (auto)" : "", l->threshold, l->clear,
	       l->window);
	for (i = 0; i < l->nmembers; i++) {
		const struct member *m = &l->members[i];

		if (m->speed)
			fmt_rate(rate, sizeof(rate), (uint64_t)m->speed * 1000000);
		else
			snprintf(rate, sizeof(rate), "speed unknown");
		printf("    %-16s %-5s %s\n", m->dev, m->up ? "up" : "down", rate);
	}
	if (!l->nmembers)
		printf("    no members\n");

	if (!ctx->stats) {
		print_unmatched(&l->unmatched);
		return;
	}
	psctl_counters_header(stdout);
	for (i = 0; i < l->nmembers; i++) {
		const struct counters *c = &l->members[i].c;

		psctl_counters_row(stdout, l->members[i].dev, c->rx_packets,
				   c->rx_bytes, c->tx_packets, c->tx_bytes);
	}
	psctl_counters_row(stdout, "all members", l->c.rx_packets, l->c.rx_bytes,
			   l->c.tx_packets, l->c.tx_bytes);
	psctl_counters_row(stdout, "unmatched", l->unmatched.rx_packets,
			   l->unmatched.rx_bytes, l->unmatched.tx_packets,
			   l->unmatched.tx_bytes);
}

static int show_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[PSMON_A_MAX + 1] = { NULL };
	struct show *s = data;
	struct lag l;
	int ret;

	if (nl_parse(nlh, NULL, top_types, PSMON_A_MAX, tb) || !tb[PSMON_A_LAG])
		return -EBADMSG;
	ret = parse_lag(s, tb[PSMON_A_LAG], &l);
	if (ret)
		return ret;
	if (s->ctx->json)
		print_lag_json(s->ctx, &l);
	else
		print_lag(s->ctx, &l);
	return 0;
}

static int usage_err(struct psctl *ctx, const char *msg)
{
	psctl_err(ctx, "%s", msg);
	return EXIT_USAGE;
}

/* "lag COMMAND DEV" with nothing after DEV. */
static int one_dev(struct psctl *ctx, int argc, char **argv, bool optional)
{
	char err[ERR_LEN];

	if (argc == 0 && optional)
		return 0;
	if (argc == 0)
		return usage_err(ctx, "missing DEV");
	if (parse_dev(argv[0], err, sizeof(err)))
		return usage_err(ctx, err);
	if (argc > 1) {
		psctl_err(ctx, "unexpected argument \"%s\"", argv[1]);
		return EXIT_USAGE;
	}
	return 0;
}

static int lag_show(struct psctl *ctx, int argc, char **argv)
{
	char buf[LAG_MSG_SIZE], what[64];
	struct show s = { .ctx = ctx };
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct nl *nl;
	int ret;

	ret = one_dev(ctx, argc, argv, true);
	if (!ret)
		ret = psctl_nl(ctx, &nl);
	if (ret)
		return ret;

	if (argc) {
		nlh = nl_msg_start(nl, buf, PSMON_CMD_LAG_GET, 0);
		nest = mnl_attr_nest_start(nlh, PSMON_A_LAG);
		mnl_attr_put_strz(nlh, PSMON_A_LAG_IFNAME, argv[0]);
		mnl_attr_nest_end(nlh, nest);
	} else {
		nlh = nl_msg_start(nl, buf, PSMON_CMD_LAG_GET, NLM_F_DUMP);
	}

	if (ctx->json)
		json_begin_array(&ctx->jw, NULL);
	ret = nl_request(nl, nlh, show_cb, &s);
	if (ctx->json)
		json_end_array(&ctx->jw);
	free(s.members);
	if (ret) {
		snprintf(what, sizeof(what), "lag %s", argc ? argv[0] : "show");
		return psctl_kernel_err(ctx, ret, what);
	}
	return 0;
}

static int lag_change(struct psctl *ctx, int argc, char **argv, uint8_t cmd)
{
	char buf[LAG_MSG_SIZE], err[ERR_LEN], what[64];
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct lag_args a;
	struct nl *nl;
	int ret;

	if (parse_lag_args(argc, argv, &a, err, sizeof(err)))
		return usage_err(ctx, err);
	if (cmd == PSMON_CMD_LAG_SET && !a.has_capacity && !a.has_threshold &&
	    !a.has_clear && !a.has_window)
		return usage_err(ctx,
				 "nothing to change: give capacity, threshold, clear or window");
	ret = psctl_nl(ctx, &nl);
	if (ret)
		return ret;

	nlh = nl_msg_start(nl, buf, cmd, 0);
	nest = mnl_attr_nest_start(nlh, PSMON_A_LAG);
	mnl_attr_put_strz(nlh, PSMON_A_LAG_IFNAME, a.dev);
	if (a.has_capacity && a.capacity_auto)
		mnl_attr_put_u8(nlh, PSMON_A_LAG_CAPACITY_AUTO, 1);
	else if (a.has_capacity)
		mnl_attr_put_u64(nlh, PSMON_A_LAG_CAPACITY, a.capacity);
	if (a.has_threshold)
		mnl_attr_put_u8(nlh, PSMON_A_LAG_THRESHOLD, a.threshold);
	if (a.has_clear)
		mnl_attr_put_u8(nlh, PSMON_A_LAG_CLEAR, a.clear);
	if (a.has_window)
		mnl_attr_put_u32(nlh, PSMON_A_LAG_WINDOW, a.window);
	mnl_attr_nest_end(nlh, nest);

	ret = nl_request(nl, nlh, NULL, NULL);
	if (ret) {
		snprintf(what, sizeof(what), "lag %s", a.dev);
		return psctl_kernel_err(ctx, ret, what);
	}
	psctl_kernel_warn(ctx);
	return 0;
}

static int lag_add(struct psctl *ctx, int argc, char **argv)
{
	return lag_change(ctx, argc, argv, PSMON_CMD_LAG_NEW);
}

static int lag_set(struct psctl *ctx, int argc, char **argv)
{
	return lag_change(ctx, argc, argv, PSMON_CMD_LAG_SET);
}

static int lag_del(struct psctl *ctx, int argc, char **argv)
{
	char buf[LAG_MSG_SIZE], what[64];
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct nl *nl;
	int ret;

	ret = one_dev(ctx, argc, argv, false);
	if (!ret)
		ret = psctl_nl(ctx, &nl);
	if (ret)
		return ret;

	nlh = nl_msg_start(nl, buf, PSMON_CMD_LAG_DEL, 0);
	nest = mnl_attr_nest_start(nlh, PSMON_A_LAG);
	mnl_attr_put_strz(nlh, PSMON_A_LAG_IFNAME, argv[0]);
	mnl_attr_nest_end(nlh, nest);

	ret = nl_request(nl, nlh, NULL, NULL);
	if (ret) {
		snprintf(what, sizeof(what), "lag %s", argv[0]);
		return psctl_kernel_err(ctx, ret, what);
	}
	psctl_kernel_warn(ctx);
	return 0;
}

static const struct psctl_cmd lag_cmds[] = {
	{ "add", lag_add },
	{ "set", lag_set },
	{ "del", lag_del },
	{ "show", lag_show },
	{ NULL, NULL },
};

const struct psctl_object lag_object = {
	.name = "lag",
	.cmds = lag_cmds,
	.default_cmd = "show",
	.synopsis =
	"  psctl lag add DEV [capacity RATE|auto] [threshold PCT] [clear PCT] [window SECS]\n"
	"  psctl lag set DEV [capacity RATE|auto] [threshold PCT] [clear PCT] [window SECS]\n"
	"  psctl lag del DEV\n"
	"  psctl lag show [DEV]\n",
	.arguments =
	"  DEV     a bond or team master, or a plain interface (a one-member LAG)\n"
	"  RATE    NUMBER[bit|kbit|mbit|gbit|tbit], decimal units, bit/s without one;\n"
	"          auto: the sum of the speeds of the members that are up (default)\n"
	"  PCT     1 to 100; threshold 40 and clear 35 by default, clear below threshold\n"
	"  SECS    1 to 3600, window 300 by default\n",
};
