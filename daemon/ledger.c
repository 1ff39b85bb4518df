// SPDX-License-Identifier: GPL-2.0
/*
 * gcd's LMDB ledger: see ledger.h.
 */
#include "ledger.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <lmdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct ledger {
	MDB_env *env;
	MDB_dbi blocks, hashes, txs, nonces, certs, rejected, rejected_order, evidence, meta;
	bool rdonly;
	int mdb_rc; /* the LMDB code behind the last LEDGER_EIO */
	struct gcd_genesis g;
	gcd_known_fn known; /* ledger_set_known() */
	void *known_ctx;
	char msg[512];
};

static const struct {
	const char *name;
	size_t off;
} dbs[] = {
	{"blocks", offsetof(struct ledger, blocks)},
	{"hashes", offsetof(struct ledger, hashes)},
	{"txs", offsetof(struct ledger, txs)},
	{"nonces", offsetof(struct ledger, nonces)},
	{"certs", offsetof(struct ledger, certs)},
	{"rejected", offsetof(struct ledger, rejected)},
	{"rejected_order", offsetof(struct ledger, rejected_order)},
	{"evidence", offsetof(struct ledger, evidence)},
	{"meta", offsetof(struct ledger, meta)},
};

#define META_GENESIS	  "genesis"
#define META_HEAD	  "head"
#define META_REJECTED_SEQ "rejected_seq"
#define HEAD_LEN	  (8 + GCD_HASH_LEN)

__attribute__((format(printf, 3, 4))) static int set_err(struct ledger *l, int rc, const char *fmt,
							 ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(l->msg, sizeof(l->msg), fmt, ap);
	va_end(ap);
	return rc;
}

/* An LMDB failure: LEDGER_EIO (or LEDGER_ENOMEM), the code kept for retries. */
static int mdb_fail(struct ledger *l, int mrc, const char *what)
{
	l->mdb_rc = mrc;
	return set_err(l, mrc == ENOMEM ? LEDGER_ENOMEM : LEDGER_EIO, "%s: %s", what,
		       mdb_strerror(mrc));
}

const char *ledger_errmsg(const struct ledger *l)
{
	return l->msg;
}

void ledger_set_known(struct ledger *l, gcd_known_fn known, void *ctx)
{
	l->known = known;
	l->known_ctx = ctx;
}

static void put_u64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t get_u64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static MDB_val val(const void *p, size_t len)
{
	return (MDB_val){.mv_size = len, .mv_data = (void *)p};
}

static MDB_val meta_key(const char *name)
{
	return val(name, strlen(name));
}

/* Begin a transaction; follows a map another process grew. */
static int txn_begin(struct ledger *l, unsigned int flags, MDB_txn **txn)
{
	int tries, rc = 0;

	for (tries = 0; tries < 4; tries++) {
		rc = mdb_txn_begin(l->env, NULL, flags, txn);
		if (rc != MDB_MAP_RESIZED)
			break;
		rc = mdb_env_set_mapsize(l->env, 0);
		if (rc)
			break;
	}
	if (rc)
		return mdb_fail(l, rc, "beginning a transaction");
	return LEDGER_OK;
}

static int read_begin(struct ledger *l, MDB_txn **txn)
{
	l->msg[0] = '\0';
	l->mdb_rc = 0;
	return txn_begin(l, MDB_RDONLY, txn);
}

/* Double the map (no transaction of this process may be open). */
static int grow_map(struct ledger *l)
{
	MDB_envinfo info;
	size_t size;
	int rc;

	rc = mdb_env_info(l->env, &info);
	if (rc)
		return rc;
	size = info.me_mapsize;
	if (size >= LEDGER_MAP_MAX)
		return MDB_MAP_FULL;
	size = size > LEDGER_MAP_MAX / 2 ? LEDGER_MAP_MAX : size * 2;
	return mdb_env_set_mapsize(l->env, size);
}

typedef int (*write_fn)(struct ledger *l, MDB_txn *txn, void *arg);

/*
 * Runs fn in a write transaction and commits it; when the map is full
 * (fn's puts or the commit) the whole transaction is aborted, the map
 * grown and fn run again from the start.
 */
static int run_write(struct ledger *l, write_fn fn, void *arg)
{
	MDB_txn *txn;
	int rc, mrc;

	l->msg[0] = '\0';
	if (l->rdonly)
		return set_err(l, LEDGER_ERDONLY, "the ledger is open read-only");
	for (;;) {
		rc = txn_begin(l, 0, &txn);
		if (rc)
			return rc;
		l->mdb_rc = 0;
		rc = fn(l, txn, arg);
		if (rc != LEDGER_OK) {
			mdb_txn_abort(txn);
			if (rc == LEDGER_EIO && l->mdb_rc == MDB_MAP_FULL) {
				mrc = grow_map(l);
				if (!mrc)
					continue;
				return mdb_fail(l, mrc, "growing the map");
			}
			return rc;
		}
		mrc = mdb_txn_commit(txn);
		if (!mrc)
			return LEDGER_OK;
		if (mrc == MDB_MAP_FULL) {
			mrc = grow_map(l);
			if (!mrc)
				continue;
			return mdb_fail(l, mrc, "growing the map");
		}
		return mdb_fail(l, mrc, "committing");
	}
}

/* ---- reads inside a transaction ---- */

static int get_head(struct ledger *l, MDB_txn *txn, struct gcd_prev *head)
{
	MDB_val k = meta_key(META_HEAD), v;
	uint8_t hk[8];
	int rc;

	rc = mdb_get(txn, l->meta, &k, &v);
	if (rc == MDB_NOTFOUND)
		return set_err(l, LEDGER_ECORRUPT, "meta has no head");
	if (rc)
		return mdb_fail(l, rc, "reading the head");
	if (v.mv_size != HEAD_LEN)
		return set_err(l, LEDGER_ECORRUPT, "meta head is %zu bytes, not %d", v.mv_size,
			       HEAD_LEN);
	head->height = get_u64(v.mv_data);
	memcpy(head->hash, (uint8_t *)v.mv_data + 8, GCD_HASH_LEN);
	if (head->height == 0) {
		head->time_ms = l->g.time_ms;
		return LEDGER_OK;
	}
	put_u64(hk, head->height);
	k = val(hk, sizeof(hk));
	rc = mdb_get(txn, l->blocks, &k, &v);
	if (rc == MDB_NOTFOUND)
		return set_err(l, LEDGER_ECORRUPT, "head block %llu is missing",
			       (unsigned long long)head->height);
	if (rc)
		return mdb_fail(l, rc, "reading the head block");
	/* time_ms: after version (1), height (8) and round (4). */
	if (v.mv_size < GCD_BLOCK_FIXED_LEN)
		return set_err(l, LEDGER_ECORRUPT, "head block %llu is %zu bytes",
			       (unsigned long long)head->height, v.mv_size);
	head->time_ms = get_u64((uint8_t *)v.mv_data + 13);
	return LEDGER_OK;
}

struct nonce_ctx {
	struct ledger *l;
	MDB_txn *txn;
};

static int nonce_in_txn(void *ctx, const uint8_t sender[GCD_PUBKEY_LEN], uint64_t *last)
{
	struct nonce_ctx *c = ctx;
	MDB_val k = val(sender, GCD_PUBKEY_LEN), v;
	int rc = mdb_get(c->txn, c->l->nonces, &k, &v);

	if (rc == MDB_NOTFOUND) {
		*last = 0;
		return 0;
	}
	if (rc) {
		mdb_fail(c->l, rc, "reading a nonce");
		return -1;
	}
	if (v.mv_size != 8) {
		set_err(c->l, LEDGER_ECORRUPT, "a nonce record is %zu bytes", v.mv_size);
		return -1;
	}
	*last = get_u64(v.mv_data);
	return 0;
}

/* The block checked against the head in txn: LEDGER_EINVALID with the reason. */
static int check_block_in(struct ledger *l, MDB_txn *txn, const struct gcd_block *b)
{
	struct nonce_ctx nc = {.l = l, .txn = txn};
	struct gcd_prev head;
	enum gcd_err e;
	int rc, bad_tx;

	rc = get_head(l, txn, &head);
	if (rc)
		return rc;
	l->msg[0] = '\0';
	e = gcd_block_check_known(b, &l->g, &head, nonce_in_txn, &nc, l->known, l->known_ctx,
				  &bad_tx);
	if (e == GCD_E_LOOKUP)
		return l->mdb_rc ? LEDGER_EIO : LEDGER_ECORRUPT;
	if (e == GCD_E_NOMEM)
		return set_err(l, LEDGER_ENOMEM, "out of memory");
	if (e && bad_tx >= 0)
		return set_err(l, LEDGER_EINVALID, "block %llu, tx %d: %s",
			       (unsigned long long)b->height, bad_tx, gcd_strerror(e));
	if (e)
		return set_err(l, LEDGER_EINVALID, "block %llu (head %llu): %s",
			       (unsigned long long)b->height, (unsigned long long)head.height,
			       gcd_strerror(e));
	return LEDGER_OK;
}

/* ---- open ---- */

static int open_dbis(struct ledger *l, MDB_txn *txn, unsigned int flags)
{
	size_t i;
	int rc;

	for (i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++) {
		rc = mdb_dbi_open(txn, dbs[i].name, flags, (MDB_dbi *)((char *)l + dbs[i].off));
		if (rc == MDB_NOTFOUND)
			return set_err(l, LEDGER_ECORRUPT, "no database \"%s\" in the ledger",
				       dbs[i].name);
		if (rc)
			return mdb_fail(l, rc, dbs[i].name);
	}
	return LEDGER_OK;
}

static uint64_t db_entries(MDB_txn *txn, MDB_dbi dbi)
{
	MDB_stat st;

	if (mdb_stat(txn, dbi, &st))
		return 0;
	return st.ms_entries;
}

/* A new ledger: genesis and head (0, genesis hash). */
static int init_meta(struct ledger *l, MDB_txn *txn)
{
	MDB_val k = meta_key(META_GENESIS), v = val(l->g.hash, GCD_HASH_LEN);
	uint8_t head[HEAD_LEN];
	int rc;

	if (db_entries(txn, l->blocks) || db_entries(txn, l->meta))
		return set_err(l, LEDGER_ECORRUPT, "blocks without a recorded genesis");
	rc = mdb_put(txn, l->meta, &k, &v, MDB_NOOVERWRITE);
	if (rc)
		return mdb_fail(l, rc, "writing the genesis hash");
	put_u64(head, 0);
	memcpy(head + 8, l->g.hash, GCD_HASH_LEN);
	k = meta_key(META_HEAD);
	v = val(head, sizeof(head));
	rc = mdb_put(txn, l->meta, &k, &v, 0);
	if (rc)
		return mdb_fail(l, rc, "writing the head");
	return LEDGER_OK;
}

/* Reopen checks: genesis, head block and hash, nothing past it, its certificate. */
static int check_open(struct ledger *l, MDB_txn *txn)
{
	MDB_val k = meta_key(META_GENESIS), v;
	uint8_t hash[GCD_HASH_LEN], hk[8];
	struct gcd_prev head;
	MDB_cursor *cur;
	uint64_t last = 0;
	int rc;

	rc = mdb_get(txn, l->meta, &k, &v);
	if (rc == MDB_NOTFOUND)
		return set_err(l, LEDGER_ECORRUPT, "meta has no genesis");
	if (rc)
		return mdb_fail(l, rc, "reading the genesis hash");
	if (v.mv_size != GCD_HASH_LEN || memcmp(v.mv_data, l->g.hash, GCD_HASH_LEN))
		return set_err(l, LEDGER_EGENESIS,
			       "the ledger belongs to another genesis (its genesis hash differs "
			       "from the genesis file's)");
	rc = get_head(l, txn, &head);
	if (rc)
		return rc;
	rc = mdb_cursor_open(txn, l->blocks, &cur);
	if (rc)
		return mdb_fail(l, rc, "opening a cursor");
	rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
	if (rc == 0) {
		if (k.mv_size != 8) {
			mdb_cursor_close(cur);
			return set_err(l, LEDGER_ECORRUPT, "a block key of %zu bytes", k.mv_size);
		}
		last = get_u64(k.mv_data);
		gcd_block_hash(v.mv_data, v.mv_size, hash);
	}
	mdb_cursor_close(cur);
	if (rc && rc != MDB_NOTFOUND)
		return mdb_fail(l, rc, "reading the last block");
	if (last != head.height)
		return set_err(l, LEDGER_ECORRUPT, "head is %llu but the last block is %llu",
			       (unsigned long long)head.height, (unsigned long long)last);
	if (head.height == 0) {
		if (memcmp(head.hash, l->g.hash, GCD_HASH_LEN))
			return set_err(l, LEDGER_ECORRUPT, "head 0 is not the genesis");
		return LEDGER_OK;
	}
	if (memcmp(hash, head.hash, GCD_HASH_LEN))
		return set_err(l, LEDGER_ECORRUPT, "head block %llu does not hash to the head hash",
			       (unsigned long long)head.height);
	put_u64(hk, head.height);
	k = val(hk, sizeof(hk));
	rc = mdb_get(txn, l->certs, &k, &v);
	if (rc == MDB_NOTFOUND)
		return set_err(l, LEDGER_ECORRUPT, "no certificate for head block %llu",
			       (unsigned long long)head.height);
	if (rc)
		return mdb_fail(l, rc, "reading the head certificate");
	return LEDGER_OK;
}

static int fsync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/*
 * check false (ledger_verify) skips the head checks, which verify makes
 * itself with a report of where the chain breaks.
 */
static int open_env(struct ledger *l, const char *dir, const struct ledger_opts *o, bool check)
{
	char path[PATH_MAX];
	bool made = false, fresh = false;
	struct stat st;
	MDB_txn *txn;
	int rc;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, LEDGER_DIR) >= sizeof(path))
		return set_err(l, LEDGER_EIO, "%s: path too long", dir);
	if (stat(path, &st)) {
		if (errno != ENOENT || l->rdonly)
			return set_err(l, LEDGER_EIO, "%s: %s", path, strerror(errno));
		if (mkdir(path, 0700) && errno != EEXIST)
			return set_err(l, LEDGER_EIO, "%s: %s", path, strerror(errno));
		made = true;
	} else if (!S_ISDIR(st.st_mode)) {
		return set_err(l, LEDGER_EIO, "%s: not a directory", path);
	}
	rc = mdb_env_create(&l->env);
	if (rc) {
		l->env = NULL;
		return mdb_fail(l, rc, "creating the LMDB environment");
	}
	rc = mdb_env_set_maxdbs(l->env, (MDB_dbi)(sizeof(dbs) / sizeof(dbs[0]) + 1));
	if (!rc)
		rc = mdb_env_set_mapsize(l->env, o->map_size ? o->map_size : LEDGER_MAP_INITIAL);
	if (rc)
		return mdb_fail(l, rc, "configuring the LMDB environment");
	/* Durable commits: never MDB_NOSYNC, MDB_NOMETASYNC, MDB_WRITEMAP or MDB_MAPASYNC. */
	rc = mdb_env_open(l->env, path, l->rdonly ? MDB_RDONLY : 0, 0600);
	if (rc) {
		mdb_fail(l, rc, path);
		if (rc == ENOENT)
			set_err(l, LEDGER_EIO, "%s: no ledger there", path);
		return LEDGER_EIO;
	}
	/* Reader slots of processes that died (kill -9) would pin old pages. */
	if (!l->rdonly)
		mdb_reader_check(l->env, NULL);
	rc = txn_begin(l, l->rdonly ? MDB_RDONLY : 0, &txn);
	if (rc)
		return rc;
	rc = open_dbis(l, txn, l->rdonly ? 0 : MDB_CREATE);
	if (!rc && !l->rdonly) {
		MDB_val k = meta_key(META_GENESIS), v;
		int mrc = mdb_get(txn, l->meta, &k, &v);

		if (mrc == MDB_NOTFOUND) {
			rc = init_meta(l, txn);
			fresh = true;
		} else if (mrc) {
			rc = mdb_fail(l, mrc, "reading the genesis hash");
		}
	}
	if (!rc && check)
		rc = check_open(l, txn);
	if (rc) {
		mdb_txn_abort(txn);
		return rc;
	}
	/* Committing keeps the database handles (read-only transactions too). */
	rc = mdb_txn_commit(txn);
	if (rc)
		return mdb_fail(l, rc, "committing the open");
	if (fresh && (fsync_path(path) || (made && fsync_path(dir))))
		return set_err(l, LEDGER_EIO, "%s: fsync: %s", path, strerror(errno));
	return LEDGER_OK;
}

static int open_ledger(struct ledger **out, const char *dir, const struct gcd_genesis *g,
		       const struct ledger_opts *o, bool check, char *err, size_t errlen)
{
	struct ledger *l = calloc(1, sizeof(*l));
	int rc;

	*out = NULL;
	if (!l) {
		if (err && errlen)
			snprintf(err, errlen, "out of memory");
		return LEDGER_ENOMEM;
	}
	l->g = *g;
	l->rdonly = o->flags & LEDGER_RDONLY;
	rc = open_env(l, dir, o, check);
	if (rc) {
		if (err && errlen)
			snprintf(err, errlen, "%s", l->msg);
		ledger_close(l);
		return rc;
	}
	l->msg[0] = '\0';
	*out = l;
	return LEDGER_OK;
}

int ledger_open_ex(struct ledger **out, const char *dir, const struct gcd_genesis *g,
		   const struct ledger_opts *o, char *err, size_t errlen)
{
	return open_ledger(out, dir, g, o, true, err, errlen);
}

int ledger_open(struct ledger **out, const char *dir, const struct gcd_genesis *g,
		unsigned int flags, char *err, size_t errlen)
{
	struct ledger_opts o = {.flags = flags};

	return ledger_open_ex(out, dir, g, &o, err, errlen);
}

void ledger_close(struct ledger *l)
{
	if (!l)
		return;
	if (l->env)
		mdb_env_close(l->env);
	free(l);
}

/* ---- reads ---- */

int ledger_head(struct ledger *l, struct gcd_prev *head)
{
	MDB_txn *txn;
	int rc = read_begin(l, &txn);

	if (rc)
		return rc;
	rc = get_head(l, txn, head);
	mdb_txn_abort(txn);
	return rc;
}

/* Copy the value of key in dbi into buf. */
static int get_copy(struct ledger *l, MDB_dbi dbi, MDB_val k, uint8_t *buf, size_t cap, size_t *len,
		    const char *what)
{
	MDB_txn *txn;
	MDB_val v;
	int rc = read_begin(l, &txn);

	if (rc)
		return rc;
	rc = mdb_get(txn, dbi, &k, &v);
	if (rc == MDB_NOTFOUND) {
		rc = set_err(l, LEDGER_NOTFOUND, "no such %s", what);
	} else if (rc) {
		rc = mdb_fail(l, rc, what);
	} else if (v.mv_size > cap) {
		rc = set_err(l, LEDGER_ESPACE, "%s of %zu bytes, buffer of %zu", what, v.mv_size,
			     cap);
	} else {
		memcpy(buf, v.mv_data, v.mv_size);
		*len = v.mv_size;
	}
	mdb_txn_abort(txn);
	return rc;
}

int ledger_get_block(struct ledger *l, uint64_t height, uint8_t *buf, size_t cap, size_t *len)
{
	uint8_t k[8];

	put_u64(k, height);
	return get_copy(l, l->blocks, val(k, 8), buf, cap, len, "block");
}

int ledger_get_cert(struct ledger *l, uint64_t height, uint8_t *buf, size_t cap, size_t *len)
{
	uint8_t k[8];

	put_u64(k, height);
	return get_copy(l, l->certs, val(k, 8), buf, cap, len, "certificate");
}

int ledger_find_block(struct ledger *l, const uint8_t hash[GCD_HASH_LEN], uint64_t *height)
{
	uint8_t v[8];
	size_t len;
	int rc = get_copy(l, l->hashes, val(hash, GCD_HASH_LEN), v, sizeof(v), &len, "block hash");

	if (rc)
		return rc;
	if (len != 8)
		return set_err(l, LEDGER_ECORRUPT, "a hashes record of %zu bytes", len);
	*height = get_u64(v);
	return LEDGER_OK;
}

int ledger_find_tx(struct ledger *l, const uint8_t id[GCD_HASH_LEN], uint64_t *height,
		   uint16_t *index)
{
	uint8_t v[10];
	size_t len;
	int rc = get_copy(l, l->txs, val(id, GCD_HASH_LEN), v, sizeof(v), &len, "transaction");

	if (rc)
		return rc;
	if (len != 10)
		return set_err(l, LEDGER_ECORRUPT, "a txs record of %zu bytes", len);
	*height = get_u64(v);
	*index = (uint16_t)(v[8] << 8 | v[9]);
	return LEDGER_OK;
}

int ledger_nonce(struct ledger *l, const uint8_t sender[GCD_PUBKEY_LEN], uint64_t *last)
{
	uint8_t v[8];
	size_t len;
	int rc = get_copy(l, l->nonces, val(sender, GCD_PUBKEY_LEN), v, sizeof(v), &len, "nonce");

	if (rc == LEDGER_NOTFOUND) {
		l->msg[0] = '\0';
		*last = 0;
		return LEDGER_OK;
	}
	if (rc)
		return rc;
	if (len != 8)
		return set_err(l, LEDGER_ECORRUPT, "a nonce record of %zu bytes", len);
	*last = get_u64(v);
	return LEDGER_OK;
}

/* ---- check and commit ---- */

int ledger_check_block(struct ledger *l, const uint8_t *block, size_t len)
{
	struct gcd_block *b = malloc(sizeof(*b));
	MDB_txn *txn;
	enum gcd_err e;
	int rc;

	if (!b)
		return set_err(l, LEDGER_ENOMEM, "out of memory");
	e = gcd_block_decode(block, len, b);
	if (e) {
		free(b);
		return set_err(l, LEDGER_EINVALID, "block: %s", gcd_strerror(e));
	}
	rc = read_begin(l, &txn);
	if (!rc) {
		rc = check_block_in(l, txn, b);
		mdb_txn_abort(txn);
	}
	free(b);
	return rc;
}

struct commit_arg {
	const struct gcd_block *b;
	const uint8_t *block;
	size_t len;
	const uint8_t *cert;
	size_t cert_len;
	uint8_t hash[GCD_HASH_LEN];
};

static int commit_in(struct ledger *l, MDB_txn *txn, void *arg)
{
	const struct commit_arg *a = arg;
	const struct gcd_block *b = a->b;
	uint8_t hk[8], loc[10], head[HEAD_LEN], nv[8];
	MDB_val k, v;
	unsigned int i;
	int rc;

	rc = check_block_in(l, txn, b);
	if (rc)
		return rc;
	put_u64(hk, b->height);
	k = val(hk, 8);
	v = val(a->block, a->len);
	rc = mdb_put(txn, l->blocks, &k, &v, MDB_NOOVERWRITE);
	if (rc == MDB_KEYEXIST)
		return set_err(l, LEDGER_ECORRUPT, "block %llu exists past the head",
			       (unsigned long long)b->height);
	if (rc)
		return mdb_fail(l, rc, "writing the block");
	k = val(a->hash, GCD_HASH_LEN);
	v = val(hk, 8);
	rc = mdb_put(txn, l->hashes, &k, &v, MDB_NOOVERWRITE);
	if (rc == MDB_KEYEXIST)
		return set_err(l, LEDGER_EINVALID, "a block with this hash is committed already");
	if (rc)
		return mdb_fail(l, rc, "writing the block hash");
	for (i = 0; i < b->n_txs; i++) {
		uint8_t id[GCD_HASH_LEN];
		const uint8_t *sender = b->tx[i].p + 2;
		const uint8_t *nonce = b->tx[i].p + 2 + GCD_PUBKEY_LEN;

		gcd_tx_id(b->tx[i].p, b->tx[i].len, id);
		memcpy(loc, hk, 8);
		loc[8] = (uint8_t)(i >> 8);
		loc[9] = (uint8_t)i;
		k = val(id, GCD_HASH_LEN);
		v = val(loc, sizeof(loc));
		rc = mdb_put(txn, l->txs, &k, &v, MDB_NOOVERWRITE);
		if (rc == MDB_KEYEXIST)
			return set_err(l, LEDGER_EINVALID, "tx %u is committed already", i);
		if (rc)
			return mdb_fail(l, rc, "writing the tx index");
		/* The checks made nonces consecutive: the last one of a sender stays. */
		memcpy(nv, nonce, 8);
		k = val(sender, GCD_PUBKEY_LEN);
		v = val(nv, 8);
		rc = mdb_put(txn, l->nonces, &k, &v, 0);
		if (rc)
			return mdb_fail(l, rc, "writing a nonce");
	}
	k = val(hk, 8);
	v = val(a->cert, a->cert_len);
	rc = mdb_put(txn, l->certs, &k, &v, MDB_NOOVERWRITE);
	if (rc == MDB_KEYEXIST)
		return set_err(l, LEDGER_ECORRUPT, "certificate %llu exists past the head",
			       (unsigned long long)b->height);
	if (rc)
		return mdb_fail(l, rc, "writing the certificate");
	memcpy(head, hk, 8);
	memcpy(head + 8, a->hash, GCD_HASH_LEN);
	k = meta_key(META_HEAD);
	v = val(head, sizeof(head));
	rc = mdb_put(txn, l->meta, &k, &v, 0);
	if (rc)
		return mdb_fail(l, rc, "writing the head");
	return LEDGER_OK;
}

int ledger_commit(struct ledger *l, const uint8_t *block, size_t len, const uint8_t *cert,
		  size_t cert_len)
{
	struct commit_arg a = {.block = block, .len = len, .cert = cert, .cert_len = cert_len};
	struct gcd_block *b;
	struct gcd_cert c;
	unsigned int bad;
	enum gcd_err e;
	int rc;

	l->msg[0] = '\0';
	if (l->rdonly)
		return set_err(l, LEDGER_ERDONLY, "the ledger is open read-only");
	b = malloc(sizeof(*b));
	if (!b)
		return set_err(l, LEDGER_ENOMEM, "out of memory");
	e = gcd_block_decode(block, len, b);
	if (e) {
		rc = set_err(l, LEDGER_EINVALID, "block: %s", gcd_strerror(e));
		goto out;
	}
	gcd_block_hash(block, len, a.hash);
	e = gcd_cert_decode(cert, cert_len, &c);
	if (e) {
		rc = set_err(l, LEDGER_EINVALID, "certificate: %s", gcd_strerror(e));
		goto out;
	}
	if (c.height != b->height || memcmp(c.hash, a.hash, GCD_HASH_LEN)) {
		rc = set_err(l, LEDGER_EINVALID, "certificate: %s",
			     gcd_strerror(GCD_E_CERT_TARGET));
		goto out;
	}
	e = gcd_cert_check(&c, &l->g, &bad);
	if (e) {
		rc = set_err(l, LEDGER_EINVALID, "certificate, entry %u: %s", bad, gcd_strerror(e));
		goto out;
	}
	a.b = b;
	rc = run_write(l, commit_in, &a);
out:
	free(b);
	return rc;
}

/* ---- rejected transactions ---- */

struct reject_arg {
	const struct ledger_rejection *r;
	size_t n;
};

static int reject_one(struct ledger *l, MDB_txn *txn, const struct ledger_rejection *r,
		      uint64_t seq)
{
	uint8_t rec[8 + LEDGER_REASON_MAX], sk[8];
	size_t rlen = strnlen(r->reason, LEDGER_REASON_MAX);
	MDB_val k = val(r->id, GCD_HASH_LEN), v;
	int rc;

	rc = mdb_get(txn, l->rejected, &k, &v);
	if (rc == 0 && v.mv_size >= 8) {
		/* Rejected before: its old place in the order goes. */
		MDB_val ok = val(v.mv_data, 8);

		rc = mdb_del(txn, l->rejected_order, &ok, NULL);
		if (rc && rc != MDB_NOTFOUND)
			return mdb_fail(l, rc, "dropping a rejection's order");
	} else if (rc && rc != MDB_NOTFOUND) {
		return mdb_fail(l, rc, "reading a rejection");
	}
	put_u64(rec, seq);
	memcpy(rec + 8, r->reason, rlen);
	v = val(rec, 8 + rlen);
	rc = mdb_put(txn, l->rejected, &k, &v, 0);
	if (rc)
		return mdb_fail(l, rc, "writing a rejection");
	put_u64(sk, seq);
	k = val(sk, 8);
	v = val(r->id, GCD_HASH_LEN);
	rc = mdb_put(txn, l->rejected_order, &k, &v, MDB_APPEND);
	if (rc)
		return mdb_fail(l, rc, "writing a rejection's order");
	return LEDGER_OK;
}

static int reject_in(struct ledger *l, MDB_txn *txn, void *arg)
{
	const struct reject_arg *a = arg;
	MDB_val k = meta_key(META_REJECTED_SEQ), v, ok, ov;
	uint8_t seqv[8];
	MDB_cursor *cur;
	uint64_t seq = 1;
	size_t i;
	int rc;

	rc = mdb_get(txn, l->meta, &k, &v);
	if (rc == 0 && v.mv_size == 8)
		seq = get_u64(v.mv_data);
	else if (rc == 0)
		return set_err(l, LEDGER_ECORRUPT, "meta rejected_seq is %zu bytes", v.mv_size);
	else if (rc != MDB_NOTFOUND)
		return mdb_fail(l, rc, "reading rejected_seq");
	for (i = 0; i < a->n; i++) {
		rc = reject_one(l, txn, &a->r[i], seq++);
		if (rc)
			return rc;
	}
	put_u64(seqv, seq);
	v = val(seqv, 8);
	rc = mdb_put(txn, l->meta, &k, &v, 0);
	if (rc)
		return mdb_fail(l, rc, "writing rejected_seq");
	/* Beyond the bound, the oldest go. */
	rc = mdb_cursor_open(txn, l->rejected_order, &cur);
	if (rc)
		return mdb_fail(l, rc, "opening a cursor");
	while (db_entries(txn, l->rejected) > LEDGER_REJECTED_MAX) {
		rc = mdb_cursor_get(cur, &ok, &ov, MDB_FIRST);
		if (rc)
			break;
		if (ov.mv_size == GCD_HASH_LEN) {
			uint8_t id[GCD_HASH_LEN];
			MDB_val ik = val(id, GCD_HASH_LEN);

			memcpy(id, ov.mv_data, GCD_HASH_LEN);
			rc = mdb_del(txn, l->rejected, &ik, NULL);
			if (rc && rc != MDB_NOTFOUND)
				break;
		}
		rc = mdb_cursor_del(cur, 0);
		if (rc)
			break;
	}
	mdb_cursor_close(cur);
	if (rc && rc != MDB_NOTFOUND)
		return mdb_fail(l, rc, "dropping old rejections");
	if (db_entries(txn, l->rejected) > LEDGER_REJECTED_MAX)
		return set_err(l, LEDGER_ECORRUPT, "rejected records without an order");
	return LEDGER_OK;
}

int ledger_reject(struct ledger *l, const struct ledger_rejection *r, size_t n)
{
	struct reject_arg a = {.r = r, .n = n};

	if (n == 0) {
		l->msg[0] = '\0';
		return LEDGER_OK;
	}
	return run_write(l, reject_in, &a);
}

int ledger_rejected(struct ledger *l, const uint8_t id[GCD_HASH_LEN], char *reason, size_t cap)
{
	uint8_t rec[8 + LEDGER_REASON_MAX];
	size_t len, n;
	int rc = get_copy(l, l->rejected, val(id, GCD_HASH_LEN), rec, sizeof(rec), &len,
			  "rejected transaction");

	if (rc)
		return rc;
	if (len < 8)
		return set_err(l, LEDGER_ECORRUPT, "a rejected record of %zu bytes", len);
	if (cap == 0)
		return set_err(l, LEDGER_ESPACE, "no room for the reason");
	n = len - 8 < cap - 1 ? len - 8 : cap - 1;
	memcpy(reason, rec + 8, n);
	reason[n] = '\0';
	return LEDGER_OK;
}

int ledger_rejected_count(struct ledger *l, uint64_t *count)
{
	MDB_txn *txn;
	MDB_stat st;
	int rc = read_begin(l, &txn);

	if (rc)
		return rc;
	rc = mdb_stat(txn, l->rejected, &st);
	mdb_txn_abort(txn);
	if (rc)
		return mdb_fail(l, rc, "counting rejections");
	*count = st.ms_entries;
	return LEDGER_OK;
}

/* ---- evidence ---- */

static void evidence_key(uint8_t k[LEDGER_EVIDENCE_KEY_LEN], uint64_t height, uint32_t round,
			 uint8_t type, uint16_t validator)
{
	put_u64(k, height);
	k[8] = (uint8_t)(round >> 24);
	k[9] = (uint8_t)(round >> 16);
	k[10] = (uint8_t)(round >> 8);
	k[11] = (uint8_t)round;
	k[12] = type;
	k[13] = (uint8_t)(validator >> 8);
	k[14] = (uint8_t)validator;
}

struct evidence_arg {
	uint8_t key[LEDGER_EVIDENCE_KEY_LEN];
	uint8_t rec[2 * GCD_VOTE_LEN];
};

static int evidence_in(struct ledger *l, MDB_txn *txn, void *arg)
{
	struct evidence_arg *a = arg;
	MDB_val k = val(a->key, sizeof(a->key)), v = val(a->rec, sizeof(a->rec));
	int rc = mdb_put(txn, l->evidence, &k, &v, MDB_NOOVERWRITE);

	if (rc == MDB_KEYEXIST)
		return set_err(l, LEDGER_EXISTS, "evidence for this vote is recorded already");
	if (rc)
		return mdb_fail(l, rc, "writing evidence");
	return LEDGER_OK;
}

int ledger_add_evidence(struct ledger *l, const uint8_t *vote_a, size_t len_a,
			const uint8_t *vote_b, size_t len_b)
{
	struct evidence_arg a;
	struct gcd_vote va, vb;
	const uint8_t *first = vote_a, *second = vote_b;
	enum gcd_err e;

	l->msg[0] = '\0';
	e = gcd_vote_decode(vote_a, len_a, &va);
	if (e)
		return set_err(l, LEDGER_EINVALID, "first vote: %s", gcd_strerror(e));
	e = gcd_vote_decode(vote_b, len_b, &vb);
	if (e)
		return set_err(l, LEDGER_EINVALID, "second vote: %s", gcd_strerror(e));
	if (va.type != vb.type || va.height != vb.height || va.round != vb.round ||
	    va.validator != vb.validator)
		return set_err(l, LEDGER_EINVALID,
			       "the votes differ in type, height, round or validator");
	if (va.has_block == vb.has_block && !memcmp(va.hash, vb.hash, GCD_HASH_LEN))
		return set_err(l, LEDGER_EINVALID, "the votes are for the same value");
	e = gcd_vote_verify(&va, &l->g);
	if (e)
		return set_err(l, LEDGER_EINVALID, "first vote: %s", gcd_strerror(e));
	e = gcd_vote_verify(&vb, &l->g);
	if (e)
		return set_err(l, LEDGER_EINVALID, "second vote: %s", gcd_strerror(e));
	/* One record whatever order they came in. */
	if (memcmp(vote_a, vote_b, GCD_VOTE_LEN) > 0) {
		first = vote_b;
		second = vote_a;
	}
	evidence_key(a.key, va.height, va.round, va.type, va.validator);
	memcpy(a.rec, first, GCD_VOTE_LEN);
	memcpy(a.rec + GCD_VOTE_LEN, second, GCD_VOTE_LEN);
	return run_write(l, evidence_in, &a);
}

int ledger_get_evidence(struct ledger *l, uint64_t height, uint32_t round, uint8_t type,
			uint16_t validator, uint8_t a[GCD_VOTE_LEN], uint8_t b[GCD_VOTE_LEN])
{
	uint8_t key[LEDGER_EVIDENCE_KEY_LEN], rec[2 * GCD_VOTE_LEN];
	size_t len;
	int rc;

	evidence_key(key, height, round, type, validator);
	rc = get_copy(l, l->evidence, val(key, sizeof(key)), rec, sizeof(rec), &len, "evidence");
	if (rc)
		return rc;
	if (len != sizeof(rec))
		return set_err(l, LEDGER_ECORRUPT, "an evidence record of %zu bytes", len);
	memcpy(a, rec, GCD_VOTE_LEN);
	memcpy(b, rec + GCD_VOTE_LEN, GCD_VOTE_LEN);
	return LEDGER_OK;
}

int ledger_evidence_foreach(struct ledger *l,
			    int (*fn)(void *ctx, const struct gcd_vote *a,
				      const struct gcd_vote *b),
			    void *ctx)
{
	struct gcd_vote va, vb;
	MDB_cursor *cur;
	MDB_txn *txn;
	MDB_val k, v;
	int rc, mrc;

	rc = read_begin(l, &txn);
	if (rc)
		return rc;
	mrc = mdb_cursor_open(txn, l->evidence, &cur);
	if (mrc) {
		mdb_txn_abort(txn);
		return mdb_fail(l, mrc, "opening a cursor");
	}
	for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); !mrc;
	     mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (v.mv_size != 2 * GCD_VOTE_LEN ||
		    gcd_vote_decode(v.mv_data, GCD_VOTE_LEN, &va) ||
		    gcd_vote_decode((uint8_t *)v.mv_data + GCD_VOTE_LEN, GCD_VOTE_LEN, &vb)) {
			rc = set_err(l, LEDGER_ECORRUPT, "an evidence record does not decode");
			break;
		}
		if (fn(ctx, &va, &vb))
			break;
	}
	if (!rc && mrc && mrc != MDB_NOTFOUND)
		rc = mdb_fail(l, mrc, "reading evidence");
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	return rc;
}

/* ---- verify ---- */

/* Sender -> last nonce, as the blocks so far say (open addressing). */
struct nonce_table {
	struct nonce_slot {
		uint8_t key[GCD_PUBKEY_LEN];
		uint64_t nonce; /* 0: empty slot */
	} * slot;
	size_t cap, used;
};

static size_t nt_find(const struct nonce_table *t, const uint8_t *key)
{
	uint64_t h;
	size_t i;

	memcpy(&h, key, sizeof(h));
	for (i = (size_t)h & (t->cap - 1);; i = (i + 1) & (t->cap - 1))
		if (!t->slot[i].nonce || !memcmp(t->slot[i].key, key, GCD_PUBKEY_LEN))
			return i;
}

static uint64_t nt_get(const struct nonce_table *t, const uint8_t *key)
{
	return t->cap ? t->slot[nt_find(t, key)].nonce : 0;
}

static int nt_set(struct nonce_table *t, const uint8_t *key, uint64_t nonce)
{
	size_t i;

	if ((t->used + 1) * 2 > t->cap) {
		struct nonce_table bigger = {.cap = t->cap ? t->cap * 2 : 64};

		bigger.slot = calloc(bigger.cap, sizeof(*bigger.slot));
		if (!bigger.slot)
			return -1;
		for (i = 0; i < t->cap; i++) {
			if (t->slot[i].nonce)
				bigger.slot[nt_find(&bigger, t->slot[i].key)] = t->slot[i];
		}
		bigger.used = t->used;
		free(t->slot);
		*t = bigger;
	}
	i = nt_find(t, key);
	if (!t->slot[i].nonce) {
		memcpy(t->slot[i].key, key, GCD_PUBKEY_LEN);
		t->used++;
	}
	t->slot[i].nonce = nonce;
	return 0;
}

static int nonce_in_table(void *ctx, const uint8_t sender[GCD_PUBKEY_LEN], uint64_t *last)
{
	*last = nt_get(ctx, sender);
	return 0;
}

struct verify {
	struct ledger *l;
	MDB_txn *txn;
	struct ledger_report *r;
	struct nonce_table nonces;
	struct gcd_block *b;
};

__attribute__((format(printf, 3, 4))) static int bad(struct verify *vf, uint64_t height,
						     const char *fmt, ...)
{
	va_list ap;

	vf->r->ok = false;
	vf->r->bad_height = height;
	va_start(ap, fmt);
	vsnprintf(vf->r->msg, sizeof(vf->r->msg), fmt, ap);
	va_end(ap);
	return set_err(vf->l, LEDGER_ECORRUPT, "%s", vf->r->msg);
}

/* An index record must say exactly want (wlen bytes). */
static int index_is(struct verify *vf, MDB_dbi dbi, const uint8_t *key, size_t klen,
		    const uint8_t *want, size_t wlen, int *mrc)
{
	MDB_val k = val(key, klen), v;

	*mrc = mdb_get(vf->txn, dbi, &k, &v);
	if (*mrc)
		return *mrc == MDB_NOTFOUND ? 0 : -1;
	return v.mv_size == wlen && !memcmp(v.mv_data, want, wlen);
}

static int verify_block(struct verify *vf, uint64_t h, const MDB_val *v, struct gcd_prev *prev)
{
	struct gcd_block *b = vf->b;
	uint8_t hash[GCD_HASH_LEN], hk[8], loc[10];
	struct gcd_cert c;
	enum gcd_err e;
	unsigned int i, bad_entry;
	int bad_tx, mrc, ok;
	MDB_val k, cv;

	e = gcd_block_decode(v->mv_data, v->mv_size, b);
	if (e)
		return bad(vf, h, "block %llu: %s", (unsigned long long)h, gcd_strerror(e));
	if (b->height != h)
		return bad(vf, h, "block %llu says height %llu", (unsigned long long)h,
			   (unsigned long long)b->height);
	gcd_block_hash(v->mv_data, v->mv_size, hash);
	e = gcd_block_check(b, &vf->l->g, prev, nonce_in_table, &vf->nonces, &bad_tx);
	if (e == GCD_E_NOMEM)
		return set_err(vf->l, LEDGER_ENOMEM, "out of memory");
	if (e && bad_tx >= 0)
		return bad(vf, h, "block %llu, tx %d: %s", (unsigned long long)h, bad_tx,
			   gcd_strerror(e));
	if (e)
		return bad(vf, h, "block %llu: %s", (unsigned long long)h, gcd_strerror(e));
	put_u64(hk, h);
	k = val(hk, 8);
	mrc = mdb_get(vf->txn, vf->l->certs, &k, &cv);
	if (mrc == MDB_NOTFOUND)
		return bad(vf, h, "block %llu has no certificate", (unsigned long long)h);
	if (mrc)
		return mdb_fail(vf->l, mrc, "reading a certificate");
	e = gcd_cert_decode(cv.mv_data, cv.mv_size, &c);
	if (e)
		return bad(vf, h, "certificate %llu: %s", (unsigned long long)h, gcd_strerror(e));
	if (c.height != h || memcmp(c.hash, hash, GCD_HASH_LEN))
		return bad(vf, h, "certificate %llu: %s", (unsigned long long)h,
			   gcd_strerror(GCD_E_CERT_TARGET));
	e = gcd_cert_check(&c, &vf->l->g, &bad_entry);
	if (e)
		return bad(vf, h, "certificate %llu, entry %u: %s", (unsigned long long)h,
			   bad_entry, gcd_strerror(e));
	ok = index_is(vf, vf->l->hashes, hash, GCD_HASH_LEN, hk, 8, &mrc);
	if (ok < 0)
		return mdb_fail(vf->l, mrc, "reading the hashes index");
	if (!ok)
		return bad(vf, h, "hashes index: block %llu's hash is not recorded at it",
			   (unsigned long long)h);
	for (i = 0; i < b->n_txs; i++) {
		uint8_t id[GCD_HASH_LEN];

		gcd_tx_id(b->tx[i].p, b->tx[i].len, id);
		memcpy(loc, hk, 8);
		loc[8] = (uint8_t)(i >> 8);
		loc[9] = (uint8_t)i;
		ok = index_is(vf, vf->l->txs, id, GCD_HASH_LEN, loc, sizeof(loc), &mrc);
		if (ok < 0)
			return mdb_fail(vf->l, mrc, "reading the txs index");
		if (!ok)
			return bad(vf, h, "txs index: tx %u of block %llu is not recorded there", i,
				   (unsigned long long)h);
		if (nt_set(&vf->nonces, b->tx[i].p + 2, get_u64(b->tx[i].p + 2 + GCD_PUBKEY_LEN)))
			return set_err(vf->l, LEDGER_ENOMEM, "out of memory");
	}
	vf->r->txs += b->n_txs;
	prev->height = h;
	memcpy(prev->hash, hash, GCD_HASH_LEN);
	prev->time_ms = b->time_ms;
	return LEDGER_OK;
}

/* After the blocks: the head and the indexes hold nothing else. */
static int verify_tail(struct verify *vf, const struct gcd_prev *last)
{
	struct ledger *l = vf->l;
	struct gcd_prev head;
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	rc = get_head(l, vf->txn, &head);
	if (rc == LEDGER_ECORRUPT)
		return bad(vf, 0, "%s", l->msg);
	if (rc)
		return rc;
	if (head.height != last->height || memcmp(head.hash, last->hash, GCD_HASH_LEN))
		return bad(vf, 0, "head (%llu) is not the last good block (%llu)",
			   (unsigned long long)head.height, (unsigned long long)last->height);
	if (db_entries(vf->txn, l->hashes) != vf->r->blocks)
		return bad(vf, 0, "hashes index has %llu records for %llu blocks",
			   (unsigned long long)db_entries(vf->txn, l->hashes),
			   (unsigned long long)vf->r->blocks);
	if (db_entries(vf->txn, l->certs) != vf->r->blocks)
		return bad(vf, 0, "%llu certificates for %llu blocks",
			   (unsigned long long)db_entries(vf->txn, l->certs),
			   (unsigned long long)vf->r->blocks);
	if (db_entries(vf->txn, l->txs) != vf->r->txs)
		return bad(vf, 0, "txs index has %llu records for %llu transactions",
			   (unsigned long long)db_entries(vf->txn, l->txs),
			   (unsigned long long)vf->r->txs);
	if (db_entries(vf->txn, l->nonces) != vf->nonces.used)
		return bad(vf, 0, "nonces index has %llu senders, the blocks %zu",
			   (unsigned long long)db_entries(vf->txn, l->nonces), vf->nonces.used);
	rc = mdb_cursor_open(vf->txn, l->nonces, &cur);
	if (rc)
		return mdb_fail(l, rc, "opening a cursor");
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); !rc;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (k.mv_size != GCD_PUBKEY_LEN || v.mv_size != 8 ||
		    nt_get(&vf->nonces, k.mv_data) != get_u64(v.mv_data)) {
			mdb_cursor_close(cur);
			return bad(vf, 0,
				   "nonces index: a sender's nonce is not the last in the "
				   "blocks");
		}
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return mdb_fail(l, rc, "reading the nonces index");
	return LEDGER_OK;
}

int ledger_verify_open(struct ledger *l, struct ledger_report *report)
{
	struct verify vf = {.l = l, .r = report};
	struct gcd_prev prev = {.height = 0, .time_ms = l->g.time_ms};
	MDB_val gk = meta_key(META_GENESIS), k, v;
	MDB_cursor *cur = NULL;
	int rc, mrc;

	memset(report, 0, sizeof(*report));
	memcpy(prev.hash, l->g.hash, GCD_HASH_LEN);
	vf.b = malloc(sizeof(*vf.b));
	if (!vf.b)
		return set_err(l, LEDGER_ENOMEM, "out of memory");
	rc = read_begin(l, &vf.txn);
	if (rc) {
		free(vf.b);
		return rc;
	}
	mrc = mdb_get(vf.txn, l->meta, &gk, &v);
	if (mrc && mrc != MDB_NOTFOUND) {
		rc = mdb_fail(l, mrc, "reading the genesis hash");
		goto out;
	}
	if (mrc || v.mv_size != GCD_HASH_LEN || memcmp(v.mv_data, l->g.hash, GCD_HASH_LEN)) {
		bad(&vf, 0,
		    "the ledger belongs to another genesis (meta genesis is not this "
		    "genesis' hash)");
		rc = set_err(l, LEDGER_EGENESIS, "%s", report->msg);
		goto out;
	}
	mrc = mdb_cursor_open(vf.txn, l->blocks, &cur);
	if (mrc) {
		rc = mdb_fail(l, mrc, "opening a cursor");
		goto out;
	}
	for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); !mrc;
	     mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		uint64_t h = prev.height + 1;

		if (k.mv_size != 8 || get_u64(k.mv_data) != h) {
			rc = bad(&vf, h, "block %llu is missing (next key is %s)",
				 (unsigned long long)h,
				 k.mv_size == 8 ? "a later height" : "not a height");
			goto out;
		}
		rc = verify_block(&vf, h, &v, &prev);
		if (rc)
			goto out;
		report->blocks++;
	}
	if (mrc != MDB_NOTFOUND) {
		rc = mdb_fail(l, mrc, "reading blocks");
		goto out;
	}
	rc = verify_tail(&vf, &prev);
	if (!rc) {
		report->ok = true;
		l->msg[0] = '\0';
	}
out:
	if (cur)
		mdb_cursor_close(cur);
	mdb_txn_abort(vf.txn);
	free(vf.nonces.slot);
	free(vf.b);
	return rc;
}

int ledger_verify(const char *dir, const struct gcd_genesis *g, struct ledger_report *report)
{
	struct ledger_opts o = {.flags = LEDGER_RDONLY};
	struct ledger *l;
	int rc;

	memset(report, 0, sizeof(*report));
	rc = open_ledger(&l, dir, g, &o, false, report->msg, sizeof(report->msg));
	if (rc)
		return rc;
	rc = ledger_verify_open(l, report);
	ledger_close(l);
	return rc;
}
