// SPDX-License-Identifier: GPL-2.0
/*
 * gcctl key generate | add | use | del FILE: the cluster keyring. Keys are
 * 32 random bytes in base64, as WireGuard's; they are read from a file or
 * stdin, never from the command line where ps would show them.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "gcctl.h"
#include "gossipchain.h"

#define KEY_B64_LEN 44 /* sodium_base64_ENCODED_LEN(32, ORIGINAL) - 1 */

static int read_key(const char *path, unsigned char key[GC_KEY_LEN])
{
	char text[256];
	size_t n = 0, bin_len = 0;
	ssize_t r;
	int fd;

	/* read(2), not stdio: no buffer that would keep the key after close. */
	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	if (fd < 0)
		return -errno;
	while (n < sizeof(text) - 1 && (r = read(fd, text + n, sizeof(text) - 1 - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = -errno;
			if (fd != STDIN_FILENO)
				close(fd);
			sodium_memzero(text, sizeof(text));
			return (int)r;
		}
		n += (size_t)r;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	text[n] = '\0';
	while (n && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' '))
		text[--n] = '\0';
	if (n != KEY_B64_LEN ||
	    sodium_base642bin(key, GC_KEY_LEN, text, n, NULL, &bin_len, NULL,
			      sodium_base64_VARIANT_ORIGINAL) < 0 ||
	    bin_len != GC_KEY_LEN) {
		sodium_memzero(text, sizeof(text));
		return -EINVAL;
	}
	sodium_memzero(text, sizeof(text));
	return 0;
}

static int key_generate(void)
{
	unsigned char key[GC_KEY_LEN];
	char text[KEY_B64_LEN + 1];

	if (sodium_init() < 0)
		return GC_EXIT_FAIL;
	randombytes_buf(key, sizeof(key));
	sodium_bin2base64(text, sizeof(text), key, sizeof(key), sodium_base64_VARIANT_ORIGINAL);
	puts(text);
	sodium_memzero(key, sizeof(key));
	sodium_memzero(text, sizeof(text));
	return GC_EXIT_OK;
}

int gc_cmd_key(struct gcctl *c, int argc, char **argv)
{
	static const struct {
		const char *name;
		uint8_t cmd;
	} ops[] = {
		{"add", GC_CMD_KEY_ADD},
		{"use", GC_CMD_KEY_USE},
		{"del", GC_CMD_KEY_DEL},
	};
	unsigned char key[GC_KEY_LEN];
	char buf[GC_NL_BUFSZ];
	struct gc_nl_error e;
	struct nlmsghdr *req;
	size_t i;
	int ret;

	c->what = "key";
	if (argc == 1 && !strcmp(argv[0], "generate"))
		return key_generate();
	if (argc != 2)
		return gc_usage_error("usage: gcctl key generate | key add|use|del FILE");
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(argv[0], ops[i].name))
			break;
	if (i == sizeof(ops) / sizeof(ops[0]))
		return gc_usage_error("unknown command 'key %s' (generate, add, use, del)",
				      argv[0]);
	ret = read_key(argv[1], key);
	if (ret == -EINVAL)
		return gc_fail(
			c, "%s: not a key (44 characters of base64, as gcctl key generate prints)",
			argv[1]);
	if (ret < 0)
		return gc_fail(c, "%s: %s", argv[1], strerror(-ret));
	req = gc_request(c, buf, ops[i].cmd, 0);
	if (!req)
		return GC_EXIT_FAIL;
	mnl_attr_put(req, GC_A_KEY, sizeof(key), key);
	sodium_memzero(key, sizeof(key));
	ret = gc_nl_talk(&c->nl, req, NULL, NULL, &e);
	sodium_memzero(buf, sizeof(buf));
	if (ret < 0)
		return gc_fail_nl(c, &e);
	return GC_EXIT_OK;
}
