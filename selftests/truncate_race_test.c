// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hardest race in the driver, with no lock to soften it: faults,
 * read() and write() on the very pages that a shrink or a hole punch is
 * removing, on 4 KiB pages and on 2 MiB folios (whose splitting a punch
 * or shrink through them needs).
 *
 * Worker threads stamp pages (through a shared mapping, and with
 * pwrite()) and read them back (through the mapping, and with pread())
 * at random, while the controller shrinks, regrows and punches at random.
 * Every byte of page p is written only as tag(p), so:
 *  - every byte anyone sees is 0 or tag(p): never another page's data;
 *  - an access gets SIGBUS (a read() 0 bytes, a write() ENOSPC) only at
 *    offsets that were beyond the size at some moment of the access, and
 *    always does beyond a size that held for the whole access: the
 *    controller publishes the size with a sequence count (odd while a
 *    resize runs), read before and after each access;
 *  - no page is ever resident beyond the end, checked right after each
 *    shrink returns and again before each resize or punch (one inserted by
 *    a fault or write() that checked the old size, late, would come back
 *    stale when the device grows again);
 *  - a resize or punch fails only with EBUSY (a folio held by a copy in
 *    flight could not be split), and then changed nothing.
 * A second case narrows the race to its most likely form: one thread
 * faults the last pages in again and again while the controller cuts them
 * off and restores them, hundreds of times a second.
 * The deterministic checks of those rules are in resize_test, huge_test
 * and stress_test (whose model is exact because it never races them).
 */
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <time.h>

#include "faultmem_test.h"
#include "kselftest_harness.h"

#define MIB		(1024L * 1024)
#define MAX_SIZE	(8 * MIB)
#define WORKERS		3
/* How many last pages the refaulter faults, half of them cut off. */
#define TAIL_PAGES	64

struct race {
	int fd;
	char *map;
	long page;
	atomic_ulong seq;	/* odd while a resize runs */
	atomic_long size;	/* the size between resizes */
	atomic_int stop;
	atomic_int failed;
	char failure[512];
	atomic_long accesses, sigbus, short_io;
};

static struct race r;

/* What every byte of page @p is written as: never 0, differs nearby. */
static unsigned char tag(long p)
{
	return (unsigned char)(p % 251 + 1);
}

static void fail(const char *fmt, ...)
{
	va_list ap;

	if (atomic_exchange(&r.failed, 1) == 0) {
		va_start(ap, fmt);
		vsnprintf(r.failure, sizeof(r.failure), fmt, ap);
		va_end(ap);
	}
	atomic_store(&r.stop, 1);
}

static __thread sigjmp_buf jump;
static __thread volatile int in_access;
static __thread void *volatile bus_addr;

static void on_sigbus(int signo, siginfo_t *info, void *uc)
{
	(void)signo;
	(void)uc;
	if (!in_access) {
		/* Not in a guarded access: a real bug; report and stop. */
		fail("SIGBUS outside a device access at %p", info->si_addr);
		_exit(3);
	}
	bus_addr = info->si_addr;
	siglongjmp(jump, 1);
}

/* A stable size: wait out a resize in progress. */
static unsigned long begin_access(long *size)
{
	unsigned long seq;

	while ((seq = atomic_load(&r.seq)) & 1)
		sched_yield();
	*size = atomic_load(&r.size);
	return seq;
}

/*
 * 1 if the size held for the whole access that began at @seq: no resize
 * ran at the start (odd) or began since.
 */
static int size_held(unsigned long seq)
{
	return !(seq & 1) && atomic_load(&r.seq) == seq;
}

/* Each byte of [buf, buf + len), page @p's, must be 0 or tag(p). */
static void check_bytes(const volatile unsigned char *buf, long len, long p,
			const char *how)
{
	long i;

	for (i = 0; i < len; i++) {
		/* Once: a punch may zero the byte between two loads. */
		unsigned char c = buf[i];

		if (c && c != tag(p)) {
			fail("%s: page %ld byte %ld holds %#x: neither 0 nor its tag %#x",
			     how, p, i, c, tag(p));
			return;
		}
	}
}

/*
 * Store tag(p) into, or check, [off, off + len) of page @p through the
 * mapping, catching SIGBUS; @size and @seq are from begin_access().
 */
static void map_access(long p, off_t off, long len, int store, long size,
		       unsigned long seq)
{
	int faulted = 0;

	in_access = 1;
	if (sigsetjmp(jump, 1) == 0) {
		if (store)
			memset(r.map + off, tag(p), len);
		else
			check_bytes((unsigned char *)r.map + off, len, p, "mapping");
	} else {
		faulted = 1;
	}
	in_access = 0;
	if (faulted) {
		long at = (char *)bus_addr - r.map;

		atomic_fetch_add(&r.sigbus, 1);
		if (at < off || at >= off + len)
			fail("SIGBUS at offset %ld, outside the access [%ld, %ld)",
			     at, (long)off, (long)(off + len));
		else if (at < size && size_held(seq))
			fail("SIGBUS at offset %ld, inside the size %ld that held throughout",
			     at, size);
	} else if (size_held(seq) && off >= size) {
		fail("no SIGBUS at offset %ld, at or beyond the size %ld",
		     (long)off, size);
	}
}

/* One access to [off, off + len) of page @p by mapping or syscall. */
static void access_once(unsigned int *rnd, unsigned char *buf)
{
	long p = rand_r(rnd) % (MAX_SIZE / r.page), size;
	long start = rand_r(rnd) % r.page, len = 1 + rand_r(rnd) % (r.page - start);
	off_t off = p * r.page + start;
	int op = rand_r(rnd) % 4;
	unsigned long seq = begin_access(&size);
	int beyond = off + len > size;
	ssize_t n = 0;

	atomic_fetch_add(&r.accesses, 1);
	switch (op) {
	case 0:	/* store through the mapping */
	case 1:	/* load through the mapping */
		map_access(p, off, len, op == 0, size, seq);
		break;
	case 2:	/* write() */
		memset(buf, tag(p), len);
		n = pwrite(r.fd, buf, len, off);
		if (n < 0 && errno != ENOSPC)
			fail("pwrite at %ld: %s", (long)off, strerror(errno));
		else if (n < 0 && off < size && size_held(seq))
			fail("pwrite at %ld: ENOSPC inside the size %ld", (long)off, size);
		else if (n != len && size_held(seq) && !beyond)
			fail("pwrite at %ld: %zd of %ld bytes inside the size", (long)off, n, len);
		else if (n >= 0 && off >= size && size_held(seq))
			fail("pwrite at %ld wrote at or beyond the size %ld", (long)off, size);
		if (n != len)
			atomic_fetch_add(&r.short_io, 1);
		break;
	case 3:	/* read() */
		n = pread(r.fd, buf, len, off);
		if (n < 0) {
			fail("pread at %ld: %s", (long)off, strerror(errno));
			break;
		}
		check_bytes(buf, n, p, "pread");
		if (n != len && size_held(seq) && !beyond)
			fail("pread at %ld: %zd of %ld bytes inside the size", (long)off, n, len);
		else if (n > 0 && off >= size && size_held(seq))
			fail("pread at %ld read data at or beyond the size %ld", (long)off, size);
		if (n != len)
			atomic_fetch_add(&r.short_io, 1);
		break;
	}
}

static void *worker(void *arg)
{
	unsigned int rnd = (unsigned int)(uintptr_t)arg * 7919 + 1;
	unsigned char *buf = malloc(r.page);

	if (!buf)
		return NULL;
	while (!atomic_load(&r.stop))
		access_once(&rnd, buf);
	free(buf);
	return NULL;
}

/* Pages resident in [from, MAX_SIZE), by the residency ioctl. */
static long resident_from(long from)
{
	static unsigned char bits[MAX_SIZE / 4096 / 8 + 1];
	struct faultmem_residency res = {
		.first_page = from / r.page,
		.nr_pages = (MAX_SIZE - from) / r.page,
		.bitmap = (uintptr_t)bits,
	};

	if (!res.nr_pages)
		return 0;
	if (ioctl(r.fd, FAULTMEM_IOC_GET_RESIDENCY, &res))
		return -1;
	return res.resident;
}

/*
 * No page may be resident at or beyond @size, the size that holds: a
 * fault or write() beyond it gets SIGBUS or ENOSPC and inserts nothing.
 */
static void check_nothing_beyond(long size, const char *when)
{
	long resident = resident_from(size);

	if (resident < 0)
		fail("FAULTMEM_IOC_GET_RESIDENCY: %s", strerror(errno));
	else if (resident)
		fail("%ld pages resident beyond the end %ld %s",
		     resident, size, when);
}

struct tally {
	long resizes, punches, busy;
};

/*
 * Resize to @new_size, checked: it succeeds, or fails with EBUSY and
 * changes nothing; published to the accessors with the sequence count.
 */
static void resize_checked(long new_size, struct tally *t)
{
	long size = atomic_load(&r.size);
	uint64_t now;
	int err;

	atomic_fetch_add(&r.seq, 1);
	err = fm_set_size(r.fd, new_size);
	if (ioctl(r.fd, FAULTMEM_IOC_GET_SIZE, &now))
		fail("GET_SIZE: %s", strerror(errno));
	if (!err) {
		t->resizes++;
		atomic_store(&r.size, new_size);
		if (now != (uint64_t)new_size)
			fail("size %llu after a resize to %ld",
			     (unsigned long long)now, new_size);
	} else if (err == -EBUSY) {
		t->busy++;
		if (now != (uint64_t)size)
			fail("a resize failed with EBUSY and changed the size to %llu",
			     (unsigned long long)now);
	} else {
		fail("resize to %ld: %s", new_size, strerror(-err));
	}
	atomic_fetch_add(&r.seq, 1);
	if (!err && new_size < size)
		check_nothing_beyond(new_size, "right after a shrink");
}

/* One random resize or punch, checked. */
static void control_once(unsigned int *rnd, struct tally *t)
{
	long pages = MAX_SIZE / r.page, size = atomic_load(&r.size);
	int err;

	check_nothing_beyond(size, "between resizes");
	if (rand_r(rnd) % 3) {
		long new_size = (rand_r(rnd) % (pages + 1)) * r.page;

		/* Grow back often: most accesses should find pages. */
		if (rand_r(rnd) % 2)
			new_size = MAX_SIZE;
		resize_checked(new_size, t);
	} else if (size) {
		long first = rand_r(rnd) % (size / r.page);
		long len = 1 + rand_r(rnd) % (size / r.page - first);

		/* The controller alone resizes: the size cannot change here. */
		err = fm_punch(r.fd, first * r.page, len * r.page);
		if (!err)
			t->punches++;
		else if (err == -EBUSY)
			t->busy++;
		else
			fail("punch [%ld, +%ld) pages: %s", first, len, strerror(-err));
	}
}

/*
 * The last TAIL_PAGES pages, faulted in over and over: MADV_DONTNEED drops
 * the PTEs (not the pages), so each store faults again, and a write fault
 * on a shared mapping always reaches faultmem_fault() (fault-around serves
 * only read faults). It does not wait out a resize, so that its faults
 * meet the shrinks; an access that began during one is not judged.
 */
static void *refaulter(void *arg)
{
	long first = MAX_SIZE / r.page - TAIL_PAGES, p, size;
	unsigned long seq;

	(void)arg;
	while (!atomic_load(&r.stop)) {
		if (madvise(r.map + first * r.page, TAIL_PAGES * r.page,
			    MADV_DONTNEED))
			fail("MADV_DONTNEED: %s", strerror(errno));
		for (p = first; p < MAX_SIZE / r.page; p++) {
			seq = atomic_load(&r.seq);
			size = atomic_load(&r.size);
			atomic_fetch_add(&r.accesses, 1);
			map_access(p, p * r.page, 1, 1, size, seq);
		}
	}
	return NULL;
}

/* The seconds a case races: a third of FAULTMEM_STRESS_SECONDS, 5 to 20. */
static long race_seconds(void)
{
	const char *env = getenv("FAULTMEM_STRESS_SECONDS");
	long seconds = env ? atol(env) / 3 : 20;

	return seconds < 5 ? 5 : seconds > 20 ? 20 : seconds;
}

/*
 * Map the whole device shared and catch SIGBUS in the accessors: what
 * both cases start with. 0, or -1 with errno set.
 */
static int map_the_device(void)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO };

	r.map = mmap(NULL, MAX_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, r.fd, 0);
	if (r.map == MAP_FAILED)
		return -1;
	atomic_store(&r.size, MAX_SIZE);
	return sigaction(SIGBUS, &sa, NULL);
}

FIXTURE(race) {
	off_t initial;
};

FIXTURE_VARIANT(race) {
	const char *huge;
};

FIXTURE_VARIANT_ADD(race, small) {
	.huge = "never",
};

FIXTURE_VARIANT_ADD(race, huge) {
	.huge = "always",
};

FIXTURE_SETUP(race)
{
	memset(&r, 0, sizeof(r));
	r.page = fm_page_size();
	r.fd = fm_open(O_RDWR);
	self->initial = lseek(r.fd, 0, SEEK_END);
	if (strcmp(variant->huge, "never") &&
	    access("/sys/kernel/mm/transparent_hugepage", F_OK))
		SKIP(return, "kernel without transparent huge pages");
	ASSERT_EQ(0, fm_set_size(r.fd, MAX_SIZE));
	ASSERT_EQ(0, fm_punch_all(r.fd));
	ASSERT_EQ(0, fm_sysfs_write("huge", variant->huge));
}

FIXTURE_TEARDOWN(race)
{
	fm_sysfs_write("huge", "never");
	fm_punch_all(r.fd);
	fm_set_size(r.fd, self->initial);
	close(r.fd);
}

TEST_F_TIMEOUT(race, faults_and_io_race_shrinks_and_punches, 300)
{
	long seconds = race_seconds();
	unsigned int rnd = 12345;
	struct tally t = { 0 };
	pthread_t threads[WORKERS];
	time_t end;
	int i;

	FM_RETURN_IF_SKIPPED();
	ASSERT_EQ(0, map_the_device());

	for (i = 0; i < WORKERS; i++)
		ASSERT_EQ(0, pthread_create(&threads[i], NULL, worker,
					    (void *)(uintptr_t)(i + 1)));
	end = time(NULL) + seconds;
	while (time(NULL) < end && !atomic_load(&r.stop)) {
		control_once(&rnd, &t);
		usleep(rand_r(&rnd) % 2000);
	}
	atomic_store(&r.stop, 1);
	for (i = 0; i < WORKERS; i++)
		pthread_join(threads[i], NULL);

	printf("# truncate race (%s): %ld accesses, %ld SIGBUS, %ld short read()/write(), %ld resizes, %ld punches, %ld EBUSY in %ld s\n",
	       variant->huge, atomic_load(&r.accesses), atomic_load(&r.sigbus),
	       atomic_load(&r.short_io), t.resizes, t.punches, t.busy, seconds);
	EXPECT_EQ(0, atomic_load(&r.failed)) TH_LOG("%s", r.failure);
	/* It raced: accesses beyond the end, and the size changed often. */
	EXPECT_LT(0, atomic_load(&r.sigbus));
	EXPECT_LT(10, t.resizes);
	EXPECT_LT(5, t.punches);
	munmap(r.map, MAX_SIZE);
}

/*
 * The race at its narrowest, hundreds of times a second: the refaulter
 * faults the last pages in while the controller cuts half of them off and
 * restores them. A fault that checked the size before a shrink and
 * inserted its page after it leaves a page beyond the end, which the
 * controller looks for right after the shrink and again, after the fault
 * had time to finish, before it grows the device back.
 */
TEST_F_TIMEOUT(race, faults_race_shrinks_of_the_pages_they_fault, 300)
{
	/* 5 s is plenty: the mutant that races it fails within one. */
	long seconds = 5;
	long cut = MAX_SIZE - TAIL_PAGES / 2 * r.page;
	unsigned int rnd = 54321;
	struct tally t = { 0 };
	pthread_t thread;
	time_t end;

	FM_RETURN_IF_SKIPPED();
	ASSERT_EQ(0, map_the_device());

	ASSERT_EQ(0, pthread_create(&thread, NULL, refaulter, NULL));
	end = time(NULL) + seconds;
	while (time(NULL) < end && !atomic_load(&r.stop)) {
		resize_checked(cut, &t);
		usleep(rand_r(&rnd) % 200);
		check_nothing_beyond(atomic_load(&r.size), "before a grow");
		resize_checked(MAX_SIZE, &t);
		usleep(rand_r(&rnd) % 200);
	}
	atomic_store(&r.stop, 1);
	pthread_join(thread, NULL);

	printf("# truncate race at the end (%s): %ld stores, %ld SIGBUS, %ld resizes, %ld EBUSY in %ld s\n",
	       variant->huge, atomic_load(&r.accesses), atomic_load(&r.sigbus),
	       t.resizes, t.busy, seconds);
	EXPECT_EQ(0, atomic_load(&r.failed)) TH_LOG("%s", r.failure);
	EXPECT_LT(0, atomic_load(&r.sigbus));
	EXPECT_LT(100, t.resizes);
	munmap(r.map, MAX_SIZE);
}

TEST_HARNESS_MAIN
