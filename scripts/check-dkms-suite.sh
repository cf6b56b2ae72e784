#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The DKMS round trip inside a newer suite's chroot (suite.sh), with that
# suite's own dkms and kernels, the way a user of that distribution meets
# it. The chroot gets the suite's kernel (linux-image-amd64: modules and
# modules.dep, without which dkms skips depmod) and its headers; faultmem
# is registered, built and installed for it with scripts/dkms.sh (what
# "make dkms-install" runs); then apt installs the suite's PREEMPT_RT
# kernel and headers, as an upgrade would, and their maintainer scripts
# run the suite's kernel hooks (/etc/kernel/*.d/dkms), which must build
# and install the module for that kernel too; then it is all removed.
# Each check is a KTAP result (lib.sh); the last line is "N passed, N
# failed, N skipped". Needs root.
#
# usage: check-dkms-suite.sh SUITE
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
suite=${1:?usage: check-dkms-suite.sh SUITE}
top=$(cd "$here/.." && pwd)
cd "$top" || exit 1
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# in_suite SHELL-COMMAND: run it in the chroot.
in_suite() {
	scripts/suite.sh run "$suite" sh -c "$1"
}

finish() {
	ktap_done
	exit
}

check "the $suite chroot has its kernel, its headers and dkms" \
	scripts/kernel.sh prepare "$suite" dkms linux-image-amd64
kver=$(scripts/kernel.sh release "$suite" 2>/dev/null)
root=$(scripts/suite.sh root "$suite" 2>/dev/null)
check "the $suite chroot names its kernel (${kver:-none})" test -n "$kver"
[ -n "$kver" ] || finish
# The later kernel must arrive after the module is registered: nothing of
# the PREEMPT_RT kernel in the chroot yet (a previous run leaves it).
mapfile -t rt_packages < <(dpkg-query --admindir="$root/var/lib/dpkg" -W \
	-f='${db:Status-Abbrev} ${Package}\n' 'linux-*' 2>/dev/null |
	awk '$1 == "ii" && $2 ~ /-rt-amd64$/ { print $2 }')
# check runs it, a call shellcheck does not see.
# shellcheck disable=SC2317
purge_rt() {
	[ "${#rt_packages[@]}" -eq 0 ] ||
		scripts/suite.sh apt "$suite" purge -q "${rt_packages[@]}"
}
check "no PREEMPT_RT kernel in the chroot before the round trip" purge_rt
echo "# $suite: $(in_suite 'dkms --version' 2>/dev/null), kernel $kver"

# What dkms.sh needs of the repository: itself, lib.sh and the module
# sources, copied where the chroot sees them.
src=$root/var/tmp/faultmem-dkms-src
# However this ends, faultmem leaves the shared chroot unregistered: a
# registration left behind would make every later kernel install in it
# build faultmem.
trap 'in_suite "bash /var/tmp/faultmem-dkms-src/scripts/dkms.sh uninstall" >/dev/null 2>&1;
	rm -rf "$src" "$log"' EXIT
rm -rf "$src"
mkdir -p "$src/scripts"
cp scripts/dkms.sh scripts/lib.sh "$src/scripts/"
mapfile -t sources < <(module_sources "$top")
cp --parents "${sources[@]}" "$src/"

dkms_dir=/lib/modules/$kver/updates/dkms
check "dkms.sh install: dkms add, build and install for $kver with $suite's dkms" \
	in_suite "bash /var/tmp/faultmem-dkms-src/scripts/dkms.sh install '$kver'"
check "dkms status: faultmem/$version installed for $kver" \
	in_suite "dkms status -m faultmem -v '$version' -k '$kver' | grep -q ': installed'"
check "modprobe would find it: modinfo -k $kver says version $version, vermagic $kver, in $dkms_dir" \
	in_suite "modinfo -k '$kver' -F filename faultmem | grep -q '^$dkms_dir/faultmem.ko' &&
		modinfo -k '$kver' -F version faultmem | grep -qx '$version' &&
		modinfo -k '$kver' -F vermagic faultmem | grep -q '^$kver '"

# The kernel upgrade: apt installs a new kernel and its headers, and
# their maintainer scripts run the kernel hooks, dkms's among them.
check "apt-get install linux-image-rt-amd64 linux-headers-rt-amd64 runs $suite's DKMS hooks" \
	scripts/suite.sh apt "$suite" install -q linux-image-rt-amd64 linux-headers-rt-amd64
rt_kver=$(scripts/kernel.sh release "$suite-rt" 2>/dev/null)
check "the hooks built and installed faultmem/$version for ${rt_kver:-the RT kernel}, where modprobe finds it" \
	in_suite "[ -n '$rt_kver' ] &&
		dkms status -m faultmem -v '$version' -k '$rt_kver' | grep -q ': installed' &&
		modinfo -k '$rt_kver' -F filename faultmem | grep -q '^/lib/modules/$rt_kver/updates/dkms/faultmem.ko' &&
		modinfo -k '$rt_kver' -F vermagic faultmem | grep -q '^$rt_kver '"

check "dkms.sh uninstall removes the module for both kernels, the registration and the sources" \
	in_suite "bash /var/tmp/faultmem-dkms-src/scripts/dkms.sh uninstall &&
		! ls /lib/modules/'$kver'/updates/dkms/faultmem.ko* 2>/dev/null &&
		! ls /lib/modules/'${rt_kver:-none}'/updates/dkms/faultmem.ko* 2>/dev/null &&
		test ! -e /usr/src/faultmem-'$version' &&
		! dkms status -m faultmem | grep -q faultmem"
finish
