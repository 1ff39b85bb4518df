// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for daemon/mempool.c: ready and queued transactions per sender,
 * replayed and taken nonces, block selection in nonce order with senders in
 * turn, commits, and the bounds with their eviction order.
 */
#include "kselftest_harness.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mempool.h"

struct ledger {
	uint8_t sender[8][MP_KEY_LEN];
	uint64_t committed[8];
};

static uint64_t committed_of(void *ctx, const uint8_t sender[MP_KEY_LEN])
{
	struct ledger *l = ctx;
	int i;

	for (i = 0; i < 8; i++)
		if (!memcmp(l->sender[i], sender, MP_KEY_LEN))
			return l->committed[i];
	return 0;
}

/* A transaction of sender s with nonce n: its id and bytes derive from both. */
static enum mp_result add(struct mempool *mp, struct ledger *l, int s, uint64_t n, uint16_t len,
			  uint8_t variant)
{
	uint8_t id[MP_KEY_LEN], bytes[512];

	memset(bytes, variant, sizeof(bytes));
	memcpy(bytes, &n, sizeof(n));
	bytes[8] = (uint8_t)s;
	crypto_hash_sha256(id, bytes, len);
	return mp_add(mp, id, l->sender[s], n, bytes, len, l->committed[s], 1000);
}

static struct ledger *ledger_new(void)
{
	static struct ledger l;
	int i;

	if (sodium_init() < 0)
		abort();
	memset(&l, 0, sizeof(l));
	for (i = 0; i < 8; i++)
		memset(l.sender[i], 'A' + i, MP_KEY_LEN);
	return &l;
}

TEST(ready_queued_replayed_taken)
{
	struct mempool *mp = mp_new(100, 1 << 20, 50);
	struct ledger *l = ledger_new();

	ASSERT_NE(NULL, mp);
	l->committed[0] = 4;
	EXPECT_EQ(MP_REPLAYED, add(mp, l, 0, 4, 100, 0));
	EXPECT_EQ(MP_REPLAYED, add(mp, l, 0, 1, 100, 0));
	EXPECT_EQ(MP_QUEUED, add(mp, l, 0, 7, 100, 0));
	EXPECT_EQ(MP_ADDED, add(mp, l, 0, 5, 100, 0));
	/* 6 fills the gap: ready, and 7 behind it too. */
	EXPECT_EQ(MP_ADDED, add(mp, l, 0, 6, 100, 0));
	EXPECT_EQ(MP_ADDED, add(mp, l, 0, 8, 100, 0));
	EXPECT_EQ(MP_DUPLICATE, add(mp, l, 0, 6, 100, 0));
	EXPECT_EQ(MP_NONCE_TAKEN, add(mp, l, 0, 6, 100, 1));
	EXPECT_EQ(MP_TOO_FAR, add(mp, l, 0, 4 + 52, 100, 0));
	EXPECT_EQ(MP_QUEUED, add(mp, l, 0, 4 + 51, 100, 0));
	EXPECT_EQ(5, mp_count(mp));
	EXPECT_EQ(500, mp_bytes(mp));
	mp_free(mp);
}

TEST(select_in_nonce_order_senders_in_turn)
{
	struct mempool *mp = mp_new(100, 1 << 20, 50);
	struct ledger *l = ledger_new();
	const struct mp_tx *out[32];
	uint32_t n, i;

	ASSERT_NE(NULL, mp);
	/* Sender 0: 1, 2, 3 and 5 (4 missing); sender 1: 1, 2; sender 2: 2 only. */
	add(mp, l, 0, 3, 10, 0);
	add(mp, l, 0, 1, 10, 0);
	add(mp, l, 0, 5, 10, 0);
	add(mp, l, 0, 2, 10, 0);
	add(mp, l, 1, 2, 10, 0);
	add(mp, l, 1, 1, 10, 0);
	add(mp, l, 2, 2, 10, 0);
	n = mp_select(mp, committed_of, l, out, 32, 1 << 20);
	ASSERT_EQ(5, n);
	/* In turn: 0/1, 1/1, 0/2, 1/2, 0/3. */
	EXPECT_EQ(0, memcmp(out[0]->sender, l->sender[0], MP_KEY_LEN));
	EXPECT_EQ(1, out[0]->nonce);
	EXPECT_EQ(0, memcmp(out[1]->sender, l->sender[1], MP_KEY_LEN));
	EXPECT_EQ(1, out[1]->nonce);
	EXPECT_EQ(2, out[2]->nonce);
	EXPECT_EQ(2, out[3]->nonce);
	EXPECT_EQ(3, out[4]->nonce);
	/* Per sender, the nonces come in order, whatever the limit. */
	for (i = 2; i <= 5; i++) {
		uint32_t k, last[3] = {0, 0, 0};

		n = mp_select(mp, committed_of, l, out, i, 1 << 20);
		EXPECT_EQ(i, n);
		for (k = 0; k < n; k++) {
			int s = out[k]->sender[0] - 'A';

			EXPECT_EQ(last[s] + 1, out[k]->nonce);
			last[s] = (uint32_t)out[k]->nonce;
		}
	}
	/* A byte limit stops a sender at the first transaction that does not fit. */
	n = mp_select(mp, committed_of, l, out, 32, 3 * 12);
	EXPECT_EQ(3, n);
	mp_free(mp);
}

TEST(commit_removes_and_readies)
{
	struct mempool *mp = mp_new(100, 1 << 20, 50);
	struct ledger *l = ledger_new();
	const struct mp_tx *out[32];

	ASSERT_NE(NULL, mp);
	add(mp, l, 0, 1, 10, 0);
	add(mp, l, 0, 2, 10, 0);
	add(mp, l, 0, 3, 10, 0);
	l->committed[0] = 2;
	mp_committed(mp, l->sender[0], 2);
	EXPECT_EQ(1, mp_count(mp));
	EXPECT_EQ(1, mp_select(mp, committed_of, l, out, 32, 1 << 20));
	EXPECT_EQ(3, out[0]->nonce);
	/* A sender committed past everything it had leaves the pool. */
	l->committed[0] = 3;
	mp_committed(mp, l->sender[0], 3);
	EXPECT_EQ(0, mp_count(mp));
	EXPECT_EQ(0, mp_bytes(mp));
	/* An add that learns of commits since drops what they covered. */
	add(mp, l, 1, 1, 10, 0);
	add(mp, l, 1, 2, 10, 0);
	l->committed[1] = 1;
	EXPECT_EQ(MP_ADDED, add(mp, l, 1, 3, 10, 0));
	EXPECT_EQ(2, mp_count(mp));
	mp_free(mp);
}

TEST(bounds_evict_the_furthest_queued_first)
{
	struct mempool *mp = mp_new(4, 1 << 20, 50);
	struct ledger *l = ledger_new();
	uint8_t id[MP_KEY_LEN];

	ASSERT_NE(NULL, mp);
	EXPECT_EQ(MP_ADDED, add(mp, l, 0, 1, 10, 0));
	EXPECT_EQ(MP_QUEUED, add(mp, l, 1, 5, 10, 0));
	EXPECT_EQ(MP_QUEUED, add(mp, l, 2, 9, 10, 0));
	EXPECT_EQ(MP_ADDED, add(mp, l, 0, 2, 10, 0));
	/* Full: a ready one evicts the furthest queued (sender 2's nonce 9). */
	EXPECT_EQ(MP_ADDED, add(mp, l, 0, 3, 10, 0));
	EXPECT_EQ(1, mp_evicted(mp));
	/* A queued one further ahead than every queued one is refused ... */
	EXPECT_EQ(MP_FULL, add(mp, l, 3, 20, 10, 0));
	/* ... a nearer one takes the place of sender 1's nonce 5. */
	EXPECT_EQ(MP_QUEUED, add(mp, l, 3, 3, 10, 0));
	EXPECT_EQ(2, mp_evicted(mp));
	EXPECT_EQ(4, mp_count(mp));
	/* Full of ready ones but the last queued: then nothing more goes in. */
	EXPECT_EQ(MP_ADDED, add(mp, l, 0, 4, 10, 0));
	EXPECT_EQ(MP_FULL, add(mp, l, 0, 5, 10, 0));
	EXPECT_EQ(4, mp_count(mp));
	crypto_hash_sha256(id, (const uint8_t *)"x", 1);
	EXPECT_FALSE(mp_has(mp, id));
	mp_free(mp);
}

TEST(byte_bound)
{
	struct mempool *mp = mp_new(1000, 300, 50);
	struct ledger *l = ledger_new();

	ASSERT_NE(NULL, mp);
	EXPECT_EQ(MP_ADDED, add(mp, l, 0, 1, 200, 0));
	EXPECT_EQ(MP_FULL, add(mp, l, 0, 2, 200, 0));
	EXPECT_EQ(MP_ADDED, add(mp, l, 0, 2, 100, 0));
	EXPECT_EQ(300, mp_bytes(mp));
	mp_free(mp);
}

/* Many senders and transactions at random: the counts add up, every
 * selection is in nonce order per sender, and commits empty the pool.
 */
TEST(random_workload)
{
	struct mempool *mp = mp_new(5000, 1 << 22, 100);
	struct ledger *l = ledger_new();
	const struct mp_tx *out[4096];
	uint32_t k, n, adds = 0, i;

	ASSERT_NE(NULL, mp);
	for (k = 0; k < 20000; k++) {
		int s = (int)(randombytes_uniform(8));
		uint64_t nonce = l->committed[s] + 1 + randombytes_uniform(40);
		enum mp_result r =
			add(mp, l, s, nonce, (uint16_t)(1 + randombytes_uniform(300)), 0);

		adds += r == MP_ADDED || r == MP_QUEUED;
		if (k % 500 == 499) {
			uint32_t last[8] = {0};

			n = mp_select(mp, committed_of, l, out, 4096, 1 << 22);
			for (i = 0; i < n; i++) {
				int t = out[i]->sender[0] - 'A';

				ASSERT_EQ(l->committed[t] + 1 + last[t], out[i]->nonce);
				last[t]++;
			}
			/* Commit what was selected. */
			for (i = 0; i < 8; i++) {
				l->committed[i] += last[i];
				mp_committed(mp, l->sender[i], l->committed[i]);
			}
		}
	}
	EXPECT_LT(0, adds);
	for (i = 0; i < 8; i++) {
		l->committed[i] += 1000;
		mp_committed(mp, l->sender[i], l->committed[i]);
	}
	EXPECT_EQ(0, mp_count(mp));
	EXPECT_EQ(0, mp_bytes(mp));
	mp_free(mp);
}

TEST_HARNESS_MAIN
