/*
 * cmd_report.c - "streamstat report": the whole pipeline, written as a
 * workbook and a JSON summary.
 *
 * Loads (as "check"), fits, backtests, projects, and writes
 * DIR/streamstat-<as-of>.xlsx and .json (DIR defaults to "reports"; -o may
 * name the .xlsx itself).  Prints the path written and the headline.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "streamstat/backtest.h"
#include "streamstat/cli.h"
#include "streamstat/publish.h"
#include "streamstat/date.h"
#include "streamstat/number.h"
#include "streamstat/report.h"
#include "streamstat/xalloc.h"

#define DEFAULT_DIR "reports"

static const char usage_head[] =
	"usage: streamstat report DATA.csv [MORE.csv ...] [options]\n"
	"\n"
	"Fit, backtest and project every track, and write the comparison of albums as\n"
	"an Excel workbook (Summary, Milestones, Tracks, Charts, Daily, Backtest, Data\n"
	"quality, About) and a JSON summary beside it.  Prints the path written and a\n"
	"headline, then what changed since the previous report in that directory\n"
	"(milestones reached, records, ranks, projections that left their interval,\n"
	"models; the first run there says it is the baseline); -q prints only those\n"
	"lines, and the data warnings the previous report had in one line.  Both\n"
	"files appear complete or not at all; in a directory, latest.xlsx and\n"
	"latest.json then name the new report.\n";
static const char usage_tail[] =
	"Options:\n"
	"  -o, --output DIR|FILE.xlsx  where to write (default: reports/, as\n"
	"                        streamstat-<as-of>.xlsx; the JSON goes beside it)\n"
	"      --json FILE       write the JSON summary to FILE instead\n"
	"      --albums LIST     compare only these albums: TITLE or ARTIST/TITLE, comma-\n"
	"                        separated (\"...\" around a name with a comma); repeatable\n"
	"      --tmpdir DIR      where the workbook library keeps its temporary files\n"
	"                        (default: the workbook's own directory)\n"
	"      --no-backtest     project with the pace model (on its shipped record)\n"
	"                        without backtesting this input\n"
	"      --wait            wait for another report writing to the same directory\n"
	"                        (default: exit 75 at once)\n"
	"      --moved-days N    report a projected date that left the previous\n"
	"                        interval only when it moved more than N days (default 7)\n"
	"  -j, --jobs N          threads (default: one per CPU); results do not depend on "
	"N\n" SS_LOAD_OPTIONS_HELP SS_MS_OPTIONS_HELP "  -h, --help            show this help\n"
	"\n" SS_EXIT_CODES_HELP;

/* Does path end in suffix (case-sensitive)? */
static int ends_with(const char *path, const char *suffix)
{
	size_t n = strlen(path), m = strlen(suffix);

	return n >= m && strcmp(path + n - m, suffix) == 0;
}

char *ss_join_args(int argc, char **argv)
{
	size_t len = 1, at = 0;
	char *s;

	for (int i = 1; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = xmalloc(len);
	s[0] = '\0';
	for (int i = 1; i < argc; i++)
		at += (size_t)snprintf(s + at, len - at, "%s%s", i > 1 ? " " : "", argv[i]);
	return s;
}

/* Output paths: xlsx and json, allocated. */
static int output_paths(const char *out, const char *json, int32_t as_of, char **xlsx_path,
			char **json_path)
{
	const char *dir = out ? out : DEFAULT_DIR;
	size_t n;

	if (out && ends_with(out, ".xlsx"))
		*xlsx_path = xstrdup(out);
	else
		*xlsx_path = ss_report_path(dir, as_of, SS_REPORT_XLSX);
	if (json) {
		*json_path = xstrdup(json);
	} else {
		/* FILE.xlsx -> FILE.json */
		n = strlen(*xlsx_path) + 1;
		*json_path = xmalloc(n);
		snprintf(*json_path, n, "%.*s.json", (int)(n - 1 - strlen(".xlsx")), *xlsx_path);
	}
	return SS_EXIT_OK;
}

/* A progress line on stderr, only when it is a terminal and not -q. */
static void progress(const struct ss_load_options *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void progress(const struct ss_load_options *o, const char *fmt, ...)
{
	va_list ap;

	if (o->verbosity < SS_NORMAL || !isatty(STDERR_FILENO))
		return;
	fputs("streamstat: report: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("...\n", stderr);
}

/* dir/name, allocated. */
static char *path_in(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = xmalloc(n);

	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

/* A temporary file this old in the locked output directory was left by a
 * run killed outright (kill -9, a power cut): removed. */
#define STALE_TEMP_SECONDS 3600

/* Lock dir for this run and sweep it of killed runs' leftovers; an exit
 * code.  out is what the user named, for the message. */
static int lock_one(const char *dir, const char *out, int wait, int *fd)
{
	struct ss_error err = {0};
	enum ss_status st = ss_lock_dir(dir, wait, fd, &err);

	if (st == SS_OK) {
		size_t stale = ss_publish_sweep(dir, STALE_TEMP_SECONDS);
		if (stale)
			ss_errorf("report: removed %zu temporary file%s in %s left by a run that "
				  "was killed",
				  stale, stale == 1 ? "" : "s", dir);
		return SS_EXIT_OK;
	}
	if (st == SS_ERR_LOCKED)
		ss_errorf("report: %s", err.msg);
	else
		ss_errorf("report: cannot write to %s: %s", out, err.msg);
	return ss_exit_code(st);
}

/*
 * The output directory, created when missing (the default reports/, or the
 * one -o names or holds), and the summary's when --json puts it elsewhere:
 * each locked for this run (into fd[0], fd[1]) and swept of the leftovers
 * of killed runs.  Two directories are locked in the order of their device
 * and inode, so that two runs naming the same pair the other way round
 * cannot wait on each other.  Returns an exit code.
 */
int ss_report_lock(const struct ss_report_cli *ro, int fd[2])
{
	const char *out = ro->out ? ro->out : DEFAULT_DIR;
	char *dir[2] = {NULL, NULL};
	struct stat sb[2];
	int code = SS_EXIT_OK, n = 1;

	if (ends_with(out, ".xlsx")) {
		dir[0] = ss_dir_of(out);
	} else {
		dir[0] = xstrdup(out);
		if (stat(dir[0], &sb[0]) != 0 && mkdir(dir[0], 0777) != 0 && errno != EEXIST) {
			ss_errorf("report: cannot create the directory %s: %s", dir[0],
				  strerror(errno));
			free(dir[0]);
			return SS_EXIT_CANTCREAT;
		}
	}
	if (ro->json) {
		dir[1] = ss_dir_of(ro->json);
		if (stat(dir[0], &sb[0]) == 0 && stat(dir[1], &sb[1]) == 0 &&
		    (sb[0].st_dev != sb[1].st_dev || sb[0].st_ino != sb[1].st_ino))
			n = 2;
	}
	int first = n == 2 && (sb[1].st_dev < sb[0].st_dev ||
			       (sb[1].st_dev == sb[0].st_dev && sb[1].st_ino < sb[0].st_ino));
	for (int i = 0; i < n && code == SS_EXIT_OK; i++) {
		int k = first ? 1 - i : i;
		code = lock_one(dir[k], k == 0 ? out : ro->json, ro->wait, &fd[k]);
	}
	free(dir[0]);
	free(dir[1]);
	return code;
}

/* Input checksums, computed on a thread while the fit runs. */
struct checksums {
	struct ss_report_file *files;
	const struct ss_dataset *ds; /* which files were standard input */
	size_t n;
	struct ss_error err;
	int failed;
};

static void *checksum_worker(void *arg)
{
	struct checksums *ck = arg;

	/* standard input was spooled to a file (ss_spool_stdin()): read afresh */
	for (size_t i = 0; i < ck->n; i++)
		if (ss_sha256_file(ck->ds->files[i].is_stdin ? "/dev/fd/0" : ck->files[i].path,
				   ck->files[i].sha256, &ck->files[i].bytes, &ck->err) != SS_OK)
			ck->failed = 1;
	return NULL;
}

/* The JSON summary, written on a thread while the workbook is. */
struct json_job {
	const struct ss_report *r;
	const char *path;
	struct ss_error err;
	enum ss_status status;
};

static void *json_worker(void *arg)
{
	struct json_job *j = arg;

	j->status = ss_report_write_json(j->r, j->path, &j->err);
	return NULL;
}

/* ".base", allocated: the pointer that makes base's files current */
static char *dotted(const char *base)
{
	size_t n = strlen(base) + 2;
	char *p = xmalloc(n);

	snprintf(p, n, ".%s", base);
	return p;
}

static int same_dir(const char *a, const char *b)
{
	struct stat x, y;

	return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

/*
 * Write the workbook and the summary into a run directory beside the
 * workbook's final name, then make them current by one rename of the
 * pointer ".BASE" (README: "As a nightly job"), then latest the same way.
 * A summary in another directory gets a run of its own there, published
 * first.  Returns an exit code.
 */
static int write_and_publish(const struct ss_report *r, const struct ss_report_cli *ro,
			     const char *xlsx, const char *json)
{
	struct ss_error err = {0};
	char *xdir = ss_dir_of(xlsx), *jdir = ss_dir_of(json);
	char *xfile = ss_base_of(xlsx, ""), *jfile = ss_base_of(json, "");
	char *xbase = ss_base_of(xlsx, ".xlsx"), *jbase = ss_base_of(json, ".json");
	char *xptr = dotted(xbase), *jptr = dotted(jbase);
	int same = same_dir(xdir, jdir);
	int latest = !(ro->out && ends_with(ro->out, ".xlsx")) && !ro->json;
	char *xt = path_in(xptr, SS_RUN_XLSX), *jt = path_in(same ? xptr : jptr, SS_RUN_JSON);
	struct ss_link xl[2] = {{xfile, xt}, {jfile, jt}}, jl[1] = {{jfile, jt}};
	static const struct ss_link ll[2] = {{"latest.xlsx", "latest/" SS_RUN_XLSX},
					     {"latest.json", "latest/" SS_RUN_JSON}};
	size_t nxl = same ? 2 : 1;
	struct ss_run xr = SS_RUN_INIT, jr = SS_RUN_INIT;
	char *xw = NULL, *jw = NULL;
	enum ss_status s;
	int code = SS_EXIT_OK;
	pthread_t tid;

	/* every name is checked before anything is written, so that one in
	 * the way (a directory named like the summary) replaces nothing */
	s = ss_publish_check(xdir, xptr, xl, nxl, &err);
	if (s == SS_OK && !same)
		s = ss_publish_check(jdir, jptr, jl, 1, &err);
	if (s == SS_OK && latest)
		s = ss_publish_check(xdir, "latest", ll, 2, &err);
	if (s == SS_OK)
		s = ss_run_begin(&xr, xdir, xptr, &err);
	if (s == SS_OK && !same)
		s = ss_run_begin(&jr, jdir, jptr, &err);
	if (s == SS_OK && !(xw = ss_run_file(&xr, SS_RUN_XLSX, &err)))
		s = SS_ERR_CANTCREAT;
	if (s == SS_OK && !(jw = ss_run_file(same ? &xr : &jr, SS_RUN_JSON, &err)))
		s = SS_ERR_CANTCREAT;
	if (s != SS_OK) {
		ss_errorf("report: %s", err.msg);
		code = ss_exit_code(s);
	}
	if (code == SS_EXIT_OK) {
		struct json_job jj = {.r = r, .path = jw};
		int json_thread = pthread_create(&tid, NULL, json_worker, &jj) == 0;
		/* the library's temporaries default to the output's file system:
		 * a small /tmp must not be able to cut the workbook short */
		s = ss_report_write_xlsx(r, xw, ro->tmpdir ? ro->tmpdir : xdir, &err);
		if (s != SS_OK) {
			ss_errorf("report: %s: %s", xlsx, err.msg);
			code = ss_exit_code(s);
		}
		if (json_thread)
			pthread_join(tid, NULL);
		else
			json_worker(&jj);
		if (jj.status != SS_OK) {
			ss_errorf("report: %s: %s", json, jj.err.msg);
			code = code ? code : ss_exit_code(jj.status);
		}
	}
	if (code == SS_EXIT_OK) {
		/* a stop signal waits until every rename is done: it never
		 * lands between the pair's and latest's */
		sigset_t old;
		ss_publish_hold(&old);
		s = same ? SS_OK : ss_run_publish(&jr, jl, 1, &err);
		if (s == SS_OK)
			s = ss_run_publish(&xr, xl, nxl, &err);
		if (s == SS_OK && latest)
			s = ss_publish_point(xdir, "latest", xptr, ll, 2, &err);
		if (s != SS_OK) {
			ss_errorf("report: %s", err.msg);
			code = ss_exit_code(s);
		}
		ss_run_discard(&jr);
		ss_run_discard(&xr);
		ss_publish_release(&old);
	}
	ss_run_discard(&jr);
	ss_run_discard(&xr);
	free(xw);
	free(jw);
	free(xt);
	free(jt);
	free(xptr);
	free(jptr);
	free(xbase);
	free(jbase);
	free(xfile);
	free(jfile);
	free(xdir);
	free(jdir);
	return code;
}

/*
 * The nightly message: what changed, and under -q the data warnings held
 * back until the previous report says which of them it had.
 */
struct nightly {
	int deferred;  /* -q: the warnings are not printed yet */
	uint8_t *old;  /* per kept problem: the previous report had it too */
	size_t nold;   /* how many */
	int32_t since; /* the previous report's date */
	size_t lines;  /* news lines printed */
};

/* Load as every command does; under -q a load that goes on keeps its
 * warnings for print_warnings().  Returns an exit code. */
static int load(struct ss_dataset *ds, struct ss_series_stats *st, const struct ss_load_options *o,
		struct nightly *nt)
{
	struct ss_load_result res;

	if (o->verbosity != SS_QUIET)
		return ss_load_data(ds, st, o);
	ss_dataset_init(ds, SS_PROBLEMS_DEFAULT_LIMIT);
	ss_load(ds, st, o, &res);
	if (ss_load_fails(ds, st, o, &res)) {
		ss_print_problems(ds, o);
		return ss_load_exit_code(ds, st, o, &res);
	}
	nt->deferred = 1;
	return SS_EXIT_OK;
}

/* The warnings held back: those the previous report did not have in full,
 * the others in one line when anything else is said; on a night with no
 * news and no new warning, nothing (cron mails only news). */
static void print_warnings(const struct ss_dataset *ds, const struct ss_load_options *o,
			   const struct nightly *nt)
{
	uint64_t all = ss_problems_at_least(&ds->problems, SS_SEV_WARNING);
	char n[28], d[SS_DATE_LEN + 1];

	if (!nt->deferred)
		return;
	ss_print_problems_except(ds, o, nt->old);
	if (nt->nold && (nt->lines || all > nt->nold)) {
		const char *since = "the previous report";
		if (nt->since != SS_DAY_NONE) {
			ss_date_format(nt->since, d);
			since = d;
		}
		ss_errorf("%s%s data warning%s, unchanged since %s (the Data quality sheet lists "
			  "them)",
			  ss_count_format((int64_t)nt->nold, n), all > nt->nold ? " more" : "",
			  nt->nold == 1 ? "" : "s", since);
	}
}

/*
 * What changed since the previous report in json's directory (the one
 * with the latest earlier as-of date), into *changes; the warnings it had
 * marked in nt.  Returns whether this is the first run of this as-of date
 * there, which prints the news.
 */
static int find_changes(const struct ss_report *r, const char *json, int moved_days,
			struct ss_changes *changes, struct nightly *nt)
{
	struct ss_error err = {0};
	struct ss_prev *prev = NULL;
	char *dir = ss_dir_of(json), *latest = path_in(dir, "latest.json");
	int32_t day, reported = ss_prev_peek_as_of(latest);
	char *base = ss_report_before(dir, r->as_of, SS_REPORT_JSON, &day);

	int unreadable = 0;

	if (base && ss_prev_load(base, &prev, &err) != SS_OK) {
		if (err.line)
			ss_errorf("report: %s:%lu: %s (what changed is not reported; this report "
				  "is the next one's baseline)",
				  base, err.line, err.msg);
		else
			ss_errorf("report: %s: %s (what changed is not reported)", base, err.msg);
		unreadable = 1;
	}
	ss_changes_find(prev, r, moved_days, changes);
	changes->unreadable = unreadable;
	if (prev) {
		nt->old = xcalloc(r->ds->problems.n + 1, 1);
		nt->nold = ss_prev_match_warnings(prev, r->ds, nt->old);
		nt->since = ss_prev_as_of(prev);
	}
	ss_prev_free(&prev);
	free(base);
	free(latest);
	free(dir);
	return reported == SS_DAY_NONE || reported < r->as_of;
}

/* Lines of projected dates and models printed at most: after a gap of weeks
 * there can be hundreds, and a mail of them buries what was reached. */
#define NEWS_MINOR_MAX 20

/* The news on stdout: the baseline said once, or what changed (milestones,
 * records and ranks all; projections and models up to NEWS_MINOR_MAX, then
 * how many more). */
static void print_news(const struct ss_changes *changes, const char *json, struct nightly *nt)
{
	if (changes->since == SS_DAY_NONE && !changes->unreadable) {
		char *dir = ss_dir_of(json);
		printf("First report in %s: the baseline the next reports compare with.\n", dir);
		nt->lines++;
		free(dir);
	}
	size_t minor = 0; /* projected dates and models */
	for (size_t i = 0; i < changes->n; i++) {
		const struct ss_change *e = &changes->list[i];
		if (e->kind == SS_CH_MOVED || e->kind == SS_CH_MODEL) {
			if (++minor > NEWS_MINOR_MAX)
				continue;
		}
		ss_put_line(stdout, e->text);
		nt->lines++;
	}
	if (minor > NEWS_MINOR_MAX) {
		printf("... and %zu more projected dates or models that changed: the Changes sheet "
		       "lists them all.\n",
		       minor - NEWS_MINOR_MAX);
		nt->lines++;
	}
}

/* The pipeline's stages as progress lines (arg: the load options). */
static void stage_progress(enum ss_pipeline_stage s, size_t ntracks, void *arg)
{
	const struct ss_load_options *o = arg;

	if (s == SS_STAGE_FIT)
		progress(o, "fitting %zu tracks", ntracks);
	else if (s == SS_STAGE_BACKTEST)
		progress(o, "backtesting");
	else
		progress(o, "projecting milestones");
}

/*
 * From the analysis to the published report, as "report" and "merge" both
 * end: headlines, what changed, the workbook and summary written and made
 * current, the paths, headlines and news on stdout, and under -q the
 * warnings held back.  Returns an exit code.
 */
int ss_report_emit(const struct ss_report_input *in, const struct ss_load_options *o,
		   const struct ss_report_cli *ro, double t_start, int deferred)
{
	struct ss_report r;
	struct nightly nt = {.deferred = deferred};
	int code;
	char *xlsx = NULL, *json = NULL;

	memset(&r, 0, sizeof r);
	r.ds = in->ds;
	r.st = in->st;
	r.fits = in->fits;
	r.ms = in->ms;
	r.bt = in->bt;
	r.as_of = o->ingest.has_as_of ? o->ingest.as_of : in->ms->as_of;
	r.version = SS_VERSION;
	r.options = in->options;
	r.files = in->files;
	r.nfiles = in->nfiles;
	r.albums = ro->album_ids;
	r.nalbums = ro->nalbum_ids;
	ss_report_headlines(&r);

	/* write both beside their final names, then rename: a failure never
	 * leaves a half-written file under a final name */
	code = output_paths(ro->out, ro->json, r.as_of, &xlsx, &json);

	/* what changed since the previous report in the same directory; the
	 * lines go to stdout once, on the first run of this as-of date */
	struct ss_changes changes = {.since = SS_DAY_NONE};
	int news = 0;
	if (code == SS_EXIT_OK) {
		news = find_changes(&r, json, ro->moved_days, &changes, &nt);
		r.changes = &changes;
	}
	if (code == SS_EXIT_OK) {
		progress(o, "writing %s", xlsx);
		r.seconds = ss_seconds() - t_start;
		code = write_and_publish(&r, ro, xlsx, json);
	}
	if (code == SS_EXIT_OK && o->verbosity >= SS_NORMAL) {
		printf("%s\n%s\n", xlsx, json);
		for (size_t h = 0; h < SS_HEADLINES; h++)
			if (r.headline[h][0])
				ss_put_line(stdout, r.headline[h]);
	}
	/* the news: with -q the only thing on stdout, nothing when nothing changed */
	if (code == SS_EXIT_OK && news)
		print_news(&changes, json, &nt);
	ss_changes_release(&changes);
	print_warnings(in->ds, o, &nt);
	free(nt.old);
	free(xlsx);
	free(json);
	return code;
}

static int run(struct ss_dataset *ds, const struct ss_series_stats *st,
	       const struct ss_load_options *o, struct ss_ms_cli *mc,
	       const struct ss_report_cli *ro, int argc, char **argv, double t_start, int deferred)
{
	struct ss_pipeline p;
	int code;
	double t_fit = ss_seconds(), t_write;
	pthread_t tid;

	struct checksums ck = {
		.files = xcalloc(ds->nfiles + 1, sizeof *ck.files), .ds = ds, .n = ds->nfiles};
	for (size_t i = 0; i < ds->nfiles; i++) {
		ck.files[i].path = ds->files[i].path;
		ck.files[i].is_catalog = ds->files[i].is_catalog;
	}
	int ck_thread = pthread_create(&tid, NULL, checksum_worker, &ck) == 0;
	if (!ck_thread)
		checksum_worker(&ck);

	struct ss_pipeline_options po =
		ss_ms_cli_pipeline(mc, ro->jobs, o->stale_days, ro->backtest);
	po.progress = stage_progress;
	po.progress_arg = (void *)o;
	ss_pipeline_run(ds, &po, &p);
	if (ck_thread)
		pthread_join(tid, NULL);
	/* The fit's threads freed their workspaces into their own arenas: hand
	 * that memory back before the writers need theirs (glibc keeps it). */
	malloc_trim(0);
	if (ck.failed)
		ss_errorf("report: %s", ck.err.msg);
	t_write = ss_seconds();

	char *options = ss_join_args(argc, argv);
	struct ss_report_input in = {
		.ds = ds,
		.st = st,
		.fits = &p.fits,
		.ms = &p.ms,
		.bt = p.has_bt ? &p.bt : NULL,
		.files = ck.files,
		.nfiles = ck.n,
		.options = options,
	};
	code = ss_report_emit(&in, o, ro, t_start, deferred);
	if (o->verbosity >= SS_VERBOSE)
		ss_errorf("report: %zu tracks, %zu albums compared in %.3f s: load %.3f, fit %.3f "
			  "(%u threads), backtest %.3f, projections and checksums %.3f, workbook "
			  "and JSON %.3f",
			  p.ms.ntracks, ro->nalbum_ids, ss_seconds() - t_start, t_fit - t_start,
			  p.seconds[SS_STAGE_FIT], p.fits.jobs, p.seconds[SS_STAGE_BACKTEST],
			  t_write - t_fit - p.seconds[SS_STAGE_FIT] - p.seconds[SS_STAGE_BACKTEST],
			  ss_seconds() - t_write);
	free(ck.files);
	free(options);
	ss_pipeline_release(&p);
	return code;
}

static const struct option report_longopts[] = {SS_LOAD_LONG_OPTIONS,
						SS_MS_LONG_OPTIONS,
						SS_REPORT_LONG_OPTIONS,
						{"help", no_argument, NULL, 'h'},
						{NULL, 0, NULL, 0}};

int ss_report_cli_option(struct ss_report_cli *ro, const char *cmd, int opt, const char *arg)
{
	switch (opt) {
	case 'j':
		return ss_parse_jobs(cmd, arg, &ro->jobs) == 0 ? 1 : -1;
	case 'o':
		ro->out = arg;
		return 1;
	case SS_OPT_JSON:
		ro->json = arg;
		return 1;
	case SS_OPT_ALBUMS:
		ro->albums = ss_list_split(ro->albums, arg, &ro->nalbums);
		return 1;
	case SS_OPT_TMPDIR:
		ro->tmpdir = arg;
		return 1;
	case SS_OPT_NO_BACKTEST:
		ro->backtest = 0;
		return 1;
	case SS_OPT_WAIT:
		ro->wait = 1;
		return 1;
	case SS_OPT_MOVED: {
		char *end;
		long v = strtol(arg, &end, 10);
		if (*arg == '\0' || *end != '\0' || v < 0 || v > 100000) {
			ss_errorf("%s: --moved-days: '%s' is not a number of days", cmd, arg);
			return -1;
		}
		ro->moved_days = (int)v;
		return 1;
	}
	default:
		return 0;
	}
}

void ss_report_cli_init(struct ss_report_cli *ro)
{
	memset(ro, 0, sizeof *ro);
	ro->backtest = 1;
	ro->moved_days = 7;
}

void ss_report_cli_release(struct ss_report_cli *ro)
{
	ss_list_free(ro->albums, ro->nalbums);
	free(ro->album_ids);
	ss_report_cli_init(ro);
}

/*
 * The options whose value is a file or directory: "schedule" makes them
 * absolute, since the nightly job runs elsewhere.  A new option taking a
 * path belongs here as well as in the table above.
 */
static const int report_path_opts[] = {'c', 'o', SS_OPT_JSON, SS_OPT_TMPDIR};

const struct ss_option_table ss_report_option_table = {
	.longopts = report_longopts,
	.shortopts = SS_LOAD_SHORT_OPTIONS "hj:o:",
	.paths = report_path_opts,
	.npaths = sizeof report_path_opts / sizeof report_path_opts[0],
};

int cmd_report(int argc, char **argv)
{
	struct ss_load_options o;
	struct ss_ms_cli mc;
	struct ss_report_cli ro;
	double t0 = ss_seconds();
	int opt, code;

	ss_load_options_init(&o);
	ss_ms_cli_init(&mc);
	ss_report_cli_init(&ro);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ss_report_option_table.shortopts, report_longopts,
				  NULL)) != -1) {
		int r = ss_load_option(&o, opt, optarg);
		if (r == 0)
			r = ss_ms_option(&mc, opt, optarg);
		if (r == 0)
			r = ss_report_cli_option(&ro, "report", opt, optarg);
		if (r == 0) {
			if (opt == 'h') {
				ss_load_options_release(&o);
				ss_ms_cli_release(&mc);
				ss_report_cli_release(&ro);
				ss_usage(stdout, usage_head, usage_tail);
				return SS_EXIT_OK;
			}
			ss_option_error("report", opt, argv);
			r = -1;
		}
		if (r > 0)
			continue;
		ss_load_options_release(&o);
		ss_ms_cli_release(&mc);
		ss_report_cli_release(&ro);
		ss_usage(stderr, usage_head, usage_tail);
		return SS_EXIT_USAGE;
	}
	if (ss_load_inputs_done(&o, "report", argc - optind, argv + optind) < 0) {
		ss_load_options_release(&o);
		ss_ms_cli_release(&mc);
		ss_report_cli_release(&ro);
		ss_usage(stderr, usage_head, usage_tail);
		return SS_EXIT_USAGE;
	}

	struct ss_dataset ds;
	struct ss_series_stats st;
	int lock_fd[2] = {-1, -1};

	/* a file-size limit (ulimit -f) makes a write fail with EFBIG, which
	 * the writers report (exit 74), instead of killing the run unheard */
	signal(SIGXFSZ, SIG_IGN);
	code = ss_regular_inputs(&o, "report");
	if (code == SS_EXIT_OK)
		code = ss_report_lock(&ro, lock_fd);
	if (code != SS_EXIT_OK) {
		for (int i = 0; i < 2; i++)
			if (lock_fd[i] >= 0)
				close(lock_fd[i]);
		ss_load_options_release(&o);
		ss_ms_cli_release(&mc);
		ss_report_cli_release(&ro);
		return code;
	}
	/* stopped or out of memory, the run removes its temporary files */
	ss_publish_catch_signals();
	struct nightly nt = {0};
	code = load(&ds, &st, &o, &nt);
	if (code == SS_EXIT_OK)
		code = ss_ms_cli_apply(&mc, &ds, "report");
	if (code == SS_EXIT_OK) {
		/* the albums named exist, before any fitting */
		struct ss_error err = {0};
		if (ss_report_albums(&ds, (const char *const *)ro.albums, ro.nalbums, &ro.album_ids,
				     &ro.nalbum_ids, &err) != SS_OK) {
			ss_errorf("report: %s", err.msg);
			code = SS_EXIT_USAGE;
		}
	}
	if (code == SS_EXIT_OK)
		code = run(&ds, &st, &o, &mc, &ro, argc, argv, t0, nt.deferred);
	else
		print_warnings(&ds, &o, &nt);
	ss_dataset_release(&ds);
	ss_load_options_release(&o);
	ss_ms_cli_release(&mc);
	ss_report_cli_release(&ro);
	for (int i = 0; i < 2; i++) /* the locks go with them */
		if (lock_fd[i] >= 0)
			close(lock_fd[i]);
	return code;
}
