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
 * What files as people have them need is said with struct ss_ingest_options,
 * one per history file: the delimiter (else detected from the header line),
 * a column of the file read as one of ours (else a few common names, such as
 * "song" for track, are known aliases), a track, album, artist, date or
 * release date for the whole file, the date layout, the thousands separator, and the wide
 * layout (date,SongA,SongB,...).  Every conversion made is noted (a problem
 * of kind SS_P_INPUT_FORMAT, shown by check -v); nothing is guessed.
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

#include "streamstat/date.h"

/* The fields a history file's columns are read as (--column FIELD=NAME). */
#define SS_INGEST_FIELDS 9

/* What the cells of a wide table are. */
enum ss_values { SS_VALUES_UNSET, SS_VALUES_TOTAL, SS_VALUES_STREAMS };

/* How to read one history file.  All zero reads plain CSV as documented. */
struct ss_ingest_options {
	int has_as_of;
	int32_t as_of;	  /* rows dated after this day are counted, not used */
	char delimiter;	  /* field separator; 0: detect from the header line */
	char thousands;	  /* ',' or '.' between thousands in counts; 0: none */
	int has_date_fmt; /* dates are in date_fmt, not YYYY-MM-DD */
	struct ss_date_fmt date_fmt;
	const char *column[SS_INGEST_FIELDS]; /* by field: the file's column read as it */
	const char *track, *album, *artist;   /* a field for every row, the file lacking it */
	int has_date;			      /* ... and a date (date) */
	int32_t date;
	int has_release_date; /* ... and every track's release date (release_date) */
	int32_t release_date;
	int track_from_filename; /* the track is the file's name without its extension */
	int wide;		 /* one column per track after the date */
	enum ss_values values;	 /* what a wide table's cells are */
};

/* The field (index into ss_ingest_options.column) named name, or -1. */
int ss_ingest_field(const char *name, size_t len);

/* The name of field f ("release_date"). */
const char *ss_ingest_field_name(int f);

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
