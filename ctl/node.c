// SPDX-License-Identifier: GPL-2.0
/* gcctl node show | node set name N address A port P */
#include <arpa/inet.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "decode.h"
#include "gcctl.h"
#include "parse.h"

static int node_cb(const struct nlmsghdr *nlh, void *data)
{
	return gc_decode_node(nlh, data);
}

static void print_node(const struct gcctl *c, const struct gc_node *n)
{
	char ip[INET6_ADDRSTRLEN] = "";
	char ep[INET6_ADDRSTRLEN + 8];

	if (c->json) {
		json_object *o = json_object_new_object();

		inet_ntop(n->family, &n->addr, ip, sizeof(ip));
		json_object_object_add(o, "name", json_object_new_string(n->name));
		json_object_object_add(o, "address", json_object_new_string(ip));
		json_object_object_add(o, "port", json_object_new_int(n->port));
		json_object_object_add(o, "config_gen", json_object_new_int64(n->config_gen));
		json_object_object_add(o, "key_count", json_object_new_int(n->key_count));
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							       JSON_C_TO_STRING_SPACED |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
		return;
	}
	gc_format_endpoint(n->family, &n->addr, n->port, ep, sizeof(ep));
	printf("name: %s\n", n->name[0] ? n->name : "(none)");
	printf("listen: %s\n", ep);
	printf("keys: %u%s\n", n->key_count,
	       n->key_count ? " (packets sealed)" : " (packets in the clear)");
	printf("config generation: %u\n", n->config_gen);
}

static int node_show(struct gcctl *c, int argc, char **argv)
{
	char buf[GC_NL_BUFSZ];
	struct gc_nl_error e;
	struct gc_node node;
	struct nlmsghdr *req;

	(void)argv;
	c->what = "node show";
	if (argc > 0)
		return gc_usage_error("node show takes no arguments");
	req = gc_request(c, buf, GC_CMD_GET_NODE, 0);
	if (!req)
		return GC_EXIT_FAIL;
	memset(&node, 0, sizeof(node));
	if (gc_nl_talk(&c->nl, req, node_cb, &node, &e) < 0)
		return gc_fail_nl(c, &e);
	if (!node.family)
		return gc_fail(c, "the kernel sent no node configuration");
	print_node(c, &node);
	return GC_EXIT_OK;
}

int gc_parse_node_args(const char *what, int argc, char **argv, struct gc_node_args *a)
{
	int i;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < argc; i += 2) {
		const char **slot;

		if (!strcmp(argv[i], "name"))
			slot = &a->name;
		else if (!strcmp(argv[i], "address"))
			slot = &a->addr_arg;
		else if (!strcmp(argv[i], "port"))
			slot = &a->port_arg;
		else
			return gc_usage_error("%s: unknown setting '%s' (name, address, port)",
					      what, argv[i]);
		if (i + 1 >= argc)
			return gc_usage_error("%s: '%s' needs a value", what, argv[i]);
		if (*slot)
			return gc_usage_error("%s: '%s' given twice", what, argv[i]);
		*slot = argv[i + 1];
	}
	if (a->name && (!a->name[0] || strlen(a->name) >= GC_NODE_NAME_MAX))
		return gc_usage_error("%s: a name is 1 to %d characters", what,
				      GC_NODE_NAME_MAX - 1);
	if (a->addr_arg && gc_parse_addr(a->addr_arg, &a->addr) < 0)
		return gc_usage_error("%s: '%s' is not an IPv4 or IPv6 address", what, a->addr_arg);
	if (a->port_arg && gc_parse_port(a->port_arg, &a->port) < 0)
		return gc_usage_error("%s: '%s' is not a port (1-65535)", what, a->port_arg);
	return 0;
}

void gc_put_node_args(struct nlmsghdr *req, const struct gc_node_args *a, bool with_name)
{
	/* The name is checked by the kernel, the one place that decides. */
	if (with_name && a->name)
		mnl_attr_put_strz(req, GC_A_NODE_NAME, a->name);
	if (a->addr_arg)
		mnl_attr_put(req, GC_A_LISTEN_ADDR,
			     a->addr.family == AF_INET ? sizeof(a->addr.u.v4)
						       : sizeof(a->addr.u.v6),
			     &a->addr.u);
	if (a->port_arg)
		mnl_attr_put_u16(req, GC_A_LISTEN_PORT, a->port);
}

static int node_set(struct gcctl *c, int argc, char **argv)
{
	char buf[GC_NL_BUFSZ];
	struct gc_node_args a;
	struct gc_nl_error e;
	struct nlmsghdr *req;
	int ret;

	c->what = "node set";
	if (argc == 0)
		return gc_usage_error(
			"node set needs at least one of: name NAME, address ADDR, port PORT");
	ret = gc_parse_node_args("node set", argc, argv, &a);
	if (ret)
		return ret;
	req = gc_request(c, buf, GC_CMD_SET_NODE, 0);
	if (!req)
		return GC_EXIT_FAIL;
	gc_put_node_args(req, &a, true);
	if (gc_nl_talk(&c->nl, req, NULL, NULL, &e) < 0)
		return gc_fail_nl(c, &e);
	return GC_EXIT_OK;
}

int gc_cmd_node(struct gcctl *c, int argc, char **argv)
{
	if (argc == 0 || !strcmp(argv[0], "show"))
		return node_show(c, argc ? argc - 1 : 0, argv + 1);
	if (!strcmp(argv[0], "set"))
		return node_set(c, argc - 1, argv + 1);
	return gc_usage_error("unknown command 'node %s' (show, set)", argv[0]);
}
