// SPDX-License-Identifier: GPL-2.0
/*
 * Items over netlink: put, get, the stream dump, the verifier and its
 * verdicts, and item events. A new item is offered to the verifier as Open
 * vSwitch offers a flow miss: a unicast built in softirq with GFP_ATOMIC to
 * the registered socket; a full socket drops the upcall (counted) and the
 * item stays pending until its timeout, then may be fetched again.
 */
#include <net/genetlink.h>
#include <net/sock.h>

#include "core/engine.h"
#include "netlink.h"

/* The verifier's port id travels with an upcall to the send after unlock. */
struct gc_upcall_cb {
	u32 portid;
};

static struct gc_upcall_cb *gc_upcall_cb(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct gc_upcall_cb) > sizeof(skb->cb));
	return (struct gc_upcall_cb *)skb->cb;
}

static u8 gc_item_state(u8 slot_state)
{
	switch (slot_state) {
	case GC_SLOT_PENDING:
		return GC_ITEM_STATE_PENDING;
	case GC_SLOT_HELD:
		return GC_ITEM_STATE_HELD;
	default:
		return GC_ITEM_STATE_REJECTED;
	}
}

static int gc_put_stream(struct sk_buff *skb, const struct gc_stream *s)
{
	if (gc_put_name(skb, GC_A_ITEM_ORIGIN, s->name, s->name_len) ||
	    nla_put_u64_64bit(skb, GC_A_ITEM_BOOT, s->boot, GC_A_PAD))
		return -EMSGSIZE;
	return 0;
}

/* An item's fields, and its content when data is set. */
static int gc_nl_put_item(struct sk_buff *skb, const struct gc_stream *s,
			  const struct gc_item *it, bool data)
{
	if (nla_put(skb, GC_A_ITEM_ID, GC_ITEM_ID_SIZE, it->id) || gc_put_stream(skb, s) ||
	    nla_put_u64_64bit(skb, GC_A_ITEM_SEQ, it->seq, GC_A_PAD) ||
	    nla_put_u8(skb, GC_A_ITEM_TYPE, it->type) ||
	    nla_put_u8(skb, GC_A_ITEM_HOPS, it->hops) ||
	    nla_put_u32(skb, GC_A_ITEM_LEN, it->len) ||
	    (data && nla_put(skb, GC_A_ITEM_DATA, it->len, it->data)))
		return -EMSGSIZE;
	return 0;
}

/* An item message's size, with or without len bytes of content. */
#define GC_ITEM_MSG_SIZE(len) (nla_total_size(GC_ITEM_ID_SIZE) + \
			       nla_total_size(GC_NODE_NAME_MAX) + \
			       3 * nla_total_size_64bit(8) + 4 * nla_total_size(4) + \
			       nla_total_size(len))

static struct sk_buff *gc_upcall_msg(struct gc_instance *gc, const struct gc_item_ev *ev)
{
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(GC_ITEM_MSG_SIZE(ev->item->len), GFP_ATOMIC | __GFP_NOWARN);
	if (!skb)
		return NULL;
	hdr = genlmsg_put(skb, 0, 0, &gc_genl_family, 0, GC_CMD_ITEM_VERIFY);
	if (!hdr || gc_nl_put_item(skb, ev->stream, ev->item, true)) {
		nlmsg_free(skb);
		return NULL;
	}
	genlmsg_end(skb, hdr);
	gc_upcall_cb(skb)->portid = gc->verifier;
	return skb;
}

static struct sk_buff *gc_item_event_msg(const struct gc_item_ev *ev)
{
	struct sk_buff *skb;
	void *hdr;
	int ret;

	skb = genlmsg_new(GC_ITEM_MSG_SIZE(0) + 3 * nla_total_size_64bit(8), GFP_ATOMIC);
	if (!skb)
		return NULL;
	hdr = genlmsg_put(skb, 0, 0, &gc_genl_family, 0, GC_CMD_ITEM_EVENT);
	if (!hdr)
		goto fail;
	ret = nla_put_u8(skb, GC_A_ITEM_EVENT, ev->type);
	if (ev->item)
		ret = ret ?: gc_nl_put_item(skb, ev->stream, ev->item, false);
	else
		ret = ret ?: gc_put_stream(skb, ev->stream) ?:
		      nla_put_u64_64bit(skb, GC_A_GAP_FROM, ev->from, GC_A_PAD) ?:
		      nla_put_u64_64bit(skb, GC_A_GAP_TO, ev->to, GC_A_PAD);
	if (ret)
		goto fail;
	genlmsg_end(skb, hdr);
	return skb;
fail:
	nlmsg_free(skb);
	return NULL;
}

/* Under engine_lock, in any context. */
void gc_item_event_queue(struct gc_instance *gc, const struct gc_item_ev *ev, struct gc_out *out)
{
	struct sk_buff *skb;

	if (ev->type == GC_IEV_PENDING && gc->verifier) {
		skb = gc_upcall_msg(gc, ev);
		if (skb) {
			__skb_queue_tail(&out->upcalls, skb);
			gc_stat_inc(gc, upcalls);
		} else {
			gc_stat_inc(gc, upcalls_dropped);
		}
	}
	if (READ_ONCE(gc_events_off) ||
	    !genl_has_listeners(&gc_genl_family, gc->net, GC_MCGRP_ITEMS_ID))
		return;
	skb = gc_item_event_msg(ev);
	if (skb)
		__skb_queue_tail(&out->item_events, skb);
	else
		gc_stat_inc(gc, events_dropped);
}

void gc_item_event_send(struct gc_instance *gc, struct sk_buff *skb)
{
	genlmsg_multicast_netns(&gc_genl_family, gc->net, skb, 0, GC_MCGRP_ITEMS_ID, GFP_ATOMIC);
}

/* After engine_lock is released. A full socket loses the upcall (the item
 * expires and may come again); a socket that is gone loses its place.
 */
void gc_upcall_send(struct gc_instance *gc, struct sk_buff *skb)
{
	u32 portid = gc_upcall_cb(skb)->portid;
	int ret;

	ret = genlmsg_unicast(gc->net, skb, portid);
	if (!ret)
		return;
	gc_stat_inc(gc, upcalls_dropped);
	if (ret == -ECONNREFUSED)
		gc_verifier_gone(gc, portid);
}

static void gc_set_verifier(struct gc_instance *gc, u32 portid)
{
	spin_lock_bh(&gc->engine_lock);
	gc->verifier = portid;
	if (gc->engine)
		gc_items_set_verifier(&gc->engine->items, portid != 0);
	spin_unlock_bh(&gc->engine_lock);
}

void gc_verifier_gone(struct gc_instance *gc, u32 portid)
{
	spin_lock_bh(&gc->engine_lock);
	if (gc->verifier == portid) {
		gc->verifier = 0;
		if (gc->engine)
			gc_items_set_verifier(&gc->engine->items, false);
	}
	spin_unlock_bh(&gc->engine_lock);
}

const struct nla_policy gc_item_put_policy[GC_A_MAX + 1] = {
	[GC_A_ITEM_DATA] = { .type = NLA_BINARY, .len = GC_ITEM_MAX_SIZE },
	[GC_A_ITEM_TYPE] = { .type = NLA_U8 },
};

const struct nla_policy gc_item_get_policy[GC_A_MAX + 1] = {
	[GC_A_ITEM_ID] = NLA_POLICY_EXACT_LEN(GC_ITEM_ID_SIZE),
};

const struct nla_policy gc_verdict_policy[GC_A_MAX + 1] = {
	[GC_A_ITEM_ID] = NLA_POLICY_EXACT_LEN(GC_ITEM_ID_SIZE),
	[GC_A_VERDICT] = NLA_POLICY_RANGE(NLA_U8, GC_VERDICT_ACCEPT, GC_VERDICT_REJECT),
};

const struct nla_policy gc_verifier_policy[GC_A_MAX + 1] = {
	[GC_A_VERIFIER] = NLA_POLICY_MAX(NLA_U8, 1),
};

#define GC_MSG_DOWN "node is down: bring it up first"

/* A reply of size bytes to info, its header at *hdr; NULL when out of memory. */
static struct sk_buff *gc_item_reply_new(struct genl_info *info, u8 cmd, size_t size, void **hdr)
{
	struct sk_buff *reply = genlmsg_new(size, GFP_KERNEL);

	if (!reply)
		return NULL;
	*hdr = genlmsg_put_reply(reply, info, &gc_genl_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(reply);
		return NULL;
	}
	return reply;
}

/* Sends the reply, or frees it and returns the error. */
static int gc_item_reply_send(struct genl_info *info, struct sk_buff *reply, void *hdr, int ret)
{
	if (ret) {
		nlmsg_free(reply);
		return ret;
	}
	genlmsg_end(reply, hdr);
	return genlmsg_reply(reply, info);
}

/* An item and its state, after the instance's engine_lock is taken. */
static int gc_put_item_state(struct sk_buff *reply, const struct gc_engine *e,
			     const struct gc_item *it, bool data)
{
	return gc_nl_put_item(reply, gc_items_stream(&e->items, it->stream), it, data) ?:
	       nla_put_u8(reply, GC_A_ITEM_STATE, gc_item_state(it->state));
}

int gc_nl_item_put(struct sk_buff *skb, struct genl_info *info)
{
	struct gc_instance *gc = gc_instance_of(genl_info_net(info));
	struct nlattr *data = info->attrs[GC_A_ITEM_DATA];
	const struct gc_item *it = NULL;
	struct gc_engine *e;
	struct sk_buff *reply;
	struct gc_out out;
	void *hdr;
	int ret;

	if (GC_REQUIRE(info, GC_A_ITEM_DATA, "the item's data"))
		return -EINVAL;
	reply = gc_item_reply_new(info, GC_CMD_ITEM_PUT, NLMSG_DEFAULT_SIZE, &hdr);
	if (!reply)
		return -ENOMEM;
	e = gc_engine_get(gc, &out);
	if (!e) {
		NL_SET_ERR_MSG(info->extack, GC_MSG_DOWN);
		ret = -ENOTCONN;
	} else if (!nla_len(data) || nla_len(data) > e->cfg.item_max_bytes) {
		NL_SET_ERR_MSG_ATTR(info->extack, data,
				    "an item must be 1 to item_max_bytes bytes (gcctl params)");
		ret = -EMSGSIZE;
	} else {
		ret = gc_items_put(&e->items, info->attrs[GC_A_ITEM_TYPE] ?
				   nla_get_u8(info->attrs[GC_A_ITEM_TYPE]) : 0,
				   nla_data(data), nla_len(data), gc_now_us(), &it);
		if (ret) {
			NL_SET_ERR_MSG(info->extack,
				       "no room for the item: item_mem_max reached (gcctl params)");
			ret = -ENOSPC;
		} else {
			ret = gc_put_item_state(reply, e, it, false);
		}
	}
	gc_engine_put(gc, &out);
	return gc_item_reply_send(info, reply, hdr, ret);
}

int gc_nl_item_get(struct sk_buff *skb, struct genl_info *info)
{
	struct gc_instance *gc = gc_instance_of(genl_info_net(info));
	const struct gc_item *it;
	struct gc_engine *e;
	struct sk_buff *reply;
	struct gc_out out;
	void *hdr;
	int ret;

	if (GC_REQUIRE(info, GC_A_ITEM_ID, "the item id"))
		return -EINVAL;
	reply = gc_item_reply_new(info, GC_CMD_ITEM_GET,
				  GC_ITEM_MSG_SIZE(GC_ITEM_MAX_SIZE) + nla_total_size(1), &hdr);
	if (!reply)
		return -ENOMEM;
	e = gc_engine_get(gc, &out);
	it = e ? gc_items_find(&e->items, nla_data(info->attrs[GC_A_ITEM_ID])) : NULL;
	if (!e) {
		NL_SET_ERR_MSG(info->extack, GC_MSG_DOWN);
		ret = -ENOTCONN;
	} else if (!it && gc_items_was_rejected(&e->items, nla_data(info->attrs[GC_A_ITEM_ID]))) {
		/* Its content is gone, its id is kept: that is all there is. */
		ret = nla_put(reply, GC_A_ITEM_ID, GC_ITEM_ID_SIZE,
			      nla_data(info->attrs[GC_A_ITEM_ID])) ?:
		      nla_put_u8(reply, GC_A_ITEM_STATE, GC_ITEM_STATE_REJECTED);
	} else if (!it) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[GC_A_ITEM_ID], "no such item here");
		ret = -ENOENT;
	} else {
		ret = gc_put_item_state(reply, e, it, true);
	}
	gc_engine_put(gc, &out);
	return gc_item_reply_send(info, reply, hdr, ret);
}

/* cb->args[0]: the next stream to send. Streams are only ever added while
 * the node is up, so a resumed dump sends each once; coming up or down in
 * between flags the part NLM_F_DUMP_INTR.
 */
int gc_nl_dump_origins(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct gc_instance *gc = gc_instance_of(sock_net(skb->sk));
	struct gc_engine *e;
	struct gc_out out;
	u32 i = cb->args[0];
	void *hdr;

	e = gc_engine_get(gc, &out);
	if (!e)
		goto out;
	/* Up, down, or a stream forgotten: a resumed dump is flagged. */
	cb->seq = (gc->items_gen + e->items.gen) ?: 1;
	for (; i < e->items.n_streams; i++) {
		const struct gc_stream *s = gc_items_stream(&e->items, i);

		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &gc_genl_family, NLM_F_MULTI, GC_CMD_GET_ORIGIN);
		if (!hdr)
			break;
		genl_dump_check_consistent(cb, hdr);
		if (gc_put_stream(skb, s) ||
		    nla_put_u64_64bit(skb, GC_A_ORIGIN_LOW, s->low, GC_A_PAD) ||
		    nla_put_u64_64bit(skb, GC_A_ORIGIN_CONTIG, s->contig, GC_A_PAD) ||
		    nla_put_u64_64bit(skb, GC_A_ORIGIN_MAX, s->max, GC_A_PAD) ||
		    nla_put_u32(skb, GC_A_ORIGIN_HELD, s->held) ||
		    nla_put_u32(skb, GC_A_ORIGIN_PENDING, s->pending) ||
		    nla_put_u32(skb, GC_A_ORIGIN_REJECTED, s->rejected) ||
		    nla_put_u64_64bit(skb, GC_A_ORIGIN_BYTES, s->bytes, GC_A_PAD)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	cb->args[0] = i;
out:
	gc_engine_put(gc, &out);
	return skb->len;
}

int gc_nl_set_verifier(struct sk_buff *skb, struct genl_info *info)
{
	struct gc_instance *gc = gc_instance_of(genl_info_net(info));

	if (GC_REQUIRE(info, GC_A_VERIFIER, "the verifier flag"))
		return -EINVAL;
	if (!nla_get_u8(info->attrs[GC_A_VERIFIER])) {
		gc_set_verifier(gc, 0);
		return 0;
	}
	if (!info->snd_portid) {
		NL_SET_ERR_MSG(info->extack, "a kernel socket cannot be the verifier");
		return -EINVAL;
	}
	gc_set_verifier(gc, info->snd_portid);
	return 0;
}

int gc_nl_item_verdict(struct sk_buff *skb, struct genl_info *info)
{
	struct gc_instance *gc = gc_instance_of(genl_info_net(info));
	struct gc_engine *e;
	struct gc_out out;
	int ret = 0;

	if (GC_REQUIRE(info, GC_A_ITEM_ID, "the item id") ||
	    GC_REQUIRE(info, GC_A_VERDICT, "the verdict"))
		return -EINVAL;
	e = gc_engine_get(gc, &out);
	if (!e) {
		NL_SET_ERR_MSG(info->extack, GC_MSG_DOWN);
		ret = -ENOTCONN;
	} else if (gc_items_verdict(&e->items, nla_data(info->attrs[GC_A_ITEM_ID]),
				    nla_get_u8(info->attrs[GC_A_VERDICT]) == GC_VERDICT_ACCEPT,
				    gc_now_us())) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[GC_A_ITEM_ID],
				    "no pending item with that id");
		ret = -ENOENT;
	}
	gc_engine_put(gc, &out);
	return ret;
}
