/*
 * main.c - find the command and run it.
 *
 * Options common to all commands (--help, --version) are handled here;
 * everything else belongs to the command (src/cmd_*.c), which owns its
 * usage text and options.
 */
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "streamstat/cli.h"
#include "streamstat/error.h"
#include "streamstat/shard.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{"report", cmd_report, "the workbook and JSON summary comparing albums"},
	{"check", cmd_check, "validate stream histories: every problem, with file:line"},
	{"fit", cmd_fit, "fit growth models to every track; CSV on stdout"},
	{"milestones", cmd_milestones, "observed and projected milestone dates; CSV on stdout"},
	{"backtest", cmd_backtest, "score projections against observed crossings; CSV on stdout"},
	{"schedule", cmd_schedule, "print a crontab line or systemd units for a nightly report"},
	{"split", cmd_split, "write the input in parts by album, for analyse on many hosts"},
	{"analyse", cmd_analyse, "the per-album work of report on one part; a partial result"},
	{"merge", cmd_merge, "the report from every part's result: the same workbook"},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static int usage(FILE *out, int code)
{
	fputs("usage: streamstat COMMAND [ARGS ...]\n"
	      "       streamstat --help | --version | help COMMAND\n"
	      "\n"
	      "Commands:\n",
	      out);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\n" SS_INPUT_HELP
	      "\nRun 'streamstat COMMAND --help' for a command's options (input options such as\n"
	      "--column and --date-format among them).\n\n" SS_EXIT_CODES_HELP,
	      out);
	return code;
}

static const struct command *find(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct command *cmd;

	/* GSL aborts on errors by default; every GSL status is checked instead. */
	gsl_set_error_handler_off();
	if (argc < 2)
		return usage(stderr, SS_EXIT_USAGE);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return usage(stdout, SS_EXIT_OK);
	if (strcmp(argv[1], "--version") == 0) {
		printf("streamstat %s\n", SS_VERSION);
		return SS_EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0) {
		char *help_argv[] = {argv[2], "--help", NULL};

		if (argc < 3)
			return usage(stdout, SS_EXIT_OK);
		cmd = find(argv[2]);
		if (!cmd) {
			ss_errorf("'%s' is not a command; see 'streamstat --help'", argv[2]);
			return SS_EXIT_USAGE;
		}
		return cmd->run(2, help_argv);
	}
	cmd = find(argv[1]);
	if (!cmd) {
		ss_errorf("'%s' is not a command; see 'streamstat --help'", argv[1]);
		return SS_EXIT_USAGE;
	}
	return cmd->run(argc - 1, argv + 1);
}
