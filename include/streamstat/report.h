/*
 * report.h - what a run found, written for people (the workbook, with
 * libxlsxwriter) and for other tools (the JSON summary, with jansson).
 *
 * Both writers read one struct ss_report: the dataset and every stage's
 * result, the albums compared (in release order), the inputs with their
 * checksums, and the run's options.  Neither changes it, and nothing
 * upstream knows about either format.
 *
 * Reruns on the same input give byte-identical workbooks: the workbook's
 * creation date is the as-of date and nothing in it depends on the clock
 * (the run time goes to the JSON summary only).
 *
 * Ownership: struct ss_report borrows everything it points to; the
 * writers allocate nothing that outlives the call.
 */
#ifndef STREAMSTAT_REPORT_H
#define STREAMSTAT_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "streamstat/backtest.h"
#include "streamstat/changes.h"
#include "streamstat/dataset.h"
#include "streamstat/error.h"
#include "streamstat/fit.h"
#include "streamstat/milestones.h"
#include "streamstat/series.h"

/* The JSON summary's "schema": bumped when a key changes meaning or goes
 * away (the next run's comparison reads SS_PREV_SCHEMA_MIN up to it).
 * 2: an album or track is one compact line, and a track's milestone
 * entries leave out keys whose value is null, false or [] (a reader takes
 * a missing key as that value). */
#define SS_REPORT_SCHEMA 2

#define SS_HEADLINES	3
#define SS_HEADLINE_LEN 320
#define SS_SHA256_HEX	64

/* One input file as the About sheet lists it. */
struct ss_report_file {
	const char *path;
	int is_catalog;
	uint64_t bytes;
	char sha256[SS_SHA256_HEX + 1]; /* lowercase hex; "" when unread */
};

struct ss_report {
	const struct ss_dataset *ds;
	const struct ss_series_stats *st;
	const struct ss_fits *fits;
	const struct ss_milestones *ms;	  /* ms->opt holds the milestones and conventions */
	const struct ss_backtest *bt;	  /* NULL when the backtest did not run */
	const struct ss_changes *changes; /* since the previous report; NULL: none */
	int32_t as_of;			  /* the report's date */
	const uint32_t *albums;		  /* the albums compared, in release order */
	size_t nalbums;
	const struct ss_report_file *files;
	size_t nfiles;
	const char *version;
	const char *options; /* the command line after "report", as given */
	double seconds;	     /* run time: JSON only */
	char headline[SS_HEADLINES][SS_HEADLINE_LEN]; /* ss_report_headlines() */
};

/*
 * The albums of ds in release order (ties by name), those of only[0..n)
 * when n > 0 (names; SS_ERR_USAGE naming one that is not in the data).
 * *out is allocated; the caller frees it.
 */
enum ss_status ss_report_albums(const struct ss_dataset *ds, const char *const *only, size_t n,
				uint32_t **out, size_t *nout, struct ss_error *err);

/* The tracks of the albums compared, album by album in r->albums' order,
 * ids ascending within one: returns their number; *order is allocated
 * (the caller frees it). */
size_t ss_report_tracks(const struct ss_report *r, uint32_t **order);

/*
 * When an album's crossing x was, for a sentence: "on 2023-11-18, day 72",
 * "by 2023-11-18 (day 1..100)" for one only known by then, and "... counted
 * from an inferred release date (2020-09-05)" when the day rests on one.
 * Returns the length written to buf.
 */
size_t ss_report_when(const struct ss_report *r, uint32_t album, const struct ss_crossing *x,
		      char *buf, size_t size);

/* Fill r->headline: three sentences a person reads first (e.g. which album
 * reached which milestone fastest). */
void ss_report_headlines(struct ss_report *r);

/*
 * Write the workbook to path (libxlsxwriter's temporary files go to tmpdir,
 * or the system's when NULL), then read it back (ss_zip_check()): SS_OK only
 * when every library call succeeded and the finished file is whole.  Else
 * SS_ERR_CANTCREAT, SS_ERR_NOMEM or SS_ERR_IO with the library's message or
 * the damaged part in err.
 */
enum ss_status ss_report_write_xlsx(const struct ss_report *r, const char *path, const char *tmpdir,
				    struct ss_error *err);

/* Write the JSON summary (README: "JSON summary") to path.  err's message
 * does not name path (it may be a /proc/self/fd name): the caller does. */
enum ss_status ss_report_write_json(const struct ss_report *r, const char *path,
				    struct ss_error *err);

/* SHA-256 of a file as lowercase hex into out (SS_SHA256_HEX + 1 bytes),
 * and its size; SS_ERR_NOINPUT or SS_ERR_IO. */
enum ss_status ss_sha256_file(const char *path, char *out, uint64_t *bytes, struct ss_error *err);

#endif
