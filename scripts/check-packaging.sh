#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The packaging lane: make install/uninstall into a staging directory, and
# a DKMS round trip (add, build, install, modinfo, remove) against the
# installed Debian headers. Each check is an "ok"/"not ok" line; the last
# line is "N passed, N failed". Needs root (DKMS writes /usr/src,
# /var/lib/dkms and /lib/modules).
#
# The udev rule is also applied for real: inside a VM booting VM_KERNEL,
# udevadm runs the installed rule on the installed module's devices (see
# scripts/guest/udev.sh); each of its checks counts here.
#
# With NEWER_KERNELRELEASE (whose headers are installed), DKMS must also
# build and install the module for it through the hook Debian runs when a
# kernel's headers are installed, as on a kernel upgrade (AUTOINSTALL).
#
# usage: check-packaging.sh KERNELRELEASE VM_KERNEL [NEWER_KERNELRELEASE]
set -u
. "$(dirname "$0")/lib.sh"
usage="usage: check-packaging.sh KERNELRELEASE VM_KERNEL [NEWER_KERNELRELEASE]"
kver=${1:?$usage}
vm_kernel=${2:?$usage}
newer_kver=${3:-}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
passed=0 failed=0
log=$(mktemp)
stage=$(mktemp -d)
trap 'rm -rf "$stage" "$log"' EXIT

check() {
	local what=$1

	shift
	if "$@" >"$log" 2>&1; then
		echo "ok - $what"
		passed=$((passed + 1))
	else
		echo "not ok - $what"
		sed 's/^/#   /' "$log" | tail -n 30
		failed=$((failed + 1))
	fi
}

files_are() {
	local dir=$1

	shift
	diff <(cd "$dir" && find . -type f | sed 's|^\./||' | sort) \
		<(printf '%s\n' "$@" | sed '/^$/d' | sort)
}

installed="lib/modules/$kver/updates/faultmem.ko
usr/bin/faultmem
usr/include/faultmem.h
lib/udev/rules.d/60-faultmem.rules
etc/modprobe.d/faultmem.conf"

# --- make install / uninstall ------------------------------------------
check "make install DESTDIR PREFIX=/usr succeeds" \
	make --no-print-directory install DESTDIR="$stage" PREFIX=/usr
check "make install puts exactly the module, tool, header, udev rule and modprobe.d example in place" \
	files_are "$stage" $installed
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

# Each verdict line of the VM run is one check of this lane; a run that
# failed without a "not ok" line (no VM, no initramfs) is one more.
rule=lib/udev/rules.d/60-faultmem.rules
udev_in_vm >"$log" 2>&1
udev_rc=$?
udev_failed=$failed
while read -r verdict; do
	case $verdict in
	"ok - "*) passed=$((passed + 1)) ;;
	*) failed=$((failed + 1)) ;;
	esac
	echo "${verdict%% - *} - udev rule in a VM: ${verdict#* - }"
done < <(grep -E '^(not )?ok - ' "$log")
if [ "$udev_rc" -ne 0 ]; then
	[ "$failed" -gt "$udev_failed" ] || {
		echo "not ok - udev rule in a VM: the VM run failed (exit $udev_rc)"
		failed=$((failed + 1))
	}
	sed 's/^/#   /' "$log" | tail -n 30
fi

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
dkms_ko=/lib/modules/$kver/updates/dkms/faultmem.ko
check "make dkms-install: dkms add, build and install for $kver" \
	make --no-print-directory dkms-install KVER="$kver"
check "dkms status: faultmem/$version installed for $kver" sh -c \
	"dkms status -m faultmem -v '$version' -k '$kver' | grep -q ': installed'"
check "the DKMS source tree holds only what kbuild needs (no Makefile, no tests)" \
	files_are "/usr/src/faultmem-$version" $(module_sources "$top")
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

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
