/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultmem run: what it counts of its command's events, and the report
 * (profile.c).
 */
#ifndef FAULTMEM_TOOL_PROFILE_H
#define FAULTMEM_TOOL_PROFILE_H

#include <stdint.h>

#include "map.h"
#include "trace.h"

#define MAX_ORDER_SEEN 32

/*
 * The faultmem_fault event's outcomes; those after the first four come
 * from fault-injection rules and are printed only when they happened.
 */
#define NR_OUTCOMES	9
#define NR_PLAIN_OUTCOMES	4

/*
 * What `faultmem run` counts from the events of one command and its
 * children. Every duration is kept, for the median. @map_dev (set for
 * --map) is the device whose grid is drawn: the page offsets of its
 * faults are kept in @faulted.
 */
struct profile {
	uint64_t faults, outcome[NR_OUTCOMES], reads, writes, private_faults;
	uint64_t allocs[MAX_ORDER_SEEN];	/* new_page faults by folio order */
	struct numbers ns;
	uint64_t map_pages, map_pages_served, map_pages_offered;
	uint64_t resizes, punches;
	const char *only_dev;	/* -d: the events of this device only; NULL: all */
	const char *map_dev;
	struct numbers faulted;
	uint64_t injected[4];	/* --inject: the device's injected_* counters' rise */
};

int profile_event(const struct fm_event *ev, void *arg);
void print_profile(struct profile *p, char **command, double seconds);
void free_profile(struct profile *p);

#endif /* FAULTMEM_TOOL_PROFILE_H */
