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

#include "core/node_name.h"
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

/* The content of an item points into the message, inside it. */
static void check_item_common(const struct nlmsghdr *nlh, const struct gc_item_info *it)
{
	const uint8_t *start = (const uint8_t *)nlh, *end = start + MNL_ALIGN(nlh->nlmsg_len);
	char id[2 * GC_ITEM_ID_SIZE + 1];
	volatile uint8_t sink = 0;
	uint32_t i;

	if (!gc_node_name_valid(it->origin, strlen(it->origin)))
		abort();
	if (it->data) {
		if (!(it->has & GC_ITEM_HAS_DATA) || it->data < start ||
		    it->data + it->data_len > end || it->data_len == 0 ||
		    it->data_len > GC_ITEM_MAX_SIZE)
			abort();
		/* Every byte is readable (ASan checks). */
		for (i = 0; i < it->data_len; i++)
			sink ^= it->data[i];
	} else if (it->data_len || (it->has & GC_ITEM_HAS_DATA)) {
		abort();
	}
	(void)sink;
	if ((it->has & GC_ITEM_HAS_SEQ) && it->seq == 0)
		abort();
	if ((it->has & GC_ITEM_HAS_LEN) && (it->len == 0 || it->len > GC_ITEM_MAX_SIZE))
		abort();
	if ((it->has & GC_ITEM_HAS_LEN) && it->data && it->len != it->data_len)
		abort();
	gc_format_hex(it->id, sizeof(it->id), id);
	if (strlen(id) != 2 * GC_ITEM_ID_SIZE)
		abort();
	if (!gc_item_state_name(it->state) || !gc_item_event_name(it->event))
		abort();
}

static void check_items(const struct nlmsghdr *nlh)
{
	struct gc_item_info it;

	if (gc_decode_item_put(nlh, &it) == MNL_CB_OK) {
		check_item_common(nlh, &it);
		if ((it.has & (GC_ITEM_HAS_ID | GC_ITEM_HAS_STATE)) !=
		    (GC_ITEM_HAS_ID | GC_ITEM_HAS_STATE))
			abort();
	}
	if (gc_decode_item(nlh, &it) == MNL_CB_OK) {
		check_item_common(nlh, &it);
		if ((it.state == GC_ITEM_STATE_HELD || it.state == GC_ITEM_STATE_PENDING) &&
		    !it.data)
			abort();
		if (it.state == GC_ITEM_STATE_REJECTED &&
		    it.has != (GC_ITEM_HAS_ID | GC_ITEM_HAS_STATE))
			abort();
	}
	if (gc_decode_item_verify(nlh, &it) == MNL_CB_OK) {
		check_item_common(nlh, &it);
		if (!it.data || it.len != it.data_len)
			abort();
	}
	if (gc_decode_item_event(nlh, &it) == MNL_CB_OK) {
		check_item_common(nlh, &it);
		if (it.data || !it.event)
			abort();
		if (it.event == GC_ITEM_EVENT_GAP && (it.gap_from == 0 || it.gap_from > it.gap_to))
			abort();
	}
}

static void check_origin(const struct nlmsghdr *nlh)
{
	struct gc_origin_info o;

	if (gc_decode_origin(nlh, &o) != MNL_CB_OK)
		return;
	if (!gc_node_name_valid(o.origin, strlen(o.origin)))
		abort();
}

static void check_agg(const struct nlmsghdr *nlh)
{
	char out[GC_MILLIONTHS_STRLEN];
	struct gc_agg_info a;
	unsigned int i, j;
	int64_t back;

	if (gc_decode_agg(nlh, &a) != MNL_CB_OK)
		return;
	if (a.n > GC_AGG_MAX_METRICS)
		abort();
	for (i = 0; i < a.n; i++) {
		const struct gc_agg_metric *m = &a.m[i];
		const int64_t v[] = {m->own, m->avg, m->sum, m->min, m->max, m->publishers};

		if (strnlen(m->name, sizeof(m->name)) >= sizeof(m->name) ||
		    !gc_node_name_valid(m->name, strlen(m->name)))
			abort();
		if (m->has_range && m->min > m->max)
			abort();
		for (j = 0; j < i; j++)
			if (!strcmp(a.m[j].name, m->name))
				abort();
		/* What gcctl prints reads back as the same value. */
		for (j = 0; j < sizeof(v) / sizeof(v[0]); j++) {
			gc_format_millionths(v[j], out);
			if (gc_parse_millionths(out, &back) < 0 || back != v[j])
				abort();
		}
	}
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
		check_items(nlh);
		check_origin(nlh);
		check_agg(nlh);
	}

	free(buf);
	return 0;
}
