#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Runs inside the VM for make docs: one small scenario, captured in blocks
#   @@BEGIN NAME ... @@END
# that scripts/gen-walkthrough.sh pastes into docs/walkthrough.md.
T=/sys/kernel/tracing
block() { echo "@@BEGIN $1"; }
endblock() { echo "@@END"; }

insmod /faultmem/faultmem.ko size=64K || exit 1

block INSMOD
echo '# insmod faultmem.ko size=64K'
dmesg | grep 'faultmem:' | tail -n 1 | sed 's/^\[[ 0-9.]*\] //'
echo '# ls -l /dev/faultmem0'
ls -l /dev/faultmem0
endblock

block INFO_BEFORE
echo '# faultmem info'
faultmem info
endblock

# The decoded view: faultmem trace streams while pages are touched.
faultmem trace -n 9 0 >/tmp/decoded.txt 2>/tmp/decoded.err &
tracer=$!
# Touch only once it says it is tracing (events on, trace_pipe open).
for _ in $(seq 600); do
	grep -q '^tracing faultmem events' /tmp/decoded.err && break
	sleep 0.1
done
{
	echo '# faultmem touch 0 0 1 2 3        (four first writes)'
	faultmem touch 0 0 1 2 3
	echo '# faultmem touch 0 2              (write page 2 again, from a new mapping)'
	faultmem touch 0 2
	echo '# faultmem touch -r 0 2           (read page 2 again, from a new mapping)'
	faultmem touch -r 0 2
	echo '# faultmem touch 0 16             (one page past the end of 64 KiB)'
	faultmem touch 0 16
	echo '# faultmem touch -r 0 9           (a read of a page never written)'
	faultmem touch -r 0 9
} >/tmp/touches.txt 2>&1
wait $tracer

block TOUCHES
cat /tmp/touches.txt
endblock

block TRACE_DECODED
echo '# faultmem trace -n 9 0'
cat /tmp/decoded.txt
endblock

block INFO_AFTER
echo '# faultmem info'
faultmem info
endblock

block MAP
echo '# faultmem map --ascii --width 16'
faultmem map --ascii --width 16
endblock

# The raw view, straight from tracefs, for the same kind of access.
echo > $T/trace
echo 1 > $T/events/faultmem/faultmem_fault/enable
faultmem touch 0 5 >/dev/null
echo 0 > $T/events/faultmem/faultmem_fault/enable
block TRACE_RAW
echo '# echo 1 > /sys/kernel/tracing/events/faultmem/faultmem_fault/enable'
echo '# faultmem touch 0 5; cat /sys/kernel/tracing/trace'
grep -v '^#' $T/trace
echo '# cat /sys/kernel/tracing/events/faultmem/faultmem_fault/format'
cat $T/events/faultmem/faultmem_fault/format
endblock

block SYSFS
echo '# grep . /sys/class/misc/faultmem0/*'
cd /sys/class/misc/faultmem0 && for f in size max_size resident_pages resident_bytes faults pages_allocated existing_page_faults sigbus_faults private_write_faults resizes holes_punched fault_around_calls huge_folios_allocated huge_fallbacks insert_races injected_sigbus injected_hwpoison injected_nospace injected_delays huge; do
	echo "$f: $(cat $f)"
done
endblock

block RUN
echo '# faultmem run --map -- 04_shared_between_processes'
cd /faultmem/demos && faultmem run --map -- ./04_shared_between_processes 2>&1
cd /
endblock

# Faults on demand: rules, the accesses they fail or delay, the events.
{
	echo '# faultmem inject 0 sigbus 3'
	faultmem inject 0 sigbus 3
	echo '# faultmem inject 0 hwpoison 6'
	faultmem inject 0 hwpoison 6
	echo '# faultmem inject --times 1 0 delay 200ms 4'
	faultmem inject --times 1 0 delay 200ms 4
} >/tmp/inject.txt 2>&1
echo > $T/trace
echo 1 > $T/events/faultmem/faultmem_fault/enable
{
	echo '# faultmem touch -r 0 3'
	faultmem touch -r 0 3
	echo '# faultmem touch -r 0 6'
	faultmem touch -r 0 6
	echo '# faultmem touch -r 0 4'
	faultmem touch -r 0 4
} >>/tmp/inject.txt 2>&1
echo 0 > $T/events/faultmem/faultmem_fault/enable
block INJECT
cat /tmp/inject.txt
echo '# cat /sys/class/misc/faultmem0/inject'
cat /sys/class/misc/faultmem0/inject
endblock
block INJECT_TRACE
echo '# cat /sys/kernel/tracing/trace'
grep -v '^#' $T/trace
endblock
faultmem inject 0 clear >/dev/null

block INJECT_RUN
echo "# faultmem run --inject 'sigbus 2' -- dd if=/dev/faultmem0 of=/dev/null bs=4096 count=4"
faultmem run --inject 'sigbus 2' -- dd if=/dev/faultmem0 of=/dev/null bs=4096 count=4 2>&1
endblock

rmmod faultmem
echo "FAULTMEM-RUN-COMPLETE"
