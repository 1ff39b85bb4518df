// SPDX-License-Identifier: GPL-2.0
#include "broadcast.h"

void gc_bqueue_init(struct gc_bqueue *q, u32 max)
{
	u32 i;

	memset(q, 0, sizeof(*q));
	q->free_head = GC_NONE;
	q->from_free = GC_NONE;
	q->max = max;
	for (i = 0; i < GC_BCAST_MAX_TRANSMITS; i++)
		q->head[i] = GC_NONE;
}

void gc_bqueue_destroy(struct gc_bqueue *q)
{
	gc_free(q->b);
	gc_free(q->from);
	memset(q, 0, sizeof(*q));
}

static void unlink_entry(struct gc_bqueue *q, u32 i)
{
	struct gc_bcast *e = &q->b[i];

	if (e->prev != GC_NONE)
		q->b[e->prev].next = e->next;
	else
		q->head[e->transmits] = e->next;
	if (e->next != GC_NONE)
		q->b[e->next].prev = e->prev;
}

static void link_head(struct gc_bqueue *q, u32 i)
{
	struct gc_bcast *e = &q->b[i];

	e->prev = GC_NONE;
	e->next = q->head[e->transmits];
	if (e->next != GC_NONE)
		q->b[e->next].prev = i;
	q->head[e->transmits] = i;
}

static u32 from_put(struct gc_bqueue *q, const char *name, u8 len)
{
	struct gc_from *f;
	u32 i, cap;

	if (q->from_free != GC_NONE) {
		i = q->from_free;
		q->from_free = q->from[i].next_free;
	} else {
		if (q->from_used == q->from_cap) {
			cap = q->from_cap ? q->from_cap * 2 : 8;
			f = gc_realloc(q->from, (size_t)cap * sizeof(*f));
			if (!f)
				return GC_NONE;
			q->from = f;
			q->from_cap = cap;
		}
		i = q->from_used++;
	}
	memcpy(q->from[i].name, name, len);
	q->from[i].len = len;
	return i;
}

static void from_release(struct gc_bqueue *q, struct gc_bcast *e)
{
	if (e->from == GC_NONE)
		return;
	q->from[e->from].next_free = q->from_free;
	q->from_free = e->from;
	e->from = GC_NONE;
}

static void free_entry(struct gc_bqueue *q, struct gc_members *t, u32 i)
{
	struct gc_bcast *e = &q->b[i];

	unlink_entry(q, i);
	from_release(q, e);
	t->m[e->member].bcast = GC_NONE;
	e->member = GC_NONE;
	e->next = q->free_head;
	q->free_head = i;
	q->len--;
}

/* The oldest of the most sent: what a full queue gives up first. */
static u32 victim(struct gc_bqueue *q)
{
	int t;
	u32 i;

	for (t = GC_BCAST_MAX_TRANSMITS - 1; t >= 0; t--) {
		i = q->head[t];
		if (i == GC_NONE)
			continue;
		while (q->b[i].next != GC_NONE)
			i = q->b[i].next;
		return i;
	}
	return GC_NONE;
}

static u32 alloc_entry(struct gc_bqueue *q)
{
	struct gc_bcast *b;
	u32 cap;

	if (q->free_head != GC_NONE) {
		u32 i = q->free_head;

		q->free_head = q->b[i].next;
		return i;
	}
	if (q->used == q->cap) {
		cap = q->cap ? q->cap + q->cap / 2 : 16;
		b = gc_realloc(q->b, (size_t)cap * sizeof(*b));
		if (!b)
			return GC_NONE;
		q->b = b;
		q->cap = cap;
	}
	return q->used++;
}

int gc_bqueue_put(struct gc_bqueue *q, struct gc_members *t, u32 slot, u8 type,
		  const char *from, u8 from_len)
{
	struct gc_member *m = &t->m[slot];
	struct gc_bcast *e;
	u32 i = m->bcast;

	if (i != GC_NONE) {
		/* The member's newer state replaces the rumor, sent afresh. */
		unlink_entry(q, i);
		from_release(q, &q->b[i]);
	} else {
		if (q->len >= q->max) {
			u32 v = victim(q);

			if (v == GC_NONE)
				return -1;
			free_entry(q, t, v);
			q->dropped++;
		}
		i = alloc_entry(q);
		if (i == GC_NONE) {
			q->dropped++;
			return -1;
		}
		q->len++;
		m->bcast = i;
	}
	e = &q->b[i];
	e->member = slot;
	e->type = type;
	e->transmits = 0;
	e->from = GC_NONE;
	link_head(q, i);
	if (type != GC_MSG_ALIVE) {
		e->from = from_put(q, from, from_len);
		if (e->from == GC_NONE) {
			free_entry(q, t, i);
			q->dropped++;
			return -1;
		}
	}
	return 0;
}

void gc_bqueue_drop_member(struct gc_bqueue *q, struct gc_members *t, u32 slot)
{
	if (t->m[slot].bcast != GC_NONE)
		free_entry(q, t, t->m[slot].bcast);
}

static size_t encode(const struct gc_bqueue *q, const struct gc_bcast *e,
		     const struct gc_members *t, struct gc_wbuf *b)
{
	const struct gc_member *m = &t->m[e->member];
	const char *name = gc_member_name(t, e->member);
	const struct gc_from *f;

	if (e->type == GC_MSG_ALIVE)
		return gc_put_alive(b, m->incarnation, name, m->name_len, &m->addr);
	f = &q->from[e->from];
	return gc_put_accuse(b, e->type, m->incarnation, name, m->name_len, f->name, f->len);
}

u32 gc_bqueue_fill(struct gc_bqueue *q, struct gc_members *t, struct gc_wbuf *b, u32 limit)
{
	u32 sent[64], n = 0, k, i, next, misses = 0;
	int tc;

	if (limit > GC_BCAST_MAX_TRANSMITS)
		limit = GC_BCAST_MAX_TRANSMITS;
	/* The cluster shrank, and the limit with it: what was sent enough goes. */
	for (tc = (int)limit; tc < GC_BCAST_MAX_TRANSMITS; tc++)
		while (q->head[tc] != GC_NONE)
			free_entry(q, t, q->head[tc]);
	for (tc = 0; tc < (int)limit && n < 64; tc++) {
		for (i = q->head[tc]; i != GC_NONE && n < 64; i = next) {
			next = q->b[i].next;
			if (!encode(q, &q->b[i], t, b)) {
				/* Smaller rumors may still fit, but do not walk a long
				 * queue for them.
				 */
				b->overflow = false;
				if (++misses >= 8)
					goto done;
				continue;
			}
			sent[n++] = i;
		}
	}
done:
	/* Count the transmissions after the walk, so nothing moves under it. */
	for (k = 0; k < n; k++) {
		i = sent[k];
		if ((u32)q->b[i].transmits + 1 >= limit) {
			free_entry(q, t, i);
		} else {
			unlink_entry(q, i);
			q->b[i].transmits++;
			link_head(q, i);
		}
	}
	return n;
}
