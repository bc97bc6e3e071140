/* Unit tests for date.c: ISO parsing, validation, round trips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "streamstat/date.h"

static const struct {
	const char *in;
	enum ss_date_result want;
	int32_t day; /* when SS_DATE_OK */
} cases[] = {
	{"1970-01-01", SS_DATE_OK, 0},	    {"1970-01-02", SS_DATE_OK, 1},
	{"1969-12-31", SS_DATE_OK, -1},	    {"2000-02-29", SS_DATE_OK, 11016},
	{"2023-09-08", SS_DATE_OK, 19608},  {" 2023-09-08 ", SS_DATE_OK, 19608},
	{"1900-01-01", SS_DATE_OK, -25567}, {"2200-12-31", SS_DATE_OK, 84370},
	{"2023-02-30", SS_DATE_INVALID, 0}, {"2023-02-29", SS_DATE_INVALID, 0},
	{"1900-02-29", SS_DATE_INVALID, 0}, {"2023-13-01", SS_DATE_INVALID, 0},
	{"2023-00-10", SS_DATE_INVALID, 0}, {"2023-04-31", SS_DATE_INVALID, 0},
	{"2023-01-00", SS_DATE_INVALID, 0}, {"23-9-8", SS_DATE_SYNTAX, 0},
	{"2023-9-08", SS_DATE_SYNTAX, 0},   {"2023/09/08", SS_DATE_SYNTAX, 0},
	{"2023-09-0a", SS_DATE_SYNTAX, 0},  {"2023-09-08T00:00", SS_DATE_SYNTAX, 0},
	{"+023-09-08", SS_DATE_SYNTAX, 0},  {"", SS_DATE_EMPTY, 0},
	{"   ", SS_DATE_EMPTY, 0},	    {"1899-12-31", SS_DATE_RANGE, 0},
	{"2201-01-01", SS_DATE_RANGE, 0},   {NULL, SS_DATE_OK, 0},
};

static void test_parse_table(void **state)
{
	(void)state;
	for (int i = 0; cases[i].in; i++) {
		int32_t day = 12345;
		enum ss_date_result r = ss_date_parse(cases[i].in, strlen(cases[i].in), &day);

		if (r != cases[i].want)
			fail_msg("'%s': got result %d, want %d", cases[i].in, r, cases[i].want);
		if (r == SS_DATE_OK && day != cases[i].day)
			fail_msg("'%s': got day %d, want %d", cases[i].in, day, cases[i].day);
		if (r != SS_DATE_OK)
			assert_int_equal(day, 12345); /* untouched on error */
	}
}

static void test_round_trip_every_day(void **state)
{
	char buf[SS_DATE_LEN + 1];
	int32_t lo = ss_date_from_ymd(SS_DATE_MIN_YEAR, 1, 1);
	int32_t hi = ss_date_from_ymd(SS_DATE_MAX_YEAR, 12, 31);

	(void)state;
	for (int32_t d = lo; d <= hi; d++) {
		int32_t back;

		ss_date_format(d, buf);
		assert_int_equal(ss_date_parse(buf, strlen(buf), &back), SS_DATE_OK);
		assert_int_equal(back, d);
	}
	/* Days are consecutive across every month end. */
	assert_int_equal(hi - lo + 1, 365 * 301 + 73);
}

static void test_days_in_month(void **state)
{
	(void)state;
	assert_int_equal(ss_date_days_in_month(2024, 2), 29);
	assert_int_equal(ss_date_days_in_month(2100, 2), 28);
	assert_int_equal(ss_date_days_in_month(2000, 2), 29);
	assert_int_equal(ss_date_days_in_month(2023, 12), 31);
	assert_int_equal(ss_date_days_in_month(2023, 13), 0);
}

/* Dates in a layout (--date-format), with and without a time part. */
static const struct {
	const char *fmt; /* NULL: ISO */
	const char *in;
	enum ss_date_result want;
	int32_t day;
	int timed;
} layouts[] = {
	{"%d.%m.%Y", "08.09.2023", SS_DATE_OK, 19608, 0},
	{"%d.%m.%Y", "8.9.2023", SS_DATE_OK, 19608, 0},
	{"%m/%d/%Y", "09/08/2023", SS_DATE_OK, 19608, 0},
	{"%m/%d/%Y", "9/8/2023", SS_DATE_OK, 19608, 0},
	{"%d/%m/%Y", "08/09/2023", SS_DATE_OK, 19608, 0},
	{"%Y/%m/%d", "2023/09/08", SS_DATE_OK, 19608, 0},
	{"%Y-%m-%d", "2023-9-8", SS_DATE_OK, 19608, 0},
	{"%d/%m/%Y", "31/02/2023", SS_DATE_INVALID, 0, 0},
	{"%m/%d/%Y", "21/11/2023", SS_DATE_INVALID, 0, 0},
	{"%d.%m.%Y", "2023-09-08", SS_DATE_SYNTAX, 0, 0},
	{"%d.%m.%Y", "08.09.23", SS_DATE_SYNTAX, 0, 0},
	{"%d.%m.%Y", "008.09.2023", SS_DATE_SYNTAX, 0, 0},
	{NULL, "2023-09-08 00:00:00", SS_DATE_OK, 19608, 1},
	{NULL, "2023-09-08T00:00:00Z", SS_DATE_OK, 19608, 1},
	{NULL, "2023-09-08T00:00:00.000+02:00", SS_DATE_OK, 19608, 1},
	{NULL, "2023-09-08 00:00", SS_DATE_OK, 19608, 1},
	{NULL, "2023-09-08 00:00 UTC", SS_DATE_OK, 19608, 1},
	{"%d.%m.%Y", "08.09.2023 00:00:00", SS_DATE_OK, 19608, 1},
	{NULL, "2023-09-08 13:45:00", SS_DATE_TIME, 0, 0},
	{NULL, "2023-09-08T00:00:01Z", SS_DATE_TIME, 0, 0},
	{NULL, "2023-09-08T00:00:00.5", SS_DATE_TIME, 0, 0},
	{NULL, "2023-09-08T25:00:00", SS_DATE_SYNTAX, 0, 0},
	{NULL, "2023-09-08 noon", SS_DATE_SYNTAX, 0, 0},
	{NULL, "2023-09-08T", SS_DATE_SYNTAX, 0, 0},
	{NULL, "2023-02-30 00:00:00", SS_DATE_INVALID, 0, 0},
	{NULL, NULL, SS_DATE_OK, 0, 0},
};

static void test_layouts(void **state)
{
	(void)state;
	for (int i = 0; layouts[i].in; i++) {
		struct ss_date_fmt f;
		int32_t day = 12345;
		int timed = -1;
		enum ss_date_result r;

		if (layouts[i].fmt)
			assert_int_equal(ss_date_fmt_parse(layouts[i].fmt, &f), 0);
		r = ss_date_parse_as(layouts[i].fmt ? &f : NULL, layouts[i].in,
				     strlen(layouts[i].in), &day, &timed);
		if (r != layouts[i].want)
			fail_msg("'%s' as %s: got %d, want %d", layouts[i].in,
				 layouts[i].fmt ? layouts[i].fmt : "ISO", r, layouts[i].want);
		if (r == SS_DATE_OK && (day != layouts[i].day || timed != layouts[i].timed))
			fail_msg("'%s': day %d timed %d", layouts[i].in, day, timed);
		if (r != SS_DATE_OK)
			assert_int_equal(day, 12345);
	}
}

static void test_fmt_parse(void **state)
{
	struct ss_date_fmt f;

	(void)state;
	assert_int_equal(ss_date_fmt_parse("%d.%m.%Y", &f), 0);
	assert_string_equal(f.form, "DD.MM.YYYY");
	assert_string_equal(f.spec, "%d.%m.%Y");
	assert_int_equal(ss_date_fmt_parse("%m/%d/%Y", &f), 0);
	assert_string_equal(f.form, "MM/DD/YYYY");
	assert_int_equal(ss_date_fmt_parse("%Y-%m-%d", &f), 0);
	assert_int_equal(ss_date_fmt_parse("%Y-%m/%d", &f), -1);
	assert_int_equal(ss_date_fmt_parse("%Y-%Y-%d", &f), -1);
	assert_int_equal(ss_date_fmt_parse("%Y %m %d", &f), -1);
	assert_int_equal(ss_date_fmt_parse("%y-%m-%d", &f), -1);
	assert_int_equal(ss_date_fmt_parse("YYYY-MM-DD", &f), -1);
	assert_int_equal(ss_date_fmt_parse("", &f), -1);
}

static void test_hint(void **state)
{
	char buf[400];
	struct ss_date_fmt dmy;

	(void)state;
	assert_string_equal(ss_date_hint(NULL, "11/21/2023", 10, buf, sizeof buf),
			    "; as MM/DD/YYYY it is 2023-11-21: give --date-format %m/%d/%Y; as "
			    "DD/MM/YYYY it is no date");
	assert_string_equal(ss_date_hint(NULL, "05/11/2023", 10, buf, sizeof buf),
			    "; it is ambiguous: 2023-05-11 as MM/DD/YYYY (--date-format %m/%d/%Y) "
			    "or 2023-11-05 as DD/MM/YYYY (--date-format %d/%m/%Y); give the layout "
			    "your file uses");
	assert_string_equal(ss_date_hint(NULL, "21.11.2023", 10, buf, sizeof buf),
			    "; as DD.MM.YYYY it is 2023-11-21: give --date-format %d.%m.%Y");
	assert_string_equal(ss_date_hint(NULL, "junk", 4, buf, sizeof buf), "");
	assert_string_equal(ss_date_hint(NULL, "23-9-8", 6, buf, sizeof buf), "");
	assert_int_equal(ss_date_fmt_parse("%d/%m/%Y", &dmy), 0);
	/* the layout given is not offered again */
	assert_string_equal(ss_date_hint(&dmy, "11/21/2023", 10, buf, sizeof buf),
			    "; as MM/DD/YYYY it is 2023-11-21: give --date-format %m/%d/%Y");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),   cmocka_unit_test(test_round_trip_every_day),
		cmocka_unit_test(test_days_in_month), cmocka_unit_test(test_layouts),
		cmocka_unit_test(test_fmt_parse),     cmocka_unit_test(test_hint),
	};

	return cmocka_run_group_tests_name("date", tests, NULL, NULL);
}
