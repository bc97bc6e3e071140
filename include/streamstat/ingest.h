/*
 * ingest.h - read stream histories and catalogs into a dataset.
 *
 * A history file is CSV with a header row naming its columns in any order
 * and case: date, track, album (unless the catalog supplies it), artist,
 * streams and/or total, bound (exact | at_least | crossed), release_date,
 * album_release_date.  Other columns are ignored and listed once.  A catalog
 * is CSV with album, track and optionally artist, album_release_date,
 * track_release_date, counts (yes | no).
 *
 * Every problem lands in ds->problems with its file and line, and every row
 * read is counted as used, skipped or after --as-of in its struct ss_file:
 * nothing is dropped silently.  Ingest does not sort, merge or check one row
 * against another: that is the series stage.
 */
#ifndef STREAMSTAT_INGEST_H
#define STREAMSTAT_INGEST_H

#include <stdint.h>

#include "streamstat/dataset.h"
#include "streamstat/error.h"

struct ss_ingest_options {
	int has_as_of;
	int32_t as_of; /* rows dated after this day are counted, not used */
};

/*
 * Read a catalog.  Read catalogs before data files, so that albums and
 * tracks are numbered in catalog order.  Returns SS_OK (data problems are
 * logged, not returned), SS_ERR_NOINPUT, SS_ERR_IO or SS_ERR_LIMIT.
 */
enum ss_status ss_ingest_catalog(struct ss_dataset *ds, const char *path, struct ss_error *err);

/* Read one history file; returns as ss_ingest_catalog(). */
enum ss_status ss_ingest_file(struct ss_dataset *ds, const char *path,
			      const struct ss_ingest_options *opt, struct ss_error *err);

/* Log the catalog's albums that no data file mentioned; call after all files. */
void ss_ingest_finish(struct ss_dataset *ds);

#endif
