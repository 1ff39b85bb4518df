// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for daemon/ledger.c and daemon/keys.c: committing many blocks,
 * reopening, the head checks, the tx and nonce indexes, refused blocks and
 * certificates (nothing written), rejected-tx reasons and their bound,
 * evidence, a read-only reader in another process while blocks are
 * written, kill -9 of a committing process at random moments, the map
 * growing, ledger_verify on copies with a flipped byte, a broken link, a
 * bad tx signature, a bad certificate, a missing block and a damaged
 * index, a foreign genesis, and the node key file's modes and format.
 */

#include "kselftest_harness.h"

#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <signal.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gcd_fixture.h"
#include "keys.h"
#include "ledger.h"

static uint8_t blk[GCD_BLOCK_MAX];

static void make_dir(char *dir, size_t cap)
{
	snprintf(dir, cap, "/tmp/gcd-ledger-XXXXXX");
	if (!mkdtemp(dir))
		abort();
}

static void rm_tree(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		abort();
}

/* Copy DIR/ledger/data.mdb into a new state directory; returns it in out. */
static int copy_ledger(const char *dir, char *out, size_t cap)
{
	char cmd[700];

	make_dir(out, cap);
	snprintf(cmd, sizeof(cmd), "mkdir '%s/ledger' && cp '%s/ledger/data.mdb' '%s/ledger/'", out,
		 dir, out);
	return system(cmd);
}

/*
 * Builds and commits a block of n_txs txs (users taken in turn, payload
 * "blk H tx I"), its certificate by the smallest quorum, and advances f.
 * Returns the ledger's answer.
 */
static int commit_next(struct fx *f, struct ledger *l, unsigned int n_txs, uint32_t round)
{
	uint8_t tx[16][512], cert[GCD_CERT_MAX], hash[32];
	const uint8_t *txp[16];
	size_t txl[16], len, cl;
	char payload[64];
	unsigned int i;
	int rc;

	for (i = 0; i < n_txs && i < 16; i++) {
		snprintf(payload, sizeof(payload), "blk %llu tx %u",
			 (unsigned long long)f->head.height + 1, i);
		txl[i] = fx_tx(f, (unsigned int)((f->head.height + i) % FX_USERS), 0, payload,
			       tx[i], sizeof(tx[i]));
		txp[i] = tx[i];
		if (!txl[i])
			return -100;
	}
	len = fx_block(f, round, txp, txl, n_txs, blk, sizeof(blk));
	if (!len)
		return -101;
	gcd_block_hash(blk, len, hash);
	cl = fx_cert_for(f, f->head.height + 1, round, hash, fx_quorum(f), cert, sizeof(cert));
	if (!cl)
		return -102;
	rc = ledger_commit(l, blk, len, cert, cl);
	if (rc == LEDGER_OK)
		fx_advance(f, blk, len, cert, cl);
	return rc;
}

/* Make f follow what the ledger holds: head, last certificate, users' nonces. */
static int fx_sync(struct fx *f, struct ledger *l)
{
	unsigned int u;

	if (ledger_head(l, &f->head))
		return -1;
	if (f->head.height && ledger_get_cert(l, f->head.height, f->last_cert, sizeof(f->last_cert),
					      &f->last_cert_len))
		return -1;
	for (u = 0; u < FX_USERS; u++)
		if (ledger_nonce(l, f->upk[u], &f->unonce[u]))
			return -1;
	return 0;
}

/* ---- commit, reopen, reads ---- */

TEST(commit_many_and_reopen)
{
	struct fx *f = malloc(sizeof(*f));
	struct ledger *l;
	struct gcd_prev head;
	struct ledger_report rep;
	uint8_t buf[GCD_BLOCK_MAX], hash[32], cert[GCD_CERT_MAX];
	struct gcd_block *b = malloc(sizeof(*b));
	char dir[64], err[256];
	uint64_t h, height, nonce, total = 0;
	uint16_t index;
	size_t len;
	unsigned int u, i;

	ASSERT_EQ(0, fx_init(f, 4));
	make_dir(dir, sizeof(dir));
	ASSERT_EQ(LEDGER_OK, ledger_open(&l, dir, &f->g, 0, err, sizeof(err)));
	ASSERT_EQ(LEDGER_OK, ledger_head(l, &head));
	ASSERT_EQ(0u, head.height);
	ASSERT_EQ(0, memcmp(head.hash, f->g.hash, 32));
	ASSERT_EQ(FX_GENESIS_TIME, head.time_ms);
	ASSERT_EQ(LEDGER_NOTFOUND, ledger_get_block(l, 1, buf, sizeof(buf), &len));
	ASSERT_NE(0, strlen(ledger_errmsg(l)));
	for (h = 1; h <= 300; h++) {
		unsigned int n = (unsigned int)(h % 7); /* 0 to 6 txs */

		ASSERT_EQ(LEDGER_OK, commit_next(f, l, n, (uint32_t)(h % 3)))
		{
			TH_LOG("height %llu: %s", (unsigned long long)h, ledger_errmsg(l));
		}
		ASSERT_STREQ("", ledger_errmsg(l));
		total += n;
		ASSERT_EQ(LEDGER_OK, ledger_head(l, &head));
		ASSERT_EQ(h, head.height);
		ASSERT_EQ(0, memcmp(head.hash, f->head.hash, 32));
		ASSERT_EQ(f->head.time_ms, head.time_ms);
	}
	ledger_close(l);

	/* Reopened: the same head, every block, certificate and index entry. */
	ASSERT_EQ(LEDGER_OK, ledger_open(&l, dir, &f->g, 0, err, sizeof(err)));
	ASSERT_EQ(LEDGER_OK, ledger_head(l, &head));
	ASSERT_EQ(300u, head.height);
	ASSERT_EQ(0, memcmp(head.hash, f->head.hash, 32));
	for (h = 1; h <= 300; h++) {
		ASSERT_EQ(LEDGER_OK, ledger_get_block(l, h, buf, sizeof(buf), &len));
		ASSERT_EQ(GCD_OK, gcd_block_decode(buf, len, b));
		ASSERT_EQ(h, b->height);
		ASSERT_EQ(h % 7, b->n_txs);
		gcd_block_hash(buf, len, hash);
		ASSERT_EQ(LEDGER_OK, ledger_find_block(l, hash, &height));
		ASSERT_EQ(h, height);
		for (i = 0; i < b->n_txs; i++) {
			uint8_t id[32];

			gcd_tx_id(b->tx[i].p, b->tx[i].len, id);
			ASSERT_EQ(LEDGER_OK, ledger_find_tx(l, id, &height, &index));
			ASSERT_EQ(h, height);
			ASSERT_EQ(i, index);
		}
		ASSERT_EQ(LEDGER_OK, ledger_get_cert(l, h, cert, sizeof(cert), &len));
		{
			struct gcd_cert c;

			ASSERT_EQ(GCD_OK, gcd_cert_decode(cert, len, &c));
			ASSERT_EQ(h, c.height);
			ASSERT_EQ(0, memcmp(c.hash, hash, 32));
		}
	}
	ASSERT_EQ(LEDGER_NOTFOUND, ledger_get_block(l, 301, buf, sizeof(buf), &len));
	ASSERT_EQ(LEDGER_ESPACE, ledger_get_block(l, 300, buf, 10, &len));
	memset(hash, 0xee, 32);
	ASSERT_EQ(LEDGER_NOTFOUND, ledger_find_block(l, hash, &height));
	ASSERT_EQ(LEDGER_NOTFOUND, ledger_find_tx(l, hash, &height, &index));
	for (u = 0; u < FX_USERS; u++) {
		ASSERT_EQ(LEDGER_OK, ledger_nonce(l, f->upk[u], &nonce));
		ASSERT_EQ(f->unonce[u], nonce);
		ASSERT_TRUE(nonce > 0);
	}
	ASSERT_EQ(LEDGER_OK, ledger_nonce(l, hash, &nonce));
	ASSERT_EQ(0u, nonce);
	/* The next block still goes on after a reopen. */
	ASSERT_EQ(LEDGER_OK, commit_next(f, l, 3, 0));
	ASSERT_EQ(LEDGER_OK, ledger_verify_open(l, &rep));
	ASSERT_TRUE(rep.ok);
	ASSERT_EQ(301u, rep.blocks);
	ASSERT_EQ(total + 3, rep.txs);
	ledger_close(l);
	ASSERT_EQ(LEDGER_OK, ledger_verify(dir, &f->g, &rep));
	ASSERT_TRUE(rep.ok);
	ASSERT_EQ(301u, rep.blocks);
	rm_tree(dir);
	free(b);
	free(f);
}

TEST(commit_refuses_and_writes_nothing)
{
	struct fx *f = malloc(sizeof(*f));
	struct ledger *l;
	struct gcd_prev head;
	struct ledger_report rep;
	uint8_t tx[2][512], cert[GCD_CERT_MAX], c2[GCD_CERT_MAX], hash[32];
	const uint8_t *txp[2] = {tx[0], tx[1]};
	size_t txl[2], len, cl, cl2;
	char dir[64], err[256];
	uint64_t nonce;

	ASSERT_EQ(0, fx_init(f, 4));
	make_dir(dir, sizeof(dir));
	ASSERT_EQ(LEDGER_OK, ledger_open(&l, dir, &f->g, 0, err, sizeof(err)));
	ASSERT_EQ(LEDGER_OK, commit_next(f, l, 2, 0));
	ASSERT_EQ(LEDGER_OK, commit_next(f, l, 2, 0));

	/* A good next block, and ways to get it wrong. */
	txl[0] = fx_tx(f, 5, 0, "x", tx[0], sizeof(tx[0]));
	txl[1] = fx_tx(f, 6, 0, "y", tx[1], sizeof(tx[1]));
	len = fx_block(f, 1, txp, txl, 2, blk, sizeof(blk));
	gcd_block_hash(blk, len, hash);
	cl = fx_cert_for(f, 3, 1, hash, 0x7, cert, sizeof(cert));
	ASSERT_EQ(LEDGER_OK, ledger_check_block(l, blk, len));

	/* Certificates: garbage, another height, another block, no quorum, bad signature. */
	ASSERT_EQ(LEDGER_EINVALID, ledger_commit(l, blk, len, cert, cl - 1));
	ASSERT_NE(NULL, strstr(ledger_errmsg(l), "certificate: truncated"));
	cl2 = fx_cert_for(f, 4, 1, hash, 0x7, c2, sizeof(c2));
	ASSERT_EQ(LEDGER_EINVALID, ledger_commit(l, blk, len, c2, cl2));
	ASSERT_NE(NULL, strstr(ledger_errmsg(l), "another height or block"));
	cl2 = fx_cert_for(f, 3, 1, f->head.hash, 0x7, c2, sizeof(c2));
	ASSERT_EQ(LEDGER_EINVALID, ledger_commit(l, blk, len, c2, cl2));
	cl2 = fx_cert_for(f, 3, 1, hash, 0x3, c2, sizeof(c2));
	ASSERT_EQ(LEDGER_EINVALID, ledger_commit(l, blk, len, c2, cl2));
	ASSERT_NE(NULL, strstr(ledger_errmsg(l), "more than 2n/3"));
	memcpy(c2, cert, cl);
	c2[cl - 1] ^= 1;
	ASSERT_EQ(LEDGER_EINVALID, ledger_commit(l, blk, len, c2, cl));
	ASSERT_NE(NULL, strstr(ledger_errmsg(l), "entry 2: bad signature"));
	/* Blocks: garbage, truncated. */
	ASSERT_EQ(LEDGER_EINVALID, ledger_commit(l, blk, len - 1, cert, cl));
	ASSERT_NE(NULL, strstr(ledger_errmsg(l), "block: truncated"));
	ASSERT_EQ(LEDGER_EINVALID, ledger_check_block(l, blk, 3));
	{
		/* Committed twice: the second is not the next height. */
		ASSERT_EQ(LEDGER_OK, ledger_commit(l, blk, len, cert, cl));
		fx_advance(f, blk, len, cert, cl);
		ASSERT_EQ(LEDGER_EINVALID, ledger_commit(l, blk, len, cert, cl));
		ASSERT_NE(NULL, strstr(ledger_errmsg(l), "does not follow"));
		ASSERT_EQ(LEDGER_EINVALID, ledger_check_block(l, blk, len));
	}
	/* A replayed nonce: user 5's nonce 1 again, in a new block. */
	{
		uint8_t t[512];
		size_t tl = fx_tx(f, 5, 1, "again", t, sizeof(t));
		const uint8_t *tp[1] = {t};

		len = fx_block(f, 0, tp, &tl, 1, blk, sizeof(blk));
		gcd_block_hash(blk, len, hash);
		cl = fx_cert_for(f, 4, 0, hash, 0x7, cert, sizeof(cert));
		ASSERT_EQ(LEDGER_EINVALID, ledger_check_block(l, blk, len));
		ASSERT_EQ(LEDGER_EINVALID, ledger_commit(l, blk, len, cert, cl));
		ASSERT_STREQ("block 4, tx 0: nonce does not follow the sender's last one",
			     ledger_errmsg(l));
	}
	/* A block whose proposer is not the rotation's. */
	{
		struct gcd_block *b = malloc(sizeof(*b));
		uint8_t out[GCD_BLOCK_MAX];

		len = fx_block(f, 0, NULL, NULL, 0, blk, sizeof(blk));
		ASSERT_EQ(GCD_OK, gcd_block_decode(blk, len, b));
		b->proposer = (uint16_t)((b->proposer + 1) % 4);
		ASSERT_EQ(GCD_OK, gcd_block_encode(b, out, sizeof(out), &len));
		gcd_block_hash(out, len, hash);
		cl = fx_cert_for(f, 4, 0, hash, 0x7, cert, sizeof(cert));
		ASSERT_EQ(LEDGER_EINVALID, ledger_commit(l, out, len, cert, cl));
		ASSERT_NE(NULL, strstr(ledger_errmsg(l), "not the proposer"));
		free(b);
	}
	/* Nothing of the refused blocks was written. */
	ASSERT_EQ(LEDGER_OK, ledger_head(l, &head));
	ASSERT_EQ(3u, head.height);
	ASSERT_EQ(LEDGER_OK, ledger_nonce(l, f->upk[5], &nonce));
	ASSERT_EQ(1u, nonce);
	ASSERT_EQ(LEDGER_OK, ledger_verify_open(l, &rep));
	ASSERT_TRUE(rep.ok);
	ASSERT_EQ(3u, rep.blocks);
	ledger_close(l);

	/* A read-only handle refuses writes. */
	ASSERT_EQ(LEDGER_OK, ledger_open(&l, dir, &f->g, LEDGER_RDONLY, err, sizeof(err)));
	ASSERT_EQ(LEDGER_OK, ledger_head(l, &head));
	ASSERT_EQ(3u, head.height);
	ASSERT_EQ(LEDGER_ERDONLY, commit_next(f, l, 0, 0));
	{
		struct ledger_rejection r = {.reason = "x"};

		ASSERT_EQ(LEDGER_ERDONLY, ledger_reject(l, &r, 1));
	}
	ledger_close(l);
	rm_tree(dir);
	free(f);
}

/* ---- reopen checks ---- */

static int raw_open(const char *dir, MDB_env **env, MDB_txn **txn)
{
	char path[600];
	int rc;

	snprintf(path, sizeof(path), "%s/ledger", dir);
	if ((rc = mdb_env_create(env)) || (rc = mdb_env_set_maxdbs(*env, 16)) ||
	    (rc = mdb_env_set_mapsize(*env, (size_t)1 << 30)) ||
	    (rc = mdb_env_open(*env, path, 0, 0600)) || (rc = mdb_txn_begin(*env, NULL, 0, txn)))
		return rc;
	return 0;
}

static int raw_put(MDB_txn *txn, const char *db, const void *k, size_t kl, const void *v, size_t vl)
{
	MDB_dbi dbi;
	MDB_val key = {.mv_size = kl, .mv_data = (void *)k};
	MDB_val val = {.mv_size = vl, .mv_data = (void *)v};
	int rc = mdb_dbi_open(txn, db, 0, &dbi);

	return rc ? rc : mdb_put(txn, dbi, &key, &val, 0);
}

static int raw_del(MDB_txn *txn, const char *db, const void *k, size_t kl)
{
	MDB_dbi dbi;
	MDB_val key = {.mv_size = kl, .mv_data = (void *)k};
	int rc = mdb_dbi_open(txn, db, 0, &dbi);

	return rc ? rc : mdb_del(txn, dbi, &key, NULL);
}

static int raw_get(MDB_txn *txn, const char *db, const void *k, size_t kl, MDB_val *v)
{
	MDB_dbi dbi;
	MDB_val key = {.mv_size = kl, .mv_data = (void *)k};
	int rc = mdb_dbi_open(txn, db, 0, &dbi);

	return rc ? rc : mdb_get(txn, dbi, &key, v);
}

static int raw_close(MDB_env *env, MDB_txn *txn)
{
	int rc = mdb_txn_commit(txn);

	mdb_env_close(env);
	return rc;
}

static void be64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

TEST(reopen_checks)
{
	struct fx *f = malloc(sizeof(*f)), *other = malloc(sizeof(*other));
	struct ledger *l;
	struct ledger_report rep;
	char dir[64], dir2[64], err[256];
	uint8_t head[40], key[8];
	MDB_env *env;
	MDB_txn *txn;
	MDB_val v;

	ASSERT_EQ(0, fx_init(f, 4));
	ASSERT_EQ(0, fx_init(other, 5));
	make_dir(dir, sizeof(dir));
	ASSERT_EQ(LEDGER_OK, ledger_open(&l, dir, &f->g, 0, err, sizeof(err)));
	ledger_close(l);
	/* An empty ledger of another genesis. */
	ASSERT_EQ(LEDGER_EGENESIS, ledger_open(&l, dir, &other->g, 0, err, sizeof(err)));
	ASSERT_EQ(NULL, l);
	ASSERT_NE(NULL, strstr(err, "another genesis"));
	ASSERT_EQ(LEDGER_EGENESIS,
		  ledger_open(&l, dir, &other->g, LEDGER_RDONLY, err, sizeof(err)));
	ASSERT_EQ(LEDGER_OK, ledger_open(&l, dir, &f->g, 0, err, sizeof(err)));
	ASSERT_EQ(LEDGER_OK, commit_next(f, l, 1, 0));
	ASSERT_EQ(LEDGER_OK, commit_next(f, l, 1, 0));
	ASSERT_EQ(LEDGER_OK, commit_next(f, l, 1, 0));
	ledger_close(l);
	ASSERT_EQ(LEDGER_EGENESIS, ledger_open(&l, dir, &other->g, 0, err, sizeof(err)));
	ASSERT_EQ(LEDGER_EGENESIS, ledger_verify(dir, &other->g, &rep));
	ASSERT_FALSE(rep.ok);
	ASSERT_EQ(0u, rep.bad_height);
	ASSERT_NE(NULL, strstr(rep.msg, "genesis"));
	/* Read-only open of a directory without a ledger. */
	make_dir(dir2, sizeof(dir2));
	ASSERT_NE(LEDGER_OK, ledger_open(&l, dir2, &f->g, LEDGER_RDONLY, err, sizeof(err)));
	ASSERT_NE(NULL, strstr(err, "ledger"));
	rm_tree(dir2);

	/* Damaged copies: head pointing past the last block, a head hash off by a bit. */
	ASSERT_EQ(0, copy_ledger(dir, dir2, sizeof(dir2)));
	ASSERT_EQ(0, raw_open(dir2, &env, &txn));
	ASSERT_EQ(0, raw_get(txn, "meta", "head", 4, &v));
	ASSERT_EQ(40u, v.mv_size);
	memcpy(head, v.mv_data, 40);
	head[7] = 4;
	ASSERT_EQ(0, raw_put(txn, "meta", "head", 4, head, 40));
	ASSERT_EQ(0, raw_close(env, txn));
	ASSERT_EQ(LEDGER_ECORRUPT, ledger_open(&l, dir2, &f->g, 0, err, sizeof(err)));
	ASSERT_NE(NULL, strstr(err, "head block 4 is missing"));
	ASSERT_EQ(LEDGER_ECORRUPT, ledger_verify(dir2, &f->g, &rep));
	ASSERT_FALSE(rep.ok);
	ASSERT_NE(NULL, strstr(rep.msg, "head"));
	/* Head one block short of the last. */
	ASSERT_EQ(0, raw_open(dir2, &env, &txn));
	{
		uint8_t h2[40];

		be64(key, 2);
		ASSERT_EQ(0, raw_get(txn, "blocks", key, 8, &v));
		be64(h2, 2);
		gcd_block_hash(v.mv_data, v.mv_size, h2 + 8);
		ASSERT_EQ(0, raw_put(txn, "meta", "head", 4, h2, 40));
	}
	ASSERT_EQ(0, raw_close(env, txn));
	ASSERT_EQ(LEDGER_ECORRUPT, ledger_open(&l, dir2, &f->g, 0, err, sizeof(err)));
	ASSERT_NE(NULL, strstr(err, "head is 2 but the last block is 3"));
	ASSERT_EQ(LEDGER_ECORRUPT, ledger_verify(dir2, &f->g, &rep));
	ASSERT_EQ(0u, rep.bad_height); /* the blocks are good, meta head is not */
	ASSERT_EQ(3u, rep.blocks);
	ASSERT_NE(NULL, strstr(rep.msg, "head (2) is not the last good block (3)"));
	ASSERT_EQ(0, raw_open(dir2, &env, &txn));
	head[7] = 3;
	head[20] ^= 1;
	ASSERT_EQ(0, raw_put(txn, "meta", "head", 4, head, 40));
	ASSERT_EQ(0, raw_close(env, txn));
	ASSERT_EQ(LEDGER_ECORRUPT, ledger_open(&l, dir2, &f->g, 0, err, sizeof(err)));
	ASSERT_NE(NULL, strstr(err, "does not hash to the head hash"));
	/* The head's certificate gone. */
	ASSERT_EQ(0, raw_open(dir2, &env, &txn));
	head[20] ^= 1;
	ASSERT_EQ(0, raw_put(txn, "meta", "head", 4, head, 40));
	be64(key, 3);
	ASSERT_EQ(0, raw_del(txn, "certs", key, 8));
	ASSERT_EQ(0, raw_close(env, txn));
	ASSERT_EQ(LEDGER_ECORRUPT, ledger_open(&l, dir2, &f->g, 0, err, sizeof(err)));
	ASSERT_NE(NULL, strstr(err, "no certificate for head block 3"));
	ASSERT_EQ(LEDGER_ECORRUPT, ledger_verify(dir2, &f->g, &rep));
	ASSERT_EQ(3u, rep.bad_height);
	ASSERT_NE(NULL, strstr(rep.msg, "no certificate"));
	rm_tree(dir2);
	/* The original is fine. */
	ASSERT_EQ(LEDGER_OK, ledger_verify(dir, &f->g, &rep));
	ASSERT_TRUE(rep.ok);
	rm_tree(dir);
	free(f);
	free(other);
}

/* ---- verify on damaged copies ---- */

/* Flip bit 0 of the byte at offset `at` of every occurrence of pat in file. */
static int flip_in_file(const char *path, const char *pat, size_t at)
{
	size_t plen = strlen(pat), n, i;
	int found = 0;
	uint8_t *p;
	FILE *fp = fopen(path, "r+b");

	if (!fp)
		return -1;
	fseek(fp, 0, SEEK_END);
	n = (size_t)ftell(fp);
	p = malloc(n);
	fseek(fp, 0, SEEK_SET);
	if (fread(p, 1, n, fp) != n) {
		fclose(fp);
		free(p);
		return -1;
	}
	for (i = 0; i + plen <= n; i++) {
		if (!memcmp(p + i, pat, plen)) {
			p[i + at] ^= 1;
			found++;
		}
	}
	fseek(fp, 0, SEEK_SET);
	if (fwrite(p, 1, n, fp) != n)
		found = -1;
	fclose(fp);
	free(p);
	return found;
}

TEST(verify_finds_damage)
{
	struct fx *f = malloc(sizeof(*f));
	struct ledger *l;
	struct ledger_report rep;
	struct gcd_block *b = malloc(sizeof(*b));
	static uint8_t bad_sig_block[GCD_BLOCK_MAX], bad_link_block[GCD_BLOCK_MAX];
	size_t bad_sig_len = 0, bad_link_len = 0, len;
	char dir[64], dir2[64], path[128], err[256];
	uint8_t key[8];
	MDB_env *env;
	MDB_txn *txn;
	MDB_val v;
	uint64_t h;

	ASSERT_EQ(0, fx_init(f, 4));
	make_dir(dir, sizeof(dir));
	ASSERT_EQ(LEDGER_OK, ledger_open(&l, dir, &f->g, 0, err, sizeof(err)));
	for (h = 1; h <= 40; h++) {
		if (h == 20) {
			/* Evil twins of block 20: a tx with a bad signature, a wrong link. */
			uint8_t t[512];
			size_t tl;
			const uint8_t *tp[1] = {t};

			tl = fx_tx(f, 0, f->unonce[0] + 1, "evil", t, sizeof(t));
			t[tl - 3] ^= 0x40;
			bad_sig_len =
				fx_block(f, 0, tp, &tl, 1, bad_sig_block, sizeof(bad_sig_block));
			ASSERT_NE(0, bad_sig_len);
			len = fx_block(f, 0, NULL, NULL, 0, bad_link_block, sizeof(bad_link_block));
			ASSERT_EQ(GCD_OK, gcd_block_decode(bad_link_block, len, b));
			b->prev_hash[3] ^= 1;
			ASSERT_EQ(GCD_OK, gcd_block_encode(b, bad_link_block,
							   sizeof(bad_link_block), &bad_link_len));
		}
		ASSERT_EQ(LEDGER_OK, commit_next(f, l, 2, 0));
	}
	ASSERT_EQ(LEDGER_OK, ledger_verify_open(l, &rep));
	ASSERT_TRUE(rep.ok);
	ASSERT_EQ(40u, rep.blocks);
	ASSERT_EQ(80u, rep.txs);
	ledger_close(l);

	/* A flipped byte in block 23's first tx payload. */
	ASSERT_EQ(0, copy_ledger(dir, dir2, sizeof(dir2)));
	snprintf(path, sizeof(path), "%s/ledger/data.mdb", dir2);
	ASSERT_TRUE(flip_in_file(path, "blk 23 tx 0", 4) >= 1);
	ASSERT_EQ(LEDGER_ECORRUPT, ledger_verify(dir2, &f->g, &rep));
	ASSERT_FALSE(rep.ok);
	ASSERT_EQ(23u, rep.bad_height);
	ASSERT_EQ(22u, rep.blocks);
	ASSERT_NE(NULL, strstr(rep.msg, "tx_root"));
	rm_tree(dir2);

	/* Block 20 replaced by one with a bad tx signature (its root made right). */
	ASSERT_EQ(0, copy_ledger(dir, dir2, sizeof(dir2)));
	ASSERT_EQ(0, raw_open(dir2, &env, &txn));
	be64(key, 20);
	ASSERT_EQ(0, raw_put(txn, "blocks", key, 8, bad_sig_block, bad_sig_len));
	ASSERT_EQ(0, raw_close(env, txn));
	ASSERT_EQ(LEDGER_ECORRUPT, ledger_verify(dir2, &f->g, &rep));
	ASSERT_EQ(20u, rep.bad_height);
	ASSERT_STREQ("block 20, tx 0: bad signature", rep.msg);
	rm_tree(dir2);

	/* Block 20 replaced by one that links to the wrong hash. */
	ASSERT_EQ(0, copy_ledger(dir, dir2, sizeof(dir2)));
	ASSERT_EQ(0, raw_open(dir2, &env, &txn));
	ASSERT_EQ(0, raw_put(txn, "blocks", key, 8, bad_link_block, bad_link_len));
	ASSERT_EQ(0, raw_close(env, txn));
	ASSERT_EQ(LEDGER_ECORRUPT, ledger_verify(dir2, &f->g, &rep));
	ASSERT_EQ(20u, rep.bad_height);
	ASSERT_NE(NULL, strstr(rep.msg, "prev_hash"));
	rm_tree(dir2);

	/* Block 31's certificate with a bad signature. */
	ASSERT_EQ(0, copy_ledger(dir, dir2, sizeof(dir2)));
	ASSERT_EQ(0, raw_open(dir2, &env, &txn));
	be64(key, 31);
	ASSERT_EQ(0, raw_get(txn, "certs", key, 8, &v));
	{
		uint8_t c[GCD_CERT_MAX];

		memcpy(c, v.mv_data, v.mv_size);
		c[v.mv_size - 10] ^= 1;
		ASSERT_EQ(0, raw_put(txn, "certs", key, 8, c, v.mv_size));
	}
	ASSERT_EQ(0, raw_close(env, txn));
	ASSERT_EQ(LEDGER_ECORRUPT, ledger_verify(dir2, &f->g, &rep));
	ASSERT_EQ(31u, rep.bad_height);
	ASSERT_STREQ("certificate 31, entry 2: bad signature", rep.msg);
	rm_tree(dir2);

	/* Block 12 missing. */
	ASSERT_EQ(0, copy_ledger(dir, dir2, sizeof(dir2)));
	ASSERT_EQ(0, raw_open(dir2, &env, &txn));
	be64(key, 12);
	ASSERT_EQ(0, raw_del(txn, "blocks", key, 8));
	ASSERT_EQ(0, raw_close(env, txn));
	ASSERT_EQ(LEDGER_ECORRUPT, ledger_verify(dir2, &f->g, &rep));
	ASSERT_EQ(12u, rep.bad_height);
	ASSERT_NE(NULL, strstr(rep.msg, "block 12 is missing"));
	rm_tree(dir2);

	/* A tx index record gone; a nonce rewound; an extra block hash. */
	ASSERT_EQ(0, copy_ledger(dir, dir2, sizeof(dir2)));
	ASSERT_EQ(0, raw_open(dir2, &env, &txn));
	be64(key, 7);
	ASSERT_EQ(0, raw_get(txn, "blocks", key, 8, &v));
	{
		uint8_t id[32];

		memcpy(blk, v.mv_data, v.mv_size);
		ASSERT_EQ(GCD_OK, gcd_block_decode(blk, v.mv_size, b));
		gcd_tx_id(b->tx[1].p, b->tx[1].len, id);
		ASSERT_EQ(0, raw_del(txn, "txs", id, 32));
	}
	ASSERT_EQ(0, raw_close(env, txn));
	ASSERT_EQ(LEDGER_ECORRUPT, ledger_verify(dir2, &f->g, &rep));
	ASSERT_EQ(7u, rep.bad_height);
	ASSERT_STREQ("txs index: tx 1 of block 7 is not recorded there", rep.msg);
	rm_tree(dir2);

	ASSERT_EQ(0, copy_ledger(dir, dir2, sizeof(dir2)));
	ASSERT_EQ(0, raw_open(dir2, &env, &txn));
	{
		uint8_t n1[8];

		be64(n1, 1);
		ASSERT_EQ(0, raw_put(txn, "nonces", f->upk[3], 32, n1, 8));
	}
	ASSERT_EQ(0, raw_close(env, txn));
	ASSERT_EQ(LEDGER_ECORRUPT, ledger_verify(dir2, &f->g, &rep));
	ASSERT_EQ(0u, rep.bad_height);
	ASSERT_EQ(40u, rep.blocks);
	ASSERT_NE(NULL, strstr(rep.msg, "nonces index"));
	rm_tree(dir2);

	ASSERT_EQ(0, copy_ledger(dir, dir2, sizeof(dir2)));
	ASSERT_EQ(0, raw_open(dir2, &env, &txn));
	{
		uint8_t fake[32], hk[8];

		memset(fake, 0x33, 32);
		be64(hk, 5);
		ASSERT_EQ(0, raw_put(txn, "hashes", fake, 32, hk, 8));
	}
	ASSERT_EQ(0, raw_close(env, txn));
	ASSERT_EQ(LEDGER_ECORRUPT, ledger_verify(dir2, &f->g, &rep));
	ASSERT_NE(NULL, strstr(rep.msg, "hashes index has 41 records for 40 blocks"));
	rm_tree(dir2);

	/* The original still verifies. */
	ASSERT_EQ(LEDGER_OK, ledger_verify(dir, &f->g, &rep));
	ASSERT_TRUE(rep.ok);
	rm_tree(dir);
	free(b);
	free(f);
}

/* ---- rejected transactions ---- */

TEST(rejected_reasons)
{
	struct fx *f = malloc(sizeof(*f));
	struct ledger *l;
	struct ledger_rejection r[3];
	char dir[64], err[256], reason[512], longr[400];
	uint64_t count;
	int i;

	ASSERT_EQ(0, fx_init(f, 1));
	make_dir(dir, sizeof(dir));
	ASSERT_EQ(LEDGER_OK, ledger_open(&l, dir, &f->g, 0, err, sizeof(err)));
	for (i = 0; i < 3; i++)
		memset(r[i].id, i + 1, 32);
	r[0].reason = "bad signature";
	r[1].reason = "nonce replayed";
	memset(longr, 'z', sizeof(longr) - 1);
	longr[sizeof(longr) - 1] = '\0';
	r[2].reason = longr;
	ASSERT_EQ(LEDGER_OK, ledger_reject(l, r, 3));
	ASSERT_EQ(LEDGER_OK, ledger_rejected_count(l, &count));
	ASSERT_EQ(3u, count);
	ASSERT_EQ(LEDGER_OK, ledger_rejected(l, r[0].id, reason, sizeof(reason)));
	ASSERT_STREQ("bad signature", reason);
	ASSERT_EQ(LEDGER_OK, ledger_rejected(l, r[1].id, reason, sizeof(reason)));
	ASSERT_STREQ("nonce replayed", reason);
	ASSERT_EQ(LEDGER_OK, ledger_rejected(l, r[2].id, reason, sizeof(reason)));
	ASSERT_EQ((size_t)LEDGER_REASON_MAX, strlen(reason));
	/* A small buffer gets a cut, terminated string. */
	ASSERT_EQ(LEDGER_OK, ledger_rejected(l, r[0].id, reason, 4));
	ASSERT_STREQ("bad", reason);
	/* Rejected again: the new reason, no second record. */
	r[0].reason = "bad signature (again)";
	ASSERT_EQ(LEDGER_OK, ledger_reject(l, r, 1));
	ASSERT_EQ(LEDGER_OK, ledger_rejected(l, r[0].id, reason, sizeof(reason)));
	ASSERT_STREQ("bad signature (again)", reason);
	ASSERT_EQ(LEDGER_OK, ledger_rejected_count(l, &count));
	ASSERT_EQ(3u, count);
	memset(r[0].id, 0x77, 32);
	ASSERT_EQ(LEDGER_NOTFOUND, ledger_rejected(l, r[0].id, reason, sizeof(reason)));
	ASSERT_EQ(LEDGER_OK, ledger_reject(l, r, 0));
	ledger_close(l);
	/* They survive a reopen. */
	ASSERT_EQ(LEDGER_OK, ledger_open(&l, dir, &f->g, LEDGER_RDONLY, err, sizeof(err)));
	ASSERT_EQ(LEDGER_OK, ledger_rejected(l, r[1].id, reason, sizeof(reason)));
	ASSERT_STREQ("nonce replayed", reason);
	ledger_close(l);
	rm_tree(dir);
	free(f);
}

TEST(rejected_are_bounded_oldest_first)
{
	struct fx *f = malloc(sizeof(*f));
	struct ledger *l;
	const size_t n = LEDGER_REJECTED_MAX + 5;
	struct ledger_rejection *r = calloc(n, sizeof(*r));
	char dir[64], err[256], reason[64];
	uint64_t count;
	size_t i;

	ASSERT_EQ(0, fx_init(f, 1));
	make_dir(dir, sizeof(dir));
	ASSERT_EQ(LEDGER_OK, ledger_open(&l, dir, &f->g, 0, err, sizeof(err)));
	for (i = 0; i < n; i++) {
		crypto_hash_sha256(r[i].id, (const uint8_t *)&i, sizeof(i));
		r[i].reason = "spam";
	}
	/* Three, then all of them in one batch (r[0..2] renewed): the 5 oldest go. */
	ASSERT_EQ(LEDGER_OK, ledger_reject(l, r, 3));
	ASSERT_EQ(LEDGER_OK, ledger_reject(l, r, n));
	ASSERT_EQ(LEDGER_OK, ledger_rejected_count(l, &count));
	ASSERT_EQ((uint64_t)LEDGER_REJECTED_MAX, count);
	for (i = 0; i < 5; i++)
		ASSERT_EQ(LEDGER_NOTFOUND, ledger_rejected(l, r[i].id, reason, sizeof(reason)));
	ASSERT_EQ(LEDGER_OK, ledger_rejected(l, r[5].id, reason, sizeof(reason)));
	ASSERT_EQ(LEDGER_OK, ledger_rejected(l, r[n - 1].id, reason, sizeof(reason)));
	/* The oldest (r[5]) rejected again: still as many, and now the newest. */
	ASSERT_EQ(LEDGER_OK, ledger_reject(l, r + 5, 1));
	ASSERT_EQ(LEDGER_OK, ledger_rejected_count(l, &count));
	ASSERT_EQ((uint64_t)LEDGER_REJECTED_MAX, count);
	/* One more drops exactly one, the oldest: r[6], not r[5]. */
	{
		struct ledger_rejection one = {.reason = "late"};

		memset(one.id, 0xab, 32);
		ASSERT_EQ(LEDGER_OK, ledger_reject(l, &one, 1));
		ASSERT_EQ(LEDGER_OK, ledger_rejected(l, one.id, reason, sizeof(reason)));
		ASSERT_STREQ("late", reason);
	}
	ASSERT_EQ(LEDGER_OK, ledger_rejected(l, r[5].id, reason, sizeof(reason)));
	ASSERT_EQ(LEDGER_OK, ledger_rejected_count(l, &count));
	ASSERT_EQ((uint64_t)LEDGER_REJECTED_MAX, count);
	ASSERT_EQ(LEDGER_NOTFOUND, ledger_rejected(l, r[6].id, reason, sizeof(reason)));
	ASSERT_EQ(LEDGER_OK, ledger_rejected(l, r[7].id, reason, sizeof(reason)));
	ledger_close(l);
	rm_tree(dir);
	free(r);
	free(f);
}

/* ---- evidence ---- */

static size_t signed_vote(struct fx *f, uint8_t type, uint64_t h, uint32_t round,
			  uint16_t validator, uint8_t hash_byte, uint8_t *buf)
{
	struct gcd_vote v;
	size_t len = 0;

	memset(&v, 0, sizeof(v));
	v.type = type;
	v.height = h;
	v.round = round;
	v.has_block = hash_byte != 0;
	memset(v.hash, hash_byte, 32);
	v.validator = validator;
	if (gcd_vote_sign(&v, f->g.hash, f->vsk[validator % f->g.n]) ||
	    gcd_vote_encode(&v, buf, GCD_VOTE_LEN, &len))
		return 0;
	return len;
}

struct ev_seen {
	int n;
	uint64_t heights[8];
	uint16_t validators[8];
};

static int ev_count(void *ctx, const struct gcd_vote *a, const struct gcd_vote *b)
{
	struct ev_seen *s = ctx;

	if (s->n < 8) {
		s->heights[s->n] = a->height;
		s->validators[s->n] = b->validator;
	}
	s->n++;
	return 0;
}

static int ev_stop(void *ctx, const struct gcd_vote *a, const struct gcd_vote *b)
{
	(*(int *)ctx)++;
	return 1;
}

TEST(evidence)
{
	struct fx *f = malloc(sizeof(*f));
	struct ledger *l;
	uint8_t a[GCD_VOTE_LEN], b[GCD_VOTE_LEN], c[GCD_VOTE_LEN], ga[GCD_VOTE_LEN],
		gb[GCD_VOTE_LEN];
	struct ev_seen seen = {0};
	char dir[64], err[256];
	int stops = 0;

	ASSERT_EQ(0, fx_init(f, 4));
	make_dir(dir, sizeof(dir));
	ASSERT_EQ(LEDGER_OK, ledger_open(&l, dir, &f->g, 0, err, sizeof(err)));
	/* Validator 1 prevotes two blocks at (5, 2). */
	ASSERT_NE(0, signed_vote(f, GCD_VOTE_PREVOTE, 5, 2, 1, 0xaa, a));
	ASSERT_NE(0, signed_vote(f, GCD_VOTE_PREVOTE, 5, 2, 1, 0xbb, b));
	ASSERT_EQ(LEDGER_OK, ledger_add_evidence(l, b, GCD_VOTE_LEN, a, GCD_VOTE_LEN));
	ASSERT_EQ(LEDGER_EXISTS, ledger_add_evidence(l, a, GCD_VOTE_LEN, b, GCD_VOTE_LEN));
	/* A third vote: the first record stays. */
	ASSERT_NE(0, signed_vote(f, GCD_VOTE_PREVOTE, 5, 2, 1, 0, c)); /* nil */
	ASSERT_EQ(LEDGER_EXISTS, ledger_add_evidence(l, a, GCD_VOTE_LEN, c, GCD_VOTE_LEN));
	ASSERT_EQ(LEDGER_OK, ledger_get_evidence(l, 5, 2, GCD_VOTE_PREVOTE, 1, ga, gb));
	ASSERT_EQ(0, memcmp(ga, a, GCD_VOTE_LEN)); /* the smaller first */
	ASSERT_EQ(0, memcmp(gb, b, GCD_VOTE_LEN));
	ASSERT_EQ(LEDGER_NOTFOUND, ledger_get_evidence(l, 5, 2, GCD_VOTE_PRECOMMIT, 1, ga, gb));
	/* A block against nil counts; precommits count on their own. */
	ASSERT_NE(0, signed_vote(f, GCD_VOTE_PRECOMMIT, 3, 0, 2, 0xaa, a));
	ASSERT_NE(0, signed_vote(f, GCD_VOTE_PRECOMMIT, 3, 0, 2, 0, b));
	ASSERT_EQ(LEDGER_OK, ledger_add_evidence(l, a, GCD_VOTE_LEN, b, GCD_VOTE_LEN));
	/* Not evidence: the same value twice, different validators, heights, rounds, types. */
	ASSERT_NE(0, signed_vote(f, GCD_VOTE_PREVOTE, 9, 0, 0, 0xaa, a));
	ASSERT_EQ(LEDGER_EINVALID, ledger_add_evidence(l, a, GCD_VOTE_LEN, a, GCD_VOTE_LEN));
	ASSERT_NE(NULL, strstr(ledger_errmsg(l), "same value"));
	ASSERT_NE(0, signed_vote(f, GCD_VOTE_PREVOTE, 9, 0, 3, 0xbb, b));
	ASSERT_EQ(LEDGER_EINVALID, ledger_add_evidence(l, a, GCD_VOTE_LEN, b, GCD_VOTE_LEN));
	ASSERT_NE(0, signed_vote(f, GCD_VOTE_PREVOTE, 10, 0, 0, 0xbb, b));
	ASSERT_EQ(LEDGER_EINVALID, ledger_add_evidence(l, a, GCD_VOTE_LEN, b, GCD_VOTE_LEN));
	ASSERT_NE(0, signed_vote(f, GCD_VOTE_PREVOTE, 9, 1, 0, 0xbb, b));
	ASSERT_EQ(LEDGER_EINVALID, ledger_add_evidence(l, a, GCD_VOTE_LEN, b, GCD_VOTE_LEN));
	ASSERT_NE(0, signed_vote(f, GCD_VOTE_PRECOMMIT, 9, 0, 0, 0xbb, b));
	ASSERT_EQ(LEDGER_EINVALID, ledger_add_evidence(l, a, GCD_VOTE_LEN, b, GCD_VOTE_LEN));
	/* A forged signature, an index outside the set, a malformed vote. */
	ASSERT_NE(0, signed_vote(f, GCD_VOTE_PREVOTE, 9, 0, 0, 0xbb, b));
	b[GCD_VOTE_LEN - 1] ^= 1;
	ASSERT_EQ(LEDGER_EINVALID, ledger_add_evidence(l, a, GCD_VOTE_LEN, b, GCD_VOTE_LEN));
	ASSERT_NE(NULL, strstr(ledger_errmsg(l), "second vote: bad signature"));
	ASSERT_NE(0, signed_vote(f, GCD_VOTE_PREVOTE, 9, 0, 4, 0xbb, b));
	ASSERT_NE(0, signed_vote(f, GCD_VOTE_PREVOTE, 9, 0, 4, 0xaa, c));
	ASSERT_EQ(LEDGER_EINVALID, ledger_add_evidence(l, c, GCD_VOTE_LEN, b, GCD_VOTE_LEN));
	ASSERT_NE(NULL, strstr(ledger_errmsg(l), "validator index"));
	ASSERT_EQ(LEDGER_EINVALID, ledger_add_evidence(l, a, GCD_VOTE_LEN - 1, b, GCD_VOTE_LEN));
	ASSERT_NE(NULL, strstr(ledger_errmsg(l), "first vote: truncated"));
	/* Two records, in height order. */
	ASSERT_EQ(LEDGER_OK, ledger_evidence_foreach(l, ev_count, &seen));
	ASSERT_EQ(2, seen.n);
	ASSERT_EQ(3u, seen.heights[0]);
	ASSERT_EQ(2u, seen.validators[0]);
	ASSERT_EQ(5u, seen.heights[1]);
	ASSERT_EQ(1u, seen.validators[1]);
	ASSERT_EQ(LEDGER_OK, ledger_evidence_foreach(l, ev_stop, &stops));
	ASSERT_EQ(1, stops);
	ledger_close(l);
	rm_tree(dir);
	free(f);
}

/* ---- another process reads while this one writes ---- */

TEST(readonly_reader_while_writing)
{
	struct fx *f = malloc(sizeof(*f));
	struct ledger *l;
	char dir[64], err[256];
	int go[2], status;
	pid_t pid;
	uint64_t h;

	ASSERT_EQ(0, fx_init(f, 4));
	make_dir(dir, sizeof(dir));
	ASSERT_EQ(0, pipe(go));
	/* The reader is forked before this process opens the ledger (LMDB: no env across fork). */
	pid = fork();
	ASSERT_TRUE(pid >= 0);
	if (pid == 0) {
		struct ledger *r;
		struct gcd_prev head;
		struct ledger_report rep;
		static uint8_t buf[GCD_BLOCK_MAX];
		uint8_t hash[32];
		uint64_t last = 0, reads = 0, verifies = 0;
		size_t len;
		char c;
		time_t end = time(NULL) + 120;

		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(10);
		if (ledger_open(&r, dir, &f->g, LEDGER_RDONLY, err, sizeof(err)))
			_exit(11);
		while (last < 200 && time(NULL) < end) {
			if (ledger_head(r, &head))
				_exit(12);
			if (head.height < last)
				_exit(13); /* the head never goes back */
			last = head.height;
			if (head.height) {
				/* The head block is there and hashes to the head hash. */
				if (ledger_get_block(r, head.height, buf, sizeof(buf), &len))
					_exit(14);
				gcd_block_hash(buf, len, hash);
				if (memcmp(hash, head.hash, 32))
					_exit(15);
			}
			reads++;
			/* A whole snapshot verifies while blocks are added. */
			if (reads % 16 == 0) {
				if (ledger_verify_open(r, &rep) || !rep.ok)
					_exit(16);
				if (rep.blocks < last)
					_exit(17);
				verifies++;
			}
		}
		ledger_close(r);
		_exit(last == 200 && verifies > 0 ? 0 : 18);
	}
	close(go[0]);
	ASSERT_EQ(LEDGER_OK, ledger_open(&l, dir, &f->g, 0, err, sizeof(err)));
	ASSERT_EQ(1, write(go[1], "g", 1));
	close(go[1]);
	for (h = 1; h <= 200; h++)
		ASSERT_EQ(LEDGER_OK, commit_next(f, l, (unsigned int)(h % 4), 0));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ledger_close(l);
	rm_tree(dir);
	free(f);
}

/* ---- kill -9 while committing ---- */

TEST(kill_9_leaves_old_or_new_head)
{
	struct fx *f = malloc(sizeof(*f));
	struct ledger *l;
	struct ledger_report rep;
	struct gcd_prev head;
	char dir[64], err[256];
	uint64_t before = 0;
	int round, status;
	unsigned int seed = 12345;

	ASSERT_EQ(0, fx_init(f, 4));
	make_dir(dir, sizeof(dir));
	for (round = 0; round < 12 || before < 20; round++) {
		pid_t pid = fork();

		ASSERT_TRUE(pid >= 0);
		if (pid == 0) {
			/* Commits as fast as it can until killed. */
			if (ledger_open(&l, dir, &f->g, 0, err, sizeof(err)) || fx_sync(f, l))
				_exit(1);
			for (;;)
				if (commit_next(f, l, 3, 0))
					_exit(2);
		}
		usleep(20000 + rand_r(&seed) % 80000);
		ASSERT_EQ(0, kill(pid, SIGKILL));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFSIGNALED(status))
		{
			TH_LOG("child exited with %d", WEXITSTATUS(status));
		}
		/* Whatever the moment: opens, verifies, and the head only went forward. */
		ASSERT_EQ(LEDGER_OK, ledger_open(&l, dir, &f->g, 0, err, sizeof(err)))
		{
			TH_LOG("round %d: %s", round, err);
		}
		ASSERT_EQ(LEDGER_OK, ledger_head(l, &head));
		ASSERT_TRUE(head.height >= before);
		ASSERT_EQ(LEDGER_OK, ledger_verify_open(l, &rep))
		{
			TH_LOG("round %d: %s", round, rep.msg);
		}
		ASSERT_TRUE(rep.ok);
		ASSERT_EQ(head.height, rep.blocks);
		before = head.height;
		ledger_close(l);
		ASSERT_TRUE(round < 200);
	}
	TH_LOG("%d kills, %llu blocks", round, (unsigned long long)before);
	rm_tree(dir);
	free(f);
}

/* ---- the map grows ---- */

TEST(map_grows_when_full)
{
	struct fx *f = malloc(sizeof(*f));
	struct ledger_opts o = {.map_size = 256 << 10};
	struct ledger *l;
	struct ledger_report rep;
	char dir[64], err[256], path[128], payload[4001];
	uint8_t tx[8][4300], cert[GCD_CERT_MAX], hash[32];
	const uint8_t *txp[8];
	size_t txl[8], len, cl;
	struct stat st;
	unsigned int h, i;

	ASSERT_EQ(0, fx_init(f, 4));
	make_dir(dir, sizeof(dir));
	ASSERT_EQ(LEDGER_OK, ledger_open_ex(&l, dir, &f->g, &o, err, sizeof(err)))
	{
		TH_LOG("%s", err);
	}
	/* 60 blocks of 8 txs of 4000 bytes: about 2 MB, 8 times the first map. */
	for (h = 1; h <= 60; h++) {
		for (i = 0; i < 8; i++) {
			memset(payload, 'a' + (int)((h + i) % 26), 4000);
			payload[4000] = '\0';
			txl[i] = fx_tx(f, i, 0, payload, tx[i], sizeof(tx[i]));
			txp[i] = tx[i];
		}
		len = fx_block(f, 0, txp, txl, 8, blk, sizeof(blk));
		ASSERT_NE(0, len);
		gcd_block_hash(blk, len, hash);
		cl = fx_cert_for(f, h, 0, hash, fx_quorum(f), cert, sizeof(cert));
		ASSERT_EQ(LEDGER_OK, ledger_commit(l, blk, len, cert, cl))
		{
			TH_LOG("height %u: %s", h, ledger_errmsg(l));
		}
		fx_advance(f, blk, len, cert, cl);
	}
	ASSERT_EQ(LEDGER_OK, ledger_verify_open(l, &rep));
	ASSERT_EQ(60u, rep.blocks);
	ledger_close(l);
	snprintf(path, sizeof(path), "%s/ledger/data.mdb", dir);
	ASSERT_EQ(0, stat(path, &st));
	ASSERT_TRUE((size_t)st.st_size > o.map_size);
	/* Reopened with the default size: all there. */
	ASSERT_EQ(LEDGER_OK, ledger_verify(dir, &f->g, &rep));
	ASSERT_TRUE(rep.ok);
	ASSERT_EQ(60u, rep.blocks);
	rm_tree(dir);
	free(f);
}

/* ---- the node key ---- */

TEST(key_file_created_0600_and_reloaded)
{
	struct gcd_key k1, k2;
	char dir[64], path[128], err[256], text[64];
	uint8_t pk[32], sig[64];
	struct stat st;
	bool created;
	mode_t old;
	int fd;
	ssize_t n;

	make_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/node.key", dir);
	/* Even with a umask that lets everyone read. */
	old = umask(0);
	ASSERT_EQ(0, gcd_key_load_or_create(dir, &k1, &created, err, sizeof(err)));
	umask(old);
	ASSERT_TRUE(created);
	ASSERT_EQ(0, stat(path, &st));
	ASSERT_EQ(0600, st.st_mode & 07777);
	ASSERT_TRUE(S_ISREG(st.st_mode));
	/* The format: 44 characters of base64 and a newline. */
	fd = open(path, O_RDONLY);
	ASSERT_TRUE(fd >= 0);
	n = read(fd, text, sizeof(text));
	close(fd);
	ASSERT_EQ(45, n);
	ASSERT_EQ('\n', text[44]);
	ASSERT_EQ('=', text[43]);
	/* No temporary file left behind. */
	{
		char cmd[200];

		snprintf(cmd, sizeof(cmd), "test $(ls -A '%s' | wc -l) -eq 1", dir);
		ASSERT_EQ(0, system(cmd));
	}
	/* The public key is the secret key's. */
	ASSERT_EQ(0, crypto_sign_ed25519_sk_to_pk(pk, k1.sk));
	ASSERT_EQ(0, memcmp(pk, k1.pub, 32));
	crypto_sign_detached(sig, NULL, (const uint8_t *)"m", 1, k1.sk);
	ASSERT_EQ(0, crypto_sign_verify_detached(sig, (const uint8_t *)"m", 1, k1.pub));
	/* Loaded again: the same key, not a new one. */
	ASSERT_EQ(0, gcd_key_load_or_create(dir, &k2, &created, err, sizeof(err)));
	ASSERT_FALSE(created);
	ASSERT_EQ(0, memcmp(&k1, &k2, sizeof(k1)));
	ASSERT_EQ(0, gcd_key_load(path, &k2, err, sizeof(err)));
	ASSERT_EQ(0, memcmp(&k1, &k2, sizeof(k1)));
	/* Read-only for the owner is fine. */
	ASSERT_EQ(0, chmod(path, 0400));
	ASSERT_EQ(0, gcd_key_load(path, &k2, err, sizeof(err)));
	/* create never replaces. */
	ASSERT_EQ(-1, gcd_key_create(path, &k2, err, sizeof(err)));
	ASSERT_NE(NULL, strstr(err, "File exists"));
	ASSERT_EQ(0, gcd_key_load(path, &k2, err, sizeof(err)));
	ASSERT_EQ(0, memcmp(&k1, &k2, sizeof(k1)));
	gcd_key_wipe(&k2);
	{
		struct gcd_key zero;

		memset(&zero, 0, sizeof(zero));
		ASSERT_EQ(0, memcmp(&zero, &k2, sizeof(k2)));
	}
	rm_tree(dir);
}

TEST(key_file_refused)
{
	static const mode_t bad_modes[] = {0640, 0604, 0660, 0644, 0610, 0601, 0700 | 0020, 0666};
	static const char *const bad_texts[] = {
		"",
		"\n",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",	    /* a key: zero seed, skipped */
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",    /* 43 */
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",  /* 45 */
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n", /* two newlines */
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n", /* CRLF */
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA*=\n",   /* not base64 */
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",   /* no padding */
	};
	struct gcd_key k, k2;
	char dir[64], path[128], link_path[128], err[256];
	bool created;
	size_t i;
	int fd;

	make_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/node.key", dir);
	ASSERT_EQ(0, gcd_key_load_or_create(dir, &k, &created, err, sizeof(err)));
	for (i = 0; i < sizeof(bad_modes) / sizeof(bad_modes[0]); i++) {
		ASSERT_EQ(0, chmod(path, bad_modes[i]));
		ASSERT_EQ(-1, gcd_key_load(path, &k2, err, sizeof(err)));
		ASSERT_NE(NULL, strstr(err, "gives group or others access"))
		{
			TH_LOG("mode %o: %s", (unsigned int)bad_modes[i], err);
		}
		/* load_or_create does not make a new one over it either. */
		ASSERT_EQ(-1, gcd_key_load_or_create(dir, &k2, &created, err, sizeof(err)));
		ASSERT_FALSE(created);
	}
	ASSERT_EQ(0, chmod(path, 0600));
	ASSERT_EQ(0, gcd_key_load(path, &k2, err, sizeof(err)));
	ASSERT_EQ(0, memcmp(&k, &k2, sizeof(k)));
	/* A key without its newline is fine; anything else is not a key. */
	{
		char text[64];

		sodium_bin2base64(text, sizeof(text), k.sk, 32, sodium_base64_VARIANT_ORIGINAL);
		fd = open(path, O_WRONLY | O_TRUNC);
		ASSERT_TRUE(fd >= 0);
		ASSERT_EQ(44, write(fd, text, 44));
		close(fd);
		ASSERT_EQ(0, gcd_key_load(path, &k2, err, sizeof(err)));
		ASSERT_EQ(0, memcmp(&k, &k2, sizeof(k)));
	}
	for (i = 0; i < sizeof(bad_texts) / sizeof(bad_texts[0]); i++) {
		if (i == 2)
			continue; /* a valid 32-byte key: checked to load below */
		fd = open(path, O_WRONLY | O_TRUNC);
		ASSERT_TRUE(fd >= 0);
		ASSERT_EQ((ssize_t)strlen(bad_texts[i]),
			  write(fd, bad_texts[i], strlen(bad_texts[i])));
		close(fd);
		ASSERT_EQ(-1, gcd_key_load(path, &k2, err, sizeof(err)))
		{
			TH_LOG("text %zu accepted", i);
		}
		ASSERT_NE(NULL, strstr(err, "not a node key"));
	}
	/* All-zero seed: a key (the file format does not judge the seed). */
	fd = open(path, O_WRONLY | O_TRUNC);
	ASSERT_EQ(44, write(fd, bad_texts[2], 44));
	close(fd);
	ASSERT_EQ(0, gcd_key_load(path, &k2, err, sizeof(err)));
	/* A symlink to a good key, a directory, another owner's file are refused. */
	snprintf(link_path, sizeof(link_path), "%s/link.key", dir);
	ASSERT_EQ(0, symlink(path, link_path));
	ASSERT_EQ(-1, gcd_key_load(link_path, &k2, err, sizeof(err)));
	ASSERT_NE(NULL, strstr(err, "link.key"));
	ASSERT_EQ(-1, gcd_key_load(dir, &k2, err, sizeof(err)));
	ASSERT_NE(NULL, strstr(err, "not a regular file"));
	if (geteuid() == 0) {
		ASSERT_EQ(0, chown(path, 65534, 65534));
		ASSERT_EQ(-1, gcd_key_load(path, &k2, err, sizeof(err)));
		ASSERT_NE(NULL, strstr(err, "owned by uid 65534"));
	}
	unlink(path);
	ASSERT_EQ(-1, gcd_key_load(path, &k2, err, sizeof(err)));
	ASSERT_NE(NULL, strstr(err, "No such file"));
	/* A state directory that does not exist. */
	ASSERT_EQ(-1,
		  gcd_key_load_or_create("/nonexistent-gcd-dir", &k2, &created, err, sizeof(err)));
	ASSERT_FALSE(created);
	rm_tree(dir);
}

TEST_HARNESS_MAIN
