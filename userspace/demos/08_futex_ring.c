// SPDX-License-Identifier: GPL-2.0-only
/*
 * Demo 8: a producer/consumer ring between two processes, synchronised by
 * a shared futex inside the buffer. Each process opens and maps the device
 * itself. FUTEX_WAIT on shared memory is keyed by the page's address_space
 * and index: it works because faultmem's pages live in the device's page
 * cache (a driver with a private page array gets EFAULT here).
 */
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>

#include "demo.h"

#define SLOTS		16
#define MESSAGES	2000

struct ring {
	atomic_uint head;	/* next slot to fill (producer) */
	atomic_uint tail;	/* next slot to drain (consumer) */
	atomic_int waiters;	/* futex word: bumped on every change */
	uint32_t slot[SLOTS];
};

static struct ring *map_ring(void)
{
	int fd = demo_open(O_RDWR);
	struct ring *r = mmap(NULL, demo_page(), PROT_READ | PROT_WRITE,
			      MAP_SHARED, fd, 0);

	close(fd);
	if (r == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	return r;
}

static void wait_change(struct ring *r, int seen)
{
	if (syscall(SYS_futex, &r->waiters, FUTEX_WAIT, seen, NULL, NULL, 0) &&
	    errno != EAGAIN && errno != EINTR) {
		perror("FUTEX_WAIT");
		exit(1);
	}
}

static void announce(struct ring *r)
{
	atomic_fetch_add(&r->waiters, 1);
	syscall(SYS_futex, &r->waiters, FUTEX_WAKE, 1, NULL, NULL, 0);
}

int main(void)
{
	int fd = demo_open(O_RDWR), status;
	unsigned long long sum = 0, want = 0;
	struct ring *r;
	pid_t child;
	uint32_t i;

	demo_empty(fd);
	demo_step("two processes map %s independently; a ring of %d slots lives in its first page",
		  demo_device, SLOTS);
	child = fork();
	if (child == 0) {
		r = map_ring();	/* the consumer */
		for (i = 0; i < MESSAGES; i++) {
			int seen = atomic_load(&r->waiters);

			while (atomic_load(&r->tail) == atomic_load(&r->head)) {
				wait_change(r, seen);
				seen = atomic_load(&r->waiters);
			}
			sum += r->slot[atomic_load(&r->tail) % SLOTS];
			atomic_fetch_add(&r->tail, 1);
			announce(r);
		}
		printf("    consumer (pid %d): received %d messages, sum %llu\n",
		       getpid(), MESSAGES, sum);
		exit(0);
	}
	r = map_ring();	/* the producer */
	for (i = 1; i <= MESSAGES; i++) {
		int seen = atomic_load(&r->waiters);

		while (atomic_load(&r->head) - atomic_load(&r->tail) == SLOTS) {
			wait_change(r, seen);
			seen = atomic_load(&r->waiters);
		}
		r->slot[atomic_load(&r->head) % SLOTS] = i;
		atomic_fetch_add(&r->head, 1);
		announce(r);
		want += i;
	}
	printf("    producer (pid %d): sent %d messages, sum %llu\n", getpid(),
	       MESSAGES, want);
	waitpid(child, &status, 0);
	demo_why("FUTEX_WAIT/FUTEX_WAKE found each other through the page's (address_space, index) key, though the two mappings are at different addresses in different processes");
	if (WIFEXITED(status) && !WEXITSTATUS(status)) {
		printf("demo 8 OK: every message crossed the ring\n");
		return 0;
	}
	printf("demo 8 FAILED\n");
	return 1;
}
