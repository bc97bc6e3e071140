/* Unit tests for csvread.c: rows, line numbers, recovery, limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"
#include "streamstat/csvread.h"
#include "streamstat/xalloc.h"

/* Rows rendered as "LINE:f1|f2|...;" for comparison. */
struct sink {
	char *text;
	size_t len, cap;
	size_t max_fields;
};

static void add_text(struct sink *s, const char *t, size_t n)
{
	xgrow(&s->text, &s->cap, s->len + n + 1, 1);
	memcpy(s->text + s->len, t, n);
	s->len += n;
	s->text[s->len] = '\0';
}

static void on_row(void *arg, const struct ss_csv_row *row)
{
	struct sink *s = arg;
	char head[32];

	snprintf(head, sizeof(head), "%llu:", (unsigned long long)row->line);
	add_text(s, head, strlen(head));
	for (size_t i = 0; i < row->nkept; i++) {
		if (i)
			add_text(s, "|", 1);
		add_text(s, row->field[i], row->len[i]);
	}
	add_text(s, ";", 1);
	if (row->nfields > s->max_fields)
		s->max_fields = row->nfields;
}

/* Read data[0..n) as a CSV file into s, p (initialised here) and st. */
static void read_bytes(const char *data, size_t n, struct sink *s, struct ss_problems *p,
		       struct ss_csv_stats *st)
{
	const char *path = temp_file(data, n);

	ss_problems_init(p, 100);
	assert_int_equal(ss_csv_read(path, 0, p, on_row, s, st, NULL), SS_OK);
	unlink(path);
}

static void release(struct sink *s, struct ss_problems *p)
{
	ss_problems_release(p);
	free(s->text);
}

static const struct {
	const char *name;
	const char *in;
	const char *rows;
	unsigned lost;
	const char *problem_line; /* "KIND@LINE" of the first problem, or NULL */
} cases[] = {
	{"lf", "a,b\n1,2\n", "1:a|b;2:1|2;", 0, NULL},
	{"crlf", "a,b\r\n1,2\r\n3,4\r\n", "1:a|b;2:1|2;3:3|4;", 0, NULL},
	{"lone cr", "a,b\r1,2\r3,4", "1:a|b;2:1|2;3:3|4;", 0, NULL},
	{"bom",
	 "\xEF\xBB\xBF"
	 "date,x\n1,2\n",
	 "1:date|x;2:1|2;", 0, NULL},
	{"no final newline", "a\nb", "1:a;2:b;", 0, NULL},
	{"blank lines", "a\n\n\nb\n\n\n", "1:a;4:b;", 0, NULL},
	{"blank crlf lines", "a\r\n\r\nb\r\n", "1:a;3:b;", 0, NULL},
	{"quotes", "\"x,y\",\"say \"\"hi\"\"\"\n", "1:x,y|say \"hi\";", 0, NULL},
	{"embedded newline", "a,\"two\nlines\"\nb,c\n", "1:a|two\nlines;3:b|c;", 0, NULL},
	{"embedded crlf", "a,\"two\r\nlines\"\r\nb,c\r\n", "1:a|two\r\nlines;3:b|c;", 0, NULL},
	{"empty fields", "a,,\n", "1:a||;", 0, NULL},
	{"spaces trimmed", " a , b \n", "1:a|b;", 0, NULL},
	{"utf8 names", "Blåbær,Café ☕\n", "1:Blåbær|Café ☕;", 0, NULL},
	{"bad quote mid-file", "h\n1\n\"x\"y\n4\n5\n", "1:h;2:1;4:4;5:5;", 1, "bad quoting@3"},
	{"bad quote after newline field", "h\n\"a\nb\"x\n5\n", "1:h;4:5;", 1, "bad quoting@2"},
	{"quote inside unquoted", "h\nab\"c\n3\n", "1:h;3:3;", 1, "bad quoting@2"},
	{"unterminated quote", "h\n1\n\"open\n4\n5\n", "1:h;2:1;", 1, "unterminated quote@3"},
	{"nul byte", "h\n1\n\0x\n", "1:h;2:1;", 0, "binary file@3"},
	{"utf-16",
	 "\xFF\xFE"
	 "h\0\n\0",
	 "", 0, "binary file@1"},
	{NULL, NULL, NULL, 0, NULL},
};

static void test_table(void **state)
{
	(void)state;
	for (int i = 0; cases[i].name; i++) {
		struct sink s = {0};
		struct ss_problems p;
		struct ss_csv_stats st;
		/* "utf-16" and "nul byte" hold NULs: size them by hand. */
		size_t n = strcmp(cases[i].name, "utf-16") == 0	    ? 6
			   : strcmp(cases[i].name, "nul byte") == 0 ? 8
								    : strlen(cases[i].in);

		read_bytes(cases[i].in, n, &s, &p, &st);
		if (strcmp(s.text ? s.text : "", cases[i].rows) != 0)
			fail_msg("%s: rows '%s', want '%s'", cases[i].name, s.text ? s.text : "",
				 cases[i].rows);
		if (st.lost_rows != cases[i].lost)
			fail_msg("%s: lost %llu, want %u", cases[i].name,
				 (unsigned long long)st.lost_rows, cases[i].lost);
		if (cases[i].problem_line) {
			char got[64];

			assert_true(p.n >= 1);
			snprintf(got, sizeof(got), "%s@%llu", ss_problem_kind_name(p.list[0].kind),
				 (unsigned long long)p.list[0].line);
			if (strcmp(got, cases[i].problem_line) != 0)
				fail_msg("%s: problem %s, want %s", cases[i].name, got,
					 cases[i].problem_line);
		} else if (p.n) {
			fail_msg("%s: unexpected problem '%s'", cases[i].name, p.list[0].msg);
		}
		release(&s, &p);
	}
}

static void test_field_too_long_recovers(void **state)
{
	size_t big = SS_CSV_FIELD_MAX + 100, n = 0;
	char *data = xmalloc(big + 64);
	struct sink s = {0};
	struct ss_problems p;
	struct ss_csv_stats st;

	(void)state;
	n += (size_t)sprintf(data, "h\n1\n");
	memset(data + n, 'x', big);
	n += big;
	n += (size_t)sprintf(data + n, "\n4\n");
	read_bytes(data, n, &s, &p, &st);
	assert_string_equal(s.text, "1:h;2:1;4:4;");
	assert_int_equal(st.lost_rows, 1);
	assert_int_equal(p.count[SS_P_FIELD_TOO_LONG], 1);
	assert_int_equal(p.list[0].line, 3);
	release(&s, &p);
	free(data);
}

static void test_many_fields_counted(void **state)
{
	size_t nf = SS_CSV_FIELDS_MAX + 10;
	char *data = xmalloc(nf * 2 + 8);
	struct sink s = {0};
	struct ss_problems p;
	struct ss_csv_stats st;

	(void)state;
	for (size_t i = 0; i < nf; i++) {
		data[2 * i] = 'x';
		data[2 * i + 1] = i + 1 < nf ? ',' : '\n';
	}
	read_bytes(data, nf * 2, &s, &p, &st);
	assert_int_equal(s.max_fields, nf);
	release(&s, &p);
	free(data);
}

static void test_block_boundaries(void **state)
{
	/* Rows straddling the 1 MiB read blocks keep their content and lines. */
	size_t rows = 300000, n = 0;
	char *data = xmalloc(rows * 16 + 16);
	struct sink s = {0};
	struct ss_problems p;
	struct ss_csv_stats st;

	(void)state;
	for (size_t i = 0; i < rows; i++)
		n += (size_t)sprintf(data + n, "%zu,\"q%zu\"\r\n", i, i % 7);
	read_bytes(data, n, &s, &p, &st);
	assert_int_equal(st.rows, rows);
	assert_int_equal(st.lines, rows);
	assert_int_equal(p.n, 0);
	assert_non_null(strstr(s.text, ";300000:299999|q0;"));
	release(&s, &p);
	free(data);
}

static void test_missing_and_directory(void **state)
{
	struct sink s = {0};
	struct ss_problems p;
	struct ss_csv_stats st;
	struct ss_error err;

	(void)state;
	ss_problems_init(&p, 10);
	assert_int_equal(ss_csv_read("/nonexistent/x.csv", 0, &p, on_row, &s, &st, &err),
			 SS_ERR_NOINPUT);
	assert_string_equal(err.msg, "No such file or directory");
	assert_int_equal(ss_csv_read("/tmp", 0, &p, on_row, &s, &st, &err), SS_ERR_NOINPUT);
	assert_string_equal(err.msg, "is a directory, not a CSV file");
	ss_problems_release(&p);
}

static void test_detect_delimiter(void **state)
{
	static const struct {
		const char *header;
		char want;
	} t[] = {
		{"date;album;track;total\n", ';'},
		{"date,album,track,total\n", ','},
		{"date\talbum\ttrack\n", '\t'},
		{"date;\"a,b\";total\n", ';'},
		{"date,\"a;b\",total\n", ','},
		{"date;album,track\n", ','},
		{"date\talbum;track\n", ';'},
		{"date\n2023;1,2\n", ','},
		{"\"x\ny\";z\n", ';'},
		{"", ','},
		{NULL, 0},
	};

	(void)state;
	for (int i = 0; t[i].header; i++)
		if (ss_csv_detect_delimiter(t[i].header, strlen(t[i].header)) != t[i].want)
			fail_msg("'%s': got '%c'", t[i].header,
				 ss_csv_detect_delimiter(t[i].header, strlen(t[i].header)));
}

/* Semicolons and tabs, given or detected; a tab is not trimmed as space. */
static void test_delimiters(void **state)
{
	static const struct {
		char delimiter; /* 0: detect */
		const char *in;
		const char *rows;
		char used;
		int detected;
	} t[] = {
		{0, "a;b\n1;\"x;y\"\n", "1:a|b;2:1|x;y;", ';', 1},
		{';', "a;b\n1,5;2\n", "1:a|b;2:1,5|2;", ';', 0},
		{0, "a\tb\n 1 \t\t2\n", "1:a|b;2:1||2;", '\t', 1},
		{'\t', "a\tb\n1\t2\n", "1:a|b;2:1|2;", '\t', 0},
		{0, "a,b\n1;2,3\n", "1:a|b;2:1;2|3;", ',', 1},
		{0, NULL, NULL, 0, 0},
	};

	(void)state;
	for (int i = 0; t[i].in; i++) {
		struct ss_csv_options opt = {.delimiter = t[i].delimiter};
		struct sink s = {0};
		struct ss_problems p;
		struct ss_csv_stats st;
		const char *path = temp_text(t[i].in);

		ss_problems_init(&p, 100);
		assert_int_equal(ss_csv_read_as(path, &opt, 0, &p, on_row, &s, &st, NULL), SS_OK);
		unlink(path);
		if (strcmp(s.text, t[i].rows) != 0)
			fail_msg("case %d: rows '%s', want '%s'", i, s.text, t[i].rows);
		assert_int_equal(st.delimiter, t[i].used);
		assert_int_equal(st.detected, t[i].detected);
		release(&s, &p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_field_too_long_recovers),
		cmocka_unit_test(test_many_fields_counted),
		cmocka_unit_test(test_block_boundaries),
		cmocka_unit_test(test_missing_and_directory),
		cmocka_unit_test(test_detect_delimiter),
		cmocka_unit_test(test_delimiters),
	};

	return cmocka_run_group_tests_name("csvread", tests, NULL, NULL);
}
