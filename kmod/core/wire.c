// SPDX-License-Identifier: GPL-2.0
#include "wire.h"
#include "node_name.h"

static const char *const wire_err_str[__GC_WIRE_ERR_MAX] = {
	[GC_WIRE_OK] = "ok",
	[GC_WIRE_SHORT] = "truncated",
	[GC_WIRE_BAD_VERSION] = "unknown version or flags",
	[GC_WIRE_CHECKSUM] = "checksum mismatch",
	[GC_WIRE_UNSEALED] = "plain packet while a key is set",
	[GC_WIRE_NO_KEY] = "sealed packet but no key is set",
	[GC_WIRE_AUTH] = "no key opens it",
	[GC_WIRE_MALFORMED] = "malformed message",
	[GC_WIRE_TOO_BIG] = "too big",
};

const char *gc_wire_err_str(enum gc_wire_err err)
{
	return (unsigned int)err < __GC_WIRE_ERR_MAX ? wire_err_str[err] : "unknown";
}

/* ---- encoding ---- */

static bool room(struct gc_wbuf *b, size_t n)
{
	if (b->overflow || b->cap - b->len < n) {
		b->overflow = true;
		return false;
	}
	return true;
}

static void put_u8(u8 *p, u8 v)
{
	p[0] = v;
}

static void put_u16(u8 *p, u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put_u32(u8 *p, u32 v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static void put_u64(u8 *p, u64 v)
{
	put_u32(p, (u32)(v >> 32));
	put_u32(p + 4, (u32)v);
}

static size_t addr_len(const struct gc_addr *a)
{
	return 1 + (a->family == 6 ? 16 : 4) + 2;
}

static size_t put_addr(u8 *p, const struct gc_addr *a)
{
	size_t iplen = a->family == 6 ? 16 : 4;

	put_u8(p, a->family == 6 ? 6 : 4);
	memcpy(p + 1, a->ip, iplen);
	put_u16(p + 1 + iplen, a->port);
	return 1 + iplen + 2;
}

static size_t put_name(u8 *p, const char *name, u8 len)
{
	put_u8(p, len);
	memcpy(p + 1, name, len);
	return 1 + (size_t)len;
}

/* Reserves a message of payload plen; returns where its payload goes. */
static u8 *begin_msg(struct gc_wbuf *b, u8 type, size_t plen)
{
	u8 *p;

	if (plen > 0xffff || !room(b, GC_MSG_HDR_LEN + plen))
		return NULL;
	p = b->p + b->len;
	put_u8(p, type);
	put_u16(p + 1, (u16)plen);
	b->len += GC_MSG_HDR_LEN + plen;
	return p + GC_MSG_HDR_LEN;
}

size_t gc_put_ping(struct gc_wbuf *b, u32 seq, const char *target, u8 target_len)
{
	size_t plen = 4 + 1 + target_len;
	u8 *p = begin_msg(b, GC_MSG_PING, plen);

	if (!p)
		return 0;
	put_u32(p, seq);
	put_name(p + 4, target, target_len);
	return GC_MSG_HDR_LEN + plen;
}

size_t gc_put_ack(struct gc_wbuf *b, u8 type, u32 seq)
{
	u8 *p = begin_msg(b, type, 4);

	if (!p)
		return 0;
	put_u32(p, seq);
	return GC_MSG_HDR_LEN + 4;
}

size_t gc_put_ping_req(struct gc_wbuf *b, u32 seq, const char *target, u8 target_len,
		       const struct gc_addr *addr)
{
	size_t plen = 4 + 1 + target_len + addr_len(addr);
	u8 *p = begin_msg(b, GC_MSG_PING_REQ, plen);

	if (!p)
		return 0;
	put_u32(p, seq);
	p += 4;
	p += put_name(p, target, target_len);
	put_addr(p, addr);
	return GC_MSG_HDR_LEN + plen;
}

size_t gc_put_alive(struct gc_wbuf *b, u32 inc, const char *name, u8 name_len,
		    const struct gc_addr *addr)
{
	size_t plen = 4 + 1 + name_len + addr_len(addr);
	u8 *p = begin_msg(b, GC_MSG_ALIVE, plen);

	if (!p)
		return 0;
	put_u32(p, inc);
	p += 4;
	p += put_name(p, name, name_len);
	put_addr(p, addr);
	return GC_MSG_HDR_LEN + plen;
}

size_t gc_put_accuse(struct gc_wbuf *b, u8 type, u32 inc, const char *name, u8 name_len,
		     const char *from, u8 from_len)
{
	size_t plen = 4 + 1 + name_len + 1 + from_len;
	u8 *p = begin_msg(b, type, plen);

	if (!p)
		return 0;
	put_u32(p, inc);
	p += 4;
	p += put_name(p, name, name_len);
	put_name(p, from, from_len);
	return GC_MSG_HDR_LEN + plen;
}

size_t gc_begin_state(struct gc_wbuf *b, u8 flags)
{
	return gc_begin_list(b, GC_MSG_STATE, flags);
}

size_t gc_state_entry_len(u8 name_len, const struct gc_addr *addr)
{
	return 1 + 4 + 1 + (size_t)name_len + addr_len(addr);
}

size_t gc_put_state_entry(struct gc_wbuf *b, u8 state, u32 inc, const char *name,
			  u8 name_len, const struct gc_addr *addr)
{
	size_t n = gc_state_entry_len(name_len, addr);
	u8 *p;

	if (!room(b, n))
		return 0;
	p = b->p + b->len;
	put_u8(p, state);
	put_u32(p + 1, inc);
	p += 5;
	p += put_name(p, name, name_len);
	put_addr(p, addr);
	b->len += n;
	return n;
}

void gc_end_state(struct gc_wbuf *b, size_t start, u16 count)
{
	gc_end_list(b, start, count);
}

size_t gc_put_item(struct gc_wbuf *b, u8 hops, u8 flags, u8 type, u64 boot, u64 seq,
		   const char *origin, u8 origin_len, const u8 *id, u16 total, u16 off,
		   const u8 *data, u16 len)
{
	size_t plen = GC_ITEM_HDR_LEN + (size_t)origin_len + len;
	u8 *p = begin_msg(b, GC_MSG_ITEM, plen);

	if (!p)
		return 0;
	put_u8(p, hops);
	put_u8(p + 1, flags);
	put_u8(p + 2, type);
	put_u64(p + 3, boot);
	put_u64(p + 11, seq);
	p += 19;
	p += put_name(p, origin, origin_len);
	memcpy(p, id, GC_ITEM_ID_LEN);
	p += GC_ITEM_ID_LEN;
	put_u16(p, total);
	put_u16(p + 2, off);
	memcpy(p + 4, data, len);
	return GC_MSG_HDR_LEN + plen;
}

u16 gc_item_frag_room(size_t room, u8 origin_len)
{
	size_t hdr = GC_MSG_HDR_LEN + GC_ITEM_HDR_LEN + (size_t)origin_len;
	size_t n;

	if (room <= hdr)
		return 0;
	n = (room - hdr) / GC_FRAG_UNIT * GC_FRAG_UNIT;
	return n > GC_ITEM_MAX_LEN ? GC_ITEM_MAX_LEN : (u16)n;
}

/* DIGEST, WANT, AGG and STATE start with flags u8 and count u16. */
size_t gc_begin_list(struct gc_wbuf *b, u8 type, u8 flags)
{
	u8 *p = begin_msg(b, type, 3);

	if (!p)
		return 0;
	put_u8(p, flags);
	put_u16(p + 1, 0);
	return GC_MSG_HDR_LEN + 3;
}

size_t gc_put_range_entry(struct gc_wbuf *b, const char *origin, u8 origin_len, u64 boot, u64 a,
			  u64 c)
{
	size_t n = gc_range_entry_len(origin_len);
	u8 *p;

	if (!room(b, n))
		return 0;
	p = b->p + b->len;
	p += put_name(p, origin, origin_len);
	put_u64(p, boot);
	put_u64(p + 8, a);
	put_u64(p + 16, c);
	b->len += n;
	return n;
}

void gc_end_list(struct gc_wbuf *b, size_t start, u16 count)
{
	u8 *m = b->p + start;

	put_u16(m + 1, (u16)(b->len - start - GC_MSG_HDR_LEN));
	put_u16(m + GC_MSG_HDR_LEN + 1, count);
}

size_t gc_begin_agg(struct gc_wbuf *b, u32 epoch, const char *source, u8 source_len, u64 c,
		    u64 g)
{
	size_t n = 4 + 1 + (size_t)source_len + 16;
	u8 *p;

	if (!gc_begin_list(b, GC_MSG_AGG, 0))
		return 0;
	if (!room(b, n)) {
		b->len -= GC_MSG_HDR_LEN + 3;
		return 0;
	}
	p = b->p + b->len;
	put_u32(p, epoch);
	p += 4;
	p += put_name(p, source, source_len);
	put_u64(p, c);
	put_u64(p + 8, g);
	b->len += n;
	return GC_MSG_HDR_LEN + 3 + n;
}

size_t gc_put_agg_entry(struct gc_wbuf *b, const struct gc_agg_entry *e)
{
	size_t n = GC_AGG_ENTRY_LEN(e->name.len);
	u8 *p;

	if (!room(b, n))
		return 0;
	p = b->p + b->len;
	p += put_name(p, e->name.p, e->name.len);
	put_u64(p, (u64)e->s_hi);
	put_u64(p + 8, e->s_lo);
	put_u64(p + 16, e->w);
	put_u64(p + 24, (u64)e->min);
	put_u64(p + 32, (u64)e->max);
	b->len += n;
	return n;
}

bool gc_agg_name_valid(const char *name, size_t len)
{
	return len < GC_AGG_NAME_MAX && gc_node_name_valid(name, len);
}

/* ---- decoding ---- */

struct rbuf {
	const u8 *p;
	size_t len, off;
	bool bad;
};

static const u8 *take(struct rbuf *r, size_t n)
{
	const u8 *p;

	if (r->bad || r->len - r->off < n) {
		r->bad = true;
		return NULL;
	}
	p = r->p + r->off;
	r->off += n;
	return p;
}

static u8 get_u8(struct rbuf *r)
{
	const u8 *p = take(r, 1);

	return p ? p[0] : 0;
}

static u16 get_u16(struct rbuf *r)
{
	const u8 *p = take(r, 2);

	return p ? (u16)(p[0] << 8 | p[1]) : 0;
}

static u32 get_u32(struct rbuf *r)
{
	const u8 *p = take(r, 4);

	return p ? (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3] : 0;
}

static u64 get_u64(struct rbuf *r)
{
	u64 hi = get_u32(r);

	return hi << 32 | get_u32(r);
}

static void get_name(struct rbuf *r, struct gc_name *n)
{
	u8 len = get_u8(r);
	const u8 *p = take(r, len);

	n->p = (const char *)p;
	n->len = len;
	if (p && !gc_node_name_valid(n->p, len))
		r->bad = true;
}

static void get_addr(struct rbuf *r, struct gc_addr *a)
{
	u8 family = get_u8(r);
	size_t iplen = family == 6 ? 16 : 4;
	const u8 *ip;

	memset(a, 0, sizeof(*a));
	if (family != 4 && family != 6) {
		r->bad = true;
		return;
	}
	ip = take(r, iplen);
	if (!ip)
		return;
	a->family = family;
	memcpy(a->ip, ip, iplen);
	a->port = get_u16(r);
	if (a->port == 0)
		r->bad = true;
}

static void get_state_entry(struct rbuf *r, struct gc_state_entry *e)
{
	e->state = get_u8(r);
	e->incarnation = get_u32(r);
	get_name(r, &e->name);
	get_addr(r, &e->addr);
	/* Only the states a member can be in travel (members.h). */
	if (e->state < 1 || e->state > 4)
		r->bad = true;
}

static void get_range_entry(struct rbuf *r, u8 type, struct gc_range_entry *e)
{
	get_name(r, &e->origin);
	e->boot = get_u64(r);
	e->a = get_u64(r);
	e->b = get_u64(r);
	if (type == GC_MSG_DIGEST) {
		/* low >= 1 and contig >= low - 1: an empty window is low - 1. */
		if (e->a < 1 || e->b < e->a - 1 || e->a > GC_ITEM_SEQ_MAX || e->b > GC_ITEM_SEQ_MAX)
			r->bad = true;
	} else if (e->a < 1 || e->b < e->a || e->b - e->a >= GC_WANT_MAX_SPAN ||
		   e->b > GC_ITEM_SEQ_MAX) {
		r->bad = true;
	}
}

static void get_agg_entry(struct rbuf *r, struct gc_agg_entry *e)
{
	get_name(r, &e->name);
	if (e->name.p && e->name.len >= GC_AGG_NAME_MAX)
		r->bad = true;
	e->s_hi = (s64)get_u64(r);
	e->s_lo = get_u64(r);
	e->w = get_u64(r);
	e->min = (s64)get_u64(r);
	e->max = (s64)get_u64(r);
}

/* Fragment rules: a fragment starts at a multiple of GC_FRAG_UNIT and is a
 * multiple of it long, unless it ends the item.
 */
static bool frag_valid(const struct gc_msg *m)
{
	u32 end = (u32)m->frag_off + m->frag_len;

	return m->total >= 1 && m->total <= GC_ITEM_MAX_LEN && m->frag_len >= 1 &&
	       end <= m->total && m->frag_off % GC_FRAG_UNIT == 0 &&
	       (end == m->total || m->frag_len % GC_FRAG_UNIT == 0);
}

static void get_item(struct rbuf *r, struct gc_msg *m)
{
	m->hops = get_u8(r);
	m->flags = get_u8(r);
	m->item_type = get_u8(r);
	m->item_boot = get_u64(r);
	m->item_seq = get_u64(r);
	get_name(r, &m->name);
	m->id = take(r, GC_ITEM_ID_LEN);
	m->total = get_u16(r);
	m->frag_off = get_u16(r);
	if (r->bad)
		return;
	/* The data is the rest of the message. */
	m->frag_len = (u16)(r->len - r->off);
	m->data = take(r, m->frag_len);
	if (m->flags & ~GC_ITEM_F_ANSWER || m->item_seq == 0 || m->item_seq > GC_ITEM_SEQ_MAX ||
	    !frag_valid(m))
		r->bad = true;
}

enum gc_wire_err gc_decode_msg(const u8 *body, size_t len, size_t *off, struct gc_msg *m)
{
	struct gc_range_entry re;
	struct gc_agg_entry ae;
	struct rbuf outer = { .p = body, .len = len, .off = *off };
	struct rbuf r;
	struct gc_state_entry e;
	const u8 *payload;
	u16 plen, i;

	memset(m, 0, sizeof(*m));
	m->type = get_u8(&outer);
	plen = get_u16(&outer);
	payload = take(&outer, plen);
	if (!payload)
		return GC_WIRE_SHORT;
	r = (struct rbuf){ .p = payload, .len = plen };

	switch (m->type) {
	case GC_MSG_PING:
		m->seq = get_u32(&r);
		get_name(&r, &m->name);
		break;
	case GC_MSG_ACK:
	case GC_MSG_NACK:
		m->seq = get_u32(&r);
		break;
	case GC_MSG_PING_REQ:
		m->seq = get_u32(&r);
		get_name(&r, &m->name);
		get_addr(&r, &m->addr);
		break;
	case GC_MSG_ALIVE:
		m->incarnation = get_u32(&r);
		get_name(&r, &m->name);
		get_addr(&r, &m->addr);
		break;
	case GC_MSG_SUSPECT:
	case GC_MSG_DEAD:
		m->incarnation = get_u32(&r);
		get_name(&r, &m->name);
		get_name(&r, &m->from);
		break;
	case GC_MSG_STATE:
		m->flags = get_u8(&r);
		m->count = get_u16(&r);
		m->entries = r.p + r.off;
		m->entries_len = (u16)(r.len - r.off);
		for (i = 0; i < m->count && !r.bad; i++)
			get_state_entry(&r, &e);
		break;
	case GC_MSG_ITEM:
		get_item(&r, m);
		break;
	case GC_MSG_DIGEST:
	case GC_MSG_WANT:
	case GC_MSG_GONE:
		m->flags = get_u8(&r);
		m->count = get_u16(&r);
		m->entries = r.p + r.off;
		m->entries_len = (u16)(r.len - r.off);
		if (m->flags & ~(m->type == GC_MSG_DIGEST ? GC_DIGEST_F_REQUEST : 0))
			r.bad = true;
		for (i = 0; i < m->count && !r.bad; i++)
			get_range_entry(&r, m->type, &re);
		break;
	case GC_MSG_AGG:
		m->flags = get_u8(&r);
		m->count = get_u16(&r);
		m->incarnation = get_u32(&r);
		get_name(&r, &m->name);
		m->agg_c = get_u64(&r);
		m->agg_g = get_u64(&r);
		if (m->flags || m->count > GC_AGG_MAX || !m->incarnation)
			r.bad = true;
		m->entries = r.p + r.off;
		m->entries_len = r.bad ? 0 : (u16)(r.len - r.off);
		for (i = 0; i < m->count && !r.bad; i++)
			get_agg_entry(&r, &ae);
		break;
	default:
		/* Unknown types are skipped whole: newer peers may add some. */
		*off = outer.off;
		return GC_WIRE_OK;
	}
	/* A message must be exactly as long as its fields. */
	if (r.bad || r.off != r.len)
		return GC_WIRE_MALFORMED;
	*off = outer.off;
	return GC_WIRE_OK;
}

enum gc_wire_err gc_next_state_entry(const struct gc_msg *m, size_t *off,
				     struct gc_state_entry *e)
{
	struct rbuf r = { .p = m->entries, .len = m->entries_len, .off = *off };

	get_state_entry(&r, e);
	if (r.bad)
		return GC_WIRE_MALFORMED;
	*off = r.off;
	return GC_WIRE_OK;
}

enum gc_wire_err gc_next_range_entry(const struct gc_msg *m, size_t *off,
				     struct gc_range_entry *e)
{
	struct rbuf r = { .p = m->entries, .len = m->entries_len, .off = *off };

	get_range_entry(&r, m->type, e);
	if (r.bad)
		return GC_WIRE_MALFORMED;
	*off = r.off;
	return GC_WIRE_OK;
}

enum gc_wire_err gc_next_agg_entry(const struct gc_msg *m, size_t *off, struct gc_agg_entry *e)
{
	struct rbuf r = { .p = m->entries, .len = m->entries_len, .off = *off };

	get_agg_entry(&r, e);
	if (r.bad)
		return GC_WIRE_MALFORMED;
	*off = r.off;
	return GC_WIRE_OK;
}

/* ---- packets ---- */

size_t gc_packet_seal(const struct gc_keyring *kr, const u8 *body, size_t body_len, u8 *out,
		      size_t cap)
{
	u32 crc;

	if (kr && kr->count) {
		if (cap < GC_SEAL_OVERHEAD || cap - GC_SEAL_OVERHEAD < body_len)
			return 0;
		out[0] = GC_WIRE_VERSION;
		out[1] = GC_WIRE_FLAG_SEALED;
		gc_random_bytes(out + 2, GC_AEAD_NONCE_LEN);
		gc_aead_seal(out + GC_SEALED_HDR_LEN, body, body_len, out, 2, out + 2,
			     kr->keys[0]);
		return GC_SEAL_OVERHEAD + body_len;
	}
	if (cap < GC_PLAIN_HDR_LEN || cap - GC_PLAIN_HDR_LEN < body_len)
		return 0;
	out[0] = GC_WIRE_VERSION;
	out[1] = 0;
	memcpy(out + GC_PLAIN_HDR_LEN, body, body_len);
	crc = gc_crc32(gc_crc32(0, out, 2), body, body_len);
	put_u32(out + 2, crc);
	return GC_PLAIN_HDR_LEN + body_len;
}

enum gc_wire_err gc_packet_open(const struct gc_keyring *kr, const u8 *pkt, size_t len, u8 *body,
				size_t *body_len, int *key_index)
{
	u32 crc;
	int i;

	*key_index = -1;
	if (len < 2)
		return GC_WIRE_SHORT;
	if (pkt[0] != GC_WIRE_VERSION || (pkt[1] & ~GC_WIRE_FLAG_SEALED))
		return GC_WIRE_BAD_VERSION;
	if (pkt[1] & GC_WIRE_FLAG_SEALED) {
		if (!kr || !kr->count)
			return GC_WIRE_NO_KEY;
		if (len < GC_SEAL_OVERHEAD)
			return GC_WIRE_SHORT;
		/* Newest first: after a rotation most traffic uses the primary. */
		for (i = 0; i < kr->count; i++) {
			if (!gc_aead_open(body, pkt + GC_SEALED_HDR_LEN, len - GC_SEALED_HDR_LEN,
					  pkt, 2, pkt + 2, kr->keys[i])) {
				*body_len = len - GC_SEAL_OVERHEAD;
				*key_index = i;
				return GC_WIRE_OK;
			}
		}
		return GC_WIRE_AUTH;
	}
	if (kr && kr->count)
		return GC_WIRE_UNSEALED;
	if (len < GC_PLAIN_HDR_LEN)
		return GC_WIRE_SHORT;
	crc = gc_crc32(gc_crc32(0, pkt, 2), pkt + GC_PLAIN_HDR_LEN, len - GC_PLAIN_HDR_LEN);
	if (crc != ((u32)pkt[2] << 24 | (u32)pkt[3] << 16 | (u32)pkt[4] << 8 | pkt[5]))
		return GC_WIRE_CHECKSUM;
	memcpy(body, pkt + GC_PLAIN_HDR_LEN, len - GC_PLAIN_HDR_LEN);
	*body_len = len - GC_PLAIN_HDR_LEN;
	return GC_WIRE_OK;
}

/* ---- keyring ---- */

static int key_find(const struct gc_keyring *kr, const u8 *key)
{
	int i;

	for (i = 0; i < kr->count; i++)
		if (!memcmp(kr->keys[i], key, GC_AEAD_KEY_LEN))
			return i;
	return -1;
}

/* A new key is accepted for receiving; the primary stays until gc_keyring_use. */
int gc_keyring_add(struct gc_keyring *kr, const u8 *key)
{
	if (key_find(kr, key) >= 0)
		return 0;
	if (kr->count >= GC_KEYRING_MAX)
		return -1;
	memcpy(kr->keys[kr->count++], key, GC_AEAD_KEY_LEN);
	return 0;
}

int gc_keyring_use(struct gc_keyring *kr, const u8 *key)
{
	u8 tmp[GC_AEAD_KEY_LEN];
	int i = key_find(kr, key);

	if (i < 0)
		return -1;
	memcpy(tmp, kr->keys[i], GC_AEAD_KEY_LEN);
	memmove(kr->keys[1], kr->keys[0], (size_t)i * GC_AEAD_KEY_LEN);
	memcpy(kr->keys[0], tmp, GC_AEAD_KEY_LEN);
	memset(tmp, 0, sizeof(tmp));
	return 0;
}

/* The primary cannot be removed while other keys remain: switch first. */
int gc_keyring_remove(struct gc_keyring *kr, const u8 *key)
{
	int i = key_find(kr, key);

	if (i < 0 || (i == 0 && kr->count > 1))
		return -1;
	memmove(kr->keys[i], kr->keys[i + 1], (size_t)(kr->count - i - 1) * GC_AEAD_KEY_LEN);
	kr->count--;
	memset(kr->keys[kr->count], 0, GC_AEAD_KEY_LEN);
	return 0;
}

bool gc_addr_equal(const struct gc_addr *a, const struct gc_addr *b)
{
	return a->family == b->family && a->port == b->port &&
	       !memcmp(a->ip, b->ip, a->family == 6 ? 16 : 4);
}
