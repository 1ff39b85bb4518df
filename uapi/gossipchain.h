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
 * Items
 * -----
 *
 * An item is an opaque blob of 1 to the item_max_bytes parameter (at most
 * GC_ITEM_MAX_SIZE) bytes with an id (GC_A_ITEM_ID, the SHA-256 of its
 * content), a stream: the member that put it (GC_A_ITEM_ORIGIN) and when
 * that member came up (GC_A_ITEM_BOOT, NLA_U64, microseconds since 1970,
 * so a node that comes up again starts a new stream), a sequence number in
 * its stream (GC_A_ITEM_SEQ, NLA_U64, 1 for the first put, then one more
 * per put) and a type byte (GC_A_ITEM_TYPE) for the application. Every
 * node holds a window of the newest items of every stream (item_window,
 * item_window_bytes), evicting the oldest first. An item new to a node is,
 * by enum gc_item_state:
 *
 *    PENDING while a verifier (see GC_CMD_SET_VERIFIER) checks it, or,
 *            for items from the network, while no verifier is registered
 *            and item_hold_unverified is 1;
 *    HELD once accepted: only held items are forwarded and served;
 *    REJECTED by the verifier: its content is dropped and its id
 *             remembered, so it is neither fetched nor offered to the
 *             verifier again.
 *
 * A pending item without a verdict within item_pending_ms is dropped
 * (EXPIRED) and may be fetched again later; one of this node's own puts
 * is then lost for good.
 *
 * GC_CMD_ITEM_PUT
 * ---------------
 *
 * Puts an item with this node as its origin: GC_A_ITEM_DATA (1 to
 * item_max_bytes bytes, else EMSGSIZE) and optionally GC_A_ITEM_TYPE
 * (NLA_U8, default 0). ENOTCONN while down. Needs CAP_NET_ADMIN. The reply
 * carries the item as GC_CMD_ITEM_GET does, without GC_A_ITEM_DATA; its
 * GC_A_ITEM_STATE is HELD (and it was pushed at once to item_fanout
 * members) or PENDING when this node's own verifier must accept it first.
 * ENOSPC when item_mem_max would be exceeded.
 *
 * GC_CMD_ITEM_GET
 * ---------------
 *
 * Takes GC_A_ITEM_ID; returns the held or pending item: GC_A_ITEM_ID,
 * GC_A_ITEM_ORIGIN, GC_A_ITEM_BOOT, GC_A_ITEM_SEQ, GC_A_ITEM_TYPE,
 * GC_A_ITEM_HOPS (relays it took to reach this node), GC_A_ITEM_LEN,
 * GC_A_ITEM_DATA and GC_A_ITEM_STATE. For an item this node's verifier
 * rejected, whose content is dropped and whose id is among the last 1024
 * rejected: GC_A_ITEM_ID and GC_A_ITEM_STATE (REJECTED) only. ENOENT when
 * this node has no such item, ENOTCONN while down. Unprivileged.
 *
 * GC_CMD_GET_ORIGIN (dump)
 * ------------------------
 *
 * One message per stream this node knows: GC_A_ITEM_ORIGIN, GC_A_ITEM_BOOT,
 * GC_A_ORIGIN_LOW (the oldest sequence number of its window),
 * GC_A_ORIGIN_CONTIG (every item up to it is held, rejected or was evicted
 * or reported lost: what this node's anti-entropy digest says),
 * GC_A_ORIGIN_MAX (the highest sequence number seen), GC_A_ORIGIN_HELD,
 * GC_A_ORIGIN_PENDING, GC_A_ORIGIN_REJECTED and GC_A_ORIGIN_BYTES (of held
 * and pending content). Empty while down. Unprivileged.
 *
 * GC_CMD_SET_VERIFIER
 * -------------------
 *
 * GC_A_VERIFIER 1 registers the sending socket as the namespace's verifier
 * (replacing any other); 0 unregisters the verifier, whichever socket it
 * is. While one is registered every item new to the node, its own puts
 * included, is sent to that socket as a GC_CMD_ITEM_VERIFY message
 * (unicast, built in softirq) and pending until a GC_CMD_ITEM_VERDICT; if
 * the socket's buffer is full the upcall is lost, counted in
 * upcalls_dropped, and the item expires. Closing the socket unregisters
 * it. Kept across down and up. Needs CAP_NET_ADMIN.
 *
 * GC_CMD_ITEM_VERIFY (unicast to the verifier only)
 * -------------------------------------------------
 *
 * An item to check: GC_A_ITEM_ID, GC_A_ITEM_ORIGIN, GC_A_ITEM_BOOT,
 * GC_A_ITEM_SEQ, GC_A_ITEM_TYPE, GC_A_ITEM_HOPS, GC_A_ITEM_LEN and
 * GC_A_ITEM_DATA. Refused as a request (EOPNOTSUPP).
 *
 * GC_CMD_ITEM_VERDICT
 * -------------------
 *
 * GC_A_ITEM_ID and GC_A_VERDICT (enum gc_verdict), from any privileged
 * socket. ACCEPT makes the oldest pending item with that id held and
 * pushes it at once (unless it came as an answer to this node's request);
 * REJECT drops it and remembers its id. ENOENT when no item with that id
 * is pending, ENOTCONN while down. Needs CAP_NET_ADMIN.
 *
 * GC_CMD_ITEM_EVENT (notification only)
 * -------------------------------------
 *
 * Multicast to GC_MCGRP_ITEMS: GC_A_ITEM_EVENT (enum gc_item_event) with
 * the item's GC_A_ITEM_ID, GC_A_ITEM_ORIGIN, GC_A_ITEM_BOOT, GC_A_ITEM_SEQ,
 * GC_A_ITEM_TYPE, GC_A_ITEM_HOPS and GC_A_ITEM_LEN (no data); a GAP event
 * carries GC_A_ITEM_ORIGIN, GC_A_ITEM_BOOT, GC_A_GAP_FROM and GC_A_GAP_TO
 * instead: items of that stream this node never got and will not get by
 * gossip (beyond every window that could serve them, or judged and
 * dropped by the peers that had them): a ledger must fetch that history
 * by other means.
 *
 * Aggregates
 * ----------
 *
 * Push-sum (Kempe, Dobra, Gehrke 2003): every agg_interval_ms each node
 * keeps half of its mass and sends half to a random member; the ratios
 * converge on the cluster-wide values. Every agg_epoch_rounds rounds the
 * computation restarts (an epoch), so the mass of a node that died or left
 * is gone by the next epoch. Values are NLA_S64 in millionths. A node
 * takes part in at most GC_AGG_MAX_METRICS metrics per epoch; the mass of
 * further ones is dropped.
 *
 * GC_CMD_AGG_SET
 * --------------
 *
 * GC_A_AGG_NAME (1 to GC_AGG_NAME_SIZE - 1 bytes of [A-Za-z0-9._-]) and
 * GC_A_AGG_VALUE (NLA_S64, millionths) publishes this node's value of a
 * metric from the next epoch on; without GC_A_AGG_VALUE the node stops
 * publishing it (ENOENT if it did not). A node publishes at most
 * GC_AGG_MAX_METRICS metrics (E2BIG). Kept across down and up. Needs
 * CAP_NET_ADMIN.
 *
 * GC_CMD_GET_AGG
 * --------------
 *
 * The estimates of the last complete epoch, or of the running one until
 * an epoch has completed: GC_A_AGG_EPOCH (NLA_U32), GC_A_AGG_ROUNDS
 * (rounds of the current epoch so far), GC_A_AGG_VALID (NLA_U8, 1 when an
 * epoch has completed), GC_A_AGG_NODES (NLA_S64, the number of nodes in
 * millionths; absent until the epoch source's mass has reached this node)
 * and one GC_A_AGG nest (enum gc_agg_attr) per metric: name, this node's
 * own value when it publishes one, the average (absent while no publisher's
 * mass has arrived), sum and publishers (absent with GC_A_AGG_NODES),
 * minimum and maximum over the publishing nodes, and whether the estimate
 * had settled (changed by less than 0.1% over the epoch's last three
 * rounds). ENOTCONN while down. Unprivileged.
 *
 * Multicast groups
 * ----------------
 *
 * GC_MCGRP_EVENTS: configuration and membership changes of the instance of
 * the listening socket's namespace.
 * GC_MCGRP_ITEMS: item events (GC_CMD_ITEM_EVENT) of that instance.
 */

#ifndef _UAPI_GOSSIPCHAIN_H
#define _UAPI_GOSSIPCHAIN_H

#define GOSSIPCHAIN_GENL_NAME "gossipchain"
#define GOSSIPCHAIN_GENL_VERSION 1

#define GC_MCGRP_EVENTS "events"
#define GC_MCGRP_ITEMS "items"

#define GC_DEFAULT_PORT 7947
#define GC_NODE_NAME_MAX 64
#define GC_PROTOCOL_VERSION 1
#define GC_KEY_LEN 32
#define GC_KEYRING_SIZE 5
#define GC_MAX_SEEDS 8
#define GC_ITEM_ID_SIZE 32
#define GC_ITEM_MAX_SIZE 61440
#define GC_AGG_NAME_SIZE 32
#define GC_AGG_MAX_METRICS 16

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
	GC_CMD_ITEM_PUT,
	GC_CMD_ITEM_GET,
	GC_CMD_GET_ORIGIN,
	GC_CMD_SET_VERIFIER,
	GC_CMD_ITEM_VERIFY,
	GC_CMD_ITEM_VERDICT,
	GC_CMD_ITEM_EVENT,
	GC_CMD_AGG_SET,
	GC_CMD_GET_AGG,
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
	GC_A_ITEM_ID,
	GC_A_ITEM_ORIGIN,
	GC_A_ITEM_SEQ,
	GC_A_ITEM_TYPE,
	GC_A_ITEM_DATA,
	GC_A_ITEM_STATE,
	GC_A_ITEM_HOPS,
	GC_A_ITEM_LEN,
	GC_A_ITEM_EVENT,
	GC_A_ORIGIN_LOW,
	GC_A_ORIGIN_CONTIG,
	GC_A_ORIGIN_MAX,
	GC_A_ORIGIN_HELD,
	GC_A_ORIGIN_PENDING,
	GC_A_ORIGIN_REJECTED,
	GC_A_ORIGIN_BYTES,
	GC_A_GAP_FROM,
	GC_A_GAP_TO,
	GC_A_VERIFIER,
	GC_A_VERDICT,
	GC_A_AGG_NAME,
	GC_A_AGG_VALUE,
	GC_A_AGG,
	GC_A_AGG_EPOCH,
	GC_A_AGG_ROUNDS,
	GC_A_AGG_NODES,
	GC_A_AGG_VALID,
	GC_A_ITEM_BOOT,
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
	GC_P_ITEM_MAX_BYTES,		/* item_max_bytes */
	GC_P_ITEM_WINDOW,		/* item_window */
	GC_P_ITEM_WINDOW_BYTES,		/* item_window_bytes */
	GC_P_ITEM_MEM_MAX,		/* item_mem_max */
	GC_P_ITEM_FANOUT,		/* item_fanout */
	GC_P_ITEM_RETRANSMIT_MULT,	/* item_retransmit_mult */
	GC_P_ITEM_SYNC_MS,		/* item_sync_ms */
	GC_P_ITEM_PULL_MAX,		/* item_pull_max */
	GC_P_ITEM_PENDING_MS,		/* item_pending_ms */
	GC_P_ITEM_HOLD_UNVERIFIED,	/* item_hold_unverified */
	GC_P_AGG_INTERVAL_MS,		/* agg_interval_ms */
	GC_P_AGG_EPOCH_ROUNDS,		/* agg_epoch_rounds */
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
	GC_STAT_ITEMS_PUT,		/* put on this node */
	GC_STAT_ITEMS_NEW,		/* complete items new to this node */
	GC_STAT_ITEMS_ACCEPTED,		/* became held (verified, or no verifier) */
	GC_STAT_ITEMS_REJECTED,		/* by the verifier */
	GC_STAT_ITEMS_EXPIRED,		/* pending without a verdict in time */
	GC_STAT_ITEMS_DUPLICATE,	/* copies of what was held, pending or rejected */
	GC_STAT_ITEMS_EVICTED,		/* left the window, oldest first */
	GC_STAT_ITEMS_DROPPED,		/* over item_mem_max or item_max_bytes */
	GC_STAT_ITEMS_CONFLICT,		/* another item under a held (origin, seq) */
	GC_STAT_ITEMS_BAD_ID,		/* content does not hash to the id */
	GC_STAT_ITEMS_SENT,		/* item copies sent, pushed or answered */
	GC_STAT_ITEMS_SERVED,		/* ... of them answering a want */
	GC_STAT_FRAGMENTS_DROPPED,	/* incomplete after the pending timeout, or no room */
	GC_STAT_DIGESTS_SENT,		/* anti-entropy exchanges started */
	GC_STAT_ITEMS_WANTED,		/* items asked of peers */
	GC_STAT_ITEMS_LOST,		/* reported in GAP events */
	GC_STAT_UPCALLS,		/* upcalls to the verifier queued */
	GC_STAT_UPCALLS_DROPPED,	/* not built, or its socket was full */
	GC_STAT_ITEMS_HELD,		/* now */
	GC_STAT_ITEMS_PENDING,		/* now */
	GC_STAT_ITEM_BYTES,		/* now: content held, pending and in reassembly */
	GC_STAT_AGG_ROUNDS,
	GC_STAT_AGG_EPOCHS,		/* epochs this node took part in */
	GC_STAT_AGG_STALE,		/* mass of an older epoch, dropped */
	GC_STAT_STREAMS_RETIRED,	/* forgotten: superseded by a newer boot, idle */
	GC_STAT_ITEMS_UNSERVED,		/* wanted of us past the round's serve budget */
	__GC_STAT_MAX
};

#define GC_STAT_MAX (__GC_STAT_MAX - 1)

/* GC_A_ITEM_STATE */
enum gc_item_state {
	GC_ITEM_STATE_PENDING = 1,
	GC_ITEM_STATE_HELD = 2,
	GC_ITEM_STATE_REJECTED = 3,
};

/* GC_A_VERDICT */
enum gc_verdict {
	GC_VERDICT_ACCEPT = 1,
	GC_VERDICT_REJECT = 2,
};

/* GC_A_ITEM_EVENT */
enum gc_item_event {
	GC_ITEM_EVENT_PENDING = 1,	/* new, waiting for a verdict */
	GC_ITEM_EVENT_HELD,		/* accepted: forwarded and served from now on */
	GC_ITEM_EVENT_REJECTED,
	GC_ITEM_EVENT_EXPIRED,		/* pending without a verdict in time: dropped */
	GC_ITEM_EVENT_GAP,		/* GC_A_GAP_FROM..GC_A_GAP_TO will not come */
};

/* Attributes of a GC_A_AGG nest. */
enum gc_agg_attr {
	GC_AGG_A_UNSPEC,
	GC_AGG_A_PAD,
	GC_AGG_A_NAME,		/* NLA_NUL_STRING */
	GC_AGG_A_OWN,		/* NLA_S64: this node's value, when it publishes one */
	GC_AGG_A_AVG,		/* NLA_S64 millionths, over the publishers */
	GC_AGG_A_SUM,
	GC_AGG_A_MINIMUM,	/* absent when nobody published in the epoch */
	GC_AGG_A_MAXIMUM,
	GC_AGG_A_PUBLISHERS,	/* NLA_S64 millionths of a node */
	GC_AGG_A_SETTLED,	/* NLA_U8 */
	__GC_AGG_A_MAX
};

#define GC_AGG_A_MAX (__GC_AGG_A_MAX - 1)

#endif /* _UAPI_GOSSIPCHAIN_H */
