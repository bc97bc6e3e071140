/*
 * nls.c - the nonlinear least-squares core over gsl_multifit_nlinear.
 *
 * GSL asks for residuals (f) and the Jacobian (df) in two calls, nearly
 * always at the same point: df follows the f call of an accepted step.  The
 * user callback computes both at once, so f keeps the Jacobian it got and
 * df copies it when the point matches, halving the work per iteration.
 *
 * The iteration loop is ours rather than gsl_multifit_nlinear_driver():
 * the driver ignores an error from the callback and reports a solver that
 * can find no better step as running out of iterations.
 *
 * Plain Levenberg-Marquardt with the Cholesky solver, the default and what
 * every growth curve uses, does not go through GSL at all: lm_run() is
 * GSL's trust-region LM (Nielsen's update of mu, More's scaling D, the
 * normal equations solved by Cholesky, GSL's step and gradient tests)
 * written for a handful of parameters.  GSL spends most of a small fit in
 * BLAS calls on n-vectors (column norms each iteration, J v for the
 * predicted reduction, copies of f and J); here one pass over J per
 * accepted step forms J^T J, J^T f and |f|^2, from which everything else
 * follows in p x p arithmetic, and the trial point's residuals and
 * Jacobian are swapped in rather than copied.  One difference: a system
 * that is not numerically positive definite counts as a rejected step (mu
 * grows), where GSL would stop with an error.  Geodesic acceleration and
 * the QR solver still run on GSL, and so does plain LM when gsl_lm is set:
 * the tests fit the same problems both ways and compare.
 */
#include "streamstat/nls.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_vector.h>

#include "streamstat/xalloc.h"

/* What a non-finite residual becomes: its square summed over many points
 * stays finite, and dwarfs any real residual. */
#define BAD_RESIDUAL 1e50

struct shape {
	gsl_multifit_nlinear_workspace *ws;
	size_t n;
	int accel;
	enum ss_nls_solver solver;
};

struct ss_nls {
	struct shape shapes[SS_NLS_PMAX + 1]; /* one GSL workspace per p */
	const struct ss_nls_problem *pb;
	double *J, *r;	 /* the callback's Jacobian and residuals at x */
	double *Jt, *rt; /* lm_run(): the same at the trial point */
	double *Js;	 /* the Jacobian scaled for the rank test */
	double x[SS_NLS_PMAX];
	int have_J;
	int failed; /* the callback returned an error */
	size_t cap; /* entries of J (and of r) allocated */
	size_t nfev;
};

static const struct {
	const char *name, *text;
} status_names[] = {
	[SS_NLS_OK] = {"ok", "converged"},
	[SS_NLS_TOO_FEW] = {"too_few", "fewer observations than parameters"},
	[SS_NLS_BAD_START] = {"bad_start", "the model is not finite at the starting point"},
	[SS_NLS_MAX_ITER] = {"max_iter", "no convergence within the iteration limit"},
	[SS_NLS_NO_PROGRESS] = {"no_progress", "the solver could not improve the fit"},
	[SS_NLS_DIVERGED] = {"diverged", "the fit ran off to non-finite values"},
	[SS_NLS_SINGULAR] = {"singular", "parameters not identifiable (singular Jacobian)"},
	[SS_NLS_ERROR] = {"error", "the solver reported an error"},
};

const char *ss_nls_status_name(enum ss_nls_status st)
{
	if ((unsigned)st >= sizeof status_names / sizeof status_names[0])
		return "unknown";
	return status_names[st].name;
}

const char *ss_nls_status_text(enum ss_nls_status st)
{
	if ((unsigned)st >= sizeof status_names / sizeof status_names[0])
		return "unknown status";
	return status_names[st].text;
}

struct ss_nls_options ss_nls_defaults(void)
{
	struct ss_nls_options o = {.max_iter = 200,
				   .xtol = 1e-8,
				   .gtol = 1e-10,
				   .ftol = 1e-6,
				   .accel = 0,
				   .solver = SS_NLS_CHOLESKY,
				   .rcond = 1e-10,
				   .rank_by_value = 0};
	return o;
}

struct ss_nls *ss_nls_new(void)
{
	return xcalloc(1, sizeof(struct ss_nls));
}

static void shape_release(struct shape *s)
{
	if (s->ws)
		gsl_multifit_nlinear_free(s->ws);
	memset(s, 0, sizeof *s);
}

void ss_nls_free(struct ss_nls **w)
{
	if (!w || !*w)
		return;
	for (size_t p = 0; p <= SS_NLS_PMAX; p++)
		shape_release(&(*w)->shapes[p]);
	free((*w)->J);
	free((*w)->r);
	free((*w)->Jt);
	free((*w)->rt);
	free((*w)->Js);
	free(*w);
	*w = NULL;
}

/* Evaluate the callback at x into w->r and w->J; remember x. */
static int evaluate(struct ss_nls *w, const gsl_vector *x)
{
	const struct ss_nls_problem *pb = w->pb;

	for (size_t j = 0; j < pb->p; j++)
		w->x[j] = gsl_vector_get(x, j);
	w->have_J = 0;
	w->nfev++;
	if (pb->f(w->x, pb->ctx, w->r, w->J)) {
		w->failed = 1;
		return GSL_EFAILED;
	}
	w->have_J = 1;
	return GSL_SUCCESS;
}

static int same_point(const struct ss_nls *w, const gsl_vector *x)
{
	for (size_t j = 0; j < w->pb->p; j++)
		if (gsl_vector_get(x, j) != w->x[j])
			return 0;
	return 1;
}

static int gsl_f(const gsl_vector *x, void *params, gsl_vector *f)
{
	struct ss_nls *w = params;
	int st = evaluate(w, x);

	if (st)
		return st;
	for (size_t i = 0; i < w->pb->n; i++) {
		double r = w->r[i];
		f->data[i * f->stride] = isfinite(r) ? r : BAD_RESIDUAL;
	}
	return GSL_SUCCESS;
}

static int gsl_df(const gsl_vector *x, void *params, gsl_matrix *J)
{
	struct ss_nls *w = params;
	size_t n = w->pb->n, p = w->pb->p;

	if (!w->have_J || !same_point(w, x)) {
		int st = evaluate(w, x);
		if (st)
			return st;
	}
	for (size_t i = 0; i < n; i++) {
		double *row = J->data + i * J->tda;
		for (size_t j = 0; j < p; j++) {
			double v = w->J[i * p + j];
			row[j] = isfinite(v) ? v : 0.0;
		}
	}
	return GSL_SUCCESS;
}

/* The GSL workspace for this problem's shape, (re)allocated when needed. */
static struct shape *shape_for(struct ss_nls *w, size_t n, size_t p,
			       const struct ss_nls_options *opt)
{
	struct shape *s = &w->shapes[p];

	if (s->ws && s->n == n && s->accel == opt->accel && s->solver == opt->solver)
		return s;
	shape_release(s);

	gsl_multifit_nlinear_parameters par = gsl_multifit_nlinear_default_parameters();
	par.trs = opt->accel ? gsl_multifit_nlinear_trs_lmaccel : gsl_multifit_nlinear_trs_lm;
	par.solver = opt->solver == SS_NLS_QR ? gsl_multifit_nlinear_solver_qr
					      : gsl_multifit_nlinear_solver_cholesky;
	s->ws = gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &par, n, p);
	if (!s->ws)
		xalloc_die(0);
	s->n = n;
	s->accel = opt->accel;
	s->solver = opt->solver;
	return s;
}

static int all_finite(const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return 0;
	return 1;
}

static double sum_squares(const gsl_vector *f)
{
	double rss;

	gsl_blas_ddot(f, f, &rss);
	return rss;
}

/* Iterate to convergence; returns the status (SS_NLS_OK when converged). */
static enum ss_nls_status iterate(struct ss_nls *w, struct shape *s,
				  const struct ss_nls_options *opt, struct ss_nls_result *res)
{
	double rss = sum_squares(gsl_multifit_nlinear_residual(s->ws));
	int small_steps = 0;

	for (size_t it = 0; it < opt->max_iter; it++) {
		int info, st = gsl_multifit_nlinear_iterate(s->ws);

		if (w->failed)
			return SS_NLS_ERROR;
		if (st == GSL_ENOPROG) {
			/* No step helps: fine at a minimum, else a failure. */
			if (gsl_multifit_nlinear_test(opt->xtol, opt->gtol, 0.0, &info, s->ws) ==
			    GSL_SUCCESS)
				return SS_NLS_OK;
			res->gsl_status = st;
			return SS_NLS_NO_PROGRESS;
		}
		if (st != GSL_SUCCESS) {
			res->gsl_status = st;
			return SS_NLS_ERROR;
		}
		if (gsl_multifit_nlinear_test(opt->xtol, opt->gtol, 0.0, &info, s->ws) ==
		    GSL_SUCCESS)
			return SS_NLS_OK;
		double next = sum_squares(gsl_multifit_nlinear_residual(s->ws));
		small_steps = rss - next <= opt->ftol * next ? small_steps + 1 : 0;
		rss = next;
		if (small_steps >= 2)
			return SS_NLS_OK;
	}
	return SS_NLS_MAX_ITER;
}

/*
 * The parameters that take part in a dependency of the scaled Jacobian Js
 * (n x p, row-major): those with a weight of 0.1 or more in a right
 * singular vector whose singular value is below rcond of the largest.  The
 * pivoted QR drops one column of a tied pair; its partner's standard error
 * would then pretend the dropped one is known.
 */
static unsigned tied_to(const double *Js, size_t n, size_t p, double rcond)
{
	gsl_matrix *A = gsl_matrix_alloc(n, p), *V = gsl_matrix_alloc(p, p);
	gsl_vector *sv = gsl_vector_alloc(p), *work = gsl_vector_alloc(p);
	unsigned mask = 0;

	if (!A || !V || !sv || !work)
		xalloc_die(0);
	gsl_matrix_const_view Jv = gsl_matrix_const_view_array(Js, n, p);
	gsl_matrix_memcpy(A, &Jv.matrix);
	if (gsl_linalg_SV_decomp(A, V, sv, work) == GSL_SUCCESS) {
		double top = gsl_vector_get(sv, 0); /* singular values come sorted */
		for (size_t k = 0; k < p; k++) {
			if (gsl_vector_get(sv, k) > rcond * top)
				continue;
			for (size_t j = 0; j < p; j++)
				if (fabs(gsl_matrix_get(V, j, k)) >= 0.1)
					mask |= 1u << j;
		}
	}
	gsl_vector_free(work);
	gsl_vector_free(sv);
	gsl_matrix_free(V);
	gsl_matrix_free(A);
	return mask;
}

/*
 * s^2 (J^T J)^-1 into res->cov after the rank test (see nls.h), J being
 * the Jacobian at the minimum (row i at J + i * tda, no non-finite entry).
 * Returns SS_NLS_OK, or SS_NLS_SINGULAR with the covariance of the
 * identifiable parameters kept and the others' rows zero and standard
 * errors NaN.
 */
static enum ss_nls_status covariance(struct ss_nls *w, const double *J, size_t tda, size_t n,
				     size_t p, const struct ss_nls_options *opt,
				     struct ss_nls_result *res)
{
	double d[SS_NLS_PMAX], cv[SS_NLS_PMAX * SS_NLS_PMAX], scale = n > p ? res->s2 : 0.0;
	enum ss_nls_status status = SS_NLS_OK;
	double *Js = w->Js;

	for (size_t j = 0; j < p; j++) {
		d[j] = 1.0;
		if (opt->rank_by_value && res->x[j] != 0.0)
			d[j] = fabs(res->x[j]);
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < p; j++)
			Js[i * p + j] = J[i * tda + j] * d[j];
	/* Columns whose pivot falls below rcond come back as zero rows. */
	gsl_matrix_view Jv = gsl_matrix_view_array(Js, n, p);
	gsl_matrix_view covar = gsl_matrix_view_array(cv, p, p);
	int st = gsl_multifit_nlinear_covar(&Jv.matrix, opt->rcond, &covar.matrix);
	if (st != GSL_SUCCESS) {
		res->gsl_status = st;
		return SS_NLS_SINGULAR;
	}
	for (size_t i = 0; i < p; i++)
		for (size_t j = 0; j < p; j++)
			res->cov[i * p + j] = scale * cv[i * p + j] * d[i] * d[j];
	unsigned lost = 0;
	for (size_t j = 0; j < p; j++) {
		double c = cv[j * p + j];
		if (!(c > 0.0) || !isfinite(c))
			lost |= 1u << j;
	}
	if (lost)
		lost |= tied_to(Js, n, p, opt->rcond);
	for (size_t j = 0; j < p; j++) {
		if (!(lost & (1u << j))) {
			res->se[j] = sqrt(res->cov[j * p + j]);
			continue;
		}
		for (size_t k = 0; k < p; k++)
			res->cov[j * p + k] = res->cov[k * p + j] = 0.0;
		res->se[j] = NAN;
		status = SS_NLS_SINGULAR;
	}
	return status;
}

/* ---- plain Levenberg-Marquardt, normal equations (see the top) ---- */

/* The state of lm_run() at the current point x. */
struct lm {
	size_t n, p;
	double x[SS_NLS_PMAX];
	double A[SS_NLS_PMAX * SS_NLS_PMAX]; /* J^T J */
	double g[SS_NLS_PMAX];		     /* J^T f */
	double D[SS_NLS_PMAX];		     /* More's scaling */
	double ff;			     /* |f|^2 */
	double mu;			     /* the LM parameter */
	long nu;			     /* its growth factor on rejection */
};

/* |r|^2 after replacing each non-finite residual by BAD_RESIDUAL. */
static double clean_residuals(double *r, size_t n)
{
	double ff = 0.0;

	for (size_t i = 0; i < n; i++) {
		if (!isfinite(r[i]))
			r[i] = BAD_RESIDUAL;
		ff += r[i] * r[i];
	}
	return ff;
}

/* Copy the lower triangle of the sums a (P x P) and g into lm; returns 0
 * when they are finite. */
static int store_sums(struct lm *lm, const double *a, const double *g, size_t P)
{
	int finite = 1;

	for (size_t j = 0; j < P; j++) {
		lm->g[j] = g[j];
		finite &= isfinite(g[j]) && isfinite(a[j * P + j]);
		for (size_t k = 0; k <= j; k++)
			lm->A[j * P + k] = lm->A[k * P + j] = a[j * P + k];
	}
	return finite ? 0 : -1;
}

/* J^T J and J^T f for 3 parameters, the sums in named registers. */
static int normal_eq3(struct lm *lm, const double *J, const double *f)
{
	double a00 = 0, a10 = 0, a11 = 0, a20 = 0, a21 = 0, a22 = 0, g0 = 0, g1 = 0, g2 = 0;

	for (size_t i = 0; i < lm->n; i++) {
		const double *row = J + i * 3;
		double j0 = row[0], j1 = row[1], j2 = row[2], fi = f[i];
		g0 += j0 * fi, g1 += j1 * fi, g2 += j2 * fi;
		a00 += j0 * j0, a10 += j1 * j0, a11 += j1 * j1;
		a20 += j2 * j0, a21 += j2 * j1, a22 += j2 * j2;
	}
	const double a[9] = {a00, 0, 0, a10, a11, 0, a20, a21, a22}, g[3] = {g0, g1, g2};
	return store_sums(lm, a, g, 3);
}

/* The same for 4 parameters. */
static int normal_eq4(struct lm *lm, const double *J, const double *f)
{
	double a00 = 0, a10 = 0, a11 = 0, a20 = 0, a21 = 0, a22 = 0, a30 = 0, a31 = 0, a32 = 0,
	       a33 = 0, g0 = 0, g1 = 0, g2 = 0, g3 = 0;

	for (size_t i = 0; i < lm->n; i++) {
		const double *row = J + i * 4;
		double j0 = row[0], j1 = row[1], j2 = row[2], j3 = row[3], fi = f[i];
		g0 += j0 * fi, g1 += j1 * fi, g2 += j2 * fi, g3 += j3 * fi;
		a00 += j0 * j0, a10 += j1 * j0, a11 += j1 * j1;
		a20 += j2 * j0, a21 += j2 * j1, a22 += j2 * j2;
		a30 += j3 * j0, a31 += j3 * j1, a32 += j3 * j2, a33 += j3 * j3;
	}
	const double a[16] = {a00, 0, 0, 0, a10, a11, 0, 0, a20, a21, a22, 0, a30, a31, a32, a33},
		     g[4] = {g0, g1, g2, g3};
	return store_sums(lm, a, g, 4);
}

/* Any p. */
static int normal_eq_any(struct lm *lm, const double *J, const double *f)
{
	size_t P = lm->p;
	double a[SS_NLS_PMAX * SS_NLS_PMAX] = {0}, g[SS_NLS_PMAX] = {0};

	for (size_t i = 0; i < lm->n; i++) {
		const double *row = J + i * P;
		for (size_t j = 0; j < P; j++) {
			g[j] += row[j] * f[i];
			for (size_t k = 0; k <= j; k++)
				a[j * P + k] += row[j] * row[k];
		}
	}
	return store_sums(lm, a, g, P);
}

/*
 * J^T J into lm->A and J^T f into lm->g in one pass over J, with the
 * non-finite entries of J replaced by zero, as GSL's df callback does: J
 * is cleaned and the sums redone only when they come out non-finite.
 */
static void normal_eq(struct lm *lm, double *J, const double *f)
{
	for (int pass = 0; pass < 2; pass++) {
		int st = lm->p == 3   ? normal_eq3(lm, J, f)
			 : lm->p == 4 ? normal_eq4(lm, J, f)
				      : normal_eq_any(lm, J, f);
		if (st == 0)
			return;
		for (size_t i = 0; i < lm->n * lm->p; i++)
			if (!isfinite(J[i]))
				J[i] = 0.0;
	}
}

/* More's scaling: D_j the largest norm column j of J has had (1 for a zero
 * column), from its square on the diagonal of J^T J. */
static void update_scaling(struct lm *lm)
{
	for (size_t j = 0; j < lm->p; j++) {
		double c = sqrt(lm->A[j * lm->p + j]);
		if (c == 0.0)
			c = 1.0;
		if (c > lm->D[j])
			lm->D[j] = c;
	}
}

/*
 * The LM step: (J^T J + mu D^2) v = -g, by Cholesky of the matrix scaled
 * to a unit diagonal.  Returns -1 when the matrix is not numerically
 * positive definite.
 */
static int lm_step(const struct lm *lm, double *v)
{
	size_t p = lm->p;
	double L[SS_NLS_PMAX * SS_NLS_PMAX], s[SS_NLS_PMAX], b[SS_NLS_PMAX];

	for (size_t j = 0; j < p; j++) {
		double a = lm->A[j * p + j] + lm->mu * lm->D[j] * lm->D[j];
		if (!(a > 0.0) || !isfinite(a))
			return -1;
		s[j] = 1.0 / sqrt(a);
	}
	for (size_t i = 0; i < p; i++) {
		for (size_t j = 0; j < i; j++)
			L[i * p + j] = lm->A[i * p + j] * s[i] * s[j];
		L[i * p + i] = 1.0;
	}
	for (size_t j = 0; j < p; j++) {
		double d = L[j * p + j];
		for (size_t k = 0; k < j; k++)
			d -= L[j * p + k] * L[j * p + k];
		if (!(d > 0.0))
			return -1;
		d = sqrt(d);
		L[j * p + j] = d;
		for (size_t i = j + 1; i < p; i++) {
			double e = L[i * p + j];
			for (size_t k = 0; k < j; k++)
				e -= L[i * p + k] * L[j * p + k];
			L[i * p + j] = e / d;
		}
	}
	for (size_t i = 0; i < p; i++) {
		double e = -lm->g[i] * s[i];
		for (size_t k = 0; k < i; k++)
			e -= L[i * p + k] * b[k];
		b[i] = e / L[i * p + i];
	}
	for (size_t i = p; i-- > 0;) {
		double e = b[i];
		for (size_t k = i + 1; k < p; k++)
			e -= L[k * p + i] * b[k];
		b[i] = e / L[i * p + i];
	}
	for (size_t i = 0; i < p; i++)
		v[i] = b[i] * s[i];
	return 0;
}

/* Actual over predicted reduction of |f|^2 for step v (More 1978, 4.4),
 * -1 when |f| does not go down; ||J v||^2 comes from J^T J. */
static double lm_rho(const struct lm *lm, const double *v, double ff_trial)
{
	size_t p = lm->p;
	double jv = 0.0, dv = 0.0;

	if (!(ff_trial < lm->ff))
		return -1.0;
	for (size_t i = 0; i < p; i++) {
		double row = 0.0;
		for (size_t k = 0; k < p; k++)
			row += lm->A[i * p + k] * v[k];
		jv += v[i] * row;
		dv += lm->D[i] * v[i] * lm->D[i] * v[i];
	}
	double pred = (jv + 2.0 * lm->mu * dv) / lm->ff;
	return pred > 0.0 ? (1.0 - ff_trial / lm->ff) / pred : -1.0;
}

/* GSL's tests (gsl_multifit_nlinear_test): |dx_i| < xtol (|x_i| + xtol)
 * for all i, or max_i |g_i| max(x_i, 1) <= gtol max(|f|^2 / 2, 1). */
static int lm_converged(const struct lm *lm, const double *dx, const struct ss_nls_options *opt)
{
	size_t j;
	double gnorm = 0.0;

	for (j = 0; j < lm->p; j++)
		if (!(fabs(dx[j]) < opt->xtol * opt->xtol + opt->xtol * fabs(lm->x[j])))
			break;
	if (j == lm->p)
		return 1;
	for (j = 0; j < lm->p; j++) {
		double t = fabs((lm->x[j] > 1.0 ? lm->x[j] : 1.0) * lm->g[j]);
		if (t > gnorm)
			gnorm = t;
	}
	return gnorm <= opt->gtol * fmax(0.5 * lm->ff, 1.0);
}

/*
 * Minimise from the point in w->x, whose residuals and Jacobian are in
 * w->r and w->J (all finite).  Leaves the minimum in lm->x, its residuals
 * and Jacobian in w->r and w->J; returns the status.
 */
static enum ss_nls_status lm_run(struct ss_nls *w, struct lm *lm, const struct ss_nls_options *opt,
				 struct ss_nls_result *res)
{
	size_t n = lm->n, p = lm->p;
	double dx[SS_NLS_PMAX] = {0}, xt[SS_NLS_PMAX] = {0}, top = 0.0;
	int small_steps = 0;

	memcpy(lm->x, w->x, p * sizeof *lm->x);
	lm->ff = clean_residuals(w->r, n);
	normal_eq(lm, w->J, w->r);
	for (size_t j = 0; j < p; j++)
		lm->D[j] = 0.0;
	update_scaling(lm);
	/* Nielsen: mu = 1e-3 max_j |column j of J D^-1|^2 */
	for (size_t j = 0; j < p; j++) {
		double c = sqrt(lm->A[j * p + j]) / lm->D[j];
		if (c > top)
			top = c;
	}
	lm->mu = 1e-3 * top * top;
	lm->nu = 2;

	for (size_t it = 0; it < opt->max_iter; it++) {
		int bad_steps = 0;
		double rho = -1.0, ff_trial = 0.0;

		res->iter = it + 1;
		for (;;) {
			if (lm_step(lm, dx) == 0) {
				for (size_t j = 0; j < p; j++)
					xt[j] = lm->x[j] + dx[j];
				memcpy(w->x, xt, p * sizeof *xt);
				w->nfev++;
				if (w->pb->f(xt, w->pb->ctx, w->rt, w->Jt))
					return SS_NLS_ERROR;
				ff_trial = clean_residuals(w->rt, n);
				rho = lm_rho(lm, dx, ff_trial);
			} else {
				rho = -1.0;
				for (size_t j = 0; j < p; j++)
					dx[j] = 0.0;
			}
			if (rho > 0.0)
				break;
			/* rejected: raise mu (Nielsen) */
			lm->mu *= (double)lm->nu;
			lm->nu <<= 1;
			if (++bad_steps > 15) {
				/* No step helps: fine at a minimum, else a failure. */
				if (lm_converged(lm, dx, opt))
					return SS_NLS_OK;
				res->gsl_status = GSL_ENOPROG;
				return SS_NLS_NO_PROGRESS;
			}
		}
		/* accepted: the trial point becomes the current one */
		double *tmp = w->r;
		w->r = w->rt, w->rt = tmp;
		tmp = w->J;
		w->J = w->Jt, w->Jt = tmp;
		memcpy(lm->x, xt, p * sizeof *xt);
		double ff_prev = lm->ff;
		lm->ff = ff_trial;
		normal_eq(lm, w->J, w->r);
		update_scaling(lm);
		double b = 2.0 * rho - 1.0;
		b = 1.0 - b * b * b;
		lm->mu *= b > 1.0 / 3.0 ? b : 1.0 / 3.0;
		lm->nu = 2;

		if (lm_converged(lm, dx, opt))
			return SS_NLS_OK;
		small_steps = ff_prev - lm->ff <= opt->ftol * lm->ff ? small_steps + 1 : 0;
		if (small_steps >= 2)
			return SS_NLS_OK;
	}
	return SS_NLS_MAX_ITER;
}

enum ss_nls_status ss_nls_fit(struct ss_nls *w, const struct ss_nls_problem *pb, const double *x0,
			      const struct ss_nls_options *opt, struct ss_nls_result *res)
{
	size_t n = pb->n, p = pb->p;

	memset(res, 0, sizeof *res);
	res->rss = NAN;
	res->s2 = NAN;
	for (size_t j = 0; j < SS_NLS_PMAX; j++) {
		res->x[j] = j < p ? x0[j] : 0.0;
		res->se[j] = NAN;
	}
	if (p == 0 || p > SS_NLS_PMAX || n < p) {
		res->status = SS_NLS_TOO_FEW;
		return res->status;
	}

	if (w->cap < n * p || w->cap < n) {
		w->cap = n * p;
		free(w->J);
		free(w->r);
		free(w->Jt);
		free(w->rt);
		free(w->Js);
		w->J = xmalloc(w->cap * sizeof *w->J);
		w->r = xmalloc(w->cap * sizeof *w->r);
		w->Jt = xmalloc(w->cap * sizeof *w->Jt);
		w->rt = xmalloc(w->cap * sizeof *w->rt);
		w->Js = xmalloc(w->cap * sizeof *w->Js);
	}
	w->pb = pb;
	w->have_J = 0;
	w->failed = 0;
	w->nfev = 0;

	/* A start where the model is not finite would only be walked away
	 * from by luck: refuse it so the caller tries another. */
	gsl_vector_const_view xv0 = gsl_vector_const_view_array(x0, p);
	if (evaluate(w, &xv0.vector) || !all_finite(w->r, n) || !all_finite(w->J, n * p)) {
		res->status = w->failed ? SS_NLS_ERROR : SS_NLS_BAD_START;
		res->nfev = w->nfev;
		return res->status;
	}

	if (!opt->accel && opt->solver == SS_NLS_CHOLESKY && !opt->gsl_lm) {
		struct lm lm = {.n = n, .p = p};
		res->status = lm_run(w, &lm, opt, res);
		res->nfev = w->nfev;
		memcpy(res->x, lm.x, p * sizeof *lm.x);
		res->rss = lm.ff;
		res->s2 = n > p ? res->rss / (double)(n - p) : NAN;
		if (res->status != SS_NLS_OK)
			return res->status;
		if (!isfinite(res->rss) || res->rss >= BAD_RESIDUAL) {
			res->status = SS_NLS_DIVERGED;
			return res->status;
		}
		res->status = covariance(w, w->J, p, n, p, opt, res);
		return res->status;
	}

	struct shape *s = shape_for(w, n, p, opt);
	gsl_multifit_nlinear_fdf fdf = {
		.f = gsl_f, .df = gsl_df, .fvv = NULL, .n = n, .p = p, .params = w};
	int st = gsl_multifit_nlinear_init(&xv0.vector, &fdf, s->ws);
	if (st != GSL_SUCCESS) {
		res->gsl_status = st;
		res->status = SS_NLS_ERROR;
		res->nfev = w->nfev;
		return res->status;
	}
	res->status = iterate(w, s, opt, res);
	res->iter = gsl_multifit_nlinear_niter(s->ws);
	res->nfev = w->nfev;

	const gsl_vector *x = gsl_multifit_nlinear_position(s->ws);
	for (size_t j = 0; j < p; j++)
		res->x[j] = gsl_vector_get(x, j);
	res->rss = sum_squares(gsl_multifit_nlinear_residual(s->ws));
	res->s2 = n > p ? res->rss / (double)(n - p) : NAN;
	if (res->status != SS_NLS_OK)
		return res->status;
	if (!isfinite(res->rss) || res->rss >= BAD_RESIDUAL) {
		res->status = SS_NLS_DIVERGED;
		return res->status;
	}
	const gsl_matrix *J = gsl_multifit_nlinear_jac(s->ws);
	res->status = covariance(w, J->data, J->tda, n, p, opt, res);
	return res->status;
}
