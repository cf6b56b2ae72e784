// SPDX-License-Identifier: GPL-2.0-only
/*
 * The node as a regular file in every way a program can tell: the sync
 * calls, splice(), sendfile(), vmsplice() and tee(), and lseek() with
 * SEEK_DATA and SEEK_HOLE. Every test runs twice, on /dev/faultmem0 and on
 * a tmpfs file of the same size, so that what tmpfs does is measured, not
 * assumed: a test that tmpfs fails is a wrong test. The few calls the VFS
 * refuses on every character device are checked for exactly that refusal
 * (docs/contract.md says what to use instead).
 */
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/uio.h>

#include "faultmem_test.h"

#define MIB		(1L << 20)
#define TMPFS_FILE	"/dev/shm/faultmem-file-test"
#define HUGE_MOUNT	"/tmp/faultmem-huge-tmpfs"

FIXTURE(file) {
	int fd;
	long page;
	off_t size;
	off_t initial;		/* the device's size before the test */
	char path[64];
};

/* Which file the test runs on. */
FIXTURE_VARIANT(file) {
	int device;		/* /dev/faultmem0; else a tmpfs file */
	int huge;		/* huge=always on the device, or a huge tmpfs */
};

FIXTURE_VARIANT_ADD(file, device) { .device = 1 };
FIXTURE_VARIANT_ADD(file, tmpfs) { .device = 0 };
FIXTURE_VARIANT_ADD(file, device_huge) { .device = 1, .huge = 1 };
FIXTURE_VARIANT_ADD(file, tmpfs_huge) { .device = 0, .huge = 1 };

FIXTURE_SETUP(file)
{
	self->fd = -1;
	self->page = fm_page_size();
	/* 4 MiB: two 2 MiB blocks, so the huge variants get huge folios. */
	self->size = 4 * MIB;
	if (variant->device) {
		self->fd = fm_open(O_RDWR);
		self->initial = lseek(self->fd, 0, SEEK_END);
		if (variant->huge &&
		    access("/sys/kernel/mm/transparent_hugepage", F_OK))
			SKIP(return, "kernel without transparent huge pages");
		ASSERT_EQ(0, fm_set_size(self->fd, self->size));
		ASSERT_EQ(0, fm_punch_all(self->fd));
		ASSERT_EQ(0, fm_sysfs_write("huge", variant->huge ? "always" : "never"));
		snprintf(self->path, sizeof(self->path), "%s", FM_DEV);
		return;
	}
	if (variant->huge) {
		if (access("/sys/kernel/mm/transparent_hugepage", F_OK))
			SKIP(return, "kernel without transparent huge pages");
		mkdir(HUGE_MOUNT, 0755);
		ASSERT_EQ(0, mount("tmpfs", HUGE_MOUNT, "tmpfs", 0,
				   "huge=always,size=64M"));
		snprintf(self->path, sizeof(self->path), "%s/file", HUGE_MOUNT);
	} else {
		snprintf(self->path, sizeof(self->path), "%s", TMPFS_FILE);
	}
	self->fd = open(self->path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ftruncate(self->fd, self->size));
}

FIXTURE_TEARDOWN(file)
{
	if (variant->device) {
		fm_sysfs_write("huge", "never");
		fm_punch_all(self->fd);
		if (self->initial)
			fm_set_size(self->fd, self->initial);
		close(self->fd);
		return;
	}
	if (self->fd >= 0)
		close(self->fd);
	unlink(self->path);
	if (variant->huge)
		umount(HUGE_MOUNT);
}

/* The byte a test writes at @off: it names its page. */
static char pattern(off_t off, long page)
{
	return (char)('A' + (off / page) % 26);
}

/* Write pattern() to the whole of page @n with pwrite(). */
static int write_page(int fd, long n, long page)
{
	char *buf = malloc(page);
	ssize_t done;

	memset(buf, pattern(n * page, page), page);
	done = pwrite(fd, buf, page, n * page);
	free(buf);
	return done == page ? 0 : -1;
}

/* 1 if [off, off + len) of @buf holds pattern() for a file offset @off. */
static int holds_pattern(const char *buf, off_t off, size_t len, long page)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != pattern(off + i, page))
			return 0;
	return 1;
}

/* The memory the file holds: resident pages of the device, or tmpfs blocks. */
static long long allocated(int fd, int device, long page)
{
	struct stat st;

	if (device)
		return fm_stats(fd).resident_pages * page;
	if (fstat(fd, &st))
		return -1;
	return (long long)st.st_blocks * 512;
}

/* Punch [off, off + len) the way each file does it. */
static int punch(int fd, int device, off_t off, off_t len)
{
	if (device)
		return fm_punch(fd, off, len);
	return fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			 off, len) ? -errno : 0;
}

TEST_F(file, fsync_and_fdatasync_succeed)
{
	FM_RETURN_IF_SKIPPED();
	ASSERT_EQ(0, write_page(self->fd, 1, self->page));
	EXPECT_EQ(0, fsync(self->fd));
	EXPECT_EQ(0, fdatasync(self->fd));
	EXPECT_EQ(0, syncfs(self->fd));
}

/*
 * msync() with every valid combination of flags succeeds, on shared and
 * private mappings; MS_SYNC | MS_ASYNC is EINVAL, and the data is there.
 */
TEST_F(file, msync_succeeds_with_every_valid_flag)
{
	static const int valid[] = {
		MS_SYNC, MS_ASYNC, MS_INVALIDATE, MS_SYNC | MS_INVALIDATE,
		MS_ASYNC | MS_INVALIDATE, 0,
	};
	char *shared, *private, buf[4];
	size_t i;

	FM_RETURN_IF_SKIPPED();
	shared = mmap(NULL, 4 * self->page, PROT_READ | PROT_WRITE,
		      MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, shared);
	private = mmap(NULL, 4 * self->page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE, self->fd, 0);
	ASSERT_NE(MAP_FAILED, private);
	memcpy(shared + self->page, "sync", 4);
	private[0] = 'p';
	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		EXPECT_EQ(0, msync(shared, 4 * self->page, valid[i]))
			TH_LOG("msync(shared, %#x): %s", valid[i], strerror(errno));
		EXPECT_EQ(0, msync(private, 4 * self->page, valid[i]))
			TH_LOG("msync(private, %#x): %s", valid[i], strerror(errno));
	}
	EXPECT_EQ(-1, msync(shared, 4 * self->page, MS_SYNC | MS_ASYNC));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(4, pread(self->fd, buf, 4, self->page));
	EXPECT_EQ(0, memcmp(buf, "sync", 4));
	munmap(shared, 4 * self->page);
	munmap(private, 4 * self->page);
}

/* sendfile() from the file to a pipe: the bytes, then zeroes for a hole. */
TEST_F(file, sendfile_copies_data_and_holes)
{
	long long before;
	char *buf = malloc(2 * self->page);
	off_t off = self->page / 2;
	int p[2];

	FM_RETURN_IF_SKIPPED();
	ASSERT_EQ(0, write_page(self->fd, 0, self->page));
	before = allocated(self->fd, variant->device, self->page);
	ASSERT_EQ(0, pipe(p));
	/* Half of page 0 (data) and half of page 1 (a hole). */
	ASSERT_EQ(self->page, sendfile(p[1], self->fd, &off, self->page));
	EXPECT_EQ(self->page / 2 + self->page, off);
	ASSERT_EQ(self->page, read(p[0], buf, self->page));
	EXPECT_TRUE(holds_pattern(buf, self->page / 2, self->page / 2, self->page));
	EXPECT_TRUE(fm_all_zero(buf + self->page / 2, self->page / 2));
	/* Reading a hole allocated nothing. */
	EXPECT_EQ(before, allocated(self->fd, variant->device, self->page));
	/* At the end: nothing more. */
	off = self->size;
	EXPECT_EQ(0, sendfile(p[1], self->fd, &off, self->page));
	close(p[0]);
	close(p[1]);
	free(buf);
}

/* splice() from the file into a pipe, and from a pipe into the file. */
TEST_F(file, splice_both_ways)
{
	char *buf = malloc(3 * self->page), *back = malloc(3 * self->page);
	off_t position;
	loff_t off;
	int p[2];
	long i;

	FM_RETURN_IF_SKIPPED();
	position = lseek(self->fd, 100, SEEK_SET);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, write_page(self->fd, 4 + i, self->page));
	ASSERT_EQ(0, pipe(p));
	off = 4 * self->page + 100;
	ASSERT_EQ(2 * self->page, splice(self->fd, &off, p[1], NULL,
					 2 * self->page, 0));
	EXPECT_EQ(6 * self->page + 100, off);
	ASSERT_EQ(2 * self->page, read(p[0], buf, 2 * self->page));
	EXPECT_TRUE(holds_pattern(buf, 4 * self->page + 100, 2 * self->page,
				  self->page));

	/* Into the file: what went into the pipe lands at the offset. */
	memset(buf, 'z', 3 * self->page);
	ASSERT_EQ(3 * self->page, write(p[1], buf, 3 * self->page));
	off = 9 * self->page + 7;
	ASSERT_EQ(3 * self->page, splice(p[0], NULL, self->fd, &off,
					 3 * self->page, 0));
	EXPECT_EQ(12 * self->page + 7, off);
	ASSERT_EQ(3 * self->page, pread(self->fd, back, 3 * self->page,
					9 * self->page + 7));
	EXPECT_EQ(0, memcmp(buf, back, 3 * self->page));
	/* The file position was not used, nor moved. */
	EXPECT_EQ(position, lseek(self->fd, 0, SEEK_CUR));
	close(p[0]);
	close(p[1]);
	free(buf);
	free(back);
}

/*
 * vmsplice() of a user buffer into a pipe, with SPLICE_F_GIFT, then
 * splice() with SPLICE_F_MOVE into the file; tee() duplicates a pipe's
 * data into another pipe, which splices into the file too.
 */
TEST_F(file, vmsplice_and_tee_into_the_file)
{
	char *gift = mmap(NULL, self->page, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *back = malloc(self->page);
	struct iovec iov = { .iov_base = gift, .iov_len = self->page };
	loff_t off;
	int p[2], q[2];

	FM_RETURN_IF_SKIPPED();
	ASSERT_NE(MAP_FAILED, gift);
	memset(gift, 'g', self->page);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, pipe(q));
	ASSERT_EQ(self->page, vmsplice(p[1], &iov, 1, SPLICE_F_GIFT));
	ASSERT_EQ(self->page, tee(p[0], q[1], self->page, 0));
	off = 2 * self->page;
	ASSERT_EQ(self->page, splice(p[0], NULL, self->fd, &off, self->page,
				     SPLICE_F_MOVE));
	off = 3 * self->page;
	ASSERT_EQ(self->page, splice(q[0], NULL, self->fd, &off, self->page, 0));
	ASSERT_EQ(self->page, pread(self->fd, back, self->page, 2 * self->page));
	EXPECT_EQ(0, memcmp(back, gift, self->page));
	ASSERT_EQ(self->page, pread(self->fd, back, self->page, 3 * self->page));
	EXPECT_EQ(0, memcmp(back, gift, self->page));
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
	munmap(gift, self->page);
	free(back);
}

/*
 * What splice() puts in a pipe from the device is a copy of the bytes at
 * the time of the splice: a later write does not change it, and the pipe
 * holds no reference that would keep a shrink from splitting a folio.
 * (Regular files on tmpfs hand their page-cache pages to the pipe, so
 * there the pipe shows the later write: no tmpfs variant.)
 */
TEST_F(file, splice_into_a_pipe_copies)
{
	char buf[8];
	loff_t off = 0;
	int p[2];

	FM_RETURN_IF_SKIPPED();
	if (!variant->device)
		SKIP(return, "tmpfs hands its own pages to the pipe");
	ASSERT_EQ(8, pwrite(self->fd, "original", 8, 0));
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(8, splice(self->fd, &off, p[1], NULL, 8, 0));
	ASSERT_EQ(8, pwrite(self->fd, "replaced", 8, 0));
	ASSERT_EQ(8, read(p[0], buf, 8));
	EXPECT_EQ(0, memcmp(buf, "original", 8));
	close(p[0]);
	close(p[1]);
}

/* Pages 2 and 5 written, the rest never touched: holes page by page. */
TEST_F(file, seek_data_and_hole_find_written_pages)
{
	long P = self->page;

	FM_RETURN_IF_SKIPPED();
	if (variant->huge)
		SKIP(return, "the small-page layout (a huge folio is 2 MiB of data)");
	ASSERT_EQ(0, write_page(self->fd, 2, P));
	ASSERT_EQ(0, write_page(self->fd, 5, P));
	EXPECT_EQ(2 * P, lseek(self->fd, 0, SEEK_DATA));
	/* lseek() moved the position there. */
	EXPECT_EQ(2 * P, lseek(self->fd, 0, SEEK_CUR));
	EXPECT_EQ(0, lseek(self->fd, 0, SEEK_HOLE));
	EXPECT_EQ(3 * P, lseek(self->fd, 2 * P, SEEK_HOLE));
	EXPECT_EQ(2 * P + 100, lseek(self->fd, 2 * P + 100, SEEK_DATA));
	EXPECT_EQ(3 * P, lseek(self->fd, 2 * P + 100, SEEK_HOLE));
	EXPECT_EQ(5 * P, lseek(self->fd, 3 * P, SEEK_DATA));
	EXPECT_EQ(3 * P + 1, lseek(self->fd, 3 * P + 1, SEEK_HOLE));
	EXPECT_EQ(6 * P, lseek(self->fd, 5 * P, SEEK_HOLE));
	/* No data after page 5. */
	EXPECT_EQ(-1, lseek(self->fd, 6 * P, SEEK_DATA));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(6 * P, lseek(self->fd, 6 * P, SEEK_HOLE));
}

/* The end: ENXIO at and past it, and a negative offset; the end is a hole. */
TEST_F(file, seek_data_and_hole_at_the_end)
{
	long P = self->page;

	FM_RETURN_IF_SKIPPED();
	ASSERT_EQ(0, write_page(self->fd, self->size / P - 1, P));
	/* Data up to the end: the end itself is the hole. */
	EXPECT_EQ(self->size, lseek(self->fd, self->size - 10, SEEK_HOLE));
	EXPECT_EQ(self->size - 10, lseek(self->fd, self->size - 10, SEEK_DATA));
	EXPECT_EQ(-1, lseek(self->fd, self->size, SEEK_DATA));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, lseek(self->fd, self->size, SEEK_HOLE));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, lseek(self->fd, self->size + P, SEEK_DATA));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, lseek(self->fd, -1, SEEK_DATA));
	EXPECT_EQ(ENXIO, errno);
	/* A failed seek leaves the position where the last one put it. */
	EXPECT_EQ(self->size - 10, lseek(self->fd, 0, SEEK_CUR));
}

/* A punched range is a hole again; on a huge folio, page by page. */
TEST_F(file, seek_hole_finds_a_punched_range)
{
	long P = self->page, i;

	FM_RETURN_IF_SKIPPED();
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, write_page(self->fd, i, P));
	ASSERT_EQ(0, punch(self->fd, variant->device, 3 * P, 2 * P));
	EXPECT_EQ(3 * P, lseek(self->fd, 0, SEEK_HOLE));
	EXPECT_EQ(5 * P, lseek(self->fd, 3 * P, SEEK_DATA));
	EXPECT_EQ(4 * P, lseek(self->fd, 4 * P, SEEK_HOLE));
	if (variant->huge) {
		/* The rest of the 2 MiB folio is still data. */
		EXPECT_EQ(2 * MIB, lseek(self->fd, 5 * P, SEEK_HOLE));
	} else {
		EXPECT_EQ(8 * P, lseek(self->fd, 5 * P, SEEK_HOLE));
	}
}

/* One byte into a huge file allocates a 2 MiB folio: 2 MiB of data. */
TEST_F(file, seek_hole_after_a_huge_folio)
{
	FM_RETURN_IF_SKIPPED();
	if (!variant->huge)
		SKIP(return, "a huge-page layout");
	ASSERT_EQ(1, pwrite(self->fd, "h", 1, 3 * MIB));
	EXPECT_EQ(2 * MIB, lseek(self->fd, 0, SEEK_DATA));
	EXPECT_EQ(3 * MIB - 1, lseek(self->fd, 3 * MIB - 1, SEEK_DATA));
	EXPECT_EQ(self->size, lseek(self->fd, 2 * MIB, SEEK_HOLE));
	EXPECT_EQ(0, lseek(self->fd, 0, SEEK_HOLE));
}

/*
 * What the VFS refuses on every character device, before the driver is
 * asked, and the replacement docs/contract.md gives for each: copy_file_range() (use
 * splice() or sendfile()), fallocate() (the punch-hole ioctl), ftruncate()
 * (the resize ioctl), sync_file_range() (fdatasync()).
 */
TEST_F(file, what_the_vfs_refuses_on_character_devices)
{
	loff_t in = 0, out = 0;
	int other;

	FM_RETURN_IF_SKIPPED();
	if (!variant->device)
		SKIP(return, "regular files have these calls");
	other = open(TMPFS_FILE, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, ftruncate(other, self->page));
	EXPECT_EQ(-1, copy_file_range(self->fd, &in, other, &out, 1, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, copy_file_range(other, &in, self->fd, &out, 1, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, fallocate(self->fd, FALLOC_FL_PUNCH_HOLE |
				FALLOC_FL_KEEP_SIZE, 0, self->page));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, ftruncate(self->fd, self->page));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, sync_file_range(self->fd, 0, self->page,
				      SYNC_FILE_RANGE_WRITE));
	EXPECT_EQ(ESPIPE, errno);
	/* And nothing changed. */
	EXPECT_EQ(self->size, lseek(self->fd, 0, SEEK_END));
	close(other);
	unlink(TMPFS_FILE);
}

TEST_HARNESS_MAIN
