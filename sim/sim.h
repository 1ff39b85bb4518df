/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gcsim's world: N instances of the protocol core (kmod/core) exchanging real
 * packets over a modelled network, in simulated time. One event queue, one
 * thread, a seeded generator: the same arguments give the same run.
 */
#ifndef GC_SIM_SIM_H
#define GC_SIM_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/engine.h"

enum sim_model {
	SIM_MODEL_FULL,	 /* every node a whole engine: SWIM membership, items, aggregation */
	SIM_MODEL_ITEMS, /* only the item and aggregation layers, membership assumed converged */
};

struct sim_params {
	enum sim_model model;
	uint32_t nodes;
	double duration_s;
	uint64_t seed;
	double loss;	     /* per packet, 0..1 */
	uint32_t latency_us; /* mean one-way latency */
	uint32_t crash;	     /* nodes crashed at crash_at_s */
	double crash_at_s;
	uint32_t pause;	       /* nodes paused, each once, at a random time */
	double pause_s;	       /* for this long */
	bool partition;	       /* split in two halves at partition_at_s ... */
	double partition_at_s; /* ... and heal at heal_at_s */
	double heal_at_s;
	double join_spread_s;  /* nodes start over this long, then join node 0 */
	bool start_converged;  /* instead: all start at 0 knowing every member */
	uint32_t pause_buffer; /* packets a paused node queues before dropping */
	uint32_t slow;	       /* nodes that are slow for the whole run ... */
	uint32_t slow_ms;      /* ... taking this long to handle each packet */
	uint32_t items;	       /* items put from items_at_s on ... */
	uint32_t item_origins; /* ... spread over this many random live nodes */
	uint32_t item_size;    /* bytes each */
	double items_at_s;
	double item_interval_s; /* one item every so often (0: all at once) */
	bool items_wait;	/* a join wave: not before the membership converged */
	bool agg;		/* every node publishes a value at its start */
	struct gc_config cfg;
};

/* Dissemination of one item, counted from its put, over the nodes live at
 * the end: time and hops until 50%, 99% and 100% of them held it (< 0: never).
 */
enum { SIM_P50, SIM_P99, SIM_P100, SIM_NP };

struct sim_item_result {
	uint32_t origin;
	bool put;
	double put_s;
	uint32_t holders; /* live nodes holding it at the end */
	double time_s[SIM_NP];
	int hops[SIM_NP];
};

struct sim_item_report {
	bool put;	     /* false: the membership never converged, nothing was put */
	double put_s;	     /* when the first item was */
	uint32_t complete;   /* items every live node held */
	double min_coverage; /* the least-spread item's share of live nodes */
	struct sim_item_result *items;
	/* Over items: the median and the worst (never beats any time). */
	double time_median[SIM_NP], time_worst[SIM_NP];
	int hops_median[SIM_NP], hops_worst[SIM_NP];
	/* Per node (all nodes, whole run), from the core's counters. */
	double sent, duplicate, served, digests, wanted, lost, dropped, frags_dropped, conflict;
	/* Per node, packets and bytes by the first message of each packet:
	 * ITEM (push and answers), DIGEST, WANT and GONE (anti-entropy).
	 */
	double item_packets, item_bytes, sync_packets, sync_bytes;
	uint64_t held_events, gap_events, expired_events, pending_events;
};

/* One aggregation epoch, as it was current (the newest epoch some live node
 * ran, the source with the lowest name winning ties) in samples taken in
 * the middle of every agg_interval_ms.
 */
struct sim_agg_epoch {
	uint32_t epoch;
	uint32_t source;			  /* node */
	double first_s;				  /* first sample in which it was current */
	int rounds_to_1pct;			  /* rounds of the epoch (at its most advanced node)
						   * until every live node ran it with every estimate
						   * within 1%; -1: never */
	double within_s;			  /* when, or -1 */
	int rounds_avg, rounds_sum, rounds_nodes; /* the same for each estimate alone */
	uint32_t rounds_run;			  /* rounds seen while it was current */
	uint32_t samples_after, violations_after; /* samples once within 1%, and failures */
	bool ended;				  /* a newer epoch took over within the run */
};

struct sim_agg_report {
	double true_avg, true_sum; /* of the live nodes' values, at the end */
	uint32_t true_nodes;
	struct sim_agg_epoch *epochs;
	uint32_t n_epochs;
	/* What nodes report (gc_agg_report: the last complete epoch) in the
	 * samples after the first epoch ended: all within 1% in how many.
	 */
	uint32_t report_samples, report_ok;
	double worst_report_err;  /* the largest relative error in those samples */
	double report_bad_last_s; /* the last such sample not all within 1%, or 0 */
	double packets_per_node_s, bytes_per_node_s;
	uint64_t stale; /* AGG messages of older epochs dropped, all nodes */
};

struct sim_crash_report {
	uint32_t node;
	double first_s, last_s; /* since the crash; < 0 when never */
	uint32_t detected_by;	/* live nodes that marked it dead */
};

struct sim_report {
	uint32_t nodes, live;
	bool converged;
	double converged_s; /* since the last node started */
	double converged_periods;
	struct sim_crash_report *crashes;
	uint32_t n_crashes;
	uint64_t false_dead;	     /* a live node marked dead, per observer */
	uint64_t false_dead_healthy; /* ... that was neither slow nor paused */
	uint64_t false_suspect;	     /* a live node suspected, per observer */
	double false_dead_per_node_hour;
	double bytes_per_node_s, packets_per_node_s;
	uint64_t peak_mem_per_node;
	double mean_mem_per_node;
	bool partition_detected;  /* each side marked the other dead */
	bool partition_healed;	  /* all live nodes alive everywhere at the end */
	uint32_t dead_after_heal; /* (observer, live subject) pairs still dead */
	uint32_t partial_views;	  /* live nodes at the end without a full view */
	uint64_t missing;	  /* (observer, live member) pairs not seen alive */
	uint64_t events, packets_delivered, packets_lost;
	uint64_t packets_bad; /* packets a node could not open or decode (must be 0) */
	double wall_s;
	uint64_t rss_peak_bytes; /* of the whole simulator process */
	struct sim_item_report items;
	struct sim_agg_report agg;
};

int sim_run(const struct sim_params *p, struct sim_report *r);
/* The item-only model (itemsim.c). */
int sim_items_run(const struct sim_params *p, struct sim_report *r);
void sim_report_free(struct sim_report *r);

#endif
