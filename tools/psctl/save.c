// SPDX-License-Identifier: GPL-2.0
/*
 * psctl save [FILE]: the configuration as a batch file that "psctl apply"
 * and "psctl -b" restore as it was: prefixes first (they need no device),
 * then the LAGs with every setting spelled out. Everything is read from
 * the kernel before anything is written, and FILE is replaced atomically:
 * when the module is not loaded or a request fails, FILE stays as it was.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "conf.h"
#include "psctl.h"

/* A name psctl would refuse could not be restored. */
static int check_names(struct psctl *ctx, const struct conf *c)
{
	char text[PREFIX_STRLEN], err[256];
	size_t i;

	for (i = 0; i < c->nprefixes; i++) {
		const struct conf_prefix *e = &c->prefixes[i];

		if (!e->has_name || !parse_name(e->name, err, sizeof(err)))
			continue;
		prefix_format(&e->p, text, sizeof(text));
		psctl_err(ctx, "prefix %s: the kernel reports a name psctl cannot restore: %s",
			  text, err);
		return EXIT_KERNEL;
	}
	return 0;
}

static int save_file(struct psctl *ctx, const char *path, const struct conf *c)
{
	struct atomic_file a;
	int err;

	err = atomic_open(&a, path);
	if (err) {
		psctl_err(ctx, "cannot write \"%s\": %s", path, strerror(-err));
		return EXIT_USAGE;
	}
	conf_write(a.f, c);
	err = atomic_commit(&a, 0644);
	if (err) {
		psctl_err(ctx, "cannot write \"%s\": %s", path, strerror(-err));
		return EXIT_USAGE;
	}
	return 0;
}

static int save_run(struct psctl *ctx, int argc, char **argv)
{
	struct conf c = { 0 };
	struct nl *nl;
	int ret;

	if (argc > 1) {
		psctl_err(ctx, "unexpected argument \"%s\"", argv[1]);
		return EXIT_USAGE;
	}
	ret = psctl_nl(ctx, &nl);
	if (ret)
		return ret;
	ret = conf_fetch(nl, &c);
	if (ret) {
		conf_free(&c);
		return psctl_kernel_err(ctx, ret, "save");
	}
	ret = check_names(ctx, &c);
	if (!ret && argc)
		ret = save_file(ctx, argv[0], &c);
	else if (!ret)
		conf_write(stdout, &c);
	conf_free(&c);
	return ret;
}

const struct psctl_object save_object = {
	.name = "save",
	.run = save_run,
	.synopsis = "  psctl save [FILE]\n",
	.arguments = "  FILE    replaced atomically; standard output without one\n",
};
