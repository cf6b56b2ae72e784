// SPDX-License-Identifier: GPL-2.0-only
/*
 * Demo 6: EACCES. A shared writable mapping would let the process change
 * the device, so it needs a descriptor opened for writing.
 */
#include "demo.h"

int main(void)
{
	int fd = demo_open(O_RDONLY), ok;
	void *map;

	demo_step("open %s O_RDONLY and mmap it MAP_SHARED with PROT_WRITE", demo_device);
	map = mmap(NULL, demo_page(), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	printf("    mmap: %s\n", map == MAP_FAILED ? strerror(errno) : "succeeded?!");
	ok = map == MAP_FAILED && errno == EACCES;
	demo_why("do_mmap() refuses MAP_SHARED + PROT_WRITE on a file not open for writing, before faultmem_mmap() is called");

	demo_step("the same with MAP_PRIVATE");
	map = mmap(NULL, demo_page(), PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	printf("    mmap: %s\n", map == MAP_FAILED ? strerror(errno) : "succeeded");
	ok &= map != MAP_FAILED;
	demo_why("private writes go to copies, never to the device, so read access is enough");

	printf("%s\n", ok ? "demo 6 OK: EACCES for shared, allowed for private" : "demo 6 FAILED");
	return !ok;
}
