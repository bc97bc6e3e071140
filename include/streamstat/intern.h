/*
 * intern.h - string interning: each distinct (parent, name) gets a small id.
 *
 * Album names are interned with parent SS_NONE, track names with their
 * album's id as parent, so two albums may both have a track called "Intro".
 * Ids count up from 0 in the order names are first added.  The table copies
 * names into its own pool: callers may pass transient buffers.
 *
 * Ownership: the table owns its names; ss_intern_release() frees them, after
 * which every pointer ss_intern_name() returned is invalid.
 */
#ifndef STREAMSTAT_INTERN_H
#define STREAMSTAT_INTERN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SS_NONE UINT32_MAX

struct ss_intern_entry {
	const char *name; /* NUL-terminated, in the pool */
	uint32_t len;
	uint32_t parent;
	uint32_t hash;
};

struct ss_intern {
	uint32_t *slots; /* open addressing: entry id + 1, 0 = empty */
	size_t nslots;
	struct ss_intern_entry *ent;
	size_t n, cap;
	char **chunks; /* the pool: names are never moved */
	size_t nchunks, chunkcap;
	size_t used, avail; /* bytes used of, and left in, the newest chunk */
	size_t bytes;	    /* name bytes held, NULs included */
};

/* An empty table; allocates nothing. */
void ss_intern_init(struct ss_intern *t);
void ss_intern_release(struct ss_intern *t);

/* The id of (parent, s[0..len)), or SS_NONE. */
uint32_t ss_intern_find(const struct ss_intern *t, uint32_t parent, const char *s, size_t len);

/* The id of (parent, s[0..len)), added if new (then *added is set to 1). */
uint32_t ss_intern_add(struct ss_intern *t, uint32_t parent, const char *s, size_t len, int *added);

static inline const char *ss_intern_name(const struct ss_intern *t, uint32_t id)
{
	return t->ent[id].name;
}

/* Whether entry id is the name s[0..len): a cheap check of a cached id. */
static inline int ss_intern_is(const struct ss_intern *t, uint32_t id, const char *s, size_t len)
{
	return t->ent[id].len == len && memcmp(t->ent[id].name, s, len) == 0;
}

#endif
