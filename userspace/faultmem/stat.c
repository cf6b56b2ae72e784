// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultmem stat: the device's counters, once or (-w) refreshed in place
 * with their rates per second.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include <faultmem.h>

#include "cli.h"
#include "commands.h"
#include "watch.h"

const char stat_usage[] =
	"usage: faultmem stat [-w [-i SEC] [-n COUNT]] [DEVICE]\n"
	"\n"
	"The device's counters, once; with -w refreshed in place, with the change\n"
	"per second (negative when a value falls).\n"
	"\n"
	"  -w        refresh until Ctrl-C\n"
	"  -i SEC    every SEC seconds, 0.1 to 86400, up to 3 decimals (default 1)\n"
	"  -n COUNT  stop after COUNT refreshes\n"
	"  -h, --help  this text\n"
	"\n"
	"DEVICE is a path or a number (3 means /dev/faultmem3); the default is 0.\n";

/*
 * The change per second from @before to @now. A signed difference: the
 * event counters only grow, but size and resident_pages fall on a
 * shrink or a punch (unsigned, that showed as some 1.8e19 per second).
 */
static double rate(uint64_t now, uint64_t before, double seconds)
{
	double delta = now >= before ? (double)(now - before) :
				       -(double)(before - now);

	return delta / seconds;
}

/* One counter: its value, and with -w its rate since the last refresh. */
static void print_row(const char *name, uint64_t now, uint64_t before,
		      int with_rate, double seconds)
{
	char per_second[32] = "";

	if (with_rate)
		snprintf(per_second, sizeof(per_second), "%.0f",
			 rate(now, before, seconds));
	printf("%-22s %12" PRIu64 " %10s\n", name, now, per_second);
}

static void print_stats(const struct faultmem_stats *s,
			const struct faultmem_stats *prev, int watching,
			double seconds)
{
	int with_rate = watching && prev;
	size_t i;

	printf("%-22s %12s %10s\n", "counter", "value", watching ? "per s" : "");
	print_row("size", s->size, prev ? prev->size : 0, with_rate, seconds);
	print_row("resident_pages", s->resident_pages,
		  prev ? prev->resident_pages : 0, with_rate, seconds);
	for (i = 0; i < nr_counters; i++)
		print_row(counters[i].name, counter(s, i),
			  prev ? counter(prev, i) : 0, with_rate, seconds);
}

int cmd_stat(int argc, char **argv)
{
	struct watch w = { .interval_ms = 1000 };
	struct faultmem_stats s, prev;
	const char *dev;
	double then = 0, now;
	uint64_t frame = 1;
	int fd, opt;

	while ((opt = next_option("stat", argc, argv, ":h" WATCH_OPTIONS,
				  help_only)) != -1)
		if (watch_option("stat", opt, optarg, &w))
			return EXIT_USAGE;
	if (device_operand("stat", argc, argv, &dev) || watch_check("stat", &w))
		return EXIT_USAGE;
	fd = open_device(dev, O_RDONLY);
	if (fd < 0)
		return 1;
	catch_stop_signals();
	do {
		if (get_stats(fd, &s))
			return 1;
		now = now_seconds();
		if (w.on)
			watch_header(dev, &w);
		/* The rate is over the time that really passed. */
		print_stats(&s, frame > 1 ? &prev : NULL, w.on, now - then);
		fflush(stdout);
		prev = s;
		then = now;
	} while (watch_next(&w, ++frame));
	close(fd);
	return 0;
}
