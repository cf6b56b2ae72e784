#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Kernel-style checks of the driver, each a pass/fail line, then the
# "N passed, N failed" summary:
#   checkpatch.pl --strict, sparse (C=2) and W=1 warnings against every
#   headers tree given (6.1 and 6.12 in CI), kernel-doc, SPDX, version
#   gates only in compat.h, one version number everywhere
# The kernel's scripts come from Debian's linux-source-6.1 tarball at run
# time (extracted into build/lint), never from the repository.
#
# usage: lint.sh KDIR [KDIR...]
set -u
. "$(dirname "$0")/lib.sh"
[ $# -ge 1 ] || die "usage: lint.sh KDIR [KDIR...]"
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=build/lint
mkdir -p "$out"
passed=0 failed=0

result() {
	if [ "$1" -eq 0 ]; then
		echo "ok - $2"
		passed=$((passed + 1))
	else
		echo "not ok - $2"
		sed 's/^/#   /' "$3" | head -n 40
		failed=$((failed + 1))
	fi
}

tarball=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n 1)
[ -n "$tarball" ] || die "no kernel source tarball: apt-get install linux-source-6.1"
src=$(basename "$tarball" .tar.xz)
if [ ! -f "$out/$src/scripts/checkpatch.pl" ]; then
	tar -xJf "$tarball" -C "$out" "$src/scripts/checkpatch.pl" \
		"$src/scripts/spelling.txt" "$src/scripts/const_structs.checkpatch" \
		"$src/scripts/kernel-doc" || die "cannot extract the kernel's scripts"
fi

kernel_files=$(git ls-files 'driver/*.c' 'driver/*.h' 'include/uapi/*.h' 'selftests/runner/modules/*.c')

# compat.h exists to hold version gates, which checkpatch flags
# by design (LINUX_VERSION_CODE, and the constant-comparison rule that
# misreads them); everything else in it is checked like any other file.
compat=driver/compat.h
perl "$out/$src/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
	-f $(echo "$kernel_files" | grep -vx "$compat") >"$out/checkpatch.txt" 2>&1
perl "$out/$src/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
	--ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON -f "$compat" \
	>>"$out/checkpatch.txt" 2>&1
grep -qE ': (ERROR|WARNING|CHECK):' "$out/checkpatch.txt"
result $((! $?)) "checkpatch.pl --strict: driver, uapi header and test modules" "$out/checkpatch.txt"

# A fresh build of the module for each kernel, so that every file is
# compiled and checked against each kernel's API.
for kdir in "$@"; do
	release=$(kdir_release "$kdir")
	lintsrc=$out/module-$release
	scripts/build-module.sh "$kdir" "$lintsrc" >/dev/null 2>&1 || true
	make -C "$kdir" M="$(cd "$lintsrc" && pwd)" clean >/dev/null 2>&1
	make -C "$kdir" M="$(cd "$lintsrc" && pwd)" W=1 C=2 modules \
		>"$out/build-$release.txt" 2>&1
	build_rc=$?
	grep -vE 'Skipping BTF generation' "$out/build-$release.txt" |
		grep -qE 'warning:|error:'
	warnings=$?
	result $((build_rc != 0 || warnings == 0)) \
		"W=1 build with sparse (C=2) for $release: no warning" \
		"$out/build-$release.txt"
done

perl "$out/$src/scripts/kernel-doc" -none -v driver/*.c driver/*.h include/uapi/*.h \
	>"$out/kernel-doc.txt" 2>&1
grep -qiE 'warning|error' "$out/kernel-doc.txt"
result $((! $?)) "kernel-doc comments are well formed" "$out/kernel-doc.txt"

grep -L 'SPDX-License-Identifier' $(git ls-files '*.c' '*.h' '*.sh' 'Kbuild' '*/Kbuild' 'Makefile') \
	>"$out/spdx.txt" 2>/dev/null
[ -s "$out/spdx.txt" ]
result $((! $?)) "every source file carries an SPDX identifier" "$out/spdx.txt"

# Kernel-version conditionals live in one place (issue #7).
grep -nE 'LINUX_VERSION_CODE|KERNEL_VERSION *\(' driver/*.c driver/*.h |
	grep -v '^driver/compat.h:' >"$out/version-gates.txt"
[ -s "$out/version-gates.txt" ]
result $((! $?)) "version conditionals only in driver/compat.h" "$out/version-gates.txt"

# One version everywhere: MODULE_VERSION, dkms.conf and the newest
# CHANGELOG entry.
module_version=$(sed -n 's/^MODULE_VERSION("\(.*\)");/\1/p' driver/faultmem_main.c)
dkms_version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
changelog_version=$(sed -n 's/^## \[\([0-9][^]]*\)\].*/\1/p' CHANGELOG.md | head -n 1)
echo "MODULE_VERSION=$module_version dkms.conf=$dkms_version CHANGELOG=$changelog_version" >"$out/version.txt"
[ -n "$module_version" ] && [ "$module_version" = "$dkms_version" ] &&
	[ "$module_version" = "$changelog_version" ]
result $? "one version in MODULE_VERSION, dkms.conf and CHANGELOG.md ($module_version)" "$out/version.txt"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
