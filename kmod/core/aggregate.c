// SPDX-License-Identifier: GPL-2.0
#include "aggregate.h"

#define MS 1000ULL
#define MILLION 1000000U

/* ---- 128-bit fixed point ---- */

static struct gc_i128 i128_add(struct gc_i128 a, struct gc_i128 b)
{
	struct gc_i128 r;

	r.lo = a.lo + b.lo;
	r.hi = (s64)((u64)a.hi + (u64)b.hi + (r.lo < a.lo));
	return r;
}

static struct gc_i128 i128_sub(struct gc_i128 a, struct gc_i128 b)
{
	struct gc_i128 r;

	r.lo = a.lo - b.lo;
	r.hi = (s64)((u64)a.hi - (u64)b.hi - (a.lo < b.lo));
	return r;
}

/* Half, rounded toward minus infinity: a - half keeps the rest exactly. */
static struct gc_i128 i128_half(struct gc_i128 a)
{
	struct gc_i128 r;

	r.lo = a.lo >> 1 | (u64)a.hi << 63;
	r.hi = a.hi < 0 ? (s64)((u64)a.hi >> 1 | 1ULL << 63) : a.hi >> 1;
	return r;
}

/* value * GC_AGG_WEIGHT (2^32). */
static struct gc_i128 i128_weigh(s64 v)
{
	struct gc_i128 r;

	r.lo = (u64)v << 32;
	r.hi = v < 0 ? (s64)((u64)v >> 32 | 0xffffffff00000000ULL) : v >> 32;
	return r;
}

struct gc_i128 gc_i128_mul(u64 a, u32 b)
{
	u64 lo = (a & 0xffffffffULL) * b, hi = (a >> 32) * b;
	struct gc_i128 r;

	r.lo = lo + (hi << 32);
	r.hi = (s64)((hi >> 32) + (r.lo < lo));
	return r;
}

/* hi:lo / d with hi < d: the quotient (fits 64 bits) and the remainder. */
static u64 divmod(u64 hi, u64 lo, u64 d, u64 *rem)
{
	u64 q = 0, carry;
	int i;

	for (i = 63; i >= 0; i--) {
		carry = hi >> 63;
		hi = hi << 1 | (lo >> i & 1);
		if (carry || hi >= d) {
			hi -= d;
			q |= 1ULL << i;
		}
	}
	*rem = hi;
	return q;
}

s64 gc_i128_div_scaled(struct gc_i128 x, u64 d, unsigned int shift)
{
	u64 qhi, qlo, r, frac, q;
	bool neg = x.hi < 0;

	if (!d || shift > 32)
		return 0;
	if (neg)
		x = i128_sub((struct gc_i128){ 0, 0 }, x);
	/* x / d = q (128 bits: qhi, qlo) and r; then (q << shift) + (r << shift) / d. */
	qhi = (u64)x.hi / d;
	qlo = divmod((u64)x.hi % d, x.lo, d, &r);
	if (qhi || qlo >> (63 - shift))
		return neg ? GC_AGG_NONE_MAX : GC_AGG_NONE_MIN;
	frac = divmod(shift ? r >> (64 - shift) : 0, r << shift, d, &r);
	q = (qlo << shift) + frac;
	if (q > (u64)GC_AGG_NONE_MIN)
		return neg ? GC_AGG_NONE_MAX : GC_AGG_NONE_MIN;
	return neg ? -(s64)q : (s64)q;
}

s64 gc_i128_div(struct gc_i128 s, u64 d)
{
	bool neg = s.hi < 0;
	u64 hi, lo, rem, q = 0, carry;
	int i;

	if (!d)
		return 0;
	if (neg)
		s = i128_sub((struct gc_i128){ 0, 0 }, s);
	hi = (u64)s.hi;
	lo = s.lo;
	if (hi >= d)
		return neg ? GC_AGG_NONE_MAX : GC_AGG_NONE_MIN;
	rem = hi;
	for (i = 63; i >= 0; i--) {
		carry = rem >> 63;
		rem = rem << 1 | (lo >> i & 1);
		if (carry || rem >= d) {
			rem -= d;
			q |= 1ULL << i;
		}
	}
	if (q > (u64)GC_AGG_NONE_MIN)
		return neg ? GC_AGG_NONE_MAX : GC_AGG_NONE_MIN;
	return neg ? -(s64)q : (s64)q;
}

/* ---- metrics ---- */

static int name_cmp(const char *a, u8 alen, const char *b, u8 blen)
{
	int r = memcmp(a, b, alen < blen ? alen : blen);

	return r ? r : (int)alen - (int)blen;
}

static struct gc_metric *metric(struct gc_agg *a, const char *name, u8 len, bool add)
{
	struct gc_metric *m;
	u32 i;

	for (i = 0; i < a->n; i++)
		if (!name_cmp(a->m[i].name, a->m[i].name_len, name, len))
			return &a->m[i];
	if (!add || a->n == GC_AGG_MAX)
		return NULL;
	m = &a->m[a->n++];
	memset(m, 0, sizeof(*m));
	memcpy(m->name, name, len);
	m->name_len = len;
	m->min = GC_AGG_NONE_MIN;
	m->max = GC_AGG_NONE_MAX;
	return m;
}

static void estimate(const struct gc_agg *a, const struct gc_metric *m, struct gc_agg_estimate *e)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->name, m->name, m->name_len);
	e->name_len = m->name_len;
	e->has_avg = m->w > 0;
	if (e->has_avg)
		e->avg = gc_i128_div(m->s, m->w);
	e->has_sum = a->g > 0;
	if (e->has_sum) {
		e->sum = gc_i128_div_scaled(m->s, a->g, GC_AGG_SOURCE_SHIFT);
		e->publishers = gc_i128_div_scaled(gc_i128_mul(m->w, MILLION), a->g,
						   GC_AGG_SOURCE_SHIFT);
	}
	e->has_range = m->min <= m->max;
	e->min = m->min;
	e->max = m->max;
	e->settled = m->calm >= 3;
}

void gc_agg_current(const struct gc_agg *a, struct gc_agg_result *r)
{
	u32 i;

	memset(r, 0, sizeof(*r));
	r->epoch = a->epoch;
	r->rounds = a->round;
	r->has_nodes = a->g > 0;
	if (r->has_nodes)
		r->nodes = gc_i128_div_scaled(gc_i128_mul(a->c, MILLION), a->g,
					      GC_AGG_SOURCE_SHIFT);
	r->n = a->n;
	for (i = 0; i < a->n; i++)
		estimate(a, &a->m[i], &r->m[i]);
}

void gc_agg_report(const struct gc_agg *a, struct gc_agg_result *r)
{
	if (a->result.valid) {
		*r = a->result;
		r->rounds = a->round;
		return;
	}
	gc_agg_current(a, r);
}

bool gc_agg_own_value(const struct gc_agg *a, const char *name, u8 len, s64 *value)
{
	u32 i;

	for (i = 0; i < a->n_own; i++) {
		if (!name_cmp(a->own[i].name, a->own[i].name_len, name, len)) {
			*value = a->own[i].value;
			return true;
		}
	}
	return false;
}

/* |new - old| < old / 1000 */
static bool calm(s64 now, s64 old)
{
	u64 diff = now > old ? (u64)now - (u64)old : (u64)old - (u64)now;
	u64 mag = old < 0 ? -(u64)old : (u64)old;

	return diff <= mag / 1000;
}

/* After a round: how much the estimates moved, for the settled flag. */
static void track(struct gc_agg *a)
{
	struct gc_agg_estimate e;
	u32 i;

	for (i = 0; i < a->n; i++) {
		struct gc_metric *m = &a->m[i];

		estimate(a, m, &e);
		if (e.has_avg && e.has_sum && calm(e.avg, m->last_avg) && calm(e.sum, m->last_sum))
			m->calm++;
		else
			m->calm = 0;
		m->last_avg = e.avg;
		m->last_sum = e.sum;
	}
}

/* ---- epochs ---- */

/* Ends the running epoch: its estimates become what this node reports. */
static void finish(struct gc_agg *a)
{
	if (!a->active)
		return;
	gc_agg_current(a, &a->result);
	a->result.valid = true;
}

/* Starts over in epoch, from this node's own values. Leaving an epoch for
 * a newer one completes it; leaving it for another of the same number (two
 * sources started one at once and the other's name is lower) abandons it:
 * its estimates are nobody's and are not reported.
 */
static void reset(struct gc_agg *a, u32 epoch, const char *source, u8 source_len, bool is_source)
{
	u32 i;

	if (epoch != a->epoch)
		finish(a);
	a->active = true;
	a->epoch = epoch;
	memcpy(a->source, source, source_len);
	a->source_len = source_len;
	a->round = 0;
	a->c = GC_AGG_WEIGHT;
	a->g = is_source ? GC_AGG_SOURCE_WEIGHT : 0;
	a->n = 0;
	for (i = 0; i < a->n_own; i++) {
		struct gc_metric *m = metric(a, a->own[i].name, a->own[i].name_len, true);

		m->s = i128_weigh(a->own[i].value);
		m->w = GC_AGG_WEIGHT;
		m->min = a->own[i].value;
		m->max = a->own[i].value;
	}
	a->stats.epochs++;
}

/* Epoch 0 is none: after 0xffffffff comes 1. */
static void start_epoch(struct gc_agg *a)
{
	reset(a, a->epoch + 1 ? a->epoch + 1 : 1, a->self, a->self_len, true);
}

/* Whether (epoch, source) of a message is newer than ours (1), ours (0)
 * or older (-1). Epochs compare as serial numbers (RFC 1982), so they wrap:
 * a forged or stray huge epoch cannot stop the computation for good.
 */
static int compare_epoch(const struct gc_agg *a, u32 epoch, const struct gc_name *source)
{
	int cmp;

	if (!a->epoch)
		return 1;
	if (epoch != a->epoch)
		return (s32)(epoch - a->epoch) > 0 ? 1 : -1;
	cmp = -name_cmp(source->p, source->len, a->source, a->source_len);
	/* The epoch this node left: joining again would count it twice. */
	if (!a->active && !cmp)
		return -1;
	return cmp;
}

/* Tells a node still in an older epoch of ours: an AGG message of our
 * epoch with no mass, which makes it start over in ours. Without it a node
 * learns of a new epoch only when pushed to, log2 N + ln N rounds after it
 * began; with it, as push-pull, log3 N + O(log log N).
 */
static void nudge(struct gc_agg *a, const struct gc_addr *to)
{
	struct gc_wbuf b = { .p = a->tx, .cap = a->tx_cap };

	gc_begin_agg(&b, a->epoch, a->source, a->source_len, 0, 0);
	gc_end_list(&b, 0, 0);
	if (!b.overflow)
		a->peers.ops->send(a->peers.ctx, to, b.p, b.len);
}

void gc_agg_on_msg(struct gc_agg *a, const struct gc_addr *from, const struct gc_msg *msg,
		   u64 now)
{
	struct gc_agg_entry e;
	struct gc_metric *m;
	size_t off = 0;
	int cmp;
	u16 i;

	(void)now;
	cmp = compare_epoch(a, msg->incarnation, &msg->name);
	if (cmp < 0) {
		a->stats.stale++;
		/* Its mass is lost either way; an empty message is not worth one. */
		if (a->active && (msg->agg_c || msg->count))
			nudge(a, from);
		return;
	}
	if (cmp > 0)
		reset(a, msg->incarnation, msg->name.p, msg->name.len, false);
	a->c += msg->agg_c;
	a->g += msg->agg_g;
	for (i = 0; i < msg->count; i++) {
		if (gc_next_agg_entry(msg, &off, &e))
			return;	/* validated before; cannot happen */
		m = metric(a, e.name.p, e.name.len, true);
		if (!m) {
			a->stats.dropped++;
			continue;
		}
		m->s = i128_add(m->s, (struct gc_i128){ e.s_hi, e.s_lo });
		m->w += e.w;
		if (e.min < m->min)
			m->min = e.min;
		if (e.max > m->max)
			m->max = e.max;
	}
}

/* Keeps half of the mass and sends the other half to one random member, in
 * as many messages as the metrics need: the node mass goes with the first.
 */
static void send_half(struct gc_agg *a)
{
	struct gc_wbuf b = { .p = a->tx, .cap = a->tx_cap };
	struct gc_addr peer;
	struct gc_agg_entry e;
	u64 c = a->c / 2, g = a->g / 2;
	size_t start;
	u16 count = 0;
	u32 i;

	if (!a->peers.ops->pick(a->peers.ctx, &peer, 1))
		return;
	a->c -= c;
	a->g -= g;
	start = b.len;
	gc_begin_agg(&b, a->epoch, a->source, a->source_len, c, g);
	for (i = 0; i < a->n; i++) {
		struct gc_metric *m = &a->m[i];

		if (b.cap - b.len < GC_AGG_ENTRY_LEN(m->name_len)) {
			gc_end_list(&b, start, count);
			a->peers.ops->send(a->peers.ctx, &peer, b.p, b.len);
			b.len = 0;
			start = 0;
			count = 0;
			gc_begin_agg(&b, a->epoch, a->source, a->source_len, 0, 0);
		}
		e.name.p = m->name;
		e.name.len = m->name_len;
		e.s_hi = i128_half(m->s).hi;
		e.s_lo = i128_half(m->s).lo;
		e.w = m->w / 2;
		e.min = m->min;
		e.max = m->max;
		m->s = i128_sub(m->s, (struct gc_i128){ e.s_hi, e.s_lo });
		m->w -= e.w;
		gc_put_agg_entry(&b, &e);
		count++;
	}
	gc_end_list(&b, start, count);
	a->peers.ops->send(a->peers.ctx, &peer, b.p, b.len);
}

/* Rounds per epoch: agg_epoch_rounds, or more in a large cluster, where
 * push-sum needs O(log n) rounds to settle: 6 * ceil(log2(n)).
 */
u32 gc_agg_epoch_rounds(u32 configured, u32 n)
{
	u32 log2n = 0;

	while (log2n < 32 && (1ULL << log2n) < n)
		log2n++;
	return 6 * log2n > configured ? 6 * log2n : configured;
}

static void round_tick(struct gc_agg *a)
{
	u32 rounds = gc_agg_epoch_rounds(a->cfg->agg_epoch_rounds,
					 a->peers.ops->count(a->peers.ctx));

	if (!a->active) {
		/* Nobody has started an epoch: a node with something to say does. */
		if (a->n_own)
			start_epoch(a);
		return;
	}
	a->round++;
	a->stats.rounds++;
	send_half(a);
	track(a);
	if ((a->round >= rounds && a->peers.ops->lowest(a->peers.ctx)) || a->round >= 2 * rounds) {
		if (a->n_own || a->n) {
			start_epoch(a);
		} else {
			finish(a);		/* what it reports: no metric */
			a->active = false;	/* nothing left to aggregate */
		}
	}
}

void gc_agg_tick(struct gc_agg *a, u64 now)
{
	u64 interval = (u64)a->cfg->agg_interval_ms * MS;

	if (!interval) {
		a->next_round_us = now + 3600000ULL * MS;
		return;
	}
	/* A shorter agg_interval_ms (or on after off), set while up, applies now. */
	if (a->next_round_us > now + interval)
		a->next_round_us = now + interval;
	if (now < a->next_round_us)
		return;
	round_tick(a);
	a->next_round_us = now + interval;
}

u64 gc_agg_deadline(const struct gc_agg *a)
{
	return a->next_round_us;
}

int gc_agg_set(struct gc_agg *a, const char *name, u8 len, s64 value, bool publish, u64 now)
{
	u32 i;

	(void)now;
	for (i = 0; i < a->n_own; i++)
		if (!name_cmp(a->own[i].name, a->own[i].name_len, name, len))
			break;
	if (!publish) {
		if (i < a->n_own)
			a->own[i] = a->own[--a->n_own];
		return 0;
	}
	if (i == a->n_own) {
		if (a->n_own == GC_AGG_MAX)
			return -1;
		a->n_own++;
		memcpy(a->own[i].name, name, len);
		a->own[i].name_len = len;
	}
	a->own[i].value = value;
	return 0;
}

int gc_agg_init(struct gc_agg *a, const struct gc_config *cfg, const struct gc_peers *peers,
		const char *self, u8 self_len, u64 now)
{
	memset(a, 0, sizeof(*a));
	a->cfg = cfg;
	a->peers = *peers;
	memcpy(a->self, self, self_len);
	a->self_len = self_len;
	a->tx_cap = cfg->mtu - GC_SEAL_OVERHEAD;
	a->tx = gc_zalloc(a->tx_cap);
	if (!a->tx)
		return -1;
	a->next_round_us = now + (u64)(cfg->agg_interval_ms ? cfg->agg_interval_ms : 3600000) * MS;
	return 0;
}

void gc_agg_destroy(struct gc_agg *a)
{
	gc_free(a->tx);
	a->tx = NULL;
}
