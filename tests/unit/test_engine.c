// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for kmod/core/engine.c: the SWIM + Lifeguard state machine,
 * driven through a tiny in-test network of 2 to 5 engines. Packets from
 * ops->send go into a queue and are delivered by gc_engine_on_packet(); a
 * fake clock jumps to the earliest gc_engine_next_deadline() and ticks the
 * engines due. Delivery is instant and lossless unless a test says
 * otherwise, so every outcome is deterministic.
 */

#include "kselftest_harness.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"

#define MAXN  6
#define MS    1000ULL
#define NEVER UINT64_MAX

struct evrec {
	u8 type;
	char name[GC_NODE_NAME_MAX];
	u32 inc;
	u64 t;
};

struct pkt {
	int to;
	struct gc_addr from;
	size_t len;
	u8 data[];
};

struct net;

struct node {
	struct net *net;
	int id;
	char name[16];
	struct gc_addr addr;
	struct gc_engine *e;
	bool down; /* crashed: neither ticked nor reached */
	struct evrec *ev;
	u32 nev, evcap;
	u64 sent, sent_plain, sent_sealed;
};

struct net {
	struct node n[MAXN];
	int count;
	u64 now;
	struct gc_config cfg;
	struct pkt **q;
	u32 qhead, qtail, qcap;
	u64 delivered, unroutable;
	size_t max_len; /* the largest packet sent */
	/* Drops packets from a to b when cut[a][b]. */
	bool cut[MAXN][MAXN];
};

static void on_send(void *ctx, const struct gc_addr *to, const u8 *data, size_t len);
static void on_event(void *ctx, const struct gc_event *ev);

static const struct gc_engine_ops ops = {.send = on_send, .event = on_event};

static struct gc_addr node_addr(int id)
{
	struct gc_addr a;

	memset(&a, 0, sizeof(a));
	a.family = 4;
	a.ip[0] = 127;
	a.ip[3] = 1;
	a.port = (u16)(7000 + id);
	return a;
}

/* An address no node has: what injected packets come from. */
static struct gc_addr outside_addr(void)
{
	struct gc_addr a = node_addr(0);

	a.port = 9999;
	return a;
}

static int addr_node(const struct net *net, const struct gc_addr *a)
{
	int i;

	for (i = 0; i < net->count; i++)
		if (gc_addr_equal(&net->n[i].addr, a))
			return i;
	return -1;
}

static void on_send(void *ctx, const struct gc_addr *to, const u8 *data, size_t len)
{
	struct node *src = ctx;
	struct net *net = src->net;
	int dst = addr_node(net, to);
	struct pkt *p;

	src->sent++;
	if (len > net->max_len)
		net->max_len = len;
	if (len >= 2 && data[1] & GC_WIRE_FLAG_SEALED)
		src->sent_sealed++;
	else
		src->sent_plain++;
	if (dst < 0) {
		net->unroutable++;
		return;
	}
	if (net->cut[src->id][dst])
		return;
	if (net->qtail - net->qhead == net->qcap) {
		u32 cap = net->qcap ? net->qcap * 2 : 256, i;
		struct pkt **q = calloc(cap, sizeof(*q));

		for (i = 0; i < net->qcap; i++)
			q[i] = net->q[(net->qhead + i) % net->qcap];
		free(net->q);
		net->q = q;
		net->qtail -= net->qhead;
		net->qhead = 0;
		net->qcap = cap;
	}
	p = malloc(sizeof(*p) + len);
	p->to = dst;
	p->from = src->addr;
	p->len = len;
	memcpy(p->data, data, len);
	net->q[net->qtail++ % net->qcap] = p;
}

static void on_event(void *ctx, const struct gc_event *ev)
{
	struct node *n = ctx;
	struct evrec *r;

	if (n->nev == n->evcap) {
		n->evcap = n->evcap ? n->evcap * 2 : 64;
		n->ev = realloc(n->ev, n->evcap * sizeof(*n->ev));
	}
	r = &n->ev[n->nev++];
	memset(r, 0, sizeof(*r));
	r->type = ev->type;
	memcpy(r->name, ev->name, ev->name_len);
	r->name[ev->name_len] = 0;
	r->inc = ev->incarnation;
	r->t = ev->time_us;
}

static void test_config(struct gc_config *cfg)
{
	gc_config_default(cfg);
	cfg->probe_interval_ms = 100;
	cfg->probe_timeout_ms = 50;
	cfg->gossip_interval_ms = 20;
	cfg->gossip_to_dead_ms = 3000;
	cfg->push_pull_interval_ms = 1000;
	cfg->reconnect_ms = 0;
	cfg->reap_ms = 600000;
	cfg->max_members = 64;
}

static struct net *net_new(int count)
{
	struct net *net = calloc(1, sizeof(*net));

	net->count = count;
	net->now = 1000 * MS;
	test_config(&net->cfg);
	return net;
}

/* Starts (or restarts) node id, alone. */
static bool node_start(struct net *net, int id, u64 seed)
{
	struct node *n = &net->n[id];

	n->net = net;
	n->id = id;
	snprintf(n->name, sizeof(n->name), "node%d", id);
	n->addr = node_addr(id);
	n->down = false;
	n->e = gc_engine_new(&net->cfg, n->name, (u8)strlen(n->name), &n->addr, 1, seed, net->now,
			     &ops, n);
	return n->e != NULL;
}

static void node_crash(struct net *net, int id)
{
	net->n[id].down = true;
}

static void net_free(struct net *net)
{
	int i;

	for (i = 0; i < net->count; i++) {
		gc_engine_free(net->n[i].e);
		free(net->n[i].ev);
	}
	while (net->qhead != net->qtail)
		free(net->q[net->qhead++ % net->qcap]);
	free(net->q);
	free(net);
}

static void deliver_all(struct net *net)
{
	while (net->qhead != net->qtail) {
		struct pkt *p = net->q[net->qhead++ % net->qcap];
		struct node *dst = &net->n[p->to];

		if (!dst->down && dst->e) {
			net->delivered++;
			gc_engine_on_packet(dst->e, &p->from, p->data, p->len, net->now);
		}
		free(p);
	}
}

/* Runs the network until time end; false if the engines spin (a deadline
 * that on_tick does not move).
 */
static bool run_until(struct net *net, u64 end)
{
	u64 last = net->now;
	u32 same = 0;
	int i;

	for (;;) {
		u64 next = NEVER;

		deliver_all(net);
		for (i = 0; i < net->count; i++) {
			struct node *n = &net->n[i];

			if (n->e && !n->down) {
				u64 d = gc_engine_next_deadline(n->e);

				if (d < next)
					next = d;
			}
		}
		if (next > end) {
			net->now = end;
			return true;
		}
		if (next > net->now)
			net->now = next;
		if (net->now == last) {
			if (++same > 10000)
				return false;
		} else {
			same = 0;
			last = net->now;
		}
		for (i = 0; i < net->count; i++) {
			struct node *n = &net->n[i];

			if (n->e && !n->down && gc_engine_next_deadline(n->e) <= net->now)
				gc_engine_on_tick(n->e, net->now);
		}
	}
}

static bool run_for(struct net *net, u64 us)
{
	return run_until(net, net->now + us);
}

static u32 lookup(const struct node *obs, const char *name)
{
	return gc_members_find(gc_engine_members(obs->e), name, (u8)strlen(name));
}

/* State of name as obs sees it, 0 when unknown. */
static u8 state_of(const struct node *obs, const char *name)
{
	u32 s = lookup(obs, name);

	return s == GC_NONE ? 0 : gc_engine_members(obs->e)->m[s].state;
}

static u32 inc_of(const struct node *obs, const char *name)
{
	u32 s = lookup(obs, name);

	return s == GC_NONE ? 0xffffffff : gc_engine_members(obs->e)->m[s].incarnation;
}

/* Every live node knows every live node, itself included, as alive. */
static bool converged(const struct net *net)
{
	int i, j, live = 0;

	for (i = 0; i < net->count; i++)
		live += !net->n[i].down;
	for (i = 0; i < net->count; i++) {
		const struct node *o = &net->n[i];

		if (o->down)
			continue;
		if (gc_engine_count(o->e, GC_MEMBER_ALIVE) != (u32)live)
			return false;
		for (j = 0; j < net->count; j++)
			if (!net->n[j].down && state_of(o, net->n[j].name) != GC_MEMBER_ALIVE)
				return false;
	}
	return true;
}

/* Index of the first event of type about name at or after from, or -1. */
static int find_event(const struct node *n, u8 type, const char *name, u32 from)
{
	u32 i;

	for (i = from; i < n->nev; i++)
		if (n->ev[i].type == type && !strcmp(n->ev[i].name, name))
			return (int)i;
	return -1;
}

static u32 count_events(const struct node *n, u8 type, const char *name)
{
	u32 i, c = 0;

	for (i = 0; i < n->nev; i++)
		if (n->ev[i].type == type && (!name || !strcmp(n->ev[i].name, name)))
			c++;
	return c;
}

/* Starts count nodes; 1.. join through node 0; runs until all see all. */
static struct net *cluster(int count, u64 *converge_us)
{
	struct net *net = net_new(count);
	struct gc_addr seed = node_addr(0);
	u64 start = net->now, limit;
	int i;

	for (i = 0; i < count; i++)
		if (!node_start(net, i, 1000 + i))
			return NULL;
	for (i = 1; i < count; i++)
		if (gc_engine_join(net->n[i].e, &seed, 1, net->now))
			return NULL;
	limit = net->now + 5000 * MS;
	if (!run_for(net, 0))
		return NULL;
	while (!converged(net)) {
		if (net->now >= limit || !run_for(net, 10 * MS))
			return NULL;
	}
	if (converge_us)
		*converge_us = net->now - start;
	return net;
}

/* Sends a body to node id as a packet from outside the cluster. */
static void inject(struct net *net, int id, const u8 *body, size_t len)
{
	static u8 pkt[GC_MAX_MTU];
	struct gc_addr from = outside_addr();
	struct node *n = &net->n[id];
	size_t plen = gc_packet_seal(gc_engine_keyring(n->e), body, len, pkt, sizeof(pkt));

	gc_engine_on_packet(n->e, &from, pkt, plen, net->now);
}

static void inject_accuse(struct net *net, int id, u8 type, u32 inc, const char *name,
			  const char *from)
{
	u8 body[256];
	struct gc_wbuf b = {.p = body, .cap = sizeof(body)};

	gc_put_accuse(&b, type, inc, name, (u8)strlen(name), from, (u8)strlen(from));
	inject(net, id, body, b.len);
}

static void inject_alive(struct net *net, int id, u32 inc, const char *name,
			 const struct gc_addr *addr)
{
	u8 body[256];
	struct gc_wbuf b = {.p = body, .cap = sizeof(body)};

	gc_put_alive(&b, inc, name, (u8)strlen(name), addr);
	inject(net, id, body, b.len);
}

/* Lifeguard's bounds for a cluster of n with the test config. */
static u64 susp_min_us(const struct net *net, u32 n)
{
	return gc_suspicion_min_us(net->cfg.suspicion_mult, n,
				   (u64)net->cfg.probe_interval_ms * MS);
}

/* ---- joining ---- */

TEST(join_two)
{
	u64 t = 0;
	struct net *net = cluster(2, &t);

	ASSERT_NE(NULL, net);
	TH_LOG("2 nodes converged in %llu ms", (unsigned long long)t / 1000);
	/* One state exchange: a round trip, no timer needed. */
	EXPECT_EQ(0, t);
	EXPECT_EQ(1, count_events(&net->n[0], GC_EV_JOIN, "node1"));
	EXPECT_EQ(1, count_events(&net->n[1], GC_EV_JOIN, "node0"));
	EXPECT_EQ(0, inc_of(&net->n[0], "node1"));
	EXPECT_TRUE(net->n[1].e->joined);
	net_free(net);
}

TEST(join_through_seed_makes_everyone_alive)
{
	u64 t = 0;
	struct net *net = cluster(5, &t);
	int i, j;

	ASSERT_NE(NULL, net);
	TH_LOG("5 nodes converged in %llu ms", (unsigned long long)t / 1000);
	EXPECT_LT(t, 2000 * MS);
	/* Stays so: nothing is suspected on a perfect network. */
	ASSERT_TRUE(run_for(net, 5000 * MS));
	EXPECT_TRUE(converged(net));
	EXPECT_LE(net->max_len, net->cfg.mtu);
	for (i = 0; i < 5; i++) {
		struct node *o = &net->n[i];

		EXPECT_EQ(5, gc_members_total(gc_engine_members(o->e)));
		EXPECT_EQ(0, count_events(o, GC_EV_SUSPECT, NULL));
		EXPECT_EQ(0, count_events(o, GC_EV_DEAD, NULL));
		EXPECT_EQ(0, o->e->stats.probe_failures);
		EXPECT_GT(o->e->stats.probes, 30);
		EXPECT_EQ(0, o->e->health);
		for (j = 0; j < 5; j++) {
			if (j == i)
				continue;
			/* One JOIN per other member, none about itself. */
			EXPECT_EQ(1, count_events(o, GC_EV_JOIN, net->n[j].name))
			{
				TH_LOG("node%d about node%d", i, j);
			}
			EXPECT_EQ(0, inc_of(o, net->n[j].name));
			EXPECT_TRUE(gc_addr_equal(
				&net->n[j].addr,
				&gc_engine_members(o->e)->m[lookup(o, net->n[j].name)].addr));
		}
		EXPECT_EQ(0, count_events(o, GC_EV_JOIN, o->name));
		/* All packets plain: no key configured. */
		EXPECT_EQ(0, o->sent_sealed);
		EXPECT_GT(o->sent_plain, 0);
	}
	net_free(net);
}

/* docs/PROTOCOL.md: "A node joins by a state exchange with seed addresses,
 * retried every probe interval until one answers."
 */
static void join_retry(struct __test_metadata *_metadata, u32 push_pull_ms)
{
	struct net *net = net_new(2);
	struct gc_addr seed = node_addr(0);

	net->cfg.push_pull_interval_ms = push_pull_ms;
	ASSERT_TRUE(node_start(net, 0, 1));
	ASSERT_TRUE(node_start(net, 1, 2));
	node_crash(net, 0);
	ASSERT_EQ(0, gc_engine_join(net->n[1].e, &seed, 1, net->now));
	ASSERT_TRUE(run_for(net, 550 * MS));
	EXPECT_FALSE(net->n[1].e->joined);
	/* The first try and one per probe interval: at 0, 100, ... 500 ms. */
	EXPECT_GE(net->n[1].sent, 6);
	/* The seed comes up: the next retry reaches it. */
	net->n[0].down = false;
	ASSERT_TRUE(run_for(net, 300 * MS));
	EXPECT_TRUE(net->n[1].e->joined);
	EXPECT_TRUE(converged(net));
	net_free(net);
}

TEST(join_retries_every_probe_interval)
{
	join_retry(_metadata, 1000);
}

/* config.h: push_pull_interval_ms 0 turns periodic push-pull off, "the timer
 * then only retries joins" (engine.c) -- it must still retry them.
 */
TEST(join_retries_with_push_pull_off)
{
	join_retry(_metadata, 0);
}

TEST(large_table_travels_in_several_state_chunks)
{
	struct net *net = net_new(2);
	struct gc_addr seed = node_addr(0), a = node_addr(5);
	char name[128];
	int i;

	ASSERT_TRUE(node_start(net, 0, 1));
	ASSERT_TRUE(node_start(net, 1, 2));
	/* 60 members with 60-character names: about 4.4 kB of STATE. */
	for (i = 0; i < 60; i++) {
		snprintf(name, sizeof(name), "%02d-%057d", i, i);
		a.port = (u16)(8000 + i);
		inject_alive(net, 0, 3, name, &a);
	}
	ASSERT_EQ(61, gc_members_total(gc_engine_members(net->n[0].e)));
	ASSERT_EQ(0, gc_engine_join(net->n[1].e, &seed, 1, net->now));
	ASSERT_TRUE(run_for(net, 0));
	EXPECT_EQ(62, gc_members_total(gc_engine_members(net->n[1].e)));
	for (i = 0; i < 60; i++) {
		snprintf(name, sizeof(name), "%02d-%057d", i, i);
		EXPECT_EQ(GC_MEMBER_ALIVE, state_of(&net->n[1], name));
		EXPECT_EQ(3, inc_of(&net->n[1], name));
	}
	/* At least 4 chunks of at most an MTU each. */
	EXPECT_GE(net->n[0].sent, 4);
	EXPECT_LE(net->max_len, net->cfg.mtu);
	EXPECT_GT(net->max_len, net->cfg.mtu - 100);
	net_free(net);
}

/* Only an answer ends a join; a state exchange another member starts
 * (a request) teaches the table but leaves the join retrying.
 */
TEST(only_an_answer_ends_a_join)
{
	struct net *net = net_new(2);
	struct gc_addr nowhere = outside_addr();
	u8 body[256];
	struct gc_wbuf b = {.p = body, .cap = sizeof(body)};
	size_t start = b.len;

	ASSERT_TRUE(node_start(net, 0, 1));
	ASSERT_EQ(0, gc_engine_join(net->n[0].e, &nowhere, 1, net->now));
	EXPECT_TRUE(gc_engine_joining(net->n[0].e));
	gc_begin_state(&b, GC_STATE_F_REQUEST);
	gc_end_state(&b, start, 0);
	inject(net, 0, body, b.len);
	EXPECT_TRUE(gc_engine_joining(net->n[0].e));
	b.len = 0;
	gc_begin_state(&b, 0);
	gc_end_state(&b, start, 0);
	inject(net, 0, body, b.len);
	EXPECT_FALSE(gc_engine_joining(net->n[0].e));
	net_free(net);
}

TEST(join_rejects_bad_seeds)
{
	struct net *net = net_new(1);
	struct gc_addr seeds[GC_MAX_SEEDS + 1];
	int i;

	ASSERT_TRUE(node_start(net, 0, 1));
	for (i = 0; i <= GC_MAX_SEEDS; i++)
		seeds[i] = node_addr(i + 1);
	EXPECT_EQ(-1, gc_engine_join(net->n[0].e, seeds, 0, net->now));
	EXPECT_EQ(-1, gc_engine_join(net->n[0].e, seeds, GC_MAX_SEEDS + 1, net->now));
	seeds[1].family = 0;
	EXPECT_EQ(-1, gc_engine_join(net->n[0].e, seeds, 2, net->now));
	EXPECT_EQ(0, net->n[0].sent);
	net_free(net);
}

/* The same seeds and inputs give the same run. */
TEST(deterministic)
{
	struct net *a = cluster(4, NULL), *b = cluster(4, NULL);
	int i;

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	node_crash(a, 3);
	node_crash(b, 3);
	ASSERT_TRUE(run_for(a, 4000 * MS));
	ASSERT_TRUE(run_for(b, 4000 * MS));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(a->n[i].nev, b->n[i].nev);
		EXPECT_EQ(0, memcmp(a->n[i].ev, b->n[i].ev, a->n[i].nev * sizeof(struct evrec)));
		EXPECT_EQ(a->n[i].sent, b->n[i].sent);
	}
	net_free(a);
	net_free(b);
}

/* ---- failure detection ---- */

TEST(crashed_node_is_suspected_then_dead_within_lifeguard_bound)
{
	struct net *net = cluster(5, NULL);
	u64 crash, min, max, bound, first_suspect = NEVER, first_dead = NEVER;
	int i;

	ASSERT_NE(NULL, net);
	ASSERT_TRUE(run_for(net, 1000 * MS));
	min = susp_min_us(net, 5);
	max = min * net->cfg.suspicion_max_mult;
	/* Up to two probe rounds to reach it, a probe period, then at most
	 * max of suspicion, and a little gossip.
	 */
	bound = max + 12 * net->cfg.probe_interval_ms * MS;
	crash = net->now;
	node_crash(net, 4);
	ASSERT_TRUE(run_until(net, crash + bound));

	for (i = 0; i < 4; i++) {
		struct node *o = &net->n[i];
		int s = find_event(o, GC_EV_SUSPECT, "node4", 0);
		int d = find_event(o, GC_EV_DEAD, "node4", 0);

		ASSERT_GE(s, 0)
		{
			TH_LOG("node%d never suspected node4", i);
		}
		ASSERT_GE(d, 0)
		{
			TH_LOG("node%d never declared node4 dead", i);
		}
		EXPECT_LT(s, d);
		EXPECT_GE(o->ev[s].t, crash);
		EXPECT_LE(o->ev[d].t, crash + bound);
		EXPECT_EQ(1, count_events(o, GC_EV_DEAD, "node4"));
		EXPECT_EQ(1, count_events(o, GC_EV_SUSPECT, NULL));
		EXPECT_EQ(1, count_events(o, GC_EV_DEAD, NULL));
		EXPECT_EQ(GC_MEMBER_DEAD, state_of(o, "node4"));
		EXPECT_EQ(1, gc_engine_count(o->e, GC_MEMBER_DEAD));
		EXPECT_EQ(4, gc_engine_count(o->e, GC_MEMBER_ALIVE));
		EXPECT_EQ(0, gc_engine_count(o->e, GC_MEMBER_SUSPECT));
		if (o->ev[s].t < first_suspect)
			first_suspect = o->ev[s].t;
		if (o->ev[d].t < first_dead)
			first_dead = o->ev[d].t;
		TH_LOG("node%d: suspect at +%llu ms, dead at +%llu ms", i,
		       (unsigned long long)(o->ev[s].t - crash) / 1000,
		       (unsigned long long)(o->ev[d].t - crash) / 1000);
	}
	/* Nobody declares it dead before the shortest suspicion ran out. */
	EXPECT_GE(first_dead - first_suspect, min);
	/* Helpers relayed ping-reqs and, hearing nothing, nacked. */
	{
		u64 relayed = 0, nacks = 0, reqs = 0;

		for (i = 0; i < 4; i++) {
			relayed += net->n[i].e->stats.ping_reqs_relayed;
			nacks += net->n[i].e->stats.nacks_received;
			reqs += net->n[i].e->stats.ping_reqs_sent;
		}
		EXPECT_GT(reqs, 0);
		EXPECT_GT(relayed, 0);
		EXPECT_GT(nacks, 0);
	}
	/* And it stays dead. */
	ASSERT_TRUE(run_for(net, 3000 * MS));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(GC_MEMBER_DEAD, state_of(&net->n[i], "node4"));
	net_free(net);
}

TEST(indirect_probe_saves_a_node_behind_a_broken_link)
{
	struct net *net = cluster(3, NULL);
	int i;

	ASSERT_NE(NULL, net);
	/* node0 and node2 cannot talk directly; node1 reaches both. */
	net->cut[0][2] = net->cut[2][0] = true;
	ASSERT_TRUE(run_for(net, 5000 * MS));
	EXPECT_GT(net->n[0].e->stats.ping_reqs_sent, 0);
	EXPECT_GT(net->n[1].e->stats.ping_reqs_relayed, 0);
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(0, count_events(&net->n[i], GC_EV_SUSPECT, NULL));
		EXPECT_EQ(0, count_events(&net->n[i], GC_EV_DEAD, NULL));
	}
	EXPECT_TRUE(converged(net));
	net_free(net);
}

TEST(refutation)
{
	struct net *net = cluster(5, NULL);
	u32 inc0;
	int i;

	ASSERT_NE(NULL, net);
	inc0 = inc_of(&net->n[2], "node2");
	EXPECT_EQ(0, inc0);
	/* node0 and node1 are told node2 is suspect... */
	inject_accuse(net, 0, GC_MSG_SUSPECT, inc0, "node2", "node3");
	inject_accuse(net, 1, GC_MSG_SUSPECT, inc0, "node2", "node3");
	EXPECT_EQ(GC_MEMBER_SUSPECT, state_of(&net->n[0], "node2"));
	EXPECT_EQ(GC_MEMBER_SUSPECT, state_of(&net->n[1], "node2"));
	EXPECT_EQ(1, count_events(&net->n[0], GC_EV_SUSPECT, "node2"));
	/* ...and so is node2 itself: it raises its incarnation at once. */
	inject_accuse(net, 2, GC_MSG_SUSPECT, inc0, "node2", "node3");
	EXPECT_EQ(inc0 + 1, inc_of(&net->n[2], "node2"));
	EXPECT_EQ(1, net->n[2].e->stats.refutations);
	EXPECT_EQ(GC_MEMBER_ALIVE, state_of(&net->n[2], "node2"));

	ASSERT_TRUE(run_for(net, 1000 * MS));
	for (i = 0; i < 5; i++) {
		struct node *o = &net->n[i];

		EXPECT_EQ(GC_MEMBER_ALIVE, state_of(o, "node2"))
		{
			TH_LOG("node%d", i);
		}
		EXPECT_EQ(inc0 + 1, inc_of(o, "node2"));
		EXPECT_EQ(0, count_events(o, GC_EV_DEAD, NULL));
	}
	for (i = 0; i < 2; i++) {
		int s = find_event(&net->n[i], GC_EV_SUSPECT, "node2", 0);
		int a = find_event(&net->n[i], GC_EV_ALIVE, "node2", 0);

		ASSERT_GE(a, 0);
		EXPECT_LT(s, a);
		EXPECT_EQ(inc0 + 1, net->n[i].ev[a].inc);
	}
	EXPECT_TRUE(converged(net));
	/* Well past the longest suspicion: nobody declared node2 dead. */
	ASSERT_TRUE(run_for(net, 3000 * MS));
	for (i = 0; i < 5; i++)
		EXPECT_EQ(0, count_events(&net->n[i], GC_EV_DEAD, NULL));
	net_free(net);
}

TEST(refutation_of_dead)
{
	struct net *net = cluster(3, NULL);

	ASSERT_NE(NULL, net);
	/* Told it is dead at incarnation 7, a node answers with 8. */
	inject_accuse(net, 1, GC_MSG_DEAD, 7, "node1", "node0");
	EXPECT_EQ(8, inc_of(&net->n[1], "node1"));
	EXPECT_EQ(GC_MEMBER_ALIVE, state_of(&net->n[1], "node1"));
	ASSERT_TRUE(run_for(net, 500 * MS));
	EXPECT_EQ(8, inc_of(&net->n[0], "node1"));
	EXPECT_EQ(8, inc_of(&net->n[2], "node1"));
	EXPECT_TRUE(converged(net));
	/* A stale accusation about itself is ignored. */
	inject_accuse(net, 1, GC_MSG_SUSPECT, 3, "node1", "node0");
	EXPECT_EQ(8, inc_of(&net->n[1], "node1"));
	EXPECT_EQ(1, net->n[1].e->stats.refutations);
	/* An ALIVE about itself with a higher incarnation is refuted above it. */
	{
		struct gc_addr a = node_addr(1);

		inject_alive(net, 1, 20, "node1", &a);
		EXPECT_EQ(21, inc_of(&net->n[1], "node1"));
		EXPECT_EQ(2, net->n[1].e->stats.refutations);
	}
	net_free(net);
}

/* ---- rules of precedence ---- */

TEST(incarnation_ordering)
{
	struct net *net = net_new(1);
	struct gc_addr ga = node_addr(5), gb = node_addr(6);
	struct node *n;
	u64 stale;
	u32 ev;

	ASSERT_TRUE(node_start(net, 0, 1));
	n = &net->n[0];

	inject_alive(net, 0, 5, "ghost", &ga);
	EXPECT_EQ(GC_MEMBER_ALIVE, state_of(n, "ghost"));
	EXPECT_EQ(5, inc_of(n, "ghost"));
	EXPECT_EQ(1, count_events(n, GC_EV_JOIN, "ghost"));
	stale = n->e->stats.rx_stale;
	ev = n->nev;

	/* ALIVE needs a higher incarnation: lower and equal are stale. */
	inject_alive(net, 0, 3, "ghost", &gb);
	EXPECT_EQ(stale + 1, n->e->stats.rx_stale);
	inject_alive(net, 0, 5, "ghost", &gb);
	EXPECT_EQ(stale + 2, n->e->stats.rx_stale);
	EXPECT_EQ(5, inc_of(n, "ghost"));
	EXPECT_TRUE(gc_addr_equal(&ga, &gc_engine_members(n->e)->m[lookup(n, "ghost")].addr));

	/* SUSPECT with a lower incarnation: ignored. */
	inject_accuse(net, 0, GC_MSG_SUSPECT, 4, "ghost", "someone");
	EXPECT_EQ(stale + 3, n->e->stats.rx_stale);
	EXPECT_EQ(GC_MEMBER_ALIVE, state_of(n, "ghost"));
	EXPECT_EQ(ev, n->nev);

	/* SUSPECT with the same incarnation applies. */
	inject_accuse(net, 0, GC_MSG_SUSPECT, 5, "ghost", "someone");
	EXPECT_EQ(GC_MEMBER_SUSPECT, state_of(n, "ghost"));
	EXPECT_EQ(1, count_events(n, GC_EV_SUSPECT, "ghost"));
	EXPECT_EQ(1, gc_engine_count(n->e, GC_MEMBER_SUSPECT));
	/* An ALIVE of the same incarnation does not clear it. */
	inject_alive(net, 0, 5, "ghost", &ga);
	EXPECT_EQ(GC_MEMBER_SUSPECT, state_of(n, "ghost"));

	/* DEAD with the same incarnation wins... */
	inject_accuse(net, 0, GC_MSG_DEAD, 5, "ghost", "someone");
	EXPECT_EQ(GC_MEMBER_DEAD, state_of(n, "ghost"));
	EXPECT_EQ(1, count_events(n, GC_EV_DEAD, "ghost"));
	EXPECT_EQ(0, gc_engine_count(n->e, GC_MEMBER_SUSPECT));
	EXPECT_EQ(1, gc_engine_count(n->e, GC_MEMBER_DEAD));
	/* ...over an ALIVE of that incarnation, and is final for SUSPECT. */
	inject_alive(net, 0, 5, "ghost", &ga);
	EXPECT_EQ(GC_MEMBER_DEAD, state_of(n, "ghost"));
	inject_accuse(net, 0, GC_MSG_SUSPECT, 9, "ghost", "someone");
	EXPECT_EQ(GC_MEMBER_DEAD, state_of(n, "ghost"));
	EXPECT_EQ(1, count_events(n, GC_EV_SUSPECT, "ghost"));
	inject_accuse(net, 0, GC_MSG_DEAD, 9, "ghost", "someone");
	EXPECT_EQ(1, count_events(n, GC_EV_DEAD, "ghost"));

	/* A higher incarnation revives it, at its new address. */
	inject_alive(net, 0, 6, "ghost", &gb);
	EXPECT_EQ(GC_MEMBER_ALIVE, state_of(n, "ghost"));
	EXPECT_EQ(6, inc_of(n, "ghost"));
	EXPECT_EQ(1, count_events(n, GC_EV_ALIVE, "ghost"));
	EXPECT_EQ(6, n->ev[find_event(n, GC_EV_ALIVE, "ghost", 0)].inc);
	EXPECT_TRUE(gc_addr_equal(&gb, &gc_engine_members(n->e)->m[lookup(n, "ghost")].addr));
	EXPECT_EQ(0, gc_engine_count(n->e, GC_MEMBER_DEAD));
	/* A DEAD of the old incarnation is now stale. */
	stale = n->e->stats.rx_stale;
	inject_accuse(net, 0, GC_MSG_DEAD, 5, "ghost", "someone");
	EXPECT_EQ(GC_MEMBER_ALIVE, state_of(n, "ghost"));
	EXPECT_EQ(stale + 1, n->e->stats.rx_stale);

	/* An alive member moving to another address: UPDATE. */
	inject_alive(net, 0, 7, "ghost", &ga);
	EXPECT_EQ(1, count_events(n, GC_EV_UPDATE, "ghost"));
	EXPECT_EQ(1, count_events(n, GC_EV_ALIVE, "ghost"));
	/* Accusations about unknown members are ignored. */
	ev = n->nev;
	inject_accuse(net, 0, GC_MSG_SUSPECT, 1, "nobody", "someone");
	inject_accuse(net, 0, GC_MSG_DEAD, 1, "nobody", "someone");
	EXPECT_EQ(ev, n->nev);
	EXPECT_EQ(GC_NONE, lookup(n, "nobody"));
	net_free(net);
}

TEST(suspect_confirmations_from_others_do_not_restart)
{
	struct net *net = net_new(1);
	struct gc_addr a = node_addr(5);
	char name[16];
	struct node *n;
	struct gc_suspicion *s;
	u64 d0;
	int i;

	ASSERT_TRUE(node_start(net, 0, 1));
	n = &net->n[0];
	/* Enough members for k = suspicion_mult - 2 = 2 confirmations. */
	for (i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "m%d", i);
		a.port = (u16)(8000 + i);
		inject_alive(net, 0, 1, name, &a);
	}
	inject_accuse(net, 0, GC_MSG_SUSPECT, 1, "m0", "m1");
	s = &n->e->susp[gc_engine_members(n->e)->m[lookup(n, "m0")].suspicion];
	EXPECT_EQ(2, s->k);
	d0 = s->deadline_us;
	EXPECT_EQ(net->now + 6 * susp_min_us(net, 6), d0);
	/* The accuser again, then others: each new one shortens it. */
	inject_accuse(net, 0, GC_MSG_SUSPECT, 1, "m0", "m1");
	EXPECT_EQ(d0, s->deadline_us);
	inject_accuse(net, 0, GC_MSG_SUSPECT, 1, "m0", "m2");
	EXPECT_LT(s->deadline_us, d0);
	inject_accuse(net, 0, GC_MSG_SUSPECT, 1, "m0", "m3");
	EXPECT_EQ(net->now + susp_min_us(net, 6), s->deadline_us);
	EXPECT_EQ(1, count_events(n, GC_EV_SUSPECT, "m0"));
	/* Dead when it runs out. */
	ASSERT_TRUE(run_until(net, s->deadline_us - 1));
	EXPECT_EQ(GC_MEMBER_SUSPECT, state_of(n, "m0"));
	ASSERT_TRUE(run_for(net, 1));
	EXPECT_EQ(GC_MEMBER_DEAD, state_of(n, "m0"));
	net_free(net);
}

/* ---- leaving, reaping, rejoining ---- */

TEST(graceful_leave)
{
	struct net *net = cluster(3, NULL);
	int i;

	ASSERT_NE(NULL, net);
	gc_engine_leave(net->n[2].e, net->now);
	EXPECT_EQ(GC_MEMBER_LEFT, state_of(&net->n[2], "node2"));
	ASSERT_TRUE(run_for(net, 500 * MS));
	node_crash(net, 2);
	ASSERT_TRUE(run_for(net, 5000 * MS));
	for (i = 0; i < 2; i++) {
		struct node *o = &net->n[i];

		EXPECT_EQ(1, count_events(o, GC_EV_LEFT, "node2"));
		EXPECT_EQ(0, count_events(o, GC_EV_DEAD, NULL));
		EXPECT_EQ(0, count_events(o, GC_EV_SUSPECT, NULL));
		EXPECT_EQ(GC_MEMBER_LEFT, state_of(o, "node2"));
		EXPECT_EQ(1, gc_engine_count(o->e, GC_MEMBER_LEFT));
		EXPECT_EQ(2, gc_engine_count(o->e, GC_MEMBER_ALIVE));
	}
	net_free(net);
}

TEST(reap_forgets_dead_members_after_reap_ms)
{
	struct net *net = net_new(3);
	struct gc_addr seed = node_addr(0);
	u64 crash;
	int i;

	net->cfg.reap_ms = 2000;
	for (i = 0; i < 3; i++)
		ASSERT_TRUE(node_start(net, i, 50 + i));
	for (i = 1; i < 3; i++)
		ASSERT_EQ(0, gc_engine_join(net->n[i].e, &seed, 1, net->now));
	ASSERT_TRUE(run_for(net, 1000 * MS));
	ASSERT_TRUE(converged(net));
	crash = net->now;
	node_crash(net, 2);
	ASSERT_TRUE(run_for(net, 10000 * MS));
	for (i = 0; i < 2; i++) {
		struct node *o = &net->n[i];
		int d = find_event(o, GC_EV_DEAD, "node2", 0);
		int r = find_event(o, GC_EV_REAP, "node2", 0);

		ASSERT_GE(d, 0);
		ASSERT_GE(r, 0);
		EXPECT_GT(o->ev[d].t, crash);
		EXPECT_GE(o->ev[r].t - o->ev[d].t, 2000 * MS);
		EXPECT_LE(o->ev[r].t - o->ev[d].t, 3000 * MS);
		EXPECT_EQ(1, count_events(o, GC_EV_REAP, NULL));
		EXPECT_EQ(GC_NONE, lookup(o, "node2"));
		EXPECT_EQ(2, gc_members_total(gc_engine_members(o->e)));
		EXPECT_EQ(0, gc_engine_count(o->e, GC_MEMBER_DEAD));
		EXPECT_EQ(2, gc_engine_count(o->e, GC_MEMBER_ALIVE));
	}
	EXPECT_TRUE(converged(net));
	net_free(net);
}

/*
 * An item_fanout of at least the live members puts every new item to each
 * of them at once, never to the dead: the adversary of the chain test relies
 * on this, and random draws alone missed one in about 50 puts.
 */
TEST(fanout_of_all_live_members_reaches_every_one)
{
	struct net *net;
	int put, i;

	net = net_new(6);
	net->cfg.item_fanout = 4;
	for (i = 0; i < 6; i++)
		ASSERT_TRUE(node_start(net, i, 70 + i));
	for (i = 1; i < 6; i++)
		ASSERT_EQ(0, gc_engine_join(net->n[i].e, &net->n[0].addr, 1, net->now));
	ASSERT_TRUE(run_for(net, 1000 * MS));
	ASSERT_TRUE(converged(net));
	node_crash(net, 5);
	ASSERT_TRUE(run_for(net, 10000 * MS));
	ASSERT_EQ(GC_MEMBER_DEAD, state_of(&net->n[0], "node5"));
	ASSERT_EQ(4, gc_engine_count(net->n[0].e, GC_MEMBER_ALIVE) - 1);
	deliver_all(net);

	for (put = 0; put < 200; put++) {
		const struct gc_item *item;
		u32 q, to = 0;
		u8 data[8];

		memcpy(data, &put, sizeof(put));
		memset(data + sizeof(put), 0, sizeof(data) - sizeof(put));
		q = net->qtail;
		ASSERT_EQ(0, gc_items_put(&net->n[0].e->items, 1, data, sizeof(data), net->now,
					  &item));
		for (; q != net->qtail; q++)
			to |= 1u << net->q[q % net->qcap]->to;
		/* node1 to node4, not the dead node5 */
		ASSERT_EQ(0x1eu, to) TH_LOG("put %d went to the nodes of mask %#x", put, to);
		deliver_all(net);
	}
	net_free(net);
}

TEST(rejoin_after_restart)
{
	struct net *net = cluster(3, NULL);
	struct gc_addr seed = node_addr(0);
	u32 dead_inc;
	int i;

	ASSERT_NE(NULL, net);
	node_crash(net, 2);
	ASSERT_TRUE(run_for(net, 5000 * MS));
	ASSERT_EQ(GC_MEMBER_DEAD, state_of(&net->n[0], "node2"));
	ASSERT_EQ(GC_MEMBER_DEAD, state_of(&net->n[1], "node2"));
	dead_inc = inc_of(&net->n[0], "node2");

	/* The same name and address, a fresh engine at incarnation 0. */
	gc_engine_free(net->n[2].e);
	ASSERT_TRUE(node_start(net, 2, 999));
	EXPECT_EQ(0, inc_of(&net->n[2], "node2"));
	ASSERT_EQ(0, gc_engine_join(net->n[2].e, &seed, 1, net->now));
	ASSERT_TRUE(run_for(net, 2000 * MS));
	EXPECT_TRUE(converged(net));
	EXPECT_GT(inc_of(&net->n[2], "node2"), dead_inc);
	for (i = 0; i < 2; i++) {
		struct node *o = &net->n[i];
		int d = find_event(o, GC_EV_DEAD, "node2", 0);
		int a = find_event(o, GC_EV_ALIVE, "node2", 0);

		EXPECT_EQ(GC_MEMBER_ALIVE, state_of(o, "node2"));
		EXPECT_EQ(inc_of(&net->n[2], "node2"), inc_of(o, "node2"));
		ASSERT_GE(a, 0);
		EXPECT_LT(d, a);
		EXPECT_GT(o->ev[a].inc, dead_inc);
	}
	/* And stays alive. */
	ASSERT_TRUE(run_for(net, 3000 * MS));
	EXPECT_TRUE(converged(net));
	net_free(net);
}

/* Two halves that declared each other dead talk again through reconnect,
 * after the time dead members still get gossip has passed.
 */
TEST(partition_heals_through_reconnect)
{
	struct net *net = net_new(2);
	struct gc_addr seed = node_addr(0);
	int i;

	net->cfg.reconnect_ms = 500;
	net->cfg.gossip_to_dead_ms = 1000;
	for (i = 0; i < 2; i++)
		ASSERT_TRUE(node_start(net, i, 90 + i));
	ASSERT_EQ(0, gc_engine_join(net->n[1].e, &seed, 1, net->now));
	ASSERT_TRUE(run_for(net, 500 * MS));
	ASSERT_TRUE(converged(net));
	net->cut[0][1] = net->cut[1][0] = true;
	ASSERT_TRUE(run_for(net, 4000 * MS));
	EXPECT_EQ(GC_MEMBER_DEAD, state_of(&net->n[0], "node1"));
	EXPECT_EQ(GC_MEMBER_DEAD, state_of(&net->n[1], "node0"));
	net->cut[0][1] = net->cut[1][0] = false;
	ASSERT_TRUE(run_for(net, 2000 * MS));
	EXPECT_TRUE(converged(net));
	EXPECT_GT(net->n[0].e->stats.reconnects + net->n[1].e->stats.reconnects, 0);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(1, count_events(&net->n[i], GC_EV_ALIVE, net->n[1 - i].name));
		EXPECT_GT(inc_of(&net->n[i], net->n[1 - i].name), 0);
	}
	net_free(net);
}

/* A node cut off from all others suspects them all. When its link returns,
 * the nodes that hold it dead ignore its accusations (the accused still
 * refute them, which is how it learns they are alive), and the cluster
 * converges with it alive again.
 */
TEST(accusations_by_a_dead_member_are_ignored)
{
	struct net *net = cluster(4, NULL);
	u64 ignored = 0, limit;
	int i;

	ASSERT_NE(NULL, net);
	for (i = 0; i < 3; i++)
		net->cut[i][3] = net->cut[3][i] = true;
	/* Long enough for the others to declare it dead, short enough that
	 * they still gossip to the dead (gossip_to_dead_ms) when it heals.
	 */
	ASSERT_TRUE(run_for(net, 2500 * MS));
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(GC_MEMBER_DEAD, state_of(&net->n[i], "node3"));
		EXPECT_NE(GC_MEMBER_ALIVE, state_of(&net->n[3], net->n[i].name));
	}
	for (i = 0; i < 3; i++)
		net->cut[i][3] = net->cut[3][i] = false;
	limit = net->now + 10000 * MS;
	while (!converged(net)) {
		ASSERT_LT(net->now, limit);
		ASSERT_TRUE(run_for(net, 10 * MS));
	}
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(1, count_events(&net->n[i], GC_EV_ALIVE, "node3"));
		ignored += net->n[i].e->stats.accusations_ignored;
	}
	EXPECT_GT(ignored, 0);
	/* Let every rumor run out: no healthy member was ever taken down. */
	ASSERT_TRUE(run_for(net, 5000 * MS));
	for (i = 0; i < 3; i++) {
		int j;

		for (j = 0; j < 3; j++)
			EXPECT_EQ(0, count_events(&net->n[i], GC_EV_DEAD, net->n[j].name));
	}
	EXPECT_TRUE(converged(net));
	net_free(net);
}

/* Back after the others stopped gossiping to it (gossip_to_dead_ms), with
 * reconnects off, nobody would tell the returning node it was declared
 * dead; it still suspects the others (its own health slowed its timers) and
 * says so: the ignored accusations get it told, and it refutes at once.
 */
TEST(a_returning_dead_member_is_told_and_refutes)
{
	struct net *net = cluster(4, NULL);
	u64 notices = 0, healed, limit;
	int i;

	ASSERT_NE(NULL, net);
	for (i = 0; i < 4; i++)
		net->n[i].e->cfg.gossip_to_dead_ms = 300;
	for (i = 0; i < 3; i++)
		net->cut[i][3] = net->cut[3][i] = true;
	ASSERT_TRUE(run_for(net, 2500 * MS));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(GC_MEMBER_DEAD, state_of(&net->n[i], "node3"));
	for (i = 0; i < 3; i++)
		net->cut[i][3] = net->cut[3][i] = false;
	healed = net->now;
	limit = net->now + 5000 * MS;
	while (!converged(net)) {
		ASSERT_LT(net->now, limit);
		ASSERT_TRUE(run_for(net, 10 * MS));
	}
	for (i = 0; i < 3; i++)
		notices += net->n[i].e->stats.dead_notices;
	EXPECT_GT(notices, 0);
	EXPECT_GT(inc_of(&net->n[0], "node3"), 0);
	TH_LOG("converged %llu ms after the heal", (unsigned long long)(net->now - healed) / MS);
	net_free(net);
}

/* A dead member's accusation is not believed; the same from a live one is. */
TEST(accusation_credibility_follows_the_accuser_state)
{
	struct net *net = cluster(3, NULL);

	ASSERT_NE(NULL, net);
	inject_accuse(net, 0, GC_MSG_DEAD, 0, "node2", "node2");
	ASSERT_EQ(GC_MEMBER_LEFT, state_of(&net->n[0], "node2"));
	inject_accuse(net, 0, GC_MSG_SUSPECT, 0, "node1", "node2");
	inject_accuse(net, 0, GC_MSG_DEAD, 0, "node1", "node2");
	EXPECT_EQ(GC_MEMBER_ALIVE, state_of(&net->n[0], "node1"));
	EXPECT_EQ(2, net->n[0].e->stats.accusations_ignored);
	/* Unknown accusers are believed, as before. */
	inject_accuse(net, 0, GC_MSG_SUSPECT, 0, "node1", "stranger");
	EXPECT_EQ(GC_MEMBER_SUSPECT, state_of(&net->n[0], "node1"));
	net_free(net);
}

/* A cluster started converged with gc_engine_learn(): no events, no
 * rumors, and it stays converged.
 */
TEST(learn_starts_converged_quietly)
{
	struct net *net = net_new(4);
	int i, j;

	for (i = 0; i < 4; i++) {
		ASSERT_TRUE(node_start(net, i, 10 + i));
		ASSERT_EQ(0, gc_engine_reserve(net->n[i].e, 4, 4 * 8));
	}
	for (i = 0; i < 4; i++) {
		for (j = 0; j < 4; j++) {
			if (i == j)
				continue;
			ASSERT_EQ(0, gc_engine_learn(net->n[i].e, net->n[j].name,
						     (u8)strlen(net->n[j].name), &net->n[j].addr, 0,
						     net->now));
		}
		EXPECT_TRUE(net->n[i].e->joined);
		EXPECT_EQ(0, net->n[i].e->rumors.len);
		EXPECT_EQ(0, net->n[i].nev);
	}
	EXPECT_TRUE(converged(net));
	/* Names taken, invalid, or with no address family are refused. */
	{
		struct gc_engine *e = net->n[0].e;
		struct gc_addr none = {0};

		EXPECT_EQ(-1, gc_engine_learn(e, "node1", 5, &net->n[1].addr, 0, net->now));
		EXPECT_EQ(-1, gc_engine_learn(e, "node0", 5, &net->n[0].addr, 0, net->now));
		EXPECT_EQ(-1, gc_engine_learn(e, "bad name", 8, &net->n[1].addr, 0, net->now));
		EXPECT_EQ(-1, gc_engine_learn(e, "x", 1, &none, 0, net->now));
		EXPECT_EQ(4, gc_members_total(gc_engine_members(e)));
	}
	ASSERT_TRUE(run_for(net, 3000 * MS));
	EXPECT_TRUE(converged(net));
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(0, net->n[i].nev);
		EXPECT_EQ(0, net->n[i].e->stats.probe_failures);
		EXPECT_GT(net->n[i].e->stats.probes, 20);
	}
	net_free(net);
}

/* ---- keys ---- */

TEST(node_with_another_key_never_joins)
{
	struct net *net = net_new(3);
	struct gc_addr seed = node_addr(0);
	u8 k1[GC_AEAD_KEY_LEN], k2[GC_AEAD_KEY_LEN];
	int i;

	memset(k1, 0x11, sizeof(k1));
	memset(k2, 0x22, sizeof(k2));
	for (i = 0; i < 3; i++)
		ASSERT_TRUE(node_start(net, i, 70 + i));
	ASSERT_EQ(0, gc_keyring_add(gc_engine_keyring(net->n[0].e), k1));
	ASSERT_EQ(0, gc_keyring_add(gc_engine_keyring(net->n[1].e), k1));
	ASSERT_EQ(0, gc_keyring_add(gc_engine_keyring(net->n[2].e), k2));
	ASSERT_EQ(0, gc_engine_join(net->n[1].e, &seed, 1, net->now));
	ASSERT_EQ(0, gc_engine_join(net->n[2].e, &seed, 1, net->now));
	ASSERT_TRUE(run_for(net, 3000 * MS));

	EXPECT_EQ(2, gc_members_total(gc_engine_members(net->n[0].e)));
	EXPECT_EQ(GC_MEMBER_ALIVE, state_of(&net->n[0], "node1"));
	EXPECT_EQ(GC_MEMBER_ALIVE, state_of(&net->n[1], "node0"));
	EXPECT_EQ(0, state_of(&net->n[0], "node2"));
	EXPECT_EQ(0, state_of(&net->n[1], "node2"));
	EXPECT_EQ(1, gc_members_total(gc_engine_members(net->n[2].e)));
	EXPECT_FALSE(net->n[2].e->joined);
	EXPECT_GT(net->n[0].e->stats.rx_dropped[GC_WIRE_AUTH], 0);
	EXPECT_EQ(0, count_events(&net->n[0], GC_EV_JOIN, "node2"));
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(0, net->n[i].sent_plain);
		EXPECT_GT(net->n[i].sent_sealed, 0);
	}
	EXPECT_EQ(0, net->n[1].e->stats.rx_dropped[GC_WIRE_AUTH]);
	net_free(net);
}

TEST(key_rotation_keeps_the_cluster)
{
	struct net *net = net_new(3);
	struct gc_addr seed = node_addr(0);
	u8 k1[GC_AEAD_KEY_LEN], k2[GC_AEAD_KEY_LEN];
	int i;

	memset(k1, 0x11, sizeof(k1));
	memset(k2, 0x22, sizeof(k2));
	for (i = 0; i < 3; i++) {
		ASSERT_TRUE(node_start(net, i, 80 + i));
		ASSERT_EQ(0, gc_keyring_add(gc_engine_keyring(net->n[i].e), k1));
	}
	for (i = 1; i < 3; i++)
		ASSERT_EQ(0, gc_engine_join(net->n[i].e, &seed, 1, net->now));
	ASSERT_TRUE(run_for(net, 1000 * MS));
	ASSERT_TRUE(converged(net));
	/* Add k2 everywhere, switch one node first, then the others. */
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, gc_keyring_add(gc_engine_keyring(net->n[i].e), k2));
	ASSERT_EQ(0, gc_keyring_use(gc_engine_keyring(net->n[0].e), k2));
	ASSERT_TRUE(run_for(net, 2000 * MS));
	for (i = 1; i < 3; i++)
		ASSERT_EQ(0, gc_keyring_use(gc_engine_keyring(net->n[i].e), k2));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, gc_keyring_remove(gc_engine_keyring(net->n[i].e), k1));
	ASSERT_TRUE(run_for(net, 3000 * MS));
	EXPECT_TRUE(converged(net));
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(0, count_events(&net->n[i], GC_EV_SUSPECT, NULL));
		EXPECT_EQ(0, net->n[i].e->stats.rx_dropped[GC_WIRE_AUTH]);
	}
	net_free(net);
}

/* ---- bad packets ---- */

struct snapshot {
	u32 total, count[5], nev;
	u32 inc[MAXN];
	u8 state[MAXN];
	u64 sent, rx_dropped[__GC_WIRE_ERR_MAX];
};

static void snap(const struct net *net, int id, struct snapshot *s)
{
	const struct node *n = &net->n[id];
	int i;

	memset(s, 0, sizeof(*s));
	s->total = gc_members_total(gc_engine_members(n->e));
	memcpy(s->count, gc_engine_members(n->e)->count, sizeof(s->count));
	s->nev = n->nev;
	for (i = 0; i < net->count; i++) {
		s->inc[i] = inc_of(n, net->n[i].name);
		s->state[i] = state_of(n, net->n[i].name);
	}
	s->sent = n->sent;
	memcpy(s->rx_dropped, n->e->stats.rx_dropped, sizeof(s->rx_dropped));
}

static bool same_state(const struct snapshot *a, const struct snapshot *b)
{
	return a->total == b->total && !memcmp(a->count, b->count, sizeof(a->count)) &&
	       a->nev == b->nev && !memcmp(a->inc, b->inc, sizeof(a->inc)) &&
	       !memcmp(a->state, b->state, sizeof(a->state)) && a->sent == b->sent;
}

TEST(garbage_packets_change_nothing_and_are_counted)
{
	struct net *net = cluster(3, NULL);
	struct gc_addr from = outside_addr();
	struct snapshot before, after;
	static u8 junk[GC_MAX_MTU + 1];
	u8 body[64];
	struct gc_wbuf b = {.p = body, .cap = sizeof(body)};
	struct gc_keyring kr = {0};
	u8 k[GC_AEAD_KEY_LEN] = {1};
	size_t len, i;
	u64 rx;

	ASSERT_NE(NULL, net);
	snap(net, 0, &before);
	rx = net->n[0].e->stats.rx_packets;
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (u8)(i * 131 + 7);

	junk[0] = 0x55;
	gc_engine_on_packet(net->n[0].e, &from, junk, 100, net->now);
	junk[0] = GC_WIRE_VERSION;
	junk[1] = 0;
	gc_engine_on_packet(net->n[0].e, &from, junk, 100, net->now);
	gc_engine_on_packet(net->n[0].e, &from, junk, 1, net->now);
	gc_engine_on_packet(net->n[0].e, &from, junk, 0, net->now);
	gc_engine_on_packet(net->n[0].e, &from, junk, GC_MAX_MTU + 1, net->now);
	/* Sealed, to a node without a key. */
	gc_keyring_add(&kr, k);
	gc_put_ack(&b, GC_MSG_ACK, 1);
	len = gc_packet_seal(&kr, body, b.len, junk, sizeof(junk));
	gc_engine_on_packet(net->n[0].e, &from, junk, len, net->now);
	/* A valid CRC around a body that does not decode. */
	memset(body, 0xff, 10);
	len = gc_packet_seal(NULL, body, 10, junk, sizeof(junk));
	gc_engine_on_packet(net->n[0].e, &from, junk, len, net->now);

	snap(net, 0, &after);
	EXPECT_TRUE(same_state(&before, &after));
	EXPECT_EQ(rx + 7, net->n[0].e->stats.rx_packets);
	EXPECT_EQ(before.rx_dropped[GC_WIRE_BAD_VERSION] + 1,
		  after.rx_dropped[GC_WIRE_BAD_VERSION]);
	EXPECT_EQ(before.rx_dropped[GC_WIRE_CHECKSUM] + 1, after.rx_dropped[GC_WIRE_CHECKSUM]);
	EXPECT_EQ(before.rx_dropped[GC_WIRE_SHORT] + 3, after.rx_dropped[GC_WIRE_SHORT]);
	EXPECT_EQ(before.rx_dropped[GC_WIRE_TOO_BIG] + 1, after.rx_dropped[GC_WIRE_TOO_BIG]);
	EXPECT_EQ(before.rx_dropped[GC_WIRE_NO_KEY] + 1, after.rx_dropped[GC_WIRE_NO_KEY]);
	/* The network carries on as before. */
	ASSERT_TRUE(run_for(net, 1000 * MS));
	EXPECT_TRUE(converged(net));
	net_free(net);
}

TEST(packet_with_a_malformed_second_message_is_dropped_whole)
{
	struct net *net = net_new(1);
	struct gc_addr ga = node_addr(5), bad = node_addr(6);
	struct snapshot before, after;
	u8 body[256];
	struct gc_wbuf b = {.p = body, .cap = sizeof(body)};
	struct node *n;

	ASSERT_TRUE(node_start(net, 0, 1));
	n = &net->n[0];
	snap(net, 0, &before);
	bad.port = 0;
	/* A valid ALIVE, then one with port 0. */
	gc_put_alive(&b, 1, "ghost", 5, &ga);
	gc_put_alive(&b, 1, "ghost2", 6, &bad);
	inject(net, 0, body, b.len);
	snap(net, 0, &after);
	EXPECT_TRUE(same_state(&before, &after));
	EXPECT_EQ(GC_NONE, lookup(n, "ghost"));
	EXPECT_EQ(0, n->nev);
	EXPECT_EQ(before.rx_dropped[GC_WIRE_MALFORMED] + 1, after.rx_dropped[GC_WIRE_MALFORMED]);

	/* A PING for us followed by a truncated message: no ACK either. */
	b.len = 0;
	gc_put_ping(&b, 5, "node0", 5);
	body[b.len++] = GC_MSG_ALIVE;
	body[b.len++] = 0;
	body[b.len++] = 50;
	inject(net, 0, body, b.len);
	EXPECT_EQ(0, n->sent);
	EXPECT_EQ(before.rx_dropped[GC_WIRE_SHORT] + 1, n->e->stats.rx_dropped[GC_WIRE_SHORT]);

	/* The same first message alone is taken, and a PING is answered. */
	b.len = 0;
	gc_put_alive(&b, 1, "ghost", 5, &ga);
	gc_put_ping(&b, 5, "node0", 5);
	/* An unknown message type in between does not matter. */
	body[b.len++] = 99;
	body[b.len++] = 0;
	body[b.len++] = 0;
	inject(net, 0, body, b.len);
	EXPECT_EQ(GC_MEMBER_ALIVE, state_of(n, "ghost"));
	EXPECT_EQ(1, count_events(n, GC_EV_JOIN, "ghost"));
	EXPECT_EQ(1, n->sent);
	EXPECT_EQ(1, net->unroutable); /* the ACK went back to outside_addr() */
	net_free(net);
}

TEST(ping_for_another_name_is_not_answered)
{
	struct net *net = net_new(1);
	u8 body[64];
	struct gc_wbuf b = {.p = body, .cap = sizeof(body)};

	ASSERT_TRUE(node_start(net, 0, 1));
	gc_put_ping(&b, 5, "node7", 5);
	inject(net, 0, body, b.len);
	EXPECT_EQ(0, net->n[0].sent);
	EXPECT_EQ(1, net->n[0].e->stats.rx_unexpected);
	/* Acks and nacks that match no probe are counted too. */
	b.len = 0;
	gc_put_ack(&b, GC_MSG_ACK, 12345);
	gc_put_ack(&b, GC_MSG_NACK, 12345);
	inject(net, 0, body, b.len);
	EXPECT_EQ(0, net->n[0].sent);
	EXPECT_EQ(3, net->n[0].e->stats.rx_unexpected);
	net_free(net);
}

/* A STATE chunk that teaches a node enough new names to move its name
 * arena, then names one of them suspect: merge_state() must not keep using
 * a pointer to its own name taken before the arena moved.
 */
TEST(state_merge_that_grows_the_name_arena)
{
	struct net *net = net_new(1);
	struct gc_addr a = node_addr(5);
	static u8 body[4096];
	struct gc_wbuf b = {.p = body, .cap = sizeof(body)};
	char names[12][64];
	const struct gc_members *t;
	const struct gc_bqueue *q;
	struct node *n;
	size_t start;
	u32 slot;
	int i;

	ASSERT_TRUE(node_start(net, 0, 1));
	n = &net->n[0];
	start = b.len;
	gc_begin_state(&b, 0);
	for (i = 0; i < 12; i++) {
		memset(names[i], 'a' + i, 60);
		names[i][60] = 0;
		a.port = (u16)(8000 + i);
		gc_put_state_entry(&b, GC_MEMBER_ALIVE, 1, names[i], 60, &a);
	}
	/* A remote "dead" makes the receiver suspect, accused by itself. */
	gc_put_state_entry(&b, GC_MEMBER_DEAD, 1, names[0], 60, &a);
	gc_end_state(&b, start, 13);
	ASSERT_FALSE(b.overflow);
	inject(net, 0, body, b.len);

	t = gc_engine_members(n->e);
	EXPECT_EQ(13, gc_members_total(t));
	EXPECT_EQ(GC_MEMBER_SUSPECT, state_of(n, names[0]));
	EXPECT_EQ(1, count_events(n, GC_EV_SUSPECT, names[0]));
	/* The SUSPECT rumor names this node as the accuser. */
	slot = lookup(n, names[0]);
	ASSERT_NE(GC_NONE, slot);
	q = &n->e->rumors;
	ASSERT_NE(GC_NONE, t->m[slot].bcast);
	ASSERT_NE(GC_NONE, q->b[t->m[slot].bcast].from);
	EXPECT_EQ(5, q->from[q->b[t->m[slot].bcast].from].len);
	EXPECT_EQ(0, memcmp("node0", q->from[q->b[t->m[slot].bcast].from].name, 5));
	net_free(net);
}

/* "ghost" joins node 0, then dies and comes back 2000 times, each ALIVE one
 * incarnation above the DEAD before it, as a refuting node sends.
 */
static void flap_ghost(struct net *net, const struct gc_addr *a)
{
	u32 k;

	inject_alive(net, 0, 0, "ghost", a);
	for (k = 0; k < 2000; k++) {
		inject_accuse(net, 0, GC_MSG_DEAD, 2 * k, "ghost", "someone");
		inject_alive(net, 0, 2 * k + 1, "ghost", a);
	}
}

/* docs/PROTOCOL.md, Limits: "Its tables grow up to max_members entries
 * (members, one rumor per member, the probe order)". A member that flaps
 * between DEAD and ALIVE (each ALIVE one incarnation up, as a refuting node
 * sends) must not grow the probe order with every revival.
 */
TEST(flapping_member_keeps_the_probe_order_bounded)
{
	struct net *net = net_new(1);
	struct gc_addr a = node_addr(5);
	struct gc_engine *e;

	ASSERT_TRUE(node_start(net, 0, 1));
	e = net->n[0].e;
	flap_ghost(net, &a);
	EXPECT_EQ(GC_MEMBER_ALIVE, state_of(&net->n[0], "ghost"));
	EXPECT_EQ(2000, count_events(&net->n[0], GC_EV_ALIVE, "ghost"));
	EXPECT_LE(e->order_len, net->cfg.max_members);
	/* Each round still probes it, once. */
	ASSERT_TRUE(run_for(net, 1000 * MS));
	EXPECT_LE(e->order_len, net->cfg.max_members);
	net_free(net);
}

/* The same flapping, ending dead: the list of members to reap holds each
 * dead member once, not once per time it died.
 */
TEST(flapping_member_keeps_the_reap_list_bounded)
{
	struct net *net = net_new(1);
	struct gc_addr a = node_addr(5);
	struct gc_engine *e;

	ASSERT_TRUE(node_start(net, 0, 1));
	e = net->n[0].e;
	flap_ghost(net, &a);
	inject_accuse(net, 0, GC_MSG_DEAD, 4000, "ghost", "someone");
	EXPECT_EQ(GC_MEMBER_DEAD, state_of(&net->n[0], "ghost"));
	/* Past a probe interval, so reap() has looked at the list. */
	ASSERT_TRUE(run_for(net, 300 * MS));
	EXPECT_EQ(1, gc_engine_count(e, GC_MEMBER_DEAD));
	EXPECT_LE(e->dead_len, 1);
	EXPECT_LE(e->dead_cap, net->cfg.max_members);
	net_free(net);
}

TEST(table_full_drops_and_counts)
{
	struct net *net = net_new(1);
	struct gc_addr a = node_addr(5);
	char name[16];
	int i;

	net->cfg.max_members = 4;
	ASSERT_TRUE(node_start(net, 0, 1));
	for (i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "m%d", i);
		inject_alive(net, 0, 1, name, &a);
	}
	EXPECT_EQ(4, gc_members_total(gc_engine_members(net->n[0].e)));
	EXPECT_EQ(2, net->n[0].e->stats.members_dropped);
	EXPECT_EQ(3, count_events(&net->n[0], GC_EV_JOIN, NULL));
	net_free(net);
}

TEST(engine_new_refuses_bad_arguments)
{
	struct gc_config cfg;
	struct gc_addr a = node_addr(0);
	struct gc_engine_ops no_send = {.event = on_event};
	struct gc_engine *e;

	test_config(&cfg);
	EXPECT_EQ(NULL, gc_engine_new(&cfg, "bad name", 8, &a, 1, 1, 0, &ops, NULL));
	EXPECT_EQ(NULL, gc_engine_new(&cfg, "", 0, &a, 1, 1, 0, &ops, NULL));
	EXPECT_EQ(NULL, gc_engine_new(&cfg, "ok", 2, &a, 1, 1, 0, NULL, NULL));
	EXPECT_EQ(NULL, gc_engine_new(&cfg, "ok", 2, &a, 1, 1, 0, &no_send, NULL));
	cfg.probe_timeout_ms = cfg.probe_interval_ms;
	EXPECT_EQ(NULL, gc_engine_new(&cfg, "ok", 2, &a, 1, 1, 0, &ops, NULL));
	test_config(&cfg);
	cfg.mtu = 100;
	EXPECT_EQ(NULL, gc_engine_new(&cfg, "ok", 2, &a, 1, 1, 0, &ops, NULL));
	test_config(&cfg);
	e = gc_engine_new(&cfg, "ok", 2, &a, 1, 1, 0, &ops, NULL);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(1, gc_engine_count(e, GC_MEMBER_ALIVE));
	EXPECT_GT(gc_engine_mem_bytes(e), sizeof(*e));
	gc_engine_free(e);
	gc_engine_free(NULL);
}

TEST_HARNESS_MAIN
