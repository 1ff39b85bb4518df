// SPDX-License-Identifier: GPL-2.0
/*
 * gcsim: runs N gossipchain nodes (the kernel module's protocol core) in a
 * deterministic discrete-event simulation and reports convergence, failure
 * detection, false positives, bandwidth and memory.
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
	"  --set NAME=VALUE        a protocol parameter (see docs/PROTOCOL.md)\n"
	"  --json                  print the report as JSON\n";

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

static void print_text(const struct sim_params *p, const struct sim_report *r)
{
	uint32_t i;

	printf("gcsim: %u nodes, %.0f s, seed %llu, loss %.1f%%, latency %u us\n", p->nodes,
	       p->duration_s, (unsigned long long)p->seed, p->loss * 100, p->latency_us);
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
	printf("simulation:          %llu events, %llu packets delivered, %llu lost, %.1f s wall\n",
	       (unsigned long long)r->events, (unsigned long long)r->packets_delivered,
	       (unsigned long long)r->packets_lost, r->wall_s);
}

static void print_json(const struct sim_params *p, const struct sim_report *r)
{
	json_object *o = json_object_new_object(), *crashes = json_object_new_array();
	uint32_t i;

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
	json_object_object_add(o, "wall_s", json_object_new_double(r->wall_s));
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
		O_SLOW
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
	};
	struct sim_report r;
	bool json = false;
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
		case O_START:
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
	if (sim_run(&p, &r) < 0) {
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
