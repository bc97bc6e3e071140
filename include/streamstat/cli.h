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
#include "streamstat/milestones.h"
#include "streamstat/pipeline.h"
#include "streamstat/report.h"
#include "streamstat/series.h"

#ifndef SS_VERSION
#define SS_VERSION "0.0.0-dev"
#endif

int cmd_check(int argc, char **argv);
int cmd_fit(int argc, char **argv);
int cmd_milestones(int argc, char **argv);
int cmd_backtest(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_schedule(int argc, char **argv);

/* Verbosity shared by all commands: -q lowers it, -v raises it. */
enum ss_verbosity { SS_QUIET = 0, SS_NORMAL = 1, SS_VERBOSE = 2 };

/* A history file to read, and how (its input options). */
struct ss_input {
	const char *path; /* "-": standard input */
	struct ss_ingest_options ingest;
	unsigned given; /* input options given before it (SS_IN_* bits) */
};

/*
 * What every data-reading command takes.  Input options (--delimiter,
 * --column, --track ...) apply to the files named after them on the command
 * line; those given after the last file apply to every file that no earlier
 * one of the same option covers (as if given first).  ss_load_option() takes
 * the files too (getopt_long() returns them as option 1 in the order given,
 * with SS_LOAD_SHORT_OPTIONS), and ss_load_inputs_done() settles the list.
 */
struct ss_load_options {
	const char **catalogs;
	size_t ncatalogs;
	struct ss_ingest_options ingest; /* the input options so far (and --as-of) */
	struct ss_input *inputs;
	size_t ninputs;
	unsigned given; /* input options given so far (SS_IN_* bits) */
	unsigned since; /* ... since the last file */
	int stdin_used; /* "-" was named */
	int strict;
	long max_problems; /* problems printed; 0 = all */
	enum ss_verbosity verbosity;
	int stale_days; /* --stale-days: flag tracks last seen this long before the rest */
};

/* Value options of ss_load_option() without a short letter. */
enum {
	SS_OPT_STALE_DAYS = 290,
	SS_OPT_DELIMITER = 320,
	SS_OPT_COLUMN,
	SS_OPT_TRACK,
	SS_OPT_ALBUM,
	SS_OPT_ARTIST,
	SS_OPT_DATE,
	SS_OPT_TRACK_FROM_FILENAME,
	SS_OPT_DATE_FORMAT,
	SS_OPT_THOUSANDS,
	SS_OPT_WIDE,
	SS_OPT_VALUES,
	SS_OPT_RELEASE_DATE
};

/* Which input options were given (struct ss_input.given): one bit each, and
 * one per field for --column FIELD=NAME. */
enum {
	SS_IN_DELIMITER = 1u << 0,
	SS_IN_THOUSANDS = 1u << 1,
	SS_IN_DATE_FORMAT = 1u << 2,
	SS_IN_TRACK = 1u << 3,
	SS_IN_ALBUM = 1u << 4,
	SS_IN_ARTIST = 1u << 5,
	SS_IN_DATE = 1u << 6,
	SS_IN_TRACK_FROM_FILENAME = 1u << 7,
	SS_IN_WIDE = 1u << 8,
	SS_IN_VALUES = 1u << 9,
	SS_IN_RELEASE_DATE = 1u << 10,
	SS_IN_COLUMN = 1u << 11 /* << field */
};

/* Long options shared by data-reading commands, and their handler. */
#define SS_LOAD_LONG_OPTIONS                                                                       \
	{"catalog", required_argument, NULL, 'c'}, {"as-of", required_argument, NULL, 'A'},        \
		{"strict", no_argument, NULL, 'S'},                                                \
		{"max-problems", required_argument, NULL, 'P'}, {"quiet", no_argument, NULL, 'q'}, \
		{"stale-days", required_argument, NULL, SS_OPT_STALE_DAYS},                        \
		{"delimiter", required_argument, NULL, SS_OPT_DELIMITER},                          \
		{"column", required_argument, NULL, SS_OPT_COLUMN},                                \
		{"track", required_argument, NULL, SS_OPT_TRACK},                                  \
		{"album", required_argument, NULL, SS_OPT_ALBUM},                                  \
		{"artist", required_argument, NULL, SS_OPT_ARTIST},                                \
		{"date", required_argument, NULL, SS_OPT_DATE},                                    \
		{"release-date", required_argument, NULL, SS_OPT_RELEASE_DATE},                    \
		{"track-from-filename", no_argument, NULL, SS_OPT_TRACK_FROM_FILENAME},            \
		{"date-format", required_argument, NULL, SS_OPT_DATE_FORMAT},                      \
		{"thousands", required_argument, NULL, SS_OPT_THOUSANDS},                          \
		{"wide", no_argument, NULL, SS_OPT_WIDE},                                          \
		{"values", required_argument, NULL, SS_OPT_VALUES},                                \
	{                                                                                          \
		"verbose", no_argument, NULL, 'v'                                                  \
	}
/* A leading '-' makes getopt_long() return each file in its place, as option
 * 1 (input options apply to the files after them); ':' makes it report a
 * missing value as ':' and stay quiet. */
#define SS_LOAD_SHORT_OPTIONS "-:c:qv"

/* The input columns in brief, for every data command's --help. */
#define SS_INPUT_HELP                                                                              \
	"Input: CSV with a header row, one row per track per date.  Columns (any order\n"          \
	"and case): date, track, album (or a catalog), streams (daily) and/or total\n"             \
	"(running); optional: artist, bound (exact|at_least|crossed), release_date,\n"             \
	"album_release_date.  Aliases: song/title -> track, plays/daily -> streams,\n"             \
	"streams total/cumulative -> total, release -> release_date.  FILE \"-\" reads\n"          \
	"standard input.\n"

#define SS_INPUT_OPTIONS_HELP                                                                      \
	"Input options (they apply to the files after them; given after the last file,\n"          \
	"to all files):\n"                                                                         \
	"      --delimiter C     fields separated by C: ',', ';', '|' or tab (default: ';'\n"      \
	"                        or tab when the header line has them and no commas)\n"            \
	"      --column FIELD=NAME  read the file's column NAME as FIELD (repeatable)\n"           \
	"      --track NAME, --album NAME, --artist NAME, --date DATE\n"                           \
	"                        that field for every row of a file without its column\n"          \
	"      --release-date DATE  the release date of the file's tracks (YYYY-MM-DD),\n"         \
	"                        as a release_date column would give it\n"                         \
	"      --track-from-filename  the track is the file's name without its extension\n"        \
	"      --date-format FMT dates as %Y-%m-%d (default), %m/%d/%Y, %d/%m/%Y,\n"               \
	"                        %Y/%m/%d, %d.%m.%Y ...; a time at midnight is left out\n"         \
	"      --thousands C     counts may group thousands with C (',' or '.')\n"                 \
	"      --wide            date,TRACK1,TRACK2,...: a column per track (with --album\n"       \
	"                        or a catalog); --values total|streams says what cells are\n"

#define SS_LOAD_OPTIONS_HELP                                                                       \
	"  -c, --catalog FILE    release dates and which tracks count (repeatable)\n"              \
	"      --as-of DATE      leave out rows dated after DATE (YYYY-MM-DD)\n"                   \
	"      --strict          fail (exit 65) on any problem, not only unusable input\n"         \
	"      --max-problems N  print at most N problems (default 50; 0 = all)\n"                 \
	"      --stale-days N    warn about tracks last observed over N days before the\n"         \
	"                        latest data (default 7; 0 = never)\n"                             \
	"  -q, --quiet           print only problems\n"                                            \
	"  -v, --verbose         also print informational notes\n"

#define SS_EXIT_CODES_HELP                                                                         \
	"Exit status: 0 ok; 64 usage error; 65 data error (unusable file, no usable rows,\n"       \
	"or any problem with --strict); 66 cannot open an input; 70 internal error;\n"             \
	"71 out of memory; 73 cannot create an output file (report); 74 I/O error;\n"              \
	"75 another report is writing to the same directory (report; try again later).\n"

/*
 * A command's options as getopt_long() reads them, and which of them (by
 * their getopt value) take a file or directory: what "schedule" needs to
 * read a report command line exactly as report will, abbreviations
 * included, and to make its paths absolute.
 */
struct option;
struct ss_option_table {
	const struct option *longopts;
	const char *shortopts; /* for getopt_long(), with its leading ':' */
	const int *paths;
	size_t npaths;
};

/* The report command's options (cmd_report.c). */
extern const struct ss_option_table ss_report_option_table;

/* What "report" and "merge" share: where and how the report is written. */
struct ss_report_cli {
	const char *out, *json, *tmpdir;
	char **albums;
	size_t nalbums;
	uint32_t *album_ids; /* the albums compared, resolved before any work */
	size_t nalbum_ids;
	int backtest;
	int wait;	/* --wait: wait for another run's lock */
	int moved_days; /* --moved-days: a projection that moved more is news */
	unsigned jobs;
};

enum {
	SS_OPT_JSON = 400,
	SS_OPT_ALBUMS,
	SS_OPT_TMPDIR,
	SS_OPT_NO_BACKTEST,
	SS_OPT_WAIT,
	SS_OPT_MOVED
};

#define SS_REPORT_LONG_OPTIONS                                                                     \
	{"output", required_argument, NULL, 'o'}, {"json", required_argument, NULL, SS_OPT_JSON},  \
		{"albums", required_argument, NULL, SS_OPT_ALBUMS},                                \
		{"tmpdir", required_argument, NULL, SS_OPT_TMPDIR},                                \
		{"no-backtest", no_argument, NULL, SS_OPT_NO_BACKTEST},                            \
		{"wait", no_argument, NULL, SS_OPT_WAIT},                                          \
		{"moved-days", required_argument, NULL, SS_OPT_MOVED},                             \
	{                                                                                          \
		"jobs", required_argument, NULL, 'j'                                               \
	}

void ss_report_cli_init(struct ss_report_cli *ro);
void ss_report_cli_release(struct ss_report_cli *ro);

/* Handle one of SS_REPORT_LONG_OPTIONS: 1 when it was one, 0 when not, -1
 * on a bad value (said on stderr, after "cmd: "). */
int ss_report_cli_option(struct ss_report_cli *ro, const char *cmd, int opt, const char *arg);

/* Create and lock the output directory (and the summary's), sweeping
 * killed runs' leftovers; fd[0..1] get the locks (-1: none).  Returns an
 * exit code. */
int ss_report_lock(const struct ss_report_cli *ro, int fd[2]);

/* What the writers read, the analysis done (struct ss_report's parts). */
struct ss_report_input {
	const struct ss_dataset *ds;
	const struct ss_series_stats *st;
	const struct ss_fits *fits;
	const struct ss_milestones *ms;
	const struct ss_backtest *bt; /* NULL: not run */
	const struct ss_report_file *files;
	size_t nfiles;
	const char *options; /* the command line, for the About sheet */
};

/*
 * The end of "report" and "merge": headlines, what changed since the
 * previous report, the workbook and the JSON summary written and made
 * current (lock taken by ss_report_lock()), the paths, headlines and news
 * on stdout, and with deferred (-q) the warnings held back.  Returns an
 * exit code.
 */
int ss_report_emit(const struct ss_report_input *in, const struct ss_load_options *o,
		   const struct ss_report_cli *ro, double t_start, int deferred);

/* argv[1 .. argc) joined by spaces, allocated: the options for the About sheet. */
char *ss_join_args(int argc, char **argv);

void ss_load_options_init(struct ss_load_options *o);
void ss_load_options_release(struct ss_load_options *o);

/*
 * Handle one option shared by data commands.  Returns 1 when opt was one
 * of them, 0 when it was not, -1 on a bad value (a message was printed).
 */
int ss_load_option(struct ss_load_options *o, int opt, const char *arg);

/*
 * After the options: add files[0..n) (those after "--"), apply the input
 * options given after the last file, and check the inputs.  0, or -1 after a
 * message for command cmd (no file, an option that cannot apply).
 */
int ss_load_inputs_done(struct ss_load_options *o, const char *cmd, int n, char **files);

/*
 * Explain getopt_long()'s '?' or ':' for command cmd ("streamstat: check:
 * unknown option '--bogus'"); returns SS_EXIT_USAGE.  Commands set opterr
 * to 0 so that getopt itself prints nothing.
 */
int ss_option_error(const char *cmd, int opt, char **argv);

/* Milestone options shared by the commands that project: what they set. */
struct ss_ms_cli {
	struct ss_ms_options ms;
	const char **exclude; /* --exclude-track values */
	size_t nexclude;
	int exclude_interludes;
	int no_pool;	/* --no-pool: thin tracks keep the recent pace (pool.h) */
	int curves;	/* --curves, or --method naming one: fit the curve models */
	int method_set; /* --method given: it, not the backtest's rule */
	int16_t method; /* its model (ss_models index), -1 for "aicc" */
};

enum {
	SS_OPT_MILESTONES = 300,
	SS_OPT_LEVEL,
	SS_OPT_DAY_ZERO,
	SS_OPT_BY,
	SS_OPT_EXCLUDE_TRACK,
	SS_OPT_EXCLUDE_INTERLUDES,
	SS_OPT_DRAWS,
	SS_OPT_SEED,
	SS_OPT_NO_POOL,
	SS_OPT_METHOD,
	SS_OPT_HORIZON,
	SS_OPT_CURVES
};

#define SS_MS_LONG_OPTIONS                                                                         \
	{"milestones", required_argument, NULL, SS_OPT_MILESTONES},                                \
		{"level", required_argument, NULL, SS_OPT_LEVEL},                                  \
		{"day-zero", no_argument, NULL, SS_OPT_DAY_ZERO},                                  \
		{"by", required_argument, NULL, SS_OPT_BY},                                        \
		{"exclude-track", required_argument, NULL, SS_OPT_EXCLUDE_TRACK},                  \
		{"exclude-interludes", no_argument, NULL, SS_OPT_EXCLUDE_INTERLUDES},              \
		{"draws", required_argument, NULL, SS_OPT_DRAWS},                                  \
		{"no-pool", no_argument, NULL, SS_OPT_NO_POOL},                                    \
		{"method", required_argument, NULL, SS_OPT_METHOD},                                \
		{"horizon", required_argument, NULL, SS_OPT_HORIZON},                              \
		{"curves", no_argument, NULL, SS_OPT_CURVES},                                      \
	{                                                                                          \
		"seed", required_argument, NULL, SS_OPT_SEED                                       \
	}
#define SS_MS_OPTIONS_HELP                                                                         \
	"      --milestones LIST milestones, e.g. 50M,100M,1B (K, M, B suffixes;\n"                \
	"                        default 50M,100M,200M,300M,500M,1B)\n"                            \
	"      --level P         prediction interval level, 0.5 to 0.99 (default 0.8)\n"           \
	"      --day-zero        count the release day as day 0 (elapsed days), not day 1\n"       \
	"      --by DATE         \"needed pace\": reach each milestone by DATE (default:\n"        \
	"                        the album's first anniversary)\n"                                 \
	"      --exclude-track T leave track T (a title, \"ALBUM/TRACK\" or\n"                     \
	"                        \"ARTIST/ALBUM/TRACK\") out of album milestones (repeatable)\n"   \
	"      --exclude-interludes  leave out tracks titled as an interlude or a skit\n"          \
	"      --draws N         joint draws for album intervals (default 1000)\n"                 \
	"      --seed N          seed of those draws (default 1)\n"                                \
	"      --no-pool         with --curves: no shared album curve for tracks too thin for\n"   \
	"                        their own (they keep the recent pace, without interval)\n"        \
	"      --method NAME     project with NAME, not the backtest's choice: pace,\n"            \
	"                        recent, a curve (expdecay, ...), or aicc (each track's\n"         \
	"                        least-AICc curve)\n"                                              \
	"      --horizon YEARS   projections past the as-of date plus YEARS read\n"                \
	"                        \"after DATE\", with no day or rank (default 5)\n"                \
	"      --curves          also fit the growth curves (fit --help lists them) and\n"         \
	"                        let the backtest weigh them; off by default: on real\n"           \
	"                        histories they project worse than the recent pace\n"

/*
 * The models the commands that project fit (ss_fit_options.models): the
 * recent pace and the pace model, and every curve when c->curves.
 */
uint32_t ss_ms_cli_models(const struct ss_ms_cli *c);

/*
 * The pipeline the options ask for (pipeline.h): c's milestones, the models
 * of ss_ms_cli_models(), the pool with --curves unless --no-pool, the
 * backtest's rule unless --method; jobs, stale_days and whether to backtest
 * are the command's.
 */
struct ss_pipeline_options ss_ms_cli_pipeline(const struct ss_ms_cli *c, unsigned jobs,
					      int stale_days, int backtest);

void ss_ms_cli_init(struct ss_ms_cli *c);
void ss_ms_cli_release(struct ss_ms_cli *c);

/* Handle one milestone option: 1 when it was one, 0 when not, -1 on a bad
 * value (a message was printed). */
int ss_ms_option(struct ss_ms_cli *c, int opt, const char *arg);

/*
 * Apply the exclusions to ds (tracks[].counts): --exclude-interludes, and
 * each --exclude-track TRACK, ALBUM/TRACK or ARTIST/ALBUM/TRACK (every track
 * it names).  Returns SS_EXIT_OK, or SS_EXIT_USAGE after a message naming an
 * argument that names no track in the data.
 */
int ss_ms_cli_apply(const struct ss_ms_cli *c, struct ss_dataset *ds, const char *cmd);

/* ss_ms_cli_apply() in two halves, for data in parts: the exclusions made
 * (found[i]: the tracks c->exclude[i] named), and the check that each named
 * some track (an exit code, said after "cmd: "). */
void ss_ms_cli_exclude(const struct ss_ms_cli *c, struct ss_dataset *ds, uint64_t *found);
int ss_ms_cli_excluded(const struct ss_ms_cli *c, const uint64_t *found, const char *cmd);

/*
 * The items of a comma-separated option value such as --albums, each
 * optionally in double quotes (so that it may hold commas; "" inside is a
 * quote), appended to v[0..*n): returns the array, NULL-terminated and
 * allocated, which ss_list_free() frees with its items.
 */
char **ss_list_split(char **v, const char *s, size_t *n);
void ss_list_free(char **v, size_t n);

/* Is title an interlude or a skit for --exclude-interludes: the word
 * "interlude" or "skit" in any case, not inside a longer word? */
int ss_is_interlude(const char *title);

/* Parse --jobs (1 to 256) for command cmd; 0, or -1 after a message. */
int ss_parse_jobs(const char *cmd, const char *arg, unsigned *jobs);

/* s and a newline to out, each byte of a control character (a name's tab,
 * escape, newline or C1 CSI) or of invalid UTF-8 as \xNN, as in messages: a
 * headline or news line on a terminal or in cron's mail is one line and
 * cannot drive the terminal. */
void ss_put_line(FILE *out, const char *s);

/* A CSV field on out, quoted (quotes doubled) only when it must be. */
void ss_csv_field(FILE *out, const char *s);

/*
 * Read the catalogs and o->inputs into a new dataset ds (the caller
 * releases it), build the series, print the problems, and return the exit
 * code the loaded data calls for: the start of every data command.
 */
int ss_load_data(struct ss_dataset *ds, struct ss_series_stats *st,
		 const struct ss_load_options *o);

/*
 * Make standard input a regular file that can be read twice: when it is not
 * one already (a pipe), copy it to an unlinked temporary file in $TMPDIR (or
 * /tmp) and put that file on descriptor 0, at its start.  For command cmd's
 * messages; SS_EXIT_OK, or SS_EXIT_IOERR after a message.
 */
int ss_spool_stdin(const char *cmd);

/*
 * The inputs of a command that reads each twice, to load it and for its
 * SHA-256 (report, split): standard input ("-") is spooled
 * (ss_spool_stdin()); any other input that is not a regular file (a pipe
 * from <(...), /dev/stdin, a FIFO, which would be checksummed as empty or
 * hang the run while it holds the lock) is refused, before any lock is
 * taken.  An exit code, after a message.
 */
int ss_regular_inputs(const struct ss_load_options *o, const char *cmd);

/* A data command's usage: head (ending in a blank line), the input format
 * and options (SS_INPUT_HELP, SS_INPUT_OPTIONS_HELP), then tail; to stdout
 * in full (--help), to any other stream as ss_usage_brief(). */
void ss_usage(FILE *out, const char *head, const char *tail);

/* After a usage error's message: the synopsis (text up to its first blank
 * line, "usage: streamstat CMD ...") and where the rest is ("streamstat help
 * CMD"), so the message is not lost above a page of help. */
void ss_usage_brief(FILE *out, const char *text);

/* Monotonic seconds, for timing summaries. */
double ss_seconds(void);

/* Print "streamstat: " and the message to stderr. */
void ss_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Outcome of loading: what went wrong at the file level. */
struct ss_load_result {
	int open_failed; /* some input could not be opened */
	int io_failed;	 /* some input could not be read to the end */
	int limit;	 /* a limit was exceeded */
};

/*
 * Read the catalogs and o->inputs, then build the series.  Prints
 * file-level errors (cannot open ...) as it goes; data problems stay in
 * ds->problems for ss_print_problems().
 */
void ss_load(struct ss_dataset *ds, struct ss_series_stats *st, const struct ss_load_options *o,
	     struct ss_load_result *res);

/* The reading half of ss_load(): catalogs, o->inputs and ss_ingest_finish(),
 * without the series stage ("split"). */
void ss_load_ingest(struct ss_dataset *ds, const struct ss_load_options *o,
		    struct ss_load_result *res);

/* Print the problems (severity >= warning; info too when verbose), capped. */
void ss_print_problems(const struct ss_dataset *ds, const struct ss_load_options *o);

/* The exit code the loaded data calls for; explains a failure on stderr. */
int ss_load_exit_code(const struct ss_dataset *ds, const struct ss_series_stats *st,
		      const struct ss_load_options *o, const struct ss_load_result *res);

/* Would ss_load_exit_code() fail?  Says nothing. */
int ss_load_fails(const struct ss_dataset *ds, const struct ss_series_stats *st,
		  const struct ss_load_options *o, const struct ss_load_result *res);

/* ss_print_problems() leaving out list[i] where skip[i] (skip may be NULL). */
void ss_print_problems_except(const struct ss_dataset *ds, const struct ss_load_options *o,
			      const uint8_t *skip);

#endif
