// SPDX-License-Identifier: GPL-2.0
/*
 * psctl lag add|set|del|show|ack: the LAGs psmon counts on.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format.h"
#include "parse.h"
#include "psctl.h"
#include "statefile.h"

#define LAG_MSG_SIZE	1024
#define ERR_LEN		256

struct show {
	struct psctl *ctx;
	struct state st;	/* recorded crossings and peaks */
	int64_t now;
};

static size_t active_members(const struct lag_info *l)
{
	size_t i, n = 0;

	for (i = 0; i < l->nmembers; i++)
		n += l->members[i].active;
	return n;
}

static void json_counters(struct json *j, const char *prefix,
			  const struct lag_counters *c)
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

static void json_pct(struct json *j, const char *key, uint32_t ppm)
{
	json_double(j, key, ppm / 10000.0);
}

static void json_rate(struct json *j, const char *key, bool has, uint64_t bps)
{
	if (has)
		json_double(j, key, (double)bps);
	else
		json_null(j, key);
}

static void print_member_json(struct psctl *ctx, const struct lag_member *m)
{
	struct json *j = &ctx->jw;
	uint32_t rx, tx;

	json_begin_object(j, NULL);
	json_string(j, "dev", m->dev);
	if (m->speed)
		json_u64(j, "speed_mbps", m->speed);
	else
		json_null(j, "speed_mbps");
	json_bool(j, "up", m->up);
	json_rate(j, "rx_bps", m->has_rates, m->rx_bps);
	json_rate(j, "tx_bps", m->has_rates, m->tx_bps);
	if (member_util(m, m->rx_bps, &rx) && member_util(m, m->tx_bps, &tx)) {
		json_pct(j, "utilization_pct", rx > tx ? rx : tx);
		json_pct(j, "rx_utilization_pct", rx);
		json_pct(j, "tx_utilization_pct", tx);
	} else {
		json_null(j, "utilization_pct");
		json_null(j, "rx_utilization_pct");
		json_null(j, "tx_utilization_pct");
	}
	json_bool(j, "active", m->active);
	if (m->active)
		json_null(j, "inactive_reason");
	else
		json_string(j, "inactive_reason",
			    member_inactive_name(m->inactive));
	json_rate(j, "hook_rx_bps", m->has_state, m->hook_rx_bps);
	json_rate(j, "hook_tx_bps", m->has_state, m->hook_tx_bps);
	if (ctx->stats) {
		json_counters(j, "", &m->c);
		json_counters(j, "if_", &m->ifc);
	}
	json_end_object(j);
}

/*
 * The keys of the contract, in its order, then the extra ones: per
 * direction, N-1, peak, how many seconds the rates cover.
 */
static void print_lag_json(struct show *s, const struct lag_info *l)
{
	struct json *j = &s->ctx->jw;
	uint64_t top = l->rx_bps > l->tx_bps ? l->rx_bps : l->tx_bps;
	uint32_t peak;
	int64_t since;
	size_t i;

	state_recorded(&s->st, l, &since, &peak);
	json_begin_object(j, NULL);
	json_string(j, "dev", l->dev);
	json_string(j, "kind", lag_kind_name(l->kind));
	json_begin_array(j, "members");
	for (i = 0; i < l->nmembers; i++)
		print_member_json(s->ctx, &l->members[i]);
	json_end_array(j);
	json_u64(j, "capacity_bps", l->capacity);
	json_bool(j, "capacity_auto", l->capacity_auto);
	json_u64(j, "threshold_pct", l->threshold);
	json_u64(j, "clear_pct", l->clear);
	json_u64(j, "window_s", l->window);
	json_rate(j, "rx_bps", l->has_rates, l->rx_bps);
	json_rate(j, "tx_bps", l->has_rates, l->tx_bps);
	if (l->has_rates)
		json_pct(j, "utilization_pct", lag_util(l));
	else
		json_null(j, "utilization_pct");
	json_bool(j, "alert", l->alert);
	if (since)
		json_u64(j, "alert_since", (uint64_t)since);
	else
		json_null(j, "alert_since");
	json_counters(j, "unmatched_", &l->unmatched);
	json_string(j, "mode", l->mode[0] ? l->mode : lag_kind_name(l->kind));
	json_u64(j, "active_capacity_bps", l->active_capacity);
	if (l->has_rates)
		json_pct(j, "active_utilization_pct", lag_active_util(l));
	else
		json_null(j, "active_utilization_pct");
	json_bool(j, "degraded", l->degraded);
	json_bool(j, "overload", l->overload);
	json_u64(j, "active_members", active_members(l));
	json_rate(j, "hook_rx_bps", l->has_state, l->hook_rx_bps);
	json_rate(j, "hook_tx_bps", l->has_state, l->hook_tx_bps);
	if (l->has_rates) {
		json_pct(j, "rx_utilization_pct", l->rx_util);
		json_pct(j, "tx_utilization_pct", l->tx_util);
	} else {
		json_null(j, "rx_utilization_pct");
		json_null(j, "tx_utilization_pct");
	}
	if (l->n1_capacity) {
		json_u64(j, "n1_capacity_bps", l->n1_capacity);
		json_pct(j, "n1_utilization_pct", util_ppm(top, l->n1_capacity));
	} else {
		json_null(j, "n1_capacity_bps");
		json_null(j, "n1_utilization_pct");
	}
	json_pct(j, "peak_utilization_pct", peak);
	json_u64(j, "rate_seconds", l->samples);
	if (s->ctx->stats) {
		json_counters(j, "", &l->c);
		json_counters(j, "if_", &l->ifc);
	}
	json_end_object(j);
}

static void print_unmatched(const struct lag_counters *c)
{
	char rx[FMT_BUFLEN], tx[FMT_BUFLEN];

	fmt_bytes(rx, sizeof(rx), c->rx_bytes);
	fmt_bytes(tx, sizeof(tx), c->tx_bytes);
	printf("    unmatched: rx %llu packets, %s; tx %llu packets, %s\n",
	       (unsigned long long)c->rx_packets, rx,
	       (unsigned long long)c->tx_packets, tx);
}

/* "4.12 Gbit/s (41.2%)", or just the rate when the share is unknown. */
static void rate_pct(char *buf, size_t len, uint64_t bps, bool has_pct,
		     uint32_t ppm)
{
	char rate[FMT_BUFLEN], pct[FMT_BUFLEN];

	fmt_rate(rate, sizeof(rate), bps);
	if (!has_pct) {
		snprintf(buf, len, "%s", rate);
		return;
	}
	fmt_pct(pct, sizeof(pct), ppm);
	snprintf(buf, len, "%s (%s)", rate, pct);
}

static void print_rates(const struct lag_info *l, uint32_t peak)
{
	uint64_t top = l->rx_bps > l->tx_bps ? l->rx_bps : l->tx_bps;
	char rx[2 * FMT_BUFLEN + 4], tx[2 * FMT_BUFLEN + 4], n1[FMT_BUFLEN];
	char pk[FMT_BUFLEN];

	if (!l->has_rates)
		return;
	if (!l->samples) {
		printf("    rates: none yet\n");
		return;
	}
	rate_pct(rx, sizeof(rx), l->rx_bps, true, l->rx_util);
	rate_pct(tx, sizeof(tx), l->tx_bps, true, l->tx_util);
	fmt_pct(pk, sizeof(pk), peak);
	if (l->n1_capacity)
		fmt_pct(n1, sizeof(n1), util_ppm(top, l->n1_capacity));
	else
		snprintf(n1, sizeof(n1), "n/a");
	printf("    rx %s, tx %s over %u s; N-1 %s; peak %s\n", rx, tx,
	       l->samples, n1, pk);
	if (l->degraded) {
		rate_pct(rx, sizeof(rx), l->rx_bps, true, l->active_rx_util);
		rate_pct(tx, sizeof(tx), l->tx_bps, true, l->active_tx_util);
		printf("    of the active capacity: rx %s, tx %s%s\n", rx, tx,
		       l->overload ? " (overload)" : "");
	}
	if (l->has_state) {
		fmt_rate(rx, sizeof(rx), l->hook_rx_bps);
		fmt_rate(tx, sizeof(tx), l->hook_tx_bps);
		printf("    counted by psmon's hooks: rx %s, tx %s\n", rx, tx);
	}
}

static void print_alert(const struct lag_info *l, int64_t since, int64_t now)
{
	char when[FMT_BUFLEN], from[FMT_BUFLEN], to[FMT_BUFLEN];
	struct deadline d;

	if (!l->has_rates)
		return;
	deadline_compute(since, now, &d);
	if (!d.has) {
		printf("    alert: %s\n", l->alert ? "raised" : "none");
		return;
	}
	fmt_time(when, sizeof(when), since);
	fmt_date(from, sizeof(from), d.earliest);
	fmt_date(to, sizeof(to), d.latest);
	if (l->alert)
		printf("    alert: raised, first crossing %s; augmentation due %s to %s\n",
		       when, from, to);
	else
		printf("    alert: cleared, crossing of %s recorded until \"lag ack\"; augmentation due %s to %s\n",
		       when, from, to);
}

static void print_member(const struct lag_member *m)
{
	char speed[FMT_BUFLEN], rx[2 * FMT_BUFLEN + 4], tx[2 * FMT_BUFLEN + 4];
	const char *state = m->up ? "up" : "down";
	uint32_t ppm = 0;
	bool has;

	if (m->has_state)
		state = m->active ? "active" : member_inactive_name(m->inactive);
	if (m->speed)
		fmt_rate(speed, sizeof(speed), (uint64_t)m->speed * 1000000);
	else
		snprintf(speed, sizeof(speed), "speed unknown");
	if (!m->has_rates) {
		printf("    %-16s %-14s %s\n", m->dev, state, speed);
		return;
	}
	has = member_util(m, m->rx_bps, &ppm);
	rate_pct(rx, sizeof(rx), m->rx_bps, has, ppm);
	has = member_util(m, m->tx_bps, &ppm);
	rate_pct(tx, sizeof(tx), m->tx_bps, has, ppm);
	printf("    %-16s %-14s %-14s rx %-24s tx %s\n", m->dev, state, speed,
	       rx, tx);
}

static void print_lag(struct show *s, const struct lag_info *l)
{
	char rate[FMT_BUFLEN], act[FMT_BUFLEN];
	uint32_t peak;
	int64_t since;
	size_t i;

	state_recorded(&s->st, l, &since, &peak);
	fmt_rate(rate, sizeof(rate), l->capacity);
	if (l->mode[0] && strcmp(l->mode, "single"))
		printf("%s: %s %s", l->dev, lag_kind_name(l->kind), l->mode);
	else
		printf("%s: %s", l->dev, lag_kind_name(l->kind));
	printf(", capacity %s%s", rate,
	       l->capacity_auto ? " (provisioned)" : "");
	if (l->has_state) {
		fmt_rate(act, sizeof(act), l->active_capacity);
		printf(", active %s (%zu of %zu members)%s", act,
		       active_members(l), l->nmembers,
		       l->degraded ? ", DEGRADED" : "");
	}
	printf(", threshold %u%%, clear %u%%, window %u s\n", l->threshold,
	       l->clear, l->window);
	print_rates(l, peak);
	print_alert(l, since, s->now);
	for (i = 0; i < l->nmembers; i++)
		print_member(&l->members[i]);
	if (!l->nmembers)
		printf("    no members\n");

	if (!s->ctx->stats) {
		print_unmatched(&l->unmatched);
		return;
	}
	psctl_counters_header(stdout);
	for (i = 0; i < l->nmembers; i++) {
		const struct lag_counters *c = &l->members[i].c;

		psctl_counters_row(stdout, l->members[i].dev, c->rx_packets,
				   c->rx_bytes, c->tx_packets, c->tx_bytes);
	}
	psctl_counters_row(stdout, "all members", l->c.rx_packets, l->c.rx_bytes,
			   l->c.tx_packets, l->c.tx_bytes);
	psctl_counters_row(stdout, "unmatched", l->unmatched.rx_packets,
			   l->unmatched.rx_bytes, l->unmatched.tx_packets,
			   l->unmatched.tx_bytes);
	if (!l->has_state)
		return;
	printf("    interface counters since attach (ip -s link):\n");
	for (i = 0; i < l->nmembers; i++) {
		const struct lag_counters *c = &l->members[i].ifc;

		psctl_counters_row(stdout, l->members[i].dev, c->rx_packets,
				   c->rx_bytes, c->tx_packets, c->tx_bytes);
	}
	psctl_counters_row(stdout, "all members", l->ifc.rx_packets,
			   l->ifc.rx_bytes, l->ifc.tx_packets, l->ifc.tx_bytes);
}

static int usage_err(struct psctl *ctx, const char *msg)
{
	psctl_err(ctx, "%s", msg);
	return EXIT_USAGE;
}

static int lag_show(struct psctl *ctx, int argc, char **argv)
{
	struct show s = { .ctx = ctx, .now = (int64_t)time(NULL) };
	struct lag_list list = { 0 };
	struct state_file sf;
	char what[64];
	struct nl *nl;
	size_t i;
	int ret;

	ret = psctl_one_dev(ctx, argc, argv, true);
	if (!ret)
		ret = psctl_nl(ctx, &nl);
	if (ret)
		return ret;

	ret = lags_fetch(nl, argc ? argv[0] : NULL, &list);
	if (ret) {
		lags_free(&list);
		snprintf(what, sizeof(what), "lag %s", argc ? argv[0] : "show");
		return psctl_report_about(ctx, ret, nl_ext_msg(nl), what,
					  argc ? argv[0] : NULL);
	}
	state_load(ctx, &s.st, &sf, false);
	if (ctx->json)
		json_begin_array(&ctx->jw, NULL);
	for (i = 0; i < list.n; i++) {
		if (ctx->json)
			print_lag_json(&s, &list.v[i]);
		else
			print_lag(&s, &list.v[i]);
	}
	if (ctx->json)
		json_end_array(&ctx->jw);
	state_free(&s.st);
	lags_free(&list);
	return 0;
}

/*
 * The augmentation is done: forget the crossing in the kernel and in the
 * state file. A LAG the kernel does not count on (any more) may still
 * have a recorded crossing; that one is forgotten too.
 */
static int lag_ack(struct psctl *ctx, int argc, char **argv)
{
	char buf[LAG_MSG_SIZE], msg[NL_EXT_MSG_LEN], what[64];
	struct state_file sf;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct state st;
	bool loaded, had;
	struct nl *nl;
	int ret, err = 0;

	ctx->state_keeper = true;
	ret = psctl_one_dev(ctx, argc, argv, false);
	if (!ret)
		ret = psctl_nl_if_loaded(ctx, &nl, &loaded);
	if (ret)
		return ret;
	snprintf(what, sizeof(what), "lag %s", argv[0]);
	msg[0] = '\0';

	/* Locked from here: an export running meanwhile cannot undo this. */
	state_load(ctx, &st, &sf, true);
	had = state_find(&st, argv[0]) != NULL;
	if (loaded) {
		nlh = nl_msg_start(nl, buf, PSMON_CMD_LAG_ACK, 0);
		nest = mnl_attr_nest_start(nlh, PSMON_A_LAG);
		mnl_attr_put_strz(nlh, PSMON_A_LAG_IFNAME, argv[0]);
		mnl_attr_nest_end(nlh, nest);
		err = nl_request(nl, nlh, NULL, NULL);
		snprintf(msg, sizeof(msg), "%s", nl_ext_msg(nl));
	}
	/* Refused for another reason than "not attached": no change. */
	if ((err && err != -ENOENT && err != -ENODEV) || (err && !had)) {
		ret = psctl_report_about(ctx, err, msg, what, argv[0]);
		goto out;
	}
	if (!loaded && !had) {
		psctl_err(ctx, "psmon kernel module is not loaded (modprobe psmon), and no crossing of %s is recorded",
			  argv[0]);
		ret = EXIT_KERNEL;
		goto out;
	}
	if (had) {
		state_remove(&st, argv[0]);
		if (state_save(ctx, &st, &sf)) {
			psctl_err(ctx, "the crossing of %s is still recorded in %s",
				  argv[0], sf.path);
			ret = EXIT_USAGE;
			goto out;
		}
	}
	if (!loaded || err) {
		fflush(stdout);
		fprintf(stderr, "%s is not attached%s; forgot its recorded crossing\n",
			argv[0], loaded ? "" : " (psmon module not loaded)");
	} else {
		psctl_kernel_warn(ctx);
	}
out:
	state_done(&sf);
	state_free(&st);
	return ret;
}

/* A LAG's clear level, or -1 when it cannot be read. */
static int lag_clear(struct nl *nl, const char *dev)
{
	struct lag_list list = { 0 };
	int clear = -1;

	if (!lags_fetch(nl, dev, &list) && list.n == 1)
		clear = list.v[0].clear;
	lags_free(&list);
	return clear;
}

static int lag_change(struct psctl *ctx, int argc, char **argv, uint8_t cmd)
{
	char buf[LAG_MSG_SIZE], err[ERR_LEN], what[64];
	int old_clear = -1;
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
	/* A threshold alone may move the clear level: say so. */
	if (cmd == PSMON_CMD_LAG_SET && a.has_threshold && !a.has_clear)
		old_clear = lag_clear(nl, a.dev);

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
		return psctl_report_about(ctx, ret, nl_ext_msg(nl), what, a.dev);
	}
	psctl_kernel_warn(ctx);
	if (old_clear >= 0) {
		int clear = lag_clear(nl, a.dev);

		if (clear >= 0 && clear != old_clear && !ctx->json)
			printf("%s: threshold %u%%; clear level moved from %d%% to %d%%, below the threshold\n",
			       a.dev, a.threshold, old_clear, clear);
	}
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

	ret = psctl_one_dev(ctx, argc, argv, false);
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
		return psctl_report_about(ctx, ret, nl_ext_msg(nl), what,
					  argv[0]);
	}
	psctl_kernel_warn(ctx);
	return 0;
}

static const struct psctl_cmd lag_cmds[] = {
	{ "add", lag_add },
	{ "set", lag_set },
	{ "del", lag_del },
	{ "show", lag_show },
	{ "ack", lag_ack },
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
	"  psctl lag show [DEV]\n"
	"  psctl lag ack DEV\n",
	.arguments =
	"  DEV     a bond or team master, or a plain interface (a one-member LAG)\n"
	"  RATE    NUMBER[bit|kbit|mbit|gbit|tbit], decimal units, bit/s without one;\n"
	"          auto: the provisioned capacity (default): the members' nominal speeds\n"
	"          added up, or the active member's speed for active-backup\n"
	"  PCT     1 to 100; threshold 40 and clear 35 by default, clear below threshold;\n"
	"          a threshold set alone moves a clear level that is not below it\n"
	"          to threshold - 5\n"
	"  SECS    1 to 3600, window 300 by default\n",
};
