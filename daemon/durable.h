/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Writing the state dir's small files durably (the node key, the kept
 * genesis): every byte written, the file synced, then its directory, so the
 * new name survives a power cut too.
 */
#ifndef GCD_DURABLE_H
#define GCD_DURABLE_H

#include <stddef.h>

/* 0, or -1 with errno (EINTR retried). */
int gcd_write_all(int fd, const void *p, size_t len);
/* fsync of the directory holding path ("." when it names no directory). */
int gcd_fsync_dir_of(const char *path);

#endif
