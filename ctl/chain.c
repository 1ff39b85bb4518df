// SPDX-License-Identifier: GPL-2.0
/*
 * gcctl chain | block H|HASH | tx ID: the ledger gcd keeps, read from its
 * state dir (LMDB, read-only: a consistent snapshot while gcd writes). A
 * tx that is not in the ledger is looked up in the kernel's item store:
 * held there and not rejected, it is pending.
 */
#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain.h"
#include "decode.h"
#include "gcctl.h"
#include "genesis.h"
#include "ledger.h"
#include "parse.h"

#define DEFAULT_STATE_DIR "/var/lib/gcd"
#define HASH_HEX_LEN	  (2 * GCD_HASH_LEN)

struct view {
	struct gcd_genesis g;
	struct ledger *l;
	uint8_t block[GCD_BLOCK_MAX], cert[GCD_CERT_MAX];
	size_t block_len, cert_len;
	struct gcd_block b;
	struct gcd_cert c;
};

static void tohex(const uint8_t *p, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * len] = '\0';
}

static json_object *jhex(const uint8_t *p, size_t len)
{
	char s[2 * GCD_MAX_VALIDATORS * GCD_SIG_LEN + 1];

	if (2 * len >= sizeof(s))
		return NULL;
	tohex(p, len, s);
	return json_object_new_string(s);
}

static void time_str(uint64_t ms, char *out, size_t len)
{
	gc_format_time_us(ms * 1000, out, len);
}

/* "dir DIR" (or nothing), the only option these commands take after their argument. */
static int parse_dir(int argc, char **argv, const char **dir)
{
	*dir = DEFAULT_STATE_DIR;
	if (argc == 0)
		return 0;
	if (argc == 2 && !strcmp(argv[0], "dir")) {
		*dir = argv[1];
		return 0;
	}
	return -1;
}

static int open_view(struct gcctl *c, const char *dir, struct view **out)
{
	char err[512];
	struct view *v = calloc(1, sizeof(*v));

	*out = NULL;
	if (!v)
		return gc_fail(c, "out of memory");
	if (gcd_genesis_keep(NULL, dir, &v->g, err, sizeof(err)) ||
	    ledger_open(&v->l, dir, &v->g, LEDGER_RDONLY, err, sizeof(err))) {
		free(v);
		return gc_fail(c, "%s (is gcd's state dir %s? dir DIR names another)", err, dir);
	}
	*out = v;
	return GC_EXIT_OK;
}

static void close_view(struct view *v)
{
	if (!v)
		return;
	ledger_close(v->l);
	free(v);
}

/* The block at height h and its certificate, decoded into v. */
static int load_block(struct gcctl *c, struct view *v, uint64_t h)
{
	int rc = ledger_get_block(v->l, h, v->block, sizeof(v->block), &v->block_len);

	if (rc == LEDGER_NOTFOUND)
		return gc_fail(c, "no block at height %llu", (unsigned long long)h);
	if (rc || ledger_get_cert(v->l, h, v->cert, sizeof(v->cert), &v->cert_len))
		return gc_fail(c, "%s", ledger_errmsg(v->l));
	if (gcd_block_decode(v->block, v->block_len, &v->b) ||
	    gcd_cert_decode(v->cert, v->cert_len, &v->c))
		return gc_fail(c, "the block at height %llu does not decode: run gcd verify",
			       (unsigned long long)h);
	return GC_EXIT_OK;
}

static const char *validator_name(const struct view *v, unsigned int i)
{
	return i < v->g.n ? v->g.v[i].name : "?";
}

/* ---- gcctl chain ---- */

static int count_evidence(void *ctx, const struct gcd_vote *a, const struct gcd_vote *b)
{
	(void)a;
	(void)b;
	++*(uint64_t *)ctx;
	return 0;
}

int gc_cmd_chain(struct gcctl *c, int argc, char **argv)
{
	char hash[HASH_HEX_LEN + 1], when[64], pub[2 * GCD_PUBKEY_LEN + 1];
	uint64_t rejected = 0, evidence = 0;
	struct gcd_prev h;
	struct view *v;
	const char *dir;
	uint32_t i;
	int ret;

	c->what = "chain";
	if (parse_dir(argc, argv, &dir))
		return gc_usage_error("usage: gcctl chain [dir DIR]");
	ret = open_view(c, dir, &v);
	if (ret)
		return ret;
	if (ledger_head(v->l, &h) || ledger_rejected_count(v->l, &rejected) ||
	    ledger_evidence_foreach(v->l, count_evidence, &evidence)) {
		ret = gc_fail(c, "%s", ledger_errmsg(v->l));
		goto out;
	}
	tohex(h.hash, GCD_HASH_LEN, hash);
	time_str(h.time_ms, when, sizeof(when));
	if (c->json) {
		json_object *o = json_object_new_object(), *vals = json_object_new_array();

		json_object_object_add(o, "chain_id", json_object_new_string(v->g.chain_id));
		json_object_object_add(o, "genesis", jhex(v->g.hash, GCD_HASH_LEN));
		json_object_object_add(o, "height", json_object_new_uint64(h.height));
		json_object_object_add(o, "head", json_object_new_string(hash));
		json_object_object_add(o, "head_time_ms", json_object_new_uint64(h.time_ms));
		json_object_object_add(o, "head_time", json_object_new_string(when));
		json_object_object_add(o, "rejected_txs", json_object_new_uint64(rejected));
		json_object_object_add(o, "evidence", json_object_new_uint64(evidence));
		for (i = 0; i < v->g.n; i++) {
			json_object *e = json_object_new_object();

			json_object_object_add(e, "index", json_object_new_int((int)i));
			json_object_object_add(e, "name", json_object_new_string(v->g.v[i].name));
			json_object_object_add(e, "pub_key", jhex(v->g.v[i].pub, GCD_PUBKEY_LEN));
			json_object_array_add(vals, e);
		}
		json_object_object_add(o, "validators", vals);
		gc_print_json(o, false);
		goto out;
	}
	printf("chain: %s\n", v->g.chain_id);
	tohex(v->g.hash, GCD_HASH_LEN, pub);
	printf("  genesis: %s\n", pub);
	printf("  height: %llu\n", (unsigned long long)h.height);
	printf("  head: %s\n", hash);
	printf("  %s: %s\n", h.height ? "last commit" : "genesis time", when);
	printf("  rejected transactions: %llu\n", (unsigned long long)rejected);
	printf("  evidence records: %llu\n", (unsigned long long)evidence);
	printf("  validators: %u (a block needs %u precommits)\n", v->g.n, 2 * v->g.n / 3 + 1);
	for (i = 0; i < v->g.n; i++) {
		tohex(v->g.v[i].pub, GCD_PUBKEY_LEN, pub);
		printf("    %-3u %-20s %s\n", i, v->g.v[i].name, pub);
	}
out:
	close_view(v);
	return ret;
}

/* ---- gcctl block ---- */

static bool printable(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!isprint(p[i]) && p[i] != '\t')
			return false;
	return true;
}

static json_object *tx_json(const struct gcd_tx *tx, const uint8_t id[GCD_HASH_LEN])
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", jhex(id, GCD_HASH_LEN));
	json_object_object_add(
		o, "kind", json_object_new_string(tx->kind == GCD_TX_MEMBER ? "member" : "app"));
	json_object_object_add(o, "sender", jhex(tx->sender, GCD_PUBKEY_LEN));
	json_object_object_add(o, "nonce", json_object_new_uint64(tx->nonce));
	if (printable(tx->payload, tx->payload_len))
		json_object_object_add(
			o, "payload",
			json_object_new_string_len((const char *)tx->payload, tx->payload_len));
	else
		json_object_object_add(o, "payload_hex", jhex(tx->payload, tx->payload_len));
	return o;
}

static void print_tx(const char *indent, const struct gcd_tx *tx, const uint8_t id[GCD_HASH_LEN])
{
	char idhex[HASH_HEX_LEN + 1], sender[2 * GCD_PUBKEY_LEN + 1];
	size_t i;

	tohex(id, GCD_HASH_LEN, idhex);
	tohex(tx->sender, GCD_PUBKEY_LEN, sender);
	printf("%s%s %s nonce %llu sender %.16s ", indent, idhex,
	       tx->kind == GCD_TX_MEMBER ? "member" : "app", (unsigned long long)tx->nonce, sender);
	if (printable(tx->payload, tx->payload_len)) {
		printf("'%.*s'\n", (int)tx->payload_len, (const char *)tx->payload);
		return;
	}
	printf("0x");
	for (i = 0; i < tx->payload_len && i < 32; i++)
		printf("%02x", tx->payload[i]);
	printf("%s (%u bytes)\n", tx->payload_len > 32 ? "..." : "", tx->payload_len);
}

static json_object *signers_json(const struct view *v, const struct gcd_cert *c)
{
	json_object *a = json_object_new_array();
	unsigned int i;

	for (i = 0; i < c->count; i++)
		json_object_array_add(a, json_object_new_string(validator_name(v, c->index[i])));
	return a;
}

static void print_signers(const struct view *v, const struct gcd_cert *c)
{
	unsigned int i;

	for (i = 0; i < c->count; i++)
		printf("%s%s", i ? " " : "", validator_name(v, c->index[i]));
	printf(" (%u of %u)\n", c->count, v->g.n);
}

static int show_block(struct gcctl *c, struct view *v, uint64_t height)
{
	char hash[HASH_HEX_LEN + 1], prev[HASH_HEX_LEN + 1], root[HASH_HEX_LEN + 1], when[64];
	uint8_t h[GCD_HASH_LEN], id[GCD_HASH_LEN];
	struct gcd_tx tx;
	unsigned int i;
	int ret = load_block(c, v, height);

	if (ret)
		return ret;
	gcd_block_hash(v->block, v->block_len, h);
	tohex(h, GCD_HASH_LEN, hash);
	tohex(v->b.prev_hash, GCD_HASH_LEN, prev);
	tohex(v->b.tx_root, GCD_HASH_LEN, root);
	time_str(v->b.time_ms, when, sizeof(when));
	if (c->json) {
		json_object *o = json_object_new_object(), *txs = json_object_new_array();

		json_object_object_add(o, "height", json_object_new_uint64(v->b.height));
		json_object_object_add(o, "hash", json_object_new_string(hash));
		json_object_object_add(o, "round", json_object_new_int64(v->b.round));
		json_object_object_add(o, "time_ms", json_object_new_uint64(v->b.time_ms));
		json_object_object_add(o, "time", json_object_new_string(when));
		json_object_object_add(o, "prev_hash", json_object_new_string(prev));
		json_object_object_add(o, "tx_root", json_object_new_string(root));
		json_object_object_add(o, "proposer",
				       json_object_new_string(validator_name(v, v->b.proposer)));
		json_object_object_add(o, "size", json_object_new_uint64(v->block_len));
		json_object_object_add(o, "last_commit", signers_json(v, &v->b.last_commit));
		json_object_object_add(o, "commit_round", json_object_new_int64(v->c.round));
		json_object_object_add(o, "commit", signers_json(v, &v->c));
		for (i = 0; i < v->b.n_txs; i++) {
			if (gcd_tx_decode(v->b.tx[i].p, v->b.tx[i].len, &tx))
				continue; /* cannot be: the ledger checked it */
			gcd_tx_id(v->b.tx[i].p, v->b.tx[i].len, id);
			json_object_array_add(txs, tx_json(&tx, id));
		}
		json_object_object_add(o, "txs", txs);
		gc_print_json(o, false);
		return GC_EXIT_OK;
	}
	printf("block %llu: %s\n", (unsigned long long)v->b.height, hash);
	printf("  time: %s\n", when);
	printf("  previous: %s\n", prev);
	printf("  tx root: %s\n", root);
	printf("  proposer: %s, round %u\n", validator_name(v, v->b.proposer), v->b.round);
	printf("  size: %zu bytes\n", v->block_len);
	if (v->b.height > 1) {
		printf("  last commit: ");
		print_signers(v, &v->b.last_commit);
	}
	printf("  committed in round %u by: ", v->c.round);
	print_signers(v, &v->c);
	printf("  transactions: %u\n", v->b.n_txs);
	for (i = 0; i < v->b.n_txs; i++) {
		if (gcd_tx_decode(v->b.tx[i].p, v->b.tx[i].len, &tx))
			continue;
		gcd_tx_id(v->b.tx[i].p, v->b.tx[i].len, id);
		print_tx("    ", &tx, id);
	}
	return GC_EXIT_OK;
}

int gc_cmd_block(struct gcctl *c, int argc, char **argv)
{
	uint8_t hash[GCD_HASH_LEN];
	unsigned long long height;
	struct view *v;
	const char *dir;
	char *end;
	int ret;

	c->what = "block";
	if (argc < 1 || parse_dir(argc - 1, argv + 1, &dir))
		return gc_usage_error("usage: gcctl block HEIGHT|HASH [dir DIR]");
	errno = 0;
	height = strtoull(argv[0], &end, 10);
	if (strlen(argv[0]) == HASH_HEX_LEN) {
		if (gc_parse_hex(argv[0], hash, sizeof(hash)) < 0)
			return gc_usage_error("block: '%s' is not a block hash", argv[0]);
		height = 0;
	} else if (!isdigit((unsigned char)argv[0][0]) || *end || errno || !height) {
		return gc_usage_error("block: '%s' is neither a height (1 on) nor a hash "
				      "(%d hexadecimal digits)",
				      argv[0], HASH_HEX_LEN);
	}
	ret = open_view(c, dir, &v);
	if (ret)
		return ret;
	if (!height) {
		uint64_t h;
		int rc = ledger_find_block(v->l, hash, &h);

		if (rc) {
			ret = rc == LEDGER_NOTFOUND ? gc_fail(c, "no block with hash %s", argv[0])
						    : gc_fail(c, "%s", ledger_errmsg(v->l));
			goto out;
		}
		height = h;
	}
	ret = show_block(c, v, height);
out:
	close_view(v);
	return ret;
}

/* ---- gcctl tx ---- */

struct item_reply {
	struct gc_item_info it;
	bool got;
};

static int item_cb(const struct nlmsghdr *nlh, void *data)
{
	struct item_reply *r = data;

	if (gc_decode_item(nlh, &r->it) == MNL_CB_OK)
		r->got = true;
	return MNL_CB_OK;
}

/* What the kernel's item store says of id: 1 held (state in *r), 0 not, -1 error. */
static int kernel_item(struct gcctl *c, const uint8_t id[GCD_HASH_LEN], struct item_reply *r)
{
	char buf[GC_NL_BUFSZ];
	struct gc_nl_error e;
	struct nlmsghdr *req = gc_request(c, buf, GC_CMD_ITEM_GET, 0);

	if (!req)
		return -1;
	mnl_attr_put(req, GC_A_ITEM_ID, GC_ITEM_ID_SIZE, id);
	if (gc_nl_talk(&c->nl, req, item_cb, r, &e) < 0) {
		if (e.err == ENOENT)
			return 0;
		gc_fail_nl(c, &e);
		return -1;
	}
	return r->got && !memcmp(r->it.id, id, GC_ITEM_ID_SIZE);
}

static int tx_committed(struct gcctl *c, struct view *v, const uint8_t id[GCD_HASH_LEN],
			uint64_t height, uint16_t index)
{
	char bhash[HASH_HEX_LEN + 1];
	uint8_t h[GCD_HASH_LEN];
	struct gcd_tx tx;
	int ret = load_block(c, v, height);

	if (ret)
		return ret;
	if (index >= v->b.n_txs || gcd_tx_decode(v->b.tx[index].p, v->b.tx[index].len, &tx))
		return gc_fail(c, "the ledger's tx index is wrong: run gcd verify");
	gcd_block_hash(v->block, v->block_len, h);
	tohex(h, GCD_HASH_LEN, bhash);
	if (c->json) {
		json_object *o = tx_json(&tx, id);

		json_object_object_add(o, "status", json_object_new_string("committed"));
		json_object_object_add(o, "height", json_object_new_uint64(height));
		json_object_object_add(o, "index", json_object_new_int(index));
		json_object_object_add(o, "block", json_object_new_string(bhash));
		gc_print_json(o, false);
		return GC_EXIT_OK;
	}
	printf("committed at height %llu (block %s, transaction %u)\n", (unsigned long long)height,
	       bhash, index);
	print_tx("  ", &tx, id);
	return GC_EXIT_OK;
}

int gc_cmd_tx(struct gcctl *c, int argc, char **argv)
{
	uint8_t id[GCD_HASH_LEN];
	char reason[LEDGER_REASON_MAX + 1];
	struct item_reply r = {0};
	const char *status, *state;
	struct view *v;
	const char *dir;
	uint64_t height;
	uint16_t index;
	int ret, rc;

	c->what = "tx";
	if (argc < 1 || parse_dir(argc - 1, argv + 1, &dir))
		return gc_usage_error("usage: gcctl tx ID [dir DIR]");
	if (gc_parse_hex(argv[0], id, sizeof(id)) < 0)
		return gc_usage_error("tx: '%s' is not a transaction id (%d hexadecimal digits)",
				      argv[0], HASH_HEX_LEN);
	ret = open_view(c, dir, &v);
	if (ret)
		return ret;
	rc = ledger_find_tx(v->l, id, &height, &index);
	if (rc == LEDGER_OK) {
		ret = tx_committed(c, v, id, height, index);
		goto out;
	}
	if (rc == LEDGER_NOTFOUND)
		rc = ledger_rejected(v->l, id, reason, sizeof(reason));
	if (rc != LEDGER_OK && rc != LEDGER_NOTFOUND) {
		ret = gc_fail(c, "%s", ledger_errmsg(v->l));
		goto out;
	}
	if (rc == LEDGER_OK) {
		status = "rejected";
		state = NULL;
	} else {
		/* Not in the ledger: the kernel holds it while gcd's mempool does. */
		rc = kernel_item(c, id, &r);
		if (rc < 0) {
			ret = GC_EXIT_FAIL;
			goto out;
		}
		/* A rejected item is its id alone: no type to check. */
		if (!rc || (r.it.state != GC_ITEM_STATE_REJECTED && r.it.type != GCD_ITEM_TX)) {
			ret = gc_fail(c, "no transaction %s is known here", argv[0]);
			goto out;
		}
		status = r.it.state == GC_ITEM_STATE_REJECTED ? "rejected" : "pending";
		state = gc_item_state_name(r.it.state);
		snprintf(reason, sizeof(reason), "%s",
			 r.it.state == GC_ITEM_STATE_REJECTED ? "the verifier rejected it" : "");
	}
	if (c->json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "id", jhex(id, GCD_HASH_LEN));
		json_object_object_add(o, "status", json_object_new_string(status));
		if (reason[0] && !strcmp(status, "rejected"))
			json_object_object_add(o, "reason", json_object_new_string(reason));
		if (state)
			json_object_object_add(o, "item_state", json_object_new_string(state));
		gc_print_json(o, false);
	} else if (!strcmp(status, "rejected")) {
		printf("rejected: %s\n", reason);
	} else {
		printf("pending (the item is %s; not in a block yet)\n", state);
	}
out:
	close_view(v);
	return ret;
}
