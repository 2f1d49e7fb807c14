/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small streaming JSON writer. Values are written as they come, so a
 * dump of any size needs no memory. key is the member name inside an
 * object and NULL inside an array or at the top level.
 */
#ifndef PSCTL_JSON_H
#define PSCTL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH	16

struct json {
	FILE *f;
	bool pretty;
	unsigned int depth;
	bool first[JSON_MAX_DEPTH + 1];
};

void json_init(struct json *j, FILE *f, bool pretty);

void json_begin_array(struct json *j, const char *key);
void json_end_array(struct json *j);
void json_begin_object(struct json *j, const char *key);
void json_end_object(struct json *j);

/* s == NULL writes null. */
void json_string(struct json *j, const char *key, const char *s);
void json_u64(struct json *j, const char *key, uint64_t v);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);
/* One decimal ("0.0", "41.2"); NaN and infinities are written as null. */
void json_double(struct json *j, const char *key, double v);

/* Length of the valid UTF-8 sequence at s (1 to 4), or 0. */
size_t utf8_len(const unsigned char *s);

/* Write s as a quoted JSON string; invalid UTF-8 becomes U+FFFD. */
void json_write_string(FILE *f, const char *s);

#endif /* PSCTL_JSON_H */
