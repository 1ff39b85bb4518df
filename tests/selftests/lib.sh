# SPDX-License-Identifier: GPL-2.0
# TAP helpers for the VM selftests, which run as root inside the test VM.
# A test script sources this, calls plan N, then one check per line.

t_num=0
t_failed=0

plan() {
	echo "1..$1"
}

# ok DESCRIPTION COMMAND...: passes when COMMAND exits 0. A check that
# takes 3 s or more says how long, so a slow VM run shows where it went.
ok() {
	local desc=$1 out start=$SECONDS
	shift
	t_num=$((t_num + 1))
	if out=$("$@" 2>&1); then
		echo "ok $t_num $desc"
	else
		echo "not ok $t_num $desc"
		t_failed=$((t_failed + 1))
		printf '%s\n' "$out" | sed 's/^/#   /'
	fi
	[ $((SECONDS - start)) -lt 3 ] || echo "#   (took $((SECONDS - start)) s)"
}

# fails_with DESCRIPTION EXIT_CODE PATTERN COMMAND...: passes when COMMAND
# exits with EXIT_CODE and its output matches the extended regex PATTERN.
fails_with() {
	local desc=$1 want=$2 pattern=$3 out rc
	shift 3
	t_num=$((t_num + 1))
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" = "$want" ] && printf '%s\n' "$out" | grep -Eq -- "$pattern"; then
		echo "ok $t_num $desc"
	else
		echo "not ok $t_num $desc"
		t_failed=$((t_failed + 1))
		echo "#   exit $rc (want $want), output (want /$pattern/):"
		printf '%s\n' "$out" | sed 's/^/#   /'
	fi
}

# node_field NETNS JQ_FILTER: the node's field as jq prints it.
node_field() {
	gcctl -n "$1" -j node show | jq -r "$2"
}

# field_is NETNS JQ_FILTER EXPECTED
field_is() {
	local got
	got=$(node_field "$1" "$2") || return 1
	[ "$got" = "$3" ] || { echo "$2 is '$got', want '$3'"; return 1; }
}

# Wait until FILE contains PATTERN (up to 10 s).
wait_for() {
	local i
	for i in $(seq 100); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# Wait up to 10 s for PID to exit.
wait_exit() {
	local i
	for i in $(seq 100); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

export -f node_field field_is

t_done() {
	[ "$t_failed" = 0 ]
}
