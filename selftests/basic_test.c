// SPDX-License-Identifier: GPL-2.0-only
/*
 * The first faultmem selftests: the device opens, knows its size, maps,
 * keeps what is written through a mapping, and answers bad accesses with
 * the signals and errors of mmap(2).
 */
#include "faultmem_test.h"
#include "kselftest_harness.h"

FIXTURE(dev) {
	int fd;
	long page;
	off_t size;
};

FIXTURE_SETUP(dev)
{
	self->page = fm_page_size();
	self->fd = open(FM_DEV, O_RDWR);
	ASSERT_LE(0, self->fd) TH_LOG("open " FM_DEV ": %s", strerror(errno));
	self->size = lseek(self->fd, 0, SEEK_END);
	ASSERT_LT(0, self->size);
	ASSERT_EQ(0, self->size % self->page);
}

FIXTURE_TEARDOWN(dev)
{
	close(self->fd);
}

/* SEEK_END gives the size, and the ioctl and sysfs agree with it. */
TEST_F(dev, size_is_consistent)
{
	uint64_t ioctl_size = 0;

	ASSERT_EQ(0, ioctl(self->fd, FAULTMEM_IOC_GET_SIZE, &ioctl_size));
	EXPECT_EQ((uint64_t)self->size, ioctl_size);
	EXPECT_EQ(self->size, fm_sysfs_read("size"));
}

/* Bytes written through a shared mapping are what pread() returns. */
TEST_F(dev, mmap_write_then_pread)
{
	char buf[64], *map;
	off_t where = self->size / 2 + 123;

	map = mmap(NULL, self->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	memcpy(map + where, "faultmem round trip", 20);
	ASSERT_EQ(20, pread(self->fd, buf, 20, where));
	EXPECT_STREQ("faultmem round trip", buf);

	/* And the other way round: pwrite() shows up in the mapping. */
	ASSERT_EQ(6, pwrite(self->fd, "pwrite", 6, where));
	EXPECT_EQ(0, memcmp(map + where, "pwrite", 6));
	munmap(map, self->size);
}

/* The data outlives the mapping and the open file. */
TEST_F(dev, data_persists_across_close)
{
	char *map, buf[8] = "";
	int fd2;

	map = mmap(NULL, self->page, PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	memcpy(map, "persist", 8);
	munmap(map, self->page);
	close(self->fd);

	fd2 = open(FM_DEV, O_RDONLY);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(8, pread(fd2, buf, 8, 0));
	EXPECT_STREQ("persist", buf);
	self->fd = fd2;
}

/* The last byte works; the first byte past the end raises SIGBUS. */
TEST_F(dev, sigbus_past_the_end)
{
	struct fm_signal sig;
	char *map;

	map = mmap(NULL, self->size + self->page, PROT_READ | PROT_WRITE,
		   MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);

	sig = fm_touch(map + self->size - 1, 1, 'z');
	EXPECT_EQ(0, sig.signo);

	sig = fm_touch(map + self->size, 0, 0);
	EXPECT_EQ(SIGBUS, sig.signo);
	EXPECT_EQ(BUS_ADRERR, sig.code);
	EXPECT_EQ(map + self->size, sig.addr);
	munmap(map, self->size + self->page);
}

/* Writing to a PROT_READ mapping is a protection fault, not a device matter. */
TEST_F(dev, sigsegv_on_write_to_read_only_mapping)
{
	struct fm_signal sig;
	char *map;

	map = mmap(NULL, self->page, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	sig = fm_touch(map + 5, 1, 'x');
	EXPECT_EQ(SIGSEGV, sig.signo);
	EXPECT_EQ(SEGV_ACCERR, sig.code);
	EXPECT_EQ(map + 5, sig.addr);
	/* Reading it is fine. */
	EXPECT_EQ(0, fm_touch(map + 5, 0, 0).signo);
	munmap(map, self->page);
}

/* A shared writable mapping needs a descriptor open for writing. */
TEST(eacces_shared_write_on_read_only_fd)
{
	int fd = open(FM_DEV, O_RDONLY);
	void *map;

	ASSERT_LE(0, fd);
	map = mmap(NULL, fm_page_size(), PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, 0);
	EXPECT_EQ(MAP_FAILED, map);
	EXPECT_EQ(EACCES, errno);
	close(fd);
}

/* A fresh page was allocated by the fault handler and reads as zero. */
TEST_F(dev, first_touch_allocates_a_zero_page)
{
	struct faultmem_stats before, after;
	uint64_t zero = 0;
	char *map;
	long i;

	/* Start from an empty buffer: punch out everything. */
	struct faultmem_range all = { .offset = 0, .length = self->size };

	ASSERT_EQ(0, ioctl(self->fd, FAULTMEM_IOC_PUNCH_HOLE, &all));
	before = fm_stats(self->fd);
	EXPECT_EQ(0, before.resident_pages);

	map = mmap(NULL, 4 * self->page, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	for (i = 0; i < self->page; i += sizeof(zero))
		zero |= *(uint64_t *)(map + 2 * self->page + i);
	EXPECT_EQ(0, zero);

	after = fm_stats(self->fd);
	EXPECT_EQ(1, after.resident_pages);
	EXPECT_EQ(before.faults + 1, after.faults);
	EXPECT_EQ(before.pages_allocated + 1, after.pages_allocated);
	munmap(map, 4 * self->page);
}

TEST_HARNESS_MAIN
