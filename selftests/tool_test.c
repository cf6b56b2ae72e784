// SPDX-License-Identifier: GPL-2.0-only
/*
 * The faultmem tool and faultmem-bench as a user meets them (issue #16):
 * every argument is checked (junk, a missing value, a second device are
 * usage errors, exit status 2, naming the argument), `stat -w` shows
 * falling values as negative rates, `map -w` redraws in place, the trace
 * filter knows a device by its node, not its name, UTF-8 follows the
 * locale, EBUSY gets its explanation, and the bench measures the device
 * it is given and leaves it as it found it.
 */
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "faultmem_test.h"
#include "faultmem_cli.h"

#define MIB		(1L << 20)
#define TRACEFS		"/sys/kernel/tracing/"
#define BENCH		"/faultmem/bin/faultmem-bench"

/* 1 if the tool's output is a usage error that names @arg. */
static int usage_error_naming(const char *out, const char *arg)
{
	return strstr(out, arg) && strstr(out, "Try 'faultmem --help'");
}

/*
 * The profile's row for allocations of @bytes, named as the tool names
 * folio sizes ("alloc_4KiB", "alloc_2MiB", "alloc_32MiB"), into @buf.
 */
static const char *alloc_row(long bytes, char *buf, size_t size)
{
	long kib = bytes / 1024;

	if (kib >= 1024 && kib % 1024 == 0)
		snprintf(buf, size, "alloc_%ldMiB", kib / 1024);
	else
		snprintf(buf, size, "alloc_%ldKiB", kib);
	return buf;
}

FIXTURE(tool) {
	int fd;
	long page;
	off_t initial;
};

FIXTURE_SETUP(tool)
{
	/*
	 * Not inherited by the programs the tests start: busybox timeout's
	 * watcher outlives the tool by up to a second, and with this
	 * descriptor it would keep the module from being unloaded.
	 */
	self->fd = fm_open(O_RDWR | O_CLOEXEC);
	self->page = fm_page_size();
	self->initial = lseek(self->fd, 0, SEEK_END);
	ASSERT_EQ(0, fm_set_size(self->fd, 32 * self->page));
	ASSERT_EQ(0, fm_punch_all(self->fd));
}

FIXTURE_TEARDOWN(tool)
{
	fm_write_file(TRACEFS "events/faultmem/faultmem_fault/enable", "0");
	unlink("/tmp/faultmem-link");
	fm_sysfs_write("huge", "never");
	fm_punch_all(self->fd);
	fm_set_size(self->fd, self->initial);
	close(self->fd);
}

/*
 * Numbers are whole decimal arguments: "1x", "abc", " 1", "+1", "-1",
 * "0x10" and the like are usage errors naming the argument (atoi()
 * made "1x" one second and "abc" a count of 0, which showed nothing and
 * exited 0).
 */
TEST_F(tool, junk_numbers_are_usage_errors)
{
	static const char *const junk[][2] = {
		{ "stat -w -i 1x 0", "'1x'" },
		{ "stat -w -i abc 0", "'abc'" },
		{ "stat -w -i -1 0", "'-1'" },
		{ "stat -w -i 0 0", "'0'" },
		{ "stat -w -i 0.05 0", "'0.05'" },
		{ "map -w -i 2s 0", "'2s'" },
		{ "map --width 16x 0", "'16x'" },
		{ "map --width 0x10 0", "'0x10'" },
		{ "map --width ' 16' 0", "' 16'" },
		{ "map --width 7 0", "'7'" },
		{ "trace -n abc 0", "'abc'" },
		{ "trace -n 3x 0", "'3x'" },
		{ "trace -n -1 0", "'-1'" },
		{ "trace -n 0 0", "'0'" },
		{ "touch 0 +1", "'+1'" },
		{ "touch 0 ' 1'", "' 1'" },
		{ "resize 0 ' 64K'", "' 64K'" },
		{ "resize 0 +64K", "'+64K'" },
		{ "punch 0 -4096 4096", "'-4096'" },
	};
	char out[4096];
	unsigned int i;

	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		EXPECT_EQ(2, run_cli_env("", junk[i][0], out, sizeof(out)))
			TH_LOG("faultmem %s: %s", junk[i][0], out);
		EXPECT_TRUE(usage_error_naming(out, junk[i][1]))
			TH_LOG("faultmem %s: %s", junk[i][0], out);
	}
	/* Nothing ran: the device is as it was. */
	EXPECT_EQ(32 * self->page, lseek(self->fd, 0, SEEK_END));
	EXPECT_EQ(0, fm_stats(self->fd).resident_pages);
}

/* A bare "-i" or "--width" is a missing value, not an unknown option. */
TEST_F(tool, a_missing_value_is_named)
{
	static const char *const bare[][2] = {
		{ "stat -w -i", "'-i'" },
		{ "map -w -n", "'-n'" },
		{ "map --width", "'--width'" },
		{ "trace -n", "'-n'" },
	};
	char out[4096];
	unsigned int i;

	for (i = 0; i < sizeof(bare) / sizeof(bare[0]); i++) {
		EXPECT_EQ(2, run_cli_env("", bare[i][0], out, sizeof(out)))
			TH_LOG("faultmem %s: %s", bare[i][0], out);
		EXPECT_NE(NULL, strstr(out, "needs a value"))
			TH_LOG("faultmem %s: %s", bare[i][0], out);
		EXPECT_TRUE(usage_error_naming(out, bare[i][1]))
			TH_LOG("faultmem %s: %s", bare[i][0], out);
	}
}

/*
 * One DEVICE per command: a second one is refused, naming both (stat and
 * map used to show the last one, silently), and -i or -n without -w,
 * which would do nothing, too.
 */
TEST_F(tool, one_device_per_command)
{
	static const char *const twice[] = {
		"stat 0 /dev/faultmem0", "map 0 /dev/faultmem0",
		"trace 0 /dev/faultmem0",
	};
	char out[4096];
	unsigned int i;

	for (i = 0; i < sizeof(twice) / sizeof(twice[0]); i++) {
		EXPECT_EQ(2, run_cli_env("", twice[i], out, sizeof(out)))
			TH_LOG("faultmem %s: %s", twice[i], out);
		EXPECT_NE(NULL, strstr(out, "one DEVICE only ('0', then '/dev/faultmem0')"))
			TH_LOG("faultmem %s: %s", twice[i], out);
	}
	EXPECT_EQ(2, run_cli_env("", "stat -i 2 0", out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "-i and -n go with -w")) TH_LOG("%s", out);
	EXPECT_EQ(2, run_cli_env("", "map -n 2 0", out, sizeof(out))) TH_LOG("%s", out);
}

/*
 * Options are parsed by getopt_long() (issue #23): a value joined to its
 * option ("-n5", "--width=16") or bundled short options ("-wn2") mean
 * what the separate words mean, and an option after DEVICE (stat, map)
 * too.
 */
TEST_F(tool, joined_values_and_bundled_options_are_accepted)
{
	static const char *const same[][2] = {
		{ "map --ascii --width 16 0", "map --ascii --width=16 0" },
		{ "map --ascii --width 16 0", "map 0 --width=16 --ascii" },
		{ "map --ascii --width 16 0", "map --asc --wid=16 0" },
		{ "map --ascii -w -n 1 0", "map --ascii -wn1 0" },
		{ "stat -w -i 0.2 -n 2 0", "stat -wi0.2 -n2 0" },
		{ "stat -w -i 0.2 -n 2 0", "stat 0 -wn 2 -i 0.2" },
		{ "info 0", "info -- 0" },
	};
	char want[8192], out[8192];
	unsigned int i;

	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		ASSERT_EQ(0, run_cli_env("LANG=C LC_ALL=", same[i][0], want, sizeof(want)))
			TH_LOG("faultmem %s: %s", same[i][0], want);
		EXPECT_EQ(0, run_cli_env("LANG=C LC_ALL=", same[i][1], out, sizeof(out)))
			TH_LOG("faultmem %s: %s", same[i][1], out);
		/* stat's rates differ from run to run; the frames and rows do not. */
		if (!strncmp(same[i][0], "stat", 4)) {
			EXPECT_EQ(2, occurrences(out, "\033[H\033[2J")) TH_LOG("%s", out);
			EXPECT_EQ(2, occurrences(out, "\ninsert_races ")) TH_LOG("%s", out);
			EXPECT_EQ(2, occurrences(out, "every 0.2 s")) TH_LOG("%s", out);
			continue;
		}
		EXPECT_STREQ(want, out) TH_LOG("faultmem %s", same[i][1]);
		/* One cell a page, 16 a row: two rows for the 32 pages. */
		if (strstr(same[i][0], "--width 16"))
			EXPECT_NE(NULL, strstr(out, "\n      16 ")) TH_LOG("%s", out);
	}
}

/*
 * The joined and bundled forms are as strict as the separate ones: junk
 * is still a usage error naming the value, exit status 2, and an option
 * refused is named as it was written.
 */
TEST_F(tool, joined_and_bundled_junk_is_still_refused)
{
	static const char *const junk[][2] = {
		{ "map --width=7 0", "'7'" },
		{ "map --width= 0", "''" },
		{ "map --width=16x 0", "'16x'" },
		{ "stat -wi1x 0", "'1x'" },
		{ "stat -wn0 0", "'0'" },
		{ "stat -wn-1 0", "'-1'" },
		{ "map -wi0.05 0", "'0.05'" },
		{ "trace -n0 0", "'0'" },
		{ "trace -n3x 0", "'3x'" },
		{ "map --ascii=1 0", "'--ascii' takes no value" },
		{ "map --bogus 0", "'--bogus'" },
		{ "stat -wx 0", "'-x'" },
		{ "stat --help=1", "'--help' takes no value" },
		{ "info --bogus 0", "'--bogus'" },
		{ "resize -x 0 64K", "'-x'" },
		{ "punch 0 4096 -4096", "'-4096'" },
		{ "touch -rx 0 1", "'-x'" },
		{ "touch -r 0 -1", "'-1'" },
		{ "run -d", "'-d' needs a value" },
		{ "run -d0 -d1 -- true", "one DEVICE only ('0', then '1')" },
		{ "run --bogus -- true", "'--bogus'" },
		{ "stat -i2 0", "-i and -n go with -w" },
	};
	char out[4096];
	unsigned int i;

	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		EXPECT_EQ(2, run_cli_env("", junk[i][0], out, sizeof(out)))
			TH_LOG("faultmem %s: %s", junk[i][0], out);
		EXPECT_TRUE(usage_error_naming(out, junk[i][1]))
			TH_LOG("faultmem %s: %s", junk[i][0], out);
	}
	EXPECT_EQ(32 * self->page, lseek(self->fd, 0, SEEK_END));
	EXPECT_EQ(0, fm_stats(self->fd).resident_pages);
}

/* Run the tool with @args, its stdout alone into @out: the exit status. */
static int run_cli_stdout(const char *args, char *out, size_t size)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "%s %s 2>/dev/null", cli(), args);
	return fm_run(cmd, out, size);
}

/*
 * faultmem help CMD, faultmem CMD --help and faultmem CMD -h print that
 * command's own usage (not the global one), the same text, on stdout, and
 * exit 0; faultmem help and --help the global usage. stat --help used to
 * print the global usage.
 */
TEST_F(tool, help_prints_the_commands_own_usage)
{
	static const char *const commands[] = {
		"info", "resize", "punch", "stat", "map", "trace", "touch", "run",
		"inject",
	};
	char want[8192], out[8192], args[64], start[64];
	unsigned int i, f;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const char *forms[] = { "%s --help", "%s -h", "%s 0 --help" };

		snprintf(args, sizeof(args), "help %s", commands[i]);
		ASSERT_EQ(0, run_cli_stdout(args, want, sizeof(want))) TH_LOG("%s", want);
		snprintf(start, sizeof(start), "usage: faultmem %s ", commands[i]);
		EXPECT_EQ(0, strncmp(want, start, strlen(start)))
			TH_LOG("faultmem help %s: %s", commands[i], want);
		EXPECT_EQ(NULL, strstr(want, "usage: faultmem COMMAND")) TH_LOG("%s", want);
		/* stat, map and trace take options after DEVICE too. */
		for (f = 0; f < (strcmp(commands[i], "stat") && strcmp(commands[i], "map") &&
				 strcmp(commands[i], "trace") ? 2 : 3); f++) {
			snprintf(args, sizeof(args), forms[f], commands[i]);
			EXPECT_EQ(0, run_cli_stdout(args, out, sizeof(out)))
				TH_LOG("faultmem %s: %s", args, out);
			EXPECT_STREQ(want, out) TH_LOG("faultmem %s", args);
		}
	}
	/* The command's options are in its usage. */
	ASSERT_EQ(0, run_cli_stdout("map --help", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "--width N")) TH_LOG("%s", out);
	EXPECT_EQ(NULL, strstr(out, "inject [")) TH_LOG("%s", out);
	ASSERT_EQ(0, run_cli_stdout("help", want, sizeof(want)));
	EXPECT_EQ(0, strncmp(want, "usage: faultmem COMMAND", 23)) TH_LOG("%s", want);
	EXPECT_NE(NULL, strstr(want, "  help   [COMMAND]")) TH_LOG("%s", want);
	EXPECT_EQ(0, run_cli_stdout("--help", out, sizeof(out)));
	EXPECT_STREQ(want, out);
	EXPECT_EQ(0, run_cli_stdout("-h", out, sizeof(out)));
	EXPECT_STREQ(want, out);
	/* A help for no such command is a usage error. */
	EXPECT_EQ(2, run_cli_env("", "help frobnicate", out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_TRUE(usage_error_naming(out, "'frobnicate'")) TH_LOG("%s", out);
	EXPECT_EQ(2, run_cli_env("", "help stat map", out, sizeof(out))) TH_LOG("%s", out);
}

/* The "per s" column of the row @name in the frame starting at @frame. */
static int rate_of(const char *frame, const char *name, long long *rate)
{
	char want[64];
	const char *line;

	snprintf(want, sizeof(want), "\n%s ", name);
	line = strstr(frame, want);
	return line && sscanf(line + strlen(want), "%*u %lld", rate) == 1 ? 0 : -1;
}

/*
 * stat -w: after a shrink from 32 to 16 pages and a punch of the 8
 * resident ones, size and resident_pages fall, and their rates are
 * negative: at most the drop, at least one unit, per second (unsigned,
 * the difference was some 1.8e19 per second). SIGINT ends it with 0.
 */
TEST_F(tool, stat_watch_shows_falling_values_as_negative_rates)
{
	char out[16384], *second;
	long long rate;
	pid_t pid;
	int fd;

	ASSERT_EQ(0, run_cli("touch 0 0 1 2 3 4 5 6 7", out, sizeof(out))) TH_LOG("%s", out);
	fd = start_cli((const char *[]){ "stat", "-w", "-i", "1", "0", NULL },
		       "insert_races", &pid, out, sizeof(out));
	ASSERT_LE(0, fd) TH_LOG("stat -w did not start: %s", out);
	ASSERT_EQ(0, fm_punch(self->fd, 0, 8 * self->page));
	ASSERT_EQ(0, fm_set_size(self->fd, 16 * self->page));
	EXPECT_EQ(0, read_until_nth(fd, out, sizeof(out), "insert_races", 2, 60))
		TH_LOG("no second frame: %s", out);
	ASSERT_EQ(0, kill(pid, SIGINT));
	EXPECT_EQ(0, finish_cli(pid, fd, out, sizeof(out))) TH_LOG("%s", out);

	second = strstr(strstr(out, "\033[H\033[2J") + 1, "\033[H\033[2J");
	ASSERT_NE(NULL, second) TH_LOG("%s", out);
	ASSERT_EQ(0, rate_of(second, "size", &rate)) TH_LOG("%s", second);
	EXPECT_LE(-16 * self->page, rate) TH_LOG("%s", second);
	EXPECT_GE(-1, rate) TH_LOG("%s", second);
	ASSERT_EQ(0, rate_of(second, "resident_pages", &rate)) TH_LOG("%s", second);
	EXPECT_LE(-8, rate) TH_LOG("%s", second);
	EXPECT_GE(-1, rate) TH_LOG("%s", second);
}

/* stat -w -n COUNT: exactly COUNT frames, then exit 0; SEC may have decimals. */
TEST_F(tool, stat_watch_stops_after_count_frames)
{
	char out[16384];

	EXPECT_EQ(0, run_cli_env("", "stat -w -i 0.2 -n 3 0", out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_EQ(3, occurrences(out, "\033[H\033[2J")) TH_LOG("%s", out);
	EXPECT_EQ(3, occurrences(out, "every 0.2 s")) TH_LOG("%s", out);
	EXPECT_EQ(3, occurrences(out, "\ninsert_races ")) TH_LOG("%s", out);
}

/*
 * map -w redraws the grid in place (cursor home, clear) with its summary:
 * a page written between two frames shows in the second. -n 2 ends it
 * with 0; without -n, SIGINT does.
 */
TEST_F(tool, map_watch_redraws_the_fill_live)
{
	char out[16384], *second;
	pid_t pid;
	int fd;

	fd = start_cli((const char *[]){ "map", "-w", "-i", "1", "-n", "2",
					 "--ascii", "--width", "16", "0", NULL },
		       "pages resident", &pid, out, sizeof(out));
	ASSERT_LE(0, fd) TH_LOG("map -w did not start: %s", out);
	EXPECT_NE(NULL, strstr(out, "0 of 32 pages resident")) TH_LOG("%s", out);
	ASSERT_EQ(1, pwrite(self->fd, "x", 1, 5 * self->page));
	EXPECT_EQ(0, finish_cli(pid, fd, out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_EQ(2, occurrences(out, "\033[H\033[2J")) TH_LOG("%s", out);
	EXPECT_EQ(0, strncmp(out, "\033[H\033[2J/dev/faultmem0, every 1 s", 32)) TH_LOG("%s", out);
	second = strstr(out + 1, "\033[H\033[2J");
	ASSERT_NE(NULL, second) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(second, "       0 .....#..........\n")) TH_LOG("%s", second);
	EXPECT_NE(NULL, strstr(second, "1 of 32 pages resident")) TH_LOG("%s", second);
	EXPECT_NE(NULL, strstr(second, "legend:")) TH_LOG("%s", second);

	fd = start_cli((const char *[]){ "map", "-w", "--ascii", "0", NULL },
		       "pages resident", &pid, out, sizeof(out));
	ASSERT_LE(0, fd) TH_LOG("map -w did not start: %s", out);
	ASSERT_EQ(0, kill(pid, SIGINT));
	EXPECT_EQ(0, finish_cli(pid, fd, out, sizeof(out)))
		TH_LOG("map -w did not exit cleanly on SIGINT: %s", out);
}

/*
 * Block characters only in a UTF-8 locale, chosen as the C library does:
 * LC_ALL over LC_CTYPE over LANG (LANG alone decided before).
 */
TEST_F(tool, map_takes_utf8_from_the_locale)
{
	static const struct {
		const char *env;
		int utf8;
	} cases[] = {
		{ "LC_ALL=C LC_CTYPE= LANG=C.UTF-8", 0 },
		{ "LC_ALL= LC_CTYPE=C.UTF-8 LANG=C", 1 },
		{ "LC_ALL=C.UTF-8 LC_CTYPE=C LANG=C", 1 },
		{ "LC_ALL= LC_CTYPE= LANG=C.UTF-8", 1 },
		{ "LC_ALL= LC_CTYPE= LANG=", 0 },
	};
	char out[8192];
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		EXPECT_EQ(0, run_cli_env(cases[i].env, "map --width 16 0", out, sizeof(out)))
			TH_LOG("%s: %s", cases[i].env, out);
		EXPECT_EQ(cases[i].utf8, strstr(out, "legend: \u2588 resident") != NULL)
			TH_LOG("%s: %s", cases[i].env, out);
		EXPECT_EQ(!cases[i].utf8, strstr(out, "legend: # resident") != NULL)
			TH_LOG("%s: %s", cases[i].env, out);
	}
}

/*
 * EBUSY from a resize or a punch (a 2 MiB folio across the cut, pinned
 * by vmsplice() into a pipe) gets the explanation of docs/troubleshooting.md, exit 1, and
 * nothing changed.
 */
TEST_F(tool, busy_resize_and_punch_say_why)
{
	char out[4096], args[128], *buf, *map;
	uint64_t huge_before;
	struct iovec iov;
	int pipefd[2];

	if (access("/sys/kernel/mm/transparent_hugepage", F_OK))
		SKIP(return, "kernel without transparent huge pages");
	ASSERT_EQ(0, fm_sysfs_write("huge", "always"));
	ASSERT_EQ(0, fm_set_size(self->fd, 4 * MIB));
	huge_before = fm_stats(self->fd).huge_folios_allocated;
	buf = malloc(4 * MIB);
	ASSERT_NE(NULL, buf);
	memset(buf, 'f', 4 * MIB);
	ASSERT_EQ(4 * MIB, pwrite(self->fd, buf, 4 * MIB, 0));
	free(buf);
	/* Two 2 MiB folios: the cut at 3 MiB + 4 KiB must split the second. */
	ASSERT_EQ(huge_before + 2, fm_stats(self->fd).huge_folios_allocated);
	map = mmap(NULL, 4 * MIB, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, pipe(pipefd));
	iov.iov_base = map + 3 * MIB;
	iov.iov_len = 64;
	ASSERT_EQ(64, vmsplice(pipefd[1], &iov, 1, 0));

	snprintf(args, sizeof(args), "resize 0 %ld", 3 * MIB + self->page);
	EXPECT_EQ(1, run_cli_env("", args, out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "Device or resource busy")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "is pinned")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "nothing changed")) TH_LOG("%s", out);
	EXPECT_EQ(4 * MIB, lseek(self->fd, 0, SEEK_END));
	snprintf(args, sizeof(args), "punch 0 %ld %ld", 2 * MIB + self->page, self->page);
	EXPECT_EQ(1, run_cli_env("", args, out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "is pinned")) TH_LOG("%s", out);
	EXPECT_EQ(4 * MIB / self->page, fm_stats(self->fd).resident_pages);

	close(pipefd[0]);
	close(pipefd[1]);
	munmap(map, 4 * MIB);
}

/*
 * The trace filter knows the device by its node: through a symlink (what
 * udev rules create) it still shows the device's events (the basename
 * "faultmem-link" matched none); a node that is not faultmem's is refused.
 */
TEST_F(tool, trace_follows_a_symlink_to_the_node)
{
	char out[8192], *map;
	pid_t pid;
	int fd;

	if (access(TRACEFS "events/faultmem", F_OK))
		SKIP(return, "no tracefs or no faultmem events");
	ASSERT_EQ(0, symlink("/dev/faultmem0", "/tmp/faultmem-link"));
	map = mmap(NULL, 4 * self->page, PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	fd = start_cli((const char *[]){ "trace", "-n", "1", "/tmp/faultmem-link", NULL },
		       "tracing faultmem events of faultmem0", &pid, out, sizeof(out));
	ASSERT_LE(0, fd) TH_LOG("the tracer did not start: %s", out);
	map[self->page] = 1;
	EXPECT_EQ(0, finish_cli(pid, fd, out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "faultmem0  fault  page 1 ")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "\n1 events\n")) TH_LOG("%s", out);
	munmap(map, 4 * self->page);

	EXPECT_EQ(1, run_cli_env("", "trace -n 1 /dev/null", out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "not a faultmem device")) TH_LOG("%s", out);
	EXPECT_EQ(1, run_cli_env("", "trace -n 1 /tmp/no-such-node", out, sizeof(out))) TH_LOG("%s", out);
}

/*
 * A page whose offset no mapping can reach is a usage error: (page + 1)
 * * page_size wrapped (2^52 + 1 pages of 4 KiB is 4 KiB), and the tool
 * wrote page 0 and said it wrote page 2^52.
 */
TEST_F(tool, touch_refuses_pages_no_mapping_can_reach)
{
	char out[4096];

	EXPECT_EQ(2, run_cli_env("", "touch 0 4503599627370496", out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_TRUE(usage_error_naming(out, "'4503599627370496'")) TH_LOG("%s", out);
	EXPECT_EQ(2, run_cli_env("", "touch 0 18446744073709551615", out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_EQ(2, run_cli_env("", "touch 0 18446744073709551616", out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_EQ(0, fm_stats(self->fd).resident_pages);
}

/* --help documents the exit status and the new options. */
TEST_F(tool, help_shows_exit_status_and_watch_options)
{
	char out[8192];

	EXPECT_EQ(0, run_cli_env("", "--help", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "Exit status: 0 success, 1 failure, 2 bad usage.")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "map    [-w [-i SEC] [-n COUNT]]")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "times (count, total, median, max)")) TH_LOG("%s", out);
}

#define FM_BIN "/faultmem/bin/faultmem"

/*
 * faultmem run counts the faults of the command and of its children
 * (event-fork), by outcome, and exits with the command's status.
 */
TEST_F(tool, run_counts_the_faults_of_a_command_and_its_children)
{
	char out[16384];

	if (access(TRACEFS "events/faultmem", F_OK))
		SKIP(return, "no tracefs or no faultmem events");
	EXPECT_EQ(0, run_cli_env("", "run -- " FM_BIN " touch 0 1 2 3", out, sizeof(out)))
		TH_LOG("%s", out);
	EXPECT_EQ(3, stat_value(out, "faults")) TH_LOG("%s", out);
	EXPECT_EQ(3, stat_value(out, "new_page")) TH_LOG("%s", out);
	EXPECT_EQ(0, stat_value(out, "sigbus")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "page 3: written")) TH_LOG("%s", out);

	/* A shell and two children: a write, a read, a SIGBUS past the end. */
	EXPECT_EQ(3, run_cli_env("", "run -- sh -c '" FM_BIN " touch 0 5; " FM_BIN
				 " touch -r 0 6; " FM_BIN " touch 0 40; exit 3'",
				 out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_EQ(3, stat_value(out, "faults")) TH_LOG("%s", out);
	EXPECT_EQ(2, stat_value(out, "new_page")) TH_LOG("%s", out);
	EXPECT_EQ(1, stat_value(out, "sigbus")) TH_LOG("%s", out);
	EXPECT_EQ(1, stat_value(out, "read")) TH_LOG("%s", out);
	EXPECT_EQ(5, fm_stats(self->fd).resident_pages);

	/* --map: the residency map after the command. */
	EXPECT_EQ(0, run_cli_env("", "run --map -- " FM_BIN " touch 0 7", out, sizeof(out)))
		TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "6 of 32 pages resident")) TH_LOG("%s", out);
	EXPECT_EQ(127, run_cli_env("", "run -- /no/such/program", out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_EQ(2, run_cli_env("", "run", out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_EQ(2, run_cli_env("", "run -d", out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_TRUE(usage_error_naming(out, "'-d'")) TH_LOG("%s", out);
	EXPECT_EQ(2, run_cli_env("", "run --frob -- true", out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_NE(0, system("ls /sys/kernel/tracing/instances | grep -q faultmem-run"));
}

/*
 * Only the command's faults count: the test's own faults while the
 * command runs are not in the profile.
 */
TEST_F(tool, run_ignores_other_processes)
{
	char out[16384], *map;
	pid_t pid;
	int fd;

	if (access(TRACEFS "events/faultmem", F_OK))
		SKIP(return, "no tracefs or no faultmem events");
	map = mmap(NULL, 4 * self->page, PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	fd = start_cli((const char *[]){ "run", "--", "sleep", "2", NULL },
		       "profiling faultmem events of pid", &pid, out, sizeof(out));
	ASSERT_LE(0, fd) TH_LOG("run did not start: %s", out);
	map[0] = 1;
	map[self->page] = 1;
	EXPECT_EQ(0, finish_cli(pid, fd, out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_EQ(0, stat_value(out, "faults")) TH_LOG("%s", out);
	EXPECT_EQ(2, fm_stats(self->fd).resident_pages);
	munmap(map, 4 * self->page);
}

static int compare_ns(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/*
 * The duration_ns of every faultmem_fault event in the global trace
 * buffer, sorted, into @ns (at most @max); how many there were.
 */
static int trace_durations(long long *ns, int max)
{
	FILE *f = fopen(TRACEFS "trace", "r");
	char line[512], *p;
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "faultmem_fault: ") &&
		    (p = strstr(line, " duration_ns=")) && n < max)
			ns[n++] = atoll(p + strlen(" duration_ns="));
	fclose(f);
	qsort(ns, n, sizeof(*ns), compare_ns);
	return n;
}

/*
 * The profile's allocations and fault times for a known pattern: four
 * first writes are four 4 KiB allocations and four durations (total >=
 * max >= median > 0); writing two of them again through a new mapping is
 * two faults on existing pages, which allocate nothing.
 */
TEST_F(tool, run_profiles_allocations_and_fault_times)
{
	long long total, median, mean, max, ns[8];
	char out[16384], row[32];

	if (access(TRACEFS "events/faultmem", F_OK))
		SKIP(return, "no tracefs or no faultmem events");
	/*
	 * The global buffer records the same faults (nothing else touches
	 * the device meanwhile): the durations the profile must sum up.
	 */
	ASSERT_EQ(0, fm_write_file(TRACEFS "trace", ""));
	ASSERT_EQ(0, fm_write_file(TRACEFS "events/faultmem/faultmem_fault/enable", "1"));
	EXPECT_EQ(0, run_cli_env("", "run -- " FM_BIN " touch 0 0 1 2 3", out, sizeof(out)))
		TH_LOG("%s", out);
	ASSERT_EQ(0, fm_write_file(TRACEFS "events/faultmem/faultmem_fault/enable", "0"));
	ASSERT_EQ(4, trace_durations(ns, 8));
	EXPECT_EQ(ns[0] + ns[1] + ns[2] + ns[3], stat_value(out, "fault_ns_total")) TH_LOG("%s", out);
	EXPECT_EQ((ns[1] + ns[2]) / 2, stat_value(out, "fault_ns_median")) TH_LOG("%s", out);
	EXPECT_EQ(ns[3], stat_value(out, "fault_ns_max")) TH_LOG("%s", out);
	EXPECT_EQ(4, stat_value(out, "faults")) TH_LOG("%s", out);
	EXPECT_EQ(4, stat_value(out, "new_page")) TH_LOG("%s", out);
	EXPECT_EQ(4, stat_value(out, alloc_row(self->page, row, sizeof(row))))
		TH_LOG("%s", out);
	/* The PMD-size row is always there with THP, and only then. */
	if (fm_pmd_size()) {
		EXPECT_EQ(0, stat_value(out, alloc_row(fm_pmd_size(), row,
						       sizeof(row))))
			TH_LOG("%s", out);
	} else {
		/* The base page's row is the only one. */
		ASSERT_NE(NULL, strstr(out, "alloc_"));
		EXPECT_EQ(NULL, strstr(strstr(out, "alloc_") + 1, "alloc_"))
			TH_LOG("%s", out);
	}
	EXPECT_EQ(4, stat_value(out, "fault_ns_count")) TH_LOG("%s", out);
	total = stat_value(out, "fault_ns_total");
	median = stat_value(out, "fault_ns_median");
	mean = stat_value(out, "fault_ns_mean");
	max = stat_value(out, "fault_ns_max");
	EXPECT_LT(0, median) TH_LOG("%s", out);
	EXPECT_LE(median, max) TH_LOG("%s", out);
	EXPECT_LE(max, total) TH_LOG("%s", out);
	EXPECT_EQ(total / 4, mean) TH_LOG("%s", out);
	/* Four durations, none above the max: the total is at most 4 * max. */
	EXPECT_LE(total, 4 * max) TH_LOG("%s", out);

	EXPECT_EQ(0, run_cli_env("", "run -- " FM_BIN " touch 0 0 1", out, sizeof(out)))
		TH_LOG("%s", out);
	EXPECT_EQ(2, stat_value(out, "faults")) TH_LOG("%s", out);
	EXPECT_EQ(2, stat_value(out, "existing_page")) TH_LOG("%s", out);
	EXPECT_EQ(0, stat_value(out, alloc_row(self->page, row, sizeof(row))))
		TH_LOG("%s", out);
	EXPECT_EQ(2, stat_value(out, "fault_ns_count")) TH_LOG("%s", out);

	/* No fault at all: zeroes, not garbage from an empty array. */
	EXPECT_EQ(0, run_cli_env("", "run -- true", out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_EQ(0, stat_value(out, "fault_ns_count")) TH_LOG("%s", out);
	EXPECT_EQ(0, stat_value(out, "fault_ns_median")) TH_LOG("%s", out);
	EXPECT_EQ(0, stat_value(out, "fault_ns_max")) TH_LOG("%s", out);
}

/*
 * Under huge=always a first touch in a 2 MiB block that lies wholly inside
 * the device allocates one 2 MiB folio; the next page of the block is an
 * existing page; a touch in the last, partial MiB gets a 4 KiB page. One
 * process a page: touch maps pages 0 to the largest, and a mapping that
 * covers the whole block would map page 1 with page 0's PMD, no fault.
 */
TEST_F(tool, run_tells_2mib_allocations_from_4kib_ones)
{
	char out[16384], args[256];

	if (access("/sys/kernel/mm/transparent_hugepage", F_OK))
		SKIP(return, "kernel without transparent huge pages");
	if (access(TRACEFS "events/faultmem", F_OK))
		SKIP(return, "no tracefs or no faultmem events");
	ASSERT_EQ(0, fm_set_size(self->fd, 3 * MIB));
	ASSERT_EQ(0, fm_sysfs_write("huge", "always"));
	snprintf(args, sizeof(args), "run -- sh -c '" FM_BIN " touch 0 0; " FM_BIN
		 " touch 0 1; " FM_BIN " touch 0 %ld'", 2 * MIB / self->page + 1);
	EXPECT_EQ(0, run_cli_env("", args, out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_EQ(3, stat_value(out, "faults")) TH_LOG("%s", out);
	EXPECT_EQ(2, stat_value(out, "new_page")) TH_LOG("%s", out);
	EXPECT_EQ(1, stat_value(out, "existing_page")) TH_LOG("%s", out);
	EXPECT_EQ(1, stat_value(out, "alloc_2MiB")) TH_LOG("%s", out);
	EXPECT_EQ(1, stat_value(out, "alloc_4KiB")) TH_LOG("%s", out);
	EXPECT_EQ(2 * MIB / self->page + 1, fm_stats(self->fd).resident_pages);
}

/*
 * Fault-around is reported as calls, the calls that served the fault
 * (mapped the faulting page: no faultmem_fault), and the pages offered in
 * their windows. A read of a page not resident through a one-page mapping
 * offers exactly that page and is not served; a read of a resident page
 * is served, its window cut to the 6-page mapping.
 */
TEST_F(tool, run_reports_fault_around_calls_served_and_offered)
{
	char out[16384];
	long old_window;

	if (access(TRACEFS "events/faultmem", F_OK))
		SKIP(return, "no tracefs or no faultmem events");
	old_window = fm_set_fault_around(16 * self->page);
	if (old_window < 0)
		SKIP(return, "no debugfs fault_around_bytes");
	EXPECT_EQ(0, run_cli_env("", "run -- " FM_BIN " touch -r 0 0", out, sizeof(out)))
		TH_LOG("%s", out);
	EXPECT_EQ(1, stat_value(out, "fault_around")) TH_LOG("%s", out);
	EXPECT_EQ(0, stat_value(out, "fault_around_served")) TH_LOG("%s", out);
	EXPECT_EQ(1, stat_value(out, "fault_around_offered")) TH_LOG("%s", out);
	EXPECT_EQ(1, stat_value(out, "faults")) TH_LOG("%s", out);

	EXPECT_EQ(0, run_cli("touch 0 5", out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_EQ(0, run_cli_env("", "run -- " FM_BIN " touch -r 0 5", out, sizeof(out)))
		TH_LOG("%s", out);
	EXPECT_EQ(1, stat_value(out, "fault_around")) TH_LOG("%s", out);
	EXPECT_EQ(1, stat_value(out, "fault_around_served")) TH_LOG("%s", out);
	EXPECT_LE(1, stat_value(out, "fault_around_offered")) TH_LOG("%s", out);
	EXPECT_GE(6, stat_value(out, "fault_around_offered")) TH_LOG("%s", out);
	EXPECT_EQ(0, stat_value(out, "faults")) TH_LOG("%s", out);
	fm_set_fault_around(old_window);
}

/*
 * run --map marks the pages the command faulted on (@), apart from pages
 * resident but not touched by it (#) and pages not resident (.): one cell
 * a page on the 32-page device. Page 5 is written before, then read by
 * the command through fault-around (a fault all the same); page 7 is
 * written by the command and punched again, so it is marked though no
 * longer resident.
 */
TEST_F(tool, run_map_marks_the_pages_the_command_faulted_on)
{
	char out[16384], want[64], args[512];
	const char *row;
	int p;

	if (access(TRACEFS "events/faultmem", F_OK))
		SKIP(return, "no tracefs or no faultmem events");
	EXPECT_EQ(0, run_cli("touch 0 5 9", out, sizeof(out))) TH_LOG("%s", out);
	snprintf(args, sizeof(args), "run --map -- sh -c '" FM_BIN " touch 0 1 2 3; "
		 FM_BIN " touch -r 0 5; " FM_BIN " touch 0 7; " FM_BIN " punch 0 %ld %ld'",
		 7 * self->page, self->page);
	EXPECT_EQ(0, run_cli_env("LANG=C LC_ALL=", args, out, sizeof(out))) TH_LOG("%s", out);
	for (p = 0; p < 32; p++)
		want[p] = p == 9 ? '#' : (p >= 1 && p <= 3) || p == 5 || p == 7 ? '@' : '.';
	want[32] = '\0';
	row = strstr(out, "       0 ");
	ASSERT_NE(NULL, row) TH_LOG("%s", out);
	EXPECT_EQ(0, strncmp(row + 9, want, 32)) TH_LOG("want %s in %s", want, out);
	EXPECT_EQ('\n', row[9 + 32]) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "legend: @ faulted on by the command  # resident")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "5 pages faulted on by the command, 4 of them resident now"))
		TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "5 of 32 pages resident")) TH_LOG("%s", out);
}

/*
 * faultmem-bench. Its cases load the module with two devices, so that
 * -d can name the second (they put the run's parameters back after).
 */
static int load_module(const char *params)
{
	const char *path = getenv("FAULTMEM_KO");
	int fd = open(path ? path : "/faultmem/faultmem.ko", O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

/*
 * Unload (waiting up to 10 s for programs of earlier cases to let go of
 * the device) and load with @params.
 */
static int reload_module(const char *params)
{
	int tries = 100;

	while (!access("/sys/module/faultmem", F_OK) &&
	       syscall(SYS_delete_module, "faultmem", O_NONBLOCK)) {
		if (errno != EAGAIN || !--tries)
			return -errno;
		usleep(100000);
	}
	return load_module(params);
}

/* A device's sysfs attribute, read whole (the huge policy, a counter). */
static char *dev_attr(int dev, const char *name)
{
	static char buf[128];
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/class/misc/faultmem%d/%s", dev, name);
	buf[0] = '\0';
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return buf;
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	return buf;
}

static int set_dev_attr(int dev, const char *name, const char *value)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/class/misc/faultmem%d/%s", dev, name);
	return fm_write_file(path, value);
}

#define BENCH_TMPFS	"/tmp/fm-bench-tmpfs"
#define BENCH_HUGE	"/tmp/fm-bench-tmpfs-huge"

FIXTURE(bench) {
	int mounted;
};

FIXTURE_SETUP(bench)
{
	self->mounted = 0;
	/* The bench measures 2 MiB folios: huge= needs THP (not on RT). */
	if (access("/sys/kernel/mm/transparent_hugepage", F_OK))
		SKIP(return, "kernel without transparent huge pages");
	ASSERT_EQ(0, reload_module("devices=2 size=16M"));
	ASSERT_EQ(0, set_dev_attr(0, "huge", "within_size"));
	mkdir(BENCH_TMPFS, 0700);
	mkdir(BENCH_HUGE, 0700);
	ASSERT_EQ(0, mount("tmpfs", BENCH_TMPFS, "tmpfs", 0, "size=64m,huge=never"));
	self->mounted = 1;
	/* Without THP the huge=always mount is refused: the cases skip. */
	if (mount("tmpfs", BENCH_HUGE, "tmpfs", 0, "size=64m,huge=always"))
		SKIP(return, "no huge=always tmpfs: %s", strerror(errno));
	self->mounted = 2;
}

FIXTURE_TEARDOWN(bench)
{
	const char *params = getenv("FAULTMEM_INSMOD_PARAMS");

	if (self->mounted > 1)
		umount(BENCH_HUGE);
	if (self->mounted)
		umount(BENCH_TMPFS);
	reload_module(params ? params : "");
}

/* -h is help (exit 0); junk numbers, a missing value, a stray word are usage errors. */
TEST_F(bench, bench_arguments_are_checked)
{
	static const char *const bad[][2] = {
		{ "-s 2x", "'2x'" }, { "-s 0", "'0'" }, { "-r abc", "'abc'" },
		{ "-r 32", "'32'" }, { "-s", "-s needs a value" },
		{ "-z", "unknown option -z" }, { "-s 2 extra", "'extra'" },
	};
	char cmd[256], out[8192];
	unsigned int i;

	FM_RETURN_IF_SKIPPED();
	EXPECT_EQ(0, fm_run(BENCH " -h 2>/dev/null", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "usage: faultmem-bench")) TH_LOG("%s", out);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* Last: a bare -s must not find a value in the next option. */
		snprintf(cmd, sizeof(cmd), "timeout -s KILL 60 " BENCH " -t "
			 BENCH_TMPFS " -T " BENCH_HUGE " %s 2>&1", bad[i][0]);
		EXPECT_EQ(2, fm_run(cmd, out, sizeof(out))) TH_LOG("%s: %s", bad[i][0], out);
		EXPECT_NE(NULL, strstr(out, bad[i][1])) TH_LOG("%s: %s", bad[i][0], out);
	}
	EXPECT_NE(NULL, strstr(dev_attr(0, "huge"), "[within_size]"));
}

/*
 * A tmpfs directory that is missing or not a tmpfs fails at once, saying
 * how to mount one, before the device is touched (the bench used to die
 * halfway, the device resized and its huge policy switched).
 */
TEST_F(bench, bench_checks_its_tmpfs_first)
{
	char out[8192];

	FM_RETURN_IF_SKIPPED();
	EXPECT_EQ(1, fm_run("timeout -s KILL 120 " BENCH " -s 2 -r 1 -t /tmp/no-such-dir -T "
			    BENCH_HUGE " 2>&1", out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "/tmp/no-such-dir: No such file or directory")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "mount -t tmpfs")) TH_LOG("%s", out);
	EXPECT_EQ(1, fm_run("timeout -s KILL 120 " BENCH " -s 2 -r 1 -t " BENCH_TMPFS
			    " -T /proc 2>&1", out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "/proc: not a tmpfs")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "-T DIR")) TH_LOG("%s", out);
	EXPECT_EQ(16 * MIB, atoll(dev_attr(0, "size")));
	EXPECT_NE(NULL, strstr(dev_attr(0, "huge"), "[within_size]"));
	EXPECT_EQ(0, atoll(dev_attr(0, "pages_allocated")));
}

/*
 * -d /dev/faultmem1: the huge rows switch faultmem1's policy (its 2 MiB
 * folios are counted), faultmem0 is left alone, and faultmem1's size and
 * policy are as before when the bench is done.
 */
TEST_F(bench, bench_measures_and_restores_the_device_it_is_given)
{
	char out[16384];

	FM_RETURN_IF_SKIPPED();
	ASSERT_NE(NULL, strstr(dev_attr(1, "huge"), "[never]"));
	EXPECT_EQ(0, fm_run("timeout -s KILL 240 " BENCH " -d /dev/faultmem1 -s 2 -r 1 -t "
			    BENCH_TMPFS " -T " BENCH_HUGE " 2>&1", out, sizeof(out)))
		TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "| 2 MiB pages | first-touch write | faultmem huge=always |"))
		TH_LOG("%s", out);
	EXPECT_LT(0, atoll(dev_attr(1, "huge_folios_allocated")));
	EXPECT_NE(NULL, strstr(dev_attr(1, "huge"), "[never]")) TH_LOG("%s", dev_attr(1, "huge"));
	EXPECT_EQ(16 * MIB, atoll(dev_attr(1, "size")));
	EXPECT_NE(NULL, strstr(dev_attr(0, "huge"), "[within_size]")) TH_LOG("%s", dev_attr(0, "huge"));
	EXPECT_EQ(16 * MIB, atoll(dev_attr(0, "size")));
	EXPECT_EQ(0, atoll(dev_attr(0, "pages_allocated")));
}

/*
 * Killed by SIGTERM while its huge rows run (huge=always set), the bench
 * puts the device's policy and size back, then dies of the signal. The
 * bench is stopped (SIGSTOP) once the policy shows always, so that the
 * signal surely lands while it is set.
 */
TEST_F(bench, bench_killed_restores_the_device)
{
	char out[16384];
	int fd, status, i;
	pid_t pid;

	FM_RETURN_IF_SKIPPED();
	fd = start_program(BENCH, (const char *[]){ "-s", "4", "-r", "31", "-t",
			   BENCH_TMPFS, "-T", BENCH_HUGE, NULL }, NULL, &pid, out,
			   sizeof(out));
	ASSERT_LE(0, fd);
	for (i = 0; i < 24000 && !strstr(dev_attr(0, "huge"), "[always]"); i++)
		usleep(5000);
	ASSERT_EQ(0, kill(pid, SIGSTOP));
	ASSERT_EQ(pid, waitpid(pid, &status, WUNTRACED));
	ASSERT_TRUE(WIFSTOPPED(status)) TH_LOG("the bench ended before its huge rows");
	ASSERT_NE(NULL, strstr(dev_attr(0, "huge"), "[always]")) TH_LOG("%s", dev_attr(0, "huge"));
	EXPECT_NE(16 * MIB, atoll(dev_attr(0, "size")));
	ASSERT_EQ(0, kill(pid, SIGTERM));
	ASSERT_EQ(0, kill(pid, SIGCONT));
	ASSERT_EQ(0, wait_program(pid, fd, out, sizeof(out), &status));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM)
		TH_LOG("status %#x: %s", status, out);
	EXPECT_NE(NULL, strstr(dev_attr(0, "huge"), "[within_size]")) TH_LOG("%s", dev_attr(0, "huge"));
	EXPECT_EQ(16 * MIB, atoll(dev_attr(0, "size")));
}

TEST_HARNESS_MAIN
