/*
 * changes.c - compare this run with the previous report's JSON summary
 * (see changes.h).
 *
 * The previous summary is read with a small pull parser over the mapped
 * file, not as a jansson tree: of a summary of 18,000 tracks (80 MB) only
 * the names, the crossings' dates, intervals and ranks, the models and the
 * warnings are kept, everything else is skipped byte by byte, and memory
 * stays a few bytes per crossing.  Albums and tracks go into one hash table
 * on (artist, album, track), so that each of this run's is found at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "streamstat/changes.h"
#include "streamstat/date.h"
#include "streamstat/number.h"
#include "streamstat/problems.h"
#include "streamstat/report.h"
#include "streamstat/utf8.h"
#include "streamstat/xalloc.h"

/* ---- the index -------------------------------------------------------- */

/* An entry as stored: names at offsets into the arena, crossings a run of
 * the crossings array. */
struct entry {
	uint64_t hash;
	uint32_t artist, album, track; /* arena offsets; track 0: an album */
	uint32_t model;		       /* arena offset; 0: none */
	uint32_t first, n;	       /* crossings */
	uint8_t has_artist;	       /* 0: no "artist" key (matches any) */
	uint8_t is_track;
};

/* A warning of the previous report: "file\0kind\0message" in the arena. */
struct warning {
	uint64_t hash;
	uint32_t key, len;
	uint32_t left; /* not yet matched */
};

struct ss_prev {
	int32_t as_of;
	int has_warnings;
	char *arena; /* offset 0 is "", so that 0 can mean none */
	size_t alen, acap;
	struct entry *e;
	size_t ne, ecap;
	struct ss_prev_crossing *c;
	size_t nc, ccap;
	struct ss_prev_entry *pub; /* pub[i] for e[i], made when loaded */
	uint32_t *slot;		   /* hash table of entries: index + 1, 0 empty */
	size_t nslot;
	struct warning *w;
	size_t nw, wcap;
	uint32_t *wslot;
	size_t nwslot;
};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211u;
	return h;
}

#define FNV_SEED 14695981039346656037u

static uint64_t entry_hash(int has_artist, const char *artist, const char *album, const char *track)
{
	unsigned char tag[2] = {(unsigned char)has_artist, (unsigned char)(track != NULL)};
	uint64_t h = fnv(FNV_SEED, tag, 2);

	if (has_artist)
		h = fnv(h, artist, strlen(artist) + 1);
	h = fnv(h, album, strlen(album) + 1);
	return track ? fnv(h, track, strlen(track) + 1) : h;
}

static uint32_t keep(struct ss_prev *p, const char *s, size_t n)
{
	uint32_t at = (uint32_t)p->alen;

	xgrow(&p->arena, &p->acap, p->alen + n + 1, 1);
	memcpy(p->arena + at, s, n);
	p->arena[at + n] = '\0';
	p->alen += n + 1;
	return at;
}

static int entry_is(const struct ss_prev *p, const struct entry *e, uint64_t h, int has_artist,
		    const char *artist, const char *album, const char *track)
{
	return e->hash == h && e->has_artist == has_artist && e->is_track == (track != NULL) &&
	       (!has_artist || strcmp(p->arena + e->artist, artist) == 0) &&
	       strcmp(p->arena + e->album, album) == 0 &&
	       (!track || strcmp(p->arena + e->track, track) == 0);
}

static const struct ss_prev_entry *lookup(const struct ss_prev *p, int has_artist,
					  const char *artist, const char *album, const char *track)
{
	uint64_t h = entry_hash(has_artist, artist, album, track);

	if (!p->nslot)
		return NULL;
	for (size_t i = h & (p->nslot - 1);; i = (i + 1) & (p->nslot - 1)) {
		uint32_t s = p->slot[i];
		if (!s)
			return NULL;
		if (entry_is(p, &p->e[s - 1], h, has_artist, artist, album, track))
			return &p->pub[s - 1];
	}
}

const struct ss_prev_entry *ss_prev_find(const struct ss_prev *p, const char *artist,
					 const char *album, const char *track)
{
	const struct ss_prev_entry *e;

	if (!p)
		return NULL;
	e = lookup(p, 1, artist ? artist : "", album, track);
	return e ? e : lookup(p, 0, NULL, album, track);
}

const struct ss_prev_crossing *ss_prev_crossing_of(const struct ss_prev_entry *e, int64_t milestone)
{
	for (size_t i = 0; e && i < e->n; i++)
		if (e->c[i].milestone == milestone)
			return &e->c[i];
	return NULL;
}

static size_t table_size(size_t n)
{
	size_t size = 16;

	while (size < 2 * n)
		size *= 2;
	return size;
}

/* Index the entries (the first of equal keys wins, as a scan would find)
 * and make the public views, once the arrays no longer move. */
static void build_index(struct ss_prev *p)
{
	p->nslot = table_size(p->ne);
	p->slot = xcalloc(p->nslot, sizeof *p->slot);
	p->pub = xcalloc(p->ne ? p->ne : 1, sizeof *p->pub);
	for (size_t k = 0; k < p->ne; k++) {
		const struct entry *e = &p->e[k];
		const char *track = e->is_track ? p->arena + e->track : NULL;
		size_t i = e->hash & (p->nslot - 1);

		p->pub[k].c = p->c + e->first;
		p->pub[k].n = e->n;
		p->pub[k].model = e->model ? p->arena + e->model : NULL;
		for (; p->slot[i]; i = (i + 1) & (p->nslot - 1))
			if (entry_is(p, &p->e[p->slot[i] - 1], e->hash, e->has_artist,
				     p->arena + e->artist, p->arena + e->album, track))
				break;
		if (!p->slot[i])
			p->slot[i] = (uint32_t)k + 1;
	}
	p->nwslot = table_size(p->nw);
	p->wslot = xcalloc(p->nwslot, sizeof *p->wslot);
	for (size_t k = 0; k < p->nw; k++) {
		size_t i = p->w[k].hash & (p->nwslot - 1);
		while (p->wslot[i])
			i = (i + 1) & (p->nwslot - 1);
		p->wslot[i] = (uint32_t)k + 1;
	}
}

int32_t ss_prev_as_of(const struct ss_prev *p)
{
	return p ? p->as_of : SS_DAY_NONE;
}

int ss_prev_has_warnings(const struct ss_prev *p)
{
	return p && p->has_warnings;
}

void ss_prev_free(struct ss_prev **pp)
{
	struct ss_prev *p = pp ? *pp : NULL;

	if (!p)
		return;
	free(p->arena);
	free(p->e);
	free(p->c);
	free(p->pub);
	free(p->slot);
	free(p->w);
	free(p->wslot);
	free(p);
	*pp = NULL;
}

/* "file\0kind\0message" of a problem, into buf (grown as needed): its length. */
static size_t warning_key(char **buf, size_t *cap, const char *file, const char *kind,
			  const char *msg)
{
	size_t a = strlen(file) + 1, b = strlen(kind) + 1, c = strlen(msg);

	xgrow(buf, cap, a + b + c + 1, 1);
	memcpy(*buf, file, a);
	memcpy(*buf + a, kind, b);
	memcpy(*buf + a + b, msg, c + 1);
	return a + b + c;
}

size_t ss_prev_match_warnings(struct ss_prev *p, const struct ss_dataset *ds, uint8_t *old)
{
	const struct ss_problems *pr = &ds->problems;
	char *key = NULL;
	size_t cap = 0, matched = 0;

	for (size_t k = 0; k < pr->n; k++) {
		const struct ss_problem *q = &pr->list[k];
		old[k] = 0;
		if (!p || !p->nwslot || ss_problem_severity(q->kind) < SS_SEV_WARNING)
			continue;
		size_t len = warning_key(&key, &cap, ds->files[q->file].path,
					 ss_problem_kind_name(q->kind), q->msg);
		uint64_t h = fnv(FNV_SEED, key, len);
		for (size_t i = h & (p->nwslot - 1); p->wslot[i]; i = (i + 1) & (p->nwslot - 1)) {
			struct warning *w = &p->w[p->wslot[i] - 1];
			if (w->hash == h && w->len == len && w->left &&
			    memcmp(p->arena + w->key, key, len) == 0) {
				w->left--;
				old[k] = 1;
				matched++;
				break;
			}
		}
	}
	free(key);
	return matched;
}

/* ---- reading the summary ---------------------------------------------- */

/* A pull parser over [p, end): each reader returns 0 (or a count) on
 * success, -1 with what and at set on the first error. */
struct jr {
	const char *base, *p, *end;
	const char *kept; /* mapped pages before this were handed back */
	const char *what; /* the first error */
	const char *at;	  /* where */
	char *buf;	  /* the last string read, decoded */
	size_t cap;
};

static int fail(struct jr *j, const char *what)
{
	if (!j->what) {
		j->what = what;
		j->at = j->p;
	}
	return -1;
}

static void sp(struct jr *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t'))
		j->p++;
}

/* Is the next byte c?  Then step over it. */
static int eat(struct jr *j, char c)
{
	sp(j);
	if (j->p < j->end && *j->p == c) {
		j->p++;
		return 1;
	}
	return 0;
}

static int hex4(const char *s, uint32_t *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9'   ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
					       : -1;
		if (d < 0)
			return -1;
		*v = *v << 4 | (uint32_t)d;
	}
	return 0;
}

/* A string, decoded into j->buf (NUL-terminated): its length, or -1. */
static long str(struct jr *j)
{
	size_t n = 0;

	sp(j);
	if (j->p >= j->end || *j->p != '"')
		return fail(j, "expected a string");
	j->p++;
	for (;;) {
		const char *s = j->p;
		while (s < j->end && *s != '"' && *s != '\\' && (unsigned char)*s >= 0x20)
			s++;
		xgrow(&j->buf, &j->cap, n + (size_t)(s - j->p) + 8, 1);
		memcpy(j->buf + n, j->p, (size_t)(s - j->p));
		n += (size_t)(s - j->p);
		j->p = s;
		if (s >= j->end)
			return fail(j, "unterminated string");
		if (*s == '"')
			break;
		if (*s != '\\')
			return fail(j, "control character in a string");
		if (s + 1 >= j->end)
			return fail(j, "unterminated string");
		char c = s[1], e = 0;
		j->p = s + 2;
		switch (c) {
		case '"':
		case '\\':
		case '/':
			e = c;
			break;
		case 'b':
			e = '\b';
			break;
		case 'f':
			e = '\f';
			break;
		case 'n':
			e = '\n';
			break;
		case 'r':
			e = '\r';
			break;
		case 't':
			e = '\t';
			break;
		case 'u': {
			uint32_t cp, lo;
			if (j->end - j->p < 4 || hex4(j->p, &cp) != 0)
				return fail(j, "bad \\u escape");
			j->p += 4;
			if (cp >= 0xD800 && cp < 0xDC00) {
				if (j->end - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u' ||
				    hex4(j->p + 2, &lo) != 0 || lo < 0xDC00 || lo >= 0xE000)
					return fail(j, "bad surrogate pair");
				j->p += 6;
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			} else if (cp >= 0xDC00 && cp < 0xE000) {
				return fail(j, "bad surrogate pair");
			}
			n += ss_utf8_put(j->buf + n, cp);
			continue;
		}
		default:
			return fail(j, "bad escape in a string");
		}
		j->buf[n++] = e;
	}
	j->p++;
	j->buf[n] = '\0';
	return (long)n;
}

/* Step over a string without decoding it. */
static int skip_str(struct jr *j)
{
	const char *s = j->p + 1;

	for (;;) {
		const char *q = memchr(s, '"', (size_t)(j->end - s));
		if (!q) {
			j->p = j->end;
			return fail(j, "unterminated string");
		}
		/* a quote after an odd number of backslashes is escaped */
		const char *b = q;
		while (b > s && b[-1] == '\\')
			b--;
		s = q + 1;
		if ((q - b) % 2 == 0)
			break;
	}
	j->p = s;
	return 0;
}

/* Step over any value (its brackets are counted, not checked). */
static int skip(struct jr *j)
{
	long depth = 0;

	sp(j);
	do {
		if (j->p >= j->end)
			return fail(j, "the summary ends in the middle of a value");
		switch (*j->p) {
		case '"':
			if (skip_str(j) != 0)
				return -1;
			continue;
		case '{':
		case '[':
			depth++;
			break;
		case '}':
		case ']':
			if (--depth < 0)
				return fail(j, "unexpected closing bracket");
			break;
		default:
			if (depth == 0) { /* a number, true, false or null */
				const char *s = j->p;
				while (j->p < j->end && strchr(",}] \t\r\n", *j->p) == NULL)
					j->p++;
				return j->p > s ? 0 : fail(j, "expected a value");
			}
			break;
		}
		j->p++;
	} while (depth > 0);
	return 0;
}

static int is_null(struct jr *j)
{
	sp(j);
	if (j->end - j->p >= 4 && memcmp(j->p, "null", 4) == 0) {
		j->p += 4;
		return 1;
	}
	return 0;
}

/* A whole number, or null (*v = 0, returns 1). */
static int integer(struct jr *j, int64_t *v)
{
	char tmp[24];
	size_t n = 0;
	char *end;

	if (is_null(j)) {
		*v = 0;
		return 1;
	}
	while (j->p + n < j->end && n < sizeof tmp - 1 &&
	       ((j->p[n] >= '0' && j->p[n] <= '9') || (n == 0 && j->p[n] == '-')))
		n++;
	memcpy(tmp, j->p, n);
	tmp[n] = '\0';
	if (n == 0 || (n == 1 && tmp[0] == '-') ||
	    (j->p + n < j->end && strchr(".eE0123456789", j->p[n])))
		return fail(j, "expected a whole number");
	errno = 0;
	*v = strtoll(tmp, &end, 10);
	if (errno == ERANGE)
		return fail(j, "a whole number out of range");
	j->p += n;
	return 0;
}

/* A date "YYYY-MM-DD", or null (SS_DAY_NONE). */
static int date(struct jr *j, int32_t *day)
{
	long n;

	if (is_null(j)) {
		*day = SS_DAY_NONE;
		return 0;
	}
	if ((n = str(j)) < 0)
		return -1;
	if (ss_date_parse(j->buf, (size_t)n, day) != SS_DATE_OK)
		return fail(j, "expected a date YYYY-MM-DD");
	return 0;
}

static int boolean(struct jr *j, int *v)
{
	sp(j);
	if (j->end - j->p >= 4 && memcmp(j->p, "true", 4) == 0) {
		j->p += 4;
		*v = 1;
		return 0;
	}
	if (j->end - j->p >= 5 && memcmp(j->p, "false", 5) == 0) {
		j->p += 5;
		*v = 0;
		return 0;
	}
	return fail(j, "expected true or false");
}

/*
 * The next key of an object being read (*first: none read yet), into key
 * (cut to its size): 1, with the value next; 0 at the object's end; -1.
 */
static int next_key(struct jr *j, int *first, char *key, size_t size)
{
	long n;

	if (eat(j, '}'))
		return 0;
	if (!*first && !eat(j, ','))
		return fail(j, "expected ',' or '}'");
	*first = 0;
	if ((n = str(j)) < 0)
		return -1;
	snprintf(key, size, "%s", (size_t)n < size ? j->buf : "");
	if (!eat(j, ':'))
		return fail(j, "expected ':'");
	sp(j);
	return 1;
}

/* Is there another element in the array being read? 1, 0 at its end, -1. */
static int next_elem(struct jr *j, int *first)
{
	if (eat(j, ']'))
		return 0;
	if (!*first && !eat(j, ','))
		return fail(j, "expected ',' or ']'");
	*first = 0;
	sp(j);
	return 1;
}

static int open_obj(struct jr *j)
{
	return eat(j, '{') ? 0 : fail(j, "expected an object");
}

static int open_arr(struct jr *j)
{
	return eat(j, '[') ? 0 : fail(j, "expected an array");
}

static uint8_t status_of(const char *s)
{
	for (int k = 0; k < SS_MS_STATUS_COUNT; k++)
		if (strcmp(s, ss_ms_status_name((enum ss_ms_status)k)) == 0)
			return (uint8_t)k;
	return SS_MS_STATUS_COUNT;
}

/* One crossing object. */
static int crossing(struct jr *j, struct ss_prev_crossing *x)
{
	char key[16];
	int first = 1, r, open = 0;
	int64_t v;

	*x = (struct ss_prev_crossing){.day = SS_DAY_NONE, .lo = SS_DAY_NONE, .hi = SS_DAY_NONE};
	x->status = SS_MS_STATUS_COUNT;
	if (open_obj(j) != 0)
		return -1;
	while ((r = next_key(j, &first, key, sizeof key)) == 1) {
		if (strcmp(key, "milestone") == 0) {
			r = integer(j, &x->milestone);
		} else if (strcmp(key, "status") == 0) {
			r = str(j) < 0 ? -1 : 0;
			if (r == 0)
				x->status = status_of(j->buf);
		} else if (strcmp(key, "date") == 0) {
			r = date(j, &x->day);
		} else if (strcmp(key, "low") == 0) {
			r = date(j, &x->lo);
		} else if (strcmp(key, "high") == 0) {
			r = date(j, &x->hi);
		} else if (strcmp(key, "high_open") == 0) {
			r = boolean(j, &open);
		} else if (strcmp(key, "rank") == 0) {
			v = 0;
			r = integer(j, &v);
			x->rank = r == 0 && v > 0 && v <= UINT32_MAX ? (uint32_t)v : 0;
		} else {
			r = skip(j);
		}
		if (r < 0)
			return -1;
	}
	if (open && x->hi == SS_DAY_NONE)
		x->hi = SS_DAY_NEVER;
	return r;
}

/* An album (track 0) or a track of the summary's "albums" or "tracks". */
static int entry(struct jr *j, struct ss_prev *p, int is_track)
{
	char key[16];
	int first = 1, r;
	struct entry e = {.is_track = (uint8_t)is_track, .first = (uint32_t)p->nc};
	const char *list = is_track ? "milestones" : "all_tracks";
	long n;

	if (open_obj(j) != 0)
		return -1;
	while ((r = next_key(j, &first, key, sizeof key)) == 1) {
		uint32_t *name = strcmp(key, "album") == 0		 ? &e.album
				 : strcmp(key, "artist") == 0		 ? &e.artist
				 : is_track && strcmp(key, "track") == 0 ? &e.track
				 : is_track && strcmp(key, "model") == 0 ? &e.model
									 : NULL;
		if (name == &e.artist)
			e.has_artist = 1;
		if (name && is_null(j)) {
			*name = 0;
		} else if (name) {
			if ((n = str(j)) < 0)
				return -1;
			*name = keep(p, j->buf, (size_t)n);
		} else if (strcmp(key, list) == 0) {
			int f = 1;
			if (open_arr(j) != 0)
				return -1;
			while ((r = next_elem(j, &f)) == 1) {
				xgrow(&p->c, &p->ccap, p->nc + 1, sizeof *p->c);
				if (crossing(j, &p->c[p->nc]) != 0)
					return -1;
				p->nc++;
			}
			e.n = (uint32_t)(p->nc - e.first);
		} else {
			r = skip(j);
		}
		if (r < 0)
			return -1;
	}
	if (r < 0)
		return -1;
	if (!e.album || (is_track && !e.track))
		return fail(j, is_track ? "a track without \"album\" or \"track\""
					: "an album without \"album\"");
	e.hash = entry_hash(e.has_artist, p->arena + e.artist, p->arena + e.album,
			    is_track ? p->arena + e.track : NULL);
	xgrow(&p->e, &p->ecap, p->ne + 1, sizeof *p->e);
	p->e[p->ne++] = e;
	return 0;
}

#define RELEASE_BYTES (64u << 20)

/* Hand the pages read back to the kernel every RELEASE_BYTES: the parser
 * never returns to them, and a summary of 200,000 tracks is 900 MB. */
static void release_behind(struct jr *j)
{
	const char *kept = j->kept ? j->kept : j->base;

	if ((size_t)(j->p - kept) < RELEASE_BYTES)
		return;
	long page = sysconf(_SC_PAGESIZE);
	size_t n = (size_t)(j->p - kept) / (size_t)page * (size_t)page;
	madvise((void *)kept, n, MADV_DONTNEED);
	j->kept = kept + n;
}

static int entries(struct jr *j, struct ss_prev *p, int is_track)
{
	int first = 1, r;

	if (open_arr(j) != 0)
		return -1;
	while ((r = next_elem(j, &first)) == 1) {
		if (entry(j, p, is_track) != 0)
			return -1;
		release_behind(j);
	}
	return r;
}

/* "problems": its "warnings" array of {file, line, kind, message}. */
static int problems(struct jr *j, struct ss_prev *p)
{
	char key[16], *wk = NULL;
	size_t wcap = 0;
	int first = 1, r;

	if (open_obj(j) != 0)
		return -1;
	while ((r = next_key(j, &first, key, sizeof key)) == 1) {
		if (strcmp(key, "warnings") != 0) {
			if (skip(j) != 0) {
				r = -1;
				break;
			}
			continue;
		}
		int f = 1;
		p->has_warnings = 1;
		if (open_arr(j) != 0) {
			r = -1;
			break;
		}
		while ((r = next_elem(j, &f)) == 1) {
			char k2[16];
			int f2 = 1;
			uint32_t part[3] = {0, 0, 0}; /* file, kind, message */
			if (open_obj(j) != 0) {
				r = -1;
				break;
			}
			while ((r = next_key(j, &f2, k2, sizeof k2)) == 1) {
				int i = strcmp(k2, "file") == 0	     ? 0
					: strcmp(k2, "kind") == 0    ? 1
					: strcmp(k2, "message") == 0 ? 2
								     : -1;
				long n;
				if (i < 0) {
					r = skip(j);
				} else if ((n = str(j)) >= 0) {
					part[i] = keep(p, j->buf, (size_t)n);
				} else {
					r = -1;
				}
				if (r < 0)
					break;
			}
			if (r < 0)
				break;
			size_t len = warning_key(&wk, &wcap, p->arena + part[0], p->arena + part[1],
						 p->arena + part[2]);
			xgrow(&p->w, &p->wcap, p->nw + 1, sizeof *p->w);
			p->w[p->nw++] = (struct warning){.hash = fnv(FNV_SEED, wk, len),
							 .key = keep(p, wk, len),
							 .len = (uint32_t)len,
							 .left = 1};
		}
		if (r < 0)
			break;
	}
	free(wk);
	return r < 0 ? -1 : 0;
}

/* The line of position at, from 1. */
static unsigned long line_of(const char *base, const char *at)
{
	unsigned long line = 1;

	for (const char *s = base; s < at; s++) {
		s = memchr(s, '\n', (size_t)(at - s));
		if (!s)
			break;
		line++;
	}
	return line;
}

/* The summary's file mapped into *j; SS_OK, or an error. */
static enum ss_status map_file(const char *path, struct jr *j, size_t *len, struct ss_error *err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	void *m;

	memset(j, 0, sizeof *j);
	if (fd < 0 || fstat(fd, &st) != 0) {
		if (fd >= 0)
			close(fd);
		return ss_error_set(err, SS_ERR_NOINPUT, path, 0, "cannot open the summary: %s",
				    strerror(errno));
	}
	if (!S_ISREG(st.st_mode) || st.st_size == 0) {
		close(fd);
		return ss_error_set(err, SS_ERR_DATA, path, 0, "%s, not a JSON summary",
				    S_ISREG(st.st_mode) ? "an empty file" : "not a regular file");
	}
	*len = (size_t)st.st_size;
	m = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return ss_error_set(err, SS_ERR_NOINPUT, path, 0, "cannot read the summary: %s",
				    strerror(errno));
	madvise(m, *len, MADV_SEQUENTIAL);
	j->base = j->p = m;
	j->end = j->base + *len;
	return SS_OK;
}

static void unmap_file(struct jr *j, size_t len)
{
	if (j->base)
		munmap((void *)j->base, len);
	free(j->buf);
}

enum ss_status ss_prev_load(const char *path, struct ss_prev **out, struct ss_error *err)
{
	struct ss_prev *p = xcalloc(1, sizeof *p);
	struct jr j;
	size_t len = 0;
	char key[16];
	int first = 1, r = 0, seen_schema = 0;
	const char *schema_at = NULL;
	int64_t schema = 0;
	enum ss_status st;

	*out = NULL;
	p->as_of = SS_DAY_NONE;
	keep(p, "", 0);
	st = map_file(path, &j, &len, err);
	if (st != SS_OK) {
		ss_prev_free(&p);
		return st;
	}
	if (open_obj(&j) != 0)
		r = -1;
	while (r == 0 && (r = next_key(&j, &first, key, sizeof key)) == 1) {
		if (strcmp(key, "schema") == 0) {
			schema_at = j.p;
			r = integer(&j, &schema);
			if (r == 1) /* null */
				r = fail(&j, "expected a whole number");
			seen_schema = 1;
			/* read nothing more of a summary this version cannot read */
			if (r == 0 && (schema < SS_PREV_SCHEMA_MIN || schema > SS_REPORT_SCHEMA))
				break;
		} else if (!seen_schema) {
			j.what = "\"schema\" does not come first";
			j.at = j.p;
			r = -1;
		} else if (strcmp(key, "as_of") == 0) {
			r = date(&j, &p->as_of);
		} else if (strcmp(key, "problems") == 0) {
			r = problems(&j, p);
		} else if (strcmp(key, "albums") == 0) {
			r = entries(&j, p, 0);
		} else if (strcmp(key, "tracks") == 0) {
			r = entries(&j, p, 1);
		} else {
			r = skip(&j);
		}
	}
	if (r >= 0 && !seen_schema && !j.what) {
		j.what = "no \"schema\": not a streamstat JSON summary";
		j.at = j.base;
		r = -1;
	}
	if (r < 0) {
		st = ss_error_set(err, SS_ERR_DATA, path, line_of(j.base, j.at),
				  "%s: not a JSON summary this version can read", j.what);
	} else if (schema < SS_PREV_SCHEMA_MIN || schema > SS_REPORT_SCHEMA) {
		st = ss_error_set(err, SS_ERR_DATA, path, line_of(j.base, schema_at),
				  "summary schema %lld, which this version (reading schema %d to "
				  "%d) cannot compare with: was it written by another version "
				  "of streamstat?",
				  (long long)schema, SS_PREV_SCHEMA_MIN, SS_REPORT_SCHEMA);
	}
	unmap_file(&j, len);
	if (st != SS_OK) {
		ss_prev_free(&p);
		return st;
	}
	build_index(p);
	*out = p;
	return SS_OK;
}

int32_t ss_prev_peek_as_of(const char *path)
{
	struct jr j;
	size_t len = 0;
	char key[16];
	int first = 1;
	int32_t day = SS_DAY_NONE;

	if (map_file(path, &j, &len, NULL) != SS_OK)
		return SS_DAY_NONE;
	if (open_obj(&j) == 0)
		while (next_key(&j, &first, key, sizeof key) == 1) {
			if (strcmp(key, "as_of") == 0) {
				if (date(&j, &day) != 0)
					day = SS_DAY_NONE;
				break;
			}
			if (skip(&j) != 0)
				break;
		}
	unmap_file(&j, len);
	return day;
}

/* ---- the changes ------------------------------------------------------ */

const char *ss_change_kind_name(enum ss_change_kind k)
{
	static const char *const names[] = {"reached", "record", "rank", "moved", "model"};

	return (unsigned)k < SS_CH_KIND_COUNT ? names[k] : "?";
}

int32_t ss_change_moved(const struct ss_change *c, int *known)
{
	*known = c->was != SS_DAY_NONE && c->now != SS_DAY_NONE && c->was != SS_DAY_NEVER &&
		 c->now != SS_DAY_NEVER;
	return *known ? c->now - c->was : 0;
}

static void add(struct ss_changes *c, const struct ss_change *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add(struct ss_changes *c, const struct ss_change *what, const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	xgrow(&c->list, &c->cap, c->n + 1, sizeof *c->list);
	c->list[c->n] = *what;
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

/* The order of importance: an album's crossing, records, tracks'
 * crossings, ranks, albums' projections, tracks', models. */
static int importance(const struct ss_change *c)
{
	int album = c->track == SS_NONE;

	switch ((enum ss_change_kind)c->kind) {
	case SS_CH_REACHED:
		return album ? 0 : 2;
	case SS_CH_RECORD:
		return 1;
	case SS_CH_RANK:
		return 3;
	case SS_CH_MOVED:
		return album ? 4 : 5;
	default:
		return 6;
	}
}

/* A projected date worth reporting: within the horizon, moved by more than
 * moved_days, and out of the previous run's interval (when it had one). */
static int moved(const struct ss_crossing *x, const struct ss_prev_crossing *p, int32_t horizon_end,
		 int moved_days)
{
	if (x->status != SS_MS_PROJECTED || x->day == SS_DAY_NONE || x->day > horizon_end || !p ||
	    p->status != SS_MS_PROJECTED || p->day == SS_DAY_NONE ||
	    abs(x->day - p->day) <= moved_days)
		return 0;
	if (p->lo == SS_DAY_NONE || p->hi == SS_DAY_NONE)
		return 1; /* no interval: the days alone decide */
	return x->day < p->lo || (p->hi != SS_DAY_NEVER && x->day > p->hi);
}

/* The rank an observed or in-horizon crossing had before; 0: none. */
static uint32_t rank_before(const struct ss_prev_crossing *p)
{
	if (!p || (p->status != SS_MS_REACHED && p->status != SS_MS_PROJECTED))
		return 0;
	return p->rank;
}

/* Newly reached: not reached before, or, where the previous report did not
 * have it at all, reached after that report's date. */
static int newly_reached(const struct ss_crossing *x, const struct ss_prev_entry *e,
			 const struct ss_prev_crossing *p, int32_t since)
{
	if (x->status != SS_MS_REACHED)
		return 0;
	if (!e)
		return since != SS_DAY_NONE && x->day > since;
	return !p || p->status != SS_MS_REACHED;
}

/* How many of the report's albums are ranked for each milestone: ranked[k],
 * counted once for every album's news (per album it made the second night
 * quadratic: 200,000 tracks took 1.4 times the first). */
static size_t *ranked_albums(const struct ss_report *r)
{
	size_t K = r->ms->opt.nmilestones, *ranked = xcalloc(K ? K : 1, sizeof *ranked);

	for (size_t i = 0; i < r->nalbums; i++)
		for (size_t k = 0; k < K; k++)
			ranked[k] += r->ms->albums[r->albums[i]].all[k].rank != 0;
	return ranked;
}

static void album_changes(const struct ss_report *r, const struct ss_prev *prev, uint32_t a,
			  const size_t *nranked, int moved_days, struct ss_changes *c)
{
	const struct ss_dataset *ds = r->ds;
	const struct ss_album_ms *am = &r->ms->albums[a];
	char name[SS_ALBUM_LABEL_MAX];
	const struct ss_prev_entry *pa =
		ss_prev_find(prev, ss_album_artist(ds, a), ss_album_name(ds, a), NULL);
	char m[32], d1[SS_DATE_LEN + 1], d2[SS_DATE_LEN + 1];

	ss_album_label(ds, a, name, sizeof name);

	for (size_t k = 0; k < r->ms->opt.nmilestones; k++) {
		const struct ss_album_crossing *ax = &am->all[k];
		int64_t M = r->ms->opt.milestone[k];
		const struct ss_prev_crossing *p = ss_prev_crossing_of(pa, M);
		size_t ranked = nranked[k];
		uint32_t prank = rank_before(p);
		struct ss_change ch = {.album = a,
				       .track = SS_NONE,
				       .milestone = M,
				       .was = p && p->status == SS_MS_PROJECTED ? p->day
										: SS_DAY_NONE,
				       .now = ax->x.day};

		ss_milestone_format(M, m);
		/* a claim counting days from an inferred release date says so */
		const char *inferred =
			ax->rank_inferred ? ", counting days from inferred release dates" : "";
		char days[48];
		ss_ms_day_text(&r->ms->opt, &ax->x, ds->albums[a].release, days, sizeof days);
		if (newly_reached(&ax->x, pa, p, prev->as_of)) {
			char fastest[96] = "";
			ss_date_format(ax->x.day, d1);
			if (ax->rank == 1 && ranked > 1)
				snprintf(fastest, sizeof fastest, ", fastest of %zu%s", ranked,
					 inferred);
			ch.kind = SS_CH_REACHED;
			add(c, &ch,
			    "%s passed %s %s %s - every %s track is now past %s, day %s%s%s",
			    ax->bottleneck != SS_NONE ? ss_track_name(ds, ax->bottleneck) : "?", m,
			    ax->x.how == SS_HOW_BY ? "by" : "on", d1, name, m, days,
			    ds->albums[a].release_src == SS_SRC_INFERRED
				    ? " from an inferred release date"
				    : "",
			    fastest);
		}
		int observed = ax->x.status == SS_MS_REACHED;
		if (observed && ax->rank == 1 && ranked > 1 && p && p->rank != 1) {
			ch.kind = SS_CH_RECORD;
			add(c, &ch, "%s now holds the record for every track past %s (day %s%s)",
			    name, m, days, inferred);
		} else if (observed && ax->rank && prank && ax->rank != prank) {
			ch.kind = SS_CH_RANK;
			add(c, &ch, "%s: rank %u for every track past %s, was %u", name, ax->rank,
			    m, prank);
		}
		if (moved(&ax->x, p, r->ms->horizon_end, moved_days)) {
			ss_date_format(ax->x.day, d1);
			ss_date_format(p->day, d2);
			ch.kind = SS_CH_MOVED;
			add(c, &ch, "every %s track past %s: projected %s, was %s (%+d days)", name,
			    m, d1, d2, (int)(ax->x.day - p->day));
		}
	}
}

static void track_changes(const struct ss_report *r, const struct ss_prev *prev, uint32_t t,
			  int moved_days, struct ss_changes *c)
{
	const struct ss_dataset *ds = r->ds;
	const struct ss_track_ms *tm = &r->ms->tracks[t];
	uint32_t a = ds->tracks[t].album;
	const char *name = ss_track_name(ds, t);
	const struct ss_prev_entry *pt =
		ss_prev_find(prev, ss_album_artist(ds, a), ss_album_name(ds, a), name);
	const struct ss_prev_entry *pa =
		ss_prev_find(prev, ss_album_artist(ds, a), ss_album_name(ds, a), NULL);
	char album[SS_ALBUM_LABEL_MAX];
	char m[32], d1[SS_DATE_LEN + 1], d2[SS_DATE_LEN + 1];

	ss_album_label(ds, a, album, sizeof album);

	for (size_t k = 0; k < r->ms->opt.nmilestones; k++) {
		const struct ss_crossing *x = &tm->c[k];
		int64_t M = r->ms->opt.milestone[k];
		const struct ss_prev_crossing *p = ss_prev_crossing_of(pt, M);
		const struct ss_album_crossing *ax = &r->ms->albums[a].all[k];
		struct ss_change ch = {.album = a,
				       .track = t,
				       .milestone = M,
				       .was = p && p->status == SS_MS_PROJECTED ? p->day
										: SS_DAY_NONE,
				       .now = x->day};

		ss_milestone_format(M, m);
		/* the track that completes its album's milestone is in the album's line */
		int in_album_line =
			ax->bottleneck == t &&
			newly_reached(&ax->x, pa, ss_prev_crossing_of(pa, M), prev->as_of);
		if (newly_reached(x, pt, p, prev->as_of) && !in_album_line) {
			ss_date_format(x->day, d1);
			ch.kind = SS_CH_REACHED;
			add(c, &ch, "%s (%s) passed %s %s %s", name, album, m,
			    x->how == SS_HOW_BY ? "by" : "on", d1);
		}
		if (moved(x, p, r->ms->horizon_end, moved_days)) {
			ss_date_format(x->day, d1);
			ss_date_format(p->day, d2);
			ch.kind = SS_CH_MOVED;
			add(c, &ch, "%s (%s) past %s: projected %s, was %s (%+d days)", name, album,
			    m, d1, d2, (int)(x->day - p->day));
		}
	}
	const char *pm = pt ? pt->model : NULL;
	const char *cm = tm->model >= 0 ? ss_models[tm->model].name : NULL;
	if (pt && !(pm == cm || (pm && cm && strcmp(pm, cm) == 0))) {
		struct ss_change ch = {.kind = SS_CH_MODEL,
				       .album = a,
				       .track = t,
				       .was = SS_DAY_NONE,
				       .now = SS_DAY_NONE};
		add(c, &ch, "%s (%s): model %s, was %s", name, album, cm ? cm : "none",
		    pm ? pm : "none");
	}
}

#define IMPORTANCE_LEVELS 7

/* Order c's list by importance, keeping the order found (album order,
 * then track order) within one level. */
static void sort_by_importance(struct ss_changes *c)
{
	struct ss_change *sorted = xcalloc(c->n ? c->n : 1, sizeof *sorted);
	size_t at = 0;

	for (int level = 0; level < IMPORTANCE_LEVELS; level++)
		for (size_t i = 0; i < c->n; i++)
			if (importance(&c->list[i]) == level)
				sorted[at++] = c->list[i];
	free(c->list);
	c->list = sorted;
	c->cap = c->n ? c->n : 1;
}

void ss_changes_find(const struct ss_prev *prev, const struct ss_report *r, int moved_days,
		     struct ss_changes *out)
{
	uint32_t *order;

	memset(out, 0, sizeof *out);
	out->since = SS_DAY_NONE;
	if (!prev)
		return;
	out->since = prev->as_of;
	size_t *nranked = ranked_albums(r);
	for (size_t i = 0; i < r->nalbums; i++)
		album_changes(r, prev, r->albums[i], nranked, moved_days, out);
	free(nranked);
	size_t n = ss_report_tracks(r, &order);
	for (size_t i = 0; i < n; i++)
		track_changes(r, prev, order[i], moved_days, out);
	free(order);
	sort_by_importance(out);
}
