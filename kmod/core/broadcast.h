/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The piggyback queue (rumor mongering): one pending rumor per member at
 * most, the newest state replacing an older one, each sent a bounded number
 * of times (retransmit_mult * ceil(log10(n + 1))). Rumors are kept in one
 * list per transmit count, so filling a packet takes the least sent first
 * and, among those, the newest, at a cost proportional to what it takes.
 */
#ifndef _GC_CORE_BROADCAST_H
#define _GC_CORE_BROADCAST_H

#include "members.h"

#define GC_BCAST_MAX_TRANSMITS 64

/* 20 bytes: a join wave queues a rumor per member on every node. */
struct gc_bcast {
	u32 member;		/* slot; GC_NONE when the entry is free */
	u8 type;		/* GC_MSG_ALIVE, SUSPECT or DEAD */
	u8 transmits;
	u32 prev, next;		/* in the list of its transmit count */
	u32 from;		/* accuser's name in the from pool, or GC_NONE */
};

/* Accusers' names, needed only by the few SUSPECT and DEAD rumors. */
struct gc_from {
	char name[GC_NODE_NAME_MAX];
	u8 len;
	u32 next_free;
};

struct gc_bqueue {
	struct gc_bcast *b;
	u32 cap, used;
	u32 free_head;		/* chain of free entries through .next */
	u32 head[GC_BCAST_MAX_TRANSMITS];
	struct gc_from *from;
	u32 from_cap, from_used, from_free;
	u32 len;		/* rumors queued */
	u32 max;		/* bound on len */
	u64 dropped;		/* rumors dropped because the queue was full */
};

void gc_bqueue_init(struct gc_bqueue *q, u32 max);
void gc_bqueue_destroy(struct gc_bqueue *q);
/* Queues (or replaces) the rumor about member slot. */
int gc_bqueue_put(struct gc_bqueue *q, struct gc_members *t, u32 slot, u8 type,
		  const char *from, u8 from_len);
/* Forgets the rumor about a member that is being removed. */
void gc_bqueue_drop_member(struct gc_bqueue *q, struct gc_members *t, u32 slot);
/* Appends rumors to b while they fit, least sent and newest first; each
 * appended rumor counts one transmission and leaves after limit of them.
 * Returns how many were appended.
 */
u32 gc_bqueue_fill(struct gc_bqueue *q, struct gc_members *t, struct gc_wbuf *b, u32 limit);

#endif /* _GC_CORE_BROADCAST_H */
