// SPDX-License-Identifier: GPL-2.0
/* netbuf: output fields shared by several commands. */
#include <stdio.h>
#include <string.h>

#include "keys.h"
#include "stats.h"

const struct em_key K_IFACE = EM_KEY("iface", "iface", EM_COUNT,
	EM_K_LABEL | EM_K_TITLE);
const struct em_key K_IFINDEX = EM_KEY("ifindex", NULL, EM_COUNT, EM_K_LABEL);
const struct em_key K_STATE = EM_KEY("state", NULL, EM_COUNT, 0);
const struct em_key K_NETNS_LABEL = EM_KEY("netns", NULL, EM_COUNT,
	EM_K_LABEL | EM_K_NOTABLE | EM_K_NOJSON);
const struct em_key K_NETNS = EM_KEY("netns", NULL, EM_COUNT, 0);
const struct em_key K_TOOL_VERSION = EM_KEY("tool_version", NULL, EM_COUNT, 0);

/* Prometheus: the backlog row is host-wide, the same in every netns. */
static const struct em_key K_SCOPE = EM_KEY("scope", NULL, EM_COUNT,
	EM_K_LABEL | EM_K_NOTABLE | EM_K_NOJSON);

/* A gone interface is marked in tables; JSON has its state. */
static const struct em_key K_IFACE_DATA = EM_KEY("iface", NULL, EM_COUNT,
	EM_K_LABEL);
static const struct em_key K_IFACE_SHOWN = EM_KEY("iface", "iface", EM_COUNT,
	EM_K_NOJSON);

/* netbuf's own rows (total: ifindex -1; unknown, backlog: 0) are
 * "synthetic" in JSON; real interfaces (ifindex > 0) of those names are
 * marked " (iface)" in tables (a name cannot hold a space). */
static const struct em_key K_SYNTHETIC = EM_KEY("synthetic", NULL, EM_COUNT,
	EM_K_NOTABLE);

const char *keys_iface_shown(char *buf, size_t n, const char *iface,
			     long long ifindex)
{
	if (ifindex <= 0 || (strcmp(iface, "total") &&
			     strcmp(iface, "unknown") &&
			     strcmp(iface, "backlog")))
		return iface;
	snprintf(buf, n, "%s (iface)", iface);
	return buf;
}

void keys_synthetic(struct emitter *em, long long ifindex)
{
	em_bool(em, &K_SYNTHETIC, ifindex <= 0);
}

void keys_iface(struct emitter *em, const char *iface, long long ifindex,
		const char *state, const char *netns)
{
	char shown[NB_IFNAME_MAX + 8];
	const char *s = keys_iface_shown(shown, sizeof(shown), iface, ifindex);

	if (state && !strcmp(state, "gone"))
		snprintf(shown, sizeof(shown), "%s (gone)", iface);
	if (s != iface || (state && !strcmp(state, "gone"))) {
		em_str(em, &K_IFACE_DATA, iface);
		em_str(em, &K_IFACE_SHOWN, shown);
	} else {
		em_str(em, &K_IFACE, iface);
	}
	if (ifindex >= 0)
		em_i64(em, &K_IFINDEX, ifindex);
	else
		em_null(em, &K_IFINDEX);
	if (netns) {
		em_str(em, &K_NETNS_LABEL, netns);
		em_str(em, &K_SCOPE, ifindex == 0 && !strcmp(iface, "backlog") ?
		       "host" : "netns");
	}
	if (state)
		em_str(em, &K_STATE, state);
	keys_synthetic(em, ifindex);
}

static const struct em_key K_CGROUP = EM_KEY("cgroup", "cgroup", EM_COUNT, 0);
static const struct em_key K_CGPATH = EM_KEY("cgroup_path", NULL, EM_COUNT,
	EM_K_NOTABLE);
static const struct em_key K_CGPATH_SHOWN = EM_KEY("cgroup_path", "path",
	EM_COUNT, EM_K_NOJSON);

#define CGPATH_WIDTH 40	/* in tables, longer paths keep their end */

void keys_cgroup(struct emitter *em, u64 id, const char *path)
{
	char shown[CGPATH_WIDTH + 1];
	size_t n = path ? strlen(path) : 0;

	em_u64(em, &K_CGROUP, id);
	em_str(em, &K_CGPATH, path);
	if (n > CGPATH_WIDTH)
		snprintf(shown, sizeof(shown), "...%s",
			 path + n - (CGPATH_WIDTH - 3));
	em_str(em, &K_CGPATH_SHOWN, n > CGPATH_WIDTH ? shown : path);
}

static const struct em_key K_TIME = EM_KEY("time", NULL, EM_COUNT,
	EM_K_NOTABLE);
static const struct em_key K_TIME_SHOWN = EM_KEY("time", "time", EM_COUNT,
	EM_K_NOJSON);
static const struct em_key K_TIME_NS = EM_KEY("time_ns", NULL, EM_COUNT,
	EM_K_NOTABLE);

void keys_time(struct emitter *em, u64 ns, int shown)
{
	char buf[48];

	nb_fmt_rfc3339(buf, sizeof(buf), ns);
	em_str(em, &K_TIME, buf);
	if (shown)
		em_str(em, &K_TIME_SHOWN, buf);
	em_u64(em, &K_TIME_NS, ns);
}

/* [0]: ns, [1]: packets */
#define HFIG(f, u, unit) EM_KEY(f "_" u, f, unit, 0)

static const struct em_key K_HFIG[2][5] = {
	{ HFIG("sum", "ns", EM_NS), HFIG("avg", "ns", EM_NS),
	  HFIG("p50", "ns", EM_NS), HFIG("p99", "ns", EM_NS),
	  HFIG("max", "ns", EM_NS) },
	{ HFIG("sum", "pkts", EM_PKTS), HFIG("avg", "pkts", EM_PKTS),
	  HFIG("p50", "pkts", EM_PKTS), HFIG("p99", "pkts", EM_PKTS),
	  HFIG("max", "pkts", EM_PKTS) },
};
static const struct em_key K_HUNIT = EM_KEY("unit", NULL, EM_COUNT, 0);
static const struct em_key K_SAMPLES = EM_KEY("samples", "samples", EM_COUNT,
	0);

void keys_hist(struct emitter *em, const struct nb_hist *h, enum em_unit u)
{
	const struct em_key *k = K_HFIG[u != EM_NS];
	static const double pct[2] = { 50, 99 };
	unsigned int i;
	u64 v;

	em_str(em, &K_HUNIT, u == EM_NS ? "ns" : "packets");
	em_u64(em, &K_SAMPLES, h->samples);
	em_u64(em, &k[0], h->sum);
	if (h->samples)
		em_u64(em, &k[1], h->sum / h->samples);
	else
		em_null(em, &k[1]);
	for (i = 0; i < 2; i++)
		if (nb_hist_percentile(h, pct[i], &v) == 0)
			em_u64(em, &k[2 + i], v);
		else
			em_null(em, &k[2 + i]);
	if (h->samples)
		em_u64(em, &k[4], h->max);
	else
		em_null(em, &k[4]);
}
