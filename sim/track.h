/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What gcsim measures of the item and aggregation layers, the same way in
 * both models: when and after how many hops each item reached each live
 * node (from the core's GC_IEV_HELD events), the core's item counters,
 * traffic by kind of packet, and how close every live node's push-sum
 * estimates are to the truth, sampled every aggregation round.
 */
#ifndef GC_SIM_TRACK_H
#define GC_SIM_TRACK_H

#include "sim.h"

enum track_class { TX_ITEM, TX_SYNC, TX_AGG, TX_OTHER, TX_CLASSES };

struct track {
	const struct sim_params *p;
	uint32_t nodes, k;
	/* items */
	bool put;	       /* the first item was put ... */
	uint64_t first_put_at; /* ... then */
	uint64_t *put_at;      /* [item] when, UINT64_MAX: not (yet) */
	uint32_t *item_origin; /* [item] node */
	uint32_t n_origins;
	uint32_t *origins; /* [n_origins] nodes */
	uint32_t *oidx;	   /* [nodes] index in origins, UINT32_MAX: not an origin */
	uint32_t *count;   /* [nodes] items of that origin */
	uint64_t *at;	   /* [item * nodes + node] us after the put, UINT64_MAX: never */
	uint8_t *hops;	   /* [item * nodes + node] */
	uint64_t tx_packets[TX_CLASSES], tx_bytes[TX_CLASSES];
	uint64_t events[8]; /* item events by type */
	/* aggregation */
	int64_t *value; /* [nodes] millionths */
	struct sim_agg_epoch *epochs;
	uint32_t n_epochs, cap_epochs, cur;
	uint32_t report_samples, report_ok;
	double worst_report_err, report_bad_last_s;
};

/* The metric every node publishes with --agg. */
#define TRACK_AGG_METRIC "v"

int track_init(struct track *t, const struct sim_params *p);
void track_free(struct track *t);

/* Picks the item origins, distinct random nodes not taken (taken[i] != 0),
 * and hands out the items among them.
 */
int track_pick_origins(struct track *t, struct gc_rand *r, const uint8_t *taken);
/* Item i's content (p->item_size bytes, from the seed). */
void track_item_content(const struct track *t, uint32_t i, uint8_t *buf);
/* Puts item i at its origin: items(ctx, node) gives the node's item layer,
 * NULL when the node is not live (the item is then not put). Returns the
 * origin, whose timers the caller reschedules, or UINT32_MAX.
 */
uint32_t track_put(struct track *t, uint32_t i, uint64_t now,
		   struct gc_items *(*items)(void *ctx, uint32_t node), void *ctx);

/* An item event at node. */
void track_item_event(struct track *t, uint32_t node, const struct gc_item_ev *ev);
/* A packet a node sent (plain, as gcsim seals no packet). */
void track_tx(struct track *t, const uint8_t *pkt, size_t len);

/* The value node publishes with --agg (uniform in 0..1000, millionths). */
int64_t track_agg_value(const struct track *t, uint32_t node);
/* A sample of every live node's estimates: agg(ctx, node) is NULL for a
 * node that is not live.
 */
void track_agg_sample(struct track *t, uint64_t now,
		      const struct gc_agg *(*agg)(void *ctx, uint32_t node), void *ctx);

/* Fills r->items and r->agg. live(ctx, node): live at the end; stats: the
 * core's item counters summed over all nodes.
 */
int track_finish(struct track *t, bool (*live)(void *ctx, uint32_t node), void *ctx,
		 const struct gc_item_stats *stats, uint64_t agg_stale, struct sim_report *r);

#endif
