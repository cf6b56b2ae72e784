// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmap(2)'s errors and signals on /dev/faultmem0. Many of these are
 * enforced by the kernel core before the driver runs; the tests prove that
 * the device does not break them, and that the signals the driver itself
 * produces (SIGBUS beyond the end) carry the right si_code and si_addr.
 */
#include "faultmem_test.h"
#include "kselftest_harness.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

FIXTURE(map) {
	int fd;
	long page;
	off_t size;
};

FIXTURE_SETUP(map)
{
	self->fd = fm_open(O_RDWR);
	self->page = fm_page_size();
	self->size = lseek(self->fd, 0, SEEK_END);
	ASSERT_LE(4 * self->page, self->size);
}

FIXTURE_TEARDOWN(map)
{
	close(self->fd);
}

TEST_F(map, einval_zero_length)
{
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 0, PROT_READ, MAP_SHARED, self->fd, 0));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(map, einval_unaligned_offset)
{
	EXPECT_EQ(MAP_FAILED, mmap(NULL, self->page, PROT_READ, MAP_SHARED,
				   self->fd, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, self->page, PROT_READ, MAP_SHARED,
				   self->fd, self->page / 2));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(map, einval_neither_shared_nor_private)
{
	EXPECT_EQ(MAP_FAILED, mmap(NULL, self->page, PROT_READ, 0, self->fd, 0));
	EXPECT_EQ(EINVAL, errno);
}

TEST(eacces_shared_writable_on_read_only_fd)
{
	int fd = fm_open(O_RDONLY);

	EXPECT_EQ(MAP_FAILED, mmap(NULL, fm_page_size(), PROT_WRITE,
				   MAP_SHARED, fd, 0));
	EXPECT_EQ(EACCES, errno);
	close(fd);
}

TEST(eacces_any_mapping_of_write_only_fd)
{
	int fd = fm_open(O_WRONLY);
	long page = fm_page_size();

	EXPECT_EQ(MAP_FAILED, mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, 0));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, page, PROT_WRITE, MAP_SHARED, fd, 0));
	EXPECT_EQ(EACCES, errno);
	close(fd);
}

TEST(eacces_mprotect_write_on_read_only_shared_mapping)
{
	int fd = fm_open(O_RDONLY);
	long page = fm_page_size();
	char *map;

	map = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(-1, mprotect(map, page, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	/* And the mapping stayed read-only. */
	EXPECT_EQ(SIGSEGV, fm_touch(map, 1, 'x').signo);
	munmap(map, page);
	close(fd);
}

/* Copy-on-write needs no write access to the file, as with a regular file. */
TEST(private_writable_on_read_only_fd_is_allowed)
{
	int rw = fm_open(O_RDWR), ro = fm_open(O_RDONLY);
	long page = fm_page_size();
	char *map, buf[8];

	ASSERT_EQ(8, pwrite(rw, "original", 8, 0));
	map = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(0, memcmp(map, "original", 8));
	EXPECT_EQ(0, fm_touch(map, 1, 'O').signo);
	EXPECT_EQ('O', map[0]);
	/* The device did not change. */
	ASSERT_EQ(8, pread(rw, buf, 8, 0));
	EXPECT_EQ(0, memcmp(buf, "original", 8));
	munmap(map, page);
	close(ro);
	close(rw);
}

TEST_F(map, eexist_fixed_noreplace_over_a_mapping)
{
	char *map, *again;

	map = mmap(NULL, 2 * self->page, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	again = mmap(map + self->page, self->page, PROT_READ,
		     MAP_SHARED | MAP_FIXED_NOREPLACE, self->fd, 0);
	EXPECT_EQ(MAP_FAILED, again);
	EXPECT_EQ(EEXIST, errno);
	munmap(map, 2 * self->page);
}

/* MAP_FIXED replaces what was there: the new mapping's offset wins. */
TEST_F(map, fixed_replaces_a_mapping)
{
	char *map, *again;

	ASSERT_EQ(5, pwrite(self->fd, "page0", 5, 0));
	ASSERT_EQ(5, pwrite(self->fd, "page3", 5, 3 * self->page));
	map = mmap(NULL, 2 * self->page, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(0, memcmp(map, "page0", 5));
	again = mmap(map, self->page, PROT_READ, MAP_SHARED | MAP_FIXED,
		     self->fd, 3 * self->page);
	ASSERT_EQ(map, again);
	EXPECT_EQ(0, memcmp(map, "page3", 5));
	munmap(map, 2 * self->page);
}

/*
 * A mapping may extend past the end: every page at or beyond the size
 * raises SIGBUS with BUS_ADRERR at the touched address, for reads and
 * writes, shared and private; the last byte before the end works.
 */
TEST_F(map, sigbus_beyond_the_end_with_address)
{
	static const int flags[] = { MAP_SHARED, MAP_PRIVATE };
	long pages_past = 3;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		size_t len = self->size + pages_past * self->page;
		struct fm_signal sig;
		char *map;
		long p;

		map = mmap(NULL, len, PROT_READ | PROT_WRITE, flags[i],
			   self->fd, 0);
		ASSERT_NE(MAP_FAILED, map);
		EXPECT_EQ(0, fm_touch(map + self->size - 1, 0, 0).signo);
		EXPECT_EQ(0, fm_touch(map + self->size - 1, 1, 'e').signo);
		for (p = 0; p < pages_past; p++) {
			char *addr = map + self->size + p * self->page + 7;

			sig = fm_touch(addr, p & 1, 'w');
			EXPECT_EQ(SIGBUS, sig.signo);
			EXPECT_EQ(BUS_ADRERR, sig.code);
			EXPECT_EQ(addr, sig.addr);
		}
		munmap(map, len);
	}
}

/* A mapping may also start past the end; mmap succeeds, touching fails. */
TEST_F(map, mapping_starting_past_the_end)
{
	struct fm_signal sig;
	char *map;

	map = mmap(NULL, self->page, PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->fd, self->size + 4 * self->page);
	ASSERT_NE(MAP_FAILED, map);
	sig = fm_touch(map + 1, 0, 0);
	EXPECT_EQ(SIGBUS, sig.signo);
	EXPECT_EQ(BUS_ADRERR, sig.code);
	EXPECT_EQ(map + 1, sig.addr);
	munmap(map, self->page);
}

TEST_F(map, sigsegv_accerr_on_write_to_prot_read)
{
	struct fm_signal sig;
	char *map;

	map = mmap(NULL, self->page, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	sig = fm_touch(map + 3, 1, 1);
	EXPECT_EQ(SIGSEGV, sig.signo);
	EXPECT_EQ(SEGV_ACCERR, sig.code);
	EXPECT_EQ(map + 3, sig.addr);
	munmap(map, self->page);
}

TEST_F(map, sigsegv_accerr_on_prot_none)
{
	struct fm_signal sig;
	char *map;

	map = mmap(NULL, self->page, PROT_NONE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	sig = fm_touch(map, 0, 0);
	EXPECT_EQ(SIGSEGV, sig.signo);
	EXPECT_EQ(SEGV_ACCERR, sig.code);
	EXPECT_EQ(map, sig.addr);
	sig = fm_touch(map + 9, 1, 1);
	EXPECT_EQ(SIGSEGV, sig.signo);
	EXPECT_EQ(SEGV_ACCERR, sig.code);
	munmap(map, self->page);
}

TEST_F(map, sigsegv_maperr_after_munmap)
{
	struct fm_signal sig;
	char *map;

	map = mmap(NULL, self->page, PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(0, fm_touch(map, 1, 'm').signo);
	ASSERT_EQ(0, munmap(map, self->page));
	sig = fm_touch(map, 0, 0);
	EXPECT_EQ(SIGSEGV, sig.signo);
	EXPECT_EQ(SEGV_MAPERR, sig.code);
	EXPECT_EQ(map, sig.addr);
}

/*
 * PROT_EXEC is allowed, as for a regular file on a filesystem mounted
 * without noexec: code written into the buffer runs from a mapping.
 */
TEST_F(map, prot_exec_runs_code_from_the_buffer)
{
#if defined(__x86_64__)
	/* mov eax, 42; ret */
	static const unsigned char code[] = { 0xb8, 42, 0, 0, 0, 0xc3 };
	int (*fn)(void);
	void *map;

	ASSERT_EQ((ssize_t)sizeof(code),
		  pwrite(self->fd, code, sizeof(code), self->page));
	map = mmap(NULL, self->page, PROT_READ | PROT_EXEC, MAP_SHARED,
		   self->fd, self->page);
	ASSERT_NE(MAP_FAILED, map);
	fn = (int (*)(void))map;
	EXPECT_EQ(42, fn());
	munmap(map, self->page);
#else
	SKIP(return, "needs x86-64 machine code");
#endif
}

/* Without PROT_EXEC, jumping into the buffer is a protection fault. */
TEST_F(map, no_exec_without_prot_exec)
{
	pid_t pid = fork();
	int status;

	ASSERT_LE(0, pid);
	if (pid == 0) {
		void *map = mmap(NULL, self->page, PROT_READ, MAP_SHARED,
				 self->fd, self->page);
		void (*fn)(void) = (void (*)(void))map;

		if (map == MAP_FAILED)
			_exit(2);
		fn();
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGSEGV, WTERMSIG(status));
}

TEST_HARNESS_MAIN
