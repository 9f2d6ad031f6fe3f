// SPDX-License-Identifier: GPL-2.0
/* netbuf tests: the parsers of every input file, and every fixture dir. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parse.h"
#include "testutil.h"

#define RCV_HDR "iface ifindex state coll_calls coll_skbs coll_freed " \
	"coll_ns coll_max_ns prune_calls prune_noop prune_collapse " \
	"prune_ofo prune_drop prune_ns prune_max_ns ofo_calls ofo_segs " \
	"ofo_bytes untracked\n"
#define Z16 " 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0"
#define RCV_UNKNOWN "unknown 0 -" Z16 "\n"
#define RCV_TOTAL "total - -" Z16 "\n"
#define NAPI_HDR "iface ifindex state polls packets exhausted empty " \
	"poll_ns poll_max_ns untimed\n"
#define RCV_HDR_NEW "iface ifindex state coll_calls coll_skbs coll_freed " \
	"coll_ns coll_max_ns prune_calls prune_noop prune_collapse " \
	"prune_ofo prune_drop prune_ns prune_max_ns ofo_calls ofo_segs " \
	"ofo_bytes untracked prune_unseen gone coll_preempted " \
	"prune_preempted\n"
#define NAPI_HDR_NEW "iface ifindex state polls packets exhausted empty " \
	"poll_ns poll_max_ns untimed netpoll busy_poll threaded untracked " \
	"gone\n"
#define PROBE_HDR "hook symbol type state hits nmissed self_ns note\n"
#define HIST_HDR "iface ifindex hist samples sum max buckets\n"
#define Q_HDR "iface ifindex rxqueues napi_id queue cpu polls packets " \
	"exhausted empty poll_ns poll_max_ns untimed\n"
#define Q_UNL "unlisted - - - - - 0 0 0 0 0 0 0\n"
#define QH_HDR "iface ifindex napi_id hist samples sum max buckets\n"

static void expect_err(int r, const struct nb_err *e, const char *what)
{
	assert_int_equal(r, -1);
	assert_contains(e->msg, what);
}

/* ---- version ---- */

static void version_ok(void **state)
{
	const char *t = "netbuf 0.1.0\nformat 1\nbuilt_for 6.1.0-56-amd64\n"
			"running 6.12.1\npreempt full\nextra later-key\n";
	struct nb_version v;
	struct nb_err e;

	(void)state;
	assert_int_equal(nb_parse_version("v", t, strlen(t), &v, &e), 0);
	assert_string_equal(v.module, "0.1.0");
	assert_int_equal(v.format, 1);
	assert_string_equal(v.built_for, "6.1.0-56-amd64");
	assert_string_equal(v.running, "6.12.1");
	assert_string_equal(v.preempt, "full");
	t = "netbuf 0.1.0\nformat 1\nbuilt_for a\nrunning b\n";
	assert_int_equal(nb_parse_version("v", t, strlen(t), &v, &e), 0);
	assert_string_equal(v.preempt, "");	/* optional */
}

static void version_errors(void **state)
{
	static const struct { const char *text, *err; } cases[] = {
		{ "netbuf 0.2.0\nformat 2\nbuilt_for x\nrunning y\n",
		  "unsupported format 2" },
		{ "something new\nformat 3\n", "unsupported format 3" },
		{ "netbuf 0.1.0\nbuilt_for x\nrunning y\n", "no 'format'" },
		{ "netbuf 0.1.0\nformat 1\nbuilt_for x\n", "no 'running'" },
		{ "netbuf 0.1.0\nformat 1\nbuilt_for x\nrunning y",
		  "truncated" },
		{ "netbuf 0.1.0\nformat 1\nformat 1\nbuilt_for x\nrunning y\n",
		  "duplicate key" },
		{ "netbuf 0.1.0 extra\nformat 1\nbuilt_for x\nrunning y\n",
		  "expected 'key value'" },
		{ "format one\n", "bad format line" },
		{ "", "no 'format'" },
	};
	struct nb_version v;
	struct nb_err e;
	size_t i;

	(void)state;
	for (i = 0; i < NB_ARRAY_SIZE(cases); i++)
		expect_err(nb_parse_version("v", cases[i].text,
					    strlen(cases[i].text), &v, &e),
			   &e, cases[i].err);
}

/* ---- probes ---- */

static void probes_ok(void **state)
{
	const char *t =
		"hook symbol type state hits nmissed self_ns note\n"
		"collapse tcp_collapse kretprobe active 123 0 4567 -\n"
		"napi napi_poll tracepoint active 99999 - 0 -\n"
		"napi_time __napi_poll kprobe unavailable - - 0 "
		"symbol_not_found(-2)\n";
	struct nb_probe *p;
	struct nb_err e;
	size_t n;

	(void)state;
	assert_int_equal(nb_parse_probes("p", t, strlen(t), &p, &n, &e), 0);
	assert_int_equal(n, 3);
	assert_string_equal(p[0].hook, "collapse");
	assert_true(p[0].active && p[0].has_nmissed && p[0].hits == 123);
	assert_int_equal(p[0].self_ns, 4567);
	assert_string_equal(p[0].note, "");
	assert_false(p[1].has_nmissed);
	assert_false(p[2].active);
	assert_false(p[2].has_hits);
	assert_string_equal(p[2].note, "symbol_not_found(-2)");
	free(p);
}

static void probes_errors(void **state)
{
	static const struct { const char *text, *err; } cases[] = {
		{ "hook symbol type state hits nmissed note\n",
		  "unexpected header: no column 'self_ns' (not format 1?)" },
		{ "hook symbol type status hits nmissed self_ns note\n",
		  "no column 'state'" },
		{ "hook symbol type state hits nmissed self_ns note hits\n",
		  "duplicate column 'hits'" },
		{ PROBE_HDR "a b c sleeping 1 0 0 -\n", "bad state 'sleeping'" },
		{ PROBE_HDR "a b c active 1 0 -\n", "expected 8 fields, got 7" },
		{ PROBE_HDR "a b c active x 0 0 -\n", "bad hits 'x'" },
		{ PROBE_HDR "a b c active 1 0 - -\n", "bad self_ns '-'" },
		{ PROBE_HDR "\n", "empty line" },
		{ "", "empty file" },
	};
	struct nb_probe *p = NULL;
	struct nb_err e;
	size_t i, n;

	(void)state;
	for (i = 0; i < NB_ARRAY_SIZE(cases); i++)
		expect_err(nb_parse_probes("p", cases[i].text,
					   strlen(cases[i].text), &p, &n, &e),
			   &e, cases[i].err);
}

/* ---- rcvbuf and napi ---- */

static void rcvbuf_ok(void **state)
{
	const char *t = RCV_HDR
		"lo 1 up 12 34 1000 345678 98765 3 1 1 0 1 5000 3000 0 0 0 0\n"
		"eth1 5 gone 1 1 1 1 1 0 0 0 0 0 0 0 2 3 4 0\n"
		RCV_UNKNOWN
		"total - - 13 35 1001 345679 98765 3 1 1 0 1 5000 3000 2 3 4 "
		"0\n";
	struct nb_table tb;
	struct nb_err e;

	(void)state;
	assert_int_equal(nb_parse_table("r", t, strlen(t), &nb_rcvbuf_def,
					&tb, &e), 0);
	assert_int_equal(tb.n, 4);
	assert_int_equal(tb.rows[0].kind, NB_ROW_IFACE);
	assert_int_equal(tb.rows[0].v[RB_COLL_MAX_NS], 98765);
	assert_int_equal(tb.rows[0].v[RB_PRUNE_DROP], 1);
	assert_string_equal(tb.rows[1].state, "gone");
	assert_int_equal(tb.rows[1].v[RB_OFO_BYTES], 4);
	assert_int_equal(tb.rows[2].kind, NB_ROW_PSEUDO);
	assert_int_equal(tb.rows[3].kind, NB_ROW_TOTAL);
	assert_int_equal(tb.rows[3].ifindex, -1);
	free(tb.rows);
}

static void napi_ok(void **state)
{
	const char *t = NAPI_HDR
		"eth0 2 up 100 2000 3 4 500000 9000 1\n"
		"unknown 0 - 0 0 0 0 0 0 0\n"
		"backlog 0 - 5 6 0 0 70 30 0\n"
		"total - - 105 2006 3 4 500070 9000 1\n";
	struct nb_table tb;
	struct nb_err e;

	(void)state;
	assert_int_equal(nb_parse_table("n", t, strlen(t), &nb_napi_def,
					&tb, &e), 0);
	assert_int_equal(tb.n, 4);
	assert_int_equal(tb.rows[0].v[NP_EXHAUSTED], 3);
	assert_int_equal(tb.rows[0].v[NP_UNTIMED], 1);
	assert_string_equal(tb.rows[2].iface, "backlog");
	assert_int_equal(tb.rows[2].kind, NB_ROW_PSEUDO);
	free(tb.rows);
}

static void table_errors(void **state)
{
	static const struct { const char *text, *err; } cases[] = {
		{ RCV_HDR "lo 1 up" Z16 "\n" RCV_UNKNOWN,
		  "no total row at the end (truncated?)" },
		{ RCV_HDR "lo 1 up" Z16 "\n", "no total row" },
		{ RCV_HDR, "no total row" },
		{ RCV_HDR RCV_UNKNOWN RCV_TOTAL "lo 1 up" Z16 "\n",
		  "row after the total row" },
		{ RCV_HDR RCV_UNKNOWN "lo 1 up" Z16 "\n" RCV_TOTAL,
		  "row lo after row unknown (out of order)" },
		{ RCV_HDR "lo 1 up 1 2 3\n" RCV_UNKNOWN RCV_TOTAL,
		  "expected 19 fields, got 6" },
		{ RCV_HDR "lo 1 up 1x 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
		  "bad coll_calls '1x'" },
		{ RCV_HDR "lo 1 up -1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
		  "bad coll_calls '-1'" },
		{ RCV_HDR "lo 1 up 18446744073709551616 0 0 0 0 0 0 0 0 0 0 "
		  "0 0 0 0 0\n", "bad coll_calls" },
		{ RCV_HDR "lo 1 up - 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
		  "bad coll_calls '-'" },
		{ RCV_HDR "lo 1 down" Z16 "\n", "bad state 'down'" },
		{ RCV_HDR "lo - up" Z16 "\n", "ifindex '-' on a row" },
		{ RCV_HDR "backlog 0 -" Z16 "\n", "not 'unknown' with" },
		{ RCV_HDR "lo 1 up" Z16 "\nlo 1 up" Z16 "\n",
		  "duplicate row lo" },
		{ "iface ifindex state coll_calls\n", "unexpected header" },
		{ "iface ifindex state coll_calls coll_skbs coll_freed coll_ns "
		  "coll_max_ns prune_calls prune_noop prune_collapse prune_ofo "
		  "prune_drops prune_ns prune_max_ns ofo_calls ofo_segs "
		  "ofo_bytes untracked\n", "no column 'prune_drop'" },
		{ RCV_HDR "lo 1 up 1 0 0 0 5 0 0 0 0 0 0 0 0 0 0 0\n"
		  RCV_UNKNOWN RCV_TOTAL,
		  "rcvbuf:4: total coll_calls 0 is not the sum of the rows, 1" },
		{ RCV_HDR "lo 1 up 1 0 0 0 5 0 0 0 0 0 0 0 0 0 0 0\n"
		  RCV_UNKNOWN "total - - 1 0 0 0 4 0 0 0 0 0 0 0 0 0 0 0\n",
		  "total coll_max_ns 4 is not the max of the rows, 5" },
		{ RCV_HDR "lo 1 up 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
		  "eth0 2 up 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n" RCV_UNKNOWN RCV_TOTAL,
		  "rcvbuf: coll_calls of the rows overflows" },
		{ RCV_HDR "lo 1 up" Z16, "truncated (last line has no "
		  "newline)" },
		{ RCV_HDR "lo 99999999999 up" Z16 "\n", "ifindex out of range" },
	};
	struct nb_table tb;
	struct nb_err e;
	size_t i;

	(void)state;
	for (i = 0; i < NB_ARRAY_SIZE(cases); i++)
		expect_err(nb_parse_table("rcvbuf", cases[i].text,
					  strlen(cases[i].text),
					  &nb_rcvbuf_def, &tb, &e), &e,
			   cases[i].err);
}

static void napi_errors(void **state)
{
	const char *bad = NAPI_HDR "other 0 - 0 0 0 0 0 0 0\n";
	const char *order = NAPI_HDR "backlog 0 - 0 0 0 0 0 0 0\n"
			    "unknown 0 - 0 0 0 0 0 0 0\n";
	struct nb_table tb;
	struct nb_err e;

	(void)state;
	expect_err(nb_parse_table("napi", bad, strlen(bad), &nb_napi_def, &tb,
				  &e), &e, "not 'unknown' or 'backlog'");
	expect_err(nb_parse_table("napi", order, strlen(order), &nb_napi_def,
				  &tb, &e), &e,
		   "row unknown after row backlog (out of order)");
}

/* The pseudo rows are optional; only the total row must be there. */
static void pseudo_optional(void **state)
{
	const char *r = RCV_HDR "lo 1 up" Z16 "\n" RCV_TOTAL;
	const char *n = NAPI_HDR "unknown 0 - 1 1 0 0 1 1 0\n"
			"total - - 1 1 0 0 1 1 0\n";
	struct nb_table tb;
	struct nb_err e;

	(void)state;
	assert_int_equal(nb_parse_table("r", r, strlen(r), &nb_rcvbuf_def,
					&tb, &e), 0);
	assert_int_equal(tb.n, 2);
	free(tb.rows);
	assert_int_equal(nb_parse_table("n", n, strlen(n), &nb_napi_def, &tb,
					&e), 0);
	assert_int_equal(tb.rows[0].kind, NB_ROW_PSEUDO);
	free(tb.rows);
}

/* ---- histograms ---- */

static void hists_ok(void **state)
{
	const char *t = HIST_HDR
		"lo 1 collapse 12 345678 20000 1024:3 2048:5 16384:4\n"
		"eth0 2 napi_pkts 10 100 64 0:1 1:2 64:7\n"
		"total - prune 1 5 5 4:1\n"
		"big 3 napi_ns 2 0 18446744073709551615 "
		"9223372036854775808:2\n";
	struct nb_hrow *h;
	struct nb_err e;
	size_t n;

	(void)state;
	assert_int_equal(nb_parse_hists("h", t, strlen(t), &h, &n, &e), 0);
	assert_int_equal(n, 4);
	assert_int_equal(h[0].kind, NB_H_COLLAPSE);
	assert_int_equal(h[0].h.samples, 12);
	assert_int_equal(h[0].h.b[11], 3);	/* 1024 = 2^10 -> [11] */
	assert_int_equal(h[0].h.b[12], 5);
	assert_int_equal(h[0].h.b[15], 4);
	assert_int_equal(h[1].kind, NB_H_NAPI_PKTS);
	assert_int_equal(h[1].h.b[0], 1);
	assert_int_equal(h[1].h.b[1], 2);
	assert_int_equal(h[1].h.b[7], 7);
	assert_int_equal(h[2].ifindex, -1);
	assert_int_equal(h[3].h.b[64], 2);
	free(h);
}

static void hists_errors(void **state)
{
	static const struct { const char *text, *err; } cases[] = {
		{ HIST_HDR "lo 1 collapse 12 345678 98765 1024:3 2048:5\n",
		  "add up to 8, not samples 12" },
		{ HIST_HDR "lo 1 collapse 3 3 3 1000:3\n",
		  "bucket low 1000 is not 0 or a power of two" },
		{ HIST_HDR "lo 1 collapse 3 3 3 2048:1 1024:2\n",
		  "not in ascending order" },
		{ HIST_HDR "lo 1 collapse 3 3 3 1024:1 1024:2\n",
		  "not in ascending order" },
		{ HIST_HDR "lo 1 latency 3 3 3 1024:3\n",
		  "unknown histogram 'latency'" },
		{ HIST_HDR "lo 1 napi 3 3 3 1024:3\n",
		  "unknown histogram 'napi'" },
		{ HIST_HDR "lo 1 collapse 3 3 3 1024-3\n", "bad bucket" },
		{ HIST_HDR "lo 1 collapse 3 3 3 1024:\n", "bad bucket" },
		{ HIST_HDR "lo 1 collapse 3 3\n", "at least 6 fields" },
		{ HIST_HDR "lo 1 collapse 1 1 1 1:1\nlo 1 collapse 1 1 1 1:1\n",
		  "duplicate histogram row" },
		{ "iface ifindex hist samples sum max\n", "unexpected header" },
		{ "iface ifindex hist buckets samples sum max\n",
		  "no column 'buckets' at the end" },
		/* counts that wrap modulo 2^64 to samples */
		{ HIST_HDR "lo 1 collapse 2 3 1500 1024:18446744073709551615 "
		  "2048:3\n", "bucket counts overflow" },
		{ HIST_HDR "lo 1 collapse 3 3 5 1024:3\n",
		  "max 5 is not in the highest bucket [1024, 2047]" },
		{ HIST_HDR "lo 1 collapse 3 3 4096 1024:3\n",
		  "max 4096 is not in the highest bucket [1024, 2047]" },
		{ HIST_HDR "lo 1 collapse 3 0 1 0:3\n",
		  "max 1 is not in the highest bucket [0, 0]" },
	};
	struct nb_hrow *h;
	struct nb_err e;
	size_t i, n;

	(void)state;
	for (i = 0; i < NB_ARRAY_SIZE(cases); i++)
		expect_err(nb_parse_hists("histograms", cases[i].text,
					  strlen(cases[i].text), &h, &n, &e),
			   &e, cases[i].err);
}

/*
 * Columns a module of this format gained later (prune_unseen, gone,
 * *_preempted; netpoll ... gone in napi): read when there, 0 when an
 * older module's file lacks them, and in the total check like the others.
 */
static void optional_columns(void **state)
{
	const char *rcv = RCV_HDR_NEW
		"lo 1 up 5 9 0 0 0 4 0 0 0 4 0 0 0 0 0 0 0 0 2 1\n"
		"unknown 0 - 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 6 8 0 0\n"
		"total - - 5 9 0 0 0 4 0 0 0 4 0 0 0 0 0 0 6 8 2 1\n";
	const char *napi = NAPI_HDR_NEW
		"eth0 2 up 10 20 1 0 0 0 7 3 2 1 0 0\n"
		"unknown 0 - 4 4 0 0 0 0 0 0 0 0 3 1\n"
		"total - - 14 24 1 0 0 0 7 3 2 1 3 1\n";
	const char *old = RCV_HDR
		"lo 1 up 5 9 0 0 0 4 0 0 0 4 0 0 3 2 1 7\n"
		"total - - 5 9 0 0 0 4 0 0 0 4 0 0 3 2 1 7\n";
	const char *part = "iface ifindex state coll_calls coll_skbs "
		"coll_freed coll_ns coll_max_ns prune_calls prune_noop "
		"prune_collapse prune_ofo prune_drop prune_ns prune_max_ns "
		"ofo_calls ofo_segs ofo_bytes untracked coll_preempted "
		"prune_preempted\n"
		"lo 1 up 5 9 0 0 0 4 0 0 0 4 0 0 0 0 0 0 2 1\n"
		"total - - 5 9 0 0 0 4 0 0 0 4 0 0 0 0 0 0 2 1\n";
	struct nb_table tb;
	struct nb_err e;
	char bad[1024];

	(void)state;
	assert_int_equal(nb_parse_table("r", rcv, strlen(rcv), &nb_rcvbuf_def,
					&tb, &e), 0);
	assert_int_equal(tb.n, 3);
	assert_int_equal(tb.rows[0].v[RB_COLL_PREEMPTED], 2);
	assert_int_equal(tb.rows[0].v[RB_PRUNE_PREEMPTED], 1);
	assert_int_equal(tb.rows[1].v[RB_PRUNE_UNSEEN], 6);
	assert_int_equal(tb.rows[1].v[RB_GONE], 8);
	assert_int_equal(tb.rows[2].v[RB_GONE], 8);
	free(tb.rows);
	assert_int_equal(nb_parse_table("n", napi, strlen(napi), &nb_napi_def,
					&tb, &e), 0);
	assert_int_equal(tb.rows[0].v[NP_NETPOLL], 3);
	assert_int_equal(tb.rows[0].v[NP_BUSY_POLL], 2);
	assert_int_equal(tb.rows[0].v[NP_THREADED], 1);
	assert_int_equal(tb.rows[1].v[NP_UNTRACKED], 3);
	assert_int_equal(tb.rows[1].v[NP_GONE], 1);
	free(tb.rows);
	/* an older module: the columns read 0 */
	assert_int_equal(nb_parse_table("r", old, strlen(old), &nb_rcvbuf_def,
					&tb, &e), 0);
	assert_int_equal(tb.rows[0].v[RB_OFO_CALLS], 3);
	assert_int_equal(tb.rows[0].v[RB_UNTRACKED], 7);
	assert_int_equal(tb.rows[0].v[RB_PRUNE_UNSEEN], 0);
	assert_int_equal(tb.rows[0].v[RB_GONE], 0);
	assert_int_equal(tb.rows[0].v[RB_COLL_PREEMPTED], 0);
	assert_int_equal(tb.rows[1].v[RB_PRUNE_PREEMPTED], 0);
	free(tb.rows);
	/* some of them: each read by name */
	assert_int_equal(nb_parse_table("r", part, strlen(part),
					&nb_rcvbuf_def, &tb, &e), 0);
	assert_int_equal(tb.rows[0].v[RB_PRUNE_UNSEEN], 0);
	assert_int_equal(tb.rows[0].v[RB_GONE], 0);
	assert_int_equal(tb.rows[0].v[RB_COLL_PREEMPTED], 2);
	assert_int_equal(tb.rows[0].v[RB_PRUNE_PREEMPTED], 1);
	free(tb.rows);
	/* a total that is not the sum, in an optional column */
	snprintf(bad, sizeof(bad), "%s", rcv);
	*strstr(bad, "total - - 5 9 0 0 0 4 0 0 0 4 0 0 0 0 0 0 6 8 2 1") =
		'\0';
	strcat(bad, "total - - 5 9 0 0 0 4 0 0 0 4 0 0 0 0 0 0 7 8 2 1\n");
	expect_err(nb_parse_table("r", bad, strlen(bad), &nb_rcvbuf_def, &tb,
				  &e), &e, "total prune_unseen 7");
	/* a present optional column still needs a field in every row */
	snprintf(bad, sizeof(bad), RCV_HDR_NEW
		 "lo 1 up 5 9 0 0 0 4 0 0 0 4 0 0 0 0 0 0 0 0 2\n");
	expect_err(nb_parse_table("r", bad, strlen(bad), &nb_rcvbuf_def, &tb,
				  &e), &e, "expected 23 fields, got 22");
}

/* A later module may add columns anywhere: they are skipped by name. */
static void unknown_columns(void **state)
{
	const char *rcv = "iface ifindex state coll_calls new_a coll_skbs "
		"coll_freed coll_ns coll_max_ns prune_calls prune_noop "
		"prune_collapse prune_ofo prune_drop prune_ns prune_max_ns "
		"ofo_calls ofo_segs ofo_bytes untracked new_b\n"
		"lo 1 up 7 99 2 0 0 0 0 0 0 0 0 0 0 0 0 0 0 98\n"
		"unknown 0 - 0 97 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 96\n"
		"total - - 7 95 2 0 0 0 0 0 0 0 0 0 0 0 0 0 0 94\n";
	const char *hist = "iface ifindex hist new samples sum max buckets\n"
		"lo 1 collapse x 3 3000 1024 1024:3\n";
	const char *probes = "hook symbol type state hits nmissed self_ns "
		"note cost\ncollapse tcp_collapse kretprobe active 5 0 0 - 9\n";
	struct nb_probe *p;
	struct nb_hrow *h;
	struct nb_table tb;
	struct nb_err e;
	size_t n;

	(void)state;
	assert_int_equal(nb_parse_table("r", rcv, strlen(rcv), &nb_rcvbuf_def,
					&tb, &e), 0);
	assert_int_equal(tb.n, 3);
	assert_int_equal(tb.rows[0].v[RB_COLL_CALLS], 7);
	assert_int_equal(tb.rows[0].v[RB_COLL_SKBS], 2);
	assert_int_equal(tb.rows[0].v[RB_UNTRACKED], 0);
	free(tb.rows);
	assert_int_equal(nb_parse_hists("h", hist, strlen(hist), &h, &n, &e),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(h[0].h.samples, 3);
	assert_int_equal(h[0].h.b[11], 3);
	free(h);
	assert_int_equal(nb_parse_probes("p", probes, strlen(probes), &p, &n,
					 &e), 0);
	assert_int_equal(p[0].hits, 5);
	assert_string_equal(p[0].note, "");
	free(p);
}

/* ---- napi_queues, napi_queue_hist ---- */

static void queues_ok(void **state)
{
	/* a later column in the middle and one at the end are skipped */
	const char *t = "iface ifindex rxqueues napi_id queue cpu later polls "
		"packets exhausted empty poll_ns poll_max_ns untimed last\n"
		"eth0 2 1 8193 0 0 x 50 100 0 2 34567 5678 0 y\n"
		"b0 3 4 8195 - 1 x 1200 56000 3 10 1234567 45678 0 y\n"
		"b0 3 4 8196 3 2 x 900 41000 0 12 1034567 35678 1 y\n"
		"unlisted - - - - - x 7 9 1 2 30 20 4 y\n";
	/* an instance without a NAPI id: several may share an ifindex */
	const char *z = Q_HDR "b0 3 4 0 - - 1 1 0 0 5 5 0\n"
		"b0 3 4 0 - 0 2 2 0 0 6 6 0\n" Q_UNL;
	struct nb_qrow *q;
	struct nb_err e;
	size_t n;

	(void)state;
	assert_int_equal(nb_parse_queues("q", t, strlen(t), &q, &n, &e), 0);
	assert_int_equal(n, 4);
	assert_string_equal(q[0].iface, "eth0");
	assert_int_equal(q[0].ifindex, 2);
	assert_int_equal(q[0].queue, 0);
	assert_int_equal(q[1].rxqueues, 4);
	assert_int_equal(q[1].napi_id, 8195);
	assert_int_equal(q[1].queue, -1);		/* "-" */
	assert_int_equal(q[1].cpu, 1);
	assert_int_equal(q[1].v[QC_POLLS], 1200);
	assert_int_equal(q[1].v[QC_PACKETS], 56000);
	assert_int_equal(q[1].v[QC_EXHAUSTED], 3);
	assert_int_equal(q[1].v[QC_EMPTY], 10);
	assert_int_equal(q[1].v[QC_POLL_NS], 1234567);
	assert_int_equal(q[1].v[QC_POLL_MAX_NS], 45678);
	assert_int_equal(q[2].v[QC_UNTIMED], 1);
	assert_false(q[2].unlisted);
	assert_true(q[3].unlisted);
	assert_int_equal(q[3].ifindex, -1);
	assert_int_equal(q[3].napi_id, -1);
	assert_int_equal(q[3].cpu, -1);
	assert_int_equal(q[3].v[QC_UNTIMED], 4);
	free(q);
	assert_int_equal(nb_parse_queues("q", z, strlen(z), &q, &n, &e), 0);
	assert_int_equal(n, 3);
	assert_int_equal(q[0].cpu, -1);
	free(q);
	/* an interface named unlisted is an interface */
	z = Q_HDR "unlisted 4 1 9000 0 0 1 1 0 0 5 5 0\n" Q_UNL;
	assert_int_equal(nb_parse_queues("q", z, strlen(z), &q, &n, &e), 0);
	assert_false(q[0].unlisted);
	assert_true(q[1].unlisted);
	free(q);
}

static void queues_errors(void **state)
{
	static const struct { const char *text, *err; } cases[] = {
		{ Q_HDR "eth0 2 1 8193 0 0 1 1 0 0 5 5 0\n",
		  "no unlisted line at the end (truncated?)" },
		{ Q_HDR, "no unlisted line at the end" },
		{ "", "empty file" },
		{ Q_HDR Q_UNL "eth0 2 1 8193 0 0 1 1 0 0 5 5 0\n",
		  "q:3: line after the unlisted line" },
		{ Q_HDR Q_UNL Q_UNL, "q:3: line after the unlisted line" },
		{ Q_HDR "unlisted - - 5 - - 0 0 0 0 0 0 0\n",
		  "q:2: napi_id '5' on the unlisted line" },
		{ Q_HDR "unlisted - 4 - - - 0 0 0 0 0 0 0\n",
		  "q:2: rxqueues '4' on the unlisted line" },
		{ Q_HDR "unlisted - - - - 0 0 0 0 0 0 0 0\n",
		  "q:2: cpu '0' on the unlisted line" },
		{ Q_HDR "eth0 - 1 8193 0 0 1 1 0 0 5 5 0\n" Q_UNL,
		  "q:2: ifindex '-' on a line that is not 'unlisted'" },
		{ Q_HDR "eth0 0 1 8193 0 0 1 1 0 0 5 5 0\n" Q_UNL,
		  "q:2: ifindex '0' on a line that is not 'unlisted'" },
		{ Q_HDR "eth0 2 - 8193 0 0 1 1 0 0 5 5 0\n" Q_UNL,
		  "q:2: bad rxqueues '-'" },
		{ Q_HDR "eth0 2 1 - 0 0 1 1 0 0 5 5 0\n" Q_UNL,
		  "q:2: bad napi_id '-'" },
		{ Q_HDR "eth0 2 1 4294967296 0 0 1 1 0 0 5 5 0\n" Q_UNL,
		  "q:2: napi_id out of range" },
		{ Q_HDR "eth0 2 1 8193 -1 0 1 1 0 0 5 5 0\n" Q_UNL,
		  "q:2: bad queue '-1'" },
		{ Q_HDR "eth0 2 1 8193 0 x 1 1 0 0 5 5 0\n" Q_UNL,
		  "q:2: bad cpu 'x'" },
		{ Q_HDR "eth0 2 1 8193 0 0 1 1x 0 0 5 5 0\n" Q_UNL,
		  "q:2: bad packets '1x'" },
		{ Q_HDR "eth0 2 1 8193 0 0 1 1 0 0 5 5\n" Q_UNL,
		  "q:2: expected 13 fields, got 12" },
		{ Q_HDR "eth0 2 1 8193 0 0 1 1 0 0 5 5 0\n"
		  "eth0 2 1 8193 0 0 1 1 0 0 5 5 0\n" Q_UNL,
		  "q:3: duplicate instance ifindex 2 napi_id 8193" },
		{ Q_HDR "eth0 2 1 8194 0 0 1 1 0 0 5 5 0\n"
		  "eth0 2 1 8193 0 0 1 1 0 0 5 5 0\n" Q_UNL,
		  "q:3: ifindex 2 napi_id 8193 after ifindex 2 napi_id 8194 "
		  "(out of order)" },
		{ Q_HDR "b0 3 1 8190 0 0 1 1 0 0 5 5 0\n"
		  "eth0 2 1 8193 0 0 1 1 0 0 5 5 0\n" Q_UNL,
		  "q:3: ifindex 2 napi_id 8193 after ifindex 3" },
		{ "iface ifindex rxqueues napi_id queue polls packets exhausted "
		  "empty poll_ns poll_max_ns untimed\n" Q_UNL,
		  "q:1: unexpected header: no column 'cpu'" },
		{ "iface ifindex rxqueues napi_id queue cpu polls packets "
		  "exhausted empty poll_ns poll_max_ns untimed polls\n" Q_UNL,
		  "q:1: duplicate column 'polls'" },
	};
	struct nb_qrow *q;
	struct nb_err e;
	size_t i, n;

	(void)state;
	for (i = 0; i < NB_ARRAY_SIZE(cases); i++) {
		expect_err(nb_parse_queues("q", cases[i].text,
					   strlen(cases[i].text), &q, &n, &e),
			   &e, cases[i].err);
		assert_null(q);
	}
}

static void qhists_ok(void **state)
{
	const char *t = QH_HDR
		"b0 3 8195 napi_ns 1200 1234567 45678 1024:3 2048:5 "
		"16384:4 32768:1188\n"
		"b0 3 8195 napi_pkts 1200 56000 64 1:5 64:1195\n"
		"b0 3 8196 napi_pkts 2 0 0 0:2\n";
	struct nb_qhrow *h;
	struct nb_err e;
	size_t n;

	(void)state;
	assert_int_equal(nb_parse_qhists("qh", t, strlen(t), &h, &n, &e), 0);
	assert_int_equal(n, 3);
	assert_int_equal(h[0].kind, NB_H_NAPI_NS);
	assert_int_equal(h[0].napi_id, 8195);
	assert_int_equal(h[0].ifindex, 3);
	assert_int_equal(h[0].h.samples, 1200);
	assert_int_equal(h[0].h.b[11], 3);
	assert_int_equal(h[0].h.max, 45678);
	assert_int_equal(h[1].kind, NB_H_NAPI_PKTS);
	assert_int_equal(h[1].h.b[1], 5);
	assert_int_equal(h[1].h.b[7], 1195);
	assert_int_equal(h[2].h.b[0], 2);
	free(h);
}

static void qhists_errors(void **state)
{
	static const struct { const char *text, *err; } cases[] = {
		{ QH_HDR "b0 3 8195 collapse 3 3 3 1:3\n",
		  "qh:2: unknown histogram 'collapse' (napi_ns or napi_pkts)" },
		{ QH_HDR "b0 3 8195 napi 3 3 3 1:3\n",
		  "unknown histogram 'napi'" },
		{ QH_HDR "b0 3 8195 napi_pkts 3 3 3 1:2\n",
		  "qh:2: bucket counts add up to 2, not samples 3" },
		{ QH_HDR "b0 3 8195 napi_pkts 3 3 5 1:3\n",
		  "max 5 is not in the highest bucket [1, 1]" },
		{ QH_HDR "b0 - 8195 napi_pkts 3 3 1 1:3\n",
		  "qh:2: ifindex '-' (an instance's is above 0)" },
		{ QH_HDR "b0 3 - napi_pkts 3 3 1 1:3\n", "bad napi_id '-'" },
		{ QH_HDR "b0 3 8195 napi_pkts 1 1 1 1:1\n"
		  "b0 3 8195 napi_pkts 1 1 1 1:1\n",
		  "qh:3: duplicate histogram row" },
		{ QH_HDR "b0 3 8196 napi_pkts 1 1 1 1:1\n"
		  "b0 3 8195 napi_pkts 1 1 1 1:1\n",
		  "qh:3: ifindex 3 napi_id 8195 after ifindex 3 napi_id 8196" },
		{ QH_HDR "b0 3 8195 napi_pkts 3 3\n", "at least 7 fields" },
		{ "iface ifindex napi_id hist samples sum max\n",
		  "no column 'buckets'" },
		{ HIST_HDR, "no column 'napi_id'" },
	};
	struct nb_qhrow *h;
	struct nb_err e;
	size_t i, n;

	(void)state;
	for (i = 0; i < NB_ARRAY_SIZE(cases); i++)
		expect_err(nb_parse_qhists("qh", cases[i].text,
					   strlen(cases[i].text), &h, &n, &e),
			   &e, cases[i].err);
}

/* ---- memory ---- */

#define MEM_OK "rows 12\nrows_max 4096\nrow_bytes 1408\npercpu_bytes 64\n" \
	"cpus 2\nbytes 45056\nbytes_worst 39059456\nuntracked_devs 3\n" \
	"evicted 4\n"

static void memory_ok(void **state)
{
	const char *t = MEM_OK "lost 7\nlater_key 1\n";
	u64 mem[MEM_COUNT];
	struct nb_err e;

	(void)state;
	assert_int_equal(nb_parse_memory("m", t, strlen(t), mem, &e), 0);
	assert_int_equal(mem[MEM_ROWS], 12);
	assert_int_equal(mem[MEM_BYTES_WORST], 39059456);
	assert_int_equal(mem[MEM_UNTRACKED_DEVS], 3);
	assert_int_equal(mem[MEM_EVICTED], 4);
	assert_int_equal(mem[MEM_LOST], 7);
}

static void memory_errors(void **state)
{
	const char *missing = MEM_OK, *bad = MEM_OK "lost lots\n";
	u64 mem[MEM_COUNT];
	struct nb_err e;

	(void)state;
	expect_err(nb_parse_memory("m", missing, strlen(missing), mem, &e),
		   &e, "no 'lost' line (truncated?)");
	expect_err(nb_parse_memory("m", bad, strlen(bad), mem, &e), &e,
		   "bad lost 'lots'");
}

/* ---- softnet_stat ---- */

static void softnet_13(void **state)
{
	const char *t =
		"0000000b 00000001 00000002 00000000 00000000 00000000 "
		"00000000 00000000 00000000 00000000 00000000 00000005 "
		"00000000\n"
		"000025a1 00000000 0000000a 00000000 00000000 00000000 "
		"00000000 00000000 00000000 00000000 00000000 00000000 "
		"00000002\n";
	struct nb_cpu *c;
	struct nb_err e;
	unsigned int cols;
	size_t n;

	(void)state;
	assert_int_equal(nb_parse_softnet("s", t, strlen(t), &c, &n, &cols,
					  &e), 0);
	assert_int_equal(n, 2);
	assert_int_equal(cols, 13);
	assert_int_equal(c[0].processed, 11);
	assert_int_equal(c[0].dropped, 1);
	assert_int_equal(c[0].squeeze, 2);
	assert_int_equal(c[0].backlog, 5);
	assert_int_equal(c[1].processed, 0x25a1);
	assert_int_equal(c[1].squeeze, 10);
	assert_int_equal(c[1].cpu, 2);	/* CPU 1 offline */
	free(c);
}

static void softnet_15(void **state)
{
	/* 6.12: backlog len and CPU index in 12 and 13, then 2 queues */
	const char *t =
		"00000010 00000000 00000000 00000000 00000000 00000000 "
		"00000000 00000000 00000000 00000000 00000000 00000003 "
		"00000007 00000001 00000002\n";
	struct nb_cpu *c;
	struct nb_err e;
	unsigned int cols;
	size_t n;

	(void)state;
	assert_int_equal(nb_parse_softnet("s", t, strlen(t), &c, &n, &cols,
					  &e), 0);
	assert_int_equal(cols, 15);
	assert_int_equal(c[0].processed, 16);
	assert_int_equal(c[0].cpu, 7);
	assert_int_equal(c[0].backlog, 3);
	free(c);
}

static void softnet_narrow(void **state)
{
	const char *t = "1 2 3\n4 5 6\n";
	struct nb_cpu *c;
	struct nb_err e;
	unsigned int cols;
	size_t n;

	(void)state;
	assert_int_equal(nb_parse_softnet("s", t, strlen(t), &c, &n, &cols,
					  &e), 0);
	assert_int_equal(cols, 3);
	assert_int_equal(c[1].cpu, 1);	/* row number */
	assert_int_equal(c[1].squeeze, 6);
	assert_false(c[1].has_backlog);
	free(c);
}

static void softnet_errors(void **state)
{
	static const struct { const char *text, *err; } cases[] = {
		{ "1 2\n", "fewer than 3 columns" },
		{ "1 2 3\n1 2 3 4\n", "4 columns, previous rows have 3" },
		{ "1 2 zz\n", "bad hex field 3 'zz'" },
		{ "", "no CPU rows" },
		{ "1 2 3", "truncated" },
	};
	struct nb_cpu *c;
	struct nb_err e;
	unsigned int cols;
	size_t i, n;

	(void)state;
	for (i = 0; i < NB_ARRAY_SIZE(cases); i++)
		expect_err(nb_parse_softnet("softnet_stat", cases[i].text,
					    strlen(cases[i].text), &c, &n,
					    &cols, &e), &e, cases[i].err);
}

/* ---- events, control ---- */

#define EV_HDR "time kind dur_ns outcome iface ifindex cgroup local remote " \
	"rmem_before rcvbuf_before rmem_after rcvbuf_after skbs bytes cpu\n"

static void events_ok(void **state)
{
	const char *t = EV_HDR
		"1795890823.207195200 collapse 761801 - lo 1 1 "
		"127.0.0.1:34337 127.0.0.1:37986 131088 131072 108800 131072 "
		"36 22288 1\n"
		"1795890823.000000001 prune 1099813 drop - 7 99 "
		"[2001:db8::1]:443 [::1]:5 - - - - 0 0 3\n";
	struct nb_event *ev;
	struct nb_err e;
	size_t n;

	(void)state;
	assert_int_equal(nb_parse_events("ev", t, strlen(t), &ev, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_true(ev[0].time_ns == 1795890823207195200ull);
	assert_false(ev[0].prune);
	assert_string_equal(ev[0].outcome, "");
	assert_string_equal(ev[0].local, "127.0.0.1:34337");
	assert_int_equal(ev[0].rmem[1], 108800);
	assert_true(ev[1].prune);
	assert_string_equal(ev[1].outcome, "drop");
	assert_string_equal(ev[1].iface, "");
	assert_int_equal(ev[1].ifindex, 7);
	assert_string_equal(ev[1].remote, "[::1]:5");
	assert_int_equal(ev[1].rcvbuf[0], -1);
	free(ev);
}

static void events_errors(void **state)
{
	static const struct { const char *row, *err; } cases[] = {
		{ "1.5 collapse 1 - lo 1 1 a:1 b:2 1 1 1 1 1 1 1\n",
		  "bad time '1.5'" },
		{ "1.000000000 merge 1 - lo 1 1 a:1 b:2 1 1 1 1 1 1 1\n",
		  "bad kind 'merge'" },
		{ "1.000000000 collapse 1 drop lo 1 1 a:1 b:2 1 1 1 1 1 1 1\n",
		  "an outcome on a collapse event" },
		{ "1.000000000 prune 1 maybe lo 1 1 a:1 b:2 1 1 1 1 1 1 1\n",
		  "bad outcome 'maybe'" },
		{ "1.000000000 prune 1 - lo 1 1 a:1 b:2 1 1 1 1 1 1 1\n",
		  "bad outcome '-'" },
		{ "1.000000000 collapse 1 - lo 1 1 a b:2 1 1 1 1 1 1 1\n",
		  "bad address 'a'" },
		{ "1.000000000 collapse 1 - lo 1 1 a:1 b:99999 1 1 1 1 1 1 1\n",
		  "bad address 'b:99999'" },
		{ "1.000000000 collapse 1 - lo 1 1 a:1 b:2 1 1 1 1 1 1\n",
		  "expected 16 fields, got 15" },
		{ "1.000000000 collapse x - lo 1 1 a:1 b:2 1 1 1 1 1 1 1\n",
		  "bad dur_ns 'x'" },
	};
	struct nb_event *ev;
	char text[512];
	struct nb_err e;
	size_t i, n;

	(void)state;
	for (i = 0; i < NB_ARRAY_SIZE(cases); i++) {
		snprintf(text, sizeof(text), "%s%s", EV_HDR, cases[i].row);
		expect_err(nb_parse_events("ev", text, strlen(text), &ev, &n,
					   &e), &e, cases[i].err);
	}
	expect_err(nb_parse_events("ev", "time kind\n", 10, &ev, &n, &e), &e,
		   "unexpected header");
}

static void control_file(void **state)
{
	const char *t = "events_threshold_ns 1000000\nevents_max 128\n"
			"events_recorded 5\nevents_lost 0\ntiming 1\n";
	u64 ctl[CTL_COUNT];
	struct nb_err e;

	(void)state;
	assert_int_equal(nb_parse_control("c", t, strlen(t), ctl, &e), 0);
	assert_int_equal(ctl[CTL_THRESHOLD_NS], 1000000);
	assert_int_equal(ctl[CTL_TIMING], 1);
	expect_err(nb_parse_control("c", t, 43, ctl, &e), &e,
		   "no 'events_recorded' line");
}

/* ---- sysctls ---- */

static void sysctl_values(void **state)
{
	struct nb_sysctls sc;
	struct nb_err e;

	(void)state;
	memset(&sc, 0, sizeof(sc));
	assert_int_equal(nb_parse_sysctl("r", "4096\t131072\t6291456\n", 20,
					 SC_TCP_RMEM, &sc, &e), 0);
	assert_string_equal(sc.raw[SC_TCP_RMEM], "4096 131072 6291456");
	assert_int_equal(sc.v[SC_TCP_RMEM][2], 6291456);
	assert_int_equal(nb_parse_sysctl("a", "-2\n", 3, SC_ADV_WIN_SCALE,
					 &sc, &e), 0);
	assert_int_equal(sc.v[SC_ADV_WIN_SCALE][0], -2);
	expect_err(nb_parse_sysctl("b", "300 1\n", 6, SC_BUDGET, &sc, &e), &e,
		   "expected 1 value(s), got 2");
	expect_err(nb_parse_sysctl("b", "lots\n", 5, SC_BUDGET, &sc, &e), &e,
		   "bad value 'lots'");
	expect_err(nb_parse_sysctl("b", "300\n400\n", 8, SC_BUDGET, &sc, &e),
		   &e, "expected one line");
}

/* ---- number tokens ---- */

static void tokens(void **state)
{
	struct nb_tok t;
	long long i;
	u64 v;

	(void)state;
	t.p = "18446744073709551615";
	t.n = strlen(t.p);
	assert_int_equal(nb_tok_u64(t, &v), 0);
	assert_true(v == UINT64_MAX);
	t.p = "18446744073709551616";
	t.n = strlen(t.p);
	assert_int_equal(nb_tok_u64(t, &v), -1);
	t.p = "+1";
	t.n = 2;
	assert_int_equal(nb_tok_u64(t, &v), -1);
	t.p = "ffFF";
	t.n = 4;
	assert_int_equal(nb_tok_hex(t, &v), 0);
	assert_int_equal(v, 0xffff);
	t.p = "-42";
	t.n = 3;
	assert_int_equal(nb_tok_i64(t, &i), 0);
	assert_int_equal(i, -42);
	t.p = "-";
	t.n = 1;
	assert_int_equal(nb_tok_i64(t, &i), -1);
}

/* ---- snapshots from dirs ---- */

static void load_missing_module(void **state)
{
	struct nb_paths p = { "tests/fixtures/no-such-dir", "/proc/net",
			      "/proc/sys", NULL };
	struct nb_snapshot s;
	struct nb_err e;

	(void)state;
	expect_err(nb_snapshot_load(&p, &s, &e), &e, "modprobe netbuf");
	assert_contains(e.msg, "insmod netbuf.ko");
}

static void copy_fixture(const char *from, const char *to)
{
	char cmd[8400];

	snprintf(cmd, sizeof(cmd), "cp -r %s/%s/. %s", tu_fixtures(), from,
		 to);
	assert_int_equal(system(cmd), 0);
}

static void load_broken_dirs(void **state)
{
	static const struct { const char *file, *text, *err; } cases[] = {
		{ "netbuf/version", "netbuf 0.9.0\nformat 2\n",
		  "unsupported format 2" },
		{ "netbuf/rcvbuf", RCV_HDR "lo 1 up" Z16 "\n",
		  "rcvbuf: no total row" },
		{ "netbuf/histograms", HIST_HDR "lo 1 collapse 2 2 2 1:1\n",
		  "histograms:2: bucket counts add up to 1" },
		{ "net/softnet_stat", "1 2\n", "softnet_stat:1: fewer than 3" },
		{ "netbuf/memory", "rows 1\n", "no 'rows_max'" },
		{ "netbuf/napi", "", "napi: empty file" },
		{ "netbuf/probes", "hook\0x", "NUL byte" },
	};
	struct nb_snapshot s;
	struct nb_paths p;
	char buf[3][4096], path[4300];
	struct nb_err e;
	size_t i;

	(void)state;
	for (i = 0; i < NB_ARRAY_SIZE(cases); i++) {
		char *dir = tu_tmpdir();

		copy_fixture("basic-6.1", dir);
		snprintf(path, sizeof(path), "%s/%s", dir, cases[i].file);
		if (!strcmp(cases[i].err, "NUL byte")) {
			FILE *f = fopen(path, "w");

			fwrite(cases[i].text, 1, 7, f);
			fclose(f);
		} else {
			tu_write(path, cases[i].text);
		}
		tu_paths(dir, &p, buf);
		expect_err(nb_snapshot_load(&p, &s, &e), &e, cases[i].err);
		free(dir);
	}
}

/* A sysctl netbuf cannot read is unknown, not an error. */
static void load_junk_sysctl(void **state)
{
	char *dir = tu_tmpdir(), path[4300], buf[3][4096];
	struct nb_snapshot s;
	struct nb_paths p;
	struct nb_err e;

	(void)state;
	copy_fixture("basic-6.1", dir);
	snprintf(path, sizeof(path), "%s/sys/net/ipv4/tcp_rmem", dir);
	tu_write(path, "4096 x 1\n");
	tu_paths(dir, &p, buf);
	assert_int_equal(nb_snapshot_load(&p, &s, &e), 0);
	assert_int_equal(s.sysctl.present[SC_TCP_RMEM], 0);
	assert_int_equal(s.sysctl.present[SC_BUDGET], 1);
	nb_snapshot_free(&s);
	free(dir);
}

static void load_without_optional(void **state)
{
	char *dir = tu_tmpdir(), cmd[200], buf[3][4096];
	struct nb_snapshot s;
	struct nb_paths p;
	struct nb_err e;

	(void)state;
	copy_fixture("basic-6.1", dir);
	snprintf(cmd, sizeof(cmd), "rm -r %s/net %s/sys/net/core", dir, dir);
	assert_int_equal(system(cmd), 0);
	tu_paths(dir, &p, buf);
	p.procnet = buf[0];	/* a dir without softnet_stat */
	assert_int_equal(nb_snapshot_load(&p, &s, &e), 0);
	assert_int_equal(s.softnet_cols, 0);
	assert_true(s.sysctl.present[SC_TCP_RMEM]);
	assert_false(s.sysctl.present[SC_BUDGET]);
	nb_snapshot_free(&s);
	free(dir);
}

/* The per-queue view: read with the caps; an older module's absence is
 * told apart (1) from a broken file (-1). */
static void load_queues(void **state)
{
	char *dir = tu_tmpdir(), path[4300], buf[3][4096];
	struct nb_snapshot s;
	struct nb_paths p;
	struct nb_err e;

	(void)state;
	tu_load("mq-6.12", &s);
	snprintf(path, sizeof(path), "%s/mq-6.12", tu_fixtures());
	tu_paths(path, &p, buf);
	assert_int_equal(nb_snapshot_load_queues(&p, &s, 1, &e), 0);
	assert_true(s.has_queues && s.q.has_hists);
	assert_int_equal(s.q.n, 9);
	assert_int_equal(s.q.nhists, 16);
	assert_int_equal(s.q.cap_max, 1024);
	assert_int_equal(s.q.cap_netns_max, 256);
	assert_non_null(nb_queues_unlisted(&s.q));
	assert_int_equal(nb_queues_unlisted(&s.q)->v[QC_POLLS], 20);
	nb_snapshot_free(&s);

	tu_load("busy-6.12", &s);
	snprintf(path, sizeof(path), "%s/busy-6.12", tu_fixtures());
	tu_paths(path, &p, buf);
	assert_int_equal(nb_snapshot_load_queues(&p, &s, 0, &e), 1);
	assert_string_equal(e.msg, "this netbuf module has no per-queue view "
			    "(napi_queues): it is older than the tool; load a "
			    "newer one");
	assert_false(s.has_queues);
	nb_snapshot_free(&s);

	copy_fixture("mq-6.12", dir);
	snprintf(path, sizeof(path), "%s/netbuf/napi_queue_hist", dir);
	assert_int_equal(unlink(path), 0);
	tu_paths(dir, &p, buf);
	assert_int_equal(nb_snapshot_load(&p, &s, &e), 0);
	assert_int_equal(nb_snapshot_load_queues(&p, &s, 1, &e), 1);
	assert_contains(e.msg, "no per-queue view (napi_queue_hist)");
	assert_false(s.has_queues);
	assert_int_equal(nb_snapshot_load_queues(&p, &s, 0, &e), 0);
	assert_true(s.has_queues && !s.q.has_hists);
	snprintf(path, sizeof(path), "%s/netbuf/napi_queues", dir);
	tu_write(path, Q_HDR);
	expect_err(nb_snapshot_load_queues(&p, &s, 0, &e), &e,
		   "napi_queues: no unlisted line at the end");
	assert_false(s.has_queues);
	assert_null(s.q.rows);
	nb_snapshot_free(&s);
	free(dir);
}

/* ---- every fixture dir parses (and the lead's guest captures) ---- */

static void fixture_dir(void **state)
{
	const char *dir = *state;
	struct nb_snapshot s;
	struct nb_paths p;
	char buf[3][4096];
	struct nb_err e;
	int r;

	tu_paths(dir, &p, buf);
	r = nb_snapshot_load(&p, &s, &e);
	if (r < 0)
		print_error("%s: %s\n", dir, e.msg);
	assert_int_equal(r, 0);
	assert_int_equal(s.ver.format, 1);
	assert_true(s.rcvbuf.n >= 2 && s.napi.n >= 2);
	assert_int_equal(s.rcvbuf.rows[s.rcvbuf.n - 1].kind, NB_ROW_TOTAL);
	nb_snapshot_free(&s);
}

static int has_version(const char *dir)
{
	char path[4200];
	struct stat st;

	snprintf(path, sizeof(path), "%s/netbuf/version", dir);
	if (stat(path, &st) == 0)
		return 1;
	snprintf(path, sizeof(path), "%s/version", dir);
	return stat(path, &st) == 0;
}

static size_t fixture_tests(struct CMUnitTest *t, char **names, size_t max)
{
	DIR *d = opendir(tu_fixtures());
	struct dirent *de;
	size_t n = 0;

	while (d && (de = readdir(d)) && n < max) {
		char dir[4096];

		if (de->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", tu_fixtures(), de->d_name);
		if (!has_version(dir))
			continue;
		names[n] = strdup(dir);
		t[n] = (struct CMUnitTest)cmocka_unit_test(fixture_dir);
		t[n].name = names[n];
		t[n].initial_state = names[n];
		n++;
	}
	if (d)
		closedir(d);
	return n;
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(version_ok),
		cmocka_unit_test(version_errors),
		cmocka_unit_test(probes_ok),
		cmocka_unit_test(probes_errors),
		cmocka_unit_test(rcvbuf_ok),
		cmocka_unit_test(napi_ok),
		cmocka_unit_test(table_errors),
		cmocka_unit_test(napi_errors),
		cmocka_unit_test(pseudo_optional),
		cmocka_unit_test(hists_ok),
		cmocka_unit_test(hists_errors),
		cmocka_unit_test(queues_ok),
		cmocka_unit_test(queues_errors),
		cmocka_unit_test(qhists_ok),
		cmocka_unit_test(qhists_errors),
		cmocka_unit_test(optional_columns),
		cmocka_unit_test(unknown_columns),
		cmocka_unit_test(memory_ok),
		cmocka_unit_test(memory_errors),
		cmocka_unit_test(softnet_13),
		cmocka_unit_test(softnet_15),
		cmocka_unit_test(softnet_narrow),
		cmocka_unit_test(softnet_errors),
		cmocka_unit_test(events_ok),
		cmocka_unit_test(events_errors),
		cmocka_unit_test(control_file),
		cmocka_unit_test(sysctl_values),
		cmocka_unit_test(tokens),
		cmocka_unit_test(load_missing_module),
		cmocka_unit_test(load_broken_dirs),
		cmocka_unit_test(load_junk_sysctl),
		cmocka_unit_test(load_without_optional),
		cmocka_unit_test(load_queues),
	};
	struct CMUnitTest tests[NB_ARRAY_SIZE(fixed) + 64];
	char *names[64];
	size_t n = NB_ARRAY_SIZE(fixed), nf, i;
	int r;

	memcpy(tests, fixed, sizeof(fixed));
	nf = fixture_tests(tests + n, names, 64);
	r = _cmocka_run_group_tests("parse", tests, n + nf, NULL, NULL);
	for (i = 0; i < nf; i++)
		free(names[i]);
	return r;
}
