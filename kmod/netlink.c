// SPDX-License-Identifier: GPL-2.0
/*
 * The gossipchain generic netlink family: strict per-command policies, extack
 * messages that name the attribute at fault, and all-or-nothing changes.
 * uapi/gossipchain.h documents every command.
 */
#include <net/addrconf.h>
#include <net/genetlink.h>

#include "core/node_name.h"
#include "instance.h"
#include "netlink.h"
#include "version.h"

enum gc_mcgrp {
	GC_MCGRP_EVENTS_ID,
};

static const struct genl_multicast_group gc_mcgrps[] = {
	[GC_MCGRP_EVENTS_ID] = { .name = GC_MCGRP_EVENTS },
};

static struct genl_family gc_genl_family;

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

static int gc_fill_node(struct sk_buff *skb, const struct gc_instance *gc)
{
	if (nla_put_string(skb, GC_A_NODE_NAME, gc->name) ||
	    gc_put_listen_addr(skb, &gc->listen) ||
	    nla_put_u16(skb, GC_A_LISTEN_PORT, gc->listen.port) ||
	    nla_put_u32(skb, GC_A_CONFIG_GEN, gc->config_gen))
		return -EMSGSIZE;
	return 0;
}

static int gc_fill_status(struct sk_buff *skb, const struct gc_instance *gc)
{
	if (nla_put_string(skb, GC_A_VERSION, GC_VERSION) ||
	    nla_put_u8(skb, GC_A_PROTOCOL, GC_PROTOCOL_VERSION) ||
	    nla_put_u8(skb, GC_A_STATE, gc->state) ||
	    nla_put_u32(skb, GC_A_MEMBERS, gc->state == GC_STATE_UP ? 1 : 0) ||
	    nla_put_u32(skb, GC_A_CONFIG_GEN, gc->config_gen))
		return -EMSGSIZE;
	return 0;
}

typedef int (*gc_fill_fn)(struct sk_buff *skb, const struct gc_instance *gc);

static int gc_reply(struct genl_info *info, u8 cmd, gc_fill_fn fill)
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

static int gc_set_node(struct sk_buff *skb, struct genl_info *info)
{
	struct gc_instance *gc = gc_instance_of(genl_info_net(info));
	struct nlattr **attrs = info->attrs;
	struct nlattr *name = attrs[GC_A_NODE_NAME];
	struct nlattr *addr = attrs[GC_A_LISTEN_ADDR];
	struct nlattr *port = attrs[GC_A_LISTEN_PORT];

	if (!name && !addr && !port) {
		NL_SET_ERR_MSG(info->extack, "nothing to change");
		return -EINVAL;
	}
	/* Validate everything before changing anything. */
	if (name && !gc_node_name_valid(nla_data(name), strlen(nla_data(name)))) {
		NL_SET_ERR_MSG_ATTR(info->extack, name,
				    "node name must be " GC_NODE_NAME_RULE);
		return -EINVAL;
	}

	mutex_lock(&gc->lock);
	if (name)
		nla_strscpy(gc->name, name, sizeof(gc->name));
	if (addr) {
		gc->listen.addr_len = nla_len(addr);
		nla_memcpy(&gc->listen.addr, addr, sizeof(gc->listen.addr));
	}
	if (port)
		gc->listen.port = nla_get_u16(port);
	gc->config_gen++;
	gc_notify_node(gc);
	mutex_unlock(&gc->lock);
	return 0;
}

static const struct genl_ops gc_genl_ops[] = {
	{
		.cmd = GC_CMD_GET_NODE,
		.doit = gc_get_node,
		.policy = gc_no_attr_policy,
		.maxattr = GC_A_MAX,
	},
	{
		.cmd = GC_CMD_SET_NODE,
		.doit = gc_set_node,
		.policy = gc_set_node_policy,
		.maxattr = GC_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = GC_CMD_GET_STATUS,
		.doit = gc_get_status,
		.policy = gc_no_attr_policy,
		.maxattr = GC_A_MAX,
	},
};

static struct genl_family gc_genl_family __ro_after_init = {
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
