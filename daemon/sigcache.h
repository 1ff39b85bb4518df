/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ids of transactions whose signature this gcd has checked. An id is
 * the SHA-256 of the transaction's whole encoding, signature included, so
 * bytes that hash to a known id carry a valid signature: the proposal that
 * repeats a transaction, the check before the prevote and the commit need
 * not verify it again (without the cache each transaction costs four
 * Ed25519 verifications per node, two of them on the main thread).
 *
 * 4-way set-associative, round-robin within a set; a forgotten id only
 * costs a verification. Shared by the workers and the main thread.
 */
#ifndef GCD_SIGCACHE_H
#define GCD_SIGCACHE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define SIGCACHE_WAYS	4
#define SIGCACHE_ID_LEN 32

struct sigcache {
	pthread_mutex_t lock;
	uint32_t sets; /* a power of two */
	uint8_t (*id)[SIGCACHE_ID_LEN];
	uint8_t *next; /* per set: the way to replace */
	uint64_t hits, misses;
};

/* Room for about ids entries (rounded up to a power of two); 0 or -1. */
int sigcache_init(struct sigcache *c, uint32_t ids);
void sigcache_destroy(struct sigcache *c);

void sigcache_add(struct sigcache *c, const uint8_t id[SIGCACHE_ID_LEN]);
bool sigcache_has(struct sigcache *c, const uint8_t id[SIGCACHE_ID_LEN]);

/* For gcd_block_check_known(): ctx is the cache, the bytes a transaction's. */
bool sigcache_known(void *ctx, const uint8_t *tx, size_t len);

#endif
