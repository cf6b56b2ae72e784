// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultmem info, resize and punch: one ioctl each on the device, and what
 * the answer means.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <faultmem.h>

#include "cli.h"
#include "commands.h"

/*
 * Why a resize or punch failed (@einval: what EINVAL means for it), as
 * the README's troubleshooting explains it; "" for an errno without one.
 */
static const char *resize_hint(int err, const char *einval)
{
	switch (err) {
	case EINVAL:
		return einval;
	case EFBIG:
		return " (above the device's max_size)";
	case ENOSPC:
		return " (above the module's max_total_size)";
	case EBUSY:
		return " (a 2 MiB folio across the new end or an end of the hole is pinned,"
		       " by O_DIRECT, vmsplice() or a read() in progress: retry when that is done;"
		       " nothing changed)";
	default:
		return "";
	}
}

static void print_size(const char *label, uint64_t bytes)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = bytes;
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	printf("%-22s %" PRIu64 " (%.1f %s)\n", label, bytes, v, units[u]);
}

int cmd_info(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE);
	struct faultmem_stats s;
	int fd;

	if (argc > 2)
		return usage_error("info: too many arguments ('%s')", argv[2]);
	fd = open_device(argc > 1 ? argv[1] : NULL, O_RDONLY);
	if (fd < 0 || get_stats(fd, &s))
		return 1;
	printf("%s\n", device_path(argc > 1 ? argv[1] : NULL));
	print_size("size", s.size);
	print_size("max_size", s.max_size);
	printf("%-22s %" PRIu64 " of %" PRIu64 " pages\n", "resident",
	       (uint64_t)s.resident_pages, (uint64_t)(s.size / page));
	print_size("resident bytes", s.resident_pages * page);
	printf("%-22s %" PRIu64 "\n", "faults", (uint64_t)s.faults);
	printf("%-22s %" PRIu64 "\n", "  new pages", (uint64_t)(s.faults -
	       s.existing_page_faults - s.sigbus_faults));
	printf("%-22s %" PRIu64 "\n", "  existing pages", (uint64_t)s.existing_page_faults);
	printf("%-22s %" PRIu64 "\n", "  SIGBUS", (uint64_t)s.sigbus_faults);
	printf("%-22s %" PRIu64 "\n", "private write faults", (uint64_t)s.private_write_faults);
	printf("%-22s %" PRIu64 "\n", "pages allocated", (uint64_t)s.pages_allocated);
	printf("%-22s %" PRIu64 "\n", "resizes", (uint64_t)s.resizes);
	printf("%-22s %" PRIu64 "\n", "holes punched", (uint64_t)s.holes_punched);
	printf("%-22s %" PRIu64 "\n", "fault-around calls", (uint64_t)s.fault_around_calls);
	printf("%-22s %" PRIu64 "\n", "2 MiB folios", (uint64_t)s.huge_folios_allocated);
	printf("%-22s %" PRIu64 "\n", "2 MiB fallbacks", (uint64_t)s.huge_fallbacks);
	printf("%-22s %" PRIu64 "\n", "insert races", (uint64_t)s.insert_races);
	printf("%-22s %" PRIu64 "\n", "injected sigbus", (uint64_t)s.injected_sigbus);
	printf("%-22s %" PRIu64 "\n", "injected hwpoison", (uint64_t)s.injected_hwpoison);
	printf("%-22s %" PRIu64 "\n", "injected nospace", (uint64_t)s.injected_nospace);
	printf("%-22s %" PRIu64 "\n", "injected delays", (uint64_t)s.injected_delays);
	close(fd);
	return 0;
}

int cmd_resize(int argc, char **argv)
{
	uint64_t size;
	int fd;

	if (argc != 3)
		return usage_error("resize: need DEVICE and SIZE");
	if (parse_bytes(argv[2], &size))
		return usage_error("resize: '%s' is not a size (bytes, or with K/M/G)", argv[2]);
	fd = open_device(argv[1], O_RDWR);
	if (fd < 0)
		return 1;
	if (ioctl(fd, FAULTMEM_IOC_SET_SIZE, &size)) {
		fprintf(stderr, "%s: resize to %" PRIu64 ": %s%s\n", prog, size,
			strerror(errno),
			resize_hint(errno, " (sizes are page multiples)"));
		return 1;
	}
	close(fd);
	return 0;
}

int cmd_punch(int argc, char **argv)
{
	struct faultmem_range range = { 0 };
	uint64_t offset, length;
	int fd;

	if (argc != 4)
		return usage_error("punch: need DEVICE OFFSET LENGTH");
	if (parse_bytes(argv[2], &offset))
		return usage_error("punch: bad OFFSET '%s'", argv[2]);
	if (parse_bytes(argv[3], &length))
		return usage_error("punch: bad LENGTH '%s'", argv[3]);
	range.offset = offset;
	range.length = length;
	fd = open_device(argv[1], O_RDWR);
	if (fd < 0)
		return 1;
	if (ioctl(fd, FAULTMEM_IOC_PUNCH_HOLE, &range)) {
		fprintf(stderr, "%s: punch: %s%s\n", prog, strerror(errno),
			resize_hint(errno, " (offset and length must be page multiples inside the device)"));
		return 1;
	}
	close(fd);
	return 0;
}
