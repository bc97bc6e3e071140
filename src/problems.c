/*
 * problems.c - the data-quality log: a kind table, counts, kept messages.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "streamstat/problems.h"
#include "streamstat/xalloc.h"

static const struct {
	const char *name;
	enum ss_severity severity;
} kinds[SS_P_KIND_COUNT] = {
	[SS_P_CANNOT_OPEN] = {"cannot open", SS_SEV_FATAL},
	[SS_P_READ_ERROR] = {"read error", SS_SEV_FATAL},
	[SS_P_EMPTY_FILE] = {"empty file", SS_SEV_FATAL},
	[SS_P_BINARY] = {"binary file", SS_SEV_FATAL},
	[SS_P_MISSING_COLUMN] = {"missing column", SS_SEV_FATAL},
	[SS_P_BAD_HEADER] = {"unreadable header", SS_SEV_FATAL},
	[SS_P_HEADER_ONLY] = {"no data rows", SS_SEV_WARNING},
	[SS_P_DUPLICATE_COLUMN] = {"duplicate column", SS_SEV_FATAL},
	[SS_P_UNKNOWN_COLUMNS] = {"unknown columns", SS_SEV_INFO},
	[SS_P_FIELD_COUNT] = {"wrong field count", SS_SEV_SKIPPED},
	[SS_P_BAD_QUOTE] = {"bad quoting", SS_SEV_SKIPPED},
	[SS_P_UNTERMINATED_QUOTE] = {"unterminated quote", SS_SEV_SKIPPED},
	[SS_P_FIELD_TOO_LONG] = {"field too long", SS_SEV_SKIPPED},
	[SS_P_BAD_DATE] = {"bad date", SS_SEV_SKIPPED},
	[SS_P_BAD_COUNT] = {"bad count", SS_SEV_SKIPPED},
	[SS_P_NO_COUNT] = {"no count", SS_SEV_SKIPPED},
	[SS_P_EMPTY_NAME] = {"empty name", SS_SEV_SKIPPED},
	[SS_P_BAD_BOUND] = {"bad bound", SS_SEV_SKIPPED},
	[SS_P_UNKNOWN_TRACK] = {"unknown track", SS_SEV_SKIPPED},
	[SS_P_AMBIGUOUS_ALBUM] = {"ambiguous album", SS_SEV_SKIPPED},
	[SS_P_CATALOG_ROW] = {"bad catalog row", SS_SEV_SKIPPED},
	[SS_P_LIMIT] = {"limit exceeded", SS_SEV_SKIPPED},
	[SS_P_BAD_RELEASE_DATE] = {"bad release date", SS_SEV_WARNING},
	[SS_P_RELEASE_CONFLICT] = {"release date conflict", SS_SEV_WARNING},
	[SS_P_RELEASE_UNCERTAIN] = {"uncertain release date", SS_SEV_WARNING},
	[SS_P_CATALOG_CONFLICT] = {"catalog conflict", SS_SEV_WARNING},
	[SS_P_ALBUM_ARTIST_ASSUMED] = {"album artist assumed", SS_SEV_WARNING},
	[SS_P_NOT_IN_CATALOG] = {"not in catalog", SS_SEV_WARNING},
	[SS_P_CATALOG_NO_DATA] = {"album without data", SS_SEV_WARNING},
	[SS_P_DUPLICATE_CONFLICT] = {"conflicting duplicate", SS_SEV_WARNING},
	[SS_P_TOTAL_DECREASE] = {"total went down", SS_SEV_WARNING},
	[SS_P_STREAMS_TOTAL_MISMATCH] = {"streams and total disagree", SS_SEV_WARNING},
	[SS_P_BEFORE_RELEASE] = {"before release", SS_SEV_WARNING},
	[SS_P_NO_TOTAL] = {"no known total", SS_SEV_WARNING},
	[SS_P_STALE] = {"stale track", SS_SEV_WARNING},
	[SS_P_OPTION_UNUSED] = {"option not used", SS_SEV_WARNING},
	[SS_P_DUPLICATE_MERGED] = {"duplicate merged", SS_SEV_INFO},
	[SS_P_TRACK_NO_DATA] = {"track without data", SS_SEV_INFO},
	[SS_P_INPUT_FORMAT] = {"input format", SS_SEV_INFO},
};

const char *ss_problem_kind_name(enum ss_problem_kind kind)
{
	if ((unsigned)kind >= SS_P_KIND_COUNT || !kinds[kind].name)
		return "unknown problem";
	return kinds[kind].name;
}

enum ss_severity ss_problem_severity(enum ss_problem_kind kind)
{
	if ((unsigned)kind >= SS_P_KIND_COUNT)
		return SS_SEV_FATAL;
	return kinds[kind].severity;
}

const char *ss_severity_name(enum ss_severity sev)
{
	static const char *const names[] = {"note", "warning", "skipped", "unusable"};

	if ((unsigned)sev >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[sev];
}

void ss_problems_init(struct ss_problems *p, size_t limit)
{
	memset(p, 0, sizeof(*p));
	p->limit = limit;
}

void ss_problems_release(struct ss_problems *p)
{
	size_t limit = p->limit;

	for (size_t i = 0; i < p->n; i++)
		free(p->list[i].msg);
	free(p->list);
	ss_problems_init(p, limit);
}

void ss_problems_add(struct ss_problems *p, enum ss_problem_kind kind, uint32_t file, uint64_t line,
		     const char *fmt, ...)
{
	struct ss_problem *pr;
	va_list ap;
	char buf[512];

	p->count[kind]++;
	if (p->n >= p->limit) {
		p->not_kept++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	xgrow(&p->list, &p->cap, p->n + 1, sizeof(*p->list));
	pr = &p->list[p->n++];
	pr->kind = kind;
	pr->file = file;
	pr->line = line;
	pr->msg = xstrdup(buf);
}

static int by_place(const void *a, const void *b)
{
	const struct ss_problem *x = a, *y = b;

	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return 0;
}

void ss_problems_sort(struct ss_problems *p)
{
	/* Bottom-up merge sort: stable, which qsort is not. */
	struct ss_problem *tmp;
	size_t n = p->n;

	if (n < 2)
		return;
	tmp = xmalloc(n * sizeof(*tmp));
	for (size_t width = 1; width < n; width *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n;
			size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t i = lo, j = mid, k = lo;

			while (i < mid && j < hi)
				tmp[k++] = by_place(&p->list[j], &p->list[i]) < 0 ? p->list[j++]
										  : p->list[i++];
			while (i < mid)
				tmp[k++] = p->list[i++];
			while (j < hi)
				tmp[k++] = p->list[j++];
		}
		memcpy(p->list, tmp, n * sizeof(*tmp));
	}
	free(tmp);
}

uint64_t ss_problems_at_least(const struct ss_problems *p, enum ss_severity sev)
{
	uint64_t n = 0;

	for (int k = 0; k < SS_P_KIND_COUNT; k++)
		if (kinds[k].severity >= sev)
			n += p->count[k];
	return n;
}

static char *quote(char *buf, size_t n, const char *s, size_t len, char q)
{
	size_t o = 0, max = 60;

	if (n < 8) {
		if (n)
			buf[0] = '\0';
		return buf;
	}
	buf[o++] = q;
	for (size_t i = 0; i < len && o + 8 < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i == max) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (c < 0x20 || c == 0x7f) {
			o += (size_t)snprintf(buf + o, n - o, "\\x%02x", c);
		} else if (q == '"' && (c == '"' || c == '\\')) {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else {
			buf[o++] = (char)c;
		}
	}
	buf[o++] = q;
	buf[o] = '\0';
	return buf;
}

char *ss_quote(char *buf, size_t n, const char *s, size_t len)
{
	return quote(buf, n, s, len, '"');
}

char *ss_quote_name(char *buf, size_t n, const char *s, size_t len)
{
	return quote(buf, n, s, len, '\'');
}
