/*
 * changes.h - what changed since the previous report: the news of a
 * nightly run.
 *
 * The previous report is the JSON summary with the latest as-of date before
 * this one in the output directory (publish.h: ss_report_before()), so a
 * rerun on the same data compares with the same report and finds the same
 * changes (the workbook stays byte-identical).  It is read once, keeping
 * only what the comparison needs, into an index on (artist, album, track):
 * struct ss_prev.
 *
 * Found, most important first:
 *  - milestones newly reached, an album's first: the track that completes
 *    its album's "every track" ("Blue passed 50M on 2023-11-18 - every
 *    Layover track is now past 50M, day 72, fastest of 3");
 *  - records: an album newly rank 1 for "every track >= M";
 *  - then tracks' crossings ("For Us (Layover) passed 50M by 2023-11-18");
 *  - other rank changes, of observed crossings only;
 *  - projected dates (albums', then tracks') that left the previous run's
 *    interval and moved by more than moved_days; never one past the
 *    horizon (those are "after");
 *  - tracks whose model changed.
 *
 * Ownership: struct ss_changes owns its texts (ss_changes_release());
 * struct ss_prev is an opaque handle (ss_prev_free()), and the entries and
 * crossings it hands out live as long as it does.
 */
#ifndef STREAMSTAT_CHANGES_H
#define STREAMSTAT_CHANGES_H

#include <stddef.h>
#include <stdint.h>

#include "streamstat/dataset.h"
#include "streamstat/error.h"
#include "streamstat/milestones.h"

struct ss_report;

/* ---- the previous report ---------------------------------------------- */

/* The summary schemas this version reads (report.h: SS_REPORT_SCHEMA). */
#define SS_PREV_SCHEMA_MIN 1

struct ss_prev;

/* A crossing as the previous report gave it. */
struct ss_prev_crossing {
	int64_t milestone;
	int32_t day;	/* "date"; SS_DAY_NONE when null */
	int32_t lo, hi; /* a projection's interval; SS_DAY_NONE when null, hi
			 * SS_DAY_NEVER when open at the top */
	uint32_t rank;	/* 0: none */
	uint8_t status; /* enum ss_ms_status; SS_MS_STATUS_COUNT: a word not known */
};

/* An album ("every track" crossings) or a track of the previous report. */
struct ss_prev_entry {
	const struct ss_prev_crossing *c; /* in the order written */
	size_t n;
	const char *model; /* a track's model; NULL when null or not given */
};

/*
 * Read the summary at path into *out.  SS_ERR_DATA (err: path, line, what
 * is wrong) when it is not a JSON summary, or of a schema this version does
 * not read; SS_ERR_NOINPUT when it cannot be opened or read.  Nothing is
 * kept but the as-of date, the albums' and tracks' names, crossings and
 * models, and the warnings.
 */
enum ss_status ss_prev_load(const char *path, struct ss_prev **out, struct ss_error *err);

void ss_prev_free(struct ss_prev **p);

/* The previous report's as-of date (SS_DAY_NONE: not given). */
int32_t ss_prev_as_of(const struct ss_prev *p);

/*
 * The album titled album by artist ("" when none) and its track (track
 * NULL: the album itself), or NULL.  An entry without an "artist" key (a
 * report older than album identity) is that title by any artist.
 */
const struct ss_prev_entry *ss_prev_find(const struct ss_prev *p, const char *artist,
					 const char *album, const char *track);

/* The entry's crossing of milestone, or NULL (e may be NULL). */
const struct ss_prev_crossing *ss_prev_crossing_of(const struct ss_prev_entry *e,
						   int64_t milestone);

/* Does the previous report list its warnings (older ones do not)? */
int ss_prev_has_warnings(const struct ss_prev *p);

/*
 * Mark the warnings of ds (its kept problems of severity warning and above,
 * as printed) that the previous report listed too: old[i] = 1 for
 * ds->problems.list[i], 0 otherwise (old has ds->problems.n entries).  A
 * warning is its file, kind and message, not its line (rows added above
 * it move it); each of the previous report's warnings matches one at most.
 * Returns how many were marked.
 */
size_t ss_prev_match_warnings(struct ss_prev *p, const struct ss_dataset *ds, uint8_t *old);

/* The as-of date of the summary at path, read from its first keys alone,
 * or SS_DAY_NONE. */
int32_t ss_prev_peek_as_of(const char *path);

/* ---- the changes ------------------------------------------------------ */

enum ss_change_kind {
	SS_CH_REACHED, /* a milestone newly reached */
	SS_CH_RECORD,  /* a record taken */
	SS_CH_RANK,    /* a rank that changed */
	SS_CH_MOVED,   /* a projected date that moved */
	SS_CH_MODEL,   /* a track's model changed */
	SS_CH_KIND_COUNT
};

const char *ss_change_kind_name(enum ss_change_kind k); /* "reached", "record" ... */

struct ss_change {
	uint8_t kind;	   /* enum ss_change_kind */
	uint32_t album;	   /* the album (a dataset id) */
	uint32_t track;	   /* the track; SS_NONE: the album's every track */
	int64_t milestone; /* 0: none (a model's change) */
	int32_t was;	   /* the previous report's date (projected); SS_DAY_NONE: none */
	int32_t now;	   /* this report's date; SS_DAY_NONE: none */
	char *text;	   /* owned; one line, no newline */
};

struct ss_changes {
	int32_t since;	/* as-of date of the report compared with; SS_DAY_NONE: none */
	int unreadable; /* there was an earlier report, but it could not be read */
	struct ss_change *list;
	size_t n, cap;
};

/* now - was in days, when both are dates; else 0 with *known 0. */
int32_t ss_change_moved(const struct ss_change *c, int *known);

/*
 * Compare r with prev (NULL: no previous report, no changes), into out,
 * most important first (see above).
 */
void ss_changes_find(const struct ss_prev *prev, const struct ss_report *r, int moved_days,
		     struct ss_changes *out);

void ss_changes_release(struct ss_changes *c);

#endif
