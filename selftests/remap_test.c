// SPDX-License-Identifier: GPL-2.0-only
/*
 * mremap(), partial munmap() and mprotect() split and move mappings; every
 * remaining piece must keep pointing at the right offset of the device.
 */
#include "faultmem_test.h"
#include "kselftest_harness.h"

FIXTURE(remap) {
	int fd;
	long page;
};

/* Label page i of the device with its index, so offsets can be checked. */
FIXTURE_SETUP(remap)
{
	long i;

	self->fd = fm_open(O_RDWR);
	self->page = fm_page_size();
	ASSERT_EQ(0, fm_punch_all(self->fd));
	for (i = 0; i < 16; i++)
		ASSERT_EQ((ssize_t)sizeof(i),
			  pwrite(self->fd, &i, sizeof(i), i * self->page));
}

FIXTURE_TEARDOWN(remap)
{
	close(self->fd);
}

static long label(const char *map, long page, long i)
{
	return *(const long *)(map + i * page);
}

TEST_F(remap, grow_within_the_device)
{
	char *map, *grown;
	long i;

	map = mmap(NULL, 4 * self->page, PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->fd, 2 * self->page);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(2, label(map, self->page, 0));
	grown = mremap(map, 4 * self->page, 12 * self->page, MREMAP_MAYMOVE);
	ASSERT_NE(MAP_FAILED, grown);
	for (i = 0; i < 12; i++)
		EXPECT_EQ(i + 2, label(grown, self->page, i));
	munmap(grown, 12 * self->page);
}

TEST_F(remap, shrink)
{
	char *map, *shrunk;

	map = mmap(NULL, 8 * self->page, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	shrunk = mremap(map, 8 * self->page, 3 * self->page, 0);
	ASSERT_EQ(map, shrunk);
	EXPECT_EQ(2, label(shrunk, self->page, 2));
	EXPECT_EQ(SEGV_MAPERR, fm_touch(map + 5 * self->page, 0, 0).code);
	munmap(shrunk, 3 * self->page);
}

TEST_F(remap, move_to_a_fixed_address)
{
	char *map, *target, *moved;

	map = mmap(NULL, 4 * self->page, PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->fd, 4 * self->page);
	target = mmap(NULL, 8 * self->page, PROT_NONE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_NE(MAP_FAILED, target);
	(void)label(map, self->page, 1);	/* populated before the move */
	moved = mremap(map, 4 * self->page, 4 * self->page,
		       MREMAP_MAYMOVE | MREMAP_FIXED, target + 2 * self->page);
	ASSERT_EQ(target + 2 * self->page, moved);
	EXPECT_EQ(5, label(moved, self->page, 1));
	EXPECT_EQ(7, label(moved, self->page, 3));
	EXPECT_EQ(SIGSEGV, fm_touch(map, 0, 0).signo);
	/* Writes through the moved mapping still reach the device. */
	*(long *)(moved + 2 * self->page) = 600;
	{
		long v = 0;

		ASSERT_EQ((ssize_t)sizeof(v),
			  pread(self->fd, &v, sizeof(v), 6 * self->page));
		EXPECT_EQ(600, v);
	}
	munmap(target, 8 * self->page);
}

/* Unmapping the middle leaves two pieces, each at its own offset. */
TEST_F(remap, partial_munmap_splits)
{
	char *map;
	long i;

	map = mmap(NULL, 10 * self->page, PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, munmap(map + 3 * self->page, 4 * self->page));
	for (i = 0; i < 10; i++) {
		if (i >= 3 && i < 7) {
			EXPECT_EQ(SEGV_MAPERR,
				  fm_touch(map + i * self->page, 0, 0).code);
			continue;
		}
		EXPECT_EQ(i, label(map, self->page, i));
	}
	munmap(map, 3 * self->page);
	munmap(map + 7 * self->page, 3 * self->page);
}

/* mprotect() on the middle: three VMAs, the middle one read-only. */
TEST_F(remap, mprotect_splits)
{
	char *map;
	long i;

	map = mmap(NULL, 9 * self->page, PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, mprotect(map + 3 * self->page, 3 * self->page, PROT_READ));
	for (i = 0; i < 9; i++) {
		struct fm_signal sig = fm_touch(map + i * self->page + 100, 1, 'p');

		if (i >= 3 && i < 6) {
			EXPECT_EQ(SIGSEGV, sig.signo);
			EXPECT_EQ(SEGV_ACCERR, sig.code);
		} else {
			EXPECT_EQ(0, sig.signo);
		}
		EXPECT_EQ(i, label(map, self->page, i));
	}
	/* Joining them again works too. */
	ASSERT_EQ(0, mprotect(map, 9 * self->page, PROT_READ | PROT_WRITE));
	EXPECT_EQ(0, fm_touch(map + 4 * self->page + 100, 1, 'p').signo);
	munmap(map, 9 * self->page);
}

TEST_HARNESS_MAIN
