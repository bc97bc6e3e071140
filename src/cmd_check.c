/*
 * cmd_check.c - "streamstat check": read and validate, report every problem.
 *
 * Runs ingest and series exactly as "report" does, then prints a summary
 * on stdout and each problem as "file:line: message" on stderr.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "streamstat/cli.h"
#include "streamstat/date.h"
#include "streamstat/number.h"
#include "streamstat/xalloc.h"

static const char usage_head[] =
	"usage: streamstat check DATA.csv [MORE.csv ...] [options]\n"
	"\n"
	"Read stream histories, validate them and print a summary; every problem\n"
	"is printed to stderr as FILE:LINE: MESSAGE; -v also prints how each file\n"
	"was read (delimiter detected, column aliases, dates with a time ...).\n"
	"\n";
static const char usage_tail[] =
	"Options:\n" SS_LOAD_OPTIONS_HELP "  -h, --help            show this help\n"
	"\n" SS_EXIT_CODES_HELP;

static int usage(FILE *out, int code)
{
	ss_usage(out, usage_head, usage_tail);
	return code;
}

/* Rows of the catalogs (is_catalog 1) or of the data files (0), summed. */
static void sum_rows(const struct ss_dataset *ds, int is_catalog, struct ss_file *sum)
{
	memset(sum, 0, sizeof(*sum));
	for (size_t f = 0; f < ds->nfiles; f++) {
		const struct ss_file *fi = &ds->files[f];

		if (fi->is_catalog != is_catalog)
			continue;
		sum->rows += fi->rows;
		sum->used += fi->used;
		sum->skipped += fi->skipped;
		sum->after_as_of += fi->after_as_of;
		sum->fatal += fi->fatal;
	}
}

static void print_rows(const char *label, const struct ss_file *sum, int as_of)
{
	char a[28], b[28], c[28], d[28];

	printf("%-15s%s read, %s used, %s skipped", label, ss_count_format((int64_t)sum->rows, a),
	       ss_count_format((int64_t)sum->used, b), ss_count_format((int64_t)sum->skipped, c));
	if (as_of)
		printf(", %s after --as-of", ss_count_format((int64_t)sum->after_as_of, d));
	putchar('\n');
}

/* One line per album: release date and its source, tracks. */
static void print_albums(const struct ss_dataset *ds)
{
	size_t na = ss_dataset_nalbums(ds);
	size_t *with_data = xcalloc(na ? na : 1, sizeof(*with_data));
	char date[SS_DATE_LEN + 1];

	for (size_t t = 0; t < ss_dataset_ntracks(ds); t++)
		with_data[ds->tracks[t].album] += ds->tracks[t].n > 0;
	for (size_t a = 0; a < na; a++) {
		const struct ss_album *al = &ds->albums[a];

		if (al->release_src != SS_SRC_NONE)
			ss_date_format(al->release, date);
		printf("  %s%s%s: released %s (%s), %u tracks, %zu with data\n",
		       ss_album_name(ds, (uint32_t)a),
		       *ss_album_artist(ds, (uint32_t)a) ? " by " : "",
		       ss_album_artist(ds, (uint32_t)a),
		       al->release_src != SS_SRC_NONE ? date : "on an unknown date",
		       ss_date_source_name((enum ss_date_source)al->release_src), al->ntracks,
		       with_data[a]);
	}
	free(with_data);
}

static void print_summary(const struct ss_dataset *ds, const struct ss_series_stats *st,
			  const struct ss_load_options *o)
{
	const struct ss_problems *p = &ds->problems;
	struct ss_file data, cat;
	size_t nfiles = 0, ncat = 0;
	uint64_t notes = 0;
	char a[28], b[28], c[28], d1[SS_DATE_LEN + 1], d2[SS_DATE_LEN + 1];

	for (size_t f = 0; f < ds->nfiles; f++)
		ds->files[f].is_catalog ? ncat++ : nfiles++;
	sum_rows(ds, 0, &data);
	sum_rows(ds, 1, &cat);
	printf("files:         %zu", nfiles);
	if (ncat)
		printf(" + %zu catalog", ncat);
	if (data.fatal + cat.fatal)
		printf(" (%d unusable)", data.fatal + cat.fatal);
	putchar('\n');
	print_rows("rows:", &data, o->ingest.has_as_of);
	if (ncat)
		print_rows("catalog rows:", &cat, 0);
	printf("albums:        %s\n", ss_count_format((int64_t)ss_dataset_nalbums(ds), a));
	if (o->verbosity >= SS_VERBOSE)
		print_albums(ds);
	printf("tracks:        %s (%s with data)\n",
	       ss_count_format((int64_t)ss_dataset_ntracks(ds), a),
	       ss_count_format((int64_t)st->tracks_with_data, b));
	printf("observations:  %s", ss_count_format((int64_t)st->observations, a));
	if (st->observations) {
		ss_date_format(st->first_day, d1);
		ss_date_format(st->last_day, d2);
		printf(", %s to %s (%s lower bounds; %s after missing days)", d1, d2,
		       ss_count_format((int64_t)st->at_least, b),
		       ss_count_format((int64_t)st->gaps, c));
	}
	printf("\nmerged:        %s rows (%s disagreeing)\n",
	       ss_count_format((int64_t)st->merged, a), ss_count_format((int64_t)st->conflicts, b));
	printf("checks:        %s totals went down, %s streams/total mismatches, %s before "
	       "release\n",
	       ss_count_format((int64_t)st->corrections, a),
	       ss_count_format((int64_t)st->mismatches, b),
	       ss_count_format((int64_t)st->before_release, c));
	printf("derived:       %s daily counts, %s totals\n",
	       ss_count_format((int64_t)st->derived_streams, a),
	       ss_count_format((int64_t)st->derived_totals, b));
	for (int k = 0; k < SS_P_KIND_COUNT; k++)
		if (ss_problem_severity((enum ss_problem_kind)k) == SS_SEV_INFO)
			notes += p->count[k];
	printf("problems:      %s (%s about unusable files, %s about skipped rows, %s warnings); "
	       "%s notes",
	       ss_count_format((int64_t)ss_problems_at_least(p, SS_SEV_WARNING), a),
	       ss_count_format((int64_t)ss_problems_at_least(p, SS_SEV_FATAL), b),
	       ss_count_format((int64_t)(ss_problems_at_least(p, SS_SEV_SKIPPED) -
					 ss_problems_at_least(p, SS_SEV_FATAL)),
			       c),
	       ss_count_format((int64_t)(ss_problems_at_least(p, SS_SEV_WARNING) -
					 ss_problems_at_least(p, SS_SEV_SKIPPED)),
			       d1),
	       ss_count_format((int64_t)notes, d2));
	for (int k = 0; k < SS_P_KIND_COUNT; k++) {
		uint64_t n = p->count[k];

		if (n)
			printf("\n  %-26s %s (%s)", ss_problem_kind_name((enum ss_problem_kind)k),
			       ss_count_format((int64_t)n, a),
			       ss_severity_name(ss_problem_severity((enum ss_problem_kind)k)));
	}
	putchar('\n');
}

int cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		SS_LOAD_LONG_OPTIONS, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	struct ss_load_options o;
	struct ss_dataset ds;
	struct ss_series_stats st;
	struct ss_load_result res;
	int opt, code;

	ss_load_options_init(&o);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, SS_LOAD_SHORT_OPTIONS "h", longopts, NULL)) != -1) {
		int r = ss_load_option(&o, opt, optarg);

		if (r > 0)
			continue;
		ss_load_options_release(&o);
		if (opt == 'h')
			return usage(stdout, SS_EXIT_OK);
		if (r == 0)
			ss_option_error("check", opt, argv);
		return usage(stderr, SS_EXIT_USAGE);
	}
	if (ss_load_inputs_done(&o, "check", argc - optind, argv + optind) < 0) {
		ss_load_options_release(&o);
		return usage(stderr, SS_EXIT_USAGE);
	}
	ss_dataset_init(&ds, SS_PROBLEMS_DEFAULT_LIMIT);
	ss_load(&ds, &st, &o, &res);
	ss_print_problems(&ds, &o);
	if (o.verbosity > SS_QUIET)
		print_summary(&ds, &st, &o);
	code = ss_load_exit_code(&ds, &st, &o, &res);
	ss_dataset_release(&ds);
	ss_load_options_release(&o);
	return code;
}
