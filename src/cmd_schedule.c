/*
 * cmd_schedule.c - "streamstat schedule": print a crontab line, or a
 * systemd service and timer (printed between file markers, or written into
 * a directory with --write), that run "streamstat report -q" nightly with
 * the options given, every path made absolute and every input checked to
 * exist.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "streamstat/cli.h"
#include "streamstat/utf8.h"
#include "streamstat/xalloc.h"

static const char usage_text[] =
	"usage: streamstat schedule --cron|--systemd [--at HH:MM] [--name NAME]\n"
	"                           [--write DIR] -- [REPORT-OPTIONS] DATA.csv ...\n"
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
	"      --write DIR       with --systemd: write NAME.service and NAME.timer into DIR\n"
	"                        (e.g. ~/.config/systemd/user) instead of printing them\n"
	"  -h, --help            show this help\n"
	"\n"
	"Arguments are refused (exit 64) when a crontab line or a unit file cannot\n"
	"carry them: a newline or another control character, bytes that are not\n"
	"UTF-8 (in the current directory and this program's path too), an option\n"
	"report does not know.  A data file or catalog that cannot be read is\n"
	"refused (exit 66): the job would fail on it every night.  On a server, a\n"
	"user timer runs while you are logged out only after 'loginctl enable-linger'.\n"
	"\n" SS_EXIT_CODES_HELP "73 --write cannot create a unit file.\n";

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

/*
 * The length of the character at s when it is valid UTF-8 and not a control
 * character (C0, DEL, C1), else 0.  A crontab line ends at a newline and a
 * unit file's directive too, so a newline would start a line of the caller's
 * choosing; systemd rejects invalid UTF-8; other control characters are
 * refused alike, as no report argument needs one.
 */
static size_t printable_len(const unsigned char *s)
{
	uint32_t cp;
	size_t n = ss_utf8_char((const char *)s, &cp);

	return n && !ss_is_control(cp) ? n : 0;
}

/*
 * Refuse what no crontab line or unit file can carry: what names the text
 * (e.g. "argument 3"), and it shown with each bad byte as \n, \t or \xNN.
 */
static int check_printable(const char *what, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	const char *kind = NULL;
	size_t n, len = strlen(s);
	char *shown, *o;

	for (; *p; p += n)
		if (!(n = printable_len(p))) {
			if (*p == '\n')
				kind = "a newline";
			else if (*p < 0x80 || (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
				kind = "a control character";
			else
				kind = "bytes that are not UTF-8";
			break;
		}
	if (!kind)
		return 0;
	shown = o = xmalloc(4 * len + 1);
	for (p = (const unsigned char *)s; *p; p += n)
		if ((n = printable_len(p))) {
			memcpy(o, p, n);
			o += n;
		} else {
			n = 1;
			if (*p == '\n')
				o += sprintf(o, "\\n");
			else if (*p == '\t')
				o += sprintf(o, "\\t");
			else
				o += sprintf(o, "\\x%02x", *p);
		}
	*o = '\0';
	ss_errorf("schedule: %s holds %s, which a crontab line or a unit file cannot carry: '%s'",
		  what, kind, shown);
	free(shown);
	return -1;
}

/* Characters no shell, cron or systemd gives a meaning to: left unquoted. */
static int plain(const char *s)
{
	return *s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
			       "-_./:=,+@") == strlen(s);
}

/*
 * One argument of the crontab line's command: cron cuts the command at the
 * first % and feeds the rest to stdin, unless the % follows a backslash,
 * which it then drops (crontab(5)); sh then reads the command.  So: single
 * quotes, ' as '\'', % as \%.  A backslash of the argument is literal inside
 * the quotes, but cron would pair it with a following % (or, in BSD cron,
 * with a following backslash), so when one follows it the quote is closed
 * and reopened in between: \ then '' keeps it away from both.
 */
static void put_cron(FILE *f, const char *s)
{
	if (plain(s)) {
		fputs(s, f);
		return;
	}
	putc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else if (*s == '%')
			fputs("\\%", f);
		else if (*s == '\\' && (s[1] == '%' || s[1] == '\\'))
			fputs("\\''", f);
		else
			putc(*s, f);
	}
	putc('\'', f);
}

/*
 * One word of ExecStart= (systemd.service(5), systemd.syntax(7)): specifiers
 * are expanded in the whole line first (% as %%), then the line is split
 * into words with quotes and C escapes (double quotes, \\ and \"; a lone
 * unquoted ; would end the command), then $ is environment substitution in
 * the arguments ($ as $$), not in the executable's path, which is taken as
 * it is (systemd refuses one holding \, " or ').
 */
static void put_exec(FILE *f, const char *s, int executable)
{
	if (plain(s)) {
		fputs(s, f);
		return;
	}
	putc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putc('\\', f);
		else if (*s == '%' || (*s == '$' && !executable))
			putc(*s, f);
		putc(*s, f);
	}
	putc('"', f);
}

/*
 * WorkingDirectory= takes the rest of the line as it is, no quotes and no
 * escapes, after specifier expansion (% as %%); the line is stripped of
 * whitespace at both ends and a trailing backslash joins the next line
 * (the caller refuses a directory ending in either).
 */
static void put_unit_path(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '%')
			putc('%', f);
		putc(*s, f);
	}
}

static int is_path_option(int opt)
{
	for (size_t i = 0; i < ss_report_option_table.npaths; i++)
		if (ss_report_option_table.paths[i] == opt)
			return 1;
	return 0;
}

/* s with its tail from offset off made absolute, allocated. */
static char *absolute_tail(const char *s, size_t off, const char *cwd)
{
	char *p = absolute(s + off, cwd), *out;
	size_t size = off + strlen(p) + 1;

	out = xmalloc(size);
	snprintf(out, size, "%.*s%s", (int)off, s, p);
	free(p);
	return out;
}

/*
 * The report's arguments in[0..n) as the job will pass them, into
 * out[0..n) (allocated): the data files and the values of the options that
 * take a path made absolute.  input[k] (zeroed by the caller) is set for
 * the inputs, data files and catalogs: 1 + where the path starts in out[k].  They are read with
 * report's own option table, so abbreviations (--cat=FILE, --as DATE), attached values (-cFILE,
 * -qcFILE) and -- mean what they will mean to report.  SS_EXIT_USAGE after a message when report
 * would refuse them.
 */
/* "-", standard input, which nothing feeds a job at night: said, and true. */
static int is_stdin(const char *file)
{
	if (strcmp(file, "-") != 0)
		return 0;
	ss_errorf("schedule: '-' (standard input) cannot be a nightly job's data: nothing feeds "
		  "it at night; give the file the data are saved to");
	return 1;
}

static int report_args(int n, char **in, char **out, size_t *input, const char *cwd)
{
	const struct ss_option_table *t = &ss_report_option_table;
	char name[] = "report", **v = xcalloc((size_t)n + 2, sizeof *v);
	size_t len = strlen(t->shortopts) + 2;
	char *spec = xmalloc(len);
	int opt, k, code = SS_EXIT_OK;

	v[0] = name;
	memcpy(v + 1, in, (size_t)n * sizeof *v);
	/* "-" (which the table's own options start with): each data file in its
	 * place (as opt 1), nothing permuted */
	snprintf(spec, len, "%s%s", t->shortopts[0] == '-' ? "" : "-", t->shortopts);
	optind = 0; /* start over after schedule's own options */
	opterr = 0;
	while ((opt = getopt_long(n + 1, v, spec, t->longopts, NULL)) != -1) {
		if (opt == '?' || opt == ':') {
			ss_option_error("schedule: report", opt, v);
			code = SS_EXIT_USAGE;
			break;
		}
		if (!optarg)
			continue;
		/* the value ends v[optind - 1], alone (-c FILE) or attached (--catalog=FILE) */
		k = optind - 1;
		if (opt == 1 && is_stdin(optarg)) {
			code = SS_EXIT_USAGE;
			break;
		}
		if (opt == 1 || is_path_option(opt))
			out[k - 1] = absolute_tail(v[k], (size_t)(optarg - v[k]), cwd);
		if (opt == 1 || opt == 'c')
			input[k - 1] = 1 + (size_t)(optarg - v[k]);
	}
	/* what follows "--" is data files */
	for (k = optind; code == SS_EXIT_OK && k <= n; k++)
		if (is_stdin(v[k]))
			code = SS_EXIT_USAGE;
		else if (!out[k - 1]) {
			out[k - 1] = absolute(v[k], cwd);
			input[k - 1] = 1;
		}
	for (k = 0; k < n; k++)
		if (!out[k])
			out[k] = xstrdup(in[k]);
	free(spec);
	free(v);
	return code;
}

/* Do the report's inputs exist?  A nightly job on a missing file would
 * fail every night, unseen until cron's mail: SS_EXIT_NOINPUT at once. */
static int inputs_exist(char **args, const size_t *input, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *path = input[i] ? args[i] + input[i] - 1 : NULL;
		if (path && access(path, R_OK) != 0) {
			ss_errorf("schedule: %s: %s: the nightly report would fail on it every "
				  "night; give an existing file",
				  path, strerror(errno));
			return SS_EXIT_NOINPUT;
		}
	}
	return SS_EXIT_OK;
}

/* What the units run: the report with the arguments given, absolute. */
struct job {
	const char *cwd, *self, *name;
	char **args;
	size_t n;
	int hh, mm;
};

static void cron_line(FILE *f, const struct job *j)
{
	fprintf(f, "%d %d * * * cd ", j->mm, j->hh);
	put_cron(f, j->cwd);
	fputs(" && ", f);
	put_cron(f, j->self);
	fputs(" report -q", f);
	for (size_t i = 0; i < j->n; i++) {
		putc(' ', f);
		put_cron(f, j->args[i]);
	}
	putc('\n', f);
}

static void service_unit(FILE *f, const struct job *j)
{
	fputs("[Unit]\nDescription=streamstat nightly report\n\n[Service]\nType=oneshot\n"
	      "WorkingDirectory=",
	      f);
	put_unit_path(f, j->cwd);
	fputs("\nExecStart=", f);
	put_exec(f, j->self, 1);
	fputs(" report -q", f);
	for (size_t i = 0; i < j->n; i++) {
		putc(' ', f);
		put_exec(f, j->args[i], 0);
	}
	putc('\n', f);
}

static void timer_unit(FILE *f, const struct job *j)
{
	fprintf(f,
		"[Unit]\nDescription=Run %s every night\n\n[Timer]\n"
		"OnCalendar=*-*-* %02d:%02d:00\nPersistent=true\n\n[Install]\n"
		"WantedBy=timers.target\n",
		j->name, j->hh, j->mm);
}

#define UNIT_DIR "~/.config/systemd/user"

/* How to install the units, as comment lines. */
static void install_steps(FILE *f, const struct job *j, const char *dir)
{
	fprintf(f,
		"# then: systemctl --user daemon-reload && systemctl --user enable --now %s.timer\n"
		"# on a server, also: loginctl enable-linger (user timers then run while you are "
		"logged out)\n",
		j->name);
	if (strcmp(dir, UNIT_DIR) != 0)
		fprintf(f, "# (%s must be where systemd --user looks, e.g. " UNIT_DIR ")\n", dir);
}

/*
 * Write dir/name (a unit) made by make(), through a new file renamed into
 * place, so that a unit is never seen half written.  dir is created when
 * missing, as mkdir -p does.  Returns an exit code after a message.
 */
static int write_unit(const char *dir, const char *name, const struct job *j,
		      void (*make)(FILE *, const struct job *))
{
	size_t n = strlen(dir) + strlen(name) + 16;
	char *path = xmalloc(n), *tmp = xmalloc(n + 8);
	int code = SS_EXIT_OK, fd;
	FILE *f = NULL;

	snprintf(path, n, "%s/%s", dir, name);
	snprintf(tmp, n + 8, "%s/.%s.XXXXXX", dir, name);
	fd = mkstemp(tmp);
	if (fd >= 0)
		f = fdopen(fd, "w");
	if (!f) {
		ss_errorf("schedule: cannot create %s: %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		free(path);
		free(tmp);
		return SS_EXIT_CANTCREAT;
	}
	make(f, j);
	int bad = fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0 ||
		  fchmod(fileno(f), 0644) != 0;
	bad |= fclose(f) != 0;
	if (bad || rename(tmp, path) != 0) {
		ss_errorf("schedule: cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		code = SS_EXIT_IOERR;
	} else {
		printf("wrote %s\n", path);
	}
	free(path);
	free(tmp);
	return code;
}

/* mkdir -p dir (0777 less the umask).  Returns an exit code after a message. */
static int make_dirs(const char *dir)
{
	char *p = xstrdup(dir);
	int code = SS_EXIT_OK;

	for (char *s = p + 1;; s++) {
		if (*s && *s != '/')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST) {
			ss_errorf("schedule: --write: cannot create the directory %s: %s", p,
				  strerror(errno));
			code = SS_EXIT_CANTCREAT;
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return code;
}

static int put_systemd(const struct job *j, const char *write_dir)
{
	size_t n = strlen(j->name) + sizeof ".service";
	char *service = xmalloc(n), *timer = xmalloc(n);
	int code = SS_EXIT_OK;

	snprintf(service, n, "%s.service", j->name);
	snprintf(timer, n, "%s.timer", j->name);
	if (write_dir) {
		code = make_dirs(write_dir);
		if (code == SS_EXIT_OK)
			code = write_unit(write_dir, service, j, service_unit);
		if (code == SS_EXIT_OK)
			code = write_unit(write_dir, timer, j, timer_unit);
		if (code == SS_EXIT_OK)
			install_steps(stdout, j, write_dir);
	} else {
		/* each file between markers that name it: the lines after one,
		 * up to the next, are the file */
		printf("# streamstat schedule: two files, each after its '# ==> FILE <==' line "
		       "(or --write " UNIT_DIR ")\n");
		install_steps(stdout, j, UNIT_DIR);
		printf("# ==> " UNIT_DIR "/%s <==\n", service);
		service_unit(stdout, j);
		printf("# ==> " UNIT_DIR "/%s <==\n", timer);
		timer_unit(stdout, j);
	}
	free(service);
	free(timer);
	return code;
}

int cmd_schedule(int argc, char **argv)
{
	enum { OPT_CRON = 300, OPT_SYSTEMD, OPT_AT, OPT_NAME, OPT_WRITE };
	static const struct option longopts[] = {{"cron", no_argument, NULL, OPT_CRON},
						 {"systemd", no_argument, NULL, OPT_SYSTEMD},
						 {"at", required_argument, NULL, OPT_AT},
						 {"name", required_argument, NULL, OPT_NAME},
						 {"write", required_argument, NULL, OPT_WRITE},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	int kind = 0, hh = 3, mm = 15, opt, code;
	const char *name = "streamstat-report", *write_dir = NULL;
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
				ss_usage_brief(stderr, usage_text);
				return SS_EXIT_USAGE;
			}
			break;
		}
		case OPT_NAME:
			if (check_printable("--name", optarg))
				return SS_EXIT_USAGE;
			/* a unit name's characters (systemd.unit(5)) and no more: the name
			 * is written into comments and Description= too */
			if (!*optarg ||
			    strspn(optarg, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					   "0123456789:-_.") != strlen(optarg)) {
				ss_errorf("schedule: --name: '%s' is not a unit name", optarg);
				ss_usage_brief(stderr, usage_text);
				return SS_EXIT_USAGE;
			}
			name = optarg;
			break;
		case OPT_WRITE:
			if (!*optarg || check_printable("--write", optarg)) {
				if (!*optarg)
					ss_errorf("schedule: --write: give a directory");
				ss_usage_brief(stderr, usage_text);
				return SS_EXIT_USAGE;
			}
			write_dir = optarg;
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
		ss_usage_brief(stderr, usage_text);
		return SS_EXIT_USAGE;
	}
	if (write_dir && kind != OPT_SYSTEMD) {
		ss_errorf("schedule: --write goes with --systemd (a crontab line is installed with "
			  "crontab -e)");
		ss_usage_brief(stderr, usage_text);
		return SS_EXIT_USAGE;
	}
	if (optind >= argc) {
		ss_errorf("schedule: no data file given for the report");
		ss_usage_brief(stderr, usage_text);
		return SS_EXIT_USAGE;
	}
	if (!getcwd(cwd, sizeof cwd) ||
	    (len = readlink("/proc/self/exe", self, sizeof self - 1)) < 0) {
		ss_errorf("schedule: cannot tell the current directory or this program's path");
		return SS_EXIT_IOERR;
	}
	self[len] = '\0';
	if (check_printable("the current directory", cwd) ||
	    check_printable("this program's path", self))
		return SS_EXIT_USAGE;
	if (kind == OPT_SYSTEMD) {
		size_t l = strlen(cwd);
		if (strpbrk(self, "\\\"'")) {
			ss_errorf("schedule: this program's path holds \\, \" or ', which systemd "
				  "refuses in an executable's name: '%s'",
				  self);
			return SS_EXIT_USAGE;
		}
		if (l && (cwd[l - 1] == ' ' || cwd[l - 1] == '\\')) {
			ss_errorf("schedule: the current directory ends in a space or a backslash, "
				  "which a unit file's WorkingDirectory= cannot carry: '%s'",
				  cwd);
			return SS_EXIT_USAGE;
		}
	}

	size_t n = (size_t)(argc - optind);
	for (size_t i = 0; i < n; i++) {
		char what[48];
		snprintf(what, sizeof what, "report argument %zu", i + 1);
		if (check_printable(what, argv[optind + (int)i]))
			return SS_EXIT_USAGE;
	}
	char **args = xcalloc(n + 1, sizeof *args);
	size_t *input = xcalloc(n + 1, sizeof *input);
	code = report_args((int)n, argv + optind, args, input, cwd);
	/* realpath() may have followed a symbolic link to a name holding one */
	for (size_t i = 0; code == SS_EXIT_OK && i < n; i++) {
		char what[64];
		snprintf(what, sizeof what, "report argument %zu, made absolute,", i + 1);
		if (check_printable(what, args[i]))
			code = SS_EXIT_USAGE;
	}
	if (code == SS_EXIT_OK)
		code = inputs_exist(args, input, n);

	struct job j = {
		.cwd = cwd, .self = self, .name = name, .args = args, .n = n, .hh = hh, .mm = mm};
	if (code == SS_EXIT_OK && kind == OPT_CRON) {
		printf("# streamstat report every night at %02d:%02d (install: crontab -e)\n", hh,
		       mm);
		cron_line(stdout, &j);
	} else if (code == SS_EXIT_OK) {
		code = put_systemd(&j, write_dir);
	}
	for (size_t i = 0; i < n; i++)
		free(args[i]);
	free(args);
	free(input);
	if (code == SS_EXIT_OK && (fflush(stdout) != 0 || ferror(stdout))) {
		ss_errorf("schedule: cannot write the output");
		return SS_EXIT_IOERR;
	}
	return code;
}
