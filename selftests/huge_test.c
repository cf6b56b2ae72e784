// SPDX-License-Identifier: GPL-2.0-only
/*
 * Huge mappings (huge=always|within_size): the buffer is backed by PMD-size
 * folios where a whole PMD-size block lies inside the device, mappings get
 * a PMD-aligned address, and a fault maps a whole block with one PMD. Every
 * size is in blocks of this kernel's PMD (2 MiB on x86-64, 32 MiB on arm64
 * with 16 KiB pages).
 * Punching holes and shrinking split the folios and keep every other byte;
 * the end of the device still gives SIGBUS.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sys/uio.h>

#include "faultmem_test.h"

FIXTURE(huge) {
	int fd;
	long page;
	long huge;		/* bytes in a PMD-size folio */
	long per_huge;		/* base pages in a PMD-size folio */
	off_t initial;
};

FIXTURE_SETUP(huge)
{
	self->page = fm_page_size();
	self->huge = fm_pmd_size();
	self->per_huge = self->huge / self->page;
	self->fd = fm_open(O_RDWR);
	self->initial = lseek(self->fd, 0, SEEK_END);
	if (!self->huge)
		SKIP(return, "kernel without transparent huge pages");
	ASSERT_EQ(0, fm_set_size(self->fd, 4 * self->huge));
	ASSERT_EQ(0, fm_punch_all(self->fd));
	ASSERT_EQ(0, fm_sysfs_write("huge", "always"));
}

FIXTURE_TEARDOWN(huge)
{
	fm_sysfs_write("huge", "never");
	fm_punch_all(self->fd);
	fm_set_size(self->fd, self->initial);
	close(self->fd);
}

/* A field of /proc/self/smaps ("FilePmdMapped:") for the VMA at @addr, in kB. */
static long smaps_kb(const void *addr, const char *field)
{
	char line[256], want[32];
	FILE *f = fopen("/proc/self/smaps", "r");
	int in_vma = 0;
	long kb = -1;

	if (!f)
		return -1;
	snprintf(want, sizeof(want), "%lx-", (unsigned long)addr);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, want, strlen(want)))
			in_vma = 1;
		else if (in_vma && !strncmp(line, field, strlen(field))) {
			kb = strtol(line + strlen(field), NULL, 10);
			break;
		}
	}
	fclose(f);
	return kb;
}

/* Byte @i of the test pattern: differs from page to page and from zero. */
static char pattern(long i)
{
	return (char)(1 + (i / 4096 + i) % 251);
}

/* Write one byte per page through @map; return the bytes that read back wrong. */
static long fill_pages(char *map, long len, long page)
{
	long i, bad = 0;

	for (i = 0; i < len; i += page)
		map[i] = pattern(i);
	for (i = 0; i < len; i += page)
		bad += map[i] != pattern(i);
	return bad;
}

TEST_F(huge, policy_is_shown_like_shmem_and_garbage_is_refused)
{
	FM_RETURN_IF_SKIPPED();
	EXPECT_EQ(0, fm_sysfs_str_is("huge", "never [always] within_size\n"));
	EXPECT_EQ(0, fm_sysfs_write("huge", "within_size\n"));
	EXPECT_EQ(0, fm_sysfs_str_is("huge", "never always [within_size]\n"));
	EXPECT_EQ(-EINVAL, fm_sysfs_write("huge", "sometimes"));
	EXPECT_EQ(-EINVAL, fm_sysfs_write("huge", "always "));
	EXPECT_EQ(-EINVAL, fm_sysfs_write("huge", "1"));
	EXPECT_EQ(0, fm_sysfs_str_is("huge", "never always [within_size]\n"));
}

/*
 * First touch of two blocks: two faults, one per block, each allocating a
 * PMD-size folio mapped with one PMD (smaps FilePmdMapped), at a
 * PMD-aligned address the driver chose.
 */
TEST_F(huge, first_touch_maps_one_pmd_per_block)
{
	struct faultmem_stats before, after;
	long minflt;
	char *map;

	FM_RETURN_IF_SKIPPED();
	map = mmap(NULL, 2 * self->huge, PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(0, (uintptr_t)map % self->huge);

	before = fm_stats(self->fd);
	minflt = fm_minflt();
	EXPECT_EQ(0, fill_pages(map, 2 * self->huge, self->page));
	minflt = fm_minflt() - minflt;
	after = fm_stats(self->fd);

	EXPECT_EQ(2, minflt);
	EXPECT_EQ(before.faults + 2, after.faults);
	EXPECT_EQ(before.huge_folios_allocated + 2, after.huge_folios_allocated);
	EXPECT_EQ(before.pages_allocated + 2 * self->per_huge,
		  after.pages_allocated);
	EXPECT_EQ(2 * self->per_huge, after.resident_pages);
	EXPECT_EQ(2 * self->huge / 1024, smaps_kb(map, "FilePmdMapped:"));
	munmap(map, 2 * self->huge);
}

/*
 * Read faults too; and a fresh mapping of resident huge folios maps each
 * with one PMD through fault-around, without calling the fault handler.
 */
TEST_F(huge, read_faults_and_remaps_use_pmds)
{
	struct faultmem_stats before, after;
	volatile char zero = 0;
	long minflt, i;
	char *map;

	FM_RETURN_IF_SKIPPED();
	map = mmap(NULL, 2 * self->huge, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	minflt = fm_minflt();
	for (i = 0; i < 2 * self->huge; i += self->page)
		zero |= map[i];
	EXPECT_EQ(2, fm_minflt() - minflt);
	EXPECT_EQ(0, zero);
	EXPECT_EQ(2 * self->huge / 1024, smaps_kb(map, "FilePmdMapped:"));
	munmap(map, 2 * self->huge);

	map = mmap(NULL, 2 * self->huge, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	before = fm_stats(self->fd);
	minflt = fm_minflt();
	for (i = 0; i < 2 * self->huge; i += self->page)
		zero |= map[i];
	EXPECT_EQ(2, fm_minflt() - minflt);
	after = fm_stats(self->fd);
	EXPECT_EQ(before.faults, after.faults);
	EXPECT_EQ(before.fault_around_calls + 2, after.fault_around_calls);
	EXPECT_EQ(before.pages_allocated, after.pages_allocated);
	EXPECT_EQ(2 * self->huge / 1024, smaps_kb(map, "FilePmdMapped:"));
	munmap(map, 2 * self->huge);
}

/*
 * A device of one and a half blocks: the second block is not wholly
 * inside, so it gets base pages, and the end of the device still gives
 * SIGBUS.
 */
TEST_F(huge, the_partial_last_block_gets_small_pages)
{
	struct faultmem_stats before, after;
	char *map;

	FM_RETURN_IF_SKIPPED();
	ASSERT_EQ(0, fm_set_size(self->fd, 3 * self->huge / 2));
	map = mmap(NULL, 2 * self->huge, PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	before = fm_stats(self->fd);
	map[self->huge + self->page] = 1;
	map[3 * self->huge / 2 - 1] = 2;
	after = fm_stats(self->fd);
	EXPECT_EQ(before.huge_folios_allocated, after.huge_folios_allocated);
	EXPECT_EQ(before.pages_allocated + 2, after.pages_allocated);
	EXPECT_EQ(SIGBUS, fm_touch(map + 3 * self->huge / 2, 1, 1).signo);
	EXPECT_EQ(SIGBUS, fm_touch(map + 2 * self->huge - 1, 0, 0).signo);

	/* The whole first block still goes huge. */
	map[0] = 3;
	EXPECT_EQ(before.huge_folios_allocated + 1,
		  fm_stats(self->fd).huge_folios_allocated);
	munmap(map, 2 * self->huge);
}

/*
 * A block that already holds a base page cannot take a huge folio: its
 * other pages come as base pages too. That is not an allocation failure.
 */
TEST_F(huge, a_block_with_small_pages_stays_small)
{
	struct faultmem_stats before, after;
	char *map;

	FM_RETURN_IF_SKIPPED();
	ASSERT_EQ(0, fm_sysfs_write("huge", "never"));
	ASSERT_EQ(1, pwrite(self->fd, "x", 1, 0));
	ASSERT_EQ(0, fm_sysfs_write("huge", "always"));
	map = mmap(NULL, self->huge, PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	before = fm_stats(self->fd);
	map[5 * self->page] = 1;
	after = fm_stats(self->fd);
	EXPECT_EQ(before.huge_folios_allocated, after.huge_folios_allocated);
	EXPECT_EQ(before.huge_fallbacks, after.huge_fallbacks);
	EXPECT_EQ(before.pages_allocated + 1, after.pages_allocated);
	EXPECT_EQ('x', map[0]);
	munmap(map, self->huge);
}

struct toucher {
	char *map;
	long len;
	long page;
	int id;
};

static void *touch_every_page(void *arg)
{
	struct toucher *t = arg;
	long i;

	for (i = 0; i < t->len; i += t->page)
		t->map[i + t->id] = (char)(t->id + 1);
	return NULL;
}

/*
 * Threads racing to first-touch the same blocks: each block gets exactly
 * one huge folio (the losers of filemap_add_folio() drop theirs and use
 * the winner's), and every thread's bytes land in it.
 */
TEST_F(huge, racing_first_touches_share_one_folio_per_block)
{
	struct faultmem_stats before, after;
	struct toucher t[4];
	pthread_t tid[4];
	long i, bad = 0;
	char *map;
	int n;

	FM_RETURN_IF_SKIPPED();
	map = mmap(NULL, 2 * self->huge, PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	before = fm_stats(self->fd);
	for (n = 0; n < 4; n++) {
		t[n] = (struct toucher){ .map = map, .len = 2 * self->huge,
					 .page = self->page, .id = n };
		ASSERT_EQ(0, pthread_create(&tid[n], NULL, touch_every_page, &t[n]));
	}
	for (n = 0; n < 4; n++)
		pthread_join(tid[n], NULL);
	after = fm_stats(self->fd);
	for (i = 0; i < 2 * self->huge; i += self->page)
		for (n = 0; n < 4; n++)
			bad += map[i + n] != n + 1;
	EXPECT_EQ(0, bad);
	EXPECT_EQ(before.huge_folios_allocated + 2, after.huge_folios_allocated);
	EXPECT_EQ(2 * self->per_huge, after.resident_pages);
	EXPECT_EQ(before.pages_allocated + 2 * self->per_huge,
		  after.pages_allocated);
	munmap(map, 2 * self->huge);
}

/* huge=never allocates base pages only, one fault each. */
TEST_F(huge, never_means_small_pages)
{
	struct faultmem_stats before, after;
	char *map;

	FM_RETURN_IF_SKIPPED();
	ASSERT_EQ(0, fm_sysfs_write("huge", "never"));
	map = mmap(NULL, self->huge, PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	before = fm_stats(self->fd);
	EXPECT_EQ(0, fill_pages(map, self->huge, self->page));
	after = fm_stats(self->fd);
	EXPECT_EQ(before.huge_folios_allocated, after.huge_folios_allocated);
	EXPECT_EQ(before.faults + self->per_huge, after.faults);
	EXPECT_EQ(0, smaps_kb(map, "FilePmdMapped:"));
	munmap(map, self->huge);
}

/*
 * Punching one page out of a mapped huge folio splits it: that page reads
 * zero everywhere, every other byte is kept, and only that page is freed.
 */
TEST_F(huge, punching_a_page_splits_the_folio_and_keeps_the_rest)
{
	long i, bad = 0;
	char *map, c;

	FM_RETURN_IF_SKIPPED();
	map = mmap(NULL, self->huge, PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, fill_pages(map, self->huge, self->page));
	ASSERT_EQ(self->per_huge, fm_stats(self->fd).resident_pages);

	ASSERT_EQ(0, fm_punch(self->fd, 5 * self->page, self->page));
	EXPECT_EQ(self->per_huge - 1, fm_stats(self->fd).resident_pages);
	EXPECT_EQ(1, fm_all_zero(map + 5 * self->page, self->page));
	ASSERT_EQ(1, pread(self->fd, &c, 1, 5 * self->page));
	EXPECT_EQ(0, c);
	for (i = 0; i < self->huge; i += self->page)
		if (i != 5 * self->page)
			bad += map[i] != pattern(i);
	EXPECT_EQ(0, bad);
	munmap(map, self->huge);
}

/* Punching a whole block frees the folio in one piece. */
TEST_F(huge, punching_a_whole_block_frees_it)
{
	char *map;

	FM_RETURN_IF_SKIPPED();
	map = mmap(NULL, 2 * self->huge, PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, fill_pages(map, 2 * self->huge, self->page));
	ASSERT_EQ(0, fm_punch(self->fd, self->huge, self->huge));
	EXPECT_EQ(self->per_huge, fm_stats(self->fd).resident_pages);
	EXPECT_EQ(1, fm_all_zero(map + self->huge, self->huge));
	EXPECT_EQ(pattern(self->page), map[self->page]);
	munmap(map, 2 * self->huge);
}

/*
 * Shrinking through a mapped huge folio: the part past the new end is
 * freed and gives SIGBUS, the part before it keeps its data.
 */
TEST_F(huge, shrinking_through_a_folio_keeps_the_front)
{
	long i, bad = 0;
	char *map;

	FM_RETURN_IF_SKIPPED();
	ASSERT_EQ(0, fm_set_size(self->fd, 2 * self->huge));
	map = mmap(NULL, 2 * self->huge, PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, fill_pages(map, 2 * self->huge, self->page));

	ASSERT_EQ(0, fm_set_size(self->fd, 3 * self->huge / 2));
	EXPECT_EQ(3 * self->huge / 2 / self->page,
		  fm_stats(self->fd).resident_pages);
	EXPECT_EQ(SIGBUS, fm_touch(map + 3 * self->huge / 2, 0, 0).signo);
	EXPECT_EQ(SIGBUS, fm_touch(map + 2 * self->huge - 1, 0, 0).signo);
	for (i = 0; i < 3 * self->huge / 2; i += self->page)
		bad += map[i] != pattern(i);
	EXPECT_EQ(0, bad);
	munmap(map, 2 * self->huge);
}

/* Write pattern() to every byte of [0, len) with pwrite(). */
static int fill_bytes(int fd, long len)
{
	char *buf = malloc(len);
	long i;
	int ret;

	for (i = 0; i < len; i++)
		buf[i] = pattern(i);
	ret = pwrite(fd, buf, len, 0) == len ? 0 : -1;
	free(buf);
	return ret;
}

/* The bytes of [0, len) that pread() finds different from pattern(). */
static long wrong_bytes(int fd, long len)
{
	char *buf = malloc(len);
	long i, bad = 0;

	if (pread(fd, buf, len, 0) != len)
		bad = len;
	for (i = 0; !bad && i < len; i++)
		bad += buf[i] != pattern(i);
	free(buf);
	return bad;
}

/*
 * A device of two blocks full of pattern(), mapped, with a page of its
 * second huge folio spliced into a pipe by vmsplice(): the pipe holds a
 * reference to the folio, so it cannot be split while the data is in the
 * pipe. Returns the mapping; the pipe is in @pipefd.
 */
static char *pin_second_folio(struct __test_metadata *_metadata, int fd,
			      long huge, int pipefd[2])
{
	struct iovec iov;
	char *map;

	ASSERT_EQ(0, fm_set_size(fd, 2 * huge)) { return NULL; }
	ASSERT_EQ(0, fill_bytes(fd, 2 * huge)) { return NULL; }
	map = mmap(NULL, 2 * huge, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, map) { return NULL; }
	ASSERT_EQ(0, pipe(pipefd)) { return NULL; }
	iov.iov_base = map + 3 * huge / 2;
	iov.iov_len = 64;
	ASSERT_EQ(64, vmsplice(pipefd[1], &iov, 1, 0)) { return NULL; }
	return map;
}

/* Drain the pipe of pin_second_folio(): the folio can be split again. */
static void unpin(int pipefd[2])
{
	char buf[64];

	if (read(pipefd[0], buf, sizeof(buf)) != sizeof(buf))
		perror("read");
	close(pipefd[0]);
	close(pipefd[1]);
}

/*
 * A shrink through a pinned folio is refused with EBUSY, before anything
 * is freed or zeroed: the size and every byte are as before, the bytes
 * past the requested end too, through read() and the mapping. Once the
 * pipe is drained the same shrink succeeds.
 */
TEST_F(huge, shrinking_through_a_pinned_folio_is_busy_and_changes_nothing)
{
	uint64_t resizes;
	int pipefd[2];
	char *map;

	FM_RETURN_IF_SKIPPED();
	map = pin_second_folio(_metadata, self->fd, self->huge, pipefd);
	ASSERT_NE(NULL, map);
	resizes = fm_stats(self->fd).resizes;
	EXPECT_EQ(-EBUSY, fm_set_size(self->fd, 3 * self->huge / 2 + self->page));
	EXPECT_EQ(2 * self->huge, lseek(self->fd, 0, SEEK_END));
	EXPECT_EQ(0, wrong_bytes(self->fd, 2 * self->huge));
	EXPECT_EQ(pattern(2 * self->huge - 1), map[2 * self->huge - 1]);
	EXPECT_EQ(pattern(3 * self->huge / 2 + self->page),
		  map[3 * self->huge / 2 + self->page]);
	EXPECT_EQ(resizes, fm_stats(self->fd).resizes);

	unpin(pipefd);
	EXPECT_EQ(0, fm_set_size(self->fd, 3 * self->huge / 2 + self->page));
	EXPECT_EQ(SIGBUS,
		  fm_touch(map + 3 * self->huge / 2 + self->page, 0, 0).signo);
	EXPECT_EQ(0, wrong_bytes(self->fd, 3 * self->huge / 2 + self->page));
	munmap(map, 2 * self->huge);
}

/* The same through sysfs: EBUSY from the write, every byte as before. */
TEST_F(huge, sysfs_shrink_through_a_pinned_folio_is_busy_and_changes_nothing)
{
	char size[32];
	int pipefd[2];
	char *map;

	FM_RETURN_IF_SKIPPED();
	map = pin_second_folio(_metadata, self->fd, self->huge, pipefd);
	ASSERT_NE(NULL, map);
	snprintf(size, sizeof(size), "%ld", 3 * self->huge / 2);
	EXPECT_EQ(-EBUSY, fm_sysfs_write("size", size));
	EXPECT_EQ(2 * self->huge, fm_sysfs_read("size"));
	EXPECT_EQ(0, wrong_bytes(self->fd, 2 * self->huge));
	unpin(pipefd);
	EXPECT_EQ(0, fm_sysfs_write("size", size));
	EXPECT_EQ(3 * self->huge / 2, fm_sysfs_read("size"));
	munmap(map, 2 * self->huge);
}

/*
 * A hole punched through the middle of a pinned folio is refused with
 * EBUSY, and so is one that ends inside it: nothing is freed or zeroed.
 * A punch of the other, unpinned folio works meanwhile. Once the pipe is
 * drained the punch succeeds and only the punched range reads as zeroes.
 */
TEST_F(huge, punching_through_a_pinned_folio_is_busy_and_changes_nothing)
{
	uint64_t punched;
	int pipefd[2];
	char *map;
	long i, bad = 0;

	FM_RETURN_IF_SKIPPED();
	map = pin_second_folio(_metadata, self->fd, self->huge, pipefd);
	ASSERT_NE(NULL, map);
	punched = fm_stats(self->fd).holes_punched;
	EXPECT_EQ(-EBUSY, fm_punch(self->fd, self->huge + self->page, self->page));
	EXPECT_EQ(-EBUSY, fm_punch(self->fd, self->huge / 2, self->huge));
	EXPECT_EQ(0, wrong_bytes(self->fd, 2 * self->huge));
	EXPECT_EQ(pattern(self->huge + self->page), map[self->huge + self->page]);
	EXPECT_EQ(punched, fm_stats(self->fd).holes_punched);
	/* The first folio is not pinned. */
	EXPECT_EQ(0, fm_punch(self->fd, self->page, self->page));

	unpin(pipefd);
	EXPECT_EQ(0, fm_punch(self->fd, self->huge + self->page, self->page));
	EXPECT_TRUE(fm_all_zero(map + self->huge + self->page, self->page));
	for (i = 2 * self->page; i < 2 * self->huge; i++)
		if (i < self->huge + self->page || i >= self->huge + 2 * self->page)
			bad += map[i] != pattern(i);
	EXPECT_EQ(0, bad);
	munmap(map, 2 * self->huge);
}

/* A private mapping of a huge folio: the first write copies a page only. */
TEST_F(huge, private_writes_copy_small_pages)
{
	char *map, c;
	uint64_t huge;

	FM_RETURN_IF_SKIPPED();
	huge = fm_stats(self->fd).huge_folios_allocated;
	ASSERT_EQ(1, pwrite(self->fd, "d", 1, 7 * self->page));
	ASSERT_EQ(huge + 1, fm_stats(self->fd).huge_folios_allocated);
	map = mmap(NULL, self->huge, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		   self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ('d', map[7 * self->page]);
	map[7 * self->page] = 'p';
	EXPECT_EQ('p', map[7 * self->page]);
	ASSERT_EQ(1, pread(self->fd, &c, 1, 7 * self->page));
	EXPECT_EQ('d', c);
	EXPECT_EQ(self->per_huge, fm_stats(self->fd).resident_pages);
	munmap(map, self->huge);
}

/*
 * A mapping that cannot use a PMD (it starts one page into the block)
 * maps the huge folio page by page: the write fault at each
 * address must get its own page of the folio, not the folio's first.
 */
TEST_F(huge, a_small_mapping_of_a_huge_folio_sees_each_page)
{
	struct faultmem_stats before = fm_stats(self->fd);
	long i, bad = 0, len = self->huge - self->page;
	char *map, byte;

	FM_RETURN_IF_SKIPPED();
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		   self->page);
	ASSERT_NE(MAP_FAILED, map);
	for (i = 1; i < self->per_huge; i++)
		map[(i - 1) * self->page] = pattern(i * self->page);
	EXPECT_EQ(before.huge_folios_allocated + 1,
		  fm_stats(self->fd).huge_folios_allocated);
	EXPECT_EQ(0, smaps_kb(map, "FilePmdMapped:"));
	for (i = 1; i < self->per_huge; i++) {
		ASSERT_EQ(1, pread(self->fd, &byte, 1, i * self->page));
		bad += byte != pattern(i * self->page);
	}
	EXPECT_EQ(0, bad);
	munmap(map, len);
}

/*
 * read() and write() cross folio boundaries at odd offsets: one and a half
 * blocks written half a block + 123 in span three huge folios and their
 * borders.
 */
TEST_F(huge, read_and_write_cross_huge_folios)
{
	long len = 3 * self->huge / 2, off = self->huge / 2 + 123, i, bad = 0;
	char *in = malloc(len), *out = malloc(len), *map;
	uint64_t huge;

	FM_RETURN_IF_SKIPPED();
	huge = fm_stats(self->fd).huge_folios_allocated;
	ASSERT_NE(NULL, in);
	ASSERT_NE(NULL, out);
	for (i = 0; i < len; i++)
		in[i] = pattern(i);
	ASSERT_EQ(len, pwrite(self->fd, in, len, off));
	ASSERT_EQ(len, pread(self->fd, out, len, off));
	EXPECT_EQ(0, memcmp(in, out, len));
	map = mmap(NULL, 2 * self->huge + self->page, PROT_READ, MAP_SHARED,
		   self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	for (i = 0; i < len; i++)
		bad += map[off + i] != in[i];
	EXPECT_EQ(0, bad);
	/* [H/2 + 123, 2H + 123) touches three blocks: three folios. */
	EXPECT_EQ(huge + 3, fm_stats(self->fd).huge_folios_allocated);
	munmap(map, 2 * self->huge + self->page);
	free(in);
	free(out);
}

/*
 * write() whose source is an unpopulated mapping of the very huge folio it
 * writes to: the driver holds that folio locked while copying, so the
 * source must be faulted in beforehand, never under the lock. Must neither
 * deadlock nor lose data.
 */
TEST_F(huge, write_from_a_mapping_of_its_own_folio)
{
	long len = 64 * 1024 + 5, i, bad = 0;
	char *in = malloc(len), *out = malloc(len), *map;
	uint64_t huge;

	FM_RETURN_IF_SKIPPED();
	ASSERT_NE(NULL, in);
	ASSERT_NE(NULL, out);
	for (i = 0; i < len; i++)
		in[i] = pattern(i);
	ASSERT_EQ(len, pwrite(self->fd, in, len, 100));
	huge = fm_stats(self->fd).huge_folios_allocated;
	map = mmap(NULL, self->huge, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, madvise(map, self->huge, MADV_DONTNEED));
	ASSERT_EQ(len, pwrite(self->fd, map + 100, len, self->huge / 2 + 7));
	ASSERT_EQ(len, pread(self->fd, out, len, self->huge / 2 + 7));
	for (i = 0; i < len; i++)
		bad += out[i] != in[i];
	EXPECT_EQ(0, bad);
	/* Both ranges are in block 0: no other folio was made. */
	EXPECT_EQ(huge, fm_stats(self->fd).huge_folios_allocated);
	munmap(map, self->huge);
	free(in);
	free(out);
}

/*
 * A write whose source turns unreadable part way through a huge folio
 * writes what came before and returns that short count, like a file; the
 * bytes after it are untouched (still zero).
 */
TEST_F(huge, a_write_whose_source_turns_bad_is_short)
{
	char *src, out[16];
	long i;

	FM_RETURN_IF_SKIPPED();
	src = mmap(NULL, 3 * self->page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, src);
	for (i = 0; i < 2 * self->page; i++)
		src[i] = pattern(i);
	ASSERT_EQ(0, mprotect(src + 2 * self->page, self->page, PROT_NONE));
	EXPECT_EQ(2 * self->page,
		  pwrite(self->fd, src, 3 * self->page, self->huge / 2 + 100));
	ASSERT_EQ(16, pread(self->fd, out, 16, self->huge / 2 + 100 + 2 * self->page - 8));
	EXPECT_EQ(0, memcmp(out, src + 2 * self->page - 8, 8));
	EXPECT_TRUE(fm_all_zero(out + 8, 8));
	EXPECT_EQ(-1, pwrite(self->fd, src + 2 * self->page, 8, 0));
	EXPECT_EQ(EFAULT, errno);
	munmap(src, 3 * self->page);
}

TEST_HARNESS_MAIN
