/*
 * pace.h - the population pace model: a track's recent pace, carried
 * forward by how songs' paces change with age, learned across tracks.
 *
 * Real songs do not follow a fitted curve for long: after the first weeks a
 * song's daily streams fall slowly with its age, for years, and a spike
 * fades back toward the track's longer pace.  So a projection starts from
 * what the track does now and asks the population how such a pace goes on.
 *
 * At the anchor (a track's last total, age a days since release, day 1 the
 * release day) the track is described by five numbers (struct
 * ss_pace_track), all measured on its own intervals (fit.h):
 *   p7   mean daily streams over the last 7 days, p28 over 28, p90 over 91
 *        (each window clipped at the release and to the days the intervals
 *        cover, so a sparse history gives the rate of its last interval);
 *   t7 = log(p7 / p28) and t90 = log(p28 / p90): its own short and long
 *        trend, which the population shrinks (a spike fades);
 *   l    the length of its last interval: 1 for daily data, weeks for a
 *        fan's sparse totals, whose last rate lags the present.
 *
 * For each horizon h of a grid the calibration (struct ss_pace_cal) holds
 * the median of L(h) = log(R(h) / (h p7)), R(h) the streams of the next h
 * days, as b0 g(a, h) + b1 t7 + b2 t90 + b3 log(1 + l) / sqrt(a), where
 * g(a, h) = log(mean over s = 1..h of ((a + s) / a)^-beta) is a power-law
 * age decay; and quantiles of the error around it as c0 + c1 / sqrt(a) +
 * c2 log(1 + l).  The coefficients are quantile regressions over many
 * tracks and cuts, the median fitted with one shock per cut taken out, so
 * a catalog-wide swing of the calibration period is not carried forward
 * as a trend; the quantiles keep those swings, and so cover them.
 * Between grid horizons L is interpolated in log h; past the last it goes
 * on as a power law in age, its interval widening by half per e-fold of h.
 *
 * The shipped calibration (ss_pace_shipped, src/pace_table.c) was learned
 * from 503 real daily Spotify histories, cuts before 2025-01-01 only, by
 * tests/accuracy/calibrate.py, which writes that file.
 *
 * Ownership: calibrations are plain constant data; nothing is allocated.
 */
#ifndef STREAMSTAT_PACE_H
#define STREAMSTAT_PACE_H

#include <stddef.h>

#include "streamstat/models.h"

#define SS_PACE_NH 18 /* horizons of the grid */
#define SS_PACE_NQ 6  /* error quantiles: 5, 10, 25, 75, 90, 95% */

struct ss_pace_cal {
	const char *source; /* where it was learned, for the report */
	double beta;	    /* the age decay's exponent inside g(a, h) */
	double h[SS_PACE_NH];
	double med[SS_PACE_NH][4];	     /* b0 .. b3 */
	double q[SS_PACE_NH][SS_PACE_NQ][3]; /* c0 .. c2 per quantile */
	double level[SS_PACE_NQ];	     /* 0.05 ... 0.95 */
	/* The calibration's own record, cuts before its date: median absolute
	 * error in days of crossings by true horizon band (1-30, 31-90,
	 * 91-180, 181-365, all), this model and the recent pace. */
	double mae_pace[5], mae_recent[5];
	double coverage[5]; /* its 80% intervals: share that held */
	/* An album total's error over the spread its tracks' quantiles give
	 * (about 1: the tracks of an album move together, so album intervals
	 * are their tracks' quantiles combined as one). */
	double album_widen;
};

extern const struct ss_pace_cal ss_pace_shipped;

/* A track at its anchor. */
struct ss_pace_track {
	double age;	     /* days since release at the anchor, release day 1 */
	double p7;	     /* streams per day over the last 7 days */
	double t7, t90, lag; /* see above; lag = log(1 + l) / sqrt(age) */
};

/*
 * The features of a track whose intervals are d (fit.h), anchored at ta
 * (days since release), measured up to the end of the last interval that
 * ends by ta; pt->age is ta.  Returns 0,
 * or -1 when the model does not apply (no streams in a window, or no
 * interval ends at or before ta).
 */
int ss_pace_features(const struct ss_fit_data *d, double ta, struct ss_pace_track *pt);

/*
 * Streams over the h days after the anchor (h > 0): the median (p = 0.5)
 * or the quantile p of the calibration's levels, interpolated between
 * them in normal scores for others (0.01 <= p <= 0.99).
 */
double ss_pace_remaining(const struct ss_pace_cal *cal, const struct ss_pace_track *pt, double h,
			 double p);

/*
 * The horizon (days after the anchor, fractional) at which quantile p of
 * the streams to come reaches need, or NaN when it does not within
 * max_h days.
 */
double ss_pace_solve(const struct ss_pace_cal *cal, const struct ss_pace_track *pt, double need,
		     double p, double max_h);

/* The model table's fields for pace (fit-space th: log p7, t7, t90, lag;
 * the age comes from the anchor): th from pt, and back. */
void ss_pace_to_th(const struct ss_pace_track *pt, double *th);
void ss_pace_from_th(const double *th, double age, struct ss_pace_track *pt);

#endif
