// SPDX-License-Identifier: GPL-2.0
#include "sentlog.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "bigendian.h"

/* height (8), length (4), CRC-32 of height, length and message (4), message. */
#define HEAD_LEN 16

static const char *const names[SL_KINDS] = {"sent-proposal", "sent-prevote", "sent-precommit"};

int sl_open(struct sentlog *sl, const char *dir, char *err, size_t errlen)
{
	char path[PATH_MAX];
	unsigned int k;

	for (k = 0; k < SL_KINDS; k++)
		sl->fd[k] = -1;
	for (k = 0; k < SL_KINDS; k++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[k]);
		sl->fd[k] = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (sl->fd[k] < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			sl_close(sl);
			return -1;
		}
	}
	return 0;
}

void sl_close(struct sentlog *sl)
{
	unsigned int k;

	for (k = 0; k < SL_KINDS; k++) {
		if (sl->fd[k] >= 0)
			close(sl->fd[k]);
		sl->fd[k] = -1;
	}
}

static uLong crc_of(const uint8_t *head, const uint8_t *msg, size_t len)
{
	return crc32(crc32(0, head, 12), msg, (uInt)len);
}

int sl_save(struct sentlog *sl, unsigned int kind, uint64_t height, const uint8_t *msg, size_t len)
{
	uint8_t *rec;
	ssize_t n;

	if (kind >= SL_KINDS || len > UINT32_MAX)
		return -1;
	rec = malloc(HEAD_LEN + len);
	if (!rec)
		return -1;
	gcd_put_be(rec, height, 8);
	gcd_put_be(rec + 8, len, 4);
	gcd_put_be(rec + 12, crc_of(rec, msg, len), 4);
	memcpy(rec + HEAD_LEN, msg, len);
	/* A torn write fails the CRC: the record is then ignored, not trusted. */
	n = pwrite(sl->fd[kind], rec, HEAD_LEN + len, 0);
	free(rec);
	if (n != (ssize_t)(HEAD_LEN + len) || fdatasync(sl->fd[kind]))
		return -1;
	return 0;
}

size_t sl_load(struct sentlog *sl, unsigned int kind, uint64_t height, uint8_t *buf, size_t cap)
{
	uint8_t head[HEAD_LEN];
	size_t len;

	if (kind >= SL_KINDS || pread(sl->fd[kind], head, HEAD_LEN, 0) != HEAD_LEN ||
	    gcd_get_be(head, 8) != height)
		return 0;
	len = (size_t)gcd_get_be(head + 8, 4);
	if (!len || len > cap || pread(sl->fd[kind], buf, len, HEAD_LEN) != (ssize_t)len ||
	    crc_of(head, buf, len) != (uLong)gcd_get_be(head + 12, 4))
		return 0;
	return len;
}
