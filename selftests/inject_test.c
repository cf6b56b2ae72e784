// SPDX-License-Identifier: GPL-2.0-only
/*
 * Faults on demand: fault-injection rules make chosen pages of the device
 * fail or wait, on every path that reaches them (faults, fault-around,
 * read()/write(), GUP), with every trigger, and change no byte.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>

#include "faultmem_test.h"

#define NR_PAGES	32

FIXTURE(inject) {
	int fd;
	long page;
	off_t initial;
	char *map;
};

static int clear_all(int fd)
{
	struct faultmem_inject_clear clear = { .nr_pages = ~0ULL };

	return ioctl(fd, FAULTMEM_IOC_INJECT_CLEAR, &clear);
}

/* Byte @i of page @page's pattern, never 0. */
static char pattern(long page, long i)
{
	return (char)(1 + (page * 7 + i) % 251);
}

FIXTURE_SETUP(inject)
{
	long p, i;
	char *buf;

	self->page = fm_page_size();
	self->fd = fm_open(O_RDWR);
	self->initial = lseek(self->fd, 0, SEEK_END);
	ASSERT_LE(0, clear_all(self->fd));
	ASSERT_EQ(0, fm_set_size(self->fd, NR_PAGES * self->page));
	ASSERT_EQ(0, fm_punch_all(self->fd));
	/* Every page but the last four holds its pattern. */
	buf = malloc(self->page);
	ASSERT_NE(NULL, buf);
	for (p = 0; p < NR_PAGES - 4; p++) {
		for (i = 0; i < self->page; i++)
			buf[i] = pattern(p, i);
		ASSERT_EQ(self->page, pwrite(self->fd, buf, self->page,
					     p * self->page));
	}
	free(buf);
	self->map = mmap(NULL, NR_PAGES * self->page, PROT_READ | PROT_WRITE,
			 MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->map);
}

FIXTURE_TEARDOWN(inject)
{
	clear_all(self->fd);
	munmap(self->map, NR_PAGES * self->page);
	fm_punch_all(self->fd);
	fm_set_size(self->fd, self->initial);
	close(self->fd);
}

/* A rule of @action on [@first, @first + @nr); the other fields zero. */
static struct faultmem_inject_rule rule_of(__u32 action, __u64 first,
					   __u64 nr)
{
	struct faultmem_inject_rule r;

	memset(&r, 0, sizeof(r));
	r.action = action;
	r.first_page = first;
	r.nr_pages = nr;
	return r;
}

/* Add @r; 0 or -errno. */
static int add(int fd, struct faultmem_inject_rule *r)
{
	return ioctl(fd, FAULTMEM_IOC_INJECT_ADD, r) ? -errno : 0;
}

static int add_simple(int fd, __u32 action, __u64 first, __u64 nr)
{
	struct faultmem_inject_rule r = rule_of(action, first, nr);

	return add(fd, &r);
}

static int add_delay(int fd, __u64 first, __u64 nr, __u64 delay_ns)
{
	struct faultmem_inject_rule r = rule_of(FAULTMEM_INJECT_DELAY, first, nr);

	r.delay_ns = delay_ns;
	return add(fd, &r);
}

/* How many rules the device has. */
static int nr_rules(int fd)
{
	struct faultmem_inject_list list = { 0 };

	if (ioctl(fd, FAULTMEM_IOC_INJECT_LIST, &list))
		return -errno;
	return list.nr;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* 1 if page @p of the device holds its pattern, through pread(). */
static int page_intact(int fd, long page, long p)
{
	char *buf = malloc(page);
	int ok = 1;
	long i;

	if (!buf || pread(fd, buf, page, p * page) != page)
		ok = 0;
	for (i = 0; ok && i < page; i++)
		ok = buf[i] == pattern(p, i);
	free(buf);
	return ok;
}

TEST_F(inject, sigbus_fails_a_fault_with_bus_adrerr_at_the_address)
{
	struct faultmem_stats before = fm_stats(self->fd), after;
	char *addr = self->map + 3 * self->page + 123;
	struct fm_signal sig;

	ASSERT_EQ(0, add_simple(self->fd, FAULTMEM_INJECT_SIGBUS, 3, 1));
	sig = fm_touch(addr, 0, 0);
	EXPECT_EQ(SIGBUS, sig.signo);
	EXPECT_EQ(BUS_ADRERR, sig.code);
	EXPECT_EQ(addr, sig.addr);
	/* The neighbours work; no byte changed. */
	EXPECT_EQ(0, fm_touch(self->map + 2 * self->page, 0, 0).signo);
	EXPECT_EQ(0, fm_touch(self->map + 4 * self->page, 1,
				pattern(4, 0)).signo);
	after = fm_stats(self->fd);
	EXPECT_EQ(before.injected_sigbus + 1, after.injected_sigbus);
	EXPECT_EQ(after.injected_sigbus, fm_sysfs_read("injected_sigbus"));
	ASSERT_EQ(1, clear_all(self->fd));
	EXPECT_EQ(0, fm_touch(addr, 0, 0).signo);
	EXPECT_EQ(pattern(3, 123), *addr);
	EXPECT_TRUE(page_intact(self->fd, self->page, 3));
}

TEST_F(inject, sigbus_makes_read_and_write_short_then_eio)
{
	long page = self->page;
	char *buf = malloc(4 * page);

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, add_simple(self->fd, FAULTMEM_INJECT_SIGBUS, 3, 1));
	/* The bytes before the page, then EIO at the page itself. */
	EXPECT_EQ(page + 100, pread(self->fd, buf, 3 * page, 2 * page - 100));
	EXPECT_EQ(pattern(2, 0), buf[100]);
	EXPECT_EQ(-1, pread(self->fd, buf, page, 3 * page + 5));
	EXPECT_EQ(EIO, errno);
	memset(buf, 'w', 4 * page);
	EXPECT_EQ(page, pwrite(self->fd, buf, 2 * page, 2 * page));
	EXPECT_EQ(-1, pwrite(self->fd, buf, 10, 3 * page));
	EXPECT_EQ(EIO, errno);
	ASSERT_EQ(1, clear_all(self->fd));
	/* The failed writes changed nothing. */
	EXPECT_TRUE(page_intact(self->fd, page, 3));
	free(buf);
}

TEST_F(inject, sendfile_and_splice_stop_at_a_failing_page)
{
	long page = self->page;
	int pipefd[2];
	off_t off;
	char *buf = malloc(2 * page);

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, pipe(pipefd));
	ASSERT_EQ(0, add_simple(self->fd, FAULTMEM_INJECT_SIGBUS, 3, 1));
	/* Out of the device: the bytes before the page, then EIO. */
	off = 2 * page;
	EXPECT_EQ(page, splice(self->fd, &off, pipefd[1], NULL, 2 * page, 0));
	EXPECT_EQ(page, read(pipefd[0], buf, 2 * page));
	EXPECT_EQ(pattern(2, 0), buf[0]);
	off = 3 * page;
	EXPECT_EQ(-1, sendfile(pipefd[1], self->fd, &off, page));
	EXPECT_EQ(EIO, errno);
	/* Into the device: nothing reaches the page. */
	memset(buf, 'S', 2 * page);
	ASSERT_EQ(page, write(pipefd[1], buf, page));
	off = 3 * page;
	EXPECT_EQ(-1, splice(pipefd[0], NULL, self->fd, &off, page, 0));
	EXPECT_EQ(EIO, errno);
	ASSERT_EQ(1, clear_all(self->fd));
	EXPECT_TRUE(page_intact(self->fd, page, 3));
	close(pipefd[0]);
	close(pipefd[1]);
	free(buf);
}

TEST_F(inject, hwpoison_gives_bus_mceerr_ar_with_the_page_shift)
{
	char *addr = self->map + 6 * self->page + 7;
	struct faultmem_stats before = fm_stats(self->fd);
	int shift = __builtin_ctzl(self->page);
	struct fm_signal sig;
	char buf[16];

	ASSERT_EQ(0, add_simple(self->fd, FAULTMEM_INJECT_HWPOISON, 6, 1));
	sig = fm_touch(addr, 0, 0);
	EXPECT_EQ(SIGBUS, sig.signo);
	EXPECT_EQ(addr, sig.addr);
	if (fm_memory_failure()) {
		EXPECT_EQ(BUS_MCEERR_AR, sig.code);
		EXPECT_EQ(shift, sig.addr_lsb);
	} else {
		TH_LOG("no CONFIG_MEMORY_FAILURE: a memory error is BUS_ADRERR");
		EXPECT_EQ(BUS_ADRERR, sig.code);
	}
	EXPECT_EQ(-1, pread(self->fd, buf, sizeof(buf), 6 * self->page));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(-1, pwrite(self->fd, buf, sizeof(buf), 6 * self->page));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(before.injected_hwpoison + 3,
		  fm_stats(self->fd).injected_hwpoison);
	EXPECT_EQ(before.injected_hwpoison + 3,
		  fm_sysfs_read("injected_hwpoison"));
	ASSERT_EQ(1, clear_all(self->fd));
	EXPECT_TRUE(page_intact(self->fd, self->page, 6));
}

TEST_F(inject, nospace_fails_only_what_would_allocate)
{
	long page = self->page, last = NR_PAGES - 1;
	struct faultmem_stats before = fm_stats(self->fd);
	struct fm_signal sig;
	char buf[8] = "written";

	/* Page 5 is resident, the last page is not. */
	ASSERT_EQ(0, add_simple(self->fd, FAULTMEM_INJECT_NOSPACE, 5, 1));
	ASSERT_EQ(0, add_simple(self->fd, FAULTMEM_INJECT_NOSPACE, last, 1));
	EXPECT_EQ(0, fm_touch(self->map + 5 * page, 1, pattern(5, 0)).signo);
	EXPECT_EQ(8, pwrite(self->fd, buf, 8, 5 * page + 64));
	sig = fm_touch(self->map + last * page + 1, 1, 0);
	EXPECT_EQ(SIGBUS, sig.signo);
	EXPECT_EQ(BUS_ADRERR, sig.code);
	/* A read fault allocates a page too, as on tmpfs. */
	EXPECT_EQ(SIGBUS, fm_touch(self->map + last * page, 0, 0).signo);
	EXPECT_EQ(-1, pwrite(self->fd, buf, 8, last * page));
	EXPECT_EQ(ENOSPC, errno);
	/* Short before the page: the bytes of the page before it. */
	EXPECT_EQ(4, pwrite(self->fd, buf, 8, last * page - 4));
	/* read() of a hole allocates nothing: zeroes, no error. */
	EXPECT_EQ(8, pread(self->fd, buf, 8, last * page));
	EXPECT_EQ(0, buf[0]);
	EXPECT_EQ(before.injected_nospace + 4,
		  fm_stats(self->fd).injected_nospace);
	/* Only the page before it was allocated, by the short write. */
	EXPECT_EQ(before.resident_pages + 1,
		  fm_stats(self->fd).resident_pages);
}

TEST_F(inject, delay_waits_as_one_major_fault)
{
	__u64 delays = fm_stats(self->fd).injected_delays;
	char *addr = self->map + 2 * self->page;
	struct rusage before, after;
	char buf[8];
	double t0;

	ASSERT_EQ(0, add_delay(self->fd, 2, 1, 300 * 1000000ULL));
	getrusage(RUSAGE_SELF, &before);
	t0 = now_s();
	EXPECT_EQ(pattern(2, 0), *(volatile char *)addr);
	EXPECT_LE(0.3, now_s() - t0);
	getrusage(RUSAGE_SELF, &after);
	EXPECT_EQ(before.ru_majflt + 1, after.ru_majflt);
	/* Waited once: the retry after the wait is not delayed again. */
	EXPECT_EQ(delays + 1, fm_stats(self->fd).injected_delays);
	/* read() and write() of the page wait too. */
	t0 = now_s();
	EXPECT_EQ(8, pread(self->fd, buf, 8, 2 * self->page));
	EXPECT_LE(0.3, now_s() - t0);
	EXPECT_EQ(pattern(2, 0), buf[0]);
	t0 = now_s();
	EXPECT_EQ(8, pwrite(self->fd, buf, 8, 2 * self->page));
	EXPECT_LE(0.3, now_s() - t0);
	EXPECT_LE(2, fm_sysfs_read("injected_delays"));
}

struct toucher {
	volatile char *addr;
	double done;
};

static void *touch_thread(void *arg)
{
	struct toucher *t = arg;

	(void)*t->addr;
	t->done = now_s();
	return NULL;
}

/* Wait until the device's delay rules have fired @delays times (or 5 s). */
static int wait_for_delays(int fd, __u64 delays)
{
	double until = now_s() + 5;

	while (fm_stats(fd).injected_delays < delays && now_s() < until)
		usleep(1000);
	return fm_stats(fd).injected_delays >= delays ? 0 : -1;
}

TEST_F(inject, delay_waits_without_the_mmap_lock)
{
	struct toucher t = { .addr = self->map + 7 * self->page };
	__u64 delays = fm_stats(self->fd).injected_delays;
	double t0, started, took;
	pthread_t thread;
	void *other;

	ASSERT_EQ(0, add_delay(self->fd, 7, 1, 2000 * 1000000ULL));
	t0 = now_s();
	ASSERT_EQ(0, pthread_create(&thread, NULL, touch_thread, &t));
	ASSERT_EQ(0, wait_for_delays(self->fd, delays + 1));
	/*
	 * While the toucher waits, change the very mapping it faults in:
	 * splitting it needs mmap_lock for writing and, from 6.7, the
	 * VMA's own lock, which a fault may hold instead. Then map and
	 * unmap memory elsewhere.
	 */
	started = now_s();
	ASSERT_EQ(0, mprotect(self->map + 20 * self->page, self->page,
			      PROT_READ));
	ASSERT_EQ(0, mprotect(self->map + 20 * self->page, self->page,
			      PROT_READ | PROT_WRITE));
	other = mmap(NULL, 1 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		     -1, 0);
	ASSERT_NE(MAP_FAILED, other);
	ASSERT_EQ(0, munmap(other, 1 << 20));
	took = now_s() - started;
	ASSERT_EQ(0, pthread_join(thread, NULL));
	TH_LOG("mprotect, mmap, munmap took %.2f s; the delayed fault ended %.2f s in",
	       took, t.done - t0);
	EXPECT_GT(1.0, took);
	EXPECT_LE(2.0, t.done - t0);
	EXPECT_EQ(pattern(7, 0), *t.addr);
}

/*
 * /proc/PID/mem faults without a retry: the delay holds the mmap lock, so
 * it is cut to a second, as a disk read would be short.
 */
TEST_F(inject, a_delay_that_cannot_drop_the_lock_is_short)
{
	char path[64], buf[8];
	double t0, took;
	int mem;

	ASSERT_EQ(0, add_delay(self->fd, 12, 1, 4ULL * 1000000000ULL));
	snprintf(path, sizeof(path), "/proc/%d/mem", getpid());
	mem = open(path, O_RDONLY);
	ASSERT_LE(0, mem);
	t0 = now_s();
	EXPECT_EQ(8, pread(mem, buf, 8, (uintptr_t)(self->map + 12 * self->page)));
	took = now_s() - t0;
	TH_LOG("/proc/PID/mem read of a page with a 4 s delay: %.2f s", took);
	EXPECT_LE(1.0, took);
	EXPECT_GT(2.5, took);
	EXPECT_EQ(pattern(12, 0), buf[0]);
	close(mem);
}

TEST_F(inject, sigkill_ends_a_long_delay)
{
	double killed, reaped;
	int status;
	pid_t pid;

	__u64 delays = fm_stats(self->fd).injected_delays;

	ASSERT_EQ(0, add_delay(self->fd, 1, 1, 60ULL * 1000000000ULL));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		(void)*(volatile char *)(self->map + self->page);
		_exit(0);
	}
	/* Kill it once it waits. */
	ASSERT_EQ(0, wait_for_delays(self->fd, delays + 1));
	usleep(100 * 1000);
	killed = now_s();
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	reaped = now_s();
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	EXPECT_GT(1.0, reaped - killed);
}

TEST_F(inject, times_fires_n_times_then_the_rule_is_gone)
{
	struct faultmem_inject_rule r = rule_of(FAULTMEM_INJECT_SIGBUS, 0, 1);
	char buf[4];

	r.times = 2;
	ASSERT_EQ(0, add(self->fd, &r));
	EXPECT_EQ(-1, pread(self->fd, buf, 4, 0));
	EXPECT_EQ(-1, pread(self->fd, buf, 4, 0));
	EXPECT_EQ(4, pread(self->fd, buf, 4, 0));
	EXPECT_EQ(0, nr_rules(self->fd));
}

TEST_F(inject, after_lets_n_accesses_pass_then_fires_every_time)
{
	struct faultmem_inject_rule r = rule_of(FAULTMEM_INJECT_SIGBUS, 0, 1);
	char buf[4];
	int i;

	r.after = 2;
	ASSERT_EQ(0, add(self->fd, &r));
	EXPECT_EQ(4, pread(self->fd, buf, 4, 0));
	EXPECT_EQ(4, pread(self->fd, buf, 4, 0));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(-1, pread(self->fd, buf, 4, 0));
	/* Faults count as accesses too: unmapped, the page faults again. */
	EXPECT_EQ(SIGBUS, fm_touch(self->map, 0, 0).signo);
}

/* The firings of a probability rule over 64 reads, as a bit mask. */
static uint64_t firings(int fd, __u64 seed, __u32 ppb)
{
	struct faultmem_inject_rule r = rule_of(FAULTMEM_INJECT_SIGBUS, 9, 1);
	uint64_t mask = 0;
	char buf[4];
	int i;

	r.probability = ppb;
	r.seed = seed;
	r.flags = FAULTMEM_INJECT_SEED;
	if (add(fd, &r))
		return 0;
	for (i = 0; i < 64; i++)
		if (pread(fd, buf, 4, 9 * fm_page_size()) < 0)
			mask |= 1ULL << i;
	clear_all(fd);
	return mask;
}

TEST_F(inject, one_seed_gives_one_sequence_of_firings)
{
	uint64_t a = firings(self->fd, 42, 500000000);
	uint64_t b = firings(self->fd, 42, 500000000);
	uint64_t c = firings(self->fd, 43, 500000000);
	int fired = __builtin_popcountll(a);

	TH_LOG("seed 42: %016llx, seed 43: %016llx", (unsigned long long)a,
	       (unsigned long long)c);
	EXPECT_EQ(a, b);
	EXPECT_NE(a, c);
	/* About half of 64: far from none or all. */
	EXPECT_LT(12, fired);
	EXPECT_GT(52, fired);
	/* Probability 1 is every access. */
	EXPECT_EQ(~0ULL, firings(self->fd, 7, FAULTMEM_INJECT_PROBABILITY_ONE));
}

TEST_F(inject, a_drawn_seed_is_reported_and_replays)
{
	struct faultmem_inject_rule r = rule_of(FAULTMEM_INJECT_SIGBUS, 9, 1);
	struct faultmem_inject_list list;
	struct faultmem_inject_rule got;
	uint64_t mask = 0;
	char buf[4];
	int i;

	r.probability = 300000000;
	ASSERT_EQ(0, add(self->fd, &r));
	memset(&list, 0, sizeof(list));
	list.rules = (uintptr_t)&got;
	list.nr = 1;
	ASSERT_EQ(0, ioctl(self->fd, FAULTMEM_IOC_INJECT_LIST, &list));
	EXPECT_EQ(r.seed, got.seed);
	EXPECT_EQ(r.id, got.id);
	for (i = 0; i < 64; i++)
		if (pread(self->fd, buf, 4, 9 * self->page) < 0)
			mask |= 1ULL << i;
	clear_all(self->fd);
	EXPECT_EQ(mask, firings(self->fd, r.seed, 300000000));
}

TEST_F(inject, reads_and_writes_select_the_kind_of_access)
{
	struct faultmem_inject_rule r = rule_of(FAULTMEM_INJECT_SIGBUS, 4, 1);
	char buf[4] = "abc";

	r.flags = FAULTMEM_INJECT_READS;
	ASSERT_EQ(0, add(self->fd, &r));
	EXPECT_EQ(-1, pread(self->fd, buf, 4, 4 * self->page));
	EXPECT_EQ(4, pwrite(self->fd, buf, 4, 4 * self->page));
	EXPECT_EQ(SIGBUS, fm_touch(self->map + 4 * self->page, 0, 0).signo);
	clear_all(self->fd);

	r = rule_of(FAULTMEM_INJECT_SIGBUS, 4, 1);
	r.flags = FAULTMEM_INJECT_WRITES;
	ASSERT_EQ(0, add(self->fd, &r));
	EXPECT_EQ(4, pread(self->fd, buf, 4, 4 * self->page));
	EXPECT_EQ(-1, pwrite(self->fd, buf, 4, 4 * self->page));
	EXPECT_EQ(EIO, errno);
	/* A write fault fails; the page was unmapped by the add. */
	EXPECT_EQ(SIGBUS, fm_touch(self->map + 4 * self->page, 1, 'a').signo);
	/* A read fault does not, and maps the page, as a file's. */
	EXPECT_EQ(0, fm_touch(self->map + 4 * self->page, 0, 0).signo);
}

TEST_F(inject, adding_a_rule_unmaps_resident_pages_and_changes_no_byte)
{
	char *addr = self->map + 10 * self->page;

	EXPECT_EQ(pattern(10, 0), *(volatile char *)addr);
	ASSERT_EQ(1, fm_page_present(addr));
	ASSERT_EQ(0, add_simple(self->fd, FAULTMEM_INJECT_SIGBUS, 10, 1));
	EXPECT_EQ(0, fm_page_present(addr));
	EXPECT_EQ(SIGBUS, fm_touch(addr, 0, 0).signo);
	clear_all(self->fd);
	EXPECT_TRUE(page_intact(self->fd, self->page, 10));
}

TEST_F(inject, fault_around_never_maps_a_page_under_a_rule)
{
	long i;

	ASSERT_EQ(0, add_simple(self->fd, FAULTMEM_INJECT_SIGBUS, 13, 1));
	/* A read fault at page 12 maps resident neighbours (up to 16). */
	(void)*(volatile char *)(self->map + 12 * self->page);
	EXPECT_EQ(0, fm_page_present(self->map + 13 * self->page));
	EXPECT_EQ(SIGBUS, fm_touch(self->map + 13 * self->page, 0, 0).signo);
	/* The others fault and work. */
	for (i = 0; i < 16; i++)
		if (i != 13)
			EXPECT_EQ(0, fm_touch(self->map + i * self->page, 0,
						0).signo);
}

TEST_F(inject, a_private_copy_is_the_processs_own)
{
	char *priv = mmap(NULL, NR_PAGES * self->page, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE, self->fd, 0);

	ASSERT_NE(MAP_FAILED, priv);
	priv[8 * self->page] = 'P';	/* copy-on-write: now anonymous */
	ASSERT_EQ(0, add_simple(self->fd, FAULTMEM_INJECT_SIGBUS, 8, 2));
	EXPECT_EQ(0, fm_touch(priv + 8 * self->page, 0, 0).signo);
	EXPECT_EQ('P', priv[8 * self->page]);
	/* The page it never copied reads the device's, and fails. */
	EXPECT_EQ(SIGBUS, fm_touch(priv + 9 * self->page, 0, 0).signo);
	munmap(priv, NR_PAGES * self->page);
}

TEST_F(inject, gup_users_fail_on_a_failing_page)
{
	char buf[16], path[64];
	struct iovec local = { buf, sizeof(buf) };
	struct iovec remote = { self->map + 11 * self->page, sizeof(buf) };
	int mem;

	ASSERT_EQ(0, add_simple(self->fd, FAULTMEM_INJECT_SIGBUS, 11, 1));
	EXPECT_EQ(-1, process_vm_readv(getpid(), &local, 1, &remote, 1, 0));
	EXPECT_EQ(EFAULT, errno);
	snprintf(path, sizeof(path), "/proc/%d/mem", getpid());
	mem = open(path, O_RDONLY);
	ASSERT_LE(0, mem);
	EXPECT_EQ(-1, pread(mem, buf, sizeof(buf),
			    (uintptr_t)(self->map + 11 * self->page)));
	EXPECT_EQ(EIO, errno);
	close(mem);
	/* read() into a buffer mapped on the failing page: EFAULT. */
	EXPECT_EQ(-1, pread(self->fd, self->map + 11 * self->page, 16, 0));
	EXPECT_EQ(EFAULT, errno);
}

/*
 * An O_DIRECT write from (or read into) a failing page fails with EFAULT,
 * as from any user page the kernel cannot supply. tmpfs takes O_DIRECT
 * from 6.6 on; older kernels refuse the open.
 */
TEST_F(inject, o_direct_from_a_failing_page_is_efault)
{
	char path[64];
	int memfd, direct;

	memfd = memfd_create("faultmem-direct", 0);
	ASSERT_LE(0, memfd);
	ASSERT_EQ(0, ftruncate(memfd, 4 * self->page));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	direct = open(path, O_RDWR | O_DIRECT);
	close(memfd);
	if (direct < 0 && errno == EINVAL)
		SKIP(return, "tmpfs has no O_DIRECT before Linux 6.6");
	ASSERT_LE(0, direct);
	ASSERT_EQ(0, add_simple(self->fd, FAULTMEM_INJECT_SIGBUS, 11, 1));
	/* The page before it works: the rule alone makes the difference. */
	EXPECT_EQ(self->page, pwrite(direct, self->map + 10 * self->page,
				     self->page, 0));
	EXPECT_EQ(-1, pwrite(direct, self->map + 11 * self->page,
			     self->page, 0));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, pread(direct, self->map + 11 * self->page,
			    self->page, 0));
	EXPECT_EQ(EFAULT, errno);
	close(direct);
	ASSERT_EQ(1, clear_all(self->fd));
	EXPECT_TRUE(page_intact(self->fd, self->page, 11));
}

/*
 * A rule names pages of the device, not of its current size: past the
 * end a page gives the ordinary SIGBUS, and the rule applies again when
 * the device grows back. A punch frees the page and keeps the rule.
 */
TEST_F(inject, rules_stay_across_resize_and_punch)
{
	struct faultmem_stats before, after;

	ASSERT_EQ(0, add_simple(self->fd, FAULTMEM_INJECT_SIGBUS, 20, 1));
	ASSERT_EQ(0, fm_set_size(self->fd, 16 * self->page));
	before = fm_stats(self->fd);
	EXPECT_EQ(SIGBUS, fm_touch(self->map + 20 * self->page, 0, 0).signo);
	after = fm_stats(self->fd);
	EXPECT_EQ(before.sigbus_faults + 1, after.sigbus_faults);
	EXPECT_EQ(before.injected_sigbus, after.injected_sigbus);
	EXPECT_EQ(1, nr_rules(self->fd));

	ASSERT_EQ(0, fm_set_size(self->fd, NR_PAGES * self->page));
	before = fm_stats(self->fd);
	EXPECT_EQ(SIGBUS, fm_touch(self->map + 20 * self->page, 0, 0).signo);
	EXPECT_EQ(0, fm_touch(self->map + 19 * self->page, 0, 0).signo);
	after = fm_stats(self->fd);
	EXPECT_EQ(before.injected_sigbus + 1, after.injected_sigbus);
	EXPECT_EQ(before.sigbus_faults, after.sigbus_faults);

	ASSERT_EQ(0, fm_punch(self->fd, 20 * self->page, self->page));
	EXPECT_EQ(1, nr_rules(self->fd));
	EXPECT_EQ(SIGBUS, fm_touch(self->map + 20 * self->page, 0, 0).signo);
	EXPECT_EQ(after.injected_sigbus + 1,
		  fm_stats(self->fd).injected_sigbus);
}

static volatile pid_t spare_tid;
static volatile int spare_stop;

static void *spare_thread(void *arg)
{
	(void)arg;
	spare_tid = syscall(SYS_gettid);
	while (!spare_stop)
		usleep(1000);
	return NULL;
}

/* The ID of a second thread of this process (which keeps running). */
static pid_t thread_id(void)
{
	static pthread_t thread;

	if (!spare_tid && !pthread_create(&thread, NULL, spare_thread, NULL))
		while (!spare_tid)
			usleep(1000);
	return spare_tid;
}

TEST_F(inject, a_pid_rule_fails_only_that_process_tree)
{
	struct faultmem_inject_rule r = rule_of(FAULTMEM_INJECT_SIGBUS, 14, 1);
	int pipefd[2], status;
	char go, buf[4];
	pid_t pid;

	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		pid_t grandchild;

		if (read(pipefd[0], &go, 1) != 1)
			_exit(3);
		if (pread(self->fd, buf, 4, 14 * fm_page_size()) != -1)
			_exit(1);
		grandchild = fork();
		if (!grandchild)
			_exit(pread(self->fd, buf, 4, 14 * fm_page_size()) == -1 ? 0 : 1);
		waitpid(grandchild, &status, 0);
		_exit(WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : 2);
	}
	/* A thread's ID is no process's: refused. */
	r.pid = syscall(SYS_gettid) == getpid() ? thread_id() : 0;
	ASSERT_NE(0, r.pid);
	EXPECT_EQ(-ESRCH, add(self->fd, &r));
	r = rule_of(FAULTMEM_INJECT_SIGBUS, 14, 1);
	r.pid = pid;
	ASSERT_EQ(0, add(self->fd, &r));
	/* Not this process. */
	EXPECT_EQ(4, pread(self->fd, buf, 4, 14 * self->page));
	ASSERT_EQ(1, write(pipefd[1], "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(pipefd[0]);
	close(pipefd[1]);
}

TEST_F(inject, list_and_sysfs_show_the_rules_in_order)
{
	struct faultmem_inject_rule r = rule_of(FAULTMEM_INJECT_DELAY, 3, 5);
	struct faultmem_inject_rule got[2];
	struct faultmem_inject_list list;
	char want[512], buf[4];

	r.delay_ns = 1500 * 1000ULL;
	r.times = 2;
	r.probability = 250000000;
	r.seed = 42;
	r.flags = FAULTMEM_INJECT_SEED | FAULTMEM_INJECT_READS;
	ASSERT_EQ(0, add(self->fd, &r));
	ASSERT_EQ(0, add_simple(self->fd, FAULTMEM_INJECT_HWPOISON, 20, 1));
	memset(&list, 0, sizeof(list));
	list.rules = (uintptr_t)got;
	list.nr = 1;
	ASSERT_EQ(0, ioctl(self->fd, FAULTMEM_IOC_INJECT_LIST, &list));
	EXPECT_EQ(2, list.nr);
	EXPECT_EQ(3, got[0].first_page);
	EXPECT_EQ(5, got[0].nr_pages);
	EXPECT_EQ(2, got[0].remaining);
	EXPECT_EQ(-1, pread(self->fd, buf, 4, 20 * self->page));
	snprintf(want, sizeof(want),
		 "delay 1500us 3-7 --times 2 --probability 0.25 --seed 42 --reads fired=0 remaining=2 id=%llu\n"
		 "hwpoison 20 fired=1 remaining=unlimited id=%llu\n",
		 (unsigned long long)r.id, (unsigned long long)r.id + 1);
	EXPECT_EQ(0, fm_sysfs_str_is("inject", want));
}

TEST_F(inject, clear_by_range_and_by_id)
{
	struct faultmem_inject_clear clear = { .first_page = 5, .nr_pages = 2 };
	struct faultmem_inject_rule r = rule_of(FAULTMEM_INJECT_SIGBUS, 20, 3);

	ASSERT_EQ(0, add_simple(self->fd, FAULTMEM_INJECT_SIGBUS, 0, 5));
	ASSERT_EQ(0, add_simple(self->fd, FAULTMEM_INJECT_SIGBUS, 6, 1));
	ASSERT_EQ(0, add_simple(self->fd, FAULTMEM_INJECT_SIGBUS, 7, 3));
	ASSERT_EQ(0, add(self->fd, &r));
	EXPECT_EQ(4, nr_rules(self->fd));
	/* Pages 5-6 touch only the rule of page 6, not its neighbours'. */
	EXPECT_EQ(1, ioctl(self->fd, FAULTMEM_IOC_INJECT_CLEAR, &clear));
	memset(&clear, 0, sizeof(clear));
	clear.id = r.id;
	EXPECT_EQ(1, ioctl(self->fd, FAULTMEM_IOC_INJECT_CLEAR, &clear));
	EXPECT_EQ(0, ioctl(self->fd, FAULTMEM_IOC_INJECT_CLEAR, &clear));
	EXPECT_EQ(2, nr_rules(self->fd));
	EXPECT_EQ(SIGBUS, fm_touch(self->map + 4 * self->page, 0, 0).signo);
	EXPECT_EQ(0, fm_touch(self->map + 6 * self->page, 0, 0).signo);
	EXPECT_EQ(SIGBUS, fm_touch(self->map + 7 * self->page, 0, 0).signo);
}

/* A bad request: the errno, and still exactly @rules rules. */
static int refused(int fd, unsigned long cmd, void *arg, int rules)
{
	int ret = ioctl(fd, cmd, arg) ? errno : 0;

	if (nr_rules(fd) != rules)
		return -1;
	return ret;
}

TEST_F(inject, bad_rules_are_refused_and_change_nothing)
{
	__u64 max_pages = fm_stats(self->fd).max_size / self->page;
	struct faultmem_inject_rule r, *readonly;
	struct faultmem_inject_clear clear;
	struct faultmem_inject_list list;
	int ro = fm_open(O_RDONLY), i;

	ASSERT_EQ(0, add_simple(self->fd, FAULTMEM_INJECT_SIGBUS, 0, 1));
#define BAD(errnum, field_change) do {					\
		r = rule_of(FAULTMEM_INJECT_SIGBUS, 1, 1);		\
		field_change;						\
		EXPECT_EQ(errnum, refused(self->fd, FAULTMEM_IOC_INJECT_ADD, &r, 1)); \
	} while (0)
	BAD(EINVAL, r.action = 0);
	BAD(EINVAL, r.action = 5);
	BAD(EINVAL, r.flags = FAULTMEM_INJECT_READS | FAULTMEM_INJECT_WRITES);
	BAD(EINVAL, r.flags = 1U << 3);
	BAD(EINVAL, r.delay_ns = 1000);
	BAD(EINVAL, r.action = FAULTMEM_INJECT_DELAY);
	BAD(EINVAL, (r.action = FAULTMEM_INJECT_DELAY,
		     r.delay_ns = FAULTMEM_INJECT_MAX_DELAY_NS + 1));
	BAD(EINVAL, r.probability = FAULTMEM_INJECT_PROBABILITY_ONE + 1);
	BAD(EINVAL, r.flags = FAULTMEM_INJECT_SEED);
	BAD(EINVAL, r.nr_pages = 0);
	BAD(EINVAL, r.first_page = max_pages);
	BAD(EINVAL, (r.first_page = max_pages - 1, r.nr_pages = 2));
	BAD(EINVAL, (r.first_page = ~0ULL, r.nr_pages = 2));
	BAD(EINVAL, r.reserved[1] = 1);
	BAD(EINVAL, r.id = 1);
	BAD(EINVAL, r.fired = 1);
	BAD(ESRCH, r.pid = 0x7ffffff0);
	/* The largest allowed values are fine. */
	r = rule_of(FAULTMEM_INJECT_DELAY, max_pages - 1, 1);
	r.delay_ns = FAULTMEM_INJECT_MAX_DELAY_NS;
	r.probability = FAULTMEM_INJECT_PROBABILITY_ONE;
	EXPECT_EQ(0, add(self->fd, &r));
	EXPECT_EQ(2, nr_rules(self->fd));
#undef BAD
	r = rule_of(FAULTMEM_INJECT_SIGBUS, 1, 1);
	EXPECT_EQ(EBADF, refused(ro, FAULTMEM_IOC_INJECT_ADD, &r, 2));
	memset(&clear, 0, sizeof(clear));
	clear.nr_pages = ~0ULL;
	EXPECT_EQ(EBADF, refused(ro, FAULTMEM_IOC_INJECT_CLEAR, &clear, 2));
	clear.reserved = 1;
	EXPECT_EQ(EINVAL, refused(self->fd, FAULTMEM_IOC_INJECT_CLEAR, &clear, 2));
	memset(&clear, 0, sizeof(clear));
	EXPECT_EQ(EINVAL, refused(self->fd, FAULTMEM_IOC_INJECT_CLEAR, &clear, 2));
	clear.id = 1;
	clear.nr_pages = 1;
	EXPECT_EQ(EINVAL, refused(self->fd, FAULTMEM_IOC_INJECT_CLEAR, &clear, 2));
	memset(&list, 0, sizeof(list));
	list.flags = 1;
	EXPECT_EQ(EINVAL, refused(self->fd, FAULTMEM_IOC_INJECT_LIST, &list, 2));
	EXPECT_EQ(EFAULT, refused(self->fd, FAULTMEM_IOC_INJECT_ADD,
				  (void *)8, 2));
	/* A rule whose ID cannot be written back is not left behind. */
	readonly = mmap(NULL, self->page, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, readonly);
	*readonly = rule_of(FAULTMEM_INJECT_SIGBUS, 1, 1);
	ASSERT_EQ(0, mprotect(readonly, self->page, PROT_READ));
	EXPECT_EQ(EFAULT, refused(self->fd, FAULTMEM_IOC_INJECT_ADD,
				  readonly, 2));
	munmap(readonly, self->page);
	close(ro);

	/* Rules are bounded: the one past the limit is ENOSPC. */
	for (i = 2; i < FAULTMEM_INJECT_MAX_RULES; i++)
		ASSERT_EQ(0, add_simple(self->fd, FAULTMEM_INJECT_SIGBUS, 2, 1));
	r = rule_of(FAULTMEM_INJECT_SIGBUS, 2, 1);
	EXPECT_EQ(ENOSPC, refused(self->fd, FAULTMEM_IOC_INJECT_ADD, &r,
				  FAULTMEM_INJECT_MAX_RULES));
	/* Still refused after a refusal; one cleared makes room for one. */
	EXPECT_EQ(ENOSPC, refused(self->fd, FAULTMEM_IOC_INJECT_ADD, &r,
				  FAULTMEM_INJECT_MAX_RULES));
	memset(&clear, 0, sizeof(clear));
	clear.first_page = 0;
	clear.nr_pages = 1;
	EXPECT_EQ(1, ioctl(self->fd, FAULTMEM_IOC_INJECT_CLEAR, &clear));
	EXPECT_EQ(0, add(self->fd, &r));
	r = rule_of(FAULTMEM_INJECT_SIGBUS, 2, 1);
	EXPECT_EQ(ENOSPC, refused(self->fd, FAULTMEM_IOC_INJECT_ADD, &r,
				  FAULTMEM_INJECT_MAX_RULES));
}

/* struct faultmem_stats as faultmem 0.5 knew it: 16 fields. */
struct stats_0_5 {
	__u64 field[16];
};

TEST_F(inject, a_program_built_against_the_older_stats_still_works)
{
	struct stats_0_5 old;
	struct faultmem_stats now = fm_stats(self->fd);

	memset(&old, 0xff, sizeof(old));
	ASSERT_EQ(0, ioctl(self->fd, _IOR(FAULTMEM_IOC_MAGIC, 0x03,
					  struct stats_0_5), &old));
	EXPECT_EQ(now.size, old.field[0]);
	EXPECT_EQ(now.max_size, old.field[1]);
	/* Smaller than the first release's, or not whole fields: no. */
	EXPECT_EQ(-1, ioctl(self->fd, _IOR(FAULTMEM_IOC_MAGIC, 0x03, __u64[15]),
			    &old));
	EXPECT_EQ(ENOTTY, errno);
}

/* Rules come and go while threads fault and read: no byte may change. */
struct churn {
	int fd;
	long page;
	char *map;
	volatile int stop;
	long checked;
	long bad;
};

static void *churn_reader(void *arg)
{
	struct churn *c = arg;
	char *buf = malloc(c->page);
	long p = 0;

	while (!c->stop && buf) {
		/* Pages 16-23: read through the mapping, refaulting. */
		long q = 16 + p % 8, i;

		madvise(c->map + q * c->page, c->page, MADV_DONTNEED);
		for (i = 0; i < c->page; i += 97)
			if (c->map[q * c->page + i] != pattern(q, i))
				c->bad++;
		/* And with pread(), which may meet a delay. */
		if (pread(c->fd, buf, c->page, q * c->page) == c->page)
			for (i = 0; i < c->page; i++)
				if (buf[i] != pattern(q, i))
					c->bad++;
		c->checked++;
		p++;
	}
	free(buf);
	return NULL;
}

/* Clear every rule, again and again, while another thread adds them. */
static void *churn_clearer(void *arg)
{
	struct churn *c = arg;

	while (!c->stop) {
		clear_all(c->fd);
		usleep(500);
	}
	return NULL;
}

TEST_F(inject, rules_added_and_cleared_while_threads_fault)
{
	struct churn c = { .fd = self->fd, .page = self->page, .map = self->map };
	pthread_t threads[3];
	double end = now_s() + 3;
	long adds = 0, p;
	int i;

	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&threads[i], NULL, churn_reader, &c));
	/* Rules are freed under the add's feet: by clears, by --times 1. */
	ASSERT_EQ(0, pthread_create(&threads[2], NULL, churn_clearer, &c));
	while (now_s() < end) {
		struct faultmem_inject_rule r =
			rule_of(FAULTMEM_INJECT_DELAY, 16 + adds % 8, 1 + adds % 3);
		int ret;

		r.delay_ns = 200 * 1000ULL;
		r.times = adds % 2;
		ret = add(self->fd, &r);
		/* The clearer may fall behind: 64 rules is the limit. */
		ASSERT_TRUE(ret == 0 || ret == -ENOSPC);
		adds++;
	}
	c.stop = 1;
	for (i = 0; i < 3; i++)
		pthread_join(threads[i], NULL);
	clear_all(self->fd);
	TH_LOG("%ld rules added while %ld pages were checked", adds, c.checked);
	EXPECT_EQ(0, c.bad);
	EXPECT_LT(10, c.checked);
	for (p = 0; p < NR_PAGES - 4; p++)
		EXPECT_TRUE(page_intact(self->fd, self->page, p));
}

/* Rules on pages of 2 MiB folios (huge=always). */
#define HUGE_SIZE	(2L << 20)

FIXTURE(inject_huge) {
	int fd;
	long page;
	long per_huge;
	off_t initial;
	char *map;
	__u64 huge_before;
};

FIXTURE_SETUP(inject_huge)
{
	long i;

	self->page = fm_page_size();
	self->per_huge = HUGE_SIZE / self->page;
	self->fd = fm_open(O_RDWR);
	self->initial = lseek(self->fd, 0, SEEK_END);
	if (access("/sys/kernel/mm/transparent_hugepage", F_OK))
		SKIP(return, "kernel without transparent huge pages");
	ASSERT_LE(0, clear_all(self->fd));
	ASSERT_EQ(0, fm_set_size(self->fd, 2 * HUGE_SIZE));
	ASSERT_EQ(0, fm_punch_all(self->fd));
	ASSERT_EQ(0, fm_sysfs_write("huge", "always"));
	self->huge_before = fm_stats(self->fd).huge_folios_allocated;
	self->map = fm_mmap_aligned(2 * HUGE_SIZE, HUGE_SIZE,
				    PROT_READ | PROT_WRITE, MAP_SHARED,
				    self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->map);
	/* The first block: one 2 MiB folio, every byte its pattern. */
	for (i = 0; i < HUGE_SIZE; i++)
		self->map[i] = pattern(i / self->page, i % self->page);
}

FIXTURE_TEARDOWN(inject_huge)
{
	clear_all(self->fd);
	fm_sysfs_write("huge", "never");
	if (self->map && self->map != MAP_FAILED)
		munmap(self->map, 2 * HUGE_SIZE);
	fm_punch_all(self->fd);
	fm_set_size(self->fd, self->initial);
	close(self->fd);
}

/* Bytes of the first block that differ from the pattern, page @skip aside. */
static long huge_bad_bytes(const char *map, long page, long skip)
{
	long i, bad = 0;

	for (i = 0; i < HUGE_SIZE; i++)
		if (i / page != skip && map[i] != pattern(i / page, i % page))
			bad++;
	return bad;
}

TEST_F(inject_huge, only_the_ruled_page_of_a_huge_folio_fails)
{
	FM_RETURN_IF_SKIPPED();
	ASSERT_EQ(self->huge_before + 1,
		  fm_stats(self->fd).huge_folios_allocated);
	ASSERT_EQ(1, fm_page_present(self->map + 5 * self->page));
	ASSERT_EQ(0, add_simple(self->fd, FAULTMEM_INJECT_SIGBUS, 5, 1));
	EXPECT_EQ(0, fm_page_present(self->map + 5 * self->page));
	EXPECT_EQ(0, huge_bad_bytes(self->map, self->page, 5));
	EXPECT_EQ(SIGBUS, fm_touch(self->map + 5 * self->page + 9, 0, 0).signo);
	/* Mapped again page by page: the ruled page still fails. */
	EXPECT_EQ(SIGBUS, fm_touch(self->map + 5 * self->page, 0, 0).signo);
	ASSERT_EQ(1, clear_all(self->fd));
	EXPECT_EQ(0, huge_bad_bytes(self->map, self->page, -1));
}

/*
 * Page 0 is split off through its neighbour: truncating inside page 0
 * itself would unmap every page after it, from every process.
 */
TEST_F(inject_huge, a_rule_on_page_0_unmaps_nothing_else)
{
	char *second = self->map + HUGE_SIZE;

	FM_RETURN_IF_SKIPPED();
	second[7 * self->page] = 'y';
	ASSERT_EQ(1, fm_page_present(second + 7 * self->page));
	ASSERT_EQ(0, add_simple(self->fd, FAULTMEM_INJECT_SIGBUS, 0, 1));
	EXPECT_EQ(1, fm_page_present(second + 7 * self->page));
	EXPECT_EQ(SIGBUS, fm_touch(self->map, 0, 0).signo);
	EXPECT_EQ(0, huge_bad_bytes(self->map, self->page, 0));
	/* Page 0 stands alone: its neighbours map without it. */
	EXPECT_EQ(0, fm_page_present(self->map));
	EXPECT_EQ(SIGBUS, fm_touch(self->map + 5, 0, 0).signo);
	ASSERT_EQ(1, clear_all(self->fd));
	EXPECT_EQ(0, huge_bad_bytes(self->map, self->page, -1));
}

TEST_F(inject_huge, no_huge_folio_is_allocated_over_a_ruled_page)
{
	char *second = self->map + HUGE_SIZE;
	__u64 huge_before = self->huge_before + 1;

	FM_RETURN_IF_SKIPPED();
	ASSERT_EQ(huge_before, fm_stats(self->fd).huge_folios_allocated);
	ASSERT_EQ(0, add_simple(self->fd, FAULTMEM_INJECT_SIGBUS,
				self->per_huge + 3, 1));
	/* A first touch of the empty second block gets 4 KiB pages. */
	EXPECT_EQ(0, fm_touch(second, 1, 'x').signo);
	EXPECT_EQ(huge_before, fm_stats(self->fd).huge_folios_allocated);
	EXPECT_EQ(0, fm_page_present(second + 3 * self->page));
	EXPECT_EQ(SIGBUS, fm_touch(second + 3 * self->page, 0, 0).signo);
	EXPECT_EQ(0, huge_bad_bytes(self->map, self->page, -1));
}

TEST_HARNESS_MAIN
