#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Runs inside the test VM for the Debian packages' lane (fm.mode=deb,
# make check-deb): the image holds what apt-get install put in a clean
# chroot of one suite, at the same paths: the module DKMS built for this
# kernel under /lib/modules/RELEASE/updates/dkms with the suite's depmod
# indexes, the suite's kmod (modprobe, modinfo, rmmod), the tool and the
# libraries it was installed with, the udev rule, the modprobe.d example
# and the chroot's /etc/group (with the package's faultmem group). The
# module is loaded by name with modprobe, as a user would; then udev.sh
# checks the rule, the group's access and the tool, and unloads it.
# shellcheck source=lib.sh
. /faultmem/guest/lib.sh

# The suite's kmod under the names of its tools, called by path: Debian's
# busybox shell runs its own applet for a bare "modprobe" whatever the
# PATH says. Its modules directory may be /usr/lib/modules (merged /usr).
kmod=/faultmem/kmod
mkdir -p $kmod
for tool in modprobe modinfo rmmod lsmod; do
	ln -sf /usr/bin/kmod $kmod/$tool
done
mkdir -p /usr/lib
[ -e /usr/lib/modules ] || ln -s /lib/modules /usr/lib/modules
release=$(uname -r)
if $kmod/modprobe --version 2>&1 | grep -q '^kmod version'; then
	check ok "modprobe is the suite's kmod ($($kmod/modprobe --version | head -n 1))"
else
	check "not ok" "modprobe is the suite's kmod (got: $($kmod/modprobe --version 2>&1 | head -n 1))"
fi
echo "# faultmem-kernel: $release $(uname -v)"

found=$($kmod/modinfo -F filename faultmem 2>&1)
case $found in
"/lib/modules/$release/updates/dkms/faultmem.ko"* | "/usr/lib/modules/$release/updates/dkms/faultmem.ko"*) check ok "modinfo finds the package's module by name: $found" ;;
*) check "not ok" "modinfo finds the package's module by name in /lib/modules/$release/updates/dkms (got: $found)" ;;
esac
version=$(cat /faultmem/deb-version)
found=$($kmod/modinfo -F version faultmem 2>&1)
if [ "$found" = "$version" ]; then
	check ok "the module is version $version"
else
	check "not ok" "the module is version $version (got: $found)"
fi

FM_LOAD="$kmod/modprobe faultmem devices=2"
FM_UNLOAD="$kmod/rmmod faultmem"
# shellcheck source=udev.sh
. /faultmem/guest/udev.sh
