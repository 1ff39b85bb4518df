/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decoders for the gossipchain family's messages. Netlink bytes are
 * untrusted input even from the kernel: every attribute is checked for type
 * and length before it is read, and unknown attributes (from a newer module)
 * are skipped.
 */
#ifndef GC_CTL_DECODE_H
#define GC_CTL_DECODE_H

#include <libmnl/libmnl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "gossipchain.h"

struct gc_node {
	char name[GC_NODE_NAME_MAX];
	int family; /* AF_INET or AF_INET6, 0 when absent */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} addr;
	uint16_t port;
	uint32_t config_gen;
	uint8_t key_count;
	bool has_name, has_port, has_gen;
};

struct gc_status {
	char version[32];
	uint8_t protocol;
	uint8_t state;
	uint32_t members;
	uint32_t config_gen;
	uint8_t joining;
	bool has_version, has_protocol, has_state, has_members, has_gen;
};

/* A member, from a dump or an event (event is 0 in a dump; age_ms is only
 * in a dump).
 */
struct gc_member_info {
	char name[GC_NODE_NAME_MAX];
	int family;
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} addr;
	uint16_t port;
	uint8_t state;
	uint8_t event;
	uint32_t incarnation;
	uint64_t age_ms;
	bool has_age;
	char accuser[GC_NODE_NAME_MAX]; /* "" unless a suspect or dead event says */
};

struct gc_stats_info {
	uint64_t v[GC_STAT_MAX + 1];
	bool has[GC_STAT_MAX + 1];
};

struct gc_params_info {
	uint32_t v[GC_P_MAX + 1];
	bool has[GC_P_MAX + 1];
};

/* An item, from a GC_CMD_ITEM_PUT or GC_CMD_ITEM_GET reply, a
 * GC_CMD_ITEM_VERIFY upcall or a GC_CMD_ITEM_EVENT. Which fields a message
 * must carry depends on which it is (see the decoders below); has says
 * which it did carry.
 */
enum {
	GC_ITEM_HAS_ID = 1u << 0,
	GC_ITEM_HAS_ORIGIN = 1u << 1,
	GC_ITEM_HAS_BOOT = 1u << 2,
	GC_ITEM_HAS_SEQ = 1u << 3,
	GC_ITEM_HAS_TYPE = 1u << 4,
	GC_ITEM_HAS_STATE = 1u << 5,
	GC_ITEM_HAS_HOPS = 1u << 6,
	GC_ITEM_HAS_LEN = 1u << 7,
	GC_ITEM_HAS_DATA = 1u << 8,
	GC_ITEM_HAS_EVENT = 1u << 9,
	GC_ITEM_HAS_GAP_FROM = 1u << 10,
	GC_ITEM_HAS_GAP_TO = 1u << 11,
};

struct gc_item_info {
	uint8_t id[GC_ITEM_ID_SIZE];
	char origin[GC_NODE_NAME_MAX]; /* a valid member name */
	uint64_t boot;		       /* the origin's stream: microseconds since 1970 */
	uint64_t seq;		       /* 1 or more */
	uint8_t type;
	uint8_t state; /* enum gc_item_state */
	uint8_t hops;
	uint8_t event; /* enum gc_item_event, events only */
	uint32_t len;  /* 1 to GC_ITEM_MAX_SIZE */
	/* The content, 1 to GC_ITEM_MAX_SIZE bytes: points into the message,
	 * valid as long as it is; NULL when the message carried none.
	 */
	const uint8_t *data;
	uint32_t data_len;
	uint64_t gap_from, gap_to; /* GAP events: 1 <= from <= to */
	unsigned int has;	   /* GC_ITEM_HAS_* */
};

/* A stream, from a GC_CMD_GET_ORIGIN dump. */
struct gc_origin_info {
	char origin[GC_NODE_NAME_MAX];
	uint64_t boot;
	uint64_t low, contig, max;
	uint32_t held, pending, rejected;
	uint64_t bytes;
};

/* A metric of the GC_CMD_GET_AGG reply, values in millionths. */
struct gc_agg_metric {
	char name[GC_AGG_NAME_SIZE];
	int64_t own, avg, sum, min, max;
	int64_t publishers; /* millionths of a node */
	bool has_own, has_avg, has_sum, has_range, has_publishers;
	bool settled;
};

struct gc_agg_info {
	uint32_t epoch, rounds;
	int64_t nodes; /* millionths */
	bool has_nodes;
	bool valid;
	unsigned int n;
	struct gc_agg_metric m[GC_AGG_MAX_METRICS];
};

/* Return MNL_CB_OK, or MNL_CB_ERROR for a malformed message. */
int gc_decode_node(const struct nlmsghdr *nlh, struct gc_node *node);
int gc_decode_status(const struct nlmsghdr *nlh, struct gc_status *status);
int gc_decode_member(const struct nlmsghdr *nlh, struct gc_member_info *m);
int gc_decode_stats(const struct nlmsghdr *nlh, struct gc_stats_info *s);
int gc_decode_params(const struct nlmsghdr *nlh, struct gc_params_info *p);

/*
 * Items. Each decoder checks the type and length of every attribute it
 * knows and rejects a message without one it must carry; attributes it does
 * not know are skipped. Unlike the decoders above, bytes after the last
 * whole attribute make the message malformed (but the last attribute's
 * padding): an attribute cut short is never taken for an absent one.
 *
 * gc_decode_item_put: a GC_CMD_ITEM_PUT reply: id, origin, boot, seq,
 *    type, hops, len and state (a content sent along is not kept).
 * gc_decode_item: a GC_CMD_ITEM_GET reply: the same and the content, of
 *    len bytes; or, for a rejected item (its content dropped), the id and
 *    the state alone.
 * gc_decode_item_verify: a GC_CMD_ITEM_VERIFY upcall: id, origin, boot, seq,
 *    type, hops, len and the content, of len bytes.
 * gc_decode_item_event: a GC_CMD_ITEM_EVENT: the event, then for a GAP
 *    origin, boot, gap_from and gap_to, else id, origin, boot, seq, type,
 *    hops and len (a content sent along is not kept).
 */
int gc_decode_item_put(const struct nlmsghdr *nlh, struct gc_item_info *it);
int gc_decode_item(const struct nlmsghdr *nlh, struct gc_item_info *it);
int gc_decode_item_verify(const struct nlmsghdr *nlh, struct gc_item_info *it);
int gc_decode_item_event(const struct nlmsghdr *nlh, struct gc_item_info *it);
/* A GC_CMD_GET_ORIGIN dump entry: every field. */
int gc_decode_origin(const struct nlmsghdr *nlh, struct gc_origin_info *o);
/* The GC_CMD_GET_AGG reply: epoch, rounds and valid (nodes when given),
 * and at most GC_AGG_MAX_METRICS GC_A_AGG nests of distinct names, each
 * with its name and settled flag, min and max both or neither.
 */
int gc_decode_agg(const struct nlmsghdr *nlh, struct gc_agg_info *a);

/* The genl command of a family message, or -1 when it has no genl header. */
int gc_decode_cmd(const struct nlmsghdr *nlh);

/* User-facing names: "name", "port", ... and "down", "up". */
const char *gc_attr_name(int type);
const char *gc_state_name(unsigned int state);
const char *gc_member_state_name(unsigned int state);
const char *gc_event_name(unsigned int event);
/* "rx_packets", ... by enum gc_stat; NULL for unknown ones. */
const char *gc_stat_name(unsigned int stat);
/* "pending", "held", "rejected"; "unknown" for others. */
const char *gc_item_state_name(unsigned int state);
/* "pending", "held", "rejected", "expired", "gap"; "unknown" for others. */
const char *gc_item_event_name(unsigned int event);
/* "accept", "reject"; "unknown" for others. */
const char *gc_verdict_name(unsigned int verdict);

#endif
