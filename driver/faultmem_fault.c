// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultmem: the page-fault handler.
 *
 * faultmem_mmap() (compat.h) only installs these operations; no page
 * is mapped until the process touches it. Then the CPU raises a page fault,
 * the architecture code calls handle_mm_fault(), the core finds no PTE for
 * an address in a VMA with ->vm_ops->fault and calls faultmem_fault(). We
 * hand back a locked page and the core (finish_fault()) installs the PTE,
 * or first copies the page when a MAP_PRIVATE mapping is written
 * (do_cow_fault()), so copy-on-write needs no code here. When the page
 * belongs to a PMD-size folio and the mapping is 2 MiB aligned, the same
 * finish_fault() maps the whole folio with one PMD (do_set_pmd()).
 *
 * Read faults first try faultmem_map_pages() (fault-around), which maps
 * the resident pages around the address without calling us.
 */
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/pagemap.h>

#include "faultmem_dev.h"
#include "faultmem_trace.h"

/**
 * faultmem_fault() - supply the page for one faulting address
 * @vmf: the fault: the VMA, the page offset in the device (vmf->pgoff,
 *	 already adjusted for the mmap offset) and the access flags
 *
 * The size check and the page-cache insertion run under the mapping's
 * invalidate lock held shared, so that a concurrent shrink or hole punch
 * (which hold it exclusive) cannot slip between them and leave a page
 * beyond the end or inside a hole. Many faults hold it shared at once;
 * they only serialise against resizes.
 *
 * Beyond the end we answer VM_FAULT_SIGBUS, as filemap_fault() does for a
 * file, and the task gets SIGBUS with BUS_ADRERR at the touched address.
 * VM_FAULT_NOPAGE would be wrong: it means "PTE installed, retry the
 * access", and with no PTE the task would fault forever.
 *
 * Every call is counted and traced (faultmem_fault, with what it did, how
 * long it took and the order of the folio holding the page, so a tracer
 * can tell 2 MiB allocations from 4 KiB ones; the clock is read only while
 * the event is enabled).
 *
 * Return: VM_FAULT_LOCKED with vmf->page set (locked, referenced; the core
 * unlocks and releases it), VM_FAULT_SIGBUS beyond the end of the device,
 * or VM_FAULT_OOM when no page could be allocated or charged.
 */
static vm_fault_t faultmem_fault(struct vm_fault *vmf)
{
	struct faultmem_dev *fdev = vmf->vma->vm_file->private_data;
	struct address_space *mapping = faultmem_mapping(fdev);
	u64 start = trace_faultmem_fault_enabled() ? ktime_get_ns() : 0;
	enum faultmem_fault_outcome outcome;
	unsigned int order = 0;
	struct folio *folio;
	vm_fault_t ret;
	bool allocated;

	faultmem_count(fdev, FAULTMEM_FAULTS);
	if ((vmf->flags & FAULT_FLAG_WRITE) &&
	    !(vmf->vma->vm_flags & VM_SHARED))
		faultmem_count(fdev, FAULTMEM_PRIVATE_WRITE_FAULTS);

	filemap_invalidate_lock_shared(mapping);
	if (vmf->pgoff >= DIV_ROUND_UP(faultmem_size(fdev), PAGE_SIZE)) {
		faultmem_count(fdev, FAULTMEM_SIGBUS_FAULTS);
		outcome = FAULTMEM_FAULT_SIGBUS;
		ret = VM_FAULT_SIGBUS;
		goto unlock;
	}

	folio = faultmem_store_get_folio(fdev, vmf->pgoff, vmf, &allocated);
	if (IS_ERR(folio)) {
		outcome = FAULTMEM_FAULT_OOM;
		ret = vmf_error(PTR_ERR(folio));
		goto unlock;
	}
	if (allocated) {
		outcome = FAULTMEM_FAULT_NEW_PAGE;
	} else {
		faultmem_count(fdev, FAULTMEM_EXISTING_PAGE_FAULTS);
		outcome = FAULTMEM_FAULT_EXISTING_PAGE;
	}

	order = folio_order(folio);
	vmf->page = folio_file_page(folio, vmf->pgoff);
	ret = VM_FAULT_LOCKED;
unlock:
	filemap_invalidate_unlock_shared(mapping);
	trace_faultmem_fault(fdev->index, vmf, outcome,
			     start ? ktime_get_ns() - start : 0, order);
	return ret;
}

/**
 * faultmem_map_pages() - fault-around: map resident neighbours in one go
 * @vmf:	the read fault being handled
 * @start_pgoff: first page offset of the window around the fault
 * @end_pgoff:	last page offset of the window
 *
 * Before calling ->fault for a read fault, do_read_fault() offers the
 * window around the address (fault_around_bytes, 64 KiB by default: 16
 * pages) to ->map_pages. filemap_map_pages() maps every page of the window
 * that is already resident and unlocked, without allocating or waiting,
 * and a PMD-size folio with a single PMD where the mapping allows. If that
 * covers the faulting address, ->fault is not called at all; otherwise the
 * core goes on to faultmem_fault(). So re-mapping resident data costs one
 * fault per 16 pages instead of one per page, exactly as for a file.
 *
 * It needs no invalidate lock: it only maps folios it could lock without
 * waiting and that are still in our mapping and inside i_size, which is
 * what truncation and hole punching change under the folio lock.
 *
 * Return: VM_FAULT_NOPAGE when the faulting address got mapped, else 0.
 */
static vm_fault_t faultmem_map_pages(struct vm_fault *vmf,
				     pgoff_t start_pgoff, pgoff_t end_pgoff)
{
	struct faultmem_dev *fdev = vmf->vma->vm_file->private_data;
	vm_fault_t ret;

	faultmem_count(fdev, FAULTMEM_FAULT_AROUND_CALLS);
	ret = filemap_map_pages(vmf, start_pgoff, end_pgoff);
	trace_faultmem_map_pages(fdev->index, vmf, start_pgoff, end_pgoff,
				 ret & VM_FAULT_NOPAGE);
	return ret;
}

const struct vm_operations_struct faultmem_vm_ops = {
	.fault		= faultmem_fault,
	.map_pages	= faultmem_map_pages,
};
