// SPDX-License-Identifier: GPL-2.0
/* psctl's JSON reader (jsonp.c), which reads the state files. */
#include "fuzz_common.h"
#include "jsonp.h"

static void walk(const struct jv *v, int depth)
{
	size_t i;

	fuzz_assert(depth <= JSONP_MAX_DEPTH + 1);
	switch (v->type) {
	case JV_STR:
		fuzz_assert(v->s);
		(void)strlen(v->s);
		break;
	case JV_ARR:
		for (i = 0; i < v->n; i++)
			walk(v->arr[i], depth + 1);
		break;
	case JV_OBJ:
		for (i = 0; i < v->n; i++) {
			fuzz_assert(v->obj[i].key);
			walk(v->obj[i].val, depth + 1);
			fuzz_assert(jv_get(v, v->obj[i].key));
		}
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char err[256];
	struct jv *v;

	v = jsonp_parse((const char *)data, size, err, sizeof(err));
	if (v) {
		walk(v, 0);
		jv_free(v);
	} else {
		fuzz_assert(err[0] != '\0');
	}
	return 0;
}
