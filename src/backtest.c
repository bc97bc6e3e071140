/*
 * backtest.c - rolling-origin backtest of the projections (see backtest.h).
 *
 * Each worker thread takes tracks from a shared counter, refits each cut
 * with its own fitter, and writes the cases into the track's own slots, so
 * the scores are the same whatever the number of threads.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "streamstat/backtest.h"
#include "streamstat/pace.h"
#include "streamstat/parallel.h"
#include "streamstat/series.h"
#include "streamstat/xalloc.h"

#define TRUTH_WIDTH 7 /* an observed crossing known to within this many days */
#define MAX_THREADS 256

const int32_t ss_bt_horizons[SS_BT_HORIZONS] = {7, 14, 30, 60, 120};

enum outcome { NONE = 0, DATED, NEVER };

/* One cut: every method's outcome. */
struct bt_case {
	uint8_t valid;
	uint8_t horizon; /* index in ss_bt_horizons */
	uint8_t outcome[SS_BT_METHODS];
	uint8_t covered[SS_BT_METHODS];
	uint8_t has_interval[SS_BT_METHODS];
	int32_t err[SS_BT_METHODS]; /* projected - observed, days */
};

struct ss_bt_options ss_bt_defaults(void)
{
	struct ss_bt_options o = {
		.max_tracks = 200,
		.seed = 1,
		.min_cases = 30,
		.fit = ss_fit_defaults(),
		.ms = ss_ms_defaults(),
	};

	return o;
}

const char *ss_bt_method_name(size_t i)
{
	return i == SS_BT_CHOSEN ? "chosen" : i < ss_nmodels ? ss_models[i].name : "?";
}

struct job {
	const struct ss_dataset *ds;
	const struct ss_bt_options *opt;
	const uint32_t *tracks; /* to backtest */
	size_t ntracks;
	size_t per_track; /* case slots per track */
	struct bt_case *cases;
	atomic_size_t next;
};

static void score_case(const struct ss_crossing *c, int32_t truth, struct bt_case *bc, size_t i)
{
	if (c->status == SS_MS_NEVER) {
		bc->outcome[i] = NEVER;
		bc->has_interval[i] = 1;
		return;
	}
	if (c->status != SS_MS_PROJECTED)
		return;
	bc->outcome[i] = DATED;
	bc->err[i] = c->day - truth;
	if (c->lo != SS_DAY_NONE && c->hi != SS_DAY_NONE) {
		bc->has_interval[i] = 1;
		bc->covered[i] = c->lo <= truth && truth <= c->hi;
	}
}

/* Every cut of one track. */
static void backtest_track(struct ss_fitter *f, const struct job *job, uint32_t t,
			   struct bt_case *slots)
{
	const struct ss_dataset *ds = job->ds;
	const struct ss_bt_options *opt = job->opt;
	const struct ss_track *tr = &ds->tracks[t];
	int known = ss_release_known(ds, t);
	size_t n, used = 0;
	const struct ss_obs *obs = ss_series_of(ds, t, &n);
	struct ss_track_fit tf;

	for (size_t k = 0; k < opt->ms.nmilestones; k++) {
		struct ss_crossing truth;
		double M = (double)opt->ms.milestone[k];

		if (!ss_ms_observed(obs, n, tr->release, known, M, &truth))
			continue;
		if (truth.how == SS_HOW_BY ||
		    (truth.how == SS_HOW_INTERPOLATED && truth.hi - truth.lo >= TRUTH_WIDTH))
			continue;
		for (size_t h = 0; h < SS_BT_HORIZONS; h++) {
			int32_t cut = truth.day - ss_bt_horizons[h];
			size_t m = 0;
			while (m < n && obs[m].day <= cut)
				m++;
			if (m == 0)
				continue;
			ss_fit_series(f, &opt->fit, obs, m, tr->release, !known, &tf);
			if (!tf.has_anchor || tf.anchor_total >= M)
				continue;
			struct bt_case *bc = &slots[used++];
			double span = ss_ms_span(obs, m, tr->release, known, tf.last_day);
			memset(bc, 0, sizeof *bc);
			bc->valid = 1;
			bc->horizon = (uint8_t)h;
			for (size_t i = 0; i < ss_nmodels; i++) {
				struct ss_crossing c;
				if (tf.m[i].status != SS_FIT_OK)
					continue;
				ss_ms_project(&tf, (int)i, M, opt->ms.level, span, &c);
				score_case(&c, truth.day, bc, i);
				if ((int)i == tf.best)
					score_case(&c, truth.day, bc, SS_BT_CHOSEN);
			}
		}
	}
}

static void *worker(void *arg)
{
	struct job *job = arg;
	struct ss_fitter *f = ss_fitter_new();

	for (;;) {
		size_t i = atomic_fetch_add(&job->next, 1);
		if (i >= job->ntracks)
			break;
		backtest_track(f, job, job->tracks[i], job->cases + i * job->per_track);
	}
	ss_fitter_free(&f);
	return NULL;
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static double median(int32_t *v, size_t n)
{
	if (n == 0)
		return NAN;
	size_t mid = n / 2;

	qsort(v, n, sizeof *v, cmp_i32);
	return n % 2 ? (double)v[mid] : 0.5 * ((double)v[mid - 1] + (double)v[mid]);
}

/* Scores of method i over the cases of horizon h (SS_BT_HORIZONS: all). */
static void score(const struct bt_case *cases, size_t ncases, size_t i, size_t h, int32_t *buf,
		  struct ss_bt_score *s)
{
	size_t nd = 0;

	memset(s, 0, sizeof *s);
	for (size_t c = 0; c < ncases; c++) {
		const struct bt_case *bc = &cases[c];
		if (!bc->valid || (h < SS_BT_HORIZONS && bc->horizon != h))
			continue;
		s->cases++;
		if (bc->outcome[i] == NEVER)
			s->never++;
		if (bc->outcome[i] == DATED) {
			s->projected++;
			buf[nd++] = bc->err[i];
		}
		s->judged += bc->has_interval[i];
		s->covered += bc->covered[i];
	}
	s->bias = median(buf, nd);
	for (size_t j = 0; j < nd; j++)
		buf[j] = abs(buf[j]);
	s->median_abs = median(buf, nd);
	s->coverage = s->judged ? (double)s->covered / (double)s->judged : NAN;
}

/* Method i against the yardstick y on the cuts both dated. */
struct pairing {
	size_t n;	     /* cuts */
	size_t wins, losses; /* i's error smaller, larger */
	double mae_i, mae_y; /* mean absolute errors, days */
};

static struct pairing paired(const struct bt_case *cases, size_t ncases, size_t i, size_t y,
			     size_t h)
{
	struct pairing p = {0};

	for (size_t c = 0; c < ncases; c++) {
		const struct bt_case *bc = &cases[c];
		if (!bc->valid || (h != SS_BT_HORIZONS && bc->horizon != h) ||
		    bc->outcome[i] != DATED || bc->outcome[y] != DATED)
			continue;
		int ei = abs(bc->err[i]), ey = abs(bc->err[y]);
		p.n++;
		p.wins += ei < ey;
		p.losses += ei > ey;
		p.mae_i += ei;
		p.mae_y += ey;
	}
	if (p.n) {
		p.mae_i /= (double)p.n;
		p.mae_y /= (double)p.n;
	}
	return p;
}

/* More losses than wins beyond two standard deviations of a fair coin. */
static int clearly_worse(const struct pairing *p)
{
	double m = (double)(p->wins + p->losses);
	return (double)p->losses - (double)p->wins > 2.0 * sqrt(m);
}

/*
 * The rule (see backtest.h): against the recent pace, the method with the
 * smallest mean error among those that win more paired cuts than they lose
 * and are clearly worse at no horizon; with too few cuts, the shipped
 * calibration's record.
 */
static void choose_rule(const struct bt_case *cases, size_t ncases, uint32_t min_cases,
			struct ss_backtest *bt)
{
	struct pairing best = {0};
	size_t most = 0, yard = 0, pace = 0;

	for (size_t i = 0; i < ss_nmodels; i++) {
		if (ss_models[i].is_yardstick)
			yard = i;
		if (ss_models[i].is_population)
			pace = i;
	}
	bt->rule_model = -1;
	for (size_t i = 0; i < ss_nmodels; i++) {
		if (i == yard)
			continue;
		struct pairing p = paired(cases, ncases, i, yard, SS_BT_HORIZONS);
		most = p.n > most ? p.n : most;
		if (p.n < min_cases || p.wins <= p.losses || !(p.mae_i < p.mae_y))
			continue;
		int worse = 0;
		for (size_t h = 0; h < SS_BT_HORIZONS; h++) {
			struct pairing ph = paired(cases, ncases, i, yard, h);
			worse |= clearly_worse(&ph);
		}
		if (!worse && (bt->rule_model < 0 || p.mae_i / p.mae_y < best.mae_i / best.mae_y)) {
			best = p;
			bt->rule_model = (int16_t)i;
		}
	}
	if (bt->rule_model >= 0) {
		snprintf(
			bt->rule, sizeof bt->rule,
			"backtest: %s where it applies (mean error %.1f days against %.1f for the "
			"recent pace on %zu cuts; closer on %zu, further on %zu, and clearly worse "
			"at no horizon)",
			ss_models[bt->rule_model].name, best.mae_i, best.mae_y, best.n, best.wins,
			best.losses);
	} else if (most < min_cases) {
		const struct ss_pace_cal *cal = &ss_pace_shipped;
		bt->rule_model = (int16_t)pace;
		snprintf(bt->rule, sizeof bt->rule,
			 "pace where it applies, on the shipped record (the backtest has %zu "
			 "comparable cuts, fewer than the %u it needs): median error %.0f days "
			 "against %.0f for the recent pace on real histories",
			 most, (unsigned)min_cases, cal->mae_pace[4], cal->mae_recent[4]);
	} else {
		bt->rule_model = (int16_t)yard;
		snprintf(bt->rule, sizeof bt->rule,
			 "recent pace (no method beat it in the backtest without being clearly "
			 "worse at some horizon)");
	}
}

static uint64_t mix(uint64_t z)
{
	z += 0x9e3779b97f4a7c15u;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

struct keyed {
	uint64_t key;
	uint32_t track;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return (x->track > y->track) - (x->track < y->track);
}

/* Tracks with a crossing known to within a week. */
static int eligible(const struct ss_dataset *ds, const struct ss_ms_options *ms, uint32_t t)
{
	size_t n;
	const struct ss_obs *obs = ss_series_of(ds, t, &n);
	int known = ss_release_known(ds, t);

	for (size_t k = 0; k < ms->nmilestones; k++) {
		struct ss_crossing c;
		if (ss_ms_observed(obs, n, ds->tracks[t].release, known, (double)ms->milestone[k],
				   &c) &&
		    (c.how == SS_HOW_EXACT ||
		     (c.how == SS_HOW_INTERPOLATED && c.hi - c.lo < TRUTH_WIDTH)))
			return 1;
	}
	return 0;
}

int ss_bt_scored(const struct ss_backtest *bt, size_t i)
{
	return i == SS_BT_CHOSEN || (i < ss_nmodels && (bt->models & (1u << i)));
}

void ss_backtest_run(const struct ss_dataset *ds, const struct ss_bt_options *opt,
		     struct ss_backtest *bt)
{
	size_t nt = ss_dataset_ntracks(ds), ne = 0;
	struct keyed *pick = xcalloc(nt ? nt : 1, sizeof *pick);

	memset(bt, 0, sizeof *bt);
	for (size_t i = 0; i < ss_nmodels; i++)
		if (ss_fit_wants(&opt->fit, i))
			bt->models |= 1u << i;
	for (uint32_t t = 0; t < nt; t++)
		if (eligible(ds, &opt->ms, t))
			pick[ne++] = (struct keyed){mix(opt->seed ^ mix(t)), t};
	bt->tracks_eligible = ne;
	size_t use = ne > opt->max_tracks ? opt->max_tracks : ne;
	if (use < ne)
		qsort(pick, ne, sizeof *pick, cmp_keyed);
	/* backtest the chosen tracks in id order */
	uint32_t *tracks = xcalloc(use ? use : 1, sizeof *tracks);
	for (size_t i = 0; i < use; i++)
		tracks[i] = pick[i].track;
	free(pick);
	qsort(tracks, use, sizeof *tracks, cmp_u32);
	bt->tracks_used = use;

	struct job job = {.ds = ds, .opt = opt, .tracks = tracks, .ntracks = use};
	job.per_track = opt->ms.nmilestones * SS_BT_HORIZONS;
	job.cases = xcalloc(use * job.per_track + 1, sizeof *job.cases);
	atomic_init(&job.next, 0);
	ss_parallel(opt->jobs, use, worker, &job);

	size_t ncases = use * job.per_track;
	int32_t *a = xcalloc(ncases + 1, sizeof *a), *b = xcalloc(ncases + 1, sizeof *b);
	for (size_t c = 0; c < ncases; c++)
		bt->cases += job.cases[c].valid;
	for (size_t i = 0; i < SS_BT_METHODS; i++)
		for (size_t h = 0; h <= SS_BT_HORIZONS; h++)
			if (ss_bt_scored(bt, i))
				score(job.cases, ncases, i, h, a, &bt->score[i][h]);
	choose_rule(job.cases, ncases, opt->min_cases, bt);
	free(a);
	free(b);
	free(job.cases);
	free(tracks);
}
