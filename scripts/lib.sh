# SPDX-License-Identifier: GPL-2.0-only
# Shared helpers for the faultmem scripts (sourced, not run).

# Where downloaded kernels and other slow-to-make artefacts are kept between
# runs. Everything in it can be deleted and is then made again.
FAULTMEM_CACHE=${FAULTMEM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/faultmem}

die() {
	echo "faultmem: $*" >&2
	exit 1
}

# The newest Debian amd64 headers tree of a flavour (none: the standard
# kernel, e.g. /usr/src/linux-headers-6.1.0-56-amd64; "rt": PREEMPT_RT,
# .../linux-headers-6.1.0-56-rt-amd64), or nothing.
newest_debian_headers() {
	local flavour=${1:-}

	if [ -n "$flavour" ]; then
		ls -d /usr/src/linux-headers-*-"$flavour"-amd64 2>/dev/null
	else
		ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | grep -v -- '-rt-amd64$'
	fi | sort -V | tail -n 1
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

# Fail unless the guest run whose results log is $1 reached its end.
require_complete_run() {
	grep -q '^FAULTMEM-RUN-COMPLETE$' "$1" || die "the $2 run did not complete; see $1"
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
