#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The item and aggregation rows of docs/BENCHMARKS.md (issue #5): gcsim
# runs of item dissemination and push-sum aggregation at each cluster size,
# in the item-only model (--model items: membership assumed converged) and,
# at sizes up to 1,000, also in the full model (every node a whole engine,
# from a converged start) to show that both models agree. Prints Markdown
# tables; every row names the command that reproduces it. Runs one gcsim at
# a time, under nice.
#
#   bench/items-table.sh [SIZE...]      (default: 1000 10000 100000)
#   GC_BENCH_TABLES="dissemination rounds latency loss agg"  (default: all)
set -euo pipefail
gcsim=${GC_BUILD:-build}/bin/gcsim
sizes=${*:-1000 10000 100000}
tables=${GC_BENCH_TABLES:-dissemination rounds latency loss agg}

# The models to run at a size: the full one only where member tables fit.
models() {
	if [ "$1" -le 1000 ]; then echo "items full"; else echo items; fi
}

# Runs gcsim with the given arguments; prints its JSON. The command shown
# in the row is $cmd (set by the caller from the same arguments).
run() {
	# shellcheck disable=SC2086
	nice -n 10 "$gcsim" "$@" --json
}

model_args() {
	if [ "$1" = full ]; then echo "--start converged"; else echo "--model items"; fi
}

has() {
	case " $tables " in *" $1 "*) return 0 ;; esac
	return 1
}

# jq helpers shared by the tables.
JQ_DEFS='
def r1: . * 10 | round / 10;
def r2: . * 100 | round / 100;
def r3: . * 1000 | round / 1000;
def t: if . < 0 then "never" else r3 | tostring end;
def ms: if . < 0 then "never" else . * 1000 | r2 | tostring end;
def h: if . < 0 then "never" else tostring end;
def log2: log / (2 | log);
def log3: log / (3 | log);
'

# ---- 1. dissemination: fanout 3 and 4, push only and push-pull ----
# Five items of 100 bytes from one origin, one every 3 s from 3 s on (one at
# a time: see "push rounds resend" in docs/BENCHMARKS.md), 18 s in all.
if has dissemination; then
	echo
	echo "| nodes | model | item_fanout | anti-entropy | hops to 50 / 99 / 100% (median of 5 items) | hops to 100%, worst item | log2 N | log3 N + ln ln N | time to 50 / 99 / 100% (median, s) | items sent / node / item | duplicates / node / item | item bytes / node / item | anti-entropy bytes / node / s | wall (s) | command |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
	for n in $sizes; do
		for m in $(models "$n"); do
			for f in 3 4; do
				for sync in 0 1000; do
					args="$(model_args "$m") --nodes $n --duration 18 --seed 1 --items 5 --items-at 3 --item-interval 3 --set item_fanout=$f --set item_sync_ms=$sync"
					# shellcheck disable=SC2086
					run $args | jq -r --arg m "$m" --arg f "$f" --arg ae "$([ $sync = 0 ] && echo "off (push only)" || echo "every ${sync} ms")" \
						--arg cmd "gcsim $args" "$JQ_DEFS"'
						.items as $i | (.nodes | log2 | r2) as $l2 |
						((.nodes | log3) + (.nodes | log | log) | r2) as $k |
						"| \(.nodes) | \($m) | \($f) | \($ae) | \($i.hops_median.p50 | h) / \($i.hops_median.p99 | h) / \($i.hops_median.p100 | h) | \($i.hops_worst.p100 | h) | \($l2) | \($k) | \($i.time_s_median.p50 | t) / \($i.time_s_median.p99 | t) / \($i.time_s_median.p100 | t) | \($i.per_node.sent / $i.count | r2) | \($i.per_node.duplicate / $i.count | r2) | \($i.per_node.item_bytes / $i.count | round) | \($i.per_node.sync_bytes / (.duration_s - $i.put_s) | round) | \(.wall_s | r1) | `\($cmd)` |"'
				done
			done
		done
	done
fi

# ---- 2. rounds: the textbook models ----
# item_fanout 0 and gossip_nodes 1: an item goes out only in gossip rounds
# (200 ms), to one random node per round (push, as Pittel's model); with
# item_sync_ms=200 every node also runs anti-entropy with one random node
# per round (push-pull, as Karp et al.'s). Rounds = time to 100% / 200 ms.
# Four items, 10 s apart: the first finds no node holding anything, the
# others a cluster where every node holds the earlier ones.
if has rounds; then
	echo
	echo "| nodes | model | mode | rounds to 100%: first item | rounds to 100%: items 2-4 (median, worst) | log2 N + ln N (push) | log3 N + ln ln N (push-pull) | items sent / node / item | duplicates / node / item | wall (s) | command |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|"
	for n in $sizes; do
		for m in $(models "$n"); do
			for sync in 0 200; do
				args="$(model_args "$m") --nodes $n --duration 40 --seed 1 --items 4 --items-at 3 --item-interval 10 --set item_fanout=0 --set gossip_nodes=1 --set item_sync_ms=$sync"
				# shellcheck disable=SC2086
				run $args | jq -r --arg m "$m" --arg mode "$([ $sync = 0 ] && echo "push" || echo "push-pull")" \
					--arg cmd "gcsim $args" "$JQ_DEFS"'
					def rounds: if . < 0 then "never" else . / 0.2 | r1 | tostring end;
					.items as $i | ([$i.items[1:][] | .time_s.p100 | if . < 0 then 1e9 else . end] | sort) as $rest |
					"| \(.nodes) | \($m) | \($mode) | \($i.items[0].time_s.p100 | rounds) | \($rest[(($rest | length) - 1) / 2 | floor] | if . >= 1e9 then -1 else . end | rounds), \($rest[-1] | if . >= 1e9 then -1 else . end | rounds) | \((.nodes | log2) + (.nodes | log) | r1) | \((.nodes | log3) + (.nodes | log | log) | r1) | \($i.per_node.sent / $i.count | r2) | \($i.per_node.duplicate / $i.count | r2) | \(.wall_s | r1) | `\($cmd)` |"'
			done
		done
	done
fi

# ---- 3. latency: forwarding at once against waiting for gossip rounds ----
if has latency; then
	echo
	echo "| nodes | model | forwarding | time to 50 / 99 / 100% (median of 5 items, ms) | hops to 50 / 100% (median) | wall (s) | command |"
	echo "|---|---|---|---|---|---|---|"
	for n in $sizes; do
		for m in $(models "$n"); do
			for f in 3 0; do
				args="$(model_args "$m") --nodes $n --duration 18 --seed 1 --latency-us 50 --items 5 --items-at 3 --item-interval 3 --set item_fanout=$f --set gossip_interval_ms=200"
				# shellcheck disable=SC2086
				run $args | jq -r --arg m "$m" --arg fw "$([ $f = 0 ] && echo "gossip rounds only (item_fanout 0)" || echo "at once to 3 (item_fanout 3), then rounds")" \
					--arg cmd "gcsim $args" "$JQ_DEFS"'
					.items as $i |
					"| \(.nodes) | \($m) | \($fw) | \($i.time_s_median.p50 | ms) / \($i.time_s_median.p99 | ms) / \($i.time_s_median.p100 | ms) | \($i.hops_median.p50 | h) / \($i.hops_median.p100 | h) | \(.wall_s | r1) | `\($cmd)` |"'
			done
		done
	done
fi

# ---- 4. loss: what anti-entropy is for ----
if has loss; then
	echo
	echo "| nodes | model | loss | anti-entropy | items reaching every live node | least spread item | time to 100% (median, worst, s) | items sent / node / item | anti-entropy bytes / node / s | wall (s) | command |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|"
	for n in $sizes; do
		[ "$n" -le 10000 ] || continue
		for m in $(models "$n"); do
			for sync in 0 1000; do
				args="$(model_args "$m") --nodes $n --duration 30 --seed 1 --loss 0.2 --items 5 --items-at 3 --item-interval 3 --set item_sync_ms=$sync"
				# shellcheck disable=SC2086
				run $args | jq -r --arg m "$m" --arg ae "$([ $sync = 0 ] && echo "off (push only)" || echo "every ${sync} ms")" \
					--arg cmd "gcsim $args" "$JQ_DEFS"'
					.items as $i |
					"| \(.nodes) | \($m) | 20% | \($ae) | \($i.complete) of \($i.count) | \($i.min_coverage * 100 | r2)% | \($i.time_s_median.p100 | t), \($i.time_s_worst.p100 | t) | \($i.per_node.sent / $i.count | r2) | \($i.per_node.sync_bytes / (.duration_s - $i.put_s) | round) | \(.wall_s | r1) | `\($cmd)` |"'
			done
		done
	done
fi

# ---- 5. aggregation ----
# Defaults: rounds of 500 ms, epochs of max(agg_epoch_rounds, 6 * ceil(log2 N))
# rounds (the core's gc_agg_epoch_rounds); runs of three epochs.
if has agg; then
	echo
	echo "| nodes | model | epoch (rounds) | epochs judged | every live node within 1% | rounds to 1%: median, worst (average / sum / count, second epoch) | stayed within 1% until the next epoch | reports within 1% (samples) | worst reported error | bytes / node / s | wall (s) | command |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
	for n in $sizes; do
		for m in $(models "$n"); do
			l=0
			while [ $((1 << l)) -lt "$n" ]; do l=$((l + 1)); done
			er=$((6 * l > 40 ? 6 * l : 40))
			dur=$((er * 3 / 2 + 1))
			for loss in 0 0.01; do
				# Loss only at 1,000 nodes, in the item-only model.
				[ "$loss" = 0 ] || { [ "$n" -le 1000 ] && [ "$m" = items ]; } || continue
				args="$(model_args "$m") --nodes $n --duration $dur --seed 1 --agg"
				[ "$loss" = 0 ] || args="$args --loss $loss"
				# shellcheck disable=SC2086
				run $args | jq -r --arg m "$m" --arg cmd "gcsim $args" "$JQ_DEFS"'
					.agg as $a | ($a.epochs[1] // $a.epochs[0]) as $e |
					"| \(.nodes) | \($m)\(if .loss > 0 then ", loss \(.loss * 100)%" else "" end) | \($a.epoch_rounds) | \($a.epochs_judged) | \($a.epochs_within) | \($a.rounds_to_1pct_median | h), \($a.rounds_to_1pct_worst | h) (\($e.rounds_avg | h) / \($e.rounds_sum | h) / \($e.rounds_nodes | h)) | \($a.epochs_stayed) | \($a.report_ok) of \($a.report_samples) | \($a.worst_report_err * 100 | r2)% | \($a.bytes_per_node_s | round) | \(.wall_s | r1) | `\($cmd)` |"'
			done
		done
	done
fi
