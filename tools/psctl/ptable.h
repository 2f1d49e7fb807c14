/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The registered prefixes and their per-LAG counters, read in one dump
 * into memory: for the export (which must not write half a table when a
 * dump is interrupted), top (two of them, subtracted) and prefix get
 * (longest match). Functions return 0 or -errno.
 */
#ifndef PSCTL_PTABLE_H
#define PSCTL_PTABLE_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/psmon.h>

#include "lags.h"
#include "nl.h"
#include "parse.h"

struct ptable_lag {
	char dev[LAG_DEVLEN];
	struct lag_counters c;
};

struct ptable_entry {
	struct psctl_prefix p;
	char name[PSMON_NAME_SIZE];	/* "" when none */
	size_t first, nlags;		/* its LAGs: lags[first..first+nlags) */
};

struct ptable {
	struct ptable_entry *v;
	size_t n, cap;
	struct ptable_lag *lags;
	size_t nlags, lags_cap;
};

/*
 * Dump the prefixes into t (zeroed by the caller). nl_request() reads a
 * dump interrupted by a concurrent change again (see nl.c).
 */
int ptable_fetch(struct nl *nl, struct ptable *t);
void ptable_free(struct ptable *t);

/* The entry's counters on LAG dev, NULL when it has none there. */
const struct ptable_lag *ptable_lag(const struct ptable *t,
				    const struct ptable_entry *e,
				    const char *dev);
/* Any counter not zero: the pair has carried traffic. */
bool ptable_busy(const struct lag_counters *c);

/*
 * The entry an address (a prefix of full length) counts to: the longest
 * registered prefix containing it, NULL when there is none.
 */
const struct ptable_entry *ptable_match(const struct ptable *t,
					const struct psctl_prefix *addr);

#endif /* PSCTL_PTABLE_H */
