// SPDX-License-Identifier: GPL-2.0-only
/*
 * The demos in userspace/demos/ run in the VM and say what they show: each
 * exits 0 and prints its "demo N OK" line, plus the key facts it explains.
 */
#include <sys/wait.h>

#include "faultmem_test.h"
#include "kselftest_harness.h"

static int run_demo(const char *name, char *out, size_t size)
{
	const char *dir = getenv("FAULTMEM_DEMOS");
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "%s/%s 2>&1", dir ? dir : "/faultmem/demos", name);
	return fm_run(cmd, out, size);
}

FIXTURE(demo) {
	char out[16384];
};

FIXTURE_SETUP(demo)
{
}

FIXTURE_TEARDOWN(demo)
{
}

FIXTURE_VARIANT(demo) {
	const char *program;
	const char *facts[3];
};

FIXTURE_VARIANT_ADD(demo, first_touch) {
	.program = "01_first_touch",
	.facts = { "demo 1 OK", "resident pages 1, faults 1", "resident pages 4, faults 4" },
};
FIXTURE_VARIANT_ADD(demo, sigbus_past_end) {
	.program = "02_sigbus_past_end",
	.facts = { "demo 2 OK", "(SIGBUS), si_code 2 = BUS_ADRERR", "VM_FAULT_SIGBUS" },
};
FIXTURE_VARIANT_ADD(demo, sigsegv_read_only) {
	.program = "03_sigsegv_read_only",
	.facts = { "demo 3 OK", "SEGV_ACCERR", "no fault reached faultmem" },
};
FIXTURE_VARIANT_ADD(demo, shared_between_processes) {
	.program = "04_shared_between_processes",
	.facts = { "demo 4 OK", "8 of 8 pages hold the writer's text", "after reading every page     resident pages    8 | faults    8: 8 allocated a page, 0 found one" },
};
FIXTURE_VARIANT_ADD(demo, private_cow) {
	.program = "05_private_cow",
	.facts = { "demo 5 OK", "faults reaching faultmem during the write: 0",
		   "faults reaching faultmem: 1, of which private write faults: 1" },
};
FIXTURE_VARIANT_ADD(demo, eacces_read_only_fd) {
	.program = "06_eacces_read_only_fd",
	.facts = { "demo 6 OK", "mmap: Permission denied", "mmap: succeeded" },
};
FIXTURE_VARIANT_ADD(demo, shrink_while_mapped) {
	.program = "07_shrink_while_mapped",
	.facts = { "demo 7 OK", "(SIGBUS)", "page 6 now reads 0" },
};
FIXTURE_VARIANT_ADD(demo, futex_ring) {
	.program = "08_futex_ring",
	.facts = { "demo 8 OK", "received 2000 messages, sum 2001000", "sent 2000 messages, sum 2001000" },
};
FIXTURE_VARIANT_ADD(demo, survive_a_memory_error) {
	.program = "09_survive_a_memory_error",
	.facts = { "demo 9 OK", "page 5: signal 7 (SIGBUS)", "1 page recovered from the copy" },
};
FIXTURE_VARIANT_ADD(demo, slow_page_in) {
	.program = "10_slow_page_in",
	.facts = { "demo 10 OK", "major faults: 1 (ru_majflt)", "mmap/munmap rounds meanwhile" },
};

TEST_F(demo, runs_and_explains)
{
	unsigned int i;

	EXPECT_EQ(0, run_demo(variant->program, self->out, sizeof(self->out)))
		TH_LOG("%s", self->out);
	for (i = 0; i < 3; i++) {
		const char *fact = variant->facts[i];

		EXPECT_NE(NULL, strstr(self->out, fact))
			TH_LOG("'%s' missing from:\n%s", fact, self->out);
	}
}

TEST_HARNESS_MAIN
