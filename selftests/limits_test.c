// SPDX-License-Identifier: GPL-2.0-only
/*
 * Memory cgroup limits: a task confined to a small memory.max that touches
 * more of the device than its limit allows is stopped by the memory
 * cgroup's OOM handling; the kernel and the module carry on, and the
 * charge goes away when the pages are freed (punch, shrink), however
 * they were touched. Reclaim in the cgroup that owns the pages (its
 * memory.reclaim, what memory.high pressure runs) cannot take them: they
 * are the only copy of the data.
 */
#include <sys/stat.h>

#include "faultmem_test.h"
#include "kselftest_harness.h"

#define CG "/sys/fs/cgroup/faultmem-limit"

static long read_number(const char *path, const char *key)
{
	char buf[4096] = "", *p;
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	if (!key)
		return atol(buf);
	p = strstr(buf, key);
	return p ? atol(p + strlen(key) + 1) : -1;
}

FIXTURE(limit) {
	int fd;
	long page;
	off_t initial;
};

FIXTURE_SETUP(limit)
{
	if (fm_write_file("/sys/fs/cgroup/cgroup.subtree_control", "+memory"))
		SKIP(return, "no cgroup2 memory controller");
	if (mkdir(CG, 0755))
		ASSERT_EQ(EEXIST, errno);
	ASSERT_EQ(0, fm_write_file(CG "/memory.max", "2M"));
	fm_write_file(CG "/memory.swap.max", "0");	/* absent without swap */
	self->fd = fm_open(O_RDWR);
	self->page = fm_page_size();
	self->initial = lseek(self->fd, 0, SEEK_END);
	ASSERT_EQ(0, fm_punch_all(self->fd));
	ASSERT_EQ(0, fm_set_size(self->fd, 8 << 20));
}

FIXTURE_TEARDOWN(limit)
{
	if (self->page) {
		fm_punch_all(self->fd);
		fm_set_size(self->fd, self->initial);
		close(self->fd);
	}
	rmdir(CG);
}

/*
 * Run @op(@fd, @page, @pages) in a child that joins the cgroup first;
 * return its wait status (0: it returned 0), or -1.
 */
static int in_cgroup(int (*op)(int fd, long page, long pages), int fd,
		     long page, long pages)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (fm_write_file(CG "/cgroup.procs", "0"))
			_exit(100);
		_exit(op(fd, page, pages));
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

/* @pages first touches through a shared mapping. */
static int touch_pages(int fd, long page, long pages)
{
	char *map = mmap(NULL, pages * page, PROT_READ | PROT_WRITE,
			 MAP_SHARED, fd, 0);
	long i;

	if (map == MAP_FAILED)
		return 3;
	for (i = 0; i < pages; i++)
		map[i * page] = 1;
	return 0;
}

/* Run @pages first touches in a child inside the cgroup; its wait status. */
static int touch_in_cgroup(int fd, long page, long pages)
{
	return in_cgroup(touch_pages, fd, page, pages);
}

TEST_F(limit, touching_past_memory_max_is_contained)
{
	long max = 2 << 20, current;
	int status;

	FM_RETURN_IF_SKIPPED();
	/* 8 MiB of first touches in a 2 MiB cgroup. */
	status = touch_in_cgroup(self->fd, self->page, (8 << 20) / self->page);
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		TH_LOG("child status %#x", status);
	EXPECT_LE(1, read_number(CG "/memory.events", "oom_kill"));
	current = read_number(CG "/memory.current", NULL);
	EXPECT_GE(max, current);
	/* What was charged stays resident: the device keeps the data. */
	EXPECT_LT(0, (long)fm_stats(self->fd).resident_pages);

	/* Freeing the pages releases the charge. */
	ASSERT_EQ(0, fm_punch_all(self->fd));
	EXPECT_EQ(0, fm_stats(self->fd).resident_pages);
	EXPECT_GT(max / 4, read_number(CG "/memory.current", NULL))
		TH_LOG("memory.current after punch: %ld",
		       read_number(CG "/memory.current", NULL));

	/* The module keeps working, for tasks in and out of the cgroup. */
	EXPECT_EQ(0, touch_in_cgroup(self->fd, self->page, 64));
	EXPECT_EQ(64, fm_stats(self->fd).resident_pages);
}

/*
 * Under huge=always, a 2 MiB folio that the cgroup cannot take (2 MiB
 * limit, some of it already used) is not an out-of-memory condition: the
 * fault falls back to a 4 KiB page, and nobody is killed.
 */
TEST_F(limit, huge_folios_fall_back_to_small_pages_at_the_limit)
{
	struct faultmem_stats before, after;
	long oom_kills = read_number(CG "/memory.events", "oom_kill");

	FM_RETURN_IF_SKIPPED();
	if (fm_sysfs_write("huge", "always"))
		SKIP(return, "no transparent huge pages");
	before = fm_stats(self->fd);
	EXPECT_EQ(0, touch_in_cgroup(self->fd, self->page, 1));
	after = fm_stats(self->fd);
	fm_sysfs_write("huge", "never");
	EXPECT_EQ(before.huge_fallbacks + 1, after.huge_fallbacks);
	EXPECT_EQ(before.huge_folios_allocated, after.huge_folios_allocated);
	EXPECT_EQ(before.pages_allocated + 1, after.pages_allocated);
	EXPECT_EQ(oom_kills, read_number(CG "/memory.events", "oom_kill"));
}

TEST_F(limit, shrinking_releases_the_charge)
{
	long before;

	FM_RETURN_IF_SKIPPED();
	ASSERT_EQ(0, touch_in_cgroup(self->fd, self->page, 256));
	before = read_number(CG "/memory.current", NULL);
	EXPECT_LE(256 * self->page, before);
	ASSERT_EQ(0, fm_set_size(self->fd, 0));
	EXPECT_GT(before - 192 * self->page, read_number(CG "/memory.current", NULL));
}

/*
 * Pages 0-255 by write(), then read() back twice; pages 256-319 by
 * faults. (@pages: 320, for in_cgroup().)
 */
static int write_read_and_map(int fd, long page, long pages)
{
	char *buf = malloc(256 * page), *map;
	long i;

	if (!buf)
		return 1;
	for (i = 0; i < 256 * page; i++)
		buf[i] = (char)(i % 251 + 1);
	if (pwrite(fd, buf, 256 * page, 0) != 256 * page)
		return 2;
	for (i = 0; i < 2; i++)
		if (pread(fd, buf, 256 * page, 0) != 256 * page)
			return 3;
	map = mmap(NULL, pages * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return 4;
	for (i = 256; i < pages; i++)
		map[i * page] = (char)i;
	munmap(map, pages * page);
	free(buf);
	return 0;
}

/*
 * read() and write() hold a page only while they copy: after a punch
 * every page they touched is freed, and its charge released. A reference
 * kept by mistake would leave the memory charged (and lost) for good.
 */
TEST_F(limit, punching_after_read_and_write_releases_every_charge)
{
	long charged, after;

	FM_RETURN_IF_SKIPPED();
	/* Room for the child's buffer too. */
	ASSERT_EQ(0, fm_write_file(CG "/memory.max", "16M"));
	ASSERT_EQ(0, in_cgroup(write_read_and_map, self->fd, self->page, 320));
	charged = read_number(CG "/memory.current", NULL);
	EXPECT_LE(320 * self->page, charged);
	ASSERT_EQ(0, fm_punch_all(self->fd));
	/*
	 * A freed folio can still sit in another CPU's LRU batch, which holds
	 * a reference until drained; compaction drains every CPU's batches
	 * (lru_add_drain_all()). The cgroup keeps some kernel memory of the
	 * child's, not ours; a few pages of slack, against a leak of every
	 * page read() or write() touched (256).
	 */
	ASSERT_EQ(0, fm_write_file("/proc/sys/vm/compact_memory", "1"));
	after = read_number(CG "/memory.current", NULL);
	EXPECT_LE(288 * self->page, charged - after)
		TH_LOG("memory.current: %ld before the punch, %ld after",
		       charged, after);
}

/*
 * Reclaim in the cgroup that owns the pages must leave every one of them,
 * and every byte: RAM is their only copy. They are unevictable and dirty
 * (memory.stat and /proc/kpageflags say so), so reclaim never even
 * tries.
 * Asking memory.reclaim for more than the cgroup holds makes the kernel
 * scan everything it has.
 */
TEST_F(limit, reclaim_in_the_owning_cgroup_keeps_every_page)
{
	char *buf = malloc(320 * self->page), *map;
	long i, bad = 0, resident;
	int fd;

	FM_RETURN_IF_SKIPPED();
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, fm_write_file(CG "/memory.max", "16M"));
	ASSERT_EQ(0, in_cgroup(write_read_and_map, self->fd, self->page, 320));
	resident = fm_stats(self->fd).resident_pages;
	EXPECT_EQ(320, resident);
	/*
	 * New folios wait in per-CPU batches before they reach an LRU list;
	 * compaction drains every CPU's batches (lru_add_drain_all()).
	 */
	ASSERT_EQ(0, fm_write_file("/proc/sys/vm/compact_memory", "1"));
	/*
	 * memory.stat is flushed lazily from 6.x on (a few dozen pages may
	 * be missing); /proc/kpageflags below checks every page exactly.
	 */
	EXPECT_LE(288 * self->page, read_number(CG "/memory.stat", "unevictable"));

	fd = open(CG "/memory.reclaim", O_WRONLY);
	ASSERT_LE(0, fd) TH_LOG("no memory.reclaim: %s", strerror(errno));
	for (i = 0; i < 3; i++)
		if (write(fd, "8M", 2) < 0)
			EXPECT_EQ(EAGAIN, errno);
	close(fd);

	EXPECT_EQ(resident, fm_stats(self->fd).resident_pages);
	EXPECT_LE(320 * self->page, read_number(CG "/memory.current", NULL));
	ASSERT_EQ(320 * self->page, pread(self->fd, buf, 320 * self->page, 0));
	for (i = 0; i < 256 * self->page; i++)
		bad += buf[i] != (char)(i % 251 + 1);
	map = mmap(NULL, 320 * self->page, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	for (i = 256; i < 320; i++)
		bad += map[i * self->page] != (char)i;
	EXPECT_EQ(0, bad);
	/*
	 * Each page, as the kernel sees it: dirty (noop_dirty_folio sets the
	 * flag without dirty accounting, so memory.stat's file_dirty stays 0)
	 * and on the unevictable list.
	 */
	for (i = 0, bad = 0; i < 320; i++) {
		uint64_t flags;

		(void)*(volatile char *)(map + i * self->page);
		flags = fm_kpageflags(fm_pfn_of(map + i * self->page));

		bad += !(flags & (1ULL << FM_KPF_DIRTY)) ||
		       !(flags & (1ULL << FM_KPF_UNEVICTABLE));
	}
	EXPECT_EQ(0, bad) TH_LOG("pages not both dirty and unevictable");
	munmap(map, 320 * self->page);
	free(buf);
}

TEST_HARNESS_MAIN
