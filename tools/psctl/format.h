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

#endif /* PSCTL_FORMAT_H */
