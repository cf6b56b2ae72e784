// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fault-around (faultmem_map_pages): a read fault maps the resident pages
 * around the address in one go, as for a file, so re-mapping resident data
 * costs one fault per 16 pages. The window is fault_around_bytes (debugfs);
 * the fixture pins it at the default, 64 KiB, so the counts are exact.
 */
#include "faultmem_test.h"

#define WINDOW_PAGES	16

FIXTURE(around) {
	int fd;
	long page;
	long old_window;
};

FIXTURE_SETUP(around)
{
	self->page = fm_page_size();
	self->fd = fm_open(O_RDWR);
	self->old_window = fm_set_fault_around(WINDOW_PAGES * self->page);
	if (self->old_window < 0)
		SKIP(return, "no debugfs fault_around_bytes");
	ASSERT_EQ(0, fm_set_size(self->fd, 4 << 20));
	ASSERT_EQ(0, fm_punch_all(self->fd));
}

FIXTURE_TEARDOWN(around)
{
	if (self->old_window >= 0)
		fm_set_fault_around(self->old_window);
	close(self->fd);
}

/* Make @pages pages resident through write(), every @step-th one. */
static int fill(int fd, long page, int pages, int step)
{
	char *buf = malloc(page);
	int i, ret = 0;

	if (!buf)
		return -1;
	for (i = 0; i < pages && !ret; i += step) {
		memset(buf, 'a' + i % 26, page);
		if (pwrite(fd, buf, page, (off_t)i * page) != page)
			ret = -1;
	}
	free(buf);
	return ret;
}

/*
 * 1 MiB resident, read through a fresh mapping aligned to the window:
 * 16 faults (one per 16 pages), all taken by fault-around, none reaching
 * the fault handler, nothing allocated, and every byte right.
 */
TEST_F(around, remapping_resident_data_costs_one_fault_per_16_pages)
{
	int pages = (1 << 20) / self->page, i, bad = 0;
	struct faultmem_stats before, after;
	long minflt;
	char *map;

	FM_RETURN_IF_SKIPPED();
	ASSERT_EQ(0, fill(self->fd, self->page, pages, 1));
	map = fm_mmap_aligned(1 << 20, WINDOW_PAGES * self->page, PROT_READ,
			      MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);

	before = fm_stats(self->fd);
	minflt = fm_minflt();
	for (i = 0; i < pages; i++)
		bad += map[(long)i * self->page + 7] != 'a' + i % 26;
	minflt = fm_minflt() - minflt;
	after = fm_stats(self->fd);

	EXPECT_EQ(0, bad);
	EXPECT_EQ(pages / WINDOW_PAGES, minflt);
	EXPECT_EQ(before.fault_around_calls + pages / WINDOW_PAGES,
		  after.fault_around_calls);
	EXPECT_EQ(before.faults, after.faults);
	EXPECT_EQ(before.pages_allocated, after.pages_allocated);
	munmap(map, 1 << 20);
}

/*
 * Fault-around maps only what is resident: it never allocates. With every
 * other page resident, one read maps the resident half of its window; the
 * holes stay unmapped and unallocated until touched.
 */
TEST_F(around, maps_resident_neighbours_but_never_allocates)
{
	struct faultmem_stats before, after;
	char *map;
	int i;

	FM_RETURN_IF_SKIPPED();
	ASSERT_EQ(0, fill(self->fd, self->page, WINDOW_PAGES, 2));
	map = fm_mmap_aligned(WINDOW_PAGES * self->page,
			      WINDOW_PAGES * self->page, PROT_READ, MAP_SHARED,
			      self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);

	before = fm_stats(self->fd);
	EXPECT_EQ('a', map[0]);
	after = fm_stats(self->fd);
	for (i = 0; i < WINDOW_PAGES; i++)
		EXPECT_EQ(i % 2 == 0, fm_page_present(map + (long)i * self->page))
			TH_LOG("page %d", i);
	EXPECT_EQ(before.resident_pages, after.resident_pages);
	EXPECT_EQ(before.faults, after.faults);
	EXPECT_EQ(before.fault_around_calls + 1, after.fault_around_calls);

	/* A hole: fault-around finds nothing there, the handler allocates. */
	EXPECT_EQ(0, map[self->page]);
	after = fm_stats(self->fd);
	EXPECT_EQ(before.faults + 1, after.faults);
	EXPECT_EQ(before.pages_allocated + 1, after.pages_allocated);
	munmap(map, WINDOW_PAGES * self->page);
}

/* Write faults are not faulted around: each page still gets its own. */
TEST_F(around, write_faults_map_one_page_each)
{
	struct faultmem_stats before, after;
	char *map;
	int i;

	FM_RETURN_IF_SKIPPED();
	ASSERT_EQ(0, fill(self->fd, self->page, WINDOW_PAGES, 1));
	map = fm_mmap_aligned(WINDOW_PAGES * self->page,
			      WINDOW_PAGES * self->page, PROT_READ | PROT_WRITE,
			      MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	before = fm_stats(self->fd);
	for (i = 0; i < WINDOW_PAGES; i++)
		map[(long)i * self->page] = 'w';
	after = fm_stats(self->fd);
	EXPECT_EQ(before.faults + WINDOW_PAGES, after.faults);
	EXPECT_EQ(before.existing_page_faults + WINDOW_PAGES,
		  after.existing_page_faults);
	EXPECT_EQ(before.fault_around_calls, after.fault_around_calls);
	munmap(map, WINDOW_PAGES * self->page);
}

/* With the window at one page, fault-around is off: one fault per page. */
TEST_F(around, a_one_page_window_turns_it_off)
{
	struct faultmem_stats before, after;
	char *map;
	int i;

	FM_RETURN_IF_SKIPPED();
	ASSERT_EQ(0, fill(self->fd, self->page, WINDOW_PAGES, 1));
	ASSERT_LE(0, fm_set_fault_around(self->page));
	map = mmap(NULL, WINDOW_PAGES * self->page, PROT_READ, MAP_SHARED,
		   self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	before = fm_stats(self->fd);
	for (i = 0; i < WINDOW_PAGES; i++)
		(void)*(volatile char *)(map + (long)i * self->page);
	after = fm_stats(self->fd);
	EXPECT_EQ(before.faults + WINDOW_PAGES, after.faults);
	EXPECT_EQ(before.existing_page_faults + WINDOW_PAGES,
		  after.existing_page_faults);
	EXPECT_EQ(before.fault_around_calls, after.fault_around_calls);
	munmap(map, WINDOW_PAGES * self->page);
}

/*
 * Fault-around stops at the end of the device: with every page of a
 * 5-page device resident and a 16-page mapping, the reads map the five,
 * and the sixth page still gets SIGBUS.
 */
TEST_F(around, stops_at_the_end_of_the_device)
{
	char *map;
	int i;

	FM_RETURN_IF_SKIPPED();
	ASSERT_EQ(0, fm_set_size(self->fd, 5 * self->page));
	ASSERT_EQ(0, fill(self->fd, self->page, 5, 1));
	map = fm_mmap_aligned(WINDOW_PAGES * self->page,
			      WINDOW_PAGES * self->page, PROT_READ, MAP_SHARED,
			      self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ('a', map[0]);
	for (i = 0; i < WINDOW_PAGES; i++)
		EXPECT_EQ(i < 5, fm_page_present(map + (long)i * self->page))
			TH_LOG("page %d", i);
	EXPECT_EQ(SIGBUS, fm_touch(map + 5 * self->page, 0, 0).signo);
	munmap(map, WINDOW_PAGES * self->page);
}

/*
 * A private mapping gets the page-cache pages read-only from fault-around;
 * the first write still copies the page, and the device never sees it.
 */
TEST_F(around, private_mappings_still_copy_on_write)
{
	char *map, buf[8];

	FM_RETURN_IF_SKIPPED();
	ASSERT_EQ(0, fill(self->fd, self->page, WINDOW_PAGES, 1));
	map = fm_mmap_aligned(WINDOW_PAGES * self->page,
			      WINDOW_PAGES * self->page, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE, self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ('a', map[0]);
	EXPECT_EQ(1, fm_page_present(map + 3 * self->page));
	map[3 * self->page] = 'P';
	EXPECT_EQ('P', map[3 * self->page]);
	ASSERT_EQ(1, pread(self->fd, buf, 1, 3 * self->page));
	EXPECT_EQ('d', buf[0]);
	munmap(map, WINDOW_PAGES * self->page);
}

/*
 * A hole punched after fault-around mapped the pages takes them out of the
 * mapping too: the next read sees zeroes, not the old data.
 */
TEST_F(around, punched_pages_do_not_stay_mapped)
{
	char *map;

	FM_RETURN_IF_SKIPPED();
	ASSERT_EQ(0, fill(self->fd, self->page, WINDOW_PAGES, 1));
	map = fm_mmap_aligned(WINDOW_PAGES * self->page,
			      WINDOW_PAGES * self->page, PROT_READ, MAP_SHARED,
			      self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ('a', map[0]);
	EXPECT_EQ('f', map[5 * self->page]);
	ASSERT_EQ(0, fm_punch(self->fd, 4 * self->page, 4 * self->page));
	EXPECT_EQ(0, fm_page_present(map + 5 * self->page));
	EXPECT_EQ(0, map[5 * self->page]);
	EXPECT_EQ('i', map[8 * self->page]);
	munmap(map, WINDOW_PAGES * self->page);
}

TEST_HARNESS_MAIN
