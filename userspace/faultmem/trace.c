// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultmem trace: the fault handler's events from tracefs, one readable
 * line each; and the tracefs and event-parsing helpers faultmem run
 * shares.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "trace.h"
#include "watch.h"

const char *tracefs(void)
{
	if (!access("/sys/kernel/tracing/events", F_OK))
		return "/sys/kernel/tracing";
	if (!access("/sys/kernel/debug/tracing/events", F_OK))
		return "/sys/kernel/debug/tracing";
	return NULL;
}

int write_trace_file(const char *dir, const char *name, const char *value)
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
const char *folio_size(unsigned int order, const char *sep, char *buf,
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
int scan_fault(const char *ev, char dev[32], unsigned long long *pgoff,
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
int cmd_trace(int argc, char **argv)
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
