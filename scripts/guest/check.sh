#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Runs inside the test VM: load faultmem, run every selftest, unload it and
# check the kernel's health. The host (scripts/vm-run.sh) counts the lines:
#   "# Totals: pass:N fail:N ..."       from each kselftest program
#   "# faultmem-exit: NAME RC"          after each program
#   "faultmem-check: ok|not ok NAME"    for each check made here
#   "FAULTMEM-RUN-COMPLETE"             the end-of-run sentinel
check() {
	if [ "$1" = ok ]; then
		echo "faultmem-check: ok $2"
	else
		echo "faultmem-check: not ok $2"
	fi
}

# Taint bits that mean the kernel went wrong: B bad page (32), D oops
# (128), W warning (512), L soft lockup (16384). Loading an unsigned
# out-of-tree module sets O and E, which are expected.
BAD_TAINT=$((32 | 128 | 512 | 16384))

if insmod /faultmem/faultmem.ko $(cat /faultmem/insmod-params); then
	check ok "insmod faultmem.ko"
else
	check "not ok" "insmod faultmem.ko"
fi
for ko in /faultmem/extra/*.ko; do
	[ -f "$ko" ] && insmod "$ko"
done

# Settings from the kernel command line (fm.NAME=VALUE, see vm-run.sh).
for word in $(cat /proc/cmdline); do
	case $word in
	fm.stress_seconds=*) export FAULTMEM_STRESS_SECONDS=${word#*=} ;;
	esac
done
export FAULTMEM_KO=/faultmem/faultmem.ko
export FAULTMEM_INSMOD_PARAMS="$(cat /faultmem/insmod-params)"
for test in /faultmem/selftests/*; do
	[ -x "$test" ] || continue
	name=${test##*/}
	echo "# faultmem-run: $name"
	(cd /tmp && "$test")
	echo "# faultmem-exit: $name $?"
done

if rmmod faultmem; then
	check ok "rmmod faultmem"
else
	check "not ok" "rmmod faultmem"
fi

taint=$(cat /proc/sys/kernel/tainted)
if [ $((taint & BAD_TAINT)) -eq 0 ]; then
	check ok "kernel taint has no B/D/W/L bits ($taint)"
else
	check "not ok" "kernel taint has no B/D/W/L bits ($taint)"
fi
echo "FAULTMEM-RUN-COMPLETE"
