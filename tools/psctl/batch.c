// SPDX-License-Identifier: GPL-2.0
/*
 * psctl -b FILE: one command a line, blank lines and '#' comments skipped.
 * The first failing line stops the batch with its exit status; the lines
 * before it stay applied. With -f every line is run, and the status is
 * the last failing line's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "psctl.h"

#define BATCH_MAX_ARGS	64

int psctl_batch(struct psctl *ctx, const char *file)
{
	char *argv[BATCH_MAX_ARGS + 1], *line = NULL;
	bool is_stdin = !strcmp(file, "-");
	size_t cap = 0;
	int argc, ret = 0, failed = 0;
	FILE *f;

	f = is_stdin ? stdin : fopen(file, "r");
	if (!f) {
		psctl_err(ctx, "cannot open \"%s\": %s", file, strerror(errno));
		return EXIT_USAGE;
	}
	ctx->batch_name = file;
	ctx->line = 0;

	while (getline(&line, &cap, f) >= 0) {
		ctx->line++;
		argc = split_line(line, argv, BATCH_MAX_ARGS);
		if (argc < 0) {
			ret = psctl_flush(ctx);
			if (!ret) {
				psctl_err(ctx, "more than %d words on one line",
					  BATCH_MAX_ARGS);
				ret = EXIT_USAGE;
			}
			if (!ctx->force)
				break;
			failed = ret;
			ret = 0;
			continue;
		}
		if (!argc)
			continue;
		argv[argc] = NULL;
		ret = psctl_run(ctx, argc, argv);
		if (ret && ctx->force) {
			failed = ret;
			ret = 0;
		}
		if (ret)
			break;
	}
	if (!ret && ferror(f)) {
		ret = psctl_flush(ctx);
		if (!ret) {
			psctl_err(ctx, "cannot read \"%s\": %s", file,
				  strerror(errno));
			ret = EXIT_USAGE;
		}
	}
	if (!ret)
		ret = psctl_flush(ctx);

	free(line);
	if (!is_stdin)
		fclose(f);
	return ret ? ret : failed;
}
