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
	gsl_matrix *covar;
	gsl_matrix *Js; /* the Jacobian scaled for the rank test */
	size_t n;
	int accel;
	enum ss_nls_solver solver;
};

struct ss_nls {
	struct shape shapes[SS_NLS_PMAX + 1]; /* one GSL workspace per p */
	const struct ss_nls_problem *pb;
	double *J, *r; /* the callback's Jacobian and residuals at x */
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
	if (s->covar)
		gsl_matrix_free(s->covar);
	if (s->Js)
		gsl_matrix_free(s->Js);
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
	s->covar = gsl_matrix_alloc(p, p);
	s->Js = gsl_matrix_alloc(n, p);
	if (!s->ws || !s->covar || !s->Js)
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
 * The parameters that take part in a dependency of the scaled Jacobian:
 * those with a weight of 0.1 or more in a right singular vector whose
 * singular value is below rcond of the largest.  The pivoted QR drops one
 * column of a tied pair; its partner's standard error would then pretend
 * the dropped one is known.
 */
static unsigned tied_to(struct shape *s, size_t n, size_t p, double rcond)
{
	gsl_matrix *A = gsl_matrix_alloc(n, p), *V = gsl_matrix_alloc(p, p);
	gsl_vector *sv = gsl_vector_alloc(p), *work = gsl_vector_alloc(p);
	unsigned mask = 0;

	if (!A || !V || !sv || !work)
		xalloc_die(0);
	gsl_matrix_const_view Js = gsl_matrix_const_submatrix(s->Js, 0, 0, n, p);
	gsl_matrix_memcpy(A, &Js.matrix);
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
 * s^2 (J^T J)^-1 into res->cov after the rank test (see nls.h).  Returns
 * SS_NLS_OK, or SS_NLS_SINGULAR with the covariance of the identifiable
 * parameters kept and the others' rows zero and standard errors NaN.
 */
static enum ss_nls_status covariance(struct shape *s, size_t n, size_t p,
				     const struct ss_nls_options *opt, struct ss_nls_result *res)
{
	const gsl_matrix *J = gsl_multifit_nlinear_jac(s->ws);
	double d[SS_NLS_PMAX], scale = n > p ? res->s2 : 0.0;
	enum ss_nls_status status = SS_NLS_OK;

	for (size_t j = 0; j < p; j++) {
		d[j] = 1.0;
		if (opt->rank_by_value && res->x[j] != 0.0)
			d[j] = fabs(res->x[j]);
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < p; j++)
			gsl_matrix_set(s->Js, i, j, gsl_matrix_get(J, i, j) * d[j]);
	/* Columns whose pivot falls below rcond come back as zero rows. */
	int st = gsl_multifit_nlinear_covar(s->Js, opt->rcond, s->covar);
	if (st != GSL_SUCCESS) {
		res->gsl_status = st;
		return SS_NLS_SINGULAR;
	}
	for (size_t i = 0; i < p; i++)
		for (size_t j = 0; j < p; j++)
			res->cov[i * p + j] = scale * gsl_matrix_get(s->covar, i, j) * d[i] * d[j];
	unsigned lost = 0;
	for (size_t j = 0; j < p; j++) {
		double c = gsl_matrix_get(s->covar, j, j);
		if (!(c > 0.0) || !isfinite(c))
			lost |= 1u << j;
	}
	if (lost)
		lost |= tied_to(s, n, p, opt->rcond);
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
		w->J = xmalloc(w->cap * sizeof *w->J);
		w->r = xmalloc(w->cap * sizeof *w->r);
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
	res->status = covariance(s, n, p, opt, res);
	return res->status;
}
