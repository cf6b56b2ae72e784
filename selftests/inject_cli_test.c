// SPDX-License-Identifier: GPL-2.0-only
/*
 * Faults on demand from the command line: faultmem inject adds, lists and
 * clears rules, refuses junk with exit status 2 and adds nothing;
 * faultmem run --inject fails only the command it runs; faultmem map
 * marks the pages under a rule; and the recipes of
 * docs/fault-injection.md do what it says (busybox dd here, with GNU
 * dd's conv=noerror,sync).
 */
#include "faultmem_cli.h"

FIXTURE(inject_cli) {
	int fd;
	long page;
	off_t initial;
	char out[8192];
};

static void clear_rules(int fd)
{
	struct faultmem_inject_clear clear = { .nr_pages = ~0ULL };

	ioctl(fd, FAULTMEM_IOC_INJECT_CLEAR, &clear);
}

static int rules_of(int fd)
{
	struct faultmem_inject_list list = { 0 };

	return ioctl(fd, FAULTMEM_IOC_INJECT_LIST, &list) ? -1 : (int)list.nr;
}

FIXTURE_SETUP(inject_cli)
{
	char *page;
	long i;

	self->page = fm_page_size();
	self->fd = fm_open(O_RDWR);
	self->initial = lseek(self->fd, 0, SEEK_END);
	clear_rules(self->fd);
	ASSERT_EQ(0, fm_set_size(self->fd, 8 * self->page));
	ASSERT_EQ(0, fm_punch_all(self->fd));
	page = malloc(self->page);
	ASSERT_NE(NULL, page);
	for (i = 0; i < 8; i++) {
		memset(page, 'a' + i, self->page);
		ASSERT_EQ(self->page, pwrite(self->fd, page, self->page,
					     i * self->page));
	}
	free(page);
}

FIXTURE_TEARDOWN(inject_cli)
{
	clear_rules(self->fd);
	fm_punch_all(self->fd);
	fm_set_size(self->fd, self->initial);
	close(self->fd);
}

/*
 * The rule parser copies a number ended by another character (the first
 * page of N-M, a duration's digits, a probability's whole part) into a
 * 32-byte buffer: 31 digits (leading zeroes) are taken, 32 are a usage
 * error; the longest delay (3600 s) is
 * taken and a second more refused.
 */
TEST_F(inject_cli, rule_numbers_at_the_parser_buffer)
{
	static const struct { const char *args; int status; } cases[] = {
		{ "inject 0 sigbus 0000000000000000000000000000003-4", 0 },
		{ "inject 0 sigbus 00000000000000000000000000000003-4", 2 },
		{ "inject 0 delay 0000000000000000000000000000001ms 3", 0 },
		{ "inject 0 delay 00000000000000000000000000000001ms 3", 2 },
		{ "inject --probability 0000000000000000000000000000000.5 0 sigbus 3", 0 },
		{ "inject --probability 00000000000000000000000000000000.5 0 sigbus 3", 2 },
		{ "inject 0 delay 3600s 3", 0 },
		{ "inject 0 delay 3601s 3", 2 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		clear_rules(self->fd);
		EXPECT_EQ(cases[i].status,
			  run_cli(cases[i].args, self->out, sizeof(self->out)))
			TH_LOG("%s: %s", cases[i].args, self->out);
		EXPECT_EQ(cases[i].status ? 0 : 1, rules_of(self->fd))
			TH_LOG("%s", cases[i].args);
		if (cases[i].status)
			EXPECT_NE(NULL, strstr(self->out, "Try '"))
				TH_LOG("%s: %s", cases[i].args, self->out);
	}
}

TEST_F(inject_cli, inject_adds_lists_and_clears)
{
	char sysfs[1024] = "", want[256];
	int fd;

	ASSERT_EQ(0, run_cli("inject --times=2 --after 1 0 sigbus 3-4", self->out,
			     sizeof(self->out)));
	EXPECT_NE(NULL, strstr(self->out,
			       "sigbus 3-4 --times 2 --after 1 fired=0 remaining=2 id="));
	ASSERT_EQ(0, run_cli("inject --probability 0.5 --seed 9 --writes 0 delay 250ms 6",
			     self->out, sizeof(self->out)));
	ASSERT_EQ(2, rules_of(self->fd));
	/* list prints what sysfs shows, line for line. */
	ASSERT_EQ(0, run_cli("inject 0 list", self->out, sizeof(self->out)));
	fd = open(FM_SYSFS "inject", O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, read(fd, sysfs, sizeof(sysfs) - 1));
	close(fd);
	EXPECT_STREQ(sysfs, self->out);
	snprintf(want, sizeof(want),
		 "delay 250ms 6 --probability 0.5 --seed 9 --writes fired=0 remaining=unlimited id=");
	EXPECT_NE(NULL, strstr(self->out, want));
	ASSERT_EQ(0, run_cli("inject 0 clear 4", self->out, sizeof(self->out)));
	EXPECT_NE(NULL, strstr(self->out, "cleared 1 rule(s)"));
	EXPECT_EQ(1, rules_of(self->fd));
	ASSERT_EQ(0, run_cli("inject 0 clear", self->out, sizeof(self->out)));
	EXPECT_EQ(0, rules_of(self->fd));
	ASSERT_EQ(0, run_cli("inject 0 list", self->out, sizeof(self->out)));
	EXPECT_STREQ("", self->out);
}

TEST_F(inject_cli, junk_is_a_usage_error_and_adds_nothing)
{
	static const char *const junk[] = {
		"inject 0 explode 3",
		"inject 0 sigbus 5x",
		"inject 0 sigbus 3-2",
		"inject 0 sigbus -1",
		"inject 0 sigbus",
		"inject 0 sigbus 1 2",
		"inject 0 delay 100 3",
		"inject 0 delay 2h 3",
		"inject 0 delay 0ms 3",
		"inject 0 delay 3601s 3",
		"inject --times 0 0 sigbus 3",
		"inject --times 1x 0 sigbus 3",
		"inject --probability 0 0 sigbus 3",
		"inject --probability 1.5 0 sigbus 3",
		"inject --probability 0.0000000001 0 sigbus 3",
		"inject --probability abc 0 sigbus 3",
		"inject --seed 3 0 sigbus 3",
		"inject --reads --writes 0 sigbus 3",
		"inject --bogus 0 sigbus 3",
		"inject 0 sigbus 3 --times 2",
		"inject 0 sigbus 999999999",
		"inject 0 list 3",
		"inject 0 clear 1x",
		"run --inject 'sigbus' -- true",
		"run --inject 'sigbus 3 --pid 1' -- true",
		"run --inject 'explode 3' -- true",
	};
	unsigned int i;

	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		int rc = run_cli(junk[i], self->out, sizeof(self->out));

		EXPECT_EQ(2, rc)
			TH_LOG("'%s' exited %d: %s", junk[i], rc, self->out);
		EXPECT_EQ(0, rules_of(self->fd))
			TH_LOG("'%s' added a rule", junk[i]);
	}
	/* The message names what was wrong. */
	run_cli("inject 0 sigbus 5x", self->out, sizeof(self->out));
	EXPECT_NE(NULL, strstr(self->out, "5x"));
	run_cli("inject 0 delay 100 3", self->out, sizeof(self->out));
	EXPECT_NE(NULL, strstr(self->out, "100"));
	ASSERT_EQ(0, run_cli("inject --help", self->out, sizeof(self->out)));
	EXPECT_NE(NULL, strstr(self->out, "--probability"));
}

TEST_F(inject_cli, run_inject_fails_only_the_command_and_clears_its_rules)
{
	char cmd[256], buf[16];
	int rc;

	/* dd reads page 2 as the command: it fails. */
	snprintf(cmd, sizeof(cmd),
		 "run --inject 'sigbus 2' -- dd if=" FM_DEV " of=/dev/null bs=%ld skip=2 count=1",
		 self->page);
	rc = run_cli(cmd, self->out, sizeof(self->out));
	EXPECT_NE(0, rc);
	EXPECT_NE(NULL, strstr(self->out, "injected: sigbus 1"));
	/* The rule was for dd only, and is gone with it. */
	EXPECT_EQ(0, rules_of(self->fd));
	EXPECT_EQ(16, pread(self->fd, buf, 16, 2 * self->page));
	/* A fault the rule failed shows in the profile by its outcome. */
	snprintf(cmd, sizeof(cmd), "run --inject 'hwpoison 2' -- %s touch -r 0 2",
		 cli());
	EXPECT_NE(0, run_cli(cmd, self->out, sizeof(self->out)));
	EXPECT_NE(NULL, strstr(self->out, "injected_hwpoison")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "injected: hwpoison 1"));
	EXPECT_EQ(0, rules_of(self->fd));
	/* A command that never touches the page is untouched by the rule. */
	EXPECT_EQ(0, run_cli("run --inject 'hwpoison 2 --times 1' -- true",
			     self->out, sizeof(self->out)));
	EXPECT_EQ(0, rules_of(self->fd));
}

/*
 * kill of faultmem run reaches its command, and the rules still go: the
 * tool passes SIGTERM on and clears them when the command has ended.
 */
TEST_F(inject_cli, run_killed_passes_the_signal_on_and_clears_its_rules)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
		 "%s run --inject 'sigbus 2' -- sleep 60 >/dev/null 2>&1 & p=$!; "
		 "i=0; while [ -z \"$(cat " FM_SYSFS "inject)\" ] && [ $i -lt 500 ]; do "
		 "sleep 0.01; i=$((i + 1)); done; "
		 "kill -TERM $p; wait $p; echo \"rc=$?\"", cli());
	ASSERT_EQ(0, fm_run(cmd, self->out, sizeof(self->out)));
	EXPECT_NE(NULL, strstr(self->out, "rc=143")) TH_LOG("%s", self->out);
	EXPECT_EQ(0, rules_of(self->fd));
}

TEST_F(inject_cli, map_marks_the_pages_under_a_rule)
{
	ASSERT_EQ(0, run_cli("inject 0 nospace 5", self->out, sizeof(self->out)));
	ASSERT_EQ(0, run_cli("map --ascii 0", self->out, sizeof(self->out)));
	EXPECT_EQ(1, occurrences(self->out, "!") - occurrences(self->out, "! covered"));
	EXPECT_NE(NULL, strstr(self->out, "covered by an injection rule"));
}

TEST_F(inject_cli, touch_says_why_a_page_failed)
{
	const char *memory_error = fm_memory_failure() ?
		"page 2: SIGBUS (BUS_MCEERR_AR: a memory error)" :
		"page 2: SIGBUS (BUS_ADRERR: an injected fault)";

	ASSERT_EQ(0, run_cli("inject 0 hwpoison 2", self->out, sizeof(self->out)));
	ASSERT_EQ(0, run_cli("inject 0 sigbus 3", self->out, sizeof(self->out)));
	EXPECT_EQ(1, run_cli("touch -r 0 2 3 9", self->out, sizeof(self->out)));
	EXPECT_NE(NULL, strstr(self->out, memory_error)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "page 3: SIGBUS (BUS_ADRERR: an injected fault)"));
	EXPECT_NE(NULL, strstr(self->out, "page 9: SIGBUS (beyond the end of the device)"));
	/*
	 * Written through MADV_POPULATE_WRITE, which answers with errnos:
	 * EHWPOISON for a memory error whether or not the kernel has
	 * CONFIG_MEMORY_FAILURE to turn it into BUS_MCEERR_AR.
	 */
	EXPECT_EQ(1, run_cli("touch 0 2 3", self->out, sizeof(self->out)));
	EXPECT_NE(NULL, strstr(self->out,
			       "page 2: SIGBUS (BUS_MCEERR_AR: a memory error)"))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "page 3: SIGBUS (BUS_ADRERR: an injected fault)"));
}

/*
 * The dd recipe (docs/fault-injection.md): dd conv=noerror,sync over a bad page reports the
 * error, writes zeroes for that block and copies the rest.
 */
TEST_F(inject_cli, dd_noerror_sync_copies_around_a_bad_page)
{
	char cmd[512], *copy;
	long i, p, bad = 0;
	int fd, rc;

	ASSERT_EQ(0, run_cli("inject 0 sigbus 3", self->out, sizeof(self->out)));
	snprintf(cmd, sizeof(cmd),
		 "dd if=" FM_DEV " of=/tmp/recipe.img bs=%ld conv=noerror,sync 2>&1",
		 self->page);
	rc = fm_run(cmd, self->out, sizeof(self->out));
	TH_LOG("dd exited %d: %s", rc, self->out);
	EXPECT_NE(NULL, strstr(self->out, "Input/output error"));
	copy = malloc(8 * self->page);
	ASSERT_NE(NULL, copy);
	fd = open("/tmp/recipe.img", O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(8 * self->page, read(fd, copy, 8 * self->page));
	close(fd);
	for (p = 0; p < 8; p++)
		for (i = 0; i < self->page; i++)
			if (copy[p * self->page + i] != (p == 3 ? 0 : 'a' + p))
				bad++;
	EXPECT_EQ(0, bad);
	free(copy);
	unlink("/tmp/recipe.img");
}

/*
 * The Python recipe (userspace/recipes/pread_and_mmap.py), run by
 * Debian's python3: os.pread() raises OSError EIO, a mapped access kills
 * the interpreter with SIGBUS.
 */
TEST_F(inject_cli, python_sees_oserror_eio_and_dies_of_sigbus)
{
	ASSERT_EQ(0, run_cli("inject 0 sigbus 3", self->out, sizeof(self->out)));
	ASSERT_EQ(0, fm_run("$(ls /usr/bin/python3.* | head -n 1) "
			    "/faultmem/recipes/pread_and_mmap.py " FM_DEV " 3 2>&1",
			    self->out, sizeof(self->out)));
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "pread: OSError EIO Input/output error"));
	EXPECT_NE(NULL, strstr(self->out, "mmap: killed by SIGBUS"));
	/* Without the rule, both work. */
	clear_rules(self->fd);
	ASSERT_EQ(0, fm_run("$(ls /usr/bin/python3.* | head -n 1) "
			    "/faultmem/recipes/pread_and_mmap.py " FM_DEV " 3 2>&1",
			    self->out, sizeof(self->out)));
	EXPECT_NE(NULL, strstr(self->out, "pread: no error"));
	EXPECT_NE(NULL, strstr(self->out, "mmap: exited 0"));
}

TEST_HARNESS_MAIN
