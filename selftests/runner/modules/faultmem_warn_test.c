// SPDX-License-Identifier: GPL-2.0-only
/*
 * Runner self-test only, never shipped or loaded by make check: loading
 * this module raises a WARN, which must make the test run fail even though
 * every test program passes.
 */
#include <linux/bug.h>
#include <linux/module.h>

static int __init faultmem_warn_test_init(void)
{
	WARN(1, "faultmem_warn_test: deliberate warning for the runner self-test\n");
	return 0;
}

static void __exit faultmem_warn_test_exit(void)
{
}

module_init(faultmem_warn_test_init);
module_exit(faultmem_warn_test_exit);
MODULE_DESCRIPTION("faultmem runner self-test: WARN on load");
MODULE_LICENSE("GPL");
