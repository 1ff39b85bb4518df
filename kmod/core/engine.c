// SPDX-License-Identifier: GPL-2.0
#include "engine.h"
#include "node_name.h"

#define MS 1000ULL

/* ---- small helpers ---- */

u32 gc_retransmit_limit(u32 mult, u32 n)
{
	u32 digits = 0;
	u64 x = (u64)n + 1;

	/* ceil(log10(x)): the number of digits of x - 1, at least 1. */
	for (x = x - 1; x; x /= 10)
		digits++;
	if (!digits)
		digits = 1;
	return mult * digits;
}

u64 gc_push_pull_interval_us(u32 interval_ms, u32 n)
{
	u32 mult = 1;

	/* ceil(log2(n) - log2(32)) + 1 for n > 32. */
	while (n > 32 && (32ULL << (mult - 1)) < n)
		mult++;
	return (u64)interval_ms * MS * mult;
}

static u64 name_hash(const struct gc_engine *e, const char *name, u8 len)
{
	return gc_siphash(name, len, e->members.key);
}

static bool is_self(const struct gc_engine *e, u32 slot)
{
	return slot == e->self;
}

static u32 n_known(const struct gc_engine *e)
{
	return gc_members_total(&e->members);
}

static u64 scaled(const struct gc_engine *e, u32 ms)
{
	return (u64)ms * MS * (e->health + 1);
}

static void health_add(struct gc_engine *e, int delta)
{
	int h = (int)e->health + delta;

	if (h < 0)
		h = 0;
	if (h > (int)e->cfg.awareness_max - 1)
		h = (int)e->cfg.awareness_max - 1;
	e->health = (u32)h;
}

/* Zero turns periodic push-pull off; the timer then only retries joins. */
static u64 push_pull_interval(const struct gc_engine *e)
{
	u32 ms = e->cfg.push_pull_interval_ms ? e->cfg.push_pull_interval_ms : 3600000;

	return gc_push_pull_interval_us(ms, n_known(e));
}

/* The first periodic exchange after the node learns its cluster's size is
 * staggered at random over the interval, as memberlist does, so a cluster
 * started together does not exchange all its tables at once.
 */
static void stagger_push_pull(struct gc_engine *e, u64 now)
{
	u64 interval = push_pull_interval(e);
	u64 ms = interval / MS;

	e->next_push_pull_us = now + (u64)gc_rand_below(&e->rand, ms > 0xffffffffULL ?
							   0xffffffffU : (u32)ms + 1) * MS;
}

static void emit_by(struct gc_engine *e, u8 type, u32 slot, u64 now, const struct gc_name *by)
{
	const struct gc_member *m = &e->members.m[slot];
	struct gc_event ev = {
		.type = type,
		.name = gc_member_name(&e->members, slot),
		.name_len = m->name_len,
		.incarnation = m->incarnation,
		.addr = &m->addr,
		.time_us = now,
		.by = by ? by->p : NULL,
		.by_len = by ? by->len : 0,
	};

	if (e->ops->event)
		e->ops->event(e->ctx, &ev);
}

static void emit(struct gc_engine *e, u8 type, u32 slot, u64 now)
{
	emit_by(e, type, slot, now, NULL);
}

static void rumor(struct gc_engine *e, u32 slot, u8 type, const char *from, u8 from_len)
{
	gc_bqueue_put(&e->rumors, &e->members, slot, type, from, from_len);
}

/* ---- transmit ---- */

static struct gc_wbuf body_buf(struct gc_engine *e)
{
	return (struct gc_wbuf){ .p = e->tx_body, .cap = e->cfg.mtu - GC_SEAL_OVERHEAD };
}

static void send_body(struct gc_engine *e, const struct gc_addr *to, const struct gc_wbuf *b)
{
	size_t len = gc_packet_seal(&e->keyring, b->p, b->len, e->tx_pkt, e->cfg.mtu);

	if (!len)
		return;
	e->stats.tx_packets++;
	e->stats.tx_bytes += len;
	e->ops->send(e->ctx, to, e->tx_pkt, len);
}

/* Fills what room is left with rumors, then sends. */
static void send_with_rumors(struct gc_engine *e, const struct gc_addr *to, struct gc_wbuf *b)
{
	u32 limit = gc_retransmit_limit(e->cfg.retransmit_mult, n_known(e));

	gc_bqueue_fill(&e->rumors, &e->members, b, limit);
	send_body(e, to, b);
}

static void send_ping(struct gc_engine *e, const struct gc_addr *to, u32 seq, u32 target)
{
	struct gc_wbuf b = body_buf(e);
	const struct gc_member *m = &e->members.m[target];

	gc_put_ping(&b, seq, gc_member_name(&e->members, target), m->name_len);
	send_with_rumors(e, to, &b);
}

static void send_ack(struct gc_engine *e, const struct gc_addr *to, u8 type, u32 seq)
{
	struct gc_wbuf b = body_buf(e);

	gc_put_ack(&b, type, seq);
	send_with_rumors(e, to, &b);
}

/* Our whole member table, in as many STATE chunks as it takes. */
static void send_state(struct gc_engine *e, const struct gc_addr *to, u8 flags)
{
	struct gc_members *t = &e->members;
	struct gc_wbuf b = body_buf(e);
	size_t start = 0;
	u16 count = 0;
	u32 s;

	e->stats.push_pulls++;
	for (s = 0; s < t->slots; s++) {
		const struct gc_member *m = &t->m[s];

		if (m->state == GC_MEMBER_FREE)
			continue;
		if (count && (b.cap - b.len < gc_state_entry_len(m->name_len, &m->addr) ||
			      count == 0xffff)) {
			gc_end_state(&b, start, count);
			send_body(e, to, &b);
			b = body_buf(e);
			count = 0;
			flags = 0;	/* only the first chunk asks for an answer */
		}
		if (!count) {
			start = b.len;
			gc_begin_state(&b, flags);
		}
		gc_put_state_entry(&b, m->state, m->incarnation, gc_member_name(t, s), m->name_len,
				   &m->addr);
		count++;
	}
	if (count) {
		gc_end_state(&b, start, count);
		send_body(e, to, &b);
	}
}

/* ---- random choice of members ---- */

typedef bool (*member_pred)(const struct gc_engine *e, u32 slot, u64 now);

static bool live_peer(const struct gc_engine *e, u32 slot, u64 now)
{
	u8 st = e->members.m[slot].state;

	(void)now;
	return !is_self(e, slot) && (st == GC_MEMBER_ALIVE || st == GC_MEMBER_SUSPECT);
}

/* Gossip also reaches the recently dead, so they learn and can refute. */
static bool gossip_peer(const struct gc_engine *e, u32 slot, u64 now)
{
	const struct gc_member *m = &e->members.m[slot];

	if (live_peer(e, slot, now))
		return true;
	return !is_self(e, slot) && m->state == GC_MEMBER_DEAD &&
	       now - m->state_change_us < (u64)e->cfg.gossip_to_dead_ms * MS;
}

static bool pick_one(struct gc_engine *e, u32 *out, u32 *n, u32 s, member_pred pred, u32 skip,
		     u64 now)
{
	u32 i;

	if (s == skip || e->members.m[s].state == GC_MEMBER_FREE || !pred(e, s, now))
		return false;
	for (i = 0; i < *n && out[i] != s; i++)
		;
	if (i < *n)
		return false;
	out[(*n)++] = s;
	return true;
}

/*
 * Up to k distinct members matching pred, other than skip; returns how many.
 * Random draws find k quickly when many match; when they fall short, a scan
 * from a random slot adds the rest, so that k at least the number matching
 * picks every one of them (an item_fanout of n - 1 reaches everyone).
 */
static u32 pick_members(struct gc_engine *e, u32 *out, u32 k, member_pred pred, u32 skip,
			u64 now)
{
	u32 slots = e->members.slots, n = 0, tries, start, i;

	if (!slots)
		return 0;
	for (tries = 0; n < k && tries < 2 * k + 8; tries++)
		pick_one(e, out, &n, gc_rand_below(&e->rand, slots), pred, skip, now);
	start = gc_rand_below(&e->rand, slots);
	for (i = 0; n < k && i < slots; i++)
		pick_one(e, out, &n, (start + i) % slots, pred, skip, now);
	return n;
}

/* ---- what the item and aggregation layers need (peers.h) ---- */

static u32 peers_pick(void *ctx, struct gc_addr *out, u32 k)
{
	struct gc_engine *e = ctx;
	u32 slots[64], n, i;

	n = pick_members(e, slots, k < 64 ? k : 64, live_peer, e->self, 0);
	for (i = 0; i < n; i++)
		out[i] = e->members.m[slots[i]].addr;
	return n;
}

static u32 peers_count(void *ctx)
{
	return n_known(ctx);
}

/* The live member with the lowest name starts aggregation epochs. */
static bool peers_lowest(void *ctx)
{
	const struct gc_engine *e = ctx;
	const struct gc_members *t = &e->members;
	const char *me = gc_member_name(t, e->self);
	u8 me_len = t->m[e->self].name_len;
	u32 s;

	for (s = 0; s < t->slots; s++) {
		const struct gc_member *m = &t->m[s];
		int c;

		if (!live_peer(e, s, 0))
			continue;
		c = memcmp(gc_member_name(t, s), me, m->name_len < me_len ? m->name_len : me_len);
		if (c < 0 || (c == 0 && m->name_len < me_len))
			return false;
	}
	return true;
}

static void peers_send(void *ctx, const struct gc_addr *to, const u8 *body, size_t len)
{
	struct gc_engine *e = ctx;
	struct gc_wbuf b = { .p = (u8 *)body, .len = len, .cap = len };

	send_body(e, to, &b);
}

static void peers_item_event(void *ctx, const struct gc_item_ev *ev)
{
	struct gc_engine *e = ctx;

	if (e->ops->item_event)
		e->ops->item_event(e->ctx, ev);
}

static const struct gc_peer_ops engine_peer_ops = {
	.pick = peers_pick,
	.count = peers_count,
	.lowest = peers_lowest,
	.send = peers_send,
	.item_event = peers_item_event,
};

/* ---- probe order ---- */

static void order_insert(struct gc_engine *e, u32 slot)
{
	u32 *order, cap, j;

	if (e->order_len == e->order_cap) {
		cap = e->order_cap + e->order_cap / 2 + 16;
		order = gc_realloc(e->order, (size_t)cap * sizeof(u32));
		if (!order)
			return;	/* it joins the order at the next rebuild */
		e->order = order;
		e->order_cap = cap;
	}
	/* At a random place not yet passed in this round, as memberlist does. */
	e->order[e->order_len] = slot;
	j = e->order_pos + gc_rand_below(&e->rand, e->order_len - e->order_pos + 1);
	e->order[e->order_len] = e->order[j];
	e->order[j] = slot;
	e->order_len++;
}

static void order_rebuild(struct gc_engine *e)
{
	u32 s, i, j, tmp, *order;

	if (e->order_cap < e->members.slots) {
		order = gc_realloc(e->order, (size_t)e->members.slots * sizeof(u32));
		if (order) {
			e->order = order;
			e->order_cap = e->members.slots;
		}
	}
	e->order_len = 0;
	e->order_pos = 0;
	for (s = 0; s < e->members.slots; s++)
		if (live_peer(e, s, 0) && e->order_len < e->order_cap)
			e->order[e->order_len++] = s;
	for (i = e->order_len; i > 1; i--) {
		j = gc_rand_below(&e->rand, i);
		tmp = e->order[i - 1];
		e->order[i - 1] = e->order[j];
		e->order[j] = tmp;
	}
}

static u32 next_probe_target(struct gc_engine *e)
{
	u32 checked;

	for (checked = 0; checked <= e->order_len; checked++) {
		if (e->order_pos >= e->order_len) {
			order_rebuild(e);
			if (!e->order_len)
				return GC_NONE;
		}
		if (live_peer(e, e->order[e->order_pos], 0))
			return e->order[e->order_pos++];
		e->order_pos++;
	}
	return GC_NONE;
}

/* ---- suspicion timers ---- */

static struct gc_suspicion *susp_of(struct gc_engine *e, u32 slot)
{
	u32 i = e->members.m[slot].suspicion;

	return i == GC_NONE ? NULL : &e->susp[i];
}

static void susp_cancel(struct gc_engine *e, u32 slot)
{
	u32 i = e->members.m[slot].suspicion;

	if (i == GC_NONE)
		return;
	e->susp[i].member = GC_NONE;
	e->members.m[slot].suspicion = GC_NONE;
}

static struct gc_suspicion *susp_alloc(struct gc_engine *e, u32 slot)
{
	struct gc_suspicion *s;
	u32 i, cap;

	for (i = 0; i < e->susp_used; i++)
		if (e->susp[i].member == GC_NONE)
			goto found;
	if (e->susp_used == e->susp_cap) {
		cap = e->susp_cap ? e->susp_cap * 2 : 8;
		s = gc_realloc(e->susp, (size_t)cap * sizeof(*s));
		if (!s)
			return NULL;
		e->susp = s;
		e->susp_cap = cap;
	}
	i = e->susp_used++;
found:
	e->members.m[slot].suspicion = i;
	return &e->susp[i];
}

/* ---- state changes (SWIM with memberlist's rules) ---- */

static void dead_list_add(struct gc_engine *e, u32 slot)
{
	u32 *d, cap;

	/* Listed once, however often it died and came back since. */
	if (e->members.m[slot].reap_listed)
		return;
	if (e->dead_len == e->dead_cap) {
		cap = e->dead_cap ? e->dead_cap * 2 : 16;
		d = gc_realloc(e->dead, (size_t)cap * sizeof(u32));
		if (!d)
			return;	/* not reaped; it stays as dead */
		e->dead = d;
		e->dead_cap = cap;
	}
	e->dead[e->dead_len++] = slot;
	e->members.m[slot].reap_listed = 1;
}

/* Someone says we are suspect or dead, or knows a newer us: say otherwise. */
static bool is_self_name(const struct gc_engine *e, const struct gc_name *n)
{
	const struct gc_member *me = &e->members.m[e->self];

	return n->len == me->name_len &&
	       !memcmp(n->p, gc_member_name(&e->members, e->self), n->len);
}

/* We were declared dead: cut off, or too slow to answer. What we concluded
 * about others meanwhile is suspect too. Our own suspicions and verdicts
 * are voided (those members are alive again in our view, at the
 * incarnation we know, and probed afresh) and the accusations we still
 * rumor are dropped, so that they cannot take healthy members down once
 * the cluster believes us again.
 */
static void void_own_verdicts(struct gc_engine *e, u64 now)
{
	u32 slot;

	for (slot = 0; slot < e->members.slots; slot++) {
		struct gc_member *m = &e->members.m[slot];

		if (!m->by_self || slot == e->self)
			continue;
		m->by_self = 0;
		if (m->state != GC_MEMBER_SUSPECT && m->state != GC_MEMBER_DEAD)
			continue;
		susp_cancel(e, slot);
		gc_bqueue_drop_member(&e->rumors, &e->members, slot);
		gc_members_set_state(&e->members, slot, GC_MEMBER_ALIVE, now);
		e->stats.verdicts_voided++;
		emit(e, GC_EV_ALIVE, slot, now);
	}
}

static void refute(struct gc_engine *e, u32 accused_inc)
{
	struct gc_member *me = &e->members.m[e->self];

	if (accused_inc >= me->incarnation)
		me->incarnation = accused_inc + 1;
	else
		me->incarnation++;
	e->stats.refutations++;
	health_add(e, 1);
	rumor(e, e->self, GC_MSG_ALIVE, NULL, 0);
}

static void on_alive(struct gc_engine *e, u32 inc, const struct gc_name *name,
		     const struct gc_addr *addr, u64 now)
{
	u32 slot = gc_members_find(&e->members, name->p, name->len);
	struct gc_member *m;
	bool moved;
	u8 was;

	if (slot == GC_NONE) {
		if (e->leaving)
			return;
		slot = gc_members_add(&e->members, name->p, name->len, GC_MEMBER_ALIVE, inc, addr,
				      now);
		if (slot == GC_NONE) {
			e->stats.members_dropped++;
			return;
		}
		order_insert(e, slot);
		rumor(e, slot, GC_MSG_ALIVE, NULL, 0);
		emit(e, GC_EV_JOIN, slot, now);
		return;
	}
	m = &e->members.m[slot];
	if (is_self(e, slot)) {
		if (inc > m->incarnation && !e->leaving)
			refute(e, inc);
		return;
	}
	if (inc <= m->incarnation) {
		e->stats.rx_stale++;
		return;
	}
	was = m->state;
	moved = !gc_addr_equal(&m->addr, addr);
	susp_cancel(e, slot);
	m->by_self = 0;
	m->incarnation = inc;
	m->addr = *addr;
	/* Not inserted in the probe order again: it joins it at the next
	 * round, so a member flapping between dead and alive cannot grow it.
	 */
	if (was != GC_MEMBER_ALIVE)
		gc_members_set_state(&e->members, slot, GC_MEMBER_ALIVE, now);
	rumor(e, slot, GC_MSG_ALIVE, NULL, 0);
	if (was != GC_MEMBER_ALIVE)
		emit(e, GC_EV_ALIVE, slot, now);
	else if (moved)
		emit(e, GC_EV_UPDATE, slot, now);
}

/* The member an accusation is about, unless unknown or the accusation is
 * older than what we know (counted as stale).
 */
static u32 known_member(struct gc_engine *e, const struct gc_name *name, u32 inc)
{
	u32 slot = gc_members_find(&e->members, name->p, name->len);

	if (slot != GC_NONE && inc < e->members.m[slot].incarnation) {
		e->stats.rx_stale++;
		return GC_NONE;
	}
	return slot;
}

/* An accusation made by a member we hold dead or left is not believed: it
 * comes from a node that was cut off, which declared the members it could
 * not reach dead. Believing it would take healthy members down, briefly,
 * on every node, until they refute. The accused still refute it (we only
 * ignore accusations of others), which is how the returning node learns
 * they are alive.
 */
static bool discredited(struct gc_engine *e, const struct gc_name *from, u64 now)
{
	u32 slot = gc_members_find(&e->members, from->p, from->len);
	const struct gc_member *m;
	struct gc_wbuf b;

	if (slot == GC_NONE || is_self(e, slot))
		return false;
	m = &e->members.m[slot];
	if (m->state != GC_MEMBER_DEAD && m->state != GC_MEMBER_LEFT)
		return false;
	e->stats.accusations_ignored++;
	/* A member we hold dead is talking: it is back, and may not know it
	 * was declared dead (the rumor has long stopped). Tell it, so it
	 * refutes now instead of at the next reconnect; at most once per
	 * gossip interval.
	 */
	if (m->state == GC_MEMBER_DEAD && now >= e->next_notice_us) {
		const struct gc_member *me = &e->members.m[e->self];

		e->next_notice_us = now + (u64)e->cfg.gossip_interval_ms * MS;
		b = body_buf(e);
		gc_put_accuse(&b, GC_MSG_DEAD, m->incarnation, from->p, from->len,
			      gc_member_name(&e->members, e->self), me->name_len);
		send_body(e, &m->addr, &b);
		e->stats.dead_notices++;
	}
	return true;
}

static void on_suspect(struct gc_engine *e, u32 inc, const struct gc_name *name,
		       const struct gc_name *from, u64 now)
{
	u32 slot = known_member(e, name, inc);
	struct gc_suspicion *s;
	struct gc_member *m;
	u32 n, k;
	u64 min;

	if (slot == GC_NONE)
		return;
	m = &e->members.m[slot];
	if (is_self(e, slot)) {
		if (!e->leaving)
			refute(e, inc);
		return;
	}
	if (m->state == GC_MEMBER_DEAD || m->state == GC_MEMBER_LEFT || discredited(e, from, now))
		return;
	if (m->state == GC_MEMBER_SUSPECT) {
		/* Another member's independent confirmation shortens the timeout. */
		s = susp_of(e, slot);
		if (s && inc == m->incarnation &&
		    gc_suspicion_confirm(s, name_hash(e, from->p, from->len)))
			rumor(e, slot, GC_MSG_SUSPECT, from->p, from->len);
		return;
	}
	m->incarnation = inc;
	m->by_self = is_self_name(e, from);
	gc_members_set_state(&e->members, slot, GC_MEMBER_SUSPECT, now);
	e->stats.suspicions++;
	n = n_known(e);
	k = e->cfg.suspicion_mult > 2 ? e->cfg.suspicion_mult - 2 : 0;
	if (n < k + 2)
		k = 0;
	min = gc_suspicion_min_us(e->cfg.suspicion_mult, n, (u64)e->cfg.probe_interval_ms * MS);
	s = susp_alloc(e, slot);
	if (s) {
		gc_suspicion_start(s, slot, k, min, min * e->cfg.suspicion_max_mult,
				   name_hash(e, from->p, from->len), now);
	}
	rumor(e, slot, GC_MSG_SUSPECT, from->p, from->len);
	emit_by(e, GC_EV_SUSPECT, slot, now, from);
}

static void on_dead(struct gc_engine *e, u32 inc, const struct gc_name *name,
		    const struct gc_name *from, u64 now)
{
	u32 slot = known_member(e, name, inc);
	struct gc_member *m;
	bool left;

	if (slot == GC_NONE)
		return;
	m = &e->members.m[slot];
	if (m->state == GC_MEMBER_DEAD || m->state == GC_MEMBER_LEFT)
		return;
	if (is_self(e, slot)) {
		if (!e->leaving) {
			refute(e, inc);
			void_own_verdicts(e, now);
		}
		return;
	}
	left = from->len == name->len && !memcmp(from->p, name->p, name->len);
	if (!left && discredited(e, from, now))
		return;
	susp_cancel(e, slot);
	m->incarnation = inc;
	m->by_self = !left && is_self_name(e, from);
	gc_members_set_state(&e->members, slot, left ? GC_MEMBER_LEFT : GC_MEMBER_DEAD, now);
	dead_list_add(e, slot);
	rumor(e, slot, GC_MSG_DEAD, from->p, from->len);
	emit_by(e, left ? GC_EV_LEFT : GC_EV_DEAD, slot, now, left ? NULL : from);
}

/* A remote member table, merged as memberlist's mergeState does: a remote
 * "dead" only makes us suspect, so we probe it ourselves before agreeing.
 * Members new to us are rumored, as memberlist does. Merging them quietly
 * (the peer knew them, so the cluster did) saves a join wave's bandwidth,
 * but gcsim showed early joiners then miss members whose rumors ran while
 * the cluster was small, until the next push-pull minutes later.
 */
static void merge_state(struct gc_engine *e, const struct gc_msg *msg, u64 now)
{
	struct gc_name self;
	struct gc_state_entry en;
	size_t off = 0;
	u16 i;

	for (i = 0; i < msg->count; i++) {
		if (gc_next_state_entry(msg, &off, &en))
			return;	/* validated before; cannot happen */
		switch (en.state) {
		case GC_MEMBER_ALIVE:
			on_alive(e, en.incarnation, &en.name, &en.addr, now);
			break;
		case GC_MEMBER_LEFT:
			on_dead(e, en.incarnation, &en.name, &en.name, now);
			break;
		default:
			/* A peer's table that holds us dead: we were declared dead. */
			if (en.state == GC_MEMBER_DEAD && is_self_name(e, &en.name)) {
				if (!e->leaving &&
				    en.incarnation >= e->members.m[e->self].incarnation) {
					refute(e, en.incarnation);
					void_own_verdicts(e, now);
				}
				break;
			}
			/* on_alive() may have moved the name arena: look ours up afresh. */
			self.p = gc_member_name(&e->members, e->self);
			self.len = e->members.m[e->self].name_len;
			on_suspect(e, en.incarnation, &en.name, &self, now);
			break;
		}
	}
}

/* ---- probes ---- */

static void relay_ack(struct gc_engine *e, u32 seq)
{
	u32 i;

	for (i = 0; i < GC_MAX_RELAYS; i++) {
		struct gc_relay *r = &e->relays[i];

		if (r->used && r->seq == seq) {
			send_ack(e, &r->origin, GC_MSG_ACK, r->origin_seq);
			r->used = false;
			return;
		}
	}
	e->stats.rx_unexpected++;
}

static void on_ping_req(struct gc_engine *e, const struct gc_addr *from, const struct gc_msg *msg,
			u64 now)
{
	struct gc_relay *r = NULL;
	struct gc_wbuf b;
	u32 i;

	for (i = 0; i < GC_MAX_RELAYS; i++) {
		if (!e->relays[i].used) {
			r = &e->relays[i];
			break;
		}
	}
	if (!r) {
		e->stats.relays_dropped++;
		return;
	}
	r->used = true;
	r->seq = ++e->seq;
	r->origin_seq = msg->seq;
	r->origin = *from;
	/* Nack before the origin's probe period ends (Lifeguard, IV.A). */
	r->nack_at_us = now + (u64)e->cfg.probe_timeout_ms * MS * 8 / 10;
	e->stats.ping_reqs_relayed++;
	b = body_buf(e);
	gc_put_ping(&b, r->seq, msg->name.p, msg->name.len);
	send_with_rumors(e, &msg->addr, &b);
}

static void start_probe(struct gc_engine *e, u64 now)
{
	u32 target = next_probe_target(e);
	struct gc_probe *p = &e->probe;

	memset(p, 0, sizeof(*p));
	if (target == GC_NONE)
		return;
	p->active = true;
	p->target = target;
	p->seq = ++e->seq;
	p->timeout_us = now + scaled(e, e->cfg.probe_timeout_ms);
	p->end_us = now + scaled(e, e->cfg.probe_interval_ms);
	e->stats.probes++;
	send_ping(e, &e->members.m[target].addr, p->seq, target);
}

static void send_ping_reqs(struct gc_engine *e, u64 now)
{
	struct gc_probe *p = &e->probe;
	const struct gc_member *t = &e->members.m[p->target];
	u32 helpers[16], n, i;

	p->indirect_sent = true;
	n = pick_members(e, helpers, e->cfg.indirect_checks, live_peer, p->target, now);
	for (i = 0; i < n; i++) {
		struct gc_wbuf b = body_buf(e);

		gc_put_ping_req(&b, p->seq, gc_member_name(&e->members, p->target), t->name_len,
				&t->addr);
		send_with_rumors(e, &e->members.m[helpers[i]].addr, &b);
	}
	p->expected_nacks = n;
	e->stats.ping_reqs_sent += n;
}

static void finish_probe(struct gc_engine *e, u64 now)
{
	struct gc_probe *p = &e->probe;
	struct gc_member *t = &e->members.m[p->target];
	const struct gc_member *me = &e->members.m[e->self];
	struct gc_name target, self;

	p->active = false;
	if (p->acked) {
		health_add(e, -1);
		return;
	}
	e->stats.probe_failures++;
	/* Missing nacks mean our own links or host are the slow part. */
	if (p->expected_nacks)
		health_add(e, (int)(p->expected_nacks - p->nacks));
	else
		health_add(e, 1);
	/* A failed probe of a member already suspect is an independent
	 * confirmation (Lifeguard): it shortens the suspicion timeout.
	 */
	if (t->state != GC_MEMBER_ALIVE && t->state != GC_MEMBER_SUSPECT)
		return;
	target.p = gc_member_name(&e->members, p->target);
	target.len = t->name_len;
	self.p = gc_member_name(&e->members, e->self);
	self.len = me->name_len;
	on_suspect(e, t->incarnation, &target, &self, now);
}

/* ---- receive ---- */

static void handle(struct gc_engine *e, const struct gc_addr *from, const struct gc_msg *msg,
		   u64 now)
{
	const struct gc_member *me = &e->members.m[e->self];

	switch (msg->type) {
	case GC_MSG_PING:
		/* Only for us: an address may have been reused by another node. */
		if (msg->name.len != me->name_len ||
		    memcmp(msg->name.p, gc_member_name(&e->members, e->self), me->name_len)) {
			e->stats.rx_unexpected++;
			break;
		}
		send_ack(e, from, GC_MSG_ACK, msg->seq);
		break;
	case GC_MSG_ACK:
		if (e->probe.active && msg->seq == e->probe.seq)
			e->probe.acked = true;
		else
			relay_ack(e, msg->seq);
		break;
	case GC_MSG_NACK:
		if (e->probe.active && msg->seq == e->probe.seq)
			e->probe.nacks++;
		else
			e->stats.rx_unexpected++;
		e->stats.nacks_received++;
		break;
	case GC_MSG_PING_REQ:
		on_ping_req(e, from, msg, now);
		break;
	case GC_MSG_ALIVE:
		on_alive(e, msg->incarnation, &msg->name, &msg->addr, now);
		break;
	case GC_MSG_SUSPECT:
		on_suspect(e, msg->incarnation, &msg->name, &msg->from, now);
		break;
	case GC_MSG_DEAD:
		on_dead(e, msg->incarnation, &msg->name, &msg->from, now);
		break;
	case GC_MSG_ITEM:
	case GC_MSG_DIGEST:
	case GC_MSG_WANT:
	case GC_MSG_GONE:
		gc_items_on_msg(&e->items, from, msg, now);
		break;
	case GC_MSG_AGG:
		gc_agg_on_msg(&e->agg, from, msg, now);
		break;
	case GC_MSG_STATE:
		merge_state(e, msg, now);
		/* Only an answer (no request flag) ends a join: a push-pull
		 * another member started tells nothing about our seeds.
		 */
		if (!e->joined && !(msg->flags & GC_STATE_F_REQUEST)) {
			e->joined = true;
			stagger_push_pull(e, now);
		}
		if (msg->flags & GC_STATE_F_REQUEST)
			send_state(e, from, 0);
		break;
	}
}

static void prefetch_members(struct gc_engine *e, u32 n)
{
	const struct gc_members *t = &e->members;
	u32 i;

	for (i = 0; i < n; i++)
		gc_members_prefetch_member(t, e->rx_hashes[i]);
	for (i = 0; i < n; i++)
		gc_members_prefetch_name(t, e->rx_hashes[i]);
}

/* Hashes a name the packet will look up and starts loading its index slot. */
static void note_name(struct gc_engine *e, u32 *n, const struct gc_name *name)
{
	if (*n >= GC_RX_PREFETCH)
		return;
	e->rx_hashes[*n] = gc_members_hash(&e->members, name->p, name->len);
	gc_members_prefetch_index(&e->members, e->rx_hashes[*n]);
	(*n)++;
}

void gc_engine_on_packet(struct gc_engine *e, const struct gc_addr *from, const u8 *pkt,
			 size_t len, u64 now)
{
	struct gc_state_entry en;
	size_t eoff;
	u32 names = 0, i;
	enum gc_wire_err err;
	struct gc_msg msg;
	size_t body_len, off;
	int key;

	e->stats.rx_packets++;
	e->stats.rx_bytes += len;
	if (len > GC_MAX_MTU) {
		e->stats.rx_dropped[GC_WIRE_TOO_BIG]++;
		return;
	}
	err = gc_packet_open(&e->keyring, pkt, len, e->rx_body, &body_len, &key);
	if (err) {
		e->stats.rx_dropped[err]++;
		return;
	}
	/* Validate every message before acting on any: a packet is taken whole. */
	for (off = 0; off < body_len;) {
		err = gc_decode_msg(e->rx_body, body_len, &off, &msg);
		if (err) {
			e->stats.rx_dropped[err]++;
			return;
		}
		if (msg.type == GC_MSG_ALIVE || msg.type == GC_MSG_SUSPECT ||
		    msg.type == GC_MSG_DEAD)
			note_name(e, &names, &msg.name);
		for (i = 0, eoff = 0; msg.type == GC_MSG_STATE && i < msg.count; i++) {
			gc_next_state_entry(&msg, &eoff, &en);
			note_name(e, &names, &en.name);
		}
	}
	prefetch_members(e, names);
	for (off = 0; off < body_len;) {
		gc_decode_msg(e->rx_body, body_len, &off, &msg);
		handle(e, from, &msg, now);
	}
}

/* ---- timers ---- */

static void gossip(struct gc_engine *e, u64 now)
{
	u32 peers[64], n, i;

	if (!e->rumors.len)
		return;
	n = pick_members(e, peers, e->cfg.gossip_nodes, gossip_peer, e->self, now);
	for (i = 0; i < n && e->rumors.len; i++) {
		struct gc_wbuf b = body_buf(e);

		if (gc_bqueue_fill(&e->rumors, &e->members, &b,
				   gc_retransmit_limit(e->cfg.retransmit_mult, n_known(e))))
			send_body(e, &e->members.m[peers[i]].addr, &b);
	}
}

static void push_pull(struct gc_engine *e, u64 now)
{
	u32 peer, i;

	if (!e->joined) {
		/* Not heard from anyone yet: try the seeds again. */
		for (i = 0; i < e->n_seeds; i++)
			send_state(e, &e->seeds[i], GC_STATE_F_REQUEST | GC_STATE_F_JOIN);
		return;
	}
	if (pick_members(e, &peer, 1, live_peer, e->self, now))
		send_state(e, &e->members.m[peer].addr, GC_STATE_F_REQUEST);
}

static bool dead_peer(const struct gc_engine *e, u32 slot, u64 now)
{
	(void)now;
	return !is_self(e, slot) && e->members.m[slot].state == GC_MEMBER_DEAD;
}

/* A dead member may be on the other side of a healed partition: without
 * this, two halves that declared each other dead would never talk again.
 */
static void reconnect(struct gc_engine *e, u64 now)
{
	u32 peer;

	u32 dead = e->members.count[GC_MEMBER_DEAD];
	u32 alive = e->members.count[GC_MEMBER_ALIVE];

	if (!dead)
		return;
	/* As serf: try with probability dead / alive, so the whole cluster
	 * makes about one attempt per dead member per interval, not one per node.
	 */
	if (dead < alive && gc_rand_below(&e->rand, alive) >= dead)
		return;
	if (pick_members(e, &peer, 1, dead_peer, e->self, now)) {
		e->stats.reconnects++;
		send_state(e, &e->members.m[peer].addr, GC_STATE_F_REQUEST);
	}
}

static void reap(struct gc_engine *e, u64 now)
{
	u32 i = 0, slot;

	while (i < e->dead_len) {
		slot = e->dead[i];
		if (slot >= e->members.slots ||
		    (e->members.m[slot].state != GC_MEMBER_DEAD &&
		     e->members.m[slot].state != GC_MEMBER_LEFT)) {
			if (slot < e->members.slots)
				e->members.m[slot].reap_listed = 0;
			e->dead[i] = e->dead[--e->dead_len];	/* came back, or reused */
			continue;
		}
		if (now - e->members.m[slot].state_change_us < (u64)e->cfg.reap_ms * MS) {
			i++;
			continue;
		}
		emit(e, GC_EV_REAP, slot, now);
		gc_bqueue_drop_member(&e->rumors, &e->members, slot);
		susp_cancel(e, slot);
		gc_members_remove(&e->members, slot);
		e->dead[i] = e->dead[--e->dead_len];
	}
}

static void expire_suspicions(struct gc_engine *e, u64 now)
{
	const struct gc_member *me = &e->members.m[e->self];
	struct gc_name name, self = { gc_member_name(&e->members, e->self), me->name_len };
	u32 i, slot;

	for (i = 0; i < e->susp_used; i++) {
		struct gc_suspicion *s = &e->susp[i];

		if (s->member == GC_NONE || now < s->deadline_us)
			continue;
		slot = s->member;
		name.p = gc_member_name(&e->members, slot);
		name.len = e->members.m[slot].name_len;
		on_dead(e, e->members.m[slot].incarnation, &name, &self, now);
	}
}

static void expire_relays(struct gc_engine *e, u64 now)
{
	u32 i;

	for (i = 0; i < GC_MAX_RELAYS; i++) {
		struct gc_relay *r = &e->relays[i];

		if (r->used && now >= r->nack_at_us) {
			send_ack(e, &r->origin, GC_MSG_NACK, r->origin_seq);
			r->used = false;
		}
	}
}

void gc_engine_on_tick(struct gc_engine *e, u64 now)
{
	struct gc_probe *p = &e->probe;

	if (p->active && !p->acked && !p->indirect_sent && now >= p->timeout_us)
		send_ping_reqs(e, now);
	if (p->active && now >= p->end_us)
		finish_probe(e, now);
	expire_relays(e, now);
	expire_suspicions(e, now);
	if (now >= e->next_probe_us) {
		if (!e->leaving && !p->active)
			start_probe(e, now);
		reap(e, now);
		e->next_probe_us = now + scaled(e, e->cfg.probe_interval_ms);
	}
	if (now >= e->next_gossip_us) {
		gossip(e, now);
		e->next_gossip_us = now + (u64)e->cfg.gossip_interval_ms * MS;
	}
	if (now >= e->next_reconnect_us) {
		if (!e->leaving && e->cfg.reconnect_ms)
			reconnect(e, now);
		e->next_reconnect_us = now + (u64)(e->cfg.reconnect_ms ? e->cfg.reconnect_ms :
						   3600000) * MS;
	}
	if (now >= e->next_push_pull_us) {
		/* Until a seed answers, retry the join every probe interval. */
		bool retry = !e->joined && e->n_seeds;

		if (!e->leaving && (retry || e->cfg.push_pull_interval_ms))
			push_pull(e, now);
		e->next_push_pull_us = now + (retry ? (u64)e->cfg.probe_interval_ms * MS :
					      push_pull_interval(e));
	}
	gc_items_tick(&e->items, now);
	gc_agg_tick(&e->agg, now);
}

static u64 min64(u64 a, u64 b)
{
	return a < b ? a : b;
}

u64 gc_engine_next_deadline(const struct gc_engine *e)
{
	const struct gc_probe *p = &e->probe;
	u64 t = min64(e->next_probe_us, min64(e->next_gossip_us, e->next_push_pull_us));
	u32 i;

	t = min64(t, e->next_reconnect_us);
	t = min64(t, gc_items_deadline(&e->items));
	t = min64(t, gc_agg_deadline(&e->agg));

	if (p->active) {
		if (!p->acked && !p->indirect_sent)
			t = min64(t, p->timeout_us);
		t = min64(t, p->end_us);
	}
	for (i = 0; i < GC_MAX_RELAYS; i++)
		if (e->relays[i].used)
			t = min64(t, e->relays[i].nack_at_us);
	for (i = 0; i < e->susp_used; i++)
		if (e->susp[i].member != GC_NONE)
			t = min64(t, e->susp[i].deadline_us);
	return t;
}

/* ---- life cycle and commands ---- */

struct gc_engine *gc_engine_new(const struct gc_config *cfg, const char *name, u8 name_len,
				const struct gc_addr *addr, u64 boot, u64 seed, u64 now,
				const struct gc_engine_ops *ops, void *ctx)
{
	struct gc_peers peers = { .ops = &engine_peer_ops };
	struct gc_engine *e;
	u8 key[16];
	u32 i;

	if (gc_config_check(cfg) || !gc_node_name_valid(name, name_len) || !ops || !ops->send)
		return NULL;
	e = gc_zalloc(sizeof(*e));
	if (!e)
		return NULL;
	e->cfg = *cfg;
	e->ops = ops;
	e->ctx = ctx;
	gc_rand_seed(&e->rand, seed);
	for (i = 0; i < 16; i += 8) {
		u64 r = gc_rand_next(&e->rand);

		memcpy(key + i, &r, 8);
	}
	gc_bqueue_init(&e->rumors, cfg->max_members);
	e->tx_body = gc_zalloc(cfg->mtu);
	e->tx_pkt = gc_zalloc(cfg->mtu);
	e->rx_body = gc_zalloc(GC_MAX_MTU);
	if (!e->tx_body || !e->tx_pkt || !e->rx_body ||
	    gc_members_init(&e->members, key, cfg->max_members))
		goto fail;
	e->self = gc_members_add(&e->members, name, name_len, GC_MEMBER_ALIVE, 0, addr, now);
	if (e->self == GC_NONE)
		goto fail;
	e->self_hash = name_hash(e, name, name_len);
	/* Both read e->cfg, so a parameter set while up reaches them too. */
	peers.ctx = e;
	if (gc_items_init(&e->items, &e->cfg, &peers, name, name_len, boot, key, now) ||
	    gc_agg_init(&e->agg, &e->cfg, &peers, name, name_len, now))
		goto fail;
	/* Spread the first probes so nodes started together do not beat together. */
	e->next_probe_us = now + gc_rand_below(&e->rand, cfg->probe_interval_ms) * MS;
	e->next_gossip_us = now + gc_rand_below(&e->rand, cfg->gossip_interval_ms) * MS;
	e->next_push_pull_us = now + push_pull_interval(e);
	e->next_reconnect_us = now + (u64)(cfg->reconnect_ms ? cfg->reconnect_ms : 3600000) * MS;
	return e;
fail:
	gc_engine_free(e);
	return NULL;
}

void gc_engine_free(struct gc_engine *e)
{
	if (!e)
		return;
	gc_items_destroy(&e->items);
	gc_agg_destroy(&e->agg);
	gc_members_destroy(&e->members);
	gc_bqueue_destroy(&e->rumors);
	gc_free(e->order);
	gc_free(e->susp);
	gc_free(e->dead);
	gc_free(e->tx_body);
	gc_free(e->tx_pkt);
	gc_free(e->rx_body);
	memset(&e->keyring, 0, sizeof(e->keyring));
	gc_free(e);
}

int gc_engine_join(struct gc_engine *e, const struct gc_addr *seeds, u32 n, u64 now)
{
	u32 i;

	if (!n || n > GC_MAX_SEEDS)
		return -1;
	for (i = 0; i < n; i++) {
		if (seeds[i].family != 4 && seeds[i].family != 6)
			return -1;
		e->seeds[i] = seeds[i];
	}
	e->n_seeds = n;
	e->joined = false;
	e->leaving = false;
	for (i = 0; i < n; i++)
		send_state(e, &seeds[i], GC_STATE_F_REQUEST | GC_STATE_F_JOIN);
	/* Retry after one probe interval if nobody answered. */
	e->next_push_pull_us = now + (u64)e->cfg.probe_interval_ms * MS;
	return 0;
}

void gc_engine_leave(struct gc_engine *e, u64 now)
{
	struct gc_member *me = &e->members.m[e->self];
	const char *name = gc_member_name(&e->members, e->self);

	if (e->leaving)
		return;
	e->leaving = true;
	e->probe.active = false;
	gc_members_set_state(&e->members, e->self, GC_MEMBER_LEFT, now);
	rumor(e, e->self, GC_MSG_DEAD, name, me->name_len);
}

int gc_engine_reserve(struct gc_engine *e, u32 n, u32 name_bytes)
{
	u32 *order;

	if (gc_members_reserve(&e->members, n, name_bytes))
		return -1;
	if (n > e->order_cap) {
		order = gc_realloc(e->order, (size_t)n * sizeof(u32));
		if (!order)
			return -1;
		e->order = order;
		e->order_cap = n;
	}
	return 0;
}

int gc_engine_learn(struct gc_engine *e, const char *name, u8 name_len,
		    const struct gc_addr *addr, u32 incarnation, u64 now)
{
	u32 slot;

	if (!gc_node_name_valid(name, name_len) || (addr->family != 4 && addr->family != 6) ||
	    gc_members_find(&e->members, name, name_len) != GC_NONE)
		return -1;
	slot = gc_members_add(&e->members, name, name_len, GC_MEMBER_ALIVE, incarnation, addr,
			      now);
	if (slot == GC_NONE)
		return -1;
	order_insert(e, slot);
	e->joined = true;
	/* Cheap enough to redo per member, and right after the last one. */
	stagger_push_pull(e, now);
	return 0;
}

struct gc_keyring *gc_engine_keyring(struct gc_engine *e)
{
	return &e->keyring;
}

size_t gc_engine_mem_bytes(const struct gc_engine *e)
{
	const struct gc_members *t = &e->members;

	return sizeof(*e) + (size_t)t->cap * (sizeof(struct gc_member) + sizeof(u32)) +
	       ((size_t)t->index_mask + 1) * sizeof(u32) + t->names_cap +
	       (size_t)e->rumors.cap * sizeof(struct gc_bcast) +
	       (size_t)e->rumors.from_cap * sizeof(struct gc_from) +
	       (size_t)e->order_cap * sizeof(u32) +
	       (size_t)e->susp_cap * sizeof(struct gc_suspicion) +
	       (size_t)e->dead_cap * sizeof(u32) + 2 * (size_t)e->cfg.mtu + GC_MAX_MTU +
	       gc_items_mem_bytes(&e->items) + e->agg.tx_cap;
}
