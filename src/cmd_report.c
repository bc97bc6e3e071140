/*
 * cmd_report.c - "streamstat report": the whole pipeline, written as a
 * workbook and a JSON summary.
 *
 * Loads (as "check"), fits, backtests, projects, and writes
 * DIR/streamstat-<as-of>.xlsx and .json (DIR defaults to "reports"; -o may
 * name the .xlsx itself).  Prints the path written and the headline.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "streamstat/backtest.h"
#include "streamstat/cli.h"
#include "streamstat/date.h"
#include "streamstat/report.h"
#include "streamstat/xalloc.h"

#define DEFAULT_DIR "reports"

static const char usage_text[] =
	"usage: streamstat report DATA.csv [MORE.csv ...] [options]\n"
	"\n"
	"Fit, backtest and project every track, and write the comparison of albums as\n"
	"an Excel workbook (Summary, Milestones, Tracks, Charts, Daily, Backtest, Data\n"
	"quality, About) and a JSON summary beside it.  Prints the path written and a\n"
	"headline.\n"
	"\n"
	"Options:\n"
	"  -o, --output DIR|FILE.xlsx  where to write (default: reports/, as\n"
	"                        streamstat-<as-of>.xlsx; the JSON goes beside it)\n"
	"      --json FILE       write the JSON summary to FILE instead\n"
	"      --albums LIST     compare only these albums (comma-separated names)\n"
	"      --tmpdir DIR      where the workbook library keeps its temporary files\n"
	"                        (default: $TMPDIR or /tmp)\n"
	"      --no-backtest     keep each track's least-AICc model without backtesting\n"
	"  -j, --jobs N          threads (default: one per CPU); results do not depend on "
	"N\n" SS_LOAD_OPTIONS_HELP SS_MS_OPTIONS_HELP "  -h, --help            show this help\n"
	"\n" SS_EXIT_CODES_HELP "              73 cannot create an output file.\n";

/* Does path end in suffix (case-sensitive)? */
static int ends_with(const char *path, const char *suffix)
{
	size_t n = strlen(path), m = strlen(suffix);

	return n >= m && strcmp(path + n - m, suffix) == 0;
}

/* Split "A,B,C" into a NULL-terminated array of copies (the caller frees). */
static char **split_list(const char *s, size_t *n)
{
	char **v = NULL;

	*n = 0;
	while (*s) {
		size_t len = strcspn(s, ",");
		v = xreallocarray(v, *n + 2, sizeof *v);
		v[(*n)++] = xstrndup(s, len);
		s += len + (s[len] == ',');
	}
	if (v)
		v[*n] = NULL;
	return v;
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The options after "report", for the About sheet. */
static char *join_args(int argc, char **argv)
{
	size_t len = 1;
	char *s;

	for (int i = 1; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = xmalloc(len);
	s[0] = '\0';
	for (int i = 1; i < argc; i++) {
		if (i > 1)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/* Output paths: xlsx and json, allocated. */
static int output_paths(const char *out, const char *json, int32_t as_of, char **xlsx_path,
			char **json_path)
{
	char date[SS_DATE_LEN + 1];
	const char *dir = out ? out : DEFAULT_DIR;
	size_t n;

	ss_date_format(as_of, date);
	if (out && ends_with(out, ".xlsx")) {
		*xlsx_path = xstrdup(out);
	} else {
		struct stat sb;
		if (stat(dir, &sb) != 0 && mkdir(dir, 0777) != 0 && errno != EEXIST) {
			ss_errorf("report: cannot create the directory %s: %s", dir,
				  strerror(errno));
			return SS_EXIT_CANTCREAT;
		}
		n = strlen(dir) + sizeof "/streamstat-.xlsx" + SS_DATE_LEN;
		*xlsx_path = xmalloc(n);
		snprintf(*xlsx_path, n, "%s/streamstat-%s.xlsx", dir, date);
	}
	if (json) {
		*json_path = xstrdup(json);
	} else {
		n = strlen(*xlsx_path) + 1;
		*json_path = xmalloc(n);
		memcpy(*json_path, *xlsx_path, n);
		strcpy(*json_path + n - 1 - strlen(".xlsx"), ".json");
	}
	return SS_EXIT_OK;
}

struct report_opts {
	const char *out, *json, *tmpdir;
	char **albums;
	size_t nalbums;
	int backtest;
	unsigned jobs;
};

static int run(struct ss_dataset *ds, const struct ss_series_stats *st,
	       const struct ss_load_options *o, struct ss_ms_cli *mc, const struct report_opts *ro,
	       int argc, char **argv, double t_start)
{
	struct ss_fit_options fo = ss_fit_defaults();
	struct ss_fits fits;
	struct ss_milestones ms;
	struct ss_backtest bt;
	struct ss_error err = {0};
	struct ss_report r;
	int code = SS_EXIT_OK;
	char *xlsx = NULL, *json = NULL;

	memset(&r, 0, sizeof r);
	fo.jobs = ro->jobs;
	ss_fit_all(ds, &fo, &fits, &err);
	if (ro->backtest) {
		struct ss_bt_options bo = ss_bt_defaults();
		bo.jobs = fo.jobs;
		bo.fit = fo;
		bo.ms = mc->ms;
		ss_backtest_run(ds, &bo, &bt, &err);
		mc->ms.model_rule = bt.rule_model;
	}
	mc->ms.jobs = fo.jobs;
	ss_milestones_run(ds, &fits, &mc->ms, &ms, &err);

	r.ds = ds;
	r.st = st;
	r.fits = &fits;
	r.ms = &ms;
	r.bt = ro->backtest ? &bt : NULL;
	r.as_of = o->ingest.has_as_of ? o->ingest.as_of : ms.as_of;
	r.version = SS_VERSION;
	r.options = join_args(argc, argv);
	uint32_t *albums = NULL;
	if (ss_report_albums(ds, (const char *const *)ro->albums, ro->nalbums, &albums, &r.nalbums,
			     &err) != SS_OK) {
		ss_errorf("report: %s", err.msg);
		code = SS_EXIT_USAGE;
		goto out;
	}
	r.albums = albums;
	struct ss_report_file *files = xcalloc(ds->nfiles + 1, sizeof *files);
	for (size_t i = 0; i < ds->nfiles; i++) {
		files[i].path = ds->files[i].path;
		files[i].is_catalog = ds->files[i].is_catalog;
		if (ss_sha256_file(files[i].path, files[i].sha256, &files[i].bytes, &err) != SS_OK)
			ss_errorf("report: %s", err.msg);
	}
	r.files = files;
	r.nfiles = ds->nfiles;
	ss_report_headlines(&r);

	code = output_paths(ro->out, ro->json, r.as_of, &xlsx, &json);
	enum ss_status s = SS_OK;
	if (code == SS_EXIT_OK && (s = ss_report_write_xlsx(&r, xlsx, ro->tmpdir, &err)) != SS_OK) {
		ss_errorf("report: %s", err.msg);
		code = ss_exit_code(s);
	}
	r.seconds = ss_seconds() - t_start;
	if (code == SS_EXIT_OK && (s = ss_report_write_json(&r, json, &err)) != SS_OK) {
		ss_errorf("report: %s", err.msg);
		code = ss_exit_code(s);
	}
	if (code == SS_EXIT_OK && o->verbosity >= SS_NORMAL) {
		printf("%s\n%s\n", xlsx, json);
		for (size_t h = 0; h < SS_HEADLINES; h++)
			if (r.headline[h][0])
				printf("%s\n", r.headline[h]);
	}
	if (o->verbosity >= SS_VERBOSE)
		ss_errorf("report: %zu tracks, %zu albums compared, %.3f s", ms.ntracks, r.nalbums,
			  ss_seconds() - t_start);
	free(files);
out:
	free(albums);
	free((char *)r.options);
	free(xlsx);
	free(json);
	ss_milestones_release(&ms);
	ss_fits_release(&fits);
	return code;
}

int cmd_report(int argc, char **argv)
{
	enum { OPT_JSON = 400, OPT_ALBUMS, OPT_TMPDIR, OPT_NO_BACKTEST };
	static const struct option longopts[] = {
		SS_LOAD_LONG_OPTIONS,
		SS_MS_LONG_OPTIONS,
		{"output", required_argument, NULL, 'o'},
		{"json", required_argument, NULL, OPT_JSON},
		{"albums", required_argument, NULL, OPT_ALBUMS},
		{"tmpdir", required_argument, NULL, OPT_TMPDIR},
		{"no-backtest", no_argument, NULL, OPT_NO_BACKTEST},
		{"jobs", required_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	struct ss_load_options o;
	struct ss_ms_cli mc;
	struct report_opts ro = {.backtest = 1, .tmpdir = getenv("TMPDIR")};
	double t0 = ss_seconds();
	int opt, code;

	ss_load_options_init(&o);
	ss_ms_cli_init(&mc);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, SS_LOAD_SHORT_OPTIONS "hj:o:", longopts, NULL)) !=
	       -1) {
		int r = ss_load_option(&o, opt, optarg);
		if (r == 0)
			r = ss_ms_option(&mc, opt, optarg);
		if (r == 0) {
			r = 1;
			switch (opt) {
			case 'j':
				r = ss_parse_jobs("report", optarg, &ro.jobs) == 0 ? 1 : -1;
				break;
			case 'o':
				ro.out = optarg;
				break;
			case OPT_JSON:
				ro.json = optarg;
				break;
			case OPT_ALBUMS:
				free_list(ro.albums, ro.nalbums);
				ro.albums = split_list(optarg, &ro.nalbums);
				break;
			case OPT_TMPDIR:
				ro.tmpdir = optarg;
				break;
			case OPT_NO_BACKTEST:
				ro.backtest = 0;
				break;
			case 'h':
				ss_load_options_release(&o);
				ss_ms_cli_release(&mc);
				free_list(ro.albums, ro.nalbums);
				fputs(usage_text, stdout);
				return SS_EXIT_OK;
			default:
				ss_option_error("report", opt, argv);
				r = -1;
				break;
			}
		}
		if (r > 0)
			continue;
		ss_load_options_release(&o);
		ss_ms_cli_release(&mc);
		free_list(ro.albums, ro.nalbums);
		fputs(usage_text, stderr);
		return SS_EXIT_USAGE;
	}
	if (optind >= argc) {
		ss_errorf("report: no data file given");
		ss_load_options_release(&o);
		ss_ms_cli_release(&mc);
		free_list(ro.albums, ro.nalbums);
		fputs(usage_text, stderr);
		return SS_EXIT_USAGE;
	}

	struct ss_dataset ds;
	struct ss_series_stats st;
	struct ss_load_result res;

	ss_dataset_init(&ds, SS_PROBLEMS_DEFAULT_LIMIT);
	ss_load(&ds, &st, argv + optind, argc - optind, &o, &res);
	ss_print_problems(&ds, &o);
	code = ss_load_exit_code(&ds, &st, &o, &res);
	if (code == SS_EXIT_OK)
		code = ss_ms_cli_apply(&mc, &ds, "report");
	if (code == SS_EXIT_OK)
		code = run(&ds, &st, &o, &mc, &ro, argc, argv, t0);
	ss_dataset_release(&ds);
	ss_load_options_release(&o);
	ss_ms_cli_release(&mc);
	free_list(ro.albums, ro.nalbums);
	return code;
}
