// SPDX-License-Identifier: GPL-2.0-only
/*
 * Allocation failures, injected with the kernel's fault-injection
 * framework (fail_page_alloc for the pages, failslab for the page cache's
 * xarray nodes), limited to one task with task-filter and
 * /proc/self/make-it-fail. Needs CONFIG_FAULT_INJECTION_DEBUG_FS: skipped
 * on Debian's kernel, run by make check-debug.
 *
 * What must happen (docs/decisions.md):
 *  - a fault that cannot get a page returns VM_FAULT_OOM; outside a
 *    memory cgroup at its limit the kernel retries the fault, so the
 *    access completes once memory is available again;
 *  - write() returns ENOMEM and writes nothing;
 *  - a 2 MiB allocation that fails falls back to a 4 KiB page;
 *  - the size, stats, punch and small-page resize ioctls allocate nothing
 *    and keep working; the residency ioctl allocates a bounce page and
 *    fails with ENOMEM when it cannot; a shrink through a 2 MiB folio
 *    whose split cannot allocate fails with EBUSY and changes nothing;
 *  - nothing leaks (kmemleak, in the debug lane) and the device works
 *    once injection stops.
 * Each injection counts down a number of failures ("times"): a case
 * that injects N and sees 0 left, and the error or fallback it expects,
 * shows the failures hit the path under test.
 */
#include "faultmem_test.h"
#include "kselftest_harness.h"

#define DEBUGFS "/sys/kernel/debug/"

static int arm_order(const char *attr, const char *times, const char *min_order);

/* Arm @attr (fail_page_alloc or failslab) for tasks that ask to fail. */
static int arm(const char *attr, const char *times)
{
	return arm_order(attr, times, "0");
}

/* The same, failing only page allocations of order @min_order and up. */
static int arm_order(const char *attr, const char *times, const char *min_order)
{
	static const char *const knobs[][2] = {
		{ "probability", "100" }, { "interval", "1" },
		{ "task-filter", "Y" }, { "ignore-gfp-wait", "N" },
		{ "verbose", "0" }, { "space", "0" },
	};
	char path[128];
	unsigned int i;

	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		snprintf(path, sizeof(path), DEBUGFS "%s/%s", attr, knobs[i][0]);
		if (fm_write_file(path, knobs[i][1]))
			return -1;
	}
	if (!strcmp(attr, "fail_page_alloc")) {
		/*
		 * faultmem's pages are order-0 GFP_HIGHUSER allocations; by
		 * default fail_page_alloc skips both (min-order 1, highmem
		 * requests ignored).
		 */
		if (fm_write_file(DEBUGFS "fail_page_alloc/min-order", min_order) ||
		    fm_write_file(DEBUGFS "fail_page_alloc/ignore-gfp-highmem", "N"))
			return -1;
	}
	snprintf(path, sizeof(path), DEBUGFS "%s/times", attr);
	return fm_write_file(path, times);
}

/* Failures an armed @attr has left to inject (its "times" counter). */
static long remaining(const char *attr)
{
	char path[128], buf[32] = "";
	int fd;

	snprintf(path, sizeof(path), DEBUGFS "%s/times", attr);
	fd = open(path, O_RDONLY);
	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0)
		buf[0] = '\0';
	if (fd >= 0)
		close(fd);
	return atol(buf);
}

static void disarm(const char *attr)
{
	char path[128];

	snprintf(path, sizeof(path), DEBUGFS "%s/probability", attr);
	fm_write_file(path, "0");
	snprintf(path, sizeof(path), DEBUGFS "%s/times", attr);
	fm_write_file(path, "0");
}

/*
 * Write 64 KiB of the stack below the caller. After fork() the child's
 * stack pages are its parent's, write-protected: the first store to each
 * copies it, and that copy is a page allocation which, once the child
 * fails allocations, would take the failure meant for the driver.
 */
static __attribute__((noinline)) void own_stack(void)
{
	volatile char stack[64 << 10];
	size_t i;

	for (i = 0; i < sizeof(stack); i += 1024)
		stack[i] = 0;
}

/*
 * Run @op in a child that marks itself make-it-fail, and return what it
 * returned (or 100+ for setup trouble, 200+signal if it died). The test
 * process itself never fails allocations, so it can always clean up.
 * @prefault: NULL, or two addresses the child reads first.
 */
static int in_failing_child(int (*op)(void *), void *arg, char *const *prefault)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return 100;
	if (pid == 0) {
		int fd;

		if (prefault) {
			/*
			 * A forked child has no page tables for shared file
			 * mappings yet: build them before failing, so that the
			 * allocations that fail are faultmem's.
			 */
			(void)*(volatile char *)prefault[0];
			(void)*(volatile char *)prefault[1];
		}
		own_stack();
		fd = open("/proc/self/make-it-fail", O_WRONLY);

		if (fd < 0 || write(fd, "1", 1) != 1)
			_exit(101);
		close(fd);
		_exit(op(arg));
	}
	if (waitpid(pid, &status, 0) != pid)
		return 102;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 200 + WTERMSIG(status);
}

FIXTURE(inject) {
	int fd;
	long page;
	char *map;
	size_t len;
	char *prefault[2];
};

FIXTURE_SETUP(inject)
{
	char *reserve, *aligned;

	if (access(DEBUGFS "fail_page_alloc", F_OK) ||
	    access(DEBUGFS "failslab", F_OK))
		SKIP(return, "kernel without fault injection (run make check-debug)");
	self->fd = fm_open(O_RDWR);
	self->page = fm_page_size();
	self->len = 1024 * self->page;
	ASSERT_EQ(0, fm_punch_all(self->fd));
	/*
	 * 2 MiB aligned, so pages 0-511 share one page table and 512-1023
	 * another; pages 0 and 1023 are resident, so reading them builds both.
	 */
	reserve = mmap(NULL, self->len + (2 << 20), PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, reserve);
	aligned = (char *)(((uintptr_t)reserve + (2 << 20) - 1) & ~(uintptr_t)((2 << 20) - 1));
	self->map = mmap(aligned, self->len, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, self->fd, 0);
	ASSERT_EQ(aligned, self->map);
	self->map[0] = 1;
	self->map[self->len - 1] = 1;
	self->prefault[0] = self->map;
	self->prefault[1] = self->map + self->len - 1;
}

FIXTURE_TEARDOWN(inject)
{
	if (self->map && self->map != MAP_FAILED) {
		disarm("fail_page_alloc");
		disarm("failslab");
		munmap(self->map, self->len);
		close(self->fd);
	}
}

/* Write through the mapping; the fault fails, is retried, then succeeds. */
static int touch_op(void *target)
{
	*(volatile char *)target = 'F';
	return *(volatile char *)target == 'F' ? 0 : 1;
}

TEST_F(inject, fault_survives_failed_page_allocations)
{
	struct faultmem_stats before, after;

	FM_RETURN_IF_SKIPPED();
	before = fm_stats(self->fd);
	ASSERT_EQ(0, arm("fail_page_alloc", "5"));
	EXPECT_EQ(0, in_failing_child(touch_op, self->map + 7 * self->page,
				      self->prefault));
	/* All five failures were spent on the fault (and its retries). */
	EXPECT_EQ(0, remaining("fail_page_alloc"));
	printf("# fault injection: 5 page allocation failures injected into one fault\n");
	disarm("fail_page_alloc");
	after = fm_stats(self->fd);
	EXPECT_EQ('F', self->map[7 * self->page]);
	EXPECT_EQ(before.resident_pages + 1, after.resident_pages);
	/* Failed faults (retried by the kernel), then the one that allocated. */
	EXPECT_LE(before.faults + 2, after.faults);
	EXPECT_EQ(before.pages_allocated + 1, after.pages_allocated);
}

/* Page index 512 is in an xarray node that does not exist yet. */
TEST_F(inject, fault_survives_failed_xarray_allocations)
{
	struct faultmem_stats before, after;

	FM_RETURN_IF_SKIPPED();
	before = fm_stats(self->fd);
	ASSERT_EQ(0, arm("failslab", "5"));
	EXPECT_EQ(0, in_failing_child(touch_op, self->map + 512 * self->page,
				      self->prefault));
	EXPECT_EQ(0, remaining("failslab"));
	printf("# fault injection: 5 slab allocation failures injected into one fault\n");
	disarm("failslab");
	after = fm_stats(self->fd);
	EXPECT_EQ('F', self->map[512 * self->page]);
	EXPECT_EQ(before.resident_pages + 1, after.resident_pages);
	EXPECT_LE(before.faults + 2, after.faults);
}

struct write_args {
	int fd;
	off_t offset;
};

/* 0 if pwrite() failed with ENOMEM, as it must under injection. */
static int write_op(void *arg)
{
	struct write_args *w = arg;
	ssize_t n = pwrite(w->fd, "nomem", 5, w->offset);

	if (n == -1 && errno == ENOMEM)
		return 0;
	return n >= 0 ? 1 : 2;
}

/* write() gives ENOMEM, writes nothing, and works again afterwards. */
TEST_F(inject, write_returns_enomem)
{
	static const char *const attrs[] = { "fail_page_alloc", "failslab" };
	unsigned int i;

	FM_RETURN_IF_SKIPPED();
	for (i = 0; i < 2; i++) {
		/* Index 300 + 64 i: a page and an xarray node not there yet. */
		struct write_args w = { self->fd, (300 + 64 * i) * self->page };
		struct faultmem_stats before = fm_stats(self->fd);

		ASSERT_EQ(0, arm(attrs[i], "-1"));
		EXPECT_EQ(0, in_failing_child(write_op, &w, NULL)) TH_LOG("%s", attrs[i]);
		disarm(attrs[i]);
		EXPECT_EQ(before.resident_pages, fm_stats(self->fd).resident_pages);
		EXPECT_TRUE(fm_all_zero(self->map + w.offset, 5));
		EXPECT_EQ(5, pwrite(self->fd, "works", 5, w.offset));
		EXPECT_EQ(0, memcmp(self->map + w.offset, "works", 5));
	}
}

/*
 * The ioctls that allocate nothing, under injection: the size, the stats,
 * a punch of small pages, a shrink and a regrow. 0, or which one failed.
 */
static int ioctls_op(void *arg)
{
	int fd = *(int *)arg;
	struct faultmem_stats stats;
	uint64_t size;

	if (ioctl(fd, FAULTMEM_IOC_GET_SIZE, &size) ||
	    ioctl(fd, FAULTMEM_IOC_GET_STATS, &stats))
		return 1;
	if (fm_punch(fd, 0, fm_page_size()))
		return 2;
	if (fm_set_size(fd, 1 << 20) || fm_set_size(fd, size))
		return 3;
	return 0;
}

/* The residency ioctl: 0 if it failed with ENOMEM, as it must here. */
static int residency_op(void *arg)
{
	int fd = *(int *)arg;
	unsigned char bits[16];
	struct faultmem_residency res = {
		.nr_pages = 128, .bitmap = (uintptr_t)bits,
	};

	if (!ioctl(fd, FAULTMEM_IOC_GET_RESIDENCY, &res))
		return 1;
	return errno == ENOMEM ? 0 : 2;
}

TEST_F(inject, ioctls_that_allocate_nothing_work_under_injection)
{
	off_t size = lseek(self->fd, 0, SEEK_END);

	FM_RETURN_IF_SKIPPED();
	self->map[self->len / 2] = 'K';
	ASSERT_EQ(0, arm("fail_page_alloc", "-1"));
	ASSERT_EQ(0, arm("failslab", "-1"));
	EXPECT_EQ(0, in_failing_child(ioctls_op, &self->fd, NULL));
	disarm("fail_page_alloc");
	disarm("failslab");
	EXPECT_EQ(size, lseek(self->fd, 0, SEEK_END));
	/* Page 0 was punched; all past 1 MiB shrunk away and regrown. */
	EXPECT_EQ(0, self->map[0]);
	EXPECT_EQ(0, self->map[self->len / 2]);
}

/*
 * One failed page allocation is the residency ioctl's ENOMEM. The debug
 * kernels' own bookkeeping (KASAN's stack depot refilling its pool) may
 * allocate in the child first and take the one failure: then the ioctl
 * succeeds, and the case tries again; any other error fails it at once.
 */
TEST_F(inject, residency_fails_with_enomem_without_its_bounce_page)
{
	unsigned char bits[16];
	struct faultmem_residency res = {
		.nr_pages = 128, .bitmap = (uintptr_t)bits,
	};
	int tries, verdict = 1;

	FM_RETURN_IF_SKIPPED();
	for (tries = 1; tries <= 10 && verdict == 1; tries++) {
		ASSERT_EQ(0, arm("fail_page_alloc", "1"));
		verdict = in_failing_child(residency_op, &self->fd, NULL);
		EXPECT_EQ(0, remaining("fail_page_alloc"));
		disarm("fail_page_alloc");
	}
	EXPECT_EQ(0, verdict) TH_LOG("after %d tries", tries - 1);
	EXPECT_EQ(0, ioctl(self->fd, FAULTMEM_IOC_GET_RESIDENCY, &res));
	EXPECT_EQ(1, res.resident);	/* page 0, from the setup */
}

/*
 * The 2 MiB allocation fails (only allocations of order 9 and up are
 * failed, once): the fault falls back to a 4 KiB page, counted.
 */
TEST_F(inject, a_failed_huge_allocation_falls_back_to_a_small_page)
{
	struct faultmem_stats before, after;

	FM_RETURN_IF_SKIPPED();
	if (fm_sysfs_write("huge", "always"))
		SKIP(return, "kernel without transparent huge pages");
	before = fm_stats(self->fd);
	ASSERT_EQ(0, arm_order("fail_page_alloc", "1", "9"));
	EXPECT_EQ(0, in_failing_child(touch_op, self->map + 600 * self->page,
				      self->prefault));
	EXPECT_EQ(0, remaining("fail_page_alloc"));
	disarm("fail_page_alloc");
	fm_sysfs_write("huge", "never");
	after = fm_stats(self->fd);
	EXPECT_EQ('F', self->map[600 * self->page]);
	EXPECT_EQ(before.huge_fallbacks + 1, after.huge_fallbacks);
	EXPECT_EQ(before.huge_folios_allocated, after.huge_folios_allocated);
	EXPECT_EQ(before.pages_allocated + 1, after.pages_allocated);
}

static int shrink_op(void *arg)
{
	int fd = *(int *)arg;
	int err = fm_set_size(fd, 3 * (1 << 20));

	return err == -EBUSY ? 0 : err ? 1 : 2;
}

/* 1 if pages 512-@last of the fixture's mapping hold what the test wrote. */
static int front_intact(struct _test_data_inject *self, long last)
{
	long i;

	for (i = 512; i <= last; i++)
		if (self->map[i * self->page + 1] != (char)i ||
		    self->map[i * self->page] != 0)
			return 0;
	return 1;
}

/*
 * Splitting a 2 MiB folio allocates xarray nodes. A shrink through one
 * whose split cannot allocate them fails with EBUSY after its retries
 * (each consumed failures) and changes nothing: the size and every byte
 * are as before.
 */
TEST_F(inject, a_shrink_whose_split_cannot_allocate_changes_nothing)
{
	off_t size = lseek(self->fd, 0, SEEK_END);
	struct faultmem_stats before = fm_stats(self->fd);
	long i, left;
	int rc;

	FM_RETURN_IF_SKIPPED();
	if (fm_sysfs_write("huge", "always"))
		SKIP(return, "kernel without transparent huge pages");
	ASSERT_EQ(0, fm_punch_all(self->fd));
	/* Pages 512-1023: one 2 MiB folio (the mapping is 2 MiB aligned). */
	for (i = 512; i < 1024; i++)
		self->map[i * self->page + 1] = (char)i;
	fm_sysfs_write("huge", "never");
	ASSERT_EQ(before.huge_folios_allocated + 1,
		  fm_stats(self->fd).huge_folios_allocated);
	ASSERT_EQ(0, arm("failslab", "1000"));
	rc = in_failing_child(shrink_op, &self->fd, NULL);
	left = remaining("failslab");
	disarm("failslab");
	if (rc == 2) {
		/*
		 * Later kernels (seen on 7.2) split a page-cache folio for
		 * truncation without allocating: the shrink then succeeds,
		 * and keeps everything before the new end.
		 */
		printf("# fault injection: this kernel's split allocated nothing\n");
		EXPECT_EQ(3 << 20, lseek(self->fd, 0, SEEK_END));
		EXPECT_TRUE(front_intact(self, 767));
		ASSERT_EQ(0, fm_set_size(self->fd, size));
		return;
	}
	EXPECT_EQ(0, rc);
	EXPECT_GE(1000 - 20, left) TH_LOG("%ld failures left", left);
	EXPECT_EQ(size, lseek(self->fd, 0, SEEK_END));
	EXPECT_TRUE(front_intact(self, 1023));
	/* Without injection the same shrink succeeds. */
	EXPECT_EQ(0, fm_set_size(self->fd, 3 * (1 << 20)));
	EXPECT_EQ((char)767, self->map[767 * self->page + 1]);
	ASSERT_EQ(0, fm_set_size(self->fd, size));
}

TEST_HARNESS_MAIN
