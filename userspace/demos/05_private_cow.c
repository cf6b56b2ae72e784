// SPDX-License-Identifier: GPL-2.0-only
/*
 * Demo 5: MAP_PRIVATE copy-on-write. A private mapping shows the device
 * until the process writes a page; then the kernel gives it a copy. There
 * are two ways to get there, and only one of them asks faultmem.
 *
 * The second page is FAR pages away from the first: a read fault also maps
 * the resident pages around it (fault-around, 16 pages by default), and
 * the demo needs the second page untouched by that.
 */
#include "demo.h"

#define FAR	32
#define FAR_STR	"32"

int main(void)
{
	long page = demo_page();
	int fd = demo_open(O_RDWR), ok = 1;
	struct faultmem_stats before, after;
	char *priv, buf[16] = "";

	demo_empty(fd);
	demo_step("pwrite \"device data\" into pages 0 and " FAR_STR ", then mmap both MAP_PRIVATE");
	if (pwrite(fd, "device data", 12, 0) != 12 ||
	    pwrite(fd, "device data", 12, FAR * page) != 12)
		return perror("pwrite"), 1;
	priv = mmap(NULL, (FAR + 1) * page, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		    fd, 0);
	if (priv == MAP_FAILED)
		return perror("mmap"), 1;

	demo_step("read page 0, then write \"my copy\" into it");
	printf("    page 0 reads \"%s\"\n", priv);
	ok &= !strcmp(priv, "device data");
	before = demo_stats(fd);
	strcpy(priv, "my copy");
	after = demo_stats(fd);
	printf("    faults reaching faultmem during the write: %llu\n",
	       (unsigned long long)(after.faults - before.faults));
	ok &= after.faults == before.faults;
	demo_why("the read fault mapped the device's page read-only (fault-around mapped it, with any resident neighbours); the write then hit a present, write-protected PTE, and the core's do_wp_page() made the copy by itself, without calling faultmem");

	demo_step("write \"my copy\" into page " FAR_STR ", never touched through this mapping");
	before = demo_stats(fd);
	strcpy(priv + FAR * page, "my copy");
	after = demo_stats(fd);
	printf("    faults reaching faultmem: %llu, of which private write faults: %llu\n",
	       (unsigned long long)(after.faults - before.faults),
	       (unsigned long long)(after.private_write_faults - before.private_write_faults));
	ok &= after.private_write_faults == before.private_write_faults + 1;
	demo_why("no PTE yet: do_cow_fault() called faultmem_fault() for the device page (a private write fault), copied it into a new anonymous page and mapped the copy");

	demo_step("read the device with pread()");
	if (pread(fd, buf, 12, 0) != 12)
		return perror("pread"), 1;
	printf("    the mapping reads \"%s\" and \"%s\", the device still holds \"%s\"\n",
	       priv, priv + FAR * page, buf);
	ok &= !strcmp(buf, "device data");
	if (pread(fd, buf, 12, FAR * page) != 12)
		return perror("pread"), 1;
	ok &= !strcmp(buf, "device data");
	demo_why("both copies belong to this process; the device's pages were never written");

	printf("%s\n", ok ? "demo 5 OK: the copies are private, the device unchanged" : "demo 5 FAILED");
	return !ok;
}
