// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for kmod/core/broadcast.c: the rumor queue. One rumor per
 * member, newest replacing older; a packet is filled least sent first and,
 * among those, newest first; a rumor leaves after `limit` transmissions;
 * a full packet or a full queue bounds what is taken or kept.
 */

#include "kselftest_harness.h"

#include <stdio.h>
#include <string.h>

#include "core/broadcast.h"
#include "core/rand.h"

#define NMEMB 200
/* An ALIVE about a 2-character name with an IPv4 address. */
#define ALIVE2_LEN (GC_MSG_HDR_LEN + 4 + 1 + 2 + 7)

static const u8 key[16] = {7};

struct fixture {
	struct gc_members t;
	struct gc_bqueue q;
	u32 slot[NMEMB];
	char names[NMEMB][8];
};

/* Members m0..m9 have 2-character names, so their ALIVEs are all the same
 * size; then m10..
 */
static void setup(struct fixture *f, u32 qmax)
{
	struct gc_addr a;
	u32 i;

	memset(&a, 0, sizeof(a));
	a.family = 4;
	a.ip[0] = 10;
	a.port = 7000;
	gc_members_init(&f->t, key, 1000);
	gc_bqueue_init(&f->q, qmax);
	for (i = 0; i < NMEMB; i++) {
		int len = snprintf(f->names[i], sizeof(f->names[i]), "m%u", i);

		a.ip[3] = (u8)i;
		f->slot[i] = gc_members_add(&f->t, f->names[i], (u8)len, GC_MEMBER_ALIVE, i, &a, 0);
	}
}

static void teardown(struct fixture *f)
{
	gc_bqueue_destroy(&f->q);
	gc_members_destroy(&f->t);
}

static int put(struct fixture *f, u32 i, u8 type, const char *from)
{
	return gc_bqueue_put(&f->q, &f->t, f->slot[i], type, from, from ? (u8)strlen(from) : 0);
}

struct decoded {
	u8 type;
	u32 inc;
	int member; /* index in names, -1 when unknown */
	char from[GC_NODE_NAME_MAX];
};

/* Fills a buffer of cap bytes and decodes what went in. */
static u32 fill(struct fixture *f, size_t cap, u32 limit, struct decoded *out, u32 max_out,
		u32 *returned)
{
	static u8 buf[16384];
	struct gc_wbuf b = {.p = buf, .cap = cap};
	size_t off = 0;
	u32 n = 0;

	*returned = gc_bqueue_fill(&f->q, &f->t, &b, limit);
	while (off < b.len && n < max_out) {
		struct gc_msg m;
		u32 i;

		if (gc_decode_msg(buf, b.len, &off, &m) != GC_WIRE_OK)
			return 0xffffffff;
		out[n].type = m.type;
		out[n].inc = m.incarnation;
		out[n].member = -1;
		out[n].from[0] = 0;
		for (i = 0; i < NMEMB; i++)
			if (m.name.len == strlen(f->names[i]) &&
			    !memcmp(m.name.p, f->names[i], m.name.len))
				out[n].member = (int)i;
		if (m.type != GC_MSG_ALIVE) {
			memcpy(out[n].from, m.from.p, m.from.len);
			out[n].from[m.from.len] = 0;
		}
		n++;
	}
	return off == b.len ? n : 0xffffffff;
}

TEST(one_rumor_per_member)
{
	static struct fixture f;
	struct decoded d[8];
	u32 r, i;

	setup(&f, 100);
	ASSERT_EQ(0, put(&f, 1, GC_MSG_ALIVE, NULL));
	EXPECT_EQ(1, f.q.len);
	EXPECT_NE(GC_NONE, f.t.m[f.slot[1]].bcast);
	ASSERT_EQ(0, put(&f, 1, GC_MSG_SUSPECT, "accuser"));
	EXPECT_EQ(1, f.q.len);
	/* The rumor carries the member's incarnation at the time it is sent. */
	f.t.m[f.slot[1]].incarnation = 77;
	ASSERT_EQ(1, fill(&f, 1400, 4, d, 8, &r));
	EXPECT_EQ(1, r);
	EXPECT_EQ(GC_MSG_SUSPECT, d[0].type);
	EXPECT_EQ(1, d[0].member);
	EXPECT_EQ(77, d[0].inc);
	EXPECT_STREQ("accuser", d[0].from);

	/* DEAD replaces SUSPECT, with its own accuser. */
	ASSERT_EQ(0, put(&f, 1, GC_MSG_DEAD, "m1"));
	EXPECT_EQ(1, f.q.len);
	ASSERT_EQ(1, fill(&f, 1400, 4, d, 8, &r));
	EXPECT_EQ(GC_MSG_DEAD, d[0].type);
	EXPECT_STREQ("m1", d[0].from);

	/* Many replacements reuse the accusers' pool. */
	for (i = 0; i < 1000; i++)
		ASSERT_EQ(0, put(&f, 1, i % 2 ? GC_MSG_SUSPECT : GC_MSG_DEAD, "someone"));
	EXPECT_EQ(1, f.q.len);
	EXPECT_LE(f.q.from_used, 2);
	/* Back to ALIVE: no accuser. */
	ASSERT_EQ(0, put(&f, 1, GC_MSG_ALIVE, NULL));
	ASSERT_EQ(1, fill(&f, 1400, 4, d, 8, &r));
	EXPECT_EQ(GC_MSG_ALIVE, d[0].type);
	teardown(&f);
}

TEST(newest_first)
{
	static struct fixture f;
	struct decoded d[16];
	u32 r, i;

	setup(&f, 100);
	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, put(&f, i, GC_MSG_ALIVE, NULL));
	ASSERT_EQ(5, fill(&f, 1400, 10, d, 16, &r));
	EXPECT_EQ(5, r);
	for (i = 0; i < 5; i++) {
		EXPECT_EQ(4 - (int)i, d[i].member);
		EXPECT_EQ(4 - i, d[i].inc);
	}
	/* A replaced rumor counts as new again. */
	ASSERT_EQ(0, put(&f, 0, GC_MSG_SUSPECT, "x"));
	ASSERT_EQ(5, fill(&f, 1400, 10, d, 16, &r));
	EXPECT_EQ(0, d[0].member);
	EXPECT_EQ(GC_MSG_SUSPECT, d[0].type);
	teardown(&f);
}

/* One rumor per packet: each fill must take a rumor sent the fewest times,
 * and among never-sent ones the newest.
 */
TEST(least_transmitted_first)
{
	static struct fixture f;
	struct decoded d[4];
	u32 sent[10] = {0}, queued[10], r, i, k, step, clock = 0, unsent_choices = 0;
	bool in[10] = {0};
	struct gc_rand rnd;
	const u32 limit = 6;

	setup(&f, 100);
	gc_rand_seed(&rnd, 1);
	for (step = 0; step < 400; step++) {
		u32 min = 0xffffffff, newest = 0, want_newest = 0xffffffff;

		/* 0 to 2 new (or newer) rumors about m0..m9 per packet. */
		for (k = gc_rand_below(&rnd, 3); k > 0; k--) {
			i = gc_rand_below(&rnd, 10);
			ASSERT_EQ(0, put(&f, i, GC_MSG_ALIVE, NULL));
			in[i] = true;
			sent[i] = 0;
			queued[i] = ++clock;
		}
		for (i = 0; i < 10; i++) {
			if (in[i] && sent[i] < min)
				min = sent[i];
		}
		for (i = 0; i < 10; i++) {
			if (in[i] && sent[i] == 0 && queued[i] > newest) {
				newest = queued[i];
				want_newest = i;
			}
		}
		ASSERT_EQ(min == 0xffffffff ? 0 : 1, fill(&f, ALIVE2_LEN, limit, d, 4, &r));
		if (min == 0xffffffff) {
			EXPECT_EQ(0, f.q.len);
			continue;
		}
		i = (u32)d[0].member;
		ASSERT_LT(i, 10);
		ASSERT_TRUE(in[i]);
		EXPECT_EQ(min, sent[i])
		{
			TH_LOG("step %u: took m%u sent %u times, least is %u", step, i, sent[i],
			       min);
		}
		if (min == 0) {
			EXPECT_EQ(want_newest, i);
			for (k = 0; k < 10; k++)
				unsent_choices += k != i && in[k] && sent[k] == 0;
		}
		if (++sent[i] == limit)
			in[i] = false;
		/* The queue holds exactly the rumors not yet sent limit times. */
		{
			u32 n = 0;

			for (k = 0; k < 10; k++) {
				n += in[k];
				EXPECT_EQ(in[k], f.t.m[f.slot[k]].bcast != GC_NONE);
			}
			EXPECT_EQ(n, f.q.len);
		}
	}
	/* The newest-first rule was exercised: other unsent rumors waited. */
	EXPECT_GT(unsent_choices, 50);
	teardown(&f);
}

TEST(leaves_after_limit_transmissions)
{
	static struct fixture f;
	struct decoded d[4];
	u32 r, k, limit;

	setup(&f, 100);
	for (limit = 1; limit <= 8; limit++) {
		ASSERT_EQ(0, put(&f, 3, GC_MSG_ALIVE, NULL));
		for (k = 0; k < limit; k++) {
			ASSERT_EQ(1, fill(&f, 1400, limit, d, 4, &r));
			EXPECT_EQ(3, d[0].member);
			EXPECT_EQ(k + 1 < limit ? 1 : 0, f.q.len);
		}
		EXPECT_EQ(0, fill(&f, 1400, limit, d, 4, &r));
		EXPECT_EQ(0, r);
		EXPECT_EQ(0, f.q.len);
		EXPECT_EQ(GC_NONE, f.t.m[f.slot[3]].bcast);
	}

	/* A new state restarts the count. */
	ASSERT_EQ(0, put(&f, 4, GC_MSG_ALIVE, NULL));
	ASSERT_EQ(1, fill(&f, 1400, 3, d, 4, &r));
	ASSERT_EQ(1, fill(&f, 1400, 3, d, 4, &r));
	ASSERT_EQ(0, put(&f, 4, GC_MSG_SUSPECT, "z"));
	for (k = 0; k < 3; k++)
		ASSERT_EQ(1, fill(&f, 1400, 3, d, 4, &r));
	EXPECT_EQ(0, f.q.len);

	/* The cluster shrank: rumors already sent as often as the new, lower
	 * limit allows leave instead of lingering unsent.
	 */
	ASSERT_EQ(0, put(&f, 5, GC_MSG_ALIVE, NULL));
	for (k = 0; k < 3; k++)
		ASSERT_EQ(1, fill(&f, 1400, 8, d, 4, &r));
	EXPECT_EQ(1, f.q.len);
	EXPECT_EQ(0, fill(&f, 1400, 2, d, 4, &r));
	EXPECT_EQ(0, f.q.len);
	EXPECT_EQ(GC_NONE, f.t.m[f.slot[5]].bcast);

	/* Limit 0 sends nothing, and keeps nothing. */
	ASSERT_EQ(0, put(&f, 6, GC_MSG_ALIVE, NULL));
	EXPECT_EQ(0, fill(&f, 1400, 0, d, 4, &r));
	EXPECT_EQ(0, f.q.len);
	teardown(&f);
}

TEST(fill_stops_at_capacity)
{
	static struct fixture f;
	struct decoded d[80];
	u32 r, i, firsts[3];
	u8 buf[64];

	setup(&f, 1000);
	for (i = 0; i < 10; i++)
		ASSERT_EQ(0, put(&f, i, GC_MSG_ALIVE, NULL));
	/* Room for 3 and a half. */
	ASSERT_EQ(3, fill(&f, 3 * ALIVE2_LEN + ALIVE2_LEN / 2, 10, d, 80, &r));
	EXPECT_EQ(3, r);
	EXPECT_EQ(10, f.q.len);
	for (i = 0; i < 3; i++)
		firsts[i] = (u32)d[i].member;
	/* The 7 not sent come before the 3 sent once. */
	ASSERT_EQ(10, fill(&f, 1400, 10, d, 80, &r));
	for (i = 7; i < 10; i++)
		EXPECT_TRUE(d[i].member == (int)firsts[0] || d[i].member == (int)firsts[1] ||
			    d[i].member == (int)firsts[2]);

	/* The buffer is never overrun, and a put left no overflow behind. */
	{
		struct gc_wbuf b = {.p = buf, .cap = 40};

		memset(buf, 0xee, sizeof(buf));
		EXPECT_EQ(2, gc_bqueue_fill(&f.q, &f.t, &b, 10));
		EXPECT_EQ(2 * ALIVE2_LEN, b.len);
		EXPECT_FALSE(b.overflow);
		for (i = 40; i < sizeof(buf); i++)
			EXPECT_EQ(0xee, buf[i]);
	}

	/* At most 64 rumors per fill, however large the buffer. */
	for (i = 0; i < 100; i++)
		ASSERT_EQ(0, put(&f, 100 + i, GC_MSG_ALIVE, NULL));
	ASSERT_EQ(64, fill(&f, 9000, 10, d, 80, &r));
	EXPECT_EQ(64, r);
	teardown(&f);
}

TEST(smaller_rumor_fits_after_a_larger_miss)
{
	static struct fixture f;
	struct decoded d[4];
	u32 r;

	setup(&f, 100);
	/* m1 (small, older), then m150 with a long accuser (newest). */
	ASSERT_EQ(0, put(&f, 1, GC_MSG_ALIVE, NULL));
	ASSERT_EQ(0, put(&f, 150, GC_MSG_SUSPECT,
			 "a-very-long-accuser-name-that-does-not-fit-in-the-packet"));
	ASSERT_EQ(1, fill(&f, ALIVE2_LEN + 5, 4, d, 4, &r));
	EXPECT_EQ(1, d[0].member);
	EXPECT_EQ(2, f.q.len);
	teardown(&f);
}

TEST(drop_member)
{
	static struct fixture f;
	struct decoded d[8];
	u32 r;

	setup(&f, 100);
	ASSERT_EQ(0, put(&f, 0, GC_MSG_SUSPECT, "acc"));
	ASSERT_EQ(0, put(&f, 1, GC_MSG_ALIVE, NULL));
	gc_bqueue_drop_member(&f.q, &f.t, f.slot[0]);
	EXPECT_EQ(1, f.q.len);
	EXPECT_EQ(GC_NONE, f.t.m[f.slot[0]].bcast);
	/* Its accuser's name went back to the pool. */
	EXPECT_NE(GC_NONE, f.q.from_free);
	/* Again, and for a member without a rumor: nothing happens. */
	gc_bqueue_drop_member(&f.q, &f.t, f.slot[0]);
	gc_bqueue_drop_member(&f.q, &f.t, f.slot[5]);
	EXPECT_EQ(1, f.q.len);
	ASSERT_EQ(1, fill(&f, 1400, 4, d, 8, &r));
	EXPECT_EQ(1, d[0].member);
	/* The freed entry is reused. */
	ASSERT_EQ(0, put(&f, 2, GC_MSG_DEAD, "acc2"));
	EXPECT_EQ(2, f.q.len);
	EXPECT_LE(f.q.used, 2);
	ASSERT_EQ(2, fill(&f, 1400, 4, d, 8, &r));
	EXPECT_EQ(2, d[0].member);
	EXPECT_STREQ("acc2", d[0].from);
	teardown(&f);
}

TEST(full_queue_drops_oldest_of_most_sent)
{
	static struct fixture f;
	struct decoded d[8];
	u32 r;

	setup(&f, 3);
	ASSERT_EQ(0, put(&f, 0, GC_MSG_ALIVE, NULL));
	ASSERT_EQ(0, put(&f, 1, GC_MSG_ALIVE, NULL));
	ASSERT_EQ(0, put(&f, 2, GC_MSG_ALIVE, NULL));
	/* All unsent: the oldest (m0) goes. */
	ASSERT_EQ(0, put(&f, 3, GC_MSG_ALIVE, NULL));
	EXPECT_EQ(3, f.q.len);
	EXPECT_EQ(1, f.q.dropped);
	EXPECT_EQ(GC_NONE, f.t.m[f.slot[0]].bcast);
	/* Send m3 once (newest): it is now the most sent, and goes next. */
	ASSERT_EQ(1, fill(&f, ALIVE2_LEN, 10, d, 8, &r));
	EXPECT_EQ(3, d[0].member);
	ASSERT_EQ(0, put(&f, 4, GC_MSG_ALIVE, NULL));
	EXPECT_EQ(3, f.q.len);
	EXPECT_EQ(2, f.q.dropped);
	EXPECT_EQ(GC_NONE, f.t.m[f.slot[3]].bcast);
	EXPECT_NE(GC_NONE, f.t.m[f.slot[1]].bcast);
	EXPECT_NE(GC_NONE, f.t.m[f.slot[2]].bcast);
	EXPECT_NE(GC_NONE, f.t.m[f.slot[4]].bcast);
	/* Replacing a queued rumor needs no room. */
	ASSERT_EQ(0, put(&f, 1, GC_MSG_SUSPECT, "s"));
	EXPECT_EQ(2, f.q.dropped);
	ASSERT_EQ(3, fill(&f, 1400, 10, d, 8, &r));
	EXPECT_EQ(1, d[0].member);
	teardown(&f);

	/* A queue bounded at 0 takes nothing. */
	setup(&f, 0);
	EXPECT_EQ(-1, put(&f, 0, GC_MSG_ALIVE, NULL));
	EXPECT_EQ(0, f.q.len);
	EXPECT_EQ(GC_NONE, f.t.m[f.slot[0]].bcast);
	teardown(&f);
}

TEST_HARNESS_MAIN
