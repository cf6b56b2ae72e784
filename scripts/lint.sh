#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Kernel-style checks of the driver, each a KTAP result (lib.sh), then
# the "N passed, N failed, N skipped" summary:
#   checkpatch.pl --strict, from the oldest kernel we support (Debian 12's
#   6.1) and from the newest stable one (Debian unstable's), whose rules
#   know the newest deprecations; sparse (C=2) and W=1 warnings against
#   every kernel given, each with its own compiler (build-matrix.sh);
#   every version gate in compat.h compiled on both of its sides by those
#   kernels; kernel-doc; SPDX; version gates only in compat.h; one version
#   number everywhere; faultmem(1) against the tool's --help; shellcheck
#   on every shell script.
# The kernel's scripts come from Debian's linux-source packages at run
# time (extracted into build/lint), never from the repository.
#
# usage: lint.sh SPEC...    (kernel specs, see kernel.sh)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
[ $# -ge 1 ] || die "usage: lint.sh SPEC..."
top=$(cd "$here/.." && pwd)
cd "$top" || exit 1
out=build/lint
mkdir -p "$out"

# result STATUS NAME FILE: one result, ok if the exit STATUS is 0, else
# not ok with the start of FILE, the check's report.
result() {
	if [ "$1" -eq 0 ]; then
		ktap_result ok "$2"
	else
		ktap_result "not ok" "$2"
		sed 's/^/#   /' "$3" | head -n 40
	fi
}

# scripts_of SPEC: extract checkpatch.pl and kernel-doc (with the files
# they read) from the linux-source tarball of SPEC's suite; print the
# directory.
scripts_of() {
	local tarball src

	tarball=$(scripts/kernel.sh source "$1") || return 1
	src=$(basename "$tarball" .tar.xz)
	if [ ! -f "$out/$src/scripts/checkpatch.pl" ]; then
		tar -xJf "$tarball" -C "$out" --wildcards "$src/scripts/checkpatch.pl" \
			"$src/scripts/spelling.txt" "$src/scripts/const_structs.checkpatch" \
			"$src/scripts/kernel-doc*" >&2 || return 1
	fi
	echo "$out/$src"
}

# Some checks are about the whole set of kernels CI builds (KERNELS in the
# Makefile) and run only when all of them are linted, not for one SUITE.
all_kernels=$(sed -n 's/^KERNELS := //p' Makefile)
full=1
for spec in $all_kernels; do
	case " $* " in *" $spec "*) ;; *) full=0 ;; esac
done

kernel_files=$(git ls-files 'driver/*.c' 'driver/*.h' 'include/uapi/*.h' 'selftests/runner/modules/*.c')

# compat.h exists to hold version gates, which checkpatch flags
# by design (LINUX_VERSION_CODE, and the constant-comparison rule that
# misreads them); everything else in it is checked like any other file.
compat=driver/compat.h
checkpatch() {
	local src=$1 report=$2 files rc=0

	mapfile -t files < <(echo "$kernel_files" | grep -vx "$compat")
	perl "$src/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
		-f "${files[@]}" >"$report" 2>&1 || rc=1
	perl "$src/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
		--ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON -f "$compat" \
		>>"$report" 2>&1 || rc=1
	[ "$rc" -eq 0 ] && ! grep -qE ': (ERROR|WARNING|CHECK):' "$report"
}

oldest=
for suite in bookworm sid; do
	src=$(scripts_of "$suite" 2>"$out/scripts-$suite.txt")
	if [ -z "$src" ]; then
		result 1 "checkpatch.pl from $suite's linux-source: extracted" \
			"$out/scripts-$suite.txt"
		continue
	fi
	[ -n "$oldest" ] || oldest=$src
	checkpatch "$src" "$out/checkpatch-$suite.txt"
	result $? "checkpatch.pl --strict from $suite's ${src##*/}: driver, uapi header and test modules" \
		"$out/checkpatch-$suite.txt"
done

# A fresh build of the module for each kernel, so that every file is
# compiled and checked against each kernel's API with its own compiler.
scripts/build-matrix.sh --sparse "$@" >"$out/matrix.txt" 2>&1
matrix_rc=$?
matrix_failed=$failed
ktap_relay "" <"$out/matrix.txt"
[ "$matrix_rc" -eq 0 ] || [ "$failed" -gt "$matrix_failed" ] ||
	result 1 "build-matrix.sh ran" "$out/matrix.txt"

# The chroots follow the archive (suite.sh): the headers installed for
# sid are the ones its headers meta-package depends on in the package
# lists now, and a kernel the suite moved away from is purged by the next
# prepare. The stale kernel is a dummy headers package of release
# 0.0.1-faultmem-stale (with a hyphen, as rc names may have), installed by
# hand.
suite_follows_archive() {
	local root deb candidate

	root=$(scripts/suite.sh root sid)
	# Expanded in the chroot, hence the single quotes.
	# shellcheck disable=SC2016
	candidate=$(scripts/suite.sh run sid sh -c \
		'apt-cache show "linux-headers-amd64=$(apt-cache policy linux-headers-amd64 | sed -n "s/ *Candidate: //p")"' |
		sed -n 's/^Depends: //p' | first_dependency linux-headers-)
	echo "candidate: $candidate; installed: linux-headers-$(scripts/kernel.sh release sid)"
	[ -n "$candidate" ] &&
		[ "$candidate" = "linux-headers-$(scripts/kernel.sh release sid)" ] || return 1
	deb=$root/var/tmp/faultmem-stale
	rm -rf "$deb" && mkdir -p "$deb/DEBIAN" &&
	printf '%s\n' 'Package: linux-headers-0.0.1-faultmem-stale-amd64' \
		'Version: 0.0.1-1' 'Architecture: all' \
		'Maintainer: faultmem <faultmem@localhost>' \
		'Description: a kernel sid has moved away from (make lint)' \
		>"$deb/DEBIAN/control" &&
	dpkg-deb --build "$deb" "$deb.deb" >/dev/null &&
	scripts/suite.sh run sid dpkg -i /var/tmp/faultmem-stale.deb &&
	FAULTMEM_SUITE_MAX_AGE=86400 scripts/suite.sh prepare sid &&
	rm -rf "$deb" "$deb.deb" &&
	! dpkg-query --admindir="$root/var/lib/dpkg" -W \
		-f='${db:Status-Abbrev}' linux-headers-0.0.1-faultmem-stale-amd64 2>/dev/null |
		grep -q '^ii' &&
	[ -d "$(scripts/kernel.sh kdir sid)" ]
}
case " $* " in
*" sid "*)
	suite_follows_archive >"$out/suite.txt" 2>&1
	result $? "sid's chroot holds the headers its archive names now, and purges a kernel it moved away from" \
		"$out/suite.txt"
	;;
esac

if [ "$full" = 1 ]; then
	# Every version gate must be compiled on both of its sides: some kernel
	# linted here is older than the release it names, and some is at least
	# that release. A gate no build compiles is a guess.
	codes=
	for spec in "$@"; do
		kdir=$(scripts/kernel.sh kdir "$spec" 2>/dev/null) || continue
		code=$(sed -n 's/^#define LINUX_VERSION_CODE \([0-9]*\)$/\1/p' \
			"$kdir/include/generated/uapi/linux/version.h" 2>/dev/null)
		[ -n "$code" ] && codes="$codes $code"
	done
	grep -o 'KERNEL_VERSION *( *[0-9]* *, *[0-9]* *, *[0-9]* *)' "$compat" |
		tr -dc '0-9,\n' | sort -u >"$out/gates.txt"
	: >"$out/gates-uncompiled.txt"
	while IFS=, read -r a b c; do
		gate=$(((a << 16) + (b << 8) + c))
		below=0 above=0
		for code in $codes; do
			if [ "$code" -lt "$gate" ]; then below=1; else above=1; fi
		done
		[ $below = 1 ] && [ $above = 1 ] ||
			echo "KERNEL_VERSION($a, $b, $c): no kernel linted on the $([ $below = 1 ] && echo new || echo old) side of it" \
				>>"$out/gates-uncompiled.txt"
	done <"$out/gates.txt"
	[ -s "$out/gates.txt" ] && [ ! -s "$out/gates-uncompiled.txt" ]
	result $? "each of the $(wc -l <"$out/gates.txt") version gates in compat.h is compiled on both sides by the kernels linted" \
		"$out/gates-uncompiled.txt"

	# The supported-kernels table (docs/kernels.md) is a claim about CI: its rows are
	# exactly the kernels make lint builds by default (KERNELS in the
	# Makefile), and .ci/run runs every lane a row names (its words, perhaps
	# with more settings).
	awk '/^<!-- kernels:begin/ { on = 1; next } /^<!-- kernels:end/ { on = 0 } on' \
		docs/kernels.md >"$out/readme-kernels.md"
	: >"$out/readme-claims.txt"
	rows=$(awk -F'|' 'NR > 4 && NF > 6 { gsub(/ /, "", $2); print $2 }' "$out/readme-kernels.md")
	for spec in $all_kernels; do
		echo "$rows" | grep -qx "$spec" ||
			echo "no docs/kernels.md row for $spec" >>"$out/readme-claims.txt"
	done
	for spec in $rows; do
		case " $all_kernels " in
		*" $spec "*) ;;
		*) echo "docs/kernels.md row $spec is not a kernel make lint builds" >>"$out/readme-claims.txt" ;;
		esac
	done
	# lane_key COMMAND...: what names a lane: the make target and the
	# settings that pick the kernel or the lane's variant, in order; tuning
	# settings (STRESS_SECONDS, VM_*) do not count.
	lane_key() {
		local target=$2 word settings=()

		shift 2
		for word in "$@"; do
			case $word in
			SUITE=* | FLAVOUR=* | KSERIES=* | DEBUG=*) settings+=("$word") ;;
			esac
		done
		echo "make $target$(printf '%s\n' "${settings[@]}" | sort | tr '\n' ' ' | sed 's/^/ /; s/ *$//')"
	}
	# A lane is a line "lane NAME make ...", or a "make ..." string of a
	# lanes_together call (to the end of its continued lines).
	{
		grep -E '^lane ' .ci/run | sed 's/^lane "[^"]*" //'
		awk '/^lanes_together /, !/\\$/' .ci/run | grep -oE '"make [^"]*"' | tr -d '"'
	} | while read -ra ci; do lane_key "${ci[@]}"; done >"$out/ci-lanes.txt"
	grep -o "\`make [^\`]*\`" "$out/readme-kernels.md" | tr -d '`' | sort -u |
		while read -r lane; do
			read -ra words <<<"$lane"
			grep -qxF "$(lane_key "${words[@]}")" "$out/ci-lanes.txt" ||
				echo "docs/kernels.md names '$lane', which .ci/run does not run" >>"$out/readme-claims.txt"
		done
	[ -n "$rows" ] && [ ! -s "$out/readme-claims.txt" ]
	result $? "the supported-kernels table: one row per kernel CI builds, every lane it names in .ci/run" \
		"$out/readme-claims.txt"
else
	echo "# not every kernel linted: the version-gate and kernels-table checks need them all"
fi

[ -n "$oldest" ] &&
	perl "$oldest/scripts/kernel-doc" -none -v driver/*.c driver/*.h include/uapi/*.h \
		>"$out/kernel-doc.txt" 2>&1 &&
	! grep -qiE 'warning|error' "$out/kernel-doc.txt"
result $? "kernel-doc comments are well formed" "$out/kernel-doc.txt"

git ls-files -z '*.c' '*.h' '*.sh' 'Kbuild' '*/Kbuild' 'Makefile' |
	xargs -0 grep -L 'SPDX-License-Identifier' >"$out/spdx.txt" 2>/dev/null
[ -s "$out/spdx.txt" ]
result $((! $?)) "every source file carries an SPDX identifier" "$out/spdx.txt"

# Every shell script, shellcheck-clean at every severity; the files a
# script sources are read from its own directory (its "shellcheck
# source=" line names them).
shell_scripts() {
	git ls-files '*.sh' .ci/run 'debian/*.postinst' 'debian/*.postrm' \
		'debian/*.preinst' 'debian/*.prerm'
}
shell_scripts | xargs -d '\n' shellcheck -x -P SCRIPTDIR >"$out/shellcheck.txt" 2>&1
result $? "shellcheck finds nothing in the $(shell_scripts | wc -l) shell scripts" \
	"$out/shellcheck.txt"

# Kernel-version conditionals live in one place (issue #7).
grep -nE 'LINUX_VERSION_CODE|KERNEL_VERSION *\(' driver/*.c driver/*.h |
	grep -v '^driver/compat.h:' >"$out/version-gates.txt"
[ -s "$out/version-gates.txt" ]
result $((! $?)) "version conditionals only in driver/compat.h" "$out/version-gates.txt"

# One version everywhere: MODULE_VERSION, dkms.conf, the newest
# CHANGELOG.md entry and debian/changelog (scripts/version.sh; "make
# set-version VERSION=X.Y.Z" is the one place to change it).
scripts/version.sh check >"$out/version.txt" 2>&1
result $? "one version in MODULE_VERSION, dkms.conf, CHANGELOG.md and debian/changelog ($(scripts/version.sh get))" "$out/version.txt"

# The manual page the package installs keeps up with the tool's --help.
scripts/check-manpage.sh >"$out/manpage.txt" 2>&1
result $? "faultmem(1) has every command and option of faultmem --help" "$out/manpage.txt"

ktap_done
