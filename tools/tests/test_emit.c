// SPDX-License-Identifier: GPL-2.0
/* netbuf tests: the emitter backends, and show/hist/advise rendered from
 * the fixtures in every format (JSON checked by python3 -m json.tool,
 * Prometheus by promtool). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "parse.h"
#include "testutil.h"
#include "view.h"

static const struct em_key K_NAME = { "name", "name", NULL, NULL, NULL,
	EM_COUNT, EM_K_LABEL | EM_K_TITLE };
static const struct em_key K_CALLS = { "calls", "calls", "collapse",
	"test_calls_total", "Calls.", EM_COUNT, EM_K_COUNTER };
static const struct em_key K_TIME = { "time_ns", "time", "collapse",
	"test_seconds_total", "Time.", EM_NS, EM_K_COUNTER };
static const struct em_key K_RATE = { "rate", "rate", NULL, NULL, NULL,
	EM_RATE, 0 };
static const struct em_key K_SECRET = { "secret", NULL, NULL, NULL, NULL,
	EM_COUNT, 0 };
static const struct em_key K_HIST = { "buckets", NULL, NULL,
	"test_duration_seconds", "Durations.", EM_NS, 0 };
static const struct em_key K_PKTS = { "buckets", NULL, NULL, "test_packets",
	"Packets.", EM_PKTS, 0 };

static void fill_hist(struct nb_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->b[11] = 3;
	h->b[12] = 1;
	h->samples = 4;
	h->sum = 5000;
	h->max = 2100;
}

static void doc(struct emitter *em, void *arg)
{
	struct nb_hist h;

	(void)arg;
	fill_hist(&h);
	em_doc_begin(em, "test/1");
	em_obj_begin(em, "obj", "obj");
	em_str(em, &K_NAME, "a \"q\"\\\n\x01");
	em_u64(em, &K_CALLS, 5);
	em_obj_end(em);
	em_list_begin(em, "rows", "Rows", 0);
	em_row_begin(em, 0);
	em_str(em, &K_NAME, "eth0");
	em_u64(em, &K_CALLS, 12);
	em_u64(em, &K_TIME, 1500000);
	em_f64(em, &K_RATE, NAN);
	em_u64(em, &K_SECRET, 9);
	em_hist(em, &K_HIST, &h, EM_NS);
	em_row_end(em);
	em_row_begin(em, EM_R_AGGREGATE);
	em_str(em, &K_NAME, "total");
	em_u64(em, &K_CALLS, 12);
	em_u64(em, &K_TIME, 1500000);
	em_f64(em, &K_RATE, 2.5);
	em_null(em, &K_SECRET);
	em_row_end(em);
	em_list_end(em);
	em_list_begin(em, "empty", NULL, 0);
	em_list_end(em);
	em_note(em, "a note");
	em_doc_end(em);
}

static void json_compact(void **state)
{
	char *out = tu_render(EM_JSON, doc, NULL);

	(void)state;
	assert_string_equal(out,
		"{\"format\":\"test/1\",\"obj\":{\"name\":\"a \\\"q\\\"\\\\\\n"
		"\\u0001\",\"calls\":5},\"rows\":[{\"name\":\"eth0\",\"calls\":"
		"12,\"time_ns\":1500000,\"rate\":null,\"secret\":9,\"buckets\":"
		"[{\"low\":1024,\"high\":2047,\"count\":3},{\"low\":2048,"
		"\"high\":4095,\"count\":1}]},{\"name\":\"total\",\"calls\":12,"
		"\"time_ns\":1500000,\"rate\":2.500,\"secret\":null}],"
		"\"empty\":[]}\n");
	assert_true(tu_json_ok(out));
	free(out);
}

static void json_pretty(void **state)
{
	char *out = tu_render(EM_JSON_PRETTY, doc, NULL);

	(void)state;
	assert_contains(out, "{\n    \"format\": \"test/1\",\n    \"obj\": {\n"
			"        \"name\": ");
	assert_contains(out, "        {\n            \"name\": \"eth0\",\n");
	assert_contains(out, "{\"low\": 1024, \"high\": 2047, \"count\": 3}");
	assert_contains(out, "    \"empty\": []\n}\n");
	assert_true(tu_json_ok(out));
	free(out);
}

static void table_grid(void **state)
{
	char *out = tu_render(EM_TABLE, doc, NULL);

	(void)state;
	assert_string_equal(out,
		"obj: name a \"q\"\\??, calls 5\n"
		"\n"
		"Rows\n"
		"       -- collapse --\n"
		"NAME   CALLS     TIME  RATE\n"
		"eth0      12   1.50ms     -\n"
		"total     12   1.50ms   2.5\n"
		"\n"
		"a note\n");
	free(out);
}

static void blocks(struct emitter *em, void *arg)
{
	struct nb_hist h;

	(void)arg;
	fill_hist(&h);
	em_doc_begin(em, "test/1");
	em_list_begin(em, "hists", NULL, EM_L_BLOCKS);
	em_row_begin(em, 0);
	em_str(em, &K_NAME, "eth0");
	em_u64(em, &K_CALLS, 4);
	em_hist(em, &K_HIST, &h, EM_NS);
	em_row_end(em);
	em_list_end(em);
	em_doc_end(em);
}

static void blocks_open(struct emitter *em, void *arg)
{
	struct nb_hist h;

	(void)arg;
	memset(&h, 0, sizeof(h));
	h.b[12] = 1;
	h.b[33] = 1;
	h.samples = 2;
	h.max = 20000000000ull;
	em_doc_begin(em, "test/1");
	em_list_begin(em, "hists", NULL, EM_L_BLOCKS);
	em_row_begin(em, 0);
	em_str(em, &K_NAME, "eth0");
	em_hist(em, &K_HIST, &h, EM_NS);
	em_row_end(em);
	em_list_end(em);
	em_doc_end(em);
}

static void table_blocks(void **state)
{
	char *out = tu_render(EM_TABLE, blocks, NULL);

	(void)state;
	assert_string_equal(out,
		"eth0: calls 4\n"
		"                   nsecs : count      distribution\n"
		"      1024 -> 2047       : 3          |*************************"
		"***************|  75.0%\n"
		"      2048 -> 4095       : 1          |*************            "
		"               |  25.0%\n");
	free(out);
}

static void prom_doc(void **state)
{
	char *out = tu_render(EM_PROM, doc, NULL);

	(void)state;
	assert_contains(out, "# HELP netbuf_test_calls_total Calls.\n"
			"# TYPE netbuf_test_calls_total counter\n"
			"netbuf_test_calls_total{name=\"a \\\"q\\\"\\\\\\n\x01\"} "
			"5\nnetbuf_test_calls_total{name=\"eth0\"} 12\n#");
	assert_contains(out, "netbuf_test_seconds_total{name=\"eth0\"} "
			"0.0015\n");
	assert_null(strstr(out, "name=\"total\""));	/* aggregate row */
	assert_contains(out, "# TYPE netbuf_test_duration_seconds histogram\n");
	assert_contains(out, "{name=\"eth0\",le=\"0.000001024\"} 0\n");
	assert_contains(out, "{name=\"eth0\",le=\"0.000002048\"} 3\n");
	assert_contains(out, "{name=\"eth0\",le=\"0.000004096\"} 4\n");
	assert_contains(out, "{name=\"eth0\",le=\"+Inf\"} 4\n");
	assert_contains(out, "netbuf_test_duration_seconds_sum{name=\"eth0\"} "
			"0.000005\n");
	assert_contains(out, "netbuf_test_duration_seconds_count{name="
			"\"eth0\"} 4\n");
	free(out);
}

static void pkts(struct emitter *em, void *arg)
{
	struct nb_hist h;

	(void)arg;
	memset(&h, 0, sizeof(h));
	h.b[0] = 2;	/* 0 packets */
	h.b[7] = 5;	/* 64..127 */
	h.samples = 7;
	h.sum = 320;
	h.max = 64;
	em_doc_begin(em, "test/1");
	em_hist(em, &K_PKTS, &h, EM_PKTS);
	em_doc_end(em);
}

static void open_hist(struct emitter *em, void *arg)
{
	struct nb_hist h;

	(void)arg;
	memset(&h, 0, sizeof(h));
	h.b[12] = 1;
	h.b[33] = 1;
	h.samples = 2;
	h.sum = 20000002048ull;
	h.max = 20000000000ull;
	em_doc_begin(em, "test/1");
	em_hist(em, &K_HIST, &h, EM_NS);
	em_doc_end(em);
}

static void open_bucket_outputs(void **state)
{
	char *p = tu_render(EM_PROM, open_hist, NULL);
	char *j = tu_render(EM_JSON, open_hist, NULL);
	char *t;

	(void)state;
	/* 20 s is above every finite bound: only +Inf counts it */
	assert_contains(p, "netbuf_test_duration_seconds_bucket{le="
			"\"17.179869184\"} 1\n");
	assert_contains(p, "netbuf_test_duration_seconds_bucket{le=\"+Inf\"} "
			"2\n");
	assert_true(tu_promtool_ok(p));
	assert_contains(j, "{\"low\":4294967296,\"high\":20000000000,"
			"\"count\":1}");
	free(p);
	free(j);
	t = tu_render(EM_TABLE, blocks_open, NULL);
	assert_contains(t, "4294.967 -> 20000      : 1");
	free(t);
}

static void prom_packets(void **state)
{
	char *out = tu_render(EM_PROM, pkts, NULL);

	(void)state;
	assert_contains(out, "netbuf_test_packets_bucket{le=\"0\"} 2\n"
			"netbuf_test_packets_bucket{le=\"1\"} 2\n");
	assert_contains(out, "netbuf_test_packets_bucket{le=\"63\"} 2\n"
			"netbuf_test_packets_bucket{le=\"127\"} 7\n");
	assert_contains(out, "netbuf_test_packets_bucket{le=\"+Inf\"} 7\n"
			"netbuf_test_packets_sum 320\n"
			"netbuf_test_packets_count 7\n");
	assert_true(tu_promtool_ok(out));
	free(out);
}

/* ---- the commands' rendering, over the fixtures ---- */

struct show_arg {
	struct nb_snapshot s;
	struct nb_opts o;
	char **ifaces;
	int n;
};

static void show(struct emitter *em, void *arg)
{
	struct show_arg *a = arg;

	show_emit(em, &a->s, &a->o, a->ifaces, a->n);
}

static char *render_show(const char *fixture, enum em_format fmt, int zeros,
			 char **ifaces, int n)
{
	struct show_arg a;
	char *out;

	memset(&a, 0, sizeof(a));
	tu_load(fixture, &a.s);
	a.o.fmt = fmt;
	a.o.zeros = zeros;
	a.ifaces = ifaces;
	a.n = n;
	out = tu_render(fmt, show, &a);
	nb_snapshot_free(&a.s);
	return out;
}

static const char *const fixtures[] = { "basic-6.1", "basic-6.1-later",
					 "busy-6.12", "zero" };

static void show_json_all(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NB_ARRAY_SIZE(fixtures); i++) {
		char *j = render_show(fixtures[i], EM_JSON, 0, NULL, 0);
		char *p = render_show(fixtures[i], EM_JSON_PRETTY, 1, NULL, 0);

		assert_true(tu_json_ok(j));
		assert_true(tu_json_ok(p));
		assert_contains(j, "{\"format\":\"netbuf-show/2\",");
		assert_contains(j, "\"rcvbuf\":[");
		assert_contains(p, "\"softnet\": [");
		free(j);
		free(p);
	}
}

static void show_prom_all(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NB_ARRAY_SIZE(fixtures); i++) {
		char *out = render_show(fixtures[i], EM_PROM, 0, NULL, 0);

		assert_true(tu_promtool_ok(out));
		assert_contains(out, "# TYPE netbuf_collapse_calls_total "
				"counter\n");
		assert_null(strstr(out, "iface=\"total\""));
		free(out);
	}
}

static void show_table_busy(void **state)
{
	char *out = render_show("busy-6.12", EM_TABLE, 0, NULL, 0);

	(void)state;
	assert_contains(out, "module: version 0.1.0, format 1");
	assert_contains(out, "IFACE        CALLS   SKBS     P50     P99     MAX  "
			"CALLS  DROPS");
	assert_contains(out, "eth0          5000  90000  57.3us  3.41ms  11.2ms"
			"    300     30");
	assert_contains(out, "\neth1 (gone)     10     20");
	assert_contains(out, "eth0     200000  7481599      12000  6.0%");
	assert_contains(out, "  3    7000000      345             0     1000");
	assert_contains(out, "hidden; -z shows them");
	assert_null(strstr(out, "veth3     0"));	/* all zero: hidden */
	free(out);
}

static void show_table_filter(void **state)
{
	char *names[] = { (char *)"veth3" };
	char *out = render_show("busy-6.12", EM_TABLE, 0, names, 1);

	(void)state;
	assert_contains(out, "veth3");	/* named: shown although zero */
	assert_null(strstr(out, "eth0 "));
	assert_null(strstr(out, "total"));
	free(out);
}

static void show_prom_all_rows(void **state)
{
	char *out = render_show("busy-6.12", EM_PROM, 0, NULL, 0);

	(void)state;
	assert_contains(out, "netbuf_collapse_calls_total{iface=\"veth3\","
			"ifindex=\"7\",netns=");
	assert_contains(out, "netbuf_collapse_calls_total{iface=\"unknown\","
			"ifindex=\"0\",netns=");
	assert_contains(out, "netbuf_softnet_dropped_total{cpu=\"3\"} 345\n");
	assert_contains(out, "netbuf_probe_active{hook=\"napi_time\"");
	free(out);
}

struct hist_arg {
	struct nb_snapshot s;
	int kind;
	const char *iface;
};

static void hist(struct emitter *em, void *arg)
{
	struct hist_arg *a = arg;

	hist_emit(em, &a->s, a->kind, a->iface);
}

static void hist_outputs(void **state)
{
	struct hist_arg a = { .kind = NB_H_COLLAPSE, .iface = "eth0" };
	char *t, *j;

	(void)state;
	tu_load("busy-6.12", &a.s);
	t = tu_render(EM_TABLE, hist, &a);
	j = tu_render(EM_JSON, hist, &a);
	assert_contains(t, "eth0 collapse: samples 5000, sum 1.05s, avg "
			"211us, p50 57.3us, p99 3.41ms, max 11.2ms\n"
			"                   usecs : count      distribution\n");
	assert_contains(t, "  2097.152 -> 4194.303   : 80         |*");
	assert_true(tu_json_ok(j));
	assert_contains(j, "\"hist\":\"collapse\",\"unit\":\"ns\","
			"\"samples\":5000");
	free(t);
	free(j);
	a.kind = -1;
	a.iface = "veth3";
	t = tu_render(EM_TABLE, hist, &a);
	assert_contains(t, "veth3 napi_pkts: samples 100");
	free(t);
	nb_snapshot_free(&a.s);
	tu_load("zero", &a.s);
	a.iface = NULL;
	t = tu_render(EM_TABLE, hist, &a);
	assert_string_equal(t, "no samples recorded\n");
	free(t);
	nb_snapshot_free(&a.s);
}

struct advise_arg {
	struct nb_snapshot s;
	struct nb_view v;
};

static void advise(struct emitter *em, void *arg)
{
	struct advise_arg *a = arg;

	advise_emit(em, &a->s, &a->v, NULL, NULL);
}

static char *render_advise(const char *fixture, enum em_format fmt)
{
	struct advise_arg a;
	char why[128], *out;

	tu_load(fixture, &a.s);
	assert_int_equal(nb_view_build(NULL, &a.s, &a.v, why, sizeof(why)), 0);
	out = tu_render(fmt, advise, &a);
	nb_view_free(&a.v);
	nb_snapshot_free(&a.s);
	return out;
}

static void advise_busy(void **state)
{
	char *t = render_advise("busy-6.12", EM_TABLE);
	char *j = render_advise("busy-6.12", EM_JSON);

	(void)state;
	assert_contains(t, "warn   eth0: tcp_collapse p99 3.41ms (max 11.2ms, "
			"5000 calls");
	assert_contains(t, "net.ipv4.tcp_rmem max 33554432 (32.0 MiB)");
	assert_contains(t, "no slow collapse of eth0 in the events log");
	assert_contains(t, "30 prune drops (RcvPruned) in 300 prune episodes");
	assert_contains(t, "NAPI budget exhausted in 6.0% of polls (12000 of "
			"200000)");
	assert_contains(t, "net.core.netdev_budget (now 300)");
	assert_contains(t, "below 0.1%: no setting proposed");
	assert_contains(t, "NAPI poll p99 2.80ms");
	assert_contains(t, "softnet backlog drops 345 on 1 CPU(s) (cpu3 345)");
	assert_contains(t, "info   softnet time_squeeze 12007 on 2 CPU(s)");
	assert_contains(t, "warn   2 devices were refused a row (rows 4 of "
			"rows_max 4096)");
	assert_contains(t, "info   1 gone rows were folded");
	assert_contains(t, "probe collapse missed 3 of 5090 hits");
	assert_null(strstr(t, "no problems found"));
	assert_true(tu_json_ok(j));
	assert_contains(j, "{\"level\":\"warn\",\"topic\":\"collapse\","
			"\"iface\":\"eth0\",\"text\":");
	free(t);
	free(j);
}

static void advise_healthy(void **state)
{
	char *t = render_advise("basic-6.1", EM_TABLE);
	char *z = render_advise("zero", EM_JSON_PRETTY);

	(void)state;
	assert_contains(t, "ok     no problems found: tcp_collapse p99 63.7us "
			"(max 699us) over 1514 calls, 0 prune drops, NAPI "
			"budget exhausted in 0.2% of 105000 polls");
	assert_contains(t, "info   probe ofo_prune (tcp_prune_ofo_queue) is "
			"unavailable (symbol_not_found(-2))");
	assert_null(strstr(t, "warn"));
	assert_true(tu_json_ok(z));
	assert_contains(z, "no problems found");
	free(t);
	free(z);
}

/* ---- the per-queue view: RX queue imbalance ---- */

static void load_mq(const char *name, struct nb_snapshot *s)
{
	char dir[4096], buf[3][4096];
	struct nb_paths p;
	struct nb_err e;

	tu_load(name, s);
	snprintf(dir, sizeof(dir), "%s/%s", tu_fixtures(), name);
	tu_paths(dir, &p, buf);
	assert_int_equal(nb_snapshot_load_queues(&p, s, 1, &e), 0);
}

static struct nb_qrow *qrow(struct nb_snapshot *s, long long napi_id)
{
	size_t i;

	for (i = 0; i < s->q.n; i++)
		if (s->q.rows[i].napi_id == napi_id)
			return &s->q.rows[i];
	fail_msg("no napi_id %lld", napi_id);
	return NULL;
}

/* Set the packets of eth0's four instances (napi_id 8193 ..) and their
 * device's RX queue count. */
static void eth0_packets(struct nb_snapshot *s, long long rxq, u64 p0, u64 p1,
			 u64 p2, u64 p3)
{
	u64 p[4] = { p0, p1, p2, p3 };
	int i;

	for (i = 0; i < 4; i++) {
		qrow(s, 8193 + i)->v[QC_PACKETS] = p[i];
		qrow(s, 8193 + i)->rxqueues = rxq;
	}
}

struct qadv_arg {
	const struct nb_snapshot *s;
	const struct nb_view *v;
};

static void qadvise(struct emitter *em, void *arg)
{
	struct qadv_arg *a = arg;

	advise_emit(em, a->s, a->v, NULL, NULL);
}

/* The rx_queues findings of the period a .. b (a NULL: since reset), as
 * advise -j says them; "" if none (free it). */
static char *imbalance(const struct nb_snapshot *a, const struct nb_snapshot *b)
{
	struct nb_view v;
	struct qadv_arg x = { b, &v };
	char why[128], *j, *f, *out;

	assert_int_equal(nb_view_build(a, b, &v, why, sizeof(why)), 0);
	j = tu_render(EM_JSON, qadvise, &x);
	nb_view_free(&v);
	assert_true(tu_json_ok(j));
	f = strstr(j, "\"topic\":\"rx_queues\"");
	out = strdup(f ? f : "");
	if (f && strstr(f + 1, "\"topic\":\"rx_queues\""))
		fail_msg("more than one imbalance: %s", j);
	free(j);
	return out;
}

#define assert_imbalance(a, b, want) do { \
	char *got_ = imbalance((a), (b)); \
	if (!*(want)) \
		assert_string_equal(got_, ""); \
	else \
		assert_contains(got_, (want)); \
	free(got_); \
} while (0)

static void advise_queue_imbalance(void **state)
{
	struct nb_snapshot s;

	(void)state;
	load_mq("mq-6.12", &s);
	/* eth0 25% each; b0 44800 of 89600: 50%, not above */
	assert_imbalance(NULL, &s, "");
	qrow(&s, 8197)->v[QC_PACKETS] = 44801;
	assert_imbalance(NULL, &s, "\"iface\":\"b0\",\"text\":\"b0: RX queue "
			 "imbalance: NAPI instance napi_id 8197 (RX queue not "
			 "known, last polled on cpu0) carried 50.0% of the "
			 "89601 packets of the interface's NAPI instances (a "
			 "fair share of 4 RX queues is 25.0%); 3 of 4 RX queues "
			 "carried packets");
	qrow(&s, 8197)->v[QC_PACKETS] = 44800;
	/* at least 10000 packets */
	eth0_packets(&s, 4, 9999, 0, 0, 0);
	assert_imbalance(NULL, &s, "");
	eth0_packets(&s, 4, 0, 0, 10000, 0);
	assert_imbalance(NULL, &s, "napi_id 8195 (RX queue 2, last polled on "
			 "cpu0) carried 100.0% of the 10000 packets");
	assert_imbalance(NULL, &s, "1 of 4 RX queues carried packets");
	assert_imbalance(NULL, &s, "ethtool -x eth0");
	/* 3 queues: above 50% and above 2/3 */
	eth0_packets(&s, 3, 6666, 3334, 0, 0);
	assert_imbalance(NULL, &s, "");
	eth0_packets(&s, 3, 6667, 3333, 0, 0);
	assert_imbalance(NULL, &s, "carried 66.7% of the 10000 packets of the "
			 "interface's NAPI instances (a fair share of 3 RX "
			 "queues is 33.3%); 2 of 3 RX queues");
	/* 2 queues: twice a fair share is all; 1 queue: nothing to share */
	eth0_packets(&s, 2, 0, 50000, 0, 0);
	assert_imbalance(NULL, &s, "");
	eth0_packets(&s, 1, 0, 50000, 0, 0);
	assert_imbalance(NULL, &s, "");
	/* a module without the per-queue view: no finding, no error */
	eth0_packets(&s, 4, 0, 50000, 0, 0);
	assert_imbalance(NULL, &s, "napi_id 8194");
	s.has_queues = 0;
	assert_imbalance(NULL, &s, "");
	nb_snapshot_free(&s);
}

/* advise -i: the period's packets, not those since the reset. */
static void advise_queue_deltas(void **state)
{
	struct nb_snapshot a, b;

	(void)state;
	load_mq("mq-6.12", &a);
	load_mq("mq-6.12", &b);
	assert_imbalance(&a, &b, "");		/* no packets in the period */
	qrow(&b, 8195)->v[QC_PACKETS] += 20000;
	qrow(&b, 8195)->v[QC_POLLS] += 400;
	/* since the reset 42400 of 109600: balanced enough */
	assert_imbalance(NULL, &b, "");
	assert_imbalance(&a, &b, "napi_id 8195 (RX queue 2, last polled on "
			 "cpu0) carried 100.0% of the 20000 packets");
	/* a new NAPI id is a new series: all it counted is the period's */
	qrow(&b, 8195)->v[QC_PACKETS] -= 20000;
	qrow(&b, 8196)->napi_id = 9999;
	assert_imbalance(&a, &b, "napi_id 9999 (RX queue 3, last polled on "
			 "cpu1) carried 100.0% of the 22400 packets");
	/* counters that went down: counted from 0 too */
	qrow(&b, 9999)->napi_id = 8196;
	qrow(&b, 8196)->v[QC_PACKETS] = 12000;
	assert_imbalance(&a, &b, "napi_id 8196 (RX queue 3, last polled on "
			 "cpu1) carried 100.0% of the 12000 packets");
	/* an older module in the first snapshot: no finding */
	a.has_queues = 0;
	assert_imbalance(&a, &b, "");
	nb_snapshot_free(&a);
	nb_snapshot_free(&b);
}

static void events(struct emitter *em, void *arg)
{
	struct nb_evlog *log = arg;
	u64 after = 0;

	events_emit(em, log, &after, NULL, 0, 1);
}

static void events_outputs(void **state)
{
	const char *t = "time kind dur_ns outcome iface ifindex cgroup local "
		"remote rmem_before rcvbuf_before rmem_after rcvbuf_after skbs "
		"bytes cpu\n1795890823.207195200 prune 3099813 drop eth0 2 42 "
		"10.0.0.1:5201 10.0.0.2:1 6291712 6291456 - - 48 131072 1\n";
	struct nb_evlog log = { { 1000000, 128, 1, 0, 0 }, NULL, 0, NULL };
	char *tb, *j;
	struct nb_err e;
	u64 after = 1795890823207195200ull;

	(void)state;
	assert_int_equal(nb_parse_events("ev", t, strlen(t), &log.ev, &log.n,
					 &e), 0);
	tb = tu_render(EM_TABLE, events, &log);
	j = tu_render(EM_JSON, events, &log);
	assert_contains(tb, "events log: threshold 1.00ms, records kept "
			"128, recorded 1, lost 0, timing 0\n");
	assert_contains(tb, "  prune  3.10ms  drop     eth0");
	assert_contains(tb, "6291712>-");
	assert_true(tu_json_ok(j));
	assert_contains(j, "\"events\":[{\"time\":\"2026-11-28T"
			"18:33:43.207195200Z\",\"time_ns\":1795890823207195200,"
			"\"kind\":\"prune\",\"dur_ns\":3099813,\"outcome\":"
			"\"drop\"");
	assert_contains(j, "\"rmem_after_bytes\":null");
	free(tb);
	free(j);
	/* nothing newer than the last one seen */
	{
		struct emitter *em = em_open(EM_JSON, 0);

		assert_int_equal(events_emit(em, &log, &after, NULL, 0, 0), 0);
		em_discard(em);
	}
	free(log.ev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_compact),
		cmocka_unit_test(json_pretty),
		cmocka_unit_test(table_grid),
		cmocka_unit_test(table_blocks),
		cmocka_unit_test(prom_doc),
		cmocka_unit_test(prom_packets),
		cmocka_unit_test(open_bucket_outputs),
		cmocka_unit_test(show_json_all),
		cmocka_unit_test(show_prom_all),
		cmocka_unit_test(show_table_busy),
		cmocka_unit_test(show_table_filter),
		cmocka_unit_test(show_prom_all_rows),
		cmocka_unit_test(hist_outputs),
		cmocka_unit_test(advise_busy),
		cmocka_unit_test(advise_healthy),
		cmocka_unit_test(advise_queue_imbalance),
		cmocka_unit_test(advise_queue_deltas),
		cmocka_unit_test(events_outputs),
	};

	return cmocka_run_group_tests_name("emit", tests, NULL, NULL);
}
