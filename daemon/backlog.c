// SPDX-License-Identifier: GPL-2.0
#include "backlog.h"

#include <stdlib.h>

int backlog_init(struct backlog *b, void (*free_msg)(void *msg))
{
	b->e = calloc(BACKLOG_MAX, sizeof(*b->e));
	b->n = b->bytes = 0;
	b->dropped = 0;
	b->free_msg = free_msg;
	return b->e ? 0 : -1;
}

void backlog_free(struct backlog *b)
{
	size_t i;

	for (i = 0; b->e && i < b->n; i++)
		b->free_msg(b->e[i].msg);
	free(b->e);
	b->e = NULL;
	b->n = b->bytes = 0;
}

static void remove_at(struct backlog *b, size_t i)
{
	b->bytes -= b->e[i].bytes;
	for (; i + 1 < b->n; i++)
		b->e[i] = b->e[i + 1];
	b->n--;
}

void backlog_add(struct backlog *b, uint64_t height, size_t bytes, void *msg)
{
	size_t i, far;

	if (bytes > BACKLOG_MAX_BYTES) {
		b->dropped++;
		b->free_msg(msg);
		return;
	}
	while (b->n && (b->n == BACKLOG_MAX || b->bytes + bytes > BACKLOG_MAX_BYTES)) {
		for (far = 0, i = 1; i < b->n; i++)
			if (b->e[i].height > b->e[far].height)
				far = i;
		if (b->e[far].height <= height) {
			/* The new one is the farthest: it goes. */
			b->dropped++;
			b->free_msg(msg);
			return;
		}
		b->free_msg(b->e[far].msg);
		remove_at(b, far);
		b->dropped++;
	}
	b->e[b->n++] = (struct backlog_entry){.height = height, .bytes = bytes, .msg = msg};
	b->bytes += bytes;
}

void backlog_take(struct backlog *b, uint64_t min_height, uint64_t max_height,
		  void (*fn)(void *ctx, void *msg), void *ctx)
{
	size_t i = 0, kept = 0;
	struct backlog_entry e;

	/* Compacts in place; fn may not add to the backlog meanwhile (it is
	 * called after the walk).
	 */
	struct backlog_entry *out = malloc(b->n * sizeof(*out) + 1);
	size_t n_out = 0;

	for (i = 0; i < b->n; i++) {
		e = b->e[i];
		if (e.height > max_height) {
			b->e[kept++] = e;
			continue;
		}
		b->bytes -= e.bytes;
		if (e.height < min_height || !out)
			b->free_msg(e.msg);
		else
			out[n_out++] = e;
	}
	b->n = kept;
	for (i = 0; i < n_out; i++)
		fn(ctx, out[i].msg);
	free(out);
}
