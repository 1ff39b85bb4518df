// SPDX-License-Identifier: GPL-2.0
/*
 * gcsim: runs N gossipchain nodes (the kernel module's protocol core) in a
 * deterministic discrete-event simulation and reports convergence, failure
 * detection, false positives, bandwidth and memory; with --items and --agg
 * also the dissemination of items and the convergence of aggregates, in the
 * full model or in the item-only model (--model items) that scales to
 * 100,000 nodes.
 */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim.h"

static const char usage[] =
	"Usage: gcsim --nodes N --duration SECONDS --seed K [options]\n"
	"\n"
	"  --nodes N               nodes in the cluster (2 to 16777216)\n"
	"  --duration S            simulated seconds\n"
	"  --seed K                seed of every random choice (default 1)\n"
	"  --loss P                packet loss probability, 0 to 1 (default 0)\n"
	"  --latency-us U          mean one-way latency in microseconds (default 200);\n"
	"                          each link's mean is drawn from [U/2, 3U/2] and each\n"
	"                          packet varies +-20% around its link's mean\n"
	"  --crash C               crash C random nodes at --crash-at (default 0)\n"
	"  --crash-at S            when to crash them (default: a third into the run)\n"
	"  --pause C:S             pause C random nodes for S seconds each, once,\n"
	"                          at a random time after the join wave\n"
	"  --slow C:MS             C random nodes handle each packet MS ms late,\n"
	"                          one after another, timers late too (starved CPU)\n"
	"  --partition             split the cluster in halves at --partition-at\n"
	"                          and heal it at --heal-at (default: 1/3 and 2/3)\n"
	"  --join-spread S         nodes start within S seconds (default 2)\n"
	"  --start converged|join  start as a converged cluster (every node knows\n"
	"                          every member), or with the join wave (default)\n"
	"  --set NAME=VALUE        a protocol parameter (see docs/PROTOCOL.md), e.g.\n"
	"                          item_fanout, item_sync_ms (0: push only),\n"
	"                          item_retransmit_mult, gossip_interval_ms,\n"
	"                          agg_interval_ms, agg_epoch_rounds\n"
	"  --json                  print the report as JSON\n"
	"\n"
	"Items and aggregation:\n"
	"  --model full|items      full: every node runs the whole engine (SWIM\n"
	"                          membership, items, aggregation; default).\n"
	"                          items: every node runs only the item and\n"
	"                          aggregation layers; MEMBERSHIP IS ASSUMED\n"
	"                          CONVERGED (every node knows every live node, a\n"
	"                          crash leaves every peer set at once); 10-15 KB\n"
	"                          per node, so 100,000 nodes fit. Real packets, same\n"
	"                          network model. No --pause, --slow, --partition.\n"
	"  --items K               put K items (default 0) ...\n"
	"  --item-origins M        ... at M distinct random nodes (default 1), which\n"
	"                          are never crashed\n"
	"  --items-at S            ... at S seconds (default: a third into the run,\n"
	"                          and in a join wave of the full model not before\n"
	"                          every live node lists every live member)\n"
	"  --item-interval S       one item every S seconds, origins in turn\n"
	"                          (default 0: all at once)\n"
	"  --item-size B           bytes per item, 1 to 61440 (default 100); larger\n"
	"                          than a packet goes in fragments. item_max_bytes\n"
	"                          is raised to B unless set with --set\n"
	"  --agg                   every node publishes a value (uniform 0..1000,\n"
	"                          6 decimals, from the seed) at its start; the\n"
	"                          estimates of every live node are judged in the\n"
	"                          middle of every agg_interval_ms round\n"
	"\n"
	"For every item: time and hops (relays from the origin, as the core\n"
	"records them) until 50%, 99% and 100% of the nodes live at the end held\n"
	"it; the median and the worst over items; per node: items sent, duplicates\n"
	"received, bytes of item and anti-entropy packets. For aggregation, per\n"
	"epoch: the rounds until every live node's running estimate of the\n"
	"average, sum and node count was within 1% of the truth, and whether it\n"
	"stayed there until the next epoch.\n";

static int set_param(struct gc_config *c, const char *arg)
{
	const char *eq = strchr(arg, '=');
	unsigned int id;
	char *end;
	unsigned long v;

	if (!eq)
		return -1;
	v = strtoul(eq + 1, &end, 10);
	if (*end || eq[1] == '\0' || v > 0xffffffffUL)
		return -1;
	id = gc_param_lookup(arg, (size_t)(eq - arg));
	if (!id)
		return -1;
	*gc_param(c, id) = (uint32_t)v;
	return 0;
}

static double num(const char *s, const char *what)
{
	char *end;
	double v = strtod(s, &end);

	if (*s == '\0' || *end || v < 0) {
		fprintf(stderr, "gcsim: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

/* A whole number no larger than max, or exit 2 naming what was wrong. */
static uint64_t whole(const char *s, uint64_t max, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || v > max) {
		fprintf(stderr, "gcsim: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

/* "COUNT:VALUE" for --pause and --slow. */
static void pair(const char *arg, const char *opt, uint32_t *count, char **value)
{
	char buf[64];
	char *colon;

	if (strlen(arg) >= sizeof(buf) || !(colon = strchr(strcpy(buf, arg), ':'))) {
		fprintf(stderr, "gcsim: %s takes COUNT:VALUE\n", opt);
		exit(2);
	}
	*colon = '\0';
	*count = (uint32_t)whole(buf, 0xffffff, "node count");
	*value = (char *)arg + (colon - buf) + 1;
}

static const char *const pct_names[SIM_NP] = {"p50", "p99", "p100"};

/* A time in seconds, or "never". */
static const char *tm(char *buf, size_t len, double s)
{
	if (s < 0)
		snprintf(buf, len, "never");
	else
		snprintf(buf, len, "%.4f", s);
	return buf;
}

static const char *hp(char *buf, size_t len, int h)
{
	if (h < 0)
		snprintf(buf, len, "never");
	else
		snprintf(buf, len, "%d", h);
	return buf;
}

static void print_items_text(const struct sim_params *p, const struct sim_report *r)
{
	const struct sim_item_report *ir = &r->items;
	char a[3][24], b[3][24];
	uint32_t i;

	if (!ir->put) {
		printf("items:               %u of %u bytes: never put, the membership never "
		       "converged\n",
		       p->items, p->item_size);
		return;
	}
	printf("items:               %u of %u bytes from %u origin(s), put at %.2f s\n", p->items,
	       p->item_size, p->item_origins ? p->item_origins : 1, ir->put_s);
	printf("  reached 100%%:      %u of %u items (least spread item: %.2f%% of live nodes)\n",
	       ir->complete, p->items, ir->min_coverage * 100);
	printf("  time to 50/99/100%%: median %s / %s / %s s, worst %s / %s / %s s\n",
	       tm(a[0], 24, ir->time_median[0]), tm(a[1], 24, ir->time_median[1]),
	       tm(a[2], 24, ir->time_median[2]), tm(b[0], 24, ir->time_worst[0]),
	       tm(b[1], 24, ir->time_worst[1]), tm(b[2], 24, ir->time_worst[2]));
	printf("  hops to 50/99/100%%: median %s / %s / %s, worst %s / %s / %s\n",
	       hp(a[0], 24, ir->hops_median[0]), hp(a[1], 24, ir->hops_median[1]),
	       hp(a[2], 24, ir->hops_median[2]), hp(b[0], 24, ir->hops_worst[0]),
	       hp(b[1], 24, ir->hops_worst[1]), hp(b[2], 24, ir->hops_worst[2]));
	for (i = 0; i < p->items && i < 16; i++) {
		const struct sim_item_result *it = &ir->items[i];

		printf("  item %-3u from n%-8u held by %u of %u; 50/99/100%%: %s/%s/%s s, %s/%s/%s "
		       "hops\n",
		       i, it->origin, it->holders, r->live, tm(a[0], 24, it->time_s[0]),
		       tm(a[1], 24, it->time_s[1]), tm(a[2], 24, it->time_s[2]),
		       hp(b[0], 24, it->hops[0]), hp(b[1], 24, it->hops[1]),
		       hp(b[2], 24, it->hops[2]));
	}
	printf("  per node:          %.2f items sent, %.2f duplicates received, %.2f served to "
	       "wants, %.2f digests started\n",
	       ir->sent, ir->duplicate, ir->served, ir->digests);
	printf("  bytes per node:    %.0f in %.2f item packets, %.0f in %.2f anti-entropy packets\n",
	       ir->item_bytes, ir->item_packets, ir->sync_bytes, ir->sync_packets);
	if (ir->lost || ir->dropped || ir->frags_dropped || ir->conflict || ir->gap_events ||
	    ir->expired_events || ir->pending_events)
		printf("  trouble per node:  %.3f lost, %.3f dropped, %.3f fragments dropped, %.3f "
		       "conflicts; %llu gap, %llu expired, %llu pending events\n",
		       ir->lost, ir->dropped, ir->frags_dropped, ir->conflict,
		       (unsigned long long)ir->gap_events, (unsigned long long)ir->expired_events,
		       (unsigned long long)ir->pending_events);
}

/* Over the epochs judged (those that ended within the run, and a last one
 * that got within 1% before the end): how many got every live node within
 * 1%, after how many rounds, and how many stayed there.
 */
static void agg_summary(const struct sim_agg_report *ar, uint32_t *judged, uint32_t *within,
			uint32_t *stayed, int *median, int *worst)
{
	int v[4096];
	uint32_t i, n = 0;

	*judged = *within = *stayed = 0;
	*median = *worst = -1;
	for (i = 0; i < ar->n_epochs; i++) {
		const struct sim_agg_epoch *e = &ar->epochs[i];

		if (e->ended || e->rounds_to_1pct >= 0)
			(*judged)++;
		if (e->rounds_to_1pct < 0)
			continue;
		(*within)++;
		*stayed += !e->violations_after;
		if (n < 4096)
			v[n++] = e->rounds_to_1pct;
		if (e->rounds_to_1pct > *worst)
			*worst = e->rounds_to_1pct;
	}
	if (n) {
		/* Few values: insertion sort. */
		for (i = 1; i < n; i++) {
			int x = v[i];
			uint32_t j = i;

			for (; j && v[j - 1] > x; j--)
				v[j] = v[j - 1];
			v[j] = x;
		}
		*median = v[(n - 1) / 2];
	}
}

static void print_agg_text(const struct sim_params *p, const struct sim_report *r)
{
	const struct sim_agg_report *ar = &r->agg;
	uint32_t judged, within, stayed, i;
	int median, worst;

	agg_summary(ar, &judged, &within, &stayed, &median, &worst);
	printf("aggregation:         truth at the end: average %.6f, sum %.6f, %u nodes; epochs "
	       "of %u rounds of %u ms\n",
	       ar->true_avg, ar->true_sum, ar->true_nodes,
	       gc_agg_epoch_rounds(p->cfg.agg_epoch_rounds, r->live), p->cfg.agg_interval_ms);
	printf("  epochs:            %u judged (of %u seen); %u got every live node within 1%%, "
	       "after median %d, worst %d rounds; %u stayed within 1%% until the next\n",
	       judged, ar->n_epochs, within, median, worst, stayed);
	for (i = 0; i < ar->n_epochs && i < 12; i++) {
		const struct sim_agg_epoch *e = &ar->epochs[i];

		if (e->rounds_to_1pct >= 0)
			printf("  epoch %-4u n%-6u from %.2f s: within 1%% after %d rounds (%.2f s; "
			       "average %d, sum %d, nodes %d), %s (%u of %u samples after), %u "
			       "rounds%s\n",
			       e->epoch, e->source, e->first_s, e->rounds_to_1pct, e->within_s,
			       e->rounds_avg, e->rounds_sum, e->rounds_nodes,
			       e->violations_after ? "did not stay" : "stayed",
			       e->samples_after - e->violations_after, e->samples_after,
			       e->rounds_run, e->ended ? "" : " (the run ended)");
		else
			printf("  epoch %-4u n%-6u from %.2f s: never within 1%%, %u rounds%s\n",
			       e->epoch, e->source, e->first_s, e->rounds_run,
			       e->ended ? "" : " (the run ended)");
	}
	if (ar->n_epochs > 12)
		printf("  ... %u more epochs (--json lists all)\n", ar->n_epochs - 12);
	printf("  reported (last complete epoch): every live node within 1%% in %u of %u samples "
	       "(worst error %.3f%%, last miss at %.2f s)\n",
	       ar->report_ok, ar->report_samples, ar->worst_report_err * 100,
	       ar->report_bad_last_s);
	printf("  traffic per node:  %.2f packets/s, %.0f bytes/s; %llu stale messages\n",
	       ar->packets_per_node_s, ar->bytes_per_node_s, (unsigned long long)ar->stale);
}

static void print_text(const struct sim_params *p, const struct sim_report *r)
{
	uint32_t i;

	printf("gcsim: %u nodes, %.0f s, seed %llu, loss %.1f%%, latency %u us, model %s\n",
	       p->nodes, p->duration_s, (unsigned long long)p->seed, p->loss * 100, p->latency_us,
	       p->model == SIM_MODEL_ITEMS ? "items" : "full");
	if (p->model == SIM_MODEL_ITEMS) {
		printf("membership:          ASSUMED CONVERGED (item-only model: every node "
		       "knows every live node)\n");
		for (i = 0; i < r->n_crashes; i++)
			printf("crash n%-12u at %.2f s (leaves every peer set at once)\n",
			       r->crashes[i].node, p->crash_at_s);
		if (p->items)
			print_items_text(p, r);
		if (p->agg)
			print_agg_text(p, r);
		printf("traffic per node:    %.0f bytes/s, %.1f packets/s\n", r->bytes_per_node_s,
		       r->packets_per_node_s);
		printf("memory per node:     peak %llu bytes, mean %.0f (item and aggregation "
		       "layers)\n",
		       (unsigned long long)r->peak_mem_per_node, r->mean_mem_per_node);
		printf("simulation:          %llu events, %llu packets delivered, %llu lost, %llu "
		       "bad, %.1f s wall, %.0f MB peak RSS\n",
		       (unsigned long long)r->events, (unsigned long long)r->packets_delivered,
		       (unsigned long long)r->packets_lost, (unsigned long long)r->packets_bad,
		       r->wall_s, (double)r->rss_peak_bytes / 1e6);
		return;
	}
	if (r->converged)
		printf("converged:           %.2f s after the last start (%.1f probe periods)\n",
		       r->converged_s, r->converged_periods);
	else
		printf("converged:           no\n");
	printf("views at the end:    %u of %u live nodes partial, %llu members missing\n",
	       r->partial_views, r->live, (unsigned long long)r->missing);
	for (i = 0; i < r->n_crashes; i++) {
		const struct sim_crash_report *c = &r->crashes[i];

		if (c->first_s < 0)
			printf("crash n%-12u never detected\n", c->node);
		else
			printf("crash n%-12u dead at first %.2f s, last %.2f s, by %u of %u live\n",
			       c->node, c->first_s, c->last_s, c->detected_by, r->live);
	}
	printf("false positives:     %llu dead (%llu of healthy nodes), %llu suspect "
	       "(%.3f dead per node-hour)\n",
	       (unsigned long long)r->false_dead, (unsigned long long)r->false_dead_healthy,
	       (unsigned long long)r->false_suspect, r->false_dead_per_node_hour);
	if (p->partition)
		printf("partition:           %s, %s (%u dead entries of live nodes left)\n",
		       r->partition_detected ? "detected" : "not detected",
		       r->partition_healed ? "healed" : "not healed", r->dead_after_heal);
	printf("traffic per node:    %.0f bytes/s, %.1f packets/s\n", r->bytes_per_node_s,
	       r->packets_per_node_s);
	printf("memory per node:     peak %llu bytes, mean %.0f\n",
	       (unsigned long long)r->peak_mem_per_node, r->mean_mem_per_node);
	if (p->items)
		print_items_text(p, r);
	if (p->agg)
		print_agg_text(p, r);
	printf("simulation:          %llu events, %llu packets delivered, %llu lost, %llu bad, "
	       "%.1f s wall, %.0f MB peak RSS\n",
	       (unsigned long long)r->events, (unsigned long long)r->packets_delivered,
	       (unsigned long long)r->packets_lost, (unsigned long long)r->packets_bad, r->wall_s,
	       (double)r->rss_peak_bytes / 1e6);
}

static json_object *jnum(double v)
{
	/* -1 stands for never; keep integers integers. */
	if (v > -1e15 && v < 1e15 && v == (double)(int64_t)v)
		return json_object_new_int64((int64_t)v);
	return json_object_new_double(v);
}

static json_object *pct_obj(const double *v)
{
	json_object *o = json_object_new_object();
	int q;

	for (q = 0; q < SIM_NP; q++)
		json_object_object_add(o, pct_names[q], jnum(v[q]));
	return o;
}

static json_object *pct_int(const int *v)
{
	double d[SIM_NP];
	int q;

	for (q = 0; q < SIM_NP; q++)
		d[q] = v[q];
	return pct_obj(d);
}

static json_object *items_json(const struct sim_params *p, const struct sim_report *r)
{
	const struct sim_item_report *ir = &r->items;
	json_object *o = json_object_new_object(), *pn = json_object_new_object();
	json_object *list = json_object_new_array();
	uint32_t i;

	json_object_object_add(o, "count", json_object_new_int64(p->items));
	json_object_object_add(o, "size", json_object_new_int64(p->item_size));
	json_object_object_add(o, "origins",
			       json_object_new_int64(p->item_origins ? p->item_origins : 1));
	json_object_object_add(o, "put", json_object_new_boolean(ir->put));
	json_object_object_add(o, "put_s", json_object_new_double(ir->put_s));
	json_object_object_add(o, "complete", json_object_new_int64(ir->complete));
	json_object_object_add(o, "min_coverage", json_object_new_double(ir->min_coverage));
	json_object_object_add(o, "time_s_median", pct_obj(ir->time_median));
	json_object_object_add(o, "time_s_worst", pct_obj(ir->time_worst));
	json_object_object_add(o, "hops_median", pct_int(ir->hops_median));
	json_object_object_add(o, "hops_worst", pct_int(ir->hops_worst));
	json_object_object_add(pn, "sent", json_object_new_double(ir->sent));
	json_object_object_add(pn, "duplicate", json_object_new_double(ir->duplicate));
	json_object_object_add(pn, "served", json_object_new_double(ir->served));
	json_object_object_add(pn, "digests", json_object_new_double(ir->digests));
	json_object_object_add(pn, "wanted", json_object_new_double(ir->wanted));
	json_object_object_add(pn, "lost", json_object_new_double(ir->lost));
	json_object_object_add(pn, "dropped", json_object_new_double(ir->dropped));
	json_object_object_add(pn, "frags_dropped", json_object_new_double(ir->frags_dropped));
	json_object_object_add(pn, "conflict", json_object_new_double(ir->conflict));
	json_object_object_add(pn, "item_packets", json_object_new_double(ir->item_packets));
	json_object_object_add(pn, "item_bytes", json_object_new_double(ir->item_bytes));
	json_object_object_add(pn, "sync_packets", json_object_new_double(ir->sync_packets));
	json_object_object_add(pn, "sync_bytes", json_object_new_double(ir->sync_bytes));
	json_object_object_add(o, "per_node", pn);
	json_object_object_add(o, "held_events", json_object_new_int64((int64_t)ir->held_events));
	json_object_object_add(o, "gap_events", json_object_new_int64((int64_t)ir->gap_events));
	json_object_object_add(o, "expired_events",
			       json_object_new_int64((int64_t)ir->expired_events));
	json_object_object_add(o, "pending_events",
			       json_object_new_int64((int64_t)ir->pending_events));
	for (i = 0; ir->put && i < p->items && i < 1000; i++) {
		const struct sim_item_result *it = &ir->items[i];
		json_object *x = json_object_new_object();

		json_object_object_add(x, "origin", json_object_new_int64(it->origin));
		json_object_object_add(x, "holders", json_object_new_int64(it->holders));
		json_object_object_add(x, "time_s", pct_obj(it->time_s));
		json_object_object_add(x, "hops", pct_int(it->hops));
		json_object_array_add(list, x);
	}
	json_object_object_add(o, "items", list);
	return o;
}

static json_object *agg_json(const struct sim_params *p, const struct sim_report *r)
{
	const struct sim_agg_report *ar = &r->agg;
	json_object *o = json_object_new_object(), *list = json_object_new_array();
	uint32_t judged, within, stayed, i;
	int median, worst;

	agg_summary(ar, &judged, &within, &stayed, &median, &worst);
	json_object_object_add(o, "true_avg", json_object_new_double(ar->true_avg));
	json_object_object_add(o, "true_sum", json_object_new_double(ar->true_sum));
	json_object_object_add(o, "true_nodes", json_object_new_int64(ar->true_nodes));
	json_object_object_add(
		o, "epoch_rounds",
		json_object_new_int64(gc_agg_epoch_rounds(p->cfg.agg_epoch_rounds, r->live)));
	json_object_object_add(o, "interval_ms", json_object_new_int64(p->cfg.agg_interval_ms));
	json_object_object_add(o, "epochs_seen", json_object_new_int64(ar->n_epochs));
	json_object_object_add(o, "epochs_judged", json_object_new_int64(judged));
	json_object_object_add(o, "epochs_within", json_object_new_int64(within));
	json_object_object_add(o, "epochs_stayed", json_object_new_int64(stayed));
	json_object_object_add(o, "rounds_to_1pct_median", json_object_new_int64(median));
	json_object_object_add(o, "rounds_to_1pct_worst", json_object_new_int64(worst));
	json_object_object_add(o, "report_samples", json_object_new_int64(ar->report_samples));
	json_object_object_add(o, "report_ok", json_object_new_int64(ar->report_ok));
	json_object_object_add(o, "worst_report_err", json_object_new_double(ar->worst_report_err));
	json_object_object_add(o, "report_bad_last_s",
			       json_object_new_double(ar->report_bad_last_s));
	json_object_object_add(o, "packets_per_node_s",
			       json_object_new_double(ar->packets_per_node_s));
	json_object_object_add(o, "bytes_per_node_s", json_object_new_double(ar->bytes_per_node_s));
	json_object_object_add(o, "stale", json_object_new_int64((int64_t)ar->stale));
	for (i = 0; i < ar->n_epochs; i++) {
		const struct sim_agg_epoch *e = &ar->epochs[i];
		json_object *x = json_object_new_object();

		json_object_object_add(x, "epoch", json_object_new_int64(e->epoch));
		json_object_object_add(x, "source", json_object_new_int64(e->source));
		json_object_object_add(x, "first_s", json_object_new_double(e->first_s));
		json_object_object_add(x, "rounds_to_1pct",
				       json_object_new_int64(e->rounds_to_1pct));
		json_object_object_add(x, "within_s", json_object_new_double(e->within_s));
		json_object_object_add(x, "rounds_avg", json_object_new_int64(e->rounds_avg));
		json_object_object_add(x, "rounds_sum", json_object_new_int64(e->rounds_sum));
		json_object_object_add(x, "rounds_nodes", json_object_new_int64(e->rounds_nodes));
		json_object_object_add(
			x, "stayed",
			json_object_new_boolean(e->rounds_to_1pct >= 0 && !e->violations_after));
		json_object_object_add(x, "samples_after", json_object_new_int64(e->samples_after));
		json_object_object_add(x, "violations_after",
				       json_object_new_int64(e->violations_after));
		json_object_object_add(x, "rounds_run", json_object_new_int64(e->rounds_run));
		json_object_object_add(x, "ended", json_object_new_boolean(e->ended));
		json_object_array_add(list, x);
	}
	json_object_object_add(o, "epochs", list);
	return o;
}

static void print_json(const struct sim_params *p, const struct sim_report *r)
{
	json_object *o = json_object_new_object(), *crashes = json_object_new_array();
	uint32_t i;

	json_object_object_add(
		o, "model", json_object_new_string(p->model == SIM_MODEL_ITEMS ? "items" : "full"));
	json_object_object_add(o, "membership_assumed_converged",
			       json_object_new_boolean(p->model == SIM_MODEL_ITEMS));
	json_object_object_add(o, "nodes", json_object_new_int64(p->nodes));
	json_object_object_add(o, "duration_s", json_object_new_double(p->duration_s));
	json_object_object_add(o, "seed", json_object_new_int64((int64_t)p->seed));
	json_object_object_add(o, "loss", json_object_new_double(p->loss));
	json_object_object_add(o, "latency_us", json_object_new_int64(p->latency_us));
	json_object_object_add(o, "converged", json_object_new_boolean(r->converged));
	json_object_object_add(o, "converged_s", json_object_new_double(r->converged_s));
	json_object_object_add(o, "converged_periods",
			       json_object_new_double(r->converged_periods));
	for (i = 0; i < r->n_crashes; i++) {
		json_object *c = json_object_new_object();

		json_object_object_add(c, "node", json_object_new_int64(r->crashes[i].node));
		json_object_object_add(c, "first_dead_s",
				       json_object_new_double(r->crashes[i].first_s));
		json_object_object_add(c, "last_dead_s",
				       json_object_new_double(r->crashes[i].last_s));
		json_object_object_add(c, "detected_by",
				       json_object_new_int64(r->crashes[i].detected_by));
		json_object_array_add(crashes, c);
	}
	json_object_object_add(o, "crashes", crashes);
	json_object_object_add(o, "live", json_object_new_int64(r->live));
	json_object_object_add(o, "partial_views", json_object_new_int64(r->partial_views));
	json_object_object_add(o, "missing", json_object_new_int64((int64_t)r->missing));
	json_object_object_add(o, "false_dead", json_object_new_int64((int64_t)r->false_dead));
	json_object_object_add(o, "false_dead_healthy",
			       json_object_new_int64((int64_t)r->false_dead_healthy));
	json_object_object_add(o, "false_suspect",
			       json_object_new_int64((int64_t)r->false_suspect));
	json_object_object_add(o, "false_dead_per_node_hour",
			       json_object_new_double(r->false_dead_per_node_hour));
	if (p->partition) {
		json_object_object_add(o, "partition_detected",
				       json_object_new_boolean(r->partition_detected));
		json_object_object_add(o, "partition_healed",
				       json_object_new_boolean(r->partition_healed));
		json_object_object_add(o, "dead_after_heal",
				       json_object_new_int64(r->dead_after_heal));
	}
	json_object_object_add(o, "bytes_per_node_s", json_object_new_double(r->bytes_per_node_s));
	json_object_object_add(o, "packets_per_node_s",
			       json_object_new_double(r->packets_per_node_s));
	json_object_object_add(o, "peak_mem_per_node",
			       json_object_new_int64((int64_t)r->peak_mem_per_node));
	json_object_object_add(o, "events", json_object_new_int64((int64_t)r->events));
	json_object_object_add(o, "packets_delivered",
			       json_object_new_int64((int64_t)r->packets_delivered));
	json_object_object_add(o, "packets_lost", json_object_new_int64((int64_t)r->packets_lost));
	json_object_object_add(o, "packets_bad", json_object_new_int64((int64_t)r->packets_bad));
	if (p->items)
		json_object_object_add(o, "items", items_json(p, r));
	if (p->agg)
		json_object_object_add(o, "agg", agg_json(p, r));
	json_object_object_add(o, "wall_s", json_object_new_double(r->wall_s));
	json_object_object_add(o, "rss_peak_bytes",
			       json_object_new_int64((int64_t)r->rss_peak_bytes));
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED));
	json_object_put(o);
}

/* A 10,000-node run holds ~8 GB of member tables; with 4 KiB pages it
 * spends more time in page faults and TLB misses than in the protocol.
 * glibc reads its tunables at start, so set the one for transparent huge
 * pages and start again, once.
 */
static void use_huge_pages(char **argv)
{
	const char *t = getenv("GLIBC_TUNABLES");

	if (t && strstr(t, "glibc.malloc.hugetlb"))
		return;
	if (setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1", 1) == 0)
		execv("/proc/self/exe", argv);
	/* Still here: run with small pages. */
}

int main(int argc, char **argv)
{
	enum {
		O_LOSS = 256,
		O_LAT,
		O_CRASH,
		O_CRASH_AT,
		O_PAUSE,
		O_PART,
		O_PART_AT,
		O_HEAL_AT,
		O_SPREAD,
		O_SET,
		O_JSON,
		O_START,
		O_SLOW,
		O_MODEL,
		O_ITEMS,
		O_ORIGINS,
		O_ITEMS_AT,
		O_ITEM_SIZE,
		O_ITEM_INTERVAL,
		O_AGG
	};
	static const struct option opts[] = {
		{"nodes", required_argument, NULL, 'n'},
		{"duration", required_argument, NULL, 'd'},
		{"seed", required_argument, NULL, 's'},
		{"loss", required_argument, NULL, O_LOSS},
		{"latency-us", required_argument, NULL, O_LAT},
		{"crash", required_argument, NULL, O_CRASH},
		{"crash-at", required_argument, NULL, O_CRASH_AT},
		{"pause", required_argument, NULL, O_PAUSE},
		{"partition", no_argument, NULL, O_PART},
		{"partition-at", required_argument, NULL, O_PART_AT},
		{"heal-at", required_argument, NULL, O_HEAL_AT},
		{"join-spread", required_argument, NULL, O_SPREAD},
		{"start", required_argument, NULL, O_START},
		{"slow", required_argument, NULL, O_SLOW},
		{"set", required_argument, NULL, O_SET},
		{"json", no_argument, NULL, O_JSON},
		{"model", required_argument, NULL, O_MODEL},
		{"items", required_argument, NULL, O_ITEMS},
		{"item-origins", required_argument, NULL, O_ORIGINS},
		{"items-at", required_argument, NULL, O_ITEMS_AT},
		{"item-size", required_argument, NULL, O_ITEM_SIZE},
		{"item-interval", required_argument, NULL, O_ITEM_INTERVAL},
		{"agg", no_argument, NULL, O_AGG},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct sim_params p = {
		.seed = 1,
		.latency_us = 200,
		.join_spread_s = 2,
		.pause_buffer = 1024,
		.crash_at_s = -1,
		.partition_at_s = -1,
		.heal_at_s = -1,
		.item_size = 100,
		.items_at_s = -1,
	};
	struct sim_report r;
	bool json = false, start_set = false, max_bytes_set = false;
	char *value;
	int opt;

	use_huge_pages(argv);
	gc_config_default(&p.cfg);
	while ((opt = getopt_long(argc, argv, "n:d:s:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			p.nodes = (uint32_t)whole(optarg, 1U << 24, "node count");
			break;
		case 'd':
			p.duration_s = num(optarg, "duration");
			break;
		case 's':
			p.seed = whole(optarg, UINT64_MAX, "seed");
			break;
		case O_LOSS:
			p.loss = num(optarg, "loss");
			break;
		case O_LAT:
			p.latency_us = (uint32_t)whole(optarg, 10000000, "latency");
			break;
		case O_CRASH:
			p.crash = (uint32_t)whole(optarg, 1U << 24, "crash count");
			break;
		case O_CRASH_AT:
			p.crash_at_s = num(optarg, "crash time");
			break;
		case O_PAUSE:
			pair(optarg, "--pause", &p.pause, &value);
			p.pause_s = num(value, "pause length");
			break;
		case O_PART:
			p.partition = true;
			break;
		case O_PART_AT:
			p.partition_at_s = num(optarg, "partition time");
			break;
		case O_HEAL_AT:
			p.heal_at_s = num(optarg, "heal time");
			break;
		case O_SPREAD:
			p.join_spread_s = num(optarg, "join spread");
			break;
		case O_SLOW:
			pair(optarg, "--slow", &p.slow, &value);
			p.slow_ms = (uint32_t)whole(value, 60000, "slowness");
			break;
		case O_MODEL:
			if (!strcmp(optarg, "items")) {
				p.model = SIM_MODEL_ITEMS;
			} else if (strcmp(optarg, "full")) {
				fprintf(stderr, "gcsim: --model takes full or items\n");
				return 2;
			}
			break;
		case O_ITEMS:
			p.items = (uint32_t)whole(optarg, 1000000, "item count");
			break;
		case O_ORIGINS:
			p.item_origins = (uint32_t)whole(optarg, 1U << 24, "origin count");
			if (!p.item_origins) {
				fprintf(stderr, "gcsim: --item-origins must be at least 1\n");
				return 2;
			}
			break;
		case O_ITEMS_AT:
			p.items_at_s = num(optarg, "item time");
			break;
		case O_ITEM_SIZE:
			p.item_size = (uint32_t)whole(optarg, GC_ITEM_MAX_LEN, "item size");
			if (!p.item_size) {
				fprintf(stderr, "gcsim: --item-size must be 1 to %u\n",
					GC_ITEM_MAX_LEN);
				return 2;
			}
			break;
		case O_ITEM_INTERVAL:
			p.item_interval_s = num(optarg, "item interval");
			break;
		case O_AGG:
			p.agg = true;
			break;
		case O_START:
			start_set = true;
			if (!strcmp(optarg, "converged")) {
				p.start_converged = true;
			} else if (strcmp(optarg, "join")) {
				fprintf(stderr, "gcsim: --start takes converged or join\n");
				return 2;
			}
			break;
		case O_SET:
			if (set_param(&p.cfg, optarg) < 0) {
				fprintf(stderr, "gcsim: bad parameter '%s'\n", optarg);
				return 2;
			}
			if (!strncmp(optarg, "item_max_bytes=", 15))
				max_bytes_set = true;
			break;
		case O_JSON:
			json = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind != argc || p.nodes < 2 || p.duration_s <= 0) {
		fputs(usage, stderr);
		return 2;
	}
	if (p.loss > 1) {
		fprintf(stderr, "gcsim: --loss is a probability, 0 to 1\n");
		return 2;
	}
	if (p.crash + p.pause + p.slow >= p.nodes) {
		fprintf(stderr,
			"gcsim: --crash, --pause and --slow need fewer nodes than --nodes\n");
		return 2;
	}
	if (p.model == SIM_MODEL_ITEMS &&
	    (p.pause || p.slow || p.partition || (start_set && !p.start_converged))) {
		fprintf(stderr, "gcsim: --model items has no membership: no --pause, --slow, "
				"--partition or --start join\n");
		return 2;
	}
	if (p.item_origins && !p.items) {
		fprintf(stderr, "gcsim: --item-origins needs --items\n");
		return 2;
	}
	if (p.item_origins > p.items)
		p.item_origins = p.items;
	if (p.items && p.item_origins + p.crash + p.pause + p.slow > p.nodes) {
		fprintf(stderr, "gcsim: --item-origins, --crash, --pause and --slow need "
				"distinct nodes\n");
		return 2;
	}
	if (p.items_at_s >= p.duration_s ||
	    (p.items && (p.items_at_s < 0 ? p.duration_s / 3 : p.items_at_s) +
					(p.items - 1) * p.item_interval_s >=
				p.duration_s)) {
		fprintf(stderr, "gcsim: --items-at and --item-interval put items after the end of "
				"the run\n");
		return 2;
	}
	if (p.items && p.item_size > p.cfg.item_max_bytes) {
		if (max_bytes_set) {
			fprintf(stderr, "gcsim: --item-size is over item_max_bytes\n");
			return 2;
		}
		p.cfg.item_max_bytes = p.item_size;
	}
	if (p.agg && !p.cfg.agg_interval_ms) {
		fprintf(stderr, "gcsim: --agg needs agg_interval_ms > 0\n");
		return 2;
	}
	if (gc_config_check(&p.cfg)) {
		fprintf(stderr, "gcsim: %s\n", gc_config_check(&p.cfg));
		return 2;
	}
	if (p.crash_at_s < 0)
		p.crash_at_s = p.duration_s / 3;
	if (p.partition_at_s < 0)
		p.partition_at_s = p.duration_s / 3;
	if (p.heal_at_s < 0)
		p.heal_at_s = p.duration_s * 2 / 3;
	if (p.items_at_s < 0) {
		p.items_at_s = p.duration_s / 3;
		p.items_wait = true;
	}
	if ((p.model == SIM_MODEL_ITEMS ? sim_items_run(&p, &r) : sim_run(&p, &r)) < 0) {
		fprintf(stderr, "gcsim: cannot run (out of memory?)\n");
		return 1;
	}
	if (json)
		print_json(&p, &r);
	else
		print_text(&p, &r);
	sim_report_free(&r);
	return 0;
}
