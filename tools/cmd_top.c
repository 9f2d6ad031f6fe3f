// SPDX-License-Identifier: GPL-2.0
/*
 * netbuf top [-n N] [--by conn|cgroup|iface]: the connections, cgroups or
 * interfaces of the events log (/proc/netbuf/events, what it holds now)
 * ranked by how long their receive queues stalled.
 *
 * tcp_collapse runs within a prune episode (tcp_prune_queue), and the
 * module logs both when both are slow. A collapse that ended within a
 * logged prune of the same connection on the same CPU is counted as a
 * collapse, but its time is the prune's already: it is not an episode of
 * its own and adds nothing to the stall.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "keys.h"

#define TOP_DEFAULT 10

typedef int (*ev_cmp_fn)(const struct nb_event *a, const struct nb_event *b);

struct by_def {
	const char *name, *one, *many;	/* "conn", "connection", "...s" */
	ev_cmp_fn cmp;
	void (*emit)(struct emitter *em, const struct nb_event *ev,
		     struct nb_cgmap *cg);
};

static const struct em_key K_BY = EM_KEY("by", NULL, EM_COUNT, 0);
static const struct em_key K_THRESHOLD = EM_KEY("events_threshold_ns", NULL,
					   EM_NS, 0);
static const struct em_key K_RECORDS = EM_KEY("records", NULL, EM_COUNT, 0);
static const struct em_key K_GROUPS = EM_KEY("groups", NULL, EM_COUNT, 0);
static const struct em_key K_TOTAL = EM_KEY("stall_ns", NULL, EM_NS, 0);
static const struct em_key K_RANK = EM_KEY("rank", "rank", EM_COUNT, 0);
static const struct em_key K_LOCAL = EM_KEY("local", "local", EM_COUNT, 0);
static const struct em_key K_REMOTE = EM_KEY("remote", "remote", EM_COUNT, 0);
static const struct em_key K_TOP_IFINDEX = EM_KEY("ifindex", "ifindex",
					     EM_COUNT, 0);
static const struct em_key K_EPISODES = EM_KEY("episodes", "episodes", EM_COUNT,
					  0);
static const struct em_key K_COLLAPSES = EM_KEY("collapses", "collapses",
					   EM_COUNT, 0);
static const struct em_key K_PRUNES = EM_KEY("prunes", "prunes", EM_COUNT, 0);
static const struct em_key K_DROPS = EM_KEY("drops", "drops", EM_COUNT, 0);
static const struct em_key K_STALL = EM_KEY("stall_ns", "stall", EM_NS, 0);
static const struct em_key K_MAX = EM_KEY("max_ns", "max", EM_NS, 0);
static const struct em_key K_SHARE = EM_KEY("share_pct", "share", EM_PCT, 0);

/* ---- keys ---- */

static int cmp_u64(u64 a, u64 b)
{
	return a < b ? -1 : a > b;
}

static int conn_cmp(const struct nb_event *a, const struct nb_event *b)
{
	int r = strcmp(a->local, b->local);

	return r ? r : strcmp(a->remote, b->remote);
}

static int cgroup_cmp(const struct nb_event *a, const struct nb_event *b)
{
	return cmp_u64(a->cgroup, b->cgroup);
}

static int iface_cmp(const struct nb_event *a, const struct nb_event *b)
{
	int r = a->ifindex < b->ifindex ? -1 : a->ifindex > b->ifindex;

	return r ? r : strcmp(a->iface, b->iface);
}

static void conn_emit(struct emitter *em, const struct nb_event *ev,
		      struct nb_cgmap *cg)
{
	(void)cg;
	em_str(em, &K_LOCAL, ev->local);
	em_str(em, &K_REMOTE, ev->remote);
}

static void cgroup_emit(struct emitter *em, const struct nb_event *ev,
			struct nb_cgmap *cg)
{
	keys_cgroup(em, ev->cgroup, nb_cgmap_path(cg, ev->cgroup));
}

static void iface_emit(struct emitter *em, const struct nb_event *ev,
		       struct nb_cgmap *cg)
{
	(void)cg;
	em_str(em, &K_IFACE, ev->iface[0] ? ev->iface : NULL);
	if (ev->ifindex >= 0)
		em_i64(em, &K_TOP_IFINDEX, ev->ifindex);
	else
		em_null(em, &K_TOP_IFINDEX);
}

static const struct by_def by_defs[] = {
	[NB_TOP_CONN] = { "conn", "connection", "connections", conn_cmp,
			  conn_emit },
	[NB_TOP_CGROUP] = { "cgroup", "cgroup", "cgroups", cgroup_cmp,
			    cgroup_emit },
	[NB_TOP_IFACE] = { "iface", "interface", "interfaces", iface_cmp,
			   iface_emit },
};

int nb_top_by_parse(const char *s, enum nb_top_by *by)
{
	size_t i;

	for (i = 0; i < NB_ARRAY_SIZE(by_defs); i++)
		if (!strcmp(s, by_defs[i].name)) {
			*by = (enum nb_top_by)i;
			return 0;
		}
	return -1;
}

/* ---- grouping ---- */

static int ref_cmp(const void *a, const void *b, void *cmp)
{
	return (*(ev_cmp_fn *)cmp)(*(const struct nb_event *const *)a,
				   *(const struct nb_event *const *)b);
}

/* Same connection and CPU, then oldest first, a prune after a collapse
 * that ended at the same time. */
static int nest_cmp(const struct nb_event *a, const struct nb_event *b)
{
	int r = conn_cmp(a, b);

	if (!r)
		r = cmp_u64(a->cpu, b->cpu);
	if (!r)
		r = cmp_u64(a->time_ns, b->time_ns);
	return r ? r : a->prune - b->prune;
}

/* The events of log, sorted by cmp. */
static const struct nb_event **sorted(const struct nb_evlog *log,
				      ev_cmp_fn cmp)
{
	const struct nb_event **ix = nb_xcalloc(log->n, sizeof(*ix));
	size_t i;

	for (i = 0; i < log->n; i++)
		ix[i] = &log->ev[i];
	qsort_r(ix, log->n, sizeof(*ix), ref_cmp, &cmp);
	return ix;
}

/* nested[i]: event i is a collapse that ended within the next logged
 * prune of its connection on its CPU (which started before it ended). */
static unsigned char *nested_collapses(const struct nb_evlog *log)
{
	const struct nb_event **ix = sorted(log, nest_cmp), *prune = NULL;
	unsigned char *nested = nb_xcalloc(log->n, 1);
	size_t i;

	for (i = log->n; i-- > 0;) {
		const struct nb_event *ev = ix[i];

		if (prune && (conn_cmp(ev, prune) || ev->cpu != prune->cpu))
			prune = NULL;
		if (ev->prune)
			prune = ev;
		else if (prune && ev->time_ns + prune->dur_ns >= prune->time_ns)
			nested[ev - log->ev] = 1;
	}
	free(ix);
	return nested;
}

static void row_add(struct nb_top_row *r, const struct nb_event *ev,
		    int nested)
{
	if (ev->prune) {
		r->prunes++;
		r->drops += !strcmp(ev->outcome, "drop");
	} else {
		r->collapses++;
	}
	if (!nested) {
		r->episodes++;
		r->stall_ns = nb_sat_add(r->stall_ns, ev->dur_ns);
	}
	if (ev->dur_ns > r->max_ns)
		r->max_ns = ev->dur_ns;
}

/* Most stall first, then most episodes, then by key. */
static int row_cmp(const void *a, const void *b, void *cmp)
{
	const struct nb_top_row *x = a, *y = b;
	int r = cmp_u64(y->stall_ns, x->stall_ns);

	if (!r)
		r = cmp_u64(y->episodes, x->episodes);
	return r ? r : (*(ev_cmp_fn *)cmp)(x->key, y->key);
}

size_t nb_top_build(const struct nb_evlog *log, enum nb_top_by by,
		    struct nb_top_row **rows)
{
	ev_cmp_fn cmp = by_defs[by].cmp;
	const struct nb_event **ix = sorted(log, cmp);
	unsigned char *nested = nested_collapses(log);
	struct nb_top_row *out = NULL;
	size_t i, n = 0, cap = 0;

	for (i = 0; i < log->n; i++) {
		if (!n || cmp(ix[i], out[n - 1].key)) {
			nb_grow((void **)&out, &cap, n + 1, sizeof(*out));
			out[n++].key = ix[i];
		}
		row_add(&out[n - 1], ix[i], nested[ix[i] - log->ev]);
	}
	if (n)
		qsort_r(out, n, sizeof(*out), row_cmp, &cmp);
	free(nested);
	free(ix);
	*rows = out;
	return n;
}

/* ---- output ---- */

static void emit_row(struct emitter *em, const struct nb_top_row *r,
		     size_t rank, u64 total, const struct by_def *d,
		     struct nb_cgmap *cg)
{
	em_row_begin(em, 0);
	em_u64(em, &K_RANK, rank);
	d->emit(em, r->key, cg);
	em_u64(em, &K_EPISODES, r->episodes);
	em_u64(em, &K_COLLAPSES, r->collapses);
	em_u64(em, &K_PRUNES, r->prunes);
	em_u64(em, &K_DROPS, r->drops);
	em_u64(em, &K_STALL, r->stall_ns);
	em_u64(em, &K_MAX, r->max_ns);
	em_f64(em, &K_SHARE, total ? 100.0 * (double)r->stall_ns /
	       (double)total : NAN);
	em_row_end(em);
}

static void summary(struct emitter *em, const struct nb_evlog *log,
		    const struct by_def *d, size_t n, size_t max, u64 total)
{
	char stall[32], thr[32], first[48] = "";

	if (!n) {
		em_note(em, "no slow episodes recorded (threshold in "
			"/proc/netbuf/control)");
		return;
	}
	nb_fmt_duration(stall, sizeof(stall), total);
	nb_fmt_duration(thr, sizeof(thr), log->ctl[CTL_THRESHOLD_NS]);
	if (n > max)
		snprintf(first, sizeof(first), "; the first %zu", max);
	em_note(em, "%zu %s in %zu record%s of the events log (episodes of "
		"%s or more), stall %s in all%s", n, n == 1 ? d->one : d->many,
		log->n, log->n == 1 ? "" : "s", thr, stall, first);
}

void top_emit(struct emitter *em, const struct nb_evlog *log,
	      enum nb_top_by by, size_t max)
{
	const struct by_def *d = &by_defs[by];
	struct nb_top_row *rows;
	size_t n = nb_top_build(log, by, &rows), i;
	u64 total = 0;

	for (i = 0; i < n; i++)
		total = nb_sat_add(total, rows[i].stall_ns);
	em_doc_begin(em, "netbuf-top/1");
	em_str(em, &K_BY, d->name);
	em_u64(em, &K_THRESHOLD, log->ctl[CTL_THRESHOLD_NS]);
	em_u64(em, &K_RECORDS, log->n);
	em_u64(em, &K_GROUPS, n);
	em_u64(em, &K_TOTAL, total);
	summary(em, log, d, n, max, total);
	em_list_begin(em, "top", NULL, 0);
	for (i = 0; i < n && i < max; i++)
		emit_row(em, &rows[i], i + 1, total, d, log->cg);
	em_list_end(em);
	em_doc_end(em);
	free(rows);
}

int cmd_top(const struct nb_opts *o, int argc, char **argv)
{
	enum nb_top_by by = NB_TOP_CONN;
	struct nb_evlog log;
	struct nb_cgmap cg;
	struct emitter *em;
	int fd, r;

	if (argc)
		return nb_usage("top: unexpected argument '%s' (see 'netbuf "
				"help top')", argv[0]);
	if (o->by && nb_top_by_parse(o->by, &by) < 0)
		return nb_usage("unknown --by '%s': conn, cgroup or iface",
				o->by);
	fd = nb_evlog_open(o);
	if (fd < 0)
		return NB_EXIT_RUNTIME;
	memset(&log, 0, sizeof(log));
	r = nb_evlog_read(o, fd, &log);
	close(fd);
	if (r < 0)
		return NB_EXIT_RUNTIME;
	nb_cgmap_init(&cg, o->paths.cgroup);
	log.cg = &cg;
	em = em_open(o->fmt, 0);
	top_emit(em, &log, by, o->top ? (size_t)o->top : TOP_DEFAULT);
	r = nb_output(em);
	nb_cgmap_free(&cg);
	free(log.ev);
	return r;
}
