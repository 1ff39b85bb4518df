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
 *    GC_A_KEY_COUNT: NLA_U8, keys in the keyring (the keys never leave)
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
 *    GC_A_JOINING: NLA_U8, 1 from GC_CMD_JOIN until a state exchange
 *                  answers (the kernel retries meanwhile), else 0
 *
 * GC_CMD_UP
 * ---------
 *
 * Starts gossiping: opens the UDP socket (in softirq from then on, no user
 * space involved) and starts the protocol timers. Needs CAP_NET_ADMIN. The
 * node name must be set. Takes optionally GC_A_LISTEN_ADDR and
 * GC_A_LISTEN_PORT, stored as with GC_CMD_SET_NODE first. On the IPv4
 * wildcard address the node advertises the first IPv4 address of an up,
 * non-loopback interface of the namespace; on the IPv6 wildcard it needs an
 * explicit address. EBUSY when already up, EADDRINUSE when the port is taken.
 *
 * GC_CMD_DOWN
 * -----------
 *
 * Stops gossiping at once: closes the socket, stops the timers and forgets
 * the member table (other members will declare this node dead; use
 * GC_CMD_LEAVE first for a graceful exit). Needs CAP_NET_ADMIN.
 *
 * GC_CMD_GET_PARAMS, GC_CMD_SET_PARAMS
 * ------------------------------------
 *
 * GC_A_PARAMS nests one NLA_U32 per protocol parameter, enum gc_param
 * (docs/PROTOCOL.md gives their meaning and default). GET returns all of them;
 * SET takes any non-empty subset, checks the resulting set as a whole and
 * applies all or nothing. While up, every parameter but mtu and max_members
 * takes effect at once; those two answer EBUSY until the node is down.
 *
 * GC_CMD_KEY_ADD, GC_CMD_KEY_USE, GC_CMD_KEY_DEL
 * ----------------------------------------------
 *
 * The cluster keyring: up to GC_KEYRING_SIZE 32-byte keys (GC_A_KEY). With
 * no key, packets carry a CRC32; with keys, every packet is sealed with
 * XChaCha20-Poly1305 under the primary key and any key of the ring opens
 * one. ADD adds a key (the first one added becomes primary), USE makes an
 * existing key primary, DEL removes a key that is not primary (or the last
 * one). Keys are never readable back: GC_CMD_GET_NODE reports GC_A_KEY_COUNT
 * only. Need CAP_NET_ADMIN. Rotation: add the new key on every node, then
 * use it on every node, then delete the old one.
 *
 * GC_CMD_JOIN
 * -----------
 *
 * Contacts seeds (one to GC_MAX_SEEDS GC_A_SEED nests, each with GC_EP_ADDR
 * and optionally GC_EP_PORT, default GC_DEFAULT_PORT) with a full state
 * exchange, and retries every probe interval until one answers. Returns at
 * once; GC_A_MEMBERS of GC_CMD_GET_STATUS shows when it worked. The node
 * must be up. Needs CAP_NET_ADMIN.
 *
 * GC_CMD_LEAVE
 * ------------
 *
 * Tells the cluster this node leaves: the others mark it "left", not
 * "dead". The node keeps answering (state GC_STATE_LEFT) until
 * GC_CMD_DOWN; a few gossip intervals are enough to spread the news.
 * Needs CAP_NET_ADMIN.
 *
 * GC_CMD_GET_MEMBER (dump)
 * ------------------------
 *
 * One message per member, this node included: GC_A_MEMBER_NAME,
 * GC_A_MEMBER_ADDR, GC_A_MEMBER_PORT, GC_A_MEMBER_STATE (enum
 * gc_member_state_uapi), GC_A_MEMBER_INCARNATION and GC_A_MEMBER_AGE_MS
 * (milliseconds since its state last changed). A dump resumes where the
 * previous part ended; if the table changed in between, the part is flagged
 * NLM_F_DUMP_INTR. Empty while down. Unprivileged.
 *
 * GC_CMD_GET_STATS
 * ----------------
 *
 * GC_A_STATS nests enum gc_stat counters (NLA_U64). Socket counters live as
 * long as the namespace; protocol counters restart at every GC_CMD_UP.
 * Unprivileged.
 *
 * GC_CMD_MEMBER_EVENT (notification only)
 * ---------------------------------------
 *
 * Multicast to GC_MCGRP_EVENTS when this node's view of a member changes:
 * GC_A_EVENT (enum gc_member_event) and the member's fields as in the dump, without
 * GC_A_MEMBER_AGE_MS; suspect and dead events add GC_A_MEMBER_ACCUSER, the
 * member whose accusation it was (this node's own name when it decided).
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
#define GC_KEY_LEN 32
#define GC_KEYRING_SIZE 5
#define GC_MAX_SEEDS 8

enum gc_cmd {
	GC_CMD_UNSPEC,
	GC_CMD_GET_NODE,
	GC_CMD_SET_NODE,
	GC_CMD_GET_STATUS,
	GC_CMD_UP,
	GC_CMD_DOWN,
	GC_CMD_GET_PARAMS,
	GC_CMD_SET_PARAMS,
	GC_CMD_KEY_ADD,
	GC_CMD_KEY_USE,
	GC_CMD_KEY_DEL,
	GC_CMD_JOIN,
	GC_CMD_LEAVE,
	GC_CMD_GET_MEMBER,
	GC_CMD_GET_STATS,
	GC_CMD_MEMBER_EVENT,
	__GC_CMD_MAX
};

#define GC_CMD_MAX (__GC_CMD_MAX - 1)

enum gc_node_state {
	GC_STATE_DOWN,	/* configured but not gossiping */
	GC_STATE_UP,	/* bound to its port, a member of a cluster */
	GC_STATE_LEFT,	/* left the cluster, still answering until down */
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
	GC_A_PAD,
	GC_A_KEY_COUNT,
	GC_A_KEY,
	GC_A_PARAMS,
	GC_A_SEED,
	GC_A_MEMBER_NAME,
	GC_A_MEMBER_ADDR,
	GC_A_MEMBER_PORT,
	GC_A_MEMBER_STATE,
	GC_A_MEMBER_INCARNATION,
	GC_A_MEMBER_AGE_MS,
	GC_A_EVENT,
	GC_A_STATS,
	GC_A_MEMBER_ACCUSER,
	GC_A_JOINING,
	__GC_A_MAX
};

#define GC_A_MAX (__GC_A_MAX - 1)

/* A seed of GC_CMD_JOIN. */
enum gc_endpoint_attr {
	GC_EP_UNSPEC,
	GC_EP_ADDR,	/* NLA_BINARY, 4 or 16 bytes, network order */
	GC_EP_PORT,	/* NLA_U16, host order */
	__GC_EP_MAX
};

#define GC_EP_MAX (__GC_EP_MAX - 1)

/* Protocol parameters, all NLA_U32, named in user space as in the comments. */
enum gc_param {
	GC_P_UNSPEC,
	GC_P_PROBE_INTERVAL_MS,		/* probe_interval_ms */
	GC_P_PROBE_TIMEOUT_MS,		/* probe_timeout_ms */
	GC_P_INDIRECT_CHECKS,		/* indirect_checks */
	GC_P_RETRANSMIT_MULT,		/* retransmit_mult */
	GC_P_SUSPICION_MULT,		/* suspicion_mult */
	GC_P_SUSPICION_MAX_MULT,	/* suspicion_max_mult */
	GC_P_AWARENESS_MAX,		/* awareness_max */
	GC_P_GOSSIP_INTERVAL_MS,	/* gossip_interval_ms */
	GC_P_GOSSIP_NODES,		/* gossip_nodes */
	GC_P_GOSSIP_TO_DEAD_MS,		/* gossip_to_dead_ms */
	GC_P_PUSH_PULL_INTERVAL_MS,	/* push_pull_interval_ms */
	GC_P_RECONNECT_MS,		/* reconnect_ms */
	GC_P_REAP_MS,			/* reap_ms */
	GC_P_MTU,			/* mtu */
	GC_P_MAX_MEMBERS,		/* max_members */
	__GC_P_MAX
};

#define GC_P_MAX (__GC_P_MAX - 1)

/* GC_A_MEMBER_STATE */
enum gc_member_state_uapi {
	GC_MEMBER_STATE_ALIVE = 1,
	GC_MEMBER_STATE_SUSPECT = 2,
	GC_MEMBER_STATE_DEAD = 3,
	GC_MEMBER_STATE_LEFT = 4,
};

/* GC_A_EVENT */
enum gc_member_event {
	GC_EVENT_JOIN = 1,	/* a member was learned of */
	GC_EVENT_ALIVE,		/* a suspect, dead or left member is alive again */
	GC_EVENT_SUSPECT,
	GC_EVENT_DEAD,
	GC_EVENT_LEFT,
	GC_EVENT_UPDATE,	/* a member moved to another address */
	GC_EVENT_REAP,		/* a dead or left member was forgotten */
};

/* Counters of GC_A_STATS, all NLA_U64. */
enum gc_stat {
	GC_STAT_UNSPEC,
	GC_STAT_PAD,
	GC_STAT_RX_PACKETS,		/* UDP datagrams handed to the protocol */
	GC_STAT_RX_BYTES,
	GC_STAT_TX_PACKETS,
	GC_STAT_TX_BYTES,
	GC_STAT_RX_SOCKET_DROPS,	/* truncated, oversized or unusable datagrams */
	GC_STAT_TX_ERRORS,		/* no route, or no memory */
	GC_STAT_RX_SHORT,		/* protocol drops, by reason: */
	GC_STAT_RX_BAD_VERSION,
	GC_STAT_RX_CHECKSUM,
	GC_STAT_RX_UNSEALED,
	GC_STAT_RX_NO_KEY,
	GC_STAT_RX_AUTH,
	GC_STAT_RX_MALFORMED,
	GC_STAT_RX_TOO_BIG,
	GC_STAT_RX_STALE,		/* updates older than what is known */
	GC_STAT_RX_UNEXPECTED,		/* acks that match no probe */
	GC_STAT_PROBES,
	GC_STAT_PROBE_FAILURES,
	GC_STAT_PING_REQS_SENT,
	GC_STAT_PING_REQS_RELAYED,
	GC_STAT_NACKS_RECEIVED,
	GC_STAT_SUSPICIONS,
	GC_STAT_REFUTATIONS,
	GC_STAT_PUSH_PULLS,
	GC_STAT_RECONNECTS,
	GC_STAT_MEMBERS_DROPPED,	/* the table was full (max_members) */
	GC_STAT_RELAYS_DROPPED,		/* too many ping-reqs in flight */
	GC_STAT_EVENTS_DROPPED,		/* no memory for an event message */
	GC_STAT_HEALTH,			/* Lifeguard local health, 0 = healthy */
	GC_STAT_MEMBERS_ALIVE,
	GC_STAT_MEMBERS_SUSPECT,
	GC_STAT_MEMBERS_DEAD,
	GC_STAT_MEMBERS_LEFT,
	GC_STAT_ACCUSATIONS_IGNORED,	/* by members we hold dead or left */
	GC_STAT_DEAD_NOTICES,		/* such members told they were declared dead */
	GC_STAT_VERDICTS_VOIDED,	/* our own, voided when declared dead ourselves */
	__GC_STAT_MAX
};

#define GC_STAT_MAX (__GC_STAT_MAX - 1)

#endif /* _UAPI_GOSSIPCHAIN_H */
