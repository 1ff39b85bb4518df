/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A running gcd: the verifier of every item the kernel offers it (checked
 * on worker threads, judged against the ledger on the main thread), the
 * mempool, Tendermint over proposals and votes gossiped as items, the ledger
 * it commits to, catch-up from peers, and the membership events it turns
 * into signed transactions. One thread runs it all but signature checks.
 */
#ifndef GCD_NODE_H
#define GCD_NODE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "backlog.h"
#include "chain.h"
#include "genesis.h"
#include "kernel.h"
#include "keys.h"
#include "ledger.h"
#include "lockrec.h"
#include "mempool.h"
#include "sentlog.h"
#include "sigcache.h"
#include "signguard.h"
#include "sync.h"
#include "tendermint.h"
#include "timers.h"
#include "workers.h"

struct node_opts {
	const char *state_dir;
	const char *genesis_path;
	uint16_t sync_port;	 /* catch-up over TCP: listen here, and ask peers here */
	unsigned int workers;	 /* verification threads; 0: one per CPU */
	uint32_t commit_ms;	 /* after a commit, wait this long for the next height */
	uint32_t empty_block_ms; /* with nothing to commit, a block at most this often */
	uint32_t propose_ms;	 /* Tendermint's timeouts: base ... */
	uint32_t delta_ms;	 /* ... and added per round */
	bool membership_txs;	 /* member events become transactions */
};

struct node_stats {
	uint64_t upcalls, accepted, rejected, unjudged, verdict_errors;
	uint64_t txs_accepted, txs_rejected, proposals, votes, double_votes;
	uint64_t blocks, txs_committed, synced_blocks, sync_rounds, member_txs;
	uint64_t refused_signs, equivocations_refused, resent;
	uint64_t locks_saved, locks_restored;
	uint64_t txs_late; /* copies of committed txs, dropped without a record */
};

/* A message this validator signed, kept to put again (node.c resend_signed). */
struct signed_msg {
	uint8_t *buf; /* GCD_PROPOSAL_MAX */
	size_t len;
	uint64_t height, sent_ms;
};

struct node {
	struct node_opts o;
	struct gcd_genesis g;
	struct gcd_key key;
	int self; /* validator index, -1: not a validator */
	struct ledger *ledger;
	pthread_mutex_t ledger_lock; /* the handle is for one thread at a time */
	struct mempool *mp;
	struct tm *tm;
	struct signguard sg;
	struct sentlog sl;     /* what it signed last, for after a restart */
	struct lockstore ls;   /* its Tendermint lock, for after a restart */
	struct backlog future; /* messages of heights Tendermint cannot take yet */
	struct kernel k;
	struct timers ts;
	struct workers *wk;
	struct sigcache sc; /* txs whose signature a worker checked */
	int sigfd, sync_fd;
	int lock_fd; /* flock()ed DIR/gcd.lock: one gcd per state dir */
	pthread_t sync_thread;
	bool sync_thread_up;
	struct sync_client sc_client; /* catch-up, on a thread of its own */
	bool sync_again;	      /* asked while a round ran */
	uint64_t applied;	      /* the mempool has seen the commits up to here */
	volatile bool stop;
	uint64_t started; /* the height Tendermint runs; 0: none yet */
	uint64_t last_sync_ms, behind_seen;
	uint64_t own_nonce;	   /* the last nonce this node's key used */
	bool double_vote;	   /* set by the evidence callback of the vote at hand */
	uint8_t *block_buf;	   /* GCD_BLOCK_MAX: the block the proposer builds */
	struct signed_msg sent[3]; /* last proposal, prevote, precommit signed */
	/* Rejected txs, recorded in one ledger transaction per batch of verdicts. */
	struct ledger_rejection rej[256];
	unsigned int n_rej;
	uint8_t *lock_rec; /* LOCKREC_MAX: the last lock record saved or restored */
	size_t lock_len;
	uint64_t lock_height;
	struct node_stats st;
};

/* Opens everything: key (created at first start), genesis, ledger, kernel
 * link (registered as the verifier), workers, sync listener. Returns 0, or
 * -1 with a message in err.
 */
int node_open(struct node *n, const struct node_opts *o, char *err, size_t errlen);
/* Runs until SIGTERM or SIGINT; returns the exit status. */
int node_run(struct node *n);
void node_close(struct node *n);

#endif
