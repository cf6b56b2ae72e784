# SPDX-License-Identifier: GPL-2.0-only
# Shared helpers for the faultmem scripts (sourced, not run).

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
	tr ',|' '\n\n' | sed 's/^ *//; s/[ (].*//' | grep "^$1" | head -n 1
}

# The files kbuild (and so DKMS) needs to build the module, relative to the
# top of the tree $1: nothing generated, nothing for userspace.
module_sources() {
	(cd "$1" && ls Kbuild dkms.conf driver/Kbuild driver/*.c driver/*.h \
		include/uapi/*.h | grep -v '\.mod\.c$')
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

# check WHAT COMMAND...: run COMMAND and print "ok - WHAT" or "not ok -
# WHAT" with the end of its output; counts in the caller's passed and
# failed. The output goes to the caller's file $log.
check() {
	local what=$1

	shift
	if "$@" >"$log" 2>&1; then
		echo "ok - $what"
		passed=$((passed + 1))
	else
		echo "not ok - $what"
		sed 's/^/#   /' "$log" | tail -n 30
		failed=$((failed + 1))
	fi
}

# merge_checks WHAT COMMAND...: run COMMAND, which prints "ok - ..." and
# "not ok - ..." lines of its own; each is one check of the caller's lane
# (its passed and failed), named "WHAT: ...". A run that fails without a
# "not ok" line (no VM, no chroot) is one more failed check. The output
# goes to the caller's file $log.
merge_checks() {
	local what=$1 rc before=$failed verdict

	shift
	"$@" >"$log" 2>&1
	rc=$?
	while read -r verdict; do
		case $verdict in
		"ok - "*) passed=$((passed + 1)) ;;
		*) failed=$((failed + 1)) ;;
		esac
		echo "${verdict%% - *} - $what: ${verdict#* - }"
	done < <(grep -E '^(not )?ok - ' "$log")
	if [ "$rc" -ne 0 ]; then
		[ "$failed" -gt "$before" ] || {
			echo "not ok - $what: the run failed (exit $rc)"
			failed=$((failed + 1))
		}
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
