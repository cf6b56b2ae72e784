#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-only
# /init of the faultmem test VM (busybox, in an initramfs).
#
# The kernel command line says what to do:
# fm.mode=check|demo|hostile|docs|bench|udev|deb|mutants|shell.
# Kernel messages go to the first serial port (the host keeps them as the
# console log and scans them); in check and demo mode everything this
# script runs writes to the second serial port, which the host shows live
# and parses.
/bin/busybox mkdir -p /proc /sys /dev /tmp /root /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
# Debian's kernel does not mount devtmpfs by itself (DEVTMPFS_MOUNT is off).
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
hostname faultmem-vm
# Every SysRq function: a hang is diagnosed with "w" (blocked tasks) and
# "t" (all tasks), from the guest's watchdog or the host's monitor.
echo 1 >/proc/sys/kernel/sysrq
export PATH=/faultmem/bin:/bin:/sbin:/usr/bin:/usr/sbin HOME=/root

mode=
for word in $(cat /proc/cmdline); do
	case $word in
	fm.mode=*) mode=${word#fm.mode=} ;;
	esac
done

case $mode in
check|demo|hostile|docs|bench|udev|deb|mutants)
	# The host waits for this line to know that the kernel booted.
	echo "faultmem-guest: init started" >/dev/ttyS1
	/faultmem/guest/$mode.sh >/dev/ttyS1 2>&1 </dev/null
	;;
shell)
	insmod /faultmem/faultmem.ko $(cat /faultmem/insmod-params) &&
		echo "faultmem loaded: /dev/faultmem*, tools in /faultmem/bin"
	echo "Leave with 'poweroff -f' (or Ctrl-A x)."
	setsid cttyhack sh -l
	;;
*)
	echo "faultmem init: unknown fm.mode='$mode'" >/dev/ttyS1
	;;
esac
sync
poweroff -f
