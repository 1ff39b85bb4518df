// SPDX-License-Identifier: GPL-2.0
/*
 * The item, verifier and aggregate commands of the gossipchain family, on
 * one node in a network namespace of its own: what is accepted and what it
 * returns, what is refused (errno, extack message, the attribute named) and
 * that a refusal changes nothing, and the verifier protocol: registration,
 * the upcall with the item's content, verdicts from another socket, and
 * unregistration when the verifier's socket closes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/genetlink.h>
#include <arpa/inet.h>
#include <poll.h>
#include <sched.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gossipchain.h"
#include "nl.h"

#include "kselftest_harness.h"

/* Big enough for an item of GC_ITEM_MAX_SIZE bytes and its headers. */
#define BIG (GC_ITEM_MAX_SIZE + 4096)

FIXTURE(items)
{
	struct gc_nl nl;
	struct gc_nl_error e;
	char *buf;
};

/* The attributes of one reply, by type (the last of each). */
struct reply {
	const struct nlattr *tb[GC_A_MAX + 1];
	char copy[BIG];
	int cmd;
};

static int attr_cb(const struct nlattr *a, void *data)
{
	struct reply *r = data;

	if (mnl_attr_get_type(a) <= GC_A_MAX)
		r->tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static int reply_cb(const struct nlmsghdr *nlh, void *data)
{
	struct reply *r = data;
	struct nlmsghdr *copy = (struct nlmsghdr *)r->copy;

	if (nlh->nlmsg_len > sizeof(r->copy))
		return MNL_CB_ERROR;
	memcpy(copy, nlh, nlh->nlmsg_len);
	memset(r->tb, 0, sizeof(r->tb));
	r->cmd = ((struct genlmsghdr *)mnl_nlmsg_get_payload(copy))->cmd;
	return mnl_attr_parse(copy, GENL_HDRLEN, attr_cb, r);
}

static struct nlmsghdr *req_of(FIXTURE_DATA(items) * self, uint8_t cmd)
{
	return gc_nl_new_request(&self->nl, self->buf, cmd, 0);
}

/* Sends req: 0, or the errno the kernel answered; the reply lands in r. */
static int talk(FIXTURE_DATA(items) * self, struct nlmsghdr *req, struct reply *r)
{
	return gc_nl_talk(&self->nl, req, r ? reply_cb : NULL, r, &self->e) ? self->e.err : 0;
}

static uint64_t stat_of(FIXTURE_DATA(items) * self, int stat)
{
	struct reply *r = calloc(1, sizeof(*r));
	const struct nlattr *a;
	uint64_t v = UINT64_MAX;

	if (!talk(self, req_of(self, GC_CMD_GET_STATS), r) && r->tb[GC_A_STATS]) {
		mnl_attr_for_each_nested (a, r->tb[GC_A_STATS])
			if (mnl_attr_get_type(a) == stat)
				v = mnl_attr_get_u64(a);
	}
	free(r);
	return v;
}

static int up_on_loopback(FIXTURE_DATA(items) * self)
{
	struct nlmsghdr *req = req_of(self, GC_CMD_SET_NODE);
	struct in_addr lo = {htonl(INADDR_LOOPBACK)};

	mnl_attr_put_strz(req, GC_A_NODE_NAME, "n1");
	if (talk(self, req, NULL) || system("ip link set lo up"))
		return -1;
	req = req_of(self, GC_CMD_UP);
	mnl_attr_put(req, GC_A_LISTEN_ADDR, 4, &lo);
	mnl_attr_put_u16(req, GC_A_LISTEN_PORT, 7001);
	return talk(self, req, NULL);
}

static int put(FIXTURE_DATA(items) * self, const void *data, size_t len, struct reply *r)
{
	struct nlmsghdr *req = req_of(self, GC_CMD_ITEM_PUT);

	mnl_attr_put(req, GC_A_ITEM_DATA, len, data);
	mnl_attr_put_u8(req, GC_A_ITEM_TYPE, 7);
	return talk(self, req, r);
}

static int get(FIXTURE_DATA(items) * self, const uint8_t *id, struct reply *r)
{
	struct nlmsghdr *req = req_of(self, GC_CMD_ITEM_GET);

	mnl_attr_put(req, GC_A_ITEM_ID, GC_ITEM_ID_SIZE, id);
	return talk(self, req, r);
}

static int verdict(struct gc_nl *nl, const uint8_t *id, uint8_t v, struct gc_nl_error *e)
{
	char buf[GC_NL_BUFSZ];
	struct nlmsghdr *req = gc_nl_new_request(nl, buf, GC_CMD_ITEM_VERDICT, 0);

	mnl_attr_put(req, GC_A_ITEM_ID, GC_ITEM_ID_SIZE, id);
	mnl_attr_put_u8(req, GC_A_VERDICT, v);
	return gc_nl_talk(nl, req, NULL, NULL, e) ? e->err : 0;
}

static int set_verifier(struct gc_nl *nl, uint8_t on, struct gc_nl_error *e)
{
	char buf[GC_NL_BUFSZ];
	struct nlmsghdr *req = gc_nl_new_request(nl, buf, GC_CMD_SET_VERIFIER, 0);

	mnl_attr_put_u8(req, GC_A_VERIFIER, on);
	return gc_nl_talk(nl, req, NULL, NULL, e) ? e->err : 0;
}

FIXTURE_SETUP(items)
{
	ASSERT_EQ(0, sodium_init() < 0);
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	self->buf = calloc(1, BIG);
	ASSERT_NE(NULL, self->buf);
	ASSERT_EQ(0, gc_nl_open(&self->nl, &self->e))
	TH_LOG("open: %s", self->e.msg);
}

FIXTURE_TEARDOWN(items)
{
	gc_nl_close(&self->nl);
	free(self->buf);
}

#define EXPECT_REFUSED(call, errnum, attr)                                                         \
	do {                                                                                       \
		EXPECT_EQ(errnum, (call));                                                         \
		EXPECT_NE('\0', self->e.msg[0]);                                                   \
		EXPECT_EQ(attr, self->e.bad_attr);                                                 \
		TH_LOG("refused: %s (attr %d)", self->e.msg, self->e.bad_attr);                    \
	} while (0)

TEST_F(items, nothing_works_while_down)
{
	struct reply *r = calloc(1, sizeof(*r));
	uint8_t id[GC_ITEM_ID_SIZE] = {1};

	EXPECT_REFUSED(put(self, "x", 1, r), ENOTCONN, -1);
	EXPECT_REFUSED(get(self, id, r), ENOTCONN, -1);
	EXPECT_REFUSED(verdict(&self->nl, id, GC_VERDICT_ACCEPT, &self->e), ENOTCONN, -1);
	EXPECT_REFUSED(talk(self, req_of(self, GC_CMD_GET_AGG), r), ENOTCONN, -1);
	free(r);
}

TEST_F(items, put_and_get)
{
	struct reply *r = calloc(1, sizeof(*r));
	static uint8_t data[GC_ITEM_MAX_SIZE];
	uint8_t id[GC_ITEM_ID_SIZE];
	uint64_t seq;

	ASSERT_EQ(0, up_on_loopback(self));
	ASSERT_EQ(0, put(self, "hello", 5, r));
	ASSERT_NE(NULL, r->tb[GC_A_ITEM_ID]);
	crypto_hash_sha256(id, (const uint8_t *)"hello", 5);
	EXPECT_EQ(0, memcmp(id, mnl_attr_get_payload(r->tb[GC_A_ITEM_ID]), sizeof(id)));
	EXPECT_STREQ("n1", mnl_attr_get_str(r->tb[GC_A_ITEM_ORIGIN]));
	ASSERT_NE(NULL, r->tb[GC_A_ITEM_BOOT]);
	EXPECT_GT(mnl_attr_get_u64(r->tb[GC_A_ITEM_BOOT]), 1600000000ULL * 1000000);
	seq = mnl_attr_get_u64(r->tb[GC_A_ITEM_SEQ]);
	EXPECT_EQ(1, seq);
	EXPECT_EQ(GC_ITEM_STATE_HELD, mnl_attr_get_u8(r->tb[GC_A_ITEM_STATE]));

	/* The next put is the next seq of the same stream. */
	ASSERT_EQ(0, put(self, "world", 5, r));
	EXPECT_EQ(2, mnl_attr_get_u64(r->tb[GC_A_ITEM_SEQ]));

	ASSERT_EQ(0, get(self, id, r));
	EXPECT_EQ(GC_CMD_ITEM_GET, r->cmd);
	EXPECT_EQ(5, mnl_attr_get_payload_len(r->tb[GC_A_ITEM_DATA]));
	EXPECT_EQ(0, memcmp("hello", mnl_attr_get_payload(r->tb[GC_A_ITEM_DATA]), 5));
	EXPECT_EQ(7, mnl_attr_get_u8(r->tb[GC_A_ITEM_TYPE]));
	EXPECT_EQ(0, mnl_attr_get_u8(r->tb[GC_A_ITEM_HOPS]));
	EXPECT_EQ(5, mnl_attr_get_u32(r->tb[GC_A_ITEM_LEN]));
	EXPECT_EQ(GC_ITEM_STATE_HELD, mnl_attr_get_u8(r->tb[GC_A_ITEM_STATE]));
	EXPECT_EQ(2, stat_of(self, GC_STAT_ITEMS_PUT));
	EXPECT_EQ(2, stat_of(self, GC_STAT_ITEMS_HELD));
	EXPECT_EQ(10, stat_of(self, GC_STAT_ITEM_BYTES));

	/* The largest item there may be, once item_max_bytes allows it. */
	{
		struct nlmsghdr *req = req_of(self, GC_CMD_SET_PARAMS);
		struct nlattr *nest = mnl_attr_nest_start(req, GC_A_PARAMS);

		mnl_attr_put_u32(req, GC_P_ITEM_MAX_BYTES, GC_ITEM_MAX_SIZE);
		mnl_attr_nest_end(req, nest);
		ASSERT_EQ(0, talk(self, req, NULL));
	}
	randombytes_buf(data, sizeof(data));
	ASSERT_EQ(0, put(self, data, sizeof(data), r));
	crypto_hash_sha256(id, data, sizeof(data));
	ASSERT_EQ(0, get(self, id, r));
	ASSERT_EQ(sizeof(data), mnl_attr_get_payload_len(r->tb[GC_A_ITEM_DATA]));
	EXPECT_EQ(0, memcmp(data, mnl_attr_get_payload(r->tb[GC_A_ITEM_DATA]), sizeof(data)));
	free(r);
}

TEST_F(items, bad_puts_and_gets_are_refused_and_change_nothing)
{
	struct reply *r = calloc(1, sizeof(*r));
	static uint8_t big[GC_ITEM_MAX_SIZE + 1];
	uint8_t id[GC_ITEM_ID_SIZE] = {0};
	struct nlmsghdr *req;

	ASSERT_EQ(0, up_on_loopback(self));
	/* No data at all, empty data, more than item_max_bytes (1024). */
	EXPECT_REFUSED(talk(self, req_of(self, GC_CMD_ITEM_PUT), r), EINVAL, -1);
	EXPECT_REFUSED(put(self, "", 0, r), EMSGSIZE, GC_A_ITEM_DATA);
	EXPECT_REFUSED(put(self, big, 1025, r), EMSGSIZE, GC_A_ITEM_DATA);
	/* More than any item may be: the policy says so. */
	EXPECT_REFUSED(put(self, big, sizeof(big), r), ERANGE, GC_A_ITEM_DATA);
	/* A type of the wrong size. */
	req = req_of(self, GC_CMD_ITEM_PUT);
	mnl_attr_put(req, GC_A_ITEM_DATA, 1, "x");
	mnl_attr_put_u32(req, GC_A_ITEM_TYPE, 1);
	EXPECT_REFUSED(talk(self, req, r), EINVAL, GC_A_ITEM_TYPE);
	EXPECT_EQ(0, stat_of(self, GC_STAT_ITEMS_PUT));

	/* An id of the wrong size, an unknown one, and a read-only attribute. */
	req = req_of(self, GC_CMD_ITEM_GET);
	mnl_attr_put(req, GC_A_ITEM_ID, 31, id);
	EXPECT_REFUSED(talk(self, req, r), ERANGE, GC_A_ITEM_ID);
	EXPECT_REFUSED(get(self, id, r), ENOENT, GC_A_ITEM_ID);
	req = req_of(self, GC_CMD_ITEM_GET);
	mnl_attr_put(req, GC_A_ITEM_ID, sizeof(id), id);
	mnl_attr_put_u64(req, GC_A_ITEM_SEQ, 1);
	EXPECT_REFUSED(talk(self, req, r), EINVAL, GC_A_ITEM_SEQ);
	free(r);
}

TEST_F(items, verdicts_and_the_verifier_protocol)
{
	struct reply *r = calloc(1, sizeof(*r));
	struct gc_nl verifier, other;
	uint8_t id[GC_ITEM_ID_SIZE];
	struct pollfd pfd;
	char *buf = malloc(BIG);
	ssize_t n;

	ASSERT_EQ(0, up_on_loopback(self));
	crypto_hash_sha256(id, (const uint8_t *)"check me", 8);
	/* No verifier: a verdict has nothing to act on; a bad verdict value. */
	EXPECT_REFUSED(verdict(&self->nl, id, GC_VERDICT_ACCEPT, &self->e), ENOENT, GC_A_ITEM_ID);
	EXPECT_REFUSED(verdict(&self->nl, id, 3, &self->e), ERANGE, GC_A_VERDICT);
	EXPECT_REFUSED(set_verifier(&self->nl, 2, &self->e), ERANGE, GC_A_VERIFIER);

	/* Registered: our own put waits for the verifier, who gets the content. */
	ASSERT_EQ(0, gc_nl_open(&verifier, &self->e));
	ASSERT_EQ(0, gc_nl_open(&other, &self->e));
	ASSERT_EQ(0, set_verifier(&verifier, 1, &self->e));
	ASSERT_EQ(0, put(self, "check me", 8, r));
	EXPECT_EQ(GC_ITEM_STATE_PENDING, mnl_attr_get_u8(r->tb[GC_A_ITEM_STATE]));
	pfd.fd = mnl_socket_get_fd(verifier.sock);
	pfd.events = POLLIN;
	ASSERT_EQ(1, poll(&pfd, 1, 2000));
	n = mnl_socket_recvfrom(verifier.sock, buf, BIG);
	ASSERT_GT(n, 0);
	memset(r, 0, sizeof(*r));
	ASSERT_EQ(MNL_CB_OK, reply_cb((struct nlmsghdr *)buf, r));
	EXPECT_EQ(GC_CMD_ITEM_VERIFY, r->cmd);
	EXPECT_EQ(0, memcmp(id, mnl_attr_get_payload(r->tb[GC_A_ITEM_ID]), sizeof(id)));
	EXPECT_EQ(0, memcmp("check me", mnl_attr_get_payload(r->tb[GC_A_ITEM_DATA]), 8));
	EXPECT_EQ(1, stat_of(self, GC_STAT_UPCALLS));
	ASSERT_EQ(0, get(self, id, r));
	EXPECT_EQ(GC_ITEM_STATE_PENDING, mnl_attr_get_u8(r->tb[GC_A_ITEM_STATE]));

	/* A verdict from any privileged socket; a second one finds nothing. */
	EXPECT_EQ(0, verdict(&other, id, GC_VERDICT_ACCEPT, &self->e));
	ASSERT_EQ(0, get(self, id, r));
	EXPECT_EQ(GC_ITEM_STATE_HELD, mnl_attr_get_u8(r->tb[GC_A_ITEM_STATE]));
	EXPECT_EQ(ENOENT, verdict(&other, id, GC_VERDICT_REJECT, &self->e));

	/* Rejected: the content is gone, the verdict remembered: item get
	 * answers the id and the state, and nothing else.
	 */
	ASSERT_EQ(0, put(self, "reject me", 9, r));
	memcpy(id, mnl_attr_get_payload(r->tb[GC_A_ITEM_ID]), sizeof(id));
	EXPECT_EQ(0, verdict(&other, id, GC_VERDICT_REJECT, &self->e));
	ASSERT_EQ(0, get(self, id, r));
	ASSERT_NE(NULL, r->tb[GC_A_ITEM_ID]);
	EXPECT_EQ(0, memcmp(id, mnl_attr_get_payload(r->tb[GC_A_ITEM_ID]), sizeof(id)));
	ASSERT_NE(NULL, r->tb[GC_A_ITEM_STATE]);
	EXPECT_EQ(GC_ITEM_STATE_REJECTED, mnl_attr_get_u8(r->tb[GC_A_ITEM_STATE]));
	EXPECT_EQ(NULL, r->tb[GC_A_ITEM_DATA]);
	EXPECT_EQ(NULL, r->tb[GC_A_ITEM_ORIGIN]);
	EXPECT_EQ(1, stat_of(self, GC_STAT_ITEMS_REJECTED));
	id[0] ^= 1; /* an id never seen: none */
	EXPECT_EQ(ENOENT, get(self, id, r));

	/* The verifier's socket closes: items are held at once again. */
	gc_nl_close(&verifier);
	ASSERT_EQ(0, put(self, "after", 5, r));
	EXPECT_EQ(GC_ITEM_STATE_HELD, mnl_attr_get_u8(r->tb[GC_A_ITEM_STATE]));

	/* Unregistering by command works as well. */
	ASSERT_EQ(0, gc_nl_open(&verifier, &self->e));
	ASSERT_EQ(0, set_verifier(&verifier, 1, &self->e));
	ASSERT_EQ(0, put(self, "pending", 7, r));
	EXPECT_EQ(GC_ITEM_STATE_PENDING, mnl_attr_get_u8(r->tb[GC_A_ITEM_STATE]));
	ASSERT_EQ(0, set_verifier(&other, 0, &self->e));
	ASSERT_EQ(0, put(self, "held", 4, r));
	EXPECT_EQ(GC_ITEM_STATE_HELD, mnl_attr_get_u8(r->tb[GC_A_ITEM_STATE]));
	gc_nl_close(&verifier);
	gc_nl_close(&other);
	free(buf);
	free(r);
}

TEST_F(items, stream_dump)
{
	char buf[GC_NL_BUFSZ];
	struct reply *r = calloc(1, sizeof(*r));
	struct nlmsghdr *req;

	ASSERT_EQ(0, up_on_loopback(self));
	ASSERT_EQ(0, put(self, "a", 1, r));
	ASSERT_EQ(0, put(self, "b", 1, r));
	req = gc_nl_new_request(&self->nl, buf, GC_CMD_GET_ORIGIN, NLM_F_DUMP);
	ASSERT_EQ(0, gc_nl_talk(&self->nl, req, reply_cb, r, &self->e));
	EXPECT_EQ(GC_CMD_GET_ORIGIN, r->cmd);
	EXPECT_STREQ("n1", mnl_attr_get_str(r->tb[GC_A_ITEM_ORIGIN]));
	EXPECT_EQ(1, mnl_attr_get_u64(r->tb[GC_A_ORIGIN_LOW]));
	EXPECT_EQ(2, mnl_attr_get_u64(r->tb[GC_A_ORIGIN_CONTIG]));
	EXPECT_EQ(2, mnl_attr_get_u64(r->tb[GC_A_ORIGIN_MAX]));
	EXPECT_EQ(2, mnl_attr_get_u32(r->tb[GC_A_ORIGIN_HELD]));
	EXPECT_EQ(0, mnl_attr_get_u32(r->tb[GC_A_ORIGIN_PENDING]));
	EXPECT_EQ(2, mnl_attr_get_u64(r->tb[GC_A_ORIGIN_BYTES]));
	free(r);
}

static const struct nlattr *agg_metric(const struct nlattr *nest, int type)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested (a, nest)
		if (mnl_attr_get_type(a) == type)
			return a;
	return NULL;
}

TEST_F(items, aggregate_rules)
{
	struct reply *r = calloc(1, sizeof(*r));
	struct nlmsghdr *req;
	char name[40];
	int i;

	/* Published while down: kept, and used once up. */
	req = req_of(self, GC_CMD_AGG_SET);
	mnl_attr_put_strz(req, GC_A_AGG_NAME, "load");
	mnl_attr_put_u64(req, GC_A_AGG_VALUE, 2500000);
	ASSERT_EQ(0, talk(self, req, NULL));
	/* Bad names, an unterminated one, a value of the wrong size. */
	req = req_of(self, GC_CMD_AGG_SET);
	mnl_attr_put_strz(req, GC_A_AGG_NAME, "bad name");
	EXPECT_REFUSED(talk(self, req, NULL), EINVAL, GC_A_AGG_NAME);
	req = req_of(self, GC_CMD_AGG_SET);
	mnl_attr_put_strz(req, GC_A_AGG_NAME, "a-name-of-thirty-two-characters");
	mnl_attr_put_u64(req, GC_A_AGG_VALUE, 1);
	EXPECT_EQ(0, talk(self, req, NULL));
	req = req_of(self, GC_CMD_AGG_SET);
	mnl_attr_put_strz(req, GC_A_AGG_NAME, "a-name-of-thirty-three-characters");
	EXPECT_REFUSED(talk(self, req, NULL), EINVAL, GC_A_AGG_NAME);
	req = req_of(self, GC_CMD_AGG_SET);
	mnl_attr_put_strz(req, GC_A_AGG_NAME, "x");
	mnl_attr_put_u32(req, GC_A_AGG_VALUE, 1);
	EXPECT_REFUSED(talk(self, req, NULL), EINVAL, GC_A_AGG_VALUE);
	/* Withdrawing what is not published. */
	req = req_of(self, GC_CMD_AGG_SET);
	mnl_attr_put_strz(req, GC_A_AGG_NAME, "nothing");
	EXPECT_REFUSED(talk(self, req, NULL), ENOENT, GC_A_AGG_NAME);
	/* At most 16 per node: 2 so far. */
	for (i = 0; i < 14; i++) {
		req = req_of(self, GC_CMD_AGG_SET);
		snprintf(name, sizeof(name), "m%d", i);
		mnl_attr_put_strz(req, GC_A_AGG_NAME, name);
		mnl_attr_put_u64(req, GC_A_AGG_VALUE, (uint64_t)i);
		ASSERT_EQ(0, talk(self, req, NULL));
	}
	req = req_of(self, GC_CMD_AGG_SET);
	mnl_attr_put_strz(req, GC_A_AGG_NAME, "one-too-many");
	mnl_attr_put_u64(req, GC_A_AGG_VALUE, 1);
	EXPECT_REFUSED(talk(self, req, NULL), E2BIG, -1);

	/* Up: alone, this node is the cluster; the first epoch starts at once. */
	ASSERT_EQ(0, up_on_loopback(self));
	usleep(1200 * 1000);
	ASSERT_EQ(0, talk(self, req_of(self, GC_CMD_GET_AGG), r));
	EXPECT_GE(mnl_attr_get_u32(r->tb[GC_A_AGG_EPOCH]), 1);
	ASSERT_NE(NULL, r->tb[GC_A_AGG_NODES]);
	EXPECT_EQ(1000000, (int64_t)mnl_attr_get_u64(r->tb[GC_A_AGG_NODES]));
	{
		const struct nlattr *load = NULL;
		struct nlattr *a;
		int metrics = 0;

		/* The reply has one GC_A_AGG per metric: walk them all. */
		mnl_attr_for_each (a, (struct nlmsghdr *)r->copy, GENL_HDRLEN) {
			const struct nlattr *name_attr;

			if (mnl_attr_get_type(a) != GC_A_AGG)
				continue;
			metrics++;
			name_attr = agg_metric(a, GC_AGG_A_NAME);
			if (name_attr && !strcmp(mnl_attr_get_str(name_attr), "load"))
				load = a;
		}
		EXPECT_EQ(16, metrics);
		ASSERT_NE(NULL, load);
		EXPECT_EQ(2500000, (int64_t)mnl_attr_get_u64(agg_metric(load, GC_AGG_A_OWN)));
		EXPECT_EQ(2500000, (int64_t)mnl_attr_get_u64(agg_metric(load, GC_AGG_A_AVG)));
		EXPECT_EQ(2500000, (int64_t)mnl_attr_get_u64(agg_metric(load, GC_AGG_A_SUM)));
		EXPECT_EQ(2500000, (int64_t)mnl_attr_get_u64(agg_metric(load, GC_AGG_A_MINIMUM)));
		EXPECT_EQ(2500000, (int64_t)mnl_attr_get_u64(agg_metric(load, GC_AGG_A_MAXIMUM)));
		EXPECT_EQ(1000000,
			  (int64_t)mnl_attr_get_u64(agg_metric(load, GC_AGG_A_PUBLISHERS)));
	}
	free(r);
}

TEST_HARNESS_MAIN
