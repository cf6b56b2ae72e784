#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Prove that the VM test runner catches what it must: a failing selftest,
# a kernel WARN, a hung guest and a kernel panic, a skip the lane does not
# expect and a program that never ran each make
# "vm-run.sh check" exit non-zero and name the failure; a hung program is
# killed by the guest's watchdog with its wait channel shown, and the run
# goes on; a hung guest gets SysRq backtraces in its console log. A control
# run with the same machinery and nothing injected must pass.
#
# With a debug kernel tree as last argument it also proves that the
# debug lane catches a KASAN report and a kmemleak leak.
#
# usage: runner-selftest.sh SPEC KERNEL MODULE RUNNER_MODULES [DEBUG_KDIR]
#   SPEC (kernel.sh) names the kernel KERNEL boots; MODULE is faultmem
#   built for it, RUNNER_MODULES the directory where the test modules
#   (selftests/runner/modules) were built for it; DEBUG_KDIR is a debug
#   kernel tree of the same suite (build-debug-kernel.sh).
#   Run after make all and the runner tests.
set -u
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
usage="usage: runner-selftest.sh SPEC KERNEL MODULE RUNNER_MODULES [DEBUG_KDIR]"
spec=${1:?$usage}
kernel=${2:?$usage}
module=${3:?$usage}
runner_modules=${4:?$usage}
debug_kdir=${5:-}
parse_kernel_spec "$spec" || die "$usage"
tests=build/runner-tests
warn_ko=$runner_modules/faultmem_warn_test.ko
work=build/runner-selftest

# run_case NAME EXPECT_RC GREP [mkinitramfs options...]
# EXPECT_RC is "zero" or "nonzero"; GREP must appear in the runner output.
# KERNEL_IMAGE and MODULE (environment) override the kernel and faultmem.
run_case() {
	local name=$1 expect=$2 pattern=$3 rc
	shift 3
	mkdir -p "$work/$name/tests"
	scripts/mkinitramfs.sh -o "$work/$name/initramfs.cpio.gz" \
		-m "${MODULE:-$module}" -t "$work/$name/tests" "$@" ||
		die "cannot build the initramfs for $name"
	VM_LOGDIR=$work/$name scripts/vm-run.sh check "${KERNEL_IMAGE:-$kernel}" \
		"$work/$name/initramfs.cpio.gz" >"$work/$name/output.txt" 2>&1
	rc=$?
	if { [ "$expect" = zero ] && [ $rc -eq 0 ]; } ||
	   { [ "$expect" = nonzero ] && [ $rc -ne 0 ]; }; then
		if grep -qE "$pattern" "$work/$name/output.txt"; then
			ktap_result ok "$name: exit status $rc, output has '$pattern'"
			return
		fi
	fi
	ktap_result "not ok" "$name: exit status $rc, expected $expect and '$pattern'"
	sed 's/^/#   /' "$work/$name/output.txt" | tail -n 15
}

rm -rf "$work"
mkdir -p "$work"/{control,fail,skip,notrun,warn,hang,watchdog,panic}/tests
cp build/selftests/basic_test "$work/control/tests/"
cp "$tests/always_fails_test" "$work/fail/tests/"
cp "$tests/skips_test" "$work/skip/tests/"
# In the image but not executable: the guest passes it over.
cp build/selftests/basic_test "$work/notrun/tests/"
install -m 0644 build/selftests/basic_test "$work/notrun/tests/never_runs"
cp "$tests/hangs_forever" "$work/hang/tests/"
# The programs run in name order: the one after the hang must still run.
cp "$tests/hangs_forever" "$work/watchdog/tests/"
cp build/selftests/basic_test "$work/watchdog/tests/runs_after_the_hang"
cp "$tests/panics_kernel" "$work/panic/tests/"

run_case control zero '^[1-9][0-9]* passed, 0 failed'
run_case fail nonzero '^not ok 2 global.fails_on_purpose'
run_case skip nonzero '^not ok [0-9]+ - skips_test:global.skips_on_purpose was skipped, and this lane expects no such skip'
run_case notrun nonzero '^not ok [0-9]+ - never_runs is in the image but never ran'
run_case warn nonzero '^not ok [0-9]+ - kernel log has no WARNING' -x "$warn_ko"
VM_TIMEOUT=${RUNNER_HANG_TIMEOUT:-45} \
	run_case hang nonzero '^not ok [0-9]+ - VM finished within'
# expect_in NAME FILE PATTERN: one more check on a case's logs.
expect_in() {
	if grep -qE "$3" "$work/$1/$2"; then
		ktap_result ok "$1: $2 has '$3'"
	else
		ktap_result "not ok" "$1: no '$3' in $2"
	fi
}
expect_in hang console.log 'sysrq: Show Blocked State'
# A TESTS= that names no program fails before anything boots: the image
# is refused (it says so only when it refuses).
mkdir -p "$work/typo"
scripts/mkinitramfs.sh -o "$work/typo/initramfs.cpio.gz" -m "$module" \
	-t build/selftests -f "basic_tset" >"$work/typo/output.txt" 2>&1
expect_in typo output.txt "names 'basic_tset', which is not a selftest"
VM_APPEND="fm.program_timeout=20 fm.stress_seconds=0" \
	run_case watchdog nonzero '^not ok [0-9]+ - hangs_forever finished within 20 s \(it hung\)'
expect_in watchdog output.txt '^# pid [0-9]+ \(hangs_forever\) state S wchan'
expect_in watchdog output.txt '^# faultmem-exit: runs_after_the_hang 0$'
expect_in watchdog output.txt '^ok [0-9]+ - VM reached the end-of-run sentinel'
run_case panic nonzero '^not ok [0-9]+ - VM reached the end-of-run sentinel'

if [ -n "$debug_kdir" ]; then
	# The debug lane's own detectors, on the debug kernel.
	mods=$work/debug-modules
	scripts/kernel.sh build -m selftests/runner/modules "$spec_suite" \
		"$debug_kdir" "$mods" >"$work/debug-modules.log" 2>&1 ||
		die "cannot build the runner modules for the debug kernel: $work/debug-modules.log"
	faultmem_ko=$(scripts/kernel.sh build "$spec_suite" "$debug_kdir" \
		"$work/debug-faultmem" 2>"$work/debug-faultmem.log") ||
		die "cannot build faultmem for the debug kernel: $work/debug-faultmem.log"
	mkdir -p "$work"/{kasan,leak}/tests
	# One host thread for the vCPUs, as in the debug lane (vm-run.sh).
	export KERNEL_IMAGE=$debug_kdir/arch/x86/boot/bzImage MODULE=$faultmem_ko \
		VM_TCG_THREAD=single
	VM_MEM=2G run_case kasan nonzero '^not ok [0-9]+ - kernel log has no WARNING' \
		-x "$mods/faultmem_kasan_test.ko"
	VM_MEM=2G run_case leak nonzero '^not ok [0-9]+ - kmemleak reports no object allocated by faultmem' \
		-x "$mods/faultmem_leak_test.ko"
	# "slab-use-after-free" from 6.4 on.
	expect_in kasan console.log "BUG: KASAN: (slab-)?use-after-free"
	unset KERNEL_IMAGE MODULE VM_TCG_THREAD
fi

ktap_done
