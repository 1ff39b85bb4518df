/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gcd's timers: a bounded set of (kind, a, b) due at a time in
 * milliseconds of CLOCK_MONOTONIC, driving one timerfd. Tendermint's
 * timeouts carry (height, round); a timeout that comes late is harmless (the
 * engine ignores those of a height or round it has left), and when the set
 * is full the one of the oldest height and round gives way.
 */
#ifndef GCD_TIMERS_H
#define GCD_TIMERS_H

#include <stdbool.h>
#include <stdint.h>

#define TM_TIMERS_MAX 256

struct timer {
	uint64_t due_ms;
	int kind;
	uint64_t a;
	uint32_t b;
};

struct timers {
	struct timer t[TM_TIMERS_MAX];
	unsigned int n;
	int fd;
};

uint64_t now_ms(void);

int timers_init(struct timers *ts);
void timers_close(struct timers *ts);
/* Adds a timer; replaces one of the same kind, a and b. */
void timers_add(struct timers *ts, int kind, uint64_t a, uint32_t b, uint64_t due_ms);
/* Removes every timer of kind. */
void timers_cancel(struct timers *ts, int kind);
/* The next timer due by now, removed from the set; false when none is. */
bool timers_pop(struct timers *ts, uint64_t now, struct timer *out);
/* Sets the timerfd for the earliest timer; call after changes. */
void timers_arm(struct timers *ts);

#endif
