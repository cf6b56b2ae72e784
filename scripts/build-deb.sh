#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make deb: build faultmem-dkms and faultmem-tools (debian/) with
# dpkg-buildpackage, out of tree, and check them with lintian. The sources
# are copied to OUTDIR/faultmem-VERSION first, so the build (debian/
# faultmem-*, debian/files, debian/build) never writes to the working tree:
# git status is the same afterwards. The .debs, .buildinfo and .changes
# land in OUTDIR. A git checkout contributes its tracked and untracked
# (not ignored) files, as they are in the working tree; any other tree all
# of its files but build/ and .git.
#
# lintian (Debian 12's) runs on the .changes, which covers both .debs,
# with --fail-on error,warning; debian/*.lintian-overrides says why each
# accepted tag is accepted.
#
# usage: build-deb.sh OUTDIR
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: build-deb.sh OUTDIR}
version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
src=$out/faultmem-$version

rm -rf "$out"
mkdir -p "$src"
out=$(cd "$out" && pwd)
src=$out/faultmem-$version
cd "$top"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# Files deleted in the working tree but still tracked are skipped.
	git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
		cpio -0 -pdm --quiet "$src"
else
	find . \( -path ./build -o -path ./.git \) -prune -o -type f -print0 |
		cpio -0 -pdm --quiet "$src"
fi
echo "faultmem: dpkg-buildpackage -us -uc -b in $src" >&2
(cd "$src" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1 || {
	tail -n 40 "$out/build.log" >&2
	die "dpkg-buildpackage failed; see $out/build.log"
}
changes=$(ls "$out"/faultmem_*.changes)
echo "faultmem: lintian $changes" >&2
rc=0
lintian --fail-on error,warning --info "$changes" >"$out/lintian.log" 2>&1 || rc=$?
cat "$out/lintian.log" >&2
[ "$rc" -eq 0 ] || die "lintian found errors or warnings (exit $rc); see $out/lintian.log"
ls "$out"/*.deb "$changes"
