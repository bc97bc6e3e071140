/*
 * Unit tests for milestones.c:
 *  - observed crossings: exact on consecutive exact totals, interpolated
 *    between sparse points (day and range), a lower bound marked crossed at
 *    M, "by" without an earlier point, never reached;
 *  - projections: a linear history projected by the yardstick lands on the
 *    day arithmetic gives; an exponential-decay history whose asymptote is
 *    below M is "never"; a dense noisy history's interval brackets its point;
 *  - albums: "every track" takes the latest track (a crossed bound beats an
 *    interpolated day on a tie), a track without data makes it unknown and
 *    is counted, exclusions leave a track out; "album total" sums the
 *    tracks, and the "every track" line the least of their totals;
 *    rankings order albums by days (ties share a rank) and compute
 *    pace vs the best other album;
 *  - --milestones parsing.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include "streamstat/date.h"
#include "streamstat/fit.h"
#include "streamstat/ingest.h"
#include "helpers.h"
#include "streamstat/milestones.h"
#include "streamstat/series.h"

static int32_t D(int y, int m, int d)
{
	return ss_date_from_ymd(y, m, d);
}

static struct ss_obs total_at(int32_t day, int64_t total, unsigned flags)
{
	struct ss_obs o = {.day = day, .flags = (uint16_t)(SS_OBS_TOTAL | flags), .total = total};

	return o;
}

static void test_observed(void **state)
{
	struct ss_obs o[4];
	struct ss_crossing c;
	int32_t r = D(2023, 9, 8);

	(void)state;
	/* exact: consecutive exact totals */
	o[0] = total_at(r + 9, 49000000, 0);
	o[1] = total_at(r + 10, 51000000, 0);
	assert_true(ss_ms_observed(o, 2, r, 1, 50e6, &c));
	assert_int_equal(c.status, SS_MS_REACHED);
	assert_int_equal(c.how, SS_HOW_EXACT);
	assert_int_equal(c.day, r + 10);

	/* interpolated: 40M on day 48 to 60M on day 68: 50M at day 58 */
	o[0] = total_at(r + 47, 40000000, 0);
	o[1] = total_at(r + 67, 60000000, 0);
	assert_true(ss_ms_observed(o, 2, r, 1, 50e6, &c));
	assert_int_equal(c.how, SS_HOW_INTERPOLATED);
	assert_int_equal(c.day, r + 57);
	assert_int_equal(c.lo, r + 48);
	assert_int_equal(c.hi, r + 67);

	/* a lower bound crossed that day, at M: exact even after a gap */
	o[1] = total_at(r + 71, 50000000, SS_OBS_AT_LEAST | SS_OBS_CROSSED);
	assert_true(ss_ms_observed(o, 2, r, 1, 50e6, &c));
	assert_int_equal(c.how, SS_HOW_EXACT);
	assert_int_equal(c.day, r + 71);
	/* ... but only at M: for 45M the figure is a lower bound, so 45M was
	 * passed by then, at any time since the last exact total below it */
	assert_true(ss_ms_observed(o, 2, r, 1, 45e6, &c));
	assert_int_equal(c.how, SS_HOW_BY);
	assert_int_equal(c.day, r + 71);
	assert_int_equal(c.lo, r + 48);
	assert_int_equal(c.hi, r + 71);

	/* from the release when it is known: 0 at the end of the day before */
	o[0] = total_at(r + 9, 100000000, 0);
	assert_true(ss_ms_observed(o, 1, r, 1, 50e6, &c));
	assert_int_equal(c.how, SS_HOW_INTERPOLATED);
	assert_int_equal(c.day, r + 4);
	/* ... and only "by then" when it is not */
	assert_true(ss_ms_observed(o, 1, r, 0, 50e6, &c));
	assert_int_equal(c.how, SS_HOW_BY);
	assert_int_equal(c.day, r + 9);
	assert_int_equal(c.lo, SS_DAY_NONE);

	/* not reached */
	assert_false(ss_ms_observed(o, 1, r, 1, 200e6, &c));
	assert_false(ss_ms_observed(o, 0, r, 1, 1, &c));
}

/* A dataset from CSV text, series built. */
static void load(struct ss_dataset *ds, const char *catalog, const char *text)
{
	struct ss_series_stats st;
	struct ss_error err;

	load_text(ds, catalog, text, NULL);
	assert_int_equal(ss_series_build(ds, &st, &err), SS_OK);
}

/* Fit (only the models in mask, 0: all) and find the milestones. */
static void run_models(struct ss_dataset *ds, const struct ss_ms_options *mo, uint32_t mask,
		       struct ss_fits *fits, struct ss_milestones *ms)
{
	struct ss_fit_options fo = ss_fit_defaults();

	fo.jobs = 1;
	fo.models = mask;
	ss_fit_all(ds, &fo, fits);
	ss_milestones_run(ds, fits, mo, ms);
}

static void run(struct ss_dataset *ds, const struct ss_ms_options *mo, struct ss_fits *fits,
		struct ss_milestones *ms)
{
	run_models(ds, mo, 0, fits, ms);
}

static uint32_t track_id(const struct ss_dataset *ds, const char *name)
{
	for (uint32_t t = 0; t < ss_dataset_ntracks(ds); t++)
		if (strcmp(ss_track_name(ds, t), name) == 0)
			return t;
	fail_msg("no track %s", name);
	return 0;
}

static void test_recent_pace_projection(void **state)
{
	struct ss_dataset ds;
	struct ss_fits fits;
	struct ss_milestones ms;
	struct ss_ms_options mo = ss_ms_defaults();
	char text[4096];
	size_t len = 0;

	(void)state;
	/* two totals, and the least-AICc rule: the yardstick alone (too few
	 * points for a curve) */
	mo.model_rule = -1;
	len += (size_t)snprintf(text + len, sizeof text - len,
				"date,album,track,total\n"
				"2023-01-10,A,T,10000000\n"
				"2023-01-20,A,T,20000000\n");
	load(&ds, "album,album_release_date,track\nA,2023-01-01,T\n", text);
	assert_int_equal(ss_ms_parse_list("30M", &mo), 0);
	run(&ds, &mo, &fits, &ms);
	const struct ss_crossing *c = &ms.tracks[0].c[0];
	/* 1M a day from 20M on Jan 20: 30M at the end of Jan 30 */
	assert_int_equal(c->status, SS_MS_PROJECTED);
	assert_int_equal(c->day, D(2023, 1, 30));
	assert_true(c->flags & SS_MSF_FALLBACK);
	/* a single interval has no spread: no interval, said so */
	assert_true(c->flags & SS_MSF_NO_INTERVAL);
	assert_int_equal(c->lo, SS_DAY_NONE);
	assert_float_equal(ms.tracks[0].pace, 1e6, 1e-6);
	/* needed: 10M in the days to the first anniversary */
	assert_float_equal(c->needed, 10e6 / (double)(D(2024, 1, 1) - D(2023, 1, 20)), 1e-6);
	ss_milestones_release(&ms);
	ss_fits_release(&fits);
	ss_dataset_release(&ds);
}

/* Dense daily history d(t) = b + a e^(-k t) with 5% noise (fixed). */
static void dense_text(char *text, size_t size, double a, double k, double b, int days)
{
	size_t len = (size_t)snprintf(text, size, "date,album,track,streams\n");
	uint64_t s = 12345;

	for (int t = 0; t < days; t++) {
		char date[SS_DATE_LEN + 1];
		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		double u = ((double)(s >> 11) / 9007199254740992.0) - 0.5;
		double v = (b + a * exp(-k * (t + 0.5))) * exp(0.1 * u);
		ss_date_format(D(2023, 1, 1) + t, date);
		len += (size_t)snprintf(text + len, size - len, "%s,A,T,%.0f\n", date, v);
	}
}

static void test_curve_projection(void **state)
{
	static char text[1 << 16];
	struct ss_dataset ds;
	struct ss_fits fits;
	struct ss_milestones ms;
	struct ss_ms_options mo = ss_ms_defaults();

	(void)state;
	mo.model_rule = -1; /* the curves, as each track's least AICc */
	/* no baseline to speak of: total levels off at a/k = 10M */
	dense_text(text, sizeof text, 1e6, 0.1, 1.0, 90);
	load(&ds, "album,album_release_date,track\nA,2023-01-01,T\n", text);
	assert_int_equal(ss_ms_parse_list("5M,9.5M,20M", &mo), 0);
	run(&ds, &mo, &fits, &ms);
	const struct ss_track_ms *tm = &ms.tracks[0];
	assert_int_equal(tm->c[0].status, SS_MS_REACHED);
	assert_int_equal(tm->c[0].how, SS_HOW_EXACT);
	/* 5M: 1 - e^(-0.1 t) = 0.5 at t = 6.93, the end of day 7 */
	assert_int_equal(tm->c[0].day, D(2023, 1, 7));
	assert_int_equal(tm->c[1].status, SS_MS_REACHED);
	assert_int_equal(tm->c[2].status, SS_MS_NEVER);
	assert_int_equal(tm->c[2].why, SS_WHY_ASYMPTOTE);
	ss_milestones_release(&ms);
	ss_fits_release(&fits);
	ss_dataset_release(&ds);

	/* with a baseline of 10,000 a day, 20M comes under the model with a
	 * baseline (a slow second decay, as doubleexp may fit, would level off:
	 * "never under this model"); its interval brackets it */
	size_t expdecay = 0;
	assert_true(ss_model_find("expdecay", &expdecay));
	dense_text(text, sizeof text, 1e6, 0.1, 1e4, 90);
	load(&ds, "album,album_release_date,track\nA,2023-01-01,T\n", text);
	run_models(&ds, &mo, 1u << expdecay, &fits, &ms);
	tm = &ms.tracks[0];
	const struct ss_crossing *c = &tm->c[2];
	assert_int_equal(c->status, SS_MS_PROJECTED);
	/* about 10.9M by day 90, then 10,000 a day: near day 90 + 910 */
	assert_in_range(c->day, D(2023, 1, 1) + 850, D(2023, 1, 1) + 1100);
	assert_true(c->lo <= c->day && c->day <= c->hi);
	assert_true(c->lo < c->hi);
	assert_true(c->flags & SS_MSF_EXTRAPOLATED); /* 10 times the 90 days seen */
	ss_milestones_release(&ms);
	ss_fits_release(&fits);
	ss_dataset_release(&ds);
}

static const char album_catalog[] = "album,album_release_date,track,counts\n"
				    "L,2023-09-08,Blue,yes\n"
				    "L,2023-09-08,For Us,yes\n"
				    "L,2023-09-08,Skit,yes\n"
				    "F,2023-03-24,Like Crazy,yes\n"
				    "F,2023-03-24,Alone,yes\n"
				    "B,2020-11-20,Life Goes On,yes\n"
				    "B,2020-11-20,Stay,yes\n";

static const char album_history[] = "date,track,total,bound\n"
				    "2023-10-25,Blue,40000000,at_least\n"
				    "2023-11-18,Blue,50000000,crossed\n"
				    "2023-10-25,For Us,40000000,at_least\n"
				    "2023-11-18,For Us,50000000,at_least\n"
				    "2023-10-01,Skit,60000000,at_least\n"
				    "2023-05-20,Like Crazy,176720000,at_least\n"
				    "2023-05-20,Alone,29065312,at_least\n"
				    "2023-08-27,Alone,50000000,at_least\n"
				    "2021-04-10,Life Goes On,258000000,at_least\n";

static void test_albums(void **state)
{
	struct ss_dataset ds;
	struct ss_fits fits;
	struct ss_milestones ms;
	struct ss_ms_options mo = ss_ms_defaults();

	(void)state;
	load(&ds, album_catalog, album_history);
	assert_int_equal(ss_ms_parse_list("50M,100M", &mo), 0);
	run(&ds, &mo, &fits, &ms);

	/* L: Blue crossed on Nov 18, For Us was over 50M by then: Blue is last */
	const struct ss_album_ms *L = &ms.albums[0], *F = &ms.albums[1], *B = &ms.albums[2];
	assert_int_equal(L->counted, 3);
	assert_int_equal(L->all[0].x.status, SS_MS_REACHED);
	assert_int_equal(L->all[0].x.day, D(2023, 11, 18));
	assert_int_equal(ss_ms_day_number(&mo, L->all[0].x.day, D(2023, 9, 8)), 72);
	assert_int_equal(L->all[0].bottleneck, track_id(&ds, "Blue"));
	/* F: Alone over 50M by Aug 27 (day 157), at any day since the release
	 * (its 29M was a lower bound too): F may have been first or second, so
	 * neither album is ranked */
	assert_int_equal(F->all[0].x.status, SS_MS_REACHED);
	assert_int_equal(F->all[0].x.how, SS_HOW_BY);
	assert_int_equal(F->all[0].x.lo, D(2023, 3, 24));
	assert_int_equal(F->all[0].bottleneck, track_id(&ds, "Alone"));
	assert_int_equal(L->all[0].rank, 0);
	assert_int_equal(L->all[0].unranked, SS_UNRANKED_OVERLAP);
	assert_int_equal(L->all[0].rank_lo, 1);
	assert_int_equal(L->all[0].rank_hi, 2);
	assert_int_equal(F->all[0].rank, 0);
	assert_int_equal(F->all[0].unranked, SS_UNRANKED_OVERLAP);
	assert_true(isnan(L->all[0].vs_peer));
	/* B: Stay has no data: unknown, not ranked, the track named */
	assert_int_equal(B->all[0].x.status, SS_MS_UNKNOWN);
	assert_int_equal(B->all[0].x.why, SS_WHY_TRACKS);
	assert_int_equal(B->all[0].lacking, 1);
	assert_int_equal(B->all[0].lacking_first, track_id(&ds, "Stay"));
	assert_int_equal(B->all[0].rank, 0);
	/* album total: L passes 100M by Oct 25 (40 + 40 + 60 on Oct 1 and after) */
	assert_int_equal(L->total[1].x.status, SS_MS_REACHED);
	assert_true(L->total[1].x.day <= D(2023, 10, 25));
	/* B's total is over 100M from Life Goes On alone, a lower bound: partial */
	assert_int_equal(B->total[1].x.status, SS_MS_REACHED);
	assert_true(B->total[1].x.flags & SS_MSF_PARTIAL);
	ss_milestones_release(&ms);
	ss_fits_release(&fits);

	/* leaving Blue out: For Us (by Nov 18, interpolated) is the last */
	ds.tracks[track_id(&ds, "Blue")].counts = 0;
	run(&ds, &mo, &fits, &ms);
	assert_int_equal(ms.albums[0].counted, 2);
	assert_int_equal(ms.albums[0].excluded, 1);
	assert_int_equal(ms.albums[0].all[0].bottleneck, track_id(&ds, "For Us"));
	ss_milestones_release(&ms);
	ss_fits_release(&fits);
	ss_dataset_release(&ds);
}

/*
 * The "every track" line: the least of the counting tracks' totals at each
 * day one of them has a total, each interpolated between its own points
 * (from 0 the day before a known release); none while a counting track has
 * no total.  X: 10M on Jan 10, 30M on Jan 20; Y: 5M on Jan 15, 20M on Jan
 * 20.  Jan 10: Y is 5M x 10/15 (3,333,333.3); Jan 15: Y's 5M (X is 20M);
 * Jan 20: Y's 20M.  The album total at the same days: 13.3M, 25M, 50M.
 */
static void test_every_series(void **state)
{
	struct ss_dataset ds;
	struct ss_fits fits;
	struct ss_milestones ms;
	struct ss_ms_options mo = ss_ms_defaults();
	int32_t *days;
	double *v;

	(void)state;
	load(&ds,
	     "album,album_release_date,track,counts\n"
	     "A,2024-01-01,X,yes\nA,2024-01-01,Y,yes\nA,2024-01-01,Skit,no\n"
	     "B,2024-01-01,Z,yes\nB,2024-01-01,W,yes\n",
	     "date,track,total\n2024-01-10,X,10000000\n2024-01-20,X,30000000\n"
	     "2024-01-15,Y,5000000\n2024-01-20,Y,20000000\n2024-01-12,Skit,1\n"
	     "2024-01-10,Z,1000000\n");
	run(&ds, &mo, &fits, &ms);
	size_t n = ss_ms_album_every_series(&ds, &ms, 0, &days, &v);
	assert_int_equal(n, 3); /* the skit does not count: not its day either */
	assert_int_equal(days[0], D(2024, 1, 10));
	assert_int_equal(days[1], D(2024, 1, 15));
	assert_int_equal(days[2], D(2024, 1, 20));
	assert_float_equal(v[0], 5e6 * 10 / 15, 1e-3);
	assert_float_equal(v[1], 5e6, 1e-3);
	assert_float_equal(v[2], 20e6, 1e-3);
	free(days);
	free(v);
	n = ss_ms_album_series(&ds, &ms, 0, &days, &v);
	assert_int_equal(n, 3);
	assert_float_equal(v[0], 10e6 + 5e6 * 10 / 15, 1e-3);
	assert_float_equal(v[1], 25e6, 1e-3);
	assert_float_equal(v[2], 50e6, 1e-3);
	free(days);
	free(v);
	/* B: W has no data, so no line */
	assert_int_equal(ss_ms_album_every_series(&ds, &ms, 1, &days, &v), 0);
	assert_null(days);
	assert_null(v);
	ss_milestones_release(&ms);
	ss_fits_release(&fits);
	ss_dataset_release(&ds);
}

/*
 * Lower bounds are not interpolated: two "at least" figures say a track
 * passed M by the second, at any time since the last day known to be below
 * M (here the day before its release).  Day numbers of such crossings read
 * as ranges, an album is ranked only where its whole range holds the rank,
 * a partial album total is never a record, and days from an inferred
 * release date are flagged.
 */
static void test_bounds(void **state)
{
	struct ss_dataset ds;
	struct ss_fits fits;
	struct ss_milestones ms;
	struct ss_ms_options mo = ss_ms_defaults();
	char buf[64];
	uint32_t ids[4];

	(void)state;
	load(&ds,
	     "album,album_release_date,track,track_release_date\n"
	     "L,2023-09-08,Rainy Days,2023-08-11\nL,2023-09-08,Blue,2023-09-08\n"
	     "E,2023-01-01,e,\nP,2023-01-01,p,\nP,2023-01-01,q,\n",
	     "date,track,total,bound\n"
	     "2023-08-11,Rainy Days,3576108,at_least\n"
	     "2023-10-25,Rainy Days,40000000,at_least\n"
	     "2023-11-18,Rainy Days,50000000,at_least\n"
	     "2023-11-17,Blue,49000000,\n2023-11-18,Blue,50000000,crossed\n"
	     "2023-01-09,e,40000000,crossed\n2023-03-01,e,60000000,at_least\n"
	     "2023-01-05,p,70000000,at_least\n");
	assert_int_equal(ss_ms_parse_list("50M", &mo), 0);
	run(&ds, &mo, &fits, &ms);
	const struct ss_crossing *rd = &ms.tracks[track_id(&ds, "Rainy Days")].c[0];
	assert_int_equal(rd->status, SS_MS_REACHED);
	assert_int_equal(rd->how, SS_HOW_BY);
	assert_int_equal(rd->lo, D(2023, 8, 11));
	assert_int_equal(rd->hi, D(2023, 11, 18));
	assert_string_equal(ss_ms_day_text(&mo, rd, D(2023, 8, 11), buf, sizeof buf), "1..100");
	/* L: Blue crossed that day, so every track is past 50M exactly on
	 * Nov 18, and Rainy Days is named as only known by then */
	const struct ss_album_crossing *L = &ms.albums[0].all[0];
	assert_int_equal(L->x.how, SS_HOW_EXACT);
	assert_int_equal(L->x.day, D(2023, 11, 18));
	assert_int_equal(ss_ms_album_bounded(&ms, 0, 0, ids, 4), 0); /* exact: none matter */
	/* e passed 40M on Jan 9, so it was below 50M on Jan 8: by Mar 1, day
	 * 9..60 */
	const struct ss_crossing *e = &ms.tracks[track_id(&ds, "e")].c[0];
	assert_int_equal(e->how, SS_HOW_BY);
	assert_int_equal(e->lo, D(2023, 1, 9));
	assert_string_equal(ss_ms_day_text(&mo, e, D(2023, 1, 1), buf, sizeof buf), "9..60");
	/* E's every track (9..60) and its album total overlap nothing of L's
	 * (released months apart, but days count from each release: 9..60
	 * against 72): E is first for every track wherever its day falls */
	const struct ss_album_crossing *E = &ms.albums[1].all[0];
	assert_int_equal(E->x.how, SS_HOW_BY);
	assert_int_equal(E->rank, 1);
	assert_int_equal(L->rank, 2);
	assert_int_equal(ss_ms_album_bounded(&ms, 1, 0, ids, 4), 1);
	assert_int_equal(ids[0], track_id(&ds, "e"));
	/* P: q has no data, so P's total of 70M by Jan 5 is partial: never
	 * ranked, though its range (day 1..5) is before everyone's */
	const struct ss_album_crossing *P = &ms.albums[2].total[0];
	assert_int_equal(P->x.status, SS_MS_REACHED);
	assert_true(P->x.flags & SS_MSF_PARTIAL);
	assert_int_equal(P->rank, 0);
	assert_int_equal(P->unranked, SS_UNRANKED_PARTIAL);
	assert_string_equal(ss_ms_rank_note(P, buf, sizeof buf), "unranked: partial sum");
	/* release dates from the catalog: nothing inferred */
	assert_false(ms.albums[0].total[0].x.flags & SS_MSF_INFERRED);
	ss_milestones_release(&ms);
	ss_fits_release(&fits);
	ss_dataset_release(&ds);

	/* without a catalog, days count from inferred release dates: flagged */
	load(&ds, NULL,
	     "date,album,track,total\n2023-11-19,K,k,60000000\n2023-11-20,K,k,61000000\n");
	run(&ds, &mo, &fits, &ms);
	assert_true(ms.tracks[0].c[0].flags & SS_MSF_INFERRED);
	assert_int_equal(ms.tracks[0].c[0].how, SS_HOW_BY);
	assert_string_equal(
		ss_ms_day_text(&mo, &ms.tracks[0].c[0], ds.tracks[0].release, buf, sizeof buf),
		"<=1");
	assert_true(ms.albums[0].all[0].x.flags & SS_MSF_INFERRED);
	assert_true(ms.albums[0].all[0].rank_inferred);
	ss_milestones_release(&ms);
	ss_fits_release(&fits);
	ss_dataset_release(&ds);
}

/* Rankings: ties share a rank, the next rank skips them, an album without
 * a crossing is unranked, and vs_peer compares with the best other album
 * (for a record held alone, the runner-up). */
static void test_ranks(void **state)
{
	struct ss_dataset ds;
	struct ss_fits fits;
	struct ss_milestones ms;
	struct ss_ms_options mo = ss_ms_defaults();

	(void)state;
	/* every album out 2023-01-01 (day 1); 50M passed exactly on day 10,
	 * 10, 20 and 40; E has no data */
	load(&ds,
	     "album,album_release_date,track\nA,2023-01-01,a\nB,2023-01-01,b\n"
	     "C,2023-01-01,c\nD,2023-01-01,d\nE,2023-01-01,e\n",
	     "date,track,total\n"
	     "2023-01-09,a,49000000\n2023-01-10,a,51000000\n"
	     "2023-01-09,b,49000000\n2023-01-10,b,51000000\n"
	     "2023-01-19,c,49000000\n2023-01-20,c,51000000\n"
	     "2023-02-08,d,49000000\n2023-02-09,d,51000000\n");
	assert_int_equal(ss_ms_parse_list("50M", &mo), 0);
	run(&ds, &mo, &fits, &ms);
	static const uint32_t rank[] = {1, 1, 3, 4, 0};
	static const double peer[] = {1.0, 1.0, 2.0, 4.0};
	for (size_t a = 0; a < 5; a++) {
		assert_int_equal(ms.albums[a].all[0].rank, rank[a]);
		if (a < 4)
			assert_float_equal(ms.albums[a].all[0].vs_peer, peer[a], 1e-12);
		else
			assert_true(isnan(ms.albums[a].all[0].vs_peer));
	}
	ss_milestones_release(&ms);
	ss_fits_release(&fits);

	/* without B, A holds the record alone: compared with C, the runner-up */
	ds.tracks[track_id(&ds, "b")].counts = 0;
	run(&ds, &mo, &fits, &ms);
	assert_int_equal(ms.albums[0].all[0].rank, 1);
	assert_float_equal(ms.albums[0].all[0].vs_peer, 10.0 / 20.0, 1e-12);
	assert_int_equal(ms.albums[2].all[0].rank, 2);
	assert_float_equal(ms.albums[2].all[0].vs_peer, 20.0 / 10.0, 1e-12);
	ss_milestones_release(&ms);
	ss_fits_release(&fits);
	ss_dataset_release(&ds);
}

/* A pre-release single past M before its album: the album got there on its
 * release day, not before. */
static void test_not_before_release(void **state)
{
	struct ss_dataset ds;
	struct ss_fits fits;
	struct ss_milestones ms;
	struct ss_ms_options mo = ss_ms_defaults();

	(void)state;
	load(&ds,
	     "album,album_release_date,track,track_release_date\n"
	     "A,2023-09-08,Single,2023-08-11\nA,2023-09-08,Other,\n",
	     "date,track,total\n2023-08-20,Single,60000000\n2023-09-20,Single,90000000\n"
	     "2023-09-10,Other,1000000\n");
	assert_int_equal(ss_ms_parse_list("50M", &mo), 0);
	run(&ds, &mo, &fits, &ms);
	const struct ss_album_crossing *ax = &ms.albums[0].total[0];
	assert_int_equal(ax->x.status, SS_MS_REACHED);
	assert_int_equal(ax->x.day, D(2023, 9, 8));
	assert_int_equal(ax->x.how, SS_HOW_BY);
	assert_int_equal(ss_ms_day_number(&mo, ax->x.day, D(2023, 9, 8)), 1);
	/* the single itself keeps its own day */
	assert_true(ms.tracks[track_id(&ds, "Single")].c[0].day < D(2023, 9, 8));
	ss_milestones_release(&ms);
	ss_fits_release(&fits);
	ss_dataset_release(&ds);
}

static void test_day_zero(void **state)
{
	struct ss_ms_options mo = ss_ms_defaults();

	(void)state;
	assert_int_equal(ss_ms_day_number(&mo, D(2023, 11, 18), D(2023, 9, 8)), 72);
	mo.day_zero = 1;
	assert_int_equal(ss_ms_day_number(&mo, D(2023, 11, 18), D(2023, 9, 8)), 71);
}

static void test_parse_list(void **state)
{
	struct ss_ms_options mo = ss_ms_defaults();

	(void)state;
	assert_int_equal(mo.nmilestones, 6);
	assert_int_equal(mo.milestone[5], 1000000000);
	assert_int_equal(ss_ms_parse_list("1B,50M,50M,750K", &mo), 0);
	assert_int_equal(mo.nmilestones, 3);
	assert_int_equal(mo.milestone[0], 750000);
	assert_int_equal(mo.milestone[1], 50000000);
	assert_int_equal(mo.milestone[2], 1000000000);
	assert_int_equal(ss_ms_parse_list("", &mo), -1);
	assert_int_equal(ss_ms_parse_list("50M,,1B", &mo), -1);
	assert_int_equal(ss_ms_parse_list("fifty", &mo), -1);
	assert_int_equal(ss_ms_parse_list("1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17", &mo), -1);
	assert_string_equal(ss_ms_status_name(SS_MS_NEVER), "never");
	assert_string_equal(ss_ms_how_name(SS_HOW_BY), "by");
}

static double line_at_3(double t, void *arg)
{
	(void)arg;
	return t - 3.0;
}

/* t - 5, but not a number between 4 and 6: Brent's first secant lands there */
static double hole_at_5(double t, void *arg)
{
	(void)arg;
	return t > 4.0 && t < 6.0 ? NAN : t - 5.0;
}

/* Brent's method: its root, and its failures reported, never the bracket's
 * end passed off as the root. */
static void test_root(void **state)
{
	double r = 0;

	(void)state;
	assert_int_equal(ss_ms_root(line_at_3, NULL, 0.0, 10.0, &r), GSL_SUCCESS);
	assert_true(fabs(r - 3.0) < 1e-3);
	assert_int_equal(ss_ms_root(hole_at_5, NULL, 0.0, 10.0, &r), GSL_EBADFUNC);
	assert_true(isnan(r));
	assert_int_equal(ss_ms_root(line_at_3, NULL, 4.0, 10.0, &r), GSL_EINVAL);
	assert_true(isnan(r));

	/* a curve that overflows (A = e^800): no day can be found on it, and
	 * the projection says so instead of giving the day after the anchor */
	struct ss_track_fit tf;
	struct ss_crossing c;
	size_t pw = 0;
	assert_true(ss_model_find("powerlaw", &pw));
	memset(&tf, 0, sizeof tf);
	tf.release = D(2023, 1, 1);
	tf.anchor_day = D(2023, 3, 1);
	tf.anchor_total = 1e6;
	tf.has_anchor = 1;
	tf.m[pw].status = SS_FIT_OK;
	tf.m[pw].th[SS_PL_A] = 800.0;
	tf.m[pw].th[SS_PL_TAU] = log(5.0);
	tf.m[pw].th[SS_PL_ALPHA] = 0.8;
	ss_ms_project(&tf, (int)pw, 2e6, 0.8, 60.0, &c);
	assert_int_equal(c.status, SS_MS_UNKNOWN);
	assert_int_equal(c.why, SS_WHY_NO_ROOT);
	assert_int_equal(c.day, SS_DAY_NONE);
	assert_true(strstr(ss_ms_why_text(SS_WHY_NO_ROOT), "failed") != NULL);
}

/* One table of flag names, in bit order, each name once. */
static void test_flag_names(void **state)
{
	static const char *const csv[] = {"extrapolated", "no_interval",      "recent_pace",
					  "partial",	  "inferred_release", "stale"};

	(void)state;
	assert_int_equal(ss_ms_nflags, sizeof csv / sizeof csv[0]);
	for (size_t i = 0; i < ss_ms_nflags; i++) {
		assert_int_equal(ss_ms_flags[i].flag, 1u << i);
		assert_string_equal(ss_ms_flags[i].name, csv[i]);
		assert_true(ss_ms_flags[i].label && ss_ms_flags[i].label[0]);
	}
	assert_string_equal(ss_ms_flags[1].label, "no interval");
	assert_string_equal(ss_ms_flags[3].label, "partial sum");
	/* the last flag the enum has is the table's last */
	assert_int_equal(SS_MSF_STALE, ss_ms_flags[ss_ms_nflags - 1].flag);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flag_names),
		cmocka_unit_test(test_root),
		cmocka_unit_test(test_observed),
		cmocka_unit_test(test_recent_pace_projection),
		cmocka_unit_test(test_curve_projection),
		cmocka_unit_test(test_albums),
		cmocka_unit_test(test_every_series),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_ranks),
		cmocka_unit_test(test_not_before_release),
		cmocka_unit_test(test_day_zero),
		cmocka_unit_test(test_parse_list),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
