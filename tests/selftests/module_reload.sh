#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Unloads and reloads gossipchain.ko 20 times while namespaces hold
# configured instances and gcctl keeps talking to it. The runner fails the
# whole VM run on any WARN, BUG or oops in dmesg.
. "$(dirname "$0")/lib.sh"

ko=$GC_TOP/gossipchain.ko
nodes="gc-r1 gc-r2 gc-r3"
cleanup() {
	[ -z "${hammer:-}" ] || kill "$hammer" 2>/dev/null
	for n in $nodes; do ip netns del "$n" 2>/dev/null; done
	lsmod | grep -q '^gossipchain ' || insmod "$ko"
}
trap cleanup EXIT
for n in $nodes; do ip netns add "$n" || exit 1; done

plan 8

configure_all() {
	local i=0 n
	for n in $nodes; do
		i=$((i + 1))
		gcctl -n "$n" node set name "r$i" port $((7100 + i)) || return 1
	done
}

ok "configure three instances" configure_all

# Keep requests flowing while the module comes and goes; failures while it
# is unloaded are expected, crashes are not.
(while :; do
	for n in $nodes; do
		gcctl -n "$n" node set port 7200 >/dev/null 2>&1
		gcctl -n "$n" -j node show >/dev/null 2>&1
	done
done) &
hammer=$!

cycles() {
	local i
	for i in $(seq 20); do
		rmmod gossipchain || { echo "rmmod failed in cycle $i"; return 1; }
		insmod "$ko" || { echo "insmod failed in cycle $i"; return 1; }
		configure_all || { echo "configure failed in cycle $i"; return 1; }
	done
}
ok "20 unload/reload cycles with live instances and requests in flight" cycles
kill "$hammer"
wait "$hammer" 2>/dev/null
hammer=

ok "after the last reload the instances answer" \
	bash -c 'for n in gc-r1 gc-r2 gc-r3; do gcctl -n $n -j node show | jq -e ".name | startswith(\"r\")" || exit 1; done'

ok "a reload starts instances afresh (no state survives the module)" \
	bash -c 'rmmod gossipchain && insmod '"$ko"' && field_is gc-r1 .name "" && field_is gc-r1 .config_gen 0'

ok "deleting a namespace with a configured instance" \
	bash -c 'gcctl -n gc-r2 node set name doomed && ip netns del gc-r2 && ip netns add gc-r2 &&
		 field_is gc-r2 .name ""'

ok "rmmod with instances alive" rmmod gossipchain
fails_with "without the module gcctl says it is not loaded" 1 "gossipchain module not loaded" \
	gcctl node show
ok "the module loads again" insmod "$ko"

t_done
