// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the protocol core's receive path (kmod/core/): the
 * input is one UDP payload as a node could receive it.
 *
 *  - gc_packet_open() with an empty keyring and with a 1-key keyring, each
 *    into a buffer of exactly the input's size, checking what a result
 *    promises (lengths, key index, the error a header calls for);
 *  - every message of the plain body (the opened body, or the bytes after
 *    the 6-byte header when only the CRC is wrong, so mutations of a valid
 *    packet keep reaching the decoder) decoded with gc_decode_msg() and each
 *    STATE, DIGEST, WANT and AGG entry with gc_next_*_entry(); every decoded
 *    message (ITEM and its fragments included) must encode back with
 *    gc_put_*() to exactly its bytes;
 *  - the body sealed with the 1-key keyring must open back to itself;
 *  - the packet, and the body re-wrapped with a valid CRC, given to one
 *    long-lived engine (static, created once) with gc_engine_on_packet(),
 *    whose clock advances 5 ms per input and ticks when due, so its timers,
 *    suspicions and reaping run on whatever state the inputs built. Its item
 *    layer has small windows and memory, a verifier whose verdicts come
 *    from the ids, and its whole state (streams, slots, counters, memory)
 *    is checked for consistency after every input.
 *
 * Any broken promise abort()s, which libFuzzer reports as a crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "core/node_name.h"
#include "core/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct gc_engine *engine;
static u64 now_us = 1000000;

/* Items pending at the engine: verdicts are given after the packet. */
#define PENDING_MAX 64
static u8 pending_ids[PENDING_MAX][GC_ITEM_ID_LEN];
static u32 n_pending_ids;

static void check(bool ok)
{
	if (!ok)
		abort();
}

static void fuzz_send(void *ctx, const struct gc_addr *to, const u8 *pkt, size_t len)
{
	(void)ctx;
	check(to->family == 4 || to->family == 6);
	check(len >= GC_PLAIN_HDR_LEN && len <= 1400);
	check(pkt[0] == GC_WIRE_VERSION);
}

static void fuzz_event(void *ctx, const struct gc_event *ev)
{
	(void)ctx;
	check(ev->type >= GC_EV_JOIN && ev->type <= GC_EV_REAP);
	check(gc_node_name_valid(ev->name, ev->name_len));
}

static void fuzz_item_event(void *ctx, const struct gc_item_ev *ev)
{
	(void)ctx;
	check(ev->type >= GC_IEV_PENDING && ev->type <= GC_IEV_GAP);
	check(ev->stream && gc_node_name_valid(ev->stream->name, ev->stream->name_len));
	if (ev->type == GC_IEV_GAP) {
		check(!ev->item && ev->from >= 1 && ev->from <= ev->to);
		return;
	}
	check(ev->item && ev->item->len >= 1 && ev->item->seq >= 1);
	if (ev->type == GC_IEV_PENDING && n_pending_ids < PENDING_MAX)
		memcpy(pending_ids[n_pending_ids++], ev->item->id, GC_ITEM_ID_LEN);
}

static const struct gc_engine_ops fuzz_ops = {
	.send = fuzz_send, .event = fuzz_event, .item_event = fuzz_item_event};

static struct gc_addr addr4(u8 last, u16 port)
{
	struct gc_addr a;

	memset(&a, 0, sizeof(a));
	a.family = 4;
	a.ip[0] = 10;
	a.ip[3] = last;
	a.port = port;
	return a;
}

static struct gc_engine *get_engine(void)
{
	struct gc_config cfg;
	struct gc_addr a = addr4(1, 7947), seed = addr4(2, 7947);

	if (engine)
		return engine;
	gc_config_default(&cfg);
	cfg.probe_interval_ms = 100;
	cfg.probe_timeout_ms = 50;
	cfg.gossip_interval_ms = 20;
	cfg.push_pull_interval_ms = 1000;
	cfg.reconnect_ms = 2000;
	cfg.reap_ms = 10000;
	cfg.max_members = 128;
	/* Small bounds, so inputs reach eviction, gaps, memory limits. */
	cfg.item_max_bytes = GC_ITEM_MAX_LEN;
	cfg.item_window = 16;
	cfg.item_window_bytes = 2 * GC_ITEM_MAX_LEN;
	cfg.item_mem_max = 4 * GC_ITEM_MAX_LEN;
	cfg.item_pull_max = 8;
	cfg.item_pending_ms = 200;
	cfg.item_sync_ms = 100;
	cfg.agg_interval_ms = 50;
	cfg.agg_epoch_rounds = 4;
	/* Names that are also in the seed corpus: "fuzz" is the node itself. */
	engine = gc_engine_new(&cfg, "fuzz", 4, &a, 1, 1, now_us, &fuzz_ops, NULL);
	check(engine != NULL);
	check(gc_engine_join(engine, &seed, 1, now_us) == 0);
	/* Items of its own to serve (seqs 1-3), and a metric. */
	{
		const struct gc_item *item;
		u8 data[700];
		u8 k;

		for (k = 1; k <= 3; k++) {
			memset(data, k, sizeof(data));
			check(gc_items_put(&engine->items, k, data, (u16)(k * 300 - 200), now_us,
					   &item) == GC_PUT_OK);
		}
		check(gc_agg_set(&engine->agg, "load", 4, 1500000, true, now_us) == 0);
	}
	gc_items_set_verifier(&engine->items, true);
	return engine;
}

/* Re-encodes a decoded message and compares it with the bytes it came from. */
static void check_reencode(const struct gc_msg *m, const u8 *raw, size_t raw_len)
{
	static u8 out[GC_MAX_MTU + 64];
	struct gc_wbuf b = {.p = out, .cap = sizeof(out)};
	struct gc_state_entry en;
	struct gc_range_entry re;
	struct gc_agg_entry ae;
	size_t eoff = 0, start;
	u16 i;

	switch (m->type) {
	case GC_MSG_PING:
		gc_put_ping(&b, m->seq, m->name.p, m->name.len);
		break;
	case GC_MSG_ACK:
	case GC_MSG_NACK:
		gc_put_ack(&b, m->type, m->seq);
		break;
	case GC_MSG_PING_REQ:
		gc_put_ping_req(&b, m->seq, m->name.p, m->name.len, &m->addr);
		break;
	case GC_MSG_ALIVE:
		gc_put_alive(&b, m->incarnation, m->name.p, m->name.len, &m->addr);
		break;
	case GC_MSG_SUSPECT:
	case GC_MSG_DEAD:
		gc_put_accuse(&b, m->type, m->incarnation, m->name.p, m->name.len, m->from.p,
			      m->from.len);
		break;
	case GC_MSG_STATE:
		start = b.len;
		gc_begin_state(&b, m->flags);
		for (i = 0; i < m->count; i++) {
			/* Validated by gc_decode_msg(): every entry decodes. */
			check(gc_next_state_entry(m, &eoff, &en) == GC_WIRE_OK);
			check(en.state >= 1 && en.state <= 4);
			check(gc_node_name_valid(en.name.p, en.name.len));
			check(en.addr.family == 4 || en.addr.family == 6);
			check(en.addr.port != 0);
			check(gc_put_state_entry(&b, en.state, en.incarnation, en.name.p,
						 en.name.len, &en.addr) ==
			      gc_state_entry_len(en.name.len, &en.addr));
		}
		check(eoff == m->entries_len);
		gc_end_state(&b, start, m->count);
		break;
	case GC_MSG_ITEM:
		/* Validated: a fragment of a whole of 1..GC_ITEM_MAX_LEN bytes. */
		check(m->item_seq >= 1 && m->item_seq <= GC_ITEM_SEQ_MAX);
		check(m->total >= 1 && m->total <= GC_ITEM_MAX_LEN && m->frag_len >= 1);
		check((u32)m->frag_off + m->frag_len <= m->total);
		check(m->frag_off % GC_FRAG_UNIT == 0);
		check(gc_node_name_valid(m->name.p, m->name.len));
		gc_put_item(&b, m->hops, m->flags, m->item_type, m->item_boot, m->item_seq,
			    m->name.p, m->name.len, m->id, m->total, m->frag_off, m->data,
			    m->frag_len);
		break;
	case GC_MSG_DIGEST:
	case GC_MSG_WANT:
	case GC_MSG_GONE:
		start = b.len;
		gc_begin_list(&b, m->type, m->flags);
		for (i = 0; i < m->count; i++) {
			check(gc_next_range_entry(m, &eoff, &re) == GC_WIRE_OK);
			check(gc_node_name_valid(re.origin.p, re.origin.len));
			check(re.a >= 1 && re.a <= GC_ITEM_SEQ_MAX && re.b <= GC_ITEM_SEQ_MAX);
			if (m->type == GC_MSG_DIGEST)
				check(re.b + 1 >= re.a);
			else
				check(re.b >= re.a && re.b - re.a < GC_WANT_MAX_SPAN);
			check(gc_put_range_entry(&b, re.origin.p, re.origin.len, re.boot, re.a,
						 re.b) == gc_range_entry_len(re.origin.len));
		}
		check(eoff == m->entries_len);
		gc_end_list(&b, start, m->count);
		break;
	case GC_MSG_AGG:
		check(m->incarnation >= 1 && m->count <= GC_AGG_MAX);
		check(gc_node_name_valid(m->name.p, m->name.len));
		start = b.len;
		gc_begin_agg(&b, m->incarnation, m->name.p, m->name.len, m->agg_c, m->agg_g);
		for (i = 0; i < m->count; i++) {
			check(gc_next_agg_entry(m, &eoff, &ae) == GC_WIRE_OK);
			check(gc_agg_name_valid(ae.name.p, ae.name.len));
			check(gc_put_agg_entry(&b, &ae) == GC_AGG_ENTRY_LEN(ae.name.len));
		}
		check(eoff == m->entries_len);
		gc_end_list(&b, start, m->count);
		break;
	default:
		return; /* unknown types are skipped, not re-encoded */
	}
	check(!b.overflow);
	check(b.len == raw_len);
	check(!memcmp(out, raw, raw_len));
}

static void decode_body(const u8 *data, size_t len)
{
	u8 *body = malloc(len ? len : 1);
	size_t off = 0, prev;
	struct gc_msg m;

	check(body != NULL);
	/* Exactly len bytes, so ASan sees any read past the end. */
	memcpy(body, data, len);
	while (off < len) {
		prev = off;
		if (gc_decode_msg(body, len, &off, &m) != GC_WIRE_OK) {
			check(off == prev);
			break;
		}
		check(off > prev && off <= len);
		check(off - prev >= GC_MSG_HDR_LEN);
		if (m.type == GC_MSG_PING || m.type == GC_MSG_PING_REQ || m.type == GC_MSG_ALIVE ||
		    m.type == GC_MSG_SUSPECT || m.type == GC_MSG_DEAD || m.type == GC_MSG_ITEM ||
		    m.type == GC_MSG_AGG)
			check(gc_node_name_valid(m.name.p, m.name.len));
		if (m.type == GC_MSG_SUSPECT || m.type == GC_MSG_DEAD)
			check(gc_node_name_valid(m.from.p, m.from.len));
		check_reencode(&m, body + prev, off - prev);
	}
	free(body);
}

static void open_packet(const struct gc_keyring *kr, const u8 *data, size_t size, int nkeys)
{
	u8 *body = malloc(size ? size : 1);
	size_t body_len = 0;
	int key = 42;
	enum gc_wire_err err;

	check(body != NULL);
	err = gc_packet_open(kr, data, size, body, &body_len, &key);
	check((unsigned int)err < __GC_WIRE_ERR_MAX);
	if (size < 2)
		check(err == GC_WIRE_SHORT);
	else if (data[0] != GC_WIRE_VERSION || (data[1] & ~GC_WIRE_FLAG_SEALED))
		check(err == GC_WIRE_BAD_VERSION);
	else if (!(data[1] & GC_WIRE_FLAG_SEALED) && nkeys)
		check(err == GC_WIRE_UNSEALED);
	else if ((data[1] & GC_WIRE_FLAG_SEALED) && !nkeys)
		check(err == GC_WIRE_NO_KEY);
	if (err == GC_WIRE_OK) {
		if (nkeys) {
			check(key == 0);
			check(body_len == size - GC_SEAL_OVERHEAD);
		} else {
			check(key == -1);
			check(body_len == size - GC_PLAIN_HDR_LEN);
			check(!memcmp(body, data + GC_PLAIN_HDR_LEN, body_len));
		}
	} else {
		check(key == -1);
	}
	free(body);
}

/* Sets the id of every whole ITEM of a valid body to its content's hash;
 * whether there was one.
 */
static bool fix_ids(u8 *body, size_t len)
{
	size_t off = 0, prev;
	bool any = false;
	struct gc_msg m;

	while (off < len) {
		prev = off;
		if (gc_decode_msg(body, len, &off, &m) != GC_WIRE_OK)
			return false;
		if (m.type == GC_MSG_ITEM && m.frag_off == 0 && m.frag_len == m.total) {
			/* m.id points into body, at a fixed place of the message. */
			check(m.id > body + prev && m.id + GC_ITEM_ID_LEN <= body + off);
			gc_sha256(m.data, m.frag_len, (u8 *)m.id);
			any = true;
		}
	}
	return any;
}

/* The item layer's bookkeeping agrees with what it holds. */
static void check_items(const struct gc_items *it)
{
	u64 mem = 0, pushq = 0;
	u32 held = 0, pending = 0, i;
	const struct gc_link *l;

	for (i = 0; i < it->n_streams; i++) {
		const struct gc_stream *s = gc_items_stream(it, i);
		u32 h = 0, p = 0, r = 0;
		u64 bytes = 0, q;

		check(s->low >= 1 && s->contig + 1 >= s->low && s->max + 1 >= s->low);
		check(s->contig <= s->max || (s->contig == s->low - 1 && s->max == s->low - 1));
		check(s->max <= GC_ITEM_SEQ_MAX);
		/* The window fits its ring and item_window. */
		check(s->max < s->low || (s->ring && s->max - s->low < s->cap));
		check(s->max < s->low || s->max - s->low < it->cfg->item_window);
		for (q = s->low; q <= s->max; q++) {
			const struct gc_slot *sl = gc_stream_slot(s, q);
			bool res;

			check(sl != NULL);
			res = sl->state == GC_SLOT_HELD || sl->state == GC_SLOT_REJECTED ||
			      sl->state == GC_SLOT_LOST;
			/* contig: everything up to it resolved, the next not. */
			if (q <= s->contig)
				check(res);
			else if (q == s->contig + 1)
				check(!res);
			if (sl->state == GC_SLOT_HELD || sl->state == GC_SLOT_PENDING) {
				check(sl->it && sl->it->seq == q && sl->it->state == sl->state);
				check(sl->it->stream == i && sl->it->len >= 1);
				bytes += sl->it->len;
				h += sl->state == GC_SLOT_HELD;
				p += sl->state == GC_SLOT_PENDING;
			} else {
				check(!sl->it);
			}
			r += sl->state == GC_SLOT_REJECTED;
		}
		check(h == s->held && p == s->pending && r == s->rejected && bytes == s->bytes);
		/* Bytes within the window's, but for an item that came late to the
		 * window's first seq: nothing older is left to make room for it.
		 */
		check(s->bytes <= it->cfg->item_window_bytes ||
		      (gc_stream_slot(s, s->low)->it &&
		       s->bytes - gc_stream_slot(s, s->low)->it->len <=
			       it->cfg->item_window_bytes));
		mem += bytes;
		held += h;
		pending += p;
	}
	for (i = 0; i < GC_REASM_MAX; i++) {
		if (it->reasm[i].used) {
			check(it->reasm[i].buf && it->reasm[i].total >= 1);
			mem += it->reasm[i].total;
		}
	}
	for (l = it->push.next; l != &it->push; l = l->next)
		pushq++;
	check(mem == it->mem && mem <= it->cfg->item_mem_max);
	check(held == it->held && pending == it->n_pending && pushq == it->n_push);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gc_keyring empty, one;
	static u8 pkt[GC_MAX_MTU + GC_SEAL_OVERHEAD], back[GC_MAX_MTU + GC_SEAL_OVERHEAD];
	struct gc_addr from = addr4(2, 7947);
	struct gc_engine *e = get_engine();
	const u8 *plain = NULL;
	size_t plain_len = 0, len, back_len;
	u64 rx;
	int key;

	if (!one.count) {
		u8 k[GC_AEAD_KEY_LEN];

		memset(k, 0x5a, sizeof(k));
		check(gc_keyring_add(&one, k) == 0);
	}

	open_packet(&empty, data, size, 0);
	open_packet(NULL, data, size, 0);
	open_packet(&one, data, size, 1);

	/* The plain body, CRC or not. */
	if (size >= GC_PLAIN_HDR_LEN && data[0] == GC_WIRE_VERSION && data[1] == 0) {
		plain = data + GC_PLAIN_HDR_LEN;
		plain_len = size - GC_PLAIN_HDR_LEN;
		decode_body(plain, plain_len);
	}

	/* Seal and open it back with the keyring. */
	if (plain && plain_len <= GC_MAX_MTU) {
		len = gc_packet_seal(&one, plain, plain_len, pkt, sizeof(pkt));
		check(len == plain_len + GC_SEAL_OVERHEAD);
		check(gc_packet_open(&one, pkt, len, back, &back_len, &key) == GC_WIRE_OK);
		check(key == 0 && back_len == plain_len && !memcmp(back, plain, plain_len));
		pkt[len - 1] ^= 1;
		check(gc_packet_open(&one, pkt, len, back, &back_len, &key) == GC_WIRE_AUTH);
	}

	/* The whole receive path of a node. */
	rx = e->stats.rx_packets;
	gc_engine_on_packet(e, &from, data, size, now_us);
	if (plain && plain_len <= GC_MAX_MTU - GC_PLAIN_HDR_LEN) {
		len = gc_packet_seal(NULL, plain, plain_len, pkt, sizeof(pkt));
		check(len == plain_len + GC_PLAIN_HDR_LEN);
		gc_engine_on_packet(e, &from, pkt, len, now_us);
		/* Again with the id of every whole item made right, so mutated
		 * items get past the id check into windows, verdicts and memory.
		 */
		if (fix_ids(pkt + GC_PLAIN_HDR_LEN, plain_len)) {
			len = gc_packet_seal(NULL, pkt + GC_PLAIN_HDR_LEN, plain_len, back,
					     sizeof(back));
			gc_engine_on_packet(e, &from, back, len, now_us);
		}
	}
	check(e->stats.rx_packets > rx);
	/* Verdicts on what became pending: by the id's first byte. */
	while (n_pending_ids) {
		const u8 *id = pending_ids[--n_pending_ids];

		if (id[0] % 3)
			gc_items_verdict(&e->items, id, id[0] % 3 == 1, now_us);
	}
	now_us += 5000;
	if (gc_engine_next_deadline(e) <= now_us)
		gc_engine_on_tick(e, now_us);
	check_items(&e->items);
	check(e->agg.n <= GC_AGG_MAX);

	/* The table stays consistent. */
	{
		const struct gc_members *t = gc_engine_members(e);

		check(gc_members_total(t) <= 128);
		check(t->count[1] + t->count[2] + t->count[3] + t->count[4] == gc_members_total(t));
		check(gc_members_find(t, "fuzz", 4) == e->self);
	}
	return 0;
}
