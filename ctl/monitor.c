// SPDX-License-Identifier: GPL-2.0
/*
 * gcctl monitor [items] [count N]: prints the instance's events as they
 * happen: configuration and member events, or with "items" item events.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <arpa/inet.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "decode.h"
#include "gcctl.h"
#include "parse.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void timestamp(char *out, size_t len)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(out, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, len - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

static void print_node_event(const struct gcctl *c, const struct gc_node *n)
{
	char ts[40], ip[INET6_ADDRSTRLEN] = "", ep[INET6_ADDRSTRLEN + 8];

	timestamp(ts, sizeof(ts));
	if (c->json) {
		json_object *o = json_object_new_object();

		inet_ntop(n->family, &n->addr, ip, sizeof(ip));
		json_object_object_add(o, "time", json_object_new_string(ts));
		json_object_object_add(o, "event", json_object_new_string("node"));
		json_object_object_add(o, "name", json_object_new_string(n->name));
		json_object_object_add(o, "address", json_object_new_string(ip));
		json_object_object_add(o, "port", json_object_new_int(n->port));
		json_object_object_add(o, "config_gen", json_object_new_int64(n->config_gen));
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		gc_format_endpoint(n->family, &n->addr, n->port, ep, sizeof(ep));
		printf("[%s] node name %s listen %s generation %u\n", ts,
		       n->name[0] ? n->name : "(none)", ep, n->config_gen);
	}
	fflush(stdout);
}

static void print_member_event(const struct gcctl *c, const struct gc_member_info *m)
{
	char ts[40], ip[INET6_ADDRSTRLEN] = "", ep[INET6_ADDRSTRLEN + 8];

	timestamp(ts, sizeof(ts));
	if (c->json) {
		json_object *o = json_object_new_object();

		inet_ntop(m->family, &m->addr, ip, sizeof(ip));
		json_object_object_add(o, "time", json_object_new_string(ts));
		json_object_object_add(o, "event", json_object_new_string(gc_event_name(m->event)));
		json_object_object_add(o, "name", json_object_new_string(m->name));
		json_object_object_add(o, "address", json_object_new_string(ip));
		json_object_object_add(o, "port", json_object_new_int(m->port));
		/* A reaped member has no state left: it is forgotten. */
		if (m->event != GC_EVENT_REAP)
			json_object_object_add(
				o, "state", json_object_new_string(gc_member_state_name(m->state)));
		json_object_object_add(o, "incarnation", json_object_new_int64(m->incarnation));
		if (m->accuser[0])
			json_object_object_add(o, "accuser", json_object_new_string(m->accuser));
		gc_print_json(o, true);
	} else {
		gc_format_endpoint(m->family, &m->addr, m->port, ep, sizeof(ep));
		printf("[%s] member %-7s %s %s incarnation %u%s%s\n", ts, gc_event_name(m->event),
		       m->name, ep, m->incarnation, m->accuser[0] ? " by " : "", m->accuser);
	}
	fflush(stdout);
}

static void print_item_event(const struct gcctl *c, const struct gc_item_info *it)
{
	char ts[40], id[2 * GC_ITEM_ID_SIZE + 1];
	bool gap = it->event == GC_ITEM_EVENT_GAP;

	timestamp(ts, sizeof(ts));
	if (!gap)
		gc_format_hex(it->id, sizeof(it->id), id);
	if (c->json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "time", json_object_new_string(ts));
		json_object_object_add(o, "event",
				       json_object_new_string(gc_item_event_name(it->event)));
		if (!gap)
			json_object_object_add(o, "id", json_object_new_string(id));
		json_object_object_add(o, "origin", json_object_new_string(it->origin));
		json_object_object_add(o, "boot", json_object_new_uint64(it->boot));
		if (gap) {
			json_object_object_add(o, "from", json_object_new_uint64(it->gap_from));
			json_object_object_add(o, "to", json_object_new_uint64(it->gap_to));
		} else {
			json_object_object_add(o, "seq", json_object_new_uint64(it->seq));
			json_object_object_add(o, "type", json_object_new_int(it->type));
			json_object_object_add(o, "hops", json_object_new_int(it->hops));
			json_object_object_add(o, "length", json_object_new_int64(it->len));
		}
		gc_print_json(o, true);
	} else if (gap) {
		printf("[%s] item gap      origin %s boot %llu seq %llu-%llu\n", ts, it->origin,
		       (unsigned long long)it->boot, (unsigned long long)it->gap_from,
		       (unsigned long long)it->gap_to);
	} else {
		printf("[%s] item %-8s %s origin %s boot %llu seq %llu type %u hops %u length %u\n",
		       ts, gc_item_event_name(it->event), id, it->origin,
		       (unsigned long long)it->boot, (unsigned long long)it->seq, it->type,
		       it->hops, it->len);
	}
	fflush(stdout);
}

struct monitor {
	const struct gcctl *c;
	bool items; /* item events, not member and node events */
	unsigned long seen;
	unsigned long malformed;
};

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct monitor *m = data;
	struct gc_member_info member;
	struct gc_item_info item;
	struct gc_node node;

	if (nlh->nlmsg_type != m->c->nl.family_id)
		return MNL_CB_OK;
	if (m->items) {
		if (gc_decode_cmd(nlh) != GC_CMD_ITEM_EVENT)
			return MNL_CB_OK;
		if (gc_decode_item_event(nlh, &item) != MNL_CB_OK) {
			m->malformed++;
			fprintf(stderr, "gcctl: monitor: skipped a malformed event\n");
			return MNL_CB_OK;
		}
		print_item_event(m->c, &item);
		m->seen++;
		return MNL_CB_OK;
	}
	switch (gc_decode_cmd(nlh)) {
	case GC_CMD_SET_NODE:
		if (gc_decode_node(nlh, &node) != MNL_CB_OK) {
			m->malformed++;
			fprintf(stderr, "gcctl: monitor: skipped a malformed event\n");
			return MNL_CB_OK;
		}
		print_node_event(m->c, &node);
		m->seen++;
		break;
	case GC_CMD_MEMBER_EVENT:
		if (gc_decode_member(nlh, &member) != MNL_CB_OK || !member.event) {
			m->malformed++;
			fprintf(stderr, "gcctl: monitor: skipped a malformed event\n");
			return MNL_CB_OK;
		}
		print_member_event(m->c, &member);
		m->seen++;
		break;
	}
	return MNL_CB_OK;
}

int gc_cmd_monitor(struct gcctl *c, int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_signal};
	struct monitor m = {.c = c};
	sigset_t block, orig;
	struct pollfd pfd;
	unsigned long count = 0;
	char buf[GC_NL_BUFSZ];
	struct gc_nl_error e;
	ssize_t n;

	c->what = "monitor";
	if (argc > 0 && !strcmp(argv[0], "items")) {
		m.items = true;
		argc--;
		argv++;
	}
	if (argc == 2 && !strcmp(argv[0], "count")) {
		if (gc_parse_uint(argv[1], 1000000000UL, &count) < 0 || count == 0)
			return gc_usage_error("monitor: count must be a positive number");
	} else if (argc != 0) {
		return gc_usage_error("usage: gcctl monitor [items] [count N]");
	}
	if (gc_connect(c) < 0)
		return GC_EXIT_FAIL;
	if ((m.items ? gc_nl_subscribe_items : gc_nl_subscribe_events)(&c->nl, &e) < 0)
		return gc_fail_nl(c, &e);
	/* The signals are blocked except inside ppoll(), so one that comes
	 * between the check of stop and the wait still ends the wait.
	 */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &orig);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	pfd.fd = mnl_socket_get_fd(c->nl.sock);
	pfd.events = POLLIN;
	/* On stderr, so scripts know from when on no event is missed. */
	fprintf(stderr, "gcctl: monitoring %s, ^C to stop\n", m.items ? "item events" : "events");
	while (!stop && (!count || m.seen < count)) {
		if (ppoll(&pfd, 1, NULL, &orig) < 0) {
			if (errno == EINTR)
				continue;
			return gc_fail(c, "poll: %s", strerror(errno));
		}
		n = mnl_socket_recvfrom(c->nl.sock, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				fprintf(stderr,
					"gcctl: monitor: events were lost (receive buffer full)\n");
				continue;
			}
			return gc_fail(c, "receive: %s", strerror(errno));
		}
		if (!gc_nl_stream_ok(buf, (size_t)n)) {
			fprintf(stderr, "gcctl: monitor: skipped a malformed datagram\n");
			continue;
		}
		/* Multicast messages carry sequence 0 and port id 0. */
		if (mnl_cb_run(buf, n, 0, 0, event_cb, &m) == MNL_CB_ERROR)
			return gc_fail(c, "malformed netlink message");
	}
	return GC_EXIT_OK;
}
