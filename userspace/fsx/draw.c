// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultmem-fsx: drawing the next operation. Offsets and lengths aim at
 * what bugs hide near: page boundaries, huge-folio boundaries and the end
 * of the file, exactly or a few bytes either side, and anywhere between.
 */
#include "fsx.h"

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* An offset in [0, @limit]. */
static uint64_t draw_offset(struct fsx *f, uint64_t limit)
{
	uint64_t *r = &f->rng, base, delta;

	switch (rng_below(r, 8)) {
	case 0:
		base = rng_below(r, limit / f->page + 1) * f->page;
		break;
	case 1:
		base = rng_below(r, limit / f->folio + 1) * f->folio;
		break;
	case 2:
		base = f->size;
		break;
	default:
		return rng_below(r, limit + 1);
	}
	delta = 1 + rng_below(r, f->page - 1);
	switch (rng_below(r, 3)) {
	case 0:
		return min_u64(base, limit);
	case 1:
		return min_u64(base + delta, limit);
	default:
		return base > delta ? base - delta : 0;
	}
}

/* A length from @off, 1 to @max bytes. */
static uint64_t draw_length(struct fsx *f, uint64_t off, uint64_t max)
{
	uint64_t *r = &f->rng, len;

	switch (rng_below(r, 6)) {
	case 0:
		len = 1 + rng_below(r, 64);
		break;
	case 1:
		len = (1 + rng_below(r, 4)) * f->page;
		break;
	case 2:		/* to the end of the file */
		len = f->size > off ? f->size - off : 1;
		break;
	case 3:		/* to the next folio boundary, or one past it */
		len = f->folio - off % f->folio + rng_below(r, 2);
		break;
	default:
		len = 1 + rng_below(r, max);
		break;
	}
	return len < 1 ? 1 : min_u64(len, max);
}

/* Punch ranges: page-aligned mostly; the rest the device must refuse. */
static void draw_punch(struct fsx *f, struct op *op)
{
	uint64_t pages = f->max_size / f->page;

	if (rng_below(&f->rng, 4) == 0) {
		op->off = draw_offset(f, f->max_size);
		op->len = draw_length(f, op->off, 2 * f->folio);
		return;
	}
	op->off = draw_offset(f, f->max_size) / f->page * f->page;
	op->len = (1 + rng_below(&f->rng, 2 * f->folio / f->page)) * f->page;
	if (rng_below(&f->rng, 2) == 0 && f->size > op->off)
		op->len = f->size - op->off;	/* to the end exactly */
	if (op->off / f->page + op->len / f->page > pages + 1)
		op->len = f->page;
}

/* Sizes: page multiples up to the mappings' length, rarely not one. */
static void draw_resize(struct fsx *f, struct op *op)
{
	op->off = draw_offset(f, f->max_size) / f->page * f->page;
	if (rng_below(&f->rng, 16) == 0 && op->off < f->max_size)
		op->off += 1 + rng_below(&f->rng, f->page - 1);
	/*
	 * Half the time a page is held, cut through its 2 MiB block: the
	 * device must refuse to split a held folio (EBUSY), and then every
	 * module-wide quantity must be as before (device.c).
	 */
	if (f->huge && f->dev.pinned && rng_below(&f->rng, 2))
		op->off = min_u64(f->pin_off / f->folio * f->folio +
				  (1 + rng_below(&f->rng,
						 f->folio / f->page - 1)) *
				  f->page, f->max_size);
	op->len = 0;
	/* A third through sysfs, written with 1 to 22 digits. */
	op->digits = rng_below(&f->rng, 3) ? 0 : 1 + rng_below(&f->rng, 22);
}

void draw_op(struct fsx *f, struct op *op)
{
	uint64_t io_max = f->io_max;

	do
		op->op = rng_below(&f->rng, NR_OPS);
	while (!(f->enabled & 1u << op->op));
	op->nr_iov = 1 + rng_below(&f->rng, 4);
	op->data_seed = rng_next(&f->rng);
	op->digits = 0;
	switch (op->op) {
	case OP_PIN:
		op->off = draw_offset(f, f->max_size - 1) / f->page * f->page;
		op->len = 64;
		return;
	case OP_RESIZE:
		draw_resize(f, op);
		return;
	case OP_PUNCH:
		draw_punch(f, op);
		return;
	case OP_SEEK_DATA:
	case OP_SEEK_HOLE:
		op->off = draw_offset(f, f->max_size + f->page);
		op->len = 0;
		return;
	case OP_MAP_LOAD:
	case OP_MAP_STORE:
	case OP_PRIVATE_LOAD:
	case OP_PRIVATE_STORE:
		/* Inside the mappings; past the end of the file they fault. */
		op->off = draw_offset(f, f->max_size - 1);
		op->len = draw_length(f, op->off,
				      min_u64(io_max, f->max_size - op->off));
		return;
	default:
		op->off = draw_offset(f, f->max_size + f->page);
		op->len = draw_length(f, op->off, io_max);
		return;
	}
}
