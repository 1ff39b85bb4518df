// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "sync.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "node.h"

int sync_listen(uint16_t port)
{
	struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0), off = 0, on = 1;

	if (fd < 0)
		return -1;
	a.sin6_addr = in6addr_any;
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 16) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static void set_timeouts(int fd)
{
	struct timeval tv = {.tv_sec = SYNC_TIMEOUT_MS / 1000};

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int write_all(int fd, const void *p, size_t len)
{
	const uint8_t *b = p;
	ssize_t n;

	while (len) {
		n = send(fd, b, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

/* All of len bytes before the deadline (a peer that trickles is cut off),
 * unless gcd stops meanwhile.
 */
static int read_all(int fd, void *p, size_t len, uint64_t deadline, const volatile bool *stop)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	uint8_t *b = p;
	uint64_t now;
	ssize_t n;

	while (len) {
		now = now_ms();
		if (now >= deadline || *stop) {
			errno = ETIMEDOUT;
			return -1;
		}
		n = poll(&pfd, 1, deadline - now < 200 ? (int)(deadline - now) : 200);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (!n)
			continue;
		n = recv(fd, b, len, MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return -1;
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

static int frame(int fd, const uint8_t *p, uint32_t len)
{
	uint32_t be = htonl(len);

	return write_all(fd, &be, sizeof(be)) || (len && write_all(fd, p, len)) ? -1 : 0;
}

/* One request: the line, then the blocks from its height on. */
static void serve_one(struct node *n, int fd, uint8_t *block, uint8_t *cert)
{
	char line[64];
	size_t got = 0, blen, clen;
	unsigned long long from;
	struct gcd_prev head;
	uint64_t h, end;
	char *nl;
	int rc;

	set_timeouts(fd);
	while (got < sizeof(line) - 1) {
		ssize_t r = recv(fd, line + got, sizeof(line) - 1 - got, 0);

		if (r <= 0)
			return;
		got += (size_t)r;
		line[got] = '\0';
		if (strchr(line, '\n'))
			break;
	}
	nl = strchr(line, '\n');
	if (!nl || sscanf(line, "GCSYNC1 %llu", &from) != 1 || from < 1)
		return;
	*nl = '\0';
	pthread_mutex_lock(&n->ledger_lock);
	rc = ledger_head(n->ledger, &head);
	pthread_mutex_unlock(&n->ledger_lock);
	if (rc)
		return;
	end = head.height;
	if (end >= from && end - from >= SYNC_BATCH)
		end = from + SYNC_BATCH - 1;
	for (h = from; h <= end; h++) {
		pthread_mutex_lock(&n->ledger_lock);
		rc = ledger_get_block(n->ledger, h, block, GCD_BLOCK_MAX, &blen) ||
		     ledger_get_cert(n->ledger, h, cert, GCD_CERT_MAX, &clen);
		pthread_mutex_unlock(&n->ledger_lock);
		if (rc || frame(fd, block, (uint32_t)blen) || frame(fd, cert, (uint32_t)clen))
			return;
	}
	frame(fd, NULL, 0);
}

void *sync_serve(void *arg)
{
	struct node *n = arg;
	uint8_t *block = malloc(GCD_BLOCK_MAX), *cert = malloc(GCD_CERT_MAX);
	struct pollfd pfd = {.fd = n->sync_fd, .events = POLLIN};
	int fd;

	while (block && cert && !n->stop) {
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		fd = accept4(n->sync_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		serve_one(n, fd, block, cert);
		close(fd);
	}
	free(block);
	free(cert);
	return NULL;
}

static int connect_to(const char *address, uint16_t port)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST}, *ai;
	char service[8];
	int fd;

	snprintf(service, sizeof(service), "%u", port);
	if (getaddrinfo(address, service, &hints, &ai))
		return -1;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		set_timeouts(fd);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(ai);
	return fd;
}

long sync_from(struct node *n, const char *address, uint16_t port, uint32_t limit_ms, char *msg,
	       size_t msglen)
{
	uint8_t *block = malloc(GCD_BLOCK_MAX), *cert = malloc(GCD_CERT_MAX);
	struct gcd_prev head;
	uint32_t blen, clen;
	uint64_t deadline = now_ms() + limit_ms;
	long committed = 0;
	char req[64];
	int fd = -1, rc;

	snprintf(msg, msglen, "nothing to fetch");
	if (!block || !cert) {
		snprintf(msg, msglen, "out of memory");
		committed = -1;
		goto out;
	}
	pthread_mutex_lock(&n->ledger_lock);
	rc = ledger_head(n->ledger, &head);
	pthread_mutex_unlock(&n->ledger_lock);
	fd = rc ? -1 : connect_to(address, port);
	if (fd < 0) {
		snprintf(msg, msglen, "cannot reach %s port %u: %s", address, port,
			 rc ? "ledger" : strerror(errno));
		committed = -1;
		goto out;
	}
	snprintf(req, sizeof(req), "GCSYNC1 %llu\n", (unsigned long long)head.height + 1);
	if (write_all(fd, req, strlen(req))) {
		snprintf(msg, msglen, "%s: request: %s", address, strerror(errno));
		committed = -1;
		goto out;
	}
	for (;;) {
		if (read_all(fd, &blen, sizeof(blen), deadline, &n->stop)) {
			snprintf(msg, msglen, "%s: %s", address,
				 errno == ETIMEDOUT ? "too slow" : "cut before the end");
			break;
		}
		blen = ntohl(blen);
		if (!blen)
			break;
		if (blen > GCD_BLOCK_MAX || read_all(fd, block, blen, deadline, &n->stop) ||
		    read_all(fd, &clen, sizeof(clen), deadline, &n->stop) ||
		    (clen = ntohl(clen)) > GCD_CERT_MAX ||
		    read_all(fd, cert, clen, deadline, &n->stop)) {
			snprintf(msg, msglen, "%s: a malformed, cut or too slow frame", address);
			break;
		}
		/* The ledger checks it whole, its certificate included. */
		pthread_mutex_lock(&n->ledger_lock);
		rc = ledger_commit(n->ledger, block, blen, cert, clen);
		if (rc)
			snprintf(msg, msglen, "%s: block refused: %s", address,
				 ledger_errmsg(n->ledger));
		pthread_mutex_unlock(&n->ledger_lock);
		if (rc)
			break;
		committed++;
	}
	if (committed) {
		size_t l = strlen(msg);
		char why[200];

		/* What cut the answer short, if anything, stays said. */
		snprintf(why, sizeof(why), "%s", strcmp(msg, "nothing to fetch") ? msg : "");
		l = (size_t)snprintf(msg, msglen, "%ld blocks from %s", committed, address);
		if (why[0] && l < msglen)
			snprintf(msg + l, msglen - l, " (then %s)", why);
	}
out:
	if (fd >= 0)
		close(fd);
	free(block);
	free(cert);
	return committed;
}

/* ---- the client's thread ---- */

static void *client_main(void *arg)
{
	struct sync_client *c = arg;
	char addr[SYNC_PEERS][INET6_ADDRSTRLEN], msg[256];
	unsigned int count, first, i;
	uint64_t one = 1;
	uint16_t port;
	long got, total;

	pthread_mutex_lock(&c->mu);
	for (;;) {
		while (!c->asked && !c->stop)
			pthread_cond_wait(&c->cv, &c->mu);
		if (c->stop)
			break;
		c->asked = false;
		count = c->n_addr;
		port = c->port;
		memcpy(addr, c->addr, sizeof(addr));
		pthread_mutex_unlock(&c->mu);

		total = 0;
		msg[0] = '\0';
		first = count ? (unsigned int)(now_ms() % count) : 0;
		for (i = 0; i < count && i < SYNC_TRIES; i++) {
			got = sync_from(c->n, addr[(first + i) % count], port, SYNC_PEER_MS, msg,
					sizeof(msg));
			if (got > 0) {
				total += got;
				if (got < SYNC_BATCH)
					break;
			}
		}

		pthread_mutex_lock(&c->mu);
		c->got = total;
		snprintf(c->msg, sizeof(c->msg), "%s", total ? msg : "");
		/* An eventfd write fails only at 2^64 - 1: then free the client. */
		if (write(c->done_fd, &one, sizeof(one)) != sizeof(one))
			c->busy = false;
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

int sync_client_start(struct sync_client *c, struct node *n)
{
	memset(c, 0, sizeof(*c));
	c->n = n;
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	c->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (c->done_fd < 0)
		return -1;
	if (pthread_create(&c->thread, NULL, client_main, c))
		return -1;
	c->up = true;
	return 0;
}

void sync_client_stop(struct sync_client *c)
{
	if (!c->n)
		return; /* never started */
	if (c->up) {
		pthread_mutex_lock(&c->mu);
		c->stop = true;
		pthread_cond_signal(&c->cv);
		pthread_mutex_unlock(&c->mu);
		pthread_join(c->thread, NULL);
		c->up = false;
	}
	if (c->done_fd >= 0)
		close(c->done_fd);
	c->done_fd = -1;
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
}

bool sync_client_ask(struct sync_client *c, char (*addr)[INET6_ADDRSTRLEN], unsigned int count,
		     uint16_t port)
{
	bool ok = false;

	pthread_mutex_lock(&c->mu);
	if (!c->busy) {
		c->n_addr = count < SYNC_PEERS ? count : SYNC_PEERS;
		memcpy(c->addr, addr, c->n_addr * sizeof(c->addr[0]));
		c->port = port;
		c->asked = c->busy = true;
		pthread_cond_signal(&c->cv);
		ok = true;
	}
	pthread_mutex_unlock(&c->mu);
	return ok;
}

long sync_client_done(struct sync_client *c, char *msg, size_t msglen)
{
	uint64_t v;
	long got;

	if (read(c->done_fd, &v, sizeof(v)) != sizeof(v))
		return -1; /* not done: nothing to read */
	pthread_mutex_lock(&c->mu);
	c->busy = false;
	got = c->got;
	snprintf(msg, msglen, "%s", c->msg);
	pthread_mutex_unlock(&c->mu);
	return got;
}
