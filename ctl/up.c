// SPDX-License-Identifier: GPL-2.0
/* gcctl up | down | join | leave: the node's life in the cluster. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "decode.h"
#include "gcctl.h"
#include "gossipchain.h"
#include "parse.h"

static int node_cb(const struct nlmsghdr *nlh, void *data)
{
	return gc_decode_node(nlh, data);
}

static int status_cb(const struct nlmsghdr *nlh, void *data)
{
	return gc_decode_status(nlh, data);
}

static int get_status(struct gcctl *c, struct gc_status *s, struct gc_nl_error *e)
{
	char buf[GC_NL_BUFSZ];
	struct nlmsghdr *req = gc_nl_new_request(&c->nl, buf, GC_CMD_GET_STATUS, 0);

	memset(s, 0, sizeof(*s));
	return gc_nl_talk(&c->nl, req, status_cb, s, e);
}

/* Without a name given or set, the node is named after the host, as
 * memberlist names it.
 */
static int set_name(struct gcctl *c, const char *name)
{
	char buf[GC_NL_BUFSZ], host[GC_NODE_NAME_MAX];
	struct gc_nl_error e;
	struct gc_node node;
	struct nlmsghdr *req;

	if (!name) {
		memset(&node, 0, sizeof(node));
		req = gc_nl_new_request(&c->nl, buf, GC_CMD_GET_NODE, 0);
		if (gc_nl_talk(&c->nl, req, node_cb, &node, &e) < 0)
			return gc_fail_nl(c, &e);
		if (node.name[0])
			return GC_EXIT_OK;
		if (gethostname(host, sizeof(host)) < 0)
			return gc_fail(
				c, "no node name set, and no host name: give one with name NAME");
		host[sizeof(host) - 1] = '\0';
		name = host;
	}
	req = gc_nl_new_request(&c->nl, buf, GC_CMD_SET_NODE, 0);
	mnl_attr_put_strz(req, GC_A_NODE_NAME, name);
	if (gc_nl_talk(&c->nl, req, NULL, NULL, &e) < 0)
		return gc_fail_nl(c, &e);
	return GC_EXIT_OK;
}

int gc_cmd_up(struct gcctl *c, int argc, char **argv)
{
	const char *name = NULL, *addr_arg = NULL, *port_arg = NULL;
	char buf[GC_NL_BUFSZ];
	struct gc_nl_error e;
	struct nlmsghdr *req;
	struct gc_addr addr;
	uint16_t port = 0;
	int i, ret;

	c->what = "up";
	for (i = 0; i < argc; i += 2) {
		const char **slot;

		if (!strcmp(argv[i], "name"))
			slot = &name;
		else if (!strcmp(argv[i], "address"))
			slot = &addr_arg;
		else if (!strcmp(argv[i], "port"))
			slot = &port_arg;
		else
			return gc_usage_error("up: unknown setting '%s' (name, address, port)",
					      argv[i]);
		if (i + 1 >= argc)
			return gc_usage_error("up: '%s' needs a value", argv[i]);
		*slot = argv[i + 1];
	}
	if (addr_arg && gc_parse_addr(addr_arg, &addr) < 0)
		return gc_usage_error("up: '%s' is not an IPv4 or IPv6 address", addr_arg);
	if (port_arg && gc_parse_port(port_arg, &port) < 0)
		return gc_usage_error("up: '%s' is not a port (1-65535)", port_arg);

	ret = set_name(c, name);
	if (ret)
		return ret;
	req = gc_nl_new_request(&c->nl, buf, GC_CMD_UP, 0);
	if (addr_arg)
		mnl_attr_put(req, GC_A_LISTEN_ADDR,
			     addr.family == AF_INET ? sizeof(addr.u.v4) : sizeof(addr.u.v6),
			     &addr.u);
	if (port_arg)
		mnl_attr_put_u16(req, GC_A_LISTEN_PORT, port);
	if (gc_nl_talk(&c->nl, req, NULL, NULL, &e) < 0)
		return gc_fail_nl(c, &e);
	return GC_EXIT_OK;
}

int gc_cmd_down(struct gcctl *c, int argc, char **argv)
{
	(void)argv;
	c->what = "down";
	if (argc)
		return gc_usage_error("down takes no arguments");
	return gc_simple_request(c, GC_CMD_DOWN);
}

int gc_cmd_leave(struct gcctl *c, int argc, char **argv)
{
	(void)argv;
	c->what = "leave";
	if (argc)
		return gc_usage_error("leave takes no arguments");
	return gc_simple_request(c, GC_CMD_LEAVE);
}

/* How long join waits for a seed to answer before it says none did. */
#define JOIN_WAIT_MS 5000

int gc_cmd_join(struct gcctl *c, int argc, char **argv)
{
	struct timespec tick = {0, 100 * 1000 * 1000};
	char buf[GC_NL_BUFSZ];
	struct gc_nl_error e;
	struct gc_status s;
	struct nlmsghdr *req;
	struct nlattr *nest;
	int i, waited;

	c->what = "join";
	if (argc < 1)
		return gc_usage_error("usage: gcctl join ADDR[:PORT]...");
	if (argc > GC_MAX_SEEDS)
		return gc_usage_error("join: at most %d seeds", GC_MAX_SEEDS);
	req = gc_nl_new_request(&c->nl, buf, GC_CMD_JOIN, 0);
	for (i = 0; i < argc; i++) {
		struct gc_addr a;
		uint16_t port;

		if (gc_parse_endpoint(argv[i], &a, &port, GC_DEFAULT_PORT) < 0)
			return gc_usage_error(
				"join: '%s' is not ADDR[:PORT] ([ADDR]:PORT for IPv6)", argv[i]);
		nest = mnl_attr_nest_start(req, GC_A_SEED);
		mnl_attr_put(req, GC_EP_ADDR, a.family == AF_INET ? 4 : 16, &a.u);
		mnl_attr_put_u16(req, GC_EP_PORT, port);
		mnl_attr_nest_end(req, nest);
	}
	if (gc_nl_talk(&c->nl, req, NULL, NULL, &e) < 0)
		return gc_fail_nl(c, &e);

	/* The kernel joins in the background, until a state exchange answers;
	 * tell the user whether one did.
	 */
	for (waited = 0; waited < JOIN_WAIT_MS; waited += 100) {
		if (get_status(c, &s, &e) < 0)
			return gc_fail_nl(c, &e);
		if (!s.joining) {
			if (!c->json)
				printf("joined: %u members known\n", s.members);
			return GC_EXIT_OK;
		}
		nanosleep(&tick, NULL);
	}
	return gc_fail(c,
		       "no seed answered within %d s; the node keeps trying every probe interval",
		       JOIN_WAIT_MS / 1000);
}
