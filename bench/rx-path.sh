#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The receive-path benchmark: boots the test VM and runs bench/rx-path-vm.sh
# there. Not a test; docs/BENCHMARKS.md has its results. Run after make:
#
#   bench/rx-path.sh            (GC_BENCH_SECONDS=10 per row)
top=$(cd "$(dirname "$0")/.." && pwd)
exec "$top/tests/vm/run.sh" --timeout 600 "$top/bench/rx-path-vm.sh"
