/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the libFuzzer targets. */
#ifndef PSMON_FUZZ_COMMON_H
#define PSMON_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* A NUL-terminated copy of the input (parsers take C strings). */
static inline char *fuzz_str(const unsigned char *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* A property the target checks does not hold: report and crash. */
#define fuzz_assert(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: assertion failed: %s\n",	\
			__FILE__, __LINE__, #cond);			\
		abort();						\
	}								\
} while (0)

#endif /* PSMON_FUZZ_COMMON_H */
