// SPDX-License-Identifier: GPL-2.0-only
/*
 * Process-shared synchronisation inside the buffer. A shared futex is
 * keyed by the page's address_space and index, so it only works between
 * processes when the driver's pages belong to a mapping (they do: the
 * device's page cache). On drivers whose pages have no ->mapping,
 * FUTEX_WAIT on a shared mapping fails with EFAULT.
 *
 * Each process opens and maps the device itself, at different addresses,
 * so nothing but the device links them.
 */
#include <linux/futex.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <sys/syscall.h>

#include "faultmem_test.h"
#include "kselftest_harness.h"

#define ROUNDS 200

static void *map_fresh(size_t len)
{
	int fd = fm_open(O_RDWR);
	void *map;

	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return map;
}

static long futex(atomic_int *uaddr, int op, int val)
{
	return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

/* Both processes wait for their turn on one futex word. */
static int futex_ping_pong(atomic_int *word, int me)
{
	int i;

	for (i = 0; i < ROUNDS; i++) {
		int seen;

		while ((seen = atomic_load(word)) % 2 != me) {
			if (futex(word, FUTEX_WAIT, seen) && errno != EAGAIN &&
			    errno != EINTR)
				return -errno;
		}
		atomic_fetch_add(word, 1);
		if (futex(word, FUTEX_WAKE, 1) < 0)
			return -errno;
	}
	return 0;
}

TEST(shared_futex_between_processes)
{
	long page = fm_page_size();
	int fd = fm_open(O_RDWR), status;
	atomic_int *word;
	pid_t pid;

	ASSERT_EQ(0, fm_punch_all(fd));
	close(fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *guard = mmap(NULL, page, PROT_NONE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		char *map = map_fresh(2 * page);

		(void)guard;
		if (map == MAP_FAILED)
			_exit(3);
		_exit(futex_ping_pong((atomic_int *)(map + page), 1) ? 1 : 0);
	}
	word = (atomic_int *)((char *)map_fresh(2 * page) + page);
	ASSERT_EQ(0, futex_ping_pong(word, 0))
		TH_LOG("FUTEX_WAIT/WAKE failed: %s", strerror(errno));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(2 * ROUNDS, atomic_load(word));
}

struct locked_counter {
	pthread_mutex_t mutex;
	sem_t sem;
	long by_mutex;
	long by_sem;
};

static void bump(struct locked_counter *c)
{
	int i;

	for (i = 0; i < 2000; i++) {
		pthread_mutex_lock(&c->mutex);
		c->by_mutex++;
		if (i % 64 == 0)
			sched_yield();
		pthread_mutex_unlock(&c->mutex);

		sem_wait(&c->sem);
		c->by_sem++;
		sem_post(&c->sem);
	}
}

/* PTHREAD_PROCESS_SHARED mutex and sem_init(pshared=1) in the buffer. */
TEST(process_shared_mutex_and_semaphore)
{
	int fd = fm_open(O_RDWR), status[4], i;
	struct locked_counter *c;
	pthread_mutexattr_t attr;
	pid_t pids[4];

	ASSERT_EQ(0, fm_punch_all(fd));
	close(fd);
	c = map_fresh(fm_page_size());
	ASSERT_NE(MAP_FAILED, c);
	pthread_mutexattr_init(&attr);
	ASSERT_EQ(0, pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED));
	ASSERT_EQ(0, pthread_mutex_init(&c->mutex, &attr));
	ASSERT_EQ(0, sem_init(&c->sem, 1, 1));

	for (i = 0; i < 4; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			/* Re-map independently: only the device is shared. */
			struct locked_counter *mine = map_fresh(fm_page_size());

			if (mine == MAP_FAILED)
				_exit(3);
			bump(mine);
			_exit(0);
		}
	}
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status[i], 0));
		EXPECT_EQ(0, status[i]);
	}
	EXPECT_EQ(4 * 2000, c->by_mutex);
	EXPECT_EQ(4 * 2000, c->by_sem);
}

TEST_HARNESS_MAIN
