// SPDX-License-Identifier: GPL-2.0
/*
 * The member dump with 10,000 members: a node in a namespace of its own is
 * told of them by full-state messages sent to its port (as a push-pull from
 * a large cluster would), then dumped: every member exactly once over many
 * parts; and a dump whose table changes between two parts is flagged
 * NLM_F_DUMP_INTR and still repeats nobody. Runs as root in the test VM.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/genetlink.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/members.h"
#include "decode.h"
#include "nl.h"

#include "kselftest_harness.h"

#define PORT  7950
#define FAKES 10000
#define SELF  (FAKES + 100)

/* Sends members [first, first + n) as STATE chunks to the node's port. */
static int send_members(int first, int n)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(PORT)};
	u8 body[1400 - GC_PLAIN_HDR_LEN], pkt[1400];
	int fd, i = first, end = first + n;

	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	while (i < end) {
		struct gc_wbuf b = {.p = body, .cap = sizeof(body)};
		size_t start = b.len, len;
		u16 count = 0;

		gc_begin_state(&b, 0);

		for (; i < end; i++, count++) {
			struct gc_addr a = {.family = 4, .port = 7947};
			char name[32];
			u32 ip = htonl(0x0a400000 + (u32)i); /* 10.64.x.y: nowhere */

			memcpy(a.ip, &ip, 4);
			snprintf(name, sizeof(name), "fake-%05d", i);
			/* A put that does not fit marks the buffer overflowed: plan. */
			if (b.len + gc_state_entry_len((u8)strlen(name), &a) > b.cap)
				break;
			gc_put_state_entry(&b, GC_MEMBER_ALIVE, 1, name, (u8)strlen(name), &a);
		}
		gc_end_state(&b, start, count);
		len = gc_packet_seal(&(struct gc_keyring){0}, body, b.len, pkt, sizeof(pkt));
		if (!len || sendto(fd, pkt, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
			close(fd);
			return -1;
		}
		/* Pace: the node takes them in softirq, the socket buffer is finite. */
		usleep(200);
	}
	close(fd);
	return 0;
}

static int status_cb(const struct nlmsghdr *nlh, void *data)
{
	return gc_decode_status(nlh, data);
}

static unsigned int members(struct gc_nl *nl)
{
	char buf[GC_NL_BUFSZ];
	struct gc_nl_error e;
	struct gc_status s = {0};

	if (gc_nl_talk(nl, gc_nl_new_request(nl, buf, GC_CMD_GET_STATUS, 0), status_cb, &s, &e))
		return 0;
	return s.members;
}

static int wait_members(struct gc_nl *nl, unsigned int want)
{
	int i;

	for (i = 0; i < 300; i++) {
		if (members(nl) >= want)
			return 0;
		usleep(100 * 1000);
	}
	return -1;
}

struct dump {
	unsigned char *seen; /* by fake index, and [SELF] for the node itself */
	int parts, messages, duplicates, interrupted, malformed;
};

static void take(struct dump *d, const struct nlmsghdr *nlh)
{
	struct gc_member_info m;
	int idx;

	d->messages++;
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		d->interrupted++;
	if (gc_decode_member(nlh, &m) != MNL_CB_OK) {
		d->malformed++;
		return;
	}
	if (!strcmp(m.name, "dut"))
		idx = SELF;
	else if (sscanf(m.name, "fake-%d", &idx) != 1 || idx < 0 || idx >= SELF)
		return;
	if (d->seen[idx]++)
		d->duplicates++;
}

/* Dumps, calling between(arg) after the first part. */
static int dump(struct gc_nl *nl, struct dump *d, void (*between)(void))
{
	static char buf[GC_NL_BUFSZ];
	struct nlmsghdr *req = gc_nl_new_request(nl, buf, GC_CMD_GET_MEMBER, NLM_F_DUMP);
	bool done = false;

	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0)
		return -1;
	while (!done) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		const struct nlmsghdr *nlh;
		int len = (int)n;

		if (n <= 0 || !gc_nl_stream_ok(buf, (size_t)n))
			return -1;
		d->parts++;
		for (nlh = (void *)buf; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (nlh->nlmsg_type == NLMSG_ERROR)
				return -1;
			take(d, nlh);
		}
		if (d->parts == 1 && between)
			between();
	}
	return 0;
}

FIXTURE(big)
{
	struct gc_nl nl;
	struct gc_nl_error e;
	struct dump d;
};

static double secs(struct timespec a, struct timespec b)
{
	return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

FIXTURE_SETUP(big)
{
	struct timespec t0, t1, t2;
	char cmd[128];

	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, system("ip link set lo up"));
	snprintf(cmd, sizeof(cmd), "gcctl up name dut address 127.0.0.1 port %d", PORT);
	ASSERT_EQ(0, system(cmd));
	ASSERT_EQ(0, gc_nl_open(&self->nl, &self->e));
	memset(&self->d, 0, sizeof(self->d));
	self->d.seen = calloc(SELF + 1, 1);
	ASSERT_NE(NULL, self->d.seen);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_EQ(0, send_members(0, FAKES));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ASSERT_EQ(0, wait_members(&self->nl, FAKES + 1))
	TH_LOG("the node knows %u members, want %d", members(&self->nl), FAKES + 1);
	clock_gettime(CLOCK_MONOTONIC, &t2);
	TH_LOG("sent in %.1f s, all known %.1f s later", secs(t0, t1), secs(t1, t2));
}

FIXTURE_TEARDOWN(big)
{
	free(self->d.seen);
	gc_nl_close(&self->nl);
	if (system("gcctl down"))
		TH_LOG("down failed");
}

TEST_F_TIMEOUT(big, ten_thousand_members_each_exactly_once, 300)
{
	int i, missing = 0;

	ASSERT_EQ(0, dump(&self->nl, &self->d, NULL));
	for (i = 0; i < FAKES; i++)
		missing += !self->d.seen[i];
	EXPECT_EQ(0, missing);
	EXPECT_EQ(1, self->d.seen[SELF]); /* the node itself */
	EXPECT_EQ(0, self->d.duplicates);
	EXPECT_EQ(0, self->d.malformed);
	EXPECT_EQ(FAKES + 1, self->d.messages);
	EXPECT_EQ(0, self->d.interrupted);
	/* It took many parts, so resuming was exercised. */
	EXPECT_GT(self->d.parts, 20);
	TH_LOG("%d members in %d parts", self->d.messages, self->d.parts);
}

static void add_hundred(void)
{
	if (send_members(FAKES, 100) == 0)
		usleep(300 * 1000);
}

TEST_F_TIMEOUT(big, a_table_change_between_parts_is_flagged_and_repeats_nobody, 300)
{
	int i, missing = 0;

	ASSERT_EQ(0, dump(&self->nl, &self->d, add_hundred));
	ASSERT_EQ(FAKES + 101, members(&self->nl));
	EXPECT_GT(self->d.interrupted, 0);
	EXPECT_EQ(0, self->d.duplicates);
	for (i = 0; i < FAKES; i++)
		missing += !self->d.seen[i];
	/* Members present from start to end are all there. */
	EXPECT_EQ(0, missing);
}

TEST_HARNESS_MAIN
