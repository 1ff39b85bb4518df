// SPDX-License-Identifier: GPL-2.0
#include "mempool.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

struct mp_sender {
	uint8_t key[MP_KEY_LEN];
	uint64_t next;	   /* the nonce that would be executable: committed + 1 */
	struct mp_tx *txs; /* by nonce, ascending */
	uint32_t n, cap;
};

struct mempool {
	struct mp_sender **senders;
	uint32_t n_senders, cap_senders;
	uint32_t *index; /* sender numbers by hash, UINT32_MAX where empty */
	uint32_t index_mask;
	uint8_t hash_key[crypto_shorthash_KEYBYTES];
	uint32_t count, max_txs;
	uint64_t bytes, max_bytes, ahead, evicted;
};

#define EMPTY UINT32_MAX

const char *mp_result_str(enum mp_result r)
{
	switch (r) {
	case MP_ADDED:
		return "added";
	case MP_QUEUED:
		return "queued behind a missing nonce";
	case MP_DUPLICATE:
		return "already in the mempool";
	case MP_REPLAYED:
		return "replayed nonce: committed already";
	case MP_NONCE_TAKEN:
		return "another transaction has this nonce";
	case MP_TOO_FAR:
		return "nonce too far ahead of the sender's next";
	case MP_FULL:
		return "mempool full";
	case MP_NOMEM:
		return "out of memory";
	}
	return "unknown";
}

static uint64_t hash_of(const struct mempool *mp, const uint8_t key[MP_KEY_LEN])
{
	uint8_t out[crypto_shorthash_BYTES];
	uint64_t h;

	crypto_shorthash(out, key, MP_KEY_LEN, mp->hash_key);
	memcpy(&h, out, sizeof(h));
	return h;
}

static struct mp_sender *find(const struct mempool *mp, const uint8_t key[MP_KEY_LEN])
{
	uint64_t h;
	uint32_t i;

	if (!mp->index)
		return NULL;
	for (h = hash_of(mp, key);; h++) {
		i = mp->index[h & mp->index_mask];
		if (i == EMPTY)
			return NULL;
		if (!memcmp(mp->senders[i]->key, key, MP_KEY_LEN))
			return mp->senders[i];
	}
}

static int reindex(struct mempool *mp, uint32_t size)
{
	uint32_t *index = malloc((size_t)size * sizeof(*index)), i;
	uint64_t h;

	if (!index)
		return -1;
	memset(index, 0xff, (size_t)size * sizeof(*index));
	for (i = 0; i < mp->n_senders; i++) {
		for (h = hash_of(mp, mp->senders[i]->key); index[h & (size - 1)] != EMPTY; h++)
			;
		index[h & (size - 1)] = i;
	}
	free(mp->index);
	mp->index = index;
	mp->index_mask = size - 1;
	return 0;
}

static struct mp_sender *add_sender(struct mempool *mp, const uint8_t key[MP_KEY_LEN])
{
	uint32_t cap, size = mp->index ? mp->index_mask + 1 : 64;
	struct mp_sender *s, **senders;
	uint64_t h;

	if (mp->n_senders == mp->cap_senders) {
		cap = mp->cap_senders ? 2 * mp->cap_senders : 16;
		senders = realloc(mp->senders, (size_t)cap * sizeof(*senders));
		if (!senders)
			return NULL;
		mp->senders = senders;
		mp->cap_senders = cap;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	memcpy(s->key, key, MP_KEY_LEN);
	mp->senders[mp->n_senders++] = s;
	while (2 * mp->n_senders > size)
		size *= 2;
	if (!mp->index || size != mp->index_mask + 1) {
		if (reindex(mp, size)) {
			mp->n_senders--;
			free(s);
			return NULL;
		}
		return s;
	}
	for (h = hash_of(mp, key); mp->index[h & mp->index_mask] != EMPTY; h++)
		;
	mp->index[h & mp->index_mask] = mp->n_senders - 1;
	return s;
}

/* A sender with no transaction left goes, the last one taking its place. */
static void drop_sender_if_empty(struct mempool *mp, struct mp_sender *s)
{
	uint32_t i;

	if (s->n)
		return;
	for (i = 0; i < mp->n_senders && mp->senders[i] != s; i++)
		;
	if (i == mp->n_senders)
		return;
	mp->senders[i] = mp->senders[--mp->n_senders];
	free(s->txs);
	free(s);
	reindex(mp, mp->index_mask + 1); /* same size: cannot fail for want of room */
}

static void remove_at(struct mempool *mp, struct mp_sender *s, uint32_t k)
{
	mp->count--;
	mp->bytes -= s->txs[k].len;
	free(s->txs[k].bytes);
	memmove(&s->txs[k], &s->txs[k + 1], (size_t)(s->n - k - 1) * sizeof(*s->txs));
	s->n--;
}

/* The transaction furthest ahead of its sender's next nonce, with a gap
 * before it (queued), or NULL when every one is ready.
 */
static struct mp_sender *furthest(const struct mempool *mp, uint64_t *distance)
{
	struct mp_sender *best = NULL;
	uint64_t d;
	uint32_t i;

	*distance = 0;
	for (i = 0; i < mp->n_senders; i++) {
		struct mp_sender *s = mp->senders[i];

		if (!s->n)
			continue;
		/* Ready: nonces next, next + 1, ... up to the last, no gap. */
		if (s->txs[s->n - 1].nonce - s->next == s->n - 1 && s->txs[0].nonce == s->next)
			continue;
		d = s->txs[s->n - 1].nonce - s->next;
		if (!best || d > *distance) {
			best = s;
			*distance = d;
		}
	}
	return best;
}

enum mp_result mp_add(struct mempool *mp, const uint8_t id[MP_KEY_LEN],
		      const uint8_t sender[MP_KEY_LEN], uint64_t nonce, const uint8_t *bytes,
		      uint16_t len, uint64_t committed, uint64_t now_ms)
{
	struct mp_sender *s = find(mp, sender), *victim;
	struct mp_tx *txs, *t;
	uint64_t distance;
	uint32_t k, cap;
	bool ready;

	if (nonce <= committed)
		return MP_REPLAYED;
	if (nonce - committed - 1 > mp->ahead)
		return MP_TOO_FAR;
	if (s) {
		/* What was committed since, whatever the pool still holds, goes. */
		if (committed + 1 > s->next)
			mp_committed(mp, sender, committed);
		s = find(mp, sender);
	}
	if (s) {
		for (k = 0; k < s->n && s->txs[k].nonce < nonce; k++)
			;
		if (k < s->n && s->txs[k].nonce == nonce)
			return memcmp(s->txs[k].id, id, MP_KEY_LEN) ? MP_NONCE_TAKEN : MP_DUPLICATE;
	}
	/* Ready: it extends the run of nonces from the sender's next. */
	ready = s ? nonce == committed + 1 + s->n && s->txs[0].nonce == committed + 1 &&
				s->txs[s->n - 1].nonce == nonce - 1
		  : nonce == committed + 1;
	if (s && !s->n)
		ready = nonce == committed + 1;
	while (mp->count + 1 > mp->max_txs || mp->bytes + len > mp->max_bytes) {
		victim = furthest(mp, &distance);
		/* Queued ones go first, the furthest ahead first; not for a
		 * queued one further ahead than them.
		 */
		if (!victim || (!ready && distance <= nonce - committed - 1))
			return MP_FULL;
		remove_at(mp, victim, victim->n - 1);
		mp->evicted++;
		drop_sender_if_empty(mp, victim);
		s = find(mp, sender);
	}
	if (!s) {
		s = add_sender(mp, sender);
		if (!s)
			return MP_NOMEM;
	}
	s->next = committed + 1;
	if (s->n == s->cap) {
		cap = s->cap ? 2 * s->cap : 4;
		txs = realloc(s->txs, (size_t)cap * sizeof(*txs));
		if (!txs) {
			drop_sender_if_empty(mp, s);
			return MP_NOMEM;
		}
		s->txs = txs;
		s->cap = cap;
	}
	for (k = 0; k < s->n && s->txs[k].nonce < nonce; k++)
		;
	memmove(&s->txs[k + 1], &s->txs[k], (size_t)(s->n - k) * sizeof(*s->txs));
	t = &s->txs[k];
	memset(t, 0, sizeof(*t));
	t->bytes = malloc(len ? len : 1);
	if (!t->bytes) {
		memmove(&s->txs[k], &s->txs[k + 1], (size_t)(s->n - k) * sizeof(*s->txs));
		drop_sender_if_empty(mp, s);
		return MP_NOMEM;
	}
	memcpy(t->id, id, MP_KEY_LEN);
	memcpy(t->sender, sender, MP_KEY_LEN);
	t->nonce = nonce;
	t->added_ms = now_ms;
	t->len = len;
	memcpy(t->bytes, bytes, len);
	s->n++;
	mp->count++;
	mp->bytes += len;
	/* Ready when every nonce from next up to this one is here. */
	return nonce - s->next == k && s->txs[0].nonce == s->next ? MP_ADDED : MP_QUEUED;
}

void mp_committed(struct mempool *mp, const uint8_t sender[MP_KEY_LEN], uint64_t nonce)
{
	struct mp_sender *s = find(mp, sender);

	if (!s)
		return;
	while (s->n && s->txs[0].nonce <= nonce)
		remove_at(mp, s, 0);
	if (s->next < nonce + 1)
		s->next = nonce + 1;
	drop_sender_if_empty(mp, s);
}

uint32_t mp_select(struct mempool *mp, mp_committed_fn committed_of, void *ctx,
		   const struct mp_tx **out, uint32_t max_txs, size_t max_bytes)
{
	uint32_t *start, *run, i, k, n = 0;
	size_t bytes = 0;
	bool more = true;

	start = calloc(mp->n_senders ? mp->n_senders : 1, sizeof(*start));
	run = calloc(mp->n_senders ? mp->n_senders : 1, sizeof(*run));
	if (!start || !run) {
		free(start);
		free(run);
		return 0;
	}
	for (i = 0; i < mp->n_senders; i++) {
		const struct mp_sender *s = mp->senders[i];
		uint64_t next = committed_of(ctx, s->key) + 1;

		for (k = 0; k < s->n && s->txs[k].nonce < next; k++)
			;
		start[i] = k;
		for (; k < s->n && s->txs[k].nonce == next + (k - start[i]); k++)
			;
		run[i] = k - start[i];
	}
	/* Senders in turn: everyone's first, then everyone's second ... */
	for (k = 0; more && n < max_txs; k++) {
		more = false;
		for (i = 0; i < mp->n_senders && n < max_txs; i++) {
			const struct mp_tx *t;

			if (k >= run[i])
				continue;
			t = &mp->senders[i]->txs[start[i] + k];
			if (bytes + 2 + t->len > max_bytes) {
				run[i] = k; /* nonces must stay in order: this sender is done */
				continue;
			}
			more = true;
			out[n++] = t;
			bytes += 2 + t->len;
		}
	}
	free(start);
	free(run);
	return n;
}

bool mp_has(const struct mempool *mp, const uint8_t id[MP_KEY_LEN])
{
	uint32_t i, k;

	for (i = 0; i < mp->n_senders; i++)
		for (k = 0; k < mp->senders[i]->n; k++)
			if (!memcmp(mp->senders[i]->txs[k].id, id, MP_KEY_LEN))
				return true;
	return false;
}

uint32_t mp_count(const struct mempool *mp)
{
	return mp->count;
}

uint64_t mp_bytes(const struct mempool *mp)
{
	return mp->bytes;
}

uint64_t mp_evicted(const struct mempool *mp)
{
	return mp->evicted;
}

struct mempool *mp_new(uint32_t max_txs, uint64_t max_bytes, uint64_t ahead)
{
	struct mempool *mp = calloc(1, sizeof(*mp));

	if (!mp)
		return NULL;
	mp->max_txs = max_txs;
	mp->max_bytes = max_bytes;
	mp->ahead = ahead;
	crypto_shorthash_keygen(mp->hash_key);
	return mp;
}

void mp_free(struct mempool *mp)
{
	uint32_t i, k;

	if (!mp)
		return;
	for (i = 0; i < mp->n_senders; i++) {
		for (k = 0; k < mp->senders[i]->n; k++)
			free(mp->senders[i]->txs[k].bytes);
		free(mp->senders[i]->txs);
		free(mp->senders[i]);
	}
	free(mp->senders);
	free(mp->index);
	free(mp);
}
