/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The gossipchain generic netlink family. netlink.c holds the family and
 * the commands on the node; the others are split by what they touch.
 */
#ifndef _GC_NETLINK_H
#define _GC_NETLINK_H

#include <net/genetlink.h>

#include "instance.h"

enum gc_mcgrp {
	GC_MCGRP_EVENTS_ID,
	GC_MCGRP_ITEMS_ID,
};

extern struct genl_family gc_genl_family;

/* Set at module exit: instances stop multicasting events. */
extern bool gc_events_off;

int gc_genl_init(void);
void gc_genl_uninit(void);

/* Refuses a request without attribute attr, saying which (a literal). */
#define GC_REQUIRE(info, attr, what)						\
	({									\
		struct genl_info *__info = (info);				\
		bool __missing = !__info->attrs[attr];				\
										\
		if (__missing)							\
			NL_SET_ERR_MSG(__info->extack, what " is missing");	\
		__missing;							\
	})

/* Replies to info with one message of cmd, filled under gc->lock. */
typedef int (*gc_fill_fn)(struct sk_buff *skb, struct gc_instance *gc);
int gc_reply(struct genl_info *info, u8 cmd, gc_fill_fn fill);

/* netlink_params.c */
extern const struct nla_policy gc_params_policy[GC_A_MAX + 1];
extern const struct nla_policy gc_key_policy[GC_A_MAX + 1];
int gc_nl_get_params(struct sk_buff *skb, struct genl_info *info);
int gc_nl_set_params(struct sk_buff *skb, struct genl_info *info);
int gc_nl_key_add(struct sk_buff *skb, struct genl_info *info);
int gc_nl_key_use(struct sk_buff *skb, struct genl_info *info);
int gc_nl_key_del(struct sk_buff *skb, struct genl_info *info);

/* netlink_members.c */
/* A name of the core, which is not NUL-terminated, as a string attribute. */
int gc_put_name(struct sk_buff *skb, int type, const char *name, u8 len);
int gc_nl_dump_members(struct sk_buff *skb, struct netlink_callback *cb);
int gc_nl_get_stats(struct sk_buff *skb, struct genl_info *info);
u32 gc_member_count(struct gc_instance *gc);
bool gc_joining(struct gc_instance *gc);

/* netlink_items.c */
extern const struct nla_policy gc_item_put_policy[GC_A_MAX + 1];
extern const struct nla_policy gc_item_get_policy[GC_A_MAX + 1];
extern const struct nla_policy gc_verdict_policy[GC_A_MAX + 1];
extern const struct nla_policy gc_verifier_policy[GC_A_MAX + 1];
int gc_nl_item_put(struct sk_buff *skb, struct genl_info *info);
int gc_nl_item_get(struct sk_buff *skb, struct genl_info *info);
int gc_nl_dump_origins(struct sk_buff *skb, struct netlink_callback *cb);
int gc_nl_set_verifier(struct sk_buff *skb, struct genl_info *info);
int gc_nl_item_verdict(struct sk_buff *skb, struct genl_info *info);

/* netlink_agg.c */
extern const struct nla_policy gc_agg_set_policy[GC_A_MAX + 1];
int gc_nl_agg_set(struct sk_buff *skb, struct genl_info *info);
int gc_nl_get_agg(struct sk_buff *skb, struct genl_info *info);

#endif /* _GC_NETLINK_H */
