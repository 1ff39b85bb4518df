#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Items and aggregates on a live cluster of 16 nodes, one network namespace
# each on a bridge, all in the kernel: an item put on one node is held by
# all; a 60 KiB item travels in fragments; a node whose link was down while
# 500 items were put catches up by anti-entropy alone; items a verifier
# rejects go no further than the nodes that got them from their origin; a
# verifier that never answers makes nothing propagate, and once it is gone
# the items flow; 20% loss on every link still reaches every node; the
# push-sum average, sum, count, minimum and maximum agree on every node.
# Who holds what is read from every node's item events (gcctl monitor items).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/cluster_lib.sh"

N=16
work=$(mktemp -d)
pids=()
verifiers=()
# (wait with no pid at all would wait for every child, the monitors too)
stop_verifiers() {
	[ ${#verifiers[@]} != 0 ] || return 0
	kill "${verifiers[@]}" 2>/dev/null
	wait "${verifiers[@]}" 2>/dev/null
	verifiers=()
}
trap 'kill "${pids[@]}" 2>/dev/null; stop_verifiers; cluster_destroy; rm -rf "$work"' EXIT
modprobe sch_netem 2>/dev/null

# put NODE [gcctl item put args...]: puts stdin on node NODE, prints its id.
put() {
	local n=$1
	shift
	gcctl -n "$(node "$n")" -j item put "$@" - | jq -r .id
}
# held_on NODE ID: NODE's events say it came to hold item ID.
held_on() {
	# jq -e succeeds on empty input: count instead.
	[ "$(grep -F "\"$2\"" "$work/ie$1.json" 2>/dev/null |
		jq -s --arg id "$2" '[.[] | select(.id == $id and .event == "held")] | length')" -ge 1 ]
}
# holders ID: the nodes that came to hold item ID.
holders() {
	local i
	for i in $(seq "$N"); do held_on "$i" "$1" && echo "$i"; done
}
# all_hold ID...: every node holds every item ID (one jq per node).
all_hold() {
	local i missing bad= want
	want=$(printf '%s\n' "$@" | jq -R . | jq -sc .)
	for i in $(seq "$N"); do
		missing=$(jq -c 'select(.event == "held") | .id' "$work/ie$i.json" 2>/dev/null |
			jq -s --argjson want "$want" '$want - . | length')
		[ "${missing:-1}" = 0 ] || bad="$bad node$i:${missing:-all}"
	done
	[ -z "$bad" ] || { echo "items missing on:$bad"; return 1; }
}
# only_origin_holds ID: node1 holds ID and no other node does.
only_origin_holds() {
	local got
	got=$(holders "$1" | paste -sd' ')
	[ "$got" = 1 ] || {
		echo "held by: ${got:-nobody}"
		for i in $got; do grep -F "$1" "$work/ie$i.json" "$work/v$i.log" 2>/dev/null | head -5; done
		return 1
	}
}
# held_of NODE ORIGIN: items of ORIGIN's newest stream that NODE holds.
held_of() {
	gcctl -n "$(node "$1")" -j items |
		jq --arg o "$2" '[.[] | select(.origin == $o)] | max_by(.boot) | .held // 0'
}
# holds_at_least NODE COUNT: NODE holds COUNT or more items of node1.
holds_at_least() {
	local got
	got=$(held_of "$1" node1)
	[ "$got" -ge "$2" ] || { echo "node$1 holds $got of node1's items, want $2"; return 1; }
}
# verify NODE ARGS...: runs gcverify on NODE, logging to $work/v<NODE>.log.
verify() {
	local n=$1
	shift
	rm -f "$work/v$n.err" "$work/v$n.log"	# wait_for must not see an earlier run's
	gcverify --netns "$(node "$n")" --log "$work/v$n.log" "$@" 2>"$work/v$n.err" &
	verifiers+=($!)
	wait_for "$work/v$n.err" "registered"
}

plan 19

gcctl key generate >"$work/key"
cluster_create "$N"
for i in $(seq "$N"); do gcctl -n "$(node "$i")" key add "$work/key"; done
ok "16 nodes come up and join through node1" cluster_up "$N"
ok "every node sees all 16 members alive" within 60 all_see "$N" alive "$N"
for i in $(seq "$N"); do
	gcctl -n "$(node "$i")" -j monitor items >"$work/ie$i.json" 2>"$work/ie$i.err" &
	pids+=($!)
done
for i in $(seq "$N"); do wait_for "$work/ie$i.err" "monitoring"; done

# ---- one item, and one of 60 KiB ----
id=$(echo "hello, cluster" | put 1 type 1)
ok "an item put on node1 is held by all 16 nodes within 10 s" within 10 all_hold "$id"
ok "every node has the same content, hashing to the id" bash -c "
	for i in \$(seq $N); do
		gcctl -n gcn\$i item get $id data | sha256sum | grep -q '^$id ' || exit 1
	done"
echo "by --file" >"$work/f"
ok "item put also takes --type T and --file F" bash -c \
	"set -o pipefail; gcctl -n gcn2 -j item put --type 2 --file $work/f | jq -e '.type == 2 and .seq == 1 and .origin == \"node2\"'"
for i in $(seq "$N"); do gcctl -n "$(node "$i")" set item_max_bytes 61440; done
head -c 61440 /dev/urandom >"$work/big"
big=$(put 5 <"$work/big")
ok "a 60 KiB item (48 fragments a copy) is held by all within 20 s" within 20 all_hold "$big"
ok "and arrived whole everywhere" bash -c "
	for i in \$(seq $N); do
		cmp -s $work/big <(gcctl -n gcn\$i item get $big data) || exit 1
	done"

# ---- 500 items while a link is down ----
# Suspicion long enough that the cut node is not declared dead: this is
# about items, and anti-entropy talks to suspect members too.
for i in $(seq "$N"); do gcctl -n "$(node "$i")" set suspicion_mult 32; done
ip -n gcsw link set p16 down
mkdir "$work/500"
for k in $(seq 500); do echo "item $k" >"$work/500/$k"; done
before=$(held_of 2 node1)
gcctl -n gcn1 item put "$work"/500/* >/dev/null
ok "500 items put on node1 while node16's link is down reach node2" \
	within 30 holds_at_least 2 $((before + 500))
ok "node16 has none of them" bash -c "[ $(held_of 16 node1) -le $before ]"
sleep 3	# the pushes are over: retransmissions have run out
wanted0=$(stat_of 16 items_wanted)
ip -n gcsw link set p16 up
ok "its link back, node16 holds all 500 within 60 s" \
	within 60 holds_at_least 16 $((before + 500))
ok "by anti-entropy: it asked for them (items_wanted rose by 500 or more)" \
	bash -c "[ \$(gcctl -n gcn16 -j stats | jq .items_wanted) -ge $((wanted0 + 500)) ]"
for i in $(seq "$N"); do gcctl -n "$(node "$i")" set suspicion_mult 4; done

# ---- verify before forward: rejection ----
# Every node but node1 checks items; node1, the origin, puts a bad one.
for i in $(seq 2 "$N"); do verify "$i" --reject-prefix BAD; done
bad=$(echo "BAD transaction" | put 1)
sleep 5
ok "a rejected item is held by no node but its origin" only_origin_holds "$bad"
# Never relayed: every verifier that saw it got it straight from node1 (hops
# 1), and once: a rejection is remembered, not fetched again.
seen_once_from_origin() {
	local i n=0 hops
	for i in $(seq 2 "$N"); do
		hops=$(jq -r --arg id "$bad" 'select(.id == $id) | .hops' "$work/v$i.log" | paste -sd' ')
		[ -z "$hops" ] && continue
		n=$((n + 1))
		[ "$hops" = 1 ] || { echo "node$i saw it with hops '$hops'"; return 1; }
	done
	[ "$n" -ge 1 ] || { echo "no verifier saw it"; return 1; }
	echo "$n verifiers saw it"
}
ok "the nodes that saw it got it from node1 directly, once each" seen_once_from_origin
# Its content is gone there, its id is not: item get says rejected, with
# nothing else, and has no content to give.
rejected_where_seen() {
	local i n=0 got
	for i in $(seq 2 "$N"); do
		got=$(jq -r --arg id "$bad" 'select(.id == $id) | .id' "$work/v$i.log" | head -1)
		[ -z "$got" ] && continue
		n=$((n + 1))
		got=$(gcctl -n "$(node "$i")" -j item get "$bad" | jq -c 'keys')
		[ "$got" = '["id","state"]' ] &&
			[ "$(gcctl -n "$(node "$i")" -j item get "$bad" | jq -r .state)" = rejected ] ||
			{ echo "node$i: item get gives $got"; return 1; }
		if gcctl -n "$(node "$i")" item get "$bad" data >/dev/null 2>&1; then
			echo "node$i: item get data succeeds"
			return 1
		fi
	done
	[ "$n" -ge 1 ] || { echo "no verifier saw it"; return 1; }
	echo "$n nodes"
}
ok "where it was rejected, item get answers its id and 'rejected' only" rejected_where_seen
stop_verifiers

# ---- verify before forward: a verifier that never answers ----
for i in $(seq 2 "$N"); do verify "$i" --silent; done
quiet=$(echo "nobody answers" | put 1)
sleep 7
ok "with verifiers that never answer nothing propagates: only node1 holds it" \
	only_origin_holds "$quiet"
ok "pending items without a verdict expired" bash -c \
	"cat $work/ie*.json | jq -se '[.[] | select(.event == \"expired\" and .id == \"$quiet\")] | length > 0'"
stop_verifiers
ok "once the verifiers are gone, it reaches every node" within 30 all_hold "$quiet"

# ---- 20% loss ----
for i in $(seq "$N"); do tc -n "$(node "$i")" qdisc add dev eth0 root netem loss 20%; done
ids=()
for k in $(seq 20); do ids+=("$(echo "lossy $k" | put $((1 + RANDOM % N)))"); done
ok "20% loss on every link: 20 items put at random nodes reach all 16 within 60 s" \
	within 60 all_hold "${ids[@]}"
for i in $(seq "$N"); do tc -n "$(node "$i")" qdisc del dev eth0 root; done

# ---- aggregation ----
# node i publishes load = i * 1.5: average 12.75, sum 204, 16 nodes, min 1.5, max 24.
for i in $(seq "$N"); do gcctl -n "$(node "$i")" agg set load "$(echo "$i * 1.5" | bc)"; done
agg_close() {
	local i out
	for i in $(seq "$N"); do
		out=$(gcctl -n "$(node "$i")" -j agg) && [ -n "$out" ] || { echo "node$i: no estimates"; return 1; }
		echo "$out" | jq -e --arg i "$i" '.valid and .epoch >= 3 and
			(.nodes - 16 | fabs) <= 0.16 and
			(.metrics[] | select(.name == "load") |
			 (.avg - 12.75 | fabs) <= 0.1275 and (.sum - 204 | fabs) <= 2.04 and
			 .min == 1.5 and .max == 24 and .own == ($i | tonumber) * 1.5)' \
			>/dev/null || { echo "node$i: $out"; return 1; }
	done
}
ok "push-sum: every node's average, sum and node count within 1%, min and max exact" \
	within 120 agg_close
t_done
