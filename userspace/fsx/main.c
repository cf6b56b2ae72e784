// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultmem-fsx: the options, the two files, the loop, and the comparison
 * of what each answered. Exit status 0: they agreed; 1: they disagreed
 * (the seed, the last operations and the command that replays the run
 * are printed); 2: a usage error.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <faultmem.h>

#include "fsx.h"

#define THP_SIZE "/sys/kernel/mm/transparent_hugepage/hpage_pmd_size"

static const char *prog = "faultmem-fsx";

static void __attribute__((noreturn)) usage(FILE *out, int status)
{
	fprintf(out,
"Usage: %s [options]\n"
"\n"
"Apply random operations to a faultmem device and to a tmpfs file of the\n"
"same size, and fail at the first answer or byte where they differ.\n"
"\n"
"Exit status: 0 they agreed, 1 they disagreed (the command that replays\n"
"the run is printed), 2 bad options or files that cannot be set up.\n"
"\n"
"Options:\n"
"  -s, --seed=SEED          the run to do (default: from the clock)\n"
"  -n, --ops=COUNT          stop after COUNT operations\n"
"  -t, --time=SECONDS       stop after SECONDS (default with no -n: 10)\n"
"  -S, --size=BYTES         largest size and mapping length (K, M, G;\n"
"                           default 4M)\n"
"  -c, --compare-every=COUNT compare every byte every COUNT operations\n"
"                           (default 100; and always at the end)\n"
"  -d, --device=PATH        the device (default /dev/faultmem0)\n"
"  -f, --file=PATH          the tmpfs file (default /dev/shm/faultmem-fsx)\n"
"  -H, --huge               the device and the tmpfs have huge=always:\n"
"                           leave out seek-data and seek-hole\n"
"  -o, --only=OP[,OP...]    only these operations\n"
"  -x, --exclude=OP[,OP...] not these operations\n"
"  -v, --verbose            print every operation\n"
"  -h, --help               this help\n"
"\n"
"OP: read pread preadv readv write pwrite pwritev writev mapread mapwrite\n"
"privread privwrite splice-read splice-write sendfile-read sendfile-write\n"
"seek-data seek-hole resize punch pin\n", prog);
	exit(status);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help'.\n", prog);
	exit(EXIT_USAGE);
}

/* Decimal digits, with a K, M or G suffix when @suffix; -1 if not that. */
static int parse_u64(const char *s, int suffix, uint64_t *out)
{
	uint64_t v = 0, unit = 1;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - (*p - '0')) / 10)
			return -1;
		v = v * 10 + (*p - '0');
	}
	if (p == s)
		return -1;
	if (suffix && *p && !p[1]) {
		const char *units = "KMG", *u = strchr(units, *p);

		if (!u)
			return -1;
		unit = 1ULL << (10 * (u - units + 1));
		p++;
	}
	if (*p || v > UINT64_MAX / unit)
		return -1;
	*out = v * unit;
	return 0;
}

/* A comma-separated list of operation names, as a bit mask. */
static unsigned int parse_ops(const char *list)
{
	char *copy = strdup(list), *save, *name;
	unsigned int mask = 0;
	int op;

	if (!copy)
		err(1, "strdup");
	for (name = strtok_r(copy, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		for (op = 0; op < NR_OPS; op++)
			if (!strcmp(name, op_names[op]))
				break;
		if (op == NR_OPS)
			usage_error("unknown operation '%s'", name);
		mask |= 1u << op;
	}
	free(copy);
	if (!mask)
		usage_error("no operation in '%s'", list);
	return mask;
}

static void parse_options(struct fsx *f, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "ops", required_argument, NULL, 'n' },
		{ "time", required_argument, NULL, 't' },
		{ "size", required_argument, NULL, 'S' },
		{ "compare-every", required_argument, NULL, 'c' },
		{ "device", required_argument, NULL, 'd' },
		{ "file", required_argument, NULL, 'f' },
		{ "huge", no_argument, NULL, 'H' },
		{ "only", required_argument, NULL, 'o' },
		{ "exclude", required_argument, NULL, 'x' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c, seeded = 0;

	while ((c = getopt_long(argc, argv, "s:n:t:S:c:d:f:Ho:x:vh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 's':
			if (parse_u64(optarg, 0, &f->seed))
				usage_error("invalid seed '%s'", optarg);
			seeded = 1;
			break;
		case 'n':
			if (parse_u64(optarg, 0, &f->nr_ops) || !f->nr_ops)
				usage_error("invalid count '%s'", optarg);
			break;
		case 't':
			if (parse_u64(optarg, 0, &v) || !v || v > 86400)
				usage_error("invalid time '%s' (1 to 86400 seconds)",
					    optarg);
			f->seconds = v;
			break;
		case 'S':
			if (parse_u64(optarg, 1, &f->max_size) ||
			    !f->max_size || f->max_size % f->page ||
			    f->max_size > (1ULL << 30))
				usage_error("invalid size '%s' (a multiple of %ld up to 1G)",
					    optarg, f->page);
			break;
		case 'c':
			if (parse_u64(optarg, 0, &f->compare_every) ||
			    !f->compare_every)
				usage_error("invalid count '%s'", optarg);
			break;
		case 'd':
			f->dev.path = optarg;
			break;
		case 'f':
			f->tmp.path = optarg;
			break;
		case 'H':
			f->huge = 1;
			break;
		case 'o':
			f->enabled = parse_ops(optarg);
			break;
		case 'x':
			f->enabled &= ~parse_ops(optarg);
			break;
		case 'v':
			f->verbose = 1;
			break;
		case 'h':
			usage(stdout, 0);
		default:
			fprintf(stderr, "Try '%s --help'.\n", prog);
			exit(EXIT_USAGE);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (f->huge)
		f->enabled &= ~(1u << OP_SEEK_DATA | 1u << OP_SEEK_HOLE);
	if (!f->enabled)
		usage_error("every operation is excluded");
	if (!seeded)
		f->seed = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
	if (!f->nr_ops && !f->seconds)
		f->seconds = 10;
}

/* A mapping of @len bytes of @fd aligned to @align (huge folios need it). */
static char *map_aligned(size_t len, size_t align, int flags, int fd)
{
	char *area = mmap(NULL, len + align, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *start, *map;

	if (area == MAP_FAILED)
		return NULL;
	start = (char *)(((uintptr_t)area + align - 1) & ~(uintptr_t)(align - 1));
	map = mmap(start, len, PROT_READ | PROT_WRITE, flags | MAP_FIXED, fd, 0);
	if (map == MAP_FAILED)
		return NULL;
	if (start > area)
		munmap(area, start - area);
	munmap(start + len, area + len + align - (start + len));
	return map;
}

/* Both files at the same size, all holes, and mapped. */
static void setup_target(struct fsx *f, struct target *t)
{
	uint64_t zero = 0;

	if (t->device) {
		t->fd = open(t->path, O_RDWR);
		if (t->fd < 0)
			err(EXIT_USAGE, "%s", t->path);
		if (ioctl(t->fd, FAULTMEM_IOC_SET_SIZE, &zero) ||
		    ioctl(t->fd, FAULTMEM_IOC_SET_SIZE, &f->size))
			err(EXIT_USAGE, "%s: resize to %" PRIu64, t->path, f->size);
	} else {
		t->fd = open(t->path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (t->fd < 0)
			err(EXIT_USAGE, "%s", t->path);
		if (ftruncate(t->fd, f->size))
			err(EXIT_USAGE, "%s: truncate to %" PRIu64, t->path, f->size);
	}
	t->shared = map_aligned(f->max_size, f->folio, MAP_SHARED, t->fd);
	t->private = map_aligned(f->max_size, f->folio, MAP_PRIVATE, t->fd);
	if (!t->shared || !t->private)
		err(EXIT_USAGE, "%s: mmap", t->path);
}

static void setup(struct fsx *f)
{
	FILE *thp = fopen(THP_SIZE, "r");
	unsigned long long folio = 0;
	int i, pipe_size;

	if (thp && fscanf(thp, "%llu", &folio) != 1)
		folio = 0;
	if (thp)
		fclose(thp);
	f->folio = folio ? folio : 512 * (uint64_t)f->page;
	if (f->huge && f->max_size % f->folio)
		usage_error("with -H, the size must be a multiple of the huge page size (%" PRIu64 ")",
			    f->folio);
	f->io_max = (f->huge ? f->folio : 0) + 64 * (uint64_t)f->page;
	if (pipe2(f->pipe, O_NONBLOCK))
		err(1, "pipe");
	/*
	 * Room for twice the longest transfer, so that a splice never stops
	 * at a full pipe: where it would stop depends on how each file fills
	 * pipe buffers, which splice(2) leaves open.
	 */
	pipe_size = fcntl(f->pipe[1], F_SETPIPE_SZ, (int)(2 * f->io_max));
	if (pipe_size < 0)
		pipe_size = fcntl(f->pipe[1], F_GETPIPE_SZ);
	if (pipe_size > 0 && (uint64_t)pipe_size < 2 * f->io_max)
		f->io_max = pipe_size / 2;
	f->source = memfd_create("faultmem-fsx-source", 0);
	if (f->source < 0)
		err(1, "memfd_create");
	for (i = 0; i < 2; i++) {
		f->buf[i] = malloc(f->max_size + f->io_max + f->page);
		if (!f->buf[i])
			err(1, "malloc");
	}
	f->data = malloc(f->io_max);
	f->scratch = malloc(f->max_size);
	if (!f->data || !f->scratch)
		err(1, "malloc");
	f->rng = f->seed;
	f->size = f->max_size / 2 / f->page * f->page;
	if (catch_sigbus())
		err(1, "sigaction");
	if (pipe(f->dev.pin) || pipe(f->tmp.pin))
		err(1, "pipe");
	find_sysfs(f);
	setup_target(f, &f->dev);
	setup_target(f, &f->tmp);
}

/* The command that replays this run up to operation @n. */
static void print_replay(FILE *out, struct fsx *f, uint64_t n)
{
	unsigned int all = (1u << NR_OPS) - 1;
	int op, first = 1;

	fprintf(out, "replay: %s -s %" PRIu64 " -n %" PRIu64 " -S %" PRIu64
		" -d %s -f %s%s", prog, f->seed, n, f->max_size, f->dev.path,
		f->tmp.path, f->huge ? " -H" : "");
	if (f->huge)
		all &= ~(1u << OP_SEEK_DATA | 1u << OP_SEEK_HOLE);
	if (f->enabled != all)
		for (op = 0; op < NR_OPS; op++)
			if (f->enabled & 1u << op) {
				fprintf(out, "%s%s", first ? " -o " : ",",
					op_names[op]);
				first = 0;
			}
	fprintf(out, "\n");
}

void disagree(struct fsx *f, const char *fmt, ...)
{
	/* The operation after which they disagree; the last at the end. */
	uint64_t n = f->done_ops + !f->at_end;
	va_list ap;

	fprintf(stderr, "%s: seed %" PRIu64 ", operation %" PRIu64 "%s: ",
		prog, f->seed, n, f->at_end ? " (the last)" : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	print_history(f, n);
	print_replay(stderr, f, n);
	exit(1);
}

static void print_result(char *s, size_t size, const struct result *r)
{
	int n = snprintf(s, size, "%lld", r->ret);

	if (r->ret == -1)
		n += snprintf(s + n, size - n, " (%s)", strerrorname_np(r->err));
	if (r->signo)
		n += snprintf(s + n, size - n, ", SIGBUS after 0x%" PRIx64 " bytes",
			      r->done);
	if (r->pos >= 0)
		snprintf(s + n, size - n, ", position 0x%llx", r->pos);
}

/* The first offset where @a and @b differ, or -1. */
static long long first_difference(const char *a, const char *b, size_t len)
{
	size_t i;

	if (!memcmp(a, b, len))
		return -1;
	for (i = 0; a[i] == b[i]; i++)
		;
	return i;
}

static int reads_bytes(enum fsx_op op)
{
	return op == OP_READ || op == OP_PREAD || op == OP_PREADV ||
	       op == OP_READV ||
	       op == OP_MAP_LOAD || op == OP_PRIVATE_LOAD ||
	       op == OP_SPLICE_FROM || op == OP_SENDFILE_FROM || op == OP_PIN;
}

static void compare_results(struct fsx *f, const struct op *op,
			    const struct result *d, const struct result *t)
{
	char ds[128], ts[128];
	long long at;

	if (d->ret == -2 || t->ret == -2)
		errx(1, "the harness could not set up operation %" PRIu64,
		     f->done_ops + 1);
	if (d->ret != t->ret || (d->ret == -1 && d->err != t->err) ||
	    d->signo != t->signo || d->done != t->done || d->pos != t->pos) {
		print_result(ds, sizeof(ds), d);
		print_result(ts, sizeof(ts), t);
		disagree(f, "%s: device %s, tmpfs %s", op_names[op->op], ds, ts);
	}
	if (op->op == OP_PIN && f->pin_stale)
		return;
	if (reads_bytes(op->op) && d->ret > 0) {
		at = first_difference(f->buf[0], f->buf[1], d->ret);
		if (at >= 0)
			disagree(f, "%s: byte 0x%llx of the file: device 0x%02x, tmpfs 0x%02x",
				 op_names[op->op],
				 (long long)(op->op == OP_PIN ? f->pin_off :
					     op->off) + at,
				 (unsigned char)f->buf[0][at],
				 (unsigned char)f->buf[1][at]);
	}
}

/*
 * What a pipe holding a page cut off by a shrink or a punch shows is not
 * the file's: tmpfs zeroes the part of a huge folio it cannot split in
 * place (the pipe sees zeroes), a file's small page leaves the page cache
 * with its bytes (the pipe keeps them). With small pages both keep them
 * and the bytes are compared; with huge folios they are not.
 */
static void track_pin(struct fsx *f, const struct op *op)
{
	if (op->op == OP_PIN) {
		f->pin_off = op->off;
		f->pin_stale = 0;
		return;
	}
	if (!f->dev.pinned || !f->huge)
		return;
	if (op->op == OP_RESIZE && f->pin_off >= op->off)
		f->pin_stale = 1;
	if (op->op == OP_PUNCH && f->pin_off >= op->off &&
	    f->pin_off < op->off + op->len)
		f->pin_stale = 1;
}

/*
 * Every byte of both, read with pread(), and the sizes; at the end also
 * through both mappings of each (a page the mapping and read() see
 * differently is a coherence bug even where the two files agree).
 */
static void compare_all(struct fsx *f, int mappings)
{
	struct target *t[2] = { &f->dev, &f->tmp };
	long long at, end;
	ssize_t n;
	int i;

	for (i = 0; i < 2; i++) {
		end = lseek(t[i]->fd, 0, SEEK_END);
		if (end != (long long)f->size)
			disagree(f, "%s: size 0x%llx, expected 0x%" PRIx64,
				 t[i]->name, end, f->size);
		n = pread(t[i]->fd, f->buf[i], f->size + f->page, 0);
		if (n != (ssize_t)f->size)
			disagree(f, "%s: read of every byte returned %zd (%m)",
				 t[i]->name, n);
		if (!mappings)
			continue;
		if (copy_from_mapping(f, f->scratch, t[i]->shared, f->size))
			disagree(f, "%s: SIGBUS reading its shared mapping",
				 t[i]->name);
		at = first_difference(f->buf[i], f->scratch, f->size);
		if (at >= 0)
			disagree(f, "%s: byte 0x%llx differs in its shared mapping",
				 t[i]->name, at);
	}
	at = first_difference(f->buf[0], f->buf[1], f->size);
	if (at >= 0)
		disagree(f, "byte 0x%llx: device 0x%02x, tmpfs 0x%02x", at,
			 (unsigned char)f->buf[0][at],
			 (unsigned char)f->buf[1][at]);
	if (mappings) {
		if (copy_from_mapping(f, f->buf[0], f->dev.private, f->size) ||
		    copy_from_mapping(f, f->buf[1], f->tmp.private, f->size))
			disagree(f, "SIGBUS reading a private mapping");
		at = first_difference(f->buf[0], f->buf[1], f->size);
		if (at >= 0)
			disagree(f, "byte 0x%llx differs in the private mappings",
				 at);
	}
}

/*
 * Whether @op (a resize or a punch) cuts through the 2 MiB block of the
 * page held in the pipe: an end strictly inside it, where the device
 * must split the folio it cannot split. Only there may it answer EBUSY.
 */
static int cuts_held_folio(struct fsx *f, const struct op *op)
{
	uint64_t start = f->pin_off / f->folio * f->folio;
	uint64_t ends[2] = { op->off, op->off + op->len };
	int i, n = op->op == OP_PUNCH ? 2 : 1;

	if (!f->huge || !f->dev.pinned)
		return 0;
	for (i = 0; i < n; i++)
		if (ends[i] > start && ends[i] < start + f->folio)
			return 1;
	return 0;
}

/*
 * One operation on both files, their answers compared; after one the
 * device refused, what must not have moved (check_refused()).
 */
static void step(struct fsx *f, const struct op *op)
{
	uint64_t before[32];	/* struct faultmem_stats, whatever its size */
	int shape = op->op == OP_RESIZE || op->op == OP_PUNCH;
	struct result d, t;

	if (stats_size() > sizeof(before))
		errx(1, "struct faultmem_stats grew past %zu bytes",
		     sizeof(before));
	if (op->op != OP_RESIZE && op->op != OP_PUNCH &&
	    op->op != OP_SEEK_DATA && op->op != OP_SEEK_HOLE &&
	    op->op != OP_PIN)
		rng_fill(op->data_seed, f->data, op->len);
	if (shape)
		get_stats(f, before);
	apply_op(f, &f->dev, op, f->buf[0], &d);
	/*
	 * A 2 MiB folio held in a pipe cannot be split: the device refuses
	 * to cut through it (EBUSY, docs/decisions.md) where tmpfs zeroes
	 * the part instead. tmpfs is not asked then.
	 */
	if (shape && d.ret == -1 && d.err == EBUSY && cuts_held_folio(f, op))
		t = d;
	else
		apply_op(f, &f->tmp, op, f->buf[1], &t);
	compare_results(f, op, &d, &t);
	if (shape && d.ret == -1) {
		check_refused(f, op, before);
		f->refused++;
		f->busy += d.err == EBUSY;
	}
	f->by_sysfs += op->op == OP_RESIZE && op->digits;
	if ((shape && d.ret == 0) || (op->op == OP_PIN && f->dev.pinned))
		track_pin(f, op);
	if (op->op == OP_RESIZE && d.ret == 0)
		f->size = op->off;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct fsx f = {
		.page = sysconf(_SC_PAGESIZE),
		.max_size = 4ULL << 20,
		.compare_every = 100,
		.enabled = (1u << NR_OPS) - 1,
		.dev = { .name = "device", .path = "/dev/faultmem0", .device = 1 },
		.tmp = { .name = "tmpfs", .path = "/dev/shm/faultmem-fsx" },
	};
	double deadline;
	struct op op;

	parse_options(&f, argc, argv);
	setup(&f);
	printf("%s: seed %" PRIu64 ", sizes up to 0x%" PRIx64
	       ", %s, huge page 0x%" PRIx64 ", transfers up to 0x%" PRIx64 "\n",
	       prog, f.seed, f.max_size, f.huge ? "huge=always" : "small pages",
	       f.folio, f.io_max);
	fflush(stdout);
	deadline = now() + f.seconds;
	while ((!f.nr_ops || f.done_ops < f.nr_ops) &&
	       (!f.seconds || now() < deadline)) {
		draw_op(&f, &op);
		log_op(&f, &op);
		step(&f, &op);
		if ((f.done_ops + 1) % f.compare_every == 0)
			compare_all(&f, 0);
		f.done_ops++;
	}
	f.at_end = 1;
	compare_all(&f, 1);
	printf("%s: %" PRIu64 " operations, seed %" PRIu64
	       ": the device and tmpfs agreed\n", prog, f.done_ops, f.seed);
	printf("%s: %" PRIu64 " resizes through sysfs; %" PRIu64
	       " operations refused (%" PRIu64 " EBUSY), each followed by a check of the counters and the cap (%"
	       PRIu64 " ENOSPC probes)\n",
	       prog, f.by_sysfs, f.refused, f.busy, f.cap_probes);
	print_replay(stdout, &f, f.done_ops);
	return 0;
}
