// SPDX-License-Identifier: GPL-2.0-only
/*
 * Demo 1: first touch. mmap() allocates nothing; each first access to a
 * page is a page fault that faultmem_fault() answers with a fresh zeroed
 * page, and later accesses take no fault at all.
 */
#include "demo.h"

int main(void)
{
	long page = demo_page();
	int fd = demo_open(O_RDWR), i, ok = 1;
	char *map;

	demo_empty(fd);
	demo_step("mmap 8 pages of %s (MAP_SHARED)", demo_device);
	map = mmap(NULL, 8 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return perror("mmap"), 1;
	demo_counters(fd, "after mmap");
	demo_why("mmap only records the range (a VMA); faultmem_mmap() installs vm_ops and allocates nothing");

	for (i = 0; i < 4; i++) {
		demo_step("write page %d for the first time", i);
		map[i * page] = 'a' + i;
		demo_counters(fd, "after the write");
	}
	demo_why("each first write faulted: faultmem_fault() -> faultmem_store_get_folio() found no page, allocated a zeroed one and added it to the device's page cache");

	demo_step("read page 5, never written");
	printf("    byte 0 of page 5 is %d\n", map[5 * page]);
	ok &= map[5 * page] == 0;
	demo_counters(fd, "after the read");
	demo_why("a read fault also populates the page, with zeroes: no old data can leak");

	demo_step("touch pages 0-3 again");
	for (i = 0; i < 4; i++)
		ok &= map[i * page] == 'a' + i;
	demo_counters(fd, "after re-touching");
	demo_why("the PTEs are installed now: the CPU reaches the pages without faulting");

	ok &= demo_stats(fd).resident_pages == 5;
	printf("%s\n", ok ? "demo 1 OK: 5 pages resident, one fault each" : "demo 1 FAILED");
	return !ok;
}
