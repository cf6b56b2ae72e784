# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=sh
# Patterns in the kernel log that fail a run whatever the tests said, for
# the host (scripts/vm-run.sh, on the console log) and the guest
# (mutants.sh, on dmesg). Sourced, not run.
# (KASAN/KFENCE/UBSAN reports start with "BUG: KASAN" etc.; DEBUG_VM's
# VM_BUG_ON is "kernel BUG at"; SLUB debugging's is "BUG <cache> (...)";
# lockdep's reports are the "possible ... locking" and "lock state" lines.)
KERNEL_REPORTS='WARNING:|BUG[: ]|Oops|KASAN|KFENCE|UBSAN|possible circular locking|possible recursive locking|inconsistent lock state|lock held when returning|suspicious RCU usage|INFO: lockdep|lockdep is turned off|Bad page|page dumped because|corruption|Kernel panic|general protection fault|soft lockup|hung_task|blocked for more than|RCU Stall|detected stalls|self-detected stall'

# Lines that match KERNEL_REPORTS but are what a test asked for: a
# hwpoison fault-injection rule makes the fault handler answer
# VM_FAULT_HWPOISON, and x86 logs the kill it turns into (do_sigbus()).
# No real memory error happens in the test VM.
KERNEL_REPORTS_EXPECTED='MCE: Killing [^ ]+ due to hardware memory corruption fault at [0-9a-f]+[[:space:]]*$'

# kernel_reports [FILE]: the report lines of FILE (or standard input), the
# expected ones left out, as "grep -n" prints them.
kernel_reports() {
	grep -nvE "$KERNEL_REPORTS_EXPECTED" ${1:+"$1"} | grep -E "$KERNEL_REPORTS"
}
