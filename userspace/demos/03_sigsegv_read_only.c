// SPDX-License-Identifier: GPL-2.0-only
/*
 * Demo 3: SIGSEGV on a read-only mapping. The protection check happens in
 * the core before the driver is asked, so faultmem never sees the access.
 */
#include "demo.h"

int main(void)
{
	int fd = demo_open(O_RDWR), sig;
	unsigned long long faults;
	char *map;

	demo_step("mmap one page PROT_READ and read it");
	map = mmap(NULL, demo_page(), PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return perror("mmap"), 1;
	sig = demo_access(map, 0);
	printf("    read: %s\n", sig ? "signal!" : "fine");
	faults = demo_stats(fd).faults;
	demo_counters(fd, "after the read");

	demo_step("write to it");
	sig = demo_access(map + 10, 1);
	printf("    got signal %d (%s), si_code %d = %s, si_addr %p\n", sig,
	       sig == SIGSEGV ? "SIGSEGV" : "?", demo_info.si_code,
	       demo_code_name(sig, demo_info.si_code), demo_info.si_addr);
	demo_counters(fd, "after the write");
	demo_why("the VMA lacks VM_WRITE: the core's access check (access_error() on x86) refuses before any fault handler runs, so faultmem's fault counter did not move");

	if (sig == SIGSEGV && demo_info.si_code == SEGV_ACCERR &&
	    demo_stats(fd).faults == faults) {
		printf("demo 3 OK: SIGSEGV, SEGV_ACCERR, and no fault reached faultmem\n");
		return 0;
	}
	printf("demo 3 FAILED\n");
	return 1;
}
