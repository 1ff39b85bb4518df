// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for ctl/decode.c: the decoders of the family's replies, fed
 * generic netlink messages built by hand, well-formed and not.
 */

#include "kselftest_harness.h"

#include <arpa/inet.h>
#include <limits.h>
#include <linux/genetlink.h>
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

TEST_HARNESS_MAIN
