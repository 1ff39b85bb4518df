// SPDX-License-Identifier: GPL-2.0
#include "decode.h"

#include <linux/genetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* Copies a NUL-terminated string attribute that must fit in dst. */
static int get_str(const struct nlattr *a, char *dst, size_t size)
{
	if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
		return -1;
	if (strlen(mnl_attr_get_str(a)) >= size)
		return -1;
	strcpy(dst, mnl_attr_get_str(a));
	return 0;
}

int gc_decode_cmd(const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *g;

	/* nlmsg_len, not the payload length: that one underflows below 16. */
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + GENL_HDRLEN)
		return -1;
	g = mnl_nlmsg_get_payload(nlh);
	return g->cmd;
}

static int node_attr_cb(const struct nlattr *a, void *data)
{
	struct gc_node *n = data;

	switch (mnl_attr_get_type(a)) {
	case GC_A_NODE_NAME:
		if (get_str(a, n->name, sizeof(n->name)) < 0)
			return MNL_CB_ERROR;
		n->has_name = true;
		break;
	case GC_A_LISTEN_ADDR:
		if (mnl_attr_get_payload_len(a) == sizeof(n->addr.v4)) {
			n->family = AF_INET;
			memcpy(&n->addr.v4, mnl_attr_get_payload(a), sizeof(n->addr.v4));
		} else if (mnl_attr_get_payload_len(a) == sizeof(n->addr.v6)) {
			n->family = AF_INET6;
			memcpy(&n->addr.v6, mnl_attr_get_payload(a), sizeof(n->addr.v6));
		} else {
			return MNL_CB_ERROR;
		}
		break;
	case GC_A_LISTEN_PORT:
		if (mnl_attr_validate(a, MNL_TYPE_U16) < 0)
			return MNL_CB_ERROR;
		n->port = mnl_attr_get_u16(a);
		n->has_port = true;
		break;
	case GC_A_CONFIG_GEN:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		n->config_gen = mnl_attr_get_u32(a);
		n->has_gen = true;
		break;
	}
	return MNL_CB_OK;
}

int gc_decode_node(const struct nlmsghdr *nlh, struct gc_node *node)
{
	memset(node, 0, sizeof(*node));
	if (gc_decode_cmd(nlh) < 0)
		return MNL_CB_ERROR;
	if (mnl_attr_parse(nlh, GENL_HDRLEN, node_attr_cb, node) != MNL_CB_OK)
		return MNL_CB_ERROR;
	/* A node reply always names all of these; a partial one is malformed. */
	if (!node->has_name || !node->family || !node->has_port || !node->has_gen)
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

static int status_attr_cb(const struct nlattr *a, void *data)
{
	struct gc_status *s = data;

	switch (mnl_attr_get_type(a)) {
	case GC_A_VERSION:
		if (get_str(a, s->version, sizeof(s->version)) < 0)
			return MNL_CB_ERROR;
		s->has_version = true;
		break;
	case GC_A_PROTOCOL:
		if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
			return MNL_CB_ERROR;
		s->protocol = mnl_attr_get_u8(a);
		s->has_protocol = true;
		break;
	case GC_A_STATE:
		if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
			return MNL_CB_ERROR;
		s->state = mnl_attr_get_u8(a);
		s->has_state = true;
		break;
	case GC_A_MEMBERS:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		s->members = mnl_attr_get_u32(a);
		s->has_members = true;
		break;
	case GC_A_CONFIG_GEN:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		s->config_gen = mnl_attr_get_u32(a);
		s->has_gen = true;
		break;
	}
	return MNL_CB_OK;
}

int gc_decode_status(const struct nlmsghdr *nlh, struct gc_status *status)
{
	memset(status, 0, sizeof(*status));
	if (gc_decode_cmd(nlh) < 0)
		return MNL_CB_ERROR;
	if (mnl_attr_parse(nlh, GENL_HDRLEN, status_attr_cb, status) != MNL_CB_OK)
		return MNL_CB_ERROR;
	if (!status->has_version || !status->has_protocol || !status->has_state ||
	    !status->has_members || !status->has_gen)
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

const char *gc_attr_name(int type)
{
	static const char *const names[] = {
		[GC_A_NODE_NAME] = "name",   [GC_A_LISTEN_ADDR] = "address",
		[GC_A_LISTEN_PORT] = "port", [GC_A_CONFIG_GEN] = "config-gen",
		[GC_A_VERSION] = "version",  [GC_A_PROTOCOL] = "protocol",
		[GC_A_STATE] = "state",	     [GC_A_MEMBERS] = "members",
	};

	if (type <= 0 || (size_t)type >= sizeof(names) / sizeof(names[0]) || !names[type])
		return "unknown";
	return names[type];
}

const char *gc_state_name(unsigned int state)
{
	switch (state) {
	case GC_STATE_DOWN:
		return "down";
	case GC_STATE_UP:
		return "up";
	}
	return "unknown";
}
