/*
 * series.c - sort, merge, date and reconcile observations per track.
 *
 * The sort is a stable counting sort by track that builds a permutation
 * (4 bytes per observation) and applies it in place by following cycles, so
 * that memory stays at the 32-byte observations plus that index; rows of a
 * track that are not already in day order are then ordered by (day, input
 * order).  Input that is already in track and day order costs one pass.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "streamstat/date.h"
#include "streamstat/number.h"
#include "streamstat/series.h"
#include "streamstat/xalloc.h"

static int before(const struct ss_obs *a, const struct ss_obs *b)
{
	return a->track < b->track || (a->track == b->track && a->day < b->day);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Order perm[0..n) (indices into obs) by (day, index). */
static void sort_by_day(const struct ss_obs *obs, uint32_t *perm, size_t n, uint64_t **keys,
			size_t *keycap)
{
	int32_t min = obs[perm[0]].day;

	for (size_t i = 1; i < n; i++)
		if (obs[perm[i]].day < min)
			min = obs[perm[i]].day;
	xgrow(keys, keycap, n, sizeof(**keys));
	for (size_t i = 0; i < n; i++)
		(*keys)[i] = (uint64_t)(uint32_t)(obs[perm[i]].day - min) << 32 | perm[i];
	qsort(*keys, n, sizeof(**keys), cmp_u64);
	for (size_t i = 0; i < n; i++)
		perm[i] = (uint32_t)(*keys)[i];
}

/* Stable sort by (track, day); set each track's first and n. */
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
		uint32_t *perm = xmalloc(n * sizeof(*perm));
		size_t *next = xmalloc((nt ? nt : 1) * sizeof(*next));
		uint64_t *keys = NULL;
		size_t keycap = 0;

		memcpy(next, start, nt * sizeof(*next));
		for (size_t i = 0; i < n; i++)
			perm[next[obs[i].track]++] = (uint32_t)i;
		for (size_t t = 0; t < nt; t++) {
			uint32_t *p = perm + start[t];
			size_t m = start[t + 1] - start[t];

			for (size_t i = 1; i < m; i++)
				if (obs[p[i]].day < obs[p[i - 1]].day) {
					sort_by_day(obs, p, m, &keys, &keycap);
					break;
				}
		}
		/* obs[i] := old obs[perm[i]], one cycle at a time. */
		for (size_t i = 0; i < n; i++) {
			struct ss_obs tmp;
			size_t j = i;

			if (perm[i] == i)
				continue;
			tmp = obs[i];
			for (;;) {
				size_t k = perm[j];

				perm[j] = (uint32_t)j;
				if (k == i) {
					obs[j] = tmp;
					break;
				}
				obs[j] = obs[k];
				j = k;
			}
		}
		free(keys);
		free(next);
		free(perm);
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
	char buf[1024], who[2 * SS_QUOTE_MAX];
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
	unsigned mt = m->flags & (SS_OBS_TOTAL | SS_OBS_AT_LEAST);
	unsigned rt = r->flags & (SS_OBS_TOTAL | SS_OBS_AT_LEAST);
	int identical = (m->flags & (SS_OBS_STREAMS | SS_OBS_TOTAL | SS_OBS_AT_LEAST)) ==
				(r->flags & (SS_OBS_STREAMS | SS_OBS_TOTAL | SS_OBS_AT_LEAST)) &&
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
		/* Two bounds keep the larger; a total where there was none is taken. */
		take_total = !mt || r->total > m->total;
	}
	if (take_total) {
		m->total = r->total;
		m->flags = (uint16_t)((m->flags & ~(SS_OBS_TOTAL | SS_OBS_AT_LEAST)) | rt);
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
	char who[2 * SS_QUOTE_MAX], q[SS_QUOTE_MAX], date[SS_DATE_LEN + 1], n[28];

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
	size_t *start = xcalloc(na + 1, sizeof(*start));
	int32_t *firsts = xmalloc((nt ? nt : 1) * sizeof(*firsts));

	/* First observed days grouped by album (a counting sort). */
	for (size_t t = 0; t < nt; t++)
		if (ds->tracks[t].n)
			start[ds->tracks[t].album + 1]++;
	for (size_t a = 0; a < na; a++)
		start[a + 1] += start[a];
	for (size_t t = 0, *next = start; t < nt; t++)
		if (ds->tracks[t].n)
			firsts[next[ds->tracks[t].album]++] = ds->obs[ds->tracks[t].first].day;
	/* next[] advanced start[a] to the end of album a: start[a] now ends it. */
	for (size_t a = 0; a < na; a++) {
		struct ss_album *al = &ds->albums[a];
		size_t lo = a ? start[a - 1] : 0, hi = start[a];

		if (al->release_src == SS_SRC_NONE && hi > lo) {
			al->release = mode(firsts + lo, hi - lo);
			al->release_src = SS_SRC_INFERRED;
		}
	}
	free(firsts);
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
			} else if (!p && tr->release_src != SS_SRC_NONE && o->day == tr->release) {
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

enum ss_status ss_series_build(struct ss_dataset *ds, struct ss_series_stats *stats,
			       struct ss_error *err)
{
	struct ctx c = {ds, stats};
	size_t nt = ss_dataset_ntracks(ds);

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
				ss_problems_add(&ds->problems, SS_P_TRACK_NO_DATA, tr->cat_file,
						tr->cat_line,
						"track '%s' of album '%s' has no data",
						ss_track_name(ds, (uint32_t)t),
						ss_album_name(ds, tr->album));
			continue;
		}
		stats->tracks_with_data++;
		reconcile(&c, (uint32_t)t);
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
