/* Unit tests for error.c and problems.c's tables: every entry is covered. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "streamstat/error.h"
#include "streamstat/problems.h"

static void test_strerror_covers_every_status(void **state)
{
	(void)state;
	for (int s = 0; s < SS_STATUS_COUNT; s++) {
		const char *text = ss_strerror((enum ss_status)s);

		assert_non_null(text);
		if (strcmp(text, "unknown status") == 0)
			fail_msg("status %d has no description", s);
		if (s != SS_OK && ss_exit_code((enum ss_status)s) == 0)
			fail_msg("status %d exits 0", s);
	}
	assert_string_equal(ss_strerror(SS_STATUS_COUNT), "unknown status");
	assert_int_equal(ss_exit_code(SS_ERR_USAGE), 64);
	assert_int_equal(ss_exit_code(SS_ERR_DATA), 65);
	assert_int_equal(ss_exit_code(SS_ERR_NOINPUT), 66);
	assert_int_equal(ss_exit_code(SS_ERR_CANTCREAT), 73);
	assert_int_equal(ss_exit_code(SS_ERR_IO), 74);
	assert_int_equal(ss_exit_code(SS_ERR_LOCKED), 75);
	assert_int_equal(ss_exit_code(SS_ERR_NOMEM), 71);
}

static void test_problem_kinds_named(void **state)
{
	(void)state;
	for (int k = 0; k < SS_P_KIND_COUNT; k++) {
		const char *name = ss_problem_kind_name((enum ss_problem_kind)k);

		if (strcmp(name, "unknown problem") == 0)
			fail_msg("problem kind %d has no name", k);
		for (int j = 0; j < k; j++)
			if (strcmp(name, ss_problem_kind_name((enum ss_problem_kind)j)) == 0)
				fail_msg("kinds %d and %d share the name '%s'", j, k, name);
	}
}

static void test_error_set(void **state)
{
	struct ss_error err;

	(void)state;
	assert_int_equal(ss_error_set(&err, SS_ERR_DATA, "a.csv", 7, "bad %s", "thing"),
			 SS_ERR_DATA);
	assert_string_equal(err.file, "a.csv");
	assert_int_equal(err.line, 7);
	assert_string_equal(err.msg, "bad thing");
	assert_int_equal(ss_error_set(NULL, SS_ERR_IO, NULL, 0, "x"), SS_ERR_IO);
}

static void test_problems_limit_and_sort(void **state)
{
	struct ss_problems p;

	(void)state;
	ss_problems_init(&p, 3);
	ss_problems_add(&p, SS_P_BAD_DATE, 1, 9, "b");
	ss_problems_add(&p, SS_P_BAD_DATE, 0, 5, "a");
	ss_problems_add(&p, SS_P_BAD_COUNT, 1, 2, "c");
	ss_problems_add(&p, SS_P_BAD_COUNT, 0, 1, "over the limit");
	assert_int_equal(p.n, 3);
	assert_int_equal(p.not_kept, 1);
	assert_int_equal(p.count[SS_P_BAD_DATE], 2);
	assert_int_equal(p.count[SS_P_BAD_COUNT], 2);
	assert_int_equal(ss_problems_at_least(&p, SS_SEV_SKIPPED), 4);
	assert_int_equal(ss_problems_at_least(&p, SS_SEV_FATAL), 0);
	ss_problems_sort(&p);
	assert_string_equal(p.list[0].msg, "a");
	assert_string_equal(p.list[1].msg, "c");
	assert_string_equal(p.list[2].msg, "b");
	ss_problems_release(&p);
	assert_int_equal(p.n, 0);
}

static void test_quote(void **state)
{
	char buf[96];

	(void)state;
	assert_string_equal(ss_quote(buf, sizeof(buf), "12a4", 4), "\"12a4\"");
	assert_string_equal(ss_quote(buf, sizeof(buf), "a\"b\\", 4), "\"a\\\"b\\\\\"");
	assert_string_equal(ss_quote(buf, sizeof(buf), "\x01\n", 2), "\"\\x01\\x0a\"");
	ss_quote(buf, sizeof(buf),
		 "0123456789012345678901234567890123456789012345678901234567890123456789", 70);
	assert_int_equal(strlen(buf), 1 + 60 + 3 + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strerror_covers_every_status),
		cmocka_unit_test(test_problem_kinds_named),
		cmocka_unit_test(test_error_set),
		cmocka_unit_test(test_problems_limit_and_sort),
		cmocka_unit_test(test_quote),
	};

	return cmocka_run_group_tests_name("error", tests, NULL, NULL);
}
