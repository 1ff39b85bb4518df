#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs every VM selftest (tests/selftests/*.sh and the programs built from
# tests/selftests/*.c) inside the test VM, one TAP stream each. A test that
# exits non-zero without reporting a failure gets a failing stream of its own,
# so a crash can never pass for success.
here=$(cd "$(dirname "$0")" && pwd)
status=0

run_one() {
	local name=$1 out rc
	shift
	echo "# selftest: $name"
	out=$(mktemp)
	"$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	if [ "$rc" != 0 ]; then
		status=1
		if ! grep -q '^not ok' "$out"; then
			echo "1..1"
			echo "not ok 1 $name exited with status $rc"
		fi
	fi
	rm -f "$out"
}

for t in "$here"/*.sh; do
	case $(basename "$t") in lib.sh | *_lib.sh | run.sh) continue ;; esac
	[ -z "${GC_SELFTESTS:-}" ] || [[ " $GC_SELFTESTS " == *" $(basename "$t" .sh) "* ]] || continue
	run_one "$(basename "$t" .sh)" "$t"
done
for t in "$GC_BUILD"/selftests/*; do
	[ -x "$t" ] || continue
	[ -z "${GC_SELFTESTS:-}" ] || [[ " $GC_SELFTESTS " == *" $(basename "$t") "* ]] || continue
	run_one "$(basename "$t")" "$t"
done
exit $status
