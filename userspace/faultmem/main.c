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
 *   faultmem run    [-d DEVICE] [--map] [--inject SPEC]... -- COMMAND [ARGS...]
 *                                          profile one command's faults
 *                                          (--inject: with faults injected)
 *   faultmem inject [OPTIONS] DEVICE sigbus|hwpoison|nospace PAGES
 *   faultmem inject [OPTIONS] DEVICE delay DURATION PAGES
 *   faultmem inject DEVICE list | clear [PAGES]
 *                                          fault-injection rules (inject.c)
 *   faultmem help [COMMAND]                this usage, or COMMAND's
 *
 * DEVICE is a path or a number (3 means /dev/faultmem3); default 0 (inject
 * needs one); one only. Numbers are plain decimal digits (no sign, no
 * suffix unless a size says so), and every one is checked: junk is a
 * usage error, not a 0. Each command parses its options with
 * getopt_long() (next_option()) and has a usage text of its own, which
 * faultmem help COMMAND and faultmem COMMAND --help print.
 * Exit status: 0 success, 1 failure, 2 bad usage.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"

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
		"                                  wide (8-512, default 64), pages an inject rule\n"
		"                                  covers marked; -w redraws it in place\n"
		"  trace  [-n COUNT] [DEVICE]      stream the fault handler's events (needs root\n"
		"                                  and tracefs); stops after COUNT events or Ctrl-C\n"
		"  touch  [-r] DEVICE PAGE...      map the device and fault each page in for\n"
		"                                  writing, changing no byte (-r: read a byte of\n"
		"                                  it), reporting SIGBUS past the end\n"
		"  run    [-d DEVICE] [--map] -- COMMAND [ARGS...]\n"
		"                                  run COMMAND and count its (and its children's)\n"
		"                                  faultmem events, like perf stat: faults by\n"
		"                                  outcome, allocations by folio size, fault\n"
		"                                  times (count, total, median, max), fault-around;\n"
		"                                  --map: the map after, the pages it faulted on\n"
		"                                  marked; --inject 'ACTION [DURATION] PAGES\n"
		"                                  [OPTIONS]': a rule of inject's for COMMAND's\n"
		"                                  processes while it runs; exits with COMMAND's\n"
		"                                  status\n"
		"  inject [--times N] [--after N] [--probability P [--seed S]]\n"
		"         [--reads|--writes] [--pid PID] DEVICE ACTION [DURATION] PAGES\n"
		"                                  make accesses to PAGES fail: ACTION sigbus,\n"
		"                                  hwpoison or nospace; or wait: delay DURATION\n"
		"                                  (10ms); prints the rule; PAGES: N, N-M or all\n"
		"  inject DEVICE list|clear [PAGES]\n"
		"                                  the rules, one a line; clear those of PAGES\n"
		"                                  (all); faultmem inject --help says more\n"
		"  help   [COMMAND]                this text, or COMMAND's usage (as\n"
		"                                  faultmem COMMAND --help prints it)\n"
		"\n"
		"DEVICE is a path or a number (3 means /dev/faultmem3); the default is 0; one\n"
		"DEVICE per command. COUNT, N and PAGE are decimal digits; SEC is seconds, 0.1\n"
		"to 86400, with up to 3 decimals (0.5).\n"
		"Exit status: 0 success, 1 failure, 2 bad usage.\n",
		prog);
}

/* A command, its entry and its usage (what help COMMAND prints). */
struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
};

static const struct command commands[] = {
	{ "info", cmd_info, info_usage },
	{ "resize", cmd_resize, resize_usage },
	{ "punch", cmd_punch, punch_usage },
	{ "stat", cmd_stat, stat_usage },
	{ "map", cmd_map, map_usage },
	{ "trace", cmd_trace, trace_usage },
	{ "touch", cmd_touch, touch_usage },
	{ "run", cmd_run, run_usage },
	{ "inject", cmd_inject, inject_usage },
};

static const struct command *find_command(const char *name)
{
	unsigned int i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

void command_usage(const char *name, FILE *out)
{
	const struct command *c = find_command(name);

	if (c)
		fputs(c->usage, out);
}

/* faultmem help [COMMAND] (or --help, -h): the usage asked for, on stdout. */
static int help(int argc, char **argv)
{
	if (argc > 2)
		return usage_error("help: one COMMAND only ('%s', then '%s')",
				   argv[1], argv[2]);
	if (argc == 2 && !find_command(argv[1]))
		return usage_error("help: unknown command '%s'", argv[1]);
	if (argc == 2)
		command_usage(argv[1], stdout);
	else
		usage(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	const struct command *c;

	/* err() and warnx() name the tool as prog does. */
	program_invocation_short_name = (char *)prog;
	if (argc < 2)
		return usage(stderr), EXIT_USAGE;
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help"))
		return help(argc - 1, argv + 1);
	c = find_command(argv[1]);
	if (!c)
		return usage_error("unknown command '%s'", argv[1]);
	return c->run(argc - 1, argv + 1);
}
