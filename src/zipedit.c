/*
 * zipedit.c - add XML to one part of a finished workbook (zipedit.h).
 * The new zip is written to an unlinked temporary file, then copied over
 * the old one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ZLIB_CONST /* next_in points to const */
#include <zlib.h>

#include "streamstat/xalloc.h"
#include "streamstat/zipedit.h"
#include "streamstat/zipfmt.h"

#define CHUNK	   ((size_t)65536)
#define TAIL_MAX   64	  /* longest end_tag */
#define FLAG_DDESC 0x0008 /* sizes in a data descriptor after the data */

static int write_all(int fd, const void *buf, size_t n)
{
	size_t put = 0;

	while (put < n) {
		ssize_t k = write(fd, (const char *)buf + put, n - put);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		put += (size_t)k;
	}
	return 0;
}

/* Copy n bytes from in at off to out. */
static int copy_range(int in, int out, uint64_t off, uint64_t n, unsigned char *buf)
{
	while (n > 0) {
		size_t k = n < CHUNK ? (size_t)n : CHUNK;
		if (ss_pread_all(in, buf, k, off) != 0 || write_all(out, buf, k) != 0)
			return -1;
		off += k;
		n -= k;
	}
	return 0;
}

struct edit {
	int in, out;
	z_stream inf, def;
	int inf_on, def_on;
	unsigned char *ibuf, *obuf, *zbuf; /* compressed in, inflated, deflated */
	unsigned char tail[TAIL_MAX];	   /* the last bytes inflated, held back */
	size_t ntail, tag_len;
	uint32_t crc;
	uint64_t usize, csize;
};

/* Deflate n bytes (flush: Z_NO_FLUSH or Z_FINISH) to the output. */
static int deflate_out(struct edit *e, const unsigned char *p, size_t n, int flush)
{
	e->crc = (uint32_t)crc32(e->crc, p, (uInt)n);
	e->usize += n;
	e->def.next_in = p;
	e->def.avail_in = (uInt)n;
	do {
		e->def.next_out = e->zbuf;
		e->def.avail_out = CHUNK;
		int st = deflate(&e->def, flush);
		if (st == Z_STREAM_ERROR)
			return -1;
		size_t have = CHUNK - e->def.avail_out;
		if (have && write_all(e->out, e->zbuf, have) != 0)
			return -1;
		e->csize += have;
		if (flush == Z_FINISH && st == Z_STREAM_END)
			return 0;
	} while (e->def.avail_out == 0 || (flush == Z_FINISH));
	return 0;
}

/* Inflated bytes: all but the last tag_len go on to deflate_out(). */
static int pass_on(struct edit *e, const unsigned char *p, size_t n)
{
	size_t total = e->ntail + n;

	if (total <= e->tag_len) {
		memcpy(e->tail + e->ntail, p, n);
		e->ntail = total;
		return 0;
	}
	size_t send = total - e->tag_len; /* from tail first, then p */
	size_t from_tail = send < e->ntail ? send : e->ntail;
	if (from_tail && deflate_out(e, e->tail, from_tail, Z_NO_FLUSH) != 0)
		return -1;
	memmove(e->tail, e->tail + from_tail, e->ntail - from_tail);
	e->ntail -= from_tail;
	size_t from_p = send - from_tail;
	if (from_p && deflate_out(e, p, from_p, Z_NO_FLUSH) != 0)
		return -1;
	memcpy(e->tail + e->ntail, p + from_p, n - from_p);
	e->ntail += n - from_p;
	return 0;
}

/* The part's deflated data (csize bytes at off) inflated, xml inserted
 * before its end_tag, deflated to the output.  0, or -1 with *why set. */
static int rewrite_part(struct edit *e, uint64_t off, uint64_t csize, const char *end_tag,
			const char *xml, size_t len, const char **why)
{
	int st = Z_OK;

	while (csize > 0 || st != Z_STREAM_END) {
		size_t k = csize < CHUNK ? (size_t)csize : CHUNK;
		if (k == 0 && e->inf.avail_in == 0) {
			*why = "its data ends before its deflate stream";
			return -1;
		}
		if (k && ss_pread_all(e->in, e->ibuf, k, off) != 0) {
			*why = "cannot read it";
			return -1;
		}
		off += k;
		csize -= k;
		e->inf.next_in = e->ibuf;
		e->inf.avail_in = (uInt)k;
		do {
			e->inf.next_out = e->obuf;
			e->inf.avail_out = CHUNK;
			st = inflate(&e->inf, Z_NO_FLUSH);
			if (st != Z_OK && st != Z_STREAM_END && st != Z_BUF_ERROR) {
				*why = "its data does not inflate";
				return -1;
			}
			if (pass_on(e, e->obuf, CHUNK - e->inf.avail_out) != 0) {
				*why = "cannot write the new zip";
				return -1;
			}
		} while (e->inf.avail_out == 0 && st != Z_STREAM_END);
		if (st == Z_STREAM_END)
			break;
	}
	if (e->ntail != e->tag_len || memcmp(e->tail, end_tag, e->tag_len) != 0) {
		*why = "it does not end with its closing tag";
		return -1;
	}
	if (deflate_out(e, (const unsigned char *)xml, len, Z_NO_FLUSH) != 0 ||
	    deflate_out(e, e->tail, e->ntail, Z_FINISH) != 0) {
		*why = "cannot write the new zip";
		return -1;
	}
	return 0;
}

enum ss_status ss_zip_append_xml(const char *path, const char *tmpdir, const char *entry,
				 const char *end_tag, const char *xml, size_t len,
				 struct ss_error *err)
{
	struct edit e = {.in = -1, .out = -1, .tag_len = strlen(end_tag)};
	unsigned char eocd[SS_ZIP_EOCD_LEN], *cd = NULL, *buf = NULL;
	char *tmp = NULL;
	const char *why = NULL;
	enum ss_status st = SS_ERR_IO;

	if (e.tag_len > TAIL_MAX)
		return ss_error_set(err, SS_ERR_IO, path, 0, "closing tag too long");
	e.in = open(path, O_RDONLY);
	struct stat sb;
	if (e.in < 0 || fstat(e.in, &sb) != 0) {
		ss_error_set(err, SS_ERR_IO, path, 0, "cannot read the workbook: %s",
			     strerror(errno));
		goto done;
	}
	/* libxlsxwriter writes no zip comment: the end record is the last 22
	 * bytes */
	if ((uint64_t)sb.st_size < SS_ZIP_EOCD_LEN ||
	    ss_pread_all(e.in, eocd, SS_ZIP_EOCD_LEN, (uint64_t)sb.st_size - SS_ZIP_EOCD_LEN) !=
		    0 ||
	    ss_le32(eocd) != SS_ZIP_EOCD_SIG || ss_le16(eocd + 20) != 0) {
		why = "no end of central directory where libxlsxwriter puts it";
		goto bad;
	}
	uint16_t n = ss_le16(eocd + 10);
	uint32_t cd_len = ss_le32(eocd + 12), cd_off = ss_le32(eocd + 16);
	if (n == 0xffff || cd_len == 0xffffffffu || cd_off == 0xffffffffu ||
	    ss_le16(eocd + 4) != 0 || ss_le16(eocd + 8) != n ||
	    (uint64_t)cd_off + cd_len > (uint64_t)sb.st_size) {
		why = "a zip64 or multi-disk directory";
		goto bad;
	}
	cd = xmalloc(cd_len ? cd_len : 1);
	if (ss_pread_all(e.in, cd, cd_len, cd_off) != 0) {
		why = "cannot read the central directory";
		goto bad;
	}
	size_t *at = xreallocarray(NULL, (size_t)n + 1, sizeof *at);
	size_t p = 0, target = (size_t)-1;
	for (size_t i = 0; i < n; i++) {
		if (p + SS_ZIP_CDIR_LEN > cd_len || ss_le32(cd + p) != SS_ZIP_CDIR_SIG) {
			free(at);
			why = "a central directory entry is cut short";
			goto bad;
		}
		at[i] = p;
		size_t nl = ss_le16(cd + p + 28), xl = ss_le16(cd + p + 30),
		       cl = ss_le16(cd + p + 32);
		if (p + SS_ZIP_CDIR_LEN + nl + xl + cl > cd_len ||
		    (i > 0 && ss_le32(cd + p + 42) <= ss_le32(cd + at[i - 1] + 42))) {
			free(at);
			why = "central directory entries out of order";
			goto bad;
		}
		if (nl == strlen(entry) && memcmp(cd + p + SS_ZIP_CDIR_LEN, entry, nl) == 0)
			target = i;
		p += SS_ZIP_CDIR_LEN + nl + xl + cl;
	}
	at[n] = p;
	if (target == (size_t)-1 || ss_le16(cd + at[target] + 10) != Z_DEFLATED) {
		free(at);
		why = target == (size_t)-1 ? "no such part" : "the part is not deflated";
		goto bad;
	}

	/* the new zip is built in tmpdir, then copied over the old (path
	 * may name an open file, as /proc/self/fd/N, with no directory) */
	const char *dir = tmpdir ? tmpdir : "/tmp";
	size_t dlen = strlen(dir);
	tmp = xmalloc(dlen + sizeof "/streamstat-zip.XXXXXX");
	snprintf(tmp, dlen + sizeof "/streamstat-zip.XXXXXX", "%s/streamstat-zip.XXXXXX", dir);
	e.out = mkstemp(tmp);
	if (e.out < 0) {
		free(at);
		ss_error_set(err, SS_ERR_IO, tmp, 0, "cannot create a temporary file in %s: %s",
			     dir, strerror(errno));
		goto done;
	}
	unlink(tmp);
	buf = xmalloc(3 * CHUNK);
	e.ibuf = buf, e.obuf = buf + CHUNK, e.zbuf = buf + 2 * CHUNK;
	if (inflateInit2(&e.inf, -MAX_WBITS) != Z_OK ||
	    deflateInit2(&e.def, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK) {
		free(at);
		why = "zlib cannot start";
		goto bad;
	}
	e.inf_on = e.def_on = 1;
	uint64_t pos = 0, *new_off = xreallocarray(NULL, (size_t)n + 1, sizeof *new_off);
	for (size_t i = 0; i < n; i++) {
		const unsigned char *c = cd + at[i];
		uint64_t off = ss_le32(c + 42),
			 next = i + 1 < n ? ss_le32(cd + at[i + 1] + 42) : (uint64_t)cd_off;
		new_off[i] = pos;
		if (i != target) {
			if (copy_range(e.in, e.out, off, next - off, buf) != 0) {
				why = "cannot copy a part";
				break;
			}
			pos += next - off;
			continue;
		}
		unsigned char lh[SS_ZIP_LOCAL_LEN];
		if (ss_pread_all(e.in, lh, SS_ZIP_LOCAL_LEN, off) != 0 ||
		    ss_le32(lh) != SS_ZIP_LOCAL_SIG) {
			why = "the part's local header is missing";
			break;
		}
		size_t lnx = (size_t)ss_le16(lh + 26) + ss_le16(lh + 28);
		ss_put16(lh + 6, (uint16_t)(ss_le16(lh + 6) & ~FLAG_DDESC));
		if (write_all(e.out, lh, SS_ZIP_LOCAL_LEN) != 0 ||
		    copy_range(e.in, e.out, off + SS_ZIP_LOCAL_LEN, lnx, buf) != 0 ||
		    rewrite_part(&e, off + SS_ZIP_LOCAL_LEN + lnx, ss_le32(c + 20), end_tag, xml,
				 len, &why) != 0) {
			why = why ? why : "cannot write the new zip";
			break;
		}
		if (e.usize >= 0xffffffffu || e.csize >= 0xffffffffu) {
			why = "the part would need zip64";
			break;
		}
		ss_put32(lh + 14, e.crc);
		ss_put32(lh + 18, (uint32_t)e.csize);
		ss_put32(lh + 22, (uint32_t)e.usize);
		if (pwrite(e.out, lh, SS_ZIP_LOCAL_LEN, (off_t)pos) != SS_ZIP_LOCAL_LEN) {
			why = "cannot write the new zip";
			break;
		}
		pos += SS_ZIP_LOCAL_LEN + lnx + e.csize;
	}
	if (!why) {
		/* the directory: new offsets, and the part's CRC and sizes */
		for (size_t i = 0; i < n; i++) {
			unsigned char *c = cd + at[i];
			ss_put32(c + 42, (uint32_t)new_off[i]);
			if (i == target) {
				ss_put16(c + 8, (uint16_t)(ss_le16(c + 8) & ~FLAG_DDESC));
				ss_put32(c + 16, e.crc);
				ss_put32(c + 20, (uint32_t)e.csize);
				ss_put32(c + 24, (uint32_t)e.usize);
			}
		}
		ss_put32(eocd + 16, (uint32_t)pos);
		if (pos >= 0xffffffffu || write_all(e.out, cd, cd_len) != 0 ||
		    write_all(e.out, eocd, SS_ZIP_EOCD_LEN) != 0)
			why = "cannot write the new zip";
	}
	free(at);
	free(new_off);
	if (why)
		goto bad;
	int dst = open(path, O_WRONLY | O_TRUNC);
	if (dst < 0 || copy_range(e.out, dst, 0, pos + cd_len + SS_ZIP_EOCD_LEN, buf) != 0) {
		ss_error_set(err, SS_ERR_IO, path, 0, "cannot rewrite the workbook: %s",
			     strerror(errno));
		if (dst >= 0)
			close(dst);
		goto done;
	}
	if (close(dst) != 0) {
		ss_error_set(err, SS_ERR_IO, path, 0, "cannot rewrite the workbook: %s",
			     strerror(errno));
		goto done;
	}
	st = SS_OK;
	goto done;
bad:
	ss_error_set(err, SS_ERR_IO, path, 0, "cannot add to part '%s' of the workbook: %s", entry,
		     why);
done:
	if (e.inf_on)
		inflateEnd(&e.inf);
	if (e.def_on)
		deflateEnd(&e.def);
	if (e.out >= 0)
		close(e.out);
	if (e.in >= 0)
		close(e.in);
	free(tmp);
	free(cd);
	free(buf);
	return st;
}
