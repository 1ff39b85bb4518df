// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for kmod/core/suspicion.c (Lifeguard's dynamic suspicion
 * timeout, in fixed point) and for the engine's two scaling helpers,
 * gc_retransmit_limit() and gc_push_pull_interval_us(), each against a
 * floating-point or integer reference of the formula it implements.
 */

#include "kselftest_harness.h"

#include <stdint.h>
#include <string.h>

#include "core/engine.h"
#include "core/suspicion.h"

/* The references below need logarithms, but the tests do not link libm:
 * ln() from x = m * 2^e, ln(m) = 2 atanh((m - 1) / (m + 1)), which for m in
 * [1, 2) converges to double precision in a few dozen terms.
 */
#define LN2  0.69314718055994530942
#define LN10 2.30258509299404568402

static double ref_ln_mantissa(double m)
{
	double z = (m - 1) / (m + 1), z2 = z * z, term = z, sum = 0;
	int i;

	for (i = 1; i < 80; i += 2) {
		sum += term / i;
		term *= z2;
	}
	return 2 * sum;
}

/* log2(x) for x >= 1, exact at powers of two; log() and log10() from it. */
static double ref_log2(double x)
{
	int e = 0;

	while (x >= 2) {
		x /= 2;
		e++;
	}
	return e + ref_ln_mantissa(x) / LN2;
}

static double ref_log(double x)
{
	return ref_log2(x) * LN2;
}

static double ref_log10(double x)
{
	return ref_log2(x) * (LN2 / LN10);
}

static double ref_fabs(double x)
{
	return x < 0 ? -x : x;
}

/* For x >= 0. */
static double ref_ceil(double x)
{
	double t = (double)(u64)x;

	return t < x ? t + 1 : t;
}

static double rel_err(double got, double want)
{
	if (want == 0)
		return ref_fabs(got);
	return ref_fabs(got - want) / ref_fabs(want);
}

static double log2_q16(u64 x)
{
	return gc_log2_q16(x) / 65536.0;
}

/* The references themselves, against known values. */
TEST(reference_math)
{
	EXPECT_LT(ref_fabs(ref_log2(3) - 1.5849625007211562), 1e-14);
	EXPECT_LT(ref_fabs(ref_log2(1000000) - 19.931568569324174), 1e-13);
	EXPECT_LT(ref_fabs(ref_log10(2) - 0.30102999566398120), 1e-14);
	EXPECT_LT(ref_fabs(ref_log10(1000) - 3), 1e-13);
	EXPECT_LT(ref_fabs(ref_log(10) - 2.302585092994046), 1e-14);
	EXPECT_TRUE(ref_log2(64) == 6);
	EXPECT_TRUE(ref_ceil(2.0) == 2 && ref_ceil(2.5) == 3 && ref_ceil(0.0) == 0);
}

/* ---- gc_log2_q16 ---- */

TEST(log2_small_and_degenerate)
{
	EXPECT_EQ(0, gc_log2_q16(0));
	EXPECT_EQ(0, gc_log2_q16(1));
	EXPECT_EQ(1U << 16, gc_log2_q16(2));
	EXPECT_EQ(2U << 16, gc_log2_q16(4));
	EXPECT_EQ(10U << 16, gc_log2_q16(1024));
	EXPECT_EQ(63U << 16, gc_log2_q16(1ULL << 63));
}

TEST(log2_every_value_to_100000)
{
	u64 x;
	double worst = 0;

	for (x = 2; x <= 100000; x++) {
		double e = rel_err(log2_q16(x), ref_log2((double)x));

		if (e > worst)
			worst = e;
		ASSERT_LT(e, 1e-3)
		{
			TH_LOG("x=%llu got %f want %f", (unsigned long long)x, log2_q16(x),
			       ref_log2((double)x));
		}
	}
	TH_LOG("worst relative error %g", worst);
}

TEST(log2_powers_and_neighbours)
{
	int k;

	for (k = 1; k < 64; k++) {
		u64 p = 1ULL << k;
		u64 xs[] = {p - 1, p, p + 1, p + p / 2, p + (p - 1)};
		unsigned int i;

		/* Exact at powers of two: the integer part is the bit length. */
		EXPECT_EQ((u32)k << 16, gc_log2_q16(p));
		for (i = 0; i < sizeof(xs) / sizeof(xs[0]); i++) {
			if (xs[i] < 2)
				continue;
			EXPECT_LT(rel_err(log2_q16(xs[i]), ref_log2((double)xs[i])), 1e-3)
			{
				TH_LOG("x=%llu", (unsigned long long)xs[i]);
			}
			/* Never more than 1/65536 above the real value: it rounds down. */
			EXPECT_LE(log2_q16(xs[i]), ref_log2((double)xs[i]) + 1.0 / 65536);
		}
	}
	EXPECT_LT(rel_err(log2_q16(UINT64_MAX), 64.0), 1e-3);
}

TEST(log2_monotonic)
{
	u64 x;
	u32 prev = 0, v;

	for (x = 1; x < 200000; x++) {
		v = gc_log2_q16(x);
		ASSERT_LE(prev, v)
		{
			TH_LOG("x=%llu", (unsigned long long)x);
		}
		prev = v;
	}
}

/* ---- gc_suspicion_min_us ---- */

static double min_ref(u32 mult, u32 n, double interval)
{
	double scale = ref_log10(n < 1 ? 1.0 : (double)n);

	if (scale < 1)
		scale = 1;
	return mult * scale * interval;
}

TEST(suspicion_min)
{
	static const u32 mults[] = {1, 2, 4, 5, 8, 64};
	static const u64 intervals[] = {10000, 100000, 1000000, 600000000ULL};
	unsigned int i, j;
	u32 n;

	/* At most 10 members: log10(n) <= 1, so min is mult * interval exactly. */
	for (n = 0; n <= 10; n++)
		EXPECT_EQ(4 * 1000000ULL, gc_suspicion_min_us(4, n, 1000000));
	for (i = 0; i < sizeof(mults) / sizeof(mults[0]); i++) {
		for (j = 0; j < sizeof(intervals) / sizeof(intervals[0]); j++) {
			for (n = 1; n < 1000000; n = n < 100 ? n + 1 : n * 11 / 10) {
				double want = min_ref(mults[i], n, (double)intervals[j]);
				double got = (double)gc_suspicion_min_us(mults[i], n, intervals[j]);

				ASSERT_LT(rel_err(got, want), 1e-3)
				{
					TH_LOG("mult %u n %u interval %llu: %f vs %f", mults[i], n,
					       (unsigned long long)intervals[j], got, want);
				}
			}
		}
	}
	/* memberlist's defaults: 4 * log10(100) * 1 s = 8 s, 4 * log10(1000) = 12 s. */
	EXPECT_LT(rel_err(gc_suspicion_min_us(4, 100, 1000000), 8e6), 1e-3);
	EXPECT_LT(rel_err(gc_suspicion_min_us(4, 1000, 1000000), 12e6), 1e-3);
	EXPECT_LT(rel_err(gc_suspicion_min_us(4, 1U << 24, 1000000), 4 * ref_log10(1 << 24) * 1e6),
		  1e-3);
}

/* ---- the suspicion timer ---- */

static double timeout_ref(double min, double max, u32 c, u32 k)
{
	double t;

	if (k == 0 || c >= k)
		return min;
	t = max - (max - min) * ref_log(c + 1.0) / ref_log(k + 1.0);
	return t < min ? min : t;
}

TEST(timeout_starts_at_max)
{
	struct gc_suspicion s;

	gc_suspicion_start(&s, 7, 3, 1000000, 6000000, 0x1234, 5000);
	EXPECT_EQ(7, s.member);
	EXPECT_EQ(3, s.k);
	EXPECT_EQ(0, s.n);
	EXPECT_EQ(5000, s.start_us);
	EXPECT_EQ(5000 + 6000000, s.deadline_us);
}

TEST(timeout_shrinks_with_confirmations)
{
	static const u32 ks[] = {1, 2, 3, 4, 5, 8, 10, 16};
	const u64 min = 2795880, max = 6 * min, start = 123456789;
	unsigned int i;
	u32 c;

	for (i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
		struct gc_suspicion s;
		u64 prev;

		gc_suspicion_start(&s, 1, ks[i], min, max, 999, start);
		prev = s.deadline_us;
		EXPECT_EQ(start + max, prev);
		for (c = 1; c <= ks[i]; c++) {
			double want = timeout_ref((double)min, (double)max, c, ks[i]);
			double got;

			ASSERT_TRUE(gc_suspicion_confirm(&s, 1000 + c));
			EXPECT_EQ(c, s.n);
			got = (double)(s.deadline_us - start);
			/* Within 1e-3 of the timeout range. */
			EXPECT_LT(ref_fabs(got - want), 1e-3 * (double)(max - min))
			{
				TH_LOG("k %u c %u: %f vs %f", ks[i], c, got, want);
			}
			EXPECT_LT(s.deadline_us, prev);
			EXPECT_GE(s.deadline_us, start + min);
			prev = s.deadline_us;
		}
		/* k confirmations: exactly min. */
		EXPECT_EQ(start + min, s.deadline_us);
		/* Past k nothing counts any more. */
		EXPECT_FALSE(gc_suspicion_confirm(&s, 5000));
		EXPECT_EQ(ks[i], s.n);
		EXPECT_EQ(start + min, s.deadline_us);
	}
}

TEST(timeout_lifeguard_example)
{
	/* k = 3, min 2 s, max 12 s: after 1 confirmation 12 - 10 * log(2)/log(4)
	 * = 7 s, after 2 12 - 10 * log(3)/log(4) = 4.075 s.
	 */
	struct gc_suspicion s;

	gc_suspicion_start(&s, 0, 3, 2000000, 12000000, 1, 0);
	EXPECT_EQ(12000000, s.deadline_us);
	ASSERT_TRUE(gc_suspicion_confirm(&s, 2));
	EXPECT_LT(ref_fabs((double)s.deadline_us - 7e6), 1e4);
	ASSERT_TRUE(gc_suspicion_confirm(&s, 3));
	EXPECT_LT(ref_fabs((double)s.deadline_us - 4.0751e6), 1e4);
	ASSERT_TRUE(gc_suspicion_confirm(&s, 4));
	EXPECT_EQ(2000000, s.deadline_us);
}

TEST(duplicates_and_the_accuser_do_not_count)
{
	struct gc_suspicion s;
	u64 d;

	gc_suspicion_start(&s, 0, 4, 1000, 6000, 42, 0);
	EXPECT_FALSE(gc_suspicion_confirm(&s, 42));
	EXPECT_EQ(0, s.n);
	EXPECT_EQ(6000, s.deadline_us);
	ASSERT_TRUE(gc_suspicion_confirm(&s, 7));
	d = s.deadline_us;
	EXPECT_LT(d, 6000);
	EXPECT_FALSE(gc_suspicion_confirm(&s, 7));
	EXPECT_FALSE(gc_suspicion_confirm(&s, 42));
	EXPECT_EQ(1, s.n);
	EXPECT_EQ(d, s.deadline_us);
	ASSERT_TRUE(gc_suspicion_confirm(&s, 8));
	EXPECT_EQ(2, s.n);
	EXPECT_LT(s.deadline_us, d);
	EXPECT_FALSE(gc_suspicion_confirm(&s, 8));
	EXPECT_FALSE(gc_suspicion_confirm(&s, 7));
	EXPECT_EQ(2, s.n);
}

TEST(k_zero_means_min_at_once)
{
	struct gc_suspicion s;

	gc_suspicion_start(&s, 0, 0, 1500, 9000, 1, 100);
	EXPECT_EQ(100 + 1500, s.deadline_us);
	EXPECT_FALSE(gc_suspicion_confirm(&s, 2));
	EXPECT_EQ(0, s.n);
	EXPECT_EQ(100 + 1500, s.deadline_us);
}

TEST(k_is_capped)
{
	struct gc_suspicion s;
	u32 c;

	gc_suspicion_start(&s, 0, 1000, 1000, 100000, 0, 0);
	EXPECT_EQ(GC_SUSPICION_MAX_CONFIRM, s.k);
	for (c = 1; c <= GC_SUSPICION_MAX_CONFIRM; c++)
		ASSERT_TRUE(gc_suspicion_confirm(&s, c));
	EXPECT_EQ(1000, s.deadline_us);
	EXPECT_FALSE(gc_suspicion_confirm(&s, 9999));
}

TEST(max_below_min_is_min)
{
	struct gc_suspicion s;

	gc_suspicion_start(&s, 0, 3, 5000, 1000, 0, 10);
	EXPECT_EQ(5000, s.max_us);
	EXPECT_EQ(10 + 5000, s.deadline_us);
	ASSERT_TRUE(gc_suspicion_confirm(&s, 1));
	EXPECT_EQ(10 + 5000, s.deadline_us);
}

TEST(timeout_with_engine_defaults)
{
	/* What the engine starts for 50 members with the defaults: k = 2,
	 * min = 4 * log10(50) s, max = 6 * min.
	 */
	u64 min = gc_suspicion_min_us(4, 50, 1000000);
	struct gc_suspicion s;

	EXPECT_LT(rel_err((double)min, 4 * ref_log10(50) * 1e6), 1e-3);
	/* Up to 10 members log10(n) <= 1: min is 4 s. */
	EXPECT_EQ(4000000, gc_suspicion_min_us(4, 5, 1000000));
	gc_suspicion_start(&s, 0, 2, min, 6 * min, 1, 0);
	EXPECT_EQ(6 * min, s.deadline_us);
	ASSERT_TRUE(gc_suspicion_confirm(&s, 2));
	EXPECT_LT(ref_fabs((double)s.deadline_us - timeout_ref(min, 6.0 * min, 1, 2)),
		  1e-3 * 5 * min);
	ASSERT_TRUE(gc_suspicion_confirm(&s, 3));
	EXPECT_EQ(min, s.deadline_us);
}

/* ---- rumor retransmissions and push-pull scaling (engine.c) ---- */

/* ceil(log10(n + 1)) in integers: the least d with 10^d >= n + 1. */
static u32 ceil_log10(u64 x)
{
	u32 d = 0;
	u64 p = 1;

	while (p < x) {
		p *= 10;
		d++;
	}
	return d;
}

TEST(retransmit_limit)
{
	u32 n, mult;

	for (mult = 1; mult <= 16; mult++) {
		for (n = 1; n < 2000000; n = n < 1000 ? n + 1 : n + 997) {
			ASSERT_EQ(mult * ceil_log10((u64)n + 1), gc_retransmit_limit(mult, n))
			{
				TH_LOG("mult %u n %u", mult, n);
			}
			/* Agrees with the floating-point formula away from powers of 10. */
			if (ceil_log10((u64)n + 1) == ceil_log10((u64)n + 2))
				ASSERT_EQ(mult * (u32)ref_ceil(ref_log10(n + 1.0)),
					  gc_retransmit_limit(mult, n));
		}
	}
	EXPECT_EQ(4, gc_retransmit_limit(4, 1));
	EXPECT_EQ(4, gc_retransmit_limit(4, 9));
	EXPECT_EQ(8, gc_retransmit_limit(4, 10));
	EXPECT_EQ(8, gc_retransmit_limit(4, 99));
	EXPECT_EQ(12, gc_retransmit_limit(4, 100));
	EXPECT_EQ(40, gc_retransmit_limit(4, UINT32_MAX));
	/* An empty table still sends a rumor mult times (never 0). */
	EXPECT_EQ(4, gc_retransmit_limit(4, 0));
}

static u32 push_pull_mult_ref(u32 n)
{
	if (n <= 32)
		return 1;
	return (u32)ref_ceil(ref_log2((double)n) - ref_log2(32.0)) + 1;
}

TEST(push_pull_interval)
{
	u32 n;

	for (n = 0; n < 100000; n++)
		ASSERT_EQ(30000ULL * 1000 * push_pull_mult_ref(n),
			  gc_push_pull_interval_us(30000, n))
		{
			TH_LOG("n %u", n);
		}
	for (n = 100000; n < 4000000000U; n += n / 7)
		ASSERT_EQ(1000ULL * push_pull_mult_ref(n), gc_push_pull_interval_us(1, n));
	EXPECT_EQ(30000000ULL, gc_push_pull_interval_us(30000, 32));
	EXPECT_EQ(60000000ULL, gc_push_pull_interval_us(30000, 33));
	EXPECT_EQ(60000000ULL, gc_push_pull_interval_us(30000, 64));
	EXPECT_EQ(90000000ULL, gc_push_pull_interval_us(30000, 65));
	EXPECT_EQ(7 * 30000000ULL, gc_push_pull_interval_us(30000, 1024 + 1));
	EXPECT_EQ(28ULL * 1000, gc_push_pull_interval_us(1, UINT32_MAX));
	/* The largest interval the config allows, times the largest factor. */
	EXPECT_EQ(86400000ULL * 1000 * 28, gc_push_pull_interval_us(86400000, UINT32_MAX));
}

TEST_HARNESS_MAIN
