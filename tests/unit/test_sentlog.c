// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for daemon/sentlog.c: a record comes back for its height only;
 * a newer one replaces it; a torn or damaged record is ignored, never
 * trusted; kinds are separate files.
 */
#include "kselftest_harness.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sentlog.h"
#include "tmpdir.h"

TEST(save_load_by_height_and_kind)
{
	char tmpl[] = "/tmp/gcd-sentlog-XXXXXX", *dir = tmpdir_make(tmpl), err[256];
	uint8_t buf[64];
	struct sentlog sl;

	ASSERT_NE(NULL, dir);
	ASSERT_EQ(0, sl_open(&sl, dir, err, sizeof(err)));
	ASSERT_EQ(0, sl_load(&sl, 1, 7, buf, sizeof(buf))); /* nothing yet */
	ASSERT_EQ(0, sl_save(&sl, 1, 7, (const uint8_t *)"prevote-7", 9));
	ASSERT_EQ(9, sl_load(&sl, 1, 7, buf, sizeof(buf)));
	ASSERT_EQ(0, memcmp(buf, "prevote-7", 9));
	ASSERT_EQ(0, sl_load(&sl, 1, 8, buf, sizeof(buf))); /* another height */
	ASSERT_EQ(0, sl_load(&sl, 2, 7, buf, sizeof(buf))); /* another kind */
	ASSERT_EQ(0, sl_load(&sl, 1, 7, buf, 4));	    /* no room */
	/* A newer, shorter one replaces it. */
	ASSERT_EQ(0, sl_save(&sl, 1, 8, (const uint8_t *)"pv8", 3));
	ASSERT_EQ(3, sl_load(&sl, 1, 8, buf, sizeof(buf)));
	ASSERT_EQ(0, sl_load(&sl, 1, 7, buf, sizeof(buf)));
	ASSERT_EQ(-1, sl_save(&sl, 3, 8, (const uint8_t *)"x", 1)); /* no such kind */
	sl_close(&sl);
	/* Reopened: still there. */
	ASSERT_EQ(0, sl_open(&sl, dir, err, sizeof(err)));
	ASSERT_EQ(3, sl_load(&sl, 1, 8, buf, sizeof(buf)));
	sl_close(&sl);
	tmpdir_remove(dir);
}

TEST(damaged_record_is_ignored)
{
	char tmpl[] = "/tmp/gcd-sentlog-XXXXXX", *dir = tmpdir_make(tmpl), err[256], path[300];
	uint8_t buf[64], byte;
	struct sentlog sl;
	int fd;

	ASSERT_NE(NULL, dir);
	ASSERT_EQ(0, sl_open(&sl, dir, err, sizeof(err)));
	ASSERT_EQ(0, sl_save(&sl, 2, 9, (const uint8_t *)"precommit-9", 11));
	sl_close(&sl);
	/* One flipped bit of the message. */
	snprintf(path, sizeof(path), "%s/sent-precommit", dir);
	fd = open(path, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, pread(fd, &byte, 1, 16 + 3));
	byte ^= 1;
	ASSERT_EQ(1, pwrite(fd, &byte, 1, 16 + 3));
	ASSERT_EQ(0, sl_open(&sl, dir, err, sizeof(err)));
	ASSERT_EQ(0, sl_load(&sl, 2, 9, buf, sizeof(buf)));
	/* Torn: the record cut short. */
	ASSERT_EQ(0, sl_save(&sl, 2, 9, (const uint8_t *)"precommit-9", 11));
	ASSERT_EQ(0, ftruncate(fd, 20));
	ASSERT_EQ(0, sl_load(&sl, 2, 9, buf, sizeof(buf)));
	close(fd);
	sl_close(&sl);
	tmpdir_remove(dir);
}

TEST_HARNESS_MAIN
