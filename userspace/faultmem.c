// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultmem: command-line tool for /dev/faultmemN.
 *
 *   faultmem info   [DEVICE]               size, residency, counters
 *   faultmem resize DEVICE SIZE            set the size (K/M/G suffixes)
 *   faultmem punch  DEVICE OFFSET LENGTH   free a page-aligned range
 *   faultmem stat   [-w [-i SEC] [-n COUNT]] [DEVICE]  counters (-w: refresh)
 *   faultmem map    [-w [-i SEC] [-n COUNT]] [--ascii] [--width N] [DEVICE]
 *                                          residency map (-w: redrawn)
 *   faultmem trace  [-n COUNT] [DEVICE]    stream decoded fault events
 *   faultmem touch  [-r] DEVICE PAGE...    map the device and touch pages
 *   faultmem run    [-d DEVICE] [--map] -- COMMAND [ARGS...]
 *                                          profile one command's faults
 *
 * DEVICE is a path or a number (3 means /dev/faultmem3); default 0; one
 * only. Numbers are plain decimal digits (no sign, no suffix unless a size
 * says so), and every one is checked: junk is a usage error, not a 0.
 * Exit status: 0 success, 1 failure, 2 bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <langinfo.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <faultmem.h>

#define EXIT_USAGE 2

static const char *prog = "faultmem";

static void usage(FILE *out)
{
	fprintf(out,
		"usage: %s COMMAND [ARGS]\n"
		"\n"
		"  info   [DEVICE]                 size, resident pages and counters\n"
		"  resize DEVICE SIZE              set the size (bytes, K/M/G suffixes)\n"
		"  punch  DEVICE OFFSET LENGTH     free a page-aligned range (reads as zero)\n"
		"  stat   [-w [-i SEC] [-n COUNT]] [DEVICE]\n"
		"                                  counters; -w refreshes every SEC (1) seconds\n"
		"                                  with rates, COUNT times (default: until Ctrl-C)\n"
		"  map    [-w [-i SEC] [-n COUNT]] [--ascii] [--width N] [DEVICE]\n"
		"                                  which pages are resident, as a grid N cells\n"
		"                                  wide (8-512, default 64); -w redraws it in place\n"
		"  trace  [-n COUNT] [DEVICE]      stream the fault handler's events (needs root\n"
		"                                  and tracefs); stops after COUNT events or Ctrl-C\n"
		"  touch  [-r] DEVICE PAGE...      map the device and write (-r: read) one byte of\n"
		"                                  each page, reporting SIGBUS past the end\n"
		"  run    [-d DEVICE] [--map] -- COMMAND [ARGS...]\n"
		"                                  run COMMAND and count its (and its children's)\n"
		"                                  faultmem events, like perf stat: faults by\n"
		"                                  outcome, 4 KiB and 2 MiB allocations, fault\n"
		"                                  times (count, total, median, max), fault-around;\n"
		"                                  --map: the map after, the pages it faulted on\n"
		"                                  marked; exits with COMMAND's status\n"
		"\n"
		"DEVICE is a path or a number (3 means /dev/faultmem3); the default is 0; one\n"
		"DEVICE per command. COUNT, N and PAGE are decimal digits; SEC is seconds, 0.1\n"
		"to 86400, with up to 3 decimals (0.5).\n"
		"Exit status: 0 success, 1 failure, 2 bad usage.\n",
		prog);
}

/* A usage error: what is wrong (naming the argument), and exit status 2. */
__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
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
static int parse_uint(const char *s, uint64_t max, uint64_t *out)
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
static int parse_seconds(const char *s, long *ms)
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
static const char *option_value(const char *cmd, int argc, char **argv,
				int *i)
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
static int set_device(const char *cmd, const char **dev, const char *arg)
{
	if (*dev)
		return usage_error("%s: one DEVICE only ('%s', then '%s')", cmd,
				   *dev, arg);
	*dev = arg;
	return 0;
}

#define MAX_DEVICE_NUMBER 9999

static const char *device_path(const char *arg)
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

static int open_device(const char *arg, int flags)
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
static int device_name(const char *path, char *name, size_t size)
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
static int parse_bytes(const char *s, uint64_t *out)
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

static int get_stats(int fd, struct faultmem_stats *s)
{
	if (ioctl(fd, FAULTMEM_IOC_GET_STATS, s)) {
		fprintf(stderr, "%s: FAULTMEM_IOC_GET_STATS: %s\n", prog, strerror(errno));
		return -1;
	}
	return 0;
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

static int cmd_info(int argc, char **argv)
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
	close(fd);
	return 0;
}

static int cmd_resize(int argc, char **argv)
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

static int cmd_punch(int argc, char **argv)
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

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static void catch_stop_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* -w, -i SEC and -n COUNT of stat and map: a display redrawn in place. */
struct watch {
	int on;			/* -w */
	int timed;		/* -i or -n given: they need -w */
	long interval_ms;	/* -i, default 1 s */
	uint64_t frames;	/* -n; 0: until Ctrl-C */
};

#define MAX_COUNT ((uint64_t)INT64_MAX)

/*
 * If argv[*i] is a watch option, take it (and its value): 1, or
 * EXIT_USAGE after the message for a bad or missing value; 0 if it is
 * none of them.
 */
static int watch_option(const char *cmd, int argc, char **argv, int *i,
			struct watch *w)
{
	const char *opt = argv[*i], *value;

	if (!strcmp(opt, "-w")) {
		w->on = 1;
		return 1;
	}
	if (strcmp(opt, "-i") && strcmp(opt, "-n"))
		return 0;
	value = option_value(cmd, argc, argv, i);
	if (!value)
		return EXIT_USAGE;
	w->timed = 1;
	if (!strcmp(opt, "-i") && parse_seconds(value, &w->interval_ms))
		return usage_error("%s: -i '%s' is not an interval (seconds, 0.1 to 86400, e.g. 2 or 0.5)",
				   cmd, value);
	if (!strcmp(opt, "-n") && (parse_uint(value, MAX_COUNT, &w->frames) || !w->frames))
		return usage_error("%s: -n '%s' is not a count (a whole number >= 1)",
				   cmd, value);
	return 1;
}

/* After the options: -i and -n alone would silently do nothing. */
static int watch_check(const char *cmd, const struct watch *w)
{
	if (w->timed && !w->on)
		return usage_error("%s: -i and -n go with -w", cmd);
	return 0;
}

/* Clear the terminal and say what is shown, as watch(1) does. */
static void watch_header(const char *dev, const struct watch *w)
{
	char secs[32];

	if (w->interval_ms % 1000)
		snprintf(secs, sizeof(secs), "%ld.%03ld", w->interval_ms / 1000,
			 w->interval_ms % 1000);
	else
		snprintf(secs, sizeof(secs), "%ld", w->interval_ms / 1000);
	/* "0.500" reads better as "0.5". */
	while (strchr(secs, '.') && secs[strlen(secs) - 1] == '0')
		secs[strlen(secs) - 1] = '\0';
	printf("\033[H\033[2J%s, every %s s (Ctrl-C to stop)\n\n",
	       device_path(dev), secs);
}

/*
 * Whether to draw frame @frame (counting from 1) after waiting the
 * interval: not after the last of -n, nor once Ctrl-C came (the sleep
 * ends early then: the handler has no SA_RESTART).
 */
static int watch_next(const struct watch *w, uint64_t frame)
{
	struct timespec ts = {
		.tv_sec = w->interval_ms / 1000,
		.tv_nsec = w->interval_ms % 1000 * 1000000,
	};

	if (!w->on || stop || (w->frames && frame > w->frames))
		return 0;
	nanosleep(&ts, NULL);
	return !stop;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The change per second from @before to @now. A signed difference: the
 * event counters only grow, but size and resident_pages fall on a
 * shrink or a punch (unsigned, that showed as some 1.8e19 per second).
 */
static double rate(uint64_t now, uint64_t before, double seconds)
{
	double delta = now >= before ? (double)(now - before) :
				       -(double)(before - now);

	return delta / seconds;
}

/* One counter: its value, and with -w its rate since the last refresh. */
static void print_row(const char *name, uint64_t now, uint64_t before,
		      int with_rate, double seconds)
{
	char per_second[32] = "";

	if (with_rate)
		snprintf(per_second, sizeof(per_second), "%.0f",
			 rate(now, before, seconds));
	printf("%-22s %12" PRIu64 " %10s\n", name, now, per_second);
}

static void print_stats(const struct faultmem_stats *s,
			const struct faultmem_stats *prev, int watching,
			double seconds)
{
	int with_rate = watching && prev;

	printf("%-22s %12s %10s\n", "counter", "value", watching ? "per s" : "");
#define ROW(name, field)						\
	print_row(name, s->field, prev ? prev->field : 0, with_rate, seconds)
	ROW("size", size);
	ROW("resident_pages", resident_pages);
	ROW("faults", faults);
	ROW("existing_page_faults", existing_page_faults);
	ROW("sigbus_faults", sigbus_faults);
	ROW("private_write_faults", private_write_faults);
	ROW("pages_allocated", pages_allocated);
	ROW("resizes", resizes);
	ROW("holes_punched", holes_punched);
	ROW("fault_around_calls", fault_around_calls);
	ROW("huge_folios_allocated", huge_folios_allocated);
	ROW("huge_fallbacks", huge_fallbacks);
	ROW("insert_races", insert_races);
#undef ROW
}

static int cmd_stat(int argc, char **argv)
{
	struct watch w = { .interval_ms = 1000 };
	struct faultmem_stats s, prev;
	const char *dev = NULL;
	double then = 0, now;
	uint64_t frame = 1;
	int fd, i, ret;

	for (i = 1; i < argc; i++) {
		ret = watch_option("stat", argc, argv, &i, &w);
		if (ret == EXIT_USAGE)
			return ret;
		if (ret)
			continue;
		if (argv[i][0] == '-')
			return usage_error("stat: unknown option '%s'", argv[i]);
		if (set_device("stat", &dev, argv[i]))
			return EXIT_USAGE;
	}
	if (watch_check("stat", &w))
		return EXIT_USAGE;
	fd = open_device(dev, O_RDONLY);
	if (fd < 0)
		return 1;
	catch_stop_signals();
	do {
		if (get_stats(fd, &s))
			return 1;
		now = now_seconds();
		if (w.on)
			watch_header(dev, &w);
		/* The rate is over the time that really passed. */
		print_stats(&s, frame > 1 ? &prev : NULL, w.on, now - then);
		fflush(stdout);
		prev = s;
		then = now;
	} while (watch_next(&w, ++frame));
	close(fd);
	return 0;
}

/*
 * UTF-8 block characters only where the terminal's character set is
 * UTF-8: what LC_ALL, else LC_CTYPE, else LANG select, as the C library
 * decides (nl_langinfo(CODESET)). Where that locale is not installed
 * (setlocale() fails: a minimal system, the test VM), its name is
 * judged instead, in the same order.
 */
static int utf8_output(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_CTYPE", "LANG" };
	const char *name = NULL;
	unsigned int i;

	if (setlocale(LC_CTYPE, ""))
		return !strcmp(nl_langinfo(CODESET), "UTF-8");
	for (i = 0; i < sizeof(vars) / sizeof(vars[0]) && !name; i++) {
		name = getenv(vars[i]);
		if (name && !*name)
			name = NULL;
	}
	return name && (strcasestr(name, "UTF-8") || strcasestr(name, "utf8"));
}

/* The grid's cells; @mark (faultmem run --map): a page the command faulted on. */
struct glyphs {
	const char *full, *part, *none, *mark;
};

/* The glyphs for this locale: UTF-8 blocks, or ASCII (@ascii). */
static struct glyphs grid_glyphs(int ascii)
{
	if (ascii)
		return (struct glyphs){ "#", "+", ".", "@" };
	return (struct glyphs){ "\u2588", "\u2592", "\u00b7", "\u2593" };
}

/* Bit @p of the bitmap @bits. */
static int bit(const uint8_t *bits, uint64_t p)
{
	return bits[p / 8] >> (p % 8) & 1;
}

/* The device's residency bitmap, @pages pages, into @bits; the count in @resident. */
static int read_residency(int fd, uint64_t pages, uint8_t *bits,
			  uint64_t *resident)
{
	struct faultmem_residency res;

	*resident = 0;
	for (uint64_t first = 0; first < pages; first += FAULTMEM_RESIDENCY_MAX_PAGES) {
		memset(&res, 0, sizeof(res));
		res.first_page = first;
		res.nr_pages = pages - first < FAULTMEM_RESIDENCY_MAX_PAGES ?
			       pages - first : FAULTMEM_RESIDENCY_MAX_PAGES;
		res.bitmap = (uintptr_t)(bits + first / 8);
		if (ioctl(fd, FAULTMEM_IOC_GET_RESIDENCY, &res)) {
			fprintf(stderr, "%s: FAULTMEM_IOC_GET_RESIDENCY: %s\n", prog,
				strerror(errno));
			return -1;
		}
		*resident += res.resident;
	}
	return 0;
}

/*
 * The grid: @width cells a row, each one or more pages, at most 32 rows.
 * A cell holding a page marked in @marks (may be NULL) shows g->mark,
 * whatever the residency of its pages.
 */
static void print_grid(const uint8_t *bits, const uint8_t *marks,
		       uint64_t pages, int width, const struct glyphs *g)
{
	uint64_t per_cell, cells, c;

	per_cell = (pages + (uint64_t)width * 32 - 1) / ((uint64_t)width * 32);
	cells = (pages + per_cell - 1) / per_cell;
	printf("one cell = %" PRIu64 " page%s\n", per_cell, per_cell > 1 ? "s" : "");
	for (c = 0; c < cells; c++) {
		uint64_t p, n = 0, in = 0, marked = 0;

		for (p = c * per_cell; p < (c + 1) * per_cell && p < pages; p++, in++) {
			n += bit(bits, p);
			marked += marks && bit(marks, p);
		}
		if (c % (uint64_t)width == 0)
			printf("%8" PRIu64 " ", c * per_cell);
		fputs(marked ? g->mark : n == in ? g->full : n ? g->part : g->none,
		      stdout);
		if (c % (uint64_t)width == (uint64_t)width - 1 || c == cells - 1)
			putchar('\n');
	}
}

/* A growable array of numbers (faultmem run: durations, page offsets). */
struct numbers {
	uint64_t *v;
	size_t n, cap;
};

/* Append @x; 0, or -1 when out of memory (then @x is lost, said once). */
static int numbers_add(struct numbers *a, uint64_t x)
{
	static int warned;

	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 1024;
		uint64_t *v = realloc(a->v, cap * sizeof(*v));

		if (!v) {
			if (!warned++)
				fprintf(stderr, "%s: out of memory: the profile misses events\n",
					prog);
			return -1;
		}
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = x;
	return 0;
}

/*
 * The pages in @faulted (page offsets; NULL: none) as a bitmap of @pages
 * pages, for print_grid(); offsets past the end (SIGBUS) are left out.
 */
static uint8_t *fault_marks(const struct numbers *faulted, uint64_t pages)
{
	uint8_t *marks;
	size_t i;

	if (!faulted)
		return NULL;
	marks = calloc(1, (pages + 7) / 8);
	if (!marks)
		return NULL;
	for (i = 0; i < faulted->n; i++)
		if (faulted->v[i] < pages)
			marks[faulted->v[i] / 8] |= 1 << (faulted->v[i] % 8);
	return marks;
}

/* How many of the @pages pages are marked in @marks, and how many of those are resident. */
static uint64_t count_marks(const uint8_t *marks, const uint8_t *bits,
			    uint64_t pages, uint64_t *resident)
{
	uint64_t p, n = 0;

	*resident = 0;
	for (p = 0; p < pages; p++) {
		n += bit(marks, p);
		*resident += bit(marks, p) && bit(bits, p);
	}
	return n;
}

/*
 * One map of the device as it is now (its size may change between frames);
 * with @faulted (faultmem run --map), the pages the command faulted on
 * marked.
 */
static int draw_map(int fd, const char *dev, int width, const struct glyphs *g,
		    const struct numbers *faulted)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t pages = lseek(fd, 0, SEEK_END) / page, resident, n, n_resident;
	uint8_t *bits, *marks;

	if (!pages) {
		printf("%s: size 0, nothing to map\n", device_path(dev));
		return 0;
	}
	bits = calloc(1, (pages + 7) / 8);
	if (!bits) {
		fprintf(stderr, "%s: out of memory for %" PRIu64 " pages\n", prog, pages);
		return -1;
	}
	marks = fault_marks(faulted, pages);
	if (read_residency(fd, pages, bits, &resident) || (faulted && !marks)) {
		free(bits);
		free(marks);
		return -1;
	}
	printf("%s: %" PRIu64 " pages, ", device_path(dev), pages);
	print_grid(bits, marks, pages, width, g);
	printf("legend: %s%s%s resident  %s partly resident  %s not resident\n",
	       marks ? g->mark : "", marks ? " faulted on by the command  " : "",
	       g->full, g->part, g->none);
	printf("%" PRIu64 " of %" PRIu64 " pages resident (%.1f%%), %" PRIu64 " KiB\n",
	       resident, pages, 100.0 * resident / pages, resident * page / 1024);
	if (marks) {
		n = count_marks(marks, bits, pages, &n_resident);
		printf("%" PRIu64 " pages faulted on by the command, %" PRIu64 " of them resident now\n",
		       n, n_resident);
	}
	free(bits);
	free(marks);
	return 0;
}

#define MIN_WIDTH 8
#define MAX_WIDTH 512

static int cmd_map(int argc, char **argv)
{
	struct watch w = { .interval_ms = 1000 };
	const char *dev = NULL, *value;
	int ascii = !utf8_output(), fd, i, ret;
	uint64_t width = 64, frame = 1;
	struct glyphs g;

	for (i = 1; i < argc; i++) {
		ret = watch_option("map", argc, argv, &i, &w);
		if (ret == EXIT_USAGE)
			return ret;
		if (ret)
			continue;
		if (!strcmp(argv[i], "--ascii")) {
			ascii = 1;
		} else if (!strcmp(argv[i], "--width")) {
			value = option_value("map", argc, argv, &i);
			if (!value)
				return EXIT_USAGE;
			if (parse_uint(value, MAX_WIDTH, &width) || width < MIN_WIDTH)
				return usage_error("map: --width '%s' is not %d to %d",
						   value, MIN_WIDTH, MAX_WIDTH);
		} else if (argv[i][0] == '-') {
			return usage_error("map: unknown option '%s'", argv[i]);
		} else if (set_device("map", &dev, argv[i])) {
			return EXIT_USAGE;
		}
	}
	if (watch_check("map", &w))
		return EXIT_USAGE;
	g = grid_glyphs(ascii);

	fd = open_device(dev, O_RDONLY);
	if (fd < 0)
		return 1;
	catch_stop_signals();
	do {
		if (w.on)
			watch_header(dev, &w);
		if (draw_map(fd, dev, width, &g, NULL))
			return 1;
		fflush(stdout);
	} while (watch_next(&w, ++frame));
	close(fd);
	return 0;
}

static const char *tracefs(void)
{
	if (!access("/sys/kernel/tracing/events", F_OK))
		return "/sys/kernel/tracing";
	if (!access("/sys/kernel/debug/tracing/events", F_OK))
		return "/sys/kernel/debug/tracing";
	return NULL;
}

static int write_trace_file(const char *dir, const char *name, const char *value)
{
	char path[512];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0 || write(fd, value, strlen(value)) < 0)
		ret = -1;
	if (fd >= 0)
		close(fd);
	return ret;
}

/*
 * The size of a folio of order @order (pages of this system's size) in
 * @buf: "4" @sep "KiB", "2" @sep "MiB".
 */
static const char *folio_size(unsigned int order, const char *sep, char *buf,
			      size_t size)
{
	uint64_t kib = (uint64_t)sysconf(_SC_PAGESIZE) / 1024 << (order < 32 ? order : 31);

	if (kib >= 1024 && kib % 1024 == 0)
		snprintf(buf, size, "%" PRIu64 "%sMiB", kib / 1024, sep);
	else
		snprintf(buf, size, "%" PRIu64 "%sKiB", kib, sep);
	return buf;
}

/* 1 if a fault with @outcome had a folio (sigbus and oom have none: order 0). */
static int has_folio(const char *outcome)
{
	return !strcmp(outcome, "new_page") || !strcmp(outcome, "existing_page");
}

/*
 * The faultmem_fault event's line from @ev on: 8 when every field was
 * read. Kernels with a module older than order= give 7 (*@order then 0).
 */
static int scan_fault(const char *ev, char dev[32], unsigned long long *pgoff,
		      unsigned long long *addr, char rw[8], char kind[8],
		      char outcome[16], unsigned long long *ns,
		      unsigned int *order)
{
	*order = 0;
	return sscanf(ev, "faultmem_fault: %31s pgoff=%llu address=0x%llx %7s %7s outcome=%15s duration_ns=%llu order=%u",
		      dev, pgoff, addr, rw, kind, outcome, ns, order);
}

/* Print one trace_pipe line as a readable sentence; 1 if it was an event. */
static int decode(const char *line, const char *only_dev)
{
	char dev[32], rw[8], kind[8], outcome[16], mapped[16], size[32];
	unsigned long long pgoff, addr, ns, old, new, freed, off, len, first, last;
	unsigned int order;
	const char *ev;

	if ((ev = strstr(line, "faultmem_fault: ")) &&
	    scan_fault(ev, dev, &pgoff, &addr, rw, kind, outcome, &ns, &order) >= 7) {
		if (only_dev && strcmp(dev, only_dev))
			return 0;
		printf("%-10s fault  page %-8llu at 0x%012llx  %-5s %-7s -> %-13s %6llu ns",
		       dev, pgoff, addr, rw, kind, outcome, ns);
		if (has_folio(outcome))
			printf("  %s folio", folio_size(order, " ", size, sizeof(size)));
		putchar('\n');
	} else if ((ev = strstr(line, "faultmem_map_pages: ")) &&
		   sscanf(ev, "faultmem_map_pages: %31s pgoff=%llu window=%llu-%llu %15s",
			  dev, &pgoff, &first, &last, mapped) == 5) {
		if (only_dev && strcmp(dev, only_dev))
			return 0;
		printf("%-10s around page %-8llu pages %llu-%llu mapped if resident -> %s\n",
		       dev, pgoff, first, last,
		       strcmp(mapped, "mapped") ? "not resident: fault follows" : "mapped, no fault");
	} else if ((ev = strstr(line, "faultmem_resize: ")) &&
		   sscanf(ev, "faultmem_resize: %31s old_size=%llu new_size=%llu pages_freed=%llu",
			  dev, &old, &new, &freed) == 4) {
		if (only_dev && strcmp(dev, only_dev))
			return 0;
		printf("%-10s resize %llu -> %llu bytes, %llu pages freed\n", dev, old, new, freed);
	} else if ((ev = strstr(line, "faultmem_punch_hole: ")) &&
		   sscanf(ev, "faultmem_punch_hole: %31s offset=%llu length=%llu pages_freed=%llu",
			  dev, &off, &len, &freed) == 4) {
		if (only_dev && strcmp(dev, only_dev))
			return 0;
		printf("%-10s punch  %llu bytes at %llu, %llu pages freed\n", dev, len, off, freed);
	} else {
		return 0;
	}
	fflush(stdout);
	return 1;
}

/*
 * faultmem trace records into a tracefs instance of its own,
 * instances/faultmem-trace-PID, not into the global buffer. So it shows
 * only events from after it started (never what an earlier tracer left in
 * the buffer), it leaves alone whatever trace-cmd, perf or another
 * faultmem trace have set up, and removing the instance on exit turns its
 * events off and frees its buffer. Only SIGKILL leaves the instance
 * behind; rmdir it by hand.
 */
static int cmd_trace(int argc, char **argv)
{
	const char *dir = tracefs(), *dev_arg = NULL, *only = NULL, *value;
	char line[1024], inst[256], name[256];
	uint64_t count = 0, seen = 0;	/* count 0: until Ctrl-C */
	FILE *pipe;
	int i, ret = 1;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n")) {
			value = option_value("trace", argc, argv, &i);
			if (!value)
				return EXIT_USAGE;
			if (parse_uint(value, MAX_COUNT, &count) || !count)
				return usage_error("trace: -n '%s' is not a count (a whole number >= 1)",
						   value);
		} else if (argv[i][0] == '-') {
			return usage_error("trace: unknown option '%s'", argv[i]);
		} else if (set_device("trace", &dev_arg, argv[i])) {
			return EXIT_USAGE;
		}
	}
	if (dev_arg) {
		if (device_name(device_path(dev_arg), name, sizeof(name)))
			return 1;
		only = name;
	}
	if (!dir) {
		fprintf(stderr, "%s: tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing)\n", prog);
		return 1;
	}
	snprintf(inst, sizeof(inst), "%s/instances/faultmem-trace-%d", dir,
		 (int)getpid());
	if (mkdir(inst, 0700)) {
		fprintf(stderr, "%s: cannot create the trace instance %s: %s (root needed)\n",
			prog, inst, strerror(errno));
		return 1;
	}
	if (write_trace_file(inst, "events/faultmem/enable", "1")) {
		fprintf(stderr, "%s: cannot enable the faultmem events: %s (module loaded?)\n",
			prog, strerror(errno));
		goto remove;
	}
	catch_stop_signals();
	snprintf(line, sizeof(line), "%s/trace_pipe", inst);
	pipe = fopen(line, "r");
	if (!pipe) {
		fprintf(stderr, "%s: %s: %s\n", prog, line, strerror(errno));
		goto remove;
	}
	fprintf(stderr, "tracing faultmem events%s%s (Ctrl-C to stop)\n",
		only ? " of " : "", only ? only : "");
	/* fgets returns NULL when a signal interrupts the read: then we stop. */
	while (!stop && (!count || seen < count) && fgets(line, sizeof(line), pipe))
		seen += decode(line, only);
	fclose(pipe);
	fprintf(stderr, "%" PRIu64 " events\n", seen);
	ret = 0;
remove:
	/* Removing the instance disables its events and frees its buffer. */
	if (rmdir(inst)) {
		fprintf(stderr, "%s: cannot remove %s: %s\n", prog, inst,
			strerror(errno));
		ret = 1;
	}
	return ret;
}

#define MAX_ORDER_SEEN 32

/*
 * What `faultmem run` counts from the events of one command and its
 * children. Every duration is kept, for the median. @map_dev (set for
 * --map) is the device whose grid is drawn: the page offsets of its
 * faults are kept in @faulted.
 */
struct profile {
	uint64_t faults, outcome[4], reads, writes, private_faults;
	uint64_t allocs[MAX_ORDER_SEEN];	/* new_page faults by folio order */
	struct numbers ns;
	uint64_t map_pages, map_pages_served, map_pages_offered;
	uint64_t resizes, punches;
	const char *map_dev;
	struct numbers faulted;
};

static const char *const outcomes[4] = { "new_page", "existing_page", "sigbus", "oom" };

/* One faultmem_fault event of device @dev into @p. */
static void profile_fault(struct profile *p, const char *dev,
			  unsigned long long pgoff, const char *rw,
			  const char *kind, const char *outcome,
			  unsigned long long ns, unsigned int order)
{
	int i;

	p->faults++;
	for (i = 0; i < 4; i++)
		p->outcome[i] += !strcmp(outcome, outcomes[i]);
	if (!strcmp(outcome, "new_page"))
		p->allocs[order < MAX_ORDER_SEEN ? order : MAX_ORDER_SEEN - 1]++;
	p->writes += !strcmp(rw, "write");
	p->reads += !strcmp(rw, "read");
	p->private_faults += !strcmp(kind, "private");
	numbers_add(&p->ns, ns);
	if (p->map_dev && !strcmp(dev, p->map_dev))
		numbers_add(&p->faulted, pgoff);
}

/*
 * One faultmem_map_pages event into @p: the window it offered, and
 * whether it served the fault (mapped the faulting page, so no
 * faultmem_fault follows: a fault on that page all the same).
 */
static void profile_map_pages(struct profile *p, const char *dev,
			      unsigned long long pgoff, unsigned long long first,
			      unsigned long long last, const char *mapped)
{
	int served = !strcmp(mapped, "mapped");

	p->map_pages++;
	p->map_pages_served += served;
	p->map_pages_offered += last - first + 1;
	if (served && p->map_dev && !strcmp(dev, p->map_dev))
		numbers_add(&p->faulted, pgoff);
}

/* Count one trace_pipe line into @p (events of @only_dev, or of all devices). */
static void profile_line(struct profile *p, const char *line, const char *only_dev)
{
	char dev[32], rw[8], kind[8], outcome[16], mapped[16];
	unsigned long long pgoff, addr, ns, a, b, c;
	unsigned int order;
	const char *ev;

	if ((ev = strstr(line, "faultmem_fault: ")) &&
	    scan_fault(ev, dev, &pgoff, &addr, rw, kind, outcome, &ns, &order) >= 7) {
		if (!only_dev || !strcmp(dev, only_dev))
			profile_fault(p, dev, pgoff, rw, kind, outcome, ns, order);
	} else if ((ev = strstr(line, "faultmem_map_pages: ")) &&
		   sscanf(ev, "faultmem_map_pages: %31s pgoff=%llu window=%llu-%llu %15s",
			  dev, &pgoff, &a, &b, mapped) == 5) {
		if (!only_dev || !strcmp(dev, only_dev))
			profile_map_pages(p, dev, pgoff, a, b, mapped);
	} else if ((ev = strstr(line, "faultmem_resize: ")) &&
		   sscanf(ev, "faultmem_resize: %31s old_size=%llu new_size=%llu pages_freed=%llu",
			  dev, &a, &b, &c) == 4) {
		if (!only_dev || !strcmp(dev, only_dev))
			p->resizes++;
	} else if ((ev = strstr(line, "faultmem_punch_hole: ")) &&
		   sscanf(ev, "faultmem_punch_hole: %31s offset=%llu length=%llu pages_freed=%llu",
			  dev, &a, &b, &c) == 4) {
		if (!only_dev || !strcmp(dev, only_dev))
			p->punches++;
	}
}

/*
 * Read what trace_pipe (non-blocking) holds now, line by line; a partial
 * line waits in @buf (@len bytes) for the rest.
 */
static void profile_drain(int pipe_fd, char *buf, size_t size, size_t *len,
			  struct profile *p, const char *only_dev)
{
	ssize_t n;
	char *nl;

	while ((n = read(pipe_fd, buf + *len, size - 1 - *len)) > 0) {
		*len += n;
		buf[*len] = '\0';
		while ((nl = strchr(buf, '\n'))) {
			*nl = '\0';
			profile_line(p, buf, only_dev);
			*len -= nl + 1 - buf;
			memmove(buf, nl + 1, *len + 1);
		}
		if (*len == size - 1)
			*len = 0;	/* a line longer than any event: drop it */
	}
}

/* One line of the profile, as perf stat prints it: name, then value. */
#define LINE(name, value) fprintf(stderr, "%-22s %12" PRIu64 "\n", name, (uint64_t)(value))

static int compare_numbers(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The fault handler's times: count, total, median, mean and max (sorts @ns). */
static void print_durations(struct numbers *ns)
{
	uint64_t total = 0, median = 0;
	size_t i, n = ns->n;

	if (n)
		qsort(ns->v, n, sizeof(*ns->v), compare_numbers);
	for (i = 0; i < n; i++)
		total += ns->v[i];
	/* An even count: the mean of the two middle ones. */
	if (n)
		median = n % 2 ? ns->v[n / 2] : (ns->v[n / 2 - 1] + ns->v[n / 2]) / 2;
	LINE("fault_ns_count", n);
	LINE("fault_ns_total", total);
	LINE("fault_ns_median", median);
	LINE("fault_ns_mean", n ? total / n : 0);
	LINE("fault_ns_max", n ? ns->v[n - 1] : 0);
}

/*
 * The new_page faults by the size of the folio allocated: always 4 KiB
 * (order 0) and 2 MiB, and any other size that occurred.
 */
static void print_allocs(const uint64_t *allocs)
{
	long page = sysconf(_SC_PAGESIZE);
	char name[32], size[32];
	unsigned int order;

	for (order = 0; order < MAX_ORDER_SEEN; order++) {
		if (!allocs[order] && order && (uint64_t)page << order != 2 << 20)
			continue;
		snprintf(name, sizeof(name), "alloc_%s",
			 folio_size(order, "", size, sizeof(size)));
		LINE(name, allocs[order]);
	}
}

static void print_profile(struct profile *p, char **command, double seconds)
{
	int i;

	fprintf(stderr, "\nfaultmem events of '%s", command[0]);
	for (i = 1; command[i]; i++)
		fprintf(stderr, " %s", command[i]);
	fprintf(stderr, "' and its children:\n\n");
	LINE("faults", p->faults);
	for (i = 0; i < 4; i++)
		LINE(outcomes[i], p->outcome[i]);
	LINE("read", p->reads);
	LINE("write", p->writes);
	LINE("private", p->private_faults);
	print_allocs(p->allocs);
	print_durations(&p->ns);
	LINE("fault_around", p->map_pages);
	LINE("fault_around_served", p->map_pages_served);
	LINE("fault_around_offered", p->map_pages_offered);
	LINE("resizes", p->resizes);
	LINE("holes_punched", p->punches);
	fprintf(stderr, "\n%.3f seconds elapsed\n", seconds);
}

/* Fork the command, held until @go is written to, so tracing starts first. */
static pid_t spawn_held(char **command, int go[2])
{
	pid_t pid = fork();
	char byte;

	if (pid)
		return pid;
	close(go[1]);
	if (read(go[0], &byte, 1) != 1)
		_exit(127);	/* the tool gave up: run nothing */
	close(go[0]);
	execvp(command[0], command);
	fprintf(stderr, "%s: run: %s: %s\n", prog, command[0], strerror(errno));
	_exit(127);
}

/* The command's wait status as an exit status, as the shell gives it. */
static int exit_status(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Set up the instance for @pid and its children; 0 or -1 after saying why. */
static int trace_pid(const char *inst, pid_t pid)
{
	char value[32];

	snprintf(value, sizeof(value), "%d", (int)pid);
	if (write_trace_file(inst, "set_event_pid", value) ||
	    write_trace_file(inst, "options/event-fork", "1")) {
		fprintf(stderr, "%s: run: cannot trace pid %s in %s: %s\n", prog,
			value, inst, strerror(errno));
		return -1;
	}
	if (write_trace_file(inst, "events/faultmem/enable", "1")) {
		fprintf(stderr, "%s: run: cannot enable the faultmem events: %s (module loaded?)\n",
			prog, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * faultmem run: like perf stat, for faultmem's events. A tracefs instance
 * of its own (as faultmem trace) whose set_event_pid holds the command's
 * pid, with event-fork so that its children are traced too: other
 * processes' faults are not counted. The command is held until tracing
 * is on, so its first fault is seen. Exit status: the command's (128 + N
 * for a signal), 127 if it could not be run, 1 or 2 for the tool's own
 * failures and usage errors.
 */
static int cmd_run(int argc, char **argv)
{
	const char *dir = tracefs(), *dev = NULL, *only = NULL;
	int i, go[2], status = 0, pipe_fd = -1, ret = 1, show_map = 0;
	char inst[256], name[256], map_name[256], path[512], buf[4096];
	struct profile prof = { 0 };
	struct sigaction ign;
	size_t len = 0;
	double start;
	pid_t pid;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (!strcmp(argv[i], "--map")) {
			show_map = 1;
		} else if (!strcmp(argv[i], "-d")) {
			const char *value = option_value("run", argc, argv, &i);

			if (!value || set_device("run", &dev, value))
				return EXIT_USAGE;
		} else {
			return usage_error("run: unknown option '%s'", argv[i]);
		}
	}
	if (i >= argc)
		return usage_error("run: need a COMMAND (faultmem run [-d DEV] [--map] -- COMMAND [ARGS...])");
	if (dev) {
		if (device_name(device_path(dev), name, sizeof(name)))
			return 1;
		only = name;
	}
	/* Without -d all devices count, but the map is of one: DEV or 0. */
	if (show_map) {
		if (device_name(device_path(dev), map_name, sizeof(map_name)))
			return 1;
		prof.map_dev = map_name;
	}
	if (!dir) {
		fprintf(stderr, "%s: tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing)\n", prog);
		return 1;
	}
	snprintf(inst, sizeof(inst), "%s/instances/faultmem-run-%d", dir, (int)getpid());
	if (mkdir(inst, 0700)) {
		fprintf(stderr, "%s: cannot create the trace instance %s: %s (root needed)\n",
			prog, inst, strerror(errno));
		return 1;
	}
	if (pipe(go))
		goto remove;
	pid = spawn_held(argv + i, go);
	close(go[0]);
	if (pid < 0)
		goto remove;
	/* Ctrl-C is for the command; the profile is printed when it ends. */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGINT, &ign, NULL);
	sigaction(SIGQUIT, &ign, NULL);
	snprintf(path, sizeof(path), "%s/trace_pipe", inst);
	if (trace_pid(inst, pid) || (pipe_fd = open(path, O_RDONLY | O_NONBLOCK)) < 0) {
		close(go[1]);	/* the command exits without running */
		waitpid(pid, NULL, 0);
		goto remove;
	}
	fprintf(stderr, "profiling faultmem events of pid %d\n", (int)pid);
	start = now_seconds();
	if (write(go[1], "g", 1) != 1)
		fprintf(stderr, "%s: run: cannot start the command: %s\n", prog, strerror(errno));
	close(go[1]);
	while (waitpid(pid, &status, WNOHANG) == 0) {
		profile_drain(pipe_fd, buf, sizeof(buf), &len, &prof, only);
		usleep(20000);
	}
	write_trace_file(inst, "events/faultmem/enable", "0");
	profile_drain(pipe_fd, buf, sizeof(buf), &len, &prof, only);
	print_profile(&prof, argv + i, now_seconds() - start);
	ret = exit_status(status);
	if (show_map) {
		struct glyphs g = grid_glyphs(!utf8_output());
		int fd = open_device(dev, O_RDONLY);

		fflush(stdout);
		if (fd < 0 || draw_map(fd, dev, 64, &g, &prof.faulted))
			ret = ret ? ret : 1;
		if (fd >= 0)
			close(fd);
	}
remove:
	if (pipe_fd >= 0)
		close(pipe_fd);
	free(prof.ns.v);
	free(prof.faulted.v);
	if (rmdir(inst)) {
		fprintf(stderr, "%s: cannot remove %s: %s\n", prog, inst, strerror(errno));
		ret = ret ? ret : 1;
	}
	return ret;
}

static sigjmp_buf touch_jump;

static void on_touch_signal(int sig)
{
	siglongjmp(touch_jump, sig);
}

/*
 * The pages to touch, argv[0..n), parsed into @pages; the largest in
 * @max. A page whose end is past the largest offset a mapping can have
 * (off_t, and the size of the whole mapping in size_t) is a usage error:
 * (max + 1) * page_size would wrap, and the wrapped mapping would touch
 * another page than the one asked for.
 */
static int parse_pages(char **argv, int n, long page, uint64_t *pages,
		       uint64_t *max)
{
	uint64_t limit = (uint64_t)INT64_MAX / page - 1;
	int i;

	if ((uint64_t)SIZE_MAX / page - 1 < limit)
		limit = (uint64_t)SIZE_MAX / page - 1;
	*max = 0;
	for (i = 0; i < n; i++) {
		if (parse_uint(argv[i], UINT64_MAX, &pages[i]))
			return usage_error("touch: '%s' is not a page number", argv[i]);
		if (pages[i] > limit)
			return usage_error("touch: page '%s' is beyond the largest offset a mapping can reach (page %" PRIu64 ")",
					   argv[i], limit);
		if (pages[i] > *max)
			*max = pages[i];
	}
	return 0;
}

/*
 * Fault one page in for writing without changing a byte of it, as a store
 * would: MADV_POPULATE_WRITE (Linux 5.14) takes the same write fault a
 * store takes when the page is not mapped writable, and none when it is.
 * A store of the byte read ("*addr = *addr") would fault as a read first
 * and could undo another process's write in between. A locked OR of zero
 * is one write access on hardware, but QEMU's single-threaded TCG
 * emulates it as a load then a store, so it faulted as a read there.
 * Beyond the end of the device the fault handler's VM_FAULT_SIGBUS comes
 * back as EFAULT instead of the signal.
 *
 * Return: 0, SIGBUS beyond the end, -1 (reported) on any other error.
 */
static int write_fault(volatile char *addr, long page)
{
	if (!madvise((void *)addr, page, MADV_POPULATE_WRITE))
		return 0;
	if (errno == EFAULT)
		return SIGBUS;
	fprintf(stderr, "%s: madvise(MADV_POPULATE_WRITE): %s\n", prog,
		strerror(errno));
	return -1;
}

static int cmd_touch(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE);
	volatile int write_access = 1, failed = 0;
	int first = 1, fd, i, sig, n;
	uint64_t max_page, *pages;
	struct sigaction sa;
	char *map;
	size_t len;

	if (argc > 1 && !strcmp(argv[1], "-r")) {
		write_access = 0;
		first = 2;
	}
	if (argc < first + 2)
		return usage_error("touch: need DEVICE and at least one PAGE");
	n = argc - first - 1;
	pages = calloc(n, sizeof(*pages));
	if (!pages)
		return 1;
	if (parse_pages(argv + first + 1, n, page, pages, &max_page)) {
		free(pages);
		return EXIT_USAGE;
	}
	fd = open_device(argv[first], write_access ? O_RDWR : O_RDONLY);
	if (fd < 0)
		return 1;
	/* Like a file: the mapping may extend past the end of the device. */
	len = (max_page + 1) * page;
	map = mmap(NULL, len, write_access ? PROT_READ | PROT_WRITE : PROT_READ,
		   MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		fprintf(stderr, "%s: mmap of %zu bytes: %s\n", prog, len, strerror(errno));
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_touch_signal;
	sigaction(SIGBUS, &sa, NULL);
	for (i = 0; i < n; i++) {
		volatile char *addr = map + pages[i] * page;
		const char *arg = argv[first + 1 + i];

		sig = sigsetjmp(touch_jump, 1);
		if (!sig && write_access)
			sig = write_fault(addr, page);
		else if (!sig)
			(void)*addr;
		if (!sig)
			printf("page %s: %s\n", arg, write_access ? "written" : "read");
		else if (sig == SIGBUS)
			printf("page %s: SIGBUS (beyond the end of the device)\n", arg);
		if (sig)
			failed = 1;
	}
	munmap(map, len);
	close(fd);
	free(pages);
	return failed;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int argc, char **argv);
	} commands[] = {
		{ "info", cmd_info }, { "resize", cmd_resize },
		{ "punch", cmd_punch }, { "stat", cmd_stat },
		{ "map", cmd_map }, { "trace", cmd_trace },
		{ "touch", cmd_touch }, { "run", cmd_run },
	};
	unsigned int i;

	if (argc < 2)
		return usage(stderr), EXIT_USAGE;
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		if (argc > 2 && (!strcmp(argv[2], "-h") || !strcmp(argv[2], "--help"))) {
			usage(stdout);
			return 0;
		}
		return commands[i].run(argc - 1, argv + 1);
	}
	return usage_error("unknown command '%s'", argv[1]);
}
