/*
 * Unit tests for pipeline.c, the one sequence of the analysis:
 *  - the stages run in order (fit, backtest, projections), the backtest
 *    only when asked;
 *  - the pool runs when asked: an album of thin tracks (three totals each)
 *    gets the pooled power law, and keeps the recent pace without it;
 *  - the backtest's rule is used unless the caller chose the model
 *    (--method), which then stays;
 *  - GSL's abort handler is off once it has run: a GSL error is a status.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include "streamstat/ingest.h"
#include "helpers.h"
#include "streamstat/pipeline.h"
#include "streamstat/series.h"

/* Six thin tracks of one album: a power law, 5% noise, three totals each. */
static const char catalog[] = "album,album_release_date,track\nAl,2023-01-01,T0\n";
static const char history[] = "date,album,track,total\n"
			      "2023-01-26,Al,T0,4143727\n"
			      "2023-02-25,Al,T0,6306874\n"
			      "2023-03-04,Al,T0,6699546\n"
			      "2023-01-14,Al,T1,3139917\n"
			      "2023-02-27,Al,T1,6420175\n"
			      "2023-03-23,Al,T1,7566978\n"
			      "2023-01-11,Al,T2,4408688\n"
			      "2023-02-05,Al,T2,8768540\n"
			      "2023-03-11,Al,T2,12256701\n"
			      "2023-01-28,Al,T3,9707281\n"
			      "2023-02-14,Al,T3,12706989\n"
			      "2023-03-09,Al,T3,15440313\n"
			      "2023-02-09,Al,T4,10912314\n"
			      "2023-03-01,Al,T4,13064128\n"
			      "2023-04-07,Al,T4,15925272\n"
			      "2023-01-08,Al,T5,5650135\n"
			      "2023-01-18,Al,T5,9524731\n"
			      "2023-02-09,Al,T5,15230539\n";

static void load(struct ss_dataset *ds)
{
	struct ss_series_stats st;
	struct ss_error err;

	load_text(ds, catalog, history, NULL);
	assert_int_equal(ss_series_build(ds, &st, &err), SS_OK);
	assert_int_equal(ss_dataset_ntracks(ds), 6);
}

struct seen {
	enum ss_pipeline_stage stage[8];
	size_t n;
};

static void record(enum ss_pipeline_stage s, size_t ntracks, void *arg)
{
	struct seen *sn = arg;

	assert_int_equal(ntracks, 6);
	if (sn->n < 8)
		sn->stage[sn->n++] = s;
}

static void test_stages(void **state)
{
	struct ss_dataset ds;
	struct ss_pipeline p;
	struct ss_pipeline_options po = ss_pipeline_defaults();
	struct seen sn = {.n = 0};

	(void)state;
	load(&ds);
	po.fit.jobs = 1;
	po.progress = record;
	po.progress_arg = &sn;
	ss_pipeline_run(&ds, &po, &p);
	assert_int_equal(sn.n, 3);
	assert_int_equal(sn.stage[0], SS_STAGE_FIT);
	assert_int_equal(sn.stage[1], SS_STAGE_BACKTEST);
	assert_int_equal(sn.stage[2], SS_STAGE_PROJECT);
	assert_true(p.has_bt);
	assert_int_equal(p.fits.n, 6);
	assert_int_equal(p.ms.ntracks, 6);
	assert_int_equal(p.ms.nalbums, 1);
	/* the backtest's rule decides */
	assert_int_equal(p.ms.opt.model_rule, p.bt.rule_model);
	ss_pipeline_release(&p);

	/* no backtest: two stages; the caller's model stays */
	size_t recent = 0;
	assert_true(ss_model_find("recent", &recent));
	sn.n = 0;
	po.backtest = 0;
	po.use_rule = 0;
	po.ms.model_rule = (int16_t)recent;
	ss_pipeline_run(&ds, &po, &p);
	assert_int_equal(sn.n, 2);
	assert_int_equal(sn.stage[1], SS_STAGE_PROJECT);
	assert_false(p.has_bt);
	assert_int_equal(p.ms.opt.model_rule, (int)recent);
	assert_int_equal(p.ms.tracks[0].model, (int)recent);
	ss_pipeline_release(&p);
	ss_dataset_release(&ds);
}

static void test_pool(void **state)
{
	struct ss_dataset ds;
	struct ss_pipeline p;
	struct ss_pipeline_options po = ss_pipeline_defaults();
	size_t pw = 0;

	(void)state;
	assert_true(ss_model_find("powerlaw", &pw));
	load(&ds);
	po.fit.jobs = 1;
	po.fit.models = 0; /* every curve: --curves */
	po.backtest = 0;
	ss_pipeline_run(&ds, &po, &p);
	for (size_t t = 0; t < 6; t++) {
		assert_true(p.fits.tracks[t].fallback); /* too thin alone */
		assert_false(p.fits.tracks[t].pooled);
	}
	ss_pipeline_release(&p);

	po.pool = 1; /* --curves without --no-pool */
	ss_pipeline_run(&ds, &po, &p);
	for (size_t t = 0; t < 6; t++) {
		assert_true(p.fits.tracks[t].pooled);
		assert_int_equal(p.fits.tracks[t].best, (int)pw);
	}
	/* the shape the data were made with: alpha 0.8 */
	assert_true(fabs(p.fits.tracks[0].m[pw].th[SS_PL_ALPHA] - 0.8) < 0.2);
	ss_pipeline_release(&p);
	ss_dataset_release(&ds);
}

static int handler_calls;

static void count_calls(const char *reason, const char *file, int line, int gsl_errno)
{
	(void)reason, (void)file, (void)line, (void)gsl_errno;
	handler_calls++;
}

static double line_at_3(double t, void *arg)
{
	(void)arg;
	return t - 3.0;
}

static void test_gsl_handler_off(void **state)
{
	struct ss_dataset ds;
	struct ss_pipeline p;
	struct ss_pipeline_options po = ss_pipeline_defaults();
	double r;

	(void)state;
	gsl_set_error_handler(count_calls);
	/* a bracket that does not straddle the root is a GSL error */
	assert_int_equal(ss_ms_root(line_at_3, NULL, 4.0, 10.0, &r), GSL_EINVAL);
	assert_int_equal(handler_calls, 1);
	load(&ds);
	po.fit.jobs = 1;
	po.backtest = 0;
	ss_pipeline_run(&ds, &po, &p);
	ss_pipeline_release(&p);
	ss_dataset_release(&ds);
	assert_int_equal(ss_ms_root(line_at_3, NULL, 4.0, 10.0, &r), GSL_EINVAL);
	assert_int_equal(handler_calls, 1); /* off: not called again */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stages),
		cmocka_unit_test(test_pool),
		cmocka_unit_test(test_gsl_handler_off),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests_name("pipeline", tests, NULL, NULL);
}
