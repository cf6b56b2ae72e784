#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The Debian suites faultmem is built and tested on besides the host's own
# Debian 12: trixie (Debian 13), sid (unstable) and experimental. Each has
# a minimal chroot (debootstrap --variant=minbase), cached as
# $FAULTMEM_CACHE/suites/SUITE, that holds the suite's kernel headers and
# the compiler they depend on, as a machine running that suite would.
# Their kbuild programs need the suite's glibc, so every kbuild command for
# such a kernel runs inside its chroot (suite.sh run).
#
# Which kernel a suite means is read from the suite at run time: the
# headers meta-package linux-headers-[FLAVOUR-]amd64 names it, taken from
# experimental for experimental (APT::Default-Release, as
# "apt-get -t experimental" does). "prepare" refreshes the package lists
# (at most every FAULTMEM_SUITE_MAX_AGE seconds, default 600), installs
# what the meta-package depends on now and purges the kernels the suite
# has moved away from: when sid moves to a new release, nothing in the
# repository changes.
#
# usage:
#   suite.sh prepare SUITE [FLAVOUR [PACKAGE...]]
#       make or refresh the chroot and install the headers of FLAVOUR
#       ("" or rt) and the PACKAGEs (needs root and the archive)
#   suite.sh kdir SUITE [FLAVOUR]    the headers tree, as a path on the host
#   suite.sh root SUITE              the chroot's directory on the host
#   suite.sh run SUITE COMMAND...    run COMMAND inside the chroot (root)
#   suite.sh apt SUITE ARGUMENT...   apt-get ARGUMENTs in the chroot, one
#                                    at a time with "prepare" (root)
#   suite.sh download SUITE PACKAGE DIR
#                                    unpack PACKAGE from the suite into DIR
#
# Environment: FAULTMEM_MIRROR (default http://deb.debian.org/debian).
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

usage="usage: suite.sh prepare|kdir|root|run|apt|download SUITE ..."
command=${1:?$usage}
suite=${2:?$usage}
shift 2
case $suite in
trixie | sid | experimental) ;;
*) die "unknown suite '$suite': trixie, sid or experimental (Debian 12 is the host itself)" ;;
esac
root=$FAULTMEM_CACHE/suites/$suite
mirror=${FAULTMEM_MIRROR:-http://deb.debian.org/debian}

# in_chroot COMMAND...: run COMMAND in the chroot with a clean environment,
# in a mount namespace of its own with a /proc of its own (objtool and dpkg
# read /proc); nothing stays mounted when it ends.
in_chroot() {
	[ -f "$root/.faultmem-complete" ] ||
		die "no chroot for $suite yet: run 'make SUITE=$suite' (as root) to make it"
	[ "$(id -u)" -eq 0 ] || die "running a command in the $suite chroot needs root"
	unshare --mount --pid --fork --mount-proc="$root/proc" \
		chroot "$root" /usr/bin/env -i \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive "$@"
}

# The headers meta-package of a flavour, and the versioned headers package
# it depends on in the chroot's dpkg database (installed by "prepare").
meta_package() {
	echo "linux-headers-${1:+$1-}amd64"
}

installed_headers() {
	dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Depends}' \
		"$(meta_package "$1")" 2>/dev/null | first_dependency linux-headers-
}

# Make the chroot: debootstrap sid for experimental too (experimental is
# not a whole suite), then the apt settings that every later command uses.
create() {
	local base=$suite

	[ "$suite" = experimental ] && base=sid
	echo "faultmem: making the $suite chroot in $root (debootstrap $base)" >&2
	rm -rf "$root.tmp"
	mkdir -p "$root.tmp"
	debootstrap --variant=minbase "$base" "$root.tmp" "$mirror" \
		>"$root.debootstrap.log" 2>&1 ||
		die "debootstrap $base failed; see $root.debootstrap.log"
	{
		# The archive's Release files for these suites may be past their
		# Valid-Until date here; their signatures are still checked.
		echo 'Acquire::Check-Valid-Until "false";'
		echo 'APT::Install-Recommends "false";'
		echo 'APT::Get::Assume-Yes "true";'
		if [ "$suite" = experimental ]; then
			echo 'APT::Default-Release "experimental";'
		fi
	} >"$root.tmp/etc/apt/apt.conf.d/90faultmem"
	if [ "$suite" = experimental ]; then
		echo "deb $mirror experimental main" \
			>"$root.tmp/etc/apt/sources.list.d/experimental.list"
	fi
	touch "$root.tmp/.faultmem-complete"
	rm -rf "$root"
	mv "$root.tmp" "$root"
}

# Purge the kernel packages (headers, kbuild, image, modules) of releases
# that no installed headers meta-package depends on any more: what is left
# of the suite's previous kernel after it moved. A package is the current
# kernel's when its name, past "linux-KIND-", is a current release's base
# (the release without its -amd64 or -rt-amd64 flavour: 7.2.13+deb14,
# 7.3) alone or followed by "-". Release names may hold hyphens, so the
# test errs on the side of keeping a package, never of purging the
# current kernel.
purge_old_kernels() {
	local bases="" flavour dep name rest base current stale=()

	for flavour in "" rt; do
		dep=$(installed_headers "$flavour")
		[ -n "$dep" ] || continue
		dep=${dep#linux-headers-}
		dep=${dep%-amd64}
		bases="$bases ${dep%-rt}"
	done
	[ -n "$bases" ] || return 0
	for name in $(dpkg-query --admindir="$root/var/lib/dpkg" -W \
		-f='${db:Status-Abbrev} ${Package}\n' 'linux-*' 2>/dev/null |
		awk '$1 == "ii" { print $2 }'); do
		rest=$(echo "$name" | sed -n \
			's/^linux-\(headers\|kbuild\|image\|binary-unsigned\|binary\|base\|modules\)-\([0-9].*\)/\2/p')
		[ -n "$rest" ] || continue
		current=0
		for base in $bases; do
			case $rest in
			"$base" | "$base"-*) current=1 ;;
			esac
		done
		[ $current = 1 ] || stale+=("$name")
	done
	if [ "${#stale[@]}" -gt 0 ]; then
		echo "faultmem: $suite moved on; purging ${stale[*]}" >&2
		in_chroot apt-get purge -q "${stale[@]}" >&2
		in_chroot apt-get autoremove --purge -q >&2
	fi
}

prepare() {
	local flavour=${1:-} age=${FAULTMEM_SUITE_MAX_AGE:-600} stamp now

	[ $# -gt 0 ] && shift
	case $flavour in
	"" | rt) ;;
	*) die "unknown flavour '$flavour': empty or rt" ;;
	esac
	if [ "$(id -u)" -ne 0 ]; then
		# Without root nothing can be installed; what is there will do.
		[ -n "$(installed_headers "$flavour")" ] && exit 0
		die "making the $suite chroot needs root (debootstrap, chroot): run this make as root once"
	fi
	command -v debootstrap >/dev/null ||
		die "debootstrap is not installed: apt-get install debootstrap"
	mkdir -p "$FAULTMEM_CACHE/suites"
	# One preparation at a time per suite.
	exec 8>"$root.lock"
	flock 8
	[ -f "$root/.faultmem-complete" ] || create
	stamp=$root/.faultmem-updated
	now=$(date +%s)
	if [ ! -f "$stamp" ] || [ $((now - $(stat -c %Y "$stamp"))) -ge "$age" ]; then
		if in_chroot apt-get update -q >"$root.update.log" 2>&1; then
			touch "$stamp"
		elif [ -n "$(installed_headers "$flavour")" ] && [ "${CI:-}" != true ]; then
			# Offline at a desk: the kernel already there will do. In
			# CI a stale suite would test yesterday's kernel.
			echo "faultmem: cannot refresh $suite's package lists (see $root.update.log); using the kernel already there" >&2
		else
			die "apt-get update failed in the $suite chroot; see $root.update.log"
		fi
	fi
	# A no-op when nothing moved; otherwise the new headers (and the
	# compiler they depend on) come in here. perl: W=1 runs the headers'
	# perl kernel-doc on 6.12, which needs more than perl-base.
	in_chroot apt-get install -q make perl "$(meta_package "$flavour")" "$@" \
		>"$root.install.log" 2>&1 ||
		die "cannot install $(meta_package "$flavour") $* in the $suite chroot; see $root.install.log"
	purge_old_kernels
}

kdir() {
	local dep

	dep=$(installed_headers "${1:-}")
	{ [ -n "$dep" ] && [ -d "$root/usr/src/$dep" ]; } ||
		die "no $(meta_package "${1:-}") in the $suite chroot: run 'make SUITE=$suite${1:+ FLAVOUR=$1}' as root"
	echo "$root/usr/src/$dep"
}

# download PACKAGE DIR: fetch PACKAGE from the suite's archive and unpack
# it into DIR on the host (nothing is installed).
download() {
	local package=${1:?package} dir=${2:?directory} tmp

	tmp=$(mktemp -d "$root/var/tmp/faultmem-download.XXXXXX")
	if ! in_chroot sh -c "cd '${tmp#"$root"}' && apt-get download -q '$package'" >&2; then
		rm -rf "$tmp"
		return 1
	fi
	local rc=0
	mkdir -p "$dir" &&
	in_chroot sh -c "dpkg-deb -x '${tmp#"$root"}'/*.deb '${tmp#"$root"}/unpacked'" &&
	cp -a "$tmp/unpacked/." "$dir/" || rc=1
	rm -rf "$tmp"
	return $rc
}

case $command in
prepare) prepare "$@" ;;
apt)
	exec 8>"$root.lock"
	flock 8
	in_chroot apt-get "$@"
	;;
kdir) kdir "$@" ;;
root) echo "$root" ;;
run) in_chroot "$@" ;;
download) download "$@" ;;
*) die "$usage" ;;
esac
