#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Boot a kernel and an initramfs from mkinitramfs.sh under QEMU and judge
# the run.
#
# usage: vm-run.sh check|hostile|udev|deb|demo|docs|bench|mutants|shell KERNEL INITRD
#
# Environment:
#   VM_TIMEOUT   seconds before the VM counts as hung (default 900); the
#                host then presses SysRq l, w and t through the QEMU
#                monitor, so the console log shows where the kernel waits
#   VM_MEM       guest memory (default 1G); VM_SMP CPUs (default 2);
#   VM_NUMA      NUMA nodes (default 2: a socket, a CPU and half the memory
#                each; 1 for a machine without NUMA)
#   VM_ACCEL     tcg or kvm (default: kvm only where the CPU has vmx/svm
#                and /dev/kvm is usable; here a KVM guest hangs)
#   VM_CPU       QEMU CPU model (default qemu64 under TCG, host under KVM)
#   VM_TCG_THREAD  single: all vCPUs in one host thread (see below)
#   VM_APPEND    extra kernel command line
#   VM_BOOT_TIMEOUT, VM_BOOT_RETRIES  boot again (at most RETRIES times,
#                default 3) when the guest has not reached /init after
#                BOOT_TIMEOUT seconds (default 90; a debug kernel under
#                TCG reaches /init in about 10 s), or its kernel died
#                before /init
#   VM_LOGDIR    where console.log and results.log go (default build/vm)
#   VM_SKIP_TAGS the lane's tags in selftests/expected-skips (VM_EXPECTED_SKIPS
#                names another file): a skip no line of those tags expects
#                fails the run, as does a program of the image that never ran
#
# check, hostile, udev, deb: the guest's output is shown live; at the end
# the run's verdict is printed as KTAP results (lib.sh), then the counts,
# "N passed, N failed, N skipped", and the exit status is non-zero if
# anything failed, the sentinel is missing (hang, panic, crash), or the
# console log shows a kernel report.
set -u
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

mode=${1:?usage: vm-run.sh check|hostile|udev|deb|demo|docs|bench|mutants|shell KERNEL INITRD}
kernel=${2:?kernel image}
initrd=${3:?initramfs}
timeout_s=${VM_TIMEOUT:-900}
logdir=${VM_LOGDIR:-build/vm}
[ -f "$kernel" ] || die "no kernel image at $kernel"
[ -f "$initrd" ] || die "no initramfs at $initrd"
mkdir -p "$logdir"
console=$logdir/console.log
results=$logdir/results.log

accel=${VM_ACCEL:-}
if [ -z "$accel" ]; then
	accel=tcg
	if grep -qwE 'vmx|svm' /proc/cpuinfo && [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
		accel=kvm
	fi
fi
# Under TCG, "-cpu max" with two CPUs makes the debug kernel pick the AMD
# E400 idle routine and hang in early boot; the plain qemu64 model boots
# both kernels.
cpu=${VM_CPU:-qemu64}
[ "$accel" = kvm ] && cpu=${VM_CPU:-host}
# VM_TCG_THREAD=single runs every vCPU in one host thread, round-robin,
# instead of one thread each. QEMU 7.2's multi-threaded TCG now and then
# never wakes an idle vCPU for an interrupt: its clock stops and the
# other CPU waits for it forever (seen with the debug kernel in early
# boot, in synchronize_rcu_tasks(), and later as a soft lockup in an IPI
# for text patching). In one thread, the loop that delivers an interrupt
# is the one that runs the halted vCPU. The debug lanes use it; the
# others keep one thread per vCPU, so that races run truly in parallel.
if [ "$accel" = tcg ] && [ -n "${VM_TCG_THREAD:-}" ]; then
	accel=tcg,thread=$VM_TCG_THREAD
fi

qemu=(qemu-system-x86_64 -accel "$accel" -cpu "$cpu" -m "${VM_MEM:-1G}"
	-smp "${VM_SMP:-2}" -nodefaults -display none -no-reboot
	-kernel "$kernel" -initrd "$initrd")

# The guest is a NUMA machine of VM_NUMA nodes (default 2; 1 for none),
# a socket each, the memory and the CPUs split evenly, so that NUMA
# policies and page migration can be tested.
numa=${VM_NUMA:-2}
smp=${VM_SMP:-2}
mem=${VM_MEM:-1G}
case $mem in
*G) mem_mib=$((${mem%G} * 1024)) ;;
*M) mem_mib=${mem%M} ;;
*) mem_mib=$mem ;;
esac
if [ "$numa" -gt 1 ]; then
	{ [ $((smp % numa)) -eq 0 ] && [ $((mem_mib % numa)) -eq 0 ]; } ||
		die "VM_NUMA=$numa needs CPUs (VM_SMP=$smp) and memory (VM_MEM=$mem) that divide evenly"
	# One socket per node: CPUs of one socket share a cache, and the
	# kernel warns when such siblings sit on different nodes.
	per=$((smp / numa))
	qemu+=(-smp "$smp,sockets=$numa,cores=$per,threads=1")
	for ((node = 0; node < numa; node++)); do
		qemu+=(-object "memory-backend-ram,id=mem$node,size=$((mem_mib / numa))M"
			-numa "node,nodeid=$node,cpus=$((node * per))-$(((node + 1) * per - 1)),memdev=mem$node")
	done
fi
# init_on_alloc=0: Debian's kernels zero every page they allocate
# (CONFIG_INIT_ON_ALLOC_DEFAULT_ON), which would hide a driver that hands
# out pages without zeroing them (selftests/zero_test.c); users may boot
# without it.
append="console=ttyS0 panic=-1 init_on_alloc=0 fm.mode=$mode ${VM_APPEND:-}"

if [ "$mode" = shell ]; then
	exec "${qemu[@]}" -serial mon:stdio -append "$append"
fi

# The QEMU monitor, through two FIFOs, is how the host presses SysRq keys
# in a hung guest: the kernel then writes the backtraces of its CPUs and
# the blocked and running tasks to the console log.
monitor=$logdir/monitor
rm -f "$monitor.in" "$monitor.out"
mkfifo "$monitor.in" "$monitor.out" || die "cannot make the monitor FIFOs in $logdir"
# Opened read-write, a FIFO never blocks its writer, even when QEMU has
# already gone.
exec 9<>"$monitor.in"

# sysrq_dump WHY: record in the console log where the guest is stuck.
sysrq_dump() {
	echo "# $1: asking the guest kernel for backtraces (SysRq l, w, t)"
	for key in l w t; do
		echo "sendkey alt-sysrq-$key" >&9
		sleep 5
	done
	echo "#   they are in $console"
}

# Boot, and boot again if the guest never reaches /init: under TCG the
# debug kernel occasionally hangs in an early-boot RCU self-test (before
# any module or test runs), which says nothing about faultmem; /init
# says it started only after it has held the scheduler's tracepoints,
# whose one-off text patching has hung multi-threaded TCG guests too
# (scripts/guest/init.sh). A hang after /init started still fails the
# run. Each hung boot's console log
# is kept as console.boot-N.log.
boot_timeout=${VM_BOOT_TIMEOUT:-90}
boot_retries=${VM_BOOT_RETRIES:-3}
attempt=0
while :; do
	: >"$console"
	: >"$results"
	rm -f "$logdir/qemu.pid" "$logdir/qemu.rc"
	# The monitor's replies are not needed; keep its FIFO drained.
	cat <>"$monitor.out" >/dev/null &
	drain=$!
	{
		timeout -k 10 $((timeout_s + 60)) "${qemu[@]}" \
			-monitor "pipe:$monitor" \
			-pidfile "$logdir/qemu.pid" -serial "file:$console" \
			-serial stdio -append "$append" </dev/null
		echo $? >"$logdir/qemu.rc"
	} | sed -u 's/\r$//' | tee "$results" &
	pipeline=$!
	started=$SECONDS
	booted=0
	while [ $((SECONDS - started)) -lt "$boot_timeout" ]; do
		grep -q '^faultmem-guest: init started' "$results" && { booted=1; break; }
		kill -0 "$pipeline" 2>/dev/null || break
		sleep 1
	done
	grep -q '^faultmem-guest: init started' "$results" && booted=1
	# The kernel died before /init (seen once with unstable's PREEMPT_RT
	# kernel under a loaded host: an int3 oops while patching text in
	# early boot): nothing of faultmem's had run. Boot again, like a hang.
	if [ $booted = 0 ] && ! kill -0 "$pipeline" 2>/dev/null &&
	   [ $attempt -lt "$boot_retries" ]; then
		wait "$pipeline"
		kill "$drain" 2>/dev/null
		attempt=$((attempt + 1))
		echo "# the guest kernel died before /init; booting again ($attempt of $boot_retries)"
		echo "#   first report: $(grep -m 1 -E 'Oops|BUG|panic' "$console" | tr -d '\r')"
		cp "$console" "$logdir/console.boot-$attempt.log"
		continue
	fi
	if [ $booted = 0 ] && kill -0 "$pipeline" 2>/dev/null &&
	   [ $attempt -lt "$boot_retries" ]; then
		attempt=$((attempt + 1))
		echo "# the guest did not reach /init within ${boot_timeout} s; booting again ($attempt of $boot_retries)"
		echo "#   last console line: $(tail -n 1 "$console")"
		sysrq_dump "boot hang" >/dev/null
		cp "$console" "$logdir/console.boot-$attempt.log"
		kill "$(cat "$logdir/qemu.pid" 2>/dev/null)" 2>/dev/null
		wait "$pipeline"
		kill "$drain" 2>/dev/null
		continue
	fi
	# The run itself: at most VM_TIMEOUT seconds from the start.
	hung=0
	while kill -0 "$pipeline" 2>/dev/null; do
		if [ $((SECONDS - started)) -ge "$timeout_s" ]; then
			hung=1
			sysrq_dump "the VM is still running after $timeout_s s"
			kill "$(cat "$logdir/qemu.pid" 2>/dev/null)" 2>/dev/null
			break
		fi
		sleep 1
	done
	wait "$pipeline"
	kill "$drain" 2>/dev/null
	break
done
rm -f "$monitor.in" "$monitor.out"
qemu_rc=$(cat "$logdir/qemu.rc" 2>/dev/null || echo 1)
[ "$hung" = 1 ] && qemu_rc=124

case $mode in
demo|docs|bench|mutants) grep -q FAULTMEM-RUN-COMPLETE "$results"; exit $? ;;
esac

# What the kernel log must never show.
# shellcheck source=guest/kernel-reports.sh
. "$(dirname "$0")/guest/kernel-reports.sh"

# What must have run: every program the image holds (mkinitramfs.sh
# lists them), and which skips the lane expects (selftests/expected-skips,
# the lines whose tag is in VM_SKIP_TAGS; any other skip fails the run).
programs=$(gzip -dc "$initrd" | (cd "$logdir" && rm -rf manifest &&
	mkdir manifest && cd manifest &&
	cpio -id --quiet faultmem/programs 2>/dev/null
	cat faultmem/programs 2>/dev/null) | tr '\n' ' ')
expected_skips=${VM_EXPECTED_SKIPS:-$(dirname "$0")/../selftests/expected-skips}
[ -f "$expected_skips" ] || die "no expected-skips file at $expected_skips"

# The verdict: every line of the guest's that says something about the
# run, read in order. Besides each selftest program's own KTAP output,
# scripts/guest/check.sh prints
#   # faultmem-run: PROGRAM          before a program
#   # faultmem-exit: PROGRAM STATUS  after it
#   faultmem-check: ok NAME          a check of its own (or "not ok NAME")
#   FAULTMEM-RUN-COMPLETE            at the very end
# The results are the guest's checks and one "not ok" for each thing
# that went wrong; the counts add up the programs' "# Totals:" lines too.

# skip_is_expected PROGRAM:TEST: true if a line of the expected-skips file
# (TAG PROGRAM TEST, TEST a glob where only "*" is special) with the tag
# "all" or one of VM_SKIP_TAGS names it.
skip_is_expected() {
	local tag program test glob

	while read -r tag program test _; do
		case $tag in "" | "#"*) continue ;; esac
		case " all ${VM_SKIP_TAGS:-} " in *" $tag "*) ;; *) continue ;; esac
		glob=$program:$test
		glob=${glob//\\/\\\\} glob=${glob//\?/\\?} glob=${glob//\[/\\[}
		# Unquoted: $glob is a pattern.
		# shellcheck disable=SC2053
		[[ $1 == $glob ]] && return 0
	done <"$expected_skips"
	return 1
}

# add_totals LINE: a program's "# Totals: pass:N fail:N xfail:N xpass:N
# skip:N error:N" into the counts. An expected failure (xfail) passes;
# an unexpected pass (xpass) and an error fail.
add_totals() {
	local pass fail xfail xpass skip error

	IFS=' :' read -r _ _ _ pass _ fail _ xfail _ xpass _ skip _ error _ <<<"$1"
	passed=$((passed + ${pass:-0} + ${xfail:-0}))
	failed=$((failed + ${fail:-0} + ${xpass:-0} + ${error:-0}))
	skipped=$((skipped + ${skip:-0}))
}

# judge: the run's results, then the plan and the counts (lib.sh); false
# if anything failed.
judge() {
	local line program='' status test='' totals=0 failed_before=0 ran=' '
	local complete=0 built

	while IFS= read -r line || [ -n "$line" ]; do
		case $line in
		"# faultmem-run: "*)
			read -r _ _ program _ <<<"$line"
			ran+="$program " totals=0 failed_before=$failed
			;;
		"#  RUN "*)
			read -r _ _ test _ <<<"$line"
			;;
		"# Totals: pass:"*)
			add_totals "$line"
			totals=1
			;;
		"# faultmem-exit: "*)
			# Died before its totals, or failed with no failure
			# counted: one failure of its own (4 is kselftest's
			# "skipped").
			read -r _ _ program status _ <<<"$line"
			if [ "$totals" = 0 ] || { [ "$status" != 0 ] &&
			   [ "$status" != 4 ] && [ "$failed" = "$failed_before" ]; }; then
				ktap_result "not ok" "$program exited with status $status without counted failures"
			fi
			program=''
			;;
		"faultmem-check: ok "*)
			ktap_result ok "${line#faultmem-check: ok }"
			;;
		"faultmem-check: not ok "*)
			ktap_result "not ok" "${line#faultmem-check: not ok }"
			;;
		FAULTMEM-RUN-COMPLETE)
			complete=1
			;;
		esac
		# A skipped test ("ok N # SKIP WHY"), which the lane must expect.
		if [[ $line =~ ^ok\ [0-9]+\ \#\ SKIP ]] &&
		   ! skip_is_expected "$program:$test"; then
			ktap_result "not ok" "$program:$test was skipped, and this lane expects no such skip (selftests/expected-skips):${line#*# SKIP}"
		fi
	done <"$results"

	for built in $programs; do
		case $ran in
		*" $built "*) ;;
		*) ktap_result "not ok" "$built is in the image but never ran" ;;
		esac
	done
	[ -z "$program" ] || ktap_result "not ok" "$program did not finish"
	case $qemu_rc in
	124 | 137) ktap_result "not ok" "VM finished within $timeout_s s (it hung)" ;;
	esac
	if [ "$complete" = 1 ]; then
		ktap_result ok "VM reached the end-of-run sentinel (no hang, panic or crash)"
	else
		ktap_result "not ok" "VM reached the end-of-run sentinel (no hang, panic or crash)"
	fi
	if [ -z "$(kernel_reports "$console")" ]; then
		ktap_result ok "kernel log has no WARNING/BUG/Oops/KASAN/lockdep/Bad page reports"
	else
		ktap_result "not ok" "kernel log has no WARNING/BUG/Oops/KASAN/lockdep/Bad page reports"
	fi
	ktap_done
}
judge >"$logdir/verdict.txt"
rc=$?
first_report=$(kernel_reports "$console" | head -n 1 | cut -d: -f1)
if [ -n "$first_report" ]; then
	echo "# kernel reports in $console:"
	tail -n "+$first_report" "$console" | head -n 80 | sed 's/^/#   /'
fi
cat "$logdir/verdict.txt"
exit $rc
