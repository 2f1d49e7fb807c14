// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "atomic.h"
#include "statefile.h"

/* A bigger file is not one psctl wrote. */
#define STATE_FILE_MAX	(16 << 20)

const char *state_dir(const struct psctl *ctx)
{
	const char *env = getenv("PSMON_STATE_DIR");

	if (ctx->state_dir)
		return ctx->state_dir;
	if (env && *env)
		return env;
	return STATE_DIR_DEFAULT;
}

#define NETNS_RUN_DIR	"/run/netns"

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

int state_netns(const struct psctl *ctx, const char **name)
{
	static char found[NAME_MAX + 1];
	struct stat self, other;
	char path[PATH_MAX];
	struct dirent *e;
	bool init_known;
	DIR *d;

	*name = ctx->netns_name;
	if (*name)
		return 0;
	/* No /proc: the initial namespace, as far as anyone can tell. */
	if (stat("/proc/self/ns/net", &self))
		return 0;
	/* Process 1's, unless process 1 is not ours to see. */
	init_known = !stat("/proc/1/ns/net", &other);
	if (init_known && same_file(&self, &other))
		return 0;
	d = opendir(NETNS_RUN_DIR);
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", e->d_name);
		if (!stat(path, &other) && same_file(&self, &other)) {
			snprintf(found, sizeof(found), "%s", e->d_name);
			*name = found;
			break;
		}
	}
	if (d)
		closedir(d);
	return *name || !init_known ? 0 : -ENOENT;
}

static int state_path(const struct psctl *ctx, char *buf, size_t len)
{
	const char *ns;
	int n, ret;

	ret = state_netns(ctx, &ns);
	if (ret)
		return ret;
	if (ns)
		n = snprintf(buf, len, "%s/netns-%s.json", state_dir(ctx), ns);
	else
		n = snprintf(buf, len, "%s/state.json", state_dir(ctx));
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* A warning that marks the state unhealthy. */
static void trouble(struct psctl *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void trouble(struct psctl *ctx, const char *fmt, ...)
{
	char msg[PATH_MAX + 512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	psctl_warn(ctx, "%s", msg);
	ctx->state_unhealthy = true;
}

/* mkdir -p, mode 0755. */
static int make_dirs(const char *dir)
{
	char path[PATH_MAX], *p;

	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

static int lock_dir(const char *dir, int *fd)
{
	int ret;

	*fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0 && errno == ENOENT) {
		ret = make_dirs(dir);
		if (ret)
			return ret;
		*fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (*fd < 0)
		return -errno;
	while (flock(*fd, LOCK_EX)) {
		if (errno == EINTR)
			continue;
		ret = -errno;
		close(*fd);
		*fd = -1;
		return ret;
	}
	return 0;
}

/* The whole file; -ENOENT when there is none. */
static int read_file(const char *path, char **buf, size_t *len)
{
	struct stat stbuf;
	size_t n = 0;
	ssize_t r;
	char *p;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &stbuf)) {
		ret = -errno;
		goto out;
	}
	if (!S_ISREG(stbuf.st_mode)) {
		ret = -EINVAL;
		goto out;
	}
	if (stbuf.st_size > STATE_FILE_MAX) {
		ret = -EFBIG;
		goto out;
	}
	p = malloc((size_t)stbuf.st_size + 1);
	if (!p) {
		ret = -ENOMEM;
		goto out;
	}
	while (n < (size_t)stbuf.st_size) {
		r = read(fd, p + n, (size_t)stbuf.st_size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			free(p);
			goto out;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	p[n] = '\0';
	*buf = p;
	*len = n;
out:
	close(fd);
	return ret;
}

void state_load(struct psctl *ctx, struct state *st, struct state_file *sf,
		bool update)
{
	char err[256];
	char *buf = NULL;
	size_t len = 0;
	int ret;

	memset(st, 0, sizeof(*st));
	sf->lockfd = -1;
	sf->writable = false;
	ret = state_path(ctx, sf->path, sizeof(sf->path));
	if (ret == -ENOENT) {
		trouble(ctx, "this network namespace has no name in " NETNS_RUN_DIR
			" (use ip netns, or psctl -n): its state is not kept");
		return;
	}
	if (ret) {
		trouble(ctx, "state directory name too long: %s", state_dir(ctx));
		return;
	}
	/* Readers without write access (lag show as a user) just read. */
	if (update && !ctx->state_keeper && geteuid() &&
	    access(state_dir(ctx), W_OK) && errno == EACCES)
		update = false;
	if (update) {
		ret = lock_dir(state_dir(ctx), &sf->lockfd);
		if (!ret && faccessat(sf->lockfd, ".", W_OK, AT_EACCESS))
			ret = -errno;
		if (!ret)
			sf->writable = true;
		else
			trouble(ctx, "cannot update the state in %s: %s; going on without saving it",
				state_dir(ctx), strerror(-ret));
	}

	ret = read_file(sf->path, &buf, &len);
	if (ret == -ENOENT)
		return;
	if (ret == -EFBIG)
		snprintf(err, sizeof(err), "larger than %d bytes", STATE_FILE_MAX);
	else if (ret)
		snprintf(err, sizeof(err), "%s", strerror(-ret));
	else if (!state_parse(buf, len, st, err, sizeof(err)))
		ret = 0;
	else
		ret = -EINVAL;
	free(buf);
	if (!ret)
		return;
	/*
	 * Never replace what could not be read: it may hold a crossing, or
	 * come from a newer psctl. Someone has to look at it.
	 */
	sf->writable = false;
	trouble(ctx, "cannot read the state file %s (%s); leaving it as it is and going on without saving the state",
		sf->path, err);
}

int state_save(struct psctl *ctx, const struct state *st,
	       struct state_file *sf)
{
	struct atomic_file a;
	int ret;

	if (!sf->writable)
		return -EROFS;
	ret = atomic_open(&a, sf->path);
	if (!ret) {
		state_write(a.f, st);
		ret = atomic_commit(&a, 0644);
	}
	if (ret)
		trouble(ctx, "cannot save the state to %s: %s", sf->path,
			strerror(-ret));
	return ret;
}

void state_done(struct state_file *sf)
{
	if (sf->lockfd >= 0)
		close(sf->lockfd);	/* releases the lock */
	sf->lockfd = -1;
	sf->writable = false;
}

void state_recorded(struct state *st, const struct lag_info *l,
		    int64_t *since, uint32_t *peak)
{
	struct state_lag *sl = state_find(st, l->dev);

	*since = (int64_t)l->alert_since;
	*peak = l->peak;
	if (l->has_rates && l->samples && lag_util(l) > *peak)
		*peak = lag_util(l);
	if (!sl)
		return;
	*since = crossing_min(*since, sl->crossing);
	if (sl->peak > *peak)
		*peak = sl->peak;
}

void state_reading_of(const struct lag_info *l, struct state_reading *r)
{
	memset(r, 0, sizeof(*r));
	r->dev = l->dev;
	r->alert_since = (int64_t)l->alert_since;
	r->peak = l->peak;
	r->threshold = l->threshold;
	r->has_util = l->has_rates && l->samples > 0;
	r->util = lag_util(l);
}

void state_update(struct psctl *ctx, struct state *st, struct state_file *sf,
		  const struct lag_list *lags, int64_t now)
{
	struct state_reading r;
	size_t i;

	for (i = 0; i < lags->n; i++) {
		state_reading_of(&lags->v[i], &r);
		if (!state_merge(st, &r, now)) {
			psctl_warn(ctx, "out of memory for the state");
			break;
		}
	}
	if (lags->n)
		state_save(ctx, st, sf);
	state_done(sf);
}
