/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Replace a file atomically: write a temporary file in the same directory
 * (".NAME.XXXXXX", which node_exporter's textfile collector does not
 * read), flush it to disk, give it its mode, rename it over NAME and
 * flush the directory. Readers see the old file or the new one, never a
 * part; when anything fails the temporary file is removed and the old
 * file stays as it was. Everything happens relative to the directory's
 * descriptor, never through a symlink, and a SIGTERM, SIGINT, SIGHUP or
 * SIGALRM leaves no temporary file (see atomic.c). Functions return 0 or
 * -errno.
 */
#ifndef PSCTL_ATOMIC_H
#define PSCTL_ATOMIC_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

struct atomic_file {
	FILE *f;		/* write here */
	char *path;		/* NAME, in dirfd */
	char *tmp;		/* the temporary name, in dirfd */
	int dirfd;
	bool fd_unnamed;	/* f is an O_TMPFILE, not linked yet */
	int slot;		/* for the signal handler, -1: none */
};

int atomic_open(struct atomic_file *a, const char *path);
/* Commit with the given mode; a is released in every case. */
int atomic_commit(struct atomic_file *a, mode_t mode);
/* Give up: remove the temporary file. */
void atomic_abort(struct atomic_file *a);

#endif /* PSCTL_ATOMIC_H */
