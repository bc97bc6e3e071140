/* Unit tests for the sharding helpers: the album hash (FNV-1a, 64 bits,
 * whose published test vectors are the known answers), the part an album
 * title goes to, the dataset's observation sink that "split" streams
 * through, and ranking albums apart from the rest of the milestones. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "streamstat/dataset.h"
#include "streamstat/milestones.h"
#include "streamstat/shard.h"

static const struct {
	const char *s;
	uint64_t hash;
} vectors[] = {
	/* FNV-1a 64 test vectors (Fowler, Noll, Vo) */
	{"", 0xcbf29ce484222325u},
	{"a", 0xaf63dc4c8601ec8cu},
	{"foobar", 0x85944171f73967e8u},
	{NULL, 0},
};

static void test_hash(void **state)
{
	(void)state;
	for (size_t i = 0; vectors[i].s; i++)
		assert_true(ss_shard_hash(vectors[i].s, strlen(vectors[i].s)) == vectors[i].hash);
}

static void test_part_of_title(void **state)
{
	(void)state;
	/* the hash mod the parts: 0xcbf29ce484222325 % 8 == 5 */
	assert_int_equal(ss_shard_of("", 0, 8), 5);
	assert_int_equal(ss_shard_of("a", 1, 8), 0xaf63dc4c8601ec8cu % 8);
	assert_int_equal(ss_shard_of("foobar", 6, 1), 0);
	assert_int_equal(ss_shard_of("foobar", 6, 0), 0);
	for (uint32_t n = 1; n < 50; n++)
		assert_true(ss_shard_of("Layover", 7, n) < n);
}

struct sink {
	size_t calls, seen;
	int32_t last_day;
};

static void sink(void *arg, const struct ss_obs *obs, size_t n)
{
	struct sink *s = arg;

	s->calls++;
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(obs[i].day, (int32_t)(s->seen + i));
		s->last_day = obs[i].day;
	}
	s->seen += n;
}

static void test_obs_sink(void **state)
{
	struct ss_dataset ds;
	struct sink s = {0};
	size_t n = 2 * SS_OBS_SINK_CHUNK + 17;

	(void)state;
	ss_dataset_init(&ds, 10);
	ds.obs_sink = sink;
	ds.obs_sink_arg = &s;
	for (size_t i = 0; i < n; i++)
		ss_dataset_append(&ds)->day = (int32_t)i;
	/* two full chunks handed over; the rest waits for the caller */
	assert_int_equal(s.calls, 2);
	assert_int_equal(s.seen, 2 * SS_OBS_SINK_CHUNK);
	assert_int_equal(ds.nobs, 17);
	sink(&s, ds.obs, ds.nobs);
	assert_int_equal(s.seen, n);
	assert_int_equal(s.last_day, (int32_t)n - 1);
	assert_true(ds.obscap <= SS_OBS_SINK_CHUNK + 1);
	ss_dataset_release(&ds);
}

/* Three albums reached 50M on days 72, 40 and somewhere in 60..100: FACE
 * (40) holds the record; Layover and BE may come in either order (ranks 2
 * to 3), so neither is ranked: as merge ranks what the parts found. */
static void test_rank(void **state)
{
	struct ss_dataset ds;
	struct ss_milestones ms;
	struct ss_album_crossing ac[3][2];
	struct ss_album_ms am[3];
	uint32_t id;
	const char *titles[3] = {"Layover", "FACE", "BE"};

	(void)state;
	ss_dataset_init(&ds, 10);
	memset(&ms, 0, sizeof ms);
	memset(ac, 0, sizeof ac);
	memset(am, 0, sizeof am);
	ms.opt = ss_ms_defaults();
	ms.opt.nmilestones = 1;
	ms.nalbums = 3;
	ms.albums = am;
	for (uint32_t a = 0; a < 3; a++) {
		assert_int_equal(ss_dataset_album(&ds, SS_NONE, titles[a], strlen(titles[a]), &id),
				 SS_ALBUM_ADDED);
		ds.albums[id].release = 1000;
		ds.albums[id].release_src = SS_SRC_CATALOG;
		am[a].all = &ac[a][0];
		am[a].total = &ac[a][1];
		for (int k = 0; k < 2; k++) {
			ac[a][k].x.status = SS_MS_REACHED;
			ac[a][k].x.lo = ac[a][k].x.hi = SS_DAY_NONE;
		}
	}
	ac[0][0].x.day = ac[0][0].x.lo = ac[0][0].x.hi = 1000 + 71;
	ac[1][0].x.day = ac[1][0].x.lo = ac[1][0].x.hi = 1000 + 39;
	ac[2][0].x.day = 1000 + 99;
	ac[2][0].x.lo = 1000 + 59;
	ac[2][0].x.hi = 1000 + 99;
	for (uint32_t a = 0; a < 3; a++)
		ac[a][1] = ac[a][0];
	ss_milestones_rank(&ds, &ms);
	assert_int_equal(ac[1][0].rank, 1);
	assert_true(isnan(ac[1][0].vs_peer)); /* no other ranked album */
	for (int a = 0; a < 3; a += 2) {
		assert_int_equal(ac[a][0].rank, 0);
		assert_int_equal(ac[a][0].unranked, SS_UNRANKED_OVERLAP);
		assert_int_equal(ac[a][0].rank_lo, 2);
		assert_int_equal(ac[a][0].rank_hi, 3);
	}
	/* the album totals alike */
	assert_int_equal(ac[1][1].rank, 1);
	assert_int_equal(ac[0][1].rank_hi, 3);
	ss_dataset_release(&ds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_part_of_title),
		cmocka_unit_test(test_obs_sink),
		cmocka_unit_test(test_rank),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
