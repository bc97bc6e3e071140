/*
 * cmd_common.c - loading, problem printing and exit codes shared by the
 * data-reading commands.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "streamstat/cli.h"
#include "streamstat/date.h"
#include "streamstat/number.h"
#include "streamstat/utf8.h"
#include "streamstat/xalloc.h"

#define DEFAULT_MAX_PROBLEMS 50

void ss_errorf(const char *fmt, ...)
{
	va_list ap;

	fputs("streamstat: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void ss_put_line(FILE *out, const char *s)
{
	while (*s) {
		uint32_t cp;
		size_t n = ss_utf8_char(s, &cp);

		if (n == 0 || ss_is_control(cp)) {
			for (size_t i = 0; i < (n ? n : 1); i++)
				fprintf(out, "\\x%02x", (unsigned char)s[i]);
		} else {
			fwrite(s, 1, n, out);
		}
		s += n ? n : 1;
	}
	putc('\n', out);
}

void ss_csv_field(FILE *out, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	putc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			putc('"', out);
		putc(*s, out);
	}
	putc('"', out);
}

int ss_load_data(struct ss_dataset *ds, struct ss_series_stats *st, const struct ss_load_options *o)
{
	struct ss_load_result res;

	ss_dataset_init(ds, SS_PROBLEMS_DEFAULT_LIMIT);
	ss_load(ds, st, o, &res);
	ss_print_problems(ds, o);
	return ss_load_exit_code(ds, st, o, &res);
}

void ss_usage_brief(FILE *out, const char *text)
{
	static const char prefix[] = "usage: streamstat ";
	const char *end = strstr(text, "\n\n");
	const char *cmd =
		strncmp(text, prefix, sizeof prefix - 1) == 0 ? text + sizeof prefix - 1 : "";
	int n = (int)strcspn(cmd, " \n");

	fwrite(text, 1, end ? (size_t)(end - text) + 1 : strlen(text), out);
	if (n > 0)
		fprintf(out,
			"Run 'streamstat help %.*s' for the input columns, options and exit "
			"codes.\n",
			n, cmd);
	else
		fputs("Run 'streamstat --help' for the commands and exit codes.\n", out);
}

void ss_usage(FILE *out, const char *head, const char *tail)
{
	if (out != stdout) {
		ss_usage_brief(out, head);
		return;
	}
	fputs(head, out);
	fputs(SS_INPUT_HELP "\n", out);
	fputs(SS_INPUT_OPTIONS_HELP "\n", out);
	fputs(tail, out);
}

int ss_spool_stdin(const char *cmd)
{
	struct stat st;
	const char *dir = getenv("TMPDIR");
	char path[4096], *buf;
	int fd, ok = 1;

	if (fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode))
		return SS_EXIT_OK;
	snprintf(path, sizeof(path), "%s/streamstat-stdin.XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(path);
	if (fd < 0) {
		ss_errorf("%s: cannot keep standard input in %s: %s", cmd, path, strerror(errno));
		return SS_EXIT_IOERR;
	}
	unlink(path);
	buf = xmalloc(1u << 20);
	for (;;) {
		ssize_t got = read(STDIN_FILENO, buf, 1u << 20), put = 0;

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			ok = got == 0;
			break;
		}
		while (put < got) {
			ssize_t w = write(fd, buf + put, (size_t)(got - put));

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			put += w;
		}
		if (put < got) {
			ok = 0;
			break;
		}
	}
	free(buf);
	if (!ok || lseek(fd, 0, SEEK_SET) != 0 || dup2(fd, STDIN_FILENO) < 0) {
		ss_errorf("%s: cannot keep standard input in %s: %s", cmd,
			  dir && *dir ? dir : "/tmp", strerror(errno));
		close(fd);
		return SS_EXIT_IOERR;
	}
	close(fd);
	return SS_EXIT_OK;
}

/* What a file that is not a regular file is, for a message. */
static const char *file_kind(mode_t m)
{
	if (S_ISFIFO(m))
		return "a pipe";
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a regular file";
}

/* One input of ss_regular_inputs(); opening with O_NONBLOCK never waits for
 * a FIFO's writer. */
static int regular_input(const char *cmd, const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return SS_EXIT_OK; /* loading says why, as for every command */
	int bad = fstat(fd, &st) != 0 || !S_ISREG(st.st_mode);
	close(fd);
	if (!bad)
		return SS_EXIT_OK;
	ss_errorf("%s: %s is %s: each input is read twice (to load it and for its SHA-256), "
		  "so only regular files are taken; save it to a file first",
		  cmd, path, file_kind(st.st_mode));
	return SS_EXIT_NOINPUT;
}

int ss_regular_inputs(const struct ss_load_options *o, const char *cmd)
{
	if (o->stdin_used && ss_spool_stdin(cmd) != SS_EXIT_OK)
		return SS_EXIT_IOERR;
	for (size_t i = 0; i < o->ncatalogs; i++)
		if (strcmp(o->catalogs[i], "-") != 0 &&
		    regular_input(cmd, o->catalogs[i]) != SS_EXIT_OK)
			return SS_EXIT_NOINPUT;
	for (size_t i = 0; i < o->ninputs; i++)
		if (strcmp(o->inputs[i].path, "-") != 0 &&
		    regular_input(cmd, o->inputs[i].path) != SS_EXIT_OK)
			return SS_EXIT_NOINPUT;
	return SS_EXIT_OK;
}

double ss_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void ss_load_options_init(struct ss_load_options *o)
{
	memset(o, 0, sizeof(*o));
	o->max_problems = DEFAULT_MAX_PROBLEMS;
	o->verbosity = SS_NORMAL;
	o->stale_days = SS_STALE_DAYS_DEFAULT;
}

void ss_load_options_release(struct ss_load_options *o)
{
	free(o->catalogs);
	free(o->inputs);
	ss_load_options_init(o);
}

/* Add a history file, read with the input options given so far. */
static int add_input(struct ss_load_options *o, const char *path)
{
	struct ss_input *in;

	if (strcmp(path, "-") == 0) {
		if (o->stdin_used) {
			ss_errorf("'-' (standard input) is named twice; it can be read once only");
			return -1;
		}
		o->stdin_used = 1;
	}
	o->inputs = xreallocarray(o->inputs, o->ninputs + 1, sizeof(*o->inputs));
	in = &o->inputs[o->ninputs++];
	in->path = path;
	in->ingest = o->ingest;
	in->given = o->given;
	o->since = 0;
	return 1;
}

/* An input option was given: it applies to the files after it. */
static int given(struct ss_load_options *o, unsigned bit)
{
	o->given |= bit;
	o->since |= bit;
	return 1;
}

/* "';'", "tab" or a character as --delimiter and --thousands take it. */
static int one_char(const char *arg, char *c)
{
	if (strcmp(arg, "tab") == 0 || strcmp(arg, "\\t") == 0 || strcmp(arg, "\t") == 0) {
		*c = '\t';
		return 0;
	}
	if (strcmp(arg, "semicolon") == 0) {
		*c = ';';
		return 0;
	}
	if (strcmp(arg, "comma") == 0) {
		*c = ',';
		return 0;
	}
	if (strlen(arg) != 1)
		return -1;
	*c = arg[0];
	return 0;
}

/* --column FIELD=NAME */
static int column_option(struct ss_load_options *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	int f = eq ? ss_ingest_field(arg, (size_t)(eq - arg)) : -1;

	if (!eq || eq[1] == '\0' || f < 0) {
		ss_errorf("--column: '%s' is not FIELD=NAME with FIELD one of date, track, album, "
			  "artist, streams, total, bound, release_date, album_release_date (e.g. "
			  "--column track=Song)",
			  arg);
		return -1;
	}
	o->ingest.column[f] = eq + 1;
	return given(o, (unsigned)SS_IN_COLUMN << f);
}

/* The input options: 1 when opt was one, 0 when not, -1 on a bad value. */
static int input_option(struct ss_load_options *o, int opt, const char *arg)
{
	struct ss_ingest_options *in = &o->ingest;
	char c;

	switch (opt) {
	case SS_OPT_DELIMITER:
		if (one_char(arg, &c) < 0 || !strchr(",;\t|", c)) {
			ss_errorf("--delimiter: '%s' is not ',', ';', '|' or tab", arg);
			return -1;
		}
		in->delimiter = c;
		return given(o, SS_IN_DELIMITER);
	case SS_OPT_THOUSANDS:
		if (one_char(arg, &c) < 0 || !strchr(",.", c)) {
			ss_errorf(
				"--thousands: '%s' is not ',' or '.' (the character between groups "
				"of three digits)",
				arg);
			return -1;
		}
		in->thousands = c;
		return given(o, SS_IN_THOUSANDS);
	case SS_OPT_DATE_FORMAT:
		if (ss_date_fmt_parse(arg, &in->date_fmt) < 0) {
			ss_errorf("--date-format: '%s' is not a layout such as %%Y-%%m-%%d, "
				  "%%m/%%d/%%Y, "
				  "%%d/%%m/%%Y, %%Y/%%m/%%d or %%d.%%m.%%Y (%%Y, %%m and %%d once "
				  "each, "
				  "joined by '-', '/' or '.')",
				  arg);
			return -1;
		}
		in->has_date_fmt = 1;
		return given(o, SS_IN_DATE_FORMAT);
	case SS_OPT_COLUMN:
		return column_option(o, arg);
	case SS_OPT_TRACK:
	case SS_OPT_ALBUM:
	case SS_OPT_ARTIST: {
		static const char *const names[] = {"track", "album", "artist"};
		int k = opt - SS_OPT_TRACK;

		if (*arg == '\0') {
			ss_errorf("--%s: the name is empty", names[k]);
			return -1;
		}
		*(k == 0 ? &in->track : k == 1 ? &in->album : &in->artist) = arg;
		return given(o, k == 0 ? SS_IN_TRACK : k == 1 ? SS_IN_ALBUM : SS_IN_ARTIST);
	}
	case SS_OPT_DATE:
	case SS_OPT_RELEASE_DATE: {
		/* a date for a whole file: of its rows, or of its tracks' release */
		int rel = opt == SS_OPT_RELEASE_DATE;
		enum ss_date_result r =
			ss_date_parse(arg, strlen(arg), rel ? &in->release_date : &in->date);

		if (r != SS_DATE_OK) {
			ss_errorf("--%s: '%s' %s", rel ? "release-date" : "date", arg,
				  ss_date_error(r));
			return -1;
		}
		*(rel ? &in->has_release_date : &in->has_date) = 1;
		return given(o, rel ? SS_IN_RELEASE_DATE : SS_IN_DATE);
	}
	case SS_OPT_TRACK_FROM_FILENAME:
		in->track_from_filename = 1;
		return given(o, SS_IN_TRACK_FROM_FILENAME);
	case SS_OPT_WIDE:
		in->wide = 1;
		return given(o, SS_IN_WIDE);
	case SS_OPT_VALUES:
		if (strcmp(arg, "total") == 0 || strcmp(arg, "totals") == 0) {
			in->values = SS_VALUES_TOTAL;
		} else if (strcmp(arg, "streams") == 0) {
			in->values = SS_VALUES_STREAMS;
		} else {
			ss_errorf("--values: '%s' is not 'total' (running totals) or 'streams' "
				  "(daily "
				  "streams)",
				  arg);
			return -1;
		}
		return given(o, SS_IN_VALUES);
	default:
		return 0;
	}
}

/* Copy the options of bits from src to dst. */
static void copy_given(struct ss_ingest_options *dst, const struct ss_ingest_options *src,
		       unsigned bits)
{
	if (bits & SS_IN_DELIMITER)
		dst->delimiter = src->delimiter;
	if (bits & SS_IN_THOUSANDS)
		dst->thousands = src->thousands;
	if (bits & SS_IN_DATE_FORMAT) {
		dst->has_date_fmt = src->has_date_fmt;
		dst->date_fmt = src->date_fmt;
	}
	if (bits & SS_IN_TRACK)
		dst->track = src->track;
	if (bits & SS_IN_ALBUM)
		dst->album = src->album;
	if (bits & SS_IN_ARTIST)
		dst->artist = src->artist;
	if (bits & SS_IN_DATE) {
		dst->has_date = src->has_date;
		dst->date = src->date;
	}
	if (bits & SS_IN_RELEASE_DATE) {
		dst->has_release_date = src->has_release_date;
		dst->release_date = src->release_date;
	}
	if (bits & SS_IN_TRACK_FROM_FILENAME)
		dst->track_from_filename = src->track_from_filename;
	if (bits & SS_IN_WIDE)
		dst->wide = src->wide;
	if (bits & SS_IN_VALUES)
		dst->values = src->values;
	for (int f = 0; f < SS_INGEST_FIELDS; f++)
		if (bits & ((unsigned)SS_IN_COLUMN << f))
			dst->column[f] = src->column[f];
}

/* One input's options that cannot go together; 0, or -1 after a message. */
static int check_input(const char *cmd, const struct ss_input *in)
{
	const struct ss_ingest_options *o = &in->ingest;
	const char *name = strcmp(in->path, "-") == 0 ? "standard input" : in->path;

	if (o->wide && o->values == SS_VALUES_UNSET) {
		ss_errorf("%s: --wide: say what the cells of %s are with --values total (running "
			  "totals) or --values streams (daily streams)",
			  cmd, name);
		return -1;
	}
	if (o->wide && (o->track || o->track_from_filename)) {
		ss_errorf("%s: --wide: %s has a column per track, so --track and "
			  "--track-from-filename do not apply to it",
			  cmd, name);
		return -1;
	}
	if (o->track && o->track_from_filename) {
		ss_errorf("%s: --track and --track-from-filename both name the track of %s; give "
			  "one",
			  cmd, name);
		return -1;
	}
	if (o->track_from_filename && strcmp(in->path, "-") == 0) {
		ss_errorf(
			"%s: --track-from-filename: standard input has no file name; give --track "
			"NAME",
			cmd);
		return -1;
	}
	return 0;
}

int ss_load_inputs_done(struct ss_load_options *o, const char *cmd, int n, char **files)
{
	int wide = 0;

	for (int i = 0; i < n; i++)
		if (add_input(o, files[i]) < 0)
			return -1;
	if (o->ninputs == 0) {
		ss_errorf("%s: no data file given", cmd);
		return -1;
	}
	for (size_t i = 0; i < o->ninputs; i++) {
		struct ss_input *in = &o->inputs[i];

		copy_given(&in->ingest, &o->ingest, o->since & ~in->given);
		in->ingest.has_as_of = o->ingest.has_as_of;
		in->ingest.as_of = o->ingest.as_of;
		if (check_input(cmd, in) < 0)
			return -1;
		wide |= in->ingest.wide;
	}
	if ((o->given & SS_IN_VALUES) && !wide) {
		ss_errorf("%s: --values says what a wide table's cells are; give it with --wide",
			  cmd);
		return -1;
	}
	return 0;
}

int ss_load_option(struct ss_load_options *o, int opt, const char *arg)
{
	char *end;
	int in = input_option(o, opt, arg);

	if (in)
		return in;
	switch (opt) {
	case 1:
		return add_input(o, arg);
	case 'c':
		if (strcmp(arg, "-") == 0 && o->stdin_used++) {
			ss_errorf("'-' (standard input) is named twice; it can be read once only");
			return -1;
		}
		o->catalogs = xreallocarray(o->catalogs, o->ncatalogs + 1, sizeof(*o->catalogs));
		o->catalogs[o->ncatalogs++] = arg;
		return 1;
	case 'A': {
		enum ss_date_result r = ss_date_parse(arg, strlen(arg), &o->ingest.as_of);

		if (r != SS_DATE_OK) {
			ss_errorf("--as-of: '%s' %s", arg, ss_date_error(r));
			return -1;
		}
	}
		o->ingest.has_as_of = 1;
		return 1;
	case 'S':
		o->strict = 1;
		return 1;
	case 'P':
		o->max_problems = strtol(arg, &end, 10);
		if (*arg == '\0' || *end != '\0' || o->max_problems < 0) {
			ss_errorf("--max-problems: '%s' is not a whole number >= 0", arg);
			return -1;
		}
		return 1;
	case SS_OPT_STALE_DAYS: {
		long v = strtol(arg, &end, 10);

		if (*arg == '\0' || *end != '\0' || v < 0 || v > 36525) {
			ss_errorf("--stale-days: '%s' is not a number of days from 0 to 36525",
				  arg);
			return -1;
		}
		o->stale_days = (int)v;
		return 1;
	}
	case 'q':
		o->verbosity = SS_QUIET;
		return 1;
	case 'v':
		o->verbosity = SS_VERBOSE;
		return 1;
	default:
		return 0;
	}
}

int ss_option_error(const char *cmd, int opt, char **argv)
{
	const char *arg = argv[optind - 1];

	if (opt == ':')
		ss_errorf("%s: option '%s' needs a value", cmd, arg);
	else if (strncmp(arg, "--", 2) == 0 && strchr(arg, '=') && optopt)
		ss_errorf("%s: option '%.*s' takes no value", cmd, (int)(strchr(arg, '=') - arg),
			  arg);
	else if (strncmp(arg, "--", 2) == 0)
		ss_errorf("%s: unknown option '%s'", cmd, arg);
	else
		ss_errorf("%s: unknown option '-%c'", cmd, optopt);
	return SS_EXIT_USAGE;
}

/*
 * Cannot-open and read errors are logged with the data problems (printed in
 * file order by ss_print_problems()); anything else is printed here.
 */
static void note_status(enum ss_status s, const struct ss_error *err, struct ss_load_result *res)
{
	switch (s) {
	case SS_OK:
		return;
	case SS_ERR_NOINPUT:
		res->open_failed = 1;
		return;
	case SS_ERR_IO:
		res->io_failed = 1;
		return;
	default:
		break;
	}
	if (err->line)
		ss_errorf("%s:%lu: %s", err->file, err->line, err->msg);
	else
		ss_errorf("%s: %s", err->file ? err->file : "input", err->msg);
	res->limit = 1;
}

void ss_load_ingest(struct ss_dataset *ds, const struct ss_load_options *o,
		    struct ss_load_result *res)
{
	struct ss_error err;

	memset(res, 0, sizeof(*res));
	for (size_t i = 0; i < o->ncatalogs; i++)
		note_status(ss_ingest_catalog(ds, o->catalogs[i], &err), &err, res);
	for (size_t i = 0; i < o->ninputs; i++)
		note_status(ss_ingest_file(ds, o->inputs[i].path, &o->inputs[i].ingest, &err), &err,
			    res);
	ss_ingest_finish(ds);
}

void ss_load(struct ss_dataset *ds, struct ss_series_stats *st, const struct ss_load_options *o,
	     struct ss_load_result *res)
{
	struct ss_error err;

	memset(st, 0, sizeof(*st));
	ss_load_ingest(ds, o, res);
	note_status(ss_series_build(ds, st, &err), &err, res);
	ss_series_check_stale(ds, st, o->stale_days);
}

void ss_print_problems(const struct ss_dataset *ds, const struct ss_load_options *o)
{
	ss_print_problems_except(ds, o, NULL);
}

void ss_print_problems_except(const struct ss_dataset *ds, const struct ss_load_options *o,
			      const uint8_t *skip)
{
	const struct ss_problems *p = &ds->problems;
	enum ss_severity min = o->verbosity >= SS_VERBOSE ? SS_SEV_INFO : SS_SEV_WARNING;
	uint64_t shown = 0, hidden = 0;
	char n[28], m[28];

	for (size_t i = 0; i < p->n; i++) {
		const struct ss_problem *pr = &p->list[i];

		if (ss_problem_severity(pr->kind) < min || (skip && skip[i]))
			continue;
		if (o->max_problems && shown >= (uint64_t)o->max_problems) {
			hidden++;
			continue;
		}
		shown++;
		if (pr->line)
			ss_errorf("%s:%llu: %s", ds->files[pr->file].path,
				  (unsigned long long)pr->line, pr->msg);
		else
			ss_errorf("%s: %s", ds->files[pr->file].path, pr->msg);
	}
	if (hidden)
		ss_errorf("%s more problems not shown (--max-problems=0 shows them)",
			  ss_count_format((int64_t)hidden, n));
	if (p->not_kept)
		ss_errorf("%s further problems were counted but not kept (at most %s are)",
			  ss_count_format((int64_t)p->not_kept, n),
			  ss_count_format((int64_t)p->limit, m));
}

static int exit_code(const struct ss_dataset *ds, const struct ss_series_stats *st,
		     const struct ss_load_options *o, const struct ss_load_result *res, int say);

int ss_load_exit_code(const struct ss_dataset *ds, const struct ss_series_stats *st,
		      const struct ss_load_options *o, const struct ss_load_result *res)
{
	return exit_code(ds, st, o, res, 1);
}

int ss_load_fails(const struct ss_dataset *ds, const struct ss_series_stats *st,
		  const struct ss_load_options *o, const struct ss_load_result *res)
{
	return exit_code(ds, st, o, res, 0) != SS_EXIT_OK;
}

/* The exit code the loaded data calls for; a failure explained when say. */
static int exit_code(const struct ss_dataset *ds, const struct ss_series_stats *st,
		     const struct ss_load_options *o, const struct ss_load_result *res, int say)
{
	uint64_t problems = ss_problems_at_least(&ds->problems, SS_SEV_WARNING);

	if (res->io_failed)
		return SS_EXIT_IOERR;
	if (res->open_failed)
		return SS_EXIT_NOINPUT;
	if (res->limit)
		return SS_EXIT_DATAERR;
	for (size_t f = 0; f < ds->nfiles; f++)
		if (ds->files[f].fatal)
			return SS_EXIT_DATAERR;
	if (st->observations == 0) {
		uint64_t after = 0;
		char n[28], d[SS_DATE_LEN + 1];

		for (size_t f = 0; f < ds->nfiles; f++)
			after += ds->files[f].after_as_of;
		if (say && after) {
			ss_date_format(o->ingest.as_of, d);
			ss_errorf("no usable rows in the input: all %s rows are dated after "
				  "--as-of %s",
				  ss_count_format((int64_t)after, n), d);
		} else if (say) {
			ss_errorf("no usable rows in the input");
		}
		return SS_EXIT_DATAERR;
	}
	if (o->strict && problems) {
		if (say)
			ss_errorf("--strict: %llu problem%s found", (unsigned long long)problems,
				  problems == 1 ? "" : "s");
		return SS_EXIT_DATAERR;
	}
	return SS_EXIT_OK;
}

char **ss_list_split(char **v, const char *s, size_t *n)
{
	while (*s) {
		size_t len = 0, cap = strlen(s) + 1;
		char *item = xmalloc(cap);

		if (*s == '"') {
			for (s++; *s && !(*s == '"' && s[1] != '"'); s++) {
				if (*s == '"')
					s++; /* "" */
				item[len++] = *s;
			}
			s += *s == '"';
		}
		for (; *s && *s != ','; s++)
			item[len++] = *s;
		item[len] = '\0';
		s += *s == ',';
		v = xreallocarray(v, *n + 2, sizeof *v);
		v[(*n)++] = item;
	}
	if (v)
		v[*n] = NULL;
	return v;
}

void ss_list_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* ---- milestone options ------------------------------------------------- */

uint32_t ss_ms_cli_models(const struct ss_ms_cli *c)
{
	uint32_t mask = 0;

	if (c->curves)
		return 0; /* all */
	for (size_t i = 0; i < ss_nmodels; i++)
		if (!ss_model_is_curve(&ss_models[i]))
			mask |= 1u << i;
	return mask;
}

struct ss_pipeline_options ss_ms_cli_pipeline(const struct ss_ms_cli *c, unsigned jobs,
					      int stale_days, int backtest)
{
	struct ss_pipeline_options po = ss_pipeline_defaults();

	po.fit.jobs = jobs;
	po.fit.models = ss_ms_cli_models(c);
	po.ms = c->ms;
	po.ms.stale_days = stale_days;
	po.pool = c->curves && !c->no_pool;
	po.backtest = backtest;
	po.use_rule = !c->method_set;
	return po;
}

void ss_ms_cli_init(struct ss_ms_cli *c)
{
	memset(c, 0, sizeof *c);
	c->ms = ss_ms_defaults();
}

void ss_ms_cli_release(struct ss_ms_cli *c)
{
	free(c->exclude);
	ss_ms_cli_init(c);
}

/* arg as a whole number from lo to hi into *v; 0, or -1 when it is not. */
static int whole_in(const char *arg, long lo, long hi, long *v)
{
	char *end;

	*v = strtol(arg, &end, 10);
	return *arg != '\0' && *end == '\0' && *v >= lo && *v <= hi ? 0 : -1;
}

int ss_parse_jobs(const char *cmd, const char *arg, unsigned *jobs)
{
	long v;

	if (whole_in(arg, 1, 256, &v) != 0) {
		ss_errorf("%s: --jobs: '%s' is not a number from 1 to 256", cmd, arg);
		return -1;
	}
	*jobs = (unsigned)v;
	return 0;
}

int ss_ms_option(struct ss_ms_cli *c, int opt, const char *arg)
{
	char *end;

	switch (opt) {
	case SS_OPT_MILESTONES:
		if (ss_ms_parse_list(arg, &c->ms) < 0) {
			ss_errorf("--milestones: '%s' is not a list of up to %d milestones such as "
				  "50M,100M,1B",
				  arg, SS_MILESTONES_MAX);
			return -1;
		}
		return 1;
	case SS_OPT_LEVEL: {
		double v = strtod(arg, &end);
		if (*arg == '\0' || *end != '\0' || !(v >= 0.5 && v <= 0.99)) {
			ss_errorf("--level: '%s' is not a number from 0.5 to 0.99", arg);
			return -1;
		}
		c->ms.level = v;
		return 1;
	}
	case SS_OPT_DAY_ZERO:
		c->ms.day_zero = 1;
		return 1;
	case SS_OPT_BY: {
		enum ss_date_result r = ss_date_parse(arg, strlen(arg), &c->ms.by);
		if (r != SS_DATE_OK) {
			ss_errorf("--by: '%s' %s", arg, ss_date_error(r));
			return -1;
		}
		return 1;
	}
	case SS_OPT_EXCLUDE_TRACK:
		c->exclude = xreallocarray(c->exclude, c->nexclude + 1, sizeof *c->exclude);
		c->exclude[c->nexclude++] = arg;
		return 1;
	case SS_OPT_EXCLUDE_INTERLUDES:
		c->exclude_interludes = 1;
		return 1;
	case SS_OPT_NO_POOL:
		c->no_pool = 1;
		return 1;
	case SS_OPT_CURVES:
		c->curves = 1;
		return 1;
	case SS_OPT_HORIZON: {
		long v;
		if (whole_in(arg, 1, 100, &v) != 0) {
			ss_errorf("--horizon: '%s' is not a number of years from 1 to 100", arg);
			return -1;
		}
		c->ms.horizon_years = (int)v;
		return 1;
	}
	case SS_OPT_METHOD: {
		size_t i;
		if (strcmp(arg, "aicc") == 0) {
			c->method = -1;
		} else if (ss_model_find(arg, &i)) {
			c->method = (int16_t)i;
		} else {
			ss_errorf("--method: no method '%s' (pace, recent, aicc or a curve: see "
				  "'streamstat fit --help')",
				  arg);
			return -1;
		}
		c->method_set = 1;
		c->ms.model_rule = c->method;
		if (c->method < 0 || ss_model_is_curve(&ss_models[c->method]))
			c->curves = 1;
		return 1;
	}
	case SS_OPT_DRAWS: {
		long v;
		if (whole_in(arg, 100, 100000, &v) != 0) {
			ss_errorf("--draws: '%s' is not a number from 100 to 100000", arg);
			return -1;
		}
		c->ms.draws = (unsigned)v;
		return 1;
	}
	case SS_OPT_SEED: {
		unsigned long long v = strtoull(arg, &end, 10);
		if (*arg == '\0' || *end != '\0' || *arg == '-') {
			ss_errorf("--seed: '%s' is not a whole number", arg);
			return -1;
		}
		c->ms.seed = (uint64_t)v;
		return 1;
	}
	default:
		return 0;
	}
}

/* Does title name an interlude or a skit ("Interlude : Dive", "Skit"): the
 * word, in any case, not inside a longer word? */
int ss_is_interlude(const char *title)
{
	static const char *const words[] = {"interlude", "skit"};
	size_t n = strlen(title);

	for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
		size_t len = strlen(words[w]);
		for (size_t i = 0; i + len <= n; i++) {
			int start = i == 0 || !isalnum((unsigned char)title[i - 1]);
			int end = i + len == n || !isalnum((unsigned char)title[i + len]);
			if (start && end && strncasecmp(title + i, words[w], len) == 0)
				return 1;
		}
	}
	return 0;
}

/* Does arg name track t: TRACK, ALBUM/TRACK or ARTIST/ALBUM/TRACK? */
static int names_track(const struct ss_dataset *ds, uint32_t t, const char *arg)
{
	const char *title = ss_track_name(ds, t);
	size_t n = strlen(arg), tl = strlen(title);

	if (n == tl && memcmp(arg, title, n) == 0)
		return 1;
	return n > tl + 1 && arg[n - tl - 1] == '/' && memcmp(arg + n - tl, title, tl) == 0 &&
	       ss_album_spec_is(ds, ds->tracks[t].album, arg, n - tl - 1);
}

void ss_ms_cli_exclude(const struct ss_ms_cli *c, struct ss_dataset *ds, uint64_t *found)
{
	size_t nt = ss_dataset_ntracks(ds);

	for (size_t t = 0; t < nt && c->exclude_interludes; t++)
		if (ss_is_interlude(ss_track_name(ds, (uint32_t)t)))
			ds->tracks[t].counts = 0;
	for (size_t i = 0; i < c->nexclude; i++) {
		found[i] = 0;
		for (size_t t = 0; t < nt; t++)
			if (names_track(ds, (uint32_t)t, c->exclude[i])) {
				ds->tracks[t].counts = 0;
				found[i]++;
			}
	}
}

int ss_ms_cli_excluded(const struct ss_ms_cli *c, const uint64_t *found, const char *cmd)
{
	for (size_t i = 0; i < c->nexclude; i++)
		if (!found[i]) {
			ss_errorf("%s: --exclude-track: no track '%s' in the data", cmd,
				  c->exclude[i]);
			return SS_EXIT_USAGE;
		}
	return SS_EXIT_OK;
}

int ss_ms_cli_apply(const struct ss_ms_cli *c, struct ss_dataset *ds, const char *cmd)
{
	uint64_t *found = xcalloc(c->nexclude + 1, sizeof *found);
	int code;

	ss_ms_cli_exclude(c, ds, found);
	code = ss_ms_cli_excluded(c, found, cmd);
	free(found);
	return code;
}
