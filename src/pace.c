/*
 * pace.c - the population pace model: features of a track at its anchor,
 * the streams to come by horizon, and the horizon of a milestone.
 *
 * Nothing here fits: the coefficients are a calibration (pace.h), and a
 * track's part is measured directly on its intervals.
 */
#include "streamstat/pace.h"

#include <math.h>

#include <gsl/gsl_cdf.h>

/* Streams and covered days of the intervals within (ta - w, ta]. */
static double window_rate(const struct ss_fit_data *d, double ta, double w)
{
	double ys = 0, days = 0, from = ta - w;

	for (size_t i = d->n; i-- > 0;) {
		double t0 = d->t0[i], t1 = d->t1[i], len = t1 - t0;
		if (t1 <= from)
			break;
		if (t0 >= ta || !(len > 0))
			continue;
		double a = t0 > from ? t0 : from, b = t1 < ta ? t1 : ta;
		if (b > a) {
			ys += d->y[i] * (b - a) / len;
			days += b - a;
		}
	}
	return days > 0 ? ys / days : NAN;
}

int ss_pace_features(const struct ss_fit_data *d, double ta, struct ss_pace_track *pt)
{
	size_t last = d->n;

	while (last > 0 && d->t1[last - 1] > ta)
		last--;
	if (last == 0 || !(ta >= 1))
		return -1;
	/* windows end with the last interval (a correction as the last total
	 * anchors later, with no streams of its own) and are clipped at the
	 * release (t = 0) by the data themselves: no interval starts before it */
	double e = d->t1[last - 1];
	double p7 = window_rate(d, e, 7), p28 = window_rate(d, e, 28), p90 = window_rate(d, e, 91);
	if (!(p7 > 0) || !(p28 > 0) || !(p90 > 0))
		return -1;
	double l = d->t1[last - 1] - d->t0[last - 1];
	pt->age = ta;
	pt->p7 = p7;
	pt->t7 = log(p7 / p28);
	pt->t90 = log(p28 / p90);
	pt->lag = log1p(l) / sqrt(ta);
	return 0;
}

void ss_pace_to_th(const struct ss_pace_track *pt, double *th)
{
	th[0] = log(pt->p7);
	th[1] = pt->t7;
	th[2] = pt->t90;
	th[3] = pt->lag * sqrt(pt->age); /* log(1 + l): the age comes back at use */
}

void ss_pace_from_th(const double *th, double age, struct ss_pace_track *pt)
{
	pt->age = age;
	pt->p7 = exp(th[0]);
	pt->t7 = th[1];
	pt->t90 = th[2];
	pt->lag = th[3] / sqrt(age);
}

/* g(a, h): log of the mean of ((a + s) / a)^-beta over s = 1..h, by the
 * integral over (0, h] of the same (the sum differs by under a day's
 * share); h may be fractional. */
static double age_decay(double a, double h, double beta)
{
	if (!(h > 0))
		return 0;
	double x = h / a;
	if (fabs(1.0 - beta) < 1e-9)
		return log(log1p(x) / x);
	/* ((1 + x)^(1 - beta) - 1) / ((1 - beta) x) */
	double e = 1.0 - beta, v = expm1(e * log1p(x)) / (e * x);
	return log(v);
}

/* Normal score of p. */
static double zscore(double p)
{
	return gsl_cdf_ugaussian_Pinv(p);
}

/* The median L at grid point k, and the error quantile j there. */
static double med_at(const struct ss_pace_cal *cal, const struct ss_pace_track *pt, size_t k)
{
	const double *b = cal->med[k];
	return b[0] * age_decay(pt->age, cal->h[k], cal->beta) + b[1] * pt->t7 + b[2] * pt->t90 +
	       b[3] * pt->lag;
}

static double err_at(const struct ss_pace_cal *cal, const struct ss_pace_track *pt, size_t k,
		     size_t j)
{
	const double *c = cal->q[k][j];
	return c[0] + c[1] / sqrt(pt->age) + c[2] * (pt->lag * sqrt(pt->age));
}

/* The error quantile p at grid point k: a stored level, or interpolated
 * between two in normal scores (extrapolated past the outer ones). */
static double err_p(const struct ss_pace_cal *cal, const struct ss_pace_track *pt, size_t k,
		    double p)
{
	if (p == 0.5)
		return 0.0;
	/* the levels with the median (error 0) between 25% and 75% */
	double lv[SS_PACE_NQ + 1] = {0}, e[SS_PACE_NQ + 1] = {0};
	size_t n = 0;
	for (size_t j = 0; j < SS_PACE_NQ; j++) {
		if (n > 0 && lv[n - 1] < 0.5 && cal->level[j] > 0.5) {
			lv[n] = 0.5, e[n] = 0.0, n++;
		}
		lv[n] = cal->level[j], e[n] = err_at(cal, pt, k, j), n++;
	}
	for (size_t j = 1; j < n; j++)
		if (e[j] < e[j - 1])
			e[j] = e[j - 1]; /* quantiles never cross */
	size_t j = 1;
	while (j + 1 < n && lv[j] < p)
		j++;
	double z0 = zscore(lv[j - 1]), z1 = zscore(lv[j]), z = zscore(p);
	return e[j - 1] + (z - z0) / (z1 - z0) * (e[j] - e[j - 1]);
}

/* L at every grid point for quantile p, kept such that h e^L(h) grows. */
static void grid_L(const struct ss_pace_cal *cal, const struct ss_pace_track *pt, double p,
		   double *L)
{
	for (size_t k = 0; k < SS_PACE_NH; k++) {
		L[k] = med_at(cal, pt, k) + err_p(cal, pt, k, p);
		if (k > 0) {
			/* the streams to come may not shrink with the horizon (nor
			 * stand still: a thousandth of its log step) */
			double floor = L[k - 1] - 0.999 * (log(cal->h[k]) - log(cal->h[k - 1]));
			if (L[k] < floor)
				L[k] = floor;
		}
	}
}

/* R(h) from the grid's L (and the median's, med, past the grid). */
static double from_grid(const struct ss_pace_cal *cal, const struct ss_pace_track *pt,
			const double *L, const double *med, double h)
{
	const size_t last = SS_PACE_NH - 1;
	double lh = log(h);

	if (h <= cal->h[0])
		return h * pt->p7 * exp(L[0]);
	if (h <= cal->h[last]) {
		size_t k = 1;
		while (cal->h[k] < h)
			k++;
		double l0 = log(cal->h[k - 1]), l1 = log(cal->h[k]);
		double f = (lh - l0) / (l1 - l0);
		return h * pt->p7 * exp(L[k - 1] + f * (L[k] - L[k - 1]));
	}
	/*
	 * Past the grid: the daily pace at its end goes on falling as a power
	 * law in age with the grid's last exponent (held below 1, so that no
	 * finite total is claimed from a year of evidence).  The streams past
	 * H keep the quantile's error at H, widened by half per e-fold of the
	 * horizon; a lower quantile's widening is held to what the streams'
	 * growth allows, so that every quantile still rises.
	 */
	double H = cal->h[last], a = pt->age;
	double beta = cal->beta * cal->med[last][0];
	beta = beta < 0 ? 0 : beta > 0.95 ? 0.95 : beta;
	/* the pace at the end of the grid, from the median's last slope */
	double Hp = cal->h[last - 1];
	double dH = (H * exp(med[last]) - Hp * exp(med[last - 1])) * pt->p7 / (H - Hp);
	/* streams from H to h at dH ((a + s) / (a + H))^-beta */
	double A = a + H, e = 1.0 - beta;
	double more = dH * A * expm1(e * log1p((h - H) / A)) / e;
	double err = L[last] - med[last], k = 0.5;
	if (err < 0 && -err * k > 0.5 * e)
		k = 0.5 * e / -err;
	return H * pt->p7 * exp(L[last]) + more * exp(err * (1.0 + k * log(h / H)));
}

/*
 * The grids of one (track, quantile), kept: a projection asks the same
 * track for R(h) many times over (each step of a root search, each day of
 * an album's sum), and a grid costs some sixty logarithms and normal
 * scores.  A small per-thread memo of the latest ones, matched on the
 * features and the quantile; only a cache, so that a miss just computes
 * again.  Only the shipped calibration is memoised: it is const, while
 * another one (a test's) may change under the same address.
 */
#define MEMO 64

struct grid_memo {
	const struct ss_pace_cal *cal;
	struct ss_pace_track pt;
	double p;
	double L[SS_PACE_NH], med[SS_PACE_NH];
};

static _Thread_local struct grid_memo memo[MEMO];

static int same_track(const struct ss_pace_track *a, const struct ss_pace_track *b)
{
	return a->age == b->age && a->p7 == b->p7 && a->t7 == b->t7 && a->t90 == b->t90 &&
	       a->lag == b->lag;
}
static _Thread_local unsigned memo_n, memo_next;

/* The grids of (pt, p) under cal; in *scratch when cal is not the shipped
 * calibration. */
static const struct grid_memo *grids(const struct ss_pace_cal *cal, const struct ss_pace_track *pt,
				     double p, struct grid_memo *scratch)
{
	struct grid_memo *m = scratch;

	if (cal == &ss_pace_shipped) {
		for (unsigned i = 0; i < memo_n; i++) {
			m = &memo[(memo_next + MEMO - 1 - i) % MEMO]; /* the newest first */
			if (m->p == p && same_track(&m->pt, pt))
				return m;
		}
		m = &memo[memo_next];
		memo_next = (memo_next + 1) % MEMO;
		memo_n += memo_n < MEMO;
	}
	m->cal = cal;
	m->pt = *pt;
	m->p = p;
	grid_L(cal, pt, p, m->L);
	grid_L(cal, pt, 0.5, m->med);
	return m;
}

double ss_pace_remaining(const struct ss_pace_cal *cal, const struct ss_pace_track *pt, double h,
			 double p)
{
	struct grid_memo scratch;

	if (!(h > 0))
		return 0;
	const struct grid_memo *g = grids(cal, pt, p, &scratch);
	return from_grid(cal, pt, g->L, g->med, h);
}

double ss_pace_solve(const struct ss_pace_cal *cal, const struct ss_pace_track *pt, double need,
		     double p, double max_h)
{
	struct grid_memo scratch;
	const struct grid_memo *g = grids(cal, pt, p, &scratch);
	const double *L = g->L, *med = g->med;

	if (from_grid(cal, pt, L, med, max_h) < need)
		return NAN;
	double lo = 0, hi = 1;
	while (hi < max_h && from_grid(cal, pt, L, med, hi) < need)
		lo = hi, hi = hi * 2 < max_h ? hi * 2 : max_h;
	/* R grows with h: bisect to a hundredth of a day */
	while (hi - lo > 0.01) {
		double mid = 0.5 * (lo + hi);
		if (from_grid(cal, pt, L, med, mid) < need)
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}
