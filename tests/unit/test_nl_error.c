// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for ctl/nl.c: gc_nl_new_request(), gc_nl_parse_error() on
 * NLMSG_ERROR messages built by hand as the kernel builds them (netlink_ack()),
 * and gc_nl_format_error().
 */

#include "kselftest_harness.h"

#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "gossipchain.h"
#include "nl.h"

#define FAMILY_ID 0x1c
#define SEQ	  1000

/* Netlink buffers: 4-byte aligned as every nlmsghdr must be. */
#define BUF_WORDS 1024

/* Byte offsets of the attributes of the request make_request() builds. */
#define OFF_NAME 20 /* nlmsghdr (16) + genlmsghdr (4) */
#define OFF_PORT 32 /* + "node1\0" (4 + 6 -> 12) */
#define OFF_ADDR 40 /* + u16 (4 + 2 -> 8) */
#define REQ_LEN	 48 /* + 4 bytes (4 + 4) */

/* A SET_NODE request with three attributes, as gcctl would send it. */
static struct nlmsghdr *make_request(void *buf)
{
	static const uint8_t addr[4] = {10, 0, 0, 1};
	struct gc_nl nl = {.family_id = FAMILY_ID, .seq = SEQ};
	struct nlmsghdr *req = gc_nl_new_request(&nl, buf, GC_CMD_SET_NODE, 0);

	mnl_attr_put_strz(req, GC_A_NODE_NAME, "node1");
	mnl_attr_put_u16(req, GC_A_LISTEN_PORT, 7947);
	mnl_attr_put(req, GC_A_LISTEN_ADDR, sizeof(addr), addr);
	return req;
}

/*
 * The header of an NLMSG_ERROR answering req: struct nlmsgerr with the
 * request's header only (capped) or the whole request (not capped), as
 * netlink_ack() lays it out. TLVs go after it with mnl_attr_put*().
 */
static struct nlmsghdr *put_error(void *buf, int error, uint16_t flags, const struct nlmsghdr *req)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	size_t echo = sizeof(struct nlmsghdr);
	struct nlmsgerr *err;

	if (req && !(flags & NLM_F_CAPPED))
		echo = req->nlmsg_len;
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = req ? req->nlmsg_seq : 0;
	err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err) - sizeof(struct nlmsghdr) + echo);
	err->error = error;
	if (req)
		memcpy(&err->msg, req, echo);
	return nlh;
}

/* A malloc()ed copy of exactly len bytes, so ASan sees any read past it by
 * nl.c or the libc functions it calls (libmnl.so is not instrumented).
 */
static void *exact_copy(const void *src, size_t len)
{
	void *p = malloc(len ? len : 1);

	if (p && len)
		memcpy(p, src, len);
	return p;
}

/* gc_nl_parse_error() on an exact-size copy of the first len bytes of nlh. */
static int parse_exact(const struct nlmsghdr *nlh, size_t len, const struct nlmsghdr *req,
		       struct gc_nl_error *e)
{
	void *copy = exact_copy(nlh, len);
	int r;

	r = gc_nl_parse_error(copy, len, req, e);
	free(copy);
	return r;
}

/* An error with every field set to something parse must overwrite. */
static void poison(struct gc_nl_error *e)
{
	e->err = 12345;
	e->bad_attr = 12345;
	memset(e->msg, 'Z', sizeof(e->msg) - 1);
	e->msg[sizeof(e->msg) - 1] = '\0';
}

static int parse(const struct nlmsghdr *nlh, const struct nlmsghdr *req, struct gc_nl_error *e)
{
	poison(e);
	return parse_exact(nlh, nlh->nlmsg_len, req, e);
}

TEST(new_request_header)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct gc_nl nl = {.family_id = FAMILY_ID, .seq = SEQ};
	struct nlmsghdr *req;
	struct genlmsghdr *g;

	req = gc_nl_new_request(&nl, buf, GC_CMD_GET_STATUS, NLM_F_DUMP);
	EXPECT_EQ(FAMILY_ID, req->nlmsg_type);
	EXPECT_EQ(NLM_F_REQUEST | NLM_F_DUMP, req->nlmsg_flags);
	EXPECT_EQ(SEQ + 1, req->nlmsg_seq);
	EXPECT_EQ(SEQ + 1, nl.seq);
	EXPECT_EQ(MNL_NLMSG_HDRLEN + GENL_HDRLEN, req->nlmsg_len);
	g = mnl_nlmsg_get_payload(req);
	EXPECT_EQ(GC_CMD_GET_STATUS, g->cmd);
	EXPECT_EQ(GOSSIPCHAIN_GENL_VERSION, g->version);
	EXPECT_EQ(0, g->reserved);
	/* Every request gets the next sequence number. */
	req = gc_nl_new_request(&nl, buf, GC_CMD_GET_NODE, 0);
	EXPECT_EQ(SEQ + 2, req->nlmsg_seq);
	EXPECT_EQ(NLM_F_REQUEST, req->nlmsg_flags);
}

TEST(request_layout)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct nlmsghdr *req = make_request(buf);
	const char *base = (const char *)req;

	/* The offsets the OFFS tests below point at. */
	ASSERT_EQ(REQ_LEN, req->nlmsg_len);
	EXPECT_EQ(GC_A_NODE_NAME, mnl_attr_get_type((const struct nlattr *)(base + OFF_NAME)));
	EXPECT_EQ(GC_A_LISTEN_PORT, mnl_attr_get_type((const struct nlattr *)(base + OFF_PORT)));
	EXPECT_EQ(GC_A_LISTEN_ADDR, mnl_attr_get_type((const struct nlattr *)(base + OFF_ADDR)));
}

TEST(plain_ack)
{
	uint32_t rbuf[BUF_WORDS] = {0}, buf[BUF_WORDS] = {0};
	struct nlmsghdr *req = make_request(rbuf);
	struct nlmsghdr *nlh = put_error(buf, 0, NLM_F_CAPPED, req);
	struct gc_nl_error e;

	EXPECT_EQ(0, parse(nlh, req, &e));
	EXPECT_EQ(0, e.err);
	EXPECT_STREQ("", e.msg);
	EXPECT_EQ(-1, e.bad_attr);
}

TEST(ack_without_request)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct nlmsghdr *nlh = put_error(buf, 0, 0, NULL);
	struct gc_nl_error e;

	ASSERT_EQ(MNL_NLMSG_HDRLEN + sizeof(struct nlmsgerr), nlh->nlmsg_len);
	EXPECT_EQ(0, parse(nlh, NULL, &e));
	EXPECT_EQ(0, e.err);
	EXPECT_EQ(-1, e.bad_attr);
}

TEST(ack_with_warning_message)
{
	uint32_t rbuf[BUF_WORDS] = {0}, buf[BUF_WORDS] = {0};
	struct nlmsghdr *req = make_request(rbuf);
	struct nlmsghdr *nlh = put_error(buf, 0, NLM_F_CAPPED | NLM_F_ACK_TLVS, req);
	struct gc_nl_error e;

	/* The kernel may attach an extack message to a success. */
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "deprecated attribute");
	EXPECT_EQ(0, parse(nlh, req, &e));
	EXPECT_EQ(0, e.err);
	EXPECT_STREQ("deprecated attribute", e.msg);
	EXPECT_EQ(-1, e.bad_attr);
}

TEST(error_without_tlvs)
{
	uint32_t rbuf[BUF_WORDS] = {0}, buf[BUF_WORDS] = {0};
	struct nlmsghdr *req = make_request(rbuf);
	struct nlmsghdr *nlh = put_error(buf, -EINVAL, 0, req);
	struct gc_nl_error e;

	EXPECT_EQ(1, parse(nlh, req, &e));
	EXPECT_EQ(EINVAL, e.err);
	EXPECT_STREQ("", e.msg);
	EXPECT_EQ(-1, e.bad_attr);
}

TEST(tlvs_ignored_without_flag)
{
	uint32_t rbuf[BUF_WORDS] = {0}, buf[BUF_WORDS] = {0};
	struct nlmsghdr *req = make_request(rbuf);
	struct nlmsghdr *nlh = put_error(buf, -EPERM, NLM_F_CAPPED, req);
	struct gc_nl_error e;

	/* Without NLM_F_ACK_TLVS what follows is not TLVs. */
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "not a TLV");
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, OFF_PORT);
	EXPECT_EQ(1, parse(nlh, req, &e));
	EXPECT_EQ(EPERM, e.err);
	EXPECT_STREQ("", e.msg);
	EXPECT_EQ(-1, e.bad_attr);
}

static void check_extack(struct __test_metadata *_metadata, uint16_t flags, uint32_t off,
			 int bad_attr)
{
	uint32_t rbuf[BUF_WORDS] = {0}, buf[BUF_WORDS] = {0};
	struct nlmsghdr *req = make_request(rbuf);
	struct nlmsghdr *nlh = put_error(buf, -EINVAL, NLM_F_ACK_TLVS | flags, req);
	struct gc_nl_error e;

	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "some message");
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, off);
	EXPECT_EQ(1, parse(nlh, req, &e));
	EXPECT_EQ(EINVAL, e.err);
	EXPECT_STREQ("some message", e.msg);
	EXPECT_EQ(bad_attr, e.bad_attr)
	{
		TH_LOG("offset %u, flags 0x%x", off, flags);
	}
}

TEST(capped_msg_and_offs)
{
	check_extack(_metadata, NLM_F_CAPPED, OFF_PORT, GC_A_LISTEN_PORT);
	check_extack(_metadata, NLM_F_CAPPED, OFF_NAME, GC_A_NODE_NAME);
	check_extack(_metadata, NLM_F_CAPPED, OFF_ADDR, GC_A_LISTEN_ADDR);
}

TEST(echoed_request_msg_and_offs)
{
	uint32_t rbuf[BUF_WORDS] = {0}, buf[BUF_WORDS] = {0};
	struct nlmsghdr *req = make_request(rbuf);
	struct nlmsghdr *nlh = put_error(buf, -EINVAL, NLM_F_ACK_TLVS, req);

	/* The whole request sits between struct nlmsgerr and the TLVs. */
	EXPECT_EQ(MNL_NLMSG_HDRLEN + sizeof(struct nlmsgerr) - sizeof(struct nlmsghdr) + REQ_LEN,
		  nlh->nlmsg_len);
	check_extack(_metadata, 0, OFF_PORT, GC_A_LISTEN_PORT);
	check_extack(_metadata, 0, OFF_NAME, GC_A_NODE_NAME);
	check_extack(_metadata, 0, OFF_ADDR, GC_A_LISTEN_ADDR);
}

TEST(echoed_unaligned_request)
{
	uint32_t rbuf[BUF_WORDS] = {0}, buf[BUF_WORDS] = {0};
	struct gc_nl nl = {.family_id = FAMILY_ID};
	struct nlmsghdr *req = gc_nl_new_request(&nl, rbuf, GC_CMD_SET_NODE, 0);
	struct nlmsghdr *nlh;
	struct gc_nl_error e;

	/* A request whose length is not a multiple of 4: "ab\0" (4 + 3 = 7). */
	mnl_attr_put_strz(req, GC_A_NODE_NAME, "ab");
	req->nlmsg_len = OFF_NAME + 7;
	nlh = put_error(buf, -EINVAL, NLM_F_ACK_TLVS, req);
	ASSERT_EQ(0, nlh->nlmsg_len % 4);
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "bad name");
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, OFF_NAME);
	EXPECT_EQ(1, parse(nlh, req, &e));
	EXPECT_STREQ("bad name", e.msg);
	EXPECT_EQ(GC_A_NODE_NAME, e.bad_attr);
}

TEST(offs_not_at_an_attribute)
{
	static const uint32_t offs[] = {
		0,	      /* the nlmsghdr */
		16,	      /* the genlmsghdr */
		OFF_NAME + 4, /* the payload of the name */
		OFF_PORT + 2, /* the middle of the port's header */
		OFF_PORT + 4, /* the port's payload */
		OFF_ADDR + 1, /* unaligned */
		REQ_LEN,      /* the end of the request */
		REQ_LEN + 4,  /* past it */
		0xffffffff,
		0x80000000,
	};
	size_t i;

	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		check_extack(_metadata, NLM_F_CAPPED, offs[i], -1);
		check_extack(_metadata, 0, offs[i], -1);
	}
}

TEST(offs_without_request)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct nlmsghdr *nlh = put_error(buf, -EINVAL, NLM_F_ACK_TLVS | NLM_F_CAPPED, NULL);
	struct gc_nl_error e;

	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, OFF_PORT);
	EXPECT_EQ(1, parse(nlh, NULL, &e));
	EXPECT_EQ(-1, e.bad_attr);
}

TEST(unknown_tlvs_skipped)
{
	uint32_t rbuf[BUF_WORDS] = {0}, buf[BUF_WORDS] = {0};
	struct nlmsghdr *req = make_request(rbuf);
	struct nlmsghdr *nlh = put_error(buf, -ENOENT, NLM_F_ACK_TLVS | NLM_F_CAPPED, req);
	struct gc_nl_error e;

	mnl_attr_put_u64(nlh, NLMSGERR_ATTR_COOKIE, 0x1122334455667788ULL);
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_MISS_TYPE, GC_A_NODE_NAME);
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "missing");
	mnl_attr_put(nlh, 99, 0, NULL);
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, OFF_ADDR);
	EXPECT_EQ(1, parse(nlh, req, &e));
	EXPECT_EQ(ENOENT, e.err);
	EXPECT_STREQ("missing", e.msg);
	EXPECT_EQ(GC_A_LISTEN_ADDR, e.bad_attr);
}

TEST(long_message_truncated)
{
	uint32_t rbuf[BUF_WORDS] = {0}, buf[BUF_WORDS] = {0};
	struct nlmsghdr *req = make_request(rbuf);
	struct nlmsghdr *nlh = put_error(buf, -EINVAL, NLM_F_ACK_TLVS | NLM_F_CAPPED, req);
	struct gc_nl_error e;
	char msg[1000];

	memset(msg, 'm', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = '\0';
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
	EXPECT_EQ(1, parse(nlh, req, &e));
	EXPECT_EQ(sizeof(e.msg) - 1, strlen(e.msg));
	EXPECT_EQ(0, strncmp(msg, e.msg, sizeof(e.msg) - 1));
}

TEST(errno_bounds)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct nlmsghdr *nlh;
	struct gc_nl_error e;

	nlh = put_error(buf, -4095, 0, NULL);
	EXPECT_EQ(1, parse(nlh, NULL, &e));
	EXPECT_EQ(4095, e.err);

	nlh = put_error(buf, -4096, 0, NULL);
	EXPECT_EQ(-1, parse(nlh, NULL, &e));
	EXPECT_EQ(EPROTO, e.err);

	nlh = put_error(buf, INT32_MIN, 0, NULL);
	EXPECT_EQ(-1, parse(nlh, NULL, &e));
	EXPECT_EQ(EPROTO, e.err);
}

TEST(positive_error)
{
	uint32_t rbuf[BUF_WORDS] = {0}, buf[BUF_WORDS] = {0};
	struct nlmsghdr *req = make_request(rbuf);
	struct nlmsghdr *nlh;
	struct gc_nl_error e;

	nlh = put_error(buf, EINVAL, NLM_F_CAPPED, req);
	EXPECT_EQ(-1, parse(nlh, req, &e));
	EXPECT_EQ(EPROTO, e.err);
	EXPECT_STREQ("malformed netlink error message", e.msg);
	EXPECT_EQ(-1, e.bad_attr);

	nlh = put_error(buf, 1, NLM_F_CAPPED, req);
	EXPECT_EQ(-1, parse(nlh, req, &e));
	EXPECT_EQ(EPROTO, e.err);
}

TEST(short_buffer)
{
	uint32_t rbuf[BUF_WORDS] = {0}, buf[BUF_WORDS] = {0};
	struct nlmsghdr *req = make_request(rbuf);
	struct nlmsghdr *nlh = put_error(buf, -EINVAL, NLM_F_ACK_TLVS, req);
	struct gc_nl_error e;
	size_t full, len;

	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "some message");
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, OFF_PORT);
	full = nlh->nlmsg_len;
	/* Every prefix is shorter than the nlmsg_len it claims (or than a header). */
	for (len = 0; len < full; len++) {
		poison(&e);
		EXPECT_EQ(-1, parse_exact(nlh, len, req, &e))
		{
			TH_LOG("accepted %zu of %zu bytes", len, full);
		}
		EXPECT_EQ(EPROTO, e.err);
		EXPECT_EQ(-1, e.bad_attr);
	}
	poison(&e);
	EXPECT_EQ(1, parse_exact(nlh, full, req, &e));
	EXPECT_STREQ("some message", e.msg);
	EXPECT_EQ(GC_A_LISTEN_PORT, e.bad_attr);
}

TEST(nlmsg_len_too_small)
{
	uint32_t buf[BUF_WORDS] = {0};
	struct nlmsghdr *nlh = put_error(buf, -EINVAL, 0, NULL);
	size_t full = nlh->nlmsg_len;
	struct gc_nl_error e;
	uint32_t n;

	/* The buffer holds a whole nlmsgerr but the header claims less. */
	for (n = 0; n < full; n++) {
		nlh->nlmsg_len = n;
		poison(&e);
		EXPECT_EQ(-1, parse_exact(nlh, full, NULL, &e))
		{
			TH_LOG("accepted nlmsg_len %u", n);
		}
		EXPECT_EQ(EPROTO, e.err);
	}
}

TEST(nlmsg_len_shorter_than_buffer)
{
	uint32_t rbuf[BUF_WORDS] = {0}, buf[BUF_WORDS] = {0};
	struct nlmsghdr *req = make_request(rbuf);
	struct nlmsghdr *nlh = put_error(buf, -EINVAL, NLM_F_ACK_TLVS | NLM_F_CAPPED, req);
	uint32_t end_of_msg;
	struct gc_nl_error e;
	size_t full;

	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "some message");
	end_of_msg = nlh->nlmsg_len;
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, OFF_PORT);
	full = nlh->nlmsg_len;
	/* Bytes past nlmsg_len (the next message in a batch) are not TLVs. */
	nlh->nlmsg_len = end_of_msg;
	poison(&e);
	EXPECT_EQ(1, parse_exact(nlh, full, req, &e));
	EXPECT_STREQ("some message", e.msg);
	EXPECT_EQ(-1, e.bad_attr);
}

TEST(tlv_cut_by_nlmsg_len)
{
	uint32_t rbuf[BUF_WORDS] = {0}, buf[BUF_WORDS] = {0};
	struct nlmsghdr *req = make_request(rbuf);
	struct nlmsghdr *nlh = put_error(buf, -EINVAL, NLM_F_ACK_TLVS | NLM_F_CAPPED, req);
	uint32_t full, cut;
	struct gc_nl_error e;

	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "some message");
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, OFF_PORT);
	full = nlh->nlmsg_len;
	/* The message (and the buffer) end inside the OFFS TLV. */
	for (cut = 1; cut < 8; cut++) {
		nlh->nlmsg_len = full - cut;
		poison(&e);
		EXPECT_EQ(1, parse_exact(nlh, full - cut, req, &e));
		EXPECT_STREQ("some message", e.msg);
		EXPECT_EQ(-1, e.bad_attr);
	}
}

TEST(tlv_longer_than_message)
{
	uint32_t rbuf[BUF_WORDS] = {0}, buf[BUF_WORDS] = {0};
	struct nlmsghdr *req = make_request(rbuf);
	struct nlmsghdr *nlh = put_error(buf, -EINVAL, NLM_F_ACK_TLVS | NLM_F_CAPPED, req);
	struct nlattr *msg;
	struct gc_nl_error e;

	msg = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "some message");
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, OFF_PORT);
	/* The MSG TLV claims more than what is left: parsing stops there. */
	msg->nla_len = 200;
	EXPECT_EQ(1, parse(nlh, req, &e));
	EXPECT_EQ(EINVAL, e.err);
	EXPECT_STREQ("", e.msg);
	EXPECT_EQ(-1, e.bad_attr);
	/* One byte more than what is left. */
	msg->nla_len = (uint16_t)((char *)nlh + nlh->nlmsg_len - (char *)msg + 1);
	EXPECT_EQ(1, parse(nlh, req, &e));
	EXPECT_STREQ("", e.msg);
	/* And a TLV shorter than its own header. */
	msg->nla_len = 3;
	EXPECT_EQ(1, parse(nlh, req, &e));
	EXPECT_STREQ("", e.msg);
	EXPECT_EQ(-1, e.bad_attr);
}

/* Sets the echoed request's length and expects the message to be refused. */
static void expect_echo_len_refused(struct __test_metadata *_metadata, const uint32_t *lens,
				    size_t n)
{
	uint32_t rbuf[BUF_WORDS] = {0}, buf[BUF_WORDS] = {0};
	struct nlmsghdr *req = make_request(rbuf);
	struct nlmsghdr *nlh = put_error(buf, -EINVAL, NLM_F_ACK_TLVS, req);
	struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	struct gc_nl_error e;
	size_t i;

	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "some message");
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, OFF_PORT);
	for (i = 0; i < n; i++) {
		err->msg.nlmsg_len = lens[i];
		EXPECT_EQ(-1, parse(nlh, req, &e))
		{
			TH_LOG("accepted an echoed request of %u bytes in a message of %u", lens[i],
			       nlh->nlmsg_len);
		}
	}
}

TEST(echoed_request_longer_than_message)
{
	static const uint32_t lens[] = {
		0,   1,	   15, /* shorter than a header */
		200, 1000, 0x7fffffff, 0xfffffff0, 0xfffffffc,
	};

	expect_echo_len_refused(_metadata, lens, sizeof(lens) / sizeof(lens[0]));
}

TEST(echoed_request_length_wraps)
{
	/* MNL_ALIGN() of these wraps to 0 in 32 bits, which must not put the
	 * TLVs back inside struct nlmsgerr.
	 */
	static const uint32_t lens[] = {0xfffffffd, 0xfffffffe, 0xffffffff};

	expect_echo_len_refused(_metadata, lens, sizeof(lens) / sizeof(lens[0]));
}

TEST(echoed_request_exactly_fills_message)
{
	uint32_t rbuf[BUF_WORDS] = {0}, buf[BUF_WORDS] = {0};
	struct nlmsghdr *req = make_request(rbuf);
	struct nlmsghdr *nlh = put_error(buf, -EINVAL, NLM_F_ACK_TLVS, req);
	struct gc_nl_error e;

	/* ACK_TLVS set but no TLV after the request: an error, nothing more. */
	EXPECT_EQ(1, parse(nlh, req, &e));
	EXPECT_EQ(EINVAL, e.err);
	EXPECT_STREQ("", e.msg);
	EXPECT_EQ(-1, e.bad_attr);
}

TEST(msg_not_nul_terminated)
{
	uint32_t rbuf[BUF_WORDS] = {0}, buf[BUF_WORDS] = {0};
	struct nlmsghdr *req = make_request(rbuf);
	struct nlmsghdr *nlh = put_error(buf, -EINVAL, NLM_F_ACK_TLVS | NLM_F_CAPPED, req);
	struct gc_nl_error e;

	/* 8 bytes of payload, no NUL: the string must not be read past it. */
	mnl_attr_put(nlh, NLMSGERR_ATTR_MSG, 8, "abcdefgh");
	EXPECT_EQ(-1, parse(nlh, req, &e));
}

TEST(msg_empty_payload)
{
	uint32_t rbuf[BUF_WORDS] = {0}, buf[BUF_WORDS] = {0};
	struct nlmsghdr *req = make_request(rbuf);
	struct nlmsghdr *nlh = put_error(buf, -EINVAL, NLM_F_ACK_TLVS | NLM_F_CAPPED, req);
	struct gc_nl_error e;

	mnl_attr_put(nlh, NLMSGERR_ATTR_MSG, 0, NULL);
	EXPECT_EQ(-1, parse(nlh, req, &e));
}

TEST(msg_with_inner_nul)
{
	uint32_t rbuf[BUF_WORDS] = {0}, buf[BUF_WORDS] = {0};
	struct nlmsghdr *req = make_request(rbuf);
	struct nlmsghdr *nlh = put_error(buf, -EINVAL, NLM_F_ACK_TLVS | NLM_F_CAPPED, req);
	struct gc_nl_error e;

	mnl_attr_put(nlh, NLMSGERR_ATTR_MSG, 6, "ab\0cd");
	EXPECT_EQ(1, parse(nlh, req, &e));
	EXPECT_STREQ("ab", e.msg);
}

TEST(offs_wrong_size)
{
	static const uint8_t bytes[8] = {OFF_PORT};
	static const uint16_t sizes[] = {0, 2, 3, 5, 8};
	uint32_t rbuf[BUF_WORDS] = {0}, buf[BUF_WORDS] = {0};
	struct nlmsghdr *req = make_request(rbuf);
	struct gc_nl_error e;
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct nlmsghdr *nlh = put_error(buf, -EINVAL, NLM_F_ACK_TLVS | NLM_F_CAPPED, req);

		mnl_attr_put(nlh, NLMSGERR_ATTR_OFFS, sizes[i], bytes);
		EXPECT_EQ(-1, parse(nlh, req, &e))
		{
			TH_LOG("accepted an OFFS of %u bytes", sizes[i]);
		}
	}
}

static const char *fixed_name(int type)
{
	return type == 7 ? "seven" : NULL;
}

static void expect_format(struct __test_metadata *_metadata, int err, const char *msg, int bad_attr,
			  const char *(*attr_name)(int type), const char *want)
{
	struct gc_nl_error e = {.err = err, .bad_attr = bad_attr};
	char out[512];

	snprintf(e.msg, sizeof(e.msg), "%s", msg);
	memset(out, 'X', sizeof(out));
	gc_nl_format_error(&e, attr_name, out, sizeof(out));
	EXPECT_STREQ(want, out);
}

TEST(format_error)
{
	expect_format(_metadata, EINVAL, "msg", GC_A_LISTEN_PORT, gc_attr_name,
		      "Invalid argument: msg (attribute port)");
	expect_format(_metadata, EINVAL, "", GC_A_NODE_NAME, gc_attr_name,
		      "Invalid argument (attribute name)");
	expect_format(_metadata, EPERM, "not allowed", -1, gc_attr_name,
		      "Operation not permitted: not allowed");
	expect_format(_metadata, ENOENT, "", -1, gc_attr_name, "No such file or directory");
	/* No name function: the attribute is left out. */
	expect_format(_metadata, EINVAL, "msg", GC_A_LISTEN_PORT, NULL, "Invalid argument: msg");
	expect_format(_metadata, EINVAL, "msg", 200, gc_attr_name,
		      "Invalid argument: msg (attribute unknown)");
	expect_format(_metadata, EINVAL, "msg", 7, fixed_name,
		      "Invalid argument: msg (attribute seven)");
}

TEST(format_error_truncates)
{
	struct gc_nl_error e = {.err = EINVAL, .bad_attr = GC_A_LISTEN_PORT};
	static const char full[] = "Invalid argument: some message (attribute port)";
	size_t size;

	snprintf(e.msg, sizeof(e.msg), "some message");
	/* Every size from nothing to more than enough, into exact buffers. */
	for (size = 0; size <= sizeof(full) + 1; size++) {
		char *out = malloc(size + 1);

		ASSERT_NE(NULL, out);
		memset(out, 'X', size + 1);
		gc_nl_format_error(&e, gc_attr_name, out, size);
		/* The byte after the buffer is never written. */
		EXPECT_EQ('X', out[size]);
		if (size) {
			size_t want = size - 1 < sizeof(full) - 1 ? size - 1 : sizeof(full) - 1;

			EXPECT_EQ(want, strlen(out))
			{
				TH_LOG("size %zu: \"%s\"", size, out);
			}
			EXPECT_EQ(0, strncmp(full, out, want));
		}
		free(out);
	}
}

TEST(parse_then_format)
{
	uint32_t rbuf[BUF_WORDS] = {0}, buf[BUF_WORDS] = {0};
	struct nlmsghdr *req = make_request(rbuf);
	struct nlmsghdr *nlh = put_error(buf, -ERANGE, NLM_F_ACK_TLVS | NLM_F_CAPPED, req);
	struct gc_nl_error e;
	char out[300];

	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "port out of range");
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, OFF_PORT);
	ASSERT_EQ(1, parse(nlh, req, &e));
	gc_nl_format_error(&e, gc_attr_name, out, sizeof(out));
	EXPECT_STREQ("Numerical result out of range: port out of range (attribute port)", out);
}

TEST_HARNESS_MAIN
