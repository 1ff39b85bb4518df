/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gcd's chain formats (issue #6): transactions, blocks, commit certificates,
 * proposals and votes, their encoders and bounds-checked decoders, tx ids,
 * block hashes, the RFC 6962 Merkle root of a block's tx ids, Ed25519
 * signatures with domain separation, the commit-certificate rule and the
 * proposer rotation.
 *
 * Every integer is big endian. A signature is Ed25519 over
 *
 *     "GCv1" || domain (1 tx, 2 proposal, 3 vote) || genesis_hash || body
 *
 * where body is the object's encoding up to its signature.
 *
 * Decoders take untrusted bytes and accept exactly one encoding of each
 * value (canonical): whatever decodes re-encodes to the same bytes. They
 * check the format only (lengths, ranges, versions, the order of a
 * certificate's indices); what needs the validator set or the ledger
 * (signatures, quorum, proposer, links, nonces) is checked by the
 * gcd_*_verify() and gcd_*_check() functions. Decoded structs point into the
 * input for variable-length parts (payload, block bytes, a block's txs):
 * keep the input alive while they are used.
 */
#ifndef GCD_CHAIN_H
#define GCD_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Item types of the kernel's items (uapi GC_A_ITEM_TYPE). */
#define GCD_ITEM_TX	   1
#define GCD_ITEM_PROPOSAL  2
#define GCD_ITEM_PREVOTE   3
#define GCD_ITEM_PRECOMMIT 4

#define GCD_TX_PAYLOAD_MAX 4096
#define GCD_BLOCK_MAX	   60000 /* a proposal must fit one item (61440) */
#define GCD_MAX_VALIDATORS 64

#define GCD_VERSION	 1
#define GCD_HASH_LEN	 32
#define GCD_PUBKEY_LEN	 32
#define GCD_SECKEY_LEN	 64 /* libsodium's: seed || public key */
#define GCD_SEED_LEN	 32
#define GCD_SIG_LEN	 64
#define GCD_CHAIN_ID_MAX 63
#define GCD_NAME_MAX	 63 /* validator and member names: the node-name rule */

/* Signature domains. */
#define GCD_DOMAIN_TX	    1
#define GCD_DOMAIN_PROPOSAL 2
#define GCD_DOMAIN_VOTE	    3

/* Transaction kinds. */
#define GCD_TX_APP    0 /* application payload */
#define GCD_TX_MEMBER 1 /* membership event: "member NAME EVENT INCARNATION" */

/* Vote types. */
#define GCD_VOTE_PREVOTE   1
#define GCD_VOTE_PRECOMMIT 2

/* Encoded sizes. */
#define GCD_TX_MIN_LEN	       (1 + 1 + 32 + 8 + 2 + 64)	     /* 108, empty payload */
#define GCD_TX_MAX_LEN	       (GCD_TX_MIN_LEN + GCD_TX_PAYLOAD_MAX) /* 4204 */
#define GCD_CERT_HEAD_LEN      (8 + 4 + 32 + 2)
#define GCD_CERT_ENTRY_LEN     (2 + 64)
#define GCD_CERT_MAX	       (GCD_CERT_HEAD_LEN + GCD_MAX_VALIDATORS * GCD_CERT_ENTRY_LEN)
#define GCD_BLOCK_FIXED_LEN    (1 + 8 + 4 + 8 + 32 + 32 + 2 + 4 + 2) /* 93: no cert, no tx */
#define GCD_BLOCK_TXS_MAX      ((GCD_BLOCK_MAX - GCD_BLOCK_FIXED_LEN) / (2 + GCD_TX_MIN_LEN))
#define GCD_PROPOSAL_FIXED_LEN (1 + 8 + 4 + 4 + 2 + 4 + 64) /* 87: without the block */
#define GCD_PROPOSAL_MAX       (GCD_PROPOSAL_FIXED_LEN + GCD_BLOCK_MAX)
#define GCD_VOTE_LEN	       (1 + 1 + 8 + 4 + 1 + 32 + 2 + 64) /* 113 */

/* Why something was refused; gcd_strerror() gives the text. */
enum gcd_err {
	GCD_OK = 0,
	/* format (decoders and encoders) */
	GCD_E_TRUNCATED,
	GCD_E_TRAILING,
	GCD_E_VERSION,
	GCD_E_TX_KIND,
	GCD_E_NONCE_ZERO,
	GCD_E_PAYLOAD_LEN,
	GCD_E_MEMBER_PAYLOAD,
	GCD_E_HEIGHT_ZERO,
	GCD_E_TOO_LARGE,
	GCD_E_TX_LEN,
	GCD_E_TX_COUNT,
	GCD_E_LAST_COMMIT,
	GCD_E_CERT_EMPTY,
	GCD_E_CERT_ORDER,
	GCD_E_VALIDATOR_INDEX,
	GCD_E_POL_ROUND,
	GCD_E_BLOCK_MISMATCH,
	GCD_E_VOTE_TYPE,
	GCD_E_HAS_BLOCK,
	GCD_E_NIL_HASH,
	GCD_E_NOSPACE,
	GCD_E_NOMEM,
	/* semantics (verify and check functions) */
	GCD_E_SIGNATURE,
	GCD_E_PROPOSER,
	GCD_E_QUORUM,
	GCD_E_CERT_TARGET,
	GCD_E_HEIGHT_ORDER,
	GCD_E_PREV_HASH,
	GCD_E_TX_ROOT,
	GCD_E_TIME,
	GCD_E_NONCE_ORDER,
	GCD_E_LOOKUP,
	GCD_E__COUNT
};

const char *gcd_strerror(enum gcd_err e);

/* A view of bytes owned by someone else. */
struct gcd_bytes {
	const uint8_t *p;
	size_t len;
};

struct gcd_tx {
	uint8_t kind; /* GCD_TX_APP or GCD_TX_MEMBER */
	uint8_t sender[GCD_PUBKEY_LEN];
	uint64_t nonce; /* >= 1 */
	const uint8_t *payload;
	uint16_t payload_len; /* <= GCD_TX_PAYLOAD_MAX */
	uint8_t sig[GCD_SIG_LEN];
};

/* Commit certificate of the block at height: > 2n/3 precommit signatures. */
struct gcd_cert {
	uint64_t height; /* >= 1 */
	uint32_t round;
	uint8_t hash[GCD_HASH_LEN];
	uint16_t count;			    /* 1..GCD_MAX_VALIDATORS */
	uint16_t index[GCD_MAX_VALIDATORS]; /* strictly increasing */
	uint8_t sig[GCD_MAX_VALIDATORS][GCD_SIG_LEN];
};

struct gcd_block {
	uint64_t height; /* >= 1 */
	uint32_t round;	 /* of the proposal that first carried it */
	uint64_t time_ms;
	uint8_t prev_hash[GCD_HASH_LEN];
	uint8_t tx_root[GCD_HASH_LEN];
	uint16_t proposer;
	/* The certificate of height - 1; unused (count 0) at height 1. */
	struct gcd_cert last_commit;
	uint16_t n_txs;
	struct gcd_bytes tx[GCD_BLOCK_TXS_MAX]; /* each a valid tx encoding */
};

struct gcd_proposal {
	uint64_t height; /* >= 1 */
	uint32_t round;
	int32_t pol_round; /* -1 or 0..round - 1 */
	uint16_t proposer;
	const uint8_t *block; /* the block's encoding */
	uint32_t block_len;
	uint8_t sig[GCD_SIG_LEN];
};

struct gcd_vote {
	uint8_t type;	 /* GCD_VOTE_PREVOTE or GCD_VOTE_PRECOMMIT */
	uint64_t height; /* >= 1 */
	uint32_t round;
	bool has_block; /* false: a vote for nil, hash all zero */
	uint8_t hash[GCD_HASH_LEN];
	uint16_t validator;
	uint8_t sig[GCD_SIG_LEN];
};

/*
 * Decoders: the whole of p[0..len) must be exactly one encoding. On success
 * *out is filled (views into p); on failure *out is unspecified.
 * gcd_proposal_decode() decodes the embedded block too (into *block when not
 * NULL) and requires its height to be the proposal's and its round not
 * after the proposal's (a re-proposed valid value keeps its first round).
 */
enum gcd_err gcd_tx_decode(const uint8_t *p, size_t len, struct gcd_tx *out);
enum gcd_err gcd_cert_decode(const uint8_t *p, size_t len, struct gcd_cert *out);
enum gcd_err gcd_block_decode(const uint8_t *p, size_t len, struct gcd_block *out);
enum gcd_err gcd_proposal_decode(const uint8_t *p, size_t len, struct gcd_proposal *out,
				 struct gcd_block *block);
enum gcd_err gcd_vote_decode(const uint8_t *p, size_t len, struct gcd_vote *out);

/*
 * Encoders: check the struct as the decoder would (so anything encoded
 * decodes), write at most cap bytes into buf and the length into *len.
 * GCD_E_NOSPACE when cap is short. The *_len() functions give the size an
 * encoding takes (of a struct that encodes).
 */
enum gcd_err gcd_tx_encode(const struct gcd_tx *tx, uint8_t *buf, size_t cap, size_t *len);
enum gcd_err gcd_cert_encode(const struct gcd_cert *c, uint8_t *buf, size_t cap, size_t *len);
enum gcd_err gcd_block_encode(const struct gcd_block *b, uint8_t *buf, size_t cap, size_t *len);
enum gcd_err gcd_proposal_encode(const struct gcd_proposal *p, uint8_t *buf, size_t cap,
				 size_t *len);
enum gcd_err gcd_vote_encode(const struct gcd_vote *v, uint8_t *buf, size_t cap, size_t *len);
size_t gcd_tx_len(const struct gcd_tx *tx);
size_t gcd_cert_len(const struct gcd_cert *c);
size_t gcd_block_len(const struct gcd_block *b);
size_t gcd_proposal_len(const struct gcd_proposal *p);

/* SHA-256; a tx id is that of the tx encoding, a block hash that of the block's. */
void gcd_sha256(const uint8_t *p, size_t len, uint8_t out[GCD_HASH_LEN]);
void gcd_tx_id(const uint8_t *tx, size_t len, uint8_t out[GCD_HASH_LEN]);
void gcd_block_hash(const uint8_t *block, size_t len, uint8_t out[GCD_HASH_LEN]);

/*
 * RFC 6962 Merkle tree hash of n ids: leaf = SHA-256(0x00 || id), node =
 * SHA-256(0x01 || left || right), the left subtree holding the largest power
 * of two below n (the same as pairing each level and promoting an odd last
 * node as is); n = 0 gives SHA-256("").
 */
void gcd_merkle_root(const uint8_t (*ids)[GCD_HASH_LEN], size_t n, uint8_t out[GCD_HASH_LEN]);
/* The Merkle root of a decoded block's transactions (their ids in order). */
void gcd_block_tx_root(const struct gcd_block *b, uint8_t out[GCD_HASH_LEN]);

/*
 * Domain-separated Ed25519 over "GCv1" || domain || genesis || body.
 * gcd_sign() returns GCD_E_NOMEM only; gcd_verify() GCD_E_SIGNATURE when the
 * signature does not verify (or the key is not a valid point).
 */
enum gcd_err gcd_sign(uint8_t domain, const uint8_t genesis[GCD_HASH_LEN], const uint8_t *body,
		      size_t len, const uint8_t sk[GCD_SECKEY_LEN], uint8_t sig[GCD_SIG_LEN]);
enum gcd_err gcd_verify(uint8_t domain, const uint8_t genesis[GCD_HASH_LEN], const uint8_t *body,
			size_t len, const uint8_t pk[GCD_PUBKEY_LEN],
			const uint8_t sig[GCD_SIG_LEN]);

/* Sign in place (fills ->sig; a tx's sender must be sk's public key to verify). */
enum gcd_err gcd_tx_sign(struct gcd_tx *tx, const uint8_t genesis[GCD_HASH_LEN],
			 const uint8_t sk[GCD_SECKEY_LEN]);
enum gcd_err gcd_proposal_sign(struct gcd_proposal *p, const uint8_t genesis[GCD_HASH_LEN],
			       const uint8_t sk[GCD_SECKEY_LEN]);
enum gcd_err gcd_vote_sign(struct gcd_vote *v, const uint8_t genesis[GCD_HASH_LEN],
			   const uint8_t sk[GCD_SECKEY_LEN]);

struct gcd_genesis; /* genesis.h */

/* The validator index proposing at (height, round) among n: (height + round) % n. */
uint32_t gcd_proposer(uint64_t height, uint32_t round, uint32_t n);

/* Signature of a tx by its sender. */
enum gcd_err gcd_tx_verify(const struct gcd_tx *tx, const uint8_t genesis[GCD_HASH_LEN]);
/* Proposer index < n, the proposer of (height, round), its signature. */
enum gcd_err gcd_proposal_verify(const struct gcd_proposal *p, const struct gcd_genesis *g);
/* Validator index < n and its signature. */
enum gcd_err gcd_vote_verify(const struct gcd_vote *v, const struct gcd_genesis *g);

/* The precommit vote that a certificate entry signs, rebuilt. */
void gcd_cert_vote(const struct gcd_cert *c, unsigned int i, struct gcd_vote *v);

/*
 * A commit certificate: count > 2n/3 of the n validators, indices strictly
 * increasing and < n, each signature that validator's over the precommit
 * (height, round, hash) it rebuilds. GCD_E_QUORUM, GCD_E_CERT_ORDER,
 * GCD_E_VALIDATOR_INDEX or GCD_E_SIGNATURE (*bad_entry, when not NULL, gets
 * the entry's position).
 */
enum gcd_err gcd_cert_check(const struct gcd_cert *c, const struct gcd_genesis *g,
			    unsigned int *bad_entry);

/* What a block extends: height 0 is the genesis (hash = genesis_hash, time = genesis_time_ms). */
struct gcd_prev {
	uint64_t height;
	uint8_t hash[GCD_HASH_LEN];
	uint64_t time_ms;
};

/* A sender's last committed nonce (0: none); nonzero return = lookup failed. */
typedef int (*gcd_nonce_fn)(void *ctx, const uint8_t sender[GCD_PUBKEY_LEN], uint64_t *last);

/*
 * Everything a decoded block must satisfy to follow prev: height = prev + 1,
 * prev_hash, time (>= genesis time at height 1, > prev's after), proposer =
 * gcd_proposer(height, block round) < n, last_commit a valid certificate of
 * (prev height, prev hash) from height 2 on, tx_root, each tx's signature
 * and each sender's nonces following the last committed one by one (earlier
 * txs of the same block count). *bad_tx (when not NULL) gets the index of
 * the tx at fault, or -1.
 */
enum gcd_err gcd_block_check(const struct gcd_block *b, const struct gcd_genesis *g,
			     const struct gcd_prev *prev, gcd_nonce_fn nonce_of, void *ctx,
			     int *bad_tx);
/*
 * The same, skipping the signature check of each tx for which
 * known(known_ctx, bytes, len) is true (sigcache.h: its signature was
 * checked before by this process).
 */
typedef bool (*gcd_known_fn)(void *ctx, const uint8_t *tx, size_t len);
enum gcd_err gcd_block_check_known(const struct gcd_block *b, const struct gcd_genesis *g,
				   const struct gcd_prev *prev, gcd_nonce_fn nonce_of, void *ctx,
				   gcd_known_fn known, void *known_ctx, int *bad_tx);

/* Membership-event payloads (kind GCD_TX_MEMBER): "member NAME EVENT INCARNATION". */
enum gcd_member_ev {
	GCD_MEV_ALIVE,
	GCD_MEV_DEAD,
	GCD_MEV_LEFT,
	GCD_MEV_SUSPECT,
};

struct gcd_member_event {
	char name[GCD_NAME_MAX + 1];
	enum gcd_member_ev event;
	uint32_t incarnation; /* decimal, no leading zero */
};

const char *gcd_member_ev_name(enum gcd_member_ev e);
enum gcd_err gcd_member_payload_parse(const uint8_t *p, size_t len, struct gcd_member_event *out);
/* Writes the payload (no NUL counted) and returns its length; GCD_E_* as negative on error. */
int gcd_member_payload_format(const struct gcd_member_event *e, char *buf, size_t cap);

#endif
