/*
 * date.c - ISO dates to day numbers and back (civil-from-days arithmetic,
 * after Howard Hinnant's public-domain algorithms), date layouts for
 * --date-format, a midnight time after the date, and advice for dates that
 * fit another layout.
 */
#include <stdio.h>
#include <string.h>

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

/* s[0..len) without the spaces and tabs around it. */
static void trim(const char **s, size_t *len)
{
	while (*len && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*len)--;
	}
	while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
		(*len)--;
}

enum ss_date_result ss_date_parse(const char *s, size_t len, int32_t *day)
{
	trim(&s, &len);
	if (len == 0)
		return SS_DATE_EMPTY;
	/* the ISO form alone: no time part */
	if (len != SS_DATE_LEN)
		return SS_DATE_SYNTAX;
	return ss_date_parse_as(NULL, s, len, day, NULL);
}

int ss_date_fmt_parse(const char *spec, struct ss_date_fmt *f)
{
	static const char *const forms[] = {['Y'] = "YYYY", ['m'] = "MM", ['d'] = "DD"};
	int seen = 0;

	memset(f, 0, sizeof(*f));
	if (strlen(spec) != 8 || spec[0] != '%' || spec[3] != '%' || spec[6] != '%' ||
	    spec[2] != spec[5] || !strchr("-/.", spec[2]))
		return -1;
	f->sep = spec[2];
	for (int k = 0; k < 3; k++) {
		char c = spec[3 * k + 1];
		int bit = c == 'Y' ? 1 : c == 'm' ? 2 : c == 'd' ? 4 : 0;

		if (!bit || (seen & bit))
			return -1;
		seen |= bit;
		f->order[k] = c;
	}
	snprintf(f->form, sizeof(f->form), "%s%c%s%c%s", forms[(unsigned char)f->order[0]], f->sep,
		 forms[(unsigned char)f->order[1]], f->sep, forms[(unsigned char)f->order[2]]);
	memcpy(f->spec, spec, 8);
	return 0;
}

/* Up to max digits from s[*i] (at least one); -1 when there is none. */
static int number(const char *s, size_t len, size_t *i, int min, int max)
{
	int v = 0, n = 0;

	while (*i < len && n < max && s[*i] >= '0' && s[*i] <= '9') {
		v = v * 10 + (s[*i] - '0');
		(*i)++;
		n++;
	}
	if (n < min || (*i < len && s[*i] >= '0' && s[*i] <= '9'))
		return -1;
	return v;
}

/*
 * The time of day in s[0..len), which follows a date: 'T' or spaces, then
 * HH:MM[:SS[.fff]], then optionally Z, UTC or an offset (+HH[:MM]).
 * SS_DATE_OK at midnight, SS_DATE_TIME at any other time, SS_DATE_SYNTAX
 * when it is not a time.
 */
static enum ss_date_result time_part(const char *s, size_t len)
{
	size_t i = 0;
	int h, m, sec = 0, zero = 1;

	if (s[0] == 'T')
		i++;
	else
		while (i < len && s[i] == ' ')
			i++;
	if (i == 0)
		return SS_DATE_SYNTAX;
	h = number(s, len, &i, 2, 2);
	if (h < 0 || i >= len || s[i++] != ':')
		return SS_DATE_SYNTAX;
	m = number(s, len, &i, 2, 2);
	if (m < 0)
		return SS_DATE_SYNTAX;
	if (i < len && s[i] == ':') {
		i++;
		sec = number(s, len, &i, 2, 2);
		if (sec < 0)
			return SS_DATE_SYNTAX;
		if (i < len && (s[i] == '.' || s[i] == ',')) {
			size_t start = ++i;

			for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
				zero &= s[i] == '0';
			if (i == start)
				return SS_DATE_SYNTAX;
		}
	}
	if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i + 4 <= len && strncmp(s + i, " UTC", 4) == 0) {
		i += 4;
	} else if (i < len && (s[i] == '+' || s[i] == '-')) {
		i++;
		if (number(s, len, &i, 2, 2) < 0)
			return SS_DATE_SYNTAX;
		if (i < len && s[i] == ':')
			i++;
		if (i < len && number(s, len, &i, 2, 2) < 0)
			return SS_DATE_SYNTAX;
	}
	if (i != len || h > 23 || m > 59 || sec > 60)
		return SS_DATE_SYNTAX;
	return h == 0 && m == 0 && sec == 0 && zero ? SS_DATE_OK : SS_DATE_TIME;
}

/* Year, month and day of s[0..*end) in layout f; *end is where parsing stopped. */
static enum ss_date_result ymd_as(const struct ss_date_fmt *f, const char *s, size_t len,
				  size_t *end, int *y, int *m, int *d)
{
	size_t i = 0;

	for (int k = 0; k < 3; k++) {
		int v;

		if (k && (i >= len || s[i++] != f->sep))
			return SS_DATE_SYNTAX;
		v = f->order[k] == 'Y' ? number(s, len, &i, 4, 4) : number(s, len, &i, 1, 2);
		if (v < 0)
			return SS_DATE_SYNTAX;
		*(f->order[k] == 'Y' ? y : f->order[k] == 'm' ? m : d) = v;
	}
	*end = i;
	return SS_DATE_OK;
}

static enum ss_date_result check_ymd(int y, int m, int d)
{
	if (m < 1 || m > 12 || d < 1 || d > ss_date_days_in_month(y, m))
		return SS_DATE_INVALID;
	if (y < SS_DATE_MIN_YEAR || y > SS_DATE_MAX_YEAR)
		return SS_DATE_RANGE;
	return SS_DATE_OK;
}

enum ss_date_result ss_date_parse_as(const struct ss_date_fmt *f, const char *s, size_t len,
				     int32_t *day, int *had_time)
{
	enum ss_date_result r;
	size_t end = SS_DATE_LEN;
	int y, m, d, timed = 0;

	trim(&s, &len);
	if (len == 0)
		return SS_DATE_EMPTY;
	if (!f) {
		if (len < SS_DATE_LEN || s[4] != '-' || s[7] != '-')
			return SS_DATE_SYNTAX;
		y = digits(s, 4);
		m = digits(s + 5, 2);
		d = digits(s + 8, 2);
		if (y < 0 || m < 0 || d < 0)
			return SS_DATE_SYNTAX;
	} else if (ymd_as(f, s, len, &end, &y, &m, &d) != SS_DATE_OK) {
		return SS_DATE_SYNTAX;
	}
	if (end < len) {
		r = time_part(s + end, len - end);
		if (r == SS_DATE_SYNTAX)
			return r;
		timed = 1;
	} else {
		r = SS_DATE_OK;
	}
	enum ss_date_result v = check_ymd(y, m, d);
	if (v != SS_DATE_OK)
		return v;
	if (r != SS_DATE_OK)
		return r;
	*day = ss_date_from_ymd(y, m, d);
	if (had_time)
		*had_time = timed;
	return SS_DATE_OK;
}

const char *ss_date_hint(const struct ss_date_fmt *f, const char *s, size_t len, char *buf,
			 size_t n)
{
	/* the layouts in use: slashes and dashes both ways, dots day first */
	static const char *const specs[] = {"%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%Y/%m/%d",
					    "%d.%m.%Y", "%Y.%m.%d", "%m-%d-%Y", "%d-%m-%Y"};
	enum { NSPECS = sizeof(specs) / sizeof(specs[0]) };
	struct ss_date_fmt cand[NSPECS];
	int32_t day[NSPECS];
	int ok[NSPECS];
	size_t ntried = 0, nread = 0, at = 0;
	char date[SS_DATE_LEN + 1];

	buf[0] = '\0';
	trim(&s, &len);
	for (size_t k = 0; k < NSPECS; k++) {
		struct ss_date_fmt *c = &cand[ntried];
		size_t end;
		int y = 0, m = 0, d = 0;

		(void)ss_date_fmt_parse(specs[k], c);
		if (f && strcmp(f->spec, c->spec) == 0)
			continue;
		if (ymd_as(c, s, len, &end, &y, &m, &d) != SS_DATE_OK ||
		    (end < len && time_part(s + end, len - end) == SS_DATE_SYNTAX))
			continue;
		ok[ntried] = check_ymd(y, m, d) == SS_DATE_OK;
		if (ok[ntried]) {
			day[ntried] = ss_date_from_ymd(y, m, d);
			nread++;
		}
		ntried++;
	}
	if (nread == 0)
		return buf;
	for (size_t k = 0; k < ntried && at < n; k++) {
		if (!ok[k])
			continue;
		ss_date_format(day[k], date);
		if (nread == 1)
			at += (size_t)snprintf(buf + at, n - at,
					       "; as %s it is %s: give --date-format %s",
					       cand[k].form, date, cand[k].spec);
		else
			at += (size_t)snprintf(buf + at, n - at, "%s %s as %s (--date-format %s)",
					       at ? " or" : "; it is ambiguous:", date,
					       cand[k].form, cand[k].spec);
	}
	for (size_t k = 0; k < ntried && at < n; k++)
		if (!ok[k])
			at += (size_t)snprintf(buf + at, n - at, "; as %s it is no date",
					       cand[k].form);
	if (nread > 1 && at < n)
		snprintf(buf + at, n - at, "; give the layout your file uses");
	return buf;
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
	case SS_DATE_TIME:
		return "has a time of day that is not midnight; streamstat counts whole days: give "
		       "one row per day, dated without a time or at 00:00";
	}
	return "is not a date";
}
