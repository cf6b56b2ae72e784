/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultmem: the commands main() dispatches to, one file each (info,
 * resize and punch share device.c). Each takes the arguments from its own
 * name on (argv[0] is "stat", ...) and returns the exit status; its usage
 * text is what faultmem help CMD and faultmem CMD --help print.
 */
#ifndef FAULTMEM_TOOL_COMMANDS_H
#define FAULTMEM_TOOL_COMMANDS_H

#include <stdio.h>

int cmd_info(int argc, char **argv);
int cmd_resize(int argc, char **argv);
int cmd_punch(int argc, char **argv);
int cmd_stat(int argc, char **argv);
int cmd_map(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_touch(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_inject(int argc, char **argv);

extern const char info_usage[], resize_usage[], punch_usage[], stat_usage[],
		  map_usage[], trace_usage[], touch_usage[], run_usage[],
		  inject_usage[];

/* Print the usage of command @name to @out (main.c). */
void command_usage(const char *name, FILE *out);

#endif /* FAULTMEM_TOOL_COMMANDS_H */
