/*
 * intern.c - an open-addressing hash table over a chunked string pool.
 */
#include <stdlib.h>
#include <string.h>

#include "streamstat/intern.h"
#include "streamstat/xalloc.h"

#define CHUNK ((size_t)64 * 1024)

void ss_intern_init(struct ss_intern *t)
{
	memset(t, 0, sizeof(*t));
}

void ss_intern_release(struct ss_intern *t)
{
	for (size_t i = 0; i < t->nchunks; i++)
		free(t->chunks[i]);
	free(t->chunks);
	free(t->slots);
	free(t->ent);
	ss_intern_init(t);
}

/* FNV-1a over the name, mixed with the parent. */
static uint32_t hash_name(uint32_t parent, const char *s, size_t len)
{
	uint32_t h = 2166136261u ^ (parent * 0x9e3779b9u);

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	h ^= h >> 15;
	h *= 0x2c1b3c6du;
	h ^= h >> 12;
	return h;
}

static uint32_t lookup(const struct ss_intern *t, uint32_t parent, const char *s, size_t len,
		       uint32_t h, size_t *slot)
{
	size_t mask = t->nslots - 1, i = h & mask;

	for (;; i = (i + 1) & mask) {
		uint32_t v = t->slots[i];
		const struct ss_intern_entry *e;

		if (v == 0) {
			*slot = i;
			return SS_NONE;
		}
		e = &t->ent[v - 1];
		if (e->hash == h && e->parent == parent && e->len == len &&
		    memcmp(e->name, s, len) == 0)
			return v - 1;
	}
}

uint32_t ss_intern_find(const struct ss_intern *t, uint32_t parent, const char *s, size_t len)
{
	size_t slot;

	if (!t->nslots)
		return SS_NONE;
	return lookup(t, parent, s, len, hash_name(parent, s, len), &slot);
}

static void rehash(struct ss_intern *t)
{
	size_t n = t->nslots ? t->nslots * 2 : 64, mask = n - 1;
	uint32_t *slots = xcalloc(n, sizeof(*slots));

	for (size_t id = 0; id < t->n; id++) {
		size_t i = t->ent[id].hash & mask;

		while (slots[i])
			i = (i + 1) & mask;
		slots[i] = (uint32_t)id + 1;
	}
	free(t->slots);
	t->slots = slots;
	t->nslots = n;
}

static const char *pool_copy(struct ss_intern *t, const char *s, size_t len)
{
	char *p;

	if (len + 1 > t->avail) {
		size_t size = len + 1 > CHUNK ? len + 1 : CHUNK;

		xgrow(&t->chunks, &t->chunkcap, t->nchunks + 1, sizeof(*t->chunks));
		t->chunks[t->nchunks++] = xmalloc(size);
		t->used = 0;
		t->avail = size;
	}
	p = t->chunks[t->nchunks - 1] + t->used;
	memcpy(p, s, len);
	p[len] = '\0';
	t->used += len + 1;
	t->avail -= len + 1;
	t->bytes += len + 1;
	return p;
}

uint32_t ss_intern_add(struct ss_intern *t, uint32_t parent, const char *s, size_t len, int *added)
{
	uint32_t h = hash_name(parent, s, len), id;
	size_t slot;
	struct ss_intern_entry *e;

	if (added)
		*added = 0;
	if (!t->nslots)
		rehash(t);
	id = lookup(t, parent, s, len, h, &slot);
	if (id != SS_NONE)
		return id;
	if (len >= UINT32_MAX || t->n >= SS_NONE - 1)
		return SS_NONE;
	if ((t->n + 1) * 4 > t->nslots * 3) {
		rehash(t);
		(void)lookup(t, parent, s, len, h, &slot);
	}
	xgrow(&t->ent, &t->cap, t->n + 1, sizeof(*t->ent));
	e = &t->ent[t->n];
	e->name = pool_copy(t, s, len);
	e->len = (uint32_t)len;
	e->parent = parent;
	e->hash = h;
	t->slots[slot] = (uint32_t)t->n + 1;
	if (added)
		*added = 1;
	return (uint32_t)t->n++;
}
