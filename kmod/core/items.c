// SPDX-License-Identifier: GPL-2.0
#include "items.h"
#include "node_name.h"

#define MS 1000ULL

/* ---- lists ---- */

static void link_init(struct gc_link *l)
{
	l->prev = l;
	l->next = l;
}

static bool link_empty(const struct gc_link *l)
{
	return l->next == l;
}

static void link_add_tail(struct gc_link *head, struct gc_link *l)
{
	l->prev = head->prev;
	l->next = head;
	head->prev->next = l;
	head->prev = l;
}

static void link_del(struct gc_link *l)
{
	l->prev->next = l->next;
	l->next->prev = l->prev;
	link_init(l);
}

#define item_of(ptr, member) \
	((struct gc_item *)((char *)(ptr) - offsetof(struct gc_item, member)))

/* ---- output ---- */

static void event(struct gc_items *it, u8 type, const struct gc_stream *s,
		  const struct gc_item *item, u64 from, u64 to, u64 now)
{
	struct gc_item_ev ev = {
		.type = type, .stream = s, .item = item, .from = from, .to = to, .time_us = now,
	};

	if (it->peers.ops->item_event)
		it->peers.ops->item_event(it->peers.ctx, &ev);
}

static struct gc_wbuf tx_buf(struct gc_items *it)
{
	return (struct gc_wbuf){ .p = it->tx, .cap = it->tx_cap };
}

static void flush(struct gc_items *it, const struct gc_addr *to, struct gc_wbuf *b)
{
	if (b->len)
		it->peers.ops->send(it->peers.ctx, to, b->p, b->len);
	*b = tx_buf(it);
}

static size_t item_msg_len(const struct gc_stream *s, u16 len)
{
	return GC_MSG_HDR_LEN + GC_ITEM_HDR_LEN + (size_t)s->name_len + len;
}

/* Appends one item to b, whole if it fits a packet, else in fragments, each
 * in a packet of its own; sends to the peer as packets fill.
 */
static void put_item(struct gc_items *it, const struct gc_addr *to, struct gc_wbuf *b,
		     const struct gc_item *item, u8 flags)
{
	const struct gc_stream *s = it->streams[item->stream];
	u16 off, n, unit;

	if (item_msg_len(s, item->len) > b->cap - b->len) {
		flush(it, to, b);
		if (item_msg_len(s, item->len) > b->cap) {
			unit = gc_item_frag_room(b->cap, s->name_len);
			for (off = 0; unit && off < item->len; off += n) {
				n = item->len - off < unit ? item->len - off : unit;
				gc_put_item(b, item->hops, flags, item->type, s->boot, item->seq,
					    s->name, s->name_len, item->id, item->len, off,
					    item->data + off, n);
				flush(it, to, b);
			}
			it->stats.sent++;
			return;
		}
	}
	gc_put_item(b, item->hops, flags, item->type, s->boot, item->seq, s->name, s->name_len,
		    item->id, item->len, 0, item->data, item->len);
	it->stats.sent++;
}

/* ---- streams ---- */

static u32 stream_hash(const struct gc_items *it, const char *name, u8 len, u64 boot)
{
	u8 buf[GC_NODE_NAME_MAX + 8];

	memcpy(buf, name, len);
	memcpy(buf + len, &boot, 8);
	return (u32)gc_siphash(buf, (size_t)len + 8, it->key);
}

static u32 find_stream(const struct gc_items *it, const char *name, u8 len, u64 boot)
{
	u32 h, i;

	if (!it->index)
		return GC_NONE;
	for (h = stream_hash(it, name, len, boot);; h++) {
		const struct gc_stream *s;

		i = it->index[h & it->index_mask];
		if (i == GC_NONE)
			return GC_NONE;
		s = it->streams[i];
		if (s->boot == boot && s->name_len == len && !memcmp(s->name, name, len))
			return i;
	}
}

/* The hash index, rebuilt at size slots (a power of two). */
static int index_build(struct gc_items *it, u32 size)
{
	u32 i, h, *index;

	index = gc_zalloc((size_t)size * sizeof(u32));
	if (!index)
		return -1;
	memset(index, 0xff, (size_t)size * sizeof(u32));
	for (i = 0; i < it->n_streams; i++) {
		const struct gc_stream *s = it->streams[i];

		h = stream_hash(it, s->name, s->name_len, s->boot);
		while (index[h & (size - 1)] != GC_NONE)
			h++;
		index[h & (size - 1)] = i;
	}
	gc_free(it->index);
	it->index = index;
	it->index_mask = size - 1;
	return 0;
}

static int index_grow(struct gc_items *it)
{
	return index_build(it, it->index ? 2 * (it->index_mask + 1) : 64);
}

/* ---- retired streams ---- */

static u64 stream_key(const struct gc_items *it, const char *name, u8 len, u64 boot)
{
	u8 buf[GC_NODE_NAME_MAX + 8];

	memcpy(buf, name, len);
	memcpy(buf + len, &boot, 8);
	return gc_siphash(buf, (size_t)len + 8, it->key);
}

static bool is_retired(const struct gc_items *it, const char *name, u8 len, u64 boot)
{
	u64 k = stream_key(it, name, len, boot);
	u32 i;

	for (i = 0; i < it->retired_count; i++)
		if (it->retired[i] == k)
			return true;
	return false;
}

/* A stream new to this node, its window starting at low; GC_NONE when the
 * table is full (one stream per member) or memory is short.
 */
static u32 add_stream(struct gc_items *it, const char *name, u8 len, u64 boot, u64 low, u64 now)
{
	struct gc_stream *s, **streams;
	u32 h, cap;

	if (it->n_streams >= it->cfg->max_members)
		return GC_NONE;
	if (it->n_streams == it->streams_cap) {
		cap = it->streams_cap ? it->streams_cap * 2 : 8;
		streams = gc_realloc(it->streams, (size_t)cap * sizeof(*streams));
		if (!streams)
			return GC_NONE;
		it->streams = streams;
		it->streams_cap = cap;
	}
	if ((it->n_streams + 1) * 2 > (it->index ? it->index_mask + 1 : 0) && index_grow(it))
		return GC_NONE;
	if (it->mem + it->meta + sizeof(*s) > it->cfg->item_mem_max)
		return GC_NONE;
	s = gc_zalloc(sizeof(*s));
	if (!s)
		return GC_NONE;
	it->meta += sizeof(*s);
	memcpy(s->name, name, len);
	s->name_len = len;
	s->boot = boot;
	s->low = low;
	s->contig = low - 1;
	s->max = low - 1;
	s->last_us = now;
	it->streams[it->n_streams] = s;
	h = stream_hash(it, name, len, boot);
	while (it->index[h & it->index_mask] != GC_NONE)
		h++;
	it->index[h & it->index_mask] = it->n_streams;
	return it->n_streams++;
}

static struct gc_slot *slot_of(const struct gc_stream *s, u64 seq)
{
	return &s->ring[seq & (s->cap - 1)];
}

const struct gc_slot *gc_stream_slot(const struct gc_stream *s, u64 seq)
{
	if (seq < s->low || seq > s->max || !s->ring)
		return NULL;
	return slot_of(s, seq);
}

static u8 slot_state(const struct gc_stream *s, u64 seq)
{
	const struct gc_slot *sl = gc_stream_slot(s, seq);

	return sl ? sl->state : GC_SLOT_EMPTY;
}

/* Room in the ring for every seq from low to seq (seq - low < window). */
static int ring_reserve(struct gc_items *it, struct gc_stream *s, u64 seq)
{
	u32 cap = s->cap ? s->cap : 8;
	struct gc_slot *ring;
	u64 q;

	while ((u64)cap < seq - s->low + 1)
		cap *= 2;
	if (cap == s->cap)
		return 0;
	if (it->mem + it->meta + ((size_t)cap - s->cap) * sizeof(*ring) > it->cfg->item_mem_max)
		return -1;
	ring = gc_zalloc((size_t)cap * sizeof(*ring));
	if (!ring)
		return -1;
	for (q = s->low; s->ring && q <= s->max; q++)
		ring[q & (cap - 1)] = *slot_of(s, q);
	gc_free(s->ring);
	it->meta += ((size_t)cap - s->cap) * sizeof(*ring);
	s->ring = ring;
	s->cap = cap;
	return 0;
}

static void advance_contig(struct gc_stream *s)
{
	u8 st;

	while (s->contig < s->max) {
		st = slot_of(s, s->contig + 1)->state;
		if (st != GC_SLOT_HELD && st != GC_SLOT_REJECTED && st != GC_SLOT_LOST)
			break;
		s->contig++;
	}
}

static void free_item(struct gc_items *it, struct gc_stream *s, struct gc_item *item)
{
	if (item->state == GC_SLOT_PENDING) {
		link_del(&item->pending);
		it->n_pending--;
		s->pending--;
	} else if (item->state == GC_SLOT_HELD) {
		s->held--;
		it->held--;
	}
	if (!link_empty(&item->push)) {
		link_del(&item->push);
		it->n_push--;
	}
	s->bytes -= item->len;
	it->mem -= item->len;
	gc_free(item);
}

/* Reports seqs [from, to] as lost: never here, and beyond the window. */
static void report_gap(struct gc_items *it, const struct gc_stream *s, u64 from, u64 to, u64 now)
{
	it->stats.lost += to - from + 1;
	event(it, GC_IEV_GAP, s, NULL, from, to, now);
}

/* Moves the window's start up to low, oldest first: items leave, and seqs
 * that never came are reported lost.
 */
static void slide(struct gc_items *it, struct gc_stream *s, u64 low, u64 now)
{
	u64 q, gap = 0, end = s->max + 1 < low ? s->max + 1 : low;
	struct gc_slot *sl;

	if (low <= s->low)
		return;
	for (q = s->low; q < end; q++) {
		sl = slot_of(s, q);
		if (sl->state == GC_SLOT_EMPTY) {
			if (!gap)
				gap = q;
			continue;
		}
		if (gap) {
			report_gap(it, s, gap, q - 1, now);
			gap = 0;
		}
		if (sl->state == GC_SLOT_REJECTED)
			s->rejected--;
		if (sl->it) {
			free_item(it, s, sl->it);
			it->stats.evicted++;
		}
		sl->it = NULL;
		sl->state = GC_SLOT_EMPTY;
	}
	/* Seqs between the highest seen and the new start never came either. */
	if (!gap && end < low)
		gap = end;
	if (gap)
		report_gap(it, s, gap, low - 1, now);
	s->low = low;
	if (s->contig < low - 1)
		s->contig = low - 1;
	if (s->max < low - 1)
		s->max = low - 1;
	advance_contig(s);
}

/* Makes room for seq in the window: the oldest items leave when it is ahead. */
static int window_fit(struct gc_items *it, struct gc_stream *s, u64 seq, u64 now)
{
	if (seq - s->low >= it->cfg->item_window)
		slide(it, s, seq - it->cfg->item_window + 1, now);
	return ring_reserve(it, s, seq);
}

/* Marks seqs [from, to] that are not here as lost: they are beyond the
 * window of the peer that would have served them.
 */
static void lose_range(struct gc_items *it, struct gc_stream *s, u64 from, u64 to, u64 now)
{
	u64 q, gap = 0;

	if (to < from || window_fit(it, s, to, now))
		return;
	if (from < s->low)
		from = s->low;
	if (s->max < to)
		s->max = to;
	for (q = from; q <= to; q++) {
		struct gc_slot *sl = slot_of(s, q);

		if (sl->state != GC_SLOT_EMPTY) {
			if (gap)
				report_gap(it, s, gap, q - 1, now);
			gap = 0;
			continue;
		}
		sl->state = GC_SLOT_LOST;
		if (!gap)
			gap = q;
	}
	if (gap)
		report_gap(it, s, gap, to, now);
	advance_contig(s);
}

/* ---- rejected ids ---- */

static bool is_rejected(const struct gc_items *it, const u8 *id)
{
	u32 i;

	for (i = 0; i < it->rej_count; i++)
		if (!memcmp(it->rejects[i], id, GC_ITEM_ID_LEN))
			return true;
	return false;
}

static void remember_rejected(struct gc_items *it, const u8 *id)
{
	if (!it->rejects) {
		it->rejects = gc_zalloc((size_t)GC_REJECT_MEMORY * GC_ITEM_ID_LEN);
		if (!it->rejects)
			return;
	}
	memcpy(it->rejects[it->rej_next], id, GC_ITEM_ID_LEN);
	it->rej_next = (it->rej_next + 1) % GC_REJECT_MEMORY;
	if (it->rej_count < GC_REJECT_MEMORY)
		it->rej_count++;
}

/* ---- push ---- */

u32 gc_item_send_limit(const struct gc_config *cfg, u32 n)
{
	u32 digits = 0, limit;

	for (; n; n /= 10)
		digits++;
	if (!digits)
		digits = 1;
	limit = cfg->item_retransmit_mult * digits;
	return limit > cfg->item_fanout ? limit : cfg->item_fanout;
}

/* Infect and forward: a new item goes at once to item_fanout members, and
 * then in gossip rounds until it was sent its limit of times.
 */
static void push_now(struct gc_items *it, struct gc_item *item, u64 now)
{
	struct gc_addr peers[16];
	u32 limit = gc_item_send_limit(it->cfg, it->peers.ops->count(it->peers.ctx));
	u32 n = it->peers.ops->pick(it->peers.ctx, peers, it->cfg->item_fanout), i;

	for (i = 0; i < n; i++) {
		struct gc_wbuf b = tx_buf(it);

		put_item(it, &peers[i], &b, item, 0);
		flush(it, &peers[i], &b);
	}
	if (limit > 255)
		limit = 255;
	item->sends_left = (u8)(limit > n ? limit - n : 0);
	if (item->sends_left) {
		if (link_empty(&it->push))
			it->next_push_us = now + (u64)it->cfg->gossip_interval_ms * MS;
		link_add_tail(&it->push, &item->push);
		it->n_push++;
	}
}

/* A gossip round: the queued items, oldest first, to gossip_nodes members,
 * at most item_pull_max of them per round.
 */
static void push_round(struct gc_items *it)
{
	u32 n, i, todo = it->n_push < it->cfg->item_pull_max ? it->n_push : it->cfg->item_pull_max;
	struct gc_addr peers[64];
	struct gc_wbuf b;

	n = it->peers.ops->pick(it->peers.ctx, peers, it->cfg->gossip_nodes);
	if (!n)
		return;
	/* Each item once: a requeued item goes behind the ones not yet sent. */
	while (todo--) {
		struct gc_item *item = item_of(it->push.next, push);

		for (i = 0; i < n && item->sends_left; i++) {
			b = tx_buf(it);
			put_item(it, &peers[i], &b, item, 0);
			flush(it, &peers[i], &b);
			item->sends_left--;
		}
		link_del(&item->push);
		if (item->sends_left)
			link_add_tail(&it->push, &item->push);
		else
			it->n_push--;
	}
}

/* ---- items arriving ---- */

static void make_held(struct gc_items *it, struct gc_stream *s, struct gc_item *item, bool push,
		      u64 now)
{
	item->state = GC_SLOT_HELD;
	slot_of(s, item->seq)->state = GC_SLOT_HELD;
	s->held++;
	it->held++;
	it->stats.accepted++;
	advance_contig(s);
	event(it, GC_IEV_HELD, s, item, 0, 0, now);
	if (push)
		push_now(it, item, now);
}

static void make_pending(struct gc_items *it, struct gc_stream *s, struct gc_item *item, u64 now)
{
	item->state = GC_SLOT_PENDING;
	item->since_us = now;
	slot_of(s, item->seq)->state = GC_SLOT_PENDING;
	s->pending++;
	link_add_tail(&it->pending, &item->pending);
	it->n_pending++;
	event(it, GC_IEV_PENDING, s, item, 0, 0, now);
}

/* Stores a new item in its slot (which the caller has made room for). */
static struct gc_item *store(struct gc_items *it, u32 si, u64 seq, const u8 *id, u8 type, u8 hops,
			     const u8 *data, u16 len, u64 now)
{
	struct gc_stream *s = it->streams[si];
	struct gc_item *item;

	/* Per stream, bytes too: the oldest leave first (never this one), and
	 * before item_mem_max is checked, which they count against.
	 */
	while (s->bytes + len > it->cfg->item_window_bytes && s->low < seq)
		slide(it, s, s->low + 1, now);
	if (it->mem + it->meta + len > it->cfg->item_mem_max)
		return NULL;
	item = gc_zalloc(sizeof(*item) + len);
	if (!item)
		return NULL;
	link_init(&item->pending);
	link_init(&item->push);
	item->seq = seq;
	item->stream = si;
	item->len = len;
	item->type = type;
	item->hops = hops;
	memcpy(item->id, id, GC_ITEM_ID_LEN);
	memcpy(item->data, data, len);
	slot_of(s, seq)->it = item;
	if (seq > s->max)
		s->max = seq;
	s->bytes += len;
	s->last_us = now;
	it->mem += len;
	return item;
}

/* A whole item from the network, its id not yet checked. */
static void take_item(struct gc_items *it, const struct gc_name *origin, u64 boot, u64 seq,
		      const u8 *id, u8 type, u8 hops, u8 flags, const u8 *data, u16 len, u64 now)
{
	u8 digest[GC_ITEM_ID_LEN];
	struct gc_stream *s;
	struct gc_item *item;
	u32 si;

	gc_sha256(data, len, digest);
	if (memcmp(digest, id, GC_ITEM_ID_LEN)) {
		it->stats.bad_id++;
		return;
	}
	si = find_stream(it, origin->p, origin->len, boot);
	if (si == GC_NONE && is_retired(it, origin->p, origin->len, boot)) {
		it->stats.duplicate++;	/* a late copy of a stream forgotten */
		return;
	}
	if (si == GC_NONE)
		si = add_stream(it, origin->p, origin->len, boot, 1, now);
	if (si == GC_NONE) {
		it->stats.dropped++;
		return;
	}
	s = it->streams[si];
	/* Checked again: fragments of it may have come by two paths. */
	if (si == it->self || seq < s->low || slot_state(s, seq) != GC_SLOT_EMPTY) {
		it->stats.duplicate++;
		return;
	}
	if (window_fit(it, s, seq, now)) {
		it->stats.dropped++;
		return;
	}
	if (is_rejected(it, id)) {
		/* Judged before: its seq is settled, and nobody is asked again. */
		if (seq > s->max)
			s->max = seq;
		slot_of(s, seq)->state = GC_SLOT_REJECTED;
		s->rejected++;
		advance_contig(s);
		it->stats.duplicate++;
		return;
	}
	item = store(it, si, seq, id, type, hops < 255 ? hops + 1 : 255, data, len, now);
	if (!item) {
		it->stats.dropped++;
		return;
	}
	item->answer = flags & GC_ITEM_F_ANSWER;
	it->stats.new_items++;
	if (it->verifier || it->cfg->item_hold_unverified)
		make_pending(it, s, item, now);
	else
		make_held(it, s, item, !item->answer, now);
}

/* ---- fragments ---- */

static struct gc_reasm *find_reasm(struct gc_items *it, const struct gc_msg *m)
{
	u32 i;

	for (i = 0; i < GC_REASM_MAX; i++) {
		struct gc_reasm *r = &it->reasm[i];

		if (r->used && r->seq == m->item_seq && r->boot == m->item_boot &&
		    r->name_len == m->name.len && !memcmp(r->name, m->name.p, m->name.len) &&
		    !memcmp(r->id, m->id, GC_ITEM_ID_LEN) && r->total == m->total)
			return r;
	}
	return NULL;
}

static void free_reasm(struct gc_items *it, struct gc_reasm *r)
{
	it->mem -= r->total;
	gc_free(r->buf);
	memset(r, 0, sizeof(*r));
}

static struct gc_reasm *new_reasm(struct gc_items *it, const struct gc_msg *m, u64 now)
{
	struct gc_reasm *r = NULL;
	u32 i;

	for (i = 0; i < GC_REASM_MAX && !r; i++)
		if (!it->reasm[i].used)
			r = &it->reasm[i];
	if (!r)
		return NULL;
	if (it->mem + it->meta + m->total > it->cfg->item_mem_max)
		return NULL;
	r->buf = gc_zalloc(m->total);
	if (!r->buf)
		return NULL;
	r->used = true;
	memcpy(r->name, m->name.p, m->name.len);
	r->name_len = m->name.len;
	r->boot = m->item_boot;
	r->seq = m->item_seq;
	memcpy(r->id, m->id, GC_ITEM_ID_LEN);
	r->total = m->total;
	r->type = m->item_type;
	r->hops = m->hops;
	r->flags = m->flags;
	r->deadline_us = now + (u64)it->cfg->item_pending_ms * MS;
	it->mem += m->total;
	return r;
}

/* Whether this node still wants an item: not held, pending, judged or gone. */
static bool wanted(const struct gc_items *it, const struct gc_msg *m)
{
	u32 si = find_stream(it, m->name.p, m->name.len, m->item_boot);
	const struct gc_stream *s;

	if (si == GC_NONE)
		return true;
	s = it->streams[si];
	return si != it->self && m->item_seq >= s->low &&
	       slot_state(s, m->item_seq) == GC_SLOT_EMPTY;
}

/* An item not wanted: a copy, or another item under a taken (stream, seq). */
static void count_copy(struct gc_items *it, const struct gc_msg *m)
{
	u32 si = find_stream(it, m->name.p, m->name.len, m->item_boot);
	const struct gc_slot *sl = si == GC_NONE ? NULL :
				   gc_stream_slot(it->streams[si], m->item_seq);

	if (sl && sl->it && memcmp(sl->it->id, m->id, GC_ITEM_ID_LEN))
		it->stats.conflict++;
	else
		it->stats.duplicate++;
}

static void on_item(struct gc_items *it, const struct gc_msg *m, u64 now)
{
	struct gc_reasm *r;
	u32 unit, units, i;

	if (m->total > it->cfg->item_max_bytes) {
		it->stats.dropped++;
		return;
	}
	if (!wanted(it, m)) {
		/* Counted once per copy, at its first fragment. */
		if (m->frag_off == 0)
			count_copy(it, m);
		return;
	}
	if (m->frag_off == 0 && m->frag_len == m->total) {
		take_item(it, &m->name, m->item_boot, m->item_seq, m->id, m->item_type, m->hops,
			  m->flags, m->data, m->frag_len, now);
		return;
	}
	r = find_reasm(it, m);
	if (!r)
		r = new_reasm(it, m, now);
	if (!r) {
		it->stats.frags_dropped++;
		return;
	}
	memcpy(r->buf + m->frag_off, m->data, m->frag_len);
	units = (m->frag_len + GC_FRAG_UNIT - 1) / GC_FRAG_UNIT;
	for (i = 0; i < units; i++) {
		unit = m->frag_off / GC_FRAG_UNIT + i;
		if (!(r->bits[unit / 64] & (1ULL << (unit % 64)))) {
			r->bits[unit / 64] |= 1ULL << (unit % 64);
			r->got++;
		}
	}
	if (r->got == (r->total + GC_FRAG_UNIT - 1u) / GC_FRAG_UNIT) {
		/* Its buffer counts against item_mem_max no longer once whole. */
		struct gc_reasm done = *r;
		struct gc_name origin = { done.name, done.name_len };

		r->buf = NULL;
		free_reasm(it, r);
		take_item(it, &origin, done.boot, done.seq, done.id, done.type, done.hops,
			  done.flags, done.buf, done.total, now);
		gc_free(done.buf);
	}
}

/* ---- anti-entropy ---- */

/* Our digest, in as many chunks as it takes; the first asks for the
 * peer's in return when request is set.
 */
static void send_digest(struct gc_items *it, const struct gc_addr *to, bool request)
{
	struct gc_wbuf b = tx_buf(it);
	u8 flags = request ? GC_DIGEST_F_REQUEST : 0;
	size_t start = 0;
	u16 count = 0;
	u32 i;

	for (i = 0; i < it->n_streams; i++) {
		const struct gc_stream *s = it->streams[i];

		if (count && (b.cap - b.len < gc_range_entry_len(s->name_len) || count == 0xffff)) {
			gc_end_list(&b, start, count);
			flush(it, to, &b);
			count = 0;
			flags = 0;
		}
		if (!count) {
			start = b.len;
			gc_begin_list(&b, GC_MSG_DIGEST, flags);
		}
		gc_put_range_entry(&b, s->name, s->name_len, s->boot, s->low, s->contig);
		count++;
	}
	if (count) {
		gc_end_list(&b, start, count);
		flush(it, to, &b);
	}
}

/* WANT (or GONE) entries, flushed a packet at a time. */
struct want_list {
	struct gc_items *it;
	const struct gc_addr *to;
	struct gc_wbuf b;
	size_t start;
	u16 count;
	u8 type;
};

/* Sends the list so far; its buffer may not be it->tx (GONE lists). */
static void list_flush(struct want_list *w)
{
	gc_end_list(&w->b, w->start, w->count);
	w->it->peers.ops->send(w->it->peers.ctx, w->to, w->b.p, w->b.len);
	w->b.len = 0;
	w->b.overflow = false;
	w->count = 0;
}

static void want_add(struct want_list *w, const struct gc_stream *s, u64 from, u64 to)
{
	if (w->count && (w->b.cap - w->b.len < gc_range_entry_len(s->name_len) ||
			 w->count == 0xffff)) {
		list_flush(w);
	}
	if (!w->count) {
		w->start = w->b.len;
		gc_begin_list(&w->b, w->type, 0);
	}
	gc_put_range_entry(&w->b, s->name, s->name_len, s->boot, from, to);
	w->count++;
}

static void want_flush(struct want_list *w)
{
	if (w->count)
		list_flush(w);
}

/* One stream of a peer's digest: its window starts at low and it holds
 * everything up to contig. What it no longer has and we never got is lost;
 * what it has and we lack we ask for, within this round's budget.
 */
static void digest_entry(struct gc_items *it, struct want_list *w, const struct gc_range_entry *e,
			 u64 now)
{
	u64 low = e->a, contig = e->b, q, run = 0;
	struct gc_stream *s;
	u32 si;

	si = find_stream(it, e->origin.p, e->origin.len, e->boot);
	if (si == it->self)
		return;
	if (si == GC_NONE) {
		/* Nothing to offer, or forgotten here on purpose. */
		if (contig < low || is_retired(it, e->origin.p, e->origin.len, e->boot))
			return;
		si = add_stream(it, e->origin.p, e->origin.len, e->boot, low, now);
		if (si == GC_NONE) {
			it->stats.dropped++;
			return;
		}
		if (low > 1)
			report_gap(it, it->streams[si], 1, low - 1, now);
	}
	s = it->streams[si];
	if (s->contig + 1 < low)
		lose_range(it, s, s->contig + 1, low - 1, now);
	if (contig <= s->contig)
		return;
	if (contig - s->low >= it->cfg->item_window)
		slide(it, s, contig - it->cfg->item_window + 1, now);
	for (q = s->contig + 1; q <= contig && it->want_budget; q++) {
		if (slot_state(s, q) == GC_SLOT_EMPTY) {
			if (!run)
				run = q;
			it->want_budget--;
			it->stats.wanted++;
			continue;
		}
		if (run)
			want_add(w, s, run, q - 1);
		run = 0;
	}
	if (run)
		want_add(w, s, run, q - 1);
}

static void on_digest(struct gc_items *it, const struct gc_addr *from, const struct gc_msg *m,
		      u64 now)
{
	struct want_list w = { .it = it, .to = from, .b = tx_buf(it), .type = GC_MSG_WANT };
	struct gc_range_entry e;
	size_t off = 0;
	u16 i;

	for (i = 0; i < m->count; i++) {
		if (gc_next_range_entry(m, &off, &e))
			return;	/* validated before; cannot happen */
		digest_entry(it, &w, &e, now);
	}
	want_flush(&w);
	if (m->flags & GC_DIGEST_F_REQUEST)
		send_digest(it, from, false);
}

/* A peer's wants. The held items among them are sent, at most
 * item_pull_max per request and per round in all, so one small request
 * cannot make a node send without bound. What this node has settled without
 * content (rejected, or lost here too) is named in a GONE reply, so the
 * peer stops waiting for it; what is merely not here yet is not.
 */
static void on_want(struct gc_items *it, const struct gc_addr *from, const struct gc_msg *m)
{
	struct want_list gone = { .it = it, .to = from, .b = tx_buf(it), .type = GC_MSG_GONE };
	struct gc_wbuf b = tx_buf(it);
	u32 budget = it->cfg->item_pull_max, scan = it->cfg->item_window, si;
	struct gc_range_entry e;
	size_t off = 0;
	u64 q, end, run;
	u16 i;

	/* The items go in b, the GONE list in a buffer of its own. */
	gone.b.p = it->gone_tx;
	for (i = 0; i < m->count && scan; i++) {
		const struct gc_stream *s;

		if (gc_next_range_entry(m, &off, &e))
			return;
		si = find_stream(it, e.origin.p, e.origin.len, e.boot);
		if (si == GC_NONE)
			continue;
		s = it->streams[si];
		end = e.b < s->max ? e.b : s->max;
		run = 0;
		for (q = e.a < s->low ? s->low : e.a; q <= end && scan; q++, scan--) {
			const struct gc_slot *sl = slot_of(s, q);

			if (sl->state == GC_SLOT_REJECTED || sl->state == GC_SLOT_LOST) {
				if (!run)
					run = q;
				continue;
			}
			if (run)
				want_add(&gone, s, run, q - 1);
			run = 0;
			if (sl->state != GC_SLOT_HELD)
				continue;
			if (!budget || !it->serve_budget) {
				it->stats.unserved++;
				continue;
			}
			put_item(it, from, &b, sl->it, GC_ITEM_F_ANSWER);
			it->stats.served++;
			budget--;
			it->serve_budget--;
		}
		if (run)
			want_add(&gone, s, run, q - 1);
	}
	flush(it, from, &b);
	want_flush(&gone);
}

/* A peer will not serve these: settled there without content. We mark
 * what we lack of them lost, and tell user space.
 */
static void on_gone(struct gc_items *it, const struct gc_msg *m, u64 now)
{
	struct gc_range_entry e;
	struct gc_stream *s;
	size_t off = 0;
	u32 si;
	u16 i;

	for (i = 0; i < m->count; i++) {
		if (gc_next_range_entry(m, &off, &e))
			return;
		si = find_stream(it, e.origin.p, e.origin.len, e.boot);
		if (si == GC_NONE || si == it->self)
			continue;
		s = it->streams[si];
		/* Only what this node still waits for: above what it settled. */
		if (e.b > s->contig)
			lose_range(it, s, e.a > s->contig ? e.a : s->contig + 1, e.b, now);
	}
}

void gc_items_on_msg(struct gc_items *it, const struct gc_addr *from, const struct gc_msg *m,
		     u64 now)
{
	switch (m->type) {
	case GC_MSG_ITEM:
		on_item(it, m, now);
		break;
	case GC_MSG_DIGEST:
		on_digest(it, from, m, now);
		break;
	case GC_MSG_WANT:
		on_want(it, from, m);
		break;
	case GC_MSG_GONE:
		on_gone(it, m, now);
		break;
	}
}

/* ---- timers ---- */

static void expire(struct gc_items *it, u64 now)
{
	u64 timeout = (u64)it->cfg->item_pending_ms * MS;
	u32 i;

	while (!link_empty(&it->pending)) {
		struct gc_item *item = item_of(it->pending.next, pending);
		struct gc_stream *s = it->streams[item->stream];
		struct gc_slot *sl = slot_of(s, item->seq);
		bool own = item->stream == it->self;

		if (item->since_us + timeout > now)
			break;
		/* Dropped; anti-entropy may bring it again for another try. */
		it->stats.expired++;
		event(it, GC_IEV_EXPIRED, s, item, 0, 0, now);
		free_item(it, s, item);
		sl->it = NULL;
		/* Nobody else has a put of ours: the seq is settled, not a hole
		 * that would stop our digests at it.
		 */
		sl->state = own ? GC_SLOT_LOST : GC_SLOT_EMPTY;
		if (own)
			advance_contig(s);
	}
	for (i = 0; i < GC_REASM_MAX; i++) {
		if (it->reasm[i].used && it->reasm[i].deadline_us <= now) {
			it->stats.frags_dropped++;
			free_reasm(it, &it->reasm[i]);
		}
	}
}

/* Whether this node has anything to offer in a digest. */
static bool has_items(const struct gc_items *it)
{
	u32 i;

	for (i = 0; i < it->n_streams; i++)
		if (it->streams[i]->contig >= it->streams[i]->low)
			return true;
	return false;
}

static bool superseded(const struct gc_items *it, const struct gc_stream *s)
{
	u32 i;

	for (i = 0; i < it->n_streams; i++) {
		const struct gc_stream *o = it->streams[i];

		if (o->boot > s->boot && o->name_len == s->name_len &&
		    !memcmp(o->name, s->name, s->name_len))
			return true;
	}
	return false;
}

/* Forgets stream i: its items go, the last stream takes its place. */
static void remove_stream(struct gc_items *it, u32 i)
{
	struct gc_stream *s = it->streams[i], *last;
	u64 q;

	for (q = s->low; s->ring && q <= s->max; q++)
		if (slot_of(s, q)->it)
			free_item(it, s, slot_of(s, q)->it);
	it->retired[it->retired_next] = stream_key(it, s->name, s->name_len, s->boot);
	it->retired_next = (it->retired_next + 1) % GC_RETIRED_MEMORY;
	if (it->retired_count < GC_RETIRED_MEMORY)
		it->retired_count++;
	it->meta -= sizeof(*s) + (size_t)s->cap * sizeof(struct gc_slot);
	gc_free(s->ring);
	gc_free(s);
	last = it->streams[--it->n_streams];
	if (i < it->n_streams) {
		it->streams[i] = last;
		for (q = last->low; last->ring && q <= last->max; q++)
			if (slot_of(last, q)->it)
				slot_of(last, q)->it->stream = i;
		if (it->self == it->n_streams)
			it->self = i;
	}
	/* Same size, fewer entries: cannot need more memory than it has. */
	index_build(it, it->index_mask + 1);
	it->gen++;
	it->stats.retired++;
}

/* A stream superseded by a newer boot of its origin (the node came up
 * again), with nothing pending and no new item for reap_ms, is forgotten,
 * and remembered as such so peers' digests do not teach it again: a node
 * that restarts often would otherwise fill the table and every digest.
 */
static void retire_streams(struct gc_items *it, u64 now)
{
	u64 idle = (u64)it->cfg->reap_ms * MS;
	u32 i = 0;

	while (i < it->n_streams) {
		const struct gc_stream *s = it->streams[i];

		if (i == it->self || s->pending || now - s->last_us < idle || !superseded(it, s))
			i++;
		else
			remove_stream(it, i);
	}
}

void gc_items_tick(struct gc_items *it, u64 now)
{
	u64 sync = (u64)(it->cfg->item_sync_ms ? it->cfg->item_sync_ms : 3600000) * MS;
	struct gc_addr peer;

	expire(it, now);
	/* A shorter item_sync_ms, set while up, applies from now on. */
	if (it->next_sync_us > now + sync)
		it->next_sync_us = now + sync;
	if (now >= it->next_push_us) {
		if (!link_empty(&it->push))
			push_round(it);
		it->next_push_us = now + (u64)it->cfg->gossip_interval_ms * MS;
	}
	if (now >= it->next_sync_us) {
		it->want_budget = it->cfg->item_pull_max;
		it->serve_budget = GC_SERVE_ROUNDS * it->cfg->item_pull_max;
		retire_streams(it, now);
		/* A node with nothing to offer learns when others start one. */
		if (it->cfg->item_sync_ms && has_items(it) &&
		    it->peers.ops->pick(it->peers.ctx, &peer, 1)) {
			it->stats.digests_sent++;
			send_digest(it, &peer, true);
		}
		it->next_sync_us = now + sync;
	}
}

static u64 min64(u64 a, u64 b)
{
	return a < b ? a : b;
}

u64 gc_items_deadline(const struct gc_items *it)
{
	u64 t = it->next_sync_us;
	u32 i;

	if (!link_empty(&it->push))
		t = min64(t, it->next_push_us);
	if (!link_empty(&it->pending))
		t = min64(t, item_of(it->pending.next, pending)->since_us +
				     (u64)it->cfg->item_pending_ms * MS);
	for (i = 0; i < GC_REASM_MAX; i++)
		if (it->reasm[i].used)
			t = min64(t, it->reasm[i].deadline_us);
	return t;
}

/* ---- commands ---- */

int gc_items_put(struct gc_items *it, u8 type, const u8 *data, u16 len, u64 now,
		 const struct gc_item **out)
{
	struct gc_stream *s = it->streams[it->self];
	u8 id[GC_ITEM_ID_LEN];
	struct gc_item *item;
	u64 seq = s->max + 1;

	if (!len || len > it->cfg->item_max_bytes)
		return GC_PUT_SIZE;
	if (window_fit(it, s, seq, now))
		return GC_PUT_NOMEM;
	gc_sha256(data, len, id);
	item = store(it, it->self, seq, id, type, 0, data, len, now);
	if (!item)
		return GC_PUT_NOMEM;
	it->stats.put++;
	if (it->verifier)
		make_pending(it, s, item, now);
	else
		make_held(it, s, item, true, now);
	*out = item;
	return GC_PUT_OK;
}

int gc_items_verdict(struct gc_items *it, const u8 *id, bool accept, u64 now)
{
	struct gc_link *l;

	for (l = it->pending.next; l != &it->pending; l = l->next) {
		struct gc_item *item = item_of(l, pending);
		struct gc_stream *s = it->streams[item->stream];
		struct gc_slot *sl;

		if (memcmp(item->id, id, GC_ITEM_ID_LEN))
			continue;
		link_del(&item->pending);
		it->n_pending--;
		s->pending--;
		if (accept) {
			/* Pushed, unless it came to us as an answer: others have it. */
			make_held(it, s, item, !item->answer, now);
			return 0;
		}
		it->stats.rejected++;
		remember_rejected(it, id);
		event(it, GC_IEV_REJECTED, s, item, 0, 0, now);
		sl = slot_of(s, item->seq);
		item->state = GC_SLOT_REJECTED;
		free_item(it, s, item);
		sl->it = NULL;
		sl->state = GC_SLOT_REJECTED;
		s->rejected++;
		advance_contig(s);
		return 0;
	}
	return -1;
}

void gc_items_set_verifier(struct gc_items *it, bool on)
{
	it->verifier = on;
}

const struct gc_item *gc_items_find(const struct gc_items *it, const u8 *id)
{
	u32 i;
	u64 q;

	for (i = 0; i < it->n_streams; i++) {
		const struct gc_stream *s = it->streams[i];

		for (q = s->low; s->ring && q <= s->max; q++) {
			const struct gc_slot *sl = slot_of(s, q);

			if (sl->it && !memcmp(sl->it->id, id, GC_ITEM_ID_LEN))
				return sl->it;
		}
	}
	return NULL;
}

bool gc_items_was_rejected(const struct gc_items *it, const u8 *id)
{
	return is_rejected(it, id);
}

/* ---- life cycle ---- */

int gc_items_init(struct gc_items *it, const struct gc_config *cfg, const struct gc_peers *peers,
		  const char *name, u8 name_len, u64 boot, const u8 key[16], u64 now)
{
	memset(it, 0, sizeof(*it));
	it->cfg = cfg;
	it->peers = *peers;
	memcpy(it->key, key, sizeof(it->key));
	link_init(&it->pending);
	link_init(&it->push);
	it->tx_cap = cfg->mtu - GC_SEAL_OVERHEAD;
	it->tx = gc_zalloc(it->tx_cap);
	it->gone_tx = gc_zalloc(it->tx_cap);
	if (!it->tx || !it->gone_tx)
		return -1;
	it->self = add_stream(it, name, name_len, boot, 1, now);
	if (it->self == GC_NONE)
		return -1;
	it->want_budget = cfg->item_pull_max;
	it->serve_budget = GC_SERVE_ROUNDS * cfg->item_pull_max;
	it->next_push_us = now;
	it->next_sync_us = now + (u64)(cfg->item_sync_ms ? cfg->item_sync_ms : 3600000) * MS;
	return 0;
}

void gc_items_destroy(struct gc_items *it)
{
	u32 i;
	u64 q;

	for (i = 0; i < it->n_streams; i++) {
		struct gc_stream *s = it->streams[i];

		for (q = s->low; s->ring && q <= s->max; q++)
			gc_free(slot_of(s, q)->it);
		gc_free(s->ring);
		gc_free(s);
	}
	for (i = 0; i < GC_REASM_MAX; i++)
		gc_free(it->reasm[i].buf);
	gc_free(it->streams);
	gc_free(it->index);
	gc_free(it->rejects);
	gc_free(it->tx);
	gc_free(it->gone_tx);
	memset(it, 0, sizeof(*it));
}

size_t gc_items_mem_bytes(const struct gc_items *it)
{
	size_t n = (size_t)it->streams_cap * sizeof(void *) + 2 * it->tx_cap + it->mem;
	u32 i;

	if (it->index)
		n += ((size_t)it->index_mask + 1) * sizeof(u32);
	if (it->rejects)
		n += (size_t)GC_REJECT_MEMORY * GC_ITEM_ID_LEN;
	for (i = 0; i < it->n_streams; i++)
		n += sizeof(struct gc_stream) +
		     (size_t)it->streams[i]->cap * sizeof(struct gc_slot);
	n += ((size_t)it->held + it->n_pending) * sizeof(struct gc_item);
	return n;
}
