#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Print the kernel build directory to build faultmem against: the running
# kernel's when it has one, otherwise the newest installed Debian headers.
# With FLAVOUR set (e.g. FLAVOUR=rt), the newest headers of that flavour.
set -eu
. "$(dirname "$0")/lib.sh"
flavour=${FLAVOUR:-}

running=/lib/modules/$(uname -r)/build
if [ -z "$flavour" ] && [ -d "$running" ]; then
	echo "$running"
	exit 0
fi
kdir=$(newest_debian_headers "$flavour")
[ -n "$kdir" ] || die "no ${flavour:+$flavour }kernel headers found: install them with 'apt-get install linux-headers-${flavour:+$flavour-}amd64'"
echo "$kdir"
