/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultmem: the refresh loop of stat -w and map -w, and the Ctrl-C that
 * ends it and faultmem trace (watch.c).
 */
#ifndef FAULTMEM_TOOL_WATCH_H
#define FAULTMEM_TOOL_WATCH_H

#include <signal.h>
#include <stdint.h>

/* -w, -i SEC and -n COUNT of stat and map: a display redrawn in place. */
struct watch {
	int on;			/* -w */
	int timed;		/* -i or -n given: they need -w */
	long interval_ms;	/* -i, default 1 s */
	uint64_t frames;	/* -n; 0: until Ctrl-C */
};

/* Set by SIGINT, SIGTERM and SIGHUP once catch_stop_signals() ran. */
extern volatile sig_atomic_t stop;

void handle_signals(void (*handler)(int), const int *sigs, unsigned int n);
void catch_stop_signals(void);

/* The short options of struct watch, for next_option(). */
#define WATCH_OPTIONS "wi:n:"

int watch_option(const char *cmd, int opt, const char *arg, struct watch *w);
int watch_check(const char *cmd, const struct watch *w);
void watch_header(const char *dev, const struct watch *w);
int watch_next(const struct watch *w, uint64_t frame);

/* CLOCK_MONOTONIC in seconds. */
double now_seconds(void);

#endif /* FAULTMEM_TOOL_WATCH_H */
