/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gcd's link to gossipchain.ko, over ctl/nl.c: it registers as the
 * namespace's verifier and reads the upcalls (GC_CMD_ITEM_VERIFY) on one
 * socket, sends verdicts and puts items on a second (so acks never mix
 * with upcalls), and reads member events on a third.
 */
#ifndef GCD_KERNEL_H
#define GCD_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"
#include "nl.h"

struct kernel {
	struct gc_nl up;       /* the verifier's socket: upcalls arrive here */
	struct gc_nl ctl;      /* verdicts, puts, dumps */
	struct gc_nl ev;       /* member events */
	uint8_t *buf;	       /* receive buffer, GC_NL_RECV_BUFSZ */
	uint64_t upcalls_lost; /* the receive buffer overflowed (ENOBUFS) */
};

/* Opens the three sockets in the caller's network namespace, raises the
 * node's item_max_bytes to GC_ITEM_MAX_SIZE (a proposal carries a whole
 * block) and registers as the verifier. Returns 0, or -1 with a message in
 * err.
 */
int kn_open(struct kernel *k, char *err, size_t errlen);
void kn_close(struct kernel *k);

/* Called for every upcall; it points into the receive buffer. */
typedef void (*kn_upcall_fn)(void *ctx, const struct gc_item_info *it);
/* Called for every member event. */
typedef void (*kn_member_fn)(void *ctx, const struct gc_member_info *m);

/* Reads what has arrived (non-blocking): -1 only on a dead socket. */
int kn_read_upcalls(struct kernel *k, kn_upcall_fn fn, void *ctx);
int kn_read_events(struct kernel *k, kn_member_fn fn, void *ctx);

int kn_verdict(struct kernel *k, const uint8_t id[GC_ITEM_ID_SIZE], bool accept,
	       struct gc_nl_error *e);
/* Puts an item with this node as origin; *out gets what the kernel said. */
/* item_hold_unverified = 1: while no gcd runs, items wait (pending) and
 * are not forwarded unchecked; they expire and are fetched again when gcd
 * is back. Set at each start; left set at exit on purpose.
 */
int kn_hold_unverified(struct kernel *k, struct gc_nl_error *e);
int kn_put(struct kernel *k, uint8_t type, const uint8_t *data, uint32_t len,
	   struct gc_item_info *out, struct gc_nl_error *e);

/* The member table: calls fn for each member. */
int kn_members(struct kernel *k, kn_member_fn fn, void *ctx, struct gc_nl_error *e);

int kn_up_fd(const struct kernel *k);
int kn_ev_fd(const struct kernel *k);

#endif
