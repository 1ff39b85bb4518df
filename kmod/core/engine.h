/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One gossipchain node: SWIM membership and failure detection (Das, Gupta,
 * Motivala 2002) with the Lifeguard refinements (Dadgar et al. 2018), as
 * memberlist implements them. Sans-IO: it is driven by gc_engine_on_packet(),
 * gc_engine_on_tick() and commands, all given the current time, and answers
 * through ops->send() and ops->event(). The same seed and inputs give the
 * same outputs, which is what makes gcsim and the tests deterministic.
 */
#ifndef _GC_CORE_ENGINE_H
#define _GC_CORE_ENGINE_H

#include "aggregate.h"
#include "broadcast.h"
#include "config.h"
#include "items.h"
#include "members.h"
#include "rand.h"
#include "suspicion.h"
#include "wire.h"

/* The numbers of enum gc_member_event, which netlink passes on as they are. */
enum gc_event_type {
	GC_EV_JOIN = GC_EVENT_JOIN,	/* a member was learned of */
	GC_EV_ALIVE = GC_EVENT_ALIVE,	/* a suspect, dead or left member is alive again */
	GC_EV_SUSPECT = GC_EVENT_SUSPECT,
	GC_EV_DEAD = GC_EVENT_DEAD,
	GC_EV_LEFT = GC_EVENT_LEFT,
	GC_EV_UPDATE = GC_EVENT_UPDATE,	/* a member moved to another address */
	GC_EV_REAP = GC_EVENT_REAP,	/* a dead or left member was forgotten */
};

struct gc_event {
	u8 type;
	const char *name;
	u8 name_len;
	u32 incarnation;
	const struct gc_addr *addr;
	u64 time_us;
	const char *by;		/* SUSPECT, DEAD: who accused it (maybe this node) */
	u8 by_len;
};

struct gc_engine_ops {
	void (*send)(void *ctx, const struct gc_addr *to, const u8 *pkt, size_t len);
	void (*event)(void *ctx, const struct gc_event *ev);
	void (*item_event)(void *ctx, const struct gc_item_ev *ev);	/* may be NULL */
};

struct gc_stats {
	u64 rx_packets, rx_bytes, tx_packets, tx_bytes;
	u64 rx_dropped[__GC_WIRE_ERR_MAX];	/* packets dropped, by reason */
	u64 rx_stale;		/* updates older than what is known */
	u64 rx_unexpected;	/* acks and nacks that match no probe */
	u64 probes, probe_failures, ping_reqs_sent, ping_reqs_relayed, nacks_received;
	u64 suspicions, refutations, push_pulls, reconnects;
	u64 members_dropped;	/* the table was full */
	u64 relays_dropped;	/* too many ping-reqs in flight */
	u64 accusations_ignored;	/* made by members we hold dead or left */
	u64 dead_notices;	/* dead members told so when they spoke */
	u64 verdicts_voided;	/* our own, when we learnt we were declared dead */
};

#define GC_MAX_RELAYS 64
#define GC_RX_PREFETCH 128

struct gc_relay {
	u32 seq;		/* of our ping to the target */
	u32 origin_seq;
	struct gc_addr origin;
	u64 nack_at_us;		/* send a nack then, unless the target acked */
	bool used;
};

struct gc_probe {
	bool active, acked, indirect_sent;
	u32 target;
	u32 seq;
	u32 expected_nacks, nacks;
	u64 timeout_us;		/* no direct ack by then: ask helpers */
	u64 end_us;		/* no ack at all by then: suspect */
};

struct gc_engine {
	struct gc_config cfg;
	const struct gc_engine_ops *ops;
	void *ctx;
	struct gc_rand rand;
	struct gc_keyring keyring;
	struct gc_members members;
	struct gc_bqueue rumors;
	u32 self;		/* our slot in members */
	u64 self_hash;
	bool leaving;
	u32 health;		/* Lifeguard local health score, 0 = healthy */

	u32 *order;		/* randomized round-robin probe order */
	u32 order_len, order_cap, order_pos;
	u32 seq;
	struct gc_probe probe;
	u64 next_probe_us, next_gossip_us, next_push_pull_us, next_reconnect_us;
	u64 next_notice_us;	/* rate limit of dead notices */

	struct gc_suspicion *susp;
	u32 susp_cap, susp_used;
	u32 *dead;		/* slots that went dead or left, for reaping */
	u32 dead_len, dead_cap;
	struct gc_relay relays[GC_MAX_RELAYS];

	struct gc_addr seeds[GC_MAX_SEEDS];
	u32 n_seeds;
	bool joined;

	u8 *tx_body, *tx_pkt, *rx_body;
	u32 rx_hashes[GC_RX_PREFETCH];	/* names of the packet being handled */
	struct gc_stats stats;

	struct gc_items items;		/* dissemination of items */
	struct gc_agg agg;		/* push-sum aggregates */
};

/* boot starts this node's item stream (items.h): a restarted node must
 * give a larger one, so the kernel gives its wall clock in microseconds.
 */
struct gc_engine *gc_engine_new(const struct gc_config *cfg, const char *name, u8 name_len,
				const struct gc_addr *addr, u64 boot, u64 seed, u64 now,
				const struct gc_engine_ops *ops, void *ctx);
void gc_engine_free(struct gc_engine *e);

void gc_engine_on_packet(struct gc_engine *e, const struct gc_addr *from, const u8 *pkt,
			 size_t len, u64 now);
void gc_engine_on_tick(struct gc_engine *e, u64 now);
/* When gc_engine_on_tick() next has work to do. */
u64 gc_engine_next_deadline(const struct gc_engine *e);

/* Contacts seeds with a full state exchange, and retries until one answers. */
int gc_engine_join(struct gc_engine *e, const struct gc_addr *seeds, u32 n, u64 now);
/* A join waits for its first state exchange. */
static inline bool gc_engine_joining(const struct gc_engine *e)
{
	return e->n_seeds && !e->joined;
}

/* Tells the cluster we leave; keep ticking a few gossip rounds to spread it. */
void gc_engine_leave(struct gc_engine *e, u64 now);

struct gc_keyring *gc_engine_keyring(struct gc_engine *e);

/* Adds a member the node should know without hearing of it, as alive and
 * without rumor or event: state restored from elsewhere, or a simulation
 * that starts from a converged cluster. Fails if the name is taken.
 */
/* Room for n members with name_bytes of names, before learning many. */
int gc_engine_reserve(struct gc_engine *e, u32 n, u32 name_bytes);
int gc_engine_learn(struct gc_engine *e, const char *name, u8 name_len,
		    const struct gc_addr *addr, u32 incarnation, u64 now);

/* Members in a state, and the table, for dumps and the simulator. */
static inline u32 gc_engine_count(const struct gc_engine *e, u8 state)
{
	return e->members.count[state];
}

static inline const struct gc_members *gc_engine_members(const struct gc_engine *e)
{
	return &e->members;
}

/* Bytes the engine has allocated. */
size_t gc_engine_mem_bytes(const struct gc_engine *e);

/* Retransmissions per rumor: retransmit_mult * ceil(log10(n + 1)). */
u32 gc_retransmit_limit(u32 mult, u32 n);
/* The push-pull interval, stretched as memberlist's pushPullScale past 32. */
u64 gc_push_pull_interval_us(u32 interval_ms, u32 n);

#endif /* _GC_CORE_ENGINE_H */
