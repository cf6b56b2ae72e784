// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultmem run: the events of its command counted as they come, and the
 * report printed when it is done, as perf stat prints one.
 */
#include <err.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profile.h"

/* Append @x; 0, or -1 when out of memory (then @x is lost, said once). */
static int numbers_add(struct numbers *a, uint64_t x)
{
	static int warned;

	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 1024;
		uint64_t *v = realloc(a->v, cap * sizeof(*v));

		if (!v) {
			if (!warned++)
				warnx("out of memory: the profile misses events");
			return -1;
		}
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = x;
	return 0;
}

/* The faultmem_fault event's outcomes, as the format file names them. */
static const char *const outcomes[NR_OUTCOMES] = {
	"new_page", "existing_page", "sigbus", "oom", "injected_sigbus",
	"injected_hwpoison", "injected_nospace", "delayed", "delayed_retry",
};

/* One faultmem_fault event into @p. */
static void profile_fault(struct profile *p, const struct fm_event *ev)
{
	uint64_t order = ev->v[F_ORDER];
	int i;

	p->faults++;
	for (i = 0; i < NR_OUTCOMES; i++)
		p->outcome[i] += !strcmp(ev->outcome, outcomes[i]);
	if (!strcmp(ev->outcome, "new_page"))
		p->allocs[order < MAX_ORDER_SEEN ? order : MAX_ORDER_SEEN - 1]++;
	p->writes += !!ev->v[F_WRITE];
	p->reads += !ev->v[F_WRITE];
	p->private_faults += !ev->v[F_SHARED];
	numbers_add(&p->ns, ev->v[F_DURATION_NS]);
	if (p->map_dev && event_of_device(ev, p->map_dev))
		numbers_add(&p->faulted, ev->v[F_PGOFF]);
}

/*
 * One faultmem_map_pages event into @p: the window it offered, and
 * whether it served the fault (mapped the faulting page, so no
 * faultmem_fault follows: a fault on that page all the same).
 */
static void profile_map_pages(struct profile *p, const struct fm_event *ev)
{
	int served = !!ev->v[F_MAPPED];

	p->map_pages++;
	p->map_pages_served += served;
	p->map_pages_offered += ev->v[F_END_PGOFF] - ev->v[F_START_PGOFF] + 1;
	if (served && p->map_dev && event_of_device(ev, p->map_dev))
		numbers_add(&p->faulted, ev->v[F_PGOFF]);
}

/* Count one event into the profile @arg (those of p->only_dev, or all). */
int profile_event(const struct fm_event *ev, void *arg)
{
	struct profile *p = arg;

	if (!event_of_device(ev, p->only_dev))
		return 0;
	switch (ev->type) {
	case EV_FAULT:
		profile_fault(p, ev);
		break;
	case EV_MAP_PAGES:
		profile_map_pages(p, ev);
		break;
	case EV_RESIZE:
		p->resizes++;
		break;
	default:
		p->punches++;
	}
	return 0;
}

/* One line of the profile, as perf stat prints it: name, then value. */
#define LINE(name, value) fprintf(stderr, "%-22s %12" PRIu64 "\n", name, (uint64_t)(value))

static int compare_numbers(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The fault handler's times: count, total, median, mean and max (sorts @ns). */
static void print_durations(struct numbers *ns)
{
	uint64_t total = 0, median = 0;
	size_t i, n = ns->n;

	if (n)
		qsort(ns->v, n, sizeof(*ns->v), compare_numbers);
	for (i = 0; i < n; i++)
		total += ns->v[i];
	/* An even count: the mean of the two middle ones. */
	if (n)
		median = n % 2 ? ns->v[n / 2] : (ns->v[n / 2 - 1] + ns->v[n / 2]) / 2;
	LINE("fault_ns_count", n);
	LINE("fault_ns_total", total);
	LINE("fault_ns_median", median);
	LINE("fault_ns_mean", n ? total / n : 0);
	LINE("fault_ns_max", n ? ns->v[n - 1] : 0);
}

/*
 * The new_page faults by the size of the folio allocated: always a base
 * page (order 0) and a PMD-size folio, and any other size that occurred.
 */
static void print_allocs(const uint64_t *allocs)
{
	unsigned int order, pmd = pmd_folio_order();
	char name[32], size[32];

	for (order = 0; order < MAX_ORDER_SEEN; order++) {
		if (!allocs[order] && order && order != pmd)
			continue;
		snprintf(name, sizeof(name), "alloc_%s",
			 folio_size(order, "", size, sizeof(size)));
		LINE(name, allocs[order]);
	}
}

/* The injected counters that rose, on one line: "  injected: sigbus 3, delays 2". */
static void print_injected(const uint64_t *injected)
{
	static const char *const names[4] = { "sigbus", "hwpoison", "nospace", "delays" };
	const char *sep = "  injected: ";
	int i;

	for (i = 0; i < 4; i++) {
		if (!injected[i])
			continue;
		fprintf(stderr, "%s%s %" PRIu64, sep, names[i], injected[i]);
		sep = ", ";
	}
	if (*sep == ',')
		fputc('\n', stderr);
}

void print_profile(struct profile *p, char **command, double seconds)
{
	int i;

	fprintf(stderr, "\nfaultmem events of '%s", command[0]);
	for (i = 1; command[i]; i++)
		fprintf(stderr, " %s", command[i]);
	fprintf(stderr, "' and its children:\n\n");
	LINE("faults", p->faults);
	for (i = 0; i < NR_OUTCOMES; i++)
		if (i < NR_PLAIN_OUTCOMES || p->outcome[i])
			LINE(outcomes[i], p->outcome[i]);
	LINE("read", p->reads);
	LINE("write", p->writes);
	LINE("private", p->private_faults);
	print_allocs(p->allocs);
	print_durations(&p->ns);
	LINE("fault_around", p->map_pages);
	LINE("fault_around_served", p->map_pages_served);
	LINE("fault_around_offered", p->map_pages_offered);
	LINE("resizes", p->resizes);
	LINE("holes_punched", p->punches);
	print_injected(p->injected);
	fprintf(stderr, "\n%.3f seconds elapsed\n", seconds);
}

void free_profile(struct profile *p)
{
	free(p->ns.v);
	free(p->faulted.v);
}
