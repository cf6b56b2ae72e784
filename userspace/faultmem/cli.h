/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultmem: what every command shares (cli.c): the program name, usage
 * errors, strict parsing of the arguments, and the DEVICE a command names;
 * and the fault-injection rules (inject.c) that faultmem inject, run
 * --inject and map share.
 */
#ifndef FAULTMEM_TOOL_CLI_H
#define FAULTMEM_TOOL_CLI_H

#include <getopt.h>
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

/*
 * getopt_long() values of the long options that have no short one: above
 * every character, so that a refused option is named as it was written.
 */
enum long_only_option {
	OPT_HELP = 256,
	OPT_ASCII, OPT_WIDTH,	/* map */
	OPT_MAP, OPT_INJECT,	/* run */
};
#define OPT_LONG_ONLY	OPT_HELP

/* --help, which every command takes, then the end of an options table. */
#define HELP_AND_END	{ "help", no_argument, NULL, OPT_HELP }, { 0 }

/* The options of a command that has none but --help. */
extern const struct option help_only[];

/* What next_option() returns for an option it refused (after the message). */
#define BAD_OPTION	'?'

int next_option(const char *cmd, int argc, char **argv, const char *shortopts,
		const struct option *longopts);
int option_error(const char *cmd, int opt, const struct option *longopts,
		 char **argv);
int no_options(const char *cmd, int argc, char **argv);
char **exact_operands(const char *cmd, int argc, char **argv, int n,
		      const char *what);
int parse_count(const char *cmd, const char *arg, uint64_t *count);
int device_operand(const char *cmd, int argc, char **argv, const char **dev);

/* The DEVICE argument (NULL: 0) as a path, opened, and its kernel name. */
const char *device_path(const char *arg);
int open_device(const char *arg, int flags);
int device_name(const char *path, char *name, size_t size);

int get_stats(int fd, struct faultmem_stats *s);

/* The event counters of struct faultmem_stats, by name (device.c). */
struct counter {
	const char *name;	/* as in the struct and sysfs */
	size_t offset;		/* in struct faultmem_stats */
};
extern const struct counter counters[];
extern const size_t nr_counters;
uint64_t counter(const struct faultmem_stats *s, size_t i);

/* The options of a fault-injection rule, as given (inject.c). */
struct inject_options {
	uint64_t times, after, seed;
	uint32_t probability;	/* parts per billion; 0: not given */
	uint32_t pid;
	uint32_t flags;		/* FAULTMEM_INJECT_READS, _WRITES, _SEED */
	unsigned int given;	/* a bit per option seen: each once */
	const char *first;	/* the first option's word; NULL: none */
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
