/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the gcd unit tests (test_chain.c, test_ledger.c): deterministic
 * validator and user keys, a genesis built through the real formatter and
 * parser, and a chain builder that makes correctly linked, signed and
 * certified blocks, from which each test breaks what it wants to.
 */
#ifndef GCD_TEST_FIXTURE_H
#define GCD_TEST_FIXTURE_H

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain.h"
#include "genesis.h"

#define FX_USERS	8
#define FX_GENESIS_TIME 1796170000000ULL
#define FX_UNUSED	__attribute__((unused))

struct fx {
	struct gcd_genesis g;
	uint8_t vsk[GCD_MAX_VALIDATORS][GCD_SECKEY_LEN];
	uint8_t upk[FX_USERS][GCD_PUBKEY_LEN];
	uint8_t usk[FX_USERS][GCD_SECKEY_LEN];
	uint64_t unonce[FX_USERS]; /* last nonce handed out per user */
	struct gcd_prev head;
	uint8_t last_cert[GCD_CERT_MAX];
	size_t last_cert_len;
};

static FX_UNUSED void fx_seed_keypair(uint8_t tag, unsigned int i, uint8_t pk[GCD_PUBKEY_LEN],
				      uint8_t sk[GCD_SECKEY_LEN])
{
	uint8_t seed[GCD_SEED_LEN];

	memset(seed, 0, sizeof(seed));
	seed[0] = tag;
	seed[1] = (uint8_t)i;
	crypto_sign_seed_keypair(pk, sk, seed);
}

/* A genesis of n validators named v0, v1 ...; returns 0 or -1. */
static FX_UNUSED int fx_genesis(struct gcd_genesis *g, uint8_t (*vsk)[GCD_SECKEY_LEN],
				unsigned int n, uint8_t tag, const char *chain_id)
{
	struct gcd_genesis tmp;
	char err[256], *text;
	size_t len;
	unsigned int i;
	int rc;

	memset(&tmp, 0, sizeof(tmp));
	snprintf(tmp.chain_id, sizeof(tmp.chain_id), "%s", chain_id);
	tmp.time_ms = FX_GENESIS_TIME;
	tmp.n = n;
	for (i = 0; i < n; i++) {
		snprintf(tmp.v[i].name, sizeof(tmp.v[i].name), "v%u", i);
		fx_seed_keypair(tag, i, tmp.v[i].pub, vsk[i]);
	}
	if (gcd_genesis_format(&tmp, &text, &len, err, sizeof(err)))
		return -1;
	rc = gcd_genesis_parse((const uint8_t *)text, len, g, err, sizeof(err));
	free(text);
	return rc;
}

static FX_UNUSED int fx_init(struct fx *f, unsigned int n)
{
	unsigned int i;

	memset(f, 0, sizeof(*f));
	if (sodium_init() < 0 || fx_genesis(&f->g, f->vsk, n, 0xa0, "testchain"))
		return -1;
	for (i = 0; i < FX_USERS; i++)
		fx_seed_keypair(0xb0, i, f->upk[i], f->usk[i]);
	f->head.height = 0;
	memcpy(f->head.hash, f->g.hash, GCD_HASH_LEN);
	f->head.time_ms = f->g.time_ms;
	return 0;
}

/* A signed tx of user u with the given nonce (0: the user's next). */
static FX_UNUSED size_t fx_tx(struct fx *f, unsigned int u, uint64_t nonce, const char *payload,
			      uint8_t *buf, size_t cap)
{
	struct gcd_tx tx;
	size_t len = 0;

	memset(&tx, 0, sizeof(tx));
	tx.kind = GCD_TX_APP;
	memcpy(tx.sender, f->upk[u], GCD_PUBKEY_LEN);
	tx.nonce = nonce ? nonce : ++f->unonce[u];
	tx.payload = (const uint8_t *)payload;
	tx.payload_len = (uint16_t)strlen(payload);
	if (gcd_tx_sign(&tx, f->g.hash, f->usk[u]) || gcd_tx_encode(&tx, buf, cap, &len))
		return 0;
	return len;
}

/* A precommit certificate for (height, round, hash) by the validators set in mask. */
static FX_UNUSED size_t fx_cert_for(struct fx *f, uint64_t height, uint32_t round,
				    const uint8_t hash[GCD_HASH_LEN], uint64_t mask, uint8_t *buf,
				    size_t cap)
{
	struct gcd_cert c;
	struct gcd_vote v;
	unsigned int i;
	size_t len = 0;

	memset(&c, 0, sizeof(c));
	c.height = height;
	c.round = round;
	memcpy(c.hash, hash, GCD_HASH_LEN);
	for (i = 0; i < f->g.n; i++) {
		if (!(mask >> i & 1))
			continue;
		memset(&v, 0, sizeof(v));
		v.type = GCD_VOTE_PRECOMMIT;
		v.height = height;
		v.round = round;
		v.has_block = true;
		memcpy(v.hash, hash, GCD_HASH_LEN);
		v.validator = (uint16_t)i;
		if (gcd_vote_sign(&v, f->g.hash, f->vsk[i]))
			return 0;
		c.index[c.count] = (uint16_t)i;
		memcpy(c.sig[c.count], v.sig, GCD_SIG_LEN);
		c.count++;
	}
	if (gcd_cert_encode(&c, buf, cap, &len))
		return 0;
	return len;
}

/* The smallest quorum: validators 0 .. floor(2n/3). */
static FX_UNUSED uint64_t fx_quorum(const struct fx *f)
{
	unsigned int k = 2 * f->g.n / 3 + 1;

	return k >= 64 ? ~0ULL : (1ULL << k) - 1;
}

/*
 * The next block (head + 1) in round, with txs[] (encodings), correct
 * proposer, time, link, root and last commit. Returns its length or 0.
 */
static FX_UNUSED size_t fx_block(struct fx *f, uint32_t round, const uint8_t *const *txs,
				 const size_t *tx_len, unsigned int n_txs, uint8_t *buf, size_t cap)
{
	struct gcd_block *b = calloc(1, sizeof(*b));
	unsigned int i;
	size_t len = 0;

	if (!b)
		return 0;
	b->height = f->head.height + 1;
	b->round = round;
	b->time_ms = f->head.time_ms + (b->height == 1 ? 0 : 1000);
	memcpy(b->prev_hash, f->head.hash, GCD_HASH_LEN);
	b->proposer = (uint16_t)gcd_proposer(b->height, round, f->g.n);
	if (b->height > 1 && gcd_cert_decode(f->last_cert, f->last_cert_len, &b->last_commit)) {
		free(b);
		return 0;
	}
	b->n_txs = (uint16_t)n_txs;
	for (i = 0; i < n_txs; i++) {
		b->tx[i].p = txs[i];
		b->tx[i].len = tx_len[i];
	}
	gcd_block_tx_root(b, b->tx_root);
	if (gcd_block_encode(b, buf, cap, &len))
		len = 0;
	free(b);
	return len;
}

/* The block became the head, certified by cert. */
static FX_UNUSED void fx_advance(struct fx *f, const uint8_t *block, size_t len,
				 const uint8_t *cert, size_t cert_len)
{
	struct gcd_block *b = malloc(sizeof(*b));

	if (b && !gcd_block_decode(block, len, b)) {
		f->head.height = b->height;
		f->head.time_ms = b->time_ms;
		gcd_block_hash(block, len, f->head.hash);
	}
	free(b);
	memcpy(f->last_cert, cert, cert_len);
	f->last_cert_len = cert_len;
}

#endif
