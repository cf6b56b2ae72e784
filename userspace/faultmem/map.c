// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultmem map: which pages of the device are resident, as a grid of
 * cells (UTF-8 blocks or ASCII), once or (-w) redrawn in place, the pages
 * a fault-injection rule covers marked; faultmem run --map draws the same
 * grid with the pages its command faulted on marked.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <faultmem.h>

#include "cli.h"
#include "commands.h"
#include "map.h"
#include "watch.h"

/*
 * UTF-8 block characters only where the terminal's character set is
 * UTF-8: what LC_ALL, else LC_CTYPE, else LANG select, as the C library
 * decides (nl_langinfo(CODESET)). Where that locale is not installed
 * (setlocale() fails: a minimal system, the test VM), its name is
 * judged instead, in the same order.
 */
int utf8_output(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_CTYPE", "LANG" };
	const char *name = NULL;
	unsigned int i;

	if (setlocale(LC_CTYPE, ""))
		return !strcmp(nl_langinfo(CODESET), "UTF-8");
	for (i = 0; i < sizeof(vars) / sizeof(vars[0]) && !name; i++) {
		name = getenv(vars[i]);
		if (name && !*name)
			name = NULL;
	}
	return name && (strcasestr(name, "UTF-8") || strcasestr(name, "utf8"));
}

/* The glyphs for this locale: UTF-8 blocks, or ASCII (@ascii). */
struct glyphs grid_glyphs(int ascii)
{
	if (ascii)
		return (struct glyphs){ "#", "+", ".", "@", "!" };
	return (struct glyphs){ "\u2588", "\u2592", "\u00b7", "\u2593", "\u2573" };
}

/* Bit @p of the bitmap @bits. */
static int bit(const uint8_t *bits, uint64_t p)
{
	return bits[p / 8] >> (p % 8) & 1;
}

/* The device's residency bitmap, @pages pages, into @bits; the count in @resident. */
static int read_residency(int fd, uint64_t pages, uint8_t *bits,
			  uint64_t *resident)
{
	struct faultmem_residency res;

	*resident = 0;
	for (uint64_t first = 0; first < pages; first += FAULTMEM_RESIDENCY_MAX_PAGES) {
		memset(&res, 0, sizeof(res));
		res.first_page = first;
		res.nr_pages = pages - first < FAULTMEM_RESIDENCY_MAX_PAGES ?
			       pages - first : FAULTMEM_RESIDENCY_MAX_PAGES;
		res.bitmap = (uintptr_t)(bits + first / 8);
		if (ioctl(fd, FAULTMEM_IOC_GET_RESIDENCY, &res)) {
			warn("FAULTMEM_IOC_GET_RESIDENCY");
			return -1;
		}
		*resident += res.resident;
	}
	return 0;
}

/*
 * The grid: @width cells a row, each one or more pages, at most 32 rows.
 * A cell holding a page marked in @marks (may be NULL) shows g->mark,
 * else one holding a page in @ruled (may be NULL) g->rule, whatever the
 * residency of its pages: those are what the user looks for.
 */
static void print_grid(const uint8_t *bits, const uint8_t *marks,
		       const uint8_t *ruled, uint64_t pages, int width,
		       const struct glyphs *g)
{
	uint64_t per_cell, cells, c;

	per_cell = (pages + (uint64_t)width * 32 - 1) / ((uint64_t)width * 32);
	cells = (pages + per_cell - 1) / per_cell;
	printf("one cell = %" PRIu64 " page%s\n", per_cell, per_cell > 1 ? "s" : "");
	for (c = 0; c < cells; c++) {
		uint64_t p, n = 0, in = 0, marked = 0, rule = 0;

		for (p = c * per_cell; p < (c + 1) * per_cell && p < pages; p++, in++) {
			n += bit(bits, p);
			marked += marks && bit(marks, p);
			rule += ruled && bit(ruled, p);
		}
		if (c % (uint64_t)width == 0)
			printf("%8" PRIu64 " ", c * per_cell);
		fputs(marked ? g->mark : rule ? g->rule : n == in ? g->full :
		      n ? g->part : g->none, stdout);
		if (c % (uint64_t)width == (uint64_t)width - 1 || c == cells - 1)
			putchar('\n');
	}
}

/*
 * The pages in @faulted (page offsets; NULL: none) as a bitmap of @pages
 * pages, for print_grid(); offsets past the end (SIGBUS) are left out.
 */
static uint8_t *fault_marks(const struct numbers *faulted, uint64_t pages)
{
	uint8_t *marks;
	size_t i;

	if (!faulted)
		return NULL;
	marks = calloc(1, (pages + 7) / 8);
	if (!marks)
		return NULL;
	for (i = 0; i < faulted->n; i++)
		if (faulted->v[i] < pages)
			marks[faulted->v[i] / 8] |= 1 << (faulted->v[i] % 8);
	return marks;
}

/*
 * The pages of the @pages shown that an injection rule of the device
 * covers, as a bitmap for print_grid(), into *@ruled (NULL: none covered;
 * a rule may lie past the size) and their number into *@n. A module
 * without fault injection (ENOTTY) has no rules. 0, or -1 after saying why.
 */
static int rule_marks(int fd, uint64_t pages, uint8_t **ruled, uint64_t *n)
{
	struct faultmem_inject_rule *rules;
	uint32_t i, nr;
	uint64_t p, end;

	*ruled = NULL;
	*n = 0;
	if (inject_list(fd, &rules, &nr)) {
		if (errno == ENOTTY)
			return 0;
		warn("FAULTMEM_IOC_INJECT_LIST");
		return -1;
	}
	for (i = 0; i < nr; i++) {
		if (rules[i].first_page >= pages)
			continue;
		if (!*ruled && !(*ruled = calloc(1, (pages + 7) / 8)))
			break;
		end = rules[i].nr_pages < pages - rules[i].first_page ?
		      rules[i].first_page + rules[i].nr_pages : pages;
		for (p = rules[i].first_page; p < end; p++) {
			*n += !bit(*ruled, p);
			(*ruled)[p / 8] |= 1 << (p % 8);
		}
	}
	free(rules);
	if (i < nr) {
		warnx("out of memory for %" PRIu64 " pages", pages);
		return -1;
	}
	return 0;
}

/* How many of the @pages pages are marked in @marks, and how many of those are resident. */
static uint64_t count_marks(const uint8_t *marks, const uint8_t *bits,
			    uint64_t pages, uint64_t *resident)
{
	uint64_t p, n = 0;

	*resident = 0;
	for (p = 0; p < pages; p++) {
		n += bit(marks, p);
		*resident += bit(marks, p) && bit(bits, p);
	}
	return n;
}

/*
 * One map of the device as it is now (its size may change between frames);
 * with @faulted (faultmem run --map), the pages the command faulted on
 * marked.
 */
int draw_map(int fd, const char *dev, int width, const struct glyphs *g,
	     const struct numbers *faulted)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t pages = lseek(fd, 0, SEEK_END) / page, resident, n, n_resident, n_ruled;
	uint8_t *bits, *marks, *ruled = NULL;

	if (!pages) {
		printf("%s: size 0, nothing to map\n", device_path(dev));
		return 0;
	}
	bits = calloc(1, (pages + 7) / 8);
	if (!bits) {
		warnx("out of memory for %" PRIu64 " pages", pages);
		return -1;
	}
	marks = fault_marks(faulted, pages);
	if (read_residency(fd, pages, bits, &resident) || (faulted && !marks) ||
	    rule_marks(fd, pages, &ruled, &n_ruled)) {
		free(bits);
		free(marks);
		return -1;
	}
	printf("%s: %" PRIu64 " pages, ", device_path(dev), pages);
	print_grid(bits, marks, ruled, pages, width, g);
	/* What is new at the end, so that the start reads as it always did. */
	printf("legend: %s%s%s resident  %s partly resident  %s not resident%s%s%s\n",
	       marks ? g->mark : "", marks ? " faulted on by the command  " : "",
	       g->full, g->part, g->none, ruled ? "  " : "", ruled ? g->rule : "",
	       ruled ? " covered by an injection rule" : "");
	printf("%" PRIu64 " of %" PRIu64 " pages resident (%.1f%%), %" PRIu64 " KiB\n",
	       resident, pages, 100.0 * resident / pages, resident * page / 1024);
	if (marks) {
		n = count_marks(marks, bits, pages, &n_resident);
		printf("%" PRIu64 " pages faulted on by the command, %" PRIu64 " of them resident now\n",
		       n, n_resident);
	}
	if (ruled)
		printf("%" PRIu64 " pages covered by injection rules (faultmem inject %s list)\n",
		       n_ruled, device_path(dev));
	free(bits);
	free(marks);
	free(ruled);
	return 0;
}

#define MIN_WIDTH 8
#define MAX_WIDTH 512

const char map_usage[] =
	"usage: faultmem map [-w [-i SEC] [-n COUNT]] [--ascii] [--width N] [DEVICE]\n"
	"\n"
	"Which pages of the device are resident, as a grid of cells, with a legend\n"
	"and a summary; pages a fault-injection rule covers are marked.\n"
	"\n"
	"  -w          redraw in place until Ctrl-C\n"
	"  -i SEC      every SEC seconds, 0.1 to 86400, up to 3 decimals (default 1)\n"
	"  -n COUNT    stop after COUNT frames\n"
	"  --ascii     #+. instead of the UTF-8 blocks a UTF-8 locale gets\n"
	"  --width N   N cells a row, 8 to 512 (default 64)\n"
	"  -h, --help  this text\n"
	"\n"
	"DEVICE is a path or a number (3 means /dev/faultmem3); the default is 0.\n";

static const struct option map_options[] = {
	{ "ascii", no_argument, NULL, OPT_ASCII },
	{ "width", required_argument, NULL, OPT_WIDTH },
	HELP_AND_END,
};

/* What faultmem map draws, as its options say. */
struct map_view {
	struct watch w;
	int ascii;
	uint64_t width;
};

/* Take one option of map: 0, or EXIT_USAGE after the message. */
static int map_option(int opt, const char *arg, struct map_view *m)
{
	switch (opt) {
	case OPT_ASCII:
		m->ascii = 1;
		return 0;
	case OPT_WIDTH:
		if (parse_uint(arg, MAX_WIDTH, &m->width) || m->width < MIN_WIDTH)
			return usage_error("map: --width '%s' is not %d to %d",
					   arg, MIN_WIDTH, MAX_WIDTH);
		return 0;
	}
	return watch_option("map", opt, arg, &m->w);
}

int cmd_map(int argc, char **argv)
{
	struct map_view m = {
		.w = { .interval_ms = 1000 }, .ascii = !utf8_output(), .width = 64,
	};
	const char *dev;
	uint64_t frame = 1;
	struct glyphs g;
	int fd, opt;

	while ((opt = next_option("map", argc, argv, ":h" WATCH_OPTIONS,
				  map_options)) != -1)
		if (map_option(opt, optarg, &m))
			return EXIT_USAGE;
	if (device_operand("map", argc, argv, &dev) || watch_check("map", &m.w))
		return EXIT_USAGE;
	g = grid_glyphs(m.ascii);

	fd = open_device(dev, O_RDONLY);
	if (fd < 0)
		return 1;
	catch_stop_signals();
	do {
		if (m.w.on)
			watch_header(dev, &m.w);
		if (draw_map(fd, dev, m.width, &g, NULL))
			return 1;
		fflush(stdout);
	} while (watch_next(&m.w, ++frame));
	close(fd);
	return 0;
}
