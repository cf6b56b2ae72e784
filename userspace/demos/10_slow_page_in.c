// SPDX-License-Identifier: GPL-2.0-only
/*
 * Demo 10: a slow page-in. A delay rule makes the first access to a page
 * wait, like a page read from a slow disk. The fault handler waits without
 * the process's mmap lock (VM_FAULT_RETRY, as filemap_fault() does during
 * I/O), so another thread of the same process keeps working, even
 * mmap() and munmap(), and the wait counts as one major fault.
 */
#include <pthread.h>
#include <sys/resource.h>
#include <time.h>

#include "demo.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static volatile int stop;
static long worker_rounds;

/* Map and unmap anonymous memory until told to stop. */
static void *worker(void *arg)
{
	(void)arg;
	while (!stop) {
		void *p = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p != MAP_FAILED)
			munmap(p, 1 << 16);
		worker_rounds++;
		usleep(1000);
	}
	return NULL;
}

int main(void)
{
	struct faultmem_inject_rule rule = {
		.first_page = 3, .nr_pages = 1, .action = FAULTMEM_INJECT_DELAY,
		.delay_ns = 1000000000ULL,
	};
	struct faultmem_inject_clear all = { .nr_pages = ~0ULL };
	long page = demo_page(), rounds_before;
	int fd = demo_open(O_RDWR), ok = 1;
	struct rusage before, after;
	pthread_t thread;
	double t0, waited;
	char *map;

	map = mmap(NULL, 8 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return perror("mmap"), 1;
	map[3 * page] = 'd';

	demo_step("faultmem inject 0 delay 1s 3: page 3 now pages in slowly");
	if (ioctl(fd, FAULTMEM_IOC_INJECT_ADD, &rule))
		return perror("FAULTMEM_IOC_INJECT_ADD"), 1;

	demo_step("a second thread maps and unmaps memory while the first reads page 3");
	pthread_create(&thread, NULL, worker, NULL);
	usleep(100 * 1000);
	rounds_before = worker_rounds;
	getrusage(RUSAGE_SELF, &before);
	t0 = now();
	ok &= map[3 * page] == 'd';
	waited = now() - t0;
	getrusage(RUSAGE_SELF, &after);
	stop = 1;
	pthread_join(thread, NULL);
	printf("    the read took %.2f s; the other thread did %ld mmap/munmap rounds meanwhile\n",
	       waited, worker_rounds - rounds_before);
	printf("    major faults: %ld (ru_majflt)\n", after.ru_majflt - before.ru_majflt);
	ok &= waited >= 1.0 && worker_rounds - rounds_before >= 10 &&
	      after.ru_majflt - before.ru_majflt == 1;
	demo_why("faultmem_fault_delay() pinned the file, dropped the mmap (or per-VMA) lock, waited, and returned VM_FAULT_RETRY | VM_FAULT_MAJOR; the retry, with FAULT_FLAG_TRIED, got the page and was counted as one major fault");

	ioctl(fd, FAULTMEM_IOC_INJECT_CLEAR, &all);
	munmap(map, 8 * page);
	demo_empty(fd);
	printf("%s\n", ok ? "demo 10 OK: a slow page-in let the other thread work" : "demo 10 FAILED");
	return !ok;
}
