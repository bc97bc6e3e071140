/* Unit tests for series.c: order, merging, derivation, checks, dates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "streamstat/date.h"
#include "streamstat/ingest.h"
#include "helpers.h"
#include "streamstat/series.h"

static struct ss_series_stats build(struct ss_dataset *ds, const char *catalog, const char *text)
{
	struct ss_error err;
	struct ss_series_stats st;

	(void)load_text(ds, catalog, text, NULL);
	assert_int_equal(ss_series_build(ds, &st, &err), SS_OK);
	return st;
}

static uint32_t track_id(const struct ss_dataset *ds, const char *album, const char *track)
{
	uint32_t a = ss_intern_find(&ds->album_names, SS_NONE, album, strlen(album));

	assert_true(a != SS_NONE);
	return ss_intern_find(&ds->track_names, a, track, strlen(track));
}

static int32_t day(int y, int m, int d)
{
	return ss_date_from_ymd(y, m, d);
}

static void test_sorted_per_track(void **state)
{
	struct ss_dataset ds;
	struct ss_series_stats st;
	const struct ss_obs *s;
	size_t n;

	(void)state;
	/* Date-major input, out of order, two tracks interleaved. */
	st = build(&ds, NULL,
		   "date,album,track,total\n"
		   "2023-01-03,A,x,30\n2023-01-03,A,y,300\n"
		   "2023-01-01,A,x,10\n2023-01-01,A,y,100\n"
		   "2023-01-02,A,y,200\n2023-01-02,A,x,20\n");
	assert_int_equal(st.observations, 6);
	assert_int_equal(st.tracks_with_data, 2);
	s = ss_series_of(&ds, track_id(&ds, "A", "x"), &n);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(s[i].day, day(2023, 1, 1) + (int32_t)i);
		assert_int_equal(s[i].total, 10 * (int64_t)(i + 1));
	}
	/* Daily counts derived from consecutive totals; none for the first day. */
	assert_false(s[0].flags & SS_OBS_STREAMS);
	assert_int_equal(s[1].streams, 10);
	assert_true(s[1].flags & SS_OBS_STREAMS_DERIVED);
	s = ss_series_of(&ds, track_id(&ds, "A", "y"), &n);
	assert_int_equal(s[2].total, 300);
	assert_int_equal(s[2].line, 3);
	assert_int_equal(st.derived_streams, 4);
	ss_dataset_release(&ds);
}

static void test_duplicates(void **state)
{
	struct ss_dataset ds;
	struct ss_series_stats st;
	const struct ss_obs *s;
	size_t n;

	(void)state;
	st = build(&ds, NULL,
		   "date,album,track,total,streams,bound\n"
		   "2023-01-01,A,x,10,,\n"
		   "2023-01-01,A,x,10,,\n" /* identical: merged, info */
		   "2023-01-02,A,x,20,,\n"
		   "2023-01-02,A,x,25,,\n" /* conflict: the later wins */
		   "2023-01-03,A,x,30,,at_least\n"
		   "2023-01-03,A,x,40,,at_least\n" /* two bounds: the larger */
		   "2023-01-04,A,x,,5,\n"
		   "2023-01-04,A,x,50,,\n"); /* complementary: both kept */
	s = ss_series_of(&ds, 0, &n);
	assert_int_equal(n, 4);
	assert_int_equal(st.merged, 4);
	assert_int_equal(st.conflicts, 1);
	assert_int_equal(ds.problems.count[SS_P_DUPLICATE_MERGED], 1);
	assert_int_equal(ds.problems.count[SS_P_DUPLICATE_CONFLICT], 1);
	assert_int_equal(s[1].total, 25);
	assert_true(s[1].flags & SS_OBS_CONFLICT);
	assert_int_equal(s[2].total, 40);
	assert_true(s[2].flags & SS_OBS_AT_LEAST);
	assert_int_equal(s[3].total, 50);
	assert_int_equal(s[3].streams, 5);
	ss_dataset_release(&ds);
}

static void test_reconcile(void **state)
{
	struct ss_dataset ds;
	struct ss_series_stats st;
	const struct ss_obs *s;
	size_t n;
	char want[256];

	(void)state;
	st = build(&ds, NULL,
		   "date,album,album_release_date,track,streams,total\n"
		   "2023-01-01,A,2023-01-01,x,100,\n"	/* release day: total = streams */
		   "2023-01-02,A,2023-01-01,x,50,\n"	/* total derived: 150 */
		   "2023-01-03,A,2023-01-01,x,40,195\n" /* mismatch: rose by 45 */
		   "2023-01-06,A,2023-01-01,x,,180\n"	/* gap, and a correction */
		   "2023-01-07,A,2023-01-01,x,,230\n");
	s = ss_series_of(&ds, 0, &n);
	assert_int_equal(n, 5);
	assert_int_equal(s[0].total, 100);
	assert_true(s[0].flags & SS_OBS_TOTAL_DERIVED);
	assert_int_equal(s[1].total, 150);
	assert_true(s[2].flags & SS_OBS_MISMATCH);
	assert_true(s[3].flags & SS_OBS_GAP);
	assert_true(s[3].flags & SS_OBS_CORRECTION);
	assert_false(s[3].flags & SS_OBS_STREAMS); /* no daily count across a gap */
	assert_false(s[4].flags & SS_OBS_STREAMS); /* nor after a correction */
	assert_int_equal(st.gaps, 1);
	assert_int_equal(st.corrections, 1);
	assert_int_equal(st.mismatches, 1);
	assert_int_equal(st.derived_totals, 2);
	snprintf(want, sizeof(want),
		 "track 'x' of album 'A' on 2023-01-03: streams 40, but the total rose by 45 since "
		 "2023-01-02 (%s:3)",
		 ds.files[0].path);
	assert_string_equal(ds.problems.list[0].msg, want);
	assert_int_equal(ds.problems.list[0].line, 4);
	ss_dataset_release(&ds);
}

static void test_bound_below_then_exact(void **state)
{
	struct ss_dataset ds;
	struct ss_series_stats st;

	(void)state;
	/* An exact total below an earlier lower bound is a correction. */
	st = build(&ds, NULL,
		   "date,album,track,total,bound\n"
		   "2023-01-01,A,x,500,at_least\n"
		   "2023-02-01,A,x,400,exact\n"
		   "2023-03-01,A,x,450,at_least\n");
	assert_int_equal(st.corrections, 1);
	assert_int_equal(st.at_least, 2);
	ss_dataset_release(&ds);
}

static void test_release_dates(void **state)
{
	struct ss_dataset ds;

	(void)state;
	(void)build(&ds, NULL,
		    "date,album,track,total\n"
		    "2023-08-11,L,Rainy Days,1\n" /* a pre-release single */
		    "2023-09-08,L,Blue,1\n2023-09-08,L,For Us,1\n2023-09-10,L,Late,1\n");
	assert_int_equal(ds.albums[0].release, day(2023, 9, 8));
	assert_int_equal(ds.albums[0].release_src, SS_SRC_INFERRED);
	assert_int_equal(ds.tracks[0].release, day(2023, 8, 11));
	assert_int_equal(ds.tracks[0].release_src, SS_SRC_INFERRED);
	assert_int_equal(ds.tracks[1].release_src, SS_SRC_ALBUM);
	assert_int_equal(ds.tracks[3].release, day(2023, 9, 8));
	assert_int_equal(ds.tracks[3].release_src, SS_SRC_ALBUM);
	ss_dataset_release(&ds);
}

static void test_before_release_and_no_data(void **state)
{
	struct ss_dataset ds;
	struct ss_series_stats st;

	(void)state;
	st = build(&ds, "album,album_release_date,track\nL,2023-09-08,Blue\nL,2023-09-08,For Us\n",
		   "date,album,track,total\n2023-09-07,L,Blue,1\n2023-09-09,L,Blue,5\n");
	assert_int_equal(st.before_release, 1);
	assert_int_equal(ds.problems.count[SS_P_BEFORE_RELEASE], 1);
	assert_int_equal(ds.problems.count[SS_P_TRACK_NO_DATA], 1);
	assert_int_equal(ds.tracks[1].release_src, SS_SRC_ALBUM);
	assert_int_equal(st.tracks_with_data, 1);
	ss_dataset_release(&ds);
}

static void test_empty_dataset(void **state)
{
	struct ss_dataset ds;
	struct ss_series_stats st;

	(void)state;
	st = build(&ds, NULL, "date,album,track,total\n");
	assert_int_equal(st.observations, 0);
	ss_dataset_release(&ds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sorted_per_track),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_reconcile),
		cmocka_unit_test(test_bound_below_then_exact),
		cmocka_unit_test(test_release_dates),
		cmocka_unit_test(test_before_release_and_no_data),
		cmocka_unit_test(test_empty_dataset),
	};

	return cmocka_run_group_tests_name("series", tests, NULL, NULL);
}
