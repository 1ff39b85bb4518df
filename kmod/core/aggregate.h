/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cluster-wide aggregates by push-sum (Kempe, Dobra, Gehrke 2003). Every
 * node holds a mass vector: c (1 per node), g (1 at the epoch's source
 * only) and, per metric, s (value * weight) and w (1 per publisher). Every
 * agg_interval_ms it keeps half and sends half to a random member; each
 * ratio converges on the cluster-wide one: s / w the average over the
 * publishers, s / g their sum, c / g the number of nodes, w / g the number
 * of publishers. Minimum and maximum travel along, merged.
 *
 * Mass lost with a crashed node or a dropped packet would bias the
 * estimates for good, so the computation restarts every agg_epoch_rounds
 * rounds: the live member with the lowest name starts a new epoch (anyone
 * does after twice as long without one), every node that hears of it
 * starts over from its own values, and what a node reports is the estimate
 * at the end of the last epoch. A newer epoch wins; of two started at once
 * the one whose source has the lower name.
 *
 * All integer: weights are 2^32 (2^56 for g), sums 128-bit, values millionths.
 */
#ifndef _GC_CORE_AGGREGATE_H
#define _GC_CORE_AGGREGATE_H

#include "config.h"
#include "peers.h"
#include "wire.h"

#define GC_AGG_WEIGHT 0x100000000ULL	/* 2^32 */
/* The source's g is 2^24 weights: spread over 100,000 nodes and halved for
 * rounds before more arrives, 2^32 left tens of units at some nodes, and
 * their count and sum estimates percents off.
 */
#define GC_AGG_SOURCE_SHIFT 24
#define GC_AGG_SOURCE_WEIGHT (GC_AGG_WEIGHT << GC_AGG_SOURCE_SHIFT)
#define GC_AGG_NONE_MIN ((s64)(~0ULL >> 1))	/* min > max: nobody published */
#define GC_AGG_NONE_MAX (-GC_AGG_NONE_MIN - 1)

struct gc_i128 {
	s64 hi;
	u64 lo;
};

struct gc_metric {
	char name[GC_AGG_NAME_MAX];
	u8 name_len;
	struct gc_i128 s;
	u64 w;
	s64 min, max;
	s64 last_avg, last_sum;	/* the previous round's estimates */
	u32 calm;		/* rounds in a row they changed by < 0.1% */
};

/* What a node reports: the estimates of one epoch. */
struct gc_agg_estimate {
	char name[GC_AGG_NAME_MAX];
	u8 name_len;
	bool has_avg, has_sum, has_range, settled;
	s64 avg, sum, min, max;	/* millionths */
	s64 publishers;		/* millionths of a node */
};

struct gc_agg_result {
	bool valid;		/* an epoch completed: these are its estimates */
	bool has_nodes;
	u32 epoch, rounds;
	s64 nodes;		/* millionths */
	u32 n;
	struct gc_agg_estimate m[GC_AGG_MAX];
};

struct gc_agg_own {
	char name[GC_AGG_NAME_MAX];
	u8 name_len;
	s64 value;
};

struct gc_agg_stats {
	u64 rounds, epochs, stale, dropped;
};

struct gc_agg {
	const struct gc_config *cfg;
	struct gc_peers peers;
	char self[GC_NODE_NAME_MAX];
	u8 self_len;
	bool active;		/* in an epoch: sends every round */
	u32 epoch;
	char source[GC_NODE_NAME_MAX];
	u8 source_len;
	u32 round;		/* rounds of this epoch so far */
	u64 c, g;
	s64 last_nodes;
	u32 nodes_calm;
	struct gc_metric m[GC_AGG_MAX];
	u32 n;
	struct gc_agg_own own[GC_AGG_MAX];
	u32 n_own;
	struct gc_agg_result result;	/* of the last complete epoch */
	u64 next_round_us;
	u8 *tx;
	size_t tx_cap;
	struct gc_agg_stats stats;
};

int gc_agg_init(struct gc_agg *a, const struct gc_config *cfg, const struct gc_peers *peers,
		const char *self, u8 self_len, u64 now);
void gc_agg_destroy(struct gc_agg *a);

/* Publishes (or, with publish false, withdraws) this node's value of a
 * metric, from the next epoch on; -1 when GC_AGG_MAX metrics are published.
 */
int gc_agg_set(struct gc_agg *a, const char *name, u8 len, s64 value, bool publish, u64 now);

/* A message of the node at from (validated by gc_decode_msg). */
void gc_agg_on_msg(struct gc_agg *a, const struct gc_addr *from, const struct gc_msg *m,
		   u64 now);
void gc_agg_tick(struct gc_agg *a, u64 now);
u64 gc_agg_deadline(const struct gc_agg *a);

/* The estimates of the running epoch, as they stand. */
void gc_agg_current(const struct gc_agg *a, struct gc_agg_result *r);
/* What the node reports: the last complete epoch, or the running one. */
void gc_agg_report(const struct gc_agg *a, struct gc_agg_result *r);
/* This node's published value of a metric, if any. */
bool gc_agg_own_value(const struct gc_agg *a, const char *name, u8 len, s64 *value);

/* Rounds per epoch among n members: max(configured, 6 * ceil(log2(n))). */
u32 gc_agg_epoch_rounds(u32 configured, u32 n);

/* (a * b) / d, and s / d, rounded toward zero, clamped to s64. */
s64 gc_i128_div(struct gc_i128 s, u64 d);
/* (x << shift) / d exactly (shift <= 32), rounded toward zero, clamped. */
s64 gc_i128_div_scaled(struct gc_i128 x, u64 d, unsigned int shift);
struct gc_i128 gc_i128_mul(u64 a, u32 b);

#endif /* _GC_CORE_AGGREGATE_H */
