/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultmem: what every command shares (cli.c): the program name, usage
 * errors, strict parsing of the arguments, and the DEVICE a command names.
 */
#ifndef FAULTMEM_TOOL_CLI_H
#define FAULTMEM_TOOL_CLI_H

#include <stddef.h>
#include <stdint.h>

struct faultmem_stats;

/* Exit status of a usage error (0 success, 1 failure). */
#define EXIT_USAGE 2

/* The largest COUNT of -n. */
#define MAX_COUNT ((uint64_t)INT64_MAX)

/* The name messages start with. */
extern const char *prog;

__attribute__((format(printf, 1, 2)))
int usage_error(const char *fmt, ...);

/* Numbers, intervals and sizes: 0 with the value, or -1. */
int parse_uint(const char *s, uint64_t max, uint64_t *out);
int parse_seconds(const char *s, long *ms);
int parse_bytes(const char *s, uint64_t *out);

const char *option_value(const char *cmd, int argc, char **argv, int *i);
int set_device(const char *cmd, const char **dev, const char *arg);

/* The DEVICE argument (NULL: 0) as a path, opened, and its kernel name. */
const char *device_path(const char *arg);
int open_device(const char *arg, int flags);
int device_name(const char *path, char *name, size_t size);

int get_stats(int fd, struct faultmem_stats *s);

#endif /* FAULTMEM_TOOL_CLI_H */
