/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultmem: internal definitions shared by the driver's source files.
 *
 * The files split the driver by responsibility:
 *   faultmem_main.c   module parameters, device creation and teardown
 *   faultmem_store.c  the backing store: one page-cache address_space per
 *                     device, page lookup/allocation, resize, hole punching
 *   faultmem_fault.c  vm_operations_struct: the page-fault handler
 *   faultmem_fops.c   file_operations: open, llseek, read, write, mmap, ioctl
 *   faultmem_sysfs.c  attributes under /sys/class/misc/faultmemN/
 *   faultmem_parse.c  parsing of sizes ("16M") for parameters and sysfs
 *   faultmem_trace.c  the tracepoints (declared in faultmem_trace.h)
 *   compat.h          the APIs that changed after 6.1, behind version gates
 */
#ifndef FAULTMEM_DEV_H
#define FAULTMEM_DEV_H

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/types.h>

#define FAULTMEM_NAME_LEN	16

/**
 * struct faultmem_counters - per-device event counters
 * @faults:		calls of the fault handler
 * @pages_allocated:	pages allocated, by faults and by write()
 * @existing_page_faults: faults that found the page resident
 * @sigbus_faults:	faults at or beyond the size
 * @private_write_faults: write faults on MAP_PRIVATE mappings
 * @resizes:		successful size changes
 * @holes_punched:	successful hole punches
 * @fault_around_calls:	calls of the fault-around handler (map_pages)
 * @huge_folios_allocated: PMD-size folios allocated (each also adds
 *			HPAGE_PMD_NR to @pages_allocated)
 * @huge_fallbacks:	PMD-size allocations that failed (no free 2 MiB,
 *			or the memory cgroup refused the charge), so a
 *			4 KiB page was used instead
 *
 * Plain atomics: one increment per event, no lock on the fault path. They
 * are read by the stats ioctl and the sysfs attributes.
 */
struct faultmem_counters {
	atomic64_t faults;
	atomic64_t pages_allocated;
	atomic64_t existing_page_faults;
	atomic64_t sigbus_faults;
	atomic64_t private_write_faults;
	atomic64_t resizes;
	atomic64_t holes_punched;
	atomic64_t fault_around_calls;
	atomic64_t huge_folios_allocated;
	atomic64_t huge_fallbacks;
};

/*
 * When to back the buffer with PMD-size (2 MiB on x86-64) folios; the
 * names are shmem's (Documentation/admin-guide/mm/transhuge.rst). A device
 * never grows by writing, and a huge folio reaching past the end would let
 * a PMD map memory beyond the end of the object, where a file gives
 * SIGBUS. So both "always" and "within_size" use huge folios exactly for
 * the 2 MiB blocks that lie wholly inside the device; the rest of it gets
 * 4 KiB pages.
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
};

/**
 * struct faultmem_dev - one /dev/faultmemN
 * @misc:	the misc character device (the node userspace opens)
 * @inode:	inode on faultmem's private pseudo filesystem; its
 *		address_space holds the buffer's pages and its i_size is
 *		the device size. Every open file of the device points its
 *		f_mapping here, so all mappings share one set of pages.
 * @counters:	event counters
 * @huge:	enum faultmem_huge: the policy for new allocations; changing
 *		it leaves pages already allocated as they are
 * @index:	N in faultmemN
 * @name:	"faultmemN"
 */
struct faultmem_dev {
	struct miscdevice misc;
	struct inode *inode;
	struct faultmem_counters counters;
	int huge;
	unsigned int index;
	char name[FAULTMEM_NAME_LEN];
};

#define faultmem_count(fdev, counter) \
	atomic64_inc(&(fdev)->counters.counter)

/* faultmem_main.c */
extern u64 faultmem_max_size;
extern u64 faultmem_max_total_size;

extern int faultmem_huge_default;

/* faultmem_parse.c */
int faultmem_parse_size(const char *buf, u64 *result);
int faultmem_parse_huge(const char *buf);
ssize_t faultmem_show_huge(char *buf, int huge);

/* faultmem_store.c */
int faultmem_fs_mount(void);
void faultmem_fs_unmount(void);
int faultmem_store_init(struct faultmem_dev *fdev, u64 size);
void faultmem_store_destroy(struct faultmem_dev *fdev);
struct folio *faultmem_store_get_folio(struct faultmem_dev *fdev,
				       pgoff_t index, bool *allocated);
int faultmem_store_resize(struct faultmem_dev *fdev, u64 new_size);
int faultmem_store_punch_hole(struct faultmem_dev *fdev, u64 offset,
			      u64 length);
unsigned long faultmem_store_residency(struct faultmem_dev *fdev,
				       pgoff_t first, unsigned long nr,
				       u8 *bitmap);

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

/* faultmem_fault.c */
extern const struct vm_operations_struct faultmem_vm_ops;

/* faultmem_fops.c */
extern const struct file_operations faultmem_fops;

/* faultmem_sysfs.c */
extern const struct attribute_group *faultmem_attr_groups[];

#endif /* FAULTMEM_DEV_H */
