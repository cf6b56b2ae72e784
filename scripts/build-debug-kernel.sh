#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Build (once) faultmem's debug kernel from Debian's linux-source-6.1 and
# print the directory holding it: DIR/arch/x86/boot/bzImage is the image,
# and DIR itself is the KDIR to build faultmem against.
#
# The result is cached under $FAULTMEM_CACHE/debug-kernel/KEY, where KEY
# hashes the linux-source package version, scripts/debug-kernel.config and
# this script, so a change to any of them builds a new kernel and an
# unchanged repeat run costs nothing. Progress goes to stderr and to
# KEY.log.
set -eu
. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)

src_version=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null) ||
	die "linux-source-6.1 is not installed: apt-get install linux-source-6.1"
tarball=/usr/src/linux-source-6.1.tar.xz
key=$( (echo "$src_version"; cat "$here/debug-kernel.config" "$0") |
	sha256sum | cut -c1-16)
base=$FAULTMEM_CACHE/debug-kernel
dir=$base/$key

if [ -f "$dir/.faultmem-complete" ]; then
	echo "$dir"
	exit 0
fi

mkdir -p "$base"
log=$base/$key.log
echo "faultmem: building the debug kernel ($src_version, key $key); log in $log" >&2
rm -rf "$dir" "$dir.tmp"
mkdir -p "$dir.tmp"
{
	set -x
	tar -xJf "$tarball" -C "$dir.tmp" --strip-components=1
	cd "$dir.tmp"
	make -s x86_64_defconfig
	scripts/kconfig/merge_config.sh -m .config kernel/configs/kvm_guest.config \
		"$here/debug-kernel.config"
	make -s olddefconfig
	# Every option we asked for must have survived olddefconfig.
	grep -E '^CONFIG_[A-Z0-9_]+=y$' "$here/debug-kernel.config" |
		while read -r want; do
			grep -qx "$want" .config || { echo "missing after olddefconfig: $want"; exit 1; }
		done
	make -j"$(($(nproc) + 1))" bzImage modules
	make -s modules_prepare
} >"$log" 2>&1 || die "debug kernel build failed; see $log"
cd "$base"
mv "$dir.tmp" "$dir"
touch "$dir/.faultmem-complete"
echo "$dir"
