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

/*
 * Calls cb for every attribute between start and end. Unlike
 * mnl_attr_parse(), which stops quietly at the first attribute that does
 * not fit, bytes left over that are not a whole attribute make the message
 * malformed: a message cut short is never taken for a shorter one. The
 * last attribute may end up to 3 bytes before end (its padding) or, in a
 * nest whose length is not aligned, up to 3 bytes after it.
 */
static int walk_attrs(const void *start, const void *end, mnl_attr_cb_t cb, void *data)
{
	const struct nlattr *a = start;
	long len = (const char *)end - (const char *)start;

	while (len >= (long)sizeof(struct nlattr)) {
		if (a->nla_len < sizeof(struct nlattr) || a->nla_len > len)
			return MNL_CB_ERROR;
		if (cb(a, data) != MNL_CB_OK)
			return MNL_CB_ERROR;
		len -= MNL_ALIGN(a->nla_len);
		a = (const struct nlattr *)((const char *)a + MNL_ALIGN(a->nla_len));
	}
	/* Fewer bytes than an attribute header: padding only if zero. */
	return len > 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

/* Every attribute of a family message, after its genl header. */
static int walk_msg(const struct nlmsghdr *nlh, mnl_attr_cb_t cb, void *data)
{
	if (gc_decode_cmd(nlh) < 0)
		return MNL_CB_ERROR;
	return walk_attrs((const char *)mnl_nlmsg_get_payload(nlh) + GENL_HDRLEN,
			  mnl_nlmsg_get_payload_tail(nlh), cb, data);
}

static int get_u64(const struct nlattr *a, uint64_t *v)
{
	if (mnl_attr_validate(a, MNL_TYPE_U64) < 0)
		return -1;
	*v = mnl_attr_get_u64(a);
	return 0;
}

static int get_s64(const struct nlattr *a, int64_t *v)
{
	uint64_t u;

	if (get_u64(a, &u) < 0)
		return -1;
	memcpy(v, &u, sizeof(*v));
	return 0;
}

static int get_u32(const struct nlattr *a, uint32_t *v)
{
	if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return -1;
	*v = mnl_attr_get_u32(a);
	return 0;
}

static int get_u8(const struct nlattr *a, uint8_t *v)
{
	if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
		return -1;
	*v = mnl_attr_get_u8(a);
	return 0;
}

/* A name that goes to a terminal, JSON and logs: the member-name rule. */
static int get_name(const struct nlattr *a, char *dst, size_t size)
{
	if (get_str(a, dst, size) < 0 || !gc_node_name_valid(dst, strlen(dst)))
		return -1;
	return 0;
}

/* ---- items ---- */

static int item_attr_cb(const struct nlattr *a, void *data)
{
	struct gc_item_info *it = data;
	unsigned int bit;
	int bad;

	switch (mnl_attr_get_type(a)) {
	case GC_A_ITEM_ID:
		bad = mnl_attr_get_payload_len(a) != GC_ITEM_ID_SIZE;
		if (!bad)
			memcpy(it->id, mnl_attr_get_payload(a), GC_ITEM_ID_SIZE);
		bit = GC_ITEM_HAS_ID;
		break;
	case GC_A_ITEM_ORIGIN:
		bad = get_name(a, it->origin, sizeof(it->origin));
		bit = GC_ITEM_HAS_ORIGIN;
		break;
	case GC_A_ITEM_BOOT:
		bad = get_u64(a, &it->boot);
		bit = GC_ITEM_HAS_BOOT;
		break;
	case GC_A_ITEM_SEQ:
		bad = get_u64(a, &it->seq) || it->seq == 0;
		bit = GC_ITEM_HAS_SEQ;
		break;
	case GC_A_ITEM_TYPE:
		bad = get_u8(a, &it->type);
		bit = GC_ITEM_HAS_TYPE;
		break;
	case GC_A_ITEM_STATE:
		bad = get_u8(a, &it->state);
		bit = GC_ITEM_HAS_STATE;
		break;
	case GC_A_ITEM_HOPS:
		bad = get_u8(a, &it->hops);
		bit = GC_ITEM_HAS_HOPS;
		break;
	case GC_A_ITEM_LEN:
		bad = get_u32(a, &it->len) || it->len == 0 || it->len > GC_ITEM_MAX_SIZE;
		bit = GC_ITEM_HAS_LEN;
		break;
	case GC_A_ITEM_DATA:
		it->data = mnl_attr_get_payload(a);
		it->data_len = mnl_attr_get_payload_len(a);
		bad = it->data_len == 0 || it->data_len > GC_ITEM_MAX_SIZE;
		bit = GC_ITEM_HAS_DATA;
		break;
	case GC_A_ITEM_EVENT:
		bad = get_u8(a, &it->event) || it->event == 0;
		bit = GC_ITEM_HAS_EVENT;
		break;
	case GC_A_GAP_FROM:
		bad = get_u64(a, &it->gap_from);
		bit = GC_ITEM_HAS_GAP_FROM;
		break;
	case GC_A_GAP_TO:
		bad = get_u64(a, &it->gap_to);
		bit = GC_ITEM_HAS_GAP_TO;
		break;
	default:
		return MNL_CB_OK;
	}
	if (bad)
		return MNL_CB_ERROR;
	it->has |= bit;
	return MNL_CB_OK;
}

/* Parses an item message and checks it carries every field of need. */
static int decode_item(const struct nlmsghdr *nlh, struct gc_item_info *it, unsigned int need)
{
	memset(it, 0, sizeof(*it));
	if (walk_msg(nlh, item_attr_cb, it) != MNL_CB_OK || (it->has & need) != need)
		goto bad;
	/* The length, when both are given, is the content's. */
	if ((it->has & GC_ITEM_HAS_LEN) && (it->has & GC_ITEM_HAS_DATA) && it->len != it->data_len)
		goto bad;
	return MNL_CB_OK;
bad:
	memset(it, 0, sizeof(*it));
	return MNL_CB_ERROR;
}

#define ITEM_STREAM (GC_ITEM_HAS_ORIGIN | GC_ITEM_HAS_BOOT)
#define ITEM_META                                                                                  \
	(GC_ITEM_HAS_ID | ITEM_STREAM | GC_ITEM_HAS_SEQ | GC_ITEM_HAS_TYPE | GC_ITEM_HAS_HOPS)

/* Drops a content the message should not have carried. */
static void no_content(struct gc_item_info *it)
{
	it->data = NULL;
	it->data_len = 0;
	it->has &= ~GC_ITEM_HAS_DATA;
}

int gc_decode_item_put(const struct nlmsghdr *nlh, struct gc_item_info *it)
{
	if (decode_item(nlh, it, ITEM_META | GC_ITEM_HAS_LEN | GC_ITEM_HAS_STATE) != MNL_CB_OK)
		return MNL_CB_ERROR;
	no_content(it);
	return MNL_CB_OK;
}

int gc_decode_item(const struct nlmsghdr *nlh, struct gc_item_info *it)
{
	const unsigned int whole =
		ITEM_META | GC_ITEM_HAS_LEN | GC_ITEM_HAS_DATA | GC_ITEM_HAS_STATE;

	if (decode_item(nlh, it, GC_ITEM_HAS_ID | GC_ITEM_HAS_STATE) != MNL_CB_OK)
		return MNL_CB_ERROR;
	/* A rejected item is its id alone: its content was dropped. Any
	 * other state, a newer module's too, comes whole.
	 */
	if (it->state == GC_ITEM_STATE_REJECTED ? it->has == (GC_ITEM_HAS_ID | GC_ITEM_HAS_STATE)
						: (it->has & whole) == whole)
		return MNL_CB_OK;
	memset(it, 0, sizeof(*it));
	return MNL_CB_ERROR;
}

int gc_decode_item_verify(const struct nlmsghdr *nlh, struct gc_item_info *it)
{
	return decode_item(nlh, it, ITEM_META | GC_ITEM_HAS_LEN | GC_ITEM_HAS_DATA);
}

int gc_decode_item_event(const struct nlmsghdr *nlh, struct gc_item_info *it)
{
	if (decode_item(nlh, it, GC_ITEM_HAS_EVENT | ITEM_STREAM) != MNL_CB_OK)
		return MNL_CB_ERROR;
	if (it->event == GC_ITEM_EVENT_GAP) {
		if ((it->has & (GC_ITEM_HAS_GAP_FROM | GC_ITEM_HAS_GAP_TO)) !=
			    (GC_ITEM_HAS_GAP_FROM | GC_ITEM_HAS_GAP_TO) ||
		    it->gap_from == 0 || it->gap_from > it->gap_to)
			goto bad;
	} else if ((it->has & (ITEM_META | GC_ITEM_HAS_LEN)) != (ITEM_META | GC_ITEM_HAS_LEN)) {
		goto bad;
	}
	/* Events carry no content: whatever came along is not passed on. */
	no_content(it);
	return MNL_CB_OK;
bad:
	memset(it, 0, sizeof(*it));
	return MNL_CB_ERROR;
}

/* ---- streams ---- */

enum {
	ORIGIN_NAME = 1u << 0,
	ORIGIN_BOOT = 1u << 1,
	ORIGIN_LOW = 1u << 2,
	ORIGIN_CONTIG = 1u << 3,
	ORIGIN_MAX = 1u << 4,
	ORIGIN_HELD = 1u << 5,
	ORIGIN_PENDING = 1u << 6,
	ORIGIN_REJECTED = 1u << 7,
	ORIGIN_BYTES = 1u << 8,
	ORIGIN_ALL = (1u << 9) - 1,
};

struct origin_parse {
	struct gc_origin_info *o;
	unsigned int has;
};

static int origin_attr_cb(const struct nlattr *a, void *data)
{
	struct origin_parse *p = data;
	struct gc_origin_info *o = p->o;
	unsigned int bit;
	int bad;

	switch (mnl_attr_get_type(a)) {
	case GC_A_ITEM_ORIGIN:
		bad = get_name(a, o->origin, sizeof(o->origin));
		bit = ORIGIN_NAME;
		break;
	case GC_A_ITEM_BOOT:
		bad = get_u64(a, &o->boot);
		bit = ORIGIN_BOOT;
		break;
	case GC_A_ORIGIN_LOW:
		bad = get_u64(a, &o->low);
		bit = ORIGIN_LOW;
		break;
	case GC_A_ORIGIN_CONTIG:
		bad = get_u64(a, &o->contig);
		bit = ORIGIN_CONTIG;
		break;
	case GC_A_ORIGIN_MAX:
		bad = get_u64(a, &o->max);
		bit = ORIGIN_MAX;
		break;
	case GC_A_ORIGIN_HELD:
		bad = get_u32(a, &o->held);
		bit = ORIGIN_HELD;
		break;
	case GC_A_ORIGIN_PENDING:
		bad = get_u32(a, &o->pending);
		bit = ORIGIN_PENDING;
		break;
	case GC_A_ORIGIN_REJECTED:
		bad = get_u32(a, &o->rejected);
		bit = ORIGIN_REJECTED;
		break;
	case GC_A_ORIGIN_BYTES:
		bad = get_u64(a, &o->bytes);
		bit = ORIGIN_BYTES;
		break;
	default:
		return MNL_CB_OK;
	}
	if (bad)
		return MNL_CB_ERROR;
	p->has |= bit;
	return MNL_CB_OK;
}

int gc_decode_origin(const struct nlmsghdr *nlh, struct gc_origin_info *o)
{
	struct origin_parse p = {.o = o};

	memset(o, 0, sizeof(*o));
	if (walk_msg(nlh, origin_attr_cb, &p) != MNL_CB_OK || p.has != ORIGIN_ALL) {
		memset(o, 0, sizeof(*o));
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

/* ---- aggregates ---- */

struct metric_parse {
	struct gc_agg_metric *m;
	bool has_name, has_settled, has_min, has_max;
};

static int metric_attr_cb(const struct nlattr *a, void *data)
{
	struct metric_parse *p = data;
	struct gc_agg_metric *m = p->m;
	uint8_t settled = 0;
	bool *has;
	int bad;

	switch (mnl_attr_get_type(a)) {
	case GC_AGG_A_NAME:
		bad = get_str(a, m->name, sizeof(m->name)) ||
		      !gc_node_name_valid(m->name, strlen(m->name));
		has = &p->has_name;
		break;
	case GC_AGG_A_OWN:
		bad = get_s64(a, &m->own);
		has = &m->has_own;
		break;
	case GC_AGG_A_AVG:
		bad = get_s64(a, &m->avg);
		has = &m->has_avg;
		break;
	case GC_AGG_A_SUM:
		bad = get_s64(a, &m->sum);
		has = &m->has_sum;
		break;
	case GC_AGG_A_MINIMUM:
		bad = get_s64(a, &m->min);
		has = &p->has_min;
		break;
	case GC_AGG_A_MAXIMUM:
		bad = get_s64(a, &m->max);
		has = &p->has_max;
		break;
	case GC_AGG_A_PUBLISHERS:
		bad = get_s64(a, &m->publishers);
		has = &m->has_publishers;
		break;
	case GC_AGG_A_SETTLED:
		bad = get_u8(a, &settled);
		m->settled = settled;
		has = &p->has_settled;
		break;
	default:
		return MNL_CB_OK;
	}
	if (bad)
		return MNL_CB_ERROR;
	*has = true;
	return MNL_CB_OK;
}

enum { AGG_EPOCH = 1u << 0, AGG_ROUNDS = 1u << 1, AGG_VALID = 1u << 2, AGG_ALL = 7 };

struct agg_parse {
	struct gc_agg_info *a;
	unsigned int has;
};

static int agg_metric(const struct nlattr *nest, struct gc_agg_info *a)
{
	struct gc_agg_metric *m;
	struct metric_parse p;
	unsigned int i;

	if (a->n == GC_AGG_MAX_METRICS || mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0)
		return MNL_CB_ERROR;
	m = &a->m[a->n];
	p = (struct metric_parse){.m = m};
	if (walk_attrs(mnl_attr_get_payload(nest),
		       (const char *)mnl_attr_get_payload(nest) + mnl_attr_get_payload_len(nest),
		       metric_attr_cb, &p) != MNL_CB_OK)
		return MNL_CB_ERROR;
	if (!p.has_name || !p.has_settled || p.has_min != p.has_max)
		return MNL_CB_ERROR;
	m->has_range = p.has_min;
	if (m->has_range && m->min > m->max)
		return MNL_CB_ERROR;
	for (i = 0; i < a->n; i++)
		if (!strcmp(a->m[i].name, m->name))
			return MNL_CB_ERROR;
	a->n++;
	return MNL_CB_OK;
}

static int agg_attr_cb(const struct nlattr *attr, void *data)
{
	struct agg_parse *p = data;
	struct gc_agg_info *a = p->a;
	uint8_t valid;

	switch (mnl_attr_get_type(attr)) {
	case GC_A_AGG_EPOCH:
		if (get_u32(attr, &a->epoch) < 0)
			return MNL_CB_ERROR;
		p->has |= AGG_EPOCH;
		break;
	case GC_A_AGG_ROUNDS:
		if (get_u32(attr, &a->rounds) < 0)
			return MNL_CB_ERROR;
		p->has |= AGG_ROUNDS;
		break;
	case GC_A_AGG_VALID:
		if (get_u8(attr, &valid) < 0)
			return MNL_CB_ERROR;
		a->valid = valid;
		p->has |= AGG_VALID;
		break;
	case GC_A_AGG_NODES:
		if (get_s64(attr, &a->nodes) < 0)
			return MNL_CB_ERROR;
		a->has_nodes = true;
		break;
	case GC_A_AGG:
		return agg_metric(attr, a);
	}
	return MNL_CB_OK;
}

int gc_decode_agg(const struct nlmsghdr *nlh, struct gc_agg_info *a)
{
	struct agg_parse p = {.a = a};

	memset(a, 0, sizeof(*a));
	if (walk_msg(nlh, agg_attr_cb, &p) != MNL_CB_OK || p.has != AGG_ALL) {
		memset(a, 0, sizeof(*a));
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

const char *gc_item_state_name(unsigned int state)
{
	switch (state) {
	case GC_ITEM_STATE_PENDING:
		return "pending";
	case GC_ITEM_STATE_HELD:
		return "held";
	case GC_ITEM_STATE_REJECTED:
		return "rejected";
	}
	return "unknown";
}

const char *gc_item_event_name(unsigned int event)
{
	switch (event) {
	case GC_ITEM_EVENT_PENDING:
		return "pending";
	case GC_ITEM_EVENT_HELD:
		return "held";
	case GC_ITEM_EVENT_REJECTED:
		return "rejected";
	case GC_ITEM_EVENT_EXPIRED:
		return "expired";
	case GC_ITEM_EVENT_GAP:
		return "gap";
	}
	return "unknown";
}

const char *gc_verdict_name(unsigned int verdict)
{
	switch (verdict) {
	case GC_VERDICT_ACCEPT:
		return "accept";
	case GC_VERDICT_REJECT:
		return "reject";
	}
	return "unknown";
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
		[GC_STAT_ITEMS_PUT] = "items_put",
		[GC_STAT_ITEMS_NEW] = "items_new",
		[GC_STAT_ITEMS_ACCEPTED] = "items_accepted",
		[GC_STAT_ITEMS_REJECTED] = "items_rejected",
		[GC_STAT_ITEMS_EXPIRED] = "items_expired",
		[GC_STAT_ITEMS_DUPLICATE] = "items_duplicate",
		[GC_STAT_ITEMS_EVICTED] = "items_evicted",
		[GC_STAT_ITEMS_DROPPED] = "items_dropped",
		[GC_STAT_ITEMS_CONFLICT] = "items_conflict",
		[GC_STAT_ITEMS_BAD_ID] = "items_bad_id",
		[GC_STAT_ITEMS_SENT] = "items_sent",
		[GC_STAT_ITEMS_SERVED] = "items_served",
		[GC_STAT_FRAGMENTS_DROPPED] = "fragments_dropped",
		[GC_STAT_DIGESTS_SENT] = "digests_sent",
		[GC_STAT_ITEMS_WANTED] = "items_wanted",
		[GC_STAT_ITEMS_LOST] = "items_lost",
		[GC_STAT_UPCALLS] = "upcalls",
		[GC_STAT_UPCALLS_DROPPED] = "upcalls_dropped",
		[GC_STAT_ITEMS_HELD] = "items_held",
		[GC_STAT_ITEMS_PENDING] = "items_pending",
		[GC_STAT_ITEM_BYTES] = "item_bytes",
		[GC_STAT_AGG_ROUNDS] = "agg_rounds",
		[GC_STAT_AGG_EPOCHS] = "agg_epochs",
		[GC_STAT_AGG_STALE] = "agg_stale",
		[GC_STAT_STREAMS_RETIRED] = "streams_retired",
		[GC_STAT_ITEMS_UNSERVED] = "items_unserved",
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
		[GC_A_ITEM_ID] = "item id",
		[GC_A_ITEM_ORIGIN] = "item origin",
		[GC_A_ITEM_SEQ] = "item seq",
		[GC_A_ITEM_TYPE] = "item type",
		[GC_A_ITEM_DATA] = "item data",
		[GC_A_ITEM_STATE] = "item state",
		[GC_A_ITEM_HOPS] = "item hops",
		[GC_A_ITEM_LEN] = "item length",
		[GC_A_ITEM_EVENT] = "item event",
		[GC_A_ORIGIN_LOW] = "origin low",
		[GC_A_ORIGIN_CONTIG] = "origin contig",
		[GC_A_ORIGIN_MAX] = "origin max",
		[GC_A_ORIGIN_HELD] = "origin held",
		[GC_A_ORIGIN_PENDING] = "origin pending",
		[GC_A_ORIGIN_REJECTED] = "origin rejected",
		[GC_A_ORIGIN_BYTES] = "origin bytes",
		[GC_A_GAP_FROM] = "gap from",
		[GC_A_GAP_TO] = "gap to",
		[GC_A_VERIFIER] = "verifier",
		[GC_A_VERDICT] = "verdict",
		[GC_A_AGG_NAME] = "aggregate name",
		[GC_A_AGG_VALUE] = "aggregate value",
		[GC_A_AGG] = "aggregate",
		[GC_A_AGG_EPOCH] = "aggregate epoch",
		[GC_A_AGG_ROUNDS] = "aggregate rounds",
		[GC_A_AGG_NODES] = "aggregate nodes",
		[GC_A_AGG_VALID] = "aggregate valid",
		[GC_A_ITEM_BOOT] = "item boot",
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
