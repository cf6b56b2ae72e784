#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Register faultmem with DKMS, build and install it for a kernel, or take
# it out again. The sources DKMS builds are copied to /usr/src/faultmem-VER
# (module_sources in lib.sh: kbuild files, driver, uapi header, dkms.conf).
#
# usage: dkms.sh install KERNELRELEASE | dkms.sh uninstall
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/.." && pwd)
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
src=/usr/src/faultmem-$version
command -v dkms >/dev/null || die "dkms is not installed: apt-get install dkms"

case ${1:-} in
install)
	kver=${2:?usage: dkms.sh install KERNELRELEASE}
	# A previous registration of this version would make "dkms add" fail.
	dkms remove -m faultmem -v "$version" --all >/dev/null 2>&1 || true
	rm -rf "$src"
	mkdir -p "$src"
	mapfile -t sources < <(module_sources "$top")
	(cd "$top" && cp --parents "${sources[@]}" "$src/")
	dkms add -m faultmem -v "$version"
	dkms build -m faultmem -v "$version" -k "$kver"
	dkms install -m faultmem -v "$version" -k "$kver"
	;;
uninstall)
	dkms remove -m faultmem -v "$version" --all || true
	rm -rf "$src"
	;;
*)
	die "usage: dkms.sh install KERNELRELEASE | dkms.sh uninstall"
	;;
esac
