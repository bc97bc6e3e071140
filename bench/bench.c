/*
 * bench.c - ingest + series throughput and memory against a bare libcsv parse.
 *
 *   bench [--bare-runs N] [--runs N] [--catalog FILE] HISTORY.csv
 *
 * First the file goes through a bare libcsv parse, read in SS_CSV_BLOCK
 * blocks with the parser options src/csvread.c uses and callbacks that only
 * count fields and rows: the ceiling for any libcsv-based reader.  Best of
 * --bare-runs (default 3).  Then through ingest and series exactly as
 * "streamstat check" runs them, best of --runs (default 2), each on a fresh
 * dataset.  With --catalog the catalog is read first, as the command does;
 * its time is shown apart and left out of the throughput.
 *
 * Peak RSS (getrusage) is process-wide, so the bare parse, which holds one
 * block, runs first; the high-water mark before the first ingest is the
 * baseline, and the mark after it is the peak.  Later runs only time.
 *
 * MB is 10^6 bytes.  This is a benchmark, not a test: it exits 0 whether or
 * not the targets are met, and 1 only when something cannot be run.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <csv.h>

#include "streamstat/csvread.h"
#include "streamstat/dataset.h"
#include "streamstat/ingest.h"
#include "streamstat/number.h"
#include "streamstat/series.h"
#include "streamstat/xalloc.h"

#include "bench_util.h"

/* The options src/csvread.c gives libcsv (its CSV_OPTIONS); keep in step. */
#define BARE_CSV_OPTIONS (CSV_STRICT | CSV_REPALL_NL | CSV_STRICT_FINI | CSV_APPEND_NULL)
#define BARE_BLK_SIZE	 4096 /* csv_set_blk_size() in src/csvread.c */

#define TARGET_RATIO   0.70 /* ingest+series throughput / bare parse */
#define TARGET_PER_OBS 48.0 /* bytes of peak RSS per observation, names aside */

/* ---- bare parse -------------------------------------------------------- */

struct bare {
	uint64_t bytes, fields, rows;
	int in_row;
};

static void count_field(void *s, size_t len, void *arg)
{
	struct bare *b = arg;

	(void)s;
	(void)len;
	b->fields++;
	b->in_row = 1;
}

static void count_row(int c, void *arg)
{
	struct bare *b = arg;

	(void)c;
	/* With CSV_REPALL_NL a blank line ends no row; csvread.c skips it too. */
	if (b->in_row)
		b->rows++;
	b->in_row = 0;
}

/* Parse path once, counting into *b; returns seconds, or -1 (message printed). */
static double bare_parse(const char *path, struct bare *b)
{
	struct csv_parser p;
	char *block = xmalloc(SS_CSV_BLOCK);
	double t0 = bench_now(), t = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	memset(b, 0, sizeof(*b));
	if (fd < 0) {
		fprintf(stderr, "bench: %s: %s\n", path, strerror(errno));
		free(block);
		return -1;
	}
	(void)csv_init(&p, BARE_CSV_OPTIONS);
	csv_set_blk_size(&p, BARE_BLK_SIZE);
	for (;;) {
		ssize_t got = read(fd, block, SS_CSV_BLOCK);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			fprintf(stderr, "bench: %s: read failed: %s\n", path, strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		b->bytes += (uint64_t)got;
		if (csv_parse(&p, block, (size_t)got, count_field, count_row, b) != (size_t)got) {
			fprintf(stderr, "bench: %s: libcsv: %s near byte %llu\n", path,
				csv_strerror(csv_error(&p)), (unsigned long long)b->bytes);
			goto out;
		}
	}
	if (csv_fini(&p, count_field, count_row, b) != 0) {
		fprintf(stderr, "bench: %s: libcsv: %s at the end\n", path,
			csv_strerror(csv_error(&p)));
		goto out;
	}
	t = bench_now() - t0;
out:
	csv_free(&p);
	close(fd);
	free(block);
	return t;
}

/* ---- ingest + series --------------------------------------------------- */

struct run {
	double catalog, ingest, series; /* seconds */
	uint64_t rows, used, skipped, raw_obs, observations, merged, warnings;
	size_t albums, tracks, name_bytes;
};

/* One ingest + series on a fresh dataset, as the command runs them. */
static int ingest_series(const char *catalog, const char *path, struct run *r)
{
	struct ss_dataset ds;
	struct ss_series_stats st;
	struct ss_ingest_options opts;
	struct ss_error err;
	enum ss_status s;
	double tc, t0, t1, t2;
	int ok = 0;

	memset(&opts, 0, sizeof(opts));
	memset(&err, 0, sizeof(err));
	ss_dataset_init(&ds, SS_PROBLEMS_DEFAULT_LIMIT);
	tc = bench_now();
	s = catalog ? ss_ingest_catalog(&ds, catalog, &err) : SS_OK;
	t0 = bench_now();
	if (s == SS_OK)
		s = ss_ingest_file(&ds, path, &opts, &err);
	if (s == SS_OK)
		ss_ingest_finish(&ds);
	t1 = bench_now();
	r->raw_obs = ds.nobs;
	if (s == SS_OK)
		s = ss_series_build(&ds, &st, &err);
	t2 = bench_now();
	if (s != SS_OK) {
		fprintf(stderr, "bench: %s:%lu: %s (%s)\n", err.file ? err.file : path, err.line,
			err.msg, ss_strerror(s));
		goto out;
	}
	for (size_t f = 0; f < ds.nfiles; f++) {
		if (ds.files[f].fatal) {
			fprintf(stderr,
				"bench: %s: the file could not be used (see streamstat check)\n",
				ds.files[f].path);
			goto out;
		}
	}
	r->catalog = t0 - tc;
	r->ingest = t1 - t0;
	r->series = t2 - t1;
	r->rows = ds.files[ds.nfiles - 1].rows;
	r->used = ds.files[ds.nfiles - 1].used;
	r->skipped = ds.files[ds.nfiles - 1].skipped;
	r->observations = st.observations;
	r->merged = st.merged;
	r->warnings = ss_problems_at_least(&ds.problems, SS_SEV_WARNING);
	r->albums = ss_dataset_nalbums(&ds);
	r->tracks = ss_dataset_ntracks(&ds);
	r->name_bytes = ss_dataset_name_bytes(&ds);
	ok = 1;
out:
	ss_dataset_release(&ds);
	return ok ? 0 : -1;
}

/* ---- report ------------------------------------------------------------ */

static void rate_line(const char *what, double secs, uint64_t bytes, uint64_t rows)
{
	char a[28];

	printf("  %-30s %8.3f s %9.1f MB/s %14s rows/s\n", what, secs, (double)bytes / secs / 1e6,
	       bench_num((uint64_t)((double)rows / secs + 0.5), a));
}

static const char usage_text[] =
	"usage: bench [--bare-runs N] [--runs N] [--catalog FILE] HISTORY.csv\n"
	"\n"
	"Time ingest + series on HISTORY.csv against a bare libcsv parse\n"
	"and measure peak memory (see bench/run.sh).\n";

int main(int argc, char **argv)
{
	static const struct option longopts[] = {{"bare-runs", required_argument, NULL, 'b'},
						 {"runs", required_argument, NULL, 'r'},
						 {"catalog", required_argument, NULL, 'c'},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	int bare_runs = 3, runs = 2, opt, bad = 0;
	const char *path, *catalog = NULL;
	struct stat sb;
	struct bare b;
	struct run best, r;
	double bare_best = 0, both;
	uint64_t base_rss, peak = 0, data_rows;
	char a[28], c[28], d[28], e[28];
	double per_obs, ratio;

	memset(&best, 0, sizeof(best));
	memset(&b, 0, sizeof(b));
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'b':
			bad |= bench_parse_runs("bench", optarg, &bare_runs);
			break;
		case 'r':
			bad |= bench_parse_runs("bench", optarg, &runs);
			break;
		case 'c':
			catalog = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			bad = -1;
		}
	}
	if (bad || optind + 1 != argc) {
		fputs(usage_text, stderr);
		return 2;
	}
	path = argv[optind];
	if (stat(path, &sb) != 0) {
		fprintf(stderr, "bench: %s: %s\n", path, strerror(errno));
		return 1;
	}

	for (int i = 0; i < bare_runs; i++) {
		double t = bare_parse(path, &b);

		if (t < 0)
			return 1;
		if (i == 0 || t < bare_best)
			bare_best = t;
	}
	base_rss = bench_peak_rss();
	for (int i = 0; i < runs; i++) {
		if (ingest_series(catalog, path, &r) < 0)
			return 1;
		if (i == 0)
			peak = bench_peak_rss();
		if (i == 0 || r.ingest + r.series < best.ingest + best.series)
			best = r;
	}

	data_rows = b.rows ? b.rows - 1 : 0; /* the header is a row to libcsv */
	both = best.ingest + best.series;
	ratio = bare_best / both;
	per_obs = best.observations ? ((double)peak - (double)base_rss - (double)best.name_bytes) /
					      (double)best.observations
				    : 0.0;

	printf("streamstat bench: %s\n", path);
	printf("  file          %s bytes (%.1f MB)\n", bench_num((uint64_t)sb.st_size, a),
	       (double)sb.st_size / 1e6);
	printf("  rows          %s data rows + header, %s fields\n", bench_num(data_rows, a),
	       bench_num(b.fields, c));
	printf("  ingested      %s rows used, %s skipped; %s albums, %s tracks\n",
	       bench_num(best.used, a), bench_num(best.skipped, c), bench_num(best.albums, d),
	       bench_num(best.tracks, e));
	printf("  observations  %s (%s rows merged as same-day duplicates); %s warnings\n",
	       bench_num(best.observations, a), bench_num(best.merged, c),
	       bench_num(best.warnings, d));
	printf("\n  throughput\n");
	rate_line("bare libcsv parse", bare_best, b.bytes, data_rows);
	rate_line("ingest", best.ingest, b.bytes, data_rows);
	rate_line("series", best.series, b.bytes, data_rows);
	rate_line("ingest + series", both, b.bytes, data_rows);
	printf("  (bare parse best of %d, ingest + series best of %d)\n", bare_runs, runs);
	if (catalog)
		printf("  (not counted: reading the catalog first, %.3f s)\n", best.catalog);
	printf("\n  memory\n");
	printf("  %-30s %10.1f MiB\n", "peak RSS", (double)peak / 1048576.0);
	printf("  %-30s %10.1f MiB\n", "baseline RSS before ingest", (double)base_rss / 1048576.0);
	printf("  %-30s %10s bytes\n", "names (albums, tracks, artists)",
	       bench_num(best.name_bytes, a));
	printf("\n  targets\n");
	printf("  %-30s %9.1f %%    target >= %.0f %%     %s\n", "ingest+series / bare parse",
	       100.0 * ratio, 100.0 * TARGET_RATIO, bench_verdict(ratio >= TARGET_RATIO));
	printf("  %-30s %9.1f B    target <= %.0f B      %s\n", "peak RSS per observation", per_obs,
	       TARGET_PER_OBS, bench_verdict(per_obs <= TARGET_PER_OBS));
	printf("  (per observation: (peak - baseline - names) / observations)\n");
	if (best.warnings)
		printf("\n  note: the input has %s warnings; run streamstat check on it\n",
		       bench_num(best.warnings, a));
	return 0;
}
