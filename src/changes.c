/*
 * changes.c - compare this run with the previous report's JSON summary
 * (see changes.h).
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "streamstat/changes.h"
#include "streamstat/date.h"
#include "streamstat/number.h"
#include "streamstat/report.h"
#include "streamstat/xalloc.h"

#define PREFIX "streamstat-"
#define SUFFIX ".json"

const char *ss_change_kind_name(enum ss_change_kind k)
{
	static const char *const names[] = {"reached", "record", "rank", "moved", "model"};

	return (unsigned)k < SS_CH_KIND_COUNT ? names[k] : "?";
}

static void add(struct ss_changes *c, enum ss_change_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add(struct ss_changes *c, enum ss_change_kind kind, const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	xgrow(&c->list, &c->cap, c->n + 1, sizeof *c->list);
	c->list[c->n].kind = (uint8_t)kind;
	c->list[c->n++].text = xstrdup(buf);
}

void ss_changes_release(struct ss_changes *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->list[i].text);
	free(c->list);
	memset(c, 0, sizeof *c);
	c->since = SS_DAY_NONE;
}

/* The date in "streamstat-YYYY-MM-DD.json", or SS_DAY_NONE. */
static int32_t date_of_name(const char *name)
{
	size_t n = strlen(name), p = strlen(PREFIX), s = strlen(SUFFIX);
	int32_t day;

	if (n != p + SS_DATE_LEN + s || strncmp(name, PREFIX, p) != 0 ||
	    strcmp(name + n - s, SUFFIX) != 0)
		return SS_DAY_NONE;
	return ss_date_parse(name + p, SS_DATE_LEN, &day) == SS_DATE_OK ? day : SS_DAY_NONE;
}

char *ss_changes_baseline(const char *dir, int32_t as_of)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int32_t best = SS_DAY_NONE;
	char *path = NULL;

	if (!d)
		return NULL;
	while ((e = readdir(d)) != NULL) {
		int32_t day = date_of_name(e->d_name);
		if (day != SS_DAY_NONE && day < as_of && (best == SS_DAY_NONE || day > best))
			best = day;
	}
	closedir(d);
	if (best != SS_DAY_NONE) {
		char date[SS_DATE_LEN + 1];
		size_t n = strlen(dir) + sizeof "/" PREFIX SUFFIX + SS_DATE_LEN;
		ss_date_format(best, date);
		path = xmalloc(n);
		snprintf(path, n, "%s/%s%s%s", dir, PREFIX, date, SUFFIX);
	}
	return path;
}

static int32_t json_date(const json_t *v)
{
	int32_t day;
	const char *s = json_string_value(v);

	if (!s || ss_date_parse(s, strlen(s), &day) != SS_DATE_OK)
		return SS_DAY_NONE;
	return day;
}

int32_t ss_changes_as_of(const char *path)
{
	json_t *root = json_load_file(path, 0, NULL);
	int32_t day = root ? json_date(json_object_get(root, "as_of")) : SS_DAY_NONE;

	json_decref(root);
	return day;
}

/* The entry of milestone M in an array of crossings, or NULL. */
static const json_t *crossing_of(const json_t *list, int64_t M)
{
	size_t i;
	const json_t *e;

	json_array_foreach(list, i, e)
	{
		if (json_integer_value(json_object_get(e, "milestone")) == M)
			return e;
	}
	return NULL;
}

/* The entry of list for (album, artist, track) (track NULL: an album).  An
 * entry without an "artist" key (an older report) matches any artist. */
static const json_t *find_named(const json_t *list, const char *album, const char *artist,
				const char *track)
{
	size_t i;
	const json_t *e;

	json_array_foreach(list, i, e)
	{
		const char *a = json_string_value(json_object_get(e, "album"));
		const char *t = track ? json_string_value(json_object_get(e, "track")) : NULL;
		const json_t *w = json_object_get(e, "artist");
		const char *ws = json_is_string(w) ? json_string_value(w) : "";
		if (a && strcmp(a, album) == 0 && (!track || (t && strcmp(t, track) == 0)) &&
		    (!w || strcmp(ws, artist) == 0))
			return e;
	}
	return NULL;
}

static int is_status(const json_t *e, const char *status)
{
	const char *s = e ? json_string_value(json_object_get(e, "status")) : NULL;

	return s && strcmp(s, status) == 0;
}

static void date_text(int32_t day, char *buf)
{
	ss_date_format(day, buf);
}

/* A projected day that moved by more than moved days since prev. */
static int moved(const struct ss_crossing *x, const json_t *prev, int moved_days, int32_t *was)
{
	if (x->status != SS_MS_PROJECTED || !is_status(prev, "projected"))
		return 0;
	*was = json_date(json_object_get(prev, "date"));
	return *was != SS_DAY_NONE && abs(x->day - *was) > moved_days;
}

static size_t ranked_albums(const struct ss_report *r, size_t k)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nalbums; i++)
		n += r->ms->albums[r->albums[i]].all[k].rank != 0;
	return n;
}

static void album_changes(const struct ss_report *r, const json_t *prev_albums, uint32_t a,
			  int moved_days, struct ss_changes *c)
{
	const struct ss_dataset *ds = r->ds;
	const struct ss_album_ms *am = &r->ms->albums[a];
	char name[2 * SS_QUOTE_MAX];
	const json_t *pa =
		find_named(prev_albums, ss_album_name(ds, a), ss_album_artist(ds, a), NULL);
	char m[32], d1[SS_DATE_LEN + 1], d2[SS_DATE_LEN + 1];

	ss_album_label(ds, a, name, sizeof name);

	for (size_t k = 0; k < r->ms->opt.nmilestones; k++) {
		const struct ss_album_crossing *ax = &am->all[k];
		const json_t *p =
			pa ? crossing_of(json_object_get(pa, "all_tracks"), r->ms->opt.milestone[k])
			   : NULL;
		int32_t was;
		size_t ranked = ranked_albums(r, k);
		json_int_t prank = p ? json_integer_value(json_object_get(p, "rank")) : 0;

		ss_milestone_format(r->ms->opt.milestone[k], m);
		/* a claim counting days from an inferred release date says so */
		const char *inferred =
			ax->rank_inferred ? ", counting days from inferred release dates" : "";
		char days[48];
		ss_ms_day_text(&r->ms->opt, &ax->x, ds->albums[a].release, days, sizeof days);
		if (ax->x.status == SS_MS_REACHED && !is_status(p, "reached")) {
			char fastest[96] = "";
			date_text(ax->x.day, d1);
			if (ax->rank == 1 && ranked > 1)
				snprintf(fastest, sizeof fastest, ", fastest of %zu%s", ranked,
					 inferred);
			add(c, SS_CH_REACHED,
			    "%s passed %s %s %s - every %s track is now past %s, day %s%s%s",
			    ax->bottleneck != SS_NONE ? ss_track_name(ds, ax->bottleneck) : "?", m,
			    ax->x.how == SS_HOW_BY ? "by" : "on", d1, name, m, days,
			    ds->albums[a].release_src == SS_SRC_INFERRED
				    ? " from an inferred release date"
				    : "",
			    fastest);
		}
		if (ax->rank == 1 && ranked > 1 && p && prank != 1) {
			add(c, SS_CH_RECORD,
			    "%s now holds the record for every track past %s (day %s%s)", name, m,
			    days, inferred);
		} else if (ax->rank && prank && (json_int_t)ax->rank != prank) {
			add(c, SS_CH_RANK, "%s: rank %u for every track past %s, was %d", name,
			    ax->rank, m, (int)prank);
		}
		if (moved(&ax->x, p, moved_days, &was)) {
			date_text(ax->x.day, d1);
			date_text(was, d2);
			add(c, SS_CH_MOVED,
			    "every %s track past %s: projected %s, was %s (%+d days)", name, m, d1,
			    d2, (int)(ax->x.day - was));
		}
	}
}

static void track_changes(const struct ss_report *r, const json_t *prev_tracks, uint32_t t,
			  int moved_days, struct ss_changes *c)
{
	const struct ss_dataset *ds = r->ds;
	const struct ss_track_ms *tm = &r->ms->tracks[t];
	uint32_t a = ds->tracks[t].album;
	const char *name = ss_track_name(ds, t);
	const json_t *pt =
		find_named(prev_tracks, ss_album_name(ds, a), ss_album_artist(ds, a), name);
	char album[2 * SS_QUOTE_MAX];
	char m[32], d1[SS_DATE_LEN + 1], d2[SS_DATE_LEN + 1];

	ss_album_label(ds, a, album, sizeof album);

	for (size_t k = 0; k < r->ms->opt.nmilestones; k++) {
		const struct ss_crossing *x = &tm->c[k];
		const json_t *p =
			pt ? crossing_of(json_object_get(pt, "milestones"), r->ms->opt.milestone[k])
			   : NULL;
		const struct ss_album_crossing *ax = &r->ms->albums[a].all[k];
		int32_t was;

		ss_milestone_format(r->ms->opt.milestone[k], m);
		/* the track that completes its album's milestone is in the album's line */
		int in_album_line = ax->x.status == SS_MS_REACHED && ax->bottleneck == t && pt;
		if (x->status == SS_MS_REACHED && !is_status(p, "reached") && !in_album_line) {
			date_text(x->day, d1);
			add(c, SS_CH_REACHED, "%s (%s) passed %s on %s", name, album, m, d1);
		}
		if (moved(x, p, moved_days, &was)) {
			date_text(x->day, d1);
			date_text(was, d2);
			add(c, SS_CH_MOVED, "%s (%s) past %s: projected %s, was %s (%+d days)",
			    name, album, m, d1, d2, (int)(x->day - was));
		}
	}
	const char *pm = pt ? json_string_value(json_object_get(pt, "model")) : NULL;
	const char *cm = tm->model >= 0 ? ss_models[tm->model].name : NULL;
	if (pt && !(pm == cm || (pm && cm && strcmp(pm, cm) == 0)))
		add(c, SS_CH_MODEL, "%s (%s): model %s, was %s", name, album, cm ? cm : "none",
		    pm ? pm : "none");
}

enum ss_status ss_changes_find(const char *prev, const struct ss_report *r, int moved_days,
			       struct ss_changes *out, struct ss_error *err)
{
	json_error_t je;
	json_t *root;
	uint32_t *order;

	memset(out, 0, sizeof *out);
	out->since = SS_DAY_NONE;
	if (!prev)
		return SS_OK;
	root = json_load_file(prev, 0, &je);
	if (!root || !json_is_object(root))
		return ss_error_set(err, SS_ERR_DATA, prev, 0,
				    "cannot read the previous summary %s: %s", prev,
				    root ? "not a JSON object" : je.text);
	out->since = json_date(json_object_get(root, "as_of"));
	const json_t *albums = json_object_get(root, "albums"),
		     *tracks = json_object_get(root, "tracks");
	for (size_t i = 0; i < r->nalbums; i++)
		album_changes(r, albums, r->albums[i], moved_days, out);
	size_t n = ss_report_tracks(r, &order);
	for (size_t i = 0; i < n; i++)
		track_changes(r, tracks, order[i], moved_days, out);
	free(order);
	json_decref(root);
	return SS_OK;
}
