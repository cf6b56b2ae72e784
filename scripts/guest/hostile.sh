#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Runs inside the test VM: hostile input from real tools.
#   fio     writes and verifies (crc32c) the device through mmap and psync
#   trinity fuzzes the mm and file syscalls against the node, as nobody
# Reports use the same lines as check.sh (see there).
# shellcheck source=lib.sh
. /faultmem/guest/lib.sh
FUZZ_SECONDS=$(fm_param fuzz_seconds)
FUZZ_SECONDS=${FUZZ_SECONDS:-120}
FUZZ_SYSCALLS=$(fm_param fuzz_syscalls)
FUZZ_SYSCALLS=${FUZZ_SYSCALLS:-1000000}

if insmod /faultmem/faultmem.ko size=16M; then
	check ok "insmod faultmem.ko"
else
	check "not ok" "insmod faultmem.ko"
fi
taint_before=$(cat /proc/sys/kernel/tainted)

for engine in mmap psync; do
	cd /tmp || exit 1
	if fio --name="faultmem-$engine" --filename=/dev/faultmem0 \
		--ioengine=$engine --rw=randwrite --bs=4k --size=16M \
		--verify=crc32c --do_verify=1 --verify_fatal=1 \
		--output-format=terse >/tmp/fio-$engine.txt 2>&1; then
		# terse v3: field 6 is read kB, 47 write kB (kept for the record)
		echo "# fio $engine: $(awk -F';' '{ print "wrote " $47 " kB, verified " $6 " kB" }' /tmp/fio-$engine.txt)"
		check ok "fio ioengine=$engine verify=crc32c on /dev/faultmem0"
	else
		sed 's/^/# /' /tmp/fio-$engine.txt | tail -n 20
		check "not ok" "fio ioengine=$engine verify=crc32c on /dev/faultmem0"
	fi
done

# trinity: an unprivileged user, the node made accessible for this run
# only, and only the mm and file syscalls.
chmod 0666 /dev/faultmem0
mkdir -p /tmp/trinity && chown nobody /tmp/trinity
syscalls="mmap munmap mremap mprotect madvise msync mlock munlock mincore
	remap_file_pages read write pread64 pwrite64 readv writev preadv
	pwritev lseek ioctl fallocate ftruncate newfstat splice vmsplice tee
	sendfile dup dup2 fcntl fsync fdatasync flock close"
args=""
for s in $syscalls; do args="$args -c $s"; done
cd /tmp/trinity || exit 1
timeout "$FUZZ_SECONDS" su -s /bin/sh nobody -c \
	"trinity -l off -C 2 -N $FUZZ_SYSCALLS -V /dev/faultmem0 --disable-fds=sockets,perf,epoll,eventfd,pseudo,timerfd,memfd,drm $args" \
	>/tmp/trinity.txt 2>&1
rc=$?
chmod 0600 /dev/faultmem0
# trinity logs every call as "[childN:PID] [K] name(args) = result".
calls=$(grep -cE '^\[child[0-9]+:[0-9]+\] \[[0-9]+\] [a-z_0-9]+\(' /tmp/trinity.txt)
echo "# trinity: $calls syscalls issued (exit $rc; limit $FUZZ_SYSCALLS syscalls or $FUZZ_SECONDS s)"
grep -E '^\[child' /tmp/trinity.txt | tail -n 5 | sed 's/^/#   /'
# Finishing by count (0) or by the time limit (busybox timeout: 143) are
# both clean ends;
# trinity stops early on its own when it sees the kernel tainted.
if { [ $rc -eq 0 ] || [ $rc -eq 124 ] || [ $rc -eq 143 ]; } && [ "$calls" -gt 100 ]; then
	check ok "trinity ran as nobody against /dev/faultmem0"
else
	check "not ok" "trinity ran as nobody against /dev/faultmem0 (exit $rc)"
fi

# Evidence that the tools reached the device, not just the VFS around it.
d=/sys/class/misc/faultmem0
echo "# faultmem0 after fio and trinity: faults $(cat $d/faults), pages allocated $(cat $d/pages_allocated), SIGBUS faults $(cat $d/sigbus_faults), private write faults $(cat $d/private_write_faults), resizes $(cat $d/resizes), holes punched $(cat $d/holes_punched)"

taint=$(cat /proc/sys/kernel/tainted)
if [ "$taint" = "$taint_before" ] && [ $((taint & BAD_TAINT)) -eq 0 ]; then
	check ok "kernel taint unchanged by fio and trinity ($taint)"
else
	check "not ok" "kernel taint unchanged by fio and trinity ($taint_before -> $taint)"
fi
if rmmod faultmem; then
	check ok "rmmod faultmem after fuzzing"
else
	check "not ok" "rmmod faultmem after fuzzing"
fi
echo "FAULTMEM-RUN-COMPLETE"
