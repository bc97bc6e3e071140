/*
 * fit.h - fit every model of the table (models.h) to every track.
 *
 * What is fitted: a track's series (series.h) becomes the streams observed
 * over disjoint intervals of days since its release (struct ss_fit_data):
 * a daily count is the interval (k, k + 1]; between two totals, the
 * interval between them; the first total of a track whose release date is
 * known (not inferred) counts from the release.  A curve is fitted to the
 * logarithms of those increments, C(t1) - C(t0) against y: multiplicative
 * noise, and a first day many times the rest weighs no more than any other.
 * Dense and sparse histories are fitted the same way.
 *
 * Rules, each visible in the result:
 *  - a total that did not move is a counter that was not updated: its
 *    interval is merged into the next one;
 *  - a correction (a total below an earlier one) restarts the chain there;
 *  - a lower-bound total ("at least N", from a news report) is used as the
 *    value it bounds, and counted in bounds_used;
 *  - days before the release are left out.
 *
 * Each model gets its own starting points, tried in order until one
 * converges; a fit that does not converge keeps its reason and is never
 * used.  Standard errors come from the covariance scaled by s^2 = RSS /
 * (n - p).  A model needs n >= p + 3 intervals (AICc needs n > k + 1 with
 * k = p + 1, sigma counted).  The track's model is the least AICc among
 * the curves that converged and were accepted; Akaike weights are kept
 * for averaging.  With no curve usable, the yardstick (recent pace) is the
 * model, marked as a fallback when curves were asked for and none was
 * usable.  The pace model (pace.h) is not fitted: its
 * entry holds the track's features, measured on the same intervals, and
 * takes no part in the AICc choice.
 *
 * ss_fit_all() runs tracks on opt->jobs threads; every track's result is
 * computed by the same code from the same input whatever the thread, so
 * results are bit-identical for any number of jobs.
 *
 * Ownership: struct ss_fits owns its array; ss_fits_release() frees it.
 * Results refer to tracks by id and do not point into the dataset.
 */
#ifndef STREAMSTAT_FIT_H
#define STREAMSTAT_FIT_H

#include <stddef.h>
#include <stdint.h>

#include "streamstat/dataset.h"
#include "streamstat/error.h"
#include "streamstat/models.h"
#include "streamstat/nls.h"

enum ss_fit_status {
	SS_FIT_OK = 0,
	SS_FIT_SKIPPED,	 /* the model was not asked for */
	SS_FIT_NO_DATA,	 /* no interval with streams to fit */
	SS_FIT_TOO_FEW,	 /* fewer than p + 3 intervals */
	SS_FIT_FAILED,	 /* the solver failed from every start (see nls) */
	SS_FIT_REJECTED, /* converged, but the model refuses it (see reason) */
	SS_FIT_STATUS_COUNT
};

/* "ok", "too_few" ...: short words for CSV output. */
const char *ss_fit_status_name(enum ss_fit_status st);

enum ss_select {
	SS_SELECT_AICC,	  /* the least AICc */
	SS_SELECT_AVERAGE /* every usable curve with a nonzero Akaike weight, weighted */
};

/* One model on one track. */
struct ss_model_fit {
	uint8_t status;		  /* enum ss_fit_status */
	uint8_t nls;		  /* enum ss_nls_status of the last start tried */
	uint8_t chosen;		  /* the track's model (or one averaged, under AVERAGE) */
	uint8_t start;		  /* which starting point converged (0-based) */
	uint16_t iter;		  /* solver iterations of that start */
	uint8_t unidentified;	  /* bit j: parameter j at a bound or tied to others,
				   * its standard error NaN (the curve is usable) */
	const char *why;	  /* SS_FIT_REJECTED: the model's reason (static) */
	double th[SS_MODEL_PMAX]; /* fit-space parameters */
	double se[SS_MODEL_PMAX]; /* their standard errors */
	double cov[SS_MODEL_PMAX * SS_MODEL_PMAX]; /* fit-space covariance, np x np */
	double rmse;   /* root mean square log residual (about a relative error) */
	double aicc;   /* NaN for the yardstick and failed fits */
	double weight; /* Akaike weight among the usable curves */
	uint32_t n;    /* intervals used */
	uint32_t dof;  /* n - p */
};

/* One track. */
struct ss_track_fit {
	uint32_t track;
	uint32_t n;	      /* intervals of streams */
	uint32_t bounds_used; /* lower-bound totals used as values */
	int16_t best;	      /* index in ss_models of the track's model, -1 if none */
	uint8_t fallback;     /* best is the yardstick: no curve was usable */
	uint8_t pooled;	      /* best is a curve whose shape was fitted to its whole
			       * album (pool.h): too few points for one of its own */
	uint8_t has_anchor;   /* anchor_total is known */
	int32_t release;      /* day of t = 0 */
	int32_t last_day;     /* last observed day (release - 1 when none) */
	int32_t anchor_day;   /* the last day with a total */
	double anchor_total;  /* that total; projections continue from it */
	double recent_span;   /* days the recent pace averages over: the last 7,
			       * or the last interval when longer (0 when none) */
	struct ss_model_fit m[SS_MODELS_MAX];
};

struct ss_fit_options {
	unsigned jobs;		   /* threads; 0 means one per online CPU */
	enum ss_select select;	   /* how the track's model is picked */
	uint32_t models;	   /* bit i set: fit ss_models[i]; 0 means all */
	struct ss_nls_options nls; /* solver settings */
};

/* All models, AICc choice, one job per CPU, ss_nls_defaults(). */
struct ss_fit_options ss_fit_defaults(void);

/* Whether opt fits ss_models[i] (opt->models 0: every model). */
int ss_fit_wants(const struct ss_fit_options *opt, size_t i);

/*
 * Every track's fit, in one of two forms: tracks[] (what ss_fit_all()
 * writes: 1.7 KB a track, every model's slot), or packed (tracks NULL): each
 * track's fields and only the models it has, their parameters as many as
 * the model takes and blocks of zeros left out, 237 bytes a track for the
 * default models (a million tracks in a merge).  merge
 * (shard.h) keeps the packed form, as it holds every track of a catalog;
 * read a track through ss_fits_track(), which takes either.
 */
struct ss_fits {
	struct ss_track_fit *tracks; /* indexed by track id; NULL: packed */
	size_t n;
	enum ss_select select;
	unsigned jobs;	       /* threads actually used */
	unsigned char *packed; /* the packed tracks, one after another */
	size_t packed_len, packed_cap;
	uint64_t *packed_at; /* [n]: where track t starts in packed */
};

/*
 * Fit every track of ds (the series stage must have run).  It cannot fail,
 * so it returns nothing (the convention of pipeline.h): a track that cannot
 * be fitted says so in its own status, a thread that cannot be started
 * leaves its share to the others (fits->jobs says how many ran), and out of
 * memory aborts (xalloc.h).
 */
void ss_fit_all(const struct ss_dataset *ds, const struct ss_fit_options *opt,
		struct ss_fits *fits);

void ss_fits_release(struct ss_fits *fits);

/* The packed form of n tracks, none put yet (a track never put reads as
 * one with every model skipped). */
void ss_fits_packed_init(struct ss_fits *fits, size_t n);

/* Put track t's fit (tf) into the packed form: its models not skipped. */
void ss_fits_pack(struct ss_fits *fits, uint32_t t, const struct ss_track_fit *tf);

/*
 * Track t's fit: &fits->tracks[t], or, packed, unpacked into *scratch (the
 * pointer returned is scratch; it holds until scratch is used again).
 * Thread-safe for readers with scratches of their own.
 */
const struct ss_track_fit *ss_fits_track(const struct ss_fits *fits, uint32_t t,
					 struct ss_track_fit *scratch);

/*
 * One track, for tests and tools: a fitter holds the buffers and solver
 * workspace one thread reuses across tracks.
 */
struct ss_fitter;

struct ss_fitter *ss_fitter_new(void);
void ss_fitter_free(struct ss_fitter **f);

/* Fit the series obs[0..n) of a track released on day release. */
void ss_fit_series(struct ss_fitter *f, const struct ss_fit_options *opt, const struct ss_obs *obs,
		   size_t n, int32_t release, int release_inferred, struct ss_track_fit *out);

/*
 * The intervals ss_fit_series() fits for a series: returns their number;
 * *t0, *t1 and *y point into f's buffers until f is used again.
 */
size_t ss_fitter_intervals(struct ss_fitter *f, const struct ss_obs *obs, size_t n, int32_t release,
			   int release_inferred, const double **t0, const double **t1,
			   const double **y);

/*
 * Fit data given directly as intervals (t0[i], t1[i]] with streams y[i]
 * (y[i] > 0, intervals disjoint and in order); the arrays must outlive
 * the call only.  out's anchor is left unset.
 */
void ss_fit_intervals(struct ss_fitter *f, const struct ss_fit_options *opt, const double *t0,
		      const double *t1, const double *y, size_t n, struct ss_track_fit *out);

/*
 * C(t) - C(t_from) of model fit mf: streams between two times in days since
 * release.  With a track's anchor, total at the end of day D is
 * anchor_total + ss_fit_between(m, mf, anchor_day - release + 1,
 * D - release + 1).
 */
double ss_fit_between(const struct ss_model *m, const struct ss_model_fit *mf, double t_from,
		      double t);

/* Natural value of parameter j of a model fit, and its 95% interval
 * (t quantile with dof degrees of freedom; on the log scale for a log
 * parameter, so the interval stays positive and may be asymmetric). */
double ss_fit_param(const struct ss_model *m, const struct ss_model_fit *mf, size_t j, double *lo,
		    double *hi);

#endif
