/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What psctl remembers about each LAG between runs, module reloads and
 * reboots: the first crossing of the threshold (until "lag ack"), the peak
 * utilisation, and the daily peaks of the windowed utilisation for the
 * forecast. This file is the model and its arithmetic, without I/O:
 * statefile.c reads and writes it.
 *
 * Daily peaks: each time psctl reads the kernel it folds the LAG's
 * windowed utilisation (larger direction, ppm) into the peak of the UTC
 * day it was read on. The days stay sorted by date whatever the clock
 * does: a reading dated in the future (a clock wrong at boot) gets a day
 * of its own and does not stop later readings from being kept. The
 * STATE_DAYS_MAX most recent days are kept.
 *
 * Forecast: the 40% alert trips on the daily peak, not on the mean, so the
 * projection fits the daily peaks of the last FORECAST_DAYS whole days
 * with the Theil-Sen estimator (the median of the slopes between all
 * pairs of days), which a few unusual days cannot move far.
 */
#ifndef PSCTL_STATE_H
#define PSCTL_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define STATE_VERSION		2
#define STATE_DEVLEN		16
#define STATE_DAYS_MAX		450	/* daily peaks kept, over a year */
#define STATE_DAYS_LIMIT	4096	/* more in a file means it is corrupt */
#define STATE_MAX_LAGS		4096

#define DAY			86400
#define DEADLINE_EARLIEST	(45 * DAY)	/* 3888000 s */
#define DEADLINE_LATEST		(60 * DAY)	/* 5184000 s */

#define FORECAST_DAYS		56	/* the trend of the last 8 weeks */
#define FORECAST_MIN_DAYS	14	/* fewer days: no trend */
#define TREND_HORIZON		((int64_t)5 * 36525 * DAY / 100)	/* 5 years */
/* Less change than this (ppm per 30 days) is flat. */
#define TREND_FLAT_PPM		1000

struct state_day {
	int64_t day;		/* Unix seconds of 00:00 UTC */
	uint32_t ppm;		/* highest utilisation read that day */
};

struct state_lag {
	char dev[STATE_DEVLEN];
	int64_t crossing;	/* first crossing, Unix seconds; 0: none */
	uint32_t peak;		/* ppm, since the last ack */
	uint8_t threshold;	/* percent, as last seen in the kernel */
	struct state_day *days;	/* daily peaks, oldest first */
	size_t ndays;
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
 * Fold a reading taken at now into the peak of its day (a new day when
 * there is none, in date order; the oldest day goes beyond
 * STATE_DAYS_MAX). Returns false when out of memory.
 */
bool state_add_peak(struct state_lag *l, int64_t now, uint32_t ppm);

struct deadline {
	bool has;		/* a crossing is recorded */
	int64_t since, earliest, latest;
	int64_t days_left;	/* whole days to latest, not below 0 */
};

void deadline_compute(int64_t since, int64_t now, struct deadline *d);

enum trend_kind { TREND_NONE, TREND_RISING, TREND_FALLING, TREND_FLAT };

struct trend {
	enum trend_kind kind;
	size_t days;		/* daily peaks the trend is fitted to */
	double slope;		/* ppm per day */
	bool has_projection;
	int64_t projected;	/* when the trend reaches the threshold */
};

/*
 * The trend of the daily peaks of the FORECAST_DAYS whole days before the
 * day of now (days dated later are not used): the Theil-Sen line, each
 * day at its noon. Rising or falling when the 95% confidence interval of
 * the slope (from Kendall's S) excludes 0 and the slope is at least
 * TREND_FLAT_PPM per 30 days; flat otherwise; no trend with fewer than
 * FORECAST_MIN_DAYS days. The projection, for a rising trend only, is
 * when the line reaches threshold_ppm: now if it already has, none if
 * that is more than TREND_HORIZON away.
 */
void trend_forecast(const struct state_day *d, size_t n,
		    uint32_t threshold_ppm, int64_t now, struct trend *t);
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
 * peak, the threshold, the daily peak. false when out of memory.
 */
bool state_merge(struct state *st, const struct state_reading *r, int64_t now);

#endif /* PSCTL_STATE_H */
