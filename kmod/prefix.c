// SPDX-License-Identifier: GPL-2.0
/*
 * The registered prefixes of a namespace and the lookup table built from
 * them.
 *
 * The control path keeps the prefixes in an rbtree ordered by (family,
 * address, length) under psmon_net.lock. Each prefix owns a counter slot for
 * its whole life. Every change builds a new immutable table (lpm.c) and
 * publishes it with rcu_assign_pointer(); the packet path only ever sees a
 * complete table. A slot is released only after a grace period, so no
 * packet still counting against a removed prefix can touch the counters of
 * the prefix that reuses the slot.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/rcupdate.h>
#include <linux/socket.h>

#include "prefix.h"

static int psmon_prefix_cmp(const struct psmon_prefix *a,
			    const struct psmon_prefix *b)
{
	int d;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	d = memcmp(a->addr, b->addr, sizeof(a->addr));
	if (d)
		return d;
	if (a->plen != b->plen)
		return a->plen < b->plen ? -1 : 1;
	return 0;
}

bool psmon_prefix_valid(const struct psmon_prefix *p,
			struct netlink_ext_ack *extack)
{
	unsigned int alen = p->family == AF_INET ? 4 : 16;
	unsigned int min = p->family == AF_INET ? 8 : 16;
	unsigned int i;

	if (p->plen < min || p->plen > alen * 8) {
		NL_SET_ERR_MSG(extack,
			       "prefix length out of range (IPv4 /8 to /32, IPv6 /16 to /128)");
		return false;
	}
	for (i = 0; i < sizeof(p->addr); i++) {
		unsigned int bits = i * 8;
		u8 host;

		if (bits + 8 <= p->plen)
			continue;
		host = bits >= p->plen ? 0xff : 0xff >> (p->plen - bits);
		if (p->addr[i] & host) {
			NL_SET_ERR_MSG(extack, "prefix has host bits set");
			return false;
		}
	}
	return true;
}

struct psmon_prefix *psmon_prefix_find(struct psmon_net *pn,
				       const struct psmon_prefix *key)
{
	struct rb_node *node = pn->prefixes.rb_node;

	while (node) {
		struct psmon_prefix *p = rb_entry(node, struct psmon_prefix,
						  node);
		int d = psmon_prefix_cmp(key, p);

		if (!d)
			return p;
		node = d < 0 ? node->rb_left : node->rb_right;
	}
	return NULL;
}

/* The first prefix ordered after key, or the first of all if key is NULL. */
struct psmon_prefix *psmon_prefix_after(struct psmon_net *pn,
					const struct psmon_prefix *key)
{
	struct rb_node *node = pn->prefixes.rb_node;
	struct psmon_prefix *best = NULL;

	if (!key) {
		node = rb_first(&pn->prefixes);
		return node ? rb_entry(node, struct psmon_prefix, node) : NULL;
	}
	while (node) {
		struct psmon_prefix *p = rb_entry(node, struct psmon_prefix,
						  node);

		if (psmon_prefix_cmp(key, p) < 0) {
			best = p;
			node = node->rb_left;
		} else {
			node = node->rb_right;
		}
	}
	return best;
}

static bool psmon_prefix_insert(struct psmon_net *pn, struct psmon_prefix *new)
{
	struct rb_node **link = &pn->prefixes.rb_node, *parent = NULL;

	while (*link) {
		struct psmon_prefix *p = rb_entry(*link, struct psmon_prefix,
						  node);
		int d = psmon_prefix_cmp(new, p);

		if (!d)
			return false;
		parent = *link;
		link = d < 0 ? &parent->rb_left : &parent->rb_right;
	}
	rb_link_node(&new->node, parent, link);
	rb_insert_color(&new->node, &pn->prefixes);
	return true;
}

/*
 * Memory that requests can make psmon allocate (counter blocks, prefixes,
 * the LAGs' block tables), across all namespaces, is charged here against
 * the max_memory_mb budget; it is also accounted to the caller's memory
 * cgroup (GFP_KERNEL_ACCOUNT).
 */
static atomic_long_t psmon_mem_used = ATOMIC_LONG_INIT(0);

int psmon_mem_charge(size_t size, struct netlink_ext_ack *extack)
{
	long limit = (long)READ_ONCE(psmon_max_memory_mb) << 20;

	if (atomic_long_add_return(size, &psmon_mem_used) > limit) {
		atomic_long_sub(size, &psmon_mem_used);
		NL_SET_ERR_MSG(extack,
			       "psmon memory budget reached (module parameter max_memory_mb)");
		return -ENOSPC;
	}
	return 0;
}

/* Memory the budget must take: see psmon_table_rebuild(). */
static void psmon_mem_charge_force(size_t size)
{
	atomic_long_add(size, &psmon_mem_used);
}

void psmon_mem_uncharge(size_t size)
{
	atomic_long_sub(size, &psmon_mem_used);
}

static size_t psmon_block_size(void)
{
	return sizeof(struct psmon_block) * num_possible_cpus();
}

static int psmon_block_alloc(struct psmon_lag *lag, u32 b,
			     struct netlink_ext_ack *extack)
{
	struct psmon_block __percpu *blk;
	int cpu, err;

	if (lag->blocks[b])
		return 0;
	err = psmon_mem_charge(psmon_block_size(), extack);
	if (err)
		return err;
	blk = alloc_percpu_gfp(struct psmon_block, GFP_KERNEL_ACCOUNT);
	if (!blk) {
		psmon_mem_uncharge(psmon_block_size());
		NL_SET_ERR_MSG(extack, "out of memory for prefix counters");
		return -ENOMEM;
	}
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(blk, cpu)->syncp);
	/* Published to readers by the table that first uses it. */
	WRITE_ONCE(lag->blocks[b], blk);
	return 0;
}

/* Only once no reader can reach the block: see psmon_prefix_reap(). */
static void psmon_block_free(struct psmon_lag *lag, u32 b)
{
	struct psmon_block __percpu *blk = lag->blocks[b];

	if (!blk)
		return;
	WRITE_ONCE(lag->blocks[b], NULL);
	free_percpu(blk);
	psmon_mem_uncharge(psmon_block_size());
}

/* A new LAG: the blocks of every slot in use. */
int psmon_blocks_alloc(struct psmon_lag *lag, struct netlink_ext_ack *extack)
{
	struct psmon_net *pn = lag->pn;
	u32 b, n = psmon_nblocks_max();
	int err;

	if (!pn->block_used)
		return 0;
	for (b = 0; b < n; b++) {
		if (!pn->block_used[b])
			continue;
		err = psmon_block_alloc(lag, b, extack);
		if (err)
			return err;
	}
	return 0;
}

void psmon_blocks_free(struct psmon_lag *lag)
{
	u32 b, n = psmon_nblocks_max();

	if (!lag->blocks)
		return;
	for (b = 0; b < n; b++)
		psmon_block_free(lag, b);
}

/*
 * Blocks first..last that hold slots get their counters on every LAG.
 * On failure the caller drops its slots and calls psmon_blocks_trim().
 */
static int psmon_blocks_sync(struct psmon_net *pn, u32 first, u32 last,
			     struct netlink_ext_ack *extack)
{
	struct psmon_lag *lag;
	u32 b;
	int err;

	for (b = first; b <= last; b++) {
		if (!pn->block_used[b])
			continue;
		list_for_each_entry(lag, &pn->lags, node) {
			err = psmon_block_alloc(lag, b, extack);
			if (err)
				return err;
		}
	}
	return 0;
}

/*
 * Free the blocks of first..last that hold no slot. No published table
 * maps to such a block: it was just allocated, or its last slot was
 * released a grace period after the table that used it was replaced.
 */
static void psmon_blocks_trim(struct psmon_net *pn, u32 first, u32 last)
{
	struct psmon_lag *lag;
	u32 b;

	for (b = first; b <= last; b++) {
		if (pn->block_used[b])
			continue;
		list_for_each_entry(lag, &pn->lags, node)
			psmon_block_free(lag, b);
	}
}

/* Called for a slot no reader can reach: unused, or freed a grace ago. */
static void psmon_slot_zero(struct psmon_net *pn, u32 slot)
{
	struct psmon_lag *lag;
	int cpu;

	list_for_each_entry(lag, &pn->lags, node) {
		struct psmon_block __percpu *blk =
			lag->blocks[slot >> PSMON_BLOCK_SHIFT];

		if (!blk)
			continue;
		for_each_possible_cpu(cpu)
			memset(&per_cpu_ptr(blk, cpu)->ctr[slot & PSMON_BLOCK_MASK],
			       0, sizeof(struct psmon_ctr));
	}
}

void psmon_prefix_read(const struct psmon_prefix *p,
		       const struct psmon_lag *lag, struct psmon_totals *t)
{
	struct psmon_block __percpu *blk = lag->blocks[p->slot >>
						       PSMON_BLOCK_SHIFT];
	unsigned int i = p->slot & PSMON_BLOCK_MASK;
	int cpu;

	memset(t, 0, sizeof(*t));
	if (!blk)
		return;
	for_each_possible_cpu(cpu) {
		const struct psmon_block *b = per_cpu_ptr(blk, cpu);

		psmon_ctr_read(&b->syncp, &b->ctr[i], t);
	}
}

/* A LAG is going away: keep what it counted in each prefix's totals. */
void psmon_prefix_fold_lag(struct psmon_net *pn, const struct psmon_lag *lag)
{
	struct psmon_prefix *p, *tmp;
	struct psmon_totals t;

	rbtree_postorder_for_each_entry_safe(p, tmp, &pn->prefixes, node) {
		psmon_prefix_read(p, lag, &t);
		psmon_totals_add(&p->departed, &t);
	}
}

/*
 * Lookup table of a namespace without prefixes: every address unmatched.
 * What psmon_lpm[46]_build() and _index() give for no prefix with
 * psmon_lpm_dir_bits(0, ...) = 2: one range and its padding, four windows of
 * the whole space and the window outside it; IPv6 has its node 0.
 */
static const u32 psmon_empty_dir[(1 << 2) + 1] = {
	[1 << 2] = 1 + PSMON_LPM_WINDOW - 1,	/* nr + WINDOW - 1 */
};

static const struct psmon_lpm4_range psmon_empty_r4[1 + PSMON_LPM_PAD] = {
	{ 0, PSMON_LPM_NONE },
	[1 ... PSMON_LPM_PAD] = { U32_MAX, PSMON_LPM_NONE },
};

static const struct psmon_lpm6_range psmon_empty_r6[1 + PSMON_LPM_PAD] = {
	{ .hi = 0, .slot = PSMON_LPM_NONE },
	[1 ... PSMON_LPM_PAD] = { .hi = U64_MAX, .slot = PSMON_LPM_NONE },
};

static const u64 psmon_empty_lows[1];

/* IPv6's node 0, which a lookup reads for a top-level window. */
static const struct psmon_lpm_node psmon_empty_node6[1] = {
	{ .a = 0, .b = PSMON_LPM_SUB },
};

struct psmon_table psmon_empty_table = {
	.v4 = { .shift = 32 - 2, .out = 1 << 2, .slice = U32_MAX >> 2,
		.dir = psmon_empty_dir, .r = psmon_empty_r4 },
	.v6 = { .shift = 64 - 2, .out = 1 << 2, .slice = U64_MAX >> 2,
		.dir = psmon_empty_dir, .r = psmon_empty_r6,
		.node = psmon_empty_node6, .lows = psmon_empty_lows },
};

/* Where a table's ranges start: its header, to a cache line. */
#define PSMON_TABLE_HDR	ALIGN(sizeof(struct psmon_table), SMP_CACHE_BYTES)

/* Free a table no longer published, after a grace period. */
static void psmon_table_put(struct psmon_table *t)
{
	if (t != &psmon_empty_table)
		kvfree_rcu(t, rcu);
}

/*
 * Build the table of the registered prefixes and publish it. The prefixes
 * are copied in the tree's order (sorted, IPv4 first) into a scratch area
 * where their ranges are built; the table is then allocated at its exact
 * size: ranges (and IPv6's low halves), index nodes and entries.
 *
 * A namespace's table is charged to the memory budget, with what changes
 * made under PSMON_A_MORE reserved for the table that will show them
 * (pn->reserved, psmon_table_reserve()). Only a rebuild for prefixes being
 * added now may be refused (!force); publishing deferred changes is within
 * the reservation, and removing prefixes never fails for the budget.
 */
static int psmon_table_rebuild(struct psmon_net *pn, bool force,
			       struct netlink_ext_ack *extack)
{
	size_t r4max = psmon_lpm_ranges_max(pn->n4);
	size_t r6max = psmon_lpm_ranges_max(pn->n6);
	unsigned int k4 = psmon_lpm_dir_bits(pn->n4, 0);
	unsigned int k6 = psmon_lpm_dir_bits(pn->n6, 1);
	size_t i4 = 0, i6 = pn->n4, size, n4, n6, nlows, grow, avail;
	struct psmon_lpm_size z4, z6;
	struct psmon_lpm4_range *r4;
	struct psmon_lpm6_range *r6;
	struct psmon_lpm_prefix *tmp;
	struct psmon_lpm_node *nodes;
	struct psmon_table *t, *old;
	struct rb_node *node;
	void *scratch;
	u64 *lows;
	u32 *dir;
	int err;

	old = rcu_dereference_protected(pn->table, lockdep_is_held(&pn->lock));
	avail = old->size + pn->reserved;
	if (!pn->nprefixes) {
		rcu_assign_pointer(pn->table, &psmon_empty_table);
		psmon_mem_uncharge(avail);
		pn->reserved = 0;
		psmon_table_put(old);
		return 0;
	}

	/* Scratch: IPv6 ranges and low halves, IPv4 ranges, the prefixes. */
	scratch = kvmalloc(r6max * (sizeof(*r6) + sizeof(*lows)) +
			   r4max * sizeof(*r4) + pn->nprefixes * sizeof(*tmp),
			   GFP_KERNEL);
	if (!scratch) {
		NL_SET_ERR_MSG(extack, "out of memory for the lookup table");
		return -ENOMEM;
	}
	r6 = scratch;
	lows = (void *)(r6 + r6max);
	r4 = (void *)(lows + r6max);
	tmp = (void *)(r4 + r4max);
	for (node = rb_first(&pn->prefixes); node; node = rb_next(node)) {
		struct psmon_prefix *p = rb_entry(node, struct psmon_prefix,
						  node);
		struct psmon_lpm_prefix *e;

		e = p->family == AF_INET ? &tmp[i4++] : &tmp[i6++];
		memcpy(e->addr, p->addr, sizeof(e->addr));
		e->plen = p->plen;
		e->slot = p->slot;
	}
	n4 = psmon_lpm4_build(tmp, pn->n4, r4);
	n6 = psmon_lpm6_build(tmp + pn->n4, pn->n6, r6, lows, &nlows);
	psmon_lpm4_index_size(r4, n4, k4, &z4);
	psmon_lpm6_index_size(r6, n6, k6, &z6);

	/* Ranges (each family's padding included), nodes, entries. */
	size = PSMON_TABLE_HDR + (n6 + PSMON_LPM_PAD) * sizeof(*r6) +
	       nlows * sizeof(*lows) + (n4 + PSMON_LPM_PAD) * sizeof(*r4) +
	       (z4.node + z6.node) * sizeof(*nodes) +
	       (z4.dir + z6.dir) * sizeof(*dir);
	grow = size > avail ? size - avail : 0;
	if (force) {
		psmon_mem_charge_force(grow);
	} else {
		err = psmon_mem_charge(grow, extack);
		if (err)
			goto out;
	}
	err = -ENOMEM;
	t = kvmalloc(size, GFP_KERNEL_ACCOUNT);
	if (!t) {
		psmon_mem_uncharge(grow);
		NL_SET_ERR_MSG(extack, "out of memory for the lookup table");
		goto out;
	}
	t->size = size;
	/*
	 * Each part stays naturally aligned: the ranges and low halves are
	 * multiples of 8 bytes, so the nodes (u64 first) after them are
	 * 8-aligned too. The IPv6 ranges start on a cache line (kvmalloc()
	 * gives at least that alignment), so that a quarter of their windows
	 * take one line and the others two.
	 */
	BUILD_BUG_ON(sizeof(*r6) % 8 || sizeof(*r4) % 8 ||
		     __alignof__(struct psmon_lpm_node) > 8 ||
		     SMP_CACHE_BYTES % sizeof(*r6));
	r6 = memcpy((void *)t + PSMON_TABLE_HDR, r6,
		    (n6 + PSMON_LPM_PAD) * sizeof(*r6));
	lows = memcpy((void *)(r6 + n6 + PSMON_LPM_PAD), lows,
		      nlows * sizeof(*lows));
	r4 = memcpy((void *)(lows + nlows), r4,
		    (n4 + PSMON_LPM_PAD) * sizeof(*r4));
	nodes = (void *)(r4 + n4 + PSMON_LPM_PAD);
	dir = (void *)(nodes + z4.node + z6.node);
	psmon_lpm4_index(&t->v4, r4, n4, k4, dir, nodes);
	psmon_lpm6_index(&t->v6, r6, lows, n6, k6, dir + z4.dir,
			 nodes + z4.node);

	rcu_assign_pointer(pn->table, t);
	psmon_mem_uncharge(avail + grow - size);
	pn->reserved = 0;
	psmon_table_put(old);
	err = 0;
out:
	kvfree(scratch);
	return err;
}

static void psmon_prefix_count(struct psmon_net *pn,
			       const struct psmon_prefix *p, int delta)
{
	pn->nprefixes += delta;
	if (p->family == AF_INET)
		pn->n4 += delta;
	else
		pn->n6 += delta;
}

static void psmon_slot_put(struct psmon_net *pn, u32 slot)
{
	pn->block_used[slot >> PSMON_BLOCK_SHIFT]--;
	ida_free(&pn->slots, slot);
}

/*
 * An upper bound of the table of n4 IPv4 and n6 IPv6 prefixes: the ranges
 * (at most 2n + 1, and the padding) and IPv6's low halves (as many), the
 * top-level index and the entry after it, sub-indexes and nodes (lpm.h:
 * PSMON_LPM_SUB_PER_RANGE and PSMON_LPM_NODES_PER_RANGE[46], which
 * selftests/unit checks every index it builds against).
 */
static size_t psmon_table_bound(u32 n4, u32 n6)
{
	size_t r4 = psmon_lpm_ranges_max(n4), r6 = psmon_lpm_ranges_max(n6);

	return PSMON_TABLE_HDR +
	       r4 * sizeof(struct psmon_lpm4_range) +
	       r6 * (sizeof(struct psmon_lpm6_range) + sizeof(u64)) +
	       (((size_t)1 << psmon_lpm_dir_bits(n4, 0)) + 1 +
		((size_t)1 << psmon_lpm_dir_bits(n6, 1)) + 1) * sizeof(u32) +
	       PSMON_LPM_SUB_PER_RANGE * (r4 + r6) * sizeof(u32) +
	       (PSMON_LPM_NODES_PER_RANGE4 * r4 +
		PSMON_LPM_NODES_PER_RANGE6 * r6) *
	       sizeof(struct psmon_lpm_node);
}

/*
 * Prefixes added under PSMON_A_MORE: charge the budget now for the table
 * that will show them, so that publishing it later cannot be refused.
 * False when the budget cannot take that bound: publish at once then,
 * charging only what the table really takes.
 */
static bool psmon_table_reserve(struct psmon_net *pn)
{
	const struct psmon_table *t;
	size_t need, have;

	t = rcu_dereference_protected(pn->table, lockdep_is_held(&pn->lock));
	need = psmon_table_bound(pn->n4, pn->n6);
	have = t->size + pn->reserved;
	if (need <= have)
		return true;
	if (psmon_mem_charge(need - have, NULL))
		return false;
	pn->reserved += need - have;
	return true;
}

/*
 * The table just published no longer holds the prefixes on pn->retiring:
 * once packets that found them in the old table are done, the reaper
 * releases their slots. Nothing here waits for a grace period.
 */
static void psmon_retired(struct psmon_net *pn)
{
	struct psmon_prefix *p;
	unsigned long cookie;

	pn->stale = false;
	if (list_empty(&pn->retiring))
		return;
	cookie = start_poll_synchronize_rcu();
	list_for_each_entry(p, &pn->retiring, dead)
		p->cookie = cookie;
	list_splice_tail_init(&pn->retiring, &pn->dead);
	queue_rcu_work(system_wq, &pn->reaper);
}

/* Publish a table of the prefixes registered now. */
static int psmon_publish(struct psmon_net *pn, bool force,
			 struct netlink_ext_ack *extack)
{
	int err = psmon_table_rebuild(pn, force, extack);

	if (!err)
		psmon_retired(pn);
	return err;
}

/* A change made with PSMON_A_MORE: publish it later. */
static void psmon_publish_later(struct psmon_net *pn)
{
	pn->stale = true;
	schedule_delayed_work(&pn->publisher, HZ);
}

static void psmon_publisher(struct work_struct *work)
{
	struct psmon_net *pn = container_of(to_delayed_work(work),
					    struct psmon_net, publisher);

	mutex_lock(&pn->lock);
	if (pn->stale && psmon_publish(pn, true, NULL))
		schedule_delayed_work(&pn->publisher, HZ);
	mutex_unlock(&pn->lock);
}

/* Namespace exit: after this, nothing publishes later. */
void psmon_prefix_stop(struct psmon_net *pn)
{
	cancel_delayed_work_sync(&pn->publisher);
}

/*
 * Register n prefixes, all or none. On a refusal caused by one entry, *bad
 * is its index (U32_MAX otherwise); the caller keeps ownership of p[] on
 * failure. -EAGAIN (with may_wait) means slots or memory are held by
 * removed prefixes still in their grace period: wait for it without the
 * lock, psmon_prefix_reap(), and try again.
 */
int psmon_prefix_add(struct psmon_net *pn, struct psmon_prefix **p, u32 n,
		     u32 *bad, bool may_wait, bool more,
		     struct netlink_ext_ack *extack)
{
	u32 i, done = 0, first = U32_MAX, last = 0;
	int err;

	lockdep_assert_held(&pn->lock);
	*bad = U32_MAX;

	if (n > psmon_max_prefixes - pn->nprefixes) {
		NL_SET_ERR_MSG(extack,
			       "prefix limit reached (module parameter max_prefixes)");
		return -ENOSPC;
	}
	if (!pn->block_used) {
		pn->block_used = kvcalloc(psmon_nblocks_max(),
					  sizeof(*pn->block_used),
					  GFP_KERNEL_ACCOUNT);
		if (!pn->block_used) {
			NL_SET_ERR_MSG(extack, "out of memory for prefix counters");
			return -ENOMEM;
		}
	}
	err = psmon_mem_charge(n * sizeof(**p), extack);
	if (err)
		goto wait;

	for (i = 0; i < n; i++) {
		u32 b;

		err = ida_alloc_max(&pn->slots, psmon_max_prefixes - 1,
				    GFP_KERNEL);
		if (err < 0)
			goto undo;
		p[i]->slot = err;
		if (!psmon_prefix_insert(pn, p[i])) {
			ida_free(&pn->slots, p[i]->slot);
			*bad = i;
			NL_SET_ERR_MSG(extack, "prefix is already registered");
			err = -EEXIST;
			goto undo;
		}
		done++;
		b = p[i]->slot >> PSMON_BLOCK_SHIFT;
		pn->block_used[b]++;
		first = min(first, b);
		last = max(last, b);
	}

	err = psmon_blocks_sync(pn, first, last, extack);
	if (err)
		goto undo;
	for (i = 0; i < n; i++) {
		psmon_slot_zero(pn, p[i]->slot);
		psmon_prefix_count(pn, p[i], 1);
	}

	if (more && psmon_table_reserve(pn)) {
		psmon_publish_later(pn);
		pn->gen++;
		return 0;
	}
	err = psmon_publish(pn, false, extack);
	if (!err) {
		pn->gen++;
		return 0;
	}
	for (i = 0; i < n; i++)
		psmon_prefix_count(pn, p[i], -1);
undo:
	/* Nothing of this was ever published: no grace period needed. */
	for (i = 0; i < done; i++) {
		rb_erase(&p[i]->node, &pn->prefixes);
		psmon_slot_put(pn, p[i]->slot);
	}
	if (done)
		psmon_blocks_trim(pn, first, last);
	psmon_mem_uncharge(n * sizeof(**p));
wait:
	/* A refusal publishes what earlier requests deferred. */
	if (pn->stale)
		psmon_publish(pn, true, NULL);
	if (may_wait && err != -EEXIST && !list_empty(&pn->dead))
		return -EAGAIN;
	if (err == -ENOSPC && !extack->_msg)
		NL_SET_ERR_MSG(extack, "no free counter slot");
	return err;
}

/*
 * Release the slots and memory of removed prefixes whose grace period has
 * ended, and the blocks no slot uses any more. Returns whether some are
 * still waiting.
 */
bool psmon_prefix_reap(struct psmon_net *pn)
{
	struct psmon_prefix *p, *tmp;
	u32 first = U32_MAX, last = 0;

	lockdep_assert_held(&pn->lock);

	list_for_each_entry_safe(p, tmp, &pn->dead, dead) {
		u32 b = p->slot >> PSMON_BLOCK_SHIFT;

		if (!poll_state_synchronize_rcu(p->cookie))
			break;
		list_del(&p->dead);
		psmon_slot_put(pn, p->slot);
		first = min(first, b);
		last = max(last, b);
		kfree(p);
		psmon_mem_uncharge(sizeof(*p));
	}
	if (first <= last)
		psmon_blocks_trim(pn, first, last);
	return !list_empty(&pn->dead);
}

static void psmon_reaper(struct work_struct *work)
{
	struct psmon_net *pn = container_of(to_rcu_work(work),
					    struct psmon_net, reaper);

	mutex_lock(&pn->lock);
	if (psmon_prefix_reap(pn))
		queue_rcu_work(system_wq, &pn->reaper);
	mutex_unlock(&pn->lock);
}

void psmon_prefix_init(struct psmon_net *pn)
{
	pn->prefixes = RB_ROOT;
	ida_init(&pn->slots);
	INIT_LIST_HEAD(&pn->dead);
	INIT_RCU_WORK(&pn->reaper, psmon_reaper);
	INIT_LIST_HEAD(&pn->retiring);
	INIT_DELAYED_WORK(&pn->publisher, psmon_publisher);
	pn->gen = 1;
}

/*
 * The prefixes on list were unpublished from the tree: publish the table
 * without them (now, or later with more), then hand them to the reaper.
 */
static int psmon_prefix_retire(struct psmon_net *pn, struct list_head *list,
			       bool more)
{
	int err;

	if (!more) {
		err = psmon_table_rebuild(pn, true, NULL);
		if (err)
			return err;
	}
	pn->gen++;
	list_splice_tail_init(list, &pn->retiring);
	if (more)
		psmon_publish_later(pn);
	else
		psmon_retired(pn);
	return 0;
}

/*
 * Unregister n prefixes, all or none, with one new table. On a refusal
 * caused by one entry, *bad is its index (U32_MAX otherwise).
 */
int psmon_prefix_del(struct psmon_net *pn, const struct psmon_prefix *keys,
		     u32 n, u32 *bad, bool more, struct netlink_ext_ack *extack)
{
	struct psmon_prefix *p, *tmp;
	LIST_HEAD(list);
	u32 i;
	int err;

	lockdep_assert_held(&pn->lock);
	*bad = U32_MAX;

	for (i = 0; i < n; i++) {
		p = psmon_prefix_find(pn, &keys[i]);
		if (!p) {
			*bad = i;
			NL_SET_ERR_MSG(extack, "prefix is not registered");
			err = -ENOENT;
			goto undo;
		}
		rb_erase(&p->node, &pn->prefixes);
		psmon_prefix_count(pn, p, -1);
		list_add_tail(&p->dead, &list);
	}
	err = psmon_prefix_retire(pn, &list, more);
	if (!err)
		return 0;
undo:
	list_for_each_entry_safe(p, tmp, &list, dead) {
		list_del(&p->dead);
		psmon_prefix_insert(pn, p);
		psmon_prefix_count(pn, p, 1);
	}
	/* A refusal publishes what earlier requests deferred. */
	if (pn->stale)
		psmon_publish(pn, true, NULL);
	return err;
}

/* Unregister every prefix; *n is how many there were. */
int psmon_prefix_del_all(struct psmon_net *pn, u32 *n)
{
	u32 n4 = pn->n4, n6 = pn->n6;
	struct psmon_prefix *p, *tmp;
	struct rb_root old;
	LIST_HEAD(list);
	int err;

	lockdep_assert_held(&pn->lock);

	*n = pn->nprefixes;
	if (!*n)
		return 0;
	old = pn->prefixes;
	pn->prefixes = RB_ROOT;
	rbtree_postorder_for_each_entry_safe(p, tmp, &old, node)
		list_add_tail(&p->dead, &list);
	pn->nprefixes = 0;
	pn->n4 = 0;
	pn->n6 = 0;
	err = psmon_prefix_retire(pn, &list, false);
	if (err) {
		pn->prefixes = old;
		pn->nprefixes = *n;
		pn->n4 = n4;
		pn->n6 = n6;
		*n = 0;
	}
	return err;
}

/* Namespace exit: no LAG, so no hook, is left. */
void psmon_prefix_flush(struct psmon_net *pn)
{
	struct psmon_prefix *p, *tmp;
	struct psmon_table *t;

	rbtree_postorder_for_each_entry_safe(p, tmp, &pn->prefixes, node) {
		kfree(p);
		psmon_mem_uncharge(sizeof(*p));
	}
	list_for_each_entry_safe(p, tmp, &pn->dead, dead) {
		kfree(p);
		psmon_mem_uncharge(sizeof(*p));
	}
	list_for_each_entry_safe(p, tmp, &pn->retiring, dead) {
		kfree(p);
		psmon_mem_uncharge(sizeof(*p));
	}
	INIT_LIST_HEAD(&pn->dead);
	INIT_LIST_HEAD(&pn->retiring);
	pn->stale = false;
	pn->prefixes = RB_ROOT;
	pn->nprefixes = 0;
	pn->n4 = 0;
	pn->n6 = 0;
	t = rcu_replace_pointer(pn->table, &psmon_empty_table, true);
	psmon_mem_uncharge(t->size + pn->reserved);
	pn->reserved = 0;
	psmon_table_put(t);
	ida_destroy(&pn->slots);
	kvfree(pn->block_used);
	pn->block_used = NULL;
}
