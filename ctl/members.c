// SPDX-License-Identifier: GPL-2.0
/* gcctl members: the member table, sorted by name. */
#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "gcctl.h"
#include "parse.h"

struct table {
	struct gc_member_info *m;
	size_t n, cap;
	bool malformed;
};

static int member_cb(const struct nlmsghdr *nlh, void *data)
{
	struct table *t = data;
	struct gc_member_info m;

	if (gc_decode_member(nlh, &m) != MNL_CB_OK) {
		t->malformed = true;
		return MNL_CB_OK;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct gc_member_info *p = realloc(t->m, cap * sizeof(*p));

		if (!p)
			return MNL_CB_ERROR;
		t->m = p;
		t->cap = cap;
	}
	t->m[t->n++] = m;
	return MNL_CB_OK;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct gc_member_info *)a)->name,
		      ((const struct gc_member_info *)b)->name);
}

/* A dump the table changed under (NLM_F_DUMP_INTR) is taken again. */
static int dump(struct gcctl *c, struct table *t)
{
	char buf[GC_NL_BUFSZ];
	struct gc_nl_error e;
	struct nlmsghdr *req;
	int attempt, ret = -1;

	for (attempt = 0; attempt < 5; attempt++) {
		t->n = 0;
		t->malformed = false;
		req = gc_request(c, buf, GC_CMD_GET_MEMBER, NLM_F_DUMP);
		if (!req)
			return GC_EXIT_FAIL;
		ret = gc_nl_talk(&c->nl, req, member_cb, t, &e);
		if (ret == 0 || e.err != EINTR)
			break;
	}
	if (ret < 0 && e.err == EINTR)
		return gc_fail(c, "the member table kept changing during 5 dumps; try again");
	if (ret < 0)
		return gc_fail_nl(c, &e);
	if (t->malformed)
		fprintf(stderr, "gcctl: members: skipped malformed entries\n");
	qsort(t->m, t->n, sizeof(*t->m), by_name);
	return GC_EXIT_OK;
}

static void format_age(uint64_t ms, char *out, size_t len)
{
	if (ms < 60000)
		snprintf(out, len, "%.1fs", ms / 1000.0);
	else if (ms < 3600000)
		snprintf(out, len, "%lum%02lus", (unsigned long)(ms / 60000),
			 (unsigned long)(ms / 1000 % 60));
	else
		snprintf(out, len, "%luh%02lum", (unsigned long)(ms / 3600000),
			 (unsigned long)(ms / 60000 % 60));
}

int gc_cmd_members(struct gcctl *c, int argc, char **argv)
{
	struct table t = {0};
	char ep[INET6_ADDRSTRLEN + 8], ip[INET6_ADDRSTRLEN], age[32];
	size_t i;
	int ret;

	(void)argv;
	c->what = "members";
	if (argc)
		return gc_usage_error("members takes no arguments");
	ret = dump(c, &t);
	if (ret) {
		free(t.m);
		return ret;
	}
	if (c->json) {
		json_object *a = json_object_new_array();

		for (i = 0; i < t.n; i++) {
			const struct gc_member_info *m = &t.m[i];
			json_object *o = json_object_new_object();

			inet_ntop(m->family, &m->addr, ip, sizeof(ip));
			json_object_object_add(o, "name", json_object_new_string(m->name));
			json_object_object_add(o, "address", json_object_new_string(ip));
			json_object_object_add(o, "port", json_object_new_int(m->port));
			json_object_object_add(
				o, "state", json_object_new_string(gc_member_state_name(m->state)));
			json_object_object_add(o, "incarnation",
					       json_object_new_int64(m->incarnation));
			json_object_object_add(o, "age_ms", json_object_new_uint64(m->age_ms));
			json_object_array_add(a, o);
		}
		gc_print_json(a, false);
	} else if (t.n) {
		printf("%-24s %-26s %-8s %11s %9s\n", "NAME", "ADDRESS", "STATE", "INCARNATION",
		       "SINCE");
		for (i = 0; i < t.n; i++) {
			const struct gc_member_info *m = &t.m[i];

			gc_format_endpoint(m->family, &m->addr, m->port, ep, sizeof(ep));
			format_age(m->age_ms, age, sizeof(age));
			printf("%-24s %-26s %-8s %11u %9s\n", m->name, ep,
			       gc_member_state_name(m->state), m->incarnation, age);
		}
	}
	free(t.m);
	return GC_EXIT_OK;
}
