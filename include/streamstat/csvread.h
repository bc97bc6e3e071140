/*
 * csvread.h - read a CSV file row by row with libcsv, counting lines.
 *
 * The file is read in large blocks and fed to libcsv; it is never held in
 * memory whole.  Each complete row is handed to a callback with its fields
 * and the line it starts on (libcsv reports bytes, so lines are counted
 * here: LF, CRLF and lone CR each end one line, inside quoted fields too).
 * A UTF-8 byte-order mark is skipped; blank lines are not rows.  Fields are
 * separated by a comma unless the options say otherwise: another delimiter,
 * or "detect", which reads the header line (a header split by ';' with no
 * commas is a European spreadsheet's export; by tabs with neither, a TSV).
 * The path "-" reads standard input.
 *
 * Rows libcsv cannot parse (bad quoting, an unterminated quote, a field
 * over SS_CSV_FIELD_MAX bytes) are logged in the problem list, counted in
 * struct ss_csv_stats, and skipped; reading resumes after the bad row (a
 * quoted field is skipped to its closing quote, so its line ends are not
 * taken for rows).  A NUL byte means the file is binary: the rows before it
 * are kept, that is logged, and reading stops.
 *
 * Ownership: the row and its fields are borrowed for the callback only.
 */
#ifndef STREAMSTAT_CSVREAD_H
#define STREAMSTAT_CSVREAD_H

#include <stddef.h>
#include <stdint.h>

#include "streamstat/error.h"
#include "streamstat/problems.h"

#define SS_CSV_FIELD_MAX  (1u << 20) /* bytes in one field */
#define SS_CSV_FIELDS_MAX 1024	     /* fields kept per row; more are counted */
#define SS_CSV_BLOCK	  (1u << 20) /* bytes per read */

struct ss_csv_row {
	uint64_t index;		  /* 0 for the first row (the header), counting lost rows */
	uint64_t line;		  /* line the row starts on, 1-based */
	size_t nfields;		  /* fields in the row, even beyond SS_CSV_FIELDS_MAX */
	size_t nkept;		  /* fields in field[] and len[]: min(nfields, max) */
	const char *const *field; /* NUL-terminated; libcsv already unquoted them */
	const size_t *len;
};

typedef void (*ss_csv_row_fn)(void *user, const struct ss_csv_row *row);

#define SS_CSV_STDIN  "-"	/* the path that reads standard input */
#define SS_STDIN_NAME "<stdin>" /* ... and its name in messages */

struct ss_csv_options {
	char delimiter; /* field separator; 0: detect from the header line */
};

struct ss_csv_stats {
	uint64_t bytes;	    /* bytes read */
	uint64_t lines;	    /* lines seen */
	uint64_t rows;	    /* rows delivered, header included */
	uint64_t lost_rows; /* rows that could not be parsed (logged as problems) */
	int binary;	    /* reading stopped at a NUL byte */
	char delimiter;	    /* the field separator used */
	int detected;	    /* ... found in the header line (no delimiter was given) */
};

/*
 * Read path, calling fn(user, row) for every row.  Problems go into
 * problems under file index file_index.  Returns SS_OK (also when rows were
 * lost or the file is binary: see stats), SS_ERR_NOINPUT when the file
 * cannot be opened or is a directory, SS_ERR_IO when reading fails; err says
 * why.
 */
enum ss_status ss_csv_read(const char *path, uint32_t file_index, struct ss_problems *problems,
			   ss_csv_row_fn fn, void *user, struct ss_csv_stats *stats,
			   struct ss_error *err);

/* The same with options (NULL: a comma); stats->delimiter says what was used. */
enum ss_status ss_csv_read_as(const char *path, const struct ss_csv_options *opt,
			      uint32_t file_index, struct ss_problems *problems, ss_csv_row_fn fn,
			      void *user, struct ss_csv_stats *stats, struct ss_error *err);

/*
 * The delimiter the header line s[0..n) (the start of a file, past its
 * byte-order mark) is split by: ';' when it has semicolons and no commas
 * outside quotes, a tab when it has tabs and neither, else ','.
 */
char ss_csv_detect_delimiter(const char *s, size_t n);

#endif
