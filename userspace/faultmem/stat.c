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

	printf("%-22s %12s %10s\n", "counter", "value", watching ? "per s" : "");
#define ROW(name, field)						\
	print_row(name, s->field, prev ? prev->field : 0, with_rate, seconds)
	ROW("size", size);
	ROW("resident_pages", resident_pages);
	ROW("faults", faults);
	ROW("existing_page_faults", existing_page_faults);
	ROW("sigbus_faults", sigbus_faults);
	ROW("private_write_faults", private_write_faults);
	ROW("pages_allocated", pages_allocated);
	ROW("resizes", resizes);
	ROW("holes_punched", holes_punched);
	ROW("fault_around_calls", fault_around_calls);
	ROW("huge_folios_allocated", huge_folios_allocated);
	ROW("huge_fallbacks", huge_fallbacks);
	ROW("insert_races", insert_races);
	ROW("injected_sigbus", injected_sigbus);
	ROW("injected_hwpoison", injected_hwpoison);
	ROW("injected_nospace", injected_nospace);
	ROW("injected_delays", injected_delays);
#undef ROW
}

int cmd_stat(int argc, char **argv)
{
	struct watch w = { .interval_ms = 1000 };
	struct faultmem_stats s, prev;
	const char *dev = NULL;
	double then = 0, now;
	uint64_t frame = 1;
	int fd, i, ret;

	for (i = 1; i < argc; i++) {
		ret = watch_option("stat", argc, argv, &i, &w);
		if (ret == EXIT_USAGE)
			return ret;
		if (ret)
			continue;
		if (argv[i][0] == '-')
			return usage_error("stat: unknown option '%s'", argv[i]);
		if (set_device("stat", &dev, argv[i]))
			return EXIT_USAGE;
	}
	if (watch_check("stat", &w))
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
