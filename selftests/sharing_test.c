// SPDX-License-Identifier: GPL-2.0-only
/*
 * MAP_SHARED coherence and MAP_PRIVATE copy-on-write on /dev/faultmem0:
 * every view of the buffer (mappings, opens, processes, read()/write())
 * sees the same bytes at once, and private copies never leak back.
 */
#include "faultmem_test.h"
#include "kselftest_harness.h"

FIXTURE(share) {
	int fd;
	long page;
	size_t len;
};

FIXTURE_SETUP(share)
{
	self->fd = fm_open(O_RDWR);
	self->page = fm_page_size();
	self->len = 4 * self->page;
	ASSERT_EQ(0, fm_punch_all(self->fd));
}

FIXTURE_TEARDOWN(share)
{
	close(self->fd);
}

static char *map_shared(int fd, size_t len, off_t off)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
}

TEST_F(share, two_mappings_of_one_fd)
{
	char *a = map_shared(self->fd, self->len, 0);
	char *b = map_shared(self->fd, self->len, 0);

	ASSERT_NE(MAP_FAILED, a);
	ASSERT_NE(MAP_FAILED, b);
	ASSERT_NE(a, b);
	strcpy(a + self->page + 10, "via a");
	EXPECT_STREQ("via a", b + self->page + 10);
	strcpy(b + 3 * self->page, "via b");
	EXPECT_STREQ("via b", a + 3 * self->page);
	munmap(a, self->len);
	munmap(b, self->len);
}

/* Different opens of the node, and a mapping at an offset. */
TEST_F(share, two_opens_and_offsets)
{
	int fd2 = fm_open(O_RDWR);
	char *a = map_shared(self->fd, self->len, 0);
	char *b = map_shared(fd2, self->page, 2 * self->page);

	ASSERT_NE(MAP_FAILED, a);
	ASSERT_NE(MAP_FAILED, b);
	strcpy(b + 100, "page two");
	EXPECT_STREQ("page two", a + 2 * self->page + 100);
	strcpy(a + 2 * self->page + 200, "back");
	EXPECT_STREQ("back", b + 200);
	munmap(a, self->len);
	munmap(b, self->page);
	close(fd2);
}

/* A forked child's writes through an inherited shared mapping are seen. */
TEST_F(share, fork_inherited_mapping)
{
	char *a = map_shared(self->fd, self->len, 0);
	int status;
	pid_t pid;

	ASSERT_NE(MAP_FAILED, a);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		strcpy(a + self->page, "from the child");
		_exit(strcmp(a, "from the parent") != 0);
	}
	strcpy(a, "from the parent");
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_STREQ("from the child", a + self->page);
	munmap(a, self->len);
}

/*
 * Unrelated processes: the child opens and maps the device itself, and
 * the two hand the turn to each other through a pipe pair. Each sees the
 * other's writes immediately.
 */
TEST_F(share, unrelated_processes)
{
	int to_child[2], to_parent[2], status;
	char token, *a;
	pid_t pid;

	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = fm_open(O_RDWR);
		char *c = map_shared(fd, self->len, 0);
		int i, bad = 0;

		for (i = 0; i < 100; i++) {
			if (read(to_child[0], &token, 1) != 1)
				_exit(2);
			bad |= c[self->page + i] != (char)(i + 1);
			c[2 * self->page + i] = (char)(i + 101);
			if (write(to_parent[1], "c", 1) != 1)
				_exit(2);
		}
		_exit(bad);
	}
	a = map_shared(self->fd, self->len, 0);
	ASSERT_NE(MAP_FAILED, a);
	for (int i = 0; i < 100; i++) {
		a[self->page + i] = (char)(i + 1);
		ASSERT_EQ(1, write(to_child[1], "p", 1));
		ASSERT_EQ(1, read(to_parent[0], &token, 1));
		EXPECT_EQ((char)(i + 101), a[2 * self->page + i]);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	munmap(a, self->len);
}

/* read()/write()/pread()/pwrite() and mappings, both ways, immediately. */
TEST_F(share, read_write_and_mappings)
{
	char *a = map_shared(self->fd, self->len, 0);
	char buf[32] = "";

	ASSERT_NE(MAP_FAILED, a);
	ASSERT_EQ(9, pwrite(self->fd, "pwritten", 9, self->page + 1));
	EXPECT_STREQ("pwritten", a + self->page + 1);
	ASSERT_EQ(self->page, lseek(self->fd, self->page, SEEK_SET));
	ASSERT_EQ(8, write(self->fd, "written", 8));
	EXPECT_STREQ("written", a + self->page);

	strcpy(a + 3 * self->page + 5, "stored");
	ASSERT_EQ(7, pread(self->fd, buf, 7, 3 * self->page + 5));
	EXPECT_STREQ("stored", buf);
	ASSERT_EQ(3 * self->page + 5,
		  lseek(self->fd, 3 * self->page + 5, SEEK_SET));
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(7, read(self->fd, buf, 7));
	EXPECT_STREQ("stored", buf);
	munmap(a, self->len);
}

/*
 * MAP_PRIVATE: sees the device until the process writes a page; the copy
 * never reaches the device, and later device writes do not reach the
 * copied page (but still reach the pages it did not write).
 */
TEST_F(share, private_copy_on_write)
{
	char *priv, buf[16] = "";

	ASSERT_EQ(7, pwrite(self->fd, "device", 7, 0));
	ASSERT_EQ(7, pwrite(self->fd, "device", 7, self->page));
	priv = mmap(NULL, self->len, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		    self->fd, 0);
	ASSERT_NE(MAP_FAILED, priv);
	EXPECT_STREQ("device", priv);
	EXPECT_STREQ("device", priv + self->page);

	/* Before any write, the private mapping follows the device. */
	ASSERT_EQ(7, pwrite(self->fd, "update", 7, 0));
	EXPECT_STREQ("update", priv);

	/* Write page 0: it becomes a private copy. */
	strcpy(priv, "mine!");
	ASSERT_EQ(7, pread(self->fd, buf, 7, 0));
	EXPECT_STREQ("update", buf);

	/* A later device write does not reach the copy ... */
	ASSERT_EQ(6, pwrite(self->fd, "later", 6, 0));
	EXPECT_STREQ("mine!", priv);
	/* ... but does reach the page that was never written. */
	ASSERT_EQ(7, pwrite(self->fd, "later2", 7, self->page));
	EXPECT_STREQ("later2", priv + self->page);
	munmap(priv, self->len);
}

/* After fork, a child's private writes reach neither parent nor device. */
TEST_F(share, fork_private_writes_stay_in_the_child)
{
	char *priv, buf[16] = "";
	int status;
	pid_t pid;

	ASSERT_EQ(7, pwrite(self->fd, "shared", 7, 0));
	priv = mmap(NULL, self->len, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		    self->fd, 0);
	ASSERT_NE(MAP_FAILED, priv);
	EXPECT_STREQ("shared", priv);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		strcpy(priv, "child");
		strcpy(priv + 2 * self->page, "child2");
		_exit(strcmp(priv, "child"));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_STREQ("shared", priv);
	EXPECT_TRUE(fm_all_zero(priv + 2 * self->page, 16));
	ASSERT_EQ(7, pread(self->fd, buf, 7, 0));
	EXPECT_STREQ("shared", buf);
	ASSERT_EQ(7, pread(self->fd, buf, 7, 2 * self->page));
	EXPECT_TRUE(fm_all_zero(buf, 7));
	munmap(priv, self->len);
}

/* The buffer persists across munmap, close and reopen. */
TEST_F(share, persists_across_munmap_close_reopen)
{
	char *a = map_shared(self->fd, self->len, 0);
	int fd2;

	ASSERT_NE(MAP_FAILED, a);
	strcpy(a + self->page + 42, "still here");
	munmap(a, self->len);
	close(self->fd);

	fd2 = fm_open(O_RDWR);
	a = map_shared(fd2, self->len, 0);
	ASSERT_NE(MAP_FAILED, a);
	EXPECT_STREQ("still here", a + self->page + 42);
	munmap(a, self->len);
	self->fd = fd2;
}

/* MADV_DONTNEED only drops PTEs: the next touch maps the same data back. */
TEST_F(share, madv_dontneed_keeps_the_data)
{
	char *a = map_shared(self->fd, self->len, 0);
	struct faultmem_stats before, after;

	ASSERT_NE(MAP_FAILED, a);
	strcpy(a + self->page, "kept");
	before = fm_stats(self->fd);
	ASSERT_EQ(0, madvise(a, self->len, MADV_DONTNEED));
	EXPECT_STREQ("kept", a + self->page);
	after = fm_stats(self->fd);
	/*
	 * The touch faulted again and found the resident page: through
	 * fault-around, or (fault_around_bytes=4096) the handler.
	 */
	EXPECT_EQ(1, (after.faults - before.faults) +
		     (after.fault_around_calls - before.fault_around_calls));
	EXPECT_EQ(after.faults - before.faults,
		  after.existing_page_faults - before.existing_page_faults);
	EXPECT_EQ(before.pages_allocated, after.pages_allocated);
	EXPECT_EQ(before.resident_pages, after.resident_pages);
	munmap(a, self->len);
}

TEST_HARNESS_MAIN
