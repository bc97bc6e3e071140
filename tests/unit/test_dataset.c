/*
 * Unit tests for dataset.c: the one grouping of tracks by album
 * (ss_dataset_album_tracks), on albums met interleaved, an album without
 * tracks, and a dataset without any.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "streamstat/dataset.h"

static uint32_t album(struct ss_dataset *ds, const char *title)
{
	uint32_t id = SS_NONE;

	assert_int_equal(ss_dataset_album(ds, SS_NONE, title, strlen(title), &id), SS_ALBUM_ADDED);
	return id;
}

static void track(struct ss_dataset *ds, uint32_t a, const char *name)
{
	ss_dataset_track(ds, a, name, strlen(name), NULL);
}

static void test_album_tracks(void **state)
{
	struct ss_dataset ds;
	uint32_t *first, *tracks;

	(void)state;
	ss_dataset_init(&ds, 10);
	uint32_t x = album(&ds, "X"), y = album(&ds, "Y"), z = album(&ds, "Z");
	(void)z;	     /* no tracks */
	track(&ds, y, "y0"); /* track 0 */
	track(&ds, x, "x0"); /* 1 */
	track(&ds, y, "y1"); /* 2 */
	track(&ds, x, "x1"); /* 3 */
	track(&ds, y, "y2"); /* 4 */
	ss_dataset_album_tracks(&ds, &first, &tracks);
	static const uint32_t want_first[] = {0, 2, 5, 5};
	static const uint32_t want_tracks[] = {1, 3, 0, 2, 4};
	assert_memory_equal(first, want_first, sizeof want_first);
	assert_memory_equal(tracks, want_tracks, sizeof want_tracks);
	free(first);
	free(tracks);
	ss_dataset_release(&ds);

	ss_dataset_init(&ds, 10);
	ss_dataset_album_tracks(&ds, &first, &tracks);
	assert_int_equal(first[0], 0);
	free(first);
	free(tracks);
	ss_dataset_release(&ds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_album_tracks),
	};

	return cmocka_run_group_tests_name("dataset", tests, NULL, NULL);
}
