#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Extract the kselftest harness headers from Debian's linux-source-6.1
# tarball into a build directory (they are not copied into the repository).
#
# usage: fetch-kselftest.sh OUTDIR
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

out=${1:?usage: fetch-kselftest.sh OUTDIR}
[ -f "$out/kselftest_harness.h" ] && exit 0

tarball=$(printf '%s\n' /usr/src/linux-source-*.tar.xz | sort -V | tail -n 1)
[ -f "$tarball" ] || tarball=
[ -n "$tarball" ] || die "no kernel source tarball: install it with 'apt-get install linux-source-6.1'"
top=$(basename "$tarball" .tar.xz)
mkdir -p "$out"
tar -xJf "$tarball" -C "$out" --strip-components=4 \
	"$top/tools/testing/selftests/kselftest_harness.h" \
	"$top/tools/testing/selftests/kselftest.h"
