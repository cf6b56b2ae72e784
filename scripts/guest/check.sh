#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Runs inside the test VM: load faultmem, run every selftest, unload it and
# check the kernel's health. The host (scripts/vm-run.sh) counts the lines:
#   "# Totals: pass:N fail:N ..."       from each kselftest program
#   "# faultmem-exit: NAME RC"          after each program
#   "faultmem-check: ok|not ok NAME"    for each check made here
#   "FAULTMEM-RUN-COMPLETE"             the end-of-run sentinel
# shellcheck source=lib.sh
. /faultmem/guest/lib.sh

# The kernel under test, for the lane's summary.
echo "# faultmem-kernel: $(uname -r) $(uname -v)"

# kmemleak (debug kernel): forget what boot left behind, so that only
# objects allocated from here on can be reported.
KMEMLEAK=/sys/kernel/debug/kmemleak
[ -w $KMEMLEAK ] && echo clear >$KMEMLEAK

# The parameters are NAME=VALUE words, split on purpose.
# shellcheck disable=SC2046
if insmod /faultmem/faultmem.ko $(cat /faultmem/insmod-params); then
	check ok "insmod faultmem.ko"
else
	check "not ok" "insmod faultmem.ko"
fi
for ko in /faultmem/extra/*.ko; do
	[ -f "$ko" ] && insmod "$ko"
done

# Settings from the kernel command line (fm.NAME=VALUE, see vm-run.sh).
stress_seconds=$(fm_param stress_seconds)
[ -z "$stress_seconds" ] || export FAULTMEM_STRESS_SECONDS="$stress_seconds"
PROGRAM_TIMEOUT=$(fm_param program_timeout)
FAULTMEM_INSMOD_PARAMS=$(cat /faultmem/insmod-params)
export FAULTMEM_KO=/faultmem/faultmem.ko FAULTMEM_INSMOD_PARAMS
# A program that runs past PROGRAM_TIMEOUT seconds (plus the stress test's
# own duration) has hung: run_bounded (lib.sh) reports where it waits and
# kills it, and the run goes on.
limit=$((${PROGRAM_TIMEOUT:-600} + ${FAULTMEM_STRESS_SECONDS:-60}))
cd /tmp || exit 1
for test in /faultmem/selftests/*; do
	[ -x "$test" ] || continue
	name=${test##*/}
	echo "# faultmem-run: $name"
	started=$(cut -d. -f1 /proc/uptime)
	run_bounded "$limit" "$name" "$test"
	rc=$?
	echo "# faultmem-exit: $name $rc"
	echo "# faultmem-time: $name $(($(cut -d. -f1 /proc/uptime) - started)) s"
done

# Where faultmem's code lives, to attribute kmemleak reports after unload
# (when its symbols are gone and backtraces show bare addresses).
module_base=$(awk '$1 == "faultmem" { print $6 }' /proc/modules)
module_size=$(awk '$1 == "faultmem" { print $2 }' /proc/modules)

if rmmod faultmem; then
	check ok "rmmod faultmem"
else
	check "not ok" "rmmod faultmem"
fi

if [ -w $KMEMLEAK ]; then
	# An object is reported once it has been unreferenced for 5 s and
	# through a scan; scan twice around that delay.
	echo scan >$KMEMLEAK
	sleep 6
	echo scan >$KMEMLEAK
	cat $KMEMLEAK >/tmp/kmemleak.txt
	leaks=$(awk -v base="${module_base#0x}" -v size="$module_size" '
		function hex(s,   i, v, c) {
			v = 0
			s = tolower(s)
			for (i = 1; i <= length(s); i++) {
				c = index("0123456789abcdef", substr(s, i, 1)) - 1
				v = v * 16 + c
			}
			return v
		}
		BEGIN { lo = hex(base); hi = lo + size }
		/^unreferenced object/ { objects++; mine = 0 }
		/faultmem/ { mine = 1 }
		/\[<[0-9a-f]+>\]/ {
			if (match($0, /0x[0-9a-f]+/)) {
				a = hex(substr($0, RSTART + 2, RLENGTH - 2))
				if (lo && a >= lo && a < hi) mine = 1
			}
		}
		/^unreferenced object/ || /^$/ { if (mine) n++; mine = 0 }
		END { if (mine) n++; print n + 0 }' /tmp/kmemleak.txt)
	total=$(grep -c '^unreferenced object' /tmp/kmemleak.txt)
	echo "# kmemleak: $total unreferenced objects in all, $leaks from faultmem"
	if [ "$leaks" -eq 0 ]; then
		check ok "kmemleak reports no object allocated by faultmem"
	else
		check "not ok" "kmemleak reports no object allocated by faultmem"
	fi
	# Nor any other: what leaks while the suite runs was leaked on a path
	# the suite drove, even when the code at fault is not faultmem's.
	if [ "$total" -eq 0 ]; then
		check ok "kmemleak reports no unreferenced object at all"
	else
		check "not ok" "kmemleak reports no unreferenced object at all"
	fi
	[ "$total" -eq 0 ] || sed 's/^/# /' /tmp/kmemleak.txt | head -n 60
fi

taint=$(cat /proc/sys/kernel/tainted)
if [ $((taint & BAD_TAINT)) -eq 0 ]; then
	check ok "kernel taint has no B/D/W/L bits ($taint)"
else
	check "not ok" "kernel taint has no B/D/W/L bits ($taint)"
fi
echo "FAULTMEM-RUN-COMPLETE"
