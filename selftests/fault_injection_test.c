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
 *  - the ioctls allocate nothing and keep working;
 *  - nothing leaks (kmemleak, in the debug lane) and the device works
 *    once injection stops.
 */
#include "faultmem_test.h"
#include "kselftest_harness.h"

#define DEBUGFS "/sys/kernel/debug/"

/* Arm @attr (fail_page_alloc or failslab) for tasks that ask to fail. */
static int arm(const char *attr, const char *times)
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
		if (fm_write_file(DEBUGFS "fail_page_alloc/min-order", "0") ||
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

static int ioctls_op(void *arg)
{
	int fd = *(int *)arg;
	struct faultmem_stats stats;
	uint64_t size;

	if (ioctl(fd, FAULTMEM_IOC_GET_SIZE, &size) ||
	    ioctl(fd, FAULTMEM_IOC_GET_STATS, &stats))
		return 1;
	if (fm_punch(fd, 0, fm_page_size()) || fm_set_size(fd, size))
		return 2;
	return 0;
}

/* The ioctls allocate nothing: under injection they keep working. */
TEST_F(inject, ioctls_work_under_injection)
{
	FM_RETURN_IF_SKIPPED();
	ASSERT_EQ(0, arm("fail_page_alloc", "-1"));
	ASSERT_EQ(0, arm("failslab", "-1"));
	EXPECT_EQ(0, in_failing_child(ioctls_op, &self->fd, NULL));
	disarm("fail_page_alloc");
	disarm("failslab");
	/* Page 0 was punched: it reads as zero, through a new fault. */
	EXPECT_EQ(0, self->map[0]);
}

TEST_HARNESS_MAIN
