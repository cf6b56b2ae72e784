// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultmem: the ioctls of include/uapi/faultmem.h. They stand in for
 * ftruncate() and fallocate(), which the VFS refuses on character devices,
 * and they read the counters and residency and set fault-injection rules.
 *
 * One table says, per command, whether it needs a descriptor open for
 * writing and which handler does the work; faultmem_ioctl() checks the
 * command against it and copies the argument in, so each handler copies
 * out only what its command returns.
 */
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/nospec.h>
#include <linux/overflow.h>
#include <linux/uaccess.h>

#include <faultmem.h>

#include "faultmem_dev.h"

/* The argument of every command in faultmem_ioctls[], as copied in. */
union faultmem_ioctl_arg {
	u64 size;
	struct faultmem_range range;
	struct faultmem_residency res;
	struct faultmem_inject_rule rule;
	struct faultmem_inject_list list;
	struct faultmem_inject_clear clear;
};

static int faultmem_ioctl_get_size(struct faultmem_dev *fdev,
				   union faultmem_ioctl_arg *arg,
				   void __user *uarg)
{
	return put_user(faultmem_size(fdev), (u64 __user *)uarg);
}

static int faultmem_ioctl_set_size(struct faultmem_dev *fdev,
				   union faultmem_ioctl_arg *arg,
				   void __user *uarg)
{
	return faultmem_store_resize(fdev, arg->size);
}

static int faultmem_ioctl_punch_hole(struct faultmem_dev *fdev,
				     union faultmem_ioctl_arg *arg,
				     void __user *uarg)
{
	struct faultmem_range *range = &arg->range;

	/* Reject what we do not know, so the fields can get a meaning later. */
	if (range->flags || range->reserved)
		return -EINVAL;
	return faultmem_store_punch_hole(fdev, range->offset, range->length);
}

/**
 * faultmem_ioctl_get_residency() - the residency map, for FAULTMEM_IOC_GET_RESIDENCY
 * @fdev: the device
 * @arg: the request as copied in (struct faultmem_residency)
 * @uarg: the caller's copy, which gets the count of resident pages
 *
 * The bitmap is built one page of bits (32768 pages on 4 KiB systems) at a
 * time in a bounce buffer and copied out, so a request of any allowed size
 * needs one page of kernel memory.
 *
 * Return: 0, -EFAULT for bad pointers, -EINVAL for a bad range or non-zero
 * flags/reserved, -ENOMEM if the bounce page cannot be had.
 */
static int faultmem_ioctl_get_residency(struct faultmem_dev *fdev,
					union faultmem_ioctl_arg *arg,
					void __user *uarg)
{
	const unsigned long chunk = PAGE_SIZE * BITS_PER_BYTE;
	struct faultmem_residency __user *ures = uarg;
	struct faultmem_residency *res = &arg->res;
	u8 __user *ubitmap;
	u64 done, last;
	int ret = 0;
	u8 *bits;

	if (res->flags || res->reserved || !res->nr_pages ||
	    res->nr_pages > FAULTMEM_RESIDENCY_MAX_PAGES ||
	    check_add_overflow(res->first_page, res->nr_pages - 1, &last) ||
	    last > ULONG_MAX)
		return -EINVAL;

	bits = (u8 *)__get_free_page(GFP_KERNEL);
	if (!bits)
		return -ENOMEM;
	ubitmap = u64_to_user_ptr(res->bitmap);
	res->resident = 0;
	for (done = 0; done < res->nr_pages; done += chunk) {
		unsigned long nr = min_t(u64, res->nr_pages - done, chunk);

		memset(bits, 0, PAGE_SIZE);
		res->resident += faultmem_store_residency(fdev,
							  res->first_page + done,
							  nr, bits);
		if (copy_to_user(ubitmap + done / BITS_PER_BYTE, bits,
				 DIV_ROUND_UP(nr, BITS_PER_BYTE))) {
			ret = -EFAULT;
			break;
		}
	}
	free_page((unsigned long)bits);
	if (!ret && put_user(res->resident, &ures->resident))
		ret = -EFAULT;
	return ret;
}

static int faultmem_ioctl_inject_add(struct faultmem_dev *fdev,
				     union faultmem_ioctl_arg *arg,
				     void __user *uarg)
{
	struct faultmem_inject_rule __user *urule = uarg;
	struct faultmem_inject_rule *rule = &arg->rule;
	int ret;

	ret = faultmem_inject_add(fdev, rule);
	if (ret)
		return ret;
	if (put_user(rule->id, &urule->id) ||
	    put_user(rule->seed, &urule->seed)) {
		/* A call that fails leaves no rule behind. */
		struct faultmem_inject_clear clear = { .id = rule->id };

		faultmem_inject_clear(fdev, &clear);
		return -EFAULT;
	}
	return 0;
}

static int faultmem_ioctl_inject_list(struct faultmem_dev *fdev,
				      union faultmem_ioctl_arg *arg,
				      void __user *uarg)
{
	struct faultmem_inject_list __user *ulist = uarg;
	int ret;

	ret = faultmem_inject_list(fdev, &arg->list);
	return ret ? ret : put_user(arg->list.nr, &ulist->nr);
}

static int faultmem_ioctl_inject_clear(struct faultmem_dev *fdev,
				       union faultmem_ioctl_arg *arg,
				       void __user *uarg)
{
	return faultmem_inject_clear(fdev, &arg->clear);
}

/**
 * struct faultmem_ioctl_desc - what faultmem_ioctl() needs to know of a command
 * @cmd: FAULTMEM_IOC_*, with the direction and size its caller must use
 * @changes: it changes the contents (size, holes) or what accesses do
 *	(fault injection), so it needs a descriptor open for writing, as
 *	ftruncate() and fallocate() do for files
 * @handler: does the work, with the argument copied in if @cmd has one
 */
struct faultmem_ioctl_desc {
	unsigned int cmd;
	bool changes;
	int (*handler)(struct faultmem_dev *fdev, union faultmem_ioctl_arg *arg,
		       void __user *uarg);
};

#define FAULTMEM_IOCTL(name, changes, handler)				\
	[_IOC_NR(FAULTMEM_IOC_##name)] = {				\
		FAULTMEM_IOC_##name, changes, handler			\
	}

/* Indexed by command number; GET_STATS, of many sizes, is not here. */
static const struct faultmem_ioctl_desc faultmem_ioctls[] = {
	FAULTMEM_IOCTL(GET_SIZE, false, faultmem_ioctl_get_size),
	FAULTMEM_IOCTL(SET_SIZE, true, faultmem_ioctl_set_size),
	FAULTMEM_IOCTL(PUNCH_HOLE, true, faultmem_ioctl_punch_hole),
	FAULTMEM_IOCTL(GET_RESIDENCY, false, faultmem_ioctl_get_residency),
	FAULTMEM_IOCTL(INJECT_ADD, true, faultmem_ioctl_inject_add),
	FAULTMEM_IOCTL(INJECT_LIST, false, faultmem_ioctl_inject_list),
	FAULTMEM_IOCTL(INJECT_CLEAR, true, faultmem_ioctl_inject_clear),
};

/*
 * struct faultmem_stats grows at its end, and the size is part of the
 * command: copy what the caller's struct has room for, so that programs
 * built against an older, shorter one keep working. The first release's
 * struct ended before injected_sigbus (with two reserved fields).
 */
#define FAULTMEM_STATS_SIZE_0_5	(offsetofend(struct faultmem_stats, insert_races) + 16)

static int faultmem_ioctl_get_stats(struct faultmem_dev *fdev,
				    struct faultmem_stats __user *ustats,
				    size_t usize)
{
	struct faultmem_stats stats;

	faultmem_counters_read(fdev, &stats);
	stats.size = faultmem_size(fdev);
	stats.max_size = faultmem_max_size;
	stats.resident_pages = faultmem_resident_pages(fdev);

	if (copy_to_user(ustats, &stats, min(usize, sizeof(stats))))
		return -EFAULT;
	/* A newer, longer struct: what this module does not know is 0. */
	if (usize > sizeof(stats) &&
	    clear_user((u8 __user *)ustats + sizeof(stats),
		       usize - sizeof(stats)))
		return -EFAULT;
	return 0;
}

/*
 * Whether @cmd is FAULTMEM_IOC_GET_STATS for some size of struct
 * faultmem_stats that this module can answer.
 */
static bool faultmem_is_get_stats(unsigned int cmd)
{
	return _IOC_TYPE(cmd) == FAULTMEM_IOC_MAGIC &&
	       _IOC_NR(cmd) == _IOC_NR(FAULTMEM_IOC_GET_STATS) &&
	       _IOC_DIR(cmd) == _IOC_READ &&
	       _IOC_SIZE(cmd) >= FAULTMEM_STATS_SIZE_0_5 &&
	       IS_ALIGNED(_IOC_SIZE(cmd), sizeof(__u64));
}

/**
 * faultmem_ioctl() - the ioctls of include/uapi/faultmem.h
 * @file: the open file
 * @cmd: FAULTMEM_IOC_*
 * @arg: user pointer to the command's argument
 *
 * A command is refused with -ENOTTY unless its number, direction and size
 * are all the table's, and with -EBADF before its argument is read if it
 * changes the device through a descriptor not open for writing.
 *
 * Return: 0 or a negative errno.
 */
long faultmem_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct faultmem_dev *fdev = file->private_data;
	void __user *uarg = (void __user *)arg;
	const struct faultmem_ioctl_desc *desc;
	union faultmem_ioctl_arg karg;
	unsigned int nr = _IOC_NR(cmd);

	if (faultmem_is_get_stats(cmd))
		return faultmem_ioctl_get_stats(fdev, uarg, _IOC_SIZE(cmd));
	if (nr >= ARRAY_SIZE(faultmem_ioctls))
		return -ENOTTY;
	desc = &faultmem_ioctls[array_index_nospec(nr,
						   ARRAY_SIZE(faultmem_ioctls))];
	if (desc->cmd != cmd)
		return -ENOTTY;
	if (desc->changes && !(file->f_mode & FMODE_WRITE))
		return -EBADF;
	/* The command is the table's: its size is that of a member of karg. */
	if ((_IOC_DIR(cmd) & _IOC_WRITE) &&
	    copy_from_user(&karg, uarg, _IOC_SIZE(cmd)))
		return -EFAULT;
	return desc->handler(fdev, &karg, uarg);
}
