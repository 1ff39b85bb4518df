#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Addressing: two nodes over IPv6, a node on the IPv4 wildcard advertising
# its interface's address, seeds with ports, and a seed of the wrong family.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/cluster_lib.sh"
trap 'ip netns del gca1 2>/dev/null; ip netns del gca2 2>/dev/null; ip netns del gca3 2>/dev/null' EXIT

pair() {
	ip netns add "$1"
	ip netns add "$2"
	ip -n "$1" link set lo up
	ip -n "$2" link set lo up
	ip link add eth0 netns "$1" type veth peer name eth0 netns "$2"
	ip -n "$1" link set eth0 up
	ip -n "$2" link set eth0 up
}
state_of() { gcctl -n "$1" -j members | jq -r --arg n "$2" '.[] | select(.name == $n) | .state'; }
both_alive() {
	[ "$(state_of gca1 b)" = alive ] && [ "$(state_of gca2 a)" = alive ] ||
		{ gcctl -n gca1 members; gcctl -n gca2 members; return 1; }
}

plan 9

pair gca1 gca2
ip -n gca1 addr add fd99::1/64 dev eth0 nodad
ip -n gca2 addr add fd99::2/64 dev eth0 nodad
ok "IPv6: a node comes up on fd99::1" gcctl -n gca1 up name a address fd99::1
ok "IPv6: another joins it as [fd99::1]:7947" bash -c \
	"set -o pipefail; gcctl -n gca2 up name b address fd99::2 && gcctl -n gca2 join '[fd99::1]:7947'"
ok "IPv6: both see each other alive" within 10 both_alive
ok "IPv6: the member table shows the IPv6 address" bash -c \
	"set -o pipefail; gcctl -n gca1 -j members | jq -e '.[] | select(.name == \"b\") | .address == \"fd99::2\"'"
fails_with "an IPv4 seed from an IPv6 node is never answered" 1 "no seed answered" \
	gcctl -n gca2 join 10.0.0.1
ok "and counted as a transmit error" bash -c "[ \$(gcctl -n gca2 -j stats | jq .tx_errors) -gt 0 ]"
fails_with "up on :: needs an address to advertise" 1 "needs an IPv6 address to advertise" \
	bash -c "set -o pipefail; gcctl -n gca1 down && gcctl -n gca1 node set address :: && gcctl -n gca1 up"
ip netns del gca1
ip netns del gca2

pair gca1 gca3
ip -n gca1 addr add 10.97.0.1/24 dev eth0
ip -n gca3 addr add 10.97.0.3/24 dev eth0
gcctl -n gca1 up name a port 7000
ok "on 0.0.0.0 a node advertises its interface address" bash -c \
	"set -o pipefail; gcctl -n gca1 -j members | jq -e '.[0].address == \"10.97.0.1\" and .[0].port == 7000'"
ok "a seed's port is used: join 10.97.0.1:7000" bash -c \
	"set -o pipefail; gcctl -n gca3 up name c && gcctl -n gca3 join 10.97.0.1:7000"
t_done
