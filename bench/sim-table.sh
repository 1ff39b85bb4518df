#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The gcsim rows of docs/BENCHMARKS.md: for each cluster size, a join wave
# with 3 crashes at 0% loss, then false positives at 5% and 20% loss and with
# 10% of nodes paused for 2 s. Prints a Markdown table; every row names the
# command that reproduces it. Sizes of 5,000 and more start as a converged
# cluster (--start converged): their join wave is measured on its own.
#
#   bench/sim-table.sh [SIZE...]      (default: 100 1000)
set -euo pipefail
gcsim=${GC_BUILD:-build}/bin/gcsim
sizes=${*:-100 1000}
dur=${GC_BENCH_DURATION:-120}

echo "| nodes | scenario | converged (s / periods) | crash detected: first, last (s) | false dead per node-hour | false suspicions | bytes/node/s | peak memory/node | wall (s) | command |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for n in $sizes; do
	start=
	[ "$n" -lt 5000 ] || start="--start converged "
	for sc in "base:--crash 3" "loss 5%:--loss 0.05" "loss 20%:--loss 0.2" "10% paused 2 s:--pause $((n / 10)):2"; do
		name=${sc%%:*}
		args="$start${sc#*:}"
		# shellcheck disable=SC2086
		j=$($gcsim --nodes "$n" --duration $dur --seed 1 $args --json)
		jq -r --arg name "$name" --arg cmd "gcsim --nodes $n --duration $dur --seed 1 $args" '
			def r: . * 100 | round / 100;
			"| \(.nodes) | \($name) | " +
			(if .converged then "\(.converged_s | r) / \(.converged_periods | r)" else "no" end) +
			" | " + (if (.crashes | length) > 0 then
				([.crashes[] | "\(.first_dead_s | r), \(.last_dead_s | r)"] | join("; ")) else "-" end) +
			" | \(.false_dead_per_node_hour | r) | \(.false_suspect) | \(.bytes_per_node_s | round) | \(.peak_mem_per_node) | \(.wall_s | r) | `\($cmd)` |"' <<<"$j"
	done
done
