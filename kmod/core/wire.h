/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The wire format (docs/PROTOCOL.md describes every byte). A packet is a
 * 2-byte header, then either a CRC32 and a plain body, or a 24-byte nonce and
 * the body sealed with XChaCha20-Poly1305 under the cluster's primary key.
 * A body is a sequence of messages, each [type u8][length u16][payload], so
 * one packet carries a probe and the rumors piggybacked on it. All integers
 * are big endian. Decoding never trusts a length: every read is checked
 * against what is left, and every name against the member-name rule.
 */
#ifndef _GC_CORE_WIRE_H
#define _GC_CORE_WIRE_H

#include "platform.h"
#include "../../uapi/gossipchain.h"

#define GC_WIRE_VERSION 1
#define GC_WIRE_FLAG_SEALED 0x01

#define GC_PLAIN_HDR_LEN 6	/* version, flags, crc32 */
#define GC_SEALED_HDR_LEN (2 + GC_AEAD_NONCE_LEN)
#define GC_SEAL_OVERHEAD (GC_SEALED_HDR_LEN + GC_AEAD_TAG_LEN)
#define GC_MSG_HDR_LEN 3
#define GC_MIN_MTU 512
#define GC_MAX_MTU 9000	/* jumbo frames */

#define GC_KEYRING_MAX GC_KEYRING_SIZE	/* the primary and four older keys */

enum gc_msg_type {
	GC_MSG_PING = 1,
	GC_MSG_ACK = 2,
	GC_MSG_PING_REQ = 3,
	GC_MSG_NACK = 4,
	GC_MSG_ALIVE = 5,
	GC_MSG_SUSPECT = 6,
	GC_MSG_DEAD = 7,
	GC_MSG_STATE = 8,
	GC_MSG_ITEM = 9,	/* an item, or a fragment of one */
	GC_MSG_DIGEST = 10,	/* per origin: window start and highest contiguous seq */
	GC_MSG_WANT = 11,	/* seq ranges of origins, asked of the receiver */
	GC_MSG_AGG = 12,	/* push-sum mass of every aggregate */
	GC_MSG_GONE = 13,	/* seq ranges wanted of the sender that it will not serve */
};

/* Items (items.h): content up to GC_ITEM_MAX_LEN bytes, sent in fragments
 * of multiples of GC_FRAG_UNIT bytes when it does not fit one packet.
 */
#define GC_ITEM_ID_LEN GC_ITEM_ID_SIZE	/* SHA-256 of the content */
#define GC_ITEM_MAX_LEN GC_ITEM_MAX_SIZE
#define GC_FRAG_UNIT 256
#define GC_ITEM_HDR_LEN (3 + 8 + 8 + 1 + GC_ITEM_ID_LEN + 2 + 2)	/* but the origin's name */
#define GC_WANT_MAX_SPAN 65536	/* seqs one WANT entry may name */
#define GC_ITEM_SEQ_MAX (~0ULL >> 1)	/* highest seq, low, contig: seq + 1 never wraps */

/* Aggregates (aggregate.h). */
#define GC_AGG_NAME_MAX GC_AGG_NAME_SIZE	/* with the NUL, as GC_NODE_NAME_MAX */
#define GC_AGG_MAX GC_AGG_MAX_METRICS
#define GC_AGG_ENTRY_LEN(name_len) (1 + (size_t)(name_len) + 5 * 8)

/* Flags of a GC_MSG_DIGEST chunk. */
#define GC_DIGEST_F_REQUEST 0x01	/* the receiver answers with its own digest */

/* Flags of a GC_MSG_ITEM. */
#define GC_ITEM_F_ANSWER 0x01	/* sent because the receiver asked for it */

/* Flags of a GC_MSG_STATE chunk. */
#define GC_STATE_F_REQUEST 0x01	/* the receiver answers with its own state */
#define GC_STATE_F_JOIN 0x02	/* the sender is joining */

enum gc_wire_err {
	GC_WIRE_OK = 0,
	GC_WIRE_SHORT,		/* shorter than its header or a field */
	GC_WIRE_BAD_VERSION,	/* unknown version or flags */
	GC_WIRE_CHECKSUM,	/* plain packet, CRC32 mismatch */
	GC_WIRE_UNSEALED,	/* plain packet, but a key is configured */
	GC_WIRE_NO_KEY,		/* sealed packet, but no key is configured */
	GC_WIRE_AUTH,		/* no key of the keyring opens it */
	GC_WIRE_MALFORMED,	/* a message or field is invalid */
	GC_WIRE_TOO_BIG,	/* does not fit the buffer */
	__GC_WIRE_ERR_MAX
};

struct gc_addr {
	u8 family;		/* 4 or 6; 0 = none */
	u8 ip[16];		/* IPv4 in the first 4 bytes */
	u16 port;
};

/* A name inside a packet: not NUL-terminated, valid by the name rule. */
struct gc_name {
	const char *p;
	u8 len;
};

/* One member record of a GC_MSG_STATE chunk. */
struct gc_state_entry {
	u8 state;		/* enum gc_member_state */
	u32 incarnation;
	struct gc_name name;
	struct gc_addr addr;
};

/* One entry of a GC_MSG_DIGEST (low, contig), GC_MSG_WANT or GC_MSG_GONE (from, to),
 * about the stream of origin started at boot.
 */
struct gc_range_entry {
	struct gc_name origin;
	u64 boot;
	u64 a, b;
};

/* One aggregate of a GC_MSG_AGG: push-sum mass s / w and the extremes. */
struct gc_agg_entry {
	struct gc_name name;
	s64 s_hi;		/* s, a signed 128-bit fixed-point sum: hi, lo */
	u64 s_lo;
	u64 w;
	s64 min, max;		/* min > max when no node in the epoch published */
};

struct gc_msg {
	u8 type;
	u32 seq;		/* PING, ACK, PING_REQ, NACK */
	u32 incarnation;	/* ALIVE, SUSPECT, DEAD; AGG: the epoch */
	struct gc_name name;	/* PING, PING_REQ (target); ALIVE, SUSPECT, DEAD;
				 * ITEM: origin; AGG: the epoch's source
				 */
	struct gc_name from;	/* SUSPECT, DEAD: who says so */
	struct gc_addr addr;	/* PING_REQ (target), ALIVE */
	u8 flags;		/* STATE, ITEM, DIGEST, WANT, AGG */
	u16 count;		/* STATE, DIGEST, WANT, AGG: entries */
	const u8 *entries;	/* ... count validated entries */
	u16 entries_len;
	/* ITEM */
	u8 hops, item_type;
	u64 item_boot, item_seq;
	const u8 *id;		/* GC_ITEM_ID_LEN bytes */
	u16 total, frag_off, frag_len;
	const u8 *data;		/* frag_len bytes at frag_off of total */
	/* AGG */
	u64 agg_c, agg_g;	/* node mass, and the source's count mass */
};

struct gc_keyring {
	u8 keys[GC_KEYRING_MAX][GC_AEAD_KEY_LEN];
	u8 count;		/* keys[0] is the primary when count > 0 */
};

/* Output buffer; a put that does not fit sets overflow and writes nothing. */
struct gc_wbuf {
	u8 *p;
	size_t len, cap;
	bool overflow;
};

const char *gc_wire_err_str(enum gc_wire_err err);

/* Message encoding: each returns the bytes appended, 0 if it did not fit. */
size_t gc_put_ping(struct gc_wbuf *b, u32 seq, const char *target, u8 target_len);
size_t gc_put_ack(struct gc_wbuf *b, u8 type, u32 seq);	/* ACK or NACK */
size_t gc_put_ping_req(struct gc_wbuf *b, u32 seq, const char *target, u8 target_len,
		       const struct gc_addr *addr);
size_t gc_put_alive(struct gc_wbuf *b, u32 inc, const char *name, u8 name_len,
		    const struct gc_addr *addr);
/* SUSPECT or DEAD */
size_t gc_put_accuse(struct gc_wbuf *b, u8 type, u32 inc, const char *name, u8 name_len,
		     const char *from, u8 from_len);
/* A STATE chunk header; entries follow with gc_put_state_entry and the count
 * and length are fixed up by gc_end_state().
 */
size_t gc_begin_state(struct gc_wbuf *b, u8 flags);
size_t gc_put_state_entry(struct gc_wbuf *b, u8 state, u32 inc, const char *name,
			  u8 name_len, const struct gc_addr *addr);
void gc_end_state(struct gc_wbuf *b, size_t start, u16 count);
/* Bytes a state entry takes, to plan chunks. */
size_t gc_state_entry_len(u8 name_len, const struct gc_addr *addr);

/* An item or one fragment of it. */
size_t gc_put_item(struct gc_wbuf *b, u8 hops, u8 flags, u8 type, u64 boot, u64 seq,
		   const char *origin, u8 origin_len, const u8 *id, u16 total, u16 off,
		   const u8 *data, u16 len);
/* The fragment payload that fits in room bytes after an ITEM header for an
 * origin name of origin_len: a multiple of GC_FRAG_UNIT, or 0.
 */
u16 gc_item_frag_room(size_t room, u8 origin_len);

/* DIGEST and WANT chunks: begin, entries, end (count and length fixed up). */
size_t gc_begin_list(struct gc_wbuf *b, u8 type, u8 flags);
size_t gc_put_range_entry(struct gc_wbuf *b, const char *origin, u8 origin_len, u64 boot, u64 a,
			  u64 c);
void gc_end_list(struct gc_wbuf *b, size_t start, u16 count);
static inline size_t gc_range_entry_len(u8 origin_len)
{
	return 1 + (size_t)origin_len + 24;
}

/* An AGG message: the header, then entries, then gc_end_list(). */
size_t gc_begin_agg(struct gc_wbuf *b, u32 epoch, const char *source, u8 source_len, u64 c,
		    u64 g);
size_t gc_put_agg_entry(struct gc_wbuf *b, const struct gc_agg_entry *e);

/* Whether name is a valid aggregate name (the node-name rule, shorter). */
bool gc_agg_name_valid(const char *name, size_t len);

/* Decodes the message at *off of body and advances *off. */
enum gc_wire_err gc_decode_msg(const u8 *body, size_t len, size_t *off, struct gc_msg *m);
/* Decodes the next entry of a validated STATE message. */
enum gc_wire_err gc_next_state_entry(const struct gc_msg *m, size_t *off,
				     struct gc_state_entry *e);

/* The next entry of a validated DIGEST or WANT, and of an AGG. */
enum gc_wire_err gc_next_range_entry(const struct gc_msg *m, size_t *off,
				     struct gc_range_entry *e);
enum gc_wire_err gc_next_agg_entry(const struct gc_msg *m, size_t *off, struct gc_agg_entry *e);

/* Wraps body into a packet in out (cap bytes): sealed with the primary key
 * when the keyring has one, else plain with a CRC32. Returns the packet
 * length, or 0 when it does not fit. body and out must not overlap.
 */
size_t gc_packet_seal(const struct gc_keyring *kr, const u8 *body, size_t body_len, u8 *out,
		      size_t cap);
/* Opens a packet into body (at least len bytes). On success *body_len is set
 * and *key_index names the key that opened it (-1 for plain).
 */
enum gc_wire_err gc_packet_open(const struct gc_keyring *kr, const u8 *pkt, size_t len, u8 *body,
				size_t *body_len, int *key_index);

/* Keyring management, as memberlist's: add, make primary, remove. */
int gc_keyring_add(struct gc_keyring *kr, const u8 *key);
int gc_keyring_use(struct gc_keyring *kr, const u8 *key);
int gc_keyring_remove(struct gc_keyring *kr, const u8 *key);

bool gc_addr_equal(const struct gc_addr *a, const struct gc_addr *b);

#endif /* _GC_CORE_WIRE_H */
