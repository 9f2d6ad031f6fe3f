// SPDX-License-Identifier: GPL-2.0
/*
 * netbuf: the column tables. Each column of /proc/netbuf is described once:
 * its raw name (the JSON key), how tables show it and how it is exported to
 * Prometheus.
 */
#include <string.h>

#include "model.h"

#define CNT(name, head, group, prom, help, unit) \
	{ EM_GKEY(name, head, group, prom, help, unit, EM_K_COUNTER), 0, name }
#define OPT(name, prom, help) \
	{ EM_PKEY(name, NULL, prom, help, EM_COUNT, EM_K_COUNTER), \
	  NB_COL_OPT, name }
#define MAX(name, head, group, prom, help) \
	{ EM_GKEY(name, head, group, prom, help, EM_NS, 0), NB_COL_MAX, name }

static const struct nb_col rcvbuf_cols[RB_NCOLS] = {
	CNT("coll_calls", "calls", "collapse", "collapse_calls_total",
	    "tcp_collapse calls.", EM_COUNT),
	CNT("coll_skbs", "skbs", "collapse", "collapse_skbs_total",
	    "skbs collapsed (the kernel's TCPRcvCollapsed).", EM_COUNT),
	{ EM_PKEY("coll_freed_bytes", NULL, "collapse_freed_bytes_total",
		  "Receive memory released by tcp_collapse.", EM_BYTES,
		  EM_K_COUNTER), 0, "coll_freed" },
	CNT("coll_ns", NULL, NULL, "collapse_seconds_total",
	    "Time spent inside tcp_collapse.", EM_NS),
	MAX("coll_max_ns", "max", "collapse", "collapse_max_seconds",
	    "Slowest tcp_collapse call since the counters were reset."),
	CNT("prune_calls", "calls", "prune", "prune_calls_total",
	    "Receive queue prune episodes (the kernel's PruneCalled).",
	    EM_COUNT),
	CNT("prune_noop", NULL, NULL, "prune_noop_total",
	    "Prune episodes that had nothing to do.", EM_COUNT),
	CNT("prune_collapse", NULL, NULL, "prune_collapse_total",
	    "Prune episodes where collapsing was enough.", EM_COUNT),
	CNT("prune_ofo", NULL, NULL, "prune_ofo_total",
	    "Prune episodes that pruned the out-of-order queue, no drop.",
	    EM_COUNT),
	CNT("prune_drop", "drops", "prune", "prune_drop_total",
	    "Prune episodes that dropped data (the kernel's RcvPruned).",
	    EM_COUNT),
	CNT("prune_ns", NULL, NULL, "prune_seconds_total",
	    "Time spent pruning receive queues.", EM_NS),
	MAX("prune_max_ns", "max", "prune", "prune_max_seconds",
	    "Slowest prune episode since the counters were reset."),
	CNT("ofo_calls", "calls", "ofo prune", "ofo_prune_calls_total",
	    "tcp_prune_ofo_queue calls that dropped something.", EM_COUNT),
	CNT("ofo_segs", "segs", "ofo prune", "ofo_prune_segments_total",
	    "Out-of-order segments dropped.", EM_COUNT),
	CNT("ofo_bytes", NULL, NULL, "ofo_prune_bytes_total",
	    "Receive memory released by out-of-order pruning.", EM_BYTES),
	CNT("untracked", NULL, NULL, "untracked_events_total",
	    "Events counted on the unknown row because the interface had "
	    "no row of its own.", EM_COUNT),
	OPT("prune_unseen", "prune_unseen_total",
	    "Prune episodes no hook saw (PruneCalled minus those counted): "
	    "prunes under socket memory pressure (tcp_mem or memcg)."),
	OPT("gone", "gone_events_total",
	    "Events counted on the unknown row because their interface no "
	    "longer exists."),
	OPT("coll_preempted", "collapse_preempted_total",
	    "tcp_collapse calls whose task was switched out in them: counted, "
	    "but in no duration."),
	OPT("prune_preempted", "prune_preempted_total",
	    "Prune episodes whose task was switched out in them: counted, "
	    "but in no duration."),
};

static const struct nb_col napi_cols[NP_NCOLS] = {
	CNT("polls", "polls", NULL, "napi_polls_total", "NAPI polls.",
	    EM_COUNT),
	CNT("packets", "packets", NULL, "napi_packets_total",
	    "Packets processed by NAPI polls.", EM_PKTS),
	CNT("exhausted", "exhausted", NULL, "napi_exhausted_total",
	    "NAPI polls that used their whole budget.", EM_COUNT),
	CNT("empty", NULL, NULL, "napi_empty_total",
	    "NAPI polls that found no work.", EM_COUNT),
	CNT("poll_ns", NULL, NULL, "napi_poll_seconds_total",
	    "Time spent in timed NAPI polls.", EM_NS),
	MAX("poll_max_ns", "max", NULL, "napi_poll_max_seconds",
	    "Slowest NAPI poll since the counters were reset."),
	CNT("untimed", NULL, NULL, "napi_untimed_total",
	    "NAPI polls counted but not timed (outside a NET_RX softirq: "
	    "threaded NAPI, busy polling, netpoll; or a missed kprobe).",
	    EM_COUNT),
	OPT("netpoll", "napi_netpoll_polls_total",
	    "NAPI polls by netpoll (netconsole and the like)."),
	OPT("busy_poll", "napi_busy_polls_total",
	    "NAPI polls made by a busy-polling task."),
	OPT("threaded", "napi_threaded_polls_total",
	    "NAPI polls in the device's NAPI thread (threaded NAPI)."),
	OPT("untracked", "napi_untracked_polls_total",
	    "Polls counted on the unknown row because the device had no row "
	    "of its own."),
	OPT("gone", "napi_gone_polls_total",
	    "Polls counted on the unknown row because the device's row was "
	    "already gone (device being unregistered)."),
};

/* napi's first seven columns, for one NAPI instance (napi_queues). */
const struct nb_col nb_queue_cols[QC_NCOLS] = {
	CNT("polls", "polls", NULL, "napi_queue_polls_total",
	    "NAPI polls of the instance.", EM_COUNT),
	CNT("packets", "packets", NULL, "napi_queue_packets_total",
	    "Packets processed by the instance's polls.", EM_PKTS),
	CNT("exhausted", "exhausted", NULL, "napi_queue_exhausted_total",
	    "Polls of the instance that used their whole budget.", EM_COUNT),
	CNT("empty", "empty", NULL, "napi_queue_empty_total",
	    "Polls of the instance that found no work.", EM_COUNT),
	CNT("poll_ns", NULL, NULL, "napi_queue_poll_seconds_total",
	    "Time spent in the instance's timed polls.", EM_NS),
	MAX("poll_max_ns", "max", "poll time", "napi_queue_poll_max_seconds",
	    "Slowest poll of the instance since the counters were reset."),
	CNT("untimed", NULL, NULL, "napi_queue_untimed_total",
	    "Polls of the instance counted but not timed.", EM_COUNT),
};

static const char *const rcvbuf_pseudo[] = { "unknown" };
static const char *const napi_pseudo[] = { "unknown", "backlog" };

const struct nb_tabledef nb_rcvbuf_def = {
	"rcvbuf", rcvbuf_pseudo, 1, rcvbuf_cols, RB_NCOLS,
};

const struct nb_tabledef nb_napi_def = {
	"napi", napi_pseudo, 2, napi_cols, NP_NCOLS,
};

#define HK(name, prom, help, unit) \
	EM_PKEY("buckets", NULL, prom, help, unit, 0)

const struct nb_hkinddef nb_hkinds[NB_H_COUNT] = {
	{ "collapse", NULL, EM_NS, 0, RB_COLL_MAX_NS,
	  HK("collapse", "collapse_duration_seconds",
	     "Duration of tcp_collapse calls.", EM_NS) },
	{ "prune", NULL, EM_NS, 0, RB_PRUNE_MAX_NS,
	  HK("prune", "prune_duration_seconds",
	     "Duration of receive queue prune episodes.", EM_NS) },
	{ "napi_ns", "napi", EM_NS, 1, NP_POLL_MAX_NS,
	  HK("napi_ns", "napi_poll_duration_seconds",
	     "Duration of NAPI polls.", EM_NS) },
	{ "napi_pkts", NULL, EM_PKTS, 1, -1,
	  HK("napi_pkts", "napi_poll_packets", "Packets per NAPI poll.",
	     EM_PKTS) },
};

const char *const nb_mem_keys[MEM_COUNT] = {
	"rows", "rows_max", "row_bytes", "percpu_bytes", "cpus", "bytes",
	"bytes_worst", "untracked_devs", "evicted", "lost",
};

const char *const nb_ctl_keys[CTL_COUNT] = {
	"events_threshold_ns", "events_max", "events_recorded", "events_lost",
	"timing",
};

const char *const nb_src_names[SRC_COUNT] = {
	"version", "probes", "rcvbuf", "napi", "histograms", "memory",
	"softnet_stat",
};

const struct nb_sysctldef nb_sysctls[SC_COUNT] = {
	{ "net.ipv4.tcp_rmem", "net/ipv4/tcp_rmem", 3 },
	{ "net.ipv4.tcp_adv_win_scale", "net/ipv4/tcp_adv_win_scale", 1 },
	{ "net.core.netdev_budget", "net/core/netdev_budget", 1 },
	{ "net.core.netdev_budget_usecs", "net/core/netdev_budget_usecs", 1 },
	{ "net.core.dev_weight", "net/core/dev_weight", 1 },
	{ "net.core.netdev_max_backlog", "net/core/netdev_max_backlog", 1 },
};

int nb_row_zero(const struct nb_tabledef *d, const struct nb_row *r)
{
	size_t i;

	for (i = 0; i < d->ncols; i++)
		if (!(d->cols[i].flags & NB_COL_MAX) && r->v[i])
			return 0;
	return 1;
}

int nb_hkind_parse(const char *s, enum nb_hkind *k)
{
	unsigned int i;

	for (i = 0; i < NB_H_COUNT; i++) {
		if (!strcmp(s, nb_hkinds[i].name) ||
		    (nb_hkinds[i].alias && !strcmp(s, nb_hkinds[i].alias))) {
			*k = (enum nb_hkind)i;
			return 0;
		}
	}
	return -1;
}

int nb_sysctl_find(const char *name)
{
	int i;

	for (i = 0; i < SC_COUNT; i++)
		if (!strcmp(name, nb_sysctls[i].name))
			return i;
	return -1;
}
