/*
 * number.c - strict count parsing, milestone suffixes, thousands separators.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "streamstat/number.h"

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Skip a run of digits from s[*i]; returns how many there were. */
static size_t digits(const char *s, size_t len, size_t *i)
{
	size_t start = *i;

	while (*i < len && is_digit(s[*i]))
		(*i)++;
	return *i - start;
}

/*
 * s is not plain digits: tell a negative number, a fraction and a whole
 * number in another notation ("+5", "1,000", "40.0", "1e6") from junk.
 */
static enum ss_count_result classify(const char *s, size_t len)
{
	size_t i = 0, whole, frac = 0;
	int sign = 0, zero_frac = 1;

	if (s[0] == '-' || s[0] == '+') {
		sign = s[0] == '-' ? -1 : 1;
		i++;
	}
	whole = digits(s, len, &i);
	while (whole && i + 4 <= len && s[i] == ',' && is_digit(s[i + 1]) && is_digit(s[i + 2]) &&
	       is_digit(s[i + 3]) && (i + 4 == len || !is_digit(s[i + 4])))
		i += 4; /* thousands groups */
	if (i < len && s[i] == '.') {
		size_t start = ++i;

		frac = digits(s, len, &i);
		for (size_t k = start; k < i; k++)
			zero_frac &= s[k] == '0';
	}
	if (!whole && !frac)
		return SS_COUNT_SYNTAX;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (!digits(s, len, &i) || i != len)
			return SS_COUNT_SYNTAX;
		return sign < 0 ? SS_COUNT_NEGATIVE : SS_COUNT_FORMAT;
	}
	if (i != len)
		return SS_COUNT_SYNTAX;
	if (sign < 0)
		return SS_COUNT_NEGATIVE;
	if (frac && !zero_frac)
		return SS_COUNT_FRACTIONAL;
	return SS_COUNT_FORMAT;
}

enum ss_count_result ss_count_parse(const char *s, size_t len, int64_t *out)
{
	int64_t v = 0;
	size_t i;

	while (len && is_blank(*s)) {
		s++;
		len--;
	}
	while (len && is_blank(s[len - 1]))
		len--;
	if (len == 0)
		return SS_COUNT_EMPTY;
	if (len <= 18) {
		int64_t fast = 0;
		size_t k = 0;

		for (; k < len && s[k] >= '0' && s[k] <= '9'; k++)
			fast = fast * 10 + (s[k] - '0');
		if (k == len) {
			*out = fast;
			return SS_COUNT_OK;
		}
	}
	for (i = 0; i < len && is_digit(s[i]); i++) {
		if (v > (INT64_MAX - (s[i] - '0')) / 10) {
			/* "99999999999999999999x" is junk, not an overflow. */
			while (++i < len)
				if (!is_digit(s[i]))
					return classify(s, len);
			return SS_COUNT_OVERFLOW;
		}
		v = v * 10 + (s[i] - '0');
	}
	if (i < len)
		return classify(s, len);
	*out = v;
	return SS_COUNT_OK;
}

/* s[0..len) (trimmed, not empty) as digits in groups of three separated by
 * sep after a first group of one to three; SS_COUNT_FORMAT when it is not. */
static enum ss_count_result grouped(const char *s, size_t len, char sep, int64_t *out)
{
	int64_t v = 0;
	size_t group = 0, groups = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == sep) {
			if (group == 0 || (groups == 0 ? group > 3 : group != 3))
				return SS_COUNT_FORMAT;
			groups++;
			group = 0;
			continue;
		}
		if (!is_digit(s[i]))
			return SS_COUNT_SYNTAX;
		if (v > (INT64_MAX - (s[i] - '0')) / 10)
			return SS_COUNT_OVERFLOW;
		v = v * 10 + (s[i] - '0');
		group++;
	}
	if (group == 0 || (groups && group != 3))
		return SS_COUNT_FORMAT;
	*out = v;
	return SS_COUNT_OK;
}

enum ss_count_result ss_count_parse_as(const char *s, size_t len, char sep, int64_t *out,
				       int *zero_frac)
{
	enum ss_count_result r = ss_count_parse(s, len, out);
	char mark = sep == '.' ? ',' : '.';
	size_t end;
	int64_t v = 0;

	*zero_frac = 0;
	if (r == SS_COUNT_OK || r == SS_COUNT_EMPTY || r == SS_COUNT_OVERFLOW)
		return r;
	while (len && is_blank(*s)) {
		s++;
		len--;
	}
	while (len && is_blank(s[len - 1]))
		len--;
	/* a fraction of one or two zeros: three would be a thousands group */
	end = len;
	if (len >= 3 && s[len - 2] == mark && s[len - 1] == '0')
		end = len - 2;
	else if (len >= 4 && s[len - 3] == mark && s[len - 2] == '0' && s[len - 1] == '0')
		end = len - 3;
	if (end < len && end > 0 && is_digit(s[end - 1])) {
		enum ss_count_result g =
			sep ? grouped(s, end, sep, &v) : ss_count_parse(s, end, &v);

		if (g == SS_COUNT_OK) {
			*out = v;
			*zero_frac = 1;
			return SS_COUNT_OK;
		}
		if (g == SS_COUNT_OVERFLOW)
			return g;
	}
	if (sep && is_digit(s[0])) {
		enum ss_count_result g = grouped(s, len, sep, &v);

		if (g == SS_COUNT_OK)
			*out = v;
		if (g == SS_COUNT_OK || g == SS_COUNT_OVERFLOW)
			return g;
	}
	return r;
}

const char *ss_count_hint(const char *s, size_t len, char sep, char *buf, size_t n)
{
	static const char seps[] = {',', '.'};
	int64_t v = 0;
	int zero;

	buf[0] = '\0';
	for (size_t k = 0; k < sizeof(seps); k++) {
		if (seps[k] == sep || ss_count_parse_as(s, len, seps[k], &v, &zero) != SS_COUNT_OK)
			continue;
		snprintf(buf, n, "; --thousands %c reads it as %lld", seps[k], (long long)v);
		break;
	}
	return buf;
}

const char *ss_count_error(enum ss_count_result r)
{
	switch (r) {
	case SS_COUNT_OK:
		return "is a count";
	case SS_COUNT_EMPTY:
		return "is empty";
	case SS_COUNT_NEGATIVE:
		return "is negative";
	case SS_COUNT_FORMAT:
		return "is not written as plain digits";
	case SS_COUNT_OVERFLOW:
		return "is too large (over 9223372036854775807)";
	case SS_COUNT_FRACTIONAL:
	case SS_COUNT_SYNTAX:
		break;
	}
	return "is not a whole number";
}

int ss_milestone_parse(const char *s, int64_t *out)
{
	int64_t whole = 0, frac = 0, scale = 1, fdiv = 1;
	size_t len = strlen(s), i = 0;
	int ndig = 0;

	if (len == 0)
		return -1;
	switch (toupper((unsigned char)s[len - 1])) {
	case 'K':
		scale = 1000;
		len--;
		break;
	case 'M':
		scale = 1000000;
		len--;
		break;
	case 'B':
	case 'G':
		scale = 1000000000;
		len--;
		break;
	default:
		break;
	}
	for (; i < len && isdigit((unsigned char)s[i]); i++, ndig++) {
		if (whole > (INT64_MAX - 9) / 10)
			return -1;
		whole = whole * 10 + (s[i] - '0');
	}
	if (i < len && s[i] == '.') {
		for (i++; i < len && isdigit((unsigned char)s[i]); i++, ndig++) {
			if (fdiv > INT64_MAX / 10)
				return -1;
			frac = frac * 10 + (s[i] - '0');
			fdiv *= 10;
		}
	}
	if (i != len || ndig == 0)
		return -1;
	if (whole > INT64_MAX / scale)
		return -1;
	/* The fraction must come out whole: "1.5M" is fine, "1.0000005K" is not. */
	if (frac > INT64_MAX / scale || (frac * scale) % fdiv != 0)
		return -1;
	whole = whole * scale + frac * scale / fdiv;
	if (whole <= 0)
		return -1;
	*out = whole;
	return 0;
}

char *ss_count_format(int64_t v, char *buf)
{
	char tmp[32];
	int n, o = 0, lead;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	n = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)u);
	if (v < 0)
		buf[o++] = '-';
	lead = n % 3 ? n % 3 : 3;
	for (int i = 0; i < n; i++) {
		if (i && (i - lead) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}

char *ss_milestone_format(int64_t v, char *buf)
{
	static const struct {
		int64_t scale;
		char suffix;
	} units[] = {{1000000000, 'B'}, {1000000, 'M'}, {1000, 'K'}};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		int64_t s = units[i].scale;

		if (v >= s) {
			int64_t w = v / s, r = v % s;

			if (r == 0) {
				snprintf(buf, 28, "%lld%c", (long long)w, units[i].suffix);
				return buf;
			}
			if ((r * 10) % s == 0) {
				snprintf(buf, 28, "%lld.%lld%c", (long long)w,
					 (long long)(r * 10 / s), units[i].suffix);
				return buf;
			}
		}
	}
	snprintf(buf, 28, "%lld", (long long)v);
	return buf;
}
