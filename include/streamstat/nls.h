/*
 * nls.h - the nonlinear least-squares core: GSL's trust-region solver
 * (gsl_multifit_nlinear) behind a small, checked interface.
 *
 * A problem is n residuals r_i(x) in p parameters, given by one callback
 * that fills the residuals and, when asked, the Jacobian.  ss_nls_fit()
 * minimises sum r_i^2 from a starting point and returns the minimum, the
 * residual sum of squares and the parameters' covariance scaled by the
 * residual variance s^2 = RSS / (n - p) (GSL's covariance alone is
 * (J^T J)^-1, which is right only when the residuals have unit variance).
 *
 * The core knows nothing of streams, tracks or models: the unit tests run
 * it on NIST's certified problems directly.
 *
 * Non-finite residuals at a trial point are replaced by a large constant so
 * that the step is rejected and the trust region shrinks, instead of the
 * whole fit failing on one bad trial.  A non-finite residual or Jacobian at
 * the starting point, or a singular Jacobian at the minimum, is a failure
 * with its own status.
 *
 * Ownership: a workspace is an opaque handle owned by its creator, used by
 * one thread at a time; it keeps GSL workspaces between fits of the same
 * shape so that fitting many tracks allocates once.  ss_nls_free() accepts
 * NULL and clears the pointer.  GSL's abort-on-error handler must be off
 * (gsl_set_error_handler_off(), done by main and the tests).
 */
#ifndef STREAMSTAT_NLS_H
#define STREAMSTAT_NLS_H

#include <stddef.h>

#define SS_NLS_PMAX 6 /* most parameters a problem may have */

/*
 * Fill r[0..n) with the residuals at x[0..p) and, when J is not NULL, the
 * Jacobian J[i * p + j] = d r_i / d x_j.  Non-finite values are allowed
 * (see above); return nonzero only for a hard error that should stop the
 * fit.
 */
typedef int (*ss_nls_fn)(const double *x, void *ctx, double *r, double *J);

struct ss_nls_problem {
	size_t n, p;
	ss_nls_fn f;
	void *ctx;
};

enum ss_nls_solver {
	SS_NLS_CHOLESKY, /* normal equations: fastest; fine for well-scaled problems */
	SS_NLS_QR	 /* QR of J: slower, for ill-conditioned problems */
};

struct ss_nls_options {
	size_t max_iter;	   /* iterations before giving up */
	double xtol, gtol;	   /* GSL's step and gradient tests */
	double ftol;		   /* converged when two steps running each cut the
				    * RSS by less than ftol * RSS (0: off) */
	int accel;		   /* geodesic acceleration (Levenberg-Marquardt otherwise) */
	enum ss_nls_solver solver; /* how each step's linear system is solved */
	int gsl_lm;		   /* plain LM with Cholesky through gsl_multifit_nlinear
				    * too, not the equivalent loop of nls.c (slower;
				    * for checking one against the other) */
	/*
	 * Identifiability: the Jacobian at the minimum, each column scaled by
	 * |x_j| when rank_by_value is set (parameters in natural units) or as
	 * it is (parameters already relative, e.g. logarithms), must have a
	 * pivoted-QR diagonal above rcond times its largest; otherwise the
	 * fit is SS_NLS_SINGULAR: the minimum and RSS are kept, and the
	 * covariance of the other parameters, the dependent ones' rows and
	 * columns being zero and their standard errors NaN.
	 */
	double rcond;
	int rank_by_value;
};

/* Defaults fit for growth curves in log parameters: 200 iterations, xtol
 * 1e-8, gtol 1e-10, ftol 1e-6, Levenberg-Marquardt, Cholesky, rcond 1e-10
 * on the Jacobian as it is. */
struct ss_nls_options ss_nls_defaults(void);

enum ss_nls_status {
	SS_NLS_OK = 0,
	SS_NLS_TOO_FEW,	    /* n < p: the problem is underdetermined */
	SS_NLS_BAD_START,   /* residuals or Jacobian not finite at the start */
	SS_NLS_MAX_ITER,    /* no convergence within max_iter */
	SS_NLS_NO_PROGRESS, /* no step reduces the residuals, yet no test is met */
	SS_NLS_DIVERGED,    /* the minimum found has non-finite residuals */
	SS_NLS_SINGULAR,    /* some parameters are not identifiable (see rcond) */
	SS_NLS_ERROR	    /* the callback or GSL reported an error */
};

/* "ok", "max_iter" ...: short words for CSV output. */
const char *ss_nls_status_name(enum ss_nls_status st);
/* A phrase for messages, e.g. "no convergence within the iteration limit". */
const char *ss_nls_status_text(enum ss_nls_status st);

struct ss_nls_result {
	enum ss_nls_status status;
	int gsl_status;			       /* GSL's own code, for messages (0 when none) */
	double x[SS_NLS_PMAX];		       /* the minimum (the start when it failed early) */
	double se[SS_NLS_PMAX];		       /* standard errors: sqrt of cov's diagonal */
	double cov[SS_NLS_PMAX * SS_NLS_PMAX]; /* s^2 (J^T J)^-1, row-major p x p */
	double rss;			       /* residual sum of squares */
	double s2;			       /* RSS / (n - p); NaN when n == p */
	size_t iter;			       /* iterations taken */
	size_t nfev;			       /* residual evaluations */
};

struct ss_nls;

struct ss_nls *ss_nls_new(void);
void ss_nls_free(struct ss_nls **w);

/*
 * Minimise from x0 (p values).  Fills *res in every case; returns
 * res->status.  SS_NLS_OK gives a minimum with its covariance;
 * SS_NLS_SINGULAR a minimum whose covariance is only partly defined.
 */
enum ss_nls_status ss_nls_fit(struct ss_nls *w, const struct ss_nls_problem *pb, const double *x0,
			      const struct ss_nls_options *opt, struct ss_nls_result *res);

#endif
