# SPDX-License-Identifier: GPL-2.0-only
# Shared helpers for the faultmem scripts (sourced, not run).
# shellcheck shell=bash

# Where downloaded kernels and other slow-to-make artefacts are kept between
# runs. Everything in it can be deleted and is then made again.
FAULTMEM_CACHE=${FAULTMEM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/faultmem}

die() {
	echo "faultmem: $*" >&2
	exit 1
}

# parse_kernel_spec SPEC: split a kernel spec, SUITE[-SERIES][-rt] (see
# kernel.sh), into spec_suite, spec_series and spec_flavour. Fails on a
# spec that names no kernel faultmem knows how to get.
# spec_flavour is for the callers (kernel.sh); nothing here reads it.
# shellcheck disable=SC2034
parse_kernel_spec() {
	local rest

	spec_suite=${1%%-*}
	rest=${1#"$spec_suite"}
	rest=${rest#-}
	spec_flavour=
	case $rest in
	rt) spec_flavour=rt rest= ;;
	*-rt) spec_flavour=rt rest=${rest%-rt} ;;
	esac
	spec_series=$rest
	case $spec_suite in
	bookworm | trixie | sid | experimental) ;;
	*) return 1 ;;
	esac
	# Only the host picks among several series by meta-package.
	case $spec_series in
	"") ;;
	[0-9]*.[0-9]*) [ "$spec_suite" = bookworm ] || return 1 ;;
	*) return 1 ;;
	esac
}

# The Debian 12 meta-package for the headers of a kernel series and
# flavour, the one Debian keeps pointing at the newest build: no series is
# Debian 12's default kernel (6.1), "6.12" the newer series Debian 12 also
# ships; no flavour is the standard kernel, "rt" PREEMPT_RT. For example
# linux-headers-amd64, linux-headers-rt-amd64, linux-headers-6.12-amd64.
headers_package() {
	echo "linux-headers-${1:+$1-}${2:+$2-}amd64"
}

# The headers tree (/usr/src/linux-headers-RELEASE) of a Debian 12 kernel
# series and flavour: the one its installed meta-package depends on, or
# nothing. Not "the newest tree installed", which changes meaning when
# another series is installed beside the default one.
debian_headers() {
	local dep

	dep=$(dpkg-query -W -f='${Depends}' "$(headers_package "$@")" 2>/dev/null |
		first_dependency linux-headers-)
	[ -n "$dep" ] && [ -d "/usr/src/$dep" ] && echo "/usr/src/$dep"
}

# first_dependency PREFIX: of a Depends field on stdin, the first package
# whose name starts with PREFIX (a meta-package may depend on others
# first: sid's linux-headers-amd64 names linux-base-amd64 before the
# headers).
first_dependency() {
	sed 's/[,|]/\n/g' | sed 's/^ *//; s/[ (].*//' | grep "^$1" | head -n 1
}

# The files kbuild (and so DKMS) needs to build the module, relative to the
# top of the tree $1: nothing generated, nothing for userspace.
module_sources() {
	(cd "$1" && for f in Kbuild dkms.conf driver/Kbuild driver/*.c driver/*.h \
		include/uapi/*.h; do
		case $f in
		*.mod.c) ;;
		*) echo "$f" ;;
		esac
	done)
}

# The kernel release a headers tree builds for, e.g. 6.1.0-56-amd64.
kdir_release() {
	sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' \
		"$1/include/generated/utsrelease.h" 2>/dev/null
}

# The compiler a headers tree builds modules with, e.g. "gcc 16.2.0"
# (from its CONFIG_CC_VERSION_TEXT).
kdir_compiler() {
	sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"$/\1/p' "$1/.config" \
		"$1/include/config/auto.conf" 2>/dev/null | head -n 1 |
		sed -E 's/^[^ ]*(gcc|clang)[^ ]* .* ([0-9]+\.[0-9]+(\.[0-9]+)?)$/\1 \2/'
}

# Fail unless the guest run whose results log is $1 reached its end.
require_complete_run() {
	grep -q '^FAULTMEM-RUN-COMPLETE$' "$1" || die "the $2 run did not complete; see $1"
}

# Every lane prints its results as KTAP (the kernel's
# Documentation/dev-tools/ktap.rst): a "KTAP version 1" header, then one
# line per check, numbered from 1,
#   ok N - NAME
#   not ok N - NAME
#   ok N - NAME # SKIP WHY
# and, at the end, the plan "1..N" (KTAP allows it last: no lane knows
# its count in advance) and the counts .ci/run adds up,
#   P passed, F failed, S skipped
# ktap_result prints every result line; nothing else does.
ktap_count=0 passed=0 failed=0 skipped=0

# ktap_result ok|"not ok"|skip NAME [WHY]: print the next result line and
# count it in passed, failed or skipped.
ktap_result() {
	[ "$ktap_count" -gt 0 ] || echo "KTAP version 1"
	ktap_count=$((ktap_count + 1))
	case $1 in
	ok)
		passed=$((passed + 1))
		echo "ok $ktap_count - $2"
		;;
	skip)
		skipped=$((skipped + 1))
		echo "ok $ktap_count - $2 # SKIP${3:+ $3}"
		;;
	*)
		failed=$((failed + 1))
		echo "not ok $ktap_count - $2"
		;;
	esac
}

# ktap_done: the plan and the counts; true if nothing failed.
ktap_done() {
	echo "1..$ktap_count"
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
}

# ktap_relay PREFIX: another script's KTAP output, on standard input, as
# results of this one: each result renumbered and named "PREFIX NAME";
# its header, plan and counts dropped; any other line printed as it is.
ktap_relay() {
	local line name why

	while IFS= read -r line; do
		case $line in
		"KTAP version "* | 1..[0-9]* | [0-9]*" passed, "[0-9]*" failed"*) ;;
		"ok "[0-9]*" - "*" # SKIP"*)
			name=${line#* - } why=${line#* # SKIP}
			ktap_result skip "$1${name%% # SKIP*}" "${why# }"
			;;
		"ok "[0-9]*" - "*) ktap_result ok "$1${line#* - }" ;;
		"not ok "[0-9]*" - "*) ktap_result "not ok" "$1${line#* - }" ;;
		*) echo "$line" ;;
		esac
	done
}

# check WHAT COMMAND...: run COMMAND; one result, WHAT, ok if it
# succeeds, else not ok with the end of its output. The output goes to
# the caller's file $log.
check() {
	local what=$1

	shift
	if "$@" >"${log:?}" 2>&1; then
		ktap_result ok "$what"
	else
		ktap_result "not ok" "$what"
		sed 's/^/#   /' "$log" | tail -n 30
	fi
}

# merge_checks WHAT COMMAND...: run COMMAND, a script that prints KTAP
# results of its own; each is one result of the caller's lane, named
# "WHAT: ...". A run that fails without a "not ok" line (no VM, no
# chroot) is one more failed result. The output goes to the caller's
# file $log.
merge_checks() {
	local what=$1 rc before=$failed

	shift
	"$@" >"${log:?}" 2>&1
	rc=$?
	ktap_relay "$what: " < <(grep -E '^(not )?ok [0-9]+ - ' "$log")
	if [ "$rc" -ne 0 ]; then
		[ "$failed" -gt "$before" ] ||
			ktap_result "not ok" "$what: the run failed (exit $rc)"
		sed 's/^/#   /' "$log" | tail -n 30
	fi
}

# unpack_deb PACKAGE DIR [MEMBER...]: download a package from the archive
# (PACKAGE may be NAME=VERSION) and unpack it, or only the MEMBERs given as
# "./path", into DIR. Nothing is installed: no maintainer script runs.
unpack_deb() {
	local package=$1 dir=$2 tmp

	shift 2
	tmp=$(mktemp -d) || return 1
	echo "faultmem: downloading $package" >&2
	if ! (cd "$tmp" && apt-get download "$package" >&2); then
		rm -rf "$tmp"
		return 1
	fi
	mkdir -p "$dir" &&
	dpkg-deb --fsys-tarfile "$tmp"/*.deb | tar -x -C "$dir" "$@"
	local rc=$?
	rm -rf "$tmp"
	return $rc
}
