#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot 2 of tests/vm/poweroff.sh, after the power cut, on the same disk:
#
#   poweroff_boot2.sh EXPECT
#
# EXPECT has a line "I H HASH" per node: the highest height node I's gcd
# logged committed in boot 1 and the first 16 hex digits of that block's
# hash. Each ledger must be intact and hold that block; then 3 gcds
# restart and commit 20 new transactions, the fourth catches up and all go on. Prints
# ok / not ok lines numbered from 1 and no plan: poweroff.sh renumbers them
# into its own stream, planned for exactly 21 of them (keep the two in step).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../selftests/lib.sh"
. "$here/../selftests/cluster_lib.sh"
. "$here/../selftests/chain_lib.sh"

V=4
EXPECT=$1
CW=/tmp/state
trap 'dump_logs; gcd_stop_all; cluster_destroy; umount "$CW" 2>/dev/null' EXIT

# holds_logged I: node I's ledger reaches the height its gcd logged
# committed in boot 1, and holds that very block there.
holds_logged() {
	local i=$1 h want got
	read -r h want < <(awk -v i="$i" '$1 == i { print $2, $3 }' "$EXPECT")
	[ -n "$h" ] || { echo "no expectation for node$i in $EXPECT"; return 1; }
	at_least "$i" "$h" || return 1
	got=$(gcctl -j block "$h" dir "$CW/n$i" | jq -r .hash) || return 1
	[ "${got:0:16}" = "$want" ] || { echo "block $h is $got, gcd logged $want"; return 1; }
	echo "logged $h ($want), on disk $(height "$i")"
}

# no_evidence I...: node I's ledger accuses nobody. Every validator here
# is honest: a restart that resends what it signed must not look like a
# double vote (its engine counting a message its guard refused did).
no_evidence() {
	local i e
	for i in "$@"; do
		e=$(chain_json "$i" | jq .evidence)
		[ "$e" = 0 ] || { echo "node$i recorded $e evidence"; return 1; }
	done
}

# logged_all PATTERN I...: every node I's gcd logged a line matching PATTERN.
logged_all() {
	local pattern=$1 i
	shift
	for i in "$@"; do logged "$i" "$pattern" || return 1; done
}

mkdir -p "$CW" && mount -t ext4 /dev/vda "$CW" || { echo "not ok 1 mount the state disk"; exit 1; }
# Boot 1's logs may end in a torn line: new logs, the old ones kept beside.
for i in $(seq $V); do mv "$CW/log$i" "$CW/boot1-log$i" 2>/dev/null; done

# --- what the power cut left: 2 checks a node ---
for i in $(seq $V); do
	ok "node$i: gcd verify after the power cut: every link, certificate and signature" verify_all "$i"
	ok "node$i: no committed block lost: the last one its gcd logged is on disk" holds_logged "$i"
done
ok "the 4 ledgers agree up to the lowest height among them" same_at 1 2 3 4

# --- the node catches up and continues ---
# Namespaces went with the VM: the same names and addresses again.
cluster_create $V
cluster_up $V >/dev/null
ok "the cluster is back: 4 nodes see each other" within 60 all_see $V alive $V
# Three first: they must commit without node4, which restarted in the round
# it had signed in (a node alone in a later round stalls the other three),
# then node4 catches up from them and goes on.
for i in 1 2 3; do gcd_start "$i" >/dev/null; done
ok "3 gcds restart on the same state dirs, node4's stays down" \
	logged_all "up: head at height [1-9]" 1 2 3
# shellcheck disable=SC2046 # the two node numbers boot 1 kept
ok "the two that signed in the undecided height, its proposer first, resume it" \
	logged_all "signed up to step [23] of round 0 before a restart" $(cat "$CW/signers")
gcd key --key /tmp/after.key >/dev/null
: >"$CW/after-ids"
for k in $(seq 20); do
	gcd tx -n "$(node $((k % 3 + 1)))" --key /tmp/after.key --genesis "$CW/genesis.json" \
		"after the power cut $k" >>"$CW/after-ids"
done
ok "20 new transactions submitted" test "$(grep -c '' "$CW/after-ids")" = 20
for i in 1 2 3; do
	ok "all 20 committed on node$i, with node4 still down" \
		within 240 all_committed "$CW/after-ids" "$i"
done
gcd_start 4 >/dev/null
ok "node4's gcd starts and catches up: all 20 committed on node4" \
	within 120 all_committed "$CW/after-ids" 4
: >"$CW/more-ids"
for k in $(seq 5); do
	gcd tx -n "$(node $((k % V + 1)))" --key /tmp/after.key --genesis "$CW/genesis.json" \
		"with node4 back $k" >>"$CW/more-ids"
done
ok "and it goes on: 5 more committed on all 4" within 120 eval \
	'for i in 1 2 3 4; do all_committed "$CW/more-ids" $i || exit 1; done'
ok "one chain: same head on all 4" within 60 same_head 1 2 3 4
ok "gcd verify on every state dir at the end" verify_all 1 2 3 4
ok "no honest validator accused of a double vote on any node" no_evidence 1 2 3 4
t_done
