#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Runs inside the test VM for scripts/check-mutants.sh: first the control
# (the unmutated module must pass every program the mutants use), then
# each mutant of /faultmem/mutants/queue in turn, from the one after
# fm.mutants_from: load it, run its programs until one fails, unload it.
# Lines for the host:
#   "# mutant-control: ok" or "# mutant-control: not ok PROGRAM ..."
#   "# mutant-begin: INDEX NAME"
#   "# mutant-killed: NAME WHAT" or "# mutant-survived: NAME ..."
# A mutant that taints the kernel or cannot be unloaded ends the boot
# (the next boot starts clean after it); one that crashes or hangs it
# ends it too, and the host counts that mutant killed.
# shellcheck source=lib.sh
. /faultmem/guest/lib.sh

echo "# faultmem-kernel: $(uname -r) $(uname -v)"
from=$(fm_param mutants_from)
from=${from:-0}
limit=$(fm_param program_timeout)
limit=${limit:-40}
stress_seconds=$(fm_param stress_seconds)
[ -z "$stress_seconds" ] || export FAULTMEM_STRESS_SECONDS="$stress_seconds"
export FAULTMEM_INSMOD_PARAMS=
# A task stuck in the kernel for 20 s panics the guest (oops=panic on the
# command line does the same for an oops): the host counts the mutant
# killed and boots again, instead of waiting for its own timeout.
echo 20 >/proc/sys/kernel/hung_task_timeout_secs 2>/dev/null
echo 1 >/proc/sys/kernel/hung_task_panic 2>/dev/null
# What the kernel log must never show (as for scripts/vm-run.sh).
# shellcheck source=kernel-reports.sh
. /faultmem/guest/kernel-reports.sh
cd /tmp || exit 1

# run_program KO PROGRAM: run one selftest program against module KO
# (module_test loads it itself); print nothing, return 0 if it passed,
# else set $why.
run_program() {
	export FAULTMEM_KO="$1"
	run_bounded "$limit" "$2" "/faultmem/selftests/$2" \
		>"/tmp/$2.out" 2>&1 </dev/null
	rc=$?
	if [ $rc -ne 0 ] && [ $rc -ne 4 ]; then
		why="$2: $(grep -m 1 -E '^not ok|finished within' "/tmp/$2.out" | sed 's/^faultmem-check: //')"
		[ "$why" = "$2: " ] && why="$2: exit status $rc"
		return 1
	fi
	report=$(dmesg | kernel_reports - | head -n 1)
	if [ -n "$report" ]; then
		why="$2: kernel report: $(echo "${report#*:}" | sed 's/^\[[ 0-9.]*\] //')"
		return 1
	fi
	return 0
}

unload() {
	grep -q '^faultmem ' /proc/modules || return 0
	rmmod faultmem 2>/dev/null
}

finish() {
	echo "FAULTMEM-RUN-COMPLETE"
	sync
	poweroff -f
}

if [ "$from" -eq 0 ]; then
	dmesg -c >/dev/null
	insmod /faultmem/faultmem.ko || { echo "# mutant-control: not ok insmod"; finish; }
	control=ok
	programs=$(cat /faultmem/programs)
	for prog in $programs; do
		if ! run_program /faultmem/faultmem.ko "$prog"; then
			control="not ok $why"
			sed 's/^/# /' "/tmp/$prog.out" | tail -n 30
			break
		fi
		grep -q '^faultmem ' /proc/modules ||
			insmod /faultmem/faultmem.ko
	done
	unload || control="not ok rmmod"
	echo "# mutant-control: $control"
	[ "$control" = ok ] || finish
fi

index=0
while read -r name; do
	index=$((index + 1))
	[ "$index" -le "$from" ] && continue
	ko=/faultmem/mutants/$name.ko
	echo "# mutant-begin: $index $name"
	dmesg -c >/dev/null
	if ! insmod "$ko"; then
		echo "# mutant-killed: $name insmod failing"
		continue
	fi
	why=
	programs=$(cat "/faultmem/mutants/$name.tests")
	for prog in $programs; do
		run_program "$ko" "$prog" || break
		grep -q '^faultmem ' /proc/modules || insmod "$ko"
	done
	if ! unload; then
		echo "# mutant-killed: $name ${why:+$why; }rmmod failing"
		finish
	fi
	if [ -n "$why" ]; then
		echo "# mutant-killed: $name $why"
	else
		echo "# mutant-survived: $name passed $(cat "/faultmem/mutants/$name.tests")"
	fi
	# A tainted kernel judges the next mutant badly: boot again.
	taint=$(cat /proc/sys/kernel/tainted)
	[ $((taint & BAD_TAINT)) -eq 0 ] || finish
done </faultmem/mutants/queue
finish
