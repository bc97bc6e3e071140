/*
 * cmd_check.c - "streamstat check": read and validate, report every problem.
 *
 * Runs ingest and series exactly as "report" does, then prints a summary
 * on stdout and each problem as "file:line: message" on stderr.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "streamstat/cli.h"
#include "streamstat/date.h"
#include "streamstat/number.h"

static const char usage_text[] =
	"usage: streamstat check DATA.csv [MORE.csv ...] [options]\n"
	"\n"
	"Read stream histories, validate them and print a summary; every problem\n"
	"is printed to stderr as FILE:LINE: MESSAGE.\n"
	"\n"
	"Options:\n" SS_LOAD_OPTIONS_HELP "  -h, --help            show this help\n"
	"\n" SS_EXIT_CODES_HELP;

static int usage(FILE *out, int code)
{
	fputs(usage_text, out);
	return code;
}

static void print_summary(const struct ss_dataset *ds, const struct ss_series_stats *st,
			  const struct ss_load_options *o)
{
	uint64_t rows = 0, used = 0, skipped = 0, after = 0, lost_files = 0;
	size_t ncat = 0;
	char a[28], b[28], c[28], d[28], d1[SS_DATE_LEN + 1], d2[SS_DATE_LEN + 1];

	for (size_t f = 0; f < ds->nfiles; f++) {
		const struct ss_file *fi = &ds->files[f];

		ncat += (size_t)fi->is_catalog;
		lost_files += (uint64_t)fi->fatal;
		if (fi->is_catalog)
			continue;
		rows += fi->rows;
		used += fi->used;
		skipped += fi->skipped;
		after += fi->after_as_of;
	}
	printf("files:         %zu", ds->nfiles - ncat);
	if (ncat)
		printf(" + %zu catalog", ncat);
	if (lost_files)
		printf(" (%llu unusable)", (unsigned long long)lost_files);
	printf("\nrows:          %s read, %s used, %s skipped", ss_count_format((int64_t)rows, a),
	       ss_count_format((int64_t)used, b), ss_count_format((int64_t)skipped, c));
	if (o->ingest.has_as_of)
		printf(", %s after --as-of", ss_count_format((int64_t)after, d));
	printf("\nalbums:        %s\n", ss_count_format((int64_t)ss_dataset_nalbums(ds), a));
	printf("tracks:        %s (%s with data)\n",
	       ss_count_format((int64_t)ss_dataset_ntracks(ds), a),
	       ss_count_format((int64_t)st->tracks_with_data, b));
	printf("observations:  %s", ss_count_format((int64_t)st->observations, a));
	if (st->observations) {
		ss_date_format(st->first_day, d1);
		ss_date_format(st->last_day, d2);
		printf(", %s to %s", d1, d2);
	}
	printf("\nseries:        %s merged rows (%s conflicting), %s corrections, %s mismatches\n",
	       ss_count_format((int64_t)st->merged, a), ss_count_format((int64_t)st->conflicts, b),
	       ss_count_format((int64_t)st->corrections, c),
	       ss_count_format((int64_t)st->mismatches, d));
	printf("derived:       %s daily counts, %s totals; %s lower bounds; %s gaps\n",
	       ss_count_format((int64_t)st->derived_streams, a),
	       ss_count_format((int64_t)st->derived_totals, b),
	       ss_count_format((int64_t)st->at_least, c), ss_count_format((int64_t)st->gaps, d));
	printf("problems:      %s",
	       ss_count_format((int64_t)ss_problems_at_least(&ds->problems, SS_SEV_WARNING), a));
	for (int k = 0; k < SS_P_KIND_COUNT; k++) {
		uint64_t n = ds->problems.count[k];

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
	while ((opt = getopt_long(argc, argv, SS_LOAD_SHORT_OPTIONS "h", longopts, NULL)) != -1) {
		int r = ss_load_option(&o, opt, optarg);

		if (r > 0)
			continue;
		ss_load_options_release(&o);
		if (opt == 'h')
			return usage(stdout, SS_EXIT_OK);
		return usage(stderr, SS_EXIT_USAGE);
	}
	if (optind >= argc) {
		ss_errorf("check: no data file given");
		ss_load_options_release(&o);
		return usage(stderr, SS_EXIT_USAGE);
	}
	ss_dataset_init(&ds, SS_PROBLEMS_DEFAULT_LIMIT);
	ss_load(&ds, &st, argv + optind, argc - optind, &o, &res);
	ss_print_problems(&ds, &o);
	if (o.verbosity > SS_QUIET)
		print_summary(&ds, &st, &o);
	code = ss_load_exit_code(&ds, &st, &o, &res);
	ss_dataset_release(&ds);
	ss_load_options_release(&o);
	return code;
}
