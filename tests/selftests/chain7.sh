#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The ledger on 7 validators, 6 of them running, with a block as soon as
# the last is committed (empty ones too): 1,000 transactions at random
# nodes are committed once each into byte-identical chains; with 2 of 7
# down blocks still commit, with 3 of 7 down none does until one returns;
# after 500 blocks the seventh validator starts with an empty state dir,
# catches up to the head and then signs new blocks' certificates.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/cluster_lib.sh"
. "$here/chain_lib.sh"

N=7
CW=$(mktemp -d)
trap 'dump_logs; gcd_stop_all; cluster_destroy; rm -rf "$CW"' EXIT
# Blocks back to back: the 500 blocks come in minutes even under TCG.
GCD_OPTS="--empty-block-ms 1 --commit-ms 0 --propose-ms 300 --delta-ms 200 --no-member-txs"

# signed_by I H NAME: block H of node I's chain has NAME's precommit in its certificate.
signed_by() {
	gcctl -j block "$2" dir "$CW/n$1" | jq -e --arg n "$3" '.commit | index($n)' >/dev/null
}

# node7_signs: a block after node7 caught up is certified with node7's precommit.
node7_signs() {
	local top h
	top=$(height 7)
	for h in $(seq "$((top > 5 ? top - 5 : 1))" "$top"); do
		signed_by 7 "$h" node7 && return 0
	done
	echo "none of blocks $((top - 5))..$top has node7's precommit"
	return 1
}

plan 15

cluster_create $N
cluster_up $N >/dev/null
ok "7 nodes are up and see each other" within 60 all_see $N alive $N
ok "keys for 7 validators and a genesis" chain_genesis $N
for i in $(seq 6); do gcd_start "$i" >/dev/null; done
ok "6 of the 7 validators run gcd" logged 6 "up: head at height 0, a validator, 7 validators"

# --- 1,000 transactions from 10 senders, 100 each at a random node ---
for s in $(seq 10); do gcd key --key "$CW/s$s.key" >/dev/null; done
: >"$CW/ids"
for s in $(seq 10); do
	seq 100 | sed "s/^/sender $s tx /" |
		gcd tx -n "$(node $((RANDOM % 6 + 1)))" --key "$CW/s$s.key" \
			--genesis "$CW/genesis.json" - >>"$CW/ids"
done
ok "1000 transactions submitted" test "$(grep -c '' "$CW/ids")" = 1000
ok "all 1000 are committed" within 300 all_committed "$CW/ids"
ok "each once, in nonce order per sender" in_nonce_order 1 1000
ok "the 6 chains are the same block for block" same_at 1 2 3 4 5 6

# --- 2 of 7 down (node7 never started, node6 stopped): 5 = the quorum ---
gcd_stop 6
top=$(height 1)
ok "with 2 of 7 down, blocks still commit" within 60 all_at_least $((top + 20)) 1 2 3 4 5

# --- 3 of 7 down: nothing; one back: blocks again ---
gcd_stop 5
sleep 2
top=$(height 1)
ok "with 3 of 7 down, no block commits for 15 s (safety)" stays_at 15 "$top" 1 2 3 4
gcd_start 5 >/dev/null
gcd_start 6 >/dev/null
ok "nodes 5 and 6 back: blocks commit again" within 120 all_at_least $((top + 10)) 1 2 3 4 5 6

# --- the seventh validator joins after 500 blocks ---
ok "the chain passes 500 blocks" within 600 at_least 1 500
gcd_start 7 >/dev/null
ok "node7 starts with an empty state dir and catches up to the head" \
	within 300 eval 'at_least 7 "$(height 1)"'
ok "then validates: a new block's certificate holds node7's precommit" within 120 node7_signs
# Stopped first: 7 daemons making blocks back to back leave verify no CPU.
gcd_stop_all
ok "the 7 chains are the same block for block" same_at 1 2 3 4 5 6 7
ok "gcd verify on every state dir" verify_all 1 2 3 4 5 6 7
t_done
