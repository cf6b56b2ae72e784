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
#include <sys/resource.h>
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

/*
 * The size of a PMD-size folio on this kernel, in bytes (2 MiB on x86-64,
 * 32 MiB on arm64 with 16 KiB pages), or 0 without transparent huge pages.
 */
static inline long fm_pmd_size(void)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", "r");
	long bytes = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%ld", &bytes) != 1)
		bytes = 0;
	fclose(f);
	return bytes;
}

/*
 * 1 if the kernel has CONFIG_MEMORY_FAILURE (its sysctl exists): only then
 * does VM_FAULT_HWPOISON become SIGBUS with BUS_MCEERR_AR; without it the
 * architecture code sends a plain BUS_ADRERR (the debug kernel's config).
 */
static inline int fm_memory_failure(void)
{
	return !access("/proc/sys/vm/memory_failure_early_kill", F_OK);
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

/* 0 if /sys/class/misc/faultmem0/<name> holds exactly @want, else -1. */
static inline int fm_sysfs_str_is(const char *name, const char *want)
{
	char path[256], buf[256] = "";
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), FM_SYSFS "%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0 || strcmp(buf, want)) {
		fprintf(stderr, "# %s: '%s', expected '%s'\n", path, buf, want);
		return -1;
	}
	return 0;
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
	short addr_lsb;	/* si_addr_lsb (BUS_MCEERR_*: log2 of what was lost) */
};

static sigjmp_buf fm_jump;
static volatile struct fm_signal fm_caught;

static void fm_on_signal(int signo, siginfo_t *info, void *ucontext)
{
	(void)ucontext;
	fm_caught.signo = signo;
	fm_caught.code = info->si_code;
	fm_caught.addr = info->si_addr;
	fm_caught.addr_lsb = signo == SIGBUS ? info->si_addr_lsb : 0;
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
	result.addr_lsb = fm_caught.addr_lsb;
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

/* Minor faults this process has taken so far (each one a trip into the kernel). */
static inline long fm_minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/*
 * 1 if this process has a page-table entry (PTE or PMD) for @addr, 0 if
 * not, -1 on error: bit 63 of /proc/self/pagemap (readable by anyone; only
 * the PFN is hidden from unprivileged readers).
 */
static inline int fm_page_present(const void *addr)
{
	uint64_t entry;
	off_t off = (uintptr_t)addr / fm_page_size() * sizeof(entry);
	int fd = open("/proc/self/pagemap", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pread(fd, &entry, sizeof(entry), off);
	close(fd);
	return n == sizeof(entry) ? (int)(entry >> 63) : -1;
}

/* The physical frame of a mapped page (root only), or 0. */
static inline uint64_t fm_pfn_of(const void *addr)
{
	uint64_t entry = 0;
	off_t off = (uintptr_t)addr / fm_page_size() * sizeof(entry);
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &entry, sizeof(entry), off) != sizeof(entry))
		entry = 0;
	close(fd);
	return entry & ((1ULL << 55) - 1);
}

/* Bits of /proc/kpageflags (Documentation/admin-guide/mm/pagemap.rst). */
#define FM_KPF_DIRTY		4
#define FM_KPF_UNEVICTABLE	18

/* The kernel's flags for physical frame @pfn (root only), or 0. */
static inline uint64_t fm_kpageflags(uint64_t pfn)
{
	uint64_t flags = 0;
	int fd = open("/proc/kpageflags", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &flags, sizeof(flags), pfn * sizeof(flags)) != sizeof(flags))
		flags = 0;
	close(fd);
	return flags;
}

/*
 * mmap() at an address aligned to @align (a power of two): reserve more,
 * then map over the aligned part with MAP_FIXED and release the rest.
 */
static inline void *fm_mmap_aligned(size_t len, size_t align, int prot,
				    int flags, int fd, off_t off)
{
	char *area = mmap(NULL, len + align, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *start, *map;

	if (area == MAP_FAILED)
		return MAP_FAILED;
	start = (char *)(((uintptr_t)area + align - 1) & ~(uintptr_t)(align - 1));
	map = mmap(start, len, prot, flags | MAP_FIXED, fd, off);
	if (map == MAP_FAILED) {
		munmap(area, len + align);
		return MAP_FAILED;
	}
	if (start > area)
		munmap(area, start - area);
	munmap(start + len, area + len + align - (start + len));
	return map;
}

/*
 * The kernel's fault-around window (debugfs; 65536 by default): read
 * faults map up to this many bytes of resident pages at once. Returns the
 * old value, or -1 without debugfs. Tests that count faultmem_fault calls
 * on resident pages set 4096 (off) and restore the old value.
 */
#define FM_FAULT_AROUND "/sys/kernel/debug/fault_around_bytes"

static inline long fm_set_fault_around(long bytes)
{
	char buf[32] = "";
	long old;
	int fd = open(FM_FAULT_AROUND, O_RDONLY);

	if (fd < 0)
		return -1;
	if (read(fd, buf, sizeof(buf) - 1) <= 0) {
		close(fd);
		return -1;
	}
	close(fd);
	old = strtol(buf, NULL, 10);
	snprintf(buf, sizeof(buf), "%ld", bytes);
	return fm_write_file(FM_FAULT_AROUND, buf) ? -1 : old;
}

/*
 * The harness kills a test after TEST_TIMEOUT_DEFAULT (30 s in 6.1). Under
 * emulation with KASAN a test can take a minute or two; 300 s still ends a
 * hung test well before the guest's per-program watchdog (600 s) and the
 * VM's timeout. TEST()/TEST_F() expand the macro where they are used, so
 * redefining it after the harness is included takes effect.
 */
#include "kselftest_harness.h"
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 300

#endif /* FAULTMEM_TEST_H */
