// SPDX-License-Identifier: GPL-2.0
/* gcctl status */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "decode.h"
#include "gcctl.h"

static int status_cb(const struct nlmsghdr *nlh, void *data)
{
	return gc_decode_status(nlh, data);
}

int gc_cmd_status(struct gcctl *c, int argc, char **argv)
{
	char buf[GC_NL_BUFSZ];
	struct gc_nl_error e;
	struct gc_status s;
	struct nlmsghdr *req;

	(void)argv;
	c->what = "status";
	if (argc > 0)
		return gc_usage_error("status takes no arguments");
	memset(&s, 0, sizeof(s));
	req = gc_request(c, buf, GC_CMD_GET_STATUS, 0);
	if (!req)
		return GC_EXIT_FAIL;
	if (gc_nl_talk(&c->nl, req, status_cb, &s, &e) < 0)
		return gc_fail_nl(c, &e);
	if (!s.has_version)
		return gc_fail(c, "the kernel sent no status");
	if (c->json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "version", json_object_new_string(s.version));
		json_object_object_add(o, "protocol", json_object_new_int(s.protocol));
		json_object_object_add(o, "state", json_object_new_string(gc_state_name(s.state)));
		json_object_object_add(o, "members", json_object_new_int64(s.members));
		json_object_object_add(o, "config_gen", json_object_new_int64(s.config_gen));
		json_object_object_add(o, "joining", json_object_new_boolean(s.joining));
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							       JSON_C_TO_STRING_SPACED |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
		return GC_EXIT_OK;
	}
	printf("module: gossipchain %s, protocol %u\n", s.version, s.protocol);
	printf("state: %s%s\n", gc_state_name(s.state),
	       s.joining ? " (joining: no seed has answered yet, retrying)" : "");
	printf("members: %u\n", s.members);
	printf("config generation: %u\n", s.config_gen);
	return GC_EXIT_OK;
}
