// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for daemon/backlog.c: messages come back by height, oldest
 * first; decided heights are freed unread; the bounds drop the farthest
 * height first; nothing leaks (ASan).
 */
#include "kselftest_harness.h"

#include <stdlib.h>
#include <string.h>

#include "backlog.h"

static int freed;

static void free_msg(void *m)
{
	freed++;
	free(m);
}

struct got {
	uint64_t v[BACKLOG_MAX + 8];
	size_t n;
};

static void take(void *ctx, void *m)
{
	struct got *g = ctx;

	g->v[g->n++] = *(uint64_t *)m;
	free(m);
}

static void *msg(uint64_t v)
{
	uint64_t *p = malloc(sizeof(*p));

	*p = v;
	return p;
}

TEST(by_height_oldest_first)
{
	struct backlog b;
	static struct got g;

	freed = 0;
	g.n = 0;
	ASSERT_EQ(0, backlog_init(&b, free_msg));
	backlog_add(&b, 7, 10, msg(71));
	backlog_add(&b, 5, 10, msg(51));
	backlog_add(&b, 9, 10, msg(91));
	backlog_add(&b, 5, 10, msg(52));
	backlog_add(&b, 3, 10, msg(31));
	/* Height 6 starts: 5 and under are decided, 6 and 7 are wanted. */
	backlog_take(&b, 6, 7, take, &g);
	ASSERT_EQ(1, g.n);
	EXPECT_EQ(71, g.v[0]);
	EXPECT_EQ(3, freed); /* 51, 52, 31 */
	EXPECT_EQ(1, b.n);
	EXPECT_EQ(10, b.bytes);
	backlog_take(&b, 9, 10, take, &g);
	EXPECT_EQ(91, g.v[1]);
	EXPECT_EQ(0, b.n);
	EXPECT_EQ(0, b.bytes);
	backlog_free(&b);
}

TEST(full_drops_the_farthest)
{
	struct backlog b;
	static struct got g;
	uint64_t i;

	freed = 0;
	g.n = 0;
	ASSERT_EQ(0, backlog_init(&b, free_msg));
	for (i = 0; i < BACKLOG_MAX; i++)
		backlog_add(&b, 100 + i % 10, 1, msg(i));
	EXPECT_EQ(BACKLOG_MAX, b.n);
	/* A nearer one pushes out one of height 109. */
	backlog_add(&b, 50, 1, msg(999999));
	EXPECT_EQ(BACKLOG_MAX, b.n);
	EXPECT_EQ(1, b.dropped);
	/* A farther one is itself dropped. */
	backlog_add(&b, 500, 1, msg(888888));
	EXPECT_EQ(2, b.dropped);
	EXPECT_EQ(2, freed);
	backlog_take(&b, 0, 50, take, &g);
	ASSERT_EQ(1, g.n);
	EXPECT_EQ(999999, g.v[0]);
	/* Bytes: one too big for the whole backlog never gets in. */
	backlog_add(&b, 101, BACKLOG_MAX_BYTES + 1, msg(1));
	EXPECT_EQ(3, b.dropped);
	backlog_free(&b);
	EXPECT_EQ(BACKLOG_MAX + 2, freed);
}

TEST(byte_bound)
{
	struct backlog b;

	freed = 0;
	ASSERT_EQ(0, backlog_init(&b, free_msg));
	backlog_add(&b, 10, BACKLOG_MAX_BYTES / 2, msg(1));
	backlog_add(&b, 20, BACKLOG_MAX_BYTES / 2, msg(2));
	backlog_add(&b, 5, 100, msg(3)); /* height 20 makes room */
	EXPECT_EQ(2, b.n);
	EXPECT_EQ(BACKLOG_MAX_BYTES / 2 + 100, b.bytes);
	EXPECT_EQ(1, freed);
	backlog_free(&b);
	EXPECT_EQ(3, freed);
}

TEST_HARNESS_MAIN
