/*
 * report_xlsx.c - the workbook (libxlsxwriter).
 *
 * Sheets, in order: Summary (albums side by side), Milestones (track x
 * milestone), Tracks (an Excel table), Charts (native scatter charts and
 * the data they plot), Daily (the cleaned series, summarised by month when
 * it would be too large to be useful), Backtest, Data quality, About.
 *
 * Dates are Excel date serials with a date format, counts are numbers with
 * formats, headers are frozen and columns sized to their contents (struct
 * sheet tracks the widest cell of each column).  No formulas: every cell
 * holds its value, so previewers and LibreOffice show it.  The creation
 * date is the as-of date, so reruns give byte-identical files.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xlsxwriter.h>

#include "streamstat/date.h"
#include "streamstat/number.h"
#include "streamstat/report.h"
#include "streamstat/utf8.h"
#include "streamstat/xalloc.h"
#include "streamstat/zipcheck.h"
#include "streamstat/zipedit.h"

#define MAX_COLS	   40
#define WIDTH_MAX	   60.0
#define DAILY_ROWS_MAX	   200000  /* rows of daily data before the sheet summarises */
#define MONTH_ROWS_MAX	   100000  /* rows by month before it summarises by quarter */
#define LAST_ROW	   1048575 /* Excel's last row (1,048,576 rows, from 0) */
#define SUMMARY_ALBUMS_MAX 16383   /* album columns on Summary: Excel's 16,384 less one */
#define TABLE_ROWS_MAX	   100000  /* tracks in the Tracks table; past it, filters */
#define CHART_ALBUMS_MAX   12	   /* albums with a per-track chart */
#define CHART_TRACKS_MAX   20	   /* tracks on one such chart */
/* Counts past 1B in billions, as milestones are written ("1.5B", not
 * "1,500M"), the others in millions (chart axes, milestone cells). */
#define BILLIONS_FORMAT "[>=1000000000]0.0,,,\"B\";[>=1000000]#,##0,,\"M\";#,##0"
#define CHART_POINTS	60   /* points of a fitted curve; most observed points */
#define CHART_DATA_COL	20   /* where the Charts sheet keeps its data */
#define EXCEL_EPOCH_Y	1899 /* Excel's day 0 is 1899-12-30 */

struct formats {
	lxw_format *header, *title, *note, *label, *date, *count, *millions, *day, *dec, *pct,
		*record, *record_date, *wrap;
	lxw_format *right; /* text beside a right-aligned number ("2 of 3" after 66.7%) */
	/* milestone[k]: the number of milestone k shown as its label ("1B") */
	lxw_format *milestone[SS_MILESTONES_MAX];
	/* ranks: a number, "(record)" and inferred release dates in the format */
	lxw_format *rank, *rank_record, *rank_inferred, *rank_record_inferred;
	/* the Summary's comparison table: a cell, a record's, a projection's */
	lxw_format *cmp, *cmp_record, *cmp_projected, *cmp_label;
	/* the Milestones sheet's status, by conditional formatting */
	lxw_format *st_reached, *st_projected, *st_after, *st_never, *st_unknown;
};

struct ctx;

/* A worksheet, the widest cell seen in each column, and the workbook's
 * context (where the first library error is kept). */
struct sheet {
	lxw_worksheet *ws;
	const char *name;
	double width[MAX_COLS];
	struct ctx *c;
	lxw_row_t nliteral; /* rows used in LITERAL_COL (series_name()) */
};

struct ctx {
	const struct ss_report *r;
	lxw_workbook *wb;
	struct formats f;
	int32_t excel_epoch;
	uint32_t *order; /* the compared albums' tracks (ss_report_tracks()) */
	size_t ntracks;
	lxw_row_t spark_rows;	/* Tracks rows 1 .. spark_rows get a sparkline */
	uint32_t spark_sheet;	/* the Tracks sheet's index */
	lxw_error failed;	/* the first error a library call returned */
	const char *failed_in;	/* the sheet it was writing */
	struct ss_track_fit tf; /* a track's fit, when the fits are packed */
};

/*
 * Every libxlsxwriter call that can fail goes through ok(): the first
 * failure is kept, and the workbook is then not published (a cell, table or
 * chart the library refused would be missing from it).
 */
static void ok(struct sheet *s, lxw_error e)
{
	if (e != LXW_NO_ERROR && s->c->failed == LXW_NO_ERROR) {
		s->c->failed = e;
		s->c->failed_in = s->name;
	}
}

/*
 * libxlsxwriter's constructors return NULL when malloc() fails, and its
 * other functions do not check the objects they are given: every sheet,
 * chart, series and format goes through need(), which treats NULL as the
 * memory running out (xalloc_die(): exit 71, temporaries removed).
 */
static void *need(void *p)
{
	if (!p)
		xalloc_die(0);
	return p;
}

/*
 * A worksheet whose rows are flushed to a temporary file as soon as the
 * next row starts (libxlsxwriter's constant-memory mode, which it takes
 * from the workbook's options when the sheet is added).  For the long
 * sheets, written strictly row by row; they have no table.
 */
static lxw_worksheet *add_streamed_sheet(lxw_workbook *wb, const char *name)
{
	wb->options.constant_memory = LXW_TRUE;
	lxw_worksheet *ws = need(workbook_add_worksheet(wb, name));
	wb->options.constant_memory = LXW_FALSE;
	return ws;
}

/* ---- text --------------------------------------------------------------- */

#define CELL_TEXT_MAX 32000 /* bytes; Excel holds 32,767 characters a cell */

/* The length of the UTF-8 character at s that XML 1.0 allows, or 0. */
static size_t xml_char(const unsigned char *s)
{
	uint32_t cp;
	size_t n = ss_utf8_char((const char *)s, &cp);

	if (n == 0 || (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0xfffe ||
	    cp == 0xffff)
		return 0;
	return n;
}

/*
 * s as text a workbook may hold: NULL when it already is, else a copy
 * (the caller frees it) with each byte that is not valid UTF-8, or a
 * character XML forbids, replaced by U+FFFD, and cut to CELL_TEXT_MAX bytes.
 */
static char *xml_text(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), n;
	int clean = len <= CELL_TEXT_MAX;

	for (size_t i = 0; clean && i < len; i += n)
		if ((n = xml_char(p + i)) == 0)
			clean = 0;
	if (clean)
		return NULL;
	char *out = xmalloc(3 * len + 4);
	size_t o = 0;
	for (size_t i = 0; i < len && o + 4 <= CELL_TEXT_MAX; i += n) {
		n = xml_char(p + i);
		if (n) {
			memcpy(out + o, p + i, n);
			o += n;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			n = 1;
		}
	}
	out[o] = '\0';
	return out;
}

/* worksheet_write_string() of any text (see xml_text()). */
static void write_text(struct sheet *s, lxw_row_t row, lxw_col_t col, const char *v,
		       lxw_format *fmt)
{
	char *safe = xml_text(v);

	ok(s, worksheet_write_string(s->ws, row, col, safe ? safe : v, fmt));
	free(safe);
}

/*
 * libxlsxwriter takes a series name or chart title that starts with '=' for
 * a formula (a name "=HYPERLINK(...)" would become one).  Such a text is
 * written as a literal into the sheet's last column and the chart refers to
 * that cell; any other goes in as it is.
 */
#define LITERAL_COL (LXW_COL_MAX - 1)

static lxw_row_t literal_cell(struct sheet *s, const char *text)
{
	lxw_row_t row = s->nliteral++;

	write_text(s, row, LITERAL_COL, text, NULL);
	return row;
}

static void series_name(struct sheet *s, lxw_chart_series *se, const char *name)
{
	char *safe = xml_text(name);
	const char *v = safe ? safe : name;

	if (v[0] == '=')
		chart_series_set_name_range(se, s->name, literal_cell(s, v), LITERAL_COL);
	else
		chart_series_set_name(se, v);
	free(safe);
}

static void chart_title(struct sheet *s, lxw_chart *ch, const char *title)
{
	char *safe = xml_text(title);
	const char *v = safe ? safe : title;

	if (v[0] == '=')
		chart_title_set_name_range(ch, s->name, literal_cell(s, v), LITERAL_COL);
	else
		chart_title_set_name(ch, v);
	free(safe);
}

/* ---- cells ------------------------------------------------------------ */

static void widen(struct sheet *s, lxw_col_t col, double w)
{
	if (col < MAX_COLS && w > s->width[col])
		s->width[col] = w > WIDTH_MAX ? WIDTH_MAX : w;
}

static void put_str(struct sheet *s, lxw_row_t row, lxw_col_t col, const char *v, lxw_format *fmt)
{
	if (!v || !*v)
		return;
	write_text(s, row, col, v, fmt);
	widen(s, col, (double)strlen(v) * 1.1 + 1);
}

/* A number, or nothing when it is not finite (never NaN in a cell). */
static void put_num(struct sheet *s, lxw_row_t row, lxw_col_t col, double v, lxw_format *fmt)
{
	if (!isfinite(v))
		return;
	ok(s, worksheet_write_number(s->ws, row, col, v, fmt));
	widen(s, col, fabs(v) >= 1e6 ? 14 : 10);
}

static void put_date(const struct ctx *c, struct sheet *s, lxw_row_t row, lxw_col_t col,
		     int32_t day, lxw_format *fmt)
{
	if (day == SS_DAY_NONE)
		return;
	if (day == SS_DAY_NEVER) {
		put_str(s, row, col, "never", NULL);
		return;
	}
	ok(s, worksheet_write_number(s->ws, row, col, (double)(day - c->excel_epoch),
				     fmt ? fmt : c->f.date));
	widen(s, col, 12);
}

static void headers(const struct ctx *c, struct sheet *s, lxw_row_t row, const char *const *names,
		    size_t n)
{
	for (size_t i = 0; i < n; i++)
		put_str(s, row, (lxw_col_t)i, names[i], c->f.header);
}

static void finish_sheet(struct sheet *s)
{
	for (lxw_col_t col = 0; col < MAX_COLS; col++)
		if (s->width[col] > 0)
			ok(s, worksheet_set_column(s->ws, col, col,
						   s->width[col] < 8 ? 8 : s->width[col], NULL));
}

#define PAPER_A4 9 /* worksheet_set_paper()'s code for A4 */

/*
 * Every sheet's printed page: A4 landscape, one page wide (as many pages
 * down as it takes, or one in all when pages_down is 1), the rows from
 * repeat_first to repeat_last (none when repeat_first < 0) at the top of
 * each page, and a footer with the sheet's name, the as-of date and the page
 * ("Summary", "as of 2023-11-21", "page 1 of 3").
 */
static void page_setup(struct sheet *s, long repeat_first, long repeat_last, uint16_t pages_down)
{
	char date[SS_DATE_LEN + 1], footer[96];

	worksheet_set_landscape(s->ws);
	worksheet_set_paper(s->ws, PAPER_A4);
	worksheet_fit_to_pages(s->ws, 1, pages_down);
	if (repeat_first >= 0 && repeat_last >= repeat_first)
		ok(s,
		   worksheet_repeat_rows(s->ws, (lxw_row_t)repeat_first, (lxw_row_t)repeat_last));
	ss_date_format(s->c->r->as_of, date);
	snprintf(footer, sizeof footer, "&L&A&Cas of %s&Rpage &P of &N", date);
	ok(s, worksheet_set_footer(s->ws, footer));
}

/* buf: room for "after YYYY-MM-DD" */
static const char *status_text(const struct ss_crossing *x, char *buf, size_t n)
{
	if (x->status == SS_MS_AFTER) {
		char d[SS_DATE_LEN + 1];
		ss_date_format(x->day, d);
		snprintf(buf, n, "after %s", d);
		return buf;
	}
	if (x->status == SS_MS_REACHED)
		return x->how == SS_HOW_EXACT	       ? "reached"
		       : x->how == SS_HOW_INTERPOLATED ? "reached (interpolated)"
						       : "reached (by then)";
	return ss_ms_status_name((enum ss_ms_status)x->status);
}

static void flags_text(unsigned flags, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ss_ms_nflags; i++)
		if (flags & ss_ms_flags[i].flag)
			len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "%s%s",
						len ? ", " : "", ss_ms_flags[i].label);
}

/* What a reader of the Tracks sheet must know about a track's projections:
 * that they continue from an older day (stale), or why there are none. */
static void track_note(const struct ss_report *r, const struct ss_track_ms *tm, char *buf, size_t n)
{
	char last[SS_DATE_LEN + 1];

	buf[0] = '\0';
	if (tm->stale && tm->last_obs != SS_DAY_NONE) {
		ss_date_format(tm->last_obs, last);
		snprintf(buf, n,
			 "stale: last observed %s, %ld days before the latest data; its "
			 "projections continue from then",
			 last, (long)((int64_t)r->ms->as_of - tm->last_obs));
	} else if (r->ms->opt.nmilestones &&
		   (tm->c[0].why == SS_WHY_NO_TOTAL || tm->c[0].why == SS_WHY_NO_START)) {
		snprintf(buf, n, "%s", ss_ms_why_text((enum ss_ms_why)tm->c[0].why));
	}
}

/* "2024-02-01 to 2024-05-03", "from 2024-02-01 (open)" or "" */
static void interval_text(const struct ss_crossing *x, char *buf, size_t n)
{
	char a[SS_DATE_LEN + 1], b[SS_DATE_LEN + 1];

	buf[0] = '\0';
	if (x->status == SS_MS_REACHED && x->hi != SS_DAY_NONE && x->lo != x->hi) {
		/* an observed crossing known to within days: the days it lies in */
		ss_date_format(x->hi, b);
		if (x->lo == SS_DAY_NONE) {
			snprintf(buf, n, "by %s (no earlier limit)", b);
			return;
		}
		ss_date_format(x->lo, a);
		snprintf(buf, n, "between %s and %s", a, b);
		return;
	}
	if (x->status != SS_MS_PROJECTED || x->lo == SS_DAY_NONE || x->hi == SS_DAY_NONE)
		return;
	ss_date_format(x->lo, a);
	if (x->hi == SS_DAY_NEVER) {
		snprintf(buf, n, "from %s (no upper end)", a);
		return;
	}
	ss_date_format(x->hi, b);
	snprintf(buf, n, "%s to %s", a, b);
}

/* An observed crossing only known to be by its day, at some day of a range:
 * its day number is written as that range (ss_ms_day_text). */
static int is_range(const struct ss_crossing *x)
{
	return x->status == SS_MS_REACHED && x->how == SS_HOW_BY && x->lo != x->day;
}

/* Whether x has limits to write as dates: a projection's interval, or the
 * days an observed crossing known to within days may lie in. */
static int has_limits(const struct ss_crossing *x)
{
	if (x->status == SS_MS_REACHED)
		return x->hi != SS_DAY_NONE && x->lo != x->hi;
	return x->status == SS_MS_PROJECTED && x->lo != SS_DAY_NONE && x->hi != SS_DAY_NONE;
}

/* ---- Summary ---------------------------------------------------------- */

/* How many of the compared albums Summary has a column for. */
static size_t summary_albums(const struct ss_report *r)
{
	return r->nalbums < SUMMARY_ALBUMS_MAX ? r->nalbums : SUMMARY_ALBUMS_MAX;
}

/* A Summary note: wrapped in a column at most NOTE_WIDTH wide. */
#define NOTE_WIDTH 34.0

static void put_note(struct sheet *s, lxw_row_t row, lxw_col_t col, const char *v)
{
	double w = (double)strlen(v) * 1.1 + 1;

	if (!v[0])
		return;
	write_text(s, row, col, v, s->c->f.wrap);
	widen(s, col, w < NOTE_WIDTH ? w : NOTE_WIDTH);
}

static void summary_kind(struct ctx *c, struct sheet *s, lxw_row_t *row, size_t k, int total)
{
	const struct ss_report *r = c->r;
	size_t nshown = summary_albums(r);
	char m[32], label[64], buf[160];

	ss_milestone_format(r->ms->opt.milestone[k], m);
	snprintf(label, sizeof label, total ? "Album total >= %s" : "Every track >= %s", m);
	put_str(s, *row, 0, label, c->f.header);
	for (size_t i = 0; i < nshown; i++)
		ok(s, worksheet_write_blank(s->ws, *row, (lxw_col_t)(i + 1), c->f.header));
	(*row)++;
	static const char *const rows[] = {"date", "day",	 "status", "low",
					   "high", "bottleneck", "rank",   "note"};
	for (size_t q = 0; q < sizeof rows / sizeof rows[0]; q++) {
		if (total && q == 5)
			continue;
		put_str(s, *row, 0, rows[q], c->f.label);
		for (size_t i = 0; i < nshown; i++) {
			const struct ss_album_ms *am = &r->ms->albums[r->albums[i]];
			const struct ss_album_crossing *ax = total ? &am->total[k] : &am->all[k];
			const struct ss_album *al = &r->ds->albums[am->album];
			lxw_col_t col = (lxw_col_t)(i + 1);
			int record = ax->rank == 1;
			int dated =
				ax->x.status == SS_MS_REACHED || ax->x.status == SS_MS_PROJECTED;
			switch (q) {
			case 0:
				if (dated)
					put_date(c, s, *row, col, ax->x.day,
						 record ? c->f.record_date : c->f.date);
				break;
			case 1:
				if (dated && !is_range(&ax->x))
					put_num(s, *row, col,
						ss_ms_day_number(&r->ms->opt, ax->x.day,
								 al->release),
						record ? c->f.record : c->f.rank);
				else if (dated)
					put_str(s, *row, col,
						ss_ms_day_text(&r->ms->opt, &ax->x, al->release,
							       buf, sizeof buf),
						record ? c->f.record : NULL);
				break;
			case 2:
				put_str(s, *row, col, status_text(&ax->x, buf, sizeof buf), NULL);
				break;
			case 3:
			case 4:
				/* the interval of a projection, or the days an observed
				 * crossing may lie in, as dates */
				if (has_limits(&ax->x))
					put_date(c, s, *row, col, q == 3 ? ax->x.lo : ax->x.hi,
						 NULL);
				break;
			case 5:
				if (ax->bottleneck != SS_NONE)
					put_str(s, *row, col, ss_track_name(r->ds, ax->bottleneck),
						NULL);
				break;
			case 6:
				if (ax->rank) {
					/* a number; its format says "(record)" and when it
					 * counts days from inferred release dates */
					lxw_format *fmt =
						record		    ? (ax->rank_inferred
									       ? c->f.rank_record_inferred
									       : c->f.rank_record)
						: ax->rank_inferred ? c->f.rank_inferred
								    : c->f.rank;
					put_num(s, *row, col, ax->rank, fmt);
					widen(s, col, ax->rank_inferred ? 44 : 14);
				} else {
					put_str(s, *row, col, ss_ms_rank_note(ax, buf, sizeof buf),
						NULL);
				}
				break;
			default:
				if (!dated) {
					ss_ms_album_reason(r->ds, r->ms, am->album, k, total, buf,
							   sizeof buf);
				} else {
					/* flags, then the rank's note and the tracks only
					 * known by then */
					char more[400], note[600];
					flags_text(ax->x.flags, buf, sizeof buf);
					ss_ms_album_note(r->ds, r->ms, am->album, k, total, more,
							 sizeof more);
					/* the rank row already says why it is unranked */
					char rn[96];
					const char *rest = more;
					size_t rl = strlen(ss_ms_rank_note(ax, rn, sizeof rn));
					if (rl && strncmp(more, rn, rl) == 0)
						rest = more[rl] ? more + rl + 2 : more + rl;
					snprintf(note, sizeof note, "%s%s%s", buf,
						 buf[0] && rest[0] ? "; " : "", rest);
					put_note(s, *row, col, note);
					break;
				}
				put_note(s, *row, col, buf);
				break;
			}
		}
		(*row)++;
	}
}

/*
 * One cell of the comparison table, as text into buf: "day 72, 2023-11-18"
 * (", record" for the record), "day 1..165, by 2021-05-03", "day 267,
 * 2023-12-15" and on a second line "80%: 2023-12-03 to 2024-01-19" for a
 * projection, or the status ("after 2028-11-18", "never", "unknown").
 * Returns the cell's format.
 */
static lxw_format *compare_cell(const struct ctx *c, const struct ss_album_crossing *ax,
				int32_t release, char *buf, size_t n)
{
	const struct ss_ms_options *opt = &c->r->ms->opt;
	const struct ss_crossing *x = &ax->x;
	char d[SS_DATE_LEN + 1], days[48], iv[96];

	if (x->status != SS_MS_REACHED && x->status != SS_MS_PROJECTED) {
		snprintf(buf, n, "%s", status_text(x, iv, sizeof iv));
		return c->f.cmp;
	}
	ss_date_format(x->day, d);
	ss_ms_day_text(opt, x, release, days, sizeof days);
	if (x->status == SS_MS_PROJECTED) {
		interval_text(x, iv, sizeof iv);
		if (iv[0])
			snprintf(buf, n, "day %s, %s\n%.0f%%: %s", days, d, 100 * opt->level, iv);
		else
			snprintf(buf, n, "day %s, %s (projected)", days, d);
		return c->f.cmp_projected;
	}
	snprintf(buf, n, "day %s, %s%s%s", days, is_range(x) ? "by " : "", d,
		 ax->rank == 1 ? ", record" : "");
	return ax->rank == 1 ? c->f.cmp_record : c->f.cmp;
}

/*
 * The Summary's first table: albums as columns, a row per milestone and
 * kind (every track, album total), each cell compare_cell()'s text; the
 * detailed blocks below hold the same as dates and numbers.  Returns the
 * header's row.
 */
static lxw_row_t summary_compare(struct ctx *c, struct sheet *s, lxw_row_t *row)
{
	char lab[SS_ALBUM_LABEL_MAX], m[32], label[64], buf[200];
	const struct ss_report *r = c->r;
	size_t nshown = summary_albums(r);
	lxw_row_t head = *row;

	put_str(s, *row, 0, "Milestone", c->f.header);
	for (size_t i = 0; i < nshown; i++)
		put_str(s, *row, (lxw_col_t)(i + 1),
			ss_album_label(r->ds, r->albums[i], lab, sizeof lab), c->f.header);
	(*row)++;
	for (size_t k = 0; k < r->ms->opt.nmilestones; k++)
		for (int total = 0; total < 2; total++, (*row)++) {
			/* a projection's interval takes a second line: the row's
			 * height is set before its cells (the sheet is streamed) */
			for (size_t i = 0; i < nshown; i++) {
				const struct ss_album_ms *am = &r->ms->albums[r->albums[i]];
				if ((total ? &am->total[k] : &am->all[k])->x.status ==
				    SS_MS_PROJECTED) {
					ok(s, worksheet_set_row(s->ws, *row, 30, NULL));
					break;
				}
			}
			ss_milestone_format(r->ms->opt.milestone[k], m);
			snprintf(label, sizeof label, total ? "%s, album total" : "%s, every track",
				 m);
			put_str(s, *row, 0, label, c->f.cmp_label);
			for (size_t i = 0; i < nshown; i++) {
				const struct ss_album_ms *am = &r->ms->albums[r->albums[i]];
				const struct ss_album_crossing *ax =
					total ? &am->total[k] : &am->all[k];
				lxw_format *fmt = compare_cell(
					c, ax, r->ds->albums[am->album].release, buf, sizeof buf);
				const char *nl = strchr(buf, '\n');
				size_t w1 = nl ? (size_t)(nl - buf) : strlen(buf),
				       w2 = nl ? strlen(nl + 1) : 0;
				write_text(s, *row, (lxw_col_t)(i + 1), buf, fmt);
				widen(s, (lxw_col_t)(i + 1), (double)(w1 > w2 ? w1 : w2) * 1.1 + 1);
			}
		}
	return head;
}

/*
 * A long note as rows of at most about the width of the Summary's first
 * ncols + 1 columns (a streamed sheet cannot merge cells to wrap it in),
 * cut at spaces.
 */
static void note_lines(struct sheet *s, lxw_row_t *row, const char *text, size_t ncols)
{
	double w = 24;
	char line[CELL_TEXT_MAX / 8];

	for (size_t i = 1; i <= ncols && i < MAX_COLS && w < (double)sizeof line; i++)
		w += s->width[i] > 8 ? s->width[i] : 8;
	size_t max = w < 60 ? 60 : w >= (double)sizeof line ? sizeof line - 1 : (size_t)w;
	while (*text) {
		size_t n = strlen(text), cut = n;
		if (n > max) {
			cut = max;
			while (cut > 0 && text[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = max;
		}
		memcpy(line, text, cut);
		line[cut] = '\0';
		write_text(s, (*row)++, 0, line, s->c->f.note);
		text += cut;
		while (*text == ' ')
			text++;
	}
}

static void sheet_summary(struct ctx *c)
{
	char lab[SS_ALBUM_LABEL_MAX];
	const struct ss_report *r = c->r;
	const struct ss_dataset *ds = r->ds;
	struct sheet s = {.ws = add_streamed_sheet(c->wb, "Summary"), .name = "Summary", .c = c};
	size_t nshown = summary_albums(r);
	lxw_row_t row = 0;
	char buf[512], date[SS_DATE_LEN + 1];

	for (size_t h = 0; h < SS_HEADLINES; h++)
		if (r->headline[h][0])
			write_text(&s, row++, 0, r->headline[h], h == 0 ? c->f.title : NULL);
	ss_date_format(r->as_of, date);
	snprintf(buf, sizeof buf,
		 "As of %s. Day %d is the release day. Dates after the last observation are "
		 "projected, with %.0f%% intervals.",
		 date, r->ms->opt.day_zero ? 0 : 1, 100 * r->ms->opt.level);
	write_text(&s, row++, 0, buf, c->f.note);
	if (nshown < r->nalbums) {
		snprintf(buf, sizeof buf,
			 "Excel holds %d columns: the first %zu of %zu albums shown, in release "
			 "order (Milestones, Tracks and the JSON summary have all; --albums "
			 "chooses)",
			 SUMMARY_ALBUMS_MAX + 1, nshown, r->nalbums);
		write_text(&s, row++, 0, buf, c->f.note);
	}
	row++;
	lxw_row_t top = summary_compare(c, &s, &row);
	row++;
	put_str(&s, row, 0, "Album", c->f.header);
	for (size_t i = 0; i < nshown; i++)
		put_str(&s, row, (lxw_col_t)(i + 1),
			ss_album_label(ds, r->albums[i], lab, sizeof lab), c->f.header);
	row++;
	static const char *const facts[] = {
		"artist",	  "release date",     "release date from",
		"tracks counted", "tracks with data", "latest total"};
	for (size_t q = 0; q < sizeof facts / sizeof facts[0]; q++, row++) {
		put_str(&s, row, 0, facts[q], c->f.label);
		for (size_t i = 0; i < nshown; i++) {
			uint32_t a = r->albums[i];
			const struct ss_album *al = &ds->albums[a];
			const struct ss_album_ms *am = &r->ms->albums[a];
			lxw_col_t col = (lxw_col_t)(i + 1);
			switch (q) {
			case 0:
				put_str(&s, row, col, ss_album_artist(ds, a), NULL);
				break;
			case 1:
				if (al->release_src)
					put_date(c, &s, row, col, al->release, NULL);
				break;
			case 2:
				put_str(&s, row, col,
					ss_date_source_name((enum ss_date_source)al->release_src),
					NULL);
				break;
			case 3:
				snprintf(buf, sizeof buf, "%u of %u", am->counted,
					 am->counted + am->excluded);
				put_str(&s, row, col, buf, NULL);
				break;
			case 4:
				put_num(&s, row, col, am->with_data, c->f.count);
				break;
			default:
				put_num(&s, row, col, am->latest_total, c->f.count);
				break;
			}
		}
	}
	/* which tracks were left out */
	for (size_t i = 0; i < nshown; i++) {
		const struct ss_album_ms *am = &r->ms->albums[r->albums[i]];
		size_t len = 0;
		if (!am->excluded)
			continue;
		len = (size_t)snprintf(buf, sizeof buf, "%s: not counted:",
				       ss_album_label(ds, r->albums[i], lab, sizeof lab));
		size_t ntr;
		const uint32_t *tr = ss_ms_album_tracks(r->ms, r->albums[i], &ntr);
		for (size_t j = 0; j < ntr && len < sizeof buf; j++)
			if (!r->ms->tracks[tr[j]].counts)
				len += (size_t)snprintf(buf + len, sizeof buf - len, " %s;",
							ss_track_name(ds, tr[j]));
		write_text(&s, row++, 0, buf, c->f.note);
	}
	note_lines(&s, &row,
		   "Record holders (rank 1, among crossings observed: records are never "
		   "projected) are highlighted. \"Every track\" is the day the last counting "
		   "track got there; \"album total\" sums the counting tracks. Projections "
		   "past the horizon read \"after\" its end, without a day.",
		   nshown);
	if (r->bt) {
		snprintf(buf, sizeof buf, "Projections: %s.", r->bt->rule);
		note_lines(&s, &row, buf, nshown);
	}
	/* the page printed: the comparison, the facts and these notes; the
	 * detailed blocks would shrink it past reading (they are on screen, and
	 * the Milestones sheet prints every track's) */
	lxw_row_t printed = row - 1;
	write_text(&s, row++, 0,
		   "Below: each milestone in detail, as dates and numbers (on screen; the "
		   "printed page is the comparison above).",
		   c->f.note);
	for (size_t k = 0; k < r->ms->opt.nmilestones; k++) {
		row++;
		summary_kind(c, &s, &row, k, 0);
		summary_kind(c, &s, &row, k, 1);
	}
	worksheet_freeze_panes(s.ws, top + 1, 1);
	finish_sheet(&s);
	ok(&s, worksheet_set_column(s.ws, 0, 0, 24, NULL));
	page_setup(&s, (long)top, (long)top, 1);
	ok(&s, worksheet_print_area(s.ws, 0, 0, printed, (lxw_col_t)nshown));
}

/* ---- Milestones ------------------------------------------------------- */

/* The Milestones sheet's rows: one per track and milestone, one for a track
 * without data. */
static size_t milestone_rows(const struct ctx *c)
{
	size_t rows = 0, nm = c->r->ms->opt.nmilestones;

	for (size_t q = 0; q < c->ntracks; q++)
		rows += c->r->ds->tracks[c->order[q]].n == 0 && nm ? 1 : nm;
	return rows;
}

/* Conditional formats on column col, rows 1 to last: each status its
 * colour (reached green, projected blue, after and never grey, unknown
 * amber), so the sheet reads at a glance and stays sortable. */
static void status_colours(const struct ctx *c, struct sheet *s, lxw_row_t last, lxw_col_t col)
{
	const struct {
		const char *text;
		lxw_format *fmt;
	} st[] = {{"reached", c->f.st_reached},
		  {"projected", c->f.st_projected},
		  {"after", c->f.st_after},
		  {"never", c->f.st_never},
		  {"unknown", c->f.st_unknown}};

	for (size_t i = 0; i < sizeof st / sizeof st[0]; i++) {
		lxw_conditional_format cf = {.type = LXW_CONDITIONAL_TYPE_TEXT,
					     .criteria = LXW_CONDITIONAL_CRITERIA_TEXT_BEGINS_WITH,
					     .value_string = (char *)st[i].text,
					     .format = st[i].fmt};
		ok(s, worksheet_conditional_format_range(s->ws, 1, col, last, col, &cf));
	}
}

static void sheet_milestones(struct ctx *c)
{
	char lab[SS_ALBUM_LABEL_MAX];
	const struct ss_report *r = c->r;
	const struct ss_dataset *ds = r->ds;
	struct sheet s = {
		.ws = add_streamed_sheet(c->wb, "Milestones"), .name = "Milestones", .c = c};
	static const char *const cols[] = {
		"Album",	  "Track",	 "Milestone",	"Status", "Date",
		"Day (track)",	  "Day (album)", "Low",		"High",	  "Model",
		"Needed per day", "Needed by",	 "Recent pace", "Flags",  "Note"};
	lxw_row_t row = 1;
	char buf[160];
	size_t nrows = milestone_rows(c);

	headers(c, &s, 0, cols, sizeof cols / sizeof cols[0]);
	if (nrows > LAST_ROW) {
		snprintf(
			buf, sizeof buf,
			"Excel holds %d rows: the first %d of %zu shown (the JSON summary has all)",
			LAST_ROW + 1, LAST_ROW, nrows);
		write_text(&s, 0, 16, buf, c->f.note);
	}
	for (size_t q = 0; q < c->ntracks && row <= LAST_ROW; q++) {
		size_t t = c->order[q];
		const struct ss_track_ms *tm = &r->ms->tracks[t];
		const struct ss_track *tr = &ds->tracks[t];
		if (tr->n == 0 && r->ms->opt.nmilestones) {
			/* no data: one line for every milestone */
			put_str(&s, row, 0, ss_album_label(ds, tr->album, lab, sizeof lab), NULL);
			put_str(&s, row, 1, ss_track_name(ds, (uint32_t)t), NULL);
			put_str(&s, row, 2, "all", NULL);
			put_str(&s, row, 3, status_text(&tm->c[0], buf, sizeof buf), NULL);
			put_str(&s, row, 14, ss_ms_track_reason(r->ms, tm, 0, buf, sizeof buf),
				NULL);
			row++;
			continue;
		}
		for (size_t k = 0; k < r->ms->opt.nmilestones && row <= LAST_ROW; k++, row++) {
			const struct ss_crossing *x = &tm->c[k];
			int dated = x->status == SS_MS_REACHED || x->status == SS_MS_PROJECTED;
			put_str(&s, row, 0, ss_album_label(ds, tr->album, lab, sizeof lab), NULL);
			put_str(&s, row, 1, ss_track_name(ds, (uint32_t)t), NULL);
			put_num(&s, row, 2, (double)r->ms->opt.milestone[k], c->f.milestone[k]);
			put_str(&s, row, 3, status_text(x, buf, sizeof buf), NULL);
			if (dated && is_range(x)) {
				/* only known by then: the days it may have been */
				put_date(c, &s, row, 4, x->day, NULL);
				put_str(&s, row, 5,
					ss_ms_day_text(&r->ms->opt, x, tr->release, buf,
						       sizeof buf),
					NULL);
				put_str(&s, row, 6,
					ss_ms_day_text(&r->ms->opt, x,
						       ds->albums[tr->album].release, buf,
						       sizeof buf),
					NULL);
				put_date(c, &s, row, 7, x->lo, NULL);
				put_date(c, &s, row, 8, x->hi, NULL);
			} else if (dated) {
				put_date(c, &s, row, 4, x->day, NULL);
				put_num(&s, row, 5,
					ss_ms_day_number(&r->ms->opt, x->day, tr->release),
					c->f.day);
				put_num(&s, row, 6,
					ss_ms_day_number(&r->ms->opt, x->day,
							 ds->albums[tr->album].release),
					c->f.day);
				put_date(c, &s, row, 7, x->lo, NULL);
				put_date(c, &s, row, 8, x->hi, NULL);
			}
			if (x->model >= 0 && x->status != SS_MS_REACHED)
				put_str(&s, row, 9, ss_models[x->model].name, NULL);
			put_num(&s, row, 10, x->needed, c->f.count);
			if (isfinite(x->needed))
				put_date(c, &s, row, 11, tm->target, NULL);
			if (x->status != SS_MS_REACHED)
				put_num(&s, row, 12, tm->pace, c->f.count);
			flags_text(x->flags, buf, sizeof buf);
			put_str(&s, row, 13, buf, NULL);
			put_str(&s, row, 14, ss_ms_track_reason(r->ms, tm, k, buf, sizeof buf),
				NULL);
		}
	}
	worksheet_freeze_panes(s.ws, 1, 2);
	if (row > 1) {
		ok(&s, worksheet_autofilter(s.ws, 0, 0, row - 1,
					    (lxw_col_t)(sizeof cols / sizeof cols[0] - 1)));
		status_colours(c, &s, row - 1, 3);
	}
	finish_sheet(&s);
	page_setup(&s, 0, 0, 0);
}

/* ---- Tracks ----------------------------------------------------------- */

/* The latest day's daily count (NaN when that day has none: an older
 * count is not the latest) and the day with the most streams a day. */
static void daily_facts(const struct ss_dataset *ds, uint32_t t, double *last, int32_t *peak_day,
			double *peak)
{
	size_t n;
	const struct ss_obs *obs = ss_series_of(ds, t, &n);

	*last = n && (obs[n - 1].flags & SS_OBS_STREAMS) ? (double)obs[n - 1].streams : NAN;
	*peak = NAN;
	*peak_day = SS_DAY_NONE;
	for (size_t i = 0; i < n; i++) {
		if (!(obs[i].flags & SS_OBS_STREAMS))
			continue;
		double v = (double)obs[i].streams;
		if (!(v <= *peak)) {
			*peak = v;
			*peak_day = obs[i].day;
		}
	}
}

/*
 * The Tracks sheet's sparklines: each track's daily streams over the
 * SPARK_DAYS days up to the latest data, on a hidden sheet of their own
 * (SPARK_SHEET, streamed: a table's sheet holds every cell in memory, and
 * 900,000 of them took 100 MB), row for row as on Tracks (a day's count
 * where the data has one, else the mean streams a day between the two
 * totals around it); libxlsxwriter 1.1.4 has no
 * sparklines, so the workbook gets them after it is closed
 * (ss_xlsx_add_sparklines()).  Only the first SPARK_TRACKS_MAX tracks have
 * one: 90 cells a track would make a large catalog's workbook huge.
 */
#define SPARK_DAYS	 90
#define SPARK_SHEET	 "Sparkline data"
#define SPARK_TRACKS_MAX 10000
#define SPARK_HEADER	 "Last 90 days"
#define SPARK_CELL_COL	 11 /* where Tracks shows them */

static void spark_data(const struct ctx *c, struct sheet *s, lxw_row_t row, uint32_t t)
{
	const struct ss_dataset *ds = c->r->ds;
	const struct ss_track *tr = &ds->tracks[t];
	int32_t w1 = c->r->ms->as_of, w0 = w1 - (SPARK_DAYS - 1);
	double v[SPARK_DAYS];
	size_t n;
	const struct ss_obs *obs = ss_series_of(ds, t, &n);
	/* the last total and its day: from the release at 0 when it is known */
	int known = tr->release_src != SS_SRC_NONE && tr->release_src != SS_SRC_INFERRED;
	int32_t pday = tr->release - 1;
	double ptotal = 0;

	for (size_t j = 0; j < SPARK_DAYS; j++)
		v[j] = NAN;
	for (size_t i = 0; i < n; i++) {
		const struct ss_obs *o = &obs[i];
		if ((o->flags & SS_OBS_STREAMS) && o->day >= w0 && o->day <= w1)
			v[o->day - w0] = (double)o->streams;
		if (!(o->flags & SS_OBS_TOTAL)) {
			known = 0;
			continue;
		}
		double total = (double)o->total;
		if (known && o->day > pday && total >= ptotal && !(o->flags & SS_OBS_CORRECTION)) {
			double rate = (total - ptotal) / (double)(o->day - pday);
			for (int32_t d = pday + 1 > w0 ? pday + 1 : w0; d <= o->day && d <= w1; d++)
				if (!isfinite(v[d - w0]))
					v[d - w0] = round(rate);
		}
		known = 1, pday = o->day, ptotal = total;
	}
	for (size_t j = 0; j < SPARK_DAYS; j++)
		if (isfinite(v[j]))
			ok(s, worksheet_write_number(s->ws, row, (lxw_col_t)j, v[j], NULL));
}

/* Tracks rows 1 to nrows - 1 get a sparkline (at most SPARK_TRACKS_MAX). */
static void spark_rows(struct ctx *c, const struct sheet *s, lxw_row_t nrows)
{
	lxw_row_t last = nrows - 1 < SPARK_TRACKS_MAX ? nrows - 1 : SPARK_TRACKS_MAX;

	c->spark_rows = nrows > 1 ? last : 0;
	c->spark_sheet = s->ws->index;
}

/* The sparklines' data, written last: row 0 the days, row r the track of
 * Tracks row r (c->order[r - 1]). */
static void sheet_spark_data(struct ctx *c)
{
	if (!c->spark_rows)
		return;
	struct sheet s = {
		.ws = add_streamed_sheet(c->wb, SPARK_SHEET), .name = SPARK_SHEET, .c = c};

	worksheet_hide(s.ws);
	for (int32_t j = 0; j < SPARK_DAYS; j++)
		ok(&s, worksheet_write_number(
			       s.ws, 0, (lxw_col_t)j,
			       (double)(c->r->ms->as_of - (SPARK_DAYS - 1) + j - c->excel_epoch),
			       c->f.date));
	for (lxw_row_t row = 1; row <= c->spark_rows; row++)
		spark_data(c, &s, row, c->order[row - 1]);
}

static void sheet_tracks(struct ctx *c)
{
	char lab[SS_ALBUM_LABEL_MAX];
	const struct ss_report *r = c->r;
	const struct ss_dataset *ds = r->ds;
	/* a table needs every cell in memory: past TABLE_ROWS_MAX tracks, the
	 * rows are streamed and get filters instead */
	int table = c->ntracks <= TABLE_ROWS_MAX;
	struct sheet s = {.ws = table ? need(workbook_add_worksheet(c->wb, "Tracks"))
				      : add_streamed_sheet(c->wb, "Tracks"),
			  .name = "Tracks",
			  .c = c};
	static const char *const cols[] = {
		"Album",	 "Track",      "Release date", "Release date from", "Counts",
		"Observations",	 "First date", "Latest date",  "Latest total",	    "Lower bound",
		"Latest daily",	 SPARK_HEADER, "Recent pace",  "Pace over (days)",  "Peak day",
		"Peak daily",	 "Model",      "Fit",	       "Parameters",	    "RMSE (log)",
		"Akaike weight", "Intervals",  "Note"};
	enum { NCOLS = sizeof cols / sizeof cols[0] };
	lxw_row_t row = 1;
	char buf[320];

	headers(c, &s, 0, cols, NCOLS);
	if (c->ntracks > LAST_ROW) {
		snprintf(buf, sizeof buf,
			 "Excel holds %d rows: the first %d of %zu tracks shown (the JSON summary "
			 "has all)",
			 LAST_ROW + 1, LAST_ROW, c->ntracks);
		write_text(&s, 0, NCOLS + 1, buf, c->f.note);
	}
	for (size_t q = 0; q < c->ntracks && row <= LAST_ROW; q++) {
		size_t t = c->order[q];
		const struct ss_track *tr = &ds->tracks[t];
		const struct ss_track_ms *tm = &r->ms->tracks[t];
		const struct ss_track_fit *tf = ss_fits_track(r->fits, (uint32_t)t, &c->tf);
		double last, peak;
		int32_t peak_day;
		put_str(&s, row, 0, ss_album_label(ds, tr->album, lab, sizeof lab), NULL);
		put_str(&s, row, 1, ss_track_name(ds, (uint32_t)t), NULL);
		if (tr->release_src)
			put_date(c, &s, row, 2, tr->release, NULL);
		put_str(&s, row, 3, ss_date_source_name((enum ss_date_source)tr->release_src),
			NULL);
		put_str(&s, row, 4, tm->counts ? "yes" : "no", NULL);
		put_num(&s, row, 5, (double)tr->n, c->f.count);
		put_date(c, &s, row, 6, tm->first_day, NULL);
		if (tm->has_total) {
			put_date(c, &s, row, 7, tm->last_day, NULL);
			put_num(&s, row, 8, tm->latest_total, c->f.count);
			put_str(&s, row, 9, tm->latest_bound ? "yes" : "no", NULL);
		}
		daily_facts(ds, (uint32_t)t, &last, &peak_day, &peak);
		put_num(&s, row, 10, last, c->f.count);
		put_num(&s, row, 12, tm->pace, c->f.count);
		if (isfinite(tm->pace) && tf->recent_span > 0)
			put_num(&s, row, 13, round(tf->recent_span), c->f.day);
		put_date(c, &s, row, 14, peak_day, NULL);
		put_num(&s, row, 15, peak, c->f.count);
		if (tm->model >= 0) {
			const struct ss_model *m = &ss_models[tm->model];
			const struct ss_model_fit *mf = &tf->m[tm->model];
			size_t len = 0;
			put_str(&s, row, 16, m->name, NULL);
			put_str(&s, row, 17,
				m->is_population  ? "measured (pace learned across tracks)"
				: m->is_yardstick ? (tf->fallback ? "recent pace (no curve fitted)"
								  : "recent pace")
				: tf->pooled	  ? "album shape (too few points alone)"
						  : "fitted",
				NULL);
			buf[0] = '\0';
			for (size_t j = 0; j < m->np && len < sizeof buf; j++)
				len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s=%.4g",
							j ? ", " : "", m->param[j].name,
							ss_fit_param(m, mf, j, NULL, NULL));
			put_str(&s, row, 18, buf, NULL);
			put_num(&s, row, 19, mf->rmse, c->f.dec);
			if (ss_model_is_curve(m))
				put_num(&s, row, 20, mf->weight, c->f.dec);
			put_num(&s, row, 21, (double)mf->n, c->f.count);
		} else if (tr->n > 0) {
			put_str(&s, row, 17, "no model", NULL);
		}
		track_note(r, tm, buf, sizeof buf);
		put_str(&s, row, 22, buf, NULL);
		row++;
	}
	spark_rows(c, &s, row);
	if (row > 1 && !table) {
		ok(&s, worksheet_autofilter(s.ws, 0, 0, row - 1, NCOLS - 1));
	} else if (row > 1) {
		lxw_table_column tc[NCOLS], *tcp[NCOLS + 1];
		lxw_table_options to = {.name = "Tracks",
					.style_type = LXW_TABLE_STYLE_TYPE_LIGHT,
					.style_type_number = 9};
		memset(tc, 0, sizeof tc);
		for (size_t j = 0; j < NCOLS; j++) {
			tc[j].header = (char *)cols[j];
			tc[j].header_format = c->f.header;
			tcp[j] = &tc[j];
		}
		tcp[NCOLS] = NULL;
		to.columns = tcp;
		ok(&s, worksheet_add_table(s.ws, 0, 0, row - 1, NCOLS - 1, &to));
	}
	worksheet_freeze_panes(s.ws, 1, 2);
	finish_sheet(&s);
	ok(&s, worksheet_set_column(s.ws, SPARK_CELL_COL, SPARK_CELL_COL, 16, NULL));
	page_setup(&s, 0, 0, 0);
}

/* ---- Charts ----------------------------------------------------------- */

/*
 * The Charts sheet is a grid of charts of one size, two to a row and
 * GRID_PAGE rows to a printed page (a page break after each such group), so
 * that printed one page wide no chart is cut across pages.  Each chart's
 * data is in columns CHART_DATA_COL onwards, right of the print area.
 *
 * Colours: a fixed palette, by a track's place in its album (its points,
 * curve, projection and band) or by an album's place among those compared.
 * Each track or album is named in the legend once; milestone lines are
 * labelled at their right end instead.
 */
#define GRID_COLS	10    /* sheet columns per chart slot */
#define GRID_ROWS	19    /* sheet rows per chart row: the chart and a line of note */
#define GRID_PAGE	3     /* chart rows per printed page (A4 or Letter, landscape) */
#define CHART_COL_WIDTH 9.0   /* of the grid's columns: 68 pixels */
#define CHART_W		640.0 /* pixels */
#define CHART_H		360.0 /* pixels: 18 rows of 20 */
/* percent: GRID_PAGE rows of charts (57 rows of 15 pt, 855 pt) within A4
 * landscape's 487 pt between the default margins; the grid's 20 columns
 * (1,020 pt) then take 551 of the 741 pt across */
#define CHARTS_PRINT_SCALE 54
#define DAILY_POINTS	   400 /* points of a track's daily line at most */
#define DAILY_WINDOW	   7   /* days of the daily average */
#define DAILY_MIN_DAYS	   4   /* ... of which have counts for a point */
#define MILESTONE_SPACE                                                                            \
	0.06 /* milestone lines closer than this share of the y axis                               \
	      * to the one below are left out (their labels would meet) */
#define MILESTONE_COLOUR 0x595959
#define GRID_COLOUR	 0xD9D9D9

static const lxw_color_t palette[] = {0x1F77B4, 0xFF7F0E, 0x2CA02C, 0xD62728, 0x9467BD,
				      0x8C564B, 0xE377C2, 0x7F7F7F, 0xBCBD22, 0x17BECF};
#define NPALETTE (sizeof palette / sizeof palette[0])

/* The i-th colour, and the i-th marker: a new shape once the colours repeat. */
static lxw_color_t colour_of(size_t i)
{
	return palette[i % NPALETTE];
}

static uint8_t marker_of(size_t i)
{
	static const uint8_t shapes[] = {LXW_CHART_MARKER_CIRCLE, LXW_CHART_MARKER_DIAMOND,
					 LXW_CHART_MARKER_TRIANGLE, LXW_CHART_MARKER_SQUARE};

	return shapes[(i / NPALETTE) % (sizeof shapes / sizeof shapes[0])];
}

/* A lighter tint of colour: 55% of the way to white. */
static lxw_color_t tint(lxw_color_t colour)
{
	lxw_color_t out = 0;

	for (int shift = 0; shift <= 16; shift += 8) {
		unsigned v = (colour >> shift) & 0xFF;
		out |= (lxw_color_t)(v + (255 - v) * 55 / 100) << shift;
	}
	return out;
}

/* The Charts sheet: where the next chart goes and the next data column. */
struct charts {
	struct sheet s;
	lxw_col_t col; /* the next free column of chart data */
	double *width; /* widths of the data columns, from CHART_DATA_COL */
	size_t nwidth;
	size_t slot; /* the next place on the grid */
};

/* One chart being built: its series, which stay out of the legend, and the
 * extent of the data it shows. */
struct plot {
	lxw_chart *ch;
	int16_t n;
	int16_t *hide; /* -1 terminated when handed to the library */
	size_t nhide, cap;
	double x0, x1, y1;
};

static void data_width(struct charts *k, lxw_col_t col, double w)
{
	if (col < CHART_DATA_COL)
		return;
	size_t i = (size_t)(col - CHART_DATA_COL), cap = k->nwidth;
	if (i >= k->nwidth) {
		xgrow(&k->width, &cap, i + 1, sizeof *k->width);
		memset(k->width + k->nwidth, 0, (i + 1 - k->nwidth) * sizeof *k->width);
		k->nwidth = i + 1;
	}
	w = w > WIDTH_MAX ? WIDTH_MAX : w;
	if (w > k->width[i])
		k->width[i] = w;
}

/* A number of chart data in a column wide enough to show it (never ###). */
static void data_num(struct charts *k, lxw_row_t row, lxw_col_t col, double v, lxw_format *fmt)
{
	if (!isfinite(v))
		return;
	put_num(&k->s, row, col, v, fmt);
	data_width(k, col,
		   fmt == k->s.c->f.date ? 12
		   : fabs(v) >= 1e9	 ? 16
		   : fabs(v) >= 1e6	 ? 13
					 : 9);
}

static void data_head(struct charts *k, lxw_row_t row, lxw_col_t col, const char *v,
		      lxw_format *fmt)
{
	put_str(&k->s, row, col, v, fmt);
	if (v && *v)
		data_width(k, col,
			   (double)strlen(v) * 1.1 + 1 > 30 ? 30 : (double)strlen(v) * 1.1 + 1);
}

static void plot_init(struct plot *p, struct ctx *c)
{
	memset(p, 0, sizeof *p);
	p->ch = need(workbook_add_chart(c->wb, LXW_CHART_SCATTER));
	p->x0 = INFINITY;
	p->x1 = -INFINITY;
	p->y1 = 0;
}

static void plot_extent(struct plot *p, double x, double y)
{
	if (!isfinite(x) || !isfinite(y))
		return;
	p->x0 = x < p->x0 ? x : p->x0;
	p->x1 = x > p->x1 ? x : p->x1;
	p->y1 = y > p->y1 ? y : p->y1;
}

/* A series of the rows r0..r1 of columns xcol (x) and ycol (y), named name
 * in the legend, or left out of it when name is NULL. */
static lxw_chart_series *plot_series(struct plot *p, struct sheet *s, lxw_col_t xcol,
				     lxw_col_t ycol, lxw_row_t r0, lxw_row_t r1, const char *name)
{
	lxw_chart_series *se = need(chart_add_series(p->ch, NULL, NULL));

	chart_series_set_categories(se, s->name, r0, xcol, r1, xcol);
	chart_series_set_values(se, s->name, r0, ycol, r1, ycol);
	if (name) {
		series_name(s, se, name);
	} else {
		xgrow(&p->hide, &p->cap, p->nhide + 2, sizeof *p->hide);
		p->hide[p->nhide++] = p->n;
	}
	p->n++;
	return se;
}

static void style_points(lxw_chart_series *se, lxw_color_t colour, uint8_t marker)
{
	chart_series_set_marker_type(se, marker);
	chart_series_set_marker_size(se, 5);
	chart_series_set_marker_fill(se, &(lxw_chart_fill){.color = colour});
	chart_series_set_marker_line(se, &(lxw_chart_line){.color = colour});
}

static void style_line(lxw_chart_series *se, lxw_color_t colour, float width, uint8_t dash)
{
	chart_series_set_marker_type(se, LXW_CHART_MARKER_NONE);
	chart_series_set_line(
		se, &(lxw_chart_line){.color = colour, .width = width, .dash_type = dash});
}

/* v rounded up to two significant digits: 105M -> 110M, 1.07B -> 1.1B. */
static double nice_ceil(double v)
{
	if (!(v > 0))
		return 1;
	double step = pow(10, floor(log10(v)) - 1);
	return ceil(v / step - 1e-9) * step;
}

/*
 * The top of a chart's y axis: a little above the highest value shown, or
 * the next milestone above it when that is near (so its line shows), never
 * the largest milestone for its own sake.
 */
static double axis_top(const struct ss_ms_options *opt, double highest)
{
	double top = highest > 0 ? highest : 1;

	for (size_t k = 0; k < opt->nmilestones; k++) {
		double m = (double)opt->milestone[k];
		if (m > top) {
			if (m <= top * 1.25)
				top = m;
			break;
		}
	}
	return nice_ceil(top * 1.05);
}

/* The y axis' number format for counts up to top. */
static const char *count_format(double top)
{
	return top >= 1e9   ? BILLIONS_FORMAT
	       : top >= 1e7 ? "#,##0,,\"M\""
	       : top >= 1e6 ? "#,##0.0,,\"M\""
	       : top >= 1e4 ? "#,##0,\"K\""
			    : "#,##0";
}

/* A custom data label's text: literal text as it is, one starting with '='
 * from a cell (see literal_cell()).  buf: room for the reference. */
static const char *label_text(struct sheet *s, const char *text, char *buf, size_t n)
{
	if (text[0] != '=')
		return text;
	snprintf(buf, n, "=%s!$XFD$%u", s->name, (unsigned)literal_cell(s, text) + 1);
	return buf;
}

/*
 * The lines of the milestones from x0 to x1 (the x axis' ends) that lie
 * within the y axis (up to top), each labelled at its right end, dashed and
 * darker than the gridlines; data at the next free columns.
 */
static void plot_milestones(struct ctx *c, struct charts *k, struct plot *p, double x0, double x1,
			    double top, lxw_format *xfmt)
{
	const struct ss_ms_options *opt = &c->r->ms->opt;
	lxw_col_t col = k->col;
	lxw_row_t row = 2;
	double below = 0;

	for (size_t m = 0; m < opt->nmilestones; m++) {
		double M = (double)opt->milestone[m];
		char name[32], buf[32];
		if (M > top)
			break;
		if (M - below < MILESTONE_SPACE * top)
			continue;
		below = M;
		if (row == 2) {
			data_head(k, 0, col, "milestones", c->f.header);
			k->col += 2;
		}
		ss_milestone_format(opt->milestone[m], name);
		data_head(k, row - 1, col, name, c->f.label);
		data_num(k, row, col, x0, xfmt);
		data_num(k, row + 1, col, x1, xfmt);
		data_num(k, row, col + 1, M, c->f.count);
		data_num(k, row + 1, col + 1, M, c->f.count);
		lxw_chart_series *se = plot_series(p, &k->s, col, col + 1, row, row + 1, NULL);
		series_name(&k->s, se, name);
		style_line(se, MILESTONE_COLOUR, 1.25f, LXW_CHART_LINE_DASH_DASH);
		lxw_chart_data_label first = {.hide = 1},
				     end = {.value = (char *)label_text(&k->s, name, buf,
									sizeof buf)};
		lxw_chart_data_label *labels[] = {&first, &end, NULL};
		chart_series_set_labels(se);
		ok(&k->s, chart_series_set_labels_custom(se, labels));
		chart_series_set_labels_position(se, LXW_CHART_LABEL_POSITION_ABOVE);
		chart_series_set_labels_font(
			se, &(lxw_chart_font){.size = 9, .bold = 1, .color = MILESTONE_COLOUR});
		row += 3;
	}
}

/*
 * Finish a chart: its axes (x from the data's first day or 0 to its last,
 * dates or day numbers; y from 0 to axis_top()), the milestone lines, the
 * legend below without the entries of series already named otherwise, and
 * its place on the grid.
 */
static void plot_place(struct ctx *c, struct charts *k, struct plot *p, const char *xname,
		       int dates, const char *yname, int milestones)
{
	const struct ss_ms_options *opt = &c->r->ms->opt;
	double top = milestones ? axis_top(opt, p->y1) : nice_ceil(p->y1 * 1.05);
	double x0 = p->x0, x1 = p->x1;
	lxw_chart_line grid = {.color = GRID_COLOUR, .width = 0.5f};

	if (dates) {
		/* ticks every 7, 14, 28 ... days: at most about eight */
		static const double units[] = {1, 7, 14, 28, 56, 91, 182, 364, 728, 1456};
		size_t u = 0;
		x1 = x1 > x0 ? x1 : x0 + 1;
		while (u + 1 < sizeof units / sizeof units[0] && (x1 - x0) / units[u] > 8)
			u++;
		chart_axis_set_major_unit(p->ch->x_axis, units[u]);
		chart_axis_set_num_format(p->ch->x_axis, "yyyy-mm-dd");
	} else {
		x0 = x0 < 0 ? -nice_ceil(-x0) : 0;
		x1 = nice_ceil(x1 > 1 ? x1 : 1);
	}
	if (milestones)
		plot_milestones(c, k, p, x0, x1, top, dates ? c->f.date : c->f.day);
	chart_axis_set_min(p->ch->x_axis, x0);
	chart_axis_set_max(p->ch->x_axis, x1);
	chart_axis_set_min(p->ch->y_axis, 0);
	chart_axis_set_max(p->ch->y_axis, top);
	chart_axis_set_name(p->ch->x_axis, xname);
	chart_axis_set_name(p->ch->y_axis, yname);
	chart_axis_set_num_format(p->ch->y_axis, count_format(top));
	chart_axis_major_gridlines_set_line(p->ch->y_axis, &grid);
	chart_legend_set_position(p->ch, LXW_CHART_LEGEND_BOTTOM);
	chart_title_set_name_font(p->ch, &(lxw_chart_font){.size = 11, .bold = 1});
	if (p->nhide) {
		p->hide[p->nhide] = -1;
		ok(&k->s, chart_legend_delete_series(p->ch, p->hide));
	}
	free(p->hide);
	p->hide = NULL;
	lxw_row_t row = (lxw_row_t)(1 + k->slot / 2 * GRID_ROWS);
	lxw_col_t col = (lxw_col_t)(k->slot % 2 * GRID_COLS);
	ok(&k->s, worksheet_insert_chart_opt(k->s.ws, row, col, p->ch,
					     &(lxw_chart_options){.x_scale = CHART_W / 480,
								  .y_scale = CHART_H / 288}));
	k->slot++;
}

/* A note in the next place on the grid instead of a chart (Excel has no
 * empty chart), or under the chart just placed (under == 1). */
static void slot_note(struct ctx *c, struct charts *k, const char *text, int under)
{
	size_t slot = under ? k->slot - 1 : k->slot;
	lxw_row_t row = (lxw_row_t)(1 + slot / 2 * GRID_ROWS + (under ? GRID_ROWS - 1 : 0));

	write_text(&k->s, row, (lxw_col_t)(slot % 2 * GRID_COLS), text, c->f.note);
	if (!under)
		k->slot++;
}

/*
 * The record chart: each album's "every track" line (its slowest counting
 * track: ss_ms_album_every_series()) by days since its release, for the
 * milestones some album reached or is next projected to reach; each
 * album's crossing marked and labelled ("Layover: day 72"), its projection
 * dashed from the last total to the projected crossing.
 */
static void chart_record(struct ctx *c, struct charts *k)
{
	char lab[SS_ALBUM_LABEL_MAX], text[SS_ALBUM_LABEL_MAX + 160], day[96], buf[32];
	const struct ss_report *r = c->r;
	const struct ss_ms_options *opt = &r->ms->opt;
	struct plot p;
	char left[1024] = "";
	size_t nleft = 0, drawn = 0;

	plot_init(&p, c);
	chart_title(&k->s, p.ch,
		    "The record: every track past each milestone (each album's slowest track)");
	for (size_t i = 0; i < r->nalbums && i < CHART_ALBUMS_MAX; i++) {
		uint32_t a = r->albums[i];
		const struct ss_album_ms *am = &r->ms->albums[a];
		int32_t rel = r->ds->albums[a].release, *days;
		double *least;
		size_t n = ss_ms_album_every_series(r->ds, r->ms, a, &days, &least);
		const char *name = ss_album_label(r->ds, a, lab, sizeof lab);
		lxw_col_t col = k->col;
		lxw_row_t nl = 0, nx = 0, np = 0;
		if (n == 0) {
			ss_ms_album_reason(r->ds, r->ms, a, 0, 0, day, sizeof day);
			nleft += (size_t)snprintf(
				left + nleft, nleft < sizeof left ? sizeof left - nleft : 0,
				"%s%s (%s)", nleft ? "; " : "", name, day[0] ? day : "no totals");
			free(days);
			free(least);
			continue;
		}
		data_head(k, 0, col, name, c->f.header);
		data_head(k, 1, col, "day", c->f.label);
		data_head(k, 1, col + 1, "every track", c->f.label);
		data_head(k, 1, col + 2, "day", c->f.label);
		data_head(k, 1, col + 3, "projected", c->f.label);
		data_head(k, 1, col + 4, "day", c->f.label);
		data_head(k, 1, col + 5, "crossing", c->f.label);
		double lastx = NAN, lasty = NAN;
		for (size_t j = 0; j < n; j++) {
			if (days[j] < rel - 1)
				continue;
			double x = ss_ms_day_number(opt, days[j], rel);
			data_num(k, 2 + nl, col, x, c->f.day);
			data_num(k, 2 + nl, col + 1, least[j], c->f.count);
			plot_extent(&p, x, least[j]);
			lastx = x, lasty = least[j];
			nl++;
		}
		free(days);
		free(least);
		/* the crossings reached, and the next one projected */
		lxw_chart_data_label lab_store[SS_MILESTONES_MAX], *labels[SS_MILESTONES_MAX + 1];
		char *texts[SS_MILESTONES_MAX];
		for (size_t m = 0; m < opt->nmilestones; m++) {
			const struct ss_crossing *x = &am->all[m].x;
			int reached = x->status == SS_MS_REACHED;
			if (!reached && x->status != SS_MS_PROJECTED)
				break;
			double d = ss_ms_day_number(opt, x->day, rel),
			       M = (double)opt->milestone[m];
			if (!reached) {
				if (np == 0 && isfinite(lastx)) {
					data_num(k, 2, col + 2, lastx, c->f.day);
					data_num(k, 2, col + 3, lasty, c->f.count);
					np++;
				}
				data_num(k, 2 + np, col + 2, d, c->f.day);
				data_num(k, 2 + np, col + 3, M, c->f.count);
				np++;
			}
			data_num(k, 2 + nx, col + 4, d, c->f.day);
			data_num(k, 2 + nx, col + 5, M, c->f.count);
			plot_extent(&p, d, M);
			snprintf(text, sizeof text, "%s: day %s%s", name,
				 ss_ms_day_text(opt, x, rel, day, sizeof day),
				 reached ? "" : " (projected)");
			char *safe = xml_text(text);
			texts[nx] = safe ? safe : xstrdup(text);
			lab_store[nx] = (lxw_chart_data_label){
				.value = (char *)label_text(&k->s, texts[nx], buf, sizeof buf)};
			if (lab_store[nx].value != texts[nx]) {
				free(texts[nx]);
				texts[nx] = xstrdup(buf);
				lab_store[nx].value = texts[nx];
			}
			labels[nx] = &lab_store[nx];
			nx++;
			if (!reached)
				break;
		}
		labels[nx] = NULL;
		lxw_color_t colour = colour_of(i);
		if (nl > 0) {
			lxw_chart_series *se =
				plot_series(&p, &k->s, col, col + 1, 2, 1 + nl, name);
			style_line(se, colour, 2.25f, LXW_CHART_LINE_DASH_SOLID);
		}
		if (np > 1) {
			lxw_chart_series *se = plot_series(&p, &k->s, col + 2, col + 3, 2, 1 + np,
							   nl ? NULL : name);
			style_line(se, colour, 2.25f, LXW_CHART_LINE_DASH_DASH);
		}
		if (nx > 0) {
			lxw_chart_series *se =
				plot_series(&p, &k->s, col + 4, col + 5, 2, 1 + nx, NULL);
			style_points(se, colour, LXW_CHART_MARKER_CIRCLE);
			chart_series_set_marker_size(se, 8);
			chart_series_set_labels(se);
			ok(&k->s, chart_series_set_labels_custom(se, labels));
			chart_series_set_labels_position(se, LXW_CHART_LABEL_POSITION_ABOVE);
			chart_series_set_labels_font(
				se, &(lxw_chart_font){.size = 9, .bold = 1, .color = colour});
			chart_series_set_labels_fill(se,
						     &(lxw_chart_fill){.color = LXW_COLOR_WHITE});
		}
		for (lxw_row_t j = 0; j < nx; j++)
			free(texts[j]);
		k->col += 6;
		drawn++;
	}
	if (drawn == 0) {
		/* the chart is never handed to the worksheet: workbook_close()
		 * frees it with the others */
		free(p.hide);
		slot_note(c, k,
			  "No album has a total for each of its counting tracks yet: no record "
			  "chart.",
			  0);
		return;
	}
	plot_place(c, k, &p, "days since the album's release (day 1 = release day)", 0,
		   "streams of the album's slowest track", 1);
	if (nleft) {
		char note[sizeof left + 16];
		snprintf(note, sizeof note, "Not drawn: %s.", left);
		slot_note(c, k, note, 1);
	}
}

/* Every album's total (counting tracks) against days since its release,
 * with the milestones as labelled lines. */
static void chart_albums(struct ctx *c, struct charts *k)
{
	char lab[SS_ALBUM_LABEL_MAX];
	const struct ss_report *r = c->r;
	struct plot p;

	plot_init(&p, c);
	chart_title(&k->s, p.ch, "Album total (counting tracks) by days since release");
	for (size_t i = 0; i < r->nalbums && i < CHART_ALBUMS_MAX; i++) {
		uint32_t a = r->albums[i];
		int32_t *days;
		double *tot;
		lxw_col_t col = k->col;
		size_t n = ss_ms_album_series(r->ds, r->ms, a, &days, &tot);
		data_head(k, 0, col, ss_album_label(r->ds, a, lab, sizeof lab), c->f.header);
		data_head(k, 1, col, "day", c->f.label);
		data_head(k, 1, col + 1, "total", c->f.label);
		for (size_t j = 0; j < n; j++) {
			double d = ss_ms_day_number(&r->ms->opt, days[j], r->ds->albums[a].release);
			data_num(k, (lxw_row_t)(j + 2), col, d, c->f.day);
			data_num(k, (lxw_row_t)(j + 2), col + 1, tot[j], c->f.count);
			plot_extent(&p, d, tot[j]);
		}
		if (n > 0) {
			lxw_chart_series *se =
				plot_series(&p, &k->s, col, col + 1, 2, (lxw_row_t)(n + 1),
					    ss_album_label(r->ds, a, lab, sizeof lab));
			style_line(se, colour_of(i), 2.0f, LXW_CHART_LINE_DASH_SOLID);
			style_points(se, colour_of(i), LXW_CHART_MARKER_CIRCLE);
		}
		free(days);
		free(tot);
		k->col += 2;
	}
	if (p.n == 0) {
		slot_note(c, k, "No album has totals yet: no album chart.", 0);
		return;
	}
	plot_place(c, k, &p, "days since the album's release (day 1 = release day)", 0,
		   "album total", 1);
}

/* Excel's serial number of a day. */
static double serial(const struct ctx *c, int32_t day)
{
	return (double)(day - c->excel_epoch);
}

/*
 * One album's tracks by date: each track's observed totals (points), its
 * model's curve (solid over the days fitted, dashed where projected) and
 * the projection's interval (two lines in a lighter tint), all in the
 * track's colour; the milestones within reach as labelled lines.
 */
static void chart_album_tracks(struct ctx *c, struct charts *k, uint32_t a)
{
	char lab[SS_ALBUM_LABEL_MAX];
	const struct ss_report *r = c->r;
	const struct ss_dataset *ds = r->ds;
	char title[SS_ALBUM_LABEL_MAX + 100];
	size_t ntr = 0, nmembers;
	const uint32_t *members = ss_ms_album_tracks(r->ms, a, &nmembers);
	struct plot p;

	plot_init(&p, c);
	snprintf(title, sizeof title,
		 "%s: tracks observed (points), model (line; dashed: projected)",
		 ss_album_label(ds, a, lab, sizeof lab));
	chart_title(&k->s, p.ch, title);
	for (size_t m = 0; m < nmembers && ntr < CHART_TRACKS_MAX; m++) {
		uint32_t t = members[m];
		const struct ss_track_ms *tm = &r->ms->tracks[t];
		const struct ss_track_fit *tf = ss_fits_track(r->fits, t, &c->tf);
		size_t n;
		const struct ss_obs *obs = ss_series_of(ds, t, &n);
		lxw_col_t col = k->col;
		if (n == 0)
			continue;
		lxw_color_t colour = colour_of(ntr), light = tint(colour);
		uint8_t marker = marker_of(ntr);
		ntr++;
		const char *name = ss_track_name(ds, t);
		data_head(k, 0, col, name, c->f.header);
		static const char *const h[] = {"date", "observed", "date", "model", "low", "high"};
		for (size_t j = 0; j < 6; j++)
			data_head(k, 1, col + (lxw_col_t)j, h[j], c->f.label);
		/* at most about CHART_POINTS observed points: every step-th total,
		 * and the last */
		size_t ntot = 0, seen = 0;
		for (size_t j = 0; j < n; j++)
			ntot += (obs[j].flags & SS_OBS_TOTAL) != 0;
		size_t step = ntot > CHART_POINTS ? (ntot + CHART_POINTS - 1) / CHART_POINTS : 1;
		lxw_row_t nobs = 0;
		for (size_t j = 0; j < n; j++)
			if ((obs[j].flags & SS_OBS_TOTAL) && (seen++ % step == 0 || seen == ntot)) {
				data_num(k, 2 + nobs, col, serial(c, obs[j].day), c->f.date);
				data_num(k, 2 + nobs, col + 1, (double)obs[j].total, c->f.count);
				plot_extent(&p, serial(c, obs[j].day), (double)obs[j].total);
				nobs++;
			}
		int named = 0;
		if (nobs) {
			lxw_chart_series *se =
				plot_series(&p, &k->s, col, col + 1, 2, 1 + nobs, name);
			style_points(se, colour, marker);
			named = 1;
		}
		if (tm->model >= 0 && tf->has_anchor) {
			/* to the next milestone's projection (or 3x the span
			 * observed), at most 3x the span: CHART_POINTS days evenly
			 * over the days fitted, as many over the projection */
			int32_t end = tf->anchor_day + (int32_t)fmax(30, tm->span);
			for (size_t q = 0; q < r->ms->opt.nmilestones; q++)
				if (tm->c[q].status == SS_MS_PROJECTED) {
					end = tm->c[q].day;
					break;
				}
			int32_t cap = tf->anchor_day + (int32_t)(3 * fmax(tm->span, 30));
			end = end > cap ? cap : end;
			/* a curve over the days it was fitted to, then projected; the
			 * recent pace and the pace model only from the last total on */
			int32_t from = ss_model_is_curve(&ss_models[tm->model]) ? tm->first_day
										: tf->anchor_day;
			from = from < tf->anchor_day ? from : tf->anchor_day;
			lxw_row_t np = 0, ia = 0, nband = 0;
			for (int part = from < tf->anchor_day ? 0 : 1; part < 2; part++) {
				int32_t d0 = part ? tf->anchor_day : from,
					d1 = part ? end : tf->anchor_day;
				for (size_t j = part && np ? 1 : 0; j < CHART_POINTS; j++) {
					int32_t d = d0 + (int32_t)((double)(d1 - d0) * (double)j /
								   (CHART_POINTS - 1));
					double lo, hi,
						v = ss_ms_curve(tf, tm->model, d, r->ms->opt.level,
								tm->span, &lo, &hi);
					if (!isfinite(v) || v < 0)
						continue;
					if (d == tf->anchor_day)
						ia = np;
					data_num(k, 2 + np, col + 2, serial(c, d), c->f.date);
					data_num(k, 2 + np, col + 3, v, c->f.count);
					plot_extent(&p, serial(c, d), v);
					if (part && isfinite(lo) && isfinite(hi)) {
						data_num(k, 2 + np, col + 4, lo, c->f.count);
						data_num(k, 2 + np, col + 5, hi, c->f.count);
						plot_extent(&p, serial(c, d), hi);
						nband++;
					}
					np++;
					if (d1 == d0)
						break;
				}
			}
			if (ia > 0) {
				lxw_chart_series *se = plot_series(&p, &k->s, col + 2, col + 3, 2,
								   2 + ia, named ? NULL : name);
				style_line(se, colour, 1.5f, LXW_CHART_LINE_DASH_SOLID);
				named = 1;
			}
			if (np > ia + 1) {
				lxw_chart_series *se =
					plot_series(&p, &k->s, col + 2, col + 3, 2 + ia, 1 + np,
						    named ? NULL : name);
				style_line(se, colour, 1.5f, LXW_CHART_LINE_DASH_DASH);
				for (lxw_col_t q = 4; q < 6 && nband; q++) {
					se = plot_series(&p, &k->s, col + 2, col + q, 2 + ia,
							 1 + np, NULL);
					style_line(se, light, 1.0f, LXW_CHART_LINE_DASH_SOLID);
				}
			}
		}
		k->col += 6;
	}
	if (p.n == 0) {
		/* an album without totals (listed in a catalog before its data):
		 * Excel has no empty chart, so the sheet says why there is none */
		snprintf(title, sizeof title, "%s: no track has totals or a curve to chart yet.",
			 ss_album_label(ds, a, lab, sizeof lab));
		slot_note(c, k, title, 0);
		return;
	}
	plot_place(c, k, &p, "date", 1, "streams (total)", 1);
}

/*
 * One album's daily streams by date: each track's average over the last
 * DAILY_WINDOW days that have counts (a point where DAILY_MIN_DAYS of them
 * do), in the track's colour as on its totals chart.
 */
static void chart_album_daily(struct ctx *c, struct charts *k, uint32_t a)
{
	char lab[SS_ALBUM_LABEL_MAX];
	const struct ss_report *r = c->r;
	const struct ss_dataset *ds = r->ds;
	char title[SS_ALBUM_LABEL_MAX + 100];
	size_t ntr = 0, nmembers;
	const uint32_t *members = ss_ms_album_tracks(r->ms, a, &nmembers);
	struct plot p;

	plot_init(&p, c);
	snprintf(title, sizeof title, "%s: daily streams (%d-day average)",
		 ss_album_label(ds, a, lab, sizeof lab), DAILY_WINDOW);
	chart_title(&k->s, p.ch, title);
	for (size_t m = 0; m < nmembers && ntr < CHART_TRACKS_MAX; m++) {
		uint32_t t = members[m];
		size_t n, npts = 0;
		const struct ss_obs *obs = ss_series_of(ds, t, &n);
		lxw_col_t col = k->col;
		if (n == 0)
			continue;
		lxw_color_t colour = colour_of(ntr);
		ntr++; /* the same place, so the same colour, as on the totals chart */
		/* the days with a full enough window, then every step-th */
		for (size_t j = 0, lo = 0, have = 0; j < n; j++) {
			for (; obs[lo].day <= obs[j].day - DAILY_WINDOW; lo++)
				have -= (obs[lo].flags & SS_OBS_STREAMS) != 0;
			have += (obs[j].flags & SS_OBS_STREAMS) != 0;
			npts += (obs[j].flags & SS_OBS_STREAMS) && have >= DAILY_MIN_DAYS;
		}
		if (npts == 0)
			continue;
		size_t step = npts > DAILY_POINTS ? (npts + DAILY_POINTS - 1) / DAILY_POINTS : 1;
		const char *name = ss_track_name(ds, t);
		data_head(k, 0, col, name, c->f.header);
		data_head(k, 1, col, "date", c->f.label);
		data_head(k, 1, col + 1, "daily (7-day)", c->f.label);
		lxw_row_t row = 2;
		double sum = 0;
		size_t seen = 0;
		for (size_t j = 0, lo = 0, have = 0; j < n; j++) {
			for (; obs[lo].day <= obs[j].day - DAILY_WINDOW; lo++)
				if (obs[lo].flags & SS_OBS_STREAMS)
					have--, sum -= (double)obs[lo].streams;
			if (!(obs[j].flags & SS_OBS_STREAMS))
				continue;
			have++, sum += (double)obs[j].streams;
			if (have < DAILY_MIN_DAYS || !(seen++ % step == 0 || seen == npts))
				continue;
			data_num(k, row, col, serial(c, obs[j].day), c->f.date);
			data_num(k, row, col + 1, sum / (double)have, c->f.count);
			plot_extent(&p, serial(c, obs[j].day), sum / (double)have);
			row++;
		}
		lxw_chart_series *se = plot_series(&p, &k->s, col, col + 1, 2, row - 1, name);
		style_line(se, colour, 1.5f, LXW_CHART_LINE_DASH_SOLID);
		k->col += 2;
	}
	if (p.n == 0) {
		snprintf(title, sizeof title,
			 "%s: no daily counts on %d of %d days to average (only totals).",
			 ss_album_label(ds, a, lab, sizeof lab), DAILY_MIN_DAYS, DAILY_WINDOW);
		slot_note(c, k, title, 0);
		return;
	}
	plot_place(c, k, &p, "date", 1, "streams a day", 0);
}

static void sheet_charts(struct ctx *c)
{
	const struct ss_report *r = c->r;
	struct charts k = {.s = {.ws = need(workbook_add_worksheet(c->wb, "Charts")),
				 .name = "Charts",
				 .c = c},
			   .col = CHART_DATA_COL};
	size_t shown = 0;

	write_text(&k.s, 0, 0,
		   "Charts read the data to their right (column U onwards). First: the record "
		   "(each album's slowest track against the milestones); then each album's "
		   "tracks, totals and daily streams.",
		   c->f.note);
	chart_record(c, &k);
	chart_albums(c, &k);
	for (size_t i = 0; i < r->nalbums && shown < CHART_ALBUMS_MAX; i++, shown++) {
		chart_album_tracks(c, &k, r->albums[i]);
		chart_album_daily(c, &k, r->albums[i]);
	}
	lxw_row_t last = (lxw_row_t)(1 + (k.slot + 1) / 2 * GRID_ROWS);
	if (r->nalbums > CHART_ALBUMS_MAX) {
		char buf[160];
		snprintf(
			buf, sizeof buf,
			"Per-track charts for the first %d of %zu albums (use --albums to choose).",
			CHART_ALBUMS_MAX, r->nalbums);
		write_text(&k.s, last, 0, buf, c->f.note);
	}
	/* a page break before every GRID_PAGE-th row of charts; the print area
	 * is the grid, not the data */
	size_t nbreaks = (k.slot + 1) / 2 / GRID_PAGE + 1, nb = 0;
	lxw_row_t *breaks = xcalloc(nbreaks + 1, sizeof *breaks);
	for (lxw_row_t b = 1 + GRID_ROWS * GRID_PAGE; b < last; b += GRID_ROWS * GRID_PAGE)
		breaks[nb++] = b;
	if (nb)
		ok(&k.s, worksheet_set_h_pagebreaks(k.s.ws, breaks));
	free(breaks);
	ok(&k.s, worksheet_print_area(k.s.ws, 0, 0, last, CHART_DATA_COL - 1));
	finish_sheet(&k.s);
	ok(&k.s, worksheet_set_column(k.s.ws, 0, CHART_DATA_COL - 1, CHART_COL_WIDTH, NULL));
	for (size_t i = 0; i < k.nwidth; i++)
		if (k.width[i] > 0)
			ok(&k.s, worksheet_set_column(k.s.ws, (lxw_col_t)(CHART_DATA_COL + i),
						      (lxw_col_t)(CHART_DATA_COL + i),
						      k.width[i] < 8 ? 8 : k.width[i], NULL));
	free(k.width);
	page_setup(&k.s, -1, -1, 0);
	/* a scale, not "fit to one page wide": fitting overrides the page
	 * breaks (Excel ignores them), and a chart would be cut */
	worksheet_set_print_scale(k.s.ws, CHARTS_PRINT_SCALE);
}

/* ---- Daily ------------------------------------------------------------ */

static size_t rows_of_albums(const struct ctx *c)
{
	size_t rows = 0;

	for (size_t q = 0; q < c->ntracks; q++)
		rows += c->r->ds->tracks[c->order[q]].n;
	return rows;
}

/* The first day of the period of `months` months (1 or 3) holding day, and
 * the last. */
static int32_t period_of(int32_t day, int months, int32_t *last)
{
	int y, mo, d;

	ss_date_to_ymd(day, &y, &mo, &d);
	mo = (mo - 1) / months * months + 1;
	int end = mo + months - 1;
	*last = ss_date_from_ymd(y, end, ss_date_days_in_month(y, end));
	return ss_date_from_ymd(y, mo, 1);
}

/* Rows of the compared albums' series summarised by periods of months. */
static size_t period_rows(const struct ctx *c, int months)
{
	size_t rows = 0;

	for (size_t q = 0; q < c->ntracks; q++) {
		size_t n;
		const struct ss_obs *obs = ss_series_of(c->r->ds, c->order[q], &n);
		int32_t last = INT32_MIN;
		for (size_t j = 0; j < n; j++)
			if (obs[j].day > last) {
				period_of(obs[j].day, months, &last);
				rows++;
			}
	}
	return rows;
}

static void sheet_daily(struct ctx *c)
{
	char lab[SS_ALBUM_LABEL_MAX];
	const struct ss_report *r = c->r;
	const struct ss_dataset *ds = r->ds;
	struct sheet s = {.ws = add_streamed_sheet(c->wb, "Daily"), .name = "Daily", .c = c};
	size_t rows = rows_of_albums(c);
	int monthly = rows > DAILY_ROWS_MAX;
	int months = monthly && period_rows(c, 1) > MONTH_ROWS_MAX ? 3 : 1;
	size_t shown = monthly ? period_rows(c, months) : rows;
	static const char *const daily_cols[] = {
		"Album", "Track", "Date", "Streams", "Total", "Total is a lower bound", "Notes"};
	const char *const month_cols[] = {"Album",
					  "Track",
					  months == 3 ? "Quarter" : "Month",
					  "Streams (days with counts)",
					  "Days with counts",
					  months == 3 ? "Total at quarter end"
						      : "Total at month end"};
	lxw_row_t row = 2;
	char buf[320];

	if (monthly)
		snprintf(buf, sizeof buf,
			 "%zu daily observations are too many for a useful sheet: summarised by "
			 "%s (streams summed over the days that have daily counts; the last "
			 "total of the period). The JSON summary and 'streamstat fit' have more.",
			 rows, months == 3 ? "quarter" : "month");
	else
		snprintf(buf, sizeof buf,
			 "The cleaned series: one row per track and observed day (%zu rows).",
			 rows);
	write_text(&s, 0, 0, buf, c->f.note);
	if (shown > LAST_ROW - 1) {
		snprintf(buf, sizeof buf, "Excel holds %d rows: the first %d of %zu shown.",
			 LAST_ROW + 1, LAST_ROW - 1, shown);
		write_text(&s, 0, 8, buf, c->f.note);
	}
	if (monthly)
		headers(c, &s, 1, month_cols, sizeof month_cols / sizeof month_cols[0]);
	else
		headers(c, &s, 1, daily_cols, sizeof daily_cols / sizeof daily_cols[0]);
	for (size_t q = 0; q < c->ntracks && row <= LAST_ROW; q++) {
		size_t t = c->order[q], n;
		const struct ss_obs *obs = ss_series_of(ds, (uint32_t)t, &n);
		const char *album = ss_album_label(ds, ds->tracks[t].album, lab, sizeof lab);
		const char *track = ss_track_name(ds, (uint32_t)t);
		for (size_t j = 0; j < n && row <= LAST_ROW;) {
			const struct ss_obs *o = &obs[j];
			if (!monthly) {
				put_str(&s, row, 0, album, NULL);
				put_str(&s, row, 1, track, NULL);
				put_date(c, &s, row, 2, o->day, NULL);
				if (o->flags & SS_OBS_STREAMS)
					put_num(&s, row, 3, (double)o->streams, c->f.count);
				if (o->flags & SS_OBS_TOTAL) {
					put_num(&s, row, 4, (double)o->total, c->f.count);
					put_str(&s, row, 5,
						o->flags & SS_OBS_AT_LEAST ? "yes" : "no", NULL);
				}
				snprintf(buf, sizeof buf, "%s%s%s%s%s",
					 o->flags & SS_OBS_CROSSED ? "crossed that day; " : "",
					 o->flags & SS_OBS_GAP ? "after missing days; " : "",
					 o->flags & SS_OBS_CORRECTION ? "total went down; " : "",
					 o->flags & SS_OBS_MERGED ? "merged rows; " : "",
					 o->flags & (SS_OBS_STREAMS_DERIVED | SS_OBS_TOTAL_DERIVED)
						 ? "derived"
						 : "");
				put_str(&s, row, 6, buf, NULL);
				row++;
				j++;
				continue;
			}
			int32_t period_end, start = period_of(o->day, months, &period_end);
			double streams = 0, total = NAN;
			int days = 0;
			for (; j < n && obs[j].day <= period_end; j++) {
				if (obs[j].flags & SS_OBS_STREAMS)
					streams += (double)obs[j].streams, days++;
				if (obs[j].flags & SS_OBS_TOTAL)
					total = (double)obs[j].total;
			}
			put_str(&s, row, 0, album, NULL);
			put_str(&s, row, 1, track, NULL);
			put_date(c, &s, row, 2, start, c->f.date);
			if (days)
				put_num(&s, row, 3, streams, c->f.count);
			put_num(&s, row, 4, days, c->f.count);
			put_num(&s, row, 5, total, c->f.count);
			row++;
		}
	}
	worksheet_freeze_panes(s.ws, 2, 2);
	if (row > 2)
		ok(&s, worksheet_autofilter(s.ws, 1, 0, row - 1, monthly ? 5 : 6));
	finish_sheet(&s);
	page_setup(&s, 1, 1, 0);
}

/* ---- Backtest, Data quality, About ------------------------------------- */

static void sheet_backtest(struct ctx *c)
{
	const struct ss_report *r = c->r;
	struct sheet s = {
		.ws = need(workbook_add_worksheet(c->wb, "Backtest")), .name = "Backtest", .c = c};
	static const char *const cols[] = {"Method",	  "Horizon (days)", "Cuts",
					   "Dated",	  "Never",	    "Median error (days)",
					   "Bias (days)", "Coverage",	    "Covered of judged",
					   "Judged",	  "Covered"};
	char buf[400];
	lxw_row_t row = 4;

	if (!r->bt) {
		write_text(&s, 0, 0, "The backtest did not run (--no-backtest).", c->f.note);
		page_setup(&s, -1, -1, 0);
		return;
	}
	snprintf(buf, sizeof buf,
		 "Histories cut 7 to 120 days before %zu crossings observed to within a week "
		 "(%zu of %zu eligible tracks), refitted, projected and compared with what "
		 "happened.",
		 r->bt->cases, r->bt->tracks_used, r->bt->tracks_eligible);
	write_text(&s, 0, 0, buf, c->f.note);
	snprintf(buf, sizeof buf, "Model rule: %s.", r->bt->rule);
	write_text(&s, 1, 0, buf, c->f.note);
	snprintf(buf, sizeof buf,
		 "Bias: median of projected minus observed day (positive is late). Coverage: "
		 "share of observed days inside the %.0f%% interval (a wrong \"never\" counts as "
		 "outside).",
		 100 * r->ms->opt.level);
	write_text(&s, 2, 0, buf, c->f.note);
	headers(c, &s, 3, cols, sizeof cols / sizeof cols[0]);
	char skipped[200] = "";
	size_t left_out = 0, slen = 0;
	for (size_t i = 0; i < SS_BT_METHODS; i++) {
		if (i >= ss_nmodels && i != SS_BT_CHOSEN)
			continue;
		if (!ss_bt_scored(r->bt, i)) {
			/* not fitted (the curves without --curves): rows of zeros */
			if (slen < sizeof skipped)
				slen += (size_t)snprintf(skipped + slen, sizeof skipped - slen,
							 "%s%s", left_out++ ? ", " : "",
							 ss_bt_method_name(i));
			continue;
		}
		for (size_t h = 0; h <= SS_BT_HORIZONS; h++, row++) {
			const struct ss_bt_score *sc = &r->bt->score[i][h];
			put_str(&s, row, 0, ss_bt_method_name(i), NULL);
			if (h < SS_BT_HORIZONS)
				put_num(&s, row, 1, ss_bt_horizons[h], c->f.day);
			else
				put_str(&s, row, 1, "all", NULL);
			put_num(&s, row, 2, sc->cases, c->f.count);
			put_num(&s, row, 3, sc->projected, c->f.count);
			put_num(&s, row, 4, sc->never, c->f.count);
			/* whole days; the coverage with the count it comes from */
			put_num(&s, row, 5, round(sc->median_abs) + 0.0, c->f.day);
			put_num(&s, row, 6, round(sc->bias) + 0.0, c->f.day); /* never -0 */
			put_num(&s, row, 7, sc->coverage, c->f.pct);
			if (sc->judged) {
				snprintf(buf, sizeof buf, "%zu of %zu", (size_t)sc->covered,
					 (size_t)sc->judged);
				put_str(&s, row, 8, buf, c->f.right);
			}
			put_num(&s, row, 9, sc->judged, c->f.count);
			put_num(&s, row, 10, sc->covered, c->f.count);
		}
	}
	if (left_out) {
		snprintf(buf, sizeof buf, "Not fitted, so not shown: %s (--curves fits them).",
			 skipped);
		write_text(&s, row + 1, 0, buf, c->f.note);
	}
	worksheet_freeze_panes(s.ws, 4, 1);
	finish_sheet(&s);
	page_setup(&s, 3, 3, 0);
}

static void sheet_quality(struct ctx *c)
{
	char lab[SS_ALBUM_LABEL_MAX];
	const struct ss_report *r = c->r;
	const struct ss_dataset *ds = r->ds;
	const struct ss_problems *p = &ds->problems;
	struct sheet s = {
		.ws = add_streamed_sheet(c->wb, "Data quality"), .name = "Data quality", .c = c};
	const struct ss_series_stats *st = r->st;
	lxw_row_t row = 0;
	char buf[200];

	put_str(&s, row++, 0, "Series", c->f.header);
	const struct {
		const char *label;
		uint64_t v;
	} stats[] = {{"observations", st->observations},
		     {"rows merged into another of the same day", st->merged},
		     {"... of which disagreed", st->conflicts},
		     {"totals below an earlier total (corrections)", st->corrections},
		     {"observations after missing days", st->gaps},
		     {"daily counts derived from totals", st->derived_streams},
		     {"totals derived from daily counts", st->derived_totals},
		     {"totals that are lower bounds", st->at_least},
		     {"observations before the release", st->before_release}};
	for (size_t i = 0; i < sizeof stats / sizeof stats[0]; i++, row++) {
		put_str(&s, row, 0, stats[i].label, c->f.label);
		put_num(&s, row, 1, (double)stats[i].v, c->f.count);
	}
	row++;
	put_str(&s, row, 0, "Problem kind", c->f.header);
	put_str(&s, row, 1, "Count", c->f.header);
	put_str(&s, row++, 2, "Severity", c->f.header);
	for (size_t k = 0; k < SS_P_KIND_COUNT; k++)
		if (p->count[k]) {
			put_str(&s, row, 0, ss_problem_kind_name((enum ss_problem_kind)k), NULL);
			put_num(&s, row, 1, (double)p->count[k], c->f.count);
			put_str(&s, row++, 2,
				ss_severity_name(ss_problem_severity((enum ss_problem_kind)k)),
				NULL);
		}
	row++;
	put_str(&s, row, 0, "Release dates not given (inferred)", c->f.header);
	put_str(&s, row, 1, "Track", c->f.header);
	put_str(&s, row++, 2, "Date", c->f.header);
	for (size_t t = 0; t < ss_dataset_ntracks(ds); t++)
		if (ds->tracks[t].release_src == SS_SRC_INFERRED) {
			put_str(&s, row, 0,
				ss_album_label(ds, ds->tracks[t].album, lab, sizeof lab), NULL);
			put_str(&s, row, 1, ss_track_name(ds, (uint32_t)t), NULL);
			put_date(c, &s, row++, 2, ds->tracks[t].release, NULL);
		}
	row++;
	snprintf(buf, sizeof buf, "Every problem (%zu listed%s)", p->n,
		 p->not_kept ? "; more were counted than kept" : "");
	put_str(&s, row++, 0, buf, c->f.header);
	static const char *const cols[] = {"File", "Line", "Severity", "Kind", "Message"};
	headers(c, &s, row++, cols, 5);
	for (size_t i = 0; i < p->n; i++, row++) {
		const struct ss_problem *q = &p->list[i];
		put_str(&s, row, 0, q->file < ds->nfiles ? ds->files[q->file].path : "", NULL);
		if (q->line)
			put_num(&s, row, 1, (double)q->line, c->f.count);
		put_str(&s, row, 2, ss_severity_name(ss_problem_severity(q->kind)), NULL);
		put_str(&s, row, 3, ss_problem_kind_name(q->kind), NULL);
		put_str(&s, row, 4, q->msg, NULL);
	}
	finish_sheet(&s);
	page_setup(&s, -1, -1, 0);
}

static void sheet_about(struct ctx *c)
{
	const struct ss_report *r = c->r;
	struct sheet s = {
		.ws = need(workbook_add_worksheet(c->wb, "About")), .name = "About", .c = c};
	lxw_row_t row = 0;
	char buf[400];

	put_str(&s, row++, 0, "streamstat report", c->f.title);
	put_str(&s, row, 0, "version", c->f.label);
	put_str(&s, row++, 1, r->version, NULL);
	put_str(&s, row, 0, "as of", c->f.label);
	put_date(c, &s, row++, 1, r->as_of, NULL);
	put_str(&s, row, 0, "options", c->f.label);
	put_str(&s, row++, 1, r->options && *r->options ? r->options : "(none)", NULL);
	put_str(&s, row, 0, "days", c->f.label);
	put_str(&s, row++, 1,
		r->ms->opt.day_zero ? "the release day is day 0 (elapsed days)"
				    : "the release day is day 1",
		NULL);
	put_str(&s, row, 0, "intervals", c->f.label);
	snprintf(buf, sizeof buf, "%.0f%% prediction intervals", 100 * r->ms->opt.level);
	put_str(&s, row++, 1, buf, NULL);
	put_str(&s, row, 0, "run time", c->f.label);
	put_str(&s, row++, 1,
		"in the JSON summary (kept out of the workbook so that reruns give identical "
		"files)",
		NULL);
	row++;
	static const char *const fcols[] = {"Input", "Kind", "Bytes", "SHA-256"};
	headers(c, &s, row++, fcols, 4);
	for (size_t i = 0; i < r->nfiles; i++, row++) {
		put_str(&s, row, 0, r->files[i].path, NULL);
		put_str(&s, row, 1, r->files[i].is_catalog ? "catalog" : "history", NULL);
		put_num(&s, row, 2, (double)r->files[i].bytes, c->f.count);
		put_str(&s, row, 3, r->files[i].sha256, NULL);
	}
	row++;
	static const char *const mcols[] = {"Model", "Shape", "Formula"};
	headers(c, &s, row++, mcols, 3);
	for (size_t i = 0; i < ss_nmodels; i++, row++) {
		put_str(&s, row, 0, ss_models[i].name, NULL);
		put_str(&s, row, 1, ss_models[i].label, NULL);
		put_str(&s, row, 2, ss_models[i].formula, NULL);
	}
	finish_sheet(&s);
	page_setup(&s, -1, -1, 0);
}

/* ---- Changes ---------------------------------------------------------- */

/* A milestone's cell format: the one of that milestone (its label, "1B"),
 * else counts in millions or billions. */
static lxw_format *milestone_format(const struct ctx *c, int64_t m)
{
	for (size_t k = 0; k < c->r->ms->opt.nmilestones && k < SS_MILESTONES_MAX; k++)
		if (c->r->ms->opt.milestone[k] == m)
			return c->f.milestone[k];
	return c->f.millions;
}

static void sheet_changes(struct ctx *c)
{
	const struct ss_report *r = c->r;
	const struct ss_dataset *ds = r->ds;
	const struct ss_changes *ch = r->changes;
	struct sheet s = {
		.ws = need(workbook_add_worksheet(c->wb, "Changes")), .name = "Changes", .c = c};
	static const char *const cols[] = {"Kind",	    "Album",	"Track",	"Milestone",
					   "Previous date", "New date", "Moved (days)", "Change"};
	enum { NCOLS = sizeof cols / sizeof cols[0] };
	char buf[200], date[SS_DATE_LEN + 1], lab[SS_ALBUM_LABEL_MAX];
	lxw_row_t row = 2;

	if (!ch || ch->since == SS_DAY_NONE) {
		write_text(&s, 0, 0,
			   ch && ch->unreadable
				   ? "The earlier report in the output directory could not be "
				     "read: nothing compared."
				   : "No earlier report in the output directory: this one is the "
				     "baseline the next reports compare with.",
			   c->f.note);
		page_setup(&s, -1, -1, 0);
		return;
	}
	ss_date_format(ch->since, date);
	snprintf(buf, sizeof buf,
		 "Changes since the report as of %s (%zu), most important first: milestones "
		 "reached and records, ranks, projections that left their interval, models.",
		 date, ch->n);
	write_text(&s, 0, 0, buf, c->f.note);
	headers(c, &s, 1, cols, NCOLS);
	for (size_t i = 0; i < ch->n && row <= LAST_ROW; i++, row++) {
		const struct ss_change *e = &ch->list[i];
		int known;
		int32_t moved = ss_change_moved(e, &known);
		put_str(&s, row, 0, ss_change_kind_name((enum ss_change_kind)e->kind), NULL);
		put_str(&s, row, 1, ss_album_label(ds, e->album, lab, sizeof lab), NULL);
		if (e->track != SS_NONE)
			put_str(&s, row, 2, ss_track_name(ds, e->track), NULL);
		if (e->milestone)
			put_num(&s, row, 3, (double)e->milestone,
				milestone_format(c, e->milestone));
		put_date(c, &s, row, 4, e->was, NULL);
		put_date(c, &s, row, 5, e->now, NULL);
		if (known)
			put_num(&s, row, 6, moved, c->f.day);
		put_str(&s, row, 7, e->text, NULL);
	}
	worksheet_freeze_panes(s.ws, 2, 0);
	if (row > 2)
		ok(&s, worksheet_autofilter(s.ws, 1, 0, row - 1, NCOLS - 1));
	finish_sheet(&s);
	page_setup(&s, 1, 1, 0);
}

/* ---- sparklines --------------------------------------------------------- */

/*
 * The Tracks sheet's sparklines as the worksheet extension Excel 2010 reads
 * (x14:sparklineGroups): one group, a line per row from 1 to
 * c->spark_rows in the "Last 90 days" column, reading that row of
 * SPARK_SHEET.  The caller frees the text; *len is its length.
 */
static char *spark_xml(const struct ctx *c, size_t *len)
{
	static const char head[] =
		"<extLst><ext uri=\"{05C60535-1F16-4fd2-B633-F4F36F0B64E0}\" "
		"xmlns:x14=\"http://schemas.microsoft.com/office/spreadsheetml/2009/9/main\">"
		"<x14:sparklineGroups "
		"xmlns:xm=\"http://schemas.microsoft.com/office/excel/2006/main\">"
		"<x14:sparklineGroup manualMin=\"0\" lineWeight=\"1.25\" "
		"displayEmptyCellsAs=\"gap\" markers=\"1\" minAxisType=\"custom\" "
		"displayHidden=\"1\">"
		"<x14:colorSeries theme=\"4\" tint=\"-0.499984740745262\"/>"
		"<x14:colorNegative theme=\"5\"/><x14:colorAxis rgb=\"FF000000\"/>"
		"<x14:colorMarkers theme=\"4\" tint=\"-0.499984740745262\"/>"
		"<x14:colorFirst theme=\"4\" tint=\"0.39997558519241921\"/>"
		"<x14:colorLast theme=\"4\" tint=\"0.39997558519241921\"/>"
		"<x14:colorHigh theme=\"4\"/><x14:colorLow theme=\"4\"/>"
		"<x14:sparklines>";
	static const char tail[] = "</x14:sparklines></x14:sparklineGroup>"
				   "</x14:sparklineGroups></ext></extLst>";
	/* a row: at most 103 bytes ("...A10000:CL10000...L10000...") */
	size_t cap = sizeof head + sizeof tail + (size_t)c->spark_rows * 160, n = 0;
	char *out = xmalloc(cap);

	memcpy(out, head, sizeof head - 1);
	n = sizeof head - 1;
	for (lxw_row_t row = 1; row <= c->spark_rows; row++) {
		char range[LXW_MAX_CELL_RANGE_LENGTH], cell[LXW_MAX_CELL_NAME_LENGTH];
		lxw_rowcol_to_range(range, row, 0, row, SPARK_DAYS - 1);
		lxw_rowcol_to_cell(cell, row, SPARK_CELL_COL);
		n += (size_t)snprintf(out + n, cap - n,
				      "<x14:sparkline><xm:f>'" SPARK_SHEET "'!%s</xm:f>"
				      "<xm:sqref>%s</xm:sqref>"
				      "</x14:sparkline>",
				      range, cell);
	}
	memcpy(out + n, tail, sizeof tail);
	*len = n + sizeof tail - 1;
	return out;
}

/* ---- the workbook ----------------------------------------------------- */

static void make_formats(struct ctx *c)
{
	struct formats *f = &c->f;

	f->header = need(workbook_add_format(c->wb));
	format_set_bold(f->header);
	format_set_bottom(f->header, LXW_BORDER_THIN);
	format_set_bg_color(f->header, 0xDDEBF7);
	f->title = need(workbook_add_format(c->wb));
	format_set_bold(f->title);
	format_set_font_size(f->title, 13);
	f->note = need(workbook_add_format(c->wb));
	format_set_italic(f->note);
	format_set_font_color(f->note, 0x595959);
	f->label = need(workbook_add_format(c->wb));
	format_set_bold(f->label);
	f->right = need(workbook_add_format(c->wb));
	format_set_align(f->right, LXW_ALIGN_RIGHT);
	f->date = need(workbook_add_format(c->wb));
	format_set_num_format(f->date, "yyyy-mm-dd");
	format_set_align(f->date, LXW_ALIGN_LEFT);
	f->count = need(workbook_add_format(c->wb));
	format_set_num_format(f->count, "#,##0");
	f->millions = need(workbook_add_format(c->wb));
	format_set_num_format(f->millions, BILLIONS_FORMAT);
	f->day = need(workbook_add_format(c->wb));
	format_set_num_format(f->day, "0");
	f->dec = need(workbook_add_format(c->wb));
	format_set_num_format(f->dec, "0.000");
	f->pct = need(workbook_add_format(c->wb));
	format_set_num_format(f->pct, "0.0%");
	f->record = need(workbook_add_format(c->wb));
	format_set_bold(f->record);
	format_set_bg_color(f->record, 0xC6EFCE);
	format_set_num_format(f->record, "0");
	format_set_align(f->record, LXW_ALIGN_LEFT);
	f->record_date = need(workbook_add_format(c->wb));
	format_set_bold(f->record_date);
	format_set_bg_color(f->record_date, 0xC6EFCE);
	format_set_num_format(f->record_date, "yyyy-mm-dd");
	format_set_align(f->record_date, LXW_ALIGN_LEFT);
	for (size_t k = 0; k < c->r->ms->opt.nmilestones && k < SS_MILESTONES_MAX; k++) {
		char m[32], nf[40];
		ss_milestone_format(c->r->ms->opt.milestone[k], m);
		snprintf(nf, sizeof nf, "\"%s\"", m);
		f->milestone[k] = need(workbook_add_format(c->wb));
		format_set_num_format(f->milestone[k], nf);
		format_set_align(f->milestone[k], LXW_ALIGN_RIGHT);
	}
	f->rank = need(workbook_add_format(c->wb));
	format_set_num_format(f->rank, "0");
	format_set_align(f->rank, LXW_ALIGN_LEFT);
	f->rank_inferred = need(workbook_add_format(c->wb));
	format_set_num_format(f->rank_inferred, "0\" (days from inferred release dates)\"");
	format_set_align(f->rank_inferred, LXW_ALIGN_LEFT);
	f->rank_record = need(workbook_add_format(c->wb));
	format_set_num_format(f->rank_record, "0\" (record)\"");
	format_set_bold(f->rank_record);
	format_set_bg_color(f->rank_record, 0xC6EFCE);
	format_set_align(f->rank_record, LXW_ALIGN_LEFT);
	f->rank_record_inferred = need(workbook_add_format(c->wb));
	format_set_num_format(f->rank_record_inferred,
			      "0\" (record, days from inferred release dates)\"");
	format_set_bold(f->rank_record_inferred);
	format_set_bg_color(f->rank_record_inferred, 0xC6EFCE);
	format_set_align(f->rank_record_inferred, LXW_ALIGN_LEFT);
	f->cmp = need(workbook_add_format(c->wb));
	format_set_border(f->cmp, LXW_BORDER_HAIR);
	f->cmp_record = need(workbook_add_format(c->wb));
	format_set_border(f->cmp_record, LXW_BORDER_HAIR);
	format_set_bold(f->cmp_record);
	format_set_bg_color(f->cmp_record, 0xC6EFCE);
	f->cmp_projected = need(workbook_add_format(c->wb));
	format_set_border(f->cmp_projected, LXW_BORDER_HAIR);
	format_set_italic(f->cmp_projected);
	format_set_font_color(f->cmp_projected, 0x1F4E79);
	format_set_text_wrap(f->cmp_projected);
	format_set_align(f->cmp, LXW_ALIGN_VERTICAL_TOP);
	format_set_align(f->cmp_record, LXW_ALIGN_VERTICAL_TOP);
	format_set_align(f->cmp_projected, LXW_ALIGN_VERTICAL_TOP);
	f->cmp_label = need(workbook_add_format(c->wb));
	format_set_bold(f->cmp_label);
	format_set_align(f->cmp_label, LXW_ALIGN_VERTICAL_TOP);
	f->wrap = need(workbook_add_format(c->wb));
	format_set_text_wrap(f->wrap);
	format_set_align(f->wrap, LXW_ALIGN_VERTICAL_TOP);
	const struct {
		lxw_format **f;
		lxw_color_t bg, fg;
	} st[] = {{&f->st_reached, 0xC6EFCE, 0x006100},
		  {&f->st_projected, 0xDDEBF7, 0x1F4E79},
		  {&f->st_after, 0xEDEDED, 0x595959},
		  {&f->st_never, 0xD9D9D9, 0x404040},
		  {&f->st_unknown, 0xFFEB9C, 0x9C5700}};
	for (size_t i = 0; i < sizeof st / sizeof st[0]; i++) {
		*st[i].f = need(workbook_add_format(c->wb));
		format_set_bg_color(*st[i].f, st[i].bg);
		format_set_font_color(*st[i].f, st[i].fg);
	}
}

enum ss_status ss_report_write_xlsx(const struct ss_report *r, const char *path, const char *tmpdir,
				    struct ss_error *err)
{
	lxw_workbook_options wo = {.constant_memory = LXW_FALSE, .tmpdir = (char *)tmpdir};
	struct ctx c = {.r = r, .excel_epoch = ss_date_from_ymd(EXCEL_EPOCH_Y, 12, 30)};

	c.ntracks = ss_report_tracks(r, &c.order);
	lxw_doc_properties props = {.title = "streamstat report", .author = "streamstat"};

	c.wb = workbook_new_opt(path, &wo);
	if (!c.wb) {
		free(c.order);
		return ss_error_set(err, SS_ERR_CANTCREAT, path, 0, "cannot create the workbook");
	}
	/* the as-of date at 00:00 UTC: nothing in the file depends on the clock */
	props.created = (time_t)r->as_of * 86400;
	c.failed = workbook_set_properties(c.wb, &props);
	c.failed_in = "the document properties";
	make_formats(&c);
	sheet_summary(&c);
	sheet_milestones(&c);
	sheet_tracks(&c);
	sheet_charts(&c);
	sheet_daily(&c);
	sheet_backtest(&c);
	sheet_quality(&c);
	sheet_about(&c);
	sheet_changes(&c);
	sheet_spark_data(&c);
	errno = 0;
	lxw_error e = workbook_close(c.wb);
	int sys = errno;
	free(c.order);
	if (e == LXW_NO_ERROR && c.failed != LXW_NO_ERROR)
		return ss_error_set(
			err, c.failed == LXW_ERROR_MEMORY_MALLOC_FAILED ? SS_ERR_NOMEM : SS_ERR_IO,
			path, 0, "cannot write the workbook: %s: %s", c.failed_in,
			lxw_strerror(c.failed));
	if (e == LXW_NO_ERROR && c.spark_rows) {
		/* the library's zip read back first: a part it cut short is
		 * named as damage, not as a part the sparklines cannot go in */
		enum ss_status zst = ss_zip_check(path, err);
		if (zst != SS_OK)
			return zst;
		char part[64];
		size_t len;
		char *xml = spark_xml(&c, &len);
		snprintf(part, sizeof part, "xl/worksheets/sheet%u.xml", c.spark_sheet + 1);
		enum ss_status st =
			ss_zip_append_xml(path, tmpdir, part, "</worksheet>", xml, len, err);
		free(xml);
		if (st != SS_OK)
			return st;
	}
	if (e == LXW_NO_ERROR)
		return ss_zip_check(path, err);
	/* libxlsxwriter names a failed malloc or tmpfile() "a permissions error" */
	if (e == LXW_ERROR_MEMORY_MALLOC_FAILED || sys == ENOMEM)
		return ss_error_set(err, SS_ERR_NOMEM, path, 0,
				    "out of memory writing the workbook");
	return ss_error_set(err, e == LXW_ERROR_CREATING_XLSX_FILE ? SS_ERR_CANTCREAT : SS_ERR_IO,
			    path, 0, "cannot write the workbook: %s", lxw_strerror(e));
}
