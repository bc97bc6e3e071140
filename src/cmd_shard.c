/*
 * cmd_shard.c - "streamstat split", "analyse" and "merge": the report in
 * parts, for an engine (GNU parallel, a Slurm job array) to run the parts
 * side by side, and the same workbook and JSON summary at the end (see
 * shard.h; the formats and what may differ are in doc/sharding.md).
 *
 * split: one ingest of the whole input, observations streamed into the
 * part of their album as they are read (ss_dataset.obs_sink), the albums,
 * tracks and files written at the end; part 0 also carries what is about
 * the input as a whole (each file's counts and SHA-256, the input problems).
 * analyse: one part rebuilt as a dataset (ids in the whole input's order),
 * the series stage and the pipeline on it, written as a partial result.
 * merge: the results rebuilt as one dataset, fits and milestones with the
 * whole input's ids, the albums ranked, and the report's end (cmd_report.c).
 *
 * What is learned across albums: the backtest's model rule.  A part cannot
 * learn it, so analyse and merge take --no-backtest: the pace model on its
 * shipped record (as "report --no-backtest").  The pooled curves (--curves)
 * are fitted per album (pool.h) and shard as they are.
 */
#include <errno.h>
#include <signal.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "streamstat/cli.h"
#include "streamstat/csvread.h"
#include "streamstat/ingest.h"
#include "streamstat/publish.h"
#include "streamstat/report.h"
#include "streamstat/series.h"
#include "streamstat/shard.h"
#include "streamstat/xalloc.h"

uint64_t ss_shard_hash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325u;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3u;
	}
	return h;
}

uint32_t ss_shard_of(const char *title, size_t len, uint32_t nparts)
{
	return nparts ? (uint32_t)(ss_shard_hash(title, len) % nparts) : 0;
}

/* ---- writing records -------------------------------------------------- */

struct rec {
	FILE *f;
	int first;
};

static void rec_begin(struct rec *r, FILE *f, const char *kind)
{
	r->f = f;
	r->first = 0;
	fputs(kind, f);
}

static void rec_s(struct rec *r, const char *s)
{
	putc(',', r->f);
	putc('"', r->f);
	for (; *s; s++) {
		if (*s == '"')
			putc('"', r->f);
		putc(*s, r->f);
	}
	putc('"', r->f);
}

static void rec_i(struct rec *r, int64_t v)
{
	fprintf(r->f, ",%" PRId64, v);
}

static void rec_u(struct rec *r, uint64_t v)
{
	fprintf(r->f, ",%" PRIu64, v);
}

static void rec_d(struct rec *r, double v)
{
	fprintf(r->f, ",%.17g", v);
}

static void rec_end(struct rec *r)
{
	putc('\n', r->f);
}

/* ---- reading records -------------------------------------------------- */

struct rd {
	const struct ss_csv_row *row;
	size_t i;
	int bad;
};

static const char *rd_s(struct rd *r)
{
	if (r->i >= r->row->nkept) {
		r->bad = 1;
		return "";
	}
	return r->row->field[r->i++];
}

static int64_t rd_i(struct rd *r)
{
	const char *s = rd_s(r);
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno)
		r->bad = 1;
	return v;
}

static uint64_t rd_u(struct rd *r)
{
	const char *s = rd_s(r);
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (*s == '\0' || *s == '-' || *end != '\0' || errno)
		r->bad = 1;
	return v;
}

static double rd_d(struct rd *r)
{
	const char *s = rd_s(r);
	char *end;
	double v = strtod(s, &end);

	if (*s == '\0' || *end != '\0')
		r->bad = 1;
	return v;
}

/* A file of records read with ss_csv_read(): the first problem met. */
struct reader {
	const char *path;
	const char *cmd;
	int failed;
	uint64_t line;
	char msg[512];
	int ended; /* the "E" record was read */
};

static void reader_fail(struct reader *rd, uint64_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void reader_fail(struct reader *rd, uint64_t line, const char *fmt, ...)
{
	va_list ap;

	if (rd->failed)
		return;
	rd->failed = 1;
	rd->line = line;
	va_start(ap, fmt);
	vsnprintf(rd->msg, sizeof rd->msg, fmt, ap);
	va_end(ap);
}

/*
 * Read path's records through fn; an exit code, the problem said as
 * "cmd: path:line: message".  A file that is not CSV, or that stops
 * before its "E" record, is a data error (65); one that cannot be read, 66
 * or 74.
 */
static int read_records(struct reader *rd, ss_csv_row_fn fn, void *user)
{
	struct ss_problems pr;
	struct ss_csv_stats cs;
	struct ss_error err = {0};
	enum ss_status st;
	int code = SS_EXIT_OK;

	ss_problems_init(&pr, 4);
	st = ss_csv_read(rd->path, 0, &pr, fn, user, &cs, &err);
	if (st != SS_OK) {
		ss_errorf("%s: %s: %s", rd->cmd, rd->path, err.msg);
		code = ss_exit_code(st);
	} else if (pr.n && !rd->failed) {
		ss_errorf("%s: %s:%" PRIu64 ": %s", rd->cmd, rd->path, pr.list[0].line,
			  pr.list[0].msg);
		code = SS_EXIT_DATAERR;
	} else if (rd->failed) {
		ss_errorf("%s: %s:%" PRIu64 ": %s", rd->cmd, rd->path, rd->line, rd->msg);
		code = SS_EXIT_DATAERR;
	} else if (!rd->ended) {
		ss_errorf("%s: %s: ends before its last record (\"E\"): the file is cut short; "
			  "write it again",
			  rd->cmd, rd->path);
		code = SS_EXIT_DATAERR;
	}
	ss_problems_release(&pr);
	return code;
}

/* The header row: FORMAT,VERSION,PART,NPARTS...; 0, or -1 (failed). */
static int check_header(struct reader *rd, const struct ss_csv_row *row, const char *format,
			int version, const char *writer)
{
	if (row->nkept < 4 || strcmp(row->field[0], format) != 0) {
		reader_fail(rd, row->line,
			    "not a file written by \"streamstat %s\" (its first line does not "
			    "start with '%s')",
			    writer, format);
		return -1;
	}
	if (strtol(row->field[1], NULL, 10) != version) {
		reader_fail(rd, row->line,
			    "%s version %s, but this streamstat (%s) reads version %d: run "
			    "\"streamstat %s\" again with this version",
			    format, row->field[1], SS_VERSION, version, writer);
		return -1;
	}
	return 0;
}

/* ---- a growing string --------------------------------------------------- */

struct sbuf {
	char *s;
	size_t n, cap;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int k;

	for (;;) {
		va_start(ap, fmt);
		k = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
		va_end(ap);
		if (k < 0)
			return;
		if (b->s && b->n + (size_t)k < b->cap) {
			b->n += (size_t)k;
			return;
		}
		b->cap = (b->n + (size_t)k + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
}

/* ---- split -------------------------------------------------------------- */

static const char split_usage_head[] =
	"usage: streamstat split -n N -o DIR DATA.csv [MORE.csv ...] [--catalog FILE] [options]\n"
	"\n"
	"Read the input as \"report\" does and write it in N parts, DIR/part-0000.csv to\n"
	"DIR/part-NNNN.csv, each album (and every album of its title) in one part, chosen\n"
	"by a stable hash of its title.  Memory is held for the albums and tracks, not the\n"
	"rows: observations stream into their parts.  Every row keeps its file and line,\n"
	"so a problem found later is still reported as original.csv:LINE.  Then run\n"
	"\"streamstat analyse\" on each part and \"streamstat merge\" on the results\n"
	"(scripts/shard-report.sh does all three under GNU parallel).\n";
static const char split_usage_tail[] =
	"Options:\n"
	"  -n, --parts N         how many parts (1 to 9999)\n"
	"  -o, --output DIR      where the parts go (created when missing)\n" SS_LOAD_OPTIONS_HELP
	"  -h, --help            show this help\n"
	"\n"
	"Input problems are printed as \"check\" prints them, and go to the report with\n"
	"part 0.\n"
	"\n" SS_EXIT_CODES_HELP;

struct split {
	const struct ss_dataset *ds;
	uint32_t nparts;
	FILE **out;
	uint64_t *nobs; /* per part */
	uint32_t *album_part;
	size_t album_partcap;
	int32_t first_day, last_day;
	uint64_t total;
};

static uint32_t album_part(struct split *sp, uint32_t album)
{
	if (album >= sp->album_partcap) {
		size_t old = sp->album_partcap;
		xgrow(&sp->album_part, &sp->album_partcap, (size_t)album + 1,
		      sizeof *sp->album_part);
		for (size_t i = old; i < sp->album_partcap; i++)
			sp->album_part[i] = SS_NONE;
	}
	if (sp->album_part[album] == SS_NONE) {
		const char *title = ss_album_name(sp->ds, album);
		sp->album_part[album] = ss_shard_of(title, strlen(title), sp->nparts);
	}
	return sp->album_part[album];
}

static void write_obs(FILE *f, const char *kind, const struct ss_obs *o, uint64_t track)
{
	fprintf(f, "%s,%" PRIu64 ",%" PRId32 ",%u,%u,%u,%" PRId64 ",%" PRId64 "\n", kind, track,
		o->day, (unsigned)o->file, (unsigned)o->line, (unsigned)o->flags, o->streams,
		o->total);
}

static void split_sink(void *arg, const struct ss_obs *obs, size_t n)
{
	struct split *sp = arg;

	for (size_t i = 0; i < n; i++) {
		const struct ss_obs *o = &obs[i];
		uint32_t p = album_part(sp, sp->ds->tracks[o->track].album);

		write_obs(sp->out[p], "O", o, o->track);
		sp->nobs[p]++;
		if (sp->total == 0 || o->day < sp->first_day)
			sp->first_day = o->day;
		if (sp->total == 0 || o->day > sp->last_day)
			sp->last_day = o->day;
		sp->total++;
	}
}

static void put_album_fields(struct rec *r, const struct ss_dataset *ds, uint32_t a,
			     const char *created_by)
{
	const struct ss_album *al = &ds->albums[a];

	rec_s(r, created_by);
	rec_s(r, ss_album_artist(ds, a));
	rec_s(r, ss_album_name(ds, a));
	rec_i(r, al->release);
	rec_u(r, al->release_src);
	rec_u(r, al->in_catalog);
	rec_u(r, al->in_data);
	rec_u(r, al->warned);
	rec_u(r, al->src_file);
	rec_u(r, al->src_line);
	rec_u(r, al->cat_file);
	rec_u(r, al->cat_line);
	rec_u(r, al->adopted);
	rec_u(r, al->warned_adopted);
	rec_u(r, al->unnamed_file);
	rec_u(r, al->unnamed_line);
}

static void get_album_fields(struct rd *r, struct ss_album *al)
{
	al->release = (int32_t)rd_i(r);
	al->release_src = (uint8_t)rd_u(r);
	al->in_catalog = (uint8_t)rd_u(r);
	al->in_data = (uint8_t)rd_u(r);
	al->warned = (uint8_t)rd_u(r);
	al->src_file = (uint32_t)rd_u(r);
	al->src_line = rd_u(r);
	al->cat_file = (uint32_t)rd_u(r);
	al->cat_line = rd_u(r);
	al->adopted = (uint8_t)rd_u(r);
	al->warned_adopted = (uint8_t)rd_u(r);
	al->unnamed_file = (uint32_t)rd_u(r);
	al->unnamed_line = rd_u(r);
}

static void put_track_fields(struct rec *r, const struct ss_track *tr)
{
	rec_i(r, tr->release);
	rec_u(r, tr->release_src);
	rec_u(r, tr->counts);
	rec_u(r, tr->in_catalog);
	rec_u(r, tr->warned);
	rec_u(r, tr->src_file);
	rec_u(r, tr->src_line);
	rec_u(r, tr->cat_file);
	rec_u(r, tr->cat_line);
}

static void get_track_fields(struct rd *r, struct ss_track *tr)
{
	tr->release = (int32_t)rd_i(r);
	tr->release_src = (uint8_t)rd_u(r);
	tr->counts = (uint8_t)rd_u(r);
	tr->in_catalog = (uint8_t)rd_u(r);
	tr->warned = (uint8_t)rd_u(r);
	tr->src_file = (uint32_t)rd_u(r);
	tr->src_line = rd_u(r);
	tr->cat_file = (uint32_t)rd_u(r);
	tr->cat_line = rd_u(r);
}

static void put_files(FILE *f, const struct ss_dataset *ds)
{
	struct rec r;

	for (size_t i = 0; i < ds->nfiles; i++) {
		rec_begin(&r, f, "F");
		rec_u(&r, i);
		rec_u(&r, (unsigned)ds->files[i].is_catalog);
		rec_u(&r, (unsigned)ds->files[i].is_stdin);
		rec_s(&r, ds->files[i].path);
		rec_end(&r);
	}
}

static void put_problems(FILE *f, const struct ss_problems *p, const char *kind, const char *counts)
{
	struct rec r;

	for (size_t i = 0; i < p->n; i++) {
		rec_begin(&r, f, kind);
		rec_u(&r, p->list[i].kind);
		rec_u(&r, p->list[i].file);
		rec_u(&r, p->list[i].line);
		rec_s(&r, p->list[i].msg);
		rec_end(&r);
	}
	rec_begin(&r, f, counts);
	rec_u(&r, p->limit);
	rec_u(&r, p->not_kept);
	for (size_t k = 0; k < SS_P_KIND_COUNT; k++)
		rec_u(&r, p->count[k]);
	rec_end(&r);
}

/* The part's name in dir: dir/part-NNNN.csv (suffix appended), allocated. */
static char *part_path(const char *dir, uint32_t i, const char *suffix)
{
	size_t n = strlen(dir) + 32 + strlen(suffix);
	char *p = xmalloc(n);

	snprintf(p, n, "%s/part-%04u.csv%s", dir, (unsigned)i, suffix);
	return p;
}

/* The command line less "-n N" and "-o DIR" (which say where, not what). */
static char *split_args(int argc, char **argv, const uint8_t *skip)
{
	struct sbuf b = {0};

	sb_printf(&b, "%s", "");
	for (int i = 1; i < argc; i++)
		if (!skip[i])
			sb_printf(&b, "%s%s", b.n ? " " : "", argv[i]);
	return b.s;
}

static const struct option split_longopts[] = {SS_LOAD_LONG_OPTIONS,
					       {"parts", required_argument, NULL, 'n'},
					       {"output", required_argument, NULL, 'o'},
					       {"help", no_argument, NULL, 'h'},
					       {NULL, 0, NULL, 0}};

static int split_write(struct split *sp, struct ss_dataset *ds, const char *dir,
		       const struct ss_load_options *o, const char *args)
{
	size_t nf = ds->nfiles;
	struct ss_report_file *sums = xcalloc(nf + 1, sizeof *sums);
	struct sbuf id = {0};
	int code = SS_EXIT_OK;
	struct rec r;

	/* the inputs' checksums go with the parts: merge may run where they are
	 * not; standard input was spooled to a file (ss_regular_inputs()) */
	for (size_t i = 0; i < nf; i++) {
		struct ss_error err = {0};
		if (ss_sha256_file(ds->files[i].is_stdin ? "/dev/fd/0" : ds->files[i].path,
				   sums[i].sha256, &sums[i].bytes, &err) != SS_OK) {
			ss_errorf("split: %s", err.msg);
			code = SS_EXIT_IOERR;
		}
	}
	sb_printf(&id, "%u %s", (unsigned)sp->nparts, args);
	for (size_t i = 0; i < nf; i++)
		sb_printf(&id, " %s", sums[i].sha256);
	uint64_t split_id = ss_shard_hash(id.s, id.n);
	free(id.s);

	for (uint32_t p = 0; p < sp->nparts && code == SS_EXIT_OK; p++) {
		FILE *f = sp->out[p];
		put_files(f, ds);
		for (size_t a = 0; a < ss_dataset_nalbums(ds); a++) {
			if (album_part(sp, (uint32_t)a) != p)
				continue;
			uint32_t by = ds->album_names.ent[a].parent;
			rec_begin(&r, f, "A");
			rec_u(&r, a);
			put_album_fields(&r, ds, (uint32_t)a,
					 by == SS_NONE ? ""
						       : ss_intern_name(&ds->artist_names, by));
			rec_end(&r);
		}
		for (size_t t = 0; t < ss_dataset_ntracks(ds); t++) {
			const struct ss_track *tr = &ds->tracks[t];
			if (album_part(sp, tr->album) != p)
				continue;
			rec_begin(&r, f, "T");
			rec_u(&r, t);
			rec_u(&r, tr->album);
			rec_s(&r, ss_track_name(ds, (uint32_t)t));
			put_track_fields(&r, tr);
			rec_end(&r);
		}
		if (p == 0) {
			for (size_t i = 0; i < nf; i++) {
				const struct ss_file *fl = &ds->files[i];
				rec_begin(&r, f, "S");
				rec_u(&r, i);
				rec_u(&r, (unsigned)fl->fatal);
				rec_u(&r, fl->bytes);
				rec_u(&r, fl->lines);
				rec_u(&r, fl->rows);
				rec_u(&r, fl->used);
				rec_u(&r, fl->skipped);
				rec_u(&r, fl->after_as_of);
				rec_s(&r, sums[i].sha256);
				rec_u(&r, sums[i].bytes);
				rec_end(&r);
			}
			put_problems(f, &ds->problems, "P", "K");
		}
		rec_begin(&r, f, "E");
		fprintf(f, ",%016" PRIx64, split_id);
		rec_u(&r, ss_dataset_nalbums(ds));
		rec_u(&r, ss_dataset_ntracks(ds));
		rec_u(&r, sp->nobs[p]);
		rec_u(&r, sp->total);
		rec_i(&r, sp->total ? sp->first_day : SS_DAY_NONE);
		rec_i(&r, sp->total ? sp->last_day : SS_DAY_NONE);
		rec_u(&r, (unsigned)o->ingest.has_as_of);
		rec_i(&r, o->ingest.as_of);
		rec_s(&r, args);
		rec_end(&r);
	}
	free(sums);
	(void)dir;
	return code;
}

int cmd_split(int argc, char **argv)
{
	struct ss_load_options o;
	struct ss_dataset ds;
	struct ss_load_result res;
	struct split sp = {0};
	const char *dir = NULL;
	long nparts = 0;
	int opt, code = SS_EXIT_OK;
	uint8_t *skip = xcalloc((size_t)argc + 1, 1);

	ss_load_options_init(&o);
	opterr = 0;
	for (;;) {
		int before = optind;
		opt = getopt_long(argc, argv, SS_LOAD_SHORT_OPTIONS "hn:o:", split_longopts, NULL);
		if (opt == -1)
			break;
		int r = ss_load_option(&o, opt, optarg);
		if (r == 0) {
			r = 1;
			if (opt == 'n' || opt == 'o') {
				for (int i = before; i < optind && i < argc; i++)
					skip[i] = 1;
			}
			if (opt == 'n') {
				char *end;
				nparts = strtol(optarg, &end, 10);
				if (*optarg == '\0' || *end != '\0' || nparts < 1 ||
				    nparts > SS_PARTS_MAX) {
					ss_errorf("split: -n: '%s' is not a number of parts from 1 "
						  "to %d",
						  optarg, SS_PARTS_MAX);
					r = -1;
				}
			} else if (opt == 'o') {
				dir = optarg;
			} else if (opt == 'h') {
				ss_load_options_release(&o);
				free(skip);
				ss_usage(stdout, split_usage_head, split_usage_tail);
				return SS_EXIT_OK;
			} else {
				ss_option_error("split", opt, argv);
				r = -1;
			}
		}
		if (r > 0)
			continue;
		code = SS_EXIT_USAGE;
		break;
	}
	if (code == SS_EXIT_OK &&
	    ss_load_inputs_done(&o, "split", argc - optind, argv + optind) < 0)
		code = SS_EXIT_USAGE;
	if (code == SS_EXIT_OK && (!dir || !nparts)) {
		ss_errorf("split: %s", !nparts ? "-n N (how many parts) is required"
					       : "-o DIR (where the parts go) is required");
		code = SS_EXIT_USAGE;
	}
	if (code != SS_EXIT_OK) {
		ss_load_options_release(&o);
		free(skip);
		ss_usage(stderr, split_usage_head, split_usage_tail);
		return code;
	}
	code = ss_regular_inputs(&o, "split");
	if (code != SS_EXIT_OK) {
		ss_load_options_release(&o);
		free(skip);
		return code;
	}
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		ss_errorf("split: cannot create the directory %s: %s", dir, strerror(errno));
		ss_load_options_release(&o);
		free(skip);
		return SS_EXIT_CANTCREAT;
	}

	char *args = split_args(argc, argv, skip);
	sp.nparts = (uint32_t)nparts;
	sp.out = xcalloc(sp.nparts, sizeof(FILE *));
	sp.nobs = xcalloc(sp.nparts, sizeof *sp.nobs);
	for (uint32_t p = 0; p < sp.nparts && code == SS_EXIT_OK; p++) {
		char *tmp = part_path(dir, p, ".tmp");
		sp.out[p] = fopen(tmp, "w");
		if (!sp.out[p]) {
			ss_errorf("split: cannot create %s: %s", tmp, strerror(errno));
			code = SS_EXIT_CANTCREAT;
		} else {
			fprintf(sp.out[p], "%s,%d,%u,%u\n", SS_PART_FORMAT, SS_PART_VERSION,
				(unsigned)p, (unsigned)sp.nparts);
		}
		free(tmp);
	}
	ss_dataset_init(&ds, SS_PROBLEMS_DEFAULT_LIMIT);
	sp.ds = &ds;
	if (code == SS_EXIT_OK) {
		ds.obs_sink = split_sink;
		ds.obs_sink_arg = &sp;
		ss_load_ingest(&ds, &o, &res);
		split_sink(&sp, ds.obs, ds.nobs);
		ds.nobs = 0;
		ss_problems_sort(&ds.problems);
		ss_print_problems(&ds, &o);
		struct ss_series_stats st = {.observations = sp.total};
		code = ss_load_exit_code(&ds, &st, &o, &res);
	}
	if (code == SS_EXIT_OK)
		code = split_write(&sp, &ds, dir, &o, args);
	for (uint32_t p = 0; p < sp.nparts; p++) {
		char *tmp = part_path(dir, p, ".tmp"), *fin = part_path(dir, p, "");
		if (sp.out[p] && (ferror(sp.out[p]) | fclose(sp.out[p])) && code == SS_EXIT_OK) {
			ss_errorf("split: cannot write %s: %s", tmp, strerror(errno));
			code = SS_EXIT_IOERR;
		}
		sp.out[p] = NULL;
		free(tmp);
		free(fin);
	}
	for (uint32_t p = 0; p < sp.nparts; p++) {
		char *tmp = part_path(dir, p, ".tmp"), *fin = part_path(dir, p, "");
		if (code == SS_EXIT_OK && rename(tmp, fin) != 0) {
			ss_errorf("split: cannot rename %s to %s: %s", tmp, fin, strerror(errno));
			code = SS_EXIT_CANTCREAT;
		}
		if (code != SS_EXIT_OK)
			unlink(tmp);
		free(tmp);
		free(fin);
	}
	if (code == SS_EXIT_OK && o.verbosity >= SS_NORMAL)
		printf("%u parts in %s: %zu albums, %zu tracks, %" PRIu64 " observations\n",
		       (unsigned)sp.nparts, dir, ss_dataset_nalbums(&ds), ss_dataset_ntracks(&ds),
		       sp.total);
	free(args);
	free(sp.out);
	free(sp.nobs);
	free(sp.album_part);
	free(skip);
	ss_dataset_release(&ds);
	ss_load_options_release(&o);
	return code;
}

/* ---- the analysis options, which every part and the merge share --------- */

/* The options that change what a part computes, as one line: analyse
 * writes it into the result, and merge refuses results that differ from
 * each other or from its own options. */
static char *analysis_key(const struct ss_ms_cli *mc, int stale_days, int backtest)
{
	struct sbuf b = {0};
	const struct ss_ms_options *m = &mc->ms;

	sb_printf(&b, "milestones=");
	for (size_t k = 0; k < m->nmilestones; k++)
		sb_printf(&b, "%s%" PRId64, k ? "," : "", m->milestone[k]);
	sb_printf(&b,
		  " level=%.17g day-zero=%d by=%" PRId32 " extrapolate=%.17g draws=%u seed=%" PRIu64
		  " horizon=%d stale-days=%d interludes=%d no-pool=%d curves=%d method=%d "
		  "backtest=%d",
		  m->level, m->day_zero, m->by, m->extrapolate, m->draws, m->seed, m->horizon_years,
		  stale_days, mc->exclude_interludes, mc->no_pool, mc->curves,
		  mc->method_set ? mc->method : -2, backtest);
	for (size_t i = 0; i < mc->nexclude; i++)
		sb_printf(&b, " exclude-track=%s", mc->exclude[i]);
	return b.s;
}

/* The options analyse and merge both take. */
#define ANALYSIS_LONG_OPTIONS                                                                      \
	SS_MS_LONG_OPTIONS, {"stale-days", required_argument, NULL, SS_OPT_STALE_DAYS},            \
		{"quiet", no_argument, NULL, 'q'}, {"verbose", no_argument, NULL, 'v'},            \
		{"max-problems", required_argument, NULL, 'P'},                                    \
	{                                                                                          \
		"strict", no_argument, NULL, 'S'                                                   \
	}

static const char no_backtest_msg[] =
	"the backtest learns the model rule across all albums, which one part cannot: give "
	"--no-backtest (projections by the pace model on its shipped record, as \"report "
	"--no-backtest\") to analyse and merge alike";

/* ---- analyse ------------------------------------------------------------ */

static const char analyse_usage_head[] =
	"usage: streamstat analyse PART.csv -o PART.result --no-backtest [options]\n"
	"\n"
	"The per-album work of \"report\" on one part written by \"streamstat split\": the\n"
	"series, fits, projections and album crossings, written as a partial result for\n"
	"\"streamstat merge\".  Give every part and the merge the same report options:\n"
	"those about the output (--json, --albums, --tmpdir, --wait, --moved-days) are\n"
	"taken and left to the merge, and the last -o names the result.\n";
static const char analyse_usage_tail[] =
	"Options:\n"
	"  -o, --output FILE     the result to write (written beside it, then renamed;\n"
	"                        the last -o given)\n"
	"      --no-backtest     required: project with the pace model on its shipped\n"
	"                        record (a part cannot learn the rule across albums)\n"
	"  -j, --jobs N          threads (default: one per CPU); results do not depend on N\n"
	"      --stale-days N    as for report (default 7)\n"
	"  -q, --quiet, -v, --verbose\n" SS_MS_OPTIONS_HELP
	"  -h, --help            show this help\n"
	"\n" SS_EXIT_CODES_HELP;

/* One part read back: the dataset with local ids, and their global ones. */
struct part {
	struct reader rd;
	struct ss_dataset ds;
	uint32_t part, nparts;
	char split_id[17];
	uint64_t nalbums, ntracks, nobs_declared, total_obs;
	int32_t first_day, last_day;
	int has_as_of;
	int32_t as_of;
	char *args;
	uint32_t *agid, *tgid; /* local -> global, ascending */
	size_t na, nt, acap, tcap;
	/* what part 0 carries about the input as a whole, passed through */
	struct sbuf whole;
};

static uint32_t local_of(const uint32_t *gid, size_t n, uint64_t g)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (gid[mid] < g)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && gid[lo] == g ? (uint32_t)lo : SS_NONE;
}

/* The raw fields of row, written again as a record (part 0's S, P, K). */
static void pass_through(struct sbuf *b, const struct ss_csv_row *row, int text_from)
{
	sb_printf(b, "%s", row->field[0]);
	for (size_t i = 1; i < row->nkept; i++) {
		if (text_from >= 0 && (int)i >= text_from) {
			sb_printf(b, ",\"");
			for (const char *s = row->field[i]; *s; s++)
				sb_printf(b, *s == '"' ? "\"\"" : "%c", *s);
			sb_printf(b, "\"");
		} else {
			sb_printf(b, ",%s", row->field[i]);
		}
	}
	sb_printf(b, "\n");
}

static void part_row(void *user, const struct ss_csv_row *row)
{
	struct part *pt = user;
	struct ss_dataset *ds = &pt->ds;
	struct rd r = {row, 1, 0};
	const char *k;

	if (pt->rd.failed)
		return;
	if (row->index == 0) {
		if (check_header(&pt->rd, row, SS_PART_FORMAT, SS_PART_VERSION, "split") == 0) {
			pt->part = (uint32_t)strtoul(row->field[2], NULL, 10);
			pt->nparts = (uint32_t)strtoul(row->field[3], NULL, 10);
		}
		return;
	}
	if (pt->rd.ended) {
		reader_fail(&pt->rd, row->line, "a record after the last (\"E\") one");
		return;
	}
	k = row->nkept ? row->field[0] : "";
	if (strcmp(k, "O") == 0) {
		struct ss_obs *o = ss_dataset_append(ds);
		o->track = (uint32_t)rd_u(&r); /* global until the tracks are known */
		o->day = (int32_t)rd_i(&r);
		o->file = (uint16_t)rd_u(&r);
		o->line = (uint32_t)rd_u(&r);
		o->flags = (uint16_t)rd_u(&r);
		o->streams = rd_i(&r);
		o->total = rd_i(&r);
	} else if (strcmp(k, "F") == 0) {
		uint64_t i = rd_u(&r);
		int cat = (int)rd_u(&r), in = (int)rd_u(&r);
		const char *path = rd_s(&r);
		if (!r.bad && i == ds->nfiles) {
			uint32_t f = ss_dataset_add_file(ds, path, cat);
			if (f != SS_NONE)
				ds->files[f].is_stdin = in;
		} else {
			r.bad = 1;
		}
	} else if (strcmp(k, "A") == 0) {
		uint64_t g = rd_u(&r);
		const char *by = rd_s(&r), *artist = rd_s(&r), *title = rd_s(&r);
		struct ss_album al;
		memset(&al, 0, sizeof al);
		get_album_fields(&r, &al);
		if (r.bad || (pt->na && g <= pt->agid[pt->na - 1])) {
			r.bad = 1;
		} else {
			uint32_t c = *by ? ss_dataset_artist(ds, by, strlen(by)) : SS_NONE;
			uint32_t w =
				*artist ? ss_dataset_artist(ds, artist, strlen(artist)) : SS_NONE;
			uint32_t a = ss_dataset_restore_album(ds, c, title, strlen(title));
			if (a == SS_NONE) {
				r.bad = 1;
			} else {
				al.artist = w;
				al.next_title = ds->albums[a].next_title;
				al.ntracks = 0;
				ds->albums[a] = al;
				xgrow(&pt->agid, &pt->acap, pt->na + 1, sizeof *pt->agid);
				pt->agid[pt->na++] = (uint32_t)g;
			}
		}
	} else if (strcmp(k, "T") == 0) {
		uint64_t g = rd_u(&r), ga = rd_u(&r);
		const char *name = rd_s(&r);
		struct ss_track tr;
		int added = 0;
		memset(&tr, 0, sizeof tr);
		get_track_fields(&r, &tr);
		uint32_t a = local_of(pt->agid, pt->na, ga);
		if (r.bad || a == SS_NONE || (pt->nt && g <= pt->tgid[pt->nt - 1])) {
			r.bad = 1;
		} else {
			uint32_t t = ss_dataset_track(ds, a, name, strlen(name), &added);
			if (t == SS_NONE || !added) {
				r.bad = 1;
			} else {
				tr.album = a;
				ds->tracks[t] = tr;
				xgrow(&pt->tgid, &pt->tcap, pt->nt + 1, sizeof *pt->tgid);
				pt->tgid[pt->nt++] = (uint32_t)g;
			}
		}
	} else if (strcmp(k, "S") == 0 || strcmp(k, "P") == 0 || strcmp(k, "K") == 0) {
		pass_through(&pt->whole, row, k[0] == 'S' ? 9 : k[0] == 'P' ? 4 : -1);
	} else if (strcmp(k, "E") == 0) {
		snprintf(pt->split_id, sizeof pt->split_id, "%s", rd_s(&r));
		pt->nalbums = rd_u(&r);
		pt->ntracks = rd_u(&r);
		pt->nobs_declared = rd_u(&r);
		pt->total_obs = rd_u(&r);
		pt->first_day = (int32_t)rd_i(&r);
		pt->last_day = (int32_t)rd_i(&r);
		pt->has_as_of = (int)rd_u(&r);
		pt->as_of = (int32_t)rd_i(&r);
		pt->args = xstrdup(rd_s(&r));
		pt->rd.ended = !r.bad;
	} else {
		reader_fail(&pt->rd, row->line, "unknown record '%s'", k);
		return;
	}
	if (r.bad)
		reader_fail(&pt->rd, row->line, "a '%s' record that is not as \"split\" writes it",
			    k);
}

/* Read a part into pt (pt->rd.path set); an exit code. */
static int part_read(struct part *pt)
{
	int code;

	ss_dataset_init(&pt->ds, SS_PROBLEMS_DEFAULT_LIMIT);
	code = read_records(&pt->rd, part_row, pt);
	if (code != SS_EXIT_OK)
		return code;
	if (pt->ds.nobs != pt->nobs_declared) {
		ss_errorf("analyse: %s: %zu observations, but its last record says %" PRIu64
			  ": write the parts again with \"streamstat split\"",
			  pt->rd.path, pt->ds.nobs, pt->nobs_declared);
		return SS_EXIT_DATAERR;
	}
	for (size_t i = 0; i < pt->ds.nobs; i++) {
		struct ss_obs *o = &pt->ds.obs[i];
		uint32_t t = local_of(pt->tgid, pt->nt, o->track);
		if (t == SS_NONE || o->file >= pt->ds.nfiles) {
			ss_errorf("analyse: %s: observation %zu names a track or file the part "
				  "does not list: write the parts again with \"streamstat split\"",
				  pt->rd.path, i + 1);
			return SS_EXIT_DATAERR;
		}
		o->track = t;
	}
	return SS_EXIT_OK;
}

static void part_release(struct part *pt)
{
	ss_dataset_release(&pt->ds);
	free(pt->agid);
	free(pt->tgid);
	free(pt->args);
	free(pt->whole.s);
}

static void put_crossing(struct rec *r, const struct ss_crossing *c)
{
	rec_u(r, c->status);
	rec_u(r, c->how);
	rec_u(r, c->flags);
	rec_u(r, c->why);
	rec_i(r, c->model);
	rec_i(r, c->day);
	rec_i(r, c->lo);
	rec_i(r, c->hi);
	rec_d(r, c->needed);
	rec_d(r, c->sd_param);
	rec_d(r, c->sd_noise);
}

static void get_crossing(struct rd *r, struct ss_crossing *c)
{
	c->status = (uint8_t)rd_u(r);
	c->how = (uint8_t)rd_u(r);
	c->flags = (uint8_t)rd_u(r);
	c->why = (uint8_t)rd_u(r);
	c->model = (int16_t)rd_i(r);
	c->day = (int32_t)rd_i(r);
	c->lo = (int32_t)rd_i(r);
	c->hi = (int32_t)rd_i(r);
	c->needed = rd_d(r);
	c->sd_param = rd_d(r);
	c->sd_noise = rd_d(r);
}

static uint64_t gid_or_none(const uint32_t *tgid, uint32_t t)
{
	return t == SS_NONE ? SS_NONE : tgid[t];
}

static void write_result(FILE *f, const struct part *pt, const struct ss_series_stats *st,
			 const struct ss_pipeline *p, const char *key, const uint64_t *found,
			 size_t nexclude)
{
	const struct ss_dataset *ds = &pt->ds;
	const struct ss_milestones *ms = &p->ms;
	const struct ss_ms_options *mo = &ms->opt;
	size_t K = mo->nmilestones;
	struct rec r;

	fprintf(f, "%s,%d,%u,%u,%s,%" PRIu64 ",%" PRIu64 "\n", SS_RESULT_FORMAT, SS_RESULT_VERSION,
		(unsigned)pt->part, (unsigned)pt->nparts, pt->split_id, pt->nalbums, pt->ntracks);
	rec_begin(&r, f, "Q");
	rec_s(&r, key);
	rec_end(&r);
	rec_begin(&r, f, "R");
	rec_u(&r, (unsigned)pt->has_as_of);
	rec_i(&r, pt->as_of);
	rec_u(&r, pt->total_obs);
	rec_s(&r, pt->args);
	rec_end(&r);
	for (size_t i = 0; i < nexclude; i++) {
		rec_begin(&r, f, "X");
		rec_u(&r, i);
		rec_u(&r, found[i]);
		rec_end(&r);
	}
	if (pt->part == 0)
		put_files(f, ds);
	if (pt->whole.n)
		fwrite(pt->whole.s, 1, pt->whole.n, f);
	put_problems(f, &ds->problems, "p", "k");
	rec_begin(&r, f, "s");
	rec_u(&r, st->observations);
	rec_u(&r, st->merged);
	rec_u(&r, st->conflicts);
	rec_u(&r, st->corrections);
	rec_u(&r, st->mismatches);
	rec_u(&r, st->gaps);
	rec_u(&r, st->derived_streams);
	rec_u(&r, st->derived_totals);
	rec_u(&r, st->before_release);
	rec_u(&r, st->tracks_with_data);
	rec_u(&r, st->at_least);
	rec_i(&r, st->first_day);
	rec_i(&r, st->last_day);
	rec_end(&r);
	rec_begin(&r, f, "m");
	rec_i(&r, ms->as_of);
	rec_i(&r, ms->horizon_end);
	rec_u(&r, (unsigned)p->fits.select);
	rec_d(&r, mo->level);
	rec_i(&r, mo->day_zero);
	rec_i(&r, mo->by);
	rec_d(&r, mo->extrapolate);
	rec_u(&r, mo->draws);
	rec_u(&r, mo->seed);
	rec_i(&r, mo->model_rule);
	rec_i(&r, mo->horizon_years);
	rec_i(&r, mo->stale_days);
	rec_u(&r, K);
	for (size_t k = 0; k < K; k++)
		rec_i(&r, mo->milestone[k]);
	rec_end(&r);

	for (size_t a = 0; a < pt->na; a++) {
		const struct ss_album_ms *am = &ms->albums[a];
		uint32_t by = ds->album_names.ent[a].parent;
		rec_begin(&r, f, "A");
		rec_u(&r, pt->agid[a]);
		put_album_fields(&r, ds, (uint32_t)a,
				 by == SS_NONE ? "" : ss_intern_name(&ds->artist_names, by));
		rec_u(&r, am->counted);
		rec_u(&r, am->with_data);
		rec_u(&r, am->excluded);
		rec_d(&r, am->latest_total);
		rec_end(&r);
		for (int kind = 0; kind < 2; kind++)
			for (size_t k = 0; k < K; k++) {
				const struct ss_album_crossing *ax =
					kind ? &am->total[k] : &am->all[k];
				rec_begin(&r, f, "Y");
				rec_u(&r, (unsigned)kind);
				rec_u(&r, k);
				put_crossing(&r, &ax->x);
				rec_u(&r, gid_or_none(pt->tgid, ax->bottleneck));
				rec_d(&r, ax->bottleneck_share);
				rec_u(&r, ax->lacking);
				rec_u(&r, gid_or_none(pt->tgid, ax->lacking_first));
				rec_end(&r);
			}
	}
	for (size_t t = 0; t < pt->nt; t++) {
		const struct ss_track *tr = &ds->tracks[t];
		const struct ss_track_ms *tm = &ms->tracks[t];
		const struct ss_track_fit *tf = &p->fits.tracks[t];
		size_t n;
		const struct ss_obs *obs = ss_series_of(ds, (uint32_t)t, &n);

		rec_begin(&r, f, "T");
		rec_u(&r, pt->tgid[t]);
		rec_u(&r, pt->agid[tr->album]);
		rec_s(&r, ss_track_name(ds, (uint32_t)t));
		put_track_fields(&r, tr);
		rec_u(&r, n);
		/* its milestones */
		rec_i(&r, tm->model);
		rec_u(&r, tm->counts);
		rec_u(&r, tm->has_total);
		rec_i(&r, tm->release);
		rec_i(&r, tm->first_day);
		rec_i(&r, tm->last_day);
		rec_i(&r, tm->last_obs);
		rec_u(&r, tm->stale);
		rec_d(&r, tm->latest_total);
		rec_u(&r, tm->latest_bound);
		rec_d(&r, tm->pace);
		rec_d(&r, tm->span);
		rec_i(&r, tm->target);
		/* its fit */
		rec_u(&r, tf->n);
		rec_u(&r, tf->bounds_used);
		rec_i(&r, tf->best);
		rec_u(&r, tf->fallback);
		rec_u(&r, tf->pooled);
		rec_u(&r, tf->has_anchor);
		rec_i(&r, tf->release);
		rec_i(&r, tf->last_day);
		rec_i(&r, tf->anchor_day);
		rec_d(&r, tf->anchor_total);
		rec_d(&r, tf->recent_span);
		rec_end(&r);
		for (size_t k = 0; k < K; k++) {
			rec_begin(&r, f, "C");
			rec_u(&r, k);
			put_crossing(&r, &tm->c[k]);
			rec_end(&r);
		}
		for (size_t i = 0; i < ss_nmodels; i++) {
			const struct ss_model_fit *mf = &tf->m[i];
			size_t np = ss_models[i].np;
			if (mf->status == SS_FIT_SKIPPED)
				continue;
			rec_begin(&r, f, "M");
			rec_u(&r, i);
			rec_u(&r, mf->status);
			rec_u(&r, mf->nls);
			rec_u(&r, mf->chosen);
			rec_u(&r, mf->start);
			rec_u(&r, mf->iter);
			rec_u(&r, mf->unidentified);
			rec_s(&r, mf->why ? mf->why : "");
			rec_u(&r, mf->why != NULL);
			rec_d(&r, mf->rmse);
			rec_d(&r, mf->aicc);
			rec_d(&r, mf->weight);
			rec_u(&r, mf->n);
			rec_u(&r, mf->dof);
			for (size_t j = 0; j < np; j++)
				rec_d(&r, mf->th[j]);
			for (size_t j = 0; j < np; j++)
				rec_d(&r, mf->se[j]);
			for (size_t j = 0; j < np * np; j++)
				rec_d(&r, mf->cov[j]);
			rec_end(&r);
		}
		for (size_t i = 0; i < n; i++)
			write_obs(f, "O", &obs[i], pt->tgid[t]);
	}
	rec_begin(&r, f, "E");
	rec_u(&r, pt->nt);
	rec_u(&r, ds->nobs);
	rec_end(&r);
}

static const struct option analyse_longopts[] = {ANALYSIS_LONG_OPTIONS,
						 SS_REPORT_LONG_OPTIONS,
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};

/* Parse the options analyse and merge share (and report's, for merge);
 * positional arguments into *files.  Returns -1 on a bad one (said). */
static int shared_option(const char *cmd, int opt, const char *arg, struct ss_load_options *o,
			 struct ss_ms_cli *mc, struct ss_report_cli *ro, int report_opts)
{
	int r;

	switch (opt) {
	case 'q':
	case 'v':
	case 'P':
	case 'S':
	case SS_OPT_STALE_DAYS:
		return ss_load_option(o, opt, arg);
	default:
		break;
	}
	r = ss_ms_option(mc, opt, arg);
	if (r != 0)
		return r;
	return report_opts ? ss_report_cli_option(ro, cmd, opt, arg) : 0;
}

int cmd_analyse(int argc, char **argv)
{
	struct ss_load_options o;
	struct ss_ms_cli mc;
	struct ss_report_cli ro;
	const char *out = NULL, *in = NULL;
	int opt, code = SS_EXIT_OK;

	ss_load_options_init(&o);
	ss_ms_cli_init(&mc);
	ss_report_cli_init(&ro);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "-:hj:o:qv", analyse_longopts, NULL)) != -1) {
		int r;
		if (opt == 1) {
			r = in ? -1 : 1;
			if (in)
				ss_errorf("analyse: one part at a time ('%s', then '%s')", in,
					  optarg);
			in = optarg;
		} else if (opt == 'o') {
			out = optarg;
			r = 1;
		} else if (opt == 'h') {
			fputs(analyse_usage_head, stdout);
			fputs(analyse_usage_tail, stdout);
			ss_ms_cli_release(&mc);
			return SS_EXIT_OK;
		} else {
			r = shared_option("analyse", opt, optarg, &o, &mc, &ro, 1);
			if (r == 0) {
				ss_option_error("analyse", opt, argv);
				r = -1;
			}
		}
		if (r < 0) {
			code = SS_EXIT_USAGE;
			break;
		}
	}
	if (code == SS_EXIT_OK && (!in || !out)) {
		ss_errorf("analyse: %s", !in ? "name the part to analyse (PART.csv)"
					     : "-o FILE (the result to write) is required");
		code = SS_EXIT_USAGE;
	}
	if (code == SS_EXIT_OK && ro.backtest) {
		ss_errorf("analyse: %s", no_backtest_msg);
		code = SS_EXIT_USAGE;
	}
	if (code != SS_EXIT_OK) {
		fputs(analyse_usage_head, stderr);
		fputs(analyse_usage_tail, stderr);
		ss_ms_cli_release(&mc);
		ss_report_cli_release(&ro);
		return code;
	}

	struct part pt;
	memset(&pt, 0, sizeof pt);
	pt.rd.path = in;
	pt.rd.cmd = "analyse";
	code = part_read(&pt);
	uint64_t *found = xcalloc(mc.nexclude + 1, sizeof *found);
	struct ss_pipeline p;
	struct ss_series_stats st = {0};
	int ran = 0;
	if (code == SS_EXIT_OK) {
		struct ss_error err = {0};
		if (ss_series_build(&pt.ds, &st, &err) != SS_OK) {
			ss_errorf("analyse: %s: %s", in, err.msg);
			code = SS_EXIT_DATAERR;
		}
	}
	if (code == SS_EXIT_OK) {
		/* stale against the whole input's latest day, as the single run */
		struct ss_series_stats whole = st;
		whole.last_day = pt.last_day;
		ss_series_check_stale(&pt.ds, &whole, o.stale_days);
		ss_ms_cli_exclude(&mc, &pt.ds, found);
		struct ss_pipeline_options po = ss_ms_cli_pipeline(&mc, ro.jobs, o.stale_days, 0);
		po.ms.latest = pt.last_day;
		ss_pipeline_run(&pt.ds, &po, &p);
		ran = 1;
		char *key = analysis_key(&mc, o.stale_days, 0);
		size_t n = strlen(out) + 8;
		char *tmp = xmalloc(n);
		snprintf(tmp, n, "%s.tmp", out);
		FILE *f = fopen(tmp, "w");
		if (!f) {
			ss_errorf("analyse: cannot create %s: %s", tmp, strerror(errno));
			code = SS_EXIT_CANTCREAT;
		} else {
			write_result(f, &pt, &st, &p, key, found, mc.nexclude);
			if ((ferror(f) | fclose(f)) != 0) {
				ss_errorf("analyse: cannot write %s: %s", tmp, strerror(errno));
				code = SS_EXIT_IOERR;
			} else if (rename(tmp, out) != 0) {
				ss_errorf("analyse: cannot rename %s to %s: %s", tmp, out,
					  strerror(errno));
				code = SS_EXIT_CANTCREAT;
			}
			if (code != SS_EXIT_OK)
				unlink(tmp);
		}
		if (code == SS_EXIT_OK && o.verbosity >= SS_VERBOSE)
			ss_errorf("analyse: %s: part %u of %u, %zu albums, %zu tracks: fit %.3f s, "
				  "projections %.3f s",
				  in, (unsigned)pt.part + 1, (unsigned)pt.nparts, pt.na, pt.nt,
				  p.seconds[SS_STAGE_FIT], p.seconds[SS_STAGE_PROJECT]);
		free(tmp);
		free(key);
	}
	if (ran)
		ss_pipeline_release(&p);
	free(found);
	part_release(&pt);
	ss_ms_cli_release(&mc);
	ss_report_cli_release(&ro);
	return code;
}

/* ---- merge -------------------------------------------------------------- */

static const char merge_usage_head[] =
	"usage: streamstat merge PART.result [MORE.result ...] --no-backtest [options]\n"
	"\n"
	"Merge the results of \"streamstat analyse\" on every part of one split: rank the\n"
	"albums, and write the workbook and JSON summary \"report\" writes on the whole\n"
	"input, the same way (lock, private run directory, latest.xlsx and latest.json,\n"
	"what changed since the previous report).  Give the options analyse had, and\n"
	"report's output options.  Every part must be there, each once.\n";
static const char merge_usage_tail[] =
	"Options:\n"
	"  -o, --output DIR|FILE.xlsx, --json FILE, --albums LIST, --tmpdir DIR, --wait,\n"
	"      --moved-days N    as for report\n"
	"      --no-backtest     required, as for analyse\n"
	"  -j, --jobs N          threads\n"
	"      --stale-days N, --strict, --max-problems N, -q, -v  as for "
	"report\n" SS_MS_OPTIONS_HELP "  -h, --help            show this help\n"
	"\n"
	"Exit status as for report; results that do not belong together (of another\n"
	"split or version, analysed with other options, one given twice, one cut short)\n"
	"are a data error (65); a part without its result is 66.\n"
	"\n" SS_EXIT_CODES_HELP;

struct album_tmp {
	char *by, *artist, *title;
	struct ss_album al;
	int seen;
};

struct plist {
	struct ss_problem *list;
	size_t n, cap;
};

struct merge {
	struct reader rd;
	const char *key; /* this merge's analysis options */
	/* of the first result */
	int have_first;
	const char *first_path;
	uint32_t nparts;
	char split_id[17];
	uint64_t nalbums, ntracks;
	uint8_t *seen;
	uint32_t part; /* the current file's */
	char *args;
	int has_as_of;
	int32_t as_of;
	uint64_t total_obs;
	uint64_t *found;
	size_t nexclude;
	/* the whole, by global id */
	struct ss_dataset ds;
	struct album_tmp *albums;
	char **tnames;
	struct ss_fits fits;
	struct ss_milestones ms;
	int have_ms;
	struct ss_series_stats st;
	struct ss_report_file *files;
	struct plist *problems; /* [nparts + 1]: the input's, then each part's */
	uint64_t count[SS_P_KIND_COUNT];
	size_t limit;
	char **whys; /* the models' reasons, owned */
	size_t nwhys, whycap;
	uint64_t cur;		/* the track the C, M and O records are of (SS_NONE after an A) */
	struct ss_track_fit tf; /* its fit, as its T and M records are read */
	uint64_t cur_album;	/* the album the Y records are of (SS_NONE after a T) */
};

static void plist_add(struct plist *pl, struct rd *r)
{
	struct ss_problem *q;

	xgrow(&pl->list, &pl->cap, pl->n + 1, sizeof *pl->list);
	q = &pl->list[pl->n];
	q->kind = (enum ss_problem_kind)rd_u(r);
	q->file = (uint32_t)rd_u(r);
	q->line = rd_u(r);
	q->msg = xstrdup(rd_s(r));
	if (q->kind >= SS_P_KIND_COUNT) {
		free(q->msg);
		r->bad = 1;
		return;
	}
	pl->n++;
}

static void add_counts(struct merge *m, struct rd *r)
{
	m->limit = (size_t)rd_u(r);
	(void)rd_u(r); /* not kept there: counted again from the totals */
	for (size_t k = 0; k < SS_P_KIND_COUNT; k++)
		m->count[k] += rd_u(r);
}

static void merge_header(struct merge *m, const struct ss_csv_row *row)
{
	if (check_header(&m->rd, row, SS_RESULT_FORMAT, SS_RESULT_VERSION, "analyse") < 0)
		return;
	if (row->nkept < 7) {
		reader_fail(&m->rd, row->line, "a first line that is not as \"analyse\" writes it");
		return;
	}
	uint32_t part = (uint32_t)strtoul(row->field[2], NULL, 10);
	uint32_t nparts = (uint32_t)strtoul(row->field[3], NULL, 10);
	m->part = part;
	if (!m->have_first) {
		m->have_first = 1;
		m->first_path = m->rd.path;
		m->nparts = nparts;
		snprintf(m->split_id, sizeof m->split_id, "%s", row->field[4]);
		m->nalbums = strtoull(row->field[5], NULL, 10);
		m->ntracks = strtoull(row->field[6], NULL, 10);
		if (nparts == 0 || nparts > SS_PARTS_MAX || m->ntracks >= SS_NONE ||
		    m->nalbums >= SS_NONE) {
			reader_fail(&m->rd, row->line,
				    "a first line that is not as \"analyse\" "
				    "writes it");
			return;
		}
		m->seen = xcalloc(nparts, 1);
		m->albums = xcalloc(m->nalbums + 1, sizeof *m->albums);
		m->tnames = xcalloc(m->ntracks + 1, sizeof *m->tnames);
		m->ds.tracks = xcalloc(m->ntracks + 1, sizeof *m->ds.tracks);
		m->ds.trackcap = m->ntracks + 1;
		/* packed (fit.h): a merge holds every track of the catalog */
		ss_fits_packed_init(&m->fits, m->ntracks);
		m->problems = xcalloc(nparts + 1, sizeof *m->problems);
	} else if (strcmp(row->field[4], m->split_id) != 0 || nparts != m->nparts) {
		reader_fail(&m->rd, row->line,
			    "a result of another split (split %s in %u parts, not %s in %u as %s): "
			    "give the results of one split",
			    row->field[4], (unsigned)nparts, m->split_id, (unsigned)m->nparts,
			    m->first_path);
		return;
	}
	if (part >= m->nparts) {
		reader_fail(&m->rd, row->line, "part %u of a split in %u parts", (unsigned)part,
			    (unsigned)m->nparts);
		return;
	}
	if (m->seen[part]) {
		reader_fail(
			&m->rd, row->line,
			"the result of part %u (part-%04u.csv) is given twice: give each part's "
			"result once",
			(unsigned)part, (unsigned)part);
		return;
	}
	m->seen[part] = 1;
}

static void alloc_ms(struct merge *m, size_t K)
{
	struct ss_milestones *ms = &m->ms;
	size_t nt = m->ntracks, na = m->nalbums, KK = K ? K : 1;

	ms->ntracks = nt;
	ms->nalbums = na;
	ms->tracks = xcalloc(nt ? nt : 1, sizeof *ms->tracks);
	ms->albums = xcalloc(na ? na : 1, sizeof *ms->albums);
	ms->crossings = xcalloc((nt ? nt : 1) * KK, sizeof *ms->crossings);
	ms->album_crossings = xcalloc((na ? na : 1) * 2 * KK, sizeof *ms->album_crossings);
	for (size_t t = 0; t < nt; t++)
		ms->tracks[t].c = ms->crossings + t * KK;
	for (size_t a = 0; a < na; a++) {
		ms->albums[a].all = ms->album_crossings + 2 * a * KK;
		ms->albums[a].total = ms->albums[a].all + KK;
	}
}

static void merge_ms(struct merge *m, struct rd *r)
{
	struct ss_ms_options o = ss_ms_defaults();
	int32_t as_of = (int32_t)rd_i(r), end = (int32_t)rd_i(r);
	unsigned select = (unsigned)rd_u(r);

	o.level = rd_d(r);
	o.day_zero = (int)rd_i(r);
	o.by = (int32_t)rd_i(r);
	o.extrapolate = rd_d(r);
	o.draws = (unsigned)rd_u(r);
	o.seed = rd_u(r);
	o.model_rule = (int16_t)rd_i(r);
	o.horizon_years = (int)rd_i(r);
	o.stale_days = (int)rd_i(r);
	o.nmilestones = (size_t)rd_u(r);
	if (o.nmilestones > SS_MILESTONES_MAX) {
		r->bad = 1;
		return;
	}
	for (size_t k = 0; k < o.nmilestones; k++)
		o.milestone[k] = rd_i(r);
	if (r->bad || m->have_ms)
		return;
	m->have_ms = 1;
	alloc_ms(m, o.nmilestones);
	m->ms.opt = o;
	m->ms.as_of = as_of;
	m->ms.horizon_end = end;
	m->fits.select = (enum ss_select)select;
}

static void merge_stats(struct merge *m, struct rd *r)
{
	struct ss_series_stats s;
	struct ss_series_stats *w = &m->st;

	s.observations = rd_u(r);
	s.merged = rd_u(r);
	s.conflicts = rd_u(r);
	s.corrections = rd_u(r);
	s.mismatches = rd_u(r);
	s.gaps = rd_u(r);
	s.derived_streams = rd_u(r);
	s.derived_totals = rd_u(r);
	s.before_release = rd_u(r);
	s.tracks_with_data = rd_u(r);
	s.at_least = rd_u(r);
	s.first_day = (int32_t)rd_i(r);
	s.last_day = (int32_t)rd_i(r);
	if (r->bad || s.observations == 0)
		return;
	if (w->observations == 0 || s.first_day < w->first_day)
		w->first_day = s.first_day;
	if (w->observations == 0 || s.last_day > w->last_day)
		w->last_day = s.last_day;
	w->observations += s.observations;
	w->merged += s.merged;
	w->conflicts += s.conflicts;
	w->corrections += s.corrections;
	w->mismatches += s.mismatches;
	w->gaps += s.gaps;
	w->derived_streams += s.derived_streams;
	w->derived_totals += s.derived_totals;
	w->before_release += s.before_release;
	w->tracks_with_data += s.tracks_with_data;
	w->at_least += s.at_least;
}

static void merge_track(struct merge *m, struct rd *r)
{
	uint64_t g = rd_u(r), ga = rd_u(r);
	const char *name = rd_s(r);
	struct ss_track tr;

	memset(&tr, 0, sizeof tr);
	get_track_fields(r, &tr);
	uint64_t n = rd_u(r);
	/* a count the observations' array could not hold is a damaged file */
	if (r->bad || g >= m->ntracks || ga >= m->nalbums || m->tnames[g] || !m->have_ms ||
	    n > UINT32_MAX || n > (SIZE_MAX / sizeof(struct ss_obs)) / 2 - m->ds.nobs) {
		r->bad = 1;
		return;
	}
	tr.album = (uint32_t)ga;
	tr.n = (size_t)n;
	/* its observations follow (merge_obs()): they go next in ds.obs, so
	 * each track's are together, the tracks in the order read */
	tr.first = m->ds.nobs;
	m->ds.tracks[g] = tr;
	m->tnames[g] = xstrdup(name);
	m->cur = g;
	m->cur_album = SS_NONE;

	struct ss_track_ms *tm = &m->ms.tracks[g];
	tm->track = (uint32_t)g;
	tm->model = (int16_t)rd_i(r);
	tm->counts = (uint8_t)rd_u(r);
	tm->has_total = (uint8_t)rd_u(r);
	tm->release = (int32_t)rd_i(r);
	tm->first_day = (int32_t)rd_i(r);
	tm->last_day = (int32_t)rd_i(r);
	tm->last_obs = (int32_t)rd_i(r);
	tm->stale = (uint8_t)rd_u(r);
	tm->latest_total = rd_d(r);
	tm->latest_bound = (uint8_t)rd_u(r);
	tm->pace = rd_d(r);
	tm->span = rd_d(r);
	tm->target = (int32_t)rd_i(r);

	/* filled by this record and its M records, packed once they are read
	 * (merge_track_done()) */
	struct ss_track_fit *tf = &m->tf;
	memset(tf, 0, sizeof *tf);
	for (size_t i = 0; i < SS_MODELS_MAX; i++)
		tf->m[i].status = SS_FIT_SKIPPED;
	tf->track = (uint32_t)g;
	tf->n = (uint32_t)rd_u(r);
	tf->bounds_used = (uint32_t)rd_u(r);
	tf->best = (int16_t)rd_i(r);
	tf->fallback = (uint8_t)rd_u(r);
	tf->pooled = (uint8_t)rd_u(r);
	tf->has_anchor = (uint8_t)rd_u(r);
	tf->release = (int32_t)rd_i(r);
	tf->last_day = (int32_t)rd_i(r);
	tf->anchor_day = (int32_t)rd_i(r);
	tf->anchor_total = rd_d(r);
	tf->recent_span = rd_d(r);
	/* models are indices into ss_models[]: -1 (none) or one of them */
	if (tm->model < -1 || tm->model >= (int)ss_nmodels || tf->best < -1 ||
	    tf->best >= (int)ss_nmodels)
		r->bad = 1;
}

/* The current track's observations are all there (before its album's next
 * record, the next track's or the end): else the result is damaged. */
static void merge_track_done(struct merge *m, uint64_t line)
{
	if (m->cur >= m->ntracks)
		return;
	const struct ss_track *tr = &m->ds.tracks[m->cur];
	ss_fits_pack(&m->fits, (uint32_t)m->cur, &m->tf);
	if (m->ds.nobs - tr->first != tr->n)
		reader_fail(&m->rd, line,
			    "track '%s' has %zu of its %zu observations: write the results "
			    "again with \"streamstat analyse\"",
			    m->tnames[m->cur], m->ds.nobs - tr->first, tr->n);
	m->cur = SS_NONE;
}

/* An observation of the current track: the next in ds.obs. */
static void merge_obs(struct merge *m, struct rd *r, uint64_t line)
{
	uint64_t g = rd_u(r);
	if (r->bad || g != m->cur || g >= m->ntracks ||
	    m->ds.nobs - m->ds.tracks[g].first >= m->ds.tracks[g].n) {
		reader_fail(&m->rd, line, "an observation its track does not list");
		return;
	}
	xgrow(&m->ds.obs, &m->ds.obscap, m->ds.nobs + 1, sizeof *m->ds.obs);
	struct ss_obs *o = &m->ds.obs[m->ds.nobs];
	o->track = (uint32_t)g;
	o->day = (int32_t)rd_i(r);
	uint64_t file = rd_u(r);
	/* checked against the file list once every result is read (part 0's
	 * carries it; files_known()) */
	if (file > UINT16_MAX) {
		reader_fail(&m->rd, line, "an observation of a file the part does not list");
		return;
	}
	o->file = (uint16_t)file;
	o->line = (uint32_t)rd_u(r);
	o->flags = (uint16_t)rd_u(r);
	o->streams = rd_i(r);
	o->total = rd_i(r);
	if (r->bad) {
		reader_fail(&m->rd, line, "an 'O' record that is not as \"analyse\" writes it");
		return;
	}
	m->ds.nobs++;
}

static void merge_model(struct merge *m, struct rd *r)
{
	uint64_t i = rd_u(r);

	if (i >= ss_nmodels || m->cur >= m->ntracks) {
		r->bad = 1;
		return;
	}
	struct ss_model_fit *mf = &m->tf.m[i];
	size_t np = ss_models[i].np;
	mf->status = (uint8_t)rd_u(r);
	mf->nls = (uint8_t)rd_u(r);
	mf->chosen = (uint8_t)rd_u(r);
	mf->start = (uint8_t)rd_u(r);
	mf->iter = (uint16_t)rd_u(r);
	mf->unidentified = (uint8_t)rd_u(r);
	const char *why = rd_s(r);
	if (rd_u(r)) {
		xgrow(&m->whys, &m->whycap, m->nwhys + 1, sizeof *m->whys);
		mf->why = m->whys[m->nwhys++] = xstrdup(why);
	}
	mf->rmse = rd_d(r);
	mf->aicc = rd_d(r);
	mf->weight = rd_d(r);
	mf->n = (uint32_t)rd_u(r);
	mf->dof = (uint32_t)rd_u(r);
	for (size_t j = 0; j < np; j++)
		mf->th[j] = rd_d(r);
	for (size_t j = 0; j < np; j++)
		mf->se[j] = rd_d(r);
	for (size_t j = 0; j < np * np; j++)
		mf->cov[j] = rd_d(r);
}

static void merge_album(struct merge *m, struct rd *r)
{
	uint64_t g = rd_u(r);
	const char *by = rd_s(r), *artist = rd_s(r), *title = rd_s(r);

	if (g >= m->nalbums || m->albums[g].seen || !m->have_ms) {
		r->bad = 1;
		return;
	}
	struct album_tmp *at = &m->albums[g];
	get_album_fields(r, &at->al);
	at->seen = 1;
	at->by = xstrdup(by);
	at->artist = xstrdup(artist);
	at->title = xstrdup(title);
	struct ss_album_ms *am = &m->ms.albums[g];
	am->album = (uint32_t)g;
	am->counted = (uint32_t)rd_u(r);
	am->with_data = (uint32_t)rd_u(r);
	am->excluded = (uint32_t)rd_u(r);
	am->latest_total = rd_d(r);
}

static void merge_album_crossing(struct merge *m, struct rd *r)
{
	uint64_t kind = rd_u(r), k = rd_u(r);
	/* the album is the last "A" read: Y records follow their album */
	static const uint64_t none = SS_NONE;

	if (kind > 1 || k >= m->ms.opt.nmilestones) {
		r->bad = 1;
		return;
	}
	struct ss_crossing x;
	get_crossing(r, &x);
	uint64_t bottleneck = rd_u(r);
	double share = rd_d(r);
	uint64_t lacking = rd_u(r), lacking_first = rd_u(r);
	if (r->bad || m->cur_album >= m->nalbums ||
	    (bottleneck != none && bottleneck >= m->ntracks) ||
	    (lacking_first != none && lacking_first >= m->ntracks)) {
		r->bad = 1;
		return;
	}
	struct ss_album_ms *am = &m->ms.albums[m->cur_album];
	struct ss_album_crossing *ax = kind ? &am->total[k] : &am->all[k];
	ax->x = x;
	ax->bottleneck = (uint32_t)bottleneck;
	ax->bottleneck_share = share;
	ax->lacking = (uint32_t)lacking;
	ax->lacking_first = (uint32_t)lacking_first;
}

/* Does every file index the results give name a file of the split (or
 * none)?  Messages and the Data quality sheet index the list with them. */
static int files_known(const struct merge *m)
{
	const struct ss_dataset *ds = &m->ds;
#define KNOWN(f) ((f) == SS_NONE || (size_t)(f) < ds->nfiles)
	for (size_t a = 0; a < m->nalbums; a++)
		if (!KNOWN(ds->albums[a].src_file) || !KNOWN(ds->albums[a].cat_file) ||
		    !KNOWN(ds->albums[a].unnamed_file))
			return 0;
	for (size_t t = 0; t < m->ntracks; t++)
		if (!KNOWN(ds->tracks[t].src_file) || !KNOWN(ds->tracks[t].cat_file))
			return 0;
	for (uint32_t p = 0; p <= m->nparts; p++)
		for (size_t i = 0; i < m->problems[p].n; i++)
			if (!KNOWN(m->problems[p].list[i].file))
				return 0;
	for (size_t i = 0; i < ds->nobs; i++)
		if (ds->obs[i].file >= ds->nfiles)
			return 0;
#undef KNOWN
	return 1;
}

static void merge_row(void *user, const struct ss_csv_row *row)
{
	struct merge *m = user;
	struct rd r = {row, 1, 0};
	const char *k;

	if (m->rd.failed)
		return;
	if (row->index == 0) {
		merge_header(m, row);
		return;
	}
	if (m->rd.ended) {
		reader_fail(&m->rd, row->line, "a record after the last (\"E\") one");
		return;
	}
	k = row->nkept ? row->field[0] : "";
	if (strcmp(k, "Q") == 0) {
		const char *key = rd_s(&r);
		if (strcmp(key, m->key) != 0) {
			const char *a = key, *b = m->key;
			/* the first option (a space-separated word) that differs */
			for (;;) {
				size_t la = strcspn(a, " "), lb = strcspn(b, " ");
				if (la != lb || memcmp(a, b, la) != 0 || !a[la] || !b[lb]) {
					reader_fail(
						&m->rd, row->line,
						"analysed with other options than this merge's "
						"(%.*s there, %.*s here): give analyse and merge "
						"the same options",
						(int)la, a, (int)lb, b);
					break;
				}
				a += la + 1;
				b += lb + 1;
			}
			return;
		}
	} else if (strcmp(k, "R") == 0) {
		m->has_as_of = (int)rd_u(&r);
		m->as_of = (int32_t)rd_i(&r);
		m->total_obs = rd_u(&r);
		const char *a = rd_s(&r);
		if (!m->args)
			m->args = xstrdup(a);
	} else if (strcmp(k, "X") == 0) {
		uint64_t i = rd_u(&r), n = rd_u(&r);
		if (i < m->nexclude)
			m->found[i] += n;
		else
			r.bad = 1;
	} else if (strcmp(k, "F") == 0) {
		uint64_t i = rd_u(&r);
		int cat = (int)rd_u(&r), in = (int)rd_u(&r);
		const char *path = rd_s(&r);
		if (!r.bad && i == m->ds.nfiles) {
			uint32_t f = ss_dataset_add_file(&m->ds, path, cat);
			if (f != SS_NONE)
				m->ds.files[f].is_stdin = in;
		} else {
			r.bad = 1;
		}
	} else if (strcmp(k, "S") == 0) {
		uint64_t i = rd_u(&r);
		if (i >= m->ds.nfiles) {
			r.bad = 1;
		} else {
			struct ss_file *f = &m->ds.files[i];
			f->fatal = (int)rd_u(&r);
			f->bytes = rd_u(&r);
			f->lines = rd_u(&r);
			f->rows = rd_u(&r);
			f->used = rd_u(&r);
			f->skipped = rd_u(&r);
			f->after_as_of = rd_u(&r);
			m->files = xreallocarray(m->files, m->ds.nfiles + 1, sizeof *m->files);
			snprintf(m->files[i].sha256, sizeof m->files[i].sha256, "%s", rd_s(&r));
			m->files[i].bytes = rd_u(&r);
		}
	} else if (strcmp(k, "P") == 0) {
		plist_add(&m->problems[0], &r);
	} else if (strcmp(k, "p") == 0) {
		plist_add(&m->problems[1 + m->part], &r);
	} else if (strcmp(k, "K") == 0 || strcmp(k, "k") == 0) {
		add_counts(m, &r);
	} else if (strcmp(k, "s") == 0) {
		merge_stats(m, &r);
	} else if (strcmp(k, "m") == 0) {
		merge_ms(m, &r);
	} else if (strcmp(k, "A") == 0) {
		merge_track_done(m, row->line);
		uint64_t g = r.row->nkept > 1 ? strtoull(r.row->field[1], NULL, 10) : SS_NONE;
		merge_album(m, &r);
		m->cur_album = g;
		m->cur = SS_NONE;
	} else if (strcmp(k, "Y") == 0) {
		merge_album_crossing(m, &r);
	} else if (strcmp(k, "T") == 0) {
		merge_track_done(m, row->line);
		merge_track(m, &r);
	} else if (strcmp(k, "C") == 0) {
		uint64_t kk = rd_u(&r);
		if (kk >= m->ms.opt.nmilestones || m->cur >= m->ntracks)
			r.bad = 1;
		else
			get_crossing(&r, &m->ms.tracks[m->cur].c[kk]);
	} else if (strcmp(k, "M") == 0) {
		merge_model(m, &r);
	} else if (strcmp(k, "O") == 0) {
		merge_obs(m, &r, row->line);
		return;
	} else if (strcmp(k, "E") == 0) {
		merge_track_done(m, row->line);
		m->rd.ended = 1;
	} else {
		reader_fail(&m->rd, row->line, "unknown record '%s'", k);
		return;
	}
	if (r.bad)
		reader_fail(&m->rd, row->line, "a '%s' record that is not as \"analyse\" writes it",
			    k);
}

/* The names as read, once the dataset holds them (merge_build()): at a
 * million tracks they are some 40 MB the writers do not need. */
static void merge_drop_names(struct merge *m)
{
	for (uint64_t a = 0; m->albums && a < m->nalbums; a++) {
		free(m->albums[a].by);
		free(m->albums[a].artist);
		free(m->albums[a].title);
	}
	for (uint64_t t = 0; m->tnames && t < m->ntracks; t++)
		free(m->tnames[t]);
	free(m->albums);
	free(m->tnames);
	m->albums = NULL;
	m->tnames = NULL;
}

/* The dataset, milestones and problems of the whole, once every result is
 * read; an exit code. */
static int merge_build(struct merge *m)
{
	struct ss_dataset *ds = &m->ds;

	for (uint64_t a = 0; a < m->nalbums; a++) {
		struct album_tmp *at = &m->albums[a];
		if (!at->seen) {
			ss_errorf("merge: album %" PRIu64
				  " of the split is in no result: write the "
				  "parts again with \"streamstat split\"",
				  a);
			return SS_EXIT_DATAERR;
		}
		uint32_t by = *at->by ? ss_dataset_artist(ds, at->by, strlen(at->by)) : SS_NONE;
		uint32_t w = *at->artist ? ss_dataset_artist(ds, at->artist, strlen(at->artist))
					 : SS_NONE;
		uint32_t id = ss_dataset_restore_album(ds, by, at->title, strlen(at->title));
		if (id != a) {
			ss_errorf("merge: album %" PRIu64
				  " ('%s') is listed twice: write the parts "
				  "again with \"streamstat split\"",
				  a, at->title);
			return SS_EXIT_DATAERR;
		}
		at->al.artist = w;
		at->al.next_title = ds->albums[id].next_title;
		at->al.ntracks = 0;
		ds->albums[id] = at->al;
	}
	for (uint64_t t = 0; t < m->ntracks; t++) {
		struct ss_track *tr = &ds->tracks[t];
		int added = 0;
		if (!m->tnames[t]) {
			ss_errorf("merge: track %" PRIu64
				  " of the split is in no result: write the "
				  "parts again with \"streamstat split\"",
				  t);
			return SS_EXIT_DATAERR;
		}
		uint32_t id = ss_intern_add(&ds->track_names, tr->album, m->tnames[t],
					    strlen(m->tnames[t]), &added);
		if (id != t || !added) {
			ss_errorf("merge: track %" PRIu64
				  " ('%s') is listed twice: write the parts "
				  "again with \"streamstat split\"",
				  t, m->tnames[t]);
			return SS_EXIT_DATAERR;
		}
		ds->albums[tr->album].ntracks++;
	}
	ds->sorted = 1;

	/* the problems: the input's first, then each part's, sorted as report sorts */
	uint64_t all = 0;
	ss_problems_init(&ds->problems, m->limit ? m->limit : SS_PROBLEMS_DEFAULT_LIMIT);
	for (size_t p = 0; p <= m->nparts; p++)
		for (size_t i = 0; i < m->problems[p].n; i++) {
			const struct ss_problem *q = &m->problems[p].list[i];
			ss_problems_add(&ds->problems, q->kind, q->file, q->line, "%s", q->msg);
		}
	for (size_t k = 0; k < SS_P_KIND_COUNT; k++) {
		ds->problems.count[k] = m->count[k];
		all += m->count[k];
	}
	ds->problems.not_kept = all > ds->problems.n ? all - ds->problems.n : 0;
	ss_problems_sort(&ds->problems);
	merge_drop_names(m);
	return SS_EXIT_OK;
}

static void merge_release(struct merge *m)
{
	merge_drop_names(m);
	for (size_t p = 0; m->problems && p <= m->nparts; p++) {
		for (size_t i = 0; i < m->problems[p].n; i++)
			free(m->problems[p].list[i].msg);
		free(m->problems[p].list);
	}
	for (size_t i = 0; i < m->nwhys; i++)
		free(m->whys[i]);
	free(m->whys);
	free(m->problems);
	free(m->seen);
	free(m->args);
	free(m->found);
	free(m->files);
	ss_fits_release(&m->fits);
	ss_milestones_release(&m->ms);
	ss_dataset_release(&m->ds);
}

static const struct option merge_longopts[] = {ANALYSIS_LONG_OPTIONS,
					       SS_REPORT_LONG_OPTIONS,
					       {"help", no_argument, NULL, 'h'},
					       {NULL, 0, NULL, 0}};

int cmd_merge(int argc, char **argv)
{
	struct ss_load_options o;
	struct ss_ms_cli mc;
	struct ss_report_cli ro;
	struct merge m;
	double t0 = ss_seconds();
	int opt, code = SS_EXIT_OK;
	const char **inputs = xcalloc((size_t)argc + 1, sizeof *inputs);
	uint8_t *positional = xcalloc((size_t)argc + 1, 1);
	size_t ninputs = 0;

	memset(&m, 0, sizeof m);
	ss_load_options_init(&o);
	ss_ms_cli_init(&mc);
	ss_report_cli_init(&ro);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "-:hj:o:qv", merge_longopts, NULL)) != -1) {
		int r;
		if (opt == 1) {
			inputs[ninputs++] = optarg;
			positional[optind - 1] = 1;
			continue;
		}
		if (opt == 'h') {
			fputs(merge_usage_head, stdout);
			fputs(merge_usage_tail, stdout);
			free(inputs);
			free(positional);
			ss_ms_cli_release(&mc);
			ss_report_cli_release(&ro);
			return SS_EXIT_OK;
		}
		r = shared_option("merge", opt, optarg, &o, &mc, &ro, 1);
		if (r == 0) {
			ss_option_error("merge", opt, argv);
			r = -1;
		}
		if (r < 0) {
			code = SS_EXIT_USAGE;
			break;
		}
	}
	if (code == SS_EXIT_OK && ninputs == 0) {
		ss_errorf("merge: name the results to merge (PART.result ...)");
		code = SS_EXIT_USAGE;
	}
	if (code == SS_EXIT_OK && ro.backtest) {
		ss_errorf("merge: %s", no_backtest_msg);
		code = SS_EXIT_USAGE;
	}
	if (code != SS_EXIT_OK) {
		fputs(merge_usage_head, stderr);
		fputs(merge_usage_tail, stderr);
		free(inputs);
		free(positional);
		ss_ms_cli_release(&mc);
		ss_report_cli_release(&ro);
		return code;
	}

	int lock_fd[2] = {-1, -1};
	char *key = analysis_key(&mc, o.stale_days, 0);
	signal(SIGXFSZ, SIG_IGN);
	code = ss_report_lock(&ro, lock_fd);
	if (code == SS_EXIT_OK)
		ss_publish_catch_signals();
	m.key = key;
	m.nexclude = mc.nexclude;
	m.found = xcalloc(mc.nexclude + 1, sizeof *m.found);
	ss_dataset_init(&m.ds, SS_PROBLEMS_DEFAULT_LIMIT);
	/* one read of each result: the records, the observations after their
	 * track's (each track's together, in the order read) */
	for (size_t i = 0; i < ninputs && code == SS_EXIT_OK; i++) {
		memset(&m.rd, 0, sizeof m.rd);
		m.rd.path = inputs[i];
		m.rd.cmd = "merge";
		m.cur = m.cur_album = SS_NONE;
		code = read_records(&m.rd, merge_row, &m);
	}
	for (uint32_t p = 0; p < m.nparts && code == SS_EXIT_OK; p++)
		if (!m.seen[p]) {
			ss_errorf("merge: part %u of %u (part-%04u.csv) has no result among those "
				  "given: analyse it and give its result",
				  (unsigned)p, (unsigned)m.nparts, (unsigned)p);
			code = SS_EXIT_NOINPUT;
		}
	if (code == SS_EXIT_OK && m.ds.nfiles == 0) {
		ss_errorf("merge: the result of part 0 lists no input file");
		code = SS_EXIT_DATAERR;
	}
	if (code == SS_EXIT_OK)
		code = merge_build(&m);
	if (code == SS_EXIT_OK && !files_known(&m)) {
		ss_errorf("merge: a result names an input file the split did not list: write the "
			  "results again with \"streamstat analyse\"");
		code = SS_EXIT_DATAERR;
	}
	if (code == SS_EXIT_OK)
		code = ss_ms_cli_excluded(&mc, m.found, "merge");
	if (code == SS_EXIT_OK) {
		struct ss_error err = {0};
		if (ss_report_albums(&m.ds, (const char *const *)ro.albums, ro.nalbums,
				     &ro.album_ids, &ro.nalbum_ids, &err) != SS_OK) {
			ss_errorf("merge: %s", err.msg);
			code = SS_EXIT_USAGE;
		}
	}
	if (code == SS_EXIT_OK) {
		struct ss_load_result res = {0};
		o.ingest.has_as_of = m.has_as_of;
		o.ingest.as_of = m.as_of;
		if (o.verbosity != SS_QUIET)
			ss_print_problems(&m.ds, &o);
		code = ss_load_exit_code(&m.ds, &m.st, &o, &res);
	}
	if (code == SS_EXIT_OK) {
		ss_dataset_album_tracks(&m.ds, &m.ms.album_first, &m.ms.album_tracks);
		m.ms.opt.jobs = ro.jobs;
		ss_milestones_rank(&m.ds, &m.ms);
		m.fits.jobs = ro.jobs ? ro.jobs : 1;
		for (size_t i = 0; i < m.ds.nfiles; i++) {
			m.files[i].path = m.ds.files[i].path;
			m.files[i].is_catalog = m.ds.files[i].is_catalog;
		}
		/* the command line a single run would have had: split's, then ours */
		struct sbuf opts = {0};
		sb_printf(&opts, "%s", m.args ? m.args : "");
		for (int i = 1; i < argc; i++)
			if (!positional[i])
				sb_printf(&opts, "%s%s", opts.n ? " " : "", argv[i]);
		struct ss_report_input in = {
			.ds = &m.ds,
			.st = &m.st,
			.fits = &m.fits,
			.ms = &m.ms,
			.bt = NULL,
			.files = m.files,
			.nfiles = m.ds.nfiles,
			.options = opts.s,
		};
		code = ss_report_emit(&in, &o, &ro, t0, o.verbosity == SS_QUIET);
		if (o.verbosity >= SS_VERBOSE)
			ss_errorf("merge: %zu parts, %" PRIu64
				  " tracks, %zu albums compared in %.3f s",
				  (size_t)m.nparts, m.ntracks, ro.nalbum_ids, ss_seconds() - t0);
		free(opts.s);
	}
	merge_release(&m);
	free(key);
	free(inputs);
	free(positional);
	for (int i = 0; i < 2; i++)
		if (lock_fd[i] >= 0)
			close(lock_fd[i]);
	ss_ms_cli_release(&mc);
	ss_report_cli_release(&ro);
	ss_load_options_release(&o);
	return code;
}
