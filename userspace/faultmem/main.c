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
		"                                  wide (8-512, default 64); -w redraws it in place\n"
		"  trace  [-n COUNT] [DEVICE]      stream the fault handler's events (needs root\n"
		"                                  and tracefs); stops after COUNT events or Ctrl-C\n"
		"  touch  [-r] DEVICE PAGE...      map the device and fault each page in for\n"
		"                                  writing, changing no byte (-r: read a byte of\n"
		"                                  it), reporting SIGBUS past the end\n"
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
