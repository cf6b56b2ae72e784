// SPDX-License-Identifier: GPL-2.0-only
/*
 * Runner self-test only: a use-after-free at load time. On the debug
 * kernel KASAN reports it, and make check-debug must fail.
 */
#include <linux/module.h>
#include <linux/slab.h>

static int __init faultmem_kasan_test_init(void)
{
	char *buf = kmalloc(64, GFP_KERNEL);

	if (!buf)
		return -ENOMEM;
	kfree(buf);
	/* READ_ONCE: the compiler must really read the freed byte. */
	pr_info("faultmem_kasan_test: reading freed memory: %d\n",
		READ_ONCE(buf[8]));
	return 0;
}

static void __exit faultmem_kasan_test_exit(void)
{
}

module_init(faultmem_kasan_test_init);
module_exit(faultmem_kasan_test_exit);
MODULE_DESCRIPTION("faultmem runner self-test: use-after-free on load");
MODULE_LICENSE("GPL");
