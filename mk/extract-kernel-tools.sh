#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Takes kselftest_harness.h, kselftest.h and checkpatch.pl (with the data
# files it reads) out of Debian's linux-source tarball into a build folder.
# They are never copied into the repository.
set -eu
tarball=$1
out=$2
members="tools/testing/selftests/kselftest_harness.h
tools/testing/selftests/kselftest.h
scripts/checkpatch.pl
scripts/spelling.txt
scripts/const_structs.checkpatch"

top=$(tar -tJf "$tarball" 2>/dev/null | head -n 1 | cut -d/ -f1)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2046
tar -xJf "$tarball" -C "$tmp" $(for m in $members; do echo "$top/$m"; done)
mkdir -p "$out"
for m in $members; do
	cp "$tmp/$top/$m" "$out/$(basename "$m")"
done
