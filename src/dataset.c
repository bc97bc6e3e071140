/*
 * dataset.c - the container ingest fills: files, names, observations.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "streamstat/dataset.h"
#include "streamstat/xalloc.h"

const char *ss_date_source_name(enum ss_date_source src)
{
	switch (src) {
	case SS_SRC_CATALOG:
		return "catalog";
	case SS_SRC_COLUMN:
		return "data column";
	case SS_SRC_ALBUM:
		return "album release";
	case SS_SRC_INFERRED:
		return "inferred";
	case SS_SRC_NONE:
		break;
	}
	return "unknown";
}

void ss_dataset_init(struct ss_dataset *ds, size_t problem_limit)
{
	memset(ds, 0, sizeof(*ds));
	ss_intern_init(&ds->album_names);
	ss_intern_init(&ds->track_names);
	ss_intern_init(&ds->artist_names);
	ss_problems_init(&ds->problems, problem_limit);
}

void ss_dataset_release(struct ss_dataset *ds)
{
	for (size_t i = 0; i < ds->nfiles; i++)
		free(ds->files[i].path);
	free(ds->files);
	ss_intern_release(&ds->album_names);
	ss_intern_release(&ds->track_names);
	ss_intern_release(&ds->artist_names);
	free(ds->albums);
	free(ds->tracks);
	free(ds->obs);
	ss_problems_release(&ds->problems);
	ss_dataset_init(ds, ds->problems.limit);
}

uint32_t ss_dataset_add_file(struct ss_dataset *ds, const char *path, int is_catalog)
{
	struct ss_file *f;

	if (ds->nfiles >= SS_FILES_MAX)
		return SS_NONE;
	xgrow(&ds->files, &ds->filecap, ds->nfiles + 1, sizeof(*ds->files));
	f = &ds->files[ds->nfiles];
	memset(f, 0, sizeof(*f));
	f->path = xstrdup(path);
	f->is_catalog = is_catalog;
	return (uint32_t)ds->nfiles++;
}

uint32_t ss_dataset_album(struct ss_dataset *ds, const char *name, size_t len, int *added)
{
	int is_new;
	uint32_t id = ss_intern_add(&ds->album_names, SS_NONE, name, len, &is_new);

	if (id != SS_NONE && is_new) {
		struct ss_album *a;

		xgrow(&ds->albums, &ds->albumcap, id + 1, sizeof(*ds->albums));
		a = &ds->albums[id];
		memset(a, 0, sizeof(*a));
		a->artist = SS_NONE;
		a->src_file = SS_NONE;
	}
	if (added)
		*added = is_new;
	return id;
}

uint32_t ss_dataset_track(struct ss_dataset *ds, uint32_t album, const char *name, size_t len,
			  int *added)
{
	int is_new;
	uint32_t id = ss_intern_add(&ds->track_names, album, name, len, &is_new);

	if (id != SS_NONE && is_new) {
		struct ss_track *t;

		xgrow(&ds->tracks, &ds->trackcap, id + 1, sizeof(*ds->tracks));
		t = &ds->tracks[id];
		memset(t, 0, sizeof(*t));
		t->album = album;
		t->counts = 1;
		t->src_file = SS_NONE;
		ds->albums[album].ntracks++;
	}
	if (added)
		*added = is_new;
	return id;
}

struct ss_obs *ss_dataset_append(struct ss_dataset *ds)
{
	if (ds->nobs == ds->obscap)
		xgrow(&ds->obs, &ds->obscap, ds->nobs + 1, sizeof(*ds->obs));
	return &ds->obs[ds->nobs++];
}

const char *ss_album_artist(const struct ss_dataset *ds, uint32_t album)
{
	uint32_t a = ds->albums[album].artist;

	return a == SS_NONE ? "" : ss_intern_name(&ds->artist_names, a);
}

size_t ss_dataset_name_bytes(const struct ss_dataset *ds)
{
	return ds->album_names.bytes + ds->track_names.bytes + ds->artist_names.bytes;
}

const char *ss_describe_album(const struct ss_dataset *ds, uint32_t album, char *buf, size_t n)
{
	char q[SS_QUOTE_MAX];
	const char *name = ss_album_name(ds, album);

	snprintf(buf, n, "album %s", ss_quote_name(q, sizeof(q), name, strlen(name)));
	return buf;
}

const char *ss_describe_track(const struct ss_dataset *ds, uint32_t track, char *buf, size_t n)
{
	char q[SS_QUOTE_MAX], a[SS_QUOTE_MAX];
	const char *name = ss_track_name(ds, track);
	const char *album = ss_album_name(ds, ds->tracks[track].album);

	snprintf(buf, n, "track %s of album %s", ss_quote_name(q, sizeof(q), name, strlen(name)),
		 ss_quote_name(a, sizeof(a), album, strlen(album)));
	return buf;
}

int ss_release_known(const struct ss_dataset *ds, uint32_t track)
{
	const struct ss_track *tr = &ds->tracks[track];

	if (tr->release_src == SS_SRC_INFERRED || tr->release_src == SS_SRC_NONE)
		return 0;
	return !(tr->release_src == SS_SRC_ALBUM &&
		 ds->albums[tr->album].release_src == SS_SRC_INFERRED);
}
