// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultmem: what every command shares: the program name, usage errors,
 * strict parsing of numbers, sizes and intervals, and finding and opening
 * the DEVICE a command names.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <faultmem.h>

#include "cli.h"
#include "commands.h"

const char *prog = "faultmem";

/* A usage error: what is wrong (naming the argument), and exit status 2. */
__attribute__((format(printf, 1, 2)))
int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnx(fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help'.\n", prog);
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
 * The next option of a command's @argv (argv[0] is the command's name) as
 * getopt_long() finds it: its value, -1 after the last one (optind is the
 * first operand), or BAD_OPTION after the usage message. -h and --help
 * print the command's usage and exit 0, as util-linux's tools do.
 */
int next_option(const char *cmd, int argc, char **argv, const char *shortopts,
		const struct option *longopts)
{
	int opt;

	opterr = 0;	/* the messages are ours, naming the command */
	opt = getopt_long(argc, argv, shortopts, longopts, NULL);
	if (opt == 'h' || opt == OPT_HELP) {
		command_usage(cmd, stdout);
		exit(0);
	}
	if (opt == '?' || opt == ':') {
		option_error(cmd, opt, longopts, argv);
		return BAD_OPTION;
	}
	return opt;
}

/* The name of the long option whose value is @val; NULL for a short one. */
static const char *long_name(const struct option *longopts, int val)
{
	for (; longopts->name; longopts++)
		if (longopts->val == val && (val < ' ' || val >= OPT_LONG_ONLY))
			return longopts->name;
	return NULL;
}

/*
 * The usage error for what getopt_long() refused (@opt '?', or ':' for a
 * missing value with a ':' leading the short options), naming the option
 * as written: a bare "-i" at the end is a missing value, not an unknown
 * option. Returns EXIT_USAGE.
 */
int option_error(const char *cmd, int opt, const struct option *longopts,
		 char **argv)
{
	const char *name = long_name(longopts, optopt);

	if (opt == ':' && name)
		return usage_error("%s: option '--%s' needs a value", cmd, name);
	if (opt == ':')
		return usage_error("%s: option '-%c' needs a value", cmd, optopt);
	if (name)
		return usage_error("%s: option '--%s' takes no value", cmd, name);
	if (optopt)
		return usage_error("%s: unknown option '-%c'", cmd, optopt);
	return usage_error("%s: unknown option '%s'", cmd, argv[optind - 1]);
}

const struct option help_only[] = { HELP_AND_END };

/*
 * The options of a command that has none but --help: 0, or EXIT_USAGE
 * after the message. Parsing stops at the first operand ("+"), so that
 * "-4096" there is a junk number, named whole, not an option.
 */
int no_options(const char *cmd, int argc, char **argv)
{
	return next_option(cmd, argc, argv, "+:h", help_only) == -1 ? 0 : EXIT_USAGE;
}

/*
 * The @n operands of a command that takes no option but --help (@what
 * names them): their array, or NULL after the usage message.
 */
char **exact_operands(const char *cmd, int argc, char **argv, int n,
		      const char *what)
{
	if (no_options(cmd, argc, argv))
		return NULL;
	if (argc - optind != n) {
		usage_error("%s: need %s", cmd, what);
		return NULL;
	}
	return argv + optind;
}

/* The COUNT of -n, a whole number >= 1: 0, or a usage error. */
int parse_count(const char *cmd, const char *arg, uint64_t *count)
{
	if (parse_uint(arg, MAX_COUNT, count) || !*count)
		return usage_error("%s: -n '%s' is not a count (a whole number >= 1)",
				   cmd, arg);
	return 0;
}

/*
 * The optional DEVICE after the options into *@dev (NULL: none): 0, or a
 * usage error for a second one. Using the last of several silently would
 * show another device than the user meant.
 */
int device_operand(const char *cmd, int argc, char **argv, const char **dev)
{
	*dev = optind < argc ? argv[optind] : NULL;
	if (optind + 1 < argc)
		return usage_error("%s: one DEVICE only ('%s', then '%s')", cmd,
				   argv[optind], argv[optind + 1]);
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
		warnx("cannot open %s: %s%s", path, strerror(errno),
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
		warn("%s", path);
		return -1;
	}
	if (!S_ISCHR(st.st_mode)) {
		warnx("%s is not a device node", path);
		return -1;
	}
	snprintf(link, sizeof(link), "/sys/dev/char/%u:%u",
		 major(st.st_rdev), minor(st.st_rdev));
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0) {
		warnx("%s: %s (is sysfs mounted?)", link, strerror(errno));
		return -1;
	}
	target[n] = '\0';
	base = strrchr(target, '/');
	snprintf(name, size, "%s", base ? base + 1 : target);
	if (strncmp(name, "faultmem", 8)) {
		warnx("%s is %s, not a faultmem device", path, name);
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
		warn("FAULTMEM_IOC_GET_STATS");
		return -1;
	}
	return 0;
}
