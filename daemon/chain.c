// SPDX-License-Identifier: GPL-2.0
/*
 * gcd's chain formats: see chain.h. Decoding reads through a cursor that
 * never moves past the end; encoding writes through one that refuses to.
 */
#include "chain.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/node_name.h"
#include "genesis.h"

static const char *const err_text[GCD_E__COUNT] = {
	[GCD_OK] = "ok",
	[GCD_E_TRUNCATED] = "truncated: the input ends inside a field",
	[GCD_E_TRAILING] = "trailing bytes after the encoding",
	[GCD_E_VERSION] = "unknown version (only 1 is defined)",
	[GCD_E_TX_KIND] = "unknown transaction kind (0 application, 1 membership event)",
	[GCD_E_NONCE_ZERO] = "nonce 0 (nonces count from 1)",
	[GCD_E_PAYLOAD_LEN] = "payload length out of range (0 to 4096 bytes)",
	[GCD_E_MEMBER_PAYLOAD] = "membership payload is not \"member NAME EVENT INCARNATION\"",
	[GCD_E_HEIGHT_ZERO] = "height 0 (the genesis has no encoding; heights count from 1)",
	[GCD_E_TOO_LARGE] = "encoding longer than its maximum",
	[GCD_E_TX_LEN] = "transaction length out of range",
	[GCD_E_TX_COUNT] = "more transactions than a block can hold",
	[GCD_E_LAST_COMMIT] = "last commit not empty at height 1, or not the previous height's",
	[GCD_E_CERT_EMPTY] = "certificate without signatures",
	[GCD_E_CERT_ORDER] = "certificate validator indices not strictly increasing",
	[GCD_E_VALIDATOR_INDEX] = "validator index out of range",
	[GCD_E_POL_ROUND] = "pol_round out of range (-1, or below the round)",
	[GCD_E_BLOCK_MISMATCH] = "block height differs from the proposal's or its round is later",
	[GCD_E_VOTE_TYPE] = "unknown vote type (1 prevote, 2 precommit)",
	[GCD_E_HAS_BLOCK] = "has_block is neither 0 nor 1",
	[GCD_E_NIL_HASH] = "nil vote with a nonzero block hash",
	[GCD_E_NOSPACE] = "output buffer too small",
	[GCD_E_NOMEM] = "out of memory",
	[GCD_E_SIGNATURE] = "bad signature",
	[GCD_E_PROPOSER] = "not the proposer of this height and round",
	[GCD_E_QUORUM] = "certificate does not have more than 2n/3 validators",
	[GCD_E_CERT_TARGET] = "certificate is for another height or block",
	[GCD_E_HEIGHT_ORDER] = "height does not follow the previous block",
	[GCD_E_PREV_HASH] = "prev_hash is not the previous block's hash",
	[GCD_E_TX_ROOT] = "tx_root is not the Merkle root of the transactions",
	[GCD_E_TIME] = "time_ms not after the previous block's (or before the genesis time)",
	[GCD_E_NONCE_ORDER] = "nonce does not follow the sender's last one",
	[GCD_E_LOOKUP] = "nonce lookup failed",
};

const char *gcd_strerror(enum gcd_err e)
{
	if ((unsigned int)e >= GCD_E__COUNT || !err_text[e])
		return "unknown error";
	return err_text[e];
}

/* ---- cursors ---- */

struct rd {
	const uint8_t *p;
	size_t len, off;
};

static bool rd_bytes(struct rd *r, size_t n, const uint8_t **out)
{
	if (r->len - r->off < n)
		return false;
	*out = r->p + r->off;
	r->off += n;
	return true;
}

static bool rd_copy(struct rd *r, void *dst, size_t n)
{
	const uint8_t *p;

	if (!rd_bytes(r, n, &p))
		return false;
	memcpy(dst, p, n);
	return true;
}

static bool rd_u8(struct rd *r, uint8_t *v)
{
	return rd_copy(r, v, 1);
}

static bool rd_u16(struct rd *r, uint16_t *v)
{
	const uint8_t *p;

	if (!rd_bytes(r, 2, &p))
		return false;
	*v = (uint16_t)((unsigned int)p[0] << 8 | p[1]);
	return true;
}

static bool rd_u32(struct rd *r, uint32_t *v)
{
	const uint8_t *p;

	if (!rd_bytes(r, 4, &p))
		return false;
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return true;
}

static bool rd_u64(struct rd *r, uint64_t *v)
{
	uint32_t hi, lo;

	if (!rd_u32(r, &hi) || !rd_u32(r, &lo))
		return false;
	*v = (uint64_t)hi << 32 | lo;
	return true;
}

struct wr {
	uint8_t *p;
	size_t cap, off;
	bool full;
};

static void wr_bytes(struct wr *w, const void *src, size_t n)
{
	if (w->full || w->cap - w->off < n) {
		w->full = true;
		return;
	}
	if (n)
		memcpy(w->p + w->off, src, n);
	w->off += n;
}

static void wr_u8(struct wr *w, uint8_t v)
{
	wr_bytes(w, &v, 1);
}

static void wr_u16(struct wr *w, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	wr_bytes(w, b, sizeof(b));
}

static void wr_u32(struct wr *w, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};

	wr_bytes(w, b, sizeof(b));
}

static void wr_u64(struct wr *w, uint64_t v)
{
	wr_u32(w, (uint32_t)(v >> 32));
	wr_u32(w, (uint32_t)v);
}

static enum gcd_err wr_done(const struct wr *w, size_t *len)
{
	if (w->full)
		return GCD_E_NOSPACE;
	*len = w->off;
	return GCD_OK;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;
	size_t i;

	for (i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

/* ---- membership payloads ---- */

static const char *const mev_names[] = {
	[GCD_MEV_ALIVE] = "alive",
	[GCD_MEV_DEAD] = "dead",
	[GCD_MEV_LEFT] = "left",
	[GCD_MEV_SUSPECT] = "suspect",
};

const char *gcd_member_ev_name(enum gcd_member_ev e)
{
	if ((unsigned int)e >= sizeof(mev_names) / sizeof(mev_names[0]))
		return NULL;
	return mev_names[e];
}

/* The next space-separated word of p[*off..len): at least one byte, no space. */
static bool next_word(const uint8_t *p, size_t len, size_t *off, size_t *start, size_t *wlen)
{
	size_t i = *off;

	*start = i;
	while (i < len && p[i] != ' ')
		i++;
	*wlen = i - *start;
	if (*wlen == 0)
		return false;
	if (i < len)
		i++; /* the separator */
	*off = i;
	return true;
}

enum gcd_err gcd_member_payload_parse(const uint8_t *p, size_t len, struct gcd_member_event *out)
{
	size_t off = 0, s, n, i;
	uint64_t inc = 0;
	bool found = false;

	/* "member " */
	if (!next_word(p, len, &off, &s, &n) || n != 6 || memcmp(p + s, "member", 6) || off == len)
		return GCD_E_MEMBER_PAYLOAD;
	if (!next_word(p, len, &off, &s, &n) || !gc_node_name_valid((const char *)p + s, n) ||
	    off == len || p[off - 1] != ' ')
		return GCD_E_MEMBER_PAYLOAD;
	memcpy(out->name, p + s, n);
	out->name[n] = '\0';
	if (!next_word(p, len, &off, &s, &n) || off == len || p[off - 1] != ' ')
		return GCD_E_MEMBER_PAYLOAD;
	for (i = 0; i < sizeof(mev_names) / sizeof(mev_names[0]); i++) {
		if (strlen(mev_names[i]) == n && !memcmp(p + s, mev_names[i], n)) {
			out->event = (enum gcd_member_ev)i;
			found = true;
		}
	}
	if (!found)
		return GCD_E_MEMBER_PAYLOAD;
	/* The incarnation runs to the end: decimal, u32, no leading zero. */
	s = off;
	n = len - off;
	if (n == 0 || n > 10 || (n > 1 && p[s] == '0'))
		return GCD_E_MEMBER_PAYLOAD;
	for (i = 0; i < n; i++) {
		if (p[s + i] < '0' || p[s + i] > '9')
			return GCD_E_MEMBER_PAYLOAD;
		inc = inc * 10 + (uint64_t)(p[s + i] - '0');
	}
	if (inc > UINT32_MAX)
		return GCD_E_MEMBER_PAYLOAD;
	out->incarnation = (uint32_t)inc;
	return GCD_OK;
}

int gcd_member_payload_format(const struct gcd_member_event *e, char *buf, size_t cap)
{
	const char *ev = gcd_member_ev_name(e->event);
	size_t nlen = strnlen(e->name, sizeof(e->name));
	int n;

	if (!ev || !gc_node_name_valid(e->name, nlen))
		return -GCD_E_MEMBER_PAYLOAD;
	n = snprintf(buf, cap, "member %s %s %u", e->name, ev, (unsigned int)e->incarnation);
	if (n < 0)
		return -GCD_E_MEMBER_PAYLOAD;
	if ((size_t)n >= cap)
		return -GCD_E_NOSPACE;
	return n;
}

/* ---- transactions ---- */

static enum gcd_err tx_fields_ok(uint8_t kind, uint64_t nonce, const uint8_t *payload,
				 size_t payload_len)
{
	struct gcd_member_event ev;

	if (kind != GCD_TX_APP && kind != GCD_TX_MEMBER)
		return GCD_E_TX_KIND;
	if (nonce == 0)
		return GCD_E_NONCE_ZERO;
	if (payload_len > GCD_TX_PAYLOAD_MAX)
		return GCD_E_PAYLOAD_LEN;
	if (kind == GCD_TX_MEMBER)
		return gcd_member_payload_parse(payload, payload_len, &ev);
	return GCD_OK;
}

enum gcd_err gcd_tx_decode(const uint8_t *p, size_t len, struct gcd_tx *out)
{
	struct rd r = {.p = p, .len = len};
	uint8_t version;
	enum gcd_err e;

	if (!rd_u8(&r, &version))
		return GCD_E_TRUNCATED;
	if (version != GCD_VERSION)
		return GCD_E_VERSION;
	if (!rd_u8(&r, &out->kind))
		return GCD_E_TRUNCATED;
	if (out->kind != GCD_TX_APP && out->kind != GCD_TX_MEMBER)
		return GCD_E_TX_KIND;
	if (!rd_copy(&r, out->sender, GCD_PUBKEY_LEN) || !rd_u64(&r, &out->nonce))
		return GCD_E_TRUNCATED;
	if (out->nonce == 0)
		return GCD_E_NONCE_ZERO;
	if (!rd_u16(&r, &out->payload_len))
		return GCD_E_TRUNCATED;
	if (out->payload_len > GCD_TX_PAYLOAD_MAX)
		return GCD_E_PAYLOAD_LEN;
	if (!rd_bytes(&r, out->payload_len, &out->payload) || !rd_copy(&r, out->sig, GCD_SIG_LEN))
		return GCD_E_TRUNCATED;
	if (r.off != len)
		return GCD_E_TRAILING;
	e = tx_fields_ok(out->kind, out->nonce, out->payload, out->payload_len);
	return e;
}

size_t gcd_tx_len(const struct gcd_tx *tx)
{
	return GCD_TX_MIN_LEN + (size_t)tx->payload_len;
}

/* The encoding; with_sig false stops before the signature (the signed body). */
static enum gcd_err tx_write(const struct gcd_tx *tx, struct wr *w, bool with_sig)
{
	enum gcd_err e = tx_fields_ok(tx->kind, tx->nonce, tx->payload, tx->payload_len);

	if (e)
		return e;
	wr_u8(w, GCD_VERSION);
	wr_u8(w, tx->kind);
	wr_bytes(w, tx->sender, GCD_PUBKEY_LEN);
	wr_u64(w, tx->nonce);
	wr_u16(w, tx->payload_len);
	wr_bytes(w, tx->payload, tx->payload_len);
	if (with_sig)
		wr_bytes(w, tx->sig, GCD_SIG_LEN);
	return GCD_OK;
}

enum gcd_err gcd_tx_encode(const struct gcd_tx *tx, uint8_t *buf, size_t cap, size_t *len)
{
	struct wr w = {.p = buf, .cap = cap};
	enum gcd_err e = tx_write(tx, &w, true);

	return e ? e : wr_done(&w, len);
}

/* ---- commit certificates ---- */

static enum gcd_err cert_fields_ok(const struct gcd_cert *c)
{
	unsigned int i;

	if (c->height == 0)
		return GCD_E_HEIGHT_ZERO;
	if (c->count == 0)
		return GCD_E_CERT_EMPTY;
	if (c->count > GCD_MAX_VALIDATORS)
		return GCD_E_VALIDATOR_INDEX;
	for (i = 0; i < c->count; i++) {
		if (c->index[i] >= GCD_MAX_VALIDATORS)
			return GCD_E_VALIDATOR_INDEX;
		if (i && c->index[i] <= c->index[i - 1])
			return GCD_E_CERT_ORDER;
	}
	return GCD_OK;
}

static enum gcd_err cert_read(struct rd *r, struct gcd_cert *out)
{
	unsigned int i;

	if (!rd_u64(r, &out->height) || !rd_u32(r, &out->round) ||
	    !rd_copy(r, out->hash, GCD_HASH_LEN) || !rd_u16(r, &out->count))
		return GCD_E_TRUNCATED;
	if (out->height == 0)
		return GCD_E_HEIGHT_ZERO;
	if (out->count == 0)
		return GCD_E_CERT_EMPTY;
	/* Strictly increasing indices below GCD_MAX_VALIDATORS: at most that many. */
	if (out->count > GCD_MAX_VALIDATORS)
		return GCD_E_VALIDATOR_INDEX;
	for (i = 0; i < out->count; i++) {
		if (!rd_u16(r, &out->index[i]))
			return GCD_E_TRUNCATED;
		if (out->index[i] >= GCD_MAX_VALIDATORS)
			return GCD_E_VALIDATOR_INDEX;
		if (i && out->index[i] <= out->index[i - 1])
			return GCD_E_CERT_ORDER;
		if (!rd_copy(r, out->sig[i], GCD_SIG_LEN))
			return GCD_E_TRUNCATED;
	}
	return GCD_OK;
}

enum gcd_err gcd_cert_decode(const uint8_t *p, size_t len, struct gcd_cert *out)
{
	struct rd r = {.p = p, .len = len};
	enum gcd_err e;

	if (len > GCD_CERT_MAX)
		return GCD_E_TOO_LARGE;
	e = cert_read(&r, out);
	if (e)
		return e;
	return r.off == len ? GCD_OK : GCD_E_TRAILING;
}

size_t gcd_cert_len(const struct gcd_cert *c)
{
	return GCD_CERT_HEAD_LEN + (size_t)c->count * GCD_CERT_ENTRY_LEN;
}

static enum gcd_err cert_write(const struct gcd_cert *c, struct wr *w)
{
	enum gcd_err e = cert_fields_ok(c);
	unsigned int i;

	if (e)
		return e;
	wr_u64(w, c->height);
	wr_u32(w, c->round);
	wr_bytes(w, c->hash, GCD_HASH_LEN);
	wr_u16(w, c->count);
	for (i = 0; i < c->count; i++) {
		wr_u16(w, c->index[i]);
		wr_bytes(w, c->sig[i], GCD_SIG_LEN);
	}
	return GCD_OK;
}

enum gcd_err gcd_cert_encode(const struct gcd_cert *c, uint8_t *buf, size_t cap, size_t *len)
{
	struct wr w = {.p = buf, .cap = cap};
	enum gcd_err e = cert_write(c, &w);

	return e ? e : wr_done(&w, len);
}

/* ---- blocks ---- */

enum gcd_err gcd_block_decode(const uint8_t *p, size_t len, struct gcd_block *out)
{
	struct rd r = {.p = p, .len = len};
	struct gcd_tx tx;
	uint32_t cert_len;
	uint8_t version;
	enum gcd_err e;
	unsigned int i;

	if (len > GCD_BLOCK_MAX)
		return GCD_E_TOO_LARGE;
	if (!rd_u8(&r, &version))
		return GCD_E_TRUNCATED;
	if (version != GCD_VERSION)
		return GCD_E_VERSION;
	if (!rd_u64(&r, &out->height) || !rd_u32(&r, &out->round) || !rd_u64(&r, &out->time_ms) ||
	    !rd_copy(&r, out->prev_hash, GCD_HASH_LEN) ||
	    !rd_copy(&r, out->tx_root, GCD_HASH_LEN) || !rd_u16(&r, &out->proposer) ||
	    !rd_u32(&r, &cert_len))
		return GCD_E_TRUNCATED;
	if (out->height == 0)
		return GCD_E_HEIGHT_ZERO;
	if (out->proposer >= GCD_MAX_VALIDATORS)
		return GCD_E_VALIDATOR_INDEX;
	memset(&out->last_commit, 0, sizeof(out->last_commit));
	if (out->height == 1) {
		if (cert_len != 0)
			return GCD_E_LAST_COMMIT;
	} else {
		struct rd sub;
		const uint8_t *cp;

		if (cert_len == 0)
			return GCD_E_LAST_COMMIT;
		if (cert_len > GCD_CERT_MAX)
			return GCD_E_TOO_LARGE;
		if (!rd_bytes(&r, cert_len, &cp))
			return GCD_E_TRUNCATED;
		sub = (struct rd){.p = cp, .len = cert_len};
		e = cert_read(&sub, &out->last_commit);
		if (e)
			return e;
		if (sub.off != cert_len)
			return GCD_E_TRAILING;
		if (out->last_commit.height != out->height - 1)
			return GCD_E_LAST_COMMIT;
	}
	if (!rd_u16(&r, &out->n_txs))
		return GCD_E_TRUNCATED;
	if (out->n_txs > GCD_BLOCK_TXS_MAX)
		return GCD_E_TX_COUNT;
	for (i = 0; i < out->n_txs; i++) {
		uint16_t tlen;

		if (!rd_u16(&r, &tlen))
			return GCD_E_TRUNCATED;
		if (tlen < GCD_TX_MIN_LEN || tlen > GCD_TX_MAX_LEN)
			return GCD_E_TX_LEN;
		if (!rd_bytes(&r, tlen, &out->tx[i].p))
			return GCD_E_TRUNCATED;
		out->tx[i].len = tlen;
		e = gcd_tx_decode(out->tx[i].p, tlen, &tx);
		if (e)
			return e;
	}
	return r.off == len ? GCD_OK : GCD_E_TRAILING;
}

size_t gcd_block_len(const struct gcd_block *b)
{
	size_t n = GCD_BLOCK_FIXED_LEN;
	unsigned int i;

	if (b->height > 1)
		n += gcd_cert_len(&b->last_commit);
	for (i = 0; i < b->n_txs && i < GCD_BLOCK_TXS_MAX; i++)
		n += 2 + b->tx[i].len;
	return n;
}

enum gcd_err gcd_block_encode(const struct gcd_block *b, uint8_t *buf, size_t cap, size_t *len)
{
	struct wr w = {.p = buf, .cap = cap};
	struct gcd_tx tx;
	enum gcd_err e;
	unsigned int i;

	if (b->height == 0)
		return GCD_E_HEIGHT_ZERO;
	if (b->proposer >= GCD_MAX_VALIDATORS)
		return GCD_E_VALIDATOR_INDEX;
	if (b->n_txs > GCD_BLOCK_TXS_MAX)
		return GCD_E_TX_COUNT;
	if (b->height == 1 ? b->last_commit.count != 0 : b->last_commit.height != b->height - 1)
		return GCD_E_LAST_COMMIT;
	for (i = 0; i < b->n_txs; i++) {
		if (b->tx[i].len < GCD_TX_MIN_LEN || b->tx[i].len > GCD_TX_MAX_LEN)
			return GCD_E_TX_LEN;
		e = gcd_tx_decode(b->tx[i].p, b->tx[i].len, &tx);
		if (e)
			return e;
	}
	if (gcd_block_len(b) > GCD_BLOCK_MAX)
		return GCD_E_TOO_LARGE;
	wr_u8(&w, GCD_VERSION);
	wr_u64(&w, b->height);
	wr_u32(&w, b->round);
	wr_u64(&w, b->time_ms);
	wr_bytes(&w, b->prev_hash, GCD_HASH_LEN);
	wr_bytes(&w, b->tx_root, GCD_HASH_LEN);
	wr_u16(&w, b->proposer);
	if (b->height == 1) {
		wr_u32(&w, 0);
	} else {
		wr_u32(&w, (uint32_t)gcd_cert_len(&b->last_commit));
		e = cert_write(&b->last_commit, &w);
		if (e)
			return e;
	}
	wr_u16(&w, b->n_txs);
	for (i = 0; i < b->n_txs; i++) {
		wr_u16(&w, (uint16_t)b->tx[i].len);
		wr_bytes(&w, b->tx[i].p, b->tx[i].len);
	}
	return wr_done(&w, len);
}

/* ---- proposals ---- */

static enum gcd_err proposal_fields_ok(const struct gcd_proposal *p, struct gcd_block *block)
{
	enum gcd_err e;

	if (p->height == 0)
		return GCD_E_HEIGHT_ZERO;
	if (p->pol_round < -1 || (p->pol_round >= 0 && (uint32_t)p->pol_round >= p->round))
		return GCD_E_POL_ROUND;
	if (p->proposer >= GCD_MAX_VALIDATORS)
		return GCD_E_VALIDATOR_INDEX;
	if (p->block_len > GCD_BLOCK_MAX)
		return GCD_E_TOO_LARGE;
	e = gcd_block_decode(p->block, p->block_len, block);
	if (e)
		return e;
	if (block->height != p->height || block->round > p->round)
		return GCD_E_BLOCK_MISMATCH;
	return GCD_OK;
}

enum gcd_err gcd_proposal_decode(const uint8_t *p, size_t len, struct gcd_proposal *out,
				 struct gcd_block *block)
{
	struct rd r = {.p = p, .len = len};
	struct gcd_block *tmp = NULL;
	uint32_t pol;
	uint8_t version;
	enum gcd_err e;

	if (len > GCD_PROPOSAL_MAX)
		return GCD_E_TOO_LARGE;
	if (!rd_u8(&r, &version))
		return GCD_E_TRUNCATED;
	if (version != GCD_VERSION)
		return GCD_E_VERSION;
	if (!rd_u64(&r, &out->height) || !rd_u32(&r, &out->round) || !rd_u32(&r, &pol) ||
	    !rd_u16(&r, &out->proposer) || !rd_u32(&r, &out->block_len))
		return GCD_E_TRUNCATED;
	out->pol_round = (int32_t)pol;
	if (out->height == 0)
		return GCD_E_HEIGHT_ZERO;
	if (out->pol_round < -1 || (out->pol_round >= 0 && pol >= out->round))
		return GCD_E_POL_ROUND;
	if (out->proposer >= GCD_MAX_VALIDATORS)
		return GCD_E_VALIDATOR_INDEX;
	if (out->block_len > GCD_BLOCK_MAX)
		return GCD_E_TOO_LARGE;
	if (!rd_bytes(&r, out->block_len, &out->block) || !rd_copy(&r, out->sig, GCD_SIG_LEN))
		return GCD_E_TRUNCATED;
	if (r.off != len)
		return GCD_E_TRAILING;
	if (!block) {
		tmp = malloc(sizeof(*tmp));
		if (!tmp)
			return GCD_E_NOMEM;
		block = tmp;
	}
	e = proposal_fields_ok(out, block);
	free(tmp);
	return e;
}

size_t gcd_proposal_len(const struct gcd_proposal *p)
{
	return GCD_PROPOSAL_FIXED_LEN + (size_t)p->block_len;
}

static enum gcd_err proposal_write(const struct gcd_proposal *p, struct wr *w, bool with_sig)
{
	struct gcd_block *block = malloc(sizeof(*block));
	enum gcd_err e;

	if (!block)
		return GCD_E_NOMEM;
	e = proposal_fields_ok(p, block);
	free(block);
	if (e)
		return e;
	wr_u8(w, GCD_VERSION);
	wr_u64(w, p->height);
	wr_u32(w, p->round);
	wr_u32(w, (uint32_t)p->pol_round);
	wr_u16(w, p->proposer);
	wr_u32(w, p->block_len);
	wr_bytes(w, p->block, p->block_len);
	if (with_sig)
		wr_bytes(w, p->sig, GCD_SIG_LEN);
	return GCD_OK;
}

enum gcd_err gcd_proposal_encode(const struct gcd_proposal *p, uint8_t *buf, size_t cap,
				 size_t *len)
{
	struct wr w = {.p = buf, .cap = cap};
	enum gcd_err e = proposal_write(p, &w, true);

	return e ? e : wr_done(&w, len);
}

/* ---- votes ---- */

static enum gcd_err vote_fields_ok(const struct gcd_vote *v)
{
	if (v->type != GCD_VOTE_PREVOTE && v->type != GCD_VOTE_PRECOMMIT)
		return GCD_E_VOTE_TYPE;
	if (v->height == 0)
		return GCD_E_HEIGHT_ZERO;
	if (!v->has_block && !all_zero(v->hash, GCD_HASH_LEN))
		return GCD_E_NIL_HASH;
	if (v->validator >= GCD_MAX_VALIDATORS)
		return GCD_E_VALIDATOR_INDEX;
	return GCD_OK;
}

enum gcd_err gcd_vote_decode(const uint8_t *p, size_t len, struct gcd_vote *out)
{
	struct rd r = {.p = p, .len = len};
	uint8_t version, has;

	if (!rd_u8(&r, &version))
		return GCD_E_TRUNCATED;
	if (version != GCD_VERSION)
		return GCD_E_VERSION;
	if (!rd_u8(&r, &out->type))
		return GCD_E_TRUNCATED;
	if (out->type != GCD_VOTE_PREVOTE && out->type != GCD_VOTE_PRECOMMIT)
		return GCD_E_VOTE_TYPE;
	if (!rd_u64(&r, &out->height) || !rd_u32(&r, &out->round) || !rd_u8(&r, &has))
		return GCD_E_TRUNCATED;
	if (out->height == 0)
		return GCD_E_HEIGHT_ZERO;
	if (has > 1)
		return GCD_E_HAS_BLOCK;
	out->has_block = has;
	if (!rd_copy(&r, out->hash, GCD_HASH_LEN) || !rd_u16(&r, &out->validator) ||
	    !rd_copy(&r, out->sig, GCD_SIG_LEN))
		return GCD_E_TRUNCATED;
	if (r.off != len)
		return GCD_E_TRAILING;
	return vote_fields_ok(out);
}

static enum gcd_err vote_write(const struct gcd_vote *v, struct wr *w, bool with_sig)
{
	enum gcd_err e = vote_fields_ok(v);

	if (e)
		return e;
	wr_u8(w, GCD_VERSION);
	wr_u8(w, v->type);
	wr_u64(w, v->height);
	wr_u32(w, v->round);
	wr_u8(w, v->has_block ? 1 : 0);
	wr_bytes(w, v->hash, GCD_HASH_LEN);
	wr_u16(w, v->validator);
	if (with_sig)
		wr_bytes(w, v->sig, GCD_SIG_LEN);
	return GCD_OK;
}

enum gcd_err gcd_vote_encode(const struct gcd_vote *v, uint8_t *buf, size_t cap, size_t *len)
{
	struct wr w = {.p = buf, .cap = cap};
	enum gcd_err e = vote_write(v, &w, true);

	return e ? e : wr_done(&w, len);
}

/* ---- hashes ---- */

void gcd_sha256(const uint8_t *p, size_t len, uint8_t out[GCD_HASH_LEN])
{
	crypto_hash_sha256(out, p, len);
}

void gcd_tx_id(const uint8_t *tx, size_t len, uint8_t out[GCD_HASH_LEN])
{
	crypto_hash_sha256(out, tx, len);
}

void gcd_block_hash(const uint8_t *block, size_t len, uint8_t out[GCD_HASH_LEN])
{
	crypto_hash_sha256(out, block, len);
}

static void merkle_leaf(const uint8_t id[GCD_HASH_LEN], uint8_t out[GCD_HASH_LEN])
{
	crypto_hash_sha256_state st;
	const uint8_t prefix = 0x00;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &prefix, 1);
	crypto_hash_sha256_update(&st, id, GCD_HASH_LEN);
	crypto_hash_sha256_final(&st, out);
}

static void merkle_node(const uint8_t l[GCD_HASH_LEN], const uint8_t r[GCD_HASH_LEN],
			uint8_t out[GCD_HASH_LEN])
{
	crypto_hash_sha256_state st;
	const uint8_t prefix = 0x01;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &prefix, 1);
	crypto_hash_sha256_update(&st, l, GCD_HASH_LEN);
	crypto_hash_sha256_update(&st, r, GCD_HASH_LEN);
	crypto_hash_sha256_final(&st, out);
}

/* RFC 6962 section 2.1: MTH(D[n]) = node(MTH(D[0:k]), MTH(D[k:n])), k the
 * largest power of two below n. Recursion depth is log2(n).
 */
static void merkle(const uint8_t (*ids)[GCD_HASH_LEN], size_t n, uint8_t out[GCD_HASH_LEN])
{
	uint8_t l[GCD_HASH_LEN], r[GCD_HASH_LEN];
	size_t k = 1;

	if (n == 1) {
		merkle_leaf(ids[0], out);
		return;
	}
	while (k * 2 < n)
		k *= 2;
	merkle(ids, k, l);
	merkle(ids + k, n - k, r);
	merkle_node(l, r, out);
}

void gcd_merkle_root(const uint8_t (*ids)[GCD_HASH_LEN], size_t n, uint8_t out[GCD_HASH_LEN])
{
	if (n == 0) {
		crypto_hash_sha256(out, NULL, 0);
		return;
	}
	merkle(ids, n, out);
}

void gcd_block_tx_root(const struct gcd_block *b, uint8_t out[GCD_HASH_LEN])
{
	uint8_t ids[GCD_BLOCK_TXS_MAX][GCD_HASH_LEN];
	unsigned int i, n = b->n_txs;

	if (n > GCD_BLOCK_TXS_MAX)
		n = GCD_BLOCK_TXS_MAX;
	for (i = 0; i < n; i++)
		gcd_tx_id(b->tx[i].p, b->tx[i].len, ids[i]);
	gcd_merkle_root((const uint8_t(*)[GCD_HASH_LEN])ids, n, out);
}

/* ---- signatures ---- */

#define SIG_PREFIX_LEN (4 + 1 + GCD_HASH_LEN)

static uint8_t *signed_message(uint8_t domain, const uint8_t genesis[GCD_HASH_LEN],
			       const uint8_t *body, size_t len)
{
	uint8_t *m = malloc(SIG_PREFIX_LEN + len);

	if (!m)
		return NULL;
	memcpy(m, "GCv1", 4);
	m[4] = domain;
	memcpy(m + 5, genesis, GCD_HASH_LEN);
	if (len)
		memcpy(m + SIG_PREFIX_LEN, body, len);
	return m;
}

enum gcd_err gcd_sign(uint8_t domain, const uint8_t genesis[GCD_HASH_LEN], const uint8_t *body,
		      size_t len, const uint8_t sk[GCD_SECKEY_LEN], uint8_t sig[GCD_SIG_LEN])
{
	uint8_t *m = signed_message(domain, genesis, body, len);

	if (!m)
		return GCD_E_NOMEM;
	crypto_sign_detached(sig, NULL, m, SIG_PREFIX_LEN + len, sk);
	free(m);
	return GCD_OK;
}

enum gcd_err gcd_verify(uint8_t domain, const uint8_t genesis[GCD_HASH_LEN], const uint8_t *body,
			size_t len, const uint8_t pk[GCD_PUBKEY_LEN],
			const uint8_t sig[GCD_SIG_LEN])
{
	uint8_t *m = signed_message(domain, genesis, body, len);
	int rc;

	if (!m)
		return GCD_E_NOMEM;
	rc = crypto_sign_verify_detached(sig, m, SIG_PREFIX_LEN + len, pk);
	free(m);
	return rc == 0 ? GCD_OK : GCD_E_SIGNATURE;
}

enum gcd_err gcd_tx_sign(struct gcd_tx *tx, const uint8_t genesis[GCD_HASH_LEN],
			 const uint8_t sk[GCD_SECKEY_LEN])
{
	uint8_t buf[GCD_TX_MAX_LEN];
	struct wr w = {.p = buf, .cap = sizeof(buf)};
	enum gcd_err e = tx_write(tx, &w, false);
	size_t len;

	if (!e)
		e = wr_done(&w, &len);
	if (!e)
		e = gcd_sign(GCD_DOMAIN_TX, genesis, buf, len, sk, tx->sig);
	return e;
}

enum gcd_err gcd_tx_verify(const struct gcd_tx *tx, const uint8_t genesis[GCD_HASH_LEN])
{
	uint8_t buf[GCD_TX_MAX_LEN];
	struct wr w = {.p = buf, .cap = sizeof(buf)};
	enum gcd_err e = tx_write(tx, &w, false);
	size_t len;

	if (!e)
		e = wr_done(&w, &len);
	if (!e)
		e = gcd_verify(GCD_DOMAIN_TX, genesis, buf, len, tx->sender, tx->sig);
	return e;
}

/* The signed body of a proposal, in a heap buffer of GCD_PROPOSAL_MAX bytes. */
static enum gcd_err proposal_body(const struct gcd_proposal *p, uint8_t **buf, size_t *len)
{
	struct wr w = {.cap = GCD_PROPOSAL_MAX};
	enum gcd_err e;

	w.p = malloc(w.cap);
	if (!w.p)
		return GCD_E_NOMEM;
	e = proposal_write(p, &w, false);
	if (!e)
		e = wr_done(&w, len);
	if (e) {
		free(w.p);
		return e;
	}
	*buf = w.p;
	return GCD_OK;
}

enum gcd_err gcd_proposal_sign(struct gcd_proposal *p, const uint8_t genesis[GCD_HASH_LEN],
			       const uint8_t sk[GCD_SECKEY_LEN])
{
	uint8_t *buf;
	size_t len;
	enum gcd_err e = proposal_body(p, &buf, &len);

	if (e)
		return e;
	e = gcd_sign(GCD_DOMAIN_PROPOSAL, genesis, buf, len, sk, p->sig);
	free(buf);
	return e;
}

enum gcd_err gcd_vote_sign(struct gcd_vote *v, const uint8_t genesis[GCD_HASH_LEN],
			   const uint8_t sk[GCD_SECKEY_LEN])
{
	uint8_t buf[GCD_VOTE_LEN];
	struct wr w = {.p = buf, .cap = sizeof(buf)};
	enum gcd_err e = vote_write(v, &w, false);
	size_t len;

	if (!e)
		e = wr_done(&w, &len);
	if (!e)
		e = gcd_sign(GCD_DOMAIN_VOTE, genesis, buf, len, sk, v->sig);
	return e;
}

uint32_t gcd_proposer(uint64_t height, uint32_t round, uint32_t n)
{
	if (n == 0)
		return 0;
	/* (height + round) % n without the sum overflowing. */
	return (uint32_t)((height % n + round % n) % n);
}

enum gcd_err gcd_proposal_verify(const struct gcd_proposal *p, const struct gcd_genesis *g)
{
	uint8_t *buf;
	size_t len;
	enum gcd_err e;

	if (p->proposer >= g->n)
		return GCD_E_VALIDATOR_INDEX;
	if (p->proposer != gcd_proposer(p->height, p->round, g->n))
		return GCD_E_PROPOSER;
	e = proposal_body(p, &buf, &len);
	if (e)
		return e;
	e = gcd_verify(GCD_DOMAIN_PROPOSAL, g->hash, buf, len, g->v[p->proposer].pub, p->sig);
	free(buf);
	return e;
}

enum gcd_err gcd_vote_verify(const struct gcd_vote *v, const struct gcd_genesis *g)
{
	uint8_t buf[GCD_VOTE_LEN];
	struct wr w = {.p = buf, .cap = sizeof(buf)};
	enum gcd_err e = vote_write(v, &w, false);
	size_t len;

	if (e)
		return e;
	if (v->validator >= g->n)
		return GCD_E_VALIDATOR_INDEX;
	e = wr_done(&w, &len);
	if (!e)
		e = gcd_verify(GCD_DOMAIN_VOTE, g->hash, buf, len, g->v[v->validator].pub, v->sig);
	return e;
}

void gcd_cert_vote(const struct gcd_cert *c, unsigned int i, struct gcd_vote *v)
{
	memset(v, 0, sizeof(*v));
	v->type = GCD_VOTE_PRECOMMIT;
	v->height = c->height;
	v->round = c->round;
	v->has_block = true;
	memcpy(v->hash, c->hash, GCD_HASH_LEN);
	v->validator = c->index[i];
	memcpy(v->sig, c->sig[i], GCD_SIG_LEN);
}

enum gcd_err gcd_cert_check(const struct gcd_cert *c, const struct gcd_genesis *g,
			    unsigned int *bad_entry)
{
	enum gcd_err e;
	unsigned int i;

	if (bad_entry)
		*bad_entry = 0;
	e = cert_fields_ok(c);
	if (e)
		return e;
	/* Equal voting power: more than two thirds of n, counted exactly. */
	if (3u * c->count <= 2u * g->n)
		return GCD_E_QUORUM;
	for (i = 0; i < c->count; i++) {
		struct gcd_vote v;

		if (bad_entry)
			*bad_entry = i;
		if (c->index[i] >= g->n)
			return GCD_E_VALIDATOR_INDEX;
		gcd_cert_vote(c, i, &v);
		e = gcd_vote_verify(&v, g);
		if (e)
			return e;
	}
	if (bad_entry)
		*bad_entry = 0;
	return GCD_OK;
}

/* ---- block validity ---- */

struct seen_sender {
	const uint8_t *key;
	uint64_t last;
};

enum gcd_err gcd_block_check(const struct gcd_block *b, const struct gcd_genesis *g,
			     const struct gcd_prev *prev, gcd_nonce_fn nonce_of, void *ctx,
			     int *bad_tx)
{
	return gcd_block_check_known(b, g, prev, nonce_of, ctx, NULL, NULL, bad_tx);
}

enum gcd_err gcd_block_check_known(const struct gcd_block *b, const struct gcd_genesis *g,
				   const struct gcd_prev *prev, gcd_nonce_fn nonce_of, void *ctx,
				   gcd_known_fn known, void *known_ctx, int *bad_tx)
{
	struct seen_sender *seen = NULL;
	unsigned int i, j, n_seen = 0;
	uint8_t root[GCD_HASH_LEN];
	enum gcd_err e = GCD_OK;

	if (bad_tx)
		*bad_tx = -1;
	if (b->height != prev->height + 1)
		return GCD_E_HEIGHT_ORDER;
	if (memcmp(b->prev_hash, prev->hash, GCD_HASH_LEN))
		return GCD_E_PREV_HASH;
	if (b->height == 1 ? b->time_ms < g->time_ms : b->time_ms <= prev->time_ms)
		return GCD_E_TIME;
	if (b->proposer >= g->n)
		return GCD_E_VALIDATOR_INDEX;
	if (b->proposer != gcd_proposer(b->height, b->round, g->n))
		return GCD_E_PROPOSER;
	if (b->height > 1) {
		if (b->last_commit.height != prev->height ||
		    memcmp(b->last_commit.hash, prev->hash, GCD_HASH_LEN))
			return GCD_E_CERT_TARGET;
		e = gcd_cert_check(&b->last_commit, g, NULL);
		if (e)
			return e;
	}
	if (b->n_txs > GCD_BLOCK_TXS_MAX)
		return GCD_E_TX_COUNT;
	gcd_block_tx_root(b, root);
	if (memcmp(root, b->tx_root, GCD_HASH_LEN))
		return GCD_E_TX_ROOT;
	if (b->n_txs) {
		seen = calloc(b->n_txs, sizeof(*seen));
		if (!seen)
			return GCD_E_NOMEM;
	}
	for (i = 0; i < b->n_txs; i++) {
		struct gcd_tx tx;

		if (bad_tx)
			*bad_tx = (int)i;
		e = gcd_tx_decode(b->tx[i].p, b->tx[i].len, &tx);
		if (e)
			break;
		if (!known || !known(known_ctx, b->tx[i].p, b->tx[i].len))
			e = gcd_tx_verify(&tx, g->hash);
		if (e)
			break;
		for (j = 0; j < n_seen; j++)
			if (!memcmp(seen[j].key, b->tx[i].p + 2, GCD_PUBKEY_LEN))
				break;
		if (j == n_seen) {
			seen[j].key = b->tx[i].p + 2; /* the sender field of the encoding */
			if (nonce_of(ctx, tx.sender, &seen[j].last)) {
				e = GCD_E_LOOKUP;
				break;
			}
			n_seen++;
		}
		if (seen[j].last == UINT64_MAX || tx.nonce != seen[j].last + 1) {
			e = GCD_E_NONCE_ORDER;
			break;
		}
		seen[j].last = tx.nonce;
	}
	free(seen);
	if (!e && bad_tx)
		*bad_tx = -1;
	return e;
}
