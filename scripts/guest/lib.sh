# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the guest scripts (sourced, not run).

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
BAD_TAINT=$((32 | 128 | 512 | 16384))
