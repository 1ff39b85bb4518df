/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gcd's ledger: the hash-chained, certified blocks in LMDB.
 *
 * One LMDB environment in DIR/ledger/ (data.mdb, lock.mdb) with the named
 * databases (every integer big endian, so keys sort by height):
 *
 *   blocks    u64 height -> block encoding
 *   hashes    block hash -> u64 height
 *   txs       tx id -> u64 height || u16 index in the block
 *   nonces    sender key -> u64 last committed nonce
 *   certs     u64 height -> commit certificate of that block
 *   rejected  tx id -> u64 sequence || reason text (at most
 *             LEDGER_REJECTED_MAX records, the oldest dropped)
 *   rejected_order  u64 sequence -> tx id (which one is oldest)
 *   evidence  u64 height || u32 round || u8 vote type || u16 validator
 *             -> the two conflicting votes (encodings, smaller first)
 *   meta      "genesis" -> genesis_hash; "head" -> u64 height || hash
 *             (height 0, genesis_hash before the first block);
 *             "rejected_seq" -> u64 next rejected sequence
 *
 * ledger_commit() checks the block fully (chain.h gcd_block_check(): link,
 * time, proposer, last commit, tx root, signatures, nonces) and its commit
 * certificate, then writes block, hashes, txs, nonces, certs and head in ONE
 * write transaction and returns after LMDB's commit, which syncs (the
 * environment never uses MDB_NOSYNC, MDB_NOMETASYNC or MDB_WRITEMAP): a
 * crash at any point leaves the old head or the new one, never part of a
 * block. Nothing is cached in memory: every read is a fresh LMDB
 * transaction, so the handle never disagrees with the disk.
 *
 * A handle is for one thread at a time. LMDB forbids opening one
 * environment twice in a process: while a process has a ledger open, it
 * must use that handle (ledger_verify_open(), not ledger_verify()). Other
 * processes open it LEDGER_RDONLY while gcd writes; each of their reads
 * sees a consistent snapshot.
 *
 * The map starts at LEDGER_MAP_INITIAL (1 GiB of address space; the file
 * grows only as data is written) and doubles, up to LEDGER_MAP_MAX, when a
 * write transaction finds it full (the transaction is aborted and retried
 * from the start, so nothing half-written survives). Readers in other
 * processes follow the new size (MDB_MAP_RESIZED).
 *
 * Functions return enum ledger_rc; on anything but LEDGER_OK the reason is
 * in ledger_errmsg().
 */
#ifndef GCD_LEDGER_H
#define GCD_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chain.h"
#include "genesis.h"

#define LEDGER_DIR		"ledger" /* under the state directory */
#define LEDGER_MAP_INITIAL	((size_t)1 << 30)
#define LEDGER_MAP_MAX		((size_t)1 << 40)
#define LEDGER_REJECTED_MAX	100000
#define LEDGER_REASON_MAX	255 /* bytes of a rejection reason kept */
#define LEDGER_EVIDENCE_KEY_LEN (8 + 4 + 1 + 2)

enum ledger_rc {
	LEDGER_OK = 0,
	LEDGER_NOTFOUND = 1,  /* no such block, tx, nonce, record */
	LEDGER_EXISTS = 2,    /* evidence for that vote is recorded already */
	LEDGER_EIO = -1,      /* LMDB or the file system failed */
	LEDGER_EGENESIS = -2, /* the ledger belongs to another genesis */
	LEDGER_ECORRUPT = -3, /* what is stored is inconsistent */
	LEDGER_EINVALID = -4, /* the block, certificate or votes given are invalid */
	LEDGER_ENOMEM = -5,
	LEDGER_ERDONLY = -6, /* a write on a read-only handle */
	LEDGER_ESPACE = -7,  /* a caller's buffer is too small */
};

#define LEDGER_RDONLY 0x1 /* open for reading (another process writes) */

struct ledger_opts {
	unsigned int flags;
	size_t map_size; /* initial map size; 0: LEDGER_MAP_INITIAL */
};

struct ledger;

/*
 * Open DIR/ledger (created, mode 0700, on a first read-write open). A new
 * ledger records genesis g->hash and head (0, g->hash). On every open the
 * recorded genesis must be g->hash (else LEDGER_EGENESIS) and the head must
 * be consistent: the head block exists and hashes to the recorded head
 * hash, no block lies past it, its certificate is stored (else
 * LEDGER_ECORRUPT). The genesis is copied. On failure *out is NULL and err
 * (when not NULL) holds the reason.
 */
int ledger_open(struct ledger **out, const char *dir, const struct gcd_genesis *g,
		unsigned int flags, char *err, size_t errlen);
int ledger_open_ex(struct ledger **out, const char *dir, const struct gcd_genesis *g,
		   const struct ledger_opts *o, char *err, size_t errlen);
void ledger_close(struct ledger *l);

/* The last error's text (empty after success). */
const char *ledger_errmsg(const struct ledger *l);

/* Checks of blocks (ledger_check_block, ledger_commit) skip the signature of
 * each tx known(ctx, bytes, len) says was verified already (sigcache.h);
 * gcd verify never sets it.
 */
void ledger_set_known(struct ledger *l, gcd_known_fn known, void *ctx);

/* The head: height (0 before the first block), hash and time_ms (the genesis' at 0). */
int ledger_head(struct ledger *l, struct gcd_prev *head);

/*
 * Would block (encoding) extend the head? Everything ledger_commit() checks
 * but the block's own certificate. LEDGER_EINVALID with the reason.
 */
int ledger_check_block(struct ledger *l, const uint8_t *block, size_t len);

/*
 * Append block with its commit certificate (cert: height = the block's,
 * hash = its hash, valid for the genesis validators). Durable on return.
 * LEDGER_EINVALID (nothing written) when either is not right.
 */
int ledger_commit(struct ledger *l, const uint8_t *block, size_t len, const uint8_t *cert,
		  size_t cert_len);

/* Copies of stored encodings: at most cap bytes (LEDGER_ESPACE if more), *len set. */
int ledger_get_block(struct ledger *l, uint64_t height, uint8_t *buf, size_t cap, size_t *len);
int ledger_get_cert(struct ledger *l, uint64_t height, uint8_t *buf, size_t cap, size_t *len);

/* Height of the block with this hash. */
int ledger_find_block(struct ledger *l, const uint8_t hash[GCD_HASH_LEN], uint64_t *height);
/* Where a committed tx is. */
int ledger_find_tx(struct ledger *l, const uint8_t id[GCD_HASH_LEN], uint64_t *height,
		   uint16_t *index);
/* A sender's last committed nonce; 0 (and LEDGER_OK) when none. */
int ledger_nonce(struct ledger *l, const uint8_t sender[GCD_PUBKEY_LEN], uint64_t *last);

/*
 * Rejected transactions: why gcd refused them, for operators. One write
 * transaction for n of them (batch what a tick rejects). A reason longer
 * than LEDGER_REASON_MAX is cut. Rejecting an id again replaces its
 * reason and makes it the newest. Beyond LEDGER_REJECTED_MAX the oldest go.
 */
struct ledger_rejection {
	uint8_t id[GCD_HASH_LEN];
	const char *reason;
};

int ledger_reject(struct ledger *l, const struct ledger_rejection *r, size_t n);
/* The reason as a NUL-terminated string in reason[cap]. */
int ledger_rejected(struct ledger *l, const uint8_t id[GCD_HASH_LEN], char *reason, size_t cap);
int ledger_rejected_count(struct ledger *l, uint64_t *count);

/*
 * Evidence of equivocation: two votes of one validator for the same
 * height, round and type, for different values, both validly signed.
 * LEDGER_EINVALID when they are not that, LEDGER_EXISTS when evidence
 * for that (height, round, type, validator) is recorded already (the first
 * is kept). The record holds the two encodings, the smaller first.
 */
int ledger_add_evidence(struct ledger *l, const uint8_t *vote_a, size_t len_a,
			const uint8_t *vote_b, size_t len_b);
int ledger_get_evidence(struct ledger *l, uint64_t height, uint32_t round, uint8_t type,
			uint16_t validator, uint8_t a[GCD_VOTE_LEN], uint8_t b[GCD_VOTE_LEN]);
/* Calls fn for each record in key order (height first); fn returning nonzero stops. */
int ledger_evidence_foreach(struct ledger *l,
			    int (*fn)(void *ctx, const struct gcd_vote *a,
				      const struct gcd_vote *b),
			    void *ctx);

/*
 * Re-check the whole chain in one read snapshot: every block decodes, is
 * at its key's height, links to the previous hash, has a proposer of the
 * rotation, a time after the previous, a last commit certifying the
 * previous block, the Merkle root of its txs, validly signed txs whose
 * nonces follow each other per sender; every certificate is valid and for
 * that block; the hashes, txs and nonces indexes match exactly; the head
 * is the last block. Stops at the first fault.
 */
struct ledger_report {
	bool ok;
	uint64_t blocks;     /* blocks checked good */
	uint64_t txs;	     /* their transactions */
	uint64_t bad_height; /* the first bad block's height; 0: not a block's (meta, index) */
	char msg[256];	     /* what is wrong */
};

/*
 * LEDGER_OK with report->ok true when all is well; LEDGER_ECORRUPT (or
 * LEDGER_EGENESIS for a ledger of another genesis) with report filled when
 * not; other codes when it could not be read.
 */
int ledger_verify_open(struct ledger *l, struct ledger_report *report);
/* The same for a ledger under dir that this process has not open (opens it read-only). */
int ledger_verify(const char *dir, const struct gcd_genesis *g, struct ledger_report *report);

#endif
