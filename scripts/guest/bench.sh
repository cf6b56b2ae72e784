#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Runs inside the VM for make bench: faultmem-bench against a memfd, tmpfs
# files (4 KiB and huge=always mounts) and anonymous memory, with the
# kernel's THP knobs set explicitly so that every run compares the same
# thing: anonymous THP only where asked for (madvise), shmem THP only on
# the huge mount.
# shellcheck source=lib.sh
. /faultmem/guest/lib.sh
mib=$(fm_param bench_mib)
mib=${mib:-${BENCH_MIB:-32}}
reps=$(fm_param bench_reps)
reps=${reps:-${BENCH_REPS:-5}}
thp=/sys/kernel/mm/transparent_hugepage
echo madvise >$thp/enabled
echo madvise >$thp/defrag
echo never >$thp/shmem_enabled
mkdir -p /mnt/tmpfs /mnt/tmpfs-huge
mount -t tmpfs -o size=$((mib * 2))m,huge=never tmpfs /mnt/tmpfs || exit 1
mount -t tmpfs -o size=$((mib * 2))m,huge=always tmpfs /mnt/tmpfs-huge || exit 1
insmod /faultmem/faultmem.ko "size=${mib}M" || exit 1

echo "@@BEGIN ENV"
echo "kernel $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo) MiB"
echo "@@END"
faultmem-bench -s "$mib" -r "$reps" >/tmp/bench.out 2>&1
status=$?
echo "@@BEGIN TABLE"
sed '/^@@BEGIN CSV/,$d' /tmp/bench.out
echo "@@END"
sed -n '/^@@BEGIN CSV/,/^@@END/p' /tmp/bench.out
rmmod faultmem
[ $status -eq 0 ] && echo "FAULTMEM-RUN-COMPLETE"
