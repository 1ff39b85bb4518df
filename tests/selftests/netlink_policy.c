// SPDX-License-Identifier: GPL-2.0
/*
 * Sends the gossipchain family requests that gcctl never would, and checks
 * that each is refused with the right errno and an extack message naming
 * the attribute, and that a refused request changes nothing. Runs as root
 * in the test VM, in a network namespace of its own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/genetlink.h>
#include <sched.h>
#include <string.h>

#include "decode.h"
#include "nl.h"

#include "kselftest_harness.h"

FIXTURE(family)
{
	struct gc_nl nl;
	char buf[GC_NL_BUFSZ];
	struct gc_nl_error e;
};

FIXTURE_SETUP(family)
{
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, gc_nl_open(&self->nl, &self->e))
	TH_LOG("open: %s", self->e.msg);
}

FIXTURE_TEARDOWN(family)
{
	gc_nl_close(&self->nl);
}

static int node_cb(const struct nlmsghdr *nlh, void *data)
{
	return gc_decode_node(nlh, data);
}

static struct gc_node get_node(struct gc_nl *nl)
{
	char buf[GC_NL_BUFSZ];
	struct gc_nl_error e;
	struct gc_node n;
	struct nlmsghdr *req = gc_nl_new_request(nl, buf, GC_CMD_GET_NODE, 0);

	memset(&n, 0, sizeof(n));
	if (gc_nl_talk(nl, req, node_cb, &n, &e) < 0)
		n.family = -1;
	return n;
}

static struct nlmsghdr *set_req(FIXTURE_DATA(family) * self)
{
	return gc_nl_new_request(&self->nl, self->buf, GC_CMD_SET_NODE, 0);
}

/* Sends req and expects it refused with err; the extack must say something. */
#define EXPECT_REFUSED(req, errnum, attr)                                                          \
	do {                                                                                       \
		struct gc_node before = get_node(&self->nl), after;                                \
		ASSERT_EQ(-1, gc_nl_talk(&self->nl, req, NULL, NULL, &self->e));                   \
		EXPECT_EQ(errnum, self->e.err);                                                    \
		EXPECT_NE('\0', self->e.msg[0]);                                                   \
		EXPECT_EQ(attr, self->e.bad_attr);                                                 \
		TH_LOG("refused: %s (attr %d)", self->e.msg, self->e.bad_attr);                    \
		after = get_node(&self->nl);                                                       \
		EXPECT_EQ(before.config_gen, after.config_gen);                                    \
		EXPECT_EQ(before.port, after.port);                                                \
		EXPECT_STREQ(before.name, after.name);                                             \
	} while (0)

TEST_F(family, valid_set_is_applied)
{
	struct nlmsghdr *req = set_req(self);
	struct gc_node n;
	struct in6_addr a6 = {.s6_addr = {0xfd, [15] = 1}};

	mnl_attr_put_strz(req, GC_A_NODE_NAME, "node-1");
	mnl_attr_put(req, GC_A_LISTEN_ADDR, sizeof(a6), &a6);
	mnl_attr_put_u16(req, GC_A_LISTEN_PORT, 9000);
	ASSERT_EQ(0, gc_nl_talk(&self->nl, req, NULL, NULL, &self->e));
	n = get_node(&self->nl);
	EXPECT_STREQ("node-1", n.name);
	EXPECT_EQ(AF_INET6, n.family);
	EXPECT_EQ(0, memcmp(&a6, &n.addr.v6, sizeof(a6)));
	EXPECT_EQ(9000, n.port);
	EXPECT_EQ(1, n.config_gen);
}

TEST_F(family, empty_set_is_refused)
{
	struct nlmsghdr *req = set_req(self);

	EXPECT_REFUSED(req, EINVAL, -1);
	EXPECT_STREQ("nothing to change", self->e.msg);
}

TEST_F(family, port_zero_is_refused)
{
	struct nlmsghdr *req = set_req(self);

	mnl_attr_put_u16(req, GC_A_LISTEN_PORT, 0);
	EXPECT_REFUSED(req, ERANGE, GC_A_LISTEN_PORT);
}

TEST_F(family, port_of_wrong_size_is_refused)
{
	struct nlmsghdr *req = set_req(self);

	mnl_attr_put_u8(req, GC_A_LISTEN_PORT, 7);
	EXPECT_REFUSED(req, EINVAL, GC_A_LISTEN_PORT);
}

TEST_F(family, unterminated_name_is_refused)
{
	struct nlmsghdr *req = set_req(self);

	mnl_attr_put(req, GC_A_NODE_NAME, 4, "abcd");
	EXPECT_REFUSED(req, EINVAL, GC_A_NODE_NAME);
}

TEST_F(family, long_name_is_refused)
{
	struct nlmsghdr *req = set_req(self);
	char name[GC_NODE_NAME_MAX + 1];

	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	mnl_attr_put_strz(req, GC_A_NODE_NAME, name);
	EXPECT_REFUSED(req, EINVAL, GC_A_NODE_NAME);
}

TEST_F(family, bad_characters_in_name_are_refused)
{
	struct nlmsghdr *req = set_req(self);

	mnl_attr_put_strz(req, GC_A_NODE_NAME, "a\tb");
	EXPECT_REFUSED(req, EINVAL, GC_A_NODE_NAME);
	EXPECT_NE(NULL, strstr(self->e.msg, "node name must be"));
}

TEST_F(family, address_of_five_bytes_is_refused)
{
	struct nlmsghdr *req = set_req(self);

	mnl_attr_put(req, GC_A_LISTEN_ADDR, 5, "\x0a\x00\x00\x01\x00");
	EXPECT_REFUSED(req, EINVAL, GC_A_LISTEN_ADDR);
	EXPECT_NE(NULL, strstr(self->e.msg, "4 (IPv4) or 16 (IPv6) bytes"));
}

TEST_F(family, multicast_addresses_are_refused)
{
	struct nlmsghdr *req = set_req(self);
	struct in6_addr m6 = {.s6_addr = {0xff, 0x02, [15] = 1}};

	mnl_attr_put(req, GC_A_LISTEN_ADDR, 4, "\xe0\x00\x00\x01");
	EXPECT_REFUSED(req, EINVAL, GC_A_LISTEN_ADDR);
	req = set_req(self);
	mnl_attr_put(req, GC_A_LISTEN_ADDR, sizeof(m6), &m6);
	EXPECT_REFUSED(req, EINVAL, GC_A_LISTEN_ADDR);
	req = set_req(self);
	mnl_attr_put(req, GC_A_LISTEN_ADDR, 4, "\xff\xff\xff\xff");
	EXPECT_REFUSED(req, EINVAL, GC_A_LISTEN_ADDR);
}

TEST_F(family, read_only_attribute_is_refused)
{
	struct nlmsghdr *req = set_req(self);

	mnl_attr_put_strz(req, GC_A_NODE_NAME, "ok");
	mnl_attr_put_u8(req, GC_A_STATE, GC_STATE_UP);
	EXPECT_REFUSED(req, EINVAL, GC_A_STATE);
}

TEST_F(family, unknown_attribute_is_refused)
{
	struct nlmsghdr *req = set_req(self);

	mnl_attr_put_u32(req, 200, 1);
	EXPECT_REFUSED(req, EINVAL, 200);
}

TEST_F(family, valid_name_with_bad_port_changes_nothing)
{
	struct nlmsghdr *req = set_req(self);

	mnl_attr_put_strz(req, GC_A_NODE_NAME, "would-be");
	mnl_attr_put_u16(req, GC_A_LISTEN_PORT, 0);
	EXPECT_REFUSED(req, ERANGE, GC_A_LISTEN_PORT);
	EXPECT_STREQ("", get_node(&self->nl).name);
}

TEST_F(family, attributes_on_a_get_are_refused)
{
	struct nlmsghdr *req = gc_nl_new_request(&self->nl, self->buf, GC_CMD_GET_NODE, 0);

	mnl_attr_put_u16(req, GC_A_LISTEN_PORT, 1);
	EXPECT_REFUSED(req, EINVAL, GC_A_LISTEN_PORT);
}

TEST_F(family, truncated_attribute_is_refused)
{
	struct nlmsghdr *req = set_req(self);
	struct nlattr *a;

	mnl_attr_put_u16(req, GC_A_LISTEN_PORT, 9);
	a = (struct nlattr *)((char *)req + req->nlmsg_len - MNL_ALIGN(sizeof(*a) + 2));
	a->nla_len = 64; /* claims more than the message holds */
	ASSERT_EQ(-1, gc_nl_talk(&self->nl, req, NULL, NULL, &self->e));
	EXPECT_EQ(EINVAL, self->e.err);
	EXPECT_EQ(0, get_node(&self->nl).config_gen);
}

TEST_F(family, unknown_command_is_refused)
{
	struct nlmsghdr *req = gc_nl_new_request(&self->nl, self->buf, 99, 0);

	ASSERT_EQ(-1, gc_nl_talk(&self->nl, req, NULL, NULL, &self->e));
	EXPECT_EQ(EOPNOTSUPP, self->e.err);
}

TEST_F(family, many_refusals_then_a_good_set)
{
	struct nlmsghdr *req;
	int i;

	for (i = 0; i < 1000; i++) {
		req = set_req(self);
		mnl_attr_put_u16(req, GC_A_LISTEN_PORT, 0);
		ASSERT_EQ(-1, gc_nl_talk(&self->nl, req, NULL, NULL, &self->e));
	}
	req = set_req(self);
	mnl_attr_put_u16(req, GC_A_LISTEN_PORT, 1);
	ASSERT_EQ(0, gc_nl_talk(&self->nl, req, NULL, NULL, &self->e));
	EXPECT_EQ(1, get_node(&self->nl).config_gen);
	EXPECT_EQ(1, get_node(&self->nl).port);
}

TEST_HARNESS_MAIN
