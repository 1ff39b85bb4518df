/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The core's protocol randomness (probe order, gossip targets, helpers):
 * xoshiro256** seeded through splitmix64. Seeded from outside, so a seed
 * replays a simulation exactly; in the kernel the seed comes from
 * get_random_bytes().
 */
#ifndef _GC_CORE_RAND_H
#define _GC_CORE_RAND_H

#include "platform.h"

struct gc_rand {
	u64 s[4];
};

void gc_rand_seed(struct gc_rand *r, u64 seed);
u64 gc_rand_next(struct gc_rand *r);
/* Uniform in [0, bound), bound > 0 (Lemire's method, no modulo bias). */
u32 gc_rand_below(struct gc_rand *r, u32 bound);

#endif /* _GC_CORE_RAND_H */
