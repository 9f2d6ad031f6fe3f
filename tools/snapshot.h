/* SPDX-License-Identifier: GPL-2.0 */
/* netbuf: taking a snapshot from /proc (or fixture dirs) and looking in it. */
#ifndef NB_SNAPSHOT_H
#define NB_SNAPSHOT_H

#include "model.h"

/* Where to read; defaults /proc/netbuf, /proc/net, /proc/sys. */
struct nb_paths {
	const char *proc;	/* NETBUF_PROC */
	const char *procnet;	/* NETBUF_PROCNET */
	const char *sysctl;	/* NETBUF_SYSCTL */
	const char *cgroup;	/* NETBUF_CGROUP_ROOT; NULL: the cgroup2 mount */
};

void nb_paths_from_env(struct nb_paths *p);

int nb_snapshot_load(const struct nb_paths *p, struct nb_snapshot *s,
		     struct nb_err *e);
/* Parse s->raw[]; names[i] names source i in messages. */
int nb_snapshot_parse(struct nb_snapshot *s, const char *const *names,
		      struct nb_err *e);
void nb_snapshot_free(struct nb_snapshot *s);
/*
 * The per-queue view into s->q (s->has_queues): napi_queues, and with
 * hists napi_queue_hist too, and the caps from s's memory file. 0; 1 when
 * the module has no such file (older than the tool: e says so); -1 (e).
 */
int nb_snapshot_load_queues(const struct nb_paths *p, struct nb_snapshot *s,
			    int hists, struct nb_err *e);
void nb_queues_free(struct nb_queues *q);
/* The unlisted line (the last), or NULL. */
const struct nb_qrow *nb_queues_unlisted(const struct nb_queues *q);

const struct nb_row *nb_table_find(const struct nb_table *t,
				   const char *iface, long long ifindex);
/* The same row: interfaces by ifindex (a rename keeps the row), the pseudo
 * and total rows by name. */
int nb_row_same(const char *a, long long ia, const char *b, long long ib);
/*
 * The histogram of one row: its own histograms line, zeros if it has none;
 * for the total row without a line of its own, the sum of all other rows.
 */
void nb_snapshot_hist(const struct nb_snapshot *s, const struct nb_row *row,
		      enum nb_hkind k, struct nb_hist *out);
/* 1 if iface names an interface (or pseudo row) present in s. */
int nb_snapshot_has_iface(const struct nb_snapshot *s, const char *iface);
/* Warn on stderr when the module's version is not the tool's. */
void nb_snapshot_check_version(const struct nb_snapshot *s);

#endif
