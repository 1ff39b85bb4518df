#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What `make demo` shows inside the VM today: the module loaded, one
# gossipchain instance per network namespace, configured and inspected with
# gcctl, its events, and its refusals, then the protocol core in gcsim.
# The live cluster and the ledger replace the simulation as they land.
set -u
say() { printf '\n== %s\n' "$*"; }
run() { printf '$'; printf ' %q' "$@"; printf '\n'; "$@"; }

nodes="alpha beta gamma"
trap 'for n in $nodes; do ip netns del $n 2>/dev/null; done' EXIT

say "gossipchain.ko is loaded in a VM running Debian's $(uname -r) kernel"
run lsmod | grep -E '^(Module|gossipchain)'
run gcctl status

say "Three hosts: one network namespace each, each with its own instance"
i=0
for n in $nodes; do
	i=$((i + 1))
	ip netns add $n
	run gcctl -n $n node set name $n address 10.0.0.$i port 7947
done
for n in $nodes; do
	echo "--- $n"
	gcctl -n $n node show
done

say "Changes are published on the events multicast group"
gcctl -n beta monitor count 1 &
mon=$!
sleep 0.5
run gcctl -n beta node set port 7950
wait $mon

say "JSON for scripts"
run gcctl -n gamma -j node show

say "Bad input is refused by the kernel with a message naming the attribute"
run gcctl -n alpha node set name "not a name"
run gcctl -n alpha node set address 224.0.0.1

say "Changing a node needs CAP_NET_ADMIN over its namespace"
run ip netns exec alpha setpriv --reuid=65534 --regid=65534 --clear-groups gcctl node set name x

say "The protocol core the module builds in, simulated (gcsim): 50 nodes join,
one crashes at 10 s and every other node declares it dead"
run gcsim --nodes 50 --duration 30 --seed 1 --crash 1 --crash-at 10

say "Done: the configuration above lived in the kernel, per namespace; the
kernel data path that runs the core on a UDP socket is the next step"
