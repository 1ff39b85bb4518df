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

static int read_all(int fd, void *p, size_t len)
{
	uint8_t *b = p;
	ssize_t n;

	while (len) {
		n = recv(fd, b, len, 0);
		if (n < 0 && errno == EINTR)
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

long sync_from(struct node *n, const char *address, uint16_t port, char *msg, size_t msglen)
{
	uint8_t *block = malloc(GCD_BLOCK_MAX), *cert = malloc(GCD_CERT_MAX);
	struct gcd_prev head;
	uint32_t blen, clen;
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
		if (read_all(fd, &blen, sizeof(blen)))
			break;
		blen = ntohl(blen);
		if (!blen)
			break;
		if (blen > GCD_BLOCK_MAX || read_all(fd, block, blen) ||
		    read_all(fd, &clen, sizeof(clen)) || (clen = ntohl(clen)) > GCD_CERT_MAX ||
		    read_all(fd, cert, clen)) {
			snprintf(msg, msglen, "%s: a malformed or cut frame", address);
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
	if (committed)
		snprintf(msg, msglen, "%ld blocks from %s", committed, address);
out:
	if (fd >= 0)
		close(fd);
	free(block);
	free(cert);
	return committed;
}
