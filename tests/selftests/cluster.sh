#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A live cluster of 16 nodes, one network namespace each on a bridge, all
# gossiping in the kernel: convergence, failure detection of a cut link and
# the return, graceful leave, 20% loss, a node with the wrong key, a node
# whose user space is frozen, key rotation, garbage packets, and teardown
# with traffic flowing. Default protocol parameters throughout.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/cluster_lib.sh"

N=16
work=$(mktemp -d)
trap 'stop_monitors; cluster_destroy; rm -rf "$work"' EXIT
modprobe sch_netem 2>/dev/null

# Every node's events (but SKIP's), as JSON lines, in $work/ev<i>.json.
monitor_pids=()
start_monitors() {
	local skip=${1:-0} i
	rm -f "$work"/ev*
	for i in $(seq "$N"); do
		[ -e "/run/netns/$(node "$i")" ] && [ "$i" != "$skip" ] || continue
		gcctl -n "$(node "$i")" -j monitor >"$work/ev$i.json" 2>"$work/ev$i.err" &
		monitor_pids+=($!)
	done
	for i in $(seq "$N"); do
		[ -e "/run/netns/$(node "$i")" ] && [ "$i" != "$skip" ] || continue
		wait_for "$work/ev$i.err" "monitoring events"
	done
}
# (wait with no pid at all would wait for every child)
stop_monitors() {
	[ ${#monitor_pids[@]} != 0 ] || return 0
	kill "${monitor_pids[@]}" 2>/dev/null
	wait "${monitor_pids[@]}" 2>/dev/null
	monitor_pids=()
}
# events EVENT [NAME]: how many such events all monitors printed.
events() {
	cat "$work"/ev*.json 2>/dev/null |
		jq -s --arg e "$1" --arg n "${2:-}" \
			'[.[] | select(.event == $e and ($n == "" or .name == $n))] | length'
}
no_events() {
	local got
	got=$(events "$1" "${2:-}")
	[ "$got" = 0 ] || { echo "$got '$1' events:"; cat "$work"/ev*.json; return 1; }
}

plan 30

# ---- a cluster with a key ----
gcctl key generate >"$work/keyA"
gcctl key generate >"$work/keyB"
gcctl key generate >"$work/keyC"
cluster_create "$N"
for i in $(seq "$N"); do gcctl -n "$(node "$i")" key add "$work/keyA"; done
ok "16 nodes come up and join through node1" cluster_up "$N"
ok "every node sees all 16 members alive" within 60 all_see "$N" alive "$N"
ok "member dump: address, port, incarnation 0 of node5 as node1 sees it" bash -c \
	"set -o pipefail; gcctl -n gcn1 -j members | jq -e '.[] | select(.name == \"node5\") |
	 .address == \"10.99.0.5\" and .port == 7947 and .incarnation == 0 and .age_ms >= 0'"
ok "keys are never readable back: node show reports the count" bash -c \
	"set -o pipefail; gcctl -n gcn1 -j node show | jq -e '.key_count == 1' && ! gcctl -n gcn1 -j node show | grep -q \"$(cat "$work/keyA")\""
ok "status counts the members" bash -c "set -o pipefail; gcctl -n gcn1 -j status | jq -e '.members == $N and .state == \"up\"'"

# ---- garbage ----
before=$(gcctl -n gcn1 -j members | jq -c '[.[] | {name, state, incarnation}]')
short0=$(stat_of 1 rx_short); auth0=$(stat_of 1 rx_auth); ver0=$(stat_of 1 rx_bad_version)
sock0=$(stat_of 1 rx_socket_drops)
ip netns exec gcn2 bash -c '
	for i in $(seq 20); do
		printf "\x01" >/dev/udp/10.99.0.1/7947                      # truncated header
		printf "\x01\x01%060d" "$i" >/dev/udp/10.99.0.1/7947            # forged seal
		printf "\x09\x00garbage" >/dev/udp/10.99.0.1/7947             # unknown version
	done
	dd if=/dev/zero bs=9500 count=1 status=none >/dev/udp/10.99.0.1/7947 # larger than any MTU, in one datagram
'
sleep 1
# exactly NODE COUNTER N
exactly() {
	local v
	v=$(stat_of "$1" "$2")
	[ "$v" = "$3" ] || { echo "$2 is $v, want $3"; return 1; }
}
garbage_counted() {
	exactly 1 rx_short $((short0 + 20)) && exactly 1 rx_auth $((auth0 + 20)) &&
		exactly 1 rx_bad_version $((ver0 + 20)) && exactly 1 rx_socket_drops $((sock0 + 1))
}
ok "garbage and truncated packets are counted by reason" garbage_counted
ok "garbage changes no member state" bash -c \
	"[ \"\$(gcctl -n gcn1 -j members | jq -c '[.[] | {name, state, incarnation}]')\" = '$before' ]"

# ---- a node with another key ----
ip netns add gcn17
ip -n gcn17 link set lo up
ip link add eth0 netns gcn17 type veth peer name p17 netns gcsw
ip -n gcsw link set p17 master br0 up
ip -n gcn17 addr add "$GC_SUBNET.17/24" dev eth0
ip -n gcn17 link set eth0 up
gcctl -n gcn17 key add "$work/keyC"
auth0=$(stat_of 1 rx_auth)
gcctl -n gcn17 up name intruder address "$GC_SUBNET.17"
fails_with "a node with the wrong key cannot join" 1 "no seed answered" \
	gcctl -n gcn17 join "$GC_SUBNET.1"
ok "its packets are dropped and counted as failed authentication" bash -c \
	"[ \$(gcctl -n gcn1 -j stats | jq .rx_auth) -gt $auth0 ]"
ok "nobody knows it" all_see "$N" alive "$N"
gcctl -n gcn17 down
ip netns del gcn17

# ---- frozen user space ----
# Every process of node3's namespace stopped, both CPUs busy in user space:
# the module still answers probes from softirq.
ip netns exec gcn3 sleep 1000 &
ip netns exec gcn3 gcctl monitor >/dev/null 2>&1 &
sleep 0.5
rx0=$(stat_of 3 rx_packets)
ip netns pids gcn3 | xargs -r kill -STOP
spinners=()
for c in 1 2; do bash -c 'while :; do :; done' & spinners+=($!); done
start_monitors 3
sleep 30
stop_monitors
kill "${spinners[@]}"
wait "${spinners[@]}" 2>/dev/null
ok "with node3's user space frozen for 30 s, nobody suspects it" no_events suspect node3
ok "nobody declares it dead" no_events dead node3
incarnation_zero() {
	local i inc
	for i in $(seq "$N"); do
		inc=$(gcctl -n "$(node "$i")" -j members | jq '.[] | select(.name == "node3") | .incarnation')
		[ "$inc" = 0 ] || { echo "node$i has node3 at incarnation '$inc'"; return 1; }
	done
}
ok "it is alive everywhere" all_say "$N" node3 alive
ok "and kept incarnation 0 everywhere (it never had to refute)" incarnation_zero
ok "and it kept handling packets in the kernel" bash -c "[ \$(gcctl -n gcn3 -j stats | jq .rx_packets) -gt $((rx0 + 30)) ]"
ip netns pids gcn3 | xargs -r kill -CONT
ip netns pids gcn3 | xargs -r kill

# ---- key rotation ----
start_monitors
rotate() {
	local i
	for i in $(seq "$N"); do gcctl -n "$(node "$i")" key add "$work/keyB" || return 1; done
	for i in $(seq "$N"); do gcctl -n "$(node "$i")" key use "$work/keyB" || return 1; done
	sleep 3
	for i in $(seq "$N"); do gcctl -n "$(node "$i")" key del "$work/keyA" || return 1; done
}
ok "the cluster key rotates on all nodes: add B, use B, remove A" rotate
sleep 10
stop_monitors
ok "no member was suspected during the rotation" no_events suspect
ok "the cluster is whole under the new key" all_see "$N" alive "$N"

# ---- 20% loss ----
for i in $(seq "$N"); do tc -n "$(node "$i")" qdisc add dev eth0 root netem loss 20%; done
start_monitors
sleep 60
stop_monitors
for i in $(seq "$N"); do tc -n "$(node "$i")" qdisc del dev eth0 root; done
ok "20% loss on every link for 60 s: no false death" no_events dead
ok "suspicions under loss were refuted: all alive again within 30 s" within 30 all_see "$N" alive "$N"

# ---- a cut link ----
# Lifeguard's bound at these parameters: suspicion at most
# suspicion_max_mult * suspicion_mult * log10(16) * probe_interval = 29 s after
# the first failed probe, plus rounds to notice and spread: 45 s.
start_monitors
ip -n gcsw link set p16 down
ok "node16 cut off: every other node marks it dead within 45 s" \
	within 45 all_say "$N" node16 dead 16
ok "every node saw it suspect before dead" bash -c "
	for i in \$(seq 15); do
		jq -s -e '[.[] | select(.name == \"node16\") | .event] | index(\"suspect\") < index(\"dead\")' $work/ev\$i.json >/dev/null || exit 1
	done"
ip -n gcsw link set p16 up
ok "its link back, node16 is alive again everywhere" within 60 all_say "$N" node16 alive
ok "with a new incarnation" bash -c \
	"set -o pipefail; gcctl -n gcn1 -j members | jq -e '.[] | select(.name == \"node16\") | .incarnation > 0'"
stop_monitors

# ---- graceful leave ----
start_monitors
gcctl -n gcn15 leave
ok "node15 leaves: every node shows it left" within 20 all_say "$N" node15 left 15
gcctl -n gcn15 down
sleep 3
stop_monitors
ok "nobody declared it dead" no_events dead node15
ok "it stays left once down" all_say "$N" node15 left 15

# ---- teardown with traffic flowing ----
ok "namespaces of running nodes are deleted cleanly" bash -c \
	"for i in 1 2 3 4; do ip netns del gcn\$i || exit 1; done"
# Namespaces are torn down by a kernel worker after `ip netns del`: wait.
no_leak() {
	local a i
	cluster_destroy
	for i in $(seq 100); do
		a=$(cat /sys/module/gossipchain/parameters/allocations)
		[ "$a" = 0 ] && return 0
		sleep 0.1
	done
	echo "the core still holds $a blocks"
	return 1
}
ok "with every namespace gone, the core holds no memory (allocations 0)" no_leak
cluster_create 3
cluster_up 3
ok "the module unloads with nodes running, and loads again" bash -c \
	"rmmod gossipchain && insmod $GC_TOP/gossipchain.ko"
t_done
