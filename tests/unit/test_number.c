/* Unit tests for number.c: strict counts, milestones, formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "streamstat/number.h"

static const struct {
	const char *in;
	enum ss_count_result want;
	int64_t value;
} counts[] = {
	{"0", SS_COUNT_OK, 0},
	{"42", SS_COUNT_OK, 42},
	{" 42 ", SS_COUNT_OK, 42},
	{"+7", SS_COUNT_FORMAT, 0},
	{"1,000", SS_COUNT_FORMAT, 0},
	{"1,234,567", SS_COUNT_FORMAT, 0},
	{"1,23", SS_COUNT_SYNTAX, 0},
	{"40.0", SS_COUNT_FORMAT, 0},
	{"1e6", SS_COUNT_FORMAT, 0},
	{"1.5e3", SS_COUNT_FORMAT, 0},
	{"-1e6", SS_COUNT_NEGATIVE, 0},
	{"1e", SS_COUNT_SYNTAX, 0},
	{".5", SS_COUNT_FRACTIONAL, 0},
	{"-.5", SS_COUNT_NEGATIVE, 0},
	{"0012", SS_COUNT_OK, 12},
	{"9223372036854775807", SS_COUNT_OK, INT64_MAX},
	{"9223372036854775808", SS_COUNT_OVERFLOW, 0},
	{"99999999999999999999999", SS_COUNT_OVERFLOW, 0},
	{"99999999999999999999x", SS_COUNT_SYNTAX, 0},
	{"-5", SS_COUNT_NEGATIVE, 0},
	{"-", SS_COUNT_SYNTAX, 0},
	{"+", SS_COUNT_SYNTAX, 0},
	{"12.5", SS_COUNT_FRACTIONAL, 0},
	{"12.0", SS_COUNT_FORMAT, 0},
	{"1.", SS_COUNT_FORMAT, 0},
	{"12a4", SS_COUNT_SYNTAX, 0},
	{"abc", SS_COUNT_SYNTAX, 0},
	{"0x10", SS_COUNT_SYNTAX, 0},
	{"", SS_COUNT_EMPTY, 0},
	{"  ", SS_COUNT_EMPTY, 0},
	{NULL, SS_COUNT_OK, 0},
};

static void test_count_table(void **state)
{
	(void)state;
	for (int i = 0; counts[i].in; i++) {
		int64_t v = -1;
		enum ss_count_result r = ss_count_parse(counts[i].in, strlen(counts[i].in), &v);

		if (r != counts[i].want)
			fail_msg("'%s': got %d, want %d", counts[i].in, r, counts[i].want);
		if (r == SS_COUNT_OK && v != counts[i].value)
			fail_msg("'%s': got %lld", counts[i].in, (long long)v);
		if (r != SS_COUNT_OK)
			assert_true(v == -1);
	}
}

static const struct {
	const char *in;
	int ok;
	int64_t value;
	const char *formatted;
} milestones[] = {
	{"50M", 1, 50000000, "50M"},
	{"50m", 1, 50000000, "50M"},
	{"1B", 1, 1000000000, "1B"},
	{"1.5B", 1, 1500000000, "1.5B"},
	{"750K", 1, 750000, "750K"},
	{"100000000", 1, 100000000, "100M"},
	{"1234567", 1, 1234567, "1234567"},
	{"2.25M", 1, 2250000, "2250K"},
	{"0", 0, 0, NULL},
	{"M", 0, 0, NULL},
	{"-5M", 0, 0, NULL},
	{"5X", 0, 0, NULL},
	{"1.0000005K", 0, 0, NULL},
	{"", 0, 0, NULL},
	{"99999999999B", 0, 0, NULL},
	{NULL, 0, 0, NULL},
};

static void test_milestone_table(void **state)
{
	char buf[28];

	(void)state;
	for (int i = 0; milestones[i].in; i++) {
		int64_t v = 0;
		int r = ss_milestone_parse(milestones[i].in, &v);

		if ((r == 0) != milestones[i].ok)
			fail_msg("'%s': got %d", milestones[i].in, r);
		if (!milestones[i].ok)
			continue;
		assert_true(v == milestones[i].value);
		assert_string_equal(ss_milestone_format(v, buf), milestones[i].formatted);
	}
}

static void test_count_format(void **state)
{
	char buf[28];

	(void)state;
	assert_string_equal(ss_count_format(0, buf), "0");
	assert_string_equal(ss_count_format(999, buf), "999");
	assert_string_equal(ss_count_format(1000, buf), "1,000");
	assert_string_equal(ss_count_format(1234567, buf), "1,234,567");
	assert_string_equal(ss_count_format(-1234, buf), "-1,234");
	assert_string_equal(ss_count_format(INT64_MAX, buf), "9,223,372,036,854,775,807");
	assert_string_equal(ss_count_format(INT64_MIN, buf), "-9,223,372,036,854,775,808");
}

/* Counts as a file's --thousands option allows, zero fractions noted. */
static const struct {
	const char *in;
	char sep;
	enum ss_count_result want;
	int64_t value;
	int zero;
	const char *hint; /* ss_count_hint() when it fails */
} grouped[] = {
	{"1,234,567", ',', SS_COUNT_OK, 1234567, 0, NULL},
	{"1.234.567", '.', SS_COUNT_OK, 1234567, 0, NULL},
	{"234,567", ',', SS_COUNT_OK, 234567, 0, NULL},
	{"1234567", ',', SS_COUNT_OK, 1234567, 0, NULL},
	{" 1,234 ", ',', SS_COUNT_OK, 1234, 0, NULL},
	{"1,234.0", ',', SS_COUNT_OK, 1234, 1, NULL},
	{"1.234,00", '.', SS_COUNT_OK, 1234, 1, NULL},
	{"812345.0", 0, SS_COUNT_OK, 812345, 1, NULL},
	{"812345.00", 0, SS_COUNT_OK, 812345, 1, NULL},
	{"812345,0", '.', SS_COUNT_OK, 812345, 1, NULL},
	{"1.000", 0, SS_COUNT_FORMAT, 0, 0, "; --thousands . reads it as 1000"},
	{"1,234,567", 0, SS_COUNT_FORMAT, 0, 0, "; --thousands , reads it as 1234567"},
	{"1.234.567", 0, SS_COUNT_SYNTAX, 0, 0, "; --thousands . reads it as 1234567"},
	{"1.234.567", ',', SS_COUNT_SYNTAX, 0, 0, "; --thousands . reads it as 1234567"},
	{"12,34,567", ',', SS_COUNT_SYNTAX, 0, 0, ""},
	{"1234,567", ',', SS_COUNT_FORMAT, 0, 0, ""},
	{"1,2345", ',', SS_COUNT_SYNTAX, 0, 0, ""},
	{",123", ',', SS_COUNT_SYNTAX, 0, 0, ""},
	{"123,", ',', SS_COUNT_SYNTAX, 0, 0, ""},
	{"812345.5", 0, SS_COUNT_FRACTIONAL, 0, 0, ""},
	{"812345.000", 0, SS_COUNT_FORMAT, 0, 0, ""},
	{"-1,234", ',', SS_COUNT_NEGATIVE, 0, 0, ""},
	{"9,223,372,036,854,775,808", ',', SS_COUNT_OVERFLOW, 0, 0, ""},
	{"", ',', SS_COUNT_EMPTY, 0, 0, ""},
	{NULL, 0, SS_COUNT_OK, 0, 0, NULL},
};

static void test_grouped_table(void **state)
{
	char hint[100];

	(void)state;
	for (int i = 0; grouped[i].in; i++) {
		int64_t v = -7;
		int zero = -1;
		enum ss_count_result r = ss_count_parse_as(grouped[i].in, strlen(grouped[i].in),
							   grouped[i].sep, &v, &zero);

		if (r != grouped[i].want)
			fail_msg("'%s' sep '%c': got %d, want %d", grouped[i].in,
				 grouped[i].sep ? grouped[i].sep : '0', r, grouped[i].want);
		if (r == SS_COUNT_OK && (v != grouped[i].value || zero != grouped[i].zero))
			fail_msg("'%s': %lld zero %d", grouped[i].in, (long long)v, zero);
		if (r != SS_COUNT_OK) {
			assert_int_equal(v, -7);
			assert_string_equal(ss_count_hint(grouped[i].in, strlen(grouped[i].in),
							  grouped[i].sep, hint, sizeof hint),
					    grouped[i].hint);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count_table),
		cmocka_unit_test(test_milestone_table),
		cmocka_unit_test(test_count_format),
		cmocka_unit_test(test_grouped_table),
	};

	return cmocka_run_group_tests_name("number", tests, NULL, NULL);
}
