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
	ss_intern_init(&ds->album_titles);
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
	ss_intern_release(&ds->album_titles);
	free(ds->title_head);
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

uint32_t ss_dataset_artist(struct ss_dataset *ds, const char *name, size_t len)
{
	return ss_intern_add(&ds->artist_names, SS_NONE, name, len, NULL);
}

uint32_t ss_dataset_albums_titled(const struct ss_dataset *ds, const char *s, size_t len)
{
	uint32_t t = ss_intern_find(&ds->album_titles, SS_NONE, s, len);

	return t == SS_NONE ? SS_NONE : ds->title_head[t];
}

static uint32_t new_album(struct ss_dataset *ds, uint32_t artist, const char *title, size_t len)
{
	int is_new;
	uint32_t id = ss_intern_add(&ds->album_names, artist, title, len, &is_new);
	uint32_t t, *link;
	struct ss_album *a;

	if (id == SS_NONE)
		return SS_NONE;
	t = ss_intern_add(&ds->album_titles, SS_NONE, title, len, &is_new);
	if (t == SS_NONE)
		return SS_NONE;
	if (is_new) {
		xgrow(&ds->title_head, &ds->title_headcap, t + 1, sizeof(*ds->title_head));
		ds->title_head[t] = SS_NONE;
	}
	xgrow(&ds->albums, &ds->albumcap, id + 1, sizeof(*ds->albums));
	a = &ds->albums[id];
	memset(a, 0, sizeof(*a));
	a->artist = artist;
	a->src_file = SS_NONE;
	a->next_title = SS_NONE;
	a->unnamed_file = SS_NONE;
	for (link = &ds->title_head[t]; *link != SS_NONE; link = &ds->albums[*link].next_title)
		;
	*link = id; /* albums of a title stay in the order they were met */
	return id;
}

enum ss_album_lookup ss_dataset_album(struct ss_dataset *ds, uint32_t artist, const char *title,
				      size_t len, uint32_t *id)
{
	uint32_t first = ss_dataset_albums_titled(ds, title, len), unnamed = SS_NONE;
	size_t n = 0, nunnamed = 0;

	for (uint32_t a = first; a != SS_NONE; a = ds->albums[a].next_title) {
		if (artist != SS_NONE && ds->albums[a].artist == artist) {
			*id = a;
			return SS_ALBUM_FOUND;
		}
		if (ds->albums[a].artist == SS_NONE) {
			unnamed = a;
			nunnamed++;
		}
		n++;
	}
	if (artist == SS_NONE && n > 0) {
		*id = first;
		return n == 1 ? SS_ALBUM_FOUND : SS_ALBUM_AMBIGUOUS;
	}
	if (artist != SS_NONE && nunnamed == 1) {
		/* the title was met without an artist: this is its artist */
		ds->albums[unnamed].artist = artist;
		ds->albums[unnamed].adopted = 1;
		*id = unnamed;
		return SS_ALBUM_FOUND;
	}
	*id = new_album(ds, artist, title, len);
	return *id == SS_NONE ? SS_ALBUM_LIMIT : SS_ALBUM_ADDED;
}

int ss_album_title_shared(const struct ss_dataset *ds, uint32_t album)
{
	const char *title = ss_album_name(ds, album);
	uint32_t first = ss_dataset_albums_titled(ds, title, strlen(title));

	return first != album || ds->albums[album].next_title != SS_NONE;
}

/* 2: spec is the album's ARTIST/TITLE, 1: its title, 0: neither. */
static int spec_match(const struct ss_dataset *ds, uint32_t album, const char *spec, size_t len)
{
	const char *title = ss_album_name(ds, album), *artist = ss_album_artist(ds, album);
	size_t tl = strlen(title), al = strlen(artist);

	if (al && al + 1 + tl == len && memcmp(spec, artist, al) == 0 && spec[al] == '/' &&
	    memcmp(spec + al + 1, title, tl) == 0)
		return 2;
	return tl == len && memcmp(title, spec, len) == 0;
}

int ss_album_spec_is(const struct ss_dataset *ds, uint32_t album, const char *spec, size_t len)
{
	return spec_match(ds, album, spec, len) != 0;
}

size_t ss_dataset_find_album(const struct ss_dataset *ds, const char *spec, size_t len,
			     uint32_t *id)
{
	size_t n[3] = {0, 0, 0}, na = ss_dataset_nalbums(ds);
	uint32_t first[3] = {SS_NONE, SS_NONE, SS_NONE};

	for (size_t a = 0; a < na; a++) {
		int m = spec_match(ds, (uint32_t)a, spec, len);
		if (m && n[m]++ == 0)
			first[m] = (uint32_t)a;
	}
	/* "X/Y" names X's album "Y" before an album titled "X/Y" */
	int best = n[2] ? 2 : 1;
	*id = first[best];
	return n[best];
}

const char *ss_album_label(const struct ss_dataset *ds, uint32_t album, char *buf, size_t n)
{
	const char *artist = ss_album_artist(ds, album);

	if (*artist && ss_album_title_shared(ds, album))
		snprintf(buf, n, "%s (%s)", ss_album_name(ds, album), artist);
	else
		snprintf(buf, n, "%s", ss_album_name(ds, album));
	return buf;
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

uint32_t ss_dataset_restore_album(struct ss_dataset *ds, uint32_t created_by, const char *title,
				  size_t len)
{
	return new_album(ds, created_by, title, len);
}

struct ss_obs *ss_dataset_append(struct ss_dataset *ds)
{
	if (ds->obs_sink && ds->nobs == SS_OBS_SINK_CHUNK) {
		ds->obs_sink(ds->obs_sink_arg, ds->obs, ds->nobs);
		ds->nobs = 0;
	}
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
	return ds->album_names.bytes + ds->track_names.bytes + ds->artist_names.bytes +
	       ds->album_titles.bytes;
}

const char *ss_describe_album(const struct ss_dataset *ds, uint32_t album, char *buf, size_t n)
{
	char q[SS_QUOTE_MAX], w[SS_QUOTE_MAX];
	const char *name = ss_album_name(ds, album), *artist = ss_album_artist(ds, album);

	if (*artist && ss_album_title_shared(ds, album))
		snprintf(buf, n, "album %s by %s", ss_quote_name(q, sizeof(q), name, strlen(name)),
			 ss_quote_name(w, sizeof(w), artist, strlen(artist)));
	else
		snprintf(buf, n, "album %s", ss_quote_name(q, sizeof(q), name, strlen(name)));
	return buf;
}

const char *ss_describe_track(const struct ss_dataset *ds, uint32_t track, char *buf, size_t n)
{
	char q[SS_QUOTE_MAX], a[SS_DESCRIBE_MAX];
	const char *name = ss_track_name(ds, track);

	snprintf(buf, n, "track %s of %s", ss_quote_name(q, sizeof(q), name, strlen(name)),
		 ss_describe_album(ds, ds->tracks[track].album, a, sizeof(a)));
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

void ss_dataset_album_tracks(const struct ss_dataset *ds, uint32_t **first, uint32_t **tracks)
{
	size_t na = ss_dataset_nalbums(ds), nt = ss_dataset_ntracks(ds);
	uint32_t *f = xcalloc(na + 2, sizeof *f), *tr = xcalloc(nt ? nt : 1, sizeof *tr);

	/* a counting sort: f[a + 2] counts album a's tracks, then f[a + 1]
	 * runs over album a as they are placed, ending at its end */
	for (size_t t = 0; t < nt; t++)
		f[ds->tracks[t].album + 2]++;
	for (size_t a = 2; a < na + 2; a++)
		f[a] += f[a - 1];
	for (size_t t = 0; t < nt; t++)
		tr[f[ds->tracks[t].album + 1]++] = (uint32_t)t;
	*first = f;
	*tracks = tr;
}
