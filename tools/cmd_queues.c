// SPDX-License-Identifier: GPL-2.0
/*
 * netbuf show --queues [IFACE...]: per RX queue, from napi_queues: one row
 * per NAPI instance (napi_struct, named by the kernel's NAPI id) of an
 * interface that polled, with the RX queue linked to it where the kernel
 * says, the CPU of its last poll, its NAPI counters and its share of its
 * interface's packets; then the unlisted row (polls of instances that have
 * no row of their own). Its rows are also part of show --prometheus.
 */
#include <string.h>

#include "cli.h"
#include "keys.h"

static const struct em_key K_RXQ = EM_KEY("rxqueues", "rxqs", EM_COUNT, 0);
static const struct em_key K_RXQ_PROM = EM_PKEY("rxqueues", NULL, "rx_queues",
	"RX queues of the device now (real_num_rx_queues), for the devices "
	"with NAPI instances in napi_queues.", EM_COUNT, 0);
static const struct em_key K_NAPI_ID = EM_KEY("napi_id", "napi_id", EM_COUNT,
	EM_K_LABEL);
static const struct em_key K_QUEUE = EM_KEY("queue", "queue", EM_COUNT,
	EM_K_LABEL);
static const struct em_key K_QCPU = EM_PKEY("cpu", "cpu", "napi_queue_cpu",
	"The CPU that ran the NAPI instance's last poll.", EM_COUNT, 0);
static const struct em_key K_SHARE = EM_KEY("share_pct", "share", EM_PCT, 0);
static const struct em_key K_AVG = EM_GKEY("poll_avg_ns", "avg", "poll time",
	NULL, NULL, EM_NS, 0);
static const struct em_key K_CAP = EM_KEY("napi_queues_max", NULL, EM_COUNT,
	0);
static const struct em_key K_CAP_NS = EM_KEY("napi_queues_netns_max", NULL,
	EM_COUNT, 0);

static int named(char **ifaces, int n, const char *iface)
{
	int i;

	if (!n)
		return 1;
	for (i = 0; i < n; i++)
		if (!strcmp(ifaces[i], iface))
			return 1;
	return 0;
}

/* The packets of every instance of ifindex: what a share is of. */
static u64 iface_packets(const struct nb_queues *q, long long ifindex)
{
	u64 sum = 0;
	size_t i;

	for (i = 0; i < q->n; i++)
		if (!q->rows[i].unlisted && q->rows[i].ifindex == ifindex)
			sum = nb_sat_add(sum, q->rows[i].v[QC_PACKETS]);
	return sum;
}

static void em_id(struct emitter *em, const struct em_key *k, long long v)
{
	if (v >= 0)
		em_i64(em, k, v);
	else
		em_null(em, k);
}

static int row_zero(const struct nb_qrow *r)
{
	size_t i;

	for (i = 0; i < QC_NCOLS; i++)
		if (!(nb_queue_cols[i].flags & NB_COL_MAX) && r->v[i])
			return 0;
	return 1;
}

static void emit_row(struct emitter *em, const struct nb_snapshot *s,
		     const struct nb_qrow *r)
{
	u64 timed = r->v[QC_POLLS] - (r->v[QC_UNTIMED] < r->v[QC_POLLS] ?
				      r->v[QC_UNTIMED] : r->v[QC_POLLS]);
	u64 all = r->unlisted ? 0 : iface_packets(&s->q, r->ifindex);
	size_t i;

	em_row_begin(em, 0);
	keys_iface(em, r->iface, r->ifindex, NULL, s->netns);
	em_id(em, &K_NAPI_ID, r->napi_id);
	em_id(em, &K_QUEUE, r->queue);
	em_id(em, &K_RXQ, r->rxqueues);
	em_id(em, &K_QCPU, r->cpu);
	for (i = 0; i < QC_NCOLS; i++) {
		if (i == QC_POLL_MAX_NS) {
			if (timed)
				em_u64(em, &K_AVG, r->v[QC_POLL_NS] / timed);
			else
				em_null(em, &K_AVG);
		}
		em_u64(em, &nb_queue_cols[i].k, r->v[i]);
		if (i == QC_PACKETS) {
			if (all)
				em_f64(em, &K_SHARE, 100.0 *
				       (double)r->v[QC_PACKETS] / (double)all);
			else
				em_null(em, &K_SHARE);
		}
	}
	em_row_end(em);
}

/* Prometheus: each interface's RX queue count, once. */
static void prom_rxqueues(struct emitter *em, const struct nb_snapshot *s,
			  char **ifaces, int nifaces)
{
	const struct nb_queues *q = &s->q;
	size_t i;

	em_list_begin(em, "rx_queues", NULL, EM_L_NOTABLE);
	for (i = 0; i < q->n; i++) {
		const struct nb_qrow *r = &q->rows[i];

		if (r->unlisted || !named(ifaces, nifaces, r->iface) ||
		    (i && q->rows[i - 1].ifindex == r->ifindex))
			continue;
		em_row_begin(em, 0);
		keys_iface(em, r->iface, r->ifindex, NULL, s->netns);
		em_u64(em, &K_RXQ_PROM, (u64)r->rxqueues);
		em_row_end(em);
	}
	em_list_end(em);
}

void queues_rows(struct emitter *em, const struct nb_snapshot *s,
		 char **ifaces, int nifaces, int all, int prom)
{
	const struct nb_queues *q = &s->q;
	size_t i;

	em_list_begin(em, "queues", "NAPI instances (RX queues)", 0);
	for (i = 0; i < q->n; i++) {
		const struct nb_qrow *r = &q->rows[i];

		if (r->unlisted ? !all && row_zero(r) :
		    !named(ifaces, nifaces, r->iface))
			continue;
		emit_row(em, s, r);
	}
	em_list_end(em);
	if (prom)
		prom_rxqueues(em, s, ifaces, nifaces);
}

static void emit_notes(struct emitter *em, const struct nb_snapshot *s,
		       char **ifaces, int nifaces)
{
	const struct nb_qrow *u = nb_queues_unlisted(&s->q);
	size_t i, shown = 0, unlinked = 0;
	char caps[160] = "";

	for (i = 0; i < s->q.n; i++) {
		const struct nb_qrow *r = &s->q.rows[i];

		if (r->unlisted || !named(ifaces, nifaces, r->iface))
			continue;
		shown++;
		unlinked += r->queue < 0;
	}
	if (!shown && nifaces)
		em_note(em, "no NAPI instance of %s%s polled since netbuf was "
			"loaded or reset", ifaces[0],
			nifaces > 1 ? " or the other interfaces named" : "");
	else if (!shown)
		em_note(em, "no NAPI instance polled since netbuf was "
			"loaded or reset");
	if (unlinked)
		em_note(em, "(queue -: the kernel or driver does not link that "
			"NAPI instance to an RX queue; netif_queue_set_napi, "
			"kernels 6.8+)");
	if (s->q.cap_netns_max >= 0 && s->q.cap_max >= 0)
		snprintf(caps, sizeof(caps), ": napi_queues_netns_max %lld "
			 "per namespace, napi_queues_max %lld host-wide",
			 s->q.cap_netns_max, s->q.cap_max);
	if (u && !row_zero(u))
		em_note(em, "(unlisted: %llu polls, %llu packets of this "
			"namespace's devices were of NAPI instances without a "
			"row of their own, past the module's caps or met "
			"before it had an entry ready%s; the shares leave "
			"them out)",
			(unsigned long long)u->v[QC_POLLS],
			(unsigned long long)u->v[QC_PACKETS], caps);
}

void queues_emit(struct emitter *em, const struct nb_snapshot *s,
		 const struct nb_opts *o, char **ifaces, int nifaces)
{
	em_doc_begin(em, "netbuf-show-queues/1");
	em_u64(em, &K_UP, 1);
	em_u64(em, &K_ERR, 0);
	em_str(em, &K_TOOL_VERSION, NETBUF_VERSION);
	em_str(em, &K_NETNS, s->netns);
	em_id(em, &K_CAP, s->q.cap_max);
	em_id(em, &K_CAP_NS, s->q.cap_netns_max);
	queues_rows(em, s, ifaces, nifaces, o->zeros || o->fmt != EM_TABLE,
		    o->fmt == EM_PROM);
	emit_notes(em, s, ifaces, nifaces);
	em_doc_end(em);
}
