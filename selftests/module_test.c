// SPDX-License-Identifier: GPL-2.0-only
/*
 * Module lifetime, parameters and permissions. These tests unload and load
 * faultmem themselves (with delete_module/finit_module, as rmmod and
 * insmod do), and leave it loaded with the parameters of the run
 * ($FAULTMEM_INSMOD_PARAMS) when they finish.
 */
#include <sys/klog.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "faultmem_test.h"
#include "kselftest_harness.h"

static const char *module_path(void)
{
	const char *path = getenv("FAULTMEM_KO");

	return path ? path : "/faultmem/faultmem.ko";
}

static int load(const char *params)
{
	int fd = open(module_path(), O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

static int unload(void)
{
	return syscall(SYS_delete_module, "faultmem", O_NONBLOCK) ? -errno : 0;
}

static int loaded(void)
{
	return access("/sys/module/faultmem", F_OK) == 0;
}

/* Back to the run's configuration, whatever a test left behind. */
static int restore(void)
{
	const char *params = getenv("FAULTMEM_INSMOD_PARAMS");

	if (loaded() && unload())
		return -1;
	return load(params ? params : "");
}

/* 1 if the kernel log contains @needle. */
static int klog_has(const char *needle)
{
	int len = klogctl(10, NULL, 0);	/* SYSLOG_ACTION_SIZE_BUFFER */
	char *buf;
	int found;

	if (len <= 0)
		return 0;
	buf = calloc(1, len + 1);
	len = klogctl(3, buf, len);	/* SYSLOG_ACTION_READ_ALL */
	found = len > 0 && strstr(buf, needle);
	free(buf);
	return found;
}

static long meminfo_kb(const char *field)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, field, strlen(field)))
			kb = atol(line + strlen(field) + 1);
	if (f)
		fclose(f);
	return kb;
}

FIXTURE(mod) {
	int unused;
};

FIXTURE_SETUP(mod)
{
	ASSERT_EQ(0, restore());
}

FIXTURE_TEARDOWN(mod)
{
	restore();
}

/*
 * rmmod refuses while a file is open, and while a mapping exists after
 * the file was closed (the mapping holds the file); it succeeds after,
 * and every page is freed.
 */
TEST_F(mod, rmmod_waits_for_files_and_mappings)
{
	long pages = 1024, i, unevictable_full, unevictable_after;
	long page = fm_page_size();
	int fd = fm_open(O_RDWR);
	char *map;

	ASSERT_EQ(0, fm_punch_all(fd));
	map = mmap(NULL, pages * page, PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	for (i = 0; i < pages; i++)
		map[i * page] = 1;
	EXPECT_EQ(pages, fm_stats(fd).resident_pages);

	EXPECT_EQ(-EWOULDBLOCK, unload());
	close(fd);
	EXPECT_EQ(-EWOULDBLOCK, unload());
	EXPECT_TRUE(loaded());
	EXPECT_EQ(1, map[5 * page]);

	/* The pages are RAM-only: they sit on the unevictable LRU. */
	unevictable_full = meminfo_kb("Unevictable:");
	munmap(map, pages * page);
	ASSERT_EQ(0, unload());
	EXPECT_FALSE(loaded());
	EXPECT_EQ(-1, access(FM_DEV, F_OK));
	unevictable_after = meminfo_kb("Unevictable:");
	/* All 4 MiB came back (minus what per-CPU batches still hold). */
	EXPECT_LE(pages * page / 1024 * 9 / 10,
		  unevictable_full - unevictable_after)
		TH_LOG("Unevictable: %ld kB before rmmod, %ld kB after",
		       unevictable_full, unevictable_after);
}

TEST_F(mod, defaults)
{
	struct stat st;
	int fd;

	ASSERT_EQ(0, unload());
	ASSERT_EQ(0, load(""));
	EXPECT_EQ(0, access("/dev/faultmem0", F_OK));
	EXPECT_EQ(-1, access("/dev/faultmem1", F_OK));
	EXPECT_EQ(16 << 20, fm_sysfs_read("size"));
	EXPECT_EQ(1 << 30, fm_sysfs_read("max_size"));
	EXPECT_EQ(0, fm_sysfs_read("resident_pages"));
	EXPECT_EQ(0, fm_sysfs_str_is("huge", "[never] always within_size\n"));
	ASSERT_EQ(0, stat(FM_DEV, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 07777);
	fd = fm_open(O_RDONLY);
	EXPECT_EQ(16 << 20, lseek(fd, 0, SEEK_END));
	close(fd);
}

TEST_F(mod, parameters_are_applied)
{
	char path[64];
	int i;

	ASSERT_EQ(0, unload());
	if (access("/sys/kernel/mm/transparent_hugepage", F_OK)) {
		/* No THP (e.g. PREEMPT_RT): a huge policy is refused, loudly. */
		EXPECT_EQ(-EOPNOTSUPP, load("huge=within_size"));
		EXPECT_TRUE(klog_has("huge=within_size: this kernel has no transparent huge pages"));
		ASSERT_EQ(0, load("devices=3 size=5000 max_size=3M huge=never"));
	} else {
		ASSERT_EQ(0, load("devices=3 size=5000 max_size=3M huge=within_size"));
		/* Every device starts with the module's huge policy. */
		EXPECT_EQ(0, fm_sysfs_str_is("huge", "never always [within_size]\n"));
	}
	for (i = 0; i < 3; i++) {
		int fd;

		snprintf(path, sizeof(path), "/dev/faultmem%d", i);
		fd = open(path, O_RDWR);
		ASSERT_LE(0, fd) TH_LOG("%s", path);
		/* 5000 bytes round up to two pages. */
		EXPECT_EQ(2 * fm_page_size(), lseek(fd, 0, SEEK_END));
		EXPECT_EQ(3 << 20, fm_stats(fd).max_size);
		EXPECT_EQ(-EFBIG, fm_set_size(fd, 4 << 20));
		EXPECT_EQ(0, fm_set_size(fd, 3 << 20));
		close(fd);
	}
	EXPECT_EQ(-1, access("/dev/faultmem3", F_OK));
}

/* Each device is its own buffer. */
TEST_F(mod, devices_are_independent)
{
	int a, b;
	char buf[4] = "";

	ASSERT_EQ(0, unload());
	ASSERT_EQ(0, load("devices=2 size=64K"));
	a = open("/dev/faultmem0", O_RDWR);
	b = open("/dev/faultmem1", O_RDWR);
	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_EQ(4, pwrite(a, "dev0", 4, 0));
	ASSERT_EQ(4, pread(b, buf, 4, 0));
	EXPECT_TRUE(fm_all_zero(buf, 4));
	ASSERT_EQ(0, fm_set_size(b, 8192));
	EXPECT_EQ(65536, lseek(a, 0, SEEK_END));
	close(a);
	close(b);
}

/*
 * The module-wide cap (max_total_size) bounds the sum of all sizes, on
 * every path that can grow a device: ioctl and sysfs.
 */
TEST_F(mod, module_wide_cap_holds)
{
	int a, b;

	ASSERT_EQ(0, unload());
	ASSERT_EQ(0, load("devices=2 size=1M max_size=8M max_total_size=10M"));
	a = fm_open(O_RDWR);
	b = open("/dev/faultmem1", O_RDWR);
	ASSERT_LE(0, b);
	EXPECT_EQ(0, fm_set_size(a, 8 << 20));
	EXPECT_EQ(-ENOSPC, fm_set_size(b, 4 << 20));
	EXPECT_EQ(1 << 20, lseek(b, 0, SEEK_END));
	EXPECT_EQ(-ENOSPC, fm_write_file("/sys/class/misc/faultmem1/size", "4M"));
	EXPECT_EQ(-EFBIG, fm_set_size(a, 9 << 20));
	EXPECT_EQ(0, fm_set_size(b, 2 << 20));		/* exactly 10M in all */
	EXPECT_EQ(-ENOSPC, fm_set_size(b, (2 << 20) + fm_page_size()));
	/* Shrinking one device makes room for the other. */
	EXPECT_EQ(0, fm_set_size(a, 4 << 20));
	EXPECT_EQ(0, fm_set_size(b, 6 << 20));
	close(a);
	close(b);
	ASSERT_EQ(0, unload());
	EXPECT_EQ(-EINVAL, load("devices=3 size=4M max_total_size=10M"));
	EXPECT_TRUE(klog_has("devices=3 x size=4194304 exceeds max_total_size=10485760"));
}

/*
 * A refused operation changes no module-wide quantity. With a 2 MiB folio
 * of faultmem0 pinned in a pipe, a shrink and a punch through it are
 * refused with EBUSY; growing faultmem1 past max_size (EFBIG), to a size
 * that is no page multiple (EINVAL) or past max_total_size (ENOSPC, by
 * ioctl and by sysfs) is refused too. After all of them every counter of
 * both devices is as before, and the cap admits exactly what it admitted:
 * faultmem1 grows to its last byte (9 MiB in all) and not a page
 * further.
 */
TEST_F(mod, refused_operations_leave_every_module_wide_quantity)
{
	struct faultmem_stats a_before, b_before, a_after, b_after;
	long page = fm_page_size(), mib = 1L << 20;
	struct iovec iov;
	int a, b, pipefd[2];
	char *map, *buf;

	if (access("/sys/kernel/mm/transparent_hugepage", F_OK))
		SKIP(return, "kernel without transparent huge pages");
	ASSERT_EQ(0, unload());
	ASSERT_EQ(0, load("devices=2 size=4M max_size=6M max_total_size=9M huge=always"));
	a = fm_open(O_RDWR);
	b = open("/dev/faultmem1", O_RDWR);
	ASSERT_LE(0, b);
	buf = malloc(4 * mib);
	ASSERT_NE(NULL, buf);
	memset(buf, 'a', 4 * mib);
	ASSERT_EQ(4 * mib, pwrite(a, buf, 4 * mib, 0));
	ASSERT_LE(2, fm_stats(a).huge_folios_allocated);
	map = mmap(NULL, 4 * mib, PROT_READ, MAP_SHARED, a, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, pipe(pipefd));
	iov.iov_base = map + 3 * mib;
	iov.iov_len = 64;
	ASSERT_EQ(64, vmsplice(pipefd[1], &iov, 1, 0));

	a_before = fm_stats(a);
	b_before = fm_stats(b);
	EXPECT_EQ(-EBUSY, fm_set_size(a, 3 * mib));
	EXPECT_EQ(-EBUSY, fm_punch(a, 3 * mib, page));
	EXPECT_EQ(-EFBIG, fm_set_size(b, 6 * mib + page));
	EXPECT_EQ(-EINVAL, fm_set_size(b, 5 * mib + 1));
	EXPECT_EQ(-ENOSPC, fm_set_size(b, 6 * mib));
	EXPECT_EQ(-ENOSPC, fm_write_file("/sys/class/misc/faultmem1/size", "6M"));
	a_after = fm_stats(a);
	b_after = fm_stats(b);
	EXPECT_EQ(0, memcmp(&a_before, &a_after, sizeof(a_before)));
	EXPECT_EQ(0, memcmp(&b_before, &b_after, sizeof(b_before)));
	EXPECT_EQ(4 * mib, lseek(a, 0, SEEK_END));
	EXPECT_EQ(4 * mib, lseek(b, 0, SEEK_END));

	/* The cap still refuses what it refused, and admits the rest. */
	EXPECT_EQ(-ENOSPC, fm_set_size(b, 5 * mib + page));
	EXPECT_EQ(0, fm_set_size(b, 5 * mib));
	EXPECT_EQ(-ENOSPC, fm_set_size(b, 5 * mib + page));
	EXPECT_EQ(-ENOSPC, fm_set_size(a, 4 * mib + page));
	EXPECT_EQ(0, memcmp(map + 3 * mib, buf, 64));
	munmap(map, 4 * mib);
	close(pipefd[0]);
	close(pipefd[1]);
	free(buf);
	close(a);
	close(b);
}

/*
 * The parameters' parser at the edge of its buffer: 20 digits (U64_MAX
 * has 20) load, 21 do not.
 */
TEST_F(mod, size_parameters_at_the_parser_boundary)
{
	int fd;

	ASSERT_EQ(0, unload());
	EXPECT_EQ(0, load("size=00000000000000004096"));
	fd = fm_open(O_RDONLY);
	EXPECT_EQ(4096, lseek(fd, 0, SEEK_END));
	close(fd);
	ASSERT_EQ(0, unload());
	EXPECT_EQ(-EINVAL, load("size=000000000000000004096"));
	EXPECT_TRUE(klog_has("size=000000000000000004096: expected bytes"));
	EXPECT_FALSE(loaded());
}

/*
 * Each parameter at the largest and smallest value it takes: 1 and 64
 * devices, a size of 0 and of exactly max_size (and max_total_size), and
 * a page past each of them refused.
 */
TEST_F(mod, parameters_at_their_largest_and_smallest)
{
	ASSERT_EQ(0, unload());
	ASSERT_EQ(0, load("devices=1"));
	EXPECT_EQ(0, access("/dev/faultmem0", F_OK));
	EXPECT_EQ(-1, access("/dev/faultmem1", F_OK));
	ASSERT_EQ(0, unload());
	ASSERT_EQ(0, load("devices=64 size=4K"));
	EXPECT_EQ(0, access("/dev/faultmem63", F_OK));
	EXPECT_EQ(-1, access("/dev/faultmem64", F_OK));
	ASSERT_EQ(0, unload());
	ASSERT_EQ(0, load("size=0"));
	EXPECT_EQ(0, fm_sysfs_read("size"));
	ASSERT_EQ(0, unload());
	ASSERT_EQ(0, load("size=8M max_size=8M max_total_size=8M"));
	EXPECT_EQ(8 << 20, fm_sysfs_read("size"));
	ASSERT_EQ(0, unload());
	/* One page less (the parameters round up to pages: a byte is a page). */
	EXPECT_EQ(-EINVAL, load("size=8M max_size=8M max_total_size=8188K"));
	EXPECT_TRUE(klog_has("devices=1 x size=8388608 exceeds max_total_size=8384512"));
	EXPECT_EQ(-EINVAL, load("size=8196K max_size=8M"));
	EXPECT_TRUE(klog_has("size=8392704 is larger than max_size=8388608"));
	EXPECT_FALSE(loaded());
}

static void load_touch_unload(struct __test_metadata *_metadata, int round)
{
	long page = fm_page_size();
	char *map;
	int fd;

	ASSERT_EQ(0, load("devices=2 size=1M")) TH_LOG("load %d", round);
	fd = fm_open(O_RDWR);
	map = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	for (long off = 0; off < 1 << 20; off += page)
		map[off] = (char)round;
	EXPECT_EQ((1 << 20) / page, fm_stats(fd).resident_pages);
	munmap(map, 1 << 20);
	close(fd);
	ASSERT_EQ(0, unload()) TH_LOG("unload %d", round);
}

/* MemFree after dropping caches, so that slab and page caches do not blur it. */
/*
 * Free pages parked in the per-CPU page lists (the "count:" lines of the
 * pagesets in /proc/zoneinfo), in kB. MemFree does not include them, and
 * how many a freed page ends up in depends on which CPU freed it: up to
 * a few MiB on a 2-CPU guest.
 */
static long pcp_free_kb(void)
{
	FILE *f = fopen("/proc/zoneinfo", "r");
	long pages = 0, count;
	char line[256];

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %ld", &count) == 1)
			pages += count;
	fclose(f);
	return pages * (fm_page_size() / 1024);
}

/*
 * Free memory once the kernel has finished freeing: MemFree plus the
 * per-CPU lists, after dropping the caches, when two readings agree within
 * 64 kB (at most ~4 s). Frees can lag behind an unload by RCU grace
 * periods and deferred work, much more so on PREEMPT_RT, where RCU
 * callbacks run in their own threads.
 */
static long settled_free_kb(void)
{
	long last = -1, now = 0;
	int round;

	for (round = 0; round < 20; round++) {
		int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

		if (fd >= 0) {
			if (write(fd, "3\n", 2) != 2)
				perror("drop_caches");
			close(fd);
		}
		usleep(200000);
		now = meminfo_kb("MemFree:") + pcp_free_kb();
		if (last >= 0 && labs(now - last) < 64)
			break;
		last = now;
	}
	return now;
}

/*
 * Load and unload 50 times with pages resident: nothing leaks. The first
 * rounds warm up the kernel's caches (slab, per-CPU page lists), so the
 * comparison is between round 10 and round 50, 40 rounds of 1 MiB
 * resident each:
 *  - Unevictable (where faultmem's pages live) must come back to where it
 *    was, within what per-CPU batches hold;
 *  - free memory (MemFree plus the per-CPU page lists) must too, within
 *    1 MiB, except under KASAN, whose quarantine keeps freed objects (up
 *    to 1/32 of RAM) on purpose. Leaks of kernel objects there are
 *    kmemleak's job (make check-debug).
 */
TEST_F(mod, load_unload_loop_frees_everything)
{
	long free_before, free_after, unevictable_before, unevictable_after;
	int i;

	ASSERT_EQ(0, unload());
	for (i = 0; i < 10; i++)
		load_touch_unload(_metadata, i);
	free_before = settled_free_kb();
	unevictable_before = meminfo_kb("Unevictable:");
	for (; i < 50; i++)
		load_touch_unload(_metadata, i);
	free_after = settled_free_kb();
	unevictable_after = meminfo_kb("Unevictable:");
	printf("# free (MemFree + per-CPU lists): %ld kB after 10 rounds, %ld kB after 50; Unevictable: %ld kB, %ld kB\n",
	       free_before, free_after, unevictable_before, unevictable_after);
	EXPECT_GT(256, unevictable_after - unevictable_before);
	if (!klog_has("KernelAddressSanitizer initialized"))
		EXPECT_GT(1024, free_before - free_after);
}

/* Invalid parameters make the load fail, with a message in the log. */
TEST_F(mod, bad_parameters_fail_the_load_with_a_message)
{
	static const struct { const char *params; const char *message; } bad[] = {
		{ "size=12abc", "size=12abc: expected bytes" },
		{ "size=-4096", "size=-4096: expected bytes" },
		{ "max_size=lots", "max_size=lots: expected bytes" },
		{ "size=99999999999999999999999", "size=99999999999999999999999: expected bytes" },
		{ "size=18014398509481984K", "size=18014398509481984K: does not fit in 64 bits" },
		{ "size=9007199254740992K", "size=9007199254740992K: larger than the largest file size" },
		{ "devices=0", "devices=0: must be between 1 and 64" },
		{ "devices=65", "devices=65: must be between 1 and 64" },
		{ "size=2G", "size=2147483648 is larger than max_size=1073741824" },
		{ "size=8M max_size=4M", "size=8388608 is larger than max_size=4194304" },
		{ "max_total_size=1x", "max_total_size=1x: expected bytes" },
		{ "huge=sometimes", "huge=sometimes: expected never, always or within_size" },
		{ "huge=", "huge=: expected never, always or within_size" },
		{ "devices=64 size=1G max_size=1G max_total_size=8G",
		  "devices=64 x size=1073741824 exceeds max_total_size=8589934592" },
	};
	unsigned int i;

	ASSERT_EQ(0, unload());
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err = load(bad[i].params);

		EXPECT_TRUE(err == -EINVAL || err == -ERANGE)
			TH_LOG("'%s' gave %d", bad[i].params, err);
		EXPECT_FALSE(loaded()) TH_LOG("'%s' loaded", bad[i].params);
		EXPECT_TRUE(klog_has(bad[i].message))
			TH_LOG("no '%s' in the kernel log", bad[i].message);
		if (loaded())
			unload();
	}
	/* Nothing was left behind: a good load still works. */
	EXPECT_EQ(0, load(""));
	EXPECT_EQ(0, access(FM_DEV, F_OK));
}

/*
 * The node is 0600: another user cannot open it until access is granted
 * (by a udev rule in real life, by chmod here).
 */
TEST_F(mod, unprivileged_users_need_a_grant)
{
	int status;
	pid_t pid;

	for (int grant = 0; grant < 2; grant++) {
		if (grant)
			ASSERT_EQ(0, chmod(FM_DEV, 0666));
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			int fd;
			char *map;

			if (setgid(65534) || setuid(65534))
				_exit(10);
			fd = open(FM_DEV, O_RDWR);
			if (!grant)
				_exit(fd < 0 && errno == EACCES ? 0 : 1);
			if (fd < 0) {
				fprintf(stderr, "open as nobody: %s\n", strerror(errno));
				_exit(2);
			}
			map = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				   MAP_SHARED, fd, 0);
			if (map == MAP_FAILED)
				_exit(3);
			map[0] = 'u';
			_exit(0);
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_EQ(0, status) TH_LOG("grant=%d", grant);
	}
	chmod(FM_DEV, 0600);
}

TEST_HARNESS_MAIN
