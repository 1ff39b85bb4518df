// SPDX-License-Identifier: GPL-2.0
#include "parse.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int gc_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	/* strtoul accepts leading spaces and a sign; a number here does not. */
	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

int gc_parse_port(const char *s, uint16_t *port)
{
	unsigned long v;

	if (gc_parse_uint(s, 65535, &v) < 0 || v == 0)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

int gc_parse_addr(const char *s, struct gc_addr *a)
{
	char buf[INET6_ADDRSTRLEN];
	size_t len;

	if (!s)
		return -1;
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->u.v4) == 1) {
		a->family = AF_INET;
		return 0;
	}
	len = strlen(s);
	if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
		if (len - 2 >= sizeof(buf))
			return -1;
		memcpy(buf, s + 1, len - 2);
		buf[len - 2] = '\0';
		s = buf;
	}
	if (inet_pton(AF_INET6, s, &a->u.v6) == 1) {
		a->family = AF_INET6;
		return 0;
	}
	return -1;
}

void gc_format_endpoint(int family, const void *addr, uint16_t port, char *out, size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	inet_ntop(family, addr, ip, sizeof(ip));
	if (family == AF_INET6)
		snprintf(out, len, "[%s]:%u", ip, port);
	else
		snprintf(out, len, "%s:%u", ip, port);
}

int gc_parse_endpoint(const char *s, struct gc_addr *a, uint16_t *port, uint16_t default_port)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *colon;
	size_t len;

	if (!s || strlen(s) >= sizeof(buf))
		return -1;
	*port = default_port;
	/* A bare address: IPv4, or IPv6 without brackets (colons but no port). */
	if (gc_parse_addr(s, a) == 0)
		return 0;
	colon = strrchr(s, ':');
	if (!colon || colon == s)
		return -1;
	len = (size_t)(colon - s);
	memcpy(buf, s, len);
	buf[len] = '\0';
	/* An IPv6 address with a port needs its brackets. */
	if (strchr(buf, ':') && buf[0] != '[')
		return -1;
	if (gc_parse_addr(buf, a) < 0 || gc_parse_port(colon + 1, port) < 0)
		return -1;
	return 0;
}
