// SPDX-License-Identifier: GPL-2.0
/* gcctl up | down | join | leave: the node's life in the cluster. */
#include <errno.h>
#include <netdb.h>
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

	/* Only called after join's request: connected. */
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
		req = gc_request(c, buf, GC_CMD_GET_NODE, 0);
		if (!req)
			return GC_EXIT_FAIL;
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
	req = gc_request(c, buf, GC_CMD_SET_NODE, 0);
	if (!req)
		return GC_EXIT_FAIL;
	mnl_attr_put_strz(req, GC_A_NODE_NAME, name);
	if (gc_nl_talk(&c->nl, req, NULL, NULL, &e) < 0)
		return gc_fail_nl(c, &e);
	return GC_EXIT_OK;
}

int gc_cmd_up(struct gcctl *c, int argc, char **argv)
{
	char buf[GC_NL_BUFSZ];
	struct gc_node_args a;
	struct gc_nl_error e;
	struct nlmsghdr *req;
	int ret;

	c->what = "up";
	ret = gc_parse_node_args("up", argc, argv, &a);
	if (!ret)
		ret = set_name(c, a.name);
	if (ret)
		return ret;
	req = gc_request(c, buf, GC_CMD_UP, 0);
	if (!req)
		return GC_EXIT_FAIL;
	gc_put_node_args(req, &a, false);
	if (gc_nl_talk(&c->nl, req, NULL, NULL, &e) < 0)
		return gc_fail_nl(c, &e);
	return GC_EXIT_OK;
}

int gc_cmd_down(struct gcctl *c, int argc, char **argv)
{
	(void)argv;
	return gc_simple_request(c, argc, "down", GC_CMD_DOWN);
}

int gc_cmd_leave(struct gcctl *c, int argc, char **argv)
{
	(void)argv;
	return gc_simple_request(c, argc, "leave", GC_CMD_LEAVE);
}

/* ADDR[:PORT] or HOST[:PORT]: a host name is resolved, IPv4 first, as
 * serf and wg take names too.
 */
static int parse_seed(const char *arg, struct gc_addr *a, uint16_t *port)
{
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *res, *ai;
	char host[256];
	const char *colon;
	size_t len;

	if (gc_parse_endpoint(arg, a, port, GC_DEFAULT_PORT) == 0)
		return 0;
	*port = GC_DEFAULT_PORT;
	colon = strrchr(arg, ':');
	len = colon ? (size_t)(colon - arg) : strlen(arg);
	if (!len || len >= sizeof(host) || (colon && gc_parse_port(colon + 1, port) < 0))
		return -1;
	memcpy(host, arg, len);
	host[len] = '\0';
	if (strchr(host, ':') || getaddrinfo(host, NULL, &hints, &res))
		return -1;
	for (ai = res; ai; ai = ai->ai_next)
		if (ai->ai_family == AF_INET)
			break;
	if (!ai)
		ai = res;
	memset(a, 0, sizeof(*a));
	a->family = ai->ai_family;
	if (ai->ai_family == AF_INET)
		a->u.v4 = ((struct sockaddr_in *)ai->ai_addr)->sin_addr;
	else
		a->u.v6 = ((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
	freeaddrinfo(res);
	return 0;
}

/* How long join waits for a seed to answer before it says none did. */
#define JOIN_WAIT_MS 5000

int gc_cmd_join(struct gcctl *c, int argc, char **argv)
{
	struct timespec tick = {0, 100 * 1000 * 1000};
	struct gc_addr seeds[GC_MAX_SEEDS];
	uint16_t ports[GC_MAX_SEEDS];
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
	for (i = 0; i < argc; i++)
		if (parse_seed(argv[i], &seeds[i], &ports[i]) < 0)
			return gc_usage_error(
				"join: '%s' is not ADDR[:PORT] ([ADDR]:PORT for IPv6) or a host name",
				argv[i]);
	req = gc_request(c, buf, GC_CMD_JOIN, 0);
	if (!req)
		return GC_EXIT_FAIL;
	for (i = 0; i < argc; i++) {
		nest = mnl_attr_nest_start(req, GC_A_SEED);
		mnl_attr_put(req, GC_EP_ADDR, seeds[i].family == AF_INET ? 4 : 16, &seeds[i].u);
		mnl_attr_put_u16(req, GC_EP_PORT, ports[i]);
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
