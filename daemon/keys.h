/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The node key: DIR/node.key holds the 32-byte libsodium Ed25519 seed in
 * base64 (44 characters, original alphabet with padding, as gcctl's
 * cluster keys and WireGuard's) and a newline. The key pair is derived
 * from the seed (crypto_sign_seed_keypair).
 *
 * The file is created on first start: a temporary file made by mkstemp()
 * (O_CREAT | O_EXCL, mode 0600 from the start, so there is no moment when
 * the umask or a chmod could leave it readable), written, fsync'ed, then
 * link()ed to node.key, which fails if another process made one meanwhile
 * (then that one is loaded), and the directory fsync'ed. A crash leaves
 * either no node.key or a complete one, never a torn one.
 *
 * Loading refuses a file that is not a regular file owned by the effective
 * user, or that grants any permission to group or others (mode & 077), or
 * whose content is not exactly the 44 characters (plus one optional
 * newline).
 */
#ifndef GCD_KEYS_H
#define GCD_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chain.h"

#define GCD_KEY_FILE	"node.key"
#define GCD_KEY_B64_LEN 44

struct gcd_key {
	uint8_t pub[GCD_PUBKEY_LEN];
	uint8_t sk[GCD_SECKEY_LEN]; /* libsodium's secret key: seed || pub */
};

/* Load the key of path. Returns 0 or -1 with a message in err. */
int gcd_key_load(const char *path, struct gcd_key *k, char *err, size_t errlen);
/* Make a new key at path (which must not exist). Returns 0 or -1 with err. */
int gcd_key_create(const char *path, struct gcd_key *k, char *err, size_t errlen);
/*
 * DIR/node.key: loaded if it exists, else created (*created true).
 * Returns 0 or -1 with err.
 */
int gcd_key_load_or_create(const char *dir, struct gcd_key *k, bool *created, char *err,
			   size_t errlen);
/* Zero the secret in memory. */
void gcd_key_wipe(struct gcd_key *k);

#endif
