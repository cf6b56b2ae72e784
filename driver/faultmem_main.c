// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultmem: module parameters, creation and teardown of the devices.
 *
 * Loading the module creates /dev/faultmem0 .. /dev/faultmem<devices-1>,
 * each a buffer of "size" bytes that lives until the module is unloaded.
 * The buffers start empty: pages are allocated by the fault handler
 * (faultmem_fault.c) or by write() when first touched.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cache.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/overflow.h>
#include <linux/percpu.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "faultmem_dev.h"

#define FAULTMEM_MAX_DEVICES	64
#define FAULTMEM_DEFAULT_SIZE	SZ_16M
#define FAULTMEM_DEFAULT_MAX	SZ_1G

static unsigned int devices __ro_after_init = 1;
module_param(devices, uint, 0444);
MODULE_PARM_DESC(devices, "Number of /dev/faultmemN devices (1-"
		 __stringify(FAULTMEM_MAX_DEVICES) ", default 1)");

/* The parameters are set at load and never change: __ro_after_init. */
static u64 size __ro_after_init = FAULTMEM_DEFAULT_SIZE;
u64 faultmem_max_size __ro_after_init = FAULTMEM_DEFAULT_MAX;
/* 0 until faultmem_check_params() applies the default: half of RAM. */
u64 faultmem_max_total_size __ro_after_init;

/*
 * "size" and "max_size" take a byte count with an optional K/M/G suffix and
 * are rounded up to whole pages. A value that does not parse makes insmod
 * fail; the module core then logs "invalid for parameter".
 */
static int faultmem_param_set_bytes(const char *val,
				    const struct kernel_param *kp)
{
	u64 bytes;
	int err;

	err = faultmem_parse_size(val, &bytes);
	if (err == -ERANGE) {
		pr_err("%s=%s: does not fit in 64 bits\n", kp->name, val);
		return err;
	}
	if (err) {
		pr_err("%s=%s: expected bytes with an optional K/M/G suffix\n",
		       kp->name, val);
		return err;
	}
	if (bytes > MAX_LFS_FILESIZE) {
		pr_err("%s=%s: larger than the largest file size\n",
		       kp->name, val);
		return -ERANGE;
	}
	*(u64 *)kp->arg = PAGE_ALIGN(bytes);
	return 0;
}

static int faultmem_param_get_bytes(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%llu\n", *(u64 *)kp->arg);
}

static const struct kernel_param_ops faultmem_param_bytes_ops = {
	.set = faultmem_param_set_bytes,
	.get = faultmem_param_get_bytes,
};

module_param_cb(size, &faultmem_param_bytes_ops, &size, 0444);
MODULE_PARM_DESC(size, "Initial size of each device in bytes, K/M/G suffixes accepted, rounded up to pages (default 16M)");
module_param_cb(max_size, &faultmem_param_bytes_ops, &faultmem_max_size, 0444);
MODULE_PARM_DESC(max_size, "Largest size a device may be given, per device (default 1G)");
module_param_cb(max_total_size, &faultmem_param_bytes_ops,
		&faultmem_max_total_size, 0444);
MODULE_PARM_DESC(max_total_size, "Largest sum of the sizes of all devices (default: half of RAM, like tmpfs)");

/* The huge-page policy new devices start with; sysfs changes it per device. */
enum faultmem_huge faultmem_huge_default __ro_after_init = FAULTMEM_HUGE_NEVER;

static int faultmem_param_set_huge(const char *val,
				   const struct kernel_param *kp)
{
	int huge = faultmem_parse_huge(val);

	if (huge == -EOPNOTSUPP) {
		pr_err("huge=%s: this kernel has no transparent huge pages\n",
		       val);
		return huge;
	}
	if (huge < 0) {
		pr_err("huge=%s: expected never, always or within_size\n", val);
		return huge;
	}
	*(enum faultmem_huge *)kp->arg = huge;
	return 0;
}

static int faultmem_param_get_huge(char *buf, const struct kernel_param *kp)
{
	return faultmem_show_huge(buf, *(enum faultmem_huge *)kp->arg);
}

static const struct kernel_param_ops faultmem_param_huge_ops = {
	.set = faultmem_param_set_huge,
	.get = faultmem_param_get_huge,
};

module_param_cb(huge, &faultmem_param_huge_ops, &faultmem_huge_default, 0444);
MODULE_PARM_DESC(huge, "Back the buffers with PMD-size folios (2 MiB on x86-64): never (default), always or within_size (the same on faultmem: every PMD-size block wholly inside the device)");

static struct faultmem_dev *faultmem_devs;

static int __init faultmem_check_params(void)
{
	u64 total;

	if (devices < 1 || devices > FAULTMEM_MAX_DEVICES) {
		pr_err("devices=%u: must be between 1 and %d\n",
		       devices, FAULTMEM_MAX_DEVICES);
		return -EINVAL;
	}
	if (size > faultmem_max_size) {
		pr_err("size=%llu is larger than max_size=%llu; raise max_size\n",
		       size, faultmem_max_size);
		return -EINVAL;
	}
	/*
	 * The module-wide cap bounds what all devices together can make the
	 * kernel allocate, whoever resizes them.
	 */
	if (!faultmem_max_total_size)
		faultmem_max_total_size = PAGE_ALIGN((u64)totalram_pages() << PAGE_SHIFT >> 1);
	if (check_mul_overflow(size, (u64)devices, &total) ||
	    total > faultmem_max_total_size) {
		pr_err("devices=%u x size=%llu exceeds max_total_size=%llu\n",
		       devices, size, faultmem_max_total_size);
		return -EINVAL;
	}
	return 0;
}

/**
 * faultmem_counters_read() - the event counters of a device
 * @fdev: the device
 * @sum: filled with the sum of every CPU's copy of each counter
 */
void faultmem_counters_read(const struct faultmem_dev *fdev,
			    struct faultmem_stats *sum)
{
	/* The counters are the struct's u64 words from faults to reserved. */
	const size_t first = offsetof(struct faultmem_stats, faults) / sizeof(u64);
	const size_t end = offsetof(struct faultmem_stats, reserved) / sizeof(u64);
	u64 *total = (u64 *)sum;
	size_t i;
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const u64 *c = (const u64 *)per_cpu_ptr(fdev->counters, cpu);

		for (i = first; i < end; i++)
			total[i] += c[i];
	}
}

static int __init faultmem_dev_create(struct faultmem_dev *fdev, int index)
{
	int err;

	fdev->index = index;
	fdev->huge = faultmem_huge_default;
	faultmem_inject_init(fdev);
	snprintf(fdev->name, sizeof(fdev->name), "faultmem%d", index);
	fdev->counters = alloc_percpu(struct faultmem_stats);
	if (!fdev->counters)
		return -ENOMEM;
	err = faultmem_store_init(fdev, size);
	if (err)
		goto err_free_counters;

	fdev->misc.minor = MISC_DYNAMIC_MINOR;
	fdev->misc.name = fdev->name;
	fdev->misc.fops = &faultmem_fops;
	fdev->misc.groups = faultmem_attr_groups;
	/* Owner only: a udev rule or chmod grants access to others. */
	fdev->misc.mode = 0600;
	err = misc_register(&fdev->misc);
	if (err) {
		pr_err("%s: misc_register failed: %d\n", fdev->name, err);
		goto err_destroy_store;
	}
	return 0;

err_destroy_store:
	faultmem_store_destroy(fdev);
err_free_counters:
	free_percpu(fdev->counters);
	return err;
}

/*
 * Only reached with no file open (an open file pins the module through
 * faultmem_fops.owner, and every mapping holds its file), so no fault can
 * run any more and every page can go.
 */
static void faultmem_dev_destroy(struct faultmem_dev *fdev)
{
	misc_deregister(&fdev->misc);
	faultmem_inject_destroy(fdev);
	faultmem_store_destroy(fdev);
	free_percpu(fdev->counters);
}

static int __init faultmem_init(void)
{
	unsigned int i;
	int err;

	err = faultmem_check_params();
	if (err)
		return err;

	faultmem_devs = kcalloc(devices, sizeof(*faultmem_devs), GFP_KERNEL);
	if (!faultmem_devs)
		return -ENOMEM;

	faultmem_sysfs_init();
	err = faultmem_fs_mount();
	if (err)
		goto err_free;

	for (i = 0; i < devices; i++) {
		err = faultmem_dev_create(&faultmem_devs[i], i);
		if (err)
			goto err_destroy;
	}

	pr_info("%u device(s) of %llu bytes (max_size %llu, max_total_size %llu)\n",
		devices, size, faultmem_max_size, faultmem_max_total_size);
	return 0;

err_destroy:
	while (i--)
		faultmem_dev_destroy(&faultmem_devs[i]);
	faultmem_fs_unmount();
err_free:
	kfree(faultmem_devs);
	return err;
}

static void __exit faultmem_exit(void)
{
	unsigned int i;

	for (i = 0; i < devices; i++)
		faultmem_dev_destroy(&faultmem_devs[i]);
	faultmem_fs_unmount();
	kfree(faultmem_devs);
}

module_init(faultmem_init);
module_exit(faultmem_exit);

MODULE_DESCRIPTION("RAM buffers whose mmap is populated by a page-fault handler");
MODULE_AUTHOR("The faultmem developers");
MODULE_LICENSE("GPL");
MODULE_VERSION("0.6.0");
