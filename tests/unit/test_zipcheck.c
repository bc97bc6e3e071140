/* Unit tests for zipcheck.c: a whole workbook passes; cut, corrupt and
 * short-written ones are named for what is wrong. */
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
#include <zlib.h>

#include "streamstat/zipcheck.h"
#include "helpers.h"

static const char *const types_ok =
	"<?xml version=\"1.0\"?>\n<Types><Override PartName=\"/xl/a.xml\"/></Types>\n";

/* A zip of stored entries, written by hand: names[i] holds texts[i]. */
static const char *stored_zip(const char *const *names, const char *const *texts, size_t n)
{
	unsigned char buf[8192], cd[4096];
	size_t at = 0, cdn = 0;

	for (size_t i = 0; i < n; i++) {
		size_t nl = strlen(names[i]), tl = strlen(texts[i]);
		uint32_t crc = (uint32_t)crc32(0, (const Bytef *)texts[i], (uInt)tl);
		unsigned char h[30] = {0x50, 0x4b, 0x03, 0x04, 20};
		unsigned char c[46] = {0x50, 0x4b, 0x01, 0x02, 20, 0, 20};

		for (int k = 0; k < 4; k++) {
			h[14 + k] = c[16 + k] = (unsigned char)(crc >> (8 * k));
			h[18 + k] = h[22 + k] = c[20 + k] = c[24 + k] =
				(unsigned char)(tl >> (8 * k));
			c[42 + k] = (unsigned char)(at >> (8 * k));
		}
		h[26] = c[28] = (unsigned char)nl;
		memcpy(buf + at, h, 30);
		memcpy(buf + at + 30, names[i], nl);
		memcpy(buf + at + 30 + nl, texts[i], tl);
		at += 30 + nl + tl;
		memcpy(cd + cdn, c, 46);
		memcpy(cd + cdn + 46, names[i], nl);
		cdn += 46 + nl;
	}
	unsigned char e[22] = {0x50, 0x4b, 0x05, 0x06};
	e[8] = e[10] = (unsigned char)n;
	for (int k = 0; k < 4; k++) {
		e[12 + k] = (unsigned char)(cdn >> (8 * k));
		e[16 + k] = (unsigned char)(at >> (8 * k));
	}
	memcpy(buf + at, cd, cdn);
	memcpy(buf + at + cdn, e, 22);
	return temp_file(buf, at + cdn + 22);
}

static void expect_damaged(const char *path, const char *words)
{
	struct ss_error err;

	assert_int_equal(ss_zip_check(path, &err), SS_ERR_IO);
	if (!strstr(err.msg, words))
		fail_msg("'%s' does not say '%s'", err.msg, words);
	unlink(path);
}

static void test_whole_workbook(void **state)
{
	char path[] = "/tmp/ss-unit-zipcheck-XXXXXX.xlsx";
	struct ss_error err;
	lxw_workbook *wb;
	lxw_worksheet *ws;
	FILE *f;
	long size;
	char *bytes;
	int fd;

	(void)state;
	fd = mkstemps(path, 5);
	assert_true(fd >= 0);
	close(fd);
	wb = workbook_new(path);
	ws = workbook_add_worksheet(wb, "Sheet");
	for (lxw_row_t r = 0; r < 2000; r++) {
		worksheet_write_string(ws, r, 0, "a text that repeats, to be deflated", NULL);
		worksheet_write_number(ws, r, 1, (double)r * 1.5, NULL);
	}
	assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
	assert_int_equal(ss_zip_check(path, &err), SS_OK);

	/* the same bytes cut short, and with one byte of the sheet changed */
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	bytes = malloc((size_t)size);
	assert_int_equal(fread(bytes, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	unlink(path);
	expect_damaged(temp_file(bytes, (size_t)size - 40), "no end of central directory");
	expect_damaged(temp_file(bytes, (size_t)size / 2), "no end of central directory");
	for (long i = 30; i + 200 < size; i++)
		if (memcmp(bytes + i, "xl/worksheets/sheet1.xml", 24) == 0 &&
		    bytes[i - 30] == 'P') {
			bytes[i + 24 + 100] ^= 0x55; /* inside its deflated data */
			break;
		}
	{
		const char *p = temp_file(bytes, (size_t)size);
		assert_int_equal(ss_zip_check(p, &err), SS_ERR_IO);
		assert_non_null(strstr(err.msg, "xl/worksheets/sheet1.xml"));
		unlink(p);
	}
	free(bytes);
}

static void test_short_written_parts(void **state)
{
	const char *names[] = {"[Content_Types].xml", "xl/a.xml", "_rels/.rels"};
	const char *whole[] = {types_ok, "<?xml version=\"1.0\"?>\n<worksheet><x/></worksheet>\n",
			       "<Relationships xmlns=\"r\"/>"};
	const char *cut[] = {types_ok, "<?xml version=\"1.0\"?>\n<worksheet><x/></work",
			     "<Relationships xmlns=\"r\"/>"};
	const char *empty[] = {types_ok, "", "<Relationships xmlns=\"r\"/>"};
	const char *listed[] = {"[Content_Types].xml", "xl/b.xml"};
	struct ss_error err;
	const char *p;

	(void)state;
	p = stored_zip(names, whole, 3);
	assert_int_equal(ss_zip_check(p, &err), SS_OK);
	unlink(p);
	expect_damaged(stored_zip(names, cut, 3), "part xl/a.xml is XML cut short");
	expect_damaged(stored_zip(names, empty, 3), "part xl/a.xml is XML cut short");
	expect_damaged(stored_zip(listed, whole, 2), "part xl/a.xml is listed but missing");
	expect_damaged(stored_zip(names + 1, whole + 1, 2), "no [Content_Types].xml");
}

static void test_not_a_zip(void **state)
{
	struct ss_error err;

	(void)state;
	expect_damaged(temp_text(""), "too short");
	expect_damaged(temp_text("date,album,track,total\n2023-01-01,A,T,1\n"),
		       "no end of central directory");
	assert_int_equal(ss_zip_check("/nonexistent/dir/x.xlsx", &err), SS_ERR_IO);
	assert_non_null(strstr(err.msg, "cannot read the finished workbook back"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_workbook),
		cmocka_unit_test(test_short_written_parts),
		cmocka_unit_test(test_not_a_zip),
	};

	return cmocka_run_group_tests_name("zipcheck", tests, NULL, NULL);
}
