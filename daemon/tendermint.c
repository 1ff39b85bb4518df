// SPDX-License-Identifier: GPL-2.0
/*
 * Tendermint, Algorithm 1 of Buchman, Kwon, Milosevic 2018 (arXiv 1807.04938).
 * Comments "L<n>" name the line of the paper's Algorithm 1 a piece of code
 * implements. See tendermint.h for the interface, thresholds and bounds.
 *
 * The upon-rules are guarded commands over the message log and the state
 * variables: after every input (message, timeout, start of a height) the
 * engine re-evaluates all of them until none is enabled (process()). Any
 * order of enabled rules is an execution of the algorithm; the order chosen
 * here is L49 (decide), L55 (round skip), then the rules of the current round.
 */

#include "tendermint.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NPROP TM_PROPOSALS_PER_ROUND

enum { VS_NONE = 0, VS_NIL, VS_VALUE };

/* One validator's vote of one type in one round: the first one received. */
struct tm_vslot {
	uint8_t state; /* VS_* */
	uint8_t hash[TM_HASH_LEN];
	uint8_t sig[TM_SIG_LEN];
};

/* Another vote of an equivocating validator, for another value. */
struct tm_xvote {
	uint8_t validator;
	uint8_t state; /* VS_NIL or VS_VALUE */
	uint8_t hash[TM_HASH_LEN];
	uint8_t sig[TM_SIG_LEN];
};

/* A proposal of the round's proposer. */
struct tm_prop {
	int32_t val; /* index in the value store */
	int32_t pol; /* its validRound, -1: none */
	uint8_t sig[TM_SIG_LEN];
};

/* The messages of one round of one height. */
struct tm_round {
	bool used;
	bool prop_reported; /* proposal equivocation reported */
	uint8_t nprop;
	uint32_t round;
	uint64_t senders;     /* validators with any message here (L55) */
	uint64_t mask[2];     /* validators with a prevote / a precommit here */
	uint64_t reported[2]; /* validators whose double vote was reported */
	struct tm_prop prop[NPROP];
	struct tm_vslot *vote[2]; /* [type - 1][validator] */
	struct tm_xvote *xtra[2]; /* [type - 1][cfg.extra_votes] */
	uint32_t nxtra[2];
};

/* The message log of one height. */
struct tm_log {
	uint64_t height;
	struct tm_round *slot; /* [nslots] */
};

/* A value (block) and the references to it: proposals, locked, valid. */
struct tm_val {
	bool used;
	int8_t valid; /* cached valid(v) for valid_height, -1: unknown */
	uint32_t refs;
	uint32_t len;
	uint64_t valid_height;
	uint8_t hash[TM_HASH_LEN];
	uint8_t *data;
};

struct tm {
	struct tm_config cfg;
	struct tm_ops ops;
	void *ctx;
	uint32_t n, quorum, skip, nslots;
	int self;

	/* L2-L9 */
	uint64_t h;		 /* h_p */
	uint32_t round;		 /* round_p */
	enum tm_step step;	 /* step_p; TM_STEP_COMMIT once decision_p[h_p] != nil */
	bool decided;		 /* decision_p[h_p] != nil (or not started) */
	int32_t lockedv, validv; /* value store index, -1: nil */
	int32_t locked_round, valid_round;
	/* "for the first time" of L34, L36, L47, per round_p */
	bool fired34, fired36, fired47;

	bool busy; /* inside an entry point: callbacks may not re-enter */
	struct tm_log log[2];
	int cur; /* log[cur] holds h_p, log[!cur] h_p + 1 */
	struct tm_val *vals;
	struct tm_precommit *cert;
	struct tm_stats st;

	struct tm_round *round_mem;
	struct tm_vslot *vote_mem;
	struct tm_xvote *xtra_mem;
	uint8_t *val_mem;
};

/* ---- helpers ---------------------------------------------------------- */

uint32_t tm_quorum(uint32_t n)
{
	return 2 * n / 3 + 1;
}

uint32_t tm_f(uint32_t n)
{
	return n ? (n - 1) / 3 : 0;
}

uint32_t tm_proposer(uint32_t n, uint64_t height, uint32_t round)
{
	return (uint32_t)((height % n + round % n) % n);
}

uint32_t tm_timeout(const struct tm_config *cfg, enum tm_step kind, uint32_t round)
{
	uint64_t base, delta, v;

	switch (kind) {
	case TM_STEP_PROPOSE:
		base = cfg->propose_ms;
		delta = cfg->propose_delta_ms;
		break;
	case TM_STEP_PREVOTE:
		base = cfg->prevote_ms;
		delta = cfg->prevote_delta_ms;
		break;
	default:
		base = cfg->precommit_ms;
		delta = cfg->precommit_delta_ms;
		break;
	}
	v = base + (uint64_t)round * delta;
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

const char *tm_step_name(enum tm_step step)
{
	switch (step) {
	case TM_STEP_PROPOSE:
		return "propose";
	case TM_STEP_PREVOTE:
		return "prevote";
	case TM_STEP_PRECOMMIT:
		return "precommit";
	case TM_STEP_COMMIT:
		return "commit";
	}
	return "?";
}

void tm_config_default(struct tm_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->propose_ms = 3000;
	cfg->propose_delta_ms = 500;
	cfg->prevote_ms = 1000;
	cfg->prevote_delta_ms = 500;
	cfg->precommit_ms = 1000;
	cfg->precommit_delta_ms = 500;
	cfg->value_max = 60000;
	cfg->max_values = 8;
	cfg->max_rounds = 0;
	cfg->future_rounds = 4;
}

static bool hash_eq(const uint8_t *a, const uint8_t *b)
{
	return !memcmp(a, b, TM_HASH_LEN);
}

static uint32_t popcount(uint64_t x)
{
	return (uint32_t)__builtin_popcountll(x);
}

static uint64_t bit(uint32_t i)
{
	return 1ULL << i;
}

static struct tm_log *cur_log(struct tm *t)
{
	return &t->log[t->cur];
}

static struct tm_log *next_log(struct tm *t)
{
	return &t->log[!t->cur];
}

/* The log the rules run on: height h_p before its decision. */
static bool is_live(const struct tm *t, const struct tm_log *l)
{
	return l == &t->log[t->cur] && !t->decided;
}

/* The round a log's rounds are "future" above. */
static uint32_t base_round(const struct tm *t, const struct tm_log *l)
{
	return is_live(t, l) ? t->round : 0;
}

/* ---- value store -------------------------------------------------------- */

static void val_ref(struct tm *t, int32_t vi)
{
	t->vals[vi].refs++;
}

static void val_release(struct tm *t, int32_t vi)
{
	if (vi < 0)
		return;
	if (--t->vals[vi].refs == 0)
		t->vals[vi].used = false;
}

/* How far a proposal of round r in log l is from what matters now; 0: kept. */
static uint64_t prop_distance(const struct tm *t, const struct tm_log *l, uint32_t r)
{
	if (is_live(t, l))
		return r > t->round ? r - t->round : t->round - r;
	if (l == &t->log[!t->cur])
		return 1 + (uint64_t)r;
	return UINT64_MAX;
}

static uint64_t val_distance(const struct tm *t, int32_t vi)
{
	uint64_t d = UINT64_MAX, x;
	uint32_t li, si, j;

	if (vi == t->lockedv || vi == t->validv)
		return 0;
	for (li = 0; li < 2; li++) {
		const struct tm_log *l = &t->log[li];

		for (si = 0; si < t->nslots; si++) {
			const struct tm_round *s = &l->slot[si];

			if (!s->used)
				continue;
			for (j = 0; j < s->nprop; j++) {
				if (s->prop[j].val != vi)
					continue;
				x = prop_distance(t, l, s->round);
				if (x < d)
					d = x;
			}
		}
	}
	return d;
}

static void round_clear(struct tm *t, struct tm_round *s);

/* Recompute whether validator i still has a message in s; free s if empty. */
static void round_resender(struct tm *t, const struct tm_log *l, struct tm_round *s, uint32_t i)
{
	bool has = ((s->mask[0] | s->mask[1]) & bit(i)) ||
		   (s->nprop && tm_proposer(t->n, l->height, s->round) == i);

	if (!has)
		s->senders &= ~bit(i);
	if (!s->senders)
		round_clear(t, s);
}

/* Forget every proposal referencing value vi (evicting it). */
static void val_evict(struct tm *t, int32_t vi)
{
	uint32_t li, si, j, k;

	for (li = 0; li < 2; li++) {
		struct tm_log *l = &t->log[li];

		for (si = 0; si < t->nslots; si++) {
			struct tm_round *s = &l->slot[si];
			bool removed = false;

			if (!s->used)
				continue;
			for (j = 0; j < s->nprop;) {
				if (s->prop[j].val != vi) {
					j++;
					continue;
				}
				val_release(t, vi);
				for (k = j + 1; k < s->nprop; k++)
					s->prop[k - 1] = s->prop[k];
				s->nprop--;
				removed = true;
			}
			if (removed)
				round_resender(t, l, s, tm_proposer(t->n, l->height, s->round));
		}
	}
}

/* A reference to the value (hash, data, len) for a proposal of round r in l;
 * -1 when the store is full of values at least as relevant. */
static int32_t val_acquire(struct tm *t, const struct tm_log *l, uint32_t r, const uint8_t *hash,
			   const uint8_t *data, uint32_t len)
{
	uint64_t want = prop_distance(t, l, r), best = 0, d;
	int32_t vi, victim = -1, free_vi = -1;
	struct tm_val *v;

	for (vi = 0; vi < (int32_t)t->cfg.max_values; vi++) {
		v = &t->vals[vi];
		if (v->used && hash_eq(v->hash, hash)) {
			val_ref(t, vi);
			return vi;
		}
		if (!v->used && free_vi < 0)
			free_vi = vi;
	}
	if (free_vi < 0) {
		for (vi = 0; vi < (int32_t)t->cfg.max_values; vi++) {
			d = val_distance(t, vi);
			if (d > best) {
				best = d;
				victim = vi;
			}
		}
		if (victim < 0 || best <= want)
			return -1;
		val_evict(t, victim);
		t->st.evicted_values++;
		free_vi = victim;
	}
	v = &t->vals[free_vi];
	v->used = true;
	v->refs = 1;
	v->valid = -1;
	v->valid_height = 0;
	v->len = len;
	memcpy(v->hash, hash, TM_HASH_LEN);
	if (len)
		memcpy(v->data, data, len);
	return free_vi;
}

static struct tm_value val_view(const struct tm *t, int32_t vi)
{
	struct tm_value v;

	v.data = t->vals[vi].data;
	v.len = t->vals[vi].len;
	memcpy(v.hash, t->vals[vi].hash, TM_HASH_LEN);
	return v;
}

/* valid(v) at h_p, asked of the application once per (value, height). */
static bool val_valid(struct tm *t, int32_t vi)
{
	struct tm_val *v = &t->vals[vi];

	if (v->valid < 0 || v->valid_height != t->h) {
		struct tm_value view = val_view(t, vi);

		v->valid = t->ops.valid(t->ctx, t->h, &view) ? 1 : 0;
		v->valid_height = t->h;
	}
	return v->valid == 1;
}

/* ---- round slots ------------------------------------------------------ */

static void round_clear(struct tm *t, struct tm_round *s)
{
	uint32_t j;

	for (j = 0; j < s->nprop; j++)
		val_release(t, s->prop[j].val);
	memset(s->vote[0], 0, t->n * sizeof(struct tm_vslot));
	memset(s->vote[1], 0, t->n * sizeof(struct tm_vslot));
	s->nxtra[0] = s->nxtra[1] = 0;
	s->reported[0] = s->reported[1] = 0;
	s->used = false;
	s->prop_reported = false;
	s->nprop = 0;
	s->round = 0;
	s->senders = 0;
	s->mask[0] = s->mask[1] = 0;
}

static void log_clear(struct tm *t, struct tm_log *l)
{
	uint32_t si;

	for (si = 0; si < t->nslots; si++)
		if (l->slot[si].used)
			round_clear(t, &l->slot[si]);
}

static struct tm_round *round_find(struct tm *t, struct tm_log *l, uint32_t r)
{
	uint32_t si;

	for (si = 0; si < t->nslots; si++)
		if (l->slot[si].used && l->slot[si].round == r)
			return &l->slot[si];
	return NULL;
}

/* A slot for round r: a free one, else the lowest past round that is neither
 * lockedRound nor validRound (and below r). */
static struct tm_round *round_alloc(struct tm *t, struct tm_log *l, uint32_t r)
{
	uint32_t base = base_round(t, l), si;
	struct tm_round *s = NULL, *x;

	for (si = 0; si < t->nslots && !s; si++)
		if (!l->slot[si].used)
			s = &l->slot[si];
	if (!s) {
		for (si = 0; si < t->nslots; si++) {
			x = &l->slot[si];
			if (x->round >= base || x->round >= r)
				continue;
			if (is_live(t, l) && ((int64_t)x->round == t->locked_round ||
					      (int64_t)x->round == t->valid_round))
				continue;
			if (!s || x->round < s->round)
				s = x;
		}
		if (!s)
			return NULL;
		round_clear(t, s);
		t->st.evicted_rounds++;
	}
	s->used = true;
	s->round = r;
	return s;
}

/* Remove validator i's messages from round slot s. */
static void round_remove_sender(struct tm *t, struct tm_log *l, struct tm_round *s, uint32_t i)
{
	uint32_t j, ti, k, m;

	for (ti = 0; ti < 2; ti++) {
		memset(&s->vote[ti][i], 0, sizeof(struct tm_vslot));
		s->mask[ti] &= ~bit(i);
		for (k = m = 0; k < s->nxtra[ti]; k++)
			if (s->xtra[ti][k].validator != i)
				s->xtra[ti][m++] = s->xtra[ti][k];
		s->nxtra[ti] = m;
	}
	if (tm_proposer(t->n, l->height, s->round) == i) {
		for (j = 0; j < s->nprop; j++)
			val_release(t, s->prop[j].val);
		s->nprop = 0;
	}
	round_resender(t, l, s, i);
}

/*
 * The slot a message of validator i for round r goes to; NULL: dropped
 * (counted). Rounds up to future_rounds above the current one are kept in
 * full, like the current one: they are the next to be entered, and a message
 * that other correct validators count must not be missing here. Above that,
 * a validator keeps only its highest round (what the f+1 skip of L55 needs):
 * a message for a yet higher round replaces its messages there, one for a
 * lower round is dropped.
 */
static struct tm_round *admit(struct tm *t, struct tm_log *l, uint32_t r, uint32_t i)
{
	struct tm_round *s = round_find(t, l, r), *far = NULL, *x;
	uint32_t base = base_round(t, l), si;
	uint64_t window = (uint64_t)base + t->cfg.future_rounds;

	if (s && (s->senders & bit(i)))
		return s;
	if (r > window) {
		for (si = 0; si < t->nslots && !far; si++) {
			x = &l->slot[si];
			if (x->used && x->round > window && (x->senders & bit(i)))
				far = x;
		}
		if (far) {
			t->st.drop_round_quota++;
			if (r < far->round)
				return NULL;
			round_remove_sender(t, l, far, i);
		}
	}
	if (!s) {
		s = round_alloc(t, l, r);
		if (!s)
			t->st.drop_no_slot++;
	}
	return s;
}

/* Route a message of height to its log; NULL: older (stale) or too far. */
static struct tm_log *route(struct tm *t, uint64_t height, int *err)
{
	*err = 0;
	if (!t->decided && height == t->h)
		return cur_log(t);
	if (height == t->h + 1)
		return next_log(t);
	if (height <= t->h) {
		t->st.stale++;
	} else {
		t->st.drop_future_height++;
		*err = -ERANGE; /* the caller is behind: block sync */
	}
	return NULL;
}

/* ---- adding messages to the log ---------------------------------------- */

static void vote_from_slot(const struct tm_vslot *vs, uint8_t type, uint64_t height, uint32_t round,
			   uint32_t i, struct tm_vote *out)
{
	memset(out, 0, sizeof(*out));
	out->type = type;
	out->height = height;
	out->round = round;
	out->has_value = vs->state == VS_VALUE;
	memcpy(out->hash, vs->hash, TM_HASH_LEN);
	out->validator = (uint16_t)i;
	memcpy(out->sig, vs->sig, TM_SIG_LEN);
}

static bool vote_is(uint8_t state, const uint8_t *hash, const struct tm_vote *v)
{
	return v->has_value ? state == VS_VALUE && hash_eq(hash, v->hash) : state == VS_NIL;
}

static int32_t val_find(const struct tm *t, const uint8_t *hash)
{
	int32_t vi;

	for (vi = 0; vi < (int32_t)t->cfg.max_values; vi++)
		if (t->vals[vi].used && hash_eq(t->vals[vi].hash, hash))
			return vi;
	return -1;
}

/* A vote that may matter: nil, or for a value we hold a proposal of. */
static bool vote_relevant(const struct tm *t, uint8_t state, const uint8_t *hash)
{
	return state == VS_NIL || val_find(t, hash) >= 0;
}

/*
 * Add a vote to the log. Every distinct vote counts, as in the paper's
 * message log: a validator's votes for two values each count for their
 * value (safe: two quorums share a correct validator, which votes once).
 * Counting only the first would let one equivocator show different correct
 * validators different polkas forever, and stall the chain.
 * 1: stored; 0: duplicate; -ENOSPC: an extra vote dropped (no room).
 */
static int vote_add(struct tm *t, struct tm_round *s, const struct tm_vote *v)
{
	uint32_t ti = v->type - 1u, i = v->validator, k;
	struct tm_vslot *vs = &s->vote[ti][i];
	struct tm_xvote *x = NULL;
	struct tm_vote first;

	if (vs->state == VS_NONE) {
		vs->state = v->has_value ? VS_VALUE : VS_NIL;
		if (v->has_value)
			memcpy(vs->hash, v->hash, TM_HASH_LEN);
		memcpy(vs->sig, v->sig, TM_SIG_LEN);
		s->mask[ti] |= bit(i);
		s->senders |= bit(i);
		t->st.votes++;
		return 1;
	}
	if (vote_is(vs->state, vs->hash, v)) {
		t->st.duplicates++;
		return 0;
	}
	for (k = 0; k < s->nxtra[ti]; k++) {
		if (s->xtra[ti][k].validator == i &&
		    vote_is(s->xtra[ti][k].state, s->xtra[ti][k].hash, v)) {
			t->st.duplicates++;
			return 0;
		}
	}
	/* a double vote: evidence, once per (validator, round, type) */
	if (!(s->reported[ti] & bit(i))) {
		s->reported[ti] |= bit(i);
		t->st.double_votes++;
		if (t->ops.evidence) {
			vote_from_slot(vs, v->type, v->height, v->round, i, &first);
			t->ops.evidence(t->ctx, &first, v);
		}
	}
	if (s->nxtra[ti] < t->cfg.extra_votes) {
		x = &s->xtra[ti][s->nxtra[ti]++];
	} else if (vote_relevant(t, v->has_value ? VS_VALUE : VS_NIL, v->hash)) {
		/* a vote for a value we know displaces one for an unknown value */
		for (k = 0; k < s->nxtra[ti] && !x; k++)
			if (!vote_relevant(t, s->xtra[ti][k].state, s->xtra[ti][k].hash))
				x = &s->xtra[ti][k];
	}
	if (!x) {
		t->st.drop_votes++;
		return -ENOSPC;
	}
	x->validator = (uint8_t)i;
	x->state = v->has_value ? VS_VALUE : VS_NIL;
	memset(x->hash, 0, TM_HASH_LEN);
	if (v->has_value)
		memcpy(x->hash, v->hash, TM_HASH_LEN);
	memcpy(x->sig, v->sig, TM_SIG_LEN);
	t->st.extra_votes++;
	return 1;
}

/* Add proposal p to s. vi >= 0: a reference to its value already taken.
 * 1: stored; 0: duplicate; <0: dropped. */
static int prop_add(struct tm *t, struct tm_log *l, struct tm_round *s, const struct tm_proposal *p,
		    int32_t vi)
{
	struct tm_proposal first;
	uint32_t j;

	for (j = 0; j < s->nprop; j++) {
		if (s->prop[j].pol == p->pol_round &&
		    hash_eq(t->vals[s->prop[j].val].hash, p->value.hash)) {
			val_release(t, vi);
			t->st.duplicates++;
			return 0;
		}
	}
	if (s->nprop && !s->prop_reported) {
		s->prop_reported = true;
		t->st.conflicting_proposals++;
		if (t->ops.proposal_evidence) {
			memset(&first, 0, sizeof(first));
			first.height = l->height;
			first.round = s->round;
			first.pol_round = s->prop[0].pol;
			first.proposer = p->proposer;
			first.value = val_view(t, s->prop[0].val);
			memcpy(first.sig, s->prop[0].sig, TM_SIG_LEN);
			t->ops.proposal_evidence(t->ctx, &first, p);
		}
	}
	if (s->nprop == NPROP) {
		val_release(t, vi);
		t->st.drop_proposals++;
		return -ENOSPC;
	}
	if (vi < 0)
		vi = val_acquire(t, l, s->round, p->value.hash, p->value.data, p->value.len);
	if (vi < 0) {
		t->st.drop_values++;
		return -ENOSPC;
	}
	s->prop[s->nprop].val = vi;
	s->prop[s->nprop].pol = p->pol_round;
	memcpy(s->prop[s->nprop].sig, p->sig, TM_SIG_LEN);
	s->nprop++;
	s->senders |= bit(p->proposer);
	t->st.proposals++;
	return 1;
}

/* ---- counting ------------------------------------------------------------ */

/* Distinct validators with a vote of type ti for hash (NULL: nil) in s. A
 * validator's votes are distinct, so it is counted at most once. */
static uint32_t count_votes(const struct tm *t, const struct tm_round *s, uint32_t ti,
			    const uint8_t *hash)
{
	uint8_t want = hash ? VS_VALUE : VS_NIL;
	uint32_t i, k, c = 0;

	for (i = 0; i < t->n; i++)
		if (s->vote[ti][i].state == want && (!hash || hash_eq(s->vote[ti][i].hash, hash)))
			c++;
	for (k = 0; k < s->nxtra[ti]; k++)
		if (s->xtra[ti][k].state == want && (!hash || hash_eq(s->xtra[ti][k].hash, hash)))
			c++;
	return c;
}

static uint32_t count_value(const struct tm *t, const struct tm_round *s, uint32_t ti,
			    const uint8_t *hash)
{
	return count_votes(t, s, ti, hash);
}

static uint32_t count_nil(const struct tm *t, const struct tm_round *s, uint32_t ti)
{
	return count_votes(t, s, ti, NULL);
}

/* ---- our own messages ------------------------------------------------- */

/* broadcast <type, h_p, round_p, hash or nil>; counted in our own log. */
static void cast_vote(struct tm *t, uint8_t type, const uint8_t *hash)
{
	struct tm_round *s;
	struct tm_msg m;

	if (t->self < 0)
		return; /* a non-validator follows without voting */
	memset(&m, 0, sizeof(m));
	m.kind = TM_MSG_VOTE;
	m.vote.type = type;
	m.vote.height = t->h;
	m.vote.round = t->round;
	m.vote.has_value = hash != NULL;
	if (hash)
		memcpy(m.vote.hash, hash, TM_HASH_LEN);
	m.vote.validator = (uint16_t)t->self;
	if (!t->ops.broadcast(t->ctx, &m))
		return; /* not sent: what it sent before the restart counts */
	s = admit(t, cur_log(t), t->round, (uint32_t)t->self);
	if (s)
		vote_add(t, s, &m.vote);
}

static void schedule(struct tm *t, enum tm_step kind)
{
	t->ops.schedule(t->ctx, kind, t->h, t->round, tm_timeout(&t->cfg, kind, t->round));
}

/* L11-L21 */
static void start_round(struct tm *t, uint32_t round)
{
	struct tm_value out;
	struct tm_round *s;
	struct tm_msg m;
	int32_t vi, pol;

	t->round = round;	   /* L12 */
	t->step = TM_STEP_PROPOSE; /* L13 */
	t->fired34 = t->fired36 = t->fired47 = false;
	if (t->self < 0 || tm_proposer(t->n, t->h, round) != (uint32_t)t->self) {
		schedule(t, TM_STEP_PROPOSE); /* L21 */
		return;
	}
	/* L14: we are proposer(h_p, round_p) */
	if (t->validv >= 0) {
		vi = t->validv; /* L15-L16 */
		val_ref(t, vi);
		pol = t->valid_round;
	} else {
		memset(&out, 0, sizeof(out)); /* L18 */
		vi = -1;
		if (!t->ops.get_value(t->ctx, t->h, round, &out) && out.len <= t->cfg.value_max &&
		    (out.data || !out.len))
			vi = val_acquire(t, cur_log(t), round, out.hash, out.data, out.len);
		if (vi < 0) {
			/* Not in the paper: nothing to propose, let the round time out. */
			t->st.get_value_failures++;
			schedule(t, TM_STEP_PROPOSE);
			return;
		}
		pol = -1; /* validRound_p = -1 whenever validValue_p = nil */
	}
	/* L19: broadcast <PROPOSAL, h_p, round_p, proposal, validRound_p> */
	memset(&m, 0, sizeof(m));
	m.kind = TM_MSG_PROPOSAL;
	m.proposal.height = t->h;
	m.proposal.round = round;
	m.proposal.pol_round = pol;
	m.proposal.proposer = (uint16_t)t->self;
	m.proposal.value = val_view(t, vi);
	if (!t->ops.broadcast(t->ctx, &m)) {
		/* Not sent: its proposal from before the restart, if it made
		 * one, is in the log; else the round times out. */
		val_release(t, vi);
		schedule(t, TM_STEP_PROPOSE);
		return;
	}
	s = admit(t, cur_log(t), round, (uint32_t)t->self);
	if (s)
		prop_add(t, cur_log(t), s, &m.proposal, vi);
	else
		val_release(t, vi);
}

static void set_ref(struct tm *t, int32_t *slot, int32_t vi)
{
	if (vi >= 0)
		val_ref(t, vi);
	val_release(t, *slot);
	*slot = vi;
}

/* L53: reset lockedRound_p, lockedValue_p, validRound_p, validValue_p and
 * empty the message log of the height. */
static void reset_height(struct tm *t)
{
	set_ref(t, &t->lockedv, -1);
	set_ref(t, &t->validv, -1);
	t->locked_round = -1;
	t->valid_round = -1;
	log_clear(t, cur_log(t));
}

/* L50-L51: decision_p[h_p] = v (value vi) decided in round with cert. */
static void decide_with(struct tm *t, uint32_t round, int32_t vi, const struct tm_precommit *cert,
			uint32_t k)
{
	struct tm_value v = val_view(t, vi);

	t->decided = true;
	t->step = TM_STEP_COMMIT;
	t->st.decisions++;
	t->ops.decide(t->ctx, t->h, round, &v, cert, k);
	/* L52-L54 happen in tm_start_height(h_p + 1), after the caller has
	 * persisted the decision; the height's state is of no use any more. */
	reset_height(t);
}

/* The precommits of round s for value vi, by increasing validator index. */
static void decide(struct tm *t, struct tm_round *s, int32_t vi)
{
	const uint8_t *hash = t->vals[vi].hash;
	uint32_t i, j, k = 0;

	for (i = 0; i < t->n; i++) {
		const struct tm_vslot *vs = &s->vote[1][i];
		const uint8_t *sig = NULL;

		if (vs->state == VS_VALUE && hash_eq(vs->hash, hash))
			sig = vs->sig;
		for (j = 0; j < s->nxtra[1] && !sig; j++)
			if (s->xtra[1][j].validator == i && s->xtra[1][j].state == VS_VALUE &&
			    hash_eq(s->xtra[1][j].hash, hash))
				sig = s->xtra[1][j].sig;
		if (!sig)
			continue;
		t->cert[k].validator = (uint16_t)i;
		memcpy(t->cert[k].sig, sig, TM_SIG_LEN);
		k++;
	}
	decide_with(t, s->round, vi, t->cert, k);
}

/* ---- the upon rules ------------------------------------------------------ */

/* L49: upon <PROPOSAL, h_p, r, v, *> from proposer(h_p, r) AND 2f+1
 * <PRECOMMIT, h_p, r, id(v)> while decision_p[h_p] = nil */
static bool rule49(struct tm *t)
{
	struct tm_log *l = cur_log(t);
	uint32_t si, j;

	for (si = 0; si < t->nslots; si++) {
		struct tm_round *s = &l->slot[si];

		if (!s->used || popcount(s->mask[1]) < t->quorum)
			continue;
		for (j = 0; j < s->nprop; j++) {
			int32_t vi = s->prop[j].val;

			if (count_value(t, s, 1, t->vals[vi].hash) < t->quorum)
				continue;
			if (!val_valid(t, vi)) /* L50 */
				continue;
			decide(t, s, vi);
			return true;
		}
	}
	return false;
}

/* L55: upon f+1 <*, h_p, round, *, *> with round > round_p: StartRound(round)
 * (the highest such round). */
static bool rule55(struct tm *t)
{
	struct tm_log *l = cur_log(t);
	bool found = false;
	uint32_t si, best = 0;

	for (si = 0; si < t->nslots; si++) {
		struct tm_round *s = &l->slot[si];

		if (s->used && s->round > t->round && popcount(s->senders) >= t->skip &&
		    (!found || s->round > best)) {
			best = s->round;
			found = true;
		}
	}
	if (!found)
		return false;
	t->st.round_skips++;
	start_round(t, best); /* L56 */
	return true;
}

static bool is_locked_on(const struct tm *t, int32_t vi)
{
	return t->lockedv >= 0 && hash_eq(t->vals[t->lockedv].hash, t->vals[vi].hash);
}

/* L22 and L28, while step_p = propose: the first proposal that enables one. */
static bool rule22_28(struct tm *t, struct tm_round *s)
{
	uint8_t hash[TM_HASH_LEN];
	struct tm_round *ps;
	uint32_t j;

	for (j = 0; j < s->nprop; j++) {
		int32_t vi = s->prop[j].val, vr = s->prop[j].pol;
		bool yes;

		memcpy(hash, t->vals[vi].hash, TM_HASH_LEN);
		if (vr == -1) {
			/* L22: upon <PROPOSAL, h_p, round_p, v, -1> */
			yes = val_valid(t, vi) && (t->locked_round == -1 || is_locked_on(t, vi));
			cast_vote(t, TM_PREVOTE, yes ? hash : NULL); /* L23-L26 */
			t->step = TM_STEP_PREVOTE;		     /* L27 */
			return true;
		}
		/* L28: upon <PROPOSAL, h_p, round_p, v, vr> AND 2f+1
		 * <PREVOTE, h_p, vr, id(v)> while vr >= 0 and vr < round_p */
		if (vr < 0 || (uint32_t)vr >= t->round)
			continue;
		ps = round_find(t, cur_log(t), (uint32_t)vr);
		if (!ps || count_value(t, ps, 0, hash) < t->quorum)
			continue;
		yes = val_valid(t, vi) && (t->locked_round <= vr || is_locked_on(t, vi)); /* L29 */
		cast_vote(t, TM_PREVOTE, yes ? hash : NULL); /* L30-L32 */
		t->step = TM_STEP_PREVOTE;		     /* L33 */
		return true;
	}
	return false;
}

/* L36: upon <PROPOSAL, h_p, round_p, v, *> AND 2f+1 <PREVOTE, h_p, round_p,
 * id(v)> while valid(v) and step_p >= prevote, for the first time */
static bool rule36(struct tm *t, struct tm_round *s)
{
	uint8_t hash[TM_HASH_LEN];
	uint32_t j;

	for (j = 0; j < s->nprop; j++) {
		int32_t vi = s->prop[j].val;

		memcpy(hash, t->vals[vi].hash, TM_HASH_LEN);
		if (count_value(t, s, 0, hash) < t->quorum || !val_valid(t, vi))
			continue;
		t->fired36 = true;
		if (t->step == TM_STEP_PREVOTE) {	     /* L37 */
			set_ref(t, &t->lockedv, vi);	     /* L38 */
			t->locked_round = (int32_t)t->round; /* L39 */
			cast_vote(t, TM_PRECOMMIT, hash);    /* L40 */
			t->step = TM_STEP_PRECOMMIT;	     /* L41 */
		}
		set_ref(t, &t->validv, vi);	    /* L42 */
		t->valid_round = (int32_t)t->round; /* L43 */
		return true;
	}
	return false;
}

/* Fire enabled rules until none is. */
static void process(struct tm *t)
{
	struct tm_round *s;

	while (!t->decided) {
		if (rule49(t))
			return;
		if (rule55(t))
			continue;
		s = round_find(t, cur_log(t), t->round);
		if (!s)
			return;
		if (t->step == TM_STEP_PROPOSE && rule22_28(t, s))
			continue;
		if (t->step >= TM_STEP_PREVOTE && !t->fired36 && rule36(t, s))
			continue;
		/* L44: upon 2f+1 <PREVOTE, h_p, round_p, nil> while step_p = prevote */
		if (t->step == TM_STEP_PREVOTE && count_nil(t, s, 0) >= t->quorum) {
			cast_vote(t, TM_PRECOMMIT, NULL); /* L45 */
			t->step = TM_STEP_PRECOMMIT;	  /* L46 */
			continue;
		}
		/* L34: upon 2f+1 <PREVOTE, h_p, round_p, *> while step_p = prevote
		 * for the first time */
		if (t->step == TM_STEP_PREVOTE && !t->fired34 &&
		    popcount(s->mask[0]) >= t->quorum) {
			t->fired34 = true;
			schedule(t, TM_STEP_PREVOTE); /* L35 */
		}
		/* L47: upon 2f+1 <PRECOMMIT, h_p, round_p, *> for the first time */
		if (!t->fired47 && popcount(s->mask[1]) >= t->quorum) {
			t->fired47 = true;
			schedule(t, TM_STEP_PRECOMMIT); /* L48 */
		}
		return;
	}
}

/* ---- entry points ------------------------------------------------------ */

struct tm *tm_new(const struct tm_config *cfg, uint32_t n_validators, int self_index,
		  const struct tm_ops *ops, void *ctx)
{
	struct tm_config c = *cfg;
	size_t nvs, li, si;
	struct tm *t;

	if (n_validators < 1 || n_validators > TM_MAX_VALIDATORS || self_index < -1 ||
	    self_index >= (int)n_validators || !ops || !ops->broadcast || !ops->schedule ||
	    !ops->get_value || !ops->valid || !ops->decide)
		return NULL;
	if (c.value_max < 1 || c.max_values < 2 * NPROP + 2 || c.max_values > 1024 ||
	    c.future_rounds < 1 || c.future_rounds > 64 || c.extra_votes > 4096)
		return NULL;
	/* f equivocators, each with votes for every known value and nil */
	if (!c.extra_votes)
		c.extra_votes = tm_f(n_validators) * (c.max_values + 1) + 4;
	/* current + near future + one far round per validator + past ones */
	if (!c.max_rounds)
		c.max_rounds = 1 + c.future_rounds + n_validators + 8;
	if (c.max_rounds < 1 + c.future_rounds + n_validators + 3 || c.max_rounds > 4096)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->cfg = c;
	t->ops = *ops;
	t->ctx = ctx;
	t->n = n_validators;
	t->quorum = tm_quorum(t->n);
	t->skip = tm_f(t->n) + 1;
	t->nslots = c.max_rounds;
	t->self = self_index;
	nvs = (size_t)2 * t->nslots * 2 * t->n;
	t->round_mem = calloc((size_t)2 * t->nslots, sizeof(*t->round_mem));
	t->vote_mem = calloc(nvs, sizeof(*t->vote_mem));
	t->xtra_mem = calloc((size_t)2 * t->nslots * 2 * c.extra_votes, sizeof(*t->xtra_mem));
	t->vals = calloc(c.max_values, sizeof(*t->vals));
	t->val_mem = calloc(c.max_values, c.value_max);
	t->cert = calloc(t->n, sizeof(*t->cert));
	if (!t->round_mem || !t->vote_mem || !t->xtra_mem || !t->vals || !t->val_mem || !t->cert) {
		tm_free(t);
		return NULL;
	}
	for (li = 0; li < 2; li++) {
		t->log[li].slot = t->round_mem + li * t->nslots;
		for (si = 0; si < t->nslots; si++) {
			struct tm_round *s = &t->log[li].slot[si];

			s->vote[0] = t->vote_mem + ((li * t->nslots + si) * 2) * t->n;
			s->vote[1] = s->vote[0] + t->n;
			s->xtra[0] = t->xtra_mem + ((li * t->nslots + si) * 2) * c.extra_votes;
			s->xtra[1] = s->xtra[0] + c.extra_votes;
		}
	}
	for (si = 0; si < c.max_values; si++)
		t->vals[si].data = t->val_mem + si * c.value_max;
	/* L2-L9: idle at height 0 (the genesis, decided) until tm_start_height. */
	t->decided = true;
	t->step = TM_STEP_COMMIT;
	t->lockedv = t->validv = -1;
	t->locked_round = t->valid_round = -1;
	t->log[t->cur].height = 0;
	t->log[!t->cur].height = 1;
	return t;
}

void tm_free(struct tm *t)
{
	if (!t)
		return;
	free(t->round_mem);
	free(t->vote_mem);
	free(t->xtra_mem);
	free(t->vals);
	free(t->val_mem);
	free(t->cert);
	free(t);
}

int tm_start_height(struct tm *t, uint64_t height)
{
	return tm_start_height_round(t, height, 0);
}

int tm_start_height_round(struct tm *t, uint64_t height, uint32_t round)
{
	struct tm_resume r = {.round = round, .locked_round = -1};

	return tm_start_height_resume(t, height, &r);
}

/* A lock comes back only with the polka that made it: the prevotes of a
 * quorum of distinct validators for its value in its round.
 */
static bool resume_ok(const struct tm *t, uint64_t height, const struct tm_resume *r)
{
	uint64_t seen = 0;
	uint32_t k;

	if (r->locked_round < 0)
		return true;
	if ((uint32_t)r->locked_round > r->round || !r->locked.len || !r->locked.data ||
	    r->locked.len > t->cfg.value_max || !r->polka)
		return false;
	for (k = 0; k < r->n_polka; k++) {
		const struct tm_vote *v = &r->polka[k];

		if (v->type != TM_PREVOTE || v->height != height ||
		    v->round != (uint32_t)r->locked_round || !v->has_value ||
		    !hash_eq(v->hash, r->locked.hash) || v->validator >= t->n)
			return false;
		seen |= bit(v->validator);
	}
	return popcount(seen) >= t->quorum;
}

/* This validator's own messages of the height, from before the restart. */
static bool own_ok(const struct tm *t, uint64_t height, const struct tm_resume *r)
{
	uint32_t k;

	if (r->n_own && (t->self < 0 || !r->own))
		return false;
	for (k = 0; k < r->n_own; k++) {
		const struct tm_msg *m = &r->own[k];

		if (m->kind == TM_MSG_PROPOSAL) {
			const struct tm_proposal *p = &m->proposal;

			if (p->height != height || p->round > r->round ||
			    p->proposer != (uint32_t)t->self ||
			    tm_proposer(t->n, height, p->round) != (uint32_t)t->self ||
			    p->pol_round < -1 || p->pol_round >= (int64_t)p->round ||
			    p->value.len > t->cfg.value_max || (p->value.len && !p->value.data))
				return false;
		} else if (m->kind == TM_MSG_VOTE) {
			const struct tm_vote *v = &m->vote;

			if ((v->type != TM_PREVOTE && v->type != TM_PRECOMMIT) ||
			    v->height != height || v->round > r->round ||
			    v->validator != (uint32_t)t->self)
				return false;
		} else {
			return false;
		}
	}
	return true;
}

/* Into the log as if received: what the others count of this validator. */
static void restore_own(struct tm *t, const struct tm_resume *r)
{
	struct tm_round *s;
	uint32_t k, round;

	for (k = 0; k < r->n_own; k++) {
		const struct tm_msg *m = &r->own[k];

		round = m->kind == TM_MSG_PROPOSAL ? m->proposal.round : m->vote.round;
		s = admit(t, cur_log(t), round, (uint32_t)t->self);
		if (!s)
			continue;
		if (m->kind == TM_MSG_PROPOSAL)
			prop_add(t, cur_log(t), s, &m->proposal, -1);
		else
			vote_add(t, s, &m->vote);
	}
}

/* Lines 38-39 and 42-43 as they were before the restart, and the polka. */
static void restore_lock(struct tm *t, const struct tm_resume *r)
{
	struct tm_round *s;
	int32_t vi;
	uint32_t k;

	/* As relevant as a proposal of the current round: a slot is found. */
	vi = val_acquire(t, cur_log(t), t->round, r->locked.hash, r->locked.data, r->locked.len);
	if (vi < 0) {
		t->st.drop_values++;
		return;
	}
	set_ref(t, &t->lockedv, vi);
	set_ref(t, &t->validv, vi);
	val_release(t, vi);
	t->locked_round = r->locked_round;
	t->valid_round = r->locked_round;
	for (k = 0; k < r->n_polka; k++) {
		s = admit(t, cur_log(t), (uint32_t)r->locked_round, r->polka[k].validator);
		if (s)
			vote_add(t, s, &r->polka[k]);
	}
}

int tm_start_height_resume(struct tm *t, uint64_t height, const struct tm_resume *r)
{
	static const struct tm_resume none = {.locked_round = -1};

	if (!r)
		r = &none;
	if (t->busy)
		return -EBUSY;
	if (height <= t->h || height == UINT64_MAX || r->round > TM_ROUND_MAX ||
	    !resume_ok(t, height, r) || !own_ok(t, height, r))
		return -EINVAL;
	t->busy = true;
	reset_height(t); /* L53 */
	if (height == t->h + 1) {
		t->cur = !t->cur; /* the buffered messages of h_p + 1 become the log */
	} else {
		log_clear(t, next_log(t));
	}
	t->h = height; /* L52 */
	cur_log(t)->height = height;
	next_log(t)->height = height + 1;
	t->decided = false;
	t->round = r->round;
	if (r->locked_round >= 0)
		restore_lock(t, r);
	restore_own(t, r);
	start_round(t, r->round); /* L10, L54 (round 0 but after a restart) */
	process(t);
	t->busy = false;
	return 0;
}

bool tm_get_locked(const struct tm *t, struct tm_value *value, int32_t *round,
		   struct tm_vote *polka, uint32_t cap, uint32_t *n_polka)
{
	const struct tm_log *l = &t->log[t->cur];
	const struct tm_round *s = NULL;
	const uint8_t *hash;
	uint32_t si, i, k, c = 0;
	uint64_t seen = 0;

	if (t->lockedv < 0)
		return false;
	*value = val_view(t, t->lockedv);
	*round = t->locked_round;
	hash = t->vals[t->lockedv].hash;
	for (si = 0; si < t->nslots && !s; si++)
		if (l->slot[si].used && (int64_t)l->slot[si].round == t->locked_round)
			s = &l->slot[si];
	for (i = 0; s && i < t->n && c < cap; i++) {
		const struct tm_vslot *vs = &s->vote[0][i];

		if (vs->state == VS_VALUE && hash_eq(vs->hash, hash)) {
			vote_from_slot(vs, TM_PREVOTE, t->h, s->round, i, &polka[c++]);
			seen |= bit(i);
		}
	}
	/* An equivocator's vote for it may be one of its extra votes. */
	for (k = 0; s && k < s->nxtra[0] && c < cap; k++) {
		const struct tm_xvote *x = &s->xtra[0][k];

		if (x->state != VS_VALUE || !hash_eq(x->hash, hash) || (seen & bit(x->validator)))
			continue;
		memset(&polka[c], 0, sizeof(polka[c]));
		polka[c].type = TM_PREVOTE;
		polka[c].height = t->h;
		polka[c].round = s->round;
		polka[c].has_value = true;
		memcpy(polka[c].hash, hash, TM_HASH_LEN);
		polka[c].validator = x->validator;
		memcpy(polka[c].sig, x->sig, TM_SIG_LEN);
		seen |= bit(x->validator);
		c++;
	}
	*n_polka = c;
	return true;
}

int tm_on_proposal(struct tm *t, const struct tm_proposal *p)
{
	struct tm_round *s;
	struct tm_log *l;
	int err;

	if (t->busy)
		return -EBUSY;
	if (!p->height || p->round > TM_ROUND_MAX || p->pol_round < -1 ||
	    p->proposer != tm_proposer(t->n, p->height, p->round) ||
	    (p->value.len && !p->value.data)) {
		t->st.rejected++;
		return -EINVAL;
	}
	if (p->value.len > t->cfg.value_max) {
		t->st.rejected++;
		return -E2BIG;
	}
	l = route(t, p->height, &err);
	if (!l)
		return err;
	t->busy = true;
	s = admit(t, l, p->round, p->proposer);
	if (!s) {
		err = -ENOSPC;
	} else {
		err = prop_add(t, l, s, p, -1);
		if (err < 0 && !s->senders)
			round_clear(t, s);
		if (err > 0 && is_live(t, l))
			process(t);
		err = err < 0 ? err : 0;
	}
	t->busy = false;
	return err;
}

int tm_on_vote(struct tm *t, const struct tm_vote *v)
{
	struct tm_round *s;
	struct tm_log *l;
	int err;

	if (t->busy)
		return -EBUSY;
	if ((v->type != TM_PREVOTE && v->type != TM_PRECOMMIT) || v->validator >= t->n ||
	    !v->height || v->round > TM_ROUND_MAX) {
		t->st.rejected++;
		return -EINVAL;
	}
	l = route(t, v->height, &err);
	if (!l)
		return err;
	t->busy = true;
	s = admit(t, l, v->round, v->validator);
	if (!s) {
		err = -ENOSPC;
	} else {
		int added = vote_add(t, s, v);

		if (added > 0 && is_live(t, l))
			process(t);
		err = added < 0 ? added : 0;
	}
	t->busy = false;
	return err;
}

int tm_on_commit(struct tm *t, uint64_t height, uint32_t round, const uint8_t *hash,
		 const struct tm_precommit *cert, uint32_t n)
{
	uint32_t k;
	int32_t vi;
	int err = 0;

	if (t->busy)
		return -EBUSY;
	if (n < t->quorum || n > t->n || round > TM_ROUND_MAX || !height)
		return -EINVAL;
	for (k = 0; k < n; k++)
		if (cert[k].validator >= t->n || (k && cert[k].validator <= cert[k - 1].validator))
			return -EINVAL;
	if (t->decided || height != t->h)
		return height <= t->h ? 0 : -ERANGE;
	vi = val_find(t, hash);
	if (vi < 0)
		return -ENOENT; /* no proposal of it here: the caller fetches the block */
	t->busy = true;
	if (!val_valid(t, vi)) {
		err = -EINVAL;
	} else {
		/* L49-L51 with the certificate's precommits */
		memcpy(t->cert, cert, n * sizeof(*cert));
		decide_with(t, round, vi, t->cert, n);
		t->st.commits++;
	}
	t->busy = false;
	return err;
}

int tm_on_timeout(struct tm *t, enum tm_step kind, uint64_t height, uint32_t round)
{
	if (t->busy)
		return -EBUSY;
	if (kind != TM_STEP_PROPOSE && kind != TM_STEP_PREVOTE && kind != TM_STEP_PRECOMMIT)
		return -EINVAL;
	/* L58, L62, L66: height = h_p and round = round_p */
	if (t->decided || height != t->h || round != t->round)
		return 0;
	t->busy = true;
	switch (kind) {
	case TM_STEP_PROPOSE: /* L57 */
		if (t->step == TM_STEP_PROPOSE) {
			t->st.timeouts[0]++;
			cast_vote(t, TM_PREVOTE, NULL); /* L59 */
			t->step = TM_STEP_PREVOTE;	/* L60 */
		}
		break;
	case TM_STEP_PREVOTE: /* L61 */
		if (t->step == TM_STEP_PREVOTE) {
			t->st.timeouts[1]++;
			cast_vote(t, TM_PRECOMMIT, NULL); /* L63 */
			t->step = TM_STEP_PRECOMMIT;	  /* L64 */
		}
		break;
	default: /* L65 */
		if (t->round < TM_ROUND_MAX) {
			t->st.timeouts[2]++;
			start_round(t, t->round + 1); /* L67 */
		}
		break;
	}
	process(t);
	t->busy = false;
	return 0;
}

void tm_get_status(const struct tm *t, struct tm_status *s)
{
	memset(s, 0, sizeof(*s));
	s->height = t->h;
	s->round = t->round;
	s->step = t->step;
	s->locked_round = t->locked_round;
	s->valid_round = t->valid_round;
	s->has_locked = t->lockedv >= 0;
	s->has_valid = t->validv >= 0;
	if (s->has_locked)
		memcpy(s->locked_hash, t->vals[t->lockedv].hash, TM_HASH_LEN);
	if (s->has_valid)
		memcpy(s->valid_hash, t->vals[t->validv].hash, TM_HASH_LEN);
	s->n = t->n;
	s->quorum = t->quorum;
	s->f = tm_f(t->n);
	s->self = t->self;
}

const struct tm_stats *tm_get_stats(const struct tm *t)
{
	return &t->st;
}
