/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the faultmem selftests (run inside the test VM, as
 * root, with the module loaded by scripts/guest/check.sh).
 */
#ifndef FAULTMEM_TEST_H
#define FAULTMEM_TEST_H

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <faultmem.h>

#define FM_DEV		"/dev/faultmem0"
#define FM_SYSFS	"/sys/class/misc/faultmem0/"

static inline long fm_page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

/* Read one decimal value from /sys/class/misc/faultmem0/<name>. */
static inline long long fm_sysfs_read(const char *name)
{
	char path[256], buf[64] = "";
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), FM_SYSFS "%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtoll(buf, NULL, 10) : -1;
}

/* Write a string to a file (sysfs, procfs, tracefs); returns 0 or -errno. */
static inline int fm_write_file(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_TRUNC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, value, strlen(value)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* Write a string to /sys/class/misc/faultmem0/<name>; returns 0 or -errno. */
static inline int fm_sysfs_write(const char *name, const char *value)
{
	char path[256];

	snprintf(path, sizeof(path), FM_SYSFS "%s", name);
	return fm_write_file(path, value);
}

/* Run a shell command line; its exit status, and its output in @out. */
static inline int fm_run(const char *cmd, char *out, size_t size)
{
	size_t len = 0;
	FILE *p = popen(cmd, "r");
	int status;

	if (!p)
		return -1;
	while (len + 1 < size && fgets(out + len, size - len, p))
		len += strlen(out + len);
	out[len] = '\0';
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Set the device size through the ioctl; returns 0 or -errno. */
static inline int fm_set_size(int fd, uint64_t size)
{
	return ioctl(fd, FAULTMEM_IOC_SET_SIZE, &size) ? -errno : 0;
}

static inline struct faultmem_stats fm_stats(int fd)
{
	struct faultmem_stats stats;

	memset(&stats, 0xff, sizeof(stats));
	if (ioctl(fd, FAULTMEM_IOC_GET_STATS, &stats))
		memset(&stats, 0xff, sizeof(stats));
	return stats;
}

/* What happened when a test touched an address. */
struct fm_signal {
	int signo;	/* 0 if the access completed */
	int code;	/* si_code */
	void *addr;	/* si_addr */
};

static sigjmp_buf fm_jump;
static volatile struct fm_signal fm_caught;

static void fm_on_signal(int signo, siginfo_t *info, void *ucontext)
{
	(void)ucontext;
	fm_caught.signo = signo;
	fm_caught.code = info->si_code;
	fm_caught.addr = info->si_addr;
	siglongjmp(fm_jump, 1);
}

/*
 * Read (write == 0) or write one byte at @p, catching SIGBUS and SIGSEGV
 * so that the test can check si_code and si_addr.
 */
static inline struct fm_signal fm_touch(volatile char *p, int write, char value)
{
	struct sigaction sa, old_bus, old_segv;
	struct fm_signal result;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fm_on_signal;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	memset((void *)&fm_caught, 0, sizeof(fm_caught));

	if (!sigsetjmp(fm_jump, 1)) {
		if (write)
			*p = value;
		else
			(void)*p;
	}

	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
	result.signo = fm_caught.signo;
	result.code = fm_caught.code;
	result.addr = fm_caught.addr;
	return result;
}

/*
 * The 6.1 kselftest harness runs the test body even when FIXTURE_SETUP
 * called SKIP() (later harnesses stop). Tests whose setup may skip start
 * with this.
 */
#define FM_RETURN_IF_SKIPPED()			\
	do {					\
		if (_metadata->skip)		\
			return;			\
	} while (0)

/* Open the device or exit: nothing can be tested without it. */
static inline int fm_open(int flags)
{
	int fd = open(FM_DEV, flags);

	if (fd < 0) {
		fprintf(stderr, "open %s: %s\n", FM_DEV, strerror(errno));
		exit(1);
	}
	return fd;
}

/* Punch out the whole buffer so the next touches find no page. */
static inline int fm_punch(int fd, uint64_t offset, uint64_t length)
{
	struct faultmem_range range = { .offset = offset, .length = length };

	return ioctl(fd, FAULTMEM_IOC_PUNCH_HOLE, &range) ? -errno : 0;
}

static inline int fm_punch_all(int fd)
{
	off_t size = lseek(fd, 0, SEEK_END);

	return size ? fm_punch(fd, 0, size) : 0;
}

/* 1 if every byte of [p, p + len) is zero. */
static inline int fm_all_zero(const volatile char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i])
			return 0;
	return 1;
}

/*
 * The harness kills a test after TEST_TIMEOUT_DEFAULT (30 s in 6.1). Under
 * emulation with KASAN some tests take minutes; the VM's own timeout is the
 * real backstop. TEST()/TEST_F() expand the macro where they are used, so
 * redefining it after the harness is included takes effect.
 */
#include "kselftest_harness.h"
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 900

#endif /* FAULTMEM_TEST_H */
