/*
 * changes.h - what changed since the previous report: the news of a
 * nightly run.
 *
 * The previous report is the JSON summary with the latest as-of date before
 * this one in the output directory (streamstat-YYYY-MM-DD.json), so a rerun
 * on the same data compares with the same report and finds the same
 * changes (the workbook stays byte-identical).  Found, in this order:
 *  - milestones newly reached: a track's ("Blue passed 50M on 2023-11-18"),
 *    merged into its album's when it completes "every track" ("... - every
 *    Layover track is now past 50M, day 72, fastest of 3");
 *  - records: an album newly rank 1 for "every track >= M";
 *  - other rank changes;
 *  - projected dates that moved by more than moved_days (tracks and albums);
 *  - tracks whose model changed.
 *
 * Ownership: struct ss_changes owns its texts; ss_changes_release().
 */
#ifndef STREAMSTAT_CHANGES_H
#define STREAMSTAT_CHANGES_H

#include <stddef.h>
#include <stdint.h>

#include "streamstat/error.h"
#include "streamstat/milestones.h"

struct ss_report;

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
	uint8_t kind; /* enum ss_change_kind */
	char *text;   /* owned; one line, no newline */
};

struct ss_changes {
	int32_t since; /* as-of date of the report compared with; SS_DAY_NONE: none */
	struct ss_change *list;
	size_t n, cap;
};

/*
 * The previous report for a run as of as_of writing into dir: the path of
 * the summary with the latest date before as_of (allocated), or NULL.
 */
char *ss_changes_baseline(const char *dir, int32_t as_of);

/*
 * Compare r with the summary at prev (NULL: no previous report, no
 * changes).  SS_ERR_DATA when prev cannot be read as a summary (the
 * message says why); out is then empty.
 */
enum ss_status ss_changes_find(const char *prev, const struct ss_report *r, int moved_days,
			       struct ss_changes *out, struct ss_error *err);

void ss_changes_release(struct ss_changes *c);

/* The as-of date of the summary at path, or SS_DAY_NONE. */
int32_t ss_changes_as_of(const char *path);

#endif
