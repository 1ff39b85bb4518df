/* SPDX-License-Identifier: GPL-2.0 */
/* Parsing of command line values; each returns 0 or -1 and never aborts. */
#ifndef GC_CTL_PARSE_H
#define GC_CTL_PARSE_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

struct gc_addr {
	int family; /* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} u;
};

/* A UDP port: decimal 1..65535. */
int gc_parse_port(const char *s, uint16_t *port);
/* A decimal unsigned number no larger than max. */
int gc_parse_uint(const char *s, unsigned long max, unsigned long *out);
/* An IPv4 or IPv6 literal, IPv6 optionally in brackets. */
int gc_parse_addr(const char *s, struct gc_addr *a);
/* ADDR[:PORT]: "10.0.0.1", "10.0.0.1:7000", "::1", "[::1]:7000"; *port is
 * default_port when none is given.
 */
int gc_parse_endpoint(const char *s, struct gc_addr *a, uint16_t *port, uint16_t default_port);
/* "0.0.0.0:7947", "[::1]:7947" */
void gc_format_endpoint(int family, const void *addr, uint16_t port, char *out, size_t len);

/* A decimal with up to 6 fraction digits and an optional sign, as
 * millionths: "12.5" is 12500000, "-0.000001" is -1, ".5" (as bc prints
 * it) is 500000. A point must be followed by a digit ("5." is refused); no
 * spaces, exponents or hexadecimal. Fails (-1) beyond the range of int64_t.
 */
int gc_parse_millionths(const char *s, int64_t *out);
/* Millionths as the shortest exact decimal: "12.5", "-3", "0.000001". */
#define GC_MILLIONTHS_STRLEN 24 /* "-9223372036854.775808" and the NUL fit */
void gc_format_millionths(int64_t v, char out[GC_MILLIONTHS_STRLEN]);

/* An item id: exactly 2 * len hexadecimal digits, either case. */
int gc_parse_hex(const char *s, uint8_t *out, size_t len);
/* len bytes as 2 * len lowercase hexadecimal digits and a NUL. */
void gc_format_hex(const uint8_t *in, size_t len, char *out);

#endif
