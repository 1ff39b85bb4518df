#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Installs, from Debian's packages, whatever of the build and test
# dependencies is missing. Idempotent: with everything present it only asks
# dpkg and returns. Run as root (make deps); a non-root user gets the list.
set -eu

pkgs="
build-essential pkg-config bc cpio xz-utils kmod
linux-headers-amd64 linux-image-amd64 linux-source-6.1
qemu-system-x86 busybox-static
libmnl-dev libsodium-dev liblmdb-dev libjson-c-dev zlib1g-dev
clang clang-format libclang-rt-14-dev
iproute2 util-linux procps jq groff-base
"

missing=
for p in $pkgs; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing="$missing $p"
done
[ -n "$missing" ] || exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing Debian packages:$missing" >&2
	echo "deps: run 'make deps' as root, or: apt-get install$missing" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
