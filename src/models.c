/*
 * models.c - the growth models: closed forms, gradients, starting points.
 *
 * Each model's C(t) is written so that it stays accurate where the naive
 * formula cancels: (1 - e^-x) / x near x = 0, a power law near exponent 1.
 * Starting points come from the data's summaries (struct ss_fit_data):
 * early and recent rates, the peak, a log-linear slope.  The first start is
 * the data's best guess; the others are spread out for when it fails.
 */
#include "streamstat/models.h"

#include <math.h>
#include <string.h>

/* 1 - e^-x given e = e^-x: from e where that loses under 2 bits, else
 * expm1 (one transcendental per point instead of two on the hot path). */
static double one_minus(double x, double e)
{
	return x > 0.25 ? 1.0 - e : -expm1(-x);
}

/* e^x into *v and (e^x - 1) / x, 1 at 0, with one transcendental call:
 * exp where e^x - 1 loses under 2 bits, else expm1. */
static double e1(double x, double *v)
{
	if (fabs(x) > 0.25) {
		*v = exp(x);
		return (*v - 1.0) / x;
	}
	double em1 = expm1(x);
	*v = 1.0 + em1;
	return fabs(x) < 1e-300 ? 1.0 : em1 / x;
}

/* integral of r e^(x r) over [0, 1] = (x e^x - (e^x - 1)) / x^2 given
 * v = e^x, 1/2 at 0. */
static double e2(double x, double v)
{
	/* sum of x^k / (k! (k + 2)) for k <= 12, by Horner */
	static const double c[13] = {
		1.0 / 2,	1.0 / 3,	 1.0 / 8,	    1.0 / 30,	  1.0 / 144,
		1.0 / 840,	1.0 / 5760,	 1.0 / 45360,	    1.0 / 403200, 1.0 / 3991680,
		1.0 / 43545600, 1.0 / 518918400, 1.0 / 6706022400.0};

	if (fabs(x) < 0.1) {
		double sum = c[12];
		for (int k = 11; k >= 0; k--)
			sum = sum * x + c[k];
		return sum;
	}
	return (x * v - (v - 1.0)) / (x * x);
}

/*
 * e^(-k t) and 1 - e^(-k t) along increasing t.  Interval ends are mostly
 * whole days apart: where a step repeats the one before, both follow from
 * the previous point's (e' = e q, 1 - e' = (1 - e) + e (1 - q) with q =
 * e^(-k h), sums of positive terms that lose nothing), and every
 * DECAY_RUN points one is computed afresh, so that the rounding error
 * stays within some DECAY_RUN ulps: two transcendental calls per
 * DECAY_RUN days instead of one or two per day.
 */
#define DECAY_RUN 32

/* Rates below this are taken as this, so that dividing by them is safe
 * (about 1e-300 / day: no curve can tell it from zero). */
#define MIN_RATE 1e-300

struct decay {
	double k;
	double t, h, e, om; /* the previous point, the step to it, its values */
	double hq, q, omq;  /* the step q and 1 - q are for */
	int run;	    /* points since one computed afresh */
};

static void decay_init(struct decay *dc, double k)
{
	dc->k = k;
	dc->t = dc->h = dc->hq = NAN;
	dc->e = dc->om = dc->q = dc->omq = 0.0;
	dc->run = 0;
}

static inline void decay_next(struct decay *dc, double t, double *e, double *om)
{
	double h = t - dc->t;

	if (h == dc->h && dc->run < DECAY_RUN) {
		if (h != dc->hq) {
			dc->hq = h;
			dc->q = exp(-dc->k * h);
			dc->omq = one_minus(dc->k * h, dc->q);
		}
		*om = dc->om + dc->e * dc->omq;
		*e = dc->e * dc->q;
		dc->run++;
	} else {
		double x = dc->k * t;
		*e = exp(-x);
		*om = one_minus(x, *e);
		dc->run = 0;
	}
	dc->t = t, dc->h = h, dc->e = *e, dc->om = *om;
}

const double ss_decay_grid[SS_DECAY_GRID] = {0.001, 0.002, 0.005, 0.01, 0.02, 0.05,
					     0.1,   0.2,   0.5,	  1.0,	2.0};

/*
 * The amplitudes c >= 0 of one or two cumulative bases (X1, X2: values at
 * the interval ends; X2 may be NULL) that best fit the intervals' streams
 * in relative terms (weights 1 / y^2, close to the log-scale fit).
 * iy[i] = 1 / y[i] (see inverse_y()).  Returns that weighted residual sum
 * of squares, INFINITY when none fits.
 */
static double amplitudes(const struct ss_fit_data *d, const double *iy, const double *X1,
			 const double *X2, double c[2])
{
	double s11 = 0, s12 = 0, s22 = 0, s1y = 0, s2y = 0, syy = (double)d->n;
	double best = INFINITY;

	for (size_t i = 0; i < d->n; i++) {
		double w = iy[i];
		double x1 = (X1[d->i1[i]] - X1[d->i0[i]]) * w;
		double x2 = X2 ? (X2[d->i1[i]] - X2[d->i0[i]]) * w : 0.0;
		s11 += x1 * x1;
		s12 += x1 * x2;
		s22 += x2 * x2;
		s1y += x1;
		s2y += x2;
	}
	c[0] = c[1] = 0.0;
	if (X2) {
		double det = s11 * s22 - s12 * s12;
		if (det > 0) {
			double a = (s22 * s1y - s12 * s2y) / det, b = (s11 * s2y - s12 * s1y) / det;
			if (a > 0 && b > 0) {
				c[0] = a, c[1] = b;
				return syy - a * s1y - b * s2y;
			}
		}
		if (s22 > 0 && s2y > 0) {
			best = syy - s2y * s2y / s22;
			c[1] = s2y / s22;
		}
	}
	if (s11 > 0 && s1y > 0 && syy - s1y * s1y / s11 < best) {
		best = syy - s1y * s1y / s11;
		c[0] = s1y / s11, c[1] = 0.0;
	}
	return best;
}

/* 1 / y[i] into iy[0..n), for amplitudes(). */
static const double *inverse_y(const struct ss_fit_data *d, double *iy)
{
	for (size_t i = 0; i < d->n; i++)
		iy[i] = 1.0 / d->y[i];
	return iy;
}

/* The cumulative exponential basis (1 - e^(-k u)) / k for grid rate g. */
static void exp_basis(const struct ss_fit_data *d, size_t g, double *X)
{
	const double *E = d->decay + g * d->nu;
	double k = ss_decay_grid[g];

	for (size_t j = 0; j < d->nu; j++)
		X[j] = (1.0 - E[j]) / k;
}

/* Least-squares line through (x_i, y_i), i in [from, to): slope, intercept. */
static int line_fit(const double *x, const double *y, size_t from, size_t to, double *slope,
		    double *icept)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, m = (double)(to - from);

	if (to <= from + 1)
		return -1;
	for (size_t i = from; i < to; i++) {
		sx += x[i];
		sy += y[i];
		sxx += x[i] * x[i];
		sxy += x[i] * y[i];
	}
	double den = m * sxx - sx * sx;
	if (!(fabs(den) > 0))
		return -1;
	*slope = (m * sxy - sx * sy) / den;
	*icept = (sy - *slope * sx) / m;
	return 0;
}

static double mid_of(const struct ss_fit_data *d, size_t i)
{
	return 0.5 * (d->t0[i] + d->t1[i]);
}

static double clamp(double v, double lo, double hi)
{
	return !(v >= lo) ? lo : v > hi ? hi : v;
}

/* ---- exponential decay to a baseline: d = b + a e^(-k t) ---- */

/* The decaying part a (1 - e^(-k t)) / k is ak (1 - e^(-k t)), ak = a / k. */
static void expdecay_cum(const double *th, const double *t, size_t m, double *C, double *G)
{
	double a = exp(th[0]), k = fmax(exp(th[1]), MIN_RATE), b = exp(th[2]), ak = a / k;
	struct decay dc;

	decay_init(&dc, k);
	for (size_t j = 0; j < m; j++) {
		double e, om;
		decay_next(&dc, t[j], &e, &om);
		double c = ak * om;
		C[j] = b * t[j] + c;
		if (G) {
			G[j * 3 + 0] = c;
			G[j * 3 + 1] = a * t[j] * e - c;
			G[j * 3 + 2] = b * t[j];
		}
	}
}

static double expdecay_daily(const double *th, double t)
{
	return exp(th[2]) + exp(th[0]) * exp(-exp(th[1]) * t);
}

static double no_limit(const double *th)
{
	(void)th;
	return INFINITY;
}

/* The best rate on the grid with amplitudes solved for, then two spreads. */
static size_t expdecay_starts(const struct ss_fit_data *d, double th[][SS_MODEL_PMAX])
{
	double *X = d->work, c[2], best = INFINITY, a = 0.5 * d->rate_first, k = 0.1;
	const double *iy = inverse_y(d, d->work + d->nu);
	double b = d->rate_last > 0 ? 0.8 * d->rate_last : 0.1 * d->rate_first;

	for (size_t g = 0; g < SS_DECAY_GRID; g++) {
		exp_basis(d, g, X);
		double rss = amplitudes(d, iy, X, d->u, c);
		if (rss < best && c[0] > 0) {
			best = rss;
			a = c[0], k = ss_decay_grid[g];
			b = c[1] > 1e-6 * c[0] ? c[1] : 1e-6 * c[0];
		}
	}
	th[0][0] = log(a), th[0][1] = log(k), th[0][2] = log(b);
	th[1][0] = log(d->rate_first), th[1][1] = log(0.05), th[1][2] = log(0.3 * b);
	th[2][0] = log(2 * d->rate_first), th[2][1] = log(0.5), th[2][2] = log(0.5 * b);
	return 3;
}

/* ---- double exponential: d = A e^(-a t) + B e^(-b t) ---- */

static void dexp_cum(const double *th, const double *t, size_t m, double *C, double *G)
{
	double A = exp(th[0]), a = fmax(exp(th[1]), MIN_RATE), B = exp(th[2]),
	       b = fmax(exp(th[3]), MIN_RATE), Aa = A / a, Bb = B / b;
	struct decay da, db;

	decay_init(&da, a);
	decay_init(&db, b);
	for (size_t j = 0; j < m; j++) {
		double ea, oma, eb, omb;
		decay_next(&da, t[j], &ea, &oma);
		decay_next(&db, t[j], &eb, &omb);
		double ca = Aa * oma, cb = Bb * omb;
		C[j] = ca + cb;
		if (G) {
			G[j * 4 + 0] = ca;
			G[j * 4 + 1] = A * t[j] * ea - ca;
			G[j * 4 + 2] = cb;
			G[j * 4 + 3] = B * t[j] * eb - cb;
		}
	}
}

static double dexp_daily(const double *th, double t)
{
	return exp(th[0]) * exp(-exp(th[1]) * t) + exp(th[2]) * exp(-exp(th[3]) * t);
}

static double dexp_limit(const double *th)
{
	return exp(th[0] - th[1]) + exp(th[2] - th[3]);
}

/* The best pair of grid rates with amplitudes solved for, then spreads. */
static size_t dexp_starts(const struct ss_fit_data *d, double th[][SS_MODEL_PMAX])
{
	double *X = d->work, c[2], best = INFINITY;
	const double *iy = inverse_y(d, d->work + SS_DECAY_GRID * d->nu);
	double A = 0.5 * d->rate_first, a = 0.5, B = d->rate_last, b = 0.002;

	for (size_t g = 0; g < SS_DECAY_GRID; g++)
		exp_basis(d, g, X + g * d->nu);
	for (size_t slow = 0; slow < SS_DECAY_GRID; slow++)
		for (size_t fast = slow + 1; fast < SS_DECAY_GRID; fast++) {
			double rss = amplitudes(d, iy, X + fast * d->nu, X + slow * d->nu, c);
			if (rss < best && c[0] > 0 && c[1] > 0) {
				best = rss;
				A = c[0], a = ss_decay_grid[fast];
				B = c[1], b = ss_decay_grid[slow];
			}
		}
	th[0][0] = log(A), th[0][1] = log(a), th[0][2] = log(B), th[0][3] = log(b);
	th[1][0] = log(d->rate_first), th[1][1] = log(0.5), th[1][2] = log(d->rate_last),
	th[1][3] = log(0.002);
	th[2][0] = log(0.5 * d->rate_first), th[2][1] = log(0.1), th[2][2] = log(d->rate_first),
	th[2][3] = log(0.01);
	return 3;
}

/* Fast component first: swap (A, a) with (B, b) when b > a. */
static const char *dexp_accept(const struct ss_fit_data *d, double *th, double *cov)
{
	(void)d;
	if (th[3] <= th[1])
		return NULL;
	for (int i = 0; i < 2; i++) {
		double tmp = th[i];
		th[i] = th[i + 2];
		th[i + 2] = tmp;
	}
	if (cov) {
		static const int perm[4] = {2, 3, 0, 1};
		double c[16];
		for (int i = 0; i < 4; i++)
			for (int j = 0; j < 4; j++)
				c[i * 4 + j] = cov[perm[i] * 4 + perm[j]];
		memcpy(cov, c, sizeof c);
	}
	return NULL;
}

/* ---- power-law decay: d = A (t + tau)^(-alpha) ----
 *
 * With u = 1 - alpha and L = log(1 + t / tau):
 *   C = A tau^u L E1(u L),             E1(x) = (e^x - 1) / x
 *   dC/dalpha = -A tau^u (log(tau) L E1(u L) + L^2 E2(u L))
 *   dC/dlog(tau) = A tau^u (e^(-alpha L) - 1)
 * which hold at alpha = 1 (a logarithm) and beyond (a finite limit).
 */
static void power_cum(const double *th, const double *t, size_t m, double *C, double *G)
{
	double A = exp(th[SS_PL_A]), ltau = th[SS_PL_TAU], alpha = th[SS_PL_ALPHA], u = 1.0 - alpha;
	double Atu = A * exp(u * ltau), itau = exp(-ltau);

	for (size_t j = 0; j < m; j++) {
		/* v = e^(u L); e^(-alpha L) = v / (1 + t / tau) */
		double r = t[j] * itau, L = log1p(r), x = u * L, v, ex = e1(x, &v);
		double c = Atu * L * ex;
		C[j] = c;
		if (G) {
			double w = alpha * L;
			double *g = G + j * SS_PL_NP;
			g[SS_PL_A] = c;
			g[SS_PL_TAU] = Atu * (w > 0.25 ? v / (1.0 + r) - 1.0 : expm1(-w));
			g[SS_PL_ALPHA] = -Atu * (ltau * L * ex + L * L * e2(x, v));
		}
	}
}

static double power_daily(const double *th, double t)
{
	return exp(th[SS_PL_A]) * pow(t + exp(th[SS_PL_TAU]), -th[SS_PL_ALPHA]);
}

static double power_limit(const double *th)
{
	double alpha = th[SS_PL_ALPHA];

	if (alpha <= 1.0)
		return INFINITY;
	return exp(th[SS_PL_A] + (1.0 - alpha) * th[SS_PL_TAU]) / (alpha - 1.0);
}

/* For each tau on a grid, log rate = log A - alpha log(t + tau) is a line:
 * the tau whose line fits best. */
static size_t power_starts(const struct ss_fit_data *d, double th[][SS_MODEL_PMAX])
{
	static const double taus[] = {0.1, 0.5, 2.0, 8.0, 32.0, 128.0};
	double *x = d->work, *y = d->work + d->n, best = INFINITY;
	double alpha = 1.0, lA = log(d->rate_first), ltau = 0.0;

	for (size_t i = 0; i < d->n; i++)
		y[i] = d->logy[i] - log(d->t1[i] - d->t0[i]);
	for (size_t g = 0; g < sizeof taus / sizeof taus[0]; g++) {
		double slope, icept, rss = 0;
		for (size_t i = 0; i < d->n; i++)
			x[i] = log(mid_of(d, i) + taus[g]);
		if (line_fit(x, y, 0, d->n, &slope, &icept))
			continue;
		for (size_t i = 0; i < d->n; i++) {
			double e = y[i] - icept - slope * x[i];
			rss += e * e;
		}
		if (rss < best) {
			best = rss;
			alpha = clamp(-slope, -1.0, 5.0), lA = clamp(icept, -50, 80),
			ltau = log(taus[g]);
		}
	}
	th[0][SS_PL_A] = lA, th[0][SS_PL_TAU] = ltau, th[0][SS_PL_ALPHA] = alpha;
	th[1][SS_PL_A] = log(d->rate_first) + 0.5 * log(10.0), th[1][SS_PL_TAU] = log(10.0),
	th[1][SS_PL_ALPHA] = 0.5;
	th[2][SS_PL_A] = log(d->rate_first) + 1.5 * log(0.3), th[2][SS_PL_TAU] = log(0.3),
	th[2][SS_PL_ALPHA] = 1.5;
	return 3;
}

/* ---- Bass diffusion: C = m (1 - E) / (1 + (q/p) E), E = e^(-(p+q) t) ---- */

static void bass_cum(const double *th, const double *t, size_t m, double *C, double *G)
{
	double M = exp(th[0]), p = exp(th[1]), q = exp(th[2]), s = p + q, rho = q / p;
	double q_pp = q / (p * p), inv_p = 1.0 / p; /* -drho/dp, drho/dq */
	struct decay dc;

	decay_init(&dc, s);
	for (size_t j = 0; j < m; j++) {
		double E, one_m;
		decay_next(&dc, t[j], &E, &one_m);
		double inv = 1.0 / (1.0 + rho * E), inv2 = inv * inv;
		double F = one_m * inv;
		C[j] = M * F;
		if (G) {
			double dFdE = -(1.0 + rho) * inv2;
			double dFdrho = -one_m * E * inv2;
			double dEds = -t[j] * E;
			G[j * 3 + 0] = M * F;
			G[j * 3 + 1] = M * p * (dFdE * dEds - dFdrho * q_pp);
			G[j * 3 + 2] = M * q * (dFdE * dEds + dFdrho * inv_p);
		}
	}
}

static double bass_daily(const double *th, double t)
{
	double M = exp(th[0]), p = exp(th[1]), q = exp(th[2]), s = p + q;
	double E = exp(-s * t), den = 1.0 + (q / p) * E;

	return M * s * s / p * E / (den * den);
}

static double bass_limit(const double *th)
{
	return exp(th[0]);
}

/* For s = p + q on the grid and a few q/p, the market m is an amplitude. */
static size_t bass_starts(const struct ss_fit_data *d, double th[][SS_MODEL_PMAX])
{
	static const double rhos[] = {0.01, 0.1, 0.5, 2.0, 8.0};
	double *X = d->work, c[2], best = INFINITY;
	const double *iy = inverse_y(d, d->work + d->nu);
	double M = d->sum + 365.0 * d->rate_last, p = clamp(d->rate_first / M, 1e-6, 0.9),
	       q = 0.1 * p;

	for (size_t g = 0; g < SS_DECAY_GRID; g++) {
		const double *E = d->decay + g * d->nu;
		for (size_t r = 0; r < sizeof rhos / sizeof rhos[0]; r++) {
			for (size_t j = 0; j < d->nu; j++)
				X[j] = (1.0 - E[j]) / (1.0 + rhos[r] * E[j]);
			double rss = amplitudes(d, iy, X, NULL, c);
			if (rss < best && c[0] > 0) {
				double sg = ss_decay_grid[g];
				best = rss;
				M = c[0], p = sg / (1.0 + rhos[r]), q = sg - p;
			}
		}
	}
	th[0][0] = log(M), th[0][1] = log(p), th[0][2] = log(q);
	th[1][0] = log(3 * M), th[1][1] = log(p / 3), th[1][2] = log(0.01);
	th[2][0] = log(1.5 * M), th[2][1] = log(p / 1.5), th[2][2] = log(p);
	return 3;
}

/* ---- logistic S-curve: C = K (s(r (t - t0)) - s(-r t0)), s(x) = 1 / (1 + e^-x) ----
 *
 * Its asymptote K is identifiable only once the inflection t0 (the peak
 * of daily streams) is behind the data: accept() refuses a fit whose t0
 * the data do not straddle, or whose data never rise.
 */
static double sigmoid(double x)
{
	return x >= 0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x));
}

/*
 * s(a) - s(b) = s(a) s(-b) (1 - e^(b - a)): with S = s(r (t - t0)),
 * P = s(r t0) and D = 1 - e^(-r t), C = K S P D, which does not cancel
 * at small t as the difference of two sigmoids does.
 */
static void logistic_cum(const double *th, const double *t, size_t m, double *C, double *G)
{
	double K = exp(th[0]), r = exp(th[1]), t0 = th[2];
	double P = sigmoid(r * t0), Pc = sigmoid(-r * t0); /* Pc = 1 - P */

	for (size_t j = 0; j < m; j++) {
		double x = r * (t[j] - t0), S = sigmoid(x), Sc = sigmoid(-x);
		double e = exp(-r * t[j]), D = one_minus(r * t[j], e), c = K * S * P * D;
		C[j] = c;
		if (G) {
			G[j * 3 + 0] = c;
			G[j * 3 + 1] =
				r * c * (Sc * (t[j] - t0) + Pc * t0) + r * K * S * P * t[j] * e;
			G[j * 3 + 2] = r * c * (S - P);
		}
	}
}

static double logistic_daily(const double *th, double t)
{
	double r = exp(th[1]), s = sigmoid(r * (t - th[2]));

	return exp(th[0]) * r * s * (1.0 - s);
}

static double logistic_limit(const double *th)
{
	return exp(th[0]) * sigmoid(exp(th[1]) * th[2]);
}

static size_t logistic_starts(const struct ss_fit_data *d, double th[][SS_MODEL_PMAX])
{
	double t0 = d->t_rate_max > 1.0 ? d->t_rate_max : 0.5 * d->t_end;
	double K = 2.0 * d->sum > 1.0 ? 2.0 * d->sum : 1.0;
	double r = clamp(4.0 * d->rate_max / K, 1e-4, 5.0);

	th[0][0] = log(K), th[0][1] = log(r), th[0][2] = t0;
	th[1][0] = log(1.5 * K), th[1][1] = log(4.0 / (d->t_end + 1.0)), th[1][2] = 0.5 * d->t_end;
	th[2][0] = log(4 * K), th[2][1] = log(0.1), th[2][2] = t0;
	return 3;
}

/* The peak must come after the first interval and the first week, so
 * that a weekly cycle in a decaying track does not pass for a rise. */
static const char *logistic_applies(const struct ss_fit_data *d)
{
	if (d->n == 0 || !(d->t_rate_max > fmax(d->t1[0], 7.0)))
		return "the data do not rise before they fall";
	return NULL;
}

static const char *logistic_accept(const struct ss_fit_data *d, double *th, double *cov)
{
	(void)cov;
	if (d->n == 0 || !(th[2] > d->t1[0]) || !(th[2] < d->t_end))
		return "the inflection lies outside the observed days";
	return NULL;
}

/* ---- the yardstick: recent pace, extended linearly: C = rate t ---- */

static void recent_cum(const double *th, const double *t, size_t m, double *C, double *G)
{
	double rate = exp(th[0]);

	for (size_t j = 0; j < m; j++) {
		C[j] = rate * t[j];
		if (G)
			G[j] = C[j];
	}
}

static double recent_daily(const double *th, double t)
{
	(void)t;
	return exp(th[0]);
}

static size_t recent_starts(const struct ss_fit_data *d, double th[][SS_MODEL_PMAX])
{
	th[0][0] = log(d->rate_last);
	return 1;
}

/*
 * Where parameters stop being useful (fit space, see models.h): a rate
 * under 1e-6 per day (a half-life of 1,900 years) or over 20 per day; an
 * amplitude under 0.001 streams a day; a total over 10^13 streams (more
 * than all streams of all music); a time scale outside 0.001 to 10^6 days.
 */
#define LOG_RATE  -13.8, 3.0
#define LOG_COUNT -6.9, 30.0
#define LOG_TOTAL -6.9, 30.0
#define LOG_DAYS  -6.9, 13.8

const struct ss_model ss_models[] = {
	{
		.name = "expdecay",
		.label = "exponential decay to a baseline",
		.formula = "d = b + a e^(-k t)",
		.np = 3,
		.param = {{"a", SS_PARAM_LOG, "streams/day", LOG_COUNT},
			  {"k", SS_PARAM_LOG, "1/day", LOG_RATE},
			  {"b", SS_PARAM_LOG, "streams/day", LOG_COUNT}},
		.cum = expdecay_cum,
		.daily = expdecay_daily,
		.limit = no_limit,
		.starts = expdecay_starts,
	},
	{
		.name = "doubleexp",
		.label = "double exponential decay",
		.formula = "d = A e^(-a t) + B e^(-b t)",
		.np = 4,
		.param = {{"A", SS_PARAM_LOG, "streams/day", LOG_COUNT},
			  {"a", SS_PARAM_LOG, "1/day", LOG_RATE},
			  {"B", SS_PARAM_LOG, "streams/day", LOG_COUNT},
			  {"b", SS_PARAM_LOG, "1/day", LOG_RATE}},
		.cum = dexp_cum,
		.daily = dexp_daily,
		.limit = dexp_limit,
		.starts = dexp_starts,
		.accept = dexp_accept,
	},
	{
		.name = SS_POWERLAW,
		.label = "power-law decay",
		.formula = "d = A (t + tau)^(-alpha)",
		.np = SS_PL_NP,
		.param = {[SS_PL_A] = {"A", SS_PARAM_LOG, "streams/day"},
			  [SS_PL_TAU] = {"tau", SS_PARAM_LOG, "days", LOG_DAYS},
			  [SS_PL_ALPHA] = {"alpha", SS_PARAM_LINEAR, "", -20.0, 20.0}},
		.cum = power_cum,
		.daily = power_daily,
		.limit = power_limit,
		.starts = power_starts,
	},
	{
		.name = "bass",
		.label = "Bass diffusion",
		.formula = "C = m (1 - e^(-(p+q) t)) / (1 + (q/p) e^(-(p+q) t))",
		.np = 3,
		.param = {{"m", SS_PARAM_LOG, "streams", LOG_TOTAL},
			  {"p", SS_PARAM_LOG, "1/day", LOG_RATE},
			  {"q", SS_PARAM_LOG, "1/day", LOG_RATE}},
		.cum = bass_cum,
		.daily = bass_daily,
		.limit = bass_limit,
		.starts = bass_starts,
	},
	{
		.name = "logistic",
		.label = "logistic S-curve",
		.formula = "C = K (s(r (t - t0)) - s(-r t0)), s(x) = 1 / (1 + e^-x)",
		.np = 3,
		.param = {{"K", SS_PARAM_LOG, "streams", LOG_TOTAL},
			  {"r", SS_PARAM_LOG, "1/day", LOG_RATE},
			  {"t0", SS_PARAM_LINEAR, "days"}},
		.cum = logistic_cum,
		.daily = logistic_daily,
		.limit = logistic_limit,
		.starts = logistic_starts,
		.applies = logistic_applies,
		.accept = logistic_accept,
	},
	{
		.name = "recent",
		.label = "recent pace, extended linearly",
		.formula = "d = mean daily streams of the last 7 days",
		.np = 1,
		.param = {{"rate", SS_PARAM_LOG, "streams/day"}},
		.is_yardstick = 1,
		.cum = recent_cum,
		.daily = recent_daily,
		.limit = no_limit,
		.starts = recent_starts,
	},
	{
		.name = "pace",
		.label = "recent pace, aged as real songs age",
		.formula = "R(h) = h p7 e^L(a, h, trends), learned across tracks",
		.np = 4,
		.param = {{"p7", SS_PARAM_LOG, "streams/day"},
			  {"t7", SS_PARAM_LINEAR, ""},
			  {"t90", SS_PARAM_LINEAR, ""},
			  {"log1p_l", SS_PARAM_LINEAR, ""}},
		.is_population = 1,
		.limit = no_limit,
	},
};

const size_t ss_nmodels = sizeof ss_models / sizeof ss_models[0];

_Static_assert(sizeof ss_models / sizeof ss_models[0] <= SS_MODELS_MAX,
	       "raise SS_MODELS_MAX for the new model");

const struct ss_model *ss_model_find(const char *name, size_t *index)
{
	for (size_t i = 0; i < ss_nmodels; i++)
		if (strcmp(ss_models[i].name, name) == 0) {
			if (index)
				*index = i;
			return &ss_models[i];
		}
	return NULL;
}

double ss_param_value(const struct ss_param_info *info, double th_j)
{
	return info->scale == SS_PARAM_LOG ? exp(th_j) : th_j;
}
