/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What psctl remembers about each LAG between runs, module reloads and
 * reboots: the first crossing of the threshold (until "lag ack"), the peak
 * utilisation, and a compact history of utilisation samples for the
 * trend. This file is the model and its arithmetic, without I/O:
 * statefile.c reads and writes it.
 *
 * History: psctl appends one sample (time, larger direction's utilisation
 * in ppm) per LAG each time it reads the kernel, at most one per
 * STATE_SAMPLE_EVERY seconds. Each sample stands for n readings (1 when
 * appended). When a LAG holds STATE_HIST_MAX samples, its oldest half is
 * merged pairwise: time and utilisation become the n-weighted means, n
 * the sum. Recent history thus keeps its one-minute resolution while
 * older history gets coarser, and the n-weighted least-squares fit over
 * the samples stays close to the fit over all readings.
 */
#ifndef PSCTL_STATE_H
#define PSCTL_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define STATE_VERSION		1
#define STATE_DEVLEN		16
#define STATE_HIST_MAX		2016
#define STATE_HIST_LIMIT	65536	/* more in a file means it is corrupt */
#define STATE_MAX_LAGS		4096
#define STATE_SAMPLE_EVERY	60

#define DAY			86400
#define DEADLINE_EARLIEST	(45 * DAY)	/* 3888000 s */
#define DEADLINE_LATEST		(60 * DAY)	/* 5184000 s */

#define TREND_MIN_SAMPLES	10
#define TREND_MIN_SPAN		3600
#define TREND_HORIZON		((int64_t)5 * 36525 * DAY / 100)	/* 5 years */
/* Less change than this (ppm per 30 days) is flat. */
#define TREND_FLAT_PPM		1000

struct state_sample {
	int64_t time;		/* Unix seconds */
	uint32_t ppm;		/* utilisation, larger direction */
	uint32_t n;		/* readings it stands for */
};

struct state_lag {
	char dev[STATE_DEVLEN];
	int64_t crossing;	/* first crossing, Unix seconds; 0: none */
	uint32_t peak;		/* ppm, since the last ack */
	uint8_t threshold;	/* percent, as last seen in the kernel */
	struct state_sample *hist;
	size_t nhist;
};

struct state {
	struct state_lag *lags;
	size_t nlags;
};

/* Parse a state file. 0, or -1 with a message in err; st is then empty. */
int state_parse(const char *buf, size_t len, struct state *st, char *err,
		size_t errlen);
/* Write st as parse reads it back. */
void state_write(FILE *f, const struct state *st);
void state_free(struct state *st);

struct state_lag *state_find(struct state *st, const char *dev);
/* The entry for dev, added when missing; NULL when out of memory. */
struct state_lag *state_get(struct state *st, const char *dev);
/* Forget dev; false when there was nothing to forget. */
bool state_remove(struct state *st, const char *dev);

/* The earlier crossing of the two (0 = none). */
int64_t crossing_min(int64_t a, int64_t b);

/*
 * Append a reading taken at now, unless the last sample is less than
 * STATE_SAMPLE_EVERY seconds old (or newer than now: a clock step).
 * Merges as described above. Returns false when out of memory.
 */
bool state_add_sample(struct state_lag *l, int64_t now, uint32_t ppm);

struct deadline {
	bool has;		/* a crossing is recorded */
	int64_t since, earliest, latest;
	int64_t days_left;	/* whole days to latest, not below 0 */
};

void deadline_compute(int64_t since, int64_t now, struct deadline *d);

enum trend_kind { TREND_NONE, TREND_RISING, TREND_FALLING, TREND_FLAT };

struct trend {
	enum trend_kind kind;
	double slope;		/* ppm per second */
	bool has_projection;
	int64_t projected;	/* when the fitted line reaches the threshold */
};

/*
 * Least-squares line through the history (weighted by n). No trend with
 * fewer than TREND_MIN_SAMPLES samples or less than TREND_MIN_SPAN
 * seconds between the first and the last. The projection, for a rising
 * line only, is when it reaches threshold_ppm: now if it already has,
 * none if that is more than TREND_HORIZON away.
 */
void trend_fit(const struct state_sample *h, size_t n, uint32_t threshold_ppm,
	       int64_t now, struct trend *t);
const char *trend_name(enum trend_kind kind);

/* What one reading of the kernel says about a LAG. */
struct state_reading {
	const char *dev;
	int64_t alert_since;	/* 0: none */
	uint32_t peak;		/* ppm */
	uint8_t threshold;	/* percent */
	bool has_util;		/* the kernel has a rate yet */
	uint32_t util;		/* ppm, larger direction */
};

/*
 * Fold a reading taken at now into st: the earlier crossing, the higher
 * peak, the threshold, a history sample. false when out of memory.
 */
bool state_merge(struct state *st, const struct state_reading *r, int64_t now);

#endif /* PSCTL_STATE_H */
