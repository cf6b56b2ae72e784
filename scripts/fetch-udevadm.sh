#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Print the path of a udevadm taken from Debian's udev package, downloading
# and unpacking the package into the cache the first time. The package is
# unpacked with dpkg-deb, never installed: the packaging lane only needs the
# program, inside a VM, to apply faultmem's udev rule the way udevd would.
#
# usage: fetch-udevadm.sh
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

version=$(apt-cache policy udev 2>/dev/null | sed -n 's/^ *Candidate: //p')
case $version in
'' | '(none)') die "no udev package in the archive (run 'apt-get update')" ;;
esac
dir=$FAULTMEM_CACHE/udev/$version
udevadm=$dir/bin/udevadm
if [ ! -x "$udevadm" ]; then
	unpack_deb "udev=$version" "$dir" ||
		die "cannot download udev $version (run 'apt-get update')"
fi
echo "$udevadm"
