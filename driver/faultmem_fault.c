// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultmem: the page-fault handler, and fault-around (the path of a fault
 * from the CPU to here: docs/design.md, "The fault, step by step").
 */
#include <linux/file.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/pagemap.h>

#include <faultmem.h>

#include "compat.h"
#include "faultmem_dev.h"
#include "faultmem_trace.h"

/* The longest a delay may hold the mmap lock, where no retry is allowed. */
#define FAULTMEM_LOCKED_DELAY_NS	NSEC_PER_SEC

/**
 * faultmem_fault_delay() - wait as a page-in would, for a delay rule
 * @vmf:	the fault; its mmap or VMA lock is held
 * @delay_ns:	how long
 * @outcome:	set to what the fault did, for the trace event
 *
 * Like filemap_fault() waiting for I/O: where the fault may be retried
 * (fault_flag_allow_retry_first()), drop the mmap or VMA lock, so that
 * the process's other threads can fault, mmap() and munmap() meanwhile,
 * then answer VM_FAULT_RETRY. The core faults again with FAULT_FLAG_TRIED
 * and counts one major fault. After the lock is dropped the VMA may be
 * gone: only the file, pinned first, is used. Where no retry is allowed
 * (ptrace's /proc/PID/mem), the wait holds the lock, and so blocks the
 * process's mmap() and munmap(): at most FAULTMEM_LOCKED_DELAY_NS of it,
 * as a disk read would; a task being killed stops waiting, and goes on
 * to die. (A fault that may not wait at all, FAULT_FLAG_RETRY_NOWAIT,
 * never gets here: faultmem_fault_rules() keeps delay rules from it.)
 *
 * Return: VM_FAULT_RETRY with VM_FAULT_MAJOR, or VM_FAULT_MAJOR when the
 * fault should now go on to supply the page.
 */
static vm_fault_t faultmem_fault_delay(struct vm_fault *vmf, u64 delay_ns,
				       enum faultmem_fault_outcome *outcome)
{
	struct file *file;

	if (!fault_flag_allow_retry_first(vmf->flags)) {
		faultmem_inject_wait(min_t(u64, delay_ns,
					   FAULTMEM_LOCKED_DELAY_NS));
		*outcome = FAULTMEM_FAULT_DELAYED;
		return VM_FAULT_MAJOR;
	}

	*outcome = FAULTMEM_FAULT_DELAYED_RETRY;
	file = get_file(vmf->vma->vm_file);
	faultmem_release_fault_lock(vmf);
	faultmem_inject_wait(delay_ns);
	fput(file);
	return VM_FAULT_RETRY | VM_FAULT_MAJOR;
}

/*
 * What a rule makes of this fault, asked under the invalidate lock so that
 * a rule being added either is seen here or finds the page locked by us
 * and unmaps it after we have mapped it (faultmem_inject_add()). A fault
 * retried after a delay (FAULT_FLAG_TRIED) is not delayed again, and one
 * that may not wait at all (FAULT_FLAG_RETRY_NOWAIT: KVM's asynchronous
 * page faults) is not delayed.
 */
static struct faultmem_injection faultmem_fault_rules(struct faultmem_dev *fdev,
						      struct vm_fault *vmf,
						      bool delayed)
{
	struct address_space *mapping = faultmem_mapping(fdev);
	unsigned int access = 0;

	lockdep_assert_held_read(&mapping->invalidate_lock);
	if (vmf->flags & FAULT_FLAG_WRITE)
		access |= FAULTMEM_ACCESS_WRITE;
	if (delayed ||
	    (vmf->flags & (FAULT_FLAG_TRIED | FAULT_FLAG_RETRY_NOWAIT)))
		access |= FAULTMEM_ACCESS_RETRY;
	if (!xa_load(&mapping->i_pages, vmf->pgoff))
		access |= FAULTMEM_ACCESS_ALLOCATES;
	return faultmem_inject_access(fdev, vmf->pgoff, access);
}

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
 * While the device has fault-injection rules, they are asked about the
 * page inside the device: sigbus answers VM_FAULT_SIGBUS, hwpoison
 * VM_FAULT_HWPOISON (SIGBUS with BUS_MCEERR_AR, as for a memory error),
 * nospace VM_FAULT_SIGBUS when the page is not resident, and delay waits
 * (faultmem_fault_delay()).
 *
 * Every call is counted and traced (faultmem_fault, with what it did, how
 * long it took and the order of the folio holding the page, so a tracer
 * can tell huge allocations from base pages; the clock is read only while
 * the event is enabled).
 *
 * Return: VM_FAULT_LOCKED with vmf->page set (locked, referenced; the core
 * unlocks and releases it), VM_FAULT_SIGBUS beyond the end of the device,
 * VM_FAULT_OOM when no page could be allocated or charged, or what a rule
 * asked for (VM_FAULT_SIGBUS, VM_FAULT_HWPOISON, VM_FAULT_RETRY, or
 * VM_FAULT_MAJOR with the page after a wait).
 */
static vm_fault_t faultmem_fault(struct vm_fault *vmf)
{
	struct faultmem_dev *fdev = vmf->vma->vm_file->private_data;
	struct address_space *mapping = faultmem_mapping(fdev);
	u64 start = trace_faultmem_fault_enabled() ? ktime_get_ns() : 0;
	bool shared = vmf->vma->vm_flags & VM_MAYSHARE;
	struct faultmem_injection injection;
	enum faultmem_fault_outcome outcome;
	unsigned int order = 0;
	bool allocated, delayed = false;
	struct folio *folio;
	vm_fault_t ret;

	faultmem_count(fdev, faults);
	if ((vmf->flags & FAULT_FLAG_WRITE) &&
	    !(vmf->vma->vm_flags & VM_SHARED))
		faultmem_count(fdev, private_write_faults);

again:
	filemap_invalidate_lock_shared(mapping);
	if (vmf->pgoff >= DIV_ROUND_UP(faultmem_size(fdev), PAGE_SIZE)) {
		faultmem_count(fdev, sigbus_faults);
		outcome = FAULTMEM_FAULT_SIGBUS;
		ret = VM_FAULT_SIGBUS;
		goto unlock;
	}

	if (unlikely(faultmem_inject_active(fdev))) {
		injection = faultmem_fault_rules(fdev, vmf, delayed);
		switch (injection.action) {
		case FAULTMEM_INJECT_SIGBUS:
			outcome = FAULTMEM_FAULT_INJECTED_SIGBUS;
			ret = VM_FAULT_SIGBUS;
			goto unlock;
		case FAULTMEM_INJECT_HWPOISON:
			outcome = FAULTMEM_FAULT_INJECTED_HWPOISON;
			ret = VM_FAULT_HWPOISON;
			goto unlock;
		case FAULTMEM_INJECT_NOSPACE:
			outcome = FAULTMEM_FAULT_INJECTED_NOSPACE;
			ret = VM_FAULT_SIGBUS;
			goto unlock;
		case FAULTMEM_INJECT_DELAY:
			/* Never wait holding the invalidate lock. */
			filemap_invalidate_unlock_shared(mapping);
			ret = faultmem_fault_delay(vmf, injection.delay_ns,
						   &outcome);
			if (ret != VM_FAULT_MAJOR)
				goto trace;
			delayed = true;
			goto again;
		}
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
		faultmem_count(fdev, existing_page_faults);
		outcome = FAULTMEM_FAULT_EXISTING_PAGE;
	}
	order = folio_order(folio);
	vmf->page = folio_file_page(folio, vmf->pgoff);
	ret = VM_FAULT_LOCKED;
	if (delayed) {
		outcome = FAULTMEM_FAULT_DELAYED;
		ret |= VM_FAULT_MAJOR;
	}
unlock:
	filemap_invalidate_unlock_shared(mapping);
trace:
	trace_faultmem_fault(fdev->index, vmf, shared, outcome,
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
 * pages of 4 KiB, 4 of 16 KiB) to ->map_pages. filemap_map_pages() maps
 * every page of the window that is already resident and unlocked, without
 * allocating or waiting, and a PMD-size folio with a single PMD where the
 * mapping allows. If that covers the faulting address, ->fault is not
 * called at all; otherwise the core goes on to faultmem_fault(). So
 * re-mapping resident data costs one fault per window instead of one per
 * page, exactly as for a file.
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

	faultmem_count(fdev, fault_around_calls);
	/*
	 * A window with a page under a fault-injection rule is left to the
	 * fault handler, page by page. faultmem_inject_add() waits for RCU
	 * readers after publishing a rule: a call that looked before it
	 * existed has mapped what it maps before the pages are unmapped.
	 */
	rcu_read_lock();
	if (unlikely(faultmem_inject_active(fdev)) &&
	    faultmem_inject_covers(fdev, start_pgoff, end_pgoff))
		ret = 0;
	else
		ret = filemap_map_pages(vmf, start_pgoff, end_pgoff);
	rcu_read_unlock();
	trace_faultmem_map_pages(fdev->index, vmf, start_pgoff, end_pgoff,
				 ret & VM_FAULT_NOPAGE);
	return ret;
}

const struct vm_operations_struct faultmem_vm_ops = {
	.fault		= faultmem_fault,
	.map_pages	= faultmem_map_pages,
};
