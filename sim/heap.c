// SPDX-License-Identifier: GPL-2.0
#include "heap.h"

#include <stdlib.h>

static int before(const struct heap_ev *a, const struct heap_ev *b)
{
	return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

int heap_push(struct heap *h, uint64_t at, uint32_t kind, uint32_t node, uint32_t arg, void *data)
{
	struct heap_ev e = {at, h->seq++, kind, node, arg, data};
	size_t i;

	if (h->len == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 1024;
		struct heap_ev *ev = realloc(h->ev, cap * sizeof(*ev));

		if (!ev)
			return -1;
		h->ev = ev;
		h->cap = cap;
	}
	i = h->len++;
	while (i > 0 && before(&e, &h->ev[(i - 1) / 2])) {
		h->ev[i] = h->ev[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->ev[i] = e;
	return 0;
}

int heap_pop(struct heap *h, struct heap_ev *out)
{
	struct heap_ev last;
	size_t i = 0, c;

	if (!h->len)
		return -1;
	*out = h->ev[0];
	last = h->ev[--h->len];
	for (;;) {
		c = 2 * i + 1;
		if (c >= h->len)
			break;
		if (c + 1 < h->len && before(&h->ev[c + 1], &h->ev[c]))
			c++;
		if (!before(&h->ev[c], &last))
			break;
		h->ev[i] = h->ev[c];
		i = c;
	}
	if (h->len)
		h->ev[i] = last;
	return 0;
}

void heap_free(struct heap *h)
{
	free(h->ev);
	h->ev = NULL;
	h->len = h->cap = 0;
}
