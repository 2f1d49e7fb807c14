// SPDX-License-Identifier: GPL-2.0
/*
 * psctl monitor: print the kernel's alert events as they come, one line
 * each (one JSON object a line with -j), until SIGINT or SIGTERM. When the
 * psmon module is unloaded, wait for it to come back (the controller's
 * "notify" group says when) and listen again. Alert events are recorded
 * in the state file, like every other reading of the kernel.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/genetlink.h>
#include <linux/psmon.h>

#include "format.h"
#include "psctl.h"
#include "statefile.h"

struct monitor {
	struct psctl *ctx;
	struct nl *nl;
	bool gone;		/* the module was unloaded */
	int err;		/* fatal, an exit status */
};

struct event {
	const char *lag;
	const char *member;	/* imbalance events */
	uint32_t type, dir, util;
	int64_t time, since;
	uint8_t threshold, clear;
	uint64_t capacity, active;	/* bit/s; degraded, restored, overload */
	bool has_capacity;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const enum mnl_attr_data_type ntf_types[PSMON_A_LAG_MAX + 1] = {
	[PSMON_A_LAG_IFINDEX] = MNL_TYPE_U32,
	[PSMON_A_LAG_IFNAME] = MNL_TYPE_NUL_STRING,
	[PSMON_A_LAG_THRESHOLD] = MNL_TYPE_U8,
	[PSMON_A_LAG_CLEAR] = MNL_TYPE_U8,
	[PSMON_A_LAG_ALERT_SINCE] = MNL_TYPE_U64,
	[PSMON_A_LAG_EVENT] = MNL_TYPE_U32,
	[PSMON_A_LAG_EVENT_DIR] = MNL_TYPE_U32,
	[PSMON_A_LAG_EVENT_UTIL] = MNL_TYPE_U32,
	[PSMON_A_LAG_EVENT_TIME] = MNL_TYPE_U64,
	[PSMON_A_LAG_EVENT_MEMBER] = MNL_TYPE_NUL_STRING,
	[PSMON_A_LAG_CAPACITY] = MNL_TYPE_U64,
	[PSMON_A_LAG_ACTIVE_CAPACITY] = MNL_TYPE_U64,
};

static const enum mnl_attr_data_type top_types[PSMON_A_MAX + 1] = {
	[PSMON_A_LAG] = MNL_TYPE_NESTED,
};

static const char *event_name(uint32_t type)
{
	switch (type) {
	case PSMON_EVENT_ALERT:
		return "alert";
	case PSMON_EVENT_CLEAR:
		return "clear";
	case PSMON_EVENT_IMBALANCE:
		return "imbalance";
	case PSMON_EVENT_IMBALANCE_CLEAR:
		return "imbalance-clear";
	case PSMON_EVENT_DEGRADED:
		return "degraded";
	case PSMON_EVENT_RESTORED:
		return "restored";
	case PSMON_EVENT_OVERLOAD:
		return "overload";
	case PSMON_EVENT_ABSORBED:
		return "absorbed";
	}
	return NULL;
}

static int parse_event(const struct nlmsghdr *nlh, struct event *ev)
{
	const struct nlattr *top[PSMON_A_MAX + 1] = { NULL };
	const struct nlattr *tb[PSMON_A_LAG_MAX + 1] = { NULL };

	memset(ev, 0, sizeof(*ev));
	if (nl_parse(nlh, NULL, top_types, PSMON_A_MAX, top) || !top[PSMON_A_LAG] ||
	    nl_parse(NULL, top[PSMON_A_LAG], ntf_types, PSMON_A_LAG_MAX, tb) ||
	    !tb[PSMON_A_LAG_IFNAME] || !tb[PSMON_A_LAG_EVENT])
		return -EBADMSG;
	ev->lag = mnl_attr_get_str(tb[PSMON_A_LAG_IFNAME]);
	ev->type = mnl_attr_get_u32(tb[PSMON_A_LAG_EVENT]);
	if (tb[PSMON_A_LAG_EVENT_DIR])
		ev->dir = mnl_attr_get_u32(tb[PSMON_A_LAG_EVENT_DIR]);
	if (tb[PSMON_A_LAG_EVENT_UTIL])
		ev->util = mnl_attr_get_u32(tb[PSMON_A_LAG_EVENT_UTIL]);
	ev->time = tb[PSMON_A_LAG_EVENT_TIME] ?
		   (int64_t)mnl_attr_get_u64(tb[PSMON_A_LAG_EVENT_TIME]) :
		   (int64_t)time(NULL);
	if (tb[PSMON_A_LAG_ALERT_SINCE])
		ev->since = (int64_t)mnl_attr_get_u64(tb[PSMON_A_LAG_ALERT_SINCE]);
	if (tb[PSMON_A_LAG_THRESHOLD])
		ev->threshold = mnl_attr_get_u8(tb[PSMON_A_LAG_THRESHOLD]);
	if (tb[PSMON_A_LAG_CLEAR])
		ev->clear = mnl_attr_get_u8(tb[PSMON_A_LAG_CLEAR]);
	if (tb[PSMON_A_LAG_EVENT_MEMBER])
		ev->member = mnl_attr_get_str(tb[PSMON_A_LAG_EVENT_MEMBER]);
	ev->has_capacity = tb[PSMON_A_LAG_CAPACITY] &&
			   tb[PSMON_A_LAG_ACTIVE_CAPACITY];
	if (ev->has_capacity) {
		ev->capacity = mnl_attr_get_u64(tb[PSMON_A_LAG_CAPACITY]);
		ev->active = mnl_attr_get_u64(tb[PSMON_A_LAG_ACTIVE_CAPACITY]);
	}
	return 0;
}

static void print_json(const struct event *ev)
{
	const char *name = event_name(ev->type);
	struct json j;

	/* One object a line whatever -p says: a stream of events. */
	json_init(&j, stdout, false);
	json_begin_object(&j, NULL);
	json_string(&j, "event", name ? name : "unknown");
	json_string(&j, "lag", ev->lag);
	json_string(&j, "direction", ev->dir == PSMON_DIR_TX ? "tx" : "rx");
	json_double(&j, "utilization_pct", ev->util / 10000.0);
	json_u64(&j, "time", (uint64_t)ev->time);
	if (ev->type == PSMON_EVENT_IMBALANCE ||
	    ev->type == PSMON_EVENT_IMBALANCE_CLEAR)
		json_string(&j, "member", ev->member ? ev->member : "");
	if (ev->has_capacity && (ev->type == PSMON_EVENT_DEGRADED ||
				 ev->type == PSMON_EVENT_RESTORED ||
				 ev->type == PSMON_EVENT_OVERLOAD)) {
		json_u64(&j, "capacity_bps", ev->capacity);
		json_u64(&j, "active_capacity_bps", ev->active);
	}
	json_end_object(&j);
}

static void print_text(const struct event *ev)
{
	const char *dir = ev->dir == PSMON_DIR_TX ? "tx" : "rx";
	char when[FMT_BUFLEN], pct[FMT_BUFLEN], a[FMT_BUFLEN], b[FMT_BUFLEN];
	const char *name = event_name(ev->type);
	struct deadline d;

	fmt_time(when, sizeof(when), ev->time);
	fmt_pct(pct, sizeof(pct), ev->util);
	printf("%s %s ", when, ev->lag);
	switch (ev->type) {
	case PSMON_EVENT_ALERT:
		deadline_compute(ev->since ? ev->since : ev->time, ev->time, &d);
		fmt_date(a, sizeof(a), d.earliest);
		fmt_date(b, sizeof(b), d.latest);
		printf("alert: %s utilisation %s reached the %u%% threshold; augmentation due %s to %s\n",
		       dir, pct, ev->threshold, a, b);
		break;
	case PSMON_EVENT_CLEAR:
		printf("clear: utilisation %s (%s) fell below %u%%\n", pct, dir,
		       ev->clear);
		break;
	case PSMON_EVENT_IMBALANCE:
		printf("imbalance: member %s %s utilisation %s reached the %u%% threshold\n",
		       ev->member ? ev->member : "?", dir, pct, ev->threshold);
		break;
	case PSMON_EVENT_IMBALANCE_CLEAR:
		printf("imbalance-clear: member %s utilisation %s (%s) fell below %u%%\n",
		       ev->member ? ev->member : "?", pct, dir, ev->clear);
		break;
	case PSMON_EVENT_DEGRADED:
		fmt_rate(a, sizeof(a), ev->active);
		fmt_rate(b, sizeof(b), ev->capacity);
		printf("degraded: active capacity %s of %s (an outage: no crossing is recorded for it)\n",
		       a, b);
		break;
	case PSMON_EVENT_RESTORED:
		fmt_rate(a, sizeof(a), ev->active);
		printf("restored: active capacity %s, the whole capacity\n", a);
		break;
	case PSMON_EVENT_OVERLOAD:
		fmt_rate(a, sizeof(a), ev->active);
		printf("overload: %s utilisation %s of the active capacity %s reached the %u%% threshold while degraded\n",
		       dir, pct, a, ev->threshold);
		break;
	case PSMON_EVENT_ABSORBED:
		printf("absorbed: joined an attached bond or team, counted there from now on; detached\n");
		break;
	default:
		printf("event %u (%s)\n", ev->type, name ? name : "unknown");
	}
}

/* An alert starts a deadline: record it at once. */
static void record(struct monitor *m, const struct event *ev)
{
	struct state_file sf;
	struct state_lag *l;
	struct state st;

	state_load(m->ctx, &st, &sf, true);
	l = state_get(&st, ev->lag);
	if (l) {
		l->crossing = crossing_min(l->crossing,
					   ev->since ? ev->since : ev->time);
		if (ev->util > l->peak)
			l->peak = ev->util;
		if (ev->threshold)
			l->threshold = ev->threshold;
		state_save(m->ctx, &st, &sf);
	}
	state_free(&st);
	state_done(&sf);
}

static int join_events(struct monitor *m)
{
	uint32_t group = nl_family_group(nl_family(m->nl), PSMON_MCGRP_EVENTS);
	int ret;

	if (!group) {
		psctl_err(m->ctx, "the psmon module has no \"%s\" multicast group",
			  PSMON_MCGRP_EVENTS);
		return EXIT_KERNEL;
	}
	ret = nl_join(m->nl, group);
	if (ret) {
		psctl_err(m->ctx, "cannot listen to psmon events: %s",
			  strerror(-ret));
		return EXIT_KERNEL;
	}
	return 0;
}

static void family_event(struct monitor *m, const struct nlmsghdr *nlh)
{
	struct nl_family f;
	uint8_t cmd;

	if (nl_parse_family(nlh, &cmd, &f) || strcmp(f.name, PSMON_FAMILY_NAME))
		return;
	fflush(stdout);
	if (cmd == CTRL_CMD_DELFAMILY && !m->gone) {
		m->gone = true;
		fprintf(stderr, "psmon module unloaded; waiting for it to come back\n");
	} else if (cmd == CTRL_CMD_NEWFAMILY &&
		   (m->gone || f.id != nl_family(m->nl)->id)) {
		/* Also when its going was missed: the ids changed. */
		m->gone = false;
		nl_set_family(m->nl, &f);
		m->err = join_events(m);
		if (!m->err)
			fprintf(stderr, "psmon module loaded; listening again\n");
	}
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	struct monitor *m = data;
	struct event ev;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl))
		return 0;
	if (nlh->nlmsg_type == GENL_ID_CTRL) {
		family_event(m, nlh);
		return 0;
	}
	if (m->gone || nlh->nlmsg_type != nl_family(m->nl)->id ||
	    genl->cmd != PSMON_CMD_LAG_NTF)
		return 0;
	if (parse_event(nlh, &ev)) {
		psctl_warn(m->ctx, "malformed event from the kernel");
		return 0;
	}
	if (m->ctx->json)
		print_json(&ev);
	else
		print_text(&ev);
	fflush(stdout);
	if (ev.type == PSMON_EVENT_ALERT)
		record(m, &ev);
	return 0;
}

/* Record what the kernel knows already; failures are only warnings. */
static void sync_state(struct monitor *m)
{
	struct lag_list lags = { 0 };
	struct state_file sf;
	struct state st;
	int ret;

	state_load(m->ctx, &st, &sf, true);
	ret = lags_fetch(m->nl, NULL, &lags);
	if (ret) {
		psctl_warn(m->ctx, "cannot read the LAGs: %s", strerror(-ret));
		lags_free(&lags);
	}
	state_update(m->ctx, &st, &sf, &lags, (int64_t)time(NULL));
	state_free(&st);
	lags_free(&lags);
}

static int subscribe(struct monitor *m)
{
	struct nl_family ctrl;
	uint32_t group;
	int ret;

	ret = nl_get_family(m->nl, "nlctrl", &ctrl);
	group = ret ? 0 : nl_family_group(&ctrl, "notify");
	if (!group) {
		psctl_err(m->ctx, "cannot find the generic netlink controller's \"notify\" group");
		return EXIT_KERNEL;
	}
	ret = nl_join(m->nl, group);
	if (ret) {
		psctl_err(m->ctx, "cannot listen to the generic netlink controller: %s",
			  strerror(-ret));
		return EXIT_KERNEL;
	}
	return join_events(m);
}

static int monitor_run(struct psctl *ctx, int argc, char **argv)
{
	struct monitor m = { .ctx = ctx };
	struct sigaction sa;
	sigset_t block, wait_mask;
	struct pollfd pfd;
	int ret;

	ctx->state_keeper = true;
	if (argc) {
		psctl_err(ctx, "unexpected argument \"%s\"", argv[0]);
		return EXIT_USAGE;
	}
	ret = psctl_nl(ctx, &m.nl);
	if (ret)
		return ret;
	sync_state(&m);
	ret = subscribe(&m);
	if (ret)
		return ret;

	/* The signals wake ppoll() only: no event is half handled. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &wait_mask);
	sigdelset(&wait_mask, SIGINT);
	sigdelset(&wait_mask, SIGTERM);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	while (!stop && !m.err) {
		pfd.fd = nl_fd(m.nl);
		pfd.events = POLLIN;
		pfd.revents = 0;
		ret = ppoll(&pfd, 1, NULL, &wait_mask);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0) {
			psctl_err(ctx, "waiting for events: %s", strerror(errno));
			return EXIT_KERNEL;
		}
		ret = nl_recv_events(m.nl, event_cb, &m);
		if (ret == -ENOBUFS) {
			psctl_warn(ctx, "events were lost: the socket's receive buffer overran");
		} else if (ret && ret != -EINTR && ret != -EAGAIN) {
			psctl_err(ctx, "reading events: %s", strerror(-ret));
			return EXIT_KERNEL;
		}
		if (ferror(stdout))
			return EXIT_USAGE;
	}
	return m.err;
}

const struct psctl_object monitor_object = {
	.name = "monitor",
	.run = monitor_run,
	.synopsis = "  psctl monitor\n",
	.arguments = "",
};
