#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Runs inside the demo VM: load faultmem and show two processes sharing it.
set -e
insmod /faultmem/faultmem.ko $(cat /faultmem/insmod-params)
echo "loaded: $(dmesg | grep 'faultmem:' | tail -n 1)"
ls -l /dev/faultmem0
echo
faultmem-share /dev/faultmem0 8
echo
rmmod faultmem
echo "unloaded; every page freed"
echo "FAULTMEM-RUN-COMPLETE"
