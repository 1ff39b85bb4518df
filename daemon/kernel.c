// SPDX-License-Identifier: GPL-2.0
#include "kernel.h"

#include <errno.h>
#include <linux/genetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "gossipchain.h"

/* Room for bursts of upcalls while the main loop is busy (8 MiB). */
#define UPCALL_RCVBUF (8 << 20)

/* A request buffer big enough for an item of GC_ITEM_MAX_SIZE bytes. */
#define PUT_BUFSZ (MNL_ALIGN(GC_ITEM_MAX_SIZE) + 1024)

static void say(char *err, size_t errlen, const char *what, const struct gc_nl_error *e)
{
	char msg[512];

	gc_nl_format_error(e, gc_attr_name, msg, sizeof(msg));
	snprintf(err, errlen, "%s: %s", what, e->err == ENOENT && e->msg[0] ? e->msg : msg);
}

int kn_open(struct kernel *k, char *err, size_t errlen)
{
	char buf[GC_NL_BUFSZ];
	struct gc_nl_error e;
	struct nlmsghdr *req;
	int size = UPCALL_RCVBUF;

	memset(k, 0, sizeof(*k));
	k->buf = malloc(GC_NL_RECV_BUFSZ);
	if (!k->buf) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (gc_nl_open(&k->up, &e) < 0 || gc_nl_open(&k->ctl, &e) < 0 ||
	    gc_nl_open(&k->ev, &e) < 0) {
		say(err, errlen, "netlink", &e);
		goto fail;
	}
	if (gc_nl_subscribe_events(&k->ev, &e) < 0) {
		say(err, errlen, "events group", &e);
		goto fail;
	}
	/* Beyond rmem_max needs CAP_NET_ADMIN, which a verifier has anyway. */
	if (setsockopt(mnl_socket_get_fd(k->up.sock), SOL_SOCKET, SO_RCVBUFFORCE, &size,
		       sizeof(size)) < 0)
		setsockopt(mnl_socket_get_fd(k->up.sock), SOL_SOCKET, SO_RCVBUF, &size,
			   sizeof(size));
	/* Proposals carry whole blocks: the node must take items that big. */
	req = gc_nl_new_request(&k->ctl, buf, GC_CMD_SET_PARAMS, 0);
	{
		struct nlattr *nest = mnl_attr_nest_start(req, GC_A_PARAMS);

		mnl_attr_put_u32(req, GC_P_ITEM_MAX_BYTES, GC_ITEM_MAX_SIZE);
		mnl_attr_nest_end(req, nest);
	}
	if (gc_nl_talk(&k->ctl, req, NULL, NULL, &e) < 0) {
		say(err, errlen, "setting item_max_bytes", &e);
		goto fail;
	}
	req = gc_nl_new_request(&k->up, buf, GC_CMD_SET_VERIFIER, 0);
	mnl_attr_put_u8(req, GC_A_VERIFIER, 1);
	/* No upcall can come before the ack: none is pending for us yet. */
	if (gc_nl_talk(&k->up, req, NULL, NULL, &e) < 0) {
		say(err, errlen, "registering as the verifier", &e);
		goto fail;
	}
	return 0;
fail:
	kn_close(k);
	return -1;
}

void kn_close(struct kernel *k)
{
	gc_nl_close(&k->up);
	gc_nl_close(&k->ctl);
	gc_nl_close(&k->ev);
	free(k->buf);
	k->buf = NULL;
}

struct dispatch {
	const struct kernel *k;
	kn_upcall_fn upcall;
	kn_member_fn member;
	void *ctx;
};

static int upcall_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dispatch *d = data;
	struct gc_item_info it;

	if (nlh->nlmsg_type != d->k->up.family_id || gc_decode_cmd(nlh) != GC_CMD_ITEM_VERIFY)
		return MNL_CB_OK;
	/* A malformed upcall is skipped: its item expires unjudged. */
	if (gc_decode_item_verify(nlh, &it) == MNL_CB_OK)
		d->upcall(d->ctx, &it);
	return MNL_CB_OK;
}

static int member_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dispatch *d = data;
	struct gc_member_info m;

	if (nlh->nlmsg_type != d->k->ev.family_id || gc_decode_cmd(nlh) != GC_CMD_MEMBER_EVENT)
		return MNL_CB_OK;
	if (gc_decode_member(nlh, &m) == MNL_CB_OK && m.event)
		d->member(d->ctx, &m);
	return MNL_CB_OK;
}

/* Reads datagrams from nl until it would block, running cb on each message. */
static int drain(struct kernel *k, struct gc_nl *nl, mnl_cb_t cb, struct dispatch *d)
{
	ssize_t n;

	for (;;) {
		n = recv(mnl_socket_get_fd(nl->sock), k->buf, GC_NL_RECV_BUFSZ,
			 MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			if (errno == ENOBUFS) {
				/* Lost upcalls: those items expire and come again. */
				k->upcalls_lost++;
				continue;
			}
			return -1;
		}
		if (n > GC_NL_RECV_BUFSZ || !gc_nl_stream_ok(k->buf, (size_t)n))
			continue;
		/* Multicasts and upcalls carry sequence 0 and port id 0. */
		mnl_cb_run(k->buf, n, 0, 0, cb, d);
	}
}

int kn_read_upcalls(struct kernel *k, kn_upcall_fn fn, void *ctx)
{
	struct dispatch d = {.k = k, .upcall = fn, .ctx = ctx};

	return drain(k, &k->up, upcall_cb, &d);
}

int kn_read_events(struct kernel *k, kn_member_fn fn, void *ctx)
{
	struct dispatch d = {.k = k, .member = fn, .ctx = ctx};

	return drain(k, &k->ev, member_cb, &d);
}

int kn_verdict(struct kernel *k, const uint8_t id[GC_ITEM_ID_SIZE], bool accept,
	       struct gc_nl_error *e)
{
	char buf[GC_NL_BUFSZ];
	struct nlmsghdr *req = gc_nl_new_request(&k->ctl, buf, GC_CMD_ITEM_VERDICT, 0);

	mnl_attr_put(req, GC_A_ITEM_ID, GC_ITEM_ID_SIZE, id);
	mnl_attr_put_u8(req, GC_A_VERDICT, accept ? GC_VERDICT_ACCEPT : GC_VERDICT_REJECT);
	return gc_nl_talk(&k->ctl, req, NULL, NULL, e);
}

int kn_hold_unverified(struct kernel *k, struct gc_nl_error *e)
{
	char buf[GC_NL_BUFSZ];
	struct nlmsghdr *req = gc_nl_new_request(&k->ctl, buf, GC_CMD_SET_PARAMS, 0);
	struct nlattr *nest = mnl_attr_nest_start(req, GC_A_PARAMS);

	mnl_attr_put_u32(req, GC_P_ITEM_HOLD_UNVERIFIED, 1);
	mnl_attr_nest_end(req, nest);
	return gc_nl_talk(&k->ctl, req, NULL, NULL, e);
}

static int put_cb(const struct nlmsghdr *nlh, void *data)
{
	return gc_decode_item_put(nlh, data);
}

int kn_put(struct kernel *k, uint8_t type, const uint8_t *data, uint32_t len,
	   struct gc_item_info *out, struct gc_nl_error *e)
{
	char *buf = malloc(PUT_BUFSZ);
	struct nlmsghdr *req;
	int ret;

	if (!buf) {
		e->err = ENOMEM;
		e->bad_attr = -1;
		snprintf(e->msg, sizeof(e->msg), "out of memory");
		return -1;
	}
	memset(out, 0, sizeof(*out));
	req = gc_nl_new_request(&k->ctl, buf, GC_CMD_ITEM_PUT, 0);
	mnl_attr_put(req, GC_A_ITEM_DATA, len, data);
	mnl_attr_put_u8(req, GC_A_ITEM_TYPE, type);
	ret = gc_nl_talk(&k->ctl, req, put_cb, out, e);
	free(buf);
	return ret;
}

struct members_dump {
	kn_member_fn fn;
	void *ctx;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct members_dump *d = data;
	struct gc_member_info m;

	if (gc_decode_member(nlh, &m) == MNL_CB_OK)
		d->fn(d->ctx, &m);
	return MNL_CB_OK;
}

int kn_members(struct kernel *k, kn_member_fn fn, void *ctx, struct gc_nl_error *e)
{
	char buf[GC_NL_BUFSZ];
	struct members_dump d = {.fn = fn, .ctx = ctx};
	struct nlmsghdr *req = gc_nl_new_request(&k->ctl, buf, GC_CMD_GET_MEMBER, NLM_F_DUMP);

	return gc_nl_talk(&k->ctl, req, dump_cb, &d, e);
}

int kn_up_fd(const struct kernel *k)
{
	return mnl_socket_get_fd(k->up.sock);
}

int kn_ev_fd(const struct kernel *k)
{
	return mnl_socket_get_fd(k->ev.sock);
}
