// SPDX-License-Identifier: GPL-2.0
#include "track.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"

int track_init(struct track *t, const struct sim_params *p)
{
	size_t cells = (size_t)p->items * p->nodes;
	uint32_t i;

	memset(t, 0, sizeof(*t));
	t->p = p;
	t->nodes = p->nodes;
	t->k = p->items;
	t->cur = UINT32_MAX;
	if (t->k) {
		t->oidx = malloc(p->nodes * sizeof(uint32_t));
		t->item_origin = calloc(p->items, sizeof(uint32_t));
		t->put_at = malloc(p->items * sizeof(uint64_t));
		t->count = calloc(p->nodes, sizeof(uint32_t));
		t->at = malloc(cells * sizeof(uint64_t));
		t->hops = calloc(cells, 1);
		if (!t->oidx || !t->count || !t->at || !t->hops || !t->item_origin || !t->put_at)
			return -1;
		memset(t->put_at, 0xff, p->items * sizeof(uint64_t));
		memset(t->oidx, 0xff, p->nodes * sizeof(uint32_t));
		memset(t->at, 0xff, cells * sizeof(uint64_t));
	}
	if (p->agg) {
		t->value = malloc(p->nodes * sizeof(int64_t));
		if (!t->value)
			return -1;
		for (i = 0; i < p->nodes; i++)
			t->value[i] = (int64_t)(net_mix(p->seed * 0x100000001b3ULL ^
							(0xa99ULL << 40) ^ i) %
						1000000001ULL);
	}
	return 0;
}

void track_free(struct track *t)
{
	free(t->origins);
	free(t->oidx);
	free(t->item_origin);
	free(t->put_at);
	free(t->count);
	free(t->at);
	free(t->hops);
	free(t->value);
	free(t->epochs);
	memset(t, 0, sizeof(*t));
}

int track_pick_origins(struct track *t, struct gc_rand *r, const uint8_t *taken)
{
	uint32_t m = t->p->item_origins ? t->p->item_origins : 1, i, j, v, free_nodes = 0;

	if (!t->k)
		return 0;
	for (i = 0; i < t->nodes; i++)
		free_nodes += !taken[i];
	if (m > t->k)
		m = t->k;
	if (m > free_nodes)
		return -1;
	t->origins = calloc(m, sizeof(uint32_t));
	if (!t->origins)
		return -1;
	t->n_origins = m;
	for (i = 0; i < m; i++) {
		do
			v = gc_rand_below(r, t->nodes);
		while (taken[v] || t->oidx[v] != UINT32_MAX);
		t->origins[i] = v;
		/* Items i, i + m, i + 2m ... go to origin i, in turn. */
		t->oidx[v] = i;
		t->count[v] = (t->k - i + m - 1) / m;
		for (j = i; j < t->k; j += m)
			t->item_origin[j] = v;
	}
	return 0;
}

void track_item_content(const struct track *t, uint32_t i, uint8_t *buf)
{
	uint64_t x = net_mix(t->p->seed ^ (0x17e3ULL << 48) ^ i);
	uint32_t off;

	for (off = 0; off < t->p->item_size; off += 8) {
		uint32_t n = t->p->item_size - off < 8 ? t->p->item_size - off : 8;

		x = net_mix(x);
		memcpy(buf + off, &x, n);
	}
}

uint32_t track_put(struct track *t, uint32_t i, uint64_t now,
		   struct gc_items *(*items)(void *ctx, uint32_t node), void *ctx)
{
	uint32_t node = t->item_origin[i];
	struct gc_items *it = items(ctx, node);
	const struct gc_item *out;
	uint8_t *buf;
	int ret;

	if (!t->put) {
		t->put = true;
		t->first_put_at = now;
	}
	if (!it)
		return UINT32_MAX;
	buf = malloc(t->p->item_size);
	if (!buf)
		return UINT32_MAX;
	t->put_at[i] = now;
	track_item_content(t, i, buf);
	ret = gc_items_put(it, 1, buf, (uint16_t)t->p->item_size, now, &out);
	free(buf);
	if (ret) {
		fprintf(stderr, "gcsim: node %u refused item %u (%d)\n", node, i, ret);
		t->put_at[i] = UINT64_MAX;
		return UINT32_MAX;
	}
	if (out->seq != i / t->n_origins + 1) {
		/* The mapping from (origin, seq) to items assumes a new stream. */
		fprintf(stderr, "gcsim: item %u got seq %llu\n", i, (unsigned long long)out->seq);
		exit(1);
	}
	return node;
}

void track_item_event(struct track *t, uint32_t node, const struct gc_item_ev *ev)
{
	uint32_t o, i;
	size_t cell;

	if (ev->type < 8)
		t->events[ev->type]++;
	if (ev->type != GC_IEV_HELD || !ev->item)
		return;
	o = net_name_node(ev->stream->name, ev->stream->name_len);
	if (o >= t->nodes || t->oidx[o] == UINT32_MAX || ev->stream->boot != 1 ||
	    ev->item->seq < 1 || ev->item->seq > t->count[o])
		return;
	i = t->oidx[o] + (uint32_t)(ev->item->seq - 1) * t->n_origins;
	cell = (size_t)i * t->nodes + node;
	if (t->put_at[i] == UINT64_MAX || t->at[cell] != UINT64_MAX)
		return;
	t->at[cell] = ev->time_us - t->put_at[i];
	t->hops[cell] = ev->item->hops;
}

void track_tx(struct track *t, const uint8_t *pkt, size_t len)
{
	int c = TX_OTHER;

	if (len > 6) {
		if (pkt[6] == GC_MSG_ITEM)
			c = TX_ITEM;
		else if (pkt[6] == GC_MSG_AGG)
			c = TX_AGG;
		else if (pkt[6] > GC_MSG_STATE)
			c = TX_SYNC; /* DIGEST, WANT, GONE */
	}
	t->tx_packets[c]++;
	t->tx_bytes[c] += len;
}

int64_t track_agg_value(const struct track *t, uint32_t node)
{
	return t->value ? t->value[node] : 0;
}

/* ---- aggregation ---- */

static int name_cmp(const char *a, uint8_t alen, const char *b, uint8_t blen)
{
	int r = memcmp(a, b, alen < blen ? alen : blen);

	return r ? r : (int)alen - (int)blen;
}

static double dabs(double x)
{
	return x < 0 ? -x : x;
}

static double dmax(double a, double b)
{
	return a > b ? a : b;
}

static bool within(double est, double truth)
{
	return dabs(est - truth) <= 0.01 * dabs(truth);
}

static double rel_err(double est, double truth)
{
	return truth ? dabs(est - truth) / dabs(truth) : dabs(est);
}

enum { OK_AVG = 1, OK_SUM = 2, OK_NODES = 4, OK_ALL = 7 };

/* Which of the three estimates are within 1%; *err the worst error. */
static unsigned int result_ok(const struct gc_agg_result *res, double avg, double sum, double nodes,
			      double *err)
{
	const struct gc_agg_estimate *e = NULL;
	double a, s, n;
	uint32_t i;

	for (i = 0; i < res->n; i++)
		if (res->m[i].name_len == 1 && res->m[i].name[0] == TRACK_AGG_METRIC[0])
			e = &res->m[i];
	*err = INFINITY;
	if (!e)
		return 0;
	a = e->has_avg ? (double)e->avg / 1e6 : INFINITY;
	s = e->has_sum ? (double)e->sum / 1e6 : INFINITY;
	n = res->has_nodes ? (double)res->nodes / 1e6 : INFINITY;
	*err = dmax(rel_err(a, avg), dmax(rel_err(s, sum), rel_err(n, nodes)));
	return (within(a, avg) ? OK_AVG : 0) | (within(s, sum) ? OK_SUM : 0) |
	       (within(n, nodes) ? OK_NODES : 0);
}

static struct sim_agg_epoch *epoch_record(struct track *t, uint32_t epoch, uint32_t source,
					  uint64_t now)
{
	struct sim_agg_epoch *e;

	if (t->cur != UINT32_MAX) {
		e = &t->epochs[t->cur];
		if (e->epoch == epoch && e->source == source)
			return e;
		e->ended = true;
	}
	if (t->n_epochs == t->cap_epochs) {
		uint32_t cap = t->cap_epochs ? 2 * t->cap_epochs : 16;
		struct sim_agg_epoch *n = realloc(t->epochs, cap * sizeof(*n));

		if (!n)
			return NULL;
		t->epochs = n;
		t->cap_epochs = cap;
	}
	e = &t->epochs[t->n_epochs];
	memset(e, 0, sizeof(*e));
	e->epoch = epoch;
	e->source = source;
	e->first_s = (double)now / 1e6;
	e->rounds_to_1pct = -1;
	e->rounds_avg = e->rounds_sum = e->rounds_nodes = -1;
	e->within_s = -1;
	t->cur = t->n_epochs++;
	return e;
}

void track_agg_sample(struct track *t, uint64_t now,
		      const struct gc_agg *(*agg)(void *ctx, uint32_t node), void *ctx)
{
	const struct gc_agg *best = NULL, *a;
	struct sim_agg_epoch *e;
	struct gc_agg_result res;
	double avg, sum = 0, err, worst = 0;
	uint32_t live = 0, i, rounds = 0;
	unsigned int all = OK_ALL;
	bool reports = true;

	for (i = 0; i < t->nodes; i++) {
		a = agg(ctx, i);
		if (!a)
			continue;
		live++;
		sum += (double)t->value[i] / 1e6;
		if (!a->active)
			continue;
		if (!best || a->epoch > best->epoch ||
		    (a->epoch == best->epoch &&
		     name_cmp(a->source, a->source_len, best->source, best->source_len) < 0))
			best = a;
	}
	if (!live || !best)
		return;
	avg = sum / live;
	e = epoch_record(t, best->epoch, net_name_node(best->source, best->source_len), now);
	if (!e)
		return;
	for (i = 0; i < t->nodes; i++) {
		a = agg(ctx, i);
		if (!a)
			continue;
		if (!a->active || a->epoch != best->epoch ||
		    name_cmp(a->source, a->source_len, best->source, best->source_len)) {
			all = 0;
		} else {
			if (a->round > rounds)
				rounds = a->round;
			gc_agg_current(a, &res);
			all &= result_ok(&res, avg, sum, live, &err);
		}
		if (t->n_epochs > 1) {
			/* What the node reports, once an epoch has completed. */
			gc_agg_report(a, &res);
			if (result_ok(&res, avg, sum, live, &err) != OK_ALL)
				reports = false;
			if (err > worst)
				worst = err;
		}
	}
	if (rounds > e->rounds_run)
		e->rounds_run = rounds;
	if (e->rounds_avg < 0 && (all & OK_AVG))
		e->rounds_avg = (int)rounds;
	if (e->rounds_sum < 0 && (all & OK_SUM))
		e->rounds_sum = (int)rounds;
	if (e->rounds_nodes < 0 && (all & OK_NODES))
		e->rounds_nodes = (int)rounds;
	if (e->rounds_to_1pct >= 0) {
		e->samples_after++;
		if (all != OK_ALL)
			e->violations_after++;
	} else if (all == OK_ALL) {
		e->rounds_to_1pct = (int)rounds;
		e->within_s = (double)now / 1e6;
	}
	if (t->n_epochs > 1) {
		t->report_samples++;
		t->report_ok += reports;
		if (!reports)
			t->report_bad_last_s = (double)now / 1e6;
		if (worst > t->worst_report_err)
			t->worst_report_err = worst;
	}
}

/* ---- the report ---- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median (the lower one) and maximum of k values, negative meaning never. */
static void summarize(double *v, uint32_t k, double *median, double *worst)
{
	uint32_t i;

	for (i = 0; i < k; i++)
		if (v[i] < 0)
			v[i] = INFINITY;
	qsort(v, k, sizeof(*v), cmp_double);
	*median = isinf(v[(k - 1) / 2]) ? -1 : v[(k - 1) / 2];
	*worst = isinf(v[k - 1]) ? -1 : v[k - 1];
}

static int finish_items(struct track *t, bool (*live)(void *ctx, uint32_t node), void *ctx,
			uint32_t n_live, struct sim_report *r)
{
	struct sim_item_report *ir = &r->items;
	uint64_t *times = malloc((n_live ? n_live : 1) * sizeof(uint64_t));
	double *v = malloc(t->k * sizeof(double));
	uint32_t need[SIM_NP], hist[256], i, j, n, q;
	uint8_t *is_live = malloc(t->nodes);

	ir->items = calloc(t->k, sizeof(*ir->items));
	if (!times || !v || !is_live || !ir->items)
		return -1;
	for (j = 0; j < t->nodes; j++)
		is_live[j] = live(ctx, j);
	need[SIM_P50] = (n_live + 1) / 2;
	need[SIM_P99] = (uint32_t)(((uint64_t)n_live * 99 + 99) / 100);
	need[SIM_P100] = n_live;
	ir->min_coverage = 1;
	for (i = 0; i < t->k; i++) {
		struct sim_item_result *it = &ir->items[i];
		const uint64_t *at = &t->at[(size_t)i * t->nodes];
		const uint8_t *hops = &t->hops[(size_t)i * t->nodes];

		it->origin = t->item_origin[i];
		it->put = t->put_at[i] != UINT64_MAX;
		it->put_s = it->put ? (double)t->put_at[i] / 1e6 : -1;
		memset(hist, 0, sizeof(hist));
		for (j = 0, n = 0; j < t->nodes; j++) {
			if (!is_live[j] || at[j] == UINT64_MAX)
				continue;
			times[n++] = at[j];
			hist[hops[j]]++;
		}
		it->holders = n;
		if (n_live && (double)n / n_live < ir->min_coverage)
			ir->min_coverage = (double)n / n_live;
		if (n == n_live)
			ir->complete++;
		qsort(times, n, sizeof(*times), cmp_u64);
		for (q = 0; q < SIM_NP; q++) {
			uint32_t h, cum = 0;

			it->time_s[q] = -1;
			it->hops[q] = -1;
			if (!need[q] || n < need[q])
				continue;
			it->time_s[q] = (double)times[need[q] - 1] / 1e6;
			for (h = 0; h < 256; h++) {
				cum += hist[h];
				if (cum >= need[q]) {
					it->hops[q] = (int)h;
					break;
				}
			}
		}
	}
	for (q = 0; q < SIM_NP; q++) {
		double med, worst;

		for (i = 0; i < t->k; i++)
			v[i] = ir->items[i].time_s[q];
		summarize(v, t->k, &ir->time_median[q], &ir->time_worst[q]);
		for (i = 0; i < t->k; i++)
			v[i] = ir->items[i].hops[q];
		summarize(v, t->k, &med, &worst);
		ir->hops_median[q] = (int)med;
		ir->hops_worst[q] = (int)worst;
	}
	free(times);
	free(v);
	free(is_live);
	return 0;
}

int track_finish(struct track *t, bool (*live)(void *ctx, uint32_t node), void *ctx,
		 const struct gc_item_stats *stats, uint64_t agg_stale, struct sim_report *r)
{
	struct sim_item_report *ir = &r->items;
	struct sim_agg_report *ar = &r->agg;
	double nodes = t->nodes;
	uint32_t i, n_live = 0;

	for (i = 0; i < t->nodes; i++)
		n_live += live(ctx, i);
	if (t->k) {
		ir->put = t->put;
		ir->put_s = (double)t->first_put_at / 1e6;
		ir->sent = (double)stats->sent / nodes;
		ir->duplicate = (double)stats->duplicate / nodes;
		ir->served = (double)stats->served / nodes;
		ir->digests = (double)stats->digests_sent / nodes;
		ir->wanted = (double)stats->wanted / nodes;
		ir->lost = (double)stats->lost / nodes;
		ir->dropped = (double)stats->dropped / nodes;
		ir->frags_dropped = (double)stats->frags_dropped / nodes;
		ir->conflict = (double)stats->conflict / nodes;
		ir->item_packets = (double)t->tx_packets[TX_ITEM] / nodes;
		ir->item_bytes = (double)t->tx_bytes[TX_ITEM] / nodes;
		ir->sync_packets = (double)t->tx_packets[TX_SYNC] / nodes;
		ir->sync_bytes = (double)t->tx_bytes[TX_SYNC] / nodes;
		ir->held_events = t->events[GC_IEV_HELD];
		ir->gap_events = t->events[GC_IEV_GAP];
		ir->expired_events = t->events[GC_IEV_EXPIRED];
		ir->pending_events = t->events[GC_IEV_PENDING];
		for (i = 0; i < SIM_NP; i++) {
			ir->time_median[i] = ir->time_worst[i] = -1;
			ir->hops_median[i] = ir->hops_worst[i] = -1;
		}
		if (t->put && finish_items(t, live, ctx, n_live, r))
			return -1;
	}
	if (t->p->agg) {
		double sum = 0;

		for (i = 0; i < t->nodes; i++)
			if (live(ctx, i))
				sum += (double)t->value[i] / 1e6;
		ar->true_nodes = n_live;
		ar->true_sum = sum;
		ar->true_avg = n_live ? sum / n_live : 0;
		ar->epochs = t->epochs;
		ar->n_epochs = t->n_epochs;
		t->epochs = NULL;
		ar->report_samples = t->report_samples;
		ar->report_ok = t->report_ok;
		ar->worst_report_err = t->worst_report_err;
		ar->report_bad_last_s = t->report_bad_last_s;
		ar->packets_per_node_s = (double)t->tx_packets[TX_AGG] / nodes / t->p->duration_s;
		ar->bytes_per_node_s = (double)t->tx_bytes[TX_AGG] / nodes / t->p->duration_s;
		ar->stale = agg_stale;
	}
	return 0;
}
