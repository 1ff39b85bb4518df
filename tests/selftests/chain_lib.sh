# SPDX-License-Identifier: GPL-2.0
# gcd on a cluster made by cluster_lib.sh: node i runs gcd in namespace
# gcn<i> with its state in $CW/n<i> and its log in $CW/log<i>; validators
# are nodes 1..V (chain_genesis V). $CW must be set (under /tmp: the host
# root is read-only in the VM).

declare -a gcd_pid

# chain_genesis V: a key for nodes 1..V and a genesis naming them validators.
chain_genesis() {
	local v=$1 i
	for i in $(seq "$v"); do gcd key --state-dir "$CW/n$i" >"$CW/n$i.pub" || return 1; done
	# shellcheck disable=SC2046
	gcd genesis --out "$CW/genesis.json" --chain-id selftest \
		$(for i in $(seq "$v"); do echo "node$i=$(cat "$CW/n$i.pub")"; done)
}

# gcd_start I [gcd options]: starts gcd on node I; waits until it is up.
gcd_start() {
	local i=$1 lines
	shift
	lines=$(cat "$CW/log$i" 2>/dev/null | wc -l)
	gcd -n "$(node "$i")" --state-dir "$CW/n$i" --genesis "$CW/genesis.json" \
		${GCD_OPTS:-} "$@" >>"$CW/log$i" 2>&1 &
	gcd_pid[$i]=$!
	# Up: it logged its head (after registering as the verifier).
	within 20 eval "tail -n +$((lines + 1)) '$CW/log$i' | grep -q 'up: head'" >/dev/null
}

# gcd_stop I: SIGTERM, and its exit status.
gcd_stop() {
	kill -TERM "${gcd_pid[$1]}" 2>/dev/null
	wait "${gcd_pid[$1]}"
}

# gcd_kill I: SIGKILL.
gcd_kill() {
	kill -KILL "${gcd_pid[$1]}" 2>/dev/null
	wait "${gcd_pid[$1]}" 2>/dev/null
	return 0
}

gcd_stop_all() {
	local p
	for p in "${gcd_pid[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${gcd_pid[@]}"; do wait "$p" 2>/dev/null; done
	gcd_pid=()
}

# chain_json I: gcctl chain of node I's ledger.
chain_json() { gcctl -j chain dir "$CW/n$1"; }
height() { chain_json "$1" | jq -r .height; }
head_hash() { chain_json "$1" | jq -r .head; }

# at_least I H: node I's ledger has height H or more.
at_least() {
	local h
	h=$(height "$1")
	[ "${h:-0}" -ge "$2" ] || { echo "node$1 at height $h, want $2"; return 1; }
}

# all_at_least H I...: each node I at height H or more.
all_at_least() {
	local want=$1 i
	shift
	for i in "$@"; do at_least "$i" "$want" || return 1; done
}

# same_head I...: every node I has the same height and head hash.
same_head() {
	local i first= h
	for i in "$@"; do
		h="$(height "$i") $(head_hash "$i")"
		[ -n "$first" ] || first=$h
		[ "$h" = "$first" ] || { echo "node$i has $h, node$1 has $first"; return 1; }
	done
	echo "height and head: $first"
}

# same_block H I...: block H is byte for byte the same on every node I.
same_block() {
	local h=$1 i first= got
	shift
	for i in "$@"; do
		got=$(gcctl -j block "$h" dir "$CW/n$i" | jq -c 'del(.commit, .commit_round)') || return 1
		[ -n "$first" ] || first=$got
		[ "$got" = "$first" ] || { echo "block $h differs on node$i"; return 1; }
	done
}

# committed ID [I]: node I's ledger (default 1) has tx ID committed.
committed() {
	[ "$(gcctl -j tx "$1" dir "$CW/n${2:-1}" 2>/dev/null | jq -r .status)" = committed ]
}

# chain_blocks I: every block of node I's chain, one JSON object per line in
# chain order. Blocks are final: each is read once, into $CW/blocks-n<I>.
chain_blocks() {
	local i=$1 h from top
	from=$(($(cat "$CW/blocks-n$i.top" 2>/dev/null || echo 0) + 1))
	top=$(height "$i")
	: >"$CW/blocks-new"
	for h in $(seq "$from" "$top"); do
		gcctl -j block "$h" dir "$CW/n$i" >>"$CW/blocks-new" || return 1
	done
	cat "$CW/blocks-new" >>"$CW/blocks-n$i"
	echo "$top" >"$CW/blocks-n$i.top"
	cat "$CW/blocks-n$i" 2>/dev/null
}

# chain_ids I: the id of every tx in node I's chain.
chain_ids() {
	chain_blocks "$1" | jq -r '.txs[].id'
}

# all_committed FILE [I]: every tx id in FILE (first column) is committed on node I.
all_committed() {
	local i=${2:-1} missing
	chain_ids "$i" >"$CW/have" || return 1
	missing=$(cut -d' ' -f1 "$1" | grep -cvxF -f "$CW/have")
	[ "$missing" = 0 ] || { echo "$missing of $(grep -c '' "$1") not committed on node$i"; return 1; }
}

# app_txs I: "sender nonce id" of every application tx in node I's chain, in chain order.
app_txs() {
	chain_blocks "$1" | jq -r '.txs[] | select(.kind == "app") | "\(.sender) \(.nonce) \(.id)"'
}

# in_nonce_order I N: node I's chain has N application txs, each id once
# and each sender's nonces 1, 2, 3... in chain order.
in_nonce_order() {
	app_txs "$1" >"$CW/chain-txs"
	awk -v want="$2" '{ if (seen[$3]++) dup++; if ($2 != ++next_nonce[$1]) gap++ }
	     END { printf "%d txs, %d duplicates, %d out of order\n", NR, dup, gap
		   exit (NR != want || dup || gap) }' "$CW/chain-txs"
}

# same_at I...: the nodes' chains agree up to the lowest height among them:
# the block there (without the local certificate) and the head hash.
same_at() {
	local i h low=
	for i in "$@"; do
		h=$(height "$i")
		[ -z "$low" ] || [ "$h" -lt "$low" ] && low=$h
	done
	same_block "$low" "$@" || return 1
	echo "block $low is the same on nodes $*"
}

# verify_all I...: gcd verify on each node's state dir (the node may run).
verify_all() {
	local i out
	for i in "$@"; do
		out=$(gcd verify "$CW/n$i") || { echo "node$i: $out"; return 1; }
	done
	echo "$out"
}

# put_item I TYPE FILE: item put of FILE's bytes on node I (no gcd there), prints the id.
put_item() {
	gcctl -n "$(node "$1")" -j item put type "$2" "$3" | jq -r .id
}

# item_state I ID: what node I's kernel holds of item ID ("" if nothing).
item_state() {
	gcctl -n "$(node "$1")" -j item get "$2" 2>/dev/null | jq -r .state
}

# refused_by ID I...: no node I holds item ID: each has it rejected, or
# never got it (nobody forwarded it).
refused_by() {
	local id=$1 i st bad=
	shift
	for i in "$@"; do
		st=$(item_state "$i" "$id")
		[ "$st" = held ] || [ "$st" = pending ] && bad="$bad node$i:$st"
	done
	[ -z "$bad" ] || { echo "item $id accepted on:$bad"; return 1; }
}

# rejected_by ID I...: every node I got item ID and its gcd rejected it:
# its kernel keeps the id as rejected (item get), not the content.
rejected_by() {
	local id=$1 i st bad=
	shift
	for i in "$@"; do
		st=$(item_state "$i" "$id")
		[ "$st" = rejected ] || bad="$bad node$i:${st:-none}"
	done
	[ -z "$bad" ] && return 0
	echo "item $id not rejected on:$bad"
	echo "node$1's last rejections:"
	grep -h 'rejected' "$CW/log$1" | tail -n 3
	return 1
}

# held_by ID I...: every node I holds item ID.
held_by() {
	local id=$1 i st bad=
	shift
	for i in "$@"; do
		st=$(item_state "$i" "$id")
		[ "$st" = held ] || bad="$bad node$i:${st:-none}"
	done
	[ -z "$bad" ] || { echo "item $id not held on:$bad"; return 1; }
}

# logged I PATTERN: node I's gcd logged a line matching PATTERN.
logged() {
	grep -Eq -- "$2" "$CW/log$1" || { echo "node$1 never logged /$2/"; return 1; }
}

# stays_at SECONDS H I...: for SECONDS, no node I goes past height H.
stays_at() {
	local secs=$1 want=$2 end i h
	shift 2
	end=$((SECONDS + secs))
	while [ $SECONDS -lt $end ]; do
		for i in "$@"; do
			h=$(height "$i")
			[ "$h" = "$want" ] || { echo "node$i went to height $h (from $want)"; return 1; }
		done
		sleep 1
	done
}

# dump_logs: on a failed run, the end of every gcd log, as TAP comments.
dump_logs() {
	local f
	[ "$t_failed" = 0 ] && return
	for f in "$CW"/log*; do
		[ -f "$f" ] || continue
		echo "# --- $(basename "$f") (last 30 lines)"
		tail -n 30 "$f" | sed 's/^/#   /'
	done
}
