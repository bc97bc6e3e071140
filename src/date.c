/*
 * date.c - ISO dates to day numbers and back (civil-from-days arithmetic,
 * after Howard Hinnant's public-domain algorithms).
 */
#include <stdio.h>

#include "streamstat/date.h"

int ss_date_days_in_month(int year, int month)
{
	static const unsigned char days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	if (month < 1 || month > 12)
		return 0;
	return days[month - 1] + (month == 2 && leap);
}

int32_t ss_date_from_ymd(int year, int month, int day)
{
	int y = year - (month <= 2);
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return (int32_t)(era * 146097 + doe - 719468);
}

void ss_date_to_ymd(int32_t day, int *year, int *month, int *mday)
{
	int32_t z = day + 719468;
	int32_t era = (z >= 0 ? z : z - 146096) / 146097;
	int32_t doe = z - era * 146097;
	int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int32_t mp = (5 * doy + 2) / 153;
	int32_t m = mp < 10 ? mp + 3 : mp - 9;

	*mday = (int)(doy - (153 * mp + 2) / 5 + 1);
	*month = (int)m;
	*year = (int)(yoe + era * 400 + (m <= 2));
}

void ss_date_format(int32_t day, char *buf)
{
	int y, m, d;

	ss_date_to_ymd(day, &y, &m, &d);
	snprintf(buf, SS_DATE_LEN + 1, "%04d-%02d-%02d", y, m, d);
}

static int digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

enum ss_date_result ss_date_parse(const char *s, size_t len, int32_t *day)
{
	int y, m, d;

	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len == 0)
		return SS_DATE_EMPTY;
	if (len != SS_DATE_LEN || s[4] != '-' || s[7] != '-')
		return SS_DATE_SYNTAX;
	y = digits(s, 4);
	m = digits(s + 5, 2);
	d = digits(s + 8, 2);
	if (y < 0 || m < 0 || d < 0)
		return SS_DATE_SYNTAX;
	if (m < 1 || m > 12 || d < 1 || d > ss_date_days_in_month(y, m))
		return SS_DATE_INVALID;
	if (y < SS_DATE_MIN_YEAR || y > SS_DATE_MAX_YEAR)
		return SS_DATE_RANGE;
	*day = ss_date_from_ymd(y, m, d);
	return SS_DATE_OK;
}

const char *ss_date_error(enum ss_date_result r)
{
	switch (r) {
	case SS_DATE_OK:
		return "is a date";
	case SS_DATE_EMPTY:
		return "is empty";
	case SS_DATE_SYNTAX:
		return "is not a date in the form YYYY-MM-DD";
	case SS_DATE_INVALID:
		return "is not a valid date";
	case SS_DATE_RANGE:
		return "is outside the years 1900 to 2200";
	}
	return "is not a date";
}
