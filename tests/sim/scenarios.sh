#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# gcsim scenarios as tests (TAP): the protocol core, unchanged from the
# module's, in deterministic clusters of hundreds to a thousand nodes.
. "$(dirname "$0")/../selftests/lib.sh"

gcsim=${GC_BUILD:-build}/bin/gcsim
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

plan 27

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

# Wall time and the process's peak RSS are the host's, not the run's.
$gcsim --nodes 300 --duration 40 --seed 11 --crash 2 --loss 0.02 --json |
	jq 'del(.wall_s, .rss_peak_bytes)' >"$out/a.json"
$gcsim --nodes 300 --duration 40 --seed 11 --crash 2 --loss 0.02 --json |
	jq 'del(.wall_s, .rss_peak_bytes)' >"$out/b.json"
ok "the same seed replays the same run" cmp "$out/a.json" "$out/b.json"
$gcsim --nodes 300 --duration 40 --seed 12 --crash 2 --loss 0.02 --json |
	jq 'del(.wall_s, .rss_peak_bytes)' >"$out/c.json"
ok "another seed gives another run" bash -c "! cmp -s $out/a.json $out/c.json"

# ---- items (issue #5) ----

# The whole engine: 1,000 nodes, 3 crash at 4 s, three items put at 3, 5, 7 s.
$gcsim --nodes 1000 --duration 12 --seed 7 --start converged --crash 3 --items 3 --items-at 3 \
	--item-interval 2 --json >"$out/items.json"
ok "1,000 nodes: every item reaches every live node (3 items, 3 crashes)" \
	jq -e '.items.complete == 3 and ([.items.items[].holders == .live] | all) and .live == 997' \
	"$out/items.json"
ok "hops are recorded: half the nodes 3 or more relays from the origin, the farthest under 30" \
	jq -e '.items.hops_median.p50 >= 3 and .items.hops_worst.p100 >= 5 and
		.items.hops_worst.p100 < 30' "$out/items.json"
ok "items sent per node stay within the limit, 3 * ceil(log10(n + 1)) = 12 per item, plus answers" \
	jq -e '.items.per_node.sent <= 3 * 12 + .items.per_node.served and .packets_bad == 0' \
	"$out/items.json"

# Push only, no fanout, no retransmission: the item stays at its origin;
# with anti-entropy alone it reaches every node.
for sync in 0 1000; do
	$gcsim --model items --nodes 1000 --duration 60 --seed 7 --items 1 --items-at 2 \
		--set item_fanout=0 --set item_retransmit_mult=0 --set item_sync_ms=$sync \
		--json >"$out/ae$sync.json"
done
ok "push only with item_fanout 0 and no retransmission: only the origin holds it" \
	jq -e '.items.complete == 0 and .items.items[0].holders == 1' "$out/ae0.json"
ok "the same with anti-entropy every second: every node holds it" \
	jq -e '.items.complete == 1 and .items.items[0].holders == 1000' "$out/ae1000.json"

# 20% loss with a thin push (fanout 1, 3 sends per node): push alone misses
# nodes, anti-entropy brings the item to every one.
for sync in 0 1000; do
	$gcsim --model items --nodes 1000 --duration 40 --seed 7 --loss 0.2 --items 3 --items-at 3 \
		--item-interval 3 --set item_fanout=1 --set item_retransmit_mult=1 \
		--set item_sync_ms=$sync --json >"$out/loss$sync.json"
done
ok "20% loss, thin push only: some nodes never get the items" \
	jq -e '.items.complete < 3 and .items.min_coverage < 0.99' "$out/loss0.json"
ok "20% loss with anti-entropy: every item reaches every node" \
	jq -e '.items.complete == 3 and .items.min_coverage == 1' "$out/loss1000.json"

$gcsim --nodes 500 --duration 12 --seed 7 --start converged --items 1 --item-size 60000 \
	--items-at 3 --json >"$out/frag.json"
ok "a 60,000-byte item goes in fragments and reaches all 500 nodes" \
	jq -e '.items.complete == 1 and .items.per_node.item_packets > 40 * .items.per_node.sent and
		.items.per_node.frags_dropped == 0' "$out/frag.json"

# Both models on the same cluster: the same dissemination, give or take.
$gcsim --model items --nodes 1000 --duration 12 --seed 7 --items 3 --items-at 3 \
	--item-interval 2 --json >"$out/items-model.json"
# shellcheck disable=SC2016
ok "the item-only model agrees with the full model at 1,000 nodes" \
	jq -e --slurpfile f "$out/items.json" '.items.complete == 3 and
		.membership_assumed_converged and
		((.items.hops_median.p50 - $f[0].items.hops_median.p50) | fabs) <= 1 and
		((.items.per_node.sent - $f[0].items.per_node.sent) | fabs) <= 1' \
	"$out/items-model.json"

# ---- aggregation ----

# Every node publishes a value; push-sum rounds of 500 ms, epochs as long as
# the core makes them (60 rounds at 1,000 nodes): 90 s see two end.
$gcsim --model items --nodes 1000 --duration 90 --seed 7 --agg --json >"$out/agg.json"
ok "aggregation, 1,000 nodes: every epoch gets every live node's average, sum and count within 1%" \
	jq -e '.agg.epochs_judged >= 2 and .agg.epochs_within == .agg.epochs_judged' "$out/agg.json"
ok "and they stay within 1% until the next epoch" \
	jq -e '.agg.epochs_stayed == .agg.epochs_within and
		([.agg.epochs[] | .violations_after == 0] | all)' "$out/agg.json"
ok "the truth judged against is the published values' (average about 500)" \
	jq -e '.agg.true_nodes == 1000 and .agg.true_avg > 450 and .agg.true_avg < 550' \
	"$out/agg.json"
reports_ok() {
	jq -e '.agg.report_samples > 0 and .agg.report_ok == .agg.report_samples' "$1" >/dev/null ||
		{ jq -c '.agg | {report_ok, report_samples, worst_report_err, report_bad_last_s}' "$1"; return 1; }
}
ok "what nodes report (the last complete epoch) is within 1% once an epoch has completed" \
	reports_ok "$out/agg.json"
$gcsim --nodes 300 --duration 90 --seed 7 --start converged --agg --json >"$out/agg-full.json"
ok "aggregation in the full model, 300 nodes: every epoch within 1% and stays" \
	jq -e '.agg.epochs_judged >= 2 and .agg.epochs_within == .agg.epochs_judged and
		.agg.epochs_stayed == .agg.epochs_within' "$out/agg-full.json"

# ---- determinism of both models ----
for m in items full; do
	for run in a b; do
		$gcsim --model $m --nodes 300 --duration 20 --seed 5 --loss 0.05 --crash 2 --items 3 \
			--item-origins 2 --items-at 3 --agg --json |
			jq 'del(.wall_s, .rss_peak_bytes)' >"$out/$m-$run.json"
	done
	$gcsim --model $m --nodes 300 --duration 20 --seed 6 --loss 0.05 --crash 2 --items 3 \
		--item-origins 2 --items-at 3 --agg --json |
		jq 'del(.wall_s, .rss_peak_bytes)' >"$out/$m-c.json"
done
ok "items and aggregation: the same seed replays the same run, in both models" \
	bash -c "cmp $out/items-a.json $out/items-b.json && cmp $out/full-a.json $out/full-b.json"
ok "and another seed gives another run" \
	bash -c "! cmp -s $out/items-a.json $out/items-c.json && ! cmp -s $out/full-a.json $out/full-c.json"

bad_args() {
	local a
	for a in "--nodes 1.5" "--nodes 10 --pause x:2" "--nodes 10 --pause 3" \
		"--nodes 10 --slow 2:abc" "--nodes 10 --seed -1" "--nodes 10 --loss 2" \
		"--nodes 10 --set nope=1" "--nodes 10 --set mtu=100" "--nodes 10 --crash 10" \
		"--nodes 10 --model bogus" "--nodes 10 --items -1" "--nodes 10 --items 1 --item-size 0" \
		"--nodes 10 --items 1 --item-size 61441" "--nodes 10 --items 1 --item-origins 0" \
		"--nodes 10 --item-origins 2" "--nodes 10 --items 1 --items-at 5" \
		"--nodes 10 --items 3 --items-at 1 --item-interval 2" \
		"--nodes 10 --items 1 --item-size 200 --set item_max_bytes=100" \
		"--nodes 10 --agg --set agg_interval_ms=0" "--nodes 10 --model items --pause 2:1" \
		"--nodes 10 --model items --slow 2:10" "--nodes 10 --model items --partition" \
		"--nodes 10 --model items --start join" "--nodes 10 --items 6 --item-origins 6 --crash 5"; do
		# shellcheck disable=SC2086
		$gcsim $a --duration 5 >/dev/null 2>&1
		[ $? = 2 ] || { echo "gcsim $a did not exit 2"; return 1; }
	done
}
ok "bad arguments are refused with exit status 2" bad_args

t_done
