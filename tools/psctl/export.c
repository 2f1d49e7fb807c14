// SPDX-License-Identifier: GPL-2.0
/*
 * psctl export prometheus [FILE]: the counters, utilisation, alert state
 * and deadlines in the Prometheus text format, for node_exporter's
 * textfile collector. To standard output, or atomically to FILE (see
 * atomic.h): a failed export leaves the previous file as it was.
 *
 * Every family has HELP and TYPE, samples carry no timestamp, and the
 * last family is psmon_export_timestamp_seconds, so that a reader (or an
 * alert) can tell a complete and fresh file. psmon_state_healthy says
 * whether the state (recorded crossings, daily peaks) could be read and
 * saved; the export is written either way. From a network namespace
 * other than the initial one, every sample has a netns label.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "atomic.h"
#include "parse.h"
#include "prom.h"
#include "psctl.h"
#include "ptable.h"
#include "statefile.h"

struct export {
	struct psctl *ctx;
	FILE *f;
	const struct lag_list *lags;
	struct state st;
	int64_t now;
	int mode;		/* enum prefix_mode */
	size_t top;
};

static const char *const dir_names[] = { "receive", "transmit" };

/* ---- LAG families ------------------------------------------------------ */

static void lag_sample(FILE *f, const char *name, const char *lag,
		       const char *value)
{
	const struct prom_label l[] = { { "lag", lag } };

	prom_sample(f, name, l, 1, value);
}

static void lag_dir_sample(FILE *f, const char *name, const char *lag,
			   int dir, const char *value)
{
	const struct prom_label l[] = {
		{ "lag", lag }, { "direction", dir_names[dir] },
	};

	prom_sample(f, name, l, 2, value);
}

static void member_sample(FILE *f, const char *name, const char *lag,
			  const char *dev, const char *value)
{
	const struct prom_label l[] = { { "lag", lag }, { "device", dev } };

	prom_sample(f, name, l, 2, value);
}

static void settings(struct export *e)
{
	const struct lag_list *lags = e->lags;
	char v[PROM_VALUE_LEN];
	size_t i;

	prom_family(e->f, "psmon_lag_speed_bytes", "gauge",
		    "Capacity of the LAG utilisation is measured against, in bytes per second.");
	for (i = 0; i < lags->n; i++) {
		prom_bits_as_bytes(v, sizeof(v), lags->v[i].capacity);
		lag_sample(e->f, "psmon_lag_speed_bytes", lags->v[i].dev, v);
	}
	prom_family(e->f, "psmon_lag_threshold_ratio", "gauge",
		    "Utilisation at which the alert is raised.");
	for (i = 0; i < lags->n; i++) {
		prom_ppm(v, sizeof(v), lags->v[i].threshold * 10000ULL);
		lag_sample(e->f, "psmon_lag_threshold_ratio", lags->v[i].dev, v);
	}
	prom_family(e->f, "psmon_lag_clear_ratio", "gauge",
		    "Utilisation below which the alert clears.");
	for (i = 0; i < lags->n; i++) {
		prom_ppm(v, sizeof(v), lags->v[i].clear * 10000ULL);
		lag_sample(e->f, "psmon_lag_clear_ratio", lags->v[i].dev, v);
	}
	prom_family(e->f, "psmon_lag_window_seconds", "gauge",
		    "Length of the window rates are averaged over.");
	for (i = 0; i < lags->n; i++) {
		prom_u64(v, sizeof(v), lags->v[i].window);
		lag_sample(e->f, "psmon_lag_window_seconds", lags->v[i].dev, v);
	}
}

/* Kernels that report member state (has_state) only. */
static void lag_state(struct export *e)
{
	const struct lag_list *lags = e->lags;
	char v[PROM_VALUE_LEN];
	size_t i, j, n;

	prom_family(e->f, "psmon_lag_active_speed_bytes", "gauge",
		    "Capacity of the members that may carry traffic now, in bytes per second.");
	for (i = 0; i < lags->n; i++) {
		if (!lags->v[i].has_state)
			continue;
		prom_bits_as_bytes(v, sizeof(v), lags->v[i].active_capacity);
		lag_sample(e->f, "psmon_lag_active_speed_bytes", lags->v[i].dev, v);
	}
	prom_family(e->f, "psmon_lag_active_members", "gauge",
		    "Members that may carry traffic now (up, and sent on by the master).");
	for (i = 0; i < lags->n; i++) {
		if (!lags->v[i].has_state)
			continue;
		for (j = n = 0; j < lags->v[i].nmembers; j++)
			n += lags->v[i].members[j].active;
		prom_u64(v, sizeof(v), n);
		lag_sample(e->f, "psmon_lag_active_members", lags->v[i].dev, v);
	}
	prom_family(e->f, "psmon_lag_degraded", "gauge",
		    "1 while the active capacity is below the capacity.");
	for (i = 0; i < lags->n; i++)
		if (lags->v[i].has_state)
			lag_sample(e->f, "psmon_lag_degraded", lags->v[i].dev,
				   lags->v[i].degraded ? "1" : "0");
	prom_family(e->f, "psmon_lag_overload", "gauge",
		    "1 while a degraded LAG is at the threshold of its active capacity.");
	for (i = 0; i < lags->n; i++)
		if (lags->v[i].has_state)
			lag_sample(e->f, "psmon_lag_overload", lags->v[i].dev,
				   lags->v[i].overload ? "1" : "0");
}

static void utilisation(struct export *e)
{
	const struct lag_list *lags = e->lags;
	char v[PROM_VALUE_LEN];
	uint64_t bps[2];
	size_t i;
	int d;

	prom_family(e->f, "psmon_lag_utilization_ratio", "gauge",
		    "Mean rate over the window divided by the capacity, per direction.");
	for (i = 0; i < lags->n; i++) {
		const struct lag_info *l = &lags->v[i];

		if (!l->has_rates)
			continue;
		prom_ppm(v, sizeof(v), l->rx_util);
		lag_dir_sample(e->f, "psmon_lag_utilization_ratio", l->dev, 0, v);
		prom_ppm(v, sizeof(v), l->tx_util);
		lag_dir_sample(e->f, "psmon_lag_utilization_ratio", l->dev, 1, v);
	}
	prom_family(e->f, "psmon_lag_active_utilization_ratio", "gauge",
		    "Mean rate over the window divided by the active capacity, per direction.");
	for (i = 0; i < lags->n; i++) {
		const struct lag_info *l = &lags->v[i];

		if (!l->has_rates || !l->has_state || !l->active_capacity)
			continue;
		prom_ppm(v, sizeof(v), l->active_rx_util);
		lag_dir_sample(e->f, "psmon_lag_active_utilization_ratio",
			       l->dev, 0, v);
		prom_ppm(v, sizeof(v), l->active_tx_util);
		lag_dir_sample(e->f, "psmon_lag_active_utilization_ratio",
			       l->dev, 1, v);
	}
	prom_family(e->f, "psmon_lag_n1_speed_bytes", "gauge",
		    "Capacity with the largest member failed, in bytes per second (absent with fewer than two members up).");
	for (i = 0; i < lags->n; i++) {
		if (!lags->v[i].n1_capacity)
			continue;
		prom_bits_as_bytes(v, sizeof(v), lags->v[i].n1_capacity);
		lag_sample(e->f, "psmon_lag_n1_speed_bytes", lags->v[i].dev, v);
	}
	prom_family(e->f, "psmon_lag_n1_utilization_ratio", "gauge",
		    "Utilisation the LAG would have with its largest member failed, per direction.");
	for (i = 0; i < lags->n; i++) {
		const struct lag_info *l = &lags->v[i];

		if (!l->has_rates || !l->n1_capacity)
			continue;
		bps[0] = l->rx_bps;
		bps[1] = l->tx_bps;
		for (d = 0; d < 2; d++) {
			prom_ppm(v, sizeof(v), util_ppm(bps[d], l->n1_capacity));
			lag_dir_sample(e->f, "psmon_lag_n1_utilization_ratio",
				       l->dev, d, v);
		}
	}
}

static bool attached(const struct lag_list *lags, const char *dev)
{
	size_t i;

	for (i = 0; i < lags->n; i++)
		if (!strcmp(lags->v[i].dev, dev))
			return true;
	return false;
}

/* Crossings of LAGs attached or not: a reload must not hide a deadline. */
static void crossings(struct export *e, const char *family, int what)
{
	const struct lag_list *lags = e->lags;
	char v[PROM_VALUE_LEN];
	struct deadline d;
	uint32_t peak;
	int64_t since;
	size_t i;

	for (i = 0; i < lags->n + e->st.nlags; i++) {
		const char *dev;

		if (i < lags->n) {
			dev = lags->v[i].dev;
			state_recorded(&e->st, &lags->v[i], &since, &peak);
		} else {
			dev = e->st.lags[i - lags->n].dev;
			since = e->st.lags[i - lags->n].crossing;
			if (attached(lags, dev))
				continue;
		}
		deadline_compute(since, e->now, &d);
		if (!d.has)
			continue;
		if (what == 0) {
			prom_i64(v, sizeof(v), d.since);
			lag_sample(e->f, family, dev, v);
			continue;
		}
		{
			const struct prom_label le[] = {
				{ "lag", dev }, { "bound", "earliest" },
			};
			const struct prom_label ll[] = {
				{ "lag", dev }, { "bound", "latest" },
			};

			prom_i64(v, sizeof(v), d.earliest);
			prom_sample(e->f, family, le, 2, v);
			prom_i64(v, sizeof(v), d.latest);
			prom_sample(e->f, family, ll, 2, v);
		}
	}
}

static void alerts(struct export *e)
{
	const struct lag_list *lags = e->lags;
	char v[PROM_VALUE_LEN];
	struct state_lag *sl;
	struct trend t;
	uint32_t peak;
	int64_t since;
	size_t i;

	prom_family(e->f, "psmon_lag_peak_utilization_ratio", "gauge",
		    "Highest utilisation seen since the last lag ack, larger direction.");
	for (i = 0; i < lags->n; i++) {
		state_recorded(&e->st, &lags->v[i], &since, &peak);
		prom_ppm(v, sizeof(v), peak);
		lag_sample(e->f, "psmon_lag_peak_utilization_ratio",
			   lags->v[i].dev, v);
	}
	prom_family(e->f, "psmon_lag_alert", "gauge",
		    "1 while the utilisation alert is raised (reached the threshold, not yet below clear).");
	for (i = 0; i < lags->n; i++)
		lag_sample(e->f, "psmon_lag_alert", lags->v[i].dev,
			   lags->v[i].alert ? "1" : "0");
	prom_family(e->f, "psmon_lag_alert_since_timestamp_seconds", "gauge",
		    "First crossing of the threshold, kept until lag ack (Unix time).");
	crossings(e, "psmon_lag_alert_since_timestamp_seconds", 0);
	prom_family(e->f, "psmon_lag_augmentation_deadline_timestamp_seconds",
		    "gauge",
		    "Window in which the LAG augmentation must begin: crossing + 45 days (earliest) and + 60 days (latest).");
	crossings(e, "psmon_lag_augmentation_deadline_timestamp_seconds", 1);
	prom_family(e->f, "psmon_lag_projected_crossing_timestamp_seconds",
		    "gauge",
		    "When the trend of the daily utilisation peaks reaches the threshold, for LAGs without a crossing (absent when there is no rising trend).");
	for (i = 0; i < lags->n; i++) {
		const struct lag_info *l = &lags->v[i];

		state_recorded(&e->st, l, &since, &peak);
		sl = state_find(&e->st, l->dev);
		if (since || !sl)
			continue;
		trend_forecast(sl->days, sl->ndays, l->threshold * 10000U,
			       e->now, &t);
		if (!t.has_projection)
			continue;
		prom_i64(v, sizeof(v), t.projected);
		lag_sample(e->f, "psmon_lag_projected_crossing_timestamp_seconds",
			   l->dev, v);
	}
}

static const char *const counter_names[] = {
	"receive_packets_total", "receive_bytes_total",
	"transmit_packets_total", "transmit_bytes_total",
};

static const char *const counter_help[] = {
	"Packets received", "Bytes received (Ethernet frames without FCS)",
	"Packets sent", "Bytes sent (Ethernet frames without FCS)",
};

static uint64_t counter(const struct lag_counters *c, int k)
{
	switch (k) {
	case 0:
		return c->rx_packets;
	case 1:
		return c->rx_bytes;
	case 2:
		return c->tx_packets;
	}
	return c->tx_bytes;
}

static void lag_counters(struct export *e)
{
	const struct lag_list *lags = e->lags;
	char name[96], help[160], v[PROM_VALUE_LEN];
	size_t i;
	int k;

	for (k = 0; k < 4; k++) {
		snprintf(name, sizeof(name), "psmon_lag_%s", counter_names[k]);
		snprintf(help, sizeof(help), "%s on all members of the LAG, all traffic.",
			 counter_help[k]);
		prom_family(e->f, name, "counter", help);
		for (i = 0; i < lags->n; i++) {
			prom_u64(v, sizeof(v), counter(&lags->v[i].c, k));
			lag_sample(e->f, name, lags->v[i].dev, v);
		}
	}
	for (k = 0; k < 4; k++) {
		snprintf(name, sizeof(name), "psmon_lag_unmatched_%s",
			 counter_names[k]);
		snprintf(help, sizeof(help), "%s on the LAG, IP traffic that matched no registered prefix.",
			 counter_help[k]);
		prom_family(e->f, name, "counter", help);
		for (i = 0; i < lags->n; i++) {
			prom_u64(v, sizeof(v), counter(&lags->v[i].unmatched, k));
			lag_sample(e->f, name, lags->v[i].dev, v);
		}
	}
}

static void members(struct export *e)
{
	const struct lag_list *lags = e->lags;
	char name[96], help[160], v[PROM_VALUE_LEN];
	const struct lag_member *m;
	uint32_t ppm;
	size_t i, j;
	int k;

#define EACH_MEMBER							\
	for (i = 0; i < lags->n; i++)					\
		for (j = 0; j < lags->v[i].nmembers &&			\
			    (m = &lags->v[i].members[j]); j++)

	prom_family(e->f, "psmon_lag_member_info", "gauge",
		    "A member of a LAG psmon counts on; always 1.");
	EACH_MEMBER
		member_sample(e->f, "psmon_lag_member_info", lags->v[i].dev,
			      m->dev, "1");
	prom_family(e->f, "psmon_lag_member_up", "gauge",
		    "1 when the member's carrier is up.");
	EACH_MEMBER
		member_sample(e->f, "psmon_lag_member_up", lags->v[i].dev,
			      m->dev, m->up ? "1" : "0");
	prom_family(e->f, "psmon_lag_member_active", "gauge",
		    "1 when the master may send on the member now (kernels that report it).");
	EACH_MEMBER {
		if (m->has_state)
			member_sample(e->f, "psmon_lag_member_active",
				      lags->v[i].dev, m->dev, m->active ? "1" : "0");
	}
	prom_family(e->f, "psmon_lag_member_speed_bytes", "gauge",
		    "Link speed of the member in bytes per second (absent when unknown).");
	EACH_MEMBER {
		if (!m->speed)
			continue;
		prom_bits_as_bytes(v, sizeof(v), (uint64_t)m->speed * 1000000);
		member_sample(e->f, "psmon_lag_member_speed_bytes",
			      lags->v[i].dev, m->dev, v);
	}
	prom_family(e->f, "psmon_lag_member_utilization_ratio", "gauge",
		    "Mean rate of the member over the window divided by its link speed, per direction.");
	EACH_MEMBER {
		const struct prom_label l[] = {
			{ "lag", lags->v[i].dev }, { "device", m->dev },
			{ "direction", "receive" },
		};
		const struct prom_label t[] = {
			{ "lag", lags->v[i].dev }, { "device", m->dev },
			{ "direction", "transmit" },
		};

		if (!member_util(m, m->rx_bps, &ppm))
			continue;
		prom_ppm(v, sizeof(v), ppm);
		prom_sample(e->f, "psmon_lag_member_utilization_ratio", l, 3, v);
		member_util(m, m->tx_bps, &ppm);
		prom_ppm(v, sizeof(v), ppm);
		prom_sample(e->f, "psmon_lag_member_utilization_ratio", t, 3, v);
	}
	for (k = 0; k < 4; k++) {
		snprintf(name, sizeof(name), "psmon_lag_member_%s",
			 counter_names[k]);
		snprintf(help, sizeof(help), "%s on the member, all traffic.",
			 counter_help[k]);
		prom_family(e->f, name, "counter", help);
		EACH_MEMBER {
			prom_u64(v, sizeof(v), counter(&m->c, k));
			member_sample(e->f, name, lags->v[i].dev, m->dev, v);
		}
	}
#undef EACH_MEMBER
}

/* ---- prefix families: from one dump, only the pairs with traffic ------ */

/*
 * Which prefixes get series (prefixes all|none|top N). Cardinality, with
 * P prefixes that have carried traffic in B (prefix, LAG) pairs:
 *   all    P psmon_prefix_info + 4 x B counters (the default)
 *   top N  the N of them with the most bytes (both directions, all LAGs,
 *          since registration, so the set moves slowly): at most N info
 *          and 4 x N x LAGs counter series
 *   none   no per-prefix series: psmon_prefixes_registered and
 *          psmon_prefixes_active only
 */
enum prefix_mode { PREFIXES_ALL, PREFIXES_NONE, PREFIXES_TOP };

struct ranked {
	const struct ptable_entry *e;
	uint64_t bytes;
};

static int by_entry(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	return x->e < y->e ? -1 : x->e > y->e;
}

static int by_bytes(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	return x->e < y->e ? -1 : x->e > y->e;
}

/* The prefixes with traffic, in table order or (top) by bytes; *n of them. */
static struct ranked *busy_prefixes(const struct ptable *t, enum prefix_mode mode,
				    size_t top, size_t *n)
{
	struct ranked *r = calloc(t->n ? t->n : 1, sizeof(*r));
	size_t i, j;

	*n = 0;
	if (!r)
		return NULL;
	for (i = 0; i < t->n; i++) {
		const struct ptable_entry *e = &t->v[i];
		uint64_t bytes = 0;
		bool busy = false;

		for (j = e->first; j < e->first + e->nlags; j++) {
			busy |= ptable_busy(&t->lags[j].c);
			bytes += t->lags[j].c.rx_bytes + t->lags[j].c.tx_bytes;
		}
		if (busy)
			r[(*n)++] = (struct ranked){ e, bytes };
	}
	if (mode == PREFIXES_TOP) {
		qsort(r, *n, sizeof(*r), by_bytes);
		if (*n > top)
			*n = top;
		/* Back to table order: the same prefix in the same place. */
		qsort(r, *n, sizeof(*r), by_entry);
	} else if (mode == PREFIXES_NONE) {
		*n = 0;
	}
	return r;
}

static void prefixes(struct export *e, const struct ptable *t)
{
	char text[PREFIX_STRLEN], name[96], help[160], v[PROM_VALUE_LEN];
	struct ranked *r;
	size_t i, j, n, active = 0;
	int k;

	r = busy_prefixes(t, PREFIXES_ALL, 0, &active);
	free(r);
	prom_family(e->f, "psmon_prefixes_registered", "gauge",
		    "Prefixes registered with psmon.");
	prom_u64(v, sizeof(v), t->n);
	prom_sample(e->f, "psmon_prefixes_registered", NULL, 0, v);
	prom_family(e->f, "psmon_prefixes_active", "gauge",
		    "Registered prefixes that have carried traffic on some LAG.");
	prom_u64(v, sizeof(v), active);
	prom_sample(e->f, "psmon_prefixes_active", NULL, 0, v);

	r = busy_prefixes(t, e->mode, e->top, &n);
	if (!r)
		n = 0;
	prom_family(e->f, "psmon_prefix_info", "gauge",
		    "A registered prefix that has carried traffic, and its name; always 1.");
	for (i = 0; i < n; i++) {
		const struct prom_label l[] = {
			{ "prefix", text }, { "name", r[i].e->name },
		};

		prefix_format(&r[i].e->p, text, sizeof(text));
		prom_sample(e->f, "psmon_prefix_info", l, 2, "1");
	}
	for (k = 0; k < 4; k++) {
		snprintf(name, sizeof(name), "psmon_prefix_%s", counter_names[k]);
		snprintf(help, sizeof(help), "%s on the LAG for the prefix (rx by destination, tx by source address); pairs with traffic only.",
			 counter_help[k]);
		prom_family(e->f, name, "counter", help);
		for (i = 0; i < n; i++) {
			const struct ptable_entry *pe = r[i].e;

			prefix_format(&pe->p, text, sizeof(text));
			for (j = pe->first; j < pe->first + pe->nlags; j++) {
				const struct prom_label l[] = {
					{ "prefix", text }, { "name", pe->name },
					{ "lag", t->lags[j].dev },
				};

				if (!ptable_busy(&t->lags[j].c))
					continue;
				prom_u64(v, sizeof(v), counter(&t->lags[j].c, k));
				prom_sample(e->f, name, l, 3, v);
			}
		}
	}
	free(r);
}

/* ---- the command ------------------------------------------------------- */

static void write_export(struct export *e, const struct ptable *t)
{
	char v[PROM_VALUE_LEN];

	settings(e);
	lag_state(e);
	utilisation(e);
	alerts(e);
	lag_counters(e);
	members(e);
	prefixes(e, t);
	prom_family(e->f, "psmon_state_healthy", "gauge",
		    "1 when psctl could read and save its state (recorded crossings, daily peaks), else 0: see its warnings.");
	prom_sample(e->f, "psmon_state_healthy", NULL, 0,
		    e->ctx->state_unhealthy ? "0" : "1");
	prom_family(e->f, "psmon_export_timestamp_seconds", "gauge",
		    "When psctl wrote this export (Unix time); the last family of the file.");
	prom_i64(v, sizeof(v), e->now);
	prom_sample(e->f, "psmon_export_timestamp_seconds", NULL, 0, v);
}

/* netns="NAME" on every sample, outside the initial namespace. */
static void netns_label(struct psctl *ctx)
{
	static char ino[64];
	const char *ns;
	ssize_t n;

	if (!state_netns(ctx, &ns)) {
		if (ns)
			prom_common_label("netns", ns);
		return;
	}
	/* Unnamed: its "net:[INODE]", good until the next reboot. */
	n = readlink("/proc/self/ns/net", ino, sizeof(ino) - 1);
	if (n > 0) {
		ino[n] = '\0';
		prom_common_label("netns", ino);
	}
}

/* [FILE] [prefixes all|none|top N], in any order. */
static int export_args(struct psctl *ctx, int argc, char **argv,
		       struct export *e, const char **file)
{
	static const char *const modes[] = { "all", "none", "top" };
	bool have_mode = false;
	int i, m;

	*file = NULL;
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "prefixes")) {
			if (have_mode) {
				psctl_err(ctx, "duplicate keyword \"prefixes\"");
				return EXIT_USAGE;
			}
			have_mode = true;
			m = i + 1 < argc ? match_abbrev(argv[i + 1], modes, 3) : MATCH_NONE;
			if (m < 0) {
				psctl_err(ctx, "prefixes: expected all, none or top N");
				return EXIT_USAGE;
			}
			i++;
			e->mode = m == 0 ? PREFIXES_ALL : m == 1 ? PREFIXES_NONE : PREFIXES_TOP;
			if (e->mode == PREFIXES_TOP) {
				char *end;
				unsigned long n;

				errno = 0;
				n = i + 1 < argc ? strtoul(argv[i + 1], &end, 10) : 0;
				if (i + 1 >= argc || errno || end == argv[i + 1] || *end ||
				    argv[i + 1][0] == '-' || !n || n > 1000000) {
					psctl_err(ctx, "prefixes top: expected a count from 1 to 1000000");
					return EXIT_USAGE;
				}
				e->top = n;
				i++;
			}
		} else if (!*file) {
			*file = argv[i];
		} else {
			psctl_err(ctx, "unexpected argument \"%s\"", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (*file && !strcmp(*file, "-"))
		*file = NULL;
	return 0;
}

static int export_prometheus(struct psctl *ctx, int argc, char **argv)
{
	struct export e = { .ctx = ctx, .f = stdout };
	struct lag_list lags = { 0 };
	struct ptable t = { 0 };
	const char *file = NULL;
	struct atomic_file af;
	struct state_file sf;
	struct nl *nl;
	int ret;

	ret = export_args(ctx, argc, argv, &e, &file);
	if (ret)
		return ret;
	ctx->state_keeper = true;
	/* An unwritable FILE is an input error: found before anything else. */
	if (file) {
		ret = atomic_open(&af, file);
		if (ret) {
			psctl_err(ctx, "cannot write %s: %s", file, strerror(-ret));
			return EXIT_USAGE;
		}
		e.f = af.f;
	}
	ret = psctl_nl(ctx, &nl);
	if (ret)
		goto abort;
	netns_label(ctx);
	/* The prefixes first: nothing is written until the table is whole. */
	ret = ptable_fetch(nl, &t);
	if (ret) {
		ret = psctl_kernel_err(ctx, ret, "prefix show");
		goto abort;
	}
	state_load(ctx, &e.st, &sf, true);
	ret = lags_fetch(nl, NULL, &lags);
	if (ret) {
		state_done(&sf);
		state_free(&e.st);
		ret = psctl_kernel_err(ctx, ret, "lag show");
		goto abort;
	}
	e.now = (int64_t)time(NULL);
	e.lags = &lags;
	state_update(ctx, &e.st, &sf, &lags, e.now);
	write_export(&e, &t);
	state_free(&e.st);
	lags_free(&lags);
	ptable_free(&t);
	if (!file)
		return 0;
	ret = atomic_commit(&af, 0644);
	if (ret) {
		psctl_err(ctx, "cannot write %s: %s", file, strerror(-ret));
		return EXIT_USAGE;
	}
	return 0;

abort:
	lags_free(&lags);
	ptable_free(&t);
	if (file)
		atomic_abort(&af);
	return ret;
}

static const struct psctl_cmd export_cmds[] = {
	{ "prometheus", export_prometheus },
	{ NULL, NULL },
};

const struct psctl_object export_object = {
	.name = "export",
	.cmds = export_cmds,
	.default_cmd = "help",
	.synopsis = "  psctl export prometheus [FILE] [prefixes all|none|top N]\n",
	.arguments =
	"  FILE    written atomically (mode 0644), e.g.\n"
	"          /var/lib/prometheus/node-exporter/psmon.prom; \"-\" or none: stdout\n"
	"  prefixes  per-prefix series for every (prefix, LAG) pair with traffic (all,\n"
	"          the default), none, or those of the N prefixes with most bytes\n",
};
