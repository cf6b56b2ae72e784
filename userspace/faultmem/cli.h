/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultmem: what every command shares (cli.c): the program name, usage
 * errors, strict parsing of the arguments, and the DEVICE a command names;
 * and the fault-injection rules (inject.c) that faultmem inject, run
 * --inject and map share.
 */
#ifndef FAULTMEM_TOOL_CLI_H
#define FAULTMEM_TOOL_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct faultmem_stats;
struct faultmem_inject_rule;

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

/* The options of a fault-injection rule, as given (inject.c). */
struct inject_options {
	uint64_t times, after, seed;
	uint32_t probability;	/* parts per billion; 0: not given */
	uint32_t pid;
	uint32_t flags;		/* FAULTMEM_INJECT_READS, _WRITES, _SEED */
	unsigned int given;	/* a bit per option seen: each once */
	const char *first;	/* the first option's word; NULL: none */
	int help;		/* --help or -h (faultmem inject only) */
};

/* Parsing a rule: 0, or EXIT_USAGE after the message. */
int parse_inject_options(const char *cmd, int argc, char **argv, int for_run,
			 struct inject_options *o, int *next);
int parse_inject_rule(const char *cmd, int nwords, char **words,
		      const struct inject_options *o,
		      struct faultmem_inject_rule *r);
int parse_inject_pages(const char *cmd, const char *s, uint64_t *first,
		       uint64_t *nr);
int parse_inject_spec(const char *spec, struct faultmem_inject_rule *r);

/* The rules of the device open at @fd: 0, or -1 (said why, except inject_list()). */
int inject_resolve_all(int fd, const char *dev, struct faultmem_inject_rule *r);
int inject_add(int fd, const char *dev, struct faultmem_inject_rule *r);
int inject_list(int fd, struct faultmem_inject_rule **rules, uint32_t *n);
void print_inject_rule(FILE *out, const struct faultmem_inject_rule *r);

#endif /* FAULTMEM_TOOL_CLI_H */
