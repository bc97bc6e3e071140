/*
 * milestones.h - when tracks and albums cross stream milestones.
 *
 * For each track and milestone M (50M, 100M ...):
 *  - observed: the first day whose total is at least M.  Its range starts
 *    after the last day known to be below M (an exact total under M, the
 *    day before a bound under M was passed, or the day before a known
 *    release) and ends at the first total (or bound) at least M.  Between
 *    two exact totals the day is interpolated linearly and marked so;
 *    daily totals on consecutive days, or a lower bound marked "crossed"
 *    that day (bound=crossed) at exactly M, give the exact day; anything
 *    resting on a lower bound is only known to be "by" the range's end.
 *  - projected: the day the track's model, continued from the last observed
 *    total, reaches M (Brent's method), with a prediction interval; "never"
 *    when the model's total stays below M (its asymptote, or beyond
 *    SS_HORIZON_MAX days); "unknown" when there is no model.  The model is
 *    opt->model_rule where it applies (by default the pace model, pace.h,
 *    whose interval ends are where its calibrated quantiles reach M), else
 *    the recent pace, or with model_rule -1 the least-AICc curve.
 *
 * A curve's interval (delta method on the log of the streams still to come,
 * R(t) = C(t) - C(t_anchor)): var log R = g' Cov g + s^2 min(1, L / h), g
 * the gradient of log R in the fit's parameters, s the fit's RMSE (log
 * scale), L the mean length of the fitted intervals and h the horizon: the
 * parameter uncertainty plus the noise of the curve, which averages out over
 * horizons longer than the intervals it was measured on.  The bounds solve
 * R(t) = (M - total) e^(-/+ q sd), q the level's t quantile.  The backtest
 * (backtest.h) measures how often the intervals hold.
 *
 * Albums (tracks that count: the catalog's `counts`, less exclusions):
 *  - "every track >= M": the latest of the tracks' days, the bottleneck
 *    named (of equal days, the one known exactly is the later).  Projected,
 *    the interval comes from joint draws: each track's parameter error is its
 *    own, the noise term is shared by the album (album-level shocks move
 *    tracks together), and the album's day is the maximum in each draw (its
 *    date is the draws' median, its bottleneck the track most often last).  A
 *    counting track without data, or without a model, makes it unknown.
 *  - "album total >= M": reached by the first day on which the tracks'
 *    latest totals (bounds included) add up to M; its range starts after the
 *    last day on which upper limits of every track (its next exact total,
 *    a bound passed the day after, 0 before a known release) add up to less
 *    than M.  Interpolated (the tracks' totals summed, each interpolated
 *    between its own observations) only when every total is exact, else
 *    "by"; a sum missing tracks is flagged partial.  Projected by solving
 *    sum C_i(t) = M (bisection on days), its interval by the delta method
 *    on the sum: the tracks' parameter parts independent, their noise parts
 *    moving together.
 *  The joint draws are seeded per album and milestone (opt->seed), so the
 *  result does not depend on the number of threads.
 *  - an album's day is never before its release: when pre-release singles
 *    got there first, the album did on its release day ("by then").
 *  - horizon: a projection past the as-of date plus opt->horizon_years is
 *    SS_MS_AFTER, "after" the horizon's end, with no day number or interval.
 *  - rankings: per milestone, albums by days from release to "every track"
 *    (and to "album total"), observed only: rank 1 holds the record, and
 *    records are observed, never projected.  A crossing known to within a
 *    range is ranked only where its rank is the same on every day of the
 *    range (rank_lo..rank_hi give the ranks it allows), a partial album
 *    total never, and a ranking that counts from an inferred release date
 *    says so (rank_inferred, SS_MSF_INFERRED).
 *
 * Days: the release day is day 1 (day_zero: day 0, elapsed days).
 *
 * Ownership: struct ss_milestones owns its arrays; ss_milestones_release()
 * frees them.  Results refer to tracks and albums by id.
 */
#ifndef STREAMSTAT_MILESTONES_H
#define STREAMSTAT_MILESTONES_H

#include <stddef.h>
#include <stdint.h>

#include "streamstat/dataset.h"
#include "streamstat/error.h"
#include "streamstat/fit.h"

#define SS_MILESTONES_MAX 16
#define SS_DAY_NONE	  INT32_MIN /* no such day */
#define SS_DAY_NEVER	  INT32_MAX /* an interval open at the top */
#define SS_HORIZON_MAX	  36525.0   /* days projected at most: 100 years */

enum ss_ms_status {
	SS_MS_REACHED,	 /* observed */
	SS_MS_PROJECTED, /* from the track's model */
	SS_MS_NEVER,	 /* the model's total stays below M */
	SS_MS_UNKNOWN,	 /* no date can be given (see why) */
	SS_MS_AFTER,	 /* projected past the horizon: "after day" (day is the
			  * horizon's end; no day number, interval, rank or record) */
	SS_MS_STATUS_COUNT
};

/* How an observed day is known. */
enum ss_ms_how {
	SS_HOW_EXACT,	     /* consecutive daily totals, or a bound crossed that day */
	SS_HOW_INTERPOLATED, /* between two observations */
	SS_HOW_BY,	     /* only known to be by then (no earlier point to start from) */
	SS_HOW_COUNT
};

/* Why a date is unknown or never. */
enum ss_ms_why {
	SS_WHY_NONE,
	SS_WHY_NO_DATA,	     /* the track has no observations */
	SS_WHY_NO_MODEL,     /* no model could be fitted, not even the recent pace */
	SS_WHY_NO_TOTAL,     /* daily counts only, and no release date to add them from */
	SS_WHY_ASYMPTOTE,    /* never: the model's total levels off below M */
	SS_WHY_HORIZON,	     /* never: not within SS_HORIZON_MAX days */
	SS_WHY_TRACKS,	     /* album: some counting tracks lack data or a model */
	SS_WHY_NOT_COUNTING, /* album: no track counts */
	SS_WHY_NO_START,     /* daily counts only, starting after the known release:
			      * the streams before the first day are missing */
	SS_WHY_NO_ROOT,	     /* the root search on the model's curve failed (a value
			      * not finite inside the bracket, or no convergence):
			      * no date is made up from the bracket's end */
	SS_WHY_COUNT
};

/* Flags of a crossing. */
enum ss_ms_flag {
	SS_MSF_EXTRAPOLATED = 1u << 0, /* horizon over extrapolate x the observed span */
	SS_MSF_NO_INTERVAL = 1u << 1,  /* too few observations for an interval */
	SS_MSF_FALLBACK = 1u << 2,     /* projected by the recent pace: no curve was usable */
	SS_MSF_PARTIAL = 1u << 3,      /* album total: some tracks lack data, the sum is a
					* lower bound */
	SS_MSF_INFERRED = 1u << 4,     /* its day numbers count from an inferred release
					* date (the first observation, or its tracks') */
	SS_MSF_STALE = 1u << 5	       /* the track's (album: a counting track's) last
					* observation is over opt.stale_days before the
					* latest data: the projection continues from then */
};

/*
 * The flags' names, in bit order (ss_ms_flags[i] is bit 1u << i): name for
 * the CSV and the JSON ("no_interval"), label for the workbook ("no
 * interval").  The one list: a new flag gets its entry here.
 */
struct ss_ms_flag_name {
	unsigned flag;
	const char *name;
	const char *label;
};
extern const struct ss_ms_flag_name ss_ms_flags[];
extern const size_t ss_ms_nflags;

/* Why a reached album crossing has no rank. */
enum ss_ms_unranked {
	SS_UNRANKED_NONE,
	SS_UNRANKED_OVERLAP, /* its range overlaps another album's: the order is not known */
	SS_UNRANKED_PARTIAL, /* album total of a partial sum: a lower bound is no record */
	SS_UNRANKED_COUNT
};

const char *ss_ms_status_name(enum ss_ms_status s);	/* "reached", "projected" ... */
const char *ss_ms_how_name(enum ss_ms_how h);		/* "exact", "interpolated", "by" */
const char *ss_ms_why_text(enum ss_ms_why w);		/* a phrase for reports */
const char *ss_ms_unranked_text(enum ss_ms_unranked u); /* "range overlaps", ... */

/* One track (or album) and one milestone. */
struct ss_crossing {
	uint8_t status;		   /* enum ss_ms_status */
	uint8_t how;		   /* reached: enum ss_ms_how */
	uint8_t flags;		   /* enum ss_ms_flag */
	uint8_t why;		   /* unknown or never: enum ss_ms_why */
	int16_t model;		   /* projected or never: index in ss_models, else -1 */
	int32_t day;		   /* reached or projected: the day; else SS_DAY_NONE */
	int32_t lo, hi;		   /* its range (reached) or prediction interval (projected);
				    * SS_DAY_NONE when not known, hi SS_DAY_NEVER when open */
	double needed;		   /* streams a day needed from the last total to reach M by
				    * the target day; NaN when reached or the day is past */
	double sd_param, sd_noise; /* projected: the interval's two parts (log scale) */
};

/* One per track (a million at once in a large merge): the fields ordered
 * to leave no hole but two bytes before latest_total (64 bytes, not 80). */
struct ss_track_ms {
	uint32_t track;
	int16_t model;	       /* the model projections use, -1 for none */
	uint8_t counts;	       /* counts toward its album's milestones */
	uint8_t has_total;     /* latest_total is known */
	int32_t release;       /* the track's release day */
	int32_t first_day;     /* first and last observed days (SS_DAY_NONE: none) */
	int32_t last_day;      /* last day with a total */
	int32_t last_obs;      /* last observed day (SS_DAY_NONE: none) */
	int32_t target;	       /* the day "needed" aims at */
	uint8_t stale;	       /* last_obs is over opt.stale_days before ms.as_of */
	uint8_t latest_bound;  /* latest_total is a lower bound */
	double latest_total;   /* that total (a lower bound when latest_bound) */
	double pace;	       /* mean daily streams of the last 7 days (or interval) */
	double span;	       /* days the fit saw (from the release when known) */
	struct ss_crossing *c; /* [opt.nmilestones], in ss_milestones.crossings */
};
_Static_assert(sizeof(struct ss_track_ms) <= 64, "struct ss_track_ms grew past 64 bytes");

/* An album's crossing: the "every track" or "album total" kind. */
struct ss_album_crossing {
	struct ss_crossing x;
	uint32_t bottleneck;	 /* every track: the last track (SS_NONE: none) */
	double bottleneck_share; /* projected: share of joint draws where it is last */
	uint32_t lacking;	 /* unknown: how many counting tracks lack data/model */
	uint32_t lacking_first;	 /* ... and the first of them */
	uint32_t rank;		 /* 1 = the record; 0 = unranked */
	uint32_t rank_lo;	 /* reached: the ranks its range allows (rank_lo ==
				  * rank_hi == rank when ranked); 0 when not compared */
	uint32_t rank_hi;
	uint8_t unranked;      /* reached but unranked: enum ss_ms_unranked */
	uint8_t rank_inferred; /* the ranking counts days from some album's inferred
				* release date (this one's or another's) */
	double vs_peer;	       /* days / the best other ranked album's days */
};

struct ss_album_ms {
	uint32_t album;
	uint32_t counted;    /* counting tracks */
	uint32_t with_data;  /* ... of which have observations */
	uint32_t excluded;   /* tracks left out by the catalog or an option */
	double latest_total; /* sum of the counting tracks' latest totals */
	/* [opt.nmilestones] each, in ss_milestones.album_crossings */
	struct ss_album_crossing *all;	 /* every track >= M */
	struct ss_album_crossing *total; /* album total >= M */
};

struct ss_ms_options {
	int64_t milestone[SS_MILESTONES_MAX]; /* ascending */
	size_t nmilestones;
	double level;	    /* of prediction intervals, e.g. 0.80 */
	int day_zero;	    /* count days from 0 on the release day */
	int32_t by;	    /* target of "needed"; SS_DAY_NONE: album anniversary */
	double extrapolate; /* flag horizons over this x the observed span (3) */
	unsigned draws;	    /* joint draws for album intervals */
	uint64_t seed;	    /* of those draws */
	unsigned jobs;	    /* threads; 0: one per CPU (results do not depend on it) */
	int16_t model_rule; /* -1: each track's chosen model; else ss_models index,
			     * used where that model fitted (the backtest rule) */
	int horizon_years;  /* projections past as-of + this are "after" (5) */
	int stale_days;	    /* a track last observed over this many days before the
			     * latest data is stale (SS_STALE_DAYS_DEFAULT; 0: never) */
	int32_t latest;	    /* the latest observed day of the whole input, when the
			     * dataset is one part of it ("analyse"); SS_DAY_NONE:
			     * the dataset's own */
};

#define SS_STALE_DAYS_DEFAULT 7 /* --stale-days */

/* 50M ... 1B, 80%, day 1, the anniversary, 3x, 1,000 draws, seed 1. */
struct ss_ms_options ss_ms_defaults(void);

/*
 * Parse "50M,100M,1B" into opt's milestones (sorted, duplicates dropped).
 * Returns 0, or -1 when an item is not a milestone or there are more than
 * SS_MILESTONES_MAX.
 */
int ss_ms_parse_list(const char *s, struct ss_ms_options *opt);

/* Day number of day since a release: 1 on the release day (0 with day_zero). */
static inline int32_t ss_ms_day_number(const struct ss_ms_options *opt, int32_t day,
				       int32_t release)
{
	return day - release + (opt->day_zero ? 0 : 1);
}

struct ss_milestones {
	struct ss_ms_options opt;
	struct ss_track_ms *tracks; /* indexed by track id */
	size_t ntracks;
	struct ss_album_ms *albums; /* indexed by album id */
	size_t nalbums;
	int32_t as_of;	     /* the latest observed day */
	int32_t horizon_end; /* as_of + opt.horizon_years: later projections are "after" */
	/* album a's tracks, in id order: album_tracks[album_first[a] ..
	 * album_first[a + 1]); see ss_ms_album_tracks() */
	uint32_t *album_first;
	uint32_t *album_tracks;
	/* the crossings the tracks and albums point to, nmilestones each (only
	 * as many as asked for: a catalog may have a million tracks) */
	struct ss_crossing *crossings;
	struct ss_album_crossing *album_crossings;
};

/* The ids of the album's tracks, in id order; *n gets how many. */
static inline const uint32_t *ss_ms_album_tracks(const struct ss_milestones *ms, uint32_t album,
						 size_t *n)
{
	*n = ms->album_first[album + 1] - ms->album_first[album];
	return ms->album_tracks + ms->album_first[album];
}

/*
 * Observed and projected crossings of every track and album, and rankings.
 * fits must come from ss_fit_all() on ds.  It cannot fail (a crossing that
 * cannot be dated says why in its own status; out of memory aborts), so it
 * returns nothing: the convention of pipeline.h.
 */
void ss_milestones_run(const struct ss_dataset *ds, const struct ss_fits *fits,
		       const struct ss_ms_options *opt, struct ss_milestones *out);

void ss_milestones_release(struct ss_milestones *ms);

/*
 * Rank the albums of ms (album crossings filled in) for every milestone:
 * what ss_milestones_run() does last, and all "merge" does across the
 * parts' albums.  ds is the dataset ms's album ids refer to.
 */
void ss_milestones_rank(const struct ss_dataset *ds, struct ss_milestones *ms);

/*
 * The observed crossing of M by one track's series (obs[0..n) in day
 * order; release is its release day, release_known whether the chain may
 * start from 0 there).  Returns 1 and fills c when reached, else 0.
 */
int ss_ms_observed(const struct ss_obs *obs, size_t n, int32_t release, int release_known, double M,
		   struct ss_crossing *c);

/*
 * The counting tracks that keep an album's crossing of milestone k unknown
 * ("every track" when total is 0: the tracks whose own crossing is
 * unknown; "album total": those without a total or a model).  Stores at
 * most max track ids in out, in id order; returns how many there are.
 */
size_t ss_ms_album_lacking(const struct ss_milestones *ms, uint32_t album, size_t k, int total,
			   uint32_t *out, size_t max);

/*
 * Why an album's crossing is unknown or never, for reports: "5 of 8
 * counting tracks lack data or a model: Fly To My Room, Skit, ..." (up to
 * 8 names) or the reason's phrase; "" when there is none.  Returns buf.
 */
const char *ss_ms_album_reason(const struct ss_dataset *ds, const struct ss_milestones *ms,
			       uint32_t album, size_t k, int total, char *buf, size_t size);

/*
 * A track crossing's reason, for reports: why it is unknown or never (the
 * reason's phrase), or for a stale track's projection the older day it
 * continues from ("stale: continues from 2023-10-01, its last total, 38
 * days before the latest data"); "" when there is none.  Returns buf.
 */
const char *ss_ms_track_reason(const struct ss_milestones *ms, const struct ss_track_ms *tm,
			       size_t k, char *buf, size_t size);

/*
 * The total at the end of day under model, as projections see it: the
 * anchor (the last total) plus the curve's streams since then (minus,
 * before it).  After the anchor, *lo and *hi are the prediction band at
 * level (the projection interval's method, pointwise); NaN otherwise.
 */
double ss_ms_curve(const struct ss_track_fit *tf, int model, int32_t day, double level, double span,
		   double *lo, double *hi);

/*
 * The album total (its counting tracks, as "album total >= M" sums them) at
 * each day one of them has a total: *days and *totals are allocated (the
 * caller frees both) and hold the returned number of entries.
 */
size_t ss_ms_album_series(const struct ss_dataset *ds, const struct ss_milestones *ms,
			  uint32_t album, int32_t **days, double **totals);

/*
 * The album's "every track" line: at each day one of its counting tracks
 * has a total, the least of their totals (each interpolated as
 * ss_ms_album_series() sums them), whose first day at or above M is about
 * the day every track got there.  None (0, NULL arrays) when some counting
 * track has no total, or none counts.  *days and *least are allocated; the
 * caller frees both.
 */
size_t ss_ms_album_every_series(const struct ss_dataset *ds, const struct ss_milestones *ms,
				uint32_t album, int32_t **days, double **least);

/*
 * The days a fit of obs[0..n) saw up to last_day: from the release when the
 * chain starts there (release_known), else from the first observation.
 */
double ss_ms_span(const struct ss_obs *obs, size_t n, int32_t release, int release_known,
		  int32_t last_day);

/*
 * Project when a track fitted as tf reaches M under model index model,
 * continuing from tf's anchor (its last total): fills c's status, why,
 * model, day, lo, hi, sd_param, sd_noise and flags (all but
 * EXTRAPOLATED).  span is the observed span in days (for the noise term).
 */
/*
 * The root of f in [a, b] by Brent's method (GSL), to within 1e-3 days, into
 * *root.  Returns GSL_SUCCESS, or the GSL status that stopped it: GSL_EINVAL
 * (f(a) and f(b) do not straddle 0), GSL_EBADFUNC (f not finite at a point
 * tried), GSL_EMAXITER (no convergence in 100 iterations); *root is then
 * NAN.  GSL's error handler must be off (pipeline.h).
 */
int ss_ms_root(double (*f)(double t, void *arg), void *arg, double a, double b, double *root);

void ss_ms_project(const struct ss_track_fit *tf, int model, double M, double level, double span,
		   struct ss_crossing *c);

/*
 * The day number of an observed or projected crossing as people read it:
 * "72"; for one only known to be "by" a day, the range from the first day
 * it may have happened, "1..100", or "<=100" when nothing says it was below
 * before.  "" for a crossing with no day.  Returns buf.
 */
const char *ss_ms_day_text(const struct ss_ms_options *opt, const struct ss_crossing *c,
			   int32_t release, char *buf, size_t size);

/*
 * The counting tracks whose crossing of milestone k is only known to be
 * "by" a day that could still make them the album's last (their range
 * reaches the album's): "every track" rests on bounds there.  Stores at
 * most max ids in out; returns how many there are.
 */
size_t ss_ms_album_bounded(const struct ss_milestones *ms, uint32_t album, size_t k, uint32_t *out,
			   size_t max);

/*
 * Why an album's reached crossing has no rank, for reports: "unranked:
 * range overlaps (ranks 1 to 2)" or "unranked: partial sum"; "" when ranked
 * or not reached.  Returns buf.
 */
const char *ss_ms_rank_note(const struct ss_album_crossing *ax, char *buf, size_t size);

/*
 * The note of an album's crossing for reports: the reason when it is not
 * reached (ss_ms_album_reason), else why it has no rank, the tracks only
 * known "by" then (every track), and "ranked on days from inferred release
 * dates" when the ranking rests on one, joined by "; ".  Returns buf.
 */
const char *ss_ms_album_note(const struct ss_dataset *ds, const struct ss_milestones *ms,
			     uint32_t album, size_t k, int total, char *buf, size_t size);

#endif
