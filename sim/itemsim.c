// SPDX-License-Identifier: GPL-2.0
/*
 * gcsim's item-only model: each node runs only the core's item and
 * aggregation layers (struct gc_items, struct gc_agg), without the SWIM
 * engine, over a struct gc_peers the simulator implements. Membership is
 * assumed converged: every node knows every live node, a crashed node leaves
 * every node's peer set at once, pick() is uniform over the live nodes,
 * count() is their number and the lowest-named live node starts aggregation
 * epochs. Full member tables of 100,000 nodes would take ~800 GB; this
 * model keeps 10-15 KB per node. Packets are still real: sealed with
 * gc_packet_seal() (plain, CRC32), carried by the same network model as
 * the full model (latency, jitter, loss, crashes), opened with
 * gc_packet_open() and validated whole with gc_decode_msg() before any
 * message in them is handled, as the engine does.
 */
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "heap.h"
#include "net.h"
#include "track.h"

enum iev_kind { IEV_DELIVER, IEV_TICK, IEV_CRASH, IEV_PUT, IEV_AGG_SAMPLE };

struct ipacket {
	uint32_t from, len;
	uint8_t data[];
};

struct iworld;

struct inode {
	struct iworld *w;
	uint32_t id;
	bool crashed;
	uint32_t tick_gen;
	uint64_t tick_at; /* the pending tick, UINT64_MAX when none */
	struct gc_items items;
	struct gc_agg agg;
};

struct iworld {
	const struct sim_params *p;
	struct sim_report *r;
	struct inode *nodes;
	struct heap heap;
	struct gc_rand rand;
	uint64_t now;
	uint32_t *live_ids; /* the live nodes, in no order ... */
	uint32_t *live_pos; /* ... and where each is in live_ids */
	uint32_t n_live;
	uint32_t lowest; /* the live node with the lowest name */
	struct gc_keyring kr;
	uint8_t *pkt, *body;
	uint64_t tx_bytes, tx_packets;
	struct track track;
};

static bool ilive(const struct inode *n)
{
	return !n->crashed;
}

/* ---- struct gc_peers, over the simulated cluster ---- */

static uint32_t peer_pick(void *ctx, struct gc_addr *out, uint32_t k)
{
	struct inode *n = ctx;
	struct iworld *w = n->w;
	uint32_t got[64], i, v, c;

	if (k > 64)
		k = 64;
	if (!w->n_live || k > w->n_live - 1 + !ilive(n))
		k = w->n_live - 1 + !ilive(n);
	for (c = 0; c < k;) {
		v = w->live_ids[gc_rand_below(&w->rand, w->n_live)];
		if (v == n->id)
			continue;
		for (i = 0; i < c && got[i] != v; i++)
			;
		if (i < c)
			continue;
		got[c] = v;
		net_node_addr(v, &out[c]);
		c++;
	}
	return c;
}

static uint32_t peer_count(void *ctx)
{
	struct inode *n = ctx;

	return n->w->n_live;
}

static bool peer_lowest(void *ctx)
{
	struct inode *n = ctx;

	return n->w->lowest == n->id;
}

static void schedule_tick(struct iworld *w, struct inode *n);

static void peer_send(void *ctx, const struct gc_addr *to, const uint8_t *body, size_t len)
{
	struct inode *n = ctx;
	struct iworld *w = n->w;
	uint32_t dst = net_addr_node(to);
	size_t plen = gc_packet_seal(&w->kr, body, len, w->pkt, w->p->cfg.mtu);
	struct ipacket *pk;

	if (!plen) {
		fprintf(stderr, "gcsim: node %u: a body of %zu bytes does not fit the mtu\n", n->id,
			len);
		exit(1);
	}
	w->tx_packets++;
	w->tx_bytes += plen;
	track_tx(&w->track, w->pkt, plen);
	if (dst >= w->p->nodes || dst == n->id || w->nodes[dst].crashed)
		return;
	if (net_lost(w->p, &w->rand)) {
		w->r->packets_lost++;
		return;
	}
	pk = malloc(sizeof(*pk) + plen);
	if (!pk) {
		fprintf(stderr, "gcsim: out of memory\n");
		exit(1);
	}
	pk->from = n->id;
	pk->len = (uint32_t)plen;
	memcpy(pk->data, w->pkt, plen);
	heap_push(&w->heap, w->now + net_latency(w->p, &w->rand, n->id, dst), IEV_DELIVER, dst, 0,
		  pk);
}

static void peer_item_event(void *ctx, const struct gc_item_ev *ev)
{
	struct inode *n = ctx;

	track_item_event(&n->w->track, n->id, ev);
}

static const struct gc_peer_ops sim_peer_ops = {
	.pick = peer_pick,
	.count = peer_count,
	.lowest = peer_lowest,
	.send = peer_send,
	.item_event = peer_item_event,
};

/* ---- the simulation ---- */

static void schedule_tick(struct iworld *w, struct inode *n)
{
	uint64_t at;

	if (!ilive(n))
		return;
	at = gc_items_deadline(&n->items);
	if (w->p->agg) {
		uint64_t a = gc_agg_deadline(&n->agg);

		if (a < at)
			at = a;
	}
	if (at < w->now)
		at = w->now;
	if (at >= n->tick_at)
		return;
	n->tick_at = at;
	n->tick_gen++;
	heap_push(&w->heap, at, IEV_TICK, n->id, n->tick_gen, NULL);
}

/* As the engine does: open, validate every message, then handle them. */
static void deliver(struct iworld *w, struct inode *n, struct ipacket *pk)
{
	struct gc_addr from;
	struct gc_msg msg;
	size_t body_len, off;
	int key;

	w->r->packets_delivered++;
	if (gc_packet_open(&w->kr, pk->data, pk->len, w->body, &body_len, &key)) {
		w->r->packets_bad++;
		return;
	}
	for (off = 0; off < body_len;) {
		if (gc_decode_msg(w->body, body_len, &off, &msg)) {
			w->r->packets_bad++;
			return;
		}
	}
	net_node_addr(pk->from, &from);
	for (off = 0; off < body_len;) {
		gc_decode_msg(w->body, body_len, &off, &msg);
		if (msg.type == GC_MSG_AGG) {
			if (w->p->agg)
				gc_agg_on_msg(&n->agg, &from, &msg, w->now);
		} else if (msg.type >= GC_MSG_PING && msg.type <= GC_MSG_STATE) {
			/* Membership messages: nobody sends them in this model. */
			w->r->packets_bad++;
		} else {
			/* ITEM, DIGEST, WANT, GONE: the item layer's, as the engine
			 * hands them over (it skips types it does not know).
			 */
			gc_items_on_msg(&n->items, &from, &msg, w->now);
		}
	}
	schedule_tick(w, n);
}

static int name_cmp(const char *a, uint8_t alen, const char *b, uint8_t blen)
{
	int r = memcmp(a, b, alen < blen ? alen : blen);

	return r ? r : (int)alen - (int)blen;
}

static void find_lowest(struct iworld *w)
{
	char best[12], name[12];
	uint8_t best_len = 0, len;
	uint32_t i;

	w->lowest = UINT32_MAX;
	for (i = 0; i < w->n_live; i++) {
		len = net_node_name(w->live_ids[i], name);
		if (w->lowest == UINT32_MAX || name_cmp(name, len, best, best_len) < 0) {
			memcpy(best, name, len);
			best_len = len;
			w->lowest = w->live_ids[i];
		}
	}
}

static void crash(struct iworld *w, struct inode *n)
{
	uint32_t pos = w->live_pos[n->id], last = w->live_ids[--w->n_live];

	n->crashed = true;
	w->live_ids[pos] = last;
	w->live_pos[last] = pos;
	if (w->lowest == n->id)
		find_lowest(w);
}

static struct gc_items *node_items(void *ctx, uint32_t id)
{
	struct iworld *w = ctx;

	return ilive(&w->nodes[id]) ? &w->nodes[id].items : NULL;
}

static const struct gc_agg *node_agg(void *ctx, uint32_t id)
{
	struct iworld *w = ctx;

	return ilive(&w->nodes[id]) ? &w->nodes[id].agg : NULL;
}

static bool node_live(void *ctx, uint32_t id)
{
	struct iworld *w = ctx;

	return ilive(&w->nodes[id]);
}

/* Puts item i, or all from i on when they go at once; schedules the next. */
static void put_items(struct iworld *w, uint32_t i)
{
	const struct sim_params *p = w->p;
	uint32_t end = p->item_interval_s > 0 ? i + 1 : p->items, o;

	for (; i < end; i++) {
		o = track_put(&w->track, i, w->now, node_items, w);
		if (o != UINT32_MAX)
			schedule_tick(w, &w->nodes[o]);
	}
	if (end < p->items)
		heap_push(&w->heap, w->now + (uint64_t)(p->item_interval_s * 1e6), IEV_PUT, 0, end,
			  NULL);
}

static int start_nodes(struct iworld *w)
{
	const struct sim_params *p = w->p;
	char name[12];
	uint32_t i;

	for (i = 0; i < p->nodes; i++) {
		struct inode *n = &w->nodes[i];
		struct gc_peers peers = {.ops = &sim_peer_ops, .ctx = n};
		uint8_t key[16], len = net_node_name(i, name);
		uint64_t k0 = net_mix(p->seed * 1000003ULL + i), k1 = net_mix(k0);

		memcpy(key, &k0, 8);
		memcpy(key + 8, &k1, 8);
		n->w = w;
		n->id = i;
		n->tick_at = UINT64_MAX;
		w->live_ids[i] = i;
		w->live_pos[i] = i;
		if (gc_items_init(&n->items, &p->cfg, &peers, name, len, 1, key, 0) ||
		    gc_agg_init(&n->agg, &p->cfg, &peers, name, len, 0))
			return -1;
		if (p->agg && gc_agg_set(&n->agg, TRACK_AGG_METRIC, 1,
					 track_agg_value(&w->track, i), true, 0))
			return -1;
	}
	w->n_live = p->nodes;
	find_lowest(w);
	for (i = 0; i < p->nodes; i++)
		schedule_tick(w, &w->nodes[i]);
	return 0;
}

static void finish(struct iworld *w)
{
	const struct sim_params *p = w->p;
	struct sim_report *r = w->r;
	struct gc_item_stats st = {0};
	uint64_t stale = 0, mem, total = 0;
	uint32_t i;

	r->nodes = p->nodes;
	r->live = w->n_live;
	r->converged = true; /* assumed */
	r->bytes_per_node_s = (double)w->tx_bytes / p->nodes / p->duration_s;
	r->packets_per_node_s = (double)w->tx_packets / p->nodes / p->duration_s;
	for (i = 0; i < p->nodes; i++) {
		const struct inode *n = &w->nodes[i];
		const struct gc_item_stats *s = &n->items.stats;

		st.sent += s->sent;
		st.duplicate += s->duplicate;
		st.served += s->served;
		st.digests_sent += s->digests_sent;
		st.wanted += s->wanted;
		st.lost += s->lost;
		st.dropped += s->dropped;
		st.frags_dropped += s->frags_dropped;
		st.conflict += s->conflict;
		stale += n->agg.stats.stale;
		mem = sizeof(*n) + gc_items_mem_bytes(&n->items) + n->agg.tx_cap;
		total += mem;
		if (mem > r->peak_mem_per_node)
			r->peak_mem_per_node = mem;
	}
	r->mean_mem_per_node = (double)total / p->nodes;
	if (track_finish(&w->track, node_live, w, &st, stale, r)) {
		fprintf(stderr, "gcsim: out of memory\n");
		exit(1);
	}
}

int sim_items_run(const struct sim_params *p, struct sim_report *r)
{
	struct iworld w = {.p = p, .r = r};
	uint64_t end = (uint64_t)(p->duration_s * 1e6);
	struct timespec t0, t1;
	struct heap_ev ev;
	uint8_t *taken;
	uint32_t i, v;

	memset(r, 0, sizeof(*r));
	if (p->nodes < 2 || p->nodes > (1U << 24) || p->crash >= p->nodes)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	gc_rand_seed(&w.rand, p->seed);
	w.nodes = calloc(p->nodes, sizeof(*w.nodes));
	w.live_ids = malloc(p->nodes * sizeof(uint32_t));
	w.live_pos = malloc(p->nodes * sizeof(uint32_t));
	w.pkt = malloc(p->cfg.mtu);
	w.body = malloc(GC_MAX_MTU);
	taken = calloc(p->nodes, 1);
	if (!w.nodes || !w.live_ids || !w.live_pos || !w.pkt || !w.body || !taken ||
	    track_init(&w.track, p))
		return -1;
	if (p->crash) {
		/* As the full model: random nodes but node 0, at crash_at_s. */
		r->crashes = calloc(p->crash, sizeof(*r->crashes));
		if (!r->crashes)
			return -1;
		r->n_crashes = p->crash;
		for (i = 0; i < p->crash; i++) {
			do
				v = 1 + gc_rand_below(&w.rand, p->nodes - 1);
			while (taken[v]);
			taken[v] = 1;
			r->crashes[i] = (struct sim_crash_report){v, -1, -1, 0};
			heap_push(&w.heap, (uint64_t)(p->crash_at_s * 1e6), IEV_CRASH, v, 0, NULL);
		}
	}
	if (track_pick_origins(&w.track, &w.rand, taken))
		return -1;
	free(taken);
	if (start_nodes(&w))
		return -1;
	if (p->items)
		heap_push(&w.heap, (uint64_t)(p->items_at_s * 1e6), IEV_PUT, 0, 0, NULL);
	if (p->agg && p->cfg.agg_interval_ms)
		heap_push(&w.heap, p->cfg.agg_interval_ms * 500ULL, IEV_AGG_SAMPLE, 0, 0, NULL);

	while (!heap_pop(&w.heap, &ev)) {
		struct inode *n = &w.nodes[ev.node];

		if (ev.at > end) {
			if (ev.kind == IEV_DELIVER)
				free(ev.data);
			continue;
		}
		w.now = ev.at;
		r->events++;
		switch (ev.kind) {
		case IEV_DELIVER:
			if (ilive(n))
				deliver(&w, n, ev.data);
			free(ev.data);
			break;
		case IEV_TICK:
			if (ev.arg != n->tick_gen || !ilive(n))
				break;
			n->tick_at = UINT64_MAX;
			gc_items_tick(&n->items, w.now);
			if (p->agg)
				gc_agg_tick(&n->agg, w.now);
			schedule_tick(&w, n);
			break;
		case IEV_CRASH:
			crash(&w, n);
			break;
		case IEV_PUT:
			put_items(&w, ev.arg);
			break;
		case IEV_AGG_SAMPLE:
			track_agg_sample(&w.track, w.now, node_agg, &w);
			heap_push(&w.heap, w.now + p->cfg.agg_interval_ms * 1000ULL, IEV_AGG_SAMPLE,
				  0, 0, NULL);
			break;
		}
	}
	finish(&w);
	track_free(&w.track);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r->wall_s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	r->rss_peak_bytes = net_peak_rss();
	for (i = 0; i < p->nodes; i++) {
		gc_items_destroy(&w.nodes[i].items);
		gc_agg_destroy(&w.nodes[i].agg);
	}
	free(w.nodes);
	free(w.live_ids);
	free(w.live_pos);
	free(w.pkt);
	free(w.body);
	heap_free(&w.heap);
	return 0;
}
