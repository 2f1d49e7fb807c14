// SPDX-License-Identifier: GPL-2.0
/*
 * Rates, utilisation and the alert.
 *
 * Once a second, in each namespace that has LAGs, a work item samples the
 * byte counters of every LAG and member and keeps the mean rate over the
 * last window seconds. Utilisation is that rate over the LAG's capacity,
 * per direction (the links are full duplex). The alert is raised when
 * either direction reaches the threshold and cleared when both fall below
 * the clear level; the first crossing is kept until acknowledged. The
 * packet path is not involved: it only counts.
 */
#include <linux/math64.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "lag.h"
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

static void psmon_rate_push(struct psmon_rate *r, u64 now,
			    const struct psmon_totals *t)
{
	const struct psmon_sample *old;
	struct psmon_sample *new;
	int d;

	r->head = (r->head + 1) % r->size;
	if (r->count < r->size)
		r->count++;
	new = &r->ring[r->head];
	new->time = now;
	for (d = 0; d < PSMON_DIRS; d++)
		new->bytes[d] = t->bytes[d];

	old = &r->ring[(r->head + r->size - (r->count - 1)) % r->size];
	for (d = 0; d < PSMON_DIRS; d++) {
		r->bps[d] = 0;
		if (r->count > 1 && new->time > old->time &&
		    new->bytes[d] >= old->bytes[d])
			r->bps[d] = mul_u64_u64_div_u64(new->bytes[d] -
							old->bytes[d],
							8 * NSEC_PER_SEC,
							new->time - old->time);
	}
}

u32 psmon_ppm(u64 bps, u64 capacity)
{
	if (!capacity)
		return 0;
	return min_t(u64, mul_u64_u64_div_u64(bps, 1000000, capacity),
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
	return mul_u64_u64_div_u64(lag->capacity, sum - largest, sum);
}

static const char *const psmon_dir_name[PSMON_DIRS] = { "rx", "tx" };

static void psmon_member_check(struct psmon_lag *lag, struct psmon_member *m,
			       time64_t now)
{
	u32 util[PSMON_DIRS], thr = lag->threshold * 10000U;
	u64 speed = (u64)m->speed * 1000000;
	int d, top;

	for (d = 0; d < PSMON_DIRS; d++)
		util[d] = psmon_ppm(m->rate.bps[d], speed);
	top = util[PSMON_TX] > util[PSMON_RX] ? PSMON_TX : PSMON_RX;

	if (!m->imbalanced && !lag->alert && speed && util[top] >= thr) {
		m->imbalanced = true;
		net_info_ratelimited("psmon: %s: member %s %s utilisation %u.%u%% reached the %u%% threshold while the LAG is below it\n",
				     lag->dev->name, m->dev->name,
				     psmon_dir_name[top], util[top] / 10000,
				     util[top] / 1000 % 10, lag->threshold);
		psmon_nl_notify(lag, PSMON_EVENT_IMBALANCE, top, util[top],
				now, m->dev->name);
	} else if (m->imbalanced &&
		   max(util[PSMON_RX], util[PSMON_TX]) < lag->clear * 10000U) {
		m->imbalanced = false;
		psmon_nl_notify(lag, PSMON_EVENT_IMBALANCE_CLEAR, top,
				util[top], now, m->dev->name);
	}
}

static void psmon_lag_check(struct psmon_lag *lag, time64_t now)
{
	u64 capacity = psmon_lag_capacity(lag);
	u32 util[PSMON_DIRS];
	int d, top;

	if (psmon_rate_seconds(&lag->rate) == 0 || !capacity)
		return;
	for (d = 0; d < PSMON_DIRS; d++)
		util[d] = psmon_ppm(lag->rate.bps[d], capacity);
	top = util[PSMON_TX] > util[PSMON_RX] ? PSMON_TX : PSMON_RX;
	lag->peak = max(lag->peak, util[top]);

	if (!lag->alert && util[top] >= lag->threshold * 10000U) {
		lag->alert = true;
		if (!lag->alert_since)
			lag->alert_since = now;
		net_info_ratelimited("psmon: %s: %s utilisation %u.%u%% reached the %u%% threshold: LAG augmentation is due\n",
				     lag->dev->name, psmon_dir_name[top],
				     util[top] / 10000, util[top] / 1000 % 10,
				     lag->threshold);
		psmon_nl_notify(lag, PSMON_EVENT_ALERT, top, util[top], now,
				NULL);
	} else if (lag->alert && util[top] < lag->clear * 10000U) {
		lag->alert = false;
		net_info_ratelimited("psmon: %s: utilisation %u.%u%% fell below %u%%: alert cleared\n",
				     lag->dev->name, util[top] / 10000,
				     util[top] / 1000 % 10, lag->clear);
		psmon_nl_notify(lag, PSMON_EVENT_CLEAR, top, util[top], now,
				NULL);
	}
}

static void psmon_sample(struct work_struct *work)
{
	struct psmon_net *pn = container_of(to_delayed_work(work),
					    struct psmon_net, sampler);
	time64_t wall = ktime_get_real_seconds();
	u64 now = ktime_get_ns();
	struct psmon_totals all, unmatched;
	struct psmon_member *m;
	struct psmon_lag *lag;

	mutex_lock(&pn->lock);
	list_for_each_entry(lag, &pn->lags, node) {
		psmon_lag_read(lag, &all, &unmatched);
		psmon_rate_push(&lag->rate, now, &all);
		list_for_each_entry(m, &lag->members, node) {
			psmon_pcpu_read(m->stats, &all);
			psmon_rate_push(&m->rate, now, &all);
		}
		psmon_lag_check(lag, wall);
		list_for_each_entry(m, &lag->members, node)
			psmon_member_check(lag, m, wall);
	}
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
