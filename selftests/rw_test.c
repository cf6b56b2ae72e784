// SPDX-License-Identifier: GPL-2.0-only
/*
 * lseek(), read() and write() on the node follow regular-file rules, with
 * the device size as the end of file (and no growing on write: the device
 * has a fixed size until it is resized, so writing past it is ENOSPC).
 */
#include "faultmem_test.h"
#include "kselftest_harness.h"

FIXTURE(rw) {
	int fd;
	long page;
	off_t size;
};

FIXTURE_SETUP(rw)
{
	self->fd = fm_open(O_RDWR);
	self->page = fm_page_size();
	self->size = lseek(self->fd, 0, SEEK_END);
	ASSERT_LT(0, self->size);
	ASSERT_EQ(0, lseek(self->fd, 0, SEEK_SET));
}

FIXTURE_TEARDOWN(rw)
{
	close(self->fd);
}

TEST_F(rw, lseek_set_cur_end)
{
	EXPECT_EQ(self->size, lseek(self->fd, 0, SEEK_END));
	EXPECT_EQ(self->size - 10, lseek(self->fd, -10, SEEK_END));
	EXPECT_EQ(100, lseek(self->fd, 100, SEEK_SET));
	EXPECT_EQ(150, lseek(self->fd, 50, SEEK_CUR));
	EXPECT_EQ(140, lseek(self->fd, -10, SEEK_CUR));
	/* Past the end is allowed, as for a file. */
	EXPECT_EQ(self->size + 4096, lseek(self->fd, self->size + 4096, SEEK_SET));
}

TEST_F(rw, lseek_negative_is_einval)
{
	EXPECT_EQ(100, lseek(self->fd, 100, SEEK_SET));
	EXPECT_EQ(-1, lseek(self->fd, -1, SEEK_SET));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, lseek(self->fd, -101, SEEK_CUR));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, lseek(self->fd, -self->size - 1, SEEK_END));
	EXPECT_EQ(EINVAL, errno);
	/* A failed seek leaves the position alone. */
	EXPECT_EQ(100, lseek(self->fd, 0, SEEK_CUR));
}

TEST_F(rw, read_at_or_past_the_end_returns_zero)
{
	char buf[16];

	EXPECT_EQ(0, pread(self->fd, buf, sizeof(buf), self->size));
	EXPECT_EQ(0, pread(self->fd, buf, sizeof(buf), self->size + 12345));
	ASSERT_EQ(self->size, lseek(self->fd, 0, SEEK_END));
	EXPECT_EQ(0, read(self->fd, buf, sizeof(buf)));
}

TEST_F(rw, read_across_the_end_is_short)
{
	char buf[64];

	EXPECT_EQ(10, pread(self->fd, buf, sizeof(buf), self->size - 10));
	ASSERT_EQ(self->size - 3, lseek(self->fd, -3, SEEK_END));
	EXPECT_EQ(3, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(self->size, lseek(self->fd, 0, SEEK_CUR));
}

TEST_F(rw, write_at_or_past_the_end_is_enospc)
{
	EXPECT_EQ(-1, pwrite(self->fd, "x", 1, self->size));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, pwrite(self->fd, "x", 1, self->size + 3 * self->page));
	EXPECT_EQ(ENOSPC, errno);
	/* And the size did not change. */
	EXPECT_EQ(self->size, lseek(self->fd, 0, SEEK_END));
}

TEST_F(rw, write_across_the_end_is_short)
{
	char buf[8] = "";

	EXPECT_EQ(4, pwrite(self->fd, "abcdefgh", 8, self->size - 4));
	ASSERT_EQ(4, pread(self->fd, buf, 8, self->size - 4));
	EXPECT_EQ(0, memcmp(buf, "abcd", 4));
	EXPECT_EQ(self->size, lseek(self->fd, 0, SEEK_END));
}

/* Large unaligned transfers cross page boundaries correctly. */
TEST_F(rw, large_unaligned_round_trip)
{
	size_t len = 5 * self->page + 123, i;
	char *out = malloc(len), *in = malloc(len);

	ASSERT_NE(NULL, out);
	ASSERT_NE(NULL, in);
	for (i = 0; i < len; i++)
		out[i] = (char)(i * 7 + 3);
	ASSERT_EQ((ssize_t)len, pwrite(self->fd, out, len, self->page - 17));
	ASSERT_EQ((ssize_t)len, pread(self->fd, in, len, self->page - 17));
	EXPECT_EQ(0, memcmp(in, out, len));
	free(out);
	free(in);
}

/* read() of never-touched pages returns zeroes without allocating them. */
TEST_F(rw, read_of_a_hole_is_zero_and_allocates_nothing)
{
	char *buf = malloc(4 * self->page);
	struct faultmem_stats before, after;

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, fm_punch_all(self->fd));
	before = fm_stats(self->fd);
	memset(buf, 'x', 4 * self->page);
	ASSERT_EQ(4 * self->page, pread(self->fd, buf, 4 * self->page, 0));
	EXPECT_TRUE(fm_all_zero(buf, 4 * self->page));
	after = fm_stats(self->fd);
	EXPECT_EQ(0, after.resident_pages);
	EXPECT_EQ(before.pages_allocated, after.pages_allocated);
	free(buf);
}

/* A partial-page write allocates a page whose other bytes are zero. */
TEST_F(rw, partial_write_leaves_the_rest_of_the_page_zero)
{
	char *buf = malloc(self->page);

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, fm_punch_all(self->fd));
	ASSERT_EQ(3, pwrite(self->fd, "abc", 3, 2 * self->page + 100));
	ASSERT_EQ(self->page, pread(self->fd, buf, self->page, 2 * self->page));
	EXPECT_TRUE(fm_all_zero(buf, 100));
	EXPECT_EQ(0, memcmp(buf + 100, "abc", 3));
	EXPECT_TRUE(fm_all_zero(buf + 103, self->page - 103));
	EXPECT_EQ(1, fm_stats(self->fd).resident_pages);
	free(buf);
}

/* Bad user buffers give EFAULT and write nothing. */
TEST_F(rw, bad_buffers_are_efault)
{
	char *bad = mmap(NULL, self->page, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char buf[8] = "";

	ASSERT_NE(MAP_FAILED, bad);
	ASSERT_EQ(8, pwrite(self->fd, "unharmd", 8, 0));
	EXPECT_EQ(-1, pread(self->fd, bad, 8, 0));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, pwrite(self->fd, bad, 8, 0));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(8, pread(self->fd, buf, 8, 0));
	EXPECT_STREQ("unharmd", buf);
	munmap(bad, self->page);
}

/*
 * write() whose source is an unpopulated mapping of the same device, and
 * read() whose destination is one: the copy faults on the device while the
 * driver is in the middle of read()/write(). Must neither deadlock nor
 * lose data.
 */
TEST_F(rw, copy_between_the_device_and_its_own_mapping)
{
	char *map, buf[16] = "";

	ASSERT_EQ(0, fm_punch_all(self->fd));
	map = mmap(NULL, 8 * self->page, PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(10, pwrite(self->fd, "self copy", 10, 0));
	/* Source: device page 0 via the mapping, not yet faulted in. */
	ASSERT_EQ(0, madvise(map, 8 * self->page, MADV_DONTNEED));
	ASSERT_EQ(10, pwrite(self->fd, map, 10, 5 * self->page));
	ASSERT_EQ(10, pread(self->fd, buf, 10, 5 * self->page));
	EXPECT_STREQ("self copy", buf);
	/* Same page as source and destination. */
	ASSERT_EQ(0, madvise(map, 8 * self->page, MADV_DONTNEED));
	ASSERT_EQ(10, pwrite(self->fd, map, 10, 100));
	EXPECT_STREQ("self copy", map + 100);
	/* Destination: an unpopulated page of the mapping. */
	ASSERT_EQ(10, pread(self->fd, map + 7 * self->page, 10, 0));
	EXPECT_STREQ("self copy", map + 7 * self->page);
	munmap(map, 8 * self->page);
}

TEST_HARNESS_MAIN
