/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultmem: tracefs and the faultmem events (trace.c), shared by faultmem
 * trace and faultmem run.
 */
#ifndef FAULTMEM_TOOL_TRACE_H
#define FAULTMEM_TOOL_TRACE_H

#include <stddef.h>

/* Where tracefs is mounted, or NULL. */
const char *tracefs(void);
int write_trace_file(const char *dir, const char *name, const char *value);
int read_trace_lines(int fd, char *buf, size_t size, size_t *len,
		     int (*fn)(const char *line, void *arg), void *arg);

const char *folio_size(unsigned int order, const char *sep, char *buf,
		       size_t size);
int scan_fault(const char *ev, char dev[32], unsigned long long *pgoff,
	       unsigned long long *addr, char rw[8], char kind[8],
	       char outcome[32], unsigned long long *ns,
	       unsigned int *order);

#endif /* FAULTMEM_TOOL_TRACE_H */
