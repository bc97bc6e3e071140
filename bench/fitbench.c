/*
 * fitbench.c - fitting speed: every model, choice by AICc, on 1, 2 ... jobs.
 *
 *   fitbench [--jobs LIST] [--runs N] [--catalog FILE] HISTORY.csv
 *
 * The catalog and the history are loaded once, through ingest and series
 * exactly as "streamstat fit" loads them (ss_load()); that time is shown
 * apart and not counted.  Then ss_fit_all() runs with ss_fit_defaults()
 * (all models, the least AICc) on each number of jobs in LIST (comma-
 * separated, default 1,2), best of --runs (default 1: a full run on the
 * generated history takes tens of seconds).  Time is wall clock
 * (CLOCK_MONOTONIC) around ss_fit_all() alone.  CPU time (getrusage) is
 * shown beside it, and their ratio, the cores the run kept busy: well
 * below the jobs when threads wait or other processes hold the CPUs (the
 * load average before and after fitting is shown for the same reason).
 * Speed is tracks with data per second: a track without observations costs
 * next to nothing.
 *
 * The first value of LIST is the reference.  fit.h promises results
 * bit-identical for any number of jobs, so every run is compared with the
 * reference's first run, track by track and field by field (doubles with
 * memcmp: NaNs are equal only when their bits are; the structs are not
 * compared whole, for their padding).  A difference is a bug, not a missed
 * target: the exit status is then 1.
 *
 * For the reference run, a table per model shows where the time goes: on
 * how many tracks each fit ended ok / failed / rejected / too_few, how
 * often the model was chosen, and the mean number of starting points tried
 * and solver iterations (of the last start tried: the fit keeps no more).
 *
 * Peak RSS (getrusage) is read after all the fitting: the dataset, the
 * reference's results and one more set of results.
 *
 * There is no option to fit only some tracks: ss_fit_all() fits a whole
 * dataset, and cutting one short would mean reaching into its internals.
 * For a quick run, generate a smaller history (bench/gen --albums 50, or
 * GEN_ARGS="--albums 150" for bench/run.sh).
 *
 * This is a benchmark, not a test: it exits 0 whether or not the targets
 * are met, and 1 only when the results differ across jobs or something
 * cannot be run (2 on a usage error).
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "streamstat/cli.h"
#include "streamstat/dataset.h"
#include "streamstat/fit.h"
#include "streamstat/models.h"
#include "streamstat/number.h"
#include "streamstat/series.h"

#include "bench_util.h"

#define TARGET_RATE    2000.0 /* tracks with data per second at TARGET_JOBS jobs */
#define TARGET_JOBS    2u
#define TARGET_SCALING 1.8 /* speed-up from 1 to 2 jobs called near-linear */
#define JOBS_MAX_LIST  16  /* values in --jobs */
#define JOBS_MAX       256 /* what ss_fit_all() will start */

/* User + system CPU time of the whole process so far, in seconds. */
static double cpu_seconds(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

static double load_average(void)
{
	double l[1];

	return getloadavg(l, 1) == 1 ? l[0] : -1.0;
}

/* ---- comparing results -------------------------------------------------- */

static int same_doubles(const double *a, const double *b, size_t n)
{
	return memcmp(a, b, n * sizeof *a) == 0;
}

/* NULL when model fits a and b of a model with np parameters are identical,
 * else the name of the first field that differs. */
static const char *model_fit_diff(const struct ss_model_fit *a, const struct ss_model_fit *b,
				  size_t np)
{
	if (a->status != b->status)
		return "status";
	if (a->nls != b->nls)
		return "nls";
	if (a->chosen != b->chosen)
		return "chosen";
	if (a->start != b->start)
		return "start";
	if (a->iter != b->iter)
		return "iter";
	if (a->unidentified != b->unidentified)
		return "unidentified";
	if (a->why != b->why && (!a->why || !b->why || strcmp(a->why, b->why) != 0))
		return "why";
	if (!same_doubles(a->th, b->th, np))
		return "th";
	if (!same_doubles(a->se, b->se, np))
		return "se";
	if (!same_doubles(a->cov, b->cov, np * np))
		return "cov";
	if (!same_doubles(&a->rmse, &b->rmse, 1))
		return "rmse";
	if (!same_doubles(&a->aicc, &b->aicc, 1))
		return "aicc";
	if (!same_doubles(&a->weight, &b->weight, 1))
		return "weight";
	if (a->n != b->n)
		return "n";
	if (a->dof != b->dof)
		return "dof";
	return NULL;
}

/* NULL when track fits a and b are identical, else the first field that
 * differs; *model is set to the model's index for a model's field, -1 else. */
static const char *track_fit_diff(const struct ss_track_fit *a, const struct ss_track_fit *b,
				  int *model)
{
	*model = -1;
	if (a->track != b->track)
		return "track";
	if (a->n != b->n)
		return "n";
	if (a->bounds_used != b->bounds_used)
		return "bounds_used";
	if (a->best != b->best)
		return "best";
	if (a->fallback != b->fallback)
		return "fallback";
	if (a->has_anchor != b->has_anchor)
		return "has_anchor";
	if (a->release != b->release)
		return "release";
	if (a->last_day != b->last_day)
		return "last_day";
	if (a->anchor_day != b->anchor_day)
		return "anchor_day";
	if (!same_doubles(&a->anchor_total, &b->anchor_total, 1))
		return "anchor_total";
	for (size_t i = 0; i < ss_nmodels; i++) {
		const char *field = model_fit_diff(&a->m[i], &b->m[i], ss_models[i].np);

		if (field) {
			*model = (int)i;
			return field;
		}
	}
	return NULL;
}

/* Tracks whose results differ between ref and fits; the first one is
 * described on stderr. */
static size_t count_differences(const struct ss_dataset *ds, const struct ss_fits *ref,
				const struct ss_fits *fits, unsigned jobs)
{
	size_t differ = 0;

	if (ref->n != fits->n) {
		fprintf(stderr, "fitbench: jobs=%u: %zu tracks fitted, the reference has %zu\n",
			jobs, fits->n, ref->n);
		return ref->n > fits->n ? ref->n : fits->n;
	}
	for (size_t t = 0; t < ref->n; t++) {
		int model;
		const char *field = track_fit_diff(&ref->tracks[t], &fits->tracks[t], &model);
		char buf[512];

		if (!field)
			continue;
		if (differ++ == 0)
			fprintf(stderr,
				"fitbench: jobs=%u: %s differs from the reference: %s%s%s\n", jobs,
				ss_describe_track(ds, (uint32_t)t, buf, sizeof buf),
				model >= 0 ? ss_models[model].name : "", model >= 0 ? "." : "",
				field);
	}
	return differ;
}

/* ---- where the time goes ------------------------------------------------ */

struct model_stats {
	uint64_t status[SS_FIT_STATUS_COUNT];
	uint64_t chosen;
	uint64_t solved;       /* fits the solver ran on */
	uint64_t starts, iter; /* over those: starts tried, iterations of the last */
};

struct fit_stats {
	uint64_t with_data, fallback, none;
	struct model_stats m[SS_MODELS_MAX];
};

static void fit_stats(const struct ss_dataset *ds, const struct ss_fits *fits, struct fit_stats *s)
{
	memset(s, 0, sizeof *s);
	for (size_t t = 0; t < fits->n; t++) {
		const struct ss_track_fit *tf = &fits->tracks[t];

		if (ds->tracks[t].n == 0)
			continue;
		s->with_data++;
		if (tf->best < 0)
			s->none++;
		else if (tf->fallback)
			s->fallback++;
		for (size_t i = 0; i < ss_nmodels; i++) {
			const struct ss_model_fit *mf = &tf->m[i];
			struct model_stats *ms = &s->m[i];

			if (mf->status < SS_FIT_STATUS_COUNT)
				ms->status[mf->status]++;
			if ((int)i == tf->best)
				ms->chosen++;
			/* The solver ran when the fit failed, succeeded, or was
			 * refused after converging (a fit refused before, by the
			 * model's applies(), has no intervals counted). */
			if (!ss_model_is_curve(&ss_models[i]) ||
			    !(mf->status == SS_FIT_OK || mf->status == SS_FIT_FAILED ||
			      (mf->status == SS_FIT_REJECTED && mf->n > 0)))
				continue;
			ms->solved++;
			ms->starts += (uint64_t)mf->start + 1;
			ms->iter += mf->iter;
		}
	}
}

static void print_where(const struct fit_stats *s, unsigned jobs)
{
	char a[28], b[28], c[28], d[28], e[28], f[28], g[28];

	printf("\n  where the time goes (jobs=%u run): tracks with data, per model\n", jobs);
	printf("  %-10s %8s %8s %8s %8s %8s %8s %8s %7s %6s\n", "model", "chosen", "ok", "failed",
	       "rejected", "too_few", "no_data", "solved", "starts", "iter");
	for (size_t i = 0; i < ss_nmodels; i++) {
		const struct model_stats *ms = &s->m[i];

		printf("  %-10s %8s %8s %8s %8s %8s %8s %8s", ss_models[i].name,
		       bench_num(ms->chosen, a), bench_num(ms->status[SS_FIT_OK], b),
		       bench_num(ms->status[SS_FIT_FAILED], c),
		       bench_num(ms->status[SS_FIT_REJECTED], d),
		       bench_num(ms->status[SS_FIT_TOO_FEW], e),
		       bench_num(ms->status[SS_FIT_NO_DATA], f), bench_num(ms->solved, g));
		if (ms->solved)
			printf(" %7.2f %6.1f\n", (double)ms->starts / (double)ms->solved,
			       (double)ms->iter / (double)ms->solved);
		else
			printf(" %7s %6s\n", "-", "-");
	}
	printf("  (chosen includes %s tracks on the recent pace alone; %s tracks have no model)\n",
	       bench_num(s->fallback, a), bench_num(s->none, b));
	printf("  (solved: fits the solver ran on, rejected ones included when the model\n"
	       "   refused the curve after it converged; starts: mean starting points tried\n"
	       "   per solved fit; iter: mean solver iterations of the last start tried,\n"
	       "   the only one a fit records)\n");
}

/* ---- options ------------------------------------------------------------ */

static const char usage_text[] =
	"usage: fitbench [--jobs LIST] [--runs N] [--catalog FILE] HISTORY.csv\n"
	"\n"
	"Time ss_fit_all() (all models, least AICc) on HISTORY.csv for each number\n"
	"of jobs in LIST (default 1,2), check that the results are identical, and\n"
	"show where the time goes (see bench/run.sh).\n";

/* "1,2,4" into jobs[0..*n). */
static int parse_jobs(const char *arg, unsigned *jobs, size_t *n)
{
	const char *p = arg;

	*n = 0;
	for (;;) {
		char *end;
		long v = strtol(p, &end, 10);

		if (end == p || v < 1 || v > JOBS_MAX || *n == JOBS_MAX_LIST ||
		    (*end != ',' && *end != '\0')) {
			fprintf(stderr,
				"fitbench: --jobs: '%s' is not a list of at most %d numbers "
				"from 1 to %d\n",
				arg, JOBS_MAX_LIST, JOBS_MAX);
			return -1;
		}
		jobs[(*n)++] = (unsigned)v;
		if (*end == '\0')
			return 0;
		p = end + 1;
	}
}

/* ---- main --------------------------------------------------------------- */

/* The problems that made a file unusable (cannot open, no usable row ...),
 * which the warnings before them might hide in streamstat's listing. */
static void print_fatal(const struct ss_dataset *ds)
{
	for (size_t i = 0; i < ds->problems.n; i++) {
		const struct ss_problem *pr = &ds->problems.list[i];

		if (ss_problem_severity(pr->kind) < SS_SEV_FATAL)
			continue;
		if (pr->line)
			fprintf(stderr, "fitbench: %s:%llu: %s\n", ds->files[pr->file].path,
				(unsigned long long)pr->line, pr->msg);
		else
			fprintf(stderr, "fitbench: %s: %s\n", ds->files[pr->file].path, pr->msg);
	}
}

struct timing {
	unsigned jobs, threads;
	double wall, cpu; /* best run's */
	size_t differ;	  /* tracks differing from the reference, over all runs */
};

static const struct timing *timing_for(const struct timing *tm, size_t n, unsigned jobs)
{
	for (size_t i = 0; i < n; i++)
		if (tm[i].jobs == jobs)
			return &tm[i];
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {{"jobs", required_argument, NULL, 'j'},
						 {"runs", required_argument, NULL, 'r'},
						 {"catalog", required_argument, NULL, 'c'},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	unsigned jobs[JOBS_MAX_LIST] = {1, 2};
	size_t njobs = 2, differ = 0;
	int runs = 1, opt, bad = 0, code = 0;
	const char *catalog = NULL;
	struct ss_load_options lo;
	struct ss_load_result res;
	struct ss_dataset ds;
	struct ss_series_stats st;
	struct ss_fits ref;
	struct fit_stats fs;
	struct timing tm[JOBS_MAX_LIST];
	struct ss_fit_options fo = ss_fit_defaults();
	double t0, load_secs, load_before, load_after;
	uint64_t load_rss, peak;
	char a[28], b[28], c[28];

	gsl_set_error_handler_off();
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			bad |= parse_jobs(optarg, jobs, &njobs);
			break;
		case 'r':
			bad |= bench_parse_runs("fitbench", optarg, &runs);
			break;
		case 'c':
			catalog = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			bad = -1;
		}
	}
	if (bad || optind + 1 != argc) {
		fputs(usage_text, stderr);
		return 2;
	}

	/* Load as "streamstat fit" does; only a failure to load is printed. */
	ss_load_options_init(&lo);
	lo.verbosity = SS_QUIET;
	if (catalog)
		(void)ss_load_option(&lo, 'c', catalog);
	if (ss_load_inputs_done(&lo, "fitbench", 1, argv + optind) < 0) {
		ss_load_options_release(&lo);
		return 2;
	}
	ss_dataset_init(&ds, SS_PROBLEMS_DEFAULT_LIMIT);
	t0 = bench_now();
	ss_load(&ds, &st, &lo, &res);
	load_secs = bench_now() - t0;
	load_rss = bench_peak_rss();
	if (ss_load_exit_code(&ds, &st, &lo, &res) != SS_EXIT_OK) {
		print_fatal(&ds);
		fprintf(stderr, "fitbench: the input cannot be loaded (see streamstat check)\n");
		code = 1;
		goto out_dataset;
	}

	load_before = load_average();
	memset(&ref, 0, sizeof ref);
	for (size_t k = 0; k < njobs; k++) {
		struct timing *tk = &tm[k];

		memset(tk, 0, sizeof *tk);
		tk->jobs = jobs[k];
		fo.jobs = jobs[k];
		for (int r = 0; r < runs; r++) {
			struct ss_fits fits;
			double w, cpu = cpu_seconds();

			t0 = bench_now();
			ss_fit_all(&ds, &fo, &fits);
			w = bench_now() - t0;
			cpu = cpu_seconds() - cpu;
			if (r == 0 || w < tk->wall) {
				tk->wall = w;
				tk->cpu = cpu;
				tk->threads = fits.jobs;
			}
			if (k == 0 && r == 0) {
				ref = fits; /* kept: the reference */
				continue;
			}
			tk->differ += count_differences(&ds, &ref, &fits, jobs[k]);
			ss_fits_release(&fits);
		}
		differ += tk->differ;
	}
	load_after = load_average();
	peak = bench_peak_rss();
	fit_stats(&ds, &ref, &fs);

	printf("streamstat fitbench: %s\n", argv[optind]);
	printf("  loaded        %s observations; %s tracks, %s with data; in %.3f s "
	       "(not counted)\n",
	       bench_num(st.observations, a), bench_num(ss_dataset_ntracks(&ds), b),
	       bench_num(fs.with_data, c), load_secs);
	printf("  models        ");
	for (size_t i = 0; i < ss_nmodels; i++)
		printf("%s%s", i ? " " : "", ss_models[i].name);
	printf("; all fitted, the least AICc chosen\n");
	printf("  machine       %ld CPUs online; load average %.2f before fitting, %.2f after\n",
	       sysconf(_SC_NPROCESSORS_ONLN), load_before, load_after);

	printf("\n  fitting (best of %d run%s)\n", runs, runs == 1 ? "" : "s");
	printf("  %6s %8s %10s %10s %6s %12s %9s  %s\n", "jobs", "threads", "wall s", "cpu s",
	       "cores", "tracks/s", "speed-up", "identical");
	for (size_t k = 0; k < njobs; k++) {
		const struct timing *tk = &tm[k];
		double rate = (double)fs.with_data / tk->wall;

		printf("  %6u %8u %10.3f %10.3f %6.2f %12s %8.2fx  %s\n", tk->jobs, tk->threads,
		       tk->wall, tk->cpu, tk->cpu / tk->wall, bench_num((uint64_t)(rate + 0.5), a),
		       tm[0].wall / tk->wall,
		       k == 0 && runs == 1 ? "(reference)"
		       : tk->differ	   ? "NO"
					   : "yes");
	}
	printf("  (speed-up and identical: against jobs=%u, the first in the list; cpu s: user +\n"
	       "   system time of the process over the run; cores: cpu s / wall s, below the\n"
	       "   jobs when the threads wait or other processes hold the CPUs)\n",
	       tm[0].jobs);

	print_where(&fs, tm[0].jobs);

	printf("\n  memory\n");
	printf("  %-30s %10.1f MiB\n", "peak RSS after fitting", (double)peak / 1048576.0);
	printf("  %-30s %10.1f MiB\n", "peak RSS after loading", (double)load_rss / 1048576.0);
	printf("  %-30s %10.1f MiB\n", "one set of results",
	       (double)(ref.n * sizeof *ref.tracks) / 1048576.0);

	printf("\n  targets\n");
	{
		const struct timing *one = timing_for(tm, njobs, 1);
		const struct timing *two = timing_for(tm, njobs, 2);
		const struct timing *at = timing_for(tm, njobs, TARGET_JOBS);

		if (at) {
			double rate = (double)fs.with_data / at->wall;

			printf("  %-30s %9s    target >= %-8s %s\n", "tracks/s at 2 jobs",
			       bench_num((uint64_t)(rate + 0.5), a),
			       bench_num((uint64_t)TARGET_RATE, b),
			       bench_verdict(rate >= TARGET_RATE));
		} else {
			printf("  %-30s not measured (no %u in --jobs)\n", "tracks/s at 2 jobs",
			       TARGET_JOBS);
		}
		if (one && two) {
			double ratio = one->wall / two->wall;

			printf("  %-30s %8.2fx    target >= %.2fx    %s\n",
			       "speed-up from 1 to 2 jobs", ratio, TARGET_SCALING,
			       bench_verdict(ratio >= TARGET_SCALING));
			printf("  (near-linear scaling: a speed-up of at least %.1fx)\n",
			       TARGET_SCALING);
		} else {
			printf("  %-30s not measured (--jobs needs 1 and 2)\n",
			       "speed-up from 1 to 2 jobs");
		}
	}
	if (njobs > 1 || runs > 1)
		printf("\n  results identical across jobs: %s\n", differ ? "NO" : "yes");
	else
		printf("\n  results identical across jobs: not checked (one run only)\n");
	if (differ) {
		fprintf(stderr,
			"fitbench: results differ across runs or jobs (%s track results in all):"
			" that is a bug in the fitting, not a missed target\n",
			bench_num(differ, a));
		code = 1;
	}
	if (ss_problems_at_least(&ds.problems, SS_SEV_WARNING))
		printf("\n  note: the input has %s warnings; run streamstat check on it\n",
		       bench_num(ss_problems_at_least(&ds.problems, SS_SEV_WARNING), a));
	ss_fits_release(&ref);
out_dataset:
	ss_dataset_release(&ds);
	ss_load_options_release(&lo);
	return code;
}
