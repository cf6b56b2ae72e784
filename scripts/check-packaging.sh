#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The packaging lane: make install/uninstall into a staging directory, and
# a DKMS round trip (add, build, install, modinfo, remove) against the
# installed Debian headers. Each check is a KTAP result (lib.sh); the
# last line is "N passed, N failed, N skipped". Needs root (DKMS writes /usr/src,
# /var/lib/dkms and /lib/modules).
#
# The udev rule is also applied for real: inside a VM booting VM_KERNEL,
# udevadm runs the installed rule on the installed module's devices (see
# scripts/guest/udev.sh); each of its checks counts here.
#
# With LATER_SPEC (a kernel spec of the host, see kernel.sh), DKMS must
# also build and install the module for that kernel through the hook
# Debian runs when a kernel's headers are installed, as on a kernel
# upgrade (AUTOINSTALL).
#
# With SUITE, the DKMS round trip runs again inside that suite's chroot
# (suite.sh) with the suite's own dkms and kernel, and installing the
# headers of the suite's PREEMPT_RT kernel afterwards must build the
# module for it too: apt runs the suite's kernel-headers hook, as on a
# machine running that suite.
#
# usage: check-packaging.sh KERNELRELEASE VM_KERNEL [LATER_SPEC [SUITE]]
set -u
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
usage="usage: check-packaging.sh KERNELRELEASE VM_KERNEL [LATER_SPEC [SUITE]]"
kver=${1:?$usage}
vm_kernel=${2:?$usage}
later_spec=${3:-}
suite=${4:-}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
log=$(mktemp)
stage=$(mktemp -d)
trap 'rm -rf "$stage" "$log"' EXIT

files_are() {
	local dir=$1

	shift
	diff <(cd "$dir" && find . -type f | sed 's|^\./||' | sort) \
		<(printf '%s\n' "$@" | sed '/^$/d' | sort)
}

installed=("lib/modules/$kver/updates/faultmem.ko" usr/bin/faultmem
	usr/include/faultmem.h lib/udev/rules.d/60-faultmem.rules
	etc/modprobe.d/faultmem.conf)

# --- make install / uninstall ------------------------------------------
check "make install DESTDIR PREFIX=/usr succeeds" \
	make --no-print-directory install DESTDIR="$stage" PREFIX=/usr
check "make install puts exactly the module, tool, header, udev rule and modprobe.d example in place" \
	files_are "$stage" "${installed[@]}"
check "the installed module is version $version, built for $kver" sh -c "
	modinfo -F version '$stage/lib/modules/$kver/updates/faultmem.ko' | grep -qx '$version' &&
	modinfo -F vermagic '$stage/lib/modules/$kver/updates/faultmem.ko' | grep -q '^$kver '"
check "the installed tool runs" sh -c "'$stage/usr/bin/faultmem' help 2>&1 | grep -q usage"
check "the installed uapi header compiles on its own" sh -c \
	"echo '#include <faultmem.h>' | gcc -I'$stage/usr/include' -fsyntax-only -x c -"
check "the udev rule grants the faultmem group" \
	grep -qx 'SUBSYSTEM=="misc", KERNEL=="faultmem\[0-9\]\*", GROUP="faultmem", MODE="0660"' \
	"$stage/lib/udev/rules.d/60-faultmem.rules"
# udev_in_vm: boot a VM with the installed module, tool and rule, and
# Debian's udevadm (unpacked from the udev package, never installed here).
udev_in_vm() {
	local vmdir=$top/build/packaging udevadm

	udevadm=$(scripts/fetch-udevadm.sh) &&
	scripts/mkinitramfs.sh -o "$vmdir/initramfs.cpio.gz" \
		-m "$stage/lib/modules/$kver/updates/faultmem.ko" \
		-b "$stage/usr/bin" -B "$udevadm" \
		-F "$stage/$rule:/$rule" &&
	VM_LOGDIR=$vmdir VM_TIMEOUT=300 \
		scripts/vm-run.sh udev "$vm_kernel" "$vmdir/initramfs.cpio.gz"
}

rule=lib/udev/rules.d/60-faultmem.rules
merge_checks "udev rule in a VM" udev_in_vm

check "every line of the modprobe.d example is a comment" \
	sh -c "! grep -qv '^#' '$stage/etc/modprobe.d/faultmem.conf'"
check "make uninstall removes everything it installed" sh -c "
	make --no-print-directory uninstall DESTDIR='$stage' PREFIX=/usr &&
	test -z \"\$(find '$stage' -type f)\""
check "an edited modprobe.d file survives install and uninstall" sh -c "
	mkdir -p '$stage/etc/modprobe.d' &&
	echo 'options faultmem devices=2' >'$stage/etc/modprobe.d/faultmem.conf' &&
	make --no-print-directory install DESTDIR='$stage' PREFIX=/usr &&
	grep -qx 'options faultmem devices=2' '$stage/etc/modprobe.d/faultmem.conf' &&
	make --no-print-directory uninstall DESTDIR='$stage' PREFIX=/usr &&
	grep -qx 'options faultmem devices=2' '$stage/etc/modprobe.d/faultmem.conf'"

# --- DKMS round trip ---------------------------------------------------
newer_kver=
if [ -n "$later_spec" ]; then
	scripts/kernel.sh prepare "$later_spec" >"$log" 2>&1 &&
		newer_kver=$(scripts/kernel.sh release "$later_spec" 2>>"$log")
	check "the headers of a later kernel ($later_spec: ${newer_kver:-none}) are installed" \
		test -n "$newer_kver"
fi
dkms_ko=/lib/modules/$kver/updates/dkms/faultmem.ko
check "make dkms-install: dkms add, build and install for $kver" \
	make --no-print-directory dkms-install KVER="$kver"
check "dkms status: faultmem/$version installed for $kver" sh -c \
	"dkms status -m faultmem -v '$version' -k '$kver' | grep -q ': installed'"
mapfile -t sources < <(module_sources "$top")
check "the DKMS source tree holds only what kbuild needs (no Makefile, no tests)" \
	files_are "/usr/src/faultmem-$version" "${sources[@]}"
check "modinfo of the DKMS-installed module: version $version, vermagic $kver" sh -c "
	modinfo -F version '$dkms_ko' | grep -qx '$version' &&
	modinfo -F vermagic '$dkms_ko' | grep -q '^$kver ' &&
	modinfo -F filename -k '$kver' faultmem | grep -q 'updates/dkms/faultmem.ko'"
if [ -n "$newer_kver" ]; then
	# By name, as modprobe finds it: 6.12's modules are xz-compressed.
	check "a kernel installed later gets the module: Debian's header_postinst.d/dkms hook builds and installs it for $newer_kver" sh -c "
		/etc/kernel/header_postinst.d/dkms '$newer_kver' &&
		dkms status -m faultmem -v '$version' -k '$newer_kver' | grep -q ': installed' &&
		modinfo -k '$newer_kver' -F filename faultmem | grep -q '/updates/dkms/faultmem.ko' &&
		modinfo -k '$newer_kver' -F vermagic faultmem | grep -q '^$newer_kver '"
fi
check "make install-tools installs all but the module" sh -c "
	make --no-print-directory install-tools DESTDIR='$stage/tools' PREFIX=/usr &&
	test ! -e '$stage/tools/lib/modules' && test -x '$stage/tools/usr/bin/faultmem' &&
	make --no-print-directory uninstall-tools DESTDIR='$stage/tools' PREFIX=/usr &&
	test -z \"\$(find '$stage/tools' -type f)\""
check "make dkms-uninstall removes the module, the registration and the sources" sh -c "
	make --no-print-directory dkms-uninstall &&
	test ! -e '$dkms_ko' && test ! -e '/usr/src/faultmem-$version' &&
	! ls /lib/modules/${newer_kver:-none}/updates/dkms/faultmem.ko* 2>/dev/null &&
	! dkms status -m faultmem | grep -q faultmem"

# --- DKMS inside a newer suite's chroot --------------------------------
if [ -n "$suite" ]; then
	merge_checks "DKMS in $suite" scripts/check-dkms-suite.sh "$suite"
fi

ktap_done
