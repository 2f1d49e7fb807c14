/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The state file on disk: one per network namespace in the state
 * directory (-S DIR, else $PSMON_STATE_DIR, else /var/lib/psmon):
 * state.json for the namespace psctl starts in, netns-NAME.json with
 * -n NAME. Updates hold an exclusive flock(2) on the directory from
 * reading to writing, so that concurrent psctl runs do not lose each
 * other's changes, and replace the file atomically.
 *
 * Problems with the state never stop a command that reads the kernel:
 * they are warnings. A corrupt file is moved aside to
 * FILE.corrupt-UNIXTIME and psctl starts afresh.
 */
#ifndef PSCTL_STATEFILE_H
#define PSCTL_STATEFILE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "psctl.h"
#include "state.h"

#define STATE_DIR_DEFAULT	"/var/lib/psmon"

struct state_file {
	char path[PATH_MAX];
	int lockfd;		/* the directory, locked; -1 */
	bool writable;		/* locked, and the file may be replaced */
};

const char *state_dir(const struct psctl *ctx);

/*
 * Read the state into st (empty when there is none or it cannot be read).
 * With update, lock the directory first (creating it if needed); sf says
 * whether state_save() may write.
 */
void state_load(struct psctl *ctx, struct state *st, struct state_file *sf,
		bool update);
/* Replace the file with st; 0, or -errno after a warning. */
int state_save(struct psctl *ctx, const struct state *st,
	       struct state_file *sf);
/* Unlock. */
void state_done(struct state_file *sf);

/*
 * Fold the kernel's LAGs, read at now, into st (loaded for update before
 * the kernel was read, so that a concurrent "lag ack" is not undone),
 * save it and unlock.
 */
void state_update(struct psctl *ctx, struct state *st, struct state_file *sf,
		  const struct lag_list *lags, int64_t now);

/*
 * The crossing and peak of LAG l, the kernel's and the recorded ones
 * together: the earlier crossing (0: none), the higher peak.
 */
void state_recorded(struct state *st, const struct lag_info *l,
		    int64_t *since, uint32_t *peak);

/* The reading of LAG l for state_merge(). */
void state_reading_of(const struct lag_info *l, struct state_reading *r);

#endif /* PSCTL_STATEFILE_H */
