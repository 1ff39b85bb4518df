// SPDX-License-Identifier: GPL-2.0
/*
 * The genesis file: see genesis.h. Parsed with json-c in strict mode; every
 * field is checked here, the first problem found is reported by name.
 */
#include "genesis.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/node_name.h"
#include "durable.h"

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t errlen, const char *fmt,
						      ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static bool name_ok(const char *s, size_t len)
{
	return gc_node_name_valid(s, len);
}

static int check_validator(const struct gcd_genesis *g, uint32_t i, char *err, size_t errlen)
{
	const struct gcd_validator *v = &g->v[i];
	uint32_t j;

	if (!name_ok(v->name, strnlen(v->name, sizeof(v->name))))
		return fail(err, errlen, "validators[%u].name: not a node name (%s)", i,
			    GC_NODE_NAME_RULE);
	if (!crypto_core_ed25519_is_valid_point(v->pub))
		return fail(err, errlen, "validators[%u].pub_key: not a valid Ed25519 public key",
			    i);
	for (j = 0; j < i; j++) {
		if (!strcmp(g->v[j].name, v->name))
			return fail(err, errlen,
				    "validators[%u].name: \"%s\" is validators[%u]'s too", i,
				    v->name, j);
		if (!memcmp(g->v[j].pub, v->pub, GCD_PUBKEY_LEN))
			return fail(err, errlen,
				    "validators[%u].pub_key: the same key as validators[%u]", i, j);
	}
	return 0;
}

static int check_genesis(const struct gcd_genesis *g, char *err, size_t errlen)
{
	uint32_t i;

	if (!name_ok(g->chain_id, strnlen(g->chain_id, sizeof(g->chain_id))))
		return fail(err, errlen, "chain_id: not %s", GC_NODE_NAME_RULE);
	if (g->time_ms >= (uint64_t)INT64_MAX)
		return fail(err, errlen, "genesis_time_ms: out of range");
	if (g->n < 1 || g->n > GCD_MAX_VALIDATORS)
		return fail(err, errlen, "validators: %u of them, want 1 to %d", g->n,
			    GCD_MAX_VALIDATORS);
	for (i = 0; i < g->n; i++)
		if (check_validator(g, i, err, errlen))
			return -1;
	return 0;
}

/* Copies a JSON string of the node-name rule into dst (GCD_NAME_MAX + 1 bytes). */
static int get_name(struct json_object *o, char *dst, const char *what, char *err, size_t errlen)
{
	const char *s;
	int len;

	if (!json_object_is_type(o, json_type_string))
		return fail(err, errlen, "%s: not a string", what);
	s = json_object_get_string(o);
	len = json_object_get_string_len(o);
	if (len < 0 || !name_ok(s, (size_t)len))
		return fail(err, errlen, "%s: not %s", what, GC_NODE_NAME_RULE);
	memcpy(dst, s, (size_t)len);
	dst[len] = '\0';
	return 0;
}

static int parse_validator(struct json_object *o, uint32_t i, struct gcd_validator *v, char *err,
			   size_t errlen)
{
	struct json_object *name = NULL, *key = NULL;
	bool has_name = false, has_key = false;
	char what[64];
	size_t bin_len = 0;
	const char *hex, *end = NULL;

	if (!json_object_is_type(o, json_type_object))
		return fail(err, errlen, "validators[%u]: not an object", i);
	json_object_object_foreach(o, k, val)
	{
		if (!strcmp(k, "name")) {
			name = val;
			has_name = true;
		} else if (!strcmp(k, "pub_key")) {
			key = val;
			has_key = true;
		} else {
			return fail(err, errlen, "validators[%u]: unknown key \"%.40s\"", i, k);
		}
	}
	if (!has_name)
		return fail(err, errlen, "validators[%u]: no \"name\"", i);
	if (!has_key)
		return fail(err, errlen, "validators[%u]: no \"pub_key\"", i);
	snprintf(what, sizeof(what), "validators[%u].name", i);
	if (get_name(name, v->name, what, err, errlen))
		return -1;
	if (!json_object_is_type(key, json_type_string))
		return fail(err, errlen, "validators[%u].pub_key: not a string", i);
	hex = json_object_get_string(key);
	if (json_object_get_string_len(key) != 2 * GCD_PUBKEY_LEN ||
	    sodium_hex2bin(v->pub, GCD_PUBKEY_LEN, hex, 2 * GCD_PUBKEY_LEN, NULL, &bin_len, &end) !=
		    0 ||
	    bin_len != GCD_PUBKEY_LEN || end != hex + 2 * GCD_PUBKEY_LEN)
		return fail(err, errlen, "validators[%u].pub_key: not 64 hex digits", i);
	return 0;
}

static int parse_object(struct json_object *root, struct gcd_genesis *g, char *err, size_t errlen)
{
	struct json_object *chain = NULL, *time = NULL, *vals = NULL;
	bool has_chain = false, has_time = false, has_vals = false;
	size_t i, n;
	int64_t t;

	if (!json_object_is_type(root, json_type_object))
		return fail(err, errlen, "not a JSON object");
	json_object_object_foreach(root, k, val)
	{
		if (!strcmp(k, "chain_id")) {
			chain = val;
			has_chain = true;
		} else if (!strcmp(k, "genesis_time_ms")) {
			time = val;
			has_time = true;
		} else if (!strcmp(k, "validators")) {
			vals = val;
			has_vals = true;
		} else {
			return fail(err, errlen, "unknown key \"%.40s\"", k);
		}
	}
	if (!has_chain)
		return fail(err, errlen, "no \"chain_id\"");
	if (!has_time)
		return fail(err, errlen, "no \"genesis_time_ms\"");
	if (!has_vals)
		return fail(err, errlen, "no \"validators\"");
	if (get_name(chain, g->chain_id, "chain_id", err, errlen))
		return -1;
	if (!json_object_is_type(time, json_type_int))
		return fail(err, errlen, "genesis_time_ms: not an integer");
	/* json-c clamps what does not fit an int64 to INT64_MAX (or MIN). */
	t = json_object_get_int64(time);
	if (t < 0 || t == INT64_MAX)
		return fail(err, errlen, "genesis_time_ms: out of range (0 to 2^63 - 2)");
	g->time_ms = (uint64_t)t;
	if (!json_object_is_type(vals, json_type_array))
		return fail(err, errlen, "validators: not an array");
	n = json_object_array_length(vals);
	if (n < 1 || n > GCD_MAX_VALIDATORS)
		return fail(err, errlen, "validators: %zu of them, want 1 to %d", n,
			    GCD_MAX_VALIDATORS);
	g->n = (uint32_t)n;
	for (i = 0; i < n; i++)
		if (parse_validator(json_object_array_get_idx(vals, i), (uint32_t)i, &g->v[i], err,
				    errlen))
			return -1;
	return check_genesis(g, err, errlen);
}

int gcd_genesis_parse(const uint8_t *text, size_t len, struct gcd_genesis *g, char *err,
		      size_t errlen)
{
	struct json_tokener *tok;
	struct json_object *root;
	enum json_tokener_error je;
	size_t end;
	int rc;

	memset(g, 0, sizeof(*g));
	if (len == 0)
		return fail(err, errlen, "empty file");
	if (len > GCD_GENESIS_FILE_MAX || len > INT_MAX)
		return fail(err, errlen, "larger than %d bytes", GCD_GENESIS_FILE_MAX);
	if (memchr(text, '\0', len))
		return fail(err, errlen, "a NUL byte in the text");
	tok = json_tokener_new_ex(8);
	if (!tok)
		return fail(err, errlen, "out of memory");
	/* Trailing text is refused below, with a clearer message. */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS);
	root = json_tokener_parse_ex(tok, (const char *)text, (int)len);
	je = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!root || je != json_tokener_success) {
		json_object_put(root);
		if (je == json_tokener_continue)
			return fail(err, errlen, "JSON ends early");
		return fail(err, errlen, "JSON: %s at byte %zu", json_tokener_error_desc(je), end);
	}
	for (; end < len; end++) {
		if (!strchr(" \t\r\n", text[end])) {
			json_object_put(root);
			return fail(err, errlen, "text after the JSON object at byte %zu", end);
		}
	}
	rc = parse_object(root, g, err, errlen);
	json_object_put(root);
	if (rc)
		return rc;
	gcd_sha256(text, len, g->hash);
	return 0;
}

/* The whole file, at most GCD_GENESIS_FILE_MAX bytes, into a malloc'd *buf. */
static int read_file(const char *path, uint8_t **buf, size_t *len, char *err, size_t errlen)
{
	size_t n = 0;
	ssize_t r;
	int fd;

	*buf = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	*buf = malloc(GCD_GENESIS_FILE_MAX + 1);
	if (!*buf) {
		close(fd);
		return fail(err, errlen, "%s: out of memory", path);
	}
	for (;;) {
		r = read(fd, *buf + n, GCD_GENESIS_FILE_MAX + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fail(err, errlen, "%s: %s", path, strerror(errno));
			goto bad;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > GCD_GENESIS_FILE_MAX) {
			fail(err, errlen, "%s: larger than %d bytes", path, GCD_GENESIS_FILE_MAX);
			goto bad;
		}
	}
	close(fd);
	*len = n;
	return 0;
bad:
	close(fd);
	free(*buf);
	*buf = NULL;
	return -1;
}

static int load(const char *path, struct gcd_genesis *g, uint8_t **text, size_t *len, char *err,
		size_t errlen)
{
	char sub[200];

	if (read_file(path, text, len, err, errlen))
		return -1;
	if (gcd_genesis_parse(*text, *len, g, sub, sizeof(sub))) {
		free(*text);
		*text = NULL;
		return fail(err, errlen, "%s: %s", path, sub);
	}
	return 0;
}

int gcd_genesis_load(const char *path, struct gcd_genesis *g, char *err, size_t errlen)
{
	uint8_t *text;
	size_t len;
	int rc = load(path, g, &text, &len, err, errlen);

	free(text);
	return rc;
}

int gcd_genesis_format(const struct gcd_genesis *g, char **text, size_t *len, char *err,
		       size_t errlen)
{
	/* Per validator: name (63), hex key (64) and the JSON around them. */
	size_t cap = 256 + (size_t)GCD_MAX_VALIDATORS * 192, off;
	char hex[2 * GCD_PUBKEY_LEN + 1];
	char *buf;
	uint32_t i;
	int n;

	if (check_genesis(g, err, errlen))
		return -1;
	buf = malloc(cap);
	if (!buf)
		return fail(err, errlen, "out of memory");
	n = snprintf(buf, cap,
		     "{\n  \"chain_id\": \"%s\",\n  \"genesis_time_ms\": %llu,\n"
		     "  \"validators\": [\n",
		     g->chain_id, (unsigned long long)g->time_ms);
	off = (size_t)n;
	for (i = 0; i < g->n; i++) {
		sodium_bin2hex(hex, sizeof(hex), g->v[i].pub, GCD_PUBKEY_LEN);
		n = snprintf(buf + off, cap - off,
			     "    {\"name\": \"%s\", \"pub_key\": \"%s\"}%s\n", g->v[i].name, hex,
			     i + 1 < g->n ? "," : "");
		off += (size_t)n;
	}
	n = snprintf(buf + off, cap - off, "  ]\n}\n");
	off += (size_t)n;
	*text = buf;
	*len = off;
	return 0;
}

int gcd_genesis_write(const char *path, struct gcd_genesis *g, char *err, size_t errlen)
{
	char *text;
	size_t len;
	int fd, e;

	if (gcd_genesis_format(g, &text, &len, err, errlen))
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		e = errno;
		free(text);
		return fail(err, errlen, "%s: %s", path, strerror(e));
	}
	if (gcd_write_all(fd, text, len) || fsync(fd)) {
		e = errno;
		close(fd);
		unlink(path);
		free(text);
		return fail(err, errlen, "%s: %s", path, strerror(e));
	}
	if (close(fd) || gcd_fsync_dir_of(path)) {
		e = errno;
		free(text);
		return fail(err, errlen, "%s: %s", path, strerror(e));
	}
	gcd_sha256((const uint8_t *)text, len, g->hash);
	free(text);
	return 0;
}

int gcd_genesis_find(const struct gcd_genesis *g, const uint8_t pub[GCD_PUBKEY_LEN])
{
	uint32_t i;

	for (i = 0; i < g->n && i < GCD_MAX_VALIDATORS; i++)
		if (!memcmp(g->v[i].pub, pub, GCD_PUBKEY_LEN))
			return (int)i;
	return -1;
}

int gcd_genesis_keep(const char *path, const char *dir, struct gcd_genesis *g, char *err,
		     size_t errlen)
{
	char kept[PATH_MAX], tmp[PATH_MAX + 8];
	struct gcd_genesis *old;
	uint8_t *text = NULL;
	size_t len;
	int fd, rc = -1;

	snprintf(kept, sizeof(kept), "%s/%s", dir, GCD_GENESIS_KEPT);
	if (!path)
		return gcd_genesis_load(kept, g, err, errlen);
	if (load(path, g, &text, &len, err, errlen))
		return -1;
	if (!access(kept, F_OK)) {
		old = malloc(sizeof(*old));
		if (!old) {
			fail(err, errlen, "out of memory");
		} else if (!gcd_genesis_load(kept, old, err, errlen)) {
			if (memcmp(old->hash, g->hash, GCD_HASH_LEN))
				fail(err, errlen, "%s is another chain's genesis than %s", kept,
				     path);
			else
				rc = 0;
		}
		free(old);
		goto out;
	}
	/* A copy, so that the tools need only DIR: written whole or not at all. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", kept);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fail(err, errlen, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (gcd_write_all(fd, (const char *)text, len) || fsync(fd)) {
		fail(err, errlen, "%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (close(fd) || rename(tmp, kept) || gcd_fsync_dir_of(kept)) {
		fail(err, errlen, "%s: %s", kept, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	free(text);
	return rc;
}
