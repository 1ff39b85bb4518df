// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for daemon/signguard.c: a step is signed only after the last
 * one signed, the record survives a reopen (a restart), and a damaged
 * record stops gcd instead of being guessed at.
 */
#include "kselftest_harness.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "signguard.h"

FIXTURE(sg)
{
	char dir[64], path[128];
	struct signguard sg;
	char err[512];
};

FIXTURE_SETUP(sg)
{
	strcpy(self->dir, "/tmp/gc-sg-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->path, sizeof(self->path), "%s/%s", self->dir, SG_FILE);
	ASSERT_EQ(0, sg_open(&self->sg, self->dir, self->err, sizeof(self->err)));
}

FIXTURE_TEARDOWN(sg)
{
	sg_close(&self->sg);
	unlink(self->path);
	rmdir(self->dir);
}

TEST_F(sg, steps_only_go_forward)
{
	EXPECT_EQ(0, self->sg.height);
	EXPECT_TRUE(sg_sign(&self->sg, 5, 0, SG_PROPOSAL));
	EXPECT_TRUE(sg_sign(&self->sg, 5, 0, SG_PREVOTE));
	/* The same step again, an earlier one, an earlier round or height: no. */
	EXPECT_FALSE(sg_sign(&self->sg, 5, 0, SG_PREVOTE));
	EXPECT_FALSE(sg_sign(&self->sg, 5, 0, SG_PROPOSAL));
	EXPECT_TRUE(sg_sign(&self->sg, 5, 2, SG_PREVOTE));
	EXPECT_FALSE(sg_sign(&self->sg, 5, 1, SG_PRECOMMIT));
	EXPECT_FALSE(sg_sign(&self->sg, 4, 9, SG_PRECOMMIT));
	EXPECT_TRUE(sg_sign(&self->sg, 5, 2, SG_PRECOMMIT));
	EXPECT_TRUE(sg_sign(&self->sg, 6, 0, SG_PREVOTE));
	EXPECT_EQ(6, self->sg.height);
	EXPECT_EQ(0, self->sg.round);
	EXPECT_EQ(SG_PREVOTE, self->sg.step);
}

TEST_F(sg, survives_a_restart)
{
	struct signguard again;

	ASSERT_TRUE(sg_sign(&self->sg, 1000000007ULL, 7, SG_PRECOMMIT));
	sg_close(&self->sg);
	ASSERT_EQ(0, sg_open(&again, self->dir, self->err, sizeof(self->err)));
	EXPECT_EQ(1000000007ULL, again.height);
	EXPECT_EQ(7, again.round);
	EXPECT_EQ(SG_PRECOMMIT, again.step);
	EXPECT_FALSE(sg_sign(&again, 1000000007ULL, 7, SG_PRECOMMIT));
	EXPECT_TRUE(sg_sign(&again, 1000000007ULL, 8, SG_PROPOSAL));
	self->sg = again;
}

TEST_F(sg, damaged_record_is_an_error)
{
	struct signguard again;
	uint8_t b;
	int fd;

	ASSERT_TRUE(sg_sign(&self->sg, 3, 1, SG_PREVOTE));
	sg_close(&self->sg);
	fd = open(self->path, O_RDWR);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(1, pread(fd, &b, 1, 7));
	b ^= 1; /* height 3 becomes 2: the CRC no longer matches */
	ASSERT_EQ(1, pwrite(fd, &b, 1, 7));
	close(fd);
	EXPECT_EQ(-1, sg_open(&again, self->dir, self->err, sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "damaged"));
	/* A short file (a torn first write) too. */
	ASSERT_EQ(0, truncate(self->path, 5));
	EXPECT_EQ(-1, sg_open(&again, self->dir, self->err, sizeof(self->err)));
	self->sg.fd = -1;
}

TEST(unwritable_dir_fails_cleanly)
{
	struct signguard sg;
	char err[512];

	EXPECT_EQ(-1, sg_open(&sg, "/nonexistent/gc-sg", err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "sign_state"));
	EXPECT_FALSE(sg_sign(&sg, 1, 0, SG_PREVOTE));
}

TEST_HARNESS_MAIN
