// SPDX-License-Identifier: GPL-2.0-only
/*
 * Concurrent first touches of one page, from several threads and several
 * processes at once, must install one page: every writer's bytes survive.
 * If two faults each inserted their own page, one writer's byte would land
 * in a page that is then lost. The per-CPU event counters, incremented on
 * both CPUs at once, must still add up exactly.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>

#include "faultmem_test.h"
#include "kselftest_harness.h"

#define THREADS		4
#define PROCESSES	4
#define ROUNDS		200	/* every run does at least these */
#define RACE_SECONDS	30	/* and goes on until a race was lost */

/* Control block in anonymous shared memory, seen by all writers. */
struct start_line {
	atomic_int round;	/* writers wait for this to change; -1: stop */
	atomic_int done;	/* writers that finished the round */
};

struct writer {
	struct start_line *line;
	volatile char *page;	/* the device page under test */
	int id;
};

static void write_rounds(struct start_line *line, volatile char *page, int id,
			 long page_size)
{
	int r, round;

	for (r = 1;; r++) {
		while ((round = atomic_load(&line->round)) >= 0 && round < r)
			sched_yield();
		if (round < 0)
			return;
		/* Each round uses another page, so every touch is a first one. */
		page[(r % 64) * page_size + id] = (char)(id + 1);
		atomic_fetch_add(&line->done, 1);
	}
}

/* How many first touches lost the insertion race since @before. */
static unsigned long long races_since(int fd,
				      const struct faultmem_stats *before)
{
	return fm_stats(fd).insert_races - before->insert_races;
}

static void *thread_main(void *arg)
{
	struct writer *w = arg;

	write_rounds(w->line, w->page, w->id, fm_page_size());
	return NULL;
}

TEST(concurrent_first_touch_installs_one_page)
{
	long page = fm_page_size();
	size_t len = 64 * page;
	int fd = fm_open(O_RDWR), writers = THREADS + PROCESSES, rounds, r, i;
	struct writer w[THREADS];
	pthread_t threads[THREADS];
	pid_t pids[PROCESSES];
	struct faultmem_stats before, after;
	struct start_line *line;
	time_t deadline;
	char *map;

	line = mmap(NULL, sizeof(*line), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, line);
	ASSERT_NE(MAP_FAILED, map);

	for (i = 0; i < PROCESSES; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			/* Own open, own mapping: a different VMA racing. */
			int cfd = fm_open(O_RDWR);
			char *cmap = mmap(NULL, len, PROT_READ | PROT_WRITE,
					  MAP_SHARED, cfd, 0);

			if (cmap == MAP_FAILED)
				_exit(2);
			write_rounds(line, cmap, THREADS + i, page);
			_exit(0);
		}
	}
	before = fm_stats(fd);
	for (i = 0; i < THREADS; i++) {
		w[i] = (struct writer){ line, map, i };
		ASSERT_EQ(0, pthread_create(&threads[i], NULL, thread_main, &w[i]));
	}

	/*
	 * The losers' path must run too: a first touch that allocated a
	 * page and found the winner's inserted (the -EEXIST retry), with no
	 * write lost. Eight writers on two CPUs usually lose that race
	 * dozens of times in ROUNDS rounds, but under emulation a boot's
	 * timing can make it rare (0 of 1600 once on 6.12), so the rounds go
	 * on until it was lost once or RACE_SECONDS have passed. None by
	 * then means the retry never runs.
	 */
	deadline = time(NULL) + RACE_SECONDS;
	for (r = 1; r <= ROUNDS ||
		    (!races_since(fd, &before) && time(NULL) < deadline); r++) {
		char *target = map + (r % 64) * page;
		int lost = 0;

		/* Make the round's page absent, then release the writers. */
		ASSERT_EQ(0, fm_punch(fd, (r % 64) * page, page));
		atomic_store(&line->done, 0);
		atomic_store(&line->round, r);
		while (atomic_load(&line->done) < writers)
			sched_yield();
		for (i = 0; i < writers; i++)
			lost += target[i] != (char)(i + 1);
		EXPECT_EQ(0, lost) TH_LOG("round %d lost %d writes", r, lost);
	}

	rounds = r - 1;
	atomic_store(&line->round, -1);
	for (i = 0; i < THREADS; i++)
		pthread_join(threads[i], NULL);
	for (i = 0; i < PROCESSES; i++) {
		int status;

		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_EQ(0, status);
	}
	/*
	 * One page per round, whoever won; every other fault of the round
	 * found it (none was past the end).
	 */
	after = fm_stats(fd);
	EXPECT_EQ(rounds, after.pages_allocated - before.pages_allocated);
	EXPECT_EQ(rounds, (after.faults - before.faults) -
			  (after.existing_page_faults - before.existing_page_faults));
	EXPECT_EQ(0, after.sigbus_faults - before.sigbus_faults);
	EXPECT_LT(0, after.insert_races - before.insert_races);
	printf("# race: %llu of %d first touches lost the insertion race\n",
	       (unsigned long long)(after.insert_races - before.insert_races),
	       rounds * writers);
	munmap(map, len);
	close(fd);
}

TEST_HARNESS_MAIN
