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

/* Return MNL_CB_OK, or MNL_CB_ERROR for a malformed message. */
int gc_decode_node(const struct nlmsghdr *nlh, struct gc_node *node);
int gc_decode_status(const struct nlmsghdr *nlh, struct gc_status *status);
int gc_decode_member(const struct nlmsghdr *nlh, struct gc_member_info *m);
int gc_decode_stats(const struct nlmsghdr *nlh, struct gc_stats_info *s);
int gc_decode_params(const struct nlmsghdr *nlh, struct gc_params_info *p);

/* The genl command of a family message, or -1 when it has no genl header. */
int gc_decode_cmd(const struct nlmsghdr *nlh);

/* User-facing names: "name", "port", ... and "down", "up". */
const char *gc_attr_name(int type);
const char *gc_state_name(unsigned int state);
const char *gc_member_state_name(unsigned int state);
const char *gc_event_name(unsigned int event);
/* "rx_packets", ... by enum gc_stat; NULL for unknown ones. */
const char *gc_stat_name(unsigned int stat);

#endif
