/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Lifeguard's dynamic suspicion timeout (Dadgar et al. 2018, section IV.B):
 * a suspicion starts at max and shrinks towards min as k independent members
 * confirm it, following log(c + 1) / log(k + 1), so a member under
 * suspicion by many is declared dead sooner and one suspected by a single
 * slow prober has the longest time to refute. Integer arithmetic only: the
 * same code runs in the kernel.
 */
#ifndef _GC_CORE_SUSPICION_H
#define _GC_CORE_SUSPICION_H

#include "platform.h"

#define GC_SUSPICION_MAX_CONFIRM 16

struct gc_suspicion {
	u32 member;		/* slot of the suspect, GC_NONE when free */
	u32 k;			/* confirmations that bring the timeout to min */
	u32 n;			/* confirmations so far */
	u64 start_us, min_us, max_us;
	u64 deadline_us;
	u64 accuser;		/* does not confirm its own accusation */
	u64 confirmers[GC_SUSPICION_MAX_CONFIRM];	/* name hashes */
};

/* log2(x) in 16.16 fixed point, x >= 1. */
u32 gc_log2_q16(u64 x);

/* min = mult * max(1, log10(n)) * interval, as memberlist's suspicionTimeout. */
u64 gc_suspicion_min_us(u32 mult, u32 n, u64 interval_us);

void gc_suspicion_start(struct gc_suspicion *s, u32 member, u32 k, u64 min_us, u64 max_us,
			u64 accuser, u64 now);
/* Records a confirmation by from_hash; true when it was new (rebroadcast it). */
bool gc_suspicion_confirm(struct gc_suspicion *s, u64 from_hash);

#endif /* _GC_CORE_SUSPICION_H */
