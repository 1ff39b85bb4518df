// SPDX-License-Identifier: GPL-2.0
/*
 * The node key file: see keys.h. read(2) and write(2), not stdio, so no
 * library buffer keeps a copy of the seed.
 */
#include "keys.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

void gcd_key_wipe(struct gcd_key *k)
{
	sodium_memzero(k, sizeof(*k));
}

int gcd_key_load(const char *path, struct gcd_key *k, char *err, size_t errlen)
{
	char text[GCD_KEY_B64_LEN + 2];
	uint8_t seed[GCD_SEED_LEN];
	size_t n = 0, bin_len = 0;
	struct stat st;
	ssize_t r;
	int fd, rc = -1;

	if (sodium_init() < 0)
		return fail(err, errlen, "libsodium does not initialize");
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st)) {
		fail(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		fail(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	if (st.st_uid != geteuid()) {
		fail(err, errlen, "%s: owned by uid %u, not by this user (%u)", path,
		     (unsigned int)st.st_uid, (unsigned int)geteuid());
		goto out;
	}
	if (st.st_mode & 077) {
		fail(err, errlen,
		     "%s: mode %03o gives group or others access to the secret key; "
		     "chmod 600 it (and consider it leaked)",
		     path, (unsigned int)(st.st_mode & 0777));
		goto out;
	}
	/* One byte more than a key with its newline: longer files are refused. */
	while (n < sizeof(text) && (r = read(fd, text + n, sizeof(text) - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fail(err, errlen, "%s: %s", path, strerror(errno));
			goto out;
		}
		n += (size_t)r;
	}
	if (n == GCD_KEY_B64_LEN + 1 && text[GCD_KEY_B64_LEN] == '\n')
		n--;
	if (n != GCD_KEY_B64_LEN ||
	    sodium_base642bin(seed, sizeof(seed), text, n, NULL, &bin_len, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    bin_len != GCD_SEED_LEN) {
		fail(err, errlen, "%s: not a node key (44 characters of base64 and a newline)",
		     path);
		goto out;
	}
	crypto_sign_seed_keypair(k->pub, k->sk, seed);
	rc = 0;
out:
	sodium_memzero(text, sizeof(text));
	sodium_memzero(seed, sizeof(seed));
	close(fd);
	return rc;
}

int gcd_key_create(const char *path, struct gcd_key *k, char *err, size_t errlen)
{
	char text[GCD_KEY_B64_LEN + 2];
	uint8_t seed[GCD_SEED_LEN];
	char tmp[PATH_MAX];
	int fd, e, rc = -1;

	if (sodium_init() < 0)
		return fail(err, errlen, "libsodium does not initialize");
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= sizeof(tmp))
		return fail(err, errlen, "%s: %s", path, strerror(ENAMETOOLONG));
	/*
	 * mkstemp: O_RDWR | O_CREAT | O_EXCL with mode 0600, which a umask can
	 * only narrow (the fchmod below restores owner read and write): at no
	 * moment can group or others read it.
	 */
	fd = mkstemp(tmp);
	if (fd < 0)
		return fail(err, errlen, "%s: %s", tmp, strerror(errno));
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	randombytes_buf(seed, sizeof(seed));
	sodium_bin2base64(text, sizeof(text), seed, sizeof(seed), sodium_base64_VARIANT_ORIGINAL);
	text[GCD_KEY_B64_LEN] = '\n';
	if (fchmod(fd, 0600) || gcd_write_all(fd, text, GCD_KEY_B64_LEN + 1) || fsync(fd)) {
		e = errno;
		close(fd);
		unlink(tmp);
		fail(err, errlen, "%s: %s", tmp, strerror(e));
		goto out;
	}
	if (close(fd)) {
		e = errno;
		unlink(tmp);
		fail(err, errlen, "%s: %s", tmp, strerror(e));
		goto out;
	}
	/* link() never replaces: an existing node.key stays and EEXIST says so. */
	if (link(tmp, path)) {
		e = errno;
		unlink(tmp);
		fail(err, errlen, "%s: %s", path, strerror(e));
		errno = e;
		goto out;
	}
	unlink(tmp);
	if (gcd_fsync_dir_of(path)) {
		fail(err, errlen, "%s: fsync of its directory: %s", path, strerror(errno));
		goto out;
	}
	crypto_sign_seed_keypair(k->pub, k->sk, seed);
	rc = 0;
out:
	sodium_memzero(text, sizeof(text));
	sodium_memzero(seed, sizeof(seed));
	return rc;
}

int gcd_key_load_or_create(const char *dir, struct gcd_key *k, bool *created, char *err,
			   size_t errlen)
{
	char path[PATH_MAX];
	struct stat st;

	*created = false;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, GCD_KEY_FILE) >= sizeof(path))
		return fail(err, errlen, "%s: %s", dir, strerror(ENAMETOOLONG));
	if (lstat(path, &st) == 0)
		return gcd_key_load(path, k, err, errlen);
	if (errno != ENOENT)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	if (gcd_key_create(path, k, err, errlen) == 0) {
		*created = true;
		return 0;
	}
	/* Another process made it between lstat() and link(): use that one. */
	if (errno == EEXIST)
		return gcd_key_load(path, k, err, errlen);
	return -1;
}
