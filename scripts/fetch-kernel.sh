#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Print the path of a bootable Debian kernel image matching a headers tree,
# downloading the linux-image package into the cache the first time. The
# package is unpacked with dpkg-deb, never installed.
#
# usage: fetch-kernel.sh KDIR
set -eu
. "$(dirname "$0")/lib.sh"

kdir=${1:?usage: fetch-kernel.sh KDIR}
release=$(kdir_release "$kdir")
[ -n "$release" ] || die "cannot tell the kernel release of $kdir; pass KERNEL=/path/to/bzImage"

dir=$FAULTMEM_CACHE/kernels/$release
image=$dir/boot/vmlinuz-$release
if [ ! -f "$image" ]; then
	unpack_deb "linux-image-$release" "$dir" "./boot/vmlinuz-$release" ||
		die "cannot download linux-image-$release (run 'apt-get update'; if the archive moved on, 'apt-get install linux-headers-amd64' to get matching headers), or pass KERNEL=/path/to/bzImage"
fi
echo "$image"
