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

# Hold the scheduler's tracepoints on for the whole boot. Switching any
# trace event on (the tests do, and so do faultmem trace and faultmem run)
# adds probes to sched_switch and sched_wakeup (comm recording), and a
# pid filter adds probes to those and to sched_process_fork/free. When a
# tracepoint goes from no probe to one, or from one to two, the kernel
# patches its own text with int3 breakpoints while the other CPU runs it,
# and __schedule() runs all the time: under QEMU's multi-threaded TCG that
# patching has hung or oopsed guests (on 6.1 and 7.2-rt, nothing of
# faultmem's on the stack). Two instances, each with a pid filter on an
# idle process and event-fork, keep every one of those tracepoints at two
# probes or more, so later switches only change a probe list and never
# the text. It changes nothing the tests look at: the instances record no
# event. Holding them patches the text too, once, so it is done before
# the "init started" line: if that patching hangs, the host sees a boot
# that never reached /init and boots again (scripts/vm-run.sh).
# See docs/decisions.md, "The tool, strict and watchable".
hold_sched_tracepoints() {
	local t=/sys/kernel/tracing i
	if [ ! -d $t/instances ]; then
		echo "# faultmem-guest: no tracefs instances, nothing to hold"
		return 0
	fi
	sleep 2147483647 </dev/null >/dev/null 2>&1 &
	for i in 0 1; do
		mkdir $t/instances/faultmem-hold-$i &&
			echo $! >$t/instances/faultmem-hold-$i/set_event_pid &&
			echo 1 >$t/instances/faultmem-hold-$i/options/event-fork ||
			{ echo "# faultmem-guest: cannot hold the scheduler's tracepoints"; return 1; }
	done
	echo "# faultmem-guest: scheduler tracepoints held (pid filter on $!, 2 instances)"
}
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
	held=$(hold_sched_tracepoints 2>&1)
	# The host waits for this line to know that the kernel booted.
	echo "faultmem-guest: init started" >/dev/ttyS1
	echo "$held" >/dev/ttyS1
	/faultmem/guest/$mode.sh >/dev/ttyS1 2>&1 </dev/null
	;;
shell)
	hold_sched_tracepoints
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
