/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The genesis file: the chain's id, its start time and its validators.
 *
 *     {"chain_id": "name", "genesis_time_ms": 1796170000000,
 *      "validators": [{"name": "node1", "pub_key": "<64 hex>"}, ...]}
 *
 * chain_id and validator names follow the node-name rule (1 to 63 of
 * A-Z a-z 0-9 . _ -); 1 to GCD_MAX_VALIDATORS validators with distinct
 * names and distinct keys, each a valid Ed25519 point; genesis_time_ms an
 * integer 0 to 2^63 - 2. Exactly these keys, nothing else, no trailing
 * text. genesis_hash is SHA-256 of the file's bytes as read, so every node
 * must hold the very same bytes (the JSON text, not just the values).
 */
#ifndef GCD_GENESIS_H
#define GCD_GENESIS_H

#include <stddef.h>
#include <stdint.h>

#include "chain.h"

#define GCD_GENESIS_FILE_MAX (1 << 20) /* bytes */

struct gcd_validator {
	char name[GCD_NAME_MAX + 1];
	uint8_t pub[GCD_PUBKEY_LEN];
};

struct gcd_genesis {
	char chain_id[GCD_CHAIN_ID_MAX + 1];
	uint64_t time_ms;
	uint32_t n; /* validators, 1..GCD_MAX_VALIDATORS */
	struct gcd_validator v[GCD_MAX_VALIDATORS];
	uint8_t hash[GCD_HASH_LEN]; /* SHA-256 of the file's bytes */
};

/*
 * Parse and validate len bytes of genesis JSON into *g (hash included).
 * Returns 0, or -1 with a message naming the field at fault in err.
 */
int gcd_genesis_parse(const uint8_t *text, size_t len, struct gcd_genesis *g, char *err,
		      size_t errlen);
/* Read the file (at most GCD_GENESIS_FILE_MAX bytes) and parse it. */
int gcd_genesis_load(const char *path, struct gcd_genesis *g, char *err, size_t errlen);

/*
 * The JSON text of g (chain_id, time and validators; g->hash ignored), as
 * gcd_genesis_write() writes it: malloc'd, NUL-terminated, *len without the
 * NUL. Validates g as parsing would. Returns 0 or -1 with err.
 */
int gcd_genesis_format(const struct gcd_genesis *g, char **text, size_t *len, char *err,
		       size_t errlen);
/*
 * Write g to path, which must not exist yet (a genesis is never silently
 * replaced: its hash is the chain's identity), durably (fsync of the file
 * and of its directory), mode 0644; sets g->hash to the hash of what was
 * written. Returns 0 or -1 with err.
 */
int gcd_genesis_write(const char *path, struct gcd_genesis *g, char *err, size_t errlen);

/*
 * The genesis a state dir runs on, kept in DIR/GCD_GENESIS_KEPT so that
 * gcd verify and gcctl need only the dir. With path: load it, and copy its
 * bytes there (durably) the first time; a copy of another genesis already
 * there is an error. Without (NULL): load the copy. Returns 0 or -1 with err.
 */
#define GCD_GENESIS_KEPT "genesis.json"
int gcd_genesis_keep(const char *path, const char *dir, struct gcd_genesis *g, char *err,
		     size_t errlen);

/* The index of the validator with public key pub, or -1. */
int gcd_genesis_find(const struct gcd_genesis *g, const uint8_t pub[GCD_PUBKEY_LEN]);

#endif
