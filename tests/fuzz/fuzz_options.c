/*
 * fuzz_options.c - libFuzzer target: any command line.
 *
 * The input is split at newlines into arguments (a NUL ends one early); the first
 * byte picks the command (check, fit, milestones, backtest or schedule).
 * A small valid history is always available as
 * an argument "@".  Standard output goes to /dev/null.  Every parse must end
 * in an exit code, never a crash.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "streamstat/cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ARGS 32

static const char history[] = "date,album,track,total\n2023-09-08,L,B,10\n2023-09-09,L,B,25\n"
			      "2023-09-10,L,B,45\n2023-09-11,L,B,60\n2023-09-12,L,B,70\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready, data_fd;
	static char data_path[64];
	typedef int (*command)(int, char **);
	static const command commands[] = {cmd_check, cmd_fit, cmd_milestones, cmd_backtest,
					   cmd_schedule};
	static const char *const names[] = {"check", "fit", "milestones", "backtest", "schedule"};
	char *argv[MAX_ARGS + 2], *buf;
	int argc = 1;

	if (!ready) {
		int null = open("/dev/null", O_WRONLY);
		if (null < 0)
			abort();
		dup2(null, STDOUT_FILENO); /* stderr: -close_fd_mask=2 when fuzzing */
		close(null);
		null = open("/dev/null", O_RDONLY); /* "-" reads an empty standard input */
		if (null < 0)
			abort();
		dup2(null, STDIN_FILENO);
		close(null);
		data_fd = memfd_create("history", 0);
		if (data_fd < 0 || write(data_fd, history, sizeof history - 1) < 0)
			abort();
		snprintf(data_path, sizeof data_path, "/proc/self/fd/%d", data_fd);
		ready = 1;
	}
	if (size < 1)
		return 0;
	size_t which = data[0] % (sizeof commands / sizeof commands[0]);
	buf = malloc(size);
	if (!buf)
		abort();
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	argv[0] = (char *)names[which];
	for (char *p = buf; argc < MAX_ARGS && p < buf + size - 1;) {
		size_t len = strcspn(p, "\n");
		p[len] = '\0';
		/* "@" stands for the sample history */
		argv[argc++] = strcmp(p, "@") == 0 ? data_path : p;
		p += len + 1;
	}
	argv[argc] = NULL;
	optind = 0; /* getopt starts over */
	commands[which](argc, argv);
	fflush(stdout);
	free(buf);
	return 0;
}
