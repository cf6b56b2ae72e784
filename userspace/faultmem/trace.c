// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultmem trace: the fault handler's events from tracefs, one readable
 * line each; and the tracefs and event-parsing helpers faultmem run
 * shares.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
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

/**
 * read_trace_lines() - hand each whole line a trace_pipe holds to @fn
 * @fd:		the trace_pipe, opened O_NONBLOCK
 * @buf:	where a partial line waits for its rest between calls
 * @size:	the size of @buf
 * @len:	how many bytes of @buf hold that partial line
 * @fn:		called with each line (without its newline); non-zero stops
 * @arg:	passed to @fn
 *
 * Return: what @fn returned when it stopped, or 0 once the pipe is empty.
 */
int read_trace_lines(int fd, char *buf, size_t size, size_t *len,
		     int (*fn)(const char *line, void *arg), void *arg)
{
	ssize_t n;
	char *nl;
	int ret;

	while ((n = read(fd, buf + *len, size - 1 - *len)) > 0) {
		*len += n;
		buf[*len] = '\0';
		while ((nl = strchr(buf, '\n'))) {
			*nl = '\0';
			ret = fn(buf, arg);
			*len -= nl + 1 - buf;
			memmove(buf, nl + 1, *len + 1);
			if (ret)
				return ret;
		}
		if (*len == size - 1)
			*len = 0;	/* a line longer than any event: drop it */
	}
	return 0;
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

/*
 * 1 if a fault with @outcome had a folio (sigbus, oom, the injected
 * failures and a delay's retry have none: order 0).
 */
static int has_folio(const char *outcome)
{
	return !strcmp(outcome, "new_page") || !strcmp(outcome, "existing_page") ||
	       !strcmp(outcome, "delayed");
}

/*
 * The faultmem_fault event's line from @ev on: 8 when every field was
 * read. Kernels with a module older than order= give 7 (*@order then 0).
 */
int scan_fault(const char *ev, char dev[32], unsigned long long *pgoff,
	       unsigned long long *addr, char rw[8], char kind[8],
	       char outcome[32], unsigned long long *ns,
	       unsigned int *order)
{
	*order = 0;
	return sscanf(ev, "faultmem_fault: %31s pgoff=%llu address=0x%llx %7s %7s outcome=%31s duration_ns=%llu order=%u",
		      dev, pgoff, addr, rw, kind, outcome, ns, order);
}

/* Print one trace_pipe line as a readable sentence; 1 if it was an event. */
static int decode(const char *line, const char *only_dev)
{
	char dev[32], rw[8], kind[8], outcome[32], mapped[16], size[32];
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

/* What faultmem trace shows, and how many events it has shown. */
struct tracer {
	const char *only_dev;	/* NULL: every device */
	uint64_t count;		/* stop after this many; 0: until Ctrl-C */
	uint64_t seen;
};

static int tracer_line(const char *line, void *arg)
{
	struct tracer *t = arg;

	t->seen += decode(line, t->only_dev);
	return t->count && t->seen >= t->count;
}

/*
 * Wait for the trace_pipe @fd and decode what it holds, until @t has its
 * count or a stop signal came. The stop signals stay blocked except
 * inside ppoll(), which unblocks them atomically while it waits: a
 * Ctrl-C that arrives between a check of the stop flag and the wait is
 * taken by that wait, not lost until the next event (with a blocking
 * read it was). They are unblocked there even if the tool was started
 * with them blocked, since it promises to stop on Ctrl-C.
 */
static void trace_until_stopped(int fd, struct tracer *t)
{
	sigset_t stops, saved, waiting;
	char buf[4096];
	size_t len = 0;

	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGHUP);
	sigprocmask(SIG_BLOCK, &stops, &saved);
	waiting = saved;
	sigdelset(&waiting, SIGINT);
	sigdelset(&waiting, SIGTERM);
	sigdelset(&waiting, SIGHUP);
	while (!stop) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (ppoll(&pfd, 1, NULL, &waiting) < 0) {
			if (errno == EINTR)
				continue;	/* stop is set */
			break;
		}
		if (read_trace_lines(fd, buf, sizeof(buf), &len, tracer_line, t) ||
		    (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)))
			break;
	}
	sigprocmask(SIG_SETMASK, &saved, NULL);
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
	const char *dir = tracefs(), *dev_arg = NULL, *value;
	char path[512], inst[256], name[256];
	struct tracer t = { 0 };
	int i, fd, ret = 1;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n")) {
			value = option_value("trace", argc, argv, &i);
			if (!value)
				return EXIT_USAGE;
			if (parse_uint(value, MAX_COUNT, &t.count) || !t.count)
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
		t.only_dev = name;
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
	snprintf(path, sizeof(path), "%s/trace_pipe", inst);
	fd = open(path, O_RDONLY | O_NONBLOCK);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		goto remove;
	}
	fprintf(stderr, "tracing faultmem events%s%s (Ctrl-C to stop)\n",
		t.only_dev ? " of " : "", t.only_dev ? t.only_dev : "");
	trace_until_stopped(fd, &t);
	close(fd);
	fprintf(stderr, "%" PRIu64 " events\n", t.seen);
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
