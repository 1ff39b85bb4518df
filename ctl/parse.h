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

#endif
