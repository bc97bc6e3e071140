/*
 * report_json.c - the JSON summary (README: "JSON summary"): the same facts
 * as the workbook, for other tools and for the next nightly run, which
 * compares with it.
 *
 * Built as a jansson tree and dumped with fixed key order, two-space
 * indentation and 15 significant digits for reals, so the same input gives
 * the same bytes (run_seconds aside).  Unknown values are null: no NaN or
 * Inf, and no "never" in place of a date.  Counts are JSON integers.
 * Names that are not valid UTF-8 are written with U+FFFD for each bad byte.
 *
 * This does not write atomically: the caller writes to a temporary path and
 * renames.  Nothing here prints.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "streamstat/date.h"
#include "streamstat/report.h"
#include "streamstat/utf8.h"
#include "streamstat/xalloc.h"

#define DUMP_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))
/* a track: one line, no spaces (most of the summary's bytes) */
#define LINE_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))

/* The tree being built; failed is set when jansson could not allocate. */
struct out {
	const struct ss_report *r;
	const struct ss_dataset *ds;
	const struct ss_ms_options *opt;
	uint32_t *order; /* while writing "tracks": ss_report_tracks() */
	int failed;
	struct ss_track_fit tf; /* a track's fit, when the fits are packed */
};

static void set(struct out *o, json_t *obj, const char *key, json_t *v)
{
	/* jansson takes v (and frees it) even when obj is NULL or this fails */
	if (json_object_set_new(obj, key, v) != 0)
		o->failed = 1;
}

static void push(struct out *o, json_t *arr, json_t *v)
{
	if (json_array_append_new(arr, v) != 0)
		o->failed = 1;
}

/* A JSON string of s: each byte that is not valid UTF-8 becomes U+FFFD. */
static json_t *text(const char *s)
{
	json_t *j = json_string(s);
	const char *p = s;
	char *buf, *q;
	uint32_t cp;

	if (j)
		return j;
	buf = q = xmalloc(3 * strlen(s) + 1);
	while (*p) {
		size_t n = ss_utf8_char(p, &cp); /* as jansson checks it */
		if (n) {
			memcpy(q, p, n);
			q += n;
			p += n;
		} else {
			memcpy(q, "\xEF\xBF\xBD", 3);
			q += 3;
			p++;
		}
	}
	*q = '\0';
	j = json_string(buf);
	free(buf);
	return j;
}

static json_t *text_or_null(const char *s)
{
	return s && *s ? text(s) : json_null();
}

static json_t *real_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *count(uint64_t v)
{
	return json_integer(v > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)v);
}

/* A count held as a double (totals, sums of totals); null when not finite. */
/* A count held as a double: an integer while it fits one, else a number
 * (sums of counts near INT64_MAX exceed it; they are not wrapped). */
static json_t *count_of(double v)
{
	if (!isfinite(v))
		return json_null();
	if (fabs(v) >= 9.2e18)
		return json_real(v);
	return json_integer((json_int_t)llround(v));
}

static int is_day(int32_t day)
{
	return day != SS_DAY_NONE && day != SS_DAY_NEVER;
}

static json_t *date(int32_t day)
{
	char buf[SS_DATE_LEN + 1];

	if (!is_day(day))
		return json_null();
	ss_date_format(day, buf);
	return json_string(buf);
}

/* Day number of day counted from release (known when release_src is set). */
static json_t *day_number(const struct out *o, int32_t day, int32_t release, int release_src)
{
	if (!is_day(day) || release_src == SS_SRC_NONE)
		return json_null();
	return json_integer(ss_ms_day_number(o->opt, day, release));
}

static json_t *source(int src)
{
	return src == SS_SRC_NONE ? json_null()
				  : json_string(ss_date_source_name((enum ss_date_source)src));
}

static json_t *model_name(int model)
{
	return model >= 0 && (size_t)model < ss_nmodels ? json_string(ss_models[model].name)
							: json_null();
}

/* milestone, status, how, date, day: the start of every crossing entry. */
static json_t *crossing_begin(struct out *o, const struct ss_crossing *c, size_t k, int32_t release,
			      int release_src)
{
	json_t *j = json_object();

	set(o, j, "milestone", json_integer(o->opt->milestone[k]));
	set(o, j, "status", json_string(ss_ms_status_name((enum ss_ms_status)c->status)));
	set(o, j, "how",
	    c->status == SS_MS_REACHED ? json_string(ss_ms_how_name((enum ss_ms_how)c->how))
				       : json_null());
	set(o, j, "date", date(c->day));
	set(o, j, "day",
	    c->status == SS_MS_AFTER ? json_null() : day_number(o, c->day, release, release_src));
	return j;
}

/* low, high, high_open, range_low, range_high, day_low, day_high, model. */
/*
 * low/high: a projection's prediction interval (null when reached); an
 * observed crossing's range (the days it lies between) goes to
 * range_low/range_high instead, and its day numbers to day_low/day_high
 * (day_low null when nothing says it was below before).
 */
static void crossing_range(struct out *o, json_t *j, const struct ss_crossing *c, int32_t release,
			   int release_src)
{
	int reached = c->status == SS_MS_REACHED;

	set(o, j, "low", reached ? json_null() : date(c->lo));
	set(o, j, "high", reached ? json_null() : date(c->hi));
	set(o, j, "high_open", json_boolean(!reached && c->hi == SS_DAY_NEVER));
	set(o, j, "range_low", reached ? date(c->lo) : json_null());
	set(o, j, "range_high", reached ? date(c->hi) : json_null());
	set(o, j, "day_low", reached ? day_number(o, c->lo, release, release_src) : json_null());
	set(o, j, "day_high", reached ? day_number(o, c->hi, release, release_src) : json_null());
	set(o, j, "model", model_name(c->model));
}

/* reason, flags: the end of every crossing entry.  reason may be NULL. */
static void crossing_end(struct out *o, json_t *j, const struct ss_crossing *c, json_t *reason)
{
	json_t *flags = json_array();

	if (!reason)
		reason = c->why != SS_WHY_NONE ? text(ss_ms_why_text((enum ss_ms_why)c->why))
					       : json_null();
	set(o, j, "reason", reason);
	for (size_t i = 0; i < ss_ms_nflags; i++)
		if (c->flags & ss_ms_flags[i].flag)
			push(o, flags, json_string(ss_ms_flags[i].name));
	set(o, j, "flags", flags);
}

static json_t *album_crossing(struct out *o, const struct ss_album_ms *am,
			      const struct ss_album_crossing *ax, size_t k, int every_track)
{
	const struct ss_crossing *c = &ax->x;
	const struct ss_album *al = &o->ds->albums[am->album];
	json_t *j = crossing_begin(o, c, k, al->release, al->release_src);
	json_t *reason = NULL;

	crossing_range(o, j, c, al->release, al->release_src);
	if (every_track) {
		uint32_t ids[64];
		size_t n = ss_ms_album_bounded(o->r->ms, am->album, k, ids, 64);
		json_t *names = json_array();

		set(o, j, "bottleneck_track",
		    ax->bottleneck != SS_NONE ? text(ss_track_name(o->ds, ax->bottleneck))
					      : json_null());
		set(o, j, "bottleneck_share", real_or_null(ax->bottleneck_share));
		for (size_t i = 0; i < n && i < 64; i++)
			push(o, names, text(ss_track_name(o->ds, ids[i])));
		set(o, j, "bounded_tracks", names);
	}
	set(o, j, "rank", ax->rank ? json_integer(ax->rank) : json_null());
	/* the ranks a reached crossing's range allows, and why it has none */
	set(o, j, "rank_low", ax->rank_lo ? json_integer(ax->rank_lo) : json_null());
	set(o, j, "rank_high", ax->rank_hi ? json_integer(ax->rank_hi) : json_null());
	set(o, j, "unranked",
	    ax->unranked ? json_string(ss_ms_unranked_text((enum ss_ms_unranked)ax->unranked))
			 : json_null());
	set(o, j, "rank_inferred", json_boolean(ax->rank_lo && ax->rank_inferred));
	set(o, j, "vs_peer", real_or_null(ax->vs_peer));
	if (c->why != SS_WHY_NONE) {
		char buf[1024];
		uint32_t lack[64];
		size_t n = ss_ms_album_lacking(o->r->ms, am->album, k, !every_track, lack, 64);
		json_t *names = json_array();

		reason = text(ss_ms_album_reason(o->ds, o->r->ms, am->album, k, !every_track, buf,
						 sizeof buf));
		for (size_t i = 0; c->why == SS_WHY_TRACKS && i < n && i < 64; i++)
			push(o, names, text(ss_track_name(o->ds, lack[i])));
		set(o, j, "lacking_tracks", names);
	} else {
		char buf[1024];
		set(o, j, "lacking_tracks", json_array());
		if (c->flags & SS_MSF_STALE)
			reason = text(ss_ms_album_reason(o->ds, o->r->ms, am->album, k,
							 !every_track, buf, sizeof buf));
	}
	crossing_end(o, j, c, reason);
	return j;
}

static json_t *album(struct out *o, uint32_t a)
{
	const struct ss_dataset *ds = o->ds;
	const struct ss_album *al = &ds->albums[a];
	const struct ss_album_ms *am = &o->r->ms->albums[a];
	json_t *j = json_object(), *all = json_array(), *total = json_array();

	set(o, j, "album", text(ss_album_name(ds, a)));
	set(o, j, "artist", text_or_null(ss_album_artist(ds, a)));
	set(o, j, "release_date", al->release_src != SS_SRC_NONE ? date(al->release) : json_null());
	set(o, j, "release_date_source", source(al->release_src));
	set(o, j, "tracks_counted", json_integer(am->counted));
	set(o, j, "tracks_with_data", json_integer(am->with_data));
	set(o, j, "tracks_excluded", json_integer(am->excluded));
	set(o, j, "latest_total", count_of(am->latest_total));
	for (size_t k = 0; k < o->opt->nmilestones; k++) {
		push(o, all, album_crossing(o, am, &am->all[k], k, 1));
		push(o, total, album_crossing(o, am, &am->total[k], k, 0));
	}
	set(o, j, "all_tracks", all);
	set(o, j, "album_total", total);
	return j;
}

static const char *fit_status(struct out *o, uint32_t t, int model)
{
	const struct ss_fits *fits = o->r->fits;
	const struct ss_track_fit *tf = fits && t < fits->n ? ss_fits_track(fits, t, &o->tf) : NULL;

	if (model < 0 || (size_t)model >= ss_nmodels)
		return "none";
	if (ss_models[model].is_population)
		return "pace";
	if (ss_models[model].is_yardstick || (tf && tf->fallback))
		return "recent_pace";
	if (tf && tf->pooled)
		return "pooled";
	return "fitted";
}

/*
 * A track's milestone entry without the keys that say nothing: null, false
 * and [] (a reader takes a key left out as that value).  "milestone" and
 * "status" are always there.  Most entries are "never" or far projections
 * with a dozen such keys, a tenth of the summary's bytes per track.
 */
static void prune(json_t *e)
{
	const char *key;
	json_t *v, *tmp;

	json_object_foreach_safe(e, tmp, key, v)
	{
		if (json_is_null(v) || json_is_false(v) ||
		    (json_is_array(v) && json_array_size(v) == 0))
			json_object_del(e, key);
	}
}

static json_t *track(struct out *o, uint32_t t)
{
	const struct ss_dataset *ds = o->ds;
	const struct ss_track *tr = &ds->tracks[t];
	const struct ss_album *al = &ds->albums[tr->album];
	const struct ss_track_ms *tm = &o->r->ms->tracks[t];
	json_t *j = json_object(), *list = json_array();

	set(o, j, "album", text(ss_album_name(ds, tr->album)));
	set(o, j, "artist", text_or_null(ss_album_artist(ds, tr->album)));
	set(o, j, "track", text(ss_track_name(ds, t)));
	set(o, j, "counts", json_boolean(tm->counts));
	set(o, j, "release_date", tr->release_src != SS_SRC_NONE ? date(tr->release) : json_null());
	set(o, j, "release_date_source", source(tr->release_src));
	set(o, j, "observations", count(tr->n));
	set(o, j, "first_date", date(tm->first_day));
	set(o, j, "latest_date", tm->has_total ? date(tm->last_day) : json_null());
	set(o, j, "latest_total", tm->has_total ? count_of(tm->latest_total) : json_null());
	set(o, j, "latest_is_lower_bound", json_boolean(tm->has_total && tm->latest_bound));
	set(o, j, "stale", json_boolean(tm->stale));
	set(o, j, "pace", real_or_null(tm->pace));
	set(o, j, "model", model_name(tm->model));
	set(o, j, "fit_status", json_string(fit_status(o, t, tm->model)));
	for (size_t k = 0; k < o->opt->nmilestones; k++) {
		const struct ss_crossing *c = &tm->c[k];
		json_t *e = crossing_begin(o, c, k, tr->release, tr->release_src);

		set(o, e, "day_album",
		    c->status == SS_MS_AFTER ? json_null()
					     : day_number(o, c->day, al->release, al->release_src));
		crossing_range(o, e, c, tr->release, tr->release_src);
		set(o, e, "needed_pace", real_or_null(c->needed));
		set(o, e, "needed_by", isfinite(c->needed) ? date(tm->target) : json_null());
		char why[200];
		ss_ms_track_reason(o->r->ms, tm, k, why, sizeof why);
		crossing_end(o, e, c, why[0] ? text(why) : NULL);
		prune(e);
		push(o, list, e);
	}
	set(o, j, "milestones", list);
	return j;
}

/* Write s with indent after every line break (JSON strings hold none). */
static int put_indented(FILE *f, const char *s, const char *indent)
{
	size_t ilen = strlen(indent);

	for (;;) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) + 1 : strlen(s);
		if (fwrite(s, 1, len, f) != len)
			return -1;
		if (!nl)
			return 0;
		if (fwrite(indent, 1, ilen, f) != ilen)
			return -1;
		s = nl + 1;
	}
}

static json_t *backtest(struct out *o);

/* An array of n elements made by make(o, i), under key, one at a time,
 * each dumped with flags. */
static int write_array(struct out *o, FILE *f, const char *key, size_t n,
		       json_t *(*make)(struct out *o, size_t i), size_t flags)
{
	int bad = fprintf(f, n ? ",\n  \"%s\": [" : ",\n  \"%s\": []", key) < 0;

	for (size_t i = 0; i < n && !bad; i++) {
		json_t *v = make(o, i);
		char *s = v && !o->failed ? json_dumps(v, flags) : NULL;
		json_decref(v);
		bad |= !s || fputs(i ? ",\n    " : "\n    ", f) == EOF ||
		       put_indented(f, s, "    ") != 0;
		free(s);
	}
	if (n && !bad)
		bad |= fputs("\n  ]", f) == EOF;
	return bad ? -1 : 0;
}

static json_t *album_at(struct out *o, size_t i)
{
	return album(o, o->r->albums[i]);
}

static json_t *track_at(struct out *o, size_t i)
{
	return track(o, o->order[i]);
}

/*
 * The summary, then its "albums", "backtest" and "tracks" an element at a
 * time, so that the whole tree is never in memory: the bytes are those
 * json_dumpf() would write for the whole tree, but for each track on one
 * compact line.
 */
static int write_all(struct out *o, json_t *root, FILE *f)
{
	char *head = json_dumps(root, DUMP_FLAGS);
	size_t na = 0;
	int bad = 0;

	if (!head)
		return -1;
	for (size_t i = 0; i < o->r->nalbums; i++)
		na += o->r->albums[i] < o->r->ms->nalbums &&
		      o->r->albums[i] < ss_dataset_nalbums(o->ds);
	/* the summary without its closing "\n}" */
	size_t len = strlen(head);
	bad |= len < 2 || fwrite(head, 1, len - 2, f) != len - 2;
	free(head);
	bad |= bad || write_array(o, f, "albums", na, album_at, LINE_FLAGS) != 0;
	json_t *bt = backtest(o);
	char *s = bt ? json_dumps(bt, DUMP_FLAGS | JSON_ENCODE_ANY) : NULL;
	json_decref(bt);
	bad |= !s || fputs(",\n  \"backtest\": ", f) == EOF || put_indented(f, s, "  ") != 0;
	free(s);
	size_t n = ss_report_tracks(o->r, &o->order);
	bad |= bad || write_array(o, f, "tracks", n, track_at, LINE_FLAGS) != 0;
	free(o->order);
	o->order = NULL;
	bad |= fputs("\n}\n", f) == EOF;
	return bad ? -1 : 0;
}

static json_t *backtest(struct out *o)
{
	const struct ss_backtest *bt = o->r->bt;
	json_t *j, *methods;

	if (!bt)
		return json_null();
	j = json_object();
	methods = json_array();
	set(o, j, "tracks_eligible", count(bt->tracks_eligible));
	set(o, j, "tracks_used", count(bt->tracks_used));
	set(o, j, "cuts", count(bt->cases));
	set(o, j, "rule", text(bt->rule));
	set(o, j, "rule_model", model_name(bt->rule_model));
	for (size_t i = 0; i < SS_BT_METHODS; i++) {
		if (!ss_bt_scored(bt, i))
			continue;
		for (size_t h = 0; h <= SS_BT_HORIZONS; h++) {
			const struct ss_bt_score *s = &bt->score[i][h];
			json_t *m = json_object();

			set(o, m, "method", json_string(ss_bt_method_name(i)));
			set(o, m, "horizon_days",
			    h < SS_BT_HORIZONS ? json_integer(ss_bt_horizons[h]) : json_null());
			set(o, m, "cuts", json_integer(s->cases));
			set(o, m, "dated", json_integer(s->projected));
			set(o, m, "never", json_integer(s->never));
			set(o, m, "judged", json_integer(s->judged));
			set(o, m, "covered", json_integer(s->covered));
			set(o, m, "median_abs_error_days", real_or_null(s->median_abs));
			set(o, m, "bias_days", real_or_null(s->bias));
			set(o, m, "coverage", real_or_null(s->coverage));
			push(o, methods, m);
		}
	}
	set(o, j, "methods", methods);
	return j;
}

static json_t *problems(struct out *o)
{
	const struct ss_problems *p = &o->ds->problems;
	uint64_t sev[SS_SEV_FATAL + 1] = {0}, total = 0;
	json_t *j = json_object(), *by_sev = json_object(), *by_kind = json_object();

	for (int k = 0; k < SS_P_KIND_COUNT; k++) {
		enum ss_severity s = ss_problem_severity((enum ss_problem_kind)k);
		if ((unsigned)s <= SS_SEV_FATAL)
			sev[s] += p->count[k];
		total += p->count[k];
		set(o, by_kind, ss_problem_kind_name((enum ss_problem_kind)k), count(p->count[k]));
	}
	for (int s = 0; s <= SS_SEV_FATAL; s++)
		set(o, by_sev, ss_severity_name((enum ss_severity)s), count(sev[s]));
	set(o, j, "total", count(total));
	set(o, j, "messages_not_kept", count(p->not_kept));
	set(o, j, "by_severity", by_sev);
	set(o, j, "by_kind", by_kind);
	/* what a run prints (warnings and worse), for the next run to tell
	 * the new ones from those it has seen */
	json_t *warnings = json_array();
	for (size_t i = 0; i < p->n; i++) {
		const struct ss_problem *q = &p->list[i];
		if (ss_problem_severity(q->kind) < SS_SEV_WARNING)
			continue;
		json_t *w = json_object();
		set(o, w, "file", text(o->ds->files[q->file].path));
		set(o, w, "line", count(q->line));
		set(o, w, "kind", json_string(ss_problem_kind_name(q->kind)));
		set(o, w, "message", text(q->msg));
		push(o, warnings, w);
	}
	set(o, j, "warnings", warnings);
	return j;
}

static json_t *series(struct out *o)
{
	const struct ss_series_stats *st = o->r->st;
	json_t *j;

	if (!st)
		return json_null();
	j = json_object();
	set(o, j, "observations", count(st->observations));
	set(o, j, "first_date", st->observations ? date(st->first_day) : json_null());
	set(o, j, "last_date", st->observations ? date(st->last_day) : json_null());
	set(o, j, "tracks_with_data", count(st->tracks_with_data));
	set(o, j, "merged", count(st->merged));
	set(o, j, "conflicts", count(st->conflicts));
	set(o, j, "corrections", count(st->corrections));
	set(o, j, "mismatches", count(st->mismatches));
	set(o, j, "gaps", count(st->gaps));
	set(o, j, "derived_streams", count(st->derived_streams));
	set(o, j, "derived_totals", count(st->derived_totals));
	set(o, j, "before_release", count(st->before_release));
	set(o, j, "lower_bounds", count(st->at_least));
	return j;
}

/* What changed since the previous report (changes.h). */
static json_t *changes(struct out *o)
{
	const struct ss_changes *c = o->r->changes;
	json_t *j = json_object(), *list = json_array();

	set(o, j, "since", c ? date(c->since) : json_null());
	for (size_t i = 0; c && i < c->n; i++) {
		const struct ss_change *ch = &c->list[i];
		json_t *e = json_object();
		int known;
		int32_t moved = ss_change_moved(ch, &known);
		set(o, e, "kind", text(ss_change_kind_name((enum ss_change_kind)ch->kind)));
		set(o, e, "album", text(ss_album_name(o->ds, ch->album)));
		set(o, e, "artist", text_or_null(ss_album_artist(o->ds, ch->album)));
		set(o, e, "track",
		    ch->track != SS_NONE ? text(ss_track_name(o->ds, ch->track)) : json_null());
		set(o, e, "milestone", ch->milestone ? json_integer(ch->milestone) : json_null());
		set(o, e, "previous_date", date(ch->was));
		set(o, e, "new_date", date(ch->now));
		set(o, e, "moved_days", known ? json_integer(moved) : json_null());
		set(o, e, "text", text(ch->text));
		push(o, list, e);
	}
	set(o, j, "list", list);
	return j;
}

static json_t *summary(struct out *o)
{
	const struct ss_report *r = o->r;
	json_t *j = json_object(), *conv = json_object(), *ms = json_array(), *head = json_array();
	json_t *inputs = json_array();

	set(o, j, "schema", json_integer(SS_REPORT_SCHEMA));
	set(o, j, "version", text_or_null(r->version));
	set(o, j, "as_of", date(r->as_of));
	set(o, j, "run_seconds", real_or_null(r->seconds));
	set(o, j, "options", r->options ? text(r->options) : json_null());
	for (size_t k = 0; k < o->opt->nmilestones; k++)
		push(o, ms, json_integer(o->opt->milestone[k]));
	set(o, j, "milestones", ms);
	set(o, conv, "day_one", json_boolean(!o->opt->day_zero));
	set(o, conv, "level", real_or_null(o->opt->level));
	set(o, j, "conventions", conv);
	set(o, j, "model_rule", r->bt ? text(r->bt->rule) : json_null());
	for (size_t i = 0; i < SS_HEADLINES; i++)
		if (r->headline[i][0])
			push(o, head, text(r->headline[i]));
	set(o, j, "headline", head);
	set(o, j, "changes", changes(o));
	for (size_t i = 0; i < r->nfiles; i++) {
		const struct ss_report_file *f = &r->files[i];
		json_t *e = json_object();

		set(o, e, "path", text(f->path ? f->path : ""));
		set(o, e, "catalog", json_boolean(f->is_catalog));
		set(o, e, "bytes", count(f->bytes));
		set(o, e, "sha256", text_or_null(f->sha256));
		push(o, inputs, e);
	}
	set(o, j, "inputs", inputs);
	set(o, j, "series", series(o));
	set(o, j, "problems", problems(o));
	/* "albums", "backtest" and "tracks" follow, written by write_all() one
	 * element at a time */
	return j;
}

enum ss_status ss_report_write_json(const struct ss_report *r, const char *path,
				    struct ss_error *err)
{
	struct out o = {.r = r, .ds = r->ds, .opt = &r->ms->opt};
	enum ss_status status = SS_OK;
	json_t *root = summary(&o);
	FILE *f;
	int e = 0;

	if (!root || o.failed) {
		status = ss_error_set(err, SS_ERR_NOMEM, path, 0,
				      "out of memory building the JSON summary");
		goto done;
	}
	f = fopen(path, "w");
	if (!f) {
		status = ss_error_set(err, SS_ERR_CANTCREAT, path, 0,
				      "cannot create the JSON summary: %s", strerror(errno));
		goto done;
	}
	errno = 0;
	if (write_all(&o, root, f) != 0 || fflush(f) != 0 || ferror(f))
		e = errno ? errno : EIO;
	if (fclose(f) != 0 && !e)
		e = errno ? errno : EIO;
	if (e)
		status = ss_error_set(err, SS_ERR_IO, path, 0, "cannot write the JSON summary: %s",
				      strerror(e));
done:
	json_decref(root);
	return status;
}
