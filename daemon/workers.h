/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A pool of threads for gcd's CPU work, Ed25519 verification above all:
 * the main thread submits jobs, the workers run job->run(job), and finished
 * jobs come back to the main thread in submission order through
 * wk_collect(), which it calls when wk_fd() is readable. Results in order
 * keep a sender's transactions in the order they arrived.
 */
#ifndef GCD_WORKERS_H
#define GCD_WORKERS_H

#include <stdbool.h>
#include <stdint.h>

struct wk_job {
	void (*run)(struct wk_job *job); /* on a worker thread */
	struct wk_job *next;		 /* the pool's */
	uint64_t seq;			 /* the pool's */
	bool done;			 /* the pool's */
};

struct workers;

/* n threads (0: as many as CPUs); NULL when they cannot start. */
struct workers *wk_new(unsigned int n);
/* Stops the threads after the jobs queued; jobs not collected are lost. */
void wk_free(struct workers *w);

void wk_submit(struct workers *w, struct wk_job *job);
/* An eventfd, readable while finished jobs wait to be collected. */
int wk_fd(const struct workers *w);
/* The next finished job in submission order, or NULL. */
struct wk_job *wk_collect(struct workers *w);
/* Jobs submitted and not collected yet. */
unsigned int wk_pending(const struct workers *w);
unsigned int wk_threads(const struct workers *w);

#endif
