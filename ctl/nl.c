// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "nl.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gossipchain.h"

static void set_error(struct gc_nl_error *e, int err, const char *msg)
{
	e->err = err;
	e->bad_attr = -1;
	snprintf(e->msg, sizeof(e->msg), "%s", msg ? msg : "");
}

struct family_lookup {
	uint16_t id;
	uint32_t events_group;
	uint32_t items_group;
};

static int mcast_group_cb(const struct nlattr *attr, void *data)
{
	struct family_lookup *f = data;
	struct nlattr *tb[CTRL_ATTR_MCAST_GRP_MAX + 1] = {0};
	struct nlattr *a;

	mnl_attr_for_each_nested (a, attr) {
		int type = mnl_attr_get_type(a);

		if (type <= CTRL_ATTR_MCAST_GRP_MAX)
			tb[type] = a;
	}
	if (!tb[CTRL_ATTR_MCAST_GRP_NAME] || !tb[CTRL_ATTR_MCAST_GRP_ID])
		return MNL_CB_OK;
	if (mnl_attr_validate(tb[CTRL_ATTR_MCAST_GRP_NAME], MNL_TYPE_NUL_STRING) < 0 ||
	    mnl_attr_validate(tb[CTRL_ATTR_MCAST_GRP_ID], MNL_TYPE_U32) < 0)
		return MNL_CB_ERROR;
	if (!strcmp(mnl_attr_get_str(tb[CTRL_ATTR_MCAST_GRP_NAME]), GC_MCGRP_EVENTS))
		f->events_group = mnl_attr_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
	else if (!strcmp(mnl_attr_get_str(tb[CTRL_ATTR_MCAST_GRP_NAME]), GC_MCGRP_ITEMS))
		f->items_group = mnl_attr_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
	return MNL_CB_OK;
}

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	struct family_lookup *f = data;
	struct nlattr *grp;

	switch (mnl_attr_get_type(attr)) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
			return MNL_CB_ERROR;
		f->id = mnl_attr_get_u16(attr);
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		mnl_attr_for_each_nested (grp, attr) {
			if (mcast_group_cb(grp, f) != MNL_CB_OK)
				return MNL_CB_ERROR;
		}
		break;
	}
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + GENL_HDRLEN)
		return MNL_CB_ERROR;
	return mnl_attr_parse(nlh, GENL_HDRLEN, family_attr_cb, data);
}

static struct nlmsghdr *put_header(struct gc_nl *nl, void *buf, uint16_t type, uint8_t cmd,
				   uint8_t version, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

int gc_nl_open(struct gc_nl *nl, struct gc_nl_error *e)
{
	char buf[GC_NL_BUFSZ];
	struct family_lookup f = {0};
	struct nlmsghdr *req;
	int one = 1;

	memset(nl, 0, sizeof(*nl));
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock) {
		set_error(e, errno, "cannot open a generic netlink socket");
		return -1;
	}
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		set_error(e, errno, "cannot bind the generic netlink socket");
		goto fail;
	}
	/* Ask for extack messages, and acks without a copy of our request. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (uint32_t)time(NULL);

	req = put_header(nl, buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0);
	mnl_attr_put_strz(req, CTRL_ATTR_FAMILY_NAME, GOSSIPCHAIN_GENL_NAME);
	if (gc_nl_talk(nl, req, family_cb, &f, e) < 0) {
		if (e->err == ENOENT)
			set_error(e, ENOENT, "gossipchain module not loaded");
		goto fail;
	}
	if (!f.id) {
		set_error(e, EPROTO, "generic netlink controller did not name the family id");
		goto fail;
	}
	nl->family_id = f.id;
	nl->events_group = f.events_group;
	nl->items_group = f.items_group;
	return 0;
fail:
	mnl_socket_close(nl->sock);
	nl->sock = NULL;
	return -1;
}

void gc_nl_close(struct gc_nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

struct nlmsghdr *gc_nl_new_request(struct gc_nl *nl, void *buf, uint8_t cmd, uint16_t flags)
{
	return put_header(nl, buf, nl->family_id, cmd, GOSSIPCHAIN_GENL_VERSION, flags);
}

/* The type of the attribute of req that starts off bytes into it, or -1. */
static int attr_at_offset(const struct nlmsghdr *req, uint32_t off)
{
	const struct nlattr *a;

	if (!req)
		return -1;
	mnl_attr_for_each (a, req, GENL_HDRLEN) {
		if ((size_t)((const char *)a - (const char *)req) == off)
			return mnl_attr_get_type(a);
	}
	return -1;
}

int gc_nl_parse_error(const struct nlmsghdr *nlh, size_t len, const struct nlmsghdr *req,
		      struct gc_nl_error *e)
{
	const struct nlmsgerr *err;
	size_t hdr = MNL_ALIGN(sizeof(struct nlmsghdr));
	size_t tlv_off;
	const struct nlattr *a;
	const char *end;

	set_error(e, EPROTO, "malformed netlink error message");
	if (len < hdr + sizeof(*err) || nlh->nlmsg_len > len || nlh->nlmsg_len < hdr + sizeof(*err))
		return -1;
	err = (const struct nlmsgerr *)((const char *)nlh + hdr);
	if (err->error > 0 || err->error < -4095)
		return -1;
	set_error(e, -err->error, NULL);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return err->error ? 1 : 0;
	/* The TLVs follow the echoed request, which is only its header when capped. */
	tlv_off = hdr + sizeof(*err);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		/* Checked before rounding: a length near 2^32 would wrap to 0. */
		if (err->msg.nlmsg_len < sizeof(struct nlmsghdr) ||
		    err->msg.nlmsg_len - sizeof(struct nlmsghdr) > nlh->nlmsg_len - tlv_off)
			return -1;
		tlv_off += MNL_ALIGN(err->msg.nlmsg_len) - sizeof(struct nlmsghdr);
	}
	if (tlv_off > nlh->nlmsg_len)
		return -1;
	end = (const char *)nlh + nlh->nlmsg_len;
	for (a = (const struct nlattr *)((const char *)nlh + tlv_off);
	     mnl_attr_ok(a, (int)(end - (const char *)a)); a = mnl_attr_next(a)) {
		switch (mnl_attr_get_type(a)) {
		case NLMSGERR_ATTR_MSG:
			if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
				return -1;
			snprintf(e->msg, sizeof(e->msg), "%s", mnl_attr_get_str(a));
			break;
		case NLMSGERR_ATTR_OFFS:
			if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
				return -1;
			e->bad_attr = attr_at_offset(req, mnl_attr_get_u32(a));
			break;
		}
	}
	return err->error ? 1 : 0;
}

void gc_nl_format_error(const struct gc_nl_error *e, const char *(*attr_name)(int type), char *out,
			size_t outlen)
{
	const char *name = e->bad_attr >= 0 && attr_name ? attr_name(e->bad_attr) : NULL;
	int n;

	n = snprintf(out, outlen, "%s", strerror(e->err));
	if (n >= 0 && (size_t)n < outlen && e->msg[0])
		n += snprintf(out + n, outlen - n, ": %s", e->msg);
	if (n >= 0 && (size_t)n < outlen && name)
		snprintf(out + n, outlen - n, " (attribute %s)", name);
}

bool gc_nl_stream_ok(const void *buf, size_t len)
{
	const char *p = buf;
	uint32_t n;

	/* libmnl 1.0.4's mnl_nlmsg_ok() compares lengths as int, so a length of
	 * 2^31 or more passes it; walk the datagram unsigned first.
	 */
	while (len >= sizeof(struct nlmsghdr)) {
		memcpy(&n, p, sizeof(n));
		if (n < sizeof(struct nlmsghdr) || n > len)
			return false;
		n = MNL_ALIGN(n);
		if (n >= len)
			return true;
		p += n;
		len -= n;
	}
	return len == 0;
}

struct talk {
	gc_nl_reply_cb cb;
	void *data;
	const struct nlmsghdr *req;
	struct gc_nl_error *e;
	bool acked;
};

static int data_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct talk *t = arg;

	if (t->cb && t->cb(nlh, t->data) != MNL_CB_OK) {
		set_error(t->e, EPROTO, "malformed reply from the kernel");
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static int error_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct talk *t = arg;
	int r = gc_nl_parse_error(nlh, nlh->nlmsg_len, t->req, t->e);

	if (r == 0) {
		t->acked = true;
		return MNL_CB_STOP;
	}
	return MNL_CB_ERROR;
}

/* A dump ends with NLMSG_DONE carrying its status: negative if it failed
 * part-way, with an extack as for any error.
 */
static int done_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct talk *t = arg;
	int32_t status;

	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(status)) {
		set_error(t->e, EPROTO, "malformed end of dump");
		return MNL_CB_ERROR;
	}
	memcpy(&status, mnl_nlmsg_get_payload(nlh), sizeof(status));
	if (status < 0) {
		set_error(t->e, status == INT32_MIN ? EPROTO : -status, "the dump failed");
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

/* Whether buf (n bytes, checked) holds the end of a dump. */
static bool has_dump_end(const char *buf, ssize_t n)
{
	const struct nlmsghdr *nlh;
	int len = (int)n;

	for (nlh = (const void *)buf; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
		if (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR)
			return true;
	return false;
}

/* Reads the rest of an interrupted dump, up to its end, which may already
 * be in the part just read (n bytes of buf).
 */
static void drain_dump(struct gc_nl *nl, char *buf, size_t size, ssize_t n)
{
	while (!has_dump_end(buf, n)) {
		n = mnl_socket_recvfrom(nl->sock, buf, size);
		if (n <= 0 || !gc_nl_stream_ok(buf, (size_t)n))
			return;
	}
}

int gc_nl_talk(struct gc_nl *nl, struct nlmsghdr *req, gc_nl_reply_cb cb, void *data,
	       struct gc_nl_error *e)
{
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = error_cb,
		[NLMSG_DONE] = done_cb,
	};
	struct talk t = {.cb = cb, .data = data, .req = req, .e = e};
	char buf[GC_NL_RECV_BUFSZ];
	ssize_t n;
	int r;

	req->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0) {
		set_error(e, errno, "cannot send to the kernel");
		return -1;
	}
	set_error(e, 0, NULL);
	do {
		n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (n < 0) {
			set_error(e, errno, "cannot receive from the kernel");
			return -1;
		}
		if (!gc_nl_stream_ok(buf, (size_t)n)) {
			set_error(e, EPROTO, "malformed netlink message");
			return -1;
		}
		r = mnl_cb_run2(buf, n, req->nlmsg_seq, nl->portid, data_cb, &t, ctl,
				NLMSG_MIN_TYPE);
	} while (r == MNL_CB_OK);
	/* libmnl answers a part flagged NLM_F_DUMP_INTR with EINTR before any
	 * callback sees it: the table changed under the dump.
	 */
	if (r == MNL_CB_ERROR && errno == EINTR && !e->err &&
	    (req->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP) {
		drain_dump(nl, buf, sizeof(buf), n);
		set_error(e, EINTR, "the table changed during the dump");
		return -1;
	}
	if (r == MNL_CB_ERROR) {
		if (!e->err)
			set_error(e, errno ? errno : EPROTO, "netlink exchange failed");
		return -1;
	}
	return 0;
}

static int subscribe(struct gc_nl *nl, uint32_t id, const char *name, struct gc_nl_error *e)
{
	int group = (int)id;
	char msg[64];

	if (!group) {
		snprintf(msg, sizeof(msg), "the module has no %s group", name);
		set_error(e, ENOENT, msg);
		return -1;
	}
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) < 0) {
		int err = errno;

		snprintf(msg, sizeof(msg), "cannot join the %s group", name);
		set_error(e, err, msg);
		return -1;
	}
	return 0;
}

int gc_nl_subscribe_events(struct gc_nl *nl, struct gc_nl_error *e)
{
	return subscribe(nl, nl->events_group, GC_MCGRP_EVENTS, e);
}

int gc_nl_subscribe_items(struct gc_nl *nl, struct gc_nl_error *e)
{
	return subscribe(nl, nl->items_group, GC_MCGRP_ITEMS, e);
}

int gc_enter_netns(const char *name, const char *prog)
{
	char path[4096];
	int fd;

	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: network namespace '%s': %s\n", prog, name, strerror(errno));
		return -1;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		fprintf(stderr, "%s: cannot enter network namespace '%s': %s\n", prog, name,
			strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}
