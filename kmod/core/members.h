/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The member table of one node: every member it knows, itself included,
 * found by name through a SipHash-keyed open-addressing index. Names live
 * in one arena per table, so a record is 48 bytes and a 10,000-node
 * simulation of full-membership SWIM fits in memory.
 */
#ifndef _GC_CORE_MEMBERS_H
#define _GC_CORE_MEMBERS_H

#include "wire.h"

#define GC_NONE 0xffffffffU

enum gc_member_state {
	GC_MEMBER_ALIVE = 1,
	GC_MEMBER_SUSPECT = 2,
	GC_MEMBER_DEAD = 3,
	GC_MEMBER_LEFT = 4,
	GC_MEMBER_FREE = 0,	/* an unused slot */
};

struct gc_member {
	u32 name_off;
	u8 name_len;
	u8 state;
	u8 reap_listed;		/* engine.c: in its list of members to reap */
	u8 by_self;		/* engine.c: suspect or dead by our own verdict */
	u32 incarnation;
	u32 bcast;		/* its pending rumor (broadcast.h), or GC_NONE */
	u32 suspicion;		/* its suspicion timer, or GC_NONE */
	struct gc_addr addr;
	u64 state_change_us;
};

struct gc_members {
	struct gc_member *m;
	u32 slots, cap;		/* slots ever used, allocated */
	u32 *free_slots;
	u32 n_free;
	u32 count[5];		/* members per state; [0] unused */
	u32 *index;		/* slot numbers, GC_NONE where empty */
	u32 index_mask;		/* index size - 1, a power of two minus one */
	char *names;
	u32 names_len, names_cap, names_dead;
	u8 key[16];
	u32 max;		/* most members the table will hold */
};

int gc_members_init(struct gc_members *t, const u8 key[16], u32 max);
void gc_members_destroy(struct gc_members *t);
u32 gc_members_find(const struct gc_members *t, const char *name, u8 len);
/* Adds a member; GC_NONE when the table is full or memory is short. */
u32 gc_members_add(struct gc_members *t, const char *name, u8 len, u8 state, u32 inc,
		   const struct gc_addr *addr, u64 now);
void gc_members_remove(struct gc_members *t, u32 slot);
/* Sizes the table for n members and name_bytes of names in one step. */
int gc_members_reserve(struct gc_members *t, u32 n, u32 name_bytes);
void gc_members_set_state(struct gc_members *t, u32 slot, u8 state, u64 now);

static inline const char *gc_member_name(const struct gc_members *t, u32 slot)
{
	return t->names + t->m[slot].name_off;
}

/* A packet names dozens of members scattered over memory: touch them all
 * in stages (index slots, then records, then names) so the cache misses
 * overlap instead of coming one after another.
 */
u32 gc_members_hash(const struct gc_members *t, const char *name, u8 len);

static inline void gc_members_prefetch_index(const struct gc_members *t, u32 hash)
{
	gc_prefetch(&t->index[hash & t->index_mask]);
}

static inline void gc_members_prefetch_member(const struct gc_members *t, u32 hash)
{
	u32 slot = t->index[hash & t->index_mask];

	if (slot != GC_NONE)
		gc_prefetch(&t->m[slot]);
}

static inline void gc_members_prefetch_name(const struct gc_members *t, u32 hash)
{
	u32 slot = t->index[hash & t->index_mask];

	if (slot != GC_NONE)
		gc_prefetch(t->names + t->m[slot].name_off);
}

static inline u32 gc_members_total(const struct gc_members *t)
{
	return t->slots - t->n_free;
}

#endif /* _GC_CORE_MEMBERS_H */
