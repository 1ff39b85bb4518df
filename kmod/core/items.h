/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Items: opaque blobs disseminated to every node. An item belongs to a
 * stream, its origin's name and boot time (a restarted node starts a new
 * stream), and has a sequence number in it, counted from 1, and an id, the
 * SHA-256 of its content. Every node keeps a bounded window of the newest
 * items of every stream.
 *
 * New items are pushed at once to item_fanout random members
 * (infect-and-forward), then again in gossip rounds up to a retransmit
 * limit. Every item_sync_ms a node runs anti-entropy with one random member
 * in four steps, with Scuttlebutt digests (van Renesse et al. 2008): per
 * stream the window's start and the highest contiguous sequence number
 * held. P sends Q its digest; Q answers with its own digest and what it
 * wants; P sends those items and what it wants; Q sends those. Nothing is
 * asked for that is held, and requests are capped per exchange.
 *
 * Verify before forward: with a verifier registered, a new item is pending
 * (told to user space) until a verdict. Only held items are forwarded or
 * served; a rejected item's id is remembered so it is not taken again.
 */
#ifndef _GC_CORE_ITEMS_H
#define _GC_CORE_ITEMS_H

#include "config.h"
#include "members.h"
#include "peers.h"
#include "wire.h"

enum gc_slot_state {
	GC_SLOT_EMPTY,		/* not (yet) here: anti-entropy may fetch it */
	GC_SLOT_PENDING,	/* waiting for a verdict */
	GC_SLOT_HELD,		/* verified: forwarded and served */
	GC_SLOT_REJECTED,	/* content dropped, not taken again */
	GC_SLOT_LOST,		/* beyond every peer's window: reported, skipped;
				 * or an own put that expired pending
				 */
};

/* An intrusive doubly linked list. */
struct gc_link {
	struct gc_link *prev, *next;
};

struct gc_item {
	struct gc_link pending;	/* the pending list, oldest first */
	struct gc_link push;	/* the push queue, while sends_left */
	u64 seq;
	u64 since_us;		/* when it became pending */
	u32 stream;
	u16 len;
	u8 type, hops, state, sends_left;
	bool answer;		/* came as an answer to a want: not pushed on */
	u8 id[GC_ITEM_ID_LEN];
	u8 data[];
};

struct gc_slot {
	struct gc_item *it;	/* pending and held items only */
	u8 state;		/* enum gc_slot_state */
};

/* Sequence numbers of a stream: everything below low has left the window
 * (or was never here: reported lost); everything up to contig is resolved
 * (held, rejected, lost or gone); max is the highest seen.
 */
struct gc_stream {
	char name[GC_NODE_NAME_MAX];
	u8 name_len;
	u64 boot;
	u64 low, contig, max;
	u32 held, pending, rejected;
	u64 bytes;		/* content of held and pending items */
	u64 last_us;		/* when an item of it last came, or it was learned */
	u32 cap;		/* ring slots, a power of two */
	struct gc_slot *ring;	/* seq s at ring[s & (cap - 1)], low <= s <= max;
				 * every other slot is empty
				 */
};

/* A reassembly buffer for an item sent in fragments. */
#define GC_REASM_MAX 16
#define GC_FRAG_UNITS (GC_ITEM_MAX_LEN / GC_FRAG_UNIT)

struct gc_reasm {
	bool used;
	char name[GC_NODE_NAME_MAX];
	u8 name_len, type, hops, flags;
	u64 boot, seq;
	u8 id[GC_ITEM_ID_LEN];
	u16 total;
	u32 got;		/* fragment units received */
	u64 bits[(GC_FRAG_UNITS + 63) / 64];
	u64 deadline_us;
	u8 *buf;
};

#define GC_REJECT_MEMORY 1024	/* rejected ids remembered */
#define GC_RETIRED_MEMORY 256	/* retired streams not learned again */
/* A node serves at most this many requests' worth (item_pull_max each) per
 * round: about two exchanges a round are its share, the rest is headroom.
 */
#define GC_SERVE_ROUNDS 4

struct gc_item_stats {
	u64 put, new_items, accepted, rejected, expired, duplicate, evicted, dropped;
	u64 conflict, bad_id, sent, served, frags_dropped, digests_sent, wanted, lost;
	u64 retired;		/* streams forgotten: superseded by a newer boot, idle */
	u64 unserved;		/* wanted items not sent: this round's serve budget spent */
};

enum gc_item_event_type {
	GC_IEV_PENDING = GC_ITEM_EVENT_PENDING,
	GC_IEV_HELD = GC_ITEM_EVENT_HELD,
	GC_IEV_REJECTED = GC_ITEM_EVENT_REJECTED,
	GC_IEV_EXPIRED = GC_ITEM_EVENT_EXPIRED,
	GC_IEV_GAP = GC_ITEM_EVENT_GAP,
};

struct gc_item_ev {
	u8 type;
	const struct gc_stream *stream;
	const struct gc_item *item;	/* NULL for GAP */
	u64 from, to;			/* GAP: the sequence numbers lost */
	u64 time_us;
};

struct gc_items {
	const struct gc_config *cfg;
	struct gc_peers peers;
	struct gc_stream **streams;
	u32 n_streams, streams_cap;
	u32 *index;		/* stream numbers by hash of (name, boot) */
	u32 index_mask;
	u8 key[16];
	u32 self;		/* this node's own stream */
	struct gc_link pending, push;
	u32 n_pending, n_push;
	struct gc_reasm reasm[GC_REASM_MAX];
	u8 (*rejects)[GC_ITEM_ID_LEN];
	u32 rej_next, rej_count;
	u64 mem;		/* content held, pending and being reassembled */
	u64 meta;		/* streams, rings, index: counted against item_mem_max too */
	u32 gen;		/* bumped when a stream is forgotten, for dumps */
	u32 held;
	u32 want_budget;	/* items this node may still ask for this round */
	u32 serve_budget;	/* items it may still serve others this round */
	u64 retired[GC_RETIRED_MEMORY];	/* hashes of streams forgotten */
	u32 retired_next, retired_count;
	u64 next_sync_us, next_push_us;
	bool verifier;		/* a verifier is registered */
	u8 *tx, *gone_tx;	/* packets being filled: items, and GONE lists */
	size_t tx_cap;
	struct gc_item_stats stats;
};

/* A stream for this node's own puts, named name, started at boot. */
int gc_items_init(struct gc_items *it, const struct gc_config *cfg, const struct gc_peers *peers,
		  const char *name, u8 name_len, u64 boot, const u8 key[16], u64 now);
void gc_items_destroy(struct gc_items *it);

/* Handles an ITEM, DIGEST or WANT message (validated by gc_decode_msg). */
void gc_items_on_msg(struct gc_items *it, const struct gc_addr *from, const struct gc_msg *m,
		     u64 now);
void gc_items_tick(struct gc_items *it, u64 now);
u64 gc_items_deadline(const struct gc_items *it);

enum gc_put_result {
	GC_PUT_OK = 0,
	GC_PUT_SIZE = -1,	/* empty, or over item_max_bytes */
	GC_PUT_NOMEM = -2,	/* over item_mem_max, or no memory */
};

/* Puts an item with this node as origin; *out is the new item. */
int gc_items_put(struct gc_items *it, u8 type, const u8 *data, u16 len, u64 now,
		 const struct gc_item **out);
/* A verdict on a pending item; -1 when none has that id. */
int gc_items_verdict(struct gc_items *it, const u8 *id, bool accept, u64 now);
/* Whether new items wait for a verdict from now on. */
void gc_items_set_verifier(struct gc_items *it, bool on);

/* A held or pending item by id, or NULL. */
const struct gc_item *gc_items_find(const struct gc_items *it, const u8 *id);
/* Whether the id is among the last GC_REJECT_MEMORY ones rejected here. */
bool gc_items_was_rejected(const struct gc_items *it, const u8 *id);

static inline const struct gc_stream *gc_items_stream(const struct gc_items *it, u32 i)
{
	return it->streams[i];
}

/* The slot of seq in a stream, or NULL outside [low, max]. */
const struct gc_slot *gc_stream_slot(const struct gc_stream *s, u64 seq);

/* Sends per item: item_retransmit_mult * ceil(log10(n + 1)), at least the fanout. */
u32 gc_item_send_limit(const struct gc_config *cfg, u32 n);

size_t gc_items_mem_bytes(const struct gc_items *it);

#endif /* _GC_CORE_ITEMS_H */
