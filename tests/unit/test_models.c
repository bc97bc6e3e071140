/*
 * Unit tests for models.c: for every model of the table and a table of realistic parameter
 * vectors, C(0) = 0, C non-decreasing, the analytic gradient and daily rate against central
 * finite differences, C's relative accuracy at small t (against Simpson's rule on daily()),
 * vectorised cum() against point-by-point calls; the power law across alpha = 1 and its
 * finite limit; every model's limit(); the table's invariants and lookups; starting points
 * on hand-built synthetic histories (every field of struct ss_fit_data filled, scratch
 * buffers allocated to their documented size so that the sanitizers see an overrun); the
 * double exponential's canonical order and the logistic's applies() and accept().
 */
#include <float.h>
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

#include "streamstat/models.h"

#define FD_REL	 1e-6 /* relative tolerance of a finite-difference check */
#define FD_ROUND 64.0 /* ulps of C allowed as rounding in a difference quotient */

static const double times[] = {0.0, 1e-9, 0.5, 1.0, 7.0, 30.0, 365.0, 3650.0};
#define NT (sizeof times / sizeof times[0])

/* A parameter vector in natural units (ss_param_value() of the fit-space one). */
struct pcase {
	const char *model;
	const char *what;
	double v[SS_MODEL_PMAX];
};

static const struct pcase pcases[] = {
	{"expdecay", "a=50000 k=0.05 b=3000", {50000.0, 0.05, 3000.0}},
	{"expdecay", "a=800 k=2 b=5 (fast)", {800.0, 2.0, 5.0}},
	{"expdecay", "a=200 k=0.001 b=40 (slow)", {200.0, 0.001, 40.0}},
	{"doubleexp", "A=40000 a=0.5 B=5000 b=0.01", {40000.0, 0.5, 5000.0, 0.01}},
	{"doubleexp", "A=1500 a=2 B=900 b=0.001", {1500.0, 2.0, 900.0, 0.001}},
	{"doubleexp", "slow first: A=3000 a=0.01 B=20000 b=0.3", {3000.0, 0.01, 20000.0, 0.3}},
	{"powerlaw", "A=20000 tau=0.3 alpha=0.5", {20000.0, 0.3, 0.5}},
	{"powerlaw", "A=20000 tau=30 alpha=0.5", {20000.0, 30.0, 0.5}},
	{"powerlaw", "A=20000 tau=0.3 alpha=0.98", {20000.0, 0.3, 0.98}},
	{"powerlaw", "A=20000 tau=0.3 alpha=1-1e-9", {20000.0, 0.3, 1.0 - 1e-9}},
	{"powerlaw", "A=20000 tau=0.3 alpha=1", {20000.0, 0.3, 1.0}},
	{"powerlaw", "A=20000 tau=0.3 alpha=1+1e-9", {20000.0, 0.3, 1.0 + 1e-9}},
	{"powerlaw", "A=20000 tau=30 alpha=1-1e-9", {20000.0, 30.0, 1.0 - 1e-9}},
	{"powerlaw", "A=20000 tau=30 alpha=1", {20000.0, 30.0, 1.0}},
	{"powerlaw", "A=20000 tau=30 alpha=1+1e-9", {20000.0, 30.0, 1.0 + 1e-9}},
	{"powerlaw", "A=20000 tau=0.3 alpha=1.25", {20000.0, 0.3, 1.25}},
	{"powerlaw", "A=20000 tau=0.3 alpha=1.7", {20000.0, 0.3, 1.7}},
	{"powerlaw", "A=20000 tau=30 alpha=1.7", {20000.0, 30.0, 1.7}},
	{"bass", "m=1e6 p=0.03 q=0.01 (q<p)", {1e6, 0.03, 0.01}},
	{"bass", "m=5e6 p=0.002 q=0.15 (q>p)", {5e6, 0.002, 0.15}},
	{"logistic", "K=5e6 r=0.15 t0=40", {5e6, 0.15, 40.0}},
	{"logistic", "K=1e5 r=1 t0=40 (sharp)", {1e5, 1.0, 40.0}},
	{"logistic", "K=3e5 r=0.05 t0=40 (slow)", {3e5, 0.05, 40.0}},
	{"recent", "rate=1234", {1234.0}},
};
#define NPCASES (sizeof pcases / sizeof pcases[0])

/* ---- helpers ---------------------------------------------------------------------- */

static const struct ss_model *model(const char *name)
{
	const struct ss_model *m = ss_model_find(name, NULL);

	if (!m)
		fail_msg("no model named '%s'", name);
	return m;
}

/* Fit-space vector of natural values v. */
static void to_fit(const struct ss_model *m, const double *v, double *th)
{
	for (size_t j = 0; j < m->np; j++)
		th[j] = m->param[j].scale == SS_PARAM_LOG ? log(v[j]) : v[j];
}

/* C at one time. */
static double cum1(const struct ss_model *m, const double *th, double t)
{
	double C;

	m->cum(th, &t, 1, &C, NULL);
	return C;
}

/* |got - want| within rel of the larger plus an absolute floor. */
static int close_to(double got, double want, double rel, double abs_floor)
{
	return fabs(got - want) <= rel * fmax(fabs(got), fabs(want)) + abs_floor;
}

/* Central difference step for fit-space parameter th_j. */
static double param_step(double th_j)
{
	return 1e-5 * fmax(1.0, fabs(th_j));
}

/*
 * dC/dth_k at every time by central differences with step h and h/2, combined (Richardson)
 * to cancel the h^2 term; scale[j] is the largest |C| they saw, for a rounding floor.
 */
static void param_differences(const struct ss_model *m, const double *th, size_t k, double h,
			      double *fd, double *scale)
{
	double D[2][NT];

	for (size_t j = 0; j < NT; j++)
		scale[j] = 0.0;
	for (int r = 0; r < 2; r++) {
		double tp[SS_MODEL_PMAX], tm[SS_MODEL_PMAX], Cp[NT], Cm[NT];

		memcpy(tp, th, m->np * sizeof *th);
		memcpy(tm, th, m->np * sizeof *th);
		tp[k] += r ? 0.5 * h : h;
		tm[k] -= r ? 0.5 * h : h;
		m->cum(tp, times, NT, Cp, NULL);
		m->cum(tm, times, NT, Cm, NULL);
		for (size_t j = 0; j < NT; j++) {
			D[r][j] = (Cp[j] - Cm[j]) / (tp[k] - tm[k]);
			scale[j] = fmax(scale[j], fmax(fabs(Cp[j]), fabs(Cm[j])));
		}
	}
	for (size_t j = 0; j < NT; j++)
		fd[j] = (4.0 * D[1][j] - D[0][j]) / 3.0;
}

/* dC/dt at t by central differences with steps h and h/2, combined as above. */
static double time_difference(const struct ss_model *m, const double *th, double t, double h,
			      double *scale)
{
	double tt[4] = {t - h, t + h, t - 0.5 * h, t + 0.5 * h}, C[4];

	m->cum(th, tt, 4, C, NULL);
	*scale = fmax(fmax(fabs(C[0]), fabs(C[1])), fmax(fabs(C[2]), fabs(C[3])));
	return (4.0 * (C[3] - C[2]) / (tt[3] - tt[2]) - (C[1] - C[0]) / (tt[1] - tt[0])) / 3.0;
}

/* ---- 1. C, its gradient, the daily rate, vectorisation ------------------------------ */

static void test_every_model_has_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < ss_nmodels; i++) {
		size_t k = 0;
		if (ss_models[i].is_population)
			continue; /* no curve: tests/unit/test_pace.c */
		for (size_t c = 0; c < NPCASES; c++)
			k += strcmp(pcases[c].model, ss_models[i].name) == 0;
		if (k == 0)
			fail_msg("model '%s' has no parameter cases here", ss_models[i].name);
	}
}

static void test_cum_zero_and_monotone(void **state)
{
	int bad = 0;

	(void)state;
	for (size_t c = 0; c < NPCASES; c++) {
		const struct ss_model *m = model(pcases[c].model);
		double th[SS_MODEL_PMAX], C[NT];

		to_fit(m, pcases[c].v, th);
		m->cum(th, times, NT, C, NULL);
		if (C[0] != 0.0) {
			print_error("%s %s: C(0) = %.17g, want 0\n", m->name, pcases[c].what, C[0]);
			bad++;
		}
		for (size_t j = 0; j < NT; j++) {
			if (!isfinite(C[j])) {
				print_error("%s %s: C(%g) = %g\n", m->name, pcases[c].what,
					    times[j], C[j]);
				bad++;
			} else if (j > 0 && !(C[j] >= C[j - 1])) {
				print_error("%s %s: C(%g) = %.17g < C(%g) = %.17g\n", m->name,
					    pcases[c].what, times[j], C[j], times[j - 1], C[j - 1]);
				bad++;
			}
		}
		if (!(C[1] > 0.0)) {
			print_error("%s %s: C(1e-9) = %g, want > 0\n", m->name, pcases[c].what,
				    C[1]);
			bad++;
		}
	}
	if (bad)
		fail_msg("%d failures", bad);
}

static void test_gradient_matches_differences(void **state)
{
	int bad = 0;

	(void)state;
	for (size_t c = 0; c < NPCASES; c++) {
		const struct ss_model *m = model(pcases[c].model);
		size_t np = m->np;
		double th[SS_MODEL_PMAX], C[NT], G[NT * SS_MODEL_PMAX];

		to_fit(m, pcases[c].v, th);
		m->cum(th, times, NT, C, G);
		for (size_t k = 0; k < np; k++) {
			double fd[NT], scale[NT], h = param_step(th[k]);

			param_differences(m, th, k, h, fd, scale);
			for (size_t j = 0; j < NT; j++) {
				double an = G[j * np + k];
				double floor =
					FD_ROUND * DBL_EPSILON * fmax(scale[j], fabs(C[j])) / h;

				if (!isfinite(an) || !close_to(an, fd[j], FD_REL, floor)) {
					print_error("%s %s: dC/d%s%s at t=%g: analytic %.12g, "
						    "differences %.12g (C=%.12g)\n",
						    m->name, pcases[c].what,
						    m->param[k].scale == SS_PARAM_LOG ? "log " : "",
						    m->param[k].name, times[j], an, fd[j], C[j]);
					bad++;
				}
			}
		}
	}
	if (bad)
		fail_msg("%d gradient entries disagree", bad);
}

static void test_daily_matches_differences(void **state)
{
	int bad = 0;

	(void)state;
	for (size_t c = 0; c < NPCASES; c++) {
		const struct ss_model *m = model(pcases[c].model);
		double th[SS_MODEL_PMAX];

		to_fit(m, pcases[c].v, th);
		for (size_t j = 1; j < NT; j++) {
			double t = times[j], h = fmin(0.5 * t, 1e-4 * fmax(1.0, t)), scale;
			double fd = time_difference(m, th, t, h, &scale), d = m->daily(th, t);
			double floor = FD_ROUND * DBL_EPSILON * scale / h;

			if (!isfinite(d) || !close_to(d, fd, FD_REL, floor)) {
				print_error("%s %s: daily(%g) = %.12g, differences %.12g\n",
					    m->name, pcases[c].what, t, d, fd);
				bad++;
			}
		}
	}
	if (bad)
		fail_msg("%d daily rates disagree", bad);
}

/*
 * C keeps its relative accuracy for t much shorter than the model's time scales: there C(t)
 * is Simpson's rule on daily(), which is evaluated without cancellation, to within t^4.
 */
static void test_cum_accurate_near_zero(void **state)
{
	static const double small[] = {1e-9, 1e-6, 1e-3};
	int bad = 0;

	(void)state;
	for (size_t c = 0; c < NPCASES; c++) {
		const struct ss_model *m = model(pcases[c].model);
		double th[SS_MODEL_PMAX];

		to_fit(m, pcases[c].v, th);
		for (size_t j = 0; j < sizeof small / sizeof small[0]; j++) {
			double t = small[j], C = cum1(m, th, t);
			double want =
				t / 6.0 *
				(m->daily(th, 0.0) + 4.0 * m->daily(th, 0.5 * t) + m->daily(th, t));

			if (!close_to(C, want, 1e-10, 0.0)) {
				print_error("%s %s: C(%g) = %.17g, integral of daily %.17g "
					    "(relative error %.2g)\n",
					    m->name, pcases[c].what, t, C, want,
					    fabs(C / want - 1.0));
				bad++;
			}
		}
	}
	if (bad)
		fail_msg("%d values of C inaccurate", bad);
}

static void test_cum_vectorised(void **state)
{
	(void)state;
	for (size_t c = 0; c < NPCASES; c++) {
		const struct ss_model *m = model(pcases[c].model);
		size_t np = m->np;
		double th[SS_MODEL_PMAX], C[NT], G[NT * SS_MODEL_PMAX], C2[NT];

		to_fit(m, pcases[c].v, th);
		m->cum(th, times, NT, C, G);
		m->cum(th, times, NT, C2, NULL);
		for (size_t j = 0; j < NT; j++) {
			double c1, g1[SS_MODEL_PMAX];

			m->cum(th, &times[j], 1, &c1, g1);
			if (memcmp(&c1, &C[j], sizeof c1) != 0 || memcmp(&C2[j], &C[j], sizeof c1))
				fail_msg(
					"%s %s: C(%g): %.17g at once, %.17g alone, %.17g without G",
					m->name, pcases[c].what, times[j], C[j], c1, C2[j]);
			for (size_t k = 0; k < np; k++)
				if (memcmp(&g1[k], &G[j * np + k], sizeof g1[k]) != 0)
					fail_msg("%s %s: G(%g)[%zu]: %.17g at once, %.17g alone",
						 m->name, pcases[c].what, times[j], k,
						 G[j * np + k], g1[k]);
		}
		/* m = 0 touches nothing */
		double guard = 42.0;
		m->cum(th, times, 0, &guard, &guard);
		assert_true(guard == 42.0);
	}
}

/*
 * Along whole days, as daily data give them, the exponential models step
 * e^(-k t) from one day to the next (models.c, struct decay): C over 1,000
 * days with a gap must stay within a few dozen ulps of C computed alone,
 * and so must each day's increment, relative to C.
 */
static void test_cum_daily_run(void **state)
{
	enum { NDAYS = 1000 };
	static double t[NDAYS], C[NDAYS], G[NDAYS * SS_MODEL_PMAX];
	int bad = 0;

	(void)state;
	for (size_t j = 0; j < NDAYS; j++)
		t[j] = (double)j + (j >= 500 ? 37.0 : 0.0); /* a gap after day 499 */
	for (size_t c = 0; c < NPCASES; c++) {
		const struct ss_model *m = model(pcases[c].model);
		double th[SS_MODEL_PMAX], prev = 0.0;

		to_fit(m, pcases[c].v, th);
		m->cum(th, t, NDAYS, C, G);
		for (size_t j = 0; j < NDAYS; j++) {
			double c1 = cum1(m, th, t[j]), scale = fmax(fabs(C[j]), fabs(c1));
			double inc = j ? C[j] - C[j - 1] : 0.0, inc1 = j ? c1 - prev : 0.0;

			prev = c1;
			if (close_to(C[j], c1, 1e-13, 0.0) && fabs(inc - inc1) <= 1e-13 * scale)
				continue;
			if (bad++ < 5)
				print_error("%s %s: C(%g) = %.17g in a run, %.17g alone\n", m->name,
					    pcases[c].what, t[j], C[j], c1);
		}
	}
	if (bad)
		fail_msg("%d values of C off along a run of days", bad);
}

/* ---- 2. the power law at alpha = 1 and its finite limit ------------------------------ */

static void test_power_continuity(void **state)
{
	const struct ss_model *m = model("powerlaw");
	static const double taus[] = {0.3, 2.0, 30.0};
	const double A = 20000.0;

	(void)state;
	for (size_t g = 0; g < sizeof taus / sizeof taus[0]; g++) {
		double th1[3] = {log(A), log(taus[g]), 1.0};
		double C1[NT], G1[NT * 3];

		m->cum(th1, times, NT, C1, G1);
		for (size_t j = 0; j < NT; j++) {
			double want = A * log1p(times[j] / taus[g]);
			if (!close_to(C1[j], want, 1e-14, 0.0))
				fail_msg("tau=%g alpha=1: C(%g) = %.17g, A log(1 + t/tau) = %.17g",
					 taus[g], times[j], C1[j], want);
		}
		for (int s = -1; s <= 1; s += 2) {
			double th[3] = {log(A), log(taus[g]), 1.0 + s * 1e-9};
			double C[NT], G[NT * 3];

			m->cum(th, times, NT, C, G);
			for (size_t j = 0; j < NT; j++) {
				if (!close_to(C[j], C1[j], 1e-7, 0.0))
					fail_msg("tau=%g: C(%g) at alpha=1%+g is %.17g, at 1 %.17g",
						 taus[g], times[j], s * 1e-9, C[j], C1[j]);
				for (size_t k = 0; k < 3; k++)
					if (!close_to(G[j * 3 + k], G1[j * 3 + k], 1e-7, 1e-300))
						fail_msg("tau=%g: G(%g)[%zu] at alpha=1%+g is "
							 "%.17g, "
							 "at 1 %.17g",
							 taus[g], times[j], k, s * 1e-9,
							 G[j * 3 + k], G1[j * 3 + k]);
			}
		}
	}
}

static void test_power_limit(void **state)
{
	const struct ss_model *m = model("powerlaw");
	static const double taus[] = {0.3, 30.0};
	static const double divergent[] = {0.5, 1.0 - 1e-9, 1.0, 0.98, -0.5};
	const double A = 20000.0, alpha = 1.7, tbig = 1e7;

	(void)state;
	for (size_t g = 0; g < sizeof taus / sizeof taus[0]; g++) {
		double tau = taus[g], th[3] = {log(A), log(tau), alpha};
		double want = A * pow(tau, 1.0 - alpha) / (alpha - 1.0), lim = m->limit(th);
		double C = cum1(m, th, tbig);
		double closed =
			A * (pow(tau, 1.0 - alpha) - pow(tbig + tau, 1.0 - alpha)) / (alpha - 1.0);

		if (!close_to(lim, want, 1e-13, 0.0))
			fail_msg("tau=%g alpha=1.7: limit %.17g, want %.17g", tau, lim, want);
		if (!close_to(C, closed, 1e-12, 0.0))
			fail_msg("tau=%g alpha=1.7: C(1e7) = %.17g, closed form %.17g", tau, C,
				 closed);
		if (!(C < lim && (lim - C) / lim < 1e-3))
			fail_msg("tau=%g alpha=1.7: C(1e7) = %.17g does not approach %.17g", tau, C,
				 lim);
		for (size_t a = 0; a < sizeof divergent / sizeof divergent[0]; a++) {
			double thd[3] = {log(A), log(tau), divergent[a]};
			double l = m->limit(thd);
			if (!(isinf(l) && l > 0))
				fail_msg("tau=%g alpha=%.17g: limit %g, want INFINITY", tau,
					 divergent[a], l);
		}
	}
}

/* ---- 3. limits of the other models ---------------------------------------------------- */

static void test_limits(void **state)
{
	(void)state;
	for (size_t c = 0; c < NPCASES; c++) {
		const struct ss_model *m = model(pcases[c].model);
		const double *v = pcases[c].v;
		double th[SS_MODEL_PMAX], want, C[NT];

		to_fit(m, v, th);
		if (strcmp(m->name, "bass") == 0)
			want = v[0];
		else if (strcmp(m->name, "doubleexp") == 0)
			want = v[0] / v[1] + v[2] / v[3];
		else if (strcmp(m->name, "logistic") == 0)
			want = v[0] / (1.0 + exp(-v[1] * v[2]));
		else if (strcmp(m->name, "expdecay") == 0 || strcmp(m->name, "recent") == 0)
			want = INFINITY;
		else
			continue; /* the power law: above */

		double lim = m->limit(th);
		if (isinf(want)) {
			if (!(isinf(lim) && lim > 0))
				fail_msg("%s %s: limit %g, want INFINITY", m->name, pcases[c].what,
					 lim);
			continue;
		}
		if (!close_to(lim, want, 1e-13, 0.0))
			fail_msg("%s %s: limit %.17g, want %.17g", m->name, pcases[c].what, lim,
				 want);
		double big = cum1(m, th, 1e6);
		if (!close_to(big, lim, 1e-12, 0.0))
			fail_msg("%s %s: C(1e6) = %.17g, limit %.17g", m->name, pcases[c].what, big,
				 lim);
		m->cum(th, times, NT, C, NULL);
		for (size_t j = 0; j < NT; j++)
			if (!(C[j] <= lim * (1.0 + 1e-13)))
				fail_msg("%s %s: C(%g) = %.17g above the limit %.17g", m->name,
					 pcases[c].what, times[j], C[j], lim);
	}
}

/* ---- 4. the table ------------------------------------------------------------------ */

static void test_table(void **state)
{
	size_t yardsticks = 0, populations = 0;

	(void)state;
	assert_true(ss_nmodels >= 1 && ss_nmodels <= SS_MODELS_MAX);
	for (size_t i = 0; i < ss_nmodels; i++) {
		const struct ss_model *m = &ss_models[i];
		size_t idx = 999;

		assert_non_null(m->name);
		assert_non_null(m->label);
		assert_non_null(m->formula);
		if (!(m->np >= 1 && m->np <= SS_MODEL_PMAX))
			fail_msg("%s: np = %zu", m->name, m->np);
		if (m->is_population) {
			/* measured, not fitted: projected through pace.h */
			if (m->cum || m->daily || m->starts || !m->limit)
				fail_msg("%s: the pace model has curve functions", m->name);
			populations++;
		} else if (!m->cum || !m->daily || !m->limit || !m->starts) {
			fail_msg("%s: a NULL function", m->name);
		}
		for (size_t j = 0; j < m->np; j++) {
			assert_non_null(m->param[j].name);
			assert_non_null(m->param[j].unit);
			assert_true(m->param[j].scale == SS_PARAM_LOG ||
				    m->param[j].scale == SS_PARAM_LINEAR);
		}
		for (size_t k = i + 1; k < ss_nmodels; k++)
			if (strcmp(m->name, ss_models[k].name) == 0)
				fail_msg("name '%s' twice (%zu and %zu)", m->name, i, k);
		assert_ptr_equal(ss_model_find(m->name, &idx), m);
		assert_int_equal(idx, i);
		assert_ptr_equal(ss_model_find(m->name, NULL), m);
		yardsticks += m->is_yardstick != 0;
	}
	assert_int_equal(yardsticks, 1);
	assert_int_equal(populations, 1);
	assert_true(model("pace")->is_population);
	assert_non_null(model("recent"));
	assert_true(model("recent")->is_yardstick);
}

static void test_find_unknown(void **state)
{
	static const char *const unknown[] = {"",	   "nosuch", "Expdecay",
					      "expdecay ", "expde",  "recent2"};
	(void)state;
	for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
		size_t idx = 777;
		assert_null(ss_model_find(unknown[i], &idx));
		assert_int_equal(idx, 777); /* untouched */
	}
}

static void test_param_value(void **state)
{
	const struct ss_param_info lg = {.name = "k", .scale = SS_PARAM_LOG, .unit = "1/day"};
	const struct ss_param_info lin = {.name = "t0", .scale = SS_PARAM_LINEAR, .unit = "days"};

	(void)state;
	assert_true(ss_param_value(&lg, 0.0) == 1.0);
	assert_true(close_to(ss_param_value(&lg, log(0.05)), 0.05, 1e-15, 0.0));
	assert_true(close_to(ss_param_value(&lg, -3.0), exp(-3.0), 0.0, 0.0));
	assert_true(ss_param_value(&lin, -3.5) == -3.5);
	assert_true(ss_param_value(&lin, 40.0) == 40.0);
	assert_true(ss_param_value(&lin, 0.0) == 0.0);
	/* the table's own: powerlaw alpha is linear, tau is a log */
	const struct ss_model *m = model("powerlaw");
	assert_true(ss_param_value(&m->param[2], 1.7) == 1.7);
	assert_true(close_to(ss_param_value(&m->param[1], log(30.0)), 30.0, 1e-15, 0.0));
}

/* ---- 5. starting points on hand-built histories ----------------------------------- */

/* A struct ss_fit_data and the buffers it points into, each allocated to size. */
struct history {
	struct ss_fit_data d;
	double *t0, *t1, *y, *logy, *u, *decay, *work;
	uint32_t *i0, *i1;
};

static void *xalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	assert_non_null(p);
	return p;
}

/* Fill every field of h->d from the n intervals (t0, t1] with streams y. */
static void history_init(struct history *h, const double *t0, const double *t1, const double *y,
			 size_t n)
{
	struct ss_fit_data *d = &h->d;
	size_t nu = 0;

	memset(h, 0, sizeof *h);
	h->t0 = xalloc(n, sizeof(double));
	h->t1 = xalloc(n, sizeof(double));
	h->y = xalloc(n, sizeof(double));
	h->logy = xalloc(n, sizeof(double));
	h->i0 = xalloc(n, sizeof(uint32_t));
	h->i1 = xalloc(n, sizeof(uint32_t));
	double *u = xalloc(2 * n, sizeof(double));
	for (size_t i = 0; i < n; i++) {
		assert_true(t0[i] < t1[i] && y[i] > 0);
		assert_true(i == 0 || t0[i] >= t1[i - 1]);
		h->t0[i] = t0[i], h->t1[i] = t1[i], h->y[i] = y[i], h->logy[i] = log(y[i]);
		if (nu == 0 || u[nu - 1] != t0[i])
			u[nu++] = t0[i];
		h->i0[i] = (uint32_t)(nu - 1);
		u[nu++] = t1[i];
		h->i1[i] = (uint32_t)(nu - 1);
	}
	/* exactly nu ends, decay and work: an overrun is a sanitizer error */
	h->u = xalloc(nu, sizeof(double));
	memcpy(h->u, u, nu * sizeof(double));
	free(u);
	h->decay = xalloc(SS_DECAY_GRID * nu, sizeof(double));
	for (size_t g = 0; g < SS_DECAY_GRID; g++)
		for (size_t j = 0; j < nu; j++)
			h->decay[g * nu + j] = exp(-ss_decay_grid[g] * h->u[j]);
	h->work = xalloc(SS_FIT_WORK(nu), sizeof(double));
	for (size_t j = 0; j < SS_FIT_WORK(nu); j++)
		h->work[j] = NAN; /* scratch: starts() must not read it unwritten */

	d->n = n;
	d->t0 = h->t0, d->t1 = h->t1, d->y = h->y, d->logy = h->logy;
	d->nu = nu, d->u = h->u, d->i0 = h->i0, d->i1 = h->i1;
	d->decay = h->decay, d->work = h->work;
	d->rate_first = y[0] / (t1[0] - t0[0]);
	d->t_end = t1[n - 1];
	d->sum = 0.0;
	d->rate_max = 0.0;
	for (size_t i = 0; i < n; i++) {
		double rate = y[i] / (t1[i] - t0[i]);
		d->sum += y[i];
		if (rate > d->rate_max)
			d->rate_max = rate, d->t_rate_max = 0.5 * (t0[i] + t1[i]);
	}
	double ys = 0.0, days = 0.0;
	size_t m = 0;
	while (m < n && days < 7.0) {
		ys += y[n - 1 - m];
		days += t1[n - 1 - m] - t0[n - 1 - m];
		m++;
	}
	d->rate_last = ys / days;
	d->last_days = m;
	d->rate_last_se = NAN;
	if (m >= 2) {
		double ss = 0.0;
		for (size_t j = 0; j < m; j++) {
			size_t i = n - 1 - j;
			double r = y[i] / (t1[i] - t0[i]) - d->rate_last;
			ss += r * r;
		}
		d->rate_last_se = sqrt(ss / (double)(m - 1) / (double)m);
	}
}

/* The exact increments of a model over the intervals (t0, t1]. */
static void history_of(struct history *h, const char *name, const double *v, const double *t0,
		       const double *t1, size_t n)
{
	const struct ss_model *m = model(name);
	double th[SS_MODEL_PMAX], *y = xalloc(n, sizeof(double));

	to_fit(m, v, th);
	for (size_t i = 0; i < n; i++)
		y[i] = cum1(m, th, t1[i]) - cum1(m, th, t0[i]);
	history_init(h, t0, t1, y, n);
	free(y);
}

/* Days (k, k + 1] for k < n. */
static void history_daily(struct history *h, const char *name, const double *v, size_t n)
{
	double *t0 = xalloc(n, sizeof(double)), *t1 = xalloc(n, sizeof(double));

	for (size_t k = 0; k < n; k++)
		t0[k] = (double)k, t1[k] = (double)k + 1.0;
	history_of(h, name, v, t0, t1, n);
	free(t0);
	free(t1);
}

static void history_free(struct history *h)
{
	free(h->t0);
	free(h->t1);
	free(h->y);
	free(h->logy);
	free(h->u);
	free(h->i0);
	free(h->i1);
	free(h->decay);
	free(h->work);
}

/* Every model's starts() on d; returns the model's first start in first. */
static void check_starts(const struct ss_fit_data *d, const char *what, const char *want_model,
			 double first[SS_MODEL_PMAX])
{
	for (size_t i = 0; i < ss_nmodels; i++) {
		const struct ss_model *m = &ss_models[i];
		double th[SS_MODEL_STARTS][SS_MODEL_PMAX];

		if (m->is_population)
			continue;
		for (size_t s = 0; s < SS_MODEL_STARTS; s++)
			for (size_t j = 0; j < SS_MODEL_PMAX; j++)
				th[s][j] = NAN;
		size_t ns = m->starts(d, th);
		if (ns < 1 || ns > SS_MODEL_STARTS)
			fail_msg("%s on %s: %zu starts", m->name, what, ns);
		for (size_t s = 0; s < ns; s++) {
			double C[2];
			double ends[2] = {d->t1[0], d->t_end};

			for (size_t j = 0; j < m->np; j++)
				if (!isfinite(th[s][j]))
					fail_msg("%s on %s: start %zu has %s = %g", m->name, what,
						 s, m->param[j].name, th[s][j]);
			m->cum(th[s], ends, 2, C, NULL);
			if (!(isfinite(C[0]) && isfinite(C[1]) && C[1] > 0))
				fail_msg("%s on %s: start %zu gives C(%g) = %g, C(%g) = %g",
					 m->name, what, s, ends[0], C[0], ends[1], C[1]);
		}
		if (want_model && strcmp(m->name, want_model) == 0)
			memcpy(first, th[0], sizeof th[0]);
	}
}

/* k is the rate of ss_decay_grid nearest (in ratio) to want: the grid search found it. */
static int grid_nearest(double k, double want)
{
	size_t best = 0;

	for (size_t g = 1; g < SS_DECAY_GRID; g++)
		if (fabs(log(ss_decay_grid[g] / want)) < fabs(log(ss_decay_grid[best] / want)))
			best = g;
	if (!close_to(k, ss_decay_grid[best], 1e-12, 0.0)) {
		print_error("start rate %g, want the grid's %g (truth %g)\n", k,
			    ss_decay_grid[best], want);
		return 0;
	}
	return 1;
}

static void test_starts_expdecay(void **state)
{
	static const double v[] = {50000.0, 0.05, 3000.0};
	struct history h;
	double first[SS_MODEL_PMAX];

	(void)state;
	history_daily(&h, "expdecay", v, 120);
	assert_int_equal(h.d.nu, 121);
	check_starts(&h.d, "120 days of expdecay", "expdecay", first);
	assert_true(grid_nearest(exp(first[1]), v[1]));
	for (size_t j = 0; j < 3; j++) {
		double got = exp(first[j]);
		if (!(got > v[j] / 3.0 && got < v[j] * 3.0))
			fail_msg("expdecay first start: %s = %g, true %g",
				 model("expdecay")->param[j].name, got, v[j]);
	}
	history_free(&h);
}

static void test_starts_powerlaw(void **state)
{
	static const double v[][3] = {{20000.0, 2.0, 0.8},
				      {20000.0, 10.0, 1.3},
				      {5000.0, 0.5, 0.6},
				      {80000.0, 30.0, 1.7}};

	(void)state;
	for (size_t c = 0; c < sizeof v / sizeof v[0]; c++) {
		struct history h;
		double first[SS_MODEL_PMAX];
		char what[96];

		snprintf(what, sizeof what, "120 days of powerlaw A=%g tau=%g alpha=%g", v[c][0],
			 v[c][1], v[c][2]);
		history_daily(&h, "powerlaw", v[c], 120);
		check_starts(&h.d, what, "powerlaw", first);
		if (!(fabs(first[2] - v[c][2]) <= 0.3))
			fail_msg("%s: first powerlaw start has alpha %g", what, first[2]);
		history_free(&h);
	}
}

/* The other models' histories: every model's starts() stays finite on them. */
static void test_starts_other_histories(void **state)
{
	static const struct {
		const char *model;
		double v[SS_MODEL_PMAX];
		size_t days;
	} hs[] = {
		{"doubleexp", {40000.0, 0.5, 5000.0, 0.01}, 120},
		{"bass", {5e6, 0.002, 0.15}, 120},
		{"bass", {1e6, 0.03, 0.01}, 60},
		{"logistic", {5e6, 0.15, 40.0}, 120},
		{"recent", {1234.0}, 30},
		{"expdecay", {50000.0, 0.05, 3000.0}, 8},
	};

	(void)state;
	for (size_t c = 0; c < sizeof hs / sizeof hs[0]; c++) {
		struct history h;
		double first[SS_MODEL_PMAX];
		char what[64];

		snprintf(what, sizeof what, "%zu days of %s", hs[c].days, hs[c].model);
		history_daily(&h, hs[c].model, hs[c].v, hs[c].days);
		check_starts(&h.d, what, NULL, first);
		history_free(&h);
	}
}

/* Sparse intervals with gaps: interval ends are not shared, i0/i1 are not i, i + 1. */
static void test_starts_sparse(void **state)
{
	static const double t0[] = {0, 1, 2, 6, 7, 20, 30, 90, 200};
	static const double t1[] = {1, 2, 3, 7, 14, 30, 60, 91, 207};
	static const double v[] = {50000.0, 0.05, 3000.0};
	const size_t n = sizeof t0 / sizeof t0[0];
	struct history h;
	double first[SS_MODEL_PMAX];

	(void)state;
	history_of(&h, "expdecay", v, t0, t1, n);
	assert_int_equal(h.d.nu, 14);
	assert_int_equal(h.d.i0[4], h.d.i1[3]);
	assert_int_equal(h.d.i0[5], h.d.i1[4] + 1);
	check_starts(&h.d, "sparse expdecay", "expdecay", first);
	assert_true(grid_nearest(exp(first[1]), v[1]));
	for (size_t j = 0; j < 3; j++) {
		double got = exp(first[j]);
		if (!(got > v[j] / 3.0 && got < v[j] * 3.0))
			fail_msg("sparse expdecay first start: %s = %g, true %g",
				 model("expdecay")->param[j].name, got, v[j]);
	}
	history_free(&h);
}

/* ---- 6. canonical order, applies() and accept() ------------------------------------ */

static void test_doubleexp_accept(void **state)
{
	const struct ss_model *m = model("doubleexp");
	static const int perm[4] = {2, 3, 0, 1};
	double th[4] = {log(3000.0), log(0.01), log(20000.0), log(0.3)}, orig[4], cov[16], c0[16];
	double Ca[NT], Cb[NT];

	(void)state;
	assert_non_null(m->accept);
	memcpy(orig, th, sizeof th);
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			cov[i * 4 + j] = (i + 1) * (j + 1) + (i == j ? 100.0 * (i + 1) : 0.0);
	memcpy(c0, cov, sizeof cov);
	m->cum(th, times, NT, Ca, NULL);

	assert_null(m->accept(NULL, th, cov));
	for (int i = 0; i < 4; i++)
		if (th[i] != orig[perm[i]])
			fail_msg("th[%d] = %g after the swap, want %g", i, th[i], orig[perm[i]]);
	assert_true(th[1] > th[3]); /* fast first */
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			if (cov[i * 4 + j] != c0[perm[i] * 4 + perm[j]])
				fail_msg("cov[%d][%d] = %g after the swap, want %g", i, j,
					 cov[i * 4 + j], c0[perm[i] * 4 + perm[j]]);
	m->cum(th, times, NT, Cb, NULL);
	for (size_t j = 0; j < NT; j++)
		assert_true(close_to(Cb[j], Ca[j], 1e-15, 0.0));

	/* already in order: nothing moves */
	double th2[4], cov2[16];
	memcpy(th2, th, sizeof th);
	memcpy(cov2, cov, sizeof cov);
	assert_null(m->accept(NULL, th, cov));
	assert_memory_equal(th, th2, sizeof th);
	assert_memory_equal(cov, cov2, sizeof cov);

	/* no covariance */
	memcpy(th, orig, sizeof th);
	assert_null(m->accept(NULL, th, NULL));
	for (int i = 0; i < 4; i++)
		assert_true(th[i] == orig[perm[i]]);
}

static void test_logistic_applies_accept(void **state)
{
	const struct ss_model *m = model("logistic");
	static const double decay[] = {50000.0, 0.05, 3000.0};
	static const double rise[] = {5e6, 0.15, 40.0};
	struct history hd, hr;

	(void)state;
	assert_non_null(m->applies);
	assert_non_null(m->accept);
	history_daily(&hd, "expdecay", decay, 120);
	history_daily(&hr, "logistic", rise, 120);
	assert_true(hd.d.t_rate_max == 0.5);
	assert_true(hr.d.t_rate_max > 35 && hr.d.t_rate_max < 45);

	const char *why = m->applies(&hd.d);
	assert_non_null(why);
	assert_true(strlen(why) > 0);
	assert_null(m->applies(&hr.d));

	static const struct {
		double t0;
		int ok;
	} cases[] = {{40.0, 1},	 {119.0, 1}, {2.0, 1},	 {120.5, 0},
		     {500.0, 0}, {0.5, 0},   {-10.0, 0}, {NAN, 0}};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		double th[3] = {log(rise[0]), log(rise[1]), cases[c].t0};
		why = m->accept(&hr.d, th, NULL);
		if (cases[c].ok ? why != NULL : why == NULL)
			fail_msg("logistic accept(t0 = %g): %s", cases[c].t0,
				 why ? why : "accepted");
	}
	history_free(&hd);
	history_free(&hr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_model_has_cases),
		cmocka_unit_test(test_cum_zero_and_monotone),
		cmocka_unit_test(test_gradient_matches_differences),
		cmocka_unit_test(test_daily_matches_differences),
		cmocka_unit_test(test_cum_accurate_near_zero),
		cmocka_unit_test(test_cum_vectorised),
		cmocka_unit_test(test_cum_daily_run),
		cmocka_unit_test(test_power_continuity),
		cmocka_unit_test(test_power_limit),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_find_unknown),
		cmocka_unit_test(test_param_value),
		cmocka_unit_test(test_starts_expdecay),
		cmocka_unit_test(test_starts_powerlaw),
		cmocka_unit_test(test_starts_other_histories),
		cmocka_unit_test(test_starts_sparse),
		cmocka_unit_test(test_doubleexp_accept),
		cmocka_unit_test(test_logistic_applies_accept),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests_name("models", tests, NULL, NULL);
}
