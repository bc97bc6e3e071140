/*
 * zipedit.h - add XML to one part of a finished workbook.
 *
 * For what libxlsxwriter cannot write (sparklines, an extension of the
 * worksheet XML): the zip at path is rewritten with the part named entry
 * ending in xml followed by its closing tag end_tag, every other part copied
 * byte for byte.  Only what libxlsxwriter's zips use: one disk, no zip64,
 * the part deflated.  It streams the part through fixed buffers: memory does
 * not grow with the workbook.  The same input gives the same bytes.
 */
#ifndef STREAMSTAT_ZIPEDIT_H
#define STREAMSTAT_ZIPEDIT_H

#include <stddef.h>

#include "streamstat/error.h"

/* SS_OK; else SS_ERR_IO, err saying why: the zip is not as expected (the
 * file at path left as it was), or a read or write failed (in tmpdir, or
 * /tmp when NULL, where the new zip is built; or copying it back, which
 * leaves path cut short: the caller must not publish it). */
enum ss_status ss_zip_append_xml(const char *path, const char *tmpdir, const char *entry,
				 const char *end_tag, const char *xml, size_t len,
				 struct ss_error *err);

#endif
