// SPDX-License-Identifier: GPL-2.0-only
/*
 * The huge-page opt-outs, measured on tmpfs and held to on the device:
 * with huge=always on both (the device's sysfs policy, a tmpfs mount
 * option), a fault through a mapping whose process opted out of huge
 * pages (MADV_NOHUGEPAGE on the mapping, prctl(PR_SET_THP_DISABLE))
 * allocates 4 KiB pages; write(), which has no mapping, still allocates a
 * 2 MiB folio, as on tmpfs even under prctl; and the system setting for
 * anonymous memory (transparent_hugepage/enabled = never) changes neither,
 * as it changes nothing for tmpfs (whose knob is shmem_enabled). Each
 * case runs in a child of its own, so that a prctl() does not outlive it.
 */
#include <sys/mount.h>
#include <sys/prctl.h>

#include "faultmem_test.h"

#define MIB		(1L << 20)
#define HUGE_MOUNT	"/tmp/faultmem-thp-tmpfs"
#define ENABLED		"/sys/kernel/mm/transparent_hugepage/enabled"

FIXTURE(thp) {
	int fd;
	off_t initial;
	char path[64];
	char enabled[64];	/* the setting to restore */
};

FIXTURE_VARIANT(thp) {
	int device;
};

FIXTURE_VARIANT_ADD(thp, device) { .device = 1 };
FIXTURE_VARIANT_ADD(thp, tmpfs) { .device = 0 };

/* The word in brackets of a sysfs choice ("always [madvise] never"). */
static void current_choice(const char *path, char *out, size_t size)
{
	char buf[128] = "", *open_, *close_;
	int fd = open(path, O_RDONLY);

	out[0] = '\0';
	if (fd < 0)
		return;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = '\0';
	close(fd);
	open_ = strchr(buf, '[');
	close_ = open_ ? strchr(open_, ']') : NULL;
	if (close_ && (size_t)(close_ - open_) < size) {
		memcpy(out, open_ + 1, close_ - open_ - 1);
		out[close_ - open_ - 1] = '\0';
	}
}

FIXTURE_SETUP(thp)
{
	self->fd = -1;
	if (access("/sys/kernel/mm/transparent_hugepage", F_OK))
		SKIP(return, "kernel without transparent huge pages");
	current_choice(ENABLED, self->enabled, sizeof(self->enabled));
	if (variant->device) {
		self->fd = fm_open(O_RDWR);
		self->initial = lseek(self->fd, 0, SEEK_END);
		ASSERT_EQ(0, fm_set_size(self->fd, 4 * MIB));
		ASSERT_EQ(0, fm_punch_all(self->fd));
		ASSERT_EQ(0, fm_sysfs_write("huge", "always"));
		return;
	}
	mkdir(HUGE_MOUNT, 0755);
	ASSERT_EQ(0, mount("tmpfs", HUGE_MOUNT, "tmpfs", 0,
			   "huge=always,size=64M"));
	snprintf(self->path, sizeof(self->path), "%s/file", HUGE_MOUNT);
	self->fd = open(self->path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ftruncate(self->fd, 4 * MIB));
}

FIXTURE_TEARDOWN(thp)
{
	if (self->enabled[0])
		fm_write_file(ENABLED, self->enabled);
	if (self->fd < 0)
		return;
	if (variant->device) {
		fm_sysfs_write("huge", "never");
		fm_punch_all(self->fd);
		fm_set_size(self->fd, self->initial);
		close(self->fd);
		return;
	}
	close(self->fd);
	unlink(self->path);
	umount(HUGE_MOUNT);
}

/* kB of 2 MiB folios the file holds: the device's counter, or tmpfs's. */
static long huge_kb(int fd, int device)
{
	char line[128];
	long kb = -1;
	FILE *f;

	if (device)
		return fm_stats(fd).huge_folios_allocated * 2048;
	f = fopen("/proc/meminfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "ShmemHugePages:", 15))
			kb = atol(line + 15);
	fclose(f);
	return kb;
}

enum how { FAULT, FAULT_NOHUGEPAGE, FAULT_PRCTL, WRITE, WRITE_PRCTL };

/*
 * In a child: opt out as @how says, touch the first byte of the second
 * 2 MiB block by a fault or by pwrite(), and report whether a 2 MiB
 * folio was allocated (1) or not (0); -1 on error.
 */
static int touch_allocates_huge(int fd, int device, enum how how)
{
	int status;
	pid_t child = fork();

	if (child < 0)
		return -1;
	if (!child) {
		long before = huge_kb(fd, device);
		char *map;

		if ((how == FAULT_PRCTL || how == WRITE_PRCTL) &&
		    prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0))
			_exit(3);
		map = fm_mmap_aligned(4 * MIB, 2 * MIB, PROT_READ | PROT_WRITE,
				      MAP_SHARED, fd, 0);
		if (map == MAP_FAILED)
			_exit(3);
		if (how == FAULT_NOHUGEPAGE &&
		    madvise(map, 4 * MIB, MADV_NOHUGEPAGE))
			_exit(3);
		if (how <= FAULT_PRCTL)
			map[2 * MIB] = 1;
		else if (pwrite(fd, "w", 1, 2 * MIB) != 1)
			_exit(3);
		_exit(huge_kb(fd, device) - before >= 2048 ? 1 : 0);
	}
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status) <= 1 ? WEXITSTATUS(status) : -1;
}

TEST_F(thp, a_fault_allocates_a_huge_folio)
{
	FM_RETURN_IF_SKIPPED();
	EXPECT_EQ(1, touch_allocates_huge(self->fd, variant->device, FAULT));
}

TEST_F(thp, madv_nohugepage_on_the_mapping_gives_small_pages)
{
	FM_RETURN_IF_SKIPPED();
	EXPECT_EQ(0, touch_allocates_huge(self->fd, variant->device,
					  FAULT_NOHUGEPAGE));
	/* The page is there, small. */
	EXPECT_EQ(1, pread(self->fd, (char[1]){ 0 }, 1, 2 * MIB));
}

TEST_F(thp, prctl_thp_disable_gives_small_pages_to_faults)
{
	FM_RETURN_IF_SKIPPED();
	EXPECT_EQ(0, touch_allocates_huge(self->fd, variant->device,
					  FAULT_PRCTL));
}

TEST_F(thp, write_allocates_a_huge_folio_even_under_prctl)
{
	FM_RETURN_IF_SKIPPED();
	EXPECT_EQ(1, touch_allocates_huge(self->fd, variant->device, WRITE));
	ASSERT_EQ(0, variant->device ? fm_punch_all(self->fd) :
		  ftruncate(self->fd, 0) || ftruncate(self->fd, 4 * MIB));
	EXPECT_EQ(1, touch_allocates_huge(self->fd, variant->device,
					  WRITE_PRCTL));
}

TEST_F(thp, the_anonymous_memory_setting_changes_nothing)
{
	FM_RETURN_IF_SKIPPED();
	ASSERT_EQ(0, fm_write_file(ENABLED, "never"));
	EXPECT_EQ(1, touch_allocates_huge(self->fd, variant->device, FAULT));
}

TEST_HARNESS_MAIN
