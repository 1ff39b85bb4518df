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

#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SYNC_BATCH	2000
#define SYNC_TIMEOUT_MS 5000  /* the server: each read and write */
#define SYNC_PEER_MS	30000 /* the client: one peer's whole answer */
#define SYNC_PEERS	16
#define SYNC_TRIES	3 /* peers asked per round */

struct node;

/*
 * The client runs on a thread of its own, so that a slow or hostile peer
 * never holds the main loop (consensus, the kernel's verdicts): the loop
 * asks for a round with the live members' addresses, the thread commits
 * what it fetches (under the ledger's lock) and signals done_fd at the end.
 */
struct sync_client {
	struct node *n;
	pthread_t thread;
	bool up, stop, asked, busy;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int done_fd; /* eventfd: a round ended */
	char addr[SYNC_PEERS][INET6_ADDRSTRLEN];
	unsigned int n_addr;
	uint16_t port;
	long got; /* the round's blocks committed */
	char msg[256];
};

/* A listening socket on port, for IPv4 and IPv6; -1 with errno. */
int sync_listen(uint16_t port);
/* The server: accepts and answers until n->stop (a thread of its own). */
void *sync_serve(void *node);
/* Fetches from the peer at address (text) and port what this node lacks,
 * within limit_ms; returns the blocks committed, or -1 (msg says why; it
 * also says what cut an answer short after some blocks).
 */
long sync_from(struct node *n, const char *address, uint16_t port, uint32_t limit_ms, char *msg,
	       size_t msglen);

int sync_client_start(struct sync_client *c, struct node *n);
void sync_client_stop(struct sync_client *c);
/* A round over these peers, from a random one, up to SYNC_TRIES of them;
 * false while a round runs.
 */
bool sync_client_ask(struct sync_client *c, char (*addr)[INET6_ADDRSTRLEN], unsigned int count,
		     uint16_t port);
/* Once done_fd is readable: the blocks the round committed, and what it
 * says (nothing when it fetched none).
 */
long sync_client_done(struct sync_client *c, char *msg, size_t msglen);

#endif
