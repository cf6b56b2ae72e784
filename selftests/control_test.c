// SPDX-License-Identifier: GPL-2.0-only
/*
 * The control interfaces: /sys/class/misc/faultmem0/ attributes and the
 * ioctls of include/uapi/faultmem.h, with the errors bad input must get
 * (and the guarantee that a rejected request changes nothing).
 */
#include "faultmem_test.h"
#include "kselftest_harness.h"

FIXTURE(ctl) {
	int fd;
	long page;
	off_t initial;
};

FIXTURE_SETUP(ctl)
{
	self->fd = fm_open(O_RDWR);
	self->page = fm_page_size();
	self->initial = lseek(self->fd, 0, SEEK_END);
}

FIXTURE_TEARDOWN(ctl)
{
	fm_set_size(self->fd, self->initial);
	close(self->fd);
}

TEST_F(ctl, sysfs_size_reads_and_writes)
{
	EXPECT_EQ(self->initial, fm_sysfs_read("size"));
	EXPECT_EQ(0, fm_sysfs_write("size", "8192\n"));
	EXPECT_EQ(8192, lseek(self->fd, 0, SEEK_END));
	EXPECT_EQ(8192, fm_sysfs_read("size"));
	EXPECT_EQ(0, fm_sysfs_write("size", "64K"));
	EXPECT_EQ(65536, lseek(self->fd, 0, SEEK_END));
	EXPECT_EQ(0, fm_sysfs_write("size", "2M"));
	EXPECT_EQ(2 << 20, fm_sysfs_read("size"));
	EXPECT_EQ(0, fm_sysfs_write("size", "0"));
	EXPECT_EQ(0, lseek(self->fd, 0, SEEK_END));
}

TEST_F(ctl, sysfs_size_rejects_bad_values_and_changes_nothing)
{
	static const char *const bad[] = {
		"\n", "abc", "-4096", "-1", " 4096", "4096 ", "4096x",
		"4 096", "0x1000", "12KB", "4097", "1.5M", "+4096",
		"99999999999999999999999999", "18446744073709551616",
		"18446744073709551615", "17179869184G", "2G",
	};
	unsigned int i;

	ASSERT_EQ(0, fm_set_size(self->fd, 16 * self->page));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err = fm_sysfs_write("size", bad[i]);

		EXPECT_TRUE(err == -EINVAL || err == -ERANGE || err == -EFBIG)
			TH_LOG("'%s' gave %d", bad[i], err);
		EXPECT_EQ(16 * self->page, fm_sysfs_read("size"));
	}
	/* Above max_size specifically is EFBIG. */
	EXPECT_EQ(-EFBIG, fm_sysfs_write("size", "2G"));
	/* An empty write never reaches the driver; it changes nothing. */
	EXPECT_EQ(0, fm_sysfs_write("size", ""));
	EXPECT_EQ(16 * self->page, fm_sysfs_read("size"));
}

/*
 * The size parser at each edge of its buffer (20 digits: U64_MAX) and of
 * each suffix's range: one digit fewer, exactly as many, one more, with
 * a suffix and a newline, and the largest and smallest values each form
 * takes. Leading zeroes make long strings of small values, so the length
 * and the value are tried apart.
 */
TEST_F(ctl, sysfs_size_parser_at_every_boundary)
{
	static const struct { const char *value; int err; long long size; } cases[] = {
		{ "0000000000000008192", 0, 8192 },		/* 19 digits */
		{ "00000000000000012288", 0, 12288 },		/* 20 */
		{ "000000000000000016384", -EINVAL, 0 },	/* 21 */
		{ "00000000000000020480\n", 0, 20480 },		/* 20 and \n */
		{ "000000000000000020480\n", -EINVAL, 0 },
		{ "00000000000000000028K", 0, 28672 },		/* 20 and K */
		{ "000000000000000000028K", -EINVAL, 0 },
		{ "00000000000000000032K\n", 0, 32768 },
		{ "18446744073709551615", -EFBIG, 0 },		/* U64_MAX */
		{ "18446744073709551616", -ERANGE, 0 },
		{ "99999999999999999999", -ERANGE, 0 },
		{ "18014398509481983K", -EFBIG, 0 },		/* U64_MAX >> 10 */
		{ "18014398509481984K", -ERANGE, 0 },
		{ "17592186044415M", -EFBIG, 0 },		/* U64_MAX >> 20 */
		{ "17592186044416M", -ERANGE, 0 },
		{ "17179869183G", -EFBIG, 0 },			/* U64_MAX >> 30 */
		{ "17179869184G", -ERANGE, 0 },
		{ "0K", 0, 0 },					/* the smallest */
		{ "0", 0, 0 },
		{ "K", -EINVAL, 0 },
	};
	long long max = fm_sysfs_read("max_size");
	char value[32];
	unsigned int i;

	ASSERT_LT(0, max);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ASSERT_EQ(0, fm_set_size(self->fd, 4 * self->page));
		EXPECT_EQ(cases[i].err, fm_sysfs_write("size", cases[i].value))
			TH_LOG("'%s'", cases[i].value);
		EXPECT_EQ(cases[i].err ? 4 * self->page : cases[i].size,
			  fm_sysfs_read("size")) TH_LOG("'%s'", cases[i].value);
	}
	/* Past max_size is EFBIG (max_size itself: module_test). */
	snprintf(value, sizeof(value), "%lld", max + self->page);
	EXPECT_EQ(-EFBIG, fm_sysfs_write("size", value));
	EXPECT_EQ(4 * self->page, fm_sysfs_read("size"));
}

/*
 * The huge attribute's words at their edges: one letter short, exact,
 * one letter more, with one newline and with two. Without transparent
 * huge pages (PREEMPT_RT) a policy other than never is EOPNOTSUPP.
 */
TEST_F(ctl, sysfs_huge_words_at_their_boundaries)
{
	int thp = access("/sys/kernel/mm/transparent_hugepage", F_OK) == 0;
	/* huge: 0 never, 1 always, 2 within_size, -1 refused. */
	static const struct { const char *value; int huge; } cases[] = {
		{ "neve", -1 }, { "never", 0 }, { "nevers", -1 },
		{ "never\n", 0 }, { "never\n\n", -1 },
		{ "alway", -1 }, { "always", 1 }, { "alwayss", -1 },
		{ "always\n", 1 }, { "within_siz", -1 }, { "within_size", 2 },
		{ "within_sizee", -1 }, { "within_size\n", 2 }, { "\n", -1 },
	};
	static const char *const shown[] = {
		"[never] always within_size\n", "never [always] within_size\n",
		"never always [within_size]\n",
	};
	unsigned int i;
	int want;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ASSERT_EQ(0, fm_sysfs_write("huge", "never"));
		want = cases[i].huge < 0 ? -EINVAL :
		       cases[i].huge && !thp ? -EOPNOTSUPP : 0;
		EXPECT_EQ(want, fm_sysfs_write("huge", cases[i].value))
			TH_LOG("'%s'", cases[i].value);
		/* Taken: the word's policy; refused: never, as before. */
		EXPECT_EQ(0, fm_sysfs_str_is("huge",
					     shown[want ? 0 : cases[i].huge]))
			TH_LOG("'%s'", cases[i].value);
	}
	fm_sysfs_write("huge", "never");
}

/* The read-only attributes refuse every write, even root's, and keep their value. */
TEST_F(ctl, read_only_attributes_refuse_writes)
{
	static const char *const attrs[] = {
		"max_size", "resident_pages", "resident_bytes", "faults",
		"pages_allocated", "existing_page_faults", "sigbus_faults",
		"private_write_faults", "resizes", "holes_punched",
		"fault_around_calls", "huge_folios_allocated", "huge_fallbacks",
		"insert_races",
	};
	static const char *const garbage[] = { "0\n", "123", " ", "-1", "99999999999999999999999" };
	unsigned int i, j;

	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		const char *attr = attrs[i];
		long long before = fm_sysfs_read(attr);

		for (j = 0; j < sizeof(garbage) / sizeof(garbage[0]); j++) {
			const char *value = garbage[j];

			EXPECT_EQ(-EACCES, fm_sysfs_write(attr, value))
				TH_LOG("%s accepted '%s'", attr, value);
		}
		EXPECT_EQ(before, fm_sysfs_read(attr)) TH_LOG("%s", attr);
	}
}

/* Only root may resize through sysfs (the attribute is 0644). */
TEST_F(ctl, sysfs_size_is_root_only)
{
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		_exit(fm_sysfs_write("size", "4096") == -EACCES ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	EXPECT_EQ(self->initial, fm_sysfs_read("size"));
}

TEST_F(ctl, sysfs_counters_match_the_stats_ioctl)
{
	static const struct { const char *name; size_t offset; } attrs[] = {
		{ "max_size", offsetof(struct faultmem_stats, max_size) },
		{ "resident_pages", offsetof(struct faultmem_stats, resident_pages) },
		{ "faults", offsetof(struct faultmem_stats, faults) },
		{ "pages_allocated", offsetof(struct faultmem_stats, pages_allocated) },
		{ "existing_page_faults", offsetof(struct faultmem_stats, existing_page_faults) },
		{ "sigbus_faults", offsetof(struct faultmem_stats, sigbus_faults) },
		{ "private_write_faults", offsetof(struct faultmem_stats, private_write_faults) },
		{ "resizes", offsetof(struct faultmem_stats, resizes) },
		{ "holes_punched", offsetof(struct faultmem_stats, holes_punched) },
		{ "fault_around_calls", offsetof(struct faultmem_stats, fault_around_calls) },
		{ "huge_folios_allocated", offsetof(struct faultmem_stats, huge_folios_allocated) },
		{ "huge_fallbacks", offsetof(struct faultmem_stats, huge_fallbacks) },
		{ "insert_races", offsetof(struct faultmem_stats, insert_races) },
	};
	struct faultmem_stats stats = fm_stats(self->fd);
	unsigned int i;

	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		uint64_t value;

		memcpy(&value, (char *)&stats + attrs[i].offset, sizeof(value));
		EXPECT_EQ((long long)value, fm_sysfs_read(attrs[i].name))
			TH_LOG("%s", attrs[i].name);
	}
	EXPECT_EQ((long long)stats.resident_pages * self->page,
		  fm_sysfs_read("resident_bytes"));
}

/* Each counter moves when, and only when, its event happens. */
TEST_F(ctl, counters_follow_events)
{
	struct faultmem_stats a, b;
	char *map;

	ASSERT_EQ(0, fm_set_size(self->fd, 4 * self->page));
	ASSERT_EQ(0, fm_punch_all(self->fd));
	map = mmap(NULL, 5 * self->page, PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);

	a = fm_stats(self->fd);
	EXPECT_EQ(4 * self->page, a.size);
	EXPECT_EQ(0, a.resident_pages);
	map[0] = 1;						/* new page */
	(void)*(volatile char *)map;				/* no fault */
	EXPECT_EQ(SIGBUS, fm_touch(map + 4 * self->page, 0, 0).signo);
	b = fm_stats(self->fd);
	EXPECT_EQ(a.faults + 2, b.faults);
	EXPECT_EQ(a.pages_allocated + 1, b.pages_allocated);
	EXPECT_EQ(a.existing_page_faults, b.existing_page_faults);
	EXPECT_EQ(a.sigbus_faults + 1, b.sigbus_faults);
	EXPECT_EQ(a.private_write_faults, b.private_write_faults);
	EXPECT_EQ(1, b.resident_pages);
	munmap(map, 5 * self->page);

	map = mmap(NULL, self->page, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		   self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	map[1] = 2;						/* copy-on-write */
	a = fm_stats(self->fd);
	EXPECT_EQ(b.private_write_faults + 1, a.private_write_faults);
	EXPECT_EQ(b.existing_page_faults + 1, a.existing_page_faults);
	munmap(map, self->page);

	ASSERT_EQ(0, fm_punch(self->fd, 0, self->page));
	ASSERT_EQ(0, fm_set_size(self->fd, 2 * self->page));
	b = fm_stats(self->fd);
	EXPECT_EQ(a.holes_punched + 1, b.holes_punched);
	EXPECT_EQ(a.resizes + 1, b.resizes);
	EXPECT_EQ(0, b.resident_pages);
	/* Rejected requests are not counted. */
	EXPECT_EQ(-EINVAL, fm_punch(self->fd, 0, 0));
	EXPECT_EQ(-EINVAL, fm_set_size(self->fd, 1));
	a = fm_stats(self->fd);
	EXPECT_EQ(b.holes_punched, a.holes_punched);
	EXPECT_EQ(b.resizes, a.resizes);
}

TEST_F(ctl, stats_reserved_fields_are_zero)
{
	struct faultmem_stats stats = fm_stats(self->fd);
	unsigned int i;

	for (i = 0; i < sizeof(stats.reserved) / sizeof(stats.reserved[0]); i++)
		EXPECT_EQ(0, stats.reserved[i]);
}

TEST_F(ctl, unknown_ioctls_are_enotty)
{
	static const unsigned long cmds[] = {
		_IO(FAULTMEM_IOC_MAGIC, 0x10),
		_IOR(FAULTMEM_IOC_MAGIC, 0x04, uint64_t),
		_IOW(FAULTMEM_IOC_MAGIC, 0x00, uint64_t),	/* GET with wrong dir */
		_IOR(FAULTMEM_IOC_MAGIC, 0x00, uint32_t),	/* GET with wrong size */
		_IOR('f', 0x00, uint64_t),
		0,
	};
	uint64_t arg = 0;
	unsigned int i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		EXPECT_EQ(-1, ioctl(self->fd, cmds[i], &arg));
		EXPECT_EQ(ENOTTY, errno) TH_LOG("cmd %#lx", cmds[i]);
	}
}

TEST_F(ctl, bad_pointers_are_efault)
{
	void *bad = mmap(NULL, self->page, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, bad);
	EXPECT_EQ(-1, ioctl(self->fd, FAULTMEM_IOC_GET_SIZE, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, FAULTMEM_IOC_SET_SIZE, bad));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, FAULTMEM_IOC_GET_STATS, bad));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, FAULTMEM_IOC_PUNCH_HOLE, bad));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(self->initial, lseek(self->fd, 0, SEEK_END));
	munmap(bad, self->page);
}

/* The uapi structures have the layout the header documents. */
TEST(uapi_layout)
{
	EXPECT_EQ(24, sizeof(struct faultmem_range));
	/* 128 bytes up to 0.5; it only grows at its end (GET_STATS). */
	EXPECT_EQ(160, sizeof(struct faultmem_stats));
	EXPECT_EQ(14 * 8, offsetof(struct faultmem_stats, injected_sigbus));
	EXPECT_EQ(40, sizeof(struct faultmem_residency));
	EXPECT_EQ(104, sizeof(struct faultmem_inject_rule));
	EXPECT_EQ(24, sizeof(struct faultmem_inject_list));
	EXPECT_EQ(32, sizeof(struct faultmem_inject_clear));
	EXPECT_EQ(0xFA, FAULTMEM_IOC_MAGIC);
}

TEST_HARNESS_MAIN
