// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultmem-bench: the same access patterns on faultmem and on the memory a
 * user would otherwise choose for a shared buffer (a memfd, a tmpfs file,
 * private anonymous memory; with transparent huge pages where the question
 * is huge pages), in one run, so that the ratios compare like with like.
 *
 *   faultmem-bench [-s MIB] [-r REPS] [-t TMPFS_DIR] [-T HUGE_TMPFS_DIR]
 *                  [-d DEVICE] [-h]
 *
 * TMPFS_DIR (default /mnt/tmpfs) must be a tmpfs mounted huge=never and
 * HUGE_TMPFS_DIR (default /mnt/tmpfs-huge) one mounted huge=always; both
 * are checked before anything runs. DEVICE's size and huge policy are put
 * back as they were when the bench ends, fails or is killed by SIGINT,
 * SIGTERM or SIGHUP (only SIGKILL leaves them changed).
 *
 * Prints a Markdown table, then the same numbers as CSV between the lines
 * "@@BEGIN CSV" and "@@END" (scripts/gen-bench.sh files them). Every number
 * is the median of REPS repetitions. Under emulation (TCG) the absolute
 * times mean nothing; compare ratios within one run.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <linux/magic.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <faultmem.h>

#define MIB		(1L << 20)
#define HUGE_ALIGN	(2 * MIB)
#define MAX_REPS	31
#define THREADS		2

enum backend { FAULTMEM, MEMFD, TMPFS, ANON, FAULTMEM_HUGE, TMPFS_HUGE,
	       ANON_THP, NR_BACKENDS };

static const char *const backend_names[NR_BACKENDS] = {
	"faultmem", "memfd", "tmpfs", "anon", "faultmem huge=always",
	"tmpfs huge=always", "anon THP",
};

static const char *device = "/dev/faultmem0";
static const char *tmpfs_dir = "/mnt/tmpfs";
static const char *huge_tmpfs_dir = "/mnt/tmpfs-huge";
static long size = 32 * MIB, page;
static int reps = 5;

static void die(const char *what)
{
	fprintf(stderr, "faultmem-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static int is_anon(enum backend b)
{
	return b == ANON || b == ANON_THP;
}

/*
 * The device under test as it was before the bench: its huge policy file
 * (found through the node's device number, so that -d DEV switches DEV's
 * and not faultmem0's), the policy and the size, put back on the way out.
 */
static char huge_path[64];
static char saved_huge[16];
static uint64_t saved_size;
static int restore_fd = -1;

/* Async-signal-safe: only open, write, close and ioctl. */
static int restore_device(void)
{
	int fd = open(huge_path, O_WRONLY), ret = 0;

	if (fd < 0 || write(fd, saved_huge, strlen(saved_huge)) < 0)
		ret = -1;
	if (fd >= 0)
		close(fd);
	if (ioctl(restore_fd, FAULTMEM_IOC_SET_SIZE, &saved_size))
		ret = -1;
	return ret;
}

static void restore_at_exit(void)
{
	if (restore_device())
		fprintf(stderr, "faultmem-bench: could not restore %s (size %llu, huge=%s): %s\n",
			device, (unsigned long long)saved_size, saved_huge,
			strerror(errno));
}

/* Killed: restore, then die of the same signal (the caller sees which). */
static void on_fatal_signal(int sig)
{
	restore_device();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* The policy in brackets of a huge file's "never [always] within_size". */
static int current_policy(const char *text, char *out, size_t size)
{
	const char *open = strchr(text, '['), *close = open ? strchr(open, ']') : NULL;

	if (!close || (size_t)(close - open - 1) >= size)
		return -1;
	memcpy(out, open + 1, close - open - 1);
	out[close - open - 1] = '\0';
	return 0;
}

static void remember_device(void)
{
	char text[128] = "";
	struct sigaction sa;
	struct stat st;
	ssize_t n;
	int fd;

	restore_fd = open(device, O_RDWR);
	if (restore_fd < 0 || fstat(restore_fd, &st))
		die(device);
	if (!S_ISCHR(st.st_mode)) {
		fprintf(stderr, "faultmem-bench: %s is not a faultmem device node\n", device);
		exit(1);
	}
	snprintf(huge_path, sizeof(huge_path), "/sys/dev/char/%u:%u/huge",
		 major(st.st_rdev), minor(st.st_rdev));
	fd = open(huge_path, O_RDONLY);
	if (fd < 0)
		die(huge_path);
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0 || current_policy(text, saved_huge, sizeof(saved_huge))) {
		fprintf(stderr, "faultmem-bench: %s: no policy in '%s'\n", huge_path, text);
		exit(1);
	}
	saved_size = lseek(restore_fd, 0, SEEK_END);
	atexit(restore_at_exit);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static void faultmem_huge(const char *policy)
{
	int fd = open(huge_path, O_WRONLY);

	if (fd < 0 || write(fd, policy, strlen(policy)) < 0)
		die(huge_path);
	close(fd);
}

/*
 * The tmpfs rows need a tmpfs at @dir (@opt names the option, @huge the
 * mount's huge= option): checked first, with how to make one, rather
 * than failing halfway with the device already changed.
 */
static void check_tmpfs(const char *dir, const char *opt, const char *huge)
{
	struct statfs fs;
	int err = statfs(dir, &fs) ? errno : 0;

	if (!err && fs.f_type == TMPFS_MAGIC)
		return;
	fprintf(stderr, "faultmem-bench: %s: %s; the tmpfs rows need a tmpfs there:\n"
		"  mkdir -p %s && mount -t tmpfs -o size=%ldm,huge=%s tmpfs %s\n"
		"or give another with %s DIR\n",
		dir, err ? strerror(err) : "not a tmpfs",
		dir, 2 * size / MIB, huge, dir, opt);
	exit(1);
}

/* Open the backing object, empty and of the benchmark's size. */
static int open_backend(enum backend b)
{
	char path[256];
	uint64_t bytes = size;
	int fd;

	switch (b) {
	case FAULTMEM:
	case FAULTMEM_HUGE:
		faultmem_huge(b == FAULTMEM ? "never" : "always");
		fd = open(device, O_RDWR);
		if (fd < 0 || ioctl(fd, FAULTMEM_IOC_SET_SIZE, &bytes))
			die(device);
		return fd;
	case MEMFD:
		fd = memfd_create("faultmem-bench", 0);
		break;
	case TMPFS:
	case TMPFS_HUGE:
		snprintf(path, sizeof(path), "%s/bench",
			 b == TMPFS ? tmpfs_dir : huge_tmpfs_dir);
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0)
			unlink(path);
		break;
	default:
		return -1;
	}
	if (fd < 0 || ftruncate(fd, size))
		die(backend_names[b]);
	return fd;
}

/* Free every page of the object, keeping its size. */
static void empty_backend(enum backend b, int fd)
{
	struct faultmem_range all = { .offset = 0, .length = size };

	if (is_anon(b))
		return;
	if (b == FAULTMEM || b == FAULTMEM_HUGE) {
		if (ioctl(fd, FAULTMEM_IOC_PUNCH_HOLE, &all))
			die("punch");
	} else if (ftruncate(fd, 0) || ftruncate(fd, size)) {
		die("ftruncate");
	}
}

/* Map the object (or fresh anonymous memory) at a 2 MiB-aligned address. */
static char *map_backend(enum backend b, int fd)
{
	char *area = mmap(NULL, size + HUGE_ALIGN, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	char *start, *map;

	if (area == MAP_FAILED)
		die("mmap reserve");
	start = (char *)(((uintptr_t)area + HUGE_ALIGN - 1) & ~(HUGE_ALIGN - 1));
	if (is_anon(b))
		map = mmap(start, size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	else
		map = mmap(start, size, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_FIXED, fd, 0);
	if (map == MAP_FAILED)
		die("mmap");
	if (start > area)
		munmap(area, start - area);
	munmap(start + size, area + HUGE_ALIGN - start);
	if (b == ANON && madvise(map, size, MADV_NOHUGEPAGE))
		die("madvise(MADV_NOHUGEPAGE)");
	if (b == ANON_THP && madvise(map, size, MADV_HUGEPAGE))
		die("madvise(MADV_HUGEPAGE)");
	return map;
}

struct sample {
	double ns;
	double faults;
};

static void touch(volatile char *map, long from, long to, int write)
{
	long i;

	for (i = from; i < to; i += page) {
		if (write)
			map[i] = 1;
		else
			(void)map[i];
	}
}

struct half {
	volatile char *map;
	long from, to;
	pthread_barrier_t *start, *done;
};

static void *touch_half(void *arg)
{
	struct half *h = arg;

	pthread_barrier_wait(h->start);
	touch(h->map, h->from, h->to, 1);
	pthread_barrier_wait(h->done);
	return NULL;
}

/* First-touch write of every page by THREADS threads, one part each. */
static struct sample threaded_first_touch(char *map)
{
	pthread_barrier_t start, done;
	pthread_t tid[THREADS];
	struct half h[THREADS];
	struct sample s;
	int i;

	pthread_barrier_init(&start, NULL, THREADS + 1);
	pthread_barrier_init(&done, NULL, THREADS + 1);
	for (i = 0; i < THREADS; i++) {
		h[i] = (struct half){ map, size / THREADS * i,
				      size / THREADS * (i + 1), &start, &done };
		if (pthread_create(&tid[i], NULL, touch_half, &h[i]))
			die("pthread_create");
	}
	s.faults = minflt();
	s.ns = now_ns();
	pthread_barrier_wait(&start);
	pthread_barrier_wait(&done);
	s.ns = now_ns() - s.ns;
	s.faults = minflt() - s.faults;
	for (i = 0; i < THREADS; i++)
		pthread_join(tid[i], NULL);
	pthread_barrier_destroy(&start);
	pthread_barrier_destroy(&done);
	return s;
}

enum pattern { FIRST_WRITE, REFAULT_READ, REFAULT_WRITE, READ_SYSCALL,
	       WRITE_SYSCALL, THREADED_FIRST_WRITE, NR_PATTERNS };

static const char *const pattern_names[NR_PATTERNS] = {
	"first-touch write", "re-fault read", "re-fault write",
	"read() 1 MiB", "write() 1 MiB", "first-touch write (2 threads)",
};

/* Patterns that need a file: the data must outlive the mapping. */
static int needs_file(enum pattern p)
{
	return p != FIRST_WRITE && p != THREADED_FIRST_WRITE;
}

static struct sample run_once(enum backend b, enum pattern p, int fd,
			      char *buf)
{
	struct sample s = { 0, 0 };
	char *map;
	long off;

	empty_backend(b, fd);
	if (needs_file(p) && !is_anon(b)) {
		/* Make every page resident first, through a mapping. */
		map = map_backend(b, fd);
		touch(map, 0, size, 1);
		munmap(map, size);
	}
	if (p == READ_SYSCALL || p == WRITE_SYSCALL) {
		s.faults = minflt();
		s.ns = now_ns();
		for (off = 0; off < size; off += MIB) {
			ssize_t n = p == READ_SYSCALL ?
				pread(fd, buf, MIB, off) :
				pwrite(fd, buf, MIB, off);
			if (n != MIB)
				die(p == READ_SYSCALL ? "pread" : "pwrite");
		}
		s.ns = now_ns() - s.ns;
		s.faults = minflt() - s.faults;
		return s;
	}

	map = map_backend(b, fd);
	if (p == THREADED_FIRST_WRITE) {
		s = threaded_first_touch(map);
	} else {
		s.faults = minflt();
		s.ns = now_ns();
		touch(map, 0, size, p != REFAULT_READ);
		s.ns = now_ns() - s.ns;
		s.faults = minflt() - s.faults;
	}
	munmap(map, size);
	return s;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median over the repetitions: ns per page and faults per MiB. */
static struct sample measure(enum backend b, enum pattern p, char *buf)
{
	double ns[MAX_REPS], faults[MAX_REPS];
	int fd = open_backend(b), r;
	struct sample s;

	run_once(b, p, fd, buf);	/* warm-up, not counted */
	for (r = 0; r < reps; r++) {
		s = run_once(b, p, fd, buf);
		ns[r] = s.ns / (size / page);
		faults[r] = (double)s.faults / (size / MIB);
	}
	if (fd >= 0)
		close(fd);
	qsort(ns, reps, sizeof(ns[0]), cmp_double);
	qsort(faults, reps, sizeof(faults[0]), cmp_double);
	s.ns = ns[reps / 2];
	s.faults = faults[reps / 2];
	return s;
}

struct row {
	const char *what;
	enum pattern pattern;
	enum backend backends[4];
	int nr;
	enum backend reference;	/* the ratio is faultmem / reference */
};

static const struct row rows[] = {
	{ "4 KiB pages", FIRST_WRITE, { FAULTMEM, MEMFD, TMPFS, ANON }, 4, MEMFD },
	{ "4 KiB pages", REFAULT_READ, { FAULTMEM, MEMFD, TMPFS }, 3, MEMFD },
	{ "4 KiB pages", REFAULT_WRITE, { FAULTMEM, MEMFD, TMPFS }, 3, MEMFD },
	{ "4 KiB pages", READ_SYSCALL, { FAULTMEM, MEMFD, TMPFS }, 3, TMPFS },
	{ "4 KiB pages", WRITE_SYSCALL, { FAULTMEM, MEMFD, TMPFS }, 3, TMPFS },
	{ "4 KiB pages", THREADED_FIRST_WRITE, { FAULTMEM, MEMFD, TMPFS, ANON }, 4, MEMFD },
	{ "2 MiB pages", FIRST_WRITE, { FAULTMEM_HUGE, TMPFS_HUGE, ANON_THP }, 3, ANON_THP },
	{ "2 MiB pages", REFAULT_READ, { FAULTMEM_HUGE, TMPFS_HUGE }, 2, TMPFS_HUGE },
	{ "2 MiB pages", THREADED_FIRST_WRITE, { FAULTMEM_HUGE, TMPFS_HUGE, ANON_THP }, 3, ANON_THP },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: faultmem-bench [-s MIB] [-r REPS] [-t TMPFS_DIR] [-T HUGE_TMPFS_DIR] [-d DEVICE] [-h]\n"
		"  -s MIB   bytes per run, a multiple of 2 MiB (default 32)\n"
		"  -r REPS  repetitions, the median is shown, 1 to %d (default 5)\n"
		"  -t DIR   a tmpfs mounted huge=never (default /mnt/tmpfs)\n"
		"  -T DIR   a tmpfs mounted huge=always (default /mnt/tmpfs-huge)\n"
		"  -d DEV   the faultmem device (default /dev/faultmem0); its size and\n"
		"           huge policy are restored afterwards\n"
		"Exit status: 0 success, 1 failure, 2 bad usage.\n", MAX_REPS);
}

/* A whole argument of decimal digits, 1 to @max; atol() took "2x" as 2. */
static long parse_number(int opt, const char *s, long max)
{
	long v = 0;
	const char *p;

	for (p = s; *p >= '0' && *p <= '9' && v <= max; p++)
		v = v * 10 + (*p - '0');
	if (p == s || *p || v < 1 || v > max) {
		fprintf(stderr, "faultmem-bench: -%c '%s' is not a number from 1 to %ld\n",
			opt, s, max);
		usage(stderr);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	static struct sample results[sizeof(rows) / sizeof(rows[0])][4];
	unsigned int i;
	char *buf;
	int opt, j;

	opterr = 0;
	while ((opt = getopt(argc, argv, ":s:r:t:T:d:h")) != -1) {
		switch (opt) {
		case 's': size = parse_number(opt, optarg, 1 << 20) * MIB; break;
		case 'r': reps = parse_number(opt, optarg, MAX_REPS); break;
		case 't': tmpfs_dir = optarg; break;
		case 'T': huge_tmpfs_dir = optarg; break;
		case 'd': device = optarg; break;
		case 'h': usage(stdout); return 0;
		case ':':
			fprintf(stderr, "faultmem-bench: option -%c needs a value\n", optopt);
			usage(stderr);
			return 2;
		default:
			fprintf(stderr, "faultmem-bench: unknown option -%c\n", optopt);
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "faultmem-bench: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (size % HUGE_ALIGN) {
		fprintf(stderr, "faultmem-bench: -s must be a multiple of 2 (MiB)\n");
		return 2;
	}
	check_tmpfs(tmpfs_dir, "-t", "never");
	check_tmpfs(huge_tmpfs_dir, "-T", "always");
	remember_device();
	page = sysconf(_SC_PAGESIZE);
	buf = malloc(MIB);
	if (!buf)
		die("malloc");
	memset(buf, 'b', MIB);

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		for (j = 0; j < rows[i].nr; j++)
			results[i][j] = measure(rows[i].backends[j],
						rows[i].pattern, buf);
	/* The device as it was, before the results (atexit does it again, harmlessly). */
	restore_at_exit();

	printf("%ld MiB per run, median of %d runs; ns per 4 KiB page (lower is better), faults per MiB from getrusage.\n\n",
	       size / MIB, reps);
	printf("| pages | pattern | backend | ns/page | faults/MiB | faultmem / reference |\n");
	printf("|---|---|---|---:|---:|---:|\n");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		double ref = 0;

		for (j = 0; j < rows[i].nr; j++)
			if (rows[i].backends[j] == rows[i].reference)
				ref = results[i][j].ns;
		for (j = 0; j < rows[i].nr; j++) {
			const struct sample *s = &results[i][j];

			printf("| %s | %s | %s | %.0f | %.1f | ", rows[i].what,
			       pattern_names[rows[i].pattern],
			       backend_names[rows[i].backends[j]], s->ns, s->faults);
			if (j == 0)
				printf("%.2f (vs %s) |\n", s->ns / ref,
				       backend_names[rows[i].reference]);
			else
				printf(" |\n");
		}
	}

	printf("@@BEGIN CSV\n");
	printf("pages,pattern,backend,ns_per_page,faults_per_mib,size_mib,reps\n");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		for (j = 0; j < rows[i].nr; j++)
			printf("%s,%s,%s,%.1f,%.2f,%ld,%d\n", rows[i].what,
			       pattern_names[rows[i].pattern],
			       backend_names[rows[i].backends[j]],
			       results[i][j].ns, results[i][j].faults,
			       size / MIB, reps);
	printf("@@END\n");
	free(buf);
	return 0;
}
