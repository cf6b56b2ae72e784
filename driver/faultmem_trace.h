/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultmem: tracepoints, under the "faultmem" trace system.
 *
 *   echo 1 > /sys/kernel/tracing/events/faultmem/enable
 *   cat /sys/kernel/tracing/trace_pipe
 *
 * or trace-cmd record -e faultmem / perf record -e 'faultmem:*'. The
 * events cost a static-key branch each when disabled; the fault handler
 * reads the clock only when faultmem_fault is enabled.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM faultmem

#if !defined(_FAULTMEM_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _FAULTMEM_TRACE_H

#include <linux/tracepoint.h>

#include "faultmem_dev.h"

/* Tell userspace decoders (perf, trace-cmd) the values of the enum. */
TRACE_DEFINE_ENUM(FAULTMEM_FAULT_NEW_PAGE);
TRACE_DEFINE_ENUM(FAULTMEM_FAULT_EXISTING_PAGE);
TRACE_DEFINE_ENUM(FAULTMEM_FAULT_SIGBUS);
TRACE_DEFINE_ENUM(FAULTMEM_FAULT_OOM);
TRACE_DEFINE_ENUM(FAULTMEM_FAULT_INJECTED_SIGBUS);
TRACE_DEFINE_ENUM(FAULTMEM_FAULT_INJECTED_HWPOISON);
TRACE_DEFINE_ENUM(FAULTMEM_FAULT_INJECTED_NOSPACE);
TRACE_DEFINE_ENUM(FAULTMEM_FAULT_DELAYED);
TRACE_DEFINE_ENUM(FAULTMEM_FAULT_DELAYED_RETRY);

#define faultmem_show_outcome(outcome)					\
	__print_symbolic(outcome,					\
			 { FAULTMEM_FAULT_NEW_PAGE, "new_page" },	\
			 { FAULTMEM_FAULT_EXISTING_PAGE, "existing_page" }, \
			 { FAULTMEM_FAULT_SIGBUS, "sigbus" },		\
			 { FAULTMEM_FAULT_OOM, "oom" },			\
			 { FAULTMEM_FAULT_INJECTED_SIGBUS, "injected_sigbus" }, \
			 { FAULTMEM_FAULT_INJECTED_HWPOISON, "injected_hwpoison" }, \
			 { FAULTMEM_FAULT_INJECTED_NOSPACE, "injected_nospace" }, \
			 { FAULTMEM_FAULT_DELAYED, "delayed" },		\
			 { FAULTMEM_FAULT_DELAYED_RETRY, "delayed_retry" })

/*
 * One call of the fault handler: which device and page, which user
 * address, the kind of access, what the handler did, how long it took and
 * the order of the folio that holds the page (0: a base page,
 * HPAGE_PMD_ORDER: a PMD-size folio; 0 too for sigbus and oom, where there
 * is none), which with new_page tells a base-page allocation from a huge
 * one. "shared" is what mmap() was asked
 * for (VM_MAYSHARE): the kernel clears VM_SHARED from a MAP_SHARED mapping
 * of a file not open for writing, since such a mapping can never write
 * the file; the caller reads it before a delay rule's wait, after which
 * the VMA may be gone. order comes last, so parsers that stop at
 * duration_ns still work. An injected outcome's duration_ns includes a
 * delay rule's wait.
 */
TRACE_EVENT(faultmem_fault,
	    TP_PROTO(unsigned int dev, struct vm_fault *vmf, bool shared,
		     int outcome, u64 duration_ns, unsigned int order),
	    TP_ARGS(dev, vmf, shared, outcome, duration_ns, order),
	    TP_STRUCT__entry(__field(unsigned int, dev)
			     __field(unsigned long, pgoff)
			     __field(unsigned long, address)
			     __field(bool, write)
			     __field(bool, shared)
			     __field(int, outcome)
			     __field(u64, duration_ns)
			     __field(unsigned int, order)),
	    TP_fast_assign(__entry->dev = dev;
			   __entry->pgoff = vmf->pgoff;
			   __entry->address = vmf->address;
			   __entry->write = !!(vmf->flags & FAULT_FLAG_WRITE);
			   __entry->shared = shared;
			   __entry->outcome = outcome;
			   __entry->duration_ns = duration_ns;
			   __entry->order = order;),
	    TP_printk("faultmem%u pgoff=%lu address=0x%lx %s %s outcome=%s duration_ns=%llu order=%u",
		      __entry->dev, __entry->pgoff, __entry->address,
		      __entry->write ? "write" : "read",
		      __entry->shared ? "shared" : "private",
		      faultmem_show_outcome(__entry->outcome),
		      __entry->duration_ns, __entry->order)
);

/*
 * One fault-around call: the window of page offsets offered to
 * filemap_map_pages() for a read fault at pgoff, and whether the faulting
 * page itself got mapped (if not, a faultmem_fault event follows). No user
 * address: 6.1's do_fault_around() moves vmf->address to the start of the
 * window for the call, later kernels do not.
 */
TRACE_EVENT(faultmem_map_pages,
	    TP_PROTO(unsigned int dev, struct vm_fault *vmf,
		     unsigned long start_pgoff, unsigned long end_pgoff,
		     bool mapped),
	    TP_ARGS(dev, vmf, start_pgoff, end_pgoff, mapped),
	    TP_STRUCT__entry(__field(unsigned int, dev)
			     __field(unsigned long, pgoff)
			     __field(unsigned long, start_pgoff)
			     __field(unsigned long, end_pgoff)
			     __field(bool, mapped)),
	    TP_fast_assign(__entry->dev = dev;
			   __entry->pgoff = vmf->pgoff;
			   __entry->start_pgoff = start_pgoff;
			   __entry->end_pgoff = end_pgoff;
			   __entry->mapped = mapped;),
	    TP_printk("faultmem%u pgoff=%lu window=%lu-%lu %s",
		      __entry->dev, __entry->pgoff,
		      __entry->start_pgoff, __entry->end_pgoff,
		      __entry->mapped ? "mapped" : "not_resident")
);

/*
 * A change to the bytes from @from to @to, and the pages it freed: a
 * resize from one size to the other, or a hole punched between them.
 * The class prints a resize; the punch prints its own.
 */
DECLARE_EVENT_CLASS(faultmem_extent,
		    TP_PROTO(unsigned int dev, u64 from, u64 to,
			     unsigned long pages_freed),
		    TP_ARGS(dev, from, to, pages_freed),
		    TP_STRUCT__entry(__field(unsigned int, dev)
				     __field(u64, from)
				     __field(u64, to)
				     __field(unsigned long, pages_freed)),
		    TP_fast_assign(__entry->dev = dev;
				   __entry->from = from;
				   __entry->to = to;
				   __entry->pages_freed = pages_freed;),
		    TP_printk("faultmem%u old_size=%llu new_size=%llu pages_freed=%lu",
			      __entry->dev, __entry->from, __entry->to,
			      __entry->pages_freed)
);

/* A size change; pages_freed counts pages dropped by a shrink. */
DEFINE_EVENT(faultmem_extent, faultmem_resize,
	     TP_PROTO(unsigned int dev, u64 old_size, u64 new_size,
		      unsigned long pages_freed),
	     TP_ARGS(dev, old_size, new_size, pages_freed));

/* A hole punched: the byte range and the pages it freed. */
DEFINE_EVENT_PRINT(faultmem_extent, faultmem_punch_hole,
		   TP_PROTO(unsigned int dev, u64 offset, u64 end,
			    unsigned long pages_freed),
		   TP_ARGS(dev, offset, end, pages_freed),
		   TP_printk("faultmem%u offset=%llu length=%llu pages_freed=%lu",
			     __entry->dev, __entry->from,
			     __entry->to - __entry->from, __entry->pages_freed)
);

#endif /* _FAULTMEM_TRACE_H */

/* This part must be outside the include guard. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE faultmem_trace
#include <trace/define_trace.h>
