// SPDX-License-Identifier: GPL-2.0
/*
 * Module init and exit, and the per-namespace instances (as geneve keeps its
 * per-netns state: net_generic() storage sized by the pernet_operations).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <net/genetlink.h>
#include <net/netns/generic.h>

#include "instance.h"
#include "netlink.h"
#include "version.h"

static unsigned int gc_net_id __read_mostly;

atomic_long_t gc_allocations = ATOMIC_LONG_INIT(0);

static int gc_allocations_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&gc_allocations));
}

static const struct kernel_param_ops gc_allocations_ops = {
	.get = gc_allocations_get,
};

/* Read-only: 0 whenever no node is up, or something leaked. */
module_param_cb(allocations, &gc_allocations_ops, NULL, 0444);
MODULE_PARM_DESC(allocations, "blocks the protocol core holds (a leak check)");

struct gc_instance *gc_instance_of(struct net *net)
{
	return net_generic(net, gc_net_id);
}

static __net_init int gc_net_init(struct net *net)
{
	struct gc_instance *gc = gc_instance_of(net);

	gc->stats = netdev_alloc_pcpu_stats(struct gc_pcpu_stats);
	if (!gc->stats)
		return -ENOMEM;
	gc->net = net;
	mutex_init(&gc->lock);
	spin_lock_init(&gc->engine_lock);
	gc_timer_init(gc);
	gc->listen.addr.v4.s_addr = htonl(INADDR_ANY);
	gc->listen.addr_len = sizeof(struct in_addr);
	gc->listen.port = GC_DEFAULT_PORT;
	gc_config_default(&gc->cfg);
	gc->state = GC_STATE_DOWN;
	return 0;
}

static __net_exit void gc_net_exit(struct net *net)
{
	struct gc_instance *gc = gc_instance_of(net);

	/* The namespace is going away, or the module: stop with traffic
	 * flowing, as down does.
	 */
	mutex_lock(&gc->lock);
	gc_instance_down(gc);
	mutex_unlock(&gc->lock);
	memzero_explicit(&gc->keyring, sizeof(gc->keyring));
	free_percpu(gc->stats);
	mutex_destroy(&gc->lock);
}

/* A verifier's socket closed: its namespace no longer holds items for it. */
static int gc_netlink_notify(struct notifier_block *nb, unsigned long state, void *ptr)
{
	struct netlink_notify *n = ptr;

	if (state == NETLINK_URELEASE && n->protocol == NETLINK_GENERIC && n->portid)
		gc_verifier_gone(gc_instance_of(n->net), n->portid);
	return NOTIFY_DONE;
}

static struct notifier_block gc_netlink_notifier = {
	.notifier_call = gc_netlink_notify,
};

static struct pernet_operations gc_net_ops = {
	.init = gc_net_init,
	.exit = gc_net_exit,
	.id = &gc_net_id,
	.size = sizeof(struct gc_instance),
};

static int __init gc_mod_init(void)
{
	int ret;

	ret = register_pernet_subsys(&gc_net_ops);
	if (ret)
		return ret;
	ret = netlink_register_notifier(&gc_netlink_notifier);
	if (ret) {
		unregister_pernet_subsys(&gc_net_ops);
		return ret;
	}
	ret = gc_genl_init();
	if (ret) {
		netlink_unregister_notifier(&gc_netlink_notifier);
		unregister_pernet_subsys(&gc_net_ops);
		return ret;
	}
	pr_info("gossipchain %s loaded\n", GC_VERSION);
	return 0;
}

static void __exit gc_mod_exit(void)
{
	/* Instances still gossip until their namespace's exit below: stop
	 * their events first, and wait out softirqs that may be building one,
	 * so none is multicast on a group of a family that is gone.
	 */
	WRITE_ONCE(gc_events_off, true);
	synchronize_rcu();
	/* No request can reach an instance once the family is gone. */
	gc_genl_uninit();
	netlink_unregister_notifier(&gc_netlink_notifier);
	unregister_pernet_subsys(&gc_net_ops);
	pr_info("gossipchain %s unloaded\n", GC_VERSION);
}

module_init(gc_mod_init);
module_exit(gc_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Gossip membership, failure detection and dissemination");
MODULE_AUTHOR("The gossipchain developers");
MODULE_VERSION(GC_VERSION);
MODULE_ALIAS_GENL_FAMILY(GOSSIPCHAIN_GENL_NAME);
