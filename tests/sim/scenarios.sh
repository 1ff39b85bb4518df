#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# gcsim scenarios as tests (TAP): the protocol core, unchanged from the
# module's, in deterministic clusters of hundreds to a thousand nodes.
. "$(dirname "$0")/../selftests/lib.sh"

gcsim=${GC_BUILD:-build}/bin/gcsim
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

plan 11

# 1,000 nodes join over 2 s, 3 crash at 20 s; default (memberlist LAN) parameters.
$gcsim --nodes 1000 --duration 60 --seed 7 --crash 3 --json >"$out/crash.json"
ok "1,000 nodes converge after a join wave (within 30 s)" \
	jq -e '.converged and .converged_s < 30' "$out/crash.json"
ok "every crashed node is declared dead by every live node" \
	jq -e '[.crashes[] | .detected_by == 997] | all' "$out/crash.json"
# The bound: one probe period to notice, one more for ping-req, then the
# longest Lifeguard suspicion (suspicion_max_mult * suspicion_mult *
# log10(n) * probe interval = 6 * 4 * 3 * 1 s), and 5 s to spread the news.
ok "and within the configured bound (2 + 72 + 5 s)" \
	jq -e '[.crashes[] | .last_dead_s <= 79] | all' "$out/crash.json"
ok "zero false positives at 0% loss (no live node suspected or declared dead)" \
	jq -e '.false_dead == 0 and .false_suspect == 0' "$out/crash.json"

$gcsim --nodes 200 --duration 150 --seed 7 --partition --partition-at 20 --heal-at 80 \
	--json >"$out/partition.json"
ok "a 50/50 partition: each side declares the other dead" \
	jq -e '.partition_detected' "$out/partition.json"
ok "after the heal the halves re-merge, no live node left dead anywhere" \
	jq -e '.partition_healed and .dead_after_heal == 0 and .partial_views == 0' \
	"$out/partition.json"

$gcsim --nodes 500 --duration 120 --seed 7 --loss 0.05 --json >"$out/loss.json"
ok "5% packet loss: no live node declared dead" jq -e '.false_dead == 0' "$out/loss.json"

$gcsim --nodes 500 --duration 120 --seed 7 --pause 50:2 --json >"$out/pause.json"
ok "10% of nodes paused for 2 s: none declared dead" jq -e '.false_dead == 0' "$out/pause.json"

$gcsim --nodes 300 --duration 40 --seed 11 --crash 2 --loss 0.02 --json |
	jq 'del(.wall_s)' >"$out/a.json"
$gcsim --nodes 300 --duration 40 --seed 11 --crash 2 --loss 0.02 --json |
	jq 'del(.wall_s)' >"$out/b.json"
ok "the same seed replays the same run" cmp "$out/a.json" "$out/b.json"
$gcsim --nodes 300 --duration 40 --seed 12 --crash 2 --loss 0.02 --json |
	jq 'del(.wall_s)' >"$out/c.json"
ok "another seed gives another run" bash -c "! cmp -s $out/a.json $out/c.json"

bad_args() {
	local a
	for a in "--nodes 1.5" "--nodes 10 --pause x:2" "--nodes 10 --pause 3" \
		"--nodes 10 --slow 2:abc" "--nodes 10 --seed -1" "--nodes 10 --loss 2" \
		"--nodes 10 --set nope=1" "--nodes 10 --set mtu=100" "--nodes 10 --crash 10"; do
		# shellcheck disable=SC2086
		$gcsim $a --duration 5 >/dev/null 2>&1
		[ $? = 2 ] || { echo "gcsim $a did not exit 2"; return 1; }
	done
}
ok "bad arguments are refused with exit status 2" bad_args

t_done
