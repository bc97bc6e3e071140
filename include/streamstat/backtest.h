/*
 * backtest.h - score the projections against what then happened.
 *
 * For each observed crossing known to within a week (exact, or
 * interpolated between points at most 7 days apart), and each horizon h of
 * ss_bt_horizons: cut the track's series h days before the crossing, fit
 * every model on what is left (fit.h), project the milestone (milestones.h)
 * and compare with the observed day.  Scored per method (every model, the
 * recent-pace yardstick among them, and "chosen": the track's least-AICc
 * model): median absolute error in days, bias (median signed error:
 * positive is late), and coverage (share of observed days inside the
 * prediction interval; a "never" counts as outside).
 *
 * The rule, against the recent pace (the yardstick) on the cases both
 * dated: a method is used where it applies when, on at least min_cases
 * cases, its mean absolute error is lower, it is closer on more cases than
 * further, and at no horizon does it lose more cases than it wins by over
 * two standard deviations of a fair coin; of those, the least error ratio.
 * None: the recent pace.  Fewer than min_cases: the pace model, on its
 * shipped record (pace.h).  The rule in words is kept for the report.
 *
 * Large catalogs: at most max_tracks tracks (a deterministic sample by
 * seed), which the result says.  Results do not depend on jobs.
 *
 * Ownership: struct ss_backtest holds no pointers.
 */
#ifndef STREAMSTAT_BACKTEST_H
#define STREAMSTAT_BACKTEST_H

#include <stddef.h>
#include <stdint.h>

#include "streamstat/dataset.h"
#include "streamstat/error.h"
#include "streamstat/fit.h"
#include "streamstat/milestones.h"

#define SS_BT_HORIZONS 5		   /* horizons; column SS_BT_HORIZONS is all of them */
#define SS_BT_METHODS  (SS_MODELS_MAX + 1) /* the models, then "chosen" */
#define SS_BT_CHOSEN   SS_MODELS_MAX	   /* the method index of "chosen" */

extern const int32_t ss_bt_horizons[SS_BT_HORIZONS]; /* 7, 14, 30, 60, 120 days */

struct ss_bt_score {
	uint32_t cases;	    /* cuts scored */
	uint32_t projected; /* ... given a date */
	uint32_t never;	    /* ... said never */
	uint32_t judged;    /* dates with an interval, and nevers */
	uint32_t covered;   /* ... whose interval held the observed day */
	double median_abs;  /* days; NaN without dates */
	double bias;	    /* median signed error, days */
	double coverage;    /* covered / judged; NaN when none */
};

struct ss_bt_options {
	unsigned jobs;	    /* threads; 0: one per CPU */
	size_t max_tracks;  /* sample above this (default 200) */
	uint64_t seed;	    /* of the sample */
	uint32_t min_cases; /* for the rule (default 30) */
	struct ss_fit_options fit;
	struct ss_ms_options ms;
};

struct ss_bt_options ss_bt_defaults(void);

struct ss_backtest {
	size_t tracks_eligible; /* tracks with a crossing known to within a week */
	size_t tracks_used;	/* ... backtested (fewer when sampled) */
	size_t cases;		/* (track, milestone, horizon) cuts */
	struct ss_bt_score score[SS_BT_METHODS][SS_BT_HORIZONS + 1];
	uint32_t models;    /* bit i: ss_models[i] was fitted on the cuts */
	int16_t rule_model; /* -1: the AICc choice; else the model the rule picked */
	char rule[240];	    /* which rule chose, and on what evidence */
};

/* Backtest every eligible track of ds (series built).  It cannot fail (a
 * cut that cannot be projected is scored as such; out of memory aborts), so
 * it returns nothing: the convention of pipeline.h. */
void ss_backtest_run(const struct ss_dataset *ds, const struct ss_bt_options *opt,
		     struct ss_backtest *bt);

/* "expdecay" ... or "chosen" for method index i. */
const char *ss_bt_method_name(size_t i);

/* Whether method i was scored: the chosen projection, or a model fitted on
 * the cuts (bt->models; the curves only under --curves).  The workbook and
 * the summary show these only. */
int ss_bt_scored(const struct ss_backtest *bt, size_t i);

#endif
