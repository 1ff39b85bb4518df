#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The ledger on 4 validators (nodes 1-4, one gcd each) and a fifth node with
# no gcd that plays the adversary: 1,000 transactions at random nodes are
# committed once each, in nonce order, into byte-identical chains; forged
# transactions, proposals, votes and packets are rejected and not
# forwarded, a double vote is recorded as evidence; kill -9 in a stream of
# commits loses nothing; with 1 of 4 down blocks commit, with 2 of 4 down
# none does until one returns; a 2/2 partition heals without a fork;
# membership events are in the chain.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/cluster_lib.sh"
. "$here/chain_lib.sh"

N=5
V=4
CW=$(mktemp -d)
G=$CW/genesis.json
trap 'dump_logs; gcd_stop_all; cluster_destroy; rm -rf "$CW"' EXIT

# submit I KEY ARGS...: gcd tx on node I; appends "id nonce N" to $CW/ids.
submit() {
	local i=$1 key=$2
	shift 2
	gcd tx -n "$(node "$i")" --key "$key" --genesis "$G" "$@" | tee -a "$CW/ids"
}

# evidence_on I...: each node I recorded evidence.
evidence_on() {
	local i e
	for i in "$@"; do
		e=$(chain_json "$i" | jq .evidence)
		[ "${e:-0}" -ge 1 ] || { echo "node$i has no evidence"; return 1; }
	done
}

# one_of_three_refused A B C I...: of three conflicting votes, each node I
# holds two (the first, and the second as evidence) and rejected the third.
one_of_three_refused() {
	local i id held rejected
	for i in "${@:4}"; do
		held=0 rejected=0
		for id in "$1" "$2" "$3"; do
			[ "$(item_state "$i" "$id")" = held ] && held=$((held + 1))
			rejected_by "$id" "$i" >/dev/null && rejected=$((rejected + 1))
		done
		[ $held = 2 ] && [ $rejected = 1 ] ||
			{ echo "node$i holds $held and rejected $rejected"; return 1; }
	done
}

# no_stream_from ORIGIN I: node I knows no item stream of ORIGIN.
no_stream_from() {
	[ "$(gcctl -n "$(node "$2")" -j items | jq --arg o "$1" '[.[] | select(.origin == $o)] | length')" = 0 ]
}

# member_event_from NAME EVENT K: K validators committed "member NAME EVENT".
member_event_from() {
	local k
	k=$(chain_blocks 1 | jq -r '.txs[] | select(.kind == "member") | .sender + " " + .payload' |
		grep " member $1 $2 " | cut -d' ' -f1 | sort -u | grep -c '')
	[ "$k" = "$3" ] || { echo "$k validators committed 'member $1 $2', want $3"; return 1; }
}

partition() {
	ip -n gcsw link add br1 type bridge && ip -n gcsw link set br1 up &&
		ip -n gcsw link set p3 master br1 && ip -n gcsw link set p4 master br1
}
heal() {
	ip -n gcsw link set p3 master br0 && ip -n gcsw link set p4 master br0 &&
		ip -n gcsw link del br1
}

plan 46

cluster_create $N
cluster_up $N >/dev/null
ok "5 nodes are up and see each other" within 60 all_see $N alive $N
# The partition below heals in seconds, not in the default 30.
for i in $(seq $N); do gcctl -n "$(node "$i")" set reconnect_ms 2000 >/dev/null; done
# node5, the adversary, pushes what it forges to all 4 validators at once:
# each must judge it (a node that did not get it learns from the others
# that it was rejected, and never asks for it).
gcctl -n gcn5 set item_fanout 4 >/dev/null
ok "keys for 4 validators and a genesis" chain_genesis $V
for i in $(seq $V); do gcd_start "$i" >/dev/null; done
ok "4 gcds are up, each registered as its node's verifier" \
	logged 4 "up: head at height 0, a validator, 4 validators"
ok "gcctl chain: height 0 at the genesis, 4 validators" bash -c \
	"gcctl -j chain dir $CW/n1 | jq -e '.height == 0 and (.validators | length) == 4'"

# --- 1,000 transactions from 10 senders, in chunks of 10 at random nodes ---
for s in $(seq 10); do gcd key --key "$CW/s$s.key" >/dev/null; done
: >"$CW/ids"
for round in $(seq 10); do
	for s in $(seq 10); do
		seq 10 | sed "s/^/sender $s round $round tx /" |
			submit $((RANDOM % N + 1)) "$CW/s$s.key" - >/dev/null
	done
done
ok "1000 transactions submitted" test "$(grep -c '' "$CW/ids")" = 1000
ok "all 1000 are committed" within 240 all_committed "$CW/ids"
ok "each once, and each sender's in nonce order" in_nonce_order 1 1000
ok "the 4 chains are the same: same height and head hash" within 30 same_head 1 2 3 4
ok "gcd verify on every state dir: every link, certificate and signature" verify_all 1 2 3 4
ok "gcctl tx: committed at a height, with sender and nonce" bash -c \
	"gcctl tx $(head -n 1 "$CW/ids" | cut -d' ' -f1) dir $CW/n3 | grep -Eq '^committed at height [0-9]+'"
ok "gcctl block: block 1 is the same on every node" same_block 1 1 2 3 4
ok "... and certified by 3 or 4 precommits" bash -c \
	"gcctl -j block 1 dir $CW/n2 | jq -e '(.commit | length) >= 3'"

# --- forged inputs, put by node5 (no gcd there: its kernel forwards anything) ---
gcd key --key "$CW/mallory.key" >/dev/null
gcforge tx "$G" "$CW/mallory.key" 1 "forged signature" badsig >"$CW/f-badsig"
id=$(put_item 5 1 "$CW/f-badsig")
ok "a transaction with a bad signature is rejected by every validator" \
	within 30 rejected_by "$id" 1 2 3 4
ok "gcctl tx gives the reason: bad signature" bash -c \
	"gcctl tx $id dir $CW/n2 | grep -q 'rejected: bad signature'"

gcforge tx "$G" "$CW/s1.key" 5 "replay of nonce 5" >"$CW/f-replay"
id=$(put_item 5 1 "$CW/f-replay")
ok "a replayed nonce is rejected by every validator" within 30 rejected_by "$id" 1 2 3 4
ok "gcctl tx gives the reason: replayed nonce" bash -c \
	"gcctl -n gcn1 tx $id dir $CW/n1 | grep -q 'rejected: replayed nonce'"

gcforge tx "$G" "$CW/mallory.key" 1 "content under another id" >"$CW/f-wrongid"
bad0=$(gcctl -n gcn1 -j stats | jq .items_bad_id)
ip netns exec "$(node 5)" gcforge packet "$GC_SUBNET.1" 7947 mallory 1 "$CW/f-wrongid"
ok "an item whose id is not its content's hash is dropped by the kernel, counted" \
	within 10 bash -c "[ \$(gcctl -n gcn1 -j stats | jq .items_bad_id) -gt $bad0 ]"
ok "... and never held (no stream from its origin)" no_stream_from mallory 1

next=$(($(height 1) + 1))
proposer=$((next % V + 1))   # validator index (height + round) % n, node index + 1
other=$((proposer % V + 1))
gcforge proposal "$CW/n1" "$CW/n$other/node.key" 0 proposer >"$CW/f-proposer"
id=$(put_item 5 2 "$CW/f-proposer")
ok "a block proposed by a validator that is not the proposer is rejected" \
	within 30 rejected_by "$id" 1 2 3 4
ok "... for that reason" logged 1 "rejected: not the proposer"
gcforge proposal "$CW/n1" "$CW/n$proposer/node.key" 0 badroot >"$CW/f-root"
id=$(put_item 5 2 "$CW/f-root")
ok "a block with a bad Merkle root is rejected, even from the proposer" \
	within 30 rejected_by "$id" 1 2 3 4
ok "... for that reason" logged 1 "rejected: tx_root is not the Merkle root"
gcforge vote "$CW/n1" "$CW/mallory.key" prevote 0 nil 0 >"$CW/f-vote"
id=$(put_item 5 3 "$CW/f-vote")
ok "a vote signed by a non-validator (as validator 0) is rejected" \
	within 30 rejected_by "$id" 1 2 3 4
ok "... for its signature" logged 1 "rejected: bad signature"
ok "no forged item made a validator's chain differ" same_head 1 2 3 4

# --- kill -9 during a stream of commits ---
gcd key --key "$CW/stream.key" >/dev/null
(for k in $(seq 150); do echo "stream $k"; sleep 0.05; done) |
	gcd tx -n gcn1 --key "$CW/stream.key" --genesis "$G" - >"$CW/stream-ids" &
streamer=$!
sleep 4
gcd_kill 2
logged_top=$(grep -o 'committed height [0-9]*' "$CW/log2" | tail -n 1 | awk '{ print $3 }')
ok "gcd on node2 killed (-9) mid-stream, after committing blocks" test "${logged_top:-0}" -gt 0
ok "every block it reported committed is on its disk" at_least 2 "${logged_top:-1}"
ok "its ledger is intact (gcd verify while it is down)" verify_all 2
gcd_start 2 >/dev/null
wait $streamer
ok "restarted, it catches up: all 150 stream transactions committed on node2" \
	within 120 all_committed "$CW/stream-ids" 2
ok "and it goes on with the others: same head on all 4" within 60 same_head 1 2 3 4

# --- 1 of 4 down; a double vote with its (stolen) key ---
gcd_stop 4
st=$?
ok "SIGTERM stops gcd cleanly (exit 0, stopped logged)" \
	eval "[ $st = 0 ] || { echo exit $st; false; } && logged 4 'stopped: [0-9]+ blocks'"
ok "it kept its Tendermint lock on disk before its precommits" \
	eval "logged 4 ' [1-9][0-9]* locks kept' && [ -s $CW/n4/lock-a ] && [ -s $CW/n4/lock-b ]"
: >"$CW/ids"
for k in $(seq 20); do submit $((k % 3 + 1)) "$CW/s2.key" "with node4 down $k" >/dev/null; done
ok "with 1 of 4 validators down, blocks still commit" within 120 all_committed "$CW/ids"
# The double vote goes to a height whose round-0 proposer is node4 (down):
# its first vote starts the height everywhere, and no proposal can decide
# it before the other two arrive (they would then be stale, not evidence).
for _ in 1 2 3 4; do
	[ $(($(height 1) % V)) = 2 ] && break   # next = height + 1; (next + 0) % 4 = 3
	: >"$CW/one"
	submit 1 "$CW/s2.key" "to the height node4 proposes" >"$CW/one"
	within 60 all_committed "$CW/one" >/dev/null
done
next=$(($(height 1) + 1))
for h in aa bb cc; do
	gcforge vote "$CW/n1" "$CW/n4/node.key" prevote 0 "$(printf "$h%.0s" $(seq 32))" >"$CW/f-dv-$h"
done
# One put of all three: they travel back to back.
gcctl -n gcn5 -j item put type 3 "$CW/f-dv-aa" "$CW/f-dv-bb" "$CW/f-dv-cc" |
	jq -r '.[].id' >"$CW/dv-ids"
a=$(sed -n 1p "$CW/dv-ids")
b=$(sed -n 2p "$CW/dv-ids")
c=$(sed -n 3p "$CW/dv-ids")
ok "node4 votes three ways at height $next (its own to propose): evidence on every validator" \
	within 30 evidence_on 1 2 3
ok "the first two are relayed (the second is the evidence), the third refused" \
	within 30 one_of_three_refused "$a" "$b" "$c" 1 2 3
ok "gcctl chain counts the evidence" bash -c "gcctl chain dir $CW/n1 | grep -q 'evidence records: [1-9]'"

# --- 2 of 4 down: no block; one back: blocks again ---
gcd_stop 3
sleep 2
top=$(height 1)
: >"$CW/ids"
for k in $(seq 5); do submit $((k % 2 + 1)) "$CW/s3.key" "with two down $k" >/dev/null; done
ok "with 2 of 4 down, no block commits for 15 s (safety)" stays_at 15 "$top" 1 2
ok "gcctl tx: the waiting transactions are pending" bash -c \
	"gcctl -n gcn1 tx $(head -n 1 "$CW/ids" | cut -d' ' -f1) dir $CW/n1 | grep -q '^pending'"
gcd_start 3 >/dev/null
ok "node3 back: commits resume, the 5 transactions are committed" \
	within 120 all_committed "$CW/ids"
gcd_start 4 >/dev/null
ok "node4 back: it catches up, same head on all 4" within 120 same_head 1 2 3 4

# --- a 2/2 partition heals without a fork ---
partition
sleep 2
top=$(height 1)
: >"$CW/ids"
for k in $(seq 4); do
	submit 1 "$CW/s4.key" "left side $k" >/dev/null
	submit 3 "$CW/s5.key" "right side $k" >/dev/null
done
ok "partitioned 2/2: neither side commits for 15 s" stays_at 15 "$top" 1 2 3 4
heal
ok "healed: the transactions of both sides are committed" within 180 all_committed "$CW/ids"
ok "one chain: same head on all 4" within 60 same_head 1 2 3 4

# --- membership events are transactions ---
gcctl -n gcn5 down
ok "node5 goes down: each validator commits 'member node5 dead'" \
	within 120 member_event_from node5 dead 4
ok "gcd verify on every state dir after it all" verify_all 1 2 3 4
ok "one chain at the end" within 60 same_head 1 2 3 4
