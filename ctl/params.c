// SPDX-License-Identifier: GPL-2.0
/* gcctl params | set PARAM VALUE...: the protocol parameters. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "decode.h"
#include "gcctl.h"
#include "parse.h"

static int params_cb(const struct nlmsghdr *nlh, void *data)
{
	return gc_decode_params(nlh, data);
}

int gc_cmd_params(struct gcctl *c, int argc, char **argv)
{
	struct gc_params_info p;
	char buf[GC_NL_BUFSZ];
	struct gc_nl_error e;
	struct nlmsghdr *req;
	unsigned int id;

	(void)argv;
	c->what = "params";
	if (argc)
		return gc_usage_error("params takes no arguments");
	memset(&p, 0, sizeof(p));
	req = gc_request(c, buf, GC_CMD_GET_PARAMS, 0);
	if (!req)
		return GC_EXIT_FAIL;
	if (gc_nl_talk(&c->nl, req, params_cb, &p, &e) < 0)
		return gc_fail_nl(c, &e);
	if (c->json) {
		json_object *o = json_object_new_object();

		for (id = 1; id <= GC_P_MAX; id++)
			if (p.has[id])
				json_object_object_add(o, gc_params[id].name,
						       json_object_new_int64(p.v[id]));
		gc_print_json(o, false);
		return GC_EXIT_OK;
	}
	for (id = 1; id <= GC_P_MAX; id++)
		if (p.has[id])
			printf("%-22s %u\n", gc_params[id].name, p.v[id]);
	return GC_EXIT_OK;
}

int gc_cmd_set(struct gcctl *c, int argc, char **argv)
{
	char buf[GC_NL_BUFSZ];
	struct gc_nl_error e;
	struct nlmsghdr *req;
	struct nlattr *nest;
	int i;

	c->what = "set";
	if (argc < 2 || argc % 2)
		return gc_usage_error(
			"usage: gcctl set PARAM VALUE [PARAM VALUE]... (see gcctl params)");
	if (argc / 2 > GC_P_MAX)
		return gc_usage_error("set: more settings than there are parameters");
	for (i = 0; i < argc; i += 2) {
		int j;

		for (j = 0; j < i; j += 2)
			if (!strcmp(argv[i], argv[j]))
				return gc_usage_error("set: '%s' given twice", argv[i]);
	}
	req = gc_request(c, buf, GC_CMD_SET_PARAMS, 0);
	if (!req)
		return GC_EXIT_FAIL;
	nest = mnl_attr_nest_start(req, GC_A_PARAMS);
	for (i = 0; i < argc; i += 2) {
		unsigned int id = gc_param_lookup(argv[i], strlen(argv[i]));
		unsigned long v;

		if (!id)
			return gc_usage_error("set: unknown parameter '%s' (see gcctl params)",
					      argv[i]);
		if (gc_parse_uint(argv[i + 1], 0xffffffffUL, &v) < 0)
			return gc_usage_error("set: %s: '%s' is not a number", argv[i],
					      argv[i + 1]);
		mnl_attr_put_u32(req, (uint16_t)id, (uint32_t)v);
	}
	mnl_attr_nest_end(req, nest);
	if (gc_nl_talk(&c->nl, req, NULL, NULL, &e) < 0)
		return gc_fail_nl(c, &e);
	return GC_EXIT_OK;
}
