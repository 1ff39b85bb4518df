/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Proposals and votes of heights that Tendermint cannot take yet (more
 * than one height ahead of it: this node is behind). They were validly
 * signed, so they were accepted and forwarded, and the validators that sent
 * them will not send them again: kept here and handed in after each new
 * height starts. Bounded in count and bytes; when full the farthest height
 * goes first (the nearest are the ones needed next).
 */
#ifndef GCD_BACKLOG_H
#define GCD_BACKLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BACKLOG_MAX	  4096
#define BACKLOG_MAX_BYTES (32u << 20)

struct backlog_entry {
	uint64_t height;
	size_t bytes;
	void *msg;
};

struct backlog {
	struct backlog_entry *e;
	size_t n, bytes;
	uint64_t dropped;
	void (*free_msg)(void *msg);
};

/* Returns 0, or -1 without memory. */
int backlog_init(struct backlog *b, void (*free_msg)(void *msg));
void backlog_free(struct backlog *b);

/* Keeps msg (owned from now on) for height; may drop it or a farther one. */
void backlog_add(struct backlog *b, uint64_t height, size_t bytes, void *msg);

/*
 * Takes out every message of a height up to max_height, oldest first, and
 * calls fn on each (fn owns it then); those below min_height are freed
 * unread (decided already).
 */
void backlog_take(struct backlog *b, uint64_t min_height, uint64_t max_height,
		  void (*fn)(void *ctx, void *msg), void *ctx);

#endif
