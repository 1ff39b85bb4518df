// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for kmod/core/items.c: push (infect and forward), the 4-step
 * anti-entropy exchange, windows, gaps, fragments, verify before forward,
 * memory bounds and restarts.
 *
 * Most tests drive struct gc_items directly through a small in-test
 * network: every node's gc_peer_ops pick random live peers from a seeded
 * generator, send puts the body in a queue (after decoding it whole and
 * logging every message, so tests can assert what went over the wire), and
 * a fake clock jumps to the earliest gc_items_deadline(). Delivery is
 * instant, in order and lossless unless a test cuts links or drops
 * messages. One test runs five whole engines to check the dispatch.
 *
 * Tests end with an explicit LeakSanitizer check: the harness runs each test
 * in a child that leaves with _exit(), where the at-exit check never runs.
 */

#include "kselftest_harness.h"

#include <sanitizer/lsan_interface.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "core/items.h"

#define MAXN  8
#define MS    1000ULL
#define NEVER UINT64_MAX
#define ELOG  8 /* DIGEST and WANT entries kept per logged message */

/* An item event as a node saw it. */
struct iev {
	u8 type;
	char origin[GC_NODE_NAME_MAX];
	u64 boot, seq, from, to, t;
	u8 id[GC_ITEM_ID_LEN];
};

/* A message as it was sent. */
struct wmsg {
	int from, to; /* node numbers; -1 outside */
	u32 pkt;      /* packet number, in send order */
	u32 cause;    /* the packet being delivered when it was sent, or NONE */
	u64 t;
	u8 type, flags;
	/* ITEM */
	char origin[GC_NODE_NAME_MAX];
	u64 boot, seq;
	u16 total, off, len;
	u8 hops;
	u8 id[GC_ITEM_ID_LEN];
	/* DIGEST, WANT */
	u16 count;
	struct {
		char origin[GC_NODE_NAME_MAX];
		u64 boot, a, b;
	} e[ELOG];
};

#define NONE UINT32_MAX

struct pkt {
	int from, to;
	u32 num;
	size_t len;
	u8 data[];
};

struct net;

struct inode {
	struct net *net;
	int id;
	char name[16];
	struct gc_addr addr;
	u64 boot;
	struct gc_config cfg; /* its own parameters */
	struct gc_items it;
	bool up;
	struct iev *ev;
	u32 nev, evcap;
};

struct net {
	struct inode n[MAXN];
	int count;
	u64 now;
	struct gc_config cfg; /* what nodes start with */
	struct pkt **q;
	u32 qhead, qlen, qcap;
	struct wmsg *log;
	u32 nlog, logcap, npkts;
	u32 bad_bodies; /* bodies that did not decode whole, or too long */
	bool cut[MAXN + 1][MAXN + 1];
	u64 rng;
	u32 members;   /* what count() says; 0: the nodes of the net */
	int drop_item; /* drops the ITEM message sent with this number, counted from 0 */
	u32 items_sent;
	u32 cause;    /* the packet being delivered, or NONE */
	bool shuffle; /* deliver the queue in a random order */
};

/* ---- the network ---- */

static u64 rnd(struct net *net)
{
	u64 x = net->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	net->rng = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static struct gc_addr node_addr(int id)
{
	struct gc_addr a;

	memset(a.ip, 0, sizeof(a.ip));
	a.family = 4;
	a.ip[0] = 10;
	a.ip[3] = (u8)(id + 1);
	a.port = 7947;
	return a;
}

static struct gc_addr outside_addr(void)
{
	return node_addr(200);
}

static int addr_node(const struct net *net, const struct gc_addr *a)
{
	int i;

	for (i = 0; i < net->count; i++)
		if (gc_addr_equal(&net->n[i].addr, a))
			return i;
	return -1;
}

static u32 peer_pick(void *ctx, struct gc_addr *out, u32 k)
{
	struct inode *n = ctx;
	struct net *net = n->net;
	int cand[MAXN], nc = 0, i;
	u32 got = 0;

	for (i = 0; i < net->count; i++)
		if (i != n->id && net->n[i].up)
			cand[nc++] = i;
	while (got < k && nc) {
		int j = (int)(rnd(net) % (u64)nc);

		out[got++] = net->n[cand[j]].addr;
		cand[j] = cand[--nc];
	}
	return got;
}

static u32 peer_count(void *ctx)
{
	struct inode *n = ctx;

	return n->net->members ? n->net->members : (u32)n->net->count;
}

static bool peer_lowest(void *ctx)
{
	return ((struct inode *)ctx)->id == 0;
}

static void name_copy(char *dst, const struct gc_name *n)
{
	memcpy(dst, n->p, n->len);
	dst[n->len] = 0;
}

static void log_msg(struct net *net, int from, int to, const struct gc_msg *m)
{
	struct gc_range_entry e;
	struct wmsg *w;
	size_t off = 0;
	u32 i;

	if (net->nlog == net->logcap) {
		net->logcap = net->logcap ? net->logcap * 2 : 256;
		net->log = realloc(net->log, net->logcap * sizeof(*net->log));
	}
	w = &net->log[net->nlog++];
	memset(w, 0, sizeof(*w));
	w->from = from;
	w->to = to;
	w->pkt = net->npkts;
	w->cause = net->cause;
	w->t = net->now;
	w->type = m->type;
	w->flags = m->flags;
	if (m->type == GC_MSG_ITEM) {
		name_copy(w->origin, &m->name);
		w->boot = m->item_boot;
		w->seq = m->item_seq;
		w->total = m->total;
		w->off = m->frag_off;
		w->len = m->frag_len;
		w->hops = m->hops;
		memcpy(w->id, m->id, GC_ITEM_ID_LEN);
	}
	if (m->type == GC_MSG_DIGEST || m->type == GC_MSG_WANT || m->type == GC_MSG_GONE) {
		w->count = m->count;
		for (i = 0; i < m->count; i++) {
			if (gc_next_range_entry(m, &off, &e)) {
				net->bad_bodies++;
				return;
			}
			if (i < ELOG) {
				name_copy(w->e[i].origin, &e.origin);
				w->e[i].boot = e.boot;
				w->e[i].a = e.a;
				w->e[i].b = e.b;
			}
		}
	}
}

static void enqueue(struct net *net, int from, int to, const u8 *body, size_t len)
{
	struct pkt *p;

	if (net->qlen == net->qcap) {
		u32 cap = net->qcap ? net->qcap * 2 : 256, i;
		struct pkt **q = calloc(cap, sizeof(*q));

		for (i = 0; i < net->qlen; i++)
			q[i] = net->q[(net->qhead + i) % net->qcap];
		free(net->q);
		net->q = q;
		net->qhead = 0;
		net->qcap = cap;
	}
	p = malloc(sizeof(*p) + len);
	p->from = from;
	p->to = to;
	p->num = net->npkts;
	p->len = len;
	memcpy(p->data, body, len);
	net->q[(net->qhead + net->qlen++) % net->qcap] = p;
}

/* Logs every message of a body a node sends and queues it. Every body must
 * decode whole and fit the node's MTU.
 */
static void peer_send(void *ctx, const struct gc_addr *to, const u8 *body, size_t len)
{
	struct inode *n = ctx;
	struct net *net = n->net;
	int dst = addr_node(net, to), keep = 1;
	size_t off = 0;
	struct gc_msg m;

	if (len > n->cfg.mtu - GC_SEAL_OVERHEAD || !len)
		net->bad_bodies++;
	while (off < len) {
		if (gc_decode_msg(body, len, &off, &m)) {
			net->bad_bodies++;
			break;
		}
		log_msg(net, n->id, dst, &m);
		if (m.type == GC_MSG_ITEM && net->items_sent++ == (u32)net->drop_item)
			keep = 0;
	}
	if (dst >= 0 && keep && !net->cut[n->id][dst])
		enqueue(net, n->id, dst, body, len);
	net->npkts++;
}

static void peer_event(void *ctx, const struct gc_item_ev *ev)
{
	struct inode *n = ctx;
	struct iev *r;

	if (n->nev == n->evcap) {
		n->evcap = n->evcap ? n->evcap * 2 : 64;
		n->ev = realloc(n->ev, n->evcap * sizeof(*n->ev));
	}
	r = &n->ev[n->nev++];
	memset(r, 0, sizeof(*r));
	r->type = ev->type;
	memcpy(r->origin, ev->stream->name, ev->stream->name_len);
	r->boot = ev->stream->boot;
	r->from = ev->from;
	r->to = ev->to;
	r->t = ev->time_us;
	if (ev->item) {
		r->seq = ev->item->seq;
		memcpy(r->id, ev->item->id, GC_ITEM_ID_LEN);
	}
}

static const struct gc_peer_ops peer_ops = {
	.pick = peer_pick,
	.count = peer_count,
	.lowest = peer_lowest,
	.send = peer_send,
	.item_event = peer_event,
};

static void test_config(struct gc_config *cfg)
{
	gc_config_default(cfg);
	cfg->gossip_interval_ms = 200;
	cfg->gossip_nodes = 3;
	cfg->item_sync_ms = 1000;
	cfg->item_pending_ms = 5000;
}

static struct net *net_new(int count)
{
	struct net *net = calloc(1, sizeof(*net));

	net->count = count;
	net->now = 1000 * MS;
	net->rng = 0x9e3779b97f4a7c15ULL;
	net->drop_item = -1;
	net->cause = NONE;
	test_config(&net->cfg);
	return net;
}

/* Starts (or restarts) node id with the net's parameters, alone. */
static bool node_start(struct net *net, int id, u64 boot)
{
	struct inode *n = &net->n[id];
	struct gc_peers peers = {.ops = &peer_ops, .ctx = n};
	u8 key[16];

	memset(key, id + 1, sizeof(key));
	n->net = net;
	n->id = id;
	snprintf(n->name, sizeof(n->name), "node%d", id);
	n->addr = node_addr(id);
	n->boot = boot;
	n->cfg = net->cfg;
	if (gc_items_init(&n->it, &n->cfg, &peers, n->name, (u8)strlen(n->name), boot, key,
			  net->now))
		return false;
	n->up = true;
	return true;
}

static void node_stop(struct net *net, int id)
{
	struct inode *n = &net->n[id];

	if (n->up)
		gc_items_destroy(&n->it);
	n->up = false;
}

static void net_free(struct net *net)
{
	int i;

	for (i = 0; i < net->count; i++) {
		node_stop(net, i);
		free(net->n[i].ev);
	}
	while (net->qlen) {
		free(net->q[net->qhead]);
		net->qhead = (net->qhead + 1) % net->qcap;
		net->qlen--;
	}
	free(net->q);
	free(net->log);
	free(net);
}

/* Hands one packet to its node, message by message. */
static void deliver(struct net *net, struct pkt *p)
{
	struct inode *dst = &net->n[p->to];
	struct gc_addr from = p->from < 0 ? outside_addr() : net->n[p->from].addr;
	size_t off = 0;
	struct gc_msg m;

	if (!dst->up)
		return;
	net->cause = p->num;
	while (off < p->len) {
		if (gc_decode_msg(p->data, p->len, &off, &m)) {
			net->bad_bodies++;
			break;
		}
		gc_items_on_msg(&dst->it, &from, &m, net->now);
	}
	net->cause = NONE;
}

static void deliver_all(struct net *net)
{
	while (net->qlen) {
		u32 pick = net->shuffle ? (u32)(rnd(net) % net->qlen) : 0;
		u32 at = (net->qhead + pick) % net->qcap;
		struct pkt *p = net->q[at];

		net->q[at] = net->q[net->qhead];
		net->qhead = (net->qhead + 1) % net->qcap;
		net->qlen--;
		deliver(net, p);
		free(p);
	}
}

static u64 next_deadline(const struct net *net)
{
	u64 next = NEVER, d;
	int i;

	for (i = 0; i < net->count; i++) {
		if (!net->n[i].up)
			continue;
		d = gc_items_deadline(&net->n[i].it);
		if (d < next)
			next = d;
	}
	return next;
}

/* Runs the network until time end; false if the nodes spin (a deadline that
 * ticking does not move).
 */
static bool run_until(struct net *net, u64 end)
{
	u32 same = 0;
	int i;

	for (;;) {
		u64 next;

		deliver_all(net);
		next = next_deadline(net);
		if (next > end) {
			net->now = end;
			return true;
		}
		if (next > net->now) {
			net->now = next;
			same = 0;
		} else if (++same > 1000) {
			return false;
		}
		for (i = 0; i < net->count; i++) {
			struct inode *n = &net->n[i];

			if (n->up && gc_items_deadline(&n->it) <= net->now)
				gc_items_tick(&n->it, net->now);
		}
	}
}

static bool run_for(struct net *net, u64 us)
{
	return run_until(net, net->now + us);
}

static void cut_node(struct net *net, int id, bool cut)
{
	int i;

	for (i = 0; i < net->count; i++) {
		net->cut[id][i] = cut;
		net->cut[i][id] = cut;
	}
}

/* Sends a body to node id from outside the cluster. */
static void inject(struct net *net, int id, const u8 *body, size_t len)
{
	struct pkt *p = malloc(sizeof(*p) + len);

	p->from = -1;
	p->to = id;
	p->num = NONE;
	p->len = len;
	memcpy(p->data, body, len);
	deliver(net, p);
	free(p);
}

/* ---- items and streams ---- */

static void fill(u8 *p, size_t len, u32 seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (u8)(seed * 131 + i * 7 + (i >> 8));
}

/* Puts len bytes made from seed on node id; returns the put result. */
static int put(struct net *net, int id, u16 len, u32 seed, u8 *id_out)
{
	static u8 buf[GC_ITEM_MAX_LEN];
	const struct gc_item *item = NULL;
	int r;

	fill(buf, len, seed);
	r = gc_items_put(&net->n[id].it, 0, buf, len, net->now, &item);
	if (!r && id_out)
		memcpy(id_out, item->id, GC_ITEM_ID_LEN);
	return r;
}

static const struct gc_stream *stream_of(const struct gc_items *it, const char *name, u64 boot)
{
	u32 i;

	for (i = 0; i < it->n_streams; i++) {
		const struct gc_stream *s = gc_items_stream(it, i);

		if (s->boot == boot && s->name_len == strlen(name) &&
		    !memcmp(s->name, name, s->name_len))
			return s;
	}
	return NULL;
}

/* The state of (origin's stream started at boot, seq) at node obs. */
static int slot_state(const struct net *net, int obs, int origin, u64 boot, u64 seq)
{
	const struct gc_stream *s = stream_of(&net->n[obs].it, net->n[origin].name, boot);
	const struct gc_slot *sl;

	if (!s)
		return -1;
	sl = gc_stream_slot(s, seq);
	return sl ? sl->state : GC_SLOT_EMPTY;
}

static bool held(const struct net *net, int obs, int origin, u64 seq)
{
	return slot_state(net, obs, origin, net->n[origin].boot, seq) == GC_SLOT_HELD;
}

/* Items of origin's stream that obs holds. */
static u32 held_count(const struct net *net, int obs, int origin)
{
	const struct gc_stream *s =
		stream_of(&net->n[obs].it, net->n[origin].name, net->n[origin].boot);

	return s ? s->held : 0;
}

static u64 contig_of(const struct net *net, int obs, int origin)
{
	const struct gc_stream *s =
		stream_of(&net->n[obs].it, net->n[origin].name, net->n[origin].boot);

	return s ? s->contig : 0;
}

static u32 count_ev(const struct inode *n, u8 type)
{
	u32 i, c = 0;

	for (i = 0; i < n->nev; i++)
		c += n->ev[i].type == type;
	return c;
}

static u32 count_ev_id(const struct inode *n, u8 type, const u8 *id)
{
	u32 i, c = 0;

	for (i = 0; i < n->nev; i++)
		c += n->ev[i].type == type && !memcmp(n->ev[i].id, id, GC_ITEM_ID_LEN);
	return c;
}

/* Messages of type in the log from index since; from/to -2 = any. */
static u32 count_msgs(const struct net *net, u32 since, u8 type, int from, int to)
{
	u32 i, c = 0;

	for (i = since; i < net->nlog; i++) {
		const struct wmsg *w = &net->log[i];

		if (w->type == type && (from == -2 || w->from == from) && (to == -2 || w->to == to))
			c++;
	}
	return c;
}

/* ITEM messages (whole or first fragments) of one item sent by node from. */
static u32 item_sends(const struct net *net, u32 since, int from, const u8 *id)
{
	u32 i, c = 0;

	for (i = since; i < net->nlog; i++) {
		const struct wmsg *w = &net->log[i];

		if (w->type == GC_MSG_ITEM && w->from == from && w->off == 0 &&
		    !memcmp(w->id, id, GC_ITEM_ID_LEN))
			c++;
	}
	return c;
}

static u64 sum_stat(const struct net *net, size_t off)
{
	u64 s = 0;
	int i;

	for (i = 0; i < net->count; i++)
		if (net->n[i].up)
			s += *(const u64 *)((const char *)&net->n[i].it.stats + off);
	return s;
}

#define SUM(net, field) sum_stat(net, offsetof(struct gc_item_stats, field))

/* Nothing the core allocated is unreachable. */
static int leaks(void)
{
	return __lsan_do_recoverable_leak_check();
}

/* Builds one ITEM message in body: content data of len under (origin,
 * boot, seq), with id, or the content's own id when id is NULL.
 */
static size_t item_body(u8 *body, size_t cap, const char *origin, u64 boot, u64 seq, const u8 *data,
			u16 len, const u8 *id, u8 flags)
{
	struct gc_wbuf b = {.p = body, .cap = cap};
	u8 h[GC_ITEM_ID_LEN];

	if (!id) {
		gc_sha256(data, len, h);
		id = h;
	}
	gc_put_item(&b, 0, flags, 0, boot, seq, origin, (u8)strlen(origin), id, len, 0, data, len);
	return b.len;
}

/* ---- push ---- */

TEST(send_limit)
{
	struct gc_config cfg;

	gc_config_default(&cfg);
	cfg.item_fanout = 3;
	cfg.item_retransmit_mult = 3;
	/* mult * ceil(log10(n + 1)): the digits of n. */
	EXPECT_EQ(3, gc_item_send_limit(&cfg, 0));
	EXPECT_EQ(3, gc_item_send_limit(&cfg, 9));
	EXPECT_EQ(6, gc_item_send_limit(&cfg, 10));
	EXPECT_EQ(6, gc_item_send_limit(&cfg, 99));
	EXPECT_EQ(9, gc_item_send_limit(&cfg, 100));
	EXPECT_EQ(15, gc_item_send_limit(&cfg, 65536));
	/* Never below the fanout. */
	cfg.item_fanout = 16;
	EXPECT_EQ(16, gc_item_send_limit(&cfg, 100));
	cfg.item_fanout = 0;
	cfg.item_retransmit_mult = 0;
	EXPECT_EQ(0, gc_item_send_limit(&cfg, 100));
}

/* A put is held and goes at once to item_fanout distinct members; each
 * receiver forwards it at once, once; copies are counted and go no further.
 */
TEST(put_is_pushed_to_fanout_and_forwarded_once)
{
	struct net *net;
	u8 id[GC_ITEM_ID_LEN];
	u32 limit, i, total, reached = 0;
	int j;

	net = net_new(8);
	net->cfg.item_fanout = 2;
	net->cfg.item_retransmit_mult = 2; /* 8 nodes: limit 2 = the fanout */
	net->cfg.item_sync_ms = 0;
	for (j = 0; j < 8; j++)
		ASSERT_TRUE(node_start(net, j, 1));
	limit = gc_item_send_limit(&net->cfg, 8);
	ASSERT_EQ(2, limit);

	ASSERT_EQ(GC_PUT_OK, put(net, 0, 100, 1, id));
	/* Before any delivery: HELD at the origin, sent to 2 distinct peers. */
	EXPECT_EQ(1, count_ev_id(&net->n[0], GC_IEV_HELD, id));
	EXPECT_TRUE(held(net, 0, 0, 1));
	ASSERT_EQ(2, net->nlog);
	EXPECT_EQ(GC_MSG_ITEM, net->log[0].type);
	EXPECT_EQ(GC_MSG_ITEM, net->log[1].type);
	EXPECT_NE(net->log[0].to, net->log[1].to);
	EXPECT_EQ(0, net->log[0].hops);
	EXPECT_EQ(0, net->log[0].flags);
	EXPECT_EQ(1, net->log[0].seq);
	EXPECT_EQ(100, net->log[0].total);
	/* Sent its limit at once: nothing queued for gossip rounds. */
	EXPECT_EQ(0, net->n[0].it.n_push);

	ASSERT_TRUE(run_for(net, 10000 * MS));
	EXPECT_EQ(0, net->bad_bodies);
	/* Each node that got it holds it and sent it exactly limit times; push
	 * alone need not reach every node (anti-entropy does that).
	 */
	for (j = 0; j < 8; j++) {
		bool got = held(net, j, 0, 1);

		reached += got;
		EXPECT_EQ(got, count_ev_id(&net->n[j], GC_IEV_HELD, id));
		EXPECT_EQ(got ? limit : 0, item_sends(net, 0, j, id));
		EXPECT_EQ(got, count_msgs(net, 0, GC_MSG_ITEM, -2, j) > 0 || j == 0);
	}
	TH_LOG("fanout 2 reached %u of 8 nodes", reached);
	EXPECT_LE(6, reached);
	/* Hops: what the sender had, plus one. */
	for (i = 0; i < net->nlog; i++) {
		const struct wmsg *w = &net->log[i];
		const struct gc_item *it = gc_items_find(&net->n[w->to].it, id);

		if (w->from == 0) {
			EXPECT_EQ(0, w->hops);
		} else {
			EXPECT_EQ(gc_items_find(&net->n[w->from].it, id)->hops, w->hops);
		}
		/* The receiver kept the hops of its first copy. */
		if (w->to != 0) {
			EXPECT_GE(w->hops + 1, it->hops);
		}
	}
	/* Every copy past the first at each node is a counted duplicate. */
	total = count_msgs(net, 0, GC_MSG_ITEM, -2, -2);
	EXPECT_EQ(reached * limit, total);
	EXPECT_EQ(reached - 1, SUM(net, new_items));
	EXPECT_EQ(total - (reached - 1), SUM(net, duplicate));
	EXPECT_EQ(total, SUM(net, sent));
	/* Forwarded once: every send of a node is caused by the first copy it
	 * got; later copies (duplicates) cause nothing.
	 */
	for (j = 1; j < 8; j++) {
		u32 first = NONE;

		for (i = 0; i < net->nlog; i++)
			if (net->log[i].to == j && first == NONE)
				first = net->log[i].pkt;
		if (first == NONE)
			continue;
		for (i = 0; i < net->nlog; i++)
			if (net->log[i].from == j)
				EXPECT_EQ(first, net->log[i].cause);
	}
	net_free(net);
	EXPECT_EQ(0, leaks());
}

/* What cannot go at once goes in gossip rounds, gossip_nodes members a
 * round, until gc_item_send_limit(); several queued items are each sent
 * once a round to those members, not again and again.
 */
TEST(gossip_rounds_stop_at_send_limit)
{
	struct net *net;
	u8 id[3][GC_ITEM_ID_LEN];
	u32 limit, rounds, r, k, i;
	u64 t0;
	int j;

	net = net_new(8);
	net->cfg.item_fanout = 1;
	net->cfg.item_retransmit_mult = 6; /* limit 6 */
	net->cfg.gossip_nodes = 2;
	net->cfg.item_sync_ms = 0;
	for (j = 0; j < 8; j++)
		ASSERT_TRUE(node_start(net, j, 1));
	limit = gc_item_send_limit(&net->cfg, 8);
	ASSERT_EQ(6, limit);
	/* Node 0 alone sends: the others do not reach anyone. */
	for (j = 1; j < 8; j++)
		net->cut[0][j] = true;

	t0 = net->now;
	for (k = 0; k < 3; k++)
		ASSERT_EQ(GC_PUT_OK, put(net, 0, 50, k + 1, id[k]));
	for (k = 0; k < 3; k++)
		EXPECT_EQ(1, item_sends(net, 0, 0, id[k]));
	EXPECT_EQ(3, net->n[0].it.n_push);
	EXPECT_EQ(t0 + 200 * MS, gc_items_deadline(&net->n[0].it));

	/* (limit - fanout) / gossip_nodes rounds of 200 ms. */
	rounds = (limit - 1 + 1) / 2;
	for (r = 1; r <= rounds + 2; r++) {
		u32 since = net->nlog;

		ASSERT_TRUE(run_until(net, t0 + r * 200 * MS));
		for (k = 0; k < 3; k++) {
			u32 sent = item_sends(net, since, 0, id[k]);
			u32 want = r < rounds ? 2 : r == rounds ? limit - 1 - 2 * (rounds - 1) : 0;

			EXPECT_EQ(want, sent)
			{
				TH_LOG("round %u item %u", r, k);
			}
		}
		/* To distinct members within a round. */
		for (i = since; i < net->nlog; i++) {
			u32 i2;

			for (i2 = i + 1; i2 < net->nlog; i2++)
				if (!memcmp(net->log[i].id, net->log[i2].id, GC_ITEM_ID_LEN))
					EXPECT_NE(net->log[i].to, net->log[i2].to);
		}
	}
	for (k = 0; k < 3; k++)
		EXPECT_EQ(limit, item_sends(net, 0, 0, id[k]));
	EXPECT_EQ(0, net->n[0].it.n_push);
	/* Quiet from then on. */
	i = net->nlog;
	ASSERT_TRUE(run_for(net, 5000 * MS));
	EXPECT_EQ(i, net->nlog);
	net_free(net);
	EXPECT_EQ(0, leaks());
}

/* ---- five whole engines ---- */

struct enode {
	struct gc_engine *e;
	struct gc_addr addr;
	u32 held_events;
};

struct enet {
	struct enode n[5];
	struct pkt **q;
	u32 qlen, qcap;
	u64 now;
};

static struct enet *enet_cur;

static void e_send(void *ctx, const struct gc_addr *to, const u8 *pkt, size_t len)
{
	struct enet *net = enet_cur;
	struct pkt *p;
	int i, dst = -1;

	(void)ctx;
	for (i = 0; i < 5; i++)
		if (gc_addr_equal(&net->n[i].addr, to))
			dst = i;
	if (dst < 0)
		return;
	if (net->qlen == net->qcap) {
		net->qcap = net->qcap ? net->qcap * 2 : 256;
		net->q = realloc(net->q, net->qcap * sizeof(*net->q));
	}
	p = malloc(sizeof(*p) + len);
	p->to = dst;
	p->from = (int)((struct enode *)ctx - net->n);
	p->len = len;
	memcpy(p->data, pkt, len);
	net->q[net->qlen++] = p;
}

static void e_event(void *ctx, const struct gc_event *ev)
{
	(void)ctx;
	(void)ev;
}

static void e_item_event(void *ctx, const struct gc_item_ev *ev)
{
	if (ev->type == GC_IEV_HELD)
		((struct enode *)ctx)->held_events++;
}

static const struct gc_engine_ops e_ops = {
	.send = e_send, .event = e_event, .item_event = e_item_event};

static void e_run_for(struct enet *net, u64 us)
{
	u64 end = net->now + us;
	int i;

	for (;;) {
		u64 next = NEVER;

		while (net->qlen) {
			struct pkt **q = net->q;
			u32 n = net->qlen, k;

			net->q = NULL;
			net->qlen = 0;
			net->qcap = 0;
			for (k = 0; k < n; k++) {
				gc_engine_on_packet(net->n[q[k]->to].e, &net->n[q[k]->from].addr,
						    q[k]->data, q[k]->len, net->now);
				free(q[k]);
			}
			free(q);
		}
		for (i = 0; i < 5; i++) {
			u64 d = gc_engine_next_deadline(net->n[i].e);

			if (d < next)
				next = d;
		}
		if (next > end) {
			net->now = end;
			return;
		}
		if (next > net->now)
			net->now = next;
		for (i = 0; i < 5; i++)
			if (gc_engine_next_deadline(net->n[i].e) <= net->now)
				gc_engine_on_tick(net->n[i].e, net->now);
	}
}

TEST(item_reaches_all_five_engines)
{
	struct enet *net = calloc(1, sizeof(*net));
	struct gc_config cfg;
	const struct gc_item *item;
	u8 data[300];
	char name[16];
	int i, j;

	enet_cur = net;
	gc_config_default(&cfg);
	cfg.probe_interval_ms = 100;
	cfg.probe_timeout_ms = 50;
	cfg.gossip_interval_ms = 20;
	cfg.push_pull_interval_ms = 1000;
	net->now = 1000 * MS;
	for (i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "eng%d", i);
		net->n[i].addr = node_addr(i);
		net->n[i].e = gc_engine_new(&cfg, name, (u8)strlen(name), &net->n[i].addr, 7,
					    100 + i, net->now, &e_ops, &net->n[i]);
		ASSERT_NE(NULL, net->n[i].e);
	}
	for (i = 1; i < 5; i++)
		ASSERT_EQ(0, gc_engine_join(net->n[i].e, &net->n[0].addr, 1, net->now));
	e_run_for(net, 3000 * MS);
	for (i = 0; i < 5; i++)
		ASSERT_EQ(5, gc_engine_count(net->n[i].e, GC_MEMBER_ALIVE));

	fill(data, sizeof(data), 42);
	ASSERT_EQ(GC_PUT_OK,
		  gc_items_put(&net->n[2].e->items, 9, data, sizeof(data), net->now, &item));
	EXPECT_EQ(1, item->seq);
	e_run_for(net, 3000 * MS);
	for (i = 0; i < 5; i++) {
		const struct gc_item *got = gc_items_find(&net->n[i].e->items, item->id);

		ASSERT_NE(NULL, got);
		EXPECT_EQ(GC_SLOT_HELD, got->state);
		EXPECT_EQ(9, got->type);
		EXPECT_EQ(0, memcmp(got->data, data, sizeof(data)));
		EXPECT_EQ(1, net->n[i].held_events);
		EXPECT_EQ(i == 2 ? 0 : 1, got->hops > 0 ? 1 : 0);
		EXPECT_EQ(0, net->n[i].e->stats.rx_dropped[GC_WIRE_MALFORMED]);
	}
	for (i = 0; i < 5; i++)
		gc_engine_free(net->n[i].e);
	for (j = 0; j < (int)net->qlen; j++)
		free(net->q[j]);
	free(net->q);
	free(net);
	EXPECT_EQ(0, leaks());
}

/* ---- anti-entropy ---- */

/* Two nodes without pushes: P (node 0) starts the exchange. */
static struct net *pair(u32 pull_max)
{
	struct net *net = net_new(2);

	net->cfg.item_fanout = 0;
	net->cfg.item_retransmit_mult = 0;
	net->cfg.item_pull_max = pull_max;
	if (!node_start(net, 0, 1))
		return NULL;
	/* Q's exchanges come half a period later. */
	net->now += 500 * MS;
	if (!node_start(net, 1, 1))
		return NULL;
	net->now -= 500 * MS;
	return net;
}

TEST(anti_entropy_four_steps)
{
	struct net *net = pair(256);
	u32 i, i2;
	u64 q, t0;

	ASSERT_NE(NULL, net);
	t0 = net->now;
	for (q = 1; q <= 5; q++)
		ASSERT_EQ(GC_PUT_OK, put(net, 0, 100, (u32)q, NULL));
	for (q = 1; q <= 3; q++)
		ASSERT_EQ(GC_PUT_OK, put(net, 1, 100, (u32)(100 + q), NULL));
	/* No fanout, no retransmissions: nothing on the wire yet. */
	EXPECT_EQ(0, net->nlog);

	/* P's first exchange, at 1 s. */
	ASSERT_TRUE(run_until(net, t0 + 1000 * MS));
	EXPECT_EQ(0, net->bad_bodies);
	for (i = 0; i < net->nlog; i++)
		TH_LOG("%u: pkt %u %d->%d type %u flags %u seq %llu count %u", i, net->log[i].pkt,
		       net->log[i].from, net->log[i].to, net->log[i].type, net->log[i].flags,
		       (unsigned long long)net->log[i].seq, net->log[i].count);
	ASSERT_EQ(12, net->nlog);
	/* 1. P -> Q: its digest, asking for Q's. Only its own stream. */
	EXPECT_EQ(GC_MSG_DIGEST, net->log[0].type);
	EXPECT_EQ(0, net->log[0].from);
	EXPECT_EQ(GC_DIGEST_F_REQUEST, net->log[0].flags);
	ASSERT_EQ(1, net->log[0].count);
	EXPECT_STREQ("node0", net->log[0].e[0].origin);
	EXPECT_EQ(1, net->log[0].e[0].a);
	EXPECT_EQ(5, net->log[0].e[0].b);
	/* 2. Q -> P: what it wants, exactly the missing range... */
	EXPECT_EQ(GC_MSG_WANT, net->log[1].type);
	EXPECT_EQ(1, net->log[1].from);
	ASSERT_EQ(1, net->log[1].count);
	EXPECT_STREQ("node0", net->log[1].e[0].origin);
	EXPECT_EQ(1, net->log[1].e[0].a);
	EXPECT_EQ(5, net->log[1].e[0].b);
	/* ... then its own digest, not asking for more. */
	EXPECT_EQ(GC_MSG_DIGEST, net->log[2].type);
	EXPECT_EQ(1, net->log[2].from);
	EXPECT_EQ(0, net->log[2].flags);
	ASSERT_EQ(2, net->log[2].count);
	/* 3. P -> Q: the five items asked for, as answers, in one packet... */
	for (i = 3; i < 8; i++) {
		EXPECT_EQ(GC_MSG_ITEM, net->log[i].type);
		EXPECT_EQ(0, net->log[i].from);
		EXPECT_EQ(GC_ITEM_F_ANSWER, net->log[i].flags);
		EXPECT_EQ(i - 2, net->log[i].seq);
		EXPECT_EQ(net->log[3].pkt, net->log[i].pkt);
	}
	/* ... and what P wants of Q's stream. */
	EXPECT_EQ(GC_MSG_WANT, net->log[8].type);
	EXPECT_EQ(0, net->log[8].from);
	ASSERT_EQ(1, net->log[8].count);
	EXPECT_STREQ("node1", net->log[8].e[0].origin);
	EXPECT_EQ(1, net->log[8].e[0].a);
	EXPECT_EQ(3, net->log[8].e[0].b);
	/* 4. Q -> P: those three. */
	for (i = 9; i < 12; i++) {
		EXPECT_EQ(GC_MSG_ITEM, net->log[i].type);
		EXPECT_EQ(1, net->log[i].from);
		EXPECT_EQ(GC_ITEM_F_ANSWER, net->log[i].flags);
		EXPECT_EQ(i - 8, net->log[i].seq);
	}
	/* Six packets, no item twice. */
	EXPECT_EQ(6, net->npkts);
	for (i = 0; i < net->nlog; i++)
		for (i2 = i + 1; i2 < net->nlog; i2++)
			if (net->log[i].type == GC_MSG_ITEM && net->log[i2].type == GC_MSG_ITEM)
				EXPECT_NE(0,
					  memcmp(net->log[i].id, net->log[i2].id, GC_ITEM_ID_LEN));
	for (q = 1; q <= 5; q++)
		EXPECT_TRUE(held(net, 1, 0, q));
	for (q = 1; q <= 3; q++)
		EXPECT_TRUE(held(net, 0, 1, q));
	EXPECT_EQ(5, contig_of(net, 1, 0));
	EXPECT_EQ(3, contig_of(net, 0, 1));
	EXPECT_EQ(1, net->n[0].it.stats.digests_sent);
	EXPECT_EQ(0, net->n[1].it.stats.digests_sent);
	EXPECT_EQ(5, net->n[0].it.stats.served);
	EXPECT_EQ(3, net->n[1].it.stats.served);
	EXPECT_EQ(5, net->n[1].it.stats.wanted);
	EXPECT_EQ(3, net->n[0].it.stats.wanted);
	/* Answers are not pushed on. */
	EXPECT_EQ(0, net->n[0].it.n_push);
	EXPECT_EQ(0, net->n[1].it.n_push);

	/* Q's exchange at 1.5 s and P's at 2 s find nothing to ask: two
	 * messages each, a digest and the digest back.
	 */
	ASSERT_TRUE(run_until(net, t0 + 2000 * MS));
	EXPECT_EQ(16, net->nlog);
	EXPECT_EQ(4, count_msgs(net, 12, GC_MSG_DIGEST, -2, -2));
	EXPECT_EQ(GC_DIGEST_F_REQUEST, net->log[12].flags);
	EXPECT_EQ(1, net->log[12].from);
	EXPECT_EQ(0, net->log[13].flags);
	net_free(net);
	EXPECT_EQ(0, leaks());
}

/* Anti-entropy turned on (or made more frequent) while up starts within
 * the new interval, at the next tick the node gets for any reason.
 */
TEST(sync_interval_set_while_up)
{
	struct net *net = pair(256);
	u64 t0;

	ASSERT_NE(NULL, net);
	net->n[0].cfg.item_sync_ms = 0;
	net->n[1].cfg.item_sync_ms = 0;
	ASSERT_EQ(GC_PUT_OK, put(net, 0, 100, 1, NULL));
	ASSERT_TRUE(run_for(net, 5000 * MS));
	EXPECT_EQ(0, net->nlog);
	net->n[0].cfg.item_sync_ms = 1000;
	t0 = net->now;
	gc_items_tick(&net->n[0].it, net->now); /* the engine ticks for its probes */
	EXPECT_EQ(t0 + 1000 * MS, gc_items_deadline(&net->n[0].it));
	ASSERT_TRUE(run_for(net, 1000 * MS));
	EXPECT_TRUE(held(net, 1, 0, 1));
	net_free(net);
	EXPECT_EQ(0, leaks());
}

/* Asking is capped at item_pull_max items per round; the rest comes in the
 * next rounds, and nothing is asked twice.
 */
TEST(want_budget_caps_each_round)
{
	struct net *net = pair(10);
	u32 i;
	u64 q, t0;

	ASSERT_NE(NULL, net);
	t0 = net->now;
	for (q = 1; q <= 25; q++)
		ASSERT_EQ(GC_PUT_OK, put(net, 0, 40, (u32)q, NULL));
	/* 1 s: P's exchange; Q asks for 10. */
	ASSERT_TRUE(run_until(net, t0 + 1000 * MS));
	EXPECT_EQ(10, held_count(net, 1, 0));
	/* 1.5 s: Q's own exchange, with a new budget: 10 more. */
	ASSERT_TRUE(run_until(net, t0 + 1500 * MS));
	EXPECT_EQ(20, held_count(net, 1, 0));
	/* 2 s: P's exchange; Q's budget is spent. */
	ASSERT_TRUE(run_until(net, t0 + 2000 * MS));
	EXPECT_EQ(20, held_count(net, 1, 0));
	/* 2.5 s: the last 5. */
	ASSERT_TRUE(run_until(net, t0 + 2500 * MS));
	EXPECT_EQ(25, held_count(net, 1, 0));
	EXPECT_EQ(25, contig_of(net, 1, 0));
	EXPECT_EQ(25, net->n[1].it.stats.wanted);
	EXPECT_EQ(25, net->n[0].it.stats.served);
	/* The wants: 1-10, 11-20, 21-25. */
	{
		u64 want[3][2] = {{1, 10}, {11, 20}, {21, 25}};
		u32 k = 0;

		for (i = 0; i < net->nlog; i++) {
			if (net->log[i].type != GC_MSG_WANT)
				continue;
			ASSERT_LT(k, 3);
			EXPECT_EQ(1, net->log[i].count);
			EXPECT_EQ(want[k][0], net->log[i].e[0].a);
			EXPECT_EQ(want[k][1], net->log[i].e[0].b);
			k++;
		}
		EXPECT_EQ(3, k);
	}
	EXPECT_EQ(25, count_msgs(net, 0, GC_MSG_ITEM, 0, 1));
	net_free(net);
	EXPECT_EQ(0, leaks());
}

/* A node serves at most item_pull_max items per WANT, held ones only. */
TEST(serving_is_capped_per_want)
{
	struct net *net = pair(256);
	u8 body[256];
	struct gc_wbuf b = {.p = body, .cap = sizeof(body)};
	size_t start;
	u64 q;

	ASSERT_NE(NULL, net);
	net->n[0].cfg.item_pull_max = 4;
	for (q = 1; q <= 10; q++)
		ASSERT_EQ(GC_PUT_OK, put(net, 0, 40, (u32)q, NULL));
	/* A WANT of 1-10 and of the unknown seqs 11-20 (both within the span). */
	start = b.len;
	gc_begin_list(&b, GC_MSG_WANT, 0);
	gc_put_range_entry(&b, "node0", 5, 1, 1, 20);
	gc_end_list(&b, start, 1);
	ASSERT_FALSE(b.overflow);
	/* The answers go to the outside address: logged, not delivered. */
	inject(net, 0, body, b.len);
	EXPECT_EQ(4, count_msgs(net, 0, GC_MSG_ITEM, 0, -1));
	EXPECT_EQ(4, net->nlog);
	EXPECT_EQ(4, net->n[0].it.stats.served);
	for (q = 0; q < 4; q++) {
		EXPECT_EQ(q + 1, net->log[q].seq);
		EXPECT_EQ(GC_ITEM_F_ANSWER, net->log[q].flags);
	}
	net_free(net);
	EXPECT_EQ(0, leaks());
}

/* A node cut off while items are put and pushed catches up by
 * anti-entropy alone once its links come back.
 */
TEST(cut_off_node_catches_up_by_anti_entropy)
{
	struct net *net = net_new(5);
	u32 n = 0, k;
	u64 heal, t;
	int j;

	for (j = 0; j < 5; j++)
		ASSERT_TRUE(node_start(net, j, 1));
	cut_node(net, 4, true);
	for (k = 0; k < 40; k++) {
		ASSERT_EQ(GC_PUT_OK, put(net, (int)(k % 4), 200, k, NULL));
		ASSERT_TRUE(run_for(net, 50 * MS));
	}
	/* Let pushes run out. */
	ASSERT_TRUE(run_for(net, 5000 * MS));
	for (j = 0; j < 4; j++) {
		EXPECT_EQ(0, net->n[j].it.n_push);
		EXPECT_EQ(40, net->n[j].it.held);
	}
	EXPECT_EQ(0, net->n[4].it.held);
	heal = net->now;
	cut_node(net, 4, false);
	for (t = 0; net->n[4].it.held < 40 && t < 20; t++)
		ASSERT_TRUE(run_for(net, 1000 * MS));
	TH_LOG("caught up on 40 items in %llu ms", (unsigned long long)(net->now - heal) / 1000);
	EXPECT_EQ(40, net->n[4].it.held);
	for (j = 0; j < 4; j++) {
		EXPECT_EQ(10, held_count(net, 4, j));
		EXPECT_EQ(10, contig_of(net, 4, j));
	}
	EXPECT_EQ(0, count_ev(&net->n[4], GC_IEV_GAP));
	/* None of it by push: every item node 4 got was an answer. */
	for (k = 0; k < net->nlog; k++)
		if (net->log[k].type == GC_MSG_ITEM && net->log[k].to == 4 &&
		    net->log[k].t >= heal) {
			EXPECT_EQ(GC_ITEM_F_ANSWER, net->log[k].flags);
			n++;
		}
	EXPECT_EQ(40, n);
	net_free(net);
	EXPECT_EQ(0, leaks());
}

/* Without pushes at all, anti-entropy alone spreads every item to all. */
TEST(anti_entropy_alone_spreads_everything)
{
	struct net *net = net_new(5);
	u32 rounds = 0, k;
	int j;

	net->cfg.item_fanout = 0;
	net->cfg.item_retransmit_mult = 0;
	for (j = 0; j < 5; j++)
		ASSERT_TRUE(node_start(net, j, 1));
	for (k = 0; k < 30; k++)
		ASSERT_EQ(GC_PUT_OK, put(net, (int)(k % 3), 100, k, NULL));
	for (;;) {
		bool all = true;

		for (j = 0; j < 5; j++)
			all &= net->n[j].it.held == 30;
		if (all || rounds >= 30)
			break;
		ASSERT_TRUE(run_for(net, 1000 * MS));
		rounds++;
	}
	TH_LOG("30 items from 3 origins reached 5 nodes in %u sync rounds (%llu messages)", rounds,
	       (unsigned long long)net->nlog);
	for (j = 0; j < 5; j++)
		EXPECT_EQ(30, net->n[j].it.held);
	EXPECT_LE(rounds, 10);
	/* Every item sent was asked for, and each node took each item once.
	 * Two exchanges in one round may ask two peers for the same item:
	 * those copies are the duplicates.
	 */
	EXPECT_EQ(SUM(net, served), count_msgs(net, 0, GC_MSG_ITEM, -2, -2));
	EXPECT_EQ(4 * 30, SUM(net, new_items));
	EXPECT_EQ(SUM(net, served) - 4 * 30, SUM(net, duplicate));
	EXPECT_EQ(SUM(net, wanted), SUM(net, served));
	TH_LOG("%llu items served, %llu of them copies", (unsigned long long)SUM(net, served),
	       (unsigned long long)SUM(net, duplicate));
	EXPECT_EQ(0, net->bad_bodies);
	net_free(net);
	EXPECT_EQ(0, leaks());
}

/* A digest or a want longer than a packet goes in chunks: only the first
 * digest chunk asks for the peer's, which is sent once.
 */
TEST(digest_and_wants_in_chunks)
{
	struct net *net = net_new(2);
	static u8 body[GC_MAX_MTU];
	u32 i, chunks = 0, entries = 0, wants = 0, want_entries = 0;
	char origin[64];
	u8 data[20];
	size_t len;

	net->cfg.item_fanout = 0;
	net->cfg.item_retransmit_mult = 0;
	net->cfg.item_sync_ms = 0;
	ASSERT_TRUE(node_start(net, 0, 1));
	ASSERT_TRUE(node_start(net, 1, 1));
	for (i = 0; i < 120; i++) {
		snprintf(origin, sizeof(origin), "origin-with-a-rather-long-name-%03u", i);
		fill(data, sizeof(data), i);
		len = item_body(body, sizeof(body), origin, 1, 1, data, sizeof(data), NULL, 0);
		inject(net, 1, body, len);
	}
	ASSERT_EQ(121, net->n[1].it.n_streams);
	ASSERT_EQ(0, net->nlog);
	net->n[1].cfg.item_sync_ms = 1000;
	net->n[1].it.next_sync_us = net->now;
	ASSERT_TRUE(run_for(net, 10 * MS));
	EXPECT_EQ(0, net->bad_bodies);
	for (i = 0; i < net->nlog; i++) {
		const struct wmsg *w = &net->log[i];

		if (w->type == GC_MSG_DIGEST && w->from == 1) {
			EXPECT_EQ(chunks ? 0 : GC_DIGEST_F_REQUEST, w->flags);
			chunks++;
			entries += w->count;
		}
		if (w->type == GC_MSG_WANT && w->from == 0) {
			wants++;
			want_entries += w->count;
		}
	}
	TH_LOG("121 streams: %u digest chunks, %u want chunks", chunks, wants);
	EXPECT_LT(1, chunks);
	EXPECT_EQ(121, entries);
	EXPECT_LT(1, wants);
	EXPECT_EQ(120, want_entries);
	/* One answer digest, in one packet. */
	EXPECT_EQ(1, count_msgs(net, 0, GC_MSG_DIGEST, 0, 1));
	EXPECT_EQ(120, net->n[0].it.held);
	EXPECT_EQ(120, count_msgs(net, 0, GC_MSG_ITEM, 1, 0));
	net_free(net);
	EXPECT_EQ(0, leaks());
}

/* ---- windows and gaps ---- */

TEST(window_evicts_oldest_by_count)
{
	struct net *net = net_new(2);
	const struct gc_stream *s;
	u8 id[20][GC_ITEM_ID_LEN];
	u64 q;

	net->cfg.item_fanout = 1;
	net->cfg.item_retransmit_mult = 0;
	net->cfg.item_sync_ms = 0;
	net->cfg.item_window = 8;
	ASSERT_TRUE(node_start(net, 0, 1));
	ASSERT_TRUE(node_start(net, 1, 1));
	for (q = 1; q <= 20; q++) {
		ASSERT_EQ(GC_PUT_OK, put(net, 0, 64, (u32)q, id[q - 1]));
		ASSERT_TRUE(run_for(net, 10 * MS));
	}
	for (q = 1; q <= 20; q++) {
		bool in = q > 12;
		int j;

		for (j = 0; j < 2; j++)
			EXPECT_EQ(in, gc_items_find(&net->n[j].it, id[q - 1]) != NULL);
	}
	s = stream_of(&net->n[1].it, "node0", 1);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(13, s->low);
	EXPECT_EQ(20, s->contig);
	EXPECT_EQ(20, s->max);
	EXPECT_EQ(8, s->held);
	EXPECT_EQ(8 * 64, s->bytes);
	EXPECT_EQ(12, net->n[1].it.stats.evicted);
	EXPECT_EQ(12, net->n[0].it.stats.evicted);
	EXPECT_EQ(8 * 64, net->n[1].it.mem);
	/* Everything evicted had been held: no gap. */
	EXPECT_EQ(0, count_ev(&net->n[1], GC_IEV_GAP));
	EXPECT_EQ(NULL, gc_stream_slot(s, 12));
	net_free(net);
	EXPECT_EQ(0, leaks());
}

TEST(window_evicts_oldest_by_bytes)
{
	struct net *net = net_new(2);
	const struct gc_stream *s;
	u8 id[12][GC_ITEM_ID_LEN];
	u64 q;
	int j;

	net->cfg.item_fanout = 1;
	net->cfg.item_retransmit_mult = 0;
	net->cfg.item_sync_ms = 0;
	net->cfg.item_max_bytes = 256;
	net->cfg.item_window_bytes = 1024;
	ASSERT_EQ(NULL, gc_config_check(&net->cfg));
	ASSERT_TRUE(node_start(net, 0, 1));
	ASSERT_TRUE(node_start(net, 1, 1));
	for (q = 1; q <= 12; q++) {
		ASSERT_EQ(GC_PUT_OK, put(net, 0, 200, (u32)q, id[q - 1]));
		ASSERT_TRUE(run_for(net, 10 * MS));
		for (j = 0; j < 2; j++)
			EXPECT_LE(net->n[j].it.mem, 1024);
	}
	/* 5 of 200 bytes fit 1024: 8 to 12. */
	for (q = 1; q <= 12; q++)
		for (j = 0; j < 2; j++)
			EXPECT_EQ(q >= 8, gc_items_find(&net->n[j].it, id[q - 1]) != NULL);
	for (j = 0; j < 2; j++) {
		s = stream_of(&net->n[j].it, "node0", 1);
		ASSERT_NE(NULL, s);
		EXPECT_EQ(8, s->low);
		EXPECT_EQ(12, s->contig);
		EXPECT_EQ(5, s->held);
		EXPECT_EQ(1000, s->bytes);
		EXPECT_EQ(7, net->n[j].it.stats.evicted);
		EXPECT_EQ(0, count_ev(&net->n[j], GC_IEV_GAP));
	}
	/* A bigger item pushes out as many as it takes. */
	ASSERT_EQ(GC_PUT_OK, put(net, 0, 256, 99, NULL));
	ASSERT_TRUE(run_for(net, 10 * MS));
	s = stream_of(&net->n[1].it, "node0", 1);
	EXPECT_EQ(10, s->low);
	EXPECT_EQ(3 * 200 + 256, s->bytes);
	net_free(net);
	EXPECT_EQ(0, leaks());
}

/* The byte window is a soft bound in one case: an item that arrives late
 * for the window's first seq has nothing older to push out, and is kept
 * over the bound by its own size; the next newer item restores it.
 */
TEST(late_item_at_window_start)
{
	struct net *net = net_new(1);
	static u8 data[1000], body[2048];
	const struct gc_stream *s;
	size_t len;
	u64 q;

	net->cfg.item_max_bytes = 1000;
	net->cfg.item_window_bytes = 2000;
	net->cfg.item_sync_ms = 0;
	ASSERT_TRUE(node_start(net, 0, 1));
	for (q = 2; q <= 3; q++) {
		fill(data, sizeof(data), (u32)q);
		len = item_body(body, sizeof(body), "far", 1, q, data, sizeof(data), NULL, 0);
		inject(net, 0, body, len);
	}
	s = stream_of(&net->n[0].it, "far", 1);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(2000, s->bytes);
	EXPECT_EQ(1, s->low);
	/* Seq 1 comes last. */
	fill(data, sizeof(data), 1);
	len = item_body(body, sizeof(body), "far", 1, 1, data, sizeof(data), NULL, 0);
	inject(net, 0, body, len);
	EXPECT_EQ(3000, s->bytes);
	EXPECT_EQ(3, s->held);
	EXPECT_EQ(3, s->contig);
	/* Seq 4 pushes out 1 and 2. */
	fill(data, sizeof(data), 4);
	len = item_body(body, sizeof(body), "far", 1, 4, data, sizeof(data), NULL, 0);
	inject(net, 0, body, len);
	EXPECT_EQ(2000, s->bytes);
	EXPECT_EQ(3, s->low);
	EXPECT_EQ(0, count_ev(&net->n[0], GC_IEV_GAP));
	net_free(net);
	EXPECT_EQ(0, leaks());
}

/* A peer whose window starts past what we hold: the seqs between are
 * reported lost (one GAP event), marked so, and contig moves past them.
 */
TEST(gap_beyond_peer_window)
{
	struct net *net = net_new(2);
	const struct gc_stream *s;
	u32 since;
	u64 q;

	net->cfg.item_fanout = 1;
	net->cfg.item_retransmit_mult = 0;
	net->cfg.item_sync_ms = 0;
	ASSERT_TRUE(node_start(net, 0, 1));
	ASSERT_TRUE(node_start(net, 1, 1));
	net->n[0].cfg.item_window = 8;
	for (q = 1; q <= 3; q++)
		ASSERT_EQ(GC_PUT_OK, put(net, 0, 64, (u32)q, NULL));
	ASSERT_TRUE(run_for(net, 10 * MS));
	EXPECT_EQ(3, held_count(net, 1, 0));
	cut_node(net, 1, true);
	for (q = 4; q <= 20; q++)
		ASSERT_EQ(GC_PUT_OK, put(net, 0, 64, (u32)q, NULL));
	cut_node(net, 1, false);
	/* P's window is now 13-20. Its digest reaches Q. */
	net->n[0].cfg.item_sync_ms = 1000;
	net->n[0].it.next_sync_us = net->now;
	since = net->nlog;
	ASSERT_TRUE(run_for(net, 10 * MS));
	EXPECT_EQ(1, count_ev(&net->n[1], GC_IEV_GAP));
	{
		const struct iev *ev = NULL;
		u32 i;

		for (i = 0; i < net->n[1].nev; i++)
			if (net->n[1].ev[i].type == GC_IEV_GAP)
				ev = &net->n[1].ev[i];
		ASSERT_NE(NULL, ev);
		EXPECT_STREQ("node0", ev->origin);
		EXPECT_EQ(1, ev->boot);
		EXPECT_EQ(4, ev->from);
		EXPECT_EQ(12, ev->to);
	}
	for (q = 4; q <= 12; q++)
		EXPECT_EQ(GC_SLOT_LOST, slot_state(net, 1, 0, 1, q));
	EXPECT_EQ(9, net->n[1].it.stats.lost);
	/* It asked only for what P still has, and got it. */
	ASSERT_EQ(1, count_msgs(net, since, GC_MSG_WANT, 1, 0));
	for (q = since; q < net->nlog; q++)
		if (net->log[q].type == GC_MSG_WANT) {
			EXPECT_EQ(13, net->log[q].e[0].a);
			EXPECT_EQ(20, net->log[q].e[0].b);
		}
	s = stream_of(&net->n[1].it, "node0", 1);
	EXPECT_EQ(20, s->contig);
	EXPECT_EQ(3 + 8, s->held);
	/* A lost seq arriving after all is a copy: not taken. */
	EXPECT_EQ(GC_SLOT_LOST, slot_state(net, 1, 0, 1, 5));
	net_free(net);
	EXPECT_EQ(0, leaks());
}

/* A stream first heard of in a digest whose window starts late: what came
 * before is reported as one gap.
 */
TEST(new_stream_from_digest_reports_history)
{
	struct net *net = pair(256);
	const struct gc_stream *s;
	u64 q;

	ASSERT_NE(NULL, net);
	net->n[0].cfg.item_window = 4;
	for (q = 1; q <= 10; q++)
		ASSERT_EQ(GC_PUT_OK, put(net, 0, 64, (u32)q, NULL));
	ASSERT_TRUE(run_for(net, 1000 * MS));
	ASSERT_EQ(1, count_ev(&net->n[1], GC_IEV_GAP));
	EXPECT_EQ(1, net->n[1].ev[0].from);
	EXPECT_EQ(6, net->n[1].ev[0].to);
	s = stream_of(&net->n[1].it, "node0", 1);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(7, s->low);
	EXPECT_EQ(10, s->contig);
	EXPECT_EQ(4, s->held);
	net_free(net);
	EXPECT_EQ(0, leaks());
}

/* ---- fragments ---- */

static void big_item_travels(struct __test_metadata *_metadata, u32 mtu, bool shuffle)
{
	struct net *net = net_new(2);
	const struct gc_item *got;
	u16 unit;
	u32 frags, i;
	u8 id[GC_ITEM_ID_LEN];

	net->cfg.mtu = mtu;
	net->cfg.item_max_bytes = GC_ITEM_MAX_LEN;
	net->cfg.item_window_bytes = 4 * GC_ITEM_MAX_LEN;
	net->cfg.item_fanout = 1;
	net->cfg.item_retransmit_mult = 0;
	net->cfg.item_sync_ms = 0;
	ASSERT_EQ(NULL, gc_config_check(&net->cfg));
	ASSERT_TRUE(node_start(net, 0, 1));
	ASSERT_TRUE(node_start(net, 1, 1));
	net->shuffle = shuffle;
	ASSERT_EQ(GC_PUT_OK, put(net, 0, GC_ITEM_MAX_LEN, 5, id));
	unit = gc_item_frag_room(mtu - GC_SEAL_OVERHEAD, 5);
	ASSERT_NE(0, unit);
	EXPECT_EQ(0, unit % GC_FRAG_UNIT);
	frags = (GC_ITEM_MAX_LEN + unit - 1) / unit;
	TH_LOG("mtu %u: fragments of %u bytes, %u packets", mtu, unit, frags);
	ASSERT_EQ(frags, net->nlog);
	EXPECT_EQ(frags, net->npkts);
	for (i = 0; i < frags; i++) {
		EXPECT_EQ(i * unit, net->log[i].off);
		EXPECT_EQ(GC_ITEM_MAX_LEN, net->log[i].total);
	}
	EXPECT_EQ(0, net->bad_bodies);
	ASSERT_TRUE(run_for(net, 10 * MS));
	got = gc_items_find(&net->n[1].it, id);
	ASSERT_NE(NULL, got);
	EXPECT_EQ(GC_SLOT_HELD, got->state);
	EXPECT_EQ(GC_ITEM_MAX_LEN, got->len);
	EXPECT_EQ(0, memcmp(got->data, gc_items_find(&net->n[0].it, id)->data, GC_ITEM_MAX_LEN));
	/* The reassembly buffer is gone; only the item counts. */
	EXPECT_EQ(GC_ITEM_MAX_LEN, net->n[1].it.mem);
	for (i = 0; i < GC_REASM_MAX; i++)
		EXPECT_FALSE(net->n[1].it.reasm[i].used);
	EXPECT_EQ(1, net->n[1].it.stats.new_items);
	/* Another copy, fragment by fragment, is one duplicate. */
	net->n[1].it.stats.duplicate = 0;
	{
		const struct gc_item *own = gc_items_find(&net->n[0].it, id);
		static u8 body[GC_MAX_MTU];
		struct gc_wbuf b;
		u32 off;

		for (off = 0; off < GC_ITEM_MAX_LEN; off += unit) {
			u16 n = GC_ITEM_MAX_LEN - off < unit ? GC_ITEM_MAX_LEN - off : unit;

			b = (struct gc_wbuf){.p = body, .cap = sizeof(body)};
			gc_put_item(&b, 0, 0, 0, 1, 1, "node0", 5, id, GC_ITEM_MAX_LEN, (u16)off,
				    own->data + off, n);
			inject(net, 1, body, b.len);
		}
	}
	EXPECT_EQ(1, net->n[1].it.stats.duplicate);
	EXPECT_EQ(GC_ITEM_MAX_LEN, net->n[1].it.mem);
	net_free(net);
	EXPECT_EQ(0, leaks());
}

TEST(fragments_mtu_1400)
{
	big_item_travels(_metadata, 1400, false);
}

TEST(fragments_mtu_512)
{
	big_item_travels(_metadata, 512, false);
}

TEST(fragments_out_of_order)
{
	big_item_travels(_metadata, 512, true);
}

/* Sizes around the fragment boundaries: one byte less and more than a
 * packet holds, and a last fragment of one byte.
 */
TEST(fragment_boundaries)
{
	struct net *net = net_new(2);
	u16 room, sizes[5];
	u32 k;

	net->cfg.mtu = 512;
	net->cfg.item_max_bytes = 4096;
	net->cfg.item_window_bytes = 65536;
	net->cfg.item_fanout = 1;
	net->cfg.item_retransmit_mult = 0;
	net->cfg.item_sync_ms = 0;
	ASSERT_TRUE(node_start(net, 0, 1));
	ASSERT_TRUE(node_start(net, 1, 1));
	/* What fits one packet whole. */
	room = (u16)(512 - GC_SEAL_OVERHEAD - GC_MSG_HDR_LEN - GC_ITEM_HDR_LEN - 5);
	sizes[0] = room;
	sizes[1] = room + 1;
	sizes[2] = 2 * 256 + 1;
	sizes[3] = 1;
	sizes[4] = 4096;
	for (k = 0; k < 5; k++) {
		u8 id[GC_ITEM_ID_LEN];
		u32 since = net->nlog;

		ASSERT_EQ(GC_PUT_OK, put(net, 0, sizes[k], k, id));
		ASSERT_TRUE(run_for(net, 10 * MS));
		EXPECT_NE(NULL, gc_items_find(&net->n[1].it, id));
		EXPECT_EQ(sizes[k] <= room ? 1 : (sizes[k] + 255) / 256,
			  count_msgs(net, since, GC_MSG_ITEM, 0, 1));
	}
	EXPECT_EQ(0, net->bad_bodies);
	EXPECT_EQ(5, net->n[1].it.held);
	net_free(net);
	EXPECT_EQ(0, leaks());
}

TEST(missing_fragment_dropped_after_pending_ms)
{
	struct net *net = net_new(2);
	u8 id[GC_ITEM_ID_LEN];
	u64 mem0, t0;
	u32 i;

	net->cfg.mtu = 1400;
	net->cfg.item_max_bytes = GC_ITEM_MAX_LEN;
	net->cfg.item_window_bytes = GC_ITEM_MAX_LEN;
	net->cfg.item_fanout = 1;
	net->cfg.item_retransmit_mult = 0;
	net->cfg.item_sync_ms = 0;
	net->cfg.item_pending_ms = 3000;
	ASSERT_TRUE(node_start(net, 0, 1));
	ASSERT_TRUE(node_start(net, 1, 1));
	mem0 = net->n[1].it.mem;
	net->drop_item = 7; /* the 8th fragment */
	t0 = net->now;
	ASSERT_EQ(GC_PUT_OK, put(net, 0, GC_ITEM_MAX_LEN, 5, id));
	ASSERT_TRUE(run_for(net, 10 * MS));
	EXPECT_EQ(NULL, gc_items_find(&net->n[1].it, id));
	EXPECT_EQ(mem0 + GC_ITEM_MAX_LEN, net->n[1].it.mem);
	EXPECT_EQ(t0 + 3000 * MS, gc_items_deadline(&net->n[1].it));
	ASSERT_TRUE(run_until(net, t0 + 3000 * MS - 1));
	EXPECT_EQ(0, net->n[1].it.stats.frags_dropped);
	ASSERT_TRUE(run_until(net, t0 + 3000 * MS));
	EXPECT_EQ(1, net->n[1].it.stats.frags_dropped);
	EXPECT_EQ(mem0, net->n[1].it.mem);
	for (i = 0; i < GC_REASM_MAX; i++)
		EXPECT_FALSE(net->n[1].it.reasm[i].used);
	EXPECT_EQ(0, net->n[1].it.held);
	EXPECT_EQ(0, net->n[1].it.stats.new_items);
	/* Anti-entropy brings it whole later. */
	net->n[0].it.next_sync_us = net->now;
	net->n[0].cfg.item_sync_ms = 1000;
	ASSERT_TRUE(run_for(net, 10 * MS));
	EXPECT_NE(NULL, gc_items_find(&net->n[1].it, id));
	net_free(net);
	EXPECT_EQ(0, leaks());
}

/* Fragments of more items than there are reassembly buffers: the extra
 * ones are dropped and counted, the others complete.
 */
TEST(reassembly_buffers_are_bounded)
{
	struct net *net = net_new(2);
	static u8 data[2048], body[GC_MAX_MTU];
	u8 id[GC_ITEM_ID_LEN];
	struct gc_wbuf b;
	u32 k;

	net->cfg.item_max_bytes = 2048;
	net->cfg.item_sync_ms = 0;
	ASSERT_TRUE(node_start(net, 0, 1));
	ASSERT_TRUE(node_start(net, 1, 1));
	for (k = 0; k < GC_REASM_MAX + 2; k++) {
		fill(data, sizeof(data), k);
		gc_sha256(data, sizeof(data), id);
		b = (struct gc_wbuf){.p = body, .cap = sizeof(body)};
		gc_put_item(&b, 0, 0, 0, 3, k + 1, "other", 5, id, sizeof(data), 0, data, 1024);
		inject(net, 1, body, b.len);
	}
	EXPECT_EQ(2, net->n[1].it.stats.frags_dropped);
	EXPECT_EQ(GC_REASM_MAX * 2048, net->n[1].it.mem);
	/* The second halves complete the first 16. */
	for (k = 0; k < GC_REASM_MAX + 2; k++) {
		fill(data, sizeof(data), k);
		gc_sha256(data, sizeof(data), id);
		b = (struct gc_wbuf){.p = body, .cap = sizeof(body)};
		gc_put_item(&b, 0, 0, 0, 3, k + 1, "other", 5, id, sizeof(data), 1024, data + 1024,
			    1024);
		inject(net, 1, body, b.len);
	}
	EXPECT_EQ(GC_REASM_MAX, net->n[1].it.held);
	/* The last two's second halves took the buffers freed meanwhile. */
	EXPECT_EQ(2, net->n[1].it.stats.frags_dropped);
	EXPECT_EQ((GC_REASM_MAX + 2) * 2048, net->n[1].it.mem);
	ASSERT_TRUE(run_for(net, 5000 * MS));
	EXPECT_EQ(4, net->n[1].it.stats.frags_dropped);
	EXPECT_EQ(GC_REASM_MAX * 2048, net->n[1].it.mem);
	net_free(net);
	EXPECT_EQ(0, leaks());
}

/* ---- untrusted items ---- */

TEST(bad_id_conflict_and_own_stream)
{
	struct net *net = net_new(2);
	static u8 body[GC_MAX_MTU];
	u8 data[100], other[100], wrong[GC_ITEM_ID_LEN], id[GC_ITEM_ID_LEN];
	size_t len;

	net->cfg.item_fanout = 1;
	net->cfg.item_retransmit_mult = 0;
	net->cfg.item_sync_ms = 0;
	ASSERT_TRUE(node_start(net, 0, 1));
	ASSERT_TRUE(node_start(net, 1, 1));
	fill(data, sizeof(data), 1);
	fill(other, sizeof(other), 2);

	/* Content that does not hash to its id: counted, nothing stored. */
	memset(wrong, 0xab, sizeof(wrong));
	len = item_body(body, sizeof(body), "node9", 1, 1, data, sizeof(data), wrong, 0);
	inject(net, 1, body, len);
	EXPECT_EQ(1, net->n[1].it.stats.bad_id);
	EXPECT_EQ(1, net->n[1].it.n_streams); /* not even the stream */
	EXPECT_EQ(0, net->n[1].it.mem);
	EXPECT_EQ(0, net->n[1].nev);

	/* A held item, then another under its (stream, seq): a conflict. */
	ASSERT_EQ(GC_PUT_OK, put(net, 0, sizeof(data), 1, id));
	ASSERT_TRUE(run_for(net, 10 * MS));
	ASSERT_TRUE(held(net, 1, 0, 1));
	len = item_body(body, sizeof(body), "node0", 1, 1, other, sizeof(other), NULL, 0);
	inject(net, 1, body, len);
	EXPECT_EQ(1, net->n[1].it.stats.conflict);
	EXPECT_EQ(0, memcmp(gc_items_find(&net->n[1].it, id)->data, data, sizeof(data)));
	gc_sha256(other, sizeof(other), wrong);
	EXPECT_EQ(NULL, gc_items_find(&net->n[1].it, wrong));
	/* The same one again: a duplicate. */
	len = item_body(body, sizeof(body), "node0", 1, 1, data, sizeof(data), NULL, 0);
	inject(net, 1, body, len);
	EXPECT_EQ(1, net->n[1].it.stats.duplicate);

	/* Items claiming node 1's own live stream are not stored. */
	len = item_body(body, sizeof(body), "node1", 1, 1, other, sizeof(other), NULL, 0);
	inject(net, 1, body, len);
	len = item_body(body, sizeof(body), "node1", 1, 7, other, sizeof(other), NULL, 0);
	inject(net, 1, body, len);
	EXPECT_EQ(NULL, gc_items_find(&net->n[1].it, wrong));
	EXPECT_EQ(0, stream_of(&net->n[1].it, "node1", 1)->max);
	EXPECT_EQ(3, net->n[1].it.stats.duplicate);
	/* Its own put later takes seq 1 as usual. */
	ASSERT_EQ(GC_PUT_OK, put(net, 1, 10, 3, NULL));
	EXPECT_EQ(1, stream_of(&net->n[1].it, "node1", 1)->max);
	/* ... and a different item claiming it is a conflict. */
	len = item_body(body, sizeof(body), "node1", 1, 1, other, sizeof(other), NULL, 0);
	inject(net, 1, body, len);
	EXPECT_EQ(2, net->n[1].it.stats.conflict);
	/* An item over this node's item_max_bytes is dropped. */
	net->n[1].cfg.item_max_bytes = 50;
	len = item_body(body, sizeof(body), "node7", 1, 1, other, sizeof(other), NULL, 0);
	inject(net, 1, body, len);
	EXPECT_EQ(1, net->n[1].it.stats.dropped);
	EXPECT_EQ(NULL, stream_of(&net->n[1].it, "node7", 1));
	net_free(net);
	EXPECT_EQ(0, leaks());
}

/* Sequence numbers at the top of what the wire allows work as any other. */
TEST(highest_sequence_numbers)
{
	struct net *net = net_new(2);
	static u8 body[GC_MAX_MTU];
	struct gc_wbuf b;
	const struct gc_stream *s;
	u8 data[16];
	size_t len, start;
	u64 top = GC_ITEM_SEQ_MAX;

	net->cfg.item_sync_ms = 0;
	ASSERT_TRUE(node_start(net, 0, 1));
	ASSERT_TRUE(node_start(net, 1, 1));
	fill(data, sizeof(data), 1);
	len = item_body(body, sizeof(body), "far", 1, top, data, sizeof(data), NULL, 0);
	inject(net, 1, body, len);
	s = stream_of(&net->n[1].it, "far", 1);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(top, s->max);
	EXPECT_EQ(top - net->cfg.item_window + 1, s->low);
	EXPECT_EQ(1, s->held);
	/* A digest of a window far below it changes nothing, and asks nothing. */
	b = (struct gc_wbuf){.p = body, .cap = sizeof(body)};
	start = b.len;
	gc_begin_list(&b, GC_MSG_DIGEST, 0);
	gc_put_range_entry(&b, "far", 3, 1, top / 2, top / 2 + 3);
	gc_end_list(&b, start, 1);
	len = net->nlog;
	inject(net, 1, body, b.len);
	EXPECT_EQ(len, net->nlog);
	EXPECT_EQ(top, s->max);
	EXPECT_EQ(1, s->held);
	/* One that holds all of it up to the top: asked for, as it goes. */
	b = (struct gc_wbuf){.p = body, .cap = sizeof(body)};
	gc_begin_list(&b, GC_MSG_DIGEST, 0);
	gc_put_range_entry(&b, "far", 3, 1, top - 1023, top);
	gc_end_list(&b, 0, 1);
	inject(net, 1, body, b.len);
	ASSERT_EQ(len + 1, net->nlog);
	EXPECT_EQ(GC_MSG_WANT, net->log[len].type);
	EXPECT_EQ(top - 1023, net->log[len].e[0].a);
	EXPECT_EQ(top - 1023 + 255, net->log[len].e[0].b);
	/* Every item of the window but the last, then the digest: contig top. */
	for (len = 1; len < net->cfg.item_window; len++) {
		size_t n;

		fill(data, sizeof(data), (u32)len + 7);
		n = item_body(body, sizeof(body), "far", 1, top - len, data, sizeof(data), NULL, 0);
		inject(net, 1, body, n);
	}
	EXPECT_EQ(top, s->contig);
	b = (struct gc_wbuf){.p = body, .cap = sizeof(body)};
	gc_begin_list(&b, GC_MSG_DIGEST, GC_DIGEST_F_REQUEST);
	gc_put_range_entry(&b, "far", 3, 1, top / 2, top / 2 - 1);
	gc_end_list(&b, 0, 1);
	inject(net, 1, body, b.len);
	EXPECT_EQ(top, s->contig);
	EXPECT_EQ(net->cfg.item_window, s->held);
	/* A WANT up to the top is served. */
	b = (struct gc_wbuf){.p = body, .cap = sizeof(body)};
	gc_begin_list(&b, GC_MSG_WANT, 0);
	gc_put_range_entry(&b, "far", 3, 1, top - 2, top);
	gc_end_list(&b, 0, 1);
	len = net->nlog;
	inject(net, 1, body, b.len);
	EXPECT_EQ(3, count_msgs(net, (u32)len, GC_MSG_ITEM, 1, -1));
	net_free(net);
	EXPECT_EQ(0, leaks());
}

/* ---- verify before forward ---- */

/* Three nodes; node 1 has a verifier. Node 0 puts one item. */
static struct net *verify_net(u8 *id)
{
	struct net *net = net_new(3);
	int j;

	net->cfg.item_fanout = 2;
	net->cfg.item_retransmit_mult = 0;
	net->cfg.item_sync_ms = 0;
	for (j = 0; j < 3; j++)
		if (!node_start(net, j, 1))
			return NULL;
	gc_items_set_verifier(&net->n[1].it, true);
	if (put(net, 0, 100, 1, id))
		return NULL;
	if (!run_for(net, 10 * MS))
		return NULL;
	return net;
}

TEST(pending_is_neither_forwarded_nor_served)
{
	u8 id[GC_ITEM_ID_LEN], body[256];
	struct gc_wbuf b = {.p = body, .cap = sizeof(body)};
	struct net *net = verify_net(id);
	const struct gc_item *item;

	ASSERT_NE(NULL, net);
	item = gc_items_find(&net->n[1].it, id);
	ASSERT_NE(NULL, item);
	EXPECT_EQ(GC_SLOT_PENDING, item->state);
	EXPECT_EQ(1, count_ev_id(&net->n[1], GC_IEV_PENDING, id));
	EXPECT_EQ(0, count_ev(&net->n[1], GC_IEV_HELD));
	/* Node 2 forwarded it (to 0 and 1); node 1 sent nothing. */
	EXPECT_EQ(0, count_msgs(net, 0, GC_MSG_ITEM, 1, -2));
	EXPECT_EQ(2, count_msgs(net, 0, GC_MSG_ITEM, 2, -2));
	/* The copy from node 2 made no second PENDING event. */
	EXPECT_EQ(1, count_ev(&net->n[1], GC_IEV_PENDING));
	EXPECT_EQ(1, net->n[1].it.stats.duplicate);
	EXPECT_EQ(1, net->n[1].it.n_pending);
	EXPECT_EQ(0, contig_of(net, 1, 0));
	/* A WANT for it gets nothing. */
	gc_begin_list(&b, GC_MSG_WANT, 0);
	gc_put_range_entry(&b, "node0", 5, 1, 1, 1);
	gc_end_list(&b, 0, 1);
	inject(net, 1, body, b.len);
	EXPECT_EQ(0, count_msgs(net, 0, GC_MSG_ITEM, 1, -2));
	EXPECT_EQ(0, net->n[1].it.stats.served);
	/* Its digest does not claim it. */
	b = (struct gc_wbuf){.p = body, .cap = sizeof(body)};
	gc_begin_list(&b, GC_MSG_DIGEST, GC_DIGEST_F_REQUEST);
	gc_put_range_entry(&b, "node9", 5, 1, 1, 0);
	gc_end_list(&b, 0, 1);
	inject(net, 1, body, b.len);
	ASSERT_EQ(GC_MSG_DIGEST, net->log[net->nlog - 1].type);
	ASSERT_EQ(2, net->log[net->nlog - 1].count);
	EXPECT_STREQ("node0", net->log[net->nlog - 1].e[1].origin);
	EXPECT_EQ(1, net->log[net->nlog - 1].e[1].a);
	EXPECT_EQ(0, net->log[net->nlog - 1].e[1].b);
	EXPECT_EQ(0, count_msgs(net, 0, GC_MSG_ITEM, 1, -2));
	net_free(net);
	EXPECT_EQ(0, leaks());
}

TEST(accept_holds_and_pushes)
{
	u8 id[GC_ITEM_ID_LEN];
	struct net *net = verify_net(id);
	u32 since;

	ASSERT_NE(NULL, net);
	since = net->nlog;
	EXPECT_EQ(0, gc_items_verdict(&net->n[1].it, id, true, net->now));
	EXPECT_EQ(GC_SLOT_HELD, gc_items_find(&net->n[1].it, id)->state);
	EXPECT_EQ(1, count_ev_id(&net->n[1], GC_IEV_HELD, id));
	EXPECT_EQ(1, contig_of(net, 1, 0));
	EXPECT_EQ(0, net->n[1].it.n_pending);
	/* Pushed at once to the fanout. */
	EXPECT_EQ(2, count_msgs(net, since, GC_MSG_ITEM, 1, -2));
	EXPECT_EQ(1, net->n[1].it.stats.accepted);
	/* No second verdict. */
	EXPECT_EQ(-1, gc_items_verdict(&net->n[1].it, id, true, net->now));
	EXPECT_EQ(-1, gc_items_verdict(&net->n[1].it, id, false, net->now));
	net_free(net);
	EXPECT_EQ(0, leaks());
}

TEST(reject_is_remembered)
{
	u8 id[GC_ITEM_ID_LEN], body[512];
	struct net *net = verify_net(id);
	u8 data[100];
	size_t len;
	u32 since;

	ASSERT_NE(NULL, net);
	since = net->nlog;
	EXPECT_FALSE(gc_items_was_rejected(&net->n[1].it, id));
	EXPECT_EQ(0, gc_items_verdict(&net->n[1].it, id, false, net->now));
	EXPECT_EQ(1, count_ev_id(&net->n[1], GC_IEV_REJECTED, id));
	EXPECT_EQ(NULL, gc_items_find(&net->n[1].it, id));
	/* Its content is gone, its id is what item get answers with. */
	EXPECT_TRUE(gc_items_was_rejected(&net->n[1].it, id));
	EXPECT_FALSE(gc_items_was_rejected(&net->n[0].it, id));
	EXPECT_EQ(GC_SLOT_REJECTED, slot_state(net, 1, 0, 1, 1));
	EXPECT_EQ(1, contig_of(net, 1, 0));
	EXPECT_EQ(0, net->n[1].it.mem);
	EXPECT_EQ(1, stream_of(&net->n[1].it, "node0", 1)->rejected);
	EXPECT_EQ(1, net->n[1].it.stats.rejected);
	EXPECT_EQ(0, count_msgs(net, since, GC_MSG_ITEM, 1, -2));

	/* Anti-entropy with node 0 never fetches it again. */
	net->n[0].cfg.item_sync_ms = 1000;
	net->n[1].cfg.item_sync_ms = 1000;
	net->n[0].it.next_sync_us = net->now;
	net->n[1].it.next_sync_us = net->now + 500 * MS;
	ASSERT_TRUE(run_for(net, 5000 * MS));
	EXPECT_EQ(0, count_msgs(net, since, GC_MSG_WANT, 1, -2));
	EXPECT_EQ(0, count_msgs(net, since, GC_MSG_ITEM, -2, 1));
	EXPECT_EQ(1, count_ev(&net->n[1], GC_IEV_PENDING));
	/* Pushed again: a copy, no PENDING. */
	fill(data, sizeof(data), 1);
	len = item_body(body, sizeof(body), "node0", 1, 1, data, sizeof(data), NULL, 0);
	inject(net, 1, body, len);
	EXPECT_EQ(1, count_ev(&net->n[1], GC_IEV_PENDING));
	/* The same content under another stream: rejected at once, no PENDING. */
	len = item_body(body, sizeof(body), "node5", 9, 1, data, sizeof(data), NULL, 0);
	inject(net, 1, body, len);
	EXPECT_EQ(1, count_ev(&net->n[1], GC_IEV_PENDING));
	EXPECT_EQ(GC_SLOT_REJECTED, gc_stream_slot(stream_of(&net->n[1].it, "node5", 9), 1)->state);
	EXPECT_EQ(1, stream_of(&net->n[1].it, "node5", 9)->contig);
	EXPECT_EQ(0, net->n[1].it.mem);
	net_free(net);
	EXPECT_EQ(0, leaks());
}

TEST(pending_expires_then_is_fetched_again)
{
	u8 id[GC_ITEM_ID_LEN];
	struct net *net = verify_net(id);
	u64 t0;

	ASSERT_NE(NULL, net);
	t0 = net->now - 10 * MS;
	EXPECT_EQ(t0 + 5000 * MS, gc_items_deadline(&net->n[1].it));
	ASSERT_TRUE(run_until(net, t0 + 5000 * MS - 1));
	EXPECT_EQ(0, count_ev(&net->n[1], GC_IEV_EXPIRED));
	ASSERT_TRUE(run_until(net, t0 + 5000 * MS));
	EXPECT_EQ(1, count_ev_id(&net->n[1], GC_IEV_EXPIRED, id));
	EXPECT_EQ(NULL, gc_items_find(&net->n[1].it, id));
	EXPECT_EQ(GC_SLOT_EMPTY, slot_state(net, 1, 0, 1, 1));
	EXPECT_EQ(0, net->n[1].it.mem);
	EXPECT_EQ(1, net->n[1].it.stats.expired);
	EXPECT_EQ(-1, gc_items_verdict(&net->n[1].it, id, true, net->now));
	/* Anti-entropy brings it again, pending again. */
	net->n[0].cfg.item_sync_ms = 1000;
	net->n[0].it.next_sync_us = net->now;
	ASSERT_TRUE(run_for(net, 10 * MS));
	/* With three nodes, node 0 picks 1 or 2: make sure it was 1. */
	while (count_ev(&net->n[1], GC_IEV_PENDING) < 2 && net->now < t0 + 60000 * MS)
		ASSERT_TRUE(run_for(net, 1000 * MS));
	EXPECT_EQ(2, count_ev_id(&net->n[1], GC_IEV_PENDING, id));
	EXPECT_EQ(GC_SLOT_PENDING, gc_items_find(&net->n[1].it, id)->state);
	/* Accepted as an answer: held, not pushed on. */
	{
		u32 since = net->nlog;

		EXPECT_EQ(0, gc_items_verdict(&net->n[1].it, id, true, net->now));
		EXPECT_EQ(0, count_msgs(net, since, GC_MSG_ITEM, 1, -2));
	}
	net_free(net);
	EXPECT_EQ(0, leaks());
}

/* A pending item the window evicts is gone: a late verdict finds nothing. */
TEST(pending_item_evicted_before_its_verdict)
{
	struct net *net = net_new(1);
	static u8 body[512];
	u8 data[50], first[GC_ITEM_ID_LEN];
	size_t len;
	u64 q;

	net->cfg.item_window = 2;
	net->cfg.item_sync_ms = 0;
	ASSERT_TRUE(node_start(net, 0, 1));
	gc_items_set_verifier(&net->n[0].it, true);
	for (q = 1; q <= 3; q++) {
		fill(data, sizeof(data), (u32)q);
		if (q == 1)
			gc_sha256(data, sizeof(data), first);
		len = item_body(body, sizeof(body), "far", 1, q, data, sizeof(data), NULL, 0);
		inject(net, 0, body, len);
	}
	EXPECT_EQ(3, count_ev(&net->n[0], GC_IEV_PENDING));
	EXPECT_EQ(2, net->n[0].it.n_pending);
	EXPECT_EQ(1, net->n[0].it.stats.evicted);
	EXPECT_EQ(2 * sizeof(data), net->n[0].it.mem);
	EXPECT_EQ(-1, gc_items_verdict(&net->n[0].it, first, true, net->now));
	EXPECT_EQ(NULL, gc_items_find(&net->n[0].it, first));
	net_free(net);
	EXPECT_EQ(0, leaks());
}

TEST(hold_unverified_without_verifier)
{
	struct net *net = net_new(2);
	u8 id[GC_ITEM_ID_LEN];

	net->cfg.item_fanout = 1;
	net->cfg.item_retransmit_mult = 0;
	net->cfg.item_sync_ms = 0;
	net->cfg.item_hold_unverified = 1;
	ASSERT_TRUE(node_start(net, 0, 1));
	ASSERT_TRUE(node_start(net, 1, 1));
	/* Its own puts are held (no verifier at the origin)... */
	ASSERT_EQ(GC_PUT_OK, put(net, 0, 100, 1, id));
	EXPECT_EQ(GC_SLOT_HELD, gc_items_find(&net->n[0].it, id)->state);
	ASSERT_TRUE(run_for(net, 10 * MS));
	/* ... received ones pending until a verdict. */
	EXPECT_EQ(GC_SLOT_PENDING, gc_items_find(&net->n[1].it, id)->state);
	EXPECT_EQ(1, count_ev(&net->n[1], GC_IEV_PENDING));
	EXPECT_EQ(0, count_msgs(net, 0, GC_MSG_ITEM, 1, -2));
	EXPECT_EQ(0, gc_items_verdict(&net->n[1].it, id, true, net->now));
	EXPECT_EQ(GC_SLOT_HELD, gc_items_find(&net->n[1].it, id)->state);
	net_free(net);
	EXPECT_EQ(0, leaks());
}

TEST(local_put_with_verifier_is_pending_at_origin)
{
	struct net *net = net_new(2);
	u8 id[GC_ITEM_ID_LEN], id2[GC_ITEM_ID_LEN];
	u32 since;

	net->cfg.item_fanout = 1;
	net->cfg.item_retransmit_mult = 0;
	net->cfg.item_sync_ms = 0;
	ASSERT_TRUE(node_start(net, 0, 1));
	ASSERT_TRUE(node_start(net, 1, 1));
	gc_items_set_verifier(&net->n[0].it, true);
	ASSERT_EQ(GC_PUT_OK, put(net, 0, 100, 1, id));
	EXPECT_EQ(GC_SLOT_PENDING, gc_items_find(&net->n[0].it, id)->state);
	EXPECT_EQ(1, count_ev_id(&net->n[0], GC_IEV_PENDING, id));
	EXPECT_EQ(0, net->nlog);
	EXPECT_EQ(0, contig_of(net, 0, 0));
	EXPECT_EQ(0, gc_items_verdict(&net->n[0].it, id, true, net->now));
	EXPECT_EQ(1, net->nlog);
	EXPECT_EQ(1, contig_of(net, 0, 0));
	ASSERT_TRUE(run_for(net, 10 * MS));
	EXPECT_TRUE(held(net, 1, 0, 1));
	/* A rejected own put is never sent. */
	since = net->nlog;
	ASSERT_EQ(GC_PUT_OK, put(net, 0, 100, 2, id2));
	EXPECT_EQ(0, gc_items_verdict(&net->n[0].it, id2, false, net->now));
	EXPECT_EQ(since, net->nlog);
	EXPECT_EQ(1, count_ev_id(&net->n[0], GC_IEV_REJECTED, id2));
	EXPECT_EQ(2, contig_of(net, 0, 0));
	net_free(net);
	EXPECT_EQ(0, leaks());
}

/* An own put that expires pending leaves no hole in the origin's stream:
 * its digests still offer what it puts later.
 */
TEST(own_expired_put_does_not_stall_the_stream)
{
	struct net *net = pair(256);
	u8 id[GC_ITEM_ID_LEN];
	u64 q;

	ASSERT_NE(NULL, net);
	gc_items_set_verifier(&net->n[0].it, true);
	ASSERT_EQ(GC_PUT_OK, put(net, 0, 100, 1, id));
	ASSERT_TRUE(run_for(net, 6000 * MS));
	EXPECT_EQ(1, count_ev_id(&net->n[0], GC_IEV_EXPIRED, id));
	gc_items_set_verifier(&net->n[0].it, false);
	for (q = 2; q <= 4; q++)
		ASSERT_EQ(GC_PUT_OK, put(net, 0, 100, (u32)q, NULL));
	EXPECT_EQ(4, contig_of(net, 0, 0));
	ASSERT_TRUE(run_for(net, 3000 * MS));
	for (q = 2; q <= 4; q++)
		EXPECT_TRUE(held(net, 1, 0, q));
	net_free(net);
	EXPECT_EQ(0, leaks());
}

/* ---- memory ---- */

TEST(mem_max_bounds_puts_and_receipts)
{
	struct net *net = net_new(2);
	u32 k, ok = 0;

	net->cfg.item_fanout = 1;
	net->cfg.item_retransmit_mult = 0;
	net->cfg.item_sync_ms = 0;
	net->cfg.item_max_bytes = 1000;
	net->cfg.item_window_bytes = 3000;
	net->cfg.item_mem_max = 6000;
	ASSERT_EQ(NULL, gc_config_check(&net->cfg));
	ASSERT_TRUE(node_start(net, 0, 1));
	ASSERT_TRUE(node_start(net, 1, 1));
	/* Node 1 holds 3000 bytes of its own, which node 0 does not get. */
	net->cut[1][0] = true;
	for (k = 0; k < 3; k++)
		ASSERT_EQ(GC_PUT_OK, put(net, 1, 1000, 100 + k, NULL));
	/* Node 0 puts 4 (its own window is full then). Node 1 takes what fits
	 * under item_mem_max with its bookkeeping (streams, rings): 2 of them.
	 */
	for (k = 0; k < 4; k++) {
		ASSERT_EQ(GC_PUT_OK, put(net, 0, 1000, k, NULL));
		ASSERT_TRUE(run_for(net, 10 * MS));
	}
	ASSERT_LT(net->n[1].it.meta, 1000);
	EXPECT_EQ(5000, net->n[1].it.mem);
	EXPECT_LE(net->n[1].it.mem + net->n[1].it.meta, 6000);
	EXPECT_EQ(2, held_count(net, 1, 0));
	EXPECT_EQ(2, net->n[1].it.stats.dropped);
	/* With a window its puts do not fill, node 1's puts fail now... */
	net->n[1].cfg.item_window_bytes = 6000;
	EXPECT_EQ(GC_PUT_NOMEM, put(net, 1, 1000, 200, NULL));
	EXPECT_EQ(GC_PUT_SIZE, put(net, 1, 1001, 200, NULL));
	EXPECT_EQ(GC_PUT_SIZE, put(net, 1, 0, 200, NULL));
	EXPECT_EQ(5000, net->n[1].it.mem);
	/* ... but a put that its window makes room for goes. */
	net->n[1].cfg.item_window_bytes = 3000;
	EXPECT_EQ(GC_PUT_OK, put(net, 1, 1000, 201, NULL));
	EXPECT_EQ(5000, net->n[1].it.mem);
	/* Node 0: its window of 3000 bytes keeps taking puts, oldest out. */
	for (k = 0; k < 10; k++)
		ok += put(net, 0, 1000, 300 + k, NULL) == GC_PUT_OK;
	EXPECT_EQ(10, ok);
	EXPECT_EQ(3000, net->n[0].it.mem);
	net_free(net);
	EXPECT_EQ(0, leaks());
}

/* item_mem_max counts bookkeeping too, so it must leave room beyond a full
 * window: below twice item_window_bytes the configuration is refused; at
 * twice, a node's puts go on forever, the oldest leaving.
 */
TEST(mem_max_twice_the_window)
{
	struct net *net = net_new(1);
	u32 k;

	net->cfg.item_max_bytes = 1000;
	net->cfg.item_window_bytes = 4000;
	net->cfg.item_mem_max = 7999;
	ASSERT_NE(NULL, gc_config_check(&net->cfg));
	net->cfg.item_mem_max = 8000;
	ASSERT_EQ(NULL, gc_config_check(&net->cfg));
	ASSERT_TRUE(node_start(net, 0, 1));
	for (k = 0; k < 10; k++)
		EXPECT_EQ(GC_PUT_OK, put(net, 0, 1000, k, NULL));
	EXPECT_EQ(4000, net->n[0].it.mem);
	EXPECT_EQ(7, stream_of(&net->n[0].it, "node0", 1)->low);
	net_free(net);
	EXPECT_EQ(0, leaks());
}

/* A restarted node starts a new stream, which the others take; it fetches
 * what it put before from them as any other stream.
 */
TEST(restarted_node_starts_a_new_stream)
{
	struct net *net = net_new(3);
	u8 id1[GC_ITEM_ID_LEN], id2[GC_ITEM_ID_LEN];
	int j;

	for (j = 0; j < 3; j++)
		ASSERT_TRUE(node_start(net, j, 1000));
	ASSERT_EQ(GC_PUT_OK, put(net, 0, 100, 1, id1));
	ASSERT_TRUE(run_for(net, 100 * MS));
	EXPECT_TRUE(held(net, 1, 0, 1));
	node_stop(net, 0);
	ASSERT_TRUE(run_for(net, 1000 * MS));
	ASSERT_TRUE(node_start(net, 0, 2000));
	ASSERT_EQ(GC_PUT_OK, put(net, 0, 100, 2, id2));
	EXPECT_EQ(1, gc_items_find(&net->n[0].it, id2)->seq);
	ASSERT_TRUE(run_for(net, 3000 * MS));
	for (j = 1; j < 3; j++) {
		EXPECT_EQ(GC_SLOT_HELD, slot_state(net, j, 0, 2000, 1));
		EXPECT_EQ(GC_SLOT_HELD, slot_state(net, j, 0, 1000, 1));
		EXPECT_EQ(3, net->n[j].it.n_streams);
	}
	/* Its old stream is another origin's to it now. */
	EXPECT_EQ(GC_SLOT_HELD, slot_state(net, 0, 0, 1000, 1));
	EXPECT_NE(NULL, gc_items_find(&net->n[0].it, id1));
	net_free(net);
	EXPECT_EQ(0, leaks());
}

/* Destroy frees everything: held, pending, rejected, reassembly, queues. */
TEST(destroy_frees_everything)
{
	struct net *net = net_new(3);
	static u8 data[4096], body[GC_MAX_MTU];
	u8 id[GC_ITEM_ID_LEN];
	struct gc_wbuf b;
	u32 k;
	int j;

	net->cfg.item_max_bytes = 4096;
	net->cfg.item_window = 16;
	for (j = 0; j < 3; j++)
		ASSERT_TRUE(node_start(net, j, 1));
	gc_items_set_verifier(&net->n[2].it, true);
	for (k = 0; k < 40; k++)
		ASSERT_EQ(GC_PUT_OK, put(net, (int)(k % 2), (u16)(1 + k * 97 % 4096), k, NULL));
	ASSERT_TRUE(run_for(net, 50 * MS));
	/* Node 2: pending items, one rejected, half a fragmented item. */
	EXPECT_LT(0, net->n[2].it.n_pending);
	gc_items_verdict(&net->n[2].it, net->n[2].ev[0].id, false, net->now);
	fill(data, sizeof(data), 77);
	gc_sha256(data, sizeof(data), id);
	b = (struct gc_wbuf){.p = body, .cap = sizeof(body)};
	gc_put_item(&b, 0, 0, 0, 5, 1, "x", 1, id, sizeof(data), 0, data, 1024);
	inject(net, 2, body, b.len);
	for (k = 0, j = 0; k < GC_REASM_MAX; k++)
		j += net->n[2].it.reasm[k].used;
	EXPECT_EQ(1, j);
	EXPECT_LT(0, net->n[0].it.n_push);
	net_free(net);
	EXPECT_EQ(0, leaks());
}

/* Seqs settled at their origin without content (rejected by its own
 * verifier, or expired there) are nowhere to fetch: a node that asks for
 * them is told so (GONE), reports them lost, and its digest moves on,
 * instead of asking every round until the window passes.
 */
TEST(gone_settles_what_nobody_can_serve)
{
	struct net *net = pair(256);
	u8 id1[GC_ITEM_ID_LEN], id2[GC_ITEM_ID_LEN];
	u32 since, i, gaps = 0;
	u64 q;

	ASSERT_NE(NULL, net);
	/* Seq 1 rejected by node 0's own verifier, seq 2 expired there. */
	gc_items_set_verifier(&net->n[0].it, true);
	ASSERT_EQ(GC_PUT_OK, put(net, 0, 100, 1, id1));
	ASSERT_EQ(GC_PUT_OK, put(net, 0, 100, 2, id2));
	ASSERT_EQ(0, gc_items_verdict(&net->n[0].it, id1, false, net->now));
	net->n[0].cfg.item_sync_ms = 0;
	net->n[1].cfg.item_sync_ms = 0;
	ASSERT_TRUE(run_for(net, 6000 * MS));
	EXPECT_EQ(1, count_ev_id(&net->n[0], GC_IEV_EXPIRED, id2));
	gc_items_set_verifier(&net->n[0].it, false);
	for (q = 3; q <= 5; q++)
		ASSERT_EQ(GC_PUT_OK, put(net, 0, 100, (u32)q, NULL));
	EXPECT_EQ(5, contig_of(net, 0, 0));
	/* Anti-entropy on again: node 1 asks for 1-5, gets 3-5, and GONE 1-2. */
	since = net->nlog;
	net->n[0].cfg.item_sync_ms = 1000;
	net->n[1].cfg.item_sync_ms = 1000;
	gc_items_tick(&net->n[0].it, net->now); /* the engine ticks for its probes */
	gc_items_tick(&net->n[1].it, net->now);
	ASSERT_TRUE(run_for(net, 3000 * MS));
	EXPECT_LE(1, count_msgs(net, since, GC_MSG_GONE, 0, 1));
	for (i = since; i < net->nlog; i++) {
		if (net->log[i].type != GC_MSG_GONE)
			continue;
		EXPECT_EQ(1, net->log[i].count);
		EXPECT_EQ(1, net->log[i].e[0].a);
		EXPECT_EQ(2, net->log[i].e[0].b);
	}
	for (q = 3; q <= 5; q++)
		EXPECT_TRUE(held(net, 1, 0, q));
	EXPECT_EQ(GC_SLOT_LOST, slot_state(net, 1, 0, 1, 1));
	EXPECT_EQ(GC_SLOT_LOST, slot_state(net, 1, 0, 1, 2));
	EXPECT_EQ(5, contig_of(net, 1, 0));
	for (i = 0; i < net->n[1].nev; i++)
		gaps += net->n[1].ev[i].type == GC_IEV_GAP && net->n[1].ev[i].from == 1 &&
			net->n[1].ev[i].to == 2;
	EXPECT_EQ(1, gaps);
	EXPECT_EQ(2, net->n[1].it.stats.lost);
	/* Settled: node 1 asks for nothing more. */
	since = net->nlog;
	ASSERT_TRUE(run_for(net, 5000 * MS));
	EXPECT_EQ(0, count_msgs(net, since, GC_MSG_WANT, 1, 0));
	EXPECT_EQ(0, count_msgs(net, since, GC_MSG_GONE, 0, 1));
	net_free(net);
	EXPECT_EQ(0, leaks());
}

/* A node serves at most GC_SERVE_ROUNDS * item_pull_max items a round,
 * however many WANTs come: one small request cannot make it send without
 * bound. What it could not serve is counted, and served next round.
 */
TEST(serving_is_capped_per_round)
{
	struct net *net = pair(8);
	u8 body[256];
	struct gc_wbuf b;
	u32 k, total = 8 * GC_SERVE_ROUNDS;

	ASSERT_NE(NULL, net);
	net->n[0].cfg.item_sync_ms = 0;
	net->n[1].cfg.item_sync_ms = 0;
	for (k = 1; k <= 100; k++)
		ASSERT_EQ(GC_PUT_OK, put(net, 0, 20, k, NULL));
	for (k = 0; k < GC_SERVE_ROUNDS + 2; k++) {
		b = (struct gc_wbuf){.p = body, .cap = sizeof(body)};
		gc_begin_list(&b, GC_MSG_WANT, 0);
		gc_put_range_entry(&b, "node0", 5, 1, 1 + 8 * k, 8 + 8 * k);
		gc_end_list(&b, 0, 1);
		inject(net, 0, body, b.len);
	}
	EXPECT_EQ(total, net->n[0].it.stats.served);
	EXPECT_EQ(16, net->n[0].it.stats.unserved);
	/* The next round has a budget again. */
	net->n[0].cfg.item_sync_ms = 1000;
	net->n[0].it.next_sync_us = net->now;
	gc_items_tick(&net->n[0].it, net->now);
	inject(net, 0, body, b.len);
	EXPECT_EQ(total + 8, net->n[0].it.stats.served);
	net_free(net);
	EXPECT_EQ(0, leaks());
}

/* A stream superseded by a newer boot of its origin and idle for reap_ms
 * is forgotten, and not learned again from a peer's digest or a late copy.
 */
TEST(superseded_idle_stream_is_retired)
{
	struct net *net = net_new(3);
	u8 id1[GC_ITEM_ID_LEN], body[512], data[100];
	const struct gc_stream *s;
	size_t len;
	int j;

	net->cfg.reap_ms = 2000;
	for (j = 0; j < 3; j++)
		ASSERT_TRUE(node_start(net, j, 1000));
	ASSERT_EQ(GC_PUT_OK, put(net, 0, 100, 1, id1));
	ASSERT_TRUE(run_for(net, 100 * MS));
	EXPECT_TRUE(held(net, 1, 0, 1));
	/* Node 0 comes up again: a new stream; the old one stays a while. */
	node_stop(net, 0);
	ASSERT_TRUE(node_start(net, 0, 2000));
	ASSERT_EQ(GC_PUT_OK, put(net, 0, 100, 2, NULL));
	ASSERT_TRUE(run_for(net, 1000 * MS));
	EXPECT_EQ(3, net->n[1].it.n_streams);
	EXPECT_EQ(GC_SLOT_HELD, slot_state(net, 1, 0, 1000, 1));
	/* reap_ms after its last item: forgotten everywhere, node 0 too (it
	 * learned its old stream back from the others' digests).
	 */
	ASSERT_TRUE(run_for(net, 5000 * MS));
	for (j = 0; j < 3; j++) {
		/* Its own, and node 0's new one (nodes 1 and 2 put nothing). */
		EXPECT_EQ(j ? 2 : 1, net->n[j].it.n_streams);
		EXPECT_EQ(NULL, stream_of(&net->n[j].it, "node0", 1000));
		EXPECT_NE(NULL, stream_of(&net->n[j].it, "node0", 2000));
		EXPECT_EQ(1, net->n[j].it.stats.retired);
		EXPECT_EQ(NULL, gc_items_find(&net->n[j].it, id1));
	}
	/* The new stream is intact, and still travels. */
	EXPECT_EQ(GC_SLOT_HELD, slot_state(net, 2, 0, 2000, 1));
	s = stream_of(&net->n[1].it, "node1", 1000);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(s, gc_items_stream(&net->n[1].it, net->n[1].it.self));
	/* A digest naming the old stream teaches it to nobody ... */
	{
		struct gc_wbuf b = {.p = body, .cap = sizeof(body)};

		gc_begin_list(&b, GC_MSG_DIGEST, 0);
		gc_put_range_entry(&b, "node0", 5, 1000, 1, 1);
		gc_end_list(&b, 0, 1);
		inject(net, 1, body, b.len);
	}
	EXPECT_EQ(NULL, stream_of(&net->n[1].it, "node0", 1000));
	/* ... and neither does a late copy of its item. */
	fill(data, sizeof(data), 1);
	len = item_body(body, sizeof(body), "node0", 1000, 1, data, sizeof(data), NULL, 0);
	inject(net, 1, body, len);
	EXPECT_EQ(NULL, stream_of(&net->n[1].it, "node0", 1000));
	EXPECT_EQ(2, net->n[1].it.n_streams);
	net_free(net);
	EXPECT_EQ(0, leaks());
}

TEST_HARNESS_MAIN
