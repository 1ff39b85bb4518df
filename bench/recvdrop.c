// SPDX-License-Identifier: GPL-2.0
/*
 * recvdrop: the bare limit of the receive-path benchmark. Receives UDP
 * datagrams on a port with recvmmsg, 64 at a time, and drops them, for a
 * number of seconds; prints how many it received.
 *
 *   recvdrop PORT SECONDS
 */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64

int main(int argc, char **argv)
{
	static char bufs[BATCH][2048];
	struct sockaddr_in addr = {.sin_family = AF_INET};
	struct timeval tv = {.tv_usec = 100000};
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	unsigned long long got = 0;
	struct timespec ts;
	double end;
	int fd, i;

	if (argc != 3) {
		fprintf(stderr, "usage: recvdrop PORT SECONDS\n");
		return 2;
	}
	addr.sin_port = htons((uint16_t)atoi(argv[1]));
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		perror("recvdrop");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof(bufs[i]);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	end = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + atof(argv[2]);
	for (;;) {
		int n = recvmmsg(fd, msgs, BATCH, 0, NULL);

		if (n > 0)
			got += (unsigned long long)n;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		if ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9 >= end)
			break;
	}
	printf("%llu\n", got);
	return 0;
}
