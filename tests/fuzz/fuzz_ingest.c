/*
 * fuzz_ingest.c - libFuzzer target: any bytes through ingest and series.
 *
 * The first byte picks the shape: bit 0 reads the rest as a catalog first
 * (then a small fixed history), bit 1 passes --as-of, bit 2 runs the
 * analysis after (ss_pipeline_run(): every model, the pool, no backtest, one
 * thread, 100 joint draws); the rest of the input is the file.  Every stage must return (no crash,
 * no sanitizer report, no leak), and the counts must add up: rows = used + skipped + after as-of.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "streamstat/date.h"
#include "streamstat/ingest.h"
#include "streamstat/pipeline.h"
#include "streamstat/series.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char history[] = "date,album,track,total\n2023-09-08,L,B,10\n2023-09-09,L,B,25\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ss_dataset ds;
	struct ss_series_stats st;
	struct ss_error err;
	struct ss_ingest_options opt = {0};
	char path[64], hpath[64];
	int fd, hfd = -1;

	if (size < 1)
		return 0;
	uint8_t shape = data[0];
	data++, size--;
	if (shape & 2) {
		opt.has_as_of = 1;
		opt.as_of = ss_date_from_ymd(2023, 11, 18);
	}
	ss_dataset_init(&ds, 1000);
	fd = memfile(data, size, path, sizeof path);
	if (shape & 1) {
		ss_ingest_catalog(&ds, path, &err);
		hfd = memfile(history, sizeof history - 1, hpath, sizeof hpath);
		ss_ingest_file(&ds, hpath, &opt, &err);
	} else {
		ss_ingest_file(&ds, path, &opt, &err);
	}
	ss_ingest_finish(&ds);
	for (size_t i = 0; i < ds.nfiles; i++) {
		const struct ss_file *f = &ds.files[i];
		if (!f->is_catalog && f->rows != f->used + f->skipped + f->after_as_of)
			abort(); /* a row lost unseen */
	}
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
