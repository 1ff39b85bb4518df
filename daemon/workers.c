// SPDX-License-Identifier: GPL-2.0
#include "workers.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* Submitted jobs are chained twice: the run queue (job->next), and the
 * submission order in a list of nodes of its own, so a job can be run by
 * one thread and collected in order by the main one.
 */
struct order_node {
	struct wk_job *job;
	struct order_node *next;
};

struct workers {
	pthread_mutex_t lock;
	pthread_cond_t work;			    /* jobs queued, or stopping */
	struct wk_job *queue_head, *queue_tail;	    /* to run */
	struct order_node *order_head, *order_tail; /* submitted: next to collect */
	pthread_t *threads;
	unsigned int n, pending;
	uint64_t next_seq;
	bool stop;
	int efd;
};

static void *worker(void *arg)
{
	struct workers *w = arg;
	struct wk_job *job;
	uint64_t one = 1;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->queue_head && !w->stop)
			pthread_cond_wait(&w->work, &w->lock);
		if (!w->queue_head)
			break;
		job = w->queue_head;
		w->queue_head = job->next;
		if (!w->queue_head)
			w->queue_tail = NULL;
		pthread_mutex_unlock(&w->lock);
		job->run(job);
		pthread_mutex_lock(&w->lock);
		job->done = true;
		/* Only the oldest job finishing makes anything collectable. */
		if (w->order_head && w->order_head->job == job &&
		    write(w->efd, &one, sizeof(one)) != sizeof(one)) {
			/* eventfd counter full: it is readable anyway */
		}
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct workers *wk_new(unsigned int n)
{
	struct workers *w = calloc(1, sizeof(*w));
	unsigned int i;

	if (!w)
		return NULL;
	if (!n) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);

		n = c > 0 ? (unsigned int)c : 1;
	}
	w->threads = calloc(n, sizeof(*w->threads));
	w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (!w->threads || w->efd < 0) {
		free(w->threads);
		if (w->efd >= 0)
			close(w->efd);
		free(w);
		return NULL;
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->work, NULL);
	for (i = 0; i < n; i++) {
		if (pthread_create(&w->threads[i], NULL, worker, w))
			break;
		w->n++;
	}
	if (!w->n) {
		wk_free(w);
		return NULL;
	}
	return w;
}

void wk_free(struct workers *w)
{
	unsigned int i;
	struct order_node *o;

	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_broadcast(&w->work);
	pthread_mutex_unlock(&w->lock);
	for (i = 0; i < w->n; i++)
		pthread_join(w->threads[i], NULL);
	while ((o = w->order_head)) {
		w->order_head = o->next;
		free(o);
	}
	w->order_tail = NULL;
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->work);
	close(w->efd);
	free(w->threads);
	free(w);
}

void wk_submit(struct workers *w, struct wk_job *job)
{
	struct order_node *o = malloc(sizeof(*o));

	job->next = NULL;
	job->done = false;
	pthread_mutex_lock(&w->lock);
	job->seq = w->next_seq++;
	if (!o) {
		/* No memory to track it: run it here, it is collected in order anyway. */
		pthread_mutex_unlock(&w->lock);
		job->run(job);
		pthread_mutex_lock(&w->lock);
		job->done = true;
		o = NULL;
	}
	if (o) {
		o->job = job;
		o->next = NULL;
		if (w->order_tail)
			w->order_tail->next = o;
		else
			w->order_head = o;
		w->order_tail = o;
		if (w->queue_tail)
			w->queue_tail->next = job;
		else
			w->queue_head = job;
		w->queue_tail = job;
		w->pending++;
		pthread_cond_signal(&w->work);
	}
	pthread_mutex_unlock(&w->lock);
}

int wk_fd(const struct workers *w)
{
	return w->efd;
}

struct wk_job *wk_collect(struct workers *w)
{
	struct wk_job *job = NULL;
	struct order_node *o;
	uint64_t v;

	pthread_mutex_lock(&w->lock);
	if (w->order_head && w->order_head->job->done) {
		o = w->order_head;
		job = o->job;
		w->order_head = o->next;
		if (!w->order_head)
			w->order_tail = NULL;
		free(o);
		w->pending--;
	}
	if (!w->order_head || !w->order_head->job->done) {
		/* Nothing more to collect now: drain the eventfd. */
		if (read(w->efd, &v, sizeof(v)) < 0) {
			/* EAGAIN: it was not readable */
		}
	}
	pthread_mutex_unlock(&w->lock);
	return job;
}

unsigned int wk_pending(const struct workers *w)
{
	return w->pending;
}

unsigned int wk_threads(const struct workers *w)
{
	return w->n;
}
