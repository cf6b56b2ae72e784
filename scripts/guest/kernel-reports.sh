# SPDX-License-Identifier: GPL-2.0-only
# Patterns in the kernel log that fail a run whatever the tests said, for
# the host (scripts/vm-run.sh, on the console log) and the guest
# (mutants.sh, on dmesg). Sourced, not run.
# (KASAN/KFENCE/UBSAN reports start with "BUG: KASAN" etc.; DEBUG_VM's
# VM_BUG_ON is "kernel BUG at"; SLUB debugging's is "BUG <cache> (...)";
# lockdep's reports are the "possible ... locking" and "lock state" lines.)
# shellcheck disable=SC2034
KERNEL_REPORTS='WARNING:|BUG[: ]|Oops|KASAN|KFENCE|UBSAN|possible circular locking|possible recursive locking|inconsistent lock state|lock held when returning|suspicious RCU usage|INFO: lockdep|lockdep is turned off|Bad page|page dumped because|corruption|Kernel panic|general protection fault|soft lockup|hung_task|blocked for more than|RCU Stall|detected stalls|self-detected stall'
