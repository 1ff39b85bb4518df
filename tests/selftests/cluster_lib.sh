# SPDX-License-Identifier: GPL-2.0
# A cluster of gossipchain nodes inside the test VM: node i is network
# namespace gcN<i> with eth0 = 10.99.0.<i>/24, its veth peer plugged into a
# bridge in namespace gcsw (the switch). Cutting a node's link is taking its
# switch port down.

GC_SUBNET=10.99.0

node() { echo "gcn$1"; }

# cluster_create N: the namespaces and links, nodes configured but down.
cluster_create() {
	local n=$1 i
	ip netns add gcsw
	ip -n gcsw link add br0 type bridge
	ip -n gcsw link set br0 up
	for i in $(seq "$n"); do
		ip netns add "$(node "$i")"
		ip -n "$(node "$i")" link set lo up
		ip link add eth0 netns "$(node "$i")" type veth peer name "p$i" netns gcsw
		ip -n gcsw link set "p$i" master br0 up
		ip -n "$(node "$i")" addr add "$GC_SUBNET.$i/24" dev eth0
		ip -n "$(node "$i")" link set eth0 up
		gcctl -n "$(node "$i")" node set name "node$i" address "$GC_SUBNET.$i"
	done
}

cluster_destroy() {
	local ns
	for ns in $(ip netns list | awk '/^gc(n[0-9]+|sw)/ { print $1 }'); do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns"
	done
}

# cluster_up N: every node up, then every node joins through node 1.
cluster_up() {
	local n=$1 i
	for i in $(seq "$n"); do
		gcctl -n "$(node "$i")" up || return 1
	done
	for i in $(seq 2 "$n"); do
		gcctl -n "$(node "$i")" join "$GC_SUBNET.1" >/dev/null || return 1
	done
}

# count_state NODE STATE: members NODE sees in STATE.
count_state() {
	gcctl -n "$(node "$1")" -j members | jq --arg s "$2" '[.[] | select(.state == $s)] | length'
}

# member_state NODE NAME: the state NODE has for member NAME ("" if unknown).
member_state() {
	gcctl -n "$(node "$1")" -j members | jq -r --arg n "$2" '.[] | select(.name == $n) | .state'
}

# all_see N STATE COUNT [EXCEPT]: every node but EXCEPT sees COUNT members in STATE.
all_see() {
	local n=$1 state=$2 want=$3 except=${4:-0} i got
	for i in $(seq "$n"); do
		[ "$i" = "$except" ] && continue
		got=$(count_state "$i" "$state")
		[ "$got" = "$want" ] || { echo "node$i sees $got $state, want $want"; return 1; }
	done
}

# all_say N NAME STATE [EXCEPT]: every node but EXCEPT has member NAME in STATE.
all_say() {
	local n=$1 name=$2 want=$3 except=${4:-0} i got
	for i in $(seq "$n"); do
		[ "$i" = "$except" ] && continue
		got=$(member_state "$i" "$name")
		[ "$got" = "$want" ] || { echo "node$i has $name '$got', want '$want'"; return 1; }
	done
}

# within SECONDS CMD...: CMD succeeds within SECONDS (polled every 0.5 s);
# prints how long it took.
within() {
	local limit=$1 start now out
	shift
	start=$(date +%s.%N)
	while :; do
		if out=$("$@" 2>&1); then
			now=$(date +%s.%N)
			echo "took $(echo "$now - $start" | bc) s"
			return 0
		fi
		now=$(date +%s.%N)
		if [ "$(echo "$now - $start > $limit" | bc)" = 1 ]; then
			echo "not within $limit s: $out"
			return 1
		fi
		sleep 0.5
	done
}

# stat_of NODE NAME: one counter of gcctl stats.
stat_of() {
	gcctl -n "$(node "$1")" -j stats | jq -r ".$2"
}
