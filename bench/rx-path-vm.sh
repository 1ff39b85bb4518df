#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM (bench/rx-path.sh boots it): the receive path of
# gossipchain.ko against a user-space recvmmsg loop that only receives and
# drops, for the same valid pings, on the same CPU.
#
# Two namespaces on a veth pair. The sender (gcflood, pinned to CPU 0) sends
# pings as fast as it can; RPS steers the receiver's packets to CPU 1, where
# all of the receive path runs: IP, UDP, and then either the module (decode,
# the protocol's handling, an ack built and sent back) or the socket queue
# and recvmmsg. Packets per second per core = packets handled / busy seconds
# of CPU 1 (from /proc/stat). The acks go back to the sender's namespace,
# whose RPS takes them to CPU 0.
set -euo pipefail
secs=${GC_BENCH_SECONDS:-10}
work=$(mktemp -d)
trap 'ip netns del gcbA 2>/dev/null; ip netns del gcbB 2>/dev/null; rm -rf "$work"' EXIT

ip netns add gcbA
ip netns add gcbB
ip link add eth0 netns gcbA type veth peer name eth0 netns gcbB
ip -n gcbA addr add 10.98.0.1/24 dev eth0
ip -n gcbB addr add 10.98.0.2/24 dev eth0
ip -n gcbA link set eth0 up
ip -n gcbB link set eth0 up
ip netns exec gcbA sh -c 'echo 1 >/sys/class/net/eth0/queues/rx-0/rps_cpus'
ip netns exec gcbB sh -c 'echo 2 >/sys/class/net/eth0/queues/rx-0/rps_cpus'

# busy and total jiffies of CPU 1
cpu1() { awk '$1 == "cpu1" { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }

# measure LABEL COUNT_CMD...: runs the flood for $secs s and prints the row.
# COUNT_CMD prints the number of packets the receiver handled in the window.
flood() {
	ip netns exec gcbA taskset -c 0 gcflood 10.98.0.2 7947 bench "$secs" "$@"
}
row() {
	local label=$1 handled=$2 sent=$3 busy=$4 total=$5
	awk -v l="$label" -v h="$handled" -v s="$sent" -v b="$busy" -v t="$total" -v secs="$secs" 'BEGIN {
		printf "%-38s %10d %10d %10.0f %8.0f%% %12.0f\n", l, s, h, h / secs, 100 * b / t, h / (b / 100)
	}' | tee -a "$work/rows"
}

printf "%-38s %10s %10s %10s %9s %12s\n" "receiver" "sent" "handled" "pps" "cpu1" "pps/core"

module_run() {
	local label=$1 key=${2:-} r0 r1 c0 c1 sent
	gcctl -n gcbB up name bench address 10.98.0.2
	[ -z "$key" ] || gcctl -n gcbB key add "$key"
	r0=$(gcctl -n gcbB -j stats | jq .rx_packets)
	read -r b0 t0 < <(cpu1)
	sent=$(flood ${key:+"$key"})
	read -r b1 t1 < <(cpu1)
	r1=$(gcctl -n gcbB -j stats | jq .rx_packets)
	acks=$(gcctl -n gcbB -j stats | jq .tx_packets)
	gcctl -n gcbB down
	[ -z "$key" ] || gcctl -n gcbB key del "$key"
	row "$label" $((r1 - r0)) "$sent" $((b1 - b0)) $((t1 - t0))
	[ "$acks" -ge $((r1 - r0)) ] || echo "    (only $acks acks for $((r1 - r0)) pings)" >&2
}

user_run() {
	local got sent
	ip netns exec gcbB taskset -c 1 recvdrop 7947 $((secs + 2)) >"$work/got" &
	sleep 0.5
	read -r b0 t0 < <(cpu1)
	sent=$(flood)
	read -r b1 t1 < <(cpu1)
	wait
	got=$(cat "$work/got")
	row "user space: recvmmsg, drop" "$got" "$sent" $((b1 - b0)) $((t1 - t0))
}

gcctl key generate >"$work/key"
# TCG's clock and tick accounting are noisy: three rounds, interleaved, and
# the median of each.
for round in 1 2 3; do
	module_run "gossipchain.ko, ping->ack, CRC32"
	module_run "gossipchain.ko, ping->ack, sealed" "$work/key"
	user_run
done
# Per round, each module row against that round's bare limit (the rounds
# differ more than the rows of one round do), then the medians.
awk '
	/CRC32/ { c[++nc] = $NF } /sealed/ { s[++ns] = $NF } /recvmmsg/ { b[++nb] = $NF }
	function med(a, n,   i, j, t) {
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return a[int((n + 1) / 2)]
	}
	END {
		printf "\nper round, module / bare limit:"
		for (i = 1; i <= nb; i++) { rc[i] = c[i] / b[i]; rs[i] = s[i] / b[i]; printf " %.2f/%.2f", rc[i], rs[i] }
		printf " (CRC32/sealed)\n"
		printf "median: %.2f (CRC32), %.2f (sealed)\n", med(rc, nb), med(rs, nb)
	}' "$work/rows"
