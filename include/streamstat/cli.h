/*
 * cli.h - the commands, and what they share: loading data through ingest
 * and series, printing problems, choosing the exit code.
 *
 * Only main.c and the cmd_*.c files print or exit; the stages never do.
 * Every cmd_*() takes its own argv (argv[0] is the command name) and returns
 * an exit code from enum ss_exit.
 */
#ifndef STREAMSTAT_CLI_H
#define STREAMSTAT_CLI_H

#include <stdio.h>

#include "streamstat/dataset.h"
#include "streamstat/ingest.h"
#include "streamstat/series.h"

#ifndef SS_VERSION
#define SS_VERSION "0.0.0-dev"
#endif

int cmd_check(int argc, char **argv);
int cmd_fit(int argc, char **argv);

/* Verbosity shared by all commands: -q lowers it, -v raises it. */
enum ss_verbosity { SS_QUIET = 0, SS_NORMAL = 1, SS_VERBOSE = 2 };

/* What every data-reading command takes. */
struct ss_load_options {
	const char **catalogs;
	size_t ncatalogs;
	struct ss_ingest_options ingest;
	int strict;
	long max_problems; /* problems printed; 0 = all */
	enum ss_verbosity verbosity;
};

/* Long options shared by data-reading commands, and their handler. */
#define SS_LOAD_LONG_OPTIONS                                                                       \
	{"catalog", required_argument, NULL, 'c'}, {"as-of", required_argument, NULL, 'A'},        \
		{"strict", no_argument, NULL, 'S'},                                                \
		{"max-problems", required_argument, NULL, 'P'}, {"quiet", no_argument, NULL, 'q'}, \
	{                                                                                          \
		"verbose", no_argument, NULL, 'v'                                                  \
	}
/* A leading ':' makes getopt_long() report a missing value as ':' and stay quiet. */
#define SS_LOAD_SHORT_OPTIONS ":c:qv"
#define SS_LOAD_OPTIONS_HELP                                                                       \
	"  -c, --catalog FILE    release dates and which tracks count (repeatable)\n"              \
	"      --as-of DATE      leave out rows dated after DATE (YYYY-MM-DD)\n"                   \
	"      --strict          fail (exit 65) on any problem, not only unusable input\n"         \
	"      --max-problems N  print at most N problems (default 50; 0 = all)\n"                 \
	"  -q, --quiet           print only problems\n"                                            \
	"  -v, --verbose         also print informational notes\n"

#define SS_EXIT_CODES_HELP                                                                         \
	"Exit status: 0 ok; 64 usage error; 65 data error (unusable file, no usable rows,\n"       \
	"or any problem with --strict); 66 cannot open an input; 74 I/O error.\n"

void ss_load_options_init(struct ss_load_options *o);
void ss_load_options_release(struct ss_load_options *o);

/*
 * Handle one option shared by data commands.  Returns 1 when opt was one
 * of them, 0 when it was not, -1 on a bad value (a message was printed).
 */
int ss_load_option(struct ss_load_options *o, int opt, const char *arg);

/*
 * Explain getopt_long()'s '?' or ':' for command cmd ("streamstat: check:
 * unknown option '--bogus'"); returns SS_EXIT_USAGE.  Commands set opterr
 * to 0 so that getopt itself prints nothing.
 */
int ss_option_error(const char *cmd, int opt, char **argv);

/* Print "streamstat: " and the message to stderr. */
void ss_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Outcome of loading: what went wrong at the file level. */
struct ss_load_result {
	int open_failed; /* some input could not be opened */
	int io_failed;	 /* some input could not be read to the end */
	int limit;	 /* a limit was exceeded */
};

/*
 * Read the catalogs and files[0..nfiles), then build the series.  Prints
 * file-level errors (cannot open ...) as it goes; data problems stay in
 * ds->problems for ss_print_problems().
 */
void ss_load(struct ss_dataset *ds, struct ss_series_stats *st, char **files, int nfiles,
	     const struct ss_load_options *o, struct ss_load_result *res);

/* Print the problems (severity >= warning; info too when verbose), capped. */
void ss_print_problems(const struct ss_dataset *ds, const struct ss_load_options *o);

/* The exit code the loaded data calls for; explains a failure on stderr. */
int ss_load_exit_code(const struct ss_dataset *ds, const struct ss_series_stats *st,
		      const struct ss_load_options *o, const struct ss_load_result *res);

#endif
