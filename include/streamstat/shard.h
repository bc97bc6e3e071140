/*
 * shard.h - the report in parts: "split", "analyse" and "merge"
 * (doc/sharding.md has the formats and the guarantees).
 *
 * split reads every input as "report" does (one ingest of the whole input,
 * so album identity, catalog look-ups and every input problem are exactly
 * the single run's) and streams each observation into the part of its
 * album; analyse runs the per-album pipeline on one part; merge ranks the
 * albums of every part and writes the report.  Albums go to parts by a
 * stable hash of their title (FNV-1a, 64 bits): every album of a title, by
 * whichever artist, lands in one part, so that a row naming a title
 * without an artist means the same album in its part as in the whole.
 *
 * Both files are CSV (RFC 4180, every text field quoted), one record a
 * row, its kind in the first field; the first row names the format and its
 * version, the last ("E") closes it, so that a truncated file is refused.
 */
#ifndef STREAMSTAT_SHARD_H
#define STREAMSTAT_SHARD_H

#include <stddef.h>
#include <stdint.h>

#define SS_PART_FORMAT	  "streamstat-part"
#define SS_PART_VERSION	  1
#define SS_RESULT_FORMAT  "streamstat-result"
#define SS_RESULT_VERSION 2
#define SS_PARTS_MAX	  9999 /* part-0000.csv ... part-9998.csv */

/* FNV-1a (64 bits) of s[0..len). */
uint64_t ss_shard_hash(const char *s, size_t len);

/* The part (0 .. nparts - 1) of the albums titled title[0..len). */
uint32_t ss_shard_of(const char *title, size_t len, uint32_t nparts);

int cmd_split(int argc, char **argv);
int cmd_analyse(int argc, char **argv);
int cmd_merge(int argc, char **argv);

#endif
