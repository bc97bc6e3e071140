/*
 * report.c - what both report writers share: the albums compared and their
 * order, the headline sentences, and input checksums.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "streamstat/date.h"
#include "streamstat/number.h"
#include "streamstat/report.h"
#include "streamstat/xalloc.h"

struct album_key {
	const struct ss_dataset *ds;
	uint32_t id;
};

static int cmp_release(const void *a, const void *b)
{
	const struct album_key *x = a, *y = b;
	const struct ss_album *p = &x->ds->albums[x->id], *q = &y->ds->albums[y->id];
	int32_t rp = p->release_src ? p->release : INT32_MAX;
	int32_t rq = q->release_src ? q->release : INT32_MAX;

	if (rp != rq)
		return rp < rq ? -1 : 1;
	rp = strcmp(ss_album_name(x->ds, x->id), ss_album_name(y->ds, y->id));
	return rp ? rp : strcmp(ss_album_artist(x->ds, x->id), ss_album_artist(y->ds, y->id));
}

enum ss_status ss_report_albums(const struct ss_dataset *ds, const char *const *only, size_t n,
				uint32_t **out, size_t *nout, struct ss_error *err)
{
	size_t na = ss_dataset_nalbums(ds), k = 0;
	struct album_key *keys = xcalloc(na ? na : 1, sizeof *keys);

	*out = NULL;
	*nout = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t a;
		size_t found = ss_dataset_find_album(ds, only[i], strlen(only[i]), &a);

		if (found == 0) {
			free(keys);
			return ss_error_set(err, SS_ERR_USAGE, NULL, 0,
					    "--albums: no album '%s' in the data", only[i]);
		}
		if (found > 1) { /* a is the first of them */
			free(keys);
			return ss_error_set(err, SS_ERR_USAGE, NULL, 0,
					    "--albums: %zu albums are titled '%s'; name one as "
					    "ARTIST/TITLE (e.g. '%s/%s')",
					    found, only[i], ss_album_artist(ds, a),
					    ss_album_name(ds, a));
		}
		int dup = 0;
		for (size_t j = 0; j < k; j++)
			dup |= keys[j].id == a;
		if (!dup)
			keys[k++] = (struct album_key){ds, (uint32_t)a};
	}
	if (n == 0)
		for (size_t a = 0; a < na; a++)
			keys[k++] = (struct album_key){ds, (uint32_t)a};
	qsort(keys, k, sizeof *keys, cmp_release);
	*out = xcalloc(k ? k : 1, sizeof **out);
	for (size_t i = 0; i < k; i++)
		(*out)[i] = keys[i].id;
	*nout = k;
	free(keys);
	return SS_OK;
}

size_t ss_report_tracks(const struct ss_report *r, uint32_t **order)
{
	size_t na = ss_dataset_nalbums(r->ds), nt = ss_dataset_ntracks(r->ds), n = 0;
	unsigned char *seen = xcalloc(na ? na : 1, 1);

	*order = xmalloc((nt ? nt : 1) * sizeof **order);
	/* the albums' places, each album's tracks in id order (milestones.h) */
	for (size_t i = 0; i < r->nalbums; i++) {
		uint32_t a = r->albums[i];
		size_t ntr;
		if (a >= na || a >= r->ms->nalbums || seen[a])
			continue;
		seen[a] = 1;
		const uint32_t *tr = ss_ms_album_tracks(r->ms, a, &ntr);
		memcpy(*order + n, tr, ntr * sizeof *tr);
		n += ntr;
	}
	free(seen);
	return n;
}

/* ---- headlines -------------------------------------------------------- */

/* The album ranked first for "every track >= milestone k", or SS_NONE. */
static uint32_t record_holder(const struct ss_report *r, size_t k, size_t *ranked)
{
	uint32_t best = SS_NONE;

	*ranked = 0;
	for (size_t i = 0; i < r->nalbums; i++) {
		const struct ss_album_crossing *ax = &r->ms->albums[r->albums[i]].all[k];
		if (!ax->rank)
			continue;
		(*ranked)++;
		if (ax->rank == 1 && best == SS_NONE)
			best = r->albums[i];
	}
	return best;
}

/* The first compared album whose every track reached milestone k. */
static uint32_t first_reached(const struct ss_report *r, size_t k)
{
	for (size_t i = 0; i < r->nalbums; i++)
		if (r->ms->albums[r->albums[i]].all[k].x.status == SS_MS_REACHED)
			return r->albums[i];
	return SS_NONE;
}

size_t ss_report_when(const struct ss_report *r, uint32_t album, const struct ss_crossing *x,
		      char *buf, size_t size)
{
	const struct ss_album *al = &r->ds->albums[album];
	char date[SS_DATE_LEN + 1], from[SS_DATE_LEN + 1], days[48];
	size_t len;

	ss_date_format(x->day, date);
	ss_ms_day_text(&r->ms->opt, x, al->release, days, sizeof days);
	if (x->status == SS_MS_REACHED && x->how == SS_HOW_BY && x->lo != x->day)
		len = (size_t)snprintf(buf, size, "by %s (day %s)", date, days);
	else
		len = (size_t)snprintf(buf, size, "on %s, day %s", date, days);
	/* a day count from an inferred release date says so where it stands */
	if (al->release_src == SS_SRC_INFERRED && len < size) {
		ss_date_format(al->release, from);
		len += (size_t)snprintf(buf + len, size - len,
					" counted from an inferred release date (%s)", from);
	}
	return len < size ? len : size - 1;
}

void ss_report_headlines(struct ss_report *r)
{
	char lab[SS_ALBUM_LABEL_MAX];
	const struct ss_dataset *ds = r->ds;
	const struct ss_milestones *ms = r->ms;
	size_t nk = ms->opt.nmilestones, line = 0;
	int reached_k = -1, next_k = -1;
	char m[32], date[SS_DATE_LEN + 1], lo[SS_DATE_LEN + 1], hi[SS_DATE_LEN + 1];

	memset(r->headline, 0, sizeof r->headline);
	/* the highest milestone some album's every track has reached, and the
	 * lowest one still ahead for some album */
	for (size_t k = 0; k < nk; k++)
		for (size_t i = 0; i < r->nalbums; i++) {
			uint8_t st = ms->albums[r->albums[i]].all[k].x.status;
			if (st == SS_MS_REACHED)
				reached_k = (int)k;
			if (st == SS_MS_PROJECTED && next_k < 0)
				next_k = (int)k;
		}
	if (reached_k >= 0) {
		size_t ranked;
		uint32_t a = record_holder(r, (size_t)reached_k, &ranked);
		if (a == SS_NONE)
			a = first_reached(r, (size_t)reached_k);
		const struct ss_album_crossing *ax = &ms->albums[a].all[reached_k];
		char when[160], claim[160];
		ss_milestone_format(ms->opt.milestone[reached_k], m);
		ss_report_when(r, a, &ax->x, when, sizeof when);
		const char *last =
			ax->bottleneck != SS_NONE ? ss_track_name(ds, ax->bottleneck) : "?";
		/* ranks are of observed crossings only, and hold over their
		 * whole ranges; one counting from an inferred date says so */
		const char *inferred =
			ax->rank_inferred ? ", counting days from inferred release dates" : "";
		if (ax->rank == 1 && ranked > 1)
			snprintf(claim, sizeof claim, "the fastest of %zu albums observed there%s",
				 ranked, inferred);
		else if (ax->rank == 1)
			snprintf(claim, sizeof claim, "the first album observed there%s", inferred);
		else if (ax->rank > 1) /* ranked among albums not compared here */
			snprintf(claim, sizeof claim, "ranked %u of the albums observed there%s",
				 ax->rank, inferred);
		else if (ax->unranked == SS_UNRANKED_OVERLAP)
			snprintf(claim, sizeof claim,
				 "unranked, as its range overlaps another album's (ranks %u to %u)",
				 ax->rank_lo, ax->rank_hi);
		else
			snprintf(claim, sizeof claim, "unranked (%s)",
				 ax->unranked
					 ? ss_ms_unranked_text((enum ss_ms_unranked)ax->unranked)
					 : "no release date to count days from");
		/* "Blue last"; of tracks only known by then, none is surely last */
		char who[96];
		snprintf(who, sizeof who, ax->x.how == SS_HOW_BY ? "%s last known" : "%s last",
			 last);
		char text[640];
		snprintf(text, sizeof text, "Every %s track passed %s %s, %s: %s.",
			 ss_album_label(ds, a, lab, sizeof lab), m, when, who, claim);
		/* long names are cut at SS_HEADLINE_LEN */
		size_t n = strlen(text) < SS_HEADLINE_LEN ? strlen(text) : SS_HEADLINE_LEN - 1;
		memcpy(r->headline[line], text, n);
		r->headline[line++][n] = '\0';
	}
	if (next_k >= 0) {
		for (size_t i = 0; i < r->nalbums && line < SS_HEADLINES - 1; i++) {
			const struct ss_album_crossing *ax = &ms->albums[r->albums[i]].all[next_k];
			if (ax->x.status != SS_MS_PROJECTED)
				continue;
			ss_milestone_format(ms->opt.milestone[next_k], m);
			ss_date_format(ax->x.day, date);
			if (ax->x.lo != SS_DAY_NONE && ax->x.hi != SS_DAY_NONE) {
				ss_date_format(ax->x.lo, lo);
				if (ax->x.hi == SS_DAY_NEVER)
					snprintf(hi, sizeof hi, "never");
				else
					ss_date_format(ax->x.hi, hi);
				snprintf(r->headline[line++], SS_HEADLINE_LEN,
					 "Every %s track past %s: projected %s (%.0f%% interval %s "
					 "to "
					 "%s), waiting on %s.",
					 ss_album_label(ds, r->albums[i], lab, sizeof lab), m, date,
					 100 * ms->opt.level, lo, hi,
					 ss_track_name(ds, ax->bottleneck));
			} else {
				snprintf(
					r->headline[line++], SS_HEADLINE_LEN,
					"Every %s track past %s: projected %s from the recent pace "
					"(too few points for an interval), waiting on %s.",
					ss_album_label(ds, r->albums[i], lab, sizeof lab), m, date,
					ss_track_name(ds, ax->bottleneck));
			}
			break;
		}
	}
	/* an album that cannot be ranked, and why */
	for (size_t i = 0; i < r->nalbums && line < SS_HEADLINES; i++) {
		size_t k = reached_k >= 0 ? (size_t)reached_k : 0;
		const struct ss_album_crossing *ax = &ms->albums[r->albums[i]].all[k];
		if (nk == 0 || ax->x.status != SS_MS_UNKNOWN || ax->lacking_first == SS_NONE)
			continue;
		char why[200];
		ss_milestone_format(ms->opt.milestone[k], m);
		ss_ms_album_reason(ds, ms, r->albums[i], k, 0, why, sizeof why);
		snprintf(r->headline[line++], SS_HEADLINE_LEN,
			 "%s cannot be ranked on every track past %s: %s.",
			 ss_album_label(ds, r->albums[i], lab, sizeof lab), m, why);
	}
}

/* ---- checksums -------------------------------------------------------- */

enum ss_status ss_sha256_file(const char *path, char *out, uint64_t *bytes, struct ss_error *err)
{
	struct sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];
	static const char hex[] = "0123456789abcdef";
	char buf[1 << 16];
	size_t got;
	struct stat st;
	/* never a FIFO's open that waits for a writer; and a file read once
	 * already (a pipe) would be checksummed as what is left of it */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	FILE *f = NULL;

	out[0] = '\0';
	*bytes = 0;
	if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
		close(fd);
		return ss_error_set(err, SS_ERR_NOINPUT, path, 0,
				    "not a regular file: no checksum");
	}
	if (fd >= 0 && !(f = fdopen(fd, "rb")))
		close(fd);
	if (!f)
		return ss_error_set(err, SS_ERR_NOINPUT, path, 0, "cannot open for a checksum");
	sha256_init(&ctx);
	while ((got = fread(buf, 1, sizeof buf, f)) > 0) {
		sha256_update(&ctx, got, (const uint8_t *)buf);
		*bytes += got;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad)
		return ss_error_set(err, SS_ERR_IO, path, 0,
				    "read error while computing a checksum");
	sha256_digest(&ctx, sizeof digest, digest);
	for (size_t i = 0; i < sizeof digest; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[2 * sizeof digest] = '\0';
	return SS_OK;
}
