/* SPDX-License-Identifier: GPL-2.0 */
/* Numbers for people: rates in decimal bit/s units, sizes in binary units. */
#ifndef PSCTL_FORMAT_H
#define PSCTL_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#define FMT_BUFLEN	32

/* "20 Gbit/s", "2.5 Gbit/s", "100 Mbit/s", "0 bit/s" */
void fmt_rate(char *buf, size_t len, uint64_t bps);
/* "710 B", "1.4 KiB", "12.3 MiB" */
void fmt_bytes(char *buf, size_t len, uint64_t bytes);
/* "2025-11-24T16:00:00Z" (UTC, ISO 8601) */
void fmt_time(char *buf, size_t len, int64_t t);
/* "2025-11-24" (UTC) */
void fmt_date(char *buf, size_t len, int64_t t);
/* Parts per million as a percentage with one decimal: "41.2%" */
void fmt_pct(char *buf, size_t len, uint32_t ppm);

#endif /* PSCTL_FORMAT_H */
