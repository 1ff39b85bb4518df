// SPDX-License-Identifier: GPL-2.0
/* Unit tests for kmod/core/node_name.c: gc_node_name_valid(). */

#include "kselftest_harness.h"

#include <string.h>

#include "core/node_name.h"
#include "gossipchain.h"

/* Checks a NUL-terminated name by its strlen(). */
static bool valid(const char *name)
{
	return gc_node_name_valid(name, strlen(name));
}

TEST(one_char)
{
	EXPECT_TRUE(valid("a"));
	EXPECT_TRUE(valid("Z"));
	EXPECT_TRUE(valid("0"));
	EXPECT_TRUE(valid("."));
	EXPECT_TRUE(valid("_"));
	EXPECT_TRUE(valid("-"));
}

TEST(max_length)
{
	char name[GC_NODE_NAME_MAX + 1];

	memset(name, 'x', sizeof(name));
	/* 63 is the longest name, 64 (GC_NODE_NAME_MAX) is one too many. */
	EXPECT_TRUE(gc_node_name_valid(name, GC_NODE_NAME_MAX - 1));
	EXPECT_FALSE(gc_node_name_valid(name, GC_NODE_NAME_MAX));
	EXPECT_FALSE(gc_node_name_valid(name, GC_NODE_NAME_MAX + 1));
}

TEST(every_allowed_char)
{
	EXPECT_TRUE(valid("abcdefghijklmnopqrstuvwxyz"));
	EXPECT_TRUE(valid("ABCDEFGHIJKLMNOPQRSTUVWXYZ"));
	EXPECT_TRUE(valid("0123456789"));
	EXPECT_TRUE(valid("node-1.example_A"));
	EXPECT_TRUE(valid("..--__"));
}

TEST(empty)
{
	EXPECT_FALSE(gc_node_name_valid("", 0));
	/* A length of 0 refuses even when the bytes would be fine. */
	EXPECT_FALSE(gc_node_name_valid("abc", 0));
}

TEST(forbidden_chars)
{
	EXPECT_FALSE(valid(" "));
	EXPECT_FALSE(valid("a b"));
	EXPECT_FALSE(valid("a/b"));
	EXPECT_FALSE(valid("a:b"));
	EXPECT_FALSE(valid("a@b"));
	EXPECT_FALSE(valid("node\n"));
	EXPECT_FALSE(valid("\tnode"));
	EXPECT_FALSE(valid("a+b"));
	EXPECT_FALSE(valid("a\\b"));
	/* The neighbours of the allowed ranges in ASCII. */
	EXPECT_FALSE(valid("/"));
	EXPECT_FALSE(valid(":"));
	EXPECT_FALSE(valid("@"));
	EXPECT_FALSE(valid("["));
	EXPECT_FALSE(valid("`"));
	EXPECT_FALSE(valid("{"));
	EXPECT_FALSE(valid(","));
}

TEST(forbidden_char_at_each_end)
{
	EXPECT_FALSE(valid("@node"));
	EXPECT_FALSE(valid("node@"));
}

TEST(non_ascii)
{
	/* "é" in UTF-8 is 0xc3 0xa9; a signed char makes 0xc3 negative. */
	EXPECT_FALSE(valid("caf\xc3\xa9"));
	EXPECT_FALSE(gc_node_name_valid("\xc3", 1));
	EXPECT_FALSE(gc_node_name_valid("\x7f", 1));
	EXPECT_FALSE(gc_node_name_valid("\xff", 1));
}

TEST(embedded_nul)
{
	static const char name[] = {'a', 'b', '\0', 'c'};

	EXPECT_TRUE(gc_node_name_valid(name, 2));
	EXPECT_FALSE(gc_node_name_valid(name, 3));
	EXPECT_FALSE(gc_node_name_valid(name, sizeof(name)));
}

TEST(only_len_bytes_are_read)
{
	/* The bytes after len are never looked at: "ab" is checked, not "ab@". */
	EXPECT_TRUE(gc_node_name_valid("ab@", 2));
}

TEST(every_byte_value)
{
	unsigned int c;
	int allowed = 0;

	for (c = 0; c < 256; c++) {
		char s[1] = {(char)c};
		bool expect = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';

		EXPECT_EQ(expect, gc_node_name_valid(s, 1))
		{
			TH_LOG("byte 0x%02x", c);
		}
		allowed += expect;
	}
	EXPECT_EQ(26 + 26 + 10 + 3, allowed);
}

TEST_HARNESS_MAIN
