/*
 * fuzz_report.c - libFuzzer target: any bytes as a history, through every
 * stage into the workbook and the JSON summary.
 *
 * The first byte picks the shape: bit 0 reads a small fixed catalog first
 * (release dates, a track that does not count), bit 1 runs the backtest,
 * bit 2 fits the curves and pools thin tracks (--curves); the rest of the
 * input is the history.  The analysis is the commands' own
 * (ss_pipeline_run(), GSL's abort handler off), on one thread with 50
 * joint draws.  The writers must not crash, leak
 * or trip a sanitizer on any names, counts or fits that come through, and
 * the JSON summary they write must parse back (jansson) with no NaN or
 * Inf: a NaN written as a number is not JSON.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "streamstat/ingest.h"
#include "streamstat/pipeline.h"
#include "streamstat/report.h"
#include "streamstat/series.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char catalog[] = "album,album_release_date,track,counts,note\n"
			      "L,2023-09-08,B,yes,\n"
			      "L,2023-09-08,Skit,no,skit\n"
			      "F,2023-03-24,Like Crazy,yes,\n";

static void write_report(const struct ss_dataset *ds, const struct ss_series_stats *st,
			 const struct ss_fits *fits, const struct ss_milestones *ms,
			 const struct ss_backtest *bt)
{
	struct ss_report r = {.ds = ds,
			      .st = st,
			      .fits = fits,
			      .ms = ms,
			      .bt = bt,
			      .as_of = ms->as_of,
			      .version = "fuzz",
			      .options = "report"};
	struct ss_error err;
	uint32_t *albums = NULL;
	char xpath[64], jpath[64];

	if (ss_report_albums(ds, NULL, 0, &albums, &r.nalbums, &err) != SS_OK)
		abort(); /* no --albums: it cannot fail */
	r.albums = albums;
	ss_report_headlines(&r);
	int xfd = memfile(NULL, 0, xpath, sizeof xpath);
	int jfd = memfile(NULL, 0, jpath, sizeof jpath);
	if (ss_report_write_xlsx(&r, xpath, NULL, &err) != SS_OK ||
	    ss_report_write_json(&r, jpath, &err) != SS_OK)
		abort(); /* writing to memory cannot fail */
	json_error_t je;
	json_t *root = json_load_file(jpath, 0, &je); /* rejects NaN and Inf */
	if (!root || !json_is_object(root) || !json_object_get(root, "tracks"))
		abort();
	json_decref(root);
	close(xfd);
	close(jfd);
	free(albums);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ss_dataset ds;
	struct ss_series_stats st;
	struct ss_error err;
	struct ss_ingest_options opt = {0};
	char path[64], cpath[64];
	int fd, cfd = -1;

	if (size < 1)
		return 0;
	uint8_t shape = data[0];
	data++, size--;
	ss_dataset_init(&ds, 1000);
	if (shape & 1) {
		cfd = memfile(catalog, sizeof catalog - 1, cpath, sizeof cpath);
		ss_ingest_catalog(&ds, cpath, &err);
	}
	fd = memfile(data, size, path, sizeof path);
	ss_ingest_file(&ds, path, &opt, &err);
	ss_ingest_finish(&ds);
	if (ss_series_build(&ds, &st, &err) == SS_OK && ds.nobs > 0) {
		struct ss_pipeline_options po = ss_pipeline_defaults();
		struct ss_pipeline p;
		po.fit.jobs = 1;
		po.ms.draws = 50;
		po.backtest = (shape & 2) != 0;
		if (shape & 4) {
			po.fit.models = 0; /* all */
			po.pool = 1;
		}
		ss_pipeline_run(&ds, &po, &p);
		write_report(&ds, &st, &p.fits, &p.ms, p.has_bt ? &p.bt : NULL);
		ss_pipeline_release(&p);
	}
	ss_dataset_release(&ds);
	close(fd);
	if (cfd >= 0)
		close(cfd);
	return 0;
}
