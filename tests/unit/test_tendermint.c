// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for daemon/tendermint.c, the sans-IO Tendermint engine.
 *
 * Two kinds of tests:
 *
 * - Scripted ones drive a single engine by hand (struct rec records what it
 *   broadcasts, schedules, decides and reports) through the paper's rules:
 *   thresholds, proposer choice, locking and unlocking by a newer polka,
 *   timeouts growing with the round, the f+1 round skip, buffering of future
 *   rounds and heights and its bounds, evidence, certificates, a
 *   non-validator, re-entrance and malformed input.
 *
 * - A deterministic simulator (struct sim) runs N engines (4 or 7, and sizes
 *   1..64) plus a non-validator observer over a seeded event queue: random
 *   delivery order and delays, timers, faults (losses and long delays before
 *   GST, crashes, 2/2 partitions, byzantine validators that equivocate as
 *   proposers, double vote, vote for other values and spam future rounds and
 *   heights). Losses before GST are redelivered at GST (the kernel's
 *   anti-entropy: the paper assumes every message of a correct process
 *   eventually reaches every correct process), except in the scenario that
 *   loses them for good, where only safety is asserted. Every run checks:
 *   agreement, validity, certificates (> 2n/3 distinct, correctly signed
 *   precommits), locking (a correct validator locked on v in round r prevotes
 *   or precommits another value only after a polka for it in a round >= r
 *   that it received), no correct validator ever votes twice or is accused,
 *   every timeout = base + round * delta, and, where expected, that every
 *   correct engine decides every height (with a bounded decision round after
 *   GST). The rounds heights took are printed per scenario.
 */

#include "kselftest_harness.h"

#include <errno.h>
#include <sanitizer/lsan_interface.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tendermint.h"

/* ---- shared helpers --------------------------------------------------- */

static void sha256(uint8_t out[32], const void *data, size_t len)
{
	crypto_hash_sha256(out, data, len);
}

/* A stand-in signature: a hash of the signer and what it signs. */
static void sign_vote(uint8_t sig[TM_SIG_LEN], uint16_t validator, uint8_t type, uint64_t h,
		      uint32_t r, bool has, const uint8_t *hash)
{
	uint8_t buf[64], d[32];
	size_t k = 0;

	buf[k++] = 'v';
	memcpy(buf + k, &validator, 2);
	k += 2;
	buf[k++] = type;
	memcpy(buf + k, &h, 8);
	k += 8;
	memcpy(buf + k, &r, 4);
	k += 4;
	buf[k++] = has;
	if (has)
		memcpy(buf + k, hash, 32);
	else
		memset(buf + k, 0, 32);
	k += 32;
	sha256(d, buf, k);
	memcpy(sig, d, 32);
	memcpy(sig + 32, d, 32);
}

static void sign_prop(uint8_t sig[TM_SIG_LEN], uint16_t proposer, uint64_t h, uint32_t r,
		      int32_t pol, const uint8_t *hash)
{
	uint8_t buf[64], d[32];
	size_t k = 0;

	buf[k++] = 'p';
	memcpy(buf + k, &proposer, 2);
	k += 2;
	memcpy(buf + k, &h, 8);
	k += 8;
	memcpy(buf + k, &r, 4);
	k += 4;
	memcpy(buf + k, &pol, 4);
	k += 4;
	memcpy(buf + k, hash, 32);
	k += 32;
	sha256(d, buf, k);
	memcpy(sig, d, 32);
	memcpy(sig + 32, d, 32);
}

static bool heq(const uint8_t *a, const uint8_t *b)
{
	return !memcmp(a, b, 32);
}

static struct tm_config test_cfg(void)
{
	struct tm_config c;

	tm_config_default(&c);
	c.propose_ms = 100;
	c.propose_delta_ms = 40;
	c.prevote_ms = 60;
	c.prevote_delta_ms = 30;
	c.precommit_ms = 60;
	c.precommit_delta_ms = 30;
	c.value_max = 64;
	return c;
}

/* ---- a single engine driven by hand ---------------------------------- */

#define REC_OUT 1024

struct rval {
	uint8_t data[48];
	uint32_t len;
	uint8_t hash[32];
};

struct rdec {
	uint64_t h;
	uint32_t r, len, ncert;
	uint8_t hash[32];
	uint8_t data[64];
	struct tm_precommit cert[TM_MAX_VALIDATORS];
};

struct rec {
	struct tm *tm;
	struct tm_config cfg;
	uint32_t n;
	int nout;
	struct tm_msg out[REC_OUT];
	uint8_t outdata[REC_OUT][64];
	int nsched;
	struct {
		enum tm_step kind;
		uint64_t h;
		uint32_t r, delay;
	} sched[REC_OUT];
	int ndec;
	struct rdec dec[80];
	int nev;
	struct tm_vote ev[32][2];
	int npev;
	struct tm_proposal pev[8][2];
	uint32_t getv;
	uint8_t getv_buf[64];
	bool getv_fail, getv_invalid;
	int reenter; /* 1: from broadcast, 2: from decide */
	int reenter_rc;
	/* gcd's sign guard after a restart: steps up to (guard_r, guard_step)
	 * of guard_h are refused (1 proposal, 2 prevote, 3 precommit) */
	uint64_t guard_h;
	uint32_t guard_r;
	uint8_t guard_step;
	int refused;
};

static void mkval(struct rval *v, const char *tag, bool valid)
{
	memset(v, 0, sizeof(*v));
	v->data[0] = valid ? 'V' : 'X';
	v->len = 1 + (uint32_t)strlen(tag);
	memcpy(v->data + 1, tag, v->len - 1);
	sha256(v->hash, v->data, v->len);
}

static bool rec_broadcast(void *ctx, struct tm_msg *m)
{
	struct rec *r = ctx;
	uint64_t h = m->kind == TM_MSG_VOTE ? m->vote.height : m->proposal.height;
	uint32_t round = m->kind == TM_MSG_VOTE ? m->vote.round : m->proposal.round;
	uint8_t step = m->kind == TM_MSG_PROPOSAL ? 1 : m->vote.type == TM_PREVOTE ? 2 : 3;

	if (h == r->guard_h &&
	    (round < r->guard_r || (round == r->guard_r && step <= r->guard_step))) {
		r->refused++;
		return false;
	}
	if (m->kind == TM_MSG_VOTE)
		sign_vote(m->vote.sig, m->vote.validator, m->vote.type, m->vote.height,
			  m->vote.round, m->vote.has_value, m->vote.hash);
	else
		sign_prop(m->proposal.sig, m->proposal.proposer, m->proposal.height,
			  m->proposal.round, m->proposal.pol_round, m->proposal.value.hash);
	if (r->nout < REC_OUT) {
		r->out[r->nout] = *m;
		if (m->kind == TM_MSG_PROPOSAL) {
			memcpy(r->outdata[r->nout], m->proposal.value.data, m->proposal.value.len);
			r->out[r->nout].proposal.value.data = r->outdata[r->nout];
		}
		r->nout++;
	}
	if (r->reenter == 1)
		r->reenter_rc = tm_on_timeout(r->tm, TM_STEP_PROPOSE, 1, 0);
	return true;
}

static void rec_schedule(void *ctx, enum tm_step kind, uint64_t h, uint32_t round, uint32_t delay)
{
	struct rec *r = ctx;

	if (r->nsched < REC_OUT) {
		r->sched[r->nsched].kind = kind;
		r->sched[r->nsched].h = h;
		r->sched[r->nsched].r = round;
		r->sched[r->nsched].delay = delay;
		r->nsched++;
	}
}

static int rec_get_value(void *ctx, uint64_t h, uint32_t round, struct tm_value *out)
{
	struct rec *r = ctx;
	int len;

	if (r->getv_fail)
		return -1;
	len = snprintf((char *)r->getv_buf, sizeof(r->getv_buf), "%c%llu/%u/%u",
		       r->getv_invalid ? 'X' : 'V', (unsigned long long)h, round, r->getv++);
	out->data = r->getv_buf;
	out->len = (uint32_t)len;
	sha256(out->hash, r->getv_buf, (size_t)len);
	return 0;
}

static bool rec_valid(void *ctx, uint64_t h, const struct tm_value *v)
{
	return v->len && v->data[0] == 'V';
}

static void rec_decide(void *ctx, uint64_t h, uint32_t round, const struct tm_value *v,
		       const struct tm_precommit *cert, uint32_t n)
{
	struct rec *r = ctx;
	struct rdec *d;

	if (r->reenter == 2)
		r->reenter_rc = tm_start_height(r->tm, h + 1);
	if (r->ndec >= 80)
		return;
	d = &r->dec[r->ndec++];
	d->h = h;
	d->r = round;
	d->len = v->len;
	memcpy(d->hash, v->hash, 32);
	memcpy(d->data, v->data, v->len < 64 ? v->len : 64);
	d->ncert = n;
	memcpy(d->cert, cert, n * sizeof(*cert));
}

static void rec_evidence(void *ctx, const struct tm_vote *a, const struct tm_vote *b)
{
	struct rec *r = ctx;

	if (r->nev < 32) {
		r->ev[r->nev][0] = *a;
		r->ev[r->nev][1] = *b;
		r->nev++;
	}
}

static void rec_pevidence(void *ctx, const struct tm_proposal *a, const struct tm_proposal *b)
{
	struct rec *r = ctx;

	if (r->npev < 8) {
		r->pev[r->npev][0] = *a;
		r->pev[r->npev][1] = *b;
		r->npev++;
	}
}

static const struct tm_ops rec_ops = {
	.broadcast = rec_broadcast,
	.schedule = rec_schedule,
	.get_value = rec_get_value,
	.valid = rec_valid,
	.decide = rec_decide,
	.evidence = rec_evidence,
	.proposal_evidence = rec_pevidence,
};

static struct rec *rec_new(uint32_t n, int self, const struct tm_config *cfg)
{
	struct rec *r = calloc(1, sizeof(*r));

	r->n = n;
	r->cfg = cfg ? *cfg : test_cfg();
	r->tm = tm_new(&r->cfg, n, self, &rec_ops, r);
	return r;
}

static void rec_free(struct rec *r)
{
	tm_free(r->tm);
	free(r);
}

static int feed_vote(struct rec *r, uint8_t type, uint64_t h, uint32_t round, uint16_t from,
		     const struct rval *v)
{
	struct tm_vote vote;

	memset(&vote, 0, sizeof(vote));
	vote.type = type;
	vote.height = h;
	vote.round = round;
	vote.validator = from;
	vote.has_value = v != NULL;
	if (v)
		memcpy(vote.hash, v->hash, 32);
	sign_vote(vote.sig, from, type, h, round, vote.has_value, vote.hash);
	return tm_on_vote(r->tm, &vote);
}

static int feed_prop(struct rec *r, uint64_t h, uint32_t round, int32_t pol, const struct rval *v)
{
	struct tm_proposal p;

	memset(&p, 0, sizeof(p));
	p.height = h;
	p.round = round;
	p.pol_round = pol;
	p.proposer = (uint16_t)tm_proposer(r->n, h, round);
	p.value.data = v->data;
	p.value.len = v->len;
	memcpy(p.value.hash, v->hash, 32);
	sign_prop(p.sig, p.proposer, h, round, pol, v->hash);
	return tm_on_proposal(r->tm, &p);
}

/* The engine's own vote of type at (h, round): 0 none, 1 nil, 2 value v
 * (if v given), 3 another value. */
static int own_vote(const struct rec *r, uint8_t type, uint64_t h, uint32_t round,
		    const struct rval *v)
{
	int i, res = 0;

	for (i = 0; i < r->nout; i++) {
		const struct tm_msg *m = &r->out[i];

		if (m->kind != TM_MSG_VOTE || m->vote.type != type || m->vote.height != h ||
		    m->vote.round != round)
			continue;
		if (res)
			return -1; /* voted twice */
		if (!m->vote.has_value)
			res = 1;
		else
			res = v && heq(m->vote.hash, v->hash) ? 2 : 3;
	}
	return res;
}

/* The delay of the last schedule of kind for (h, round), 0 if none. */
static uint32_t sched_delay(const struct rec *r, enum tm_step kind, uint64_t h, uint32_t round)
{
	int i;

	for (i = r->nsched - 1; i >= 0; i--)
		if (r->sched[i].kind == kind && r->sched[i].h == h && r->sched[i].r == round)
			return r->sched[i].delay;
	return 0;
}

static struct tm_status st_of(const struct rec *r)
{
	struct tm_status s;

	tm_get_status(r->tm, &s);
	return s;
}

TEST(thresholds_and_proposer)
{
	uint32_t n, h, r;

	for (n = 1; n <= TM_MAX_VALIDATORS; n++) {
		uint32_t q = tm_quorum(n), f = tm_f(n);

		ASSERT_GT(3 * q, 2 * n);       /* more than 2/3 */
		ASSERT_LE(3 * (q - 1), 2 * n); /* and the least such */
		ASSERT_GE(n - f, q);	       /* f crashed: the others still decide */
		ASSERT_GE(2 * q, n + f + 1);   /* two quorums share a correct one */
		ASSERT_LT(3 * f, n);
		if (n % 3 == 1)
			ASSERT_EQ(2 * f + 1, q); /* the paper's 2f + 1 */
	}
	ASSERT_EQ(3, tm_quorum(4));
	ASSERT_EQ(1, tm_f(4));
	ASSERT_EQ(5, tm_quorum(7));
	ASSERT_EQ(2, tm_f(7));
	ASSERT_EQ(1, tm_quorum(1));
	ASSERT_EQ(0, tm_f(1));
	/* proposer(h, r) = (h + r) mod n, also near 2^64 */
	for (n = 1; n <= 9; n++)
		for (h = 1; h < 30; h++)
			for (r = 0; r < 30; r++)
				ASSERT_EQ((h + r) % n, tm_proposer(n, h, r));
	ASSERT_EQ((uint32_t)((UINT64_MAX % 7 + 5) % 7), tm_proposer(7, UINT64_MAX, 5));
}

TEST(config_and_bad_arguments)
{
	struct tm_config c = test_cfg();
	struct rec *r;

	ASSERT_EQ(NULL, tm_new(&c, 0, 0, &rec_ops, NULL));
	ASSERT_EQ(NULL, tm_new(&c, 65, 0, &rec_ops, NULL));
	ASSERT_EQ(NULL, tm_new(&c, 4, 4, &rec_ops, NULL));
	ASSERT_EQ(NULL, tm_new(&c, 4, -2, &rec_ops, NULL));
	c.max_values = 5;
	ASSERT_EQ(NULL, tm_new(&c, 4, 0, &rec_ops, NULL));
	c = test_cfg();
	c.max_rounds = 1 + 4 + 4 + 2; /* below 1 + future_rounds + n + 3 */
	ASSERT_EQ(NULL, tm_new(&c, 4, 0, &rec_ops, NULL));
	c.max_rounds = 1 + 4 + 4 + 3;
	r = rec_new(4, 0, &c);
	ASSERT_NE(NULL, r->tm);
	/* timeouts: base + round * delta, saturating */
	ASSERT_EQ(100, tm_timeout(&c, TM_STEP_PROPOSE, 0));
	ASSERT_EQ(100 + 7 * 40, tm_timeout(&c, TM_STEP_PROPOSE, 7));
	ASSERT_EQ(60 + 7 * 30, tm_timeout(&c, TM_STEP_PREVOTE, 7));
	ASSERT_EQ(60 + 9 * 30, tm_timeout(&c, TM_STEP_PRECOMMIT, 9));
	ASSERT_EQ(UINT32_MAX, tm_timeout(&c, TM_STEP_PROPOSE, TM_ROUND_MAX));

	/* idle until started: height 0, step commit, messages of height 1
	 * buffered, later ones dropped */
	ASSERT_EQ(0, st_of(r).height);
	ASSERT_EQ(TM_STEP_COMMIT, st_of(r).step);
	ASSERT_EQ(-EINVAL, tm_start_height(r->tm, 0));

	struct rval v;

	mkval(&v, "a", true);
	ASSERT_EQ(-EINVAL, feed_vote(r, 3, 1, 0, 1, &v));	   /* type */
	ASSERT_EQ(-EINVAL, feed_vote(r, TM_PREVOTE, 1, 0, 4, &v)); /* index */
	ASSERT_EQ(-EINVAL, feed_vote(r, TM_PREVOTE, 0, 0, 1, &v)); /* height 0 */
	ASSERT_EQ(-EINVAL, feed_vote(r, TM_PREVOTE, 1, TM_ROUND_MAX + 1, 1, &v));
	ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 0, 1, &v));
	ASSERT_EQ(-ERANGE, feed_vote(r, TM_PREVOTE, 2, 0, 1, &v));
	ASSERT_EQ(1, tm_get_stats(r->tm)->drop_future_height);

	struct tm_proposal p;

	memset(&p, 0, sizeof(p));
	p.height = 1;
	p.round = 0;
	p.pol_round = -1;
	p.proposer = 2; /* proposer(1, 0) is 1 */
	p.value.data = v.data;
	p.value.len = v.len;
	ASSERT_EQ(-EINVAL, tm_on_proposal(r->tm, &p));
	p.proposer = 1;
	p.pol_round = -2;
	ASSERT_EQ(-EINVAL, tm_on_proposal(r->tm, &p));
	p.pol_round = -1;
	p.value.len = 65;
	ASSERT_EQ(-E2BIG, tm_on_proposal(r->tm, &p));
	p.value.len = 3;
	p.value.data = NULL;
	ASSERT_EQ(-EINVAL, tm_on_proposal(r->tm, &p));
	ASSERT_EQ(-EINVAL, tm_on_timeout(r->tm, TM_STEP_COMMIT, 1, 0));
	ASSERT_EQ(0, tm_on_timeout(r->tm, TM_STEP_PROPOSE, 1, 0)); /* not started: ignored */
	ASSERT_EQ(0, r->nout);
	ASSERT_EQ(0, tm_start_height(r->tm, 1));
	ASSERT_EQ(-EINVAL, tm_start_height(r->tm, 1));
	rec_free(r);
	ASSERT_EQ(0, __lsan_do_recoverable_leak_check());
}

TEST(single_validator_decides_alone)
{
	struct rec *r = rec_new(1, 0, NULL);
	uint64_t h;

	for (h = 1; h <= 50; h++) {
		ASSERT_EQ(0, tm_start_height(r->tm, h));
		ASSERT_EQ((int)h, r->ndec);
		ASSERT_EQ(h, r->dec[h - 1].h);
		ASSERT_EQ(0, r->dec[h - 1].r);
		ASSERT_EQ(1, r->dec[h - 1].ncert);
		ASSERT_EQ(0, r->dec[h - 1].cert[0].validator);
		ASSERT_EQ(TM_STEP_COMMIT, st_of(r).step);
	}
	/* it proposed, prevoted and precommitted once per height */
	ASSERT_EQ(150, r->nout);
	ASSERT_EQ(50, tm_get_stats(r->tm)->decisions);
	rec_free(r);
}

/* L22-L27 and the proposer's choice (L14-L19). */
TEST(proposal_prevote_and_proposer_choice)
{
	struct rval v, bad;
	struct rec *r;

	mkval(&v, "v", true);
	mkval(&bad, "bad", false);

	/* n = 4, self 1 = proposer(1, 0): proposes getValue() with pol -1 and
	 * prevotes it; no propose timeout is scheduled (L21 is the else) */
	r = rec_new(4, 1, NULL);
	ASSERT_EQ(0, tm_start_height(r->tm, 1));
	ASSERT_EQ(2, r->nout);
	ASSERT_EQ(TM_MSG_PROPOSAL, r->out[0].kind);
	ASSERT_EQ(-1, r->out[0].proposal.pol_round);
	ASSERT_EQ(1, r->out[0].proposal.proposer);
	ASSERT_EQ(1, r->getv);
	ASSERT_EQ(TM_MSG_VOTE, r->out[1].kind);
	ASSERT_EQ(TM_PREVOTE, r->out[1].vote.type);
	ASSERT_TRUE(r->out[1].vote.has_value);
	ASSERT_TRUE(heq(r->out[0].proposal.value.hash, r->out[1].vote.hash));
	ASSERT_EQ(0, sched_delay(r, TM_STEP_PROPOSE, 1, 0));
	ASSERT_EQ(TM_STEP_PREVOTE, st_of(r).step);
	rec_free(r);

	/* an invalid value: prevote nil (L26) */
	r = rec_new(4, 0, NULL);
	ASSERT_EQ(0, tm_start_height(r->tm, 1));
	ASSERT_EQ(100, sched_delay(r, TM_STEP_PROPOSE, 1, 0)); /* L21 */
	ASSERT_EQ(0, feed_prop(r, 1, 0, -1, &bad));
	ASSERT_EQ(1, own_vote(r, TM_PREVOTE, 1, 0, NULL));
	/* 2f+1 prevotes for the invalid value: no lock, no precommit for it
	 * (L36 needs valid(v)); the prevote timeout is scheduled (L34) */
	ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 0, 1, &bad));
	ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 0, 2, &bad));
	ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 0, 3, &bad));
	ASSERT_EQ(0, own_vote(r, TM_PRECOMMIT, 1, 0, NULL));
	ASSERT_EQ(60, sched_delay(r, TM_STEP_PREVOTE, 1, 0));
	ASSERT_EQ(-1, st_of(r).locked_round);
	ASSERT_EQ(0, tm_on_timeout(r->tm, TM_STEP_PREVOTE, 1, 0)); /* L61-L64 */
	ASSERT_EQ(1, own_vote(r, TM_PRECOMMIT, 1, 0, NULL));
	/* 2f+1 precommits for it do not decide either (L50) */
	ASSERT_EQ(0, feed_vote(r, TM_PRECOMMIT, 1, 0, 1, &bad));
	ASSERT_EQ(0, feed_vote(r, TM_PRECOMMIT, 1, 0, 2, &bad));
	ASSERT_EQ(0, feed_vote(r, TM_PRECOMMIT, 1, 0, 3, &bad));
	ASSERT_EQ(0, r->ndec);
	ASSERT_EQ(60, sched_delay(r, TM_STEP_PRECOMMIT, 1, 0)); /* L47 */
	rec_free(r);

	/* getValue() fails: no proposal, the round times out (not in the paper) */
	r = rec_new(4, 1, NULL);
	r->getv_fail = true;
	ASSERT_EQ(0, tm_start_height(r->tm, 1));
	ASSERT_EQ(0, r->nout);
	ASSERT_EQ(100, sched_delay(r, TM_STEP_PROPOSE, 1, 0));
	ASSERT_EQ(0, tm_on_timeout(r->tm, TM_STEP_PROPOSE, 1, 0)); /* L57-L60 */
	ASSERT_EQ(1, own_vote(r, TM_PREVOTE, 1, 0, NULL));
	ASSERT_EQ(1, tm_get_stats(r->tm)->get_value_failures);
	rec_free(r);

	/* a proposal that arrives after the propose timeout changes nothing */
	r = rec_new(4, 0, NULL);
	ASSERT_EQ(0, tm_start_height(r->tm, 1));
	ASSERT_EQ(0, tm_on_timeout(r->tm, TM_STEP_PROPOSE, 1, 0));
	ASSERT_EQ(0, feed_prop(r, 1, 0, -1, &v));
	ASSERT_EQ(1, own_vote(r, TM_PREVOTE, 1, 0, NULL));
	/* stale timeouts are ignored (L58, L62, L66) */
	ASSERT_EQ(0, tm_on_timeout(r->tm, TM_STEP_PRECOMMIT, 1, 1));
	ASSERT_EQ(0, tm_on_timeout(r->tm, TM_STEP_PRECOMMIT, 2, 0));
	ASSERT_EQ(0, st_of(r).round);
	rec_free(r);
}

/*
 * Locking (L36-L43), unlocking only by a newer polka (L28-L29), the proposer
 * re-proposing validValue with validRound (L15-L16) and a decision from a
 * past round (L49). n = 4, self 0, height 1; proposer(1, r) = (1 + r) % 4.
 */
TEST(locking_and_unlocking)
{
	struct rec *r = rec_new(4, 0, NULL);
	struct rval v, w;
	struct tm_status s;

	mkval(&v, "v", true);
	mkval(&w, "w", true);
	ASSERT_EQ(0, tm_start_height(r->tm, 1));

	/* round 0: v proposed, polka for v: lock v in round 0, precommit v */
	ASSERT_EQ(0, feed_prop(r, 1, 0, -1, &v));
	ASSERT_EQ(2, own_vote(r, TM_PREVOTE, 1, 0, &v));
	ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 0, 1, &v));
	ASSERT_EQ(0, own_vote(r, TM_PRECOMMIT, 1, 0, &v));
	ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 0, 2, &v));
	ASSERT_EQ(2, own_vote(r, TM_PRECOMMIT, 1, 0, &v));
	s = st_of(r);
	ASSERT_EQ(0, s.locked_round);
	ASSERT_EQ(0, s.valid_round);
	ASSERT_TRUE(heq(s.locked_hash, v.hash));
	ASSERT_EQ(TM_STEP_PRECOMMIT, s.step);
	/* no decision: the others precommit nil; 2f+1 precommits: timeout */
	ASSERT_EQ(0, feed_vote(r, TM_PRECOMMIT, 1, 0, 1, NULL));
	ASSERT_EQ(0, sched_delay(r, TM_STEP_PRECOMMIT, 1, 0));
	ASSERT_EQ(0, feed_vote(r, TM_PRECOMMIT, 1, 0, 2, NULL));
	ASSERT_EQ(60, sched_delay(r, TM_STEP_PRECOMMIT, 1, 0));
	ASSERT_EQ(0, tm_on_timeout(r->tm, TM_STEP_PRECOMMIT, 1, 0));
	ASSERT_EQ(1, st_of(r).round);

	/* round 1: w proposed (pol -1): locked on v, prevote nil (L23) */
	ASSERT_EQ(0, feed_prop(r, 1, 1, -1, &w));
	ASSERT_EQ(1, own_vote(r, TM_PREVOTE, 1, 1, NULL));
	/* two prevotes for w (1, 2), 3's is held back: no polka, timeout */
	ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 1, 1, &w));
	ASSERT_EQ(0, sched_delay(r, TM_STEP_PREVOTE, 1, 1));
	ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 1, 2, &w));
	ASSERT_EQ(60 + 30, sched_delay(r, TM_STEP_PREVOTE, 1, 1)); /* L34, growing */
	ASSERT_EQ(0, tm_on_timeout(r->tm, TM_STEP_PREVOTE, 1, 1));
	ASSERT_EQ(1, own_vote(r, TM_PRECOMMIT, 1, 1, NULL)); /* never w */
	ASSERT_EQ(0, feed_vote(r, TM_PRECOMMIT, 1, 1, 1, NULL));
	ASSERT_EQ(0, feed_vote(r, TM_PRECOMMIT, 1, 1, 2, NULL));
	ASSERT_EQ(0, tm_on_timeout(r->tm, TM_STEP_PRECOMMIT, 1, 1));
	ASSERT_EQ(2, st_of(r).round);
	ASSERT_EQ(0, st_of(r).locked_round);

	/* round 2: w with pol 1, but no polka for w in round 1: nothing
	 * until the propose timeout, then nil */
	ASSERT_EQ(0, feed_prop(r, 1, 2, 1, &w));
	ASSERT_EQ(0, own_vote(r, TM_PREVOTE, 1, 2, NULL));
	ASSERT_EQ(100 + 2 * 40, sched_delay(r, TM_STEP_PROPOSE, 1, 2));
	ASSERT_EQ(0, tm_on_timeout(r->tm, TM_STEP_PROPOSE, 1, 2));
	ASSERT_EQ(1, own_vote(r, TM_PREVOTE, 1, 2, NULL));
	/* 3's prevote for w in round 1 arrives late: a polka for w in round 1
	 * now, but validValue only changes in the current round (L36) */
	ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 1, 3, &w));
	ASSERT_EQ(0, st_of(r).valid_round);
	ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 2, 1, NULL));
	ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 2, 2, NULL));
	ASSERT_EQ(1, own_vote(r, TM_PRECOMMIT, 1, 2, NULL)); /* L44 */
	ASSERT_EQ(0, feed_vote(r, TM_PRECOMMIT, 1, 2, 1, NULL));
	ASSERT_EQ(0, feed_vote(r, TM_PRECOMMIT, 1, 2, 2, NULL));
	ASSERT_EQ(0, tm_on_timeout(r->tm, TM_STEP_PRECOMMIT, 1, 2));

	/* round 3: we are the proposer: validValue v with validRound 0 */
	ASSERT_EQ(3, st_of(r).round);
	{
		const struct tm_msg *m = NULL;
		int i;

		for (i = 0; i < r->nout; i++)
			if (r->out[i].kind == TM_MSG_PROPOSAL)
				m = &r->out[i];
		ASSERT_NE(NULL, m);
		ASSERT_EQ(3, m->proposal.round);
		ASSERT_EQ(0, m->proposal.pol_round);
		ASSERT_TRUE(heq(m->proposal.value.hash, v.hash));
		ASSERT_EQ(0, r->getv); /* getValue() never asked */
	}
	ASSERT_EQ(2, own_vote(r, TM_PREVOTE, 1, 3, &v)); /* L28-L30 on our own */
	ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 3, 1, NULL));
	ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 3, 2, NULL));
	ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 3, 3, NULL));
	ASSERT_EQ(1, own_vote(r, TM_PRECOMMIT, 1, 3, NULL));
	ASSERT_EQ(0, feed_vote(r, TM_PRECOMMIT, 1, 3, 1, NULL));
	ASSERT_EQ(0, feed_vote(r, TM_PRECOMMIT, 1, 3, 2, NULL));
	ASSERT_EQ(0, tm_on_timeout(r->tm, TM_STEP_PRECOMMIT, 1, 3));

	/* round 4: w with pol 1 and the polka of round 1 >= lockedRound 0:
	 * prevote w (L29), then a polka for w: lock w in round 4 */
	ASSERT_EQ(4, st_of(r).round);
	ASSERT_EQ(0, feed_prop(r, 1, 4, 1, &w));
	ASSERT_EQ(2, own_vote(r, TM_PREVOTE, 1, 4, &w));
	ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 4, 1, &w));
	ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 4, 2, &w));
	ASSERT_EQ(2, own_vote(r, TM_PRECOMMIT, 1, 4, &w));
	s = st_of(r);
	ASSERT_EQ(4, s.locked_round);
	ASSERT_TRUE(heq(s.locked_hash, w.hash));
	ASSERT_EQ(4, s.valid_round);
	ASSERT_EQ(0, feed_vote(r, TM_PRECOMMIT, 1, 4, 1, &w));
	ASSERT_EQ(0, feed_vote(r, TM_PRECOMMIT, 1, 4, 2, NULL));
	ASSERT_EQ(0, r->ndec);
	ASSERT_EQ(0, tm_on_timeout(r->tm, TM_STEP_PRECOMMIT, 1, 4));

	/* round 5: v with pol 0, an older polka than lockedRound 4: nil */
	ASSERT_EQ(5, st_of(r).round);
	ASSERT_EQ(0, feed_prop(r, 1, 5, 0, &v));
	ASSERT_EQ(1, own_vote(r, TM_PREVOTE, 1, 5, NULL));

	/* 3's precommit for w in round 4 arrives: 2f+1 precommits for w in
	 * round 4 with its proposal: decide w in round 4 (L49), certificate
	 * from validators 0, 1 and 3 */
	ASSERT_EQ(0, feed_vote(r, TM_PRECOMMIT, 1, 4, 3, &w));
	ASSERT_EQ(1, r->ndec);
	ASSERT_EQ(1, r->dec[0].h);
	ASSERT_EQ(4, r->dec[0].r);
	ASSERT_TRUE(heq(r->dec[0].hash, w.hash));
	ASSERT_EQ(w.len, r->dec[0].len);
	ASSERT_EQ(0, memcmp(w.data, r->dec[0].data, w.len));
	ASSERT_EQ(3, r->dec[0].ncert);
	ASSERT_EQ(0, r->dec[0].cert[0].validator);
	ASSERT_EQ(1, r->dec[0].cert[1].validator);
	ASSERT_EQ(3, r->dec[0].cert[2].validator);
	{
		uint8_t sig[TM_SIG_LEN];
		uint32_t k;

		for (k = 0; k < 3; k++) {
			sign_vote(sig, r->dec[0].cert[k].validator, TM_PRECOMMIT, 1, 4, true,
				  w.hash);
			ASSERT_EQ(0, memcmp(sig, r->dec[0].cert[k].sig, TM_SIG_LEN));
		}
	}
	s = st_of(r);
	ASSERT_EQ(TM_STEP_COMMIT, s.step);
	ASSERT_FALSE(s.has_locked);
	/* late messages of the decided height are stale */
	ASSERT_EQ(0, feed_vote(r, TM_PRECOMMIT, 1, 4, 2, &w));
	ASSERT_EQ(1, r->ndec);
	ASSERT_EQ(0, tm_start_height(r->tm, 2));
	s = st_of(r);
	ASSERT_EQ(2, s.height);
	ASSERT_EQ(0, s.round);
	ASSERT_EQ(-1, s.locked_round); /* L53 */
	ASSERT_EQ(-1, s.valid_round);
	rec_free(r);
}

/* Timeouts grow with the round: every kind, round 0..11. */
TEST(timeouts_grow_with_the_round)
{
	struct rec *r = rec_new(4, 0, NULL);
	struct rval x;
	uint32_t round, prev[3] = {0, 0, 0};
	int k;

	mkval(&x, "x", true);
	ASSERT_EQ(0, tm_start_height(r->tm, 2));
	for (round = 0; round < 12; round++) {
		ASSERT_EQ(round, st_of(r).round);
		if (tm_proposer(4, 2, round) != 0) {
			ASSERT_EQ(100 + round * 40, sched_delay(r, TM_STEP_PROPOSE, 2, round));
			ASSERT_EQ(0, tm_on_timeout(r->tm, TM_STEP_PROPOSE, 2, round));
		}
		ASSERT_EQ(TM_STEP_PREVOTE, st_of(r).step);
		/* prevotes for a value nobody proposed: 2f+1 of them but no
		 * quorum for anything: the prevote timeout */
		ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 2, round, 1, &x));
		ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 2, round, 2, &x));
		ASSERT_EQ(60 + round * 30, sched_delay(r, TM_STEP_PREVOTE, 2, round));
		ASSERT_EQ(0, tm_on_timeout(r->tm, TM_STEP_PREVOTE, 2, round));
		ASSERT_EQ(1, own_vote(r, TM_PRECOMMIT, 2, round, NULL));
		ASSERT_EQ(0, feed_vote(r, TM_PRECOMMIT, 2, round, 1, &x));
		ASSERT_EQ(0, feed_vote(r, TM_PRECOMMIT, 2, round, 2, &x));
		ASSERT_EQ(60 + round * 30, sched_delay(r, TM_STEP_PRECOMMIT, 2, round));
		ASSERT_EQ(0, tm_on_timeout(r->tm, TM_STEP_PRECOMMIT, 2, round));
	}
	/* every schedule grew strictly with the round, per kind */
	for (k = 0; k < r->nsched; k++) {
		enum tm_step kind = r->sched[k].kind;

		ASSERT_EQ(tm_timeout(&r->cfg, kind, r->sched[k].r), r->sched[k].delay);
		ASSERT_GT(r->sched[k].delay, prev[kind]);
		prev[kind] = r->sched[k].delay;
	}
	ASSERT_EQ(0, r->ndec);
	rec_free(r);
}

/* L55: f+1 messages of a higher round, from distinct validators, of any kind */
TEST(round_skip_on_f_plus_1)
{
	struct rec *r = rec_new(4, 0, NULL);
	struct rval v;

	mkval(&v, "v", true);
	ASSERT_EQ(0, tm_start_height(r->tm, 1));
	ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 5, 2, &v));
	ASSERT_EQ(0, feed_vote(r, TM_PRECOMMIT, 1, 5, 2, &v));
	ASSERT_EQ(0, st_of(r).round); /* one validator, twice: not f+1 */
	ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 5, 3, NULL));
	ASSERT_EQ(5, st_of(r).round);
	ASSERT_EQ(TM_STEP_PROPOSE, st_of(r).step);
	ASSERT_EQ(100 + 5 * 40, sched_delay(r, TM_STEP_PROPOSE, 1, 5));
	ASSERT_EQ(1, tm_get_stats(r->tm)->round_skips);
	/* a proposal and a vote of another validator make f+1 as well */
	ASSERT_EQ(0, feed_prop(r, 1, 9, -1, &v)); /* from proposer(1, 9) = 2 */
	ASSERT_EQ(5, st_of(r).round);
	ASSERT_EQ(0, feed_vote(r, TM_PRECOMMIT, 1, 9, 1, NULL));
	ASSERT_EQ(9, st_of(r).round);
	/* entering round 9 with its proposal there: L22 at once */
	ASSERT_EQ(2, own_vote(r, TM_PREVOTE, 1, 9, &v));
	/* rounds below are never re-entered */
	ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 7, 1, NULL));
	ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 7, 2, NULL));
	ASSERT_EQ(9, st_of(r).round);
	/* the highest qualifying round is the one entered */
	ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 12, 1, NULL));
	ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 15, 1, NULL));
	ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 12, 3, NULL));
	ASSERT_EQ(12, st_of(r).round);
	ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 15, 2, NULL));
	ASSERT_EQ(15, st_of(r).round);
	rec_free(r);
}

/* Messages for future rounds and the next height wait for the engine. */
TEST(future_rounds_and_heights_are_buffered)
{
	struct rec *r = rec_new(4, 0, NULL);
	struct rval v, u;
	uint16_t i;

	mkval(&v, "v", true);
	mkval(&u, "u", true);
	ASSERT_EQ(0, tm_start_height(r->tm, 1));
	/* height 2, round 0 (proposer 2): proposal, prevotes, precommits */
	ASSERT_EQ(0, feed_prop(r, 2, 0, -1, &u));
	for (i = 1; i < 4; i++) {
		ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 2, 0, i, &u));
		ASSERT_EQ(0, feed_vote(r, TM_PRECOMMIT, 2, 0, i, &u));
	}
	/* height 3: too far */
	ASSERT_EQ(-ERANGE, feed_vote(r, TM_PREVOTE, 3, 0, 1, &u));
	ASSERT_EQ(0, r->ndec);
	/* height 1 decides in round 0 */
	ASSERT_EQ(0, feed_prop(r, 1, 0, -1, &v));
	for (i = 1; i < 3; i++)
		ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 0, i, &v));
	for (i = 1; i < 3; i++)
		ASSERT_EQ(0, feed_vote(r, TM_PRECOMMIT, 1, 0, i, &v));
	ASSERT_EQ(1, r->ndec);
	ASSERT_TRUE(heq(r->dec[0].hash, v.hash));
	/* height 2 decides from the buffer as soon as it starts (L49 before
	 * anything else: the engine does not even prevote) */
	ASSERT_EQ(0, tm_start_height(r->tm, 2));
	ASSERT_EQ(2, r->ndec);
	ASSERT_EQ(2, r->dec[1].h);
	ASSERT_TRUE(heq(r->dec[1].hash, u.hash));
	ASSERT_EQ(3, r->dec[1].ncert);
	ASSERT_EQ(1, r->dec[1].cert[0].validator);
	/* a future round of the current height: precommits and the proposal
	 * of round 2 decide while the engine is in round 0 */
	ASSERT_EQ(0, tm_start_height(r->tm, 3));
	ASSERT_EQ(0, feed_prop(r, 3, 2, -1, &v)); /* proposer(3, 2) = 1 */
	ASSERT_EQ(0, feed_vote(r, TM_PRECOMMIT, 3, 2, 1, &v));
	ASSERT_EQ(0, feed_vote(r, TM_PRECOMMIT, 3, 2, 2, &v));
	ASSERT_EQ(2, r->ndec);
	ASSERT_EQ(2, st_of(r).round); /* f+1 in round 2: skipped there */
	ASSERT_EQ(0, feed_vote(r, TM_PRECOMMIT, 3, 2, 3, &v));
	ASSERT_EQ(3, r->ndec);
	ASSERT_EQ(2, r->dec[2].r);
	/* skipping heights: start 10 directly (after a block sync) */
	ASSERT_EQ(0, tm_start_height(r->tm, 10));
	ASSERT_EQ(10, st_of(r).height);
	ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 9, 0, 1, &v));
	ASSERT_GT(tm_get_stats(r->tm)->stale, 0);
	rec_free(r);
}

/* The bounds: future rounds per validator, value slots, round slots. */
TEST(buffer_bounds_are_enforced_and_counted)
{
	struct tm_config c = test_cfg();
	const struct tm_stats *st;
	struct rval v, x;
	uint32_t round;
	struct rec *r;
	uint16_t i;
	char tag[16];

	mkval(&v, "v", true);

	/* validator 3 floods rounds 1..100: rounds 1..4 (future_rounds) are
	 * kept, above them only its highest */
	r = rec_new(4, 0, &c);
	st = tm_get_stats(r->tm);
	ASSERT_EQ(0, tm_start_height(r->tm, 1));
	for (round = 1; round <= 100; round++)
		ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, round, 3, NULL));
	ASSERT_EQ(95, st->drop_round_quota);
	ASSERT_EQ(0, st_of(r).round);
	/* a lower far one is dropped, a near one is not */
	ASSERT_EQ(-ENOSPC, feed_vote(r, TM_PREVOTE, 1, 50, 3, NULL));
	ASSERT_EQ(96, st->drop_round_quota);
	ASSERT_EQ(0, feed_vote(r, TM_PRECOMMIT, 1, 4, 3, NULL));
	ASSERT_EQ(96, st->drop_round_quota);
	/* validator 2 joins round 100: f+1 there (3's highest was kept) */
	ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 100, 2, NULL));
	ASSERT_EQ(100, st_of(r).round);
	rec_free(r);

	/* proposals of every other proposer for rounds 1..140, all different
	 * values, with 6 value slots: the farthest are dropped or evicted, the
	 * current round's value stays and is decided */
	c.max_values = 6;
	r = rec_new(4, 0, &c);
	st = tm_get_stats(r->tm);
	ASSERT_EQ(0, tm_start_height(r->tm, 1));
	ASSERT_EQ(0, feed_prop(r, 1, 0, -1, &v));
	for (round = 1; round <= 140; round++) {
		if (tm_proposer(4, 1, round) == 0)
			continue;
		snprintf(tag, sizeof(tag), "f%u", round);
		mkval(&x, tag, true);
		feed_prop(r, 1, round, -1, &x);
	}
	ASSERT_GT(st->drop_round_quota, 0);
	ASSERT_GT(st->drop_values + st->evicted_values, 0);
	ASSERT_EQ(0, st_of(r).round);
	for (i = 1; i < 3; i++)
		ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 0, i, &v));
	for (i = 1; i < 3; i++)
		ASSERT_EQ(0, feed_vote(r, TM_PRECOMMIT, 1, 0, i, &v));
	ASSERT_EQ(1, r->ndec);
	ASSERT_TRUE(heq(r->dec[0].hash, v.hash));
	rec_free(r);

	/* past rounds are evicted lowest first, never lockedRound/validRound */
	c = test_cfg();
	c.max_rounds = 1 + 4 + 4 + 3;
	r = rec_new(4, 0, &c);
	st = tm_get_stats(r->tm);
	ASSERT_EQ(0, tm_start_height(r->tm, 1));
	ASSERT_EQ(0, feed_prop(r, 1, 0, -1, &v));
	ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 0, 1, &v));
	ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 0, 2, &v));
	ASSERT_EQ(0, st_of(r).locked_round);
	for (round = 0; round <= 40; round++) {
		/* every round: propose timeout, all precommit nil, timeout */
		ASSERT_EQ(0, tm_on_timeout(r->tm, TM_STEP_PROPOSE, 1, round));
		for (i = 1; i < 4; i++)
			ASSERT_EQ(0, feed_vote(r, TM_PRECOMMIT, 1, round, i, NULL));
		ASSERT_EQ(0, tm_on_timeout(r->tm, TM_STEP_PRECOMMIT, 1, round));
	}
	ASSERT_EQ(41, st_of(r).round);
	ASSERT_GT(st->evicted_rounds, 20);
	ASSERT_EQ(0, st_of(r).locked_round);
	/* round 0's polka survived: the proposal of round 41 with pol 0 is
	 * prevoted at once (L28 needs that polka) */
	ASSERT_EQ(0, feed_prop(r, 1, 41, 0, &v));
	ASSERT_EQ(2, own_vote(r, TM_PREVOTE, 1, 41, &v));
	rec_free(r);
	ASSERT_EQ(0, __lsan_do_recoverable_leak_check());
}

/* A double vote is reported once; every distinct vote counts (the paper's
 * message log), an equivocator's other votes in bounded extra slots. */
TEST(double_votes_are_evidence_and_every_distinct_vote_counts)
{
	struct rec *r = rec_new(4, 0, NULL);
	const struct tm_stats *st = tm_get_stats(r->tm);
	struct rval v, w, z;
	uint8_t sig[TM_SIG_LEN];

	mkval(&v, "v", true);
	mkval(&w, "w", true);
	mkval(&z, "z", true);
	ASSERT_EQ(0, tm_start_height(r->tm, 1));
	ASSERT_EQ(0, feed_prop(r, 1, 0, -1, &v));
	ASSERT_EQ(2, own_vote(r, TM_PREVOTE, 1, 0, &v));
	/* validator 2: nil, then v: evidence (first nil, second v) */
	ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 0, 2, NULL));
	ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 0, 2, &v));
	ASSERT_EQ(1, r->nev);
	ASSERT_EQ(TM_PREVOTE, r->ev[0][0].type);
	ASSERT_EQ(2, r->ev[0][0].validator);
	ASSERT_FALSE(r->ev[0][0].has_value);
	ASSERT_TRUE(r->ev[0][1].has_value);
	ASSERT_TRUE(heq(r->ev[0][1].hash, v.hash));
	sign_vote(sig, 2, TM_PREVOTE, 1, 0, false, NULL);
	ASSERT_EQ(0, memcmp(sig, r->ev[0][0].sig, TM_SIG_LEN));
	/* a third value: kept, not reported again; the first again: duplicate */
	ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 0, 2, &w));
	ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 0, 2, NULL));
	ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 0, 2, &v));
	ASSERT_EQ(1, r->nev);
	ASSERT_EQ(1, st->double_votes);
	ASSERT_EQ(2, st->extra_votes);
	/* 2 counts once among "any" prevotes: 0 and 2 are two, no L34 yet */
	ASSERT_EQ(0, sched_delay(r, TM_STEP_PREVOTE, 1, 0));
	/* 1 prevotes v: 0, 1 and 2 (its second vote) are a polka */
	ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 0, 1, &v));
	ASSERT_EQ(2, own_vote(r, TM_PRECOMMIT, 1, 0, &v));
	/* the proposer of round 0 proposes w too: reported, kept */
	ASSERT_EQ(0, feed_prop(r, 1, 0, -1, &w));
	ASSERT_EQ(1, r->npev);
	ASSERT_EQ(1, r->pev[0][0].proposer);
	ASSERT_TRUE(heq(r->pev[0][0].value.hash, v.hash));
	ASSERT_TRUE(heq(r->pev[0][1].value.hash, w.hash));
	ASSERT_EQ(1, st->conflicting_proposals);
	/* a third proposal is neither kept nor reported again */
	ASSERT_EQ(-ENOSPC, feed_prop(r, 1, 0, -1, &z));
	ASSERT_EQ(1, r->npev);
	/* precommits: 3 for v then w (evidence); 1 and 2 for w: w has 1, 2 and
	 * 3's second precommit: decided, 3's w precommit in the certificate */
	ASSERT_EQ(0, feed_vote(r, TM_PRECOMMIT, 1, 0, 3, &v));
	ASSERT_EQ(0, feed_vote(r, TM_PRECOMMIT, 1, 0, 3, &w));
	ASSERT_EQ(2, r->nev);
	ASSERT_EQ(TM_PRECOMMIT, r->ev[1][0].type);
	ASSERT_EQ(0, r->ndec); /* v: 0 and 3 */
	ASSERT_EQ(0, feed_vote(r, TM_PRECOMMIT, 1, 0, 1, &w));
	ASSERT_EQ(0, r->ndec);
	ASSERT_EQ(0, feed_vote(r, TM_PRECOMMIT, 1, 0, 2, &w));
	ASSERT_EQ(1, r->ndec);
	ASSERT_TRUE(heq(r->dec[0].hash, w.hash));
	ASSERT_EQ(3, r->dec[0].ncert);
	ASSERT_EQ(1, r->dec[0].cert[0].validator);
	ASSERT_EQ(2, r->dec[0].cert[1].validator);
	ASSERT_EQ(3, r->dec[0].cert[2].validator);
	sign_vote(sig, 3, TM_PRECOMMIT, 1, 0, true, w.hash);
	ASSERT_EQ(0, memcmp(sig, r->dec[0].cert[2].sig, TM_SIG_LEN));
	rec_free(r);

	/* the extra slots are bounded; votes for known values or nil displace
	 * votes for unknown ones, the rest is dropped and counted */
	{
		struct tm_config c = test_cfg();
		struct rval u1, u2;

		c.extra_votes = 1;
		mkval(&u1, "unknown1", true);
		mkval(&u2, "unknown2", true);
		r = rec_new(4, 0, &c);
		st = tm_get_stats(r->tm);
		ASSERT_EQ(0, tm_start_height(r->tm, 1));
		ASSERT_EQ(0, feed_prop(r, 1, 0, -1, &v));
		ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 0, 2, NULL));
		ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 0, 2, &u1));	    /* the one slot */
		ASSERT_EQ(-ENOSPC, feed_vote(r, TM_PREVOTE, 1, 0, 2, &u2)); /* no room */
		ASSERT_EQ(1, st->drop_votes);
		ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 0, 2, &v)); /* displaces u1 */
		ASSERT_EQ(1, st->drop_votes);
		ASSERT_EQ(-ENOSPC, feed_vote(r, TM_PREVOTE, 1, 0, 2, &u1)); /* no room now */
		ASSERT_EQ(2, st->drop_votes);
		ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 0, 1, &v));
		ASSERT_EQ(2, own_vote(r, TM_PRECOMMIT, 1, 0, &v)); /* 0, 1, 2 */
		ASSERT_EQ(1, st->double_votes);
		rec_free(r);
	}
}

/* Deciding from a verified commit certificate (a block's last_commit). */
TEST(commit_certificate_decides)
{
	struct rec *r = rec_new(4, 0, NULL);
	struct tm_precommit cert[4];
	struct rval v, w, bad;
	uint16_t i;

	mkval(&v, "v", true);
	mkval(&w, "w", true);
	mkval(&bad, "bad", false);
	for (i = 0; i < 4; i++) {
		cert[i].validator = i;
		sign_vote(cert[i].sig, i, TM_PRECOMMIT, 1, 5, true, v.hash);
	}
	ASSERT_EQ(0, tm_start_height(r->tm, 1));
	ASSERT_EQ(-ENOENT, tm_on_commit(r->tm, 1, 5, v.hash, cert + 1, 3)); /* no proposal */
	ASSERT_EQ(0, feed_prop(r, 1, 0, -1, &v));
	ASSERT_EQ(-EINVAL, tm_on_commit(r->tm, 1, 5, v.hash, cert + 1, 2)); /* not > 2n/3 */
	{
		struct tm_precommit bad_order[3] = {cert[2], cert[1], cert[3]};

		ASSERT_EQ(-EINVAL, tm_on_commit(r->tm, 1, 5, v.hash, bad_order, 3));
	}
	ASSERT_EQ(-ERANGE, tm_on_commit(r->tm, 2, 5, v.hash, cert + 1, 3));
	ASSERT_EQ(0, r->ndec);
	ASSERT_EQ(0, tm_on_commit(r->tm, 1, 5, v.hash, cert + 1, 3));
	ASSERT_EQ(1, r->ndec);
	ASSERT_EQ(5, r->dec[0].r);
	ASSERT_TRUE(heq(r->dec[0].hash, v.hash));
	ASSERT_EQ(3, r->dec[0].ncert);
	ASSERT_EQ(1, r->dec[0].cert[0].validator);
	ASSERT_EQ(0, memcmp(cert[3].sig, r->dec[0].cert[2].sig, TM_SIG_LEN));
	ASSERT_EQ(1, tm_get_stats(r->tm)->commits);
	/* decided: a second certificate changes nothing */
	ASSERT_EQ(0, tm_on_commit(r->tm, 1, 5, v.hash, cert, 4));
	ASSERT_EQ(1, r->ndec);
	/* valid() still rules: a certificate for an invalid value is refused */
	ASSERT_EQ(0, tm_start_height(r->tm, 2));
	ASSERT_EQ(0, feed_prop(r, 2, 0, -1, &bad));
	ASSERT_EQ(-EINVAL, tm_on_commit(r->tm, 2, 0, bad.hash, cert, 4));
	ASSERT_EQ(1, r->ndec);
	rec_free(r);
}

/* A non-validator follows and decides without ever broadcasting. */
TEST(non_validator_follows_without_voting)
{
	struct rec *r = rec_new(4, -1, NULL);
	struct rval v;
	uint16_t i;
	uint64_t h;

	for (h = 1; h <= 5; h++) {
		char tag[8];

		snprintf(tag, sizeof(tag), "v%llu", (unsigned long long)h);
		mkval(&v, tag, true);
		ASSERT_EQ(0, tm_start_height(r->tm, h));
		ASSERT_EQ(100, sched_delay(r, TM_STEP_PROPOSE, h, 0));
		/* round 0 fails: timeouts move it like everyone */
		ASSERT_EQ(0, tm_on_timeout(r->tm, TM_STEP_PROPOSE, h, 0));
		ASSERT_EQ(TM_STEP_PREVOTE, st_of(r).step);
		for (i = 0; i < 3; i++)
			ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, h, 0, i, NULL));
		ASSERT_EQ(TM_STEP_PRECOMMIT, st_of(r).step);
		for (i = 0; i < 3; i++)
			ASSERT_EQ(0, feed_vote(r, TM_PRECOMMIT, h, 0, i, NULL));
		ASSERT_EQ(0, tm_on_timeout(r->tm, TM_STEP_PRECOMMIT, h, 0));
		ASSERT_EQ(1, st_of(r).round);
		ASSERT_EQ(0, feed_prop(r, h, 1, -1, &v));
		for (i = 0; i < 4; i++)
			ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, h, 1, i, &v));
		ASSERT_EQ(1, st_of(r).locked_round); /* it locks like a validator */
		for (i = 0; i < 3; i++)
			ASSERT_EQ(0, feed_vote(r, TM_PRECOMMIT, h, 1, i, &v));
		ASSERT_EQ((int)h, r->ndec);
		ASSERT_EQ(1, r->dec[h - 1].r);
	}
	ASSERT_EQ(0, r->nout);
	rec_free(r);
}

TEST(callbacks_may_not_reenter)
{
	struct rec *r = rec_new(4, 1, NULL);
	struct rval own;

	r->reenter = 1;
	ASSERT_EQ(0, tm_start_height(r->tm, 1)); /* proposes: broadcast re-enters */
	ASSERT_EQ(-EBUSY, r->reenter_rc);
	ASSERT_EQ(TM_MSG_PROPOSAL, r->out[0].kind);
	memset(&own, 0, sizeof(own));
	memcpy(own.hash, r->out[0].proposal.value.hash, 32);
	r->reenter = 2;
	r->reenter_rc = 0;
	ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 0, 0, &own));
	ASSERT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 0, 2, &own));
	ASSERT_EQ(2, own_vote(r, TM_PRECOMMIT, 1, 0, &own));
	ASSERT_EQ(0, feed_vote(r, TM_PRECOMMIT, 1, 0, 0, &own));
	ASSERT_EQ(0, r->ndec);
	ASSERT_EQ(0, feed_vote(r, TM_PRECOMMIT, 1, 0, 2, &own));
	ASSERT_EQ(1, r->ndec); /* decide() tried tm_start_height(2) */
	ASSERT_EQ(-EBUSY, r->reenter_rc);
	ASSERT_EQ(1, st_of(r).height);
	ASSERT_EQ(0, tm_start_height(r->tm, 2));
	ASSERT_EQ(2, st_of(r).height);
	rec_free(r);
}

/*
 * Random, partly malformed input from every side (what byzantine validators
 * may send): the engine must never crash, never vote twice, never decide
 * twice per height nor against 2f+1 precommits, and keep its invariants.
 */
#define STORM_H 256
#define STORM_R 48

struct storm {
	struct tm *tm;
	uint64_t rng;
	uint32_t n;
	int16_t own[STORM_H][STORM_R][2]; /* own votes: 0 none, 1 nil, 2 + value */
	bool decided[STORM_H];
	uint64_t decisions, bad, broadcasts;
	struct rval vals[5];
	int reenter_rc;
};

static uint64_t storm_rnd(struct storm *st)
{
	uint64_t x = st->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	st->rng = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static int storm_val(const struct storm *st, const uint8_t *hash)
{
	int i;

	for (i = 0; i < 5; i++)
		if (heq(st->vals[i].hash, hash))
			return i;
	return 4; /* a value from get_value */
}

static bool storm_broadcast(void *ctx, struct tm_msg *m)
{
	struct storm *st = ctx;
	int16_t code, *own;

	st->broadcasts++;
	memset(m->kind == TM_MSG_VOTE ? m->vote.sig : m->proposal.sig, 0x5a, TM_SIG_LEN);
	if (m->kind != TM_MSG_VOTE || m->vote.height >= STORM_H || m->vote.round >= STORM_R)
		return true;
	code = m->vote.has_value ? (int16_t)(2 + storm_val(st, m->vote.hash)) : 1;
	own = &st->own[m->vote.height][m->vote.round][m->vote.type - 1];
	if (*own && *own != code)
		st->bad++; /* two different votes of its own */
	*own = code;
	st->reenter_rc = tm_on_vote(st->tm, &m->vote);
	return true;
}

static void storm_schedule(void *ctx, enum tm_step kind, uint64_t h, uint32_t round, uint32_t d)
{
}

static int storm_get_value(void *ctx, uint64_t h, uint32_t round, struct tm_value *out)
{
	struct storm *st = ctx;
	const struct rval *v = &st->vals[storm_rnd(st) % 5];

	if (storm_rnd(st) % 8 == 0)
		return -1;
	out->data = v->data;
	out->len = v->len;
	memcpy(out->hash, v->hash, 32);
	return 0;
}

static void storm_decide(void *ctx, uint64_t h, uint32_t round, const struct tm_value *v,
			 const struct tm_precommit *cert, uint32_t n)
{
	struct storm *st = ctx;
	uint32_t k;

	st->decisions++;
	if (h < STORM_H) {
		if (st->decided[h])
			st->bad++;
		st->decided[h] = true;
	}
	if (3 * n <= 2 * st->n || !rec_valid(NULL, h, v))
		st->bad++;
	for (k = 1; k < n; k++)
		if (cert[k].validator <= cert[k - 1].validator)
			st->bad++;
}

static const struct tm_ops storm_ops = {
	.broadcast = storm_broadcast,
	.schedule = storm_schedule,
	.get_value = storm_get_value,
	.valid = rec_valid,
	.decide = storm_decide,
};

TEST(random_inputs_keep_invariants)
{
	uint64_t seed, ops = 0;

	for (seed = 1; seed <= 40; seed++) {
		struct storm *st = calloc(1, sizeof(*st));
		struct tm_config c = test_cfg();
		struct tm_status before, after;
		uint64_t i;
		int self;

		st->rng = seed * 0x9E3779B97F4A7C15ULL;
		st->n = 1 + (uint32_t)(storm_rnd(st) % 7);
		self = (int)(storm_rnd(st) % (st->n + 1)) - 1;
		c.max_values = 6 + (uint32_t)(storm_rnd(st) % 3);
		c.future_rounds = 1 + (uint32_t)(storm_rnd(st) % 4);
		c.extra_votes = (uint32_t)(storm_rnd(st) % 4);
		mkval(&st->vals[0], "a", true);
		mkval(&st->vals[1], "b", true);
		mkval(&st->vals[2], "c", true);
		mkval(&st->vals[3], "bad", false);
		mkval(&st->vals[4], "d", true);
		st->tm = tm_new(&c, st->n, self, &storm_ops, st);
		ASSERT_NE(NULL, st->tm);
		ASSERT_EQ(0, tm_start_height(st->tm, 1));
		for (i = 0; i < 20000; i++) {
			uint64_t x = storm_rnd(st), op = x % 100;
			const struct rval *v = &st->vals[(x >> 8) % 5];
			uint64_t h;
			uint32_t r;

			tm_get_status(st->tm, &before);
			h = before.height + (x >> 12) % 3 - ((x >> 14) % 8 == 0);
			r = before.round + (uint32_t)((x >> 16) % 5) - ((x >> 19) % 4 == 0);
			if ((x >> 21) % 64 == 0)
				r = (uint32_t)(x >> 32); /* anything, also huge */
			if (op < 45) {
				struct tm_vote vote;

				memset(&vote, 0, sizeof(vote));
				vote.type = (uint8_t)(1 + (x >> 24) % 2 + ((x >> 26) % 32 == 0));
				vote.height = h;
				vote.round = r;
				vote.validator =
					(uint16_t)((x >> 28) % (st->n + ((x >> 33) % 16 == 0)));
				vote.has_value = (x >> 34) % 4 != 0;
				if (vote.has_value)
					memcpy(vote.hash, v->hash, 32);
				tm_on_vote(st->tm, &vote);
			} else if (op < 60) {
				struct tm_proposal p;

				memset(&p, 0, sizeof(p));
				p.height = h;
				p.round = r;
				p.pol_round = (int32_t)((x >> 24) % 6) - 2;
				p.proposer = (uint16_t)tm_proposer(st->n, h ? h : 1, r);
				if ((x >> 30) % 16 == 0)
					p.proposer = (uint16_t)((x >> 34) % (st->n + 1));
				p.value.data = v->data;
				p.value.len = (x >> 36) % 32 == 0 ? 1000 : v->len;
				memcpy(p.value.hash, v->hash, 32);
				tm_on_proposal(st->tm, &p);
			} else if (op < 85) {
				tm_on_timeout(st->tm, (enum tm_step)((x >> 24) % 4), h, r);
			} else if (op < 90) {
				struct tm_precommit cert[8];
				uint32_t k, m = 1 + (uint32_t)((x >> 24) % st->n);

				for (k = 0; k < m; k++) {
					cert[k].validator = (uint16_t)k;
					memset(cert[k].sig, 0x33, TM_SIG_LEN);
				}
				if ((x >> 28) % 8 == 0 && m > 1)
					cert[1].validator = 0; /* not increasing */
				tm_on_commit(st->tm, h, r, v->hash, cert, m);
			} else if (op < 91 || before.step == TM_STEP_COMMIT) {
				tm_start_height(st->tm, before.height + 1 + ((x >> 24) % 8 == 0));
			}
			tm_get_status(st->tm, &after);
			ASSERT_GE(after.height, before.height);
			if (after.height == before.height && before.step != TM_STEP_COMMIT &&
			    after.step != TM_STEP_COMMIT) {
				ASSERT_GE(after.round, before.round);
				if (after.round == before.round)
					ASSERT_GE(after.step, before.step);
			}
			ASSERT_LE(after.locked_round, (int32_t)after.round);
			ASSERT_LE(after.locked_round, after.valid_round);
			ASSERT_EQ(after.has_locked, after.locked_round >= 0);
			ASSERT_EQ(after.has_valid, after.valid_round >= 0);
			if (self < 0)
				ASSERT_EQ(0, st->broadcasts);
			ASSERT_EQ(0, st->bad);
			if (st->reenter_rc)
				ASSERT_EQ(-EBUSY, st->reenter_rc);
			if (after.height >= STORM_H - 2)
				break;
		}
		ops += i;
		ASSERT_EQ(0, st->bad);
		if (self >= 0)
			ASSERT_GT(st->broadcasts, 0);
		tm_free(st->tm);
		free(st);
	}
	TH_LOG("%llu random inputs over 40 engines (n = 1..7)", (unsigned long long)ops);
	ASSERT_EQ(0, __lsan_do_recoverable_leak_check());
}

/* ---- the simulator -------------------------------------------------------- */

#define SIM_MAXN  64
#define SIM_NODES (SIM_MAXN + 2)
#define SIM_HMAX  8
#define SIM_RMAX  128
#define VAL_LEN	  18
#define VREG_MAX  1024
#define NEVER	  UINT64_MAX

enum { EV_DELIVER, EV_TIMEOUT, EV_START, EV_SYNC, EV_COMMIT, EV_CUT, EV_BOOT, EV_RESEND };

/* A node still at h this long after a proposal of h + 1 arrived uses the
 * certificate of h in it (its last_commit); gcd would at once, the simulator
 * waits to leave the rules of Algorithm 1 the first say. */
#define LAST_COMMIT_WAIT 300
/* Block sync (on -ERANGE) runs this long after: what consensus decides
 * meanwhile is not counted as synced. */
#define SYNC_WAIT 400
#define LATER_MAX 8192

#define RELAY_BITS 13

enum {
	BYZ_EQUIV = 1,	 /* two proposals, to different nodes */
	BYZ_VOTES = 2,	 /* per recipient: its vote, nil, or another value */
	BYZ_DOUBLE = 4,	 /* a second, different vote to the same node */
	BYZ_SPAM = 8,	 /* far future rounds, later heights, garbage */
	BYZ_INVALID = 16 /* some equivocating proposals are invalid */
};

struct wmsg {
	uint8_t kind, type, has, len;
	uint16_t from;
	int32_t pol;
	uint32_t r;
	uint64_t h;
	uint8_t hash[32];
	uint8_t sig[64];
	uint8_t data[VAL_LEN];
};

struct ev {
	uint64_t t, seq;
	uint8_t kind, node, step, from;
	uint32_t epoch;	     /* of node when pushed: a power cut drops it */
	uint32_t from_epoch; /* of the sender: its kernel's items go with it */
	uint64_t h;
	uint32_t r;
	struct wmsg m;
};

struct scen {
	const char *name;
	int n, nobs, heights;
	uint64_t gst;	     /* delays and losses before, delay <= delta after */
	uint32_t pre_delay;  /* max delay before GST */
	uint32_t drop_pct;   /* lost before GST; redelivered at GST ... */
	bool lose_forever;   /* ... unless lost for good (safety only) */
	uint32_t delta;	     /* max delay after GST */
	int ncrash;	     /* validators that crash ... */
	uint64_t crash_at;   /* ... at a random time in [0, crash_at] */
	int nrecover;	     /* how many of them come back ... */
	uint64_t recover_at; /* ... then */
	bool partition;	     /* 2/2: {0, 1} | {2, 3}, observers with the first */
	uint64_t part_at, heal_at;
	uint64_t part_random; /* part_at is random in [0, part_random] */
	int nbyz;
	unsigned byz;
	bool echo;	     /* also deliver a node's messages to itself */
	bool live;	     /* expect every correct node to decide every height */
	uint64_t quiet_till; /* no decision at all before */
	uint32_t post_bound; /* max decision round after GST */
	uint64_t tmax;
	/* Power cuts: each node loses its memory (engine, kernel items in
	 * flight) and boots with what gcd keeps on disk: the sign guard, the
	 * last messages signed and the lock (node.c start_height). */
	int cuts;	  /* how many, one after the other */
	bool cut_all;	  /* every node (the VM's power); else one validator */
	uint64_t cut_gap; /* a cut comes in [1, cut_gap] after the last boot */
	uint64_t cut_for; /* down for cut_for + [0, 300) ms */
	uint32_t resend;  /* a node puts its signed messages again this often */
};

struct vreg {
	uint8_t hash[32];
	bool valid;
};

struct sim;

struct snode {
	struct sim *sim;
	int id, vidx; /* vidx -1: observer */
	struct tm *tm;
	bool byz, crash;
	uint64_t crash_at, recover_at;
	int side;
	uint64_t next_h; /* the height it runs */
	bool dec[SIM_HMAX + 1];
	uint32_t dec_round[SIM_HMAX + 1];
	uint64_t start_t[SIM_HMAX + 2];
	bool started[SIM_HMAX + 2];
	uint8_t vbuf[VAL_LEN];
	/* lock monitor */
	uint64_t lock_h;
	int64_t lock_round;
	uint8_t lock_hash[32];
	uint64_t maxpc_h; /* highest height of a non-nil precommit it sent */
	int16_t *seen;	  /* [h][r][validator][4] prevotes received */
	int16_t *own;	  /* [h][r][type] its own votes */
	uint32_t evidence, pevidence;
	struct tm_precommit *cert; /* [h][n] its certificates, for last_commit */
	uint32_t ncert[SIM_HMAX + 1], cround[SIM_HMAX + 1];
	uint8_t chash[SIM_HMAX + 1][32];
	uint32_t commits;   /* heights decided from a last_commit */
	struct wmsg *later; /* refused with -ERANGE, handed in again later */
	uint32_t nlater, caplater, replayed;
	bool sync_pending;
	uint32_t synced; /* heights taken by block sync */
	/* the power-cut scenarios: what survives a cut, as gcd's state dir */
	bool off;
	uint32_t epoch, boots, refused;
	uint64_t boot_at;
	uint64_t sg_h; /* the sign guard: the last (h, r, step) signed */
	uint32_t sg_r;
	uint8_t sg_step;
	struct wmsg sent[3]; /* the last proposal, prevote, precommit signed */
	uint64_t dlock_h;    /* the lock: height (0: none), round, value, polka */
	int32_t dlock_round;
	struct wmsg dlock_val;
	struct wmsg dpolka[SIM_MAXN];
	uint32_t ndpolka;
};

struct sim {
	const struct scen *sc;
	uint64_t rng, now, seq;
	int n, total;
	uint32_t q;
	struct tm_config cfg;
	struct snode node[SIM_NODES];
	struct ev *heap;
	size_t hn, hcap;
	bool decided[SIM_HMAX + 1];
	uint8_t dec_hash[SIM_HMAX + 1][32];
	struct vreg *reg; /* [h][VREG_MAX] proposed values */
	uint32_t nreg[SIM_HMAX + 1];
	uint64_t part_at;  /* this run's partition start */
	uint64_t *relayed; /* byzantine messages a correct node relayed */
	uint64_t relays;
	bool trace;
	char fail[400];
	bool failed;
	uint64_t events, deliveries, lost, held;
	uint32_t byz_doubles;
	int cuts_done;
};

static uint64_t rnd(struct sim *s)
{
	uint64_t x = s->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	s->rng = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static uint32_t rndu(struct sim *s, uint32_t m)
{
	return m ? (uint32_t)(rnd(s) % m) : 0;
}

static void failf(struct sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void failf(struct sim *s, const char *fmt, ...)
{
	va_list ap;

	if (s->failed)
		return;
	s->failed = true;
	va_start(ap, fmt);
	vsnprintf(s->fail, sizeof(s->fail), fmt, ap);
	va_end(ap);
}

static bool ev_less(const struct ev *a, const struct ev *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void push(struct sim *s, struct ev *e)
{
	size_t i;

	e->seq = s->seq++;
	e->epoch = s->node[e->node].epoch;
	if (s->hn == s->hcap) {
		s->hcap = s->hcap ? s->hcap * 2 : 1024;
		s->heap = realloc(s->heap, s->hcap * sizeof(*s->heap));
	}
	i = s->hn++;
	while (i) {
		size_t p = (i - 1) / 2;

		if (!ev_less(e, &s->heap[p]))
			break;
		s->heap[i] = s->heap[p];
		i = p;
	}
	s->heap[i] = *e;
}

static bool pop(struct sim *s, struct ev *out)
{
	struct ev last;
	size_t i = 0;

	if (!s->hn)
		return false;
	*out = s->heap[0];
	last = s->heap[--s->hn];
	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= s->hn)
			break;
		if (c + 1 < s->hn && ev_less(&s->heap[c + 1], &s->heap[c]))
			c++;
		if (!ev_less(&s->heap[c], &last))
			break;
		s->heap[i] = s->heap[c];
		i = c;
	}
	if (s->hn)
		s->heap[i] = last;
	return true;
}

static bool is_down(const struct snode *nd, uint64_t t)
{
	return nd->crash && t >= nd->crash_at && t < nd->recover_at;
}

static bool parted(const struct sim *s, int a, int b, uint64_t t)
{
	return s->sc->partition && t >= s->part_at && t < s->sc->heal_at &&
	       s->node[a].side != s->node[b].side;
}

static uint32_t delay_after_gst(struct sim *s)
{
	return 1 + rndu(s, s->sc->delta);
}

/* ---- proposed values ---- */

static struct vreg *reg_at(struct sim *s, uint64_t h)
{
	return s->reg + h * VREG_MAX;
}

static int reg_find(struct sim *s, uint64_t h, const uint8_t *hash)
{
	struct vreg *r;
	uint32_t i;

	if (h > (uint64_t)s->sc->heights)
		return -1;
	r = reg_at(s, h);
	for (i = 0; i < s->nreg[h]; i++)
		if (heq(r[i].hash, hash))
			return (int)i;
	return -1;
}

static int reg_add(struct sim *s, uint64_t h, const uint8_t *hash, bool valid)
{
	int i;

	if (h > (uint64_t)s->sc->heights)
		return -1;
	i = reg_find(s, h, hash);
	if (i >= 0)
		return i;
	if (s->nreg[h] == VREG_MAX) {
		failf(s, "value registry full");
		return -1;
	}
	memcpy(reg_at(s, h)[s->nreg[h]].hash, hash, 32);
	reg_at(s, h)[s->nreg[h]].valid = valid;
	return (int)s->nreg[h]++;
}

static void make_value(uint8_t *data, uint8_t *hash, uint64_t h, int proposer, uint32_t r,
		       uint32_t salt, bool valid)
{
	data[0] = valid ? 'V' : 'X';
	memcpy(data + 1, &h, 8);
	data[9] = (uint8_t)proposer;
	memcpy(data + 10, &r, 4);
	memcpy(data + 14, &salt, 4);
	sha256(hash, data, VAL_LEN);
}

static bool value_ok(uint64_t h, const uint8_t *data, uint32_t len)
{
	uint64_t vh;

	if (len != VAL_LEN || data[0] != 'V')
		return false;
	memcpy(&vh, data + 1, 8);
	return vh == h;
}

/* ---- the lock monitor ---- */

static int16_t *seen_at(struct snode *nd, uint64_t h, uint32_t r, uint32_t v)
{
	return nd->seen + (((h * SIM_RMAX + r) * (uint64_t)nd->sim->n + v) * 4);
}

static void seen_add(struct snode *nd, uint64_t h, uint32_t r, uint32_t v, bool has,
		     const uint8_t *hash)
{
	struct sim *s = nd->sim;
	int16_t code, *slot;
	int k, vi;

	if (!nd->seen || h > (uint64_t)s->sc->heights || r >= SIM_RMAX)
		return;
	vi = has ? reg_find(s, h, hash) : -1;
	code = !has ? 1 : vi >= 0 ? (int16_t)(2 + vi) : -2;
	slot = seen_at(nd, h, r, v);
	for (k = 0; k < 4; k++) {
		if (slot[k] == code || slot[k] == -3)
			return;
		if (!slot[k]) {
			slot[k] = code;
			return;
		}
	}
	slot[0] = -3; /* more than 4 different: counts for anything */
}

static bool seen_polka(struct snode *nd, uint64_t h, uint32_t r, int vi)
{
	struct sim *s = nd->sim;
	uint32_t v, c = 0;
	int k;

	for (v = 0; v < (uint32_t)s->n; v++) {
		int16_t *slot = seen_at(nd, h, r, v);

		for (k = 0; k < 4; k++)
			if (slot[k] == 2 + vi || slot[k] == -3) {
				c++;
				break;
			}
	}
	return c >= s->q;
}

/* A correct validator is about to send w. */
static void monitor(struct snode *nd, const struct wmsg *w)
{
	struct sim *s = nd->sim;
	int16_t *own, code;
	int vi = -1;
	uint32_t vr;
	bool ok;

	if (w->kind != TM_MSG_VOTE || w->h > (uint64_t)s->sc->heights)
		return;
	if (w->r >= SIM_RMAX)
		return;
	if (w->has) {
		vi = reg_find(s, w->h, w->hash);
		if (vi < 0) {
			failf(s, "node %d votes for a value never proposed", nd->id);
			return;
		}
	}
	own = nd->own + ((w->h * SIM_RMAX + w->r) * 2 + (w->type - 1u));
	code = w->has ? (int16_t)(2 + vi) : 1;
	if (*own) {
		failf(s, "correct node %d votes twice at h %llu r %u type %u", nd->id,
		      (unsigned long long)w->h, w->r, w->type);
		return;
	}
	*own = code;
	if (w->type == TM_PREVOTE) {
		seen_add(nd, w->h, w->r, (uint32_t)nd->vidx, w->has, w->hash);
		if (w->has && nd->lock_h == w->h && nd->lock_round >= 0 &&
		    !heq(w->hash, nd->lock_hash)) {
			ok = false;
			for (vr = (uint32_t)nd->lock_round; vr < w->r && !ok; vr++)
				ok = seen_polka(nd, w->h, vr, vi);
			if (!ok)
				failf(s,
				      "node %d locked in round %lld prevotes another value in round "
				      "%u without a newer polka (h %llu)",
				      nd->id, (long long)nd->lock_round, w->r,
				      (unsigned long long)w->h);
		}
	} else if (w->has) {
		if (!seen_polka(nd, w->h, w->r, vi))
			failf(s, "node %d precommits without a polka (h %llu r %u)", nd->id,
			      (unsigned long long)w->h, w->r);
		nd->lock_h = w->h;
		nd->lock_round = w->r;
		memcpy(nd->lock_hash, w->hash, 32);
		if (w->h > nd->maxpc_h)
			nd->maxpc_h = w->h;
	}
}

/* ---- the network ---- */

/* True the first time a correct node relays this (byzantine) message. */
static bool relay_first(struct sim *s, const struct wmsg *w)
{
	uint64_t key, i;

	memcpy(&key, w->sig, 8);
	key |= 1;
	if (s->relays >= (3u << RELAY_BITS) / 4) {
		failf(s, "relay table full");
		return false;
	}
	for (i = key >> (64 - RELAY_BITS);; i = (i + 1) & ((1u << RELAY_BITS) - 1)) {
		if (s->relayed[i] == key)
			return false;
		if (!s->relayed[i]) {
			s->relayed[i] = key;
			return true;
		}
	}
}

static void send_msg(struct sim *s, int from, int to, const struct wmsg *w)
{
	const struct scen *sc = s->sc;
	struct ev e;
	uint64_t t;

	memset(&e, 0, sizeof(e));
	e.kind = EV_DELIVER;
	e.node = (uint8_t)to;
	e.from = (uint8_t)from;
	e.from_epoch = s->node[from].epoch;
	e.m = *w;
	if (s->now < sc->gst) {
		if (rndu(s, 100) < sc->drop_pct) {
			s->lost++;
			if (sc->lose_forever)
				return;
			t = sc->gst + delay_after_gst(s); /* anti-entropy */
		} else {
			t = s->now + 1 + rndu(s, sc->pre_delay);
			if (t > sc->gst + sc->delta)
				t = sc->gst + delay_after_gst(s);
		}
	} else {
		t = s->now + delay_after_gst(s);
	}
	e.t = t;
	push(s, &e);
}

static void to_wmsg(const struct tm_msg *m, struct wmsg *w)
{
	memset(w, 0, sizeof(*w));
	w->kind = (uint8_t)m->kind;
	if (m->kind == TM_MSG_PROPOSAL) {
		w->from = m->proposal.proposer;
		w->h = m->proposal.height;
		w->r = m->proposal.round;
		w->pol = m->proposal.pol_round;
		w->has = 1;
		memcpy(w->hash, m->proposal.value.hash, 32);
		memcpy(w->sig, m->proposal.sig, 64);
		w->len = (uint8_t)(m->proposal.value.len <= VAL_LEN ? m->proposal.value.len : 0);
		memcpy(w->data, m->proposal.value.data, w->len);
	} else {
		w->from = m->vote.validator;
		w->type = m->vote.type;
		w->h = m->vote.height;
		w->r = m->vote.round;
		w->has = m->vote.has_value;
		memcpy(w->hash, m->vote.hash, 32);
		memcpy(w->sig, m->vote.sig, 64);
	}
}

static void wsign(struct wmsg *w)
{
	if (w->kind == TM_MSG_PROPOSAL)
		sign_prop(w->sig, w->from, w->h, w->r, w->pol, w->hash);
	else
		sign_vote(w->sig, w->from, w->type, w->h, w->r, w->has, w->hash);
}

/* A byzantine vote for recipient: its own, nil, or another value. */
static void byz_pick(struct sim *s, struct wmsg *w, int avoid_code)
{
	uint32_t c, tries;

	for (tries = 0; tries < 4; tries++) {
		int code;

		c = rndu(s, 10);
		if (c < 6 && w->h <= (uint64_t)s->sc->heights && s->nreg[w->h]) {
			uint32_t i = rndu(s, s->nreg[w->h]);

			w->has = 1;
			memcpy(w->hash, reg_at(s, w->h)[i].hash, 32);
			code = 2 + (int)i;
		} else {
			w->has = 0;
			memset(w->hash, 0, 32);
			code = 1;
		}
		if (code != avoid_code)
			break;
	}
	wsign(w);
}

static int wcode(struct sim *s, const struct wmsg *w)
{
	return w->has ? 2 + reg_find(s, w->h, w->hash) : 1;
}

static void byz_spam(struct sim *s, struct snode *nd, const struct wmsg *w, int to)
{
	struct wmsg x = *w;

	x.kind = TM_MSG_VOTE;
	x.type = (uint8_t)(1 + rndu(s, 2));
	x.from = (uint16_t)nd->vidx;
	switch (rndu(s, 4)) {
	case 0: /* a far future round */
		x.r = w->r + 1 + rndu(s, 300);
		break;
	case 1: /* a later height */
		x.h = w->h + 1 + rndu(s, 3);
		break;
	case 2: /* an unknown value */
		x.has = 1;
		x.hash[0] ^= 0x5a;
		x.hash[1] = (uint8_t)rnd(s);
		break;
	default: { /* a proposal of a round it does not propose in */
		uint32_t r = w->r + rndu(s, 4);

		if (tm_proposer((uint32_t)s->n, w->h, r) == (uint32_t)nd->vidx)
			r++;
		x.kind = TM_MSG_PROPOSAL;
		x.r = r;
		x.pol = -1;
		x.len = VAL_LEN;
		make_value(x.data, x.hash, x.h, nd->vidx, r, (uint32_t)rnd(s), true);
		break;
	}
	}
	wsign(&x);
	send_msg(s, nd->id, to, &x);
}

static void byz_broadcast(struct snode *nd, const struct wmsg *w)
{
	struct sim *s = nd->sim;
	unsigned f = s->sc->byz;
	struct wmsg alt;
	int j;

	if (w->kind == TM_MSG_PROPOSAL) {
		bool valid = !(f & BYZ_INVALID) || rndu(s, 3);

		alt = *w;
		alt.len = VAL_LEN;
		make_value(alt.data, alt.hash, w->h, nd->vidx, w->r, (uint32_t)rnd(s), valid);
		alt.pol = rndu(s, 2) || !w->r ? -1 : (int32_t)rndu(s, w->r);
		reg_add(s, w->h, alt.hash, valid);
		wsign(&alt);
	}
	for (j = 0; j < s->total; j++) {
		if (j == nd->id)
			continue;
		if (w->kind == TM_MSG_PROPOSAL) {
			uint32_t c = (f & BYZ_EQUIV) ? rndu(s, 3) : 0;

			if (c == 0 || c == 2)
				send_msg(s, nd->id, j, w);
			if (c >= 1)
				send_msg(s, nd->id, j, &alt);
		} else {
			struct wmsg a = *w, b;

			if ((f & BYZ_VOTES) && rndu(s, 10) >= 4)
				byz_pick(s, &a, 0);
			send_msg(s, nd->id, j, &a);
			if ((f & BYZ_DOUBLE) && !rndu(s, 3)) {
				b = a;
				byz_pick(s, &b, wcode(s, &a));
				if (wcode(s, &b) != wcode(s, &a)) {
					send_msg(s, nd->id, j, &b);
					s->byz_doubles++;
				}
			}
		}
		if ((f & BYZ_SPAM) && !rndu(s, 6))
			byz_spam(s, nd, w, j);
	}
}

/* TM_TRACE=<scenario name prefix>:<seed> prints every event of that run. */
static bool tracing(const struct sim *s)
{
	return s->trace;
}

static void trace_state(const struct sim *s, const struct snode *nd, const char *what)
{
	struct tm_status st;

	if (!tracing(s))
		return;
	tm_get_status(nd->tm, &st);
	fprintf(stderr, "%8llu n%d %-40s -> h %llu r %u %s lock %d valid %d\n",
		(unsigned long long)s->now, nd->id, what, (unsigned long long)st.height, st.round,
		tm_step_name(st.step), st.locked_round, st.valid_round);
}

static const char *wdesc(struct sim *s, const struct wmsg *w, char *buf, size_t len)
{
	int vi = w->has ? reg_find(s, w->h, w->hash) : -1;

	if (w->kind == TM_MSG_PROPOSAL)
		snprintf(buf, len, "PROP h%llu r%u pol %d v%d from %u", (unsigned long long)w->h,
			 w->r, w->pol, vi, w->from);
	else
		snprintf(buf, len, "%s h%llu r%u %s%d from %u",
			 w->type == TM_PREVOTE ? "PREVOTE" : "PRECOMMIT", (unsigned long long)w->h,
			 w->r, w->has ? "v" : "nil", w->has ? vi : 0, w->from);
	return buf;
}

/* ---- what gcd keeps on disk ---- */

/*
 * gcd's sign guard (signguard.h): a step at or before the last one signed is
 * refused, which only a node back from a power cut may meet. What it signs
 * is kept (sentlog.h), and so is the lock with its precommit (lockrec.h).
 */
static bool guard_sign(struct snode *nd, const struct wmsg *w)
{
	struct sim *s = nd->sim;
	uint8_t step = w->kind == TM_MSG_PROPOSAL ? 1 : w->type == TM_PREVOTE ? 2 : 3;
	struct tm_vote polka[SIM_MAXN];
	struct tm_value v;
	int32_t round;
	uint32_t k, np;

	if (w->h < nd->sg_h ||
	    (w->h == nd->sg_h && (w->r < nd->sg_r || (w->r == nd->sg_r && step <= nd->sg_step)))) {
		nd->refused++;
		if (!nd->boots)
			failf(s, "node %d signs step %u of h %llu r %u after step %u of r %u",
			      nd->id, step, (unsigned long long)w->h, w->r, nd->sg_step, nd->sg_r);
		return false;
	}
	if (step == 3 && w->has) {
		if (!tm_get_locked(nd->tm, &v, &round, polka, SIM_MAXN, &np) ||
		    round != (int32_t)w->r || !heq(v.hash, w->hash) || v.len > VAL_LEN) {
			failf(s, "node %d precommits without its lock", nd->id);
			return false;
		}
		nd->dlock_h = w->h;
		nd->dlock_round = round;
		memset(&nd->dlock_val, 0, sizeof(nd->dlock_val));
		nd->dlock_val.len = (uint8_t)v.len;
		memcpy(nd->dlock_val.data, v.data, v.len);
		memcpy(nd->dlock_val.hash, v.hash, 32);
		for (k = 0; k < np; k++) {
			struct tm_msg pm = {.kind = TM_MSG_VOTE, .vote = polka[k]};

			to_wmsg(&pm, &nd->dpolka[k]);
		}
		nd->ndpolka = np;
	}
	nd->sg_h = w->h;
	nd->sg_r = w->r;
	nd->sg_step = step;
	nd->sent[step - 1] = *w;
	return true;
}

/* ---- engine callbacks ---- */

static bool sim_broadcast(void *ctx, struct tm_msg *m)
{
	struct snode *nd = ctx;
	struct sim *s = nd->sim;
	struct wmsg w;
	int j;

	if (nd->vidx < 0) {
		failf(s, "observer %d broadcasts", nd->id);
		return true;
	}
	if (m->kind == TM_MSG_VOTE)
		sign_vote(m->vote.sig, m->vote.validator, m->vote.type, m->vote.height,
			  m->vote.round, m->vote.has_value, m->vote.hash);
	else
		sign_prop(m->proposal.sig, m->proposal.proposer, m->proposal.height,
			  m->proposal.round, m->proposal.pol_round, m->proposal.value.hash);
	to_wmsg(m, &w);
	if (w.from != nd->vidx)
		failf(s, "node %d sends as %u", nd->id, w.from);
	if (!guard_sign(nd, &w))
		return false;
	if (tracing(s)) {
		char buf[96];

		fprintf(stderr, "%8llu n%d SENDS %s\n", (unsigned long long)s->now, nd->id,
			wdesc(s, &w, buf, sizeof(buf)));
	}
	if (nd->byz) {
		byz_broadcast(nd, &w);
		return true;
	}
	if (m->kind == TM_MSG_PROPOSAL && reg_find(s, w.h, w.hash) < 0)
		failf(s, "node %d proposes a value nobody made", nd->id);
	monitor(nd, &w);
	for (j = 0; j < s->total; j++)
		if (j != nd->id || (s->sc->echo && !rndu(s, 2)))
			send_msg(s, nd->id, j, &w);
	return true;
}

static void sim_schedule(void *ctx, enum tm_step kind, uint64_t h, uint32_t round, uint32_t delay)
{
	struct snode *nd = ctx;
	struct sim *s = nd->sim;
	struct ev e;

	if (delay != tm_timeout(&s->cfg, kind, round) ||
	    (round && delay <= tm_timeout(&s->cfg, kind, round - 1)))
		failf(s, "timeout %d of round %u is %u", kind, round, delay);
	memset(&e, 0, sizeof(e));
	e.kind = EV_TIMEOUT;
	e.node = (uint8_t)nd->id;
	e.step = (uint8_t)kind;
	e.h = h;
	e.r = round;
	e.t = s->now + delay;
	push(s, &e);
}

static int sim_get_value(void *ctx, uint64_t h, uint32_t round, struct tm_value *out)
{
	struct snode *nd = ctx;
	struct sim *s = nd->sim;

	make_value(nd->vbuf, out->hash, h, nd->vidx, round, (uint32_t)rnd(s), true);
	out->data = nd->vbuf;
	out->len = VAL_LEN;
	reg_add(s, h, out->hash, true);
	return 0;
}

static bool sim_valid(void *ctx, uint64_t h, const struct tm_value *v)
{
	struct snode *nd = ctx;
	uint8_t hash[32];

	sha256(hash, v->data, v->len);
	if (!heq(hash, v->hash))
		failf(nd->sim, "valid() got a value whose hash is not its own");
	return value_ok(h, v->data, v->len);
}

static void sim_decide(void *ctx, uint64_t h, uint32_t round, const struct tm_value *v,
		       const struct tm_precommit *cert, uint32_t n)
{
	struct snode *nd = ctx;
	struct sim *s = nd->sim;
	const struct scen *sc = s->sc;
	uint8_t hash[32], sig[TM_SIG_LEN];
	uint32_t k;
	struct ev e;
	int i;

	if (h < nd->next_h && nd->dec[h] && nd->dec_round[h] == UINT32_MAX) {
		/* a height block sync took already: the engine agrees */
		if (!nd->byz && !heq(s->dec_hash[h], v->hash))
			failf(s, "FORK at height %llu: node %d decides against its sync",
			      (unsigned long long)h, nd->id);
		return;
	}
	if (h != nd->next_h || h > (uint64_t)sc->heights) {
		failf(s, "node %d decides height %llu while at %llu", nd->id, (unsigned long long)h,
		      (unsigned long long)nd->next_h);
		return;
	}
	sha256(hash, v->data, v->len);
	if (!heq(hash, v->hash) || !value_ok(h, v->data, v->len))
		failf(s, "node %d decides an invalid value at %llu", nd->id, (unsigned long long)h);
	if (reg_find(s, h, v->hash) < 0)
		failf(s, "node %d decides a value never proposed", nd->id);
	/* the certificate: > 2n/3 distinct precommits for (h, round, v) */
	if (3 * n <= 2 * (uint32_t)s->n || n > (uint32_t)s->n)
		failf(s, "certificate of %u precommits of %d", n, s->n);
	for (k = 0; k < n; k++) {
		if (k && cert[k].validator <= cert[k - 1].validator)
			failf(s, "certificate indices not increasing");
		sign_vote(sig, cert[k].validator, TM_PRECOMMIT, h, round, true, v->hash);
		if (memcmp(sig, cert[k].sig, TM_SIG_LEN))
			failf(s, "bad precommit of %u in a certificate", cert[k].validator);
	}
	if (!nd->byz) {
		if (s->decided[h] && !heq(s->dec_hash[h], v->hash))
			failf(s, "FORK at height %llu: node %d decides another value",
			      (unsigned long long)h, nd->id);
		s->decided[h] = true;
		memcpy(s->dec_hash[h], v->hash, 32);
		if (s->now < sc->quiet_till)
			failf(s, "node %d decides height %llu at %llu ms, before %llu", nd->id,
			      (unsigned long long)h, (unsigned long long)s->now,
			      (unsigned long long)sc->quiet_till);
		/* f+1 validators down: only heights they precommitted before */
		{
			int down = 0;
			uint64_t maxh = 0;

			for (i = 0; i < s->n; i++) {
				if (!is_down(&s->node[i], s->now))
					continue;
				down++;
				if (s->node[i].maxpc_h > maxh)
					maxh = s->node[i].maxpc_h;
			}
			if ((uint32_t)(s->n - down) < s->q && h > maxh)
				failf(s, "node %d decides height %llu with %d validators down",
				      nd->id, (unsigned long long)h, down);
		}
	}
	nd->dec[h] = true;
	nd->dec_round[h] = round;
	nd->next_h = h + 1;
	memcpy(nd->cert + h * (uint64_t)s->n, cert, n * sizeof(*cert));
	nd->ncert[h] = n;
	nd->cround[h] = round;
	memcpy(nd->chash[h], v->hash, 32);
	if (h < (uint64_t)sc->heights) {
		memset(&e, 0, sizeof(e));
		e.kind = EV_START;
		e.node = (uint8_t)nd->id;
		e.h = h + 1;
		e.t = s->now + rndu(s, 6); /* persisting */
		push(s, &e);
	}
}

static void sim_evidence(void *ctx, const struct tm_vote *a, const struct tm_vote *b)
{
	struct snode *nd = ctx;
	struct sim *s = nd->sim;
	uint8_t sig[TM_SIG_LEN];

	if (a->validator != b->validator || a->type != b->type || a->height != b->height ||
	    a->round != b->round)
		failf(s, "evidence of two unrelated votes");
	if (a->has_value == b->has_value && (!a->has_value || heq(a->hash, b->hash)))
		failf(s, "evidence of two equal votes");
	if (!s->node[a->validator].byz)
		failf(s, "node %d accuses correct validator %u", nd->id, a->validator);
	sign_vote(sig, a->validator, a->type, a->height, a->round, a->has_value, a->hash);
	if (memcmp(sig, a->sig, TM_SIG_LEN))
		failf(s, "evidence with a wrong signature");
	sign_vote(sig, b->validator, b->type, b->height, b->round, b->has_value, b->hash);
	if (memcmp(sig, b->sig, TM_SIG_LEN))
		failf(s, "evidence with a wrong signature");
	nd->evidence++;
}

static void sim_pevidence(void *ctx, const struct tm_proposal *a, const struct tm_proposal *b)
{
	struct snode *nd = ctx;
	struct sim *s = nd->sim;

	if (!s->node[a->proposer].byz || a->proposer != b->proposer || a->round != b->round)
		failf(s, "node %d: bad proposal evidence against %u", nd->id, a->proposer);
	nd->pevidence++;
}

static const struct tm_ops sim_ops = {
	.broadcast = sim_broadcast,
	.schedule = sim_schedule,
	.get_value = sim_get_value,
	.valid = sim_valid,
	.decide = sim_decide,
	.evidence = sim_evidence,
	.proposal_evidence = sim_pevidence,
};

static void from_wmsg(const struct wmsg *w, struct tm_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->kind = (enum tm_msg_kind)w->kind;
	if (w->kind == TM_MSG_PROPOSAL) {
		m->proposal.height = w->h;
		m->proposal.round = w->r;
		m->proposal.pol_round = w->pol;
		m->proposal.proposer = w->from;
		m->proposal.value.data = w->data;
		m->proposal.value.len = w->len;
		memcpy(m->proposal.value.hash, w->hash, 32);
		memcpy(m->proposal.sig, w->sig, 64);
	} else {
		m->vote.type = w->type;
		m->vote.height = w->h;
		m->vote.round = w->r;
		m->vote.has_value = w->has;
		memcpy(m->vote.hash, w->hash, 32);
		m->vote.validator = w->from;
		memcpy(m->vote.sig, w->sig, 64);
	}
}

static void deliver(struct sim *s, struct snode *nd, const struct wmsg *w)
{
	struct tm_msg m;
	char buf[96];
	int rc;

	s->deliveries++;
	from_wmsg(w, &m);
	if (w->kind == TM_MSG_PROPOSAL) {
		rc = tm_on_proposal(nd->tm, &m.proposal);
	} else {
		if (!nd->byz && w->type == TM_PREVOTE)
			seen_add(nd, w->h, w->r, w->from, w->has, w->hash);
		rc = tm_on_vote(nd->tm, &m.vote);
	}
	if (rc == -EBUSY || rc == -E2BIG || (rc == -EINVAL && !s->node[w->from].byz))
		failf(s, "node %d refuses a message of %u: %d", nd->id, w->from, rc);
	/* a proposal of h + 1 carries its proposer's certificate of h (the
	 * block's last_commit), for a node still at h */
	if (w->kind == TM_MSG_PROPOSAL && w->h == nd->next_h + 1 && !nd->byz &&
	    s->node[w->from].ncert[w->h - 1]) {
		struct ev e;

		memset(&e, 0, sizeof(e));
		e.kind = EV_COMMIT;
		e.node = (uint8_t)nd->id;
		e.h = w->h - 1;
		e.step = (uint8_t)w->from;
		e.t = s->now + LAST_COMMIT_WAIT;
		push(s, &e);
	}
	/* gcd keeps what the engine refused as too far ahead and hands it in
	 * again after each tm_start_height (the kernel still holds the items) */
	if (rc == -ERANGE && !nd->byz) {
		if (nd->nlater == LATER_MAX) {
			failf(s, "node %d: too many messages for later heights", nd->id);
		} else {
			if (nd->nlater == nd->caplater) {
				nd->caplater = nd->caplater ? 2 * nd->caplater : 64;
				nd->later = realloc(nd->later, nd->caplater * sizeof(*nd->later));
			}
			nd->later[nd->nlater++] = *w;
		}
	}
	/* block sync when behind: as gcd's note_height, on any message of a
	 * height after the one it runs (someone decided that one) */
	if (w->h > nd->next_h && !nd->sync_pending && !nd->byz) {
		struct ev e;

		memset(&e, 0, sizeof(e));
		e.kind = EV_SYNC;
		e.node = (uint8_t)nd->id;
		e.t = s->now + SYNC_WAIT + rndu(s, 100);
		nd->sync_pending = true;
		push(s, &e);
	}
	/* gossip: a correct node relays a byzantine message (its other
	 * recipients may not have it); correct nodes' messages already went
	 * to all, and losses before GST come back at GST */
	if (!nd->byz && s->node[w->from].byz && rc != -EINVAL && relay_first(s, w)) {
		int j;

		s->relays++;
		for (j = 0; j < s->total; j++)
			if (j != nd->id && j != w->from)
				send_msg(s, nd->id, j, w);
	}
	if (tracing(s))
		trace_state(s, nd, wdesc(s, w, buf, sizeof(buf)));
}

static void deliver(struct sim *s, struct snode *nd, const struct wmsg *w);

/* Hand in again what was refused as too far ahead (after a new height). */
static void replay_later(struct sim *s, struct snode *nd)
{
	uint32_t i, n = nd->nlater;
	struct wmsg *copy;

	if (!n)
		return;
	copy = malloc(n * sizeof(*copy));
	memcpy(copy, nd->later, n * sizeof(*copy));
	nd->nlater = 0;
	for (i = 0; i < n; i++)
		if (copy[i].h >= nd->next_h)
			deliver(s, nd, &copy[i]);
	nd->replayed += n;
	free(copy);
}

/* Block sync: take every height correct nodes decided (in gcd: blocks and
 * their certificates fetched from peers), then start the next one. */
static void block_sync(struct sim *s, struct snode *nd)
{
	uint64_t h = nd->next_h;

	nd->sync_pending = false;
	while (h <= (uint64_t)s->sc->heights && s->decided[h]) {
		nd->dec[h] = true;
		nd->dec_round[h] = UINT32_MAX;
		nd->synced++;
		h++;
	}
	if (h == nd->next_h)
		return;
	nd->next_h = h;
	if (h <= (uint64_t)s->sc->heights) {
		nd->start_t[h] = s->now;
		nd->started[h] = true;
		if (tm_start_height(nd->tm, h))
			failf(s, "tm_start_height(%llu) after sync failed", (unsigned long long)h);
		replay_later(s, nd);
	}
	trace_state(s, nd, "BLOCK SYNC");
}

/* Decide h from the certificate in a proposal of h + 1 (its last_commit). */
static void last_commit(struct sim *s, struct snode *nd, uint64_t h, int from)
{
	const struct snode *p = &s->node[from];
	int rc;

	if (nd->next_h != h || !p->ncert[h])
		return;
	rc = tm_on_commit(nd->tm, h, p->cround[h], p->chash[h], p->cert + h * (uint64_t)s->n,
			  p->ncert[h]);
	if (nd->next_h != h)
		nd->commits++;
	else if (rc == -ENOENT && !nd->sync_pending)
		block_sync(s, nd); /* no proposal of it here: fetch the block */
	else if (rc && rc != -ERANGE && rc != -ENOENT)
		failf(s, "node %d refuses the certificate of %d: %d", nd->id, from, rc);
	trace_state(s, nd, "LAST COMMIT");
}

/* ---- power cuts ---- */

/* What a node signed last in its height, and its lock's polka: again, for
 * the others (gcd: own_resend, put_polka and resend_signed). */
static void resend_own(struct sim *s, struct snode *nd)
{
	uint32_t k;
	int j;

	for (j = 0; j < s->total; j++) {
		if (j == nd->id)
			continue;
		for (k = 0; k < 3; k++)
			if (nd->sent[k].kind && nd->sent[k].h == nd->next_h)
				send_msg(s, nd->id, j, &nd->sent[k]);
		for (k = 0; nd->dlock_h == nd->next_h && k < nd->ndpolka; k++)
			send_msg(s, nd->id, j, &nd->dpolka[k]);
	}
}

static void schedule_cut(struct sim *s)
{
	struct ev e;

	memset(&e, 0, sizeof(e));
	e.kind = EV_CUT;
	e.t = s->now + 1 + rndu(s, (uint32_t)s->sc->cut_gap);
	push(s, &e);
}

/* Every node, or one validator, loses its memory and its kernel's items. */
static void power_cut(struct sim *s)
{
	int i, first = 0, last = s->total;
	struct ev e;

	if (!s->sc->cut_all) {
		first = (int)rndu(s, (uint32_t)s->n);
		last = first + 1;
	}
	for (i = first; i < last; i++) {
		struct snode *nd = &s->node[i];

		nd->epoch++;
		nd->off = true;
		tm_free(nd->tm);
		nd->tm = NULL;
		nd->nlater = 0;
		nd->sync_pending = false;
		nd->boot_at = s->now + s->sc->cut_for + rndu(s, 300);
		memset(&e, 0, sizeof(e));
		e.kind = EV_BOOT;
		e.node = (uint8_t)i;
		e.t = nd->boot_at;
		push(s, &e);
		if (tracing(s))
			fprintf(stderr, "%8llu n%d POWER CUT at h %llu, back at %llu\n",
				(unsigned long long)s->now, i, (unsigned long long)nd->next_h,
				(unsigned long long)nd->boot_at);
	}
	s->cuts_done++;
}

/* gcd's start_height after a restart: the round it signed in last, its
 * lock and its own messages, then those again for the others. */
static void boot(struct sim *s, struct snode *nd)
{
	struct tm_resume r = {.locked_round = -1};
	struct tm_vote polka[SIM_MAXN];
	struct tm_msg own[3], m;
	uint64_t h = nd->next_h;
	uint32_t k;
	struct ev e;
	int i;

	nd->off = false;
	nd->boots++;
	nd->tm = tm_new(&s->cfg, (uint32_t)s->n, nd->vidx, &sim_ops, nd);
	if (!nd->tm) {
		failf(s, "tm_new");
		return;
	}
	if (s->sc->resend) {
		memset(&e, 0, sizeof(e));
		e.kind = EV_RESEND;
		e.node = (uint8_t)nd->id;
		e.t = s->now + s->sc->resend;
		push(s, &e);
	}
	/* gcd's first timer: catch-up of what the others committed meanwhile */
	memset(&e, 0, sizeof(e));
	e.kind = EV_SYNC;
	e.node = (uint8_t)nd->id;
	e.t = s->now + 1 + rndu(s, 100);
	nd->sync_pending = true;
	push(s, &e);
	for (i = 0; i < s->total && !s->node[i].off; i++)
		;
	if (i == s->total && s->cuts_done < s->sc->cuts)
		schedule_cut(s);
	if (h > (uint64_t)s->sc->heights)
		return;
	if (nd->vidx >= 0 && nd->sg_h == h) {
		r.round = nd->sg_r;
		if (nd->dlock_h == h) {
			r.locked_round = nd->dlock_round;
			r.locked.data = nd->dlock_val.data;
			r.locked.len = nd->dlock_val.len;
			memcpy(r.locked.hash, nd->dlock_val.hash, 32);
			for (k = 0; k < nd->ndpolka; k++) {
				from_wmsg(&nd->dpolka[k], &m);
				polka[k] = m.vote;
			}
			r.polka = polka;
			r.n_polka = nd->ndpolka;
		}
		for (k = 0; k < 3; k++)
			if (nd->sent[k].kind && nd->sent[k].h == h)
				from_wmsg(&nd->sent[k], &own[r.n_own++]);
		r.own = own;
	}
	nd->started[h] = true;
	nd->start_t[h] = s->now;
	if (tm_start_height_resume(nd->tm, h, &r))
		failf(s, "node %d cannot resume height %llu", nd->id, (unsigned long long)h);
	resend_own(s, nd);
	trace_state(s, nd, "BOOT");
}

/* A node every correct run must bring to the last height. */
static bool expected(const struct snode *x)
{
	return !x->byz && !(x->crash && x->recover_at == NEVER);
}

static int run_sim(const struct scen *sc, uint64_t seed, struct sim *s)
{
	int i, j, perm[SIM_NODES];
	struct ev e;
	bool done;

	memset(s, 0, sizeof(*s));
	s->sc = sc;
	s->rng = seed * 0x9E3779B97F4A7C15ULL + 1;
	s->n = sc->n;
	s->total = sc->n + sc->nobs;
	s->q = tm_quorum((uint32_t)sc->n);
	s->cfg = test_cfg();
	s->reg = calloc((size_t)(sc->heights + 1) * VREG_MAX, sizeof(*s->reg));
	s->relayed = calloc(1u << RELAY_BITS, sizeof(*s->relayed));
	for (i = 0; i < s->n; i++)
		perm[i] = i;
	for (i = s->n - 1; i > 0; i--) {
		j = (int)rndu(s, (uint32_t)i + 1);
		int tmp = perm[i];

		perm[i] = perm[j];
		perm[j] = tmp;
	}
	for (i = 0; i < s->total; i++) {
		struct snode *nd = &s->node[i];
		size_t cells = (size_t)(sc->heights + 1) * SIM_RMAX;

		nd->sim = s;
		nd->id = i;
		nd->vidx = i < s->n ? i : -1;
		nd->next_h = 1;
		nd->lock_round = -1;
		nd->crash_at = nd->recover_at = NEVER;
		nd->side = i < s->n ? (i < s->n / 2 ? 0 : 1) : 0;
		nd->seen = calloc(cells * (size_t)s->n * 4, sizeof(int16_t));
		nd->own = calloc(cells * 2, sizeof(int16_t));
		nd->cert = calloc((size_t)(sc->heights + 1) * (size_t)s->n, sizeof(*nd->cert));
		nd->tm = tm_new(&s->cfg, (uint32_t)s->n, nd->vidx, &sim_ops, nd);
		if (!nd->tm)
			failf(s, "tm_new");
	}
	/* faulty validators: byzantine first, then crashing ones */
	for (i = 0; i < sc->nbyz; i++)
		s->node[perm[i]].byz = true;
	for (i = 0; i < sc->ncrash; i++) {
		struct snode *nd = &s->node[perm[sc->nbyz + i]];

		nd->crash = true;
		nd->crash_at = sc->crash_at ? rndu(s, (uint32_t)sc->crash_at + 1) : 0;
		nd->recover_at = i < sc->nrecover ? sc->recover_at : NEVER;
	}
	s->part_at = sc->part_random ? rndu(s, (uint32_t)sc->part_random) : sc->part_at;
	if (sc->cuts)
		schedule_cut(s);
	for (i = 0; sc->resend && i < s->total; i++) {
		memset(&e, 0, sizeof(e));
		e.kind = EV_RESEND;
		e.node = (uint8_t)i;
		e.t = 1 + rndu(s, sc->resend);
		push(s, &e);
	}
	{
		const char *tr = getenv("TM_TRACE");
		const char *colon = tr ? strrchr(tr, ':') : NULL;

		s->trace = colon && !strncmp(tr, sc->name, (size_t)(colon - tr)) &&
			   strtoull(colon + 1, NULL, 10) == seed;
		if (s->trace)
			for (i = 0; i < s->total; i++)
				fprintf(stderr, "node %d: %s%s\n", i,
					s->node[i].byz ? "byzantine " : "",
					s->node[i].crash ? "crashes" : "");
	}
	for (i = 0; i < s->total; i++) {
		memset(&e, 0, sizeof(e));
		e.kind = EV_START;
		e.node = (uint8_t)i;
		e.h = 1;
		e.t = rndu(s, 20);
		push(s, &e);
	}
	while (!s->failed && pop(s, &e)) {
		struct snode *nd = &s->node[e.node];

		s->now = e.t;
		if (s->now > sc->tmax)
			break;
		s->events++;
		if (e.kind == EV_CUT) {
			power_cut(s);
			continue;
		}
		/* a cut takes the node's timers and its kernel's items in flight */
		if (e.kind == EV_DELIVER ? s->node[e.from].epoch != e.from_epoch
					 : e.epoch != nd->epoch) {
			s->lost++;
			continue;
		}
		if (e.kind == EV_BOOT) {
			boot(s, nd);
			continue;
		}
		if (nd->off) {
			/* the others' kernels keep their items for it */
			e.t = nd->boot_at + delay_after_gst(s);
			s->held++;
			push(s, &e);
			continue;
		}
		if (is_down(nd, s->now)) {
			if (nd->recover_at == NEVER)
				continue;
			e.t = nd->recover_at + delay_after_gst(s);
			s->held++;
			push(s, &e);
			continue;
		}
		switch (e.kind) {
		case EV_DELIVER:
			if (parted(s, e.m.from, e.node, s->now)) {
				e.t = sc->heal_at + delay_after_gst(s);
				s->held++;
				push(s, &e);
				break;
			}
			deliver(s, nd, &e.m);
			break;
		case EV_TIMEOUT:
			tm_on_timeout(nd->tm, (enum tm_step)e.step, e.h, e.r);
			if (tracing(s)) {
				char buf[64];

				snprintf(buf, sizeof(buf), "TIMEOUT %s h%llu r%u",
					 tm_step_name((enum tm_step)e.step),
					 (unsigned long long)e.h, e.r);
				trace_state(s, nd, buf);
			}
			break;
		case EV_SYNC:
			block_sync(s, nd);
			break;
		case EV_COMMIT:
			last_commit(s, nd, e.h, e.step);
			break;
		case EV_RESEND:
			if (nd->next_h <= (uint64_t)sc->heights)
				resend_own(s, nd);
			/* The run ends at the last height, where no message of a
			 * next one tells a node that missed its precommits (they
			 * went with a cut) that the others decided it: it syncs. */
			if (nd->next_h == (uint64_t)sc->heights && s->decided[nd->next_h] &&
			    !nd->sync_pending) {
				struct ev y;

				memset(&y, 0, sizeof(y));
				y.kind = EV_SYNC;
				y.node = (uint8_t)nd->id;
				y.t = s->now + SYNC_WAIT;
				nd->sync_pending = true;
				push(s, &y);
			}
			e.t = s->now + sc->resend;
			push(s, &e);
			break;
		case EV_START:
			if (e.h < nd->next_h || nd->started[e.h])
				break; /* overtaken by a block sync */
			nd->start_t[e.h] = s->now;
			nd->started[e.h] = true;
			if (tm_start_height(nd->tm, e.h))
				failf(s, "tm_start_height(%llu) failed", (unsigned long long)e.h);
			replay_later(s, nd);
			break;
		}
		done = true;
		for (i = 0; i < s->total && done; i++)
			if (expected(&s->node[i]))
				done = s->node[i].next_h > (uint64_t)sc->heights;
		if (done)
			break;
	}
	/* a node the run ended while it was off: an idle engine, for the counts */
	for (i = 0; i < s->total; i++)
		if (!s->node[i].tm)
			s->node[i].tm = tm_new(&s->cfg, (uint32_t)s->n, s->node[i].vidx, &sim_ops,
					       &s->node[i]);
	if (s->trace) {
		for (i = 0; i < s->total; i++) {
			const struct tm_stats *st = tm_get_stats(s->node[i].tm);

			fprintf(stderr,
				"node %d: votes %llu extra %llu dropped votes %llu quota %llu "
				"no-slot %llu values %llu/%llu future-height %llu proposals %llu\n",
				i, (unsigned long long)st->votes,
				(unsigned long long)st->extra_votes,
				(unsigned long long)st->drop_votes,
				(unsigned long long)st->drop_round_quota,
				(unsigned long long)st->drop_no_slot,
				(unsigned long long)st->drop_values,
				(unsigned long long)st->evicted_values,
				(unsigned long long)st->drop_future_height,
				(unsigned long long)st->drop_proposals);
		}
	}
	if (!s->failed && sc->live) {
		for (i = 0; i < s->total; i++) {
			struct snode *x = &s->node[i];
			struct tm_status st;

			if (!expected(x))
				continue;
			if (x->next_h <= (uint64_t)sc->heights) {
				tm_get_status(x->tm, &st);
				failf(s,
				      "node %d did not decide height %llu by %llu ms (round %u step "
				      "%s, locked %d valid %d)",
				      i, (unsigned long long)x->next_h, (unsigned long long)s->now,
				      st.round, tm_step_name(st.step), st.locked_round,
				      st.valid_round);
				break;
			}
		}
	}
	return s->failed ? -1 : 0;
}

static void sim_cleanup(struct sim *s)
{
	int i;

	for (i = 0; i < s->total; i++) {
		tm_free(s->node[i].tm);
		free(s->node[i].seen);
		free(s->node[i].own);
		free(s->node[i].cert);
		free(s->node[i].later);
	}
	free(s->heap);
	free(s->reg);
	free(s->relayed);
	s->heap = NULL;
	s->reg = NULL;
	s->relayed = NULL;
}

/* What a scenario measured over its seeds. */
struct tally {
	uint64_t runs, heights, hist[6], rsum, rmax;
	uint64_t post_heights, post_max, post_sum;
	uint64_t events, lost, held, evidence, pevidence, byz_doubles;
	uint64_t drops, skips, sim_ms, synced, relays, commits;
	uint64_t boots, refused; /* power cuts: restarts, steps not signed again */
	int failures;
};

/* Adds a run to t; returns the highest decision round of the heights every
 * correct node started after GST (and after heal, recovery, crashes). */
static uint32_t tally_run(struct tally *t, struct sim *s)
{
	const struct scen *sc = s->sc;
	uint64_t gst = sc->gst;
	uint32_t post_max = 0;
	int h, i;

	if (sc->partition && sc->heal_at > gst)
		gst = sc->heal_at;
	if (sc->nrecover && sc->recover_at > gst)
		gst = sc->recover_at;
	if (sc->ncrash && sc->crash_at > gst)
		gst = sc->crash_at;
	t->runs++;
	t->events += s->events;
	t->lost += s->lost;
	t->held += s->held;
	t->byz_doubles += s->byz_doubles;
	t->sim_ms += s->now;
	for (i = 0; i < s->total; i++) {
		const struct tm_stats *st = tm_get_stats(s->node[i].tm);

		if (s->node[i].byz)
			continue;
		t->evidence += s->node[i].evidence;
		t->pevidence += s->node[i].pevidence;
		t->drops += st->drop_round_quota + st->drop_no_slot + st->drop_values +
			    st->drop_future_height + st->drop_proposals;
		t->skips += st->round_skips;
		t->synced += s->node[i].synced;
		t->commits += s->node[i].commits;
		t->boots += s->node[i].boots;
		t->refused += s->node[i].refused;
	}
	t->relays += s->relays;
	for (h = 1; h <= sc->heights; h++) {
		uint32_t r = UINT32_MAX;
		bool post = true, any = false;

		for (i = 0; i < s->total; i++) {
			const struct snode *x = &s->node[i];

			if (!expected(x))
				continue;
			if (x->dec[h] && x->dec_round[h] != UINT32_MAX) {
				any = true;
				if (x->dec_round[h] < r)
					r = x->dec_round[h];
			}
			if (!x->started[h] || x->start_t[h] < gst + sc->delta)
				post = false;
		}
		if (!any)
			continue;
		t->heights++;
		t->hist[r < 5 ? r : 5]++;
		t->rsum += r + 1;
		if (r > t->rmax)
			t->rmax = r;
		if (post) {
			t->post_heights++;
			t->post_sum += r + 1;
			if (r > t->post_max)
				t->post_max = r;
			if (r > post_max)
				post_max = r;
		}
	}
	return post_max;
}

static int run_many(struct __test_metadata *_metadata, const struct scen *sc, uint64_t seeds,
		    struct tally *t)
{
	struct sim *s = calloc(1, sizeof(*s));
	uint64_t seed;

	memset(t, 0, sizeof(*t));
	for (seed = 1; seed <= seeds; seed++) {
		if (run_sim(sc, seed, s)) {
			if (t->failures < 3)
				TH_LOG("%s seed %llu: %s", sc->name, (unsigned long long)seed,
				       s->fail);
			t->failures++;
		} else if (tally_run(t, s) > sc->post_bound) {
			if (t->failures < 3)
				TH_LOG("%s seed %llu: a height took more than %u rounds after GST",
				       sc->name, (unsigned long long)seed, sc->post_bound + 1);
			t->failures++;
		}
		sim_cleanup(s);
	}
	free(s);
	TH_LOG("%-22s %5llu runs %6llu heights: rounds/height mean %.2f max %llu; decided in "
	       "round 0/1/2/3/4/5+: %llu/%llu/%llu/%llu/%llu/%llu",
	       sc->name, (unsigned long long)t->runs, (unsigned long long)t->heights,
	       t->heights ? (double)t->rsum / (double)t->heights : 0.0,
	       (unsigned long long)t->rmax + 1, (unsigned long long)t->hist[0],
	       (unsigned long long)t->hist[1], (unsigned long long)t->hist[2],
	       (unsigned long long)t->hist[3], (unsigned long long)t->hist[4],
	       (unsigned long long)t->hist[5]);
	TH_LOG("%-22s after GST: %llu heights, mean %.2f max %llu rounds; %llu events, %llu lost, "
	       "%llu held, %llu relayed, %llu evidence, %llu proposal evidence, %llu skips, "
	       "%llu drops, %llu from last_commit, %llu synced, %.1f sim s/run",
	       sc->name, (unsigned long long)t->post_heights,
	       t->post_heights ? (double)t->post_sum / (double)t->post_heights : 0.0,
	       (unsigned long long)t->post_max + 1, (unsigned long long)t->events,
	       (unsigned long long)t->lost, (unsigned long long)t->held,
	       (unsigned long long)t->relays, (unsigned long long)t->evidence,
	       (unsigned long long)t->pevidence, (unsigned long long)t->skips,
	       (unsigned long long)t->drops, (unsigned long long)t->commits,
	       (unsigned long long)t->synced,
	       t->runs ? (double)t->sim_ms / 1000.0 / (double)t->runs : 0.0);
	return t->failures;
}

#define SECOND 1000ULL

static const struct scen sc_base = {
	.n = 4,
	.nobs = 1,
	.heights = 4,
	.delta = 40,
	.pre_delay = 600,
	.live = true,
	.post_bound = UINT32_MAX,
	.tmax = 3600 * SECOND,
};

/*
 * post_bound: after GST (and heal, recovery, crashes) a height is decided by
 * the round of the first correct proposer, whose round comes at the latest
 * after one round per faulty validator: decision round <= faulty validators.
 */
TEST(sim_reliable)
{
	struct scen sc = sc_base;
	struct tally t;

	sc.name = "reliable n=4";
	sc.echo = true;
	sc.post_bound = 0;
	ASSERT_EQ(0, run_many(_metadata, &sc, 1000, &t));
	ASSERT_EQ(0, t.synced);
	sc.name = "reliable n=7";
	sc.n = 7;
	ASSERT_EQ(0, run_many(_metadata, &sc, 500, &t));
	ASSERT_EQ(0, t.evidence);
	ASSERT_EQ(0, t.synced);
	ASSERT_EQ(0, __lsan_do_recoverable_leak_check());
}

TEST(sim_losses_before_gst)
{
	struct scen sc = sc_base;
	struct tally t;

	sc.name = "pre-GST n=4";
	sc.gst = 3 * SECOND;
	sc.drop_pct = 30;
	sc.post_bound = 0;
	ASSERT_EQ(0, run_many(_metadata, &sc, 1000, &t));
	ASSERT_GT(t.lost, 0);
	ASSERT_GT(t.hist[1] + t.hist[2] + t.hist[3] + t.hist[4] + t.hist[5], 0);
	sc.name = "pre-GST n=7";
	sc.n = 7;
	ASSERT_EQ(0, run_many(_metadata, &sc, 400, &t));
	ASSERT_EQ(0, __lsan_do_recoverable_leak_check());
}

TEST(sim_f_crashed)
{
	struct scen sc = sc_base;
	struct tally t;

	sc.name = "1 of 4 crashed";
	sc.heights = 6;
	sc.ncrash = 1;
	sc.crash_at = 300; /* during the run */
	sc.post_bound = 1;
	ASSERT_EQ(0, run_many(_metadata, &sc, 1000, &t));
	ASSERT_GT(t.post_heights, 1000);
	sc.name = "2 of 7 crashed";
	sc.n = 7;
	sc.ncrash = 2;
	sc.post_bound = 2;
	ASSERT_EQ(0, run_many(_metadata, &sc, 400, &t));
	sc.name = "1 of 4 crashed, pre-GST";
	sc.n = 4;
	sc.heights = 4;
	sc.ncrash = 1;
	sc.crash_at = 2 * SECOND;
	sc.gst = 3 * SECOND;
	sc.drop_pct = 30;
	sc.post_bound = 1;
	ASSERT_EQ(0, run_many(_metadata, &sc, 500, &t));
	ASSERT_EQ(0, __lsan_do_recoverable_leak_check());
}

TEST(sim_two_of_four_crashed)
{
	struct scen sc = sc_base;
	struct tally t;

	/* 2 of 4 down from the start: nobody decides until one returns */
	sc.name = "2 of 4 down, 1 back";
	sc.ncrash = 2;
	sc.crash_at = 0;
	sc.nrecover = 1;
	sc.recover_at = 20 * SECOND;
	sc.quiet_till = 20 * SECOND;
	sc.post_bound = 1;
	ASSERT_EQ(0, run_many(_metadata, &sc, 500, &t));
	ASSERT_GT(t.held, 0);
	/* 2 of 4 crash at random times during the run: after that only heights
	 * they had precommitted can complete (checked at every decision); the
	 * one that returns brings liveness back */
	sc.name = "2 of 4 crash later";
	sc.heights = 6;
	sc.crash_at = 400;
	sc.quiet_till = 0;
	sc.recover_at = 10 * SECOND;
	ASSERT_EQ(0, run_many(_metadata, &sc, 500, &t));
	/* and with none back, nothing is ever decided */
	sc.name = "2 of 4 down for good";
	sc.heights = 4;
	sc.nrecover = 0;
	sc.crash_at = 0;
	sc.quiet_till = NEVER;
	sc.live = false;
	sc.tmax = 120 * SECOND;
	ASSERT_EQ(0, run_many(_metadata, &sc, 200, &t));
	ASSERT_EQ(0, t.heights);
	ASSERT_EQ(0, __lsan_do_recoverable_leak_check());
}

TEST(sim_partition_heals)
{
	struct scen sc = sc_base;
	struct tally t;

	sc.name = "2/2 partition at 0";
	sc.partition = true;
	sc.part_at = 0;
	sc.heal_at = 15 * SECOND;
	sc.quiet_till = 15 * SECOND;
	sc.post_bound = 0;
	ASSERT_EQ(0, run_many(_metadata, &sc, 500, &t));
	ASSERT_GT(t.held, 0);
	sc.name = "2/2 partition later";
	sc.heights = 6;
	sc.quiet_till = 0;
	sc.part_random = 400; /* during the run */
	sc.heal_at = 5 * SECOND;
	ASSERT_EQ(0, run_many(_metadata, &sc, 500, &t));
	ASSERT_GT(t.held, 0);
	sc.name = "2/2 partition, pre-GST";
	sc.heights = 4;
	sc.part_random = 2 * SECOND;
	sc.gst = 3 * SECOND;
	sc.drop_pct = 30;
	ASSERT_EQ(0, run_many(_metadata, &sc, 300, &t));
	ASSERT_EQ(0, __lsan_do_recoverable_leak_check());
}

TEST(sim_byzantine)
{
	struct scen sc = sc_base;
	struct tally t;
	uint64_t ev = 0, pev = 0;

	sc.name = "byzantine 1 of 4";
	sc.nbyz = 1;
	sc.byz = BYZ_EQUIV | BYZ_VOTES | BYZ_DOUBLE | BYZ_SPAM | BYZ_INVALID;
	sc.post_bound = 1;
	ASSERT_EQ(0, run_many(_metadata, &sc, 1000, &t));
	ev += t.evidence;
	pev += t.pevidence;
	sc.name = "byzantine 2 of 7";
	sc.n = 7;
	sc.nbyz = 2;
	sc.post_bound = 2;
	ASSERT_EQ(0, run_many(_metadata, &sc, 500, &t));
	ev += t.evidence;
	pev += t.pevidence;
	sc.name = "byzantine 1/4 pre-GST";
	sc.n = 4;
	sc.nbyz = 1;
	sc.gst = 3 * SECOND;
	sc.drop_pct = 30;
	sc.post_bound = 1;
	ASSERT_EQ(0, run_many(_metadata, &sc, 1000, &t));
	ev += t.evidence;
	pev += t.pevidence;
	sc.name = "byz+crash 7 pre-GST";
	sc.n = 7;
	sc.ncrash = 1;
	sc.crash_at = 2 * SECOND;
	sc.post_bound = 2;
	ASSERT_EQ(0, run_many(_metadata, &sc, 400, &t));
	ev += t.evidence;
	pev += t.pevidence;
	ASSERT_GT(ev, 0);
	ASSERT_GT(pev, 0);
	ASSERT_EQ(0, __lsan_do_recoverable_leak_check());
}

TEST(sim_permanent_losses_stay_safe)
{
	struct scen sc = sc_base;
	struct tally t;

	/* lost for good before GST: liveness is not promised (the paper needs
	 * every message of a correct process delivered), safety is */
	sc.name = "losses for good, byz";
	sc.gst = 4 * SECOND;
	sc.drop_pct = 40;
	sc.lose_forever = true;
	sc.nbyz = 1;
	sc.byz = BYZ_EQUIV | BYZ_VOTES | BYZ_DOUBLE;
	sc.live = false;
	sc.tmax = 60 * SECOND;
	ASSERT_EQ(0, run_many(_metadata, &sc, 1000, &t));
	sc.name = "losses for good, 7";
	sc.n = 7;
	sc.nbyz = 2;
	ASSERT_EQ(0, run_many(_metadata, &sc, 300, &t));
	ASSERT_EQ(0, __lsan_do_recoverable_leak_check());
}

/*
 * Power cuts: nodes restart with only what gcd keeps (the sign guard, the
 * last messages signed, the lock). They go on in the round they signed in,
 * sign no step twice, count what they signed before as their own, and the
 * chain goes on without a fork and without accusing anybody.
 */
TEST(sim_power_cuts)
{
	struct scen sc = sc_base;
	struct tally t;

	sc.name = "power cuts n=4";
	sc.heights = 8;
	sc.cuts = 3;
	sc.cut_all = true;
	sc.cut_gap = 400;
	sc.cut_for = 200;
	sc.resend = 300;
	ASSERT_EQ(0, run_many(_metadata, &sc, 500, &t));
	TH_LOG("%s: %llu restarts, %llu steps not signed again", sc.name,
	       (unsigned long long)t.boots, (unsigned long long)t.refused);
	ASSERT_EQ(0, t.evidence);
	ASSERT_GT(t.refused, 0);
	sc.name = "power cuts n=7";
	sc.n = 7;
	ASSERT_EQ(0, run_many(_metadata, &sc, 200, &t));
	ASSERT_EQ(0, t.evidence);
	ASSERT_GT(t.refused, 0);
	/* one gcd killed at a time (kill -9): the others keep their memory */
	sc.name = "kill -9 n=4";
	sc.n = 4;
	sc.cuts = 6;
	sc.cut_all = false;
	ASSERT_EQ(0, run_many(_metadata, &sc, 500, &t));
	TH_LOG("%s: %llu restarts, %llu steps not signed again", sc.name,
	       (unsigned long long)t.boots, (unsigned long long)t.refused);
	ASSERT_EQ(0, t.evidence);
	ASSERT_GT(t.refused, 0);
	ASSERT_EQ(0, __lsan_do_recoverable_leak_check());
}

/* Every size from 1 to 64 decides under random delays. */
TEST(sim_sizes_1_to_64)
{
	static const int sizes[] = {1, 2, 3, 5, 6, 8, 10, 13, 16, 22, 31, 40, 64};
	struct scen sc = sc_base;
	struct sim *s = calloc(1, sizeof(*s));
	size_t i;

	sc.name = "size";
	sc.heights = 3;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		sc.n = sizes[i];
		sc.ncrash = (int)tm_f((uint32_t)sc.n);
		sc.crash_at = 1 * SECOND;
		if (run_sim(&sc, 7 + i, s))
			TH_LOG("n=%d: %s", sc.n, s->fail);
		ASSERT_FALSE(s->failed);
		ASSERT_TRUE(s->decided[3]);
		TH_LOG("n=%2d (%d crashed): %llu deliveries, rounds of heights 1-3: %u %u %u", sc.n,
		       sc.ncrash, (unsigned long long)s->deliveries, s->node[s->n].dec_round[1],
		       s->node[s->n].dec_round[2], s->node[s->n].dec_round[3]);
		sim_cleanup(s);
	}
	free(s);
	ASSERT_EQ(0, __lsan_do_recoverable_leak_check());
}

/* Validator 0 of 4 locks on v in round 0 of height 1 (proposer 1): its
 * lock, read back as gcd keeps it, is v, round 0 and a polka of 3 prevotes.
 */
static struct rec *locked_in_round_0(struct __test_metadata *_metadata, const struct rval *v,
				     struct tm_vote *polka, uint32_t *n_polka)
{
	struct rec *r = rec_new(4, 0, NULL);
	struct tm_value val;
	int32_t round;

	EXPECT_EQ(0, tm_start_height(r->tm, 1));
	EXPECT_EQ(0, feed_prop(r, 1, 0, -1, v));
	EXPECT_EQ(2, own_vote(r, TM_PREVOTE, 1, 0, v));
	EXPECT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 0, 1, v));
	EXPECT_FALSE(tm_get_locked(r->tm, &val, &round, polka, 4, n_polka));
	EXPECT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 0, 2, v));
	EXPECT_EQ(2, own_vote(r, TM_PRECOMMIT, 1, 0, v)); /* L36-L40 */
	EXPECT_TRUE(tm_get_locked(r->tm, &val, &round, polka, 4, n_polka));
	EXPECT_EQ(0, round);
	EXPECT_EQ(v->len, val.len);
	EXPECT_TRUE(heq(val.hash, v->hash));
	EXPECT_EQ(0, memcmp(val.data, v->data, v->len));
	return r;
}

TEST(the_lock_reads_back_with_its_polka)
{
	struct tm_vote polka[4];
	uint32_t n = 0, i;
	struct rval v;
	struct rec *r;

	mkval(&v, "v", true);
	r = locked_in_round_0(_metadata, &v, polka, &n);
	ASSERT_EQ(3, n);
	for (i = 0; i < n; i++) {
		uint8_t sig[TM_SIG_LEN];

		EXPECT_EQ(TM_PREVOTE, polka[i].type);
		EXPECT_EQ(1, polka[i].height);
		EXPECT_EQ(0, polka[i].round);
		EXPECT_EQ(i, polka[i].validator);
		EXPECT_TRUE(heq(polka[i].hash, v.hash));
		sign_vote(sig, (uint16_t)i, TM_PREVOTE, 1, 0, true, v.hash);
		EXPECT_EQ(0, memcmp(sig, polka[i].sig, TM_SIG_LEN));
	}
	rec_free(r);
}

static struct tm_resume resume_of(const struct rval *v, uint32_t round, const struct tm_vote *polka,
				  uint32_t n)
{
	struct tm_resume res = {.round = round, .locked_round = 0, .polka = polka, .n_polka = n};

	res.locked.data = v->data;
	res.locked.len = v->len;
	memcpy(res.locked.hash, v->hash, TM_HASH_LEN);
	return res;
}

/* Restarted in round 1 with its lock: another value proposed without a
 * polka gets its nil prevote (L22-L26), where an unlocked restart prevotes it.
 */
TEST(a_restart_keeps_the_lock)
{
	struct tm_vote polka[4];
	struct tm_resume res;
	struct tm_status st;
	struct rval v, w;
	struct rec *r;
	uint32_t n = 0;

	mkval(&v, "v", true);
	mkval(&w, "w", true);
	rec_free(locked_in_round_0(_metadata, &v, polka, &n));
	ASSERT_EQ(3, n);
	res = resume_of(&v, 1, polka, n);

	r = rec_new(4, 0, NULL);
	ASSERT_EQ(0, tm_start_height_resume(r->tm, 1, &res));
	tm_get_status(r->tm, &st);
	ASSERT_EQ(1, st.round);
	ASSERT_TRUE(st.has_locked);
	ASSERT_EQ(0, st.locked_round);
	ASSERT_TRUE(heq(st.locked_hash, v.hash));
	ASSERT_TRUE(st.has_valid);
	ASSERT_EQ(0, st.valid_round);
	ASSERT_EQ(0, feed_prop(r, 1, 1, -1, &w));
	ASSERT_EQ(1, own_vote(r, TM_PREVOTE, 1, 1, NULL));
	rec_free(r);

	r = rec_new(4, 0, NULL);
	ASSERT_EQ(0, tm_start_height_round(r->tm, 1, 1));
	ASSERT_EQ(0, feed_prop(r, 1, 1, -1, &w));
	ASSERT_EQ(2, own_vote(r, TM_PREVOTE, 1, 1, &w));
	rec_free(r);
}

/* After a power cut nobody has the prevotes of round 0 but from the lock
 * records: with the polka given back, v proposed again with validRound 0 is
 * prevoted (L28); a validator restarted without it waits for the timeout.
 * And a restarted proposer proposes its validValue with its round (L15-16).
 */
TEST(the_polka_comes_back_with_the_lock)
{
	struct tm_vote polka[4];
	struct tm_resume res;
	struct rval v;
	struct rec *r;
	uint32_t n = 0;
	int i, props = 0;

	mkval(&v, "v", true);
	rec_free(locked_in_round_0(_metadata, &v, polka, &n));
	res = resume_of(&v, 2, polka, n);

	r = rec_new(4, 0, NULL);
	ASSERT_EQ(0, tm_start_height_resume(r->tm, 1, &res));
	ASSERT_EQ(0, feed_prop(r, 1, 2, 0, &v)); /* proposer 3 */
	ASSERT_EQ(2, own_vote(r, TM_PREVOTE, 1, 2, &v));
	rec_free(r);

	r = rec_new(4, 0, NULL);
	ASSERT_EQ(0, tm_start_height_round(r->tm, 1, 2));
	ASSERT_EQ(0, feed_prop(r, 1, 2, 0, &v));
	ASSERT_EQ(0, own_vote(r, TM_PREVOTE, 1, 2, NULL));
	rec_free(r);

	/* Validator 2 proposes in round 1 of height 1. */
	res = resume_of(&v, 1, polka, n);
	r = rec_new(4, 2, NULL);
	ASSERT_EQ(0, tm_start_height_resume(r->tm, 1, &res));
	for (i = 0; i < r->nout; i++) {
		if (r->out[i].kind != TM_MSG_PROPOSAL)
			continue;
		props++;
		EXPECT_EQ(1, r->out[i].proposal.round);
		EXPECT_EQ(0, r->out[i].proposal.pol_round);
		EXPECT_TRUE(heq(r->out[i].proposal.value.hash, v.hash));
	}
	ASSERT_EQ(1, props);
	ASSERT_EQ(0, r->getv); /* not a new value */
	rec_free(r);
}

/* A lock is taken back only whole: with the quorum of its polka, for its
 * value, height and round, and not after the round resumed in.
 */
TEST(resume_refuses_a_lock_without_its_polka)
{
	struct tm_vote polka[4], bad[4];
	struct tm_resume res;
	struct rval v, w;
	struct rec *r;
	uint32_t n = 0;

	mkval(&v, "v", true);
	mkval(&w, "w", true);
	rec_free(locked_in_round_0(_metadata, &v, polka, &n));
	r = rec_new(4, 0, NULL);

	res = resume_of(&v, 1, polka, 2); /* 2 of 4: no quorum */
	ASSERT_EQ(-EINVAL, tm_start_height_resume(r->tm, 1, &res));
	memcpy(bad, polka, sizeof(bad));
	bad[2] = bad[1]; /* one validator twice */
	res = resume_of(&v, 1, bad, 3);
	ASSERT_EQ(-EINVAL, tm_start_height_resume(r->tm, 1, &res));
	res = resume_of(&w, 1, polka, 3); /* votes for another value */
	ASSERT_EQ(-EINVAL, tm_start_height_resume(r->tm, 1, &res));
	res = resume_of(&v, 1, polka, 3);
	res.locked_round = 2; /* after the round */
	ASSERT_EQ(-EINVAL, tm_start_height_resume(r->tm, 1, &res));
	res = resume_of(&v, 1, polka, 3);
	ASSERT_EQ(-EINVAL, tm_start_height_resume(r->tm, 2, &res)); /* another height */
	memcpy(bad, polka, sizeof(bad));
	bad[0].type = TM_PRECOMMIT;
	res = resume_of(&v, 1, bad, 3);
	ASSERT_EQ(-EINVAL, tm_start_height_resume(r->tm, 1, &res));
	/* Nothing started meanwhile; whole, it is taken. */
	ASSERT_EQ(0, st_of(r).height);
	res = resume_of(&v, 1, polka, 3);
	ASSERT_EQ(0, tm_start_height_resume(r->tm, 1, &res));
	ASSERT_TRUE(st_of(r).has_locked);
	rec_free(r);
}

/* What validator self signed before a restart: a proposal (of value v) and
 * votes, as gcd reads them back from its state dir. */
static struct tm_msg own_prop(uint32_t n, uint64_t h, uint32_t round, const struct rval *v)
{
	struct tm_msg m;

	memset(&m, 0, sizeof(m));
	m.kind = TM_MSG_PROPOSAL;
	m.proposal.height = h;
	m.proposal.round = round;
	m.proposal.pol_round = -1;
	m.proposal.proposer = (uint16_t)tm_proposer(n, h, round);
	m.proposal.value.data = v->data;
	m.proposal.value.len = v->len;
	memcpy(m.proposal.value.hash, v->hash, 32);
	sign_prop(m.proposal.sig, m.proposal.proposer, h, round, -1, v->hash);
	return m;
}

static struct tm_msg own_vote_msg(uint8_t type, uint64_t h, uint32_t round, uint16_t self,
				  const struct rval *v)
{
	struct tm_msg m;

	memset(&m, 0, sizeof(m));
	m.kind = TM_MSG_VOTE;
	m.vote.type = type;
	m.vote.height = h;
	m.vote.round = round;
	m.vote.validator = self;
	m.vote.has_value = v != NULL;
	if (v)
		memcpy(m.vote.hash, v->hash, 32);
	sign_vote(m.vote.sig, self, type, h, round, m.vote.has_value, m.vote.hash);
	return m;
}

/*
 * The power cut of the VM test: the proposer of height 1 round 0 (validator
 * 1 of 4) proposed v and prevoted it, then lost its memory. Back, it goes on
 * in round 0 with those two in its log. Its guard refuses the new proposal
 * and prevote the rules ask for: the engine must not count those (they were
 * never sent, and a proposal of another value would be its own
 * equivocation), and it must count the ones it did send, or the others'
 * two prevotes never make the polka that its precommit needs.
 */
TEST(a_resumed_proposer_counts_what_it_signed)
{
	struct rec *r = rec_new(4, 1, NULL);
	struct tm_msg own[2];
	struct tm_resume res = {.round = 0, .locked_round = -1, .own = own, .n_own = 2};
	struct rval v;

	mkval(&v, "signed before the cut", true);
	own[0] = own_prop(4, 1, 0, &v);
	own[1] = own_vote_msg(TM_PREVOTE, 1, 0, 1, &v);
	r->guard_h = 1;
	r->guard_step = 2;
	ASSERT_EQ(0, tm_start_height_resume(r->tm, 1, &res));
	EXPECT_EQ(2, r->refused); /* a new proposal (getValue), its prevote */
	EXPECT_EQ(0, r->nout);
	EXPECT_EQ(TM_STEP_PREVOTE, st_of(r).step);
	EXPECT_EQ(0, r->npev);
	/* The others' copies of its proposal and prevote: duplicates. */
	EXPECT_EQ(0, feed_prop(r, 1, 0, -1, &v));
	EXPECT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 0, 1, &v));
	EXPECT_EQ(0, r->nev);
	EXPECT_EQ(0, r->npev);
	/* Two more prevotes: with its own, a polka. It precommits and locks. */
	EXPECT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 0, 2, &v));
	EXPECT_EQ(0, own_vote(r, TM_PRECOMMIT, 1, 0, &v));
	EXPECT_EQ(0, feed_vote(r, TM_PREVOTE, 1, 0, 3, &v));
	EXPECT_EQ(2, own_vote(r, TM_PRECOMMIT, 1, 0, &v));
	EXPECT_EQ(0, st_of(r).locked_round);
	EXPECT_EQ(0, feed_vote(r, TM_PRECOMMIT, 1, 0, 2, &v));
	EXPECT_EQ(0, feed_vote(r, TM_PRECOMMIT, 1, 0, 3, &v));
	ASSERT_EQ(1, r->ndec);
	EXPECT_TRUE(heq(r->dec[0].hash, v.hash));
	EXPECT_EQ(0, r->nev);
	rec_free(r);
}

/* A proposer whose guard refuses its proposal and that has none kept (the
 * cut came between the guard's record and the message's): the round times
 * out, as if it had not proposed; its prevote for nil is a new step. */
TEST(a_refused_proposal_lets_the_round_time_out)
{
	struct rec *r = rec_new(4, 1, NULL);
	struct tm_resume res = {.round = 0, .locked_round = -1};

	r->guard_h = 1;
	r->guard_step = 1;
	ASSERT_EQ(0, tm_start_height_resume(r->tm, 1, &res));
	EXPECT_EQ(1, r->refused);
	EXPECT_EQ(TM_STEP_PROPOSE, st_of(r).step);
	EXPECT_NE(0, sched_delay(r, TM_STEP_PROPOSE, 1, 0));
	EXPECT_EQ(0, tm_on_timeout(r->tm, TM_STEP_PROPOSE, 1, 0));
	EXPECT_EQ(1, own_vote(r, TM_PREVOTE, 1, 0, NULL));
	rec_free(r);
}

/* Own messages are input too: of another height or signer, after the round
 * resumed in, or a proposal of a round it does not propose in, are refused. */
TEST(resume_refuses_messages_not_its_own)
{
	struct rval v;
	struct tm_msg bad[6];
	unsigned int k;

	mkval(&v, "v", true);
	bad[0] = own_vote_msg(TM_PREVOTE, 2, 0, 1, &v);	  /* another height */
	bad[1] = own_vote_msg(TM_PREVOTE, 1, 0, 2, &v);	  /* another validator */
	bad[2] = own_vote_msg(TM_PRECOMMIT, 1, 3, 1, &v); /* after the round */
	bad[3] = own_prop(4, 1, 1, &v);			  /* validator 2 proposes r1 */
	bad[4] = own_vote_msg(TM_PREVOTE, 1, 0, 1, &v);
	bad[4].vote.type = 7;
	bad[5] = own_prop(4, 1, 0, &v);
	bad[5].proposal.pol_round = 0; /* not before its round */
	for (k = 0; k < 6; k++) {
		struct rec *r = rec_new(4, 1, NULL);
		struct tm_resume res = {.round = 2, .locked_round = -1, .own = &bad[k], .n_own = 1};

		EXPECT_EQ(-EINVAL, tm_start_height_resume(r->tm, 1, &res))
		TH_LOG("own message %u", k);
		EXPECT_EQ(0, st_of(r).height);
		rec_free(r);
	}
}

TEST_HARNESS_MAIN
