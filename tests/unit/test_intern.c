/* Unit tests for intern.c: ids, parents, growth, lookups. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "streamstat/intern.h"

static void test_ids_and_parents(void **state)
{
	struct ss_intern t;
	int added;

	(void)state;
	ss_intern_init(&t);
	assert_int_equal(ss_intern_find(&t, SS_NONE, "x", 1), SS_NONE);
	assert_int_equal(ss_intern_add(&t, SS_NONE, "Intro", 5, &added), 0);
	assert_true(added);
	assert_int_equal(ss_intern_add(&t, 7, "Intro", 5, &added), 1);
	assert_true(added);
	assert_int_equal(ss_intern_add(&t, SS_NONE, "Intro", 5, &added), 0);
	assert_false(added);
	assert_int_equal(ss_intern_find(&t, 7, "Intro", 5), 1);
	assert_int_equal(ss_intern_find(&t, 8, "Intro", 5), SS_NONE);
	/* Names are copied: the caller's buffer may change. */
	{
		char buf[8] = "Blue";

		assert_int_equal(ss_intern_add(&t, SS_NONE, buf, 4, NULL), 2);
		strcpy(buf, "Grey");
		assert_string_equal(ss_intern_name(&t, 2), "Blue");
	}
	/* Embedded NULs and prefixes are distinct names. */
	assert_int_equal(ss_intern_add(&t, SS_NONE, "Blu", 3, NULL), 3);
	assert_int_equal(ss_intern_add(&t, SS_NONE, "", 0, NULL), 4);
	ss_intern_release(&t);
}

static void test_many(void **state)
{
	struct ss_intern t;
	char name[32];

	(void)state;
	ss_intern_init(&t);
	for (uint32_t i = 0; i < 200000; i++) {
		int n = snprintf(name, sizeof(name), "track %u", i);

		assert_int_equal(ss_intern_add(&t, i % 13, name, (size_t)n, NULL), i);
	}
	for (uint32_t i = 0; i < 200000; i += 997) {
		int n = snprintf(name, sizeof(name), "track %u", i);

		assert_int_equal(ss_intern_find(&t, i % 13, name, (size_t)n), i);
		assert_int_equal(ss_intern_find(&t, (i + 1) % 13, name, (size_t)n), SS_NONE);
		assert_string_equal(ss_intern_name(&t, i), name);
	}
	ss_intern_release(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_and_parents),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests_name("intern", tests, NULL, NULL);
}
