// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the reply decoders of ctl/decode.c: the input is what
 * one recv() on the socket could return, a stream of netlink messages, and
 * every message is given to every decoder, as a reply could be anything.
 */
#include <limits.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "decode.h"
#include "gossipchain.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_node(const struct nlmsghdr *nlh)
{
	struct gc_node n;
	char out[64];

	if (gc_decode_node(nlh, &n) != MNL_CB_OK)
		return;
	if (!n.has_name || !n.has_port || !n.has_gen)
		abort();
	if (n.family != AF_INET && n.family != AF_INET6)
		abort();
	if (strnlen(n.name, sizeof(n.name)) >= sizeof(n.name))
		abort();
	gc_format_endpoint(n.family, &n.addr, n.port, out, sizeof(out));
}

static void check_status(const struct nlmsghdr *nlh)
{
	struct gc_status s;

	if (gc_decode_status(nlh, &s) != MNL_CB_OK)
		return;
	if (!s.has_version || !s.has_protocol || !s.has_state || !s.has_members || !s.has_gen)
		abort();
	if (strnlen(s.version, sizeof(s.version)) >= sizeof(s.version))
		abort();
	if (!gc_state_name(s.state))
		abort();
}

static void check_member(const struct nlmsghdr *nlh)
{
	struct gc_member_info m;
	char out[64];

	if (gc_decode_member(nlh, &m) != MNL_CB_OK)
		return;
	if (!m.name[0] || strnlen(m.name, sizeof(m.name)) >= sizeof(m.name))
		abort();
	if (strnlen(m.accuser, sizeof(m.accuser)) >= sizeof(m.accuser))
		abort();
	if (m.family != AF_INET && m.family != AF_INET6)
		abort();
	gc_format_endpoint(m.family, &m.addr, m.port, out, sizeof(out));
	if (!gc_member_state_name(m.state) || !gc_event_name(m.event))
		abort();
}

static void check_stats(const struct nlmsghdr *nlh)
{
	struct gc_stats_info s;
	unsigned int i;

	if (gc_decode_stats(nlh, &s) != MNL_CB_OK)
		return;
	for (i = 0; i <= GC_STAT_MAX + 10; i++)
		(void)gc_stat_name(i);
}

static void check_params(const struct nlmsghdr *nlh)
{
	struct gc_params_info p;

	if (gc_decode_params(nlh, &p) != MNL_CB_OK)
		return;
	if (p.has[0])
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct nlmsghdr *nlh;
	size_t alloc;
	void *buf;
	int len;

	if (size > INT_MAX / 2)
		return 0;
	/*
	 * libmnl walks the attributes of a message up to MNL_ALIGN(nlmsg_len),
	 * so a message that ends the input unaligned is read up to 3 bytes
	 * further, as it is in the receive buffer gc_nl_talk() hands over.
	 * Give it those bytes, zeroed, and nothing more. (ASan checks the reads
	 * of ctl/ and of the libc functions it calls; libmnl.so is not
	 * instrumented.)
	 */
	alloc = MNL_ALIGN(size);
	buf = calloc(1, alloc ? alloc : 1);
	if (!buf)
		return 0;
	if (size)
		memcpy(buf, data, size);

	/*
	 * libmnl 1.0.4's mnl_nlmsg_ok() compares (int)nlmsg_len with len, so it
	 * takes an nlmsg_len above INT_MAX for a fit; mnl_nlmsg_next() then
	 * jumps gigabytes, or not at all (MNL_ALIGN() wraps to 0) and the walk
	 * never ends. Later libmnl compares unsigned; until then check here.
	 */
	len = (int)size;
	for (nlh = buf; mnl_nlmsg_ok(nlh, len) && nlh->nlmsg_len <= (unsigned int)len;
	     nlh = mnl_nlmsg_next(nlh, &len)) {
		int cmd = gc_decode_cmd(nlh);

		if (cmd < -1 || cmd > UINT8_MAX)
			abort();
		check_node(nlh);
		check_status(nlh);
		check_member(nlh);
		check_stats(nlh);
		check_params(nlh);
	}

	free(buf);
	return 0;
}
