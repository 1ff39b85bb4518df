// SPDX-License-Identifier: GPL-2.0
#include "timers.h"

#include <stdint.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int timers_init(struct timers *ts)
{
	memset(ts, 0, sizeof(*ts));
	ts->fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	return ts->fd < 0 ? -1 : 0;
}

void timers_close(struct timers *ts)
{
	if (ts->fd >= 0)
		close(ts->fd);
	ts->fd = -1;
}

static unsigned int earliest(const struct timers *ts)
{
	unsigned int i, best = 0;

	for (i = 1; i < ts->n; i++)
		if (ts->t[i].due_ms < ts->t[best].due_ms)
			best = i;
	return best;
}

void timers_add(struct timers *ts, int kind, uint64_t a, uint32_t b, uint64_t due_ms)
{
	unsigned int i;

	for (i = 0; i < ts->n; i++) {
		if (ts->t[i].kind == kind && ts->t[i].a == a && ts->t[i].b == b) {
			ts->t[i].due_ms = due_ms;
			return;
		}
	}
	if (ts->n == TM_TIMERS_MAX) {
		/* Full: the one of the oldest (a, b), a height and round long
		 * left, gives way.
		 */
		unsigned int old = 0;

		for (i = 1; i < ts->n; i++)
			if (ts->t[i].a < ts->t[old].a ||
			    (ts->t[i].a == ts->t[old].a && ts->t[i].b < ts->t[old].b))
				old = i;
		ts->t[old] = (struct timer){.due_ms = due_ms, .kind = kind, .a = a, .b = b};
		return;
	}
	ts->t[ts->n++] = (struct timer){.due_ms = due_ms, .kind = kind, .a = a, .b = b};
}

void timers_cancel(struct timers *ts, int kind)
{
	unsigned int i = 0;

	while (i < ts->n) {
		if (ts->t[i].kind == kind)
			ts->t[i] = ts->t[--ts->n];
		else
			i++;
	}
}

bool timers_pop(struct timers *ts, uint64_t now, struct timer *out)
{
	unsigned int i;

	if (!ts->n)
		return false;
	i = earliest(ts);
	if (ts->t[i].due_ms > now)
		return false;
	*out = ts->t[i];
	ts->t[i] = ts->t[--ts->n];
	return true;
}

void timers_arm(struct timers *ts)
{
	struct itimerspec its = {0};
	uint64_t due, now = now_ms();

	if (ts->n) {
		due = ts->t[earliest(ts)].due_ms;
		if (due <= now)
			due = now + 1; /* 0 would disarm it */
		due -= now;
		its.it_value.tv_sec = (time_t)(due / 1000);
		its.it_value.tv_nsec = (long)(due % 1000) * 1000000;
	}
	timerfd_settime(ts->fd, 0, &its, NULL);
}
