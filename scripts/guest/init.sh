#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-only
# Busybox's ash, which shellcheck knows as dash.
# shellcheck shell=dash
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

# Keep the scheduler's tracepoints at two probes or more for the whole
# boot, so that no later trace switch patches kernel text, which has hung
# TCG guests; done before "init started", so that a hang here is a boot
# the host retries (docs/design.md, "The test guest").
hold_sched_tracepoints() {
	local t=/sys/kernel/tracing i
	if [ ! -d $t/instances ]; then
		echo "# faultmem-guest: no tracefs instances, nothing to hold"
		return 0
	fi
	sleep 2147483647 >/dev/null 2>&1 &
	for i in 0 1; do
		if ! { mkdir $t/instances/faultmem-hold-$i &&
			echo $! >$t/instances/faultmem-hold-$i/set_event_pid &&
			echo 1 >$t/instances/faultmem-hold-$i/options/event-fork; }; then
			echo "# faultmem-guest: cannot hold the scheduler's tracepoints"
			return 1
		fi
	done
	echo "# faultmem-guest: scheduler tracepoints held (pid filter on $!, 2 instances)"
}
# Every SysRq function: a hang is diagnosed with "w" (blocked tasks) and
# "t" (all tasks), from the guest's watchdog or the host's monitor.
echo 1 >/proc/sys/kernel/sysrq
export PATH=/faultmem/bin:/bin:/sbin:/usr/bin:/usr/sbin HOME=/root

# shellcheck source=lib.sh
. /faultmem/guest/lib.sh
mode=$(fm_param mode)

case $mode in
check|demo|hostile|docs|bench|udev|deb|mutants)
	held=$(hold_sched_tracepoints 2>&1)
	# The host waits for this line to know that the kernel booted.
	echo "faultmem-guest: init started" >/dev/ttyS1
	echo "$held" >/dev/ttyS1
	"/faultmem/guest/$mode.sh" >/dev/ttyS1 2>&1 </dev/null
	;;
shell)
	hold_sched_tracepoints
	# The parameters are NAME=VALUE words, split on purpose.
	# shellcheck disable=SC2046
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
