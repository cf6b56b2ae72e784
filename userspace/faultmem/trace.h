/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultmem: the faultmem events as the ring buffer holds them (events.c)
 * and the tracefs instance they are recorded into (tracefs.c), shared by
 * faultmem trace and faultmem run.
 */
#ifndef FAULTMEM_TOOL_TRACE_H
#define FAULTMEM_TOOL_TRACE_H

#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/* The faultmem events, by the name of their directory in tracefs. */
enum event_type {
	EV_FAULT, EV_MAP_PAGES, EV_RESIZE, EV_PUNCH_HOLE, NR_EVENT_TYPES,
};

/*
 * The fields the tool reads, each found by its name in the event's format
 * file; an event without one reads it as 0.
 */
enum event_field {
	F_DEV, F_PGOFF, F_ADDRESS, F_WRITE, F_SHARED, F_OUTCOME, F_DURATION_NS,
	F_ORDER, F_START_PGOFF, F_END_PGOFF, F_MAPPED, F_FROM, F_TO, F_PAGES_FREED,
	NR_EVENT_FIELDS,
};

/* One faultmem event, decoded. */
struct fm_event {
	enum event_type type;
	uint64_t v[NR_EVENT_FIELDS];
	const char *outcome;	/* F_OUTCOME's name, as the format file says */
};

/* The layouts of the ring buffer's pages and of the events' records. */
struct event_formats;

struct event_formats *load_event_formats(const char *tracefs_dir);
size_t ring_page_size(const struct event_formats *f);

/* Called with each record of a page and its time stamp (events.c). */
typedef void (*record_fn)(const unsigned char *rec, size_t len, uint64_t ts,
			  void *arg);
void for_each_record(const struct event_formats *f, const unsigned char *page,
		     record_fn fn, void *arg);
int decode_record(const struct event_formats *f, const unsigned char *rec,
		  size_t len, struct fm_event *ev);
int event_of_device(const struct fm_event *ev, const char *name);

const char *folio_size(unsigned int order, const char *sep, char *buf,
		       size_t size);
unsigned int pmd_folio_order(void);

/*
 * A tracefs instance of the tool's own, instances/faultmem-WHAT-PID: its
 * events are only those recorded while the tool runs, other tracers'
 * buffers and settings are left alone, and removing it frees its buffer.
 */
struct trace_instance {
	char dir[256];
	struct event_formats *formats;
	int *cpu_fd;		/* per_cpu/cpuN/trace_pipe_raw */
	unsigned int nr_cpus;
	unsigned char *pages;	/* what one round reads, nr_cpus pages each */
	struct pollfd *pfd;	/* the buffers', and one more fd's */
};

/* Called with each event, in time order; non-zero stops the reading. */
typedef int (*event_fn)(const struct fm_event *ev, void *arg);

int instance_create(struct trace_instance *ti, const char *what);
int instance_follow_pid(const struct trace_instance *ti, int pid);
int instance_start(struct trace_instance *ti);
void instance_stop(const struct trace_instance *ti);
int instance_wait(const struct trace_instance *ti, int other_fd,
		  const sigset_t *mask);
int instance_read(const struct trace_instance *ti, event_fn fn, void *arg);
int instance_remove(struct trace_instance *ti);

#endif /* FAULTMEM_TOOL_TRACE_H */
