// SPDX-License-Identifier: GPL-2.0-only
/*
 * Demo 4: two processes share a buffer through /dev/faultmem0.
 *
 * The writer and the reader open and map the device independently (no
 * mapping is inherited), so the only thing they share is the device's page
 * cache. The driver's counters show the fault handler at work: the writer's
 * first touches allocate pages, the reader's touches find them resident.
 *
 * usage: 04_shared_between_processes [DEVICE] [PAGES]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <faultmem.h>

static const char *device = "/dev/faultmem0";
/* The counters when the demo started: they add up across demos. */
static struct faultmem_stats baseline;

static struct faultmem_stats stats(int fd)
{
	struct faultmem_stats s;

	if (ioctl(fd, FAULTMEM_IOC_GET_STATS, &s)) {
		perror("FAULTMEM_IOC_GET_STATS");
		exit(1);
	}
	return s;
}

static void show(const char *who, const char *when, int fd)
{
	struct faultmem_stats s = stats(fd);

	printf("  [%s] %-28s resident pages %4llu | faults %4llu: %llu allocated a page, %llu found one | fault-around %llu\n",
	       who, when, (unsigned long long)s.resident_pages,
	       (unsigned long long)(s.faults - baseline.faults),
	       (unsigned long long)(s.pages_allocated - baseline.pages_allocated),
	       (unsigned long long)(s.existing_page_faults - baseline.existing_page_faults),
	       (unsigned long long)(s.fault_around_calls - baseline.fault_around_calls));
}

static char *map_device(int *fdp, size_t len)
{
	char *map;
	int fd;

	fd = open(device, O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "open %s: %s\n", device, strerror(errno));
		exit(1);
	}
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	*fdp = fd;
	return map;
}

static int reader(int ready_fd, size_t pages, long page)
{
	char go, *map;
	size_t i, good = 0;
	int fd;

	if (read(ready_fd, &go, 1) != 1)
		return 1;
	map = map_device(&fd, pages * page);
	show("reader", "mapped, nothing touched yet", fd);
	for (i = 0; i < pages; i++) {
		char expect[64];

		snprintf(expect, sizeof(expect), "page %zu written by pid %d",
			 i, getppid());
		good += strcmp(map + i * page, expect) == 0;
	}
	printf("  [reader] pid %d read \"%s\" ... from its own mapping\n",
	       getpid(), map);
	show("reader", "after reading every page", fd);
	printf("  [reader] %zu of %zu pages hold the writer's text\n", good,
	       pages);
	return good == pages ? 0 : 1;
}

int main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE);
	struct faultmem_range all;
	size_t pages = 8, i;
	int fd, ready[2], status;
	pid_t child;
	char *map;

	if (argc > 1)
		device = argv[1];
	if (argc > 2)
		pages = strtoul(argv[2], NULL, 0);
	if (!pages || pipe(ready))
		return 1;

	printf("==> two processes, one buffer (%s, %zu pages), each with its own open and mapping\n",
	       device, pages);
	map = map_device(&fd, pages * page);

	/* Start from an empty buffer so the counters tell a clean story. */
	all.offset = 0;
	all.length = lseek(fd, 0, SEEK_END);
	all.flags = 0;
	all.reserved = 0;
	if (ioctl(fd, FAULTMEM_IOC_PUNCH_HOLE, &all))
		perror("FAULTMEM_IOC_PUNCH_HOLE");
	baseline = stats(fd);

	child = fork();
	if (child < 0)
		return 1;
	if (child == 0) {
		munmap(map, pages * page);
		close(fd);
		exit(reader(ready[0], pages, page));
	}

	show("writer", "mapped, nothing touched yet", fd);
	for (i = 0; i < pages; i++)
		snprintf(map + i * page, page, "page %zu written by pid %d",
			 i, getpid());
	show("writer", "after writing every page", fd);
	printf("  each first touch was a page fault; faultmem_fault() allocated a zeroed page\n");

	if (write(ready[1], "g", 1) != 1)
		return 1;
	waitpid(child, &status, 0);
	printf("  the reader's read faults found the writer's pages in the device's page cache:\n"
	       "  fault-around (faultmem_map_pages()) mapped up to 16 resident pages per fault,\n"
	       "  so faultmem_fault() was not called and nothing was allocated\n");
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		printf("demo 4 FAILED: the reader did not see the data\n");
		return 1;
	}
	printf("demo 4 OK: both processes saw the same memory\n");
	return 0;
}
