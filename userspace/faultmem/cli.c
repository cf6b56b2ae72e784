// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultmem: what every command shares: the program name, usage errors,
 * strict parsing of numbers, sizes and intervals, and finding and opening
 * the DEVICE a command names.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <faultmem.h>

#include "cli.h"

const char *prog = "faultmem";

/* A usage error: what is wrong (naming the argument), and exit status 2. */
__attribute__((format(printf, 1, 2)))
int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help'.\n", prog);
	return EXIT_USAGE;
}

/*
 * The run of decimal digits at @s as a number no larger than @max: 0, and
 * *@end just past it; -1 if there is no digit or the number is larger.
 * strtoul() and atoi() would also take leading blanks and a sign ("-1"
 * wraps to 2^64 - 1) and atoi() turns junk into 0 or a prefix ("1x" is 1).
 */
static int scan_digits(const char *s, uint64_t max, uint64_t *out,
		       const char **end)
{
	const char *p = s;
	uint64_t v = 0;

	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned int d = *p - '0';

		if (d > max || v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (p == s)
		return -1;
	*out = v;
	*end = p;
	return 0;
}

/* A whole argument of decimal digits, at most @max: 0, or -1. */
int parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	const char *end;

	return scan_digits(s, max, out, &end) || *end ? -1 : 0;
}

#define MIN_INTERVAL_MS	100
#define MAX_INTERVAL_MS	(86400 * 1000L)

/*
 * Seconds as "2" or "0.5" (up to 3 decimals, so milliseconds), 0.1 to
 * 86400: faster than 10 redraws a second shows nothing more and costs a
 * CPU. Returns 0 with the milliseconds in @ms, or -1.
 */
int parse_seconds(const char *s, long *ms)
{
	uint64_t whole, frac = 0;
	const char *end, *dot;
	long digits;

	if (scan_digits(s, MAX_INTERVAL_MS / 1000, &whole, &end))
		return -1;
	if (*end == '.') {
		dot = end + 1;
		if (scan_digits(dot, 999, &frac, &end) || end - dot > 3)
			return -1;
		for (digits = end - dot; digits < 3; digits++)
			frac *= 10;
	}
	if (*end)
		return -1;
	*ms = whole * 1000 + frac;
	return *ms < MIN_INTERVAL_MS || *ms > MAX_INTERVAL_MS ? -1 : 0;
}

/*
 * The value of the option at argv[*i], which is the next argument; NULL,
 * after the usage message, when there is none (a bare "-i" at the end
 * is a missing value, not an unknown option).
 */
const char *option_value(const char *cmd, int argc, char **argv, int *i)
{
	if (*i + 1 < argc)
		return argv[++*i];
	usage_error("%s: option '%s' needs a value", cmd, argv[*i]);
	return NULL;
}

/*
 * Take @arg as the command's DEVICE: 0, or a usage error if it already
 * has one. Using the last of several silently would show another device
 * than the user meant.
 */
int set_device(const char *cmd, const char **dev, const char *arg)
{
	if (*dev)
		return usage_error("%s: one DEVICE only ('%s', then '%s')", cmd,
				   *dev, arg);
	*dev = arg;
	return 0;
}

#define MAX_DEVICE_NUMBER 9999

const char *device_path(const char *arg)
{
	static char path[64];
	uint64_t n;

	if (!arg)
		arg = "0";
	if (!parse_uint(arg, MAX_DEVICE_NUMBER, &n)) {
		snprintf(path, sizeof(path), "/dev/faultmem%" PRIu64, n);
		return path;
	}
	return arg;
}

int open_device(const char *arg, int flags)
{
	const char *path = device_path(arg);
	int fd = open(path, flags);

	if (fd < 0)
		fprintf(stderr, "%s: cannot open %s: %s%s\n", prog, path,
			strerror(errno),
			errno == ENOENT ? " (is the module loaded?)" :
			errno == EACCES ? " (the node is root-only unless a udev rule grants access)" : "");
	return fd;
}

/*
 * The kernel's name of the device node at @path ("faultmem0"), the name
 * its trace events carry. Found through the node's device number, not
 * the path's basename: a symlink (what udev rules create) or a node
 * made under another name is still that device. 0, or -1 after saying why.
 */
int device_name(const char *path, char *name, size_t size)
{
	char link[64], target[256];
	const char *base;
	struct stat st;
	ssize_t n;

	if (stat(path, &st)) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		return -1;
	}
	if (!S_ISCHR(st.st_mode)) {
		fprintf(stderr, "%s: %s is not a device node\n", prog, path);
		return -1;
	}
	snprintf(link, sizeof(link), "/sys/dev/char/%u:%u",
		 major(st.st_rdev), minor(st.st_rdev));
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0) {
		fprintf(stderr, "%s: %s: %s (is sysfs mounted?)\n", prog, link,
			strerror(errno));
		return -1;
	}
	target[n] = '\0';
	base = strrchr(target, '/');
	snprintf(name, size, "%s", base ? base + 1 : target);
	if (strncmp(name, "faultmem", 8)) {
		fprintf(stderr, "%s: %s is %s, not a faultmem device\n", prog,
			path, name);
		return -1;
	}
	return 0;
}

/* Bytes with an optional K/M/G suffix (powers of 1024), as the module takes. */
int parse_bytes(const char *s, uint64_t *out)
{
	unsigned int shift = 0;
	const char *end;
	uint64_t v;

	if (scan_digits(s, UINT64_MAX, &v, &end))
		return -1;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	}
	if (*end || v > (UINT64_MAX >> shift))
		return -1;
	*out = v << shift;
	return 0;
}

int get_stats(int fd, struct faultmem_stats *s)
{
	if (ioctl(fd, FAULTMEM_IOC_GET_STATS, s)) {
		fprintf(stderr, "%s: FAULTMEM_IOC_GET_STATS: %s\n", prog, strerror(errno));
		return -1;
	}
	return 0;
}
