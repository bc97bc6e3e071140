/*
 * milestones.c - observed and projected milestone crossings, album
 * aggregates and rankings (see milestones.h for the rules).
 *
 * Layout: names and options; one track's observed crossing; one track's
 * projection (Brent's method on the fitted curve, delta-method interval);
 * the per-track pass; albums ("every track" with joint draws, "album
 * total" by bisection on days); rankings.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_roots.h>

#include "streamstat/date.h"
#include "streamstat/milestones.h"
#include "streamstat/number.h"
#include "streamstat/pace.h"
#include "streamstat/parallel.h"
#include "streamstat/series.h"
#include "streamstat/xalloc.h"

#define ROOT_TOL  1e-3 /* days: Brent stops within this */
#define ROOT_ITER 100  /* Brent iterations at most */
#define GRID_N	  160  /* horizons in a track's tabulated curve */
#define GRID_H0	  0.5  /* its first horizon, days */
#define EPS_N	  49   /* points of a track's day-versus-shock table */
#define EPS_SPAN  4.0  /* ... covering this many standard deviations */
#define SEED_MIX  0x9e3779b97f4a7c15u

/* ---- names and options ---------------------------------------------- */

const char *ss_ms_status_name(enum ss_ms_status s)
{
	static const char *const names[] = {"reached", "projected", "never", "unknown", "after"};

	return (unsigned)s < SS_MS_STATUS_COUNT ? names[s] : "?";
}

const struct ss_ms_flag_name ss_ms_flags[] = {
	{SS_MSF_EXTRAPOLATED, "extrapolated", "extrapolated"},
	{SS_MSF_NO_INTERVAL, "no_interval", "no interval"},
	{SS_MSF_FALLBACK, "recent_pace", "recent pace"},
	{SS_MSF_PARTIAL, "partial", "partial sum"},
	{SS_MSF_INFERRED, "inferred_release", "inferred release date"},
	{SS_MSF_STALE, "stale", "stale"},
};
const size_t ss_ms_nflags = sizeof ss_ms_flags / sizeof ss_ms_flags[0];

const char *ss_ms_how_name(enum ss_ms_how h)
{
	static const char *const names[] = {"exact", "interpolated", "by"};

	return (unsigned)h < SS_HOW_COUNT ? names[h] : "?";
}

const char *ss_ms_why_text(enum ss_ms_why w)
{
	static const char *const text[] = {
		"",
		"no data for this track",
		"no model could be fitted",
		"daily counts only and no release date, so no total is known: if the history "
		"starts at the release, give the release date (catalog or release_date column)",
		"the model's total levels off below the milestone",
		"not within 100 years under the model",
		"some counting tracks lack data or a model",
		"no track counts toward the album's milestones",
		"daily counts only, starting after the release: the streams before the first "
		"day are missing, so no total is known (give a total column)",
		"the search for the day on the model's curve failed (the curve is not finite "
		"there)",
	};

	return (unsigned)w < SS_WHY_COUNT ? text[w] : "?";
}

struct ss_ms_options ss_ms_defaults(void)
{
	static const int64_t def[] = {50000000,	 100000000, 200000000,
				      300000000, 500000000, 1000000000};
	struct ss_ms_options o = {
		.nmilestones = sizeof def / sizeof def[0],
		.level = 0.80,
		.by = SS_DAY_NONE,
		.extrapolate = 3.0,
		.draws = 1000,
		.seed = 1,
		.model_rule = -1,
		.horizon_years = 5,
		.stale_days = SS_STALE_DAYS_DEFAULT,
		.latest = SS_DAY_NONE,
	};
	size_t pace;

	if (ss_model_find("pace", &pace))
		o.model_rule = (int16_t)pace;
	memcpy(o.milestone, def, sizeof def);
	return o;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int ss_ms_parse_list(const char *s, struct ss_ms_options *opt)
{
	int64_t v[SS_MILESTONES_MAX];
	size_t n = 0;
	char item[32];

	while (*s) {
		size_t len = strcspn(s, ",");
		if (len == 0 || len >= sizeof item || n == SS_MILESTONES_MAX)
			return -1;
		memcpy(item, s, len);
		item[len] = '\0';
		if (ss_milestone_parse(item, &v[n]) < 0)
			return -1;
		n++;
		s += len + (s[len] == ',');
	}
	if (n == 0)
		return -1;
	qsort(v, n, sizeof v[0], cmp_i64);
	opt->nmilestones = 0;
	for (size_t i = 0; i < n; i++)
		if (i == 0 || v[i] != v[i - 1])
			opt->milestone[opt->nmilestones++] = v[i];
	return 0;
}

static void crossing_init(struct ss_crossing *c)
{
	memset(c, 0, sizeof *c);
	c->status = SS_MS_UNKNOWN;
	c->model = -1;
	c->day = c->lo = c->hi = SS_DAY_NONE;
	c->needed = NAN;
	c->sd_param = c->sd_noise = NAN;
}

/* ---- observed --------------------------------------------------------- */

int ss_ms_observed(const struct ss_obs *obs, size_t n, int32_t release, int release_known, double M,
		   struct ss_crossing *c)
{
	/*
	 * The last day known to be below M: an exact total under M, the day
	 * before a bound under M was passed, or the day before a known
	 * release.  A lower bound under M says nothing of the kind (it may
	 * have been past M already), and only between two exact totals is the
	 * day interpolated.
	 */
	int32_t below = release_known ? release - 1 : SS_DAY_NONE;
	double btotal = 0;
	int bexact = release_known; /* below holds an exact total, btotal */

	for (size_t i = 0; i < n; i++) {
		const struct ss_obs *o = &obs[i];
		if (!(o->flags & SS_OBS_TOTAL))
			continue;
		double total = (double)o->total;
		int exact_total = !(o->flags & SS_OBS_AT_LEAST);
		if (total < M) {
			if (exact_total) {
				below = o->day, btotal = total, bexact = 1;
			} else if ((o->flags & SS_OBS_CROSSED) &&
				   (below == SS_DAY_NONE || o->day - 1 > below)) {
				/* passed a lower figure that day: below it the day before */
				below = o->day - 1, bexact = 0;
			}
			continue;
		}
		crossing_init(c);
		c->status = SS_MS_REACHED;
		c->hi = o->day;
		/* exact: passed that very day, or the day before was below */
		int exact = ((o->flags & SS_OBS_CROSSED) && total == M) ||
			    (below != SS_DAY_NONE && below + 1 == o->day);
		if (exact) {
			c->how = SS_HOW_EXACT;
			c->day = c->lo = o->day;
		} else if (below == SS_DAY_NONE || below >= o->day || !bexact || !exact_total) {
			/* only known to be by then, at any time since the last day
			 * known below (lo; SS_DAY_NONE when there is none) */
			c->how = SS_HOW_BY;
			c->day = o->day;
			c->lo = below == SS_DAY_NONE || below >= o->day ? SS_DAY_NONE : below + 1;
		} else {
			/* the first day whose interpolated end-of-day total is >= M */
			double x = (double)below +
				   (M - btotal) / (total - btotal) * (double)(o->day - below);
			int32_t d = (int32_t)ceil(x - 1e-9);
			c->how = SS_HOW_INTERPOLATED;
			c->lo = below + 1;
			c->day = d < c->lo ? c->lo : d > o->day ? o->day : d;
		}
		return 1;
	}
	return 0;
}

/* ---- projection ------------------------------------------------------- */

/*
 * A track's model continued from its anchor: R(t) = C(t) - C(ta).  A curve
 * evaluates its C; the pace model (pace.h) gives R directly from the
 * track's features at the anchor, so its "C" is R (Ca = 0).
 */
struct curve {
	const struct ss_model *m;
	const struct ss_model_fit *mf;
	struct ss_pace_track pt; /* the pace model only */
	double ta, Ca;
	double need; /* the root solver's target */
};

static double curve_C(const struct curve *cv, double t)
{
	double C;

	if (cv->m->is_population)
		return t > cv->ta ? ss_pace_remaining(&ss_pace_shipped, &cv->pt, t - cv->ta, 0.5)
				  : cv->pt.p7 * (t - cv->ta);
	cv->m->cum(cv->mf->th, &t, 1, &C, NULL);
	return C;
}

/* The curve of model on tf, from its anchor. */
static void curve_init(struct curve *cv, const struct ss_track_fit *tf, int model)
{
	memset(cv, 0, sizeof *cv);
	cv->m = &ss_models[model];
	cv->mf = &tf->m[model];
	cv->ta = (double)(tf->anchor_day - tf->release) + 1.0;
	if (cv->m->is_population)
		ss_pace_from_th(cv->mf->th, cv->ta, &cv->pt);
	cv->Ca = curve_C(cv, cv->ta);
}

static double remaining(const struct curve *cv, double t)
{
	return curve_C(cv, t) - cv->Ca;
}

static double root_fn(double t, void *arg)
{
	const struct curve *cv = arg;

	return remaining(cv, t) - cv->need;
}

int ss_ms_root(double (*f)(double t, void *arg), void *arg, double a, double b, double *root)
{
	gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
	gsl_function fn = {f, arg};
	int st;

	if (!s)
		xalloc_die(0);
	*root = NAN;
	st = gsl_root_fsolver_set(s, &fn, a, b);
	for (int it = 0; st == GSL_SUCCESS; it++) {
		if (it == ROOT_ITER) {
			st = GSL_EMAXITER;
			break;
		}
		st = gsl_root_fsolver_iterate(s);
		if (st != GSL_SUCCESS)
			break;
		if (gsl_root_test_interval(gsl_root_fsolver_x_lower(s), gsl_root_fsolver_x_upper(s),
					   ROOT_TOL, 0) == GSL_SUCCESS) {
			*root = gsl_root_fsolver_root(s);
			break;
		}
	}
	gsl_root_fsolver_free(s);
	return st;
}

/*
 * The t > ta where R(t) = need (> 0), into *t: bracketed by doubling the
 * horizon, then Brent.  Returns 0; 1 when R stays below need within
 * SS_HORIZON_MAX (*t NAN); -1 when the search failed (R not finite, or
 * Brent did not converge).
 */
static int solve(struct curve *cv, double need, double *t)
{
	double h = 1.0, a = cv->ta, R;

	cv->need = need;
	*t = NAN;
	while ((R = remaining(cv, cv->ta + h)) < need) {
		a = cv->ta + h;
		if (h >= SS_HORIZON_MAX)
			return 1;
		h = fmin(2 * h, SS_HORIZON_MAX);
	}
	if (!isfinite(R))
		return -1;
	return ss_ms_root(root_fn, cv, a, cv->ta + h, t) == GSL_SUCCESS ? 0 : -1;
}

/* The day whose end is the first at or past time t (days since release). */
static int32_t day_of(int32_t release, double t)
{
	return release - 1 + (int32_t)ceil(t - 1e-9);
}

/* The interval's two parts at t (see milestones.h). */
static void interval_sd(const struct curve *cv, double t, double span, double *sd_param,
			double *sd_noise)
{
	const struct ss_model *m = cv->m;
	const struct ss_model_fit *mf = cv->mf;
	size_t p = m->np;
	double ts[2] = {cv->ta, t}, C[2], G[2 * SS_MODEL_PMAX], g[SS_MODEL_PMAX], v = 0;

	if (m->is_population) {
		/* the calibration's 10% and 90% as a normal spread on log R, all
		 * of it shared by the album's tracks (a catalog-wide swing moves
		 * them together: see album_total) */
		double h = t - cv->ta, z = gsl_cdf_ugaussian_Pinv(0.9);
		double lo = ss_pace_remaining(&ss_pace_shipped, &cv->pt, h, 0.1),
		       hi = ss_pace_remaining(&ss_pace_shipped, &cv->pt, h, 0.9);
		double sd = lo > 0 && hi > lo ? log(hi / lo) / (2 * z) : NAN;
		*sd_noise = sd;
		*sd_param = 0;
		return;
	}

	m->cum(mf->th, ts, 2, C, G);
	double R = C[1] - C[0];
	for (size_t j = 0; j < p; j++)
		g[j] = (G[p + j] - G[j]) / R;
	for (size_t i = 0; i < p; i++)
		for (size_t j = 0; j < p; j++)
			v += g[i] * mf->cov[i * p + j] * g[j];
	*sd_param = v >= 0 ? sqrt(v) : NAN;
	double h = t - cv->ta, len = mf->n > 0 ? span / (double)mf->n : NAN;
	*sd_noise = mf->rmse * sqrt(fmin(1.0, len / h));
}

double ss_ms_span(const struct ss_obs *obs, size_t n, int32_t release, int release_known,
		  int32_t last_day)
{
	if (n == 0)
		return 0;
	return (double)(last_day - (release_known ? release - 1 : obs[0].day - 1));
}

/*
 * The pace model's interval: its calibrated quantiles of the streams to
 * come, solved for need (pace.h), not the delta method; the split of its
 * spread is kept for the album draws.
 */
static void pace_interval(const struct curve *cv, int32_t release, double need, double level,
			  double span, double t, struct ss_crossing *c)
{
	double a = 0.5 - 0.5 * level;
	double tl = ss_pace_solve(&ss_pace_shipped, &cv->pt, need, 1 - a, SS_HORIZON_MAX);
	double th = ss_pace_solve(&ss_pace_shipped, &cv->pt, need, a, SS_HORIZON_MAX);

	interval_sd(cv, t, span, &c->sd_param, &c->sd_noise);
	if (isnan(tl)) {
		c->flags |= SS_MSF_NO_INTERVAL;
		return;
	}
	c->lo = day_of(release, cv->ta + tl);
	c->hi = isnan(th) ? SS_DAY_NEVER : day_of(release, cv->ta + th);
	if (c->lo > c->day)
		c->lo = c->day;
	if (c->hi != SS_DAY_NEVER && c->hi < c->day)
		c->hi = c->day;
}

void ss_ms_project(const struct ss_track_fit *tf, int model, double M, double level, double span,
		   struct ss_crossing *c)
{
	crossing_init(c);
	if (model < 0 || !tf->has_anchor) {
		c->why = tf->has_anchor ? SS_WHY_NO_MODEL : SS_WHY_NO_TOTAL;
		return;
	}
	const struct ss_model *m = &ss_models[model];
	const struct ss_model_fit *mf = &tf->m[model];
	struct curve cv;
	double need = M - tf->anchor_total;

	curve_init(&cv, tf, model);
	c->model = (int16_t)model;
	if (tf->fallback && m->is_yardstick)
		c->flags |= SS_MSF_FALLBACK;
	if (!(need > 0))
		need = 1.0; /* a bound at M exactly: the next stream */
	double lim = m->limit(mf->th);
	if (isfinite(lim) && lim - cv.Ca < need) {
		c->status = SS_MS_NEVER;
		c->why = SS_WHY_ASYMPTOTE;
		return;
	}
	double t;
	int st = solve(&cv, need, &t);
	if (st != 0) {
		c->status = st > 0 ? SS_MS_NEVER : SS_MS_UNKNOWN;
		c->why = st > 0 ? SS_WHY_HORIZON : SS_WHY_NO_ROOT;
		return;
	}
	c->status = SS_MS_PROJECTED;
	c->day = day_of(tf->release, t);
	if (m->is_population) {
		pace_interval(&cv, tf->release, need, level, span, t, c);
		return;
	}

	double sp, sn,
		q = mf->dof > 0 ? gsl_cdf_tdist_Pinv(0.5 + 0.5 * level, (double)mf->dof) : NAN;
	interval_sd(&cv, t, span, &sp, &sn);
	c->sd_param = sp;
	c->sd_noise = sn;
	double sd = sqrt(sp * sp + sn * sn);
	if (!isfinite(sd) || !isfinite(q)) {
		c->flags |= SS_MSF_NO_INTERVAL;
		return;
	}
	double tl, th = NAN;
	int sl = solve(&cv, need * exp(-q * sd), &tl);
	int sh = isfinite(lim) && lim - cv.Ca < need * exp(q * sd)
			 ? 1
			 : solve(&cv, need * exp(q * sd), &th);
	if (sl != 0 || sh < 0) {
		/* an end the search could not find is not made up: no interval */
		c->flags |= SS_MSF_NO_INTERVAL;
		return;
	}
	c->lo = day_of(tf->release, tl);
	c->hi = sh > 0 ? SS_DAY_NEVER : day_of(tf->release, th);
}

double ss_ms_curve(const struct ss_track_fit *tf, int model, int32_t day, double level, double span,
		   double *lo, double *hi)
{
	*lo = *hi = NAN;
	if (model < 0 || !tf->has_anchor)
		return NAN;
	const struct ss_model_fit *mf = &tf->m[model];
	struct curve cv;
	double t = (double)(day - tf->release) + 1.0;

	curve_init(&cv, tf, model);
	double R = remaining(&cv, t), v = tf->anchor_total + R;
	if (t <= cv.ta || !(R > 0) || mf->dof == 0)
		return v;
	if (cv.m->is_population) {
		double a = 0.5 - 0.5 * level;
		*lo = tf->anchor_total + ss_pace_remaining(&ss_pace_shipped, &cv.pt, t - cv.ta, a);
		*hi = tf->anchor_total +
		      ss_pace_remaining(&ss_pace_shipped, &cv.pt, t - cv.ta, 1 - a);
		return v;
	}
	double sp, sn, q = gsl_cdf_tdist_Pinv(0.5 + 0.5 * level, (double)mf->dof);
	interval_sd(&cv, t, span, &sp, &sn);
	double sd = sqrt(sp * sp + sn * sn);
	if (isfinite(sd)) {
		*lo = tf->anchor_total + R * exp(-q * sd);
		*hi = tf->anchor_total + R * exp(q * sd);
	}
	return v;
}

/* ---- tracks ----------------------------------------------------------- */

/* The day n years after day (29 February goes to 28 February). */
static int32_t years_after(int32_t day, int n)
{
	int y, mo, d;

	ss_date_to_ymd(day, &y, &mo, &d);
	if (mo == 2 && d == 29)
		d = 28;
	return ss_date_from_ymd(y + n, mo, d);
}

/* The recent pace: the yardstick's rate (mean daily streams of the last
 * week, or of the last interval between totals); NaN when not fitted. */
static double recent_pace(const struct ss_track_fit *tf)
{
	for (size_t i = 0; i < ss_nmodels; i++)
		if (ss_models[i].is_yardstick && tf->m[i].status == SS_FIT_OK)
			return ss_param_value(&ss_models[i].param[0], tf->m[i].th[0]);
	return NAN;
}

/*
 * The model a track's projections use: the rule's model where it fitted;
 * else the recent pace (the yardstick every method must beat) when the
 * rule is one of the two measured models; else the least-AICc curve.
 */
static int16_t track_model(const struct ss_track_fit *tf, int16_t rule)
{
	if (rule >= 0 && tf->m[rule].status == SS_FIT_OK)
		return rule;
	if (rule >= 0 && !ss_model_is_curve(&ss_models[rule]))
		for (size_t i = 0; i < ss_nmodels; i++)
			if (ss_models[i].is_yardstick && tf->m[i].status == SS_FIT_OK)
				return (int16_t)i;
	return tf->best;
}

static void track_pass(const struct ss_dataset *ds, const struct ss_fits *fits,
		       const struct ss_ms_options *opt, uint32_t t, struct ss_track_ms *tm)
{
	const struct ss_track *tr = &ds->tracks[t];
	const struct ss_track_fit *tf = &fits->tracks[t];
	size_t n;
	const struct ss_obs *obs = ss_series_of(ds, t, &n);
	int known = ss_release_known(ds, t);

	struct ss_crossing *cross = tm->c;

	memset(tm, 0, sizeof *tm);
	memset(cross, 0, opt->nmilestones * sizeof *cross);
	tm->c = cross;
	tm->track = t;
	tm->counts = tr->counts;
	tm->release = tr->release;
	tm->first_day = n ? obs[0].day : SS_DAY_NONE;
	tm->last_obs = n ? obs[n - 1].day : SS_DAY_NONE;
	tm->last_day = SS_DAY_NONE;
	tm->latest_total = NAN;
	tm->pace = recent_pace(tf);
	tm->model = track_model(tf, opt->model_rule);
	for (size_t i = n; i-- > 0;)
		if (obs[i].flags & SS_OBS_TOTAL) {
			tm->has_total = 1;
			tm->last_day = obs[i].day;
			tm->latest_total = (double)obs[i].total;
			tm->latest_bound = (obs[i].flags & SS_OBS_AT_LEAST) != 0;
			break;
		}
	const struct ss_album *al = &ds->albums[tr->album];
	tm->target = opt->by != SS_DAY_NONE
			     ? opt->by
			     : years_after(al->release_src ? al->release : tr->release, 1);
	tm->span = ss_ms_span(obs, n, tr->release, known, tf->last_day);

	for (size_t k = 0; k < opt->nmilestones; k++) {
		struct ss_crossing *c = &tm->c[k];
		double M = (double)opt->milestone[k];

		if (ss_ms_observed(obs, n, tr->release, known, M, c)) {
			if (!known && tr->release_src != SS_SRC_NONE)
				c->flags |= SS_MSF_INFERRED;
			continue;
		}
		if (n == 0) {
			crossing_init(c);
			c->why = SS_WHY_NO_DATA;
			continue;
		}
		ss_ms_project(tf, tm->model, M, opt->level, tm->span, c);
		if (!known && tr->release_src != SS_SRC_NONE)
			c->flags |= SS_MSF_INFERRED;
		if (c->why == SS_WHY_NO_TOTAL && known)
			c->why = SS_WHY_NO_START;
		if (c->status == SS_MS_PROJECTED &&
		    (double)(c->day - tf->last_day) > opt->extrapolate * tm->span)
			c->flags |= SS_MSF_EXTRAPOLATED;
		if (tm->has_total && tm->target > tm->last_day)
			c->needed = (M - tm->latest_total) / (double)(tm->target - tm->last_day);
	}
}

/* ---- albums ----------------------------------------------------------- */

/*
 * A track's curve tabulated for the joint draws: log R at GRID_N horizons,
 * then for each milestone the day as a function of a shock e on the log
 * scale (the day R(t) e^e reaches the streams still needed).
 */
struct tab {
	double logh[GRID_N], logR[GRID_N];
	double ta;
	int32_t release;
};

static void tab_build(const struct ss_track_fit *tf, int model, struct tab *tb)
{
	const struct ss_model *m = &ss_models[model];
	double ts[GRID_N + 1], C[GRID_N + 1];
	double ratio = pow(SS_HORIZON_MAX / GRID_H0, 1.0 / (GRID_N - 1));

	tb->ta = (double)(tf->anchor_day - tf->release) + 1.0;
	tb->release = tf->release;
	ts[0] = tb->ta;
	for (size_t k = 0; k < GRID_N; k++) {
		double h = GRID_H0 * pow(ratio, (double)k);
		tb->logh[k] = log(h);
		ts[k + 1] = tb->ta + h;
	}
	if (m->is_population) {
		struct curve cv;
		curve_init(&cv, tf, model);
		for (size_t k = 0; k <= GRID_N; k++)
			C[k] = curve_C(&cv, ts[k]);
	} else {
		m->cum(tf->m[model].th, ts, GRID_N + 1, C, NULL);
	}
	for (size_t k = 0; k < GRID_N; k++) {
		double R = C[k + 1] - C[0];
		tb->logR[k] = R > 0 ? log(R) : -INFINITY;
		if (k > 0 && tb->logR[k] < tb->logR[k - 1])
			tb->logR[k] = tb->logR[k - 1]; /* rounding: keep it monotone */
	}
}

/* The day log R reaches target; SS_DAY_NEVER past the grid. */
static int32_t tab_day(const struct tab *tb, double target)
{
	size_t lo = 0, hi = GRID_N - 1;

	if (target > tb->logR[hi])
		return SS_DAY_NEVER;
	if (target <= tb->logR[0])
		return day_of(tb->release, tb->ta + exp(tb->logh[0]));
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (tb->logR[mid] >= target)
			hi = mid;
		else
			lo = mid;
	}
	double span = tb->logR[hi] - tb->logR[lo];
	double f = span > 0 ? (target - tb->logR[lo]) / span : 1.0;
	double logh = tb->logh[lo] + f * (tb->logh[hi] - tb->logh[lo]);
	return day_of(tb->release, tb->ta + exp(logh));
}

/* R at day D from the table (0 before the anchor). */
static double tab_R(const struct tab *tb, int32_t D)
{
	double h = (double)(D - tb->release) + 1.0 - tb->ta;

	if (h <= 0)
		return 0;
	double lh = log(h);
	if (lh <= tb->logh[0])
		return exp(tb->logR[0]) * h / GRID_H0;
	if (lh >= tb->logh[GRID_N - 1])
		return exp(tb->logR[GRID_N - 1]);
	double x = (lh - tb->logh[0]) / (tb->logh[1] - tb->logh[0]);
	size_t k = (size_t)x;
	if (k >= GRID_N - 1)
		k = GRID_N - 2;
	double f = x - (double)k;
	return exp(tb->logR[k] + f * (tb->logR[k + 1] - tb->logR[k]));
}

static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/* Is crossing a later than b (for the bottleneck)?  Of equal days, one
 * known exactly is later than one only known to be by then. */
static int later(const struct ss_crossing *a, const struct ss_crossing *b)
{
	if (a->day != b->day)
		return a->day > b->day;
	return a->status == SS_MS_REACHED && b->status == SS_MS_REACHED && a->how == SS_HOW_EXACT &&
	       b->how != SS_HOW_EXACT;
}

/* A member's place in its series during a sweep. */
struct cursor {
	const struct ss_obs *obs;
	size_t n, j;   /* observations before j are on or before the day swept */
	int32_t pday;  /* the last total on or before it (or the day before the release) */
	double ptotal; /* ... its value */
	int have;      /* pday/ptotal are known (a total, or a known release) */
};

/* Buffers of a sweep, reused across albums. */
struct sweep {
	struct cursor *cu;
	size_t cu_cap;
	int32_t *days; /* the distinct observation days, ascending */
	size_t nd, days_cap;
	double *sums; /* the album total at each */
	size_t sums_cap;
	double *mins; /* the least of the members' totals at each */
	size_t mins_cap;
};

struct album_ctx {
	const struct ss_dataset *ds;
	const struct ss_fits *fits;
	const struct ss_ms_options *opt;
	struct ss_milestones *ms;
	uint32_t *members; /* the album's counting tracks */
	size_t nmembers;
	struct tab *tabs; /* one per member, built on demand */
	uint8_t *tab_built;
	int32_t *draw_day; /* opt->draws */
	uint32_t *last_count;
	gsl_rng *rng;
	/* the album-total sweep */
	struct sweep sw;
	int32_t reach[SS_MILESTONES_MAX];
	uint32_t lacking, lacking_first; /* members without a total */
	int all_exact;			 /* no member's total is a bound */
};

static const struct tab *member_tab(struct album_ctx *ac, size_t i)
{
	if (!ac->tab_built[i]) {
		const struct ss_track_ms *tm = &ac->ms->tracks[ac->members[i]];
		tab_build(&ac->fits->tracks[ac->members[i]], tm->model, &ac->tabs[i]);
		ac->tab_built[i] = 1;
	}
	return &ac->tabs[i];
}

/* Every member projected by the pace model (its album intervals below). */
static int all_pace(const struct album_ctx *ac)
{
	for (size_t i = 0; i < ac->nmembers; i++) {
		int model = ac->ms->tracks[ac->members[i]].model;
		if (model < 0 || !ss_models[model].is_population)
			return 0;
	}
	return ac->nmembers > 0;
}

/* "Every counting track >= milestone k" of one album. */
static void album_all(struct album_ctx *ac, size_t k, struct ss_album_crossing *ax)
{
	const struct ss_ms_options *opt = ac->opt;
	struct ss_crossing *x = &ax->x;
	size_t last = SIZE_MAX, open = 0;
	int reached = 1;

	crossing_init(x);
	ax->bottleneck = SS_NONE;
	ax->bottleneck_share = NAN;
	ax->lacking_first = SS_NONE;
	if (ac->nmembers == 0) {
		x->why = SS_WHY_NOT_COUNTING;
		return;
	}
	for (size_t i = 0; i < ac->nmembers; i++) {
		const struct ss_crossing *c = &ac->ms->tracks[ac->members[i]].c[k];
		if (c->status == SS_MS_UNKNOWN) {
			if (!ax->lacking++)
				ax->lacking_first = ac->members[i];
			continue;
		}
		if (c->status == SS_MS_NEVER) {
			/* one track that never gets there is enough */
			*x = *c;
			x->flags &= (uint8_t)~SS_MSF_INFERRED; /* the album's own, later */
			ax->bottleneck = ac->members[i];
			return;
		}
		if (c->status != SS_MS_REACHED) {
			reached = 0;
			open++;
		}
		if (last == SIZE_MAX || later(c, &ac->ms->tracks[ac->members[last]].c[k]))
			last = i;
	}
	if (ax->lacking) {
		x->why = SS_WHY_TRACKS;
		return;
	}
	const struct ss_crossing *lc = &ac->ms->tracks[ac->members[last]].c[k];
	ax->bottleneck = ac->members[last];
	x->status = reached ? SS_MS_REACHED : SS_MS_PROJECTED;
	x->how = lc->how;
	x->day = lc->day;
	x->model = lc->model;
	x->lo = x->hi = SS_DAY_NONE;
	for (size_t i = 0; i < ac->nmembers; i++) {
		const struct ss_crossing *c = &ac->ms->tracks[ac->members[i]].c[k];
		x->flags |= c->flags & (SS_MSF_EXTRAPOLATED | SS_MSF_NO_INTERVAL | SS_MSF_FALLBACK |
					SS_MSF_STALE);
	}
	if (reached) {
		/* the range: from the latest earliest day to the latest last day */
		int32_t lo = INT32_MIN, hi = INT32_MIN;
		for (size_t i = 0; i < ac->nmembers; i++) {
			const struct ss_crossing *c = &ac->ms->tracks[ac->members[i]].c[k];
			lo = c->lo == SS_DAY_NONE ? lo : (c->lo > lo ? c->lo : lo);
			hi = c->hi > hi ? c->hi : hi;
		}
		x->lo = lo == INT32_MIN ? SS_DAY_NONE : lo;
		x->hi = hi;
		/* exact only when the range is one day; "by" when a track known
		 * only by a day could be the last (its range reaches the album's) */
		x->how = x->lo == x->hi ? SS_HOW_EXACT : SS_HOW_INTERPOLATED;
		for (size_t i = 0; i < ac->nmembers && x->lo != x->hi; i++) {
			const struct ss_crossing *c = &ac->ms->tracks[ac->members[i]].c[k];
			if (c->how == SS_HOW_BY && (x->lo == SS_DAY_NONE || c->hi >= x->lo))
				x->how = SS_HOW_BY;
		}
		return;
	}
	if (x->flags & SS_MSF_NO_INTERVAL)
		return;
	if (all_pace(ac)) {
		/* tracks move together (see album_total): the album's interval
		 * ends are the latest of its tracks' */
		int32_t lo = INT32_MIN, hi = INT32_MIN;
		for (size_t i = 0; i < ac->nmembers; i++) {
			const struct ss_crossing *c = &ac->ms->tracks[ac->members[i]].c[k];
			int32_t l = c->status == SS_MS_REACHED ? c->day : c->lo;
			int32_t h = c->status == SS_MS_REACHED ? c->day : c->hi;
			if (l == SS_DAY_NONE || h == SS_DAY_NONE) {
				x->flags |= SS_MSF_NO_INTERVAL;
				return;
			}
			lo = l > lo ? l : lo;
			hi = h > hi ? h : hi;
		}
		x->lo = lo, x->hi = hi;
		ax->bottleneck_share = NAN;
		return;
	}
	if (open == 1) {
		/* one track still to go: its interval is the album's */
		x->lo = lc->lo, x->hi = lc->hi;
		ax->bottleneck_share = 1.0;
		for (size_t i = 0; i < ac->nmembers; i++) {
			const struct ss_crossing *c = &ac->ms->tracks[ac->members[i]].c[k];
			if (c->status == SS_MS_REACHED && c->day > x->lo)
				x->lo = c->day;
		}
		return;
	}

	/* Joint draws: per track, its day as a function of its shock. */
	size_t nm = ac->nmembers, S = opt->draws;
	double *eps_day = xcalloc(nm * EPS_N, sizeof(double));
	double *step = xcalloc(nm, sizeof(double));
	int32_t fixed = INT32_MIN;

	for (size_t i = 0; i < nm; i++) {
		const struct ss_track_ms *tm = &ac->ms->tracks[ac->members[i]];
		const struct ss_crossing *c = &tm->c[k];
		if (c->status == SS_MS_REACHED) {
			fixed = c->day > fixed ? c->day : fixed;
			continue;
		}
		const struct tab *tb = member_tab(ac, i);
		const struct ss_track_fit *tf = &ac->fits->tracks[ac->members[i]];
		double need = fmax((double)opt->milestone[k] - tf->anchor_total, 1.0);
		double sd = sqrt(c->sd_param * c->sd_param + c->sd_noise * c->sd_noise);
		step[i] = 2 * EPS_SPAN * sd / (EPS_N - 1);
		for (size_t e = 0; e < EPS_N; e++) {
			double eps = -EPS_SPAN * sd + (double)e * step[i];
			int32_t d = tab_day(tb, log(need) - eps);
			eps_day[i * EPS_N + e] = d == SS_DAY_NEVER ? INFINITY : (double)d;
		}
	}
	gsl_rng_set(ac->rng, mix(opt->seed ^ mix((uint64_t)ac->members[0] * SEED_MIX + k)));
	memset(ac->last_count, 0, nm * sizeof *ac->last_count);
	for (size_t s = 0; s < S; s++) {
		double za = gsl_ran_gaussian_ziggurat(ac->rng, 1.0), best = (double)fixed;
		size_t who = SIZE_MAX;
		for (size_t i = 0; i < nm; i++) {
			const struct ss_crossing *c = &ac->ms->tracks[ac->members[i]].c[k];
			if (c->status == SS_MS_REACHED)
				continue;
			double zi = gsl_ran_gaussian_ziggurat(ac->rng, 1.0);
			double eps = c->sd_param * zi + c->sd_noise * za;
			double pos = step[i] > 0 ? (eps / step[i]) + (EPS_N - 1) / 2.0 : 0;
			/* !(pos >= 0): NaN too (an infinite shock over an infinite step) */
			pos = !(pos >= 0) ? 0 : pos > EPS_N - 1 ? EPS_N - 1 : pos;
			size_t e = (size_t)pos;
			double f = pos - (double)e, d = eps_day[i * EPS_N + e];
			/* between two days, interpolate; next to a never, take the nearer
			 * (never + f * (day - never) would be NaN, a day out of range) */
			if (e + 1 < EPS_N && f > 0) {
				double next = eps_day[i * EPS_N + e + 1];

				if (isfinite(d) && isfinite(next))
					d += f * (next - d);
				else if (f > 0.5)
					d = next;
			}
			if (who == SIZE_MAX || d > best)
				best = d, who = i;
		}
		ac->draw_day[s] = isinf(best) ? SS_DAY_NEVER : (int32_t)ceil(best - 1e-9);
		if (who != SIZE_MAX)
			ac->last_count[who]++;
	}
	qsort(ac->draw_day, S, sizeof *ac->draw_day, cmp_i32);
	double a = 0.5 - 0.5 * opt->level;
	x->lo = ac->draw_day[(size_t)floor(a * (double)(S - 1))];
	x->hi = ac->draw_day[(size_t)ceil((1 - a) * (double)(S - 1))];
	/* The latest of several uncertain days comes later than the latest of
	 * their point estimates: the album's day is the draws' median, and its
	 * bottleneck the track most often last. */
	x->day = ac->draw_day[S / 2];
	if (x->day == SS_DAY_NEVER) {
		/* most draws never get there */
		x->status = SS_MS_NEVER;
		x->why = SS_WHY_HORIZON;
		x->day = x->lo = x->hi = SS_DAY_NONE;
	}
	for (size_t i = 0; i < nm; i++)
		if (ac->last_count[i] > ac->last_count[last])
			last = i;
	ax->bottleneck = ac->members[last];
	x->model = ac->ms->tracks[ac->members[last]].c[k].model;
	ax->bottleneck_share = (double)ac->last_count[last] / (double)S;
	free(eps_day);
	free(step);
}

static void sweep_release(struct sweep *sw)
{
	free(sw->cu);
	free(sw->days);
	free(sw->sums);
	free(sw->mins);
	memset(sw, 0, sizeof *sw);
}

/*
 * The album total of members[0..nm) at each day one of them has a total:
 * each member's total interpolated between its own observations (from 0 at
 * its release when that is known), its last total after them; and the least
 * of those totals (the "every track" line).
 */
static void sweep_sums(const struct ss_dataset *ds, const uint32_t *members, size_t nm,
		       struct sweep *sw)
{
	size_t nd = 0;

	xgrow(&sw->cu, &sw->cu_cap, nm + 1, sizeof *sw->cu);
	for (size_t i = 0; i < nm; i++) {
		uint32_t t = members[i];
		struct cursor *cu = &sw->cu[i];
		cu->obs = ss_series_of(ds, t, &cu->n);
		cu->j = 0;
		cu->pday = ds->tracks[t].release - 1;
		cu->ptotal = 0;
		cu->have = ss_release_known(ds, t);
		for (size_t j = 0; j < cu->n; j++)
			if (cu->obs[j].flags & SS_OBS_TOTAL) {
				xgrow(&sw->days, &sw->days_cap, nd + 1, sizeof *sw->days);
				sw->days[nd++] = cu->obs[j].day;
			}
	}
	if (nd > 0)
		qsort(sw->days, nd, sizeof *sw->days, cmp_i32);
	sw->nd = 0;
	for (size_t d = 0; d < nd; d++) {
		int32_t D = sw->days[d];
		double sum = 0, least = INFINITY;
		if (d > 0 && D == sw->days[d - 1])
			continue;
		for (size_t i = 0; i < nm; i++) {
			struct cursor *cu = &sw->cu[i];
			for (; cu->j < cu->n && cu->obs[cu->j].day <= D; cu->j++)
				if (cu->obs[cu->j].flags & SS_OBS_TOTAL) {
					cu->pday = cu->obs[cu->j].day;
					cu->ptotal = (double)cu->obs[cu->j].total;
					cu->have = 1;
				}
			double v = cu->pday <= D ? cu->ptotal : 0;
			size_t nx = cu->j;
			while (nx < cu->n && !(cu->obs[nx].flags & SS_OBS_TOTAL))
				nx++;
			if (cu->have && nx < cu->n && D > cu->pday)
				v = cu->ptotal + ((double)cu->obs[nx].total - cu->ptotal) *
							 (double)(D - cu->pday) /
							 (double)(cu->obs[nx].day - cu->pday);
			sum += v;
			least = v < least ? v : least;
		}
		xgrow(&sw->sums, &sw->sums_cap, sw->nd + 1, sizeof *sw->sums);
		xgrow(&sw->mins, &sw->mins_cap, sw->nd + 1, sizeof *sw->mins);
		sw->days[sw->nd] = D; /* in place: sw->nd <= d */
		sw->mins[sw->nd] = least;
		sw->sums[sw->nd++] = sum;
	}
}

/* The first of obs[0..n) dated on or after day (binary search). */
static size_t obs_from(const struct ss_obs *obs, size_t n, int32_t day)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (obs[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* A member's latest total (or bound) on or before day: a lower limit of
 * its total then (0 when it has none). */
static double member_low(const struct cursor *cu, int32_t day)
{
	for (size_t j = obs_from(cu->obs, cu->n, day + 1); j-- > 0;)
		if (cu->obs[j].flags & SS_OBS_TOTAL)
			return (double)cu->obs[j].total;
	return 0;
}

/*
 * An upper limit of a member's total at the end of day: 0 before a known
 * release, its next exact total, or a bound passed on a later day (the
 * day before, it was below); INFINITY when nothing limits it.
 */
static double member_high(const struct ss_dataset *ds, uint32_t t, const struct cursor *cu,
			  int32_t day)
{
	if (ss_release_known(ds, t) && day < ds->tracks[t].release)
		return 0;
	for (size_t j = obs_from(cu->obs, cu->n, day); j < cu->n; j++) {
		const struct ss_obs *o = &cu->obs[j];
		if (!(o->flags & SS_OBS_TOTAL))
			continue;
		if (!(o->flags & SS_OBS_AT_LEAST) || ((o->flags & SS_OBS_CROSSED) && o->day > day))
			return (double)o->total;
	}
	return INFINITY;
}

/* A member's total at the end of day, interpolated between its exact totals
 * (from 0 at a known release); its last total after them. */
static double member_mid(const struct ss_dataset *ds, uint32_t t, const struct cursor *cu,
			 int32_t day)
{
	size_t j = obs_from(cu->obs, cu->n, day + 1), p = j, q = j;
	int32_t pday = ds->tracks[t].release - 1;
	double ptotal = 0;

	while (p-- > 0 && !(cu->obs[p].flags & SS_OBS_TOTAL))
		;
	while (q < cu->n && !(cu->obs[q].flags & SS_OBS_TOTAL))
		q++;
	if (p < cu->n)
		pday = cu->obs[p].day, ptotal = (double)cu->obs[p].total;
	if (q >= cu->n || pday >= cu->obs[q].day)
		return ptotal;
	return ptotal + ((double)cu->obs[q].total - ptotal) * (double)(day - pday) /
				(double)(cu->obs[q].day - pday);
}

/* The members' sum at the end of day: 0 lower limits, 1 upper limits,
 * 2 interpolated. */
static double members_sum(const struct album_ctx *ac, int32_t day, int which)
{
	double s = 0;

	for (size_t i = 0; i < ac->nmembers; i++) {
		const struct cursor *cu = &ac->sw.cu[i];
		uint32_t t = ac->members[i];
		s += which == 0	  ? member_low(cu, day)
		     : which == 1 ? member_high(ac->ds, t, cu, day)
				  : member_mid(ac->ds, t, cu, day);
	}
	return s;
}

/*
 * For each milestone, the first day the album's total is known to have
 * reached it (ac->reach, SS_DAY_NONE if not yet): the first observation day
 * whose latest totals and bounds add up to M.  Also counts the members
 * without a total, and notes whether every member's totals are exact (only
 * then is the album's day interpolated).
 */
static void total_sweep(struct album_ctx *ac)
{
	size_t K = ac->opt->nmilestones, k = 0;

	ac->lacking = 0;
	ac->lacking_first = SS_NONE;
	ac->all_exact = 1;
	for (size_t i = 0; i < ac->nmembers; i++)
		if (!ac->ms->tracks[ac->members[i]].has_total && !ac->lacking++)
			ac->lacking_first = ac->members[i];
	for (size_t q = 0; q < K; q++)
		ac->reach[q] = SS_DAY_NONE;
	sweep_sums(ac->ds, ac->members, ac->nmembers, &ac->sw);
	for (size_t i = 0; i < ac->nmembers; i++) {
		const struct cursor *cu = &ac->sw.cu[i];
		for (size_t j = 0; j < cu->n; j++)
			if ((cu->obs[j].flags & SS_OBS_TOTAL) &&
			    (cu->obs[j].flags & SS_OBS_AT_LEAST))
				ac->all_exact = 0;
	}
	for (size_t d = 0; d < ac->sw.nd && k < K; d++) {
		double low = members_sum(ac, ac->sw.days[d], 0);
		for (; k < K && low >= (double)ac->opt->milestone[k]; k++)
			ac->reach[k] = ac->sw.days[d];
	}
}

/*
 * The observed album total's range and day for M, reached by day hi: it
 * starts after the last day whose upper limits add up to less than M
 * (upper limits only grow with the day: bisection).
 */
static void total_observed(struct album_ctx *ac, double M, int32_t hi, struct ss_crossing *x)
{
	int32_t a = INT32_MAX;

	for (size_t i = 0; i < ac->nmembers; i++) {
		uint32_t t = ac->members[i];
		const struct cursor *cu = &ac->sw.cu[i];
		int32_t s = ss_release_known(ac->ds, t) ? ac->ds->tracks[t].release - 1
			    : cu->n			? cu->obs[0].day - 1
							: hi - 1;
		a = s < a ? s : a;
	}
	x->status = SS_MS_REACHED;
	x->hi = x->day = hi;
	x->lo = SS_DAY_NONE;
	if (a < hi && members_sum(ac, a, 1) < M) {
		int32_t lo = a, up = hi; /* U(lo) < M; up: not known */
		while (up - lo > 1) {
			int32_t mid = lo + (up - lo) / 2;
			if (members_sum(ac, mid, 1) < M)
				lo = mid;
			else
				up = mid;
		}
		x->lo = lo + 1;
	}
	if (x->lo == hi) {
		x->how = SS_HOW_EXACT;
	} else if (x->lo != SS_DAY_NONE && ac->all_exact && !ac->lacking) {
		int32_t lo = x->lo - 1, up = hi; /* the first day the sum reaches M */
		while (up - lo > 1) {
			int32_t mid = lo + (up - lo) / 2;
			if (members_sum(ac, mid, 2) >= M)
				up = mid;
			else
				lo = mid;
		}
		x->how = SS_HOW_INTERPOLATED;
		x->day = up;
	} else {
		x->how = SS_HOW_BY;
	}
}

size_t ss_ms_album_series(const struct ss_dataset *ds, const struct ss_milestones *ms,
			  uint32_t album, int32_t **days, double **totals)
{
	struct sweep sw = {0};
	size_t ntr, nm = 0;
	const uint32_t *tr = ss_ms_album_tracks(ms, album, &ntr);
	uint32_t *members = xcalloc(ntr + 1, sizeof *members);

	for (size_t j = 0; j < ntr; j++)
		if (ms->tracks[tr[j]].counts)
			members[nm++] = tr[j];
	sweep_sums(ds, members, nm, &sw);
	free(members);
	free(sw.cu);
	free(sw.mins);
	*days = sw.days;
	*totals = sw.sums;
	return sw.nd;
}

size_t ss_ms_album_every_series(const struct ss_dataset *ds, const struct ss_milestones *ms,
				uint32_t album, int32_t **days, double **least)
{
	struct sweep sw = {0};
	size_t ntr, nm = 0;
	const uint32_t *tr = ss_ms_album_tracks(ms, album, &ntr);
	uint32_t *members = xcalloc(ntr + 1, sizeof *members);
	int lacking = 0;

	for (size_t j = 0; j < ntr; j++)
		if (ms->tracks[tr[j]].counts) {
			members[nm++] = tr[j];
			lacking |= !ms->tracks[tr[j]].has_total;
		}
	if (!lacking)
		sweep_sums(ds, members, nm, &sw);
	free(members);
	free(sw.cu);
	free(sw.sums);
	*days = sw.days;
	*least = sw.mins;
	return sw.nd;
}

/* The first day in (lo, hi] on which the members' streams after their
 * anchors add up to need (bisection: the sum grows with the day);
 * SS_DAY_NEVER when not even at hi. */
static int32_t first_day_reaching(struct album_ctx *ac, int32_t lo, int32_t hi, double need)
{
	double s = 0;

	for (size_t i = 0; i < ac->nmembers; i++)
		s += tab_R(member_tab(ac, i), hi);
	if (s < need)
		return SS_DAY_NEVER;
	while (hi - lo > 1) {
		int32_t mid = lo + (hi - lo) / 2;
		s = 0;
		for (size_t i = 0; i < ac->nmembers; i++)
			s += tab_R(member_tab(ac, i), mid);
		if (s >= need)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

/* The members' quantile p of the streams after their anchors at day D,
 * summed (the album's tracks move together: see album_total). */
static double pace_sum(const struct album_ctx *ac, int32_t D, double p)
{
	double s = 0;

	for (size_t i = 0; i < ac->nmembers; i++) {
		const struct ss_track_fit *tf = &ac->fits->tracks[ac->members[i]];
		const struct ss_track_ms *tm = &ac->ms->tracks[ac->members[i]];
		struct curve cv;
		curve_init(&cv, tf, tm->model);
		double h = (double)(D - tf->release) + 1.0 - cv.ta;
		s += h > 0 ? ss_pace_remaining(&ss_pace_shipped, &cv.pt, h, p) : 0;
	}
	return s;
}

/* The first day in (lo, hi] whose pace_sum at p reaches need;
 * SS_DAY_NEVER when not even at hi. */
static int32_t pace_sum_day(const struct album_ctx *ac, int32_t lo, int32_t hi, double need,
			    double p)
{
	if (pace_sum(ac, hi, p) < need)
		return SS_DAY_NEVER;
	while (hi - lo > 1) {
		int32_t mid = lo + (hi - lo) / 2;
		if (pace_sum(ac, mid, p) >= need)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

/* "Album total >= milestone k". */
static void album_total(struct album_ctx *ac, size_t k, struct ss_album_crossing *ax)
{
	struct ss_crossing *x = &ax->x;
	double M = (double)ac->opt->milestone[k];

	crossing_init(x);
	ax->bottleneck = SS_NONE;
	ax->bottleneck_share = NAN;
	ax->lacking_first = SS_NONE;
	if (ac->nmembers == 0) {
		x->why = SS_WHY_NOT_COUNTING;
		return;
	}
	/* observed: from the sweep */
	ax->lacking = ac->lacking;
	ax->lacking_first = ac->lacking_first;
	if (ac->reach[k] != SS_DAY_NONE) {
		total_observed(ac, M, ac->reach[k], x);
		if (ax->lacking)
			x->flags |= SS_MSF_PARTIAL;
		return;
	}
	if (ax->lacking) {
		x->why = SS_WHY_TRACKS;
		return;
	}
	/* projected: the first day D with sum of (total_i + R_i(D)) >= M */
	double base = 0;
	int32_t start = INT32_MIN;
	for (size_t i = 0; i < ac->nmembers; i++) {
		const struct ss_track_ms *tm = &ac->ms->tracks[ac->members[i]];
		if (tm->model < 0) {
			if (!ax->lacking++)
				ax->lacking_first = ac->members[i];
			continue;
		}
		base += ac->fits->tracks[ac->members[i]].anchor_total;
		start = tm->last_day > start ? tm->last_day : start;
		x->flags |= tm->c[k].flags & (SS_MSF_FALLBACK | SS_MSF_NO_INTERVAL | SS_MSF_STALE);
	}
	if (ax->lacking) {
		x->why = SS_WHY_TRACKS;
		return;
	}
	int32_t lo = start, hi = start + (int32_t)SS_HORIZON_MAX;
	if (first_day_reaching(ac, lo, hi, M - base) == SS_DAY_NEVER) {
		x->status = SS_MS_NEVER;
		x->why = SS_WHY_HORIZON;
		return;
	}
	double need_total = M - base;
	int32_t day = first_day_reaching(ac, lo, hi, need_total);
	x->status = SS_MS_PROJECTED;
	x->day = day;
	if (x->flags & SS_MSF_NO_INTERVAL)
		return;
	if (all_pace(ac)) {
		/*
		 * The pace model's errors are mostly catalog-wide swings: on the
		 * real histories of its calibration an album total's error is as
		 * wide as its tracks' quantiles (ss_pace_cal.album_widen), so the
		 * quantiles of the sum are the sums of the quantiles.
		 */
		double a = 0.5 - 0.5 * ac->opt->level;
		x->lo = pace_sum_day(ac, lo, day, need_total, 1 - a);
		x->hi = pace_sum_day(ac, day - 1, hi, need_total, a);
		/* the day comes from the tabulated median: keep it inside */
		if (x->lo == SS_DAY_NEVER || x->lo > day)
			x->lo = day;
		if (x->hi != SS_DAY_NEVER && x->hi < day)
			x->hi = day;
		return;
	}
	/* the sum's uncertainty at that day: each track's parameter part is its
	 * own, the noise part is shared by the album */
	double var_p = 0, sd_n = 0, sum_r = 0;
	for (size_t i = 0; i < ac->nmembers; i++) {
		uint32_t t = ac->members[i];
		const struct ss_track_fit *tf = &ac->fits->tracks[t];
		const struct ss_track_ms *tm = &ac->ms->tracks[t];
		int model = tm->model;
		struct curve cv;
		double tday = (double)(day - tf->release) + 1.0, sp, sn;
		curve_init(&cv, tf, model);
		if (tday <= cv.ta)
			continue;
		double r = remaining(&cv, tday);
		interval_sd(&cv, tday, tm->span, &sp, &sn);
		if (!isfinite(sp) || !isfinite(sn) || tf->m[model].dof == 0) {
			x->flags |= SS_MSF_NO_INTERVAL;
			return;
		}
		sum_r += r;
		var_p += r * r * sp * sp;
		sd_n += r * sn;
	}
	if (!(sum_r > 0))
		return;
	double q = gsl_cdf_ugaussian_Pinv(0.5 + 0.5 * ac->opt->level);
	double sd = sqrt(var_p + sd_n * sd_n) / sum_r;
	x->lo = first_day_reaching(ac, lo, day, need_total * exp(-q * sd));
	x->hi = first_day_reaching(ac, day, hi, need_total * exp(q * sd));
}

/* The shared state of the track and album passes. */
struct pass {
	const struct ss_dataset *ds;
	const struct ss_fits *fits;
	const struct ss_ms_options *opt;
	struct ss_milestones *ms;
	size_t maxm; /* the most tracks of one album */
	atomic_size_t next;
};

#define TRACK_CHUNK 64

static void *tracks_worker(void *arg)
{
	struct pass *ps = arg;

	for (;;) {
		size_t from = atomic_fetch_add(&ps->next, TRACK_CHUNK);
		if (from >= ps->ms->ntracks)
			break;
		size_t to =
			from + TRACK_CHUNK < ps->ms->ntracks ? from + TRACK_CHUNK : ps->ms->ntracks;
		for (size_t t = from; t < to; t++)
			track_pass(ps->ds, ps->fits, ps->opt, (uint32_t)t, &ps->ms->tracks[t]);
	}
	return NULL;
}

/*
 * An album cannot pass a milestone before it exists: pre-release singles
 * may have got there first, and then the album did on its release day
 * (only known to be by then).
 */
static void not_before(struct ss_crossing *x, int32_t release)
{
	if (x->status != SS_MS_REACHED && x->status != SS_MS_PROJECTED)
		return;
	if (x->day < release) {
		x->day = release;
		if (x->status == SS_MS_REACHED) {
			x->how = SS_HOW_BY;
			x->hi = release;
		}
	}
	/* nor can its range start before it: an observed one starts there at
	 * the earliest */
	if ((x->lo != SS_DAY_NONE && x->lo < release) ||
	    (x->status == SS_MS_REACHED && x->lo == SS_DAY_NONE))
		x->lo = release;
	if (x->hi != SS_DAY_NONE && x->hi != SS_DAY_NEVER && x->hi < release)
		x->hi = release;
}

static void album_pass(struct album_ctx *ac, const struct pass *ps, size_t a)
{
	struct ss_album_ms *am = &ps->ms->albums[a];
	struct ss_album_crossing *all = am->all, *total = am->total;
	size_t K = ps->opt->nmilestones;

	memset(am, 0, sizeof *am);
	memset(all, 0, K * sizeof *all);
	memset(total, 0, K * sizeof *total);
	am->all = all;
	am->total = total;
	am->album = (uint32_t)a;
	ac->nmembers = 0;
	size_t ntr;
	const uint32_t *tr = ss_ms_album_tracks(ps->ms, a, &ntr);

	for (size_t j = 0; j < ntr; j++) {
		const struct ss_track_ms *tm = &ps->ms->tracks[tr[j]];
		if (!tm->counts) {
			am->excluded++;
			continue;
		}
		ac->members[ac->nmembers] = tr[j];
		ac->tab_built[ac->nmembers++] = 0;
		am->with_data += ps->ds->tracks[tr[j]].n > 0;
		if (tm->has_total)
			am->latest_total += tm->latest_total;
	}
	am->counted = (uint32_t)ac->nmembers;
	total_sweep(ac);
	const struct ss_album *al = &ps->ds->albums[a];
	for (size_t k = 0; k < ps->opt->nmilestones; k++) {
		album_all(ac, k, &am->all[k]);
		album_total(ac, k, &am->total[k]);
		if (al->release_src != SS_SRC_NONE) {
			not_before(&am->all[k].x, al->release);
			not_before(&am->total[k].x, al->release);
		}
		if (al->release_src == SS_SRC_INFERRED) {
			am->all[k].x.flags |= SS_MSF_INFERRED;
			am->total[k].x.flags |= SS_MSF_INFERRED;
		}
	}
}

static void *albums_worker(void *arg)
{
	struct pass *ps = arg;
	size_t maxm = ps->maxm, draws = ps->opt->draws ? ps->opt->draws : 1;
	struct album_ctx ac = {.ds = ps->ds, .fits = ps->fits, .opt = ps->opt, .ms = ps->ms};

	ac.members = xcalloc(maxm + 1, sizeof *ac.members);
	ac.tabs = xcalloc(maxm + 1, sizeof *ac.tabs);
	ac.tab_built = xcalloc(maxm + 1, 1);
	ac.draw_day = xcalloc(draws, sizeof *ac.draw_day);
	ac.last_count = xcalloc(maxm + 1, sizeof *ac.last_count);
	ac.rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (!ac.rng)
		xalloc_die(0);
	for (;;) {
		size_t a = atomic_fetch_add(&ps->next, 1);
		if (a >= ps->ms->nalbums)
			break;
		album_pass(&ac, ps, a);
	}
	gsl_rng_free(ac.rng);
	sweep_release(&ac.sw);
	free(ac.last_count);
	free(ac.draw_day);
	free(ac.tab_built);
	free(ac.tabs);
	free(ac.members);
	return NULL;
}

/* Group tracks by album, in id order (ms->album_first, ms->album_tracks). */
static void group_tracks(struct pass *ps)
{
	struct ss_milestones *ms = ps->ms;

	ss_dataset_album_tracks(ps->ds, &ms->album_first, &ms->album_tracks);
	for (size_t a = 0; a < ms->nalbums; a++) {
		uint32_t m = ms->album_first[a + 1] - ms->album_first[a];
		ps->maxm = m > ps->maxm ? m : ps->maxm;
	}
}

/* ---- what an album lacks ---------------------------------------------- */

size_t ss_ms_album_lacking(const struct ss_milestones *ms, uint32_t album, size_t k, int total,
			   uint32_t *out, size_t max)
{
	size_t n = 0, ntr;
	const uint32_t *tr = ss_ms_album_tracks(ms, album, &ntr);

	for (size_t j = 0; j < ntr; j++) {
		const struct ss_track_ms *tm = &ms->tracks[tr[j]];
		int lacks =
			total ? !tm->has_total || tm->model < 0 : tm->c[k].status == SS_MS_UNKNOWN;
		if (!tm->counts || !lacks)
			continue;
		if (n < max)
			out[n] = tr[j];
		n++;
	}
	return n;
}

/* An album projection that rests on stale tracks: which, and from when. */
static const char *stale_tracks(const struct ss_dataset *ds, const struct ss_milestones *ms,
				uint32_t album, size_t k, char *buf, size_t size)
{
	size_t ntr, n = 0, len;
	const uint32_t *tr = ss_ms_album_tracks(ms, album, &ntr);
	char last[SS_DATE_LEN + 1];

	len = (size_t)snprintf(buf, size, "continues from stale tracks' older totals:");
	for (size_t j = 0; j < ntr && len < size; j++) {
		const struct ss_track_ms *tm = &ms->tracks[tr[j]];
		if (!tm->counts || !(tm->c[k].flags & SS_MSF_STALE) || !tm->has_total)
			continue;
		if (n++ == 8) {
			snprintf(buf + len, size - len, " ...");
			break;
		}
		ss_date_format(tm->last_day, last);
		len += (size_t)snprintf(buf + len, size - len, "%s %s (%s)", n > 1 ? "," : "",
					ss_track_name(ds, tr[j]), last);
	}
	return buf;
}

const char *ss_ms_album_reason(const struct ss_dataset *ds, const struct ss_milestones *ms,
			       uint32_t album, size_t k, int total, char *buf, size_t size)
{
	const struct ss_album_ms *am = &ms->albums[album];
	const struct ss_album_crossing *ax = total ? &am->total[k] : &am->all[k];
	uint32_t lack[8];

	buf[0] = '\0';
	if (ax->x.why == SS_WHY_NONE && (ax->x.flags & SS_MSF_STALE))
		return stale_tracks(ds, ms, album, k, buf, size);
	if (ax->x.why != SS_WHY_TRACKS) {
		snprintf(buf, size, "%s", ss_ms_why_text((enum ss_ms_why)ax->x.why));
		return buf;
	}
	size_t n = ss_ms_album_lacking(ms, album, k, total, lack, 8);
	const char *what = total ? "lack a total or a model" : "lack data or a model";
	/* Tracks that all lack a total for the same reason: say which. */
	uint8_t why = n && n <= 8 ? ms->tracks[lack[0]].c[k].why : SS_WHY_NONE;
	for (size_t i = 1; i < n && i < 8; i++)
		if (ms->tracks[lack[i]].c[k].why != why)
			why = SS_WHY_NONE;
	if (n && why == SS_WHY_NO_TOTAL)
		what = "have daily counts only and no release date, so no total is known";
	else if (n && why == SS_WHY_NO_START)
		what = "have daily counts that start after their release (the streams before are "
		       "missing), so no total is known";
	size_t len =
		(size_t)snprintf(buf, size, "%zu of %u counting tracks %s:", n, am->counted, what);
	for (size_t i = 0; i < n && i < 8 && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s %s", i ? "," : "",
					ss_track_name(ds, lack[i]));
	if (n > 8 && len < size)
		snprintf(buf + len, size - len, " and %zu more", n - 8);
	return buf;
}

const char *ss_ms_day_text(const struct ss_ms_options *opt, const struct ss_crossing *c,
			   int32_t release, char *buf, size_t size)
{
	buf[0] = '\0';
	if ((c->status != SS_MS_REACHED && c->status != SS_MS_PROJECTED) || c->day == SS_DAY_NONE)
		return buf;
	long day = (long)ss_ms_day_number(opt, c->day, release);
	if (c->status != SS_MS_REACHED || c->how != SS_HOW_BY || c->lo == c->day)
		snprintf(buf, size, "%ld", day);
	else if (c->lo == SS_DAY_NONE)
		snprintf(buf, size, "<=%ld", day);
	else
		snprintf(buf, size, "%ld..%ld", (long)ss_ms_day_number(opt, c->lo, release), day);
	return buf;
}

size_t ss_ms_album_bounded(const struct ss_milestones *ms, uint32_t album, size_t k, uint32_t *out,
			   size_t max)
{
	const struct ss_crossing *x = &ms->albums[album].all[k].x;
	size_t n = 0, ntr;
	const uint32_t *tr = ss_ms_album_tracks(ms, album, &ntr);

	if (x->status != SS_MS_REACHED || x->how == SS_HOW_EXACT)
		return 0;
	for (size_t j = 0; j < ntr; j++) {
		const struct ss_track_ms *tm = &ms->tracks[tr[j]];
		const struct ss_crossing *c = &tm->c[k];
		if (!tm->counts || c->status != SS_MS_REACHED || c->how != SS_HOW_BY)
			continue;
		if (x->lo != SS_DAY_NONE && c->hi < x->lo)
			continue;
		if (n < max)
			out[n] = tr[j];
		n++;
	}
	return n;
}

const char *ss_ms_unranked_text(enum ss_ms_unranked u)
{
	static const char *const text[] = {"", "range overlaps", "partial sum"};

	return (unsigned)u < SS_UNRANKED_COUNT ? text[u] : "?";
}

const char *ss_ms_rank_note(const struct ss_album_crossing *ax, char *buf, size_t size)
{
	buf[0] = '\0';
	if (ax->x.status != SS_MS_REACHED || ax->unranked == SS_UNRANKED_NONE)
		return buf;
	if (ax->unranked == SS_UNRANKED_OVERLAP)
		snprintf(buf, size, "unranked: range overlaps (ranks %u to %u)", ax->rank_lo,
			 ax->rank_hi);
	else
		snprintf(buf, size, "unranked: %s",
			 ss_ms_unranked_text((enum ss_ms_unranked)ax->unranked));
	return buf;
}

const char *ss_ms_album_note(const struct ss_dataset *ds, const struct ss_milestones *ms,
			     uint32_t album, size_t k, int total, char *buf, size_t size)
{
	const struct ss_album_ms *am = &ms->albums[album];
	const struct ss_album_crossing *ax = total ? &am->total[k] : &am->all[k];
	uint32_t ids[8];
	size_t len, n;

	if (ax->x.status != SS_MS_REACHED)
		return ss_ms_album_reason(ds, ms, album, k, total, buf, size);
	ss_ms_rank_note(ax, buf, size);
	len = strlen(buf);
	n = total ? 0 : ss_ms_album_bounded(ms, album, k, ids, 8);
	for (size_t i = 0; i < n && i < 8 && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
					i     ? ", "
					: len ? "; only known by then: "
					      : "only known by then: ",
					ss_track_name(ds, ids[i]));
	if (n > 8 && len < size)
		len += (size_t)snprintf(buf + len, size - len, " and %zu more", n - 8);
	if ((ax->rank || ax->unranked == SS_UNRANKED_OVERLAP) && ax->rank_inferred && len < size)
		snprintf(buf + len, size - len, "%sranked on days from inferred release dates",
			 len ? "; " : "");
	return buf;
}

/* ---- rankings --------------------------------------------------------- */

/* How many of the n sorted days come before day. */
static size_t days_before(const int32_t *sorted, size_t n, int32_t day)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (sorted[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Rank the albums' crossings of milestone k by day number (1 = first; ties
 * share a rank), and compare each with the best of the others.  A crossing
 * known to within a range [lo, hi] may rank anywhere from 1 + the albums
 * surely before it (their hi before its lo) to 1 + those possibly before it
 * (their lo before its hi): it is ranked only when that is one rank.  A
 * partial album total is neither ranked nor compared with.
 * Sorted once, so a catalog of 100,000 albums ranks in O(n log n).
 */
static void rank_kind(const struct ss_dataset *ds, struct ss_milestones *ms, size_t k, int total)
{
	size_t na = ms->nalbums, nc = 0, nranked = 0;
	int32_t *lo = xcalloc(na ? na : 1, sizeof *lo), *hi = xcalloc(na ? na : 1, sizeof *hi);
	int32_t *slo = xcalloc(na ? na : 1, sizeof *slo), *shi = xcalloc(na ? na : 1, sizeof *shi);
	int32_t *sday = xcalloc(na ? na : 1, sizeof *sday);
	int inferred = 0;

	for (size_t a = 0; a < na; a++) {
		struct ss_album_crossing *ax =
			total ? &ms->albums[a].total[k] : &ms->albums[a].all[k];
		const struct ss_album *al = &ds->albums[a];
		const struct ss_crossing *x = &ax->x;
		/* a partial album total, like an unknown "every track", is not
		 * compared: ranks are among albums whose crossing is known */
		int partial = total && (x->flags & SS_MSF_PARTIAL);
		int ok = x->status == SS_MS_REACHED && al->release_src != SS_SRC_NONE;
		ax->rank = ax->rank_lo = ax->rank_hi = 0;
		ax->unranked = SS_UNRANKED_NONE;
		ax->rank_inferred = 0;
		ax->vs_peer = NAN;
		lo[a] = hi[a] = INT32_MAX;
		if (ok && partial)
			ax->unranked = SS_UNRANKED_PARTIAL;
		if (!ok || partial)
			continue;
		hi[a] = ss_ms_day_number(&ms->opt, x->hi != SS_DAY_NONE ? x->hi : x->day,
					 al->release);
		lo[a] = x->lo != SS_DAY_NONE ? ss_ms_day_number(&ms->opt, x->lo, al->release)
					     : INT32_MIN;
		slo[nc] = lo[a];
		shi[nc++] = hi[a];
		inferred |= al->release_src == SS_SRC_INFERRED;
	}
	qsort(slo, nc, sizeof *slo, cmp_i32);
	qsort(shi, nc, sizeof *shi, cmp_i32);
	for (size_t a = 0; a < na; a++) {
		struct ss_album_crossing *ax =
			total ? &ms->albums[a].total[k] : &ms->albums[a].all[k];
		if (hi[a] == INT32_MAX)
			continue;
		/* itself is not before itself: only its lo can be below its hi */
		size_t before = days_before(shi, nc, lo[a]);
		size_t maybe = days_before(slo, nc, hi[a]) - (lo[a] < hi[a]);
		ax->rank_lo = 1 + (uint32_t)before;
		ax->rank_hi = 1 + (uint32_t)maybe;
		ax->rank_inferred = (uint8_t)inferred;
		if (ax->rank_lo != ax->rank_hi)
			ax->unranked = SS_UNRANKED_OVERLAP;
		else {
			ax->rank = ax->rank_lo;
			sday[nranked++] = hi[a];
		}
	}
	/* the best other ranked album: the first, unless this is the first
	 * alone (a ranked crossing's range is one day where it matters) */
	qsort(sday, nranked, sizeof *sday, cmp_i32);
	for (size_t a = 0; a < na; a++) {
		struct ss_album_crossing *ax =
			total ? &ms->albums[a].total[k] : &ms->albums[a].all[k];
		if (!ax->rank || lo[a] != hi[a])
			continue;
		int32_t best_other = INT32_MAX;
		if (hi[a] != sday[0] || (nranked > 1 && sday[1] == sday[0]))
			best_other = sday[0];
		else if (nranked > 1)
			best_other = sday[1];
		if (best_other != INT32_MAX && best_other != 0)
			ax->vs_peer = (double)hi[a] / (double)best_other;
	}
	free(sday);
	free(shi);
	free(slo);
	free(hi);
	free(lo);
}

/* ---- the horizon ------------------------------------------------------ */

/* A projection past end becomes "after end". */
static void past_horizon(struct ss_crossing *c, int32_t end)
{
	if (c->status != SS_MS_PROJECTED || c->day <= end)
		return;
	c->status = SS_MS_AFTER;
	c->day = end;
	c->lo = c->hi = SS_DAY_NONE;
	c->flags &= (uint8_t)~SS_MSF_EXTRAPOLATED;
}

/* Once the albums have their days from their tracks' (see milestones.h). */
static void apply_horizon(struct ss_milestones *ms)
{
	if (ms->as_of == SS_DAY_NONE)
		return;
	ms->horizon_end = years_after(ms->as_of, ms->opt.horizon_years);
	for (size_t i = 0; i < ms->ntracks * ms->opt.nmilestones; i++)
		past_horizon(&ms->crossings[i], ms->horizon_end);
	for (size_t i = 0; i < ms->nalbums * 2 * ms->opt.nmilestones; i++)
		past_horizon(&ms->album_crossings[i].x, ms->horizon_end);
}

/* ---- stale tracks ----------------------------------------------------- */

/*
 * A track whose last observation is well before the latest data (its feed
 * stopped) is projected from that older day: its projections are flagged,
 * before the albums take the flags from their tracks.
 */
static void mark_stale(const struct ss_dataset *ds, struct ss_milestones *ms)
{
	if (ms->opt.stale_days <= 0 || ms->as_of == SS_DAY_NONE)
		return;
	for (size_t t = 0; t < ms->ntracks; t++) {
		struct ss_track_ms *tm = &ms->tracks[t];

		if (!ss_series_is_stale(ds, (uint32_t)t, ms->as_of, ms->opt.stale_days))
			continue;
		tm->stale = 1;
		for (size_t k = 0; k < ms->opt.nmilestones; k++)
			if (tm->c[k].status != SS_MS_REACHED)
				tm->c[k].flags |= SS_MSF_STALE;
	}
}

const char *ss_ms_track_reason(const struct ss_milestones *ms, const struct ss_track_ms *tm,
			       size_t k, char *buf, size_t size)
{
	const struct ss_crossing *c = &tm->c[k];
	char last[SS_DATE_LEN + 1];

	if (c->why != SS_WHY_NONE) {
		snprintf(buf, size, "%s", ss_ms_why_text((enum ss_ms_why)c->why));
		return buf;
	}
	buf[0] = '\0';
	if ((c->flags & SS_MSF_STALE) && tm->has_total) {
		ss_date_format(tm->last_day, last);
		snprintf(buf, size,
			 "stale: continues from %s, its last total, %ld days before the latest "
			 "data",
			 last, (long)((int64_t)ms->as_of - tm->last_day));
	}
	return buf;
}

/* ---- the stage -------------------------------------------------------- */

void ss_milestones_run(const struct ss_dataset *ds, const struct ss_fits *fits,
		       const struct ss_ms_options *opt, struct ss_milestones *out)
{
	size_t nt = ss_dataset_ntracks(ds), na = ss_dataset_nalbums(ds);

	memset(out, 0, sizeof *out);
	out->opt = *opt;
	out->ntracks = nt;
	out->nalbums = na;
	out->tracks = xcalloc(nt ? nt : 1, sizeof *out->tracks);
	out->albums = xcalloc(na ? na : 1, sizeof *out->albums);
	size_t K = opt->nmilestones ? opt->nmilestones : 1;
	out->crossings = xcalloc((nt ? nt : 1) * K, sizeof *out->crossings);
	out->album_crossings = xcalloc((na ? na : 1) * 2 * K, sizeof *out->album_crossings);
	for (size_t t = 0; t < nt; t++)
		out->tracks[t].c = out->crossings + t * K;
	for (size_t a = 0; a < na; a++) {
		out->albums[a].all = out->album_crossings + 2 * a * K;
		out->albums[a].total = out->albums[a].all + K;
	}
	out->as_of = opt->latest;
	for (size_t i = 0; i < ds->nobs && opt->latest == SS_DAY_NONE; i++)
		if (out->as_of == SS_DAY_NONE || ds->obs[i].day > out->as_of)
			out->as_of = ds->obs[i].day;
	struct pass ps = {.ds = ds, .fits = fits, .opt = opt, .ms = out};
	atomic_init(&ps.next, 0);
	ss_parallel(opt->jobs, (nt + TRACK_CHUNK - 1) / TRACK_CHUNK, tracks_worker, &ps);
	mark_stale(ds, out);
	group_tracks(&ps);
	atomic_store(&ps.next, 0);
	ss_parallel(opt->jobs, na, albums_worker, &ps);
	apply_horizon(out);
	ss_milestones_rank(ds, out);
}

void ss_milestones_rank(const struct ss_dataset *ds, struct ss_milestones *ms)
{
	for (size_t k = 0; k < ms->opt.nmilestones; k++) {
		rank_kind(ds, ms, k, 0);
		rank_kind(ds, ms, k, 1);
	}
}

void ss_milestones_release(struct ss_milestones *ms)
{
	free(ms->tracks);
	free(ms->albums);
	free(ms->album_first);
	free(ms->album_tracks);
	free(ms->crossings);
	free(ms->album_crossings);
	memset(ms, 0, sizeof *ms);
}
