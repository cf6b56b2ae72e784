// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultmem trace: the fault handler's events, recorded in a tracefs
 * instance of the tool's own (tracefs.c), one readable line each.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "trace.h"
#include "watch.h"

const char trace_usage[] =
	"usage: faultmem trace [-n COUNT] [DEVICE]\n"
	"\n"
	"Stream the fault handler's events, one line each, recorded in a tracefs\n"
	"instance of the tool's own (removed on exit); with DEVICE only its events.\n"
	"Needs root and tracefs. Stops on Ctrl-C.\n"
	"\n"
	"  -n COUNT    stop after COUNT events\n"
	"  -h, --help  this text\n";

/*
 * 1 if a fault with @outcome had a folio (sigbus, oom, the injected
 * failures and a delay's retry have none: order 0).
 */
static int has_folio(const char *outcome)
{
	return !strcmp(outcome, "new_page") || !strcmp(outcome, "existing_page") ||
	       !strcmp(outcome, "delayed");
}

static void print_fault(const uint64_t *v, const char *outcome)
{
	char size[32];

	printf("faultmem%-2" PRIu64 " fault  page %-8" PRIu64 " at 0x%012" PRIx64
	       "  %-5s %-7s -> %-13s %6" PRIu64 " ns",
	       v[F_DEV], v[F_PGOFF], v[F_ADDRESS], v[F_WRITE] ? "write" : "read",
	       v[F_SHARED] ? "shared" : "private", outcome, v[F_DURATION_NS]);
	if (has_folio(outcome))
		printf("  %s folio", folio_size(v[F_ORDER], " ", size, sizeof(size)));
	putchar('\n');
}

/* One event as a readable sentence. */
static void print_event(const struct fm_event *ev)
{
	const uint64_t *v = ev->v;

	switch (ev->type) {
	case EV_FAULT:
		print_fault(v, ev->outcome);
		break;
	case EV_MAP_PAGES:
		printf("faultmem%-2" PRIu64 " around page %-8" PRIu64 " pages %" PRIu64
		       "-%" PRIu64 " mapped if resident -> %s\n",
		       v[F_DEV], v[F_PGOFF], v[F_START_PGOFF], v[F_END_PGOFF],
		       v[F_MAPPED] ? "mapped, no fault" : "not resident: fault follows");
		break;
	case EV_RESIZE:
		printf("faultmem%-2" PRIu64 " resize %" PRIu64 " -> %" PRIu64
		       " bytes, %" PRIu64 " pages freed\n", v[F_DEV],
		       v[F_FROM], v[F_TO], v[F_PAGES_FREED]);
		break;
	default:
		printf("faultmem%-2" PRIu64 " punch  %" PRIu64 " bytes at %" PRIu64
		       ", %" PRIu64 " pages freed\n", v[F_DEV], v[F_TO] - v[F_FROM],
		       v[F_FROM], v[F_PAGES_FREED]);
	}
	fflush(stdout);
}

/* What faultmem trace shows, and how many events it has shown. */
struct tracer {
	const char *only_dev;	/* NULL: every device */
	uint64_t count;		/* stop after this many; 0: until Ctrl-C */
	uint64_t seen;
};

static int tracer_event(const struct fm_event *ev, void *arg)
{
	struct tracer *t = arg;

	if (!event_of_device(ev, t->only_dev))
		return 0;
	print_event(ev);
	t->seen++;
	return t->count && t->seen >= t->count;
}

/*
 * Wait for events and print them, until @t has its count or a stop
 * signal came. The stop signals stay blocked except inside the wait,
 * which unblocks them atomically: a Ctrl-C that arrives between a check
 * of the stop flag and the wait is taken by that wait, not lost until the
 * next event. They are unblocked there even if the tool was started with
 * them blocked, since it promises to stop on Ctrl-C.
 */
static void trace_until_stopped(const struct trace_instance *ti,
				struct tracer *t)
{
	static const int stops[] = { SIGINT, SIGTERM, SIGHUP };
	sigset_t blocked, saved, waiting;
	unsigned int i;

	sigemptyset(&blocked);
	for (i = 0; i < sizeof(stops) / sizeof(stops[0]); i++)
		sigaddset(&blocked, stops[i]);
	sigprocmask(SIG_BLOCK, &blocked, &saved);
	waiting = saved;
	for (i = 0; i < sizeof(stops) / sizeof(stops[0]); i++)
		sigdelset(&waiting, stops[i]);
	while (!stop) {
		if (instance_wait(ti, -1, &waiting) < 0 && errno != EINTR)
			break;
		if (instance_read(ti, tracer_event, t))
			break;
	}
	sigprocmask(SIG_SETMASK, &saved, NULL);
}

int cmd_trace(int argc, char **argv)
{
	struct trace_instance ti;
	struct tracer t = { 0 };
	const char *dev;
	char name[256];
	int opt, ret = 1;

	while ((opt = next_option("trace", argc, argv, ":hn:", help_only)) != -1)
		if (opt == BAD_OPTION || parse_count("trace", optarg, &t.count))
			return EXIT_USAGE;
	if (device_operand("trace", argc, argv, &dev))
		return EXIT_USAGE;
	if (dev) {
		if (device_name(device_path(dev), name, sizeof(name)))
			return 1;
		t.only_dev = name;
	}
	if (instance_create(&ti, "trace"))
		return 1;
	catch_stop_signals();
	if (!instance_start(&ti)) {
		fprintf(stderr, "tracing faultmem events%s%s (Ctrl-C to stop)\n",
			t.only_dev ? " of " : "", t.only_dev ? t.only_dev : "");
		trace_until_stopped(&ti, &t);
		fprintf(stderr, "%" PRIu64 " events\n", t.seen);
		ret = 0;
	}
	if (instance_remove(&ti))
		ret = 1;
	return ret;
}
