// SPDX-License-Identifier: GPL-2.0
#include "rand.h"

static u64 splitmix64(u64 *x)
{
	u64 z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void gc_rand_seed(struct gc_rand *r, u64 seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline u64 rotl(u64 x, int k)
{
	return (x << k) | (x >> (64 - k));
}

u64 gc_rand_next(struct gc_rand *r)
{
	u64 *s = r->s;
	u64 result = rotl(s[1] * 5, 7) * 9;
	u64 t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

u32 gc_rand_below(struct gc_rand *r, u32 bound)
{
	u64 m = (u64)(u32)(gc_rand_next(r) >> 32) * bound;
	u32 low = (u32)m;

	if (low < bound) {
		u32 threshold = (u32)-bound % bound;

		while (low < threshold) {
			m = (u64)(u32)(gc_rand_next(r) >> 32) * bound;
			low = (u32)m;
		}
	}
	return (u32)(m >> 32);
}
