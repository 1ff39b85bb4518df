// SPDX-License-Identifier: GPL-2.0
/* Unit tests for ctl/parse.c: command line numbers, addresses, endpoints. */

#include "kselftest_harness.h"

#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "parse.h"

/* The sentinel every failed parse must leave untouched. */
#define UNTOUCHED 0xbeef

static int port_of(const char *s, uint16_t *port)
{
	*port = UNTOUCHED;
	return gc_parse_port(s, port);
}

TEST(port_valid)
{
	uint16_t p;

	ASSERT_EQ(0, port_of("1", &p));
	EXPECT_EQ(1, p);
	ASSERT_EQ(0, port_of("7947", &p));
	EXPECT_EQ(7947, p);
	ASSERT_EQ(0, port_of("65535", &p));
	EXPECT_EQ(65535, p);
	/* Leading zeros are still decimal, not octal. */
	ASSERT_EQ(0, port_of("0080", &p));
	EXPECT_EQ(80, p);
}

TEST(port_invalid)
{
	static const char *const bad[] = {
		"0",
		"65536",
		"-1",
		" 1",
		"1 ",
		"1x",
		"x1",
		"",
		"+5",
		"0x10",
		"99999999999999999999999",
		"1.0",
		"\t1",
		"65535\n",
	};
	uint16_t p;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-1, port_of(bad[i], &p))
		{
			TH_LOG("accepted \"%s\"", bad[i]);
		}
		EXPECT_EQ(UNTOUCHED, p)
		{
			TH_LOG("\"%s\" changed the output", bad[i]);
		}
	}
}

TEST(port_null)
{
	uint16_t p;

	EXPECT_EQ(-1, port_of(NULL, &p));
	EXPECT_EQ(UNTOUCHED, p);
}

TEST(uint_bounds)
{
	unsigned long v = 42;

	ASSERT_EQ(0, gc_parse_uint("0", 10, &v));
	EXPECT_EQ(0, v);
	ASSERT_EQ(0, gc_parse_uint("10", 10, &v));
	EXPECT_EQ(10, v);
	v = 42;
	EXPECT_EQ(-1, gc_parse_uint("11", 10, &v));
	EXPECT_EQ(42, v);
	EXPECT_EQ(-1, gc_parse_uint("1", 0, &v));
	ASSERT_EQ(0, gc_parse_uint("0", 0, &v));
	EXPECT_EQ(0, v);
}

TEST(uint_full_range)
{
	unsigned long v = 0;

	ASSERT_EQ(0, gc_parse_uint("18446744073709551615", ULONG_MAX, &v));
	EXPECT_EQ(ULONG_MAX, v);
	/* ULONG_MAX + 1: strtoul saturates and sets ERANGE. */
	v = 42;
	EXPECT_EQ(-1, gc_parse_uint("18446744073709551616", ULONG_MAX, &v));
	EXPECT_EQ(42, v);
	EXPECT_EQ(-1, gc_parse_uint("99999999999999999999999999", ULONG_MAX, &v));
	EXPECT_EQ(42, v);
}

TEST(uint_invalid)
{
	static const char *const bad[] = {"", "-0", "-1", "+1", " 1", "1 ", "1x", "0x1", "1e3"};
	unsigned long v;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 42;
		EXPECT_EQ(-1, gc_parse_uint(bad[i], ULONG_MAX, &v))
		{
			TH_LOG("accepted \"%s\"", bad[i]);
		}
		EXPECT_EQ(42, v);
	}
	EXPECT_EQ(-1, gc_parse_uint(NULL, ULONG_MAX, &v));
}

TEST(uint_clears_stale_errno)
{
	unsigned long v = 0;

	/* A failure left in errno by an earlier call must not fail this one. */
	errno = ERANGE;
	ASSERT_EQ(0, gc_parse_uint("5", 10, &v));
	EXPECT_EQ(5, v);
}

static void expect_v4(struct __test_metadata *_metadata, const char *s, const char *canon)
{
	struct gc_addr a;
	struct in_addr want;

	memset(&a, 0xa5, sizeof(a));
	ASSERT_EQ(0, gc_parse_addr(s, &a))
	{
		TH_LOG("refused \"%s\"", s);
	}
	ASSERT_EQ(1, inet_pton(AF_INET, canon, &want));
	EXPECT_EQ(AF_INET, a.family);
	EXPECT_EQ(want.s_addr, a.u.v4.s_addr);
}

static void expect_v6(struct __test_metadata *_metadata, const char *s, const char *canon)
{
	struct gc_addr a;
	struct in6_addr want;

	memset(&a, 0xa5, sizeof(a));
	ASSERT_EQ(0, gc_parse_addr(s, &a))
	{
		TH_LOG("refused \"%s\"", s);
	}
	ASSERT_EQ(1, inet_pton(AF_INET6, canon, &want));
	EXPECT_EQ(AF_INET6, a.family);
	EXPECT_EQ(0, memcmp(&want, &a.u.v6, sizeof(want)));
}

TEST(addr_v4)
{
	static const uint8_t ten[4] = {10, 0, 0, 1};
	struct gc_addr a;

	expect_v4(_metadata, "10.0.0.1", "10.0.0.1");
	expect_v4(_metadata, "0.0.0.0", "0.0.0.0");
	expect_v4(_metadata, "255.255.255.255", "255.255.255.255");
	/* Stored in network byte order. */
	ASSERT_EQ(0, gc_parse_addr("10.0.0.1", &a));
	EXPECT_EQ(0, memcmp(ten, &a.u.v4, sizeof(ten)));
}

TEST(addr_v6)
{
	static const uint8_t fd00_1[16] = {0xfd, [15] = 1};
	struct gc_addr a;

	expect_v6(_metadata, "::", "::");
	expect_v6(_metadata, "::1", "::1");
	expect_v6(_metadata, "fd00::1", "fd00::1");
	expect_v6(_metadata, "::ffff:10.0.0.1", "::ffff:10.0.0.1");
	ASSERT_EQ(0, gc_parse_addr("fd00::1", &a));
	EXPECT_EQ(0, memcmp(fd00_1, &a.u.v6, sizeof(fd00_1)));
}

TEST(addr_v6_brackets)
{
	expect_v6(_metadata, "[fd00::1]", "fd00::1");
	expect_v6(_metadata, "[::]", "::");
	expect_v6(_metadata, "[1:2:3:4:5:6:7:8]", "1:2:3:4:5:6:7:8");
	/* The longest IPv6 literal there is, in brackets. */
	expect_v6(_metadata, "[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]",
		  "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255");
}

TEST(addr_invalid)
{
	static const char *const bad[] = {
		"",
		"1.2.3",
		"1.2.3.4.5",
		"256.0.0.1",
		"10.0.0.1:80",
		" 10.0.0.1",
		"10.0.0.1 ",
		"fd00::1::2",
		"fd00::g",
		"[fd00::1",
		"fd00::1]",
		"[]",
		"[",
		"]",
		"[[fd00::1]]",
		"[10.0.0.1]",
		"[fd00::1]:7947",
		"localhost",
		"fd00::1%eth0",
		/* Longer than INET6_ADDRSTRLEN between the brackets. */
		"[0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000]",
	};
	struct gc_addr a;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-1, gc_parse_addr(bad[i], &a))
		{
			TH_LOG("accepted \"%s\"", bad[i]);
		}
	}
	EXPECT_EQ(-1, gc_parse_addr(NULL, &a));
}

TEST(addr_bracket_buffer_edge)
{
	char s[INET6_ADDRSTRLEN + 3];
	struct gc_addr a;

	/* INET6_ADDRSTRLEN - 1 characters between brackets fit the copy... */
	s[0] = '[';
	memset(s + 1, 'f', INET6_ADDRSTRLEN - 1);
	s[INET6_ADDRSTRLEN] = ']';
	s[INET6_ADDRSTRLEN + 1] = '\0';
	EXPECT_EQ(-1, gc_parse_addr(s, &a));
	/* ...and one more does not, which must not overflow it (ASan). */
	s[INET6_ADDRSTRLEN] = 'f';
	s[INET6_ADDRSTRLEN + 1] = ']';
	s[INET6_ADDRSTRLEN + 2] = '\0';
	EXPECT_EQ(-1, gc_parse_addr(s, &a));
}

TEST(endpoint_v4)
{
	struct in_addr v4;
	char out[64];

	ASSERT_EQ(1, inet_pton(AF_INET, "1.2.3.4", &v4));
	gc_format_endpoint(AF_INET, &v4, 7947, out, sizeof(out));
	EXPECT_STREQ("1.2.3.4:7947", out);
	v4.s_addr = 0;
	gc_format_endpoint(AF_INET, &v4, 1, out, sizeof(out));
	EXPECT_STREQ("0.0.0.0:1", out);
}

TEST(endpoint_v6)
{
	struct in6_addr v6;
	char out[64];

	ASSERT_EQ(1, inet_pton(AF_INET6, "fd00::1", &v6));
	gc_format_endpoint(AF_INET6, &v6, 7947, out, sizeof(out));
	EXPECT_STREQ("[fd00::1]:7947", out);
	gc_format_endpoint(AF_INET6, &in6addr_any, 65535, out, sizeof(out));
	EXPECT_STREQ("[::]:65535", out);
}

TEST(endpoint_longest_fits)
{
	static const char want[] = "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535";
	struct in6_addr v6;
	char out[sizeof(want)];

	/* The longest endpoint there is, into a buffer just big enough. */
	memset(&v6, 0xff, sizeof(v6));
	gc_format_endpoint(AF_INET6, &v6, 65535, out, sizeof(out));
	EXPECT_STREQ(want, out);
}

TEST(endpoint_truncates)
{
	struct in6_addr v6;
	char out[8 + 1];

	ASSERT_EQ(1, inet_pton(AF_INET6, "fd00::1", &v6));
	memset(out, 'X', sizeof(out));
	gc_format_endpoint(AF_INET6, &v6, 7947, out, 8);
	EXPECT_STREQ("[fd00::", out);
	EXPECT_EQ('X', out[8]);
}

TEST(endpoint_round_trip)
{
	static const char *const addrs[] = {"10.0.0.1", "fd00::1", "::", "192.168.1.255"};
	struct gc_addr a;
	char out[64], want[80];
	size_t i;

	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		ASSERT_EQ(0, gc_parse_addr(addrs[i], &a));
		gc_format_endpoint(a.family, &a.u, 7947, out, sizeof(out));
		snprintf(want, sizeof(want), a.family == AF_INET6 ? "[%s]:7947" : "%s:7947",
			 addrs[i]);
		EXPECT_STREQ(want, out);
	}
}

/* ---- millionths (gcctl agg) ---- */

static int millionths_of(const char *s, int64_t *v)
{
	*v = UNTOUCHED;
	return gc_parse_millionths(s, v);
}

TEST(millionths_valid)
{
	static const struct {
		const char *s;
		int64_t v;
	} cases[] = {
		{"0", 0},
		{"-0", 0},
		{"+0.0", 0},
		{"1", 1000000},
		{"12.5", 12500000},
		{"-3", -3000000},
		{"0.000001", 1},
		{"-0.000001", -1},
		{"+7.25", 7250000},
		{"007.500000", 7500000},
		{"1.1", 1100000},
		{"0.1", 100000},
		{"123456.654321", 123456654321LL},
		{"9223372036854.775807", INT64_MAX},
		{"-9223372036854.775808", INT64_MIN},
		{"-9223372036854.775807", -INT64_MAX},
		{"9223372036854", 9223372036854000000LL},
		{"00000000000000000000000000001", 1000000},
		{".5", 500000},
		{"-.5", -500000},
		{"+.000001", 1},
	};
	size_t i;
	int64_t v;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		EXPECT_EQ(0, millionths_of(cases[i].s, &v))
		{
			TH_LOG("'%s' refused", cases[i].s);
		}
		EXPECT_EQ(cases[i].v, v)
		{
			TH_LOG("'%s'", cases[i].s);
		}
	}
}

TEST(millionths_invalid)
{
	static const char *const bad[] = {
		"",
		"-",
		"+",
		".",
		"-.",
		"+.",
		"..5",
		".-5",
		"5.",
		"-5.",
		".0000001",
		"1.0000001",
		"0.0000000",
		"1e6",
		"0x10",
		" 1",
		"1 ",
		"1,5",
		"1.2.3",
		"--1",
		"+-1",
		"nan",
		"inf",
		"9223372036854.775808",
		"-9223372036854.775809",
		"9223372036855",
		"18446744073709.551616",
		"99999999999999999999999999",
		"-99999999999999999999999999.5",
		"1\n",
	};
	size_t i;
	int64_t v;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-1, millionths_of(bad[i], &v))
		{
			TH_LOG("'%s' accepted", bad[i]);
		}
		EXPECT_EQ(UNTOUCHED, v);
	}
	EXPECT_EQ(-1, millionths_of(NULL, &v));
}

TEST(millionths_format)
{
	static const struct {
		int64_t v;
		const char *s;
	} cases[] = {
		{0, "0"},
		{1, "0.000001"},
		{-1, "-0.000001"},
		{10, "0.00001"},
		{100000, "0.1"},
		{1000000, "1"},
		{-3000000, "-3"},
		{12500000, "12.5"},
		{123456654321LL, "123456.654321"},
		{-999999, "-0.999999"},
		{INT64_MAX, "9223372036854.775807"},
		{INT64_MIN, "-9223372036854.775808"},
		{INT64_MIN + 1, "-9223372036854.775807"},
		{9223372036854000000LL, "9223372036854"},
	};
	char out[GC_MILLIONTHS_STRLEN];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(out, 'x', sizeof(out));
		gc_format_millionths(cases[i].v, out);
		EXPECT_STREQ(cases[i].s, out);
	}
}

TEST(millionths_round_trip)
{
	char out[GC_MILLIONTHS_STRLEN];
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	int64_t v, back;
	int i;

	/* Values spread over the whole range, and small ones, exactly back. */
	for (i = 0; i < 100000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(&v, &x, sizeof(v));
		if (i % 2)
			v %= 100000000;
		gc_format_millionths(v, out);
		ASSERT_EQ(0, gc_parse_millionths(out, &back))
		{
			TH_LOG("'%s' refused", out);
		}
		ASSERT_EQ(v, back);
	}
}

/* ---- item ids ---- */

TEST(hex_ids)
{
	static const char lower[] =
		"00ff10a5b6c7d8e9f0123456789abcdef0123456789abcdef0123456789abcde";
	uint8_t id[32], again[32];
	char out[65];

	ASSERT_EQ(64, strlen(lower));
	ASSERT_EQ(0, gc_parse_hex(lower, id, sizeof(id)));
	EXPECT_EQ(0x00, id[0]);
	EXPECT_EQ(0xff, id[1]);
	EXPECT_EQ(0x10, id[2]);
	EXPECT_EQ(0xde, id[31]);
	gc_format_hex(id, sizeof(id), out);
	EXPECT_STREQ(lower, out);
	/* Upper case reads the same, and is printed lower. */
	ASSERT_EQ(0,
		  gc_parse_hex("00FF10A5B6C7D8E9F0123456789ABCDEF0123456789ABCDEF0123456789ABCDE",
			       again, sizeof(again)));
	EXPECT_EQ(0, memcmp(id, again, sizeof(id)));
}

TEST(hex_ids_invalid)
{
	static const char *const bad[] = {
		"",
		"00",
		"00ff10a5b6c7d8e9f0123456789abcdef0123456789abcdef0123456789abcd",
		"00ff10a5b6c7d8e9f0123456789abcdef0123456789abcdef0123456789abcdef",
		"g0ff10a5b6c7d8e9f0123456789abcdef0123456789abcdef0123456789abcde",
		"00ff10a5b6c7d8e9f0123456789abcdef0123456789abcdef0123456789abcd ",
		" 0ff10a5b6c7d8e9f0123456789abcdef0123456789abcdef0123456789abcde",
		"0xff10a5b6c7d8e9f0123456789abcdef0123456789abcdef0123456789abcde",
		"00ff10a5b6c7d8e9f0123456789abcdef0123456789abcdef0123456789abcd\n",
	};
	uint8_t id[32];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(id, 0x5a, sizeof(id));
		EXPECT_EQ(-1, gc_parse_hex(bad[i], id, sizeof(id)))
		{
			TH_LOG("'%s' accepted", bad[i]);
		}
		/* Nothing written on failure. */
		EXPECT_EQ(0x5a, id[0]);
		EXPECT_EQ(0x5a, id[31]);
	}
	EXPECT_EQ(-1, gc_parse_hex(NULL, id, sizeof(id)));
}

TEST_HARNESS_MAIN
