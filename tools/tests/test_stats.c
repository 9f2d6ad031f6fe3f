// SPDX-License-Identifier: GPL-2.0
/* netbuf tests: log2 bucket bounds, percentiles, deltas, number formats. */
#include <string.h>

#include "stats.h"
#include "testutil.h"

static void bucket_bounds(void **state)
{
	(void)state;
	assert_int_equal(nb_bucket_low(0), 0);
	assert_int_equal(nb_bucket_high(0), 0);
	assert_int_equal(nb_bucket_low(1), 1);
	assert_int_equal(nb_bucket_high(1), 1);
	assert_int_equal(nb_bucket_low(11), 1024);
	assert_int_equal(nb_bucket_high(11), 2047);
	assert_true(nb_bucket_low(64) == 1ull << 63);
	assert_true(nb_bucket_high(64) == UINT64_MAX);
}

static void empty_hist(void **state)
{
	struct nb_hist h;
	u64 v = 7;

	(void)state;
	memset(&h, 0, sizeof(h));
	assert_int_equal(nb_hist_percentile(&h, 50, &v), -1);
	assert_int_equal(v, 7);
	assert_int_equal(nb_hist_top(&h), -1);
}

/* 10 samples in [1024, 2048), max 2047: the rank's share of the bucket. */
static void interpolation(void **state)
{
	struct nb_hist h;
	u64 v;

	(void)state;
	memset(&h, 0, sizeof(h));
	h.b[11] = 10;
	h.samples = 10;
	h.max = 2047;
	assert_int_equal(nb_hist_percentile(&h, 50, &v), 0);
	assert_int_equal(v, 1024 + 512);
	assert_int_equal(nb_hist_percentile(&h, 10, &v), 0);
	assert_int_equal(v, 1024 + 102);	/* 1126.4 rounded */
	assert_int_equal(nb_hist_percentile(&h, 100, &v), 0);
	assert_int_equal(v, 2047);		/* bucket top, not 2048 */
}

/* Ranks across buckets: 5 in [1024,2048), 4 in [2048,4096), 3 in
 * [8192,16384), max 10922 (the fixture's lo row). */
static void across_buckets(void **state)
{
	struct nb_hist h;
	u64 v;

	(void)state;
	memset(&h, 0, sizeof(h));
	h.b[11] = 5;
	h.b[12] = 4;
	h.b[14] = 3;
	h.samples = 12;
	h.max = 10922;
	assert_int_equal(nb_hist_percentile(&h, 50, &v), 0);
	assert_int_equal(v, 2560);	/* rank 6: 1st of 4 in [2048,4096) */
	assert_int_equal(nb_hist_percentile(&h, 99, &v), 0);
	assert_int_equal(v, 10922);	/* 16056 clamped to max */
	assert_int_equal(nb_hist_percentile(&h, 25, &v), 0);
	assert_int_equal(v, 1024 + 614);	/* rank 3 of 5: 0.6 */
}

static void zero_bucket(void **state)
{
	struct nb_hist h;
	u64 v;

	(void)state;
	memset(&h, 0, sizeof(h));
	h.b[0] = 90;	/* polls with 0 packets */
	h.b[7] = 10;	/* [64, 128) */
	h.samples = 100;
	h.max = 64;
	assert_int_equal(nb_hist_percentile(&h, 50, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(nb_hist_percentile(&h, 90, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(nb_hist_percentile(&h, 99, &v), 0);
	assert_int_equal(v, 64);	/* clamped to the max */
}

static void top_bucket(void **state)
{
	struct nb_hist h;
	u64 v;

	(void)state;
	memset(&h, 0, sizeof(h));
	h.b[64] = 2;
	h.samples = 2;
	h.max = UINT64_MAX;
	assert_int_equal(nb_hist_percentile(&h, 50, &v), 0);
	assert_true(v == 3ull << 62);
	assert_int_equal(nb_hist_percentile(&h, 100, &v), 0);
	assert_true(v == UINT64_MAX);
}

/* The module's last bucket (LOW 2^32 ns) is open: max may lie above it. */
static void open_top_bucket(void **state)
{
	struct nb_hist h;
	u64 v;

	(void)state;
	memset(&h, 0, sizeof(h));
	h.b[12] = 2;		/* [2048, 4096) */
	h.b[33] = 2;		/* [2^32, ...) */
	h.samples = 4;
	h.max = 20000000000ull;	/* 20 s */
	assert_true(nb_hist_open(&h, 33));
	assert_false(nb_hist_open(&h, 12));
	assert_true(nb_hist_bucket_top(&h, 33) == h.max);
	assert_int_equal(nb_hist_bucket_top(&h, 12), 4095);
	assert_int_equal(nb_hist_percentile(&h, 100, &v), 0);
	assert_true(v == h.max);
	assert_int_equal(nb_hist_percentile(&h, 75, &v), 0);
	/* halfway between 2^32 and the max */
	assert_true(v == (4294967296ull + 20000000000ull) / 2);
}

static void merge_and_delta(void **state)
{
	struct nb_hist a, b, d, m;
	int exact;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.b[11] = 5;
	a.samples = 5;
	a.sum = 6000;
	a.max = 1500;
	b = a;
	b.b[11] = 7;
	b.b[13] = 1;
	b.samples = 8;
	b.sum = 11000;
	assert_int_equal(nb_hist_delta(&a, &b, &d, &exact), 0);
	assert_int_equal(d.samples, 3);
	assert_int_equal(d.b[11], 2);
	assert_int_equal(d.sum, 5000);
	assert_false(exact);		/* the max did not move */
	assert_int_equal(d.max, 1500);	/* top of [4096,8192) capped */
	b.max = 5000;
	assert_int_equal(nb_hist_delta(&a, &b, &d, &exact), 0);
	assert_true(exact);
	assert_int_equal(d.max, 5000);
	b.b[11] = 4;			/* went down: reset */
	assert_int_equal(nb_hist_delta(&a, &b, &d, &exact), -1);
	memset(&m, 0, sizeof(m));
	nb_hist_add(&m, &a);
	nb_hist_add(&m, &a);
	assert_int_equal(m.samples, 10);
	assert_int_equal(m.b[11], 10);
	assert_int_equal(m.max, 1500);
}

static void durations(void **state)
{
	static const struct { u64 ns; const char *s; } cases[] = {
		{ 0, "0" }, { 999, "999ns" }, { 1000, "1.00us" },
		{ 1536, "1.54us" }, { 10922, "10.9us" }, { 699050, "699us" },
		{ 999600, "1.00ms" }, { 2800000, "2.80ms" },
		{ 1053753344, "1.05s" }, { 125000000000ull, "125s" },
	};
	char buf[32];
	size_t i;

	(void)state;
	for (i = 0; i < NB_ARRAY_SIZE(cases); i++) {
		nb_fmt_duration(buf, sizeof(buf), cases[i].ns);
		assert_string_equal(buf, cases[i].s);
	}
}

static void seconds(void **state)
{
	char buf[32];

	(void)state;
	nb_fmt_seconds(buf, sizeof(buf), 1024);
	assert_string_equal(buf, "0.000001024");
	nb_fmt_seconds(buf, sizeof(buf), 17179869184ull);
	assert_string_equal(buf, "17.179869184");
	nb_fmt_seconds(buf, sizeof(buf), 2000000000);
	assert_string_equal(buf, "2");
	nb_fmt_seconds(buf, sizeof(buf), 0);
	assert_string_equal(buf, "0");
	nb_fmt_bytes(buf, sizeof(buf), 6291456);
	assert_string_equal(buf, "6.0 MiB");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bucket_bounds),
		cmocka_unit_test(empty_hist),
		cmocka_unit_test(interpolation),
		cmocka_unit_test(across_buckets),
		cmocka_unit_test(zero_bucket),
		cmocka_unit_test(top_bucket),
		cmocka_unit_test(open_top_bucket),
		cmocka_unit_test(merge_and_delta),
		cmocka_unit_test(durations),
		cmocka_unit_test(seconds),
	};

	return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
