// SPDX-License-Identifier: GPL-2.0
/*
 * An instance going up and down, and the bridge between the sans-IO engine
 * and the kernel: its sends become skbs, its events netlink messages, both
 * queued under engine_lock and handed to the stack once it is released, so
 * the lock is never held across a transmit or a multicast.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/inetdevice.h>
#include <linux/netdevice.h>
#include <linux/random.h>
#include <linux/timekeeping.h>
#include <net/genetlink.h>
#include <net/ipv6.h>

#include "core/engine.h"
#include "instance.h"

/* Room for the IPv6 and UDP headers and the link layer in front of a packet. */
#define GC_TX_HEADROOM (LL_MAX_HEADER + sizeof(struct ipv6hdr) + sizeof(struct udphdr))

struct gc_tx_cb {
	struct gc_addr to;
};

static struct gc_tx_cb *gc_tx_cb(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct gc_tx_cb) > sizeof(skb->cb));
	return (struct gc_tx_cb *)skb->cb;
}

u64 gc_now_us(void)
{
	return div_u64(ktime_get_ns(), NSEC_PER_USEC);
}

/* The start of this node's item stream: wall-clock microseconds, so a node
 * that comes up again starts a stream the others take as new.
 */
static u64 gc_boot_us(void)
{
	return div_u64(ktime_get_real_ns(), NSEC_PER_USEC);
}

static void gc_op_send(void *ctx, const struct gc_addr *to, const u8 *pkt, size_t len)
{
	struct gc_instance *gc = ctx;
	struct sk_buff *skb;

	skb = alloc_skb(GC_TX_HEADROOM + len, GFP_ATOMIC | __GFP_NOWARN);
	if (!skb) {
		gc_stat_inc(gc, tx_errors);
		return;
	}
	skb_reserve(skb, GC_TX_HEADROOM);
	skb_put_data(skb, pkt, len);
	gc_tx_cb(skb)->to = *to;
	__skb_queue_tail(&gc->out->tx, skb);
}

static void gc_op_event(void *ctx, const struct gc_event *ev)
{
	struct gc_instance *gc = ctx;
	struct sk_buff *skb;

	gc_members_changed(gc);
	skb = gc_event_msg(gc, ev);
	if (skb)
		__skb_queue_tail(&gc->out->events, skb);
}

static void gc_op_item_event(void *ctx, const struct gc_item_ev *ev)
{
	struct gc_instance *gc = ctx;

	gc_item_event_queue(gc, ev, gc->out);
}

static const struct gc_engine_ops gc_engine_ops = {
	.send = gc_op_send,
	.event = gc_op_event,
	.item_event = gc_op_item_event,
};

struct gc_engine *gc_engine_get(struct gc_instance *gc, struct gc_out *out)
	__acquires(&gc->engine_lock)
{
	__skb_queue_head_init(&out->tx);
	__skb_queue_head_init(&out->events);
	__skb_queue_head_init(&out->item_events);
	__skb_queue_head_init(&out->upcalls);
	spin_lock_bh(&gc->engine_lock);
	gc->out = out;
	return gc->engine;
}

void gc_engine_put(struct gc_instance *gc, struct gc_out *out)
	__releases(&gc->engine_lock)
{
	struct sk_buff *skb;

	if (gc->engine)
		gc_timer_rearm(gc, gc_now_us());
	gc->out = NULL;
	spin_unlock_bh(&gc->engine_lock);

	while ((skb = __skb_dequeue(&out->tx))) {
		struct gc_addr to = gc_tx_cb(skb)->to;

		gc_socket_send(gc, skb, &to);
	}
	while ((skb = __skb_dequeue(&out->events)))
		gc_event_send(gc, skb);
	while ((skb = __skb_dequeue(&out->upcalls)))
		gc_upcall_send(gc, skb);
	while ((skb = __skb_dequeue(&out->item_events)))
		gc_item_event_send(gc, skb);
}

void gc_instance_rx(struct gc_instance *gc, const struct gc_addr *from, const u8 *data,
		    size_t len)
{
	struct gc_engine *e;
	struct gc_out out;

	e = gc_engine_get(gc, &out);
	if (e)
		gc_engine_on_packet(e, from, data, len, gc_now_us());
	else
		gc_stat_inc(gc, rx_socket_drops);
	gc_engine_put(gc, &out);
}

/* The address other members reach us at: the listen address, or on the
 * IPv4 wildcard the first address of an up, non-loopback interface, as
 * memberlist picks a private address when bound to 0.0.0.0.
 */
static int gc_advertise_addr(struct gc_instance *gc, struct gc_addr *a,
			     struct netlink_ext_ack *extack)
{
	struct net_device *dev;
	__be32 v4 = 0;

	memset(a, 0, sizeof(*a));
	a->port = gc->listen.port;
	if (gc->listen.addr_len == sizeof(struct in6_addr)) {
		if (ipv6_addr_any(&gc->listen.addr.v6)) {
			NL_SET_ERR_MSG(extack,
				       "listening on :: needs an IPv6 address to advertise: set one with the listen address");
			return -EADDRNOTAVAIL;
		}
		a->family = 6;
		memcpy(a->ip, &gc->listen.addr.v6, 16);
		return 0;
	}
	a->family = 4;
	if (gc->listen.addr.v4.s_addr) {
		memcpy(a->ip, &gc->listen.addr.v4, 4);
		return 0;
	}
	rcu_read_lock();
	for_each_netdev_rcu(gc->net, dev) {
		if ((dev->flags & IFF_LOOPBACK) || !(dev->flags & IFF_UP))
			continue;
		v4 = inet_select_addr(dev, 0, RT_SCOPE_UNIVERSE);
		if (v4)
			break;
	}
	rcu_read_unlock();
	if (!v4) {
		NL_SET_ERR_MSG(extack,
			       "no IPv4 address to advertise: no up interface has one; set the listen address");
		return -EADDRNOTAVAIL;
	}
	memcpy(a->ip, &v4, 4);
	return 0;
}

int gc_instance_up(struct gc_instance *gc, struct netlink_ext_ack *extack)
{
	struct gc_engine *e;
	struct gc_addr self;
	u64 now = gc_now_us();
	u32 i;
	int ret;

	lockdep_assert_held(&gc->lock);
	if (gc->state != GC_STATE_DOWN) {
		NL_SET_ERR_MSG(extack, "node is already up");
		return -EBUSY;
	}
	if (!gc->name[0]) {
		NL_SET_ERR_MSG(extack, "node has no name: set one first");
		return -EINVAL;
	}
	ret = gc_advertise_addr(gc, &self, extack);
	if (ret)
		return ret;
	e = gc_engine_new(&gc->cfg, gc->name, strlen(gc->name), &self, gc_boot_us(),
			  get_random_u64(), now, &gc_engine_ops, gc);
	if (!e) {
		NL_SET_ERR_MSG(extack, "cannot allocate the protocol engine");
		return -ENOMEM;
	}
	*gc_engine_keyring(e) = gc->keyring;
	gc_items_set_verifier(&e->items, gc->verifier != 0);
	for (i = 0; i < gc->n_agg; i++)
		gc_agg_set(&e->agg, gc->agg[i].name, strlen(gc->agg[i].name), gc->agg[i].value,
			   true, now);

	ret = gc_socket_open(gc, extack);
	if (ret) {
		memzero_explicit(gc_engine_keyring(e), sizeof(struct gc_keyring));
		gc_engine_free(e);
		return ret;
	}
	spin_lock_bh(&gc->engine_lock);
	gc->engine = e;
	gc_members_changed(gc);
	gc->items_gen++;
	gc_timer_rearm(gc, now);
	spin_unlock_bh(&gc->engine_lock);
	gc->state = GC_STATE_UP;
	return 0;
}

void gc_instance_down(struct gc_instance *gc)
{
	struct gc_engine *e;

	lockdep_assert_held(&gc->lock);
	if (gc->state == GC_STATE_DOWN)
		return;
	/* From here no receive or timer reaches the engine, and the timer is
	 * not rearmed; then the socket goes, and the engine once nothing can
	 * be running on it.
	 */
	spin_lock_bh(&gc->engine_lock);
	e = gc->engine;
	gc->engine = NULL;
	gc_members_changed(gc);
	gc->items_gen++;
	spin_unlock_bh(&gc->engine_lock);
	del_timer_sync(&gc->timer);
	gc_socket_close(gc);
	memzero_explicit(gc_engine_keyring(e), sizeof(struct gc_keyring));
	gc_engine_free(e);
	gc->state = GC_STATE_DOWN;
}
