// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for kmod/core/wire.c: message encoding and decoding, STATE
 * chunks, ITEM (and fragments), DIGEST, WANT and AGG, truncated and
 * malformed input, packet sealing (plain CRC32 and XChaCha20-Poly1305 as
 * libsodium's IETF construction) and the keyring.
 */

#include "kselftest_harness.h"

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/members.h"
#include "core/wire.h"

#define BUF_CAP 4096

static struct gc_addr v4(u8 a, u8 b, u8 c, u8 d, u16 port)
{
	struct gc_addr x;

	memset(&x, 0, sizeof(x));
	x.family = 4;
	x.ip[0] = a;
	x.ip[1] = b;
	x.ip[2] = c;
	x.ip[3] = d;
	x.port = port;
	return x;
}

static struct gc_addr v6(u8 last, u16 port)
{
	struct gc_addr x;
	int i;

	memset(&x, 0, sizeof(x));
	x.family = 6;
	for (i = 0; i < 16; i++)
		x.ip[i] = (u8)(0x20 + i);
	x.ip[15] = last;
	x.port = port;
	return x;
}

static struct gc_wbuf wbuf(u8 *p, size_t cap)
{
	return (struct gc_wbuf){.p = p, .cap = cap};
}

static bool name_eq(const struct gc_name *n, const char *s)
{
	return n->p && n->len == strlen(s) && !memcmp(n->p, s, n->len);
}

/* A copy of len bytes in a heap block of exactly that size, so ASan reports
 * any read past the end.
 */
static u8 *exact_copy(const u8 *p, size_t len)
{
	u8 *q = malloc(len ? len : 1);

	memcpy(q, p, len);
	return q;
}

static void fill_key(u8 *key, u8 seed)
{
	int i;

	for (i = 0; i < GC_AEAD_KEY_LEN; i++)
		key[i] = (u8)(seed * 31 + i);
}

/* ---- round trips of each message type ---- */

TEST(ping_round_trip)
{
	u8 buf[BUF_CAP];
	struct gc_wbuf b = wbuf(buf, sizeof(buf));
	struct gc_msg m;
	size_t off = 0, n;

	n = gc_put_ping(&b, 0xdeadbeef, "node-1", 6);
	ASSERT_EQ(GC_MSG_HDR_LEN + 4 + 1 + 6, n);
	ASSERT_EQ(n, b.len);
	/* Header: type, big-endian length. */
	EXPECT_EQ(GC_MSG_PING, buf[0]);
	EXPECT_EQ(0, buf[1]);
	EXPECT_EQ(11, buf[2]);
	/* seq is big endian. */
	EXPECT_EQ(0xde, buf[3]);
	EXPECT_EQ(0xef, buf[6]);
	ASSERT_EQ(GC_WIRE_OK, gc_decode_msg(buf, b.len, &off, &m));
	EXPECT_EQ(b.len, off);
	EXPECT_EQ(GC_MSG_PING, m.type);
	EXPECT_EQ(0xdeadbeef, m.seq);
	EXPECT_TRUE(name_eq(&m.name, "node-1"));
}

TEST(ack_and_nack_round_trip)
{
	u8 buf[BUF_CAP];
	struct gc_wbuf b = wbuf(buf, sizeof(buf));
	struct gc_msg m;
	size_t off = 0;

	ASSERT_EQ(7, gc_put_ack(&b, GC_MSG_ACK, 1));
	ASSERT_EQ(7, gc_put_ack(&b, GC_MSG_NACK, 0xffffffff));
	ASSERT_EQ(GC_WIRE_OK, gc_decode_msg(buf, b.len, &off, &m));
	EXPECT_EQ(GC_MSG_ACK, m.type);
	EXPECT_EQ(1, m.seq);
	EXPECT_EQ(7, off);
	ASSERT_EQ(GC_WIRE_OK, gc_decode_msg(buf, b.len, &off, &m));
	EXPECT_EQ(GC_MSG_NACK, m.type);
	EXPECT_EQ(0xffffffff, m.seq);
	EXPECT_EQ(14, off);
}

TEST(ping_req_round_trip)
{
	u8 buf[BUF_CAP];
	struct gc_wbuf b = wbuf(buf, sizeof(buf));
	struct gc_addr a4 = v4(10, 1, 2, 3, 7947), a6 = v6(9, 65535);
	struct gc_msg m;
	size_t off = 0;

	ASSERT_EQ(GC_MSG_HDR_LEN + 4 + 1 + 3 + 7, gc_put_ping_req(&b, 42, "tgt", 3, &a4));
	ASSERT_EQ(GC_MSG_HDR_LEN + 4 + 1 + 4 + 19, gc_put_ping_req(&b, 43, "tgt6", 4, &a6));
	ASSERT_EQ(GC_WIRE_OK, gc_decode_msg(buf, b.len, &off, &m));
	EXPECT_EQ(GC_MSG_PING_REQ, m.type);
	EXPECT_EQ(42, m.seq);
	EXPECT_TRUE(name_eq(&m.name, "tgt"));
	EXPECT_TRUE(gc_addr_equal(&a4, &m.addr));
	EXPECT_EQ(4, m.addr.family);
	EXPECT_EQ(7947, m.addr.port);
	ASSERT_EQ(GC_WIRE_OK, gc_decode_msg(buf, b.len, &off, &m));
	EXPECT_EQ(43, m.seq);
	EXPECT_TRUE(name_eq(&m.name, "tgt6"));
	EXPECT_EQ(6, m.addr.family);
	EXPECT_EQ(0, memcmp(a6.ip, m.addr.ip, 16));
	EXPECT_EQ(65535, m.addr.port);
	EXPECT_EQ(b.len, off);
}

TEST(alive_round_trip)
{
	u8 buf[BUF_CAP];
	struct gc_wbuf b = wbuf(buf, sizeof(buf));
	struct gc_addr a = v4(192, 168, 0, 1, 1);
	struct gc_msg m;
	size_t off = 0;
	char name[GC_NODE_NAME_MAX - 1];

	memset(name, 'n', sizeof(name));
	ASSERT_NE(0, gc_put_alive(&b, 0x01020304, name, sizeof(name), &a));
	ASSERT_EQ(GC_WIRE_OK, gc_decode_msg(buf, b.len, &off, &m));
	EXPECT_EQ(GC_MSG_ALIVE, m.type);
	EXPECT_EQ(0x01020304, m.incarnation);
	EXPECT_EQ(sizeof(name), m.name.len);
	EXPECT_EQ(0, memcmp(name, m.name.p, sizeof(name)));
	EXPECT_TRUE(gc_addr_equal(&a, &m.addr));
	/* The incarnation is big endian right after the header. */
	EXPECT_EQ(0x01, buf[3]);
	EXPECT_EQ(0x04, buf[6]);
}

TEST(suspect_and_dead_round_trip)
{
	u8 buf[BUF_CAP];
	struct gc_wbuf b = wbuf(buf, sizeof(buf));
	struct gc_msg m;
	size_t off = 0;

	ASSERT_EQ(GC_MSG_HDR_LEN + 4 + 2 + 3,
		  gc_put_accuse(&b, GC_MSG_SUSPECT, 7, "a", 1, "bc", 2));
	ASSERT_NE(0, gc_put_accuse(&b, GC_MSG_DEAD, 8, "x.y", 3, "x.y", 3));
	ASSERT_EQ(GC_WIRE_OK, gc_decode_msg(buf, b.len, &off, &m));
	EXPECT_EQ(GC_MSG_SUSPECT, m.type);
	EXPECT_EQ(7, m.incarnation);
	EXPECT_TRUE(name_eq(&m.name, "a"));
	EXPECT_TRUE(name_eq(&m.from, "bc"));
	ASSERT_EQ(GC_WIRE_OK, gc_decode_msg(buf, b.len, &off, &m));
	EXPECT_EQ(GC_MSG_DEAD, m.type);
	EXPECT_EQ(8, m.incarnation);
	EXPECT_TRUE(name_eq(&m.name, "x.y"));
	EXPECT_TRUE(name_eq(&m.from, "x.y"));
	EXPECT_EQ(b.len, off);
}

/* A probe and its piggybacked rumors, decoded in order. */
static size_t build_compound(u8 *buf, size_t cap, size_t *bounds, size_t *nbounds)
{
	struct gc_wbuf b = wbuf(buf, cap);
	struct gc_addr a = v4(10, 0, 0, 1, 7947), a6 = v6(1, 7947);
	size_t start;

	*nbounds = 0;
	gc_put_ping(&b, 1, "target", 6);
	bounds[(*nbounds)++] = b.len;
	gc_put_alive(&b, 2, "n1", 2, &a);
	bounds[(*nbounds)++] = b.len;
	gc_put_accuse(&b, GC_MSG_SUSPECT, 3, "n2", 2, "n1", 2);
	bounds[(*nbounds)++] = b.len;
	gc_put_accuse(&b, GC_MSG_DEAD, 4, "n3", 2, "n1", 2);
	bounds[(*nbounds)++] = b.len;
	gc_put_ping_req(&b, 5, "n4", 2, &a6);
	bounds[(*nbounds)++] = b.len;
	gc_put_ack(&b, GC_MSG_NACK, 6);
	bounds[(*nbounds)++] = b.len;
	start = b.len;
	gc_begin_state(&b, GC_STATE_F_REQUEST);
	gc_put_state_entry(&b, GC_MEMBER_ALIVE, 1, "s1", 2, &a);
	gc_put_state_entry(&b, GC_MEMBER_LEFT, 2, "s2", 2, &a6);
	gc_end_state(&b, start, 2);
	bounds[(*nbounds)++] = b.len;
	return b.overflow ? 0 : b.len;
}

TEST(compound_body)
{
	static const u8 types[] = {GC_MSG_PING,	    GC_MSG_ALIVE, GC_MSG_SUSPECT, GC_MSG_DEAD,
				   GC_MSG_PING_REQ, GC_MSG_NACK,  GC_MSG_STATE};
	u8 buf[BUF_CAP];
	size_t bounds[16], nb, len, off = 0;
	struct gc_msg m;
	unsigned int i;

	len = build_compound(buf, sizeof(buf), bounds, &nb);
	ASSERT_NE(0, len);
	ASSERT_EQ(sizeof(types), nb);
	for (i = 0; i < nb; i++) {
		ASSERT_EQ(GC_WIRE_OK, gc_decode_msg(buf, len, &off, &m));
		EXPECT_EQ(types[i], m.type);
		EXPECT_EQ(bounds[i], off);
		EXPECT_EQ(i + 1, m.type == GC_MSG_STATE ? 7 : m.seq + m.incarnation);
	}
	EXPECT_EQ(len, off);
	/* At the end there is nothing more to decode. */
	EXPECT_EQ(GC_WIRE_SHORT, gc_decode_msg(buf, len, &off, &m));
	EXPECT_EQ(len, off);
}

TEST(truncation_at_every_offset)
{
	u8 buf[BUF_CAP];
	size_t bounds[16], nb, len, cut, off, n;
	enum gc_wire_err err;
	struct gc_msg m;
	struct gc_state_entry e;

	len = build_compound(buf, sizeof(buf), bounds, &nb);
	ASSERT_NE(0, len);
	for (cut = 0; cut < len; cut++) {
		u8 *p = exact_copy(buf, cut);
		bool boundary = cut == 0;
		size_t i, before = 0;

		for (i = 0; i < nb; i++) {
			if (bounds[i] == cut)
				boundary = true;
			if (bounds[i] <= cut)
				before++;
		}
		off = 0;
		n = 0;
		err = GC_WIRE_OK;
		while (off < cut) {
			size_t prev = off;

			err = gc_decode_msg(p, cut, &off, &m);
			if (err) {
				/* A failed decode does not move the offset. */
				EXPECT_EQ(prev, off);
				break;
			}
			ASSERT_GT(off, prev);
			ASSERT_LE(off, cut);
			if (m.type == GC_MSG_STATE) {
				size_t eo = 0;
				u16 k;

				for (k = 0; k < m.count; k++)
					ASSERT_EQ(GC_WIRE_OK, gc_next_state_entry(&m, &eo, &e));
				EXPECT_EQ(m.entries_len, eo);
			}
			n++;
		}
		if (boundary) {
			EXPECT_EQ(GC_WIRE_OK, err)
			{
				TH_LOG("cut at %zu", cut);
			}
			EXPECT_EQ(before, n);
		} else {
			EXPECT_EQ(GC_WIRE_SHORT, err)
			{
				TH_LOG("cut at %zu", cut);
			}
			EXPECT_EQ(before, n);
		}
		free(p);
	}
}

TEST(length_field_longer_or_shorter_than_fields)
{
	u8 buf[BUF_CAP];
	struct gc_wbuf b = wbuf(buf, sizeof(buf));
	struct gc_addr a = v4(10, 0, 0, 1, 7947);
	struct gc_msg m;
	size_t off, n;
	u8 *p;

	n = gc_put_alive(&b, 1, "abc", 3, &a);
	ASSERT_NE(0, n);
	/* One byte more: an extra byte inside the payload. */
	memcpy(buf + n, buf, n);
	buf[n + 2]++;
	buf[2 * n] = 0;
	p = exact_copy(buf + n, n + 1);
	off = 0;
	EXPECT_EQ(GC_WIRE_MALFORMED, gc_decode_msg(p, n + 1, &off, &m));
	EXPECT_EQ(0, off);
	free(p);

	/* One byte less: the port does not fit the payload. */
	memcpy(buf + n, buf, n);
	buf[n + 2]--;
	p = exact_copy(buf + n, n);
	off = 0;
	EXPECT_EQ(GC_WIRE_MALFORMED, gc_decode_msg(p, n, &off, &m));
	EXPECT_EQ(0, off);
	free(p);

	/* ACK with 5 and 3 bytes of payload. */
	{
		u8 ack5[] = {GC_MSG_ACK, 0, 5, 0, 0, 0, 1, 0};
		u8 ack3[] = {GC_MSG_ACK, 0, 3, 0, 0, 1};
		u8 empty_ping[] = {GC_MSG_PING, 0, 0};

		off = 0;
		EXPECT_EQ(GC_WIRE_MALFORMED, gc_decode_msg(ack5, sizeof(ack5), &off, &m));
		off = 0;
		EXPECT_EQ(GC_WIRE_MALFORMED, gc_decode_msg(ack3, sizeof(ack3), &off, &m));
		off = 0;
		EXPECT_EQ(GC_WIRE_MALFORMED,
			  gc_decode_msg(empty_ping, sizeof(empty_ping), &off, &m));
	}
}

TEST(length_field_past_the_body_is_short)
{
	u8 msg[] = {GC_MSG_ACK, 0, 5, 0, 0, 0, 1};
	u8 huge[] = {GC_MSG_ACK, 0xff, 0xff, 0, 0, 0, 1};
	struct gc_msg m;
	size_t off = 0;

	EXPECT_EQ(GC_WIRE_SHORT, gc_decode_msg(msg, sizeof(msg), &off, &m));
	EXPECT_EQ(GC_WIRE_SHORT, gc_decode_msg(huge, sizeof(huge), &off, &m));
	EXPECT_EQ(0, off);
}

static enum gc_wire_err decode_one(const u8 *p, size_t len)
{
	struct gc_msg m;
	size_t off = 0;
	u8 *q = exact_copy(p, len);
	enum gc_wire_err err = gc_decode_msg(q, len, &off, &m);

	free(q);
	return err;
}

TEST(invalid_names)
{
	u8 buf[BUF_CAP];
	struct gc_wbuf b;
	struct gc_addr a = v4(10, 0, 0, 1, 7947);
	char long_name[GC_NODE_NAME_MAX];

	memset(long_name, 'x', sizeof(long_name));

	b = wbuf(buf, sizeof(buf));
	ASSERT_NE(0, gc_put_ping(&b, 1, "", 0));
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(buf, b.len));

	b = wbuf(buf, sizeof(buf));
	ASSERT_NE(0, gc_put_ping(&b, 1, "a b", 3));
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(buf, b.len));

	b = wbuf(buf, sizeof(buf));
	ASSERT_NE(0, gc_put_alive(&b, 1, "caf\xc3\xa9", 5, &a));
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(buf, b.len));

	b = wbuf(buf, sizeof(buf));
	ASSERT_NE(0, gc_put_alive(&b, 1, "a/b", 3, &a));
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(buf, b.len));

	/* 64 bytes is one more than a name may have. */
	b = wbuf(buf, sizeof(buf));
	ASSERT_NE(0, gc_put_alive(&b, 1, long_name, sizeof(long_name), &a));
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(buf, b.len));
	b = wbuf(buf, sizeof(buf));
	ASSERT_NE(0, gc_put_alive(&b, 1, long_name, sizeof(long_name) - 1, &a));
	EXPECT_EQ(GC_WIRE_OK, decode_one(buf, b.len));

	/* The accuser of a SUSPECT is a name too. */
	b = wbuf(buf, sizeof(buf));
	ASSERT_NE(0, gc_put_accuse(&b, GC_MSG_SUSPECT, 1, "ok", 2, "", 0));
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(buf, b.len));
	b = wbuf(buf, sizeof(buf));
	ASSERT_NE(0, gc_put_accuse(&b, GC_MSG_DEAD, 1, "ok", 2, "bad:", 4));
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(buf, b.len));

	/* A PING_REQ target. */
	b = wbuf(buf, sizeof(buf));
	ASSERT_NE(0, gc_put_ping_req(&b, 1, "t t", 3, &a));
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(buf, b.len));
}

TEST(invalid_addresses)
{
	u8 buf[BUF_CAP];
	struct gc_wbuf b;
	struct gc_addr a = v4(10, 0, 0, 1, 7947), zero_port = v4(10, 0, 0, 1, 0);
	struct gc_addr a6 = v6(1, 0);
	size_t n;

	/* Family 5: the encoder only writes 4 or 6, so patch the byte. */
	b = wbuf(buf, sizeof(buf));
	n = gc_put_alive(&b, 1, "abc", 3, &a);
	ASSERT_EQ(GC_WIRE_OK, decode_one(buf, n));
	ASSERT_EQ(4, buf[GC_MSG_HDR_LEN + 4 + 1 + 3]);
	buf[GC_MSG_HDR_LEN + 4 + 1 + 3] = 5;
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(buf, n));
	buf[GC_MSG_HDR_LEN + 4 + 1 + 3] = 0;
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(buf, n));

	/* Port 0, IPv4 and IPv6. */
	b = wbuf(buf, sizeof(buf));
	ASSERT_NE(0, gc_put_alive(&b, 1, "abc", 3, &zero_port));
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(buf, b.len));
	b = wbuf(buf, sizeof(buf));
	ASSERT_NE(0, gc_put_ping_req(&b, 1, "abc", 3, &a6));
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(buf, b.len));

	/* Family 6 in the family byte but only 4 address bytes: the length
	 * does not match the fields.
	 */
	b = wbuf(buf, sizeof(buf));
	n = gc_put_alive(&b, 1, "abc", 3, &a);
	buf[GC_MSG_HDR_LEN + 4 + 1 + 3] = 6;
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(buf, n));
}

TEST(unknown_type_is_skipped)
{
	u8 buf[BUF_CAP] = {200, 0, 5, 1, 2, 3, 4, 5};
	struct gc_wbuf b = wbuf(buf, sizeof(buf));
	struct gc_msg m;
	size_t off = 0;

	b.len = 8;
	ASSERT_NE(0, gc_put_ack(&b, GC_MSG_ACK, 77));
	/* Type 0 with an empty payload is unknown too. */
	buf[b.len++] = 0;
	buf[b.len++] = 0;
	buf[b.len++] = 0;
	ASSERT_EQ(GC_WIRE_OK, gc_decode_msg(buf, b.len, &off, &m));
	EXPECT_EQ(200, m.type);
	EXPECT_EQ(8, off);
	ASSERT_EQ(GC_WIRE_OK, gc_decode_msg(buf, b.len, &off, &m));
	EXPECT_EQ(GC_MSG_ACK, m.type);
	EXPECT_EQ(77, m.seq);
	EXPECT_EQ(15, off);
	ASSERT_EQ(GC_WIRE_OK, gc_decode_msg(buf, b.len, &off, &m));
	EXPECT_EQ(0, m.type);
	EXPECT_EQ(18, off);
	EXPECT_EQ(b.len, off);

	/* An unknown type whose payload runs past the body is still short. */
	buf[1] = 0x10;
	off = 0;
	EXPECT_EQ(GC_WIRE_SHORT, gc_decode_msg(buf, 8, &off, &m));
}

/* ---- STATE chunks ---- */

TEST(state_chunk_round_trip)
{
	u8 buf[BUF_CAP];
	struct gc_wbuf b = wbuf(buf, sizeof(buf));
	struct gc_addr a = v4(10, 0, 0, 7, 7000), a6 = v6(0x42, 7001);
	struct gc_state_entry e;
	struct gc_msg m;
	size_t start, off = 0, eoff = 0, n;

	ASSERT_NE(0, gc_put_ack(&b, GC_MSG_ACK, 9));
	start = b.len;
	ASSERT_EQ(GC_MSG_HDR_LEN + 3, gc_begin_state(&b, GC_STATE_F_REQUEST | GC_STATE_F_JOIN));
	n = gc_put_state_entry(&b, GC_MEMBER_ALIVE, 10, "alpha", 5, &a);
	EXPECT_EQ(gc_state_entry_len(5, &a), n);
	EXPECT_EQ(1 + 4 + 1 + 5 + 7, n);
	n = gc_put_state_entry(&b, GC_MEMBER_SUSPECT, 11, "beta", 4, &a6);
	EXPECT_EQ(gc_state_entry_len(4, &a6), n);
	EXPECT_EQ(1 + 4 + 1 + 4 + 19, n);
	ASSERT_NE(0, gc_put_state_entry(&b, GC_MEMBER_DEAD, 12, "gamma", 5, &a));
	ASSERT_NE(0, gc_put_state_entry(&b, GC_MEMBER_LEFT, 13, "delta", 5, &a6));
	gc_end_state(&b, start, 4);
	ASSERT_FALSE(b.overflow);

	ASSERT_EQ(GC_WIRE_OK, gc_decode_msg(buf, b.len, &off, &m));
	ASSERT_EQ(GC_WIRE_OK, gc_decode_msg(buf, b.len, &off, &m));
	EXPECT_EQ(b.len, off);
	EXPECT_EQ(GC_MSG_STATE, m.type);
	EXPECT_EQ(GC_STATE_F_REQUEST | GC_STATE_F_JOIN, m.flags);
	EXPECT_EQ(4, m.count);
	EXPECT_EQ(b.len - start - GC_MSG_HDR_LEN - 3, m.entries_len);
	EXPECT_EQ(buf + start + GC_MSG_HDR_LEN + 3, m.entries);

	ASSERT_EQ(GC_WIRE_OK, gc_next_state_entry(&m, &eoff, &e));
	EXPECT_EQ(GC_MEMBER_ALIVE, e.state);
	EXPECT_EQ(10, e.incarnation);
	EXPECT_TRUE(name_eq(&e.name, "alpha"));
	EXPECT_TRUE(gc_addr_equal(&a, &e.addr));
	ASSERT_EQ(GC_WIRE_OK, gc_next_state_entry(&m, &eoff, &e));
	EXPECT_EQ(GC_MEMBER_SUSPECT, e.state);
	EXPECT_EQ(11, e.incarnation);
	EXPECT_TRUE(name_eq(&e.name, "beta"));
	EXPECT_TRUE(gc_addr_equal(&a6, &e.addr));
	ASSERT_EQ(GC_WIRE_OK, gc_next_state_entry(&m, &eoff, &e));
	EXPECT_EQ(GC_MEMBER_DEAD, e.state);
	EXPECT_TRUE(name_eq(&e.name, "gamma"));
	ASSERT_EQ(GC_WIRE_OK, gc_next_state_entry(&m, &eoff, &e));
	EXPECT_EQ(GC_MEMBER_LEFT, e.state);
	EXPECT_EQ(13, e.incarnation);
	EXPECT_TRUE(name_eq(&e.name, "delta"));
	EXPECT_EQ(m.entries_len, eoff);
	/* Past the last entry. */
	EXPECT_EQ(GC_WIRE_MALFORMED, gc_next_state_entry(&m, &eoff, &e));
	EXPECT_EQ(m.entries_len, eoff);
}

TEST(state_chunk_empty)
{
	u8 buf[BUF_CAP];
	struct gc_wbuf b = wbuf(buf, sizeof(buf));
	struct gc_msg m;
	size_t off = 0;

	gc_begin_state(&b, 0);
	gc_end_state(&b, 0, 0);
	ASSERT_EQ(GC_WIRE_OK, gc_decode_msg(buf, b.len, &off, &m));
	EXPECT_EQ(0, m.count);
	EXPECT_EQ(0, m.entries_len);
	EXPECT_EQ(6, off);
}

TEST(state_chunk_bad_counts_and_entries)
{
	u8 buf[BUF_CAP], copy[BUF_CAP];
	struct gc_wbuf b = wbuf(buf, sizeof(buf));
	struct gc_addr a = v4(10, 0, 0, 7, 7000);
	size_t len;

	gc_begin_state(&b, 0);
	gc_put_state_entry(&b, GC_MEMBER_ALIVE, 1, "a1", 2, &a);
	gc_put_state_entry(&b, GC_MEMBER_DEAD, 1, "a2", 2, &a);
	gc_end_state(&b, 0, 2);
	len = b.len;
	ASSERT_EQ(GC_WIRE_OK, decode_one(buf, len));

	/* A count higher or lower than the entries present. */
	memcpy(copy, buf, len);
	copy[GC_MSG_HDR_LEN + 2] = 3;
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(copy, len));
	copy[GC_MSG_HDR_LEN + 2] = 1;
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(copy, len));
	copy[GC_MSG_HDR_LEN + 1] = 0xff;
	copy[GC_MSG_HDR_LEN + 2] = 0xff;
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(copy, len));

	/* Entry states outside 1..4. */
	memcpy(copy, buf, len);
	copy[GC_MSG_HDR_LEN + 3] = 0;
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(copy, len));
	copy[GC_MSG_HDR_LEN + 3] = 5;
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(copy, len));

	/* An entry with a bad name and one with port 0. */
	memcpy(copy, buf, len);
	copy[GC_MSG_HDR_LEN + 3 + 6] = '!';
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(copy, len));
	memcpy(copy, buf, len);
	copy[len - 1] = 0;
	copy[len - 2] = 0;
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(copy, len));

	/* A STATE payload shorter than flags and count. */
	{
		u8 tiny[] = {GC_MSG_STATE, 0, 2, 0, 0};

		EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(tiny, sizeof(tiny)));
	}
}

/* ---- encoder bounds ---- */

TEST(put_that_does_not_fit_writes_nothing)
{
	u8 buf[64];
	struct gc_wbuf b;
	struct gc_addr a = v4(10, 0, 0, 7, 7000);
	size_t need;

	/* An ALIVE of "abc" takes 3 + 4 + 4 + 7 = 18 bytes. */
	need = GC_MSG_HDR_LEN + 4 + 1 + 3 + 7;
	memset(buf, 0xaa, sizeof(buf));
	b = wbuf(buf, need - 1);
	EXPECT_EQ(0, gc_put_alive(&b, 1, "abc", 3, &a));
	EXPECT_TRUE(b.overflow);
	EXPECT_EQ(0, b.len);
	EXPECT_EQ(0xaa, buf[0]);
	/* Overflow is sticky: a smaller message does not go in after it. */
	EXPECT_EQ(0, gc_put_ack(&b, GC_MSG_ACK, 1));
	EXPECT_EQ(0, b.len);

	b = wbuf(buf, need);
	EXPECT_EQ(need, gc_put_alive(&b, 1, "abc", 3, &a));
	EXPECT_FALSE(b.overflow);
	EXPECT_EQ(need, b.len);
	EXPECT_EQ(0, gc_put_ack(&b, GC_MSG_ACK, 1));
	EXPECT_TRUE(b.overflow);
	EXPECT_EQ(need, b.len);

	b = wbuf(buf, 5);
	EXPECT_EQ(0, gc_begin_state(&b, 0));
	b = wbuf(buf, 6);
	EXPECT_EQ(6, gc_begin_state(&b, 0));
	EXPECT_EQ(0, gc_put_state_entry(&b, GC_MEMBER_ALIVE, 1, "x", 1, &a));
	EXPECT_TRUE(b.overflow);
	EXPECT_EQ(6, b.len);
}

/* ---- packets ---- */

static size_t sample_body(u8 *buf, size_t cap)
{
	size_t bounds[16], nb;

	return build_compound(buf, cap, bounds, &nb);
}

TEST(plain_packet_round_trip)
{
	u8 body[BUF_CAP], pkt[BUF_CAP], out[BUF_CAP];
	size_t len, plen, out_len = 0;
	struct gc_keyring empty = {0};
	int key = 99;
	u32 crc;

	len = sample_body(body, sizeof(body));
	plen = gc_packet_seal(&empty, body, len, pkt, sizeof(pkt));
	ASSERT_EQ(len + GC_PLAIN_HDR_LEN, plen);
	EXPECT_EQ(GC_WIRE_VERSION, pkt[0]);
	EXPECT_EQ(0, pkt[1]);
	/* CRC-32 of the two header bytes and the body, big endian. */
	crc = crc32(0, pkt, 2);
	crc = crc32(crc, body, len);
	EXPECT_EQ(crc, (u32)pkt[2] << 24 | (u32)pkt[3] << 16 | (u32)pkt[4] << 8 | pkt[5]);
	EXPECT_EQ(0, memcmp(body, pkt + GC_PLAIN_HDR_LEN, len));

	ASSERT_EQ(GC_WIRE_OK, gc_packet_open(&empty, pkt, plen, out, &out_len, &key));
	EXPECT_EQ(len, out_len);
	EXPECT_EQ(-1, key);
	EXPECT_EQ(0, memcmp(body, out, len));
	/* No keyring at all is the same as an empty one. */
	ASSERT_EQ(GC_WIRE_OK, gc_packet_open(NULL, pkt, plen, out, &out_len, &key));
	EXPECT_EQ(len, out_len);
	EXPECT_EQ(plen, gc_packet_seal(NULL, body, len, out, sizeof(out)));

	/* An empty body is a valid packet. */
	plen = gc_packet_seal(&empty, body, 0, pkt, sizeof(pkt));
	ASSERT_EQ(GC_PLAIN_HDR_LEN, plen);
	ASSERT_EQ(GC_WIRE_OK, gc_packet_open(&empty, pkt, plen, out, &out_len, &key));
	EXPECT_EQ(0, out_len);
}

TEST(plain_packet_every_flipped_bit)
{
	u8 body[BUF_CAP], pkt[BUF_CAP], out[BUF_CAP];
	size_t len, plen, out_len, i;
	struct gc_keyring empty = {0};
	int key, bit;

	len = sample_body(body, sizeof(body));
	plen = gc_packet_seal(&empty, body, len, pkt, sizeof(pkt));
	ASSERT_NE(0, plen);
	for (i = 0; i < plen; i++) {
		for (bit = 0; bit < 8; bit++) {
			enum gc_wire_err want, got;

			if (i == 0)
				want = GC_WIRE_BAD_VERSION;
			else if (i == 1 && bit == 0)
				want = GC_WIRE_NO_KEY; /* now flagged sealed */
			else if (i == 1)
				want = GC_WIRE_BAD_VERSION;
			else
				want = GC_WIRE_CHECKSUM;
			pkt[i] ^= 1 << bit;
			got = gc_packet_open(&empty, pkt, plen, out, &out_len, &key);
			pkt[i] ^= 1 << bit;
			EXPECT_EQ(want, got)
			{
				TH_LOG("byte %zu bit %d", i, bit);
			}
		}
	}
	ASSERT_EQ(GC_WIRE_OK, gc_packet_open(&empty, pkt, plen, out, &out_len, &key));
}

TEST(plain_packet_truncated)
{
	u8 body[BUF_CAP], pkt[BUF_CAP], out[BUF_CAP];
	size_t len, plen, out_len, cut;
	struct gc_keyring empty = {0};
	int key;

	len = sample_body(body, sizeof(body));
	plen = gc_packet_seal(&empty, body, len, pkt, sizeof(pkt));
	for (cut = 0; cut < plen; cut++) {
		u8 *p = exact_copy(pkt, cut);
		enum gc_wire_err err = gc_packet_open(&empty, p, cut, out, &out_len, &key);

		/* Shorter than the header, else the CRC no longer matches. */
		EXPECT_EQ(cut < GC_PLAIN_HDR_LEN ? GC_WIRE_SHORT : GC_WIRE_CHECKSUM, err)
		{
			TH_LOG("length %zu", cut);
		}
		free(p);
	}
}

TEST(seal_into_too_small_buffer)
{
	u8 body[64], pkt[BUF_CAP];
	struct gc_keyring kr = {0};
	u8 k[GC_AEAD_KEY_LEN];

	memset(body, 'b', sizeof(body));
	EXPECT_EQ(0, gc_packet_seal(&kr, body, sizeof(body), pkt, sizeof(body) + 5));
	EXPECT_EQ(sizeof(body) + 6, gc_packet_seal(&kr, body, sizeof(body), pkt, sizeof(body) + 6));
	EXPECT_EQ(0, gc_packet_seal(&kr, body, 0, pkt, 5));
	fill_key(k, 1);
	ASSERT_EQ(0, gc_keyring_add(&kr, k));
	EXPECT_EQ(0, gc_packet_seal(&kr, body, sizeof(body), pkt, sizeof(body) + 41));
	EXPECT_EQ(sizeof(body) + 42,
		  gc_packet_seal(&kr, body, sizeof(body), pkt, sizeof(body) + 42));
	EXPECT_EQ(0, gc_packet_seal(&kr, body, 0, pkt, 41));
}

/* "Returns the packet length, or 0 when it does not fit" for out of cap
 * bytes: with cap 0 not even the version byte may be written (a caller
 * sealing at the end of a full buffer would have it overwrite the next
 * object).
 */
TEST(seal_with_zero_capacity_writes_nothing)
{
	u8 body[8] = {0};
	struct gc_keyring empty = {0}, keyed = {0};
	u8 k[GC_AEAD_KEY_LEN], guard[1];

	guard[0] = 0xaa;
	EXPECT_EQ(0, gc_packet_seal(&empty, body, sizeof(body), guard, 0));
	EXPECT_EQ(0xaa, guard[0]);
	fill_key(k, 1);
	gc_keyring_add(&keyed, k);
	guard[0] = 0xaa;
	EXPECT_EQ(0, gc_packet_seal(&keyed, body, sizeof(body), guard, 0));
	EXPECT_EQ(0xaa, guard[0]);
}

TEST(sealed_packet_round_trip)
{
	u8 body[BUF_CAP], pkt[BUF_CAP], pkt2[BUF_CAP], out[BUF_CAP];
	size_t len, plen, plen2, out_len = 0;
	struct gc_keyring kr = {0};
	u8 k[GC_AEAD_KEY_LEN];
	int key = 99;

	fill_key(k, 1);
	ASSERT_EQ(0, gc_keyring_add(&kr, k));
	ASSERT_EQ(1, kr.count);
	len = sample_body(body, sizeof(body));
	plen = gc_packet_seal(&kr, body, len, pkt, sizeof(pkt));
	ASSERT_EQ(len + GC_SEAL_OVERHEAD, plen);
	EXPECT_EQ(GC_WIRE_VERSION, pkt[0]);
	EXPECT_EQ(GC_WIRE_FLAG_SEALED, pkt[1]);
	/* Encrypted: the body does not appear in clear. */
	EXPECT_NE(0, memcmp(body, pkt + GC_SEALED_HDR_LEN, len));
	ASSERT_EQ(GC_WIRE_OK, gc_packet_open(&kr, pkt, plen, out, &out_len, &key));
	EXPECT_EQ(len, out_len);
	EXPECT_EQ(0, key);
	EXPECT_EQ(0, memcmp(body, out, len));

	/* A fresh random nonce per packet. */
	plen2 = gc_packet_seal(&kr, body, len, pkt2, sizeof(pkt2));
	ASSERT_EQ(plen, plen2);
	EXPECT_NE(0, memcmp(pkt + 2, pkt2 + 2, GC_AEAD_NONCE_LEN));
	EXPECT_NE(0, memcmp(pkt, pkt2, plen));

	/* Empty body: just the header, nonce and tag. */
	plen = gc_packet_seal(&kr, body, 0, pkt, sizeof(pkt));
	ASSERT_EQ(GC_SEAL_OVERHEAD, plen);
	ASSERT_EQ(GC_WIRE_OK, gc_packet_open(&kr, pkt, plen, out, &out_len, &key));
	EXPECT_EQ(0, out_len);
}

TEST(sealed_packet_errors)
{
	u8 body[BUF_CAP], pkt[BUF_CAP], plain[BUF_CAP], out[BUF_CAP];
	size_t len, plen, plain_len, out_len, i;
	struct gc_keyring kr = {0}, other = {0}, empty = {0};
	u8 k1[GC_AEAD_KEY_LEN], k2[GC_AEAD_KEY_LEN];
	int key, bit;

	fill_key(k1, 1);
	fill_key(k2, 2);
	gc_keyring_add(&kr, k1);
	gc_keyring_add(&other, k2);
	len = sample_body(body, sizeof(body));
	plen = gc_packet_seal(&kr, body, len, pkt, sizeof(pkt));
	plain_len = gc_packet_seal(&empty, body, len, plain, sizeof(plain));
	ASSERT_NE(0, plen);
	ASSERT_NE(0, plain_len);

	EXPECT_EQ(GC_WIRE_AUTH, gc_packet_open(&other, pkt, plen, out, &out_len, &key));
	EXPECT_EQ(-1, key);
	EXPECT_EQ(GC_WIRE_UNSEALED, gc_packet_open(&kr, plain, plain_len, out, &out_len, &key));
	EXPECT_EQ(GC_WIRE_NO_KEY, gc_packet_open(&empty, pkt, plen, out, &out_len, &key));
	EXPECT_EQ(GC_WIRE_NO_KEY, gc_packet_open(NULL, pkt, plen, out, &out_len, &key));

	/* Bad version and unknown flag bits, plain and sealed. */
	pkt[0] = 2;
	EXPECT_EQ(GC_WIRE_BAD_VERSION, gc_packet_open(&kr, pkt, plen, out, &out_len, &key));
	pkt[0] = 0;
	EXPECT_EQ(GC_WIRE_BAD_VERSION, gc_packet_open(&kr, pkt, plen, out, &out_len, &key));
	pkt[0] = GC_WIRE_VERSION;
	pkt[1] = GC_WIRE_FLAG_SEALED | 0x80;
	EXPECT_EQ(GC_WIRE_BAD_VERSION, gc_packet_open(&kr, pkt, plen, out, &out_len, &key));
	pkt[1] = GC_WIRE_FLAG_SEALED;
	plain[0] = 0xff;
	EXPECT_EQ(GC_WIRE_BAD_VERSION,
		  gc_packet_open(&empty, plain, plain_len, out, &out_len, &key));
	plain[0] = GC_WIRE_VERSION;
	ASSERT_EQ(GC_WIRE_OK, gc_packet_open(&kr, pkt, plen, out, &out_len, &key));

	/* Any flipped bit after the version byte fails authentication (or
	 * turns the packet plain, which a keyed receiver refuses).
	 */
	for (i = 1; i < plen; i++) {
		for (bit = 0; bit < 8; bit++) {
			enum gc_wire_err want = GC_WIRE_AUTH, got;

			if (i == 1)
				want = bit == 0 ? GC_WIRE_UNSEALED : GC_WIRE_BAD_VERSION;
			pkt[i] ^= 1 << bit;
			got = gc_packet_open(&kr, pkt, plen, out, &out_len, &key);
			pkt[i] ^= 1 << bit;
			EXPECT_EQ(want, got)
			{
				TH_LOG("byte %zu bit %d", i, bit);
			}
		}
	}

	/* Truncated sealed packets: short below the overhead, else forged. */
	for (i = 0; i < plen; i++) {
		u8 *p = exact_copy(pkt, i);
		enum gc_wire_err err = gc_packet_open(&kr, p, i, out, &out_len, &key);

		EXPECT_EQ(i < GC_SEAL_OVERHEAD ? GC_WIRE_SHORT : GC_WIRE_AUTH, err)
		{
			TH_LOG("length %zu", i);
		}
		free(p);
	}
}

/* The sealed format is byte for byte libsodium's XChaCha20-Poly1305-IETF:
 * nonce at bytes 2..25, associated data the first 2 bytes.
 */
TEST(sealed_format_is_libsodium_xchacha20poly1305_ietf)
{
	u8 body[BUF_CAP], pkt[BUF_CAP], out[BUF_CAP], mine[BUF_CAP];
	size_t len, plen, out_len;
	unsigned long long mlen = 0, clen = 0;
	struct gc_keyring kr = {0};
	u8 k[GC_AEAD_KEY_LEN], ad[2] = {GC_WIRE_VERSION, GC_WIRE_FLAG_SEALED};
	int key;

	ASSERT_LE(0, sodium_init());
	fill_key(k, 3);
	gc_keyring_add(&kr, k);
	len = sample_body(body, sizeof(body));
	plen = gc_packet_seal(&kr, body, len, pkt, sizeof(pkt));
	ASSERT_EQ(len + 2 + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES +
			  crypto_aead_xchacha20poly1305_ietf_ABYTES,
		  plen);
	ASSERT_EQ(0, crypto_aead_xchacha20poly1305_ietf_decrypt(
			     out, &mlen, NULL, pkt + 2 + GC_AEAD_NONCE_LEN,
			     plen - 2 - GC_AEAD_NONCE_LEN, pkt, 2, pkt + 2, k));
	EXPECT_EQ(len, mlen);
	EXPECT_EQ(0, memcmp(body, out, len));
	/* The header bytes are authenticated as associated data. */
	EXPECT_NE(0, crypto_aead_xchacha20poly1305_ietf_decrypt(out, &mlen, NULL, pkt + 26,
								plen - 26, NULL, 0, pkt + 2, k));

	/* And the other way: a packet sealed by libsodium opens. */
	mine[0] = GC_WIRE_VERSION;
	mine[1] = GC_WIRE_FLAG_SEALED;
	randombytes_buf(mine + 2, GC_AEAD_NONCE_LEN);
	ASSERT_EQ(0, crypto_aead_xchacha20poly1305_ietf_encrypt(mine + 26, &clen, body, len, ad, 2,
								NULL, mine + 2, k));
	ASSERT_EQ(len + 16, clen);
	ASSERT_EQ(GC_WIRE_OK, gc_packet_open(&kr, mine, 26 + clen, out, &out_len, &key));
	EXPECT_EQ(len, out_len);
	EXPECT_EQ(0, memcmp(body, out, len));
	EXPECT_EQ(0, key);
}

/* ---- keyring ---- */

TEST(keyring_rotation)
{
	u8 body[BUF_CAP], old_pkt[BUF_CAP], new_pkt[BUF_CAP], out[BUF_CAP];
	size_t len, old_len, new_len, out_len;
	struct gc_keyring kr = {0}, old_only = {0}, new_only = {0};
	u8 k1[GC_AEAD_KEY_LEN], k2[GC_AEAD_KEY_LEN];
	int key;

	fill_key(k1, 1);
	fill_key(k2, 2);
	len = sample_body(body, sizeof(body));
	ASSERT_EQ(0, gc_keyring_add(&kr, k1));
	ASSERT_EQ(0, gc_keyring_add(&old_only, k1));
	ASSERT_EQ(0, gc_keyring_add(&new_only, k2));
	old_len = gc_packet_seal(&kr, body, len, old_pkt, sizeof(old_pkt));
	ASSERT_NE(0, old_len);

	/* Adding a key keeps the primary: still sealed with k1. */
	ASSERT_EQ(0, gc_keyring_add(&kr, k2));
	ASSERT_EQ(2, kr.count);
	EXPECT_EQ(0, memcmp(kr.keys[0], k1, GC_AEAD_KEY_LEN));
	new_len = gc_packet_seal(&kr, body, len, new_pkt, sizeof(new_pkt));
	EXPECT_EQ(GC_WIRE_OK, gc_packet_open(&old_only, new_pkt, new_len, out, &out_len, &key));
	/* Adding a key already there changes nothing. */
	ASSERT_EQ(0, gc_keyring_add(&kr, k2));
	EXPECT_EQ(2, kr.count);

	/* Switch the primary: new packets use k2, old ones open with key 1. */
	ASSERT_EQ(0, gc_keyring_use(&kr, k2));
	EXPECT_EQ(2, kr.count);
	EXPECT_EQ(0, memcmp(kr.keys[0], k2, GC_AEAD_KEY_LEN));
	EXPECT_EQ(0, memcmp(kr.keys[1], k1, GC_AEAD_KEY_LEN));
	ASSERT_EQ(GC_WIRE_OK, gc_packet_open(&kr, old_pkt, old_len, out, &out_len, &key));
	EXPECT_EQ(1, key);
	EXPECT_EQ(0, memcmp(body, out, len));
	new_len = gc_packet_seal(&kr, body, len, new_pkt, sizeof(new_pkt));
	ASSERT_EQ(GC_WIRE_OK, gc_packet_open(&kr, new_pkt, new_len, out, &out_len, &key));
	EXPECT_EQ(0, key);
	EXPECT_EQ(GC_WIRE_OK, gc_packet_open(&new_only, new_pkt, new_len, out, &out_len, &key));
	EXPECT_EQ(GC_WIRE_AUTH, gc_packet_open(&old_only, new_pkt, new_len, out, &out_len, &key));

	/* The primary cannot go while others remain. */
	EXPECT_EQ(-1, gc_keyring_remove(&kr, k2));
	EXPECT_EQ(2, kr.count);
	/* The old one can; then old packets no longer open. */
	ASSERT_EQ(0, gc_keyring_remove(&kr, k1));
	EXPECT_EQ(1, kr.count);
	EXPECT_EQ(0, memcmp(kr.keys[0], k2, GC_AEAD_KEY_LEN));
	EXPECT_EQ(GC_WIRE_AUTH, gc_packet_open(&kr, old_pkt, old_len, out, &out_len, &key));
	EXPECT_EQ(GC_WIRE_OK, gc_packet_open(&kr, new_pkt, new_len, out, &out_len, &key));
	/* Keys not in the ring. */
	EXPECT_EQ(-1, gc_keyring_remove(&kr, k1));
	EXPECT_EQ(-1, gc_keyring_use(&kr, k1));
	/* The last key may go: the node is back to plain packets. */
	ASSERT_EQ(0, gc_keyring_remove(&kr, k2));
	EXPECT_EQ(0, kr.count);
	new_len = gc_packet_seal(&kr, body, len, new_pkt, sizeof(new_pkt));
	EXPECT_EQ(len + GC_PLAIN_HDR_LEN, new_len);
	EXPECT_EQ(0, new_pkt[1]);
}

TEST(keyring_at_most_five_keys)
{
	struct gc_keyring kr = {0};
	u8 k[GC_KEYRING_MAX + 1][GC_AEAD_KEY_LEN], body[16] = {1}, pkt[128], out[128];
	size_t plen, out_len;
	int i, key;

	for (i = 0; i <= GC_KEYRING_MAX; i++)
		fill_key(k[i], (u8)(i + 10));
	for (i = 0; i < GC_KEYRING_MAX; i++)
		ASSERT_EQ(0, gc_keyring_add(&kr, k[i]));
	EXPECT_EQ(5, GC_KEYRING_MAX);
	EXPECT_EQ(GC_KEYRING_MAX, kr.count);
	EXPECT_EQ(-1, gc_keyring_add(&kr, k[GC_KEYRING_MAX]));
	EXPECT_EQ(GC_KEYRING_MAX, kr.count);
	/* A key already present is still accepted when full. */
	EXPECT_EQ(0, gc_keyring_add(&kr, k[2]));

	/* Each key opens its own packets, with its index in the ring. */
	for (i = 0; i < GC_KEYRING_MAX; i++) {
		struct gc_keyring one = {0};

		gc_keyring_add(&one, k[i]);
		plen = gc_packet_seal(&one, body, sizeof(body), pkt, sizeof(pkt));
		ASSERT_EQ(GC_WIRE_OK, gc_packet_open(&kr, pkt, plen, out, &out_len, &key));
		EXPECT_EQ(i, key);
	}

	/* Making the last one primary moves the others down one place. */
	ASSERT_EQ(0, gc_keyring_use(&kr, k[4]));
	for (i = 0; i < GC_KEYRING_MAX; i++)
		EXPECT_EQ(0, memcmp(kr.keys[i], k[(i + 4) % 5], GC_AEAD_KEY_LEN));
	/* Removing from the middle keeps the order of the rest. */
	ASSERT_EQ(0, gc_keyring_remove(&kr, k[1]));
	EXPECT_EQ(4, kr.count);
	EXPECT_EQ(0, memcmp(kr.keys[0], k[4], GC_AEAD_KEY_LEN));
	EXPECT_EQ(0, memcmp(kr.keys[1], k[0], GC_AEAD_KEY_LEN));
	EXPECT_EQ(0, memcmp(kr.keys[2], k[2], GC_AEAD_KEY_LEN));
	EXPECT_EQ(0, memcmp(kr.keys[3], k[3], GC_AEAD_KEY_LEN));
	/* Now there is room again. */
	EXPECT_EQ(0, gc_keyring_add(&kr, k[5]));
	EXPECT_EQ(5, kr.count);
}

/* ---- items, digests, wants, aggregates ---- */

static const u8 test_id[GC_ITEM_ID_LEN] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11,
					   12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
					   23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

static size_t put_test_item(u8 *buf, size_t cap, u8 flags, u64 seq, u16 total, u16 off,
			    const u8 *data, u16 len)
{
	struct gc_wbuf b = wbuf(buf, cap);

	return gc_put_item(&b, 7, flags, 0x42, 0x0102030405060708ULL, seq, "origin", 6, test_id,
			   total, off, data, len);
}

TEST(item_round_trip)
{
	u8 buf[BUF_CAP], data[600];
	struct gc_msg m;
	size_t n, off = 0;
	int i;

	for (i = 0; i < (int)sizeof(data); i++)
		data[i] = (u8)(i * 3);
	n = put_test_item(buf, sizeof(buf), GC_ITEM_F_ANSWER, 99, 600, 0, data, 600);
	ASSERT_EQ(GC_MSG_HDR_LEN + GC_ITEM_HDR_LEN + 6 + 600, n);
	EXPECT_EQ(GC_MSG_ITEM, buf[0]);
	EXPECT_EQ((n - 3) >> 8, buf[1]);
	EXPECT_EQ((n - 3) & 0xff, buf[2]);
	/* hops, flags, type, then boot and seq big endian. */
	EXPECT_EQ(7, buf[3]);
	EXPECT_EQ(GC_ITEM_F_ANSWER, buf[4]);
	EXPECT_EQ(0x42, buf[5]);
	EXPECT_EQ(0x01, buf[6]);
	EXPECT_EQ(0x08, buf[13]);
	EXPECT_EQ(99, buf[21]);
	ASSERT_EQ(GC_WIRE_OK, gc_decode_msg(buf, n, &off, &m));
	EXPECT_EQ(n, off);
	EXPECT_EQ(GC_MSG_ITEM, m.type);
	EXPECT_EQ(7, m.hops);
	EXPECT_EQ(GC_ITEM_F_ANSWER, m.flags);
	EXPECT_EQ(0x42, m.item_type);
	EXPECT_EQ(0x0102030405060708ULL, m.item_boot);
	EXPECT_EQ(99, m.item_seq);
	EXPECT_TRUE(name_eq(&m.name, "origin"));
	EXPECT_EQ(0, memcmp(m.id, test_id, GC_ITEM_ID_LEN));
	EXPECT_EQ(600, m.total);
	EXPECT_EQ(0, m.frag_off);
	EXPECT_EQ(600, m.frag_len);
	EXPECT_EQ(0, memcmp(m.data, data, 600));
	EXPECT_EQ(buf + n - 600, m.data);
}

TEST(item_fragments_round_trip)
{
	u8 buf[BUF_CAP], data[1000];
	struct gc_msg m;
	size_t n, off;

	memset(data, 0x5c, sizeof(data));
	/* A middle fragment: a multiple of the unit at a multiple of it. */
	n = put_test_item(buf, sizeof(buf), 0, 1, 1000, 256, data, 512);
	off = 0;
	ASSERT_EQ(GC_WIRE_OK, gc_decode_msg(buf, n, &off, &m));
	EXPECT_EQ(1000, m.total);
	EXPECT_EQ(256, m.frag_off);
	EXPECT_EQ(512, m.frag_len);
	/* The last one: any length that ends the item. */
	n = put_test_item(buf, sizeof(buf), 0, 1, 1000, 768, data, 232);
	off = 0;
	ASSERT_EQ(GC_WIRE_OK, gc_decode_msg(buf, n, &off, &m));
	EXPECT_EQ(768, m.frag_off);
	EXPECT_EQ(232, m.frag_len);
	/* The largest item and its last byte. */
	n = put_test_item(buf, sizeof(buf), 0, GC_ITEM_SEQ_MAX, GC_ITEM_MAX_LEN,
			  GC_ITEM_MAX_LEN - 256, data, 256);
	EXPECT_EQ(GC_WIRE_OK, decode_one(buf, n));
	n = put_test_item(buf, sizeof(buf), 0, 1, GC_ITEM_MAX_LEN, GC_ITEM_MAX_LEN - 256, data, 1);
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(buf, n));
	/* What fits: the unit multiple after the header. */
	EXPECT_EQ(0, gc_item_frag_room(GC_MSG_HDR_LEN + GC_ITEM_HDR_LEN + 6, 6));
	EXPECT_EQ(0, gc_item_frag_room(GC_MSG_HDR_LEN + GC_ITEM_HDR_LEN + 6 + 255, 6));
	EXPECT_EQ(256, gc_item_frag_room(GC_MSG_HDR_LEN + GC_ITEM_HDR_LEN + 6 + 256, 6));
	EXPECT_EQ(256, gc_item_frag_room(512 - GC_SEAL_OVERHEAD, 63));
	EXPECT_EQ(1280, gc_item_frag_room(1400 - GC_SEAL_OVERHEAD, 5));
	EXPECT_EQ(8704, gc_item_frag_room(GC_MAX_MTU - GC_SEAL_OVERHEAD, 63));
	EXPECT_EQ(GC_ITEM_MAX_LEN, gc_item_frag_room(100000, 1));
	EXPECT_EQ(0, gc_item_frag_room(0, 1));
}

TEST(item_malformed)
{
	u8 buf[BUF_CAP], data[600];
	size_t n;

	memset(data, 1, sizeof(data));
	n = put_test_item(buf, sizeof(buf), 0, 1, 600, 0, data, 600);
	ASSERT_EQ(GC_WIRE_OK, decode_one(buf, n));
	/* seq 0 and past GC_ITEM_SEQ_MAX. */
	n = put_test_item(buf, sizeof(buf), 0, 0, 600, 0, data, 600);
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(buf, n));
	n = put_test_item(buf, sizeof(buf), 0, GC_ITEM_SEQ_MAX + 1, 600, 0, data, 600);
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(buf, n));
	n = put_test_item(buf, sizeof(buf), 0, ~0ULL, 600, 0, data, 600);
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(buf, n));
	/* An offset that is not a multiple of the unit. */
	n = put_test_item(buf, sizeof(buf), 0, 1, 600, 100, data, 500);
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(buf, n));
	n = put_test_item(buf, sizeof(buf), 0, 1, 600, 255, data, 345);
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(buf, n));
	/* A fragment that does not end the item and is not a multiple. */
	n = put_test_item(buf, sizeof(buf), 0, 1, 600, 0, data, 300);
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(buf, n));
	n = put_test_item(buf, sizeof(buf), 0, 1, 600, 256, data, 257);
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(buf, n));
	/* Past the total. */
	n = put_test_item(buf, sizeof(buf), 0, 1, 600, 512, data, 256);
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(buf, n));
	n = put_test_item(buf, sizeof(buf), 0, 1, 500, 0, data, 600);
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(buf, n));
	/* Total 0, and over GC_ITEM_MAX_LEN. */
	n = put_test_item(buf, sizeof(buf), 0, 1, 0, 0, data, 0);
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(buf, n));
	n = put_test_item(buf, sizeof(buf), 0, 1, GC_ITEM_MAX_LEN + 1, 0, data, 256);
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(buf, n));
	n = put_test_item(buf, sizeof(buf), 0, 1, 0xffff, 0xff00, data, 255);
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(buf, n));
	/* No data at all. */
	n = put_test_item(buf, sizeof(buf), 0, 1, 600, 0, data, 0);
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(buf, n));
	/* Unknown flags. */
	n = put_test_item(buf, sizeof(buf), 0x02, 1, 600, 0, data, 600);
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(buf, n));
	n = put_test_item(buf, sizeof(buf), 0x80 | GC_ITEM_F_ANSWER, 1, 600, 0, data, 600);
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(buf, n));
	/* A bad origin name. */
	{
		struct gc_wbuf b = wbuf(buf, sizeof(buf));

		gc_put_item(&b, 0, 0, 0, 1, 1, "a b", 3, test_id, 10, 0, data, 10);
		EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(buf, b.len));
		b = wbuf(buf, sizeof(buf));
		gc_put_item(&b, 0, 0, 0, 1, 1, "", 0, test_id, 10, 0, data, 10);
		EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(buf, b.len));
	}
	/* Shorter than its header. */
	{
		u8 tiny[] = {GC_MSG_ITEM, 0, 3, 0, 0, 0};

		EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(tiny, sizeof(tiny)));
	}
}

TEST(digest_and_want_round_trip)
{
	u8 buf[BUF_CAP];
	struct gc_wbuf b = wbuf(buf, sizeof(buf));
	struct gc_range_entry e;
	struct gc_msg m;
	size_t start, off = 0, eoff = 0;

	start = b.len;
	ASSERT_EQ(GC_MSG_HDR_LEN + 3, gc_begin_list(&b, GC_MSG_DIGEST, GC_DIGEST_F_REQUEST));
	EXPECT_EQ(gc_range_entry_len(3), gc_put_range_entry(&b, "one", 3, 5, 1, 0));
	EXPECT_EQ(1 + 3 + 24, gc_range_entry_len(3));
	ASSERT_NE(0, gc_put_range_entry(&b, "two", 3, ~0ULL, 10, 20));
	ASSERT_NE(0, gc_put_range_entry(&b, "top", 3, 0, GC_ITEM_SEQ_MAX, GC_ITEM_SEQ_MAX));
	gc_end_list(&b, start, 3);
	start = b.len;
	gc_begin_list(&b, GC_MSG_WANT, 0);
	ASSERT_NE(0, gc_put_range_entry(&b, "one", 3, 5, 1, 1));
	ASSERT_NE(0, gc_put_range_entry(&b, "two", 3, 6, 7, 7 + GC_WANT_MAX_SPAN - 1));
	gc_end_list(&b, start, 2);
	ASSERT_FALSE(b.overflow);

	ASSERT_EQ(GC_WIRE_OK, gc_decode_msg(buf, b.len, &off, &m));
	EXPECT_EQ(GC_MSG_DIGEST, m.type);
	EXPECT_EQ(GC_DIGEST_F_REQUEST, m.flags);
	EXPECT_EQ(3, m.count);
	EXPECT_EQ(3 * gc_range_entry_len(3), m.entries_len);
	ASSERT_EQ(GC_WIRE_OK, gc_next_range_entry(&m, &eoff, &e));
	EXPECT_TRUE(name_eq(&e.origin, "one"));
	EXPECT_EQ(5, e.boot);
	EXPECT_EQ(1, e.a);
	EXPECT_EQ(0, e.b);
	ASSERT_EQ(GC_WIRE_OK, gc_next_range_entry(&m, &eoff, &e));
	EXPECT_TRUE(name_eq(&e.origin, "two"));
	EXPECT_EQ(~0ULL, e.boot);
	EXPECT_EQ(10, e.a);
	EXPECT_EQ(20, e.b);
	ASSERT_EQ(GC_WIRE_OK, gc_next_range_entry(&m, &eoff, &e));
	EXPECT_EQ(GC_ITEM_SEQ_MAX, e.a);
	EXPECT_EQ(m.entries_len, eoff);
	EXPECT_EQ(GC_WIRE_MALFORMED, gc_next_range_entry(&m, &eoff, &e));

	ASSERT_EQ(GC_WIRE_OK, gc_decode_msg(buf, b.len, &off, &m));
	EXPECT_EQ(b.len, off);
	EXPECT_EQ(GC_MSG_WANT, m.type);
	EXPECT_EQ(0, m.flags);
	EXPECT_EQ(2, m.count);
	eoff = 0;
	ASSERT_EQ(GC_WIRE_OK, gc_next_range_entry(&m, &eoff, &e));
	EXPECT_EQ(1, e.a);
	EXPECT_EQ(1, e.b);
	ASSERT_EQ(GC_WIRE_OK, gc_next_range_entry(&m, &eoff, &e));
	EXPECT_TRUE(name_eq(&e.origin, "two"));
	EXPECT_EQ(6, e.boot);
	EXPECT_EQ(7, e.a);
	EXPECT_EQ(7 + GC_WANT_MAX_SPAN - 1, e.b);

	/* Empty lists are fine. */
	b = wbuf(buf, sizeof(buf));
	gc_begin_list(&b, GC_MSG_WANT, 0);
	gc_end_list(&b, 0, 0);
	off = 0;
	ASSERT_EQ(GC_WIRE_OK, gc_decode_msg(buf, b.len, &off, &m));
	EXPECT_EQ(0, m.count);
	EXPECT_EQ(6, off);
}

/* One DIGEST or WANT entry (a, b) under flags, decoded. */
static enum gc_wire_err one_range(u8 type, u8 flags, u64 a, u64 b)
{
	u8 buf[256];
	struct gc_wbuf w = wbuf(buf, sizeof(buf));

	gc_begin_list(&w, type, flags);
	gc_put_range_entry(&w, "x", 1, 1, a, b);
	gc_end_list(&w, 0, 1);
	return decode_one(buf, w.len);
}

TEST(digest_and_want_malformed)
{
	u8 buf[256], copy[256];
	struct gc_wbuf b = wbuf(buf, sizeof(buf));
	size_t len;

	/* DIGEST: low >= 1, contig >= low - 1, both at most GC_ITEM_SEQ_MAX. */
	EXPECT_EQ(GC_WIRE_OK, one_range(GC_MSG_DIGEST, 0, 1, 0));
	EXPECT_EQ(GC_WIRE_OK, one_range(GC_MSG_DIGEST, 0, 5, 4));
	EXPECT_EQ(GC_WIRE_MALFORMED, one_range(GC_MSG_DIGEST, 0, 0, 0));
	EXPECT_EQ(GC_WIRE_MALFORMED, one_range(GC_MSG_DIGEST, 0, 0, 5));
	EXPECT_EQ(GC_WIRE_MALFORMED, one_range(GC_MSG_DIGEST, 0, 5, 3));
	EXPECT_EQ(GC_WIRE_MALFORMED, one_range(GC_MSG_DIGEST, 0, 1, GC_ITEM_SEQ_MAX + 1));
	EXPECT_EQ(GC_WIRE_MALFORMED,
		  one_range(GC_MSG_DIGEST, 0, GC_ITEM_SEQ_MAX + 1, GC_ITEM_SEQ_MAX));
	EXPECT_EQ(GC_WIRE_MALFORMED, one_range(GC_MSG_DIGEST, 0, ~0ULL, ~0ULL));
	/* Flags: REQUEST only. */
	EXPECT_EQ(GC_WIRE_MALFORMED, one_range(GC_MSG_DIGEST, 0x02, 1, 0));
	EXPECT_EQ(GC_WIRE_MALFORMED, one_range(GC_MSG_DIGEST, 0x80 | GC_DIGEST_F_REQUEST, 1, 0));
	/* WANT: 1 <= from <= to, to - from < GC_WANT_MAX_SPAN. */
	EXPECT_EQ(GC_WIRE_OK, one_range(GC_MSG_WANT, 0, 3, 3));
	EXPECT_EQ(GC_WIRE_OK, one_range(GC_MSG_WANT, 0, GC_ITEM_SEQ_MAX, GC_ITEM_SEQ_MAX));
	EXPECT_EQ(GC_WIRE_MALFORMED, one_range(GC_MSG_WANT, 0, 0, 3));
	EXPECT_EQ(GC_WIRE_MALFORMED, one_range(GC_MSG_WANT, 0, 4, 3));
	EXPECT_EQ(GC_WIRE_MALFORMED, one_range(GC_MSG_WANT, 0, 1, 1 + GC_WANT_MAX_SPAN));
	EXPECT_EQ(GC_WIRE_MALFORMED, one_range(GC_MSG_WANT, 0, 1, ~0ULL));
	EXPECT_EQ(GC_WIRE_MALFORMED,
		  one_range(GC_MSG_WANT, 0, GC_ITEM_SEQ_MAX, GC_ITEM_SEQ_MAX + 1));
	/* No flags at all on a WANT, not even REQUEST. */
	EXPECT_EQ(GC_WIRE_MALFORMED, one_range(GC_MSG_WANT, GC_DIGEST_F_REQUEST, 3, 3));

	/* Counts higher and lower than the entries, and trailing bytes. */
	gc_begin_list(&b, GC_MSG_DIGEST, 0);
	gc_put_range_entry(&b, "x", 1, 1, 1, 2);
	gc_put_range_entry(&b, "y", 1, 1, 1, 2);
	gc_end_list(&b, 0, 2);
	len = b.len;
	ASSERT_EQ(GC_WIRE_OK, decode_one(buf, len));
	memcpy(copy, buf, len);
	copy[GC_MSG_HDR_LEN + 2] = 3;
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(copy, len));
	copy[GC_MSG_HDR_LEN + 2] = 1;
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(copy, len));
	memcpy(copy, buf, len);
	copy[len] = 0;
	copy[2]++;
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(copy, len + 1));
	/* A bad origin name in an entry. */
	memcpy(copy, buf, len);
	copy[GC_MSG_HDR_LEN + 3 + 1] = '/';
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(copy, len));
	/* Shorter than flags and count. */
	{
		u8 tiny[] = {GC_MSG_WANT, 0, 2, 0, 0};

		EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(tiny, sizeof(tiny)));
	}
}

static struct gc_agg_entry agg_entry(const char *name, s64 s_hi, u64 s_lo, u64 w, s64 min, s64 max)
{
	struct gc_agg_entry e = {
		.name = {.p = name, .len = (u8)strlen(name)},
		.s_hi = s_hi,
		.s_lo = s_lo,
		.w = w,
		.min = min,
		.max = max,
	};

	return e;
}

TEST(agg_round_trip)
{
	u8 buf[BUF_CAP];
	struct gc_wbuf b = wbuf(buf, sizeof(buf));
	struct gc_agg_entry e1 = agg_entry("load", -1, 0xfffffffe00000000ULL, 1ULL << 31, -2, 7);
	struct gc_agg_entry e2 = agg_entry("x.y_z-9", 0, 5, 0, INT64_MAX, INT64_MIN);
	struct gc_agg_entry e;
	struct gc_msg m;
	size_t off = 0, eoff = 0, n;

	n = gc_begin_agg(&b, 0xfffffffe, "n000", 4, 1ULL << 32, 123);
	EXPECT_EQ(GC_MSG_HDR_LEN + 3 + 4 + 5 + 16, n);
	EXPECT_EQ(GC_AGG_ENTRY_LEN(4), gc_put_agg_entry(&b, &e1));
	EXPECT_EQ(GC_AGG_ENTRY_LEN(7), gc_put_agg_entry(&b, &e2));
	gc_end_list(&b, 0, 2);
	ASSERT_FALSE(b.overflow);
	ASSERT_EQ(GC_WIRE_OK, gc_decode_msg(buf, b.len, &off, &m));
	EXPECT_EQ(b.len, off);
	EXPECT_EQ(GC_MSG_AGG, m.type);
	EXPECT_EQ(0, m.flags);
	EXPECT_EQ(2, m.count);
	EXPECT_EQ(0xfffffffe, m.incarnation);
	EXPECT_TRUE(name_eq(&m.name, "n000"));
	EXPECT_EQ(1ULL << 32, m.agg_c);
	EXPECT_EQ(123, m.agg_g);
	EXPECT_EQ(GC_AGG_ENTRY_LEN(4) + GC_AGG_ENTRY_LEN(7), m.entries_len);
	ASSERT_EQ(GC_WIRE_OK, gc_next_agg_entry(&m, &eoff, &e));
	EXPECT_TRUE(name_eq(&e.name, "load"));
	EXPECT_EQ(-1, e.s_hi);
	EXPECT_EQ(0xfffffffe00000000ULL, e.s_lo);
	EXPECT_EQ(1ULL << 31, e.w);
	EXPECT_EQ(-2, e.min);
	EXPECT_EQ(7, e.max);
	ASSERT_EQ(GC_WIRE_OK, gc_next_agg_entry(&m, &eoff, &e));
	EXPECT_TRUE(name_eq(&e.name, "x.y_z-9"));
	EXPECT_EQ(INT64_MAX, e.min);
	EXPECT_EQ(INT64_MIN, e.max);
	EXPECT_EQ(m.entries_len, eoff);
	EXPECT_EQ(GC_WIRE_MALFORMED, gc_next_agg_entry(&m, &eoff, &e));
}

TEST(agg_malformed)
{
	u8 buf[BUF_CAP], copy[BUF_CAP];
	struct gc_wbuf b;
	char name[GC_AGG_NAME_MAX + 1];
	struct gc_agg_entry e;
	size_t len;
	int i;

	memset(name, 'a', sizeof(name));
	/* GC_AGG_MAX entries decode; one more does not. */
	for (i = 0; i <= GC_AGG_MAX + 1; i++) {
		int k;

		b = wbuf(buf, sizeof(buf));
		gc_begin_agg(&b, 1, "s", 1, 0, 0);
		for (k = 0; k < i; k++) {
			e = agg_entry("m", 0, 0, 0, 0, 0);
			gc_put_agg_entry(&b, &e);
		}
		gc_end_list(&b, 0, (u16)i);
		ASSERT_FALSE(b.overflow);
		EXPECT_EQ(i <= GC_AGG_MAX ? GC_WIRE_OK : GC_WIRE_MALFORMED, decode_one(buf, b.len));
	}
	/* Names of up to GC_AGG_NAME_MAX - 1 bytes. */
	b = wbuf(buf, sizeof(buf));
	gc_begin_agg(&b, 1, "s", 1, 0, 0);
	e = agg_entry("m", 0, 0, 0, 0, 0);
	e.name.p = name;
	e.name.len = GC_AGG_NAME_MAX - 1;
	gc_put_agg_entry(&b, &e);
	gc_end_list(&b, 0, 1);
	EXPECT_EQ(GC_WIRE_OK, decode_one(buf, b.len));
	b = wbuf(buf, sizeof(buf));
	gc_begin_agg(&b, 1, "s", 1, 0, 0);
	e.name.len = GC_AGG_NAME_MAX;
	gc_put_agg_entry(&b, &e);
	gc_end_list(&b, 0, 1);
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(buf, b.len));
	/* A metric name breaking the name rule, and an empty one. */
	b = wbuf(buf, sizeof(buf));
	gc_begin_agg(&b, 1, "s", 1, 0, 0);
	e = agg_entry("a:b", 0, 0, 0, 0, 0);
	gc_put_agg_entry(&b, &e);
	gc_end_list(&b, 0, 1);
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(buf, b.len));
	b = wbuf(buf, sizeof(buf));
	gc_begin_agg(&b, 1, "s", 1, 0, 0);
	e = agg_entry("", 0, 0, 0, 0, 0);
	gc_put_agg_entry(&b, &e);
	gc_end_list(&b, 0, 1);
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(buf, b.len));
	/* Epoch 0, a bad source name. */
	b = wbuf(buf, sizeof(buf));
	gc_begin_agg(&b, 0, "s", 1, 0, 0);
	gc_end_list(&b, 0, 0);
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(buf, b.len));
	b = wbuf(buf, sizeof(buf));
	gc_begin_agg(&b, 1, "s s", 3, 0, 0);
	gc_end_list(&b, 0, 0);
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(buf, b.len));

	/* Flags, counts and trailing bytes of a valid one. */
	b = wbuf(buf, sizeof(buf));
	gc_begin_agg(&b, 1, "s", 1, 0, 0);
	e = agg_entry("m", 0, 0, 0, 0, 0);
	gc_put_agg_entry(&b, &e);
	gc_put_agg_entry(&b, &e);
	gc_end_list(&b, 0, 2);
	len = b.len;
	ASSERT_EQ(GC_WIRE_OK, decode_one(buf, len));
	memcpy(copy, buf, len);
	copy[GC_MSG_HDR_LEN] = 1;
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(copy, len));
	memcpy(copy, buf, len);
	copy[GC_MSG_HDR_LEN + 2] = 3;
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(copy, len));
	copy[GC_MSG_HDR_LEN + 2] = 1;
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(copy, len));
	memcpy(copy, buf, len);
	copy[len] = 0;
	copy[2]++;
	EXPECT_EQ(GC_WIRE_MALFORMED, decode_one(copy, len + 1));
	/* A header that does not fit writes nothing. */
	b = wbuf(buf, GC_MSG_HDR_LEN + 3 + 4 + 2 + 15);
	EXPECT_EQ(0, gc_begin_agg(&b, 1, "s", 1, 0, 0));
	EXPECT_TRUE(b.overflow);
	EXPECT_EQ(0, b.len);
	b = wbuf(buf, GC_MSG_HDR_LEN + 3 + 4 + 2 + 16);
	EXPECT_EQ(GC_MSG_HDR_LEN + 3 + 4 + 2 + 16, gc_begin_agg(&b, 1, "s", 1, 0, 0));
	EXPECT_EQ(0, gc_put_agg_entry(&b, &e));
	EXPECT_TRUE(b.overflow);

	EXPECT_TRUE(gc_agg_name_valid("cpu.load", 8));
	EXPECT_TRUE(gc_agg_name_valid(name, GC_AGG_NAME_MAX - 1));
	EXPECT_FALSE(gc_agg_name_valid(name, GC_AGG_NAME_MAX));
	EXPECT_FALSE(gc_agg_name_valid("", 0));
	EXPECT_FALSE(gc_agg_name_valid("a b", 3));
}

/* Every prefix of an ITEM, DIGEST, WANT and AGG body is refused without a
 * read past it (the copy is exactly as long), and the whole body decodes.
 */
TEST(new_messages_truncated_at_every_offset)
{
	u8 buf[BUF_CAP], data[300];
	struct gc_wbuf b = wbuf(buf, sizeof(buf));
	struct gc_agg_entry e = agg_entry("mm", 1, 2, 3, 4, 5);
	size_t bounds[4], cut, off, i;
	struct gc_msg m;

	memset(data, 9, sizeof(data));
	gc_put_item(&b, 1, 0, 2, 3, 4, "orig", 4, test_id, 300, 0, data, 300);
	bounds[0] = b.len;
	gc_begin_list(&b, GC_MSG_DIGEST, GC_DIGEST_F_REQUEST);
	gc_put_range_entry(&b, "orig", 4, 3, 1, 4);
	gc_put_range_entry(&b, "other", 5, 3, 2, 1);
	gc_end_list(&b, bounds[0], 2);
	bounds[1] = b.len;
	gc_begin_list(&b, GC_MSG_WANT, 0);
	gc_put_range_entry(&b, "orig", 4, 3, 1, 4);
	gc_end_list(&b, bounds[1], 1);
	bounds[2] = b.len;
	gc_begin_agg(&b, 9, "src", 3, 1, 2);
	gc_put_agg_entry(&b, &e);
	gc_end_list(&b, bounds[2], 1);
	bounds[3] = b.len;
	ASSERT_FALSE(b.overflow);
	for (cut = 0; cut <= b.len; cut++) {
		u8 *p = exact_copy(buf, cut);
		size_t n = 0, want = 0;
		enum gc_wire_err err = GC_WIRE_OK;

		for (i = 0; i < 4; i++)
			want += bounds[i] <= cut;
		off = 0;
		while (off < cut) {
			size_t prev = off;

			err = gc_decode_msg(p, cut, &off, &m);
			if (err) {
				EXPECT_EQ(prev, off);
				break;
			}
			n++;
		}
		EXPECT_EQ(want, n)
		{
			TH_LOG("cut at %zu", cut);
		}
		free(p);
	}
}

/* ---- helpers ---- */

TEST(error_strings)
{
	int i;

	for (i = 0; i < __GC_WIRE_ERR_MAX; i++) {
		ASSERT_NE(NULL, gc_wire_err_str(i));
		EXPECT_STRNE("unknown", gc_wire_err_str(i));
	}
	EXPECT_STREQ("ok", gc_wire_err_str(GC_WIRE_OK));
	EXPECT_STREQ("unknown", gc_wire_err_str(__GC_WIRE_ERR_MAX));
	EXPECT_STREQ("unknown", gc_wire_err_str((enum gc_wire_err) - 1));
}

TEST(addr_equal)
{
	struct gc_addr a = v4(1, 2, 3, 4, 5), b = v4(1, 2, 3, 4, 5), c = v6(4, 5);

	EXPECT_TRUE(gc_addr_equal(&a, &b));
	/* Bytes past an IPv4 address are not compared. */
	b.ip[10] = 99;
	EXPECT_TRUE(gc_addr_equal(&a, &b));
	b.port = 6;
	EXPECT_FALSE(gc_addr_equal(&a, &b));
	b = a;
	b.ip[3] = 9;
	EXPECT_FALSE(gc_addr_equal(&a, &b));
	EXPECT_FALSE(gc_addr_equal(&a, &c));
	b = c;
	EXPECT_TRUE(gc_addr_equal(&b, &c));
	b.ip[15] ^= 1;
	EXPECT_FALSE(gc_addr_equal(&b, &c));
}

TEST_HARNESS_MAIN
