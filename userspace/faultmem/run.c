// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultmem run: run one command and count its (and its children's)
 * faultmem events, like perf stat; --map: the map after, the pages it
 * faulted on marked; --inject: fault-injection rules for its processes
 * while it runs.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <faultmem.h>

#include "cli.h"
#include "commands.h"
#include "map.h"
#include "trace.h"
#include "watch.h"

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

#define MAX_ORDER_SEEN 32

/*
 * The faultmem_fault event's outcomes; those after the first four come
 * from fault-injection rules and are printed only when they happened.
 */
#define NR_OUTCOMES	9
#define NR_PLAIN_OUTCOMES	4
static const char *const outcomes[NR_OUTCOMES] = {
	"new_page", "existing_page", "sigbus", "oom", "injected_sigbus",
	"injected_hwpoison", "injected_nospace", "delayed", "delayed_retry",
};

/*
 * What `faultmem run` counts from the events of one command and its
 * children. Every duration is kept, for the median. @map_dev (set for
 * --map) is the device whose grid is drawn: the page offsets of its
 * faults are kept in @faulted.
 */
struct profile {
	uint64_t faults, outcome[NR_OUTCOMES], reads, writes, private_faults;
	uint64_t allocs[MAX_ORDER_SEEN];	/* new_page faults by folio order */
	struct numbers ns;
	uint64_t map_pages, map_pages_served, map_pages_offered;
	uint64_t resizes, punches;
	const char *map_dev;
	struct numbers faulted;
	uint64_t injected[4];	/* --inject: the device's injected_* counters' rise */
};


/* One faultmem_fault event of device @dev into @p. */
static void profile_fault(struct profile *p, const char *dev,
			  unsigned long long pgoff, const char *rw,
			  const char *kind, const char *outcome,
			  unsigned long long ns, unsigned int order)
{
	int i;

	p->faults++;
	for (i = 0; i < NR_OUTCOMES; i++)
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
	char dev[32], rw[8], kind[8], outcome[32], mapped[16];
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

/* What profile_drain() hands each trace_pipe line to. */
struct profile_reader {
	struct profile *profile;
	const char *only_dev;
};

static int profile_reader_line(const char *line, void *arg)
{
	struct profile_reader *r = arg;

	profile_line(r->profile, line, r->only_dev);
	return 0;
}

/*
 * Read what trace_pipe (non-blocking) holds now, line by line; a partial
 * line waits in @buf (@len bytes) for the rest.
 */
static void profile_drain(int pipe_fd, char *buf, size_t size, size_t *len,
			  struct profile *p, const char *only_dev)
{
	struct profile_reader r = { p, only_dev };

	read_trace_lines(pipe_fd, buf, size, len, profile_reader_line, &r);
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

/* The injected counters that rose, on one line: "  injected: sigbus 3, delays 2". */
static void print_injected(const uint64_t *injected)
{
	static const char *const names[4] = { "sigbus", "hwpoison", "nospace", "delays" };
	const char *sep = "  injected: ";
	int i;

	for (i = 0; i < 4; i++) {
		if (!injected[i])
			continue;
		fprintf(stderr, "%s%s %" PRIu64, sep, names[i], injected[i]);
		sep = ", ";
	}
	if (*sep == ',')
		fputc('\n', stderr);
}

static void print_profile(struct profile *p, char **command, double seconds)
{
	int i;

	fprintf(stderr, "\nfaultmem events of '%s", command[0]);
	for (i = 1; command[i]; i++)
		fprintf(stderr, " %s", command[i]);
	fprintf(stderr, "' and its children:\n\n");
	LINE("faults", p->faults);
	for (i = 0; i < NR_OUTCOMES; i++)
		if (i < NR_PLAIN_OUTCOMES || p->outcome[i])
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
	print_injected(p->injected);
	fprintf(stderr, "\n%.3f seconds elapsed\n", seconds);
}

/* The command, to which SIGTERM and SIGHUP are passed on. */
static volatile pid_t forward_to;

static void forward_signal(int sig)
{
	if (forward_to > 0)
		kill(forward_to, sig);
}

/*
 * run --inject: the rules of the specs, added to the device (-d, or 0)
 * for the command's pid once it is forked and held, and cleared by their
 * IDs when it is done, or when the tool gives up: left behind, they would
 * go on failing the command's other processes and hold rule slots of the
 * device. @added: the first @added of @rules are on the device, their IDs
 * in them.
 */
struct injection {
	struct faultmem_inject_rule *rules;
	unsigned int n, added;
	int fd;
	struct faultmem_stats before;
};

/* One --inject SPEC, parsed now: a usage error before anything runs. */
static int injection_spec(struct injection *inj, const char *spec)
{
	struct faultmem_inject_rule *rules;

	rules = realloc(inj->rules, (inj->n + 1) * sizeof(*rules));
	if (!rules)
		err(1, "run --inject");
	inj->rules = rules;
	return parse_inject_spec(spec, &inj->rules[inj->n++]);
}

/*
 * Before the fork: open the device (close-on-exec: not the command's),
 * take its counters and size the rules of PAGES all. 0, -1 after saying
 * why, or EXIT_USAGE for PAGES past the device's max_size.
 */
static int injection_open(struct injection *inj, const char *dev)
{
	unsigned int i;

	if (!inj->n)
		return 0;
	inj->fd = open_device(dev, O_RDWR | O_CLOEXEC);
	if (inj->fd < 0 || get_stats(inj->fd, &inj->before))
		return -1;
	for (i = 0; i < inj->n; i++) {
		int ret = inject_resolve_all(inj->fd, dev, &inj->rules[i]);

		if (ret)
			return ret;
	}
	return 0;
}

/* Add the rules for @pid and its descendants: 0, or -1 after saying why. */
static int injection_add(struct injection *inj, const char *dev, pid_t pid)
{
	for (; inj->added < inj->n; inj->added++) {
		struct faultmem_inject_rule *r = &inj->rules[inj->added];

		r->pid = pid;
		if (inject_add(inj->fd, dev, r))
			return -1;
		fprintf(stderr, "injecting: ");
		print_inject_rule(stderr, r);
	}
	return 0;
}

/*
 * Clear the rules added, by ID. One that fired its --times is gone
 * already (the ioctl then removes none). 0, or -1 after saying why.
 */
static int injection_clear(struct injection *inj, const char *dev)
{
	struct faultmem_inject_clear c;
	int ret = 0;

	for (; inj->added; inj->added--) {
		memset(&c, 0, sizeof(c));
		c.id = inj->rules[inj->added - 1].id;
		if (ioctl(inj->fd, FAULTMEM_IOC_INJECT_CLEAR, &c) < 0) {
			warn("%s: cannot clear rule %llu", device_path(dev), c.id);
			ret = -1;
		}
	}
	return ret;
}

/*
 * The command is done: clear its rules, and put how much each
 * injected_* counter of the device rose into @p (by any process: rules
 * of others fire there too). 0, or -1 after saying why.
 */
static int injection_done(struct injection *inj, const char *dev,
			  struct profile *p)
{
	struct faultmem_stats after;
	int ret;

	if (inj->fd < 0)
		return 0;
	ret = injection_clear(inj, dev);
	if (get_stats(inj->fd, &after))
		return -1;
	p->injected[0] = after.injected_sigbus - inj->before.injected_sigbus;
	p->injected[1] = after.injected_hwpoison - inj->before.injected_hwpoison;
	p->injected[2] = after.injected_nospace - inj->before.injected_nospace;
	p->injected[3] = after.injected_delays - inj->before.injected_delays;
	return ret;
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
 * is on and its --inject rules are added, so its first fault is seen and
 * meets them. Exit status: the command's (128 + N for a signal), 127 if
 * it could not be run, 1 or 2 for the tool's own failures and usage
 * errors.
 */
int cmd_run(int argc, char **argv)
{
	const char *dir = tracefs(), *dev = NULL, *only = NULL;
	int i, go[2], status = 0, pipe_fd = -1, ret = 1, show_map = 0, failed;
	char inst[256], name[256], map_name[256], path[512], buf[4096];
	struct injection inj = { .fd = -1 };
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

			if (!value || set_device("run", &dev, value)) {
				ret = EXIT_USAGE;
				goto free_rules;
			}
		} else if (!strcmp(argv[i], "--inject") || !strncmp(argv[i], "--inject=", 9)) {
			const char *spec = argv[i][8] ? argv[i] + 9 :
					   option_value("run", argc, argv, &i);

			if (!spec || injection_spec(&inj, spec)) {
				ret = EXIT_USAGE;
				goto free_rules;
			}
		} else {
			ret = usage_error("run: unknown option '%s'", argv[i]);
			goto free_rules;
		}
	}
	if (i >= argc) {
		ret = usage_error("run: need a COMMAND (faultmem run [-d DEV] [--map] [--inject SPEC]... -- COMMAND [ARGS...])");
		goto free_rules;
	}
	if (dev) {
		if (device_name(device_path(dev), name, sizeof(name)))
			goto free_rules;
		only = name;
	}
	/* Without -d all devices count, but the map is of one: DEV or 0. */
	if (show_map) {
		if (device_name(device_path(dev), map_name, sizeof(map_name)))
			goto free_rules;
		prof.map_dev = map_name;
	}
	if (!dir) {
		fprintf(stderr, "%s: tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing)\n", prog);
		goto free_rules;
	}
	switch (injection_open(&inj, dev)) {
	case 0:
		break;
	case EXIT_USAGE:
		ret = EXIT_USAGE;
		goto free_rules;
	default:
		goto free_rules;
	}
	snprintf(inst, sizeof(inst), "%s/instances/faultmem-run-%d", dir, (int)getpid());
	if (mkdir(inst, 0700)) {
		fprintf(stderr, "%s: cannot create the trace instance %s: %s (root needed)\n",
			prog, inst, strerror(errno));
		goto free_rules;
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
	/*
	 * kill and a closed terminal reach only the tool: pass them on, so
	 * that the command ends first and its rules are cleared after it.
	 */
	forward_to = pid;
	ign.sa_handler = forward_signal;
	sigaction(SIGTERM, &ign, NULL);
	sigaction(SIGHUP, &ign, NULL);
	/* A command killed while held closes its end of the go pipe. */
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, NULL);
	snprintf(path, sizeof(path), "%s/trace_pipe", inst);
	if (trace_pid(inst, pid) || (pipe_fd = open(path, O_RDONLY | O_NONBLOCK)) < 0 ||
	    injection_add(&inj, dev, pid)) {
		/* The command exits without running (the rules added are cleared below). */
		kill(pid, SIGKILL);
		close(go[1]);
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
	failed = injection_done(&inj, dev, &prof);
	print_profile(&prof, argv + i, now_seconds() - start);
	ret = exit_status(status);
	if (failed)
		ret = ret ? ret : 1;
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
	if (injection_clear(&inj, dev))
		ret = ret ? ret : 1;
	if (pipe_fd >= 0)
		close(pipe_fd);
	free(prof.ns.v);
	free(prof.faulted.v);
	if (rmdir(inst)) {
		fprintf(stderr, "%s: cannot remove %s: %s\n", prog, inst, strerror(errno));
		ret = ret ? ret : 1;
	}
free_rules:
	if (inj.fd >= 0)
		close(inj.fd);
	free(inj.rules);
	return ret;
}
