// SPDX-License-Identifier: GPL-2.0
/*
 * The member table over netlink: a resumable dump, member events on the
 * events group (built in softirq, under engine_lock, so GFP_ATOMIC), and the
 * statistics.
 */
#include <net/genetlink.h>
#include <net/sock.h>

#include "core/engine.h"
#include "netlink.h"

int gc_put_name(struct sk_buff *skb, int type, const char *name, u8 len)
{
	struct nlattr *n = nla_reserve(skb, type, len + 1);

	if (!n)
		return -EMSGSIZE;
	memcpy(nla_data(n), name, len);
	((char *)nla_data(n))[len] = '\0';
	return 0;
}

/* A member: name, address, port, state, incarnation. */
static int gc_put_member(struct sk_buff *skb, const char *name, u8 name_len,
			 const struct gc_addr *a, u8 state, u32 inc)
{
	if (gc_put_name(skb, GC_A_MEMBER_NAME, name, name_len) ||
	    nla_put(skb, GC_A_MEMBER_ADDR, a->family == 6 ? 16 : 4, a->ip) ||
	    nla_put_u16(skb, GC_A_MEMBER_PORT, a->port) ||
	    nla_put_u8(skb, GC_A_MEMBER_STATE, state) ||
	    nla_put_u32(skb, GC_A_MEMBER_INCARNATION, inc))
		return -EMSGSIZE;
	return 0;
}

static u8 gc_event_state(u8 type)
{
	switch (type) {
	case GC_EV_SUSPECT:
		return GC_MEMBER_STATE_SUSPECT;
	case GC_EV_DEAD:
		return GC_MEMBER_STATE_DEAD;
	case GC_EV_LEFT:
		return GC_MEMBER_STATE_LEFT;
	case GC_EV_REAP:
		return 0;
	default:
		return GC_MEMBER_STATE_ALIVE;
	}
}

bool gc_events_off;

/* An event's size: the event, two names, an address and the rest. */
#define GC_EVENT_SIZE (nla_total_size(1) + 2 * nla_total_size(GC_NODE_NAME_MAX) + \
		       nla_total_size(16) + nla_total_size(2) + nla_total_size(1) + \
		       nla_total_size(4))

struct sk_buff *gc_event_msg(struct gc_instance *gc, const struct gc_event *ev)
{
	struct sk_buff *skb;
	void *hdr;

	if (READ_ONCE(gc_events_off) ||
	    !genl_has_listeners(&gc_genl_family, gc->net, GC_MCGRP_EVENTS_ID))
		return NULL;
	skb = genlmsg_new(GC_EVENT_SIZE, GFP_ATOMIC);
	if (!skb)
		goto drop;
	hdr = genlmsg_put(skb, 0, 0, &gc_genl_family, 0, GC_CMD_MEMBER_EVENT);
	if (!hdr || nla_put_u8(skb, GC_A_EVENT, ev->type) ||
	    gc_put_member(skb, ev->name, ev->name_len, ev->addr, gc_event_state(ev->type),
			  ev->incarnation) ||
	    (ev->by && gc_put_name(skb, GC_A_MEMBER_ACCUSER, ev->by, ev->by_len))) {
		nlmsg_free(skb);
		goto drop;
	}
	genlmsg_end(skb, hdr);
	return skb;
drop:
	gc_stat_inc(gc, events_dropped);
	return NULL;
}

void gc_event_send(struct gc_instance *gc, struct sk_buff *skb)
{
	genlmsg_multicast_netns(&gc_genl_family, gc->net, skb, 0, GC_MCGRP_EVENTS_ID,
				GFP_ATOMIC);
}

bool gc_joining(struct gc_instance *gc)
{
	struct gc_engine *e;
	struct gc_out out;
	bool joining = false;

	e = gc_engine_get(gc, &out);
	if (e)
		joining = gc_engine_joining(e);
	gc_engine_put(gc, &out);
	return joining;
}

u32 gc_member_count(struct gc_instance *gc)
{
	struct gc_engine *e;
	struct gc_out out;
	u32 n = 0;

	e = gc_engine_get(gc, &out);
	if (e)
		n = gc_members_total(gc_engine_members(e));
	gc_engine_put(gc, &out);
	return n;
}

/* cb->args[0]: the next slot of the member table to send. A dump that spans
 * several parts sees the table change in between: members are never sent
 * twice (slots only move forward), and the part that follows a change is
 * flagged NLM_F_DUMP_INTR, as for any kernel table dump.
 */
int gc_nl_dump_members(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct gc_instance *gc = gc_instance_of(sock_net(skb->sk));
	const struct gc_members *t;
	struct gc_engine *e;
	struct gc_out out;
	u32 slot = cb->args[0];
	u64 now = gc_now_us();
	void *hdr;

	e = gc_engine_get(gc, &out);
	if (!e)
		goto out;
	t = gc_engine_members(e);
	cb->seq = gc->members_gen;
	for (; slot < t->slots; slot++) {
		const struct gc_member *m = &t->m[slot];

		if (m->state == GC_MEMBER_FREE)
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &gc_genl_family, NLM_F_MULTI, GC_CMD_GET_MEMBER);
		if (!hdr)
			break;
		genl_dump_check_consistent(cb, hdr);
		if (gc_put_member(skb, gc_member_name(t, slot), m->name_len, &m->addr, m->state,
				  m->incarnation) ||
		    nla_put_u64_64bit(skb, GC_A_MEMBER_AGE_MS,
				      div_u64(now - min(now, m->state_change_us), USEC_PER_MSEC),
				      GC_A_PAD)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	cb->args[0] = slot;
out:
	gc_engine_put(gc, &out);
	return skb->len;
}

static int gc_fill_stats(struct sk_buff *skb, struct gc_instance *gc)
{
	u64 sock[9] = {};
	struct gc_stats es = {};
	struct gc_item_stats is = {};
	struct gc_agg_stats as = {};
	u64 held = 0, pending = 0, item_bytes = 0;
	u32 health = 0, count[5] = {};
	struct gc_engine *e;
	struct gc_out out;
	struct nlattr *nest;
	unsigned int start;
	int cpu, i, ret = 0;

	for_each_possible_cpu(cpu) {
		const struct gc_pcpu_stats *s = per_cpu_ptr(gc->stats, cpu);
		u64 v[9];

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			v[0] = u64_stats_read(&s->rx_packets);
			v[1] = u64_stats_read(&s->rx_bytes);
			v[2] = u64_stats_read(&s->tx_packets);
			v[3] = u64_stats_read(&s->tx_bytes);
			v[4] = u64_stats_read(&s->rx_socket_drops);
			v[5] = u64_stats_read(&s->tx_errors);
			v[6] = u64_stats_read(&s->events_dropped);
			v[7] = u64_stats_read(&s->upcalls);
			v[8] = u64_stats_read(&s->upcalls_dropped);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		for (i = 0; i < 9; i++)
			sock[i] += v[i];
	}
	e = gc_engine_get(gc, &out);
	if (e) {
		es = e->stats;
		is = e->items.stats;
		as = e->agg.stats;
		held = e->items.held;
		pending = e->items.n_pending;
		item_bytes = e->items.mem;
		health = e->health;
		memcpy(count, gc_engine_members(e)->count, sizeof(count));
	}
	gc_engine_put(gc, &out);

	nest = nla_nest_start(skb, GC_A_STATS);
	if (!nest)
		return -EMSGSIZE;
#define PUT(id, v) (ret = ret ?: nla_put_u64_64bit(skb, id, v, GC_STAT_PAD))
	PUT(GC_STAT_RX_PACKETS, sock[0]);
	PUT(GC_STAT_RX_BYTES, sock[1]);
	PUT(GC_STAT_TX_PACKETS, sock[2]);
	PUT(GC_STAT_TX_BYTES, sock[3]);
	PUT(GC_STAT_RX_SOCKET_DROPS, sock[4]);
	PUT(GC_STAT_TX_ERRORS, sock[5]);
	PUT(GC_STAT_RX_SHORT, es.rx_dropped[GC_WIRE_SHORT]);
	PUT(GC_STAT_RX_BAD_VERSION, es.rx_dropped[GC_WIRE_BAD_VERSION]);
	PUT(GC_STAT_RX_CHECKSUM, es.rx_dropped[GC_WIRE_CHECKSUM]);
	PUT(GC_STAT_RX_UNSEALED, es.rx_dropped[GC_WIRE_UNSEALED]);
	PUT(GC_STAT_RX_NO_KEY, es.rx_dropped[GC_WIRE_NO_KEY]);
	PUT(GC_STAT_RX_AUTH, es.rx_dropped[GC_WIRE_AUTH]);
	PUT(GC_STAT_RX_MALFORMED, es.rx_dropped[GC_WIRE_MALFORMED]);
	PUT(GC_STAT_RX_TOO_BIG, es.rx_dropped[GC_WIRE_TOO_BIG]);
	PUT(GC_STAT_RX_STALE, es.rx_stale);
	PUT(GC_STAT_RX_UNEXPECTED, es.rx_unexpected);
	PUT(GC_STAT_PROBES, es.probes);
	PUT(GC_STAT_PROBE_FAILURES, es.probe_failures);
	PUT(GC_STAT_PING_REQS_SENT, es.ping_reqs_sent);
	PUT(GC_STAT_PING_REQS_RELAYED, es.ping_reqs_relayed);
	PUT(GC_STAT_NACKS_RECEIVED, es.nacks_received);
	PUT(GC_STAT_SUSPICIONS, es.suspicions);
	PUT(GC_STAT_REFUTATIONS, es.refutations);
	PUT(GC_STAT_PUSH_PULLS, es.push_pulls);
	PUT(GC_STAT_RECONNECTS, es.reconnects);
	PUT(GC_STAT_MEMBERS_DROPPED, es.members_dropped);
	PUT(GC_STAT_RELAYS_DROPPED, es.relays_dropped);
	PUT(GC_STAT_EVENTS_DROPPED, sock[6]);
	PUT(GC_STAT_HEALTH, health);
	PUT(GC_STAT_MEMBERS_ALIVE, count[GC_MEMBER_ALIVE]);
	PUT(GC_STAT_MEMBERS_SUSPECT, count[GC_MEMBER_SUSPECT]);
	PUT(GC_STAT_MEMBERS_DEAD, count[GC_MEMBER_DEAD]);
	PUT(GC_STAT_MEMBERS_LEFT, count[GC_MEMBER_LEFT]);
	PUT(GC_STAT_ACCUSATIONS_IGNORED, es.accusations_ignored);
	PUT(GC_STAT_DEAD_NOTICES, es.dead_notices);
	PUT(GC_STAT_VERDICTS_VOIDED, es.verdicts_voided);
	PUT(GC_STAT_ITEMS_PUT, is.put);
	PUT(GC_STAT_ITEMS_NEW, is.new_items);
	PUT(GC_STAT_ITEMS_ACCEPTED, is.accepted);
	PUT(GC_STAT_ITEMS_REJECTED, is.rejected);
	PUT(GC_STAT_ITEMS_EXPIRED, is.expired);
	PUT(GC_STAT_ITEMS_DUPLICATE, is.duplicate);
	PUT(GC_STAT_ITEMS_EVICTED, is.evicted);
	PUT(GC_STAT_ITEMS_DROPPED, is.dropped);
	PUT(GC_STAT_ITEMS_CONFLICT, is.conflict);
	PUT(GC_STAT_ITEMS_BAD_ID, is.bad_id);
	PUT(GC_STAT_ITEMS_SENT, is.sent);
	PUT(GC_STAT_ITEMS_SERVED, is.served);
	PUT(GC_STAT_FRAGMENTS_DROPPED, is.frags_dropped);
	PUT(GC_STAT_DIGESTS_SENT, is.digests_sent);
	PUT(GC_STAT_ITEMS_WANTED, is.wanted);
	PUT(GC_STAT_ITEMS_LOST, is.lost);
	PUT(GC_STAT_UPCALLS, sock[7]);
	PUT(GC_STAT_UPCALLS_DROPPED, sock[8]);
	PUT(GC_STAT_ITEMS_HELD, held);
	PUT(GC_STAT_ITEMS_PENDING, pending);
	PUT(GC_STAT_ITEM_BYTES, item_bytes);
	PUT(GC_STAT_AGG_ROUNDS, as.rounds);
	PUT(GC_STAT_AGG_EPOCHS, as.epochs);
	PUT(GC_STAT_AGG_STALE, as.stale);
	PUT(GC_STAT_STREAMS_RETIRED, is.retired);
	PUT(GC_STAT_ITEMS_UNSERVED, is.unserved);
#undef PUT
	if (ret)
		return ret;
	nla_nest_end(skb, nest);
	return 0;
}

int gc_nl_get_stats(struct sk_buff *skb, struct genl_info *info)
{
	return gc_reply(info, GC_CMD_GET_STATS, gc_fill_stats);
}
