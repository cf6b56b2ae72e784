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

/*
 * @handler (a function, SIG_IGN) for each of the @n signals @sigs,
 * without SA_RESTART: a wait they interrupt returns EINTR.
 */
void handle_signals(void (*handler)(int), const int *sigs, unsigned int n)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	while (n--)
		sigaction(sigs[n], &sa, NULL);
}

void catch_stop_signals(void)
{
	static const int stops[] = { SIGINT, SIGTERM, SIGHUP };

	handle_signals(on_stop, stops, 3);
}

/*
 * Take @opt, one of WATCH_OPTIONS as next_option() returned it, with its
 * value @arg: 0, or EXIT_USAGE after the message for a bad value (or for
 * BAD_OPTION, whose message next_option() gave).
 */
int watch_option(const char *cmd, int opt, const char *arg, struct watch *w)
{
	switch (opt) {
	case 'w':
		w->on = 1;
		return 0;
	case 'i':
		w->timed = 1;
		if (parse_seconds(arg, &w->interval_ms))
			return usage_error("%s: -i '%s' is not an interval (seconds, 0.1 to 86400, e.g. 2 or 0.5)",
					   cmd, arg);
		return 0;
	case 'n':
		w->timed = 1;
		return parse_count(cmd, arg, &w->frames);
	}
	return EXIT_USAGE;
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
