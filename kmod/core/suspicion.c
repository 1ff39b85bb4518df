// SPDX-License-Identifier: GPL-2.0
#include "suspicion.h"

u32 gc_log2_q16(u64 x)
{
	u32 ip = 0, frac = 0;
	u64 y;
	int i;

	if (x <= 1)
		return 0;
	while ((x >> ip) > 1)
		ip++;
	/* y = x / 2^ip in 1.32 fixed point, then one fraction bit per squaring. */
	y = ip >= 32 ? x >> (ip - 32) : x << (32 - ip);
	for (i = 15; i >= 0; i--) {
		y = (y >> 16) * (y >> 16);	/* 1.32 squared, rescaled to 2.32 */
		if (y >= (2ULL << 32)) {
			y >>= 1;
			frac |= 1U << i;
		}
	}
	return ip << 16 | frac;
}

u64 gc_suspicion_min_us(u32 mult, u32 n, u64 interval_us)
{
	/* log10(n) = log2(n) * log10(2); 19728 / 65536 = 0.30103. */
	u64 log10_q16 = ((u64)gc_log2_q16(n ? n : 1) * 19728) >> 16;

	if (log10_q16 < 65536)
		log10_q16 = 65536;
	return (mult * interval_us * log10_q16) >> 16;
}

static void update_deadline(struct gc_suspicion *s)
{
	u64 range = s->max_us - s->min_us;
	u64 timeout;

	if (s->k == 0 || s->n >= s->k) {
		timeout = s->min_us;
	} else {
		u64 num = gc_log2_q16((u64)s->n + 1);
		u64 den = gc_log2_q16((u64)s->k + 1);

		timeout = s->max_us - gc_div64(range * num, den);
		if (timeout < s->min_us)
			timeout = s->min_us;
	}
	s->deadline_us = s->start_us + timeout;
}

void gc_suspicion_start(struct gc_suspicion *s, u32 member, u32 k, u64 min_us, u64 max_us,
			u64 accuser, u64 now)
{
	memset(s, 0, sizeof(*s));
	s->member = member;
	s->accuser = accuser;
	s->k = k > GC_SUSPICION_MAX_CONFIRM ? GC_SUSPICION_MAX_CONFIRM : k;
	s->start_us = now;
	s->min_us = min_us;
	s->max_us = max_us < min_us ? min_us : max_us;
	update_deadline(s);
}

bool gc_suspicion_confirm(struct gc_suspicion *s, u64 from_hash)
{
	u32 i;

	if (s->n >= s->k || from_hash == s->accuser)
		return false;
	for (i = 0; i < s->n; i++)
		if (s->confirmers[i] == from_hash)
			return false;
	s->confirmers[s->n++] = from_hash;
	update_deadline(s);
	return true;
}
