/* Unit tests for zipedit.c: XML added before a part's closing tag, the zip
 * still whole; a missing part, a wrong closing tag or a file that is not a
 * zip refused with the file left as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <xlsxwriter.h>

#include "streamstat/zipcheck.h"
#include "streamstat/zipedit.h"
#include "helpers.h"

#define SHEET "xl/worksheets/sheet1.xml"

static char *slurp(const char *path, long *size)
{
	FILE *f = fopen(path, "rb");
	char *bytes;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	*size = ftell(f);
	rewind(f);
	bytes = malloc((size_t)*size + 1);
	assert_non_null(bytes);
	assert_int_equal(fread(bytes, 1, (size_t)*size, f), (size_t)*size);
	fclose(f);
	return bytes;
}

/* A workbook of one sheet, large enough that its part spans several
 * buffers; returns its path (the caller unlinks it). */
static const char *workbook(void)
{
	static char path[64];
	lxw_workbook *wb;
	lxw_worksheet *ws;
	int fd;

	snprintf(path, sizeof path, "/tmp/ss-unit-zipedit-XXXXXX.xlsx");
	fd = mkstemps(path, 5);
	assert_true(fd >= 0);
	close(fd);
	wb = workbook_new(path);
	ws = workbook_add_worksheet(wb, "Sheet");
	for (lxw_row_t r = 0; r < 20000; r++) {
		worksheet_write_string(ws, r, 0, "a text that repeats, to be deflated", NULL);
		worksheet_write_number(ws, r, 1, (double)r * 1.5, NULL);
	}
	assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
	return path;
}

static void test_appended(void **state)
{
	const char *path = workbook();
	struct ss_error err;
	long n0, n1, n2;

	(void)state;
	char *before = slurp(path, &n0);
	assert_int_equal(ss_zip_append_xml(path, NULL, SHEET, "</worksheet>", "<x/>", 4, &err),
			 SS_OK);
	assert_int_equal(ss_zip_check(path, &err), SS_OK);
	/* the part now ends "<x/></worksheet>": a second edit that expects
	 * that ending succeeds */
	assert_int_equal(ss_zip_append_xml(path, NULL, SHEET, "<x/></worksheet>", "<y/>", 4, &err),
			 SS_OK);
	assert_int_equal(ss_zip_check(path, &err), SS_OK);
	char *after = slurp(path, &n1);
	assert_true(n1 > 0 && memcmp(before, after, 30) == 0); /* the first part is copied */

	/* the same input, the same bytes */
	const char *copy = temp_file(before, (size_t)n0);
	assert_int_equal(ss_zip_append_xml(copy, NULL, SHEET, "</worksheet>", "<x/>", 4, &err),
			 SS_OK);
	assert_int_equal(ss_zip_append_xml(copy, NULL, SHEET, "<x/></worksheet>", "<y/>", 4, &err),
			 SS_OK);
	char *again = slurp(copy, &n2);
	assert_int_equal(n1, n2);
	assert_memory_equal(after, again, (size_t)n1);
	unlink(copy);
	unlink(path);
	free(before);
	free(after);
	free(again);
}

/* A refused edit names the reason and leaves the file as it was. */
static void expect_refused(const char *path, const char *entry, const char *tag, const char *words)
{
	struct ss_error err;
	long n0, n1;
	char *before = slurp(path, &n0);

	assert_int_equal(ss_zip_append_xml(path, NULL, entry, tag, "<x/>", 4, &err), SS_ERR_IO);
	if (!strstr(err.msg, words))
		fail_msg("message %s lacks %s", err.msg, words);
	char *after = slurp(path, &n1);
	assert_int_equal(n0, n1);
	assert_memory_equal(before, after, (size_t)n0);
	free(before);
	free(after);
}

static void test_refused(void **state)
{
	const char *path = workbook();

	(void)state;
	expect_refused(path, "xl/worksheets/sheet9.xml", "</worksheet>", "no such part");
	expect_refused(path, SHEET, "</workbook>", "does not end with its closing tag");
	expect_refused(temp_text("not a zip at all, just some text here"), SHEET, "</worksheet>",
		       "no end of central directory");
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_appended),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
