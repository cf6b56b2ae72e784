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
 * which counter it shows.
 */
struct faultmem_counter_attr {
	struct device_attribute attr;
	enum faultmem_counter counter;
};

static ssize_t counter_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct faultmem_counter_attr *cattr =
		container_of(attr, struct faultmem_counter_attr, attr);
	struct faultmem_counters sum;

	faultmem_counters_read(to_faultmem_dev(dev), &sum);
	return sysfs_emit(buf, "%llu\n", sum.count[cattr->counter]);
}

#define FAULTMEM_COUNTER_ATTR(_name, _counter)				\
	struct faultmem_counter_attr dev_attr_##_name = {		\
		.attr = {						\
			.attr = { .name = __stringify(_name), .mode = 0444 }, \
			.show = counter_show,				\
		},							\
		.counter = _counter,					\
	}

static FAULTMEM_COUNTER_ATTR(faults, FAULTMEM_FAULTS);
static FAULTMEM_COUNTER_ATTR(pages_allocated, FAULTMEM_PAGES_ALLOCATED);
static FAULTMEM_COUNTER_ATTR(existing_page_faults, FAULTMEM_EXISTING_PAGE_FAULTS);
static FAULTMEM_COUNTER_ATTR(sigbus_faults, FAULTMEM_SIGBUS_FAULTS);
static FAULTMEM_COUNTER_ATTR(private_write_faults, FAULTMEM_PRIVATE_WRITE_FAULTS);
static FAULTMEM_COUNTER_ATTR(resizes, FAULTMEM_RESIZES);
static FAULTMEM_COUNTER_ATTR(holes_punched, FAULTMEM_HOLES_PUNCHED);
static FAULTMEM_COUNTER_ATTR(fault_around_calls, FAULTMEM_FAULT_AROUND_CALLS);
static FAULTMEM_COUNTER_ATTR(huge_folios_allocated, FAULTMEM_HUGE_FOLIOS_ALLOCATED);
static FAULTMEM_COUNTER_ATTR(huge_fallbacks, FAULTMEM_HUGE_FALLBACKS);
static FAULTMEM_COUNTER_ATTR(insert_races, FAULTMEM_INSERT_RACES);
static FAULTMEM_COUNTER_ATTR(injected_sigbus, FAULTMEM_INJECTED_SIGBUS);
static FAULTMEM_COUNTER_ATTR(injected_hwpoison, FAULTMEM_INJECTED_HWPOISON);
static FAULTMEM_COUNTER_ATTR(injected_nospace, FAULTMEM_INJECTED_NOSPACE);
static FAULTMEM_COUNTER_ATTR(injected_delays, FAULTMEM_INJECTED_DELAYS);

static struct attribute *faultmem_attrs[] = {
	&dev_attr_size.attr,
	&dev_attr_max_size.attr,
	&dev_attr_resident_pages.attr,
	&dev_attr_resident_bytes.attr,
	&dev_attr_huge.attr,
	&dev_attr_faults.attr.attr,
	&dev_attr_pages_allocated.attr.attr,
	&dev_attr_existing_page_faults.attr.attr,
	&dev_attr_sigbus_faults.attr.attr,
	&dev_attr_private_write_faults.attr.attr,
	&dev_attr_resizes.attr.attr,
	&dev_attr_holes_punched.attr.attr,
	&dev_attr_fault_around_calls.attr.attr,
	&dev_attr_huge_folios_allocated.attr.attr,
	&dev_attr_huge_fallbacks.attr.attr,
	&dev_attr_insert_races.attr.attr,
	&dev_attr_injected_sigbus.attr.attr,
	&dev_attr_injected_hwpoison.attr.attr,
	&dev_attr_injected_nospace.attr.attr,
	&dev_attr_injected_delays.attr.attr,
	&dev_attr_inject.attr,
	NULL,
};

static const struct attribute_group faultmem_attr_group = {
	.attrs = faultmem_attrs,
};

const struct attribute_group *faultmem_attr_groups[] = {
	&faultmem_attr_group,
	NULL,
};
