/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Big-endian fields of the state dir's small records (sign_state, sent-*,
 * lock-a/b): bytes wide, from 1 to 8.
 */
#ifndef GCD_BIGENDIAN_H
#define GCD_BIGENDIAN_H

#include <stdint.h>

static inline void gcd_put_be(uint8_t *p, uint64_t v, int bytes)
{
	int i;

	for (i = bytes - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static inline uint64_t gcd_get_be(const uint8_t *p, int bytes)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < bytes; i++)
		v = v << 8 | p[i];
	return v;
}

#endif
