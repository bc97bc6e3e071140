/*
 * zipfmt.h - the facts of the zip format (PKWARE APPNOTE) that reading a
 * workbook back (zipcheck.c) and adding to one (zipedit.c) share: record
 * signatures and fixed lengths, little-endian fields, and reading exactly n
 * bytes at an offset.
 */
#ifndef STREAMSTAT_ZIPFMT_H
#define STREAMSTAT_ZIPFMT_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <unistd.h>

#define SS_ZIP_EOCD_SIG	      0x06054b50u /* end of central directory */
#define SS_ZIP_EOCD64_SIG     0x06064b50u /* zip64 end of central directory */
#define SS_ZIP_EOCD64_LOC_SIG 0x07064b50u /* ... and its locator */
#define SS_ZIP_CDIR_SIG	      0x02014b50u /* central directory entry */
#define SS_ZIP_LOCAL_SIG      0x04034b50u /* local file header */
#define SS_ZIP_EOCD_LEN	      22	  /* fixed part of each record */
#define SS_ZIP_EOCD64_LOC_LEN 20
#define SS_ZIP_CDIR_LEN	      46
#define SS_ZIP_LOCAL_LEN      30

static inline uint16_t ss_le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t ss_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t ss_le64(const unsigned char *p)
{
	return (uint64_t)ss_le32(p) | (uint64_t)ss_le32(p + 4) << 32;
}

static inline void ss_put16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static inline void ss_put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* Exactly n bytes of fd at off into buf: 0, or -1 (short or failed). */
static inline int ss_pread_all(int fd, void *buf, size_t n, uint64_t off)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = pread(fd, (char *)buf + got, n - got, (off_t)(off + got));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		got += (size_t)k;
	}
	return 0;
}

#endif
