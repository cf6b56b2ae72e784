/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultmem: internal definitions shared by the driver's source files.
 *
 * The files split the driver by responsibility:
 *   faultmem_main.c   module parameters, device creation and teardown
 *   faultmem_store.c  the backing store: one page-cache address_space per
 *                     device, page lookup/allocation, resize, hole punching
 *   faultmem_fault.c  vm_operations_struct: the page-fault handler
 *   faultmem_fops.c   file_operations: open, llseek, read, write, mmap
 *   faultmem_ioctl.c  the ioctls: size, holes, counters, residency, rules
 *   faultmem_sysfs.c  attributes under /sys/class/misc/faultmemN/
 *   faultmem_inject.c fault injection: the rules that make chosen pages'
 *                     accesses fail or wait, and their triggers
 *   faultmem_parse.c  parsing of sizes ("16M") for parameters and sysfs
 *   faultmem_trace.c  the tracepoints (declared in faultmem_trace.h)
 *   compat.h          the APIs that changed after 6.1, behind version gates
 */
#ifndef FAULTMEM_DEV_H
#define FAULTMEM_DEV_H

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include <faultmem.h>

#define FAULTMEM_NAME_LEN	16

/*
 * Per-device event counters: the counter fields of struct faultmem_stats
 * (faults and the ones after it; the others stay 0), one copy per CPU.
 * faultmem_count() increments this CPU's copy with this_cpu_add(), which
 * is no atomic instruction and touches no cache line that other CPUs
 * faulting at the same time would share, so counting costs the fault path
 * next to nothing. Readers (the stats ioctl, sysfs) add the copies up with
 * faultmem_counters_read(); a sum taken while events happen is a
 * snapshot, like /proc/vmstat's.
 */
#define faultmem_count_add(fdev, counter, n)				\
	faultmem_count_at(fdev, offsetof(struct faultmem_stats, counter), n)
#define faultmem_count(fdev, counter)	faultmem_count_add(fdev, counter, 1)

/*
 * When to back the buffer with PMD-size (2 MiB on x86-64) folios; the
 * names are shmem's (Documentation/admin-guide/mm/transhuge.rst). A device
 * never grows by writing, and a huge folio reaching past the end would let
 * a PMD map memory beyond the end of the object, where a file gives
 * SIGBUS. So both "always" and "within_size" use huge folios exactly for
 * the PMD-size blocks that lie wholly inside the device; the rest of it gets
 * base pages.
 */
enum faultmem_huge {
	FAULTMEM_HUGE_NEVER,
	FAULTMEM_HUGE_ALWAYS,
	FAULTMEM_HUGE_WITHIN_SIZE,
};

/* What one call of the fault handler did (traced as faultmem_fault). */
enum faultmem_fault_outcome {
	FAULTMEM_FAULT_NEW_PAGE,	/* allocated and inserted a page */
	FAULTMEM_FAULT_EXISTING_PAGE,	/* found the page resident */
	FAULTMEM_FAULT_SIGBUS,		/* beyond the end of the device */
	FAULTMEM_FAULT_OOM,		/* no memory for the page */
	FAULTMEM_FAULT_INJECTED_SIGBUS,	/* failed by a sigbus rule */
	FAULTMEM_FAULT_INJECTED_HWPOISON, /* failed by a hwpoison rule */
	FAULTMEM_FAULT_INJECTED_NOSPACE, /* failed by a nospace rule */
	/* waited for a delay rule holding the lock, then got its page */
	FAULTMEM_FAULT_DELAYED,
	/* waited for a delay rule without the lock: a retry follows */
	FAULTMEM_FAULT_DELAYED_RETRY,
};

/**
 * struct faultmem_inject - the fault-injection rules of a device
 * (faultmem_inject.c)
 * @lock:	protects @rules, @next_id and every rule's trigger state;
 *		taken inside the mapping's invalidate lock, never around it
 * @rules:	struct faultmem_rule, in the order they are tried
 * @nr:		how many; written under @lock, read without it by the fault
 *		path, whose only cost while a device has no rule is this read
 * @next_id:	the ID the next rule gets
 */
struct faultmem_inject {
	spinlock_t lock;	/* inside the invalidate lock */
	struct list_head rules;
	unsigned int nr;
	u64 next_id;
};

/* What an access is, for the rules (faultmem_inject_access()). */
#define FAULTMEM_ACCESS_WRITE		BIT(0)	/* else a read */
#define FAULTMEM_ACCESS_ALLOCATES	BIT(1)	/* needs a new page */
/* The retry of a delayed access: delay rules do not see it again. */
#define FAULTMEM_ACCESS_RETRY		BIT(2)

/* What a rule that fired asks of the access. */
struct faultmem_injection {
	u32 action;		/* enum faultmem_inject_action, 0: none */
	u64 delay_ns;		/* FAULTMEM_INJECT_DELAY */
};

/**
 * struct faultmem_dev - one /dev/faultmemN
 * @misc:	the misc character device (the node userspace opens)
 * @inode:	inode on faultmem's private pseudo filesystem; its
 *		address_space holds the buffer's pages and its i_size is
 *		the device size. Every open file of the device points its
 *		f_mapping here, so all mappings share one set of pages.
 * @counters:	event counters, per CPU
 * @huge:	the policy for new allocations; changing it leaves pages
 *		already allocated as they are
 * @inject:	the fault-injection rules
 * @index:	N in faultmemN
 * @name:	"faultmemN"
 *
 * Which lock or rule protects what:
 *  - @misc, @inode, @counters, @index and @name are set before
 *    misc_register() and never change until the device is destroyed.
 *  - The size (@inode's i_size) changes only with the mapping's
 *    invalidate lock held exclusive and faultmem_total_lock held
 *    (faultmem_store_resize()); readers use i_size_read() and, where a
 *    page must not appear beyond the end, hold the invalidate lock shared
 *    across their check and their page-cache insertion.
 *  - The pages (@inode's page cache) are added with the invalidate lock
 *    held shared and removed with it held exclusive; lookups need only
 *    RCU and a folio reference.
 *  - @huge has no lock: sysfs writes it with WRITE_ONCE() and an
 *    allocation reads it once with READ_ONCE(); a policy change takes
 *    effect from the next allocation.
 *  - @counters: each CPU increments its own copy (faultmem_count()).
 *  - @inject: its own spinlock (struct faultmem_inject). Adding a rule
 *    holds the invalidate lock exclusive around it, so a fault, which
 *    tries the rules with the invalidate lock held shared, either sees
 *    the new rule or holds its page locked until the add unmaps it.
 *
 * Lock order: faultmem_total_lock, then the invalidate lock, then a folio
 * lock or @inject.lock.
 */
struct faultmem_dev {
	struct miscdevice misc;
	struct inode *inode;
	struct faultmem_stats __percpu *counters;
	enum faultmem_huge huge;
	struct faultmem_inject inject;
	unsigned int index;
	char name[FAULTMEM_NAME_LEN];
};

/* Add @n to the counter at @offset in struct faultmem_stats, on this CPU. */
static inline void faultmem_count_at(struct faultmem_dev *fdev, size_t offset,
				     u64 n)
{
	this_cpu_add(*(u64 __percpu *)((void __percpu *)fdev->counters + offset),
		     n);
}

/* faultmem_main.c */
extern u64 faultmem_max_size;
extern u64 faultmem_max_total_size;

extern enum faultmem_huge faultmem_huge_default;
void faultmem_counters_read(const struct faultmem_dev *fdev,
			    struct faultmem_stats *sum);

/* faultmem_parse.c */
int faultmem_parse_size(const char *buf, u64 *result);
int faultmem_parse_huge(const char *buf);
ssize_t faultmem_show_huge(char *buf, enum faultmem_huge huge);

/* faultmem_store.c */
int faultmem_fs_mount(void);
void faultmem_fs_unmount(void);
int faultmem_store_init(struct faultmem_dev *fdev, u64 size);
void faultmem_store_destroy(struct faultmem_dev *fdev);
struct folio *faultmem_store_get_folio(struct faultmem_dev *fdev,
				       pgoff_t index, struct vm_fault *vmf,
				       bool *allocated);
int faultmem_store_resize(struct faultmem_dev *fdev, u64 new_size);
int faultmem_store_punch_hole(struct faultmem_dev *fdev, u64 offset,
			      u64 length);
unsigned long faultmem_store_residency(struct faultmem_dev *fdev,
				       pgoff_t first, unsigned long nr,
				       u8 *bitmap);
int faultmem_store_isolate_pages(struct faultmem_dev *fdev, pgoff_t first,
				 pgoff_t last);
void faultmem_store_unmap_pages(struct faultmem_dev *fdev, pgoff_t first,
				pgoff_t last);
loff_t faultmem_store_seek_data_hole(struct faultmem_dev *fdev, loff_t offset,
				     int whence);

static inline struct address_space *
faultmem_mapping(const struct faultmem_dev *fdev)
{
	return fdev->inode->i_mapping;
}

static inline u64 faultmem_size(const struct faultmem_dev *fdev)
{
	return i_size_read(fdev->inode);
}

static inline unsigned long faultmem_resident_pages(const struct faultmem_dev *fdev)
{
	return READ_ONCE(faultmem_mapping(fdev)->nrpages);
}

/* faultmem_inject.c */
struct faultmem_inject_rule;
struct faultmem_inject_list;
struct faultmem_inject_clear;
void faultmem_inject_init(struct faultmem_dev *fdev);
void faultmem_inject_destroy(struct faultmem_dev *fdev);
struct faultmem_injection faultmem_inject_access(struct faultmem_dev *fdev,
						 pgoff_t index,
						 unsigned int access);
bool faultmem_inject_covers(struct faultmem_dev *fdev, pgoff_t first,
			    pgoff_t last);
int faultmem_inject_wait(u64 delay_ns);
int faultmem_inject_io(struct faultmem_dev *fdev, pgoff_t index, bool write);
int faultmem_inject_add(struct faultmem_dev *fdev,
			struct faultmem_inject_rule *urule);
int faultmem_inject_list(struct faultmem_dev *fdev,
			 struct faultmem_inject_list *list);
int faultmem_inject_clear(struct faultmem_dev *fdev,
			  const struct faultmem_inject_clear *clear);
ssize_t faultmem_inject_show(struct faultmem_dev *fdev, char *buf);

/*
 * Whether the device has any rule: the one thing the fault path reads
 * about fault injection while none is set.
 */
static inline bool faultmem_inject_active(const struct faultmem_dev *fdev)
{
	return READ_ONCE(fdev->inject.nr);
}

/* faultmem_fault.c */
extern const struct vm_operations_struct faultmem_vm_ops;

/* faultmem_fops.c */
extern const struct file_operations faultmem_fops;

/* faultmem_ioctl.c */
long faultmem_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/* faultmem_sysfs.c */
extern const struct attribute_group *faultmem_attr_groups[];
void faultmem_sysfs_init(void);

#endif /* FAULTMEM_DEV_H */
