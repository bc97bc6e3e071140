/*
 * ingest.c - history files and catalogs into a dataset.
 *
 * Each file goes through csvread.c row by row.  The header maps column
 * names to roles; every later row is checked field by field, and the first
 * problem found in a row is logged and the row skipped.  Names are interned
 * (with a one-entry cache: consecutive rows often share album and track).
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

static const struct {
	const char *name;
	const char *alias;
} column_names[NCOLUMNS] = {
	[COL_DATE] = {"date", NULL},
	[COL_TRACK] = {"track", NULL},
	[COL_ALBUM] = {"album", NULL},
	[COL_ARTIST] = {"artist", NULL},
	[COL_STREAMS] = {"streams", NULL},
	[COL_TOTAL] = {"total", NULL},
	[COL_BOUND] = {"bound", NULL},
	[COL_RELEASE] = {"release_date", "track_release_date"},
	[COL_ALBUM_RELEASE] = {"album_release_date", NULL},
	[COL_COUNTS] = {"counts", NULL},
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

	/* Data without an album column: track name -> track id, from the catalog. */
	struct ss_intern by_name;
	uint32_t *by_name_track; /* SS_NONE when the name is in several albums */

	/* Caches for date-major input, where each day repeats the same tracks
	 * in the same order: the last date parsed, the last album, and per
	 * track the track that followed it last time. */
	char last_date[SS_DATE_LEN];
	int32_t last_day;
	int have_last_date;
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
	char buf[512];
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

static void header(struct ingest *in, const struct ss_csv_row *row)
{
	unsigned allowed = in->is_catalog ? catalog_columns : data_columns;
	char unknown[256] = "";
	size_t ulen = 0, hlen = 0;

	in->have_header = 1;
	in->ncols = row->nfields;
	for (int c = 0; c < NCOLUMNS; c++)
		in->col[c] = -1;
	for (size_t i = 0; i < row->nkept; i++) {
		int role = -1;

		hlen += (size_t)snprintf(
			in->header_text + hlen,
			hlen < sizeof(in->header_text) ? sizeof(in->header_text) - hlen : 0, "%s%s",
			i ? "," : "", row->field[i]);
		if (hlen >= sizeof(in->header_text))
			hlen = sizeof(in->header_text) - 1;
		for (int c = 0; c < NCOLUMNS && role < 0; c++) {
			if (!(allowed & (1u << c)))
				continue;
			if (name_matches(row->field[i], row->len[i], column_names[c].name) ||
			    (column_names[c].alias &&
			     name_matches(row->field[i], row->len[i], column_names[c].alias)))
				role = c;
		}
		if (role < 0) {
			ulen += (size_t)snprintf(
				unknown + ulen, ulen < sizeof(unknown) ? sizeof(unknown) - ulen : 0,
				"%s'%s'", ulen ? ", " : "", row->field[i]);
			if (ulen >= sizeof(unknown))
				ulen = sizeof(unknown) - 1;
		} else if (in->col[role] >= 0) {
			problem(in, SS_P_DUPLICATE_COLUMN, row->line,
				"column '%s' appears twice (fields %d and %zu); using field %d",
				column_names[role].name, in->col[role] + 1, i + 1,
				in->col[role] + 1);
		} else {
			const char *name = row->field[i];
			size_t len = row->len[i];

			in->col[role] = (int)i;
			trim(&name, &len);
			snprintf(in->colname[role], sizeof(in->colname[role]), "%.*s", (int)len,
				 name);
		}
	}
	if (ulen)
		problem(in, SS_P_UNKNOWN_COLUMNS, row->line, "ignoring unknown column%s %s",
			strchr(unknown, ',') ? "s" : "", unknown);
}

static const char *missing_column(struct ingest *in)
{
	if (in->col[COL_TRACK] < 0)
		return "track";
	if (in->col[COL_ALBUM] < 0 && (in->is_catalog || !in->catalog))
		return "album";
	if (in->is_catalog)
		return NULL;
	if (in->col[COL_DATE] < 0)
		return "date";
	if (in->col[COL_STREAMS] < 0 && in->col[COL_TOTAL] < 0)
		return "streams' or 'total";
	return NULL;
}

static void index_catalog_tracks(struct ingest *in);

/*
 * Check the header once it is read; a file without what it needs is fatal.
 * A data file without albums gets the catalog's tracks indexed by name.
 */
static void check_header(struct ingest *in, uint64_t line)
{
	const char *miss = missing_column(in);

	if (!miss) {
		if (!in->is_catalog && in->col[COL_ALBUM] < 0)
			index_catalog_tracks(in);
		return;
	}
	/* a catalog given as a data file has no dates or counts, but its own
	 * columns: say how to give it */
	int catalog_like = !in->is_catalog && in->col[COL_DATE] < 0 && in->col[COL_STREAMS] < 0 &&
			   in->col[COL_TOTAL] < 0 &&
			   (in->col[COL_ALBUM_RELEASE] >= 0 || in->col[COL_COUNTS] >= 0);
	in->fatal = 1;
	problem(in, SS_P_MISSING_COLUMN, line, "missing required column '%s' (header: %s)%s", miss,
		in->header_text,
		catalog_like ? "; it looks like a catalog: give it with --catalog"
		: strcmp(miss, "album") == 0 && !in->is_catalog
			? "; without it, give a catalog (--catalog) to supply albums"
			: "");
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
	return in->colname[role][0] ? in->colname[role] : column_names[role].name;
}

/* Parse the date in the column of role; on failure log kind and return -1. */
static int parse_date(struct ingest *in, const struct ss_csv_row *row, enum column role,
		      enum ss_problem_kind kind, int32_t *day)
{
	size_t len;
	const char *s = field(row, in->col[role], &len);
	enum ss_date_result r;
	char q[SS_QUOTE_MAX];

	if (len == SS_DATE_LEN && in->have_last_date &&
	    memcmp(s, in->last_date, SS_DATE_LEN) == 0) {
		*day = in->last_day;
		return 0;
	}
	r = ss_date_parse(s, len, day);
	if (r == SS_DATE_OK) {
		if (len == SS_DATE_LEN) {
			memcpy(in->last_date, s, SS_DATE_LEN);
			in->last_day = *day;
			in->have_last_date = 1;
		}
		return 0;
	}
	if (r == SS_DATE_EMPTY)
		problem(in, kind, row->line, "column '%s' is empty", col_label(in, role));
	else
		problem(in, kind, row->line, "column '%s': %s %s", col_label(in, role),
			ss_quote(q, sizeof(q), s, len), ss_date_error(r));
	return -1;
}

/*
 * Parse the count in the column of role: 1 when there is one, 0 when the
 * column is absent or empty, -1 (logged) when it is not a count.
 */
static int parse_count(struct ingest *in, const struct ss_csv_row *row, enum column role,
		       int64_t *v)
{
	size_t len;
	const char *s;
	enum ss_count_result r;
	char q[SS_QUOTE_MAX];

	if (in->col[role] < 0)
		return 0;
	s = field(row, in->col[role], &len);
	r = ss_count_parse(s, len, v);
	if (r == SS_COUNT_OK)
		return 1;
	if (r == SS_COUNT_EMPTY)
		return 0;
	problem(in, SS_P_BAD_COUNT, row->line, "column '%s': %s %s", col_label(in, role),
		ss_quote(q, sizeof(q), s, len), ss_count_error(r));
	return -1;
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
	problem(in, SS_P_RELEASE_CONFLICT, line,
		"%s: release date %s disagrees with %s given at %s:%llu; keeping %s", who, a, b,
		ds->files[*src_file].path, (unsigned long long)*src_line, b);
}

/* Optional release-date columns: a bad value is a warning, not a lost row. */
static void row_release_dates(struct ingest *in, const struct ss_csv_row *row, uint32_t album,
			      uint32_t track, enum ss_date_source src)
{
	static const enum column roles[2] = {COL_ALBUM_RELEASE, COL_RELEASE};
	int32_t day;
	size_t len;

	for (int k = 0; k < 2; k++) {
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

	if (in->col[COL_ARTIST] < 0)
		return SS_NONE;
	s = field(row, in->col[COL_ARTIST], &len);
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

	if (in->col[COL_ALBUM] < 0) {
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
	s = field(row, in->col[COL_ALBUM], &len);
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

	if (row->nfields != in->ncols) {
		problem(in, SS_P_FIELD_COUNT, row->line, "expected %zu fields, got %zu", in->ncols,
			row->nfields);
		goto skip;
	}
	if (parse_date(in, row, COL_DATE, SS_P_BAD_DATE, &day) < 0)
		goto skip;
	if (in->opt && in->opt->has_as_of && day > in->opt->as_of) {
		f->after_as_of++;
		return;
	}
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
	track = field(row, in->col[COL_TRACK], &tlen);
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

static void on_row(void *arg, const struct ss_csv_row *row)
{
	struct ingest *in = arg;
	struct ss_file *f = file_of(in);

	if (!in->have_header) {
		in->have_header = 1;
		if (row->index == 0) {
			header(in, row);
			check_header(in, row->line);
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

static enum ss_status read_file(struct ss_dataset *ds, const char *path, int is_catalog,
				const struct ss_ingest_options *opt, struct ss_error *err)
{
	struct ingest in;
	struct ss_csv_stats st;
	enum ss_status status;
	uint32_t file = ss_dataset_add_file(ds, path, is_catalog);

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
	if (!is_catalog)
		in.catalog = first_catalog(ds);

	status = ss_csv_read(path, file, &ds->problems, on_row, &in, &st, err);
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
