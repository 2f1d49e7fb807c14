/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small, strict JSON reader for psctl's own files (the state file).
 * It accepts a subset of JSON that is enough for them and refuses the
 * rest with a message that names the line and column:
 *
 *  - numbers are integers that fit in int64_t (no fraction, no exponent,
 *    no leading zeros);
 *  - "\uXXXX" escapes stand for one byte each and must be 0001..00ff (what
 *    json_write_bytes() writes, so any name round-trips byte for byte);
 *  - no duplicate keys, nesting at most JSONP_MAX_DEPTH deep;
 *  - nothing but white space after the value.
 *
 * Pure: no I/O, no global state, every allocation freed on every path.
 */
#ifndef PSCTL_JSONP_H
#define PSCTL_JSONP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSONP_MAX_DEPTH	16

enum jv_type { JV_NULL, JV_BOOL, JV_INT, JV_STR, JV_ARR, JV_OBJ };

struct jv;

struct jv_member {
	char *key;
	struct jv *val;
};

struct jv {
	enum jv_type type;
	bool b;
	int64_t i;
	char *s;		/* NUL-terminated, no NUL inside */
	size_t n;		/* elements of arr, members of obj */
	struct jv **arr;
	struct jv_member *obj;
};

/*
 * Parse buf[0..len). Returns the value (free it with jv_free()) or NULL
 * with a message in err.
 */
struct jv *jsonp_parse(const char *buf, size_t len, char *err, size_t errlen);
void jv_free(struct jv *v);

/* The member called key of object v, or NULL. */
const struct jv *jv_get(const struct jv *v, const char *key);

/*
 * Write s as a JSON string that jsonp_parse() reads back as the same
 * bytes: printable ASCII as is, everything else as "\u00XX".
 */
void json_write_bytes(FILE *f, const char *s);

#endif /* PSCTL_JSONP_H */
