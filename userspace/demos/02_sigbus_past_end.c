// SPDX-License-Identifier: GPL-2.0-only
/*
 * Demo 2: SIGBUS beyond the end. Like a file, a mapping may be longer than
 * the device; touching a page past the size raises SIGBUS.
 */
#include "demo.h"

int main(void)
{
	long page = demo_page();
	int fd = demo_open(O_RDWR), sig;
	off_t size = lseek(fd, 0, SEEK_END);
	char *map;

	demo_step("mmap %lld bytes: the whole device (%lld bytes) plus one page",
		  (long long)(size + page), (long long)size);
	map = mmap(NULL, size + page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return perror("mmap"), 1;
	demo_why("mmap succeeds, as for a file: the length is not checked against the size");

	demo_step("write the last byte of the device (offset %lld)", (long long)size - 1);
	sig = demo_access(map + size - 1, 1);
	printf("    %s\n", sig ? "signal!" : "fine");

	demo_step("read the first byte past the end (address %p)", (void *)(map + size));
	sig = demo_access(map + size, 0);
	printf("    got signal %d (%s), si_code %d = %s, si_addr %p\n", sig,
	       sig == SIGBUS ? "SIGBUS" : "?", demo_info.si_code,
	       demo_code_name(sig, demo_info.si_code), demo_info.si_addr);
	demo_counters(fd, "after");
	demo_why("faultmem_fault() saw pgoff >= size under the invalidate lock and returned VM_FAULT_SIGBUS; the architecture code sent SIGBUS with the faulting address");

	if (sig == SIGBUS && demo_info.si_code == BUS_ADRERR &&
	    demo_info.si_addr == (void *)(map + size)) {
		printf("demo 2 OK: SIGBUS, BUS_ADRERR, at the touched address\n");
		return 0;
	}
	printf("demo 2 FAILED\n");
	return 1;
}
