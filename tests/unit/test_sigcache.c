// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for daemon/sigcache.c and the checks that use it: ids are
 * found after they are added and only then; a full set forgets its oldest
 * id first; a block's transactions are verified unless known, so a cache
 * that never holds an unverified id keeps every check.
 */
#include "kselftest_harness.h"

#include <stdlib.h>
#include <string.h>

#include "gcd_fixture.h"
#include "sigcache.h"

static void id_of(uint8_t id[32], uint32_t set, uint8_t tag)
{
	memset(id, tag, 32);
	memcpy(id, &set, sizeof(set));
}

TEST(add_then_has)
{
	struct sigcache c;
	uint8_t a[32], b[32], zero[32] = {0};

	ASSERT_EQ(0, sigcache_init(&c, 1000));
	ASSERT_EQ(256, c.sets); /* 1000 ids in sets of 4 */
	id_of(a, 7, 0xaa);
	id_of(b, 7, 0xbb);
	ASSERT_FALSE(sigcache_has(&c, a));
	sigcache_add(&c, a);
	ASSERT_TRUE(sigcache_has(&c, a));
	ASSERT_FALSE(sigcache_has(&c, b));
	sigcache_add(&c, a); /* again: still one way */
	sigcache_add(&c, b);
	ASSERT_TRUE(sigcache_has(&c, a));
	ASSERT_TRUE(sigcache_has(&c, b));
	/* Empty ways are zero: the zero id is never known. */
	ASSERT_FALSE(sigcache_has(&c, zero));
	ASSERT_EQ(3, c.hits);
	sigcache_destroy(&c);
}

TEST(full_set_forgets_oldest)
{
	struct sigcache c;
	uint8_t id[SIGCACHE_WAYS + 1][32];
	unsigned int i;

	ASSERT_EQ(0, sigcache_init(&c, 64));
	for (i = 0; i <= SIGCACHE_WAYS; i++) {
		id_of(id[i], 3 + 16 * i, (uint8_t)(i + 1)); /* one set: 3 mod sets */
		sigcache_add(&c, id[i]);
	}
	ASSERT_FALSE(sigcache_has(&c, id[0]));
	for (i = 1; i <= SIGCACHE_WAYS; i++)
		ASSERT_TRUE(sigcache_has(&c, id[i]));
	sigcache_destroy(&c);
}

static int nonce_zero(void *ctx, const uint8_t sender[32], uint64_t *last)
{
	(void)ctx;
	(void)sender;
	*last = 0;
	return 0;
}

/* A block whose one transaction has a broken signature: checked unless its
 * id is known, and known only if someone added it (gcd adds verified ones).
 */
TEST(block_check_skips_known_txs_only)
{
	struct fx *f = malloc(sizeof(*f));
	struct gcd_block *b = malloc(sizeof(*b));
	static uint8_t block[GCD_BLOCK_MAX];
	uint8_t tx[256], id[32];
	const uint8_t *txp[1] = {tx};
	struct sigcache c;
	size_t txl[1], len;
	int bad_tx;

	ASSERT_EQ(0, fx_init(f, 4));
	ASSERT_EQ(0, sigcache_init(&c, 64));
	txl[0] = fx_tx(f, 0, 1, "pay", tx, sizeof(tx));
	ASSERT_NE(0, txl[0]);
	tx[txl[0] - 1] ^= 1; /* the signature's last byte */
	len = fx_block(f, 0, txp, txl, 1, block, sizeof(block));
	ASSERT_NE(0, len);
	ASSERT_EQ(GCD_OK, gcd_block_decode(block, len, b));
	ASSERT_EQ(GCD_E_SIGNATURE, gcd_block_check_known(b, &f->g, &f->head, nonce_zero, NULL,
							 sigcache_known, &c, &bad_tx));
	ASSERT_EQ(0, bad_tx);
	/* The cache is trusted for what it holds: only gcd's workers fill it. */
	gcd_sha256(tx, txl[0], id);
	sigcache_add(&c, id);
	ASSERT_EQ(GCD_OK, gcd_block_check_known(b, &f->g, &f->head, nonce_zero, NULL,
						sigcache_known, &c, &bad_tx));
	/* Without a cache, as gcd verify runs: checked. */
	ASSERT_EQ(GCD_E_SIGNATURE, gcd_block_check(b, &f->g, &f->head, nonce_zero, NULL, NULL));
	sigcache_destroy(&c);
	free(b);
	free(f);
}

TEST_HARNESS_MAIN
