// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for ctl/decode.c: the decoders of the family's replies, fed
 * generic netlink messages built by hand, well-formed and not.
 */

#include "kselftest_harness.h"

#include <arpa/inet.h>
#include <limits.h>
#include <linux/genetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "decode.h"
#include "gossipchain.h"

#define FAMILY_ID 0x1c
#define BUF_WORDS 1024

/* Which attributes put_node() / put_status() add. */
#define NODE_NAME (1u << 0)
#define NODE_ADDR (1u << 1)
#define NODE_PORT (1u << 2)
#define NODE_GEN  (1u << 3)
#define NODE_ALL  (NODE_NAME | NODE_ADDR | NODE_PORT | NODE_GEN)

#define ST_VERSION  (1u << 0)
#define ST_PROTOCOL (1u << 1)
#define ST_STATE    (1u << 2)
#define ST_MEMBERS  (1u << 3)
#define ST_GEN	    (1u << 4)
#define ST_ALL	    (ST_VERSION | ST_PROTOCOL | ST_STATE | ST_MEMBERS | ST_GEN)

static const uint8_t V4[4] = {192, 0, 2, 7};
static const uint8_t V6[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

static struct nlmsghdr *put_genl(void *buf, uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = FAMILY_ID;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = GOSSIPCHAIN_GENL_VERSION;
	return nlh;
}

/* A GET_NODE reply with the attributes in mask; addr_len 4 or 16. */
static struct nlmsghdr *put_node(void *buf, unsigned int mask, size_t addr_len)
{
	struct nlmsghdr *nlh = put_genl(buf, GC_CMD_GET_NODE);

	if (mask & NODE_NAME)
		mnl_attr_put_strz(nlh, GC_A_NODE_NAME, "node-1");
	if (mask & NODE_ADDR)
		mnl_attr_put(nlh, GC_A_LISTEN_ADDR, addr_len, addr_len == 4 ? V4 : V6);
	if (mask & NODE_PORT)
		mnl_attr_put_u16(nlh, GC_A_LISTEN_PORT, 7947);
	if (mask & NODE_GEN)
		mnl_attr_put_u32(nlh, GC_A_CONFIG_GEN, 0xdeadbeef);
	return nlh;
}

static struct nlmsghdr *put_status(void *buf, unsigned int mask)
{
	struct nlmsghdr *nlh = put_genl(buf, GC_CMD_GET_STATUS);

	if (mask & ST_VERSION)
		mnl_attr_put_strz(nlh, GC_A_VERSION, "0.1.0");
	if (mask & ST_PROTOCOL)
		mnl_attr_put_u8(nlh, GC_A_PROTOCOL, GC_PROTOCOL_VERSION);
	if (mask & ST_STATE)
		mnl_attr_put_u8(nlh, GC_A_STATE, GC_STATE_UP);
	if (mask & ST_MEMBERS)
		mnl_attr_put_u32(nlh, GC_A_MEMBERS, 3);
	if (mask & ST_GEN)
		mnl_attr_put_u32(nlh, GC_A_CONFIG_GEN, 42);
	return nlh;
}

/*
 * The decoders get no length: they trust nlmsg_len, and libmnl walks the
 * attributes up to MNL_ALIGN(nlmsg_len). Decode from a malloc()ed copy of
 * exactly that many bytes so ASan sees any read past the message by ctl/
 * code or the libc functions it calls (libmnl.so itself is not instrumented).
 */
static void *exact_copy(const struct nlmsghdr *nlh)
{
	size_t len = MNL_ALIGN(nlh->nlmsg_len);
	void *p = malloc(len);

	if (p)
		memcpy(p, nlh, len);
	return p;
}

static int decode_node(const struct nlmsghdr *nlh, struct gc_node *node)
{
	void *copy = exact_copy(nlh);
	int r;

	memset(node, 0xa5, sizeof(*node));
	r = gc_decode_node(copy, node);
	free(copy);
	return r;
}

static int decode_status(const struct nlmsghdr *nlh, struct gc_status *status)
{
	void *copy = exact_copy(nlh);
	int r;

	memset(status, 0xa5, sizeof(*status));
	r = gc_decode_status(copy, status);
	free(copy);
	return r;
}

TEST(node_v4)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct gc_node n;

	ASSERT_EQ(MNL_CB_OK, decode_node(put_node(buf, NODE_ALL, 4), &n));
	EXPECT_STREQ("node-1", n.name);
	EXPECT_EQ(AF_INET, n.family);
	EXPECT_EQ(0, memcmp(V4, &n.addr.v4, sizeof(V4)));
	EXPECT_EQ(7947, n.port);
	EXPECT_EQ(0xdeadbeef, n.config_gen);
	EXPECT_TRUE(n.has_name);
	EXPECT_TRUE(n.has_port);
	EXPECT_TRUE(n.has_gen);
}

TEST(node_v6)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct gc_node n;

	ASSERT_EQ(MNL_CB_OK, decode_node(put_node(buf, NODE_ALL, 16), &n));
	EXPECT_STREQ("node-1", n.name);
	EXPECT_EQ(AF_INET6, n.family);
	EXPECT_EQ(0, memcmp(V6, &n.addr.v6, sizeof(V6)));
	EXPECT_EQ(7947, n.port);
	EXPECT_EQ(0xdeadbeef, n.config_gen);
}

TEST(node_clears_output)
{
	static const uint8_t zero[12];
	uint32_t buf[BUF_WORDS] = {0};
	struct gc_node n;

	/* decode_node() fills n with 0xa5 first: nothing of that may stay. */
	ASSERT_EQ(MNL_CB_OK, decode_node(put_node(buf, NODE_ALL, 4), &n));
	EXPECT_EQ(0, memcmp(zero, (const char *)&n.addr + 4, sizeof(zero)));
	EXPECT_EQ('\0', n.name[sizeof("node-1") - 1]);
	EXPECT_EQ('\0', n.name[sizeof(n.name) - 1]);
}

TEST(node_any_order)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct nlmsghdr *nlh = put_genl(buf, GC_CMD_SET_NODE);
	struct gc_node n;

	mnl_attr_put_u32(nlh, GC_A_CONFIG_GEN, 1);
	mnl_attr_put_u16(nlh, GC_A_LISTEN_PORT, 1);
	mnl_attr_put(nlh, GC_A_LISTEN_ADDR, sizeof(V6), V6);
	mnl_attr_put_strz(nlh, GC_A_NODE_NAME, "z");
	ASSERT_EQ(MNL_CB_OK, decode_node(nlh, &n));
	EXPECT_STREQ("z", n.name);
	EXPECT_EQ(AF_INET6, n.family);
	EXPECT_EQ(1, n.port);
	EXPECT_EQ(1, n.config_gen);
}

TEST(node_empty_name)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct nlmsghdr *nlh = put_genl(buf, GC_CMD_GET_NODE);
	struct gc_node n;

	/* An unset name is sent as "" (uapi): present, and empty. */
	mnl_attr_put_strz(nlh, GC_A_NODE_NAME, "");
	mnl_attr_put(nlh, GC_A_LISTEN_ADDR, sizeof(V4), V4);
	mnl_attr_put_u16(nlh, GC_A_LISTEN_PORT, 7947);
	mnl_attr_put_u32(nlh, GC_A_CONFIG_GEN, 0);
	ASSERT_EQ(MNL_CB_OK, decode_node(nlh, &n));
	EXPECT_TRUE(n.has_name);
	EXPECT_STREQ("", n.name);
}

TEST(node_missing_attribute)
{
	static const unsigned int each[] = {NODE_NAME, NODE_ADDR, NODE_PORT, NODE_GEN};
	uint32_t buf[BUF_WORDS] = {0};
	struct gc_node n;
	size_t i;

	for (i = 0; i < sizeof(each) / sizeof(each[0]); i++) {
		EXPECT_EQ(MNL_CB_ERROR, decode_node(put_node(buf, NODE_ALL & ~each[i], 4), &n))
		{
			TH_LOG("accepted a reply without attribute bit %u", each[i]);
		}
	}
	EXPECT_EQ(MNL_CB_ERROR, decode_node(put_node(buf, 0, 4), &n));
}

static void node_with_addr_len(struct __test_metadata *_metadata, size_t len, int want)
{
	static const uint8_t bytes[32];
	uint32_t buf[BUF_WORDS] = {0};
	struct nlmsghdr *nlh = put_node(buf, NODE_NAME | NODE_PORT | NODE_GEN, 4);
	struct gc_node n;

	mnl_attr_put(nlh, GC_A_LISTEN_ADDR, len, bytes);
	EXPECT_EQ(want, decode_node(nlh, &n))
	{
		TH_LOG("address of %zu bytes", len);
	}
}

TEST(node_addr_length)
{
	static const size_t bad[] = {0, 1, 3, 5, 8, 15, 17, 32};
	size_t i;

	node_with_addr_len(_metadata, 4, MNL_CB_OK);
	node_with_addr_len(_metadata, 16, MNL_CB_OK);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		node_with_addr_len(_metadata, bad[i], MNL_CB_ERROR);
}

static int node_with_name(const void *name, size_t len, struct gc_node *n)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct nlmsghdr *nlh = put_node(buf, NODE_ADDR | NODE_PORT | NODE_GEN, 4);

	mnl_attr_put(nlh, GC_A_NODE_NAME, len, name);
	return decode_node(nlh, n);
}

TEST(node_name_not_nul_terminated)
{
	struct gc_node n;

	EXPECT_EQ(MNL_CB_ERROR, node_with_name("node", 4, &n));
	EXPECT_EQ(MNL_CB_ERROR, node_with_name("x", 1, &n));
	/* Zero bytes: not even a NUL. */
	EXPECT_EQ(MNL_CB_ERROR, node_with_name("", 0, &n));
}

TEST(node_name_length)
{
	char name[GC_NODE_NAME_MAX + 1];
	struct gc_node n;

	/* 63 characters and the NUL fill the 64 bytes of gc_node.name... */
	memset(name, 'n', GC_NODE_NAME_MAX - 1);
	name[GC_NODE_NAME_MAX - 1] = '\0';
	ASSERT_EQ(MNL_CB_OK, node_with_name(name, GC_NODE_NAME_MAX, &n));
	EXPECT_STREQ(name, n.name);
	/* ...64 and the NUL do not. */
	memset(name, 'n', GC_NODE_NAME_MAX);
	name[GC_NODE_NAME_MAX] = '\0';
	EXPECT_EQ(MNL_CB_ERROR, node_with_name(name, GC_NODE_NAME_MAX + 1, &n));
}

TEST(node_name_inner_nul)
{
	struct gc_node n;

	/* The string ends at its first NUL; what follows is ignored. */
	ASSERT_EQ(MNL_CB_OK, node_with_name("ab\0cd", 6, &n));
	EXPECT_STREQ("ab", n.name);
}

TEST(node_port_length)
{
	static const uint8_t bytes[8] = {0x0b, 0x1f};
	static const size_t lens[] = {0, 1, 3, 4, 8};
	uint32_t buf[BUF_WORDS] = {0};
	struct gc_node n;
	size_t i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct nlmsghdr *nlh = put_node(buf, NODE_NAME | NODE_ADDR | NODE_GEN, 4);

		mnl_attr_put(nlh, GC_A_LISTEN_PORT, lens[i], bytes);
		EXPECT_EQ(MNL_CB_ERROR, decode_node(nlh, &n))
		{
			TH_LOG("port of %zu bytes", lens[i]);
		}
	}
}

TEST(node_gen_length)
{
	static const uint8_t bytes[8];
	static const size_t lens[] = {0, 2, 3, 5, 8};
	uint32_t buf[BUF_WORDS] = {0};
	struct gc_node n;
	size_t i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct nlmsghdr *nlh = put_node(buf, NODE_NAME | NODE_ADDR | NODE_PORT, 4);

		mnl_attr_put(nlh, GC_A_CONFIG_GEN, lens[i], bytes);
		EXPECT_EQ(MNL_CB_ERROR, decode_node(nlh, &n))
		{
			TH_LOG("config-gen of %zu bytes", lens[i]);
		}
	}
}

TEST(node_unknown_attribute_ignored)
{
	static const uint8_t junk[7] = {1, 2, 3, 4, 5, 6, 7};
	uint32_t buf[BUF_WORDS] = {0};
	struct nlmsghdr *nlh = put_genl(buf, GC_CMD_GET_NODE);
	struct gc_node n;

	/* Attributes of a newer module, before, between and after. */
	mnl_attr_put(nlh, 200, sizeof(junk), junk);
	mnl_attr_put_strz(nlh, GC_A_NODE_NAME, "node-1");
	mnl_attr_put(nlh, GC_A_LISTEN_ADDR, sizeof(V4), V4);
	mnl_attr_put(nlh, 200, 0, NULL);
	mnl_attr_put_u16(nlh, GC_A_LISTEN_PORT, 7947);
	mnl_attr_put_u32(nlh, GC_A_CONFIG_GEN, 5);
	mnl_attr_put(nlh, GC_A_MAX + 1, sizeof(junk), junk);
	/* A status attribute in a node reply is not the node's business. */
	mnl_attr_put_u8(nlh, GC_A_STATE, 99);
	ASSERT_EQ(MNL_CB_OK, decode_node(nlh, &n));
	EXPECT_STREQ("node-1", n.name);
	EXPECT_EQ(7947, n.port);
	EXPECT_EQ(5, n.config_gen);
}

TEST(node_attribute_cut_by_nlmsg_len)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct nlmsghdr *nlh = put_node(buf, NODE_ALL, 4);
	struct gc_node n;

	/* The message ends 4 bytes into the 8-byte config-gen attribute. */
	nlh->nlmsg_len -= 4;
	EXPECT_EQ(MNL_CB_ERROR, decode_node(nlh, &n));
	/* And right after the port: no config-gen at all. */
	nlh->nlmsg_len -= 4;
	EXPECT_EQ(MNL_CB_ERROR, decode_node(nlh, &n));
}

TEST(node_attribute_longer_than_message)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct nlmsghdr *nlh = put_node(buf, NODE_NAME | NODE_ADDR | NODE_PORT, 4);
	struct nlattr *gen = mnl_nlmsg_get_payload_tail(nlh);
	struct gc_node n;

	mnl_attr_put_u32(nlh, GC_A_CONFIG_GEN, 5);
	gen->nla_len = 64;
	EXPECT_EQ(MNL_CB_ERROR, decode_node(nlh, &n));
}

TEST(short_message)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct gc_node n;
	struct gc_status s;
	uint32_t len;

	/* From a bare nlmsghdr to one byte short of a genlmsghdr. */
	for (len = MNL_NLMSG_HDRLEN; len < MNL_NLMSG_HDRLEN + GENL_HDRLEN; len++) {
		nlh->nlmsg_len = len;
		EXPECT_EQ(-1, gc_decode_cmd(nlh));
		EXPECT_EQ(MNL_CB_ERROR, decode_node(nlh, &n));
		EXPECT_EQ(MNL_CB_ERROR, decode_status(nlh, &s));
	}
}

TEST(nlmsg_len_below_header)
{
	static const uint32_t lens[] = {0, 4, 8, 12, 15};
	uint32_t buf[BUF_WORDS] = {0};
	struct nlmsghdr *nlh = put_node(buf, NODE_ALL, 4);
	size_t i;

	/* A length that does not even cover the nlmsghdr has no genl header
	 * either, whatever bytes follow in the buffer.
	 */
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		nlh->nlmsg_len = lens[i];
		EXPECT_EQ(-1, gc_decode_cmd(nlh))
		{
			TH_LOG("nlmsg_len %u", lens[i]);
		}
	}
}

TEST(decode_cmd)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct nlmsghdr *nlh;

	EXPECT_EQ(GC_CMD_GET_NODE, gc_decode_cmd(put_genl(buf, GC_CMD_GET_NODE)));
	EXPECT_EQ(GC_CMD_SET_NODE, gc_decode_cmd(put_genl(buf, GC_CMD_SET_NODE)));
	EXPECT_EQ(GC_CMD_GET_STATUS, gc_decode_cmd(put_genl(buf, GC_CMD_GET_STATUS)));
	EXPECT_EQ(255, gc_decode_cmd(put_genl(buf, 255)));
	/* Exactly a genl header and nothing else. */
	nlh = put_genl(buf, GC_CMD_GET_STATUS);
	ASSERT_EQ(MNL_NLMSG_HDRLEN + GENL_HDRLEN, nlh->nlmsg_len);
	EXPECT_EQ(GC_CMD_GET_STATUS, gc_decode_cmd(nlh));
}

TEST(status_full)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct gc_status s;

	ASSERT_EQ(MNL_CB_OK, decode_status(put_status(buf, ST_ALL), &s));
	EXPECT_STREQ("0.1.0", s.version);
	EXPECT_EQ(GC_PROTOCOL_VERSION, s.protocol);
	EXPECT_EQ(GC_STATE_UP, s.state);
	EXPECT_EQ(3, s.members);
	EXPECT_EQ(42, s.config_gen);
	EXPECT_TRUE(s.has_version);
	EXPECT_TRUE(s.has_protocol);
	EXPECT_TRUE(s.has_state);
	EXPECT_TRUE(s.has_members);
	EXPECT_TRUE(s.has_gen);
}

TEST(status_missing_attribute)
{
	static const unsigned int each[] = {ST_VERSION, ST_PROTOCOL, ST_STATE, ST_MEMBERS, ST_GEN};
	uint32_t buf[BUF_WORDS] = {0};
	struct gc_status s;
	size_t i;

	for (i = 0; i < sizeof(each) / sizeof(each[0]); i++) {
		EXPECT_EQ(MNL_CB_ERROR, decode_status(put_status(buf, ST_ALL & ~each[i]), &s))
		{
			TH_LOG("accepted a status without attribute bit %u", each[i]);
		}
	}
	EXPECT_EQ(MNL_CB_ERROR, decode_status(put_status(buf, 0), &s));
}

TEST(status_version_length)
{
	char version[40];
	uint32_t buf[BUF_WORDS] = {0};
	struct gc_status s;
	struct nlmsghdr *nlh;

	/* gc_status.version holds 31 characters and the NUL... */
	memset(version, 'v', sizeof(s.version) - 1);
	version[sizeof(s.version) - 1] = '\0';
	nlh = put_status(buf, ST_ALL & ~ST_VERSION);
	mnl_attr_put_strz(nlh, GC_A_VERSION, version);
	ASSERT_EQ(MNL_CB_OK, decode_status(nlh, &s));
	EXPECT_STREQ(version, s.version);
	/* ...not 32. */
	memset(version, 'v', sizeof(s.version));
	version[sizeof(s.version)] = '\0';
	nlh = put_status(buf, ST_ALL & ~ST_VERSION);
	mnl_attr_put_strz(nlh, GC_A_VERSION, version);
	EXPECT_EQ(MNL_CB_ERROR, decode_status(nlh, &s));
	/* Not NUL-terminated. */
	nlh = put_status(buf, ST_ALL & ~ST_VERSION);
	mnl_attr_put(nlh, GC_A_VERSION, 5, "0.1.0");
	EXPECT_EQ(MNL_CB_ERROR, decode_status(nlh, &s));
}

static void status_with_len(struct __test_metadata *_metadata, unsigned int drop, uint16_t type,
			    size_t len, int want)
{
	static const uint8_t bytes[16] = {1};
	uint32_t buf[BUF_WORDS] = {0};
	struct nlmsghdr *nlh = put_status(buf, ST_ALL & ~drop);
	struct gc_status s;

	mnl_attr_put(nlh, type, len, bytes);
	EXPECT_EQ(want, decode_status(nlh, &s))
	{
		TH_LOG("attribute %u of %zu bytes", type, len);
	}
}

TEST(status_attribute_length)
{
	static const size_t u8_bad[] = {0, 2, 4, 8};
	static const size_t u32_bad[] = {0, 1, 2, 3, 5, 8};
	size_t i;

	status_with_len(_metadata, ST_PROTOCOL, GC_A_PROTOCOL, 1, MNL_CB_OK);
	status_with_len(_metadata, ST_STATE, GC_A_STATE, 1, MNL_CB_OK);
	status_with_len(_metadata, ST_MEMBERS, GC_A_MEMBERS, 4, MNL_CB_OK);
	status_with_len(_metadata, ST_GEN, GC_A_CONFIG_GEN, 4, MNL_CB_OK);
	for (i = 0; i < sizeof(u8_bad) / sizeof(u8_bad[0]); i++) {
		status_with_len(_metadata, ST_PROTOCOL, GC_A_PROTOCOL, u8_bad[i], MNL_CB_ERROR);
		status_with_len(_metadata, ST_STATE, GC_A_STATE, u8_bad[i], MNL_CB_ERROR);
	}
	for (i = 0; i < sizeof(u32_bad) / sizeof(u32_bad[0]); i++) {
		status_with_len(_metadata, ST_MEMBERS, GC_A_MEMBERS, u32_bad[i], MNL_CB_ERROR);
		status_with_len(_metadata, ST_GEN, GC_A_CONFIG_GEN, u32_bad[i], MNL_CB_ERROR);
	}
}

TEST(status_unknown_attribute_ignored)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct nlmsghdr *nlh = put_status(buf, ST_ALL);
	struct gc_status s;

	mnl_attr_put_u64(nlh, 200, 1);
	/* Node attributes in a status reply are skipped, even malformed. */
	mnl_attr_put(nlh, GC_A_LISTEN_ADDR, 3, "abc");
	mnl_attr_put(nlh, GC_A_NODE_NAME, 3, "abc");
	ASSERT_EQ(MNL_CB_OK, decode_status(nlh, &s));
	EXPECT_STREQ("0.1.0", s.version);
}

TEST(status_unknown_state_kept)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct nlmsghdr *nlh = put_status(buf, ST_ALL & ~ST_STATE);
	struct gc_status s;

	/* A state a newer module added is passed on, for gc_state_name(). */
	mnl_attr_put_u8(nlh, GC_A_STATE, 200);
	ASSERT_EQ(MNL_CB_OK, decode_status(nlh, &s));
	EXPECT_EQ(200, s.state);
	EXPECT_STREQ("unknown", gc_state_name(s.state));
}

TEST(node_reply_is_no_status)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct gc_status s;
	struct gc_node n;

	EXPECT_EQ(MNL_CB_ERROR, decode_status(put_node(buf, NODE_ALL, 4), &s));
	EXPECT_EQ(MNL_CB_ERROR, decode_node(put_status(buf, ST_ALL), &n));
}

TEST(attr_names)
{
	EXPECT_STREQ("name", gc_attr_name(GC_A_NODE_NAME));
	EXPECT_STREQ("address", gc_attr_name(GC_A_LISTEN_ADDR));
	EXPECT_STREQ("port", gc_attr_name(GC_A_LISTEN_PORT));
	EXPECT_STREQ("config-gen", gc_attr_name(GC_A_CONFIG_GEN));
	EXPECT_STREQ("version", gc_attr_name(GC_A_VERSION));
	EXPECT_STREQ("protocol", gc_attr_name(GC_A_PROTOCOL));
	EXPECT_STREQ("state", gc_attr_name(GC_A_STATE));
	EXPECT_STREQ("members", gc_attr_name(GC_A_MEMBERS));
}

TEST(attr_names_every_type_named)
{
	int type;

	for (type = 1; type <= GC_A_MAX; type++) {
		EXPECT_STRNE("unknown", gc_attr_name(type))
		{
			TH_LOG("attribute %d has no name", type);
		}
	}
}

TEST(attr_names_unknown)
{
	EXPECT_STREQ("unknown", gc_attr_name(GC_A_UNSPEC));
	EXPECT_STREQ("unknown", gc_attr_name(-1));
	EXPECT_STREQ("unknown", gc_attr_name(INT_MIN));
	EXPECT_STREQ("unknown", gc_attr_name(GC_A_MAX + 1));
	EXPECT_STREQ("unknown", gc_attr_name(200));
	EXPECT_STREQ("unknown", gc_attr_name(INT_MAX));
}

TEST(state_names)
{
	EXPECT_STREQ("down", gc_state_name(GC_STATE_DOWN));
	EXPECT_STREQ("up", gc_state_name(GC_STATE_UP));
	EXPECT_STREQ("unknown", gc_state_name(__GC_STATE_MAX));
	EXPECT_STREQ("unknown", gc_state_name(255));
	EXPECT_STREQ("unknown", gc_state_name((unsigned int)-1));
	EXPECT_STREQ("unknown", gc_state_name(UINT_MAX / 2 + 1));
}

/* ---- members, stats, parameters ---- */

static struct nlmsghdr *put_member(void *buf, bool with_name, size_t addr_len)
{
	struct nlmsghdr *nlh = put_genl(buf, GC_CMD_MEMBER_EVENT);

	mnl_attr_put_u8(nlh, GC_A_EVENT, GC_EVENT_SUSPECT);
	if (with_name)
		mnl_attr_put_strz(nlh, GC_A_MEMBER_NAME, "node5");
	mnl_attr_put(nlh, GC_A_MEMBER_ADDR, addr_len, addr_len == 4 ? (const void *)V4 : V6);
	mnl_attr_put_u16(nlh, GC_A_MEMBER_PORT, 7947);
	mnl_attr_put_u8(nlh, GC_A_MEMBER_STATE, GC_MEMBER_STATE_SUSPECT);
	mnl_attr_put_u32(nlh, GC_A_MEMBER_INCARNATION, 9);
	mnl_attr_put_strz(nlh, GC_A_MEMBER_ACCUSER, "node1");
	return nlh;
}

TEST(member_event_decodes)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct gc_member_info m;

	ASSERT_EQ(MNL_CB_OK, gc_decode_member(put_member(buf, true, 4), &m));
	EXPECT_STREQ("node5", m.name);
	EXPECT_STREQ("node1", m.accuser);
	EXPECT_EQ(AF_INET, m.family);
	EXPECT_EQ(0, memcmp(&m.addr, V4, 4));
	EXPECT_EQ(7947, m.port);
	EXPECT_EQ(GC_EVENT_SUSPECT, m.event);
	EXPECT_STREQ("suspect", gc_event_name(m.event));
	EXPECT_STREQ("suspect", gc_member_state_name(m.state));
	EXPECT_EQ(9, m.incarnation);
	EXPECT_FALSE(m.has_age);
}

TEST(member_without_name_or_with_a_bad_address_is_malformed)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct gc_member_info m;

	EXPECT_EQ(MNL_CB_ERROR, gc_decode_member(put_member(buf, false, 4), &m));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(MNL_CB_ERROR, gc_decode_member(put_member(buf, true, 5), &m));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(MNL_CB_OK, gc_decode_member(put_member(buf, true, 16), &m));
	EXPECT_EQ(AF_INET6, m.family);
}

TEST(member_names_outside_the_rule_are_malformed)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct gc_member_info m;
	struct nlmsghdr *nlh = put_genl(buf, GC_CMD_MEMBER_EVENT);

	mnl_attr_put_strz(nlh, GC_A_MEMBER_NAME, "evil\033[2J");
	mnl_attr_put(nlh, GC_A_MEMBER_ADDR, 4, V4);
	mnl_attr_put_u16(nlh, GC_A_MEMBER_PORT, 7947);
	mnl_attr_put_u8(nlh, GC_A_MEMBER_STATE, GC_MEMBER_STATE_ALIVE);
	mnl_attr_put_u32(nlh, GC_A_MEMBER_INCARNATION, 0);
	EXPECT_EQ(MNL_CB_ERROR, gc_decode_member(nlh, &m));
}

TEST(stats_and_params_decode_from_their_nest)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct gc_stats_info st;
	struct gc_params_info p;
	struct nlmsghdr *nlh = put_genl(buf, GC_CMD_GET_STATS);
	struct nlattr *nest = mnl_attr_nest_start(nlh, GC_A_STATS);

	mnl_attr_put_u64(nlh, GC_STAT_RX_AUTH, 42);
	mnl_attr_put_u64(nlh, GC_STAT_MAX + 5, 1); /* from a newer module: skipped */
	mnl_attr_nest_end(nlh, nest);
	ASSERT_EQ(MNL_CB_OK, gc_decode_stats(nlh, &st));
	EXPECT_TRUE(st.has[GC_STAT_RX_AUTH]);
	EXPECT_EQ(42, st.v[GC_STAT_RX_AUTH]);
	EXPECT_FALSE(st.has[GC_STAT_RX_PACKETS]);
	EXPECT_STREQ("rx_auth", gc_stat_name(GC_STAT_RX_AUTH));
	EXPECT_EQ(NULL, gc_stat_name(GC_STAT_MAX + 1));

	memset(buf, 0, sizeof(buf));
	nlh = put_genl(buf, GC_CMD_GET_PARAMS);
	nest = mnl_attr_nest_start(nlh, GC_A_PARAMS);
	mnl_attr_put_u32(nlh, GC_P_MTU, 1400);
	mnl_attr_nest_end(nlh, nest);
	ASSERT_EQ(MNL_CB_OK, gc_decode_params(nlh, &p));
	EXPECT_EQ(1400, p.v[GC_P_MTU]);

	/* A u16 where a u32 belongs, or no nest at all: malformed. */
	memset(buf, 0, sizeof(buf));
	nlh = put_genl(buf, GC_CMD_GET_PARAMS);
	nest = mnl_attr_nest_start(nlh, GC_A_PARAMS);
	mnl_attr_put_u16(nlh, GC_P_MTU, 1400);
	mnl_attr_nest_end(nlh, nest);
	EXPECT_EQ(MNL_CB_ERROR, gc_decode_params(nlh, &p));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(MNL_CB_ERROR, gc_decode_stats(put_genl(buf, GC_CMD_GET_STATS), &st));
}

TEST(stat_names_cover_every_counter)
{
	unsigned int i;

	for (i = GC_STAT_RX_PACKETS; i <= GC_STAT_MAX; i++) {
		EXPECT_NE(NULL, gc_stat_name(i))
		{
			TH_LOG("counter %u has no name", i);
		}
	}
}

/* ---- items ---- */

static const uint8_t ID[GC_ITEM_ID_SIZE] = {
	0x5f, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
	0x0b, 0x0c, 0x0d, 0x0e, 0xff, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
	0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};
static const char CONTENT[] = "block 17 of the chain";
#define CONTENT_LEN (sizeof(CONTENT) - 1)
#define BOOT	    1764631440123456ULL

/* The fields each message carries (GC_ITEM_HAS_* bits of decode.h). */
#define I_STREAM (GC_ITEM_HAS_ORIGIN | GC_ITEM_HAS_BOOT)
#define I_META	 (GC_ITEM_HAS_ID | I_STREAM | GC_ITEM_HAS_SEQ | GC_ITEM_HAS_TYPE | GC_ITEM_HAS_HOPS)
#define I_PUT	 (I_META | GC_ITEM_HAS_LEN | GC_ITEM_HAS_STATE)
#define I_GET	 (I_META | GC_ITEM_HAS_STATE | GC_ITEM_HAS_LEN | GC_ITEM_HAS_DATA)
#define I_VERIFY (I_META | GC_ITEM_HAS_LEN | GC_ITEM_HAS_DATA)
#define I_EVENT	 (GC_ITEM_HAS_EVENT | I_META | GC_ITEM_HAS_LEN)
#define I_GAP	 (GC_ITEM_HAS_EVENT | I_STREAM | GC_ITEM_HAS_GAP_FROM | GC_ITEM_HAS_GAP_TO)

static const unsigned int item_bits[] = {
	GC_ITEM_HAS_ID,	  GC_ITEM_HAS_ORIGIN, GC_ITEM_HAS_BOOT,	    GC_ITEM_HAS_SEQ,
	GC_ITEM_HAS_TYPE, GC_ITEM_HAS_STATE,  GC_ITEM_HAS_HOPS,	    GC_ITEM_HAS_LEN,
	GC_ITEM_HAS_DATA, GC_ITEM_HAS_EVENT,  GC_ITEM_HAS_GAP_FROM, GC_ITEM_HAS_GAP_TO,
};

/*
 * An item message with the fields of mask, as the kernel puts them: 64-bit
 * values after a GC_A_PAD attribute when pad is set (nla_put_u64_64bit() on
 * architectures without efficient unaligned access), else without.
 */
static struct nlmsghdr *put_item_msg(void *buf, uint8_t cmd, unsigned int mask, uint8_t state,
				     uint8_t event, bool pad)
{
	struct nlmsghdr *nlh = put_genl(buf, cmd);

#define PAD()                                                                                      \
	do {                                                                                       \
		if (pad)                                                                           \
			mnl_attr_put(nlh, GC_A_PAD, 0, NULL);                                      \
	} while (0)
	if (mask & GC_ITEM_HAS_EVENT)
		mnl_attr_put_u8(nlh, GC_A_ITEM_EVENT, event);
	if (mask & GC_ITEM_HAS_ID)
		mnl_attr_put(nlh, GC_A_ITEM_ID, sizeof(ID), ID);
	if (mask & GC_ITEM_HAS_ORIGIN)
		mnl_attr_put_strz(nlh, GC_A_ITEM_ORIGIN, "web-1");
	if (mask & GC_ITEM_HAS_BOOT) {
		PAD();
		mnl_attr_put_u64(nlh, GC_A_ITEM_BOOT, BOOT);
	}
	if (mask & GC_ITEM_HAS_SEQ) {
		PAD();
		mnl_attr_put_u64(nlh, GC_A_ITEM_SEQ, 17);
	}
	if (mask & GC_ITEM_HAS_TYPE)
		mnl_attr_put_u8(nlh, GC_A_ITEM_TYPE, 3);
	if (mask & GC_ITEM_HAS_STATE)
		mnl_attr_put_u8(nlh, GC_A_ITEM_STATE, state);
	if (mask & GC_ITEM_HAS_HOPS)
		mnl_attr_put_u8(nlh, GC_A_ITEM_HOPS, 2);
	if (mask & GC_ITEM_HAS_LEN)
		mnl_attr_put_u32(nlh, GC_A_ITEM_LEN, CONTENT_LEN);
	if (mask & GC_ITEM_HAS_GAP_FROM) {
		PAD();
		mnl_attr_put_u64(nlh, GC_A_GAP_FROM, 5);
	}
	if (mask & GC_ITEM_HAS_GAP_TO) {
		PAD();
		mnl_attr_put_u64(nlh, GC_A_GAP_TO, 9);
	}
	if (mask & GC_ITEM_HAS_DATA)
		mnl_attr_put(nlh, GC_A_ITEM_DATA, CONTENT_LEN, CONTENT);
#undef PAD
	return nlh;
}

static struct nlmsghdr *put_get_reply(void *buf, unsigned int mask, uint8_t state)
{
	return put_item_msg(buf, GC_CMD_ITEM_GET, mask, state, 0, false);
}

typedef int (*item_decoder)(const struct nlmsghdr *nlh, struct gc_item_info *it);

/* What decode_item_with() returns when the decoder said OK but the
 * content it points to is not inside the message: no MNL_CB_* value.
 */
#define CONTENT_OUTSIDE (-100)

/*
 * Decodes a malloc()ed copy of exactly the message, as decode_node() does.
 * The content points into that copy, so it is checked here, before the copy
 * is freed, and the pointer cleared.
 */
static int decode_item_with(item_decoder fn, const struct nlmsghdr *nlh, struct gc_item_info *it,
			    bool *content_ok)
{
	void *copy = exact_copy(nlh);
	const char *start = copy, *end = start + MNL_ALIGN(nlh->nlmsg_len);
	int r;

	memset(it, 0xa5, sizeof(*it));
	r = fn(copy, it);
	if (content_ok)
		*content_ok = it->data && it->data_len == CONTENT_LEN &&
			      !memcmp(it->data, CONTENT, CONTENT_LEN);
	if (r == MNL_CB_OK && it->data &&
	    ((const char *)it->data < start || (const char *)it->data + it->data_len > end))
		r = CONTENT_OUTSIDE;
	it->data = NULL;
	free(copy);
	return r;
}

TEST(item_get_held)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct gc_item_info it;
	bool content;
	int pad;

	for (pad = 0; pad < 2; pad++) {
		struct nlmsghdr *nlh =
			put_item_msg(buf, GC_CMD_ITEM_GET, I_GET, GC_ITEM_STATE_HELD, 0, pad);

		ASSERT_EQ(MNL_CB_OK, decode_item_with(gc_decode_item, nlh, &it, &content));
		EXPECT_TRUE(content);
		EXPECT_EQ(0, memcmp(ID, it.id, sizeof(ID)));
		EXPECT_STREQ("web-1", it.origin);
		EXPECT_EQ(BOOT, it.boot);
		EXPECT_EQ(17, it.seq);
		EXPECT_EQ(3, it.type);
		EXPECT_EQ(GC_ITEM_STATE_HELD, it.state);
		EXPECT_STREQ("held", gc_item_state_name(it.state));
		EXPECT_EQ(2, it.hops);
		EXPECT_EQ(CONTENT_LEN, it.len);
		EXPECT_EQ(CONTENT_LEN, it.data_len);
		EXPECT_EQ(I_GET, it.has);
		EXPECT_EQ(0, it.event);
		EXPECT_EQ(0, it.gap_from);
		EXPECT_EQ(0, it.gap_to);
		/* 0xa5 filled: the name's bytes after the NUL were cleared. */
		EXPECT_EQ('\0', it.origin[sizeof(it.origin) - 1]);
	}
}

TEST(item_get_states)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct gc_item_info it;
	bool content;

	ASSERT_EQ(MNL_CB_OK,
		  decode_item_with(gc_decode_item, put_get_reply(buf, I_GET, GC_ITEM_STATE_PENDING),
				   &it, &content));
	EXPECT_TRUE(content);
	EXPECT_STREQ("pending", gc_item_state_name(it.state));
	/* A rejected item has no content left: the kernel answers its id and
	 * the state alone. Anything more with it is not what the contract
	 * says: content, or the item's metadata.
	 */
	ASSERT_EQ(MNL_CB_OK, decode_item_with(gc_decode_item,
					      put_get_reply(buf, GC_ITEM_HAS_ID | GC_ITEM_HAS_STATE,
							    GC_ITEM_STATE_REJECTED),
					      &it, &content));
	EXPECT_FALSE(content);
	EXPECT_EQ(0, memcmp(ID, it.id, sizeof(ID)));
	EXPECT_STREQ("rejected", gc_item_state_name(it.state));
	EXPECT_EQ(GC_ITEM_HAS_ID | GC_ITEM_HAS_STATE, it.has);
	EXPECT_STREQ("", it.origin);
	EXPECT_EQ(MNL_CB_ERROR,
		  decode_item_with(gc_decode_item,
				   put_get_reply(buf, I_GET, GC_ITEM_STATE_REJECTED), &it, NULL));
	EXPECT_EQ(MNL_CB_ERROR, decode_item_with(gc_decode_item,
						 put_get_reply(buf, I_GET & ~GC_ITEM_HAS_DATA,
							       GC_ITEM_STATE_REJECTED),
						 &it, NULL));
	EXPECT_EQ(MNL_CB_ERROR,
		  decode_item_with(
			  gc_decode_item,
			  put_get_reply(buf, GC_ITEM_HAS_ID | GC_ITEM_HAS_STATE | GC_ITEM_HAS_DATA,
					GC_ITEM_STATE_REJECTED),
			  &it, NULL));
	/* Without its id, or held without its metadata: malformed. */
	EXPECT_EQ(MNL_CB_ERROR,
		  decode_item_with(gc_decode_item,
				   put_get_reply(buf, GC_ITEM_HAS_STATE, GC_ITEM_STATE_REJECTED),
				   &it, NULL));
	EXPECT_EQ(MNL_CB_ERROR,
		  decode_item_with(gc_decode_item,
				   put_get_reply(buf, GC_ITEM_HAS_ID | GC_ITEM_HAS_STATE,
						 GC_ITEM_STATE_HELD),
				   &it, NULL));
	/* A state of a newer module is passed on, with the content. */
	EXPECT_EQ(MNL_CB_OK,
		  decode_item_with(gc_decode_item, put_get_reply(buf, I_GET, 77), &it, &content));
	EXPECT_TRUE(content);
	EXPECT_STREQ("unknown", gc_item_state_name(it.state));
	EXPECT_EQ(MNL_CB_ERROR,
		  decode_item_with(gc_decode_item,
				   put_get_reply(buf, I_GET & ~GC_ITEM_HAS_DATA, 77), &it, NULL));
}

/* Every decoder fails without each field its message must carry, and
 * leaves the output zeroed.
 */
static void missing_each(struct __test_metadata *_metadata, item_decoder fn, const char *name,
			 uint8_t cmd, unsigned int mask, uint8_t state, uint8_t event)
{
	static const struct gc_item_info zero;
	uint32_t buf[BUF_WORDS] = {0};
	struct gc_item_info it;
	size_t i;

	ASSERT_EQ(MNL_CB_OK, decode_item_with(fn, put_item_msg(buf, cmd, mask, state, event, false),
					      &it, NULL))
	{
		TH_LOG("%s: the full message", name);
	}
	for (i = 0; i < sizeof(item_bits) / sizeof(item_bits[0]); i++) {
		if (!(mask & item_bits[i]))
			continue;
		memset(buf, 0, sizeof(buf));
		EXPECT_EQ(MNL_CB_ERROR,
			  decode_item_with(
				  fn,
				  put_item_msg(buf, cmd, mask & ~item_bits[i], state, event, false),
				  &it, NULL))
		{
			TH_LOG("%s accepted a message without field bit %#x", name, item_bits[i]);
		}
		EXPECT_EQ(0, memcmp(&zero, &it, sizeof(it)));
	}
}

TEST(item_required_fields)
{
	missing_each(_metadata, gc_decode_item_put, "put", GC_CMD_ITEM_PUT, I_PUT,
		     GC_ITEM_STATE_HELD, 0);
	missing_each(_metadata, gc_decode_item, "get", GC_CMD_ITEM_GET, I_GET, GC_ITEM_STATE_HELD,
		     0);
	missing_each(_metadata, gc_decode_item_verify, "verify", GC_CMD_ITEM_VERIFY, I_VERIFY, 0,
		     0);
	missing_each(_metadata, gc_decode_item_event, "event", GC_CMD_ITEM_EVENT, I_EVENT, 0,
		     GC_ITEM_EVENT_HELD);
	missing_each(_metadata, gc_decode_item_event, "gap", GC_CMD_ITEM_EVENT, I_GAP, 0,
		     GC_ITEM_EVENT_GAP);
}

TEST(item_put_reply)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct gc_item_info it;
	bool content;

	ASSERT_EQ(MNL_CB_OK, decode_item_with(gc_decode_item_put,
					      put_item_msg(buf, GC_CMD_ITEM_PUT, I_PUT,
							   GC_ITEM_STATE_PENDING, 0, true),
					      &it, NULL));
	EXPECT_EQ(0, memcmp(ID, it.id, sizeof(ID)));
	EXPECT_STREQ("web-1", it.origin);
	EXPECT_EQ(BOOT, it.boot);
	EXPECT_EQ(17, it.seq);
	EXPECT_EQ(3, it.type);
	EXPECT_EQ(2, it.hops);
	EXPECT_EQ(CONTENT_LEN, it.len);
	EXPECT_EQ(GC_ITEM_STATE_PENDING, it.state);
	EXPECT_EQ(I_PUT, it.has);
	/* The reply carries no content; one sent along is not passed on. */
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(MNL_CB_OK,
		  decode_item_with(gc_decode_item_put,
				   put_item_msg(buf, GC_CMD_ITEM_PUT, I_PUT | GC_ITEM_HAS_DATA,
						GC_ITEM_STATE_HELD, 0, false),
				   &it, &content));
	EXPECT_FALSE(content);
	EXPECT_EQ(0, it.data_len);
	EXPECT_EQ(I_PUT, it.has);
}

TEST(item_verify_upcall)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct gc_item_info it;
	struct nlmsghdr *nlh;
	bool content;

	ASSERT_EQ(MNL_CB_OK,
		  decode_item_with(gc_decode_item_verify,
				   put_item_msg(buf, GC_CMD_ITEM_VERIFY, I_VERIFY, 0, 0, true), &it,
				   &content));
	EXPECT_TRUE(content);
	EXPECT_EQ(CONTENT_LEN, it.len);
	EXPECT_EQ(2, it.hops);
	EXPECT_EQ(3, it.type);
	EXPECT_EQ(17, it.seq);
	EXPECT_EQ(I_VERIFY, it.has);
	/* A length that is not the content's. */
	memset(buf, 0, sizeof(buf));
	nlh = put_item_msg(buf, GC_CMD_ITEM_VERIFY, I_VERIFY & ~GC_ITEM_HAS_LEN, 0, 0, false);
	mnl_attr_put_u32(nlh, GC_A_ITEM_LEN, CONTENT_LEN + 1);
	EXPECT_EQ(MNL_CB_ERROR, decode_item_with(gc_decode_item_verify, nlh, &it, NULL));
	/* Nor in a GET reply. */
	memset(buf, 0, sizeof(buf));
	nlh = put_get_reply(buf, I_GET & ~GC_ITEM_HAS_LEN, GC_ITEM_STATE_HELD);
	mnl_attr_put_u32(nlh, GC_A_ITEM_LEN, CONTENT_LEN - 1);
	EXPECT_EQ(MNL_CB_ERROR, decode_item_with(gc_decode_item, nlh, &it, NULL));
}

/* A verify upcall with len bytes of content and a length attribute. */
static int verify_of_size(uint32_t *buf, size_t bufsize, const uint8_t *content, size_t len,
			  uint32_t len_attr, struct gc_item_info *it)
{
	struct nlmsghdr *nlh;

	memset(buf, 0, bufsize);
	nlh = put_item_msg(buf, GC_CMD_ITEM_VERIFY, I_META, 0, 0, false);
	mnl_attr_put_u32(nlh, GC_A_ITEM_LEN, len_attr);
	mnl_attr_put(nlh, GC_A_ITEM_DATA, len, content);
	return decode_item_with(gc_decode_item_verify, nlh, it, NULL);
}

/* A held event (no content) with the given length attribute. */
static int event_of_len(uint32_t len)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct nlmsghdr *nlh = put_item_msg(buf, GC_CMD_ITEM_EVENT, I_EVENT & ~GC_ITEM_HAS_LEN, 0,
					    GC_ITEM_EVENT_HELD, false);
	struct gc_item_info it;

	mnl_attr_put_u32(nlh, GC_A_ITEM_LEN, len);
	return decode_item_with(gc_decode_item_event, nlh, &it, NULL);
}

TEST(item_content_length)
{
	static uint8_t big[GC_ITEM_MAX_SIZE + 1];
	static uint32_t buf[(GC_ITEM_MAX_SIZE + 4096) / 4];
	struct gc_item_info it;

	/* The largest item, one byte more, a single byte and none at all. */
	ASSERT_EQ(MNL_CB_OK,
		  verify_of_size(buf, sizeof(buf), big, GC_ITEM_MAX_SIZE, GC_ITEM_MAX_SIZE, &it));
	EXPECT_EQ(GC_ITEM_MAX_SIZE, it.data_len);
	EXPECT_EQ(GC_ITEM_MAX_SIZE, it.len);
	EXPECT_EQ(MNL_CB_ERROR, verify_of_size(buf, sizeof(buf), big, GC_ITEM_MAX_SIZE + 1,
					       GC_ITEM_MAX_SIZE + 1, &it));
	EXPECT_EQ(MNL_CB_OK, verify_of_size(buf, sizeof(buf), big, 1, 1, &it));
	EXPECT_EQ(MNL_CB_ERROR, verify_of_size(buf, sizeof(buf), big, 0, 0, &it));
	EXPECT_EQ(MNL_CB_ERROR, verify_of_size(buf, sizeof(buf), big, 0, 1, &it));
	/* The length attribute alone has the same bounds. */
	EXPECT_EQ(MNL_CB_OK, event_of_len(1));
	EXPECT_EQ(MNL_CB_OK, event_of_len(GC_ITEM_MAX_SIZE));
	EXPECT_EQ(MNL_CB_ERROR, event_of_len(GC_ITEM_MAX_SIZE + 1));
	EXPECT_EQ(MNL_CB_ERROR, event_of_len(0));
	EXPECT_EQ(MNL_CB_ERROR, event_of_len(UINT32_MAX));
}

/* A PUT reply (all fields but the content) whose field drop is replaced by
 * an attribute of type and len bytes.
 */
static int item_with_attr(unsigned int drop, uint16_t type, const void *p, size_t len)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct nlmsghdr *nlh =
		put_item_msg(buf, GC_CMD_ITEM_PUT, I_PUT & ~drop, GC_ITEM_STATE_HELD, 0, false);
	struct gc_item_info it;

	mnl_attr_put(nlh, type, len, p);
	return decode_item_with(gc_decode_item_put, nlh, &it, NULL);
}

TEST(item_attribute_widths)
{
	static const uint8_t bytes[40] = {1};
	static const struct {
		unsigned int bit;
		uint16_t type;
		size_t good;
	} attrs[] = {
		{GC_ITEM_HAS_ID, GC_A_ITEM_ID, GC_ITEM_ID_SIZE},
		{GC_ITEM_HAS_BOOT, GC_A_ITEM_BOOT, 8},
		{GC_ITEM_HAS_SEQ, GC_A_ITEM_SEQ, 8},
		{GC_ITEM_HAS_TYPE, GC_A_ITEM_TYPE, 1},
		{GC_ITEM_HAS_STATE, GC_A_ITEM_STATE, 1},
		{GC_ITEM_HAS_HOPS, GC_A_ITEM_HOPS, 1},
		{GC_ITEM_HAS_LEN, GC_A_ITEM_LEN, 4},
	};
	static const size_t lens[] = {0, 1, 2, 4, 8, 16, 31, 32, 33, 40};
	size_t i, j;

	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		for (j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
			int want = lens[j] == attrs[i].good ? MNL_CB_OK : MNL_CB_ERROR;

			EXPECT_EQ(want, item_with_attr(attrs[i].bit, attrs[i].type, bytes, lens[j]))
			{
				TH_LOG("attribute %u of %zu bytes", attrs[i].type, lens[j]);
			}
		}
	}
	/* Sequence numbers count from 1. */
	{
		const uint64_t zero = 0, one = 1;

		EXPECT_EQ(MNL_CB_ERROR, item_with_attr(GC_ITEM_HAS_SEQ, GC_A_ITEM_SEQ, &zero, 8));
		EXPECT_EQ(MNL_CB_OK, item_with_attr(GC_ITEM_HAS_SEQ, GC_A_ITEM_SEQ, &one, 8));
	}
}

TEST(item_origin_checked)
{
	char name[GC_NODE_NAME_MAX + 1];

	EXPECT_EQ(MNL_CB_OK, item_with_attr(GC_ITEM_HAS_ORIGIN, GC_A_ITEM_ORIGIN, "a.b_c-D9", 9));
	/* Not NUL-terminated, empty, outside the name rule. */
	EXPECT_EQ(MNL_CB_ERROR, item_with_attr(GC_ITEM_HAS_ORIGIN, GC_A_ITEM_ORIGIN, "web-1", 5));
	EXPECT_EQ(MNL_CB_ERROR, item_with_attr(GC_ITEM_HAS_ORIGIN, GC_A_ITEM_ORIGIN, "", 1));
	EXPECT_EQ(MNL_CB_ERROR, item_with_attr(GC_ITEM_HAS_ORIGIN, GC_A_ITEM_ORIGIN, NULL, 0));
	EXPECT_EQ(MNL_CB_ERROR,
		  item_with_attr(GC_ITEM_HAS_ORIGIN, GC_A_ITEM_ORIGIN, "evil\033[2J", 9));
	EXPECT_EQ(MNL_CB_ERROR, item_with_attr(GC_ITEM_HAS_ORIGIN, GC_A_ITEM_ORIGIN, "a b", 4));
	/* 63 characters fit, 64 do not. */
	memset(name, 'n', GC_NODE_NAME_MAX - 1);
	name[GC_NODE_NAME_MAX - 1] = '\0';
	EXPECT_EQ(MNL_CB_OK,
		  item_with_attr(GC_ITEM_HAS_ORIGIN, GC_A_ITEM_ORIGIN, name, GC_NODE_NAME_MAX));
	memset(name, 'n', GC_NODE_NAME_MAX);
	name[GC_NODE_NAME_MAX] = '\0';
	EXPECT_EQ(MNL_CB_ERROR,
		  item_with_attr(GC_ITEM_HAS_ORIGIN, GC_A_ITEM_ORIGIN, name, GC_NODE_NAME_MAX + 1));
}

TEST(item_event_held)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct gc_item_info it;
	bool content;

	ASSERT_EQ(MNL_CB_OK, decode_item_with(gc_decode_item_event,
					      put_item_msg(buf, GC_CMD_ITEM_EVENT, I_EVENT, 0,
							   GC_ITEM_EVENT_HELD, true),
					      &it, &content));
	EXPECT_FALSE(content);
	EXPECT_EQ(GC_ITEM_EVENT_HELD, it.event);
	EXPECT_STREQ("held", gc_item_event_name(it.event));
	EXPECT_EQ(0, memcmp(ID, it.id, sizeof(ID)));
	EXPECT_EQ(17, it.seq);
	EXPECT_EQ(CONTENT_LEN, it.len);
	/* Events carry no content; one sent along anyway is not passed on. */
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(MNL_CB_OK,
		  decode_item_with(gc_decode_item_event,
				   put_item_msg(buf, GC_CMD_ITEM_EVENT, I_EVENT | GC_ITEM_HAS_DATA,
						0, GC_ITEM_EVENT_PENDING, false),
				   &it, &content));
	EXPECT_FALSE(content);
	EXPECT_EQ(0, it.data_len);
	EXPECT_FALSE(it.has & GC_ITEM_HAS_DATA);
	/* Event 0 is none; one of a newer module is passed on. */
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(MNL_CB_ERROR,
		  decode_item_with(gc_decode_item_event,
				   put_item_msg(buf, GC_CMD_ITEM_EVENT, I_EVENT, 0, 0, false), &it,
				   NULL));
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(MNL_CB_OK,
		  decode_item_with(gc_decode_item_event,
				   put_item_msg(buf, GC_CMD_ITEM_EVENT, I_EVENT, 0, 99, false), &it,
				   NULL));
	EXPECT_STREQ("unknown", gc_item_event_name(it.event));
}

TEST(item_event_names)
{
	EXPECT_STREQ("pending", gc_item_event_name(GC_ITEM_EVENT_PENDING));
	EXPECT_STREQ("held", gc_item_event_name(GC_ITEM_EVENT_HELD));
	EXPECT_STREQ("rejected", gc_item_event_name(GC_ITEM_EVENT_REJECTED));
	EXPECT_STREQ("expired", gc_item_event_name(GC_ITEM_EVENT_EXPIRED));
	EXPECT_STREQ("gap", gc_item_event_name(GC_ITEM_EVENT_GAP));
	EXPECT_STREQ("unknown", gc_item_event_name(0));
	EXPECT_STREQ("unknown", gc_item_event_name(UINT_MAX));
	EXPECT_STREQ("unknown", gc_item_state_name(0));
	EXPECT_STREQ("unknown", gc_item_state_name(UINT_MAX));
	EXPECT_STREQ("accept", gc_verdict_name(GC_VERDICT_ACCEPT));
	EXPECT_STREQ("reject", gc_verdict_name(GC_VERDICT_REJECT));
	EXPECT_STREQ("unknown", gc_verdict_name(0));
	EXPECT_STREQ("unknown", gc_verdict_name(3));
}

static int gap_event(uint64_t from, uint64_t to, struct gc_item_info *it)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct nlmsghdr *nlh = put_item_msg(buf, GC_CMD_ITEM_EVENT,
					    I_GAP & ~(GC_ITEM_HAS_GAP_FROM | GC_ITEM_HAS_GAP_TO), 0,
					    GC_ITEM_EVENT_GAP, false);

	mnl_attr_put_u64(nlh, GC_A_GAP_FROM, from);
	mnl_attr_put_u64(nlh, GC_A_GAP_TO, to);
	return decode_item_with(gc_decode_item_event, nlh, it, NULL);
}

TEST(item_event_gap)
{
	struct gc_item_info it;

	ASSERT_EQ(MNL_CB_OK, gap_event(5, 9, &it));
	EXPECT_EQ(GC_ITEM_EVENT_GAP, it.event);
	EXPECT_STREQ("web-1", it.origin);
	EXPECT_EQ(BOOT, it.boot);
	EXPECT_EQ(5, it.gap_from);
	EXPECT_EQ(9, it.gap_to);
	EXPECT_FALSE(it.has & GC_ITEM_HAS_ID);
	ASSERT_EQ(MNL_CB_OK, gap_event(1, 1, &it));
	ASSERT_EQ(MNL_CB_OK, gap_event(UINT64_MAX, UINT64_MAX, &it));
	/* An empty or backward range, or one from seq 0. */
	EXPECT_EQ(MNL_CB_ERROR, gap_event(9, 5, &it));
	EXPECT_EQ(MNL_CB_ERROR, gap_event(0, 5, &it));
	EXPECT_EQ(MNL_CB_ERROR, gap_event(0, 0, &it));
}

TEST(item_unknown_attributes_skipped)
{
	static const uint8_t junk[11] = {9, 9, 9};
	uint32_t buf[BUF_WORDS] = {0};
	struct nlmsghdr *nlh = put_genl(buf, GC_CMD_ITEM_GET);
	struct gc_item_info it;
	bool content;

	/* A newer module's attributes, padding, and attributes of other
	 * commands (even malformed for what they would be there).
	 */
	mnl_attr_put(nlh, 250, sizeof(junk), junk);
	mnl_attr_put(nlh, GC_A_PAD, 0, NULL);
	mnl_attr_put(nlh, GC_A_ITEM_ID, sizeof(ID), ID);
	mnl_attr_put(nlh, GC_A_MAX + 1, 0, NULL);
	mnl_attr_put_strz(nlh, GC_A_ITEM_ORIGIN, "web-1");
	mnl_attr_put(nlh, GC_A_MEMBER_NAME, 3, "abc");
	mnl_attr_put_u64(nlh, GC_A_ITEM_BOOT, BOOT);
	mnl_attr_put_u64(nlh, GC_A_ITEM_SEQ, 17);
	mnl_attr_put(nlh, GC_A_ORIGIN_LOW, 1, junk);
	mnl_attr_put_u8(nlh, GC_A_ITEM_TYPE, 3);
	mnl_attr_put_u8(nlh, GC_A_ITEM_STATE, GC_ITEM_STATE_HELD);
	mnl_attr_put(nlh, GC_A_AGG, 2, junk);
	mnl_attr_put_u8(nlh, GC_A_ITEM_HOPS, 2);
	mnl_attr_put_u32(nlh, GC_A_ITEM_LEN, CONTENT_LEN);
	mnl_attr_put(nlh, GC_A_ITEM_DATA, CONTENT_LEN, CONTENT);
	mnl_attr_put(nlh, 0xffff & ~NLA_F_NESTED, sizeof(junk), junk);
	ASSERT_EQ(MNL_CB_OK, decode_item_with(gc_decode_item, nlh, &it, &content));
	EXPECT_TRUE(content);
	EXPECT_EQ(17, it.seq);
}

TEST(item_cut_short)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct nlmsghdr *nlh = put_get_reply(buf, I_GET, GC_ITEM_STATE_HELD);
	uint32_t full = nlh->nlmsg_len, len;
	struct gc_item_info it;

	ASSERT_EQ(MNL_CB_OK, decode_item_with(gc_decode_item, nlh, &it, NULL));
	/* Every length that ends inside an attribute: never a shorter item.
	 * (The last 3 bytes are the content's padding, which may go.)
	 */
	ASSERT_EQ(3, MNL_ALIGN(CONTENT_LEN) - CONTENT_LEN);
	nlh->nlmsg_len = full - 3;
	ASSERT_EQ(MNL_CB_OK, decode_item_with(gc_decode_item, nlh, &it, NULL));
	for (len = full - 4; len > MNL_NLMSG_HDRLEN + GENL_HDRLEN; len--) {
		nlh->nlmsg_len = len;
		EXPECT_EQ(MNL_CB_ERROR, decode_item_with(gc_decode_item, nlh, &it, NULL))
		{
			TH_LOG("nlmsg_len %u of %u", len, full);
		}
	}
	/* Bytes after the last attribute that are not one. */
	nlh->nlmsg_len = full + 4;
	EXPECT_EQ(MNL_CB_ERROR, decode_item_with(gc_decode_item, nlh, &it, NULL));
	nlh->nlmsg_len = full + 2;
	EXPECT_EQ(MNL_CB_ERROR, decode_item_with(gc_decode_item, nlh, &it, NULL));
}

TEST(item_attribute_longer_than_message)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct nlmsghdr *nlh = put_get_reply(buf, I_GET & ~GC_ITEM_HAS_DATA, GC_ITEM_STATE_HELD);
	struct nlattr *data = mnl_nlmsg_get_payload_tail(nlh);
	struct gc_item_info it;

	mnl_attr_put(nlh, GC_A_ITEM_DATA, CONTENT_LEN, CONTENT);
	data->nla_len = 200;
	EXPECT_EQ(MNL_CB_ERROR, decode_item_with(gc_decode_item, nlh, &it, NULL));
	data->nla_len = 3; /* shorter than its own header */
	EXPECT_EQ(MNL_CB_ERROR, decode_item_with(gc_decode_item, nlh, &it, NULL));
}

/* ---- streams (GC_CMD_GET_ORIGIN) ---- */

#define O_ALL ((1u << 9) - 1)

static struct nlmsghdr *put_origin(void *buf, unsigned int mask)
{
	struct nlmsghdr *nlh = put_genl(buf, GC_CMD_GET_ORIGIN);

	if (mask & (1u << 0))
		mnl_attr_put_strz(nlh, GC_A_ITEM_ORIGIN, "web-2");
	if (mask & (1u << 1))
		mnl_attr_put_u64(nlh, GC_A_ITEM_BOOT, BOOT);
	if (mask & (1u << 2))
		mnl_attr_put_u64(nlh, GC_A_ORIGIN_LOW, 3);
	if (mask & (1u << 3))
		mnl_attr_put_u64(nlh, GC_A_ORIGIN_CONTIG, 40);
	if (mask & (1u << 4))
		mnl_attr_put_u64(nlh, GC_A_ORIGIN_MAX, 42);
	if (mask & (1u << 5))
		mnl_attr_put_u32(nlh, GC_A_ORIGIN_HELD, 37);
	if (mask & (1u << 6))
		mnl_attr_put_u32(nlh, GC_A_ORIGIN_PENDING, 1);
	if (mask & (1u << 7))
		mnl_attr_put_u32(nlh, GC_A_ORIGIN_REJECTED, 2);
	if (mask & (1u << 8))
		mnl_attr_put_u64(nlh, GC_A_ORIGIN_BYTES, 1ULL << 40);
	return nlh;
}

static int decode_origin(const struct nlmsghdr *nlh, struct gc_origin_info *o)
{
	void *copy = exact_copy(nlh);
	int r;

	memset(o, 0xa5, sizeof(*o));
	r = gc_decode_origin(copy, o);
	free(copy);
	return r;
}

TEST(origin_entry)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct gc_origin_info o;
	unsigned int bit;

	ASSERT_EQ(MNL_CB_OK, decode_origin(put_origin(buf, O_ALL), &o));
	EXPECT_STREQ("web-2", o.origin);
	EXPECT_EQ(BOOT, o.boot);
	EXPECT_EQ(3, o.low);
	EXPECT_EQ(40, o.contig);
	EXPECT_EQ(42, o.max);
	EXPECT_EQ(37, o.held);
	EXPECT_EQ(1, o.pending);
	EXPECT_EQ(2, o.rejected);
	EXPECT_EQ(1ULL << 40, o.bytes);
	for (bit = 1; bit < O_ALL; bit <<= 1) {
		memset(buf, 0, sizeof(buf));
		EXPECT_EQ(MNL_CB_ERROR, decode_origin(put_origin(buf, O_ALL & ~bit), &o))
		{
			TH_LOG("accepted an entry without bit %#x", bit);
		}
	}
}

TEST(origin_attribute_widths)
{
	static const uint8_t bytes[16];
	static const struct {
		unsigned int bit;
		uint16_t type;
		size_t good;
	} attrs[] = {
		{1u << 1, GC_A_ITEM_BOOT, 8},	    {1u << 2, GC_A_ORIGIN_LOW, 8},
		{1u << 3, GC_A_ORIGIN_CONTIG, 8},   {1u << 4, GC_A_ORIGIN_MAX, 8},
		{1u << 5, GC_A_ORIGIN_HELD, 4},	    {1u << 6, GC_A_ORIGIN_PENDING, 4},
		{1u << 7, GC_A_ORIGIN_REJECTED, 4}, {1u << 8, GC_A_ORIGIN_BYTES, 8},
	};
	static const size_t lens[] = {0, 1, 2, 4, 8, 16};
	uint32_t buf[BUF_WORDS];
	struct gc_origin_info o;
	size_t i, j;

	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		for (j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
			struct nlmsghdr *nlh;

			memset(buf, 0, sizeof(buf));
			nlh = put_origin(buf, O_ALL & ~attrs[i].bit);
			mnl_attr_put(nlh, attrs[i].type, lens[j], bytes);
			EXPECT_EQ(lens[j] == attrs[i].good ? MNL_CB_OK : MNL_CB_ERROR,
				  decode_origin(nlh, &o))
			{
				TH_LOG("attribute %u of %zu bytes", attrs[i].type, lens[j]);
			}
		}
	}
}

TEST(origin_name_and_unknown_attributes)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct gc_origin_info o;
	struct nlmsghdr *nlh = put_origin(buf, O_ALL & ~1u);

	mnl_attr_put_strz(nlh, GC_A_ITEM_ORIGIN, "web 2");
	EXPECT_EQ(MNL_CB_ERROR, decode_origin(nlh, &o));
	memset(buf, 0, sizeof(buf));
	nlh = put_origin(buf, O_ALL);
	mnl_attr_put(nlh, GC_A_PAD, 0, NULL);
	mnl_attr_put_u8(nlh, 300, 1);
	mnl_attr_put(nlh, GC_A_ITEM_DATA, 1, "x"); /* not an origin's business */
	ASSERT_EQ(MNL_CB_OK, decode_origin(nlh, &o));
	EXPECT_EQ(42, o.max);
	/* Cut in the middle of the last attribute (5 bytes, then 3 of padding). */
	nlh->nlmsg_len -= 4;
	EXPECT_EQ(MNL_CB_ERROR, decode_origin(nlh, &o));
}

/* ---- aggregates (GC_CMD_GET_AGG) ---- */

#define A_EPOCH	 (1u << 0)
#define A_ROUNDS (1u << 1)
#define A_VALID	 (1u << 2)
#define A_NODES	 (1u << 3)
#define A_TOP	 (A_EPOCH | A_ROUNDS | A_VALID | A_NODES)

#define M_NAME	  (1u << 0)
#define M_OWN	  (1u << 1)
#define M_AVG	  (1u << 2)
#define M_SUM	  (1u << 3)
#define M_MIN	  (1u << 4)
#define M_MAX	  (1u << 5)
#define M_PUB	  (1u << 6)
#define M_SETTLED (1u << 7)
#define M_ALL	  ((1u << 8) - 1)

static struct nlmsghdr *put_agg_top(void *buf, unsigned int mask)
{
	struct nlmsghdr *nlh = put_genl(buf, GC_CMD_GET_AGG);

	if (mask & A_EPOCH)
		mnl_attr_put_u32(nlh, GC_A_AGG_EPOCH, 12);
	if (mask & A_ROUNDS)
		mnl_attr_put_u32(nlh, GC_A_AGG_ROUNDS, 7);
	if (mask & A_VALID)
		mnl_attr_put_u8(nlh, GC_A_AGG_VALID, 1);
	if (mask & A_NODES) {
		mnl_attr_put(nlh, GC_A_PAD, 0, NULL);
		mnl_attr_put_u64(nlh, GC_A_AGG_NODES, 8000001);
	}
	return nlh;
}

static void put_metric(struct nlmsghdr *nlh, const char *name, unsigned int mask)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, GC_A_AGG);

	if (mask & M_NAME)
		mnl_attr_put_strz(nlh, GC_AGG_A_NAME, name);
	if (mask & M_OWN)
		mnl_attr_put_u64(nlh, GC_AGG_A_OWN, (uint64_t)-3000000);
	if (mask & M_AVG) {
		mnl_attr_put(nlh, GC_AGG_A_PAD, 0, NULL);
		mnl_attr_put_u64(nlh, GC_AGG_A_AVG, 12500000);
	}
	if (mask & M_SUM)
		mnl_attr_put_u64(nlh, GC_AGG_A_SUM, (uint64_t)INT64_MIN);
	if (mask & M_MIN)
		mnl_attr_put_u64(nlh, GC_AGG_A_MINIMUM, (uint64_t)-5000000);
	if (mask & M_MAX)
		mnl_attr_put_u64(nlh, GC_AGG_A_MAXIMUM, 1);
	if (mask & M_PUB)
		mnl_attr_put_u64(nlh, GC_AGG_A_PUBLISHERS, 7999999);
	if (mask & M_SETTLED)
		mnl_attr_put_u8(nlh, GC_AGG_A_SETTLED, 1);
	mnl_attr_nest_end(nlh, nest);
}

static int decode_agg(const struct nlmsghdr *nlh, struct gc_agg_info *a)
{
	void *copy = exact_copy(nlh);
	int r;

	memset(a, 0xa5, sizeof(*a));
	r = gc_decode_agg(copy, a);
	free(copy);
	return r;
}

TEST(agg_reply)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct nlmsghdr *nlh = put_agg_top(buf, A_TOP);
	struct gc_agg_info a;

	put_metric(nlh, "load", M_ALL);
	put_metric(nlh, "disk.free", M_NAME | M_SETTLED);
	ASSERT_EQ(MNL_CB_OK, decode_agg(nlh, &a));
	EXPECT_EQ(12, a.epoch);
	EXPECT_EQ(7, a.rounds);
	EXPECT_TRUE(a.valid);
	EXPECT_TRUE(a.has_nodes);
	EXPECT_EQ(8000001, a.nodes);
	ASSERT_EQ(2, a.n);
	EXPECT_STREQ("load", a.m[0].name);
	EXPECT_TRUE(a.m[0].has_own);
	EXPECT_EQ(-3000000, a.m[0].own);
	EXPECT_TRUE(a.m[0].has_avg);
	EXPECT_EQ(12500000, a.m[0].avg);
	EXPECT_TRUE(a.m[0].has_sum);
	EXPECT_EQ(INT64_MIN, a.m[0].sum);
	EXPECT_TRUE(a.m[0].has_range);
	EXPECT_EQ(-5000000, a.m[0].min);
	EXPECT_EQ(1, a.m[0].max);
	EXPECT_TRUE(a.m[0].has_publishers);
	EXPECT_EQ(7999999, a.m[0].publishers);
	EXPECT_TRUE(a.m[0].settled);
	/* Only a name and the settled flag: nothing else is claimed. */
	EXPECT_STREQ("disk.free", a.m[1].name);
	EXPECT_FALSE(a.m[1].has_own);
	EXPECT_FALSE(a.m[1].has_avg);
	EXPECT_FALSE(a.m[1].has_sum);
	EXPECT_FALSE(a.m[1].has_range);
	EXPECT_FALSE(a.m[1].has_publishers);
	EXPECT_TRUE(a.m[1].settled);
	EXPECT_EQ(0, a.m[1].own);
	/* Nothing of the 0xa5 fill is left past the metrics. */
	EXPECT_EQ(0, a.m[2].name[0]);
	EXPECT_EQ(0, a.m[GC_AGG_MAX_METRICS - 1].max);
}

TEST(agg_reply_without_metrics_or_nodes)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct gc_agg_info a;
	unsigned int bit;

	ASSERT_EQ(MNL_CB_OK, decode_agg(put_agg_top(buf, A_TOP & ~A_NODES), &a));
	EXPECT_FALSE(a.has_nodes);
	EXPECT_EQ(0, a.n);
	for (bit = A_EPOCH; bit <= A_VALID; bit <<= 1) {
		memset(buf, 0, sizeof(buf));
		EXPECT_EQ(MNL_CB_ERROR, decode_agg(put_agg_top(buf, A_TOP & ~bit), &a))
		{
			TH_LOG("accepted a reply without bit %#x", bit);
		}
	}
}

static int agg_with_metric(unsigned int mask)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct nlmsghdr *nlh = put_agg_top(buf, A_TOP);
	struct gc_agg_info a;

	put_metric(nlh, "load", mask);
	return decode_agg(nlh, &a);
}

TEST(agg_metric_fields)
{
	/* The name and the settled flag are required, min and max go together. */
	EXPECT_EQ(MNL_CB_ERROR, agg_with_metric(M_ALL & ~M_NAME));
	EXPECT_EQ(MNL_CB_ERROR, agg_with_metric(M_ALL & ~M_SETTLED));
	EXPECT_EQ(MNL_CB_ERROR, agg_with_metric(M_ALL & ~M_MIN));
	EXPECT_EQ(MNL_CB_ERROR, agg_with_metric(M_ALL & ~M_MAX));
	EXPECT_EQ(MNL_CB_OK, agg_with_metric(M_ALL & ~(M_MIN | M_MAX)));
	EXPECT_EQ(MNL_CB_OK, agg_with_metric(M_ALL & ~M_OWN));
	EXPECT_EQ(MNL_CB_OK, agg_with_metric(M_ALL & ~(M_AVG | M_SUM | M_PUB)));
	EXPECT_EQ(MNL_CB_ERROR, agg_with_metric(0));
}

TEST(agg_min_above_max)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct nlmsghdr *nlh = put_agg_top(buf, A_TOP);
	struct nlattr *nest;
	struct gc_agg_info a;

	nest = mnl_attr_nest_start(nlh, GC_A_AGG);
	mnl_attr_put_strz(nlh, GC_AGG_A_NAME, "x");
	mnl_attr_put_u8(nlh, GC_AGG_A_SETTLED, 0);
	mnl_attr_put_u64(nlh, GC_AGG_A_MINIMUM, 2);
	mnl_attr_put_u64(nlh, GC_AGG_A_MAXIMUM, 1);
	mnl_attr_nest_end(nlh, nest);
	EXPECT_EQ(MNL_CB_ERROR, decode_agg(nlh, &a));
}

TEST(agg_metric_names)
{
	char name[GC_AGG_NAME_SIZE + 1];
	uint32_t buf[BUF_WORDS];
	struct nlmsghdr *nlh;
	struct gc_agg_info a;

	/* 31 characters fit, 32 do not; and only the name rule's characters. */
	memset(name, 'm', GC_AGG_NAME_SIZE - 1);
	name[GC_AGG_NAME_SIZE - 1] = '\0';
	memset(buf, 0, sizeof(buf));
	nlh = put_agg_top(buf, A_TOP);
	put_metric(nlh, name, M_ALL);
	ASSERT_EQ(MNL_CB_OK, decode_agg(nlh, &a));
	EXPECT_STREQ(name, a.m[0].name);
	memset(name, 'm', GC_AGG_NAME_SIZE);
	name[GC_AGG_NAME_SIZE] = '\0';
	memset(buf, 0, sizeof(buf));
	nlh = put_agg_top(buf, A_TOP);
	put_metric(nlh, name, M_ALL);
	EXPECT_EQ(MNL_CB_ERROR, decode_agg(nlh, &a));
	memset(buf, 0, sizeof(buf));
	nlh = put_agg_top(buf, A_TOP);
	put_metric(nlh, "lo\nad", M_ALL);
	EXPECT_EQ(MNL_CB_ERROR, decode_agg(nlh, &a));
	memset(buf, 0, sizeof(buf));
	nlh = put_agg_top(buf, A_TOP);
	put_metric(nlh, "", M_ALL);
	EXPECT_EQ(MNL_CB_ERROR, decode_agg(nlh, &a));
	/* Two metrics of one name. */
	memset(buf, 0, sizeof(buf));
	nlh = put_agg_top(buf, A_TOP);
	put_metric(nlh, "load", M_ALL);
	put_metric(nlh, "load", M_NAME | M_SETTLED);
	EXPECT_EQ(MNL_CB_ERROR, decode_agg(nlh, &a));
}

TEST(agg_metric_count)
{
	uint32_t buf[BUF_WORDS];
	struct nlmsghdr *nlh;
	struct gc_agg_info a;
	char name[16];
	int i;

	memset(buf, 0, sizeof(buf));
	nlh = put_agg_top(buf, A_TOP);
	for (i = 0; i < GC_AGG_MAX_METRICS; i++) {
		snprintf(name, sizeof(name), "m%d", i);
		put_metric(nlh, name, M_ALL);
	}
	ASSERT_EQ(MNL_CB_OK, decode_agg(nlh, &a));
	EXPECT_EQ(GC_AGG_MAX_METRICS, a.n);
	EXPECT_STREQ("m15", a.m[GC_AGG_MAX_METRICS - 1].name);
	/* One more than the contract allows. */
	put_metric(nlh, "m16", M_ALL);
	EXPECT_EQ(MNL_CB_ERROR, decode_agg(nlh, &a));
}

TEST(agg_attribute_widths)
{
	static const uint8_t bytes[16];
	static const struct {
		uint16_t type;
		size_t good;
	} top[] =
		{
			{GC_A_AGG_EPOCH, 4},
			{GC_A_AGG_ROUNDS, 4},
			{GC_A_AGG_VALID, 1},
			{GC_A_AGG_NODES, 8},
		},
	  nest[] = {
		  {GC_AGG_A_OWN, 8},	 {GC_AGG_A_AVG, 8},	   {GC_AGG_A_SUM, 8},
		  {GC_AGG_A_MINIMUM, 8}, {GC_AGG_A_PUBLISHERS, 8}, {GC_AGG_A_SETTLED, 1},
	  };
	static const size_t lens[] = {0, 1, 2, 4, 8, 16};
	uint32_t buf[BUF_WORDS];
	struct gc_agg_info a;
	size_t i, j;

	for (i = 0; i < sizeof(top) / sizeof(top[0]); i++) {
		for (j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
			struct nlmsghdr *nlh;

			memset(buf, 0, sizeof(buf));
			nlh = put_agg_top(buf, A_TOP);
			mnl_attr_put(nlh, top[i].type, lens[j], bytes);
			EXPECT_EQ(lens[j] == top[i].good ? MNL_CB_OK : MNL_CB_ERROR,
				  decode_agg(nlh, &a))
			{
				TH_LOG("attribute %u of %zu bytes", top[i].type, lens[j]);
			}
		}
	}
	for (i = 0; i < sizeof(nest) / sizeof(nest[0]); i++) {
		for (j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
			struct nlmsghdr *nlh;
			struct nlattr *n;

			memset(buf, 0, sizeof(buf));
			nlh = put_agg_top(buf, A_TOP);
			n = mnl_attr_nest_start(nlh, GC_A_AGG);
			mnl_attr_put_strz(nlh, GC_AGG_A_NAME, "x");
			mnl_attr_put_u8(nlh, GC_AGG_A_SETTLED, 0);
			/* MIN is tried with a good MAX, so only its width matters. */
			if (nest[i].type == GC_AGG_A_MINIMUM)
				mnl_attr_put_u64(nlh, GC_AGG_A_MAXIMUM, INT64_MAX);
			mnl_attr_put(nlh, nest[i].type, lens[j], bytes);
			mnl_attr_nest_end(nlh, n);
			EXPECT_EQ(lens[j] == nest[i].good ? MNL_CB_OK : MNL_CB_ERROR,
				  decode_agg(nlh, &a))
			{
				TH_LOG("nested attribute %u of %zu bytes", nest[i].type, lens[j]);
			}
		}
	}
}

TEST(agg_unknown_attributes_and_broken_nests)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct nlmsghdr *nlh = put_agg_top(buf, A_TOP);
	struct nlattr *nest;
	struct gc_agg_info a;

	mnl_attr_put_u32(nlh, 400, 1);
	nest = mnl_attr_nest_start(nlh, GC_A_AGG);
	mnl_attr_put_u64(nlh, 200, 5); /* a newer module's */
	mnl_attr_put(nlh, GC_AGG_A_PAD, 0, NULL);
	mnl_attr_put_strz(nlh, GC_AGG_A_NAME, "load");
	mnl_attr_put_u8(nlh, GC_AGG_A_SETTLED, 0);
	mnl_attr_put(nlh, 201, 3, "abc");
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_put(nlh, GC_A_ITEM_ID, 3, "abc"); /* another command's, malformed */
	ASSERT_EQ(MNL_CB_OK, decode_agg(nlh, &a));
	ASSERT_EQ(1, a.n);
	EXPECT_FALSE(a.m[0].settled);

	/* A nest whose last attribute is cut by the nest's length. */
	memset(buf, 0, sizeof(buf));
	nlh = put_agg_top(buf, A_TOP);
	nest = mnl_attr_nest_start(nlh, GC_A_AGG);
	mnl_attr_put_strz(nlh, GC_AGG_A_NAME, "load");
	mnl_attr_put_u8(nlh, GC_AGG_A_SETTLED, 0);
	mnl_attr_put_u64(nlh, GC_AGG_A_AVG, 5);
	mnl_attr_nest_end(nlh, nest);
	nest->nla_len -= 4;
	EXPECT_EQ(MNL_CB_ERROR, decode_agg(nlh, &a));
	/* A nest shorter than an attribute header, and one not a nest at all. */
	memset(buf, 0, sizeof(buf));
	nlh = put_agg_top(buf, A_TOP);
	mnl_attr_put(nlh, GC_A_AGG, 2, "ab");
	EXPECT_EQ(MNL_CB_ERROR, decode_agg(nlh, &a));
	memset(buf, 0, sizeof(buf));
	nlh = put_agg_top(buf, A_TOP);
	mnl_attr_put(nlh, GC_A_AGG, 0, NULL);
	EXPECT_EQ(MNL_CB_ERROR, decode_agg(nlh, &a));
}

TEST(new_decoders_short_messages)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct gc_item_info it;
	struct gc_origin_info o;
	struct gc_agg_info a;
	uint32_t len;

	/* From a bare nlmsghdr to one byte short of a genlmsghdr. */
	for (len = MNL_NLMSG_HDRLEN; len < MNL_NLMSG_HDRLEN + GENL_HDRLEN; len++) {
		nlh->nlmsg_len = len;
		EXPECT_EQ(MNL_CB_ERROR, decode_item_with(gc_decode_item, nlh, &it, NULL));
		EXPECT_EQ(MNL_CB_ERROR, decode_item_with(gc_decode_item_put, nlh, &it, NULL));
		EXPECT_EQ(MNL_CB_ERROR, decode_item_with(gc_decode_item_verify, nlh, &it, NULL));
		EXPECT_EQ(MNL_CB_ERROR, decode_item_with(gc_decode_item_event, nlh, &it, NULL));
		EXPECT_EQ(MNL_CB_ERROR, decode_origin(nlh, &o));
		EXPECT_EQ(MNL_CB_ERROR, decode_agg(nlh, &a));
	}
	/* A genl header and nothing else: every decoder misses its fields. */
	nlh = put_genl(buf, GC_CMD_ITEM_EVENT);
	EXPECT_EQ(MNL_CB_ERROR, decode_item_with(gc_decode_item_event, nlh, &it, NULL));
	EXPECT_EQ(MNL_CB_ERROR, decode_origin(nlh, &o));
	EXPECT_EQ(MNL_CB_ERROR, decode_agg(nlh, &a));
}

TEST(replies_are_not_each_other)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct gc_item_info it;
	struct gc_origin_info o;
	struct gc_agg_info a;
	struct nlmsghdr *nlh;

	nlh = put_origin(buf, O_ALL);
	EXPECT_EQ(MNL_CB_ERROR, decode_item_with(gc_decode_item, nlh, &it, NULL));
	EXPECT_EQ(MNL_CB_ERROR, decode_agg(nlh, &a));
	memset(buf, 0, sizeof(buf));
	nlh = put_get_reply(buf, I_GET, GC_ITEM_STATE_HELD);
	EXPECT_EQ(MNL_CB_ERROR, decode_origin(nlh, &o));
	EXPECT_EQ(MNL_CB_ERROR, decode_agg(nlh, &a));
	EXPECT_EQ(MNL_CB_ERROR, decode_item_with(gc_decode_item_event, nlh, &it, NULL));
	memset(buf, 0, sizeof(buf));
	nlh = put_node(buf, NODE_ALL, 4);
	EXPECT_EQ(MNL_CB_ERROR, decode_item_with(gc_decode_item_put, nlh, &it, NULL));
}

TEST(new_attr_and_stat_names)
{
	EXPECT_STREQ("item id", gc_attr_name(GC_A_ITEM_ID));
	EXPECT_STREQ("item data", gc_attr_name(GC_A_ITEM_DATA));
	EXPECT_STREQ("item boot", gc_attr_name(GC_A_ITEM_BOOT));
	EXPECT_STREQ("verdict", gc_attr_name(GC_A_VERDICT));
	EXPECT_STREQ("aggregate value", gc_attr_name(GC_A_AGG_VALUE));
	EXPECT_STREQ("items_put", gc_stat_name(GC_STAT_ITEMS_PUT));
	EXPECT_STREQ("upcalls_dropped", gc_stat_name(GC_STAT_UPCALLS_DROPPED));
	EXPECT_STREQ("agg_stale", gc_stat_name(GC_STAT_AGG_STALE));
}

TEST(stat_names_are_distinct)
{
	unsigned int i, j;

	for (i = GC_STAT_RX_PACKETS; i <= GC_STAT_MAX; i++)
		for (j = i + 1; j <= GC_STAT_MAX; j++)
			if (gc_stat_name(i) && gc_stat_name(j))
				EXPECT_STRNE(gc_stat_name(i), gc_stat_name(j));
}

TEST(attr_names_are_distinct)
{
	int i, j;

	for (i = 1; i <= GC_A_MAX; i++)
		for (j = i + 1; j <= GC_A_MAX; j++)
			EXPECT_STRNE(gc_attr_name(i), gc_attr_name(j));
}

TEST_HARNESS_MAIN
