#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs the test layers and ends with one line "N passed, N failed, N skipped"
# summing all of them; exits non-zero when anything failed.
#
#   tests/run-all.sh [lint] [unit] [fuzz] [sim] [vm]      (default: all five)
#
# Each layer's TAP goes to build/test-results/LAYER.tap and to stdout.
# GC_FUZZ_SECONDS (default 20) bounds each fuzz target's run.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${GC_BUILD:-$top/build}
results=$build/test-results
layers=${*:-lint unit fuzz sim vm}
mkdir -p "$results"
cd "$top" || exit 1

# tap_check NAME COMMAND...: one TAP stream with a single check.
tap_check() {
	local name=$1 out
	shift
	echo "1..1"
	if out=$("$@" 2>&1); then
		echo "ok 1 $name"
	else
		echo "not ok 1 $name"
		printf '%s\n' "$out" | head -n 40 | sed 's/^/#   /'
	fi
}

layer_lint() {
	local f
	for f in kmod/*.[ch] kmod/core/*.[ch] uapi/*.h; do
		tap_check "checkpatch --strict $f" \
			perl "$build/ext/checkpatch.pl" --strict --no-tree --terse --quiet \
			--show-types -f "$f"
	done
	for f in $(git ls-files 'ctl/*.[ch]' 'daemon/*.[ch]' 'sim/*.[ch]' 'tests/*.[ch]' \
		'bench/*.[ch]'); do
		tap_check "clang-format $f" clang-format --dry-run --Werror "$f"
	done
	tap_check "the YAML spec names every command and attribute of the uapi header" \
		tests/netlink-spec-check.sh
	for f in ctl/gcctl.8 daemon/gcd.8; do
		tap_check "$(basename "$f") renders without a warning" \
			bash -c "! LC_ALL=C.UTF-8 MANWIDTH=80 groff -man -Tutf8 -ww -z $f 2>&1 | grep ."
	done
	tap_check "module builds without a warning" \
		bash -c "[ -s '$build/module-build.log' ] && ! grep -i 'warning:' '$build/module-build.log'"
}

layer_unit() {
	local t out
	out=$(mktemp)
	for t in "$build"/tests/unit/*; do
		[ -x "$t" ] || continue
		echo "# unit: $(basename "$t")"
		# A crash that reported no failure still counts as one.
		if ! "$t" >"$out" 2>&1 && ! grep -q '^not ok' "$out"; then
			echo "1..1" >>"$out"
			echo "not ok 1 $(basename "$t") exited with failure" >>"$out"
		fi
		cat "$out"
	done
	rm -f "$out"
}

layer_fuzz() {
	local f name corpus
	for f in "$build"/fuzz/*; do
		[ -x "$f" ] || continue
		name=$(basename "$f")
		corpus=$build/fuzz-corpus/$name
		mkdir -p "$corpus"
		[ ! -d "tests/fuzz/corpus/$name" ] || cp -n tests/fuzz/corpus/"$name"/* "$corpus"/ 2>/dev/null
		tap_check "fuzz $name for ${GC_FUZZ_SECONDS:-20}s" \
			"$f" -max_total_time="${GC_FUZZ_SECONDS:-20}" -timeout=10 -rss_limit_mb=2048 \
			-artifact_prefix="$build/fuzz/$name-" -print_final_stats=1 "$corpus"
	done
}

layer_sim() {
	tests/sim/scenarios.sh
}

layer_vm() {
	local status out
	tests/vm/run.sh --timeout "${GC_VM_TIMEOUT:-2100}" tests/selftests/run.sh
	status=$?
	# One check for the run itself: a WARN, oops or hang fails it even when
	# every test inside had already reported success.
	echo "1..1"
	if [ "$status" = 0 ]; then
		echo "ok 1 vm: the run ended cleanly, no warning in the kernel log"
	else
		echo "not ok 1 vm: the run failed with status $status (see above)"
	fi
	# The power cut needs two boots of its own (tests/vm/poweroff.sh).
	[ -z "${GC_SELFTESTS:-}" ] || [[ " $GC_SELFTESTS " == *" poweroff "* ]] || return 0
	echo "# vm: poweroff"
	out=$(mktemp)
	tests/vm/poweroff.sh | tee "$out"
	status=${PIPESTATUS[0]}
	# A failure it did not report still counts as one.
	if [ "$status" != 0 ] && ! grep -q '^not ok' "$out"; then
		echo "1..1"
		echo "not ok 1 vm: poweroff.sh exited with status $status"
	fi
	rm -f "$out"
}

total_p=0 total_f=0 total_s=0
for layer in $layers; do
	declare -F "layer_$layer" >/dev/null || { echo "unknown layer '$layer'" >&2; exit 2; }
	echo "=== $layer"
	"layer_$layer" 2>&1 | tee "$results/$layer.tap"
	read -r p f s < <(awk -f tests/tap-count.awk "$results/$layer.tap")
	echo "=== $layer: $p passed, $f failed, $s skipped"
	total_p=$((total_p + p)) total_f=$((total_f + f)) total_s=$((total_s + s))
done
echo "$total_p passed, $total_f failed, $total_s skipped"
[ "$total_f" = 0 ] && [ "$total_p" -gt 0 ]
