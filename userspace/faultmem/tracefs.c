// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultmem trace and run: the tracefs instance each records the faultmem
 * events into (instances/faultmem-WHAT-PID), and reading them from its
 * per-CPU ring buffers (per_cpu/cpuN/trace_pipe_raw), merged in time
 * order, decoded by events.c.
 */
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace.h"

/* How many pages a round reads from each CPU at most, then sorts. */
#define PAGES_PER_ROUND 4

/* Where tracefs is mounted, or NULL. */
static const char *tracefs(void)
{
	if (!access("/sys/kernel/tracing/events", F_OK))
		return "/sys/kernel/tracing";
	if (!access("/sys/kernel/debug/tracing/events", F_OK))
		return "/sys/kernel/debug/tracing";
	return NULL;
}

/* Write @value to the instance's file @name: 0, or -1 with errno set. */
static int instance_write(const struct trace_instance *ti, const char *name,
			  const char *value)
{
	char path[512];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", ti->dir, name);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0 || write(fd, value, strlen(value)) < 0)
		ret = -1;
	if (fd >= 0)
		close(fd);
	return ret;
}

/*
 * Create instances/faultmem-@what-PID and read the layout of its events:
 * 0, or -1 after saying why. An instance of its own shows the tool only
 * the events recorded since it started, leaves alone whatever trace-cmd,
 * perf or another faultmem have set up, and its removal turns its events
 * off and frees its buffer. Only SIGKILL leaves it behind; rmdir it by
 * hand.
 */
int instance_create(struct trace_instance *ti, const char *what)
{
	const char *root = tracefs();

	memset(ti, 0, sizeof(*ti));
	if (!root) {
		warnx("tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing)");
		return -1;
	}
	snprintf(ti->dir, sizeof(ti->dir), "%s/instances/faultmem-%s-%d", root,
		 what, (int)getpid());
	if (mkdir(ti->dir, 0700)) {
		warnx("cannot create the trace instance %s: %s (root needed)",
		      ti->dir, strerror(errno));
		ti->dir[0] = '\0';
		return -1;
	}
	ti->formats = load_event_formats(ti->dir);
	if (!ti->formats) {
		instance_remove(ti);
		return -1;
	}
	return 0;
}

/* Record only process @pid and, with event-fork, its children: 0 or -1. */
int instance_follow_pid(const struct trace_instance *ti, int pid)
{
	char value[32];

	snprintf(value, sizeof(value), "%d", pid);
	if (instance_write(ti, "set_event_pid", value) ||
	    instance_write(ti, "options/event-fork", "1")) {
		warnx("cannot trace pid %s in %s: %s", value, ti->dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* Open the per_cpu/cpuN/trace_pipe_raw of every CPU the instance has. */
static int open_cpu_buffers(struct trace_instance *ti)
{
	char path[512];
	struct dirent *d;
	unsigned int cpu;
	DIR *dir;
	int fd;

	snprintf(path, sizeof(path), "%s/per_cpu", ti->dir);
	dir = opendir(path);
	if (!dir) {
		warn("%s", path);
		return -1;
	}
	while ((d = readdir(dir))) {
		if (sscanf(d->d_name, "cpu%u", &cpu) != 1)
			continue;
		snprintf(path, sizeof(path), "%s/per_cpu/cpu%u/trace_pipe_raw",
			 ti->dir, cpu);
		fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0) {
			warn("%s", path);
			break;
		}
		ti->cpu_fd = realloc(ti->cpu_fd, (ti->nr_cpus + 1) * sizeof(int));
		if (!ti->cpu_fd)
			err(1, "trace buffers");
		ti->cpu_fd[ti->nr_cpus++] = fd;
	}
	closedir(dir);
	return d || !ti->nr_cpus ? -1 : 0;
}

/*
 * Open the instance's buffers and turn its faultmem events on: 0, or -1
 * after saying why. buffer_percent 0 makes poll() report a buffer as soon
 * as it holds an event, not once it is half full (the default for
 * trace_pipe_raw since 6.2).
 */
int instance_start(struct trace_instance *ti)
{
	instance_write(ti, "buffer_percent", "0");
	if (open_cpu_buffers(ti))
		return -1;
	ti->pages = malloc(ti->nr_cpus * PAGES_PER_ROUND * ring_page_size(ti->formats));
	ti->pfd = calloc(ti->nr_cpus + 1, sizeof(*ti->pfd));
	if (!ti->pages || !ti->pfd)
		err(1, "trace buffers");
	if (instance_write(ti, "events/faultmem/enable", "1")) {
		warnx("cannot enable the faultmem events: %s (module loaded?)",
		      strerror(errno));
		return -1;
	}
	return 0;
}

/* Turn the instance's events off: what its buffers hold can still be read. */
void instance_stop(const struct trace_instance *ti)
{
	instance_write(ti, "events/faultmem/enable", "0");
}

/*
 * Wait until a buffer holds events or @other_fd (-1: none) is readable,
 * with the signal mask @mask meanwhile (NULL: the current one), so that a
 * signal it unblocks cannot slip in between a check and the wait.
 * Returns 1 if @other_fd is readable, 0 for events, -1 with errno set:
 * EINTR for a signal, EIO for a buffer in error.
 */
int instance_wait(const struct trace_instance *ti, int other_fd,
		  const sigset_t *mask)
{
	struct pollfd *pfd = ti->pfd;
	unsigned int i;

	for (i = 0; i <= ti->nr_cpus; i++) {
		pfd[i].fd = i < ti->nr_cpus ? ti->cpu_fd[i] : other_fd;
		pfd[i].events = POLLIN;
		pfd[i].revents = 0;
	}
	if (ppoll(pfd, ti->nr_cpus + 1, NULL, mask) < 0)
		return -1;
	for (i = 0; i < ti->nr_cpus; i++) {
		if (pfd[i].revents & (POLLERR | POLLHUP | POLLNVAL)) {
			errno = EIO;
			return -1;
		}
	}
	return pfd[ti->nr_cpus].revents ? 1 : 0;
}

/* A record read in a round, with what orders it among the CPUs'. */
struct stamped {
	uint64_t ts;
	size_t seq;
	const unsigned char *rec;
	size_t len;
};

/* The records of one round. */
struct round {
	struct stamped *v;
	size_t n, cap;
};

static void collect(const unsigned char *rec, size_t len, uint64_t ts, void *arg)
{
	struct round *r = arg;

	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 256;
		r->v = realloc(r->v, r->cap * sizeof(*r->v));
		if (!r->v)
			err(1, "trace records");
	}
	r->v[r->n] = (struct stamped){ ts, r->n, rec, len };
	r->n++;
}

static int by_time(const void *a, const void *b)
{
	const struct stamped *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * Read up to PAGES_PER_ROUND pages of each CPU's buffer into @r: 1 if a
 * CPU may hold more, 0 if all are empty, -1 after saying why.
 */
static int read_round(const struct trace_instance *ti, struct round *r)
{
	size_t page = ring_page_size(ti->formats);
	unsigned int cpu, i;
	unsigned char *buf;
	int more = 0;
	ssize_t n;

	for (cpu = 0; cpu < ti->nr_cpus; cpu++) {
		for (i = 0; i < PAGES_PER_ROUND; i++) {
			buf = ti->pages + ((size_t)cpu * PAGES_PER_ROUND + i) * page;
			n = read(ti->cpu_fd[cpu], buf, page);
			if (n < 0 && errno != EAGAIN) {
				warn("%s: trace_pipe_raw", ti->dir);
				return -1;
			}
			if (n <= 0)
				break;
			for_each_record(ti->formats, buf, collect, r);
		}
		more |= i == PAGES_PER_ROUND;
	}
	return more;
}

/*
 * Hand every event the buffers hold now to @fn, in time order (each CPU
 * has a buffer of its own). Returns what @fn returned when it stopped,
 * 0 once the buffers are empty, or -1 after saying why.
 */
int instance_read(const struct trace_instance *ti, event_fn fn, void *arg)
{
	struct round r = { 0 };
	struct fm_event ev;
	int more, ret = 0;
	size_t i;

	do {
		r.n = 0;
		more = read_round(ti, &r);
		qsort(r.v, r.n, sizeof(*r.v), by_time);
		for (i = 0; i < r.n && !ret; i++)
			if (!decode_record(ti->formats, r.v[i].rec, r.v[i].len, &ev))
				ret = fn(&ev, arg);
	} while (!ret && more > 0);
	free(r.v);
	return more < 0 ? -1 : ret;
}

/*
 * Close the buffers and remove the instance, which disables its events
 * and frees its buffer: 0, or -1 after saying why.
 */
int instance_remove(struct trace_instance *ti)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < ti->nr_cpus; i++)
		close(ti->cpu_fd[i]);
	free(ti->cpu_fd);
	free(ti->pages);
	free(ti->pfd);
	free(ti->formats);
	if (ti->dir[0] && rmdir(ti->dir)) {
		warn("cannot remove %s", ti->dir);
		ret = -1;
	}
	memset(ti, 0, sizeof(*ti));
	return ret;
}
