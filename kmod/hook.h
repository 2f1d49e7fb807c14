/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PSMON_HOOK_H
#define _PSMON_HOOK_H

#include <linux/netfilter.h>

unsigned int psmon_hook_ingress(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state);
unsigned int psmon_hook_egress(void *priv, struct sk_buff *skb,
			       const struct nf_hook_state *state);

#endif /* _PSMON_HOOK_H */
