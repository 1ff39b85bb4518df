/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Catch-up: a gcd that is behind (new, or back from a crash) fetches the
 * committed blocks it lacks, with their commit certificates, from a peer's
 * gcd over TCP, and commits each only after the ledger has checked it
 * whole (link, proposer, transactions, nonces, and a certificate signed by
 * more than two thirds of the genesis validators): a peer can withhold
 * blocks, never forge one.
 *
 * The exchange, on the sync port (the gossip port + 1 by default):
 *
 *   client: "GCSYNC1 <from height>\n"
 *   server: frames of  u32 block length, block, u32 cert length, cert
 *           for heights from .. its head (at most SYNC_BATCH of them),
 *           then u32 0.
 */
#ifndef GCD_SYNC_H
#define GCD_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SYNC_BATCH	2000
#define SYNC_TIMEOUT_MS 5000

struct node;

/* A listening socket on port, for IPv4 and IPv6; -1 with errno. */
int sync_listen(uint16_t port);
/* The server: accepts and answers until n->stop (a thread of its own). */
void *sync_serve(void *node);
/* Fetches from the peer at address (text) and port what this node lacks;
 * returns the blocks committed, or -1 (msg says why).
 */
long sync_from(struct node *n, const char *address, uint16_t port, char *msg, size_t msglen);

#endif
