// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for kmod/core/aggregate.c: the 128-bit fixed point, and
 * push-sum over simulated clusters of 16 and 100 nodes driven through
 * struct gc_agg directly. Every node's gc_peer_ops pick a random live peer
 * from a seeded generator; sends are queued and delivered after every node
 * had its round, so no message is in flight between rounds and mass
 * conservation can be checked exactly.
 */

#include "kselftest_harness.h"

#include <sanitizer/lsan_interface.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/aggregate.h"

#define MAXN	128
#define MS	1000ULL
#define MILLION 1000000LL

struct pkt {
	int to, from;
	size_t len;
	u8 data[];
};

struct net;

struct anode {
	struct net *net;
	int id;
	char name[8];
	struct gc_agg a;
	bool up;
};

struct net {
	struct anode n[MAXN];
	int count;
	u64 now;
	u32 round;
	struct gc_config cfg;
	u64 rng;
	struct pkt **q;
	u32 qlen, qcap;
	u32 dead_after[MAXN]; /* picked until this round after a crash */
	bool lowest_override;
	bool lowest[MAXN]; /* with lowest_override: what each node says */
	u32 sent, bad;
};

static u64 rnd(struct net *net)
{
	u64 x = net->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	net->rng = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static bool pickable(const struct net *net, int i)
{
	return net->n[i].up || net->round < net->dead_after[i];
}

static struct gc_addr node_addr(int i)
{
	struct gc_addr a;

	memset(&a, 0, sizeof(a));
	a.family = 4;
	a.ip[2] = (u8)(i >> 8);
	a.ip[3] = (u8)i;
	a.port = 7947;
	return a;
}

static u32 peer_pick(void *ctx, struct gc_addr *out, u32 k)
{
	struct anode *n = ctx;
	struct net *net = n->net;
	int cand[MAXN], nc = 0, i;

	for (i = 0; i < net->count; i++)
		if (i != n->id && pickable(net, i))
			cand[nc++] = i;
	if (!k || !nc)
		return 0;
	i = cand[rnd(net) % (u64)nc];
	*out = node_addr(i);
	return 1;
}

static u32 peer_count(void *ctx)
{
	return (u32)((struct anode *)ctx)->net->count;
}

/* The lowest name of the live members this node knows. */
static bool peer_lowest(void *ctx)
{
	struct anode *n = ctx;
	struct net *net = n->net;
	int i;

	if (net->lowest_override)
		return net->lowest[n->id];
	for (i = 0; i < n->id; i++)
		if (pickable(net, i))
			return false;
	return true;
}

static void peer_send(void *ctx, const struct gc_addr *to, const u8 *body, size_t len)
{
	struct anode *n = ctx;
	struct net *net = n->net;
	struct pkt *p;

	if (len > n->net->cfg.mtu - GC_SEAL_OVERHEAD)
		net->bad++;
	if (net->qlen == net->qcap) {
		net->qcap = net->qcap ? net->qcap * 2 : 256;
		net->q = realloc(net->q, net->qcap * sizeof(*net->q));
	}
	p = malloc(sizeof(*p) + len);
	p->to = to->ip[2] << 8 | to->ip[3];
	p->from = n->id;
	p->len = len;
	memcpy(p->data, body, len);
	net->q[net->qlen++] = p;
	net->sent++;
}

static const struct gc_peer_ops peer_ops = {
	.pick = peer_pick,
	.count = peer_count,
	.lowest = peer_lowest,
	.send = peer_send,
};

static u32 net_mtu = 1400; /* what the next net_new() configures */

static struct net *net_new(int count, u32 epoch_rounds, u64 seed)
{
	struct net *net = calloc(1, sizeof(*net));
	int i;

	net->count = count;
	net->now = 1000 * MS;
	net->rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	gc_config_default(&net->cfg);
	net->cfg.agg_interval_ms = 500;
	net->cfg.agg_epoch_rounds = epoch_rounds;
	net->cfg.mtu = net_mtu;
	for (i = 0; i < count; i++) {
		struct anode *n = &net->n[i];
		struct gc_peers peers = {.ops = &peer_ops, .ctx = n};

		n->net = net;
		n->id = i;
		snprintf(n->name, sizeof(n->name), "n%03d", i & 0x7f);
		if (gc_agg_init(&n->a, &net->cfg, &peers, n->name, 4, net->now))
			return NULL;
		n->up = true;
	}
	return net;
}

static void net_free(struct net *net)
{
	u32 i;
	int j;

	for (j = 0; j < net->count; j++)
		gc_agg_destroy(&net->n[j].a);
	for (i = 0; i < net->qlen; i++)
		free(net->q[i]);
	free(net->q);
	free(net);
}

static void deliver_all(struct net *net)
{
	u32 i;

	for (i = 0; i < net->qlen; i++) {
		struct pkt *p = net->q[i];
		struct gc_addr from = node_addr(p->from);
		size_t off = 0;
		struct gc_msg m;

		while (net->n[p->to].up && off < p->len) {
			if (gc_decode_msg(p->data, p->len, &off, &m) || m.type != GC_MSG_AGG) {
				net->bad++;
				break;
			}
			gc_agg_on_msg(&net->n[p->to].a, &from, &m, net->now);
		}
		free(p);
	}
	net->qlen = 0;
}

/* One round: every live node ticks once, then everything is delivered. */
static void round_all(struct net *net)
{
	int i;

	net->now += (u64)net->cfg.agg_interval_ms * MS;
	net->round++;
	for (i = 0; i < net->count; i++)
		if (net->n[i].up)
			gc_agg_tick(&net->n[i].a, net->now);
	deliver_all(net);
}

static void crash(struct net *net, int id, u32 detect_rounds)
{
	net->n[id].up = false;
	net->dead_after[id] = net->round + detect_rounds;
}

static s64 load_of(int i)
{
	return (s64)(i + 1) * 1500000; /* 1.5, 3.0, ... */
}

static s64 temp_of(int i)
{
	return 250000 - (s64)i * MILLION; /* 0.25, -0.75, ... */
}

/* Node i publishes load; even nodes also publish temp. */
static void publish_all(struct net *net)
{
	int i;

	for (i = 0; i < net->count; i++) {
		gc_agg_set(&net->n[i].a, "load", 4, load_of(i), true, net->now);
		if (i % 2 == 0)
			gc_agg_set(&net->n[i].a, "temp", 4, temp_of(i), true, net->now);
	}
}

struct truth {
	s64 nodes, load_avg, load_sum, load_min, load_max, load_pub;
	s64 temp_avg, temp_sum, temp_min, temp_max, temp_pub;
};

static struct truth truth_of(const struct net *net)
{
	struct truth t = {.load_min = INT64_MAX,
			  .load_max = INT64_MIN,
			  .temp_min = INT64_MAX,
			  .temp_max = INT64_MIN};
	s64 ln = 0, tn = 0;
	int i;

	for (i = 0; i < net->count; i++) {
		s64 v;

		if (!net->n[i].up)
			continue;
		t.nodes += MILLION;
		if (gc_agg_own_value(&net->n[i].a, "load", 4, &v)) {
			t.load_sum += v;
			ln++;
			t.load_min = v < t.load_min ? v : t.load_min;
			t.load_max = v > t.load_max ? v : t.load_max;
		}
		if (gc_agg_own_value(&net->n[i].a, "temp", 4, &v)) {
			t.temp_sum += v;
			tn++;
			t.temp_min = v < t.temp_min ? v : t.temp_min;
			t.temp_max = v > t.temp_max ? v : t.temp_max;
		}
	}
	t.load_avg = ln ? t.load_sum / ln : 0;
	t.temp_avg = tn ? t.temp_sum / tn : 0;
	t.load_pub = ln * MILLION;
	t.temp_pub = tn * MILLION;
	return t;
}

/* |x - want| <= 1% of |want| (and an absolute millionth for zero). */
static bool near(s64 x, s64 want)
{
	s64 d = x > want ? x - want : want - x;
	s64 mag = want < 0 ? -want : want;

	return d <= mag / 100 + 1;
}

static const struct gc_agg_estimate *find_est(const struct gc_agg_result *r, const char *name)
{
	u32 i;

	for (i = 0; i < r->n; i++)
		if (r->m[i].name_len == strlen(name) &&
		    !memcmp(r->m[i].name, name, r->m[i].name_len))
			return &r->m[i];
	return NULL;
}

/* Whether r's estimates are all within 1% of the truth. */
static bool result_ok(const struct gc_agg_result *r, const struct truth *t)
{
	const struct gc_agg_estimate *l = find_est(r, "load"), *m = find_est(r, "temp");

	if (!r->has_nodes || !near(r->nodes, t->nodes) || !l || !m)
		return false;
	if (!l->has_avg || !l->has_sum || !l->has_range || !m->has_avg || !m->has_sum)
		return false;
	return near(l->avg, t->load_avg) && near(l->sum, t->load_sum) &&
	       near(l->publishers, t->load_pub) && l->min == t->load_min && l->max == t->load_max &&
	       near(m->avg, t->temp_avg) && near(m->sum, t->temp_sum) &&
	       near(m->publishers, t->temp_pub) && m->min == t->temp_min && m->max == t->temp_max;
}

static bool all_current_ok(const struct net *net, const struct truth *t)
{
	struct gc_agg_result r;
	int i;

	for (i = 0; i < net->count; i++) {
		if (!net->n[i].up)
			continue;
		gc_agg_current(&net->n[i].a, &r);
		if (!result_ok(&r, t))
			return false;
	}
	return true;
}

/* Every live node in the same epoch from the same source. */
static bool one_epoch(const struct net *net, u32 *epoch, const char **source)
{
	const struct gc_agg *first = NULL;
	int i;

	for (i = 0; i < net->count; i++) {
		const struct gc_agg *a = &net->n[i].a;

		if (!net->n[i].up)
			continue;
		if (!a->active)
			return false;
		if (!first)
			first = a;
		else if (a->epoch != first->epoch || a->source_len != first->source_len ||
			 memcmp(a->source, first->source, a->source_len))
			return false;
	}
	if (epoch)
		*epoch = first ? first->epoch : 0;
	if (source)
		*source = first ? first->source : NULL;
	return first != NULL;
}

/* The sums of every mass over the live nodes, exactly. */
struct mass {
	unsigned __int128 c, g, w[2];
	__int128 s[2];
};

static __int128 i128(struct gc_i128 x)
{
	return (__int128)((unsigned __int128)(u64)x.hi << 64 | x.lo);
}

static struct mass mass_of(const struct net *net)
{
	struct mass m;
	int i;
	u32 k;

	memset(&m, 0, sizeof(m));
	for (i = 0; i < net->count; i++) {
		const struct gc_agg *a = &net->n[i].a;

		if (!net->n[i].up)
			continue;
		m.c += a->c;
		m.g += a->g;
		for (k = 0; k < a->n; k++) {
			int j = !memcmp(a->m[k].name, "temp", 4);

			m.w[j] += a->m[k].w;
			m.s[j] += i128(a->m[k].s);
		}
	}
	return m;
}

static int leaks(void)
{
	return __lsan_do_recoverable_leak_check();
}

/* ---- 128-bit fixed point ---- */

static struct gc_i128 mk(__int128 v)
{
	struct gc_i128 r = {.hi = (s64)(v >> 64), .lo = (u64)v};

	return r;
}

static s64 ref_div(__int128 s, u64 d)
{
	__int128 q;

	if (!d)
		return 0;
	/* Truncation toward zero, as C's / does. */
	q = s / (__int128)d;
	if (q > INT64_MAX)
		return INT64_MAX;
	if (q < INT64_MIN)
		return INT64_MIN;
	return (s64)q;
}

TEST(i128_mul)
{
	struct gc_i128 r;
	u64 rng = 12345;
	int i;

	r = gc_i128_mul(0, 0xffffffff);
	EXPECT_EQ(0, r.hi);
	EXPECT_EQ(0, r.lo);
	r = gc_i128_mul(~0ULL, 0xffffffffU);
	/* (2^64 - 1)(2^32 - 1) = 2^96 - 2^64 - 2^32 + 1 */
	EXPECT_EQ(0xfffffffe, r.hi);
	EXPECT_EQ(0xffffffff00000001ULL, r.lo);
	r = gc_i128_mul(1ULL << 63, 2);
	EXPECT_EQ(1, r.hi);
	EXPECT_EQ(0, r.lo);
	r = gc_i128_mul(1000, MILLION);
	EXPECT_EQ(0, r.hi);
	EXPECT_EQ(1000000000ULL, r.lo);
	for (i = 0; i < 100000; i++) {
		u64 a, b;
		unsigned __int128 want;

		rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
		a = rng;
		rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
		b = rng >> 32;
		want = (unsigned __int128)a * b;
		r = gc_i128_mul(a, (u32)b);
		ASSERT_EQ((u64)(want >> 64), (u64)r.hi);
		ASSERT_EQ((u64)want, r.lo);
	}
}

TEST(i128_div)
{
	u64 rng = 99;
	int i;

	/* Signs, rounding toward zero. */
	EXPECT_EQ(3, gc_i128_div(mk(7), 2));
	EXPECT_EQ(-3, gc_i128_div(mk(-7), 2));
	EXPECT_EQ(0, gc_i128_div(mk(-1), 2));
	EXPECT_EQ(0, gc_i128_div(mk(1), 2));
	EXPECT_EQ(-1, gc_i128_div(mk(-2), 2));
	EXPECT_EQ(-5, gc_i128_div(mk(-5), 1));
	EXPECT_EQ(0, gc_i128_div(mk(0), 7));
	/* A value times the weight, divided by the weight. */
	EXPECT_EQ(-1234567, gc_i128_div(mk((__int128)-1234567 * GC_AGG_WEIGHT), GC_AGG_WEIGHT));
	EXPECT_EQ(INT64_MAX, gc_i128_div(mk((__int128)INT64_MAX * GC_AGG_WEIGHT), GC_AGG_WEIGHT));
	EXPECT_EQ(INT64_MIN, gc_i128_div(mk((__int128)INT64_MIN * GC_AGG_WEIGHT), GC_AGG_WEIGHT));
	/* Scaled: (x << shift) / d exactly, as __int128 computes it. */
	{
		u64 lcg = 12345;
		int k;

		EXPECT_EQ(0, gc_i128_div_scaled(mk(5), 0, 24));
		EXPECT_EQ(16 * MILLION, gc_i128_div_scaled(gc_i128_mul(16 * GC_AGG_WEIGHT, MILLION),
							   GC_AGG_SOURCE_WEIGHT, 24));
		EXPECT_EQ(INT64_MAX, gc_i128_div_scaled(mk((__int128)1 << 100), 1, 24));
		EXPECT_EQ(INT64_MIN, gc_i128_div_scaled(mk(-((__int128)1 << 100)), 1, 24));
		for (k = 0; k < 100000; k++) {
			__int128 x, want;
			u64 d;

			lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
			x = (__int128)(s64)lcg * (s64)(lcg >> 40);
			lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
			d = (lcg >> (lcg & 31)) | 1;
			want = (x * ((__int128)1 << 24)) / (__int128)d;
			if (want > INT64_MAX || want < INT64_MIN)
				continue;
			ASSERT_EQ((s64)want, gc_i128_div_scaled(mk(x), d, 24));
		}
	}
	/* 0 divisor. */
	EXPECT_EQ(0, gc_i128_div(mk(5), 0));
	EXPECT_EQ(0, gc_i128_div(mk(-5), 0));
	/* Clamping. */
	EXPECT_EQ(INT64_MAX, gc_i128_div(mk((__int128)1 << 100), 1));
	EXPECT_EQ(INT64_MIN, gc_i128_div(mk(-((__int128)1 << 100)), 1));
	EXPECT_EQ(INT64_MAX, gc_i128_div(mk((__int128)INT64_MAX + 1), 1));
	EXPECT_EQ(INT64_MIN, gc_i128_div(mk((__int128)INT64_MIN), 1));
	EXPECT_EQ(INT64_MIN, gc_i128_div(mk((__int128)INT64_MIN - 1), 1));
	/* The most negative 128-bit value. */
	EXPECT_EQ(INT64_MIN, gc_i128_div(mk((__int128)((unsigned __int128)1 << 127)), ~0ULL));
	/* Against the compiler's division. */
	for (i = 0; i < 200000; i++) {
		__int128 s;
		u64 d, a, b;
		int shift;

		rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
		a = rng;
		rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
		b = rng;
		shift = (int)(b % 128);
		s = (__int128)((unsigned __int128)a << 64 | b) >> shift;
		rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
		d = rng >> (rng % 64);
		ASSERT_EQ(ref_div(s, d), gc_i128_div(mk(s), d))
		{
			TH_LOG("s %016llx%016llx d %llu", (unsigned long long)a,
			       (unsigned long long)b, (unsigned long long)d);
		}
	}
}

/* ---- push-sum ---- */

/* Rounds until every node's running estimates are within 1%. */
static u32 converge(struct __test_metadata *_metadata, int count, u64 seed)
{
	struct net *net = net_new(count, 100000, seed);
	struct truth t;
	u32 r, at = 0;

	ASSERT_NE(NULL, net);
	publish_all(net);
	t = truth_of(net);
	for (r = 1; r <= 200 && !at; r++) {
		round_all(net);
		if (one_epoch(net, NULL, NULL) && all_current_ok(net, &t))
			at = r;
	}
	EXPECT_EQ(0, net->bad);
	EXPECT_NE(0, at);
	/* And they stay there. */
	for (r = 0; r < 20; r++) {
		round_all(net);
		EXPECT_TRUE(all_current_ok(net, &t));
	}
	net_free(net);
	return at;
}

TEST(push_sum_16_nodes)
{
	u32 worst = 0, sum = 0, r;
	u64 seed;

	for (seed = 1; seed <= 10; seed++) {
		r = converge(_metadata, 16, seed);
		sum += r;
		worst = r > worst ? r : worst;
	}
	TH_LOG("16 nodes: within 1%% after %u rounds on average, %u at worst (10 seeds)", sum / 10,
	       worst);
	EXPECT_LE(worst, 40);
	EXPECT_EQ(0, leaks());
}

TEST(push_sum_100_nodes)
{
	u32 worst = 0, sum = 0, r;
	u64 seed;

	for (seed = 1; seed <= 5; seed++) {
		r = converge(_metadata, 100, seed);
		sum += r;
		worst = r > worst ? r : worst;
	}
	TH_LOG("100 nodes: within 1%% after %u rounds on average, %u at worst (5 seeds)", sum / 5,
	       worst);
	EXPECT_LE(worst, 60);
	EXPECT_EQ(0, leaks());
}

/* No mass is made or lost while no message is in flight. */
TEST(mass_is_conserved)
{
	struct net *net = net_new(16, 100000, 3);
	struct truth t;
	u32 r, checked = 0;

	ASSERT_NE(NULL, net);
	publish_all(net);
	t = truth_of(net);
	for (r = 0; r < 100; r++) {
		round_all(net);
		if (one_epoch(net, NULL, NULL)) {
			struct mass m = mass_of(net);

			checked++;
			ASSERT_EQ(16 * GC_AGG_WEIGHT, (u64)m.c);
			ASSERT_EQ(GC_AGG_SOURCE_WEIGHT, (u64)m.g);
			ASSERT_EQ(16 * GC_AGG_WEIGHT, (u64)m.w[0]);
			ASSERT_EQ(8 * GC_AGG_WEIGHT, (u64)m.w[1]);
			ASSERT_TRUE(m.s[0] == (__int128)t.load_sum * GC_AGG_WEIGHT);
			ASSERT_TRUE(m.s[1] == (__int128)t.temp_sum * GC_AGG_WEIGHT);
		}
	}
	EXPECT_LT(90, checked);
	net_free(net);
	EXPECT_EQ(0, leaks());
}

/* Epochs restart every agg_epoch_rounds rounds, started by the lowest name;
 * what a node reports is the last complete epoch's estimates.
 */
TEST(epochs_restart_from_the_lowest_name)
{
	struct net *net = net_new(16, 40, 5);
	struct gc_agg_result rep;
	struct truth t;
	u32 r, epoch, last = 0, changes = 0, first_change = 0;
	const char *src;

	ASSERT_NE(NULL, net);
	publish_all(net);
	t = truth_of(net);
	gc_agg_report(&net->n[7].a, &rep);
	EXPECT_FALSE(rep.valid);
	for (r = 1; r <= 200; r++) {
		round_all(net);
		if (!one_epoch(net, &epoch, &src))
			continue;
		EXPECT_EQ(0, memcmp(src, "n000", 4));
		if (last && epoch != last) {
			changes++;
			if (!first_change)
				first_change = r;
		}
		last = epoch;
	}
	TH_LOG("epochs: %u changes in 200 rounds, first at round %u", changes, first_change);
	/* Every 40 rounds of node 0: 4 in 200 rounds (one round to begin). */
	EXPECT_EQ(4, changes);
	/* Its first epoch and four more. */
	EXPECT_EQ(5, net->n[0].a.stats.epochs);
	/* What is reported is a complete epoch's, within 1%. */
	for (r = 0; r < 16; r++) {
		gc_agg_report(&net->n[r].a, &rep);
		EXPECT_TRUE(rep.valid);
		EXPECT_TRUE(result_ok(&rep, &t));
		EXPECT_TRUE(find_est(&rep, "load")->settled);
		EXPECT_EQ(net->n[r].a.epoch - 1, rep.epoch);
	}
	net_free(net);
	EXPECT_EQ(0, leaks());
}

/* When the lowest node does not restart, the others do after twice the
 * rounds, and one epoch wins.
 */
TEST(epochs_restart_without_the_lowest)
{
	struct net *net = net_new(16, 20, 6);
	u32 r, epoch = 0, e1 = 0, at = 0;
	const char *src;
	int i;

	ASSERT_NE(NULL, net);
	publish_all(net);
	net->lowest_override = true; /* nobody thinks itself the lowest */
	for (r = 1; r <= 30; r++) {
		round_all(net);
		if (!e1 && one_epoch(net, &epoch, &src))
			e1 = epoch;
	}
	ASSERT_NE(0, e1);
	/* Past 20 rounds, and still the first epoch. */
	EXPECT_TRUE(one_epoch(net, &epoch, &src));
	EXPECT_EQ(e1, epoch);
	/* 20 rounds asked for, 24 at 16 nodes: 6 * ceil(log2(16)). */
	ASSERT_EQ(24, gc_agg_epoch_rounds(20, 16));
	for (; r <= 70 && !at; r++) {
		round_all(net);
		if (one_epoch(net, &epoch, &src) && epoch != e1)
			at = r;
	}
	TH_LOG("the next epoch everywhere after %u rounds", at);
	EXPECT_LT(2 * 24, at);
	EXPECT_GE(2 * 24 + 15, at);
	EXPECT_EQ(e1 + 1, epoch);
	/* Of the nodes that started one at once, the lowest name won. */
	EXPECT_EQ(0, memcmp(src, "n000", 4));
	for (i = 0; i < 16; i++)
		EXPECT_EQ(0, memcmp(net->n[i].a.source, "n000", 4));
	net_free(net);
	EXPECT_EQ(0, leaks());
}

/* A crashed node no longer counts after the next epoch. */
TEST(crashed_node_leaves_the_next_epoch)
{
	struct net *net = net_new(16, 40, 7);
	struct gc_agg_result rep;
	struct truth t;
	u32 r, epoch = 0, e0;
	int i;

	ASSERT_NE(NULL, net);
	publish_all(net);
	for (r = 0; r < 60; r++)
		round_all(net);
	ASSERT_TRUE(one_epoch(net, &e0, NULL));
	crash(net, 6, 5);
	crash(net, 0, 5); /* the lowest too: node 1 takes over */
	t = truth_of(net);
	/* Two epochs later everything is of the 14 that are left. */
	for (r = 0; r < 200; r++) {
		round_all(net);
		if (one_epoch(net, &epoch, NULL) && epoch >= e0 + 3)
			break;
	}
	ASSERT_LE(e0 + 3, epoch);
	EXPECT_EQ(0, memcmp(net->n[1].a.source, "n001", 4));
	for (i = 1; i < 16; i++) {
		if (!net->n[i].up)
			continue;
		gc_agg_report(&net->n[i].a, &rep);
		EXPECT_TRUE(result_ok(&rep, &t));
		EXPECT_TRUE(near(rep.nodes, 14 * MILLION));
	}
	net_free(net);
	EXPECT_EQ(0, leaks());
}

/* Two epochs of one number from two sources: the lower name wins. */
TEST(simultaneous_epochs_resolve_to_lower_name)
{
	struct net *net = net_new(16, 20, 8);
	u32 r, e0, epoch, both = 0;
	const char *src;
	int i;

	ASSERT_NE(NULL, net);
	publish_all(net);
	net->lowest_override = true;
	for (r = 0; r < 10; r++)
		round_all(net);
	ASSERT_TRUE(one_epoch(net, &e0, &src));
	/* Nodes 3 and 9 both think themselves the lowest and reach the end of
	 * the epoch in the same round; nobody else is anywhere near it.
	 */
	net->lowest[3] = true;
	net->lowest[9] = true;
	for (i = 0; i < 16; i++)
		net->n[i].a.round = i == 3 || i == 9 ? gc_agg_epoch_rounds(20, 16) - 1 : 0;
	round_all(net);
	EXPECT_EQ(e0 + 1, net->n[3].a.epoch);
	EXPECT_EQ(e0 + 1, net->n[9].a.epoch);
	/* Both epochs ran at once somewhere... */
	for (r = 0; r < 15; r++) {
		u32 a = 0, b = 0;

		for (i = 0; i < 16; i++) {
			a += !memcmp(net->n[i].a.source, "n003", 4);
			b += !memcmp(net->n[i].a.source, "n009", 4);
		}
		both += a && b;
		round_all(net);
	}
	EXPECT_LT(0, both);
	/* ... and node 3's won, node 9 included. */
	ASSERT_TRUE(one_epoch(net, &epoch, &src));
	EXPECT_EQ(e0 + 1, epoch);
	EXPECT_EQ(0, memcmp(src, "n003", 4));
	EXPECT_LT(0, net->n[3].a.stats.stale + net->n[9].a.stats.stale);
	net_free(net);
	EXPECT_EQ(0, leaks());
}

/* Builds an AGG message: epoch, source, c, g and one metric. */
static size_t agg_body(u8 *body, size_t cap, u32 epoch, const char *source, u64 c, u64 g,
		       const char *metric, s64 value)
{
	struct gc_wbuf b = {.p = body, .cap = cap};
	struct gc_agg_entry e = {0};
	struct gc_i128 s = mk((__int128)value * GC_AGG_WEIGHT);

	gc_begin_agg(&b, epoch, source, (u8)strlen(source), c, g);
	if (metric) {
		e.name.p = metric;
		e.name.len = (u8)strlen(metric);
		e.s_hi = s.hi;
		e.s_lo = s.lo;
		e.w = GC_AGG_WEIGHT;
		e.min = value;
		e.max = value;
		gc_put_agg_entry(&b, &e);
	}
	gc_end_list(&b, 0, metric ? 1 : 0);
	return b.len;
}

static void feed(struct gc_agg *a, const u8 *body, size_t len, u64 now)
{
	struct gc_addr outside = node_addr(999);
	struct gc_msg m;
	size_t off = 0;

	if (gc_decode_msg(body, len, &off, &m) == GC_WIRE_OK)
		gc_agg_on_msg(a, &outside, &m, now);
}

TEST(epoch_precedence_and_stale_messages)
{
	struct net *net = net_new(1, 40, 9);
	struct gc_agg *a;
	u8 body[512];
	size_t len;

	ASSERT_NE(NULL, net);
	a = &net->n[0].a;
	/* A node in epoch 5 of n007. */
	len = agg_body(body, sizeof(body), 5, "n007", GC_AGG_WEIGHT / 2, 0, "x", 10);
	feed(a, body, len, net->now);
	EXPECT_TRUE(a->active);
	EXPECT_EQ(5, a->epoch);
	EXPECT_EQ(0, memcmp(a->source, "n007", 4));
	EXPECT_EQ(GC_AGG_WEIGHT + GC_AGG_WEIGHT / 2, a->c);
	EXPECT_EQ(1, a->stats.epochs);
	/* Epoch 5 of n009 is stale; so is epoch 4 of anyone. */
	len = agg_body(body, sizeof(body), 5, "n009", 7, 7, "x", 10);
	feed(a, body, len, net->now);
	len = agg_body(body, sizeof(body), 4, "n000", 7, 7, "x", 10);
	feed(a, body, len, net->now);
	EXPECT_EQ(2, a->stats.stale);
	EXPECT_EQ(GC_AGG_WEIGHT + GC_AGG_WEIGHT / 2, a->c);
	EXPECT_EQ(0, a->g);
	/* Each stale sender was told of epoch 5: an AGG of it with no mass. */
	ASSERT_EQ(2, net->qlen);
	{
		struct gc_msg m;
		size_t off = 0;

		ASSERT_EQ(GC_WIRE_OK, gc_decode_msg(net->q[1]->data, net->q[1]->len, &off, &m));
		EXPECT_EQ(999, net->q[1]->to);
		EXPECT_EQ(GC_MSG_AGG, m.type);
		EXPECT_EQ(5, m.incarnation);
		EXPECT_EQ(0, memcmp(m.name.p, "n007", 4));
		EXPECT_EQ(0, m.agg_c);
		EXPECT_EQ(0, m.agg_g);
		EXPECT_EQ(0, m.count);
	}
	/* Epoch 5 of n003 wins over n007: a fresh start, its mass added. */
	len = agg_body(body, sizeof(body), 5, "n003", 100, 200, "y", -3);
	feed(a, body, len, net->now);
	EXPECT_EQ(0, memcmp(a->source, "n003", 4));
	EXPECT_EQ(GC_AGG_WEIGHT + 100, a->c);
	EXPECT_EQ(200, a->g);
	EXPECT_EQ(1, a->n);
	EXPECT_EQ(2, a->stats.epochs);
	/* The epoch it abandoned (same number, lost to a lower name) is
	 * nobody's estimate: not reported.
	 */
	EXPECT_FALSE(a->result.valid);
	/* Epoch 6 of anyone is newer, and completes epoch 5: that is reported. */
	len = agg_body(body, sizeof(body), 6, "zzz", 1, 1, NULL, 0);
	feed(a, body, len, net->now);
	EXPECT_EQ(6, a->epoch);
	EXPECT_TRUE(a->result.valid);
	EXPECT_EQ(5, a->result.epoch);
	EXPECT_EQ(0, a->n);
	EXPECT_EQ(GC_AGG_WEIGHT + 1, a->c);
	net_free(net);
	EXPECT_EQ(0, leaks());
}

/* A withdrawn metric leaves the next epoch; with nothing published at all
 * the nodes fall silent instead of counting themselves twice.
 */
TEST(withdraw_a_metric)
{
	struct net *net = net_new(16, 40, 10);
	struct gc_agg_result rep;
	struct truth t;
	u32 r, e0, epoch;
	s64 v;
	int i;

	ASSERT_NE(NULL, net);
	publish_all(net);
	for (r = 0; r < 60; r++)
		round_all(net);
	ASSERT_TRUE(one_epoch(net, &e0, NULL));
	/* Node 4 withdraws temp, node 5 load. */
	EXPECT_EQ(0, gc_agg_set(&net->n[4].a, "temp", 4, 0, false, net->now));
	EXPECT_EQ(0, gc_agg_set(&net->n[5].a, "load", 4, 0, false, net->now));
	EXPECT_FALSE(gc_agg_own_value(&net->n[4].a, "temp", 4, &v));
	EXPECT_TRUE(gc_agg_own_value(&net->n[4].a, "load", 4, &v));
	EXPECT_EQ(load_of(4), v);
	/* Withdrawing what is not published is no error. */
	EXPECT_EQ(0, gc_agg_set(&net->n[5].a, "load", 4, 0, false, net->now));
	t = truth_of(net);
	EXPECT_EQ(15 * MILLION, t.load_pub);
	EXPECT_EQ(7 * MILLION, t.temp_pub);
	for (r = 0; r < 200; r++) {
		round_all(net);
		if (one_epoch(net, &epoch, NULL) && epoch >= e0 + 2)
			break;
	}
	ASSERT_LE(e0 + 2, epoch);
	for (i = 0; i < 16; i++) {
		gc_agg_report(&net->n[i].a, &rep);
		EXPECT_TRUE(result_ok(&rep, &t));
	}
	/* Everyone withdraws everything. */
	for (i = 0; i < 16; i++) {
		gc_agg_set(&net->n[i].a, "load", 4, 0, false, net->now);
		gc_agg_set(&net->n[i].a, "temp", 4, 0, false, net->now);
	}
	for (r = 0; r < 400; r++)
		round_all(net);
	/* Silent now, and the last epoch counted 16 nodes, not more. */
	net->sent = 0;
	for (r = 0; r < 100; r++)
		round_all(net);
	EXPECT_EQ(0, net->sent);
	for (i = 0; i < 16; i++) {
		EXPECT_FALSE(net->n[i].a.active);
		gc_agg_report(&net->n[i].a, &rep);
		EXPECT_TRUE(rep.valid);
		EXPECT_EQ(0, rep.n);
		EXPECT_TRUE(near(rep.nodes, 16 * MILLION))
		{
			TH_LOG("node %d reports %lld nodes", i, (long long)rep.nodes);
		}
	}
	/* Publishing again starts over. */
	gc_agg_set(&net->n[3].a, "load", 4, 5 * MILLION, true, net->now);
	for (r = 0; r < 100; r++)
		round_all(net);
	gc_agg_report(&net->n[12].a, &rep);
	ASSERT_NE(NULL, find_est(&rep, "load"));
	EXPECT_TRUE(near(find_est(&rep, "load")->avg, 5 * MILLION));
	EXPECT_TRUE(near(find_est(&rep, "load")->publishers, MILLION));
	EXPECT_TRUE(near(rep.nodes, 16 * MILLION));
	net_free(net);
	EXPECT_EQ(0, leaks());
}

/* At most GC_AGG_MAX metrics, by node and cluster-wide; more are dropped. */
TEST(too_many_metrics_are_dropped)
{
	struct net *net;
	char name[8];
	u32 r;
	int i, k;

	net_mtu = 512; /* 16 metrics take more than one message */
	net = net_new(4, 40, 11);
	ASSERT_NE(NULL, net);
	for (k = 0; k < GC_AGG_MAX; k++) {
		snprintf(name, sizeof(name), "m%02d", k & 0x1f);
		EXPECT_EQ(0, gc_agg_set(&net->n[0].a, name, 3, k, true, net->now));
	}
	EXPECT_EQ(-1, gc_agg_set(&net->n[0].a, "extra", 5, 1, true, net->now));
	/* Changing one that is published still works. */
	EXPECT_EQ(0, gc_agg_set(&net->n[0].a, "m03", 3, 33, true, net->now));
	/* Node 1 publishes a 17th: wherever the 16 are, it is dropped. */
	EXPECT_EQ(0, gc_agg_set(&net->n[1].a, "zz", 2, 1, true, net->now));
	for (r = 0; r < 60; r++)
		round_all(net);
	EXPECT_EQ(0, net->bad);
	for (i = 0; i < 4; i++) {
		EXPECT_GE(GC_AGG_MAX, net->n[i].a.n);
	}
	EXPECT_LT(0, net->n[0].a.stats.dropped + net->n[2].a.stats.dropped +
			     net->n[3].a.stats.dropped);
	net_free(net);
	EXPECT_EQ(0, leaks());
}

/* Off: no rounds, no messages. */
TEST(interval_zero_is_off)
{
	struct net *net = net_new(4, 40, 12);
	u32 r;

	ASSERT_NE(NULL, net);
	net->cfg.agg_interval_ms = 0;
	publish_all(net);
	for (r = 0; r < 20; r++)
		round_all(net);
	EXPECT_EQ(0, net->sent);
	EXPECT_FALSE(net->n[0].a.active);
	EXPECT_LT(net->now, gc_agg_deadline(&net->n[0].a));
	/* Turned on while up: rounds start within one interval, not in an hour. */
	net->cfg.agg_interval_ms = 500;
	for (r = 0; r < 3; r++)
		round_all(net);
	EXPECT_LT(0, net->sent);
	EXPECT_TRUE(net->n[0].a.active);
	net_free(net);
	EXPECT_EQ(0, leaks());
}

/* Epochs grow with the cluster: push-sum needs O(log n) rounds. */
TEST(epoch_rounds_grow_with_log_n)
{
	EXPECT_EQ(40, gc_agg_epoch_rounds(40, 1));
	EXPECT_EQ(40, gc_agg_epoch_rounds(40, 16));
	EXPECT_EQ(60, gc_agg_epoch_rounds(40, 1000));
	EXPECT_EQ(84, gc_agg_epoch_rounds(40, 10000));
	EXPECT_EQ(102, gc_agg_epoch_rounds(40, 100000));
	EXPECT_EQ(192, gc_agg_epoch_rounds(4, 0xffffffffU));
}

/* Epochs compare as serial numbers (RFC 1982): a long-running cluster's
 * epochs go past 0xffffffff to 1 (0 is none), and 1 is taken as newer;
 * an epoch far ahead (a stray, or forged) is followed, and the computation
 * goes on from there instead of stopping for good.
 */
TEST(epochs_wrap)
{
	struct net *net = net_new(16, 20, 11);
	u32 r, epoch = 0, seen_max = 0;
	const char *src;
	int i;

	ASSERT_NE(NULL, net);
	publish_all(net);
	for (r = 0; r < 10; r++)
		round_all(net);
	ASSERT_TRUE(one_epoch(net, &epoch, &src));
	for (i = 0; i < 16; i++)
		net->n[i].a.epoch = 0xfffffffeU;
	for (r = 0; r < 100 && !(one_epoch(net, &epoch, &src) && epoch == 1); r++) {
		round_all(net);
		if (one_epoch(net, &epoch, &src) && epoch == 0xffffffffU)
			seen_max = 1;
	}
	EXPECT_EQ(1, seen_max);
	EXPECT_EQ(1, epoch);
	/* Far ahead: half the number space, less one. */
	net->n[5].a.epoch = 1 + 0x7fffffffU;
	for (r = 0; r < 30 && !(one_epoch(net, &epoch, &src) && epoch == 1 + 0x7fffffffU); r++)
		round_all(net);
	EXPECT_EQ(1 + 0x7fffffffU, epoch);
	for (r = 0; r < 60 && !(one_epoch(net, &epoch, &src) && epoch == 2 + 0x7fffffffU); r++)
		round_all(net);
	EXPECT_EQ(2 + 0x7fffffffU, epoch);
	net_free(net);
	EXPECT_EQ(0, leaks());
}

TEST_HARNESS_MAIN
