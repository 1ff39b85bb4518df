#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every command and attribute of uapi/gossipchain.h has its entry, in the
# same order, in docs/netlink/gossipchain.yaml (which spells them in lower
# case with dashes and without the prefix): GC_CMD_* as operations, GC_A_*
# as attribute set gc, GC_EP_*, GC_P_*, GC_STAT_* and GC_AGG_A_* as the
# nested sets endpoint, params, stats and agg.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
hdr=$top/uapi/gossipchain.h
yaml=$top/docs/netlink/gossipchain.yaml

# from_header PREFIX: the enum's names in order, GC_x_UNSPEC (0) left out.
from_header() {
	sed -n "s/^\t$1\([A-Z0-9_]*\)[, =].*/\1/p" "$hdr" | grep -v '^UNSPEC$' |
		tr 'A-Z_' 'a-z-'
}
# from_set NAME: the attribute names of set NAME, in order.
from_set() {
	awk -v set="$1" '
		/^[a-z-]+:/ { top = $1 }
		top != "attribute-sets:" { next }
		/^    name: / { cur = $2; next }
		cur != set { next }
		/^        name: / { print $2 }
		/^      - \{ name: / { sub(/,$/, "", $4); print $4 }' "$yaml" | grep -v '^unspec$'
}
from_ops() {
	awk '
		/^[a-z-]+:/ { top = $1 }
		top == "operations:" && /^      name: / { print $2 }' "$yaml" | grep -v '^unspec$'
}
check() {
	[ "$2" = "$3" ] || { echo "$1 differ (uapi header, then YAML):"; diff <(echo "$2") <(echo "$3"); exit 1; }
}
check "attributes" "$(from_header GC_A_)" "$(from_set gc)"
check "endpoint attributes" "$(from_header GC_EP_)" "$(from_set endpoint)"
check "parameters" "$(from_header GC_P_)" "$(from_set params)"
check "statistics" "$(from_header GC_STAT_)" "$(from_set stats)"
check "aggregate attributes" "$(from_header GC_AGG_A_)" "$(from_set agg)"
check "commands" "$(from_header GC_CMD_)" "$(from_ops)"
