/*
 * publish.c - run directories, the links that make them current, fsync,
 * and the report lock.
 *
 * Every file is created through openat() in a directory this process made
 * (mode 0700) or as a symbolic link under a fresh random name, and moved to
 * its final name with renameat(): nothing is ever opened for writing by a
 * name another user could have planted a link at.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "streamstat/date.h"
#include "streamstat/publish.h"
#include "streamstat/xalloc.h"

/* The run directories not yet published: fixed storage, so that a signal
 * handler can read it.  A slot's fields are complete before live is set. */
#define RUNS_MAX 4

static struct {
	volatile sig_atomic_t live;
	int dfd, rfd;
	char run[NAME_MAX + 1];
} runs[RUNS_MAX];

static const int caught[] = {SIGINT, SIGTERM, SIGHUP};

void ss_publish_hold(sigset_t *old)
{
	sigset_t hold;

	sigemptyset(&hold);
	for (size_t i = 0; i < sizeof caught / sizeof caught[0]; i++)
		sigaddset(&hold, caught[i]);
	pthread_sigmask(SIG_BLOCK, &hold, old);
}

void ss_publish_release(const sigset_t *old)
{
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

/* Remove the files a run writes in rfd, then the directory name in dfd
 * (which fails, harmlessly, when anything else is in it).  Async-signal-safe. */
static int remove_files_and_dir(int dfd, int rfd, const char *name)
{
	unlinkat(rfd, SS_RUN_XLSX, 0);
	unlinkat(rfd, SS_RUN_JSON, 0);
	return unlinkat(dfd, name, AT_REMOVEDIR);
}

void ss_publish_cleanup(void)
{
	for (size_t i = 0; i < RUNS_MAX; i++)
		if (runs[i].live) {
			remove_files_and_dir(runs[i].dfd, runs[i].rfd, runs[i].run);
			runs[i].live = 0;
		}
}

static void on_signal(int sig)
{
	ss_publish_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

void ss_publish_catch_signals(void)
{
	for (size_t i = 0; i < sizeof caught / sizeof caught[0]; i++) {
		struct sigaction old, sa = {.sa_handler = on_signal};
		sigemptyset(&sa.sa_mask);
		/* a signal ignored on purpose (nohup) stays ignored */
		if (sigaction(caught[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaction(caught[i], &sa, NULL);
	}
	xalloc_on_die(ss_publish_cleanup);
}

static int forget_slot(int slot)
{
	if (slot >= 0 && slot < RUNS_MAX)
		runs[slot].live = 0;
	return -1;
}

#define REPORT_PREFIX "streamstat-"

char *ss_report_path(const char *dir, int32_t as_of, const char *suffix)
{
	char date[SS_DATE_LEN + 1];
	size_t n = strlen(dir) + sizeof "/" REPORT_PREFIX + SS_DATE_LEN + strlen(suffix);
	char *path = xmalloc(n);

	ss_date_format(as_of, date);
	snprintf(path, n, "%s/%s%s%s", dir, REPORT_PREFIX, date, suffix);
	return path;
}

int ss_report_name_date(const char *name, const char *suffix, int32_t *day)
{
	size_t n = strlen(name), p = strlen(REPORT_PREFIX), s = strlen(suffix);

	return n == p + SS_DATE_LEN + s && strncmp(name, REPORT_PREFIX, p) == 0 &&
	       strcmp(name + n - s, suffix) == 0 &&
	       ss_date_parse(name + p, SS_DATE_LEN, day) == SS_DATE_OK;
}

char *ss_report_before(const char *dir, int32_t as_of, const char *suffix, int32_t *day)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;
	int32_t best = 0;

	if (!d)
		return NULL;
	while ((e = readdir(d)) != NULL) {
		int32_t t;
		if (ss_report_name_date(e->d_name, suffix, &t) && t < as_of &&
		    (!found || t > best)) {
			best = t;
			found = 1;
		}
	}
	closedir(d);
	if (!found)
		return NULL;
	*day = best;
	return ss_report_path(dir, best, suffix);
}

char *ss_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

char *ss_base_of(const char *path, const char *suffix)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	size_t n = strlen(base), m = strlen(suffix);

	if (n > m && strcmp(base + n - m, suffix) == 0)
		n -= m;
	return xstrndup(base, n);
}

static int alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Replace the last 6 characters of name (XXXXXX) by random ones. */
static void randomize(char *name)
{
	static const char set[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	unsigned char r[6];
	size_t n = strlen(name);

	if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
		/* never in practice; a collision only makes the caller retry */
		unsigned long t = (unsigned long)time(NULL) ^ (unsigned long)getpid() ^
				  (unsigned long)clock();
		for (size_t i = 0; i < sizeof r; i++, t /= 62)
			r[i] = (unsigned char)t;
	}
	for (size_t i = 0; i < 6; i++)
		name[n - 6 + i] = set[r[i] % (sizeof set - 1)];
}

/* name ends in MIDDLE.XXXXXX (six letters or digits) after a leading dot */
static int named_like(const char *name, const char *middle)
{
	size_t n = strlen(name), m = strlen(middle);

	if (name[0] != '.' || n < m + 9 || name[n - 7] != '.' ||
	    strncmp(name + n - 7 - m, middle, m) != 0)
		return 0;
	for (size_t i = n - 6; i < n; i++)
		if (!alnum(name[i]))
			return 0;
	return 1;
}

/* ".BASE.run.XXXXXX": a run directory */
static int run_name(const char *name)
{
	return named_like(name, ".run");
}

/* Is name a run directory of pointer's: "POINTER.run.XXXXXX", no '/'? */
static int own_run(const char *pointer, const char *name)
{
	size_t n = strlen(pointer);

	return strncmp(name, pointer, n) == 0 && strncmp(name + n, ".run.", 5) == 0 &&
	       !strchr(name, '/') && run_name(name);
}

/* ".NAME.ln.XXXXXX": a link not yet renamed into place */
static int link_temp_name(const char *name)
{
	return named_like(name, ".ln");
}

/* ".NAME.xlsx.XXXXXX" or ".NAME.json.XXXXXX": older versions' temporaries */
static int old_temp_name(const char *name)
{
	return named_like(name, ".xlsx") || named_like(name, ".json");
}

static mode_t umask_now(void)
{
	mode_t mask = umask(0);

	umask(mask);
	return mask;
}

static int open_dir(const char *dir)
{
	return open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* Make name (in dfd) a symbolic link to target, replacing what it was by
 * one rename.  Returns 0, or -1 with errno. */
static int swap_link(int dfd, const char *name, const char *target)
{
	size_t n = strlen(name) + sizeof "..ln.XXXXXX";
	char *tmp = xmalloc(n);
	int r = -1, e = EEXIST;

	for (int tries = 0; tries < 100 && e == EEXIST; tries++) {
		snprintf(tmp, n, ".%s.ln.XXXXXX", name);
		randomize(tmp);
		/* symlinkat never follows what is at tmp: it fails on any */
		r = symlinkat(target, dfd, tmp);
		e = r ? errno : 0;
	}
	if (r == 0 && renameat(dfd, tmp, dfd, name) != 0) {
		e = errno;
		unlinkat(dfd, tmp, 0);
		r = -1;
	}
	free(tmp);
	errno = e;
	return r;
}

/* Is name in dfd a symbolic link to exactly target? */
static int links_to(int dfd, const char *name, const char *target)
{
	char buf[PATH_MAX];
	ssize_t n = readlinkat(dfd, name, buf, sizeof buf - 1);

	if (n < 0)
		return 0;
	buf[n] = '\0';
	return strcmp(buf, target) == 0;
}

/* A new directory ".POINTER.run.XXXXXX" in dfd, mode 0700, remembered in a
 * slot (*slot, -1 when the table is full) with the caught signals held. */
static int make_run_dir(int dfd, const char *pointer, char **name, int *rfd, int *slot)
{
	size_t n = strlen(pointer) + sizeof ".run.XXXXXX";
	int r = -1, e = EEXIST;
	sigset_t old;

	*name = xmalloc(n);
	*rfd = -1;
	*slot = -1;
	if (n > NAME_MAX + 1) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* a signal between making the directory and remembering it would leave
	 * it behind: the two happen with the caught signals held back */
	ss_publish_hold(&old);
	for (int tries = 0; tries < 100 && e == EEXIST; tries++) {
		snprintf(*name, n, "%s.run.XXXXXX", pointer);
		randomize(*name);
		r = mkdirat(dfd, *name, 0700);
		e = r ? errno : 0;
	}
	if (r == 0) {
		*rfd = openat(dfd, *name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		e = errno;
		if (*rfd < 0) {
			unlinkat(dfd, *name, AT_REMOVEDIR);
			r = -1;
		}
	}
	for (int i = 0; r == 0 && i < RUNS_MAX; i++)
		if (!runs[i].live) {
			runs[i].dfd = dfd;
			runs[i].rfd = *rfd;
			memcpy(runs[i].run, *name, strlen(*name) + 1);
			runs[i].live = 1;
			*slot = i;
			break;
		}
	ss_publish_release(&old);
	errno = e;
	return r;
}

/* Remove the run directory name in dfd, if it is one of this user's. */
static int remove_run(int dfd, const char *name)
{
	struct stat st;
	int rfd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int r = -1;

	if (rfd < 0)
		return -1;
	if (fstat(rfd, &st) == 0 && st.st_uid == geteuid())
		r = remove_files_and_dir(dfd, rfd, name);
	close(rfd);
	return r;
}

/* The name inside a run directory that link target "POINTER/NAME" names. */
static const char *inner_name(const char *target)
{
	const char *slash = strrchr(target, '/');

	return slash ? slash + 1 : target;
}

/*
 * No pointer yet, and some link names are plain files (an older version's
 * report): move them into a run directory of their own, pointed at, so that
 * turning the names into links changes nothing a reader sees.  Returns 0 or
 * -1 with err set.
 */
static int adopt(int dfd, const char *dir, const char *pointer, const struct ss_link *links,
		 size_t n, struct ss_error *err)
{
	struct stat st;
	int plain = 0, rfd, slot, e = 0;
	char *name;

	for (size_t i = 0; i < n; i++)
		plain |= fstatat(dfd, links[i].name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			 S_ISREG(st.st_mode);
	if (!plain)
		return 0;
	if (make_run_dir(dfd, pointer, &name, &rfd, &slot) != 0) {
		e = errno;
		free(name);
		ss_error_set(err, SS_ERR_CANTCREAT, dir, 0, "cannot create a directory in %s: %s",
			     dir, strerror(e));
		return -1;
	}
	for (size_t i = 0; i < n && !e; i++)
		if (fstatat(dfd, links[i].name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode) &&
		    linkat(dfd, links[i].name, rfd, inner_name(links[i].target), 0) != 0)
			e = errno;
	if (!e && (fchmod(rfd, 0777 & ~umask_now()) != 0 || fsync(rfd) != 0))
		e = errno;
	if (!e && swap_link(dfd, pointer, name) != 0)
		e = errno;
	if (e) {
		remove_files_and_dir(dfd, rfd, name);
		ss_error_set(err, SS_ERR_CANTCREAT, dir, 0,
			     "cannot move the previous report in %s aside: %s", dir, strerror(e));
	}
	forget_slot(slot);
	close(rfd);
	free(name);
	return e ? -1 : 0;
}

/* ss_publish_point(), forgetting slot the moment the pointer is renamed */
static enum ss_status point_at(int dfd, const char *dir, const char *pointer, const char *target,
			       const struct ss_link *links, size_t n, int slot,
			       struct ss_error *err)
{
	char old[NAME_MAX + 1];
	ssize_t ol = readlinkat(dfd, pointer, old, sizeof old - 1);
	int wrong = 0;

	old[ol > 0 ? ol : 0] = '\0';
	for (size_t i = 0; i < n; i++)
		wrong |= !links_to(dfd, links[i].name, links[i].target);
	if (wrong && ol <= 0) {
		if (adopt(dfd, dir, pointer, links, n, err) != 0)
			return SS_ERR_CANTCREAT;
		ol = readlinkat(dfd, pointer, old, sizeof old - 1);
		old[ol > 0 ? ol : 0] = '\0';
	}
	for (size_t i = 0; i < n; i++)
		if (!links_to(dfd, links[i].name, links[i].target) &&
		    swap_link(dfd, links[i].name, links[i].target) != 0)
			return ss_error_set(err, SS_ERR_CANTCREAT, dir, 0,
					    "cannot make %s/%s a link to %s: %s", dir,
					    links[i].name, links[i].target, strerror(errno));
	/* the one rename that makes the new files current, all at once */
	if (swap_link(dfd, pointer, target) != 0)
		return ss_error_set(err, SS_ERR_CANTCREAT, dir, 0, "cannot point %s/%s at %s: %s",
				    dir, pointer, target, strerror(errno));
	forget_slot(slot);
	if (fsync(dfd) != 0)
		return ss_error_set(err, SS_ERR_IO, dir, 0, "cannot flush the directory %s: %s",
				    dir, strerror(errno));
	/* only this pointer's own run, a bare name in this directory: a link
	 * planted to point elsewhere ("../other/.x.run.AbC123") is not followed */
	if (ol > 0 && own_run(pointer, old) && strcmp(old, target) != 0)
		remove_run(dfd, old);
	return SS_OK;
}

enum ss_status ss_publish_point(const char *dir, const char *pointer, const char *target,
				const struct ss_link *links, size_t n, struct ss_error *err)
{
	int dfd = open_dir(dir);

	if (dfd < 0)
		return ss_error_set(err, SS_ERR_CANTCREAT, dir, 0,
				    "cannot open the directory %s: %s", dir, strerror(errno));
	enum ss_status s = point_at(dfd, dir, pointer, target, links, n, -1, err);
	close(dfd);
	return s;
}

enum ss_status ss_publish_check(const char *dir, const char *pointer, const struct ss_link *links,
				size_t n, struct ss_error *err)
{
	struct stat st;
	enum ss_status s = SS_OK;
	int dfd = open_dir(dir);

	if (dfd < 0)
		return ss_error_set(err, SS_ERR_CANTCREAT, dir, 0,
				    "cannot open the directory %s: %s", dir, strerror(errno));
	if (fstatat(dfd, pointer, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISLNK(st.st_mode))
		s = ss_error_set(err, SS_ERR_CANTCREAT, dir, 0,
				 "%s/%s is in the way: it is a %s, where the report keeps a "
				 "symbolic link (remove it)",
				 dir, pointer, S_ISDIR(st.st_mode) ? "directory" : "file");
	for (size_t i = 0; i < n && s == SS_OK; i++)
		if (fstatat(dfd, links[i].name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    !S_ISLNK(st.st_mode) && !S_ISREG(st.st_mode))
			s = ss_error_set(err, SS_ERR_CANTCREAT, dir, 0,
					 "cannot replace %s/%s: it is a %s, not a file", dir,
					 links[i].name,
					 S_ISDIR(st.st_mode) ? "directory" : "special file");
	close(dfd);
	return s;
}

enum ss_status ss_run_begin(struct ss_run *run, const char *dir, const char *pointer,
			    struct ss_error *err)
{
	memset(run, 0, sizeof *run);
	run->rfd = -1;
	run->slot = -1;
	run->dfd = open_dir(dir);
	if (run->dfd < 0)
		return ss_error_set(err, SS_ERR_CANTCREAT, dir, 0,
				    "cannot open the directory %s: %s", dir, strerror(errno));
	run->dir = xstrdup(dir);
	run->pointer = xstrdup(pointer);
	if (make_run_dir(run->dfd, pointer, &run->run, &run->rfd, &run->slot) != 0) {
		int e = errno;
		ss_run_discard(run);
		return ss_error_set(err, SS_ERR_CANTCREAT, dir, 0,
				    "cannot create a directory in %s: %s", dir, strerror(e));
	}
	return SS_OK;
}

char *ss_run_file(struct ss_run *run, const char *name, struct ss_error *err)
{
	char proc[32];
	int fd;

	if (run->nfiles >= SS_RUN_FILES) {
		ss_error_set(err, SS_ERR_CANTCREAT, run->dir, 0, "too many files in one run");
		return NULL;
	}
	/* the directory is this process's own, mode 0700: O_EXCL and
	 * O_NOFOLLOW only say that nothing can be in the way */
	fd = openat(run->rfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (fd < 0) {
		ss_error_set(err, SS_ERR_CANTCREAT, run->dir, 0, "cannot create a file in %s: %s",
			     run->dir, strerror(errno));
		return NULL;
	}
	run->fds[run->nfiles++] = fd;
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	if (access(proc, W_OK) == 0)
		return xstrdup(proc);
	size_t n = strlen(run->dir) + strlen(run->run) + strlen(name) + 3;
	char *path = xmalloc(n);
	snprintf(path, n, "%s/%s/%s", run->dir, run->run, name);
	return path;
}

enum ss_status ss_run_publish(struct ss_run *run, const struct ss_link *links, size_t n,
			      struct ss_error *err)
{
	for (size_t i = 0; i < run->nfiles; i++)
		if (fsync(run->fds[i]) != 0)
			return ss_error_set(err, SS_ERR_IO, run->dir, 0,
					    "cannot flush the report to disk in %s: %s", run->dir,
					    strerror(errno));
	/* readers need to enter it; it was private only while written */
	if (fchmod(run->rfd, 0777 & ~umask_now()) != 0 || fsync(run->rfd) != 0)
		return ss_error_set(err, SS_ERR_IO, run->dir, 0,
				    "cannot finish the report's directory in %s: %s", run->dir,
				    strerror(errno));
	int slot = run->slot;
	enum ss_status s =
		point_at(run->dfd, run->dir, run->pointer, run->run, links, n, slot, err);
	/* once the pointer names it (even if flushing the directory failed),
	 * the run is published: no longer the caller's to discard */
	if (s == SS_OK || (slot >= 0 && !runs[slot].live))
		run->slot = -1;
	return s;
}

void ss_run_discard(struct ss_run *run)
{
	for (size_t i = 0; i < run->nfiles; i++)
		close(run->fds[i]);
	run->nfiles = 0;
	if (run->slot >= 0) {
		sigset_t old;
		ss_publish_hold(&old);
		remove_files_and_dir(run->dfd, run->rfd, run->run);
		run->slot = forget_slot(run->slot);
		ss_publish_release(&old);
	}
	if (run->rfd >= 0)
		close(run->rfd);
	if (run->dfd >= 0)
		close(run->dfd);
	run->rfd = run->dfd = -1;
	free(run->dir);
	free(run->pointer);
	free(run->run);
	run->dir = run->pointer = run->run = NULL;
}

/* Is name one of the targets[0..n)? */
static int named_by(const char *name, char **targets, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(targets[i], name) == 0)
			return 1;
	return 0;
}

size_t ss_publish_sweep(const char *dir, long min_age)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t removed = 0, nt = 0, cap = 8;
	char **targets, buf[NAME_MAX + 1];
	time_t now = time(NULL);

	if (!d)
		return 0;
	/* a run directory some link names is a published report */
	targets = xmalloc(cap * sizeof *targets);
	while ((e = readdir(d)) != NULL) {
		ssize_t n = readlinkat(dirfd(d), e->d_name, buf, sizeof buf - 1);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		if (nt == cap)
			targets = xrealloc(targets, (cap *= 2) * sizeof *targets);
		targets[nt++] = xstrdup(buf);
	}
	rewinddir(d);
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    now - st.st_mtime < min_age)
			continue;
		if (run_name(e->d_name) && S_ISDIR(st.st_mode) && st.st_uid == geteuid() &&
		    !named_by(e->d_name, targets, nt))
			removed += remove_run(dirfd(d), e->d_name) == 0;
		else if ((old_temp_name(e->d_name) && S_ISREG(st.st_mode) &&
			  st.st_uid == geteuid()) ||
			 (link_temp_name(e->d_name) && S_ISLNK(st.st_mode) &&
			  st.st_uid == geteuid()))
			removed += unlinkat(dirfd(d), e->d_name, 0) == 0;
	}
	closedir(d);
	for (size_t i = 0; i < nt; i++)
		free(targets[i]);
	free(targets);
	return removed;
}

enum ss_status ss_lock_dir(const char *dir, int wait, int *fd, struct ss_error *err)
{
	size_t n = strlen(dir) + sizeof "/" SS_LOCK_NAME;
	char *path = xmalloc(n);
	struct stat st;
	enum ss_status s = SS_OK;

	snprintf(path, n, "%s/%s", dir, SS_LOCK_NAME);
	/* never through a link (a dangling one would make this run create any
	 * file), never a FIFO's open that waits; private, so that nobody else
	 * can open it, and so hold it to block this run */
	*fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
	if (*fd < 0) {
		int e = errno;
		/* a link in a sticky directory gives EACCES, not ELOOP */
		if (e == ELOOP || (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)))
			s = ss_error_set(err, SS_ERR_CANTCREAT, path, 0,
					 "the lock file %s is a symbolic link: a lock is never "
					 "taken through one (remove it)",
					 path);
		else
			s = ss_error_set(err, SS_ERR_CANTCREAT, path, 0,
					 "cannot create the lock file %s: %s", path, strerror(e));
	} else if (fstat(*fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		s = ss_error_set(err, SS_ERR_CANTCREAT, path, 0,
				 "the lock file %s is not a regular file (remove it)", path);
	} else if (st.st_uid != geteuid()) {
		s = ss_error_set(err, SS_ERR_CANTCREAT, path, 0,
				 "the lock file %s belongs to user %lu, not to this one (%lu), "
				 "who could hold it to block this run (remove it)",
				 path, (unsigned long)st.st_uid, (unsigned long)geteuid());
	} else if ((st.st_mode & 077) != 0 && fchmod(*fd, 0600) != 0) {
		s = ss_error_set(err, SS_ERR_CANTCREAT, path, 0,
				 "cannot make the lock file %s private: %s", path, strerror(errno));
	}
	while (s == SS_OK && flock(*fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
		if (errno == EINTR)
			continue;
		int e = errno;
		s = e == EWOULDBLOCK
			    ? ss_error_set(err, SS_ERR_LOCKED, path, 0,
					   "another streamstat report is writing to %s (it holds "
					   "%s); --wait waits for it",
					   dir, path)
			    : ss_error_set(err, SS_ERR_CANTCREAT, path, 0, "cannot lock %s: %s",
					   path, strerror(e));
	}
	if (s != SS_OK && *fd >= 0) {
		close(*fd);
		*fd = -1;
	}
	free(path);
	return s;
}
