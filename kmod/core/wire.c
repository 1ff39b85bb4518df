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
	u8 *p = begin_msg(b, GC_MSG_STATE, 3);

	if (!p)
		return 0;
	put_u8(p, flags);
	put_u16(p + 1, 0);
	return GC_MSG_HDR_LEN + 3;
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
	u8 *m = b->p + start;

	put_u16(m + 1, (u16)(b->len - start - GC_MSG_HDR_LEN));
	put_u16(m + GC_MSG_HDR_LEN + 1, count);
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

enum gc_wire_err gc_decode_msg(const u8 *body, size_t len, size_t *off, struct gc_msg *m)
{
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
