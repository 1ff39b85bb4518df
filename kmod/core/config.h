/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every timing and count of the protocol, in one place, with datacenter
 * defaults (those of memberlist's DefaultLANConfig, which serf and Consul
 * use). docs/PROTOCOL.md lists them; gcsim and gcctl set them by these names.
 */
#ifndef _GC_CORE_CONFIG_H
#define _GC_CORE_CONFIG_H

#include "platform.h"
#include "../../uapi/gossipchain.h"

struct gc_config {
	u32 probe_interval_ms;		/* 1000: one probe per period */
	u32 probe_timeout_ms;		/* 500: direct ack deadline, then ping-req */
	u32 indirect_checks;		/* 3: helpers asked to ping-req */
	u32 retransmit_mult;		/* 4: a rumor goes out mult * ceil(log10(n+1)) times */
	u32 suspicion_mult;		/* 4: min suspicion = mult * log10(n) * interval */
	u32 suspicion_max_mult;		/* 6: max suspicion = max_mult * min */
	u32 awareness_max;		/* 8: local health score cap (Lifeguard LHA) */
	u32 gossip_interval_ms;		/* 200: rumor-only packets to gossip_nodes */
	u32 gossip_nodes;		/* 3 */
	u32 gossip_to_dead_ms;		/* 30000: dead members still get rumors */
	u32 push_pull_interval_ms;	/* 30000: full state sync, scaled up past 32 members */
	u32 reconnect_ms;		/* 30000: a push-pull to a random dead member, as serf */
	u32 reap_ms;			/* 3600000: dead and left members are forgotten */
	u32 mtu;			/* 1400: largest packet sent */
	u32 max_members;		/* 65536: beyond it new members are dropped */
	u32 item_max_bytes;		/* 1024: largest item content */
	u32 item_window;		/* 1024: items held per origin */
	u32 item_window_bytes;		/* 1 MiB: content held per origin */
	u32 item_mem_max;		/* 64 MiB: all content held, pending, reassembled */
	u32 item_fanout;		/* 3: members a new item is pushed to at once */
	u32 item_retransmit_mult;	/* 3: sends mult * ceil(log10(n+1)) in all */
	u32 item_sync_ms;		/* 1000: anti-entropy digest exchange (0: off) */
	u32 item_pull_max;		/* 256: items asked of a peer per exchange */
	u32 item_pending_ms;		/* 5000: wait this long for a verdict */
	u32 item_hold_unverified;	/* 0: with no verifier, accept (1: hold) */
	u32 agg_interval_ms;		/* 500: push-sum round (0: off) */
	u32 agg_epoch_rounds;		/* 40: rounds per aggregation epoch */
};

void gc_config_default(struct gc_config *cfg);

/* The parameters by their uapi number (enum gc_param): the name gcctl and
 * gcsim use, and where it lives in struct gc_config. gc_params[0] is unused.
 */
struct gc_param_desc {
	const char *name;
	u32 offset;
};

extern const struct gc_param_desc gc_params[__GC_P_MAX];

static inline u32 *gc_param(struct gc_config *cfg, unsigned int id)
{
	return (u32 *)((char *)cfg + gc_params[id].offset);
}

/* The uapi number of a parameter name, or 0. */
unsigned int gc_param_lookup(const char *name, size_t len);

/* Keep a config inside the ranges the engine is correct for; returns a
 * message naming the first field out of range and its range, or NULL.
 */
const char *gc_config_check(const struct gc_config *cfg);

#endif /* _GC_CORE_CONFIG_H */
