# SPDX-License-Identifier: GPL-2.0-only
# Shared helpers for the faultmem scripts (sourced, not run).

# Where downloaded kernels and other slow-to-make artefacts are kept between
# runs. Everything in it can be deleted and is then made again.
FAULTMEM_CACHE=${FAULTMEM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/faultmem}

die() {
	echo "faultmem: $*" >&2
	exit 1
}

# The newest Debian 6.1 amd64 headers tree, e.g.
# /usr/src/linux-headers-6.1.0-56-amd64, or nothing.
newest_debian_headers() {
	ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1
}

# The kernel release a headers tree builds for, e.g. 6.1.0-56-amd64.
kdir_release() {
	sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' \
		"$1/include/generated/utsrelease.h" 2>/dev/null
}
