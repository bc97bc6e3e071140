/*
 * dataset.h - what ingest produces: input files, albums, tracks,
 * observations and the problem log.
 *
 * Albums and tracks are numbered from 0 in the order they are first met
 * (catalog first, then data files in command-line order).
 *
 * An album is its (artist, title) wherever an artist is given: two artists'
 * "Greatest Hits" are two albums.  A row without an artist names the album
 * of that title when there is just one; with several it is ambiguous (the
 * caller says so).  An album first met without an artist takes the artist of
 * the first row that names one, unless an album of that title by that
 * artist already exists (ss_dataset_album()).  Observations are
 * appended by ingest in input order; the series stage (series.h) later sorts
 * them by track and day in place, merges duplicates and fills in each
 * track's range [first, first + n).
 *
 * Ownership: the dataset owns everything in it, names included (they live in
 * the intern tables).  ss_dataset_release() frees it all.
 */
#ifndef STREAMSTAT_DATASET_H
#define STREAMSTAT_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "streamstat/intern.h"
#include "streamstat/problems.h"

#define SS_FILES_MAX 65535 /* file indices are 16 bits in struct ss_obs */

/* Where a release date came from, strongest first. */
enum ss_date_source {
	SS_SRC_NONE = 0, /* unknown (a track without observations or catalog date) */
	SS_SRC_CATALOG,	 /* the catalog file */
	SS_SRC_COLUMN,	 /* a release_date / album_release_date column in the data */
	SS_SRC_ALBUM,	 /* a track without its own date takes its album's */
	SS_SRC_INFERRED	 /* the first observed date (album: its tracks' most common) */
};

const char *ss_date_source_name(enum ss_date_source src);

struct ss_file {
	char *path; /* owned; SS_STDIN_NAME for standard input */
	int is_catalog;
	int is_stdin; /* read from standard input (the path "-") */
	int fatal;    /* the file could not be used at all */
	uint64_t bytes;
	uint64_t lines;
	uint64_t rows;	      /* data rows, header excluded, lost rows included */
	uint64_t used;	      /* rows that became observations */
	uint64_t skipped;     /* rows skipped for a problem (each one logged) */
	uint64_t after_as_of; /* rows dated after --as-of, left out by request */
};

struct ss_album {
	uint32_t artist;     /* id in the dataset's artist table, or SS_NONE */
	uint32_t next_title; /* the next album with the same title, or SS_NONE */
	int32_t release;     /* day number; meaningful unless release_src is NONE */
	uint8_t release_src; /* enum ss_date_source */
	uint8_t in_catalog;
	uint8_t in_data;   /* some data row names it */
	uint8_t warned;	   /* a release-date conflict was already logged */
	uint32_t src_file; /* where the release date was given (file index, line) */
	uint64_t src_line;
	uint32_t cat_file; /* where the catalog first lists it */
	uint64_t cat_line;
	uint32_t ntracks;
	uint8_t adopted;	/* met without an artist, then given the first one named */
	uint8_t warned_adopted; /* ... and another artist's album of its title was logged */
	uint32_t unnamed_file;	/* where a row first named it without an artist, or SS_NONE */
	uint64_t unnamed_line;
};

struct ss_track {
	uint32_t album;
	int32_t release;
	uint8_t release_src;
	uint8_t counts; /* counts toward "every track" milestones */
	uint8_t in_catalog;
	uint8_t warned; /* a release-date conflict was already logged */
	uint32_t src_file;
	uint64_t src_line;
	uint32_t cat_file; /* where the catalog lists it (when in_catalog) */
	uint64_t cat_line;
	size_t first, n; /* its observations, once the series stage has run */
};

enum ss_obs_flag {
	SS_OBS_STREAMS = 1u << 0,	  /* streams (that day's count) is known */
	SS_OBS_TOTAL = 1u << 1,		  /* total (cumulative) is known */
	SS_OBS_AT_LEAST = 1u << 2,	  /* total is only a lower bound */
	SS_OBS_STREAMS_DERIVED = 1u << 3, /* streams computed from two totals */
	SS_OBS_TOTAL_DERIVED = 1u << 4,	  /* total computed from daily streams */
	SS_OBS_CORRECTION = 1u << 5,	  /* total below an earlier one */
	SS_OBS_GAP = 1u << 6,		  /* days are missing before this one */
	SS_OBS_MERGED = 1u << 7,	  /* several rows for this day were merged */
	SS_OBS_CONFLICT = 1u << 8,	  /* ... and they disagreed */
	SS_OBS_MISMATCH = 1u << 9,	  /* streams and total disagree */
	SS_OBS_BEFORE_RELEASE = 1u << 10, /* dated before the track's release */
	SS_OBS_CROSSED = 1u << 11	  /* a lower bound passed that very day ("crossed
					   * 100M on ..."): the day before was below it */
};

/* One day of one track: 32 bytes, the unit of memory at scale. */
struct ss_obs {
	int32_t day;	/* day number (date.h) */
	uint32_t track; /* track id */
	uint32_t line;	/* source line (saturates at UINT32_MAX) */
	uint16_t file;	/* source file index */
	uint16_t flags; /* enum ss_obs_flag */
	int64_t streams;
	int64_t total;
};

struct ss_dataset {
	struct ss_file *files;
	size_t nfiles, filecap;

	struct ss_intern album_names; /* album ids; parent = the artist given first */
	struct ss_intern track_names; /* track ids; parent = album id */
	struct ss_intern artist_names;
	struct ss_intern album_titles; /* distinct titles; title_head[id] = first album */
	uint32_t *title_head;
	size_t title_headcap;
	struct ss_album *albums;
	size_t albumcap;
	struct ss_track *tracks;
	size_t trackcap;

	struct ss_obs *obs;
	size_t nobs, obscap;
	int sorted; /* the series stage has run */

	struct ss_problems problems;

	/* When set, ss_dataset_append() hands every SS_OBS_SINK_CHUNK observations
	 * to obs_sink and starts the array afresh: "split" streams rows through
	 * ingest in constant memory this way (the caller flushes the rest). */
	void (*obs_sink)(void *arg, const struct ss_obs *obs, size_t n);
	void *obs_sink_arg;
};

#define SS_OBS_SINK_CHUNK 65536

static inline size_t ss_dataset_nalbums(const struct ss_dataset *ds)
{
	return ds->album_names.n;
}

static inline size_t ss_dataset_ntracks(const struct ss_dataset *ds)
{
	return ds->track_names.n;
}

static inline const char *ss_album_name(const struct ss_dataset *ds, uint32_t album)
{
	return ss_intern_name(&ds->album_names, album);
}

static inline const char *ss_track_name(const struct ss_dataset *ds, uint32_t track)
{
	return ss_intern_name(&ds->track_names, track);
}

/* The album's artist, or "" when none was given. */
const char *ss_album_artist(const struct ss_dataset *ds, uint32_t album);

/* Is track's release date given (catalog, column, or a given album date),
 * not inferred from its first observation? */
int ss_release_known(const struct ss_dataset *ds, uint32_t track);

/*
 * The tracks of each album, in id order: album a's are
 * (*tracks)[(*first)[a] .. (*first)[a + 1]).  Both arrays are allocated
 * (first has nalbums + 1 entries); the caller frees them.  The one grouping
 * of tracks by album: every stage that works per album starts here.
 */
void ss_dataset_album_tracks(const struct ss_dataset *ds, uint32_t **first, uint32_t **tracks);

/* An empty dataset keeping at most problem_limit problem messages. */
void ss_dataset_init(struct ss_dataset *ds, size_t problem_limit);
void ss_dataset_release(struct ss_dataset *ds);

/* Register an input file; returns its index (or SS_NONE past SS_FILES_MAX). */
uint32_t ss_dataset_add_file(struct ss_dataset *ds, const char *path, int is_catalog);

/* The id of artist name (len > 0), added when new; SS_NONE past the limit. */
uint32_t ss_dataset_artist(struct ss_dataset *ds, const char *name, size_t len);

enum ss_album_lookup {
	SS_ALBUM_FOUND,
	SS_ALBUM_ADDED,	    /* new (with no release date) */
	SS_ALBUM_AMBIGUOUS, /* no artist given, and several artists have that title */
	SS_ALBUM_LIMIT	    /* too many albums */
};

/* The album titled title by artist (SS_NONE: not given), by the rule of
 * album identity above, into *id. */
enum ss_album_lookup ss_dataset_album(struct ss_dataset *ds, uint32_t artist, const char *title,
				      size_t len, uint32_t *id);

/* The first album titled s[0..len), or SS_NONE; the next ones follow
 * ds->albums[id].next_title. */
uint32_t ss_dataset_albums_titled(const struct ss_dataset *ds, const char *s, size_t len);

/* Whether another album has album's title (then names show its artist). */
int ss_album_title_shared(const struct ss_dataset *ds, uint32_t album);

/*
 * How a user names an album on the command line (--albums, --exclude-track):
 * its title, or ARTIST/TITLE.  The album spec names, into *id: 1 when one
 * album matches, 0 when none does, and the number of matches (> 1) when it
 * is ambiguous (*id is then the first).  An ARTIST/TITLE match wins over a
 * title: with Z's album "X/Y" and X's "Y", "X/Y" names X's.
 */
size_t ss_dataset_find_album(const struct ss_dataset *ds, const char *spec, size_t len,
			     uint32_t *id);

/* Whether spec[0..len) names album (its title, or ARTIST/TITLE). */
int ss_album_spec_is(const struct ss_dataset *ds, uint32_t album, const char *spec, size_t len);

/* The album for people: its title, with " (ARTIST)" when another album has
 * the same title; written into buf (truncated to n), which is returned. */
#define SS_ALBUM_LABEL_MAX 512
const char *ss_album_label(const struct ss_dataset *ds, uint32_t album, char *buf, size_t n);

/* The id of track name of album, added (counting, no date) when new. */
uint32_t ss_dataset_track(struct ss_dataset *ds, uint32_t album, const char *name, size_t len,
			  int *added);

/* An album as "merge" rebuilds it: (created_by, title) interned as ingest
 * first met it (created_by: the artist then, SS_NONE for one met without),
 * appended to its title's albums; returns its id (the next one), or SS_NONE
 * past the limit.  The caller fills in the rest of struct ss_album. */
uint32_t ss_dataset_restore_album(struct ss_dataset *ds, uint32_t created_by, const char *title,
				  size_t len);

/* Append an observation; returns a pointer valid until the next append. */
struct ss_obs *ss_dataset_append(struct ss_dataset *ds);

/* "album 'Layover'" and "track 'Blue' of album 'Layover'", for messages
 * (names quoted as by ss_quote_name(), "album 'BE' by 'BTS'" when another
 * album has that title); written into buf, which is returned. */
#define SS_DESCRIBE_MAX (3 * SS_QUOTE_MAX + 32) /* room for either description */
const char *ss_describe_album(const struct ss_dataset *ds, uint32_t album, char *buf, size_t n);
const char *ss_describe_track(const struct ss_dataset *ds, uint32_t track, char *buf, size_t n);

/* Bytes of names held (albums, tracks, artists). */
size_t ss_dataset_name_bytes(const struct ss_dataset *ds);

#endif
