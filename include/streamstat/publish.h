/*
 * publish.h - put finished files in place so that readers only ever see
 * complete ones, of one run, and keep two report runs from writing at once.
 *
 * A run's files are written in a private directory (a "run directory",
 * DIR/.BASE.run.XXXXXX, mode 0700 while it is written) inside the output
 * directory DIR, so that nothing another user can reach is ever opened by
 * name for writing.  A file's final name in DIR is a symbolic link that never
 * changes, "BASE.xlsx -> .BASE/report.xlsx", and DIR/.BASE (the "pointer")
 * is a symbolic link to the run directory: one rename of the pointer makes
 * every file of the run current at once.  "latest" is a pointer to a
 * pointer ("latest -> .BASE", "latest.xlsx -> latest/report.xlsx").  A
 * final name that is still a plain file (written by an older version) is
 * first moved, with its partner, into a run directory of its own, so that
 * even the change of layout never shows a torn pair.
 *
 * Run directories not yet published are remembered, so that a run that is
 * stopped (SIGINT, SIGTERM, SIGHUP: ss_publish_catch_signals()) or runs out
 * of memory (xalloc_die()) removes them on its way out; ss_publish_hold()
 * holds those signals back across the renames, so that a stop never lands
 * between two of them.  Only a kill -9 or a crash leaves a run directory
 * behind, and ss_publish_sweep() removes those later.  The functions that
 * create, publish or discard runs are for one thread.
 *
 * ss_lock_dir() takes an exclusive flock(2) on DIR/.streamstat.lock, a
 * regular file of the runner's, mode 0600, never reached through a link.
 */
#ifndef STREAMSTAT_PUBLISH_H
#define STREAMSTAT_PUBLISH_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "streamstat/error.h"

#define SS_LOCK_NAME ".streamstat.lock"

/* The names of the files inside a run directory. */
#define SS_RUN_XLSX  "report.xlsx"
#define SS_RUN_JSON  "report.json"
#define SS_RUN_FILES 2

/*
 * A report's names, made and read here only: "streamstat-YYYY-MM-DD" and
 * the suffix (SS_REPORT_XLSX, SS_REPORT_JSON), the date being the report's
 * as-of date (a day number, date.h).
 */
#define SS_REPORT_XLSX ".xlsx"
#define SS_REPORT_JSON ".json"

/* dir/streamstat-YYYY-MM-DD<suffix>, allocated. */
char *ss_report_path(const char *dir, int32_t as_of, const char *suffix);

/* Is name "streamstat-YYYY-MM-DD<suffix>" (a file name, no directory)?
 * 1 and the date in *day, else 0. */
int ss_report_name_date(const char *name, const char *suffix, int32_t *day);

/* The path of dir's report with the latest date before as_of (allocated;
 * *day its date), or NULL when dir holds none. */
char *ss_report_before(const char *dir, int32_t as_of, const char *suffix, int32_t *day);

/* The directory part of path ("." when none; "/" for "/x"), allocated. */
char *ss_dir_of(const char *path);

/* The last component of path, without suffix when it ends in it, allocated. */
char *ss_base_of(const char *path, const char *suffix);

/* DIR/NAME -> TARGET, a symbolic link publishing makes (or keeps) right. */
struct ss_link {
	const char *name;
	const char *target;
};

/* A run directory being written. */
struct ss_run {
	int dfd;       /* the output directory */
	int rfd;       /* the run directory */
	char *dir;     /* the output directory's path, for messages */
	char *pointer; /* ".BASE", the link in dir that makes the run current */
	char *run;     /* ".BASE.run.XXXXXX", its name in dir */
	int fds[SS_RUN_FILES];
	size_t nfiles;
	int slot; /* its place in the table the signal handler reads; -1 none */
};

/* A run not begun: safe to ss_run_discard(). */
#define SS_RUN_INIT                                                                                \
	{                                                                                          \
		.dfd = -1, .rfd = -1, .slot = -1                                                   \
	}

/*
 * Would publishing pointer and links in dir replace only what it may
 * replace?  Each link's name must be missing, a symbolic link or a regular
 * file, the pointer missing or a symbolic link.  SS_ERR_CANTCREAT naming the
 * first that is not (a directory, say): checked before anything is written,
 * so that nothing is replaced when one of the names is in the way.
 */
enum ss_status ss_publish_check(const char *dir, const char *pointer, const struct ss_link *links,
				size_t n, struct ss_error *err);

/* Make a new run directory in dir for the pointer ".BASE" (pointer is
 * ".BASE"; the directory is ".BASE.run.XXXXXX"), remembered for removal. */
enum ss_status ss_run_begin(struct ss_run *run, const char *dir, const char *pointer,
			    struct ss_error *err);

/*
 * Create name (SS_RUN_XLSX, SS_RUN_JSON) in the run directory, mode 0666
 * less the umask, and return the path a writer opens it by: "/proc/self/fd/N"
 * of the descriptor the run keeps, so that a stop signal removing the
 * directory cannot make a writer (libxlsxwriter opens its output only when
 * it closes the workbook) create the file anew; where /proc is not mounted,
 * the name inside the private directory.  NULL with err set on failure.
 */
char *ss_run_file(struct ss_run *run, const char *name, struct ss_error *err);

/*
 * Flush the run's files and directory to disk, give the directory the
 * permissions a new directory gets, make links right, and rename the pointer
 * to the run directory: that one rename makes the run current.  The run it
 * replaced is removed.  Call it with ss_publish_hold() in force.  On failure
 * the run is not published and still the caller's to discard.
 */
enum ss_status ss_run_publish(struct ss_run *run, const struct ss_link *links, size_t n,
			      struct ss_error *err);

/* Remove an unpublished run directory (none: nothing), and release run. */
void ss_run_discard(struct ss_run *run);

/*
 * Point pointer in dir at target (a run directory or another pointer), by
 * one rename, links made right first (ss_run_publish() uses it; "latest"
 * -> ".BASE" is published with it).  A run directory the pointer named
 * before is removed.
 */
enum ss_status ss_publish_point(const char *dir, const char *pointer, const char *target,
				const struct ss_link *links, size_t n, struct ss_error *err);

/* Remove every run directory not yet published or discarded.
 * Async-signal-safe. */
void ss_publish_cleanup(void);

/* From now on SIGINT, SIGTERM and SIGHUP (unless ignored) remove the
 * unpublished runs, then end the process as the signal would have; running
 * out of memory removes them too. */
void ss_publish_catch_signals(void);

/* Hold SIGINT, SIGTERM and SIGHUP back (the mask before goes to *old) until
 * ss_publish_release(old): one arriving meanwhile acts only then. */
void ss_publish_hold(sigset_t *old);
void ss_publish_release(const sigset_t *old);

/*
 * Remove what runs killed outright left in dir: run directories that no
 * link in dir names and that were not modified for min_age seconds (only
 * the files a run writes are removed, then the directory if that empties
 * it), and older versions' temporaries (".NAME.xlsx.XXXXXX"), as old.  Call
 * it holding dir's lock.  Returns how many were removed.
 */
size_t ss_publish_sweep(const char *dir, long min_age);

/*
 * Lock dir for this process: SS_OK (*fd holds the lock; keep it open),
 * SS_ERR_LOCKED when another process holds it and wait is 0, or
 * SS_ERR_CANTCREAT when the lock file cannot be created or is not one to
 * trust: a symbolic link, not a regular file, or another user's (who could
 * hold it to block this run).  A lock file of the runner's that others may
 * open is made private (0600).
 */
enum ss_status ss_lock_dir(const char *dir, int wait, int *fd, struct ss_error *err);

#endif
