// SPDX-License-Identifier: GPL-2.0
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "heap.h"
#include "net.h"
#include "track.h"

enum ev_kind {
	EV_PROCESS,
	EV_DELIVER,
	EV_TICK,
	EV_START,
	EV_CRASH,
	EV_PAUSE,
	EV_RESUME,
	EV_PARTITION,
	EV_HEAL,
	EV_SWEEP,
	EV_PUT,	       /* an item is put (arg: which), or all at once */
	EV_AGG_SAMPLE, /* every node's aggregation estimates are judged */
};

struct packet {
	struct gc_addr from;
	uint32_t len;
	uint8_t data[];
};

struct world;

struct node {
	struct world *w;
	struct gc_engine *e;
	uint32_t id;
	bool started, crashed, paused;
	uint64_t tick_at; /* the pending tick, UINT64_MAX when none */
	uint32_t tick_gen;
	bool full_view;	       /* knows every live node, and only them, as alive */
	struct packet **queue; /* what arrived while paused */
	uint32_t queued;
	uint64_t tx_bytes, tx_packets;
	uint64_t peak_mem;
	uint64_t slow_us;    /* handling time per packet of a slow node */
	uint64_t busy_until; /* a slow node's backlog ends then */
	bool was_paused;
};

struct world {
	const struct sim_params *p;
	struct sim_report *r;
	struct node *nodes;
	struct heap heap;
	struct gc_rand rand;
	uint64_t now;
	uint32_t live;	     /* started and not crashed */
	uint32_t full_views; /* live nodes with a full view */
	uint32_t started;
	uint64_t all_started_at;
	bool partitioned, healed;
	bool sweep_pending;
	uint64_t crash_at;
	uint8_t *crash_seen;   /* [crash index * nodes + observer] */
	uint32_t *crash_index; /* node -> index in r->crashes, or UINT32_MAX */
	struct track track;
	bool put_waits; /* the items wait for the membership to converge */
};

static uint64_t us(double s)
{
	return (uint64_t)(s * 1e6);
}

static void node_addr(uint32_t id, struct gc_addr *a)
{
	net_node_addr(id, a);
}

static uint32_t addr_node(const struct gc_addr *a)
{
	return net_addr_node(a);
}

static uint8_t fast_name(uint32_t id, char *buf)
{
	return net_node_name(id, buf);
}

static uint32_t name_node(const char *name, uint8_t len)
{
	return net_name_node(name, len);
}

static bool is_live(const struct node *n)
{
	return n->started && !n->crashed;
}

static bool other_side(const struct world *w, uint32_t a, uint32_t b)
{
	return (a < w->p->nodes / 2) != (b < w->p->nodes / 2);
}

static void update_view(struct world *w, struct node *n)
{
	/* The member list agrees: every live member listed, none as dead or
	 * left. Suspicion is a member's health, not a disagreement on who is in.
	 */
	bool full = is_live(n) && gc_engine_count(n->e, GC_MEMBER_ALIVE) +
						  gc_engine_count(n->e, GC_MEMBER_SUSPECT) ==
					  w->live;

	if (full != n->full_view) {
		n->full_view = full;
		if (full)
			w->full_views++;
		else
			w->full_views--;
	}
	if (!w->r->converged && w->started == w->p->nodes && w->full_views == w->live) {
		w->r->converged = true;
		w->r->converged_s = (double)(w->now - w->all_started_at) / 1e6;
		if (w->put_waits) {
			/* The items were due: they go now that every view is whole. */
			w->put_waits = false;
			heap_push(&w->heap, w->now, EV_PUT, 0, 0, NULL);
		}
	}
}

static void recount_views(struct world *w)
{
	uint32_t i;

	w->full_views = 0;
	for (i = 0; i < w->p->nodes; i++) {
		w->nodes[i].full_view = false;
		if (w->nodes[i].e)
			update_view(w, &w->nodes[i]);
	}
}

/* The number of live nodes changed, so every view must be judged again:
 * once per instant, however many nodes start or crash in it.
 */
static void request_sweep(struct world *w)
{
	if (w->sweep_pending)
		return;
	w->sweep_pending = true;
	heap_push(&w->heap, w->now, EV_SWEEP, 0, 0, NULL);
}

static void schedule_tick(struct world *w, struct node *n)
{
	uint64_t at;

	if (!is_live(n) || n->paused)
		return;
	at = gc_engine_next_deadline(n->e);
	if (at < w->now)
		at = w->now;
	if (at >= n->tick_at)
		return;
	n->tick_at = at;
	n->tick_gen++;
	heap_push(&w->heap, at, EV_TICK, n->id, n->tick_gen, NULL);
}

static void after_input(struct world *w, struct node *n)
{
	update_view(w, n);
	schedule_tick(w, n);
}

static void sim_send(void *ctx, const struct gc_addr *to, const uint8_t *pkt, size_t len)
{
	struct node *n = ctx;
	struct world *w = n->w;
	uint32_t dst = addr_node(to);
	struct packet *p;
	uint64_t lat;

	n->tx_packets++;
	n->tx_bytes += len;
	track_tx(&w->track, pkt, len);
	if (dst >= w->p->nodes || dst == n->id)
		return;
	if (w->partitioned && other_side(w, n->id, dst)) {
		w->r->packets_lost++;
		return;
	}
	if (net_lost(w->p, &w->rand)) {
		w->r->packets_lost++;
		return;
	}
	p = malloc(sizeof(*p) + len);
	if (!p)
		return;
	node_addr(n->id, &p->from);
	p->len = (uint32_t)len;
	memcpy(p->data, pkt, len);
	lat = net_latency(w->p, &w->rand, n->id, dst);
	heap_push(&w->heap, w->now + lat, EV_DELIVER, dst, 0, p);
}

static void sim_event(void *ctx, const struct gc_event *ev)
{
	struct node *n = ctx;
	struct world *w = n->w;
	uint32_t subj = name_node(ev->name, ev->name_len);
	uint32_t ci;

	if (subj >= w->p->nodes)
		return;
	switch (ev->type) {
	case GC_EV_SUSPECT:
		if (is_live(&w->nodes[subj]) && !w->partitioned)
			w->r->false_suspect++;
		break;
	case GC_EV_DEAD:
		ci = w->crash_index[subj];
		if (ci != UINT32_MAX && w->nodes[subj].crashed) {
			uint8_t *seen = &w->crash_seen[(size_t)ci * w->p->nodes + n->id];
			struct sim_crash_report *c = &w->r->crashes[ci];
			double t = (double)(w->now - w->crash_at) / 1e6;

			if (!*seen) {
				*seen = 1;
				if (c->first_s < 0)
					c->first_s = t;
				c->last_s = t;
				c->detected_by++;
			}
		} else if (is_live(&w->nodes[subj]) && !w->partitioned &&
			   !(w->healed && other_side(w, n->id, subj))) {
			w->r->false_dead++;
			if (!w->nodes[subj].slow_us && !w->nodes[subj].was_paused)
				w->r->false_dead_healthy++;
		}
		break;
	}
}

static void sim_item_event(void *ctx, const struct gc_item_ev *ev)
{
	struct node *n = ctx;

	track_item_event(&n->w->track, n->id, ev);
}

static const struct gc_engine_ops sim_ops = {
	.send = sim_send,
	.event = sim_event,
	.item_event = sim_item_event,
};

static struct gc_items *node_items(void *ctx, uint32_t id)
{
	struct world *w = ctx;

	return is_live(&w->nodes[id]) ? &w->nodes[id].e->items : NULL;
}

static const struct gc_agg *node_agg(void *ctx, uint32_t id)
{
	struct world *w = ctx;

	return is_live(&w->nodes[id]) ? &w->nodes[id].e->agg : NULL;
}

static bool node_live(void *ctx, uint32_t id)
{
	struct world *w = ctx;

	return is_live(&w->nodes[id]);
}

/* Puts item i, or all from i on when they go at once; schedules the next. */
static void put_items(struct world *w, uint32_t i)
{
	const struct sim_params *p = w->p;
	uint32_t end = p->item_interval_s > 0 ? i + 1 : p->items, o;

	for (; i < end; i++) {
		o = track_put(&w->track, i, w->now, node_items, w);
		if (o != UINT32_MAX)
			schedule_tick(w, &w->nodes[o]);
	}
	if (end < p->items)
		heap_push(&w->heap, w->now + us(p->item_interval_s), EV_PUT, 0, end, NULL);
}

static void process(struct world *w, struct node *n, struct packet *p)
{
	w->r->packets_delivered++;
	gc_engine_on_packet(n->e, &p->from, p->data, p->len, w->now);
	free(p);
	after_input(w, n);
}

static void deliver(struct world *w, struct node *n, struct packet *p)
{
	if (!is_live(n)) {
		free(p);
		return;
	}
	if (n->paused) {
		/* A starved process's socket buffer: bounded, then drops. */
		if (n->queued < w->p->pause_buffer)
			n->queue[n->queued++] = p;
		else
			free(p);
		return;
	}
	if (n->slow_us) {
		/* A starved node: packets wait their turn, each taking slow_us,
		 * and a backlog past 10 s overflows the socket buffer.
		 */
		uint64_t start = n->busy_until > w->now ? n->busy_until : w->now;

		if (start - w->now > 10000000) {
			free(p);
			return;
		}
		n->busy_until = start + n->slow_us;
		heap_push(&w->heap, n->busy_until, EV_PROCESS, n->id, 0, p);
		return;
	}
	process(w, n, p);
}

static void start_node(struct world *w, struct node *n)
{
	char name[16];
	struct gc_addr addr, seed;

	name[net_node_name(n->id, name)] = '\0';
	node_addr(n->id, &addr);
	n->e = gc_engine_new(&w->p->cfg, name, (uint8_t)strlen(name), &addr, 1,
			     w->p->seed * 1000003ULL + n->id, w->now, &sim_ops, n);
	if (!n->e) {
		fprintf(stderr, "gcsim: cannot create node %u\n", n->id);
		exit(1);
	}
	if (w->p->agg && gc_agg_set(&n->e->agg, TRACK_AGG_METRIC, 1,
				    track_agg_value(&w->track, n->id), true, w->now)) {
		fprintf(stderr, "gcsim: node %u cannot publish\n", n->id);
		exit(1);
	}
	n->started = true;
	w->started++;
	w->live++;
	if (w->started == w->p->nodes)
		w->all_started_at = w->now;
	if (w->p->start_converged) {
		uint32_t k;

		/* Names "n0".."nN": at most 9 bytes each. */
		gc_engine_reserve(n->e, w->p->nodes, w->p->nodes * 9);
		for (k = 0; k < w->p->nodes; k++) {
			if (k == n->id)
				continue;
			node_addr(k, &addr);
			if (gc_engine_learn(n->e, name, fast_name(k, name), &addr, 0, w->now)) {
				fprintf(stderr, "gcsim: node %u cannot hold %u members\n", n->id,
					w->p->nodes);
				exit(1);
			}
		}
	} else if (n->id != 0) {
		node_addr(0, &seed);
		gc_engine_join(n->e, &seed, 1, w->now);
	}
	request_sweep(w);
	schedule_tick(w, n);
}

/* k distinct random nodes other than node 0 (the seed), into out. */
static void pick_nodes(struct world *w, uint32_t *out, uint32_t k, uint8_t *taken)
{
	uint32_t i, v;

	for (i = 0; i < k; i++) {
		do
			v = 1 + gc_rand_below(&w->rand, w->p->nodes - 1);
		while (taken[v]);
		taken[v] = 1;
		out[i] = v;
	}
}

static void sample_memory(struct world *w)
{
	uint32_t i;

	for (i = 0; i < w->p->nodes; i++) {
		struct node *n = &w->nodes[i];
		uint64_t m;

		if (!n->e)
			continue;
		m = gc_engine_mem_bytes(n->e);
		if (m > n->peak_mem)
			n->peak_mem = m;
	}
}

static void finish(struct world *w)
{
	const struct sim_params *p = w->p;
	struct sim_report *r = w->r;
	uint64_t bytes = 0, packets = 0, mem = 0;
	uint32_t i, j, known;

	sample_memory(w);
	r->nodes = p->nodes;
	r->live = w->live;
	for (i = 0; i < p->nodes; i++) {
		bytes += w->nodes[i].tx_bytes;
		packets += w->nodes[i].tx_packets;
		mem += w->nodes[i].peak_mem;
		if (w->nodes[i].peak_mem > r->peak_mem_per_node)
			r->peak_mem_per_node = w->nodes[i].peak_mem;
	}
	r->bytes_per_node_s = (double)bytes / p->nodes / p->duration_s;
	r->packets_per_node_s = (double)packets / p->nodes / p->duration_s;
	r->mean_mem_per_node = (double)mem / p->nodes;
	r->false_dead_per_node_hour = (double)r->false_dead / p->nodes / (p->duration_s / 3600.0);
	r->converged_periods = r->converged_s * 1000.0 / p->cfg.probe_interval_ms;
	{
		struct gc_item_stats st = {0};
		uint64_t stale = 0;

		for (i = 0; i < p->nodes; i++) {
			const struct gc_engine *e = w->nodes[i].e;

			if (!e)
				continue;
			st.sent += e->items.stats.sent;
			st.duplicate += e->items.stats.duplicate;
			st.served += e->items.stats.served;
			st.digests_sent += e->items.stats.digests_sent;
			st.wanted += e->items.stats.wanted;
			st.lost += e->items.stats.lost;
			st.dropped += e->items.stats.dropped;
			st.frags_dropped += e->items.stats.frags_dropped;
			st.conflict += e->items.stats.conflict;
			stale += e->agg.stats.stale;
			for (j = 1; j < __GC_WIRE_ERR_MAX; j++)
				r->packets_bad += e->stats.rx_dropped[j];
		}
		if (track_finish(&w->track, node_live, w, &st, stale, r)) {
			fprintf(stderr, "gcsim: out of memory\n");
			exit(1);
		}
	}

	for (i = 0; i < p->nodes; i++) {
		if (!is_live(&w->nodes[i]))
			continue;
		if (!w->nodes[i].full_view)
			r->partial_views++;
		known = gc_engine_count(w->nodes[i].e, GC_MEMBER_ALIVE) +
			gc_engine_count(w->nodes[i].e, GC_MEMBER_SUSPECT);
		if (known < w->live)
			r->missing += w->live - known;
	}
	if (p->partition) {
		/* After the heal: every live node alive to every live node. */
		for (i = 0; i < p->nodes; i++) {
			const struct gc_members *t;

			if (!is_live(&w->nodes[i]))
				continue;
			t = gc_engine_members(w->nodes[i].e);
			for (j = 0; j < t->slots; j++) {
				uint32_t subj;

				if (t->m[j].state == GC_MEMBER_FREE)
					continue;
				subj = name_node(gc_member_name(t, j), t->m[j].name_len);
				if (subj < p->nodes && is_live(&w->nodes[subj]) &&
				    t->m[j].state != GC_MEMBER_ALIVE)
					r->dead_after_heal++;
			}
		}
		r->partition_healed = w->full_views == w->live && r->dead_after_heal == 0;
	}
}

static void partition_check(struct world *w)
{
	/* Detected when every node of each side has the other side dead or
	 * gone: no node counts a member of the other side alive or suspect.
	 */
	uint32_t half = w->p->nodes / 2, i;

	for (i = 0; i < w->p->nodes; i++) {
		const struct node *n = &w->nodes[i];
		uint32_t own = i < half ? half : w->p->nodes - half;

		if (!is_live(n))
			continue;
		if (gc_engine_count(n->e, GC_MEMBER_ALIVE) +
			    gc_engine_count(n->e, GC_MEMBER_SUSPECT) >
		    own)
			return;
	}
	w->r->partition_detected = true;
}

int sim_run(const struct sim_params *p, struct sim_report *r)
{
	struct world w = {.p = p, .r = r};
	struct timespec t0, t1;
	struct heap_ev ev;
	uint64_t end = us(p->duration_s), next_sample = 1000000;
	uint32_t *victims = NULL, i;
	uint8_t *taken;

	memset(r, 0, sizeof(*r));
	if (p->nodes < 2 || p->nodes > (1U << 24) || p->crash + p->pause + p->slow >= p->nodes)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	gc_rand_seed(&w.rand, p->seed);
	w.nodes = calloc(p->nodes, sizeof(*w.nodes));
	w.crash_index = malloc(p->nodes * sizeof(uint32_t));
	taken = calloc(p->nodes, 1);
	if (!w.nodes || !w.crash_index || !taken)
		return -1;
	memset(w.crash_index, 0xff, p->nodes * sizeof(uint32_t));
	for (i = 0; i < p->nodes; i++) {
		w.nodes[i].w = &w;
		w.nodes[i].id = i;
		w.nodes[i].tick_at = UINT64_MAX;
		/* Node 0 first, the others spread over the join window. */
		if (p->start_converged) {
			heap_push(&w.heap, 0, EV_START, i, 0, NULL);
			continue;
		}
		heap_push(&w.heap,
			  i ? gc_rand_below(&w.rand, (uint32_t)us(p->join_spread_s) + 1) : 0,
			  EV_START, i, 0, NULL);
	}
	if (p->crash) {
		victims = calloc(p->crash, sizeof(uint32_t));
		r->crashes = calloc(p->crash, sizeof(*r->crashes));
		w.crash_seen = calloc((size_t)p->crash * p->nodes, 1);
		if (!victims || !r->crashes || !w.crash_seen)
			return -1;
		r->n_crashes = p->crash;
		pick_nodes(&w, victims, p->crash, taken);
		w.crash_at = us(p->crash_at_s);
		for (i = 0; i < p->crash; i++) {
			r->crashes[i] = (struct sim_crash_report){victims[i], -1, -1, 0};
			w.crash_index[victims[i]] = i;
			heap_push(&w.heap, w.crash_at, EV_CRASH, victims[i], 0, NULL);
		}
	}
	if (p->pause) {
		uint32_t *paused = calloc(p->pause, sizeof(uint32_t));

		if (!paused)
			return -1;
		pick_nodes(&w, paused, p->pause, taken);
		for (i = 0; i < p->pause; i++) {
			/* Each once, at a random time after the join wave. */
			uint64_t lo = us(p->join_spread_s) + 5000000;
			uint64_t at =
				lo + gc_rand_below(
					     &w.rand,
					     (uint32_t)((end > lo + us(p->pause_s))
								? (end - lo - us(p->pause_s)) / 1000
								: 1)) *
					     1000ULL;

			w.nodes[paused[i]].queue = calloc(p->pause_buffer, sizeof(struct packet *));
			heap_push(&w.heap, at, EV_PAUSE, paused[i], 0, NULL);
			heap_push(&w.heap, at + us(p->pause_s), EV_RESUME, paused[i], 0, NULL);
		}
		free(paused);
	}
	if (p->slow) {
		uint32_t *slow = calloc(p->slow, sizeof(uint32_t));

		if (!slow)
			return -1;
		pick_nodes(&w, slow, p->slow, taken);
		for (i = 0; i < p->slow; i++)
			w.nodes[slow[i]].slow_us = (uint64_t)p->slow_ms * 1000;
		free(slow);
	}
	if (p->partition) {
		heap_push(&w.heap, us(p->partition_at_s), EV_PARTITION, 0, 0, NULL);
		heap_push(&w.heap, us(p->heal_at_s), EV_HEAL, 0, 0, NULL);
	}
	if (track_init(&w.track, p) || track_pick_origins(&w.track, &w.rand, taken))
		return -1;
	free(taken);
	if (p->items) {
		heap_push(&w.heap, us(p->items_at_s), EV_PUT, 0, 0, NULL);
	}
	if (p->agg && p->cfg.agg_interval_ms)
		heap_push(&w.heap, p->cfg.agg_interval_ms * 500ULL, EV_AGG_SAMPLE, 0, 0, NULL);

	while (!heap_pop(&w.heap, &ev)) {
		struct node *n = &w.nodes[ev.node];

		if (ev.at > end) {
			if (ev.kind == EV_DELIVER)
				free(ev.data);
			continue;
		}
		w.now = ev.at;
		r->events++;
		while (w.now >= next_sample) {
			sample_memory(&w);
			next_sample += 1000000;
		}
		switch (ev.kind) {
		case EV_DELIVER:
			deliver(&w, n, ev.data);
			break;
		case EV_TICK:
			if (ev.arg != n->tick_gen || !is_live(n) || n->paused)
				break;
			if (n->busy_until > w.now) {
				/* A starved node's timers fire late too. */
				n->tick_gen++;
				n->tick_at = n->busy_until;
				heap_push(&w.heap, n->busy_until, EV_TICK, n->id, n->tick_gen,
					  NULL);
				break;
			}
			n->tick_at = UINT64_MAX;
			gc_engine_on_tick(n->e, w.now);
			after_input(&w, n);
			break;
		case EV_PROCESS:
			if (is_live(n))
				process(&w, n, ev.data);
			else
				free(ev.data);
			break;
		case EV_START:
			start_node(&w, n);
			break;
		case EV_CRASH:
			n->crashed = true;
			w.live--;
			request_sweep(&w);
			break;
		case EV_PAUSE:
			n->paused = true;
			n->was_paused = true;
			n->tick_at = UINT64_MAX;
			n->tick_gen++;
			break;
		case EV_RESUME:
			n->paused = false;
			for (i = 0; i < n->queued; i++) {
				w.r->packets_delivered++;
				gc_engine_on_packet(n->e, &n->queue[i]->from, n->queue[i]->data,
						    n->queue[i]->len, w.now);
				free(n->queue[i]);
			}
			n->queued = 0;
			gc_engine_on_tick(n->e, w.now);
			after_input(&w, n);
			break;
		case EV_SWEEP:
			w.sweep_pending = false;
			recount_views(&w);
			break;
		case EV_PARTITION:
			w.partitioned = true;
			break;
		case EV_HEAL:
			partition_check(&w);
			w.partitioned = false;
			w.healed = true;
			break;
		case EV_PUT:
			if (!ev.arg && p->items_wait && !p->start_converged && !r->converged) {
				w.put_waits = true;
				break;
			}
			put_items(&w, ev.arg);
			break;
		case EV_AGG_SAMPLE:
			track_agg_sample(&w.track, w.now, node_agg, &w);
			heap_push(&w.heap, w.now + p->cfg.agg_interval_ms * 1000ULL, EV_AGG_SAMPLE,
				  0, 0, NULL);
			break;
		}
	}
	finish(&w);
	track_free(&w.track);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r->rss_peak_bytes = net_peak_rss();
	r->wall_s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

	for (i = 0; i < p->nodes; i++) {
		uint32_t k;

		for (k = 0; k < w.nodes[i].queued; k++)
			free(w.nodes[i].queue[k]);
		free(w.nodes[i].queue);
		gc_engine_free(w.nodes[i].e);
	}
	free(w.nodes);
	free(w.crash_index);
	free(w.crash_seen);
	free(victims);
	heap_free(&w.heap);
	return 0;
}

void sim_report_free(struct sim_report *r)
{
	free(r->crashes);
	r->crashes = NULL;
	free(r->items.items);
	r->items.items = NULL;
	free(r->agg.epochs);
	r->agg.epochs = NULL;
}
