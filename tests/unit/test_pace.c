/*
 * test_pace.c - the pace model (pace.h).
 *
 *  - features measured on hand-built intervals, against values worked out
 *    here: dense, sparse, clipped at the release, a last interval before
 *    the anchor;
 *  - the streams to come under a hand-built calibration, against closed
 *    forms: no correction is the yardstick h p7; b0 = 1 is the power-law
 *    age decay p7 a ((1 + h/a)^(1 - beta) - 1) / (1 - beta); a quantile
 *    row is its factor e^c0; a level between two is interpolated in
 *    normal scores;
 *  - the shipped calibration: its tables in order, and for many tracks
 *    every quantile of the streams to come rising with the horizon (also
 *    past the grid), quantiles never crossing, solve() the inverse;
 *  - projections through milestones.h use it: the day and interval of a
 *    milestone are where the calibration's quantiles reach it.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "streamstat/date.h"
#include "streamstat/fit.h"
#include "streamstat/ingest.h"
#include "streamstat/milestones.h"
#include "streamstat/pace.h"
#include "streamstat/series.h"

#include "helpers.h"

/* |a - b| <= tol, in doubles (cmocka's float comparison rounds to float). */
#define assert_near(a, b, tol)                                                                     \
	do {                                                                                       \
		double a_ = (a), b_ = (b);                                                         \
		if (!(fabs(a_ - b_) <= (tol)))                                                     \
			fail_msg("%s = %.17g, want %.17g", #a, a_, b_);                            \
	} while (0)

/* Intervals (t0, t1] with y streams, as fit.h hands them over. */
struct ivals {
	double t0[400], t1[400], y[400];
	struct ss_fit_data d;
};

static void ivals_init(struct ivals *v)
{
	memset(v, 0, sizeof *v);
	v->d.t0 = v->t0, v->d.t1 = v->t1, v->d.y = v->y;
}

static void ivals_push(struct ivals *v, double t0, double t1, double y)
{
	size_t n = v->d.n++;
	v->t0[n] = t0, v->t1[n] = t1, v->y[n] = y;
}

static void test_features_dense(void **state)
{
	struct ivals v;
	struct ss_pace_track pt;

	(void)state;
	ivals_init(&v);
	/* 1,000 a day for 100 days, then 2,000 a day for the last 7 */
	for (int k = 0; k < 107; k++)
		ivals_push(&v, k, k + 1, k < 100 ? 1000.0 : 2000.0);
	assert_int_equal(ss_pace_features(&v.d, 107, &pt), 0);
	assert_near(pt.age, 107, 0);
	assert_near(pt.p7, 2000, 1e-9);
	/* 28 days: 7 at 2,000 and 21 at 1,000; 91 days: 7 and 84 */
	assert_near(pt.t7, log(2000.0 / (35000.0 / 28)), 1e-12);
	assert_near(pt.t90, log((35000.0 / 28) / (98000.0 / 91)), 1e-12);
	assert_near(pt.lag, log(2.0) / sqrt(107.0), 1e-12);
}

static void test_features_sparse_and_young(void **state)
{
	struct ivals v;
	struct ss_pace_track pt;
	double th[4];

	(void)state;
	/* two totals a month apart, from the release: the last interval's
	 * rate is p7 and p28; 91 days clip at the release (60 covered) */
	ivals_init(&v);
	ivals_push(&v, 0, 30, 30000);
	ivals_push(&v, 30, 60, 15000);
	assert_int_equal(ss_pace_features(&v.d, 60, &pt), 0);
	assert_near(pt.p7, 500, 1e-9);
	assert_near(pt.t7, 0, 1e-12);
	assert_near(pt.t90, log(500.0 / 750.0), 1e-12);
	assert_near(pt.lag, log(31.0) / sqrt(60.0), 1e-12);
	/* the table's fields keep the age-free part of lag */
	ss_pace_to_th(&pt, th);
	struct ss_pace_track back;
	ss_pace_from_th(th, 60, &back);
	assert_near(back.p7, pt.p7, 1e-9);
	assert_near(back.t90, pt.t90, 0);
	assert_near(back.lag, pt.lag, 1e-15);

	/* an anchor after the last interval (a correction): measured up to
	 * the interval's end, aged at the anchor */
	assert_int_equal(ss_pace_features(&v.d, 75, &pt), 0);
	assert_near(pt.p7, 500, 1e-9);
	assert_near(pt.age, 75, 0);

	/* nothing by the anchor, or a window without streams: no result */
	assert_int_equal(ss_pace_features(&v.d, 20, &pt), -1);
	ivals_init(&v);
	assert_int_equal(ss_pace_features(&v.d, 10, &pt), -1);
}

/* A calibration with every coefficient zero but those set by the test. */
static struct ss_pace_cal flat_cal(void)
{
	struct ss_pace_cal c;
	static const double h[SS_PACE_NH] = {1,	 2,  3,	 5,   7,   10,	14,  21,  30,
					     45, 60, 90, 120, 150, 180, 240, 300, 365};
	static const double lv[SS_PACE_NQ] = {0.05, 0.10, 0.25, 0.75, 0.90, 0.95};

	memset(&c, 0, sizeof c);
	c.source = "test";
	c.beta = 0.5;
	memcpy(c.h, h, sizeof h);
	memcpy(c.level, lv, sizeof lv);
	return c;
}

static void test_remaining_closed_forms(void **state)
{
	struct ss_pace_cal c = flat_cal();
	struct ss_pace_track pt = {.age = 100, .p7 = 1000, .t7 = 0.3, .t90 = -0.2, .lag = 0.1};

	(void)state;
	/* no correction: the yardstick, at any horizon on the grid */
	for (double h = 0.5; h <= 365; h *= 1.7)
		assert_near(ss_pace_remaining(&c, &pt, h, 0.5), 1000 * h, 1e-9 * h);
	/* b0 = 1: the power-law decay in age, exactly at grid points */
	for (size_t k = 0; k < SS_PACE_NH; k++)
		c.med[k][0] = 1.0;
	for (size_t k = 0; k < SS_PACE_NH; k++) {
		double h = c.h[k], want = 1000 * 100 * (sqrt(1 + h / 100) - 1) / 0.5;
		assert_near(ss_pace_remaining(&c, &pt, h, 0.5), want, 1e-9 * want);
	}
	/* b1 = -0.5 on t7 everywhere: a factor e^(-0.15) */
	struct ss_pace_cal c2 = flat_cal();
	for (size_t k = 0; k < SS_PACE_NH; k++)
		c2.med[k][1] = -0.5;
	assert_near(ss_pace_remaining(&c2, &pt, 30, 0.5), 30000 * exp(-0.15), 1e-6);
	/* quantile rows: their factor at their level; a level between two
	 * interpolated in normal scores; the median exact */
	struct ss_pace_cal c3 = flat_cal();
	static const double c0[SS_PACE_NQ] = {-0.6, -0.4, -0.2, 0.1, 0.3, 0.5};
	for (size_t k = 0; k < SS_PACE_NH; k++)
		for (size_t j = 0; j < SS_PACE_NQ; j++)
			c3.q[k][j][0] = c0[j];
	for (size_t j = 0; j < SS_PACE_NQ; j++)
		assert_near(ss_pace_remaining(&c3, &pt, 60, c3.level[j]), 60000 * exp(c0[j]), 1e-6);
	assert_near(ss_pace_remaining(&c3, &pt, 60, 0.5), 60000, 1e-9);
	/* 80%: z = 0.8416 between z(0.75) = 0.6745 and z(0.90) = 1.2816 */
	double f = (0.841621 - 0.674490) / (1.281552 - 0.674490);
	assert_near(ss_pace_remaining(&c3, &pt, 60, 0.8), 60000 * exp(0.1 + f * 0.2), 0.1);
}

static void test_shipped_in_order(void **state)
{
	const struct ss_pace_cal *c = &ss_pace_shipped;

	(void)state;
	assert_non_null(c->source);
	assert_true(c->beta > 0 && c->beta < 1);
	for (size_t k = 1; k < SS_PACE_NH; k++)
		assert_true(c->h[k] > c->h[k - 1]);
	for (size_t j = 1; j < SS_PACE_NQ; j++)
		assert_true(c->level[j] > c->level[j - 1]);
	for (size_t b = 0; b < 5; b++) {
		assert_true(c->mae_pace[b] >= 0 && c->mae_recent[b] >= 0);
		assert_true(c->coverage[b] > 0 && c->coverage[b] <= 1);
	}
}

static void test_shipped_monotone_and_inverse(void **state)
{
	static const double ages[] = {3, 20, 60, 200, 1000, 5000};
	static const double trends[] = {-1.0, -0.3, 0, 0.4, 1.5};
	static const double levels[] = {0.05, 0.1, 0.5, 0.8, 0.9, 0.95};

	(void)state;
	for (size_t a = 0; a < sizeof ages / sizeof ages[0]; a++)
		for (size_t t = 0; t < sizeof trends / sizeof trends[0]; t++) {
			struct ss_pace_track pt = {.age = ages[a],
						   .p7 = 5000,
						   .t7 = trends[t],
						   .t90 = -trends[t] / 2,
						   .lag = log1p(t * 10.0) / sqrt(ages[a])};
			for (size_t l = 0; l < sizeof levels / sizeof levels[0]; l++) {
				double prev = 0;
				for (double h = 0.25; h < 20000; h *= 1.05) {
					double R = ss_pace_remaining(&ss_pace_shipped, &pt, h,
								     levels[l]);
					if (!(R >= prev * (1 - 1e-12)))
						fail_msg(
							"age %g trend %g level %g: R(%g) = %g < %g",
							ages[a], trends[t], levels[l], h, R, prev);
					prev = R;
					if (l > 0) {
						double below = ss_pace_remaining(
							&ss_pace_shipped, &pt, h, levels[l - 1]);
						assert_true(below <= R * (1 + 1e-12));
					}
				}
				/* solve() inverts it */
				double need =
					ss_pace_remaining(&ss_pace_shipped, &pt, 123.4, levels[l]);
				double h = ss_pace_solve(&ss_pace_shipped, &pt, need, levels[l],
							 36525);
				assert_near(h, 123.4, 0.02);
				assert_true(isnan(ss_pace_solve(&ss_pace_shipped, &pt, 1e30,
								levels[l], 36525)));
			}
		}
}

/* A track of 1,000 streams a day for 400 days, released 2023-01-01. */
static void test_projection_uses_it(void **state)
{
	static char text[1 << 15];
	struct ss_dataset ds;
	struct ss_series_stats st;
	struct ss_error err = {0};
	struct ss_fits fits;
	struct ss_milestones ms;
	struct ss_ms_options mo = ss_ms_defaults();
	struct ss_fit_options fo = ss_fit_defaults();
	size_t len = 0;
	int32_t rel = ss_date_from_ymd(2023, 1, 1);

	(void)state;
	len += (size_t)snprintf(text, sizeof text, "date,album,track,streams\n");
	for (int k = 0; k < 400; k++) {
		char d[SS_DATE_LEN + 1];
		ss_date_format(rel + k, d);
		len += (size_t)snprintf(text + len, sizeof text - len, "%s,A,T,1000\n", d);
	}
	load_text(&ds, "album,album_release_date,track\nA,2023-01-01,T\n", text, NULL);
	assert_int_equal(ss_series_build(&ds, &st, &err), SS_OK);
	fo.jobs = 1;
	ss_fit_all(&ds, &fo, &fits);
	assert_int_equal(ss_ms_parse_list("300K,1M", &mo), 0);
	ss_milestones_run(&ds, &fits, &mo, &ms);

	const struct ss_track_ms *tm = &ms.tracks[0];
	size_t pace;
	assert_non_null(ss_model_find("pace", &pace));
	assert_int_equal(tm->model, (int)pace);
	assert_int_equal(tm->c[0].status, SS_MS_REACHED);
	const struct ss_crossing *c = &tm->c[1];
	assert_int_equal(c->status, SS_MS_PROJECTED);
	/* the track at its anchor, measured by hand: flat, age 400 */
	struct ss_pace_track pt = {
		.age = 400, .p7 = 1000, .t7 = 0, .t90 = 0, .lag = log(2.0) / sqrt(400.0)};
	double need = 1e6 - 400000;
	int32_t last = rel + 399;
	/* day D's end is h = D - last days on: the first day reaching need */
	double Rb = ss_pace_remaining(&ss_pace_shipped, &pt, c->day - last - 1, 0.5);
	double Ra = ss_pace_remaining(&ss_pace_shipped, &pt, c->day - last, 0.5);
	assert_true(Rb < need && need <= Ra);
	/* the interval's ends are where the 90% and 10% quantiles reach it */
	assert_true(ss_pace_remaining(&ss_pace_shipped, &pt, c->lo - last, 0.9) >= need);
	assert_true(ss_pace_remaining(&ss_pace_shipped, &pt, c->lo - last - 1, 0.9) < need);
	assert_true(ss_pace_remaining(&ss_pace_shipped, &pt, c->hi - last, 0.1) >= need);
	assert_true(ss_pace_remaining(&ss_pace_shipped, &pt, c->hi - last - 1, 0.1) < need);
	assert_true(c->lo < c->day && c->day < c->hi);
	ss_milestones_release(&ms);
	ss_fits_release(&fits);
	ss_dataset_release(&ds);
}

/* The memo of the shipped calibration's grids gives what computing them
 * afresh gives (a copy of the table at another address is never memoised),
 * for more tracks than the memo holds, asked in turn. */
static void test_memo_same_answers(void **state)
{
	static struct ss_pace_cal copy;
	struct ss_pace_track pt[100];

	(void)state;
	copy = ss_pace_shipped;
	for (int i = 0; i < 100; i++)
		pt[i] = (struct ss_pace_track){.age = 20 + 37 * i,
					       .p7 = 1000 + 500 * i,
					       .t7 = 0.01 * (i % 7) - 0.03,
					       .t90 = 0.02 * (i % 5) - 0.04,
					       .lag = 0};
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < 100; i++)
			for (double h = 1; h < 20000; h *= 3.7) {
				double p = round == 1 ? 0.1 : 0.9;
				double a = ss_pace_remaining(&ss_pace_shipped, &pt[i], h, p);
				double b = ss_pace_remaining(&copy, &pt[i], h, p);
				if (a != b)
					fail_msg("track %d, h %g: %.17g memoised, %.17g afresh", i,
						 h, a, b);
			}
	assert_true(ss_pace_solve(&ss_pace_shipped, &pt[3], 1e6, 0.5, 36500) ==
		    ss_pace_solve(&copy, &pt[3], 1e6, 0.5, 36500));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_features_dense),
		cmocka_unit_test(test_features_sparse_and_young),
		cmocka_unit_test(test_remaining_closed_forms),
		cmocka_unit_test(test_shipped_in_order),
		cmocka_unit_test(test_shipped_monotone_and_inverse),
		cmocka_unit_test(test_projection_uses_it),
		cmocka_unit_test(test_memo_same_answers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
