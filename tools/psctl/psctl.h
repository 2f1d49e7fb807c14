/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the objects (lag.c, prefix.c, ...) share: the run context, the
 * object and command tables, and how errors are reported.
 */
#ifndef PSCTL_H
#define PSCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"
#include "lags.h"
#include "nl.h"
#include "parse.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Exit status, as in iproute2. */
#define EXIT_USAGE	1	/* bad usage or input; nothing was sent */
#define EXIT_KERNEL	2	/* the kernel refused, or could not be asked */
/* Done, but the state could not be read or saved (statefile.h). */
#define EXIT_STATE	3

struct psctl {
	bool json;
	bool pretty;
	bool stats;
	bool force;			/* -f: batch mode goes on after errors */
	const char *netns;		/* still to enter; NULL once entered */
	const char *netns_name;		/* -n, for the state file's name */
	const char *state_dir;		/* -S, else $PSMON_STATE_DIR, else default */
	bool state_unhealthy;		/* the state could not be read or saved */
	/*
	 * The command's job includes keeping the state (export, monitor, lag
	 * ack): a state directory it may not write is trouble. Other commands
	 * run by users without write access only read it, quietly.
	 */
	bool state_keeper;
	struct nl *nl;			/* opened on first use, see psctl_nl() */
	struct json jw;

	const char *batch_name;		/* NULL outside batch mode */
	unsigned long line;		/* batch line being run */

	/*
	 * Work queued by earlier batch lines of the command pending_cmd
	 * (consecutive "prefix add" lines go out as one message). Any other
	 * command, an error, and the end of the batch run it first.
	 */
	int (*flush)(struct psctl *ctx);
	int (*pending_cmd)(struct psctl *ctx, int argc, char **argv);
};

struct psctl_cmd {
	const char *name;
	/* argv[0] is the first argument after the command's name. */
	int (*run)(struct psctl *ctx, int argc, char **argv);
};

struct psctl_object {
	const char *name;
	const struct psctl_cmd *cmds;	/* ends with an empty entry */
	const char *default_cmd;	/* when no command is given */
	/* An object that is a command itself (monitor, deadline, save). */
	int (*run)(struct psctl *ctx, int argc, char **argv);
	const char *synopsis;		/* one "OBJECT COMMAND ..." a line */
	const char *arguments;		/* what the arguments mean */
};

extern const struct psctl_object lag_object;
extern const struct psctl_object prefix_object;
extern const struct psctl_object monitor_object;
extern const struct psctl_object deadline_object;
extern const struct psctl_object export_object;
extern const struct psctl_object save_object;
extern const struct psctl_object apply_object;
extern const struct psctl_object top_object;
extern const struct psctl_object check_object;

/* psctl prefix get ADDRESS (top.c). */
int prefix_get_main(struct psctl *ctx, int argc, char **argv);

/* Run one command line: OBJECT [COMMAND [ARGS]]. Returns the exit status. */
int psctl_run(struct psctl *ctx, int argc, char **argv);
/* Run the commands of a file ("-": standard input). */
int psctl_batch(struct psctl *ctx, const char *file);
/* Run the queued work, if any; returns an exit status. */
int psctl_flush(struct psctl *ctx);

/* The netlink socket, opened on first use; 0 or an exit status. */
int psctl_nl(struct psctl *ctx, struct nl **nl);
/*
 * The same, quiet when the module is not loaded: then *loaded is false,
 * *nl NULL and 0 is returned.
 */
int psctl_nl_if_loaded(struct psctl *ctx, struct nl **nl, bool *loaded);

/* "FILE:LINE: Error: ...\n" on stderr (no location outside batch mode). */
void psctl_err(struct psctl *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * Report a failed request: the kernel's extended ack message if any, else
 * "what: strerror". Returns EXIT_KERNEL.
 */
int psctl_kernel_err(struct psctl *ctx, int err, const char *what);
/* The same with the extended ack message msg ("" if none). */
int psctl_report(struct psctl *ctx, int err, const char *msg,
		 const char *what);
/*
 * The same for a request about one object (a device, a prefix): when the
 * kernel's message does not name it, name is appended in quotes, as in
 * 'Error: no such device "bond9"'.
 */
int psctl_report_about(struct psctl *ctx, int err, const char *msg,
		       const char *what, const char *name);
/* "FILE:LINE: Warning: ...\n" on stderr. */
void psctl_warn(struct psctl *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* After a successful request: print the kernel's warning, if it sent one. */
void psctl_kernel_warn(struct psctl *ctx);

/* "lag COMMAND DEV" (or "deadline [DEV]") with nothing after DEV. */
int psctl_one_dev(struct psctl *ctx, int argc, char **argv, bool optional);

/* Counter tables of -s output. */
void psctl_counters_header(FILE *f);
void psctl_counters_row(FILE *f, const char *label, uint64_t rx_packets,
			uint64_t rx_bytes, uint64_t tx_packets,
			uint64_t tx_bytes);

/*
 * One PREFIX_GET reply: the attributes of its PSMON_A_PREFIX nest in tb
 * (PSMON_A_PREFIX_MAX + 1 entries, zeroed by the caller), the nest itself
 * in *nest, the prefix in p. -EBADMSG when the reply is malformed.
 */
int psctl_prefix_reply(const struct nlmsghdr *nlh, const struct nlattr **tb,
		       const struct nlattr **nest, struct psctl_prefix *p);
/* Most prefixes in one PSMON_CMD_PREFIX_NEW message. */
#define PREFIX_GROUP_MAX	256

/* A prefix to add, and the batch line it comes from. */
struct prefix_entry {
	struct psctl_prefix prefix;
	bool has_name;
	char name[PSMON_NAME_SIZE];
	unsigned long line;
};

/*
 * Add e[0..n) (n <= PREFIX_GROUP_MAX) in as few PREFIX_NEW messages as the
 * kernel accepts: on a refusal the entries before the refused one are sent
 * again and the refused one is reported (its line in ctx->line). *done is
 * how many were added. With more, the message says more changes follow
 * (PSMON_A_MORE): the kernel rebuilds its table with the last of them.
 * Returns 0 or an exit status.
 */
int psctl_prefix_add(struct psctl *ctx, struct nl *nl,
		     const struct prefix_entry *e, unsigned int n, bool more,
		     unsigned int *done);
/* The same for PREFIX_DEL: e[i].has_name and name are not used. */
int psctl_prefix_del(struct psctl *ctx, struct nl *nl,
		     const struct prefix_entry *e, unsigned int n, bool more,
		     unsigned int *done);

/*
 * The attributes of a PSMON_A_PREFIX_LAG nest in lt
 * (PSMON_A_PREFIX_LAG_MAX + 1 entries); -EBADMSG when malformed.
 */
int psctl_prefix_lag(const struct nlattr *a, const struct nlattr **lt);

#endif /* PSCTL_H */
