// SPDX-License-Identifier: GPL-2.0
/* netbuf tests: baseline files (write, strict read, atomic save) and the
 * period figures compare is built on (rates, resets, reboots). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "baseline.h"
#include "testutil.h"
#include "view.h"

#define T0 1700000000000000000ull	/* realtime of the first snapshot */
#define B0 5000000000000ull		/* its boottime */
#define SEC 1000000000ull

/* basic-6.1 at t, basic-6.1-later 10 s later. */
static void two(struct nb_snapshot s[2])
{
	tu_load("basic-6.1", &s[0]);
	tu_load("basic-6.1-later", &s[1]);
	s[0].realtime_ns = T0;
	s[0].boottime_ns = B0;
	s[1].realtime_ns = T0 + 10 * SEC;
	s[1].boottime_ns = B0 + 10 * SEC;
}

static char *write_text(const struct nb_snapshot *s, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(nb_baseline_write(f, s, n, NULL), 0);
	fclose(f);
	return buf;
}

static void roundtrip(void **state)
{
	struct nb_snapshot s[2];
	struct nb_baseline b;
	struct nb_err e;
	char *text;

	(void)state;
	two(s);
	text = write_text(s, 2);
	assert_contains(text, "netbuf-baseline 3\ntool " NETBUF_VERSION
			"\nsnapshots 2\nsnapshot 1\nrealtime_ns "
			"1700000000000000000\nboottime_ns 5000000000000\n"
			"boot_id -\n");
	assert_contains(text, "sysctl net.ipv4.tcp_rmem 4096 131072 6291456\n");
	assert_contains(text, "file rcvbuf 5\niface ");
	assert_contains(text, "file softnet_stat 2\n");
	assert_int_equal(nb_baseline_parse("b", text, strlen(text), &b, &e), 0);
	assert_int_equal(b.n, 2);
	assert_string_equal(b.tool, NETBUF_VERSION);
	assert_true(b.snap[1].realtime_ns == T0 + 10 * SEC);
	assert_string_equal(b.snap[0].kernel, s[0].kernel);
	assert_string_equal(b.snap[0].netns, s[0].netns);
	assert_string_equal(b.snap[1].sysctl.raw[SC_TCP_RMEM],
			    "4096 131072 6291456");
	assert_int_equal(b.snap[1].rcvbuf.n, s[1].rcvbuf.n);
	assert_memory_equal(b.snap[1].rcvbuf.rows, s[1].rcvbuf.rows,
			    s[1].rcvbuf.n * sizeof(struct nb_row));
	assert_int_equal(b.snap[1].nhists, s[1].nhists);
	assert_memory_equal(b.snap[1].hists, s[1].hists,
			    s[1].nhists * sizeof(struct nb_hrow));
	assert_int_equal(b.snap[1].ncpus, 2);
	assert_int_equal(b.snap[1].cpus[1].processed, 2800000);
	nb_baseline_free(&b);
	free(text);
	nb_snapshot_free(&s[0]);
	nb_snapshot_free(&s[1]);
}

static void one_snapshot(void **state)
{
	struct nb_snapshot s[2];
	struct nb_baseline b;
	struct nb_err e;
	char *text;

	(void)state;
	two(s);
	text = write_text(&s[0], 1);
	assert_int_equal(nb_baseline_parse("b", text, strlen(text), &b, &e), 0);
	assert_int_equal(b.n, 1);
	nb_baseline_free(&b);
	free(text);
	nb_snapshot_free(&s[0]);
	nb_snapshot_free(&s[1]);
}

/* Replace the first occurrence of from in text by to. */
static char *edit(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	size_t n = strlen(text) - strlen(from) + strlen(to) + 1;
	char *out = malloc(n);

	assert_non_null(at);
	snprintf(out, n, "%.*s%s%s", (int)(at - text), text, to,
		 at + strlen(from));
	return out;
}

static void proposals_roundtrip(void **state)
{
	struct nb_proposals ps = { NULL, 0 };
	struct nb_proposal p;
	struct nb_snapshot s[2];
	struct nb_baseline b;
	struct nb_err e;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	memset(&p, 0, sizeof(p));
	strcpy(p.sysctl, "net.ipv4.tcp_rmem");
	strcpy(p.value, "4096 131072 2097152");
	strcpy(p.scope, "netns");
	strcpy(p.iface, "eth0");
	strcpy(p.expect[0].metric, "coll_p99_ns");
	p.expect[0].bound = 1000000;
	strcpy(p.expect[1].metric, "prune_drop_per_s");
	p.expect[1].bound = 0.1 + 0.2;	/* not exact in binary */
	p.nexpect = 2;
	strcpy(p.because[0], "a reason: with words, 12 figures and (brackets)");
	p.nbecause = 1;
	nb_proposals_add(&ps, &p);
	memset(&p, 0, sizeof(p));
	strcpy(p.sysctl, "net.core.netdev_budget");
	strcpy(p.value, "600");
	strcpy(p.scope, "host");
	nb_proposals_add(&ps, &p);
	two(s);
	assert_int_equal(nb_baseline_write(f, s, 2, &ps), 0);
	fclose(f);
	assert_contains(buf, "proposals 2\nproposal netns net.ipv4.tcp_rmem "
			"eth0 4096 131072 2097152\nexpect coll_p99_ns 1000000\n");
	assert_contains(buf, "proposal host net.core.netdev_budget - 600\n"
			"end\n");
	assert_int_equal(nb_baseline_parse("b", buf, len, &b, &e), 0);
	assert_int_equal(b.version, 3);
	assert_int_equal(b.has_props, 1);
	assert_int_equal(b.props.n, 2);
	assert_string_equal(b.props.p[0].value, "4096 131072 2097152");
	assert_string_equal(b.props.p[0].iface, "eth0");
	assert_true(b.props.p[0].expect[1].bound == 0.1 + 0.2);
	assert_string_equal(b.props.p[0].because[0], ps.p[0].because[0]);
	assert_string_equal(b.props.p[1].iface, "");
	assert_string_equal(b.props.p[1].scope, "host");
	assert_int_equal(b.props.p[1].nexpect, 0);
	nb_baseline_free(&b);
	nb_proposals_free(&ps);
	nb_snapshot_free(&s[0]);
	nb_snapshot_free(&s[1]);
	free(buf);
}

static void parse_errors(void **state)
{
	static const struct { const char *from, *to, *err; } cases[] = {
		{ "netbuf-baseline 3\n", "netbuf-snapshot 3\n",
		  "not a netbuf baseline file" },
		{ "netbuf-baseline 3\n", "netbuf-baseline 4\n",
		  "unsupported baseline version 4 (this netbuf reads versions "
		  "1 to 3)" },
		{ "proposals 0\n", "", "expected 'proposals'" },
		{ "proposals 0\n", "proposals 1\n", "expected 'proposal'" },
		{ "proposals 0\n", "proposals 1\nproposal netns "
		  "net.ipv4.tcp_wmem eth0 1 2 3\n", "bad proposal sysctl" },
		{ "proposals 0\n", "proposals 1\nproposal netns "
		  "net.ipv4.tcp_rmem eth0\n", "bad proposal line" },
		{ "proposals 0\n", "proposals 1\nproposal host "
		  "net.core.netdev_budget - 600\nexpect time_squeeze_pct\n",
		  "bad 'expect' line" },
		{ "boot_id -\n", "", "expected 'boot_id'" },
		{ "snapshots 2\n", "snapshots 3\n", "snapshots must be 1 or 2" },
		{ "snapshots 2\n", "snapshots 1\n", "expected 'proposals'" },
		{ "end\n", "", "truncated: expected 'end'" },
		{ "end\n", "end\nmore\n", "data after 'end'" },
		{ "end\n", "end", "truncated (last line has no newline)" },
		{ "snapshot 2\n", "snapshot 1\n", "snapshots out of order" },
		{ "realtime_ns 1700000000000000000\n", "realtime_ns soon\n",
		  "bad number in 'realtime_ns'" },
		{ "kernel ", "kernel_release ", "expected 'kernel'" },
		{ "sysctl net.ipv4.tcp_rmem", "sysctl net.ipv4.tcp_wmem",
		  "bad sysctl line" },
		{ "sysctl net.core.dev_weight 64\n",
		  "sysctl net.core.dev_weight 64\nsysctl net.core.dev_weight "
		  "64\n", "duplicate sysctl" },
		{ "sysctl net.core.dev_weight 64\n",
		  "sysctl net.core.dev_weight x\n", "bad value 'x'" },
		{ "file rcvbuf 5\n", "file rcvbuf 500\n",
		  "truncated in 'file rcvbuf'" },
		{ "file probes", "file rcvbuf", "expected 'file probes'" },
		{ "total                  - -     1514",
		  "total                  1 up    1514",
		  "b: snapshot 1: rcvbuf:5: row total after row unknown" },
		{ "format 1\n", "format 7\n",
		  "snapshot 1: version: unsupported format 7" },
	};
	struct nb_snapshot s[2];
	struct nb_baseline b;
	struct nb_err e;
	char *text, *bad, *v1;
	size_t i;

	(void)state;
	two(s);
	text = write_text(s, 2);
	for (i = 0; i < NB_ARRAY_SIZE(cases); i++) {
		bad = edit(text, cases[i].from, cases[i].to);
		assert_int_equal(nb_baseline_parse("b", bad, strlen(bad), &b,
						   &e), -1);
		assert_contains(e.msg, cases[i].err);
		free(bad);
	}
	assert_int_equal(nb_baseline_parse("b", "", 0, &b, &e), -1);
	assert_contains(e.msg, "not a netbuf baseline file");
	/* version 1 files have no boot_id lines, and are still read */
	bad = edit(text, "netbuf-baseline 3\n", "netbuf-baseline 1\n");
	v1 = edit(bad, "proposals 0\n", "");
	free(bad);
	bad = v1;
	v1 = edit(bad, "boot_id -\n", "");
	free(bad);
	bad = edit(v1, "boot_id -\n", "");
	assert_int_equal(nb_baseline_parse("b", bad, strlen(bad), &b, &e), 0);
	assert_string_equal(b.snap[1].boot_id, "");
	assert_int_equal(b.has_props, 0);
	assert_int_equal(b.version, 1);
	nb_baseline_free(&b);
	free(bad);
	free(v1);
	free(text);
	nb_snapshot_free(&s[0]);
	nb_snapshot_free(&s[1]);
}

static int file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static void save_atomic(void **state)
{
	char *dir = tu_tmpdir(), path[200], tmp[210];
	struct nb_snapshot s[2];
	struct nb_baseline b;
	struct nb_err e;

	(void)state;
	two(s);
	snprintf(path, sizeof(path), "%s/base", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	tu_write(path, "old contents\n");
	assert_int_equal(nb_baseline_save(path, s, 2, NULL, &e), 0);
	assert_false(file_exists(tmp));
	assert_int_equal(nb_baseline_load(path, &b, &e), 0);
	assert_int_equal(b.n, 2);
	nb_baseline_free(&b);
	snprintf(path, sizeof(path), "%s/no/such/dir/base", dir);
	assert_int_equal(nb_baseline_save(path, s, 2, NULL, &e), -1);
	assert_contains(e.msg, "base.tmp: No such file or directory");
	assert_false(file_exists(path));
	assert_int_equal(nb_baseline_load(path, &b, &e), -1);
	assert_contains(e.msg, "No such file or directory");
	free(dir);
	nb_snapshot_free(&s[0]);
	nb_snapshot_free(&s[1]);
}

static void view_rates(void **state)
{
	struct nb_snapshot s[2];
	const struct nb_ifview *f;
	struct nb_view v;
	char why[128];
	u64 p99;

	(void)state;
	two(s);
	assert_int_equal(nb_view_build(&s[0], &s[1], &v, why, sizeof(why)), 0);
	assert_true(v.secs > 9.999 && v.secs < 10.001);
	f = nb_view_find(&v, "eth0", 2);
	assert_non_null(f);
	assert_true(f->has_rcv && f->has_napi);
	assert_int_equal(f->rcv[RB_COLL_CALLS], 1500);
	assert_true(nb_view_rate(&v, f->rcv[RB_COLL_CALLS]) == 150.0);
	assert_int_equal(f->napi[NP_POLLS], 100000);
	assert_int_equal(f->h[NB_H_COLLAPSE].samples, 1500);
	assert_int_equal(nb_ifview_pct(f, NB_H_COLLAPSE, 99, &p99), 0);
	assert_true(p99 > 32768 && p99 <= 699050);
	assert_int_equal(v.ncpus, 2);
	assert_int_equal(v.cpus[0].processed, 1500000);
	nb_view_free(&v);
	/* since reset: one snapshot, unknown length */
	assert_int_equal(nb_view_build(NULL, &s[1], &v, why, sizeof(why)), 0);
	assert_true(v.secs == 0);
	assert_true(nb_view_rate(&v, 5) != nb_view_rate(&v, 5)); /* NaN */
	f = nb_view_find(&v, "total", -1);
	assert_non_null(f);
	assert_int_equal(f->kind, NB_ROW_TOTAL);
	assert_int_equal(f->h[NB_H_COLLAPSE].max, 699050);
	nb_view_free(&v);
	nb_snapshot_free(&s[0]);
	nb_snapshot_free(&s[1]);
}

static void view_not_comparable(void **state)
{
	struct nb_snapshot s[2];
	struct nb_view v;
	char why[128];

	(void)state;
	two(s);
	assert_int_equal(nb_view_build(&s[1], &s[0], &v, why, sizeof(why)),
			 -1);
	assert_contains(why, "rebooted");	/* boottime went back */
	s[0].boottime_ns = B0 + 20 * SEC;	/* same boot, counters down */
	s[0].realtime_ns = T0 + 20 * SEC;
	assert_int_equal(nb_view_build(&s[1], &s[0], &v, why, sizeof(why)),
			 -1);
	assert_contains(why, "counters went down (netbuf was reset or "
			"reloaded)");
	s[0].rcvbuf.rows[0] = s[0].rcvbuf.rows[1];	/* lo forgotten */
	assert_int_equal(nb_view_build(&s[1], &s[0], &v, why, sizeof(why)),
			 -1);
	assert_contains(why, "rows were forgotten");
	strcpy(s[0].netns, "1234");
	assert_int_equal(nb_view_build(&s[1], &s[0], &v, why, sizeof(why)),
			 -1);
	assert_contains(why, "another network namespace");
	nb_snapshot_free(&s[0]);
	nb_snapshot_free(&s[1]);
}

/* Rows by ifindex, reboots by boot_id, evictions by memory's evicted. */
static void view_identity(void **state)
{
	struct nb_snapshot s[2];
	const struct nb_ifview *f;
	struct nb_view v;
	char why[128];
	size_t i;

	(void)state;
	two(s);
	strcpy(s[0].boot_id, "6b3c2e1a-0a0a-4b4b-8c8c-000000000001");
	strcpy(s[1].boot_id, s[0].boot_id);
	s[1].realtime_ns += 3600 * SEC;	/* the wall clock stepped */
	strcpy(s[1].rcvbuf.rows[1].iface, "wan0");	/* eth0 renamed */
	strcpy(s[1].napi.rows[0].iface, "wan0");
	for (i = 0; i < s[1].nhists; i++)
		if (s[1].hists[i].ifindex == 2)
			strcpy(s[1].hists[i].iface, "wan0");
	assert_int_equal(nb_view_build(&s[0], &s[1], &v, why, sizeof(why)), 0);
	f = nb_view_find(&v, "wan0", 2);
	assert_non_null(f);
	assert_string_equal(f->renamed_from, "eth0");
	assert_int_equal(f->rcv[RB_COLL_CALLS], 1500);
	assert_int_equal(v.evicted, 0);
	nb_view_free(&v);
	s[1].rcvbuf.rows[0] = s[1].rcvbuf.rows[1];	/* lo evicted */
	s[1].mem[MEM_EVICTED] = s[0].mem[MEM_EVICTED] + 1;
	assert_int_equal(nb_view_build(&s[0], &s[1], &v, why, sizeof(why)), 0);
	assert_int_equal(v.evicted, 1);
	nb_view_free(&v);
	s[1].boot_id[35] = '2';	/* another boot, boottime further on */
	assert_int_equal(nb_view_build(&s[0], &s[1], &v, why, sizeof(why)),
			 -1);
	assert_contains(why, "rebooted");
	nb_snapshot_free(&s[0]);
	nb_snapshot_free(&s[1]);
}

static void softnet_wraps(void **state)
{
	struct nb_snapshot s[2];
	struct nb_view v;
	char why[128];

	(void)state;
	two(s);
	s[0].cpus[0].processed = 0xfffffff0;
	s[1].cpus[0].processed = 0x10;
	assert_int_equal(nb_view_build(&s[0], &s[1], &v, why, sizeof(why)), 0);
	assert_int_equal(v.cpus[0].processed, 0x20);
	nb_view_free(&v);
	nb_snapshot_free(&s[0]);
	nb_snapshot_free(&s[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(roundtrip),
		cmocka_unit_test(one_snapshot),
		cmocka_unit_test(proposals_roundtrip),
		cmocka_unit_test(parse_errors),
		cmocka_unit_test(save_atomic),
		cmocka_unit_test(view_rates),
		cmocka_unit_test(view_not_comparable),
		cmocka_unit_test(view_identity),
		cmocka_unit_test(softnet_wraps),
	};

	return cmocka_run_group_tests_name("baseline", tests, NULL, NULL);
}
