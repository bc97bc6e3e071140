/*
 * zipcheck.c - read a finished workbook back before it is published
 * (zipcheck.h).  Only what libxlsxwriter's zips use: one disk, stored or
 * deflated entries, zip64 sizes and offsets where the directory asks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "streamstat/xalloc.h"
#include "streamstat/zipcheck.h"
#include "streamstat/zipfmt.h"

#define CHUNK		  65536
#define EDGE		  512	     /* bytes kept of each part's start and end */
#define CONTENT_TYPES_MAX (1u << 20) /* [Content_Types].xml is kept whole */

struct entry {
	char *name;
	uint32_t crc;
	uint16_t method;
	uint64_t csize, usize, offset;
};

struct zip {
	int fd;
	const char *path;
	uint64_t size;
	struct entry *e;
	size_t n;
	char *types; /* [Content_Types].xml, NUL-terminated */
};

/* Read exactly n bytes at off; 0, or -1 (short or failed). */
static int read_at(const struct zip *z, void *buf, size_t n, uint64_t off)
{
	if (off > z->size || n > z->size - off)
		return -1;
	return ss_pread_all(z->fd, buf, n, off);
}

static enum ss_status damaged(const struct zip *z, struct ss_error *err, const char *part,
			      const char *what)
{
	if (part)
		return ss_error_set(err, SS_ERR_IO, z->path, 0,
				    "the finished workbook is damaged: part %s %s", part, what);
	return ss_error_set(err, SS_ERR_IO, z->path, 0, "the finished workbook is damaged: %s",
			    what);
}

/* The central directory's offset, size and entry count, from the end
 * record (and its zip64 form when the end record says so). */
static enum ss_status find_directory(struct zip *z, uint64_t *off, uint64_t *len, uint64_t *count,
				     struct ss_error *err)
{
	unsigned char tail[SS_ZIP_EOCD_LEN + 65535], loc[SS_ZIP_EOCD64_LOC_LEN], rec[56];
	size_t n = z->size < sizeof tail ? (size_t)z->size : sizeof tail;
	const unsigned char *e = NULL;

	if (n < SS_ZIP_EOCD_LEN || read_at(z, tail, n, z->size - n) != 0)
		return damaged(z, err, NULL, "it is too short to be a zip (cut off?)");
	for (size_t i = n - SS_ZIP_EOCD_LEN + 1; i-- > 0;)
		if (ss_le32(tail + i) == SS_ZIP_EOCD_SIG &&
		    i + SS_ZIP_EOCD_LEN + ss_le16(tail + i + 20) == n) {
			e = tail + i;
			break;
		}
	if (!e)
		return damaged(z, err, NULL, "it has no end of central directory (cut off?)");
	*count = ss_le16(e + 10);
	*len = ss_le32(e + 12);
	*off = ss_le32(e + 16);
	if (*count != 0xffff && *len != 0xffffffffu && *off != 0xffffffffu)
		return SS_OK;
	uint64_t at = z->size - n + (uint64_t)(e - tail);
	if (at < SS_ZIP_EOCD64_LOC_LEN ||
	    read_at(z, loc, sizeof loc, at - SS_ZIP_EOCD64_LOC_LEN) != 0 ||
	    ss_le32(loc) != SS_ZIP_EOCD64_LOC_SIG ||
	    read_at(z, rec, sizeof rec, ss_le64(loc + 8)) != 0 || ss_le32(rec) != SS_ZIP_EOCD64_SIG)
		return damaged(z, err, NULL, "its zip64 end of central directory is missing");
	*count = ss_le64(rec + 32);
	*len = ss_le64(rec + 40);
	*off = ss_le64(rec + 48);
	return SS_OK;
}

/* The zip64 extra field's values for the fields the entry marks 0xffffffff. */
static int zip64_extra(const unsigned char *x, size_t n, struct entry *en, uint32_t off32)
{
	while (n >= 4) {
		uint16_t id = ss_le16(x), len = ss_le16(x + 2);
		const unsigned char *v = x + 4;
		size_t left = len;

		if (4u + len > n)
			return -1;
		if (id == 0x0001) {
			uint64_t *fields[] = {en->usize == 0xffffffffu ? &en->usize : NULL,
					      en->csize == 0xffffffffu ? &en->csize : NULL,
					      off32 == 0xffffffffu ? &en->offset : NULL};
			for (size_t i = 0; i < 3; i++) {
				if (!fields[i])
					continue;
				if (left < 8)
					return -1;
				*fields[i] = ss_le64(v);
				v += 8;
				left -= 8;
			}
			return 0;
		}
		x += 4u + len;
		n -= 4u + len;
	}
	return 0;
}

static enum ss_status read_directory(struct zip *z, struct ss_error *err)
{
	uint64_t off = 0, len = 0, count = 0;
	enum ss_status s = find_directory(z, &off, &len, &count, err);
	unsigned char *d;
	size_t at = 0;

	if (s != SS_OK)
		return s;
	if (len > z->size || off > z->size - len || count > len / SS_ZIP_CDIR_LEN)
		return damaged(z, err, NULL, "its central directory lies outside the file");
	d = xmalloc(len ? (size_t)len : 1);
	if (read_at(z, d, (size_t)len, off) != 0) {
		free(d);
		return damaged(z, err, NULL, "its central directory cannot be read");
	}
	z->e = xcalloc(count ? (size_t)count : 1, sizeof *z->e);
	for (z->n = 0; z->n < count; z->n++) {
		struct entry *en = &z->e[z->n];
		const unsigned char *c = d + at;

		if (len - at < SS_ZIP_CDIR_LEN || ss_le32(c) != SS_ZIP_CDIR_SIG)
			break;
		size_t nl = ss_le16(c + 28), xl = ss_le16(c + 30), cl = ss_le16(c + 32);
		if (len - at < SS_ZIP_CDIR_LEN + nl + xl + cl)
			break;
		en->method = ss_le16(c + 10);
		en->crc = ss_le32(c + 16);
		en->csize = ss_le32(c + 20);
		en->usize = ss_le32(c + 24);
		en->offset = ss_le32(c + 42);
		en->name = xstrndup((const char *)c + SS_ZIP_CDIR_LEN, nl);
		if (zip64_extra(c + SS_ZIP_CDIR_LEN + nl, xl, en, ss_le32(c + 42)) != 0) {
			free(en->name);
			break;
		}
		at += SS_ZIP_CDIR_LEN + nl + xl + cl;
	}
	free(d);
	if (z->n != count)
		return damaged(z, err, NULL, "its central directory is cut short");
	return SS_OK;
}

static int ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* Is an XML part whole: its text ends with the closing tag of its root? */
static int xml_whole(const unsigned char *head, size_t nh, const unsigned char *tail, size_t nt,
		     uint64_t usize)
{
	size_t i = 0, name, nlen;
	char close[EDGE + 4];

	if (nh >= 5 && memcmp(head, "<?xml", 5) == 0) {
		while (i + 1 < nh && !(head[i] == '?' && head[i + 1] == '>'))
			i++;
		i += 2;
	}
	while (i < nh && (head[i] == ' ' || head[i] == '\r' || head[i] == '\n' || head[i] == '\t'))
		i++;
	if (i >= nh || head[i] != '<')
		return 0;
	name = ++i;
	while (i < nh && !strchr(" \t\r\n/>", head[i]))
		i++;
	nlen = i - name;
	if (nlen == 0 || i >= nh || nlen + 3 > sizeof close)
		return 0;
	while (nt > 0 && strchr(" \t\r\n", tail[nt - 1]))
		nt--;
	snprintf(close, sizeof close, "</%.*s>", (int)nlen, (const char *)head + name);
	if (ends_with((const char *)tail, nt, close))
		return 1;
	/* a root with no content, "<Relationships .../>", lies whole in head */
	return usize <= EDGE && ends_with((const char *)tail, nt, "/>") &&
	       memchr(head + i, '<', nh - i) == NULL;
}

static int is_xml_part(const char *name)
{
	size_t n = strlen(name);

	return ends_with(name, n, ".xml") || ends_with(name, n, ".rels");
}

/* What is kept of a part's text as it streams past. */
struct seen {
	unsigned char head[EDGE], tail[EDGE];
	size_t nh, nt;
	uint64_t total;
	uint32_t crc;
	char *keep; /* the whole text, up to CONTENT_TYPES_MAX, or NULL */
	size_t nkeep;
};

static void take(struct seen *w, const unsigned char *p, size_t n)
{
	w->crc = (uint32_t)crc32(w->crc, p, (uInt)n);
	w->total += n;
	if (w->nh < EDGE) {
		size_t c = n < EDGE - w->nh ? n : EDGE - w->nh;
		memcpy(w->head + w->nh, p, c);
		w->nh += c;
	}
	if (n >= EDGE) {
		memcpy(w->tail, p + n - EDGE, EDGE);
		w->nt = EDGE;
	} else if (n) {
		size_t keep = w->nt + n <= EDGE ? w->nt : EDGE - n;
		memmove(w->tail, w->tail + w->nt - keep, keep);
		memcpy(w->tail + keep, p, n);
		w->nt = keep + n;
	}
	if (w->keep && w->nkeep + n <= CONTENT_TYPES_MAX) {
		memcpy(w->keep + w->nkeep, p, n);
		w->nkeep += n;
	}
}

/* Stream entry en's data (stored or deflated) into w; NULL, or what is
 * wrong with it. */
static const char *stream_entry(const struct zip *z, const struct entry *en, struct seen *w)
{
	unsigned char local[SS_ZIP_LOCAL_LEN];
	unsigned char *in = xmalloc(CHUNK), *out = xmalloc(CHUNK);
	uint64_t at, left = en->csize;
	const char *bad = NULL;
	z_stream zs;

	memset(&zs, 0, sizeof zs);
	if (read_at(z, local, sizeof local, en->offset) != 0 ||
	    ss_le32(local) != SS_ZIP_LOCAL_SIG) {
		bad = "has no local header where the directory says";
		goto out;
	}
	at = en->offset + SS_ZIP_LOCAL_LEN + ss_le16(local + 26) + ss_le16(local + 28);
	if (en->method == 0) {
		while (left > 0 && !bad) {
			size_t k = left < CHUNK ? (size_t)left : CHUNK;
			if (read_at(z, in, k, at) != 0)
				bad = "is cut off before its end";
			else
				take(w, in, k);
			at += k;
			left -= k;
		}
		goto out;
	}
	if (en->method != 8) {
		bad = "is compressed by a method a workbook does not use";
		goto out;
	}
	if (inflateInit2(&zs, -MAX_WBITS) != Z_OK)
		xalloc_die(0);
	for (;;) {
		int zret;

		if (zs.avail_in == 0 && left > 0) {
			size_t k = left < CHUNK ? (size_t)left : CHUNK;
			if (read_at(z, in, k, at) != 0) {
				bad = "is cut off before its end";
				break;
			}
			at += k;
			left -= k;
			zs.next_in = in;
			zs.avail_in = (uInt)k;
		}
		zs.next_out = out;
		zs.avail_out = CHUNK;
		zret = inflate(&zs, Z_NO_FLUSH);
		if (zret != Z_OK && zret != Z_STREAM_END && zret != Z_BUF_ERROR) {
			bad = "does not inflate (corrupt data)";
			break;
		}
		take(w, out, CHUNK - zs.avail_out);
		if (zret == Z_STREAM_END)
			break;
		if (zs.avail_in == 0 && left == 0 && zs.avail_out != 0) {
			bad = "ends inside its compressed data (cut off?)";
			break;
		}
	}
	inflateEnd(&zs);
out:
	free(in);
	free(out);
	return bad;
}

/* One entry: its data, size, CRC and (an XML part) wholeness. */
static enum ss_status check_entry(struct zip *z, const struct entry *en, struct ss_error *err)
{
	struct seen w = {.crc = (uint32_t)crc32(0L, Z_NULL, 0)};
	int types = strcmp(en->name, "[Content_Types].xml") == 0;
	const char *bad;

	if (types)
		w.keep = xmalloc(CONTENT_TYPES_MAX + 1);
	bad = stream_entry(z, en, &w);
	if (!bad && w.total != en->usize)
		bad = "has another size than the directory says";
	if (!bad && w.crc != en->crc)
		bad = "fails its CRC-32";
	if (!bad && is_xml_part(en->name) && !xml_whole(w.head, w.nh, w.tail, w.nt, w.total))
		bad = "is XML cut short (its root element is not closed): the temporary files "
		      "could not be written in full";
	if (types && !bad) {
		w.keep[w.nkeep] = '\0';
		free(z->types);
		z->types = w.keep;
	} else {
		free(w.keep);
	}
	return bad ? damaged(z, err, en->name, bad) : SS_OK;
}

/* Every PartName that [Content_Types].xml lists is an entry. */
static enum ss_status check_parts_listed(struct zip *z, struct ss_error *err)
{
	static const char key[] = "PartName=\"/";

	if (!z->types)
		return damaged(z, err, NULL, "it has no [Content_Types].xml");
	for (const char *p = strstr(z->types, key); p; p = strstr(p, key)) {
		const char *name = p + sizeof key - 1, *end = strchr(name, '"');
		size_t i, n;

		if (!end)
			break;
		n = (size_t)(end - name);
		for (i = 0; i < z->n; i++)
			if (strlen(z->e[i].name) == n && memcmp(z->e[i].name, name, n) == 0)
				break;
		if (i == z->n) {
			char part[256];
			snprintf(part, sizeof part, "%.*s", (int)(n < 200 ? n : 200), name);
			return damaged(z, err, part, "is listed but missing");
		}
		p = end;
	}
	return SS_OK;
}

enum ss_status ss_zip_check(const char *path, struct ss_error *err)
{
	struct zip z = {.fd = open(path, O_RDONLY | O_CLOEXEC), .path = path};
	struct stat st;
	enum ss_status s;

	if (z.fd < 0 || fstat(z.fd, &st) != 0) {
		s = ss_error_set(err, SS_ERR_IO, path, 0,
				 "cannot read the finished workbook back: %s", strerror(errno));
		if (z.fd >= 0)
			close(z.fd);
		return s;
	}
	z.size = (uint64_t)st.st_size;
	s = read_directory(&z, err);
	for (size_t i = 0; s == SS_OK && i < z.n; i++)
		s = check_entry(&z, &z.e[i], err);
	if (s == SS_OK)
		s = check_parts_listed(&z, err);
	for (size_t i = 0; i < z.n; i++)
		free(z.e[i].name);
	free(z.e);
	free(z.types);
	close(z.fd);
	return s;
}
