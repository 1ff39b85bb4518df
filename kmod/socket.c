// SPDX-License-Identifier: GPL-2.0
/*
 * The instance's UDP socket, a kernel socket set up as a UDP tunnel (as
 * WireGuard's): datagrams reach gc_udp_recv() from the UDP receive path in
 * softirq and never queue for user space; sends build the UDP and IP headers
 * with udp_tunnel_xmit_skb() after a route lookup, from any context.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/ipv6_stubs.h>
#include <net/route.h>
#include <net/udp_tunnel.h>

#include "instance.h"

static int gc_udp_recv(struct sock *sk, struct sk_buff *skb)
{
	struct gc_instance *gc = rcu_dereference_sk_user_data(sk);
	struct gc_addr from = {};
	unsigned int off, len;

	if (unlikely(!gc))
		goto free;
	/* The UDP layer has checked the checksum and trimmed the skb to the
	 * UDP length; the data starts at the UDP header.
	 */
	off = skb_transport_offset(skb) + sizeof(struct udphdr);
	if (unlikely(skb_transport_offset(skb) < 0 || skb->len < off))
		goto drop;
	len = skb->len - off;
	if (unlikely(len > GC_MAX_MTU || skb_linearize(skb)))
		goto drop;

	from.port = ntohs(udp_hdr(skb)->source);
	if (sk->sk_family == AF_INET) {
		from.family = 4;
		memcpy(from.ip, &ip_hdr(skb)->saddr, 4);
	} else {
		from.family = 6;
		memcpy(from.ip, &ipv6_hdr(skb)->saddr, 16);
	}
	gc_stat_inc(gc, rx_packets);
	gc_stat_add(gc, rx_bytes, len);
	gc_instance_rx(gc, &from, skb->data + off, len);
	consume_skb(skb);
	return 0;
drop:
	gc_stat_inc(gc, rx_socket_drops);
free:
	kfree_skb(skb);
	return 0;
}

int gc_socket_open(struct gc_instance *gc, struct netlink_ext_ack *extack)
{
	struct udp_tunnel_sock_cfg tcfg = {
		.sk_user_data = gc,
		.encap_type = 1,
		.encap_rcv = gc_udp_recv,
	};
	struct udp_port_cfg pcfg = {
		.local_udp_port = htons(gc->listen.port),
		.use_udp_checksums = true,
		.use_udp6_tx_checksums = true,
		.use_udp6_rx_checksums = true,
		.ipv6_v6only = true,
	};
	struct socket *sock;
	int ret;

	if (gc->listen.addr_len == sizeof(struct in6_addr)) {
		pcfg.family = AF_INET6;
		pcfg.local_ip6 = gc->listen.addr.v6;
	} else {
		pcfg.family = AF_INET;
		pcfg.local_ip = gc->listen.addr.v4;
	}
	ret = udp_sock_create(gc->net, &pcfg, &sock);
	if (ret) {
		if (ret == -EADDRINUSE)
			NL_SET_ERR_MSG(extack, "the listen port is in use");
		else if (ret == -EADDRNOTAVAIL)
			NL_SET_ERR_MSG(extack,
				       "the listen address is not an address of this namespace");
		else
			NL_SET_ERR_MSG(extack, "cannot open the UDP socket");
		return ret;
	}
	/* Sends come from softirq: never sleep for memory. */
	sock->sk->sk_allocation = GFP_ATOMIC;
	setup_udp_tunnel_sock(gc->net, sock, &tcfg);
	rcu_assign_pointer(gc->sock, sock->sk);
	return 0;
}

void gc_socket_close(struct gc_instance *gc)
{
	struct sock *sk = rcu_dereference_protected(gc->sock, lockdep_is_held(&gc->lock));

	if (!sk)
		return;
	RCU_INIT_POINTER(gc->sock, NULL);
	/* Senders hold the socket under RCU; the receive path reaches the
	 * instance through sk_user_data, which the release clears. Wait out
	 * both, so neither runs once the instance or the module is gone.
	 */
	synchronize_net();
	udp_tunnel_sock_release(sk->sk_socket);
	synchronize_net();
}

static int gc_send4(struct sock *sk, struct sk_buff *skb, const struct gc_addr *to)
{
	struct flowi4 fl = {
		.saddr = inet_sk(sk)->inet_saddr,
		.fl4_sport = inet_sk(sk)->inet_sport,
		.fl4_dport = htons(to->port),
		.flowi4_proto = IPPROTO_UDP,
	};
	struct rtable *rt;

	memcpy(&fl.daddr, to->ip, 4);
	rt = ip_route_output_flow(sock_net(sk), &fl, sk);
	if (IS_ERR(rt))
		return PTR_ERR(rt);
	skb->ignore_df = 1;
	udp_tunnel_xmit_skb(rt, sk, skb, fl.saddr, fl.daddr, 0, ip4_dst_hoplimit(&rt->dst), 0,
			    fl.fl4_sport, fl.fl4_dport, false, false);
	return 0;
}

static int gc_send6(struct sock *sk, struct sk_buff *skb, const struct gc_addr *to)
{
#if IS_ENABLED(CONFIG_IPV6)
	struct flowi6 fl = {
		.saddr = sk->sk_v6_rcv_saddr,
		.fl6_sport = inet_sk(sk)->inet_sport,
		.fl6_dport = htons(to->port),
		.flowi6_proto = IPPROTO_UDP,
	};
	struct dst_entry *dst;

	memcpy(&fl.daddr, to->ip, 16);
	dst = ipv6_stub->ipv6_dst_lookup_flow(sock_net(sk), sk, &fl, NULL);
	if (IS_ERR(dst))
		return PTR_ERR(dst);
	skb->ignore_df = 1;
	udp_tunnel6_xmit_skb(dst, sk, skb, NULL, &fl.saddr, &fl.daddr, 0,
			     ip6_dst_hoplimit(dst), 0, fl.fl6_sport, fl.fl6_dport, false);
	return 0;
#else
	return -EAFNOSUPPORT;
#endif
}

/* Consumes skb. A peer of the other address family than the socket's is
 * unreachable: the socket is IPv4-only or IPv6-only.
 */
void gc_socket_send(struct gc_instance *gc, struct sk_buff *skb, const struct gc_addr *to)
{
	unsigned int len = skb->len;
	struct sock *sk;
	int ret;

	rcu_read_lock_bh();
	sk = rcu_dereference_bh(gc->sock);
	if (!sk)
		ret = -ENOTCONN;
	else if (to->family == 4 && sk->sk_family == AF_INET)
		ret = gc_send4(sk, skb, to);
	else if (to->family == 6 && sk->sk_family == AF_INET6)
		ret = gc_send6(sk, skb, to);
	else
		ret = -EAFNOSUPPORT;
	rcu_read_unlock_bh();
	if (ret) {
		kfree_skb(skb);
		gc_stat_inc(gc, tx_errors);
		net_dbg_ratelimited("send failed: %d\n", ret);
		return;
	}
	gc_stat_inc(gc, tx_packets);
	gc_stat_add(gc, tx_bytes, len);
}
