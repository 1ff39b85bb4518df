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
#include "tmpdir.h"

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

/* Saves the lock of height 4 in round, with votes prevotes. */
static int save_round(struct lockstore *ls, uint32_t round, unsigned int votes)
{
	static uint8_t rec[LOCKREC_MAX];
	struct lock_fx x;
	size_t len;

	if (lock_fx_init(&x, 4, 4, round, votes) ||
	    lockrec_build(4, &x.v, (int32_t)round, x.polka, votes, rec, sizeof(rec), &len))
		return -1;
	return lockstore_save(ls, rec, len);
}

/* The round of the lock of height that ls gives back, -1 for none. */
static int64_t loaded_round(struct lockstore *ls, uint64_t height)
{
	static uint8_t buf[LOCKREC_MAX];
	struct lockrec r;
	size_t got = lockstore_load(ls, height, buf, sizeof(buf));

	return got && !lockrec_decode(buf, got, &r) ? (int64_t)r.round : -1;
}

/* A power cut in the middle of rewriting file name of dir. */
static int tear(const char *dir, const char *name)
{
	char path[512];
	int fd, rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	rc = pwrite(fd, "\0\0\0\0\0\0\0\0", 8, 100) == 8 ? 0 : -1;
	close(fd);
	return rc;
}

TEST(store_keeps_the_newest_and_survives_a_torn_write)
{
	static uint8_t buf[LOCKREC_MAX];
	char tmpl[] = "/tmp/gcd-lockrec-XXXXXX", *dir = tmpdir_make(tmpl), err[256];
	struct lockstore ls;

	ASSERT_NE(NULL, dir);
	ASSERT_EQ(0, lockstore_open(&ls, dir, err, sizeof(err)));
	ASSERT_EQ(-1, loaded_round(&ls, 4)); /* nothing yet */

	/* Height 4, round 0 (into lock-a), then round 2 (lock-b). */
	ASSERT_EQ(0, save_round(&ls, 0, 3));
	ASSERT_EQ(0, save_round(&ls, 2, 4));
	lockstore_close(&ls);

	/* Reopened: round 2 is the lock of height 4; none of height 5. */
	ASSERT_EQ(0, lockstore_open(&ls, dir, err, sizeof(err)));
	ASSERT_EQ(2, loaded_round(&ls, 4));
	ASSERT_EQ(-1, loaded_round(&ls, 5));
	ASSERT_EQ(0, lockstore_load(&ls, 4, buf, LOCKREC_HEAD_LEN)); /* no room */

	/* Round 3 goes over round 0's file (lock-a), and is torn: round 2 is left. */
	ASSERT_EQ(0, save_round(&ls, 3, 3));
	ASSERT_EQ(3, loaded_round(&ls, 4));
	lockstore_close(&ls);
	ASSERT_EQ(0, tear(dir, "lock-a"));
	ASSERT_EQ(0, lockstore_open(&ls, dir, err, sizeof(err)));
	ASSERT_EQ(2, loaded_round(&ls, 4));

	/* The next save goes over the torn one, not over round 2: tearing it
	 * again leaves round 2.
	 */
	ASSERT_EQ(0, save_round(&ls, 5, 3));
	ASSERT_EQ(5, loaded_round(&ls, 4));
	lockstore_close(&ls);
	ASSERT_EQ(0, tear(dir, "lock-a"));
	ASSERT_EQ(0, lockstore_open(&ls, dir, err, sizeof(err)));
	ASSERT_EQ(2, loaded_round(&ls, 4));
	lockstore_close(&ls);
	tmpdir_remove(dir);
}

TEST_HARNESS_MAIN
