/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netbuf: figures of a period, per interface: counter deltas, histogram
 * deltas and the period's max, joined from the rcvbuf, napi and histograms
 * files; and per-CPU softnet deltas. Either since the counters were reset
 * (one snapshot; the period's length is unknown) or between two snapshots.
 */
#ifndef NB_VIEW_H
#define NB_VIEW_H

#include "model.h"

struct nb_ifview {
	char iface[NB_IFNAME_MAX];
	long long ifindex;
	enum nb_rowkind kind;
	char state[8];
	char renamed_from[NB_IFNAME_MAX];	/* name in the first snapshot */
	int has_rcv, has_napi;
	u64 rcv[RB_NCOLS];
	u64 napi[NP_NCOLS];
	struct nb_hist h[NB_H_COUNT];	/* h[k].max: the period's max */
	int max_exact[NB_H_COUNT];
};

struct nb_view {
	double secs;		/* period length; 0: since reset, unknown */
	size_t evicted;		/* rows evicted into the unknown row */
	struct nb_ifview *ifs;
	size_t n;
	struct nb_cpu *cpus;	/* deltas */
	size_t ncpus;
	/* NAPI instances (napi_queues), the unlisted line last: deltas of
	 * the counters (a new napi_id is a new series: all it counted);
	 * poll_max_ns, rxqueues, queue and cpu as the later snapshot has
	 * them. has_queues 0: no per-queue view in (both) snapshots. */
	int has_queues;
	struct nb_qrow *qs;
	size_t nqs;
};

/*
 * a == NULL: figures since the counters were reset. Otherwise b - a;
 * returns -1 with *why set when they cannot be compared (counters went
 * down or rows were forgotten: module reset or reloaded; host rebooted;
 * other namespace). Interfaces are matched by ifindex (a rename keeps the
 * row: renamed_from), the pseudo and total rows by name; rows evicted
 * under the cap (memory's evicted grew by as many) are no reset.
 */
int nb_view_build(const struct nb_snapshot *a, const struct nb_snapshot *b,
		  struct nb_view *v, char *why, size_t whylen);
void nb_view_free(struct nb_view *v);
/* 1 if b was taken in another boot than a (boot_id; see view.c). */
int nb_rebooted(const struct nb_snapshot *a, const struct nb_snapshot *b);
const struct nb_ifview *nb_view_find(const struct nb_view *v,
				     const char *iface, long long ifindex);
/* count / secs; NaN when the period length is unknown. */
double nb_view_rate(const struct nb_view *v, u64 count);
/* Percentile of the period; -1 if no samples. */
int nb_ifview_pct(const struct nb_ifview *f, enum nb_hkind k, double p,
		  u64 *out);
/* All counters (not maxima) of the row zero? */
int nb_ifview_zero(const struct nb_ifview *f);

#endif
