// SPDX-License-Identifier: GPL-2.0
/*
 * netbuf hist [collapse|prune|napi|napi_pkts] [IFACE]: log2 histograms;
 * hist [napi|napi_pkts] IFACE --queue N | --napi ID: of one NAPI instance
 * (napi_queue_hist).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "keys.h"
#include "stats.h"

static const struct em_key K_HIST = EM_KEY("hist", NULL, EM_COUNT, EM_K_TITLE);
static const struct em_key K_TITLE_IFACE = EM_KEY("iface", "iface", EM_COUNT,
	EM_K_TITLE);
static const struct em_key K_TITLE_DATA = EM_KEY("iface", NULL, EM_COUNT, 0);
static const struct em_key K_TITLE_SHOWN = EM_KEY("iface", "iface", EM_COUNT,
	EM_K_TITLE | EM_K_NOJSON);
static const struct em_key K_IDX = EM_KEY("ifindex", NULL, EM_COUNT, 0);

static void emit_one(struct emitter *em, const struct nb_hrow *r)
{
	const struct nb_hkinddef *k = &nb_hkinds[r->kind];
	enum em_unit u = k->unit;
	char name[NB_IFNAME_MAX + 8];
	const char *shown = keys_iface_shown(name, sizeof(name), r->iface,
					     r->ifindex);

	em_row_begin(em, 0);
	em_str(em, shown == r->iface ? &K_TITLE_IFACE : &K_TITLE_DATA,
	       r->iface);
	if (shown != r->iface)
		em_str(em, &K_TITLE_SHOWN, shown);
	if (r->ifindex >= 0)
		em_i64(em, &K_IDX, r->ifindex);
	else
		em_null(em, &K_IDX);
	keys_synthetic(em, r->ifindex);
	em_str(em, &K_HIST, k->name);
	keys_hist(em, &r->h, u);
	em_hist(em, &k->k, &r->h, u);
	em_row_end(em);
}

/* kind < 0: every kind; iface NULL: every row. */
void hist_emit(struct emitter *em, const struct nb_snapshot *s, int kind,
	       const char *iface)
{
	unsigned int shown = 0;
	size_t i;

	em_doc_begin(em, "netbuf-hist/2");
	em_list_begin(em, "histograms", NULL, EM_L_BLOCKS);
	for (i = 0; i < s->nhists; i++) {
		const struct nb_hrow *r = &s->hists[i];

		if ((kind >= 0 && (int)r->kind != kind) ||
		    (iface && strcmp(r->iface, iface)))
			continue;
		emit_one(em, r);
		shown++;
	}
	em_list_end(em);
	if (!shown)
		em_note(em, "no samples recorded%s%s%s%s",
			kind >= 0 ? " for " : "",
			kind >= 0 ? nb_hkinds[kind].name : "",
			iface ? " on " : "", iface ? iface : "");
	em_doc_end(em);
}

static const struct em_key K_NAPI_ID = EM_KEY("napi_id", NULL, EM_COUNT, 0);
static const struct em_key K_QUEUE = EM_KEY("queue", NULL, EM_COUNT, 0);
static const struct em_key K_INSTANCE = EM_KEY("instance", "instance",
	EM_COUNT, EM_K_TITLE | EM_K_NOJSON);

static void emit_qone(struct emitter *em, const struct nb_qrow *q,
		      const struct nb_qhrow *r)
{
	const struct nb_hkinddef *k = &nb_hkinds[r->kind];
	char inst[64], qb[24];

	snprintf(qb, sizeof(qb), "%lld", q->queue);
	snprintf(inst, sizeof(inst), "napi_id %lld queue %s", q->napi_id,
		 q->queue >= 0 ? qb : "-");
	em_row_begin(em, 0);
	em_str(em, &K_TITLE_IFACE, q->iface);
	em_i64(em, &K_IDX, q->ifindex);
	keys_synthetic(em, q->ifindex);
	em_i64(em, &K_NAPI_ID, q->napi_id);
	if (q->queue >= 0)
		em_i64(em, &K_QUEUE, q->queue);
	else
		em_null(em, &K_QUEUE);
	em_str(em, &K_INSTANCE, inst);
	em_str(em, &K_HIST, k->name);
	keys_hist(em, &r->h, k->unit);
	em_hist(em, &k->k, &r->h, k->unit);
	em_row_end(em);
}

/* The instances of iface: "napi_id 8195 (queue 0), ..." */
static void list_instances(char *buf, size_t n, const struct nb_queues *q,
			   const char *iface)
{
	size_t i, off = 0, cnt = 0;

	buf[0] = '\0';
	for (i = 0; i < q->n && off < n; i++) {
		const struct nb_qrow *r = &q->rows[i];

		if (r->unlisted || strcmp(r->iface, iface))
			continue;
		if (r->queue >= 0)
			off += (size_t)snprintf(buf + off, n - off,
						"%snapi_id %lld (queue %lld)",
						cnt ? ", " : "", r->napi_id,
						r->queue);
		else
			off += (size_t)snprintf(buf + off, n - off,
						"%snapi_id %lld (queue -)",
						cnt ? ", " : "", r->napi_id);
		cnt++;
	}
	if (!cnt)
		snprintf(buf, n, "none polled since netbuf was loaded or "
			 "reset");
}

int hist_queue_emit(struct emitter *em, const struct nb_snapshot *s, int kind,
		    const char *iface, long long queue, long long napi_id,
		    struct nb_err *e)
{
	const struct nb_queues *q = &s->q;
	unsigned int found = 0, shown = 0;
	char list[256];
	size_t i, j;

	for (i = 0; i < q->n; i++)
		found += !q->rows[i].unlisted &&
			 !strcmp(q->rows[i].iface, iface) &&
			 (napi_id >= 0 ? q->rows[i].napi_id == napi_id :
			  q->rows[i].queue == queue);
	if (!found) {
		list_instances(list, sizeof(list), q, iface);
		if (napi_id >= 0)
			return nb_errf(e, "no NAPI instance of %s has napi_id "
				       "%lld (its instances: %s)", iface,
				       napi_id, list);
		return nb_errf(e, "no NAPI instance of %s has RX queue %lld "
			       "(its instances: %s); the kernel or driver may "
			       "not link RX queues to NAPI instances (kernels "
			       "6.8+, drivers calling netif_queue_set_napi): "
			       "--napi ID selects an instance always",
			       iface, queue, list);
	}
	em_doc_begin(em, "netbuf-hist/2");
	em_list_begin(em, "histograms", NULL, EM_L_BLOCKS);
	for (i = 0; i < q->n; i++) {
		const struct nb_qrow *r = &q->rows[i];

		if (r->unlisted || strcmp(r->iface, iface) ||
		    (napi_id >= 0 ? r->napi_id != napi_id : r->queue != queue))
			continue;
		for (j = 0; j < q->nhists; j++) {
			const struct nb_qhrow *h = &q->hists[j];

			if (h->ifindex != r->ifindex ||
			    h->napi_id != r->napi_id ||
			    (kind >= 0 && (int)h->kind != kind))
				continue;
			emit_qone(em, r, h);
			shown++;
		}
	}
	em_list_end(em);
	if (!shown)
		em_note(em, "no samples recorded%s%s on %s's NAPI instance "
			"%s %lld", kind >= 0 ? " for " : "",
			kind >= 0 ? nb_hkinds[kind].name : "", iface,
			napi_id >= 0 ? "napi_id" : "of RX queue",
			napi_id >= 0 ? napi_id : queue);
	em_doc_end(em);
	return 0;
}

/* hist [napi|napi_pkts] IFACE --queue N | --napi ID */
static int cmd_hist_queue(const struct nb_opts *o, int kind, int argc,
			  char **argv)
{
	struct nb_snapshot s;
	struct emitter *em;
	struct nb_err e;
	int r;

	if (kind >= 0 && nb_hkinds[kind].table != 1)
		return nb_usage("hist: --queue and --napi go with napi or "
				"napi_pkts, not %s", nb_hkinds[kind].name);
	if (argc != 1)
		return nb_usage("hist: --queue and --napi need an IFACE (see "
				"'netbuf help hist')");
	if (nb_load_ifaces(o, &s, argv, argc) < 0)
		return NB_EXIT_RUNTIME;
	if (nb_load_queues(o, &s, 1, 0) < 0) {
		nb_snapshot_free(&s);
		return NB_EXIT_RUNTIME;
	}
	em = em_open(o->fmt, 0);
	if (hist_queue_emit(em, &s, kind, argv[0], o->queue, o->napi_id,
			    &e) < 0) {
		em_discard(em);
		nb_snapshot_free(&s);
		return nb_fail(&e);
	}
	r = nb_output(em);
	nb_snapshot_free(&s);
	return r;
}

int cmd_hist(const struct nb_opts *o, int argc, char **argv)
{
	const char *iface = NULL;
	enum nb_hkind k;
	int kind = -1, r;
	struct nb_snapshot s;
	struct emitter *em;

	if (argc > 0 && nb_hkind_parse(argv[0], &k) == 0) {
		kind = (int)k;
		argc--;
		argv++;
	}
	if (argc == 2 && kind < 0)
		return nb_usage("hist: unknown histogram '%s' (collapse, "
				"prune, napi, napi_pkts)", argv[0]);
	if (argc > 1)
		return nb_usage("hist: too many arguments (see 'netbuf help "
				"hist')");
	if (o->queue >= 0 || o->napi_id >= 0)
		return cmd_hist_queue(o, kind, argc, argv);
	if (argc == 1)
		iface = argv[0];
	if (nb_load_ifaces(o, &s, argv, argc) < 0)
		return NB_EXIT_RUNTIME;
	em = em_open(o->fmt, 0);
	hist_emit(em, &s, kind, iface);
	r = nb_output(em);
	nb_snapshot_free(&s);
	return r;
}
