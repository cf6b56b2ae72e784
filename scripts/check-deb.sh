#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make check-deb: the Debian packages, built and installed for real.
#   - make deb builds faultmem-dkms and faultmem-tools, lintian-clean
#     (errors and warnings), and leaves git status as it was;
#   - one version in MODULE_VERSION, dkms.conf, CHANGELOG.md,
#     debian/changelog and the .debs, and "make set-version" writes it to
#     all of them;
#   - on each SUITE (bookworm, trixie, sid): check-deb-suite.sh installs
#     the .debs in a clean chroot of the suite, with its kernel headers
#     (dkms pulled in, the module built for the kernel, then for a second
#     kernel's headers, purged without a trace), and the module as the
#     package installed it is booted in a VM with the suite's kernel
#     (scripts/guest/deb.sh: modprobe, the udev rule and the group, the
#     tool, rmmod).
# The .debs are built once, on the host (Debian 12): the tool is linked
# against Debian 12's glibc, which Debian 13 and unstable run too, as
# their users would get it from a Debian 12 build. Each check is a
# KTAP result (lib.sh); the last line is "N passed, N failed, N
# skipped". Needs root.
#
# usage: check-deb.sh DEBDIR SUITE...
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
debdir=${1:?usage: check-deb.sh DEBDIR SUITE...}
shift
top=$(cd "$here/.." && pwd)
cd "$top" || exit 1
log=$(mktemp)
scratch=$(mktemp -d)
trap 'rm -rf "$log" "$scratch"' EXIT
version=$(scripts/version.sh get)
started=$SECONDS

# --- make deb ----------------------------------------------------------------
in_git=0
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	in_git=1
	git status --porcelain --untracked-files=all >"$scratch/status.before"
fi
check "make deb: dpkg-buildpackage -us -uc -b and lintian, into $debdir" \
	make --no-print-directory deb-run DEB_DIR="$debdir"
changes=$debdir/faultmem_${version}_amd64.changes
check "make deb built faultmem-dkms_${version}_all.deb, faultmem-tools_${version}_amd64.deb and their .changes" \
	test -f "$debdir/faultmem-dkms_${version}_all.deb" -a \
		-f "$debdir/faultmem-tools_${version}_amd64.deb" -a -f "$changes"
lintian_clean() {
	local rc=0

	lintian --fail-on error,warning "$changes" >"$scratch/lintian" 2>/dev/null || rc=$?
	cat "$scratch/lintian"
	[ $rc -eq 0 ] && ! grep -qE '^[EW]: ' "$scratch/lintian"
}
check "lintian --fail-on error,warning on the .changes (both .debs): no error, no warning" \
	lintian_clean
# A lintian override must say why it is there: a comment line above it.
overrides_justified() {
	local f

	for f in debian/*lintian-overrides; do
		[ -e "$f" ] || continue
		awk -v f="$f" '/^[^#[:space:]]/ && prev !~ /^#/ { print f ": " $0; bad = 1 }
			{ if (!/^[[:space:]]*$/) prev = $0 } END { exit bad }' "$f" || return 1
	done
}
check "every lintian override has a comment saying why" overrides_justified
if [ $in_git = 1 ]; then
	check "make deb leaves git status unchanged" sh -c "
		git status --porcelain --untracked-files=all | diff '$scratch/status.before' -"
fi

# --- one version ---------------------------------------------------------------
check "one version in MODULE_VERSION, dkms.conf, CHANGELOG.md and debian/changelog ($version)" \
	scripts/version.sh check
check "the .debs are version $version; the DKMS package's sources are /usr/src/faultmem-$version with dkms.conf's PACKAGE_VERSION=\"$version\"" sh -c "
	for deb in '$debdir'/faultmem-dkms_*.deb '$debdir'/faultmem-tools_*.deb; do
		[ \"\$(dpkg-deb -f \"\$deb\" Version)\" = '$version' ] || exit 1
	done
	dpkg-deb --fsys-tarfile '$debdir/faultmem-dkms_${version}_all.deb' |
		tar -xO ./usr/src/faultmem-$version/dkms.conf | grep -qx 'PACKAGE_VERSION=\"$version\"'"
# The one place to change it, on a copy of the four files: set writes a
# new version into all of them, and check notices one that differs.
set_version_works() {
	local copy=$scratch/version

	mkdir -p "$copy" &&
	cp --parents driver/faultmem_main.c dkms.conf CHANGELOG.md debian/changelog "$copy/" &&
	scripts/version.sh -C "$copy" set 99.1.2 &&
	[ "$(scripts/version.sh -C "$copy" get)" = 99.1.2 ] &&
	[ "$(dpkg-parsechangelog -l "$copy/debian/changelog" -S Version)" = 99.1.2 ] &&
	grep -qx 'MODULE_VERSION("99.1.2");' "$copy/driver/faultmem_main.c" &&
	sed -i 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="99.1.3"/' "$copy/dkms.conf" &&
	! scripts/version.sh -C "$copy" check
}
check "make set-version (version.sh set) writes one version into all four files; a file that differs fails the check" \
	set_version_works

# --- each suite ------------------------------------------------------------------
# boot_suite SUITE: the VM with the suite's kernel and what the package
# installed (check-deb-suite.sh listed it in vm/files).
boot_suite() {
	local vm=$top/build/check-deb/$1/vm udevadm spec files=()

	[ -s "$vm/files" ] || { echo "no files for the VM (the install failed)"; return 1; }
	while IFS= read -r spec; do
		files+=(-F "$spec")
	done <"$vm/files"
	# Debian's udevadm applies the rule in the guest, as in the
	# packaging lane; the suite's libraries (the -F files) win over the
	# host's where both have one.
	udevadm=$(scripts/fetch-udevadm.sh) &&
	scripts/mkinitramfs.sh -o "$vm/initramfs.cpio.gz" -m "$(ls "$vm"/faultmem.ko*)" \
		-B "$udevadm" "${files[@]}" &&
	VM_LOGDIR=$vm/run VM_TIMEOUT=${VM_TIMEOUT:-300} \
		scripts/vm-run.sh deb "$vm/vmlinuz" "$vm/initramfs.cpio.gz"
}

for suite in "$@"; do
	t0=$SECONDS
	check "the clean $suite chroot (minbase, its kernel and headers; made once, cached)" \
		scripts/deb-chroot.sh prepare "$suite"
	merge_checks "$suite" scripts/check-deb-suite.sh "$suite" "$debdir" "build/check-deb/$suite"
	grep -h '^# ' "$log"
	merge_checks "$suite, in a VM with its kernel" boot_suite "$suite"
	grep -h '^# faultmem-kernel: ' "$log"
	echo "# check-deb: $suite took $((SECONDS - t0)) s"
done
echo "# check-deb: $((SECONDS - started)) s in all"
ktap_done
