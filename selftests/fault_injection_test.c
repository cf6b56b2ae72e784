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

static int write_knob(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, value, strlen(value)) != (ssize_t)strlen(value))
		ret = -errno;
	close(fd);
	return ret;
}

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
		if (write_knob(path, knobs[i][1]))
			return -1;
	}
	if (!strcmp(attr, "fail_page_alloc")) {
		/* faultmem's pages are GFP_HIGHUSER: include highmem requests. */
		snprintf(path, sizeof(path), DEBUGFS "%s/ignore-gfp-highmem", attr);
		if (write_knob(path, "N"))
			return -1;
	}
	snprintf(path, sizeof(path), DEBUGFS "%s/times", attr);
	return write_knob(path, times);
}

static void disarm(const char *attr)
{
	char path[128];

	snprintf(path, sizeof(path), DEBUGFS "%s/probability", attr);
	write_knob(path, "0");
	snprintf(path, sizeof(path), DEBUGFS "%s/times", attr);
	write_knob(path, "0");
}

static int make_me_fail(int on)
{
	return write_knob("/proc/self/make-it-fail", on ? "1" : "0");
}

FIXTURE(inject) {
	int fd;
	long page;
	char *map;
	size_t len;
};

FIXTURE_SETUP(inject)
{
	if (access(DEBUGFS "fail_page_alloc", F_OK) ||
	    access(DEBUGFS "failslab", F_OK))
		SKIP(return, "kernel without fault injection (run make check-debug)");
	self->fd = fm_open(O_RDWR);
	self->page = fm_page_size();
	self->len = 1024 * self->page;
	ASSERT_EQ(0, fm_punch_all(self->fd));
	self->map = mmap(NULL, self->len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->map);
	/* Page tables exist before injection starts, so only our pages fail. */
	self->map[0] = 1;
	self->map[self->len - 1] = 1;
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

/*
 * In a child marked make-it-fail: its faults fail N times, then the
 * kernel's retry succeeds. The child must finish with its data in place.
 */
static int fault_under_injection(struct __test_metadata *_metadata,
				 char *target, const char *attr)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (make_me_fail(1))
			_exit(2);
		*target = 'F';		/* fails, retried, then succeeds */
		make_me_fail(0);
		_exit(*target == 'F' ? 0 : 3);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	EXPECT_EQ(0, status) TH_LOG("%s: child status %#x", attr, status);
	return 0;
}

TEST_F(inject, fault_survives_failed_page_allocations)
{
	struct faultmem_stats before = fm_stats(self->fd), after;

	FM_RETURN_IF_SKIPPED();
	ASSERT_EQ(0, arm("fail_page_alloc", "5"));
	ASSERT_EQ(0, fault_under_injection(_metadata, self->map + 7 * self->page,
					   "fail_page_alloc"));
	disarm("fail_page_alloc");
	after = fm_stats(self->fd);
	EXPECT_EQ('F', self->map[7 * self->page]);
	EXPECT_EQ(before.resident_pages + 1, after.resident_pages);
	/* Five failed faults, then the one that allocated. */
	EXPECT_LE(before.faults + 2, after.faults);
	EXPECT_EQ(before.pages_allocated + 1, after.pages_allocated);
}

/* Page index 512 is in an xarray node that does not exist yet. */
TEST_F(inject, fault_survives_failed_xarray_allocations)
{
	struct faultmem_stats before = fm_stats(self->fd), after;

	FM_RETURN_IF_SKIPPED();
	ASSERT_EQ(0, arm("failslab", "5"));
	ASSERT_EQ(0, fault_under_injection(_metadata, self->map + 512 * self->page,
					   "failslab"));
	disarm("failslab");
	after = fm_stats(self->fd);
	EXPECT_EQ('F', self->map[512 * self->page]);
	EXPECT_EQ(before.resident_pages + 1, after.resident_pages);
}

/* write() gives ENOMEM, writes nothing, and works again afterwards. */
TEST_F(inject, write_returns_enomem)
{
	static const char *const attrs[] = { "fail_page_alloc", "failslab" };
	unsigned int i;

	FM_RETURN_IF_SKIPPED();
	for (i = 0; i < 2; i++) {
		off_t off = (300 + 64 * i) * self->page;
		struct faultmem_stats before = fm_stats(self->fd);
		ssize_t n;
		int err;

		ASSERT_EQ(0, arm(attrs[i], "-1"));
		ASSERT_EQ(0, make_me_fail(1));
		n = pwrite(self->fd, "nomem", 5, off);
		err = errno;
		make_me_fail(0);
		disarm(attrs[i]);
		EXPECT_EQ(-1, n) TH_LOG("%s", attrs[i]);
		EXPECT_EQ(ENOMEM, err) TH_LOG("%s", attrs[i]);
		EXPECT_EQ(before.resident_pages, fm_stats(self->fd).resident_pages);
		EXPECT_EQ(5, pwrite(self->fd, "works", 5, off));
		EXPECT_EQ(0, memcmp(self->map + off, "works", 5));
	}
}

/* The ioctls allocate nothing: under injection they keep working. */
TEST_F(inject, ioctls_work_under_injection)
{
	struct faultmem_stats stats;
	uint64_t size;

	FM_RETURN_IF_SKIPPED();
	ASSERT_EQ(0, arm("fail_page_alloc", "-1"));
	ASSERT_EQ(0, arm("failslab", "-1"));
	ASSERT_EQ(0, make_me_fail(1));
	EXPECT_EQ(0, ioctl(self->fd, FAULTMEM_IOC_GET_SIZE, &size));
	EXPECT_EQ(0, ioctl(self->fd, FAULTMEM_IOC_GET_STATS, &stats));
	EXPECT_EQ(0, fm_punch(self->fd, 0, self->page));
	EXPECT_EQ(0, fm_set_size(self->fd, size));
	make_me_fail(0);
	disarm("fail_page_alloc");
	disarm("failslab");
	EXPECT_EQ(0, self->map[0]);
}

TEST_HARNESS_MAIN
