#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The kernels faultmem is built for and booted on, named by a spec:
#
#   SUITE[-SERIES][-rt]
#
# SUITE is the Debian suite whose kernel it is: bookworm (Debian 12, the
# host itself), trixie (Debian 13), sid or experimental (chroots, see
# suite.sh). SERIES picks one of the other kernel series a suite ships,
# by its headers meta-package (bookworm-6.12: linux-headers-6.12-amd64);
# -rt is the PREEMPT_RT flavour. So bookworm is Debian 12's 6.1, sid-rt
# unstable's newest stable kernel with PREEMPT_RT. The Makefile builds the
# spec from SUITE, KSERIES and FLAVOUR.
#
# usage:
#   kernel.sh prepare SPEC [PACKAGE...]
#       install what building for SPEC needs (its headers, and PACKAGEs in
#       the same environment: the host for bookworm, else the chroot)
#   kernel.sh kdir SPEC        the headers tree (a path on the host)
#   kernel.sh release SPEC     the kernel release, e.g. 7.2.13+deb14-amd64
#   kernel.sh compiler SPEC    the compiler the headers build with
#   kernel.sh version SPEC [KDIR]
#       the Debian version of the headers package (e.g. 7.3~rc7-1~exp1)
#   kernel.sh image SPEC [KDIR]
#       the bootable image of KDIR's release (default: SPEC's headers),
#       downloaded from SPEC's suite into the cache the first time
#   kernel.sh build [-m MODDIR] SPEC KDIR OUTDIR [MAKE ARGUMENTS...]
#       build faultmem (or the module sources in MODDIR) out of tree
#       against KDIR in OUTDIR, in SPEC's environment; the default make
#       arguments are "W=1 modules". Prints the path of faultmem.ko.
#   kernel.sh run SPEC COMMAND...   run COMMAND in SPEC's environment
#   kernel.sh source SPEC
#       the kernel source tarball of SPEC's suite (Debian's linux-source
#       package, installed in SPEC's environment), a path on the host
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
top=$(cd "$here/.." && pwd)

usage="usage: kernel.sh prepare|kdir|release|compiler|version|image|build|run|source ... SPEC ..."
command=${1:?$usage}
shift
moddir=
if [ "$command" = build ] && [ "${1:-}" = -m ]; then
	moddir=${2:?-m needs a directory}
	shift 2
fi
spec=${1:?$usage}
shift
parse_kernel_spec "$spec" || die "bad kernel spec '$spec': SUITE[-SERIES][-rt], e.g. bookworm, bookworm-rt, trixie, sid-rt, experimental"

# The headers tree of the spec.
spec_kdir() {
	local kdir

	if [ "$spec_suite" = bookworm ]; then
		kdir=$(debian_headers "$spec_series" "$spec_flavour") ||
			die "no kernel headers for $spec: install them with 'apt-get install $(headers_package "$spec_series" "$spec_flavour")', or set KDIR="
		echo "$kdir"
	else
		"$here/suite.sh" kdir "$spec_suite" "$spec_flavour"
	fi
}

# in_env COMMAND...: run COMMAND where SPEC's kbuild programs run.
in_env() {
	if [ "$spec_suite" = bookworm ]; then
		"$@"
	else
		"$here/suite.sh" run "$spec_suite" "$@"
	fi
}

# guest_path HOSTPATH: the path of a host file as seen in SPEC's
# environment (inside the chroot for a suite).
guest_path() {
	local root

	if [ "$spec_suite" = bookworm ]; then
		echo "$1"
		return
	fi
	root=$("$here/suite.sh" root "$spec_suite")
	case $1 in
	"$root"/*) echo "${1#"$root"}" ;;
	*) die "$1 is not inside the $spec_suite chroot ($root)" ;;
	esac
}

prepare() {
	if [ "$spec_suite" = bookworm ]; then
		"$here/ensure-deps.sh" "$(headers_package "$spec_series" "$spec_flavour")" "$@"
	else
		"$here/ensure-deps.sh" debootstrap
		"$here/suite.sh" prepare "$spec_suite" "$spec_flavour" "$@"
	fi
}

# headers_version [KDIR]: the Debian version of the headers package that
# holds KDIR (default: SPEC's), e.g. 7.3~rc7-1~exp1; empty for a tree that
# no package installed.
headers_version() {
	local kdir=${1:-} admindir=/var/lib/dpkg

	[ -n "$kdir" ] || kdir=$(spec_kdir)
	[ "$spec_suite" = bookworm ] ||
		admindir=$("$here/suite.sh" root "$spec_suite")/var/lib/dpkg
	dpkg-query --admindir="$admindir" -W -f='${Version}\n' "${kdir##*/}" 2>/dev/null
}

# image [KDIR]: the kernel image for the release of KDIR. Debian 12 and 13
# ship it in linux-image-RELEASE as /boot/vmlinuz-RELEASE; newer kernels
# in linux-binary-RELEASE as /usr/lib/modules/RELEASE/vmlinuz. It is
# cached by release and by the version of the headers package: an rc
# keeps its release name (7.3-amd64) from one upload to the next, and the
# image must be the build the module is built against.
image() {
	local kdir=${1:-} release version dir cached package

	[ -n "$kdir" ] || kdir=$(spec_kdir)
	release=$(kdir_release "$kdir")
	[ -n "$release" ] || die "cannot tell the kernel release of $kdir; pass KERNEL=/path/to/bzImage"
	version=$(headers_version "$kdir")
	dir=$FAULTMEM_CACHE/kernels/$release${version:+/$version}
	cached=$dir/vmlinuz
	if [ ! -f "$cached" ]; then
		rm -rf "$dir.tmp"
		for package in ${version:+"linux-binary-$release=$version"} \
			       ${version:+"linux-image-$release=$version"} \
			       "linux-binary-$release" "linux-image-$release"; do
			if [ "$spec_suite" = bookworm ]; then
				unpack_deb "$package" "$dir.tmp" --wildcards '*vmlinuz*' 2>/dev/null && break
			else
				"$here/suite.sh" download "$spec_suite" "$package" "$dir.tmp" 2>/dev/null && break
			fi
			rm -rf "$dir.tmp"
		done
		for image in "$dir.tmp/boot/vmlinuz-$release" \
			     "$dir.tmp/usr/lib/modules/$release/vmlinuz"; do
			[ -f "$image" ] || continue
			mkdir -p "$dir"
			cp "$image" "$cached.tmp" && mv "$cached.tmp" "$cached"
			break
		done
		rm -rf "$dir.tmp"
		[ -f "$cached" ] ||
			die "cannot download the image of $release (linux-binary-$release or linux-image-$release) from $spec_suite; run 'apt-get update' (or make again as root to refresh the chroot), or pass KERNEL=/path/to/bzImage"
	fi
	echo "$cached"
}

# build KDIR OUTDIR [MAKE ARGUMENTS...]: copy the module sources into
# OUTDIR (a directory of its own, so that the default build in driver/ is
# left alone) and run kbuild there. For a suite the build runs in a
# scratch directory inside the chroot and the result is copied back.
build() {
	local kdir=${1:?KDIR} out=${2:?OUTDIR} work gkdir rc sources

	shift 2
	[ $# -gt 0 ] || set -- W=1 modules
	rm -rf "$out"
	mkdir -p "$out"
	if [ -n "$moddir" ]; then
		cp "$moddir"/Kbuild "$moddir"/*.c "$out/"
	else
		mapfile -t sources < <(module_sources "$top")
		(cd "$top" && cp --parents "${sources[@]}" "$out/")
	fi
	out=$(cd "$out" && pwd)
	gkdir=$(guest_path "$kdir")
	if [ "$spec_suite" = bookworm ]; then
		make -C "$kdir" M="$out" "$@" >&2 ||
			die "module build against $kdir failed"
	else
		work=$(mktemp -d "$("$here/suite.sh" root "$spec_suite")/var/tmp/faultmem-build.XXXXXX")
		cp -a "$out/." "$work/"
		rc=0
		in_env make -C "$gkdir" M="$(guest_path "$work")" "$@" >&2 || rc=$?
		cp -a "$work/." "$out/"
		rm -rf "$work"
		[ "$rc" -eq 0 ] || die "module build against $kdir ($spec_suite) failed"
	fi
	[ -n "$moddir" ] || echo "$out/driver/faultmem.ko"
}

# source: the tarball of the linux-source package the suite's linux-source
# meta-package depends on (Debian 12: linux-source-6.1).
source_tarball() {
	local root dep

	if [ "$spec_suite" = bookworm ]; then
		"$here/ensure-deps.sh" linux-source-6.1
		echo /usr/src/linux-source-6.1.tar.xz
		return
	fi
	"$here/suite.sh" prepare "$spec_suite" "$spec_flavour" linux-source >&2
	root=$("$here/suite.sh" root "$spec_suite")
	dep=$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Depends}' \
		linux-source | first_dependency linux-source-)
	[ -f "$root/usr/src/$dep.tar.xz" ] ||
		die "no $dep.tar.xz in the $spec_suite chroot"
	echo "$root/usr/src/$dep.tar.xz"
}

case $command in
prepare) prepare "$@" ;;
version) headers_version "$@" ;;
source) source_tarball ;;
kdir) spec_kdir ;;
release) kdir_release "$(spec_kdir)" ;;
compiler) kdir_compiler "$(spec_kdir)" ;;
image) image "$@" ;;
build) build "$@" ;;
run) in_env "$@" ;;
*) die "$usage" ;;
esac
