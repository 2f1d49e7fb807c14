// SPDX-License-Identifier: GPL-2.0
/*
 * psctl save: the configuration as a batch file that "psctl -b" restores
 * as it was: prefixes first (they need no device), then the LAGs with
 * every setting spelled out.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "parse.h"
#include "psctl.h"

#define MSG_SIZE	256

/* The largest unit that writes bps exactly: 400gbit, 2500mbit, 1234bit. */
static void rate_text(char *buf, size_t len, uint64_t bps)
{
	static const char *const units[] = { "tbit", "gbit", "mbit", "kbit" };
	uint64_t div = 1000000000000ULL;
	unsigned int i;

	for (i = 0; i < 4; i++, div /= 1000) {
		if (bps % div == 0) {
			snprintf(buf, len, "%llu%s",
				 (unsigned long long)(bps / div), units[i]);
			return;
		}
	}
	snprintf(buf, len, "%llubit", (unsigned long long)bps);
}

static int prefix_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[PSMON_A_PREFIX_MAX + 1] = { NULL };
	char text[PREFIX_STRLEN], err[256];
	const struct nlattr *nest;
	struct psctl_prefix p;
	const char *name;

	(void)data;
	if (psctl_prefix_reply(nlh, tb, &nest, &p))
		return -EBADMSG;
	prefix_format(&p, text, sizeof(text));
	printf("prefix add %s", text);
	if (tb[PSMON_A_PREFIX_NAME]) {
		name = mnl_attr_get_str(tb[PSMON_A_PREFIX_NAME]);
		/* A name psctl would refuse could not be restored. */
		if (parse_name(name, err, sizeof(err)))
			return -EBADMSG;
		printf(" name %s", name);
	}
	if (prefix_check_public(&p, err, sizeof(err)))
		printf(" allow-reserved");
	printf("\n");
	return 0;
}

static int save_run(struct psctl *ctx, int argc, char **argv)
{
	struct lag_list lags = { 0 };
	char buf[MSG_SIZE], rate[32];
	struct nlmsghdr *nlh;
	struct nl *nl;
	size_t i;
	int ret;

	if (argc) {
		psctl_err(ctx, "unexpected argument \"%s\"", argv[0]);
		return EXIT_USAGE;
	}
	ret = psctl_nl(ctx, &nl);
	if (ret)
		return ret;
	/* The LAGs first: a refusal there prints nothing. */
	ret = lags_fetch(nl, NULL, &lags);
	if (ret) {
		lags_free(&lags);
		return psctl_kernel_err(ctx, ret, "lag show");
	}

	printf("# psmon configuration, written by \"psctl save\"; restore with \"psctl -b FILE\"\n");
	nlh = nl_msg_start(nl, buf, PSMON_CMD_PREFIX_GET, NLM_F_DUMP);
	ret = nl_request(nl, nlh, prefix_cb, NULL);
	if (ret) {
		lags_free(&lags);
		return psctl_kernel_err(ctx, ret, "prefix show");
	}
	for (i = 0; i < lags.n; i++) {
		const struct lag_info *l = &lags.v[i];

		printf("lag add %s", l->dev);
		if (!l->capacity_auto && l->capacity) {
			rate_text(rate, sizeof(rate), l->capacity);
			printf(" capacity %s", rate);
		}
		printf(" threshold %u clear %u window %u\n", l->threshold,
		       l->clear, l->window);
	}
	lags_free(&lags);
	return 0;
}

const struct psctl_object save_object = {
	.name = "save",
	.run = save_run,
	.synopsis = "  psctl save\n",
	.arguments = "",
};
