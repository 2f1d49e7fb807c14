// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <time.h>

#include "format.h"

void fmt_rate(char *buf, size_t len, uint64_t bps)
{
	static const char *const units[] = {
		"bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s", "Pbit/s",
		"Ebit/s",
	};
	uint64_t div = 1, whole, milli;
	unsigned int u = 0;

	while (u + 1 < sizeof(units) / sizeof(units[0]) && bps / div >= 1000) {
		div *= 1000;
		u++;
	}
	whole = bps / div;
	if (u == 0) {
		snprintf(buf, len, "%llu %s", (unsigned long long)whole, units[0]);
		return;
	}
	/* Up to three decimals, rounded, without trailing zeros. */
	milli = (bps % div + div / 2000) / (div / 1000);
	if (milli == 1000) {
		whole++;
		milli = 0;
	}
	if (!milli)
		snprintf(buf, len, "%llu %s", (unsigned long long)whole, units[u]);
	else if (milli % 100 == 0)
		snprintf(buf, len, "%llu.%01llu %s", (unsigned long long)whole,
			 (unsigned long long)(milli / 100), units[u]);
	else if (milli % 10 == 0)
		snprintf(buf, len, "%llu.%02llu %s", (unsigned long long)whole,
			 (unsigned long long)(milli / 10), units[u]);
	else
		snprintf(buf, len, "%llu.%03llu %s", (unsigned long long)whole,
			 (unsigned long long)milli, units[u]);
}

void fmt_bytes(char *buf, size_t len, uint64_t bytes)
{
	static const char *const units[] = {
		"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB",
	};
	const unsigned int last = sizeof(units) / sizeof(units[0]) - 1;
	unsigned int u = 0;
	double v = (double)bytes;

	if (bytes < 1024) {
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
		return;
	}
	while (u < last && v >= 1024.0) {
		v /= 1024.0;
		u++;
	}
	/* 1023.96 KiB would print as "1024.0 KiB". */
	if (u < last && v >= 1023.95) {
		v /= 1024.0;
		u++;
	}
	snprintf(buf, len, "%.1f %s", v, units[u]);
}

static void fmt_tm(char *buf, size_t len, int64_t t, const char *fmt)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(buf, len, fmt, &tm))
		snprintf(buf, len, "@%lld", (long long)t);
}

void fmt_time(char *buf, size_t len, int64_t t)
{
	fmt_tm(buf, len, t, "%Y-%m-%dT%H:%M:%SZ");
}

void fmt_date(char *buf, size_t len, int64_t t)
{
	fmt_tm(buf, len, t, "%Y-%m-%d");
}

void fmt_pct(char *buf, size_t len, uint32_t ppm)
{
	/* Rounded to the nearest tenth of a percent. */
	uint64_t tenths = ((uint64_t)ppm + 500) / 1000;

	snprintf(buf, len, "%llu.%llu%%", (unsigned long long)(tenths / 10),
		 (unsigned long long)(tenths % 10));
}
