/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GC_CTL_GCCTL_H
#define GC_CTL_GCCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nl.h"
#include "parse.h"

/* Exit codes, as documented in gcctl(8). */
enum { GC_EXIT_OK = 0, GC_EXIT_FAIL = 1, GC_EXIT_USAGE = 2 };

struct gcctl {
	struct gc_nl nl;
	bool json;
	bool connected;
	const char *netns; /* -n */
	const char *what;  /* "node set", for error messages */
};

/* Enters the namespace and opens the family, once: commands check their
 * arguments first, so a usage error is one whether or not the module is
 * loaded. Returns 0, or -1 after saying why.
 */
int gc_connect(struct gcctl *c);
/* gc_connect(), then gc_nl_new_request(); NULL after saying why. */
struct nlmsghdr *gc_request(struct gcctl *c, void *buf, uint8_t cmd, uint16_t flags);

/* Print "gcctl: <what>: ..." to stderr; return the exit code to use. */
int gc_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int gc_fail(const struct gcctl *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int gc_fail_nl(const struct gcctl *c, const struct gc_nl_error *e);

/* Prints o (pretty unless one line is asked for) and frees it. */
struct json_object;
void gc_print_json(struct json_object *o, bool one_line);

/* Runs command what (cmd), which takes no arguments and prints nothing. */
int gc_simple_request(struct gcctl *c, int argc, const char *what, uint8_t cmd);

/* "name N address A port P", as node set and up take them. */
struct gc_node_args {
	const char *name, *addr_arg, *port_arg;
	struct gc_addr addr;
	uint16_t port;
};

/* 0, or the usage exit code after saying what is wrong. */
int gc_parse_node_args(const char *what, int argc, char **argv, struct gc_node_args *a);
void gc_put_node_args(struct nlmsghdr *req, const struct gc_node_args *a, bool with_name);

int gc_cmd_node(struct gcctl *c, int argc, char **argv);
int gc_cmd_up(struct gcctl *c, int argc, char **argv);
int gc_cmd_down(struct gcctl *c, int argc, char **argv);
int gc_cmd_join(struct gcctl *c, int argc, char **argv);
int gc_cmd_leave(struct gcctl *c, int argc, char **argv);
int gc_cmd_set(struct gcctl *c, int argc, char **argv);
int gc_cmd_params(struct gcctl *c, int argc, char **argv);
int gc_cmd_key(struct gcctl *c, int argc, char **argv);
int gc_cmd_members(struct gcctl *c, int argc, char **argv);
int gc_cmd_stats(struct gcctl *c, int argc, char **argv);
int gc_cmd_status(struct gcctl *c, int argc, char **argv);
int gc_cmd_monitor(struct gcctl *c, int argc, char **argv);
int gc_cmd_item(struct gcctl *c, int argc, char **argv);
int gc_cmd_items(struct gcctl *c, int argc, char **argv);
int gc_cmd_agg(struct gcctl *c, int argc, char **argv);
/* gcd's ledger, read from its state dir (ctl/chain.c). */
int gc_cmd_chain(struct gcctl *c, int argc, char **argv);
int gc_cmd_block(struct gcctl *c, int argc, char **argv);
int gc_cmd_tx(struct gcctl *c, int argc, char **argv);

/* Microseconds since 1970 as "2025-12-01T23:24:00.123456Z" (UTC). */
void gc_format_time_us(uint64_t us, char *out, size_t len);

#endif
