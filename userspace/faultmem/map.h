/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultmem: the residency map (map.c), as faultmem map and faultmem run
 * --map draw it.
 */
#ifndef FAULTMEM_TOOL_MAP_H
#define FAULTMEM_TOOL_MAP_H

#include <stddef.h>
#include <stdint.h>

/*
 * The grid's cells; @mark (faultmem run --map): a page the command faulted
 * on; @rule: a page an injection rule covers (faultmem inject).
 */
struct glyphs {
	const char *full, *part, *none, *mark, *rule;
};

/* A growable array of numbers (faultmem run: durations, page offsets). */
struct numbers {
	uint64_t *v;
	size_t n, cap;
};

int utf8_output(void);
struct glyphs grid_glyphs(int ascii);
int draw_map(int fd, const char *dev, int width, const struct glyphs *g,
	     const struct numbers *faulted);

#endif /* FAULTMEM_TOOL_MAP_H */
