// SPDX-License-Identifier: GPL-2.0
#include "decode.h"
#include "core/node_name.h"

#include <linux/genetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* Copies a NUL-terminated string attribute that must fit in dst. */
static int get_str(const struct nlattr *a, char *dst, size_t size)
{
	if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
		return -1;
	if (strlen(mnl_attr_get_str(a)) >= size)
		return -1;
	strcpy(dst, mnl_attr_get_str(a));
	return 0;
}

int gc_decode_cmd(const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *g;

	/* nlmsg_len, not the payload length: that one underflows below 16. */
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + GENL_HDRLEN)
		return -1;
	g = mnl_nlmsg_get_payload(nlh);
	return g->cmd;
}

static int node_attr_cb(const struct nlattr *a, void *data)
{
	struct gc_node *n = data;

	switch (mnl_attr_get_type(a)) {
	case GC_A_NODE_NAME:
		if (get_str(a, n->name, sizeof(n->name)) < 0)
			return MNL_CB_ERROR;
		n->has_name = true;
		break;
	case GC_A_LISTEN_ADDR:
		if (mnl_attr_get_payload_len(a) == sizeof(n->addr.v4)) {
			n->family = AF_INET;
			memcpy(&n->addr.v4, mnl_attr_get_payload(a), sizeof(n->addr.v4));
		} else if (mnl_attr_get_payload_len(a) == sizeof(n->addr.v6)) {
			n->family = AF_INET6;
			memcpy(&n->addr.v6, mnl_attr_get_payload(a), sizeof(n->addr.v6));
		} else {
			return MNL_CB_ERROR;
		}
		break;
	case GC_A_LISTEN_PORT:
		if (mnl_attr_validate(a, MNL_TYPE_U16) < 0)
			return MNL_CB_ERROR;
		n->port = mnl_attr_get_u16(a);
		n->has_port = true;
		break;
	case GC_A_CONFIG_GEN:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		n->config_gen = mnl_attr_get_u32(a);
		n->has_gen = true;
		break;
	case GC_A_KEY_COUNT:
		if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
			return MNL_CB_ERROR;
		n->key_count = mnl_attr_get_u8(a);
		break;
	}
	return MNL_CB_OK;
}

int gc_decode_node(const struct nlmsghdr *nlh, struct gc_node *node)
{
	memset(node, 0, sizeof(*node));
	if (gc_decode_cmd(nlh) < 0)
		return MNL_CB_ERROR;
	if (mnl_attr_parse(nlh, GENL_HDRLEN, node_attr_cb, node) != MNL_CB_OK)
		return MNL_CB_ERROR;
	/* A node reply always names all of these; a partial one is malformed. */
	if (!node->has_name || !node->family || !node->has_port || !node->has_gen)
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

static int status_attr_cb(const struct nlattr *a, void *data)
{
	struct gc_status *s = data;

	switch (mnl_attr_get_type(a)) {
	case GC_A_VERSION:
		if (get_str(a, s->version, sizeof(s->version)) < 0)
			return MNL_CB_ERROR;
		s->has_version = true;
		break;
	case GC_A_PROTOCOL:
		if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
			return MNL_CB_ERROR;
		s->protocol = mnl_attr_get_u8(a);
		s->has_protocol = true;
		break;
	case GC_A_STATE:
		if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
			return MNL_CB_ERROR;
		s->state = mnl_attr_get_u8(a);
		s->has_state = true;
		break;
	case GC_A_MEMBERS:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		s->members = mnl_attr_get_u32(a);
		s->has_members = true;
		break;
	case GC_A_CONFIG_GEN:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		s->config_gen = mnl_attr_get_u32(a);
		s->has_gen = true;
		break;
	case GC_A_JOINING:
		if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
			return MNL_CB_ERROR;
		s->joining = mnl_attr_get_u8(a);
		break;
	}
	return MNL_CB_OK;
}

int gc_decode_status(const struct nlmsghdr *nlh, struct gc_status *status)
{
	memset(status, 0, sizeof(*status));
	if (gc_decode_cmd(nlh) < 0)
		return MNL_CB_ERROR;
	if (mnl_attr_parse(nlh, GENL_HDRLEN, status_attr_cb, status) != MNL_CB_OK)
		return MNL_CB_ERROR;
	if (!status->has_version || !status->has_protocol || !status->has_state ||
	    !status->has_members || !status->has_gen)
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

/* An address attribute: 4 or 16 bytes. */
static int get_addr(const struct nlattr *a, int *family, void *addr)
{
	uint16_t len = mnl_attr_get_payload_len(a);

	if (len == 4)
		*family = AF_INET;
	else if (len == 16)
		*family = AF_INET6;
	else
		return -1;
	memcpy(addr, mnl_attr_get_payload(a), len);
	return 0;
}

struct member_parse {
	struct gc_member_info *m;
	bool has_name, has_port, has_state, has_inc;
};

static int member_attr_cb(const struct nlattr *a, void *data)
{
	struct member_parse *p = data;
	struct gc_member_info *m = p->m;

	switch (mnl_attr_get_type(a)) {
	case GC_A_MEMBER_NAME:
		if (get_str(a, m->name, sizeof(m->name)) < 0 || !m->name[0])
			return MNL_CB_ERROR;
		p->has_name = true;
		break;
	case GC_A_MEMBER_ADDR:
		if (get_addr(a, &m->family, &m->addr) < 0)
			return MNL_CB_ERROR;
		break;
	case GC_A_MEMBER_PORT:
		if (mnl_attr_validate(a, MNL_TYPE_U16) < 0)
			return MNL_CB_ERROR;
		m->port = mnl_attr_get_u16(a);
		p->has_port = true;
		break;
	case GC_A_MEMBER_STATE:
		if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
			return MNL_CB_ERROR;
		m->state = mnl_attr_get_u8(a);
		p->has_state = true;
		break;
	case GC_A_MEMBER_INCARNATION:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		m->incarnation = mnl_attr_get_u32(a);
		p->has_inc = true;
		break;
	case GC_A_MEMBER_AGE_MS:
		if (mnl_attr_validate(a, MNL_TYPE_U64) < 0)
			return MNL_CB_ERROR;
		m->age_ms = mnl_attr_get_u64(a);
		m->has_age = true;
		break;
	case GC_A_MEMBER_ACCUSER:
		if (get_str(a, m->accuser, sizeof(m->accuser)) < 0)
			return MNL_CB_ERROR;
		break;
	case GC_A_EVENT:
		if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
			return MNL_CB_ERROR;
		m->event = mnl_attr_get_u8(a);
		break;
	}
	return MNL_CB_OK;
}

int gc_decode_member(const struct nlmsghdr *nlh, struct gc_member_info *m)
{
	struct member_parse p = {.m = m};

	memset(m, 0, sizeof(*m));
	if (gc_decode_cmd(nlh) < 0)
		return MNL_CB_ERROR;
	if (mnl_attr_parse(nlh, GENL_HDRLEN, member_attr_cb, &p) != MNL_CB_OK)
		return MNL_CB_ERROR;
	if (!p.has_name || !m->family || !p.has_port || !p.has_state || !p.has_inc)
		return MNL_CB_ERROR;
	/* Names go to a terminal: only those the rule allows, from anybody. */
	if (!gc_node_name_valid(m->name, strlen(m->name)) ||
	    (m->accuser[0] && !gc_node_name_valid(m->accuser, strlen(m->accuser))))
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

static int stats_nest_cb(const struct nlattr *a, void *data)
{
	struct gc_stats_info *s = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type == GC_STAT_PAD || type > GC_STAT_MAX)
		return MNL_CB_OK;
	if (mnl_attr_validate(a, MNL_TYPE_U64) < 0)
		return MNL_CB_ERROR;
	s->v[type] = mnl_attr_get_u64(a);
	s->has[type] = true;
	return MNL_CB_OK;
}

static int params_nest_cb(const struct nlattr *a, void *data)
{
	struct gc_params_info *p = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type == 0 || type > GC_P_MAX)
		return MNL_CB_OK;
	if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return MNL_CB_ERROR;
	p->v[type] = mnl_attr_get_u32(a);
	p->has[type] = true;
	return MNL_CB_OK;
}

/* The one nest of type outer in a message, parsed with cb. */
static int decode_nest(const struct nlmsghdr *nlh, uint16_t outer, mnl_attr_cb_t cb, void *data)
{
	const struct nlattr *a;
	bool found = false;

	if (gc_decode_cmd(nlh) < 0)
		return MNL_CB_ERROR;
	/* mnl_attr_for_each() stops at the first attribute that does not fit. */
	mnl_attr_for_each (a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) != outer)
			continue;
		if (found || mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
			return MNL_CB_ERROR;
		if (mnl_attr_parse_nested(a, cb, data) != MNL_CB_OK)
			return MNL_CB_ERROR;
		found = true;
	}
	return found ? MNL_CB_OK : MNL_CB_ERROR;
}

int gc_decode_stats(const struct nlmsghdr *nlh, struct gc_stats_info *s)
{
	memset(s, 0, sizeof(*s));
	return decode_nest(nlh, GC_A_STATS, stats_nest_cb, s);
}

int gc_decode_params(const struct nlmsghdr *nlh, struct gc_params_info *p)
{
	memset(p, 0, sizeof(*p));
	return decode_nest(nlh, GC_A_PARAMS, params_nest_cb, p);
}

const char *gc_member_state_name(unsigned int state)
{
	switch (state) {
	case GC_MEMBER_STATE_ALIVE:
		return "alive";
	case GC_MEMBER_STATE_SUSPECT:
		return "suspect";
	case GC_MEMBER_STATE_DEAD:
		return "dead";
	case GC_MEMBER_STATE_LEFT:
		return "left";
	}
	return "unknown";
}

const char *gc_event_name(unsigned int event)
{
	static const char *const names[] = {
		[GC_EVENT_JOIN] = "join",	[GC_EVENT_ALIVE] = "alive",
		[GC_EVENT_SUSPECT] = "suspect", [GC_EVENT_DEAD] = "dead",
		[GC_EVENT_LEFT] = "left",	[GC_EVENT_UPDATE] = "update",
		[GC_EVENT_REAP] = "reap",
	};

	if (event >= sizeof(names) / sizeof(names[0]) || !names[event])
		return "unknown";
	return names[event];
}

const char *gc_stat_name(unsigned int stat)
{
	static const char *const names[] = {
		[GC_STAT_RX_PACKETS] = "rx_packets",
		[GC_STAT_RX_BYTES] = "rx_bytes",
		[GC_STAT_TX_PACKETS] = "tx_packets",
		[GC_STAT_TX_BYTES] = "tx_bytes",
		[GC_STAT_RX_SOCKET_DROPS] = "rx_socket_drops",
		[GC_STAT_TX_ERRORS] = "tx_errors",
		[GC_STAT_RX_SHORT] = "rx_short",
		[GC_STAT_RX_BAD_VERSION] = "rx_bad_version",
		[GC_STAT_RX_CHECKSUM] = "rx_checksum",
		[GC_STAT_RX_UNSEALED] = "rx_unsealed",
		[GC_STAT_RX_NO_KEY] = "rx_no_key",
		[GC_STAT_RX_AUTH] = "rx_auth",
		[GC_STAT_RX_MALFORMED] = "rx_malformed",
		[GC_STAT_RX_TOO_BIG] = "rx_too_big",
		[GC_STAT_RX_STALE] = "rx_stale",
		[GC_STAT_RX_UNEXPECTED] = "rx_unexpected",
		[GC_STAT_PROBES] = "probes",
		[GC_STAT_PROBE_FAILURES] = "probe_failures",
		[GC_STAT_PING_REQS_SENT] = "ping_reqs_sent",
		[GC_STAT_PING_REQS_RELAYED] = "ping_reqs_relayed",
		[GC_STAT_NACKS_RECEIVED] = "nacks_received",
		[GC_STAT_SUSPICIONS] = "suspicions",
		[GC_STAT_REFUTATIONS] = "refutations",
		[GC_STAT_PUSH_PULLS] = "push_pulls",
		[GC_STAT_RECONNECTS] = "reconnects",
		[GC_STAT_MEMBERS_DROPPED] = "members_dropped",
		[GC_STAT_RELAYS_DROPPED] = "relays_dropped",
		[GC_STAT_EVENTS_DROPPED] = "events_dropped",
		[GC_STAT_HEALTH] = "health",
		[GC_STAT_MEMBERS_ALIVE] = "members_alive",
		[GC_STAT_MEMBERS_SUSPECT] = "members_suspect",
		[GC_STAT_MEMBERS_DEAD] = "members_dead",
		[GC_STAT_MEMBERS_LEFT] = "members_left",
		[GC_STAT_ACCUSATIONS_IGNORED] = "accusations_ignored",
		[GC_STAT_DEAD_NOTICES] = "dead_notices",
		[GC_STAT_VERDICTS_VOIDED] = "verdicts_voided",
	};

	if (stat >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[stat];
}

const char *gc_attr_name(int type)
{
	static const char *const names[] = {
		[GC_A_NODE_NAME] = "name",
		[GC_A_LISTEN_ADDR] = "address",
		[GC_A_LISTEN_PORT] = "port",
		[GC_A_CONFIG_GEN] = "config-gen",
		[GC_A_VERSION] = "version",
		[GC_A_PROTOCOL] = "protocol",
		[GC_A_STATE] = "state",
		[GC_A_MEMBERS] = "members",
		[GC_A_PAD] = "pad",
		[GC_A_KEY_COUNT] = "key-count",
		[GC_A_KEY] = "key",
		[GC_A_PARAMS] = "parameters",
		[GC_A_SEED] = "seed",
		[GC_A_MEMBER_NAME] = "member name",
		[GC_A_MEMBER_ADDR] = "member address",
		[GC_A_MEMBER_PORT] = "member port",
		[GC_A_MEMBER_STATE] = "member state",
		[GC_A_MEMBER_INCARNATION] = "member incarnation",
		[GC_A_MEMBER_AGE_MS] = "member age",
		[GC_A_EVENT] = "event",
		[GC_A_STATS] = "stats",
		[GC_A_MEMBER_ACCUSER] = "member accuser",
		[GC_A_JOINING] = "joining",
	};

	if (type <= 0 || (size_t)type >= sizeof(names) / sizeof(names[0]) || !names[type])
		return "unknown";
	return names[type];
}

const char *gc_state_name(unsigned int state)
{
	switch (state) {
	case GC_STATE_DOWN:
		return "down";
	case GC_STATE_UP:
		return "up";
	case GC_STATE_LEFT:
		return "left";
	}
	return "unknown";
}
