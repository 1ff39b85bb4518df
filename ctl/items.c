// SPDX-License-Identifier: GPL-2.0
/*
 * gcctl item put [type T] FILE|-... | item get ID [data] | item verdict ID
 * accept|reject, and gcctl items: the items this node holds, by stream.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "decode.h"
#include "gcctl.h"
#include "parse.h"

#define ID_HEX_LEN (2 * GC_ITEM_ID_SIZE)

/* A request with a whole item: its content and a few attributes. */
#define PUT_BUFSZ (MNL_ALIGN(GC_ITEM_MAX_SIZE) + 1024)

void gc_format_time_us(uint64_t us, char *out, size_t len)
{
	time_t sec = (time_t)(us / 1000000);
	struct tm tm;
	size_t n;

	if (!gmtime_r(&sec, &tm) || !(n = strftime(out, len, "%Y-%m-%dT%H:%M:%S", &tm))) {
		snprintf(out, len, "?");
		return;
	}
	snprintf(out + n, len - n, ".%06luZ", (unsigned long)(us % 1000000));
}

/*
 * Reads FILE (or stdin for "-") into buf, up to cap bytes: one more than an
 * item may hold, so *len == cap means too much. read(2), not stdio, as the
 * key is read. Returns 0 or a negative errno.
 */
static int read_content(const char *path, uint8_t *buf, size_t cap, size_t *len)
{
	ssize_t r;
	size_t n = 0;
	int fd, err = 0;

	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	if (fd < 0)
		return -errno;
	while (n < cap) {
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	*len = n;
	return err;
}

static void add_item_meta(json_object *o, const struct gc_item_info *it)
{
	char id[ID_HEX_LEN + 1];

	gc_format_hex(it->id, sizeof(it->id), id);
	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "origin", json_object_new_string(it->origin));
	json_object_object_add(o, "boot", json_object_new_uint64(it->boot));
	json_object_object_add(o, "seq", json_object_new_uint64(it->seq));
}

static void print_item_meta(const struct gc_item_info *it)
{
	char id[ID_HEX_LEN + 1], boot[40];

	gc_format_hex(it->id, sizeof(it->id), id);
	gc_format_time_us(it->boot, boot, sizeof(boot));
	printf("id: %s\n", id);
	printf("origin: %s\n", it->origin);
	printf("boot: %llu (%s)\n", (unsigned long long)it->boot, boot);
	printf("seq: %llu\n", (unsigned long long)it->seq);
}

struct put_reply {
	struct gc_item_info it;
	bool got;
};

static int put_cb(const struct nlmsghdr *nlh, void *data)
{
	struct put_reply *r = data;

	if (gc_decode_item_put(nlh, &r->it) != MNL_CB_OK)
		return MNL_CB_ERROR;
	r->got = true;
	return MNL_CB_OK;
}

static json_object *put_json(const struct gc_item_info *it)
{
	json_object *o = json_object_new_object();

	add_item_meta(o, it);
	json_object_object_add(o, "type", json_object_new_int(it->type));
	json_object_object_add(o, "state", json_object_new_string(gc_item_state_name(it->state)));
	json_object_object_add(o, "length", json_object_new_int64(it->len));
	return o;
}

static void put_print(const struct gc_item_info *it)
{
	print_item_meta(it);
	printf("type: %u\n", it->type);
	printf("state: %s\n", gc_item_state_name(it->state));
	printf("length: %u\n", it->len);
}

/* Reads path and puts it as one item; 0 or the exit code after saying why. */
static int put_one(struct gcctl *c, const char *path, const unsigned long *type, uint8_t *content,
		   char *buf, struct gc_item_info *out)
{
	const char *shown = strcmp(path, "-") ? path : "standard input";
	struct put_reply r = {0};
	struct gc_nl_error e;
	struct nlmsghdr *req;
	size_t len = 0;
	int ret;

	ret = read_content(path, content, GC_ITEM_MAX_SIZE + 1, &len);
	if (ret < 0)
		return gc_fail(c, "%s: %s", shown, strerror(-ret));
	if (len == 0)
		return gc_fail(c, "%s: empty: an item is 1 to %d bytes", shown, GC_ITEM_MAX_SIZE);
	if (len > GC_ITEM_MAX_SIZE)
		return gc_fail(c, "%s: more than %d bytes, the most an item holds", shown,
			       GC_ITEM_MAX_SIZE);
	req = gc_request(c, buf, GC_CMD_ITEM_PUT, 0);
	if (!req)
		return GC_EXIT_FAIL;
	mnl_attr_put(req, GC_A_ITEM_DATA, len, content);
	if (type)
		mnl_attr_put_u8(req, GC_A_ITEM_TYPE, (uint8_t)*type);
	if (gc_nl_talk(&c->nl, req, put_cb, &r, &e) < 0) {
		char msg[512];

		/* Which file failed, when several are put. */
		gc_nl_format_error(&e, gc_attr_name, msg, sizeof(msg));
		return gc_fail(c, "%s: %s", shown, msg);
	}
	if (!r.got)
		return gc_fail(c, "the kernel sent no item");
	*out = r.it;
	return GC_EXIT_OK;
}

/* gcctl item put [type T] FILE...: one item per file, in order; with
 * several files the output is a list (a JSON array). A failure stops there,
 * after printing the items already put.
 */
static int item_put(struct gcctl *c, int argc, char **argv)
{
	unsigned long type = 0;
	bool has_type = false, stdin_used = false;
	json_object *list = NULL;
	struct gc_item_info it;
	const char **files;
	uint8_t *content;
	int i, nfiles = 0, ret = GC_EXIT_OK;
	char *buf;

	c->what = "item put";
	/* type T first; --type T and --file F are taken too (--file F is F). */
	files = calloc((size_t)argc + 1, sizeof(*files));
	if (!files)
		return gc_fail(c, "out of memory");
	for (i = 0; i < argc; i++) {
		if ((!strcmp(argv[i], "type") && !nfiles) || !strcmp(argv[i], "--type")) {
			if (i + 1 == argc || gc_parse_uint(argv[++i], 255, &type) < 0) {
				free(files);
				return gc_usage_error(
					"item put: type must be a number from 0 to 255");
			}
			has_type = true;
		} else if (!strcmp(argv[i], "--file")) {
			if (i + 1 == argc) {
				free(files);
				return gc_usage_error("item put: --file needs a file");
			}
			files[nfiles++] = argv[++i];
		} else {
			files[nfiles++] = argv[i];
		}
	}
	if (!nfiles) {
		free(files);
		return gc_usage_error("usage: gcctl item put [type T] FILE|-...");
	}
	for (i = 0; i < nfiles; i++) {
		if (strcmp(files[i], "-"))
			continue;
		if (stdin_used) {
			free(files);
			return gc_usage_error("item put: standard input (-) can be read once");
		}
		stdin_used = true;
	}
	content = malloc(GC_ITEM_MAX_SIZE + 1);
	buf = calloc(1, PUT_BUFSZ);
	if (!content || !buf) {
		free(content);
		free(buf);
		free(files);
		return gc_fail(c, "out of memory");
	}
	if (c->json && nfiles > 1)
		list = json_object_new_array();
	for (i = 0; i < nfiles && !ret; i++) {
		ret = put_one(c, files[i], has_type ? &type : NULL, content, buf, &it);
		if (ret)
			break;
		if (list)
			json_object_array_add(list, put_json(&it));
		else if (c->json)
			gc_print_json(put_json(&it), false);
		else
			put_print(&it);
		if (!c->json && i + 1 < nfiles)
			putchar('\n');
	}
	if (list)
		gc_print_json(list, false);
	free(content);
	free(buf);
	free(files);
	return ret;
}

/* The reply to ITEM_GET, with its content copied out of the receive buffer. */
struct get_reply {
	struct gc_item_info it;
	uint8_t *data;
	bool got;
};

static int get_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct get_reply *r = arg;

	if (gc_decode_item(nlh, &r->it) != MNL_CB_OK)
		return MNL_CB_ERROR;
	if (r->it.data)
		memcpy(r->data, r->it.data, r->it.data_len);
	r->it.data = NULL;
	r->got = true;
	return MNL_CB_OK;
}

static int item_get(struct gcctl *c, int argc, char **argv)
{
	uint8_t id[GC_ITEM_ID_SIZE], hash[crypto_hash_sha256_BYTES];
	struct get_reply r = {0};
	char buf[GC_NL_BUFSZ];
	struct gc_item_info *it = &r.it;
	struct gc_nl_error e;
	struct nlmsghdr *req;
	bool data = false;
	int ret = GC_EXIT_OK;

	c->what = "item get";
	if (argc == 2 && !strcmp(argv[1], "data"))
		data = true;
	else if (argc != 1)
		return gc_usage_error("usage: gcctl item get ID [data]");
	if (gc_parse_hex(argv[0], id, sizeof(id)) < 0)
		return gc_usage_error("item get: '%s' is not an item id (%d hexadecimal digits)",
				      argv[0], ID_HEX_LEN);
	r.data = malloc(GC_ITEM_MAX_SIZE);
	if (!r.data)
		return gc_fail(c, "out of memory");
	req = gc_request(c, buf, GC_CMD_ITEM_GET, 0);
	if (!req) {
		ret = GC_EXIT_FAIL;
		goto out;
	}
	mnl_attr_put(req, GC_A_ITEM_ID, sizeof(id), id);
	if (gc_nl_talk(&c->nl, req, get_cb, &r, &e) < 0) {
		ret = gc_fail_nl(c, &e);
		goto out;
	}
	if (!r.got) {
		ret = gc_fail(c, "the kernel sent no item");
		goto out;
	}
	if (memcmp(it->id, id, sizeof(id))) {
		ret = gc_fail(c, "the kernel answered with another item");
		goto out;
	}
	/* Rejected here: only its id is left, and that it was rejected. */
	if (it->state == GC_ITEM_STATE_REJECTED) {
		char hex[ID_HEX_LEN + 1];

		gc_format_hex(it->id, sizeof(it->id), hex);
		if (data) {
			ret = gc_fail(c, "item %s was rejected here: its content is dropped", hex);
		} else if (c->json) {
			json_object *o = json_object_new_object();

			json_object_object_add(o, "id", json_object_new_string(hex));
			json_object_object_add(o, "state", json_object_new_string("rejected"));
			gc_print_json(o, false);
		} else {
			printf("id: %s\nstate: rejected\n", hex);
		}
		goto out;
	}
	/* The id is the content's SHA-256: what is written out is what was put. */
	if (data) {
		crypto_hash_sha256(hash, r.data, it->data_len);
		if (memcmp(hash, id, sizeof(id))) {
			ret = gc_fail(c, "the content the kernel sent does not match the id");
			goto out;
		}
	}
	if (c->json) {
		json_object *o = json_object_new_object();

		add_item_meta(o, it);
		json_object_object_add(o, "type", json_object_new_int(it->type));
		json_object_object_add(o, "state",
				       json_object_new_string(gc_item_state_name(it->state)));
		json_object_object_add(o, "hops", json_object_new_int(it->hops));
		json_object_object_add(o, "length", json_object_new_int64(it->len));
		if (data) {
			size_t b64len = sodium_base64_ENCODED_LEN(it->data_len,
								  sodium_base64_VARIANT_ORIGINAL);
			char *b64 = malloc(b64len);

			if (!b64) {
				json_object_put(o);
				ret = gc_fail(c, "out of memory");
				goto out;
			}
			sodium_bin2base64(b64, b64len, r.data, it->data_len,
					  sodium_base64_VARIANT_ORIGINAL);
			json_object_object_add(o, "data", json_object_new_string(b64));
			free(b64);
		}
		gc_print_json(o, false);
	} else if (data) {
		fwrite(r.data, 1, it->data_len, stdout);
	} else {
		print_item_meta(it);
		printf("type: %u\n", it->type);
		printf("state: %s\n", gc_item_state_name(it->state));
		printf("hops: %u\n", it->hops);
		printf("length: %u\n", it->len);
	}
out:
	free(r.data);
	return ret;
}

static int item_verdict(struct gcctl *c, int argc, char **argv)
{
	uint8_t id[GC_ITEM_ID_SIZE];
	char buf[GC_NL_BUFSZ];
	struct gc_nl_error e;
	struct nlmsghdr *req;
	uint8_t verdict;

	c->what = "item verdict";
	if (argc != 2)
		return gc_usage_error("usage: gcctl item verdict ID accept|reject");
	if (gc_parse_hex(argv[0], id, sizeof(id)) < 0)
		return gc_usage_error(
			"item verdict: '%s' is not an item id (%d hexadecimal digits)", argv[0],
			ID_HEX_LEN);
	if (!strcmp(argv[1], "accept"))
		verdict = GC_VERDICT_ACCEPT;
	else if (!strcmp(argv[1], "reject"))
		verdict = GC_VERDICT_REJECT;
	else
		return gc_usage_error("item verdict: '%s' is neither accept nor reject", argv[1]);
	req = gc_request(c, buf, GC_CMD_ITEM_VERDICT, 0);
	if (!req)
		return GC_EXIT_FAIL;
	mnl_attr_put(req, GC_A_ITEM_ID, sizeof(id), id);
	mnl_attr_put_u8(req, GC_A_VERDICT, verdict);
	if (gc_nl_talk(&c->nl, req, NULL, NULL, &e) < 0)
		return gc_fail_nl(c, &e);
	return GC_EXIT_OK;
}

int gc_cmd_item(struct gcctl *c, int argc, char **argv)
{
	if (argc == 0)
		return gc_usage_error("usage: gcctl item put|get|verdict ...");
	if (!strcmp(argv[0], "put"))
		return item_put(c, argc - 1, argv + 1);
	if (!strcmp(argv[0], "get"))
		return item_get(c, argc - 1, argv + 1);
	if (!strcmp(argv[0], "verdict"))
		return item_verdict(c, argc - 1, argv + 1);
	return gc_usage_error("unknown command 'item %s' (put, get, verdict)", argv[0]);
}

/* ---- gcctl items ---- */

struct origins {
	struct gc_origin_info *o;
	size_t n, cap;
	bool malformed;
};

static int origin_cb(const struct nlmsghdr *nlh, void *data)
{
	struct origins *t = data;
	struct gc_origin_info o;

	if (gc_decode_origin(nlh, &o) != MNL_CB_OK) {
		t->malformed = true;
		return MNL_CB_OK;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct gc_origin_info *p = realloc(t->o, cap * sizeof(*p));

		if (!p)
			return MNL_CB_ERROR;
		t->o = p;
		t->cap = cap;
	}
	t->o[t->n++] = o;
	return MNL_CB_OK;
}

static int by_stream(const void *a, const void *b)
{
	const struct gc_origin_info *x = a, *y = b;
	int r = strcmp(x->origin, y->origin);

	if (r)
		return r;
	return x->boot < y->boot ? -1 : x->boot > y->boot;
}

int gc_cmd_items(struct gcctl *c, int argc, char **argv)
{
	struct origins t = {0};
	char buf[GC_NL_BUFSZ];
	struct gc_nl_error e;
	struct nlmsghdr *req;
	int attempt, ret = -1;
	size_t i;

	(void)argv;
	c->what = "items";
	if (argc)
		return gc_usage_error("items takes no arguments");
	/* A dump the streams changed under (NLM_F_DUMP_INTR) is taken again. */
	for (attempt = 0; attempt < 5; attempt++) {
		t.n = 0;
		t.malformed = false;
		req = gc_request(c, buf, GC_CMD_GET_ORIGIN, NLM_F_DUMP);
		if (!req) {
			free(t.o);
			return GC_EXIT_FAIL;
		}
		ret = gc_nl_talk(&c->nl, req, origin_cb, &t, &e);
		if (ret == 0 || e.err != EINTR)
			break;
	}
	if (ret < 0) {
		free(t.o);
		if (e.err == EINTR)
			return gc_fail(c, "the streams kept changing during 5 dumps; try again");
		return gc_fail_nl(c, &e);
	}
	if (t.malformed)
		fprintf(stderr, "gcctl: items: skipped malformed entries\n");
	if (t.n)
		qsort(t.o, t.n, sizeof(*t.o), by_stream);
	if (c->json) {
		json_object *a = json_object_new_array();

		for (i = 0; i < t.n; i++) {
			const struct gc_origin_info *o = &t.o[i];
			json_object *j = json_object_new_object();

			json_object_object_add(j, "origin", json_object_new_string(o->origin));
			json_object_object_add(j, "boot", json_object_new_uint64(o->boot));
			json_object_object_add(j, "low", json_object_new_uint64(o->low));
			json_object_object_add(j, "contig", json_object_new_uint64(o->contig));
			json_object_object_add(j, "max", json_object_new_uint64(o->max));
			json_object_object_add(j, "held", json_object_new_int64(o->held));
			json_object_object_add(j, "pending", json_object_new_int64(o->pending));
			json_object_object_add(j, "rejected", json_object_new_int64(o->rejected));
			json_object_object_add(j, "bytes", json_object_new_uint64(o->bytes));
			json_object_array_add(a, j);
		}
		gc_print_json(a, false);
	} else if (t.n) {
		printf("%-24s %16s %8s %8s %8s %7s %7s %8s %10s\n", "ORIGIN", "BOOT", "LOW",
		       "CONTIG", "MAX", "HELD", "PENDING", "REJECTED", "BYTES");
		for (i = 0; i < t.n; i++) {
			const struct gc_origin_info *o = &t.o[i];

			printf("%-24s %16llu %8llu %8llu %8llu %7u %7u %8u %10llu\n", o->origin,
			       (unsigned long long)o->boot, (unsigned long long)o->low,
			       (unsigned long long)o->contig, (unsigned long long)o->max, o->held,
			       o->pending, o->rejected, (unsigned long long)o->bytes);
		}
	}
	free(t.o);
	return GC_EXIT_OK;
}
