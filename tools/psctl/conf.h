/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A psmon configuration: the LAGs with their settings and the prefixes
 * with their names. Read from the kernel (save, apply), from a batch file
 * of "lag add" and "prefix add" lines (apply), and written as one (save).
 */
#ifndef PSCTL_CONF_H
#define PSCTL_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lags.h"
#include "nl.h"
#include "parse.h"

struct psctl;

/* Defaults of "lag add" (CONTRACT: capacity auto, 40%, clear 5 below). */
#define CONF_THRESHOLD		40
#define CONF_CLEAR_GAP		5
#define CONF_WINDOW		300

struct conf_lag {
	char dev[LAG_DEVLEN];
	bool capacity_auto;
	uint64_t capacity;	/* bit/s, when !capacity_auto */
	uint8_t threshold, clear;
	uint32_t window;
	unsigned long line;	/* in the file it was read from */
};

struct conf_prefix {
	struct psctl_prefix p;
	bool has_name;
	char name[PSMON_NAME_SIZE];
	bool allow_reserved;	/* outside publicly routable space */
	unsigned long line;
};

struct conf {
	struct conf_lag *lags;
	size_t nlags;
	struct conf_prefix *prefixes;
	size_t nprefixes, cap;
};

/* What the kernel has; 0 or -errno (the kernel's, -EBADMSG, -ENOMEM). */
int conf_fetch(struct nl *nl, struct conf *c);
/*
 * Read a batch file of "lag add" and "prefix add" lines ("-": standard
 * input). Settings a line leaves out take their defaults. Errors are
 * reported as FILE:LINE; returns 0 or an exit status.
 */
int conf_read(struct psctl *ctx, const char *file, struct conf *c);
/* The configuration as a batch file: prefixes first, then the LAGs. */
void conf_write(FILE *f, const struct conf *c);
/* Sort prefixes (family, length, address) and LAGs (name), for diffing. */
void conf_sort(struct conf *c);
int conf_prefix_cmp(const struct conf_prefix *a, const struct conf_prefix *b);
void conf_free(struct conf *c);

/* "2500mbit": the largest unit that writes bps exactly. */
void conf_rate_text(char *buf, size_t len, uint64_t bps);

#endif /* PSCTL_CONF_H */
