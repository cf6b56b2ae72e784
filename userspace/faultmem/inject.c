// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultmem inject: add, list and clear the fault-injection rules of a
 * device (FAULTMEM_IOC_INJECT_*), which make accesses to some of its pages
 * fail or wait. The rule parser, the ioctls and the one-line form of a
 * rule are shared: faultmem run --inject adds rules for its command, and
 * faultmem map marks the pages they cover.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <faultmem.h>

#include "cli.h"
#include "commands.h"

#define STR_(x) #x
#define STR(x) STR_(x)

static const char *const action_names[] = {
	[FAULTMEM_INJECT_SIGBUS] = "sigbus",
	[FAULTMEM_INJECT_HWPOISON] = "hwpoison",
	[FAULTMEM_INJECT_NOSPACE] = "nospace",
	[FAULTMEM_INJECT_DELAY] = "delay",
};

#define NR_ACTIONS (sizeof(action_names) / sizeof(action_names[0]))

/*
 * DURATION's units, largest first: a delay is printed in the first one
 * that divides it exactly, so that what list prints parses back to the
 * same nanoseconds.
 */
static const struct {
	const char *name;
	uint64_t ns;
} units[] = {
	{ "s", 1000000000 }, { "ms", 1000000 }, { "us", 1000 }, { "ns", 1 },
};

/*
 * The options' getopt_long() values, also their bits in
 * inject_options.given; OPT_X is long_options[OPT_X - 1].
 */
enum {
	OPT_TIMES = 1, OPT_AFTER, OPT_PROBABILITY, OPT_SEED, OPT_READS,
	OPT_WRITES, OPT_PID,
};

static const struct option long_options[] = {
	{ "times", required_argument, NULL, OPT_TIMES },
	{ "after", required_argument, NULL, OPT_AFTER },
	{ "probability", required_argument, NULL, OPT_PROBABILITY },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "reads", no_argument, NULL, OPT_READS },
	{ "writes", no_argument, NULL, OPT_WRITES },
	{ "pid", required_argument, NULL, OPT_PID },
	HELP_AND_END,
};

const char inject_usage[] =
	"usage: faultmem inject [OPTIONS] DEVICE sigbus|hwpoison|nospace PAGES\n"
	"       faultmem inject [OPTIONS] DEVICE delay DURATION PAGES\n"
	"       faultmem inject DEVICE list\n"
	"       faultmem inject DEVICE clear [PAGES]\n"
	"\n"
	"Add a rule that makes accesses to PAGES of DEVICE fail or wait (it prints\n"
	"the rule as list does), list the rules, or clear them. An access is a\n"
	"fault on a page, or a read() or write() reaching it; the rules are tried\n"
	"in the order they were added, and the first that fires decides.\n"
	"\n"
	"  sigbus          fail as a file page whose read failed: SIGBUS, or EIO\n"
	"  hwpoison        fail as an uncorrectable memory error: SIGBUS\n"
	"                  (BUS_MCEERR_AR), or EIO\n"
	"  nospace         fail an access that would allocate a page, as a full\n"
	"                  disk does (ENOSPC)\n"
	"  delay           wait DURATION first: a slow page-in\n"
	"  list            one line per rule: ACTION [DURATION] PAGES [OPTIONS]\n"
	"                  fired=F remaining=R|unlimited id=I\n"
	"  clear           remove the rules covering a page of PAGES (default: all)\n"
	"\n"
	"Options, before DEVICE:\n"
	"  --times N        fire N times (N >= 1), then the rule is gone\n"
	"  --after N        let N accesses pass before the rule fires\n"
	"  --probability P  fire on an access with probability P: 0 < P <= 1, up\n"
	"                   to 9 decimals (0.5, 0.000001)\n"
	"  --seed S         the seed of --probability's random sequence (default:\n"
	"                   drawn by the module, and printed, to replay a run)\n"
	"  --reads          only read accesses count\n"
	"  --writes         only write accesses count\n"
	"  --pid PID        only accesses of process PID and its descendants count\n"
	"\n"
	"DEVICE is a path or a number (3 means /dev/faultmem3). PAGES is N, N-M\n"
	"(inclusive, N <= M) or all (every page below the device's max_size).\n"
	"DURATION is a whole number with a unit, ns, us, ms or s, up to 3600s.\n"
	"Exit status: 0 success, 1 failure, 2 bad usage.\n";

/* The @len characters at @s as parse_uint() takes a whole argument. */
static int parse_uint_prefix(const char *s, size_t len, uint64_t max,
			     uint64_t *out)
{
	char digits[32];

	if (len >= sizeof(digits))
		return -1;
	memcpy(digits, s, len);
	digits[len] = '\0';
	return parse_uint(digits, max, out);
}

/*
 * P of --probability in parts per billion, from its digits: strtod()
 * would take "1e-3", " 0.5" and "nan", and 0.1 is not exact in binary,
 * so the ppb could be one less than written. 0, or -1 for junk, more than
 * 9 decimals, 0 or above 1.
 */
static int parse_probability(const char *s, uint32_t *ppb)
{
	const char *dot = strchr(s, '.');
	size_t decimals = dot ? strlen(dot + 1) : 0;
	uint64_t whole, frac = 0;

	if (parse_uint_prefix(s, dot ? (size_t)(dot - s) : strlen(s), 1, &whole))
		return -1;
	if (dot && (!decimals || decimals > 9 ||
		    parse_uint(dot + 1, FAULTMEM_INJECT_PROBABILITY_ONE - 1, &frac)))
		return -1;
	for (; decimals < 9; decimals++)
		frac *= 10;
	frac += whole * FAULTMEM_INJECT_PROBABILITY_ONE;
	if (!frac || frac > FAULTMEM_INJECT_PROBABILITY_ONE)
		return -1;
	*ppb = frac;
	return 0;
}

/* DURATION: digits then a unit, 1 ns to FAULTMEM_INJECT_MAX_DELAY_NS; 0 or -1. */
static int parse_duration(const char *s, uint64_t *ns)
{
	size_t len = strspn(s, "0123456789");
	unsigned int u;
	uint64_t v;

	for (u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
		if (strcmp(s + len, units[u].name))
			continue;
		if (parse_uint_prefix(s, len, FAULTMEM_INJECT_MAX_DELAY_NS / units[u].ns, &v) || !v)
			return -1;
		*ns = v * units[u].ns;
		return 0;
	}
	return -1;
}

/*
 * PAGES: N, N-M (inclusive) or all. "all" leaves *@nr 0, which no range
 * has: the device's max_size says how many pages that is, once it is open
 * (inject_resolve_all()), and clear takes it as "every rule". M is below
 * 2^64 - 1 so that first + nr cannot wrap. 0, or EXIT_USAGE after the
 * message.
 */
int parse_inject_pages(const char *cmd, const char *s, uint64_t *first,
		       uint64_t *nr)
{
	const char *dash = strchr(s, '-');
	uint64_t last;

	*first = 0;
	*nr = 0;
	if (!strcmp(s, "all"))
		return 0;
	if (dash ? parse_uint_prefix(s, dash - s, UINT64_MAX - 1, first) ||
		   parse_uint(dash + 1, UINT64_MAX - 1, &last) || last < *first :
		   parse_uint(s, UINT64_MAX - 1, first))
		return usage_error("%s: PAGES '%s' is not N, N-M (N <= M) or all",
				   cmd, s);
	*nr = dash ? last - *first + 1 : 1;
	return 0;
}

/* The value of option @opt (one of OPT_*) into @o; 0 or EXIT_USAGE. */
static int inject_option(const char *cmd, int opt, const char *arg,
			 struct inject_options *o)
{
	uint64_t v;

	switch (opt) {
	case OPT_TIMES:
		if (parse_uint(arg, UINT64_MAX, &o->times))
			return usage_error("%s: --times '%s' is not a number", cmd, arg);
		if (!o->times)
			return usage_error("%s: --times must be at least 1 ('%s')", cmd, arg);
		return 0;
	case OPT_AFTER:
		if (parse_uint(arg, UINT64_MAX, &o->after))
			return usage_error("%s: --after '%s' is not a number", cmd, arg);
		return 0;
	case OPT_PROBABILITY:
		if (parse_probability(arg, &o->probability))
			return usage_error("%s: --probability '%s' is not above 0 and at most 1 with up to 9 decimals (0.5)",
					   cmd, arg);
		return 0;
	case OPT_SEED:
		if (parse_uint(arg, UINT64_MAX, &o->seed))
			return usage_error("%s: --seed '%s' is not a number (0 to 2^64 - 1)", cmd, arg);
		o->flags |= FAULTMEM_INJECT_SEED;
		return 0;
	case OPT_READS:
		o->flags |= FAULTMEM_INJECT_READS;
		return 0;
	case OPT_WRITES:
		o->flags |= FAULTMEM_INJECT_WRITES;
		return 0;
	case OPT_PID:
		if (parse_uint(arg, INT_MAX, &v) || !v)
			return usage_error("%s: --pid '%s' is not a process ID (a number >= 1)", cmd, arg);
		o->pid = v;
		return 0;
	}
	return usage_error("%s: unknown option", cmd);
}

/*
 * The options of a rule, argv[1] up to the first operand (getopt_long()
 * with "+": faultmem inject's DEVICE, or the end of a run --inject spec),
 * into @o; that operand's index into *@next. Each option once: taking the
 * last of two silently would fire another rule than the user meant.
 * @for_run: run --inject, where --pid is the command's and --help no
 * option. 0, or EXIT_USAGE after the message.
 */
int parse_inject_options(const char *cmd, int argc, char **argv, int for_run,
			 struct inject_options *o, int *next)
{
	const char *name;
	int opt, ret;

	memset(o, 0, sizeof(*o));
	opterr = 0;	/* the messages are ours, naming cmd */
	optind = 0;	/* a fresh scan: run parses one spec after another */
	while ((opt = getopt_long(argc, argv, "+:h", long_options, NULL)) != -1) {
		if (!o->first)
			o->first = argv[1];
		if (opt == '?' || opt == ':')
			return option_error(cmd, opt, long_options, argv);
		/* A spec's -h or --help is no option of a rule. */
		if (for_run && (opt == 'h' || opt == OPT_HELP))
			return usage_error("%s: unknown option '%s'", cmd,
					   argv[optind - 1]);
		if (opt == 'h' || opt == OPT_HELP) {
			fputs(inject_usage, stdout);
			exit(0);
		}
		name = long_options[opt - 1].name;
		if (for_run && opt == OPT_PID)
			return usage_error("%s: no --pid: the rule is for the command's processes",
					   cmd);
		if (o->given & 1U << opt)
			return usage_error("%s: --%s given twice", cmd, name);
		o->given |= 1U << opt;
		ret = inject_option(cmd, opt, optarg, o);
		if (ret)
			return ret;
	}
	if ((o->flags & FAULTMEM_INJECT_READS) && (o->flags & FAULTMEM_INJECT_WRITES))
		return usage_error("%s: --reads and --writes exclude each other (neither: every access)",
				   cmd);
	if ((o->flags & FAULTMEM_INJECT_SEED) && !o->probability)
		return usage_error("%s: --seed goes with --probability", cmd);
	*next = optind;
	return 0;
}

/*
 * The rule that @words, ACTION [DURATION] PAGES, and the options @o ask
 * for, into @r (nr_pages 0 for PAGES all); @nwords >= 1. 0, or
 * EXIT_USAGE after the message. Shared by faultmem inject and run
 * --inject, so that both take the same rules the same way.
 */
int parse_inject_rule(const char *cmd, int nwords, char **words,
		      const struct inject_options *o,
		      struct faultmem_inject_rule *r)
{
	uint64_t delay_ns = 0, first, nr;
	unsigned int action;
	int need;

	for (action = 1; action < NR_ACTIONS; action++)
		if (!strcmp(words[0], action_names[action]))
			break;
	if (action == NR_ACTIONS)
		return usage_error("%s: unknown action '%s' (sigbus, hwpoison, nospace, delay)",
				   cmd, words[0]);
	need = action == FAULTMEM_INJECT_DELAY ? 3 : 2;
	if (nwords < need)
		return usage_error("%s: %s needs %s", cmd, words[0],
				   need == 3 ? "DURATION and PAGES" : "PAGES");
	if (need == 3 && parse_duration(words[1], &delay_ns))
		return usage_error("%s: DURATION '%s' is not 1ns to 3600s (a whole number with ns, us, ms or s)",
				   cmd, words[1]);
	/* Before the count: "sigbus 100ms 3" is a DURATION where PAGES goes. */
	if (parse_inject_pages(cmd, words[need - 1], &first, &nr))
		return EXIT_USAGE;
	if (nwords > need)
		return usage_error("%s: unexpected '%s' after PAGES", cmd, words[need]);
	*r = (struct faultmem_inject_rule) {
		.action = action, .delay_ns = delay_ns,
		.first_page = first, .nr_pages = nr,
		.flags = o->flags, .times = o->times, .after = o->after,
		.probability = o->probability, .pid = o->pid, .seed = o->seed,
	};
	return 0;
}

/*
 * PAGES against the device: all (nr_pages 0) becomes every page below the
 * device's max_size, and a range reaching past it is a usage error. 0, -1
 * after a failure said why, or EXIT_USAGE.
 */
int inject_resolve_all(int fd, const char *dev, struct faultmem_inject_rule *r)
{
	struct faultmem_stats s;
	uint64_t max_pages;

	if (get_stats(fd, &s))
		return -1;
	max_pages = s.max_size / sysconf(_SC_PAGESIZE);
	if (!r->nr_pages)
		r->nr_pages = max_pages;
	if (!r->nr_pages) {
		warnx("%s: max_size is 0: 'all' is no page", device_path(dev));
		return -1;
	}
	if (r->first_page >= max_pages || r->nr_pages > max_pages - r->first_page)
		return usage_error("inject: PAGES %llu-%llu reach past page %llu, the last below %s's max_size",
				   (unsigned long long)r->first_page,
				   (unsigned long long)(r->first_page + r->nr_pages - 1),
				   (unsigned long long)max_pages - 1,
				   device_path(dev));
	return 0;
}

/* What an errno of the FAULTMEM_IOC_INJECT_* ioctls means; "" if nothing more. */
static const char *inject_hint(int err)
{
	switch (err) {
	case ENOSPC:
		return " (at most " STR(FAULTMEM_INJECT_MAX_RULES) " rules per device)";
	case EBADF:
		return " (needs write access to the device)";
	case EBUSY:
		return " (a page of the range is pinned in a large folio that could not be split; try again)";
	case EINVAL:
		return " (is the range below the device's max_size?)";
	case ENOTTY:
		return " (a faultmem module without fault injection?)";
	default:
		return "";
	}
}

/*
 * Add @r to the device open at @fd; @r gets its ID and, without --seed,
 * the seed drawn. 0, or -1 after saying why.
 */
int inject_add(int fd, const char *dev, struct faultmem_inject_rule *r)
{
	if (ioctl(fd, FAULTMEM_IOC_INJECT_ADD, r)) {
		warnx("%s: cannot add the rule: %s%s", device_path(dev),
		      strerror(errno), inject_hint(errno));
		return -1;
	}
	/* ADD need not fill what LIST reports: a new rule has fired none. */
	if (!r->fired && !r->remaining)
		r->remaining = r->times;
	return 0;
}

/*
 * The device's rules, in the order they are tried, into *@rules
 * (malloc()ed; free() it) and their number into *@n. 0, or -1 with errno
 * set (ENOTTY: a module without fault injection).
 */
int inject_list(int fd, struct faultmem_inject_rule **rules, uint32_t *n)
{
	struct faultmem_inject_rule *v = NULL, *grown;
	struct faultmem_inject_list l;
	uint32_t room = FAULTMEM_INJECT_MAX_RULES;
	int e;

	for (;;) {
		grown = realloc(v, room * sizeof(*v));
		if (!grown) {
			free(v);
			errno = ENOMEM;
			return -1;
		}
		v = grown;
		memset(&l, 0, sizeof(l));
		l.rules = (uintptr_t)v;
		l.nr = room;
		if (ioctl(fd, FAULTMEM_IOC_INJECT_LIST, &l)) {
			e = errno;
			free(v);
			errno = e;
			return -1;
		}
		if (l.nr <= room)
			break;
		/* A module allowing more rules than this one: again, with room. */
		room = l.nr;
	}
	*rules = v;
	*n = l.nr;
	return 0;
}

/*
 * One rule as a line:
 *   ACTION [DURATION] PAGES [--times N] [--after N] [--probability P
 *   --seed S] [--reads|--writes] [--pid PID] fired=F remaining=R id=I
 * The same line as the driver's /sys/class/misc/faultmemN/inject: keep
 * the two identical. Up to fired=, it is a run --inject spec (and the
 * options of faultmem inject) that adds the same rule again.
 */
void print_inject_rule(FILE *out, const struct faultmem_inject_rule *r)
{
	char p[16];
	size_t len;
	unsigned int u;

	if (r->action < NR_ACTIONS && action_names[r->action])
		fputs(action_names[r->action], out);
	else
		fprintf(out, "action%u", r->action);
	if (r->action == FAULTMEM_INJECT_DELAY) {
		/* The last unit, ns, divides every delay: the loop ends there. */
		for (u = 0; r->delay_ns % units[u].ns; u++)
			;
		fprintf(out, " %llu%s", r->delay_ns / units[u].ns, units[u].name);
	}
	if (r->nr_pages > 1)
		fprintf(out, " %llu-%llu", r->first_page, r->first_page + r->nr_pages - 1);
	else
		fprintf(out, " %llu", r->first_page);
	if (r->times)
		fprintf(out, " --times %llu", r->times);
	if (r->after)
		fprintf(out, " --after %llu", r->after);
	if (r->probability) {
		/* "0." and the 9 digits of the ppb, trailing zeros cut: 0.25. */
		if (r->probability >= FAULTMEM_INJECT_PROBABILITY_ONE)
			snprintf(p, sizeof(p), "1");
		else
			snprintf(p, sizeof(p), "0.%09u", r->probability);
		for (len = strlen(p); p[len - 1] == '0'; len--)
			p[len - 1] = '\0';
		fprintf(out, " --probability %s --seed %llu", p, r->seed);
	}
	if (r->flags & FAULTMEM_INJECT_READS)
		fputs(" --reads", out);
	if (r->flags & FAULTMEM_INJECT_WRITES)
		fputs(" --writes", out);
	if (r->pid)
		fprintf(out, " --pid %u", r->pid);
	fprintf(out, " fired=%llu remaining=", r->fired);
	if (r->times)
		fprintf(out, "%llu", r->remaining);
	else
		fputs("unlimited", out);
	fprintf(out, " id=%llu\n", r->id);
}

#define MAX_SPEC_WORDS 32

/*
 * A run --inject spec, "ACTION [DURATION] PAGES [OPTIONS]" in one argument
 * split at blanks, into @r: the operands are the words before the first
 * "--" one, the options (no --pid) the rest. 0, or EXIT_USAGE after the
 * message.
 */
int parse_inject_spec(const char *spec, struct faultmem_inject_rule *r)
{
	static const char cmd[] = "run --inject";
	char *copy = strdup(spec), *words[MAX_SPEC_WORDS + 1], *save = NULL, *w;
	int n = 0, pos, next, ret = EXIT_USAGE;
	struct inject_options o;

	if (!copy)
		err(1, "%s", cmd);
	for (w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (n == MAX_SPEC_WORDS) {
			usage_error("%s: '%s' has more than %d words", cmd, spec,
				    MAX_SPEC_WORDS);
			goto out;
		}
		words[n++] = w;
	}
	words[n] = NULL;
	for (pos = 0; pos < n && strncmp(words[pos], "--", 2); pos++)
		;
	if (!pos) {
		usage_error("%s: '%s' has no ACTION", cmd, spec);
		goto out;
	}
	/* The options as an argv of their own, PAGES standing in as argv[0]. */
	if (parse_inject_options(cmd, n - pos + 1, words + pos - 1, 1, &o, &next))
		goto out;
	if (pos - 1 + next < n) {
		usage_error("%s: unexpected '%s' in '%s' (ACTION [DURATION] PAGES, then the options)",
			    cmd, words[pos - 1 + next], spec);
		goto out;
	}
	ret = parse_inject_rule(cmd, pos, words, &o, r);
out:
	free(copy);
	return ret;
}

static int inject_list_command(const char *dev)
{
	struct faultmem_inject_rule *rules;
	uint32_t i, n;
	int fd = open_device(dev, O_RDONLY);

	if (fd < 0)
		return 1;
	if (inject_list(fd, &rules, &n))
		errx(1, "%s: cannot list the rules: %s%s", device_path(dev),
		     strerror(errno), inject_hint(errno));
	for (i = 0; i < n; i++)
		print_inject_rule(stdout, &rules[i]);
	free(rules);
	close(fd);
	return 0;
}

/* Clear the rules covering @pages (NULL: every rule). */
static int inject_clear_command(const char *dev, const char *pages)
{
	struct faultmem_inject_clear c = { 0 };
	uint64_t first = 0, nr = 0;
	int fd, n;

	if (pages && parse_inject_pages("inject", pages, &first, &nr))
		return EXIT_USAGE;
	/* No PAGES, or all: the ABI's "every rule", whatever max_size is. */
	c.first_page = first;
	c.nr_pages = nr ? nr : ~0ULL;
	fd = open_device(dev, O_RDWR);
	if (fd < 0)
		return 1;
	n = ioctl(fd, FAULTMEM_IOC_INJECT_CLEAR, &c);
	if (n < 0)
		errx(1, "%s: cannot clear the rules: %s%s", device_path(dev),
		     strerror(errno), inject_hint(errno));
	printf("cleared %d rule(s)\n", n);
	close(fd);
	return 0;
}

static int inject_add_command(const char *dev, struct faultmem_inject_rule *r)
{
	int fd = open_device(dev, O_RDWR);
	int ret;

	if (fd < 0)
		return 1;

	ret = inject_resolve_all(fd, dev, r);
	if (!ret && inject_add(fd, dev, r))
		ret = 1;
	else if (!ret)
		/* As list prints it: the seed drawn is how a run is replayed. */
		print_inject_rule(stdout, r);
	close(fd);
	return ret == EXIT_USAGE ? ret : !!ret;
}

/*
 * faultmem inject [OPTIONS] DEVICE ACTION [DURATION] PAGES | list | clear
 * [PAGES]. Every argument is checked before the device is opened: a
 * usage error sends nothing.
 */
int cmd_inject(int argc, char **argv)
{
	struct faultmem_inject_rule r;
	struct inject_options o;
	const char *dev, *action;
	int next, i, rest, takes;

	if (parse_inject_options("inject", argc, argv, 0, &o, &next))
		return EXIT_USAGE;
	if (argc - next < 2)
		return usage_error("inject: need DEVICE and an action (sigbus, hwpoison, nospace, delay, list or clear)");
	dev = argv[next];
	action = argv[next + 1];
	rest = argc - next - 2;
	/* Parsing stopped at DEVICE: an option after it is out of place, not junk. */
	for (i = next + 2; i < argc; i++)
		if (!strncmp(argv[i], "--", 2))
			return usage_error("inject: options go before DEVICE ('%s')", argv[i]);
	if (!strcmp(action, "list") || !strcmp(action, "clear")) {
		/* list takes nothing more, clear an optional PAGES. */
		takes = !strcmp(action, "clear");
		if (o.first)
			return usage_error("inject: %s takes no options ('%s')", action, o.first);
		if (rest > takes)
			return usage_error("inject: unexpected '%s' after %s%s", argv[next + 2 + takes],
					   action, takes ? " PAGES" : "");
		if (!takes)
			return inject_list_command(dev);
		return inject_clear_command(dev, rest ? argv[next + 2] : NULL);
	}
	if (parse_inject_rule("inject", argc - next - 1, argv + next + 1, &o, &r))
		return EXIT_USAGE;
	return inject_add_command(dev, &r);
}
