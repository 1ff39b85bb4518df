// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for daemon/lockrec.c: a lock record comes back whole or not at
 * all; of the two files the newest record of the height wins, and a torn
 * write of it leaves the one before; every vote of a record read back is
 * checked as if it came from the network.
 */
#include "kselftest_harness.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gcd_fixture.h"
#include "lockrec.h"

static char *mkdir_tmp(void)
{
	static char dir[] = "/tmp/gcd-lockrec-XXXXXX";

	strcpy(dir, "/tmp/gcd-lockrec-XXXXXX");
	return mkdtemp(dir);
}

static void rm_dir(const char *dir)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		return;
}

/* A block and the signed prevotes of validators 0..count-1 for it. */
struct lock_fx {
	struct fx f;
	uint8_t block[300];
	struct tm_value v;
	struct tm_vote polka[GCD_MAX_VALIDATORS];
};

static int lock_fx_init(struct lock_fx *x, unsigned int n, uint64_t h, uint32_t round,
			unsigned int count)
{
	unsigned int i;

	if (fx_init(&x->f, n))
		return -1;
	for (i = 0; i < sizeof(x->block); i++)
		x->block[i] = (uint8_t)(i * 7 + h);
	x->v.data = x->block;
	x->v.len = sizeof(x->block);
	gcd_block_hash(x->block, sizeof(x->block), x->v.hash);
	for (i = 0; i < count; i++) {
		struct gcd_vote gv = {
			.type = GCD_VOTE_PREVOTE,
			.height = h,
			.round = round,
			.has_block = true,
			.validator = (uint16_t)i,
		};

		memcpy(gv.hash, x->v.hash, GCD_HASH_LEN);
		if (gcd_vote_sign(&gv, x->f.g.hash, x->f.vsk[i]))
			return -1;
		x->polka[i] = (struct tm_vote){
			.type = TM_PREVOTE,
			.height = h,
			.round = round,
			.has_value = true,
			.validator = (uint16_t)i,
		};
		memcpy(x->polka[i].hash, gv.hash, TM_HASH_LEN);
		memcpy(x->polka[i].sig, gv.sig, TM_SIG_LEN);
	}
	return 0;
}

TEST(build_decode_resume)
{
	static uint8_t rec[LOCKREC_MAX];
	struct tm_vote polka[GCD_MAX_VALIDATORS];
	struct lock_fx x;
	struct lockrec r;
	struct tm_resume res;
	const char *why = NULL;
	size_t len;

	ASSERT_EQ(0, lock_fx_init(&x, 4, 9, 2, 3));
	ASSERT_EQ(0, lockrec_build(9, &x.v, 2, x.polka, 3, rec, sizeof(rec), &len));
	ASSERT_EQ(LOCKREC_HEAD_LEN + 300 + 3 * GCD_VOTE_LEN + 4, len);
	ASSERT_EQ(0, lockrec_decode(rec, len, &r));
	ASSERT_EQ(9, r.height);
	ASSERT_EQ(2, r.round);
	ASSERT_EQ(300, r.block_len);
	ASSERT_EQ(3, r.n_votes);
	ASSERT_EQ(0, memcmp(r.block, x.block, 300));
	ASSERT_EQ(0, lockrec_resume(&r, &x.f.g, polka, &res, &why)) TH_LOG("%s", why);
	ASSERT_EQ(2, res.locked_round);
	ASSERT_EQ(300, res.locked.len);
	ASSERT_EQ(0, memcmp(res.locked.hash, x.v.hash, TM_HASH_LEN));
	ASSERT_EQ(3, res.n_polka);
	ASSERT_EQ(2, polka[2].validator);
	ASSERT_EQ(0, memcmp(polka[1].sig, x.polka[1].sig, TM_SIG_LEN));
	/* Too small a buffer, no votes, no block: refused. */
	ASSERT_EQ(-1, lockrec_build(9, &x.v, 2, x.polka, 3, rec, len - 1, &len));
	ASSERT_EQ(-1, lockrec_build(9, &x.v, 2, x.polka, 0, rec, sizeof(rec), &len));
	ASSERT_EQ(-1, lockrec_build(9, &x.v, -1, x.polka, 3, rec, sizeof(rec), &len));
}

TEST(every_cut_and_every_flipped_bit_is_refused)
{
	static uint8_t rec[LOCKREC_MAX];
	struct lock_fx x;
	struct lockrec r;
	size_t len, i;
	int b;

	ASSERT_EQ(0, lock_fx_init(&x, 4, 3, 0, 3));
	ASSERT_EQ(0, lockrec_build(3, &x.v, 0, x.polka, 3, rec, sizeof(rec), &len));
	for (i = 0; i < len; i++)
		ASSERT_EQ(-1, lockrec_decode(rec, i, &r)) TH_LOG("cut at %zu", i);
	for (i = 0; i < len; i++) {
		for (b = 0; b < 8; b++) {
			rec[i] ^= (uint8_t)(1 << b);
			ASSERT_EQ(-1, lockrec_decode(rec, len, &r)) TH_LOG("byte %zu bit %d", i, b);
			rec[i] ^= (uint8_t)(1 << b);
		}
	}
	ASSERT_EQ(0, lockrec_decode(rec, len, &r));
}

/* Whole records, but not a lock gcd made: each refused with its reason. */
TEST(resume_checks_every_vote)
{
	static uint8_t rec[LOCKREC_MAX];
	struct tm_vote polka[GCD_MAX_VALIDATORS];
	struct lock_fx x;
	struct lockrec r;
	struct tm_resume res;
	const char *why;
	size_t len;

	ASSERT_EQ(0, lock_fx_init(&x, 4, 5, 1, 3));
	/* A signature that is not the validator's. */
	x.polka[1].sig[0] ^= 1;
	ASSERT_EQ(0, lockrec_build(5, &x.v, 1, x.polka, 3, rec, sizeof(rec), &len));
	ASSERT_EQ(0, lockrec_decode(rec, len, &r));
	ASSERT_EQ(-1, lockrec_resume(&r, &x.f.g, polka, &res, &why));
	ASSERT_NE(NULL, strstr(why, "signature"));
	x.polka[1].sig[0] ^= 1;
	/* The votes of another round than the record's. */
	ASSERT_EQ(0, lockrec_build(5, &x.v, 2, x.polka, 3, rec, sizeof(rec), &len));
	ASSERT_EQ(0, lockrec_decode(rec, len, &r));
	ASSERT_EQ(-1, lockrec_resume(&r, &x.f.g, polka, &res, &why));
	ASSERT_NE(NULL, strstr(why, "prevote for the block"));
	/* Another block than the one voted for. */
	x.block[0] ^= 1;
	ASSERT_EQ(0, lockrec_build(5, &x.v, 1, x.polka, 3, rec, sizeof(rec), &len));
	ASSERT_EQ(0, lockrec_decode(rec, len, &r));
	ASSERT_EQ(-1, lockrec_resume(&r, &x.f.g, polka, &res, &why));
	ASSERT_NE(NULL, strstr(why, "prevote for the block"));
	x.block[0] ^= 1;
	/* A validator the genesis does not have. */
	ASSERT_EQ(0, lock_fx_init(&x, 4, 5, 1, 3));
	x.polka[2].validator = 7;
	ASSERT_EQ(0, lockrec_build(5, &x.v, 1, x.polka, 3, rec, sizeof(rec), &len));
	ASSERT_EQ(0, lockrec_decode(rec, len, &r));
	ASSERT_EQ(-1, lockrec_resume(&r, &x.f.g, polka, &res, &why));
}

TEST(store_keeps_the_newest_and_survives_a_torn_write)
{
	static uint8_t rec[LOCKREC_MAX], buf[LOCKREC_MAX];
	char *dir = mkdir_tmp(), err[256], path[512];
	struct lockstore ls;
	struct lock_fx x;
	struct lockrec r;
	size_t len, got;
	int fd;

	ASSERT_NE(NULL, dir);
	ASSERT_EQ(0, lockstore_open(&ls, dir, err, sizeof(err)));
	ASSERT_EQ(0, lockstore_load(&ls, 4, buf, sizeof(buf))); /* nothing yet */

	/* Height 4, round 0, then round 2. */
	ASSERT_EQ(0, lock_fx_init(&x, 4, 4, 0, 3));
	ASSERT_EQ(0, lockrec_build(4, &x.v, 0, x.polka, 3, rec, sizeof(rec), &len));
	ASSERT_EQ(0, lockstore_save(&ls, rec, len));
	ASSERT_EQ(0, lock_fx_init(&x, 4, 4, 2, 4));
	ASSERT_EQ(0, lockrec_build(4, &x.v, 2, x.polka, 4, rec, sizeof(rec), &len));
	ASSERT_EQ(0, lockstore_save(&ls, rec, len));
	lockstore_close(&ls);

	/* Reopened: round 2 is the lock of height 4; none of height 5. */
	ASSERT_EQ(0, lockstore_open(&ls, dir, err, sizeof(err)));
	got = lockstore_load(&ls, 4, buf, sizeof(buf));
	ASSERT_EQ(len, got);
	ASSERT_EQ(0, lockrec_decode(buf, got, &r));
	ASSERT_EQ(2, r.round);
	ASSERT_EQ(4, r.n_votes);
	ASSERT_EQ(0, lockstore_load(&ls, 5, buf, sizeof(buf)));
	ASSERT_EQ(0, lockstore_load(&ls, 4, buf, LOCKREC_HEAD_LEN)); /* no room */

	/* Round 3 goes over round 0's file, and is torn: round 2 is left. */
	ASSERT_EQ(0, lock_fx_init(&x, 4, 4, 3, 3));
	ASSERT_EQ(0, lockrec_build(4, &x.v, 3, x.polka, 3, rec, sizeof(rec), &len));
	ASSERT_EQ(0, lockstore_save(&ls, rec, len));
	got = lockstore_load(&ls, 4, buf, sizeof(buf));
	ASSERT_EQ(0, lockrec_decode(buf, got, &r));
	ASSERT_EQ(3, r.round);
	lockstore_close(&ls);
	snprintf(path, sizeof(path), "%s/lock-a", dir);
	fd = open(path, O_WRONLY);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(8, pwrite(fd, "\0\0\0\0\0\0\0\0", 8, 100));
	close(fd);
	ASSERT_EQ(0, lockstore_open(&ls, dir, err, sizeof(err)));
	got = lockstore_load(&ls, 4, buf, sizeof(buf));
	ASSERT_NE(0, got);
	ASSERT_EQ(0, lockrec_decode(buf, got, &r));
	ASSERT_EQ(2, r.round);
	/* The next save goes over the torn one, not over round 2. */
	ASSERT_EQ(0, lock_fx_init(&x, 4, 4, 5, 3));
	ASSERT_EQ(0, lockrec_build(4, &x.v, 5, x.polka, 3, rec, sizeof(rec), &len));
	ASSERT_EQ(0, lockstore_save(&ls, rec, len));
	got = lockstore_load(&ls, 4, buf, sizeof(buf));
	ASSERT_EQ(0, lockrec_decode(buf, got, &r));
	ASSERT_EQ(5, r.round);
	lockstore_close(&ls);
	fd = open(path, O_WRONLY);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(8, pwrite(fd, "\0\0\0\0\0\0\0\0", 8, 100));
	close(fd);
	ASSERT_EQ(0, lockstore_open(&ls, dir, err, sizeof(err)));
	got = lockstore_load(&ls, 4, buf, sizeof(buf));
	ASSERT_EQ(0, lockrec_decode(buf, got, &r));
	ASSERT_EQ(2, r.round);
	lockstore_close(&ls);
	rm_dir(dir);
}

TEST_HARNESS_MAIN
