// SPDX-License-Identifier: GPL-2.0
#include "sigcache.h"

#include <stdlib.h>
#include <string.h>

#include "chain.h"

int sigcache_init(struct sigcache *c, uint32_t ids)
{
	uint32_t sets = 1;

	memset(c, 0, sizeof(*c));
	while (sets * SIGCACHE_WAYS < ids && sets < (1u << 24))
		sets <<= 1;
	c->id = calloc((size_t)sets * SIGCACHE_WAYS, SIGCACHE_ID_LEN);
	c->next = calloc(sets, 1);
	if (!c->id || !c->next || pthread_mutex_init(&c->lock, NULL)) {
		free(c->id);
		free(c->next);
		c->id = NULL;
		c->next = NULL;
		return -1;
	}
	c->sets = sets;
	return 0;
}

void sigcache_destroy(struct sigcache *c)
{
	if (!c->id)
		return;
	pthread_mutex_destroy(&c->lock);
	free(c->id);
	free(c->next);
	c->id = NULL;
	c->next = NULL;
}

/* The set: the id's first bytes (a hash already). */
static uint32_t set_of(const struct sigcache *c, const uint8_t *id)
{
	uint32_t v;

	memcpy(&v, id, sizeof(v));
	return v & (c->sets - 1);
}

void sigcache_add(struct sigcache *c, const uint8_t id[SIGCACHE_ID_LEN])
{
	uint32_t s = set_of(c, id), w;

	pthread_mutex_lock(&c->lock);
	for (w = 0; w < SIGCACHE_WAYS; w++)
		if (!memcmp(c->id[s * SIGCACHE_WAYS + w], id, SIGCACHE_ID_LEN))
			goto out;
	w = c->next[s];
	memcpy(c->id[s * SIGCACHE_WAYS + w], id, SIGCACHE_ID_LEN);
	c->next[s] = (uint8_t)((w + 1) % SIGCACHE_WAYS);
out:
	pthread_mutex_unlock(&c->lock);
}

bool sigcache_has(struct sigcache *c, const uint8_t id[SIGCACHE_ID_LEN])
{
	static const uint8_t zero[SIGCACHE_ID_LEN];
	uint32_t s = set_of(c, id), w;
	bool found = false;

	/* An all-zero id is an empty way, never a transaction's. */
	if (!memcmp(id, zero, SIGCACHE_ID_LEN))
		return false;
	pthread_mutex_lock(&c->lock);
	for (w = 0; w < SIGCACHE_WAYS && !found; w++)
		found = !memcmp(c->id[s * SIGCACHE_WAYS + w], id, SIGCACHE_ID_LEN);
	if (found)
		c->hits++;
	else
		c->misses++;
	pthread_mutex_unlock(&c->lock);
	return found;
}

bool sigcache_known(void *ctx, const uint8_t *tx, size_t len)
{
	uint8_t id[GCD_HASH_LEN];

	gcd_sha256(tx, len, id);
	return sigcache_has(ctx, id);
}
