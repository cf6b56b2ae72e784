/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Running the faultmem tool (and faultmem-bench) from a selftest: at once
 * with its output collected, or in the background, waiting for what it
 * prints (observe_test, tool_test).
 */
#ifndef FAULTMEM_CLI_H
#define FAULTMEM_CLI_H

#include <poll.h>
#include <sys/wait.h>

#include "faultmem_test.h"

/* The tool's path in the VM ($FAULTMEM_CLI overrides it). */
static inline const char *cli(void)
{
	const char *path = getenv("FAULTMEM_CLI");

	return path ? path : "/faultmem/bin/faultmem";
}

/* Run the CLI with @args; stderr goes to @out too. */
static inline int run_cli(const char *args, char *out, size_t size)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", cli(), args);
	return fm_run(cmd, out, size);
}

/*
 * The same with the environment changed by @env ("LANG=C LC_ALL=") and
 * killed after 30 s: a tool that should refuse its arguments but runs on
 * (a watch loop, a tracer) fails the test instead of hanging it.
 */
static inline int run_cli_env(const char *env, const char *args, char *out,
			      size_t size)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "env %s timeout -s KILL 30 %s %s 2>&1",
		 env, cli(), args);
	return fm_run(cmd, out, size);
}

/* How many times @needle occurs in @s. */
static inline int occurrences(const char *s, const char *needle)
{
	int n = 0;

	for (; (s = strstr(s, needle)); s += strlen(needle))
		n++;
	return n;
}

/*
 * Append what @fd yields to @out (NUL-terminated, @size bytes in all)
 * until @needle appears in it @nth times, or until end of file when
 * @needle is NULL.
 * Returns 0 when that happened within @seconds, -1 on timeout or error:
 * a tracer that never sees its events must fail the test, not hang it.
 */
static inline int read_until_nth(int fd, char *out, size_t size,
				 const char *needle, int nth, int seconds)
{
	size_t len = strlen(out);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;

	while (!needle || occurrences(out, needle) < nth) {
		if (poll(&pfd, 1, seconds * 1000) != 1)
			return -1;
		n = read(fd, out + len, size - len - 1);
		if (n <= 0)
			return n == 0 && !needle ? 0 : -1;
		len += n;
		out[len] = '\0';
	}
	return 0;
}

/* read_until_nth() for the first occurrence. */
static inline int read_until(int fd, char *out, size_t size,
			     const char *needle, int seconds)
{
	return read_until_nth(fd, out, size, needle, 1, seconds);
}

/*
 * Start the program at @path with @args (NULL-terminated, without the
 * program name) and its output on a pipe, and wait until it prints
 * @ready: the line it prints once it is set up (its signal handlers
 * installed, for a tracer the events on and trace_pipe open). What the
 * test does from then on is sure to be seen; a sleep instead would race
 * with a slow start. @ready NULL: do not wait. Returns the pipe's read
 * end, or -1 with the program killed.
 */
static inline int start_program(const char *path, const char *const args[],
				const char *ready, pid_t *pid, char *out,
				size_t size)
{
	const char *argv[16] = { path };
	int pipefd[2], i;

	for (i = 0; args[i] && i + 2 < 16; i++)
		argv[i + 1] = args[i];
	out[0] = '\0';
	if (pipe(pipefd))
		return -1;
	*pid = fork();
	if (*pid < 0)
		return -1;
	if (*pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		execv(path, (char *const *)argv);
		_exit(127);
	}
	close(pipefd[1]);
	if (ready && read_until(pipefd[0], out, size, ready, 60)) {
		kill(*pid, SIGKILL);
		waitpid(*pid, NULL, 0);
		close(pipefd[0]);
		return -1;
	}
	return pipefd[0];
}

/* start_program() for the faultmem tool. */
static inline int start_cli(const char *const args[], const char *ready,
			    pid_t *pid, char *out, size_t size)
{
	return start_program(cli(), args, ready, pid, out, size);
}

/*
 * Let a program started by start_program() finish: read the rest of its
 * output into @out (killing it if it has not closed its output within
 * 60 s) and reap it, its wait status in @status. 0, or -1 if it had to be
 * killed.
 */
static inline int wait_program(pid_t pid, int fd, char *out, size_t size,
			       int *status)
{
	int timed_out = read_until(fd, out, size, NULL, 60);

	if (timed_out)
		kill(pid, SIGKILL);
	close(fd);
	if (waitpid(pid, status, 0) != pid || timed_out)
		return -1;
	return 0;
}

/*
 * finish_cli(): wait_program() for the tool. Returns its exit status, or
 * -1 if it was killed or died from a signal.
 */
static inline int finish_cli(pid_t pid, int fd, char *out, size_t size)
{
	int status;

	if (wait_program(pid, fd, out, size, &status) || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* The value on the line of `faultmem stat` output that starts with @name. */
static inline long long stat_value(const char *out, const char *name)
{
	const char *line = out;
	size_t len = strlen(name);

	for (; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (!strncmp(line, name, len) && line[len] == ' ')
			return atoll(line + len);
	return -1;
}

#endif /* FAULTMEM_CLI_H */
