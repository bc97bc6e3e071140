/*
 * date.h - calendar dates as day numbers, without locale or mktime.
 *
 * A date is an int32_t count of days since 1970-01-01 (negative before).
 * Only the proleptic Gregorian calendar from SS_DATE_MIN_YEAR to
 * SS_DATE_MAX_YEAR is accepted, in the ISO form YYYY-MM-DD.
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
	SS_DATE_RANGE	 /* year outside SS_DATE_MIN_YEAR..SS_DATE_MAX_YEAR */
};

/* Parse s[0..len) as YYYY-MM-DD into *day.  *day is untouched on error. */
enum ss_date_result ss_date_parse(const char *s, size_t len, int32_t *day);

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
