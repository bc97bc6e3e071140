/* Unit tests for cmd_common.c: list values, exclusions, option values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "streamstat/cli.h"
#include "streamstat/ingest.h"
#include "helpers.h"

static void test_interlude(void **state)
{
	/* each title in its own allocation of exactly its size, so that a read
	 * past its end is caught under AddressSanitizer */
	static const struct {
		const char *title;
		int yes;
	} cases[] = {
		{"Interlude : Dive", 1},
		{"Skit", 1},
		{"BE skit", 1},
		{"INTERLUDE", 1},
		{"Interlude: Shadow", 1},
		{"Sk", 0},
		{"", 0},
		{"i", 0},
		{"Skits", 0},
		{"Skittles", 0},
		{"Interludes", 0},
		{"Prelude", 0},
		{"askit", 0},
		{"Outro: skit-2", 1},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n = strlen(cases[i].title) + 1;
		char *t = malloc(n);

		assert_non_null(t);
		memcpy(t, cases[i].title, n);
		if (ss_is_interlude(t) != cases[i].yes)
			fail_msg("'%s': expected %d", cases[i].title, cases[i].yes);
		free(t);
	}
}

static void test_list_split(void **state)
{
	size_t n = 0;
	char **v;

	(void)state;
	v = ss_list_split(NULL, "BE,\"Love, Yourself\",\"Say \"\"Hi\"\"\",BTS/Map of the Soul: 7",
			  &n);
	assert_int_equal(n, 4);
	assert_string_equal(v[0], "BE");
	assert_string_equal(v[1], "Love, Yourself");
	assert_string_equal(v[2], "Say \"Hi\"");
	assert_string_equal(v[3], "BTS/Map of the Soul: 7");
	assert_null(v[4]);
	/* repeated: appended */
	v = ss_list_split(v, "FACE", &n);
	assert_int_equal(n, 5);
	assert_string_equal(v[4], "FACE");
	ss_list_free(v, n);
	n = 0;
	v = ss_list_split(NULL, "", &n);
	assert_int_equal(n, 0);
	assert_null(v);
}

static const char *const two_artists = "date,album,artist,track,total\n"
				       "2018-05-18,Love Yourself,BTS,Intro,10\n"
				       "2018-05-18,Love Yourself,BTS,Skit,10\n"
				       "2018-05-18,Love Yourself,Other,Intro,20\n"
				       "2018-05-18,Solo,Other,Intro,20\n";

static void test_exclude_track(void **state)
{
	static const struct {
		const char *arg;
		int code;
		const char *counted; /* each track's counts, in id order */
	} cases[] = {
		{"Intro", SS_EXIT_OK, "0100"},
		{"Love Yourself/Intro", SS_EXIT_OK, "0101"},
		{"Other/Love Yourself/Intro", SS_EXIT_OK, "1101"},
		{"BTS/Love Yourself/Skit", SS_EXIT_OK, "1011"},
		{"Other/Solo/Intro", SS_EXIT_OK, "1110"},
		{"BTS/Solo/Intro", SS_EXIT_USAGE, NULL},
		{"Solo/Skit", SS_EXIT_USAGE, NULL},
		{"/Intro", SS_EXIT_USAGE, NULL},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ss_dataset ds;
		struct ss_ms_cli c;
		const char *arg = cases[i].arg;

		load_text(&ds, NULL, two_artists, NULL);
		assert_int_equal(ss_dataset_ntracks(&ds), 4);
		ss_ms_cli_init(&c);
		c.exclude = &arg;
		c.nexclude = 1;
		if (ss_ms_cli_apply(&c, &ds, "test") != cases[i].code)
			fail_msg("--exclude-track '%s': expected exit %d", arg, cases[i].code);
		for (size_t t = 0; cases[i].counted && t < 4; t++)
			if (ds.tracks[t].counts != cases[i].counted[t] - '0')
				fail_msg("--exclude-track '%s': track %zu counts %d", arg, t,
					 ds.tracks[t].counts);
		c.exclude = NULL;
		c.nexclude = 0;
		ss_ms_cli_release(&c);
		ss_dataset_release(&ds);
	}
}

static void test_exclude_interludes(void **state)
{
	struct ss_dataset ds;
	struct ss_ms_cli c;

	(void)state;
	load_text(&ds, NULL, two_artists, NULL);
	ss_ms_cli_init(&c);
	c.exclude_interludes = 1;
	assert_int_equal(ss_ms_cli_apply(&c, &ds, "test"), SS_EXIT_OK);
	assert_int_equal(ds.tracks[0].counts, 1);
	assert_int_equal(ds.tracks[1].counts, 0); /* Skit */
	ss_ms_cli_release(&c);
	ss_dataset_release(&ds);
}

static void test_option_values(void **state)
{
	struct ss_ms_cli c;

	(void)state;
	ss_ms_cli_init(&c);
	assert_int_equal(ss_ms_option(&c, SS_OPT_HORIZON, "10"), 1);
	assert_int_equal(c.ms.horizon_years, 10);
	assert_int_equal(ss_ms_option(&c, SS_OPT_HORIZON, "0"), -1);
	assert_int_equal(ss_ms_option(&c, SS_OPT_HORIZON, "101"), -1);
	assert_int_equal(ss_ms_option(&c, SS_OPT_HORIZON, "5y"), -1);
	assert_int_equal(ss_ms_option(&c, SS_OPT_HORIZON, ""), -1);
	assert_int_equal(c.ms.horizon_years, 10);
	assert_int_equal(ss_ms_option(&c, SS_OPT_LEVEL, "0.9"), 1);
	assert_true(c.ms.level > 0.899 && c.ms.level < 0.901);
	assert_int_equal(ss_ms_option(&c, SS_OPT_LEVEL, "1"), -1);
	assert_int_equal(ss_ms_option(&c, SS_OPT_METHOD, "recent"), 1);
	assert_int_equal(c.method_set, 1);
	assert_int_equal(c.curves, 0);
	assert_int_equal(ss_ms_option(&c, SS_OPT_METHOD, "aicc"), 1);
	assert_int_equal(c.method, -1);
	assert_int_equal(c.curves, 1); /* aicc chooses among the curves */
	assert_int_equal(ss_ms_option(&c, SS_OPT_METHOD, "crystal-ball"), -1);
	assert_int_equal(ss_ms_option(&c, SS_OPT_DRAWS, "99"), -1);
	assert_int_equal(ss_ms_option(&c, SS_OPT_SEED, "-1"), -1);
	assert_int_equal(ss_ms_option(&c, 'x', "1"), 0); /* not a milestone option */
	ss_ms_cli_release(&c);
}

/* Input options apply to the files after them; those after the last file to
 * every file no earlier one of the same option covers. */
static void test_input_options_per_file(void **state)
{
	struct ss_load_options o;

	(void)state;
	ss_load_options_init(&o);
	assert_int_equal(ss_load_option(&o, SS_OPT_DELIMITER, ";"), 1);
	assert_int_equal(ss_load_option(&o, 1, "a.csv"), 1);
	assert_int_equal(ss_load_option(&o, SS_OPT_ALBUM, "Layover"), 1);
	assert_int_equal(ss_load_option(&o, SS_OPT_COLUMN, "track=Song"), 1);
	assert_int_equal(ss_load_option(&o, 1, "b.csv"), 1);
	assert_int_equal(ss_load_option(&o, SS_OPT_THOUSANDS, "."), 1);
	assert_int_equal(ss_load_option(&o, SS_OPT_DELIMITER, "tab"), 1);
	assert_int_equal(ss_load_option(&o, 'A', "2023-11-21"), 1);
	assert_int_equal(ss_load_inputs_done(&o, "test", 0, NULL), 0);
	assert_int_equal(o.ninputs, 2);
	/* a.csv: its ';' (the trailing tab does not override it), the trailing '.' */
	assert_string_equal(o.inputs[0].path, "a.csv");
	assert_int_equal(o.inputs[0].ingest.delimiter, ';');
	assert_int_equal(o.inputs[0].ingest.thousands, '.');
	assert_null(o.inputs[0].ingest.album);
	assert_null(o.inputs[0].ingest.column[1]);
	assert_int_equal(o.inputs[0].ingest.has_as_of, 1);
	/* b.csv: ';' still, the album and column given before it, the trailing '.' */
	assert_int_equal(o.inputs[1].ingest.delimiter, ';');
	assert_string_equal(o.inputs[1].ingest.album, "Layover");
	assert_string_equal(o.inputs[1].ingest.column[1], "Song");
	assert_int_equal(o.inputs[1].ingest.thousands, '.');
	ss_load_options_release(&o);

	/* files after "--" come after every option */
	ss_load_options_init(&o);
	assert_int_equal(ss_load_option(&o, 1, "a.csv"), 1);
	assert_int_equal(ss_load_option(&o, SS_OPT_THOUSANDS, ","), 1);
	char *rest[] = {"-c.csv"};
	assert_int_equal(ss_load_inputs_done(&o, "test", 1, rest), 0);
	assert_int_equal(o.ninputs, 2);
	assert_int_equal(o.inputs[0].ingest.thousands, 0);
	assert_string_equal(o.inputs[1].path, "-c.csv");
	assert_int_equal(o.inputs[1].ingest.thousands, ',');
	ss_load_options_release(&o);

	/* --release-date for the files after it, as --track */
	ss_load_options_init(&o);
	assert_int_equal(ss_load_option(&o, 1, "a.csv"), 1);
	assert_int_equal(ss_load_option(&o, SS_OPT_RELEASE_DATE, "2023-09-08"), 1);
	assert_int_equal(ss_load_option(&o, 1, "b.csv"), 1);
	assert_int_equal(ss_load_inputs_done(&o, "test", 0, NULL), 0);
	assert_int_equal(o.inputs[0].ingest.has_release_date, 0);
	assert_int_equal(o.inputs[1].ingest.has_release_date, 1);
	assert_int_equal(o.inputs[1].ingest.release_date, ss_date_from_ymd(2023, 9, 8));
	ss_load_options_release(&o);
}

static void test_input_option_errors(void **state)
{
	struct ss_load_options o;

	(void)state;
	ss_load_options_init(&o);
	assert_int_equal(ss_load_option(&o, SS_OPT_DELIMITER, "::"), -1);
	assert_int_equal(ss_load_option(&o, SS_OPT_THOUSANDS, " "), -1);
	assert_int_equal(ss_load_option(&o, SS_OPT_DATE_FORMAT, "%Y%m%d"), -1);
	assert_int_equal(ss_load_option(&o, SS_OPT_COLUMN, "song=Track"), -1);
	assert_int_equal(ss_load_option(&o, SS_OPT_COLUMN, "track="), -1);
	assert_int_equal(ss_load_option(&o, SS_OPT_VALUES, "daily"), -1);
	assert_int_equal(ss_load_option(&o, SS_OPT_DATE, "21.11.2023"), -1);
	assert_int_equal(ss_load_option(&o, SS_OPT_RELEASE_DATE, "2023-02-30"), -1);
	assert_int_equal(ss_load_option(&o, SS_OPT_TRACK, ""), -1);
	assert_int_equal(ss_load_inputs_done(&o, "test", 0, NULL), -1); /* no file */
	assert_int_equal(ss_load_option(&o, 1, "-"), 1);
	assert_int_equal(ss_load_option(&o, 1, "-"), -1); /* stdin once */
	ss_load_options_release(&o);

	ss_load_options_init(&o);
	assert_int_equal(ss_load_option(&o, SS_OPT_WIDE, NULL), 1);
	assert_int_equal(ss_load_option(&o, 1, "w.csv"), 1);
	assert_int_equal(ss_load_inputs_done(&o, "test", 0, NULL), -1); /* no --values */
	ss_load_options_release(&o);

	ss_load_options_init(&o);
	assert_int_equal(ss_load_option(&o, SS_OPT_TRACK_FROM_FILENAME, NULL), 1);
	assert_int_equal(ss_load_option(&o, 1, "-"), 1);
	assert_int_equal(ss_load_inputs_done(&o, "test", 0, NULL), -1); /* stdin has no name */
	ss_load_options_release(&o);

	ss_load_options_init(&o);
	assert_int_equal(ss_load_option(&o, SS_OPT_VALUES, "streams"), 1);
	assert_int_equal(ss_load_option(&o, 1, "long.csv"), 1);
	assert_int_equal(ss_load_inputs_done(&o, "test", 0, NULL), -1); /* --values, no --wide */
	ss_load_options_release(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interlude),
		cmocka_unit_test(test_list_split),
		cmocka_unit_test(test_exclude_track),
		cmocka_unit_test(test_exclude_interludes),
		cmocka_unit_test(test_option_values),
		cmocka_unit_test(test_input_options_per_file),
		cmocka_unit_test(test_input_option_errors),
	};

	return cmocka_run_group_tests_name("cmd_common", tests, NULL, NULL);
}
