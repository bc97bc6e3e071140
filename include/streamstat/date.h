/*
 * date.h - calendar dates as day numbers, without locale or mktime.
 *
 * A date is an int32_t count of days since 1970-01-01 (negative before).
 * Only the proleptic Gregorian calendar from SS_DATE_MIN_YEAR to
 * SS_DATE_MAX_YEAR is accepted.  ss_date_parse() takes the ISO form
 * YYYY-MM-DD alone (options, catalogs); ss_date_parse_as() takes a history
 * file's dates: a layout given with --date-format (struct ss_date_fmt), and a
 * time of day after the date when it is midnight.  Nothing is guessed: a date
 * that does not fit its layout is an error, and ss_date_hint() says which
 * layouts would read it.
 */
#ifndef STREAMSTAT_DATE_H
#define STREAMSTAT_DATE_H

#include <stddef.h>
#include <stdint.h>

#define SS_DATE_MIN_YEAR 1900
#define SS_DATE_MAX_YEAR 2200
#define SS_DATE_LEN	 10 /* strlen("YYYY-MM-DD") */

enum ss_date_result {
	SS_DATE_OK = 0,
	SS_DATE_EMPTY,	 /* nothing but spaces */
	SS_DATE_SYNTAX,	 /* not YYYY-MM-DD */
	SS_DATE_INVALID, /* no such day, e.g. 2023-02-30 or 2023-13-01 */
	SS_DATE_RANGE,	 /* year outside SS_DATE_MIN_YEAR..SS_DATE_MAX_YEAR */
	SS_DATE_TIME	 /* a time of day after the date that is not midnight */
};

/*
 * A date layout (--date-format): year, month and day in some order with one
 * separator, e.g. "%d.%m.%Y".  Month and day may have one digit or two; the
 * year has four.
 */
struct ss_date_fmt {
	char order[3]; /* 'Y', 'm', 'd' in the order written */
	char sep;      /* '-', '/' or '.' */
	char spec[9];  /* as given: "%d.%m.%Y" */
	char form[11]; /* for messages: "DD.MM.YYYY" */
};

/* Parse a --date-format value into *f: 0, or -1 when it is not %Y, %m and %d
 * each once, joined by one separator out of "-", "/" and ".". */
int ss_date_fmt_parse(const char *spec, struct ss_date_fmt *f);

/* Parse s[0..len) as YYYY-MM-DD into *day.  *day is untouched on error. */
enum ss_date_result ss_date_parse(const char *s, size_t len, int32_t *day);

/*
 * Parse s[0..len) in layout f (NULL: YYYY-MM-DD) into *day, allowing a time
 * of day after the date (" 00:00:00", "T00:00:00Z", "T00:00:00.000+02:00",
 * " 00:00"): a midnight time sets *had_time to 1, any other is SS_DATE_TIME.
 * *day is untouched on error.
 */
enum ss_date_result ss_date_parse_as(const struct ss_date_fmt *f, const char *s, size_t len,
				     int32_t *day, int *had_time);

/*
 * Advice for s[0..len), which did not parse in layout f (NULL: ISO): the
 * readings other layouts give it and the --date-format that gives each, as
 * the end of a message ("; as month/day/year it is 2023-11-21: give
 * --date-format %m/%d/%Y"), written into buf (of size n) and returned; ""
 * when no other layout reads it.
 */
const char *ss_date_hint(const struct ss_date_fmt *f, const char *s, size_t len, char *buf,
			 size_t n);

/* What is wrong, as the end of a message: "\"2023-02-30\" is not a valid date". */
const char *ss_date_error(enum ss_date_result r);

/* Day number of year-month-day; the date must be valid. */
int32_t ss_date_from_ymd(int year, int month, int day);

/* Split a day number into year, month (1-12) and day of month (1-31). */
void ss_date_to_ymd(int32_t day, int *year, int *month, int *mday);

/* Write day as YYYY-MM-DD plus NUL into buf (at least 11 bytes). */
void ss_date_format(int32_t day, char *buf);

/* Days in month (1-12) of year. */
int ss_date_days_in_month(int year, int month);

#endif
