/*
 * pool.h - album-pooled curves for tracks too thin to fit on their own.
 *
 * Fan-collected histories often hold two or three totals per track: too few
 * for any curve (a model needs p + 3 intervals), so those tracks fall back
 * to the recent pace, with no interval.  Tracks of one album decay alike,
 * so the album's intervals together can carry one shape: a power law
 * d_i(t) = A_i (t + tau)^(-alpha), tau and alpha shared by the album's
 * tracks, a scale A_i per track (t from each track's own release).
 *
 * The fit is profiled least squares on the log increments, as fit.h fits
 * one track: for given (tau, alpha) each log A_i is the mean of its track's
 * log residuals, so the solver sees two parameters and residuals centred
 * per track (variable projection).  s^2 = RSS / (N - m - 2) for N intervals
 * of m tracks; Cov(tau, alpha) is s^2 (J' J)^-1 of the centred Jacobian;
 * log A_i has variance m_i' Cov m_i + s^2 / n_i and covariance -Cov m_i
 * with (tau, alpha), m_i the mean gradient of track i's log increments.
 *
 * A track that fell back to the recent pace, in an album whose pool has at
 * least 2 degrees of freedom, gets the pooled curve as its powerlaw fit and
 * as its model (ss_track_fit.pooled); tracks with curves of their own keep
 * them, and lend their intervals to the shape.
 */
#ifndef STREAMSTAT_POOL_H
#define STREAMSTAT_POOL_H

#include <stddef.h>

#include "streamstat/dataset.h"
#include "streamstat/fit.h"

struct ss_pool_stats {
	size_t albums; /* albums whose shape was fitted */
	size_t tracks; /* tracks given a pooled curve */
};

/* Pool the thin tracks of every album of ds (fits from ss_fit_all()). */
void ss_fit_pool(const struct ss_dataset *ds, struct ss_fits *fits, struct ss_pool_stats *st);

#endif
