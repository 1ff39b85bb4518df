// SPDX-License-Identifier: GPL-2.0
/* gcctl stats: the instance's counters. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "decode.h"
#include "gcctl.h"

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	return gc_decode_stats(nlh, data);
}

int gc_cmd_stats(struct gcctl *c, int argc, char **argv)
{
	struct gc_stats_info s;
	char buf[GC_NL_BUFSZ];
	struct gc_nl_error e;
	struct nlmsghdr *req;
	unsigned int i;

	(void)argv;
	c->what = "stats";
	if (argc)
		return gc_usage_error("stats takes no arguments");
	memset(&s, 0, sizeof(s));
	req = gc_request(c, buf, GC_CMD_GET_STATS, 0);
	if (!req)
		return GC_EXIT_FAIL;
	if (gc_nl_talk(&c->nl, req, stats_cb, &s, &e) < 0)
		return gc_fail_nl(c, &e);
	if (c->json) {
		json_object *o = json_object_new_object();

		for (i = 0; i <= GC_STAT_MAX; i++)
			if (s.has[i] && gc_stat_name(i))
				json_object_object_add(o, gc_stat_name(i),
						       json_object_new_uint64(s.v[i]));
		gc_print_json(o, false);
		return GC_EXIT_OK;
	}
	for (i = 0; i <= GC_STAT_MAX; i++)
		if (s.has[i] && gc_stat_name(i))
			printf("%-20s %llu\n", gc_stat_name(i), (unsigned long long)s.v[i]);
	return GC_EXIT_OK;
}
