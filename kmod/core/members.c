// SPDX-License-Identifier: GPL-2.0
#include "members.h"

static u32 name_hash(const struct gc_members *t, const char *name, u8 len)
{
	return (u32)gc_siphash(name, len, t->key);
}

u32 gc_members_hash(const struct gc_members *t, const char *name, u8 len)
{
	return name_hash(t, name, len);
}

static bool name_is(const struct gc_members *t, u32 slot, const char *name, u8 len)
{
	const struct gc_member *m = &t->m[slot];

	return m->name_len == len && !memcmp(t->names + m->name_off, name, len);
}

int gc_members_init(struct gc_members *t, const u8 key[16], u32 max)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->key, key, 16);
	t->max = max;
	t->index_mask = 15;
	t->index = gc_zalloc(16 * sizeof(u32));
	if (!t->index)
		return -1;
	memset(t->index, 0xff, 16 * sizeof(u32));
	return 0;
}

void gc_members_destroy(struct gc_members *t)
{
	gc_free(t->m);
	gc_free(t->free_slots);
	gc_free(t->index);
	gc_free(t->names);
	memset(t, 0, sizeof(*t));
}

u32 gc_members_find(const struct gc_members *t, const char *name, u8 len)
{
	u32 i = name_hash(t, name, len) & t->index_mask;

	while (t->index[i] != GC_NONE) {
		if (name_is(t, t->index[i], name, len))
			return t->index[i];
		i = (i + 1) & t->index_mask;
	}
	return GC_NONE;
}

static void index_insert(u32 *index, u32 mask, u32 hash, u32 slot)
{
	u32 i = hash & mask;

	while (index[i] != GC_NONE)
		i = (i + 1) & mask;
	index[i] = slot;
}

/* Keep the index at most half full. */
static int index_grow(struct gc_members *t)
{
	u32 size = (t->index_mask + 1) * 2, s;
	u32 *index = gc_zalloc((size_t)size * sizeof(u32));

	if (!index)
		return -1;
	memset(index, 0xff, (size_t)size * sizeof(u32));
	for (s = 0; s < t->slots; s++)
		if (t->m[s].state != GC_MEMBER_FREE)
			index_insert(index, size - 1,
				     name_hash(t, gc_member_name(t, s), t->m[s].name_len), s);
	gc_free(t->index);
	t->index = index;
	t->index_mask = size - 1;
	return 0;
}

/* Rewrites the arena without the names of removed members. */
static int names_compact(struct gc_members *t, u32 need)
{
	u32 live = t->names_len - t->names_dead;
	u32 cap = t->names_cap;
	char *names;
	u32 s, off = 0;

	while (cap < live + need)
		cap = cap ? cap + cap / 2 : 256;
	names = gc_zalloc(cap);
	if (!names)
		return -1;
	for (s = 0; s < t->slots; s++) {
		struct gc_member *m = &t->m[s];

		if (m->state == GC_MEMBER_FREE)
			continue;
		memcpy(names + off, t->names + m->name_off, m->name_len);
		m->name_off = off;
		off += m->name_len;
	}
	gc_free(t->names);
	t->names = names;
	t->names_cap = cap;
	t->names_len = off;
	t->names_dead = 0;
	return 0;
}

static int names_reserve(struct gc_members *t, u32 need)
{
	char *names;
	u32 cap;

	if (t->names_cap - t->names_len >= need)
		return 0;
	if (t->names_dead > t->names_len / 2)
		return names_compact(t, need);
	cap = t->names_cap ? t->names_cap + t->names_cap / 2 : 256;
	while (cap - t->names_len < need)
		cap += cap / 2;
	names = gc_realloc(t->names, cap);
	if (!names)
		return -1;
	t->names = names;
	t->names_cap = cap;
	return 0;
}

static u32 slot_alloc(struct gc_members *t)
{
	struct gc_member *m;
	u32 *free_slots;
	u32 cap;

	if (t->n_free)
		return t->free_slots[--t->n_free];
	if (t->slots == t->cap) {
		cap = t->cap ? t->cap + t->cap / 2 : 16;
		if (cap > t->max)
			cap = t->max;
		if (cap <= t->cap)
			return GC_NONE;
		m = gc_realloc(t->m, (size_t)cap * sizeof(*m));
		if (!m)
			return GC_NONE;
		t->m = m;
		free_slots = gc_realloc(t->free_slots, (size_t)cap * sizeof(u32));
		if (!free_slots)
			return GC_NONE;
		t->free_slots = free_slots;
		t->cap = cap;
	}
	return t->slots++;
}

u32 gc_members_add(struct gc_members *t, const char *name, u8 len, u8 state, u32 inc,
		   const struct gc_addr *addr, u64 now)
{
	struct gc_member *m;
	u32 slot;

	if (gc_members_total(t) >= t->max)
		return GC_NONE;
	if ((gc_members_total(t) + 1) * 2 > t->index_mask + 1 && index_grow(t))
		return GC_NONE;
	if (names_reserve(t, len))
		return GC_NONE;
	slot = slot_alloc(t);
	if (slot == GC_NONE)
		return GC_NONE;
	m = &t->m[slot];
	memset(m, 0, sizeof(*m));
	m->name_off = t->names_len;
	m->name_len = len;
	memcpy(t->names + t->names_len, name, len);
	t->names_len += len;
	m->state = state;
	m->incarnation = inc;
	m->bcast = GC_NONE;
	m->suspicion = GC_NONE;
	m->addr = *addr;
	m->state_change_us = now;
	t->count[state]++;
	index_insert(t->index, t->index_mask, name_hash(t, name, len), slot);
	return slot;
}

int gc_members_reserve(struct gc_members *t, u32 n, u32 name_bytes)
{
	struct gc_member *m;
	u32 *free_slots;
	char *names;

	if (n > t->max)
		n = t->max;
	while ((n + 1) * 2 > t->index_mask + 1)
		if (index_grow(t))
			return -1;
	if (n > t->cap) {
		m = gc_realloc(t->m, (size_t)n * sizeof(*m));
		if (!m)
			return -1;
		t->m = m;
		free_slots = gc_realloc(t->free_slots, (size_t)n * sizeof(u32));
		if (!free_slots)
			return -1;
		t->free_slots = free_slots;
		t->cap = n;
	}
	if (name_bytes > t->names_cap - t->names_len) {
		names = gc_realloc(t->names, t->names_len + name_bytes);
		if (!names)
			return -1;
		t->names = names;
		t->names_cap = t->names_len + name_bytes;
	}
	return 0;
}

void gc_members_remove(struct gc_members *t, u32 slot)
{
	struct gc_member *m = &t->m[slot];
	u32 i = name_hash(t, gc_member_name(t, slot), m->name_len) & t->index_mask;
	u32 j, k;

	while (t->index[i] != slot)
		i = (i + 1) & t->index_mask;
	/* Backward-shift deletion keeps every probe chain unbroken. */
	j = i;
	for (;;) {
		j = (j + 1) & t->index_mask;
		if (t->index[j] == GC_NONE)
			break;
		k = name_hash(t, gc_member_name(t, t->index[j]), t->m[t->index[j]].name_len) &
		    t->index_mask;
		if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
			t->index[i] = t->index[j];
			i = j;
		}
	}
	t->index[i] = GC_NONE;
	t->count[m->state]--;
	t->names_dead += m->name_len;
	m->state = GC_MEMBER_FREE;
	t->free_slots[t->n_free++] = slot;
}

void gc_members_set_state(struct gc_members *t, u32 slot, u8 state, u64 now)
{
	struct gc_member *m = &t->m[slot];

	t->count[m->state]--;
	t->count[state]++;
	m->state = state;
	m->state_change_us = now;
}
