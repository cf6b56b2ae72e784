#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The clean chroots "make check-deb" installs faultmem's packages into: one
# per Debian suite (bookworm, trixie, sid), cached as
# $FAULTMEM_CACHE/deb-chroots/SUITE. Each is what a machine of that suite
# looks like before the user installs faultmem: debootstrap --variant=
# minbase, the suite's kernel (linux-image-amd64, so that modules.dep
# exists and depmod runs) and its headers (linux-headers-amd64), and
# nothing else: no dkms. These bases are never used directly:
# check-deb-suite.sh runs every install in an overlayfs over the base,
# thrown away at the end, so each run starts from the same clean system
# and the base is made once (minutes) instead of every run.
#
# The packages a run will install (dkms and what it pulls, the PREEMPT_RT
# headers for the second kernel) are downloaded into the base's apt cache
# (apt-get --download-only), not installed: apt still resolves and
# installs them in the run, from the cache instead of the network.
#
# "prepare" refreshes the package lists at most every
# FAULTMEM_SUITE_MAX_AGE seconds (default 600) and makes the base again
# from scratch when the suite's kernel has moved: a base with two kernels
# would no longer be a fresh machine.
#
# usage:
#   deb-chroot.sh prepare SUITE   make or refresh the base (root, network)
#   deb-chroot.sh root SUITE      the base's directory
#
# Nothing in a base is named faultmem (its markers are .check-deb-*): a run
# checks that the clean chroot holds nothing of faultmem's.
#
# Environment: FAULTMEM_MIRROR (default http://deb.debian.org/debian).
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

usage="usage: deb-chroot.sh prepare|root SUITE"
command=${1:?$usage}
suite=${2:?$usage}
case $suite in
bookworm | trixie | sid) ;;
*) die "deb-chroot.sh: unknown suite '$suite': bookworm, trixie or sid" ;;
esac
root=$FAULTMEM_CACHE/deb-chroots/$suite
mirror=${FAULTMEM_MIRROR:-http://deb.debian.org/debian}
# What each run installs on top of the base, downloaded in advance.
RUN_PACKAGES=(dkms linux-headers-rt-amd64)

# in_base COMMAND...: run COMMAND in the base itself (only "prepare"
# changes the base), with a /proc of its own that goes when it ends.
in_base() {
	unshare --mount --pid --fork --mount-proc="$1/proc" \
		chroot "$1" /usr/bin/env -i \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive "${@:2}"
}

create() {
	local dir=$root.tmp

	echo "faultmem: making the clean $suite chroot in $root" >&2
	rm -rf "$dir"
	mkdir -p "$dir"
	debootstrap --variant=minbase "$suite" "$dir" "$mirror" \
		>"$root.debootstrap.log" 2>&1 ||
		die "debootstrap $suite failed; see $root.debootstrap.log"
	{
		# The archive's Release files may be past their Valid-Until
		# here; their signatures are still checked.
		echo 'Acquire::Check-Valid-Until "false";'
		# As on a default installation, recommends are not needed to
		# build a module; leaving them out keeps the base small.
		echo 'APT::Install-Recommends "false";'
		echo 'APT::Get::Assume-Yes "true";'
		# The cache is what makes a warm run work without downloads.
		echo 'APT::Keep-Downloaded-Packages "true";'
	} >"$dir/etc/apt/apt.conf.d/90check-deb"
	# A stable release's kernel gets its fixes through the security
	# archive, as on a real Debian 12 or 13 machine.
	if [ "$suite" != sid ]; then
		echo "deb http://deb.debian.org/debian-security $suite-security main" \
			>"$dir/etc/apt/sources.list.d/security.list"
	fi
	{ in_base "$dir" apt-get update -q >"$root.prepare.log" 2>&1 &&
	  in_base "$dir" apt-get install -q linux-image-amd64 linux-headers-amd64 \
		>>"$root.prepare.log" 2>&1; } ||
		die "cannot install $suite's kernel and headers; see $root.prepare.log"
	touch "$dir/.check-deb-updated" "$dir/.check-deb-complete"
	rm -rf "$root"
	mv "$dir" "$root"
}

# The kernel moved when the headers meta-package has a newer candidate
# than the one installed.
kernel_moved() {
	in_base "$root" apt-cache policy linux-headers-amd64 linux-image-amd64 |
		awk '/Installed:/ { i = $2 } /Candidate:/ { if ($2 != i) moved = 1 }
			END { exit !moved }'
}

prepare() {
	local age=${FAULTMEM_SUITE_MAX_AGE:-600} stamp now

	[ "$(id -u)" -eq 0 ] || die "making the $suite chroot needs root"
	command -v debootstrap >/dev/null || die "debootstrap is not installed"
	mkdir -p "${root%/*}"
	exec 8>"$root.lock"
	flock 8
	[ -f "$root/.check-deb-complete" ] || create
	stamp=$root/.check-deb-updated
	now=$(date +%s)
	if [ $((now - $(stat -c %Y "$stamp"))) -ge "$age" ]; then
		in_base "$root" apt-get update -q >"$root.update.log" 2>&1 ||
			die "apt-get update failed in the clean $suite chroot; see $root.update.log"
		touch "$stamp"
		if kernel_moved; then
			echo "faultmem: $suite's kernel moved; making its clean chroot again" >&2
			rm -f "$root/.check-deb-complete"
			create
		fi
	fi
	in_base "$root" apt-get install -q --download-only "${RUN_PACKAGES[@]}" \
		>"$root.download.log" 2>&1 ||
		die "cannot download ${RUN_PACKAGES[*]} for $suite; see $root.download.log"
}

case $command in
prepare) prepare ;;
root) echo "$root" ;;
*) die "$usage" ;;
esac
