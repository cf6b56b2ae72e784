// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every page the device hands out starts as zeroes, on both page sizes:
 * a page of another process's or the kernel's old data would be the
 * worst bug this driver could have. Freshly booted memory reads as
 * zeroes anyway, so each case first dirties free memory (fills an
 * anonymous mapping with a pattern and frees it, just before): the
 * allocator hands recently freed pages out first, and a missing
 * __GFP_ZERO shows as that pattern.
 *
 * Debian's kernels zero every allocation themselves (init_on_alloc=1,
 * CONFIG_INIT_ON_ALLOC_DEFAULT_ON), which would hide the same bug, and a
 * user may boot with init_on_alloc=0 for speed. The test VM boots with
 * init_on_alloc=0 (scripts/vm-run.sh); without it these cases skip, and
 * no lane expects that skip.
 */
#include "faultmem_test.h"
#include "kselftest_harness.h"

#define MIB		(1024L * 1024)
#define SIZE		(8 * MIB)
#define DIRT_SIZE	(64 * MIB)
#define DIRT		0xa5

/* Fill DIRT_SIZE of anonymous memory (in 2 MiB pages where it can) and free it. */
static int dirty_free_memory(void)
{
	char *dirt = mmap(NULL, DIRT_SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (dirt == MAP_FAILED)
		return -1;
	madvise(dirt, DIRT_SIZE, MADV_HUGEPAGE);
	memset(dirt, DIRT, DIRT_SIZE);
	return munmap(dirt, DIRT_SIZE);
}

FIXTURE(zero) {
	int fd;
	long page;
	off_t initial;
};

FIXTURE_VARIANT(zero) {
	const char *huge;	/* the device's huge policy */
};

FIXTURE_VARIANT_ADD(zero, small) {
	.huge = "never",
};

FIXTURE_VARIANT_ADD(zero, huge) {
	.huge = "always",
};

FIXTURE_SETUP(zero)
{
	char cmdline[4096] = "";

	self->page = fm_page_size();
	self->fd = fm_open(O_RDWR);
	self->initial = lseek(self->fd, 0, SEEK_END);
	fm_run("cat /proc/cmdline", cmdline, sizeof(cmdline));
	if (!strstr(cmdline, "init_on_alloc=0"))
		SKIP(return, "the kernel may zero every page itself: boot with init_on_alloc=0");
	if (strcmp(variant->huge, "never") &&
	    access("/sys/kernel/mm/transparent_hugepage", F_OK))
		SKIP(return, "kernel without transparent huge pages");
	ASSERT_EQ(0, fm_set_size(self->fd, SIZE));
	ASSERT_EQ(0, fm_punch_all(self->fd));
	ASSERT_EQ(0, fm_sysfs_write("huge", variant->huge));
}

FIXTURE_TEARDOWN(zero)
{
	fm_sysfs_write("huge", "never");
	fm_punch_all(self->fd);
	fm_set_size(self->fd, self->initial);
	close(self->fd);
}

/* Read faults on a shared mapping: new pages, all zeroes. */
TEST_F(zero, read_faults_give_zeroes)
{
	char *map = mmap(NULL, SIZE, PROT_READ, MAP_SHARED, self->fd, 0);

	FM_RETURN_IF_SKIPPED();
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, dirty_free_memory());
	EXPECT_TRUE(fm_all_zero(map, SIZE));
	EXPECT_EQ(SIZE / self->page, fm_stats(self->fd).resident_pages);
	munmap(map, SIZE);
}

/* A write fault stores one byte: the rest of its page (or folio) is zero. */
TEST_F(zero, write_faults_give_zeroes_around_the_byte)
{
	char *map = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			 self->fd, 0);
	long i;

	FM_RETURN_IF_SKIPPED();
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, dirty_free_memory());
	for (i = 0; i < SIZE; i += 2 * MIB)
		map[i + 100] = 1;
	for (i = 0; i < SIZE; i += 2 * MIB)
		map[i + 100] = 0;
	EXPECT_TRUE(fm_all_zero(map, SIZE));
	munmap(map, SIZE);
}

/* A private mapping reads the device's new zero pages, and copies them. */
TEST_F(zero, private_faults_give_zeroes)
{
	char *map = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE,
			 self->fd, 0);

	FM_RETURN_IF_SKIPPED();
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, dirty_free_memory());
	EXPECT_TRUE(fm_all_zero(map, SIZE / 2));
	map[SIZE / 2] = 1;
	map[SIZE / 2] = 0;
	EXPECT_TRUE(fm_all_zero(map + SIZE / 2, SIZE / 2));
	munmap(map, SIZE);
}

/* write() of one byte allocates its page (or folio): the rest is zero. */
TEST_F(zero, write_syscall_leaves_the_rest_zero)
{
	char *buf = malloc(SIZE);

	FM_RETURN_IF_SKIPPED();
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, dirty_free_memory());
	ASSERT_EQ(1, pwrite(self->fd, "x", 1, self->page + 7));
	ASSERT_EQ(1, pwrite(self->fd, "y", 1, 5 * MIB + 7));
	ASSERT_EQ(SIZE, pread(self->fd, buf, SIZE, 0));
	EXPECT_EQ('x', buf[self->page + 7]);
	EXPECT_EQ('y', buf[5 * MIB + 7]);
	buf[self->page + 7] = buf[5 * MIB + 7] = 0;
	EXPECT_TRUE(fm_all_zero(buf, SIZE));
	free(buf);
}

/*
 * The pages a shrink or a punch frees come back as zeroes: a regrown or
 * punched range is new pages, not the old data.
 */
TEST_F(zero, shrunk_and_punched_ranges_come_back_zero)
{
	char *map;

	FM_RETURN_IF_SKIPPED();
	map = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	memset(map, DIRT, SIZE);
	ASSERT_EQ(0, fm_punch(self->fd, 2 * MIB, 2 * MIB));
	ASSERT_EQ(0, fm_set_size(self->fd, 4 * MIB));
	ASSERT_EQ(0, fm_set_size(self->fd, SIZE));
	ASSERT_EQ(0, dirty_free_memory());
	EXPECT_TRUE(fm_all_zero(map + 2 * MIB, 2 * MIB));
	EXPECT_TRUE(fm_all_zero(map + 4 * MIB, 4 * MIB));
	EXPECT_EQ((char)DIRT, map[0]);
	munmap(map, SIZE);
}

TEST_HARNESS_MAIN
