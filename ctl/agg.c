// SPDX-License-Identifier: GPL-2.0
/*
 * gcctl agg [show] | agg set NAME VALUE | agg del NAME: cluster-wide
 * aggregates. Values travel in millionths; they are read and printed as
 * exact decimals, never through floating point.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "decode.h"
#include "gcctl.h"
#include "parse.h"

struct agg_reply {
	struct gc_agg_info a;
	bool got;
};

static int agg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct agg_reply *r = data;

	if (gc_decode_agg(nlh, &r->a) != MNL_CB_OK)
		return MNL_CB_ERROR;
	r->got = true;
	return MNL_CB_OK;
}

/* A JSON number whose text is the exact decimal. */
static json_object *json_millionths(int64_t v)
{
	char s[GC_MILLIONTHS_STRLEN];

	gc_format_millionths(v, s);
	return json_object_new_double_s((double)v / 1e6, s);
}

static void add_value(json_object *o, const char *key, bool has, int64_t v)
{
	if (has)
		json_object_object_add(o, key, json_millionths(v));
}

static void print_json(const struct gc_agg_info *a)
{
	json_object *o = json_object_new_object(), *arr = json_object_new_array();
	unsigned int i;

	json_object_object_add(o, "epoch", json_object_new_int64(a->epoch));
	json_object_object_add(o, "rounds", json_object_new_int64(a->rounds));
	json_object_object_add(o, "valid", json_object_new_boolean(a->valid));
	add_value(o, "nodes", a->has_nodes, a->nodes);
	for (i = 0; i < a->n; i++) {
		const struct gc_agg_metric *m = &a->m[i];
		json_object *j = json_object_new_object();

		json_object_object_add(j, "name", json_object_new_string(m->name));
		add_value(j, "own", m->has_own, m->own);
		add_value(j, "avg", m->has_avg, m->avg);
		add_value(j, "sum", m->has_sum, m->sum);
		add_value(j, "min", m->has_range, m->min);
		add_value(j, "max", m->has_range, m->max);
		add_value(j, "publishers", m->has_publishers, m->publishers);
		json_object_object_add(j, "settled", json_object_new_boolean(m->settled));
		json_object_array_add(arr, j);
	}
	json_object_object_add(o, "metrics", arr);
	gc_print_json(o, false);
}

/* A value, or "-" when the kernel gave none. */
static const char *fmt(char out[GC_MILLIONTHS_STRLEN], bool has, int64_t v)
{
	if (!has)
		return "-";
	gc_format_millionths(v, out);
	return out;
}

static void print_text(const struct gc_agg_info *a)
{
	char own[GC_MILLIONTHS_STRLEN], avg[GC_MILLIONTHS_STRLEN], sum[GC_MILLIONTHS_STRLEN];
	char min[GC_MILLIONTHS_STRLEN], max[GC_MILLIONTHS_STRLEN], pub[GC_MILLIONTHS_STRLEN];
	char nodes[GC_MILLIONTHS_STRLEN];
	unsigned int i;

	printf("epoch: %u\n", a->epoch);
	printf("rounds: %u\n", a->rounds);
	printf("valid: %s\n",
	       a->valid ? "yes" : "no (no epoch has completed: estimates of the running one)");
	printf("nodes: %s\n", fmt(nodes, a->has_nodes, a->nodes));
	if (!a->n)
		return;
	printf("%-20s %14s %14s %14s %14s %14s %10s %7s\n", "NAME", "OWN", "AVG", "SUM", "MIN",
	       "MAX", "PUBLISHERS", "SETTLED");
	for (i = 0; i < a->n; i++) {
		const struct gc_agg_metric *m = &a->m[i];

		printf("%-20s %14s %14s %14s %14s %14s %10s %7s\n", m->name,
		       fmt(own, m->has_own, m->own), fmt(avg, m->has_avg, m->avg),
		       fmt(sum, m->has_sum, m->sum), fmt(min, m->has_range, m->min),
		       fmt(max, m->has_range, m->max), fmt(pub, m->has_publishers, m->publishers),
		       m->settled ? "yes" : "no");
	}
}

static int agg_show(struct gcctl *c, int argc)
{
	struct agg_reply r;
	char buf[GC_NL_BUFSZ];
	struct gc_nl_error e;
	struct nlmsghdr *req;

	c->what = "agg";
	if (argc)
		return gc_usage_error("agg show takes no arguments");
	memset(&r, 0, sizeof(r));
	req = gc_request(c, buf, GC_CMD_GET_AGG, 0);
	if (!req)
		return GC_EXIT_FAIL;
	if (gc_nl_talk(&c->nl, req, agg_cb, &r, &e) < 0)
		return gc_fail_nl(c, &e);
	if (!r.got)
		return gc_fail(c, "the kernel sent no aggregates");
	if (c->json)
		print_json(&r.a);
	else
		print_text(&r.a);
	return GC_EXIT_OK;
}

/* NAME as the kernel takes it: 1 to GC_AGG_NAME_SIZE - 1 characters (which
 * ones is the kernel's to say).
 */
static int check_name(const char *what, const char *name)
{
	if (!name[0] || strlen(name) >= GC_AGG_NAME_SIZE)
		return gc_usage_error("%s: a metric name is 1 to %d characters", what,
				      GC_AGG_NAME_SIZE - 1);
	return 0;
}

static int agg_set(struct gcctl *c, int argc, char **argv, bool del)
{
	char buf[GC_NL_BUFSZ];
	struct gc_nl_error e;
	struct nlmsghdr *req;
	int64_t value = 0;
	int ret;

	c->what = del ? "agg del" : "agg set";
	if (del && argc != 1)
		return gc_usage_error("usage: gcctl agg del NAME");
	if (!del && argc != 2)
		return gc_usage_error("usage: gcctl agg set NAME VALUE");
	ret = check_name(c->what, argv[0]);
	if (ret)
		return ret;
	if (!del && gc_parse_millionths(argv[1], &value) < 0)
		return gc_usage_error("agg set: '%s' is not a decimal number with at most 6 "
				      "fraction digits between -9223372036854.775808 and "
				      "9223372036854.775807",
				      argv[1]);
	req = gc_request(c, buf, GC_CMD_AGG_SET, 0);
	if (!req)
		return GC_EXIT_FAIL;
	mnl_attr_put_strz(req, GC_A_AGG_NAME, argv[0]);
	if (!del)
		mnl_attr_put_u64(req, GC_A_AGG_VALUE, (uint64_t)value);
	if (gc_nl_talk(&c->nl, req, NULL, NULL, &e) < 0)
		return gc_fail_nl(c, &e);
	return GC_EXIT_OK;
}

int gc_cmd_agg(struct gcctl *c, int argc, char **argv)
{
	if (argc == 0 || !strcmp(argv[0], "show"))
		return agg_show(c, argc ? argc - 1 : 0);
	if (!strcmp(argv[0], "set"))
		return agg_set(c, argc - 1, argv + 1, false);
	if (!strcmp(argv[0], "del"))
		return agg_set(c, argc - 1, argv + 1, true);
	return gc_usage_error("unknown command 'agg %s' (show, set, del)", argv[0]);
}
