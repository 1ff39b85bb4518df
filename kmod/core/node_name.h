/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _GC_CORE_NODE_NAME_H
#define _GC_CORE_NODE_NAME_H

#include "platform.h"

/* Shown to the user with every refused name, by the kernel and by tools. */
#define GC_NODE_NAME_RULE "1 to 63 characters of A-Z a-z 0-9 . _ -"

bool gc_node_name_valid(const char *name, size_t len);

#endif /* _GC_CORE_NODE_NAME_H */
