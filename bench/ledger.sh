#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The ledger benchmark: boots the test VM and runs bench/ledger-vm.sh there
# (4 validators: commits/s, tx/s). Not a test; docs/BENCHMARKS.md has its
# results. Run after make:
#
#   bench/ledger.sh             (GC_BENCH_SECONDS=20, GC_BENCH_TXS=2000)
top=$(cd "$(dirname "$0")/.." && pwd)
exec "$top/tests/vm/run.sh" --timeout 900 "$top/bench/ledger-vm.sh"
