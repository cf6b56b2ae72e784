// SPDX-License-Identifier: GPL-2.0-only
/*
 * Demo 7: shrink while mapped. Making the device smaller takes the pages
 * beyond the new end away from every process that maps them; touching
 * them afterwards raises SIGBUS.
 */
#include "demo.h"

int main(void)
{
	long page = demo_page();
	int fd = demo_open(O_RDWR), ok = 1, i, sig;
	uint64_t old_size = lseek(fd, 0, SEEK_END), size = 8 * page;
	char *map;

	demo_empty(fd);
	if (ioctl(fd, FAULTMEM_IOC_SET_SIZE, &size))
		return perror("FAULTMEM_IOC_SET_SIZE"), 1;
	demo_step("size the device to 8 pages, map them and write each one");
	map = mmap(NULL, 8 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return perror("mmap"), 1;
	for (i = 0; i < 8; i++)
		map[i * page] = 'x';
	demo_counters(fd, "before");

	demo_step("shrink to 4 pages with FAULTMEM_IOC_SET_SIZE while the mapping exists");
	size = 4 * page;
	if (ioctl(fd, FAULTMEM_IOC_SET_SIZE, &size))
		return perror("FAULTMEM_IOC_SET_SIZE"), 1;
	demo_counters(fd, "after shrinking");
	demo_why("faultmem_store_resize() took the invalidate lock exclusive, set the size, and truncate_pagecache() unmapped pages 4-7 from every process and freed them");

	demo_step("touch page 6 through the old mapping");
	sig = demo_access(map + 6 * page, 0);
	printf("    got signal %d (%s), si_code = %s\n", sig, sig == SIGBUS ? "SIGBUS" : "?",
	       demo_code_name(sig, demo_info.si_code));
	ok &= sig == SIGBUS;
	printf("    page 2 still holds '%c'\n", map[2 * page]);
	ok &= map[2 * page] == 'x';
	demo_why("the PTE is gone and the fault handler finds page 6 beyond the new size");

	demo_step("grow back to 8 pages and read page 6");
	size = 8 * page;
	if (ioctl(fd, FAULTMEM_IOC_SET_SIZE, &size))
		return perror("FAULTMEM_IOC_SET_SIZE"), 1;
	printf("    page 6 now reads %d\n", map[6 * page]);
	ok &= map[6 * page] == 0;
	demo_why("the old page was freed; the new fault allocated a fresh zeroed one: old data never comes back");

	ioctl(fd, FAULTMEM_IOC_SET_SIZE, &old_size);
	printf("%s\n", ok ? "demo 7 OK: shrinking turned mapped pages into SIGBUS" : "demo 7 FAILED");
	return !ok;
}
