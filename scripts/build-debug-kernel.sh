#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Build (once) faultmem's debug kernel from a suite's own linux-source
# package (bookworm: Debian 12's linux-source-6.1, on the host; sid:
# unstable's newest stable, with its own compiler in its chroot) and print
# the directory holding it: DIR/arch/x86/boot/bzImage is the image, and
# DIR itself is the KDIR to build faultmem against (scripts/kernel.sh
# build SUITE DIR ...).
#
# The configuration is allnoconfig plus scripts/debug-kernel.config. The
# result is cached under debug-kernel/KEY in the cache (inside the
# suite's chroot for a suite), where KEY hashes the source package's
# version, the fragment and this script: a change to any of them, or the
# suite moving to a new kernel, builds a new kernel (older ones are
# deleted), and an unchanged repeat run costs nothing. Progress goes to
# stderr and to KEY.log.
#
# usage: build-debug-kernel.sh [SUITE]    (default bookworm)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
suite=${1:-bookworm}
fragment=$here/debug-kernel.config

# What building a kernel takes, in the suite's environment.
build_deps=(bc bison flex libelf-dev libssl-dev cpio kmod make gcc)
if [ "$suite" = bookworm ]; then
	"$here/ensure-deps.sh" "${build_deps[@]}" linux-source-6.1
	base=$FAULTMEM_CACHE/debug-kernel
else
	"$here/kernel.sh" prepare "$suite" "${build_deps[@]}" >&2
	base=$("$here/suite.sh" root "$suite")/var/cache/faultmem/debug-kernel
fi
tarball=$("$here/kernel.sh" source "$suite")
admindir=/var/lib/dpkg
[ "$suite" = bookworm ] || admindir=$("$here/suite.sh" root "$suite")/var/lib/dpkg
src_package=$(basename "$tarball" .tar.xz)
src_version=$src_package-$(dpkg-query --admindir="$admindir" -W -f='${Version}' "$src_package")
# The compiler too: a new gcc in the suite makes a new kernel, so that the
# module and the kernel it loads into are built by the same compiler.
compiler=$("$here/kernel.sh" run "$suite" gcc -dumpfullversion)
key=$( (echo "$src_version gcc $compiler"; cat "$fragment" "$0") | sha256sum | cut -c1-16)
dir=$base/$key

if [ -f "$dir/.faultmem-complete" ]; then
	echo "$dir"
	exit 0
fi

# run COMMAND...: in the suite's environment, in the build directory.
run() {
	"$here/kernel.sh" run "$suite" sh -c "cd '$guest_dir' && $*"
}

mkdir -p "$base"
log=$base/$key.log
echo "faultmem: building the debug kernel for $suite ($src_version, key $key); log in $log" >&2
rm -rf "$dir" "$dir.tmp"
mkdir -p "$dir.tmp"
cp "$fragment" "$dir.tmp/faultmem-debug.config"
guest_dir=$dir.tmp
guest_tarball=$tarball
if [ "$suite" != bookworm ]; then
	root=$("$here/suite.sh" root "$suite")
	guest_dir=${dir#"$root"}.tmp
	guest_tarball=${tarball#"$root"}
fi
(
	set -x
	run "tar -xJf '$guest_tarball' --strip-components=1" &&
	run "make -s allnoconfig" &&
	run "scripts/kconfig/merge_config.sh -m .config faultmem-debug.config" &&
	run "make -s olddefconfig" &&
	# Every option asked for must have survived olddefconfig, as set:
	# "=n" as not set, anything else as written.
	grep -E '^CONFIG_[A-Z0-9_]+=' "$fragment" |
		while read -r want; do
			case $want in
			*=n) ! grep -qE "^${want%=n}=[ym]$" "$dir.tmp/.config" ;;
			*) grep -qxF "$want" "$dir.tmp/.config" ;;
			esac || { echo "not as asked after olddefconfig: $want"; exit 1; }
		done &&
	run "make -j$(($(nproc) + 1)) bzImage modules" &&
	run "make -s modules_prepare"
) >"$log" 2>&1 || die "debug kernel build failed; see $log"
mv "$dir.tmp" "$dir"
touch "$dir/.faultmem-complete"
# Only the newest build is kept: each is a few GiB.
for old in "$base"/*/; do
	[ "${old%/}" = "$dir" ] || rm -rf "${old%/}" "${old%/}.log"
done
echo "$dir"
