/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generic netlink helpers shared by gcctl and gcd: one socket bound to the
 * gossipchain family of the caller's network namespace, requests with
 * acknowledgements, and kernel errors with their extended ack message.
 */
#ifndef GC_CTL_NL_H
#define GC_CTL_NL_H

#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gc_nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
	uint16_t family_id;
	uint32_t events_group; /* 0 when the module has no such group */
	uint32_t items_group;  /* likewise */
};

/* A failed request: errno value, and what the kernel said about it. */
struct gc_nl_error {
	int err;       /* positive errno */
	char msg[256]; /* extack message, or "" */
	int bad_attr;  /* attribute type the kernel pointed at, or -1 */
};

/* Receive buffer: the kernel sizes dump skbs up to what the reader offers,
 * and 32 KiB is what libmnl recommends for dumps. A compile-time constant,
 * unlike MNL_SOCKET_BUFFER_SIZE.
 */
#define GC_NL_BUFSZ 32768

/* What gc_nl_talk() receives into: a reply is one message, and one with an
 * item (GC_CMD_ITEM_GET) carries up to GC_ITEM_MAX_SIZE bytes of content
 * besides its other attributes; a recv() into less would be truncated.
 * Dumps still come in parts of at most 32 KiB, the most the kernel sizes
 * them to.
 */
#define GC_NL_RECV_BUFSZ (65536 + 8192)

typedef int (*gc_nl_reply_cb)(const struct nlmsghdr *nlh, void *data);

int gc_nl_open(struct gc_nl *nl, struct gc_nl_error *e);
void gc_nl_close(struct gc_nl *nl);

/* Starts a request for the family in buf (GC_NL_BUFSZ bytes). */
struct nlmsghdr *gc_nl_new_request(struct gc_nl *nl, void *buf, uint8_t cmd, uint16_t flags);

/* Sends req with NLM_F_ACK, calls cb for every reply, and waits for the ack
 * (or a dump's end). Returns 0, or -1 with *e filled in; a dump the table
 * changed under (NLM_F_DUMP_INTR) fails with e->err EINTR, whole: retry it.
 */
int gc_nl_talk(struct gc_nl *nl, struct nlmsghdr *req, gc_nl_reply_cb cb, void *data,
	       struct gc_nl_error *e);

/* Joins the family's events multicast group. */
int gc_nl_subscribe_events(struct gc_nl *nl, struct gc_nl_error *e);
/* Joins the family's items multicast group (GC_CMD_ITEM_EVENT). */
int gc_nl_subscribe_items(struct gc_nl *nl, struct gc_nl_error *e);

/* Decodes an NLMSG_ERROR message of len bytes answering req (which may be
 * NULL) into *e. Returns 0 for an acknowledgement (error 0), 1 for an error,
 * -1 when the message is malformed. Never reads past len.
 */
int gc_nl_parse_error(const struct nlmsghdr *nlh, size_t len, const struct nlmsghdr *req,
		      struct gc_nl_error *e);

/* Whether buf holds whole netlink messages whose lengths stay inside it. */
bool gc_nl_stream_ok(const void *buf, size_t len);

/* "Operation not permitted: node name must be ... (attribute name)" */
void gc_nl_format_error(const struct gc_nl_error *e, const char *(*attr_name)(int type), char *out,
			size_t outlen);

/* Like ip -n: enters network namespace name, under /run/netns, or a path to
 * a namespace file. Returns 0, or -1 after saying why on stderr as prog.
 */
int gc_enter_netns(const char *name, const char *prog);

#endif
