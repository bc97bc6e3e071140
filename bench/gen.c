/*
 * gen.c - a deterministic generator of realistic stream histories.
 *
 *   gen [--albums N] [--tracks-per-album N] [--days N] [--start DATE]
 *       [--seed S] [--catalog FILE] [-o FILE]
 *
 * Writes date,artist,album,track,streams,total in date-major order (each day,
 * every released track: the shape of a file appended to nightly) to stdout
 * or FILE, and with --catalog the matching catalog
 * (album,artist,album_release_date,track,track_release_date,counts).  The
 * defaults, 1,500 albums x 12 tracks x 365 days from 2023-01-01, give about
 * 6.5 million rows (about 350 MB).
 *
 * Album releases (always a Friday) spread over two years, most before the
 * first day written.  Each track's daily streams are a release spike that
 * decays fast, a slower decay and a baseline, times a weekly cycle peaking
 * on Fridays and multiplicative noise, with a rare viral bump.  About one
 * album in ten has one or two singles released two to eight weeks before
 * it; they spike again when the album comes out.  A track has rows from its
 * release on; the totals count every stream since the release, before the
 * first day written too.  About 0.1% of rows are left out (never a track's
 * first) and 0.05% are written twice, the copy at the end of its day.  Some
 * names hold commas, double quotes or non-ASCII UTF-8.
 *
 * The output depends only on the options: the one random stream is a
 * splitmix64 sequence from --seed, and libm is not used (the bench programs
 * link only libstreamstat and libcsv).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "streamstat/date.h"
#include "streamstat/intern.h"
#include "streamstat/xalloc.h"

#define NAME_MAX_LEN 160 /* bytes in one generated name, quoting aside */
#define OUT_BUF	     (1u << 20)
#define COUNT_DIGITS ((size_t)20) /* digits in UINT64_MAX */
#define LN2	     0.69314718055994530942
#define MISSING_PPM  1000 /* rows left out, per million */
#define DUP_PPM	     500  /* rows written twice, per million */
#define VIRAL_PPM    300  /* track-days a viral bump starts, per million */

/* ---- random numbers ---------------------------------------------------- */

struct rng {
	uint64_t s;
};

static uint64_t next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double uniform(struct rng *r)
{
	return (double)(next(r) >> 11) * (1.0 / 9007199254740992.0);
}

static double between(struct rng *r, double lo, double hi)
{
	return lo + (hi - lo) * uniform(r);
}

/* Uniform integer in [0, n), n > 0. */
static uint32_t below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((next(r) >> 32) * n) >> 32);
}

/* True with probability ppm per million. */
static int chance(struct rng *r, uint32_t ppm)
{
	return below(r, 1000000) < ppm;
}

/* About N(0, 1): the Irwin-Hall sum of four 16-bit uniforms, rescaled. */
static double normal(struct rng *r)
{
	uint64_t x = next(r);
	double s =
		(double)((x & 0xffff) + ((x >> 16) & 0xffff) + ((x >> 32) & 0xffff) + (x >> 48)) +
		2.0;

	return (s / 65536.0 - 2.0) * 1.7320508075688772;
}

/* e^x for |x| < 700, to about 1e-15 relative: range reduction and Taylor. */
static double xexp(double x)
{
	int k = (int)(x / LN2 + (x < 0 ? -0.5 : 0.5));
	double rem = x - k * LN2, term = 1.0, sum = 1.0;

	for (int i = 1; i < 16; i++) {
		term *= rem / i;
		sum += term;
	}
	for (; k > 0; k--)
		sum *= 2.0;
	for (; k < 0; k++)
		sum *= 0.5;
	return sum;
}

/* Log-normal: median times e^(sigma z). */
static double lognormal(struct rng *r, double median, double sigma)
{
	return median * xexp(sigma * normal(r));
}

/* ---- names ------------------------------------------------------------- */

static const char *const album_first[] = {
	"Blue",	 "Neon",   "Gold",   "Wild",   "Lost",	 "Pale",   "Red",    "Dark",
	"Soft",	 "Cold",   "Warm",   "Late",   "New",	 "Old",	   "Last",   "First",
	"Slow",	 "Deep",   "High",   "Low",    "Pink",	 "Gray",   "True",   "Free",
	"Long",	 "Half",   "Sweet",  "Quiet",  "Loud",	 "Still",  "Young",  "Faded",
	"Black", "Silver", "Broken", "Glass",  "Paper",	 "Velvet", "Café",   "Rosé",
	"Déjà",	 "Über",   "Summer", "Winter", "Golden", "Hidden", "Secret", "Lucky"};
static const char *const album_second[] = {
	"Moon",	 "Road",   "Heart",  "Rain", "Fire",  "Sky",   "Tide",	"Noise", "Light", "Dream",
	"Waves", "Room",   "City",   "Love", "Youth", "Days",  "Hours", "Lines", "Stars", "Roses",
	"Smoke", "Sun",	   "Snow",   "Eyes", "Bloom", "Echo",  "Wings", "Ghost", "Paris", "Tokyo",
	"Seoul", "Island", "Garden", "Sea",  "Storm", "Tapes", "Hymns", "Songs", "Skies", "Lumière",
	"Été",	 "Mañana", "봄날",   "夜空", "Ночь",  "Era",   "Fever", "Motel"};
/* Titles that many artists use: one album in SHARED_EVERY takes one, so
 * that a history holds same-titled albums by different artists, as real
 * catalogs do. */
static const char *const shared_titles[] = {"Greatest Hits", "Love Yourself", "Live",
					    "Christmas",     "Home",	      "Unplugged",
					    "Reflections",   "The Collection"};
#define SHARED_EVERY 8

static const char *const track_words[] = {
	"Home",	     "Alone",	  "Again",	"Bloom",	 "Butter",     "Closer",
	"Dance",     "Drive",	  "Echo",	"Fever",	 "Float",      "Ghost",
	"Glow",	     "Gravity",	  "Halo",	"Honey",	 "Hurt",       "Island",
	"Jade",	     "Karma",	  "Lemon",	"Lucid",	 "Magic",      "Mirror",
	"Nova",	     "Ocean",	  "Orbit",	"Paper",	 "Petal",      "Pulse",
	"Rewind",    "Ripple",	  "River",	"Run",		 "Shadow",     "Shine",
	"Silk",	     "Siren",	  "Slow",	"Solo",		 "Spark",      "Spring",
	"Static",    "Stay",	  "Sugar",	"Swim",		 "Tears",      "Tempo",
	"Thunder",   "Trouble",	  "Velvet",	"Vertigo",	 "Voyage",     "Wander",
	"Whisper",   "Wildfire",  "Winter",	"Wonder",	 "Yellow",     "Zero",
	"Coração",   "Naïve",	  "봄",		"Сон",		 "Intro",      "Outro",
	"Interlude", "Fake Love", "Slow Dance", "Love Me Again", "Rainy Days", "Like Crazy"};
static const char *const artist_first[] = {
	"Nova", "Juno",	  "Kairo", "Lumi",  "Mira", "Orin", "Sable", "Tove", "Vela", "Zeph",
	"Aiko", "Bexa",	  "Cyra",  "Dax",   "Elio", "Faye", "Gia",   "Halo", "Ines", "Jude",
	"Kit",	"Lior",	  "Mae",   "Nico",  "Odie", "Pax",  "Quin",  "Rue",  "Sol",  "Tae",
	"Zoë",	"Sólrún", "Ayşe",  "Łucja", "지수", "하늘", "Rin",   "Yuna", "Ari",  "Noor"};
static const char *const artist_second[] = {
	"Lane", "Vale", "Park", "Kim", "Cruz",	 "Moss",   "Reyes", "Stone", "Wren", "Fox",
	"Hart", "Blue", "West", "Ray", "Rivers", "Knight", "Cho",   "Ng",    "Lund", "Vega"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The smallest step >= want coprime with n, for a permutation i -> i * step mod n. */
static size_t coprime_step(size_t n, size_t want)
{
	for (size_t s = want % n ? want % n : 1;; s++) {
		size_t a = n, b = s;

		while (b) {
			size_t t = a % b;

			a = b;
			b = t;
		}
		if (a == 1)
			return s;
	}
}

/* Unique album names: a scrambled pair of words, then a volume number. */
static void album_name(char *buf, size_t i, struct rng *r)
{
	size_t n1 = COUNT(album_first), n2 = COUNT(album_second), m = n1 * n2;
	size_t j = (i % m) * coprime_step(m, 1237) % m;
	const char *a = album_first[j % n1], *b = album_second[j / n1];
	uint32_t style = below(r, 100);
	int k;

	if (style < 3)
		k = snprintf(buf, NAME_MAX_LEN, "%s, %s", a, b);
	else if (style < 5)
		k = snprintf(buf, NAME_MAX_LEN, "%s \"%s\"", a, b);
	else
		k = snprintf(buf, NAME_MAX_LEN, "%s %s", a, b);
	if (i >= m)
		snprintf(buf + k, NAME_MAX_LEN - (size_t)k, " Vol. %zu", i / m + 1);
}

static void artist_name(char *buf, size_t i, struct rng *r)
{
	size_t n1 = COUNT(artist_first), n2 = COUNT(artist_second);
	const char *a = artist_first[i % n1];
	uint32_t style = below(r, 100);

	if (i < n1 && style >= 6)
		snprintf(buf, NAME_MAX_LEN, "%s", a);
	else if (style < 3)
		snprintf(buf, NAME_MAX_LEN, "%s & %s", a, artist_first[below(r, (uint32_t)n1)]);
	else if (style < 4)
		snprintf(buf, NAME_MAX_LEN, "%s, %s & %s", a, artist_first[below(r, (uint32_t)n1)],
			 artist_first[below(r, (uint32_t)n1)]);
	else
		snprintf(buf, NAME_MAX_LEN, "%s %s", a, artist_second[(i / n1 + i) % n2]);
}

/*
 * Track j of an album: distinct words by a per-album offset and step, then a
 * part number; some get a featured artist (with a comma when there are two),
 * a quoted title, or " (Skit)" (and do not count toward album milestones).
 */
static void track_name(char *buf, size_t j, size_t off, size_t step, char **artists,
		       size_t nartists, int *counts, struct rng *r)
{
	size_t n = COUNT(track_words);
	const char *w = track_words[(off + j * step) % n];
	uint32_t style = below(r, 1000);
	int k;

	*counts = 1;
	if (style < 20)
		k = snprintf(buf, NAME_MAX_LEN, "\"%s\"", w);
	else
		k = snprintf(buf, NAME_MAX_LEN, "%s", w);
	if (j >= n)
		k += snprintf(buf + k, NAME_MAX_LEN - (size_t)k, " Pt. %zu", j / n + 1);
	if (style >= 20 && style < 70) {
		snprintf(buf + k, NAME_MAX_LEN - (size_t)k, " (feat. %s)",
			 artists[below(r, (uint32_t)nartists)]);
	} else if (style >= 70 && style < 90) {
		snprintf(buf + k, NAME_MAX_LEN - (size_t)k, " (feat. %s, %s)",
			 artists[below(r, (uint32_t)nartists)],
			 artists[below(r, (uint32_t)nartists)]);
	} else if (style >= 90 && style < 115) {
		snprintf(buf + k, NAME_MAX_LEN - (size_t)k, " (Skit)");
		*counts = 0;
	}
}

/* s as one CSV field at d (room for 2 * strlen(s) + 3): quoted when needed. */
static size_t csv_field(char *d, const char *s)
{
	size_t n = 0;

	if (!strpbrk(s, ",\"\r\n") && s[0] != ' ' && (!*s || s[strlen(s) - 1] != ' ')) {
		n = strlen(s);
		memcpy(d, s, n);
		return n;
	}
	d[n++] = '"';
	for (; *s; s++) {
		if (*s == '"')
			d[n++] = '"';
		d[n++] = *s;
	}
	d[n++] = '"';
	return n;
}

/* ---- the model --------------------------------------------------------- */

struct album {
	char *name;
	uint32_t artist;
	int32_t release;
};

struct track {
	char *name;
	char *prefix; /* "artist,album,track" as CSV */
	size_t prefix_len;
	uint32_t album;
	int counts;
	int single;			/* released before its album */
	int32_t release;		/* first day with streams */
	int32_t bump_day;		/* a single's album release: a second spike */
	double base;			/* long-run daily streams */
	double fast, slow, bump, viral; /* decaying parts of the daily level */
	double fast_r, slow_r, viral_r; /* their daily decay factors */
	double bump_size;
	double weekly; /* amplitude of the weekly cycle */
	double noise;  /* sd of the multiplicative noise */
	int64_t total;
};

/* cos(2 pi (d - 4) / 7) by weekday, Monday first: streams peak on Friday. */
static const double weekly_wave[7] = {-0.9009688679, -0.9009688679, -0.2225209340, 0.6234898019,
				      1.0,	     0.6234898019,  -0.2225209340};

/* Monday 0 ... Sunday 6; day 0 (1970-01-01) was a Thursday. */
static int weekday(int32_t day)
{
	return (int)(((day + 3) % 7 + 7) % 7);
}

/* Streams of track t on day (t's days must be stepped through in order). */
static int64_t step(struct track *t, int32_t day, struct rng *r)
{
	double level, v;
	int64_t n;

	if (day == t->bump_day)
		t->bump = t->bump_size;
	if (chance(r, VIRAL_PPM)) {
		t->viral += (t->base + t->slow) * between(r, 0.5, 4.0);
		t->viral_r = between(r, 0.85, 0.97);
	}
	level = t->base + t->fast + t->slow + t->bump + t->viral;
	v = level * (1.0 + t->weekly * weekly_wave[weekday(day)]) * (1.0 + t->noise * normal(r));
	t->fast *= t->fast_r;
	t->slow *= t->slow_r;
	t->bump *= t->fast_r;
	t->viral *= t->viral_r;
	n = v < 0.0 ? 0 : (int64_t)(v + 0.5);
	t->total += n;
	return n;
}

struct options {
	size_t albums, tracks_per_album, days;
	int32_t start;
	uint64_t seed;
	const char *catalog, *output;
};

static struct album *make_albums(const struct options *o, char ***artists_out, size_t *nartists,
				 struct rng *r)
{
	size_t na = o->albums / 5 ? o->albums / 5 : 1;
	char **artists = xmalloc(na * sizeof(*artists));
	struct album *albums = xmalloc(o->albums * sizeof(*albums));
	char buf[NAME_MAX_LEN];
	/* Releases over two years that end a quarter into the window written. */
	int32_t last = o->start + (int32_t)(o->days / 4);

	struct ss_intern seen;

	/* distinct names: albums are told apart by artist and title */
	ss_intern_init(&seen);
	for (size_t i = 0; i < na; i++) {
		int added;

		artist_name(buf, i, r);
		ss_intern_add(&seen, SS_NONE, buf, strlen(buf), &added);
		if (!added) {
			size_t k = strlen(buf);
			snprintf(buf + k, NAME_MAX_LEN - k, " %zu", i);
			ss_intern_add(&seen, SS_NONE, buf, strlen(buf), NULL);
		}
		artists[i] = xstrdup(buf);
	}
	ss_intern_release(&seen);
	size_t ns = COUNT(shared_titles);
	/* shared[t * na + a]: artist a has an album titled shared_titles[t] */
	unsigned char *shared = xcalloc(ns * na, 1);

	for (size_t i = 0; i < o->albums; i++) {
		int32_t day = last - 1 - (int32_t)below(r, 730);
		/* titles in pairs, so that even a small history repeats one */
		size_t t = (i / (2 * SHARED_EVERY)) % ns, a = below(r, (uint32_t)na);

		if (i % SHARED_EVERY == SHARED_EVERY - 1 && i / (2 * SHARED_EVERY * ns) < na / 2) {
			while (shared[t * na + a]) /* one artist, one album of a title */
				a = (a + 1) % na;
			shared[t * na + a] = 1;
			snprintf(buf, NAME_MAX_LEN, "%s", shared_titles[t]);
		} else {
			album_name(buf, i, r);
		}
		albums[i].name = xstrdup(buf);
		albums[i].artist = (uint32_t)a;
		albums[i].release = day - (weekday(day) - 4 + 7) % 7; /* a Friday */
	}
	free(shared);
	*artists_out = artists;
	*nartists = na;
	return albums;
}

static void init_track(struct track *t, double popularity, struct rng *r)
{
	double peak = popularity;

	t->base = peak * between(r, 0.02, 0.10);
	t->fast = (peak - t->base) * between(r, 0.55, 0.80);
	t->slow = peak - t->base - t->fast;
	t->fast_r = between(r, 0.55, 0.85);
	t->slow_r = between(r, 0.95, 0.993);
	t->bump = t->viral = 0.0;
	t->viral_r = 0.9;
	t->bump_size = t->single ? t->fast * between(r, 0.2, 0.5) : 0.0;
	t->weekly = between(r, 0.02, 0.09);
	t->noise = between(r, 0.03, 0.08);
	t->total = 0;
}

static struct track *make_tracks(const struct options *o, const struct album *albums,
				 char **artists, size_t nartists, struct rng *r)
{
	size_t n = o->albums * o->tracks_per_album, k = 0;
	struct track *tracks = xcalloc(n ? n : 1, sizeof(*tracks));
	char buf[NAME_MAX_LEN], line[6 * NAME_MAX_LEN + 8];

	for (size_t a = 0; a < o->albums; a++) {
		const struct album *al = &albums[a];
		double pop = lognormal(r, 60000.0, 1.3);
		size_t off = below(r, (uint32_t)COUNT(track_words));
		size_t step_ = coprime_step(COUNT(track_words), 1 + below(r, 40));
		size_t title = below(r, (uint32_t)o->tracks_per_album);
		size_t singles = below(r, 10) == 0 ? 1 + below(r, 2) : 0;

		for (size_t j = 0; j < o->tracks_per_album; j++, k++) {
			struct track *t = &tracks[k];
			size_t len;

			track_name(buf, j, off, step_, artists, nartists, &t->counts, r);
			t->name = xstrdup(buf);
			t->album = (uint32_t)a;
			/* The title track, the first single, is the album's biggest. */
			t->single = t->counts &&
				    ((j == title && singles >= 1) ||
				     (singles == 2 && j == (title + 1) % o->tracks_per_album));
			t->release = al->release;
			t->bump_day = INT32_MAX;
			if (t->single) {
				t->release = al->release - 7 * (int32_t)(2 + below(r, 7));
				t->bump_day = al->release;
			}
			init_track(t,
				   pop * lognormal(r, 1.0, 0.45) * (j == title ? 2.0 : 1.0) *
					   (t->single ? 1.5 : 1.0) * (t->counts ? 1.0 : 0.2),
				   r);
			len = csv_field(line, artists[al->artist]);
			line[len++] = ',';
			len += csv_field(line + len, al->name);
			line[len++] = ',';
			len += csv_field(line + len, t->name);
			t->prefix = xstrndup(line, len);
			t->prefix_len = len;
		}
	}
	return tracks;
}

/* ---- output ------------------------------------------------------------ */

struct out {
	FILE *f;
	char *buf;
	size_t n;
	int failed;
};

static void out_flush(struct out *o)
{
	if (o->n && fwrite(o->buf, 1, o->n, o->f) != o->n)
		o->failed = 1;
	o->n = 0;
}

static char *put_u64(char *p, uint64_t v)
{
	char tmp[24];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

/* Append one row; the caller made room (see row_room()). */
static size_t put_row(char *p0, const char *date, const struct track *t, int64_t streams)
{
	char *p = p0;

	memcpy(p, date, SS_DATE_LEN);
	p += SS_DATE_LEN;
	*p++ = ',';
	memcpy(p, t->prefix, t->prefix_len);
	p += t->prefix_len;
	*p++ = ',';
	p = put_u64(p, (uint64_t)streams);
	*p++ = ',';
	p = put_u64(p, (uint64_t)t->total);
	*p++ = '\n';
	return (size_t)(p - p0);
}

/* Bytes put_row() may write: date, names, two counts of up to 20 digits, 4 separators. */
static size_t row_room(const struct track *t)
{
	return SS_DATE_LEN + t->prefix_len + 2 * COUNT_DIGITS + 4;
}

static int write_catalog(const char *path, const struct options *o, const struct album *albums,
			 char **artists, const struct track *tracks)
{
	FILE *f = fopen(path, "w");
	char line[6 * NAME_MAX_LEN + 64], ad[SS_DATE_LEN + 1], td[SS_DATE_LEN + 1];
	size_t n = o->albums * o->tracks_per_album;
	int bad;

	if (!f) {
		fprintf(stderr, "gen: %s: %s\n", path, strerror(errno));
		return -1;
	}
	fputs("album,artist,album_release_date,track,track_release_date,counts\n", f);
	for (size_t k = 0; k < n; k++) {
		const struct track *t = &tracks[k];
		const struct album *al = &albums[t->album];
		size_t len = csv_field(line, al->name);

		line[len++] = ',';
		len += csv_field(line + len, artists[al->artist]);
		line[len] = '\0';
		ss_date_format(al->release, ad);
		/* Only singles carry their own date; the others take the album's. */
		td[0] = '\0';
		if (t->single)
			ss_date_format(t->release, td);
		fprintf(f, "%s,%s,", line, ad);
		len = csv_field(line, t->name);
		line[len] = '\0';
		fprintf(f, "%s,%s,%s\n", line, td, t->counts ? "yes" : "no");
	}
	bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		fprintf(stderr, "gen: %s: write failed\n", path);
		return -1;
	}
	return 0;
}

/* Day by day, every released track; duplicates go at the end of the day. */
static int write_history(const struct options *o, struct track *tracks, size_t n, struct rng *r)
{
	static const char header[] = "date,artist,album,track,streams,total\n";
	struct out out = {NULL, NULL, 0, 0};
	char *dup = NULL;
	size_t duplen = 0, dupcap = 0;
	char date[SS_DATE_LEN + 1];
	int bad;

	out.f = o->output ? fopen(o->output, "w") : stdout;
	if (!out.f) {
		fprintf(stderr, "gen: %s: %s\n", o->output, strerror(errno));
		return -1;
	}
	out.buf = xmalloc(OUT_BUF);
	out.n = strlen(header);
	memcpy(out.buf, header, out.n);

	/* Streams before the first day written still count in the totals. */
	for (size_t k = 0; k < n; k++)
		for (int32_t d = tracks[k].release; d < o->start; d++)
			(void)step(&tracks[k], d, r);

	for (int32_t d = o->start; d < o->start + (int32_t)o->days && !out.failed; d++) {
		ss_date_format(d, date);
		duplen = 0;
		for (size_t k = 0; k < n; k++) {
			struct track *t = &tracks[k];
			int64_t s;
			size_t len;

			if (d < t->release)
				continue;
			s = step(t, d, r);
			if (d != t->release && d != o->start && chance(r, MISSING_PPM))
				continue;
			if (out.n + row_room(t) > OUT_BUF)
				out_flush(&out);
			len = put_row(out.buf + out.n, date, t, s);
			if (chance(r, DUP_PPM)) {
				xgrow(&dup, &dupcap, duplen + len, 1);
				memcpy(dup + duplen, out.buf + out.n, len);
				duplen += len;
			}
			out.n += len;
		}
		if (out.n + duplen > OUT_BUF)
			out_flush(&out);
		if (duplen > OUT_BUF) {
			if (fwrite(dup, 1, duplen, out.f) != duplen)
				out.failed = 1;
		} else if (duplen) {
			memcpy(out.buf + out.n, dup, duplen);
			out.n += duplen;
		}
	}
	out_flush(&out);
	free(out.buf);
	free(dup);
	bad = ferror(out.f) || out.failed;
	if (o->output)
		bad |= fclose(out.f) != 0;
	else
		bad |= fflush(out.f) != 0;
	if (bad) {
		fprintf(stderr, "gen: %s: write failed\n", o->output ? o->output : "stdout");
		return -1;
	}
	return 0;
}

/* ---- main -------------------------------------------------------------- */

static const char usage_text[] =
	"usage: gen [options] > history.csv\n"
	"\n"
	"Write a deterministic, realistic stream history (CSV) for benchmarks.\n"
	"\n"
	"Options:\n"
	"      --albums N            albums (default 1500)\n"
	"      --tracks-per-album N  tracks on each album (default 12)\n"
	"      --days N              days written (default 365)\n"
	"      --start DATE          first day written, YYYY-MM-DD (default 2023-01-01)\n"
	"      --seed S              random seed (default 1)\n"
	"      --catalog FILE        also write the matching catalog to FILE\n"
	"  -o, --output FILE         write the history to FILE, not stdout\n"
	"  -h, --help                show this help\n";

static int parse_size(const char *arg, const char *name, size_t max, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (*arg < '0' || *arg > '9' || *end || errno || v > max) {
		fprintf(stderr, "gen: --%s: '%s' is not a whole number up to %zu\n", name, arg,
			max);
		return -1;
	}
	*out = (size_t)v;
	return 0;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {{"albums", required_argument, NULL, 'a'},
						 {"tracks-per-album", required_argument, NULL, 't'},
						 {"days", required_argument, NULL, 'd'},
						 {"start", required_argument, NULL, 's'},
						 {"seed", required_argument, NULL, 'S'},
						 {"catalog", required_argument, NULL, 'c'},
						 {"output", required_argument, NULL, 'o'},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	size_t seed = 1;
	int opt, bad = 0;

	o->albums = 1500;
	o->tracks_per_album = 12;
	o->days = 365;
	o->start = ss_date_from_ymd(2023, 1, 1);
	o->seed = 1;
	o->catalog = o->output = NULL;
	while ((opt = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			bad |= parse_size(optarg, "albums", 10000000, &o->albums);
			break;
		case 't':
			bad |= parse_size(optarg, "tracks-per-album", 1000, &o->tracks_per_album);
			break;
		case 'd':
			bad |= parse_size(optarg, "days", 36500, &o->days);
			break;
		case 's':
			if (ss_date_parse(optarg, strlen(optarg), &o->start) != SS_DATE_OK) {
				fprintf(stderr, "gen: --start: '%s' is not a date YYYY-MM-DD\n",
					optarg);
				bad = -1;
			}
			break;
		case 'S':
			bad |= parse_size(optarg, "seed", SIZE_MAX, &seed);
			o->seed = seed;
			break;
		case 'c':
			o->catalog = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		default:
			bad = -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "gen: unexpected argument '%s'\n", argv[optind]);
		bad = -1;
	}
	if (!bad && (o->albums == 0 || o->tracks_per_album == 0 || o->days == 0)) {
		fprintf(stderr, "gen: --albums, --tracks-per-album and --days must be > 0\n");
		bad = -1;
	}
	if (bad)
		fputs(usage_text, stderr);
	return bad ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct options o;
	struct rng r;
	struct album *albums;
	struct track *tracks;
	char **artists;
	size_t nartists, n;
	int status = 0;

	if (parse_options(argc, argv, &o) < 0)
		return 2;
	r.s = o.seed;
	n = o.albums * o.tracks_per_album;
	albums = make_albums(&o, &artists, &nartists, &r);
	tracks = make_tracks(&o, albums, artists, nartists, &r);
	if (o.catalog && write_catalog(o.catalog, &o, albums, artists, tracks) < 0)
		status = 1;
	if (status == 0 && write_history(&o, tracks, n, &r) < 0)
		status = 1;

	for (size_t k = 0; k < n; k++) {
		free(tracks[k].name);
		free(tracks[k].prefix);
	}
	for (size_t a = 0; a < o.albums; a++)
		free(albums[a].name);
	for (size_t i = 0; i < nartists; i++)
		free(artists[i]);
	free(tracks);
	free(albums);
	free(artists);
	return status;
}
