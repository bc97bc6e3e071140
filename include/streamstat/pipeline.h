/*
 * pipeline.h - the analysis every command runs, in one place: fit ->
 * pool -> backtest -> rule -> milestones (doc/internals.md, "Data flow and
 * ownership"; each stage's method in doc/method.md).
 *
 * "report", "milestones", the fuzz targets and any tool call
 * ss_pipeline_run() on a dataset whose series are built; the stages are
 * never sequenced anywhere else, so what the fuzzers test is what the
 * commands run.  It does not load data, resolve names (--albums: the
 * commands check those before any work), print, or write.
 *
 * Convention for the stages, kept by every stage header: a stage that
 * cannot fail returns void (ss_fit_all, ss_fit_pool, ss_backtest_run,
 * ss_milestones_run, and this one).  What goes wrong with one track or one
 * crossing is part of its result (a fit's status, a crossing's why: e.g.
 * SS_WHY_NO_ROOT when Brent's method fails), out of memory aborts in
 * xalloc.h, and a thread that cannot be started leaves its share to the
 * others.  A stage that can fail (ingest, series, the writers) returns an
 * enum ss_status and fills a struct ss_error, and every caller checks it.
 *
 * GSL reports a failure by calling its error handler, which aborts by
 * default: ss_pipeline_run() turns it off (as main() does) before any
 * stage runs, so each failure is a status the stages see.
 *
 * Ownership: struct ss_pipeline owns the fits, the backtest and the
 * milestones; ss_pipeline_release() frees them.
 */
#ifndef STREAMSTAT_PIPELINE_H
#define STREAMSTAT_PIPELINE_H

#include "streamstat/backtest.h"
#include "streamstat/dataset.h"
#include "streamstat/fit.h"
#include "streamstat/milestones.h"

enum ss_pipeline_stage { SS_STAGE_FIT, SS_STAGE_BACKTEST, SS_STAGE_PROJECT };

struct ss_pipeline_options {
	struct ss_fit_options fit; /* models and jobs; fit.jobs also runs the stages after */
	struct ss_ms_options ms;   /* milestones and projections (ms.jobs is fit.jobs) */
	int pool;		   /* pool the thin tracks' curves (pool.h) */
	int backtest;		   /* backtest this input */
	int use_rule;		   /* project with the backtest's rule, not ms.model_rule */
	/* called as each stage starts, when not NULL (a progress line) */
	void (*progress)(enum ss_pipeline_stage stage, size_t ntracks, void *arg);
	void *progress_arg;
};

/* What "streamstat milestones" runs without options: the pace model and
 * the recent pace (no curves, no pool), a backtest choosing the rule. */
struct ss_pipeline_options ss_pipeline_defaults(void);

struct ss_pipeline {
	struct ss_fits fits;
	struct ss_backtest bt; /* meaningful when has_bt */
	int has_bt;
	struct ss_milestones ms;
	double seconds[3]; /* wall time of each enum ss_pipeline_stage */
};

/* Run every stage on ds (series built) into p. */
void ss_pipeline_run(const struct ss_dataset *ds, const struct ss_pipeline_options *opt,
		     struct ss_pipeline *p);

void ss_pipeline_release(struct ss_pipeline *p);

#endif
