#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Node configuration through gcctl in three network namespaces: stored per
# namespace, read back, refused with a clear error when bad or unprivileged.
. "$(dirname "$0")/lib.sh"

nodes="gc-n1 gc-n2 gc-n3"
work=$(mktemp -d)
cleanup() {
	for n in $nodes; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT
for n in $nodes; do ip netns add "$n" || exit 1; done

plan 39

ok "status reports the module, protocol 1, state down" \
	bash -c 'gcctl -j status | jq -e ".version != \"\" and .protocol == 1 and .state == \"down\""'
ok "a fresh namespace has default name, 0.0.0.0 and port 7947" \
	bash -c 'field_is gc-n1 .name "" && field_is gc-n1 .address 0.0.0.0 &&
	       field_is gc-n1 .port 7947 && field_is gc-n1 .config_gen 0'

ok "configure n1 (IPv4)" gcctl -n gc-n1 node set name alpha address 10.0.0.1 port 7001
ok "configure n2 (IPv6)" gcctl -n gc-n2 node set name beta address fd00::2 port 7002
ok "configure n3 (IPv6 in brackets, name only then port)" \
	bash -c 'gcctl -n gc-n3 node set name gamma.3_x-y && gcctl -n gc-n3 node set address [::] port 65535'

ok "n1 reads back alpha 10.0.0.1:7001 gen 1" \
	bash -c 'field_is gc-n1 .name alpha && field_is gc-n1 .address 10.0.0.1 &&
	       field_is gc-n1 .port 7001 && field_is gc-n1 .config_gen 1'
ok "n2 reads back beta [fd00::2]:7002 gen 1" \
	bash -c 'field_is gc-n2 .name beta && field_is gc-n2 .address fd00::2 &&
	       field_is gc-n2 .port 7002 && field_is gc-n2 .config_gen 1'
ok "n3 reads back gamma.3_x-y [::]:65535 gen 2" \
	bash -c 'field_is gc-n3 .name gamma.3_x-y && field_is gc-n3 .address :: &&
	       field_is gc-n3 .port 65535 && field_is gc-n3 .config_gen 2'
ok "the initial namespace is untouched" \
	bash -c 'gcctl -j node show | jq -e ".name == \"\" and .port == 7947 and .config_gen == 0"'
ok "human output names the endpoint" \
	bash -c 'gcctl -n gc-n2 node show | grep -qx "listen: \[fd00::2\]:7002"'
ok "ip netns exec works as gcctl -n does" \
	bash -c 'ip netns exec gc-n1 gcctl -j node show | jq -e ".name == \"alpha\""'
ok "status counts configuration changes" \
	bash -c 'gcctl -n gc-n3 -j status | jq -e ".config_gen == 2 and .members == 0"'

# Refused requests: a message naming the attribute, exit 1, nothing changed.
fails_with "a name with a space is refused by the kernel, naming the attribute" 1 \
	'node name must be 1 to 63 characters.*\(attribute name\)' \
	gcctl -n gc-n1 node set name "bad name"
# gcctl refuses it before the kernel sees it (netlink_policy checks the kernel's refusal).
fails_with "a 64-character name is a usage error" 2 'a name is 1 to 63 characters' \
	gcctl -n gc-n1 node set name "$(printf 'a%.0s' $(seq 64))"
fails_with "a multicast listen address is refused" 1 \
	'must not be multicast.*\(attribute address\)' gcctl -n gc-n1 node set address 239.1.2.3
fails_with "a good port with a bad name changes neither" 1 'attribute name' \
	gcctl -n gc-n1 node set port 7100 name "x/y"
ok "after the refusals n1 is still alpha 10.0.0.1:7001 gen 1" \
	bash -c 'field_is gc-n1 .name alpha && field_is gc-n1 .address 10.0.0.1 &&
	       field_is gc-n1 .port 7001 && field_is gc-n1 .config_gen 1'

# Usage errors are caught before the kernel: exit 2.
fails_with "port 0 is a usage error" 2 "not a port" gcctl -n gc-n1 node set port 0
fails_with "port 65536 is a usage error" 2 "not a port" gcctl -n gc-n1 node set port 65536
fails_with "a malformed address is a usage error" 2 "not an IPv4 or IPv6 address" \
	gcctl -n gc-n1 node set address 10.0.0
fails_with "an unknown setting is a usage error" 2 "unknown setting 'colour'" \
	gcctl -n gc-n1 node set colour blue
fails_with "an unknown object is a usage error" 2 "unknown command 'frob'" gcctl frob
fails_with "a seed that is no address and no known host is a usage error" 2 "or a host name" \
	gcctl -n gc-n1 join no-such-host.invalid
# localhost resolves (/etc/hosts); the kernel then refuses: the node is down.
fails_with "a host name is resolved, then the kernel answers" 1 "node is down" \
	gcctl -n gc-n1 join localhost:7000
fails_with "an unknown parameter is a usage error" 2 "unknown parameter 'nosuch'" \
	gcctl -n gc-n1 set nosuch 1
fails_with "a parameter value that is no number is a usage error" 2 "'abc' is not a number" \
	gcctl -n gc-n1 set mtu abc
fails_with "a parameter set the kernel finds out of range names the parameter" 1 \
	"probe_timeout_ms must be at least 1 and below probe_interval_ms" \
	gcctl -n gc-n1 set probe_timeout_ms 5000
ok "and changes nothing" bash -c "gcctl -n gc-n1 -j params | jq -e '.probe_timeout_ms == 500'"
echo "not base64" >"$work/badkey"
fails_with "a key file that holds no key is refused" 1 "not a key" \
	gcctl -n gc-n1 key add "$work/badkey"
fails_with "a missing key file is refused" 1 "No such file" \
	gcctl -n gc-n1 key add "$work/nokey"
ok "a generated key is added, read from stdin" bash -c \
	"gcctl key generate | gcctl -n gc-n1 key add - && gcctl -n gc-n1 -j node show | jq -e '.key_count == 1'"
fails_with "a missing namespace is an error" 1 "network namespace 'nope'" \
	gcctl -n nope node show

# Permissions: reading is open, changing needs CAP_NET_ADMIN over the netns.
unpriv="setpriv --reuid=65534 --regid=65534 --clear-groups"
ok "an unprivileged user may read the configuration" \
	bash -c "ip netns exec gc-n1 $unpriv gcctl -j node show | jq -e '.name == \"alpha\"'"
fails_with "an unprivileged user may not change it (EPERM)" 1 "Operation not permitted" \
	ip netns exec gc-n1 $unpriv gcctl node set name mallory
fails_with "root of a user namespace that does not own the netns gets EPERM" 1 \
	"Operation not permitted" ip netns exec gc-n1 unshare -Ur gcctl node set name mallory
ok "after the refusals n1 is still named alpha" field_is gc-n1 .name alpha
ok "root of a container configures the instance of its own netns" \
	bash -c 'unshare -Urn bash -c "gcctl node set name inner && gcctl -j node show" |
	       jq -e ".name == \"inner\""'

# Events: a change is multicast to listeners of that namespace only.
ev=$(mktemp -d)
gcctl -n gc-n2 -j monitor count 1 >"$ev/n2" 2>"$ev/n2.err" &
mon=$!
gcctl -n gc-n1 -j monitor count 1 >"$ev/n1" 2>"$ev/n1.err" &
other=$!
wait_for "$ev/n2.err" monitoring && wait_for "$ev/n1.err" monitoring
gcctl -n gc-n2 node set name beta2
wait_exit $mon
ok "a monitor sees the change with the new configuration" \
	jq -e '.event == "node" and .name == "beta2" and .port == 7002 and .config_gen == 2' "$ev/n2"
ok "a monitor of another namespace sees nothing" \
	bash -c "kill $other && [ ! -s $ev/n1 ]"
rm -rf "$ev"

t_done
