/*
 * publish.c - temporary names, fsync, rename, and the report lock.
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "streamstat/publish.h"
#include "streamstat/xalloc.h"

/* The temporaries not yet published: fixed storage, so that a signal
 * handler can read it.  A slot's path is complete before live is set. */
#define TEMPS_MAX 8

static struct {
	volatile sig_atomic_t live;
	char path[PATH_MAX];
} temps[TEMPS_MAX];

static void remember(const char *tmp)
{
	size_t n = strlen(tmp);

	for (size_t i = 0; i < TEMPS_MAX && n < PATH_MAX; i++)
		if (!temps[i].live) {
			memcpy(temps[i].path, tmp, n + 1);
			temps[i].live = 1;
			return;
		}
}

static void forget(const char *tmp)
{
	for (size_t i = 0; i < TEMPS_MAX; i++)
		if (temps[i].live && strcmp(temps[i].path, tmp) == 0)
			temps[i].live = 0;
}

char *ss_publish_writer_path(const char *tmp, int *fd)
{
	char path[32];

	*fd = open(tmp, O_WRONLY | O_CLOEXEC);
	if (*fd >= 0) {
		snprintf(path, sizeof path, "/proc/self/fd/%d", *fd);
		if (access(path, W_OK) == 0)
			return xstrdup(path);
		close(*fd);
		*fd = -1;
	}
	return xstrdup(tmp);
}

void ss_publish_discard(const char *tmp)
{
	unlink(tmp);
	forget(tmp);
}

void ss_publish_cleanup(void)
{
	for (size_t i = 0; i < TEMPS_MAX; i++)
		if (temps[i].live) {
			unlink(temps[i].path);
			temps[i].live = 0;
		}
}

static void on_signal(int sig)
{
	ss_publish_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

static const int caught[] = {SIGINT, SIGTERM, SIGHUP};

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

/* ".NAME.xlsx.XXXXXX" or ".NAME.json.XXXXXX", as ss_publish_temp() makes */
static int temp_name(const char *name)
{
	size_t n = strlen(name);

	if (name[0] != '.' || n < sizeof ".x.xlsx.XXXXXX" - 1 || name[n - 7] != '.')
		return 0;
	for (size_t i = n - 6; i < n; i++)
		if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= 'A' && name[i] <= 'Z')))
			return 0;
	return strncmp(name + n - 12, ".xlsx", 5) == 0 || strncmp(name + n - 12, ".json", 5) == 0;
}

size_t ss_publish_sweep(const char *dir, long min_age)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t removed = 0;
	time_t now = time(NULL);

	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		if (!temp_name(e->d_name) || fstatat(dirfd(d), e->d_name, &st, 0) != 0 ||
		    !S_ISREG(st.st_mode) || now - st.st_mtime < min_age)
			continue;
		removed += unlinkat(dirfd(d), e->d_name, 0) == 0;
	}
	closedir(d);
	return removed;
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

static int fsync_path(const char *path, int directory)
{
	int fd = open(path, directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
	int r;

	if (fd < 0)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

enum ss_status ss_publish_temp(const char *path, char **tmp, struct ss_error *err)
{
	const char *slash = strrchr(path, '/');
	size_t dir = slash ? (size_t)(slash - path + 1) : 0, n = strlen(path) + 10;
	int fd;

	*tmp = xmalloc(n);
	snprintf(*tmp, n, "%.*s.%s.XXXXXX", (int)dir, path, path + dir);
	/* a signal between creating the file and remembering it would leave it
	 * behind: the two happen with the caught signals held back */
	sigset_t hold, old;
	sigemptyset(&hold);
	for (size_t i = 0; i < sizeof caught / sizeof caught[0]; i++)
		sigaddset(&hold, caught[i]);
	pthread_sigmask(SIG_BLOCK, &hold, &old);
	fd = mkstemp(*tmp);
	int e = errno;
	if (fd >= 0)
		remember(*tmp);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (fd < 0) {
		free(*tmp);
		*tmp = NULL;
		return ss_error_set(err, SS_ERR_CANTCREAT, path, 0,
				    "cannot create a file beside %s: %s", path, strerror(e));
	}
	/* mkstemp makes it private; a report gets the usual permissions */
	mode_t mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0 || close(fd) != 0) {
		e = errno;
		ss_publish_discard(*tmp);
		free(*tmp);
		*tmp = NULL;
		return ss_error_set(err, SS_ERR_IO, path, 0, "cannot prepare a file beside %s: %s",
				    path, strerror(e));
	}
	return SS_OK;
}

enum ss_status ss_publish(char *const *tmps, char *const *finals, size_t n, struct ss_error *err)
{
	for (size_t i = 0; i < n; i++)
		if (fsync_path(tmps[i], 0) != 0)
			return ss_error_set(err, SS_ERR_IO, finals[i], 0,
					    "cannot flush %s to disk: %s", tmps[i],
					    strerror(errno));
	for (size_t i = 0; i < n; i++) {
		if (rename(tmps[i], finals[i]) != 0)
			return ss_error_set(err, SS_ERR_CANTCREAT, finals[i], 0,
					    "cannot rename %s to %s: %s", tmps[i], finals[i],
					    strerror(errno));
		forget(tmps[i]);
	}
	for (size_t i = 0; i < n; i++) {
		char *dir = ss_dir_of(finals[i]);
		int bad = fsync_path(dir, 1) != 0;
		int e = errno;
		free(dir);
		if (bad)
			return ss_error_set(err, SS_ERR_IO, finals[i], 0,
					    "cannot flush the directory of %s: %s", finals[i],
					    strerror(e));
	}
	return SS_OK;
}

/* Copy src into the (empty) file dst. */
static int copy_file(const char *src, const char *dst)
{
	FILE *in = fopen(src, "rb"), *out = in ? fopen(dst, "wb") : NULL;
	char buf[1 << 16];
	size_t got;
	int bad = !in || !out;

	while (!bad && (got = fread(buf, 1, sizeof buf, in)) > 0)
		bad = fwrite(buf, 1, got, out) != got;
	bad |= in && ferror(in);
	if (in)
		fclose(in);
	if (out)
		bad |= fclose(out) != 0;
	return bad ? -1 : 0;
}

enum ss_status ss_publish_alias(const char *path, const char *alias, struct ss_error *err)
{
	char *tmp = NULL;
	enum ss_status s = ss_publish_temp(alias, &tmp, err);

	if (s != SS_OK || !tmp)
		return s != SS_OK ? s : SS_ERR_IO;
	/* a hard link costs nothing; the temporary name must go first */
	unlink(tmp);
	if (link(path, tmp) != 0 && copy_file(path, tmp) != 0) {
		int e = errno;
		ss_publish_discard(tmp);
		free(tmp);
		return ss_error_set(err, SS_ERR_IO, alias, 0, "cannot make %s a copy of %s: %s",
				    alias, path, strerror(e));
	}
	char *finals[1] = {(char *)alias}, *tmps[1] = {tmp};
	s = ss_publish(tmps, finals, 1, err);
	if (s != SS_OK)
		ss_publish_discard(tmp);
	free(tmp);
	return s;
}

enum ss_status ss_lock_dir(const char *dir, int wait, int *fd, struct ss_error *err)
{
	size_t n = strlen(dir) + sizeof "/" SS_LOCK_NAME;
	char *path = xmalloc(n);

	snprintf(path, n, "%s/%s", dir, SS_LOCK_NAME);
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (*fd < 0) {
		int e = errno;
		enum ss_status s =
			ss_error_set(err, SS_ERR_CANTCREAT, path, 0,
				     "cannot create the lock file %s: %s", path, strerror(e));
		free(path);
		return s;
	}
	while (flock(*fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
		if (errno == EINTR)
			continue;
		int e = errno;
		enum ss_status s =
			e == EWOULDBLOCK
				? ss_error_set(
					  err, SS_ERR_LOCKED, path, 0,
					  "another streamstat report is writing to %s (it holds "
					  "%s); --wait waits for it",
					  dir, path)
				: ss_error_set(err, SS_ERR_CANTCREAT, path, 0, "cannot lock %s: %s",
					       path, strerror(e));
		close(*fd);
		*fd = -1;
		free(path);
		return s;
	}
	free(path);
	return SS_OK;
}
