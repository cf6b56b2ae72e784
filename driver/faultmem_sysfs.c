// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultmem: sysfs attributes of /sys/class/misc/faultmemN/.
 *
 * One value per file, in decimal, as sysfs wants (but for "inject", a
 * listing like /proc/PID/maps). "size" and "huge" are writable by root
 * (mode 0644); the rest are read-only. The misc core passes
 * the struct miscdevice as the device's driver data.
 */
#include <linux/device.h>
#include <linux/sysfs.h>

#include "faultmem_dev.h"

static struct faultmem_dev *to_faultmem_dev(struct device *dev)
{
	struct miscdevice *misc = dev_get_drvdata(dev);

	return container_of(misc, struct faultmem_dev, misc);
}

static ssize_t size_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%llu\n", faultmem_size(to_faultmem_dev(dev)));
}

/*
 * Accepts the same syntax as the module parameter ("64M"), but the value
 * must already be a page multiple: silently rounding a size the user wrote
 * on purpose would hide mistakes.
 */
static ssize_t size_store(struct device *dev, struct device_attribute *attr,
			  const char *buf, size_t count)
{
	u64 size;
	int err;

	err = faultmem_parse_size(buf, &size);
	if (err)
		return err;
	err = faultmem_store_resize(to_faultmem_dev(dev), size);
	return err ? err : count;
}
static DEVICE_ATTR_RW(size);

static ssize_t max_size_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%llu\n", faultmem_max_size);
}
static DEVICE_ATTR_RO(max_size);

static ssize_t resident_pages_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n",
			  faultmem_resident_pages(to_faultmem_dev(dev)));
}
static DEVICE_ATTR_RO(resident_pages);

static ssize_t resident_bytes_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	u64 pages = faultmem_resident_pages(to_faultmem_dev(dev));

	return sysfs_emit(buf, "%llu\n", pages << PAGE_SHIFT);
}
static DEVICE_ATTR_RO(resident_bytes);

static ssize_t huge_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	return faultmem_show_huge(buf, READ_ONCE(to_faultmem_dev(dev)->huge));
}

/*
 * Takes effect for pages allocated from now on; resident pages keep their
 * size until punched or shrunk away.
 */
static ssize_t huge_store(struct device *dev, struct device_attribute *attr,
			  const char *buf, size_t count)
{
	int huge = faultmem_parse_huge(buf);

	if (huge < 0)
		return huge;
	WRITE_ONCE(to_faultmem_dev(dev)->huge, huge);
	return count;
}
static DEVICE_ATTR_RW(huge);

/* The fault-injection rules, a line each, in the tool's syntax. */
static ssize_t inject_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return faultmem_inject_show(to_faultmem_dev(dev), buf);
}
static DEVICE_ATTR_RO(inject);

/*
 * The event counters share one show function: each attribute records
 * where in struct faultmem_stats its counter is.
 */
struct faultmem_counter_attr {
	struct device_attribute attr;
	size_t offset;
};

static ssize_t counter_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct faultmem_counter_attr *cattr =
		container_of(attr, struct faultmem_counter_attr, attr);
	struct faultmem_stats sum;

	faultmem_counters_read(to_faultmem_dev(dev), &sum);
	return sysfs_emit(buf, "%llu\n", *(u64 *)((u8 *)&sum + cattr->offset));
}

/* One file per counter of include/uapi/faultmem_counters.h. */
#define FAULTMEM_COUNTER(counter)					\
	{								\
		.attr = {						\
			.attr = { .name = #counter, .mode = 0444 },	\
			.show = counter_show,				\
		},							\
		.offset = offsetof(struct faultmem_stats, counter),	\
	},
static struct faultmem_counter_attr faultmem_counter_attrs[] = {
#include <faultmem_counters.h>
};

#undef FAULTMEM_COUNTER

/* Every counter of the struct has its file. */
static_assert(ARRAY_SIZE(faultmem_counter_attrs) ==
	      (offsetof(struct faultmem_stats, reserved) -
	       offsetof(struct faultmem_stats, faults)) / sizeof(u64));

#define FAULTMEM_FIXED_ATTRS	6
/* The fixed attributes, then the counters' (faultmem_sysfs_init()). */
static struct attribute *faultmem_attrs[FAULTMEM_FIXED_ATTRS +
					ARRAY_SIZE(faultmem_counter_attrs) +
					1] __ro_after_init = {
	&dev_attr_size.attr,
	&dev_attr_max_size.attr,
	&dev_attr_resident_pages.attr,
	&dev_attr_resident_bytes.attr,
	&dev_attr_huge.attr,
	&dev_attr_inject.attr,
};

/**
 * faultmem_sysfs_init() - complete the attribute list with the counters'
 *
 * Called once at load, before any device is registered.
 */
void __init faultmem_sysfs_init(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(faultmem_counter_attrs); i++)
		faultmem_attrs[FAULTMEM_FIXED_ATTRS + i] =
			&faultmem_counter_attrs[i].attr.attr;
}

static const struct attribute_group faultmem_attr_group = {
	.attrs = faultmem_attrs,
};

const struct attribute_group *faultmem_attr_groups[] = {
	&faultmem_attr_group,
	NULL,
};
