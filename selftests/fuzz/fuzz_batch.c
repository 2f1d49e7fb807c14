// SPDX-License-Identifier: GPL-2.0
/*
 * psctl batch lines (psctl -b): split into words as psctl_batch() does,
 * then parsed as the arguments of "lag add/set" or "prefix add", as the
 * first word says.
 */
#include "fuzz_common.h"
#include "parse.h"

#define MAX_ARGS 64	/* BATCH_MAX_ARGS in batch.c */

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *argv[MAX_ARGS + 1], err[256], *line = fuzz_str(data, size);
	struct prefix_args pa;
	struct lag_args la;
	int argc, i;

	/* One line at a time, as getline() gives them. */
	line[strcspn(line, "\n")] = '\0';
	argc = split_line(line, argv, MAX_ARGS);
	fuzz_assert(argc >= -1 && argc <= MAX_ARGS);
	for (i = 0; i < argc; i++)
		fuzz_assert(argv[i][0] != '\0');
	if (argc > 1) {
		argv[argc] = NULL;
		if (!strcmp(argv[0], "prefix")) {
			memset(&pa, 0, sizeof(pa));
			if (!parse_prefix_add_args(argc - 1, argv + 1, &pa, err,
						   sizeof(err)) && pa.has_name)
				fuzz_assert(memchr(pa.name, '\0', sizeof(pa.name)));
		} else {
			memset(&la, 0, sizeof(la));
			if (!parse_lag_args(argc - 1, argv + 1, &la, err, sizeof(err))) {
				if (la.has_threshold)
					fuzz_assert(la.threshold >= PCT_MIN &&
						    la.threshold <= PCT_MAX);
				if (la.has_window)
					fuzz_assert(la.window >= SECS_MIN &&
						    la.window <= SECS_MAX);
			}
		}
	}
	free(line);
	return 0;
}
