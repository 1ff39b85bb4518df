#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Builds the test VM's initramfs: busybox-static, the modules needed to reach
# the host root over virtio-9p, and tests/vm/init. Usage: mkinitramfs.sh KVER OUT
set -eu
kver=$1
out=$2
here=$(dirname "$0")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/bin" "$work/lib/modules" "$work/proc" "$work/sys" "$work/dev" "$work/newroot"
cp /bin/busybox "$work/bin/busybox"
for applet in sh mount umount mkdir chmod insmod poweroff echo switch_root; do
	ln -s busybox "$work/bin/$applet"
done

# modprobe --show-depends gives the insmod order; keep it for init.
: >"$work/lib/modules/load"
for mod in virtio_pci 9pnet_virtio 9p; do
	modprobe -S "$kver" --show-depends "$mod" | awk '$1 == "insmod" { print $2 }'
done | awk '!seen[$0]++' | while read -r ko; do
	name=$(basename "$ko")
	case "$ko" in
	*.xz) xz -dc "$ko" >"$work/lib/modules/${name%.xz}"; name=${name%.xz} ;;
	*.zst) zstd -qdc "$ko" >"$work/lib/modules/${name%.zst}"; name=${name%.zst} ;;
	*) cp "$ko" "$work/lib/modules/$name" ;;
	esac
	echo "$name" >>"$work/lib/modules/load"
done

cp "$here/init" "$work/init"
chmod 755 "$work/init"
(cd "$work" && find . | LC_ALL=C sort | cpio --quiet -o -H newc --reproducible) | gzip -9n >"$out.tmp"
mv "$out.tmp" "$out"
