/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * gossipchain: gossip membership and dissemination in the kernel.
 *
 * The generic netlink contract between gossipchain.ko and user space
 * (gcctl, gcd). Family GOSSIPCHAIN_GENL_NAME, version
 * GOSSIPCHAIN_GENL_VERSION. Every network namespace has its own gossipchain
 * instance; a request acts on the instance of the namespace of the netlink
 * socket that sends it.
 *
 * All commands use the flat attribute space enum gc_attr. Requests are
 * validated strictly: an attribute a command does not take is refused with
 * EINVAL and an extended ack message naming it; a refused request changes
 * nothing. Commands that change state need CAP_NET_ADMIN over the user
 * namespace that owns the network namespace (GENL_UNS_ADMIN_PERM), so root of
 * a container may configure the instance of its own namespace and nobody else
 * may.
 *
 * GC_CMD_GET_NODE
 * ---------------
 *
 * Returns the node configuration of the namespace's instance. Takes no
 * attributes. Unprivileged. The reply carries:
 *
 *    GC_A_NODE_NAME: NLA_NUL_STRING, empty when not set
 *    GC_A_LISTEN_ADDR: NLA_BINARY, 4 bytes (IPv4) or 16 bytes (IPv6), network
 *                      byte order; all zeros is the wildcard address
 *    GC_A_LISTEN_PORT: NLA_U16, host byte order
 *    GC_A_CONFIG_GEN: NLA_U32, incremented on every change
 *
 * GC_CMD_SET_NODE
 * ---------------
 *
 * Changes the node configuration. Needs CAP_NET_ADMIN (see above). Takes any
 * non-empty subset of:
 *
 *    GC_A_NODE_NAME: 1 to GC_NODE_NAME_MAX - 1 bytes of [A-Za-z0-9._-],
 *                    NUL-terminated; the name other members will know
 *                    this node by
 *    GC_A_LISTEN_ADDR: 4 or 16 bytes as above
 *    GC_A_LISTEN_PORT: 1 to 65535; the default is GC_DEFAULT_PORT
 *
 * Either every given attribute is applied or, on error, none. On success the
 * new configuration is multicast to GC_MCGRP_EVENTS as a GC_CMD_SET_NODE
 * message carrying the same attributes as a GC_CMD_GET_NODE reply.
 *
 * GC_CMD_GET_STATUS
 * -----------------
 *
 * Returns the state of the namespace's instance. Takes no attributes.
 * Unprivileged. The reply carries:
 *
 *    GC_A_VERSION: NLA_NUL_STRING, the module's version
 *    GC_A_PROTOCOL: NLA_U8, the wire protocol version the module speaks
 *    GC_A_STATE: NLA_U8, enum gc_node_state
 *    GC_A_MEMBERS: NLA_U32, members known, this node included once up
 *    GC_A_CONFIG_GEN: NLA_U32, as in GC_CMD_GET_NODE
 *
 * Multicast groups
 * ----------------
 *
 * GC_MCGRP_EVENTS: configuration and membership changes of the instance of
 * the listening socket's namespace.
 */

#ifndef _UAPI_GOSSIPCHAIN_H
#define _UAPI_GOSSIPCHAIN_H

#define GOSSIPCHAIN_GENL_NAME "gossipchain"
#define GOSSIPCHAIN_GENL_VERSION 1

#define GC_MCGRP_EVENTS "events"

#define GC_DEFAULT_PORT 7947
#define GC_NODE_NAME_MAX 64
#define GC_PROTOCOL_VERSION 1

enum gc_cmd {
	GC_CMD_UNSPEC,
	GC_CMD_GET_NODE,
	GC_CMD_SET_NODE,
	GC_CMD_GET_STATUS,
	__GC_CMD_MAX
};

#define GC_CMD_MAX (__GC_CMD_MAX - 1)

enum gc_node_state {
	GC_STATE_DOWN,	/* configured but not gossiping */
	GC_STATE_UP,	/* bound to its port, a member of a cluster */
	__GC_STATE_MAX
};

enum gc_attr {
	GC_A_UNSPEC,
	GC_A_NODE_NAME,
	GC_A_LISTEN_ADDR,
	GC_A_LISTEN_PORT,
	GC_A_CONFIG_GEN,
	GC_A_VERSION,
	GC_A_PROTOCOL,
	GC_A_STATE,
	GC_A_MEMBERS,
	__GC_A_MAX
};

#define GC_A_MAX (__GC_A_MAX - 1)

#endif /* _UAPI_GOSSIPCHAIN_H */
