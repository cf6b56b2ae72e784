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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <faultmem.h>

#include "cli.h"
#include "commands.h"
#include "map.h"
#include "profile.h"
#include "trace.h"
#include "watch.h"

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
	warn("run: %s", command[0]);
	_exit(127);
}

/* The command's wait status as an exit status, as the shell gives it. */
static int exit_status(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

const char run_usage[] =
	"usage: faultmem run [-d DEVICE] [--map] [--inject SPEC]... [--] COMMAND [ARGS...]\n"
	"\n"
	"Run COMMAND and count the faultmem events of it and its children only, like\n"
	"perf stat: faults by outcome, reads, writes, private, the folios allocated,\n"
	"the time in the fault handler, fault-around, resizes and punches, on stderr.\n"
	"Needs root and tracefs. Exits with COMMAND's status (128 + N for signal N,\n"
	"127 if it cannot be run).\n"
	"\n"
	"  -d DEVICE      count the events of DEVICE only (default: every device)\n"
	"  --map          then draw the map of DEVICE (or 0), the pages COMMAND\n"
	"                 faulted on marked\n"
	"  --inject SPEC  a rule of faultmem inject's, 'ACTION [DURATION] PAGES\n"
	"                 [OPTIONS]', for COMMAND's processes while it runs\n"
	"  -h, --help     this text\n";

/* Everything one faultmem run holds from step to step. */
struct run {
	const char *dev;	/* -d, or NULL */
	int show_map;		/* --map */
	char **command;
	char only_dev[256], map_dev[256];	/* kernel names: "faultmem0" */
	struct injection inj;
	struct trace_instance ti;
	struct profile prof;
	pid_t pid;		/* the command's; -1 before it is forked */
	int go;			/* what releases it, once written to; -1 */
	int pidfd;		/* readable once it has exited; -1 */
	int status;		/* its wait status */
	double start;
};

static const struct option run_options[] = {
	{ "map", no_argument, NULL, OPT_MAP },
	{ "inject", required_argument, NULL, OPT_INJECT },
	HELP_AND_END,
};

/*
 * The options of faultmem run, up to COMMAND, into @r: 0, or EXIT_USAGE
 * after the message. The specs are parsed after the scan, since parsing
 * one runs a getopt_long() scan of its own.
 */
static int parse_run_options(int argc, char **argv, struct run *r)
{
	const char **specs = calloc(argc, sizeof(*specs));
	int opt, n = 0, i, ret = EXIT_USAGE;

	if (!specs)
		err(1, "run");
	while ((opt = next_option("run", argc, argv, "+:hd:", run_options)) != -1) {
		if (opt == 'd' && r->dev) {
			usage_error("run: one DEVICE only ('%s', then '%s')", r->dev, optarg);
			goto out;
		}
		if (opt == BAD_OPTION)
			goto out;
		r->dev = opt == 'd' ? optarg : r->dev;
		r->show_map |= opt == OPT_MAP;
		if (opt == OPT_INJECT)
			specs[n++] = optarg;
	}
	if (optind >= argc) {
		usage_error("run: need a COMMAND (faultmem run [-d DEV] [--map] [--inject SPEC]... -- COMMAND [ARGS...])");
		goto out;
	}
	r->command = argv + optind;
	for (i = 0; i < n; i++)
		if (injection_spec(&r->inj, specs[i]))
			goto out;
	ret = 0;
out:
	free(specs);
	return ret;
}

/*
 * The kernel's names of the devices named (events carry those), and the
 * --inject rules checked against the device: 0, 1 after saying why, or
 * EXIT_USAGE.
 */
static int prepare(struct run *r)
{
	int ret;

	if (r->dev) {
		if (device_name(device_path(r->dev), r->only_dev, sizeof(r->only_dev)))
			return 1;
		r->prof.only_dev = r->only_dev;
	}
	/* Without -d all devices count, but the map is of one: DEV or 0. */
	if (r->show_map) {
		if (device_name(device_path(r->dev), r->map_dev, sizeof(r->map_dev)))
			return 1;
		r->prof.map_dev = r->map_dev;
	}
	ret = injection_open(&r->inj, r->dev);
	return ret == EXIT_USAGE ? ret : !!ret;
}

/*
 * While the command runs, Ctrl-C is for it (the profile is printed when
 * it ends), and kill or a closed terminal, which reach only the tool, are
 * passed on: the command ends first, and its rules are cleared after it.
 * A command killed while held closes its end of the go pipe: no SIGPIPE.
 */
static void take_signals(pid_t pid)
{
	static const int ignored[] = { SIGINT, SIGQUIT, SIGPIPE };
	static const int passed_on[] = { SIGTERM, SIGHUP };

	handle_signals(SIG_IGN, ignored, 3);
	forward_to = pid;
	handle_signals(forward_signal, passed_on, 2);
}

/*
 * Fork the command, held until r->go is written to, and a pidfd to wait
 * for its end with: 0, or -1 after saying why.
 */
static int start_held(struct run *r)
{
	int go[2];

	if (pipe(go)) {
		warn("run: pipe");
		return -1;
	}
	r->pid = spawn_held(r->command, go);
	close(go[0]);
	r->go = go[1];
	if (r->pid < 0) {
		warn("run: fork");
		return -1;
	}
	take_signals(r->pid);
	r->pidfd = syscall(SYS_pidfd_open, r->pid, 0);
	if (r->pidfd < 0) {
		warn("run: pidfd_open");
		return -1;
	}
	return 0;
}

/*
 * Trace the held command and its children, and add its --inject rules,
 * so that its first fault is seen and meets them: 0, or -1 after saying
 * why.
 */
static int arm(struct run *r)
{
	if (instance_follow_pid(&r->ti, r->pid) || instance_start(&r->ti))
		return -1;
	return injection_add(&r->inj, r->dev, r->pid);
}

/* The command exits without running (the rules added are cleared after). */
static void abandon(struct run *r)
{
	if (r->pid < 0)
		return;
	kill(r->pid, SIGKILL);
	waitpid(r->pid, NULL, 0);
}

/* Let the held command run. */
static void release(struct run *r)
{
	fprintf(stderr, "profiling faultmem events of pid %d\n", (int)r->pid);
	r->start = now_seconds();
	if (write(r->go, "g", 1) != 1)
		warn("run: cannot start the command");
	close(r->go);
	r->go = -1;
}

/*
 * Count the command's events as they come, until it has exited: the wait
 * blocks on the buffers and on its pidfd. Then the events are turned off
 * and what the buffers still hold is counted.
 */
static void profile_until_exit(struct run *r)
{
	int ready;

	do {
		ready = instance_wait(&r->ti, r->pidfd, NULL);
		if (ready < 0 && errno != EINTR)
			break;
		instance_read(&r->ti, profile_event, &r->prof);
	} while (ready != 1);
	waitpid(r->pid, &r->status, 0);
	instance_stop(&r->ti);
	instance_read(&r->ti, profile_event, &r->prof);
}

/* --map: the map after, the pages the command faulted on marked; 0 or -1. */
static int draw_faulted_map(struct run *r)
{
	struct glyphs g = grid_glyphs(!utf8_output());
	int fd, ret;

	fflush(stdout);
	fd = open_device(r->dev, O_RDONLY);
	if (fd < 0)
		return -1;
	ret = draw_map(fd, r->dev, 64, &g, &r->prof.faulted);
	close(fd);
	return ret;
}

/*
 * The profile, the injected counters and the map: the command's exit
 * status, or 1 if it was 0 and something here failed.
 */
static int report(struct run *r)
{
	int failed = injection_done(&r->inj, r->dev, &r->prof);
	int ret = exit_status(r->status);

	print_profile(&r->prof, r->command, now_seconds() - r->start);
	if (failed)
		ret = ret ? ret : 1;
	if (r->show_map && draw_faulted_map(r))
		ret = ret ? ret : 1;
	return ret;
}

/* The command, held, traced, released, profiled and reported. */
static int profile_command(struct run *r)
{
	if (start_held(r) || arm(r)) {
		abandon(r);
		return 1;
	}
	release(r);
	profile_until_exit(r);
	return report(r);
}

/*
 * Clear what is left of the rules, remove the instance, free the rest:
 * @ret, or 1 if it was 0 and something here failed.
 */
static int finish(struct run *r, int ret)
{
	if (injection_clear(&r->inj, r->dev))
		ret = ret ? ret : 1;
	if (instance_remove(&r->ti))
		ret = ret ? ret : 1;
	if (r->go >= 0)
		close(r->go);
	if (r->pidfd >= 0)
		close(r->pidfd);
	if (r->inj.fd >= 0)
		close(r->inj.fd);
	free(r->inj.rules);
	free_profile(&r->prof);
	return ret;
}

/*
 * faultmem run: like perf stat, for faultmem's events. A tracefs instance
 * of its own whose set_event_pid holds the command's pid, with event-fork
 * so that its children are traced too: other processes' faults are not
 * counted. The command is held until tracing is on and its --inject rules
 * are added, so its first fault is seen and meets them. Exit status: the
 * command's (128 + N for a signal), 127 if it could not be run, 1 or 2
 * for the tool's own failures and usage errors.
 */
int cmd_run(int argc, char **argv)
{
	struct run r = { .inj = { .fd = -1 }, .pid = -1, .go = -1, .pidfd = -1 };
	int ret = parse_run_options(argc, argv, &r);

	if (!ret)
		ret = prepare(&r);
	if (!ret)
		ret = instance_create(&r.ti, "run") ? 1 : profile_command(&r);
	return finish(&r, ret);
}
