// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel users of the mapping through get_user_pages (GUP): the paths that
 * debuggers, checkpointing tools and zero-copy I/O take. They all work
 * because the device's pages are ordinary page-cache pages; a VM_PFNMAP
 * driver would fail every one of them.
 */
#include <sys/uio.h>

#include "faultmem_test.h"
#include "kselftest_harness.h"

FIXTURE(gup) {
	int fd;
	long page;
	size_t len;
	char *map;
};

FIXTURE_SETUP(gup)
{
	self->fd = fm_open(O_RDWR);
	self->page = fm_page_size();
	self->len = 16 * self->page;
	ASSERT_EQ(0, fm_punch_all(self->fd));
	self->map = mmap(NULL, self->len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->map);
}

FIXTURE_TEARDOWN(gup)
{
	munmap(self->map, self->len);
	close(self->fd);
}

/* A child reads and writes the parent's mapping with process_vm_*v(). */
TEST_F(gup, process_vm_readv_and_writev)
{
	int status;
	pid_t pid;

	strcpy(self->map + 3 * self->page, "read me");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		pid_t parent = getppid();
		char buf[8] = "";
		struct iovec local = { buf, 8 };
		struct iovec remote = { self->map + 3 * self->page, 8 };
		/* Also an untouched page: GUP must fault it in. */
		struct iovec remote_new = { self->map + 9 * self->page, 8 };
		struct iovec src = { "written", 8 };

		munmap(self->map, self->len);
		if (process_vm_readv(parent, &local, 1, &remote, 1, 0) != 8 ||
		    strcmp(buf, "read me"))
			_exit(1);
		if (process_vm_writev(parent, &src, 1, &remote_new, 1, 0) != 8)
			_exit(2);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	EXPECT_STREQ("written", self->map + 9 * self->page);
}

/* What gdb does: read and write another process's memory via /proc/PID/mem. */
TEST_F(gup, proc_pid_mem_read_and_write)
{
	char path[64], buf[8] = "";
	int mem, status, go[2];
	pid_t pid;

	ASSERT_EQ(0, pipe(go));
	strcpy(self->map + self->page, "in the child");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char c;

		/* Wait until the parent has written, then check. */
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		_exit(strcmp(self->map + 5 * self->page, "poked") != 0);
	}
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	mem = open(path, O_RDWR);
	ASSERT_LE(0, mem);
	ASSERT_EQ(8, pread(mem, buf, 8, (off_t)(uintptr_t)(self->map + self->page)));
	EXPECT_EQ(0, memcmp(buf, "in the c", 8));
	ASSERT_EQ(6, pwrite(mem, "poked", 6,
			    (off_t)(uintptr_t)(self->map + 5 * self->page)));
	close(mem);
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	/* The write went to the shared page, so the device has it too. */
	EXPECT_STREQ("poked", self->map + 5 * self->page);
}

/* vmsplice() pins the pages of the mapping into a pipe. */
TEST_F(gup, vmsplice_into_a_pipe)
{
	struct iovec iov = { self->map + 2 * self->page, self->page };
	char *buf = malloc(self->page);
	int p[2];

	ASSERT_NE(NULL, buf);
	memset(self->map + 2 * self->page, 'v', self->page);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(self->page, vmsplice(p[1], &iov, 1, 0));
	ASSERT_EQ(self->page, read(p[0], buf, self->page));
	EXPECT_EQ(0, memcmp(buf, self->map + 2 * self->page, self->page));
	close(p[0]);
	close(p[1]);
	free(buf);
}

/* Touch every page of [map, map+len), reading then writing. */
static void touch_all(char *map, size_t len, long page)
{
	size_t i;

	for (i = 0; i < len; i += page) {
		(void)*(volatile char *)(map + i);
		*(volatile char *)(map + i) = 1;
	}
}

/* MAP_POPULATE faults everything in up front: no fault afterwards. */
TEST_F(gup, map_populate_leaves_nothing_to_fault)
{
	struct faultmem_stats before, after;
	char *map;

	map = mmap(NULL, self->len, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_POPULATE, self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	before = fm_stats(self->fd);
	EXPECT_EQ(self->len / self->page, before.resident_pages);
	touch_all(map, self->len, self->page);
	after = fm_stats(self->fd);
	EXPECT_EQ(before.faults, after.faults);
	munmap(map, self->len);
}

/* mlock() faults everything in too. */
TEST_F(gup, mlock_leaves_nothing_to_fault)
{
	struct faultmem_stats before, after;

	ASSERT_EQ(0, mlock(self->map, self->len));
	before = fm_stats(self->fd);
	EXPECT_EQ(self->len / self->page, before.resident_pages);
	touch_all(self->map, self->len, self->page);
	after = fm_stats(self->fd);
	EXPECT_EQ(before.faults, after.faults);
	EXPECT_EQ(0, munlock(self->map, self->len));
}

TEST_HARNESS_MAIN
