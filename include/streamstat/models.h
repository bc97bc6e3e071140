/*
 * models.h - the table of growth models.
 *
 * t is in days since the track's release: the release day's streams are
 * the interval (0, 1], day k's are (k, k + 1].  Every model gives the
 * cumulative count C(t), with C(0) = 0, and the daily rate d(t) = C'(t).
 * A model is fitted to the streams observed over intervals (see fit.h), so
 * it needs C and its gradient; d is for reports.
 *
 * Parameters are fitted in a transformed space so that GSL, which has no
 * bounds, cannot leave the model's domain: a positive parameter is fitted
 * as its logarithm (SS_PARAM_LOG).  Every function here takes the
 * fit-space vector th; ss_param_value() turns one entry into its natural
 * value.
 *
 * Adding a model is adding an entry to ss_models[] (models.c): the fitter
 * (fit.c) loops over the table and knows no model by name.  The one entry
 * with is_yardstick set is not fitted by least squares: it is the recent
 * pace (mean daily streams over the last 7 days, or the last interval when
 * data are sparse) extended linearly, the yardstick every curve must beat.
 *
 * Ownership: the table is static and constant.
 */
#ifndef STREAMSTAT_MODELS_H
#define STREAMSTAT_MODELS_H

#include <stddef.h>
#include <stdint.h>

#define SS_MODEL_PMAX	4 /* most parameters a model has */
#define SS_MODEL_STARTS 3 /* most starting points a model proposes */
#define SS_MODELS_MAX	7 /* entries in the table (raise it with a new model) */

/*
 * Decay rates (1/day) on which starting points are searched: for each, the
 * fitter tabulates e^(-k u) at the interval ends u once per track, and the
 * exponential models solve for their amplitudes on it.
 */
#define SS_DECAY_GRID 11
extern const double ss_decay_grid[SS_DECAY_GRID];

/* Scratch doubles a model's starts() may use, for nu interval ends. */
#define SS_FIT_WORK(nu) ((SS_DECAY_GRID + 2) * (nu))

enum ss_param_scale {
	SS_PARAM_LINEAR, /* fitted as is */
	SS_PARAM_LOG	 /* positive: fitted as its natural logarithm */
};

struct ss_param_info {
	const char *name;
	enum ss_param_scale scale;
	const char *unit; /* "streams/day", "1/day", "days", "streams", "" */
	/* Fit-space range past which the model degenerates (e.g. a decay rate
	 * run off to zero); the fit stops there (nls.h).  lo == hi: none. */
	double lo, hi;
};

/*
 * The streams observed over disjoint intervals (t0[i], t1[i]], in time
 * order, y[i] > 0, with summaries for starting guesses.  Built by
 * ss_fit_data_build() (fit.h) or by hand in tests.
 */
struct ss_fit_data {
	size_t n;
	const double *t0, *t1, *y, *logy;
	double rate_first;   /* streams per day over the first interval */
	double rate_last;    /* ... over the last 7 days (or the last interval) */
	double rate_last_se; /* standard error of that mean, NaN when sparse */
	size_t last_days;    /* intervals behind rate_last */
	double last_span;    /* the days they cover (7 or more; 0 when none) */
	double rate_max;     /* the largest per-day rate of an interval */
	double t_rate_max;   /* the middle of that interval */
	double t_end;	     /* end of the last interval */
	double sum;	     /* all streams observed */

	/* For starting points: the distinct interval ends u[0..nu), interval
	 * i being (u[i0[i]], u[i1[i]]]; decay[g * nu + j] = e^(-k_g u[j]) for
	 * k_g = ss_decay_grid[g]; and SS_FIT_WORK(nu) doubles of scratch. */
	size_t nu;
	const double *u;
	const uint32_t *i0, *i1;
	const double *decay;
	double *work;
};

struct ss_model {
	const char *name;    /* short, for CSV and options: "expdecay" */
	const char *label;   /* "exponential decay to a baseline" */
	const char *formula; /* "d = b + a e^(-k t)" */
	size_t np;
	struct ss_param_info param[SS_MODEL_PMAX];
	int is_yardstick;  /* not fitted by least squares (see above) */
	int is_population; /* the pace model (pace.h): th holds the track's
			    * features, measured, not fitted; cum is NULL and
			    * projections go through pace.h with the anchor's age */

	/*
	 * C(t[j]) into C[j] for j < m and, when G is not NULL, its gradient
	 * with respect to th into G[j * np ...].  Non-finite results are
	 * allowed where the parameters leave the model's range.  Where the
	 * steps of t repeat (whole days), a model may step from one value to
	 * the next: C[j] may then differ from C(t[j]) computed alone by a few
	 * dozen ulps (the unit tests allow 1e-13 of C).
	 */
	void (*cum)(const double *th, const double *t, size_t m, double *C, double *G);
	double (*daily)(const double *th, double t);
	/* C(infinity): finite for saturating models, else INFINITY. */
	double (*limit)(const double *th);
	/* Up to SS_MODEL_STARTS starting points; returns how many. */
	size_t (*starts)(const struct ss_fit_data *d, double th[][SS_MODEL_PMAX]);
	/* NULL when the data can support the model, else why not; the model
	 * is then not fitted at all.  May be NULL. */
	const char *(*applies)(const struct ss_fit_data *d);
	/*
	 * NULL when a converged fit may be used, else why not (e.g. an
	 * S-curve whose inflection the data do not show).  May put th in a
	 * canonical order (cov, np x np, permuted alike).  May be NULL.
	 */
	const char *(*accept)(const struct ss_fit_data *d, double *th, double *cov);
};

extern const struct ss_model ss_models[];

/*
 * The power law's entry, named for the code that builds its parameters
 * itself (the album pool, pool.h): fit-space th[SS_PL_A] = log A,
 * th[SS_PL_TAU] = log tau, th[SS_PL_ALPHA] = alpha; covariances and
 * gradients are SS_PL_NP wide in that order.
 */
#define SS_POWERLAW "powerlaw"
enum ss_powerlaw_param { SS_PL_A, SS_PL_TAU, SS_PL_ALPHA, SS_PL_NP };

/* A curve fitted by least squares: neither the yardstick nor the pace model. */
static inline int ss_model_is_curve(const struct ss_model *m)
{
	return !m->is_yardstick && !m->is_population;
}
extern const size_t ss_nmodels;

/* The model named name, or NULL; *index set when found and index not NULL. */
const struct ss_model *ss_model_find(const char *name, size_t *index);

/* Natural value of fit-space parameter th_j. */
double ss_param_value(const struct ss_param_info *info, double th_j);

#endif
