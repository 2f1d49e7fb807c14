// SPDX-License-Identifier: GPL-2.0
/*
 * Rates, utilisation and the alert.
 *
 * Once a second, in each namespace that has LAGs, a work item samples the
 * members' interface counters (what the links carried, as "ip -s link" and
 * SNMP see it, frames dropped before psmon's hooks included) and the hooks'
 * totals, and keeps the mean rates over the last window seconds. Counters
 * and clock are read together under psmon_net.lock, so a sample delayed by
 * a control operation covers the time that really elapsed.
 *
 * Utilisation is the rate over the LAG's capacity (the contract basis: set
 * by hand, or provisioned), per direction (the links are full duplex). The
 * alert is raised when either direction reaches the threshold and cleared
 * when both fall below the clear level; the first crossing is kept until
 * acknowledged. A LAG whose active capacity is below its capacity is
 * degraded (an outage, not growth): that is reported, and an overload of
 * the active capacity too, but it records no crossing. The packet path is
 * not involved: it only counts.
 */
#include <linux/math64.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "lag.h"
#include "muldiv.h"
#include "netlink.h"
#include "rate.h"

int psmon_rate_init(struct psmon_rate *r, u32 window)
{
	memset(r, 0, sizeof(*r));
	r->size = window + 1;
	r->ring = kvcalloc(r->size, sizeof(*r->ring), GFP_KERNEL_ACCOUNT);
	return r->ring ? 0 : -ENOMEM;
}

/* Keep the newest samples that fit the new window. */
int psmon_rate_resize(struct psmon_rate *r, u32 window)
{
	struct psmon_sample *ring;
	u32 size = window + 1, keep, i;

	if (size == r->size)
		return 0;
	ring = kvcalloc(size, sizeof(*ring), GFP_KERNEL_ACCOUNT);
	if (!ring)
		return -ENOMEM;
	keep = min(r->count, size);
	for (i = 0; i < keep; i++)
		ring[keep - 1 - i] = r->ring[(r->head + r->size - i) % r->size];
	kvfree(r->ring);
	r->ring = ring;
	r->size = size;
	r->count = keep;
	r->head = keep ? keep - 1 : 0;
	return 0;
}

void psmon_rate_free(struct psmon_rate *r)
{
	kvfree(r->ring);
	r->ring = NULL;
}

/* Seconds of history the rate is the mean of (0: no rate yet). */
u32 psmon_rate_seconds(const struct psmon_rate *r)
{
	const struct psmon_sample *new, *old;

	if (r->count < 2)
		return 0;
	new = &r->ring[r->head];
	old = &r->ring[(r->head + r->size - (r->count - 1)) % r->size];
	return DIV_ROUND_CLOSEST_ULL(new->time - old->time, NSEC_PER_SEC);
}

/* Bytes between two samples as bit/s over the time between them. */
static u64 psmon_bps(u64 new, u64 old, u64 ns)
{
	if (new < old || !ns)
		return 0;
	return psmon_mul_div_sat(new - old, 8 * NSEC_PER_SEC, ns);
}

static void psmon_rate_push(struct psmon_rate *r, u64 now,
			    const u64 *bytes, const u64 *hook)
{
	const struct psmon_sample *old;
	struct psmon_sample *new;
	int d;

	r->head = (r->head + 1) % r->size;
	if (r->count < r->size)
		r->count++;
	new = &r->ring[r->head];
	new->time = now;
	for (d = 0; d < PSMON_DIRS; d++) {
		new->bytes[d] = bytes[d];
		new->hook[d] = hook[d];
	}

	old = &r->ring[(r->head + r->size - (r->count - 1)) % r->size];
	for (d = 0; d < PSMON_DIRS; d++) {
		r->bps[d] = 0;
		r->hook_bps[d] = 0;
		if (r->count < 2 || new->time <= old->time)
			continue;
		r->bps[d] = psmon_bps(new->bytes[d], old->bytes[d],
				      new->time - old->time);
		r->hook_bps[d] = psmon_bps(new->hook[d], old->hook[d],
					   new->time - old->time);
	}
}

/* bps in parts per million of capacity, saturated; 0 without capacity. */
u32 psmon_ppm(u64 bps, u64 capacity)
{
	return min_t(u64, psmon_mul_div_sat(bps, 1000000, capacity),
		     U32_MAX);
}

/*
 * Capacity with the largest member failed, for redundancy planning; 0 when
 * fewer than two members are up. A fixed capacity is scaled by the share
 * the remaining members' speeds have of the total.
 */
u64 psmon_lag_n1_capacity(const struct psmon_lag *lag)
{
	const struct psmon_member *m;
	u64 sum = 0, largest = 0;
	u32 up = 0;

	list_for_each_entry(m, &lag->members, node) {
		if (!m->up)
			continue;
		up++;
		sum += (u64)m->speed * 1000000;
		largest = max_t(u64, largest, (u64)m->speed * 1000000);
	}
	if (up < 2 || !sum)
		return 0;
	if (!lag->capacity)
		return sum - largest;
	/* sum - largest < sum: the quotient fits. */
	return psmon_mul_div_sat(lag->capacity, sum - largest, sum);
}

static const char *const psmon_dir_name[PSMON_DIRS] = { "rx", "tx" };

/* The direction with the higher utilisation. */
static int psmon_top(const u32 *util)
{
	return util[PSMON_TX] > util[PSMON_RX] ? PSMON_TX : PSMON_RX;
}

static void psmon_member_check(struct psmon_lag *lag, struct psmon_member *m,
			       time64_t now)
{
	u32 util[PSMON_DIRS], thr = lag->threshold * 10000U;
	u64 speed = (u64)m->speed * 1000000;
	int d, top;

	for (d = 0; d < PSMON_DIRS; d++)
		util[d] = psmon_ppm(m->rate.bps[d], speed);
	top = psmon_top(util);

	if (!m->imbalanced && !lag->alert && speed && util[top] >= thr) {
		m->imbalanced = true;
		net_info_ratelimited("psmon: %s: member %s %s utilisation %u.%u%% reached the %u%% threshold while the LAG is below it\n",
				     lag->name, m->name,
				     psmon_dir_name[top], util[top] / 10000,
				     util[top] / 1000 % 10, lag->threshold);
		psmon_nl_notify(lag, PSMON_EVENT_IMBALANCE, top, util[top],
				now, m->name);
	} else if (m->imbalanced &&
		   max(util[PSMON_RX], util[PSMON_TX]) < lag->clear * 10000U) {
		m->imbalanced = false;
		psmon_nl_notify(lag, PSMON_EVENT_IMBALANCE_CLEAR, top,
				util[top], now, m->name);
	}
}

/*
 * Degraded: the active members carry less than the capacity. An outage is
 * not growth: it is reported, and an overload of what is left, but only
 * the utilisation of the capacity records a crossing.
 */
static void psmon_lag_check_active(struct psmon_lag *lag, time64_t now)
{
	u64 capacity = psmon_lag_capacity(lag);
	u64 active = psmon_lag_active_capacity(lag);
	bool degraded = active < capacity;
	u32 util[PSMON_DIRS];
	int d, top;

	for (d = 0; d < PSMON_DIRS; d++)
		util[d] = active ? psmon_ppm(lag->rate.bps[d], active) :
				   (lag->rate.bps[d] ? U32_MAX : 0);
	top = psmon_top(util);

	if (degraded != lag->degraded) {
		lag->degraded = degraded;
		if (degraded)
			net_info_ratelimited("psmon: %s: degraded: active capacity %llu of %llu bit/s (%u members active)\n",
					     lag->name, active, capacity,
					     psmon_lag_active_members(lag));
		else
			net_info_ratelimited("psmon: %s: restored: active capacity %llu bit/s\n",
					     lag->name, active);
		psmon_nl_notify(lag, degraded ? PSMON_EVENT_DEGRADED :
						PSMON_EVENT_RESTORED,
				top, util[top], now, NULL);
	}

	if (!lag->degraded || !psmon_rate_seconds(&lag->rate)) {
		lag->overload = false;
		return;
	}
	if (!lag->overload && util[top] >= lag->threshold * 10000U) {
		lag->overload = true;
		net_info_ratelimited("psmon: %s: overload: %s at %u.%u%% of the active capacity (%llu bit/s) while degraded; no crossing is recorded for an outage\n",
				     lag->name, psmon_dir_name[top],
				     util[top] / 10000, util[top] / 1000 % 10,
				     active);
		psmon_nl_notify(lag, PSMON_EVENT_OVERLOAD, top, util[top], now,
				NULL);
	} else if (lag->overload && util[top] < lag->clear * 10000U) {
		lag->overload = false;
	}
}

static void psmon_lag_check(struct psmon_lag *lag, time64_t now)
{
	u64 capacity = psmon_lag_capacity(lag);
	u32 util[PSMON_DIRS];
	int d, top;

	psmon_lag_check_active(lag, now);
	if (psmon_rate_seconds(&lag->rate) == 0 || !capacity)
		return;
	for (d = 0; d < PSMON_DIRS; d++)
		util[d] = psmon_ppm(lag->rate.bps[d], capacity);
	top = psmon_top(util);
	lag->peak = max(lag->peak, util[top]);

	if (!lag->alert && util[top] >= lag->threshold * 10000U) {
		lag->alert = true;
		if (!lag->alert_since)
			lag->alert_since = now;
		net_info_ratelimited("psmon: %s: %s utilisation %u.%u%% reached the %u%% threshold: LAG augmentation is due\n",
				     lag->name, psmon_dir_name[top],
				     util[top] / 10000, util[top] / 1000 % 10,
				     lag->threshold);
		psmon_nl_notify(lag, PSMON_EVENT_ALERT, top, util[top], now,
				NULL);
	} else if (lag->alert && util[top] < lag->clear * 10000U) {
		lag->alert = false;
		net_info_ratelimited("psmon: %s: utilisation %u.%u%% fell below %u%%: alert cleared\n",
				     lag->name, util[top] / 10000,
				     util[top] / 1000 % 10, lag->clear);
		psmon_nl_notify(lag, PSMON_EVENT_CLEAR, top, util[top], now,
				NULL);
	}
}

/* Add what a counter grew by since the last reading; a reset adds 0. */
static void psmon_grow(u64 *total, u64 *last, u64 now, bool known)
{
	if (known && now >= *last)
		*total += now - *last;
	*last = now;
}

/*
 * Read a member's interface counters and hook totals, and add what the
 * interface counted since the last reading to the member and its LAG.
 */
static void psmon_member_sample(struct psmon_lag *lag, struct psmon_member *m,
				struct psmon_totals *hook)
{
	struct rtnl_link_stats64 st;
	u64 v[2][PSMON_DIRS];
	int d;

	dev_get_stats(m->dev, &st);
	psmon_pcpu_read(m->stats, hook);
	v[0][PSMON_RX] = st.rx_packets;
	v[0][PSMON_TX] = st.tx_packets;
	v[1][PSMON_RX] = st.rx_bytes;
	v[1][PSMON_TX] = st.tx_bytes;
	for (d = 0; d < PSMON_DIRS; d++) {
		u64 p = m->ifc.packets[d], b = m->ifc.bytes[d];

		psmon_grow(&m->ifc.packets[d], &m->if_last.packets[d],
			   v[0][d], m->if_read);
		psmon_grow(&m->ifc.bytes[d], &m->if_last.bytes[d], v[1][d],
			   m->if_read);
		lag->ifc.packets[d] += m->ifc.packets[d] - p;
		lag->ifc.bytes[d] += m->ifc.bytes[d] - b;
	}
	m->if_read = true;
}

/*
 * One sample of a LAG and its members: every counter first, then the
 * clocks, with nothing in between that can wait, so each rate is over the
 * time that really elapsed since the previous sample.
 */
static void psmon_lag_sample(struct psmon_lag *lag)
{
	struct psmon_totals all = lag->departed, hook;
	struct psmon_member *m;
	time64_t wall;
	u64 now;

	list_for_each_entry(m, &lag->members, node) {
		psmon_member_sample(lag, m, &hook);
		psmon_totals_add(&all, &hook);
		m->hook_read = hook;
	}
	now = ktime_get_ns();
	wall = ktime_get_real_seconds();

	list_for_each_entry(m, &lag->members, node)
		psmon_rate_push(&m->rate, now, m->ifc.bytes,
				m->hook_read.bytes);
	psmon_rate_push(&lag->rate, now, lag->ifc.bytes, all.bytes);
	psmon_lag_check(lag, wall);
	list_for_each_entry(m, &lag->members, node)
		psmon_member_check(lag, m, wall);
}

static void psmon_sample(struct work_struct *work)
{
	struct psmon_net *pn = container_of(to_delayed_work(work),
					    struct psmon_net, sampler);
	struct psmon_lag *lag;

	mutex_lock(&pn->lock);
	list_for_each_entry(lag, &pn->lags, node)
		psmon_lag_sample(lag);
	if (pn->nlags)
		queue_delayed_work(system_power_efficient_wq, &pn->sampler,
				   HZ);
	mutex_unlock(&pn->lock);
}

void psmon_sampler_init(struct psmon_net *pn)
{
	INIT_DELAYED_WORK(&pn->sampler, psmon_sample);
}

/* Under psmon_net.lock, when a LAG was added. */
void psmon_sampler_start(struct psmon_net *pn)
{
	queue_delayed_work(system_power_efficient_wq, &pn->sampler, HZ);
}

/* Without psmon_net.lock: the work takes it. */
void psmon_sampler_stop(struct psmon_net *pn)
{
	cancel_delayed_work_sync(&pn->sampler);
}

/* The augmentation is done: forget the crossing, judge afresh. */
void psmon_lag_ack(struct psmon_lag *lag)
{
	lag->alert = false;
	lag->alert_since = 0;
	lag->peak = 0;
}
