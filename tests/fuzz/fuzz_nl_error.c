// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for gc_nl_parse_error(): the input is one NLMSG_ERROR
 * message as it could come from the socket, answering a fixed SET_NODE
 * request. Checks the promises of nl.h besides memory safety.
 */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "gossipchain.h"
#include "nl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A request with three attributes, at offsets 20, 32 and 40. */
static const struct nlmsghdr *request(void)
{
	static uint32_t buf[256];
	static struct nlmsghdr *req;
	static const uint8_t addr[4] = {10, 0, 0, 1};
	struct gc_nl nl = {.family_id = 0x1c, .seq = 1000};

	if (req)
		return req;
	req = gc_nl_new_request(&nl, buf, GC_CMD_SET_NODE, 0);
	mnl_attr_put_strz(req, GC_A_NODE_NAME, "node1");
	mnl_attr_put_u16(req, GC_A_LISTEN_PORT, 7947);
	mnl_attr_put(req, GC_A_LISTEN_ADDR, sizeof(addr), addr);
	return req;
}

static void check(int r, const struct gc_nl_error *e, const struct nlmsghdr *req)
{
	char out[48];

	/* msg is always a string within its array. */
	if (!memchr(e->msg, '\0', sizeof(e->msg)))
		abort();
	switch (r) {
	case 0:
		if (e->err != 0)
			abort();
		break;
	case 1:
		if (e->err <= 0 || e->err > 4095)
			abort();
		break;
	case -1:
		return;
	default:
		abort();
	}
	/* Only an attribute the request has can be blamed. */
	if (e->bad_attr != -1 &&
	    (!req || (e->bad_attr != GC_A_NODE_NAME && e->bad_attr != GC_A_LISTEN_PORT &&
		      e->bad_attr != GC_A_LISTEN_ADDR)))
		abort();
	/* Smaller than most results: exercises the truncation. */
	gc_nl_format_error(e, gc_attr_name, out, sizeof(out));
	if (!memchr(out, '\0', sizeof(out)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct nlmsghdr *req = request();
	struct gc_nl_error e;
	void *buf;
	int r;

	/* malloc() is aligned for struct nlmsghdr, and exactly size bytes long
	 * so that ASan reports any read past len.
	 */
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	if (size)
		memcpy(buf, data, size);

	r = gc_nl_parse_error(buf, size, req, &e);
	check(r, &e, req);
	r = gc_nl_parse_error(buf, size, NULL, &e);
	check(r, &e, NULL);

	free(buf);
	return 0;
}
