// SPDX-License-Identifier: GPL-2.0
#include "parse.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
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

#define MILLION 1000000ULL

int gc_parse_millionths(const char *s, int64_t *out)
{
	uint64_t whole = 0, frac = 0, mag;
	bool neg = false;
	int digits;

	if (!s)
		return -1;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	/* A digit first, or a point and a digit (".5", as bc(1) prints). */
	if ((*s < '0' || *s > '9') && (*s != '.' || s[1] < '0' || s[1] > '9'))
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		/* Any whole part beyond INT64_MAX / 10^6 is out of range anyway. */
		if (whole > UINT64_MAX / MILLION / 10)
			return -1;
		whole = whole * 10 + (uint64_t)(*s - '0');
	}
	if (*s == '.') {
		s++;
		for (digits = 0; *s >= '0' && *s <= '9'; s++, digits++) {
			if (digits == 6)
				return -1;
			frac = frac * 10 + (uint64_t)(*s - '0');
		}
		if (digits == 0)
			return -1;
		for (; digits < 6; digits++)
			frac *= 10;
	}
	if (*s)
		return -1;
	if (whole > (uint64_t)INT64_MAX / MILLION + 1)
		return -1;
	mag = whole * MILLION + frac; /* at most (2^63 / 10^6 + 1) * 10^6: no wrap */
	if (mag > (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX))
		return -1;
	/* -(2^63) has no positive counterpart: negate in unsigned. */
	*out = neg ? (int64_t)(0 - mag) : (int64_t)mag;
	return 0;
}

void gc_format_millionths(int64_t v, char out[GC_MILLIONTHS_STRLEN])
{
	uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	uint64_t frac = mag % MILLION;
	char f[8];
	int n;

	if (!frac) {
		snprintf(out, GC_MILLIONTHS_STRLEN, "%s%llu", v < 0 ? "-" : "",
			 (unsigned long long)(mag / MILLION));
		return;
	}
	snprintf(f, sizeof(f), "%06llu", (unsigned long long)frac);
	for (n = 6; f[n - 1] == '0'; n--)
		;
	f[n] = '\0';
	snprintf(out, GC_MILLIONTHS_STRLEN, "%s%llu.%s", v < 0 ? "-" : "",
		 (unsigned long long)(mag / MILLION), f);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int gc_parse_hex(const char *s, uint8_t *out, size_t len)
{
	size_t i;

	if (!s || strlen(s) != 2 * len)
		return -1;
	for (i = 0; i < 2 * len; i++)
		if (hex_digit(s[i]) < 0)
			return -1;
	for (i = 0; i < len; i++)
		out[i] = (uint8_t)(hex_digit(s[2 * i]) << 4 | hex_digit(s[2 * i + 1]));
	return 0;
}

void gc_format_hex(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}
