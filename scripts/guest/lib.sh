# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the guest scripts (sourced, not run).
# shellcheck shell=sh

# One verdict line for the host (scripts/vm-run.sh counts them):
#   check ok|"not ok" NAME
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
# For the scripts that source this file:
# shellcheck disable=SC2034
BAD_TAINT=$((32 | 128 | 512 | 16384))

# fm_param NAME: the value of fm.NAME=VALUE on the kernel command line
# (the last one given), or nothing.
fm_param() {
	tr ' ' '\n' </proc/cmdline | sed -n "s/^fm\.$1=//p" | tail -n 1
}

# The pids of every process in session $1.
session_pids() {
	for stat in /proc/[0-9]*/stat; do
		# Field 6 is the session; comm (field 2) has no spaces here.
		read -r pid _ _ _ _ sid _ <"$stat" 2>/dev/null || continue
		[ "$sid" = "$1" ] && echo "$pid"
	done
}

# Print, as comments, the state, wait channel and kernel stack of each
# process in session $1; then ask the kernel for its list of blocked (D)
# tasks, which goes to the console log.
dump_session() {
	for pid in $(session_pids "$1"); do
		[ -r "/proc/$pid/stat" ] || continue
		echo "# pid $pid ($(cat "/proc/$pid/comm" 2>/dev/null))" \
			"state $(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" \
			"wchan $(cat "/proc/$pid/wchan" 2>/dev/null)"
		sed 's/^/#     /' "/proc/$pid/stack" 2>/dev/null
	done
	echo w >/proc/sysrq-trigger 2>/dev/null
}

# run_bounded LIMIT NAME PROGRAM...: run PROGRAM in a session of its own
# and wait for it; return its exit status. If it is still running after
# LIMIT seconds, it hung: report that (one failed check), show where every
# process of the session is waiting, and kill the session. A session that
# survives SIGKILL is stuck in the kernel: the VM powers off at once, so
# that the host reports the hang now instead of at its own timeout.
run_bounded() {
	_limit=$1
	_name=$2
	shift 2
	setsid "$@" &
	_prog=$!
	(
		trap 'kill "$_nap" 2>/dev/null; exit 0' TERM
		sleep "$_limit" &
		_nap=$!
		wait "$_nap"
		kill -0 "$_prog" 2>/dev/null || exit 0
		check "not ok" "$_name finished within $_limit s (it hung)"
		echo "# $_name: where its processes are waiting"
		dump_session "$_prog"
		for pid in $(session_pids "$_prog"); do
			kill -KILL "$pid" 2>/dev/null
		done
		sleep 5
		[ -z "$(session_pids "$_prog")" ] && exit 0
		echo "# $_name: processes survive SIGKILL (stuck in the kernel)"
		dump_session "$_prog"
		echo t >/proc/sysrq-trigger 2>/dev/null
		sync
		poweroff -f
	) &
	_dog=$!
	wait "$_prog"
	_status=$?
	kill "$_dog" 2>/dev/null
	wait "$_dog" 2>/dev/null
	return $_status
}
