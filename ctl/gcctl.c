// SPDX-License-Identifier: GPL-2.0
/*
 * gcctl: configures and inspects gossipchain, in the manner of ip(8) and
 * wg(8). Global options come first, then OBJECT COMMAND [ARGS].
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decode.h"
#include "gcctl.h"
#include "version.h"

static const char usage_text[] =
	"Usage: gcctl [OPTIONS] OBJECT [COMMAND] [ARGS]\n"
	"\n"
	"Options:\n"
	"  -j, --json          print JSON\n"
	"  -n, --netns NAME    act in network namespace NAME (as ip -n)\n"
	"  -V, --version       print the version and exit\n"
	"  -h, --help          print this help and exit\n"
	"\n"
	"Objects and commands:\n"
	"  node [show]                                  node configuration\n"
	"  node set [name NAME] [address ADDR] [port PORT]\n"
	"                                               change it while down\n"
	"  up [name NAME] [address ADDR] [port PORT]    start gossiping\n"
	"  down                                         stop at once (others see it dead)\n"
	"  join ADDR[:PORT]...                          join a cluster through seeds\n"
	"                                               (addresses or host names)\n"
	"  leave                                        leave the cluster gracefully\n"
	"  members                                      the member table\n"
	"  stats                                        packet and protocol counters\n"
	"  params                                       protocol parameters\n"
	"  set PARAM VALUE [PARAM VALUE]...             change parameters\n"
	"  key generate                                 print a new random key\n"
	"  key add|use|del FILE                         manage the keyring; FILE holds a\n"
	"                                               base64 key, - reads stdin\n"
	"  status                                       module and instance state\n"
	"  monitor [items] [count N]                    print events as they happen\n"
	"                                               (items: item events)\n"
	"  item put [type T] FILE|-...                  put items (1 to 61440 bytes each)\n"
	"  item get ID [data]                           an item's metadata, or its content\n"
	"  item verdict ID accept|reject                decide on a pending item\n"
	"  items                                        the item streams this node knows\n"
	"  agg [show]                                   cluster-wide aggregates\n"
	"  agg set NAME VALUE                           publish this node's value (a\n"
	"                                               decimal, up to 6 fraction digits)\n"
	"  agg del NAME                                 stop publishing it\n"
	"  chain [dir DIR]                              gcd's ledger: height, head,\n"
	"                                               validators (DIR: gcd's state\n"
	"                                               dir, default /var/lib/gcd)\n"
	"  block HEIGHT|HASH [dir DIR]                  a committed block\n"
	"  tx ID [dir DIR]                              a transaction: committed at\n"
	"                                               height H, pending or rejected\n"
	"\n"
	"Changes need CAP_NET_ADMIN over the network namespace.\n"
	"\n"
	"Exit status: 0 success, 1 failure, 2 usage error.\n";

int gc_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("gcctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'gcctl --help'.\n", stderr);
	return GC_EXIT_USAGE;
}

int gc_fail(const struct gcctl *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "gcctl: %s%s", c && c->what ? c->what : "", c && c->what ? ": " : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return GC_EXIT_FAIL;
}

int gc_fail_nl(const struct gcctl *c, const struct gc_nl_error *e)
{
	char msg[512];

	gc_nl_format_error(e, gc_attr_name, msg, sizeof(msg));
	return gc_fail(c, "%s", msg);
}

static const struct {
	const char *name;
	int (*run)(struct gcctl *c, int argc, char **argv);
} objects[] = {
	{"node", gc_cmd_node},	 {"status", gc_cmd_status},   {"monitor", gc_cmd_monitor},
	{"up", gc_cmd_up},	 {"down", gc_cmd_down},	      {"join", gc_cmd_join},
	{"leave", gc_cmd_leave}, {"set", gc_cmd_set},	      {"params", gc_cmd_params},
	{"key", gc_cmd_key},	 {"members", gc_cmd_members}, {"stats", gc_cmd_stats},
	{"item", gc_cmd_item},	 {"items", gc_cmd_items},     {"agg", gc_cmd_agg},
	{"chain", gc_cmd_chain}, {"block", gc_cmd_block},     {"tx", gc_cmd_tx},
};

void gc_print_json(struct json_object *o, bool one_line)
{
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE;

	flags |= one_line ? JSON_C_TO_STRING_PLAIN
			  : JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED;
	puts(json_object_to_json_string_ext(o, flags));
	json_object_put(o);
}

int gc_connect(struct gcctl *c)
{
	struct gc_nl_error e;

	if (c->connected)
		return 0;
	if (c->netns && gc_enter_netns(c->netns, "gcctl") < 0)
		return -1;
	if (gc_nl_open(&c->nl, &e) < 0) {
		char msg[512];

		gc_nl_format_error(&e, NULL, msg, sizeof(msg));
		fprintf(stderr, "gcctl: %s\n", e.err == ENOENT ? e.msg : msg);
		return -1;
	}
	c->connected = true;
	return 0;
}

struct nlmsghdr *gc_request(struct gcctl *c, void *buf, uint8_t cmd, uint16_t flags)
{
	if (gc_connect(c) < 0)
		return NULL;
	return gc_nl_new_request(&c->nl, buf, cmd, flags);
}

int gc_simple_request(struct gcctl *c, int argc, const char *what, uint8_t cmd)
{
	char buf[GC_NL_BUFSZ];
	struct gc_nl_error e;
	struct nlmsghdr *req;

	c->what = what;
	if (argc)
		return gc_usage_error("%s takes no arguments", what);
	req = gc_request(c, buf, cmd, 0);
	if (!req)
		return GC_EXIT_FAIL;

	if (gc_nl_talk(&c->nl, req, NULL, NULL, &e) < 0)
		return gc_fail_nl(c, &e);
	return GC_EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"netns", required_argument, NULL, 'n'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct gcctl c = {0};
	const char *netns = NULL;
	size_t i;
	int opt, ret;

	/* '+': options end at the object, so "node set port 1" is never an option. */
	while ((opt = getopt_long(argc, argv, "+jn:Vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			c.json = true;
			break;
		case 'n':
			netns = optarg;
			break;
		case 'V':
			printf("gcctl %s\n", GC_VERSION);
			return GC_EXIT_OK;
		case 'h':
			fputs(usage_text, stdout);
			return GC_EXIT_OK;
		default:
			fputs(usage_text, stderr);
			return GC_EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		fputs(usage_text, stderr);
		return GC_EXIT_USAGE;
	}
	if (!strcmp(argv[0], "help")) {
		fputs(usage_text, stdout);
		return GC_EXIT_OK;
	}
	for (i = 0; i < sizeof(objects) / sizeof(objects[0]); i++)
		if (!strcmp(argv[0], objects[i].name))
			break;
	if (i == sizeof(objects) / sizeof(objects[0]))
		return gc_usage_error("unknown command '%s'", argv[0]);

	c.netns = netns;
	ret = objects[i].run(&c, argc - 1, argv + 1);
	if (c.connected)
		gc_nl_close(&c.nl);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "gcctl: cannot write the output: %s\n", strerror(errno));
		return GC_EXIT_FAIL;
	}
	return ret;
}
