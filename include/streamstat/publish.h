/*
 * publish.h - put finished files in place so that readers only ever see
 * complete ones, and keep two report runs from writing at once.
 *
 * A file is written under a temporary name in its final directory
 * (ss_publish_temp()), flushed to disk, renamed over its final name, and
 * the directory is flushed (ss_publish()): a crash, a kill or a full disk at
 * any moment leaves either the old file or the new one under the final
 * name, never half of one.  ss_publish_alias() gives a finished file a
 * second name the same way ("latest.xlsx").  ss_lock_dir() takes an
 * exclusive flock(2) on DIR/.streamstat.lock, held until the process ends.
 *
 * Temporaries not yet published are remembered, so that a run that is
 * stopped (SIGINT, SIGTERM, SIGHUP: ss_publish_catch_signals()) or runs out
 * of memory (xalloc_die()) removes them on its way out.  Only a kill -9
 * leaves one behind, and ss_publish_sweep() removes those later.  The
 * functions that create, publish or discard temporaries are for one thread.
 */
#ifndef STREAMSTAT_PUBLISH_H
#define STREAMSTAT_PUBLISH_H

#include <stddef.h>

#include "streamstat/error.h"

#define SS_LOCK_NAME ".streamstat.lock"

/* The directory part of path ("." when none; "/" for "/x"), allocated. */
char *ss_dir_of(const char *path);

/* A new empty file beside path, "DIR/.BASE.XXXXXX", with the permissions a
 * new file gets (the umask applied).  *tmp is allocated. */
enum ss_status ss_publish_temp(const char *path, char **tmp, struct ss_error *err);

/*
 * A name under which a writer opens the temporary tmp without ever creating
 * a file: "/proc/self/fd/N" of a descriptor open on tmp, kept in *fd (close
 * it once written).  A stop signal may remove tmp's name at any moment, and a
 * writer opening the name after that (libxlsxwriter opens its output only
 * when it closes the workbook) would create the file anew, to be left
 * behind.  Where /proc is not mounted: tmp itself, *fd -1.  Allocated.
 */
char *ss_publish_writer_path(const char *tmp, int *fd);

/* Remove the temporary tmp and forget it (it will not be published). */
void ss_publish_discard(const char *tmp);

/* Remove every temporary not yet published or discarded.  Async-signal-safe. */
void ss_publish_cleanup(void);

/* From now on SIGINT, SIGTERM and SIGHUP (unless ignored) remove the
 * temporaries, then end the process as the signal would have; running out
 * of memory removes them too. */
void ss_publish_catch_signals(void);

/*
 * Remove the temporaries of runs that were killed outright: files in dir
 * named like ss_publish_temp()'s (".NAME.xlsx.XXXXXX", ".NAME.json.XXXXXX")
 * and not modified for min_age seconds.  Call it holding dir's lock.
 * Returns how many were removed.
 */
size_t ss_publish_sweep(const char *dir, long min_age);

/* fsync each tmps[i], rename it to finals[i], fsync their directories.
 * On failure nothing renamed so far is undone; temporaries are left to the
 * caller to remove. */
enum ss_status ss_publish(char *const *tmps, char *const *finals, size_t n, struct ss_error *err);

/* Make alias a name of the finished file path (a hard link, or a copy where
 * links are not possible), replacing alias atomically. */
enum ss_status ss_publish_alias(const char *path, const char *alias, struct ss_error *err);

/*
 * Lock dir for this process: SS_OK (*fd holds the lock; keep it open),
 * SS_ERR_LOCKED when another process holds it and wait is 0, or
 * SS_ERR_CANTCREAT when the lock file cannot be created.
 */
enum ss_status ss_lock_dir(const char *dir, int wait, int *fd, struct ss_error *err);

#endif
