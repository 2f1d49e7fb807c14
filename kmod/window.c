// SPDX-License-Identifier: GPL-2.0
/*
 * Changing a LAG's window: the sample rings of the LAG and of every member
 * are resized together or not at all. Every new ring is allocated first;
 * only then are the rings swapped, which cannot fail.
 */
#include <linux/slab.h>

#include "window.h"

/* Move r's newest samples that fit into ring (size entries), then swap. */
static void psmon_ring_swap(struct psmon_rate *r, struct psmon_sample *ring,
			    u32 size)
{
	u32 keep = min(r->count, size), i;

	for (i = 0; i < keep; i++)
		ring[keep - 1 - i] = r->ring[(r->head + r->size - i) % r->size];
	kvfree(r->ring);
	r->ring = ring;
	r->size = size;
	r->count = keep;
	r->head = keep ? keep - 1 : 0;
}

/* Under psmon_net.lock. -ENOMEM leaves every ring as it was. */
int psmon_window_set(struct psmon_lag *lag, u32 window)
{
	struct psmon_sample **rings;
	struct psmon_member *m;
	u32 size = window + 1, n = 1, i;
	int err = 0;

	if (size == lag->rate.size)
		return 0;
	list_for_each_entry(m, &lag->members, node)
		n++;
	rings = kcalloc(n, sizeof(*rings), GFP_KERNEL);
	if (!rings)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		rings[i] = kvcalloc(size, sizeof(*rings[i]),
				    GFP_KERNEL_ACCOUNT);
		if (!rings[i]) {
			err = -ENOMEM;
			goto free;
		}
	}

	psmon_ring_swap(&lag->rate, rings[0], size);
	i = 1;
	list_for_each_entry(m, &lag->members, node)
		psmon_ring_swap(&m->rate, rings[i++], size);
	kfree(rings);
	return 0;
free:
	for (i = 0; i < n; i++)
		kvfree(rings[i]);
	kfree(rings);
	return err;
}
