#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# faultmem's version, which four files carry: MODULE_VERSION in
# driver/faultmem_main.c (modinfo), PACKAGE_VERSION in dkms.conf (DKMS and
# make), the newest "## [X.Y.Z]" entry of CHANGELOG.md and the newest
# entry of debian/changelog (the packages; native, so no Debian revision).
# The one place to change it is "make set-version VERSION=X.Y.Z" (this
# script's "set"), which writes all four; "check" fails unless they agree
# (make lint and make check-deb run it).
#
# usage:
#   version.sh [-C DIR] check       print the four and fail unless equal
#   version.sh [-C DIR] get         the version (dkms.conf's)
#   version.sh [-C DIR] set X.Y.Z   write X.Y.Z into all four; a new
#                                   CHANGELOG.md and debian/changelog entry
#                                   when it is not the newest already
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
if [ "${1:-}" = -C ]; then
	top=${2:?-C needs a directory}
	shift 2
fi
usage="usage: version.sh [-C DIR] check|get|set X.Y.Z"
cd "$top"

module_version() { sed -n 's/^MODULE_VERSION("\(.*\)");/\1/p' driver/faultmem_main.c; }
dkms_version() { sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf; }
changelog_version() { sed -n 's/^## \[\([0-9][^]]*\)\].*/\1/p' CHANGELOG.md | head -n 1; }
debian_version() { sed -n '1s/^faultmem (\([^)]*\)) .*/\1/p' debian/changelog; }

check() {
	local m d c p

	m=$(module_version) d=$(dkms_version) c=$(changelog_version) p=$(debian_version)
	echo "MODULE_VERSION=$m dkms.conf=$d CHANGELOG.md=$c debian/changelog=$p"
	[ -n "$m" ] && [ "$m" = "$d" ] && [ "$m" = "$c" ] && [ "$m" = "$p" ]
}

set_version() {
	local new=$1 tmp maintainer

	case $new in
	[0-9]*.[0-9]*.[0-9]*) ;;
	*) echo "version.sh: '$new' is not X.Y.Z" >&2; exit 2 ;;
	esac
	sed -i "s/^MODULE_VERSION(\".*\");/MODULE_VERSION(\"$new\");/" driver/faultmem_main.c
	sed -i "s/^PACKAGE_VERSION=\".*\"/PACKAGE_VERSION=\"$new\"/" dkms.conf
	if [ "$(changelog_version)" != "$new" ]; then
		# Above the newest entry: a heading to fill in.
		tmp=$(mktemp)
		awk -v entry="## [$new] - $(date -u +%Y-%m-%d)" '
			!done && /^## \[/ { print entry; print ""; print "### Changed"; print "- "; print ""; done = 1 }
			{ print }' CHANGELOG.md >"$tmp" && cat "$tmp" >CHANGELOG.md
		rm -f "$tmp"
	fi
	if [ "$(debian_version)" != "$new" ]; then
		maintainer=$(sed -n 's/^ -- \(.*>\)  .*/\1/p' debian/changelog | head -n 1)
		tmp=$(mktemp)
		{
			echo "faultmem ($new) unstable; urgency=medium"
			echo
			echo "  * New upstream release; see CHANGELOG.md."
			echo
			echo " -- $maintainer  $(date -uR)"
			echo
			cat debian/changelog
		} >"$tmp" && cat "$tmp" >debian/changelog
		rm -f "$tmp"
	fi
	check
}

case ${1:-} in
check) check ;;
get) dkms_version ;;
set) set_version "${2:?$usage}" ;;
*) echo "$usage" >&2; exit 2 ;;
esac
