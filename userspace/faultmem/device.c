// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultmem info, resize and punch: one ioctl each on the device, and what
 * the answer means.
 */
#include <err.h>
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
 * docs/troubleshooting.md explains it; "" for an errno without one.
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
		return " (a huge folio across the new end or an end of the hole is pinned,"
		       " by O_DIRECT, vmsplice() or a read() in progress: retry when that is done;"
		       " nothing changed)";
	default:
		return "";
	}
}

const char info_usage[] =
	"usage: faultmem info [DEVICE]\n"
	"\n"
	"The device's size, max_size, resident pages and counters.\n"
	"DEVICE is a path or a number (3 means /dev/faultmem3); the default is 0.\n";

const char resize_usage[] =
	"usage: faultmem resize DEVICE SIZE\n"
	"\n"
	"Set the device's size: bytes, a page multiple, with an optional K, M or G\n"
	"(64K, 16M). Shrinking frees the pages past the new end.\n";

const char punch_usage[] =
	"usage: faultmem punch DEVICE OFFSET LENGTH\n"
	"\n"
	"Free the pages of a page-aligned range (bytes, K/M/G suffixes): they read\n"
	"as zero again and are allocated anew on the next touch.\n";

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

#define FAULTMEM_COUNTER(field) { #field, offsetof(struct faultmem_stats, field) },
const struct counter counters[] = {
#include <faultmem_counters.h>
};
#undef FAULTMEM_COUNTER
const size_t nr_counters = sizeof(counters) / sizeof(counters[0]);

/* Counter @i of @s. */
uint64_t counter(const struct faultmem_stats *s, size_t i)
{
	uint64_t value;

	memcpy(&value, (const char *)s + counters[i].offset, sizeof(value));
	return value;
}

/* A counter for people: "pages allocated", not "pages_allocated". */
static void print_counter(const char *name, uint64_t value)
{
	char label[32];
	size_t i;

	for (i = 0; name[i] && i < sizeof(label) - 1; i++)
		label[i] = name[i] == '_' ? ' ' : name[i];
	label[i] = '\0';
	printf("%-22s %" PRIu64 "\n", label, value);
}

int cmd_info(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE);
	struct faultmem_stats s;
	const char *dev;
	size_t i;
	int fd;

	if (no_options("info", argc, argv) || device_operand("info", argc, argv, &dev))
		return EXIT_USAGE;
	fd = open_device(dev, O_RDONLY);
	if (fd < 0 || get_stats(fd, &s))
		return 1;
	printf("%s\n", device_path(dev));
	print_size("size", s.size);
	print_size("max_size", s.max_size);
	printf("%-22s %" PRIu64 " of %" PRIu64 " pages\n", "resident",
	       (uint64_t)s.resident_pages, (uint64_t)(s.size / page));
	print_size("resident bytes", s.resident_pages * page);
	for (i = 0; i < nr_counters; i++)
		print_counter(counters[i].name, counter(&s, i));
	close(fd);
	return 0;
}

int cmd_resize(int argc, char **argv)
{
	char **operand = exact_operands("resize", argc, argv, 2, "DEVICE and SIZE");
	uint64_t size;
	int fd;

	if (!operand)
		return EXIT_USAGE;
	if (parse_bytes(operand[1], &size))
		return usage_error("resize: '%s' is not a size (bytes, or with K/M/G)", operand[1]);
	fd = open_device(operand[0], O_RDWR);
	if (fd < 0)
		return 1;
	if (ioctl(fd, FAULTMEM_IOC_SET_SIZE, &size)) {
		warnx("resize to %" PRIu64 ": %s%s", size, strerror(errno),
		      resize_hint(errno, " (sizes are page multiples)"));
		return 1;
	}
	close(fd);
	return 0;
}

int cmd_punch(int argc, char **argv)
{
	struct faultmem_range range = { 0 };
	char **operand = exact_operands("punch", argc, argv, 3, "DEVICE OFFSET LENGTH");
	uint64_t offset, length;
	int fd;

	if (!operand)
		return EXIT_USAGE;
	if (parse_bytes(operand[1], &offset))
		return usage_error("punch: bad OFFSET '%s'", operand[1]);
	if (parse_bytes(operand[2], &length))
		return usage_error("punch: bad LENGTH '%s'", operand[2]);
	range.offset = offset;
	range.length = length;
	fd = open_device(operand[0], O_RDWR);
	if (fd < 0)
		return 1;
	if (ioctl(fd, FAULTMEM_IOC_PUNCH_HOLE, &range)) {
		warnx("punch: %s%s", strerror(errno),
		      resize_hint(errno, " (offset and length must be page multiples inside the device)"));
		return 1;
	}
	close(fd);
	return 0;
}
