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

struct sim_params {
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
	struct gc_config cfg;
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
	double wall_s;
};

int sim_run(const struct sim_params *p, struct sim_report *r);
void sim_report_free(struct sim_report *r);

#endif
