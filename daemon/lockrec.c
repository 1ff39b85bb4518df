// SPDX-License-Identifier: GPL-2.0
#include "lockrec.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "bigendian.h"

static const uint8_t magic[4] = {'G', 'C', 'L', '1'};
static const char *const names[2] = {"lock-a", "lock-b"};

/* The whole record's length from its head; 0 when a bound is broken. */
static size_t rec_len(uint32_t block_len, uint32_t n_votes)
{
	if (!block_len || block_len > GCD_BLOCK_MAX || !n_votes || n_votes > GCD_MAX_VALIDATORS)
		return 0;
	return LOCKREC_HEAD_LEN + (size_t)block_len + (size_t)n_votes * GCD_VOTE_LEN + 4;
}

int lockrec_encode(const struct lockrec *r, uint8_t *out, size_t cap, size_t *len)
{
	size_t n = rec_len(r->block_len, r->n_votes), off = LOCKREC_HEAD_LEN;

	if (!n || n > cap || !r->height)
		return -1;
	memcpy(out, magic, 4);
	gcd_put_be(out + 4, r->height, 8);
	gcd_put_be(out + 12, r->round, 4);
	gcd_put_be(out + 16, r->block_len, 4);
	gcd_put_be(out + 20, r->n_votes, 2);
	memcpy(out + off, r->block, r->block_len);
	off += r->block_len;
	memcpy(out + off, r->votes, (size_t)r->n_votes * GCD_VOTE_LEN);
	off += (size_t)r->n_votes * GCD_VOTE_LEN;
	gcd_put_be(out + off, crc32(0, out, (uInt)off), 4);
	*len = n;
	return 0;
}

int lockrec_decode(const uint8_t *p, size_t len, struct lockrec *r)
{
	size_t n;

	if (len < LOCKREC_HEAD_LEN || memcmp(p, magic, 4))
		return -1;
	r->height = gcd_get_be(p + 4, 8);
	r->round = (uint32_t)gcd_get_be(p + 12, 4);
	r->block_len = (uint32_t)gcd_get_be(p + 16, 4);
	r->n_votes = (uint16_t)gcd_get_be(p + 20, 2);
	n = rec_len(r->block_len, r->n_votes);
	if (!n || n != len || !r->height ||
	    crc32(0, p, (uInt)(len - 4)) != (uLong)gcd_get_be(p + len - 4, 4))
		return -1;
	r->block = p + LOCKREC_HEAD_LEN;
	r->votes = r->block + r->block_len;
	return 0;
}

int lockrec_build(uint64_t height, const struct tm_value *value, int32_t round,
		  const struct tm_vote *polka, uint32_t n_polka, uint8_t *out, size_t cap,
		  size_t *len)
{
	uint8_t votes[GCD_MAX_VALIDATORS * GCD_VOTE_LEN];
	struct lockrec r = {
		.height = height,
		.round = (uint32_t)round,
		.block = value->data,
		.block_len = value->len,
		.n_votes = (uint16_t)n_polka,
		.votes = votes,
	};
	size_t vlen;
	uint32_t k;

	if (round < 0 || n_polka > GCD_MAX_VALIDATORS)
		return -1;
	for (k = 0; k < n_polka; k++) {
		struct gcd_vote v = {
			.type = GCD_VOTE_PREVOTE,
			.height = polka[k].height,
			.round = polka[k].round,
			.has_block = true,
			.validator = polka[k].validator,
		};

		memcpy(v.hash, polka[k].hash, GCD_HASH_LEN);
		memcpy(v.sig, polka[k].sig, GCD_SIG_LEN);
		if (gcd_vote_encode(&v, votes + k * GCD_VOTE_LEN, GCD_VOTE_LEN, &vlen) ||
		    vlen != GCD_VOTE_LEN)
			return -1;
	}
	return lockrec_encode(&r, out, cap, len);
}

int lockrec_resume(const struct lockrec *r, const struct gcd_genesis *g, struct tm_vote *polka,
		   struct tm_resume *res, const char **why)
{
	uint8_t hash[GCD_HASH_LEN];
	struct gcd_vote v;
	uint16_t k;

	gcd_block_hash(r->block, r->block_len, hash);
	for (k = 0; k < r->n_votes; k++) {
		if (gcd_vote_decode(r->votes + (size_t)k * GCD_VOTE_LEN, GCD_VOTE_LEN, &v)) {
			*why = "a vote does not decode";
			return -1;
		}
		if (v.type != GCD_VOTE_PREVOTE || v.height != r->height || v.round != r->round ||
		    !v.has_block || memcmp(v.hash, hash, GCD_HASH_LEN)) {
			*why = "a vote is not a prevote for the block of that height and round";
			return -1;
		}
		if (gcd_vote_verify(&v, g)) {
			*why = "a vote's signature does not verify";
			return -1;
		}
		polka[k] = (struct tm_vote){
			.type = TM_PREVOTE,
			.height = v.height,
			.round = v.round,
			.has_value = true,
			.validator = v.validator,
		};
		memcpy(polka[k].hash, v.hash, TM_HASH_LEN);
		memcpy(polka[k].sig, v.sig, TM_SIG_LEN);
	}
	if (r->round > TM_ROUND_MAX) {
		*why = "its round is out of range";
		return -1;
	}
	memset(res, 0, sizeof(*res));
	res->locked_round = (int32_t)r->round;
	res->locked.data = r->block;
	res->locked.len = r->block_len;
	memcpy(res->locked.hash, hash, TM_HASH_LEN);
	res->polka = polka;
	res->n_polka = r->n_votes;
	return 0;
}

int lockstore_open(struct lockstore *ls, const char *dir, char *err, size_t errlen)
{
	char path[PATH_MAX];
	unsigned int k;

	ls->fd[0] = ls->fd[1] = -1;
	ls->next = 0;
	for (k = 0; k < 2; k++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[k]);
		ls->fd[k] = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (ls->fd[k] < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			lockstore_close(ls);
			return -1;
		}
	}
	return 0;
}

void lockstore_close(struct lockstore *ls)
{
	unsigned int k;

	for (k = 0; k < 2; k++) {
		if (ls->fd[k] >= 0)
			close(ls->fd[k]);
		ls->fd[k] = -1;
	}
}

int lockstore_save(struct lockstore *ls, const uint8_t *rec, size_t len)
{
	int fd = ls->fd[ls->next];

	/* A shorter record leaves the longer one's tail behind: its head says where it ends. */
	if (pwrite(fd, rec, len, 0) != (ssize_t)len || fdatasync(fd))
		return -1;
	ls->next ^= 1;
	return 0;
}

/* File k's record, when whole: its length, else 0. */
static size_t load_one(int fd, uint8_t *buf, size_t cap, struct lockrec *r)
{
	size_t n;

	if (cap < LOCKREC_HEAD_LEN || pread(fd, buf, LOCKREC_HEAD_LEN, 0) != LOCKREC_HEAD_LEN)
		return 0;
	n = rec_len((uint32_t)gcd_get_be(buf + 16, 4), (uint32_t)gcd_get_be(buf + 20, 2));
	if (!n || n > cap || pread(fd, buf, n, 0) != (ssize_t)n || lockrec_decode(buf, n, r))
		return 0;
	return n;
}

size_t lockstore_load(struct lockstore *ls, uint64_t height, uint8_t *buf, size_t cap)
{
	struct lockrec r[2];
	size_t len[2] = {0, 0};
	unsigned int k, best = 2;

	for (k = 0; k < 2; k++) {
		/* The second is read after the first: buf holds one at a time. */
		len[k] = load_one(ls->fd[k], buf, cap, &r[k]);
		if (len[k] && r[k].height == height && (best == 2 || r[k].round > r[best].round))
			best = k;
	}
	if (best == 2)
		return 0;
	/* The next save goes over the other one. */
	ls->next = best ^ 1;
	if (best == 0 && !load_one(ls->fd[0], buf, cap, &r[0]))
		return 0;
	return len[best];
}
