// SPDX-License-Identifier: GPL-2.0
/*
 * The gossipchain generic netlink family: strict per-command policies, extack
 * messages that name the attribute at fault, and all-or-nothing changes.
 * uapi/gossipchain.h documents every command.
 */
#include <net/addrconf.h>
#include <net/genetlink.h>

#include "core/engine.h"
#include "core/node_name.h"
#include "instance.h"
#include "netlink.h"
#include "version.h"

static const struct genl_multicast_group gc_mcgrps[] = {
	[GC_MCGRP_EVENTS_ID] = { .name = GC_MCGRP_EVENTS },
	[GC_MCGRP_ITEMS_ID] = { .name = GC_MCGRP_ITEMS },
};

static int gc_validate_listen_addr(const struct nlattr *attr,
				   struct netlink_ext_ack *extack)
{
	if (nla_len(attr) == sizeof(struct in_addr)) {
		__be32 a = nla_get_in_addr(attr);

		if (ipv4_is_multicast(a) || ipv4_is_lbcast(a)) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "listen address must not be multicast or broadcast");
			return -EINVAL;
		}
		return 0;
	}
	if (nla_len(attr) == sizeof(struct in6_addr)) {
		struct in6_addr a = nla_get_in6_addr(attr);

		if (ipv6_addr_is_multicast(&a)) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "listen address must not be multicast");
			return -EINVAL;
		}
		return 0;
	}
	NL_SET_ERR_MSG_ATTR(extack, attr,
			    "listen address must be 4 (IPv4) or 16 (IPv6) bytes");
	return -EINVAL;
}

/* Commands that take no attributes still get a policy, so strict validation
 * refuses any attribute sent to them instead of ignoring it.
 */
static const struct nla_policy gc_no_attr_policy[GC_A_MAX + 1];

static const struct nla_policy gc_set_node_policy[GC_A_MAX + 1] = {
	[GC_A_NODE_NAME] = { .type = NLA_NUL_STRING, .len = GC_NODE_NAME_MAX - 1 },
	[GC_A_LISTEN_ADDR] = NLA_POLICY_VALIDATE_FN(NLA_BINARY, gc_validate_listen_addr,
						    sizeof(struct in6_addr)),
	[GC_A_LISTEN_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
};

static int gc_put_listen_addr(struct sk_buff *skb, const struct gc_listen *l)
{
	if (l->addr_len == sizeof(struct in_addr))
		return nla_put_in_addr(skb, GC_A_LISTEN_ADDR, l->addr.v4.s_addr);
	return nla_put_in6_addr(skb, GC_A_LISTEN_ADDR, &l->addr.v6);
}

static int gc_fill_node(struct sk_buff *skb, struct gc_instance *gc)
{
	if (nla_put_string(skb, GC_A_NODE_NAME, gc->name) ||
	    gc_put_listen_addr(skb, &gc->listen) ||
	    nla_put_u16(skb, GC_A_LISTEN_PORT, gc->listen.port) ||
	    nla_put_u32(skb, GC_A_CONFIG_GEN, gc->config_gen) ||
	    nla_put_u8(skb, GC_A_KEY_COUNT, gc->keyring.count))
		return -EMSGSIZE;
	return 0;
}

static int gc_fill_status(struct sk_buff *skb, struct gc_instance *gc)
{
	if (nla_put_string(skb, GC_A_VERSION, GC_VERSION) ||
	    nla_put_u8(skb, GC_A_PROTOCOL, GC_PROTOCOL_VERSION) ||
	    nla_put_u8(skb, GC_A_STATE, gc->state) ||
	    nla_put_u32(skb, GC_A_MEMBERS, gc_member_count(gc)) ||
	    nla_put_u8(skb, GC_A_JOINING, gc_joining(gc)) ||
	    nla_put_u32(skb, GC_A_CONFIG_GEN, gc->config_gen))
		return -EMSGSIZE;
	return 0;
}

int gc_reply(struct genl_info *info, u8 cmd, gc_fill_fn fill)
{
	struct gc_instance *gc = gc_instance_of(genl_info_net(info));
	struct sk_buff *skb;
	void *hdr;
	int ret;

	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	hdr = genlmsg_put_reply(skb, info, &gc_genl_family, 0, cmd);
	if (!hdr) {
		ret = -EMSGSIZE;
		goto err;
	}
	mutex_lock(&gc->lock);
	ret = fill(skb, gc);
	mutex_unlock(&gc->lock);
	if (ret)
		goto err;
	genlmsg_end(skb, hdr);
	return genlmsg_reply(skb, info);
err:
	nlmsg_free(skb);
	return ret;
}

static int gc_get_node(struct sk_buff *skb, struct genl_info *info)
{
	return gc_reply(info, GC_CMD_GET_NODE, gc_fill_node);
}

static int gc_get_status(struct sk_buff *skb, struct genl_info *info)
{
	return gc_reply(info, GC_CMD_GET_STATUS, gc_fill_status);
}

/* Tell listeners of the namespace what the configuration now is. */
static void gc_notify_node(struct gc_instance *gc)
{
	struct sk_buff *skb;
	void *hdr;

	if (!genl_has_listeners(&gc_genl_family, gc->net, GC_MCGRP_EVENTS_ID))
		return;
	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &gc_genl_family, 0, GC_CMD_SET_NODE);
	if (!hdr || gc_fill_node(skb, gc)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&gc_genl_family, gc->net, skb, 0,
				GC_MCGRP_EVENTS_ID, GFP_KERNEL);
}

/* Checks and stores name, address and port of a request, all or nothing;
 * returns 1 when something changed (the caller publishes it). Under
 * gc->lock.
 */
static int gc_apply_node(struct gc_instance *gc, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct nlattr *name = attrs[GC_A_NODE_NAME];
	struct nlattr *addr = attrs[GC_A_LISTEN_ADDR];
	struct nlattr *port = attrs[GC_A_LISTEN_PORT];

	if (!name && !addr && !port)
		return 0;
	if (name && !gc_node_name_valid(nla_data(name), strlen(nla_data(name)))) {
		NL_SET_ERR_MSG_ATTR(info->extack, name, "node name must be " GC_NODE_NAME_RULE);
		return -EINVAL;
	}
	if (gc->state != GC_STATE_DOWN) {
		NL_SET_ERR_MSG(info->extack,
			       "name, address and port change only while the node is down");
		return -EBUSY;
	}
	if (name)
		nla_strscpy(gc->name, name, sizeof(gc->name));
	if (addr) {
		gc->listen.addr_len = nla_len(addr);
		nla_memcpy(&gc->listen.addr, addr, sizeof(gc->listen.addr));
	}
	if (port)
		gc->listen.port = nla_get_u16(port);
	return 1;
}

static void gc_node_changed(struct gc_instance *gc)
{
	gc->config_gen++;
	gc_notify_node(gc);
}

static int gc_set_node(struct sk_buff *skb, struct genl_info *info)
{
	struct gc_instance *gc = gc_instance_of(genl_info_net(info));
	int ret;

	mutex_lock(&gc->lock);
	ret = gc_apply_node(gc, info);
	if (ret > 0)
		gc_node_changed(gc);
	mutex_unlock(&gc->lock);
	if (!ret) {
		NL_SET_ERR_MSG(info->extack, "nothing to change");
		return -EINVAL;
	}
	return ret < 0 ? ret : 0;
}

static int gc_up(struct sk_buff *skb, struct genl_info *info)
{
	struct gc_instance *gc = gc_instance_of(genl_info_net(info));
	struct gc_listen old;
	int changed, ret;

	mutex_lock(&gc->lock);
	old = gc->listen;
	if (gc->state != GC_STATE_DOWN) {
		NL_SET_ERR_MSG(info->extack, "node is already up");
		ret = -EBUSY;
		goto out;
	}
	changed = gc_apply_node(gc, info);
	if (changed < 0) {
		ret = changed;
		goto out;
	}
	/* All or nothing: a failed up leaves the configuration as it was. */
	ret = gc_instance_up(gc, info->extack);
	if (ret)
		gc->listen = old;
	else if (changed)
		gc_node_changed(gc);
out:
	mutex_unlock(&gc->lock);
	return ret;
}

static int gc_down(struct sk_buff *skb, struct genl_info *info)
{
	struct gc_instance *gc = gc_instance_of(genl_info_net(info));
	int ret = 0;

	mutex_lock(&gc->lock);
	if (gc->state == GC_STATE_DOWN) {
		NL_SET_ERR_MSG(info->extack, "node is already down");
		ret = -ENOTCONN;
	} else {
		gc_instance_down(gc);
	}
	mutex_unlock(&gc->lock);
	return ret;
}

static int gc_validate_seed_addr(const struct nlattr *attr, struct netlink_ext_ack *extack)
{
	if (nla_len(attr) != sizeof(struct in_addr) && nla_len(attr) != sizeof(struct in6_addr)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "seed address must be 4 (IPv4) or 16 (IPv6) bytes");
		return -EINVAL;
	}
	return 0;
}

static const struct nla_policy gc_endpoint_policy[GC_EP_MAX + 1] = {
	[GC_EP_ADDR] = NLA_POLICY_VALIDATE_FN(NLA_BINARY, gc_validate_seed_addr,
					      sizeof(struct in6_addr)),
	[GC_EP_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
};

static const struct nla_policy gc_join_policy[GC_A_MAX + 1] = {
	[GC_A_SEED] = NLA_POLICY_NESTED(gc_endpoint_policy),
};

/* GC_A_SEED may repeat, so the seeds are read from the message itself:
 * info->attrs keeps only the last of each type.
 */
static int gc_parse_seeds(struct genl_info *info, struct gc_addr *seeds)
{
	struct nlattr *tb[GC_EP_MAX + 1];
	const struct nlattr *a;
	int rem, n = 0, ret;

	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(a) != GC_A_SEED)
			continue;
		if (n == GC_MAX_SEEDS) {
			NL_SET_ERR_MSG_ATTR(info->extack, a, "at most 8 seeds");
			return -E2BIG;
		}
		ret = nla_parse_nested(tb, GC_EP_MAX, a, gc_endpoint_policy, info->extack);
		if (ret)
			return ret;
		if (!tb[GC_EP_ADDR]) {
			NL_SET_ERR_MSG_ATTR(info->extack, a, "a seed needs an address");
			return -EINVAL;
		}
		seeds[n].family = nla_len(tb[GC_EP_ADDR]) == 4 ? 4 : 6;
		nla_memcpy(seeds[n].ip, tb[GC_EP_ADDR], sizeof(seeds[n].ip));
		seeds[n].port = tb[GC_EP_PORT] ? nla_get_u16(tb[GC_EP_PORT]) : GC_DEFAULT_PORT;
		n++;
	}
	if (!n) {
		NL_SET_ERR_MSG(info->extack, "no seed to join");
		return -EINVAL;
	}
	return n;
}

static int gc_join(struct sk_buff *skb, struct genl_info *info)
{
	struct gc_instance *gc = gc_instance_of(genl_info_net(info));
	struct gc_addr seeds[GC_MAX_SEEDS] = {};
	struct gc_engine *e;
	struct gc_out out;
	int n, ret = 0;

	n = gc_parse_seeds(info, seeds);
	if (n < 0)
		return n;
	mutex_lock(&gc->lock);
	if (gc->state != GC_STATE_UP) {
		if (gc->state == GC_STATE_DOWN)
			NL_SET_ERR_MSG(info->extack, "node is down: bring it up first");
		else
			NL_SET_ERR_MSG(info->extack, "node has left: down and up again first");
		ret = -ENOTCONN;
		goto out;
	}
	e = gc_engine_get(gc, &out);
	if (e && gc_engine_join(e, seeds, n, gc_now_us()))
		ret = -EINVAL;
	gc_engine_put(gc, &out);
	if (ret)
		NL_SET_ERR_MSG(info->extack, "a seed's address family differs from the node's");
out:
	mutex_unlock(&gc->lock);
	return ret;
}

static int gc_leave(struct sk_buff *skb, struct genl_info *info)
{
	struct gc_instance *gc = gc_instance_of(genl_info_net(info));
	struct gc_engine *e;
	struct gc_out out;
	int ret = 0;

	mutex_lock(&gc->lock);
	if (gc->state != GC_STATE_UP) {
		if (gc->state == GC_STATE_DOWN)
			NL_SET_ERR_MSG(info->extack, "node is down");
		else
			NL_SET_ERR_MSG(info->extack, "node has already left");
		ret = -ENOTCONN;
		goto out;
	}
	e = gc_engine_get(gc, &out);
	if (e)
		gc_engine_leave(e, gc_now_us());
	gc_engine_put(gc, &out);
	gc->state = GC_STATE_LEFT;
out:
	mutex_unlock(&gc->lock);
	return ret;
}

static const struct nla_policy gc_up_policy[GC_A_MAX + 1] = {
	[GC_A_LISTEN_ADDR] = NLA_POLICY_VALIDATE_FN(NLA_BINARY, gc_validate_listen_addr,
						    sizeof(struct in6_addr)),
	[GC_A_LISTEN_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
};

#define GC_OP(c, fn, pol, fl) \
	{ .cmd = (c), .doit = (fn), .policy = (pol), .maxattr = GC_A_MAX, .flags = (fl) }

static const struct genl_ops gc_genl_ops[] = {
	GC_OP(GC_CMD_GET_NODE, gc_get_node, gc_no_attr_policy, 0),
	GC_OP(GC_CMD_SET_NODE, gc_set_node, gc_set_node_policy, GENL_UNS_ADMIN_PERM),
	GC_OP(GC_CMD_GET_STATUS, gc_get_status, gc_no_attr_policy, 0),
	GC_OP(GC_CMD_UP, gc_up, gc_up_policy, GENL_UNS_ADMIN_PERM),
	GC_OP(GC_CMD_DOWN, gc_down, gc_no_attr_policy, GENL_UNS_ADMIN_PERM),
	GC_OP(GC_CMD_GET_PARAMS, gc_nl_get_params, gc_no_attr_policy, 0),
	GC_OP(GC_CMD_SET_PARAMS, gc_nl_set_params, gc_params_policy, GENL_UNS_ADMIN_PERM),
	GC_OP(GC_CMD_KEY_ADD, gc_nl_key_add, gc_key_policy, GENL_UNS_ADMIN_PERM),
	GC_OP(GC_CMD_KEY_USE, gc_nl_key_use, gc_key_policy, GENL_UNS_ADMIN_PERM),
	GC_OP(GC_CMD_KEY_DEL, gc_nl_key_del, gc_key_policy, GENL_UNS_ADMIN_PERM),
	GC_OP(GC_CMD_JOIN, gc_join, gc_join_policy, GENL_UNS_ADMIN_PERM),
	GC_OP(GC_CMD_LEAVE, gc_leave, gc_no_attr_policy, GENL_UNS_ADMIN_PERM),
	{
		.cmd = GC_CMD_GET_MEMBER,
		.dumpit = gc_nl_dump_members,
		.policy = gc_no_attr_policy,
		.maxattr = GC_A_MAX,
	},
	GC_OP(GC_CMD_GET_STATS, gc_nl_get_stats, gc_no_attr_policy, 0),
	GC_OP(GC_CMD_ITEM_PUT, gc_nl_item_put, gc_item_put_policy, GENL_UNS_ADMIN_PERM),
	GC_OP(GC_CMD_ITEM_GET, gc_nl_item_get, gc_item_get_policy, 0),
	{
		.cmd = GC_CMD_GET_ORIGIN,
		.dumpit = gc_nl_dump_origins,
		.policy = gc_no_attr_policy,
		.maxattr = GC_A_MAX,
	},
	GC_OP(GC_CMD_SET_VERIFIER, gc_nl_set_verifier, gc_verifier_policy, GENL_UNS_ADMIN_PERM),
	GC_OP(GC_CMD_ITEM_VERDICT, gc_nl_item_verdict, gc_verdict_policy, GENL_UNS_ADMIN_PERM),
	GC_OP(GC_CMD_AGG_SET, gc_nl_agg_set, gc_agg_set_policy, GENL_UNS_ADMIN_PERM),
	GC_OP(GC_CMD_GET_AGG, gc_nl_get_agg, gc_no_attr_policy, 0),
};

struct genl_family gc_genl_family __ro_after_init = {
	.name = GOSSIPCHAIN_GENL_NAME,
	.version = GOSSIPCHAIN_GENL_VERSION,
	.maxattr = GC_A_MAX,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = gc_genl_ops,
	.n_ops = ARRAY_SIZE(gc_genl_ops),
	.mcgrps = gc_mcgrps,
	.n_mcgrps = ARRAY_SIZE(gc_mcgrps),
};

int __init gc_genl_init(void)
{
	return genl_register_family(&gc_genl_family);
}

void gc_genl_uninit(void)
{
	genl_unregister_family(&gc_genl_family);
}
