// SPDX-License-Identifier: GPL-2.0
/*
 * Idealized push-sum (Kempe, Dobra, Gehrke 2003), the yardstick of the
 * aggregation rows of docs/BENCHMARKS.md: synchronous rounds, real
 * arithmetic (double), no loss, push only. An epoch starts at node 0 (count
 * mass g = 1 there only); every node already in the epoch keeps half of its
 * mass and pushes half to one uniformly random other node each round; a node
 * joins the epoch when it first receives mass of it, adding its own (c = 1,
 * w = 1, s = its value). Prints the rounds until every node's average
 * (s / w), sum (s / g) and count (c / g) are within 1% of the truth.
 *
 *   pushsum-model N [SEEDS]      (default seeds: 3)
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct node {
	double s, w, c, g, value;
	bool joined;
};

struct push {
	uint32_t to;
	double s, w, c, g;
};

static uint64_t rng;

/* splitmix64: seeded, reproducible. */
static uint64_t next(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static bool within(double est, double truth)
{
	return fabs(est - truth) <= 0.01 * fabs(truth);
}

/* Rounds until all three estimates are within 1% everywhere (0: never),
 * and each one's first round in first[3].
 */
static uint32_t run(uint32_t n, uint64_t seed, uint32_t first[3])
{
	struct node *v = calloc(n, sizeof(*v));
	struct push *sent = calloc(n, sizeof(*sent));
	double avg = 0, total = 0;
	uint32_t r, i, k, ns, all = 0;

	if (!v || !sent) {
		fprintf(stderr, "pushsum-model: out of memory\n");
		exit(1);
	}
	rng = seed;
	for (i = 0; i < n; i++) {
		v[i].value = (double)(next() >> 11) / 9007199254740992.0 * 1000;
		total += v[i].value;
	}
	avg = total / n;
	memset(first, 0, 3 * sizeof(*first));
	v[0] = (struct node){v[0].value, 1, 1, 1, v[0].value, true};
	for (r = 1; r < 400 && !all; r++) {
		bool ok[3] = {true, true, true}, every = true;

		for (i = 0, ns = 0; i < n; i++) {
			struct node *x = &v[i];
			uint32_t j;

			if (!x->joined)
				continue;
			j = (uint32_t)(next() % (n - 1));
			j += j >= i;
			sent[ns++] = (struct push){j, x->s / 2, x->w / 2, x->c / 2, x->g / 2};
			x->s /= 2;
			x->w /= 2;
			x->c /= 2;
			x->g /= 2;
		}
		for (k = 0; k < ns; k++) {
			struct node *y = &v[sent[k].to];

			if (!y->joined)
				*y = (struct node){y->value, 1, 1, 0, y->value, true};
			y->s += sent[k].s;
			y->w += sent[k].w;
			y->c += sent[k].c;
			y->g += sent[k].g;
		}
		for (i = 0; i < n; i++) {
			const struct node *x = &v[i];

			every &= x->joined;
			ok[0] &= x->joined && within(x->s / x->w, avg);
			ok[1] &= x->joined && x->g > 0 && within(x->s / x->g, total);
			ok[2] &= x->joined && x->g > 0 && within(x->c / x->g, n);
		}
		for (k = 0; k < 3 && every; k++)
			if (ok[k] && !first[k])
				first[k] = r;
		if (first[0] && first[1] && first[2])
			all = r;
	}
	free(v);
	free(sent);
	return all;
}

int main(int argc, char **argv)
{
	uint32_t n, seeds = 3, s, first[3], all;

	if (argc < 2 || argc > 3 || (n = (uint32_t)strtoul(argv[1], NULL, 10)) < 2 ||
	    (argc == 3 && !(seeds = (uint32_t)strtoul(argv[2], NULL, 10)))) {
		fputs("usage: pushsum-model N [SEEDS]\n", stderr);
		return 2;
	}
	for (s = 0; s < seeds; s++) {
		all = run(n, s, first);
		printf("n=%u seed=%u: all three within 1%% after %u rounds (average %u, sum %u, "
		       "count %u)\n",
		       n, s, all, first[0], first[1], first[2]);
	}
	return 0;
}
