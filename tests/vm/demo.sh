#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What `make demo` shows inside the VM: eight hosts (network namespaces on a
# bridge) form a gossipchain cluster in the kernel, an item put on one host
# reaches all of them through their kernels, the hosts publish a value and
# agree on its cluster-wide average, sum and count, one host's link is cut
# and every other host detects it, the link returns and the host is alive
# again, another host leaves gracefully. Hosts 1-4 run gcd, the ledger
# daemon: transactions submitted at any host are verified, ordered by
# Tendermint over the kernels' gossip and committed into the same chain on
# each, and the member events become transactions too. Default parameters.
set -u
. "$GC_TOP/tests/selftests/cluster_lib.sh"
. "$GC_TOP/tests/selftests/chain_lib.sh"
N=8
work=$(mktemp -d)
CW=$work
mon=
trap '[ -z "$mon" ] || kill $mon 2>/dev/null; gcd_stop_all; cluster_destroy; rm -rf "$work"' EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$'; printf ' %q' "$@"; printf '\n'; "$@"; }
now() { date +%s.%N; }
since() { printf '%.1f' "$(echo "$(now) - $1" | bc)"; }
stamp() { date -u +%H:%M:%S.%3N; }

say "gossipchain.ko is loaded in a VM running Debian's $(uname -r) kernel"
run gcctl status

say "Eight hosts: one network namespace each (10.99.0.1-8), on one bridge"
cluster_create $N
gcctl key generate >"$work/cluster.key"
echo "cluster key: $work/cluster.key (every packet sealed with XChaCha20-Poly1305)"
for i in $(seq $N); do gcctl -n "$(node "$i")" key add "$work/cluster.key"; done
run gcctl -n gcn1 node show

say "Each host brings its node up and joins through node1"
t0=$(now)
# Each host publishes a value before it comes up (kept while down): the
# push-sum demo below. Epochs of 24 rounds (12 s) instead of 40, to show it
# sooner.
for i in $(seq $N); do
	gcctl -n "$(node "$i")" set agg_epoch_rounds 24
	gcctl -n "$(node "$i")" agg set load "$(echo "$i * 0.25" | bc)"
done
for i in $(seq $N); do gcctl -n "$(node "$i")" up; done
for i in $(seq 2 $N); do run gcctl -n "$(node "$i")" join 10.99.0.1; done
until all_see $N alive $N >/dev/null; do sleep 0.2; done
echo "all $N nodes see all $N members alive after $(since "$t0") s"
run gcctl -n gcn1 members

say "Items: node1 puts one; every kernel that gets it pushes it on at once"
for i in $(seq $N); do
	gcctl -n "$(node "$i")" -j monitor items >"$work/it$i.json" 2>/dev/null &
	mon="$mon $!"
done
sleep 1
t_put=$(now)
id=$(echo "the first item of the demo" | gcctl -n gcn1 -j item put - | jq -r .id)
echo "put on node1: id $id"
held_all() {
	local i
	for i in $(seq $N); do
		grep -q "\"held\".*$id\|$id.*\"held\"" "$work/it$i.json" || return 1
	done
}
until held_all; do sleep 0.1; done
t_items=$(for i in $(seq $N); do
	jq -r --arg id "$id" 'select(.id == $id and .event == "held") | "\(.time) \(.hops)"' \
		"$work/it$i.json" | head -n 1
done)
spread=$(echo "$t_items" | while read -r t h; do date -d "$t" +%s.%N; done |
	awk -v t="$t_put" '{ d = $1 - t; if (d > m) m = d } END { printf "%.0f", m * 1000 }')
hops=$(echo "$t_items" | awk '{ print $2 }' | sort -n | tail -n 1)
echo "held by all $N nodes $spread ms after the put, at most $hops hops from node1"
echo "(each kernel forwards a new item to item_fanout = 3 random members from its"
echo " receive path; anti-entropy every second repairs what pushes miss)"
run gcctl -n gcn6 item get "$id"
run gcctl -n gcn6 items

say "Aggregates: each host published its load (node i: i * 0.25) before it came up"
echo "true values: average 1.125, sum 9, 8 nodes, min 0.25, max 2; push-sum in the kernels,"
echo "every 500 ms half of each node's mass to a random member, restarted every 24 rounds"
until gcctl -n gcn3 -j agg | jq -e '.valid and .epoch >= 3' >/dev/null; do sleep 1; done
run gcctl -n gcn3 agg
agg_line=$(gcctl -n gcn3 -j agg | jq -r '"average \(.metrics[0].avg), sum \(.metrics[0].sum), \(.nodes) nodes (epoch \(.epoch - 1), as node3 reports it)"')

say "The ledger: gcd on hosts 1-4, the validators of a new chain"
for i in 1 2 3 4; do gcd key --state-dir "$work/n$i" >"$work/n$i.pub"; done
run gcd genesis --out "$work/genesis.json" --chain-id demo \
	node1="$(cat "$work/n1.pub")" node2="$(cat "$work/n2.pub")" \
	node3="$(cat "$work/n3.pub")" node4="$(cat "$work/n4.pub")"
for i in 1 2 3 4; do gcd_start "$i" || { echo "gcd on node$i did not start"; exit 1; }; done
echo "gcd -n gcn<i> --state-dir DIR --genesis genesis.json: up on node1-4 (registered as"
echo "their kernels' verifiers: no transaction, proposal or vote is forwarded unchecked)"
gcd key --key "$work/alice.key" >/dev/null
echo "alice signs 10 transactions and submits each at a random host (1-8):"
t_tx0=$(now)
: >"$work/txs"
for k in $(seq 10); do
	h=$((RANDOM % N + 1))
	gcd tx -n "$(node "$h")" --key "$work/alice.key" --genesis "$work/genesis.json" \
		"alice pays bob $k" | sed "s/^/  at node$h: /" | tee -a "$work/txs"
done
sed -i 's/^  at node[0-9]*: //' "$work/txs"
for _ in $(seq 600); do
	all_committed "$work/txs" 1 >/dev/null && all_committed "$work/txs" 3 >/dev/null && break
	sleep 0.2
done
t_txs=$(since "$t_tx0")
echo "all 10 committed on node1 and node3 $t_txs s after the first was submitted"
run gcctl tx "$(tail -n 1 "$work/txs" | cut -d' ' -f1)" dir "$work/n2"
run gcctl chain dir "$work/n1"
run gcctl chain dir "$work/n3"
head1=$(head_hash 1)
head3=$(head_hash 3)
h1=$(height 1)
run gcctl block "$h1" dir "$work/n4"

say "node1's events, as they happen (gcctl monitor, UTC timestamps)"
# Not a pipeline: $! must be gcctl itself, or killing it would leave the
# pipeline's other half (and `wait` for the whole job) behind.
gcctl -n gcn1 monitor 2>/dev/null > >(sed -u 's/^/    node1 | /') &
mon="$mon $!"
# Every node's events as JSON, for the timings below.
for i in $(seq $N); do
	gcctl -n "$(node "$i")" -j monitor >"$work/ev$i.json" 2>/dev/null &
	mon="$mon $!"
done
sleep 1

say "$(stamp) cutting node8's link (its switch port goes down)"
t_cut=$(now)
ip -n gcsw link set p8 down
until all_say $N node8 dead 8 >/dev/null; do sleep 0.2; done
sleep 0.5
# epoch seconds of the first EVENT about NAME in monitor file F
first_event() {
	jq -r --arg e "$2" --arg n "$3" 'select(.event == $e and .name == $n) | .time' "$1" |
		head -n 1 | xargs -r -I{} date -d {} +%s.%N
}
detect=$(for i in $(seq 7); do
	printf '%s %s\n' "$(first_event "$work/ev$i.json" suspect node8)" \
		"$(first_event "$work/ev$i.json" dead node8)"
done)
t_suspect=$(echo "$detect" | awk -v t="$t_cut" '{ print $1 - t }' | sort -n | head -n 1)
t_dead_first=$(echo "$detect" | awk -v t="$t_cut" '{ print $2 - t }' | sort -n | head -n 1)
t_dead=$(echo "$detect" | awk -v t="$t_cut" '{ print $2 - t }' | sort -n | tail -n 1)
printf 'first suspicion after %.1f s; declared dead by the first node after %.1f s, by all 7 after %.1f s\n' \
	"$t_suspect" "$t_dead_first" "$t_dead"
echo "(a failed probe, then ping-reqs through 3 other nodes, then suspicion for a time"
echo " Lifeguard shortens as other members confirm; the timings come from every node's events)"
run gcctl -n gcn2 members

say "$(stamp) node8's link is back"
t_back=$(now)
ip -n gcsw link set p8 up
until all_say $N node8 alive >/dev/null; do sleep 0.2; done
t_alive=$(since "$t_back")
echo "node8 refuted its death with a new incarnation: alive everywhere after $t_alive s"
echo "(it had declared the others dead too and gone quiet: the first reconnect — every"
echo " reconnect_ms, 30 s, a node tries one member it holds dead, as serf does — told it)"
run gcctl -n gcn1 members

say "$(stamp) node7 leaves gracefully"
run gcctl -n gcn7 leave
until all_say $N node7 left 7 >/dev/null; do sleep 0.2; done
sleep 1
run gcctl -n gcn7 down
run gcctl -n gcn1 members
kill $mon 2>/dev/null
wait $mon 2>/dev/null
mon=
# node8's own view does not count: cut off, it may declare the others dead.
false_deaths=$(cat "$work"/ev[1-7].json | jq -s '[.[] | select(.event == "dead" and .name != "node8")] | length')

say "The member events are in the chain: each validator signed what it saw"
member_events() {
	chain_blocks 1 | jq -r '.txs[] | select(.kind == "member") | .payload' |
		grep -c "^member $1 $2 "
}
for _ in $(seq 120); do [ "$(member_events node8 dead)" -ge 3 ] && break; sleep 0.5; done
echo "member transactions in node1's chain, by payload (member NAME EVENT INCARNATION):"
chain_blocks 1 | jq -r '.txs[] | select(.kind == "member") | .payload' | sort | uniq -c |
	sed 's/^/  /'
same=$(same_head 1 2 3 4 | sed 's/^height and head: //')

say "What node1's kernel did meanwhile (gcctl stats)"
gcctl -n gcn1 stats | grep -E '^(rx_packets|tx_packets|rx_auth|probes|probe_failures|suspicions|refutations|push_pulls|health|members_|items_(put|sent|held)|digests_sent|agg_rounds)'

say "Summary"
cat <<EOT
  converged:          $N nodes in the kernel of one VM, one namespace each
  an item:            held by all $N nodes $spread ms after its put, at most $hops hops
  push-sum:           $agg_line
  node8 cut:          suspected after $(printf %.1f "$t_suspect") s, dead on all 7 others after $(printf %.1f "$t_dead") s
  node8 back:         alive everywhere after $t_alive s, with a new incarnation
  node7 left:         shown as "left", not "dead"
  false deaths:       $false_deaths (dead events about any node but node8, on the other 7)
  ledger:             10 transactions committed on node1 and node3 $t_txs s after submission;
                      node1 and node3 both at height $h1, head ${head1:0:16}... = ${head3:0:16}...
  audit log:          the validators' "member node8 dead" transactions are in the chain
  one chain:          height and head on all 4 validators at the end: ${same:0:30}...
EOT
