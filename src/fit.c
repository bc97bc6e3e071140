/*
 * fit.c - from a track's series to fitted models, on all cores.
 *
 * A fitter turns a series into intervals (struct ss_fit_data), then fits
 * each model of the table through the least-squares core (nls.h).  The
 * residual of interval i is log(C(t1_i) - C(t0_i)) - log(y_i).  C is
 * evaluated once per distinct interval end (dense daily data share them),
 * so a residual evaluation costs one model evaluation per day.
 */
#include "streamstat/fit.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "streamstat/pace.h"
#include "streamstat/parallel.h"
#include "streamstat/series.h"
#include "streamstat/xalloc.h"

#define RECENT_DAYS 7.0 /* the yardstick's window */
#define CHUNK	    8	/* tracks a thread takes at a time */

struct ss_fitter {
	struct ss_nls *nls;
	size_t cap;		      /* intervals allocated */
	double *t0, *t1, *y, *logy;   /* the intervals */
	size_t ninc;		      /* intervals being fitted */
	size_t nu;		      /* distinct ends */
	double *u;		      /* ... their times */
	uint32_t *i0, *i1;	      /* interval i runs from u[i0[i]] to u[i1[i]] */
	double *C, *G;		      /* model values and gradients at u */
	double *decay, *work;	      /* for starting points (struct ss_fit_data) */
	const struct ss_model *model; /* the one being fitted */
};

static const char *const status_names[] = {
	[SS_FIT_OK] = "ok",	      [SS_FIT_SKIPPED] = "skipped", [SS_FIT_NO_DATA] = "no_data",
	[SS_FIT_TOO_FEW] = "too_few", [SS_FIT_FAILED] = "failed",   [SS_FIT_REJECTED] = "rejected",
};

_Static_assert(sizeof status_names / sizeof status_names[0] == SS_FIT_STATUS_COUNT,
	       "a fit status without a name");

const char *ss_fit_status_name(enum ss_fit_status st)
{
	return (unsigned)st < SS_FIT_STATUS_COUNT ? status_names[st] : "unknown";
}

struct ss_fit_options ss_fit_defaults(void)
{
	struct ss_fit_options o = {
		.jobs = 0, .select = SS_SELECT_AICC, .models = 0, .nls = ss_nls_defaults()};
	return o;
}

int ss_fit_wants(const struct ss_fit_options *opt, size_t i)
{
	return i < ss_nmodels && (!opt->models || (opt->models & (1u << i)));
}

struct ss_fitter *ss_fitter_new(void)
{
	struct ss_fitter *f = xcalloc(1, sizeof *f);

	f->nls = ss_nls_new();
	return f;
}

void ss_fitter_free(struct ss_fitter **f)
{
	if (!f || !*f)
		return;
	ss_nls_free(&(*f)->nls);
	free((*f)->t0);
	free((*f)->t1);
	free((*f)->y);
	free((*f)->logy);
	free((*f)->u);
	free((*f)->i0);
	free((*f)->i1);
	free((*f)->C);
	free((*f)->G);
	free((*f)->decay);
	free((*f)->work);
	free(*f);
	*f = NULL;
}

static void reserve(struct ss_fitter *f, size_t n)
{
	if (n <= f->cap)
		return;
	size_t cap = f->cap ? f->cap : 64;
	while (cap < n)
		cap *= 2;
	f->t0 = xreallocarray(f->t0, cap, sizeof(double));
	f->t1 = xreallocarray(f->t1, cap, sizeof(double));
	f->y = xreallocarray(f->y, cap, sizeof(double));
	f->logy = xreallocarray(f->logy, cap, sizeof(double));
	f->i0 = xreallocarray(f->i0, cap, sizeof(uint32_t));
	f->i1 = xreallocarray(f->i1, cap, sizeof(uint32_t));
	f->u = xreallocarray(f->u, 2 * cap, sizeof(double));
	f->C = xreallocarray(f->C, 2 * cap, sizeof(double));
	f->G = xreallocarray(f->G, 2 * cap * SS_MODEL_PMAX, sizeof(double));
	f->decay = xreallocarray(f->decay, 2 * cap * SS_DECAY_GRID, sizeof(double));
	f->work = xreallocarray(f->work, SS_FIT_WORK(2 * cap), sizeof(double));
	f->cap = cap;
}

static void push(struct ss_fitter *f, size_t *n, double t0, double t1, double y)
{
	reserve(f, *n + 1);
	f->t0[*n] = t0;
	f->t1[*n] = t1;
	f->y[*n] = y;
	(*n)++;
}

/*
 * The intervals of a series (see fit.h for the rules).  Returns their
 * number; fills the anchor and bounds_used of out.
 */
static size_t intervals_of(struct ss_fitter *f, const struct ss_obs *obs, size_t n, int32_t release,
			   int release_inferred, struct ss_track_fit *out)
{
	size_t k = 0;
	/* the open end of the chain: time, and total there when known */
	double b = 0.0;
	int known = !release_inferred;
	int64_t base = 0;
	int base_bound = 0;

	for (size_t i = 0; i < n; i++) {
		const struct ss_obs *o = &obs[i];
		if (o->day < release)
			continue;
		double end = (double)(o->day - release) + 1.0;
		int has_total = (o->flags & SS_OBS_TOTAL) != 0;
		out->last_day = o->day;
		if (has_total) {
			out->has_anchor = 1;
			out->anchor_day = o->day;
			out->anchor_total = (double)o->total;
		}

		if (has_total && (o->flags & SS_OBS_CORRECTION)) {
			b = end, base = o->total, known = 1;
			base_bound = (o->flags & SS_OBS_AT_LEAST) != 0;
			continue;
		}
		if (has_total && known) {
			int64_t inc = o->total - base;
			if (inc == 0)
				continue; /* not updated: merge into the next interval */
			if (inc > 0) {
				push(f, &k, b, end, (double)inc);
				out->bounds_used += base_bound;
				if (o->flags & SS_OBS_AT_LEAST)
					out->bounds_used++;
			}
			b = end, base = o->total;
			base_bound = 0;
			continue;
		}
		if ((o->flags & SS_OBS_STREAMS) && o->streams > 0)
			push(f, &k, end - 1.0, end, (double)o->streams);
		b = end;
		known = has_total;
		base = has_total ? o->total : 0;
		base_bound = has_total && (o->flags & SS_OBS_AT_LEAST);
	}
	return k;
}

/* Summaries for starting guesses and the yardstick. */
static void summarize(struct ss_fitter *f, size_t n, struct ss_fit_data *d)
{
	memset(d, 0, sizeof *d);
	d->n = n;
	d->t0 = f->t0, d->t1 = f->t1, d->y = f->y, d->logy = f->logy;
	d->rate_last_se = NAN;
	d->nu = f->nu, d->u = f->u, d->i0 = f->i0, d->i1 = f->i1;
	d->decay = f->decay, d->work = f->work;
	for (size_t g = 0; g < SS_DECAY_GRID; g++)
		for (size_t j = 0; j < f->nu; j++)
			f->decay[g * f->nu + j] = exp(-ss_decay_grid[g] * f->u[j]);
	if (n == 0)
		return;
	d->rate_first = f->y[0] / (f->t1[0] - f->t0[0]);
	d->t_end = f->t1[n - 1];
	for (size_t i = 0; i < n; i++) {
		double len = f->t1[i] - f->t0[i], rate = f->y[i] / len;
		f->logy[i] = log(f->y[i]);
		d->sum += f->y[i];
		if (rate > d->rate_max) {
			d->rate_max = rate;
			d->t_rate_max = 0.5 * (f->t0[i] + f->t1[i]);
		}
	}
	/* the last 7 days, or the last interval when it is longer */
	double ys = 0, days = 0;
	size_t m = 0;
	while (m < n && days < RECENT_DAYS) {
		size_t i = n - 1 - m;
		ys += f->y[i];
		days += f->t1[i] - f->t0[i];
		m++;
	}
	d->rate_last = ys / days;
	d->last_days = m;
	d->last_span = days;
	if (m >= 2) {
		double ss = 0;
		for (size_t j = 0; j < m; j++) {
			size_t i = n - 1 - j;
			double r = f->y[i] / (f->t1[i] - f->t0[i]) - d->rate_last;
			ss += r * r;
		}
		d->rate_last_se = sqrt(ss / (double)(m - 1) / (double)m);
	}
}

/* Distinct interval ends, shared by neighbouring intervals. */
static void index_ends(struct ss_fitter *f, size_t n)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		if (m == 0 || f->u[m - 1] != f->t0[i])
			f->u[m++] = f->t0[i];
		f->i0[i] = (uint32_t)(m - 1);
		f->u[m++] = f->t1[i];
		f->i1[i] = (uint32_t)(m - 1);
	}
	f->nu = m;
}

/* th with every parameter held within its range (models.h); returns the
 * mask of those held. */
static unsigned clamp_params(const struct ss_model *m, const double *th, double *out)
{
	unsigned held = 0;

	for (size_t j = 0; j < m->np; j++) {
		const struct ss_param_info *pi = &m->param[j];
		out[j] = th[j];
		if (!(pi->lo < pi->hi))
			continue;
		if (th[j] < pi->lo)
			out[j] = pi->lo, held |= 1u << j;
		else if (th[j] > pi->hi)
			out[j] = pi->hi, held |= 1u << j;
	}
	return held;
}

/*
 * A parameter past its range is held at the edge and its Jacobian column
 * is zero: the solver sees no gain in going further, keeps fitting the
 * others, and the rank test then leaves it out of the covariance.
 */
static int residuals(const double *th_in, void *ctx, double *r, double *J)
{
	struct ss_fitter *f = ctx;
	const struct ss_model *m = f->model;
	size_t p = m->np, n = f->ninc;
	double th[SS_MODEL_PMAX];
	unsigned held = clamp_params(m, th_in, th);

	m->cum(th, f->u, f->nu, f->C, J ? f->G : NULL);
	for (size_t i = 0; i < n; i++) {
		size_t a = f->i0[i], b = f->i1[i];
		double inc = f->C[b] - f->C[a];
		/* a non-positive increment gives NaN: the core rejects the step */
		r[i] = log(inc) - f->logy[i];
		if (J) {
			double w = 1.0 / inc;
			const double *Ga = f->G + a * p, *Gb = f->G + b * p;
			for (size_t j = 0; j < p; j++)
				J[i * p + j] = (Gb[j] - Ga[j]) * w;
		}
	}
	if (J && held)
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < p; j++)
				if (held & (1u << j))
					J[i * p + j] = 0.0;
	return 0;
}

static void fit_yardstick(const struct ss_fit_data *d, struct ss_model_fit *mf)
{
	if (!(d->rate_last > 0)) {
		mf->status = SS_FIT_NO_DATA;
		return;
	}
	mf->th[0] = log(d->rate_last);
	mf->se[0] = d->rate_last_se / d->rate_last;
	mf->cov[0] = mf->se[0] * mf->se[0];
	mf->n = (uint32_t)d->last_days;
	mf->dof = mf->n - 1;
	double ss = 0;
	for (size_t j = 0; j < d->last_days; j++) {
		size_t i = d->n - 1 - j;
		double e = d->logy[i] - log(d->t1[i] - d->t0[i]) - mf->th[0];
		ss += e * e;
	}
	mf->rmse = mf->n > 1 ? sqrt(ss / (double)mf->n) : NAN; /* one interval: no spread */
	mf->status = SS_FIT_OK;
}

/* The pace model's part of a track: its features at ta (pace.h). */
static void fit_pace(const struct ss_fit_data *d, double ta, struct ss_model_fit *mf)
{
	struct ss_pace_track pt;

	if (d->n == 0 || ss_pace_features(d, ta, &pt) != 0) {
		mf->status = SS_FIT_NO_DATA;
		return;
	}
	ss_pace_to_th(&pt, mf->th);
	for (size_t j = 0; j < 4; j++)
		mf->se[j] = NAN;
	mf->n = (uint32_t)d->n;
	mf->dof = mf->n;
	mf->status = SS_FIT_OK;
}

static void fit_curve(struct ss_fitter *f, const struct ss_fit_options *opt,
		      const struct ss_fit_data *d, const struct ss_model *m,
		      struct ss_model_fit *mf)
{
	size_t p = m->np, n = d->n;
	double starts[SS_MODEL_STARTS][SS_MODEL_PMAX];

	if (n == 0) {
		mf->status = SS_FIT_NO_DATA;
		return;
	}
	if (n < p + 3) {
		mf->status = SS_FIT_TOO_FEW;
		return;
	}
	if (m->applies && (mf->why = m->applies(d)) != NULL) {
		mf->status = SS_FIT_REJECTED;
		return;
	}
	size_t nstarts = m->starts(d, starts);
	struct ss_nls_problem pb = {.n = n, .p = p, .f = residuals, .ctx = f};
	struct ss_nls_result res;

	f->model = m;
	mf->status = SS_FIT_FAILED;
	for (size_t s = 0; s < nstarts; s++) {
		enum ss_nls_status st = ss_nls_fit(f->nls, &pb, starts[s], &opt->nls, &res);
		mf->nls = (uint8_t)st;
		mf->start = (uint8_t)s;
		mf->iter = res.iter > UINT16_MAX ? UINT16_MAX : (uint16_t)res.iter;
		/* A singular fit is a usable curve some of whose parameters the
		 * data do not pin down (typically one run off to a bound, where
		 * the model reduces to a simpler one). */
		if (st != SS_NLS_OK && st != SS_NLS_SINGULAR)
			continue;

		clamp_params(m, res.x, mf->th);
		/* NaN on the diagonal marks a parameter not identified while
		 * accept() may reorder; it becomes a bit and a zero after. */
		for (size_t i = 0; i < p; i++)
			for (size_t j = 0; j < p; j++)
				mf->cov[i * p + j] =
					i == j && isnan(res.se[i]) ? NAN : res.cov[i * p + j];
		mf->why = m->accept ? m->accept(d, mf->th, mf->cov) : NULL;
		for (size_t j = 0; j < p; j++) {
			if (isnan(mf->cov[j * p + j])) {
				mf->unidentified |= (uint8_t)(1u << j);
				mf->cov[j * p + j] = 0.0;
				mf->se[j] = NAN;
			} else {
				mf->se[j] = sqrt(mf->cov[j * p + j]);
			}
		}
		mf->n = (uint32_t)n;
		mf->dof = (uint32_t)(n - p);
		mf->rmse = sqrt(res.rss / (double)n);
		/* AICc with k = p + 1 (sigma counted); an exact fit keeps it finite */
		double k = (double)(p + 1), nn = (double)n, rss = fmax(res.rss, nn * 1e-300);
		mf->aicc = nn * log(rss / nn) + 2 * k + 2 * k * (k + 1) / (nn - k - 1);
		mf->status = mf->why ? SS_FIT_REJECTED : SS_FIT_OK;
		return;
	}
}

static void choose(const struct ss_fit_options *opt, struct ss_track_fit *out)
{
	double least = INFINITY, sum = 0;
	int yard = -1, tried = 0;

	out->best = -1;
	for (size_t i = 0; i < ss_nmodels; i++) {
		const struct ss_model_fit *mf = &out->m[i];
		tried |= ss_model_is_curve(&ss_models[i]) && mf->status != SS_FIT_SKIPPED;
		if (ss_models[i].is_yardstick) {
			if (mf->status == SS_FIT_OK)
				yard = (int)i;
		} else if (ss_models[i].is_population) {
			continue;
		} else if (mf->status == SS_FIT_OK && mf->aicc < least) {
			least = mf->aicc;
			out->best = (int16_t)i;
		}
	}
	if (out->best < 0) {
		if (yard >= 0) {
			out->best = (int16_t)yard;
			out->fallback = (uint8_t)tried; /* no curve usable, of those asked */
			out->m[yard].weight = 1.0;
			out->m[yard].chosen = 1;
		}
		return;
	}
	for (size_t i = 0; i < ss_nmodels; i++) {
		struct ss_model_fit *mf = &out->m[i];
		if (ss_model_is_curve(&ss_models[i]) && mf->status == SS_FIT_OK) {
			mf->weight = exp(-0.5 * (mf->aicc - least));
			sum += mf->weight;
		}
	}
	for (size_t i = 0; i < ss_nmodels; i++) {
		struct ss_model_fit *mf = &out->m[i];
		if (!ss_model_is_curve(&ss_models[i]) || mf->status != SS_FIT_OK)
			continue;
		mf->weight /= sum;
		if (opt->select == SS_SELECT_AVERAGE ? mf->weight > 0 : (int)i == out->best)
			mf->chosen = 1;
	}
}

/* Fit every model to the n intervals now in f. */
static void fit_prepared(struct ss_fitter *f, const struct ss_fit_options *opt, size_t n,
			 struct ss_track_fit *out)
{
	struct ss_fit_data d;

	index_ends(f, n);
	summarize(f, n, &d);
	f->ninc = n;
	out->n = (uint32_t)n;
	out->recent_span = d.last_span;
	for (size_t i = 0; i < ss_nmodels; i++) {
		const struct ss_model *m = &ss_models[i];
		struct ss_model_fit *mf = &out->m[i];

		mf->aicc = NAN;
		mf->rmse = NAN;
		for (size_t j = 0; j < SS_MODEL_PMAX; j++)
			mf->th[j] = mf->se[j] = NAN;
		if (!ss_fit_wants(opt, i))
			mf->status = SS_FIT_SKIPPED;
		else if (m->is_yardstick)
			fit_yardstick(&d, mf);
		else if (m->is_population)
			fit_pace(&d,
				 out->has_anchor ? (double)(out->anchor_day - out->release) + 1.0
						 : d.t_end,
				 mf);
		else
			fit_curve(f, opt, &d, m, mf);
	}
	choose(opt, out);
}

static void track_init(struct ss_track_fit *out, int32_t release)
{
	memset(out, 0, sizeof *out);
	out->best = -1;
	out->release = release;
	out->last_day = release - 1;
	out->anchor_day = release - 1;
	out->anchor_total = NAN;
}

void ss_fit_series(struct ss_fitter *f, const struct ss_fit_options *opt, const struct ss_obs *obs,
		   size_t n, int32_t release, int release_inferred, struct ss_track_fit *out)
{
	track_init(out, release);
	size_t k = intervals_of(f, obs, n, release, release_inferred, out);
	fit_prepared(f, opt, k, out);
}

size_t ss_fitter_intervals(struct ss_fitter *f, const struct ss_obs *obs, size_t n, int32_t release,
			   int release_inferred, const double **t0, const double **t1,
			   const double **y)
{
	struct ss_track_fit scratch;

	track_init(&scratch, release);
	size_t k = intervals_of(f, obs, n, release, release_inferred, &scratch);
	*t0 = f->t0, *t1 = f->t1, *y = f->y;
	return k;
}

void ss_fit_intervals(struct ss_fitter *f, const struct ss_fit_options *opt, const double *t0,
		      const double *t1, const double *y, size_t n, struct ss_track_fit *out)
{
	size_t k = 0;

	track_init(out, 0);
	for (size_t i = 0; i < n; i++)
		push(f, &k, t0[i], t1[i], y[i]);
	fit_prepared(f, opt, k, out);
}

/* ---- all tracks, on opt->jobs threads ---- */

struct job {
	const struct ss_dataset *ds;
	const struct ss_fit_options *opt;
	struct ss_fits *fits;
	atomic_size_t next;
};

static void *worker(void *arg)
{
	struct job *job = arg;
	const struct ss_dataset *ds = job->ds;
	struct ss_fitter *f = ss_fitter_new();
	size_t n = job->fits->n;

	for (;;) {
		size_t from = atomic_fetch_add(&job->next, CHUNK);
		if (from >= n)
			break;
		size_t to = from + CHUNK < n ? from + CHUNK : n;
		for (size_t t = from; t < to; t++) {
			const struct ss_track *tr = &ds->tracks[t];
			size_t nobs;
			const struct ss_obs *obs = ss_series_of(ds, (uint32_t)t, &nobs);
			ss_fit_series(f, job->opt, obs, nobs, tr->release,
				      !ss_release_known(ds, (uint32_t)t), &job->fits->tracks[t]);
			job->fits->tracks[t].track = (uint32_t)t;
		}
	}
	ss_fitter_free(&f);
	return NULL;
}

void ss_fit_all(const struct ss_dataset *ds, const struct ss_fit_options *opt, struct ss_fits *fits)
{
	size_t n = ss_dataset_ntracks(ds);

	memset(fits, 0, sizeof *fits);
	fits->tracks = xcalloc(n ? n : 1, sizeof *fits->tracks);
	fits->n = n;
	fits->select = opt->select;

	struct job job = {.ds = ds, .opt = opt, .fits = fits};
	atomic_init(&job.next, 0);
	fits->jobs = ss_parallel(opt->jobs, (n + CHUNK - 1) / CHUNK, worker, &job);
}

void ss_fits_release(struct ss_fits *fits)
{
	free(fits->tracks);
	free(fits->packed);
	free(fits->packed_at);
	memset(fits, 0, sizeof *fits);
}

/*
 * The packed form of a track: the scalar fields of struct ss_track_fit (up
 * to m), a byte with how many models follow, then each model: its index (a
 * byte), the fields of struct ss_model_fit before th, a byte saying which of
 * the next three blocks follow (PACKED_TH, _SE, _COV: a block of zero bytes
 * is left out, as the pace model's standard errors and covariances are,
 * 160 of its 240 bytes), np parameters, np standard errors, np x np
 * covariances, and the fields from rmse on.
 */
#define TRACK_HEAD offsetof(struct ss_track_fit, m)
#define MODEL_HEAD offsetof(struct ss_model_fit, th)
#define MODEL_TAIL (sizeof(struct ss_model_fit) - offsetof(struct ss_model_fit, rmse))
#define NOT_PUT	   UINT64_MAX

enum { PACKED_TH = 1, PACKED_SE = 2, PACKED_COV = 4 };

static int all_zero(const double *x, size_t n)
{
	static const double zero[SS_MODEL_PMAX * SS_MODEL_PMAX];

	return memcmp(x, zero, n * sizeof *x) == 0;
}

void ss_fits_packed_init(struct ss_fits *fits, size_t n)
{
	fits->tracks = NULL;
	fits->n = n;
	fits->packed_at = xmalloc((n ? n : 1) * sizeof *fits->packed_at);
	for (size_t t = 0; t < n; t++)
		fits->packed_at[t] = NOT_PUT;
}

static void put_bytes(struct ss_fits *fits, const void *p, size_t len)
{
	xgrow(&fits->packed, &fits->packed_cap, fits->packed_len + len, 1);
	memcpy(fits->packed + fits->packed_len, p, len);
	fits->packed_len += len;
}

void ss_fits_pack(struct ss_fits *fits, uint32_t t, const struct ss_track_fit *tf)
{
	unsigned char k = 0;

	if (t >= fits->n)
		return;
	for (size_t i = 0; i < ss_nmodels; i++)
		k += tf->m[i].status != SS_FIT_SKIPPED;
	fits->packed_at[t] = fits->packed_len;
	put_bytes(fits, tf, TRACK_HEAD);
	put_bytes(fits, &k, 1);
	for (size_t i = 0; i < ss_nmodels; i++) {
		const struct ss_model_fit *mf = &tf->m[i];
		size_t np = ss_models[i].np;
		unsigned char idx = (unsigned char)i;
		if (mf->status == SS_FIT_SKIPPED)
			continue;
		unsigned char blocks = (all_zero(mf->th, np) ? 0 : PACKED_TH) |
				       (all_zero(mf->se, np) ? 0 : PACKED_SE) |
				       (all_zero(mf->cov, np * np) ? 0 : PACKED_COV);
		put_bytes(fits, &idx, 1);
		put_bytes(fits, mf, MODEL_HEAD);
		put_bytes(fits, &blocks, 1);
		if (blocks & PACKED_TH)
			put_bytes(fits, mf->th, np * sizeof mf->th[0]);
		if (blocks & PACKED_SE)
			put_bytes(fits, mf->se, np * sizeof mf->se[0]);
		if (blocks & PACKED_COV)
			put_bytes(fits, mf->cov, np * np * sizeof mf->cov[0]);
		put_bytes(fits, &mf->rmse, MODEL_TAIL);
	}
}

const struct ss_track_fit *ss_fits_track(const struct ss_fits *fits, uint32_t t,
					 struct ss_track_fit *scratch)
{
	if (fits->tracks)
		return &fits->tracks[t];
	memset(scratch, 0, sizeof *scratch);
	for (size_t i = 0; i < SS_MODELS_MAX; i++)
		scratch->m[i].status = SS_FIT_SKIPPED;
	if (t >= fits->n || fits->packed_at[t] == NOT_PUT)
		return scratch;
	const unsigned char *p = fits->packed + fits->packed_at[t];
	memcpy(scratch, p, TRACK_HEAD);
	p += TRACK_HEAD;
	unsigned char k = *p++;
	for (unsigned char j = 0; j < k; j++) {
		struct ss_model_fit *mf = &scratch->m[*p++];
		size_t np = ss_models[mf - scratch->m].np;
		memcpy(mf, p, MODEL_HEAD);
		p += MODEL_HEAD;
		unsigned char blocks = *p++;
		if (blocks & PACKED_TH) {
			memcpy(mf->th, p, np * sizeof mf->th[0]);
			p += np * sizeof mf->th[0];
		}
		if (blocks & PACKED_SE) {
			memcpy(mf->se, p, np * sizeof mf->se[0]);
			p += np * sizeof mf->se[0];
		}
		if (blocks & PACKED_COV) {
			memcpy(mf->cov, p, np * np * sizeof mf->cov[0]);
			p += np * np * sizeof mf->cov[0];
		}
		memcpy(&mf->rmse, p, MODEL_TAIL);
		p += MODEL_TAIL;
	}
	return scratch;
}

double ss_fit_between(const struct ss_model *m, const struct ss_model_fit *mf, double t_from,
		      double t)
{
	double ts[2] = {t_from, t}, C[2];

	if (m->is_population)
		return NAN; /* it needs the anchor: milestones.h */
	m->cum(mf->th, ts, 2, C, NULL);
	return C[1] - C[0];
}

double ss_fit_param(const struct ss_model *m, const struct ss_model_fit *mf, size_t j, double *lo,
		    double *hi)
{
	const struct ss_param_info *info = &m->param[j];
	double q = mf->dof > 0 ? gsl_cdf_tdist_Pinv(0.975, (double)mf->dof) : NAN;
	double a = mf->th[j] - q * mf->se[j], b = mf->th[j] + q * mf->se[j];

	if (lo)
		*lo = ss_param_value(info, a);
	if (hi)
		*hi = ss_param_value(info, b);
	return ss_param_value(info, mf->th[j]);
}
