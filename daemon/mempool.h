/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gcd's mempool: verified transactions waiting for a block. As Ethereum's
 * txpool: per sender, transactions whose nonce follows the last committed
 * one are ready (executable, in nonce order); those with a gap before them
 * are queued until it fills. A nonce already committed is refused as
 * replayed; a second transaction for a nonce taken is refused too (the
 * first one seen wins). Bounded in count and bytes: when full, the queued
 * transaction furthest ahead of its sender's next nonce leaves first, and a
 * new one is refused if it would be that one.
 */
#ifndef GCD_MEMPOOL_H
#define GCD_MEMPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MP_KEY_LEN 32

struct mp_tx {
	uint8_t id[MP_KEY_LEN];
	uint8_t sender[MP_KEY_LEN];
	uint64_t nonce;
	uint64_t added_ms;
	uint16_t len;
	uint8_t *bytes;
};

enum mp_result {
	MP_ADDED = 0,	/* ready: its nonce is the sender's next */
	MP_QUEUED,	/* waits for the nonces before it */
	MP_DUPLICATE,	/* this very transaction is here already */
	MP_REPLAYED,	/* its nonce is committed already */
	MP_NONCE_TAKEN, /* another transaction has that nonce */
	MP_TOO_FAR,	/* its nonce is more than mp_ahead past the next */
	MP_FULL,	/* no room, and it would be the first to go */
	MP_NOMEM,
};

const char *mp_result_str(enum mp_result r);

struct mp_sender;
struct mempool;

/* max_txs and max_bytes bound the pool; ahead bounds how far past a
 * sender's next nonce a transaction may be queued.
 */
struct mempool *mp_new(uint32_t max_txs, uint64_t max_bytes, uint64_t ahead);
void mp_free(struct mempool *mp);

/* Adds a verified transaction of sender; committed is the sender's last
 * committed nonce (0: none). The pool keeps a copy of bytes.
 */
enum mp_result mp_add(struct mempool *mp, const uint8_t id[MP_KEY_LEN],
		      const uint8_t sender[MP_KEY_LEN], uint64_t nonce, const uint8_t *bytes,
		      uint16_t len, uint64_t committed, uint64_t now_ms);

/* A block's worth of ready transactions: for each sender the run of nonces
 * from committed + 1 (committed_of() gives it), senders taken in turn, until
 * max_txs or max_bytes (each transaction counted with 2 bytes of length).
 * Fills out[] with pointers into the pool, valid until the pool changes;
 * returns how many.
 */
typedef uint64_t (*mp_committed_fn)(void *ctx, const uint8_t sender[MP_KEY_LEN]);
uint32_t mp_select(struct mempool *mp, mp_committed_fn committed_of, void *ctx,
		   const struct mp_tx **out, uint32_t max_txs, size_t max_bytes);

/* A block committed: the sender's transactions up to nonce leave. */
void mp_committed(struct mempool *mp, const uint8_t sender[MP_KEY_LEN], uint64_t nonce);

/* Whether a transaction is here, by id. */
bool mp_has(const struct mempool *mp, const uint8_t id[MP_KEY_LEN]);

uint32_t mp_count(const struct mempool *mp);
uint64_t mp_bytes(const struct mempool *mp);
uint64_t mp_evicted(const struct mempool *mp);

#endif
