// SPDX-License-Identifier: GPL-2.0-only
/*
 * Demo 9: survive a memory error. A hwpoison rule makes one page of the
 * mapping behave like RAM with an uncorrectable error: touching it raises
 * SIGBUS with si_code BUS_MCEERR_AR and si_addr_lsb, the log2 of how much
 * memory is lost. The program jumps out of its handler with siglongjmp(),
 * recovers the page's data from elsewhere (here a second copy it kept),
 * and carries on. No real page is damaged and no privilege is needed.
 */
#include "demo.h"

#define PAGES	8

/* Add a rule of @action on page @page; exits on failure. */
static void add_rule(int fd, __u32 action, __u64 page)
{
	struct faultmem_inject_rule rule = {
		.first_page = page, .nr_pages = 1, .action = action,
	};

	if (ioctl(fd, FAULTMEM_IOC_INJECT_ADD, &rule)) {
		perror("FAULTMEM_IOC_INJECT_ADD");
		exit(1);
	}
}

int main(void)
{
	struct faultmem_inject_clear all = { .nr_pages = ~0ULL };
	long page = demo_page(), i, recovered = 0, sum = 0;
	int fd = demo_open(O_RDWR), ok = 1;
	uint64_t old_size = lseek(fd, 0, SEEK_END), size = PAGES * page;
	char *map, *backup;

	demo_empty(fd);
	if (ioctl(fd, FAULTMEM_IOC_SET_SIZE, &size))
		return perror("FAULTMEM_IOC_SET_SIZE"), 1;
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	backup = malloc(size);
	if (map == MAP_FAILED || !backup)
		return perror("mmap"), 1;
	demo_step("fill %d pages with a pattern, and keep a second copy elsewhere", PAGES);
	for (i = 0; i < (long)size; i++)
		map[i] = backup[i] = (char)(i / page + 1);

	demo_step("faultmem inject 0 hwpoison 5: page 5 now fails like bad RAM");
	add_rule(fd, FAULTMEM_INJECT_HWPOISON, 5);
	demo_why("the add unmapped page 5 from every process; its next access faults and faultmem_fault() answers VM_FAULT_HWPOISON");

	demo_step("read every page, recovering from SIGBUS");
	for (i = 0; i < PAGES; i++) {
		int sig = demo_access(map + i * page + 100, 0);

		if (!sig) {
			sum += map[i * page];
			continue;
		}
		printf("    page %ld: signal %d (%s), si_code %d = %s, si_addr_lsb %d (%ld bytes lost)\n",
		       i, sig, sig == SIGBUS ? "SIGBUS" : "?", demo_info.si_code,
		       demo_info.si_code == BUS_MCEERR_AR ? "BUS_MCEERR_AR" : "other",
		       demo_info.si_addr_lsb, 1L << demo_info.si_addr_lsb);
		/* Without CONFIG_MEMORY_FAILURE the kernel says BUS_ADRERR. */
		ok &= sig == SIGBUS &&
		      (access("/proc/sys/vm/memory_failure_early_kill", F_OK) ?
		       demo_info.si_code == BUS_ADRERR :
		       demo_info.si_code == BUS_MCEERR_AR &&
		       (1L << demo_info.si_addr_lsb) == page) &&
		      (char *)demo_info.si_addr == map + i * page + 100;
		/* Recover: take the data from the copy, not from the bad page. */
		sum += backup[i * page];
		recovered++;
	}
	printf("    %ld page recovered from the copy; sum of first bytes %ld\n",
	       recovered, sum);
	ok &= recovered == 1 && sum == PAGES * (PAGES + 1) / 2;
	demo_why("x86's do_sigbus() turns VM_FAULT_HWPOISON into force_sig_mceerr(BUS_MCEERR_AR, address, PAGE_SHIFT); the handler siglongjmp()s out, as a database would skip a bad block");

	demo_step("clear the rule: the page was never damaged");
	ioctl(fd, FAULTMEM_IOC_INJECT_CLEAR, &all);
	printf("    page 5 reads %d again\n", map[5 * page + 100]);
	ok &= map[5 * page + 100] == 6;

	munmap(map, size);
	demo_empty(fd);
	ioctl(fd, FAULTMEM_IOC_SET_SIZE, &old_size);
	printf("%s\n", ok ? "demo 9 OK: survived a memory error and recovered the data" : "demo 9 FAILED");
	return !ok;
}
