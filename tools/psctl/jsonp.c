// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "jsonp.h"

struct reader {
	const char *buf;
	size_t len, pos;
	char *err;
	size_t errlen;
	bool failed;
};

static void __attribute__((format(printf, 2, 3)))
fail(struct reader *r, const char *fmt, ...)
{
	unsigned long line = 1, col = 1;
	char msg[128];
	va_list ap;
	size_t i;

	if (r->failed)
		return;
	r->failed = true;
	for (i = 0; i < r->pos && i < r->len; i++) {
		if (r->buf[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(r->err, r->errlen, "line %lu, column %lu: %s", line, col, msg);
}

static int peek(const struct reader *r)
{
	return r->pos < r->len ? (unsigned char)r->buf[r->pos] : -1;
}

static void skip_ws(struct reader *r)
{
	while (r->pos < r->len &&
	       (r->buf[r->pos] == ' ' || r->buf[r->pos] == '\t' ||
		r->buf[r->pos] == '\n' || r->buf[r->pos] == '\r'))
		r->pos++;
}

static bool literal(struct reader *r, const char *word)
{
	size_t n = strlen(word);

	if (r->len - r->pos < n || memcmp(r->buf + r->pos, word, n))
		return false;
	r->pos += n;
	return true;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A string at r->pos (on the quote); a new NUL-terminated copy. */
static char *read_string(struct reader *r)
{
	size_t start, n = 0, cap;
	char *out;
	int c, i, h, v;

	r->pos++;
	start = r->pos;
	/* The decoded string is never longer than its source. */
	while (r->pos < r->len && r->buf[r->pos] != '"') {
		if (r->buf[r->pos] == '\\')
			r->pos++;
		r->pos++;
	}
	if (r->pos >= r->len) {
		r->pos = r->len;
		fail(r, "unterminated string");
		return NULL;
	}
	cap = r->pos - start + 1;
	out = malloc(cap);
	if (!out) {
		fail(r, "out of memory");
		return NULL;
	}
	r->pos = start;
	for (;;) {
		c = peek(r);
		if (c == '"')
			break;
		if (c < 0x20) {
			fail(r, "control character in a string");
			goto err;
		}
		r->pos++;
		if (c != '\\') {
			out[n++] = (char)c;
			continue;
		}
		c = peek(r);
		r->pos++;
		switch (c) {
		case '"':
		case '\\':
		case '/':
			out[n++] = (char)c;
			break;
		case 'b':
			out[n++] = '\b';
			break;
		case 'f':
			out[n++] = '\f';
			break;
		case 'n':
			out[n++] = '\n';
			break;
		case 'r':
			out[n++] = '\r';
			break;
		case 't':
			out[n++] = '\t';
			break;
		case 'u':
			v = 0;
			for (i = 0; i < 4; i++) {
				h = hexval(peek(r));
				if (h < 0) {
					fail(r, "bad \\u escape");
					goto err;
				}
				v = v << 4 | h;
				r->pos++;
			}
			if (v < 1 || v > 0xff) {
				r->pos -= 6;
				fail(r, "\\u escape out of range (0001 to 00ff)");
				goto err;
			}
			out[n++] = (char)v;
			break;
		default:
			r->pos--;
			fail(r, "bad escape");
			goto err;
		}
	}
	r->pos++;
	out[n] = '\0';
	return out;
err:
	free(out);
	return NULL;
}

static bool read_int(struct reader *r, int64_t *v)
{
	bool neg = false;
	uint64_t x = 0, limit;
	size_t start;
	int c;

	if (peek(r) == '-') {
		neg = true;
		r->pos++;
	}
	start = r->pos;
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	while ((c = peek(r)) >= '0' && c <= '9') {
		if (r->pos > start && r->buf[start] == '0') {
			fail(r, "leading zero in a number");
			return false;
		}
		if (x > (limit - (uint64_t)(c - '0')) / 10) {
			fail(r, "number out of range");
			return false;
		}
		x = x * 10 + (uint64_t)(c - '0');
		r->pos++;
	}
	if (r->pos == start) {
		fail(r, "expected a digit");
		return false;
	}
	c = peek(r);
	if (c == '.' || c == 'e' || c == 'E') {
		fail(r, "only integers are expected");
		return false;
	}
	if (neg)
		*v = x == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)x;
	else
		*v = (int64_t)x;
	return true;
}

static struct jv *read_value(struct reader *r, unsigned int depth);

static bool push(struct reader *r, void **arr, size_t *cap, size_t n,
		 size_t size)
{
	void *p;

	if (n < *cap)
		return true;
	*cap = *cap ? 2 * *cap : 8;
	p = realloc(*arr, *cap * size);
	if (!p) {
		fail(r, "out of memory");
		return false;
	}
	*arr = p;
	return true;
}

static bool read_array(struct reader *r, struct jv *v, unsigned int depth)
{
	size_t cap = 0;
	struct jv *e;

	r->pos++;
	skip_ws(r);
	if (peek(r) == ']') {
		r->pos++;
		return true;
	}
	for (;;) {
		e = read_value(r, depth + 1);
		if (!e)
			return false;
		if (!push(r, (void **)&v->arr, &cap, v->n, sizeof(*v->arr))) {
			jv_free(e);
			return false;
		}
		v->arr[v->n++] = e;
		skip_ws(r);
		if (peek(r) == ']') {
			r->pos++;
			return true;
		}
		if (peek(r) != ',') {
			fail(r, "expected ',' or ']'");
			return false;
		}
		r->pos++;
	}
}

static bool read_object(struct reader *r, struct jv *v, unsigned int depth)
{
	size_t cap = 0, i, keypos;
	struct jv *e;
	char *key;

	r->pos++;
	skip_ws(r);
	if (peek(r) == '}') {
		r->pos++;
		return true;
	}
	for (;;) {
		skip_ws(r);
		if (peek(r) != '"') {
			fail(r, "expected a key");
			return false;
		}
		keypos = r->pos;
		key = read_string(r);
		if (!key)
			return false;
		for (i = 0; i < v->n; i++) {
			if (!strcmp(v->obj[i].key, key)) {
				r->pos = keypos;
				fail(r, "duplicate key \"%.32s\"", key);
				free(key);
				return false;
			}
		}
		skip_ws(r);
		if (peek(r) != ':') {
			fail(r, "expected ':'");
			free(key);
			return false;
		}
		r->pos++;
		e = read_value(r, depth + 1);
		if (!e || !push(r, (void **)&v->obj, &cap, v->n, sizeof(*v->obj))) {
			jv_free(e);
			free(key);
			return false;
		}
		v->obj[v->n].key = key;
		v->obj[v->n++].val = e;
		skip_ws(r);
		if (peek(r) == '}') {
			r->pos++;
			return true;
		}
		if (peek(r) != ',') {
			fail(r, "expected ',' or '}'");
			return false;
		}
		r->pos++;
	}
}

static struct jv *read_value(struct reader *r, unsigned int depth)
{
	struct jv *v;
	bool ok = true;
	int c;

	if (depth > JSONP_MAX_DEPTH) {
		fail(r, "nested too deeply");
		return NULL;
	}
	skip_ws(r);
	v = calloc(1, sizeof(*v));
	if (!v) {
		fail(r, "out of memory");
		return NULL;
	}
	c = peek(r);
	if (c == '{') {
		v->type = JV_OBJ;
		ok = read_object(r, v, depth);
	} else if (c == '[') {
		v->type = JV_ARR;
		ok = read_array(r, v, depth);
	} else if (c == '"') {
		v->type = JV_STR;
		v->s = read_string(r);
		ok = v->s != NULL;
	} else if (c == '-' || (c >= '0' && c <= '9')) {
		v->type = JV_INT;
		ok = read_int(r, &v->i);
	} else if (literal(r, "true")) {
		v->type = JV_BOOL;
		v->b = true;
	} else if (literal(r, "false")) {
		v->type = JV_BOOL;
	} else if (literal(r, "null")) {
		v->type = JV_NULL;
	} else {
		fail(r, c < 0 ? "unexpected end of input" : "expected a value");
		ok = false;
	}
	if (!ok) {
		jv_free(v);
		return NULL;
	}
	return v;
}

struct jv *jsonp_parse(const char *buf, size_t len, char *err, size_t errlen)
{
	struct reader r = { .buf = buf, .len = len, .err = err, .errlen = errlen };
	struct jv *v;

	if (errlen)
		err[0] = '\0';
	v = read_value(&r, 0);
	if (!v)
		return NULL;
	skip_ws(&r);
	if (r.pos != r.len) {
		fail(&r, "unexpected data after the value");
		jv_free(v);
		return NULL;
	}
	return v;
}

void jv_free(struct jv *v)
{
	size_t i;

	if (!v)
		return;
	if (v->type == JV_ARR)
		for (i = 0; i < v->n; i++)
			jv_free(v->arr[i]);
	if (v->type == JV_OBJ)
		for (i = 0; i < v->n; i++) {
			free(v->obj[i].key);
			jv_free(v->obj[i].val);
		}
	free(v->arr);
	free(v->obj);
	free(v->s);
	free(v);
}

const struct jv *jv_get(const struct jv *v, const char *key)
{
	size_t i;

	if (!v || v->type != JV_OBJ)
		return NULL;
	for (i = 0; i < v->n; i++)
		if (!strcmp(v->obj[i].key, key))
			return v->obj[i].val;
	return NULL;
}

void json_write_bytes(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if (*s < 0x20 || *s >= 0x7f)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}
