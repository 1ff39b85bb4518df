// SPDX-License-Identifier: GPL-2.0
#include "signguard.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "bigendian.h"

/* height (8), round (4), step (1), all big endian, then CRC-32 of those (4). */
#define RECORD_LEN 17

int sg_open(struct signguard *sg, const char *dir, char *err, size_t errlen)
{
	uint8_t r[RECORD_LEN];
	char path[PATH_MAX];
	ssize_t n;

	memset(sg, 0, sizeof(*sg));
	snprintf(path, sizeof(path), "%s/%s", dir, SG_FILE);
	sg->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (sg->fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	n = pread(sg->fd, r, sizeof(r), 0);
	if (n == 0)
		return 0; /* never signed */
	if (n != RECORD_LEN ||
	    crc32(0, r, RECORD_LEN - 4) != (uLong)gcd_get_be(r + RECORD_LEN - 4, 4) ||
	    r[12] < SG_PROPOSAL || r[12] > SG_PRECOMMIT) {
		snprintf(
			err, errlen,
			"%s is damaged: how far this validator signed is unknown (remove it only "
			"if no other gcd ever ran with this key at the heights after the ledger's head)",
			path);
		close(sg->fd);
		sg->fd = -1;
		return -1;
	}
	sg->height = gcd_get_be(r, 8);
	sg->round = (uint32_t)gcd_get_be(r + 8, 4);
	sg->step = r[12];
	return 0;
}

void sg_close(struct signguard *sg)
{
	if (sg->fd >= 0)
		close(sg->fd);
	sg->fd = -1;
}

static bool after_last(const struct signguard *sg, uint64_t h, uint32_t r, uint8_t s)
{
	if (h != sg->height)
		return h > sg->height;
	if (r != sg->round)
		return r > sg->round;
	return s > sg->step;
}

bool sg_sign(struct signguard *sg, uint64_t height, uint32_t round, enum sg_step step)
{
	uint8_t r[RECORD_LEN];

	if (sg->fd < 0 || !after_last(sg, height, round, (uint8_t)step))
		return false;
	gcd_put_be(r, height, 8);
	gcd_put_be(r + 8, round, 4);
	r[12] = (uint8_t)step;
	gcd_put_be(r + RECORD_LEN - 4, crc32(0, r, RECORD_LEN - 4), 4);
	/* One 17-byte write in one sector: it lands whole or not at all. */
	if (pwrite(sg->fd, r, sizeof(r), 0) != (ssize_t)sizeof(r) || fdatasync(sg->fd))
		return false;
	sg->height = height;
	sg->round = round;
	sg->step = (uint8_t)step;
	return true;
}
