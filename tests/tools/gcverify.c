// SPDX-License-Identifier: GPL-2.0
/*
 * gcverify: a small item verifier, for tests and for operators trying the
 * verifier API (uapi/gossipchain.h, GC_CMD_SET_VERIFIER).
 *
 *   gcverify [--reject-prefix STR | --reject-all | --silent] [--netns NAME]
 *            [--log FILE]
 *
 * It registers a netlink socket as the verifier of the instance of its
 * network namespace (GC_CMD_SET_VERIFIER, GC_A_VERIFIER 1): from then on
 * every item new to the node, its own puts included, comes to that socket
 * as a GC_CMD_ITEM_VERIFY message and stays pending until a verdict. For
 * each one gcverify decides and answers with GC_CMD_ITEM_VERDICT, from a
 * second socket so that acknowledgements never mix with upcalls:
 *
 *   (default)            accept every item
 *   --reject-prefix STR  reject items whose content starts with STR, accept
 *                        the others
 *   --reject-all         reject every item
 *   --silent             register and never answer: items expire after
 *                        item_pending_ms
 *   -n, --netns NAME     act in network namespace NAME (a name under
 *                        /run/netns, or a path), as gcctl -n
 *   --log FILE           append one JSON object per line for every item
 *                        seen: id, origin, boot, seq, type, hops, len and
 *                        verdict ("accept", "reject", or "none" when
 *                        silent), and "error" when the kernel refused the
 *                        verdict (the item had expired, say)
 *
 * Once registered it prints "gcverify: registered" on stderr (tests wait
 * for that line); it runs until SIGINT or SIGTERM and then exits 0. Closing
 * its socket unregisters it. Needs CAP_NET_ADMIN, as every change does.
 * Exit status: 0 after a signal, 1 on failure, 2 on a usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <linux/genetlink.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "decode.h"
#include "gossipchain.h"
#include "nl.h"
#include "parse.h"

/* Room for a burst of upcalls of large items before any is dropped. */
#define UPCALL_RCVBUF (8 << 20)

enum mode { ACCEPT_ALL, REJECT_PREFIX, REJECT_ALL, SILENT };

struct verifier {
	enum mode mode;
	const char *prefix;
	size_t prefix_len;
	FILE *log;
	struct gc_nl up;  /* the registered socket: upcalls arrive here */
	struct gc_nl ctl; /* verdicts go from here */
	unsigned long seen, malformed;
	bool fatal;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fputs("Usage: gcverify [--reject-prefix STR | --reject-all | --silent] [--netns NAME]\n"
	      "                [--log FILE]\n"
	      "Registers as the item verifier of the gossipchain instance and answers every\n"
	      "item: accept (default), reject those starting with STR, reject all, or never.\n",
	      f);
}

static void nl_error(const char *what, const struct gc_nl_error *e)
{
	char msg[512];

	gc_nl_format_error(e, gc_attr_name, msg, sizeof(msg));
	fprintf(stderr, "gcverify: %s: %s\n", what, msg);
}

static uint8_t decide(const struct verifier *v, const struct gc_item_info *it)
{
	switch (v->mode) {
	case REJECT_ALL:
		return GC_VERDICT_REJECT;
	case REJECT_PREFIX:
		if (it->data_len >= v->prefix_len && !memcmp(it->data, v->prefix, v->prefix_len))
			return GC_VERDICT_REJECT;
		return GC_VERDICT_ACCEPT;
	case SILENT:
		return 0;
	case ACCEPT_ALL:
		break;
	}
	return GC_VERDICT_ACCEPT;
}

static void log_item(struct verifier *v, const struct gc_item_info *it, uint8_t verdict,
		     const char *error)
{
	char id[2 * GC_ITEM_ID_SIZE + 1];
	json_object *o;

	if (!v->log)
		return;
	gc_format_hex(it->id, sizeof(it->id), id);
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "origin", json_object_new_string(it->origin));
	json_object_object_add(o, "boot", json_object_new_uint64(it->boot));
	json_object_object_add(o, "seq", json_object_new_uint64(it->seq));
	json_object_object_add(o, "type", json_object_new_int(it->type));
	json_object_object_add(o, "hops", json_object_new_int(it->hops));
	json_object_object_add(o, "len", json_object_new_int64(it->data_len));
	json_object_object_add(o, "verdict",
			       json_object_new_string(verdict ? gc_verdict_name(verdict) : "none"));
	if (error)
		json_object_object_add(o, "error", json_object_new_string(error));
	fprintf(v->log, "%s\n",
		json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							  JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(v->log);
	json_object_put(o);
}

/* Decides on one upcall and answers it; never fails the caller but on EPERM. */
static void handle_upcall(struct verifier *v, const struct nlmsghdr *nlh)
{
	char buf[GC_NL_BUFSZ], msg[512];
	struct gc_item_info it;
	struct gc_nl_error e;
	struct nlmsghdr *req;
	uint8_t verdict;

	if (gc_decode_item_verify(nlh, &it) != MNL_CB_OK) {
		v->malformed++;
		fprintf(stderr, "gcverify: skipped a malformed upcall\n");
		return;
	}
	v->seen++;
	verdict = decide(v, &it);
	if (!verdict) {
		log_item(v, &it, 0, NULL);
		return;
	}
	req = gc_nl_new_request(&v->ctl, buf, GC_CMD_ITEM_VERDICT, 0);
	mnl_attr_put(req, GC_A_ITEM_ID, sizeof(it.id), it.id);
	mnl_attr_put_u8(req, GC_A_VERDICT, verdict);
	if (gc_nl_talk(&v->ctl, req, NULL, NULL, &e) < 0) {
		/* An item that expired meanwhile is no reason to stop. */
		gc_nl_format_error(&e, gc_attr_name, msg, sizeof(msg));
		fprintf(stderr, "gcverify: verdict: %s\n", msg);
		log_item(v, &it, verdict, msg);
		if (e.err == EPERM)
			v->fatal = true;
		return;
	}
	log_item(v, &it, verdict, NULL);
}

/* Every family message of a datagram: upcalls are handled, others skipped. */
static int upcall_cb(const struct nlmsghdr *nlh, void *data)
{
	struct verifier *v = data;

	if (nlh->nlmsg_type == v->up.family_id && gc_decode_cmd(nlh) == GC_CMD_ITEM_VERIFY)
		handle_upcall(v, nlh);
	return v->fatal ? MNL_CB_ERROR : MNL_CB_OK;
}

static int do_register(struct verifier *v)
{
	char buf[GC_NL_BUFSZ];
	struct gc_nl_error e;
	struct nlmsghdr *req;
	int size = UPCALL_RCVBUF;

	/* Beyond rmem_max needs CAP_NET_ADMIN, which a verifier has anyway. */
	if (setsockopt(mnl_socket_get_fd(v->up.sock), SOL_SOCKET, SO_RCVBUFFORCE, &size,
		       sizeof(size)) < 0)
		setsockopt(mnl_socket_get_fd(v->up.sock), SOL_SOCKET, SO_RCVBUF, &size,
			   sizeof(size));
	req = gc_nl_new_request(&v->up, buf, GC_CMD_SET_VERIFIER, 0);
	mnl_attr_put_u8(req, GC_A_VERIFIER, 1);
	/* Upcalls may come before the ack: the callback answers them. */
	if (gc_nl_talk(&v->up, req, upcall_cb, v, &e) < 0) {
		nl_error("register", &e);
		return -1;
	}
	return 0;
}

static int run(struct verifier *v)
{
	char *buf = malloc(GC_NL_RECV_BUFSZ);
	struct sigaction sa = {.sa_handler = on_signal};
	sigset_t block, orig;
	struct pollfd pfd;
	ssize_t n;
	int ret = 0;

	if (!buf) {
		fprintf(stderr, "gcverify: out of memory\n");
		return 1;
	}
	/* Signals are blocked except inside ppoll(): none is missed. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &orig);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (do_register(v) < 0) {
		free(buf);
		return 1;
	}
	fprintf(stderr, "gcverify: registered\n");
	pfd.fd = mnl_socket_get_fd(v->up.sock);
	pfd.events = POLLIN;
	while (!stop && !v->fatal) {
		if (ppoll(&pfd, 1, NULL, &orig) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "gcverify: poll: %s\n", strerror(errno));
			ret = 1;
			break;
		}
		n = recv(pfd.fd, buf, GC_NL_RECV_BUFSZ, MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			if (errno == ENOBUFS) {
				fprintf(stderr,
					"gcverify: upcalls were lost (receive buffer "
					"full): those items stay pending until they expire\n");
				continue;
			}
			fprintf(stderr, "gcverify: receive: %s\n", strerror(errno));
			ret = 1;
			break;
		}
		if (n > GC_NL_RECV_BUFSZ || !gc_nl_stream_ok(buf, (size_t)n)) {
			fprintf(stderr, "gcverify: skipped a malformed or oversized datagram\n");
			continue;
		}
		/* Upcalls carry sequence 0 and the kernel's port id 0. */
		mnl_cb_run(buf, n, 0, 0, upcall_cb, v);
	}
	if (v->fatal)
		ret = 1;
	free(buf);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"reject-prefix", required_argument, NULL, 'p'},
		{"reject-all", no_argument, NULL, 'r'},
		{"silent", no_argument, NULL, 's'},
		{"netns", required_argument, NULL, 'n'},
		{"log", required_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct verifier v = {.mode = ACCEPT_ALL};
	const char *netns = NULL, *log_path = NULL;
	struct gc_nl_error e;
	int opt, modes = 0, ret;

	while ((opt = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			v.mode = REJECT_PREFIX;
			v.prefix = optarg;
			v.prefix_len = strlen(optarg);
			modes++;
			break;
		case 'r':
			v.mode = REJECT_ALL;
			modes++;
			break;
		case 's':
			v.mode = SILENT;
			modes++;
			break;
		case 'n':
			netns = optarg;
			break;
		case 'l':
			log_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || modes > 1) {
		fputs(modes > 1 ? "gcverify: give one of --reject-prefix, --reject-all, --silent\n"
				: "gcverify: takes no arguments but options\n",
		      stderr);
		usage(stderr);
		return 2;
	}
	if (v.mode == REJECT_PREFIX && !v.prefix_len) {
		fputs("gcverify: --reject-prefix needs a non-empty prefix\n", stderr);
		return 2;
	}
	if (netns && gc_enter_netns(netns, "gcverify") < 0)
		return 1;
	if (log_path) {
		v.log = fopen(log_path, "ae");
		if (!v.log) {
			fprintf(stderr, "gcverify: %s: %s\n", log_path, strerror(errno));
			return 1;
		}
	}
	if (gc_nl_open(&v.up, &e) < 0 || gc_nl_open(&v.ctl, &e) < 0) {
		if (e.err == ENOENT)
			fprintf(stderr, "gcverify: %s\n", e.msg);
		else
			nl_error("open", &e);
		gc_nl_close(&v.up);
		if (v.log)
			fclose(v.log);
		return 1;
	}
	ret = run(&v);
	/* Closing the socket unregisters it. */
	gc_nl_close(&v.up);
	gc_nl_close(&v.ctl);
	if (v.log && fclose(v.log)) {
		fprintf(stderr, "gcverify: %s: %s\n", log_path, strerror(errno));
		ret = 1;
	}
	return ret;
}
