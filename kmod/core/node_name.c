// SPDX-License-Identifier: GPL-2.0
/*
 * Member names travel in every membership message and end up in logs, JSON
 * and the ledger's audit transactions, so they are restricted to characters
 * that need no quoting anywhere, as hostnames are.
 */
#include "node_name.h"
#include "../../uapi/gossipchain.h"

bool gc_node_name_valid(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || len >= GC_NODE_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}
