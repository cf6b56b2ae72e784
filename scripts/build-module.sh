#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Build faultmem against another kernel tree, in a directory of its own so
# that the default build (driver/faultmem.ko) is left alone. Prints the
# path of the module.
#
# usage: build-module.sh KDIR OUTDIR
set -eu
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/.." && pwd)
kdir=${1:?usage: build-module.sh KDIR OUTDIR}
out=${2:?usage: build-module.sh KDIR OUTDIR}

rm -rf "$out"
mkdir -p "$out"
(cd "$top" && cp --parents $(module_sources "$top") "$out/")
out=$(cd "$out" && pwd)
make -C "$kdir" M="$out" W=1 modules >&2 || die "module build against $kdir failed"
echo "$out/driver/faultmem.ko"
