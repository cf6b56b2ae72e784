# SPDX-License-Identifier: GPL-2.0-only
# Shared helpers for the faultmem scripts (sourced, not run).

# Where downloaded kernels and other slow-to-make artefacts are kept between
# runs. Everything in it can be deleted and is then made again.
FAULTMEM_CACHE=${FAULTMEM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/faultmem}

die() {
	echo "faultmem: $*" >&2
	exit 1
}

# The Debian meta-package for the headers of a kernel series and flavour,
# the one Debian keeps pointing at the newest build: no series is Debian
# 12's default kernel (6.1), "6.12" the newer series Debian 12 also ships;
# no flavour is the standard kernel, "rt" PREEMPT_RT. For example
# linux-headers-amd64, linux-headers-rt-amd64, linux-headers-6.12-amd64.
headers_package() {
	echo "linux-headers-${1:+$1-}${2:+$2-}amd64"
}

# The headers tree (/usr/src/linux-headers-RELEASE) of a kernel series and
# flavour: the one its installed meta-package depends on, or nothing. Not
# "the newest tree installed", which changes meaning when another series
# is installed beside the default one.
debian_headers() {
	local dep

	dep=$(dpkg-query -W -f='${Depends}' "$(headers_package "$@")" 2>/dev/null |
		sed 's/[ ,(].*//')
	[ -n "$dep" ] && [ -d "/usr/src/$dep" ] && echo "/usr/src/$dep"
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
