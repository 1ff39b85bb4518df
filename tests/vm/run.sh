#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boots Debian's kernel in qemu (TCG) with the host root read-only over 9p,
# loads gossipchain.ko and runs one command inside; exits with its status.
#
#   tests/vm/run.sh [--timeout SECONDS] [--no-module] [--disk IMG]
#                   [--power-off-on MARKER] COMMAND [ARGS...]
#
# COMMAND runs in the guest as root, in this repository's directory, with
# GC_TOP, GC_BUILD and PATH (build/ first) set. The run fails when the command
# fails, when the kernel logs a WARN, BUG, oops or lockdep splat (the kernel
# is booted with panic_on_warn and oops=panic, and dmesg is scanned as well),
# or when the VM does not finish within the timeout.
#
# --disk IMG attaches the raw host file IMG as a virtio disk, /dev/vda in the
# guest (virtio_blk and ext4 are loaded before COMMAND runs; COMMAND mounts
# it). Its writes reach IMG as the guest issues them (cache=writeback), so
# what the guest wrote to the disk (flushed or not) is in IMG when qemu dies.
# --power-off-on MARKER cuts the power: when COMMAND outputs a line equal to
# MARKER, qemu is killed (SIGKILL) at once, so nothing the guest had not
# written to its disk (its page cache) survives. The run then succeeds
# ("gcvm: powered off on MARKER") and fails when the VM ended any other way.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${GC_BUILD:-$top/build}
kver=${KVER:-$(cat "$build/kver" 2>/dev/null || true)}
timeout=${GC_VM_TIMEOUT:-900}
load_module=1
disk=
marker=
while [ $# -gt 0 ]; do
	case $1 in
	--timeout) timeout=$2; shift 2 ;;
	--no-module) load_module=0; shift ;;
	--disk) disk=$2; shift 2 ;;
	--power-off-on) marker=$2; shift 2 ;;
	--) shift; break ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || {
	echo "usage: $0 [--timeout S] [--no-module] [--disk IMG] [--power-off-on MARKER] COMMAND [ARGS...]" >&2
	exit 2
}
[ -z "$disk" ] || [ -w "$disk" ] || { echo "gcvm: cannot write disk image $disk" >&2; exit 2; }
[ -n "$kver" ] || { echo "gcvm: unknown kernel version: run make first" >&2; exit 2; }

kernel=/boot/vmlinuz-$kver
initramfs=$build/vm/initramfs-$kver.cpio.gz
for f in "$kernel" "$initramfs"; do
	[ -r "$f" ] || { echo "gcvm: missing $f: run make first" >&2; exit 2; }
done
if [ $load_module = 1 ] && [ ! -r "$top/gossipchain.ko" ]; then
	echo "gcvm: missing $top/gossipchain.ko: run make first" >&2
	exit 2
fi

# The run directory lives under the repository because the guest sees the host
# root read-only at the same paths, but gets fresh tmpfs over /tmp.
mkdir -p "$build/vm"
run=$(mktemp -d "$build/vm/run.XXXXXX")
trap 'rm -rf "$run"' EXIT

{
	echo '#!/bin/bash'
	printf 'export GC_TOP=%q GC_BUILD=%q GC_KVER=%q\n' "$top" "$build" "$kver"
	printf 'export PATH=%q:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8\n' "$build/bin"
	[ -z "${GC_SELFTESTS:-}" ] || printf 'export GC_SELFTESTS=%q\n' "$GC_SELFTESTS"
	printf 'cd %q || exit 125\n' "$top"
	echo 'ip link set lo up'
	# devtmpfs has no /dev/fd, which bash's process substitution needs.
	echo '[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd'
	if [ $load_module = 1 ]; then
		echo 'deps=$(modinfo -F depends ./gossipchain.ko | tr , " ")'
		echo '[ -z "$deps" ] || modprobe -a $deps || exit 125'
		echo 'insmod ./gossipchain.ko || { echo "gcvm: insmod gossipchain.ko failed"; exit 125; }'
	fi
	if [ -n "$disk" ]; then
		# Modules come from the host root, as any other program does.
		echo 'modprobe -a virtio_blk ext4 || { echo "gcvm: modprobe virtio_blk ext4 failed"; exit 125; }'
		echo 'for _ in $(seq 100); do [ -b /dev/vda ] && break; sleep 0.1; done'
		echo '[ -b /dev/vda ] || { echo "gcvm: no /dev/vda"; exit 125; }'
	fi
	printf '%q ' "$@"
	echo
	echo 'status=$?'
	echo 'if dmesg | grep -E "WARNING:|BUG:|Oops|Call Trace:|general protection|KASAN|UBSAN|possible recursive locking|INFO: task .* blocked|refcount_t:|kmemleak"; then'
	echo '	echo "gcvm: kernel log shows a warning or bug (above)"; [ $status -ne 0 ] || status=124'
	echo 'fi'
	echo 'exit $status'
} >"$run/script"
chmod 755 "$run/script"

cmdline="console=ttyS0 loglevel=4 panic_on_warn=1 oops=panic panic=-1 softlockup_panic=1"
cmdline="$cmdline mitigations=off rcupdate.rcu_expedited=1 gcvm_script=$run/script"
cmdline="$cmdline gcvm_top=$top"

drive=()
[ -z "$disk" ] || drive=(-drive "file=$disk,if=virtio,format=raw,cache=writeback")

# power_watch: passes the output on; at a line equal to $marker, kills qemu
# (by its own pid: $qemu below is timeout's) and notes it in $run/powered-off.
power_watch() {
	local line
	while IFS= read -r line; do
		if [ "$line" = "$marker" ] && [ ! -e "$run/powered-off" ]; then
			kill -KILL "$(cat "$run/qemu.pid")" && : >"$run/powered-off"
		fi
		[[ $line == "GCVM-EXIT "* ]] || printf '%s\n' "$line"
	done
}

# ttyS0: kernel console, kept in a file and shown when the run fails.
# ttyS1: the command's output, streamed here, ending in "GCVM-EXIT <status>".
set +e
timeout --foreground -k 10 "$timeout" qemu-system-x86_64 \
	-nodefaults -display none -no-reboot \
	-machine q35 -accel tcg,thread=multi -cpu max -smp 2 -m 2048 \
	-kernel "$kernel" -initrd "$initramfs" -append "$cmdline" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	"${drive[@]}" -pidfile "$run/qemu.pid" \
	-serial "file:$run/console" \
	-chardev "file,id=out,path=$run/out" -serial chardev:out \
	</dev/null &
qemu=$!
# Stream the command's output while the VM runs.
if [ -n "$marker" ]; then
	tail --pid=$qemu -n +1 -F "$run/out" 2>/dev/null | sed -u 's/\r$//' | power_watch &
else
	tail --pid=$qemu -n +1 -F "$run/out" 2>/dev/null | sed -u 's/\r$//' | grep --line-buffered -v '^GCVM-EXIT ' &
fi
tailer=$!
if [ -n "$marker" ]; then
	# Without bash's "Killed" for the power cut, which is reported below.
	{ wait $qemu; } 2>/dev/null
else
	wait $qemu
fi
vm_status=$?
wait $tailer 2>/dev/null
set -e

if [ -n "$marker" ]; then
	if [ -e "$run/powered-off" ]; then
		echo "gcvm: powered off on $marker" >&2
		exit 0
	fi
	status=$(tr -d '\r' <"$run/out" 2>/dev/null | sed -n 's/^GCVM-EXIT \([0-9]*\)$/\1/p' | tail -n 1)
	echo "gcvm: the VM ended (status ${status:-none}, qemu $vm_status) without $marker" >&2
	echo "gcvm: --- kernel console (last 30 lines) ---" >&2
	tr -d '\r' <"$run/console" | tail -n 30 >&2
	exit 1
fi

status=$(tr -d '\r' <"$run/out" 2>/dev/null | sed -n 's/^GCVM-EXIT \([0-9]*\)$/\1/p' | tail -n 1)
if [ -z "$status" ]; then
	if [ $vm_status = 124 ]; then
		echo "gcvm: VM did not finish within ${timeout}s" >&2
	else
		echo "gcvm: VM ended without a result (kernel panic, WARN or oops?)" >&2
	fi
	echo "gcvm: --- kernel console (last 60 lines) ---" >&2
	tr -d '\r' <"$run/console" | tail -n 60 >&2
	exit 1
fi
if [ "$status" != 0 ] && [ "${GC_VM_CONSOLE:-1}" = 1 ]; then
	echo "gcvm: --- kernel console (last 30 lines) ---" >&2
	tr -d '\r' <"$run/console" | tail -n 30 >&2
fi
exit "$status"
