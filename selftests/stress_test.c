// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stress with a model: processes and threads race every path into the
 * driver for a bounded time (FAULTMEM_STRESS_SECONDS, default 60) while a
 * controller resizes and punches holes, and every read is checked against
 * a model of what each byte must hold.
 *
 * Layout of the device (pages):
 *   [0, SHARED_PAGES)                  the shared region: every worker owns
 *                                      one byte of each page and writes it
 *                                      concurrently (first-touch races)
 *   [SHARED_PAGES + w * REGION_PAGES, +REGION_PAGES)
 *                                      worker w's own region
 *
 * The model: a region holds either zeroes (seed 0) or the pattern of its
 * seed. Only the owner and the controller touch a region, under the
 * region's lock (a robust process-shared mutex), so the model is exact.
 * The controller shrinks the device (regions past the end become "absent":
 * their owner must then see SIGBUS with the right address, read() 0 and
 * write() ENOSPC), grows it back (absent regions become zero) and punches
 * regions and the shared region (they become zero).
 *
 * Any divergence, unexpected signal or unexpected errno fails the test.
 */
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <sys/uio.h>

#include "faultmem_test.h"
#include "kselftest_harness.h"

#define PROCESSES	2
#define THREADS		3
#define WORKERS		(PROCESSES * THREADS)
#define SHARED_PAGES	4
#define REGION_PAGES	4
#define TOTAL_PAGES	(SHARED_PAGES + WORKERS * REGION_PAGES)

struct region {
	pthread_mutex_t lock;
	unsigned int seed;	/* 0: zeroes */
	int absent;		/* beyond the current size */
};

struct control {
	struct region regions[WORKERS];
	atomic_int shared_blocked;	/* controller wants the shared region */
	atomic_int shared_active;	/* workers inside it */
	unsigned char shared_value[WORKERS];	/* each worker's byte */
	atomic_int stop;
	atomic_int failed;
	char failure[256];
	atomic_long ops[16];
};

enum { OP_WRITE_MAP, OP_WRITE_PWRITE, OP_VERIFY_MAP, OP_VERIFY_PREAD,
	OP_PRIVATE, OP_DONTNEED, OP_MPROTECT, OP_MREMAP, OP_FORK, OP_REOPEN,
	OP_SHARED, OP_ABSENT, OP_RESIZE, OP_PUNCH, OP_PUNCH_SHARED, OP_GUP,
	NR_OPS };

static const char *const op_names[NR_OPS] = {
	"write-map", "write-pwrite", "verify-map", "verify-pread", "private-cow",
	"madv-dontneed", "mprotect", "mremap", "fork", "reopen", "shared-page",
	"expected-sigbus", "resize", "punch", "punch-shared", "process_vm_readv",
};

static struct control *ctl;
static long page;
static size_t region_len;

static void fail(const char *fmt, ...)
{
	va_list ap;

	if (atomic_exchange(&ctl->failed, 1) == 0) {
		va_start(ap, fmt);
		vsnprintf(ctl->failure, sizeof(ctl->failure), fmt, ap);
		va_end(ap);
	}
	atomic_store(&ctl->stop, 1);
}

static unsigned char pattern(unsigned int seed, size_t off)
{
	return seed ? (unsigned char)((seed * 2654435761u + off * 40503u) >> 13) | 1 : 0;
}

static off_t region_offset(int w)
{
	return (off_t)(SHARED_PAGES + w * REGION_PAGES) * page;
}

static int matches(const unsigned char *p, unsigned int seed)
{
	size_t i;

	for (i = 0; i < region_len; i++)
		if (p[i] != pattern(seed, i))
			return 0;
	return 1;
}

static void fill(unsigned char *p, unsigned int seed)
{
	size_t i;

	for (i = 0; i < region_len; i++)
		p[i] = pattern(seed, i);
}

static void lock_region(struct region *r)
{
	int err = pthread_mutex_lock(&r->lock);

	if (err == EOWNERDEAD) {
		pthread_mutex_consistent(&r->lock);
		fail("a worker died holding its region lock");
	} else if (err) {
		fail("pthread_mutex_lock: %s", strerror(err));
	}
}

/*
 * Expected-signal handling: per thread, so threads do not interfere, and
 * volatile, so the compiler cannot drop or move the stores around the
 * faulting access (the signal handler reads them).
 */
static __thread sigjmp_buf *volatile expect_jump;
static __thread volatile int current_op = -1, current_worker = -1;
static __thread void *volatile caught_addr;
static __thread volatile int caught_code;

static void on_signal(int signo, siginfo_t *info, void *uc)
{
	(void)uc;
	if (signo == SIGBUS && expect_jump) {
		caught_addr = info->si_addr;
		caught_code = info->si_code;
		siglongjmp(*expect_jump, 1);
	}
	fail("worker %d, op %d: unexpected signal %d (si_code %d) at %p",
	     current_worker, current_op, signo, info->si_code, info->si_addr);
	_exit(1);
}

/* Touch @p expecting SIGBUS; returns 1 if it came with the right details. */
static int touch_expect_sigbus(volatile unsigned char *p)
{
	sigjmp_buf jump;

	caught_addr = NULL;
	if (!sigsetjmp(jump, 1)) {
		expect_jump = &jump;
		(void)*p;
		expect_jump = NULL;
		return 0;
	}
	expect_jump = NULL;
	return caught_code == BUS_ADRERR && caught_addr == (void *)p;
}

struct worker {
	int id;
	int fd;
	unsigned char *map;	/* MAP_SHARED of the region */
	unsigned char *whole;	/* MAP_SHARED of the whole device, read-only */
	unsigned char *shared;	/* MAP_SHARED of the shared region */
	unsigned char *buf;
	unsigned int rng;
};

static unsigned int next_rand(unsigned int *state)
{
	*state = *state * 1103515245u + 12345u;
	return *state >> 8;
}

#define CHECK(cond, ...)				\
	do {						\
		if (!(cond)) {				\
			fail(__VA_ARGS__);		\
			return;				\
		}					\
	} while (0)

static void count(int op)
{
	atomic_fetch_add(&ctl->ops[op], 1);
}

/* One operation on the worker's own region; the region lock is held. */
static void region_op(struct worker *wk, struct region *r)
{
	off_t off = region_offset(wk->id);
	unsigned int seed = next_rand(&wk->rng) | 1;
	int op = next_rand(&wk->rng) % 11, w = wk->id;
	unsigned char *p;
	ssize_t n;

	current_op = r->absent ? OP_ABSENT : op;
	current_worker = w;
	if (r->absent) {
		CHECK(touch_expect_sigbus(wk->map + next_rand(&wk->rng) % region_len),
		      "worker %d: no SIGBUS in its absent region", w);
		CHECK(pread(wk->fd, wk->buf, region_len, off) == 0,
		      "worker %d: read past the end was not 0", w);
		CHECK(pwrite(wk->fd, wk->buf, 1, off) == -1 && errno == ENOSPC,
		      "worker %d: write past the end was not ENOSPC", w);
		count(OP_ABSENT);
		usleep(500);	/* leave the CPU to the workers with data */
		return;
	}

	switch (op) {
	case 0:
		fill(wk->map, seed);
		r->seed = seed;
		count(OP_WRITE_MAP);
		break;
	case 1:
		fill(wk->buf, seed);
		n = pwrite(wk->fd, wk->buf, region_len, off);
		CHECK(n == (ssize_t)region_len, "worker %d: pwrite %zd: %s", w,
		      n, strerror(errno));
		r->seed = seed;
		count(OP_WRITE_PWRITE);
		break;
	case 2:
		CHECK(matches(wk->map, r->seed), "worker %d: mapping diverged from the model", w);
		CHECK(matches(wk->whole + off, r->seed),
		      "worker %d: whole-device mapping diverged", w);
		count(OP_VERIFY_MAP);
		break;
	case 3:
		n = pread(wk->fd, wk->buf, region_len, off);
		CHECK(n == (ssize_t)region_len, "worker %d: pread %zd", w, n);
		CHECK(matches(wk->buf, r->seed), "worker %d: pread diverged", w);
		count(OP_VERIFY_PREAD);
		break;
	case 4:
		p = mmap(NULL, region_len, PROT_READ | PROT_WRITE, MAP_PRIVATE,
			 wk->fd, off);
		CHECK(p != MAP_FAILED, "worker %d: private mmap: %s", w, strerror(errno));
		CHECK(matches(p, r->seed), "worker %d: private view diverged", w);
		fill(p, seed + 1);
		CHECK(matches(wk->map, r->seed), "worker %d: private write leaked", w);
		munmap(p, region_len);
		count(OP_PRIVATE);
		break;
	case 5:
		CHECK(!madvise(wk->map, region_len, MADV_DONTNEED), "madvise: %s",
		      strerror(errno));
		CHECK(matches(wk->map, r->seed), "worker %d: data lost after DONTNEED", w);
		count(OP_DONTNEED);
		break;
	case 6:
		CHECK(!mprotect(wk->map + page, page, PROT_READ), "mprotect: %s",
		      strerror(errno));
		CHECK(matches(wk->map, r->seed), "worker %d: split mapping diverged", w);
		CHECK(!mprotect(wk->map, region_len, PROT_READ | PROT_WRITE),
		      "mprotect back: %s", strerror(errno));
		count(OP_MPROTECT);
		break;
	case 7:
		/* Move the mapping to a fresh address; offsets must follow. */
		p = mmap(NULL, region_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
		CHECK(p != MAP_FAILED, "mmap: %s", strerror(errno));
		p = mremap(wk->map, region_len, region_len,
			   MREMAP_MAYMOVE | MREMAP_FIXED, p);
		CHECK(p != MAP_FAILED, "worker %d: mremap: %s", w, strerror(errno));
		wk->map = p;
		CHECK(matches(wk->map, r->seed), "worker %d: moved mapping diverged", w);
		count(OP_MREMAP);
		break;
	case 8: {
		int status;
		pid_t pid = fork();

		CHECK(pid >= 0, "fork: %s", strerror(errno));
		if (pid == 0) {
			unsigned char *priv = mmap(NULL, region_len, PROT_READ |
						   PROT_WRITE, MAP_PRIVATE, wk->fd, off);

			if (!matches(wk->map, r->seed) || priv == MAP_FAILED)
				_exit(1);
			fill(priv, seed);	/* must not reach the device */
			_exit(0);
		}
		CHECK(waitpid(pid, &status, 0) == pid && status == 0,
		      "worker %d: forked child saw a diverged region (%d)", w, status);
		CHECK(matches(wk->map, r->seed), "worker %d: child's private write leaked", w);
		count(OP_FORK);
		break;
	}
	case 9: {
		int fd = open(FM_DEV, O_RDWR);

		CHECK(fd >= 0, "open: %s", strerror(errno));
		p = mmap(NULL, region_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
		close(fd);
		CHECK(p != MAP_FAILED, "mmap: %s", strerror(errno));
		fill(p, seed);
		r->seed = seed;
		CHECK(matches(wk->map, seed), "worker %d: second open not coherent", w);
		munmap(p, region_len);
		count(OP_REOPEN);
		break;
	}
	default: {
		struct iovec local = { wk->buf, region_len };
		struct iovec remote = { wk->map, region_len };

		n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
		CHECK(n == (ssize_t)region_len, "process_vm_readv: %s", strerror(errno));
		CHECK(matches(wk->buf, r->seed), "worker %d: GUP read diverged", w);
		count(OP_GUP);
		break;
	}
	}
}

/* Write and check this worker's byte on every page of the shared region. */
static void shared_op(struct worker *wk)
{
	unsigned char value = (unsigned char)(next_rand(&wk->rng) | 1);
	int i, w = wk->id;

	for (;;) {
		while (atomic_load(&ctl->shared_blocked))
			sched_yield();
		atomic_fetch_add(&ctl->shared_active, 1);
		if (!atomic_load(&ctl->shared_blocked))
			break;
		atomic_fetch_sub(&ctl->shared_active, 1);
	}
	for (i = 0; i < SHARED_PAGES; i++) {
		unsigned char *b = wk->whole + i * page + w;

		if (*b != ctl->shared_value[w])
			fail("worker %d: shared page %d byte is %d, model %d", w,
			     i, *b, ctl->shared_value[w]);
	}
	for (i = 0; i < SHARED_PAGES; i++)
		wk->shared[i * page + w] = value;
	ctl->shared_value[w] = value;
	atomic_fetch_sub(&ctl->shared_active, 1);
	count(OP_SHARED);
}

static void *worker_main(void *arg)
{
	struct worker *wk = arg;
	struct region *r = &ctl->regions[wk->id];

	wk->fd = open(FM_DEV, O_RDWR);
	wk->buf = malloc(region_len);
	wk->map = mmap(NULL, region_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		       wk->fd, region_offset(wk->id));
	wk->whole = mmap(NULL, TOTAL_PAGES * page, PROT_READ, MAP_SHARED,
			 wk->fd, 0);
	wk->shared = mmap(NULL, SHARED_PAGES * page, PROT_READ | PROT_WRITE,
			  MAP_SHARED, wk->fd, 0);
	if (wk->fd < 0 || !wk->buf || wk->map == MAP_FAILED ||
	    wk->whole == MAP_FAILED || wk->shared == MAP_FAILED) {
		fail("worker %d setup: %s", wk->id, strerror(errno));
		return NULL;
	}
	while (!atomic_load(&ctl->stop)) {
		if (next_rand(&wk->rng) % 4 == 0) {
			shared_op(wk);
			continue;
		}
		lock_region(r);
		region_op(wk, r);
		pthread_mutex_unlock(&r->lock);
	}
	return NULL;
}

static void worker_process(int first)
{
	struct worker wk[THREADS];
	pthread_t threads[THREADS];
	int i;

	for (i = 0; i < THREADS; i++) {
		wk[i] = (struct worker){ .id = first + i, .rng = 7919u * (first + i + 1) };
		pthread_create(&threads[i], NULL, worker_main, &wk[i]);
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(threads[i], NULL);
	_exit(atomic_load(&ctl->failed));
}

/* The controller: resize and punch, keeping the model in step. */
static void controller_op(int fd, unsigned int *rng)
{
	int op = next_rand(rng) % 3, keep, w;

	if (op == 0) {
		/* Resize to a random number of worker regions (all of them, often). */
		keep = next_rand(rng) % 2 ? WORKERS : (int)(next_rand(rng) % (WORKERS + 1));
		for (w = 0; w < WORKERS; w++)
			lock_region(&ctl->regions[w]);
		if (fm_set_size(fd, region_offset(keep)))
			fail("resize to %d regions: %s", keep, strerror(errno));
		for (w = 0; w < WORKERS; w++) {
			struct region *r = &ctl->regions[w];

			if (w >= keep) {
				r->absent = 1;
				r->seed = 0;
			} else if (r->absent) {
				r->absent = 0;	/* grown back: zeroes */
			}
		}
		for (w = WORKERS - 1; w >= 0; w--)
			pthread_mutex_unlock(&ctl->regions[w].lock);
		count(OP_RESIZE);
	} else if (op == 1) {
		struct region *r;

		w = next_rand(rng) % WORKERS;
		r = &ctl->regions[w];
		lock_region(r);
		if (!r->absent) {
			if (fm_punch(fd, region_offset(w), region_len))
				fail("punch region %d: %s", w, strerror(errno));
			r->seed = 0;
			count(OP_PUNCH);
		}
		pthread_mutex_unlock(&r->lock);
	} else {
		atomic_store(&ctl->shared_blocked, 1);
		while (atomic_load(&ctl->shared_active) && !atomic_load(&ctl->stop))
			sched_yield();
		if (fm_punch(fd, 0, SHARED_PAGES * page))
			fail("punch shared region: %s", strerror(errno));
		memset(ctl->shared_value, 0, sizeof(ctl->shared_value));
		atomic_store(&ctl->shared_blocked, 0);
		count(OP_PUNCH_SHARED);
	}
}

static int stress_seconds(void)
{
	const char *env = getenv("FAULTMEM_STRESS_SECONDS");

	return env && atoi(env) > 0 ? atoi(env) : 60;
}

FIXTURE(stress) {
	int fd;
	off_t initial;
};

FIXTURE_SETUP(stress)
{
	page = fm_page_size();
	region_len = REGION_PAGES * page;
	self->fd = fm_open(O_RDWR);
	self->initial = lseek(self->fd, 0, SEEK_END);
	ASSERT_EQ(0, fm_set_size(self->fd, TOTAL_PAGES * page));
	ASSERT_EQ(0, fm_punch_all(self->fd));
}

FIXTURE_TEARDOWN(stress)
{
	fm_set_size(self->fd, self->initial);
	close(self->fd);
}

/* Bounded by FAULTMEM_STRESS_SECONDS; the harness timeout is a backstop. */
TEST_F_TIMEOUT(stress, model_checked_races, 3600)
{
	struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO };
	pthread_mutexattr_t attr;
	unsigned int rng = 12345;
	pid_t pids[PROCESSES];
	long total = 0;
	time_t end;
	int i;

	ctl = mmap(NULL, sizeof(*ctl), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ctl);
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	for (i = 0; i < WORKERS; i++)
		ASSERT_EQ(0, pthread_mutex_init(&ctl->regions[i].lock, &attr));
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);

	for (i = 0; i < PROCESSES; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0)
			worker_process(i * THREADS);
	}

	end = time(NULL) + stress_seconds();
	while (time(NULL) < end && !atomic_load(&ctl->stop)) {
		controller_op(self->fd, &rng);
		usleep(next_rand(&rng) % 2000);
	}
	atomic_store(&ctl->stop, 1);
	for (i = 0; i < PROCESSES; i++) {
		int status;

		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("worker process %d: status %#x", i, status);
	}
	EXPECT_EQ(0, atomic_load(&ctl->failed)) TH_LOG("%s", ctl->failure);

	for (i = 0; i < NR_OPS; i++) {
		total += atomic_load(&ctl->ops[i]);
		printf("# stress: %-17s %ld\n", op_names[i], atomic_load(&ctl->ops[i]));
	}
	printf("# stress: %ld operations in %d s, %d processes x %d threads\n",
	       total, stress_seconds(), PROCESSES, THREADS);
	/* Every kind of operation must have run, or the test proved little. */
	for (i = 0; i < NR_OPS; i++)
		EXPECT_LT(0, atomic_load(&ctl->ops[i])) TH_LOG("%s never ran", op_names[i]);
}

TEST_HARNESS_MAIN
