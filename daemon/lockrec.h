/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tendermint's lock, kept in the state dir before the precommit that comes
 * with it leaves (tendermint.h, struct tm_resume): the height, lockedRound,
 * the locked block's bytes and the prevotes of the polka that made the lock.
 * Two files, lock-a and lock-b, written in turn: a torn write (power cut)
 * damages only the one being written, whose CRC then fails, and the other
 * still holds the lock before it; the reader takes the whole record of the
 * height with the highest round.
 */
#ifndef GCD_LOCKREC_H
#define GCD_LOCKREC_H

#include <stddef.h>
#include <stdint.h>

#include "chain.h"
#include "genesis.h"
#include "tendermint.h"

/* magic (4), height (8), round (4), block length (4), votes (2) */
#define LOCKREC_HEAD_LEN 22
#define LOCKREC_MAX	 (LOCKREC_HEAD_LEN + GCD_BLOCK_MAX + GCD_MAX_VALIDATORS * GCD_VOTE_LEN + 4)

struct lockrec {
	uint64_t height;
	uint32_t round; /* lockedRound */
	const uint8_t *block;
	uint32_t block_len;
	uint16_t n_votes;
	/* Each an encoded prevote of GCD_VOTE_LEN bytes. */
	const uint8_t *votes;
};

/* 0, or -1 when it does not fit cap or breaks a bound above. */
int lockrec_encode(const struct lockrec *r, uint8_t *out, size_t cap, size_t *len);
/* Exactly one whole record in p[0..len): 0 (r views into p), else -1.
 * The structure only: the caller checks the votes' signatures and hashes.
 */
int lockrec_decode(const uint8_t *p, size_t len, struct lockrec *r);

/* The record of the engine's lock (tm_get_locked) at height; 0 or -1. */
int lockrec_build(uint64_t height, const struct tm_value *value, int32_t round,
		  const struct tm_vote *polka, uint32_t n_polka, uint8_t *out, size_t cap,
		  size_t *len);
/*
 * A decoded record as the engine takes it back (tm_start_height_resume): each
 * vote a prevote of the record's height and round for the block's hash,
 * signed by the validator it names (the genesis); polka has room for
 * GCD_MAX_VALIDATORS, res views into r and polka. 0, or -1 with *why.
 */
int lockrec_resume(const struct lockrec *r, const struct gcd_genesis *g, struct tm_vote *polka,
		   struct tm_resume *res, const char **why);

struct lockstore {
	int fd[2];
	unsigned int next; /* the file the next save goes to */
};

int lockstore_open(struct lockstore *ls, const char *dir, char *err, size_t errlen);
void lockstore_close(struct lockstore *ls);
/* Writes an encoded record, durably, over the older of the two; 0 or -1. */
int lockstore_save(struct lockstore *ls, const uint8_t *rec, size_t len);
/* The whole record of height with the highest round, into buf (cap >=
 * LOCKREC_MAX): its length, 0 when there is none.
 */
size_t lockstore_load(struct lockstore *ls, uint64_t height, uint8_t *buf, size_t cap);

#endif
