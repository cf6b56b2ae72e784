// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultmem-fsx: the last operations, kept in a ring and printed when the
 * two files disagree, so that the failure can be read before it is
 * replayed.
 */
#include <inttypes.h>
#include <string.h>

#include "fsx.h"

#define HISTORY 32

#define FSX_NAME(op, name) [OP_##op] = name,
const char *const op_names[NR_OPS] = { FSX_OPS(FSX_NAME) };
#undef FSX_NAME

static struct op history[HISTORY];

void print_op(FILE *out, uint64_t n, const struct op *op)
{
	fprintf(out, "%8" PRIu64 " %-14s", n, op_names[op->op]);
	switch (op->op) {
	case OP_RESIZE:
		fprintf(out, " to 0x%" PRIx64, op->off);
		if (op->digits) {
			char s[64], *nl;

			sysfs_size_string(op, s, sizeof(s));
			nl = strchr(s, '\n');
			if (nl)
				*nl = '\0';
			fprintf(out, " through sysfs: \"%s%s\"", s,
				nl ? "\\n" : "");
		}
		fprintf(out, "\n");
		break;
	case OP_PIN:
		fprintf(out, " 0x%" PRIx64 " (or let go of the page held)\n",
			op->off);
		break;
	case OP_SEEK_DATA:
	case OP_SEEK_HOLE:
		fprintf(out, " from 0x%" PRIx64 "\n", op->off);
		break;
	case OP_PREADV:
	case OP_PWRITEV:
	case OP_READV:
	case OP_WRITEV:
		fprintf(out, " 0x%" PRIx64 " +0x%" PRIx64 " (%u buffers)\n",
			op->off, op->len, op->nr_iov);
		break;
	default:
		fprintf(out, " 0x%" PRIx64 " +0x%" PRIx64 "\n", op->off,
			op->len);
		break;
	}
}

void log_op(struct fsx *f, const struct op *op)
{
	history[f->done_ops % HISTORY] = *op;
	if (f->verbose)
		print_op(stdout, f->done_ops + 1, op);
}

/* The last operations up to and including operation @n, oldest first. */
void print_history(struct fsx *f, uint64_t n)
{
	uint64_t first = n > HISTORY ? n - HISTORY : 0;

	fprintf(stderr, "the last operations (size now 0x%" PRIx64 "):\n",
		f->size);
	for (; first < n; first++)
		print_op(stderr, first + 1, &history[first % HISTORY]);
}
