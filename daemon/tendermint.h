/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tendermint consensus, Algorithm 1 of Buchman, Kwon, Milosevic, "The latest
 * gossip on BFT consensus" (arXiv 1807.04938), as a sans-IO state machine.
 *
 * The engine does no I/O, reads no clock, does no cryptography and allocates
 * nothing after tm_new(). The caller
 *   - verifies the signature of every proposal and vote before handing it in
 *     (tm_on_proposal, tm_on_vote) and computes the 32-byte hash of values;
 *   - signs and gossips what the engine broadcasts: ops->broadcast gets the
 *     message and must fill in its sig field before returning (the engine
 *     keeps its own votes, with their signatures, for commit certificates;
 *     it counts its own messages itself: feeding them back is harmless);
 *   - runs the timers the engine asks for (ops->schedule) and calls
 *     tm_on_timeout() when they fire;
 *   - persists the decision handed to ops->decide, then calls
 *     tm_start_height(height + 1) (never from inside a callback).
 *
 * Messages are counted per validator with equal voting power. Thresholds:
 * the paper's "2f + 1" is read as "more than 2n/3" (quorum = 2n/3 + 1, which
 * is 2f + 1 for n = 3f + 1 and the only safe reading otherwise) and "f + 1"
 * as f + 1 with f = (n - 1) / 3.
 *
 * Every distinct vote counts, as in the paper's message log: the first vote
 * of a validator per (height, round, type) and, from an equivocating one,
 * its votes for other values too (kept in extra_votes slots per round and
 * type, those for nil or known values first). The first conflicting vote is
 * reported once through ops->evidence. Counting only the first vote would
 * let one equivocator show different correct validators different polkas,
 * and stall the chain for good (the simulator in tests/unit/test_tendermint.c
 * found such runs); counting both is safe: two quorums share a correct
 * validator, which votes once. A proposer's second, different proposal for
 * one (height, round) is reported through ops->proposal_evidence and kept
 * too (up to TM_PROPOSALS_PER_ROUND per round) so that the rules of lines 36
 * and 49 can match whichever the others vote for.
 *
 * Bounds (all memory is allocated by tm_new):
 *   - messages of the current height and of the next one are kept, in
 *     max_rounds round slots per height; older heights are ignored, later
 *     ones refused with -ERANGE (see the entry points below);
 *   - the next future_rounds rounds above the current one are kept in full
 *     (one message of each kind per validator, as any round); above them a
 *     validator keeps only its highest round (enough for the f+1 skip of
 *     L55): a message for a yet higher round replaces it, a lower one is
 *     dropped;
 *   - with max_rounds >= 1 + future_rounds + n + 3 a current or future round
 *     always gets a slot; past rounds are evicted, lowest first, but never
 *     the lockedRound and validRound ones;
 *   - values (block bytes) live in max_values slots of value_max bytes,
 *     shared by hash. Those of locked, valid and current-round proposals are
 *     never evicted; others go, farthest round from the current one first.
 * Every drop is counted in struct tm_stats. Forgetting a message is never
 * unsafe (the algorithm is safe under any message loss). A correct validator
 * sends at most one message of each kind per round, so its messages of the
 * current and next rounds are always kept. An adversary that sends more
 * distinct signed messages than the bounds hold (more than
 * TM_PROPOSALS_PER_ROUND proposals or extra_votes votes in a round, rounds
 * far ahead) can make correct validators keep different subsets of its
 * messages, and so delay a height; decided heights are caught up from
 * certificates (tm_on_commit) or by block sync.
 *
 * Memory: 2 * max_rounds * (2n * 97 + 2 * extra_votes * 98) bytes of logs plus
 * max_values * value_max of values: with the defaults about 0.1 MB for n = 4,
 * 0.25 MB for n = 7 and 7.7 MB (logs) for n = 64, plus 480 kB of values.
 */
#ifndef GCD_TENDERMINT_H
#define GCD_TENDERMINT_H

#include <stdbool.h>
#include <stdint.h>

#define TM_HASH_LEN	  32
#define TM_SIG_LEN	  64
#define TM_MAX_VALIDATORS 64
/* Different proposals of one proposer kept per round (equivocation). */
#define TM_PROPOSALS_PER_ROUND 2
/* Highest round accepted: pol_round is an s32 on the wire, round + 1 fits. */
#define TM_ROUND_MAX 0x7ffffffeU

/* step_p of the paper; TM_STEP_COMMIT: decided, waiting for tm_start_height. */
enum tm_step {
	TM_STEP_PROPOSE = 0,
	TM_STEP_PREVOTE = 1,
	TM_STEP_PRECOMMIT = 2,
	TM_STEP_COMMIT = 3,
};

/* Vote types, as on the wire (spec: 1 prevote, 2 precommit). */
enum tm_vote_type {
	TM_PREVOTE = 1,
	TM_PRECOMMIT = 2,
};

/* A value (block): opaque bytes identified by the caller's hash of them. */
struct tm_value {
	const uint8_t *data;
	uint32_t len;
	uint8_t hash[TM_HASH_LEN];
};

struct tm_proposal {
	uint64_t height;
	uint32_t round;
	int32_t pol_round; /* validRound of the proposer, -1: none */
	uint16_t proposer; /* validator index */
	struct tm_value value;
	uint8_t sig[TM_SIG_LEN]; /* opaque to the engine */
};

struct tm_vote {
	uint8_t type; /* enum tm_vote_type */
	uint64_t height;
	uint32_t round;
	bool has_value; /* false: a vote for nil */
	uint8_t hash[TM_HASH_LEN];
	uint16_t validator;
	uint8_t sig[TM_SIG_LEN]; /* opaque to the engine */
};

enum tm_msg_kind {
	TM_MSG_PROPOSAL = 1,
	TM_MSG_VOTE = 2,
};

struct tm_msg {
	enum tm_msg_kind kind;
	union {
		struct tm_proposal proposal;
		struct tm_vote vote;
	};
};

/* One entry of a commit certificate: a precommit for the decided value. */
struct tm_precommit {
	uint16_t validator;
	uint8_t sig[TM_SIG_LEN];
};

struct tm_ops {
	/* Sign m (fill m->proposal.sig or m->vote.sig) and gossip it. The
	 * value bytes of a proposal are valid during the call only. False when
	 * it was not sent (a restarted validator's guard refuses a step it
	 * signed before): then the engine does not count it as its own. */
	bool (*broadcast)(void *ctx, struct tm_msg *m);
	/* Call tm_on_timeout(kind, height, round) after delay_ms. */
	void (*schedule)(void *ctx, enum tm_step kind, uint64_t height, uint32_t round,
			 uint32_t delay_ms);
	/* getValue(): the proposer's new value for height. out->data must stay
	 * valid until get_value returns to the engine's caller; the engine
	 * copies it. Nonzero: nothing to propose (the round times out). */
	int (*get_value)(void *ctx, uint64_t height, uint32_t round, struct tm_value *out);
	/* valid(v): application validity of a value at height. Must be a
	 * function of (height, value): the engine caches the answer. */
	bool (*valid)(void *ctx, uint64_t height, const struct tm_value *v);
	/* decision_p[height] = v, decided in round with the n precommits of
	 * cert (validator indices strictly increasing, n > 2/3 of validators). */
	void (*decide)(void *ctx, uint64_t height, uint32_t round, const struct tm_value *v,
		       const struct tm_precommit *cert, uint32_t n);
	/* Two different votes of one validator for one (height, round, type):
	 * the one received first and a conflicting one (both count). Called once
	 * per (validator, height, round, type). May be NULL. */
	void (*evidence)(void *ctx, const struct tm_vote *first, const struct tm_vote *second);
	/* Two different proposals of one proposer for one (height, round);
	 * value bytes valid during the call only. May be NULL. */
	void (*proposal_evidence)(void *ctx, const struct tm_proposal *first,
				  const struct tm_proposal *second);
};

struct tm_config {
	/* timeoutX(round) = X_ms + round * X_delta_ms (saturating at 2^32 - 1) */
	uint32_t propose_ms, propose_delta_ms;
	uint32_t prevote_ms, prevote_delta_ms;
	uint32_t precommit_ms, precommit_delta_ms;
	uint32_t value_max;	/* largest value, bytes (>= 1) */
	uint32_t max_values;	/* value slots (>= 2 * TM_PROPOSALS_PER_ROUND + 2) */
	uint32_t max_rounds;	/* round slots per height; 0: 1 + future_rounds + n + 8 */
	uint32_t future_rounds; /* rounds above the current kept in full (1..64) */
	uint32_t extra_votes;	/* equivocators' extra votes per round and type;
				 * 0: f * (max_values + 1) + 4 */
};

struct tm_status {
	uint64_t height; /* h_p; 0 before the first tm_start_height */
	uint32_t round;	 /* round_p */
	enum tm_step step;
	int32_t locked_round, valid_round; /* -1: nil */
	bool has_locked, has_valid;
	uint8_t locked_hash[TM_HASH_LEN], valid_hash[TM_HASH_LEN];
	uint32_t n, quorum, f;
	int self; /* validator index, -1: non-validator */
};

struct tm_stats {
	uint64_t proposals, votes; /* stored */
	uint64_t duplicates;	   /* identical message again */
	uint64_t stale;		   /* older height, or the decided one */
	uint64_t double_votes;	   /* evidence reported */
	uint64_t extra_votes;	   /* equivocators' other votes kept (and counted) */
	uint64_t drop_votes;	   /* ... not kept: extra_votes full */
	uint64_t conflicting_proposals;
	uint64_t rejected;	     /* malformed: bad index, not the proposer, too large */
	uint64_t drop_future_height; /* beyond height + 1 */
	uint64_t drop_round_quota;   /* a validator's rounds beyond future_rounds */
	uint64_t drop_no_slot;	     /* no round slot for a past round */
	uint64_t drop_proposals;     /* beyond TM_PROPOSALS_PER_ROUND */
	uint64_t drop_values;	     /* value store full */
	uint64_t evicted_rounds, evicted_values;
	uint64_t round_skips; /* line 55 */
	uint64_t timeouts[3]; /* effective OnTimeout{Propose,Prevote,Precommit} */
	uint64_t get_value_failures;
	uint64_t decisions;
	uint64_t commits; /* decisions taken from a certificate (tm_on_commit) */
};

struct tm;

void tm_config_default(struct tm_config *cfg);
/* quorum = 2n/3 + 1 ("2f + 1"); f + 1 with f = (n - 1) / 3. */
uint32_t tm_quorum(uint32_t n);
uint32_t tm_f(uint32_t n);
/* proposer(h, r) = (h + r) mod n */
uint32_t tm_proposer(uint32_t n, uint64_t height, uint32_t round);
/* timeout of kind (TM_STEP_PROPOSE/PREVOTE/PRECOMMIT) for round */
uint32_t tm_timeout(const struct tm_config *cfg, enum tm_step kind, uint32_t round);

/* n_validators in 1..TM_MAX_VALIDATORS, self_index in -1..n-1. NULL on bad
 * arguments or no memory. The engine is idle until tm_start_height. */
struct tm *tm_new(const struct tm_config *cfg, uint32_t n_validators, int self_index,
		  const struct tm_ops *ops, void *ctx);
void tm_free(struct tm *t);

/*
 * Entry points. None may be called from inside an ops callback (-EBUSY).
 * Return 0 when the input was taken or harmlessly ignored (stale, duplicate,
 * double vote: see tm_stats), -EINVAL when malformed, -E2BIG for a value
 * above value_max, -ENOSPC when dropped by a bound, -ERANGE for a height
 * above h_p + 1: this node is behind. The caller keeps such messages (or
 * their item ids: the kernel holds the items) and hands them in again after
 * each tm_start_height, and catches up decided heights by block sync (or
 * tm_on_commit) meanwhile: the validators ahead do not send them again.
 *
 * Liveness rests on the paper's gossip property: every message a correct
 * validator receives eventually reaches every correct validator. The caller
 * must therefore relay (accept as valid items) every well-formed, correctly
 * signed proposal and vote of a validator, conflicting ones included, even
 * when the engine ignores or drops it.
 */
/* Start height (> the current one): lines 52-54 and 10 of the paper. */
int tm_start_height(struct tm *t, uint64_t height);
/*
 * What a validator that restarts in the middle of a height had there: the
 * round it signed in last, so that it goes on in it (StartRound(round), not
 * StartRound(0)) and its caller refuses to sign any step twice; and its lock.
 * Lines 36-43 set lockedValue, lockedRound, validValue and validRound
 * together with its precommit for the value (L40), so the caller persists
 * the lock before that precommit goes out: the value's bytes, the round and
 * the polka that made it, the prevotes of a quorum for it in that round
 * (tm_get_locked). Given back here, before any rule runs, they are both
 * lockedValue/Round and validValue/Round (a later validValue without a new
 * lock only helps liveness, and is not kept), and the polka is in the log:
 * the line 28 of others and of this validator needs it when the value is
 * proposed again with that round, after everybody's memory is gone.
 * Without the lock a restarted validator could prevote another value in a
 * later round: the paper's processes do not recover.
 */
struct tm_resume {
	uint32_t round;		     /* the round to start in */
	int32_t locked_round;	     /* -1: no lock (the rest is ignored) */
	struct tm_value locked;	     /* lockedValue */
	const struct tm_vote *polka; /* prevotes for it in locked_round, */
	uint32_t n_polka;	     /* of a quorum of distinct validators */
	/* What this validator signed in the height before the restart (its
	 * last proposal, prevote and precommit): in its log before the round
	 * starts, as the others count them. Without them the steps its guard
	 * refuses leave it short of its own votes, or, as proposer, with a
	 * proposal nobody else has. */
	const struct tm_msg *own;
	uint32_t n_own;
};

/* tm_start_height with a resume (NULL: round 0, no lock). -EINVAL: a lock
 * after round, without the quorum of its polka, or too large a value; an
 * own message of another height or signer, after round, or malformed.
 */
int tm_start_height_resume(struct tm *t, uint64_t height, const struct tm_resume *r);
/* The same, from round, with no lock. */
int tm_start_height_round(struct tm *t, uint64_t height, uint32_t round);
/*
 * The lock of h_p (valid until the next entry point): lockedValue's bytes,
 * lockedRound, and the prevotes for it in lockedRound, at most cap (n
 * suffices: one per validator). False when lockedValue is nil. May be
 * called from a callback: the node persists it when asked to broadcast the
 * precommit of line 40.
 */
bool tm_get_locked(const struct tm *t, struct tm_value *value, int32_t *round,
		   struct tm_vote *polka, uint32_t cap, uint32_t *n_polka);
int tm_on_proposal(struct tm *t, const struct tm_proposal *p);
int tm_on_vote(struct tm *t, const struct tm_vote *v);
int tm_on_timeout(struct tm *t, enum tm_step kind, uint64_t height, uint32_t round);
/*
 * A commit certificate for the current height that the caller verified (the
 * last_commit of a proposal of height + 1, or one fetched from a peer): the
 * precommits of n > 2n/3 validators (indices strictly increasing) for hash in
 * round. If the engine holds a proposal of that value, it decides it with
 * this certificate (ops->decide), as L49 would with those precommits; 0.
 * -ENOENT: no such proposal here (fetch the block, persist it, then
 * tm_start_height(height + 1)); -EINVAL: malformed, or valid() refuses the
 * value; 0 without deciding for an older or decided height; -ERANGE later.
 */
int tm_on_commit(struct tm *t, uint64_t height, uint32_t round, const uint8_t *hash,
		 const struct tm_precommit *cert, uint32_t n);

void tm_get_status(const struct tm *t, struct tm_status *s);
const struct tm_stats *tm_get_stats(const struct tm *t);
const char *tm_step_name(enum tm_step step);

#endif /* GCD_TENDERMINT_H */
