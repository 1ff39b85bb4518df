/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One gossipchain instance per network namespace: the namespaces of a host
 * are the nodes of a test cluster, so nothing but the genl family is global.
 */
#ifndef _GC_INSTANCE_H
#define _GC_INSTANCE_H

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <net/net_namespace.h>

#include "../uapi/gossipchain.h"

struct gc_listen {
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} addr;
	u8 addr_len;	/* 4 or 16 */
	u16 port;
};

struct gc_instance {
	struct net *net;
	struct mutex lock;	/* serializes configuration changes */
	char name[GC_NODE_NAME_MAX];
	struct gc_listen listen;
	u32 config_gen;
	enum gc_node_state state;
};

struct gc_instance *gc_instance_of(struct net *net);

#endif /* _GC_INSTANCE_H */
