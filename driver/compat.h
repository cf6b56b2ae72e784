/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultmem: the kernel APIs that changed between 6.1 (the oldest kernel we
 * support, Debian 12's) and the newest release. This is the only file with
 * version conditionals; each names the release that changed the API.
 * faultmem is built (W=1, sparse) and tested on 6.1 and on 6.12, which
 * Debian 12 also ships; the gates for later releases are written from the
 * upstream sources.
 *
 * Checked and needing nothing here:
 *  - 6.2/6.4 struct class callbacks and class_create(): faultmem uses a
 *    misc device and sets its mode through miscdevice.mode, no class.
 *  - 6.3 vm_flags_set()/vm_flags_clear() (vma->vm_flags became const):
 *    faultmem never changes a VMA's flags; it only reads them.
 *  - 6.7 faults under the per-VMA lock: with .map_pages set, the core
 *    may call faultmem_fault() holding only the VMA's lock, not mmap_lock.
 *    The handler relies on neither: it locks the page cache itself.
 *  - 6.12 no_llseek removed: faultmem has its own llseek.
 *  - 6.10 __assign_str() lost its second argument: our events have no
 *    strings.
 *  - cond_resched_rcu() is on its way out: faultmem_store_residency()
 *    spells out rcu_read_unlock(); cond_resched(); rcu_read_lock().
 */
#ifndef FAULTMEM_COMPAT_H
#define FAULTMEM_COMPAT_H

#include <linux/pagemap.h>
#include <linux/version.h>

#include "faultmem_dev.h"

/*
 * 6.3 (commit "mm: return an ERR_PTR from __filemap_get_folio"):
 * filemap_get_folio() and filemap_lock_folio() return ERR_PTR(-ENOENT) on a
 * miss instead of NULL. faultmem keeps 6.1's convention, NULL.
 */
static inline struct folio *faultmem_folio_or_null(struct folio *folio)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	if (IS_ERR(folio))
		return NULL;
#endif
	return folio;
}

static inline struct folio *
faultmem_get_folio(struct address_space *mapping, pgoff_t index)
{
	return faultmem_folio_or_null(filemap_get_folio(mapping, index));
}

static inline struct folio *
faultmem_lock_folio(struct address_space *mapping, pgoff_t index)
{
	return faultmem_folio_or_null(filemap_lock_folio(mapping, index));
}

/*
 * Setting up a mapping: pages come later, from faults. faultmem's mmap only
 * installs faultmem_vm_ops. The core has already enforced the rules of
 * mmap(2) that depend on the open mode (no mapping of an O_WRONLY file, no
 * shared writable mapping of an O_RDONLY one), and a mapping may extend
 * past the end like a file's: the fault handler answers SIGBUS there.
 * PROT_EXEC is allowed, as for a regular file on a filesystem mounted
 * without noexec.
 *
 * 6.16 added f_op->mmap_prepare(struct vm_area_desc *), called before the
 * VMA exists, and deprecated f_op->mmap; a driver must not set both.
 * FAULTMEM_FOPS_MMAP fills in the right member of struct file_operations.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 16, 0)
static inline int faultmem_mmap_prepare(struct vm_area_desc *desc)
{
	desc->vm_ops = &faultmem_vm_ops;
	return 0;
}

#define FAULTMEM_FOPS_MMAP	.mmap_prepare = faultmem_mmap_prepare
#else
static inline int faultmem_mmap(struct file *file, struct vm_area_struct *vma)
{
	vma->vm_ops = &faultmem_vm_ops;
	return 0;
}

#define FAULTMEM_FOPS_MMAP	.mmap = faultmem_mmap
#endif

#endif /* FAULTMEM_COMPAT_H */
