/*
 * fuzz_ingest.c - libFuzzer target: any bytes through ingest and series.
 *
 * The first byte picks the shape: bit 0 reads the rest as a catalog first
 * (then a small fixed history), bit 1 passes --as-of, bit 2 runs the
 * analysis after (ss_pipeline_run(): every model, the pool, no backtest, one
 * thread, 100 joint draws), bit 3 says that input options follow, bit 4
 * (with bit 0) that the history is the input after the catalog's first NUL
 * byte, not the fixed one (bits 5-7 mean nothing); the rest of the input is
 * the file.
 *
 * With bit 3, three bytes A, B, C come next, then the strings they ask for
 * (each up to a NUL byte or the end), then the file.  The options are those
 * of the history file read (the fixed one when bit 0 is set: date,B with --wide,
 * so that its column is found in the catalog), as cmd_common.c's input_option()
 * would set them:
 *   A bits 0-2  --delimiter: 0 detect, 1 ',', 2 ';', 3 tab, 4 '|', 5-7 detect
 *   A bits 3-4  --thousands: 0 none, 1 ',', 2 '.', 3 none
 *   A bit 5     --wide, A bit 6 --values streams (else total) with it
 *   A bit 7     --date-format, the layout B bits 0-2 pick out of
 *               %Y-%m-%d %m/%d/%Y %d/%m/%Y %Y/%m/%d %d.%m.%Y %Y.%m.%d %m-%d-%Y %d-%m-%Y
 *   B bit 3     --track STRING       B bit 4 --track-from-filename (without bit 3)
 *   B bit 5     --album STRING       B bit 6 --artist STRING
 *   B bit 7     --date 2023-11-18 (C bit 3: 2023-11-19, after the --as-of day)
 *   C bits 0-1  that many --column FIELD=STRING, FIELD a byte before each
 *               string (mod the 9 fields, in ss_ingest_field_name() order)
 *   C bit 2     --release-date 2023-09-08
 * The strings come in the order track, album, artist, then the columns'.
 * What the command line refuses is not passed (an empty string; --track or
 * --track-from-filename with --wide, which always has --values).
 *
 * Every stage must return (no crash, no sanitizer report, no leak), and the
 * counts must add up: rows = used + skipped + after as-of, for each history
 * file.  Every observation must be a used row's: of a history file, a known
 * track, a count known (a bound only on a total, counts not negative), not
 * after --as-of; a long file has one per used row, a wide one at least one.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "streamstat/date.h"
#include "streamstat/ingest.h"
#include "streamstat/pipeline.h"
#include "streamstat/series.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char history[] = "date,album,track,total\n2023-09-08,L,B,10\n2023-09-09,L,B,25\n";
static const char wide_history[] = "date,B\n2023-09-08,10\n2023-09-09,25\n"; /* with --wide */

/* The next string of the input, up to a NUL byte or the end, copied into buf. */
static const char *take_string(const uint8_t **data, size_t *size, char *buf, size_t n)
{
	size_t k = 0;

	while (*size && **data) {
		if (k + 1 < n)
			buf[k++] = (char)**data;
		(*data)++, (*size)--;
	}
	if (*size) /* the NUL */
		(*data)++, (*size)--;
	buf[k] = '\0';
	return buf;
}

/* The input options bytes A, B, C and their strings say, into *opt. */
static void take_options(const uint8_t **data, size_t *size, struct ss_ingest_options *opt,
			 char strings[][64])
{
	static const char delimiters[8] = {0, ',', ';', '\t', '|', 0, 0, 0};
	static const char thousands[4] = {0, ',', '.', 0};
	static const char *const layouts[8] = {"%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%Y/%m/%d",
					       "%d.%m.%Y", "%Y.%m.%d", "%m-%d-%Y", "%d-%m-%Y"};
	uint8_t a, b, c;
	int s = 0;

	if (*size < 3) {
		*data += *size, *size = 0;
		return;
	}
	a = (*data)[0], b = (*data)[1], c = (*data)[2];
	*data += 3, *size -= 3;
	opt->delimiter = delimiters[a & 7];
	opt->thousands = thousands[(a >> 3) & 3];
	if (a & 32) {
		opt->wide = 1;
		opt->values = (a & 64) ? SS_VALUES_STREAMS : SS_VALUES_TOTAL;
	}
	if ((a & 128) && ss_date_fmt_parse(layouts[b & 7], &opt->date_fmt) == 0)
		opt->has_date_fmt = 1;
	if (b & 8)
		opt->track = take_string(data, size, strings[s++], 64);
	else if (b & 16)
		opt->track_from_filename = 1;
	if (b & 32)
		opt->album = take_string(data, size, strings[s++], 64);
	if (b & 64)
		opt->artist = take_string(data, size, strings[s++], 64);
	if (b & 128) {
		opt->has_date = 1;
		opt->date = ss_date_from_ymd(2023, 11, (c & 8) ? 19 : 18);
	}
	for (int k = 0; k < (c & 3) && *size; k++) {
		int f = **data % SS_INGEST_FIELDS;
		const char *name;

		(*data)++, (*size)--;
		name = take_string(data, size, strings[s++], 64);
		if (*name)
			opt->column[f] = name;
	}
	if (c & 4) {
		opt->has_release_date = 1;
		opt->release_date = ss_date_from_ymd(2023, 9, 8);
	}
	/* as check_input() and the option parsers refuse */
	if (opt->wide) {
		opt->track = NULL;
		opt->track_from_filename = 0;
	}
	if (opt->track && !*opt->track)
		opt->track = NULL;
	if (opt->album && !*opt->album)
		opt->album = NULL;
	if (opt->artist && !*opt->artist)
		opt->artist = NULL;
}

/* The invariants of ingest's counts and observations; abort() on a breach. */
static void check_dataset(const struct ss_dataset *ds, const struct ss_ingest_options *opt)
{
	size_t *nobs = calloc(ds->nfiles ? ds->nfiles : 1, sizeof(*nobs));

	if (!nobs)
		abort();
	for (size_t i = 0; i < ds->nobs; i++) {
		const struct ss_obs *o = &ds->obs[i];
		unsigned known = o->flags & (SS_OBS_STREAMS | SS_OBS_TOTAL);

		if (o->file >= ds->nfiles || ds->files[o->file].is_catalog)
			abort(); /* an observation of no history file */
		if (o->track >= ss_dataset_ntracks(ds))
			abort(); /* of no track */
		if (!known || ((o->flags & SS_OBS_AT_LEAST) && !(o->flags & SS_OBS_TOTAL)))
			abort(); /* without a count, or a bound on no total */
		if (o->streams < 0 || o->total < 0)
			abort(); /* a negative count */
		if (opt->has_as_of && o->day > opt->as_of)
			abort(); /* after --as-of, yet used */
		nobs[o->file]++;
	}
	for (size_t i = 0; i < ds->nfiles; i++) {
		const struct ss_file *f = &ds->files[i];

		if (f->is_catalog)
			continue;
		if (f->rows != f->used + f->skipped + f->after_as_of)
			abort(); /* a row lost unseen */
		if (opt->wide ? nobs[i] < f->used || (f->used == 0 && nobs[i]) : nobs[i] != f->used)
			abort(); /* a used row without its observations, or one of no row */
	}
	free(nobs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ss_dataset ds;
	struct ss_series_stats st;
	struct ss_error err;
	struct ss_ingest_options opt = {0};
	char path[64], hpath[64], strings[6][64];
	int fd, hfd = -1;

	if (size < 1)
		return 0;
	uint8_t shape = data[0];
	data++, size--;
	if (shape & 8)
		take_options(&data, &size, &opt, strings);
	if (shape & 2) {
		opt.has_as_of = 1;
		opt.as_of = ss_date_from_ymd(2023, 11, 18);
	}
	ss_dataset_init(&ds, 1000);
	fd = memfile(data, size, path, sizeof path);
	if (shape & 1) {
		const uint8_t *nul = (shape & 16) ? memchr(data, 0, size) : NULL;

		if (nul) { /* the catalog, then the history */
			size_t n = (size_t)(nul - data);

			close(fd);
			fd = memfile(data, n, path, sizeof path);
			hfd = memfile(nul + 1, size - n - 1, hpath, sizeof hpath);
		} else if (opt.wide) {
			hfd = memfile(wide_history, sizeof wide_history - 1, hpath, sizeof hpath);
		} else {
			hfd = memfile(history, sizeof history - 1, hpath, sizeof hpath);
		}
		ss_ingest_catalog(&ds, path, &err);
		ss_ingest_file(&ds, hpath, &opt, &err);
	} else {
		ss_ingest_file(&ds, path, &opt, &err);
	}
	ss_ingest_finish(&ds);
	check_dataset(&ds, &opt);
	if (ss_series_build(&ds, &st, &err) == SS_OK && (shape & 4)) {
		/* and the stages after, on what came through */
		struct ss_pipeline_options po = ss_pipeline_defaults();
		struct ss_pipeline p;
		po.fit.jobs = 1;
		po.fit.models = 0; /* all */
		po.pool = 1;
		po.backtest = 0;
		po.ms.draws = 100;
		ss_pipeline_run(&ds, &po, &p);
		ss_pipeline_release(&p);
	}
	ss_dataset_release(&ds);
	close(fd);
	if (hfd >= 0)
		close(hfd);
	return 0;
}
