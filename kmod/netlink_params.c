// SPDX-License-Identifier: GPL-2.0
/*
 * Protocol parameters and the cluster keyring over netlink. Parameters are
 * checked as a whole set before any is applied; keys go in and never out.
 */
#include <net/genetlink.h>

#include "core/engine.h"
#include "netlink.h"

static const struct nla_policy gc_param_policy[GC_P_MAX + 1] = {
	[GC_P_PROBE_INTERVAL_MS ... GC_P_MAX] = { .type = NLA_U32 },
};

const struct nla_policy gc_params_policy[GC_A_MAX + 1] = {
	[GC_A_PARAMS] = NLA_POLICY_NESTED(gc_param_policy),
};

const struct nla_policy gc_key_policy[GC_A_MAX + 1] = {
	[GC_A_KEY] = NLA_POLICY_EXACT_LEN(GC_KEY_LEN),
};

static int gc_fill_params(struct sk_buff *skb, struct gc_instance *gc)
{
	struct nlattr *nest = nla_nest_start(skb, GC_A_PARAMS);
	unsigned int id;

	if (!nest)
		return -EMSGSIZE;
	for (id = 1; id <= GC_P_MAX; id++)
		if (nla_put_u32(skb, id, *gc_param(&gc->cfg, id)))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

int gc_nl_get_params(struct sk_buff *skb, struct genl_info *info)
{
	return gc_reply(info, GC_CMD_GET_PARAMS, gc_fill_params);
}

int gc_nl_set_params(struct sk_buff *skb, struct genl_info *info)
{
	struct gc_instance *gc = gc_instance_of(genl_info_net(info));
	struct nlattr *tb[GC_P_MAX + 1];
	struct gc_config cfg;
	const char *bad;
	struct gc_engine *e;
	struct gc_out out;
	unsigned int id;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, GC_A_PARAMS))
		return -EINVAL;
	ret = nla_parse_nested(tb, GC_P_MAX, info->attrs[GC_A_PARAMS], gc_param_policy,
			       info->extack);
	if (ret)
		return ret;

	mutex_lock(&gc->lock);
	cfg = gc->cfg;
	ret = -EINVAL;
	for (id = 1; id <= GC_P_MAX; id++) {
		if (!tb[id])
			continue;
		*gc_param(&cfg, id) = nla_get_u32(tb[id]);
		ret = 0;
	}
	if (ret) {
		NL_SET_ERR_MSG(info->extack, "no parameter to change");
		goto out;
	}
	bad = gc_config_check(&cfg);
	if (bad) {
		/* A static string of the core: safe to point the ack at. */
		info->extack->_msg = bad;
		ret = -ERANGE;
		goto out;
	}
	if (gc->state != GC_STATE_DOWN &&
	    (cfg.mtu != gc->cfg.mtu || cfg.max_members != gc->cfg.max_members)) {
		NL_SET_ERR_MSG(info->extack, "mtu and max_members change only while down");
		ret = -EBUSY;
		goto out;
	}
	gc->cfg = cfg;
	e = gc_engine_get(gc, &out);
	if (e)
		e->cfg = cfg;
	gc_engine_put(gc, &out);
	gc->config_gen++;
out:
	mutex_unlock(&gc->lock);
	return ret;
}

typedef int (*gc_key_op)(struct gc_keyring *kr, const u8 *key);

/* Applies op to the instance's keyring and, while up, the engine's copy. */
static int gc_key_change(struct genl_info *info, gc_key_op op, const char *refusal)
{
	struct gc_instance *gc = gc_instance_of(genl_info_net(info));
	struct gc_keyring kr;
	struct gc_engine *e;
	struct gc_out out;
	const u8 *key;
	int ret = 0;

	if (GENL_REQ_ATTR_CHECK(info, GC_A_KEY))
		return -EINVAL;
	key = nla_data(info->attrs[GC_A_KEY]);

	mutex_lock(&gc->lock);
	kr = gc->keyring;
	if (op(&kr, key)) {
		/* refusal is a string literal of this file. */
		info->extack->_msg = refusal;
		info->extack->bad_attr = info->attrs[GC_A_KEY];
		ret = -EINVAL;
		goto out;
	}
	gc->keyring = kr;
	e = gc_engine_get(gc, &out);
	if (e)
		*gc_engine_keyring(e) = kr;
	gc_engine_put(gc, &out);
	gc->config_gen++;
out:
	memzero_explicit(&kr, sizeof(kr));
	mutex_unlock(&gc->lock);
	return ret;
}

int gc_nl_key_add(struct sk_buff *skb, struct genl_info *info)
{
	return gc_key_change(info, gc_keyring_add,
			     "the keyring is full (5 keys): remove one first");
}

int gc_nl_key_use(struct sk_buff *skb, struct genl_info *info)
{
	return gc_key_change(info, gc_keyring_use, "no such key in the keyring: add it first");
}

int gc_nl_key_del(struct sk_buff *skb, struct genl_info *info)
{
	return gc_key_change(info, gc_keyring_remove,
			     "no such key, or it is the primary key: use another one first");
}
