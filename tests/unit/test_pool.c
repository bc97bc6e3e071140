/*
 * Unit tests for pool.c: albums of thin tracks (two or three totals each)
 * drawn from one power-law shape d_i = A_i (t + tau)^(-alpha) with their own
 * scales and 5% log-normal noise on each increment.
 *  - the thin tracks get the pooled curve as their model, the shape comes
 *    back near the truth, and an album too small to pool keeps the recent
 *    pace;
 *  - over many seeded albums, the 80% intervals of projected crossings of
 *    twice each track's last total hold the true day about as often as
 *    they say (60% to 97%: the future here is noise-free).
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

#include "streamstat/date.h"
#include "streamstat/fit.h"
#include "streamstat/ingest.h"
#include "helpers.h"
#include "streamstat/milestones.h"
#include "streamstat/pool.h"
#include "streamstat/series.h"

#define TAU    5.0
#define ALPHA  0.8
#define TRACKS 6

struct rng {
	uint64_t s;
};

static double unif(struct rng *r)
{
	r->s ^= r->s << 13, r->s ^= r->s >> 7, r->s ^= r->s << 17;
	return ((double)(r->s >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(struct rng *r)
{
	return sqrt(-2 * log(unif(r))) * cos(6.283185307179586 * unif(r));
}

/* The true total at t days after the release. */
static double truth(double A, double t)
{
	return A / (1 - ALPHA) * (pow(t + TAU, 1 - ALPHA) - pow(TAU, 1 - ALPHA));
}

struct album {
	double A[TRACKS];
	int32_t last_day[TRACKS]; /* days since release of each track's last total */
	double last_total[TRACKS];
};

/* An album of ntracks thin tracks as CSV; fills al. */
static void make_album(struct rng *r, size_t ntracks, char *csv, size_t size, struct album *al)
{
	int32_t release = ss_date_from_ymd(2023, 1, 1);
	size_t len = (size_t)snprintf(csv, size, "date,album,track,total\n");

	for (size_t i = 0; i < ntracks; i++) {
		double total = 0;
		int32_t day = 0;
		size_t points = 2 + (size_t)(unif(r) * 2); /* 2 or 3 totals */
		al->A[i] = 1e6 * exp(1.5 * unif(r));
		for (size_t k = 0; k < points; k++) {
			int32_t next = day + 5 + (int32_t)(unif(r) * 40);
			double inc = truth(al->A[i], next) - truth(al->A[i], day);
			char date[SS_DATE_LEN + 1];
			total += inc * exp(0.05 * normal(r));
			day = next;
			ss_date_format(release + day - 1, date);
			len += (size_t)snprintf(csv + len, size - len, "%s,Al,T%zu,%.0f\n", date, i,
						total);
		}
		al->last_day[i] = day;
		al->last_total[i] = floor(total + 0.5);
	}
}

static void load(struct ss_dataset *ds, const char *csv)
{
	struct ss_series_stats st;
	struct ss_error err;

	load_text(ds, "album,album_release_date,track\nAl,2023-01-01,T0\n", csv, NULL);
	assert_int_equal(ss_series_build(ds, &st, &err), SS_OK);
}

static size_t powerlaw_index(void)
{
	size_t i = 0;

	assert_true(ss_model_find("powerlaw", &i));
	return i;
}

/* The pool writes the power law's parameters by models.h's indices: the
 * table names them so, in that order, fit space as said there. */
static void test_powerlaw_layout(void **state)
{
	const struct ss_model *m = &ss_models[powerlaw_index()];

	(void)state;
	assert_int_equal(m->np, SS_PL_NP);
	assert_string_equal(m->param[SS_PL_A].name, "A");
	assert_string_equal(m->param[SS_PL_TAU].name, "tau");
	assert_string_equal(m->param[SS_PL_ALPHA].name, "alpha");
	assert_int_equal(m->param[SS_PL_A].scale, SS_PARAM_LOG);
	assert_int_equal(m->param[SS_PL_TAU].scale, SS_PARAM_LOG);
	assert_int_equal(m->param[SS_PL_ALPHA].scale, SS_PARAM_LINEAR);
	/* d(10) = A (10 + tau)^-alpha with A = 1000, tau = 5, alpha = 0.8 */
	double th[SS_PL_NP];
	th[SS_PL_A] = log(1000.0);
	th[SS_PL_TAU] = log(5.0);
	th[SS_PL_ALPHA] = 0.8;
	assert_true(fabs(m->daily(th, 10.0) - 1000.0 * pow(15.0, -0.8)) < 1e-9);
}

static void test_pooled_shape(void **state)
{
	static char csv[1 << 14];
	struct rng r = {88172645463325252u};
	struct album al;
	struct ss_dataset ds;
	struct ss_fits fits;
	struct ss_fit_options fo = ss_fit_defaults();
	struct ss_pool_stats ps;
	size_t pw = powerlaw_index(), near = 0, trials = 20;

	(void)state;
	fo.jobs = 1;
	for (size_t trial = 0; trial < trials; trial++) {
		make_album(&r, TRACKS, csv, sizeof csv, &al);
		load(&ds, csv);
		ss_fit_all(&ds, &fo, &fits);
		for (size_t t = 0; t < TRACKS; t++)
			assert_true(fits.tracks[t].fallback); /* too thin alone */
		ss_fit_pool(&ds, &fits, &ps);
		assert_int_equal(ps.albums, 1);
		assert_int_equal(ps.tracks, TRACKS);
		for (size_t t = 0; t < TRACKS; t++) {
			const struct ss_track_fit *tf = &fits.tracks[t];
			assert_true(tf->pooled);
			assert_false(tf->fallback);
			assert_int_equal(tf->best, (int)pw);
			assert_true(tf->m[pw].chosen);
			assert_true(tf->m[pw].dof >= 2);
			assert_true(isfinite(tf->m[pw].se[SS_PL_A]) &&
				    isfinite(tf->m[pw].se[SS_PL_ALPHA]));
		}
		/* alpha within three standard errors of the truth */
		const struct ss_model_fit *mf = &fits.tracks[0].m[pw];
		near += fabs(mf->th[SS_PL_ALPHA] - ALPHA) < 3 * mf->se[SS_PL_ALPHA];
		ss_fits_release(&fits);
		ss_dataset_release(&ds);
	}
	print_message("pool: alpha within 3 se of the truth in %zu of %zu albums\n", near, trials);
	assert_true(near >= trials * 8 / 10);

	/* one thin track: 2 or 3 intervals for a scale and 2 shape parameters
	 * leave too few degrees of freedom; the recent pace stays */
	make_album(&r, 1, csv, sizeof csv, &al);
	load(&ds, csv);
	ss_fit_all(&ds, &fo, &fits);
	ss_fit_pool(&ds, &fits, &ps);
	assert_int_equal(ps.tracks, 0);
	assert_true(fits.tracks[0].fallback);
	assert_false(fits.tracks[0].pooled);
	ss_fits_release(&fits);
	ss_dataset_release(&ds);
}

static void test_pooled_coverage(void **state)
{
	static char csv[1 << 14];
	struct rng r = {0x2545F4914F6CDD1Du};
	struct album al;
	struct ss_dataset ds;
	struct ss_fits fits;
	struct ss_fit_options fo = ss_fit_defaults();
	struct ss_pool_stats ps;
	size_t judged = 0, covered = 0, trials = 60;

	(void)state;
	fo.jobs = 1;
	for (size_t trial = 0; trial < trials; trial++) {
		make_album(&r, TRACKS, csv, sizeof csv, &al);
		load(&ds, csv);
		ss_fit_all(&ds, &fo, &fits);
		ss_fit_pool(&ds, &fits, &ps);
		for (size_t t = 0; t < TRACKS; t++) {
			const struct ss_track_fit *tf = &fits.tracks[t];
			struct ss_crossing c;
			size_t n;
			const struct ss_obs *obs = ss_series_of(&ds, (uint32_t)t, &n);
			double M = 2 * al.last_total[t];
			double span = ss_ms_span(obs, n, tf->release, 1, tf->last_day);
			/* the true day: the realised last total plus the true streams after */
			int32_t d = al.last_day[t];
			while (al.last_total[t] + truth(al.A[t], d) -
				       truth(al.A[t], al.last_day[t]) <
			       M)
				d++;
			ss_ms_project(tf, tf->best, M, 0.8, span, &c);
			if (c.status != SS_MS_PROJECTED || c.lo == SS_DAY_NONE)
				continue;
			judged++;
			int32_t day = tf->release - 1 + d;
			covered += c.lo <= day && (c.hi == SS_DAY_NEVER || day <= c.hi);
		}
		ss_fits_release(&fits);
		ss_dataset_release(&ds);
	}
	print_message("pool: 80%% intervals held the true day in %zu of %zu projections\n", covered,
		      judged);
	assert_true(judged >= trials * TRACKS * 9 / 10);
	assert_true(covered >= judged * 60 / 100);
	assert_true(covered <= judged * 97 / 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_powerlaw_layout),
		cmocka_unit_test(test_pooled_shape),
		cmocka_unit_test(test_pooled_coverage),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
