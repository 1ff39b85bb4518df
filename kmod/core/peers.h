/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the item and aggregation layers need of the node they run in: random
 * live members to talk to, the cluster's size, a way to send a packet body,
 * and a way to tell user space. The engine provides it over its member
 * table; gcsim's item-only mode provides it over a simulated cluster of
 * 100,000 nodes whose full member tables would not fit in memory.
 */
#ifndef _GC_CORE_PEERS_H
#define _GC_CORE_PEERS_H

#include "wire.h"

struct gc_item_ev;

struct gc_peer_ops {
	/* Up to k distinct random live members other than this node. */
	u32 (*pick)(void *ctx, struct gc_addr *out, u32 k);
	/* Members known, this node included: retransmissions scale with it. */
	u32 (*count)(void *ctx);
	/* Whether this node has the lowest name of the live members it knows. */
	bool (*lowest)(void *ctx);
	/* Seals and sends one packet body. */
	void (*send)(void *ctx, const struct gc_addr *to, const u8 *body, size_t len);
	/* An item event for user space; may be NULL. */
	void (*item_event)(void *ctx, const struct gc_item_ev *ev);
};

struct gc_peers {
	const struct gc_peer_ops *ops;
	void *ctx;
};

#endif /* _GC_CORE_PEERS_H */
