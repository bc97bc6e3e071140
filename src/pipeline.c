/*
 * pipeline.c - fit -> pool -> backtest -> rule -> milestones, the one
 * sequence of the analysis (see pipeline.h).
 */
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>

#include "streamstat/pipeline.h"
#include "streamstat/pool.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

struct ss_pipeline_options ss_pipeline_defaults(void)
{
	struct ss_pipeline_options o;

	memset(&o, 0, sizeof o);
	o.fit = ss_fit_defaults();
	o.ms = ss_ms_defaults();
	for (size_t i = 0; i < ss_nmodels; i++)
		if (!ss_model_is_curve(&ss_models[i]))
			o.fit.models |= 1u << i;
	o.backtest = 1;
	o.use_rule = 1;
	return o;
}

static void stage(const struct ss_pipeline_options *opt, enum ss_pipeline_stage s, size_t n)
{
	if (opt->progress)
		opt->progress(s, n, opt->progress_arg);
}

void ss_pipeline_run(const struct ss_dataset *ds, const struct ss_pipeline_options *opt,
		     struct ss_pipeline *p)
{
	struct ss_ms_options mo = opt->ms;
	double t0 = now(), t1, t2;

	gsl_set_error_handler_off();
	memset(p, 0, sizeof *p);
	mo.jobs = opt->fit.jobs;

	stage(opt, SS_STAGE_FIT, ss_dataset_ntracks(ds));
	ss_fit_all(ds, &opt->fit, &p->fits);
	if (opt->pool) {
		struct ss_pool_stats ps;
		ss_fit_pool(ds, &p->fits, &ps);
	}
	t1 = now();
	if (opt->backtest) {
		struct ss_bt_options bo = ss_bt_defaults();
		stage(opt, SS_STAGE_BACKTEST, ss_dataset_ntracks(ds));
		bo.jobs = opt->fit.jobs;
		bo.fit = opt->fit;
		bo.ms = mo;
		ss_backtest_run(ds, &bo, &p->bt);
		p->has_bt = 1;
		if (opt->use_rule)
			mo.model_rule = p->bt.rule_model;
	}
	t2 = now();
	stage(opt, SS_STAGE_PROJECT, ss_dataset_ntracks(ds));
	ss_milestones_run(ds, &p->fits, &mo, &p->ms);
	p->seconds[SS_STAGE_FIT] = t1 - t0;
	p->seconds[SS_STAGE_BACKTEST] = t2 - t1;
	p->seconds[SS_STAGE_PROJECT] = now() - t2;
}

void ss_pipeline_release(struct ss_pipeline *p)
{
	ss_milestones_release(&p->ms);
	ss_fits_release(&p->fits);
	memset(p, 0, sizeof *p);
}
