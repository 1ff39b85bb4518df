#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The VM's power cut in a stream of commits, the state dirs on a host-backed
# disk image: boot 1 (poweroff_boot1.sh) runs 4 validators on a fresh ext4
# image and streams transactions, then freezes two gcds while the other two,
# the next height's proposer among them, sign in that height, and the host
# kills qemu; boot 2 (poweroff_boot2.sh) finds every block a gcd logged
# committed (durable) on disk, each ledger intact, the two resuming that
# height, and the 4 nodes going on as one chain with nobody accused.
#
#   tests/vm/poweroff.sh
#
# One TAP stream on stdout: this script's checks with boot 2's renumbered
# into them. The image and both boots' output stay in $GC_BUILD/vm (default
# build/vm): poweroff.img, poweroff.expect, poweroff-boot1.log, -boot2.log.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${GC_BUILD:-$top/build}
. "$top/tests/selftests/lib.sh"
PATH=$PATH:/usr/sbin:/sbin

dir=$build/vm
img=$dir/poweroff.img
expect=$dir/poweroff.expect
boot1=$dir/poweroff-boot1.log
boot2=$dir/poweroff-boot2.log
V=4
WANT=20     # heights node1 commits before the power cut (poweroff_boot1.sh)
OWN=4       # checks before boot 2's
B2=21       # the checks poweroff_boot2.sh makes
start=$SECONDS
mkdir -p "$dir"

# boot1_cut: boot 1 ended in the power cut, with the stream still going.
boot1_cut() {
	[ "$boot1_status" = 0 ] && grep -q '^boot1: .*the stream goes on' "$boot1" &&
		grep -q '^gcvm: powered off on GCVM-POWEROFF' "$boot1" && return 0
	echo "run.sh exited $boot1_status; the end of boot 1:"
	grep -v '^node[0-9]*: ' "$boot1" | tail -n 40
	return 1
}

# top_of I: the highest height node I's gcd logged committed in boot 1.
top_of() { awk -v i="$1" '$1 == i { print $2 }' "$expect"; }

plan $((OWN + B2 + 1))

rm -f "$img" "$expect"
ok "a fresh 128 MiB ext4 image for the state dirs" \
	eval "truncate -s 128M '$img' && mkfs.ext4 -q -F '$img'"

echo "# boot 1: 4 validators, a stream of transactions, the power cut after $WANT heights"
: >"$boot1"
boot1_status="not run"
if [ "$t_failed" = 0 ]; then
	"$top/tests/vm/run.sh" --disk "$img" --power-off-on GCVM-POWEROFF \
		"$top/tests/vm/poweroff_boot1.sh" >"$boot1" 2>&1
	boot1_status=$?
fi
grep -E '^(boot1|gcvm):' "$boot1" | sed 's/^/#   /'
ok "boot 1 powered off mid-stream (qemu killed on GCVM-POWEROFF)" boot1_cut

# "nodeI: ... committed height H (round R, block HASH, ...)": only whole
# lines count (the last one before the cut may be torn).
sed -nE 's/^node([0-9]+): .*committed height ([0-9]+) \(round [0-9]+, block ([0-9a-f]{16}),.*/\1 \2 \3/p' \
	"$boot1" | sort -k1,1n -k2,2n | awk '{ top[$1] = $0 } END { for (i in top) print top[i] }' |
	sort -n >"$expect"
sed 's/^/#   node /' "$expect"
ok "node1 logged at least $WANT committed heights before the cut" \
	test "$(top_of 1)" -ge $WANT
ok "the last committed height of each of the $V gcds collected" \
	test "$(grep -c '' "$expect")" = $V

if [ "$t_failed" = 0 ]; then
	echo "# boot 2: the same disk after the power cut"
	"$top/tests/vm/run.sh" --disk "$img" "$top/tests/vm/poweroff_boot2.sh" "$expect" 2>&1 |
		tee "$boot2" | awk -v base=$OWN -v max=$B2 '
			/^(not )?ok [0-9]+/ {
				if (++n > max) { print "# extra: " $0; next }
				sub(/ok [0-9]+/, "ok " base + n); print; fflush(); next
			}
			/^#/ { print; fflush(); next }
			{ print "# " $0; fflush() }'
	boot2_status=${PIPESTATUS[0]}
	seen=$(grep -cE '^(not )?ok [0-9]+' "$boot2")
	t_failed=$((t_failed + $(grep -c '^not ok' "$boot2")))
else
	boot2_status="not run"
	seen=0
fi
# Checks boot 2 never reported fail, so the plan holds.
for n in $(seq $((seen + 1)) $B2); do
	echo "not ok $((OWN + n)) boot 2: check $n not reported"
	t_failed=$((t_failed + 1))
done
# shellcheck disable=SC2034 # ok (lib.sh) numbers on from t_num
t_num=$((OWN + B2))
ok "boot 2 ended cleanly (no kernel warning) with its $B2 checks" \
	eval "[ '$boot2_status' = 0 ] && [ $seen = $B2 ] || { echo 'run.sh: $boot2_status, $seen checks'; false; }"
echo "# took $((SECONDS - start)) s"
t_done
