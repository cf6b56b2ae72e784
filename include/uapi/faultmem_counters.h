/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * The event counters of struct faultmem_stats (include/uapi/faultmem.h),
 * one line each, for code that generates something per counter: define
 * FAULTMEM_COUNTER(name), include this file, undefine it. The driver's
 * sysfs files and the tool's info and stat rows come from it; a new
 * counter is a field at the end of the struct and a line here.
 * Included many times on purpose: no include guard.
 */
FAULTMEM_COUNTER(faults)
FAULTMEM_COUNTER(pages_allocated)
FAULTMEM_COUNTER(existing_page_faults)
FAULTMEM_COUNTER(sigbus_faults)
FAULTMEM_COUNTER(private_write_faults)
FAULTMEM_COUNTER(resizes)
FAULTMEM_COUNTER(holes_punched)
FAULTMEM_COUNTER(fault_around_calls)
FAULTMEM_COUNTER(huge_folios_allocated)
FAULTMEM_COUNTER(huge_fallbacks)
FAULTMEM_COUNTER(insert_races)
FAULTMEM_COUNTER(injected_sigbus)
FAULTMEM_COUNTER(injected_hwpoison)
FAULTMEM_COUNTER(injected_nospace)
FAULTMEM_COUNTER(injected_delays)
