/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultmem: the kernel APIs that changed between 6.1 (the oldest kernel we
 * support, Debian 12's) and the newest release CI builds. This is the only
 * file with version conditionals. Each gate names the release and the
 * commit that changed the API, and both of its sides are compiled by a
 * make lint build: 6.1 (Debian 12), 6.12 (Debian 13), the newest stable
 * (Debian unstable) and the newest rc (Debian experimental). make lint
 * fails on a gate whose release does not lie between two of them.
 *
 * The API changes that needed no gate, and why: docs/decisions.md.
 */
#ifndef FAULTMEM_COMPAT_H
#define FAULTMEM_COMPAT_H

#include <linux/gfp.h>
#include <linux/huge_mm.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/uio.h>
#include <linux/version.h>

#include "faultmem_dev.h"

/*
 * 6.4 (commit 66dabbb65d67 "mm: return an ERR_PTR from
 * __filemap_get_folio"): filemap_get_folio() and filemap_lock_folio()
 * return ERR_PTR(-ENOENT) on a miss instead of NULL. faultmem keeps 6.1's
 * convention, NULL. No gate: IS_ERR(NULL) is false, so the same test is
 * right on either side of the change.
 */
static inline struct folio *faultmem_folio_or_null(struct folio *folio)
{
	return IS_ERR(folio) ? NULL : folio;
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
 * 6.6 (commit 1b0306981e0f "iov_iter: Add copy_folio_from_iter_atomic()")
 * added a copy into a whole folio, which maps one page at a time only
 * where it must (highmem); the page-based copy_page_from_iter_atomic() it
 * wrapped is gone by 7.2. Before 6.6, copy page by page: 6.1's
 * copy_page_from_iter_atomic() maps a single page. Either way page faults
 * are disabled during the copy, and a short copy means the source faulted.
 */
static inline size_t
faultmem_copy_folio_from_iter_atomic(struct folio *folio, size_t offset,
				     size_t bytes, struct iov_iter *from)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	return copy_folio_from_iter_atomic(folio, offset, bytes, from);
#else
	size_t done = 0;

	while (done < bytes) {
		size_t at = offset + done;
		size_t step = min_t(size_t, bytes - done,
				    PAGE_SIZE - offset_in_page(at));
		struct page *page = folio_page(folio, at >> PAGE_SHIFT);
		size_t copied;

		copied = copy_page_from_iter_atomic(page, offset_in_page(at),
						    step, from);
		done += copied;
		if (copied < step)
			break;
	}
	return done;
#endif
}

/*
 * 6.5 (commit "splice: Rename direct_splice_read() to copy_splice_read()",
 * with generic_file_splice_read() removed in the same series): a file
 * whose data is not read through the page-cache helpers splices with
 * copy_splice_read(), which reads through ->read_iter into pipe pages of
 * its own. Before, generic_file_splice_read() did it through ->read_iter
 * with a pipe iterator.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#define FAULTMEM_SPLICE_READ	copy_splice_read
#else
#define FAULTMEM_SPLICE_READ	generic_file_splice_read
#endif

/*
 * 6.6 ("mm: handle userfaults under VMA lock") made release_fault_lock()
 * public in <linux/mm.h>: from 6.7 a fault on a file mapping with
 * ->map_pages may run under the per-VMA lock instead of mmap_lock, and a
 * handler that waits without the lock must drop whichever it holds.
 * Before 6.6, faults on file mappings always held mmap_lock for reading.
 */
static inline void faultmem_release_fault_lock(struct vm_fault *vmf)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	release_fault_lock(vmf);
#else
	mmap_read_unlock(vmf->vma->vm_mm);
#endif
}

/*
 * Allocating a folio for a fault under the faulting mapping's NUMA policy
 * (mbind()) and, failing one, the task's. 6.13 (commit "mm: remove unused
 * hugepage for vma_alloc_folio()") dropped the last argument, which asked
 * for THP placement (try the preferred node alone first) as shmem does for
 * its huge folios.
 */
static inline struct folio *
faultmem_vma_alloc_folio(gfp_t gfp, unsigned int order,
			 struct vm_area_struct *vma, unsigned long addr)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
	return vma_alloc_folio(gfp, order, vma, addr);
#else
	return vma_alloc_folio(gfp, order, vma, addr, order > 0);
#endif
}

/*
 * Whether the process opted out of huge pages for a mapping: madvise
 * (MADV_NOHUGEPAGE) or prctl(PR_SET_THP_DISABLE). 6.18 (commit "prctl:
 * extend PR_SET_THP_DISABLE to optionally exclude VM_HUGEPAGE") split the
 * mm flag in two and made mm->flags a bitmap read with mm_flags_test();
 * vma_thp_disabled() knows both, with a third argument for MADV_COLLAPSE.
 * Before, the test is the flag and the bit.
 */
static inline bool faultmem_vma_thp_disabled(struct vm_area_struct *vma)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 18, 0)
#ifdef CONFIG_TRANSPARENT_HUGEPAGE
	return vma_thp_disabled(vma, vma->vm_flags, false);
#else
	return true;	/* no huge pages to opt out of (PREEMPT_RT) */
#endif
#else
	return (vma->vm_flags & VM_NOHUGEPAGE) ||
	       test_bit(MMF_DISABLE_THP, &vma->vm_mm->flags);
#endif
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
 * 6.16 (commit c84bf6dd2b83 "mm: introduce new .mmap_prepare() file
 * callback") added f_op->mmap_prepare(struct vm_area_desc *), called
 * before the VMA exists, and deprecated f_op->mmap; a driver must not set
 * both.
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
