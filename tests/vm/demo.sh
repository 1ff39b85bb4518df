#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What `make demo` shows inside the VM: eight hosts (network namespaces on a
# bridge) form a gossipchain cluster in the kernel, one host's link is cut
# and every other host detects it, the link returns and the host is alive
# again, another host leaves gracefully. Default protocol parameters.
set -u
. "$GC_TOP/tests/selftests/cluster_lib.sh"
N=8
work=$(mktemp -d)
mon=
trap '[ -z "$mon" ] || kill $mon 2>/dev/null; cluster_destroy; rm -rf "$work"' EXIT

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
for i in $(seq $N); do gcctl -n "$(node "$i")" up; done
for i in $(seq 2 $N); do run gcctl -n "$(node "$i")" join 10.99.0.1; done
until all_see $N alive $N >/dev/null; do sleep 0.2; done
echo "all $N nodes see all $N members alive after $(since "$t0") s"
run gcctl -n gcn1 members

say "node1's events, as they happen (gcctl monitor, UTC timestamps)"
# Not a pipeline: $! must be gcctl itself, or killing it would leave the
# pipeline's other half (and `wait` for the whole job) behind.
gcctl -n gcn1 monitor 2>/dev/null > >(sed -u 's/^/    node1 | /') &
mon=$!
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
false_deaths=$(cat "$work"/ev*.json | jq -s '[.[] | select(.event == "dead" and .name != "node8")] | length')

say "What node1's kernel did meanwhile (gcctl stats)"
gcctl -n gcn1 stats | grep -E '^(rx_packets|tx_packets|rx_auth|probes|probe_failures|suspicions|refutations|push_pulls|health|members_)'

say "Summary"
cat <<EOT
  converged:          $N nodes in the kernel of one VM, one namespace each
  node8 cut:          suspected after $(printf %.1f "$t_suspect") s, dead on all 7 others after $(printf %.1f "$t_dead") s
  node8 back:         alive everywhere after $t_alive s, with a new incarnation
  node7 left:         shown as "left", not "dead"
  false deaths:       $false_deaths (dead events about any node but node8, on all nodes)
The ledger (gcd) joins this demo as it lands.
EOT
