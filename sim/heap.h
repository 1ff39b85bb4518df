/* SPDX-License-Identifier: GPL-2.0 */
/* The simulator's event queue: a binary min-heap ordered by (time, order of
 * insertion), so events at the same instant run in a reproducible order.
 */
#ifndef GC_SIM_HEAP_H
#define GC_SIM_HEAP_H

#include <stddef.h>
#include <stdint.h>

struct heap_ev {
	uint64_t at;
	uint64_t seq;
	uint32_t kind;
	uint32_t node;
	uint32_t arg;
	void *data;
};

struct heap {
	struct heap_ev *ev;
	size_t len, cap;
	uint64_t seq;
};

int heap_push(struct heap *h, uint64_t at, uint32_t kind, uint32_t node, uint32_t arg, void *data);
int heap_pop(struct heap *h, struct heap_ev *out);
void heap_free(struct heap *h);

#endif
