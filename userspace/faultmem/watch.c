// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultmem stat -w and map -w: a display redrawn in place every interval,
 * as watch(1) does, until -n COUNT frames or Ctrl-C; the Ctrl-C handling
 * is also what stops faultmem trace.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "watch.h"

volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

void catch_stop_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/*
 * If argv[*i] is a watch option, take it (and its value): 1, or
 * EXIT_USAGE after the message for a bad or missing value; 0 if it is
 * none of them.
 */
int watch_option(const char *cmd, int argc, char **argv, int *i,
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
int watch_check(const char *cmd, const struct watch *w)
{
	if (w->timed && !w->on)
		return usage_error("%s: -i and -n go with -w", cmd);
	return 0;
}

/* Clear the terminal and say what is shown, as watch(1) does. */
void watch_header(const char *dev, const struct watch *w)
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
int watch_next(const struct watch *w, uint64_t frame)
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

double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}
