// SPDX-License-Identifier: GPL-2.0
/* netbuf: period figures, see view.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snapshot.h"
#include "stats.h"
#include "view.h"

static struct nb_ifview *ifview_get(struct nb_view *v, size_t *cap,
				    const struct nb_row *row)
{
	struct nb_ifview *f;
	size_t i;

	for (i = 0; i < v->n; i++)
		if (nb_row_same(v->ifs[i].iface, v->ifs[i].ifindex, row->iface,
				row->ifindex))
			return &v->ifs[i];
	nb_grow((void **)&v->ifs, cap, v->n + 1, sizeof(*f));
	f = &v->ifs[v->n++];
	memset(f, 0, sizeof(*f));
	snprintf(f->iface, sizeof(f->iface), "%s", row->iface);
	f->ifindex = row->ifindex;
	f->kind = row->kind;
	snprintf(f->state, sizeof(f->state), "%s", row->state);
	return f;
}

/* Counter deltas of one row; -1 if one went down. */
static int row_delta(const struct nb_tabledef *d, const struct nb_row *a,
		     const struct nb_row *b, u64 *out)
{
	size_t i;

	for (i = 0; i < d->ncols; i++) {
		if (d->cols[i].flags & NB_COL_MAX) {
			out[i] = b->v[i];	/* replaced by the period max */
			continue;
		}
		if (a && b->v[i] < a->v[i])
			return -1;
		out[i] = b->v[i] - (a ? a->v[i] : 0);
	}
	return 0;
}

static int hists_delta(const struct nb_snapshot *a, const struct nb_row *ra,
		       const struct nb_snapshot *b, const struct nb_row *rb,
		       int table, struct nb_ifview *f)
{
	struct nb_hist ha, hb;
	unsigned int k;

	for (k = 0; k < NB_H_COUNT; k++) {
		const struct nb_hkinddef *hk = &nb_hkinds[k];

		if (hk->table != table)
			continue;
		nb_snapshot_hist(b, rb, (enum nb_hkind)k, &hb);
		if (hk->max_col >= 0 && rb->v[hk->max_col] > hb.max)
			hb.max = rb->v[hk->max_col];
		if (!a || !ra) {
			f->h[k] = hb;
			f->max_exact[k] = 1;
			continue;
		}
		nb_snapshot_hist(a, ra, (enum nb_hkind)k, &ha);
		if (hk->max_col >= 0 && ra->v[hk->max_col] > ha.max)
			ha.max = ra->v[hk->max_col];
		if (nb_hist_delta(&ha, &hb, &f->h[k], &f->max_exact[k]) < 0)
			return -1;
	}
	return 0;
}

static void set_max_cols(struct nb_ifview *f)
{
	f->rcv[RB_COLL_MAX_NS] = f->h[NB_H_COLLAPSE].max;
	f->rcv[RB_PRUNE_MAX_NS] = f->h[NB_H_PRUNE].max;
	f->napi[NP_POLL_MAX_NS] = f->h[NB_H_NAPI_NS].max;
}

/* Rows of ta that tb no longer has: forgotten by a reset, or evicted. */
static size_t rows_lost(const struct nb_table *ta, const struct nb_table *tb)
{
	size_t i, n = 0;

	for (i = 0; i < ta->n; i++)
		n += !nb_table_find(tb, ta->rows[i].iface, ta->rows[i].ifindex);
	return n;
}

static int add_table(struct nb_view *v, size_t *cap,
		     const struct nb_snapshot *a, const struct nb_snapshot *b,
		     int table, char *why, size_t whylen)
{
	const struct nb_table *tb = table ? &b->napi : &b->rcvbuf;
	size_t i;

	size_t lost = a ? rows_lost(table ? &a->napi : &a->rcvbuf, tb) : 0;

	/* gone rows evicted under the cap went into the unknown row, and
	 * memory's evicted counter says so; any other loss is a reset */
	if (lost && (b->mem[MEM_EVICTED] < a->mem[MEM_EVICTED] ||
		     b->mem[MEM_EVICTED] - a->mem[MEM_EVICTED] < lost)) {
		snprintf(why, whylen, "rows were forgotten (netbuf was reset "
			 "or reloaded)");
		return -1;
	}
	if (lost > v->evicted)
		v->evicted = lost;

	for (i = 0; i < tb->n; i++) {
		const struct nb_row *rb = &tb->rows[i], *ra = NULL;
		struct nb_ifview *f = ifview_get(v, cap, rb);

		if (a)
			ra = nb_table_find(table ? &a->napi : &a->rcvbuf,
					   rb->iface, rb->ifindex);
		if (row_delta(tb->def, ra, rb, table ? f->napi : f->rcv) < 0 ||
		    hists_delta(a, ra, b, rb, table, f) < 0) {
			snprintf(why, whylen, "the counters went down (netbuf "
				 "was reset or reloaded)");
			return -1;
		}
		*(table ? &f->has_napi : &f->has_rcv) = 1;
		if (ra && strcmp(ra->iface, rb->iface))
			snprintf(f->renamed_from, sizeof(f->renamed_from),
				 "%s", ra->iface);
	}
	return 0;
}

/* softnet counters are 32 bits wide and wrap. */
static u64 wrap_delta(u64 a, u64 b)
{
	if (b >= a)
		return b - a;
	return a <= 0xffffffffull ? b + 0x100000000ull - a : 0;
}

static void add_cpus(struct nb_view *v, const struct nb_snapshot *a,
		     const struct nb_snapshot *b)
{
	size_t i, j;

	v->ncpus = b->ncpus;
	v->cpus = nb_xcalloc(b->ncpus, sizeof(*v->cpus));
	for (i = 0; i < b->ncpus; i++) {
		const struct nb_cpu *cb = &b->cpus[i], *ca = NULL;
		struct nb_cpu *d = &v->cpus[i];

		*d = *cb;
		for (j = 0; a && j < a->ncpus && !ca; j++)
			if (a->cpus[j].cpu == cb->cpu)
				ca = &a->cpus[j];
		if (!a)
			continue;
		d->processed = ca ? wrap_delta(ca->processed, cb->processed) : 0;
		d->dropped = ca ? wrap_delta(ca->dropped, cb->dropped) : 0;
		d->squeeze = ca ? wrap_delta(ca->squeeze, cb->squeeze) : 0;
	}
}

static const struct nb_qrow *qrow_find(const struct nb_queues *q,
					const struct nb_qrow *r)
{
	size_t i;

	for (i = 0; i < q->n; i++)
		if (q->rows[i].unlisted == r->unlisted &&
		    q->rows[i].ifindex == r->ifindex &&
		    q->rows[i].napi_id == r->napi_id)
			return &q->rows[i];
	return NULL;
}

/*
 * Per-instance deltas. An instance is matched by ifindex and napi_id;
 * one seen only in b, or whose counters went down (its device went and
 * another instance got its id, or a reset), counted from 0: all of b's
 * figures are of the period. napi_id 0 lines are not told apart: theirs
 * are b's.
 */
static void add_queues(struct nb_view *v, const struct nb_snapshot *a,
		       const struct nb_snapshot *b)
{
	size_t i, k;

	if (!b->has_queues || (a && !a->has_queues))
		return;
	v->has_queues = 1;
	v->nqs = b->q.n;
	v->qs = nb_xcalloc(b->q.n ? b->q.n : 1, sizeof(*v->qs));
	for (i = 0; i < b->q.n; i++) {
		const struct nb_qrow *rb = &b->q.rows[i], *ra = NULL;
		struct nb_qrow *d = &v->qs[i];

		*d = *rb;
		if (a && (rb->unlisted || rb->napi_id > 0))
			ra = qrow_find(&a->q, rb);
		for (k = 0; ra && k < QC_NCOLS; k++)
			if (!(nb_queue_cols[k].flags & NB_COL_MAX) &&
			    rb->v[k] < ra->v[k])
				ra = NULL;
		for (k = 0; ra && k < QC_NCOLS; k++)
			if (!(nb_queue_cols[k].flags & NB_COL_MAX))
				d->v[k] -= ra->v[k];
	}
}

/* Another boot: boot_id differs (when both are known), else the kernel
 * changed or boottime went back. The wall clock plays no part: NTP steps
 * it and resumed VMs jump. */
int nb_rebooted(const struct nb_snapshot *a, const struct nb_snapshot *b)
{
	if (a->boot_id[0] && b->boot_id[0])
		return strcmp(a->boot_id, b->boot_id) != 0;
	return strcmp(a->kernel, b->kernel) || b->boottime_ns < a->boottime_ns;
}

static int comparable(const struct nb_snapshot *a, const struct nb_snapshot *b,
		      char *why, size_t whylen)
{
	if (nb_rebooted(a, b))
		snprintf(why, whylen, "the host was rebooted in between");
	else if (strcmp(a->netns, b->netns))
		snprintf(why, whylen, "taken in another network namespace "
			 "(netns %s, now %s)", a->netns, b->netns);
	else if (strcmp(a->ver.module, b->ver.module))
		snprintf(why, whylen, "the module was replaced (version %s, "
			 "now %s)", a->ver.module, b->ver.module);
	else
		return 0;
	return -1;
}

static int cmp_ifview(const void *x, const void *y)
{
	const struct nb_ifview *a = x, *b = y;

	if (a->kind != b->kind)
		return (int)a->kind - (int)b->kind;
	if (a->ifindex != b->ifindex)
		return a->ifindex < b->ifindex ? -1 : 1;
	return strcmp(a->iface, b->iface);
}

int nb_view_build(const struct nb_snapshot *a, const struct nb_snapshot *b,
		  struct nb_view *v, char *why, size_t whylen)
{
	size_t cap = 0, i;

	memset(v, 0, sizeof(*v));
	if (a && comparable(a, b, why, whylen) < 0)
		return -1;
	if (add_table(v, &cap, a, b, 0, why, whylen) < 0 ||
	    add_table(v, &cap, a, b, 1, why, whylen) < 0) {
		nb_view_free(v);
		return -1;
	}
	for (i = 0; i < v->n; i++)
		set_max_cols(&v->ifs[i]);
	qsort(v->ifs, v->n, sizeof(*v->ifs), cmp_ifview);
	add_cpus(v, a, b);
	add_queues(v, a, b);
	if (a)
		v->secs = nb_ns_to_s(b->boottime_ns - a->boottime_ns);
	return 0;
}

void nb_view_free(struct nb_view *v)
{
	free(v->ifs);
	free(v->cpus);
	free(v->qs);
	memset(v, 0, sizeof(*v));
}

const struct nb_ifview *nb_view_find(const struct nb_view *v,
				     const char *iface, long long ifindex)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (nb_row_same(v->ifs[i].iface, v->ifs[i].ifindex, iface,
				ifindex))
			return &v->ifs[i];
	return NULL;
}

double nb_view_rate(const struct nb_view *v, u64 count)
{
	return v->secs > 0 ? (double)count / v->secs : NAN;
}

int nb_ifview_pct(const struct nb_ifview *f, enum nb_hkind k, double p,
		  u64 *out)
{
	return nb_hist_percentile(&f->h[k], p, out);
}

int nb_ifview_zero(const struct nb_ifview *f)
{
	size_t i;

	for (i = 0; i < RB_NCOLS; i++)
		if (!(nb_rcvbuf_def.cols[i].flags & NB_COL_MAX) && f->rcv[i])
			return 0;
	for (i = 0; i < NP_NCOLS; i++)
		if (!(nb_napi_def.cols[i].flags & NB_COL_MAX) && f->napi[i])
			return 0;
	return 1;
}
