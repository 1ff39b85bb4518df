/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fresh directory under /tmp for a test's state files, and its removal.
 * template is a mkdtemp(3) pattern ending in XXXXXX, rewritten in place.
 */
#ifndef GCD_TEST_TMPDIR_H
#define GCD_TEST_TMPDIR_H

#include <stdio.h>
#include <stdlib.h>

#define TMPDIR_UNUSED __attribute__((unused))

static TMPDIR_UNUSED char *tmpdir_make(char *template)
{
	return mkdtemp(template);
}

static TMPDIR_UNUSED void tmpdir_remove(const char *dir)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		return;
}

#endif
