/*
 * Unit tests for publish.c's temporaries:
 *  - ss_publish() renames a temporary into place and forgets it, so that
 *    ss_publish_cleanup() removes only the ones not yet published;
 *  - ss_publish_discard() removes one and forgets it;
 *  - a writer opening ss_publish_writer_path()'s name after the temporary's
 *    name was removed writes to it, and creates no file;
 *  - a process stopped by SIGTERM, or out of memory (xalloc_die(), exit
 *    71), once ss_publish_catch_signals() ran, leaves none behind;
 *  - ss_publish_sweep() removes old temporaries of killed runs and nothing
 *    else: not recent ones, not other dot files, not reports.
 */
#include <errno.h>
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
	static char paths[4][128];
	static int next;
	char *p = paths[next++ % 4];

	snprintf(p, 128, "%s/%s", dir, name);
	return p;
}

static int exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static void touch(const char *path, long age)
{
	FILE *f = fopen(path, "w");
	struct timeval tv[2];

	assert_non_null(f);
	assert_int_equal(fclose(f), 0);
	gettimeofday(&tv[0], NULL);
	tv[0].tv_sec -= age;
	tv[1] = tv[0];
	assert_int_equal(utimes(path, tv), 0);
}

static void test_publish_and_cleanup(void **state)
{
	struct ss_error err = {0};
	char *a = NULL, *b = NULL, *c = NULL;
	char *final = strdup(in_dir("report.xlsx"));

	(void)state;
	assert_int_equal(ss_publish_temp(final, &a, &err), SS_OK);
	assert_int_equal(ss_publish_temp(in_dir("report.json"), &b, &err), SS_OK);
	assert_int_equal(ss_publish_temp(in_dir("other.json"), &c, &err), SS_OK);
	assert_true(exists(a) && exists(b) && exists(c));
	char *tmps[1] = {a}, *finals[1] = {final};
	assert_int_equal(ss_publish(tmps, finals, 1, &err), SS_OK);
	assert_true(exists(final) && !exists(a));
	ss_publish_discard(c);
	assert_false(exists(c));
	/* only b is still a temporary */
	ss_publish_cleanup();
	assert_false(exists(b));
	assert_true(exists(final));
	free(a);
	free(b);
	free(c);
	free(final);
}

static void test_writer_path(void **state)
{
	struct ss_error err = {0};
	char *tmp = NULL;
	int fd;

	(void)state;
	assert_int_equal(ss_publish_temp(in_dir("w.xlsx"), &tmp, &err), SS_OK);
	char *w = ss_publish_writer_path(tmp, &fd);
	assert_true(fd >= 0);
	assert_int_equal(strncmp(w, "/proc/self/fd/", 14), 0);
	ss_publish_cleanup(); /* as a stop signal would, while the writer runs */
	assert_false(exists(tmp));
	FILE *f = fopen(w, "wb"); /* as libxlsxwriter opens its output */
	assert_non_null(f);
	assert_true(fputs("zip", f) >= 0);
	assert_int_equal(fclose(f), 0);
	assert_false(exists(tmp));
	assert_int_equal(lseek(fd, 0, SEEK_END), 3); /* the bytes went to the file */
	close(fd);
	free(w);
	free(tmp);
}

/* Fork a child that makes a temporary for path, catches signals, then
 * does what ends it; returns its wait status and the temporary's name. */
static int child(const char *path, int how, char *tmp_out, size_t n)
{
	int fds[2];

	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct ss_error err = {0};
		char *tmp = NULL;
		close(fds[0]);
		if (ss_publish_temp(path, &tmp, &err) != SS_OK)
			_exit(2);
		ss_publish_catch_signals();
		if (write(fds[1], tmp, strlen(tmp) + 1) < 0)
			_exit(3);
		close(fds[1]);
		if (how == 0)
			raise(SIGTERM);
		if (!freopen("/dev/null", "w", stderr)) /* its message is for users */
			_exit(5);
		xalloc_die(1234);
		_exit(4); /* not reached */
	}
	close(fds[1]);
	ssize_t got = read(fds[0], tmp_out, n - 1);
	close(fds[0]);
	assert_true(got > 0);
	tmp_out[got] = '\0';
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void test_stopped_run_leaves_nothing(void **state)
{
	char tmp[256];

	(void)state;
	int status = child(in_dir("s.xlsx"), 0, tmp, sizeof tmp);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGTERM);
	assert_true(strstr(tmp, "/.s.xlsx.") != NULL);
	assert_false(exists(tmp));

	status = child(in_dir("m.json"), 1, tmp, sizeof tmp);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), SS_EXIT_OSERR);
	assert_false(exists(tmp));
}

static void test_sweep(void **state)
{
	(void)state;
	touch(in_dir(".streamstat-2023-11-21.xlsx.Ab3dE9"), 7200);
	touch(in_dir(".latest.json.zzzzzz"), 7200);
	touch(in_dir(".streamstat-2023-11-22.xlsx.Qw12er"), 10); /* a run writing now */
	touch(in_dir(".hidden.xlsx"), 7200);			 /* not a temporary */
	touch(in_dir(".notes.txt.abcdef"), 7200);		 /* not ours */
	touch(in_dir("streamstat-2023-11-21.xlsx"), 7200);	 /* a report */
	assert_int_equal(ss_publish_sweep(dir, 3600), 2);
	assert_false(exists(in_dir(".streamstat-2023-11-21.xlsx.Ab3dE9")));
	assert_false(exists(in_dir(".latest.json.zzzzzz")));
	assert_true(exists(in_dir(".streamstat-2023-11-22.xlsx.Qw12er")));
	assert_true(exists(in_dir(".hidden.xlsx")));
	assert_true(exists(in_dir(".notes.txt.abcdef")));
	assert_true(exists(in_dir("streamstat-2023-11-21.xlsx")));
	assert_int_equal(ss_publish_sweep(in_dir("missing"), 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_publish_and_cleanup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writer_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stopped_run_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sweep, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
