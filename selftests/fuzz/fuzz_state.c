// SPDX-License-Identifier: GPL-2.0
/*
 * psctl's state files (state.c): a file that parses is written back, and
 * what is written parses to a state that is written the same way again.
 */
#include <stdio.h>

#include "fuzz_common.h"
#include "state.h"

static char *write_state(const struct state *st, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		abort();
	state_write(f, st);
	fuzz_assert(fclose(f) == 0);
	return buf;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct state st = { 0 }, again = { 0 };
	char err[256], *out, *out2;
	size_t len, len2;

	if (state_parse((const char *)data, size, &st, err, sizeof(err))) {
		state_free(&st);
		return 0;
	}
	out = write_state(&st, &len);
	fuzz_assert(!state_parse(out, len, &again, err, sizeof(err)));
	fuzz_assert(again.nlags == st.nlags);
	out2 = write_state(&again, &len2);
	fuzz_assert(len == len2 && !memcmp(out, out2, len));
	free(out);
	free(out2);
	state_free(&again);
	state_free(&st);
	return 0;
}
