/*
 * series.c - sort, merge, date and reconcile observations per track.
 *
 * The sort partitions the observations by track in place (no second
 * array: memory stays at 32 bytes an observation), then puts each track
 * that is not already in order by (day, file, line), which is input order.
 * Input already in track and day order costs one pass.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "streamstat/date.h"
#include "streamstat/number.h"
#include "streamstat/series.h"
#include "streamstat/xalloc.h"

/* The flags that describe an observation's total. */
#define TOTAL_FLAGS (SS_OBS_TOTAL | SS_OBS_AT_LEAST | SS_OBS_CROSSED)

static int before(const struct ss_obs *a, const struct ss_obs *b)
{
	return a->track < b->track || (a->track == b->track && a->day < b->day);
}

/*
 * Input order within a track: by day, then file, then line.  This is what
 * makes the unstable partition below behave as a stable sort (up to lines
 * past UINT32_MAX, where struct ss_obs saturates).
 */
static int cmp_day_file_line(const void *pa, const void *pb)
{
	const struct ss_obs *a = pa, *b = pb;

	if (a->day != b->day)
		return a->day < b->day ? -1 : 1;
	if (a->file != b->file)
		return a->file < b->file ? -1 : 1;
	return (a->line > b->line) - (a->line < b->line);
}

struct scratch {
	struct ss_obs *obs;
	size_t obscap;
	uint32_t *count;
	size_t countcap;
};

/*
 * Order one track's m observations by (day, file, line).  A counting sort
 * by day when the days are dense (the usual case: one a day), so that a
 * scrambled track costs O(m); qsort otherwise.
 */
static void sort_track(struct ss_obs *o, size_t m, struct scratch *s)
{
	int32_t lo = o[0].day, hi = lo;
	size_t range;

	for (size_t i = 1; i < m; i++) {
		lo = o[i].day < lo ? o[i].day : lo;
		hi = o[i].day > hi ? o[i].day : hi;
	}
	range = (size_t)((int64_t)hi - lo) + 1;
	if (range > 4 * m + 64) {
		qsort(o, m, sizeof(*o), cmp_day_file_line);
		return;
	}
	xgrow(&s->obs, &s->obscap, m, sizeof(*s->obs));
	xgrow(&s->count, &s->countcap, range + 1, sizeof(*s->count));
	memset(s->count, 0, (range + 1) * sizeof(*s->count));
	for (size_t i = 0; i < m; i++)
		s->count[o[i].day - lo + 1]++;
	for (size_t k = 1; k <= range; k++)
		s->count[k] += s->count[k - 1];
	for (size_t i = 0; i < m; i++)
		s->obs[s->count[o[i].day - lo]++] = o[i];
	/* Same-day rows (duplicates, rare) into file and line order. */
	for (size_t i = 1; i < m; i++) {
		struct ss_obs x = s->obs[i];
		size_t j = i;

		while (j && s->obs[j - 1].day == x.day &&
		       cmp_day_file_line(&s->obs[j - 1], &x) > 0) {
			s->obs[j] = s->obs[j - 1];
			j--;
		}
		s->obs[j] = x;
	}
	memcpy(o, s->obs, m * sizeof(*o));
}

/*
 * Move observations so that those with key k = (track - base) >> shift lie
 * in obs[bound[k] .. bound[k + 1]) for every k < nb; head has room for nb.
 * Every observation moves at most once, straight to its place.
 */
static void partition(struct ss_obs *obs, const size_t *bound, size_t nb, uint32_t base,
		      unsigned shift, size_t *head)
{
	memcpy(head, bound, nb * sizeof(*head));
	for (size_t b = 0; b < nb; b++) {
		while (head[b] < bound[b + 1]) {
			struct ss_obs x = obs[head[b]];
			size_t k = (x.track - base) >> shift;

			while (k != b) {
				size_t d = head[k]++;
				struct ss_obs y = obs[d];

				obs[d] = x;
				x = y;
				k = (x.track - base) >> shift;
			}
			obs[head[b]++] = x;
		}
	}
}

/*
 * Partition obs[0..n) by track, track t going to [start[t], start[t + 1]).
 * Two rounds: first into at most 256 groups of adjacent tracks, then each
 * group into its tracks.  One round over all tracks would send every move
 * to a random place in a large array (a cache miss each); with two, the
 * places being written to are few enough to stay in cache.
 */
static void partition_by_track(struct ss_obs *obs, size_t n, const size_t *start, size_t nt,
			       size_t *head)
{
	unsigned shift = 0;
	size_t ngroups, *bound;

	while ((nt >> shift) >= 256)
		shift++;
	ngroups = (nt + ((size_t)1 << shift) - 1) >> shift;
	bound = xmalloc((ngroups + 1) * sizeof(*bound));
	for (size_t g = 0; g < ngroups; g++)
		bound[g] = start[g << shift];
	bound[ngroups] = n;
	partition(obs, bound, ngroups, 0, shift, head);
	free(bound);
	if (!shift)
		return;
	for (size_t g = 0; g < ngroups; g++) {
		size_t first = g << shift, width = (size_t)1 << shift;

		partition(obs, start + first, nt - first < width ? nt - first : width,
			  (uint32_t)first, 0, head);
	}
}

/* Sort by (track, day, file, line) in place; set each track's first and n. */
static void sort_obs(struct ss_dataset *ds)
{
	struct ss_obs *obs = ds->obs;
	size_t n = ds->nobs, nt = ss_dataset_ntracks(ds);
	size_t *start = xcalloc(nt + 1, sizeof(*start));
	int sorted = 1;

	for (size_t i = 0; i < n; i++)
		start[obs[i].track + 1]++;
	for (size_t t = 0; t < nt; t++)
		start[t + 1] += start[t];
	for (size_t i = 1; i < n && sorted; i++)
		if (before(&obs[i], &obs[i - 1]))
			sorted = 0;

	if (!sorted) {
		size_t *head = xmalloc((nt ? nt : 1) * sizeof(*head));
		struct scratch scratch = {0};

		partition_by_track(obs, n, start, nt, head);
		/* Then each track into day order, ties in input order. */
		for (size_t t = 0; t < nt; t++) {
			struct ss_obs *o = obs + start[t];
			size_t m = start[t + 1] - start[t];

			for (size_t i = 1; i < m; i++)
				if (cmp_day_file_line(&o[i - 1], &o[i]) > 0) {
					sort_track(o, m, &scratch);
					break;
				}
		}
		free(scratch.obs);
		free(scratch.count);
		free(head);
	}
	for (size_t t = 0; t < nt; t++) {
		ds->tracks[t].first = start[t];
		ds->tracks[t].n = start[t + 1] - start[t];
	}
	free(start);
}

struct ctx {
	struct ss_dataset *ds;
	struct ss_series_stats *st;
};

static const char *where(const struct ss_dataset *ds, const struct ss_obs *o, char *buf, size_t n)
{
	snprintf(buf, n, "%s:%lu", ds->files[o->file].path, (unsigned long)o->line);
	return buf;
}

static void warn(struct ctx *c, enum ss_problem_kind kind, const struct ss_obs *o, const char *fmt,
		 ...) __attribute__((format(printf, 4, 5)));

/* Log a problem about observation o: "track 'x' of album 'A' on DATE: ...". */
static void warn(struct ctx *c, enum ss_problem_kind kind, const struct ss_obs *o, const char *fmt,
		 ...)
{
	char buf[1024], who[SS_DESCRIBE_MAX];
	char date[SS_DATE_LEN + 1];
	va_list ap;
	int k;

	ss_date_format(o->day, date);
	k = snprintf(buf, sizeof(buf),
		     "%s on %s: ", ss_describe_track(c->ds, o->track, who, sizeof(who)), date);
	va_start(ap, fmt);
	vsnprintf(buf + k, sizeof(buf) - (size_t)k, fmt, ap);
	va_end(ap);
	ss_problems_add(&c->ds->problems, kind, o->file, o->line, "%s", buf);
}

/* Append to the message in msg (of size n) one part, separated by "; ". */
static void part(char *msg, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void part(char *msg, size_t n, const char *fmt, ...)
{
	size_t k = strlen(msg);
	va_list ap;

	if (k && k + 2 < n) {
		memcpy(msg + k, "; ", 3);
		k += 2;
	}
	va_start(ap, fmt);
	vsnprintf(msg + k, n - k, fmt, ap);
	va_end(ap);
}

/*
 * Fold the later row r into m (same track and day).  m then points at the
 * row its total came from, so that later messages name the right line.
 */
static void merge_into(struct ctx *c, struct ss_obs *m, const struct ss_obs *r)
{
	char w[300], a[28], b[28], msg[600] = "";
	unsigned mt = m->flags & TOTAL_FLAGS;
	unsigned rt = r->flags & TOTAL_FLAGS;
	int identical = (m->flags & (SS_OBS_STREAMS | TOTAL_FLAGS)) ==
				(r->flags & (SS_OBS_STREAMS | TOTAL_FLAGS)) &&
			(!(r->flags & SS_OBS_STREAMS) || m->streams == r->streams) &&
			(!(r->flags & SS_OBS_TOTAL) || m->total == r->total);
	int take_total = 0;

	where(c->ds, m, w, sizeof(w));
	if (r->flags & SS_OBS_STREAMS) {
		if ((m->flags & SS_OBS_STREAMS) && m->streams != r->streams)
			part(msg, sizeof(msg), "streams %s here but %s at %s (keeping %s)",
			     ss_count_format(r->streams, a), ss_count_format(m->streams, b), w, a);
		m->streams = r->streams;
		m->flags |= SS_OBS_STREAMS;
	}
	if (rt == SS_OBS_TOTAL && mt == SS_OBS_TOTAL) {
		if (m->total != r->total)
			part(msg, sizeof(msg), "total %s here but %s at %s (keeping %s)",
			     ss_count_format(r->total, a), ss_count_format(m->total, b), w, a);
		take_total = 1;
	} else if (rt == SS_OBS_TOTAL && mt) {
		if (r->total < m->total)
			part(msg, sizeof(msg),
			     "exact total %s here is below the lower bound %s at %s (keeping the "
			     "exact total)",
			     ss_count_format(r->total, a), ss_count_format(m->total, b), w);
		take_total = 1;
	} else if (rt && mt == SS_OBS_TOTAL) {
		if (r->total > m->total)
			part(msg, sizeof(msg),
			     "lower bound %s here is above the exact total %s at %s (keeping the "
			     "exact total)",
			     ss_count_format(r->total, a), ss_count_format(m->total, b), w);
	} else if (rt) {
		/* Two bounds keep the larger (of equal ones, a crossing); a total
		 * where there was none is taken. */
		take_total = !mt || r->total > m->total ||
			     (r->total == m->total && (rt & SS_OBS_CROSSED));
	}
	if (take_total) {
		m->total = r->total;
		m->flags = (uint16_t)((m->flags & ~TOTAL_FLAGS) | rt);
		m->line = r->line;
		m->file = r->file;
	}
	if (msg[0]) {
		warn(c, SS_P_DUPLICATE_CONFLICT, r, "duplicate rows disagree: %s", msg);
		m->flags |= SS_OBS_CONFLICT;
		c->st->conflicts++;
	} else if (identical) {
		warn(c, SS_P_DUPLICATE_MERGED, r, "same as the row at %s; merged", w);
	}
	m->flags |= SS_OBS_MERGED;
	c->st->merged++;
}

/* Merge same-day rows of every track, compacting the array in place. */
static void merge_days(struct ctx *c)
{
	struct ss_dataset *ds = c->ds;
	size_t w = 0;

	for (size_t t = 0; t < ss_dataset_ntracks(ds); t++) {
		struct ss_track *tr = &ds->tracks[t];
		size_t first = w, end = tr->first + tr->n;

		for (size_t r = tr->first; r < end; r++) {
			if (w > first && ds->obs[w - 1].day == ds->obs[r].day)
				merge_into(c, &ds->obs[w - 1], &ds->obs[r]);
			else
				ds->obs[w++] = ds->obs[r];
		}
		tr->first = first;
		tr->n = w - first;
	}
	ds->nobs = w;
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/* The most common value of days[0..n) (sorted here); ties go to the earliest. */
static int32_t mode(int32_t *days, size_t n)
{
	int32_t best = days[0];
	size_t best_n = 0;

	qsort(days, n, sizeof(*days), cmp_i32);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i; j < n && days[j] == days[i]; j++)
			;
		if (j - i > best_n) {
			best = days[i];
			best_n = j - i;
		}
	}
	return best;
}

/*
 * An observation with a total but no matching daily count says the track
 * had streams before that day: a release date inferred from it is doubtful.
 */
static int shows_earlier_streams(const struct ss_obs *o)
{
	return (o->flags & SS_OBS_TOTAL) &&
	       !((o->flags & SS_OBS_STREAMS) && o->streams == o->total);
}

/* Warn about inferred release dates that rest on such observations. */
static void check_inferred_dates(struct ctx *c)
{
	struct ss_dataset *ds = c->ds;
	size_t na = ss_dataset_nalbums(ds);
	unsigned char *warned = xcalloc(na ? na : 1, 1);
	char who[SS_DESCRIBE_MAX], q[SS_QUOTE_MAX], date[SS_DATE_LEN + 1], n[28];

	for (size_t t = 0; t < ss_dataset_ntracks(ds); t++) {
		const struct ss_track *tr = &ds->tracks[t];
		const struct ss_album *al = &ds->albums[tr->album];
		const struct ss_obs *o = tr->n ? &ds->obs[tr->first] : NULL;

		if (!o || !shows_earlier_streams(o))
			continue;
		ss_count_format(o->total, n);
		if (tr->release_src == SS_SRC_INFERRED) {
			ss_date_format(tr->release, date);
			ss_problems_add(
				&ds->problems, SS_P_RELEASE_UNCERTAIN, o->file, o->line,
				"%s: release date %s inferred from its first observation, "
				"whose total is already %s%s; it may have come out earlier: "
				"give its release date in a catalog or a release_date column",
				ss_describe_track(ds, (uint32_t)t, who, sizeof(who)), date, n,
				(o->flags & SS_OBS_AT_LEAST) ? " or more" : "");
		} else if (al->release_src == SS_SRC_INFERRED && o->day == al->release &&
			   !warned[tr->album]) {
			warned[tr->album] = 1;
			ss_date_format(al->release, date);
			ss_problems_add(
				&ds->problems, SS_P_RELEASE_UNCERTAIN, o->file, o->line,
				"%s: release date %s inferred from its tracks' first "
				"observations, but %s already has a total of %s%s then; the "
				"album may have come out earlier: give its release date in a "
				"catalog or an album_release_date column",
				ss_describe_album(ds, tr->album, who, sizeof(who)), date,
				ss_quote_name(q, sizeof(q), ss_track_name(ds, (uint32_t)t),
					      strlen(ss_track_name(ds, (uint32_t)t))),
				n, (o->flags & SS_OBS_AT_LEAST) ? " or more" : "");
		}
	}
	free(warned);
}

static void settle_release_dates(struct ss_dataset *ds)
{
	size_t na = ss_dataset_nalbums(ds), nt = ss_dataset_ntracks(ds);
	uint32_t *start, *members;
	int32_t *firsts = xmalloc((nt ? nt : 1) * sizeof(*firsts));

	/* each album's tracks' first observed days */
	ss_dataset_album_tracks(ds, &start, &members);
	for (size_t a = 0; a < na; a++) {
		struct ss_album *al = &ds->albums[a];
		size_t k = 0;

		for (uint32_t i = start[a]; i < start[a + 1]; i++)
			if (ds->tracks[members[i]].n)
				firsts[k++] = ds->obs[ds->tracks[members[i]].first].day;
		if (al->release_src == SS_SRC_NONE && k > 0) {
			al->release = mode(firsts, k);
			al->release_src = SS_SRC_INFERRED;
		}
	}
	free(firsts);
	free(members);
	free(start);

	for (size_t t = 0; t < nt; t++) {
		struct ss_track *tr = &ds->tracks[t];
		const struct ss_album *al = &ds->albums[tr->album];

		if (tr->release_src != SS_SRC_NONE)
			continue;
		/* A catalog track without its own date came out with the album; a
		 * track only the data know of, seen before its album, was a single. */
		if (al->release_src != SS_SRC_NONE &&
		    (tr->in_catalog || tr->n == 0 || ds->obs[tr->first].day >= al->release)) {
			tr->release = al->release;
			tr->release_src = SS_SRC_ALBUM;
		} else if (tr->n) {
			tr->release = ds->obs[tr->first].day;
			tr->release_src = SS_SRC_INFERRED;
		}
	}
}

/*
 * Whether the track's release date was given rather than inferred from the
 * observations: only then is a first daily count on that day the whole total.
 */
static int release_is_known(const struct ss_dataset *ds, const struct ss_track *tr)
{
	switch (tr->release_src) {
	case SS_SRC_CATALOG:
	case SS_SRC_COLUMN:
		return 1;
	case SS_SRC_ALBUM:
		return ds->albums[tr->album].release_src != SS_SRC_INFERRED;
	default:
		return 0;
	}
}

/* Walk one track's series: gaps, derivations, agreement, corrections. */
static void reconcile(struct ctx *c, uint32_t t)
{
	struct ss_dataset *ds = c->ds;
	struct ss_track *tr = &ds->tracks[t];
	struct ss_obs *s = ds->obs + tr->first;
	const struct ss_obs *hi_exact = NULL, *hi_bound = NULL; /* highest given totals */
	char a[28], b[28], w[300], d[SS_DATE_LEN + 1];

	for (size_t i = 0; i < tr->n; i++) {
		struct ss_obs *o = &s[i], *p = i ? &s[i - 1] : NULL;
		int consecutive = p && o->day == p->day + 1;
		int p_exact = p && (p->flags & SS_OBS_TOTAL) && !(p->flags & SS_OBS_AT_LEAST) &&
			      !(p->flags & SS_OBS_CORRECTION);
		int o_exact = (o->flags & SS_OBS_TOTAL) && !(o->flags & SS_OBS_AT_LEAST);
		int64_t sum;

		if (tr->release_src != SS_SRC_NONE && o->day < tr->release) {
			ss_date_format(tr->release, d);
			o->flags |= SS_OBS_BEFORE_RELEASE;
			c->st->before_release++;
			warn(c, SS_P_BEFORE_RELEASE, o,
			     "dated before the track's release date %s (%s)", d,
			     ss_date_source_name(tr->release_src));
		}
		if (p && o->day > p->day + 1) {
			o->flags |= SS_OBS_GAP;
			c->st->gaps++;
		}
		if (o_exact && !(o->flags & SS_OBS_TOTAL_DERIVED)) {
			const struct ss_obs *hi = hi_exact;

			if (hi_bound && hi_bound->total > o->total &&
			    (!hi || hi_bound->total > hi->total))
				hi = hi_bound;
			if (hi && o->total < hi->total) {
				ss_date_format(hi->day, d);
				warn(c, SS_P_TOTAL_DECREASE, o,
				     "total %s is below the %s %s on %s (%s); flagged as a "
				     "correction",
				     ss_count_format(o->total, a),
				     hi == hi_bound ? "lower bound" : "total",
				     ss_count_format(hi->total, b), d, where(ds, hi, w, sizeof(w)));
				o->flags |= SS_OBS_CORRECTION;
				c->st->corrections++;
			}
		}
		if ((o->flags & SS_OBS_STREAMS) && o_exact && consecutive && p_exact &&
		    !(o->flags & SS_OBS_CORRECTION) &&
		    (__builtin_sub_overflow(o->total, p->total, &sum) || sum != o->streams)) {
			ss_date_format(p->day, d);
			warn(c, SS_P_STREAMS_TOTAL_MISMATCH, o,
			     "streams %s, but the total rose by %s since %s (%s)",
			     ss_count_format(o->streams, a), ss_count_format(sum, b), d,
			     where(ds, p, w, sizeof(w)));
			o->flags |= SS_OBS_MISMATCH;
			c->st->mismatches++;
		}
		if (!(o->flags & SS_OBS_STREAMS) && o_exact && consecutive && p_exact &&
		    !(o->flags & SS_OBS_CORRECTION) && o->total >= p->total) {
			o->streams = o->total - p->total;
			o->flags |= SS_OBS_STREAMS | SS_OBS_STREAMS_DERIVED;
			c->st->derived_streams++;
		}
		if ((o->flags & SS_OBS_STREAMS) && !(o->flags & SS_OBS_TOTAL)) {
			if (consecutive && p_exact &&
			    !__builtin_add_overflow(p->total, o->streams, &sum)) {
				o->total = sum;
				o->flags |= SS_OBS_TOTAL | SS_OBS_TOTAL_DERIVED;
				c->st->derived_totals++;
			} else if (!p && release_is_known(ds, tr) && o->day == tr->release) {
				o->total = o->streams;
				o->flags |= SS_OBS_TOTAL | SS_OBS_TOTAL_DERIVED;
				c->st->derived_totals++;
			}
		}
		if ((o->flags & SS_OBS_TOTAL) && !(o->flags & SS_OBS_TOTAL_DERIVED)) {
			if (o->flags & SS_OBS_AT_LEAST) {
				c->st->at_least++;
				if (!hi_bound || o->total > hi_bound->total)
					hi_bound = o;
			} else if (!hi_exact || o->total > hi_exact->total) {
				hi_exact = o;
			}
		}
	}
}

/*
 * A track whose series has no total at all (daily counts only that could
 * not be added up) has no known total, so none of its milestones can be
 * dated: say why and how to fix it, at its first observation.
 */
static void check_no_total(struct ss_dataset *ds, uint32_t t)
{
	const struct ss_track *tr = &ds->tracks[t];
	const struct ss_obs *s = ds->obs + tr->first;
	char who[SS_DESCRIBE_MAX], first[SS_DATE_LEN + 1], rel[SS_DATE_LEN + 1], n[28];
	int64_t sum = 0;

	for (size_t i = 0; i < tr->n; i++) {
		if (s[i].flags & SS_OBS_TOTAL)
			return;
		if ((s[i].flags & SS_OBS_STREAMS) &&
		    __builtin_add_overflow(sum, s[i].streams, &sum))
			sum = INT64_MAX;
	}
	ss_describe_track(ds, t, who, sizeof(who));
	ss_date_format(s[0].day, first);
	if (!release_is_known(ds, tr)) {
		ss_problems_add(&ds->problems, SS_P_NO_TOTAL, s[0].file, s[0].line,
				"%s: daily counts only and no release date, so its total is "
				"unknown and no milestone can be dated; if its history starts "
				"at the release, give %s as its release date in a catalog, a "
				"release_date column or, for a file of this track alone, "
				"--release-date %s; if not, give its total in a total column",
				who, first, first);
		return;
	}
	/* The release is known, so the chain could only fail to start there:
	 * what came before the first day is missing.  The streams counted since
	 * are a lower bound of the total, too weak to date a milestone by. */
	ss_date_format(tr->release, rel);
	ss_problems_add(&ds->problems, SS_P_NO_TOTAL, s[0].file, s[0].line,
			"%s: daily counts start on %s, not on its release date %s (%s): the "
			"streams before %s are missing, so its total is unknown (the %s "
			"counted since are only a lower bound) and no milestone can be dated; "
			"give its total on some day in a total column, or the daily counts "
			"from the release",
			who, first, rel, ss_date_source_name((enum ss_date_source)tr->release_src),
			first, ss_count_format(sum, n));
}

int ss_series_is_stale(const struct ss_dataset *ds, uint32_t t, int32_t latest, int32_t stale_days)
{
	const struct ss_track *tr = &ds->tracks[t];

	/* A feed that stopped: observed at least every stale_days days up to
	 * its last day, then silent for longer.  A track only ever seen now and
	 * then (a fan's figures from news reports) has no feed to stop.  (The
	 * observations are reached only past the check: ds->obs is NULL in a
	 * dataset without any.) */
	if (stale_days <= 0 || tr->n < 2)
		return 0;
	const struct ss_obs *s = ds->obs + tr->first;
	return (int64_t)latest - s[tr->n - 1].day > stale_days &&
	       (int64_t)s[tr->n - 1].day - s[tr->n - 2].day <= stale_days;
}

void ss_series_check_stale(struct ss_dataset *ds, const struct ss_series_stats *st,
			   int32_t stale_days)
{
	char who[SS_DESCRIBE_MAX], last[SS_DATE_LEN + 1], latest[SS_DATE_LEN + 1];
	int found = 0;

	if (stale_days <= 0 || st->observations == 0)
		return;
	ss_date_format(st->last_day, latest);
	for (size_t t = 0; t < ss_dataset_ntracks(ds); t++) {
		const struct ss_track *tr = &ds->tracks[t];
		const struct ss_obs *o;

		if (!ss_series_is_stale(ds, (uint32_t)t, st->last_day, stale_days))
			continue;
		o = &ds->obs[tr->first + tr->n - 1];
		ss_date_format(o->day, last);
		ss_problems_add(&ds->problems, SS_P_STALE, o->file, o->line,
				"%s: last observed on %s, %ld days before the latest data (%s): "
				"its feed may have stopped, and its projections continue from "
				"%s; add its recent rows, or pass --stale-days %ld (or more) if "
				"that is expected",
				ss_describe_track(ds, (uint32_t)t, who, sizeof(who)), last,
				(long)(st->last_day - o->day), latest, last,
				(long)(st->last_day - o->day));
		found = 1;
	}
	if (found)
		ss_problems_sort(&ds->problems);
}

enum ss_status ss_series_build(struct ss_dataset *ds, struct ss_series_stats *stats,
			       struct ss_error *err)
{
	struct ctx c = {ds, stats};
	size_t nt = ss_dataset_ntracks(ds);
	char who[SS_DESCRIBE_MAX];

	memset(stats, 0, sizeof(*stats));
	if (ds->nobs > UINT32_MAX)
		return ss_error_set(err, SS_ERR_LIMIT, NULL, 0,
				    "too many observations (%zu; at most 4294967295)", ds->nobs);
	sort_obs(ds);
	merge_days(&c);
	settle_release_dates(ds);
	check_inferred_dates(&c);
	for (size_t t = 0; t < nt; t++) {
		const struct ss_track *tr = &ds->tracks[t];

		if (tr->n == 0) {
			if (tr->in_catalog)
				ss_problems_add(
					&ds->problems, SS_P_TRACK_NO_DATA, tr->cat_file,
					tr->cat_line, "%s has no data",
					ss_describe_track(ds, (uint32_t)t, who, sizeof who));
			continue;
		}
		stats->tracks_with_data++;
		reconcile(&c, (uint32_t)t);
		check_no_total(ds, (uint32_t)t);
		if (stats->observations == 0 || ds->obs[tr->first].day < stats->first_day)
			stats->first_day = ds->obs[tr->first].day;
		if (stats->observations == 0 ||
		    ds->obs[tr->first + tr->n - 1].day > stats->last_day)
			stats->last_day = ds->obs[tr->first + tr->n - 1].day;
		stats->observations += tr->n;
	}
	ds->sorted = 1;
	ss_problems_sort(&ds->problems);
	return SS_OK;
}
