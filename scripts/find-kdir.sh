#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Print the kernel build directory to build faultmem against: the running
# kernel's when it has one, otherwise the newest installed Debian headers.
set -eu
. "$(dirname "$0")/lib.sh"

running=/lib/modules/$(uname -r)/build
if [ -d "$running" ]; then
	echo "$running"
	exit 0
fi
kdir=$(newest_debian_headers)
[ -n "$kdir" ] || die "no kernel headers found: install them with 'apt-get install linux-headers-amd64'"
echo "$kdir"
