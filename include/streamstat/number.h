/*
 * number.h - stream counts: strict parsing and readable formatting.
 *
 * Counts are int64_t.  Parsing accepts plain decimal digits, optionally
 * surrounded by spaces; no sign, exponent, fraction or grouping, so that a
 * typo never turns into a plausible number.  ss_count_parse_as() reads what
 * a history file's options allow: thousands separated by ',' or '.'
 * (--thousands) and a fraction of one or two zeros ("812345.0", as pandas
 * writes whole numbers in a column with gaps), which the caller notes.
 */
#ifndef STREAMSTAT_NUMBER_H
#define STREAMSTAT_NUMBER_H

#include <stddef.h>
#include <stdint.h>

enum ss_count_result {
	SS_COUNT_OK = 0,
	SS_COUNT_EMPTY,	     /* nothing but spaces */
	SS_COUNT_NEGATIVE,   /* "-5" */
	SS_COUNT_FRACTIONAL, /* "12.5" */
	SS_COUNT_FORMAT,     /* a whole number not in plain digits: "+5", "1,000", "40.0", "1e6" */
	SS_COUNT_SYNTAX,     /* anything else that is not digits: "12a4" */
	SS_COUNT_OVERFLOW    /* more than INT64_MAX */
};

/* Parse s[0..len) into *out; *out is untouched on error. */
enum ss_count_result ss_count_parse(const char *s, size_t len, int64_t *out);

/*
 * Parse s[0..len) into *out allowing thousands separated by sep (',' or '.';
 * 0 for none: groups of three after one to three digits) and a fraction of
 * one or two zeros after the decimal mark ('.', or ',' when sep is '.'):
 * *zero_frac is set to 1 when one was dropped.  *out is untouched on error.
 */
enum ss_count_result ss_count_parse_as(const char *s, size_t len, char sep, int64_t *out,
				       int *zero_frac);

/*
 * Advice for s[0..len), which did not parse with separator sep: the
 * --thousands option that reads it and what it reads, as the end of a
 * message ("; --thousands , reads it as 1234567"), written into buf (of size
 * n) and returned; "" when no option does.
 */
const char *ss_count_hint(const char *s, size_t len, char sep, char *buf, size_t n);

/* What is wrong, as the end of a message: "\"12a4\" is not a whole number". */
const char *ss_count_error(enum ss_count_result r);

/*
 * Parse a milestone such as "50M", "1.5B", "750K" or "1000000" into *out.
 * Suffixes K, M, B (any case) scale by 1e3, 1e6, 1e9.  Returns 0 on success,
 * -1 when s is not a positive whole number of streams.
 */
int ss_milestone_parse(const char *s, int64_t *out);

/* Write v with thousands separators ("12,345,678") into buf (>= 28 bytes). */
char *ss_count_format(int64_t v, char *buf);

/* Write v as "50M", "1.5B", "750K" (exact, no rounding) into buf (>= 28 bytes). */
char *ss_milestone_format(int64_t v, char *buf);

#endif
