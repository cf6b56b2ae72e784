// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultmem-fsx: what only the device has. Resizes through its sysfs
 * attribute, with the size written in every form the parser takes (and
 * some it refuses); and after every operation the device refuses, a check
 * that nothing module-wide moved: its counters are as before, and the
 * module's cap (max_total_size) still refuses one page more than the room
 * left and admits exactly that room.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <faultmem.h>

#include "fsx.h"

#define PARAMS "/sys/module/faultmem/parameters"
#define MISC "/sys/class/misc"

/* The digits the size parser holds: U64_MAX has 20. */
#define PARSER_DIGITS 20

/*
 * The size of a RESIZE in the form its seed names: a K, M or G suffix
 * where the size is a multiple of it, leading zeroes up to op->digits
 * digits, and a trailing newline.
 */
void sysfs_size_string(const struct op *op, char *s, size_t size)
{
	static const struct { char suffix; uint64_t unit; } forms[] = {
		{ 'G', 1ULL << 30 }, { 'M', 1ULL << 20 }, { 'K', 1ULL << 10 },
	};
	uint64_t value = op->off;
	char suffix[2] = "", digits[32];
	unsigned int i, len;

	for (i = 0; i < 3; i++)
		if (op->data_seed >> i & 1 && value &&
		    value % forms[i].unit == 0) {
			value /= forms[i].unit;
			suffix[0] = forms[i].suffix;
			break;
		}
	len = snprintf(digits, sizeof(digits), "%" PRIu64, value);
	for (i = 0; len + i < op->digits && i < size - 1; i++)
		s[i] = '0';
	snprintf(s + i, size - i, "%s%s%s", digits, suffix,
		 op->data_seed >> 3 & 1 ? "\n" : "");
}

/* Whether the parser must refuse the string: more digits than it holds. */
int refused_by_sysfs(const struct op *op, long page)
{
	char s[64];

	sysfs_size_string(op, s, sizeof(s));
	return strspn(s, "0123456789") > PARSER_DIGITS ||
	       op->off % page != 0;
}

/* A resize through sysfs: 0, or -1 with errno. */
int sysfs_resize(struct fsx *f, const struct op *op)
{
	char path[128], s[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/size", f->sysfs);
	sysfs_size_string(op, s, sizeof(s));
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/* A number in a sysfs file; -1 if there is none. */
static int read_u64(const char *path, uint64_t *v)
{
	char buf[32];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return sscanf(buf, "%" SCNu64, v) == 1 ? 0 : -1;
}

void find_sysfs(struct fsx *f)
{
	char copy[256];
	uint64_t v;

	snprintf(copy, sizeof(copy), "%s", f->dev.path);
	snprintf(f->sysfs, sizeof(f->sysfs), MISC "/%s", basename(copy));
	f->cap_known = !read_u64(PARAMS "/max_total_size", &v) &&
		       !read_u64(PARAMS "/max_size", &v);
}

size_t stats_size(void)
{
	return sizeof(struct faultmem_stats);
}

void get_stats(struct fsx *f, void *stats)
{
	if (ioctl(f->dev.fd, FAULTMEM_IOC_GET_STATS, stats))
		disagree(f, "FAULTMEM_IOC_GET_STATS: %m");
}

/* The sum of the other devices' sizes. */
static uint64_t others_total(struct fsx *f)
{
	uint64_t total = 0, size;
	char path[160], ours[128];
	int i;

	snprintf(ours, sizeof(ours), "%s/size", f->sysfs);
	for (i = 0; i < 64; i++) {
		snprintf(path, sizeof(path), MISC "/faultmem%d/size", i);
		if (!strcmp(path, ours) || read_u64(path, &size))
			continue;
		total += size;
	}
	return total;
}

/* SET_SIZE to @size must answer @want (0 or an errno). */
static void expect_resize(struct fsx *f, uint64_t size, int want)
{
	int got = ioctl(f->dev.fd, FAULTMEM_IOC_SET_SIZE, &size) ? errno : 0;

	if (got != want)
		disagree(f, "after a refused operation, a resize to 0x%" PRIx64
			 " answered %s, not %s (the module-wide total moved)",
			 size, got ? strerrorname_np(got) : "0",
			 want ? strerrorname_np(want) : "0");
}

/**
 * check_refused() - nothing moved when the device refused @op
 * @f:		the run
 * @op:		the refused operation
 * @before:	the device's counters before it (struct faultmem_stats)
 *
 * Every counter is as before; then the module's cap must refuse growing
 * one page past the room the other devices leave and admit the room
 * itself (or, where max_size is the smaller, refuse one page more than
 * that with EFBIG); the size goes back afterwards.
 */
void check_refused(struct fsx *f, const struct op *op, const void *before)
{
	struct faultmem_stats now;
	uint64_t cap, max, others, room;

	get_stats(f, &now);
	if (memcmp(before, &now, sizeof(now)))
		disagree(f, "the device refused %s and its counters changed",
			 op_names[op->op]);
	if (!f->cap_known)
		return;
	if (read_u64(PARAMS "/max_total_size", &cap) ||
	    read_u64(PARAMS "/max_size", &max))
		disagree(f, "cannot read " PARAMS);
	others = others_total(f);
	room = cap > others ? (cap - others) / f->page * f->page : 0;
	if (room + f->page > max) {
		expect_resize(f, max / f->page * f->page + f->page, EFBIG);
		return;
	}
	if (room < f->size)
		disagree(f, "the device is larger (0x%" PRIx64 ") than the room the cap leaves (0x%" PRIx64 ")",
			 f->size, room);
	expect_resize(f, room + f->page, ENOSPC);
	expect_resize(f, room, 0);
	expect_resize(f, f->size, 0);
	f->cap_probes++;
}
