// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultmem: command-line tool for /dev/faultmemN.
 *
 *   faultmem info   [DEVICE]               size, residency, counters
 *   faultmem resize DEVICE SIZE            set the size (K/M/G suffixes)
 *   faultmem punch  DEVICE OFFSET LENGTH   free a page-aligned range
 *   faultmem stat   [-w] [-i SEC] [DEVICE] counters (-w: refresh)
 *   faultmem map    [--ascii] [--width N] [DEVICE]  residency map
 *   faultmem trace  [-n COUNT] [DEVICE]    stream decoded fault events
 *   faultmem touch  [-r] DEVICE PAGE...    map the device and touch pages
 *
 * DEVICE is a path or a number (3 means /dev/faultmem3); default 0.
 * Exit status: 0 success, 1 failure, 2 bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
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
		"  stat   [-w] [-i SEC] [DEVICE]   counters; -w refreshes every SEC (1) seconds\n"
		"  map    [--ascii] [--width N] [DEVICE]\n"
		"                                  which pages are resident, as a grid\n"
		"  trace  [-n COUNT] [DEVICE]      stream the fault handler's events (needs root\n"
		"                                  and tracefs); stops after COUNT events or Ctrl-C\n"
		"  touch  [-r] DEVICE PAGE...      map the device and write (-r: read) one byte of\n"
		"                                  each page, reporting SIGBUS past the end\n"
		"\n"
		"DEVICE is a path or a number (3 means /dev/faultmem3); the default is 0.\n",
		prog);
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry '%s --help'.\n", prog);
	return EXIT_USAGE;
}

static const char *device_path(const char *arg)
{
	static char path[64];
	char *end;
	long n;

	if (!arg)
		arg = "0";
	n = strtol(arg, &end, 10);
	if (*arg && !*end && n >= 0) {
		snprintf(path, sizeof(path), "/dev/faultmem%ld", n);
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

/* Bytes with an optional K/M/G suffix (powers of 1024), as the module takes. */
static int parse_bytes(const char *s, uint64_t *out)
{
	unsigned int shift = 0;
	char *end;
	uint64_t v;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
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
		return usage_error("resize: need DEVICE and SIZE%s", "");
	if (parse_bytes(argv[2], &size))
		return usage_error("resize: '%s' is not a size (bytes, or with K/M/G)", argv[2]);
	fd = open_device(argv[1], O_RDWR);
	if (fd < 0)
		return 1;
	if (ioctl(fd, FAULTMEM_IOC_SET_SIZE, &size)) {
		fprintf(stderr, "%s: resize to %" PRIu64 ": %s%s\n", prog, size,
			strerror(errno),
			errno == EINVAL ? " (sizes are page multiples)" :
			errno == EFBIG ? " (above the device's max_size)" :
			errno == ENOSPC ? " (above the module's max_total_size)" : "");
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
		return usage_error("punch: need DEVICE OFFSET LENGTH%s", "");
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
			errno == EINVAL ? " (offset and length must be page multiples inside the device)" : "");
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

/* One counter: its value, and with -w its rate since the last refresh. */
static void print_row(const char *name, uint64_t now, uint64_t before,
		      int with_rate, int interval)
{
	char rate[32] = "";

	if (with_rate)
		snprintf(rate, sizeof(rate), "%.0f",
			 (double)(now - before) / interval);
	printf("%-22s %12" PRIu64 " %10s\n", name, now, rate);
}

static int cmd_stat(int argc, char **argv)
{
	struct faultmem_stats s, prev;
	const char *dev = NULL;
	int watch = 0, interval = 1, fd, i, first = 1;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-w"))
			watch = 1;
		else if (!strcmp(argv[i], "-i") && i + 1 < argc)
			interval = atoi(argv[++i]);
		else if (argv[i][0] == '-')
			return usage_error("stat: unknown option '%s'", argv[i]);
		else
			dev = argv[i];
	}
	if (interval < 1)
		return usage_error("stat: the interval must be a whole number of seconds >= 1%s", "");
	fd = open_device(dev, O_RDONLY);
	if (fd < 0)
		return 1;
	catch_stop_signals();
	do {
		if (get_stats(fd, &s))
			return 1;
		if (watch)
			printf("\033[H\033[2J%s, every %d s (Ctrl-C to stop)\n\n",
			       device_path(dev), interval);
		printf("%-22s %12s %10s\n", "counter", "value", watch ? "per s" : "");
#define ROW(name, field)						\
		print_row(name, s.field, prev.field, watch && !first, interval)
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
		fflush(stdout);
		prev = s;
		first = 0;
		if (watch)
			sleep(interval);
	} while (watch && !stop);
	close(fd);
	return 0;
}

static int cmd_map(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE);
	const char *dev = NULL, *lang = getenv("LANG");
	int ascii = !(lang && strstr(lang, "UTF-8")), width = 64, fd, i;
	const char *full, *part, *none;
	struct faultmem_residency res;
	uint64_t pages, per_cell, cells, c, resident = 0;
	uint8_t *bits;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--ascii"))
			ascii = 1;
		else if (!strcmp(argv[i], "--width") && i + 1 < argc)
			width = atoi(argv[++i]);
		else if (argv[i][0] == '-')
			return usage_error("map: unknown option '%s'", argv[i]);
		else
			dev = argv[i];
	}
	if (width < 8 || width > 512)
		return usage_error("map: --width must be 8 to 512%s", "");
	full = ascii ? "#" : "\u2588";
	part = ascii ? "+" : "\u2592";
	none = ascii ? "." : "\u00b7";

	fd = open_device(dev, O_RDONLY);
	if (fd < 0)
		return 1;
	pages = lseek(fd, 0, SEEK_END) / page;
	if (!pages) {
		printf("%s: size 0, nothing to map\n", device_path(dev));
		return 0;
	}
	/* At most 32 rows: several pages per cell for large devices. */
	per_cell = (pages + (uint64_t)width * 32 - 1) / ((uint64_t)width * 32);
	cells = (pages + per_cell - 1) / per_cell;
	bits = calloc(1, (pages + 7) / 8);
	if (!bits)
		return 1;
	for (uint64_t first = 0; first < pages; first += FAULTMEM_RESIDENCY_MAX_PAGES) {
		memset(&res, 0, sizeof(res));
		res.first_page = first;
		res.nr_pages = pages - first < FAULTMEM_RESIDENCY_MAX_PAGES ?
			       pages - first : FAULTMEM_RESIDENCY_MAX_PAGES;
		res.bitmap = (uintptr_t)(bits + first / 8);
		if (ioctl(fd, FAULTMEM_IOC_GET_RESIDENCY, &res)) {
			fprintf(stderr, "%s: FAULTMEM_IOC_GET_RESIDENCY: %s\n", prog,
				strerror(errno));
			return 1;
		}
		resident += res.resident;
	}

	printf("%s: %" PRIu64 " pages, one cell = %" PRIu64 " page%s\n",
	       device_path(dev), pages, per_cell, per_cell > 1 ? "s" : "");
	for (c = 0; c < cells; c++) {
		uint64_t p, n = 0, in = 0;

		for (p = c * per_cell; p < (c + 1) * per_cell && p < pages; p++, in++)
			n += bits[p / 8] >> (p % 8) & 1;
		if (c % (uint64_t)width == 0)
			printf("%8" PRIu64 " ", c * per_cell);
		fputs(n == in ? full : n ? part : none, stdout);
		if (c % (uint64_t)width == (uint64_t)width - 1 || c == cells - 1)
			putchar('\n');
	}
	printf("legend: %s resident  %s partly resident  %s not resident\n",
	       full, part, none);
	printf("%" PRIu64 " of %" PRIu64 " pages resident (%.1f%%), %" PRIu64 " KiB\n",
	       resident, pages, 100.0 * resident / pages, resident * page / 1024);
	free(bits);
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

/* Print one trace_pipe line as a readable sentence; 1 if it was an event. */
static int decode(const char *line, const char *only_dev)
{
	char dev[32], rw[8], kind[8], outcome[16], mapped[16];
	unsigned long long pgoff, addr, ns, old, new, freed, off, len, first, last;
	const char *ev;

	if ((ev = strstr(line, "faultmem_fault: ")) &&
	    sscanf(ev, "faultmem_fault: %31s pgoff=%llu address=0x%llx %7s %7s outcome=%15s duration_ns=%llu",
		   dev, &pgoff, &addr, rw, kind, outcome, &ns) == 7) {
		if (only_dev && strcmp(dev, only_dev))
			return 0;
		printf("%-10s fault  page %-8llu at 0x%012llx  %-5s %-7s -> %-13s %6llu ns\n",
		       dev, pgoff, addr, rw, kind, outcome, ns);
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
	const char *dir = tracefs(), *dev_arg = NULL, *only = NULL;
	long count = -1, seen = 0;
	char line[1024], inst[256], *name;
	FILE *pipe;
	int i, ret = 1;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			count = atol(argv[++i]);
		else if (argv[i][0] == '-')
			return usage_error("trace: unknown option '%s'", argv[i]);
		else
			dev_arg = argv[i];
	}
	if (dev_arg) {
		name = strrchr(device_path(dev_arg), '/');
		only = name ? name + 1 : device_path(dev_arg);
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
	while (!stop && (count < 0 || seen < count) && fgets(line, sizeof(line), pipe))
		seen += decode(line, only);
	fclose(pipe);
	fprintf(stderr, "%ld events\n", seen);
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

static sigjmp_buf touch_jump;

static void on_touch_signal(int sig)
{
	siglongjmp(touch_jump, sig);
}

static int cmd_touch(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE);
	volatile int write_access = 1, failed = 0;
	int first = 1, fd, i, sig;
	uint64_t max_page = 0, p;
	struct sigaction sa;
	char *map, *end;
	size_t len;

	if (argc > 1 && !strcmp(argv[1], "-r")) {
		write_access = 0;
		first = 2;
	}
	if (argc < first + 2)
		return usage_error("touch: need DEVICE and at least one PAGE%s", "");
	for (i = first + 1; i < argc; i++) {
		errno = 0;
		p = strtoull(argv[i], &end, 10);
		if (errno || *end || argv[i][0] == '-')
			return usage_error("touch: '%s' is not a page number", argv[i]);
		if (p > max_page)
			max_page = p;
	}
	fd = open_device(argv[first], write_access ? O_RDWR : O_RDONLY);
	if (fd < 0)
		return 1;
	/* Like a file: the mapping may extend past the end of the device. */
	len = (max_page + 1) * page;
	map = mmap(NULL, len, write_access ? PROT_READ | PROT_WRITE : PROT_READ,
		   MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		fprintf(stderr, "%s: mmap: %s\n", prog, strerror(errno));
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_touch_signal;
	sigaction(SIGBUS, &sa, NULL);
	for (i = first + 1; i < argc; i++) {
		volatile char *addr = map + strtoull(argv[i], NULL, 10) * page;

		sig = sigsetjmp(touch_jump, 1);
		if (!sig) {
			/*
			 * A locked OR of zero is one write access that changes
			 * nothing; "*addr = *addr" would fault as a read first.
			 * (QEMU's single-threaded TCG emulates the locked OR
			 * as a load and a store: there it faults as a read.)
			 */
			if (write_access)
				__atomic_fetch_or((char *)addr, 0, __ATOMIC_RELAXED);
			else
				(void)*addr;
			printf("page %s: %s\n", argv[i], write_access ? "written" : "read");
		} else {
			printf("page %s: SIGBUS (beyond the end of the device)\n", argv[i]);
			failed = 1;
		}
	}
	munmap(map, len);
	close(fd);
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
		{ "touch", cmd_touch },
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
