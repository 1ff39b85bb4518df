// SPDX-License-Identifier: GPL-2.0
/*
 * gcflood: sends valid gossipchain pings to one node as fast as sendmmsg
 * goes, for the receive-path benchmark (bench/rx-path.sh). The packets are
 * built by the protocol core itself, sealed when a key file is given.
 *
 *   gcflood ADDR PORT NAME SECONDS [KEYFILE]
 *
 * Prints the number of packets sent.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/wire.h"

#define BATCH 64

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int read_key(const char *path, u8 key[GC_AEAD_KEY_LEN])
{
	char text[128];
	size_t n, len = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	while (n && (text[n - 1] == '\n' || text[n - 1] == ' '))
		n--;
	return sodium_base642bin(key, GC_AEAD_KEY_LEN, text, n, NULL, &len, NULL,
				 sodium_base64_VARIANT_ORIGINAL) ||
			       len != GC_AEAD_KEY_LEN
		       ? -1
		       : 0;
}

int main(int argc, char **argv)
{
	static u8 pkts[BATCH][GC_MIN_MTU];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct gc_keyring kr = {0};
	struct sockaddr_in to = {.sin_family = AF_INET};
	unsigned long long sent = 0;
	double end;
	int fd, i;

	if (argc < 5 || argc > 6) {
		fprintf(stderr, "usage: gcflood ADDR PORT NAME SECONDS [KEYFILE]\n");
		return 2;
	}
	if (sodium_init() < 0 || inet_pton(AF_INET, argv[1], &to.sin_addr) != 1)
		return 2;
	to.sin_port = htons((uint16_t)atoi(argv[2]));
	if (argc == 6) {
		u8 key[GC_AEAD_KEY_LEN];

		if (read_key(argv[5], key) < 0 || gc_keyring_add(&kr, key) < 0) {
			fprintf(stderr, "gcflood: bad key file %s\n", argv[5]);
			return 2;
		}
	}
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		u8 body[256];
		struct gc_wbuf b = {.p = body, .cap = sizeof(body)};

		gc_put_ping(&b, (u32)i, argv[3], (u8)strlen(argv[3]));
		iov[i].iov_base = pkts[i];
		iov[i].iov_len = gc_packet_seal(&kr, body, b.len, pkts[i], sizeof(pkts[i]));
		if (!iov[i].iov_len)
			return 2;
		msgs[i].msg_hdr.msg_name = &to;
		msgs[i].msg_hdr.msg_namelen = sizeof(to);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return 1;
	end = now() + atof(argv[4]);
	while (now() < end) {
		int n = sendmmsg(fd, msgs, BATCH, 0);

		if (n > 0)
			sent += (unsigned long long)n;
	}
	printf("%llu\n", sent);
	return 0;
}
