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
 * @reserved:		zero; room for more counters without an ABI break
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

#endif /* _UAPI_FAULTMEM_H */
