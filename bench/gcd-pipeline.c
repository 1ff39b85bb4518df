// SPDX-License-Identifier: GPL-2.0
/*
 * gcd-pipeline: the rate at which gcd's verify+persist pipeline takes
 * transactions, against the raw libsodium and LMDB rates on the same
 * machine in the same run (bench/gcd-pipeline.sh makes the table).
 *
 *   gcd-pipeline DIR [TXS] [WORKERS]
 *
 * The stages are those a gcd node runs for each transaction, through the
 * same functions: verification of the transaction item on the worker pool
 * (daemon/workers.c, gcd_tx_decode + gcd_tx_verify) into the mempool,
 * verification of the proposal that carries it (every transaction's
 * signature again, on the pool), the block check before the prevote
 * (ledger_check_block) and the commit (ledger_commit: check, certificate,
 * one durable LMDB write transaction). The blocks and their certificates
 * are made beforehand: signing is the proposer's and the voters' work.
 *
 * The references: crypto_sign_verify_detached in a loop, on one thread and
 * on WORKERS threads, over messages of the transactions' size; and raw
 * LMDB puts (id -> transaction bytes), one durable write transaction per
 * block of the same size. Prints "name value" lines (rates per second).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <lmdb.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "chain.h"
#include "gcd_fixture.h"
#include "ledger.h"
#include "mempool.h"
#include "sigcache.h"
#include "workers.h"

#define PAYLOAD "bench payload: 64 bytes of application data, as a small transfer."

static uint8_t **tx;
static size_t *tx_len;
static unsigned int n_tx;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int die(const char *what)
{
	fprintf(stderr, "gcd-pipeline: %s\n", what);
	return 1;
}

/* ---- the raw verify loop ---- */

struct raw_arg {
	struct fx *f;
	unsigned int from, to;
	uint8_t (*sig)[GCD_SIG_LEN];
	unsigned int bad;
};

static void *raw_verify(void *p)
{
	struct raw_arg *a = p;
	unsigned int i;

	for (i = a->from; i < a->to; i++)
		if (crypto_sign_verify_detached(a->sig[i], tx[i], tx_len[i],
						a->f->upk[i % FX_USERS]))
			a->bad++;
	return NULL;
}

/* Verifications per second on threads threads. */
static double raw_rate(struct fx *f, uint8_t (*sig)[GCD_SIG_LEN], unsigned int threads)
{
	pthread_t t[64];
	struct raw_arg a[64];
	unsigned int i, bad = 0;
	double t0 = now();

	for (i = 0; i < threads; i++) {
		a[i] = (struct raw_arg){.f = f, .sig = sig};
		a[i].from = n_tx * i / threads;
		a[i].to = n_tx * (i + 1) / threads;
		pthread_create(&t[i], NULL, raw_verify, &a[i]);
	}
	for (i = 0; i < threads; i++) {
		pthread_join(t[i], NULL);
		bad += a[i].bad;
	}
	return bad ? -1 : n_tx / (now() - t0);
}

/* ---- stage 1: transaction items on the worker pool, into the mempool ---- */

static const uint8_t *genesis_hash;
static struct sigcache sc;
static bool use_cache; /* as gcd: verified ids skip later checks */

struct txjob {
	struct wk_job job;
	unsigned int i;
	struct gcd_tx tx;
	enum gcd_err err;
};

/* What gcd's verify_run does for a transaction item. */
static void txjob_run(struct wk_job *job)
{
	struct txjob *j = (struct txjob *)job;

	uint8_t id[GCD_HASH_LEN];

	j->err = gcd_tx_decode(tx[j->i], tx_len[j->i], &j->tx);
	if (!j->err)
		j->err = gcd_tx_verify(&j->tx, genesis_hash);
	if (!j->err) {
		gcd_sha256(tx[j->i], tx_len[j->i], id);
		sigcache_add(&sc, id);
	}
}

/* Waits, as gcd's poll loop does, for the next finished job. */
static struct wk_job *next_done(struct workers *wk)
{
	struct pollfd pfd = {.fd = wk_fd(wk), .events = POLLIN};
	struct wk_job *j;

	while (!(j = wk_collect(wk)))
		if (poll(&pfd, 1, 1000) < 0 && errno != EINTR)
			return NULL;
	return j;
}

static double stage_tx_items(struct workers *wk, struct mempool *mp)
{
	struct txjob *jobs = calloc(n_tx, sizeof(*jobs));
	unsigned int i, bad = 0;
	uint8_t id[GCD_HASH_LEN];
	double t0 = now();

	if (!jobs)
		return -1;
	for (i = 0; i < n_tx; i++) {
		jobs[i].i = i;
		jobs[i].job.run = txjob_run;
		wk_submit(wk, &jobs[i].job);
	}
	for (i = 0; i < n_tx; i++) {
		struct txjob *t = (struct txjob *)next_done(wk);

		if (!t) {
			bad++;
			break;
		}
		gcd_sha256(tx[t->i], tx_len[t->i], id);
		if (t->err || mp_add(mp, id, t->tx.sender, t->tx.nonce, tx[t->i],
				     (uint16_t)tx_len[t->i], 0, 0) > MP_QUEUED)
			bad++;
	}
	free(jobs);
	return bad ? -1 : n_tx / (now() - t0);
}

/* ---- the chain: blocks as gcd's proposer cuts them, and their certificates ---- */

struct blk {
	uint8_t *block, *cert;
	size_t len, cert_len;
	unsigned int n_txs;
};

static struct blk *blocks;
static unsigned int n_blocks;

static uint64_t committed_of(void *ctx, const uint8_t sender[MP_KEY_LEN])
{
	struct fx *f = ctx;
	unsigned int u;

	for (u = 0; u < FX_USERS; u++)
		if (!memcmp(f->upk[u], sender, MP_KEY_LEN))
			return f->unonce[u];
	return 0;
}

/* Cuts the mempool into blocks (mp_select, GCD_BLOCK_MAX bytes each). */
static int make_chain(struct fx *f, struct mempool *mp)
{
	static const struct mp_tx *sel[GCD_BLOCK_TXS_MAX];
	static const uint8_t *p[GCD_BLOCK_TXS_MAX];
	static size_t l[GCD_BLOCK_TXS_MAX];
	uint8_t hash[GCD_HASH_LEN];
	unsigned int i, k, left = n_tx;
	uint8_t *buf;

	memset(f->unonce, 0, sizeof(f->unonce));
	blocks = calloc(n_tx, sizeof(*blocks));
	if (!blocks)
		return -1;
	while (left) {
		struct blk *b = &blocks[n_blocks];

		/* As gcd's proposer: the room the certificate leaves. */
		k = mp_select(mp, committed_of, f, sel, GCD_BLOCK_TXS_MAX,
			      GCD_BLOCK_MAX - GCD_BLOCK_FIXED_LEN - f->last_cert_len);
		if (!k)
			return -1;
		for (i = 0; i < k; i++) {
			p[i] = sel[i]->bytes;
			l[i] = sel[i]->len;
		}
		buf = malloc(GCD_BLOCK_MAX);
		b->cert = malloc(GCD_CERT_MAX);
		if (!buf || !b->cert)
			return -1;
		b->len = fx_block(f, 0, p, l, k, buf, GCD_BLOCK_MAX);
		if (!b->len)
			return -1;
		b->block = buf;
		b->n_txs = k;
		gcd_block_hash(buf, b->len, hash);
		b->cert_len = fx_cert_for(f, f->head.height + 1, 0, hash, fx_quorum(f), b->cert,
					  GCD_CERT_MAX);
		if (!b->cert_len)
			return -1;
		fx_advance(f, buf, b->len, b->cert, b->cert_len);
		for (i = 0; i < k; i++) {
			unsigned int u;

			for (u = 0; u < FX_USERS; u++)
				if (!memcmp(f->upk[u], sel[i]->sender, MP_KEY_LEN))
					f->unonce[u] = sel[i]->nonce;
		}
		/* Its transactions leave the mempool (sel points into it). */
		for (i = 0; i < k; i++)
			p[i] = NULL;
		for (i = 0; i < FX_USERS; i++)
			mp_committed(mp, f->upk[i], f->unonce[i]);
		left -= k;
		n_blocks++;
	}
	return 0;
}

/* ---- stage 2: the proposals' verification on the pool ---- */

struct propjob {
	struct wk_job job;
	const struct blk *b;
	const struct gcd_genesis *g;
	enum gcd_err err;
};

/* What gcd's verify_run does for a proposal's block: root, certificate of
 * the height before, every transaction's signature.
 */
static void propjob_run(struct wk_job *job)
{
	struct propjob *j = (struct propjob *)job;
	struct gcd_block *b = malloc(sizeof(*b));
	uint8_t root[GCD_HASH_LEN], id[GCD_HASH_LEN];
	struct gcd_tx t;
	unsigned int i;

	j->err = b ? gcd_block_decode(j->b->block, j->b->len, b) : GCD_E_NOMEM;
	if (!j->err) {
		gcd_block_tx_root(b, root);
		if (memcmp(root, b->tx_root, GCD_HASH_LEN))
			j->err = GCD_E_TX_ROOT;
	}
	if (!j->err && b->height > 1)
		j->err = gcd_cert_check(&b->last_commit, j->g, NULL);
	for (i = 0; !j->err && i < b->n_txs; i++) {
		gcd_sha256(b->tx[i].p, b->tx[i].len, id);
		j->err = gcd_tx_decode(b->tx[i].p, b->tx[i].len, &t);
		if (!j->err && !(use_cache && sigcache_has(&sc, id)))
			j->err = gcd_tx_verify(&t, genesis_hash);
	}
	free(b);
}

static double stage_proposals(struct workers *wk, const struct gcd_genesis *g)
{
	struct propjob *jobs = calloc(n_blocks, sizeof(*jobs));
	unsigned int i, bad = 0;
	double t0 = now();

	if (!jobs)
		return -1;
	for (i = 0; i < n_blocks; i++) {
		jobs[i] = (struct propjob){.job.run = propjob_run, .b = &blocks[i], .g = g};
		wk_submit(wk, &jobs[i].job);
	}
	for (i = 0; i < n_blocks; i++) {
		struct propjob *j = (struct propjob *)next_done(wk);

		if (!j || j->err)
			bad++;
	}
	free(jobs);
	return bad ? -1 : n_tx / (now() - t0);
}

/* ---- stage 3: check before the prevote, and the commit ---- */

static double stage_commit(const char *dir, const struct gcd_genesis *g)
{
	struct ledger *l;
	char err[256];
	unsigned int i;
	double t0;

	if (mkdir(dir, 0700) && errno != EEXIST)
		return -1;
	if (ledger_open(&l, dir, g, 0, err, sizeof(err)))
		return die(err), -1;
	if (use_cache)
		ledger_set_known(l, sigcache_known, &sc);
	t0 = now();
	for (i = 0; i < n_blocks; i++)
		if (ledger_check_block(l, blocks[i].block, blocks[i].len) ||
		    ledger_commit(l, blocks[i].block, blocks[i].len, blocks[i].cert,
				  blocks[i].cert_len)) {
			fprintf(stderr, "gcd-pipeline: block %u: %s\n", i + 1, ledger_errmsg(l));
			ledger_close(l);
			return -1;
		}
	t0 = n_tx / (now() - t0);
	ledger_close(l);
	return t0;
}

/* ---- raw LMDB: the same bytes, one durable write transaction per block ---- */

static double raw_lmdb(const char *dir)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k, v;
	uint8_t id[GCD_HASH_LEN];
	unsigned int b, i, at = 0;
	double t0;
	int rc;

	if (mkdir(dir, 0700) && errno != EEXIST)
		return -1;
	rc = mdb_env_create(&env);
	if (!rc)
		rc = mdb_env_set_mapsize(env, (size_t)1 << 30);
	if (!rc)
		rc = mdb_env_open(env, dir, 0, 0600);
	if (rc)
		return die(mdb_strerror(rc)), -1;
	t0 = now();
	for (b = 0; b < n_blocks && !rc; b++) {
		rc = mdb_txn_begin(env, NULL, 0, &txn);
		if (!rc)
			rc = mdb_dbi_open(txn, NULL, 0, &dbi);
		for (i = 0; i < blocks[b].n_txs && !rc; i++, at++) {
			gcd_sha256(tx[at], tx_len[at], id);
			k = (MDB_val){.mv_size = sizeof(id), .mv_data = id};
			v = (MDB_val){.mv_size = tx_len[at], .mv_data = tx[at]};
			rc = mdb_put(txn, dbi, &k, &v, 0);
		}
		rc = rc ? (mdb_txn_abort(txn), rc) : mdb_txn_commit(txn);
	}
	t0 = n_tx / (now() - t0);
	mdb_env_close(env);
	return rc ? die(mdb_strerror(rc)), -1 : t0;
}

int main(int argc, char **argv)
{
	unsigned int want = argc > 2 ? (unsigned int)atoi(argv[2]) : 20000;
	unsigned int threads = argc > 3 ? (unsigned int)atoi(argv[3]) : 0;
	static struct fx f;
	uint8_t(*sig)[GCD_SIG_LEN];
	char path[4096];
	struct workers *wk;
	struct mempool *mp;
	unsigned int i;
	double r1, rn, s1, s2, s3, s2n, s3n, lm;

	if (argc < 2 || want < FX_USERS)
		return die("usage: gcd-pipeline DIR [TXS] [WORKERS]");
	if (fx_init(&f, 4))
		return die("cannot make the genesis");
	genesis_hash = f.g.hash;
	if (sigcache_init(&sc, 65536))
		return die("out of memory");
	wk = wk_new(threads);
	mp = mp_new(want + 1, (uint64_t)want * GCD_TX_MAX_LEN, want);
	n_tx = want - want % FX_USERS;
	tx = calloc(n_tx, sizeof(*tx));
	tx_len = calloc(n_tx, sizeof(*tx_len));
	sig = calloc(n_tx, sizeof(*sig));
	if (!wk || !mp || !tx || !tx_len || !sig)
		return die("out of memory");
	threads = wk_threads(wk);
	/* Users in turn, each one's nonces 1, 2, 3 ... */
	for (i = 0; i < n_tx; i++) {
		tx[i] = malloc(GCD_TX_MAX_LEN);
		if (!tx[i])
			return die("out of memory");
		tx_len[i] = fx_tx(&f, i % FX_USERS, 0, PAYLOAD, tx[i], GCD_TX_MAX_LEN);
		if (!tx_len[i])
			return die("cannot sign");
		crypto_sign_detached(sig[i], NULL, tx[i], tx_len[i], f.usk[i % FX_USERS]);
	}

	r1 = raw_rate(&f, sig, 1);
	rn = raw_rate(&f, sig, threads);
	s1 = stage_tx_items(wk, mp);
	if (make_chain(&f, mp))
		return die("cannot make the chain");
	/* Every check verifying, then as gcd runs: with the cache. */
	s2n = stage_proposals(wk, &f.g);
	snprintf(path, sizeof(path), "%s/gcd-nocache", argv[1]);
	s3n = stage_commit(path, &f.g);
	use_cache = true;
	s2 = stage_proposals(wk, &f.g);
	snprintf(path, sizeof(path), "%s/gcd", argv[1]);
	s3 = stage_commit(path, &f.g);
	snprintf(path, sizeof(path), "%s/raw", argv[1]);
	lm = raw_lmdb(path);
	if (r1 < 0 || rn < 0 || s1 < 0 || s2 < 0 || s3 < 0 || s2n < 0 || s3n < 0 || lm < 0)
		return die("a stage failed");

	printf("txs %u\nblocks %u\nworkers %u\n", n_tx, n_blocks, threads);
	printf("raw_verify_1 %.0f\nraw_verify_n %.0f\nraw_lmdb %.0f\n", r1, rn, lm);
	printf("tx_items %.0f\n", s1);
	printf("proposals_nocache %.0f\ncheck_commit_nocache %.0f\n", s2n, s3n);
	printf("proposals %.0f\ncheck_commit %.0f\n", s2, s3);
	/* The stages in sequence: a transaction passes all of them. */
	printf("pipeline_nocache %.0f\n", 1 / (1 / s1 + 1 / s2n + 1 / s3n));
	printf("pipeline %.0f\n", 1 / (1 / s1 + 1 / s2 + 1 / s3));
	wk_free(wk);
	mp_free(mp);
	return 0;
}
