/*
 * error.h - status codes, the error record modules fill in, and exit codes.
 *
 * Modules never print or exit: they return an enum ss_status (SS_OK is 0)
 * and, where there is more to say, fill in a struct ss_error.  Only main()
 * and the cmd_*() functions print and choose an exit code, through
 * ss_exit_code().
 */
#ifndef STREAMSTAT_ERROR_H
#define STREAMSTAT_ERROR_H

#include <stddef.h>

enum ss_status {
	SS_OK = 0,
	SS_ERR_USAGE,	  /* bad command line */
	SS_ERR_DATA,	  /* the input is unusable (no rows, missing column ...) */
	SS_ERR_NOINPUT,	  /* an input file cannot be opened */
	SS_ERR_CANTCREAT, /* an output file cannot be created */
	SS_ERR_IO,	  /* read or write failed part way */
	SS_ERR_LOCKED,	  /* another run holds the lock */
	SS_ERR_NOMEM,	  /* allocation failed where it can be reported */
	SS_ERR_LIMIT,	  /* an input exceeds a documented limit */
	SS_STATUS_COUNT	  /* number of statuses; not a status */
};

/* Exit codes, after sysexits.h.  Documented in README.md and --help. */
enum ss_exit {
	SS_EXIT_OK = 0,
	SS_EXIT_USAGE = 64,
	SS_EXIT_DATAERR = 65,
	SS_EXIT_NOINPUT = 66,
	SS_EXIT_SOFTWARE = 70,
	SS_EXIT_OSERR = 71, /* out of memory */
	SS_EXIT_CANTCREAT = 73,
	SS_EXIT_IOERR = 74,
	SS_EXIT_TEMPFAIL = 75
};

/*
 * What went wrong, for the caller to print as "file:line: msg".  file is
 * borrowed (it points at a path owned by whoever opened the file) and may be
 * NULL; line is 0 when no line applies.
 */
struct ss_error {
	const char *file;
	unsigned long line;
	char msg[256];
};

/* A short lower-case description of status; never NULL. */
const char *ss_strerror(enum ss_status status);

/* The exit code a command returns for status. */
int ss_exit_code(enum ss_status status);

/*
 * Fill in err (which may be NULL) and return status, so that a module can
 * write "return ss_error_set(err, SS_ERR_DATA, path, line, "...", ...);".
 */
enum ss_status ss_error_set(struct ss_error *err, enum ss_status status, const char *file,
			    unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#endif
