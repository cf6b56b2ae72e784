/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultmem-fsx: a differential exerciser in the spirit of xfstests' fsx.
 * Every operation is applied to the device and to a tmpfs file of the same
 * size, and what each answers is compared: return values, errnos, the
 * bytes read, the signals a mapping raises, and every byte of both now and
 * then. The operations and their offsets come from a seeded generator, so
 * that a seed and a count replay a run exactly.
 */
#ifndef FAULTMEM_FSX_H
#define FAULTMEM_FSX_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/*
 * Exit status of a usage error, or of files that cannot be set up as
 * asked; 1 means the two files disagreed.
 */
#define EXIT_USAGE 2

/* Every operation: its name in logs and in -x/-o lists. */
#define FSX_OPS(X)					\
	X(READ, "read")					\
	X(PREAD, "pread")				\
	X(PREADV, "preadv")				\
	X(READV, "readv")				\
	X(WRITE, "write")				\
	X(PWRITE, "pwrite")				\
	X(PWRITEV, "pwritev")				\
	X(WRITEV, "writev")				\
	X(MAP_LOAD, "mapread")				\
	X(MAP_STORE, "mapwrite")			\
	X(PRIVATE_LOAD, "privread")			\
	X(PRIVATE_STORE, "privwrite")			\
	X(SPLICE_FROM, "splice-read")			\
	X(SPLICE_TO, "splice-write")			\
	X(SENDFILE_FROM, "sendfile-read")		\
	X(SENDFILE_TO, "sendfile-write")		\
	X(SEEK_DATA, "seek-data")			\
	X(SEEK_HOLE, "seek-hole")			\
	X(RESIZE, "resize")				\
	X(PUNCH, "punch")				\
	X(PIN, "pin")

#define FSX_ENUM(op, name) OP_##op,
enum fsx_op { FSX_OPS(FSX_ENUM) NR_OPS };
#undef FSX_ENUM

extern const char *const op_names[NR_OPS];

/* One operation as drawn: the same for both files. */
struct op {
	enum fsx_op op;
	uint64_t off;		/* byte offset; the new size for RESIZE */
	uint64_t len;		/* bytes */
	unsigned int nr_iov;	/* vectored I/O: buffers 1..4 */
	unsigned int digits;	/* RESIZE: 0 by ioctl, else through sysfs
				 * with at least this many digits */
	uint64_t data_seed;	/* what a write writes; RESIZE: the form */
};

/* One of the two files, and its two mappings of the largest size. */
struct target {
	const char *name;	/* "device" or "tmpfs" */
	const char *path;
	int device;		/* 1: /dev/faultmemN's rules apply */
	int fd;
	char *shared;		/* MAP_SHARED */
	char *private;		/* MAP_PRIVATE */
	int pin[2];		/* a pipe holding a page of it (vmsplice) */
	int pinned;		/* the pipe holds one */
};

/* What one file answered. */
struct result {
	long long ret;		/* the call's return value */
	int err;		/* errno when ret is -1 */
	int signo;		/* mappings: SIGBUS met, else 0 */
	uint64_t done;		/* mappings: bytes copied before it */
	long long pos;		/* the file position after read/write */
};

/* The run: its settings and state. */
struct fsx {
	uint64_t seed;
	uint64_t nr_ops;	/* 0: until -t runs out */
	unsigned int seconds;	/* 0: no time limit */
	uint64_t max_size;	/* mappings' length, sizes up to it */
	uint64_t size;		/* the size both files have now */
	uint64_t compare_every;
	uint64_t io_max;	/* the longest read or write */
	long page;
	uint64_t folio;		/* the huge page size (offsets aim at it) */
	int huge;		/* -H: no SEEK_DATA/SEEK_HOLE (docs) */
	int verbose;
	unsigned int enabled;	/* a bit per enum fsx_op */
	struct target dev, tmp;
	char *buf[2], *data;	/* one per target; what writes write */
	int pipe[2];		/* splice and sendfile go through it */
	int source;		/* a memfd: what sendfile-write sends */
	uint64_t pin_off;	/* the page held in the pipes */
	int pin_stale;		/* huge: cut off since: no bytes to compare */
	char sysfs[96];		/* the device's sysfs directory */
	int cap_known;		/* the module's parameters are readable */
	uint64_t rng;
	uint64_t done_ops;
	int at_end;		/* the last comparison: no operation is current */
	char *scratch;		/* max_size bytes: a mapping's copy */
	uint64_t cap_probes;	/* refusals followed by an ENOSPC probe */
	uint64_t refused, busy;	/* refused by the device; EBUSY of them */
	uint64_t by_sysfs;	/* resizes written to sysfs */
};

/* prng.c: a splitmix64 generator, the same on every machine. */
uint64_t rng_next(uint64_t *state);
uint64_t rng_below(uint64_t *state, uint64_t n);
void rng_fill(uint64_t seed, char *buf, size_t len);

/* draw.c: the next operation. */
void draw_op(struct fsx *f, struct op *op);

/* apply.c: apply @op to one file; copy out of a mapping, SIGBUS caught. */
void apply_op(struct fsx *f, struct target *t, const struct op *op,
	      char *buf, struct result *r);
int catch_sigbus(void);
int copy_from_mapping(struct fsx *f, char *dst, const char *map,
		      uint64_t len);

/* device.c: the device's own ways: sysfs, counters, the module's cap. */
void sysfs_size_string(const struct op *op, char *s, size_t size);
int refused_by_sysfs(const struct op *op, long page);
int sysfs_resize(struct fsx *f, const struct op *op);
void find_sysfs(struct fsx *f);
void check_refused(struct fsx *f, const struct op *op, const void *before);
void get_stats(struct fsx *f, void *stats);
size_t stats_size(void);

/* log.c: the last operations, printed when the files disagree. */
void log_op(struct fsx *f, const struct op *op);
void print_op(FILE *out, uint64_t n, const struct op *op);
void print_history(struct fsx *f, uint64_t n);

/* main.c: the files disagree: say how, and exit 1. */
__attribute__((noreturn, format(printf, 2, 3)))
void disagree(struct fsx *f, const char *fmt, ...);

#endif /* FAULTMEM_FSX_H */
