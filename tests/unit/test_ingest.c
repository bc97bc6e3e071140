/* Unit tests for ingest.c: header mapping, row checks, catalogs, as-of. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "streamstat/date.h"
#include "streamstat/ingest.h"
#include "streamstat/series.h"
#include "helpers.h"

/* The first kept problem as "kind@line: msg". */
static const char *first_problem(const struct ss_dataset *ds, char *buf, size_t n)
{
	if (!ds->problems.n)
		return "";
	snprintf(buf, n, "%s@%llu: %s", ss_problem_kind_name(ds->problems.list[0].kind),
		 (unsigned long long)ds->problems.list[0].line, ds->problems.list[0].msg);
	return buf;
}

static const struct {
	const char *name;
	const char *text;
	unsigned used, skipped;
	const char *problem; /* first problem, "" for none */
} rows[] = {
	{"good", "date,album,track,total\n2023-09-08,L,Blue,5\n", 1, 0, ""},
	{"any order and case", "Total, TRACK ,Album,DATE\n5,Blue,L,2023-09-08\n", 1, 0, ""},
	{"bad date", "date,album,track,total\n2023-02-30,L,Blue,5\n", 0, 1,
	 "bad date@2: column 'date': \"2023-02-30\" is not a valid date"},
	{"short date", "date,album,track,total\n23-9-8,L,Blue,5\n", 0, 1,
	 "bad date@2: column 'date': \"23-9-8\" is not a date in the form YYYY-MM-DD"},
	{"empty date", "date,album,track,total\n,L,Blue,5\n", 0, 1,
	 "bad date@2: column 'date' is empty"},
	{"negative", "date,album,track,total\n2023-09-08,L,Blue,-5\n", 0, 1,
	 "bad count@2: column 'total': \"-5\" is negative"},
	{"fraction", "date,album,track,streams\n2023-09-08,L,Blue,1.5\n", 0, 1,
	 "bad count@2: column 'streams': \"1.5\" is not a whole number"},
	{"junk", "date,album,track,total\n2023-09-08,L,Blue,12a4\n", 0, 1,
	 "bad count@2: column 'total': \"12a4\" is not a whole number"},
	{"overflow", "date,album,track,total\n2023-09-08,L,Blue,9223372036854775808\n", 0, 1,
	 "bad count@2: column 'total': \"9223372036854775808\" is too large (over "
	 "9223372036854775807)"},
	{"no count", "date,album,track,total,streams\n2023-09-08,L,Blue,,\n", 0, 1,
	 "no count@2: no count: both 'streams' and 'total' are empty"},
	{"field count", "date,album,track,total\n2023-09-08,L,Blue\n", 0, 1,
	 "wrong field count@2: expected 4 fields, got 3"},
	{"empty track", "date,album,track,total\n2023-09-08,L,,5\n", 0, 1,
	 "empty name@2: column 'track' is empty"},
	{"bad bound", "date,album,track,total,bound\n2023-09-08,L,Blue,5,maybe\n", 0, 1,
	 "bad bound@2: column 'bound': \"maybe\" is not 'exact', 'at_least' or 'crossed'"},
	{"missing column", "date,album,total\n2023-09-08,L,5\n", 0, 1,
	 "missing column@1: missing required column 'track' (header: date,album,total); a "
	 "column named track, song, title, track_name, song_title or track_title is read as "
	 "track: name yours with --column track=NAME, or give --track NAME (or "
	 "--track-from-filename) for a file of one track"},
	{"no count column", "date,album,track\n2023-09-08,L,Blue\n", 0, 1,
	 "missing column@1: missing required column 'streams' or 'total' (header: "
	 "date,album,track); a column named streams, plays, daily or daily_streams is read as "
	 "daily streams, one named total, streams_total, total_streams, cumulative or "
	 "cumulative_streams as running totals: name yours with --column streams=NAME or "
	 "--column total=NAME"},
	{"unknown columns", "date,album,track,total,source,note\n2023-09-08,L,Blue,5,x,y\n", 1, 0,
	 "unknown columns@1: ignoring unknown columns 'source', 'note'"},
	{"duplicate column", "date,album,track,total,Date\n2023-09-08,L,Blue,5,2023-09-09\n", 0, 1,
	 "duplicate column@1: columns 'date' (field 1) and 'Date' (field 5) are both read as date, "
	 "and the file cannot say which to use (header: date,album,track,total,Date); rename or "
	 "remove one of them"},
	{"two columns read as streams", "date,album,track,Streams,Daily\n2023-09-08,L,Blue,9,5\n",
	 0, 1,
	 "duplicate column@1: columns 'Streams' (field 4) and 'Daily' (field 5) are both read as "
	 "streams, and the file cannot say which to use (header: date,album,track,Streams,Daily); "
	 "if "
	 "'Streams' is the running total, give --column total=Streams --column streams=Daily; else "
	 "map each with --column FIELD=NAME"},
	{"two columns read as streams, neither daily",
	 "date,album,track,Plays,streams\n2023-09-08,L,Blue,9,5\n", 0, 1,
	 "duplicate column@1: columns 'Plays' (field 4) and 'streams' (field 5) are both read as "
	 "streams, and the file cannot say which to use (header: date,album,track,Plays,streams); "
	 "map "
	 "each with --column FIELD=NAME (--column streams=Plays or --column streams=streams, and "
	 "the "
	 "other as the field it is), or remove one"},
	{NULL, NULL, 0, 0, NULL},
};

static void test_row_table(void **state)
{
	char buf[512];

	(void)state;
	for (int i = 0; rows[i].name; i++) {
		struct ss_dataset ds;
		const struct ss_file *f = load_text(&ds, NULL, rows[i].text, NULL);
		const char *got = first_problem(&ds, buf, sizeof(buf));

		if (f->used != rows[i].used || f->skipped != rows[i].skipped)
			fail_msg("%s: used %llu skipped %llu", rows[i].name,
				 (unsigned long long)f->used, (unsigned long long)f->skipped);
		if (strcmp(got, rows[i].problem) != 0)
			fail_msg("%s: got '%s'\nwant '%s'", rows[i].name, got, rows[i].problem);
		assert_int_equal(f->rows, f->used + f->skipped);
		ss_dataset_release(&ds);
	}
}

static void test_values_and_names(void **state)
{
	struct ss_dataset ds;
	const struct ss_file *f;

	(void)state;
	f = load_text(&ds, NULL,
		      "artist,album,track,date,streams,total,bound\n"
		      "V,Layover,\"Blue, Grey\",2023-09-08,100,,\n"
		      "V,Layover,Slow Dancing,2023-09-09,,50000000,at_least\n"
		      "V,Layover,\"Blue, Grey\",2023-09-09,20,120,exact\n"
		      "Jimin,FACE,Like Crazy,2023-03-24,7,,\n"
		      "V,Layover,Slow Dancing,2023-10-09,,100000000,Crossed\n",
		      NULL);
	assert_int_equal(f->used, 5);
	assert_int_equal(ss_dataset_nalbums(&ds), 2);
	assert_int_equal(ss_dataset_ntracks(&ds), 3);
	assert_string_equal(ss_track_name(&ds, 0), "Blue, Grey");
	assert_string_equal(ss_album_artist(&ds, 0), "V");
	assert_string_equal(ss_album_artist(&ds, 1), "Jimin");
	assert_int_equal(ds.nobs, 5);
	assert_int_equal(ds.obs[4].flags, SS_OBS_TOTAL | SS_OBS_AT_LEAST | SS_OBS_CROSSED);
	assert_int_equal(ds.obs[0].streams, 100);
	assert_int_equal(ds.obs[0].flags, SS_OBS_STREAMS);
	assert_int_equal(ds.obs[1].total, 50000000);
	assert_int_equal(ds.obs[1].flags, SS_OBS_TOTAL | SS_OBS_AT_LEAST);
	assert_int_equal(ds.obs[2].flags, SS_OBS_TOTAL | SS_OBS_STREAMS);
	assert_int_equal(ds.obs[2].track, 0);
	assert_int_equal(ds.obs[3].line, 5);
	ss_dataset_release(&ds);
}

static void test_as_of(void **state)
{
	struct ss_dataset ds;
	struct ss_ingest_options opt = {.has_as_of = 1};
	const struct ss_file *f;

	(void)state;
	opt.as_of = ss_date_from_ymd(2023, 9, 9);
	f = load_text(
		&ds, NULL,
		"date,album,track,total\n2023-09-08,L,B,1\n2023-09-09,L,B,2\n2023-09-10,L,B,3\n",
		&opt);
	assert_int_equal(f->used, 2);
	assert_int_equal(f->after_as_of, 1);
	assert_int_equal(f->rows, 3);
	ss_dataset_release(&ds);
}

static const char catalog[] = "album,artist,album_release_date,track,track_release_date,counts\n"
			      "Layover,V,2023-09-08,Rainy Days,2023-08-11,yes\n"
			      "Layover,V,2023-09-08,Blue,,\n"
			      "FACE,Jimin,2023-03-24,Interlude : Dive,,no\n"
			      "BE,BTS,2020-11-20,Skit,,no\n";

static void test_catalog(void **state)
{
	struct ss_dataset ds;
	char buf[512];

	(void)state;
	load_text(&ds, catalog,
		  "date,album,track,total\n2023-09-08,Layover,Blue,10\n"
		  "2023-09-08,Layover,Unknown Song,10\n2023-03-24,FACE,Interlude : Dive,5\n",
		  NULL);
	assert_int_equal(ss_dataset_nalbums(&ds), 3);
	assert_int_equal(ds.albums[0].release, ss_date_from_ymd(2023, 9, 8));
	assert_int_equal(ds.albums[0].release_src, SS_SRC_CATALOG);
	assert_int_equal(ds.tracks[0].release, ss_date_from_ymd(2023, 8, 11));
	assert_int_equal(ds.tracks[1].release_src, SS_SRC_NONE); /* settled by series */
	assert_int_equal(ds.tracks[2].counts, 0);
	assert_string_equal(ss_album_artist(&ds, 1), "Jimin");
	/* The unknown track is kept, with a warning; BE has no data. */
	assert_int_equal(ds.files[1].used, 3);
	assert_int_equal(ds.problems.count[SS_P_NOT_IN_CATALOG], 1);
	assert_int_equal(ds.problems.count[SS_P_CATALOG_NO_DATA], 1);
	ss_problems_sort(&ds.problems);
	assert_string_equal(first_problem(&ds, buf, sizeof(buf)),
			    "album without data@5: album 'BE' is in the catalog but no data file "
			    "has a row for it");
	ss_dataset_release(&ds);
}

static void test_album_from_catalog(void **state)
{
	struct ss_dataset ds;
	const struct ss_file *f;
	char buf[512];

	(void)state;
	f = load_text(&ds, catalog, "date,track,total\n2023-09-08,Blue,10\n2023-09-08,Nope,3\n",
		      NULL);
	assert_int_equal(f->used, 1);
	assert_int_equal(f->skipped, 1);
	assert_int_equal(ds.obs[0].track, 1);
	assert_string_equal(first_problem(&ds, buf, sizeof(buf)),
			    "unknown track@3: track 'Nope' is not in the catalog, and the file "
			    "has no 'album' column");
	ss_dataset_release(&ds);
}

static void test_release_conflict(void **state)
{
	struct ss_dataset ds;

	(void)state;
	load_text(
		&ds, catalog,
		"date,album,track,total,release_date\n2023-09-08,Layover,Rainy Days,10,2023-08-12\n"
		"2023-09-09,Layover,Rainy Days,11,2023-08-12\n",
		NULL);
	/* The catalog wins; the disagreement is logged once. */
	assert_int_equal(ds.tracks[0].release, ss_date_from_ymd(2023, 8, 11));
	assert_int_equal(ds.problems.count[SS_P_RELEASE_CONFLICT], 1);
	ss_dataset_release(&ds);
}

static void test_empty_and_header_only(void **state)
{
	struct ss_dataset ds;
	const struct ss_file *f;

	(void)state;
	f = load_text(&ds, NULL, "", NULL);
	assert_true(f->fatal);
	assert_int_equal(ds.problems.count[SS_P_EMPTY_FILE], 1);
	ss_dataset_release(&ds);
	f = load_text(&ds, NULL, "date,album,track,total\n\n", NULL);
	assert_false(f->fatal);
	assert_int_equal(ds.problems.count[SS_P_HEADER_ONLY], 1);
	ss_dataset_release(&ds);
}

/* Two artists' albums of one title are two albums; a row without an artist
 * names the title only when it is one album's. */
static void test_album_by_artist(void **state)
{
	struct ss_dataset ds;
	const struct ss_file *f;
	char buf[512];
	uint32_t id;

	(void)state;
	f = load_text(&ds, NULL,
		      "date,album,artist,track,total\n"
		      "2018-05-18,Love Yourself,BTS,Fake Love,10\n"
		      "2018-05-18,Love Yourself,Other,Fake Love,20\n"
		      "2018-05-19,Love Yourself,BTS,Fake Love,15\n"
		      "2018-05-19,Love Yourself,,Fake Love,25\n"
		      "2018-05-19,Solo,,Song,1\n"
		      "2018-05-20,Solo,Someone,Song,2\n",
		      NULL);
	assert_int_equal(ss_dataset_nalbums(&ds), 3);
	assert_int_equal(ss_dataset_ntracks(&ds), 3);
	assert_string_equal(ss_album_artist(&ds, 0), "BTS");
	assert_string_equal(ss_album_artist(&ds, 1), "Other");
	/* 'Solo', met without an artist, takes the first one given */
	assert_string_equal(ss_album_artist(&ds, 2), "Someone");
	assert_int_equal(f->used, 5);
	assert_int_equal(f->skipped, 1);
	assert_string_equal(first_problem(&ds, buf, sizeof(buf)),
			    "ambiguous album@5: album 'Love Yourself' is by several artists "
			    "('BTS', 'Other') and this row names none; give the album's artist in "
			    "an 'artist' column");
	assert_string_equal(ss_album_label(&ds, 1, buf, sizeof buf), "Love Yourself (Other)");
	assert_string_equal(ss_album_label(&ds, 2, buf, sizeof buf), "Solo");
	assert_string_equal(ss_describe_track(&ds, 1, buf, sizeof buf),
			    "track 'Fake Love' of album 'Love Yourself' by 'Other'");
	/* how the command line names them */
	assert_int_equal(ss_dataset_find_album(&ds, "Love Yourself", 13, &id), 2);
	assert_int_equal(ss_dataset_find_album(&ds, "Other/Love Yourself", 19, &id), 1);
	assert_int_equal(id, 1);
	assert_int_equal(ss_dataset_find_album(&ds, "Solo", 4, &id), 1);
	assert_int_equal(ss_dataset_find_album(&ds, "BTS/Solo", 8, &id), 0);
	ss_dataset_release(&ds);
}

/* A catalog without artists, data with them: the data's artist names the
 * catalog's album; and a catalog's artists tell its same-titled albums
 * apart for data that gives artists. */
static void test_album_by_artist_catalog(void **state)
{
	struct ss_dataset ds;
	const struct ss_file *f;

	(void)state;
	f = load_text(&ds, "album,track\nGreatest Hits,One\n",
		      "date,album,artist,track,total\n2020-01-01,Greatest Hits,A,One,5\n", NULL);
	assert_int_equal(ss_dataset_nalbums(&ds), 1);
	assert_string_equal(ss_album_artist(&ds, 0), "A");
	assert_int_equal(f->used, 1);
	assert_int_equal(ds.problems.count[SS_P_NOT_IN_CATALOG], 0);
	ss_dataset_release(&ds);
	f = load_text(&ds, "album,artist,track\nGreatest Hits,A,One\nGreatest Hits,B,One\n",
		      "date,album,artist,track,total\n2020-01-01,Greatest Hits,B,One,5\n"
		      "2020-01-01,Greatest Hits,A,One,7\n",
		      NULL);
	assert_int_equal(ss_dataset_nalbums(&ds), 2);
	assert_int_equal(f->used, 2);
	assert_int_equal(ds.obs[0].track, 1); /* B's */
	assert_int_equal(ds.obs[1].track, 0);
	assert_int_equal(ds.problems.count[SS_P_NOT_IN_CATALOG], 0);
	ss_dataset_release(&ds);
}

/* Rows without an artist that were given to the first artist named, when a
 * second artist's album of that title comes later: said, at the first such
 * row; and an ARTIST/TITLE name wins over a title with a slash. */
static void test_album_artist_assumed(void **state)
{
	struct ss_dataset ds;
	const struct ss_file *f;
	char buf[512];
	uint32_t id;

	(void)state;
	f = load_text(&ds, NULL,
		      "date,album,artist,track,total\n"
		      "2020-01-01,Live,,Song,10\n"
		      "2020-01-02,Live,A,Song,20\n"
		      "2020-01-02,Live,B,Song,30\n"
		      "2020-01-02,X/Y,Z,Song,1\n"
		      "2020-01-02,Y,X,Song,2\n",
		      NULL);
	assert_int_equal(f->used, 5);
	assert_int_equal(ss_dataset_nalbums(&ds), 4);
	assert_int_equal(ds.problems.count[SS_P_ALBUM_ARTIST_ASSUMED], 1);
	ss_problems_sort(&ds.problems);
	{
		static const char head[] =
			"album artist assumed@2: album 'Live' is named here without an artist "
			"and was taken to be 'A''s (the first artist given for it), but 'B' also "
			"has an album of that title (";
		static const char tail[] = ":4): give the album's artist in an 'artist' column";
		const char *msg = first_problem(&ds, buf, sizeof(buf));
		size_t n = strlen(msg);

		if (strncmp(msg, head, sizeof head - 1) != 0 || n < sizeof tail ||
		    strcmp(msg + n - (sizeof tail - 1), tail) != 0)
			fail_msg("message: %s", msg);
	}
	assert_int_equal(ss_dataset_find_album(&ds, "X/Y", 3, &id), 1);
	assert_string_equal(ss_album_artist(&ds, id), "X");
	assert_int_equal(ss_dataset_find_album(&ds, "Z/X/Y", 5, &id), 1);
	assert_string_equal(ss_album_artist(&ds, id), "Z");
	ss_dataset_release(&ds);
}

/* Files as people have them, read with the options they need. */
static const struct {
	const char *name;
	struct ss_ingest_options opt;
	const char *text;
	unsigned used, skipped, nobs;
	int64_t count0;	     /* the first observation's total, or its streams */
	const char *problem; /* a kept problem as "kind@line: msg", "" for none */
} formats[] = {
	{"semicolons detected",
	 {0},
	 "date;album;track;total\n2023-09-08;L;Blue;5\n",
	 1,
	 0,
	 1,
	 5,
	 "input format@1: fields are separated by ';' (detected from the header line, which has "
	 "no commas; --delimiter says otherwise)"},
	{"tabs detected",
	 {0},
	 "date\talbum\ttrack\ttotal\n2023-09-08\tL\t Blue \t5\n",
	 1,
	 0,
	 1,
	 5,
	 "input format@1: fields are separated by tabs (detected from the header line, which "
	 "has no commas; --delimiter says otherwise)"},
	{"delimiter given",
	 {.delimiter = ';'},
	 "date;album;track;total\n2023-09-08;L;Blue;5\n",
	 1,
	 0,
	 1,
	 5,
	 ""},
	{"commas win", {0}, "date,album,track,total\n2023-09-08,L;X,Blue,5\n", 1, 0, 1, 5, ""},
	{"aliases",
	 {0},
	 "Day,Album,Song Title,Plays\n2023-09-08,L,Blue,7\n",
	 1,
	 0,
	 1,
	 7,
	 "input format@1: reading column 'Day' as date, 'Song Title' as track, 'Plays' as streams "
	 "(a known alias; --column FIELD=NAME says otherwise)"},
	{"streams total alias",
	 {0},
	 "date,album,track,Streams_Total\n2023-09-08,L,Blue,9\n",
	 1,
	 0,
	 1,
	 9,
	 "input format@1: reading column 'Streams_Total' as total (a known alias; --column "
	 "FIELD=NAME says otherwise)"},
	{"column mapping",
	 {.column = {[1] = "Name", [5] = "Streams"}},
	 "date,album,Name,Streams\n2023-09-08,L,Blue,11\n",
	 1,
	 0,
	 1,
	 11,
	 ""},
	{"column mapping missing",
	 {.column = {[1] = "Name"}},
	 "date,album,Song,total\n",
	 0,
	 0,
	 0,
	 0,
	 "missing column@1: --column track=Name: the header has no column 'Name' (header: "
	 "date,album,Song,total); give the name as the header spells it"},
	{"constant track and album",
	 {.track = "Blue", .album = "L", .artist = "V"},
	 "date,streams\n2023-09-08,100\n2023-09-09,50\n",
	 2,
	 0,
	 2,
	 100,
	 ""},
	{"constant unused",
	 {.album = "Other"},
	 "date,album,track,total\n2023-09-08,L,Blue,5\n",
	 1,
	 0,
	 1,
	 5,
	 "option not used@1: --album 'Other' is not used for this file: it has the column 'album' "
	 "(field 2); give the option before the files without one only"},
	{"constant date",
	 {.has_date = 1, .date = 19608, .album = "L", .column = {[5] = "Streams"}},
	 "Song Title,Streams\nBlue,5\nGrey,6\n",
	 2,
	 0,
	 2,
	 5,
	 "input format@1: reading column 'Song Title' as track (a known alias; --column "
	 "FIELD=NAME says otherwise)"},
	{"date format",
	 {.has_date_fmt = 1, .date_fmt = {{'d', 'm', 'Y'}, '.', "%d.%m.%Y", "DD.MM.YYYY"}},
	 "date,album,track,total\n8.9.2023,L,Blue,5\n2023-09-09,L,Blue,6\n",
	 1,
	 1,
	 1,
	 5,
	 "bad date@3: column 'date': \"2023-09-09\" is not a date in the form DD.MM.YYYY "
	 "(--date-format %d.%m.%Y); as YYYY-MM-DD it is 2023-09-09: give --date-format %Y-%m-%d"},
	{"us date without option",
	 {0},
	 "date,album,track,total\n11/21/2023,L,Blue,5\n",
	 0,
	 1,
	 0,
	 0,
	 "bad date@2: column 'date': \"11/21/2023\" is not a date in the form YYYY-MM-DD; as "
	 "MM/DD/YYYY it is 2023-11-21: give --date-format %m/%d/%Y; as DD/MM/YYYY it is no date"},
	{"midnight",
	 {0},
	 "date,album,track,total\n2023-09-08T00:00:00Z,L,Blue,5\n",
	 1,
	 0,
	 1,
	 5,
	 "input format@2: 1 date with a time at midnight, such as \"2023-09-08T00:00:00Z\": the "
	 "time is left out"},
	{"not midnight",
	 {0},
	 "date,album,track,total\n2023-09-08 13:00:00,L,Blue,5\n",
	 0,
	 1,
	 0,
	 0,
	 "bad date@2: column 'date': \"2023-09-08 13:00:00\" has a time of day that is not "
	 "midnight; streamstat counts whole days: give one row per day, dated without a time or at "
	 "00:00"},
	{"thousands",
	 {.thousands = ','},
	 "date,album,track,total\n2023-09-08,L,Blue,\"1,234,567\"\n",
	 1,
	 0,
	 1,
	 1234567,
	 ""},
	{"thousands dots",
	 {.thousands = '.'},
	 "date;album;track;total\n2023-09-08;L;Blue;1.234.567\n",
	 1,
	 0,
	 1,
	 1234567,
	 "input format@1: fields are separated by ';' (detected from the header "
	 "line, which has no commas; --delimiter says otherwise)"},
	{"thousands hint",
	 {0},
	 "date,album,track,total\n2023-09-08,L,Blue,\"1,234,567\"\n",
	 0,
	 1,
	 0,
	 0,
	 "bad count@2: column 'total': \"1,234,567\" is not written as plain digits; "
	 "--thousands , reads it as 1234567"},
	{"thousands wrong groups",
	 {.thousands = ','},
	 "date,album,track,total\n2023-09-08,L,Blue,\"12,34,567\"\n",
	 0,
	 1,
	 0,
	 0,
	 "bad count@2: column 'total': \"12,34,567\" is not a whole number in groups of three "
	 "digits separated by ',' (--thousands ,)"},
	{"zero fraction",
	 {0},
	 "date,album,track,total\n2023-09-08,L,Blue,812345.0\n",
	 1,
	 0,
	 1,
	 812345,
	 "input format@2: 1 count with a zero fraction, such as \"812345.0\" in column "
	 "'total', read as whole numbers"},
	{"blank rows",
	 {0},
	 "date,album,track,total\n2023-09-08,L,Blue,5\n,,,\n , ,,\n",
	 1,
	 0,
	 1,
	 5,
	 "input format@3: 2 rows of empty fields only (as spreadsheets leave below the data) read "
	 "as blank lines"},
	{"wide totals",
	 {.wide = 1, .values = SS_VALUES_TOTAL, .album = "L"},
	 "date,Blue,Grey\n2023-09-08,5,\n2023-09-09,7,3\n",
	 2,
	 0,
	 3,
	 5,
	 "input format@1: wide table: 2 track columns ('Blue', 'Grey'), each cell a running total "
	 "(--values total)"},
	{"wide bad cell",
	 {.wide = 1, .values = SS_VALUES_STREAMS, .album = "L"},
	 "date,Blue,Grey\n2023-09-08,5,x\n2023-09-09,7,3\n",
	 1,
	 1,
	 2,
	 7,
	 "bad count@2: column 'Grey': \"x\" is not a whole number"},
	{"wide empty row",
	 {.wide = 1, .values = SS_VALUES_STREAMS, .album = "L"},
	 "date,Blue,Grey\n2023-09-08,,\n",
	 0,
	 1,
	 0,
	 0,
	 "no count@2: no count: every track's cell is empty"},
	{"wide no album",
	 {.wide = 1, .values = SS_VALUES_TOTAL},
	 "date,Blue\n2023-09-08,5\n",
	 0,
	 1,
	 0,
	 0,
	 "missing column@1: a wide table names no album: give --album NAME (and --artist NAME) for "
	 "the whole file, or a catalog (--catalog) listing its tracks"},
	{"wide same track twice",
	 {.wide = 1, .values = SS_VALUES_TOTAL, .album = "L"},
	 "date,Blue, Blue \n2023-09-08,5,6\n",
	 0,
	 1,
	 0,
	 0,
	 "duplicate column@1: column 'Blue' (fields 2 and 3) is the same track twice; rename or "
	 "remove one"},
	{NULL, {0}, NULL, 0, 0, 0, 0, NULL},
};

static void test_formats(void **state)
{
	char buf[1024];

	(void)state;
	for (int i = 0; formats[i].name; i++) {
		struct ss_dataset ds;
		const struct ss_file *f = load_text(&ds, NULL, formats[i].text, &formats[i].opt);
		int found = formats[i].problem[0] == '\0' && ds.problems.n == 0;

		for (size_t k = 0; k < ds.problems.n && !found; k++) {
			const struct ss_problem *p = &ds.problems.list[k];

			snprintf(buf, sizeof(buf), "%s@%llu: %s", ss_problem_kind_name(p->kind),
				 (unsigned long long)p->line, p->msg);
			found = strcmp(buf, formats[i].problem) == 0;
		}
		if (formats[i].problem[0] == '\0' && !formats[i].nobs && !formats[i].used)
			found = 1; /* a fatal case that only counts */
		if (!found)
			fail_msg("%s: no problem '%s' (first: '%s')", formats[i].name,
				 formats[i].problem, first_problem(&ds, buf, sizeof(buf)));
		if (f->used != formats[i].used || f->skipped != formats[i].skipped ||
		    ds.nobs != formats[i].nobs)
			fail_msg("%s: used %llu skipped %llu obs %zu", formats[i].name,
				 (unsigned long long)f->used, (unsigned long long)f->skipped,
				 ds.nobs);
		if (ds.nobs &&
		    (ds.obs[0].flags & SS_OBS_TOTAL ? ds.obs[0].total : ds.obs[0].streams) !=
			    formats[i].count0)
			fail_msg("%s: first count %lld", formats[i].name,
				 (long long)(ds.obs[0].flags & SS_OBS_TOTAL ? ds.obs[0].total
									    : ds.obs[0].streams));
		assert_int_equal(f->rows, f->used + f->skipped);
		ss_dataset_release(&ds);
	}
}

/* --track-from-filename: the base name without its extension. */
static void test_track_from_filename(void **state)
{
	struct ss_dataset ds;
	struct ss_ingest_options opt = {.track_from_filename = 1, .album = "Layover"};
	struct ss_error err;
	const char *dir = getenv("TMPDIR");
	char path[256];
	FILE *fp;

	(void)state;
	snprintf(path, sizeof(path), "%s/Rainy Days.csv", dir && *dir ? dir : "/tmp");
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("date,streams\n2023-09-08,100\n", fp);
	fclose(fp);
	ss_dataset_init(&ds, 100);
	assert_int_equal(ss_ingest_file(&ds, path, &opt, &err), SS_OK);
	unlink(path);
	assert_int_equal(ds.nobs, 1);
	assert_string_equal(ss_track_name(&ds, ds.obs[0].track), "Rainy Days");
	assert_string_equal(ss_album_name(&ds, ds.tracks[ds.obs[0].track].album), "Layover");
	ss_dataset_release(&ds);
}

/* A wide table's tracks found in the catalog when no album is given. */
static void test_wide_catalog(void **state)
{
	struct ss_dataset ds;
	struct ss_ingest_options opt = {.wide = 1, .values = SS_VALUES_TOTAL};
	const struct ss_file *f;

	(void)state;
	f = load_text(&ds, "album,artist,track\nLayover,V,Blue\nFACE,Jimin,Like Crazy\n",
		      "date,Like Crazy,Blue\n2023-09-08,10,20\n", &opt);
	assert_int_equal(f->used, 1);
	assert_int_equal(ds.nobs, 2);
	assert_string_equal(ss_album_name(&ds, ds.tracks[ds.obs[0].track].album), "FACE");
	assert_string_equal(ss_album_name(&ds, ds.tracks[ds.obs[1].track].album), "Layover");
	ss_dataset_release(&ds);
	f = load_text(&ds, "album,track\nLayover,Blue\n", "date,Blue,Nope\n2023-09-08,1,2\n", &opt);
	assert_int_equal(f->fatal, 1);
	assert_int_equal(ds.nobs, 0);
	ss_dataset_release(&ds);
}

/* A wide table whose rows are all skipped has its tracks (from the header)
 * and no observation at all: each track's series is empty, and not a null
 * pointer plus 0 (found by fuzz_ingest: the fit's worker read it so). */
static void test_wide_no_rows(void **state)
{
	struct ss_dataset ds;
	struct ss_ingest_options opt = {.wide = 1, .values = SS_VALUES_STREAMS, .album = "L"};
	struct ss_series_stats st;
	struct ss_error err;
	const struct ss_file *f;
	size_t n = 1;

	(void)state;
	f = load_text(&ds, NULL, "date,Blue,Grey\n2023-09-08,x,\n", &opt);
	assert_int_equal(f->used, 0);
	assert_int_equal(f->skipped, 1);
	assert_int_equal(ss_dataset_ntracks(&ds), 2);
	assert_int_equal(ds.nobs, 0);
	assert_int_equal(ss_series_build(&ds, &st, &err), SS_OK);
	assert_non_null(ss_series_of(&ds, 1, &n));
	assert_int_equal(n, 0);
	ss_dataset_release(&ds);
}

/* --release-date: every track's release date, as a release_date column; a
 * catalog's date wins (and a different one is a conflict); a file with the
 * column keeps its own. */
static void test_release_date_option(void **state)
{
	struct ss_dataset ds;
	struct ss_ingest_options opt = {.has_release_date = 1, .release_date = 19608};
	struct ss_ingest_options wide = {.has_release_date = 1,
					 .release_date = 19608,
					 .wide = 1,
					 .values = SS_VALUES_STREAMS,
					 .album = "L"};
	const struct ss_file *f;

	(void)state;
	f = load_text(&ds, NULL, "date,album,track,streams\n2023-09-09,L,Blue,5\n", &opt);
	assert_int_equal(f->used, 1);
	assert_int_equal(ds.tracks[0].release, 19608);
	assert_int_equal(ds.tracks[0].release_src, SS_SRC_COLUMN);
	assert_int_equal(ds.problems.n, 0);
	ss_dataset_release(&ds);

	f = load_text(&ds, "album,track,track_release_date\nL,Blue,2023-09-01\n",
		      "date,album,track,streams\n2023-09-09,L,Blue,5\n", &opt);
	assert_int_equal(ds.tracks[0].release, ss_date_from_ymd(2023, 9, 1));
	assert_int_equal(ds.tracks[0].release_src, SS_SRC_CATALOG);
	assert_int_equal(ds.problems.count[SS_P_RELEASE_CONFLICT], 1);
	ss_dataset_release(&ds);

	f = load_text(&ds, NULL,
		      "date,album,track,streams,release_date\n2023-09-09,L,Blue,5,2023-09-02\n",
		      &opt);
	assert_int_equal(ds.tracks[0].release, ss_date_from_ymd(2023, 9, 2));
	assert_int_equal(ds.problems.count[SS_P_OPTION_UNUSED], 1);
	ss_dataset_release(&ds);

	f = load_text(&ds, NULL, "date,Blue,Grey\n2023-09-09,5,6\n", &wide);
	assert_int_equal(f->used, 1);
	assert_int_equal(ds.tracks[0].release, 19608);
	assert_int_equal(ds.tracks[1].release, 19608);
	assert_int_equal(ds.tracks[1].release_src, SS_SRC_COLUMN);
	ss_dataset_release(&ds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_row_table),
		cmocka_unit_test(test_values_and_names),
		cmocka_unit_test(test_as_of),
		cmocka_unit_test(test_catalog),
		cmocka_unit_test(test_album_from_catalog),
		cmocka_unit_test(test_release_conflict),
		cmocka_unit_test(test_empty_and_header_only),
		cmocka_unit_test(test_album_by_artist),
		cmocka_unit_test(test_album_by_artist_catalog),
		cmocka_unit_test(test_album_artist_assumed),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_track_from_filename),
		cmocka_unit_test(test_wide_catalog),
		cmocka_unit_test(test_wide_no_rows),
		cmocka_unit_test(test_release_date_option),
	};

	return cmocka_run_group_tests_name("ingest", tests, NULL, NULL);
}
