/*
 * Unit tests for changes.c:
 *  - the index of the previous summary: albums and tracks found by
 *    (artist, album, track), with their crossings (date, interval, an
 *    interval open at the top, rank) and model; names with JSON escapes; the
 *    same title by two artists and the same track on two albums kept apart;
 *    an older summary without "artist" keys matching any artist;
 *  - 20,000 tracks: every one found, with its own values, and one not in
 *    the summary not found;
 *  - refusals, with the line: a schema this version does not read (newer,
 *    zero, not a number), no schema, schema not first, broken JSON; a file
 *    that does not exist;
 *  - warnings: matched by file, kind and message, not line, each of the
 *    previous report's at most once; a summary without "warnings";
 *  - the as-of date peeked from the first keys;
 *  - the changes found: a milestone reached (the album's line, a track's
 *    "by"), none for a track the previous report did not have that passed
 *    before its date, a projection reported only when it leaves the previous
 *    interval and moved more than moved_days, the order of importance.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "streamstat/date.h"
#include "streamstat/ingest.h"
#include "helpers.h"
#include "streamstat/backtest.h"
#include "streamstat/changes.h"
#include "streamstat/report.h"
#include "streamstat/series.h"

static int32_t D(int y, int m, int d)
{
	return ss_date_from_ymd(y, m, d);
}

static struct ss_prev *load_ok(const char *json)
{
	struct ss_prev *p = NULL;
	struct ss_error err = {0};
	const char *path = temp_text(json);
	enum ss_status st = ss_prev_load(path, &p, &err);

	if (st != SS_OK)
		fail_msg("%s:%lu: %s", path, err.line, err.msg);
	unlink(path);
	return p;
}

static const char summary[] =
	"{\n"
	"  \"schema\": 1,\n"
	"  \"version\": \"0.1.0\",\n"
	"  \"as_of\": \"2023-11-17\",\n"
	"  \"headline\": [\"Every \\\"L\\\" track ...\", \"]}{\"],\n"
	"  \"problems\": {\"total\": 1, \"by_kind\": {\"a\": 0}, \"warnings\": []},\n"
	"  \"albums\": [\n"
	"    {\"album\": \"Love Yourself\", \"artist\": \"BTS\", \"release_date\": "
	"\"2018-05-18\",\n"
	"     \"all_tracks\": [\n"
	"       {\"milestone\": 50000000, \"status\": \"reached\", \"how\": \"exact\",\n"
	"        \"date\": \"2018-06-12\", \"low\": null, \"high\": null, \"high_open\": false,\n"
	"        \"bounded_tracks\": [\"x\", \"y\"], \"rank\": 1, \"flags\": []},\n"
	"       {\"milestone\": 100000000, \"status\": \"projected\", \"date\": \"2018-07-31\",\n"
	"        \"low\": \"2018-07-24\", \"high\": null, \"high_open\": true, \"rank\": null}],\n"
	"     \"album_total\": [{\"milestone\": 50000000, \"status\": \"never\", \"rank\": 7}]},\n"
	"    {\"album\": \"Love Yourself\", \"artist\": \"Other Band\",\n"
	"     \"all_tracks\": [{\"milestone\": 50000000, \"status\": \"unknown\", \"date\": null,\n"
	"                     \"rank\": null}]},\n"
	"    {\"album\": \"Caf\\u00e9 \\\"Bleu\\\" \\\\ \\ud83c\\udfb5\", \"artist\": null,\n"
	"     \"all_tracks\": []}\n"
	"  ],\n"
	"  \"backtest\": {\"methods\": [{\"method\": \"pace\", \"cuts\": 3}]},\n"
	"  \"tracks\": [\n"
	"    {\"album\": \"Love Yourself\", \"artist\": \"BTS\", \"track\": \"Fake Love\",\n"
	"     \"pace\": 1.5e6, \"model\": \"pace\", \"milestones\": [\n"
	"       {\"milestone\": 100000000, \"status\": \"after\", \"date\": \"2023-01-01\"}]},\n"
	"    {\"album\": \"Love Yourself\", \"artist\": \"Other Band\", \"track\": \"Fake Love\",\n"
	"     \"model\": null, \"milestones\": []},\n"
	"    {\"album\": \"Tear\", \"artist\": \"BTS\", \"track\": \"Fake Love\", \"model\": "
	"\"recent\",\n"
	"     \"milestones\": [{\"milestone\": 50000000, \"status\": \"projected\",\n"
	"       \"date\": \"2018-09-01\", \"low\": \"2018-08-20\", \"high\": \"2018-09-15\",\n"
	"       \"high_open\": false, \"rank\": null}]}\n"
	"  ]\n"
	"}\n";

static void test_index(void **state)
{
	struct ss_prev *p = load_ok(summary);
	const struct ss_prev_entry *e;
	const struct ss_prev_crossing *x;

	(void)state;
	assert_int_equal(ss_prev_as_of(p), D(2023, 11, 17));
	assert_true(ss_prev_has_warnings(p));

	e = ss_prev_find(p, "BTS", "Love Yourself", NULL);
	assert_non_null(e);
	assert_int_equal(e->n, 2); /* all_tracks only, not album_total */
	x = ss_prev_crossing_of(e, 50000000);
	assert_non_null(x);
	assert_int_equal(x->status, SS_MS_REACHED);
	assert_int_equal(x->day, D(2018, 6, 12));
	assert_int_equal(x->lo, SS_DAY_NONE);
	assert_int_equal(x->rank, 1);
	x = ss_prev_crossing_of(e, 100000000);
	assert_int_equal(x->status, SS_MS_PROJECTED);
	assert_int_equal(x->lo, D(2018, 7, 24));
	assert_int_equal(x->hi, SS_DAY_NEVER); /* high_open */
	assert_int_equal(x->rank, 0);
	assert_null(ss_prev_crossing_of(e, 200000000));

	e = ss_prev_find(p, "Other Band", "Love Yourself", NULL);
	assert_non_null(e);
	assert_int_equal(e->n, 1);
	assert_int_equal(e->c[0].status, SS_MS_UNKNOWN);
	assert_int_equal(e->c[0].day, SS_DAY_NONE);
	assert_null(ss_prev_find(p, "Nobody", "Love Yourself", NULL));

	/* escapes decoded: \u00e9, \", \\, a surrogate pair; artist null is "" */
	e = ss_prev_find(p, "", "Caf\xc3\xa9 \"Bleu\" \\ \xf0\x9f\x8e\xb5", NULL);
	assert_non_null(e);
	assert_int_equal(e->n, 0);

	/* one track title on three albums */
	e = ss_prev_find(p, "BTS", "Love Yourself", "Fake Love");
	assert_non_null(e);
	assert_string_equal(e->model, "pace");
	assert_int_equal(e->c[0].status, SS_MS_AFTER);
	e = ss_prev_find(p, "Other Band", "Love Yourself", "Fake Love");
	assert_non_null(e);
	assert_null(e->model);
	e = ss_prev_find(p, "BTS", "Tear", "Fake Love");
	assert_string_equal(e->model, "recent");
	x = ss_prev_crossing_of(e, 50000000);
	assert_int_equal(x->day, D(2018, 9, 1));
	assert_int_equal(x->lo, D(2018, 8, 20));
	assert_int_equal(x->hi, D(2018, 9, 15));
	/* an album is not its tracks, nor a track its album */
	assert_null(ss_prev_find(p, "BTS", "Tear", NULL));
	assert_null(ss_prev_find(p, "BTS", "Love Yourself", "Tear"));
	ss_prev_free(&p);
	assert_null(p);
	ss_prev_free(&p); /* NULL is fine */
}

/* A summary from before album identity: no "artist" keys, no warnings. */
static void test_no_artist(void **state)
{
	struct ss_prev *p = load_ok("{\"schema\": 1, \"as_of\": \"2023-01-02\",\n"
				    " \"albums\": [{\"album\": \"BE\", \"all_tracks\": []}],\n"
				    " \"tracks\": [{\"album\": \"BE\", \"track\": \"Stay\",\n"
				    "   \"model\": \"expdecay\", \"milestones\": []}]}");

	(void)state;
	assert_non_null(ss_prev_find(p, "BTS", "BE", NULL));
	assert_non_null(ss_prev_find(p, "", "BE", NULL));
	assert_string_equal(ss_prev_find(p, "Anyone", "BE", "Stay")->model, "expdecay");
	assert_null(ss_prev_find(p, "BTS", "BE", "Life Goes On"));
	assert_false(ss_prev_has_warnings(p));
	ss_prev_free(&p);
}

static void test_many(void **state)
{
	enum { N = 20000 };
	size_t cap = (size_t)N * 200 + 100, at = 0;
	char *json = malloc(cap), name[64], album[64];
	struct ss_prev *p;

	(void)state;
	at += (size_t)snprintf(json + at, cap - at, "{\"schema\": 1, \"tracks\": [");
	for (int i = 0; i < N; i++)
		at += (size_t)snprintf(json + at, cap - at,
				       "%s{\"album\": \"Album %d\", \"artist\": \"A\", \"track\": "
				       "\"Track %d\", \"milestones\": [{\"milestone\": 50000000, "
				       "\"status\": \"projected\", \"date\": \"2024-01-01\", "
				       "\"rank\": %d}]}",
				       i ? ",\n" : "\n", i / 12, i, i + 1);
	snprintf(json + at, cap - at, "]}\n");
	p = load_ok(json);
	free(json);
	for (int i = 0; i < N; i++) {
		snprintf(album, sizeof album, "Album %d", i / 12);
		snprintf(name, sizeof name, "Track %d", i);
		const struct ss_prev_entry *e = ss_prev_find(p, "A", album, name);
		assert_non_null(e);
		assert_int_equal(e->n, 1);
		assert_int_equal(e->c[0].rank, i + 1);
	}
	/* a track on another album than the summary's */
	assert_null(ss_prev_find(p, "A", "Album 1", "Track 0"));
	assert_int_equal(ss_prev_as_of(p), SS_DAY_NONE);
	ss_prev_free(&p);
}

static void test_refused(void **state)
{
	static const struct {
		const char *json;
		unsigned long line;
		const char *says;
	} cases[] = {
		{"{\n  \"schema\": 3,\n  \"as_of\": \"2023-11-17\"\n}\n", 2, "schema 3"},
		{"{\n\n  \"schema\": 0, \"tracks\": []}", 3, "schema 0"},
		{"{\"schema\": 1.5}", 1, "expected a whole number"},
		{"{\"schema\": \"1\"}", 1, "expected a whole number"},
		{"{\"as_of\": \"2023-11-17\", \"schema\": 1}", 1, "\"schema\" does not come first"},
		{"{}", 1, "no \"schema\""},
		{"[1, 2]", 1, "expected an object"},
		{"{\"schema\": 1,\n \"tracks\": [{\"album\": \"A\", \"track\": \"B\"},\n", 3,
		 "expected"},
		{"{\"schema\": 1,\n \"tracks\": [{\"album\": \"A\\q\", \"track\": \"B\"}]}", 2,
		 "bad escape"},
		{"{\"schema\": 1,\n \"tracks\": [{\"album\": \"A\"}]}", 2, "a track without"},
		{"{\"schema\": 1,\n\"as_of\": \"2023-13-01\"}", 2, "expected a date"},
		{"{\"schema\": 1, \"albums\": [{\"album\": \"A\", \"all_tracks\": [{\"rank\": "
		 "tru}]}]}",
		 1, "expected a whole number"},
		{"{\"schema\": null}", 1, "expected a whole number"},
		{"{\"schema\": 2, \"as_of\": \"2023-11-20\",\n \"problems\": {\"x\": }}", 2,
		 "expected"},
		{"{\"schema\": 2, \"problems\": {\"warnings\": 7}}", 1, "expected"},
		{"{\"schema\": 2, \"albums\": [{\"album\": \"A\", \"all_tracks\": [{\"rank\": "
		 "-}]}]}",
		 1, "expected a whole number"},
		{"{\"schema\": 2, \"albums\": [{\"album\": \"A\", \"all_tracks\": [{\"rank\": "
		 "123456789012345678901}]}]}",
		 1, "out of range"},
		{NULL, 0, NULL},
	};

	(void)state;
	for (size_t i = 0; cases[i].json; i++) {
		struct ss_prev *p = (struct ss_prev *)1;
		struct ss_error err = {0};
		const char *path = temp_text(cases[i].json);

		assert_int_equal(ss_prev_load(path, &p, &err), SS_ERR_DATA);
		assert_null(p);
		assert_string_equal(err.file, path);
		if (err.line != cases[i].line || !strstr(err.msg, cases[i].says))
			fail_msg("case %zu: got line %lu \"%s\", want line %lu \"%s\"", i, err.line,
				 err.msg, cases[i].line, cases[i].says);
		unlink(path);
	}
}

static void test_schema_message(void **state)
{
	struct ss_prev *p;
	struct ss_error err = {0};
	const char *path = temp_text("{\"schema\": 7, \"tracks\": [oops]}");

	(void)state;
	/* nothing after the schema is read, so its error is the schema's */
	assert_int_equal(ss_prev_load(path, &p, &err), SS_ERR_DATA);
	assert_string_equal(err.msg, "summary schema 7, which this version (reading schema 1 to 2) "
				     "cannot compare with: was it written by another version of "
				     "streamstat?");
	unlink(path);
	assert_int_equal(ss_prev_load("/nonexistent/streamstat-2023-01-01.json", &p, &err),
			 SS_ERR_NOINPUT);
	assert_null(p);
	path = temp_text("");
	assert_int_equal(ss_prev_load(path, &p, &err), SS_ERR_DATA);
	assert_string_equal(err.msg, "an empty file, not a JSON summary");
	unlink(path);
}

static void test_warnings(void **state)
{
	struct ss_dataset ds;
	uint8_t old[8];
	struct ss_prev *p = load_ok(
		"{\"schema\": 1, \"problems\": {\"total\": 3, \"warnings\": [\n"
		"  {\"file\": \"h.csv\", \"line\": 6, \"kind\": \"uncertain release date\",\n"
		"   \"message\": \"album 'BE': inferred\"},\n"
		"  {\"file\": \"h.csv\", \"line\": 7, \"kind\": \"uncertain release date\",\n"
		"   \"message\": \"album 'BE': inferred\"},\n"
		"  {\"file\": \"h.csv\", \"line\": 9, \"kind\": \"total went down\",\n"
		"   \"message\": \"x\"}]}}");

	(void)state;
	ss_dataset_init(&ds, 100);
	uint32_t h = ss_dataset_add_file(&ds, "h.csv", 0), g = ss_dataset_add_file(&ds, "g.csv", 0);
	/* three of the message the summary has twice (at other lines) */
	ss_problems_add(&ds.problems, SS_P_RELEASE_UNCERTAIN, h, 16, "album 'BE': inferred");
	ss_problems_add(&ds.problems, SS_P_RELEASE_UNCERTAIN, h, 17, "album 'BE': inferred");
	ss_problems_add(&ds.problems, SS_P_RELEASE_UNCERTAIN, h, 18, "album 'BE': inferred");
	/* the same message in another file, of another kind; a note */
	ss_problems_add(&ds.problems, SS_P_TOTAL_DECREASE, g, 9, "x");
	ss_problems_add(&ds.problems, SS_P_STALE, h, 9, "x");
	ss_problems_add(&ds.problems, SS_P_TRACK_NO_DATA, h, 0, "x");
	ss_problems_add(&ds.problems, SS_P_TOTAL_DECREASE, h, 90, "x");
	assert_int_equal(ds.problems.n, 7);
	assert_int_equal(ss_prev_match_warnings(p, &ds, old), 3);
	static const uint8_t want[] = {1, 1, 0, 0, 0, 0, 1};
	assert_memory_equal(old, want, sizeof want);
	ss_prev_free(&p);

	/* no previous report, or one without warnings: nothing is old */
	memset(old, 9, sizeof old);
	assert_int_equal(ss_prev_match_warnings(NULL, &ds, old), 0);
	assert_memory_equal(old, (uint8_t[7]){0}, 7);
	p = load_ok("{\"schema\": 1}");
	assert_int_equal(ss_prev_match_warnings(p, &ds, old), 0);
	ss_prev_free(&p);
	ss_dataset_release(&ds);
}

static void test_peek(void **state)
{
	const char *path =
		temp_text("{\"schema\": 1, \"version\": \"x\", \"as_of\": \"2023-11-17\", "
			  "\"tracks\": [broken");

	(void)state;
	assert_int_equal(ss_prev_peek_as_of(path), D(2023, 11, 17));
	unlink(path);
	assert_int_equal(ss_prev_peek_as_of("/nonexistent.json"), SS_DAY_NONE);
	path = temp_text("{\"schema\": 1, \"as_of\": null}");
	assert_int_equal(ss_prev_peek_as_of(path), SS_DAY_NONE);
	unlink(path);
}

/* ---- the changes of a report ------------------------------------------- */

static const char catalog[] = "album,artist,album_release_date,track,counts\n"
			      "L,V,2023-09-08,Blue,yes\n"
			      "L,V,2023-09-08,For Us,yes\n"
			      "L,V,2023-09-08,Skit,yes\n"
			      "F,Jimin,2023-03-24,Like Crazy,yes\n";

static const char history[] = "date,track,total,bound\n"
			      "2023-10-25,Blue,40000000,at_least\n"
			      "2023-11-18,Blue,50000000,crossed\n"
			      "2023-10-25,For Us,40000000,at_least\n"
			      "2023-11-18,For Us,50000000,at_least\n"
			      "2023-10-01,Skit,60000000,at_least\n"
			      "2023-05-20,Like Crazy,176720000,at_least\n";

struct fixture {
	struct ss_dataset ds;
	struct ss_series_stats st;
	struct ss_fits fits;
	struct ss_milestones ms;
	uint32_t albums[2];
	struct ss_report r;
};

static void fixture_load(struct fixture *fx)
{
	struct ss_fit_options fo = ss_fit_defaults();
	struct ss_ms_options mo = ss_ms_defaults();
	struct ss_error err;

	memset(fx, 0, sizeof *fx);
	load_text(&fx->ds, catalog, history, NULL);
	assert_int_equal(ss_series_build(&fx->ds, &fx->st, &err), SS_OK);
	assert_int_equal(ss_ms_parse_list("50M,100M", &mo), 0);
	fo.jobs = 1;
	mo.jobs = 1;
	ss_fit_all(&fx->ds, &fo, &fx->fits);
	ss_milestones_run(&fx->ds, &fx->fits, &mo, &fx->ms);
	assert_int_equal(ss_dataset_nalbums(&fx->ds), 2);
	fx->albums[0] = strcmp(ss_album_name(&fx->ds, 0), "L") == 0 ? 0 : 1;
	fx->albums[1] = 1 - fx->albums[0];
	fx->r = (struct ss_report){.ds = &fx->ds,
				   .st = &fx->st,
				   .fits = &fx->fits,
				   .ms = &fx->ms,
				   .as_of = D(2023, 11, 18),
				   .albums = fx->albums,
				   .nalbums = 2};
}

static void fixture_release(struct fixture *fx)
{
	ss_milestones_release(&fx->ms);
	ss_fits_release(&fx->fits);
	ss_dataset_release(&fx->ds);
}

static uint32_t track_id(const struct ss_dataset *ds, const char *name)
{
	for (uint32_t t = 0; t < ss_dataset_ntracks(ds); t++)
		if (strcmp(ss_track_name(ds, t), name) == 0)
			return t;
	fail_msg("no track %s", name);
	return 0;
}

/* The previous report as of 2023-11-04 with one entry: Blue's 100M
 * projected on day was, in [lo, hi] (lo SS_DAY_NONE: no interval). */
static struct ss_prev *prev_with(int32_t was, int32_t lo, int32_t hi)
{
	char json[1024], d[3][SS_DATE_LEN + 3];
	int32_t days[3] = {was, lo, hi};

	for (int i = 0; i < 3; i++) {
		char s[SS_DATE_LEN + 1];
		if (days[i] == SS_DAY_NONE) {
			strcpy(d[i], "null");
			continue;
		}
		ss_date_format(days[i], s);
		snprintf(d[i], sizeof d[i], "\"%s\"", s);
	}
	snprintf(json, sizeof json,
		 "{\"schema\": 1, \"as_of\": \"2023-11-04\", \"tracks\": [\n"
		 "  {\"album\": \"L\", \"artist\": \"V\", \"track\": \"Blue\", \"milestones\": [\n"
		 "    {\"milestone\": 100000000, \"status\": \"projected\", \"date\": %s,\n"
		 "     \"low\": %s, \"high\": %s, \"high_open\": false}]}]}",
		 d[0], d[1], d[2]);
	return load_ok(json);
}

static size_t count_kind(const struct ss_changes *c, enum ss_change_kind k)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n; i++)
		n += c->list[i].kind == k;
	return n;
}

static void test_changes(void **state)
{
	struct fixture fx;
	struct ss_changes c;
	struct ss_prev *p;

	(void)state;
	fixture_load(&fx);
	uint32_t blue = track_id(&fx.ds, "Blue");
	const struct ss_crossing *x = &fx.ms.tracks[blue].c[1]; /* 100M */
	assert_int_equal(x->status, SS_MS_PROJECTED);
	int32_t now = x->day;

	/* out of a narrow interval, 30 days: reported */
	p = prev_with(now - 30, now - 40, now - 20);
	ss_changes_find(p, &fx.r, 7, &c);
	assert_int_equal(c.since, D(2023, 11, 4));
	/* the album completes: its line first, naming Blue; For Us passed by
	 * 11-18 after the report's date; Skit (10-01) and Like Crazy (05-20)
	 * passed before it: nothing, the report not having them */
	assert_true(c.n >= 3);
	assert_int_equal(c.list[0].kind, SS_CH_REACHED);
	assert_string_equal(
		c.list[0].text,
		"Blue passed 50M on 2023-11-18 - every L track is now past 50M, day 72");
	assert_int_equal(c.list[0].track, SS_NONE);
	assert_int_equal(c.list[0].milestone, 50000000);
	assert_int_equal(c.list[0].now, D(2023, 11, 18));
	assert_int_equal(c.list[0].was, SS_DAY_NONE);
	assert_int_equal(c.list[1].kind, SS_CH_REACHED);
	assert_string_equal(c.list[1].text, "For Us (L) passed 50M by 2023-11-18");
	assert_int_equal(count_kind(&c, SS_CH_REACHED), 2);
	assert_int_equal(count_kind(&c, SS_CH_MOVED), 1);
	const struct ss_change *m = &c.list[2];
	assert_int_equal(m->kind, SS_CH_MOVED);
	assert_int_equal(m->track, blue);
	assert_int_equal(m->was, now - 30);
	assert_int_equal(m->now, now);
	int known;
	assert_int_equal(ss_change_moved(m, &known), 30);
	assert_true(known);
	assert_non_null(strstr(m->text, "Blue (L) past 100M: projected "));
	assert_non_null(strstr(m->text, "(+30 days)"));
	ss_changes_release(&c);
	ss_prev_free(&p);

	/* 30 days, inside a wide interval (or on its edge): not news */
	p = prev_with(now - 30, now - 40, now);
	ss_changes_find(p, &fx.r, 7, &c);
	assert_int_equal(count_kind(&c, SS_CH_MOVED), 0);
	ss_changes_release(&c);
	ss_prev_free(&p);

	/* out of the interval, but by no more than moved_days */
	p = prev_with(now - 5, now - 6, now - 4);
	ss_changes_find(p, &fx.r, 7, &c);
	assert_int_equal(count_kind(&c, SS_CH_MOVED), 0);
	ss_changes_release(&c);
	ss_changes_find(p, &fx.r, 4, &c);
	assert_int_equal(count_kind(&c, SS_CH_MOVED), 1);
	ss_changes_release(&c);
	ss_prev_free(&p);

	/* no interval: the days alone decide */
	p = prev_with(now + 8, SS_DAY_NONE, SS_DAY_NONE);
	ss_changes_find(p, &fx.r, 7, &c);
	assert_int_equal(count_kind(&c, SS_CH_MOVED), 1);
	ss_changes_release(&c);
	ss_prev_free(&p);

	/* no previous report: nothing, and no date compared with */
	ss_changes_find(NULL, &fx.r, 7, &c);
	assert_int_equal(c.n, 0);
	assert_int_equal(c.since, SS_DAY_NONE);
	ss_changes_release(&c);
	fixture_release(&fx);
}

/* A projection past the horizon is "after": never a moved date. */
static void test_after_horizon(void **state)
{
	struct fixture fx;
	struct ss_changes c;

	(void)state;
	fixture_load(&fx);
	uint32_t blue = track_id(&fx.ds, "Blue");
	struct ss_crossing *x = &fx.ms.tracks[blue].c[1];
	int32_t now = x->day;
	struct ss_prev *p = prev_with(now - 300, now - 310, now - 290);
	x->status = SS_MS_AFTER;
	ss_changes_find(p, &fx.r, 7, &c);
	assert_int_equal(count_kind(&c, SS_CH_MOVED), 0);
	ss_changes_release(&c);
	/* nor a projected day past the horizon's end */
	x->status = SS_MS_PROJECTED;
	fx.ms.horizon_end = now - 1;
	ss_changes_find(p, &fx.r, 7, &c);
	assert_int_equal(count_kind(&c, SS_CH_MOVED), 0);
	ss_changes_release(&c);
	ss_prev_free(&p);
	fixture_release(&fx);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index),	       cmocka_unit_test(test_no_artist),
		cmocka_unit_test(test_many),	       cmocka_unit_test(test_refused),
		cmocka_unit_test(test_schema_message), cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_peek),	       cmocka_unit_test(test_changes),
		cmocka_unit_test(test_after_horizon),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
