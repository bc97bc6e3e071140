/*
 * error.c - status descriptions, exit codes and the error record.
 */
#include <stdarg.h>
#include <stdio.h>

#include "streamstat/error.h"

static const struct {
	const char *text;
	int exit_code;
} statuses[SS_STATUS_COUNT] = {
	[SS_OK] = {"success", SS_EXIT_OK},
	[SS_ERR_USAGE] = {"invalid usage", SS_EXIT_USAGE},
	[SS_ERR_DATA] = {"unusable input data", SS_EXIT_DATAERR},
	[SS_ERR_NOINPUT] = {"cannot open input", SS_EXIT_NOINPUT},
	[SS_ERR_CANTCREAT] = {"cannot create output", SS_EXIT_CANTCREAT},
	[SS_ERR_IO] = {"input/output error", SS_EXIT_IOERR},
	[SS_ERR_LOCKED] = {"another run holds the lock", SS_EXIT_TEMPFAIL},
	[SS_ERR_NOMEM] = {"out of memory", SS_EXIT_OSERR},
	[SS_ERR_LIMIT] = {"input exceeds a limit", SS_EXIT_DATAERR},
};

const char *ss_strerror(enum ss_status status)
{
	if ((unsigned)status >= SS_STATUS_COUNT || !statuses[status].text)
		return "unknown status";
	return statuses[status].text;
}

int ss_exit_code(enum ss_status status)
{
	if ((unsigned)status >= SS_STATUS_COUNT || !statuses[status].text)
		return SS_EXIT_SOFTWARE;
	return statuses[status].exit_code;
}

enum ss_status ss_error_set(struct ss_error *err, enum ss_status status, const char *file,
			    unsigned long line, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return status;
	err->file = file;
	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return status;
}
