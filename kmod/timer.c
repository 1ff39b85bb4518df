// SPDX-License-Identifier: GPL-2.0
/*
 * The protocol's clock: one timer per instance, always set for the engine's
 * next deadline (a probe, a gossip round, a suspicion running out), and
 * moved earlier whenever a packet or a command brings a deadline forward.
 */
#include <linux/jiffies.h>
#include <linux/timer.h>

#include "core/engine.h"
#include "instance.h"

/* Even with nothing due, look again now and then. */
#define GC_TIMER_MAX_US (10 * USEC_PER_SEC)

static unsigned long gc_deadline_jiffies(u64 deadline, u64 now)
{
	u64 delta = deadline > now ? deadline - now : 0;

	if (delta > GC_TIMER_MAX_US)
		delta = GC_TIMER_MAX_US;
	/* Round up: firing a jiffy early would only find nothing due. */
	return jiffies + usecs_to_jiffies(delta) + 1;
}

/* Under engine_lock, with the engine present. */
void gc_timer_rearm(struct gc_instance *gc, u64 now)
{
	timer_reduce(&gc->timer, gc_deadline_jiffies(gc_engine_next_deadline(gc->engine), now));
}

static void gc_timer_fire(struct timer_list *t)
{
	struct gc_instance *gc = from_timer(gc, t, timer);
	struct gc_engine *e;
	struct gc_out out;
	u64 now;

	e = gc_engine_get(gc, &out);
	if (e) {
		now = gc_now_us();
		gc_engine_on_tick(e, now);
		/* The timer has fired, so this sets it rather than reduces it. */
		mod_timer(&gc->timer, gc_deadline_jiffies(gc_engine_next_deadline(e), now));
	}
	gc_engine_put(gc, &out);
}

void gc_timer_init(struct gc_instance *gc)
{
	timer_setup(&gc->timer, gc_timer_fire, 0);
}
