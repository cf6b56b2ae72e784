// SPDX-License-Identifier: GPL-2.0-only
/*
 * Runner self-test only: leaks an allocation at load time. On the debug
 * kernel kmemleak reports it with a backtrace through this module, and
 * make check-debug must fail.
 */
#include <linux/module.h>
#include <linux/slab.h>

static noinline void faultmem_leak_test_lose(void)
{
	void *lost = kmalloc(256, GFP_KERNEL);

	/* Use the pointer so the allocation is not optimised away. */
	pr_info("faultmem_leak_test: leaking %p on purpose\n", lost);
}

static int __init faultmem_leak_test_init(void)
{
	faultmem_leak_test_lose();
	return 0;
}

static void __exit faultmem_leak_test_exit(void)
{
}

module_init(faultmem_leak_test_init);
module_exit(faultmem_leak_test_exit);
MODULE_DESCRIPTION("faultmem runner self-test: memory leak on load");
MODULE_LICENSE("GPL");
