// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for gcd's chain formats (daemon/chain.c) and genesis
 * parser (daemon/genesis.c). The input, in a heap block of exactly its size,
 * goes to every decoder:
 *
 *  - transaction, commit certificate, block, proposal and vote: whatever
 *    decodes must encode back to exactly the input (one encoding per value),
 *    with the *_len() functions agreeing, and a decoded proposal's block
 *    must be the block decoder's; decoded objects then go through the
 *    semantic checks (signatures, certificate rule, block validity against
 *    a fixed 4-validator genesis, the one the seeds are signed for, so
 *    mutations of them reach the deep checks), which must not crash, must
 *    answer with one of their own errors, and whose acceptance must agree
 *    with the pieces checked one by one;
 *  - membership payload: what parses must format back to the input;
 *  - lock record (a state file): what decodes must encode back to the
 *    input, and its votes go through the checks of a restart;
 *  - genesis JSON: what parses must format and parse again to the same
 *    values, and its hash must be SHA-256 of the input.
 *
 * Any broken promise abort()s, which libFuzzer reports as a crash.
 */
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain.h"
#include "genesis.h"
#include "lockrec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct gcd_genesis genesis;
static bool ready;

/* A fixed genesis of 4 validators (seeds 1..4), made once. */
static void setup(void)
{
	struct gcd_genesis g;
	uint8_t sk[GCD_SECKEY_LEN], seed[GCD_SEED_LEN];
	char err[256], *text;
	size_t len;
	unsigned int i;

	if (ready)
		return;
	if (sodium_init() < 0)
		abort();
	memset(&g, 0, sizeof(g));
	strcpy(g.chain_id, "fuzz");
	g.time_ms = 1000;
	g.n = 4;
	for (i = 0; i < 4; i++) {
		memset(seed, (int)i + 1, sizeof(seed));
		crypto_sign_seed_keypair(g.v[i].pub, sk, seed);
		snprintf(g.v[i].name, sizeof(g.v[i].name), "v%u", i);
	}
	if (gcd_genesis_format(&g, &text, &len, err, sizeof(err)) ||
	    gcd_genesis_parse((const uint8_t *)text, len, &genesis, err, sizeof(err)))
		abort();
	free(text);
	ready = true;
}

/* Encode with enc into a buffer of exactly want bytes (and one byte short). */
#define REENCODE(enc, obj, data, size)                                                             \
	do {                                                                                       \
		uint8_t *_b = malloc(size);                                                        \
		size_t _l = 0;                                                                     \
		if (!_b || enc(obj, _b, size, &_l) != GCD_OK || _l != size ||                      \
		    memcmp(_b, data, size))                                                        \
			abort();                                                                   \
		if (enc(obj, _b, size - 1, &_l) != GCD_E_NOSPACE)                                  \
			abort();                                                                   \
		free(_b);                                                                          \
	} while (0)

/* No sender has committed anything. */
static int nonce_zero(void *ctx, const uint8_t sender[GCD_PUBKEY_LEN], uint64_t *last)
{
	(void)ctx;
	(void)sender;
	*last = 0;
	return 0;
}

static void check_error(enum gcd_err e)
{
	if ((unsigned int)e >= GCD_E__COUNT || !strcmp(gcd_strerror(e), "unknown error"))
		abort();
}

static void fuzz_tx(const uint8_t *data, size_t size)
{
	struct gcd_tx tx;
	enum gcd_err e = gcd_tx_decode(data, size, &tx);

	check_error(e);
	if (e)
		return;
	if (gcd_tx_len(&tx) != size || tx.nonce == 0 || tx.payload_len > GCD_TX_PAYLOAD_MAX ||
	    tx.payload != data + 44)
		abort();
	REENCODE(gcd_tx_encode, &tx, data, size);
	e = gcd_tx_verify(&tx, genesis.hash);
	if (e != GCD_OK && e != GCD_E_SIGNATURE)
		abort();
}

static void fuzz_cert(const uint8_t *data, size_t size)
{
	struct gcd_cert c;
	unsigned int i, bad;
	enum gcd_err e = gcd_cert_decode(data, size, &c);

	check_error(e);
	if (e)
		return;
	if (gcd_cert_len(&c) != size || c.count == 0 || c.count > GCD_MAX_VALIDATORS ||
	    c.height == 0)
		abort();
	for (i = 1; i < c.count; i++)
		if (c.index[i] <= c.index[i - 1])
			abort();
	REENCODE(gcd_cert_encode, &c, data, size);
	e = gcd_cert_check(&c, &genesis, &bad);
	check_error(e);
	if (bad >= c.count)
		abort();
	if (e == GCD_OK) {
		if (3u * c.count <= 2u * genesis.n)
			abort();
		for (i = 0; i < c.count; i++) {
			struct gcd_vote v;

			gcd_cert_vote(&c, i, &v);
			if (gcd_vote_verify(&v, &genesis) != GCD_OK)
				abort();
		}
	}
}

static void fuzz_block(const uint8_t *data, size_t size, struct gcd_block *b)
{
	struct gcd_prev prev = {.height = 0, .time_ms = genesis.time_ms};
	unsigned int i;
	int bad_tx;
	enum gcd_err e = gcd_block_decode(data, size, b);

	check_error(e);
	if (e)
		return;
	if (gcd_block_len(b) != size || size > GCD_BLOCK_MAX || b->height == 0 ||
	    b->n_txs > GCD_BLOCK_TXS_MAX || (b->height == 1) != (b->last_commit.count == 0))
		abort();
	for (i = 0; i < b->n_txs; i++) {
		struct gcd_tx tx;

		if (b->tx[i].p < data || b->tx[i].p + b->tx[i].len > data + size ||
		    gcd_tx_decode(b->tx[i].p, b->tx[i].len, &tx) != GCD_OK)
			abort();
	}
	REENCODE(gcd_block_encode, b, data, size);
	/* Against the genesis as if it were the next block. */
	memcpy(prev.hash, genesis.hash, GCD_HASH_LEN);
	prev.height = b->height - 1;
	e = gcd_block_check(b, &genesis, &prev, nonce_zero, NULL, &bad_tx);
	check_error(e);
	if (bad_tx < -1 || bad_tx >= (int)b->n_txs)
		abort();
	if (e == GCD_OK) {
		uint8_t root[GCD_HASH_LEN];

		gcd_block_tx_root(b, root);
		if (memcmp(root, b->tx_root, GCD_HASH_LEN) ||
		    b->proposer != gcd_proposer(b->height, b->round, genesis.n))
			abort();
		for (i = 0; i < b->n_txs; i++) {
			struct gcd_tx tx;

			if (gcd_tx_decode(b->tx[i].p, b->tx[i].len, &tx) ||
			    gcd_tx_verify(&tx, genesis.hash))
				abort();
		}
	}
}

static void fuzz_proposal(const uint8_t *data, size_t size, struct gcd_block *b,
			  struct gcd_block *b2)
{
	struct gcd_proposal p;
	enum gcd_err e = gcd_proposal_decode(data, size, &p, b);

	check_error(e);
	if (e)
		return;
	if (gcd_proposal_len(&p) != size || p.block != data + 23 || p.block_len > GCD_BLOCK_MAX)
		abort();
	if (p.pol_round < -1 || (p.pol_round >= 0 && (uint32_t)p.pol_round >= p.round))
		abort();
	if (b->height != p.height || b->round > p.round)
		abort();
	/* The embedded block is exactly what the block decoder makes of its bytes. */
	if (gcd_block_decode(p.block, p.block_len, b2) != GCD_OK || b2->n_txs != b->n_txs ||
	    memcmp(b2->prev_hash, b->prev_hash, GCD_HASH_LEN))
		abort();
	REENCODE(gcd_proposal_encode, &p, data, size);
	e = gcd_proposal_verify(&p, &genesis);
	if (e != GCD_OK && e != GCD_E_SIGNATURE && e != GCD_E_PROPOSER &&
	    e != GCD_E_VALIDATOR_INDEX)
		abort();
	if (e == GCD_OK && p.proposer != gcd_proposer(p.height, p.round, genesis.n))
		abort();
}

static void fuzz_vote(const uint8_t *data, size_t size)
{
	struct gcd_vote v;
	enum gcd_err e = gcd_vote_decode(data, size, &v);

	check_error(e);
	if (e)
		return;
	if (size != GCD_VOTE_LEN || (v.type != GCD_VOTE_PREVOTE && v.type != GCD_VOTE_PRECOMMIT))
		abort();
	REENCODE(gcd_vote_encode, &v, data, size);
	e = gcd_vote_verify(&v, &genesis);
	if (e != GCD_OK && e != GCD_E_SIGNATURE && e != GCD_E_VALIDATOR_INDEX)
		abort();
	if (e == GCD_OK && v.validator >= genesis.n)
		abort();
}

static void fuzz_member(const uint8_t *data, size_t size)
{
	struct gcd_member_event ev;
	char text[256];
	int n;

	if (gcd_member_payload_parse(data, size, &ev) != GCD_OK)
		return;
	n = gcd_member_payload_format(&ev, text, sizeof(text));
	if (n < 0 || (size_t)n != size || memcmp(text, data, size))
		abort();
}

static void fuzz_lockrec(const uint8_t *data, size_t size)
{
	static uint8_t out[LOCKREC_MAX];
	struct tm_vote polka[GCD_MAX_VALIDATORS];
	struct tm_resume res;
	const char *why = NULL;
	struct lockrec r;
	size_t len;

	if (lockrec_decode(data, size, &r))
		return;
	if (lockrec_encode(&r, out, sizeof(out), &len) || len != size || memcmp(out, data, size))
		abort();
	if (lockrec_resume(&r, &genesis, polka, &res, &why)) {
		if (!why)
			abort(); /* a refusal always says why */
		return;
	}
	if (res.n_polka != r.n_votes || res.locked_round != (int32_t)r.round ||
	    res.locked.data != r.block || res.locked.len != r.block_len)
		abort();
}

static void fuzz_genesis(const uint8_t *data, size_t size)
{
	struct gcd_genesis *g = malloc(sizeof(*g)), *g2 = malloc(sizeof(*g2));
	uint8_t hash[GCD_HASH_LEN];
	char err[256], *text;
	size_t len;

	if (!g || !g2)
		abort();
	if (gcd_genesis_parse(data, size, g, err, sizeof(err)) == 0) {
		crypto_hash_sha256(hash, data, size);
		if (memcmp(hash, g->hash, GCD_HASH_LEN) || g->n < 1 || g->n > GCD_MAX_VALIDATORS)
			abort();
		if (gcd_genesis_format(g, &text, &len, err, sizeof(err)) ||
		    gcd_genesis_parse((const uint8_t *)text, len, g2, err, sizeof(err)))
			abort();
		if (strcmp(g->chain_id, g2->chain_id) || g->time_ms != g2->time_ms ||
		    g->n != g2->n || memcmp(g->v, g2->v, sizeof(g->v)))
			abort();
		free(text);
	} else if (!err[0]) {
		abort(); /* a refusal always says why */
	}
	free(g);
	free(g2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gcd_block b, b2;
	uint8_t *copy;

	setup();
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	if (size)
		memcpy(copy, data, size);
	fuzz_tx(copy, size);
	fuzz_cert(copy, size);
	fuzz_block(copy, size, &b);
	fuzz_proposal(copy, size, &b, &b2);
	fuzz_vote(copy, size);
	fuzz_member(copy, size);
	fuzz_lockrec(copy, size);
	if (size <= 65536)
		fuzz_genesis(copy, size);
	free(copy);
	return 0;
}
