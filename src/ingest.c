/*
 * ingest.c - history files and catalogs into a dataset.
 *
 * Each file goes through csvread.c row by row.  The header maps column
 * names to roles (a --column mapping first, then our names, then the alias
 * table); every later row is checked field by field, and the first problem
 * found in a row is logged and the row skipped.  A role the file has no
 * column for may be given for the whole file (--track, --album, --artist,
 * --date, --release-date).  A wide table (--wide) has a date column and one column per
 * track, each cell an observation.  Names are interned (with a one-entry
 * cache: consecutive rows often share album and track).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "streamstat/csvread.h"
#include "streamstat/date.h"
#include "streamstat/ingest.h"
#include "streamstat/number.h"
#include "streamstat/xalloc.h"

enum column {
	COL_DATE,
	COL_TRACK,
	COL_ALBUM,
	COL_ARTIST,
	COL_STREAMS,
	COL_TOTAL,
	COL_BOUND,
	COL_RELEASE,
	COL_ALBUM_RELEASE,
	COL_COUNTS,
	NCOLUMNS
};

#define MAX_ALIASES 6

/*
 * Each role's name, a second name it has in catalogs, and the aliases a
 * header may use for it (noted when used).  Header names are compared
 * normalized: lower case, with runs of spaces, '_' and '-' as one '_' (so
 * "Streams Total" is streams_total).  The README and the man page list the
 * aliases: keep them in step.
 */
static const struct {
	const char *name;
	const char *name2;
	const char *alias[MAX_ALIASES];
} column_names[NCOLUMNS] = {
	[COL_DATE] = {"date", NULL, {"day"}},
	[COL_TRACK] = {"track", NULL, {"song", "title", "track_name", "song_title", "track_title"}},
	[COL_ALBUM] = {"album", NULL, {"album_name", "album_title"}},
	[COL_ARTIST] = {"artist", NULL, {"artist_name"}},
	[COL_STREAMS] = {"streams", NULL, {"plays", "daily", "daily_streams"}},
	[COL_TOTAL] = {"total",
		       NULL,
		       {"streams_total", "total_streams", "cumulative", "cumulative_streams"}},
	[COL_BOUND] = {"bound", NULL, {NULL}},
	[COL_RELEASE] = {"release_date", "track_release_date", {"release"}},
	[COL_ALBUM_RELEASE] = {"album_release_date", NULL, {NULL}},
	[COL_COUNTS] = {"counts", NULL, {NULL}},
};

_Static_assert(COL_COUNTS == SS_INGEST_FIELDS, "the fields --column maps come first");

/* A wide table's track column: its field and track. */
struct wide_col {
	size_t field;
	uint32_t track;
};

/* The columns each kind of file understands. */
static const unsigned data_columns = (1u << COL_DATE) | (1u << COL_TRACK) | (1u << COL_ALBUM) |
				     (1u << COL_ARTIST) | (1u << COL_STREAMS) | (1u << COL_TOTAL) |
				     (1u << COL_BOUND) | (1u << COL_RELEASE) |
				     (1u << COL_ALBUM_RELEASE);
static const unsigned catalog_columns = (1u << COL_TRACK) | (1u << COL_ALBUM) | (1u << COL_ARTIST) |
					(1u << COL_RELEASE) | (1u << COL_ALBUM_RELEASE) |
					(1u << COL_COUNTS);

struct ingest {
	struct ss_dataset *ds;
	const struct ss_ingest_options *opt;
	uint32_t file;
	int is_catalog;
	int have_header;
	int fatal;
	const char *catalog;	    /* the first catalog's path, when there is one */
	size_t ncols;		    /* fields in the header */
	int col[NCOLUMNS];	    /* field index of each role, or -1 */
	char header_text[256];	    /* the header as found, for messages */
	char colname[NCOLUMNS][64]; /* each role's column as the header spells it */
	int header_lost;	    /* the header row could not be parsed */
	uint64_t blank_rows;	    /* rows of empty fields (",,,"): blank lines */
	uint64_t first_blank;	    /* ... the first one's line */
	const struct ss_csv_stats *stats;

	/* A role for the whole file (--track ...), when it has no column. */
	const char *konst[NCOLUMNS];
	size_t konstlen[NCOLUMNS];
	char *track_from_name;		    /* --track-from-filename's name, owned */
	const struct ss_date_fmt *date_fmt; /* NULL: YYYY-MM-DD */
	char thousands;

	/* --wide: the track columns, and a row's observations before they are kept. */
	struct wide_col *wide;
	size_t nwide;
	int64_t *wide_value;
	/* a pivot table's totals (Google Sheets and Excel label them "Grand
	 * Total"): its columns (the first's field + 1, 0 for none; how many)
	 * and rows, left out */
	size_t pivot_col, npivot;
	uint64_t pivot_rows, pivot_line;

	/* Conversions noted once per file: dates with a midnight time, counts
	 * with a zero fraction (how many, the first one and where). */
	uint64_t ntimes, nfracs;
	uint64_t time_line, frac_line;
	char time_example[SS_QUOTE_MAX], frac_example[SS_QUOTE_MAX];
	char frac_column[64];

	/* Data without an album column: track name -> track id, from the catalog. */
	struct ss_intern by_name;
	uint32_t *by_name_track; /* SS_NONE when the name is in several albums */

	/* Caches for date-major input, where each day repeats the same tracks
	 * in the same order: the last date parsed, the last album, and per
	 * track the track that followed it last time. */
	char last_date[40];
	size_t last_date_len;
	int32_t last_day;
	int have_last_date;
	int last_date_timed; /* it had a midnight time */
	uint32_t last_album_id;
	int last_album_by_title; /* found by its title alone: rows without an artist */
	uint32_t last_artist_id;
	uint32_t *hint; /* hint[t]: the track that followed t last time */
	size_t hintcap;
	uint32_t prev_track;
};

static struct ss_file *file_of(struct ingest *in)
{
	return &in->ds->files[in->file];
}

static void problem(struct ingest *in, enum ss_problem_kind kind, uint64_t line, const char *fmt,
		    ...) __attribute__((format(printf, 4, 5)));

static void problem(struct ingest *in, enum ss_problem_kind kind, uint64_t line, const char *fmt,
		    ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ss_problems_add(&in->ds->problems, kind, in->file, line, "%s", buf);
}

static int is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static void trim(const char **s, size_t *len)
{
	if (!*len || (!is_space(**s) && !is_space((*s)[*len - 1])))
		return;
	while (*len && is_space(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && is_space((*s)[*len - 1]))
		(*len)--;
}

/* Whether field (trimmed) is name, ignoring case; name is lower case. */
static int name_matches(const char *field, size_t len, const char *name)
{
	size_t n = strlen(name);

	trim(&field, &len);
	if (len != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (tolower((unsigned char)field[i]) != name[i])
			return 0;
	return 1;
}

/* s[0..len) trimmed, in lower case, with each run of spaces, '_' and '-'
 * as one '_', into buf (of size n, NUL-terminated, cut to fit). */
static const char *normalize(const char *s, size_t len, char *buf, size_t n)
{
	size_t o = 0;
	int gap = 0;

	trim(&s, &len);
	for (size_t i = 0; i < len && o + 1 < n; i++) {
		char c = s[i];

		if (c == ' ' || c == '_' || c == '-' || c == '\t') {
			gap = 1;
			continue;
		}
		if (gap && o && o + 2 < n)
			buf[o++] = '_';
		gap = 0;
		buf[o++] = (char)tolower((unsigned char)c);
	}
	buf[o] = '\0';
	return buf;
}

int ss_ingest_field(const char *name, size_t len)
{
	char key[64];

	normalize(name, len, key, sizeof(key));
	for (int c = 0; c < SS_INGEST_FIELDS; c++)
		if (strcmp(key, column_names[c].name) == 0)
			return c;
	return -1;
}

const char *ss_ingest_field_name(int f)
{
	return f >= 0 && f < NCOLUMNS ? column_names[f].name : "";
}

/* "track, song, title, track_name, song_title or track_title": the names read as role. */
static const char *names_of(enum column role, char *buf, size_t n)
{
	size_t at = (size_t)snprintf(buf, n, "%s", column_names[role].name), k = 0;
	size_t count = 0;

	while (count < MAX_ALIASES && column_names[role].alias[count])
		count++;
	for (; k < count && at < n; k++)
		at += (size_t)snprintf(buf + at, n - at, "%s%s", k + 1 == count ? " or " : ", ",
				       column_names[role].alias[k]);
	return buf;
}

/* Append to buf[*at..n) like snprintf, never past the end. */
static void append(char *buf, size_t n, size_t *at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void append(char *buf, size_t n, size_t *at, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (*at + 1 >= n)
		return;
	va_start(ap, fmt);
	k = vsnprintf(buf + *at, n - *at, fmt, ap);
	va_end(ap);
	*at += k > 0 ? (size_t)k : 0;
	if (*at >= n)
		*at = n - 1;
}

/* The role the header field key (normalized) names: a --column mapping, our
 * name, or an alias (*alias set); -1 for none. */
static int role_of(const struct ingest *in, unsigned allowed, const char *key, int *alias)
{
	const struct ss_ingest_options *opt = in->is_catalog ? NULL : in->opt;
	char want[64];

	*alias = 0;
	for (int c = 0; opt && c < SS_INGEST_FIELDS; c++)
		if ((allowed & (1u << c)) && opt->column[c] &&
		    strcmp(key, normalize(opt->column[c], strlen(opt->column[c]), want,
					  sizeof(want))) == 0)
			return c;
	for (int c = 0; c < NCOLUMNS; c++) {
		if (!(allowed & (1u << c)) || (opt && c < SS_INGEST_FIELDS && opt->column[c]))
			continue;
		if (strcmp(key, column_names[c].name) == 0 ||
		    (column_names[c].name2 && strcmp(key, column_names[c].name2) == 0))
			return c;
	}
	for (int c = 0; c < NCOLUMNS; c++) {
		if (!(allowed & (1u << c)) || (opt && c < SS_INGEST_FIELDS && opt->column[c]))
			continue;
		for (int k = 0; k < MAX_ALIASES && column_names[c].alias[k]; k++)
			if (strcmp(key, column_names[c].alias[k]) == 0) {
				*alias = 1;
				return c;
			}
	}
	return -1;
}

/* A pivot table's totals, as its header and first column label them
 * ("Grand Total", normalized): in a wide table, not a track nor a date. */
#define PIVOT_TOTAL "grand_total"
#define PIVOT_TRACK (SS_NONE - 1) /* a wide column of that name, not yet resolved */

/* Whether the normalized header key has "daily" in it. */
static int says_daily(const char *key)
{
	return strstr(key, "daily") != NULL;
}

/*
 * "--column FIELD=NAME" as a shell word a user can paste: single-quoted
 * when NAME holds anything but letters, digits and _.-+:@ (a space, a
 * quote, $), each ' inside written '\''.
 */
static void column_option(char *dst, size_t n, const char *field, const char *name, size_t len)
{
	int plain = len > 0;
	size_t at;

	for (size_t i = 0; i < len && plain; i++)
		plain = isalnum((unsigned char)name[i]) || strchr("_.-+:@", name[i]);
	at = (size_t)snprintf(dst, n, "--column %s%s=", plain ? "" : "'", field);
	for (size_t i = 0; i < len && at + 5 < n; i++) {
		if (name[i] == '\'')
			at += (size_t)snprintf(dst + at, n - at, "'\\''");
		else
			dst[at++] = name[i];
	}
	snprintf(dst + (at < n ? at : n - 1), n - (at < n ? at : n - 1), "%s", plain ? "" : "'");
}

/*
 * Field i of the header is read as role, and so is an earlier one: the file
 * cannot say which holds the counts (kworb's "Streams,Daily" are a total and
 * a daily count, both read as streams), so it is unusable.  Two spellings of
 * one name can only be renamed; different names can be mapped with --column,
 * and where one says daily and the other does not, the other is taken to be
 * the running total in the suggestion.
 */
static void duplicate_column(struct ingest *in, const struct ss_csv_row *row, enum column role,
			     size_t i)
{
	size_t j = (size_t)in->col[role], alen = row->len[j], blen = row->len[i];
	const char *a = row->field[j], *b = row->field[i];
	char qa[SS_QUOTE_MAX], qb[SS_QUOTE_MAX], ka[64], kb[64], how[1024];

	trim(&a, &alen);
	trim(&b, &blen);
	normalize(a, alen, ka, sizeof(ka));
	normalize(b, blen, kb, sizeof(kb));
	if (strcmp(ka, kb) == 0 || in->is_catalog)
		snprintf(how, sizeof(how), "rename or remove one of them");
	else if (role == COL_STREAMS && says_daily(ka) != says_daily(kb)) {
		/* the one that does not say daily is the total */
		const char *t = says_daily(ka) ? b : a, *d = says_daily(ka) ? a : b;
		size_t tlen = says_daily(ka) ? blen : alen, dlen = says_daily(ka) ? alen : blen;
		char ot[200], od[200];
		column_option(ot, sizeof(ot), "total", t, tlen);
		column_option(od, sizeof(od), "streams", d, dlen);
		int tl = tlen > 100 ? 100 : (int)tlen;
		snprintf(how, sizeof(how),
			 "if '%.*s' is the running total, give %s %s; else map each with --column "
			 "FIELD=NAME",
			 tl, t, ot, od);
	} else {
		char oa[200], ob[200];
		column_option(oa, sizeof(oa), column_names[role].name, a, alen);
		column_option(ob, sizeof(ob), column_names[role].name, b, blen);
		snprintf(how, sizeof(how),
			 "map each with --column FIELD=NAME (%s or %s, and the other as the field "
			 "it is), or remove one",
			 oa, ob);
	}
	in->fatal = 1;
	problem(in, SS_P_DUPLICATE_COLUMN, row->line,
		"columns %s (field %zu) and %s (field %zu) are both read as %s, and the file "
		"cannot say which to use (header: %s); %s",
		ss_quote_name(qa, sizeof(qa), a, alen), j + 1,
		ss_quote_name(qb, sizeof(qb), b, blen), i + 1, column_names[role].name,
		in->header_text, how);
}

static void header(struct ingest *in, const struct ss_csv_row *row)
{
	int wide = !in->is_catalog && in->opt && in->opt->wide;
	unsigned allowed = in->is_catalog ? catalog_columns : wide ? 1u << COL_DATE : data_columns;
	char unknown[256] = "", aliased[256] = "", key[64];
	char sep[2] = {in->stats->delimiter, '\0'};
	size_t ulen = 0, hlen = 0, alen = 0, ndup = 0, dup_field[NCOLUMNS];
	int dup_role[NCOLUMNS];

	in->have_header = 1;
	in->ncols = row->nfields;
	for (int c = 0; c < NCOLUMNS; c++)
		in->col[c] = -1;
	if (in->stats->detected && in->stats->delimiter != ',')
		problem(in, SS_P_INPUT_FORMAT, row->line,
			"fields are separated by %s (detected from the header line, which has "
			"no commas; --delimiter says otherwise)",
			in->stats->delimiter == ';' ? "';'" : "tabs");
	if (wide)
		in->wide = xmalloc((row->nkept ? row->nkept : 1) * sizeof(*in->wide));
	for (size_t i = 0; i < row->nkept; i++) {
		int alias, role;

		append(in->header_text, sizeof(in->header_text), &hlen, "%s%s", i ? sep : "",
		       row->field[i]);
		role = role_of(in, allowed, normalize(row->field[i], row->len[i], key, sizeof(key)),
			       &alias);
		if (role < 0 && wide && strcmp(key, PIVOT_TOTAL) == 0) {
			/* decided once the catalog is known (a track of that name is one) */
			in->wide[in->nwide].field = i;
			in->wide[in->nwide++].track = PIVOT_TRACK;
		} else if (role < 0 && wide && key[0]) {
			in->wide[in->nwide].field = i;
			in->wide[in->nwide++].track = SS_NONE;
		} else if (role < 0) {
			append(unknown, sizeof(unknown), &ulen, "%s'%s'", ulen ? ", " : "",
			       row->field[i]);
		} else if (in->col[role] >= 0) {
			size_t k = 0;

			while (k < ndup && dup_role[k] != role)
				k++;
			if (k == ndup) { /* the first second column of each; said below */
				dup_role[ndup] = role;
				dup_field[ndup++] = i;
			}
		} else {
			const char *name = row->field[i];
			size_t len = row->len[i];

			in->col[role] = (int)i;
			trim(&name, &len);
			snprintf(in->colname[role], sizeof(in->colname[role]), "%.*s", (int)len,
				 name);
			if (alias)
				append(aliased, sizeof(aliased), &alen, "%s'%s' as %s",
				       alen ? ", " : "", in->colname[role],
				       column_names[role].name);
		}
	}
	for (size_t k = 0; k < ndup; k++)
		duplicate_column(in, row, (enum column)dup_role[k], dup_field[k]);
	if (ulen)
		problem(in, SS_P_UNKNOWN_COLUMNS, row->line, "ignoring unknown column%s %s",
			strchr(unknown, ',') ? "s" : "", unknown);
	if (alen)
		problem(in, SS_P_INPUT_FORMAT, row->line,
			"reading column %s (a known alias; --column FIELD=NAME says otherwise)",
			aliased);
}

/* The column of role as the header spells it. */
static const char *col_label_raw(const struct ingest *in, enum column role)
{
	return in->colname[role][0] ? in->colname[role] : column_names[role].name;
}

/* Does the file give role, in a column or for the whole file? */
static int has(const struct ingest *in, enum column role)
{
	return in->col[role] >= 0 || in->konst[role] ||
	       (role == COL_DATE && !in->is_catalog && in->opt && in->opt->has_date);
}

/* The first role the file needs and lacks, or -1 (COL_STREAMS: both counts). */
static int missing_column(struct ingest *in)
{
	if (in->opt && in->opt->wide && !in->is_catalog)
		return has(in, COL_DATE) ? -1 : COL_DATE;
	if (!has(in, COL_TRACK))
		return COL_TRACK;
	if (!has(in, COL_ALBUM) && (in->is_catalog || !in->catalog))
		return COL_ALBUM;
	if (in->is_catalog)
		return -1;
	if (!has(in, COL_DATE))
		return COL_DATE;
	if (in->col[COL_STREAMS] < 0 && in->col[COL_TOTAL] < 0)
		return COL_STREAMS;
	return -1;
}

static void index_catalog_tracks(struct ingest *in);

/* How to supply a missing role, as the end of the message. */
static void how_to_supply(const struct ingest *in, int miss, char *buf, size_t n)
{
	char names[160], names2[160];
	size_t at = 0;
	int one_field =
		in->ncols == 1 && (strchr(in->header_text, ';') || strchr(in->header_text, '\t'));

	if (one_field) {
		append(buf, n, &at, "; the header is one field with %s in it: give --delimiter %s",
		       strchr(in->header_text, ';') ? "';'" : "tabs",
		       strchr(in->header_text, ';') ? "';'" : "tab");
		return;
	}
	if (in->is_catalog) {
		append(buf, n, &at, "; a column named %s is read as %s",
		       names_of((enum column)miss, names, sizeof(names)), column_names[miss].name);
		return;
	}
	if (miss == COL_STREAMS) {
		append(buf, n, &at,
		       "; a column named %s is read as daily streams, one named %s as running "
		       "totals: name yours with --column streams=NAME or --column total=NAME",
		       names_of(COL_STREAMS, names, sizeof(names)),
		       names_of(COL_TOTAL, names2, sizeof(names2)));
		return;
	}
	append(buf, n, &at, "; a column named %s is read as %s: name yours with --column %s=NAME",
	       names_of((enum column)miss, names, sizeof(names)), column_names[miss].name,
	       column_names[miss].name);
	if (miss == COL_TRACK)
		append(buf, n, &at,
		       ", or give --track NAME (or --track-from-filename) for a file "
		       "of one track");
	else if (miss == COL_ALBUM)
		append(buf, n, &at,
		       ", give --album NAME for the whole file, or give a catalog "
		       "(--catalog) to supply albums");
	else if (miss == COL_DATE)
		append(buf, n, &at, ", or give --date DATE for a file of one day's totals");
}

/* A konst role the file has a column for: the column wins, and that is said. */
static void drop_unused_constants(struct ingest *in, uint64_t line)
{
	static const char *const opt_name[NCOLUMNS] = {
		[COL_TRACK] = "--track", [COL_ALBUM] = "--album", [COL_ARTIST] = "--artist"};
	char q[SS_QUOTE_MAX];

	for (int c = 0; c < NCOLUMNS; c++) {
		if (!in->konst[c] || in->col[c] < 0)
			continue;
		problem(in, SS_P_OPTION_UNUSED, line,
			"%s %s is not used for this file: it has the column '%s' (field %d); give "
			"the option before the files without one only",
			c == COL_TRACK && in->track_from_name ? "--track-from-filename"
							      : opt_name[c],
			ss_quote_name(q, sizeof(q), in->konst[c], in->konstlen[c]),
			col_label_raw(in, (enum column)c), in->col[c] + 1);
		in->konst[c] = NULL;
	}
	/* the dates given for a whole file: --date, --release-date */
	const struct {
		const char *name;
		int has;
		int32_t day;
		enum column col;
	} dates[] = {
		{"--date", in->opt && in->opt->has_date, in->opt ? in->opt->date : 0, COL_DATE},
		{"--release-date", in->opt && in->opt->has_release_date,
		 in->opt ? in->opt->release_date : 0, COL_RELEASE}};
	for (size_t k = 0; k < sizeof(dates) / sizeof(dates[0]); k++) {
		char d[SS_DATE_LEN + 1];

		if (in->is_catalog || !dates[k].has || in->col[dates[k].col] < 0)
			continue;
		ss_date_format(dates[k].day, d);
		problem(in, SS_P_OPTION_UNUSED, line,
			"%s %s is not used for this file: it has the column '%s' (field %d); "
			"give the option before the files without one only",
			dates[k].name, d, col_label_raw(in, dates[k].col),
			in->col[dates[k].col] + 1);
	}
}

static void resolve_wide(struct ingest *in, const struct ss_csv_row *row);

/*
 * Check the header once it is read; a file without what it needs is fatal.
 * A data file without albums gets the catalog's tracks indexed by name.
 */
static void check_header(struct ingest *in, const struct ss_csv_row *row)
{
	int miss;
	uint64_t line = row->line;
	char how[600] = "";
	const struct ss_ingest_options *opt = in->is_catalog ? NULL : in->opt;

	if (in->fatal)
		return; /* two columns for one field */
	drop_unused_constants(in, line);
	if (in->track_from_name && in->konst[COL_TRACK])
		problem(in, SS_P_INPUT_FORMAT, line,
			"track %s: the file's name (--track-from-filename)",
			ss_quote_name(how, sizeof(how), in->konst[COL_TRACK],
				      in->konstlen[COL_TRACK]));
	for (int c = 0; opt && c < SS_INGEST_FIELDS; c++) {
		if (!opt->column[c] || in->col[c] >= 0 || (opt->wide && c != COL_DATE))
			continue;
		in->fatal = 1;
		problem(in, SS_P_MISSING_COLUMN, line,
			"--column %s=%s: the header has no column '%s' (header: %s); give the "
			"name as the header spells it",
			column_names[c].name, opt->column[c], opt->column[c], in->header_text);
		return;
	}
	miss = missing_column(in);
	if (miss < 0) {
		if (!in->is_catalog && !has(in, COL_ALBUM))
			index_catalog_tracks(in);
		if (opt && opt->wide)
			resolve_wide(in, row);
		return;
	}
	/* a catalog given as a data file has no dates or counts, but its own
	 * columns: say how to give it */
	int catalog_like = !in->is_catalog && in->col[COL_DATE] < 0 && in->col[COL_STREAMS] < 0 &&
			   in->col[COL_TOTAL] < 0 &&
			   (in->col[COL_ALBUM_RELEASE] >= 0 || in->col[COL_COUNTS] >= 0);
	in->fatal = 1;
	if (catalog_like)
		snprintf(how, sizeof(how), "; it looks like a catalog: give it with --catalog");
	else
		how_to_supply(in, miss, how, sizeof(how));
	problem(in, SS_P_MISSING_COLUMN, line, "missing required column '%s' (header: %s)%s",
		miss == COL_STREAMS ? "streams' or 'total" : column_names[miss].name,
		in->header_text, how);
}

static const char *field(const struct ss_csv_row *row, int col, size_t *len)
{
	const char *s;

	if (col < 0 || (size_t)col >= row->nkept) {
		*len = 0;
		return "";
	}
	s = row->field[col];
	*len = row->len[col];
	trim(&s, len);
	return s;
}

/* The column of role as the header spells it (say, 'track_release_date'). */
static const char *col_label(const struct ingest *in, enum column role)
{
	return col_label_raw(in, role);
}

/* The row's value of role: its field, or the one given for the whole file. */
static const char *value(const struct ingest *in, const struct ss_csv_row *row, enum column role,
			 size_t *len)
{
	if (in->col[role] < 0 && in->konst[role]) {
		*len = in->konstlen[role];
		return in->konst[role];
	}
	return field(row, in->col[role], len);
}

/* Keep the first example of a conversion made (for its note), and count it. */
static void note_example(uint64_t *count, uint64_t *line, char *example, uint64_t at, const char *s,
			 size_t len)
{
	if ((*count)++ == 0) {
		*line = at;
		ss_quote(example, SS_QUOTE_MAX, s, len);
	}
}

/* Parse the date in the column of role; on failure log kind and return -1. */
static int parse_date(struct ingest *in, const struct ss_csv_row *row, enum column role,
		      enum ss_problem_kind kind, int32_t *day)
{
	size_t len;
	const char *s;
	enum ss_date_result r;
	int timed = 0;
	char q[SS_QUOTE_MAX], hint[400];

	if (in->col[role] < 0 && role == COL_DATE && in->opt && in->opt->has_date) {
		*day = in->opt->date;
		return 0;
	}
	s = field(row, in->col[role], &len);
	if (in->have_last_date && len == in->last_date_len && memcmp(s, in->last_date, len) == 0) {
		*day = in->last_day;
		if (in->last_date_timed)
			note_example(&in->ntimes, &in->time_line, in->time_example, row->line, s,
				     len);
		return 0;
	}
	r = ss_date_parse_as(in->date_fmt, s, len, day, &timed);
	if (r == SS_DATE_OK) {
		if (len <= sizeof(in->last_date)) {
			memcpy(in->last_date, s, len);
			in->last_date_len = len;
			in->last_day = *day;
			in->last_date_timed = timed;
			in->have_last_date = 1;
		}
		if (timed)
			note_example(&in->ntimes, &in->time_line, in->time_example, row->line, s,
				     len);
		return 0;
	}
	if (r == SS_DATE_EMPTY) {
		problem(in, kind, row->line, "column '%s' is empty", col_label(in, role));
		return -1;
	}
	ss_quote(q, sizeof(q), s, len);
	if (r == SS_DATE_INVALID && in->date_fmt)
		problem(in, kind, row->line,
			"column '%s': %s is not a valid date read as %s (--date-format %s)%s",
			col_label(in, role), q, in->date_fmt->form, in->date_fmt->spec,
			ss_date_hint(in->date_fmt, s, len, hint, sizeof(hint)));
	else if (r == SS_DATE_SYNTAX && in->date_fmt)
		problem(in, kind, row->line,
			"column '%s': %s is not a date in the form %s (--date-format %s)%s",
			col_label(in, role), q, in->date_fmt->form, in->date_fmt->spec,
			ss_date_hint(in->date_fmt, s, len, hint, sizeof(hint)));
	else
		problem(in, kind, row->line, "column '%s': %s %s%s", col_label(in, role), q,
			ss_date_error(r),
			r == SS_DATE_SYNTAX || r == SS_DATE_INVALID
				? ss_date_hint(in->date_fmt, s, len, hint, sizeof(hint))
				: "");
	return -1;
}

/*
 * Parse the count in field col (labelled label in messages): 1 when there is
 * one, 0 when the column is absent or empty, -1 (logged) when it is not a
 * count.
 */
static int parse_count_at(struct ingest *in, const struct ss_csv_row *row, int col,
			  const char *label, int64_t *v)
{
	size_t len;
	const char *s;
	enum ss_count_result r;
	int zero;
	char q[SS_QUOTE_MAX], hint[200];

	if (col < 0)
		return 0;
	s = field(row, col, &len);
	r = ss_count_parse_as(s, len, in->thousands, v, &zero);
	if (r == SS_COUNT_OK) {
		if (zero && in->nfracs == 0)
			snprintf(in->frac_column, sizeof(in->frac_column), "%s", label);
		if (zero)
			note_example(&in->nfracs, &in->frac_line, in->frac_example, row->line, s,
				     len);
		return 1;
	}
	if (r == SS_COUNT_EMPTY)
		return 0;
	ss_quote(q, sizeof(q), s, len);
	ss_count_hint(s, len, in->thousands, hint, sizeof(hint));
	if (in->thousands && r != SS_COUNT_NEGATIVE &&
	    (r == SS_COUNT_FORMAT || memchr(s, in->thousands, len)))
		problem(in, SS_P_BAD_COUNT, row->line,
			"column '%s': %s is not a whole number in groups of three digits separated "
			"by '%c' (--thousands %c)%s",
			label, q, in->thousands, in->thousands, hint);
	else
		problem(in, SS_P_BAD_COUNT, row->line, "column '%s': %s %s%s", label, q,
			ss_count_error(r), hint);
	return -1;
}

static int parse_count(struct ingest *in, const struct ss_csv_row *row, enum column role,
		       int64_t *v)
{
	return parse_count_at(in, row, in->col[role], col_label(in, role), v);
}

/* Record a release date; the stronger source wins, equal ones must agree. */
static void set_release(struct ingest *in, int is_album, uint32_t id, int32_t day,
			enum ss_date_source src, uint64_t line)
{
	struct ss_dataset *ds = in->ds;
	int32_t *have;
	uint8_t *have_src, *warned;
	uint32_t *src_file;
	uint64_t *src_line;
	char a[SS_DATE_LEN + 1], b[SS_DATE_LEN + 1], who[SS_DESCRIBE_MAX];

	if (is_album) {
		struct ss_album *al = &ds->albums[id];

		have = &al->release, have_src = &al->release_src, warned = &al->warned;
		src_file = &al->src_file, src_line = &al->src_line;
	} else {
		struct ss_track *t = &ds->tracks[id];

		have = &t->release, have_src = &t->release_src, warned = &t->warned;
		src_file = &t->src_file, src_line = &t->src_line;
	}
	if (*have_src == SS_SRC_NONE || src < *have_src) {
		*have = day;
		*have_src = (uint8_t)src;
		*src_file = in->file;
		*src_line = line;
		return;
	}
	if (*have == day || *warned)
		return;
	*warned = 1;
	ss_date_format(day, a);
	ss_date_format(*have, b);
	if (is_album)
		ss_describe_album(ds, id, who, sizeof(who));
	else
		ss_describe_track(ds, id, who, sizeof(who));
	char at[SS_DESCRIBE_MAX + 40];
	if (*src_line)
		snprintf(at, sizeof(at), "at %s:%llu", ds->files[*src_file].path,
			 (unsigned long long)*src_line);
	else
		snprintf(at, sizeof(at), "by --release-date for %s", ds->files[*src_file].path);
	problem(in, SS_P_RELEASE_CONFLICT, line,
		"%s: release date %s disagrees with %s given %s; "
		"keeping %s",
		who, a, b, at, b);
}

/* --release-date, standing for the release_date column a data file lacks:
 * recorded at line 0 (the file, not a row), which the conflict message
 * names as the option. */
static void release_from_option(struct ingest *in, uint32_t track)
{
	set_release(in, 0, track, in->opt->release_date, SS_SRC_COLUMN, 0);
}

/* Optional release-date columns: a bad value is a warning, not a lost row.
 * --release-date stands for a release_date column the file lacks. */
static void row_release_dates(struct ingest *in, const struct ss_csv_row *row, uint32_t album,
			      uint32_t track, enum ss_date_source src)
{
	static const enum column roles[2] = {COL_ALBUM_RELEASE, COL_RELEASE};
	int32_t day;
	size_t len;

	for (int k = 0; k < 2; k++) {
		if (in->col[roles[k]] < 0 && roles[k] == COL_RELEASE && !in->is_catalog &&
		    in->opt && in->opt->has_release_date) {
			release_from_option(in, track);
			continue;
		}
		if (in->col[roles[k]] < 0)
			continue;
		(void)field(row, in->col[roles[k]], &len);
		if (len == 0)
			continue;
		if (parse_date(in, row, roles[k], SS_P_BAD_RELEASE_DATE, &day) == 0)
			set_release(in, k == 0, k == 0 ? album : track, day, src, row->line);
	}
}

/* The row's artist id, or SS_NONE when it names none. */
static uint32_t row_artist(struct ingest *in, const struct ss_csv_row *row)
{
	size_t len;
	const char *s;

	if (!has(in, COL_ARTIST))
		return SS_NONE;
	s = value(in, row, COL_ARTIST, &len);
	if (len == 0)
		return SS_NONE;
	if (in->last_artist_id != SS_NONE &&
	    ss_intern_is(&in->ds->artist_names, in->last_artist_id, s, len))
		return in->last_artist_id;
	in->last_artist_id = ss_dataset_artist(in->ds, s, len);
	return in->last_artist_id;
}

/* "'BTS', 'Other'": the artists of the albums from first on (those of one
 * title), for the ambiguity message. */
static const char *artists_of(const struct ss_dataset *ds, uint32_t first, char *buf, size_t n)
{
	size_t at = 0;
	char q[SS_QUOTE_MAX];

	buf[0] = '\0';
	for (uint32_t a = first; a != SS_NONE && at + 1 < n; a = ds->albums[a].next_title) {
		const char *w = ss_album_artist(ds, a);
		int k = snprintf(buf + at, n - at, "%s%s", at ? ", " : "",
				 *w ? ss_quote_name(q, sizeof(q), w, strlen(w)) : "no artist");
		at += k > 0 ? (size_t)k : 0;
	}
	return buf;
}

/*
 * Album id is new, by an artist, and an album of its title was met without
 * an artist and given another artist's name (ss_dataset_album()): the rows
 * that named it without an artist may have meant this one.  Said once, at
 * the first of them.
 */
static void warn_adopted(struct ingest *in, const struct ss_csv_row *row, uint32_t id)
{
	struct ss_dataset *ds = in->ds;
	const char *title = ss_album_name(ds, id);
	char q[SS_QUOTE_MAX], was[SS_QUOTE_MAX], now[SS_QUOTE_MAX];

	for (uint32_t b = ss_dataset_albums_titled(ds, title, strlen(title)); b != SS_NONE;
	     b = ds->albums[b].next_title) {
		struct ss_album *al = &ds->albums[b];
		const char *wa = ss_album_artist(ds, b), *na = ss_album_artist(ds, id);

		if (b == id || !al->adopted || al->warned_adopted || al->unnamed_file == SS_NONE)
			continue;
		al->warned_adopted = 1;
		ss_problems_add(&ds->problems, SS_P_ALBUM_ARTIST_ASSUMED, al->unnamed_file,
				al->unnamed_line,
				"album %s is named here without an artist and was taken to be %s's "
				"(the first artist given for it), but %s also has an album of that "
				"title (%s:%llu): give the album's artist in an 'artist' column",
				ss_quote_name(q, sizeof q, title, strlen(title)),
				ss_quote_name(was, sizeof was, wa, strlen(wa)),
				ss_quote_name(now, sizeof now, na, strlen(na)),
				ds->files[in->file].path, (unsigned long long)row->line);
	}
}

/* The album (artist, title) of a data or catalog row; SS_NONE (logged) when
 * it cannot be had.  *added says whether it is new. */
static uint32_t find_album(struct ingest *in, const struct ss_csv_row *row, const char *s,
			   size_t len, int *added)
{
	struct ss_dataset *ds = in->ds;
	uint32_t artist = row_artist(in, row), id;
	char q[SS_QUOTE_MAX], who[2 * SS_QUOTE_MAX];

	*added = 0;
	if (in->last_album_id != SS_NONE &&
	    ss_intern_is(&ds->album_names, in->last_album_id, s, len) &&
	    (ds->albums[in->last_album_id].artist == artist ||
	     (artist == SS_NONE && in->last_album_by_title)))
		return in->last_album_id;
	in->last_album_by_title = artist == SS_NONE;
	switch (ss_dataset_album(ds, artist, s, len, &id)) {
	case SS_ALBUM_ADDED:
		*added = 1;
		if (artist != SS_NONE)
			warn_adopted(in, row, id);
		break;
	case SS_ALBUM_FOUND:
		break;
	case SS_ALBUM_AMBIGUOUS:
		problem(in, SS_P_AMBIGUOUS_ALBUM, row->line,
			"album %s is by several artists (%s) and this row names none; give the "
			"album's artist in an 'artist' column",
			ss_quote_name(q, sizeof(q), s, len), artists_of(ds, id, who, sizeof(who)));
		in->last_album_id = SS_NONE;
		return SS_NONE;
	case SS_ALBUM_LIMIT:
		problem(in, SS_P_LIMIT, row->line, "too many distinct albums");
		return SS_NONE;
	}
	if (artist == SS_NONE && ds->albums[id].unnamed_file == SS_NONE) {
		ds->albums[id].unnamed_file = in->file;
		ds->albums[id].unnamed_line = row->line;
	}
	in->last_album_id = id;
	return id;
}

/* The album of a data row; SS_NONE (logged) when it cannot be had. */
static uint32_t row_album(struct ingest *in, const struct ss_csv_row *row, const char *track,
			  size_t tlen)
{
	struct ss_dataset *ds = in->ds;
	const char *s;
	size_t len;
	uint32_t id;
	int added;
	char q[SS_QUOTE_MAX], who[SS_DESCRIBE_MAX];

	if (!has(in, COL_ALBUM)) {
		uint32_t n = ss_intern_find(&in->by_name, SS_NONE, track, tlen);

		if (n == SS_NONE) {
			problem(in, SS_P_UNKNOWN_TRACK, row->line,
				"track %s is not in the catalog, and the file has no 'album' "
				"column",
				ss_quote_name(q, sizeof(q), track, tlen));
			return SS_NONE;
		}
		if (in->by_name_track[n] == SS_NONE) {
			problem(in, SS_P_UNKNOWN_TRACK, row->line,
				"track %s is on several albums in the catalog; add an 'album' "
				"column",
				ss_quote_name(q, sizeof(q), track, tlen));
			return SS_NONE;
		}
		return ds->tracks[in->by_name_track[n]].album;
	}
	s = value(in, row, COL_ALBUM, &len);
	if (len == 0) {
		problem(in, SS_P_EMPTY_NAME, row->line, "column 'album' is empty");
		return SS_NONE;
	}
	id = find_album(in, row, s, len, &added);
	if (id != SS_NONE && added && in->catalog)
		problem(in, SS_P_NOT_IN_CATALOG, row->line, "%s is not in the catalog %s",
			ss_describe_album(ds, id, who, sizeof(who)), in->catalog);
	return id;
}

/* Remember that track id followed the previous row's track. */
static void learn_order(struct ingest *in, uint32_t id)
{
	uint32_t prev = in->prev_track;

	in->prev_track = id;
	if (prev == SS_NONE)
		return;
	if (prev >= in->hintcap) {
		size_t old = in->hintcap;

		xgrow(&in->hint, &in->hintcap, (size_t)prev + 1, sizeof(*in->hint));
		for (size_t i = old; i < in->hintcap; i++)
			in->hint[i] = SS_NONE;
	}
	in->hint[prev] = id;
}

static uint32_t row_track(struct ingest *in, const struct ss_csv_row *row, uint32_t album,
			  const char *s, size_t len)
{
	struct ss_dataset *ds = in->ds;
	uint32_t id;
	int added;
	char q[SS_DESCRIBE_MAX];

	if (in->prev_track != SS_NONE && in->prev_track < in->hintcap) {
		uint32_t c = in->hint[in->prev_track];

		if (c != SS_NONE && ds->tracks[c].album == album &&
		    ss_intern_is(&ds->track_names, c, s, len)) {
			in->prev_track = c;
			return c;
		}
	}
	id = ss_dataset_track(ds, album, s, len, &added);
	if (id == SS_NONE) {
		problem(in, SS_P_LIMIT, row->line, "too many distinct tracks");
		return SS_NONE;
	}
	learn_order(in, id);
	if (added && ds->albums[album].in_catalog)
		problem(in, SS_P_NOT_IN_CATALOG, row->line,
			"%s is not in the catalog; it counts as one of the album's tracks",
			ss_describe_track(ds, id, q, sizeof(q)));
	return id;
}

/* The bound column as observation flags: 0, AT_LEAST, or AT_LEAST|CROSSED. */
static int parse_bound(struct ingest *in, const struct ss_csv_row *row, unsigned *flags)
{
	size_t len;
	const char *s = field(row, in->col[COL_BOUND], &len);
	char q[SS_QUOTE_MAX];

	*flags = 0;
	if (len == 0 || name_matches(s, len, "exact"))
		return 0;
	if (name_matches(s, len, "at_least") || name_matches(s, len, "at-least")) {
		*flags = SS_OBS_AT_LEAST;
		return 0;
	}
	if (name_matches(s, len, "crossed")) {
		*flags = SS_OBS_AT_LEAST | SS_OBS_CROSSED;
		return 0;
	}
	problem(in, SS_P_BAD_BOUND, row->line,
		"column 'bound': %s is not 'exact', 'at_least' or 'crossed'",
		ss_quote(q, sizeof(q), s, len));
	return -1;
}

/*
 * What every data row starts with, long or wide: its field count, its date,
 * and the --as-of cut.  1: go on with *day; 0: after --as-of (counted);
 * -1: skip the row (the problem logged).
 */
static int row_day(struct ingest *in, const struct ss_csv_row *row, int32_t *day)
{
	if (row->nfields != in->ncols) {
		problem(in, SS_P_FIELD_COUNT, row->line, "expected %zu fields, got %zu", in->ncols,
			row->nfields);
		return -1;
	}
	if (parse_date(in, row, COL_DATE, SS_P_BAD_DATE, day) < 0)
		return -1;
	if (in->opt && in->opt->has_as_of && *day > in->opt->as_of) {
		file_of(in)->after_as_of++;
		return 0;
	}
	return 1;
}

/* One data row: an observation, or a logged reason why not. */
static void data_row(struct ingest *in, const struct ss_csv_row *row)
{
	struct ss_dataset *ds = in->ds;
	struct ss_file *f = file_of(in);
	int32_t day;
	int64_t streams = 0, total = 0;
	int has_streams, has_total;
	unsigned bound = 0;
	const char *track;
	size_t tlen;
	uint32_t album, id;
	struct ss_obs *o;

	int go = row_day(in, row, &day);
	if (go < 0)
		goto skip;
	if (go == 0)
		return;
	has_streams = parse_count(in, row, COL_STREAMS, &streams);
	if (has_streams < 0)
		goto skip;
	has_total = parse_count(in, row, COL_TOTAL, &total);
	if (has_total < 0)
		goto skip;
	if (!has_streams && !has_total) {
		problem(in, SS_P_NO_COUNT, row->line, "no count: %s empty",
			in->col[COL_STREAMS] >= 0 && in->col[COL_TOTAL] >= 0
				? "both 'streams' and 'total' are"
				: (in->col[COL_TOTAL] >= 0 ? "'total' is" : "'streams' is"));
		goto skip;
	}
	if (in->col[COL_BOUND] >= 0 && parse_bound(in, row, &bound) < 0)
		goto skip;
	if (bound && !has_total) {
		problem(in, SS_P_BAD_BOUND, row->line,
			"column 'bound' is '%s' but 'total' is empty: a bound applies to the total",
			(bound & SS_OBS_CROSSED) ? "crossed" : "at_least");
		goto skip;
	}
	track = value(in, row, COL_TRACK, &tlen);
	if (tlen == 0) {
		problem(in, SS_P_EMPTY_NAME, row->line, "column 'track' is empty");
		goto skip;
	}
	album = row_album(in, row, track, tlen);
	if (album == SS_NONE)
		goto skip;
	id = row_track(in, row, album, track, tlen);
	if (id == SS_NONE)
		goto skip;
	ds->albums[album].in_data = 1;
	row_release_dates(in, row, album, id, SS_SRC_COLUMN);
	o = ss_dataset_append(ds);
	o->day = day;
	o->track = id;
	o->line = row->line > UINT32_MAX ? UINT32_MAX : (uint32_t)row->line;
	o->file = (uint16_t)in->file;
	o->flags = (uint16_t)((has_streams ? SS_OBS_STREAMS : 0) | (has_total ? SS_OBS_TOTAL : 0) |
			      bound);
	o->streams = streams;
	o->total = total;
	f->used++;
	return;
skip:
	f->skipped++;
}

/*
 * The wide table's track columns as tracks: of the album given for the file
 * (--album, --artist), else found by name in the catalog.  A column that
 * names no track, or the same track as an earlier one, is fatal: its cells
 * would have nowhere to go.
 */
/*
 * A wide table's "Grand Total" columns: a pivot's totals, left out, unless
 * the catalog has a track of that name (on the file's album, or by name when
 * the file names none), which the column then is.
 */
static void drop_pivot_totals(struct ingest *in, const struct ss_csv_row *row, uint32_t album)
{
	size_t kept = 0;

	for (size_t k = 0; k < in->nwide; k++) {
		struct wide_col w = in->wide[k];

		if (w.track == PIVOT_TRACK) {
			const char *name = row->field[w.field];
			size_t len = row->len[w.field];

			trim(&name, &len);
			int known = in->catalog &&
				    (album != SS_NONE ? ss_intern_find(&in->ds->track_names, album,
								       name, len) != SS_NONE
						      : ss_intern_find(&in->by_name, SS_NONE, name,
								       len) != SS_NONE);
			if (!known) { /* left out; the first is named */
				if (!in->npivot++)
					in->pivot_col = w.field + 1;
				continue;
			}
			w.track = SS_NONE;
		}
		in->wide[kept++] = w;
	}
	in->nwide = kept;
}

static void resolve_wide(struct ingest *in, const struct ss_csv_row *row)
{
	struct ss_dataset *ds = in->ds;
	const char *what = in->opt->values == SS_VALUES_STREAMS
				   ? "the day's streams (--values streams)"
				   : "a running total (--values total)";
	uint32_t album = SS_NONE;
	char q[SS_QUOTE_MAX], who[SS_DESCRIBE_MAX], list[256] = "";
	size_t at = 0;

	if (in->opt->values == SS_VALUES_UNSET) {
		in->fatal = 1;
		problem(in, SS_P_MISSING_COLUMN, row->line,
			"a wide table's cells are totals or daily streams: give --values total or "
			"--values streams");
		return;
	}
	if (has(in, COL_ALBUM)) {
		int added;

		album = find_album(in, row, in->konst[COL_ALBUM], in->konstlen[COL_ALBUM], &added);
		if (album == SS_NONE) {
			in->fatal = 1;
			return;
		}
		if (added && in->catalog)
			problem(in, SS_P_NOT_IN_CATALOG, row->line, "%s is not in the catalog %s",
				ss_describe_album(ds, album, who, sizeof(who)), in->catalog);
	} else if (!in->catalog) {
		in->fatal = 1;
		problem(in, SS_P_MISSING_COLUMN, row->line,
			"a wide table names no album: give --album NAME (and --artist NAME) for "
			"the whole file, or a catalog (--catalog) listing its tracks");
		return;
	}
	drop_pivot_totals(in, row, album);
	if (in->nwide == 0) {
		in->fatal = 1;
		problem(in, SS_P_MISSING_COLUMN, row->line,
			"a wide table has a column per track after the date, and this header has "
			"none%s (header: %s)",
			in->npivot ? " (a pivot's 'Grand Total' is not a track)" : "",
			in->header_text);
		return;
	}
	for (size_t k = 0; k < in->nwide; k++) {
		const char *name = row->field[in->wide[k].field];
		size_t len = row->len[in->wide[k].field];
		uint32_t t;

		trim(&name, &len);
		if (album != SS_NONE) {
			t = row_track(in, row, album, name, len);
		} else {
			uint32_t n = ss_intern_find(&in->by_name, SS_NONE, name, len);

			t = n == SS_NONE ? SS_NONE : in->by_name_track[n];
			if (t == SS_NONE) {
				in->fatal = 1;
				problem(in, SS_P_MISSING_COLUMN, row->line,
					"column %s (field %zu) is %s in the catalog: give --album "
					"NAME for the whole file, or list the track in the catalog",
					ss_quote_name(q, sizeof(q), name, len),
					in->wide[k].field + 1,
					n == SS_NONE ? "no track" : "on several albums");
				return;
			}
		}
		if (t == SS_NONE) {
			in->fatal = 1;
			return;
		}
		for (size_t j = 0; j < k; j++)
			if (in->wide[j].track == t) {
				in->fatal = 1;
				problem(in, SS_P_DUPLICATE_COLUMN, row->line,
					"column %s (fields %zu and %zu) is the same track twice; "
					"rename or remove one",
					ss_quote_name(q, sizeof(q), name, len),
					in->wide[j].field + 1, in->wide[k].field + 1);
				return;
			}
		in->wide[k].track = t;
		append(list, sizeof(list), &at, "%s%s", k ? ", " : "",
		       ss_quote_name(q, sizeof(q), name, len));
	}
	in->wide_value = xmalloc(in->nwide * sizeof(*in->wide_value));
	problem(in, SS_P_INPUT_FORMAT, row->line,
		"wide table: %zu track column%s (%s), each cell %s", in->nwide,
		in->nwide == 1 ? "" : "s", list, what);
	if (in->npivot)
		problem(in, SS_P_INPUT_FORMAT, row->line,
			"column %s (field %zu%s): a pivot table's totals of the tracks, not a "
			"track; left out (a track of that name would be listed in the catalog)",
			ss_quote_name(q, sizeof(q), row->field[in->pivot_col - 1],
				      row->len[in->pivot_col - 1]),
			in->pivot_col, in->npivot > 1 ? ", and others of that name" : "");
}

/* Whether a wide table's row is its pivot's totals: "Grand Total" for a date. */
static int pivot_total_row(const struct ingest *in, const struct ss_csv_row *row)
{
	char key[64];
	const char *s;
	size_t len;

	if (in->col[COL_DATE] < 0 || (size_t)in->col[COL_DATE] >= row->nkept)
		return 0;
	s = row->field[in->col[COL_DATE]];
	len = row->len[in->col[COL_DATE]];
	trim(&s, &len);
	return strcmp(normalize(s, len, key, sizeof(key)), PIVOT_TOTAL) == 0;
}

/* One row of a wide table: an observation per non-empty cell, or a logged
 * reason why none. */
static void wide_row(struct ingest *in, const struct ss_csv_row *row)
{
	struct ss_dataset *ds = in->ds;
	struct ss_file *f = file_of(in);
	int streams = in->opt->values == SS_VALUES_STREAMS;
	size_t n = 0;
	int32_t day;

	if (pivot_total_row(in, row)) { /* a sum of the rows above: skipped, said once */
		if (in->pivot_rows++ == 0)
			in->pivot_line = row->line;
		goto skip;
	}
	int go = row_day(in, row, &day);
	if (go < 0)
		goto skip;
	if (go == 0)
		return;
	for (size_t k = 0; k < in->nwide; k++) {
		int64_t v;
		int r = parse_count_at(in, row, (int)in->wide[k].field,
				       ss_track_name(ds, in->wide[k].track), &v);

		if (r < 0)
			goto skip;
		in->wide_value[k] = r ? v : -1;
		n += r;
	}
	if (n == 0) {
		problem(in, SS_P_NO_COUNT, row->line, "no count: every track's cell is empty");
		goto skip;
	}
	for (size_t k = 0; k < in->nwide; k++) {
		struct ss_obs *o;

		if (in->wide_value[k] < 0)
			continue;
		o = ss_dataset_append(ds);
		o->day = day;
		o->track = in->wide[k].track;
		o->line = row->line > UINT32_MAX ? UINT32_MAX : (uint32_t)row->line;
		o->file = (uint16_t)in->file;
		o->flags = streams ? SS_OBS_STREAMS : SS_OBS_TOTAL;
		o->streams = streams ? in->wide_value[k] : 0;
		o->total = streams ? 0 : in->wide_value[k];
		ds->albums[ds->tracks[o->track].album].in_data = 1;
		if (in->opt->has_release_date)
			release_from_option(in, o->track);
	}
	f->used++;
	return;
skip:
	f->skipped++;
}

static int parse_yes_no(const char *s, size_t len, int *yes)
{
	static const char *const yes_words[] = {"yes", "y", "true", "1"};
	static const char *const no_words[] = {"no", "n", "false", "0"};

	if (len == 0) {
		*yes = 1;
		return 0;
	}
	for (size_t i = 0; i < 4; i++) {
		if (name_matches(s, len, yes_words[i])) {
			*yes = 1;
			return 0;
		}
		if (name_matches(s, len, no_words[i])) {
			*yes = 0;
			return 0;
		}
	}
	return -1;
}

/* One catalog row: an album and track with their dates and counting. */
static void catalog_row(struct ingest *in, const struct ss_csv_row *row)
{
	struct ss_dataset *ds = in->ds;
	struct ss_file *f = file_of(in);
	const char *album, *track, *counts;
	size_t alen, tlen, clen;
	uint32_t a, t;
	int yes = 1, added;
	char q[SS_DESCRIBE_MAX + SS_QUOTE_MAX];

	if (row->nfields != in->ncols) {
		problem(in, SS_P_FIELD_COUNT, row->line, "expected %zu fields, got %zu", in->ncols,
			row->nfields);
		goto skip;
	}
	album = field(row, in->col[COL_ALBUM], &alen);
	track = field(row, in->col[COL_TRACK], &tlen);
	if (alen == 0 || tlen == 0) {
		problem(in, SS_P_CATALOG_ROW, row->line, "column '%s' is empty",
			alen == 0 ? "album" : "track");
		goto skip;
	}
	counts = field(row, in->col[COL_COUNTS], &clen);
	if (parse_yes_no(counts, clen, &yes) < 0) {
		problem(in, SS_P_CATALOG_ROW, row->line, "column 'counts': %s is not 'yes' or 'no'",
			ss_quote(q, sizeof(q), counts, clen));
		goto skip;
	}
	a = find_album(in, row, album, alen, &added);
	if (a == SS_NONE)
		goto skip;
	t = ss_dataset_track(ds, a, track, tlen, &added);
	if (t == SS_NONE) {
		problem(in, SS_P_LIMIT, row->line, "too many distinct tracks");
		goto skip;
	}
	if (!ds->albums[a].in_catalog) {
		ds->albums[a].in_catalog = 1;
		ds->albums[a].cat_file = in->file;
		ds->albums[a].cat_line = row->line;
	}
	if (!ds->tracks[t].in_catalog) {
		ds->tracks[t].in_catalog = 1;
		ds->tracks[t].cat_file = in->file;
		ds->tracks[t].cat_line = row->line;
	}
	if (!added && ds->tracks[t].counts != yes)
		problem(in, SS_P_CATALOG_CONFLICT, row->line,
			"%s is listed again with counts=%s; keeping the first, counts=%s",
			ss_describe_track(ds, t, q, sizeof(q)), yes ? "yes" : "no",
			yes ? "no" : "yes");
	else
		ds->tracks[t].counts = (uint8_t)yes;
	row_release_dates(in, row, a, t, SS_SRC_CATALOG);
	f->used++;
	return;
skip:
	f->skipped++;
}

/* A row of empty fields only (",,,", as spreadsheets write below the data). */
static int blank_row(const struct ss_csv_row *row)
{
	for (size_t i = 0; i < row->nkept; i++) {
		const char *s = row->field[i];
		size_t len = row->len[i];

		trim(&s, &len);
		if (len)
			return 0;
	}
	return row->nkept == row->nfields;
}

static void on_row(void *arg, const struct ss_csv_row *row)
{
	struct ingest *in = arg;
	struct ss_file *f = file_of(in);

	if (blank_row(row)) {
		if (in->blank_rows++ == 0)
			in->first_blank = row->line;
		return;
	}
	if (!in->have_header) {
		in->have_header = 1;
		if (row->index == in->blank_rows) {
			header(in, row);
			check_header(in, row);
			return;
		}
		/* The header line itself was lost (csvread logged why). */
		in->header_lost = 1;
		in->fatal = 1;
	}
	f->rows++;
	if (in->fatal) {
		f->skipped++;
		return;
	}
	if (in->is_catalog)
		catalog_row(in, row);
	else if (in->opt && in->opt->wide)
		wide_row(in, row);
	else
		data_row(in, row);
}

/* Track names -> track ids from the catalog, for data without albums. */
static void index_catalog_tracks(struct ingest *in)
{
	struct ss_dataset *ds = in->ds;
	size_t n = ss_dataset_ntracks(ds);

	ss_intern_init(&in->by_name);
	in->by_name_track = xmalloc((n ? n : 1) * sizeof(*in->by_name_track));
	for (size_t t = 0; t < n; t++) {
		int added;
		const char *name = ss_track_name(ds, (uint32_t)t);
		uint32_t id;

		if (!ds->tracks[t].in_catalog)
			continue; /* a track only earlier data files know of */
		id = ss_intern_add(&in->by_name, SS_NONE, name, strlen(name), &added);
		in->by_name_track[id] = added ? (uint32_t)t : SS_NONE;
	}
}

/* The first catalog that could be read, or NULL. */
static const char *first_catalog(const struct ss_dataset *ds)
{
	for (size_t f = 0; f < ds->nfiles; f++)
		if (ds->files[f].is_catalog && !ds->files[f].fatal)
			return ds->files[f].path;
	return NULL;
}

/* After reading: count lost rows, and say what made the file unusable. */
static void settle_file(struct ingest *in, const struct ss_csv_stats *st)
{
	struct ss_dataset *ds = in->ds;
	struct ss_file *f = file_of(in);
	/* csvread numbers rows from 0, lost ones included: a lost row 0 was the header. */
	int header_lost = in->header_lost || (!in->have_header && st->lost_rows);
	uint64_t lost = st->lost_rows - (uint64_t)header_lost;

	f->bytes = st->bytes;
	f->lines = st->lines;
	f->rows += lost;
	f->skipped += lost;
	if (in->pivot_rows)
		ss_problems_add(&ds->problems, SS_P_INPUT_FORMAT, in->file, in->pivot_line,
				"%llu row%s of a pivot table's totals ('Grand Total' for a date), "
				"the sums of the rows above: skipped",
				(unsigned long long)in->pivot_rows, in->pivot_rows == 1 ? "" : "s");
	if (in->blank_rows)
		ss_problems_add(&ds->problems, SS_P_INPUT_FORMAT, in->file, in->first_blank,
				"%llu row%s of empty fields only (as spreadsheets leave below the "
				"data) read as blank lines",
				(unsigned long long)in->blank_rows, in->blank_rows == 1 ? "" : "s");
	if (in->ntimes)
		ss_problems_add(&ds->problems, SS_P_INPUT_FORMAT, in->file, in->time_line,
				"%llu date%s with a time at midnight, such as %s: the time is "
				"left out",
				(unsigned long long)in->ntimes, in->ntimes == 1 ? "" : "s",
				in->time_example);
	if (in->nfracs)
		ss_problems_add(
			&ds->problems, SS_P_INPUT_FORMAT, in->file, in->frac_line,
			"%llu count%s with a zero fraction, such as %s in column '%s', read "
			"as whole numbers",
			(unsigned long long)in->nfracs, in->nfracs == 1 ? "" : "s",
			in->frac_example, in->frac_column);
	if (st->binary) {
		f->fatal = 1;
	} else if (header_lost) {
		f->fatal = 1;
		if (f->rows)
			ss_problems_add(&ds->problems, SS_P_BAD_HEADER, in->file, 1,
					"the header row could not be read, so no row can be (%llu "
					"skipped)",
					(unsigned long long)f->rows);
		else
			ss_problems_add(&ds->problems, SS_P_BAD_HEADER, in->file, 1,
					"the header row could not be read");
	} else if (!in->have_header) {
		f->fatal = 1;
		ss_problems_add(&ds->problems, SS_P_EMPTY_FILE, in->file, 0,
				"empty file: expected a header row naming the columns");
	} else if (!in->fatal && f->rows == 0) {
		ss_problems_add(&ds->problems, SS_P_HEADER_ONLY, in->file, 1,
				"header only: the file has no data rows");
	}
	if (in->fatal)
		f->fatal = 1;
}

/* The file's base name without its extension, allocated ("Rainy Days" for
 * "exports/Rainy Days.csv"). */
static char *base_name(const char *path)
{
	const char *b = strrchr(path, '/'), *dot;

	b = b ? b + 1 : path;
	dot = strrchr(b, '.');
	if (!dot || dot == b)
		dot = b + strlen(b);
	return xstrndup(b, (size_t)(dot - b));
}

/* Set role for the whole file to s, when s is given and not empty. */
static void set_konst(struct ingest *in, enum column role, const char *s)
{
	if (s && *s) {
		in->konst[role] = s;
		in->konstlen[role] = strlen(s);
	}
}

static enum ss_status read_file(struct ss_dataset *ds, const char *path, int is_catalog,
				const struct ss_ingest_options *opt, struct ss_error *err)
{
	struct ingest in;
	struct ss_csv_stats st;
	struct ss_csv_options co = {0};
	enum ss_status status;
	int is_stdin = strcmp(path, SS_CSV_STDIN) == 0;
	uint32_t file = ss_dataset_add_file(ds, is_stdin ? SS_STDIN_NAME : path, is_catalog);

	if (file == SS_NONE)
		return ss_error_set(err, SS_ERR_LIMIT, path, 0, "too many input files (at most %d)",
				    SS_FILES_MAX);
	memset(&in, 0, sizeof(in));
	in.ds = ds;
	in.opt = opt;
	in.file = file;
	in.is_catalog = is_catalog;
	in.last_album_id = SS_NONE;
	in.last_artist_id = SS_NONE;
	in.prev_track = SS_NONE;
	in.stats = &st;
	ds->files[file].is_stdin = is_stdin;
	if (!is_catalog)
		in.catalog = first_catalog(ds);
	if (!is_catalog && opt) {
		co.delimiter = opt->delimiter;
		in.thousands = opt->thousands;
		in.date_fmt = opt->has_date_fmt ? &opt->date_fmt : NULL;
		if (opt->track_from_filename && !is_stdin)
			in.track_from_name = base_name(path);
		if (!opt->wide) {
			set_konst(&in, COL_TRACK,
				  in.track_from_name ? in.track_from_name : opt->track);
			set_konst(&in, COL_ALBUM, opt->album);
		} else {
			set_konst(&in, COL_ALBUM, opt->album);
		}
		set_konst(&in, COL_ARTIST, opt->artist);
	}

	status = ss_csv_read_as(path, &co, file, &ds->problems, on_row, &in, &st, err);
	if (status == SS_OK) {
		settle_file(&in, &st);
	} else {
		/* Logged with the data problems, so that it is listed in order. */
		ds->files[file].fatal = 1;
		ss_problems_add(&ds->problems,
				status == SS_ERR_NOINPUT ? SS_P_CANNOT_OPEN : SS_P_READ_ERROR, file,
				err->line, "%s", err->msg);
	}
	ss_intern_release(&in.by_name);
	free(in.by_name_track);
	free(in.hint);
	free(in.track_from_name);
	free(in.wide);
	free(in.wide_value);
	return status;
}

enum ss_status ss_ingest_catalog(struct ss_dataset *ds, const char *path, struct ss_error *err)
{
	return read_file(ds, path, 1, NULL, err);
}

enum ss_status ss_ingest_file(struct ss_dataset *ds, const char *path,
			      const struct ss_ingest_options *opt, struct ss_error *err)
{
	return read_file(ds, path, 0, opt, err);
}

void ss_ingest_finish(struct ss_dataset *ds)
{
	int data_files = 0;
	char who[SS_DESCRIBE_MAX];

	for (size_t f = 0; f < ds->nfiles; f++)
		if (!ds->files[f].is_catalog)
			data_files = 1;
	if (!data_files)
		return;
	for (size_t a = 0; a < ss_dataset_nalbums(ds); a++) {
		const struct ss_album *al = &ds->albums[a];

		if (al->in_catalog && !al->in_data)
			ss_problems_add(&ds->problems, SS_P_CATALOG_NO_DATA, al->cat_file,
					al->cat_line,
					"%s is in the catalog but no data file has a row for it",
					ss_describe_album(ds, (uint32_t)a, who, sizeof(who)));
	}
}
