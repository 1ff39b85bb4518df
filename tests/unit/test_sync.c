// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for daemon/sync.c, the catch-up over TCP on the loopback: a
 * real server hands a node behind every block it lacks; a hostile one
 * (oversized or cut frames, a forged certificate, a peer that trickles or
 * stalls) gets nothing committed that the ledger did not check, is cut
 * off within the time limit, and each such answer says why.
 */
#include "kselftest_harness.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "gcd_fixture.h"
#include "node.h"
#include "sync.h"

#define BLOCKS 5

struct chain {
	uint8_t block[BLOCKS][4096], cert[BLOCKS][GCD_CERT_MAX];
	size_t blen[BLOCKS], clen[BLOCKS];
};

/* BLOCKS empty blocks, each certified by a quorum. */
static int make_chain(struct fx *f, struct chain *c)
{
	uint8_t hash[GCD_HASH_LEN];
	unsigned int i;

	for (i = 0; i < BLOCKS; i++) {
		c->blen[i] = fx_block(f, 0, NULL, NULL, 0, c->block[i], sizeof(c->block[i]));
		if (!c->blen[i])
			return -1;
		gcd_block_hash(c->block[i], c->blen[i], hash);
		c->clen[i] = fx_cert_for(f, i + 1, 0, hash, fx_quorum(f), c->cert[i],
					 sizeof(c->cert[i]));
		if (!c->clen[i])
			return -1;
		fx_advance(f, c->block[i], c->blen[i], c->cert[i], c->clen[i]);
	}
	return 0;
}

static struct node *node_on(const struct gcd_genesis *g, char *dir)
{
	struct node *n = calloc(1, sizeof(*n));
	char err[256];

	if (!n || !mkdtemp(dir) || ledger_open(&n->ledger, dir, g, 0, err, sizeof(err)))
		return NULL;
	pthread_mutex_init(&n->ledger_lock, NULL);
	n->sync_fd = -1;
	return n;
}

static void node_off(struct node *n, const char *dir)
{
	char cmd[128];

	ledger_close(n->ledger);
	pthread_mutex_destroy(&n->ledger_lock);
	free(n);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		return;
}

static uint64_t height_of(struct node *n)
{
	struct gcd_prev h;

	return ledger_head(n->ledger, &h) ? UINT64_MAX : h.height;
}

static uint16_t port_of(int fd)
{
	struct sockaddr_in6 a;
	socklen_t len = sizeof(a);

	return getsockname(fd, (struct sockaddr *)&a, &len) ? 0 : ntohs(a.sin6_port);
}

TEST(a_node_behind_gets_every_block_from_a_peer)
{
	char sdir[] = "/tmp/gcd-sync-s-XXXXXX", cdir[] = "/tmp/gcd-sync-c-XXXXXX", msg[256];
	struct chain *c = malloc(sizeof(*c));
	struct fx *f = malloc(sizeof(*f));
	struct node *srv, *cli;
	pthread_t t;
	unsigned int i;

	ASSERT_EQ(0, fx_init(f, 4));
	ASSERT_EQ(0, make_chain(f, c));
	srv = node_on(&f->g, sdir);
	cli = node_on(&f->g, cdir);
	ASSERT_NE(NULL, srv);
	ASSERT_NE(NULL, cli);
	for (i = 0; i < BLOCKS; i++)
		ASSERT_EQ(LEDGER_OK, ledger_commit(srv->ledger, c->block[i], c->blen[i], c->cert[i],
						   c->clen[i]));
	/* The client has the first two already. */
	for (i = 0; i < 2; i++)
		ASSERT_EQ(LEDGER_OK, ledger_commit(cli->ledger, c->block[i], c->blen[i], c->cert[i],
						   c->clen[i]));
	srv->sync_fd = sync_listen(0);
	ASSERT_GE(srv->sync_fd, 0);
	ASSERT_EQ(0, pthread_create(&t, NULL, sync_serve, srv));

	ASSERT_EQ(3, sync_from(cli, "127.0.0.1", port_of(srv->sync_fd), 5000, msg, sizeof(msg)));
	ASSERT_NE(NULL, strstr(msg, "3 blocks from 127.0.0.1")) TH_LOG("%s", msg);
	ASSERT_EQ(BLOCKS, height_of(cli));
	/* Nothing more to fetch. */
	ASSERT_EQ(0, sync_from(cli, "::1", port_of(srv->sync_fd), 5000, msg, sizeof(msg)));
	ASSERT_STREQ("nothing to fetch", msg);
	/* Nobody there. */
	ASSERT_EQ(-1, sync_from(cli, "127.0.0.1", 1, 5000, msg, sizeof(msg)));
	ASSERT_NE(NULL, strstr(msg, "cannot reach")) TH_LOG("%s", msg);

	srv->stop = true;
	pthread_join(t, NULL);
	close(srv->sync_fd);
	node_off(srv, sdir);
	node_off(cli, cdir);
	free(c);
	free(f);
}

/* ---- a hostile peer: answers with a script ---- */

struct script {
	int lfd;
	const uint8_t *bytes;
	size_t len;
	unsigned int stall_ms;	 /* after the bytes, before closing */
	unsigned int trickle_ms; /* between bytes, when set */
};

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

static void *script_serve(void *arg)
{
	struct script *s = arg;
	char line[64];
	size_t i;
	int fd = accept(s->lfd, NULL, NULL);

	if (fd < 0)
		return NULL;
	if (recv(fd, line, sizeof(line), 0) <= 0)
		goto out;
	for (i = 0; i < s->len; i += s->trickle_ms ? 1 : s->len) {
		if (send(fd, s->bytes + i, s->trickle_ms ? 1 : s->len, MSG_NOSIGNAL) <= 0)
			goto out;
		if (s->trickle_ms)
			sleep_ms(s->trickle_ms);
	}
	sleep_ms(s->stall_ms);
out:
	close(fd);
	return NULL;
}

static size_t put_frame(uint8_t *p, const uint8_t *data, size_t len)
{
	uint32_t be = htonl((uint32_t)len);

	memcpy(p, &be, 4);
	if (len)
		memcpy(p + 4, data, len);
	return 4 + len;
}

/* What sync_from makes of a scripted answer: blocks committed, msg. */
static long against(struct node *cli, struct script *s, uint32_t limit_ms, char *msg, size_t len)
{
	pthread_t t;
	long got;

	s->lfd = sync_listen(0);
	if (s->lfd < 0 || pthread_create(&t, NULL, script_serve, s))
		return -100;
	got = sync_from(cli, "127.0.0.1", port_of(s->lfd), limit_ms, msg, len);
	pthread_join(t, NULL);
	close(s->lfd);
	return got;
}

static uint64_t mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

TEST(a_hostile_peer_commits_nothing_unchecked_and_is_cut_off)
{
	char cdir[] = "/tmp/gcd-sync-c-XXXXXX", msg[256];
	struct chain *c = malloc(sizeof(*c));
	struct fx *f = malloc(sizeof(*f));
	uint8_t *buf = malloc(4 * 8192), forged[GCD_CERT_MAX];
	struct script s;
	struct node *cli;
	uint64_t t0;
	size_t len;

	ASSERT_EQ(0, fx_init(f, 4));
	ASSERT_EQ(0, make_chain(f, c));
	cli = node_on(&f->g, cdir);
	ASSERT_NE(NULL, cli);

	/* A block length above any block. */
	memset(&s, 0, sizeof(s));
	memcpy(buf, "\xff\xff\xff\xff", 4);
	s.bytes = buf;
	s.len = 4;
	ASSERT_EQ(0, against(cli, &s, 5000, msg, sizeof(msg)));
	ASSERT_NE(NULL, strstr(msg, "malformed")) TH_LOG("%s", msg);

	/* A certificate length above any certificate. */
	len = put_frame(buf, c->block[0], c->blen[0]);
	memcpy(buf + len, "\x00\x10\x00\x00", 4);
	s.len = len + 4;
	ASSERT_EQ(0, against(cli, &s, 5000, msg, sizeof(msg)));
	ASSERT_NE(NULL, strstr(msg, "malformed")) TH_LOG("%s", msg);

	/* A certificate one signature of which is not the validator's. */
	memcpy(forged, c->cert[0], c->clen[0]);
	forged[c->clen[0] - 1] ^= 1;
	len = put_frame(buf, c->block[0], c->blen[0]);
	len += put_frame(buf + len, forged, c->clen[0]);
	len += put_frame(buf + len, NULL, 0);
	s.len = len;
	ASSERT_EQ(0, against(cli, &s, 5000, msg, sizeof(msg)));
	ASSERT_NE(NULL, strstr(msg, "block refused")) TH_LOG("%s", msg);
	ASSERT_EQ(0, height_of(cli));

	/* Block 1 whole, then block 2 cut: 1 committed, and why it stopped. */
	len = put_frame(buf, c->block[0], c->blen[0]);
	len += put_frame(buf + len, c->cert[0], c->clen[0]);
	len += put_frame(buf + len, c->block[1], c->blen[1]) - 10;
	s.len = len;
	ASSERT_EQ(1, against(cli, &s, 5000, msg, sizeof(msg)));
	ASSERT_NE(NULL, strstr(msg, "1 blocks from 127.0.0.1 (then")) TH_LOG("%s", msg);
	ASSERT_EQ(1, height_of(cli));

	/* A peer that stalls after its first bytes: cut off at the limit. */
	len = put_frame(buf, c->block[1], c->blen[1]);
	s.len = 10;
	s.stall_ms = 3000;
	t0 = mono();
	ASSERT_EQ(0, against(cli, &s, 400, msg, sizeof(msg)));
	ASSERT_NE(NULL, strstr(msg, "too slow")) TH_LOG("%s", msg);
	ASSERT_LT(mono() - t0, 3000 + 1000); /* the script's stall, not more */

	/* One that trickles a byte every 50 ms: each read succeeds, the whole
	 * answer does not come within the limit.
	 */
	s.len = len;
	s.stall_ms = 0;
	s.trickle_ms = 50;
	t0 = mono();
	ASSERT_EQ(0, against(cli, &s, 500, msg, sizeof(msg)));
	ASSERT_NE(NULL, strstr(msg, "too slow")) TH_LOG("%s", msg);
	ASSERT_EQ(1, height_of(cli));

	node_off(cli, cdir);
	free(buf);
	free(c);
	free(f);
}

TEST_HARNESS_MAIN
