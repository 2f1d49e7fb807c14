// SPDX-License-Identifier: GPL-2.0
/*
 * psctl check [DEV]: does each LAG meet the Peering Service requirements
 * (the partner walkthrough's technical requirements)? One line per
 * requirement and LAG: pass, fail with the reason, or "cannot tell" where
 * what decides it is not visible from here. Sources:
 *   lacp        the bond's mode and each member's 802.3ad state, from
 *               bonding's sysfs (/sys/class/net/DEV/bonding,
 *               /sys/class/net/MEMBER/bonding_slave); a team: cannot tell
 *   redundancy  psmon's member list and member state
 *   speed       psmon's member speeds (what ethtool reports)
 *   headroom    psmon's N-1 capacity and the rates over the window
 *   rate-limit  tc -j qdisc show / tc -j filter show, master and members
 *   firewall    nft -j list ruleset; iptables-save and ip6tables-save
 *   prefixes    the registered prefixes against the reserved ranges
 *               psctl knows (parse.c); longer than /24 (IPv4) or /48
 *               (IPv6): the FAQ's AS-path rule, which psctl cannot see
 * Exit 0 when no requirement fails ("cannot tell" does not fail), 1 when
 * one does, 2 when the kernel could not be asked.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "format.h"
#include "psctl.h"
#include "ptable.h"

#define REASON_LEN	512
#define TOOL_OUT_MAX	(64 << 20)

enum verdict { PASS, CANNOT_TELL, FAIL };

static const char *const verdict_names[] = { "pass", "cannot tell", "fail" };
static const char *const verdict_json[] = { "pass", "unknown", "fail" };

struct result {
	const char *name;
	enum verdict v;
	char reason[REASON_LEN];
};

static void set(struct result *r, enum verdict v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set(struct result *r, enum verdict v, const char *fmt, ...)
{
	va_list ap;

	r->v = v;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
}

/* Append to a reason, keeping it a string when it fills up. */
static void add(struct result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add(struct result *r, const char *fmt, ...)
{
	size_t len = strlen(r->reason);
	va_list ap;

	if (len >= sizeof(r->reason) - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(r->reason + len, sizeof(r->reason) - len, fmt, ap);
	va_end(ap);
}

/* ---- helpers: sysfs and tools ------------------------------------------ */

/* The first line of a sysfs file, without its newline; false if unreadable. */
static bool read_line(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool read_line(char *buf, size_t len, const char *fmt, ...)
{
	char path[256];
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		return false;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return true;
}

/* All of fd, NUL-terminated, up to TOOL_OUT_MAX bytes; NULL beyond. */
static char *read_all(int fd)
{
	size_t len = 0, cap = 4096;
	char *out, *p;
	ssize_t n;

	out = malloc(cap);
	if (!out)
		return NULL;
	for (;;) {
		if (len + 1 >= cap) {
			if (cap >= TOOL_OUT_MAX)
				goto fail;
			p = realloc(out, cap * 2);
			if (!p)
				goto fail;
			out = p;
			cap *= 2;
		}
		n = read(fd, out + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	out[len] = '\0';
	return out;
fail:
	free(out);
	return NULL;
}

/*
 * Run a tool (found in PATH, no shell) and return what it printed on
 * standard output, NUL-terminated; NULL when it cannot be run or fails.
 */
static char *run(const char *const argv[])
{
	int fds[2], status, devnull;
	char *out;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return NULL;
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return NULL;
	}
	if (!pid) {
		devnull = open("/dev/null", O_RDWR);
		dup2(fds[1], STDOUT_FILENO);
		if (devnull >= 0) {
			dup2(devnull, STDIN_FILENO);
			dup2(devnull, STDERR_FILENO);
		}
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	out = read_all(fds[0]);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!out)
		return NULL;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		free(out);
		return NULL;
	}
	return out;
}

/* ---- the requirements ---------------------------------------------------- */

/* 802.3ad port state bits (IEEE 802.1AX). */
#define AD_SYNC		0x08
#define AD_COLLECTING	0x10
#define AD_DISTRIBUTING	0x20

static void check_lacp(const struct lag_info *l, struct result *r)
{
	char mode[64], agg[32], maggr[32], buf[32], partner[32];
	unsigned long actor, pstate;
	bool ok = true;
	size_t i;

	r->name = "lacp";
	if (l->kind == PSMON_LAG_KIND_TEAM) {
		set(r, CANNOT_TELL, "a team: its LACP state is teamd's (teamdctl %s state), not the kernel's",
		    l->dev);
		return;
	}
	if (l->kind != PSMON_LAG_KIND_BOND) {
		set(r, FAIL, "%s is a plain interface, not an 802.3ad bond", l->dev);
		return;
	}
	if (!read_line(mode, sizeof(mode), "/sys/class/net/%s/bonding/mode", l->dev)) {
		set(r, CANNOT_TELL, "cannot read /sys/class/net/%s/bonding/mode (sysfs of another network namespace?)",
		    l->dev);
		return;
	}
	mode[strcspn(mode, " ")] = '\0';
	if (strcmp(mode, "802.3ad")) {
		set(r, FAIL, "bond mode %s, not 802.3ad (LACP)", mode);
		return;
	}
	if (!read_line(agg, sizeof(agg), "/sys/class/net/%s/bonding/ad_aggregator",
		       l->dev))
		agg[0] = '\0';
	set(r, PASS, "802.3ad; ");
	for (i = 0; i < l->nmembers; i++) {
		const char *m = l->members[i].dev;

		if (!read_line(buf, sizeof(buf), "/sys/class/net/%s/bonding_slave/ad_actor_oper_port_state", m) ||
		    !read_line(partner, sizeof(partner), "/sys/class/net/%s/bonding_slave/ad_partner_oper_port_state", m)) {
			if (r->v == PASS)
				set(r, CANNOT_TELL, "802.3ad; ");
			add(r, "%s: no 802.3ad state in sysfs; ", m);
			continue;
		}
		actor = strtoul(buf, NULL, 0);
		pstate = strtoul(partner, NULL, 0);
		if (!read_line(maggr, sizeof(maggr), "/sys/class/net/%s/bonding_slave/ad_aggregator_id", m))
			maggr[0] = '\0';
		if (!(pstate & AD_SYNC)) {
			ok = false;
			add(r, "%s: no LACP partner in sync; ", m);
		} else if ((actor & (AD_COLLECTING | AD_DISTRIBUTING)) !=
			   (AD_COLLECTING | AD_DISTRIBUTING)) {
			ok = false;
			add(r, "%s: not collecting/distributing; ", m);
		} else if (*agg && *maggr && strcmp(agg, maggr)) {
			ok = false;
			add(r, "%s: not in the active aggregator; ", m);
		} else {
			add(r, "%s collecting/distributing; ", m);
		}
	}
	if (!ok)
		r->v = FAIL;
	if (!l->nmembers) {
		set(r, FAIL, "802.3ad bond without members");
		return;
	}
	r->reason[strlen(r->reason) - 2] = '\0';
}

static void check_redundancy(const struct lag_info *l, struct result *r)
{
	size_t i;

	r->name = "redundancy";
	if (l->nmembers < 2) {
		set(r, FAIL, "%zu member%s: at least two needed", l->nmembers,
		    l->nmembers == 1 ? "" : "s");
		return;
	}
	set(r, PASS, "%zu members, all active", l->nmembers);
	for (i = 0; i < l->nmembers; i++) {
		const struct lag_member *m = &l->members[i];
		bool active = m->has_state ? m->active : m->up;

		if (active)
			continue;
		if (r->v == PASS)
			set(r, FAIL, "inactive:");
		add(r, " %s (%s)", m->dev, m->has_state ?
		    member_inactive_name(m->inactive) : "down");
	}
}

static void check_speed(const struct lag_info *l, struct result *r)
{
	uint32_t speed = 0;
	size_t i;

	r->name = "speed";
	if (!l->nmembers) {
		set(r, FAIL, "no members");
		return;
	}
	for (i = 0; i < l->nmembers; i++) {
		const struct lag_member *m = &l->members[i];

		if (!m->speed) {
			set(r, FAIL, "%s: speed unknown", m->dev);
			return;
		}
		if (m->speed < 10000) {
			set(r, FAIL, "%s: %u Mbit/s, below 10 Gbit/s", m->dev,
			    m->speed);
			return;
		}
		if (speed && m->speed != speed) {
			set(r, FAIL, "members of different speeds: %s %u Mbit/s, %s %u Mbit/s",
			    l->members[0].dev, speed, m->dev, m->speed);
			return;
		}
		speed = m->speed;
	}
	set(r, PASS, "%zu x %u Mbit/s", l->nmembers, speed);
}

static void check_headroom(const struct lag_info *l, struct result *r)
{
	char cap[FMT_BUFLEN], pct[FMT_BUFLEN];
	uint64_t bps = l->rx_bps > l->tx_bps ? l->rx_bps : l->tx_bps;
	uint32_t ppm;

	r->name = "headroom";
	if (!l->has_rates) {
		set(r, CANNOT_TELL, "the kernel reports no rates");
		return;
	}
	if (!l->n1_capacity) {
		set(r, FAIL, "fewer than two members up: no capacity with one failed");
		return;
	}
	ppm = util_ppm(bps, l->n1_capacity);
	fmt_rate(cap, sizeof(cap), l->n1_capacity);
	fmt_pct(pct, sizeof(pct), ppm);
	set(r, ppm < l->threshold * 10000U ? PASS : FAIL,
	    "N-1 utilisation %s of %s, threshold %u%%", pct, cap, l->threshold);
}

static const char *const shapers[] = {
	"tbf", "htb", "hfsc", "cake", "cbq", "cbs", "taprio", "red",
};

/* Shaping qdiscs and policers on dev, added to r; false when tc failed. */
static bool rate_limits(const char *dev, struct result *r, bool *found)
{
	const char *qargv[] = { "tc", "-j", "qdisc", "show", "dev", dev, NULL };
	const char *fargv[] = { "tc", "-j", "filter", "show", "dev", dev,
				"ingress", NULL };
	const char *eargv[] = { "tc", "-j", "filter", "show", "dev", dev,
				"egress", NULL };
	char pat[32], *out;
	size_t i;

	out = run(qargv);
	if (!out)
		return false;
	for (i = 0; i < ARRAY_SIZE(shapers); i++) {
		snprintf(pat, sizeof(pat), "\"kind\":\"%s\"", shapers[i]);
		if (strstr(out, pat)) {
			add(r, "%s%s: %s qdisc", *found ? "; " : "", dev, shapers[i]);
			*found = true;
		}
	}
	/* Filters hang off the clsact or ingress qdisc only. */
	if (strstr(out, "\"kind\":\"clsact\"") || strstr(out, "\"kind\":\"ingress\"")) {
		free(out);
		out = run(fargv);
		if (out && strstr(out, "\"police\"")) {
			add(r, "%s%s: police action (ingress)", *found ? "; " : "", dev);
			*found = true;
		}
		free(out);
		out = run(eargv);
		if (out && strstr(out, "\"police\"")) {
			add(r, "%s%s: police action (egress)", *found ? "; " : "", dev);
			*found = true;
		}
	}
	free(out);
	return true;
}

static void check_rate_limit(const struct lag_info *l, struct result *r)
{
	bool found = false, ok;
	size_t i;

	r->name = "rate-limit";
	set(r, FAIL, "%s", "");
	ok = rate_limits(l->dev, r, &found);
	for (i = 0; ok && i < l->nmembers; i++)
		ok = rate_limits(l->members[i].dev, r, &found);
	if (!ok)
		set(r, CANNOT_TELL, "tc -j qdisc show failed (tc not installed?)");
	else if (!found)
		set(r, PASS, "no shaping qdisc or policer on %s or its members",
		    l->dev);
}

/*
 * A ct expression (match or statement), ct count, or an iptables-nft
 * state/conntrack match nft could not translate (an "xt" expression),
 * in nft's JSON with or without spaces; names of tables, chains or sets
 * ("state") do not count.
 */
static bool nft_tracks(const char *json)
{
	static const char *const pats[] = {
		"{\"ct\":", "\"ct count\":",
		"\"type\": \"match\", \"name\": \"conntrack\"",
		"\"type\":\"match\",\"name\":\"conntrack\"",
		"\"type\": \"match\", \"name\": \"state\"",
		"\"type\":\"match\",\"name\":\"state\"",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(pats); i++)
		if (strstr(json, pats[i]))
			return true;
	return false;
}

/*
 * Connection tracking anywhere in the namespace's rule set tracks the
 * LAG's traffic too (conntrack is per namespace, not per interface).
 */
static void check_firewall(struct result *r, const char *nft, const char *ipt,
			   const char *ip6t)
{
	bool any = nft || ipt || ip6t;

	r->name = "firewall";
	set(r, PASS, "%s", "");
	if (nft && nft_tracks(nft))
		set(r, FAIL, "nftables rules use connection tracking (ct): a stateful firewall");
	if ((ipt && (strstr(ipt, "-m state") || strstr(ipt, "-m conntrack"))) ||
	    (ip6t && (strstr(ip6t, "-m state") || strstr(ip6t, "-m conntrack")))) {
		if (r->v == FAIL)
			add(r, "; so do iptables rules (state/conntrack match)");
		else
			set(r, FAIL, "iptables rules use a state/conntrack match: a stateful firewall");
	}
	if (r->v == FAIL)
		return;
	if (!any)
		set(r, CANNOT_TELL, "neither nft nor iptables-save could be run");
	else
		set(r, PASS, "no connection tracking rules (%s%s%s)",
		    nft ? "nftables" : "", nft && (ipt || ip6t) ? ", " : "",
		    ipt || ip6t ? "iptables" : "");
}

static void check_prefixes(const struct ptable *t, struct result *r)
{
	char text[PREFIX_STRLEN];
	const struct reserved_range *rr;
	size_t i, reserved = 0, longer = 0;
	bool outside;

	r->name = "prefixes";
	set(r, PASS, "%s", "");
	for (i = 0; i < t->n; i++) {
		rr = prefix_reserved(&t->v[i].p, &outside);
		if (!rr)
			continue;
		prefix_format(&t->v[i].p, text, sizeof(text));
		add(r, "%s%s (%s %s)", reserved ? ", " : "not publicly routable (registered with allow-reserved): ",
		    text, rr->kind, rr->text);
		reserved++;
	}
	if (reserved)
		r->v = FAIL;
	for (i = 0; i < t->n; i++) {
		const struct psctl_prefix *p = &t->v[i].p;

		if (p->plen <= (p->family == AF_INET ? 24 : 48))
			continue;
		prefix_format(p, text, sizeof(text));
		if (!longer)
			add(r, "%slonger than /%u, so its AS path must be shorter than four and hold no private ASN (FAQ), which psctl cannot see: ",
			    reserved ? "; " : "", p->family == AF_INET ? 24 : 48);
		add(r, "%s%s", longer ? ", " : "", text);
		longer++;
	}
	if (longer && r->v == PASS)
		r->v = CANNOT_TELL;
	if (!reserved && !longer)
		set(r, PASS, "%zu registered, all publicly routable, none longer than /24 (IPv4) or /48 (IPv6)",
		    t->n);
}

/* ---- the command ---------------------------------------------------------- */

#define NCHECKS	7

static void print_lag(struct psctl *ctx, const char *dev,
		      const struct result *r)
{
	size_t i;

	if (ctx->json) {
		json_begin_object(&ctx->jw, NULL);
		json_string(&ctx->jw, "dev", dev);
		json_begin_array(&ctx->jw, "checks");
		for (i = 0; i < NCHECKS; i++) {
			json_begin_object(&ctx->jw, NULL);
			json_string(&ctx->jw, "check", r[i].name);
			json_string(&ctx->jw, "result", verdict_json[r[i].v]);
			json_string(&ctx->jw, "reason", r[i].reason);
			json_end_object(&ctx->jw);
		}
		json_end_array(&ctx->jw);
		json_end_object(&ctx->jw);
		return;
	}
	printf("%s\n", dev);
	for (i = 0; i < NCHECKS; i++)
		printf("  %-11s %-12s %s\n", r[i].name, verdict_names[r[i].v],
		       r[i].reason);
}

static int check_main(struct psctl *ctx, int argc, char **argv)
{
	const char *nftv[] = { "nft", "-j", "list", "ruleset", NULL };
	const char *iptv[] = { "iptables-save", NULL };
	const char *ip6tv[] = { "ip6tables-save", NULL };
	char *nft = NULL, *ipt = NULL, *ip6t = NULL;
	struct result r[NCHECKS], fw, pf;
	struct lag_list lags = { 0 };
	struct ptable t = { 0 };
	int ret, status = 0;
	struct nl *nl;
	size_t i;

	ret = psctl_one_dev(ctx, argc, argv, true);
	if (!ret)
		ret = psctl_nl(ctx, &nl);
	if (ret)
		return ret;
	ret = lags_fetch(nl, argc ? argv[0] : NULL, &lags);
	if (ret) {
		lags_free(&lags);
		return psctl_kernel_err(ctx, ret, "lag show");
	}
	ret = ptable_fetch(nl, &t);
	if (ret) {
		lags_free(&lags);
		ptable_free(&t);
		return psctl_kernel_err(ctx, ret, "prefix show");
	}
	nft = run(nftv);
	ipt = run(iptv);
	ip6t = run(ip6tv);
	check_firewall(&fw, nft, ipt, ip6t);
	check_prefixes(&t, &pf);
	free(nft);
	free(ipt);
	free(ip6t);

	if (ctx->json)
		json_begin_array(&ctx->jw, NULL);
	for (i = 0; i < lags.n; i++) {
		const struct lag_info *l = &lags.v[i];
		size_t k;

		check_lacp(l, &r[0]);
		check_redundancy(l, &r[1]);
		check_speed(l, &r[2]);
		check_headroom(l, &r[3]);
		check_rate_limit(l, &r[4]);
		r[5] = fw;
		r[6] = pf;
		for (k = 0; k < NCHECKS; k++)
			if (r[k].v == FAIL)
				status = 1;
		print_lag(ctx, l->dev, r);
	}
	if (ctx->json)
		json_end_array(&ctx->jw);
	lags_free(&lags);
	ptable_free(&t);
	return status;
}

const struct psctl_object check_object = {
	.name = "check",
	.run = check_main,
	.synopsis = "  psctl check [DEV]\n",
	.arguments =
	"  check   the Peering Service requirements per LAG: lacp, redundancy, speed,\n"
	"          headroom, rate-limit, firewall, prefixes; exit 1 when one fails\n",
};
