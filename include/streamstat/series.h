/*
 * series.h - from raw observations to one clean series per track.
 *
 * ss_series_build() works on the dataset in place: it sorts observations by
 * track and day (stable: rows of one day keep their file and line order),
 * merges rows of the same day, settles every release date, and reconciles
 * daily streams with totals:
 *
 *  - duplicates: identical rows are merged (logged as a note); rows that
 *    complete each other (one gives streams, the other the total) are
 *    merged silently; rows that disagree are merged with a warning and the
 *    later row wins; of two lower bounds the larger is kept; an exact total
 *    beats a bound;
 *  - a missing daily count is derived from the totals of two consecutive
 *    days, a missing total from the day before's total plus the day's
 *    streams (or, on a release day that was given, not inferred, from the
 *    streams alone);
 *  - where streams and total are both given they must agree with the day
 *    before's total; a total below an earlier total (or below an earlier
 *    lower bound) is flagged as a correction;
 *  - missing days stay missing: the observation after them is marked as
 *    following a gap;
 *  - release dates: catalog, then data columns; a track without one takes
 *    its album's, unless the catalog does not list it and it was observed
 *    before the album's release (a single: then its first observed day); an
 *    album without one takes the most common first observed day of its
 *    tracks.  The source of each is kept;
 *  - a track with no total at all (daily counts only, without a release
 *    date or starting after it) is warned about (SS_P_NO_TOTAL): none of
 *    its milestones can be dated.
 *
 * Afterwards track t's series is ds->obs[tracks[t].first ...] with
 * tracks[t].n entries, in day order, one per day.
 */
#ifndef STREAMSTAT_SERIES_H
#define STREAMSTAT_SERIES_H

#include <stdint.h>

#include "streamstat/dataset.h"
#include "streamstat/error.h"

struct ss_series_stats {
	uint64_t observations;	  /* after merging */
	uint64_t merged;	  /* rows merged into another of the same day */
	uint64_t conflicts;	  /* ... of which disagreed */
	uint64_t corrections;	  /* totals below an earlier total or bound */
	uint64_t mismatches;	  /* streams and total that disagree */
	uint64_t gaps;		  /* observations that follow missing days */
	uint64_t derived_streams; /* daily counts derived from totals */
	uint64_t derived_totals;  /* totals derived from daily counts */
	uint64_t before_release;  /* observations dated before the release */
	uint64_t tracks_with_data;
	uint64_t at_least;	     /* totals that are lower bounds */
	int32_t first_day, last_day; /* observed date range (when observations > 0) */
};

/*
 * Build every track's series.  Problems are logged in ds->problems.
 * Returns SS_OK, or SS_ERR_LIMIT when there are more observations than a
 * 32-bit index can sort (over 4 billion).
 */
enum ss_status ss_series_build(struct ss_dataset *ds, struct ss_series_stats *stats,
			       struct ss_error *err);

/*
 * Is track t stale: its feed stopped?  Its last observation is more than
 * stale_days before latest (the latest of all tracks'), and it had been
 * observed at least every stale_days days until then (its last two
 * observations are at most that far apart: a track seen only now and then
 * has no feed to stop).  Never when stale_days <= 0.
 */
int ss_series_is_stale(const struct ss_dataset *ds, uint32_t t, int32_t latest, int32_t stale_days);

/*
 * Once built: warn (SS_P_STALE) about every stale track: its projections
 * continue from that older day.
 */
void ss_series_check_stale(struct ss_dataset *ds, const struct ss_series_stats *st,
			   int32_t stale_days);

/* Track t's series (n entries) once built.  A track without observations
 * in a dataset without any (ds->obs NULL: a wide table's tracks, all rows
 * skipped) has an empty series that is not a null pointer plus 0. */
static inline const struct ss_obs *ss_series_of(const struct ss_dataset *ds, uint32_t t, size_t *n)
{
	static const struct ss_obs none;

	*n = ds->tracks[t].n;
	return ds->obs ? ds->obs + ds->tracks[t].first : &none;
}

#endif
