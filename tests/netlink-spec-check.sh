#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every GC_CMD_* and GC_A_* of uapi/gossipchain.h has its entry, in the same
# order, in docs/netlink/gossipchain.yaml (which spells them in lower case
# with dashes and without the prefix).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
hdr=$top/uapi/gossipchain.h
yaml=$top/docs/netlink/gossipchain.yaml

from_header() {
	sed -n "s/^\t$1\([A-Z0-9_]*\),.*/\1/p" "$hdr" | tr 'A-Z_' 'a-z-'
}
from_yaml() {
	awk -v sect="$1" '
		$0 ~ "^" sect ":" { on = 1; next }
		on && /^[a-z-]+:/ { on = 0 }
		on && /^ +name: / && !/name-prefix/ { print $2 }' "$yaml"
}
want_a=$(from_header GC_A_)
have_a=$(from_yaml attribute-sets | tail -n +2)
want_c=$(from_header GC_CMD_)
have_c=$(from_yaml operations)
[ "$want_a" = "$have_a" ] || { echo "attributes differ:"; diff <(echo "$want_a") <(echo "$have_a"); exit 1; }
[ "$want_c" = "$have_c" ] || { echo "commands differ:"; diff <(echo "$want_c") <(echo "$have_c"); exit 1; }
