// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultmem touch: map the device and read or write one byte of each page
 * given, saying which pages raise SIGBUS (beyond the end of the device,
 * or a fault-injection rule) and why.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"

const char touch_usage[] =
	"usage: faultmem touch [-r] DEVICE PAGE...\n"
	"\n"
	"Map the device and fault each PAGE in for writing, changing no byte\n"
	"(MADV_POPULATE_WRITE), saying which pages give SIGBUS and why: past the end\n"
	"of the device, or a fault-injection rule. Exits 1 if one did.\n"
	"\n"
	"  -r          read a byte of each page instead\n"
	"  -h, --help  this text\n";

static sigjmp_buf touch_jump;

/* What the last SIGBUS said: si_code (BUS_ADRERR, BUS_MCEERR_AR). */
static volatile int touch_code;

static void on_touch_signal(int sig, siginfo_t *info, void *uc)
{
	(void)uc;
	touch_code = info->si_code;
	siglongjmp(touch_jump, sig);
}

/*
 * Why a page gave SIGBUS: beyond the end of the device, a memory error
 * (a hwpoison rule), or an I/O error inside the device (a sigbus or
 * nospace rule).
 */
static const char *sigbus_reason(int code, uint64_t page, long page_size,
				 int fd)
{
	if (code == BUS_MCEERR_AR)
		return "BUS_MCEERR_AR: a memory error";
	if ((page + 1) * page_size > (uint64_t)lseek(fd, 0, SEEK_END))
		return "beyond the end of the device";
	return "BUS_ADRERR: an injected fault";
}

/*
 * The pages to touch, argv[0..n), parsed into @pages; the largest in
 * @max. A page whose end is past the largest offset a mapping can have
 * (off_t, and the size of the whole mapping in size_t) is a usage error:
 * (max + 1) * page_size would wrap, and the wrapped mapping would touch
 * another page than the one asked for.
 */
static int parse_pages(char **argv, int n, long page, uint64_t *pages,
		       uint64_t *max)
{
	uint64_t limit = (uint64_t)INT64_MAX / page - 1;
	int i;

	if ((uint64_t)SIZE_MAX / page - 1 < limit)
		limit = (uint64_t)SIZE_MAX / page - 1;
	*max = 0;
	for (i = 0; i < n; i++) {
		if (parse_uint(argv[i], UINT64_MAX, &pages[i]))
			return usage_error("touch: '%s' is not a page number", argv[i]);
		if (pages[i] > limit)
			return usage_error("touch: page '%s' is beyond the largest offset a mapping can reach (page %" PRIu64 ")",
					   argv[i], limit);
		if (pages[i] > *max)
			*max = pages[i];
	}
	return 0;
}

/*
 * Fault one page in for writing without changing a byte of it, as a store
 * would: MADV_POPULATE_WRITE (Linux 5.14) takes the same write fault a
 * store takes when the page is not mapped writable, and none when it is.
 * A store of the byte read ("*addr = *addr") would fault as a read first
 * and could undo another process's write in between. A locked OR of zero
 * is one write access on hardware, but QEMU's single-threaded TCG
 * emulates it as a load then a store, so it faulted as a read there.
 * Beyond the end of the device the fault handler's VM_FAULT_SIGBUS comes
 * back as EFAULT instead of the signal, and VM_FAULT_HWPOISON as
 * EHWPOISON.
 *
 * Return: 0, SIGBUS (touch_code says why), -1 (reported) on any other
 * error.
 */
static int write_fault(volatile char *addr, long page)
{
	if (!madvise((void *)addr, page, MADV_POPULATE_WRITE))
		return 0;
	if (errno == EFAULT || errno == EHWPOISON) {
		touch_code = errno == EFAULT ? BUS_ADRERR : BUS_MCEERR_AR;
		return SIGBUS;
	}
	warn("madvise(MADV_POPULATE_WRITE)");
	return -1;
}

/* What faultmem touch is asked: the access, and the pages as given. */
struct touch {
	int write_access;
	long page_size;
	char **args;		/* the PAGE arguments */
	uint64_t *pages;	/* their numbers */
	int n;
	uint64_t max_page;
};

/*
 * The options, DEVICE (into *@dev) and the pages of faultmem touch into
 * @t: 0, 1 (out of memory) or EXIT_USAGE after the message.
 */
static int parse_touch(int argc, char **argv, struct touch *t,
		       const char **dev)
{
	int opt;

	/* "+": parsing stops at DEVICE, so that a PAGE "-1" is named whole. */
	while ((opt = next_option("touch", argc, argv, "+:hr", help_only)) != -1) {
		if (opt == BAD_OPTION)
			return EXIT_USAGE;
		t->write_access = 0;
	}
	if (argc < optind + 2)
		return usage_error("touch: need DEVICE and at least one PAGE");
	*dev = argv[optind];
	t->args = argv + optind + 1;
	t->n = argc - optind - 1;
	t->pages = calloc(t->n, sizeof(*t->pages));
	if (!t->pages)
		return 1;
	return parse_pages(t->args, t->n, t->page_size, t->pages, &t->max_page);
}

/*
 * Touch page @i of @t in the mapping @map of the device open at @fd, and
 * say how it went: 0, or 1 if it gave a signal.
 */
static int touch_one(const struct touch *t, char *map, int i, int fd)
{
	volatile char *addr = map + t->pages[i] * t->page_size;
	int sig;

	sig = sigsetjmp(touch_jump, 1);
	if (!sig && t->write_access)
		sig = write_fault(addr, t->page_size);
	else if (!sig)
		(void)*addr;
	if (!sig)
		printf("page %s: %s\n", t->args[i], t->write_access ? "written" : "read");
	else if (sig == SIGBUS)
		printf("page %s: SIGBUS (%s)\n", t->args[i],
		       sigbus_reason(touch_code, t->pages[i], t->page_size, fd));
	return !!sig;
}

int cmd_touch(int argc, char **argv)
{
	struct touch t = { .write_access = 1, .page_size = sysconf(_SC_PAGESIZE) };
	int fd, i, failed = 0, ret;
	const char *dev = NULL;
	struct sigaction sa;
	size_t len;
	char *map;

	ret = parse_touch(argc, argv, &t, &dev);
	if (ret) {
		free(t.pages);
		return ret;
	}
	fd = open_device(dev, t.write_access ? O_RDWR : O_RDONLY);
	if (fd < 0)
		return 1;
	/* Like a file: the mapping may extend past the end of the device. */
	len = (t.max_page + 1) * t.page_size;
	map = mmap(NULL, len, t.write_access ? PROT_READ | PROT_WRITE : PROT_READ,
		   MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		warn("mmap of %zu bytes", len);
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_touch_signal;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGBUS, &sa, NULL);
	for (i = 0; i < t.n; i++)
		failed |= touch_one(&t, map, i, fd);
	munmap(map, len);
	close(fd);
	free(t.pages);
	return failed;
}
