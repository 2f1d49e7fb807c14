/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The state file on disk: one per network namespace in the state
 * directory (-S DIR, else $PSMON_STATE_DIR, else /var/lib/psmon):
 * state.json for the initial namespace (the one of process 1, as psctl
 * sees it), netns-NAME.json for the namespace of -n NAME, or for the one
 * psctl runs in when it is not the initial one and /run/netns names it
 * (ip netns exec NAME psctl ...). Names, unlike namespace inode numbers,
 * survive a reboot. A namespace that is neither initial nor named has no
 * state file: its state is not kept, and that is reported. When process
 * 1's namespace cannot be seen (no /proc, or not permitted), a namespace
 * /run/netns does not name counts as the initial one.
 *
 * Updates hold an exclusive flock(2) on the directory from reading to
 * writing, so that concurrent psctl runs do not lose each other's
 * changes, and replace the file atomically.
 *
 * Problems with the state never stop a command that reads the kernel,
 * and are never silent: a warning on stderr, ctx->state_unhealthy (exit
 * status EXIT_STATE, psmon_state_healthy 0 in the export). A state file
 * psctl cannot read (corrupt, or from a newer psctl) is left as it is,
 * and psctl carries on without updating it until someone repairs or
 * removes it.
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
 * The name of the network namespace the state belongs to: NULL for the
 * initial one. -ENOENT for a namespace without a name.
 */
int state_netns(const struct psctl *ctx, const char **name);

/*
 * Read the state into st (empty when there is none or it cannot be read).
 * With update, lock the directory first (creating it if needed); sf says
 * whether state_save() may write: not when the file could not be read,
 * nor when the directory cannot be written (both reported).
 */
void state_load(struct psctl *ctx, struct state *st, struct state_file *sf,
		bool update);
/* Replace the file with st; 0, or -errno (-EROFS: not writable; else after a warning). */
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
