/* Unit tests for utf8.c and the line escaping built on it (cmd_common.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "streamstat/cli.h"
#include "streamstat/utf8.h"

static void test_decode(void **state)
{
	static const struct {
		const char *s;
		size_t n;
		uint32_t cp;
	} cases[] = {
		{"A", 1, 0x41},
		{"\xc3\xa9", 2, 0xe9},		  /* é */
		{"\xeb\xb4\x84", 3, 0xbd04},	  /* 봄 */
		{"\xf0\x9f\x8e\xb5", 4, 0x1f3b5}, /* a musical note */
		{"\xc2\x9b", 2, 0x9b},		  /* C1 CSI: valid, a control */
		{"\xc0\xaf", 0, 0},		  /* overlong '/' */
		{"\xe0\x80\xaf", 0, 0},		  /* overlong */
		{"\xed\xa0\x80", 0, 0},		  /* a surrogate */
		{"\xf4\x90\x80\x80", 0, 0},	  /* past U+10FFFF */
		{"\x9b", 0, 0},			  /* a stray continuation byte */
		{"\xe2\x82", 0, 0},		  /* cut short by the NUL */
		{"\xff", 0, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint32_t cp = 0;
		size_t n = ss_utf8_char(cases[i].s, &cp);

		if (n != cases[i].n || (n && cp != cases[i].cp))
			fail_msg("case %zu: length %zu, U+%04X", i, n, (unsigned)cp);
	}
	assert_true(ss_is_control(0x1b));
	assert_true(ss_is_control(0x7f));
	assert_true(ss_is_control(0x9b));
	assert_false(ss_is_control(0xa0));
	assert_false(ss_is_control(' '));
}

/* Known encodings, one of each length, and each decodes back to its code point. */
static void test_encode(void **state)
{
	static const struct {
		uint32_t cp;
		const char *bytes;
	} cases[] = {
		{0x41, "A"},
		{0xe9, "\xc3\xa9"},
		{0x20ac, "\xe2\x82\xac"},
		{0xfffd, "\xef\xbf\xbd"},
		{0x1f3b5, "\xf0\x9f\x8e\xb5"},
		{0x10ffff, "\xf4\x8f\xbf\xbf"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[5] = {0};
		uint32_t cp = 0;
		size_t n = ss_utf8_put(out, cases[i].cp);
		assert_int_equal(n, strlen(cases[i].bytes));
		assert_memory_equal(out, cases[i].bytes, n);
		assert_int_equal(ss_utf8_char(out, &cp), n);
		assert_int_equal(cp, cases[i].cp);
	}
}

static void test_put_line(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	ss_put_line(f, "Every \x1b[31mred\xc2\x9b track, caf\xc3\xa9 \xff\ttab");
	fclose(f);
	assert_string_equal(buf, "Every \\x1b[31mred\\xc2\\x9b track, caf\xc3\xa9 \\xff\\x09tab\n");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_put_line),
	};

	return cmocka_run_group_tests_name("utf8", tests, NULL, NULL);
}
