// SPDX-License-Identifier: GPL-2.0-only
/*
 * Resizing and hole punching: like truncate and fallocate(PUNCH_HOLE) on a
 * file, they take pages away from every live mapping of every process,
 * free them, and never let old data come back.
 */
#include "faultmem_test.h"
#include "kselftest_harness.h"

FIXTURE(resize) {
	int fd;
	long page;
	off_t initial;
};

FIXTURE_SETUP(resize)
{
	self->fd = fm_open(O_RDWR);
	self->page = fm_page_size();
	self->initial = lseek(self->fd, 0, SEEK_END);
	ASSERT_EQ(0, fm_punch_all(self->fd));
	ASSERT_EQ(0, fm_set_size(self->fd, 16 * self->page));
}

FIXTURE_TEARDOWN(resize)
{
	fm_set_size(self->fd, self->initial);
	close(self->fd);
}

static void fill(int fd, long page, int pages, char c)
{
	char *buf = malloc(page);
	int i;

	memset(buf, c, page);
	for (i = 0; i < pages; i++)
		if (pwrite(fd, buf, page, i * page) != page)
			abort();
	free(buf);
}

/*
 * Shrinking unmaps everything beyond the new size in every live mapping
 * (shared ones and private copy-on-write copies alike: the data is beyond
 * the end of the object now) and frees those pages; growing again exposes
 * zeroes, never the old data.
 */
TEST_F(resize, shrink_then_grow)
{
	long page = self->page, i;
	size_t len = 16 * page;
	int fd2 = fm_open(O_RDWR);
	char *shared, *other, *priv, buf[8];
	struct fm_signal sig;

	fill(self->fd, page, 16, 'o');
	shared = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	other = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0);
	priv = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->fd, 0);
	ASSERT_NE(MAP_FAILED, shared);
	ASSERT_NE(MAP_FAILED, other);
	ASSERT_NE(MAP_FAILED, priv);
	for (i = 0; i < 16; i++)
		ASSERT_EQ('o', shared[i * page] & other[i * page]);
	priv[12 * page] = 'c';		/* a private copy beyond the new end */
	priv[2 * page] = 'c';		/* and one before it */
	EXPECT_EQ(16, fm_stats(self->fd).resident_pages);

	ASSERT_EQ(0, fm_set_size(self->fd, 8 * page));
	EXPECT_EQ(8 * page, lseek(self->fd, 0, SEEK_END));
	EXPECT_EQ(8, fm_stats(self->fd).resident_pages);
	for (i = 0; i < 16; i++) {
		char *views[] = { shared, other, priv };
		unsigned int v;

		for (v = 0; v < 3; v++) {
			sig = fm_touch(views[v] + i * page + 1, 0, 0);
			if (i < 8) {
				EXPECT_EQ(0, sig.signo);
				continue;
			}
			EXPECT_EQ(SIGBUS, sig.signo);
			EXPECT_EQ(BUS_ADRERR, sig.code);
			EXPECT_EQ(views[v] + i * page + 1, sig.addr);
		}
	}
	EXPECT_EQ('c', priv[2 * page]);		/* kept: still inside */
	EXPECT_EQ(0, pread(self->fd, buf, 1, 8 * page));

	ASSERT_EQ(0, fm_set_size(self->fd, 16 * page));
	EXPECT_EQ(8, fm_stats(self->fd).resident_pages);
	EXPECT_TRUE(fm_all_zero(shared + 8 * page, 8 * page));
	EXPECT_TRUE(fm_all_zero(other + 8 * page, 8 * page));
	EXPECT_TRUE(fm_all_zero(priv + 12 * page, page));
	ASSERT_EQ(8, pread(self->fd, buf, 8, 12 * page));
	EXPECT_TRUE(fm_all_zero(buf, 8));
	EXPECT_EQ('o', shared[7 * page]);

	munmap(shared, len);
	munmap(other, len);
	munmap(priv, len);
	close(fd2);
}

/* Shrinking to zero and growing back works; the mapping survives. */
TEST_F(resize, shrink_to_zero)
{
	char *map;

	fill(self->fd, self->page, 4, 'z');
	map = mmap(NULL, 4 * self->page, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, fm_set_size(self->fd, 0));
	EXPECT_EQ(0, lseek(self->fd, 0, SEEK_END));
	EXPECT_EQ(0, fm_stats(self->fd).resident_pages);
	EXPECT_EQ(SIGBUS, fm_touch(map, 0, 0).signo);
	ASSERT_EQ(0, fm_set_size(self->fd, 4 * self->page));
	EXPECT_TRUE(fm_all_zero(map, 4 * self->page));
	munmap(map, 4 * self->page);
}

/*
 * A punched hole reads as zeroes through every shared mapping and read(),
 * and its pages are freed. Private copies already made are the process's
 * own and are kept (as for a file).
 */
TEST_F(resize, punch_hole)
{
	long page = self->page;
	char *shared, *priv, buf[4];

	fill(self->fd, page, 8, 'h');
	shared = mmap(NULL, 8 * page, PROT_READ | PROT_WRITE, MAP_SHARED,
		      self->fd, 0);
	priv = mmap(NULL, 8 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		    self->fd, 0);
	ASSERT_NE(MAP_FAILED, shared);
	ASSERT_NE(MAP_FAILED, priv);
	EXPECT_EQ('h', priv[4 * page]);		/* mapped, not copied */
	priv[3 * page] = 'p';			/* copied */
	EXPECT_EQ(8, fm_stats(self->fd).resident_pages);

	ASSERT_EQ(0, fm_punch(self->fd, 2 * page, 4 * page));
	EXPECT_EQ(4, fm_stats(self->fd).resident_pages);
	EXPECT_EQ(16 * page, lseek(self->fd, 0, SEEK_END));
	EXPECT_TRUE(fm_all_zero(shared + 2 * page, 4 * page));
	ASSERT_EQ(4, pread(self->fd, buf, 4, 5 * page));
	EXPECT_TRUE(fm_all_zero(buf, 4));
	EXPECT_EQ('h', shared[page]);
	EXPECT_EQ('h', shared[6 * page]);
	EXPECT_EQ('p', priv[3 * page]);
	EXPECT_EQ(0, priv[4 * page]);

	munmap(shared, 8 * page);
	munmap(priv, 8 * page);
}

TEST_F(resize, punch_hole_rejects_bad_ranges)
{
	long page = self->page;
	struct faultmem_range bad[] = {
		{ .offset = 1, .length = page },		/* misaligned */
		{ .offset = 0, .length = page + 1 },		/* misaligned */
		{ .offset = 0, .length = 0 },			/* empty */
		{ .offset = 15 * page, .length = 2 * page },	/* past the end */
		{ .offset = 16 * page, .length = page },	/* at the end */
		{ .offset = -page, .length = 2 * page },	/* wraps */
		{ .offset = page, .length = -page },		/* wraps */
		{ .offset = 0, .length = page, .flags = 1 },	/* unknown flag */
		{ .offset = 0, .length = page, .reserved = 1 },	/* reserved */
	};
	unsigned int i;

	fill(self->fd, page, 16, 'k');
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-1, ioctl(self->fd, FAULTMEM_IOC_PUNCH_HOLE, &bad[i]))
			TH_LOG("range %u accepted", i);
		EXPECT_EQ(EINVAL, errno);
	}
	EXPECT_EQ(16, fm_stats(self->fd).resident_pages);
	EXPECT_EQ(-1, ioctl(self->fd, FAULTMEM_IOC_PUNCH_HOLE, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(16, fm_stats(self->fd).resident_pages);
}

/* MADV_REMOVE cannot reach a character device: ENODEV, nothing lost. */
TEST_F(resize, madv_remove_is_enodev)
{
	char *map;

	fill(self->fd, self->page, 2, 'r');
	map = mmap(NULL, 2 * self->page, PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(-1, madvise(map, 2 * self->page, MADV_REMOVE));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ('r', map[self->page]);
	EXPECT_EQ(2, fm_stats(self->fd).resident_pages);
	munmap(map, 2 * self->page);
}

/*
 * Fresh pages are always zero, whichever way they are first touched, even
 * right after the same offsets held other data.
 */
TEST_F(resize, fresh_pages_are_zero)
{
	long page = self->page;
	char *map;

	fill(self->fd, page, 16, (char)0xa5);
	ASSERT_EQ(0, fm_punch_all(self->fd));
	map = mmap(NULL, 16 * page, PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	/* Read fault, write fault, and a private write fault. */
	EXPECT_TRUE(fm_all_zero(map, page));
	map[5 * page] = 1;
	EXPECT_TRUE(fm_all_zero(map + 5 * page + 1, page - 1));
	{
		char *priv = mmap(NULL, 16 * page, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE, self->fd, 0);

		ASSERT_NE(MAP_FAILED, priv);
		priv[9 * page] = 1;
		EXPECT_TRUE(fm_all_zero(priv + 9 * page + 1, page - 1));
		munmap(priv, 16 * page);
	}
	munmap(map, 16 * page);
}

/* Setting the size: page multiples up to max_size; needs a writable fd. */
TEST_F(resize, set_size_checks)
{
	uint64_t max = fm_stats(self->fd).max_size, size;
	int ro = fm_open(O_RDONLY);

	EXPECT_EQ(-EINVAL, fm_set_size(self->fd, self->page + 1));
	EXPECT_EQ(-EFBIG, fm_set_size(self->fd, max + self->page));
	EXPECT_EQ(-EFBIG, fm_set_size(self->fd, UINT64_MAX));
	EXPECT_EQ(-EBADF, fm_set_size(ro, 4 * self->page));
	EXPECT_EQ(-EBADF, fm_punch(ro, 0, self->page));
	EXPECT_EQ(16 * self->page, lseek(self->fd, 0, SEEK_END));
	/* (Exactly max_size is accepted: module_test's module_wide_cap_holds.) */
	EXPECT_EQ(0, fm_set_size(self->fd, 64 * self->page));
	ASSERT_EQ(0, ioctl(ro, FAULTMEM_IOC_GET_SIZE, &size));
	EXPECT_EQ(64 * self->page, size);
	close(ro);
}

/* Pages are charged to the memory cgroup of the task that touches first. */
TEST_F(resize, pages_are_charged_to_the_first_toucher)
{
	const char *cg = "/sys/fs/cgroup/faultmem-charge";
	long pages = 256, before, charged, after;
	char path[128], pid[16];
	int fd, status;
	pid_t child;

	if (access("/sys/fs/cgroup/cgroup.subtree_control", W_OK))
		SKIP(return, "no cgroup2 hierarchy");
	fd = open("/sys/fs/cgroup/cgroup.subtree_control", O_WRONLY);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, write(fd, "+memory", 7));
	close(fd);
	if (mkdir(cg, 0755))
		ASSERT_EQ(EEXIST, errno);
	ASSERT_EQ(0, fm_set_size(self->fd, pages * self->page));

	snprintf(path, sizeof(path), "%s/memory.current", cg);
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		char *map;
		long i;

		snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
		fd = open(path, O_WRONLY);
		if (fd < 0 || write(fd, "0", 1) != 1)
			_exit(2);
		close(fd);
		map = mmap(NULL, pages * self->page, PROT_READ | PROT_WRITE,
			   MAP_SHARED, self->fd, 0);
		if (map == MAP_FAILED)
			_exit(3);
		for (i = 0; i < pages; i++)
			map[i * self->page] = 1;
		_exit(0);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_EQ(0, status);

	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	memset(pid, 0, sizeof(pid));
	ASSERT_LT(0, pread(fd, pid, sizeof(pid) - 1, 0));
	charged = atol(pid);
	/* The child is gone; what it touched stays charged to its cgroup. */
	EXPECT_LE(pages * self->page, charged);

	before = charged;
	ASSERT_EQ(0, fm_punch_all(self->fd));
	memset(pid, 0, sizeof(pid));
	ASSERT_LT(0, pread(fd, pid, sizeof(pid) - 1, 0));
	after = atol(pid);
	/* Freed pages are uncharged (a few may wait in per-CPU batches). */
	EXPECT_LE(before - after, pages * self->page + 64 * self->page);
	EXPECT_GE(before - after, pages * self->page * 3 / 4);
	close(fd);
	rmdir(cg);
}

TEST_HARNESS_MAIN
