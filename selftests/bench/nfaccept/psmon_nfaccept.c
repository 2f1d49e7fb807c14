// SPDX-License-Identifier: GPL-2.0
/*
 * The floor of any netfilter design, for the benchmark (selftests/bench):
 * netdev hooks on one device of the initial network namespace that accept
 * every packet and do nothing else.
 *
 *   insmod psmon_nfaccept.ko dev=bond0-m1 [ingress=0|1] [egress=0|1]
 *
 * The hooks sit where psmon's do: ingress at priority INT_MIN, egress at
 * INT_MAX. They go away with the device or the module.
 */
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/rtnetlink.h>
#include <net/net_namespace.h>

static char *ifname;
module_param_named(dev, ifname, charp, 0444);
MODULE_PARM_DESC(dev, "device to hook, in the initial network namespace");

static bool ingress = true;
module_param(ingress, bool, 0444);
MODULE_PARM_DESC(ingress, "hook the device's ingress (default 1)");

static bool egress;
module_param(egress, bool, 0444);
MODULE_PARM_DESC(egress, "hook the device's egress (default 0)");

static struct nf_hook_ops nfaccept_ops[2];
static unsigned int nfaccept_nops;
/* The hooked device, NULL once unhooked. Under RTNL. */
static struct net_device *nfaccept_dev;

static unsigned int nfaccept_hook(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	return NF_ACCEPT;
}

/* Under RTNL. */
static int nfaccept_attach(struct net_device *dev)
{
	unsigned int n = 0;
	int err;

	if (ingress)
		nfaccept_ops[n++] = (struct nf_hook_ops) {
			.hook = nfaccept_hook,
			.pf = NFPROTO_NETDEV,
			.hooknum = NF_NETDEV_INGRESS,
			.priority = INT_MIN,
			.dev = dev,
		};
	if (egress)
		nfaccept_ops[n++] = (struct nf_hook_ops) {
			.hook = nfaccept_hook,
			.pf = NFPROTO_NETDEV,
			.hooknum = NF_NETDEV_EGRESS,
			.priority = INT_MAX,
			.dev = dev,
		};
	if (!n)
		return -EINVAL;
	err = nf_register_net_hooks(&init_net, nfaccept_ops, n);
	if (err)
		return err;
	nfaccept_nops = n;
	nfaccept_dev = dev;
	return 0;
}

/* Under RTNL. */
static void nfaccept_detach(void)
{
	if (!nfaccept_dev)
		return;
	nf_unregister_net_hooks(&init_net, nfaccept_ops, nfaccept_nops);
	nfaccept_dev = NULL;
}

static int nfaccept_netdev_event(struct notifier_block *nb,
				 unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	if (event == NETDEV_UNREGISTER && dev == nfaccept_dev)
		nfaccept_detach();
	return NOTIFY_DONE;
}

static struct notifier_block nfaccept_notifier = {
	.notifier_call = nfaccept_netdev_event,
};

static int __init nfaccept_init(void)
{
	struct net_device *dev;
	int err;

	if (!ifname || !*ifname) {
		pr_err("psmon_nfaccept: the dev parameter is required\n");
		return -EINVAL;
	}
	err = register_netdevice_notifier(&nfaccept_notifier);
	if (err)
		return err;

	rtnl_lock();
	dev = __dev_get_by_name(&init_net, ifname);
	err = dev ? nfaccept_attach(dev) : -ENODEV;
	rtnl_unlock();
	if (err) {
		pr_err("psmon_nfaccept: cannot hook %s: %d\n", ifname, err);
		unregister_netdevice_notifier(&nfaccept_notifier);
	}
	return err;
}

static void __exit nfaccept_exit(void)
{
	rtnl_lock();
	nfaccept_detach();
	rtnl_unlock();
	unregister_netdevice_notifier(&nfaccept_notifier);
	/* No packet is still inside nfaccept_hook() when the text goes. */
	synchronize_net();
}

module_init(nfaccept_init);
module_exit(nfaccept_exit);

MODULE_DESCRIPTION("psmon benchmark: netdev hooks that only accept");
MODULE_LICENSE("GPL");
