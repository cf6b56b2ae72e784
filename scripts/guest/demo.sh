#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Runs inside the demo VM: load faultmem and run every demo in order, from
# the first page fault to two processes synchronising through the buffer.
# The parameters are NAME=VALUE words, split on purpose.
# shellcheck disable=SC2046
insmod /faultmem/faultmem.ko $(cat /faultmem/insmod-params) || exit 1
echo "loaded: $(dmesg | grep 'faultmem:' | tail -n 1)"
ls -l /dev/faultmem0
failed=0
for demo in /faultmem/demos/*; do
	echo
	echo "######## ${demo##*/}"
	"$demo" || failed=$((failed + 1))
done
echo
echo "######## the residency map after the demos (faultmem map)"
faultmem map --ascii --width 32
rmmod faultmem && echo "unloaded; every page freed"
[ $failed -eq 0 ] && echo "all demos OK" || echo "$failed demo(s) FAILED"
echo "FAULTMEM-RUN-COMPLETE"
