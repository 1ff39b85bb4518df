#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM (bench/ledger.sh boots it): commits per second and
# transactions per second of 4 validators, one gcd each in its namespace,
# all on the VM's 2 emulated CPUs (TCG). Three runs, each on a fresh chain:
#
#   empty    --empty-block-ms 1 --commit-ms 0: back-to-back empty blocks for
#            GC_BENCH_SECONDS (default 20): consensus rounds per second.
#   txs      default settings (--commit-ms 200): TXS transactions (default
#            2000) from 8 senders, each sender's at another node, submitted
#            as fast as `gcd tx -` signs and puts them; tx/s from the first
#            submission to the last commit on node1.
#   txs-fast the same with --commit-ms 0.
#
# Prints "name value" lines.
set -uo pipefail
. "$GC_TOP/tests/selftests/lib.sh"
. "$GC_TOP/tests/selftests/cluster_lib.sh"
. "$GC_TOP/tests/selftests/chain_lib.sh"
secs=${GC_BENCH_SECONDS:-20}
txs=${GC_BENCH_TXS:-2000}
V=4
CW=$(mktemp -d)
trap 'gcd_stop_all; cluster_destroy; rm -rf "$CW"' EXIT
now() { date +%s.%N; }

cluster_create $V
cluster_up $V >/dev/null
within 60 all_see $V alive $V >/dev/null || { echo "no cluster"; exit 1; }
chain_genesis $V >/dev/null
cp -r "$CW" "$CW.clean"

# fresh: every node's state dir back to keys and genesis only.
fresh() {
	gcd_stop_all
	rm -rf "$CW"/n[0-9]* "$CW"/blocks-*
	cp -r "$CW.clean"/n[0-9]* "$CW"/
}

# --- empty blocks ---
GCD_OPTS="--empty-block-ms 1 --commit-ms 0 --no-member-txs"
for i in $(seq $V); do gcd_start "$i" >/dev/null; done
sleep 3
h0=$(height 1)
t0=$(now)
sleep "$secs"
h1=$(height 1)
t1=$(now)
echo "empty_blocks $((h1 - h0))"
echo "empty_seconds $(echo "$t1 - $t0" | bc)"
echo "empty_commits_per_s $(echo "scale=1; ($h1 - $h0) / ($t1 - $t0)" | bc)"

# txs_run NAME: TXS transactions, 8 senders, at nodes 1-4 in turn.
txs_run() {
	local name=$1 s per t0 t1 h0 h1 got pids
	per=$((txs / 8))
	for s in $(seq 8); do gcd key --key "$CW/$name-s$s.key" >/dev/null; done
	h0=$(height 1)
	t0=$(now)
	pids=
	for s in $(seq 8); do
		seq "$per" | sed "s/^/sender $s tx /" |
			gcd tx -n "$(node $(((s - 1) % V + 1)))" --key "$CW/$name-s$s.key" \
				--genesis "$CW/genesis.json" - >"$CW/$name-ids-$s" &
		pids="$pids $!"
	done
	# Not a bare wait: the gcds are this shell's jobs too.
	wait $pids
	t_sub=$(now)
	cat "$CW/$name"-ids-* >"$CW/$name-ids"
	echo "# $name: $(grep -c '' "$CW/$name-ids") submitted in $(echo "$t_sub - $t0" | bc) s"
	for _ in $(seq 600); do
		all_committed "$CW/$name-ids" 1 >/dev/null && break
		sleep 0.5
	done
	if ! all_committed "$CW/$name-ids" 1; then
		for i in $(seq $V); do tail -n 5 "$CW/log$i" | sed "s/^/# node$i: /"; done
	fi
	t1=$(now)
	h1=$(height 1)
	got=$(chain_ids 1 | grep -cxF -f <(cut -d' ' -f1 "$CW/$name-ids"))
	echo "${name}_txs $got"
	echo "${name}_blocks $((h1 - h0))"
	echo "${name}_submit_per_s $(echo "scale=0; $got / ($t_sub - $t0)" | bc)"
	echo "${name}_seconds $(echo "$t1 - $t0" | bc)"
	echo "${name}_tx_per_s $(echo "scale=0; $got / ($t1 - $t0)" | bc)"
	echo "${name}_commits_per_s $(echo "scale=1; ($h1 - $h0) / ($t1 - $t0)" | bc)"
}

fresh
GCD_OPTS="--no-member-txs"
for i in $(seq $V); do gcd_start "$i" >/dev/null; done
txs_run txs

fresh
GCD_OPTS="--commit-ms 0 --no-member-txs"
for i in $(seq $V); do gcd_start "$i" >/dev/null; done
txs_run txsfast
