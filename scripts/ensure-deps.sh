#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Make sure Debian 12 packages are installed on the host (the Makefile
# names what each entry point needs). As root, install what is missing;
# otherwise print the exact command and fail.
#
# usage: ensure-deps.sh PACKAGE...
set -eu

missing=()
for p in "$@"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*"ok installed") ;;
	*) missing+=("$p") ;;
	esac
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "faultmem: missing packages; install them with:" >&2
	echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
	exit 1
fi
echo "faultmem: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
