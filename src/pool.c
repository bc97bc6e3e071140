/*
 * pool.c - album-pooled power-law curves (see pool.h for the method).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "streamstat/nls.h"
#include "streamstat/pool.h"
#include "streamstat/series.h"
#include "streamstat/xalloc.h"

#define SHAPE_P ((size_t)2) /* tau and alpha */
#define MIN_DOF 2	    /* N - m - 2 at least */

/* The shape's parameters among the power law's (models.h); the scale is
 * SS_PL_A, solved per track. */
static const size_t shape_param[SHAPE_P] = {SS_PL_TAU, SS_PL_ALPHA};

/* The album's intervals, track by track. */
struct pool {
	const struct ss_model *m;
	size_t m_index;
	size_t ntracks;
	uint32_t *track;     /* pool track -> track id */
	size_t *first;	     /* pool track i: intervals first[i] .. first[i + 1] */
	double *t0, *t1, *y; /* intervals (days since each track's release) */
	size_t n, cap;
	/* scratch for the residual function */
	double *C, *G, *gm; /* C and gradient at interval ends, per-track mean gradient */
};

static void add_interval(struct pool *pl, double t0, double t1, double y)
{
	if (pl->n == pl->cap) {
		pl->cap = pl->cap ? 2 * pl->cap : 64;
		pl->t0 = xreallocarray(pl->t0, pl->cap, sizeof *pl->t0);
		pl->t1 = xreallocarray(pl->t1, pl->cap, sizeof *pl->t1);
		pl->y = xreallocarray(pl->y, pl->cap, sizeof *pl->y);
	}
	pl->t0[pl->n] = t0;
	pl->t1[pl->n] = t1;
	pl->y[pl->n++] = y;
}

/*
 * log of the unit-scale curve's increments over every interval, and their
 * gradients in (log tau, alpha): inc[k], g[k * 2 + j].  Returns 0, or -1
 * when an increment is not positive.
 */
static int increments(struct pool *pl, const double *x, double *inc, double *g)
{
	double th[SS_PL_NP] = {[SS_PL_A] = 0.0};

	for (size_t j = 0; j < SHAPE_P; j++)
		th[shape_param[j]] = x[j];
	for (size_t k = 0; k < pl->n; k++) {
		double ts[2] = {pl->t0[k], pl->t1[k]}, C[2], G[2 * SS_PL_NP];
		pl->m->cum(th, ts, 2, C, G);
		double d = C[1] - C[0];
		if (!(d > 0) || !isfinite(d))
			return -1;
		inc[k] = log(d);
		for (size_t j = 0; j < SHAPE_P; j++)
			g[k * SHAPE_P + j] = (G[SS_PL_NP + shape_param[j]] - G[shape_param[j]]) / d;
	}
	return 0;
}

/* Profiled residuals: model minus data, centred within each track. */
static int residuals(const double *x, void *ctx, double *r, double *J)
{
	struct pool *pl = ctx;

	if (increments(pl, x, pl->C, pl->G) < 0) {
		for (size_t k = 0; k < pl->n; k++)
			r[k] = NAN;
		return 0;
	}
	for (size_t i = 0; i < pl->ntracks; i++) {
		size_t a = pl->first[i], b = pl->first[i + 1];
		double mean = 0, gm[SHAPE_P] = {0, 0};
		for (size_t k = a; k < b; k++) {
			mean += pl->C[k] - log(pl->y[k]);
			for (size_t j = 0; j < SHAPE_P; j++)
				gm[j] += pl->G[k * SHAPE_P + j];
		}
		mean /= (double)(b - a);
		for (size_t j = 0; j < SHAPE_P; j++)
			gm[j] /= (double)(b - a);
		for (size_t k = a; k < b; k++) {
			r[k] = pl->C[k] - log(pl->y[k]) - mean;
			if (J)
				for (size_t j = 0; j < SHAPE_P; j++)
					J[k * SHAPE_P + j] = pl->G[k * SHAPE_P + j] - gm[j];
		}
		memcpy(pl->gm + i * SHAPE_P, gm, sizeof gm);
	}
	return 0;
}

static double rss_at(struct pool *pl, const double *x, double *r)
{
	double s = 0;

	residuals(x, pl, r, NULL);
	for (size_t k = 0; k < pl->n; k++)
		s += r[k] * r[k];
	return isfinite(s) ? s : INFINITY;
}

/* Fit the album's shape; 0 on success with x and cov (2 x 2, s^2 scaled by
 * the pooled degrees of freedom) and s2. */
static int fit_shape(struct ss_nls *w, struct pool *pl, double *x, double *cov, double *s2)
{
	static const double taus[] = {0.5, 2.0, 8.0, 32.0, 128.0};
	static const double alphas[] = {0.3, 0.6, 0.9, 1.2, 1.6};
	double *r = xcalloc(pl->n, sizeof *r), best = INFINITY;
	struct ss_nls_options opt = ss_nls_defaults();
	struct ss_nls_problem pb = {.n = pl->n, .p = SHAPE_P, .f = residuals, .ctx = pl};
	struct ss_nls_result res;

	for (size_t a = 0; a < sizeof taus / sizeof taus[0]; a++)
		for (size_t b = 0; b < sizeof alphas / sizeof alphas[0]; b++) {
			double x0[2] = {log(taus[a]), alphas[b]}, v = rss_at(pl, x0, r);
			if (v < best)
				best = v, x[0] = x0[0], x[1] = x0[1];
		}
	free(r);
	if (!isfinite(best))
		return -1;
	enum ss_nls_status st = ss_nls_fit(w, &pb, x, &opt, &res);
	if (st != SS_NLS_OK)
		return -1;
	double dof = (double)(pl->n - pl->ntracks - SHAPE_P);
	*s2 = res.rss / dof;
	/* nls scaled by RSS / (N - 2); the per-track means used m more */
	double k = (double)(pl->n - SHAPE_P) / dof;
	for (size_t j = 0; j < SHAPE_P * SHAPE_P; j++)
		cov[j] = res.cov[j] * k;
	memcpy(x, res.x, SHAPE_P * sizeof *x);
	/* the per-track mean gradients at the minimum */
	double *rr = xcalloc(pl->n, sizeof *rr);
	residuals(x, pl, rr, NULL);
	free(rr);
	return 0;
}

/* The pooled curve for pool track i as its powerlaw fit. */
static void give_curve(struct pool *pl, size_t i, const double *x, const double *cov, double s2,
		       struct ss_track_fit *tf)
{
	struct ss_model_fit *mf = &tf->m[pl->m_index];
	size_t a = pl->first[i], b = pl->first[i + 1], ni = b - a;
	const double *g = pl->gm + i * SHAPE_P;
	double mean = 0;

	for (size_t k = a; k < b; k++)
		mean += log(pl->y[k]) - pl->C[k];
	mean /= (double)ni;
	for (size_t j = 0; j < ss_nmodels; j++)
		tf->m[j].chosen = 0;
	memset(mf, 0, sizeof *mf);
	mf->status = SS_FIT_OK;
	mf->nls = SS_NLS_OK;
	mf->chosen = 1;
	mf->th[SS_PL_A] = mean;
	for (size_t j = 0; j < SHAPE_P; j++)
		mf->th[shape_param[j]] = x[j];
	/* Cov(log A_i) = g' C g + s^2 / n_i; Cov(log A_i, shape) = -C g */
	double cg[SHAPE_P] = {cov[0] * g[0] + cov[1] * g[1], cov[2] * g[0] + cov[3] * g[1]};
	const size_t np = SS_PL_NP, a0 = SS_PL_A;
	mf->cov[a0 * np + a0] = g[0] * cg[0] + g[1] * cg[1] + s2 / (double)ni;
	for (size_t j = 0; j < SHAPE_P; j++) {
		size_t pj = shape_param[j];
		mf->cov[a0 * np + pj] = mf->cov[pj * np + a0] = -cg[j];
		for (size_t l = 0; l < SHAPE_P; l++)
			mf->cov[pj * np + shape_param[l]] = cov[j * SHAPE_P + l];
	}
	for (size_t j = 0; j < np; j++)
		mf->se[j] = sqrt(mf->cov[j * np + j]);
	mf->rmse = sqrt(s2);
	mf->aicc = NAN;
	mf->weight = 1.0;
	mf->n = (uint32_t)ni;
	mf->dof = (uint32_t)(pl->n - pl->ntracks - SHAPE_P);
	tf->best = (int16_t)pl->m_index;
	tf->fallback = 0;
	tf->pooled = 1;
}

static void pool_album(const struct ss_dataset *ds, struct ss_fits *fits, struct ss_fitter *f,
		       struct ss_nls *w, struct pool *pl, const uint32_t *tracks, size_t nt,
		       struct ss_pool_stats *st)
{
	size_t thin = 0;

	pl->n = 0;
	pl->ntracks = 0;
	for (size_t q = 0; q < nt; q++) {
		uint32_t t = tracks[q];
		size_t n;
		const struct ss_obs *obs = ss_series_of(ds, t, &n);
		const double *t0, *t1, *y;
		size_t k = ss_fitter_intervals(f, obs, n, ds->tracks[t].release,
					       !ss_release_known(ds, t), &t0, &t1, &y);
		if (k == 0)
			continue;
		pl->track[pl->ntracks] = t;
		pl->first[pl->ntracks++] = pl->n;
		for (size_t j = 0; j < k; j++)
			add_interval(pl, t0[j], t1[j], y[j]);
		thin += fits->tracks[t].fallback && fits->tracks[t].has_anchor;
	}
	pl->first[pl->ntracks] = pl->n;
	if (!thin || pl->n < pl->ntracks + SHAPE_P + MIN_DOF)
		return;
	pl->C = xreallocarray(pl->C, pl->n, sizeof *pl->C);
	pl->G = xreallocarray(pl->G, pl->n * SHAPE_P, sizeof *pl->G);
	pl->gm = xreallocarray(pl->gm, pl->ntracks * SHAPE_P, sizeof *pl->gm);

	double x[SHAPE_P], cov[SHAPE_P * SHAPE_P], s2;
	if (fit_shape(w, pl, x, cov, &s2) < 0 || !(s2 > 0))
		return;
	st->albums++;
	for (size_t i = 0; i < pl->ntracks; i++) {
		struct ss_track_fit *tf = &fits->tracks[pl->track[i]];
		if (tf->fallback && tf->has_anchor) {
			give_curve(pl, i, x, cov, s2, tf);
			st->tracks++;
		}
	}
}

void ss_fit_pool(const struct ss_dataset *ds, struct ss_fits *fits, struct ss_pool_stats *st)
{
	size_t na = ss_dataset_nalbums(ds), nt = ss_dataset_ntracks(ds);
	struct pool pl = {0};
	uint32_t *members, *start;

	memset(st, 0, sizeof *st);
	if (!ss_model_find(SS_POWERLAW, &pl.m_index) || ss_models[pl.m_index].np != SS_PL_NP)
		return;
	pl.m = &ss_models[pl.m_index];
	pl.track = xcalloc(nt + 1, sizeof *pl.track);
	pl.first = xcalloc(nt + 2, sizeof *pl.first);
	ss_dataset_album_tracks(ds, &start, &members);

	struct ss_fitter *f = ss_fitter_new();
	struct ss_nls *w = ss_nls_new();
	for (size_t a = 0; a < na; a++)
		pool_album(ds, fits, f, w, &pl, members + start[a], start[a + 1] - start[a], st);
	ss_nls_free(&w);
	ss_fitter_free(&f);
	free(pl.t0);
	free(pl.t1);
	free(pl.y);
	free(pl.C);
	free(pl.G);
	free(pl.gm);
	free(pl.track);
	free(pl.first);
	free(members);
	free(start);
}
