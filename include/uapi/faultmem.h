/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * faultmem: userspace ABI of the /dev/faultmemN character devices.
 *
 * A faultmem device is a RAM buffer that behaves like a regular file: it has
 * a size (lseek(fd, 0, SEEK_END)), read()/write() work on it, and mmap() of
 * it is populated page by page by the driver's page-fault handler.
 *
 * The ioctls below do what ftruncate() and fallocate(PUNCH_HOLE) do for a
 * regular file; the VFS refuses both on character devices, hence ioctls.
 *
 * Ioctl magic: 0xFA ("FAult"), numbers 0x00-0x1F, unused in the kernel's
 * Documentation/userspace-api/ioctl/ioctl-number.rst at the time of writing.
 */
#ifndef _UAPI_FAULTMEM_H
#define _UAPI_FAULTMEM_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define FAULTMEM_IOC_MAGIC	0xFA

/**
 * struct faultmem_range - a byte range of the buffer, for PUNCH_HOLE
 * @offset:	first byte; a multiple of the page size
 * @length:	number of bytes; a non-zero multiple of the page size, and
 *		@offset + @length must not exceed the device size
 * @flags:	must be 0 (reserved for future use)
 * @reserved:	must be 0 (reserved for future use)
 */
struct faultmem_range {
	__u64 offset;
	__u64 length;
	__u32 flags;
	__u32 reserved;
};

/**
 * struct faultmem_stats - snapshot of one device's state and counters
 * @size:		current size in bytes
 * @max_size:		largest size the device may be given, in bytes
 * @resident_pages:	pages currently allocated to the buffer
 * @faults:		calls of the fault handler
 * @pages_allocated:	pages allocated since load (by faults and write())
 * @existing_page_faults: faults that found the page already resident
 * @sigbus_faults:	faults at or beyond the size (answered with SIGBUS)
 * @private_write_faults: write faults on MAP_PRIVATE mappings (the kernel
 *			copies the page: copy-on-write)
 * @resizes:		successful size changes
 * @holes_punched:	successful hole punches
 * @fault_around_calls:	read faults offered to fault-around first, which
 *			maps the resident pages around the address (up to
 *			16 by default) and often spares the fault handler
 * @huge_folios_allocated: 2 MiB folios allocated (huge=always|within_size);
 *			each adds 512 to @pages_allocated on x86-64
 * @huge_fallbacks:	2 MiB allocations that failed, so 4 KiB pages were
 *			used instead
 * @insert_races:	new pages dropped because another task inserted the
 *			same page first (the loser of a first-touch race
 *			takes the winner's page)
 * @injected_sigbus:	accesses failed by a sigbus rule
 * @injected_hwpoison:	accesses failed by a hwpoison rule
 * @injected_nospace:	accesses failed by a nospace rule
 * @injected_delays:	accesses delayed by a delay rule
 * @reserved:		zero; room for more counters
 *
 * The structure only grows at its end: the kernel copies as many bytes as
 * the size encoded in the command asks for, so a program built against an
 * older, shorter struct faultmem_stats keeps working.
 */
struct faultmem_stats {
	__u64 size;
	__u64 max_size;
	__u64 resident_pages;
	__u64 faults;
	__u64 pages_allocated;
	__u64 existing_page_faults;
	__u64 sigbus_faults;
	__u64 private_write_faults;
	__u64 resizes;
	__u64 holes_punched;
	__u64 fault_around_calls;
	__u64 huge_folios_allocated;
	__u64 huge_fallbacks;
	__u64 insert_races;
	__u64 injected_sigbus;
	__u64 injected_hwpoison;
	__u64 injected_nospace;
	__u64 injected_delays;
	__u64 reserved[2];
};

/**
 * struct faultmem_residency - which pages are resident, for GET_RESIDENCY
 * @first_page:	index of the first page to report
 * @nr_pages:	pages to report, 1 to FAULTMEM_RESIDENCY_MAX_PAGES;
 *		@first_page + @nr_pages must not wrap. Pages past the end of
 *		the device are reported as not resident.
 * @bitmap:	user pointer to (@nr_pages + 7) / 8 bytes: bit i (byte i / 8,
 *		bit i % 8) is set when page @first_page + i is resident
 * @resident:	out: the number of bits set
 * @flags:	must be 0 (reserved for future use)
 * @reserved:	must be 0 (reserved for future use)
 *
 * Resident means allocated to the buffer, whether or not any process maps
 * it (unlike mincore(), which only sees the caller's page tables).
 */
struct faultmem_residency {
	__u64 first_page;
	__u64 nr_pages;
	__u64 bitmap;
	__u64 resident;
	__u32 flags;
	__u32 reserved;
};

#define FAULTMEM_RESIDENCY_MAX_PAGES	(1ULL << 24)

/* What a fault-injection rule makes an access to its pages do. */
enum faultmem_inject_action {
	/* fail like a file page whose read failed: SIGBUS BUS_ADRERR, EIO */
	FAULTMEM_INJECT_SIGBUS = 1,
	/* like an uncorrectable memory error: SIGBUS BUS_MCEERR_AR, EIO */
	FAULTMEM_INJECT_HWPOISON = 2,
	/* a full disk: an access that would allocate a page fails (ENOSPC) */
	FAULTMEM_INJECT_NOSPACE = 3,
	/* a slow page-in: wait @delay_ns, killably, as a major fault */
	FAULTMEM_INJECT_DELAY = 4,
};

/* struct faultmem_inject_rule.flags */
#define FAULTMEM_INJECT_READS	(1U << 0)	/* only read accesses */
#define FAULTMEM_INJECT_WRITES	(1U << 1)	/* only write accesses */
#define FAULTMEM_INJECT_SEED	(1U << 2)	/* @seed is given, not drawn */

/* Limits of a rule: rules per device, and the longest delay (an hour). */
#define FAULTMEM_INJECT_MAX_RULES	64
#define FAULTMEM_INJECT_MAX_DELAY_NS	3600000000000ULL
/* @probability is in parts per billion: 1 to this (1.0). */
#define FAULTMEM_INJECT_PROBABILITY_ONE	1000000000U

/**
 * struct faultmem_inject_rule - make accesses to some pages fail or wait
 * @first_page:	first page of the range the rule covers
 * @nr_pages:	pages in the range, at least 1; the range must lie below
 *		max_size (it may reach past the current size)
 * @action:	enum faultmem_inject_action
 * @flags:	FAULTMEM_INJECT_READS or _WRITES (at most one; neither: every
 *		access), FAULTMEM_INJECT_SEED
 * @delay_ns:	FAULTMEM_INJECT_DELAY only: 1 to FAULTMEM_INJECT_MAX_DELAY_NS
 *		nanoseconds; 0 for the other actions
 * @times:	fire this many times, then the rule is gone; 0: until cleared
 * @after:	let this many accesses pass before the rule fires
 * @probability: 0 (every access fires) or, in parts per billion, the
 *		chance that an access fires (1 to
 *		FAULTMEM_INJECT_PROBABILITY_ONE)
 * @pid:	0 (every process), or a process ID: only accesses made by
 *		that process and its descendants count
 * @seed:	seed of the rule's random sequence (@probability); with
 *		FAULTMEM_INJECT_SEED it is used, else ADD draws one and
 *		writes it back, so a run can be replayed
 * @id:		out: the rule's ID, unique on the device (ADD and LIST)
 * @fired:	out (LIST): accesses the rule made fail or wait
 * @remaining:	out (LIST): firings left, with @times; else 0
 * @reserved:	must be 0
 *
 * An access is one fault on a page, or one read()/write() call (also
 * through splice() or sendfile()) reaching a page. The rules of a device
 * are tried in the order they were added, and the first one that fires
 * decides what the access does.
 */
struct faultmem_inject_rule {
	__u64 first_page;
	__u64 nr_pages;
	__u32 action;
	__u32 flags;
	__u64 delay_ns;
	__u64 times;
	__u64 after;
	__u32 probability;
	__u32 pid;
	__u64 seed;
	__u64 id;
	__u64 fired;
	__u64 remaining;
	__u64 reserved[2];
};

/**
 * struct faultmem_inject_list - read the rules of a device, for INJECT_LIST
 * @rules:	user pointer to an array of @nr struct faultmem_inject_rule
 * @nr:		in: room in @rules; out: how many rules the device has (the
 *		first min(in, out) of them are written)
 * @flags:	must be 0
 * @reserved:	must be 0
 */
struct faultmem_inject_list {
	__u64 rules;
	__u32 nr;
	__u32 flags;
	__u64 reserved;
};

/**
 * struct faultmem_inject_clear - which rules INJECT_CLEAR removes
 * @first_page:	with @id 0: remove every rule covering any page of
 *		[@first_page, @first_page + @nr_pages)
 * @nr_pages:	with @id 0: at least 1 (all rules: 0 and ~0ULL)
 * @id:		0, or the ID of the one rule to remove (then @first_page
 *		and @nr_pages must be 0)
 * @flags:	must be 0
 * @reserved:	must be 0
 */
struct faultmem_inject_clear {
	__u64 first_page;
	__u64 nr_pages;
	__u64 id;
	__u32 flags;
	__u32 reserved;
};

/* Read the size in bytes (same as lseek(fd, 0, SEEK_END)). */
#define FAULTMEM_IOC_GET_SIZE	_IOR(FAULTMEM_IOC_MAGIC, 0x00, __u64)
/*
 * Set the size in bytes: a page multiple from 0 to max_size. Needs a file
 * descriptor opened for writing (EBADF otherwise). Shrinking unmaps and
 * frees the pages beyond the new end; growing exposes zeroes.
 */
#define FAULTMEM_IOC_SET_SIZE	_IOW(FAULTMEM_IOC_MAGIC, 0x01, __u64)
/*
 * Free the pages of a range: later reads and faults there see zeroes.
 * Needs a file descriptor opened for writing (EBADF otherwise).
 */
#define FAULTMEM_IOC_PUNCH_HOLE	_IOW(FAULTMEM_IOC_MAGIC, 0x02, struct faultmem_range)
/* Read a snapshot of the device's counters. */
#define FAULTMEM_IOC_GET_STATS	_IOR(FAULTMEM_IOC_MAGIC, 0x03, struct faultmem_stats)
/* Fill a bitmap of the resident pages of a range (the residency map). */
#define FAULTMEM_IOC_GET_RESIDENCY \
	_IOWR(FAULTMEM_IOC_MAGIC, 0x04, struct faultmem_residency)
/*
 * Add a fault-injection rule: the pages it covers are unmapped from every
 * mapping (no byte changes), so that their next access faults and meets
 * the rule. Needs a descriptor opened for writing (EBADF otherwise);
 * ENOSPC past FAULTMEM_INJECT_MAX_RULES, EINVAL for a bad rule, EBUSY
 * when a pinned large folio holding a covered page cannot be split.
 */
#define FAULTMEM_IOC_INJECT_ADD \
	_IOWR(FAULTMEM_IOC_MAGIC, 0x05, struct faultmem_inject_rule)
/* List the rules, in the order they are tried. */
#define FAULTMEM_IOC_INJECT_LIST \
	_IOWR(FAULTMEM_IOC_MAGIC, 0x06, struct faultmem_inject_list)
/*
 * Remove rules; returns how many. Needs a descriptor opened for writing
 * (EBADF otherwise).
 */
#define FAULTMEM_IOC_INJECT_CLEAR \
	_IOW(FAULTMEM_IOC_MAGIC, 0x07, struct faultmem_inject_clear)

#endif /* _UAPI_FAULTMEM_H */
