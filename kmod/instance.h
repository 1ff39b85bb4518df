/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One gossipchain instance per network namespace: the namespaces of a host
 * are the nodes of a test cluster, so nothing but the genl family is global.
 *
 * Locking: lock (a mutex) serializes configuration and up/down, from netlink
 * and namespace teardown. engine_lock (a spinlock, taken with BHs off)
 * guards the engine, which the UDP receive path and the timer drive in
 * softirq. Packets and events the engine produces under engine_lock are
 * queued on a struct gc_out and sent after it is released.
 */
#ifndef _GC_INSTANCE_H
#define _GC_INSTANCE_H

#include <linux/bottom_half.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/types.h>
#include <linux/u64_stats_sync.h>
#include <net/net_namespace.h>

#include "../uapi/gossipchain.h"
#include "core/config.h"
#include "core/wire.h"

struct gc_engine;
struct gc_event;
struct gc_item_ev;

struct gc_listen {
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} addr;
	u8 addr_len;	/* 4 or 16 */
	u16 port;
};

/* Counters of the socket layer, per CPU: the receive path runs on all. */
struct gc_pcpu_stats {
	u64_stats_t rx_packets, rx_bytes, tx_packets, tx_bytes;
	u64_stats_t rx_socket_drops, tx_errors, events_dropped;
	u64_stats_t upcalls, upcalls_dropped;
	struct u64_stats_sync syncp;
};

/* What one engine call produced, sent once engine_lock is released. */
struct gc_out {
	struct sk_buff_head tx;
	struct sk_buff_head events;	/* multicast on the events group */
	struct sk_buff_head item_events;	/* multicast on the items group */
	struct sk_buff_head upcalls;	/* unicast to the verifier */
};

/* A metric this node publishes (GC_CMD_AGG_SET): kept while down too. */
struct gc_agg_value {
	char name[GC_AGG_NAME_SIZE];
	s64 value;
};

struct gc_instance {
	struct net *net;
	struct mutex lock;		/* configuration, up and down */
	char name[GC_NODE_NAME_MAX];
	struct gc_listen listen;
	struct gc_config cfg;
	struct gc_keyring keyring;	/* also the engine's while up */
	u32 config_gen;
	enum gc_node_state state;

	spinlock_t engine_lock;		/* the engine, from any context */
	struct gc_engine *engine;	/* NULL while down */
	struct gc_out *out;		/* the caller's queue, under engine_lock */
	u32 members_gen;		/* counts member events, for dumps */
	u32 items_gen;			/* counts ups and downs, for stream dumps */
	u32 verifier;			/* netlink port id of the verifier, or 0 */
	struct gc_agg_value agg[GC_AGG_MAX_METRICS];
	u32 n_agg;
	struct timer_list timer;
	struct sock __rcu *sock;
	struct gc_pcpu_stats __percpu *stats;
};

struct gc_instance *gc_instance_of(struct net *net);

/* A change of the member table, for dumps; never 0, which would turn the
 * dump's consistency check off. Under engine_lock.
 */
static inline void gc_members_changed(struct gc_instance *gc)
{
	if (!++gc->members_gen)
		gc->members_gen = 1;
}

/* Microseconds of CLOCK_MONOTONIC: the engine's clock. */
u64 gc_now_us(void);

/* Up and down, under gc->lock. */
int gc_instance_up(struct gc_instance *gc, struct netlink_ext_ack *extack);
void gc_instance_down(struct gc_instance *gc);

/* Takes engine_lock and routes the engine's output to out; returns the
 * engine, or NULL (lock still held) while down. gc_engine_put() rearms the
 * timer, releases the lock, and sends what was queued.
 */
struct gc_engine *gc_engine_get(struct gc_instance *gc, struct gc_out *out);
void gc_engine_put(struct gc_instance *gc, struct gc_out *out);

/* A datagram arrived on the socket (softirq). */
void gc_instance_rx(struct gc_instance *gc, const struct gc_addr *from, const u8 *data,
		    size_t len);

/* socket.c */
int gc_socket_open(struct gc_instance *gc, struct netlink_ext_ack *extack);
void gc_socket_close(struct gc_instance *gc);
void gc_socket_send(struct gc_instance *gc, struct sk_buff *skb, const struct gc_addr *to);

/* timer.c */
void gc_timer_init(struct gc_instance *gc);
void gc_timer_rearm(struct gc_instance *gc, u64 now);

/* netlink_members.c: a member event as a multicast message, or NULL. */
struct sk_buff *gc_event_msg(struct gc_instance *gc, const struct gc_event *ev);
void gc_event_send(struct gc_instance *gc, struct sk_buff *skb);

/* netlink_items.c: an item event, as a multicast message and, for a new
 * item while a verifier is registered, as an upcall; both queued on out.
 */
void gc_item_event_queue(struct gc_instance *gc, const struct gc_item_ev *ev,
			 struct gc_out *out);
void gc_item_event_send(struct gc_instance *gc, struct sk_buff *skb);
void gc_upcall_send(struct gc_instance *gc, struct sk_buff *skb);
/* The verifier's socket went away: items are no longer held for it. */
void gc_verifier_gone(struct gc_instance *gc, u32 portid);

/* Writers run in softirq (receive, timer) and in process context (sends
 * after a netlink command): BHs off, so they never interleave on a CPU.
 */
static inline void __gc_stat_add(struct gc_instance *gc, size_t offset, u64 n)
{
	struct gc_pcpu_stats *s;

	local_bh_disable();
	s = this_cpu_ptr(gc->stats);
	u64_stats_update_begin(&s->syncp);
	u64_stats_add((u64_stats_t *)((char *)s + offset), n);
	u64_stats_update_end(&s->syncp);
	local_bh_enable();
}

#define gc_stat_add(gc, field, n) __gc_stat_add(gc, offsetof(struct gc_pcpu_stats, field), n)
#define gc_stat_inc(gc, field) gc_stat_add(gc, field, 1)

#endif /* _GC_INSTANCE_H */
