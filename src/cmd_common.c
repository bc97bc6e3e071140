/*
 * cmd_common.c - loading, problem printing and exit codes shared by the
 * data-reading commands.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "streamstat/cli.h"
#include "streamstat/date.h"
#include "streamstat/number.h"
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

void ss_load_options_init(struct ss_load_options *o)
{
	memset(o, 0, sizeof(*o));
	o->max_problems = DEFAULT_MAX_PROBLEMS;
	o->verbosity = SS_NORMAL;
}

void ss_load_options_release(struct ss_load_options *o)
{
	free(o->catalogs);
	ss_load_options_init(o);
}

int ss_load_option(struct ss_load_options *o, int opt, const char *arg)
{
	char *end;

	switch (opt) {
	case 'c':
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

void ss_load(struct ss_dataset *ds, struct ss_series_stats *st, char **files, int nfiles,
	     const struct ss_load_options *o, struct ss_load_result *res)
{
	struct ss_error err;

	memset(res, 0, sizeof(*res));
	memset(st, 0, sizeof(*st));
	for (size_t i = 0; i < o->ncatalogs; i++)
		note_status(ss_ingest_catalog(ds, o->catalogs[i], &err), &err, res);
	for (int i = 0; i < nfiles; i++)
		note_status(ss_ingest_file(ds, files[i], &o->ingest, &err), &err, res);
	ss_ingest_finish(ds);
	note_status(ss_series_build(ds, st, &err), &err, res);
}

void ss_print_problems(const struct ss_dataset *ds, const struct ss_load_options *o)
{
	const struct ss_problems *p = &ds->problems;
	enum ss_severity min = o->verbosity >= SS_VERBOSE ? SS_SEV_INFO : SS_SEV_WARNING;
	uint64_t shown = 0, hidden = 0;
	char n[28], m[28];

	for (size_t i = 0; i < p->n; i++) {
		const struct ss_problem *pr = &p->list[i];

		if (ss_problem_severity(pr->kind) < min)
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

int ss_load_exit_code(const struct ss_dataset *ds, const struct ss_series_stats *st,
		      const struct ss_load_options *o, const struct ss_load_result *res)
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
		if (after) {
			ss_date_format(o->ingest.as_of, d);
			ss_errorf("no usable rows in the input: all %s rows are dated after "
				  "--as-of %s",
				  ss_count_format((int64_t)after, n), d);
		} else {
			ss_errorf("no usable rows in the input");
		}
		return SS_EXIT_DATAERR;
	}
	if (o->strict && problems) {
		ss_errorf("--strict: %llu problem%s found", (unsigned long long)problems,
			  problems == 1 ? "" : "s");
		return SS_EXIT_DATAERR;
	}
	return SS_EXIT_OK;
}
