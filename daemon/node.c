// SPDX-License-Identifier: GPL-2.0
#include "node.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "sync.h"

/* Timer kinds besides Tendermint's steps (TM_STEP_PROPOSE ... PRECOMMIT). */
enum { TK_START_HEIGHT = 16, TK_SYNC, TK_RESEND };

#define MEMPOOL_TXS   20000
#define MEMPOOL_BYTES (64ULL << 20)
#define MEMPOOL_AHEAD 10000
#define SYNC_EVERY_MS 2000
/* Verified tx ids remembered: the mempool's worth, and more (2 MiB). */
#define SIGCACHE_IDS 65536
/* A signed message of an undecided height is put again this often. */
#define RESEND_MS 3000

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void logf_(const char *fmt, ...)
{
	struct timespec ts;
	struct tm tm;
	char when[32];
	va_list ap;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	fprintf(stderr, "gcd %s.%03ld: ", when, ts.tv_nsec / 1000000);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void hex(const uint8_t *p, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * len] = '\0';
}

/* ---- the ledger, shared with the sync server's thread ---- */

static uint64_t committed_nonce(struct node *n, const uint8_t sender[GCD_PUBKEY_LEN])
{
	uint64_t last = 0;

	pthread_mutex_lock(&n->ledger_lock);
	if (ledger_nonce(n->ledger, sender, &last))
		last = 0;
	pthread_mutex_unlock(&n->ledger_lock);
	return last;
}

static uint64_t mp_committed_of(void *ctx, const uint8_t sender[MP_KEY_LEN])
{
	return committed_nonce(ctx, sender);
}

static int head(struct node *n, struct gcd_prev *h)
{
	int rc;

	pthread_mutex_lock(&n->ledger_lock);
	rc = ledger_head(n->ledger, h);
	pthread_mutex_unlock(&n->ledger_lock);
	return rc;
}

/* A block committed (by consensus or catch-up): its txs leave the mempool. */
static void after_commit(struct node *n, const uint8_t *block, size_t len)
{
	struct gcd_block *b = malloc(sizeof(*b));
	struct gcd_tx tx;
	unsigned int i;

	if (!b)
		return;
	if (gcd_block_decode(block, len, b) == GCD_OK) {
		if (b->height > n->applied)
			n->applied = b->height;
		for (i = 0; i < b->n_txs; i++)
			if (gcd_tx_decode(b->tx[i].p, b->tx[i].len, &tx) == GCD_OK)
				mp_committed(n->mp, tx.sender, tx.nonce);
		n->st.blocks++;
		n->st.txs_committed += b->n_txs;
	}
	free(b);
}

/* ---- verification: signatures on the workers, the rest here ---- */

struct vjob {
	struct wk_job job;
	struct node *n;
	uint8_t id[GCD_HASH_LEN];
	uint8_t type;
	uint32_t len;
	enum gcd_err err;
	union {
		struct gcd_tx tx;
		struct gcd_proposal proposal;
		struct gcd_vote vote;
	};
	struct gcd_block *block; /* a proposal's */
	uint8_t data[];
};

/* On a worker: everything that needs no state but the genesis. */
static void verify_run(struct wk_job *job)
{
	struct vjob *v = (struct vjob *)job;
	const struct gcd_genesis *g = &v->n->g;
	uint8_t id[GCD_HASH_LEN], root[GCD_HASH_LEN];
	struct gcd_tx tx;
	unsigned int i;

	gcd_sha256(v->data, v->len, id);
	if (memcmp(id, v->id, GCD_HASH_LEN)) {
		v->err = GCD_E_LOOKUP; /* not what the kernel said: never here */
		return;
	}
	switch (v->type) {
	case GCD_ITEM_TX:
		v->err = gcd_tx_decode(v->data, v->len, &v->tx);
		if (!v->err)
			v->err = gcd_tx_verify(&v->tx, g->hash);
		if (!v->err)
			sigcache_add(&v->n->sc, v->id);
		break;
	case GCD_ITEM_PROPOSAL:
		v->block = malloc(sizeof(*v->block));
		if (!v->block) {
			v->err = GCD_E_NOMEM;
			break;
		}
		v->err = gcd_proposal_decode(v->data, v->len, &v->proposal, v->block);
		if (!v->err)
			v->err = gcd_proposal_verify(&v->proposal, g);
		/* What the block says without the ledger: who made it, its
		 * root, and every transaction's signature.
		 */
		if (!v->err &&
		    v->block->proposer != gcd_proposer(v->block->height, v->block->round, g->n))
			v->err = GCD_E_PROPOSER;
		if (!v->err) {
			gcd_block_tx_root(v->block, root);
			if (memcmp(root, v->block->tx_root, GCD_HASH_LEN))
				v->err = GCD_E_TX_ROOT;
		}
		/* The certificate of the height before: it may decide that height
		 * here (tm_on_commit) for a node that missed its precommits.
		 */
		if (!v->err && v->block->height > 1)
			v->err = gcd_cert_check(&v->block->last_commit, g, NULL);
		/* Transactions this node verified as items are not verified again. */
		for (i = 0; !v->err && i < v->block->n_txs; i++) {
			gcd_sha256(v->block->tx[i].p, v->block->tx[i].len, id);
			v->err = gcd_tx_decode(v->block->tx[i].p, v->block->tx[i].len, &tx);
			if (!v->err && !sigcache_has(&v->n->sc, id)) {
				v->err = gcd_tx_verify(&tx, g->hash);
				if (!v->err)
					sigcache_add(&v->n->sc, id);
			}
		}
		break;
	case GCD_ITEM_PREVOTE:
	case GCD_ITEM_PRECOMMIT:
		v->err = gcd_vote_decode(v->data, v->len, &v->vote);
		if (!v->err && v->vote.type != (v->type == GCD_ITEM_PREVOTE ? GCD_VOTE_PREVOTE
									    : GCD_VOTE_PRECOMMIT))
			v->err = GCD_E_VOTE_TYPE;
		if (!v->err)
			v->err = gcd_vote_verify(&v->vote, g);
		break;
	default:
		v->err = GCD_E_VERSION; /* not an item of the ledger's */
	}
}

static void on_upcall(void *ctx, const struct gc_item_info *it)
{
	struct node *n = ctx;
	struct vjob *v;

	n->st.upcalls++;
	if (!it->data || !it->data_len)
		return;
	v = calloc(1, sizeof(*v) + it->data_len);
	if (!v) {
		n->st.unjudged++; /* it expires, and may come again */
		return;
	}
	v->job.run = verify_run;
	v->n = n;
	memcpy(v->id, it->id, GCD_HASH_LEN);
	v->type = it->type;
	v->len = it->data_len;
	memcpy(v->data, it->data, it->data_len);
	wk_submit(n->wk, &v->job);
}

static void verdict(struct node *n, const uint8_t *id, bool accept)
{
	struct gc_nl_error e;

	if (kn_verdict(&n->k, id, accept, &e) < 0) {
		/* ENOENT: it expired meanwhile; it may come again. */
		n->st.verdict_errors++;
		return;
	}
	if (accept)
		n->st.accepted++;
	else
		n->st.rejected++;
}

/* The rejections so far, for `gcctl tx ID`: one synced write for them all. */
static void record_rejections(struct node *n)
{
	if (!n->n_rej)
		return;
	pthread_mutex_lock(&n->ledger_lock);
	if (ledger_reject(n->ledger, n->rej, n->n_rej))
		logf_("cannot record %u rejected transactions: %s", n->n_rej,
		      ledger_errmsg(n->ledger));
	pthread_mutex_unlock(&n->ledger_lock);
	n->n_rej = 0;
}

/* Reasons are static strings (gcd_strerror, mp_result_str). */
static void reject_tx(struct node *n, const uint8_t *id, const char *reason)
{
	struct ledger_rejection *r;
	char idhex[2 * 8 + 1];

	hex(id, 8, idhex);
	logf_("item %s (type %u) rejected: %s", idhex, GCD_ITEM_TX, reason);

	if (n->n_rej == sizeof(n->rej) / sizeof(n->rej[0]))
		record_rejections(n);
	r = &n->rej[n->n_rej++];
	memcpy(r->id, id, GCD_HASH_LEN);
	r->reason = reason;
	n->st.txs_rejected++;
	verdict(n, id, false);
}

static void maybe_start(struct node *n, uint64_t height);
static void want_sync(struct node *n);
static void apply_commits(struct node *n);

/* A message of a height this node has not reached: it is behind. */
static void note_height(struct node *n, uint64_t height)
{
	struct gcd_prev h;

	if (head(n, &h))
		return;
	if (height > h.height + 1) {
		n->behind_seen = height;
		want_sync(n);
	} else if (height == h.height + 1) {
		maybe_start(n, height); /* someone started it: so do we */
	}
}

/* A copy of a transaction already in the chain (anti-entropy brings late
 * copies): not a replay of its nonce, and nothing to forward.
 */
static bool tx_committed(struct node *n, const uint8_t *id)
{
	uint64_t height;
	uint16_t index;
	int rc;

	pthread_mutex_lock(&n->ledger_lock);
	rc = ledger_find_tx(n->ledger, id, &height, &index);
	pthread_mutex_unlock(&n->ledger_lock);
	return rc == LEDGER_OK;
}

static void judge_tx(struct node *n, struct vjob *v)
{
	uint64_t last = committed_nonce(n, v->tx.sender);
	enum mp_result r;

	if (v->tx.nonce <= last && tx_committed(n, v->id)) {
		n->st.txs_late++;
		verdict(n, v->id, false);
		return;
	}
	r = mp_add(n->mp, v->id, v->tx.sender, v->tx.nonce, v->data, (uint16_t)v->len, last,
		   now_ms());

	switch (r) {
	case MP_ADDED:
	case MP_QUEUED:
	case MP_DUPLICATE:
		n->st.txs_accepted++;
		verdict(n, v->id, true);
		maybe_start(n, 0);
		break;
	case MP_FULL:
	case MP_NOMEM:
		/* No verdict: it expires here and may be fetched again later. */
		n->st.unjudged++;
		break;
	default:
		reject_tx(n, v->id, mp_result_str(r));
	}
}

static void vjob_free(void *p)
{
	struct vjob *v = p;

	free(v->block);
	free(v);
}

/* The engine's view of a decoded proposal or vote (value bytes: views). */
static void to_tm_proposal(const struct gcd_proposal *p, struct tm_proposal *t)
{
	memset(t, 0, sizeof(*t));
	t->height = p->height;
	t->round = p->round;
	t->pol_round = p->pol_round;
	t->proposer = p->proposer;
	t->value.data = p->block;
	t->value.len = p->block_len;
	gcd_block_hash(p->block, p->block_len, t->value.hash);
	memcpy(t->sig, p->sig, TM_SIG_LEN);
}

static void to_tm_vote(const struct gcd_vote *v, struct tm_vote *t)
{
	memset(t, 0, sizeof(*t));
	t->type = v->type == GCD_VOTE_PREVOTE ? TM_PREVOTE : TM_PRECOMMIT;
	t->height = v->height;
	t->round = v->round;
	t->has_value = v->has_block;
	t->validator = v->validator;
	memcpy(t->hash, v->hash, TM_HASH_LEN);
	memcpy(t->sig, v->sig, TM_SIG_LEN);
}

static uint64_t msg_height(const struct vjob *v)
{
	return v->type == GCD_ITEM_PROPOSAL ? v->proposal.height : v->vote.height;
}

/* A verified proposal or vote into Tendermint: its return code. */
static int to_engine(struct node *n, const struct vjob *v)
{
	struct tm_proposal p;
	struct tm_vote t;

	if (v->type == GCD_ITEM_PROPOSAL) {
		to_tm_proposal(&v->proposal, &p);
		return tm_on_proposal(n->tm, &p);
	}
	to_tm_vote(&v->vote, &t);
	return tm_on_vote(n->tm, &t);
}

/* A message of a height Tendermint cannot take yet waits in the backlog. */
static void keep_or_free(struct node *n, struct vjob *v, int rc)
{
	if (rc == -ERANGE)
		backlog_add(&n->future, msg_height(v), sizeof(*v) + v->len, v);
	else
		vjob_free(v);
}

static void refeed(void *ctx, void *msg)
{
	struct node *n = ctx;
	struct vjob *v = msg;

	keep_or_free(n, v, to_engine(n, v));
}

/*
 * The block of a proposal for height h + 1 carries the certificate of h:
 * a node still at h that missed the precommits decides h with it (it has
 * the value when it has h's proposal; else it fetches the block).
 */
static void commit_from_proposal(struct node *n, const struct vjob *v)
{
	const struct gcd_cert *c = &v->block->last_commit;
	struct tm_precommit pc[GCD_MAX_VALIDATORS];
	unsigned int i;

	if (v->block->height < 2 || n->started != v->block->height - 1)
		return;
	for (i = 0; i < c->count; i++) {
		pc[i].validator = c->index[i];
		memcpy(pc[i].sig, c->sig[i], TM_SIG_LEN);
	}
	if (tm_on_commit(n->tm, c->height, c->round, c->hash, pc, c->count) == -ENOENT)
		want_sync(n);
}

static void judge_proposal(struct node *n, struct vjob *v)
{
	n->st.proposals++;
	verdict(n, v->id, true);
	note_height(n, v->proposal.height);
	commit_from_proposal(n, v);
	keep_or_free(n, v, to_engine(n, v));
}

static void judge_vote(struct node *n, struct vjob *v)
{
	const struct tm_stats *s = tm_get_stats(n->tm);
	uint64_t others = s->extra_votes + s->drop_votes;
	bool accept;
	int rc;

	n->st.votes++;
	note_height(n, v->vote.height);
	n->double_vote = false;
	rc = to_engine(n, v);
	/*
	 * Every validly signed vote is forwarded, as the paper's gossip
	 * needs, and so is the first vote that conflicts with a validator's
	 * earlier one: it is the evidence (recorded by the callback), and
	 * every node must see it (else one equivocator can show different
	 * nodes different polkas, and stall the chain). Its further
	 * conflicting votes for that step only amplify: refused.
	 */
	accept = n->double_vote || s->extra_votes + s->drop_votes == others;
	if (!accept) {
		char idhex[2 * 8 + 1];

		hex(v->id, 8, idhex);
		logf_("item %s (type %u) rejected: a further conflicting vote of validator %u",
		      idhex, v->type, v->vote.validator);
		n->st.equivocations_refused++;
	}
	verdict(n, v->id, accept);
	keep_or_free(n, v, rc);
}

static void collect(struct node *n)
{
	struct wk_job *job;
	char idhex[2 * GCD_HASH_LEN + 1];

	while ((job = wk_collect(n->wk))) {
		struct vjob *v = (struct vjob *)job;

		if (v->err && v->type == GCD_ITEM_TX) {
			reject_tx(n, v->id, gcd_strerror(v->err));
			vjob_free(v);
		} else if (v->err) {
			hex(v->id, 8, idhex);
			logf_("item %s (type %u) rejected: %s", idhex, v->type,
			      gcd_strerror(v->err));
			verdict(n, v->id, false);
			vjob_free(v);
		} else if (v->type == GCD_ITEM_TX) {
			judge_tx(n, v);
			vjob_free(v);
		} else if (v->type == GCD_ITEM_PROPOSAL) {
			judge_proposal(n, v); /* owns v */
		} else {
			judge_vote(n, v); /* owns v */
		}
	}
	record_rejections(n);
}

/* ---- Tendermint's callbacks ---- */

static void put_item(struct node *n, uint8_t type, const uint8_t *p, size_t len)
{
	struct gc_item_info it;
	struct gc_nl_error e;

	if (kn_put(&n->k, type, p, (uint32_t)len, &it, &e) < 0)
		logf_("cannot put a message of type %u: %s", type,
		      e.msg[0] ? e.msg : strerror(e.err));
}

/* Signs only what comes after the last step signed (signguard.h). */
static bool may_sign(struct node *n, uint64_t height, uint32_t round, enum sg_step step)
{
	if (sg_sign(&n->sg, height, round, step))
		return true;
	n->st.refused_signs++;
	logf_("not signing step %d of height %llu round %u: signed up to height %llu round %u "
	      "step %u already",
	      step, (unsigned long long)height, round, (unsigned long long)n->sg.height,
	      n->sg.round, n->sg.step);
	return false;
}

/*
 * The last proposal, prevote and precommit this validator signed. Gossip
 * delivers each item once, but a node whose gcd was down (or that joined
 * late) missed them, and Tendermint needs every correct validator's
 * messages of the current round to be delivered eventually (the paper's
 * gossip assumption): with 2f+1 validators and one of them deaf, nobody's
 * prevote or precommit timeout ever starts. While a height is undecided,
 * each is put again (a new item with the same content) every RESEND_MS.
 */
static void remember_signed(struct node *n, uint8_t type, uint64_t height, const uint8_t *p,
			    size_t len)
{
	struct signed_msg *m = &n->sent[type - GCD_ITEM_PROPOSAL];

	if (!m->buf)
		m->buf = malloc(GCD_PROPOSAL_MAX);
	if (!m->buf || len > GCD_PROPOSAL_MAX)
		return;
	memcpy(m->buf, p, len);
	m->len = len;
	m->height = height;
	m->sent_ms = now_ms();
	if (sl_save(&n->sl, type - GCD_ITEM_PROPOSAL, height, p, len))
		logf_("cannot record the message signed in the state dir: %s", strerror(errno));
}

/*
 * What this validator signed in h before a restart (sentlog.h), checked as
 * any input: the engine counts it as its own (else the steps the guard
 * refuses leave it without its votes, and its phantom proposal conflicts
 * with its real one), and it is put again for the others.
 */
struct own_msgs {
	uint8_t *buf[SL_KINDS];
	size_t len[SL_KINDS];
	struct gcd_block *block;
	struct tm_msg m[SL_KINDS];
	uint32_t n;
};

static enum gcd_err own_decode(struct node *n, unsigned int k, uint64_t h, struct own_msgs *o)
{
	struct tm_msg *m = &o->m[o->n];
	struct gcd_proposal p;
	struct gcd_vote v;
	enum gcd_err e;

	memset(m, 0, sizeof(*m));
	if (k == 0) {
		e = gcd_proposal_decode(o->buf[k], o->len[k], &p, o->block);
		if (!e)
			e = gcd_proposal_verify(&p, &n->g);
		if (!e && (p.height != h || p.proposer != n->self))
			e = GCD_E_PROPOSER;
		if (e)
			return e;
		m->kind = TM_MSG_PROPOSAL;
		to_tm_proposal(&p, &m->proposal);
		return GCD_OK;
	}
	e = gcd_vote_decode(o->buf[k], o->len[k], &v);
	if (!e && v.type != (k == 1 ? GCD_VOTE_PREVOTE : GCD_VOTE_PRECOMMIT))
		e = GCD_E_VOTE_TYPE;
	if (!e)
		e = gcd_vote_verify(&v, &n->g);
	if (!e && (v.height != h || v.validator != n->self))
		e = GCD_E_VALIDATOR_INDEX;
	if (e)
		return e;
	m->kind = TM_MSG_VOTE;
	to_tm_vote(&v, &m->vote);
	return GCD_OK;
}

static void own_load(struct node *n, uint64_t h, struct own_msgs *o)
{
	static const char *const what[SL_KINDS] = {"proposal", "prevote", "precommit"};
	unsigned int k;
	enum gcd_err e;

	memset(o, 0, sizeof(*o));
	o->block = malloc(sizeof(*o->block));
	for (k = 0; o->block && k < SL_KINDS; k++) {
		o->buf[k] = malloc(GCD_PROPOSAL_MAX);
		if (!o->buf[k])
			break;
		o->len[k] = sl_load(&n->sl, k, h, o->buf[k], GCD_PROPOSAL_MAX);
		if (!o->len[k])
			continue;
		e = own_decode(n, k, h, o);
		if (e) {
			logf_("height %llu: the %s kept from before the restart is not usable: %s",
			      (unsigned long long)h, what[k], gcd_strerror(e));
			o->len[k] = 0;
			continue;
		}
		o->n++;
	}
}

/* Again for the others: their kernels lost it with this one's. */
static void own_resend(struct node *n, uint64_t h, const struct own_msgs *o)
{
	unsigned int k;

	for (k = 0; k < SL_KINDS; k++) {
		if (!o->len[k])
			continue;
		put_item(n, (uint8_t)(GCD_ITEM_PROPOSAL + k), o->buf[k], o->len[k]);
		remember_signed(n, (uint8_t)(GCD_ITEM_PROPOSAL + k), h, o->buf[k], o->len[k]);
		n->st.resent++;
	}
}

static void own_free(struct own_msgs *o)
{
	unsigned int k;

	for (k = 0; k < SL_KINDS; k++)
		free(o->buf[k]);
	free(o->block);
}

/* The prevotes of the polka this validator is locked by: with them the
 * others' line 28 can take its value again when the lock's round is proposed
 * (after a power cut nobody else has them).
 */
static void put_polka(struct node *n)
{
	struct lockrec r;
	uint16_t k;

	if (!n->lock_len || n->lock_height != n->started ||
	    lockrec_decode(n->lock_rec, n->lock_len, &r))
		return;
	for (k = 0; k < r.n_votes; k++)
		put_item(n, GCD_ITEM_PREVOTE, r.votes + (size_t)k * GCD_VOTE_LEN, GCD_VOTE_LEN);
	n->st.resent += r.n_votes;
}

static void resend_signed(struct node *n)
{
	uint64_t t = now_ms();
	struct gcd_prev h;
	unsigned int i;
	bool due = false;

	if (head(n, &h) || n->started != h.height + 1)
		return;
	for (i = 0; i < 3; i++) {
		struct signed_msg *m = &n->sent[i];

		if (!m->len || m->height != n->started || t - m->sent_ms < RESEND_MS)
			continue;
		put_item(n, (uint8_t)(GCD_ITEM_PROPOSAL + i), m->buf, m->len);
		m->sent_ms = t;
		n->st.resent++;
		due = true;
	}
	if (due)
		put_polka(n);
}

/*
 * Lines 36-40: the lock comes with the precommit for its value, and is on
 * disk before that precommit leaves (tendermint.h, struct tm_resume). False
 * when it cannot be kept: then the precommit is not signed either.
 */
static bool save_lock(struct node *n, const struct tm_vote *pc)
{
	struct tm_vote polka[GCD_MAX_VALIDATORS];
	struct tm_value v;
	uint32_t count;
	int32_t round;

	if (!tm_get_locked(n->tm, &v, &round, polka, GCD_MAX_VALIDATORS, &count) ||
	    round != (int32_t)pc->round || memcmp(v.hash, pc->hash, TM_HASH_LEN)) {
		logf_("height %llu round %u: a precommit for a value without its lock",
		      (unsigned long long)pc->height, pc->round);
		return false;
	}
	if (n->lock_height == pc->height && n->lock_len) {
		struct lockrec old;

		/* The same lock again (a resumed round): already on disk. */
		if (!lockrec_decode(n->lock_rec, n->lock_len, &old) && old.round == pc->round)
			return true;
	}
	if (lockrec_build(pc->height, &v, round, polka, count, n->lock_rec, LOCKREC_MAX,
			  &n->lock_len) ||
	    lockstore_save(&n->ls, n->lock_rec, n->lock_len)) {
		logf_("height %llu round %u: cannot keep the lock in the state dir: %s",
		      (unsigned long long)pc->height, pc->round, strerror(errno));
		n->lock_len = 0;
		return false;
	}
	n->lock_height = pc->height;
	n->st.locks_saved++;
	return true;
}

static bool tm_broadcast(void *ctx, struct tm_msg *m)
{
	struct node *n = ctx;
	uint8_t buf[GCD_PROPOSAL_MAX];
	size_t len;

	if (m->kind == TM_MSG_VOTE && m->vote.type == TM_PRECOMMIT && m->vote.has_value &&
	    !save_lock(n, &m->vote))
		return false;
	if (m->kind == TM_MSG_PROPOSAL
		    ? !may_sign(n, m->proposal.height, m->proposal.round, SG_PROPOSAL)
		    : !may_sign(n, m->vote.height, m->vote.round,
				m->vote.type == TM_PREVOTE ? SG_PREVOTE : SG_PRECOMMIT))
		return false;

	if (m->kind == TM_MSG_PROPOSAL) {
		struct gcd_proposal p = {
			.height = m->proposal.height,
			.round = m->proposal.round,
			.pol_round = m->proposal.pol_round,
			.proposer = m->proposal.proposer,
			.block = m->proposal.value.data,
			.block_len = m->proposal.value.len,
		};

		if (gcd_proposal_sign(&p, n->g.hash, n->key.sk) ||
		    gcd_proposal_encode(&p, buf, sizeof(buf), &len))
			return false;
		memcpy(m->proposal.sig, p.sig, TM_SIG_LEN);
		remember_signed(n, GCD_ITEM_PROPOSAL, p.height, buf, len);
		put_item(n, GCD_ITEM_PROPOSAL, buf, len);
	} else {
		struct gcd_vote v = {
			.type = m->vote.type == TM_PREVOTE ? GCD_VOTE_PREVOTE : GCD_VOTE_PRECOMMIT,
			.height = m->vote.height,
			.round = m->vote.round,
			.has_block = m->vote.has_value,
			.validator = m->vote.validator,
		};

		memcpy(v.hash, m->vote.hash, GCD_HASH_LEN);
		if (gcd_vote_sign(&v, n->g.hash, n->key.sk) ||
		    gcd_vote_encode(&v, buf, sizeof(buf), &len))
			return false;
		memcpy(m->vote.sig, v.sig, TM_SIG_LEN);
		remember_signed(n,
				v.type == GCD_VOTE_PREVOTE ? GCD_ITEM_PREVOTE : GCD_ITEM_PRECOMMIT,
				v.height, buf, len);
		put_item(n, v.type == GCD_VOTE_PREVOTE ? GCD_ITEM_PREVOTE : GCD_ITEM_PRECOMMIT, buf,
			 len);
	}
	return true;
}

static void tm_schedule(void *ctx, enum tm_step kind, uint64_t height, uint32_t round,
			uint32_t delay_ms)
{
	struct node *n = ctx;

	timers_add(&n->ts, (int)kind, height, round, now_ms() + delay_ms);
}

static int tm_get_value(void *ctx, uint64_t height, uint32_t round, struct tm_value *out)
{
	struct node *n = ctx;
	const struct mp_tx **sel = NULL;
	struct gcd_block *b = NULL;
	struct gcd_prev h;
	size_t len, cert_len = 0, room;
	uint8_t cert[GCD_CERT_MAX];
	uint32_t k, count;
	int ret = -1;

	if (head(n, &h) || height != h.height + 1)
		return -1;
	b = calloc(1, sizeof(*b));
	sel = calloc(GCD_BLOCK_TXS_MAX, sizeof(*sel));
	if (!b || !sel)
		goto out;
	b->height = height;
	b->round = round;
	b->time_ms = wall_ms();
	if (b->time_ms <= h.time_ms)
		b->time_ms = h.time_ms + 1;
	memcpy(b->prev_hash, h.hash, GCD_HASH_LEN);
	b->proposer = (uint16_t)gcd_proposer(height, round, n->g.n);
	if (height > 1) {
		pthread_mutex_lock(&n->ledger_lock);
		ret = ledger_get_cert(n->ledger, height - 1, cert, sizeof(cert), &cert_len);
		pthread_mutex_unlock(&n->ledger_lock);
		if (ret || gcd_cert_decode(cert, cert_len, &b->last_commit)) {
			ret = -1;
			goto out;
		}
	}
	room = GCD_BLOCK_MAX - GCD_BLOCK_FIXED_LEN - cert_len;
	count = mp_select(n->mp, mp_committed_of, n, sel, GCD_BLOCK_TXS_MAX, room);
	b->n_txs = (uint16_t)count;
	for (k = 0; k < count; k++) {
		b->tx[k].p = sel[k]->bytes;
		b->tx[k].len = sel[k]->len;
	}
	gcd_block_tx_root(b, b->tx_root);
	ret = gcd_block_encode(b, n->block_buf, GCD_BLOCK_MAX, &len) ? -1 : 0;
	if (!ret) {
		out->data = n->block_buf;
		out->len = (uint32_t)len;
		gcd_block_hash(n->block_buf, len, out->hash);
	}
out:
	free(b);
	free(sel);
	return ret;
}

static bool tm_valid(void *ctx, uint64_t height, const struct tm_value *v)
{
	struct node *n = ctx;
	struct gcd_prev h;
	int rc;

	if (head(n, &h) || height != h.height + 1)
		return false;
	pthread_mutex_lock(&n->ledger_lock);
	rc = ledger_check_block(n->ledger, v->data, v->len);
	if (rc)
		logf_("block at height %llu is not valid: %s", (unsigned long long)height,
		      ledger_errmsg(n->ledger));
	pthread_mutex_unlock(&n->ledger_lock);
	return rc == LEDGER_OK;
}

static void tm_decide(void *ctx, uint64_t height, uint32_t round, const struct tm_value *v,
		      const struct tm_precommit *cert, uint32_t count)
{
	struct node *n = ctx;
	struct gcd_cert c = {.height = height, .round = round, .count = (uint16_t)count};
	uint8_t buf[GCD_CERT_MAX];
	char hashhex[2 * GCD_HASH_LEN + 1];
	size_t len;
	uint32_t i;
	int rc;

	memcpy(c.hash, v->hash, GCD_HASH_LEN);
	for (i = 0; i < count; i++) {
		c.index[i] = cert[i].validator;
		memcpy(c.sig[i], cert[i].sig, GCD_SIG_LEN);
	}
	if (gcd_cert_encode(&c, buf, sizeof(buf), &len)) {
		logf_("height %llu: cannot encode the certificate", (unsigned long long)height);
		return;
	}
	/* Durable before anything else hears of it. */
	pthread_mutex_lock(&n->ledger_lock);
	rc = ledger_commit(n->ledger, v->data, v->len, buf, len);
	if (rc)
		logf_("height %llu: commit failed: %s", (unsigned long long)height,
		      ledger_errmsg(n->ledger));
	pthread_mutex_unlock(&n->ledger_lock);
	if (rc) {
		struct gcd_prev h;

		/* Catch-up may have committed it first: then go on from there. */
		if (!head(n, &h) && h.height >= height) {
			apply_commits(n);
			timers_add(&n->ts, TK_START_HEIGHT, h.height + 1, 0, now_ms());
			return;
		}
		want_sync(n); /* the others have it with a certificate that checks */
		return;
	}
	after_commit(n, v->data, v->len);
	hex(v->hash, 8, hashhex);
	logf_("committed height %llu (round %u, block %s, %u precommits, mempool %u)",
	      (unsigned long long)height, round, hashhex, count, mp_count(n->mp));
	timers_add(&n->ts, TK_START_HEIGHT, height + 1, 0, now_ms() + n->o.commit_ms);
}

static void tm_evidence(void *ctx, const struct tm_vote *first, const struct tm_vote *second)
{
	struct node *n = ctx;
	const struct tm_vote *tv[2] = {first, second};
	uint8_t enc[2][GCD_VOTE_LEN];
	size_t len[2];
	int i;

	n->double_vote = true;
	n->st.double_votes++;
	logf_("evidence: validator %u voted twice (%s) at height %llu round %u", first->validator,
	      first->type == TM_PREVOTE ? "prevote" : "precommit",
	      (unsigned long long)first->height, first->round);
	for (i = 0; i < 2; i++) {
		struct gcd_vote v = {
			.type = tv[i]->type == TM_PREVOTE ? GCD_VOTE_PREVOTE : GCD_VOTE_PRECOMMIT,
			.height = tv[i]->height,
			.round = tv[i]->round,
			.has_block = tv[i]->has_value,
			.validator = tv[i]->validator,
		};

		memcpy(v.hash, tv[i]->hash, GCD_HASH_LEN);
		memcpy(v.sig, tv[i]->sig, GCD_SIG_LEN);
		if (gcd_vote_encode(&v, enc[i], sizeof(enc[i]), &len[i]))
			return;
	}
	pthread_mutex_lock(&n->ledger_lock);
	ledger_add_evidence(n->ledger, enc[0], len[0], enc[1], len[1]);
	pthread_mutex_unlock(&n->ledger_lock);
	logf_("evidence: validator %u voted twice at height %llu round %u", first->validator,
	      (unsigned long long)first->height, first->round);
}

static const struct tm_ops node_tm_ops = {
	.broadcast = tm_broadcast,
	.schedule = tm_schedule,
	.get_value = tm_get_value,
	.valid = tm_valid,
	.decide = tm_decide,
	.evidence = tm_evidence,
};

/* ---- heights ---- */

/*
 * Tendermint at height h: from round 0, or in the last round this validator
 * signed in at h before a restart. Not the round after: if this validator
 * proposed in round r and the others are still in r, alone in r + 1 it is
 * fewer than the f + 1 that move them, and with one validator down nobody
 * reaches a quorum. The sign guard refuses any step of r it signed already,
 * so going on in r signs nothing twice. Then whatever arrived early for h
 * and h + 1.
 */
/* The lock this validator kept in h before a restart, checked as any
 * input: true with r filled (views into n->lock_rec and polka).
 */
static bool restore_lock(struct node *n, uint64_t h, struct tm_vote *polka, struct tm_resume *r)
{
	struct lockrec rec;
	const char *why = NULL;
	char hashhex[2 * 8 + 1];

	n->lock_len = lockstore_load(&n->ls, h, n->lock_rec, LOCKREC_MAX);
	if (!n->lock_len)
		return false;
	if (lockrec_decode(n->lock_rec, n->lock_len, &rec) ||
	    lockrec_resume(&rec, &n->g, polka, r, &why) || rec.round > n->sg.round) {
		logf_("height %llu: the kept lock is not usable (%s): going on without it",
		      (unsigned long long)h, why ? why : "after the last round signed");
		n->lock_len = 0;
		return false;
	}
	n->lock_height = h;
	hex(r->locked.hash, 8, hashhex);
	logf_("height %llu: locked in round %u on block %s before a restart (%u prevotes)",
	      (unsigned long long)h, rec.round, hashhex, rec.n_votes);
	return true;
}

static void start_height(struct node *n, uint64_t h)
{
	struct tm_vote polka[GCD_MAX_VALIDATORS];
	struct tm_resume r = {.locked_round = -1};
	bool resumed = n->sg.height == h;
	struct own_msgs o = {0};

	apply_commits(n); /* what catch-up committed meanwhile leaves the mempool */
	if (resumed) {
		r.round = n->sg.round;
		logf_("height %llu: signed up to step %u of round %u before a restart, going on "
		      "in that round",
		      (unsigned long long)h, n->sg.step, r.round);
		if (restore_lock(n, h, polka, &r))
			n->st.locks_restored++;
		own_load(n, h, &o);
		r.own = o.m;
		r.n_own = o.n;
	}
	n->started = h;
	if (tm_start_height_resume(n->tm, h, &r)) {
		logf_("height %llu: the engine refused the kept lock or messages: going on "
		      "without them",
		      (unsigned long long)h);
		n->lock_len = 0;
		tm_start_height_round(n->tm, h, r.round);
	}
	if (resumed) {
		own_resend(n, h, &o);
		put_polka(n);
		own_free(&o);
	}
	backlog_take(&n->future, h, h + 1, refeed, n);
}

/* Starts Tendermint at head + 1 when there is something to commit, when
 * another validator has started it (height given), or when empty_block_ms
 * has passed since the last block.
 */
static void maybe_start(struct node *n, uint64_t height)
{
	struct gcd_prev h;

	if (head(n, &h))
		return;
	if (n->started == h.height + 1)
		return;
	if (!height && !mp_count(n->mp) &&
	    (!n->o.empty_block_ms || wall_ms() < h.time_ms + n->o.empty_block_ms))
		return;
	start_height(n, h.height + 1);
}

/* ---- catch-up ---- */

struct peers {
	char addr[16][INET6_ADDRSTRLEN];
	unsigned int n;
	const char *self;
};

static void peer_cb(void *ctx, const struct gc_member_info *m)
{
	struct peers *p = ctx;

	if (m->state != GC_MEMBER_STATE_ALIVE || p->n == 16)
		return;
	inet_ntop(m->family, &m->addr, p->addr[p->n], sizeof(p->addr[p->n]));
	p->n++;
}

static void want_sync(struct node *n)
{
	if (now_ms() - n->last_sync_ms < SYNC_EVERY_MS)
		return;
	timers_add(&n->ts, TK_SYNC, 0, 0, now_ms());
}

/* Asks live members, on the catch-up thread, for the blocks this node lacks. */
static void do_sync(struct node *n)
{
	struct peers p = {0};
	struct gc_nl_error e;

	n->last_sync_ms = now_ms();
	if (kn_members(&n->k, peer_cb, &p, &e) < 0 || !p.n)
		return;
	if (sync_client_ask(&n->sc_client, p.addr, p.n, n->o.sync_port))
		n->st.sync_rounds++;
	else
		n->sync_again = true; /* one runs: another after it */
}

/* The blocks committed since the mempool last heard: their txs leave it. */
static void apply_commits(struct node *n)
{
	struct gcd_prev h;
	uint8_t *block;
	uint64_t hgt;
	size_t len;

	if (head(n, &h) || h.height <= n->applied)
		return;
	block = malloc(GCD_BLOCK_MAX);
	for (hgt = n->applied + 1; block && hgt <= h.height; hgt++) {
		pthread_mutex_lock(&n->ledger_lock);
		if (ledger_get_block(n->ledger, hgt, block, GCD_BLOCK_MAX, &len))
			len = 0;
		pthread_mutex_unlock(&n->ledger_lock);
		if (len)
			after_commit(n, block, len); /* moves n->applied to hgt */
		n->applied = hgt;
	}
	free(block);
}

/* A catch-up round ended: consensus goes on from the new head at once. */
static void sync_done(struct node *n)
{
	struct gcd_prev h;
	char msg[256];
	long got = sync_client_done(&n->sc_client, msg, sizeof(msg));

	if (got < 0)
		return;
	if (got > 0) {
		logf_("caught up: %s", msg);
		n->st.synced_blocks += (uint64_t)got;
	}
	if (head(n, &h))
		return;
	apply_commits(n);
	if (n->started <= h.height)
		start_height(n, h.height + 1);
	if (n->sync_again || n->behind_seen > h.height + 1) {
		n->sync_again = false;
		timers_add(&n->ts, TK_SYNC, 0, 0, now_ms());
	}
}

/* ---- membership events, as transactions of this node ---- */

static void on_member(void *ctx, const struct gc_member_info *m)
{
	struct node *n = ctx;
	struct gcd_member_event ev = {.incarnation = m->incarnation};
	struct gcd_tx tx = {.kind = GCD_TX_MEMBER};
	uint8_t buf[GCD_TX_MAX_LEN];
	char payload[GCD_TX_PAYLOAD_MAX];
	size_t len;
	int plen;

	if (!n->o.membership_txs)
		return;
	switch (m->event) {
	case GC_EVENT_JOIN:
	case GC_EVENT_ALIVE:
		ev.event = GCD_MEV_ALIVE;
		break;
	case GC_EVENT_DEAD:
		ev.event = GCD_MEV_DEAD;
		break;
	case GC_EVENT_LEFT:
		ev.event = GCD_MEV_LEFT;
		break;
	default:
		return;
	}
	snprintf(ev.name, sizeof(ev.name), "%s", m->name);
	plen = gcd_member_payload_format(&ev, payload, sizeof(payload));
	if (plen <= 0)
		return;
	memcpy(tx.sender, n->key.pub, GCD_PUBKEY_LEN);
	n->own_nonce = committed_nonce(n, n->key.pub) > n->own_nonce
			       ? committed_nonce(n, n->key.pub)
			       : n->own_nonce;
	tx.nonce = ++n->own_nonce;
	tx.payload = (const uint8_t *)payload;
	tx.payload_len = (uint16_t)plen;
	if (gcd_tx_sign(&tx, n->g.hash, n->key.sk) || gcd_tx_encode(&tx, buf, sizeof(buf), &len))
		return;
	n->st.member_txs++;
	put_item(n, GCD_ITEM_TX, buf, len);
}

/* ---- the loop ---- */

static void on_timer(struct node *n, const struct timer *t)
{
	switch (t->kind) {
	case TM_STEP_PROPOSE:
	case TM_STEP_PREVOTE:
	case TM_STEP_PRECOMMIT:
		tm_on_timeout(n->tm, (enum tm_step)t->kind, t->a, t->b);
		break;
	case TK_START_HEIGHT:
		maybe_start(n, 0);
		/* Nothing to commit yet: look again soon. */
		if (n->started < t->a)
			timers_add(&n->ts, TK_START_HEIGHT, t->a, 0, now_ms() + 250);
		break;
	case TK_SYNC:
		do_sync(n);
		break;
	case TK_RESEND:
		resend_signed(n);
		timers_add(&n->ts, TK_RESEND, 0, 0, now_ms() + RESEND_MS / 2);
		break;
	}
}

int node_run(struct node *n)
{
	struct pollfd pfd[6];
	struct timer t;
	struct gcd_prev h;
	uint64_t v;

	if (!head(n, &h))
		logf_("up: head at height %llu, %s, %u validators", (unsigned long long)h.height,
		      n->self >= 0 ? "a validator" : "not a validator", n->g.n);
	/* Whatever the others committed meanwhile first. */
	timers_add(&n->ts, TK_SYNC, 0, 0, now_ms());
	timers_add(&n->ts, TK_START_HEIGHT, h.height + 1, 0, now_ms() + n->o.commit_ms);
	timers_add(&n->ts, TK_RESEND, 0, 0, now_ms() + RESEND_MS);
	while (!n->stop) {
		timers_arm(&n->ts);
		pfd[0] = (struct pollfd){.fd = kn_up_fd(&n->k), .events = POLLIN};
		pfd[1] = (struct pollfd){.fd = kn_ev_fd(&n->k), .events = POLLIN};
		pfd[2] = (struct pollfd){.fd = wk_fd(n->wk), .events = POLLIN};
		pfd[3] = (struct pollfd){.fd = n->ts.fd, .events = POLLIN};
		pfd[4] = (struct pollfd){.fd = n->sigfd, .events = POLLIN};
		pfd[5] = (struct pollfd){.fd = n->sc_client.done_fd, .events = POLLIN};
		if (poll(pfd, 6, -1) < 0) {
			if (errno == EINTR)
				continue;
			logf_("poll: %s", strerror(errno));
			return 1;
		}
		if (pfd[4].revents) {
			struct signalfd_siginfo si;

			if (read(n->sigfd, &si, sizeof(si)) == sizeof(si))
				logf_("signal %u: stopping", si.ssi_signo);
			n->stop = true;
			break;
		}
		if (pfd[0].revents && kn_read_upcalls(&n->k, on_upcall, n) < 0) {
			logf_("the verifier's socket failed: %s", strerror(errno));
			return 1;
		}
		if (pfd[1].revents)
			kn_read_events(&n->k, on_member, n);
		if (pfd[2].revents)
			collect(n);
		if (pfd[5].revents)
			sync_done(n);
		if (pfd[3].revents && read(n->ts.fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
			logf_("timer: %s", strerror(errno));
		while (timers_pop(&n->ts, now_ms(), &t))
			on_timer(n, &t);
	}
	logf_("stopped: %llu blocks and %llu txs committed, %llu accepted, %llu rejected",
	      (unsigned long long)n->st.blocks, (unsigned long long)n->st.txs_committed,
	      (unsigned long long)n->st.accepted, (unsigned long long)n->st.rejected);
	{
		const struct tm_stats *ts = tm_get_stats(n->tm);

		logf_("consensus: %llu votes, %llu duplicates, %llu stale, %llu beyond the next "
		      "height, %llu double votes, %llu conflicting refused, %llu resent, %llu late "
		      "copies of committed txs, %llu locks kept, %llu restored",
		      (unsigned long long)ts->votes, (unsigned long long)ts->duplicates,
		      (unsigned long long)ts->stale, (unsigned long long)ts->drop_future_height,
		      (unsigned long long)ts->double_votes,
		      (unsigned long long)n->st.equivocations_refused,
		      (unsigned long long)n->st.resent, (unsigned long long)n->st.txs_late,
		      (unsigned long long)n->st.locks_saved,
		      (unsigned long long)n->st.locks_restored);
	}
	return 0;
}

/* Two gcds on one state dir would sign conflicting votes with one key:
 * the second one refuses to start.
 */
static int lock_state_dir(struct node *n, char *err, size_t errlen)
{
	char path[PATH_MAX];

	if (mkdir(n->o.state_dir, 0700) && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", n->o.state_dir, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/gcd.lock", n->o.state_dir);
	n->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (n->lock_fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(n->lock_fd, LOCK_EX | LOCK_NB)) {
		snprintf(err, errlen, "%s: %s", path,
			 errno == EWOULDBLOCK ? "another gcd runs on this state dir"
					      : strerror(errno));
		return -1;
	}
	return 0;
}

int node_open(struct node *n, const struct node_opts *o, char *err, size_t errlen)
{
	struct tm_config tc;
	struct gc_nl_error e;
	sigset_t sigs;
	bool created;
	char keyhex[2 * GCD_PUBKEY_LEN + 1];
	struct gcd_prev h;

	memset(n, 0, sizeof(*n));
	n->o = *o;
	n->sigfd = n->sync_fd = n->ts.fd = n->lock_fd = n->sg.fd = -1;
	n->sc_client.done_fd = -1;
	n->sl.fd[0] = n->sl.fd[1] = n->sl.fd[2] = -1;
	n->ls.fd[0] = n->ls.fd[1] = -1;
	pthread_mutex_init(&n->ledger_lock, NULL);
	/* Blocked before any thread starts, so that every thread inherits it
	 * and SIGTERM reaches the signalfd, not a worker's default action.
	 */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (lock_state_dir(n, err, errlen) || sg_open(&n->sg, o->state_dir, err, errlen) ||
	    sl_open(&n->sl, o->state_dir, err, errlen) ||
	    lockstore_open(&n->ls, o->state_dir, err, errlen))
		return -1;
	if (backlog_init(&n->future, vjob_free)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (gcd_key_load_or_create(o->state_dir, &n->key, &created, err, errlen) ||
	    gcd_genesis_keep(o->genesis_path, o->state_dir, &n->g, err, errlen))
		return -1;
	hex(n->key.pub, GCD_PUBKEY_LEN, keyhex);
	if (created)
		logf_("new node key %s/%s: public key %s", o->state_dir, GCD_KEY_FILE, keyhex);
	n->self = gcd_genesis_find(&n->g, n->key.pub);
	err[0] = '\0';
	if (ledger_open(&n->ledger, o->state_dir, &n->g, 0, err, errlen) || head(n, &h)) {
		if (!err[0])
			snprintf(err, errlen, "reading the ledger's head: %s",
				 ledger_errmsg(n->ledger));
		return -1;
	}
	n->applied = h.height; /* the mempool starts empty */
	n->block_buf = malloc(GCD_BLOCK_MAX);
	n->lock_rec = malloc(LOCKREC_MAX);
	n->mp = mp_new(MEMPOOL_TXS, MEMPOOL_BYTES, MEMPOOL_AHEAD);
	n->wk = wk_new(o->workers);
	if (!n->block_buf || !n->lock_rec || !n->mp || !n->wk ||
	    sigcache_init(&n->sc, SIGCACHE_IDS)) {
		snprintf(err, errlen, "out of memory, or no thread");
		return -1;
	}
	ledger_set_known(n->ledger, sigcache_known, &n->sc);
	tm_config_default(&tc);
	tc.propose_ms = o->propose_ms;
	tc.propose_delta_ms = o->delta_ms;
	tc.prevote_ms = o->propose_ms / 2;
	tc.prevote_delta_ms = o->delta_ms;
	tc.precommit_ms = o->propose_ms / 2;
	tc.precommit_delta_ms = o->delta_ms;
	tc.value_max = GCD_BLOCK_MAX;
	n->tm = tm_new(&tc, n->g.n, n->self, &node_tm_ops, n);
	if (!n->tm) {
		snprintf(err, errlen, "cannot start the consensus engine");
		return -1;
	}
	if (timers_init(&n->ts)) {
		snprintf(err, errlen, "timerfd: %s", strerror(errno));
		return -1;
	}
	n->sigfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	if (n->sigfd < 0) {
		snprintf(err, errlen, "signalfd: %s", strerror(errno));
		return -1;
	}
	if (kn_open(&n->k, err, errlen))
		return -1;
	if (kn_hold_unverified(&n->k, &e) < 0) {
		snprintf(err, errlen, "setting item_hold_unverified: %s",
			 e.msg[0] ? e.msg : strerror(e.err));
		return -1;
	}
	n->sync_fd = sync_listen(o->sync_port);
	if (n->sync_fd < 0) {
		snprintf(err, errlen, "sync port %u: %s", o->sync_port, strerror(errno));
		return -1;
	}
	if (sync_client_start(&n->sc_client, n)) {
		snprintf(err, errlen, "cannot start the catch-up client");
		return -1;
	}
	if (pthread_create(&n->sync_thread, NULL, sync_serve, n)) {
		snprintf(err, errlen, "cannot start the sync server");
		return -1;
	}
	n->sync_thread_up = true;
	return 0;
}

void node_close(struct node *n)
{
	unsigned int i;

	n->stop = true;
	sync_client_stop(&n->sc_client);
	if (n->sync_thread_up)
		pthread_join(n->sync_thread, NULL);
	if (n->sync_fd >= 0)
		close(n->sync_fd);
	/* Unregisters: the socket closes. */
	kn_close(&n->k);
	wk_free(n->wk);
	tm_free(n->tm);
	backlog_free(&n->future);
	sg_close(&n->sg);
	sl_close(&n->sl);
	lockstore_close(&n->ls);
	mp_free(n->mp);
	if (n->ledger)
		ledger_close(n->ledger);
	sigcache_destroy(&n->sc);
	timers_close(&n->ts);
	if (n->sigfd >= 0)
		close(n->sigfd);
	free(n->block_buf);
	free(n->lock_rec);
	for (i = 0; i < 3; i++)
		free(n->sent[i].buf);
	gcd_key_wipe(&n->key);
	if (n->lock_fd >= 0)
		close(n->lock_fd);
	pthread_mutex_destroy(&n->ledger_lock);
}
