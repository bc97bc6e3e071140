/*
 * cmd_schedule.c - "streamstat schedule": print a crontab line, or a
 * systemd service and timer, that run "streamstat report -q" nightly with
 * the options given, every path made absolute.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "streamstat/cli.h"
#include "streamstat/xalloc.h"

static const char usage_text[] =
	"usage: streamstat schedule --cron|--systemd [--at HH:MM] [--name NAME]\n"
	"                           -- [REPORT-OPTIONS] DATA.csv ...\n"
	"\n"
	"Print what runs 'streamstat report -q REPORT-OPTIONS DATA.csv ...' every\n"
	"night: a crontab line (--cron; install with 'crontab -e'), or a systemd\n"
	".service and .timer pair with Persistent=true (--systemd; a run missed while\n"
	"the machine was off happens at the next boot).  Paths are made absolute.\n"
	"With -q the report prints only what changed, so cron mails only news.\n"
	"\n"
	"Options:\n"
	"      --cron            a crontab line\n"
	"      --systemd         a service and a timer\n"
	"      --at HH:MM        the time of day (default 03:15)\n"
	"      --name NAME       the systemd units' name (default streamstat-report)\n"
	"  -h, --help            show this help\n"
	"\n" SS_EXIT_CODES_HELP;

/* Options of "report" that take a path, and those that take another value. */
static const char *const path_options[] = {"-c",       "--catalog", "-o",
					   "--output", "--json",    "--tmpdir"};
static const char *const value_options[] = {
	"--as-of",	   "--max-problems", "--milestones", "--level",	  "--by",
	"--exclude-track", "--draws",	     "--seed",	     "--albums",  "-j",
	"--jobs",	   "--moved-days",   "--method",     "--horizon", "--stale-days"};

static int in(const char *arg, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(arg, list[i]) == 0)
			return 1;
	return 0;
}

#define IN(arg, list) in((arg), (list), sizeof(list) / sizeof((list)[0]))

/* path made absolute (resolved when it exists), allocated. */
static char *absolute(const char *path, const char *cwd)
{
	char buf[PATH_MAX];
	size_t n;
	char *out;

	if (realpath(path, buf))
		return xstrdup(buf);
	if (path[0] == '/')
		return xstrdup(path);
	n = strlen(cwd) + strlen(path) + 2;
	out = xmalloc(n);
	snprintf(out, n, "%s/%s", cwd, path);
	return out;
}

/* One argument for a shell (cron): single-quoted unless plain. */
static void put_shell(const char *s)
{
	if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
			    "-_./:=,+@") == strlen(s)) {
		fputs(s, stdout);
		return;
	}
	putchar('\'');
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", stdout);
		else if (*s == '%')
			fputs("\\%", stdout); /* cron turns % into a newline */
		else
			putchar(*s);
	}
	putchar('\'');
}

/* One argument for systemd's ExecStart: double-quoted unless plain. */
static void put_systemd(const char *s)
{
	if (*s && !strpbrk(s, " \t\"'\\%$;")) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		if (*s == '%')
			putchar('%'); /* a specifier otherwise */
		if (*s == '$')
			putchar('$');
		putchar(*s);
	}
	putchar('"');
}

int cmd_schedule(int argc, char **argv)
{
	enum { OPT_CRON = 300, OPT_SYSTEMD, OPT_AT, OPT_NAME };
	static const struct option longopts[] = {{"cron", no_argument, NULL, OPT_CRON},
						 {"systemd", no_argument, NULL, OPT_SYSTEMD},
						 {"at", required_argument, NULL, OPT_AT},
						 {"name", required_argument, NULL, OPT_NAME},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	int kind = 0, hh = 3, mm = 15, opt;
	const char *name = "streamstat-report";
	char cwd[PATH_MAX], self[PATH_MAX];
	ssize_t len;

	opterr = 0;
	/* "+": stop at the first argument that is not ours; the rest is report's */
	while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_CRON:
		case OPT_SYSTEMD:
			kind = opt;
			break;
		case OPT_AT: {
			char end;
			if (sscanf(optarg, "%d:%d%c", &hh, &mm, &end) != 2 || hh < 0 || hh > 23 ||
			    mm < 0 || mm > 59) {
				ss_errorf("schedule: --at: '%s' is not a time HH:MM", optarg);
				fputs(usage_text, stderr);
				return SS_EXIT_USAGE;
			}
			break;
		}
		case OPT_NAME:
			if (!*optarg || strpbrk(optarg, "/ \t")) {
				ss_errorf("schedule: --name: '%s' is not a unit name", optarg);
				fputs(usage_text, stderr);
				return SS_EXIT_USAGE;
			}
			name = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return SS_EXIT_OK;
		default:
			ss_option_error("schedule", opt, argv);
			ss_errorf("schedule: the report's own options go after --");
			return SS_EXIT_USAGE;
		}
	}
	if (!kind) {
		ss_errorf("schedule: say --cron or --systemd");
		fputs(usage_text, stderr);
		return SS_EXIT_USAGE;
	}
	if (optind >= argc) {
		ss_errorf("schedule: no data file given for the report");
		fputs(usage_text, stderr);
		return SS_EXIT_USAGE;
	}
	if (!getcwd(cwd, sizeof cwd) ||
	    (len = readlink("/proc/self/exe", self, sizeof self - 1)) < 0) {
		ss_errorf("schedule: cannot tell the current directory or this program's path");
		return SS_EXIT_IOERR;
	}
	self[len] = '\0';

	/* the report's arguments, paths made absolute */
	size_t n = (size_t)(argc - optind);
	char **args = xcalloc(n + 1, sizeof *args);
	for (size_t i = 0; i < n; i++) {
		const char *a = argv[optind + (int)i], *prev = i ? argv[optind + (int)i - 1] : "";
		const char *eq = strchr(a, '=');
		if (IN(prev, path_options) || (a[0] != '-' && !IN(prev, value_options))) {
			args[i] = absolute(a, cwd); /* a data file, or an option's path */
		} else if (a[0] == '-' && eq && eq[1]) {
			/* --catalog=FILE */
			char *name_part = xstrndup(a, (size_t)(eq - a));
			if (IN(name_part, path_options)) {
				char *p = absolute(eq + 1, cwd);
				size_t size = strlen(name_part) + strlen(p) + 2;
				args[i] = xmalloc(size);
				snprintf(args[i], size, "%s=%s", name_part, p);
				free(p);
			} else {
				args[i] = xstrdup(a);
			}
			free(name_part);
		} else {
			args[i] = xstrdup(a);
		}
	}

	if (kind == OPT_CRON) {
		printf("# streamstat report every night at %02d:%02d (install: crontab -e)\n", hh,
		       mm);
		printf("%d %d * * * cd ", mm, hh);
		put_shell(cwd);
		fputs(" && ", stdout);
		put_shell(self);
		fputs(" report -q", stdout);
		for (size_t i = 0; i < n; i++) {
			putchar(' ');
			put_shell(args[i]);
		}
		putchar('\n');
	} else {
		printf("# %s.service (install both in ~/.config/systemd/user/ and run\n"
		       "#   systemctl --user daemon-reload && systemctl --user enable --now "
		       "%s.timer)\n",
		       name, name);
		printf("[Unit]\nDescription=streamstat nightly report\n\n[Service]\nType=oneshot\n"
		       "WorkingDirectory=");
		put_systemd(cwd);
		fputs("\nExecStart=", stdout);
		put_systemd(self);
		fputs(" report -q", stdout);
		for (size_t i = 0; i < n; i++) {
			putchar(' ');
			put_systemd(args[i]);
		}
		printf("\n\n# %s.timer\n[Unit]\nDescription=Run %s every night\n\n[Timer]\n"
		       "OnCalendar=*-*-* %02d:%02d:00\nPersistent=true\n\n[Install]\n"
		       "WantedBy=timers.target\n",
		       name, name, hh, mm);
	}
	for (size_t i = 0; i < n; i++)
		free(args[i]);
	free(args);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		ss_errorf("schedule: cannot write the output");
		return SS_EXIT_IOERR;
	}
	return SS_EXIT_OK;
}
