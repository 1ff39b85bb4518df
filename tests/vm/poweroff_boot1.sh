#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot 1 of tests/vm/poweroff.sh, in the VM with the state disk on /dev/vda:
# 4 validators on a fresh ext4, a stream of transactions into node1, every
# gcd log line on stdout as "nodeI: LINE"; once node1 committed 20 heights it
# freezes two gcds, waits until the other two, the next height's proposer
# among them, signed in it, and prints GCVM-POWEROFF, on which the host kills qemu mid-stream.
# Reaching the end (the power never cut) is a failure.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../selftests/cluster_lib.sh"
. "$here/../selftests/chain_lib.sh"

V=4
WANT=20
# The host root is read-only: the disk goes on a mount point in tmpfs.
CW=/tmp/state
fail() { echo "boot1: $*"; exit 1; }

# signed_state I: "height H round R step S" of node I's sign guard
# (DIR/sign_state: height u64, round u32, step u8, big-endian).
signed_state() {
	od -An -tu1 -N13 "$CW/n$1/sign_state" | awk '{
		h = 0; for (k = 1; k <= 8; k++) h = h * 256 + $k
		r = 0; for (k = 9; k <= 12; k++) r = r * 256 + $k
		print "height", h, "round", r, "step", $13 }'
}

# pair_signed P Q H: node P proposed and prevoted (perhaps precommitted,
# when prevotes of the frozen two were on their way) in round 0 of height H,
# node Q signed in H too, and neither has H in its ledger.
pair_signed() {
	signed_state "$1" | grep -qxE "height $3 round 0 step [23]" &&
		[ "$(signed_state "$2" | awk '{ print $2 }')" = "$3" ] &&
		[ "$(height "$1")" = $(($3 - 1)) ] && [ "$(height "$2")" = $(($3 - 1)) ]
}

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
# Two of nodes 1-3 go on, the round-0 proposer of the next height among
# them; the other two freeze. The two sign in that height (a proposal and
# prevotes) and without a quorum it stays undecided, so the cut leaves what a
# restart must resume: the proposer's signed proposal and prevote among them.
# All four freeze first, so that the next height is known and stays so.
# The stream goes into node1: when it is frozen, the proposer gets a
# transaction of its own to propose.
gcd key --key "$CW/t.key" >/dev/null || fail "gcd key failed"
signers=
for attempt in $(seq 20); do
	kill -STOP "${gcd_pid[@]}"
	m=$(for i in $(seq $V); do height "$i"; done | sort -n | tail -1)
	h=$((m + 1))
	p=$((h % V + 1)) # proposer(h, 0) = h mod V, validator i - 1 is node i
	q=$((p % 3 + 1))
	if [ $p != 4 ] && [ "$(height $p)" = "$m" ] && [ "$(height $q)" = "$m" ]; then
		kill -CONT "${gcd_pid[$p]}" "${gcd_pid[$q]}"
		gcd tx -n "$(node $p)" --key "$CW/t.key" --genesis "$CW/genesis.json" \
			"to propose, attempt $attempt" >/dev/null
		if within 30 pair_signed $p $q $h >/dev/null; then
			signers="$p $q"
			break
		fi
		echo "boot1: attempt $attempt: node$p signed $(signed_state $p), not height $h's proposal and prevote"
	fi
	kill -CONT "${gcd_pid[@]}"
	sleep 1
done
[ -n "$signers" ] || fail "no undecided height signed by its proposer in 20 attempts"
echo "$signers" >"$CW/signers"
for i in $signers; do
	echo "boot1: node$i signed up to $(signed_state "$i") over head $(height "$i")"
done
echo GCVM-POWEROFF
sleep 60
fail "still running 60 s after GCVM-POWEROFF: the host did not cut the power"
