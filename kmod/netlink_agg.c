// SPDX-License-Identifier: GPL-2.0
/*
 * Aggregates over netlink: the metrics this node publishes, kept by the
 * instance so they survive a down and up, and the cluster-wide estimates.
 */
#include <net/genetlink.h>

#include "core/engine.h"
#include "netlink.h"

const struct nla_policy gc_agg_set_policy[GC_A_MAX + 1] = {
	[GC_A_AGG_NAME] = { .type = NLA_NUL_STRING, .len = GC_AGG_NAME_SIZE - 1 },
	[GC_A_AGG_VALUE] = { .type = NLA_S64 },
};

static int gc_agg_find(const struct gc_instance *gc, const char *name)
{
	u32 i;

	for (i = 0; i < gc->n_agg; i++)
		if (!strcmp(gc->agg[i].name, name))
			return i;
	return -1;
}

int gc_nl_agg_set(struct sk_buff *skb, struct genl_info *info)
{
	struct gc_instance *gc = gc_instance_of(genl_info_net(info));
	struct nlattr *value = info->attrs[GC_A_AGG_VALUE];
	struct gc_engine *e;
	struct gc_out out;
	const char *name;
	int i, ret = 0;

	if (GC_REQUIRE(info, GC_A_AGG_NAME, "the metric name"))
		return -EINVAL;
	name = nla_data(info->attrs[GC_A_AGG_NAME]);
	if (!gc_agg_name_valid(name, strlen(name))) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[GC_A_AGG_NAME],
				    "metric name must be 1 to 31 characters of A-Z a-z 0-9 . _ -");
		return -EINVAL;
	}
	mutex_lock(&gc->lock);
	i = gc_agg_find(gc, name);
	if (!value && i < 0) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[GC_A_AGG_NAME],
				    "this node publishes no such metric");
		ret = -ENOENT;
		goto out;
	}
	if (value && i < 0 && gc->n_agg == GC_AGG_MAX_METRICS) {
		NL_SET_ERR_MSG(info->extack, "a node publishes at most 16 metrics");
		ret = -E2BIG;
		goto out;
	}
	if (!value) {
		gc->agg[i] = gc->agg[--gc->n_agg];
	} else {
		if (i < 0) {
			i = gc->n_agg++;
			strscpy(gc->agg[i].name, name, sizeof(gc->agg[i].name));
		}
		gc->agg[i].value = nla_get_s64(value);
	}
	e = gc_engine_get(gc, &out);
	if (e)
		gc_agg_set(&e->agg, name, strlen(name), value ? nla_get_s64(value) : 0, value,
			   gc_now_us());
	gc_engine_put(gc, &out);
out:
	mutex_unlock(&gc->lock);
	return ret;
}

static int gc_put_estimate(struct sk_buff *skb, const struct gc_agg_estimate *m,
			   const struct gc_agg *a)
{
	struct nlattr *nest = nla_nest_start(skb, GC_A_AGG);
	char name[GC_AGG_NAME_SIZE] = {};
	s64 own;

	if (!nest)
		return -EMSGSIZE;
	memcpy(name, m->name, m->name_len);
	if (nla_put_string(skb, GC_AGG_A_NAME, name) ||
	    (gc_agg_own_value(a, m->name, m->name_len, &own) &&
	     nla_put_s64(skb, GC_AGG_A_OWN, own, GC_AGG_A_PAD)) ||
	    (m->has_avg && nla_put_s64(skb, GC_AGG_A_AVG, m->avg, GC_AGG_A_PAD)) ||
	    (m->has_sum && (nla_put_s64(skb, GC_AGG_A_SUM, m->sum, GC_AGG_A_PAD) ||
			    nla_put_s64(skb, GC_AGG_A_PUBLISHERS, m->publishers,
					GC_AGG_A_PAD))) ||
	    (m->has_range && (nla_put_s64(skb, GC_AGG_A_MINIMUM, m->min, GC_AGG_A_PAD) ||
			      nla_put_s64(skb, GC_AGG_A_MAXIMUM, m->max, GC_AGG_A_PAD))) ||
	    nla_put_u8(skb, GC_AGG_A_SETTLED, m->settled))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

int gc_nl_get_agg(struct sk_buff *skb, struct genl_info *info)
{
	struct gc_instance *gc = gc_instance_of(genl_info_net(info));
	struct gc_agg_result *r;
	struct gc_engine *e;
	struct sk_buff *reply;
	struct gc_out out;
	void *hdr;
	u32 i;
	int ret = 0;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	reply = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	hdr = reply ? genlmsg_put_reply(reply, info, &gc_genl_family, 0, GC_CMD_GET_AGG) : NULL;
	if (!r || !hdr) {
		ret = -ENOMEM;
		goto fail;
	}
	e = gc_engine_get(gc, &out);
	if (e) {
		gc_agg_report(&e->agg, r);
		ret = nla_put_u32(reply, GC_A_AGG_EPOCH, r->epoch) ||
		      nla_put_u32(reply, GC_A_AGG_ROUNDS, r->rounds) ||
		      nla_put_u8(reply, GC_A_AGG_VALID, r->valid) ||
		      (r->has_nodes && nla_put_s64(reply, GC_A_AGG_NODES, r->nodes, GC_A_PAD));
		for (i = 0; i < r->n && !ret; i++)
			ret = gc_put_estimate(reply, &r->m[i], &e->agg);
		ret = ret ? -EMSGSIZE : 0;
	} else {
		NL_SET_ERR_MSG(info->extack, "node is down: bring it up first");
		ret = -ENOTCONN;
	}
	gc_engine_put(gc, &out);
	if (ret)
		goto fail;
	kfree(r);
	genlmsg_end(reply, hdr);
	return genlmsg_reply(reply, info);
fail:
	kfree(r);
	nlmsg_free(reply);
	return ret;
}
