// SPDX-License-Identifier: GPL-2.0
/*
 * The directory is opened once and everything after is relative to that
 * descriptor (openat, linkat, renameat, unlinkat), so a directory owned by
 * another user (Debian's /var/lib/prometheus/node-exporter belongs to
 * prometheus) cannot redirect a root write: the temporary file is created
 * with O_EXCL | O_NOFOLLOW (or unnamed, O_TMPFILE, and linked under a new
 * name only once complete), and renameat() replaces a symlink planted as
 * NAME instead of following it.
 *
 * The data is written to an unnamed O_TMPFILE where the file system has
 * them, so an export killed while writing leaves nothing behind. The short
 * time the file has a temporary name (named fallback: the whole write)
 * is covered by handlers for SIGTERM, SIGINT, SIGHUP and SIGALRM that
 * remove it and then die of the signal as before.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "atomic.h"

#define TMP_TRIES	100

static const int cleanup_signals[] = { SIGTERM, SIGINT, SIGHUP, SIGALRM };

/*
 * What the signal handler removes: the named temporary files of the
 * atomic files open now (an export saves the state file while its own
 * file is open, so there may be two).
 */
#define SLOTS	4

static struct {
	volatile sig_atomic_t armed;
	int dirfd;
	char name[256];
} slots[SLOTS];
static unsigned int installed;	/* atomic files open */
static struct sigaction old_actions[4];

static void on_signal(int sig)
{
	size_t i;

	for (i = 0; i < SLOTS; i++)
		if (slots[i].armed)
			unlinkat(slots[i].dirfd, slots[i].name, 0);
	for (i = 0; i < 4; i++)
		if (cleanup_signals[i] == sig)
			sigaction(sig, &old_actions[i], NULL);
	raise(sig);
}

static void block(sigset_t *old)
{
	sigset_t set;
	size_t i;

	sigemptyset(&set);
	for (i = 0; i < 4; i++)
		sigaddset(&set, cleanup_signals[i]);
	sigprocmask(SIG_BLOCK, &set, old);
}

/* The first open atomic file installs the handlers, the last removes them. */
static void handlers_install(void)
{
	struct sigaction sa;
	size_t i;

	if (installed++)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < 4; i++)
		sigaddset(&sa.sa_mask, cleanup_signals[i]);
	for (i = 0; i < 4; i++)
		sigaction(cleanup_signals[i], &sa, &old_actions[i]);
}

static void handlers_remove(void)
{
	size_t i;

	if (!installed || --installed)
		return;
	for (i = 0; i < 4; i++)
		sigaction(cleanup_signals[i], &old_actions[i], NULL);
}

/* Name the temporary file (or forget it) for the signal handler. */
static void arm(struct atomic_file *a, bool on)
{
	sigset_t old;
	int i;

	block(&old);
	if (on && a->slot < 0) {
		for (i = 0; i < SLOTS && slots[i].armed; i++)
			;
		if (i < SLOTS) {
			a->slot = i;
			slots[i].dirfd = a->dirfd;
			snprintf(slots[i].name, sizeof(slots[i].name), "%s", a->tmp);
			slots[i].armed = 1;
		}
	} else if (on) {
		snprintf(slots[a->slot].name, sizeof(slots[a->slot].name), "%s",
			 a->tmp);
	} else if (a->slot >= 0) {
		slots[a->slot].armed = 0;
		a->slot = -1;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void release(struct atomic_file *a)
{
	arm(a, false);
	if (a->dirfd >= 0) {
		handlers_remove();
		close(a->dirfd);
	}
	free(a->path);
	free(a->tmp);
	a->f = NULL;
	a->path = NULL;
	a->tmp = NULL;
	a->dirfd = -1;
}

/* ".NAME.XXXXXX" with random X: node_exporter skips dot files. */
static int new_tmp_name(struct atomic_file *a)
{
	static const char chars[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	static uint64_t seq;
	size_t len = strlen(a->tmp), i;
	struct timespec ts;
	uint64_t r;

	clock_gettime(CLOCK_REALTIME, &ts);
	r = (uint64_t)ts.tv_nsec * 6364136223846793005ULL ^
	    (uint64_t)getpid() << 32 ^ ++seq * 1442695040888963407ULL;
	for (i = len - 6; i < len; i++) {
		a->tmp[i] = chars[r % (sizeof(chars) - 1)];
		r = r / (sizeof(chars) - 1) ^ r * 2862933555777941757ULL;
	}
	return 0;
}

/* A named temporary file, never through a symlink; sets a->tmp. */
static int open_named(struct atomic_file *a)
{
	int fd, i;

	for (i = 0; i < TMP_TRIES; i++) {
		new_tmp_name(a);
		arm(a, true);
		fd = openat(a->dirfd, a->tmp,
			    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    0600);
		if (fd >= 0)
			return fd;
		arm(a, false);
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

int atomic_open(struct atomic_file *a, const char *path)
{
	char *d = NULL, *b = NULL;
	const char *dir, *base;
	int fd, ret;
	size_t len;

	memset(a, 0, sizeof(*a));
	a->dirfd = -1;
	a->slot = -1;
	a->fd_unnamed = false;
	if (!*path)
		return -ENOENT;
	d = strdup(path);
	b = strdup(path);
	a->path = NULL;
	if (!d || !b) {
		ret = -ENOMEM;
		goto err;
	}
	/* dirname() and basename() may modify their argument. */
	dir = dirname(d);
	base = basename(b);
	if (!strcmp(base, "/") || !strcmp(base, ".") || !strcmp(base, "..")) {
		ret = -EISDIR;
		goto err;
	}
	len = strlen(base) + 9;
	a->path = strdup(base);
	a->tmp = malloc(len);
	if (!a->path || !a->tmp) {
		ret = -ENOMEM;
		goto err;
	}
	snprintf(a->tmp, len, ".%s.XXXXXX", base);
	a->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (a->dirfd < 0) {
		ret = -errno;
		goto err;
	}
	handlers_install();
	/*
	 * Linking it needs /proc (no CAP_DAC_READ_SEARCH for AT_EMPTY_PATH).
	 * PSCTL_NO_TMPFILE=1 takes the named way, as on a file system
	 * without O_TMPFILE (for tests).
	 */
	fd = access("/proc/self/fd", X_OK) || getenv("PSCTL_NO_TMPFILE") ? -1 :
		openat(a->dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	if (fd >= 0) {
		a->fd_unnamed = true;
	} else {
		fd = open_named(a);
		if (fd < 0) {
			ret = fd;
			goto err;
		}
	}
	a->f = fdopen(fd, "w");
	if (!a->f) {
		ret = -errno;
		close(fd);
		if (!a->fd_unnamed)
			unlinkat(a->dirfd, a->tmp, 0);
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

/* Give the unnamed file a temporary name, never through a symlink. */
static int link_unnamed(struct atomic_file *a, int fd)
{
	char proc[64];
	int i;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	for (i = 0; i < TMP_TRIES; i++) {
		new_tmp_name(a);
		arm(a, true);
		/* linkat() never follows a symlink at the new name. */
		if (!linkat(AT_FDCWD, proc, a->dirfd, a->tmp, AT_SYMLINK_FOLLOW))
			return 0;
		arm(a, false);
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

int atomic_commit(struct atomic_file *a, mode_t mode)
{
	int ret = 0, fd = fileno(a->f);
	bool named = false;

	errno = 0;
	if (fflush(a->f))
		ret = errno ? -errno : -EIO;
	else if (ferror(a->f))
		ret = -EIO;
	if (!ret && fsync(fd))
		ret = -errno;
	if (!ret && fchmod(fd, mode))
		ret = -errno;
	if (!ret && a->fd_unnamed)
		ret = link_unnamed(a, fd);
	named = !a->fd_unnamed || !ret;
	if (fclose(a->f) && !ret)
		ret = errno ? -errno : -EIO;
	a->f = NULL;
	if (!ret && renameat(a->dirfd, a->tmp, a->dirfd, a->path))
		ret = -errno;
	if (ret && named)
		unlinkat(a->dirfd, a->tmp, 0);
	else if (!ret)
		fsync(a->dirfd);	/* the rename on disk too; best effort */
	release(a);
	return ret;
}

void atomic_abort(struct atomic_file *a)
{
	if (a->f) {
		fclose(a->f);
		if (!a->fd_unnamed)
			unlinkat(a->dirfd, a->tmp, 0);
	}
	release(a);
}
