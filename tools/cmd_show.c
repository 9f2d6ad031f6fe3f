// SPDX-License-Identifier: GPL-2.0
/*
 * netbuf show [IFACE...]: the counters of /proc/netbuf with percentiles
 * from the histograms, the probes, memory, per-CPU softnet and sysctls.
 */
#include <string.h>

#include "cli.h"
#include "keys.h"
#include "stats.h"

/* A field of a shown row: a raw column, or a figure derived from it. */
enum sf_type { SF_COL, SF_PCT, SF_EXH_PCT };

struct show_field {
	enum sf_type type;
	int col;		/* SF_COL */
	enum nb_hkind hist;	/* SF_PCT */
	double p;
	struct em_key k;	/* SF_PCT, SF_EXH_PCT */
};

#define COL(c) { SF_COL, c, 0, 0, { 0 } }
#define PCT(h, p, key, head, group) \
	{ SF_PCT, 0, h, p, EM_GKEY(key, head, group, NULL, NULL, EM_NS, 0) }
#define PCTN(h, p, key) \
	{ SF_PCT, 0, h, p, EM_KEY(key, NULL, EM_PKTS, 0) }

static const struct show_field rcv_fields[] = {
	COL(RB_COLL_CALLS), COL(RB_COLL_SKBS), COL(RB_COLL_FREED),
	COL(RB_COLL_NS),
	PCT(NB_H_COLLAPSE, 50, "coll_p50_ns", "p50", "collapse"),
	PCT(NB_H_COLLAPSE, 99, "coll_p99_ns", "p99", "collapse"),
	COL(RB_COLL_MAX_NS),
	COL(RB_PRUNE_CALLS), COL(RB_PRUNE_NOOP), COL(RB_PRUNE_COLLAPSE),
	COL(RB_PRUNE_OFO), COL(RB_PRUNE_DROP), COL(RB_PRUNE_NS),
	PCT(NB_H_PRUNE, 50, "prune_p50_ns", "p50", "prune"),
	PCT(NB_H_PRUNE, 99, "prune_p99_ns", "p99", "prune"),
	COL(RB_PRUNE_MAX_NS),
	COL(RB_OFO_CALLS), COL(RB_OFO_SEGS), COL(RB_OFO_BYTES),
	COL(RB_UNTRACKED), COL(RB_PRUNE_UNSEEN), COL(RB_GONE),
	COL(RB_COLL_PREEMPTED), COL(RB_PRUNE_PREEMPTED),
};

static const struct show_field napi_fields[] = {
	COL(NP_POLLS), COL(NP_PACKETS), COL(NP_EXHAUSTED),
	{ SF_EXH_PCT, 0, 0, 0, EM_KEY("exhausted_pct", "exh%", EM_PCT, 0) },
	COL(NP_EMPTY), COL(NP_POLL_NS),
	PCT(NB_H_NAPI_NS, 50, "poll_p50_ns", "p50", "poll time"),
	PCT(NB_H_NAPI_NS, 99, "poll_p99_ns", "p99", "poll time"),
	COL(NP_POLL_MAX_NS), COL(NP_UNTIMED), COL(NP_NETPOLL),
	COL(NP_BUSY_POLL), COL(NP_THREADED), COL(NP_UNTRACKED), COL(NP_GONE),
	PCTN(NB_H_NAPI_PKTS, 50, "pkts_p50"),
	PCTN(NB_H_NAPI_PKTS, 99, "pkts_p99"),
};

/* The max column sits under the percentiles' group in the napi table. */
static const struct em_key K_NAPI_MAX = EM_GKEY(
	"poll_max_ns", "max", "poll time", "napi_poll_max_seconds",
	"Slowest NAPI poll since the counters were reset.", EM_NS, 0);

static int named(char **ifaces, int n, const char *iface)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(ifaces[i], iface))
			return 1;
	return 0;
}

struct show_ctx {
	struct emitter *em;
	const struct nb_snapshot *s;
	int zeros, prom;
	char **ifaces;
	int nifaces;
	unsigned int hidden;
};

static int row_shown(struct show_ctx *c, const struct nb_tabledef *d,
		     const struct nb_row *r)
{
	if (c->nifaces)
		return named(c->ifaces, c->nifaces, r->iface);
	if (c->zeros || !nb_row_zero(d, r))
		return 1;
	c->hidden += r->kind == NB_ROW_IFACE;
	return 0;
}

static void emit_field(struct show_ctx *c, const struct show_field *f,
		       const struct nb_tabledef *d, const struct nb_row *r)
{
	struct nb_hist h;
	u64 v;

	switch (f->type) {
	case SF_COL:
		em_u64(c->em, d == &nb_napi_def && f->col == NP_POLL_MAX_NS ?
		       &K_NAPI_MAX : &d->cols[f->col].k, r->v[f->col]);
		break;
	case SF_PCT:
		nb_snapshot_hist(c->s, r, f->hist, &h);
		if (nb_hist_percentile(&h, f->p, &v) == 0)
			em_u64(c->em, &f->k, v);
		else
			em_null(c->em, &f->k);
		break;
	case SF_EXH_PCT:
		if (r->v[NP_POLLS])
			em_f64(c->em, &f->k, 100.0 * (double)r->v[NP_EXHAUSTED]
			       / (double)r->v[NP_POLLS]);
		else
			em_null(c->em, &f->k);
		break;
	}
}

static void emit_table(struct show_ctx *c, const struct nb_table *t,
		       const char *title, const struct show_field *fields,
		       size_t nfields)
{
	size_t i, j;

	em_list_begin(c->em, t->def->file, title, 0);
	for (i = 0; i < t->n; i++) {
		const struct nb_row *r = &t->rows[i];

		if (!row_shown(c, t->def, r))
			continue;
		em_row_begin(c->em, r->kind == NB_ROW_TOTAL ? EM_R_AGGREGATE
							    : 0);
		keys_iface(c->em, r->iface, r->ifindex, r->state, c->s->netns);
		for (j = 0; j < nfields; j++)
			emit_field(c, &fields[j], t->def, r);
		em_row_end(c->em);
	}
	em_list_end(c->em);
}

static const struct em_key K_MODVER = EM_KEY("version", "version", EM_COUNT,
	EM_K_LABEL);
static const struct em_key K_FORMAT = EM_KEY("format", "format", EM_COUNT,
	EM_K_LABEL);
static const struct em_key K_BUILT = EM_KEY("built_for", "built for", EM_COUNT,
	EM_K_LABEL);
static const struct em_key K_RUNNING = EM_KEY("running", "running", EM_COUNT,
	EM_K_LABEL);
static const struct em_key K_PREEMPT = EM_KEY("preempt", "preempt", EM_COUNT,
	0);
static const struct em_key K_INFO = EM_PKEY("info", NULL, "module_info",
	"The netbuf module's version and kernels (always 1).", EM_COUNT,
	EM_K_NOJSON);

static void emit_module(struct show_ctx *c)
{
	const struct nb_version *v = &c->s->ver;

	em_obj_begin(c->em, "module", "module");
	em_str(c->em, &K_MODVER, v->module);
	em_u64(c->em, &K_FORMAT, v->format);
	em_str(c->em, &K_BUILT, v->built_for);
	em_str(c->em, &K_RUNNING, v->running);
	em_str(c->em, &K_PREEMPT, v->preempt[0] ? v->preempt : NULL);
	em_u64(c->em, &K_INFO, 1);
	em_obj_end(c->em);
}

static const struct em_key K_HOOK = EM_KEY("hook", "probe", EM_COUNT,
	EM_K_LABEL);
static const struct em_key K_SYMBOL = EM_KEY("symbol", "symbol", EM_COUNT,
	EM_K_LABEL);
static const struct em_key K_TYPE = EM_KEY("type", NULL, EM_COUNT, EM_K_LABEL);
static const struct em_key K_PSTATE = EM_KEY("state", "state", EM_COUNT, 0);
static const struct em_key K_ACTIVE = EM_PKEY("active", NULL, "probe_active",
	"1 if the probe is attached, 0 if unavailable.", EM_COUNT, EM_K_NOJSON);
static const struct em_key K_HITS = EM_PKEY("hits", "hits", "probe_hits_total",
	"Probe handler invocations.", EM_COUNT, EM_K_COUNTER);
static const struct em_key K_MISSED = EM_PKEY("nmissed", "missed",
	"probe_missed_total",
	"Probe hits the kernel missed (kretprobe "
	"maxactive exceeded, recursion).",
	EM_COUNT, EM_K_COUNTER);
static const struct em_key K_SELF = EM_PKEY("self_ns", NULL,
	"probe_self_seconds_total",
	"Time spent in netbuf's handlers while "
	"timing is on (/proc/netbuf/control).",
	EM_NS, EM_K_COUNTER);
static const struct em_key K_COST = EM_KEY("cost_ns", "cost/hit", EM_NS, 0);
static const struct em_key K_NOTE = EM_KEY("note", "note", EM_COUNT, 0);

static void emit_probes(struct show_ctx *c)
{
	size_t i;

	em_list_begin(c->em, "probes", "Probes", 0);
	for (i = 0; i < c->s->nprobes; i++) {
		const struct nb_probe *p = &c->s->probes[i];

		em_row_begin(c->em, 0);
		em_str(c->em, &K_HOOK, p->hook);
		em_str(c->em, &K_SYMBOL, p->symbol);
		em_str(c->em, &K_TYPE, p->type);
		em_str(c->em, &K_PSTATE, p->active ? "active" : "unavailable");
		em_bool(c->em, &K_ACTIVE, p->active);
		if (p->has_hits)
			em_u64(c->em, &K_HITS, p->hits);
		else
			em_null(c->em, &K_HITS);
		if (p->has_nmissed)
			em_u64(c->em, &K_MISSED, p->nmissed);
		else
			em_null(c->em, &K_MISSED);
		em_u64(c->em, &K_SELF, p->self_ns);
		if (p->self_ns && p->hits)	/* timing on */
			em_u64(c->em, &K_COST, p->self_ns / p->hits);
		else
			em_null(c->em, &K_COST);
		em_str(c->em, &K_NOTE, p->note[0] ? p->note : NULL);
		em_row_end(c->em);
	}
	em_list_end(c->em);
}

static const struct em_key K_HNAME = EM_KEY("hist", NULL, EM_COUNT, 0);

/* Prometheus: every row's histograms, zeros when it has no samples, so
 * that the families are always there. */
static void prom_hists(struct show_ctx *c)
{
	const struct nb_table *t;
	unsigned int k;
	struct nb_hist h;
	size_t i;

	for (k = 0; k < NB_H_COUNT; k++) {
		t = nb_hkinds[k].table ? &c->s->napi : &c->s->rcvbuf;
		for (i = 0; i < t->n; i++) {
			if (t->rows[i].kind == NB_ROW_TOTAL)
				continue;
			nb_snapshot_hist(c->s, &t->rows[i], (enum nb_hkind)k,
					 &h);
			em_row_begin(c->em, 0);
			keys_iface(c->em, t->rows[i].iface, t->rows[i].ifindex,
				   NULL, c->s->netns);
			em_hist(c->em, &nb_hkinds[k].k, &h, nb_hkinds[k].unit);
			em_row_end(c->em);
		}
	}
}

static void emit_hists(struct show_ctx *c)
{
	size_t i;

	if (c->prom) {
		em_list_begin(c->em, "histograms", NULL, EM_L_NOTABLE);
		prom_hists(c);
		em_list_end(c->em);
		return;
	}
	em_list_begin(c->em, "histograms", NULL, EM_L_NOTABLE);
	for (i = 0; i < c->s->nhists; i++) {
		const struct nb_hrow *r = &c->s->hists[i];
		const struct nb_hkinddef *k = &nb_hkinds[r->kind];

		if (c->nifaces && !named(c->ifaces, c->nifaces, r->iface))
			continue;
		em_row_begin(c->em, r->ifindex < 0 ? EM_R_AGGREGATE : 0);
		keys_iface(c->em, r->iface, r->ifindex, NULL, c->s->netns);
		em_str(c->em, &K_HNAME, k->name);
		keys_hist(c->em, &r->h, k->unit);
		em_hist(c->em, &k->k, &r->h, k->unit);
		em_row_end(c->em);
	}
	em_list_end(c->em);
}

#define MEMK(key, head, prom, help) \
	EM_PKEY(key, head, prom, help, EM_COUNT, 0)

static const struct em_key mem_keys[MEM_COUNT] = {
	MEMK("rows", "rows", "memory_rows", "Rows the module holds."),
	MEMK("rows_max", "rows_max", "memory_rows_max",
	     "Most rows the module will hold."),
	MEMK("row_bytes", NULL, "memory_row_bytes", "Bytes per row."),
	MEMK("percpu_bytes", NULL, "memory_percpu_bytes",
	     "Per-CPU bytes per row."),
	MEMK("cpus", NULL, "memory_cpus", "CPUs the per-CPU parts cover."),
	MEMK("bytes", "bytes", "memory_bytes",
	     "Memory the module holds for rows."),
	MEMK("bytes_worst", "bytes_worst", "memory_bytes_worst",
	     "Memory the module would hold with rows_max rows."),
	MEMK("untracked_devs", "untracked_devs", "memory_untracked_devices",
	     "Devices refused a row by the max_ifaces cap."),
	EM_PKEY("evicted", "evicted", "memory_evicted_rows_total",
		"Gone rows folded into the unknown row to make room.",
		EM_COUNT, EM_K_COUNTER),
	EM_PKEY("lost", "lost", "memory_lost_events_total",
		"Events that found no row at all.", EM_COUNT, EM_K_COUNTER),
};

static void emit_memory(struct show_ctx *c)
{
	unsigned int i;

	em_obj_begin(c->em, "memory", "memory");
	for (i = 0; i < MEM_COUNT; i++)
		em_u64(c->em, &mem_keys[i], c->s->mem[i]);
	em_obj_end(c->em);
}

static const struct em_key K_CPU = EM_KEY("cpu", "cpu", EM_COUNT, EM_K_LABEL);
static const struct em_key K_PROCESSED = EM_PKEY("processed", "processed",
	"softnet_processed_total",
	"Packets processed by the CPU's softirq "
	"(/proc/net/softnet_stat, 32-bit, wraps).",
	EM_COUNT, EM_K_COUNTER);
static const struct em_key K_DROPPED = EM_PKEY("dropped", "dropped",
	"softnet_dropped_total", "Packets dropped: input backlog full.",
	EM_COUNT, EM_K_COUNTER);
static const struct em_key K_SQUEEZE = EM_PKEY("time_squeeze", "time_squeeze",
	"softnet_time_squeeze_total",
	"net_rx_action runs that ended "
	"with work left (budget or time used up).",
	EM_COUNT, EM_K_COUNTER);
static const struct em_key K_BACKLOG = EM_PKEY("backlog", "backlog",
	"softnet_backlog_packets", "Packets queued in the CPU's backlog.",
	EM_COUNT, 0);

static void emit_softnet(struct show_ctx *c)
{
	size_t i;

	em_list_begin(c->em, "softnet", "Softnet (per CPU)", 0);
	for (i = 0; i < c->s->ncpus; i++) {
		const struct nb_cpu *p = &c->s->cpus[i];

		if (!c->zeros && !p->processed && !p->dropped && !p->squeeze)
			continue;
		em_row_begin(c->em, 0);
		em_u64(c->em, &K_CPU, p->cpu);
		em_u64(c->em, &K_PROCESSED, p->processed);
		em_u64(c->em, &K_DROPPED, p->dropped);
		em_u64(c->em, &K_SQUEEZE, p->squeeze);
		if (p->has_backlog)
			em_u64(c->em, &K_BACKLOG, p->backlog);
		else
			em_null(c->em, &K_BACKLOG);
		em_row_end(c->em);
	}
	em_list_end(c->em);
}

static void emit_sysctls(struct show_ctx *c)
{
	const struct nb_sysctls *sc = &c->s->sysctl;
	struct em_key k = EM_KEY(NULL, NULL, EM_COUNT, 0);
	int i;

	em_obj_begin(c->em, "sysctl", NULL);
	for (i = 0; i < SC_COUNT; i++) {
		k.key = nb_sysctls[i].name;
		em_str(c->em, &k, sc->present[i] ? sc->raw[i] : NULL);
	}
	em_obj_end(c->em);
}

/* The first two series of every Prometheus document (cmd_queues.c too). */
const struct em_key K_UP = EM_PKEY("up", NULL, "up",
	"1 if netbuf read /proc/netbuf, 0 if it failed (the other series are "
	"then missing).",
	EM_COUNT, EM_K_NOJSON | EM_K_NOTABLE);
const struct em_key K_ERR = EM_PKEY("scrape_error", NULL, "scrape_error",
	"1 if this run of netbuf failed (see its stderr).", EM_COUNT,
	EM_K_NOJSON | EM_K_NOTABLE);

void show_emit(struct emitter *em, const struct nb_snapshot *s,
	       const struct nb_opts *o, char **ifaces, int nifaces)
{
	struct show_ctx c = { em, s, o->zeros || o->fmt != EM_TABLE,
			      o->fmt == EM_PROM, ifaces, nifaces, 0 };

	em_doc_begin(em, "netbuf-show/2");
	em_u64(em, &K_UP, 1);
	em_u64(em, &K_ERR, 0);
	em_str(em, &K_TOOL_VERSION, NETBUF_VERSION);
	em_str(em, &K_NETNS, s->netns);
	emit_module(&c);
	emit_probes(&c);
	emit_table(&c, &s->rcvbuf, "Receive queue (tcp_collapse, prune, "
		   "out-of-order prune)", rcv_fields,
		   NB_ARRAY_SIZE(rcv_fields));
	emit_table(&c, &s->napi, "NAPI", napi_fields,
		   NB_ARRAY_SIZE(napi_fields));
	if (c.hidden)
		em_note(em, "(interfaces whose counters are all zero are "
			"hidden; -z shows them)");
	emit_hists(&c);
	emit_softnet(&c);	/* an empty list without softnet_stat */
	emit_memory(&c);
	emit_sysctls(&c);
	if (c.prom && s->has_queues)	/* a module with the per-queue view */
		queues_rows(em, s, ifaces, nifaces, 1, 1);
	em_doc_end(em);
}

/* --output after a failure: a file that says so, not a stale one. */
static int prom_down(const struct nb_opts *o)
{
	struct emitter *em = em_open(EM_PROM, 0);

	em_u64(em, &K_UP, 0);
	em_u64(em, &K_ERR, 1);
	em_doc_end(em);
	nb_output_file(o->output, em);
	return NB_EXIT_RUNTIME;
}

int cmd_show(const struct nb_opts *o, int argc, char **argv)
{
	struct nb_snapshot s;
	struct emitter *em;
	int r;

	if (o->all_netns) {
		r = cmd_show_all(o, argc, argv);
		return r == NB_EXIT_RUNTIME && o->output ? prom_down(o) : r;
	}
	if (nb_load_ifaces(o, &s, argv, argc) < 0)
		return o->output ? prom_down(o) : NB_EXIT_RUNTIME;
	/* --queues needs the per-queue view; --prometheus adds it if there */
	if ((o->queues || o->fmt == EM_PROM) &&
	    nb_load_queues(o, &s, 0, !o->queues) < 0) {
		nb_snapshot_free(&s);
		return o->output ? prom_down(o) : NB_EXIT_RUNTIME;
	}
	em = em_open(o->fmt, o->prom_nohist ? EM_O_NOHIST : 0);
	if (o->queues)
		queues_emit(em, &s, o, argv, argc);
	else
		show_emit(em, &s, o, argv, argc);
	r = o->output ? nb_output_file(o->output, em) : nb_output(em);
	nb_snapshot_free(&s);
	return r;
}
