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
#include <arpa/inet.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>
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

/* ---- lifecycle, parameters, keys, join ---- */

/* Sends req: 0, or the errno the kernel answered (self->e has the extack). */
static int talk(FIXTURE_DATA(family) * self, struct nlmsghdr *req)
{
	return gc_nl_talk(&self->nl, req, NULL, NULL, &self->e) ? self->e.err : 0;
}

static struct nlmsghdr *req_of(FIXTURE_DATA(family) * self, uint8_t cmd)
{
	return gc_nl_new_request(&self->nl, self->buf, cmd, 0);
}

static int status_cb(const struct nlmsghdr *nlh, void *data)
{
	return gc_decode_status(nlh, data);
}

static struct gc_status get_status(struct gc_nl *nl)
{
	char buf[GC_NL_BUFSZ];
	struct gc_nl_error e;
	struct gc_status s = {0};

	gc_nl_talk(nl, gc_nl_new_request(nl, buf, GC_CMD_GET_STATUS, 0), status_cb, &s, &e);
	return s;
}

static int up_on_loopback(FIXTURE_DATA(family) * self, uint16_t port)
{
	struct nlmsghdr *req = set_req(self);
	struct in_addr lo = {htonl(INADDR_LOOPBACK)};

	mnl_attr_put_strz(req, GC_A_NODE_NAME, "n1");
	if (talk(self, req))
		return -1;
	if (system("ip link set lo up"))
		return -1;
	req = req_of(self, GC_CMD_UP);
	mnl_attr_put(req, GC_A_LISTEN_ADDR, 4, &lo);
	mnl_attr_put_u16(req, GC_A_LISTEN_PORT, port);
	return talk(self, req);
}

TEST_F(family, up_without_a_name_is_refused)
{
	EXPECT_EQ(EINVAL, talk(self, req_of(self, GC_CMD_UP)));
	EXPECT_STREQ("node has no name: set one first", self->e.msg);
	EXPECT_EQ(GC_STATE_DOWN, get_status(&self->nl).state);
}

TEST_F(family, up_down_and_their_refusals)
{
	struct nlmsghdr *req;

	EXPECT_EQ(ENOTCONN, talk(self, req_of(self, GC_CMD_DOWN)));
	ASSERT_EQ(0, up_on_loopback(self, 7001));
	EXPECT_EQ(GC_STATE_UP, get_status(&self->nl).state);
	EXPECT_EQ(1, get_status(&self->nl).members);
	EXPECT_EQ(EBUSY, talk(self, req_of(self, GC_CMD_UP)));
	/* Name, address and port are fixed while up. */
	req = set_req(self);
	mnl_attr_put_u16(req, GC_A_LISTEN_PORT, 7002);
	EXPECT_EQ(EBUSY, talk(self, req));
	EXPECT_EQ(7001, get_node(&self->nl).port);
	EXPECT_EQ(0, talk(self, req_of(self, GC_CMD_DOWN)));
	EXPECT_EQ(GC_STATE_DOWN, get_status(&self->nl).state);
	EXPECT_EQ(0, get_status(&self->nl).members);
	/* And up again on the same port: the socket was released. */
	EXPECT_EQ(0, talk(self, req_of(self, GC_CMD_UP)));
	EXPECT_EQ(0, talk(self, req_of(self, GC_CMD_DOWN)));
}

TEST_F(family, up_on_a_taken_port_or_a_foreign_address_is_refused)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(7003)};
	struct in_addr other = {htonl(0x0a0b0c0d)};
	struct nlmsghdr *req;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	ASSERT_EQ(0, system("ip link set lo up"));
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&sin, sizeof(sin)));
	req = set_req(self);
	mnl_attr_put_strz(req, GC_A_NODE_NAME, "n1");
	ASSERT_EQ(0, talk(self, req));
	req = req_of(self, GC_CMD_UP);
	mnl_attr_put(req, GC_A_LISTEN_ADDR, 4, &(struct in_addr){htonl(INADDR_LOOPBACK)});
	mnl_attr_put_u16(req, GC_A_LISTEN_PORT, 7003);
	EXPECT_EQ(EADDRINUSE, talk(self, req));
	EXPECT_STREQ("the listen port is in use", self->e.msg);
	close(fd);
	req = req_of(self, GC_CMD_UP);
	mnl_attr_put(req, GC_A_LISTEN_ADDR, 4, &other);
	EXPECT_EQ(EADDRNOTAVAIL, talk(self, req));
	EXPECT_EQ(GC_STATE_DOWN, get_status(&self->nl).state);
}

TEST_F(family, up_on_the_wildcard_with_nothing_to_advertise_is_refused)
{
	struct nlmsghdr *req = set_req(self);

	mnl_attr_put_strz(req, GC_A_NODE_NAME, "n1");
	ASSERT_EQ(0, talk(self, req));
	/* Only loopback in this namespace. */
	EXPECT_EQ(EADDRNOTAVAIL, talk(self, req_of(self, GC_CMD_UP)));
	EXPECT_NE(NULL, strstr(self->e.msg, "no IPv4 address to advertise"));
}

static struct nlmsghdr *params_req(FIXTURE_DATA(family) * self, uint16_t id, uint32_t v)
{
	struct nlmsghdr *req = req_of(self, GC_CMD_SET_PARAMS);
	struct nlattr *nest = mnl_attr_nest_start(req, GC_A_PARAMS);

	mnl_attr_put_u32(req, id, v);
	mnl_attr_nest_end(req, nest);
	return req;
}

TEST_F(family, parameters_are_checked_as_a_set)
{
	EXPECT_EQ(0, talk(self, params_req(self, GC_P_PROBE_INTERVAL_MS, 2000)));
	/* The timeout must stay below the interval. */
	EXPECT_EQ(ERANGE, talk(self, params_req(self, GC_P_PROBE_TIMEOUT_MS, 2000)));
	EXPECT_NE(NULL, strstr(self->e.msg, "probe_timeout_ms"));
	EXPECT_EQ(ERANGE, talk(self, params_req(self, GC_P_MTU, 100)));
	EXPECT_NE(NULL, strstr(self->e.msg, "mtu must be 512 to 9000"));
	/* A nest with nothing in it, or a parameter of the wrong size. */
	{
		struct nlmsghdr *req = req_of(self, GC_CMD_SET_PARAMS);
		struct nlattr *nest = mnl_attr_nest_start(req, GC_A_PARAMS);

		mnl_attr_nest_end(req, nest);
		EXPECT_EQ(EINVAL, talk(self, req));
		req = req_of(self, GC_CMD_SET_PARAMS);
		nest = mnl_attr_nest_start(req, GC_A_PARAMS);
		mnl_attr_put_u16(req, GC_P_MTU, 1000);
		mnl_attr_nest_end(req, nest);
		EXPECT_EQ(EINVAL, talk(self, req));
	}
	EXPECT_EQ(EINVAL, talk(self, req_of(self, GC_CMD_SET_PARAMS)));
}

TEST_F(family, mtu_and_max_members_change_only_while_down)
{
	ASSERT_EQ(0, up_on_loopback(self, 7004));
	EXPECT_EQ(EBUSY, talk(self, params_req(self, GC_P_MTU, 1200)));
	EXPECT_EQ(EBUSY, talk(self, params_req(self, GC_P_MAX_MEMBERS, 100)));
	EXPECT_EQ(0, talk(self, params_req(self, GC_P_GOSSIP_NODES, 5)));
	EXPECT_EQ(0, talk(self, req_of(self, GC_CMD_DOWN)));
	EXPECT_EQ(0, talk(self, params_req(self, GC_P_MTU, 1200)));
}

static struct nlmsghdr *key_req(FIXTURE_DATA(family) * self, uint8_t cmd, uint8_t fill, size_t len)
{
	struct nlmsghdr *req = req_of(self, cmd);
	unsigned char key[64];

	memset(key, fill, sizeof(key));
	mnl_attr_put(req, GC_A_KEY, len, key);
	return req;
}

TEST_F(family, keyring_rules)
{
	/* The policy's exact length: ERANGE, naming the attribute. */
	EXPECT_EQ(ERANGE, talk(self, key_req(self, GC_CMD_KEY_ADD, 1, 31)));
	EXPECT_EQ(GC_A_KEY, self->e.bad_attr);
	EXPECT_EQ(ERANGE, talk(self, key_req(self, GC_CMD_KEY_ADD, 1, 33)));
	EXPECT_EQ(0, talk(self, key_req(self, GC_CMD_KEY_ADD, 1, 32)));
	EXPECT_EQ(0, talk(self, key_req(self, GC_CMD_KEY_ADD, 2, 32)));
	/* The primary cannot go while another key remains. */
	EXPECT_EQ(EINVAL, talk(self, key_req(self, GC_CMD_KEY_DEL, 1, 32)));
	EXPECT_NE(NULL, strstr(self->e.msg, "primary"));
	EXPECT_EQ(EINVAL, talk(self, key_req(self, GC_CMD_KEY_USE, 9, 32)));
	EXPECT_EQ(0, talk(self, key_req(self, GC_CMD_KEY_USE, 2, 32)));
	EXPECT_EQ(0, talk(self, key_req(self, GC_CMD_KEY_DEL, 1, 32)));
	EXPECT_EQ(1, get_node(&self->nl).key_count);
	EXPECT_EQ(0, talk(self, key_req(self, GC_CMD_KEY_ADD, 3, 32)));
	EXPECT_EQ(0, talk(self, key_req(self, GC_CMD_KEY_ADD, 4, 32)));
	EXPECT_EQ(0, talk(self, key_req(self, GC_CMD_KEY_ADD, 5, 32)));
	EXPECT_EQ(0, talk(self, key_req(self, GC_CMD_KEY_ADD, 6, 32)));
	EXPECT_EQ(EINVAL, talk(self, key_req(self, GC_CMD_KEY_ADD, 7, 32)));
	EXPECT_NE(NULL, strstr(self->e.msg, "full"));
	EXPECT_EQ(5, get_node(&self->nl).key_count);
}

static void put_seed(struct nlmsghdr *req, const void *addr, size_t len, int port)
{
	struct nlattr *nest = mnl_attr_nest_start(req, GC_A_SEED);

	if (addr)
		mnl_attr_put(req, GC_EP_ADDR, len, addr);
	if (port >= 0)
		mnl_attr_put_u16(req, GC_EP_PORT, (uint16_t)port);
	mnl_attr_nest_end(req, nest);
}

TEST_F(family, join_rules)
{
	struct in_addr a = {htonl(0x7f000002)};
	struct nlmsghdr *req;
	int i;

	req = req_of(self, GC_CMD_JOIN);
	put_seed(req, &a, 4, 7947);
	EXPECT_EQ(ENOTCONN, talk(self, req));
	ASSERT_EQ(0, up_on_loopback(self, 7005));
	EXPECT_EQ(EINVAL, talk(self, req_of(self, GC_CMD_JOIN)));
	EXPECT_STREQ("no seed to join", self->e.msg);
	req = req_of(self, GC_CMD_JOIN);
	put_seed(req, NULL, 0, 7947);
	EXPECT_EQ(EINVAL, talk(self, req));
	EXPECT_EQ(GC_A_SEED, self->e.bad_attr);
	req = req_of(self, GC_CMD_JOIN);
	put_seed(req, &a, 4, 0);
	EXPECT_EQ(ERANGE, talk(self, req));
	req = req_of(self, GC_CMD_JOIN);
	for (i = 0; i < 9; i++)
		put_seed(req, &a, 4, 7947);
	EXPECT_EQ(E2BIG, talk(self, req));
	req = req_of(self, GC_CMD_JOIN);
	put_seed(req, &a, 4, -1);
	EXPECT_EQ(0, talk(self, req));
	/* After leave, join and leave are refused until down and up. */
	EXPECT_EQ(0, talk(self, req_of(self, GC_CMD_LEAVE)));
	EXPECT_EQ(GC_STATE_LEFT, get_status(&self->nl).state);
	EXPECT_EQ(ENOTCONN, talk(self, req_of(self, GC_CMD_LEAVE)));
	req = req_of(self, GC_CMD_JOIN);
	put_seed(req, &a, 4, -1);
	EXPECT_EQ(ENOTCONN, talk(self, req));
	EXPECT_EQ(0, talk(self, req_of(self, GC_CMD_DOWN)));
}

TEST_HARNESS_MAIN
