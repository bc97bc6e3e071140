/*
 * problems.h - the data-quality log: every problem found in the input.
 *
 * Each problem has a kind (a fixed table: name and severity), the input file
 * index and line it concerns, and a message in the GNU form the caller
 * prints after "file:line: ".  Counts per kind are always exact; the
 * messages themselves are kept up to a limit (memory stays bounded on a file
 * of millions of bad rows) and the rest are counted as not kept.
 *
 * Ownership: struct ss_problems owns its messages; ss_problems_release()
 * frees them.  Messages are never printed here.
 */
#ifndef STREAMSTAT_PROBLEMS_H
#define STREAMSTAT_PROBLEMS_H

#include <stddef.h>
#include <stdint.h>

enum ss_severity {
	SS_SEV_INFO,	/* worth knowing; nothing lost (merged duplicates ...) */
	SS_SEV_WARNING, /* row kept, but something is off (a total went down ...) */
	SS_SEV_SKIPPED, /* a row was skipped */
	SS_SEV_FATAL	/* a whole file could not be used */
};

enum ss_problem_kind {
	/* Whole file. */
	SS_P_CANNOT_OPEN,
	SS_P_READ_ERROR,
	SS_P_EMPTY_FILE,
	SS_P_BINARY,
	SS_P_MISSING_COLUMN,
	SS_P_BAD_HEADER,
	SS_P_HEADER_ONLY,
	SS_P_DUPLICATE_COLUMN,
	SS_P_UNKNOWN_COLUMNS,
	/* One row, which is skipped. */
	SS_P_FIELD_COUNT,
	SS_P_BAD_QUOTE,
	SS_P_UNTERMINATED_QUOTE,
	SS_P_FIELD_TOO_LONG,
	SS_P_BAD_DATE,
	SS_P_BAD_COUNT,
	SS_P_NO_COUNT,
	SS_P_EMPTY_NAME,
	SS_P_BAD_BOUND,
	SS_P_UNKNOWN_TRACK,
	SS_P_AMBIGUOUS_ALBUM,
	SS_P_CATALOG_ROW,
	SS_P_LIMIT,
	/* Kept, with a warning. */
	SS_P_BAD_RELEASE_DATE,
	SS_P_RELEASE_CONFLICT,
	SS_P_RELEASE_UNCERTAIN,
	SS_P_CATALOG_CONFLICT,
	SS_P_ALBUM_ARTIST_ASSUMED,
	SS_P_NOT_IN_CATALOG,
	SS_P_CATALOG_NO_DATA,
	SS_P_DUPLICATE_CONFLICT,
	SS_P_TOTAL_DECREASE,
	SS_P_STREAMS_TOTAL_MISMATCH,
	SS_P_BEFORE_RELEASE,
	SS_P_NO_TOTAL,
	SS_P_STALE,
	SS_P_OPTION_UNUSED, /* an input option the file has a column for */
	/* For the record. */
	SS_P_DUPLICATE_MERGED,
	SS_P_TRACK_NO_DATA,
	SS_P_INPUT_FORMAT, /* how a file was read: delimiter detected, aliases ... */
	SS_P_KIND_COUNT	   /* number of kinds; not a kind */
};

struct ss_problem {
	enum ss_problem_kind kind;
	uint32_t file; /* index into the dataset's files */
	uint64_t line; /* 1-based; 0 when the problem is about the file */
	char *msg;     /* owned */
};

struct ss_problems {
	struct ss_problem *list; /* the kept problems, in the order added */
	size_t n, cap;
	size_t limit;			 /* most messages kept */
	uint64_t count[SS_P_KIND_COUNT]; /* every problem, kept or not */
	uint64_t not_kept;		 /* counted but over the limit */
};

#define SS_PROBLEMS_DEFAULT_LIMIT 100000

/* Start an empty log that keeps at most limit messages.  Allocates nothing. */
void ss_problems_init(struct ss_problems *p, size_t limit);

/* Free every message; p is empty and reusable afterwards. */
void ss_problems_release(struct ss_problems *p);

/* Log one problem; the message is formatted like printf. */
void ss_problems_add(struct ss_problems *p, enum ss_problem_kind kind, uint32_t file, uint64_t line,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Order the kept problems by file, then line, then the order they came in. */
void ss_problems_sort(struct ss_problems *p);

/* Problems of severity >= sev, kept or not. */
uint64_t ss_problems_at_least(const struct ss_problems *p, enum ss_severity sev);

/* The kind's short name ("bad date") and severity. */
const char *ss_problem_kind_name(enum ss_problem_kind kind);
enum ss_severity ss_problem_severity(enum ss_problem_kind kind);
const char *ss_severity_name(enum ss_severity sev);

/*
 * Write into buf (of size n, always NUL-terminated) a double-quoted copy of
 * the value s[0..len): control bytes as \xNN, quotes and backslashes
 * escaped, anything past 60 bytes cut with "...".  Returns buf.
 */
char *ss_quote(char *buf, size_t n, const char *s, size_t len);

/* The same for a name, in single quotes: 'Blue & Grey'.  Only control bytes
 * are escaped, so that names read as written. */
char *ss_quote_name(char *buf, size_t n, const char *s, size_t len);

/* Room for a quoted value or name. */
#define SS_QUOTE_MAX 256

#endif
