#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot 1 of tests/vm/poweroff.sh, in the VM with the state disk on /dev/vda:
# 4 validators on a fresh ext4, a stream of transactions into node1, every
# gcd log line on stdout as "nodeI: LINE"; once node1 committed 20 heights it
# prints GCVM-POWEROFF, on which the host kills qemu mid-stream. Reaching the
# end (the power never cut) is a failure.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../selftests/cluster_lib.sh"
. "$here/../selftests/chain_lib.sh"

V=4
WANT=20
# The host root is read-only: the disk goes on a mount point in tmpfs.
CW=/tmp/state
fail() { echo "boot1: $*"; exit 1; }

mkdir -p "$CW" && mount -t ext4 /dev/vda "$CW" || fail "cannot mount /dev/vda"
cluster_create $V
cluster_up $V >/dev/null || fail "cluster_up failed"
within 60 all_see $V alive $V | sed 's/^/boot1: all see each other: /'
chain_genesis $V >/dev/null || fail "chain_genesis failed"
for i in $(seq $V); do
	gcd_start "$i" >/dev/null || fail "gcd on node$i did not come up"
done
# Each log line as it is written: the host keeps the highest height each
# gcd reported committed (durable) before the power went.
for i in $(seq $V); do
	tail -n +1 -F "$CW/log$i" 2>/dev/null | sed -u "s/^/node$i: /" &
done
gcd key --key "$CW/s.key" >/dev/null || fail "gcd key failed"
(for k in $(seq 2000); do echo "stream $k"; sleep 0.02; done) |
	gcd tx -n gcn1 --key "$CW/s.key" --genesis "$CW/genesis.json" - >"$CW/stream-ids" &
streamer=$!
end=$((SECONDS + 300))
until [ "$(grep -c 'committed height' "$CW/log1")" -ge $WANT ]; do
	[ $SECONDS -lt $end ] || fail "node1 did not commit $WANT heights in 300 s"
	kill -0 $streamer 2>/dev/null || fail "the stream ended before $WANT heights"
	sleep 0.2
done
kill -0 $streamer 2>/dev/null || fail "the stream ended before the power cut"
echo "boot1: node1 logged $(grep -c 'committed height' "$CW/log1") commits, the stream goes on"
echo GCVM-POWEROFF
sleep 60
fail "still running 60 s after GCVM-POWEROFF: the host did not cut the power"
