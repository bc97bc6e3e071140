/*
 * Unit tests for publish.c:
 *  - a run's files appear under their final names (links) by one rename of
 *    the pointer; a second run replaces the first and removes its directory;
 *  - plain files left by an older version are adopted: the names turn into
 *    links with the old contents, then the new run's;
 *  - ss_publish_check() refuses a directory where a file goes, before
 *    anything is written;
 *  - a writer opening ss_run_file()'s name after the run was removed writes
 *    to it, and creates no file;
 *  - a process stopped by SIGTERM, or out of memory (xalloc_die(), exit
 *    71), once ss_publish_catch_signals() ran, leaves no run behind; a
 *    SIGTERM arriving while ss_publish_hold() is in force waits until the
 *    pair is published;
 *  - ss_publish_sweep() removes unpublished runs of killed runs and older
 *    temporaries, and nothing else;
 *  - ss_lock_dir() never follows a link, makes its file 0600, and refuses
 *    another user's;
 *  - report names: built as streamstat-YYYY-MM-DD.EXT, read back, others
 *    refused; the report before a date is the latest earlier one.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "streamstat/date.h"
#include "streamstat/error.h"
#include "streamstat/publish.h"
#include "streamstat/xalloc.h"

static char dir[64];

static int setup(void **state)
{
	const char *t = getenv("TMPDIR");

	(void)state;
	snprintf(dir, sizeof dir, "%s/ss-publish-XXXXXX", t && *t ? t : "/tmp");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *in_dir(const char *name)
{
	static char paths[4][512];
	static int next;
	char *p = paths[next++ % 4];

	snprintf(p, 512, "%s/%s", dir, name);
	return p;
}

static int exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/* The contents of path (up to 63 bytes), "" when it cannot be read. */
static const char *got(const char *path)
{
	static char buf[64];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = '\0';
	return buf;
}

static void touch(const char *path, long age)
{
	struct timeval tv[2];

	if (!exists(path))
		put(path, "");
	gettimeofday(&tv[0], NULL);
	tv[0].tv_sec -= age;
	tv[1] = tv[0];
	assert_int_equal(lutimes(path, tv), 0);
}

static const struct ss_link links[2] = {{"r.xlsx", ".r/" SS_RUN_XLSX},
					{"r.json", ".r/" SS_RUN_JSON}};

/* One run of the pair r.xlsx/r.json, writing text to both. */
static void run_once(const char *text)
{
	struct ss_error err = {0};
	struct ss_run run = SS_RUN_INIT;
	sigset_t old;

	assert_int_equal(ss_publish_check(dir, ".r", links, 2, &err), SS_OK);
	assert_int_equal(ss_run_begin(&run, dir, ".r", &err), SS_OK);
	for (int i = 0; i < 2; i++) {
		char *w = ss_run_file(&run, i ? SS_RUN_JSON : SS_RUN_XLSX, &err);
		assert_non_null(w);
		put(w, text);
		free(w);
	}
	ss_publish_hold(&old);
	assert_int_equal(ss_run_publish(&run, links, 2, &err), SS_OK);
	ss_run_discard(&run);
	ss_publish_release(&old);
}

static int runs_in_dir(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += strncmp(e->d_name, ".r.run.", 7) == 0;
	closedir(d);
	return n;
}

static void test_pair_by_one_rename(void **state)
{
	struct stat st;

	(void)state;
	run_once("one");
	assert_string_equal(got(in_dir("r.xlsx")), "one");
	assert_string_equal(got(in_dir("r.json")), "one");
	assert_int_equal(lstat(in_dir("r.xlsx"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	run_once("two");
	assert_string_equal(got(in_dir("r.xlsx")), "two");
	assert_string_equal(got(in_dir("r.json")), "two");
	assert_int_equal(runs_in_dir(), 1); /* the first run's directory is gone */
}

static void test_adopt_plain_files(void **state)
{
	struct ss_error err = {0};
	static const struct ss_link latest[2] = {{"latest.xlsx", "latest/" SS_RUN_XLSX},
						 {"latest.json", "latest/" SS_RUN_JSON}};

	(void)state;
	put(in_dir("r.xlsx"), "old");
	put(in_dir("r.json"), "old");
	put(in_dir("latest.xlsx"), "old");
	put(in_dir("latest.json"), "old");
	run_once("new");
	assert_string_equal(got(in_dir("r.xlsx")), "new");
	assert_string_equal(got(in_dir("r.json")), "new");
	assert_int_equal(runs_in_dir(), 1); /* the adopted old pair is gone */
	assert_int_equal(ss_publish_point(dir, "latest", ".r", latest, 2, &err), SS_OK);
	assert_string_equal(got(in_dir("latest.xlsx")), "new");
	assert_string_equal(got(in_dir("latest.json")), "new");
	assert_false(exists(in_dir(".latest"))); /* no adopted run left */
}

static void test_check_refuses_directory(void **state)
{
	struct ss_error err = {0};

	(void)state;
	assert_int_equal(mkdir(in_dir("r.json"), 0755), 0);
	assert_int_equal(ss_publish_check(dir, ".r", links, 2, &err), SS_ERR_CANTCREAT);
	assert_non_null(strstr(err.msg, "r.json: it is a directory"));
	rmdir(in_dir("r.json"));
	assert_int_equal(mkdir(in_dir(".r"), 0755), 0);
	assert_int_equal(ss_publish_check(dir, ".r", links, 2, &err), SS_ERR_CANTCREAT);
	assert_non_null(strstr(err.msg, "in the way"));
}

static void test_writer_path(void **state)
{
	struct ss_error err = {0};
	struct ss_run run = SS_RUN_INIT;

	(void)state;
	assert_int_equal(ss_run_begin(&run, dir, ".w", &err), SS_OK);
	char *w = ss_run_file(&run, SS_RUN_XLSX, &err);
	assert_non_null(w);
	assert_int_equal(strncmp(w, "/proc/self/fd/", 14), 0);
	char *path = strdup(in_dir(run.run));
	ss_publish_cleanup(); /* as a stop signal would, while the writer runs */
	assert_false(exists(path));
	FILE *f = fopen(w, "wb"); /* as libxlsxwriter opens its output */
	assert_non_null(f);
	assert_true(fputs("zip", f) >= 0);
	assert_int_equal(fclose(f), 0);
	assert_false(exists(path));
	assert_int_equal(lseek(run.fds[0], 0, SEEK_END), 3); /* the bytes went to the file */
	run.slot = -1;					     /* cleanup forgot it */
	ss_run_discard(&run);
	free(path);
	free(w);
}

/*
 * Fork a child that begins a run, catches signals, then does what ends it:
 * 0 SIGTERM, 1 out of memory, 2 SIGTERM while publishing with the signals
 * held.  Returns its wait status and the run directory's name.
 */
static int child(int how, char *run_out, size_t n)
{
	int fds[2];

	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct ss_error err = {0};
		struct ss_run run = SS_RUN_INIT;
		sigset_t old;
		close(fds[0]);
		if (ss_run_begin(&run, dir, ".r", &err) != SS_OK)
			_exit(2);
		for (int i = 0; i < 2; i++) {
			char *w = ss_run_file(&run, i ? SS_RUN_JSON : SS_RUN_XLSX, &err);
			if (!w)
				_exit(2);
			FILE *f = fopen(w, "w");
			if (!f || fputs("stopped", f) < 0 || fclose(f) != 0)
				_exit(2);
			free(w);
		}
		ss_publish_catch_signals();
		if (write(fds[1], run.run, strlen(run.run) + 1) < 0)
			_exit(3);
		close(fds[1]);
		if (how == 0)
			raise(SIGTERM);
		if (how == 2) {
			ss_publish_hold(&old);
			raise(SIGTERM); /* as if it came between two renames */
			if (ss_run_publish(&run, links, 2, &err) != SS_OK)
				_exit(6);
			ss_publish_release(&old);
			_exit(7); /* not reached: the held signal ends it */
		}
		if (!freopen("/dev/null", "w", stderr)) /* its message is for users */
			_exit(5);
		xalloc_die(1234);
		_exit(4); /* not reached */
	}
	close(fds[1]);
	ssize_t r = read(fds[0], run_out, n - 1);
	close(fds[0]);
	assert_true(r > 0);
	run_out[r] = '\0';
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void test_stopped_run_leaves_nothing(void **state)
{
	char run[256];

	(void)state;
	int status = child(0, run, sizeof run);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGTERM);
	assert_int_equal(strncmp(run, ".r.run.", 7), 0);
	assert_false(exists(in_dir(run)));

	status = child(1, run, sizeof run);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), SS_EXIT_OSERR);
	assert_false(exists(in_dir(run)));
	assert_false(exists(in_dir("r.xlsx")));
}

static void test_held_stop_publishes_the_pair(void **state)
{
	char run[256];

	(void)state;
	run_once("before");
	int status = child(2, run, sizeof run);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGTERM);
	assert_true(exists(in_dir(run)));
	assert_string_equal(got(in_dir("r.xlsx")), "stopped");
	assert_string_equal(got(in_dir("r.json")), "stopped");
}

static void test_sweep(void **state)
{
	(void)state;
	run_once("kept"); /* a published run: named by .r */
	assert_int_equal(mkdir(in_dir(".r.run.Ab3dE9"), 0700), 0); /* killed outright */
	put(in_dir(".r.run.Ab3dE9/" SS_RUN_XLSX), "x");
	touch(in_dir(".r.run.Ab3dE9"), 7200);
	assert_int_equal(mkdir(in_dir(".s.run.Qw12er"), 0700), 0); /* a run writing now */
	assert_int_equal(mkdir(in_dir(".t.run.Zz12er"), 0700), 0); /* not only a run's files */
	put(in_dir(".t.run.Zz12er/notes.txt"), "mine");
	touch(in_dir(".t.run.Zz12er"), 7200);
	touch(in_dir(".streamstat-2023-11-21.xlsx.Ab3dE9"), 7200); /* an older version's */
	touch(in_dir(".latest.json.zzzzzz"), 7200);
	assert_int_equal(symlink(".r.run.gone00", in_dir(".r.ln.Ab3dE9")), 0);
	touch(in_dir(".r.ln.Ab3dE9"), 7200);
	touch(in_dir(".hidden.xlsx"), 7200);		   /* not a temporary */
	touch(in_dir(".notes.txt.abcdef"), 7200);	   /* not ours */
	touch(in_dir("streamstat-2023-11-21.xlsx"), 7200); /* a report */
	char cmd[256];
	snprintf(cmd, sizeof cmd, "touch -h -d '2 hours ago' '%s'/.r.run.* '%s/.r'", dir, dir);
	assert_int_equal(system(cmd), 0); /* the published run is old too */
	assert_int_equal(ss_publish_sweep(dir, 3600), 4);
	assert_false(exists(in_dir(".r.run.Ab3dE9")));
	assert_false(exists(in_dir(".streamstat-2023-11-21.xlsx.Ab3dE9")));
	assert_false(exists(in_dir(".latest.json.zzzzzz")));
	assert_false(exists(in_dir(".r.ln.Ab3dE9")));
	assert_string_equal(got(in_dir("r.xlsx")), "kept");
	assert_true(exists(in_dir(".s.run.Qw12er")));
	assert_true(exists(in_dir(".t.run.Zz12er/notes.txt")));
	assert_true(exists(in_dir(".hidden.xlsx")));
	assert_true(exists(in_dir(".notes.txt.abcdef")));
	assert_true(exists(in_dir("streamstat-2023-11-21.xlsx")));
	assert_int_equal(ss_publish_sweep(in_dir("missing"), 0), 0);
}

static void test_lock(void **state)
{
	struct ss_error err = {0};
	struct stat st;
	int fd;

	(void)state;
	/* a dangling link must not make the run create its target */
	assert_int_equal(symlink(in_dir("made-through-link"), in_dir(SS_LOCK_NAME)), 0);
	assert_int_equal(ss_lock_dir(dir, 0, &fd, &err), SS_ERR_CANTCREAT);
	assert_int_equal(fd, -1);
	assert_non_null(strstr(err.msg, "symbolic link"));
	assert_false(exists(in_dir("made-through-link")));
	unlink(in_dir(SS_LOCK_NAME));
	/* an older version's 0644 lock file is made private */
	put(in_dir(SS_LOCK_NAME), "");
	assert_int_equal(chmod(in_dir(SS_LOCK_NAME), 0644), 0);
	assert_int_equal(ss_lock_dir(dir, 0, &fd, &err), SS_OK);
	assert_int_equal(stat(in_dir(SS_LOCK_NAME), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	close(fd);
	unlink(in_dir(SS_LOCK_NAME));
	assert_int_equal(ss_lock_dir(dir, 0, &fd, &err), SS_OK);
	assert_int_equal(stat(in_dir(SS_LOCK_NAME), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	close(fd);
	/* another user's lock file: refused, naming why (root can chown) */
	if (geteuid() == 0) {
		assert_int_equal(chown(in_dir(SS_LOCK_NAME), 65534, 65534), 0);
		assert_int_equal(ss_lock_dir(dir, 0, &fd, &err), SS_ERR_CANTCREAT);
		assert_non_null(strstr(err.msg, "belongs to user 65534"));
	}
}

static void test_report_names(void **state)
{
	static const struct {
		const char *name;
		int ok;
		int y, m, d;
	} cases[] = {
		{"streamstat-2023-11-18.json", 1, 2023, 11, 18},
		{"streamstat-1900-01-01.json", 1, 1900, 1, 1},
		{"streamstat-2023-11-18.xlsx", 0, 0, 0, 0},
		{"streamstat-2023-11-18.json.tmp", 0, 0, 0, 0},
		{".streamstat-2023-11-18.json", 0, 0, 0, 0},
		{"streamstat-2023-02-30.json", 0, 0, 0, 0},
		{"streamstat-2023-1-18.json", 0, 0, 0, 0},
		{"streamstat-.json", 0, 0, 0, 0},
		{"latest.json", 0, 0, 0, 0},
		{NULL, 0, 0, 0, 0},
	};
	int32_t day;
	char *p;

	(void)state;
	for (size_t i = 0; cases[i].name; i++) {
		day = 0;
		assert_int_equal(ss_report_name_date(cases[i].name, SS_REPORT_JSON, &day),
				 cases[i].ok);
		if (cases[i].ok)
			assert_int_equal(day, ss_date_from_ymd(cases[i].y, cases[i].m, cases[i].d));
	}
	p = ss_report_path("out/x", ss_date_from_ymd(2023, 11, 4), SS_REPORT_XLSX);
	assert_string_equal(p, "out/x/streamstat-2023-11-04.xlsx");
	free(p);

	/* the latest before the date, of that suffix, whatever else is there */
	assert_null(ss_report_before(dir, ss_date_from_ymd(2023, 11, 18), SS_REPORT_JSON, &day));
	put(in_dir("streamstat-2023-11-04.json"), "{}");
	put(in_dir("streamstat-2023-11-17.json"), "{}");
	put(in_dir("streamstat-2023-11-18.json"), "{}");
	put(in_dir("streamstat-2023-11-17x.json"), "{}");
	put(in_dir("streamstat-2023-11-16.xlsx"), "");
	p = ss_report_before(dir, ss_date_from_ymd(2023, 11, 18), SS_REPORT_JSON, &day);
	assert_string_equal(p, in_dir("streamstat-2023-11-17.json"));
	assert_int_equal(day, ss_date_from_ymd(2023, 11, 17));
	free(p);
	p = ss_report_before(dir, ss_date_from_ymd(2023, 11, 17), SS_REPORT_JSON, &day);
	assert_string_equal(p, in_dir("streamstat-2023-11-04.json"));
	free(p);
	assert_null(ss_report_before(dir, ss_date_from_ymd(2023, 11, 4), SS_REPORT_JSON, &day));
	assert_null(ss_report_before("/nonexistent", 0, SS_REPORT_JSON, &day));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pair_by_one_rename, setup, teardown),
		cmocka_unit_test_setup_teardown(test_adopt_plain_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_refuses_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writer_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stopped_run_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_held_stop_publishes_the_pair, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sweep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_names, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
