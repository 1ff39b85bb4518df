// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for kmod/core/members.c: the member table, its open-addressing
 * index (backward-shift deletion, growth), the name arena (compaction) and
 * the per-state counts.
 */

#include "kselftest_harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/members.h"
#include "core/rand.h"

static const u8 key[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

static struct gc_addr addr_of(u32 i)
{
	struct gc_addr a;

	memset(&a, 0, sizeof(a));
	a.family = 4;
	a.ip[0] = 10;
	a.ip[1] = (u8)(i >> 16);
	a.ip[2] = (u8)(i >> 8);
	a.ip[3] = (u8)i;
	a.port = 7947;
	return a;
}

static u32 add(struct gc_members *t, const char *name)
{
	struct gc_addr a = addr_of((u32)strlen(name));

	return gc_members_add(t, name, (u8)strlen(name), GC_MEMBER_ALIVE, 0, &a, 1);
}

static u32 find(const struct gc_members *t, const char *name)
{
	return gc_members_find(t, name, (u8)strlen(name));
}

static bool slot_is(const struct gc_members *t, u32 slot, const char *name)
{
	return slot != GC_NONE && t->m[slot].name_len == strlen(name) &&
	       !memcmp(gc_member_name(t, slot), name, strlen(name));
}

/* Every occupied index position is reachable from its home bucket without
 * crossing an empty one, and every live slot is in the index exactly once.
 */
static bool index_consistent(const struct gc_members *t)
{
	u32 i, j, s, seen = 0;

	for (i = 0; i <= t->index_mask; i++) {
		u32 slot = t->index[i];

		if (slot == GC_NONE)
			continue;
		if (slot >= t->slots || t->m[slot].state == GC_MEMBER_FREE)
			return false;
		seen++;
		j = gc_members_hash(t, gc_member_name(t, slot), t->m[slot].name_len) &
		    t->index_mask;
		for (; j != i; j = (j + 1) & t->index_mask)
			if (t->index[j] == GC_NONE)
				return false;
	}
	for (s = 0; s < t->slots; s++) {
		if (t->m[s].state == GC_MEMBER_FREE)
			continue;
		if (gc_members_find(t, gc_member_name(t, s), t->m[s].name_len) != s)
			return false;
	}
	return seen == gc_members_total(t);
}

TEST(add_find_remove)
{
	struct gc_members t;
	struct gc_addr a = addr_of(5);
	u32 sa, sb, sc;

	ASSERT_EQ(0, gc_members_init(&t, key, 100));
	EXPECT_EQ(0, gc_members_total(&t));
	EXPECT_EQ(GC_NONE, find(&t, "a"));

	sa = gc_members_add(&t, "alpha", 5, GC_MEMBER_ALIVE, 3, &a, 1000);
	sb = add(&t, "beta");
	sc = gc_members_add(&t, "gamma", 5, GC_MEMBER_SUSPECT, 9, &a, 2000);
	ASSERT_NE(GC_NONE, sa);
	ASSERT_NE(GC_NONE, sb);
	ASSERT_NE(GC_NONE, sc);
	EXPECT_NE(sa, sb);
	EXPECT_NE(sb, sc);
	EXPECT_EQ(3, gc_members_total(&t));
	EXPECT_EQ(2, t.count[GC_MEMBER_ALIVE]);
	EXPECT_EQ(1, t.count[GC_MEMBER_SUSPECT]);

	EXPECT_EQ(sa, find(&t, "alpha"));
	EXPECT_EQ(sb, find(&t, "beta"));
	EXPECT_EQ(sc, find(&t, "gamma"));
	/* Prefixes and extensions of a name are other names. */
	EXPECT_EQ(GC_NONE, find(&t, "alph"));
	EXPECT_EQ(GC_NONE, find(&t, "alphaa"));
	EXPECT_EQ(GC_NONE, find(&t, "Alpha"));

	/* The record holds what was given. */
	EXPECT_TRUE(slot_is(&t, sa, "alpha"));
	EXPECT_EQ(GC_MEMBER_ALIVE, t.m[sa].state);
	EXPECT_EQ(3, t.m[sa].incarnation);
	EXPECT_TRUE(gc_addr_equal(&a, &t.m[sa].addr));
	EXPECT_EQ(1000, t.m[sa].state_change_us);
	EXPECT_EQ(GC_NONE, t.m[sa].bcast);
	EXPECT_EQ(GC_NONE, t.m[sa].suspicion);
	EXPECT_EQ(9, t.m[sc].incarnation);
	EXPECT_EQ(GC_MEMBER_SUSPECT, t.m[sc].state);

	gc_members_remove(&t, sb);
	EXPECT_EQ(GC_NONE, find(&t, "beta"));
	EXPECT_EQ(sa, find(&t, "alpha"));
	EXPECT_EQ(sc, find(&t, "gamma"));
	EXPECT_EQ(2, gc_members_total(&t));
	EXPECT_EQ(1, t.count[GC_MEMBER_ALIVE]);
	EXPECT_EQ(GC_MEMBER_FREE, t.m[sb].state);
	/* The freed slot is reused. */
	EXPECT_EQ(sb, add(&t, "delta"));
	EXPECT_TRUE(slot_is(&t, sb, "delta"));
	EXPECT_EQ(sb, find(&t, "delta"));
	EXPECT_EQ(GC_NONE, find(&t, "beta"));
	/* A removed name can come back. */
	sb = add(&t, "beta");
	EXPECT_EQ(sb, find(&t, "beta"));
	EXPECT_TRUE(index_consistent(&t));
	gc_members_destroy(&t);
}

/* Names whose home bucket in an index of mask + 1 positions is home. */
static int colliding_names(const struct gc_members *t, u32 home, int want, char names[][16])
{
	int n = 0, i;

	for (i = 0; n < want && i < 1000000; i++) {
		char buf[16];
		int len = snprintf(buf, sizeof(buf), "c%d", i);

		if ((gc_members_hash(t, buf, (u8)len) & t->index_mask) == home)
			strcpy(names[n++], buf);
	}
	return n;
}

/* One probe chain of 7 names in a 16-position index (it grows past 8),
 * every deletion order of a few patterns: the rest stay findable.
 */
static void chain_removal(struct __test_metadata *_metadata, u32 home, const int *order, int n)
{
	struct gc_members t;
	char names[8][16];
	u32 slots[8];
	int i, j;

	ASSERT_EQ(0, gc_members_init(&t, key, 100));
	ASSERT_EQ(15, t.index_mask);
	ASSERT_EQ(n, colliding_names(&t, home, n, names));
	for (i = 0; i < n; i++) {
		slots[i] = add(&t, names[i]);
		ASSERT_NE(GC_NONE, slots[i]);
	}
	ASSERT_EQ(15, t.index_mask);
	/* They sit one after another from home, wrapping at the end. */
	for (i = 0; i < n; i++)
		ASSERT_EQ(slots[i], t.index[(home + i) & 15]);
	for (i = 0; i < n; i++) {
		gc_members_remove(&t, slots[order[i]]);
		EXPECT_EQ(GC_NONE, find(&t, names[order[i]]));
		for (j = i + 1; j < n; j++)
			EXPECT_EQ(slots[order[j]], find(&t, names[order[j]]))
			{
				TH_LOG("home %u: %s lost after removing %s", home, names[order[j]],
				       names[order[i]]);
			}
		EXPECT_TRUE(index_consistent(&t));
	}
	EXPECT_EQ(0, gc_members_total(&t));
	for (i = 0; i < 16; i++)
		EXPECT_EQ(GC_NONE, t.index[i]);
	gc_members_destroy(&t);
}

TEST(backward_shift_deletion)
{
	static const int orders[][7] = {
		{0, 1, 2, 3, 4, 5, 6}, {6, 5, 4, 3, 2, 1, 0}, {3, 0, 6, 1, 5, 2, 4},
		{1, 3, 5, 0, 2, 4, 6}, {2, 6, 0, 4, 1, 3, 5},
	};
	u32 homes[] = {0, 5, 12, 13, 15};
	unsigned int h, o;

	/* Homes 12..15 make the chain wrap past the end of the index. */
	for (h = 0; h < sizeof(homes) / sizeof(homes[0]); h++)
		for (o = 0; o < sizeof(orders) / sizeof(orders[0]); o++)
			chain_removal(_metadata, homes[h], orders[o], 7);
}

/* Two interleaved chains: a name of home h + 1 displaced by the chain of
 * home h must move back when the h chain shrinks, but never before its home.
 */
TEST(backward_shift_two_chains)
{
	struct gc_members t;
	char a[4][16], b[4][16];
	u32 sa[4], sb[4];
	int i, j;
	u32 home;

	for (home = 13; home < 19; home++) {
		ASSERT_EQ(0, gc_members_init(&t, key, 100));
		ASSERT_EQ(3, colliding_names(&t, home & 15, 3, a));
		ASSERT_EQ(3, colliding_names(&t, (home + 1) & 15, 3, b));
		/* a0 b0 a1 b1 a2 b2: chains mixed in one run. */
		for (i = 0; i < 3; i++) {
			sa[i] = add(&t, a[i]);
			sb[i] = add(&t, b[i]);
		}
		ASSERT_TRUE(index_consistent(&t));
		for (i = 0; i < 3; i++) {
			gc_members_remove(&t, sa[i]);
			ASSERT_TRUE(index_consistent(&t));
			for (j = 0; j < 3; j++)
				EXPECT_EQ(sb[j], find(&t, b[j]));
			for (j = i + 1; j < 3; j++)
				EXPECT_EQ(sa[j], find(&t, a[j]));
		}
		/* The b chain now starts at its own home. */
		EXPECT_EQ(sb[0], t.index[(home + 1) & 15]);
		gc_members_destroy(&t);
	}
}

/* Adds and removes at random against a model, checking every name each
 * step.
 */
TEST(random_add_remove_against_model)
{
	enum { N = 600 };
	struct gc_members t;
	struct gc_rand r;
	static char names[N][24];
	static u32 slot[N];
	static bool present[N];
	u32 total = 0, step, i;

	ASSERT_EQ(0, gc_members_init(&t, key, 1000));
	gc_rand_seed(&r, 42);
	for (i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "m%u-%.*s", i, (int)(i % 17),
			 "xxxxxxxxxxxxxxxxx");
		present[i] = false;
	}
	for (step = 0; step < 6000; step++) {
		i = gc_rand_below(&r, N);
		if (present[i]) {
			gc_members_remove(&t, slot[i]);
			present[i] = false;
			total--;
		} else {
			slot[i] = add(&t, names[i]);
			ASSERT_NE(GC_NONE, slot[i]);
			present[i] = true;
			total++;
		}
		ASSERT_EQ(total, gc_members_total(&t));
		if (step % 97 == 0 || step > 5900) {
			u32 k;

			for (k = 0; k < N; k++) {
				u32 s = find(&t, names[k]);

				if (present[k]) {
					ASSERT_EQ(slot[k], s)
					{
						TH_LOG("step %u: %s", step, names[k]);
					}
					ASSERT_TRUE(slot_is(&t, s, names[k]));
				} else {
					ASSERT_EQ(GC_NONE, s);
				}
			}
			ASSERT_TRUE(index_consistent(&t));
			/* The index stays at most half full. */
			ASSERT_LE(2 * gc_members_total(&t), t.index_mask + 1);
		}
	}
	gc_members_destroy(&t);
}

TEST(many_adds_grow_the_index)
{
	enum { N = 5000 };
	struct gc_members t;
	char name[32];
	u32 i, s, mask_before = 0, grows = 0;

	ASSERT_EQ(0, gc_members_init(&t, key, 100000));
	for (i = 0; i < N; i++) {
		int len = snprintf(name, sizeof(name), "node-%u.example", i);

		mask_before = t.index_mask;
		s = gc_members_add(&t, name, (u8)len, GC_MEMBER_ALIVE, i, &(struct gc_addr){0}, i);
		ASSERT_NE(GC_NONE, s);
		if (t.index_mask != mask_before) {
			grows++;
			/* Doubles, and stays a power of two minus one. */
			EXPECT_EQ(2 * mask_before + 1, t.index_mask);
		}
		ASSERT_LE(2 * gc_members_total(&t), t.index_mask + 1);
	}
	/* 16 -> 16384 positions for 5000 members. */
	EXPECT_EQ(16383, t.index_mask);
	EXPECT_EQ(10, grows);
	EXPECT_GE(t.cap, N);
	for (i = 0; i < N; i++) {
		int len = snprintf(name, sizeof(name), "node-%u.example", i);

		s = gc_members_find(&t, name, (u8)len);
		ASSERT_NE(GC_NONE, s);
		EXPECT_EQ(i, t.m[s].incarnation);
	}
	EXPECT_TRUE(index_consistent(&t));
	EXPECT_EQ(N, t.count[GC_MEMBER_ALIVE]);
	gc_members_destroy(&t);
}

TEST(name_arena_compaction)
{
	enum { N = 1000 };
	struct gc_members t;
	static u32 slot[N];
	char name[64];
	u32 i, round, peak_cap = 0;

	ASSERT_EQ(0, gc_members_init(&t, key, 100000));
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "first-generation-member-%u", i);
		slot[i] = add(&t, name);
		ASSERT_NE(GC_NONE, slot[i]);
	}
	/* Remove 900: their names are dead bytes of the arena. */
	for (i = 0; i < 900; i++)
		gc_members_remove(&t, slot[i]);
	EXPECT_GT(t.names_dead, t.names_len / 2);
	/* New members fill the free slots and trigger a compaction. */
	for (i = 0; i < 900; i++) {
		snprintf(name, sizeof(name), "second-%u", i);
		slot[i] = add(&t, name);
		ASSERT_NE(GC_NONE, slot[i]);
	}
	EXPECT_LT(t.names_dead, t.names_len / 2);
	for (i = 0; i < N; i++) {
		if (i < 900)
			snprintf(name, sizeof(name), "second-%u", i);
		else
			snprintf(name, sizeof(name), "first-generation-member-%u", i);
		ASSERT_EQ(slot[i], find(&t, name))
		{
			TH_LOG("%s", name);
		}
		ASSERT_TRUE(slot_is(&t, slot[i], name));
	}
	EXPECT_TRUE(index_consistent(&t));

	/* Churn with a constant live set: the arena stays bounded. */
	for (round = 0; round < 50; round++) {
		for (i = 0; i < N; i++) {
			gc_members_remove(&t, slot[i]);
			snprintf(name, sizeof(name), "r%u-member-%u", round, i);
			slot[i] = add(&t, name);
			ASSERT_NE(GC_NONE, slot[i]);
		}
		if (t.names_cap > peak_cap)
			peak_cap = t.names_cap;
	}
	/* Live names are about 15 bytes each: 15 kB, with room to grow. */
	EXPECT_LT(peak_cap, 8 * 16 * N);
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "r49-member-%u", i);
		ASSERT_TRUE(slot_is(&t, find(&t, name), name));
	}
	EXPECT_TRUE(index_consistent(&t));
	EXPECT_EQ(N, gc_members_total(&t));
	gc_members_destroy(&t);
}

TEST(max_bound)
{
	struct gc_members t;
	char name[16];
	u32 i, s[10];

	ASSERT_EQ(0, gc_members_init(&t, key, 10));
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "n%u", i);
		s[i] = add(&t, name);
		ASSERT_NE(GC_NONE, s[i]);
	}
	EXPECT_EQ(GC_NONE, add(&t, "one-too-many"));
	EXPECT_EQ(GC_NONE, find(&t, "one-too-many"));
	EXPECT_EQ(10, gc_members_total(&t));
	EXPECT_LE(t.cap, 10);
	/* A removal makes room for exactly one. */
	gc_members_remove(&t, s[3]);
	EXPECT_EQ(s[3], add(&t, "one-too-many"));
	EXPECT_EQ(GC_NONE, add(&t, "n3"));
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "n%u", i);
		EXPECT_EQ(i == 3 ? GC_NONE : s[i], find(&t, name));
	}
	gc_members_destroy(&t);

	/* A bound above the first allocation: the capacity stops at it. */
	ASSERT_EQ(0, gc_members_init(&t, key, 20));
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "n%u", i);
		ASSERT_NE(GC_NONE, add(&t, name));
	}
	EXPECT_EQ(GC_NONE, add(&t, "x"));
	EXPECT_EQ(20, t.cap);
	gc_members_destroy(&t);
}

TEST(set_state_counts)
{
	struct gc_members t;
	u32 a, b, c;

	ASSERT_EQ(0, gc_members_init(&t, key, 100));
	a = add(&t, "a");
	b = add(&t, "b");
	c = add(&t, "c");
	EXPECT_EQ(3, t.count[GC_MEMBER_ALIVE]);

	gc_members_set_state(&t, a, GC_MEMBER_SUSPECT, 500);
	EXPECT_EQ(2, t.count[GC_MEMBER_ALIVE]);
	EXPECT_EQ(1, t.count[GC_MEMBER_SUSPECT]);
	EXPECT_EQ(GC_MEMBER_SUSPECT, t.m[a].state);
	EXPECT_EQ(500, t.m[a].state_change_us);

	gc_members_set_state(&t, a, GC_MEMBER_DEAD, 600);
	gc_members_set_state(&t, b, GC_MEMBER_LEFT, 700);
	EXPECT_EQ(1, t.count[GC_MEMBER_ALIVE]);
	EXPECT_EQ(0, t.count[GC_MEMBER_SUSPECT]);
	EXPECT_EQ(1, t.count[GC_MEMBER_DEAD]);
	EXPECT_EQ(1, t.count[GC_MEMBER_LEFT]);
	EXPECT_EQ(600, t.m[a].state_change_us);
	EXPECT_EQ(700, t.m[b].state_change_us);

	/* Back to alive, and the same state again keeps the counts. */
	gc_members_set_state(&t, a, GC_MEMBER_ALIVE, 800);
	gc_members_set_state(&t, c, GC_MEMBER_ALIVE, 900);
	EXPECT_EQ(2, t.count[GC_MEMBER_ALIVE]);
	EXPECT_EQ(0, t.count[GC_MEMBER_DEAD]);
	EXPECT_EQ(900, t.m[c].state_change_us);

	/* Removal takes the member off its state's count. */
	gc_members_remove(&t, b);
	EXPECT_EQ(0, t.count[GC_MEMBER_LEFT]);
	gc_members_remove(&t, a);
	EXPECT_EQ(1, t.count[GC_MEMBER_ALIVE]);
	EXPECT_EQ(1, gc_members_total(&t));
	gc_members_destroy(&t);
}

TEST(reserve_sizes_the_table_in_one_step)
{
	struct gc_members t;
	const struct gc_member *m;
	const char *names;
	const u32 *index;
	char name[32];
	u32 i;

	ASSERT_EQ(0, gc_members_init(&t, key, 100000));
	ASSERT_EQ(0, gc_members_reserve(&t, 1000, 1000 * 12));
	EXPECT_GE(t.cap, 1000);
	EXPECT_GE(t.names_cap, 1000 * 12);
	EXPECT_GE(t.index_mask + 1, 2 * 1001);
	m = t.m;
	names = t.names;
	index = t.index;
	/* 1000 adds of names up to 12 bytes: nothing moves. */
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "rsv-%u", i);
		ASSERT_NE(GC_NONE, add(&t, name));
	}
	EXPECT_EQ(m, t.m);
	EXPECT_EQ(names, t.names);
	EXPECT_EQ(index, t.index);
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "rsv-%u", i);
		ASSERT_TRUE(slot_is(&t, find(&t, name), name));
	}
	EXPECT_TRUE(index_consistent(&t));
	/* Reserving less than there is changes nothing. */
	ASSERT_EQ(0, gc_members_reserve(&t, 10, 0));
	EXPECT_EQ(m, t.m);
	EXPECT_EQ(1000, gc_members_total(&t));
	gc_members_destroy(&t);

	/* Never beyond the bound. */
	ASSERT_EQ(0, gc_members_init(&t, key, 50));
	ASSERT_EQ(0, gc_members_reserve(&t, 1000000, 64));
	EXPECT_LE(t.cap, 50);
	EXPECT_LE(t.index_mask + 1, 128);
	for (i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "n%u", i);
		ASSERT_NE(GC_NONE, add(&t, name));
	}
	EXPECT_EQ(GC_NONE, add(&t, "full"));
	EXPECT_TRUE(index_consistent(&t));
	gc_members_destroy(&t);
}

TEST(hash_is_keyed)
{
	struct gc_members t1, t2;
	static const u8 key2[16] = {99};
	int i, differ = 0;
	char name[16];

	ASSERT_EQ(0, gc_members_init(&t1, key, 10));
	ASSERT_EQ(0, gc_members_init(&t2, key2, 10));
	for (i = 0; i < 32; i++) {
		int len = snprintf(name, sizeof(name), "n%d", i);

		EXPECT_EQ(gc_members_hash(&t1, name, (u8)len), gc_members_hash(&t1, name, (u8)len));
		differ +=
			gc_members_hash(&t1, name, (u8)len) != gc_members_hash(&t2, name, (u8)len);
	}
	EXPECT_GE(differ, 30);
	gc_members_destroy(&t1);
	gc_members_destroy(&t2);
}

TEST_HARNESS_MAIN
