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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_round_trip_every_day),
		cmocka_unit_test(test_days_in_month),
	};

	return cmocka_run_group_tests_name("date", tests, NULL, NULL);
}
