// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"

static void release(struct atomic_file *a)
{
	if (a->dirfd >= 0)
		close(a->dirfd);
	free(a->path);
	free(a->tmp);
	a->f = NULL;
	a->path = NULL;
	a->tmp = NULL;
	a->dirfd = -1;
}

int atomic_open(struct atomic_file *a, const char *path)
{
	char *d = NULL, *b = NULL;
	size_t len;
	int fd, ret;

	memset(a, 0, sizeof(*a));
	a->dirfd = -1;
	if (!*path)
		return -ENOENT;
	d = strdup(path);
	b = strdup(path);
	a->path = strdup(path);
	if (!d || !b || !a->path) {
		ret = -ENOMEM;
		goto err;
	}
	/* dirname() and basename() may modify their argument. */
	{
		const char *dir = dirname(d), *base = basename(b);

		len = strlen(dir) + strlen(base) + 10;
		a->tmp = malloc(len);
		if (!a->tmp) {
			ret = -ENOMEM;
			goto err;
		}
		snprintf(a->tmp, len, "%s/.%s.XXXXXX", dir, base);
		a->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (a->dirfd < 0) {
			ret = -errno;
			goto err;
		}
	}
	fd = mkostemp(a->tmp, O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto err;
	}
	a->f = fdopen(fd, "w");
	if (!a->f) {
		ret = -errno;
		close(fd);
		unlink(a->tmp);
		goto err;
	}
	free(d);
	free(b);
	return 0;
err:
	free(d);
	free(b);
	release(a);
	return ret;
}

int atomic_commit(struct atomic_file *a, mode_t mode)
{
	int ret = 0, fd = fileno(a->f);

	errno = 0;
	if (fflush(a->f))
		ret = errno ? -errno : -EIO;
	else if (ferror(a->f))
		ret = -EIO;
	if (!ret && fsync(fd))
		ret = -errno;
	if (!ret && fchmod(fd, mode))
		ret = -errno;
	if (fclose(a->f) && !ret)
		ret = errno ? -errno : -EIO;
	a->f = NULL;
	if (!ret && rename(a->tmp, a->path))
		ret = -errno;
	if (ret)
		unlink(a->tmp);
	else
		fsync(a->dirfd);	/* the rename on disk too; best effort */
	release(a);
	return ret;
}

void atomic_abort(struct atomic_file *a)
{
	if (a->f) {
		fclose(a->f);
		unlink(a->tmp);
	}
	release(a);
}
