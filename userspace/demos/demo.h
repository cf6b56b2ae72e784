/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the faultmem demos: open the device, read its counters,
 * and print what happens in a uniform way:
 *   ==> what the demo does
 *       what the kernel did (counters, signals, errors)
 *   why: the reason, and where in the driver it happens
 */
#ifndef FAULTMEM_DEMO_H
#define FAULTMEM_DEMO_H

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <faultmem.h>

static const char *demo_device = "/dev/faultmem0";
/* Counters add up from module load: demos show what changed since they began. */
static struct faultmem_stats demo_base;
static int demo_have_base;

static inline long demo_page(void)
{
	return sysconf(_SC_PAGESIZE);
}

static inline struct faultmem_stats demo_stats(int fd)
{
	struct faultmem_stats s;

	if (ioctl(fd, FAULTMEM_IOC_GET_STATS, &s)) {
		perror("FAULTMEM_IOC_GET_STATS");
		exit(1);
	}
	return s;
}

static inline int demo_open(int flags)
{
	int fd = open(demo_device, flags);

	if (fd < 0) {
		fprintf(stderr, "cannot open %s: %s (is faultmem loaded? are you root?)\n",
			demo_device, strerror(errno));
		exit(1);
	}
	if (!demo_have_base) {
		demo_base = demo_stats(fd);
		demo_have_base = 1;
	}
	return fd;
}

/* Resident pages now; fault counts since the demo started. */
static inline void demo_counters(int fd, const char *when)
{
	struct faultmem_stats s = demo_stats(fd);
	unsigned long long faults = s.faults - demo_base.faults;
	unsigned long long existing = s.existing_page_faults - demo_base.existing_page_faults;
	unsigned long long sigbus = s.sigbus_faults - demo_base.sigbus_faults;

	printf("    [%s] resident pages %llu, faults %llu (new page %llu, existing %llu, SIGBUS %llu), private write faults %llu\n",
	       when, (unsigned long long)s.resident_pages, faults,
	       faults - existing - sigbus, existing, sigbus,
	       (unsigned long long)(s.private_write_faults - demo_base.private_write_faults));
}

/* Start from an empty buffer so that the counters tell a clean story. */
static inline void demo_empty(int fd)
{
	struct faultmem_range all = { 0 };

	all.length = lseek(fd, 0, SEEK_END);
	if (all.length && ioctl(fd, FAULTMEM_IOC_PUNCH_HOLE, &all))
		perror("FAULTMEM_IOC_PUNCH_HOLE");
}

static inline void demo_step(const char *fmt, ...)
{
	va_list ap;

	printf("==> ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static inline void demo_why(const char *fmt, ...)
{
	va_list ap;

	printf("    why: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* Catch one SIGBUS/SIGSEGV during an access and report what it carried. */
static sigjmp_buf demo_jump;
static volatile siginfo_t demo_info;

static void demo_on_signal(int sig, siginfo_t *info, void *uc)
{
	(void)sig;
	(void)uc;
	demo_info = *info;
	siglongjmp(demo_jump, 1);
}

/* 0 if the access completed, else the signal number (details in demo_info). */
static inline int demo_access(volatile char *p, int write)
{
	struct sigaction sa = { .sa_sigaction = demo_on_signal, .sa_flags = SA_SIGINFO };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	memset((void *)&demo_info, 0, sizeof(demo_info));
	if (sigsetjmp(demo_jump, 1))
		return demo_info.si_signo;
	if (write)
		*p = 1;
	else
		(void)*p;
	return 0;
}

static inline const char *demo_code_name(int signo, int code)
{
	if (signo == SIGBUS)
		return code == BUS_ADRERR ? "BUS_ADRERR (address beyond the object)" : "other";
	if (signo == SIGSEGV)
		return code == SEGV_ACCERR ? "SEGV_ACCERR (mapping exists, access not allowed)" :
		       code == SEGV_MAPERR ? "SEGV_MAPERR (no mapping at that address)" : "other";
	return "none";
}

#endif /* FAULTMEM_DEMO_H */
