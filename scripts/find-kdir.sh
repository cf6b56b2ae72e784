#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Print the kernel build directory to build faultmem against: the running
# kernel's when it has one, otherwise the installed Debian headers of the
# kernel series KSERIES (empty: Debian 12's default 6.1; or 6.12) and
# flavour FLAVOUR (empty, or rt). With KSERIES or FLAVOUR set, always the
# Debian headers.
set -eu
. "$(dirname "$0")/lib.sh"
series=${KSERIES:-}
flavour=${FLAVOUR:-}

running=/lib/modules/$(uname -r)/build
if [ -z "$series$flavour" ] && [ -d "$running" ]; then
	echo "$running"
	exit 0
fi
kdir=$(debian_headers "$series" "$flavour") || true
[ -n "$kdir" ] || die "no kernel headers for ${series:-the default series}${flavour:+ ($flavour)}: install them with 'apt-get install $(headers_package "$series" "$flavour")', or set KDIR="
echo "$kdir"
