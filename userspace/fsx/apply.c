// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultmem-fsx: applying one operation to one file. Where the device's
 * documented contract differs from a file's (docs/decisions.md: write()
 * never grows the device; punch ranges are strict), the tmpfs side is not
 * asked and answers what the contract says the device must answer.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/uio.h>
#include <unistd.h>

#include <faultmem.h>

#include "fsx.h"

static sigjmp_buf sigbus_jump;
static volatile sig_atomic_t in_mapping;

static void on_sigbus(int signo, siginfo_t *info, void *ucontext)
{
	(void)info;
	(void)ucontext;
	if (!in_mapping) {	/* not ours: die of it */
		signal(signo, SIG_DFL);
		raise(signo);
		return;
	}
	siglongjmp(sigbus_jump, 1);
}

int catch_sigbus(void)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus,
				.sa_flags = SA_SIGINFO };

	sigemptyset(&sa.sa_mask);
	return sigaction(SIGBUS, &sa, NULL);
}

/*
 * Copy through a mapping a page at a time, so that a SIGBUS stops the
 * copy at the first byte of the page that raised it, on both files alike.
 */
static void map_copy(struct fsx *f, char *dst, const char *src,
		     const struct op *op, struct result *r)
{
	volatile uint64_t done = 0;

	in_mapping = 1;
	if (sigsetjmp(sigbus_jump, 1)) {
		r->signo = SIGBUS;
	} else {
		while (done < op->len) {
			uint64_t chunk = f->page - (op->off + done) % f->page;

			if (chunk > op->len - done)
				chunk = op->len - done;
			memcpy(dst + done, src + done, chunk);
			done += chunk;
		}
	}
	in_mapping = 0;
	r->done = done;
	r->ret = done;
}

/*
 * Copy @len bytes of a mapping from its start: what compare_all() reads.
 * Returns 0, or SIGBUS when a page could not be read.
 */
int copy_from_mapping(struct fsx *f, char *dst, const char *map,
		      uint64_t len)
{
	struct op whole = { .off = 0, .len = len };
	struct result r = { 0 };

	map_copy(f, dst, map, &whole, &r);
	return r.signo;
}

/*
 * Loads and stores through the mappings. On a huge=always tmpfs the kernel
 * maps a whole huge folio across the end of the file, so its mappings
 * reach bytes past the end without SIGBUS; a file's pages (and the
 * device's) end at the end. There the tmpfs side stops at the end and
 * answers the SIGBUS a file gives.
 */
static void do_map(struct fsx *f, struct target *t, const struct op *op,
		   char *buf, struct result *r)
{
	int load = op->op == OP_MAP_LOAD || op->op == OP_PRIVATE_LOAD;
	char *map = op->op == OP_MAP_LOAD || op->op == OP_MAP_STORE ?
		    t->shared : t->private;
	struct op upto_end = *op;
	int cut = 0;

	if (f->huge && !t->device && op->off + op->len > f->size) {
		upto_end.len = op->off < f->size ? f->size - op->off : 0;
		cut = 1;
	}
	if (load)
		map_copy(f, buf, map + op->off, &upto_end, r);
	else
		map_copy(f, map + op->off, f->data, &upto_end, r);
	if (cut && !r->signo)
		r->signo = SIGBUS;
}

/*
 * How much of a write the tmpfs side writes: up to the end, as the device
 * must (a short count across the end). 0 when it must not be asked: at or
 * past the end the device's answer is ENOSPC.
 */
static uint64_t write_length(struct fsx *f, struct target *t,
			     const struct op *op, struct result *r)
{
	if (t->device)
		return op->len;
	if (op->off >= f->size) {
		r->ret = -1;
		r->err = ENOSPC;
		/* Where the device's write() and sendfile() left it. */
		if (op->op == OP_WRITE || op->op == OP_WRITEV ||
		    op->op == OP_SENDFILE_TO)
			lseek(t->fd, op->off, SEEK_SET);
		if (op->op != OP_SPLICE_TO)
			r->pos = lseek(t->fd, 0, SEEK_CUR);
		return 0;
	}
	return op->len < f->size - op->off ? op->len : f->size - op->off;
}

/* @len bytes of @buf as @nr buffers, the last taking the remainder. */
static void split_iov(struct iovec *iov, unsigned int nr, char *buf,
		      uint64_t len)
{
	uint64_t part = len / nr, at = 0;
	unsigned int i;

	for (i = 0; i < nr; i++) {
		iov[i].iov_base = buf + at;
		iov[i].iov_len = i == nr - 1 ? len - at : part;
		at += iov[i].iov_len;
	}
}

/* Empty the pipe: it is non-blocking. */
static void drain_pipe(struct fsx *f)
{
	char scrap[4096];

	while (read(f->pipe[0], scrap, sizeof(scrap)) > 0)
		;
}

/* Read what the call put into the pipe (@r->ret bytes) into @buf. */
static void take_from_pipe(struct fsx *f, char *buf, struct result *r)
{
	uint64_t got = 0;
	ssize_t n;

	while (r->ret > 0 && got < (uint64_t)r->ret) {
		n = read(f->pipe[0], buf + got, r->ret - got);
		if (n <= 0)
			break;
		got += n;
	}
	drain_pipe(f);
}

static void do_rw(struct fsx *f, struct target *t, const struct op *op,
		  char *buf, struct result *r)
{
	struct iovec iov[4];
	uint64_t len = op->len;

	switch (op->op) {
	case OP_READ:
		r->ret = lseek(t->fd, op->off, SEEK_SET);
		if (r->ret >= 0)
			r->ret = read(t->fd, buf, len);
		break;
	case OP_PREAD:
		r->ret = pread(t->fd, buf, len, op->off);
		break;
	case OP_PREADV:
		split_iov(iov, op->nr_iov, buf, len);
		r->ret = preadv(t->fd, iov, op->nr_iov, op->off);
		break;
	case OP_READV:
		split_iov(iov, op->nr_iov, buf, len);
		r->ret = lseek(t->fd, op->off, SEEK_SET);
		if (r->ret >= 0)
			r->ret = readv(t->fd, iov, op->nr_iov);
		break;
	case OP_WRITE:
		len = write_length(f, t, op, r);
		if (!len)
			return;
		r->ret = lseek(t->fd, op->off, SEEK_SET);
		if (r->ret >= 0)
			r->ret = write(t->fd, f->data, len);
		break;
	case OP_PWRITE:
		len = write_length(f, t, op, r);
		if (!len)
			return;
		r->ret = pwrite(t->fd, f->data, len, op->off);
		break;
	case OP_PWRITEV:
		len = write_length(f, t, op, r);
		if (!len)
			return;
		split_iov(iov, op->nr_iov, f->data, len);
		r->ret = pwritev(t->fd, iov, op->nr_iov, op->off);
		break;
	default:	/* OP_WRITEV */
		len = write_length(f, t, op, r);
		if (!len)
			return;
		split_iov(iov, op->nr_iov, f->data, len);
		r->ret = lseek(t->fd, op->off, SEEK_SET);
		if (r->ret >= 0)
			r->ret = writev(t->fd, iov, op->nr_iov);
		break;
	}
	r->err = r->ret < 0 ? errno : 0;
	r->pos = lseek(t->fd, 0, SEEK_CUR);
}

static void do_splice(struct fsx *f, struct target *t, const struct op *op,
		      char *buf, struct result *r)
{
	loff_t off = op->off, zero = 0;
	uint64_t len;

	switch (op->op) {
	case OP_SPLICE_FROM:
		r->ret = splice(t->fd, &off, f->pipe[1], NULL, op->len, 0);
		r->err = r->ret < 0 ? errno : 0;
		take_from_pipe(f, buf, r);
		break;
	case OP_SENDFILE_FROM:
		r->ret = sendfile(f->pipe[1], t->fd, &off, op->len);
		r->err = r->ret < 0 ? errno : 0;
		take_from_pipe(f, buf, r);
		break;
	case OP_SPLICE_TO:
		len = write_length(f, t, op, r);
		if (!len)
			return;
		if (write(f->pipe[1], f->data, len) != (ssize_t)len) {
			r->ret = -2;	/* the harness failed, not the file */
			return;
		}
		r->ret = splice(f->pipe[0], NULL, t->fd, &off, len, 0);
		r->err = r->ret < 0 ? errno : 0;
		drain_pipe(f);
		break;
	default:	/* OP_SENDFILE_TO: at the file position */
		len = write_length(f, t, op, r);
		if (!len)
			return;
		if (pwrite(f->source, f->data, len, 0) != (ssize_t)len ||
		    lseek(t->fd, op->off, SEEK_SET) < 0) {
			r->ret = -2;
			return;
		}
		r->ret = sendfile(t->fd, f->source, &zero, len);
		r->err = r->ret < 0 ? errno : 0;
		r->pos = lseek(t->fd, 0, SEEK_CUR);
		break;
	}
}

/* Resize and punch, each file the way it is done to it. */
static void do_shape(struct fsx *f, struct target *t, const struct op *op,
		     struct result *r)
{
	uint64_t size = op->off;
	struct faultmem_range range = { .offset = op->off, .length = op->len };
	int refused;

	if (op->op == OP_RESIZE) {
		refused = op->digits ? refused_by_sysfs(op, f->page) :
				       size % f->page != 0;
		if (t->device && op->digits)
			r->ret = sysfs_resize(f, op);
		else if (t->device)
			r->ret = ioctl(t->fd, FAULTMEM_IOC_SET_SIZE, &size);
		else if (!refused)
			r->ret = ftruncate(t->fd, size);
	} else {
		refused = op->off % f->page || op->len % f->page ||
			  !op->len || op->off + op->len > f->size;
		if (t->device)
			r->ret = ioctl(t->fd, FAULTMEM_IOC_PUNCH_HOLE, &range);
		else if (!refused)
			r->ret = fallocate(t->fd, FALLOC_FL_PUNCH_HOLE |
					   FALLOC_FL_KEEP_SIZE,
					   op->off, op->len);
	}
	if (!t->device && refused) {
		r->ret = -1;
		r->err = EINVAL;
		return;
	}
	r->err = r->ret < 0 ? errno : 0;
}

/*
 * Hold 64 bytes of a page of the shared mapping in a pipe (vmsplice()), or
 * let go of the page held, reading what the pipe kept. A held page of a
 * 2 MiB folio makes the device refuse to split that folio (EBUSY), which
 * main.c allows for.
 */
static void do_pin(struct fsx *f, struct target *t, const struct op *op,
		   char *buf, struct result *r)
{
	struct iovec iov = { .iov_base = t->shared + op->off, .iov_len = 64 };

	if (t->pinned) {
		r->ret = read(t->pin[0], buf, 64);
		t->pinned = 0;
	} else if (f->huge && !t->device && op->off >= f->size) {
		/* Past the end, as for loads (do_map()): a file's EFAULT. */
		r->ret = -1;
		errno = EFAULT;
	} else {
		r->ret = vmsplice(t->pin[1], &iov, 1, 0);
		t->pinned = r->ret > 0;
		memset(buf, 0, 64);
	}
	r->err = r->ret < 0 ? errno : 0;
}

/**
 * apply_op() - apply @op to the file @t
 * @f:		the run
 * @t:		the device or the tmpfs file
 * @op:		what to do
 * @buf:	where reads put the bytes (f->io_max bytes)
 * @r:		what the file answered
 */
void apply_op(struct fsx *f, struct target *t, const struct op *op,
	      char *buf, struct result *r)
{
	memset(r, 0, sizeof(*r));
	r->pos = -1;
	switch (op->op) {
	case OP_READ:
	case OP_PREAD:
	case OP_PREADV:
	case OP_READV:
	case OP_WRITE:
	case OP_PWRITE:
	case OP_PWRITEV:
	case OP_WRITEV:
		do_rw(f, t, op, buf, r);
		break;
	case OP_MAP_LOAD:
	case OP_PRIVATE_LOAD:
	case OP_MAP_STORE:
	case OP_PRIVATE_STORE:
		do_map(f, t, op, buf, r);
		break;
	case OP_SPLICE_FROM:
	case OP_SPLICE_TO:
	case OP_SENDFILE_FROM:
	case OP_SENDFILE_TO:
		do_splice(f, t, op, buf, r);
		break;
	case OP_SEEK_DATA:
	case OP_SEEK_HOLE:
		r->ret = lseek(t->fd, op->off, op->op == OP_SEEK_DATA ?
			       SEEK_DATA : SEEK_HOLE);
		r->err = r->ret < 0 ? errno : 0;
		break;
	case OP_PIN:
		do_pin(f, t, op, buf, r);
		break;
	default:
		do_shape(f, t, op, r);
		break;
	}
}
