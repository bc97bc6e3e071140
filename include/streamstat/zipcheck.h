/*
 * zipcheck.h - is a finished workbook whole?  Read back before publishing.
 *
 * libxlsxwriter writes each part of a workbook to a temporary file and then
 * zips them; it does not check those writes, so a full temporary directory
 * gives a zip whose parts are cut short, with consistent CRCs.  The check
 * reads the zip as a reader would: the end of the central directory, every
 * entry's local header, its data inflated to the size and CRC-32 the
 * directory gives; every XML part (.xml, .rels) ending with the closing tag
 * of its root element; and every part that [Content_Types].xml names
 * present.  It streams each part through a fixed buffer: memory does not
 * grow with the workbook.
 */
#ifndef STREAMSTAT_ZIPCHECK_H
#define STREAMSTAT_ZIPCHECK_H

#include "streamstat/error.h"

/* SS_OK when the zip at path is whole; else SS_ERR_IO, err saying which
 * part is wrong and how (or why the file cannot be read). */
enum ss_status ss_zip_check(const char *path, struct ss_error *err);

#endif
