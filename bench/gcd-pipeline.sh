#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# gcd's verify+persist pipeline on the host against the raw rates of the
# same machine, in one run (build/bin/gcd-pipeline; its header says what
# each stage is). Not a test; docs/BENCHMARKS.md has its results. Run after
# make, on an idle machine:
#
#   bench/gcd-pipeline.sh [TXS]        (default 20000)
#
# The ledgers go to a directory on the build tree's disk (not tmpfs: the
# commits' fsync is part of what is measured).
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d "$top/build/gcd-pipeline.XXXXXX")
trap 'rm -rf "$dir"' EXIT
"$top/build/bin/gcd-pipeline" "$dir" "${1:-20000}" >"$dir/out"
v() { awk -v k="$1" '$1 == k { print $2 }' "$dir/out"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "$(v txs) transactions of 64-byte payloads from 8 senders, $(v blocks) blocks, $(v workers) workers"
echo
printf '| %-44s | %10s | %s |\n' "stage" "tx/s" "vs raw verify, 1 core"
printf '|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..46})" "------------" "-----------------------"
row() { printf '| %-44s | %10s | %s |\n' "$1" "$2" "$(ratio "$2" "$(v raw_verify_1)")"; }
row "raw crypto_sign_verify_detached, 1 thread" "$(v raw_verify_1)"
row "raw crypto_sign_verify_detached, $(v workers) threads" "$(v raw_verify_n)"
row "tx items: verify on the pool, into mempool" "$(v tx_items)"
row "proposals: re-verify every tx" "$(v proposals_nocache)"
row "proposals: with the verified-id cache" "$(v proposals)"
row "check + commit: re-verify every tx" "$(v check_commit_nocache)"
row "check + commit: with the cache (gcd)" "$(v check_commit)"
row "pipeline, every check verifying" "$(v pipeline_nocache)"
row "pipeline as gcd runs it" "$(v pipeline)"
echo
echo "raw LMDB puts, one durable write transaction per block: $(v raw_lmdb) tx/s;" \
	"check + commit is $(ratio "$(v check_commit)" "$(v raw_lmdb)") of it"
