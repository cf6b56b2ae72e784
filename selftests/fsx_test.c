// SPDX-License-Identifier: GPL-2.0-only
/*
 * The differential exerciser (userspace/fsx/) on this kernel: random
 * reads, writes, mapping loads and stores, splices, seeks, resizes and
 * punches applied to /dev/faultmem0 and to a tmpfs file, every answer and
 * byte compared. With small pages, and with huge=always on the device and
 * on a huge tmpfs. The seed is new every run and printed, so a failure
 * here names the command that replays it.
 */
#include <sys/mount.h>
#include <time.h>

#include "faultmem_cli.h"

#define HUGE_MOUNT	"/tmp/faultmem-fsx-huge"
#define FSX		"/faultmem/bin/faultmem-fsx"

FIXTURE(fsx) {
	int fd;
	off_t initial;
	char file[64];
};

FIXTURE_VARIANT(fsx) {
	int huge;
};

FIXTURE_VARIANT_ADD(fsx, small) { .huge = 0 };
FIXTURE_VARIANT_ADD(fsx, huge) { .huge = 1 };

FIXTURE_SETUP(fsx)
{
	self->fd = fm_open(O_RDWR);
	self->initial = lseek(self->fd, 0, SEEK_END);
	snprintf(self->file, sizeof(self->file), "/dev/shm/faultmem-fsx");
	if (!variant->huge)
		return;
	if (access("/sys/kernel/mm/transparent_hugepage", F_OK))
		SKIP(return, "kernel without transparent huge pages");
	ASSERT_EQ(0, fm_sysfs_write("huge", "always"));
	mkdir(HUGE_MOUNT, 0755);
	ASSERT_EQ(0, mount("tmpfs", HUGE_MOUNT, "tmpfs", 0,
			   "huge=always,size=64M"));
	snprintf(self->file, sizeof(self->file), "%s/file", HUGE_MOUNT);
}

FIXTURE_TEARDOWN(fsx)
{
	unlink(self->file);
	if (variant->huge) {
		fm_sysfs_write("huge", "never");
		umount(HUGE_MOUNT);
	}
	fm_punch_all(self->fd);
	fm_set_size(self->fd, self->initial);
	close(self->fd);
}

/* The seconds a variant runs: a third of FAULTMEM_STRESS_SECONDS, 5 to 20. */
static long fsx_seconds(void)
{
	const char *env = getenv("FAULTMEM_STRESS_SECONDS");
	long seconds = env ? atol(env) / 3 : 20;

	return seconds < 5 ? 5 : seconds > 20 ? 20 : seconds;
}

/* What the exerciser counted, from the line after "agreed"; 0 if absent. */
struct fsx_counts {
	unsigned long long by_sysfs, refused, busy, probes;
};

static int fsx_read_counts(const char *out, struct fsx_counts *c)
{
	const char *line = strstr(out, "agreed\nfaultmem-fsx: ");

	memset(c, 0, sizeof(*c));
	return line && sscanf(line, "agreed\nfaultmem-fsx: %llu resizes through sysfs; %llu operations refused (%llu EBUSY), each followed by a check of the counters and the cap (%llu ENOSPC probes)",
			      &c->by_sysfs, &c->refused, &c->busy,
			      &c->probes) == 4;
}

/* The device and tmpfs agree on everything the exerciser tries. */
TEST_F_TIMEOUT(fsx, the_device_answers_as_tmpfs_does, 300)
{
	static char out[16384];
	char cmd[256];
	unsigned long long seed = (unsigned long long)time(NULL) << 16 ^ getpid();
	struct fsx_counts c;
	int status;

	snprintf(cmd, sizeof(cmd), "%s -s %llu -t %ld -S %s -f %s%s 2>&1",
		 FSX, seed, fsx_seconds(), variant->huge ? "8M" : "4M",
		 self->file, variant->huge ? " -H" : "");
	status = fm_run(cmd, out, sizeof(out));
	/* The operation count and seed go to the lane's log either way. */
	printf("# %s", out);
	EXPECT_EQ(0, status) TH_LOG("%s", cmd);
	EXPECT_NE(NULL, strstr(out, "the device and tmpfs agreed"));
	/*
	 * How many resizes go through sysfs, are refused or cut a held folio
	 * is up to the seed (a slow kernel's 5 s may draw none): the test
	 * below counts them from a fixed seed. Every refusal was probed.
	 */
	ASSERT_TRUE(fsx_read_counts(out, &c));
	EXPECT_EQ(c.refused, c.probes);
	if (!variant->huge)
		EXPECT_EQ(0, c.busy);
}

/*
 * Stores, pins, resizes and punches only, from a seed that in 200
 * operations resizes through sysfs a dozen times, is refused past the cap
 * and holds a page of a huge folio and then cuts through that folio a
 * dozen times: the device refuses each cut with EBUSY and nothing moves
 * (main.c). With small pages the same cuts succeed, as on tmpfs.
 */
TEST_F_TIMEOUT(fsx, a_held_folio_refuses_every_cut, 120)
{
	static char out[16384];
	char cmd[256];
	struct fsx_counts c;

	snprintf(cmd, sizeof(cmd), "%s -s 28 -n 200 -o mapwrite,pin,resize,punch -S 8M -f %s%s 2>&1",
		 FSX, self->file, variant->huge ? " -H" : "");
	EXPECT_EQ(0, fm_run(cmd, out, sizeof(out))) TH_LOG("%s", out);
	ASSERT_TRUE(fsx_read_counts(out, &c)) TH_LOG("%s", out);
	EXPECT_LE(5, c.by_sysfs);
	EXPECT_LE(5, c.refused);
	/* The test VM's cap (half its RAM) is below max_size: probed. */
	EXPECT_EQ(c.refused, c.probes);
	/* The harness's EXPECT_*() are if statements: braces for the else. */
	if (variant->huge) {
		EXPECT_LE(5, c.busy);
	} else {
		EXPECT_EQ(0, c.busy);
	}
}

/* A seed and a count name one run: the same run, operation by operation. */
TEST_F_TIMEOUT(fsx, a_seed_replays_the_same_operations, 120)
{
	static char first[65536], again[65536];
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "%s -v -s 4242 -n 300 -S %s -f %s%s 2>&1",
		 FSX, variant->huge ? "8M" : "1M", self->file,
		 variant->huge ? " -H" : "");
	EXPECT_EQ(0, fm_run(cmd, first, sizeof(first))) TH_LOG("%s", first);
	EXPECT_EQ(0, fm_run(cmd, again, sizeof(again))) TH_LOG("%s", again);
	EXPECT_STREQ(first, again);
	EXPECT_NE(NULL, strstr(first, "     300 "));
	EXPECT_NE(NULL, strstr(first, "300 operations, seed 4242"));
}

/* What the exerciser refuses: exit status 2 and a message, nothing done. */
TEST_F(fsx, usage_errors_exit_2)
{
	static const char *const bad[] = {
		"-s x", "-n 0", "-t 0", "-t 86401", "-S 5000", "-S 2G",
		"-c 0", "-o nothing", "-x read,bogus", "extra",
		"-o seek-data -H", "--no-such-option", "-H -S 3M",
	};
	char cmd[256], out[4096];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(cmd, sizeof(cmd), "%s %s -n 1 -f %s 2>&1", FSX,
			 bad[i], self->file);
		EXPECT_EQ(2, fm_run(cmd, out, sizeof(out))) TH_LOG("%s", bad[i]);
		EXPECT_NE(NULL, strstr(out, "Try 'faultmem-fsx --help'."))
			TH_LOG("%s: %s", bad[i], out);
	}
	/* Files that cannot be set up: 2 as well, naming them. */
	snprintf(cmd, sizeof(cmd), "%s -n 1 -d /dev/faultmem-none 2>&1", FSX);
	EXPECT_EQ(2, fm_run(cmd, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "/dev/faultmem-none")) TH_LOG("%s", out);
	snprintf(cmd, sizeof(cmd), "%s -n 1 -f /proc/no-such-dir/file 2>&1",
		 FSX);
	EXPECT_EQ(2, fm_run(cmd, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "/proc/no-such-dir/file")) TH_LOG("%s", out);
}

TEST_HARNESS_MAIN

