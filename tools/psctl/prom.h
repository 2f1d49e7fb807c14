/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Prometheus text exposition format (version 0.0.4), as node_exporter's
 * textfile collector reads it: "# HELP" and "# TYPE" once per family, then
 * its samples, without timestamps. Pure: writes to the FILE it is given.
 */
#ifndef PSCTL_PROM_H
#define PSCTL_PROM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PROM_VALUE_LEN	32

struct prom_label {
	const char *name;
	const char *value;
};

/* "# HELP name help" and "# TYPE name type". */
void prom_family(FILE *f, const char *name, const char *type,
		 const char *help);
/*
 * A label every later sample carries after its own (NULL: none), such as
 * netns="NAME" for a namespace's export.
 */
void prom_common_label(const char *name, const char *value);
/* name{l1="v1",...,common} value */
void prom_sample(FILE *f, const char *name, const struct prom_label *labels,
		 size_t nlabels, const char *value);
/*
 * A label value between quotes: backslash, double quote and newline
 * escaped, invalid UTF-8 replaced with U+FFFD.
 */
void prom_label_value(FILE *f, const char *s);

/* Values, exact: 12, 0.412 (ppm as a ratio), 312.5 (bits as bytes). */
void prom_u64(char *buf, size_t len, uint64_t v);
void prom_i64(char *buf, size_t len, int64_t v);
void prom_ppm(char *buf, size_t len, uint64_t ppm);
void prom_bits_as_bytes(char *buf, size_t len, uint64_t bits);

#endif /* PSCTL_PROM_H */
