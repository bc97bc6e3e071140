/* Small helpers shared by the unit tests: temporary input files. */
#ifndef STREAMSTAT_TEST_HELPERS_H
#define STREAMSTAT_TEST_HELPERS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Write n bytes to a new temporary file; returns its path (static buffer slot). */
static inline const char *temp_file(const void *data, size_t n)
{
	static char paths[8][64];
	static int next;
	char *path = paths[next++ % 8];
	const char *dir = getenv("TMPDIR");
	FILE *f;
	int fd;

	snprintf(path, 64, "%s/ss-unit-XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(path);
	if (fd < 0)
		abort();
	f = fdopen(fd, "wb");
	if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0)
		abort();
	return path;
}

static inline const char *temp_text(const char *text)
{
	return temp_file(text, strlen(text));
}

#ifdef STREAMSTAT_INGEST_H
/*
 * Ingest text as one data file, after an optional catalog, into a new
 * dataset; returns the data file's record.  Include ingest.h first.
 */
static inline const struct ss_file *load_text(struct ss_dataset *ds, const char *catalog,
					      const char *text, const struct ss_ingest_options *opt)
{
	struct ss_error err;
	const char *path;

	ss_dataset_init(ds, 1000);
	if (catalog) {
		path = temp_text(catalog);
		assert_int_equal(ss_ingest_catalog(ds, path, &err), SS_OK);
		unlink(path);
	}
	path = temp_text(text);
	assert_int_equal(ss_ingest_file(ds, path, opt, &err), SS_OK);
	unlink(path);
	ss_ingest_finish(ds);
	return &ds->files[ds->nfiles - 1];
}
#endif

#endif
